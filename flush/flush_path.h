/*
 * flush_path - names of the fast flush logs.
 *
 *   flush_path_site(buf, site)  "flush/NAME" for a destination: NAME is the
 *                               site in lower case with every byte that is
 *                               not a letter or digit replaced by "_", as
 *                               Postfix names its logs ("[10.0.0.1]" ->
 *                               "_10_0_0_1_").  Relative to queue_directory.
 *   flush_path_site_ok(site)    1 when site may be a destination: 1..255
 *                               bytes, printable, no white space
 *   flush_path_ok(name)         1 when a directory entry can be a log made by
 *                               flush_path_site() (refresh skips others)
 *
 * Two sites can share a log ("a-b.example" and "a.b.example"): a flush of
 * one then retries the other's deferred mail too, which is harmless.
 */
#ifndef POSTERN_FLUSH_PATH_H
#define POSTERN_FLUSH_PATH_H

#include "vstring.h"

#define FLUSH_SITE_MAXLEN 255

extern VSTRING *flush_path_site(VSTRING *buf, const char *site);
extern int flush_path_site_ok(const char *site);
extern int flush_path_ok(const char *name);

#endif
