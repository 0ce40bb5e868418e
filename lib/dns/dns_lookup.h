/*
 * dns_lookup - a small DNS resolver client (MX, A, AAAA) on libresolv.
 *
 * For:  the checks that need to know whether a name exists in the DNS
 *       (smtpd's reject_unknown_* restrictions) and, later, anything
 *       that needs MX records.  getaddrinfo() cannot tell "no such name"
 *       from "no answer right now" reliably, and knows nothing of MX.
 *
 * Interface:
 *   int dns_lookup(const char *name, unsigned type, DNS_RR **list, VSTRING *why)
 *       Query NAME (taken as absolute: no search list) for TYPE (DNS_T_MX,
 *       DNS_T_A or DNS_T_AAAA).  Returns DNS_OK with *list set to the
 *       records of that type (free with dns_rr_free; list may be 0 when
 *       the caller only wants the verdict), DNS_NOTFOUND when the name
 *       does not exist (NXDOMAIN) or has no record of that type (NODATA),
 *       DNS_RETRY for a temporary failure (SERVFAIL, timeout, no server),
 *       DNS_INVAL for a permanent non-answer (FORMERR, REFUSED, NOTIMP, a
 *       malformed reply, a bad name).  WHY (may be 0) gets a short reason.
 *   int dns_lookup_any(const char *name, const unsigned *types, size_t n,
 *                      DNS_RR **list, VSTRING *why)
 *       Look up each type in turn, stopping at the first DNS_OK.  Returns
 *       DNS_OK if any type has records, DNS_NOTFOUND only if every type is
 *       DNS_NOTFOUND, else DNS_RETRY (a temporary failure of any type that
 *       was tried) or DNS_INVAL.
 *   int dns_parse_reply(const unsigned char *msg, size_t len, unsigned type,
 *                       DNS_RR **list, VSTRING *why)
 *       The parser behind dns_lookup: the answer section of a reply
 *       message (as res_query returns it), records of TYPE and class IN
 *       only (CNAMEs are skipped; their targets' records are taken).  The
 *       header's rcode is honoured (NXDOMAIN -> DNS_NOTFOUND etc.).
 *       Every length is bounds-checked; outside input is safe here.
 *   int dns_mx_is_null(const DNS_RR *list)
 *       1 when the MX list is RFC 7505's null MX: exactly one MX whose
 *       exchanger is the root ("." -- stored as the empty string).
 *   void dns_rr_free(DNS_RR *list)
 *
 * A DNS_RR holds: type, ttl, pref (MX), data (MX exchanger without the
 * trailing dot, or the address in text form) and for A/AAAA the address
 * bytes (addr, addr_len 4 or 16).
 *
 * What can go wrong: the resolver state is process-wide (res_init); the
 * caller must not use it from several threads.  Long answers are read up
 * to DNS_MAX_REPLY bytes (a truncated UDP reply is retried over TCP by
 * libresolv itself).
 */
#ifndef POSTERN_DNS_LOOKUP_H
#define POSTERN_DNS_LOOKUP_H

#include <stddef.h>

#include "vstring.h"

#define DNS_T_A    1
#define DNS_T_MX   15
#define DNS_T_AAAA 28

#define DNS_OK       0
#define DNS_NOTFOUND 1
#define DNS_RETRY    2
#define DNS_INVAL    3

#define DNS_MAX_REPLY 65535

typedef struct DNS_RR {
    unsigned type;
    unsigned ttl;
    unsigned pref;          /* MX preference */
    char *data;             /* MX exchanger ("" for "."), or address text */
    unsigned char addr[16]; /* A/AAAA address bytes */
    size_t addr_len;
    struct DNS_RR *next;
} DNS_RR;

extern int dns_lookup(const char *name, unsigned type, DNS_RR **list, VSTRING *why);
extern int dns_lookup_any(const char *name, const unsigned *types, size_t ntypes, DNS_RR **list,
                          VSTRING *why);
extern int dns_parse_reply(const unsigned char *msg, size_t len, unsigned type, DNS_RR **list,
                           VSTRING *why);
extern int dns_mx_is_null(const DNS_RR *list);
extern void dns_rr_free(DNS_RR *list);
extern const char *dns_status_str(int status);

#endif
