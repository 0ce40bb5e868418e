#ifndef POSTERN_SMTPD_ADDR_H
#define POSTERN_SMTPD_ADDR_H

/*
 * smtpd_addr - parse what follows "MAIL FROM:" and "RCPT TO:" and the
 * ESMTP parameters behind it; everything here is outside input.
 *
 *   smtpd_addr_split(arg, strict, &addr, &params)
 *       arg is the text after the colon (modified in place).  Leading
 *       blanks are skipped; the address is <...> (quotes and backslash
 *       escapes may hide a '>') or, unless strict (strict_rfc821_envelopes),
 *       one bare word like "enrique".  What follows must be white space and
 *       NAME[=VALUE] parameters, stored in params (an ARGV the caller
 *       owns).  *addr points into arg, without the angle brackets.
 *       Returns SMTPD_ADDR_OK, SMTPD_ADDR_SYNTAX (no address, unbalanced
 *       brackets or quotes) or SMTPD_ADDR_BADCHAR (a control character or
 *       a bare '<', '>' or blank inside the address).
 *   smtpd_addr_internal(addr, out)
 *       The internal (unquoted) form of an external address: "\"a b\"@c"
 *       becomes "a b@c"; <> gives "".  Returns out.
 *   smtpd_addr_xtext_ok(value)
 *       1 when value is valid RFC 3461 xtext (ENVID, ORCPT), else 0.
 *   smtpd_addr_xtext_decode(value, out)
 *       decode +XX escapes; returns out, or null on bad xtext.
 *   smtpd_addr_notify(value)
 *       the DSN_NOTIFY_* mask for a NOTIFY= value, or -1 when it is bad
 *       (NEVER together with anything else is bad).
 *   smtpd_addr_fqdn(domain)
 *       1 when domain has a dot and looks like a host name or an address
 *       literal ("[1.2.3.4]"), else 0.
 *   smtpd_addr_valid_hostname(name)
 *       1 when name is a syntactically valid host name (labels of letters,
 *       digits and '-', at most 63 bytes each, 255 in all) or address
 *       literal, else 0.
 *
 * What can go wrong: nothing is fatal; every result is a code the caller
 * turns into Postfix's reply.
 */

#include "argv.h"
#include "vstring.h"

#define SMTPD_ADDR_OK      0
#define SMTPD_ADDR_SYNTAX  1
#define SMTPD_ADDR_BADCHAR 2

/* NOTIFY bits are dsn.h DSN_NOTIFY_*. */





extern int smtpd_addr_split(char *arg, int strict, char **addr, ARGV *params);
extern VSTRING *smtpd_addr_internal(const char *addr, VSTRING *out);
extern int smtpd_addr_xtext_ok(const char *value);
extern VSTRING *smtpd_addr_xtext_decode(const char *value, VSTRING *out);
extern int smtpd_addr_notify(const char *value);
extern int smtpd_addr_fqdn(const char *domain);
extern int smtpd_addr_valid_hostname(const char *name);

#endif
