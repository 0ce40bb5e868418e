/*
 * smtpd_xclient - the XCLIENT and XFORWARD commands, for proxies and
 * content filters that speak SMTP on behalf of another client.
 *
 *   smtpd_xclient(state, args, reply)
 *       XCLIENT attr=value ...: replace who the client is (NAME ADDR PORT
 *       PROTO HELO REVERSE_NAME LOGIN DESTADDR DESTPORT).  Returns 0 when
 *       the session now belongs to the new client (the caller sends a new
 *       220 greeting, as after a connect), else -1 with the SMTP reply in
 *       reply.
 *   smtpd_xforward(state, args, reply)
 *       XFORWARD attr=value ...: remember, for the next mail transaction,
 *       who the original client was (NAME ADDR PORT PROTO HELO IDENT
 *       SOURCE); the queue file's log attributes and the "client=" log
 *       line then name it.  Returns 0 ("250 2.0.0 Ok") or -1, reply set.
 *   smtpd_xforward_reset(state)
 *       forget XFORWARD attributes (end of a transaction, RSET, HELO).
 *
 * Only clients in smtpd_authorized_xclient_hosts /
 * smtpd_authorized_xforward_hosts may use them (checked at connect by
 * smtpd.c, and for XCLIENT again against the new identity, as Postfix
 * does); neither is allowed inside a mail transaction.  Values are xtext
 * (RFC 3461); "[UNAVAILABLE]" and "[TEMPUNAVAIL]" mean unknown.  Replies
 * and their order were checked against Postfix 3.7.
 *
 * What can go wrong: every value is outside input from a trusted proxy,
 * still checked (host name and address syntax, port range, printable text)
 * before it replaces anything; a bad command changes nothing.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "msg.h"
#include "mymalloc.h"
#include "smtpd.h"
#include "smtpd_addr.h"
#include "smtpd_check.h"
#include "smtpd_xclient.h"
#include "stringops.h"

#define XC_UNAVAILABLE "[UNAVAILABLE]"
#define XC_TEMPUNAVAIL "[TEMPUNAVAIL]"

/* smtpd_xclient_addr - "1.2.3.4" or "IPV6:..." to printable form, or null */
static char *smtpd_xclient_addr(const char *value)
{
    unsigned char buf[16];

    if (strncasecmp(value, "IPV6:", 5) == 0) {
        if (inet_pton(AF_INET6, value + 5, buf) == 1)
            return mystrdup(value + 5);
        return 0;
    }
    if (inet_pton(AF_INET, value, buf) == 1)
        return mystrdup(value);
    return 0;
}

static int smtpd_xclient_port_ok(const char *value)
{
    char *end;
    long port;

    if (!isdigit((unsigned char)*value))
        return 0;
    port = strtol(value, &end, 10);
    return *end == 0 && port >= 0 && port <= 65535;
}

static int smtpd_xclient_text_ok(const char *value)
{
    if (*value == 0 || strlen(value) > 255)
        return 0;
    for (const unsigned char *cp = (const unsigned char *)value; *cp; cp++)
        if (*cp <= ' ' || *cp >= 0x7f)
            return 0;
    return 1;
}

/* What one XCLIENT/XFORWARD command asks for, before it is applied. */
typedef struct {
    char *name, *addr, *port, *proto, *helo, *ident, *source;
    int name_status;
    int name_set, addr_set, port_set, proto_set, helo_set, ident_set, source_set;
} SMTPD_XATTR;

static void smtpd_xattr_free(SMTPD_XATTR *x)
{
    myfree(x->name);
    myfree(x->addr);
    myfree(x->port);
    myfree(x->proto);
    myfree(x->helo);
    myfree(x->ident);
    myfree(x->source);
}

/*
 * smtpd_xattr_parse - the attr=value list shared by both commands; names
 * is the list the command accepts (space separated).  0 or -1 (reply set).
 */
static int smtpd_xattr_parse(const char *verb, const char *names, char *args, SMTPD_XATTR *x,
                             VSTRING *reply)
{
    VSTRING *value = vstring_alloc(100);
    char *word;
    int rc = 0;

    memset(x, 0, sizeof(*x));
    while (rc == 0 && (word = mystrtok(&args, " \t")) != 0) {
        char *eq = strchr(word, '=');
        const char *v;
        int known = 0;
        int unknown_value;

        if (eq)
            *eq = 0;
        for (const char *cp = names; eq && *word && *cp && !known;
             cp += strcspn(cp, " "), cp += strspn(cp, " ")) {
            size_t len = strcspn(cp, " ");

            known = len == strlen(word) && strncasecmp(cp, word, len) == 0;
        }
        if (!known) {
            vstring_sprintf(reply, "501 5.5.4 Bad %s attribute name: %s", verb, word);
            rc = -1;
            break;
        }
        if (smtpd_addr_xtext_decode(eq + 1, value) == 0) {
            vstring_sprintf(reply, "501 5.5.4 Bad %s syntax: %s", uppercase(word), eq + 1);
            rc = -1;
            break;
        }
        v = vstring_str(value);
        unknown_value = strcasecmp(v, XC_UNAVAILABLE) == 0 || strcasecmp(v, XC_TEMPUNAVAIL) == 0;
        uppercase(word);
#define BAD() (vstring_sprintf(reply, "501 5.5.4 Bad %s syntax: %s", word, v), rc = -1)
        if (strcmp(word, "NAME") == 0) {
            myfree(x->name);
            x->name = 0;
            x->name_set = 1;
            x->name_status = SMTPD_PEER_OK;
            if (unknown_value)
                x->name_status =
                    strcasecmp(v, XC_TEMPUNAVAIL) == 0 ? SMTPD_PEER_TEMP : SMTPD_PEER_PERM;
            else if (smtpd_addr_valid_hostname(v))
                x->name = mystrdup(v);
            else
                BAD();
        } else if (strcmp(word, "ADDR") == 0) {
            myfree(x->addr);
            x->addr = 0;
            x->addr_set = 1;
            if (!unknown_value && (x->addr = smtpd_xclient_addr(v)) == 0)
                BAD();
        } else if (strcmp(word, "PORT") == 0) {
            myfree(x->port);
            x->port = 0;
            x->port_set = 1;
            if (!unknown_value && !smtpd_xclient_port_ok(v))
                BAD();
            else if (!unknown_value)
                x->port = mystrdup(v);
        } else if (strcmp(word, "PROTO") == 0) {
            myfree(x->proto);
            x->proto = 0;
            x->proto_set = 1;
            if (!unknown_value && !smtpd_xclient_text_ok(v))
                BAD();
            else if (!unknown_value)
                x->proto = mystrdup(v);
        } else if (strcmp(word, "HELO") == 0) {
            myfree(x->helo);
            x->helo = 0;
            x->helo_set = 1;
            if (!unknown_value && !smtpd_xclient_text_ok(v))
                BAD();
            else if (!unknown_value)
                x->helo = mystrdup(v);
        } else if (strcmp(word, "IDENT") == 0) {
            myfree(x->ident);
            x->ident = 0;
            x->ident_set = 1;
            if (!unknown_value && !smtpd_xclient_text_ok(v))
                BAD();
            else if (!unknown_value)
                x->ident = mystrdup(v);
        } else if (strcmp(word, "SOURCE") == 0) {
            myfree(x->source);
            x->source = 0;
            x->source_set = 1;
            if (!unknown_value && strcasecmp(v, "LOCAL") != 0 && strcasecmp(v, "REMOTE") != 0)
                BAD();
            else if (!unknown_value)
                x->source = mystrdup(uppercase(vstring_str(value)));
        } else {
            /* REVERSE_NAME, LOGIN, DESTADDR, DESTPORT: accepted; Postern has
             * no use for them yet (no SASL, one listener address). */
        }
#undef BAD
    }
    vstring_free(value);
    if (rc < 0)
        smtpd_xattr_free(x);
    return rc;
}

static char *smtpd_xclient_join(const char *a, const char *b, const char *c, const char *d)
{
    VSTRING *s = vstring_alloc(100);

    vstring_sprintf(s, "%s%s%s%s", a, b, c, d);
    return vstring_export(s);
}

int smtpd_xclient(SMTPD_STATE *state, char *args, VSTRING *reply)
{
    SMTPD_XATTR x;

    if (*skipblanks(args) == 0) {
        vstring_strcpy(reply, "501 5.5.4 Syntax: XCLIENT attribute=value...");
        return -1;
    }
    if (state->sender) {
        vstring_strcpy(reply, "503 5.5.1 Error: MAIL transaction in progress");
        return -1;
    }
    if (!state->xclient_ok) {
        vstring_strcpy(reply, "550 5.7.0 Error: insufficient authorization");
        return -1;
    }
    if (smtpd_xattr_parse("XCLIENT",
                          "NAME ADDR PORT PROTO HELO REVERSE_NAME LOGIN DESTADDR "
                          "DESTPORT",
                          args, &x, reply) < 0)
        return -1;
    /* The new client replaces the old one as if it had just connected. */
    if (x.addr_set) {
        myfree(state->addr);
        myfree(state->rfc_addr);
        state->addr = mystrdup(x.addr ? x.addr : "unknown");
        if (x.addr && strchr(x.addr, ':'))
            state->rfc_addr = smtpd_xclient_join("IPv6:", x.addr, "", "");
        else
            state->rfc_addr = mystrdup(state->addr);
    }
    if (x.name_set) {
        myfree(state->name);
        myfree(state->reverse_name);
        state->name = mystrdup(x.name ? x.name : "unknown");
        state->reverse_name = mystrdup(state->name);
        state->name_status = state->reverse_name_status = x.name_status;
    }
    if (x.port_set) {
        myfree(state->port);
        state->port = mystrdup(x.port ? x.port : "unknown");
    }
    if (x.helo_set) {
        myfree(state->helo_name);
        state->helo_name = x.helo ? mystrdup(x.helo) : 0;
    }
    if (x.proto_set && x.proto)
        state->protocol = strcasecmp(x.proto, "ESMTP") == 0 ? "ESMTP" : "SMTP";
    myfree(state->namaddr);
    state->namaddr = smtpd_xclient_join(state->name, "[", state->addr, "]");
    state->is_mynetworks = smtpd_check_mynetworks(state);
    state->xclient_ok = smtpd_check_xclient_host(state);
    smtpd_xforward_reset(state);
    smtpd_xattr_free(&x);
    return 0;
}

void smtpd_xforward_reset(SMTPD_STATE *state)
{
    myfree(state->fwd_name);
    myfree(state->fwd_addr);
    myfree(state->fwd_port);
    myfree(state->fwd_proto);
    myfree(state->fwd_helo);
    myfree(state->fwd_ident);
    myfree(state->fwd_source);
    state->fwd_name = state->fwd_addr = state->fwd_port = state->fwd_proto = 0;
    state->fwd_helo = state->fwd_ident = state->fwd_source = 0;
    state->fwd_set = 0;
}

int smtpd_xforward(SMTPD_STATE *state, char *args, VSTRING *reply)
{
    SMTPD_XATTR x;

    if (*skipblanks(args) == 0) {
        vstring_strcpy(reply, "501 5.5.4 Syntax: XFORWARD attribute=value...");
        return -1;
    }
    if (state->sender) {
        vstring_strcpy(reply, "503 5.5.1 Error: MAIL transaction in progress");
        return -1;
    }
    if (!state->xforward_ok) {
        vstring_strcpy(reply, "550 5.7.0 Error: insufficient authorization");
        return -1;
    }
    if (smtpd_xattr_parse("XFORWARD", "NAME ADDR PORT PROTO HELO IDENT SOURCE", args, &x, reply) <
        0)
        return -1;
#define TAKE(set, field, val)                                                                      \
    if (set) {                                                                                     \
        myfree(state->field);                                                                      \
        state->field = (val);                                                                      \
        (val) = 0;                                                                                 \
    }
    TAKE(x.name_set, fwd_name, x.name);
    TAKE(x.addr_set, fwd_addr, x.addr);
    TAKE(x.port_set, fwd_port, x.port);
    TAKE(x.proto_set, fwd_proto, x.proto);
    TAKE(x.helo_set, fwd_helo, x.helo);
    TAKE(x.ident_set, fwd_ident, x.ident);
    TAKE(x.source_set, fwd_source, x.source);
#undef TAKE
    state->fwd_set = 1;
    smtpd_xattr_free(&x);
    vstring_strcpy(reply, "250 2.0.0 Ok");
    return 0;
}
