/*
 * dns_lookup - a small DNS resolver client (MX, A, AAAA) on libresolv.
 *
 * The contract is in dns_lookup.h.  Queries go through res_query(), which
 * handles retries, server rotation and the fallback to TCP for truncated
 * replies; the verdict comes from h_errno when res_query() fails (it then
 * tells NXDOMAIN/NODATA from SERVFAIL/timeouts), and from our own walk of
 * the answer section when it succeeds.
 *
 * Parsing uses ns_initparse()/ns_parserr() (which bounds-check every
 * record against the message end) and dn_expand(), bounded here by the
 * record's own rdata length, so a name cannot run into the next record.
 *
 * What can go wrong: see dns_lookup.h.  A reply that does not parse is
 * DNS_INVAL, never DNS_NOTFOUND: "could not read the answer" is not "no".
 */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <string.h>

#include "dns_lookup.h"
#include "mymalloc.h"
#include "vstring.h"

static void dns_why(VSTRING *why, const char *name, unsigned type, const char *text)
{
    if (why)
        vstring_sprintf(why, "%s/%s: %s", name,
                        type == DNS_T_MX     ? "MX"
                        : type == DNS_T_A    ? "A"
                        : type == DNS_T_AAAA ? "AAAA"
                                             : "?",
                        text);
}

const char *dns_status_str(int status)
{
    switch (status) {
    case DNS_OK:
        return "found";
    case DNS_NOTFOUND:
        return "not found";
    case DNS_RETRY:
        return "temporary failure";
    case DNS_INVAL:
        return "invalid reply";
    default:
        return "unknown status";
    }
}

void dns_rr_free(DNS_RR *list)
{
    while (list) {
        DNS_RR *next = list->next;

        myfree(list->data);
        myfree(list);
        list = next;
    }
}

int dns_mx_is_null(const DNS_RR *list)
{
    return list && list->next == 0 && list->type == DNS_T_MX && list->data[0] == 0;
}

/* dns_parse_one - one answer record of the wanted type; 0 if malformed */
static DNS_RR *dns_parse_one(ns_msg *handle, ns_rr *rr, unsigned type)
{
    const unsigned char *rdata = ns_rr_rdata(*rr);
    size_t rdlen = ns_rr_rdlen(*rr);
    DNS_RR *out;
    char buf[NS_MAXDNAME > INET6_ADDRSTRLEN ? NS_MAXDNAME : INET6_ADDRSTRLEN];
    int n;

    out = mycalloc(1, sizeof(*out));
    out->type = type;
    out->ttl = ns_rr_ttl(*rr);
    switch (type) {
    case DNS_T_MX:
        if (rdlen < 3)
            goto bad;
        out->pref = (unsigned)rdata[0] << 8 | rdata[1];
        /* dn_expand may follow pointers anywhere in the message, but the
           name's own bytes must end inside this record's rdata. */
        n = dn_expand(ns_msg_base(*handle), ns_msg_end(*handle), rdata + 2, buf, sizeof(buf));
        if (n < 0 || (size_t)n != rdlen - 2)
            goto bad;
        if (strcmp(buf, ".") == 0)
            buf[0] = 0;
        out->data = mystrdup(buf);
        break;
    case DNS_T_A:
    case DNS_T_AAAA:
        out->addr_len = type == DNS_T_A ? 4 : 16;
        if (rdlen != out->addr_len)
            goto bad;
        memcpy(out->addr, rdata, rdlen);
        if (inet_ntop(type == DNS_T_A ? AF_INET : AF_INET6, out->addr, buf, sizeof(buf)) == 0)
            goto bad;
        out->data = mystrdup(buf);
        break;
    default:
        goto bad;
    }
    return out;

bad:
    myfree(out->data);
    myfree(out);
    return 0;
}

int dns_parse_reply(const unsigned char *msg, size_t len, unsigned type, DNS_RR **list,
                    VSTRING *why)
{
    ns_msg handle;
    ns_rr rr;
    DNS_RR *head = 0, **tail = &head;
    int count;

    if (list)
        *list = 0;
    if (type != DNS_T_MX && type != DNS_T_A && type != DNS_T_AAAA) {
        dns_why(why, "(reply)", type, "unsupported record type");
        return DNS_INVAL;
    }
    if (len > DNS_MAX_REPLY || ns_initparse(msg, (int)len, &handle) < 0) {
        dns_why(why, "(reply)", type, "malformed DNS reply");
        return DNS_INVAL;
    }
    switch (ns_msg_getflag(handle, ns_f_rcode)) {
    case ns_r_noerror:
        break;
    case ns_r_nxdomain:
        dns_why(why, "(reply)", type, "host not found");
        return DNS_NOTFOUND;
    case ns_r_servfail:
        dns_why(why, "(reply)", type, "server failure");
        return DNS_RETRY;
    default:
        dns_why(why, "(reply)", type, "non-recoverable error");
        return DNS_INVAL;
    }
    count = ns_msg_count(handle, ns_s_an);
    for (int i = 0; i < count; i++) {
        DNS_RR *one;

        if (ns_parserr(&handle, ns_s_an, i, &rr) < 0) {
            dns_rr_free(head);
            dns_why(why, "(reply)", type, "malformed DNS reply");
            return DNS_INVAL;
        }
        if (ns_rr_class(rr) != ns_c_in || ns_rr_type(rr) != type)
            continue; /* CNAME, or RRSIG and the like */
        if ((one = dns_parse_one(&handle, &rr, type)) == 0) {
            dns_rr_free(head);
            dns_why(why, "(reply)", type, "malformed resource record");
            return DNS_INVAL;
        }
        *tail = one;
        tail = &one->next;
    }
    if (head == 0) {
        dns_why(why, "(reply)", type, "no records of this type");
        return DNS_NOTFOUND;
    }
    if (list)
        *list = head;
    else
        dns_rr_free(head);
    return DNS_OK;
}

int dns_lookup(const char *name, unsigned type, DNS_RR **list, VSTRING *why)
{
    static unsigned char *answer;
    static int initialised;
    int len;
    int status;
    size_t nlen = strlen(name);
    unsigned long saved_options;

    if (list)
        *list = 0;
    if (nlen == 0 || nlen > NS_MAXDNAME - 2 || strspn(name, ".") == nlen) {
        dns_why(why, name, type, "bad domain name");
        return DNS_INVAL;
    }
    if (!initialised) {
        if (res_init() < 0) {
            dns_why(why, name, type, "cannot initialise the resolver");
            return DNS_RETRY;
        }
        initialised = 1;
    }
    if (answer == 0)
        answer = mymalloc(DNS_MAX_REPLY);
    /* An absolute name: the search list must not turn "nx.test" into
       "nx.test.example.com" and find it. */
    saved_options = _res.options;
    _res.options &= ~(RES_DEFNAMES | RES_DNSRCH);
    h_errno = 0;
    len = res_query(name, ns_c_in, (int)type, answer, DNS_MAX_REPLY);
    _res.options = saved_options; /* getaddrinfo() in this process shares it */
    if (len < 0) {
        switch (h_errno) {
        case HOST_NOT_FOUND:
            dns_why(why, name, type, "host not found");
            return DNS_NOTFOUND;
        case NO_DATA:
            dns_why(why, name, type, "no records of this type");
            return DNS_NOTFOUND;
        case NO_RECOVERY:
            dns_why(why, name, type, "non-recoverable error");
            return DNS_INVAL;
        case TRY_AGAIN:
        default: /* NETDB_INTERNAL: no server, timeout, socket errors */
            dns_why(why, name, type, "temporary failure (server failure or timeout)");
            return DNS_RETRY;
        }
    }
    if (len > DNS_MAX_REPLY)
        len = DNS_MAX_REPLY; /* res_query reports the full size of a truncated answer */
    status = dns_parse_reply(answer, (size_t)len, type, list, why);
    if (status != DNS_OK && why) {
        VSTRING *tmp = vstring_alloc(100);

        vstring_strcpy(tmp, vstring_str(why));
        dns_why(why, name, type, strchr(vstring_str(tmp), ' ') + 1);
        vstring_free(tmp);
    }
    return status;
}

int dns_lookup_any(const char *name, const unsigned *types, size_t ntypes, DNS_RR **list,
                   VSTRING *why)
{
    int worst = DNS_NOTFOUND;

    if (list)
        *list = 0;
    for (size_t i = 0; i < ntypes; i++) {
        int status = dns_lookup(name, types[i], list, why);

        if (status == DNS_OK)
            return DNS_OK;
        if (status == DNS_RETRY || (status == DNS_INVAL && worst == DNS_NOTFOUND))
            worst = status;
    }
    return worst;
}
