/*
 * master_ent - read master.cf into a list of service entries.
 *
 * master.cf has one entry per logical line (a line that starts with white
 * space continues the previous one; lines whose first non-blank character is
 * "#" and blank lines are ignored, also between continuation lines) with
 * eight or more white-space separated fields:
 *
 *   service type private unpriv chroot wakeup maxproc command [args...]
 *
 * type is inet, unix, unix-dgram, fifo or pass; private, unpriv and chroot
 * are y, n or "-" (default); wakeup is "-" or a number of seconds with an
 * optional "?" (only when the service is used); maxproc is "-" or a number
 * (0: no limit).  Command arguments may be grouped with "{ ... }" to hold
 * white space: the braces and the white space just inside them are removed.
 * "-o name=value" and "-o { name = value }" pass parameter overrides; the
 * latter is stored as "name=value".
 *
 * Interface:
 *   master_ent_parse(text, len, origin, &list, why)  parse text from memory;
 *                      0, or -1 with "file F: line N: problem" in why
 *   master_ent_read(path, &list, why)  the same for a file; -1 with errno
 *                      set and why empty when the file cannot be opened
 *   master_ent_free(list)
 *   master_ent_option(arg, &name, &value)  split one -o argument (copies)
 *                      1 on success, 0 when "=" is missing
 *   master_ent_options_end(ent)  index in args of the first argument after
 *                      the daemon options (those that start with "-", with
 *                      the value after each "-o"); only these "-o" count as
 *                      parameter overrides, as in Postfix
 *
 * Field defaults (what "-" means), as Postfix 3.x: private y, unpriv y,
 * chroot n, wakeup 0 (none), maxproc $default_process_limit (-1 here).
 *
 * What can go wrong: a bad field count, an unknown type, a field that is not
 * y/n/-, a bad wakeup or maxproc value, an unbalanced "{": parsing stops and
 * why names the file, line and field.
 */
#ifndef POSTERN_MASTER_ENT_H
#define POSTERN_MASTER_ENT_H

#include <stddef.h>

#include "argv.h"
#include "vstring.h"

#define MASTER_FIELD_COUNT 8 /* command counts as one */

typedef struct MASTER_ENT {
    char *field[MASTER_FIELD_COUNT - 1]; /* service .. maxproc, as written */
    ARGV *args;                          /* command and arguments, braces removed */
    int lineno;                          /* first line of the entry */
    int last_lineno;                     /* its last (continuation) line */
    int private_flag;                    /* 1 unless "n" */
    int unpriv_flag;                     /* 1 unless "n" */
    int chroot_flag;                     /* 0 unless "y" */
    int wakeup_time;                     /* 0: none */
    int wakeup_if_used;                  /* "?" suffix */
    int max_proc;                        /* -1: $default_process_limit */
    struct MASTER_ENT *next;
} MASTER_ENT;

#define MASTER_ENT_SERVICE(e) ((e)->field[0])
#define MASTER_ENT_TYPE(e)    ((e)->field[1])

extern const char *const master_ent_field_names[MASTER_FIELD_COUNT];

extern int master_ent_parse(const char *text, size_t len, const char *origin, MASTER_ENT **list,
                            VSTRING *why);
extern int master_ent_read(const char *path, MASTER_ENT **list, VSTRING *why);
extern void master_ent_free(MASTER_ENT *list);
extern int master_ent_option(const char *arg, char **name, char **value);
extern size_t master_ent_options_end(const MASTER_ENT *ent);

#endif
