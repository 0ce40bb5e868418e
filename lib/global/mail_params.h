/*
 * mail_params - the parameter registry and the var_* variables.
 *
 * Every parameter Postern knows is declared once, as one row in one of the
 * lib/global/params_*.def files (listed by params_all.def).  The rows are
 * X-macros; the C preprocessor turns them into the extern declarations below,
 * into the variable definitions and into mail_param_table[] (mail_params.c).
 * postconf -d prints that table; mail_params_init() binds every variable from
 * main.cf with it; postconf warns about names that are not in it.
 *
 * Row macros (the default is always the text postconf -d prints; it is
 * expanded when the variable is bound, so "${stress?{1}:{20}}" is fine):
 *
 *   PARAM_STR(name, "default", minlen, maxlen)    char *var_name, expanded
 *   PARAM_STR_FN(name, fn, minlen, maxlen)         default computed by
 *                                                  const char *fn(void)
 *   PARAM_STR_V(cname, "name", "default", minlen, maxlen)  a name that is
 *                                                  not a C identifier
 *                                                  (2bounce_notice_recipient)
 *                                                  binds char *var_cname
 *   PARAM_RAW(name, "default", minlen, maxlen)    char *, never expanded
 *                                                  ($names are filled in
 *                                                  later by the user, e.g.
 *                                                  mailbox_command)
 *   PARAM_LIST(name, "default")                   char *, a list (commas or
 *                                                  white space, {} groups)
 *   PARAM_INT(name, "default", min, max)          int var_name
 *   PARAM_LONG(name, "default", min, max)         long var_name
 *   PARAM_SIZE(name, "default", min, max)         long var_name, a byte count
 *   PARAM_BOOL(name, "yes"|"no")                  int var_name, 0 or 1
 *   PARAM_TIME(name, "300s", min, max)            int var_name in seconds;
 *                                                  value: number with an
 *                                                  optional unit s m h d w,
 *                                                  the default unit is the
 *                                                  last letter of the default
 *
 * A max of 0 means "no upper bound"; a minlen/maxlen of 0 means no limit.
 *
 * Interface:
 *   mail_param_table[], mail_param_count      the registry, in .def order
 *   mail_param_find(name)                     a row, or null
 *   mail_param_default(p)                     its default text (raw), with
 *                                             computed defaults filled in
 *   mail_param_check(p, value, &num)          convert an (expanded) value:
 *                                             null when it is good, else
 *                                             Postfix's wording of the error
 *                                             (static buffer)
 *   mail_params_init()                        read main.cf if not yet read,
 *                                             then bind every var_*; a bad
 *                                             value is fatal and names the
 *                                             parameter
 *   mail_params_init_list(names)              bind only the named ones
 *                                             (commands that start fast)
 *   mail_param_get_int2(prefix, suffix, def, min, max)
 *   mail_param_get_time2(prefix, suffix, "def", min, max)
 *                                             per-transport parameters that
 *                                             the registry cannot list, e.g.
 *                                             ("relay", "_destination_
 *                                             concurrency_limit"): the value
 *                                             of prefix+suffix if main.cf or
 *                                             -o sets it, else its registry
 *                                             default when the registry has
 *                                             the name, else def; checked
 *                                             like registry parameters
 *
 * Debian's convention is kept: "myorigin = /etc/mailname" (a value that
 * starts with "/") binds var_myorigin to the first line of that file.
 *
 * What can go wrong: a value of the wrong type or out of bounds ends the
 * process with msg_fatal (Postfix's wording, e.g. "bad numerical
 * configuration: smtpd_recipient_limit = abc").
 */
#ifndef POSTERN_MAIL_PARAMS_H
#define POSTERN_MAIL_PARAMS_H

#include <stddef.h>

#define MAIL_PARAM_STR  1
#define MAIL_PARAM_RAW  2
#define MAIL_PARAM_LIST 3
#define MAIL_PARAM_INT  4
#define MAIL_PARAM_LONG 5
#define MAIL_PARAM_SIZE 6
#define MAIL_PARAM_BOOL 7
#define MAIL_PARAM_TIME 8

typedef struct MAIL_PARAM {
    const char *name;
    int type;                   /* MAIL_PARAM_* */
    const char *defval;         /* null when computed */
    const char *(*deffn)(void); /* computes the default */
    long min;                   /* value, or string length */
    long max;                   /* 0: unbounded */
    void *var;                  /* char **, int * or long * */
} MAIL_PARAM;

#define MAIL_VERSION_NUMBER "0.1"

/* The variables, one per row. */
#define PARAM_STR(n, d, mn, mx)      extern char *var_##n;
#define PARAM_STR_FN(n, f, mn, mx)   extern char *var_##n;
#define PARAM_STR_V(c, n, d, mn, mx) extern char *var_##c;
#define PARAM_RAW(n, d, mn, mx)      extern char *var_##n;
#define PARAM_LIST(n, d)             extern char *var_##n;
#define PARAM_INT(n, d, mn, mx)      extern int var_##n;
#define PARAM_LONG(n, d, mn, mx)     extern long var_##n;
#define PARAM_SIZE(n, d, mn, mx)     extern long var_##n;
#define PARAM_BOOL(n, d)             extern int var_##n;
#define PARAM_TIME(n, d, mn, mx)     extern int var_##n;
#include "params_all.def"
#include "params_undef.h"

extern const MAIL_PARAM mail_param_table[];
extern const size_t mail_param_count;

extern const MAIL_PARAM *mail_param_find(const char *name);
extern const char *mail_param_default(const MAIL_PARAM *p);
extern const char *mail_param_check(const MAIL_PARAM *p, const char *value, long *result);
extern int mail_param_conv_time(const char *value, int def_unit, long *result);
extern int mail_param_conv_bool(const char *value, long *result);
extern void mail_params_init(void);
extern long mail_param_get_int2(const char *prefix, const char *suffix, long defval, long min,
                                long max);
extern long mail_param_get_time2(const char *prefix, const char *suffix, const char *defval,
                                 long min, long max);
extern void mail_params_init_list(const char *const *names);

/* Computed defaults (mail_params.c); each returns a stable string. */
extern const char *mail_params_default_myhostname(void);
extern const char *mail_params_default_mydomain(void);
extern const char *mail_params_default_mynetworks(void);
extern const char *mail_params_default_process_id(void);
extern const char *mail_params_default_process_name(void);

#endif
