/*
 * tr_iface - our own IP addresses; see tr_iface.h.
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "argv.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "tr_iface.h"

/* One address: family and 4 or 16 bytes. */
typedef struct TR_ADDR {
    int family;
    unsigned char bytes[16];
} TR_ADDR;

static TR_ADDR *tr_iface_addrs;
static size_t tr_iface_count;
static int tr_iface_ready;

static int tr_iface_want(int family)
{
    ARGV *protos = argv_split_list(var_inet_protocols);
    int want = 0;

    for (size_t i = 0; i < protos->argc; i++) {
        const char *p = protos->argv[i];

        if (strcasecmp(p, "all") == 0 || (family == AF_INET && strcasecmp(p, "ipv4") == 0) ||
            (family == AF_INET6 && strcasecmp(p, "ipv6") == 0))
            want = 1;
    }
    argv_free(protos);
    return want;
}

static void tr_iface_add(int family, const void *bytes)
{
    TR_ADDR *ap;

    tr_iface_addrs = myrealloc_array(tr_iface_addrs, tr_iface_count + 1, sizeof(TR_ADDR));
    ap = tr_iface_addrs + tr_iface_count++;
    memset(ap, 0, sizeof(*ap));
    ap->family = family;
    memcpy(ap->bytes, bytes, family == AF_INET ? 4 : 16);
}

static void tr_iface_add_sockaddr(const struct sockaddr *sa)
{
    if (sa == 0 || !tr_iface_want(sa->sa_family))
        return;
    if (sa->sa_family == AF_INET)
        tr_iface_add(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr);
    else if (sa->sa_family == AF_INET6)
        tr_iface_add(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr);
}

static void tr_iface_add_all(void)
{
    struct ifaddrs *list;

    if (getifaddrs(&list) < 0) {
        msg_warn("inet_interfaces = all: getifaddrs: %m");
        return;
    }
    for (struct ifaddrs *ifa = list; ifa; ifa = ifa->ifa_next)
        tr_iface_add_sockaddr(ifa->ifa_addr);
    freeifaddrs(list);
}

/* A name or address from inet_interfaces or proxy_interfaces. */
static void tr_iface_add_name(const char *param, const char *item)
{
    char *host = mystrdup(item);
    size_t len = strlen(host);
    struct addrinfo hints, *res;
    int err;

    if (len > 1 && host[0] == '[' && host[len - 1] == ']') {
        memmove(host, host + 1, len - 2);
        host[len - 2] = 0;
    }
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if ((err = getaddrinfo(host, 0, &hints, &res)) != 0) {
        msg_warn("%s: %s: %s", param, item, gai_strerror(err));
    } else {
        for (struct addrinfo *ai = res; ai; ai = ai->ai_next)
            tr_iface_add_sockaddr(ai->ai_addr);
        freeaddrinfo(res);
    }
    myfree(host);
}

static void tr_iface_init(void)
{
    ARGV *items = argv_split_list(var_inet_interfaces);

    for (size_t i = 0; i < items->argc; i++) {
        const char *item = items->argv[i];

        if (strcasecmp(item, "all") == 0) {
            tr_iface_add_all();
        } else if (strcasecmp(item, "loopback-only") == 0) {
            unsigned char v4[4] = {127, 0, 0, 1};

            if (tr_iface_want(AF_INET))
                tr_iface_add(AF_INET, v4);
            if (tr_iface_want(AF_INET6))
                tr_iface_add(AF_INET6, &in6addr_loopback);
        } else {
            tr_iface_add_name("inet_interfaces", item);
        }
    }
    argv_free(items);
    items = argv_split_list(var_proxy_interfaces);
    for (size_t i = 0; i < items->argc; i++)
        tr_iface_add_name("proxy_interfaces", items->argv[i]);
    argv_free(items);
    tr_iface_ready = 1;
}

int tr_iface_is_local(const char *text)
{
    unsigned char bytes[16];
    int family;

    if (strncasecmp(text, "IPv6:", 5) == 0) {
        family = AF_INET6;
        text += 5;
    } else {
        family = strchr(text, ':') ? AF_INET6 : AF_INET;
    }
    if (inet_pton(family, text, bytes) != 1)
        return 0;
    if (!tr_iface_ready)
        tr_iface_init();
    for (size_t i = 0; i < tr_iface_count; i++)
        if (tr_iface_addrs[i].family == family &&
            memcmp(tr_iface_addrs[i].bytes, bytes, family == AF_INET ? 4 : 16) == 0)
            return 1;
    return 0;
}

void tr_iface_load(void)
{
    if (!tr_iface_ready)
        tr_iface_init();
}

void tr_iface_reset(void)
{
    myfree(tr_iface_addrs);
    tr_iface_addrs = 0;
    tr_iface_count = 0;
    tr_iface_ready = 0;
}
