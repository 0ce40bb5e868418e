/*
 * mail_conf - read main.cf and answer parameter values.
 *
 * The configuration directory is, in order: the -c option of the command
 * (mail_conf_set_dir), $MAIL_CONFIG, then /etc/postfix.  mail_conf_read()
 * reads DIR/main.cf once (a missing main.cf is fatal, as in Postfix, with the
 * file name in the message); values are stored raw (unexpanded) and expanded
 * at use time: $name, ${name}, ${name?value}, ${name:value},
 * ${name?{a}:{b}}, with the registry's defaults for names main.cf does not
 * set (see mail_params.h for the registry and the var_* variables).
 *
 *   mail_conf_lookup(name)      raw value set in main.cf (or by -o / an
 *                               override), null if not set there
 *   mail_conf_eval(name)        the effective value, expanded; null for a
 *                               name that is neither set nor known
 *   mail_conf_expand(text)      expand $names in arbitrary text (result valid
 *                               until the next call)
 *   mail_conf_update(name, val) override for this process (master.cf -o)
 *   mail_conf_file(), mail_conf_dir()   what was read
 */
#ifndef POSTERN_MAIL_CONF_H
#define POSTERN_MAIL_CONF_H

extern void mail_conf_set_dir(const char *dir);
extern const char *mail_conf_dir(void);
extern const char *mail_conf_file(void);
extern void mail_conf_read(void);
extern const char *mail_conf_lookup(const char *name);
extern const char *mail_conf_eval(const char *name);
extern const char *mail_conf_expand(const char *text);
extern void mail_conf_update(const char *name, const char *value);

#endif
