/*
 * smtpd_peer - establish who the SMTP client is.
 *
 *   smtpd_peer_init(state)
 *       Fills state->addr, rfc_addr, port, reverse_name, name and namaddr
 *       from the client socket.  The name is the PTR name when looking it
 *       up forward gives the client's address back (forward-confirmed),
 *       else "unknown"; reverse_name is the PTR name alone.  When the
 *       client stream is not a socket (stand-alone mode, sendmail -bs) the
 *       client is "localhost[127.0.0.1]", as with Postfix.
 *   smtpd_peer_reset(state)
 *       frees what smtpd_peer_init() allocated.
 *
 * Lookups go through the system resolver (getnameinfo/getaddrinfo), which
 * reads /etc/hosts and resolv.conf as configured.  What can go wrong: a
 * temporary DNS failure gives SMTPD_PEER_TEMP (restrictions defer); a name
 * that does not resolve back is logged as Postfix does ("hostname X does
 * not resolve to address A").
 */
#include <netdb.h>
#include <stdio.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include "msg.h"
#include "mymalloc.h"
#include "smtpd.h"
#include "stringops.h"

static int smtpd_peer_same(const struct sockaddr *a, const struct sockaddr *b)
{
    if (a->sa_family != b->sa_family)
        return 0;
    if (a->sa_family == AF_INET)
        return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
                      &((const struct sockaddr_in *)b)->sin_addr, sizeof(struct in_addr)) == 0;
    if (a->sa_family == AF_INET6)
        return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
                      &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr)) == 0;
    return 0;
}

static void smtpd_peer_set_namaddr(SMTPD_STATE *state)
{
    size_t len = strlen(state->name) + strlen(state->addr) + 3;

    state->namaddr = mymalloc(len);
    snprintf(state->namaddr, len, "%s[%s]", state->name, state->addr);
}

void smtpd_peer_init(SMTPD_STATE *state)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    char host[NI_MAXHOST];
    char serv[NI_MAXSERV];
    int err;

    state->name_status = state->reverse_name_status = SMTPD_PEER_OK;
    if (state->standalone
        || getpeername(vstream_fileno(state->client), (struct sockaddr *)&ss, &len) < 0
        || (ss.ss_family != AF_INET && ss.ss_family != AF_INET6)) {
        state->addr = mystrdup("127.0.0.1");
        state->rfc_addr = mystrdup("127.0.0.1");
        state->port = mystrdup("0");
        state->name = mystrdup("localhost");
        state->reverse_name = mystrdup("localhost");
        smtpd_peer_set_namaddr(state);
        return;
    }
    /* An IPv4-mapped IPv6 address is logged as IPv4, like Postfix. */
    if (ss.ss_family == AF_INET6
        && IN6_IS_ADDR_V4MAPPED(&((struct sockaddr_in6 *)&ss)->sin6_addr)) {
        struct sockaddr_in sin;

        memset(&sin, 0, sizeof(sin));
        sin.sin_family = AF_INET;
        sin.sin_port = ((struct sockaddr_in6 *)&ss)->sin6_port;
        memcpy(&sin.sin_addr, ((struct sockaddr_in6 *)&ss)->sin6_addr.s6_addr + 12, 4);
        memcpy(&ss, &sin, sizeof(sin));
        len = sizeof(sin);
    }
    if ((err = getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), serv, sizeof(serv),
                           NI_NUMERICHOST | NI_NUMERICSERV)) != 0)
        msg_fatal("getnameinfo: %s", gai_strerror(err));
    state->addr = mystrdup(host);
    state->port = mystrdup(serv);
    if (ss.ss_family == AF_INET6) {
        size_t n = strlen(host) + 6;

        state->rfc_addr = mymalloc(n);
        snprintf(state->rfc_addr, n, "IPv6:%s", host);
    } else {
        state->rfc_addr = mystrdup(host);
    }

    /* Reverse, then forward confirmation. */
    err = getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), 0, 0, NI_NAMEREQD);
    if (err != 0) {
        state->reverse_name = mystrdup("unknown");
        state->name = mystrdup("unknown");
        state->name_status = state->reverse_name_status =
            (err == EAI_AGAIN) ? SMTPD_PEER_TEMP : SMTPD_PEER_PERM;
    } else {
        struct addrinfo hints;
        struct addrinfo *res = 0;
        struct addrinfo *ai;
        int found = 0;

        state->reverse_name = mystrdup(host);
        memset(&hints, 0, sizeof(hints));
        hints.ai_family = ss.ss_family;
        hints.ai_socktype = SOCK_STREAM;
        err = getaddrinfo(host, 0, &hints, &res);
        if (err == 0) {
            for (ai = res; ai && !found; ai = ai->ai_next)
                found = smtpd_peer_same(ai->ai_addr, (struct sockaddr *)&ss);
            freeaddrinfo(res);
        }
        if (found) {
            state->name = mystrdup(host);
        } else {
            if (err != 0)
                msg_warn("hostname %s does not resolve to address %s: %s", host, state->addr,
                         gai_strerror(err));
            else
                msg_warn("hostname %s does not resolve to address %s", host, state->addr);
            state->name = mystrdup("unknown");
            state->name_status = (err == EAI_AGAIN) ? SMTPD_PEER_TEMP : SMTPD_PEER_PERM;
        }
    }
    smtpd_peer_set_namaddr(state);
}

void smtpd_peer_reset(SMTPD_STATE *state)
{
    myfree(state->addr);
    myfree(state->rfc_addr);
    myfree(state->port);
    myfree(state->name);
    myfree(state->reverse_name);
    myfree(state->namaddr);
}
