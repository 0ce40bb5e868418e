/*
 * mail_addr_host - syntax checks for host names and address literals.
 *
 * These decide whether text from the network (HELO names, domains in
 * addresses, DNS answers, master.cf/main.cf host lists) is a well-formed
 * host name or address; they never look anything up.
 *
 * mail_addr_valid_hostname(name, flags)
 *     Postfix's rules: 1..255 bytes; labels separated by single dots, no
 *     empty label (so no leading, trailing or double dot); each label 1..63
 *     characters from letters, digits, '-' and '_', not starting or ending
 *     with '-'; the name must not be all digits and dots ("123",
 *     "1.2.3.4": an address is not a host name), but a numeric label,
 *     also the last one, is fine ("a.1", as Postfix's smtpd accepts in
 *     HELO).  With MAIL_ADDR_FLAG_WILDCARD a leading "*." is allowed.
 * mail_addr_valid_hostaddr(addr, flags)
 *     An IPv4 or IPv6 address (IPv6 when it contains ':').
 * mail_addr_valid_ipv4(addr, flags)
 *     Dotted quad, exactly four decimal octets of 1..3 digits, each <= 255;
 *     the first octet must not be 0.
 * mail_addr_valid_ipv6(addr, flags)
 *     RFC 4291 text form: up to eight groups of 1..4 hex digits, at most
 *     one "::", optionally ending in a dotted quad (::ffff:1.2.3.4); no
 *     zone index ("%eth0"), at most 45 characters.
 * mail_addr_valid_mailhost_addr(addr, flags)
 *     The inside of an address literal: an IPv4 address, or "IPv6:" (any
 *     case) followed by an IPv6 address.
 * mail_addr_valid_mailhost_literal(literal, flags)
 *     "[" mailhost_addr "]", e.g. [192.0.2.1], [IPv6:2001:db8::1].
 *
 * All return 1 when valid, 0 when not.  With MAIL_ADDR_FLAG_GRIPE the
 * reason is logged with msg_warn() (input text truncated to 100 bytes and
 * with non-printable bytes shown as '?').
 */
#ifndef POSTERN_MAIL_ADDR_HOST_H
#define POSTERN_MAIL_ADDR_HOST_H

#define MAIL_ADDR_FLAG_NONE 0
#define MAIL_ADDR_FLAG_GRIPE (1 << 0)
#define MAIL_ADDR_FLAG_WILDCARD (1 << 1)

#define MAIL_ADDR_HOSTNAME_MAX 255
#define MAIL_ADDR_LABEL_MAX 63
#define MAIL_ADDR_IPV6_MAX 45

extern int mail_addr_valid_hostname(const char *name, int flags);
extern int mail_addr_valid_hostaddr(const char *addr, int flags);
extern int mail_addr_valid_ipv4(const char *addr, int flags);
extern int mail_addr_valid_ipv6(const char *addr, int flags);
extern int mail_addr_valid_mailhost_addr(const char *addr, int flags);
extern int mail_addr_valid_mailhost_literal(const char *literal, int flags);

#endif
