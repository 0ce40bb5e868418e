/*
 * dict_file - helpers for table types stored in files (hash, btree, lmdb,
 * cdb): safe creation through a temporary file and Postfix-compatible
 * locking; see dict_file.c.
 *
 * A table built from scratch (open flag O_TRUNC) is written to "FINAL.tmp"
 * and renamed over FINAL when the table is closed (when FINAL is a symlink,
 * beside and over the file it points to, so the link stays), so a reader always sees
 * either the old complete table or the new complete one, never a partial
 * one, and a build that dies half-way leaves the old table in place.
 *
 *   fd = dict_file_create_tmp(dict, final, tmp)
 *       opens and exclusively locks FINAL.tmp (name returned in tmp),
 *       empties it and gives it the owner and mode of FINAL if that exists,
 *       else dict_file_create_mode; -1 with dict_fail() set on error.
 *   dict_file_commit(dict, fd, tmp, final)
 *       fsync()s and renames; -1 with dict_fail() set on error.
 *   dict_file_lock(fd, style, op)
 *       DICT_LOCK_SHARED / DICT_LOCK_EXCLUSIVE / DICT_LOCK_NONE with flock()
 *       (DICT_FILE_FLOCK: what Postfix uses for Berkeley DB and cdb files)
 *       or fcntl() (DICT_FILE_FCNTL: what Postfix uses for LMDB files);
 *       0 or -1 with errno.
 *
 * dict_file_create_mode (default 0644) is the mode of a new table file;
 * postmap sets it from the source file, as Postfix does.
 *
 * Values that are files (postmap -F, DICT_FLAG_SRC_RHS_IS_FILE):
 *   dict_file_to_b64(names, out, why)
 *       names is a list of file names (commas and/or white space); their
 *       contents, joined with a newline, base64-encoded into out.  Returns
 *       out, or null with why set ("open NAME: REASON", "NAME: file too
 *       large").  Each file may hold at most DICT_FILE_B64_LIMIT bytes.
 *   dict_file_from_b64(value, out)
 *       decode standard base64 (with padding); out, or null when malformed.
 */
#ifndef POSTERN_DICT_FILE_H
#define POSTERN_DICT_FILE_H

#include <sys/types.h>

#include "dict.h"
#include "vstring.h"

#define DICT_FILE_FLOCK 1
#define DICT_FILE_FCNTL 2

extern mode_t dict_file_create_mode;

extern int dict_file_create_tmp(DICT *dict, const char *final, VSTRING *tmp);
extern int dict_file_commit(DICT *dict, int fd, const char *tmp, const char *final);
extern int dict_file_lock(int fd, int style, int op);

#define DICT_FILE_B64_LIMIT (16 * 1024 * 1024)

extern VSTRING *dict_file_to_b64(const char *names, VSTRING *out, VSTRING *why);
extern VSTRING *dict_file_from_b64(const char *value, VSTRING *out);

#endif
