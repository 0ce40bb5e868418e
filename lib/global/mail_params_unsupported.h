/*
 * mail_params_unsupported - the main.cf parameters that Postern knows (they
 * are in the registry, postconf shows them) but does not act on yet,
 * because the program or feature behind them is not there: the smtp and
 * lmtp clients (so relayhost), TLS, SASL, milters, postscreen, address
 * verification, anvil's client limits, the virtual delivery agent, the
 * policy service, content filters, and local's command/file/forward
 * delivery.  Saying so plainly beats letting an administrator believe a
 * setting works.
 *
 *   mail_param_unsupported(name)
 *       1 when Postern does not implement parameter name yet, else 0.
 *   mail_params_warn_unsupported()
 *       one warning per parameter that main.cf sets to a non-empty value
 *       although Postern does not implement it:
 *       "FILE: NAME is set, but Postern does not implement it yet"
 *       (postconf, and master at start and reload so the log shows it).
 *
 * Keep this list true: a feature that lands takes its names out of it
 * (mail_params_unsupported_test.c checks a few both ways).
 */
#ifndef POSTERN_MAIL_PARAMS_UNSUPPORTED_H
#define POSTERN_MAIL_PARAMS_UNSUPPORTED_H

extern int mail_param_unsupported(const char *name);
extern void mail_params_warn_unsupported(void);

#endif
