/*
 * sock_addr - split "host:port" endpoint strings.
 *
 *   err = host_port_split(str, &host, &port)
 *
 accepts "host:port", "[address]:port" (IPv6 literals must be in
 * brackets), ":port" and "port" (host is then the empty string).  The port
 * may be a number (0-65535) or a service name.  host and port are new strings (myfree
 * them); on a syntax error the return value is a static text saying what is
 * wrong and nothing is allocated.
 *
 * Which of these an endpoint allows is up to the caller: inet_listen()
 * takes an empty host to mean every IPv4 interface, inet_connect() needs one.
 */
#ifndef POSTERN_SOCK_ADDR_H
#define POSTERN_SOCK_ADDR_H

extern const char *host_port_split(const char *str, char **host, char **port);

#endif
