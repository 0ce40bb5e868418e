/*
 * mail_conf - read main.cf and answer parameter values.
 *
 * The configuration directory is, in order: the -c option of the command
 * (mail_conf_set_dir), $MAIL_CONFIG, then /etc/postfix.  mail_conf_read()
 * reads DIR/main.cf once (a missing main.cf is fatal, as in Postfix, with the
 * file name in the message); values are stored raw (unexpanded) and expanded
 * at use time: $name, ${name}, $(name), ${name?value}, ${name:value},
 * ${name?{a}:{b}}, ${{a} OP {b} ? {x} : {y}} (OP: == != < <= > >= and the
 * compatibility-level forms ==level <level ...), with the registry's defaults
 * for names main.cf does not set (see mail_params.h for the registry and the
 * var_* variables).  $$ is a literal dollar.
 *
 * main.cf syntax: "name = value"; a line that starts with white space
 * continues the previous one (its text, leading white space included, is
 * appended); lines whose first non-blank character is "#" and blank lines
 * are ignored; a "#" elsewhere is part of the value; the last assignment of
 * a name wins.  config_directory is recorded as if main.cf set it (as
 * Postfix does).  Overrides (mail_conf_update, e.g. master.cf -o) win over
 * the file whether they come before or after mail_conf_read(); reading
 * again replaces what the previous read set.
 *
 *   mail_conf_lookup(name)      raw value set in main.cf (or by -o / an
 *                               override), null if not set there
 *   mail_conf_eval(name)        the effective value, expanded; null for a
 *                               name that is neither set nor known.  RAW
 *                               parameters come back unexpanded.  The
 *                               result stays valid for the process lifetime.
 *   mail_conf_expand(text)      expand $names in arbitrary text (result valid
 *                               until the next call)
 *   mail_conf_update(name, val) override for this process (master.cf -o)
 *   mail_conf_file(), mail_conf_dir()   what was read (file: null before
 *                               mail_conf_read)
 *
 * Extensions for postconf, tests and fuzzing:
 *   mail_conf_read_file(path)   read a named file instead (not fatal if
 *                               missing: returns -1 with errno set)
 *   mail_conf_parse(text, len, origin, why)  parse main.cf text from
 *                               memory; 0, or -1 with the syntax error in why
 *                               (the lines before it are kept)
 *   mail_conf_reset()           forget everything read; strings returned
 *                               earlier become invalid (tests, fuzzing)
 *   mail_conf_lineno(name)      line of the last assignment, 0 if none
 *   mail_conf_names()           the names set, in file order (ARGV, owned
 *                               by the caller)
 *   mail_conf_expand_text(out, text, why)   expansion that never exits:
 *                               0 on success, -1 with the reason in why
 *   mail_conf_flags             MAIL_CONF_FLAG_WARN_UNDEF: warn about
 *                               "$name" for a name that is not defined
 *                               ("FILE: undefined parameter: name")
 *   mail_conf_eval_quiet(name)  like mail_conf_eval, but null on an
 *                               expansion error instead of exiting (used by
 *                               computed defaults)
 *   mail_conf_dir_allowed(dir)  for set-gid commands, before reading
 *                               anything: 1 when dir is /etc/postfix, the
 *                               caller is root, or /etc/postfix/main.cf lists
 *                               dir in alternate_config_directories or
 *                               multi_instance_directories; else 0 (the
 *                               caller refuses -c / $MAIL_CONFIG)
 *   mail_conf_used(name)        nonzero when name was referenced as $name
 *                               by an expansion so far (postconf: unused
 *                               parameter check)
 *
 * What can go wrong: main.cf missing or unreadable (fatal), a line without
 * "=" (fatal, "FILE, line N: missing '=' after attribute name: ..."), an
 * expansion error in a value (a warning with the details, then fatal "macro
 * processing error" from mail_conf_eval/mail_conf_expand).  Expansion depth
 * is limited to 100 nested names ("unreasonable macro call nesting") and
 * results to MAIL_CONF_EXPAND_LIMIT bytes, so loops and hostile input end
 * with an error, never a crash.
 */
#ifndef POSTERN_MAIL_CONF_H
#define POSTERN_MAIL_CONF_H

#include <stddef.h>

#include "argv.h"
#include "vstring.h"

#define MAIL_CONF_EXPAND_LIMIT    (16 * 1024 * 1024)
#define MAIL_CONF_DEPTH_LIMIT     100
#define MAIL_CONF_FLAG_WARN_UNDEF (1 << 0)

extern int mail_conf_flags;

extern void mail_conf_set_dir(const char *dir);
extern const char *mail_conf_dir(void);
extern const char *mail_conf_file(void);
extern void mail_conf_read(void);
extern const char *mail_conf_lookup(const char *name);
extern const char *mail_conf_eval(const char *name);
extern const char *mail_conf_expand(const char *text);
extern void mail_conf_update(const char *name, const char *value);

extern int mail_conf_read_file(const char *path);
extern int mail_conf_parse(const char *text, size_t len, const char *origin, VSTRING *why);
extern void mail_conf_reset(void);
extern int mail_conf_lineno(const char *name);
extern ARGV *mail_conf_names(void);
extern int mail_conf_expand_text(VSTRING *out, const char *text, VSTRING *why);
extern int mail_conf_used(const char *name);
extern int mail_conf_dir_allowed(const char *dir);
extern const char *mail_conf_eval_quiet(const char *name);

#endif
