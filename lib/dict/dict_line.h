/*
 * dict_line - the postmap(1) source-file syntax, shared by postmap,
 * postalias and the texthash table; see dict_line.c.
 *
 *   DICT_LINE *lp = dict_line_open(fp, "/etc/postfix/virtual");
 *   while ((status = dict_line_read(lp, buf)) != DICT_LINE_EOF) {
 *       if (status == DICT_LINE_TOOLONG) ... warn, skip
 *       ... dict_line_number(lp) is the first physical line of buf ...
 *   }
 *   dict_line_close(lp);       (does not close fp)
 *
 * Logical lines: a physical line that starts with white space continues the
 * previous one (appended as is, white space included); blank lines and
 * lines whose first non-blank character is '#' are skipped, also in the
 * middle of a continued line; trailing white space (CR included) is
 * removed.  A continuation line with nothing to continue is reported with
 * msg_warn ("NAME: logical line must not start with whitespace: "...")
 * and skipped, as Postfix does.  A logical line longer than DICT_LINE_LIMIT
 * bytes is returned as DICT_LINE_TOOLONG (its text truncated).
 *
 * dict_line_split(line, &key, &value) splits "key whitespace value" in
 * place; it returns 0, or -1 when there is no value.
 */
#ifndef POSTERN_DICT_LINE_H
#define POSTERN_DICT_LINE_H

#include <stdio.h>

#include "vstring.h"

#define DICT_LINE_LIMIT (16 * 1024 * 1024)

#define DICT_LINE_EOF     0
#define DICT_LINE_OK      1
#define DICT_LINE_TOOLONG 2
#define DICT_LINE_ERROR   3 /* read error; errno is set */

typedef struct DICT_LINE DICT_LINE;

extern DICT_LINE *dict_line_open(FILE *fp, const char *name);
extern int dict_line_read(DICT_LINE *lp, VSTRING *buf);
extern int dict_line_number(const DICT_LINE *lp);
extern void dict_line_close(DICT_LINE *lp);
extern int dict_line_split(char *line, char **key, char **value);

#endif
