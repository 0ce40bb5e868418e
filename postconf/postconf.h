/*
 * postconf.h - what the postconf modules share.
 *
 * postconf.c parses the command line and dispatches; postconf_main.c shows
 * main.cf parameters; postconf_master.c shows master.cf entries;
 * postconf_edit.c edits main.cf (and master.cf); postconf_print.c formats
 * lines the way Postfix's postconf does (single spaces between words,
 * optional folding at 80 columns with 4-space continuation lines).
 */
#ifndef POSTERN_POSTCONF_H
#define POSTERN_POSTCONF_H

#include <stdio.h>

#include "argv.h"
#include "master_ent.h"

/* Command-line mode bits. */
#define PCF_SHOW_DEFS   (1 << 0) /* -d */
#define PCF_SHOW_NONDEF (1 << 1) /* -n */
#define PCF_HIDE_NAME   (1 << 2) /* -h */
#define PCF_HIDE_VALUE  (1 << 3) /* -H */
#define PCF_SHOW_EVAL   (1 << 4) /* -x */
#define PCF_FOLD_LINE   (1 << 5) /* -f */

/* postconf_print.c */
extern void pcf_print_param(FILE *fp, int mode, const char *name, const char *value);
extern void pcf_print_master_entry(FILE *fp, int mode, const MASTER_ENT *ent);
extern void pcf_format_arg(const char *arg, char **out);
extern void pcf_print_args(FILE *fp, int mode, size_t line_len, const MASTER_ENT *ent);

/* postconf_master.c */
extern MASTER_ENT *pcf_master_list;
extern const char *pcf_master_path(void);
extern void pcf_read_master(int fatal_if_missing);
extern void pcf_show_master_entries(int mode, char **filters);
extern void pcf_show_master_fields(int mode, char **filters);
extern void pcf_show_master_params(int mode, char **filters);
extern int pcf_master_filter_match(const MASTER_ENT *ent, const char *filter, const char **field);

/* postconf_main.c */
extern void pcf_register_params(int mode);
extern void pcf_show_params(int mode, char **names);
extern void pcf_flag_unused(int mode, int master_only);
extern const char *pcf_suggest(const char *name);

/* postconf_edit.c */
#include <sys/stat.h>
#include "vstring.h"
extern VSTRING *pcf_read_all(const char *path, struct stat *st, int *exists);
extern int pcf_edit_lock(const char *path);
extern void pcf_write_atomic(int fd, const char *path, const char *text, size_t len, mode_t mode);
extern void pcf_edit_abort(int fd, const char *path);
extern void pcf_edit_main(int cmd, char **args);
#define PCF_EDIT_SET     '='
#define PCF_EDIT_EXCLUDE 'X'
#define PCF_EDIT_COMMENT '#'

/* postconf_edit_master.c */
#define PCF_MASTER_EDIT_ENTRY 1 /* -Me, -MX, -M# */
#define PCF_MASTER_EDIT_FIELD 2 /* -Fe */
#define PCF_MASTER_EDIT_PARAM 3 /* -Pe, -PX */
extern void pcf_edit_master(int cmd, int what, char **args);

#endif
