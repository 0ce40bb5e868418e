/*
 * tr_iface - is an IP address one of ours?  (user@[ip] is local mail when
 * ip is an address this MTA receives mail on.)
 *
 *   tr_iface_is_local(text)
 *       text is the inside of an address literal ("192.0.2.1",
 *       "IPv6:2001:db8::1", the "IPv6:" prefix in any case) or a bare
 *       numeric address (resolve_numeric_domain).  Returns 1 when it is
 *       one of the addresses of inet_interfaces or proxy_interfaces, 0
 *       when it is not or does not parse as an address.
 *   tr_iface_load()
 *       compute the lists now (the daemon does it before chroot, where
 *       getaddrinfo and getifaddrs still work); otherwise on first use.
 *   tr_iface_reset()
 *       forget the computed address lists (tests change the parameters).
 *
 * The lists are computed on first use and kept:
 *   inet_interfaces = all           every address of every interface
 *                                   (getifaddrs), of the families that
 *                                   inet_protocols allows
 *   inet_interfaces = loopback-only 127.0.0.1 and/or ::1
 *   otherwise, and proxy_interfaces names or addresses, [brackets]
 *   allowed; a name is looked up with getaddrinfo.
 * What can go wrong: a name that does not resolve is logged and skipped
 * (Postfix makes it fatal for inet_interfaces because smtpd cannot bind;
 * here it only means fewer literals count as local).
 */
#ifndef TR_IFACE_H
#define TR_IFACE_H

extern int tr_iface_is_local(const char *text);
extern void tr_iface_load(void);
extern void tr_iface_reset(void);

#endif
