/*
 * smtpd_check - the access restriction lists of smtpd.
 *
 * Lists: smtpd_client_restrictions, smtpd_helo_restrictions,
 * smtpd_sender_restrictions, smtpd_relay_restrictions,
 * smtpd_recipient_restrictions, smtpd_data_restrictions,
 * smtpd_end_of_data_restrictions, smtpd_etrn_restrictions, and the classes
 * of smtpd_restriction_classes.  With smtpd_delay_reject (the default) the
 * client, helo and sender lists are evaluated at RCPT time, in that order,
 * then relay and recipient; each list ends at its first permit or reject.
 * After them the recipient must be known (smtpd_reject_unlisted_recipient:
 * local_recipient_maps, virtual_alias_maps, virtual_mailbox_maps,
 * relay_recipient_maps), with Postfix's replies; an address that
 * recipient_canonical_maps, canonical_maps or virtual_alias_maps map is
 * known whatever its class.  A table that cannot answer gives "451 4.3.0
 * <addr>: Temporary lookup failure".  Lists that cannot refuse an
 * unauthorised destination (see smtpd_has_required) are fatal at start.
 *
 * Relay decisions resolve the recipient with trivial-rewrite
 * (rewrite_clnt_internal "local", then resolve_clnt_query_from): the
 * address class says whether we are its final destination (local,
 * virtual alias, virtual mailbox), an authorised relay destination
 * (relay_domains), or neither; a routed address (user@a@b, percent hack,
 * bang path that trivial-rewrite did not resolve locally) is never an
 * authorised destination unless allow_untrusted_routing.
 *
 * reject_maps_rbl (with maps_rbl_domains) is reject_rbl_client over each
 * listed domain, after Postfix's deprecation warning.
 *
 * Every restriction name of the issue is known.  Those that need DNS lists,
 * policy servers, SASL, TLS or address verification are parsed and
 * reported once with a warning "... is not supported yet" and then skipped
 * (so they neither permit nor reject).  An unknown name is Postfix's
 * "warning: unknown smtpd restriction" and the request gets "451 4.3.5
 * Server configuration error".
 *
 * With state->access_off (sendmail -bs not run by mail_owner) every check
 * answers "go ahead" at once, without looking anything up, as Postfix's
 * stand-alone mode does.
 *
 * What can go wrong: a table that cannot answer gives "451 4.3.5 Server
 * configuration error" or a 4xx defer, never a permit.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "argv.h"
#include "cleanup_user.h"
#include "dict.h"
#include "dns_lookup.h"
#include "htable.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "rewrite_clnt.h"
#include "smtpd_addr.h"
#include "smtpd_check.h"
#include "input_transp.h"
#include "stringops.h"
#include "vstream.h"

/* ------------------------------------------------------------ net lists */

typedef struct SMTPD_NETENT {
    int negate;
    int kind; /* 'n' net, 'd' domain/host name, 't' table */
    int family;
    unsigned char addr[16];
    int bits;
    char *name;
    DICT *dict;
} SMTPD_NETENT;

struct SMTPD_NETLIST {
    SMTPD_NETENT *ents;
    size_t count;
    size_t size;
};

static void smtpd_netlist_add(SMTPD_NETLIST *list, const char *param, char *word, int depth)
{
    SMTPD_NETENT ent;
    char *slash;
    char *host = word;

    memset(&ent, 0, sizeof(ent));
    while (*host == '!') {
        ent.negate = !ent.negate;
        host++;
    }
    if (*host == '/' && depth < 5) {
        VSTREAM *fp = 0;
        VSTRING *line = vstring_alloc(100);
        int fd = open(host, 0);

        if (fd < 0 || (fp = vstream_fdopen(fd, VSTREAM_READ)) == 0)
            msg_fatal("%s: open %s: %m", param, host);
        while (vstream_get_line(fp, line, 4096, VSTREAM_LINE_STRIP) > 0) {
            char *cp = vstring_str(line);
            char *w;

            if (*skipblanks(cp) == '#')
                continue;
            while ((w = mystrtok(&cp, CHARS_COMMA_SP)) != 0)
                smtpd_netlist_add(list, param, w, depth + 1);
        }
        vstream_fclose(fp);
        vstring_free(line);
        return;
    }
    if (strchr(host, ':') && host[0] != '[' && strchr(host, '.') == 0 ? 0 : 0) {
        /* never */
    }
    if (host[0] != '[' && strchr(host, ':') && !isxdigit((unsigned char)host[0])) {
        ent.kind = 't';
    } else if (host[0] != '[' && strchr(host, ':') && isalpha((unsigned char)host[0]) &&
               strspn(host, "abcdefghijklmnopqrstuvwxyz") == (size_t)(strchr(host, ':') - host) &&
               dict_type_known(mystrndup(host, (size_t)(strchr(host, ':') - host)))) {
        ent.kind = 't';
    }
    if (ent.kind == 't') {
        ent.dict = dict_open(host, 0, DICT_FLAG_DEFAULT);
        if (dict_open_error(ent.dict))
            msg_warn("%s: %s", param, dict_errtext(ent.dict));
    } else {
        char buf[INET6_ADDRSTRLEN + 4];
        char *cp;

        snprintf(buf, sizeof(buf), "%s", host);
        cp = buf;
        slash = strchr(cp, '/');
        if (slash)
            *slash++ = 0;
        if (*cp == '[') {
            cp++;
            if ((slash ? strchr(cp, ']') : strrchr(cp, ']')) != 0)
                *strchr(cp, ']') = 0;
        }
        if (inet_pton(AF_INET, cp, ent.addr) == 1) {
            ent.family = AF_INET;
            ent.bits = 32;
        } else if (inet_pton(AF_INET6, cp, ent.addr) == 1) {
            ent.family = AF_INET6;
            ent.bits = 128;
        }
        if (ent.family) {
            ent.kind = 'n';
            if (slash) {
                unsigned long b;

                if (!safe_strtoul(slash, &b) || b > (unsigned long)ent.bits)
                    msg_fatal("%s: bad net/mask pattern: \"%s\"", param, host);
                ent.bits = (int)b;
            }
        } else {
            ent.kind = 'd';
            ent.name = lowercase(mystrdup(host));
        }
    }
    if (list->count == list->size) {
        list->size = list->size ? list->size * 2 : 8;
        list->ents = myrealloc_array(list->ents, list->size, sizeof(*list->ents));
    }
    list->ents[list->count++] = ent;
}

SMTPD_NETLIST *smtpd_netlist_parse(const char *param, const char *text)
{
    SMTPD_NETLIST *list = mycalloc(1, sizeof(*list));
    ARGV *words = argv_split_list(text);

    for (size_t i = 0; i < words->argc; i++)
        smtpd_netlist_add(list, param, words->argv[i], 0);
    argv_free(words);
    return list;
}

static int smtpd_net_match(const SMTPD_NETENT *e, int family, const unsigned char *a)
{
    int bits = e->bits;
    size_t i;

    if (family != e->family)
        return 0;
    for (i = 0; bits >= 8; i++, bits -= 8)
        if (a[i] != e->addr[i])
            return 0;
    if (bits > 0) {
        unsigned char mask = (unsigned char)(0xff << (8 - bits));

        if ((a[i] & mask) != (e->addr[i] & mask))
            return 0;
    }
    return 1;
}

int smtpd_netlist_match(SMTPD_NETLIST *list, const char *name, const char *addr)
{
    unsigned char a[16];
    int family = 0;

    if (list == 0)
        return 0;
    if (inet_pton(AF_INET, addr, a) == 1)
        family = AF_INET;
    else if (inet_pton(AF_INET6, addr, a) == 1)
        family = AF_INET6;
    for (size_t i = 0; i < list->count; i++) {
        SMTPD_NETENT *e = list->ents + i;
        int hit = 0;

        if (e->kind == 'n') {
            hit = family && smtpd_net_match(e, family, a);
        } else if (e->kind == 'd') {
            if (name && strcmp(name, "unknown") != 0) {
                size_t nl = strlen(name), el = strlen(e->name);
                const char *pat = e->name[0] == '.' ? e->name + 1 : e->name;

                hit = strcasecmp(name, pat) == 0 ||
                      (nl > strlen(pat) && name[nl - strlen(pat) - 1] == '.' &&
                       strcasecmp(name + nl - strlen(pat), pat) == 0);
                (void)el;
            }
        } else if (e->kind == 't' && e->dict) {
            const char *value;
            int st = dict_get(e->dict, addr, &value);

            if (st == DICT_STAT_NOTFOUND && name && strcmp(name, "unknown") != 0)
                st = dict_get(e->dict, name, &value);
            if (st == DICT_STAT_FAIL)
                return -1;
            hit = st == DICT_STAT_FOUND;
        }
        if (hit)
            return !e->negate;
    }
    return 0;
}

/* ------------------------------------------------------- restriction lists */

#define SMTPD_CHECK_DUNNO  0
#define SMTPD_CHECK_OK     1
#define SMTPD_CHECK_REJECT 2

/* Arguments a restriction takes from the list. */
typedef struct SMTPD_RESTRICTION {
    const char *name;
    int takes_arg;
    int supported;
} SMTPD_RESTRICTION;

static const SMTPD_RESTRICTION smtpd_restrictions[] = {
    {"permit", 0, 1},
    {"reject", 0, 1},
    {"defer", 0, 1},
    {"defer_if_permit", 0, 1},
    {"defer_if_reject", 0, 1},
    {"warn_if_reject", 0, 1},
    {"permit_mynetworks", 0, 1},
    {"permit_inet_interfaces", 0, 1},
    {"permit_auth_destination", 0, 1},
    {"reject_unauth_destination", 0, 1},
    {"defer_unauth_destination", 0, 1},
    {"reject_unauth_pipelining", 0, 1},
    {"reject_non_fqdn_helo_hostname", 0, 1},
    {"reject_non_fqdn_hostname", 0, 1},
    {"reject_non_fqdn_sender", 0, 1},
    {"reject_non_fqdn_recipient", 0, 1},
    {"reject_invalid_helo_hostname", 0, 1},
    {"reject_invalid_hostname", 0, 1},
    {"reject_unknown_helo_hostname", 0, 1},
    {"reject_unknown_hostname", 0, 1},
    {"reject_unknown_sender_domain", 0, 1},
    {"reject_unknown_recipient_domain", 0, 1},
    {"reject_unknown_client_hostname", 0, 1},
    {"reject_unknown_client", 0, 1},
    {"reject_unknown_reverse_client_hostname", 0, 1},
    {"reject_unlisted_sender", 0, 1},
    {"reject_unlisted_recipient", 0, 1},
    {"permit_sasl_authenticated", 0, 1},
    {"permit_tls_clientcerts", 0, 1},
    {"permit_tls_all_clientcerts", 0, 1},
    {"reject_plaintext_session", 0, 0},
    {"reject_unverified_sender", 0, 0},
    {"reject_unverified_recipient", 0, 0},
    {"reject_sender_login_mismatch", 0, 0},
    {"reject_authenticated_sender_login_mismatch", 0, 0},
    {"reject_known_sender_login_mismatch", 0, 0},
    {"reject_unauthenticated_sender_login_mismatch", 0, 0},
    {"reject_multi_recipient_bounce", 0, 1},
    {"permit_mx_backup", 0, 0},
    {"permit_naked_ip_address", 0, 1},
    {"reject_maps_rbl", 0, 1},
    {"check_client_access", 1, 1},
    {"check_reverse_client_hostname_access", 1, 1},
    {"check_helo_access", 1, 1},
    {"check_sender_access", 1, 1},
    {"check_recipient_access", 1, 1},
    {"check_etrn_access", 1, 1},
    {"check_ccert_access", 1, 0},
    {"check_sasl_access", 1, 0},
    {"check_client_a_access", 1, 0},
    {"check_client_mx_access", 1, 0},
    {"check_client_ns_access", 1, 0},
    {"check_helo_a_access", 1, 0},
    {"check_helo_mx_access", 1, 0},
    {"check_helo_ns_access", 1, 0},
    {"check_sender_a_access", 1, 0},
    {"check_sender_mx_access", 1, 0},
    {"check_sender_ns_access", 1, 0},
    {"check_recipient_a_access", 1, 0},
    {"check_recipient_mx_access", 1, 0},
    {"check_recipient_ns_access", 1, 0},
    {"check_reverse_client_hostname_a_access", 1, 0},
    {"check_reverse_client_hostname_mx_access", 1, 0},
    {"check_reverse_client_hostname_ns_access", 1, 0},
    {"check_policy_service", 1, 0},
    {"reject_rbl_client", 1, 0},
    {"reject_rhsbl_client", 1, 0},
    {"reject_rhsbl_reverse_client", 1, 0},
    {"reject_rhsbl_helo", 1, 0},
    {"reject_rhsbl_sender", 1, 0},
    {"reject_rhsbl_recipient", 1, 0},
    {"permit_dnswl_client", 1, 0},
    {"permit_rhswl_client", 1, 0},
    {"reject_rhsbl", 1, 0},
    {"sleep", 1, 1},
    {0, 0, 0},
};

static const SMTPD_RESTRICTION *smtpd_restriction_find(const char *name)
{
    for (const SMTPD_RESTRICTION *r = smtpd_restrictions; r->name; r++)
        if (strcasecmp(r->name, name) == 0)
            return r;
    return 0;
}

static HTABLE *smtpd_classes; /* class name -> ARGV * */
static HTABLE *smtpd_dicts;   /* type:name -> DICT * */
static HTABLE *smtpd_warned;  /* "not supported" warnings given */
static SMTPD_NETLIST *smtpd_mynetworks;
static SMTPD_NETLIST *smtpd_bare_lf_exclusions;
static SMTPD_NETLIST *smtpd_xclient_hosts;
static SMTPD_NETLIST *smtpd_xforward_hosts;
static ARGV *smtpd_list_client, *smtpd_list_helo, *smtpd_list_sender, *smtpd_list_relay,
    *smtpd_list_rcpt, *smtpd_list_data, *smtpd_list_eod, *smtpd_list_etrn;
static ARGV *smtpd_canon_maps, *smtpd_rcpt_canon_maps;
static ARGV *smtpd_local_rcpt_maps, *smtpd_virt_alias_maps, *smtpd_virt_mbox_maps,
    *smtpd_relay_rcpt_maps;

static DICT *smtpd_dict(const char *spec)
{
    DICT *d;

    /* proxy: tables go through proxymap (lib/dict/dict_proxy.c): smtpd may be chrooted. */
    if ((d = htable_find(smtpd_dicts, spec)) == 0) {
        d = dict_open(spec, 0, DICT_FLAG_DEFAULT);
        if (dict_open_error(d))
            msg_warn("%s", dict_errtext(d));
        htable_enter(smtpd_dicts, spec, d);
    }
    return d;
}

/* smtpd_check_validate - warn about unknown names at start-up */
static ARGV *smtpd_check_parse(const char *param, const char *value)
{
    ARGV *list = argv_split_list(value);

    for (size_t i = 0; i < list->argc; i++) {
        const SMTPD_RESTRICTION *r = smtpd_restriction_find(list->argv[i]);

        if (r == 0) {
            if (htable_find(smtpd_classes, list->argv[i]) == 0 && strchr(list->argv[i], ':') == 0)
                msg_warn("%s: unknown smtpd restriction: \"%s\"", param, list->argv[i]);
            continue;
        }
        if (r->takes_arg) {
            if (i + 1 >= list->argc)
                msg_fatal("restriction %s requires an argument", r->name);
            i++;
            if (strncmp(r->name, "check_", 6) == 0 && r->supported)
                (void)smtpd_dict(list->argv[i]);
        }
    }
    return list;
}

static ARGV *smtpd_maps(const char *text)
{
    ARGV *maps = argv_split_list(text);

    for (size_t i = 0; i < maps->argc; i++)
        (void)smtpd_dict(maps->argv[i]);
    return maps;
}

int smtpd_input_transp; /* receive_override_options (input_transp.h), set by smtpd.c */

/*
 * smtpd_has_required - the open relay safety net, as in Postfix: 1 when the
 * list (or a restriction class it names) holds a restriction that can say
 * no to an unauthorised destination.  "warn_if_reject X" makes X no such
 * restriction; nothing after "permit" counts (and gets a warning).
 */
static int smtpd_has_required(ARGV *list, int depth)
{
    static const char *const required[] = {
        "reject_unauth_destination", "defer_unauth_destination", "reject", "defer",
        "defer_if_permit", "check_relay_domains", 0,
    };
    ARGV *expansion;

    if (depth > 100) /* classes that name each other */
        return 0;
    for (size_t i = 0; i < list->argc; i++) {
        const char *name = list->argv[i];

        if (strcmp(name, "warn_if_reject") == 0 && i + 1 < list->argc) {
            i++;
            continue;
        }
        if (strcmp(name, "permit") == 0) {
            if (i + 1 < list->argc)
                msg_warn("restriction `%s' after `%s' is ignored", list->argv[i + 1], name);
            return 0;
        }
        for (const char *const *r = required; *r; r++)
            if (strcmp(name, *r) == 0)
                return 1;
        if ((expansion = htable_find(smtpd_classes, name)) != 0 &&
            smtpd_has_required(expansion, depth + 1))
            return 1;
    }
    return 0;
}

void smtpd_check_init(void)
{
    ARGV *names;

    smtpd_classes = htable_create(10);
    smtpd_dicts = htable_create(10);
    smtpd_warned = htable_create(10);
    names = argv_split_list(var_smtpd_restriction_classes);
    for (size_t i = 0; i < names->argc; i++) {
        const char *value = mail_conf_eval(names->argv[i]);

        if (value == 0)
            msg_fatal("restriction class `%s' needs a definition", names->argv[i]);
        htable_enter(smtpd_classes, names->argv[i], argv_split_list(value));
    }
    for (size_t i = 0; i < names->argc; i++)
        argv_free(smtpd_check_parse(names->argv[i], mail_conf_eval(names->argv[i])));
    argv_free(names);
    smtpd_mynetworks = smtpd_netlist_parse("mynetworks", var_mynetworks);
    smtpd_bare_lf_exclusions = smtpd_netlist_parse("smtpd_forbid_bare_newline_exclusions",
                                                   var_smtpd_forbid_bare_newline_exclusions);
    smtpd_xclient_hosts =
        smtpd_netlist_parse("smtpd_authorized_xclient_hosts", var_smtpd_authorized_xclient_hosts);
    smtpd_xforward_hosts =
        smtpd_netlist_parse("smtpd_authorized_xforward_hosts", var_smtpd_authorized_xforward_hosts);
    smtpd_list_client =
        smtpd_check_parse("smtpd_client_restrictions", var_smtpd_client_restrictions);
    smtpd_list_helo = smtpd_check_parse("smtpd_helo_restrictions", var_smtpd_helo_restrictions);
    smtpd_list_sender =
        smtpd_check_parse("smtpd_sender_restrictions", var_smtpd_sender_restrictions);
    smtpd_list_relay = smtpd_check_parse("smtpd_relay_restrictions", var_smtpd_relay_restrictions);
    smtpd_list_rcpt =
        smtpd_check_parse("smtpd_recipient_restrictions", var_smtpd_recipient_restrictions);
    smtpd_list_data = smtpd_check_parse("smtpd_data_restrictions", var_smtpd_data_restrictions);
    smtpd_list_eod =
        smtpd_check_parse("smtpd_end_of_data_restrictions", var_smtpd_end_of_data_restrictions);
    smtpd_list_etrn = smtpd_check_parse("smtpd_etrn_restrictions", var_smtpd_etrn_restrictions);
    if (!smtpd_has_required(smtpd_list_relay, 0) && !smtpd_has_required(smtpd_list_rcpt, 0))
        msg_fatal(
            "in parameter smtpd_relay_restrictions or smtpd_recipient_restrictions, specify "
            "at least one working instance of: reject_unauth_destination, "
            "defer_unauth_destination, reject, defer, defer_if_permit or check_relay_domains");
    smtpd_local_rcpt_maps = smtpd_maps(var_local_recipient_maps);
    smtpd_virt_alias_maps = smtpd_maps(var_virtual_alias_maps);
    smtpd_canon_maps = smtpd_maps(var_canonical_maps);
    smtpd_rcpt_canon_maps = smtpd_maps(var_recipient_canonical_maps);
    smtpd_virt_mbox_maps = smtpd_maps(var_virtual_mailbox_maps);
    smtpd_relay_rcpt_maps = smtpd_maps(var_relay_recipient_maps);
}

void smtpd_check_session_init(SMTPD_STATE *state)
{
}

int smtpd_check_mynetworks(SMTPD_STATE *state)
{
    return smtpd_netlist_match(smtpd_mynetworks, state->name, state->addr) > 0;
}

int smtpd_check_xclient_host(SMTPD_STATE *state)
{
    return smtpd_netlist_match(smtpd_xclient_hosts, state->name, state->addr) > 0;
}

int smtpd_check_xforward_host(SMTPD_STATE *state)
{
    return smtpd_netlist_match(smtpd_xforward_hosts, state->name, state->addr) > 0;
}

int smtpd_check_bare_lf_excluded(SMTPD_STATE *state)
{
    return smtpd_netlist_match(smtpd_bare_lf_exclusions, state->name, state->addr) > 0;
}

/* smtpd_check_inet_interface - the client address is one of ours */
static int smtpd_check_inet_interface(SMTPD_STATE *state)
{
    ARGV *ifs = argv_split_list(var_inet_interfaces);
    int hit = 0;

    for (size_t i = 0; i < ifs->argc && !hit; i++) {
        const char *w = ifs->argv[i];

        if (strcasecmp(w, "all") == 0) {
            struct ifaddrs *list, *ifa;
            char text[INET6_ADDRSTRLEN];

            if (getifaddrs(&list) == 0) {
                for (ifa = list; ifa && !hit; ifa = ifa->ifa_next) {
                    if (ifa->ifa_addr == 0)
                        continue;
                    if (ifa->ifa_addr->sa_family == AF_INET)
                        inet_ntop(AF_INET, &((struct sockaddr_in *)ifa->ifa_addr)->sin_addr, text,
                                  sizeof(text));
                    else if (ifa->ifa_addr->sa_family == AF_INET6)
                        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)ifa->ifa_addr)->sin6_addr,
                                  text, sizeof(text));
                    else
                        continue;
                    hit = strcasecmp(text, state->addr) == 0;
                }
                freeifaddrs(list);
            }
        } else if (strcasecmp(w, "loopback-only") == 0) {
            hit = strcmp(state->addr, "127.0.0.1") == 0 || strcmp(state->addr, "::1") == 0;
        } else {
            hit = strcasecmp(w, state->addr) == 0;
        }
    }
    argv_free(ifs);
    return hit;
}

int smtpd_check_local_header_client(SMTPD_STATE *state)
{
    ARGV *words = argv_split_list(var_local_header_rewrite_clients);
    int hit = 0;

    for (size_t i = 0; i < words->argc && !hit; i++) {
        const char *w = words->argv[i];

        if (strcasecmp(w, "permit_inet_interfaces") == 0)
            hit = state->standalone || smtpd_check_inet_interface(state);
        else if (strcasecmp(w, "permit_mynetworks") == 0)
            hit = state->is_mynetworks;
        else if (strcasecmp(w, "static:all") == 0)
            hit = 1;
        else if (strncasecmp(w, "check_address_map", 17) == 0 && i + 1 < words->argc) {
            const char *value;

            hit = dict_get(smtpd_dict(words->argv[++i]), state->addr, &value) == DICT_STAT_FOUND;
        }
    }
    argv_free(words);
    return hit;
}

/* --------------------------------------------------------- the evaluator */

typedef struct SMTPD_CTX {
    SMTPD_STATE *state;
    const char *helo;
    const char *sender;
    const char *rcpt;
    const char *etrn;
    VSTRING *reply;
    int defer_if_permit; /* pending defer_if_permit (reply in smtpd_dip_reply) */
    int defer_if_reject; /* pending defer_if_reject */
    int warn_if_reject;  /* the next restriction only warns */
    int depth;
} SMTPD_CTX;

static VSTRING *smtpd_check_reply;
static VSTRING *smtpd_dip_reply; /* the reply a pending defer_if_permit gives */

/* smtpd_ctx_reject - compose a reply; returns SMTPD_CHECK_REJECT */
static int __attribute__((format(printf, 4, 5)))
smtpd_ctx_reject(SMTPD_CTX *ctx, int code, const char *dsn, const char *fmt, ...)
{
    va_list ap;
    char dsnbuf[16];

    snprintf(dsnbuf, sizeof(dsnbuf), "%s", dsn);
    if (ctx->defer_if_reject && code / 100 == 5) {
        code = 450;
        dsnbuf[0] = '4';
    }
    if (code / 100 == 4)
        dsnbuf[0] = '4';
    else if (code / 100 == 5)
        dsnbuf[0] = '5';
    vstring_sprintf(ctx->reply, "%d %s ", code, dsnbuf);
    va_start(ap, fmt);
    vstring_vsprintf_append(ctx->reply, fmt, ap);
    va_end(ap);
    if (ctx->warn_if_reject) {
        ctx->warn_if_reject = 0;
        msg_info("NOQUEUE: reject_warning: %s from %s: %s", ctx->state->where, ctx->state->namaddr,
                 vstring_str(ctx->reply));
        return SMTPD_CHECK_DUNNO;
    }
    return SMTPD_CHECK_REJECT;
}

/*
 * smtpd_ctx_defer_if_permit - remember that the command is to be deferred
 * if nothing rejects it outright by the end of every restriction list (as
 * Postfix does: a later reject wins, a permit does not clear it).  The
 * reply is composed now, with the text of the restriction that asked.
 */
static int smtpd_ctx_defer_if_permit(SMTPD_CTX *ctx, int code, const char *dsn, const char *fmt,
                                     const char *a1, const char *a2, const char *a3)
{
    int warn = ctx->warn_if_reject;

    if (ctx->defer_if_permit)
        return SMTPD_CHECK_DUNNO;
    ctx->warn_if_reject = 0;
    (void)smtpd_ctx_reject(ctx, code, dsn, fmt, a1, a2, a3);
    ctx->warn_if_reject = warn;
    if (smtpd_dip_reply == 0)
        smtpd_dip_reply = vstring_alloc(100);
    vstring_strcpy(smtpd_dip_reply, vstring_str(ctx->reply));
    ctx->defer_if_permit = 1;
    return SMTPD_CHECK_DUNNO;
}

static void smtpd_not_supported(const char *name)
{
    if (htable_find(smtpd_warned, name) == 0) {
        htable_enter(smtpd_warned, name, (void *)1);
        msg_warn("restriction %s is not supported yet: skipped", name);
    }
}

/* smtpd_resolve - rewrite and resolve an address for relay decisions */
static int smtpd_resolve(SMTPD_CTX *ctx, const char *addr, RESOLVE_REPLY *reply)
{
    VSTRING *canon = vstring_alloc(100);

    rewrite_clnt_internal(REWRITE_LOCAL, addr, canon);
    resolve_clnt_query_from(ctx->sender ? ctx->sender : "", vstring_str(canon), reply);
    vstring_free(canon);
    return reply->flags;
}

static const char *smtpd_domain_of(const char *addr)
{
    const char *at = strrchr(addr, '@');

    return at ? at + 1 : "";
}

/* smtpd_auth_dest - 1: authorised destination, 0: not, -1: lookup failed */
static int smtpd_auth_dest(SMTPD_CTX *ctx, const char *rcpt)
{
    RESOLVE_REPLY reply;
    int flags;
    int rc;

    resolve_clnt_init(&reply);
    flags = smtpd_resolve(ctx, rcpt, &reply);
    if (flags & RESOLVE_FLAG_FAIL)
        rc = -1;
    else if ((flags & RESOLVE_FLAG_ROUTED) && !var_allow_untrusted_routing)
        rc = 0;
    else if (flags & (RESOLVE_CLASS_FINAL | RESOLVE_CLASS_RELAY))
        rc = 1;
    else
        rc = 0;
    resolve_clnt_free(&reply);
    return rc;
}

/*
 * The reject_unknown_* name checks (DNS through lib/dns).  An address
 * domain is unknown when it has no MX and no A/AAAA record; a HELO name
 * when it has no A/AAAA and no MX record.  A null MX (RFC 7505) rejects
 * an address domain at once, with the RFC's codes (550 5.7.27 for a
 * sender, 556 5.1.10 for a recipient) whatever unknown_address_reject_code
 * says, as Postfix 3.7 does; a HELO name with a null MX still exists.
 * A temporary DNS failure follows unknown_*_tempfail_action.
 * defer_if_permit as a tempfail action is pending: a later restriction
 * that rejects outright wins, as in Postfix.
 */
static int smtpd_unknown_tempfail(SMTPD_CTX *ctx, const char *action, const char *dsn,
                                  const char *fmt, const char *a1, const char *a2, const char *a3)
{
    if (strcasecmp(action, "defer_if_reject") == 0) {
        ctx->defer_if_reject = 1;
        return SMTPD_CHECK_DUNNO;
    }
    if (strcasecmp(action, "reject") == 0)
        return smtpd_ctx_reject(ctx, var_reject_code, dsn, fmt, a1, a2, a3);
    if (strcasecmp(action, "defer_if_permit") == 0)
        return smtpd_ctx_defer_if_permit(ctx, var_defer_code, dsn, fmt, a1, a2, a3);
    return smtpd_ctx_reject(ctx, var_defer_code, dsn, fmt, a1, a2, a3);
}

/* smtpd_dns_exists - DNS_OK / DNS_NOTFOUND / DNS_RETRY for MX or address records */
static int smtpd_dns_exists(const char *dom, int mx_first, int *null_mx)
{
    static const unsigned addr_types[] = {DNS_T_A, DNS_T_AAAA};
    VSTRING *why = vstring_alloc(100);
    DNS_RR *mx = 0;
    int mx_status;
    int addr_status;

    *null_mx = 0;
    if (!mx_first && dns_lookup_any(dom, addr_types, 2, 0, why) == DNS_OK) {
        vstring_free(why);
        return DNS_OK;
    }
    mx_status = dns_lookup(dom, DNS_T_MX, &mx, why);
    if (mx_status == DNS_OK) {
        *null_mx = dns_mx_is_null(mx);
        dns_rr_free(mx);
        vstring_free(why);
        return DNS_OK;
    }
    if (mx_status == DNS_RETRY && msg_verbose)
        msg_info("%s", vstring_str(why));
    addr_status = mx_first ? dns_lookup_any(dom, addr_types, 2, 0, why) : DNS_NOTFOUND;
    if (addr_status == DNS_RETRY && msg_verbose)
        msg_info("%s", vstring_str(why));
    vstring_free(why);
    if (addr_status == DNS_OK)
        return DNS_OK;
    if (mx_status == DNS_RETRY || addr_status == DNS_RETRY)
        return DNS_RETRY;
    return DNS_NOTFOUND; /* NXDOMAIN, NODATA, or a reply that says nothing usable */
}

/* smtpd_check_unknown_host - reject_unknown_helo_hostname */
static int smtpd_check_unknown_host(SMTPD_CTX *ctx, const char *helo)
{
    static const char fmt[] = "<%s>: %s rejected: %s";
    int null_mx;
    int st;

    if (*helo == 0 || *helo == '[')
        return SMTPD_CHECK_DUNNO;
    st = smtpd_dns_exists(helo, 0, &null_mx);
    if (st == DNS_OK)
        return SMTPD_CHECK_DUNNO;
    if (st == DNS_RETRY)
        return smtpd_unknown_tempfail(ctx, var_unknown_helo_hostname_tempfail_action, "4.7.1", fmt,
                                      helo, "Helo command", "Host not found");
    return smtpd_ctx_reject(ctx, var_unknown_hostname_reject_code, "4.7.1", fmt, helo,
                            "Helo command", "Host not found");
}

/* smtpd_check_unknown_address - reject_unknown_{sender,recipient}_domain */
static int smtpd_check_unknown_address(SMTPD_CTX *ctx, const char *addr, int is_sender)
{
    static const char fmt[] = "<%s>: %s rejected: %s";
    const char *what = is_sender ? "Sender address" : "Recipient address";
    const char *dsn = is_sender ? "4.1.8" : "4.1.2";
    const char *dom = smtpd_domain_of(addr);
    RESOLVE_REPLY reply;
    int flags;
    int null_mx;
    int st;

    if (*dom == 0 || *dom == '[')
        return SMTPD_CHECK_DUNNO;
    /* Only domains that we are not the final destination for. */
    resolve_clnt_init(&reply);
    flags = smtpd_resolve(ctx, addr, &reply);
    resolve_clnt_free(&reply);
    if (flags & RESOLVE_FLAG_FAIL)
        return smtpd_ctx_reject(ctx, 451, "4.3.0", "<%s>: Temporary lookup failure", addr);
    if (flags & RESOLVE_CLASS_FINAL)
        return SMTPD_CHECK_DUNNO;
    st = smtpd_dns_exists(dom, 1, &null_mx);
    if (st == DNS_OK && !null_mx)
        return SMTPD_CHECK_DUNNO;
    if (st == DNS_OK) {
        VSTRING *text = vstring_alloc(100);
        int rc;

        vstring_sprintf(text, "Domain %s does not accept mail (nullMX)", dom);
        rc = smtpd_ctx_reject(ctx, is_sender ? 550 : 556, is_sender ? "5.7.27" : "5.1.10", fmt,
                              addr, what, vstring_str(text));
        vstring_free(text);
        return rc;
    }
    if (st == DNS_RETRY)
        return smtpd_unknown_tempfail(ctx, var_unknown_address_tempfail_action, dsn, fmt, addr,
                                      what, "Domain not found");
    return smtpd_ctx_reject(ctx, var_unknown_address_reject_code, dsn, fmt, addr, what,
                            "Domain not found");
}

/* smtpd_dsn_prefix - "4.7.1 text" starts with a DSN code: copy it */
static int smtpd_dsn_prefix(const char *text, char *buf, size_t len)
{
    size_t n = strcspn(text, " \t");

    if (n == 0 || n >= len || (text[0] != '4' && text[0] != '5'))
        return 0;
    memcpy(buf, text, n);
    buf[n] = 0;
    for (size_t i = 0, dots = 0; i < n; i++) {
        if (buf[i] == '.')
            dots++;
        else if (!isdigit((unsigned char)buf[i]))
            return 0;
        if (i + 1 == n && dots != 2)
            return 0;
    }
    return 1;
}

/* smtpd_access_keys - the keys check_*_access tries, in Postfix's order */
static ARGV *smtpd_access_keys(int what, const char *value, SMTPD_STATE *state)
{
    ARGV *keys = argv_alloc(6);

    if (what == 'c') {
        /* client: name, parent domains, address, address prefixes */
        const char *name = state->name;
        char *copy;
        char *cp;

        if (strcmp(name, "unknown") != 0) {
            argv_add(keys, name);
            for (const char *p = strchr(name, '.'); p; p = strchr(p + 1, '.'))
                argv_add(keys, p + 1);
        }
        argv_add(keys, state->addr);
        copy = mystrdup(state->addr);
        while ((cp = strrchr(copy, strchr(copy, ':') ? ':' : '.')) != 0) {
            *cp = 0;
            if (*copy)
                argv_add(keys, copy);
        }
        myfree(copy);
    } else if (what == 'h') {
        argv_add(keys, value);
        for (const char *p = strchr(value, '.'); p; p = strchr(p + 1, '.'))
            argv_add(keys, p + 1);
    } else {
        /* address: full, domain and parents, "user@" */
        const char *at = strrchr(value, '@');

        if (*value == 0) {
            argv_add(keys, var_smtpd_null_access_lookup_key);
            return keys;
        }
        argv_add(keys, value);
        if (at) {
            const char *dom = at + 1;

            argv_add(keys, dom);
            for (const char *p = strchr(dom, '.'); p; p = strchr(p + 1, '.'))
                argv_add(keys, p + 1);
            argv_addn(keys, value, (size_t)(at - value + 1));
        }
    }
    return keys;
}

static int smtpd_eval_list(SMTPD_CTX *ctx, ARGV *list, const char *what_class);

/* smtpd_access_action - apply one access(5) result */
static int smtpd_access_action(SMTPD_CTX *ctx, const char *value, const char *what_class,
                               const char *what)
{
    char *copy = mystrdup(value);
    char *cmd = copy;
    char *word = mystrtok(&cmd, " \t");
    char *text = cmd ? skipblanks(cmd) : (char *)"";
    int rc = SMTPD_CHECK_DUNNO;

    if (word == 0) {
        myfree(copy);
        return SMTPD_CHECK_DUNNO;
    }
    if (strcasecmp(word, "OK") == 0 ||
        (alldig(word) && !(strlen(word) == 3 && (word[0] == '4' || word[0] == '5')))) {
        rc = SMTPD_CHECK_OK;
    } else if (strcasecmp(word, "DUNNO") == 0) {
        rc = SMTPD_CHECK_DUNNO;
    } else if (strcasecmp(word, "REJECT") == 0) {
        rc = smtpd_ctx_reject(ctx, var_access_map_reject_code, "5.7.1", "<%s>: %s rejected: %s",
                              what, what_class, *text ? text : "Access denied");
    } else if (strcasecmp(word, "DEFER") == 0) {
        rc = smtpd_ctx_reject(ctx, var_access_map_defer_code, "4.7.1", "<%s>: %s rejected: %s",
                              what, what_class, *text ? text : "Access denied");
    } else if (strcasecmp(word, "DEFER_IF_REJECT") == 0) {
        ctx->defer_if_reject = 1;
    } else if (strcasecmp(word, "DEFER_IF_PERMIT") == 0) {
        rc = smtpd_ctx_defer_if_permit(ctx, var_access_map_defer_code, "4.7.1",
                                       "<%s>: %s rejected: %s", what, what_class,
                                       *text ? text : "Access denied");
    } else if (strlen(word) == 3 && alldig(word) && (word[0] == '4' || word[0] == '5')) {
        const char *dsn = word[0] == '4' ? "4.7.1" : "5.7.1";
        char dsnbuf[16];

        if (smtpd_dsn_prefix(text, dsnbuf, sizeof(dsnbuf))) {
            text = skipblanks(text + strlen(dsnbuf));
            dsn = dsnbuf;
        }
        rc = smtpd_ctx_reject(ctx, atoi(word), dsn, "<%s>: %s rejected: %s", what, what_class,
                              *text ? text : "Access denied");
    } else if (strcasecmp(word, "HOLD") == 0) {
        ctx->state->saved_flags |= CLEANUP_FLAG_HOLD;
        msg_info("%s: hold: %s from %s: <%s>: %s %s",
                 ctx->state->queue_id ? ctx->state->queue_id : "NOQUEUE", ctx->state->where,
                 ctx->state->namaddr, what, what_class, *text ? text : "triggers HOLD action");
    } else if (strcasecmp(word, "DISCARD") == 0) {
        ctx->state->saved_flags |= CLEANUP_FLAG_DISCARD;
        ctx->state->discard = 1;
        rc = SMTPD_CHECK_OK;
    } else if (strcasecmp(word, "FILTER") == 0 && *text) {
        myfree(ctx->state->saved_filter);
        ctx->state->saved_filter = mystrdup(text);
    } else if (strcasecmp(word, "REDIRECT") == 0 && *text) {
        myfree(ctx->state->saved_redirect);
        ctx->state->saved_redirect = mystrdup(text);
    } else if (strcasecmp(word, "BCC") == 0 && *text) {
        argv_add(ctx->state->saved_bcc, text);
    } else if (strcasecmp(word, "PREPEND") == 0 && *text) {
        argv_add(ctx->state->prepend, text);
    } else if (strcasecmp(word, "WARN") == 0) {
        msg_info("%s: warn: %s from %s: <%s>: %s %s",
                 ctx->state->queue_id ? ctx->state->queue_id : "NOQUEUE", ctx->state->where,
                 ctx->state->namaddr, what, what_class, text);
    } else if (strcasecmp(word, "INFO") == 0) {
        msg_info("%s: info: %s from %s: <%s>: %s %s",
                 ctx->state->queue_id ? ctx->state->queue_id : "NOQUEUE", ctx->state->where,
                 ctx->state->namaddr, what, what_class, text);
    } else {
        /* A restriction class or a list of restrictions. */
        ARGV *list;

        if (ctx->depth > 10) {
            msg_warn("restriction nesting too deep: %s", value);
            rc = smtpd_ctx_reject(ctx, 451, "4.3.5", "Server configuration error");
        } else {
            list = argv_split_list(value);
            ctx->depth++;
            rc = smtpd_eval_list(ctx, list, what_class);
            ctx->depth--;
            argv_free(list);
        }
    }
    myfree(copy);
    return rc;
}

static int smtpd_check_access(SMTPD_CTX *ctx, const char *table, int what, const char *value,
                              const char *what_class, const char *shown)
{
    DICT *d = smtpd_dict(table);
    ARGV *keys = smtpd_access_keys(what, value, ctx->state);
    int rc = SMTPD_CHECK_DUNNO;

    for (size_t i = 0; i < keys->argc; i++) {
        const char *result;
        int st = dict_get(d, keys->argv[i], &result);

        if (st == DICT_STAT_FAIL) {
            msg_warn("%s lookup error for \"%s\": %s", table, keys->argv[i], dict_errtext(d));
            rc = smtpd_ctx_reject(ctx, 451, "4.3.0", "<%s>: Temporary lookup failure", shown);
            break;
        }
        if (st == DICT_STAT_FOUND) {
            char *copy = mystrdup(result);

            rc = smtpd_access_action(ctx, copy, what_class, shown);
            myfree(copy);
            break;
        }
    }
    argv_free(keys);
    return rc;
}

static int smtpd_eval_one(SMTPD_CTX *ctx, const char *name, const char *arg, const char *what_class)
{
    SMTPD_STATE *state = ctx->state;
    const char *rcpt = ctx->rcpt;
    const char *helo = ctx->helo ? ctx->helo : state->helo_name;
    const char *sender = ctx->sender;

    if (strcasecmp(name, "permit") == 0)
        return SMTPD_CHECK_OK;
    if (strcasecmp(name, "reject_maps_rbl") == 0) {
        /* The pre-2.0 spelling: reject_rbl_client over each maps_rbl_domains
         * entry, with Postfix's deprecation warning (once per process). */
        ARGV *domains = argv_split_list(var_maps_rbl_domains);
        int rc = SMTPD_CHECK_DUNNO;

        if (htable_find(smtpd_warned, name) == 0) {
            htable_enter(smtpd_warned, name, (void *)1);
            msg_warn("support for restriction \"%s\" will be removed from %s; use "
                     "\"reject_rbl_client domain-name\" instead",
                     name, var_mail_name);
        }
        for (size_t i = 0; i < domains->argc && rc == SMTPD_CHECK_DUNNO; i++)
            rc = smtpd_eval_one(ctx, "reject_rbl_client", domains->argv[i], what_class);
        argv_free(domains);
        return rc;
    }
    if (strcasecmp(name, "reject") == 0)
        return smtpd_ctx_reject(ctx, var_reject_code, "5.7.1", "<%s>: %s rejected: Access denied",
                                strcmp(what_class, "Client host") == 0      ? state->namaddr
                                : strcmp(what_class, "Helo command") == 0   ? (helo ? helo : "")
                                : strcmp(what_class, "Sender address") == 0 ? (sender ? sender : "")
                                : strcmp(what_class, "Etrn command") == 0   ? ctx->etrn
                                                                            : (rcpt ? rcpt : ""),
                                what_class);
    if (strcasecmp(name, "defer") == 0)
        return smtpd_ctx_reject(ctx, var_defer_code, "4.7.1", "<%s>: %s rejected: Access denied",
                                rcpt ? rcpt : state->namaddr, what_class);
    if (strcasecmp(name, "defer_if_permit") == 0)
        return smtpd_ctx_defer_if_permit(ctx, var_defer_code, "4.7.1",
                                         "<%s>: %s rejected: defer_if_permit requested",
                                         rcpt ? rcpt : state->namaddr, what_class, "");
    if (strcasecmp(name, "defer_if_reject") == 0) {
        ctx->defer_if_reject = 1;
        return SMTPD_CHECK_DUNNO;
    }
    if (strcasecmp(name, "warn_if_reject") == 0) {
        ctx->warn_if_reject = 1;
        return SMTPD_CHECK_DUNNO;
    }
    if (strcasecmp(name, "permit_mynetworks") == 0)
        return state->is_mynetworks ? SMTPD_CHECK_OK : SMTPD_CHECK_DUNNO;
    if (strcasecmp(name, "permit_inet_interfaces") == 0)
        return smtpd_check_inet_interface(state) ? SMTPD_CHECK_OK : SMTPD_CHECK_DUNNO;
    if (strcasecmp(name, "permit_sasl_authenticated") == 0 ||
        strcasecmp(name, "permit_tls_clientcerts") == 0 ||
        strcasecmp(name, "permit_tls_all_clientcerts") == 0)
        return SMTPD_CHECK_DUNNO; /* no SASL/TLS session can be authenticated yet */
    if (strcasecmp(name, "permit_naked_ip_address") == 0)
        return helo && (inet_addr(helo) != INADDR_NONE) ? SMTPD_CHECK_OK : SMTPD_CHECK_DUNNO;
    if (strcasecmp(name, "sleep") == 0) {
        unsigned long n;

        if (safe_strtoul(arg, &n))
            sleep((unsigned)n);
        return SMTPD_CHECK_DUNNO;
    }
    if (strcasecmp(name, "reject_unauth_pipelining") == 0)
        return state->pipelining_seen ? smtpd_ctx_reject(ctx, 503, "5.5.0",
                                                         "<%s>: %s rejected: Improper use of SMTP "
                                                         "command pipelining",
                                                         rcpt ? rcpt : state->namaddr, what_class)
                                      : SMTPD_CHECK_DUNNO;
    if (strcasecmp(name, "reject_unknown_client_hostname") == 0 ||
        strcasecmp(name, "reject_unknown_client") == 0) {
        if (state->name_status != SMTPD_PEER_OK)
            return smtpd_ctx_reject(
                ctx, state->name_status == SMTPD_PEER_TEMP ? 450 : var_unknown_client_reject_code,
                "4.7.25", "Client host rejected: cannot find your hostname, [%s]", state->addr);
        return SMTPD_CHECK_DUNNO;
    }
    if (strcasecmp(name, "reject_unknown_reverse_client_hostname") == 0) {
        if (state->reverse_name_status != SMTPD_PEER_OK)
            return smtpd_ctx_reject(
                ctx,
                state->reverse_name_status == SMTPD_PEER_TEMP ? 450
                                                              : var_unknown_client_reject_code,
                "4.7.1", "Client host rejected: cannot find your reverse hostname, [%s]",
                state->addr);
        return SMTPD_CHECK_DUNNO;
    }
    if (strcasecmp(name, "reject_invalid_helo_hostname") == 0 ||
        strcasecmp(name, "reject_invalid_hostname") == 0) {
        if (helo && !smtpd_addr_valid_hostname(helo))
            return smtpd_ctx_reject(ctx, var_invalid_hostname_reject_code, "5.5.2",
                                    "<%s>: Helo command rejected: Invalid name", helo);
        return SMTPD_CHECK_DUNNO;
    }
    if (strcasecmp(name, "reject_non_fqdn_helo_hostname") == 0 ||
        strcasecmp(name, "reject_non_fqdn_hostname") == 0) {
        if (helo && !smtpd_addr_fqdn(helo))
            return smtpd_ctx_reject(ctx, var_non_fqdn_reject_code, "5.5.2",
                                    "<%s>: Helo command rejected: need fully-qualified hostname",
                                    helo);
        return SMTPD_CHECK_DUNNO;
    }
    if (strcasecmp(name, "reject_non_fqdn_sender") == 0) {
        if (sender && *sender && !smtpd_addr_fqdn(smtpd_domain_of(sender)))
            return smtpd_ctx_reject(ctx, var_non_fqdn_reject_code, "5.5.2",
                                    "<%s>: Sender address rejected: need fully-qualified address",
                                    sender);
        return SMTPD_CHECK_DUNNO;
    }
    if (strcasecmp(name, "reject_non_fqdn_recipient") == 0) {
        if (rcpt && !smtpd_addr_fqdn(smtpd_domain_of(rcpt)))
            return smtpd_ctx_reject(
                ctx, var_non_fqdn_reject_code, "5.5.2",
                "<%s>: Recipient address rejected: need fully-qualified address", rcpt);
        return SMTPD_CHECK_DUNNO;
    }
    if (strcasecmp(name, "reject_unknown_helo_hostname") == 0 ||
        strcasecmp(name, "reject_unknown_hostname") == 0)
        return helo ? smtpd_check_unknown_host(ctx, helo) : SMTPD_CHECK_DUNNO;
    if (strcasecmp(name, "reject_unknown_sender_domain") == 0)
        return sender && *sender ? smtpd_check_unknown_address(ctx, sender, 1) : SMTPD_CHECK_DUNNO;
    if (strcasecmp(name, "reject_unknown_recipient_domain") == 0)
        return rcpt && *rcpt ? smtpd_check_unknown_address(ctx, rcpt, 0) : SMTPD_CHECK_DUNNO;
    if (strcasecmp(name, "permit_auth_destination") == 0 ||
        strcasecmp(name, "reject_unauth_destination") == 0 ||
        strcasecmp(name, "defer_unauth_destination") == 0) {
        int auth;

        if (rcpt == 0)
            return SMTPD_CHECK_DUNNO;
        auth = smtpd_auth_dest(ctx, rcpt);
        if (auth < 0)
            return smtpd_ctx_reject(ctx, 451, "4.3.0", "<%s>: Temporary lookup failure", rcpt);
        if (strcasecmp(name, "permit_auth_destination") == 0)
            return auth ? SMTPD_CHECK_OK : SMTPD_CHECK_DUNNO;
        if (auth)
            return SMTPD_CHECK_DUNNO;
        if (strcasecmp(name, "defer_unauth_destination") == 0)
            return smtpd_ctx_reject(ctx, 454, "4.7.1", "<%s>: Relay access denied", rcpt);
        return smtpd_ctx_reject(ctx, var_relay_domains_reject_code, "5.7.1",
                                "<%s>: Relay access denied", rcpt);
    }
    if (strcasecmp(name, "reject_unlisted_recipient") == 0) {
        const char *r = rcpt ? smtpd_check_rcpt_known(state, rcpt) : 0;

        if (r) {
            vstring_strcpy(ctx->reply, r);
            return SMTPD_CHECK_REJECT;
        }
        return SMTPD_CHECK_DUNNO;
    }
    if (strcasecmp(name, "reject_unlisted_sender") == 0) {
        const char *r = sender && *sender ? smtpd_check_rcpt_known(state, sender) : 0;

        if (r) {
            return smtpd_ctx_reject(ctx, 550, "5.1.0", "<%s>: Sender address rejected: %s", sender,
                                    strstr(r, "User unknown") ? strstr(r, "User unknown")
                                                              : "undeliverable address");
        }
        return SMTPD_CHECK_DUNNO;
    }
    if (strcasecmp(name, "reject_multi_recipient_bounce") == 0) {
        if (sender && *sender == 0 && state->rcpt_count > 0 && rcpt)
            return smtpd_ctx_reject(ctx, var_multi_recipient_bounce_reject_code, "5.5.3",
                                    "<>: Sender address rejected: Multi-recipient bounce");
        return SMTPD_CHECK_DUNNO;
    }
    if (strcasecmp(name, "check_client_access") == 0)
        return smtpd_check_access(ctx, arg, 'c', state->addr, "Client host", state->namaddr);
    if (strcasecmp(name, "check_reverse_client_hostname_access") == 0) {
        if (strcmp(state->reverse_name, "unknown") == 0)
            return SMTPD_CHECK_DUNNO;
        return smtpd_check_access(ctx, arg, 'h', state->reverse_name, "Client host",
                                  state->namaddr);
    }
    if (strcasecmp(name, "check_helo_access") == 0)
        return helo ? smtpd_check_access(ctx, arg, 'h', helo, "Helo command", helo)
                    : SMTPD_CHECK_DUNNO;
    if (strcasecmp(name, "check_sender_access") == 0)
        return sender ? smtpd_check_access(ctx, arg, 'a', sender, "Sender address", sender)
                      : SMTPD_CHECK_DUNNO;
    if (strcasecmp(name, "check_recipient_access") == 0)
        return rcpt ? smtpd_check_access(ctx, arg, 'a', rcpt, "Recipient address", rcpt)
                    : SMTPD_CHECK_DUNNO;
    if (strcasecmp(name, "check_etrn_access") == 0)
        return ctx->etrn ? smtpd_check_access(ctx, arg, 'h', ctx->etrn, "Etrn command", ctx->etrn)
                         : SMTPD_CHECK_DUNNO;
    smtpd_not_supported(name);
    return SMTPD_CHECK_DUNNO;
}

static int smtpd_eval_list(SMTPD_CTX *ctx, ARGV *list, const char *what_class)
{
    for (size_t i = 0; i < list->argc; i++) {
        const char *name = list->argv[i];
        const SMTPD_RESTRICTION *r = smtpd_restriction_find(name);
        const char *arg = 0;
        ARGV *class;
        int rc;

        if (r == 0) {
            if ((class = htable_find(smtpd_classes, name)) != 0) {
                if (ctx->depth > 10)
                    return smtpd_ctx_reject(ctx, 451, "4.3.5", "Server configuration error");
                ctx->depth++;
                rc = smtpd_eval_list(ctx, class, what_class);
                ctx->depth--;
                if (rc != SMTPD_CHECK_DUNNO)
                    return rc;
                continue;
            }
            msg_warn("unknown smtpd restriction: \"%s\"", name);
            return smtpd_ctx_reject(ctx, 451, "4.3.5", "Server configuration error");
        }
        if (r->takes_arg) {
            if (i + 1 >= list->argc)
                return smtpd_ctx_reject(ctx, 451, "4.3.5", "Server configuration error");
            arg = list->argv[++i];
        }
        rc = smtpd_eval_one(ctx, r->name, arg, what_class);
        if (ctx->warn_if_reject && strcasecmp(r->name, "warn_if_reject") != 0)
            ctx->warn_if_reject = 0;
        if (rc != SMTPD_CHECK_DUNNO)
            return rc;
    }
    return SMTPD_CHECK_DUNNO;
}

static const char *smtpd_run(SMTPD_STATE *state, const char *helo, const char *sender,
                             const char *rcpt, const char *etrn, ARGV **lists, const char **classes)
{
    SMTPD_CTX ctx;

    if (state->access_off)
        return 0;
    if (smtpd_check_reply == 0)
        smtpd_check_reply = vstring_alloc(100);
    memset(&ctx, 0, sizeof(ctx));
    ctx.state = state;
    ctx.helo = helo;
    ctx.sender = sender;
    ctx.rcpt = rcpt;
    ctx.etrn = etrn;
    ctx.reply = smtpd_check_reply;
    for (int i = 0; lists[i]; i++) {
        ctx.defer_if_reject = ctx.warn_if_reject = 0;
        if (smtpd_eval_list(&ctx, lists[i], classes[i]) == SMTPD_CHECK_REJECT)
            return vstring_str(smtpd_check_reply);
    }
    /* Nothing rejected outright: a pending defer_if_permit applies now. */
    if (ctx.defer_if_permit) {
        vstring_strcpy(smtpd_check_reply, vstring_str(smtpd_dip_reply));
        return vstring_str(smtpd_check_reply);
    }
    return 0;
}

const char *smtpd_check_helo(SMTPD_STATE *state, const char *helo)
{
    ARGV *lists[] = {smtpd_list_client, smtpd_list_helo, 0};
    const char *classes[] = {"Client host", "Helo command"};

    return smtpd_run(state, helo, 0, 0, 0, lists, classes);
}

const char *smtpd_check_mail(SMTPD_STATE *state, const char *sender)
{
    ARGV *lists[] = {smtpd_list_client, smtpd_list_helo, smtpd_list_sender, 0};
    const char *classes[] = {"Client host", "Helo command", "Sender address"};

    return smtpd_run(state, state->helo_name, sender, 0, 0, lists, classes);
}

const char *smtpd_check_rcpt(SMTPD_STATE *state, const char *rcpt)
{
    ARGV *lists[] = {smtpd_list_client, smtpd_list_helo, smtpd_list_sender,
                     smtpd_list_relay,  smtpd_list_rcpt, 0};
    const char *classes[] = {"Client host", "Helo command", "Sender address", "Recipient address",
                             "Recipient address"};
    const char *reply;

    if (!var_smtpd_delay_reject) {
        lists[0] = smtpd_list_relay;
        lists[1] = smtpd_list_rcpt;
        lists[2] = 0;
        classes[0] = classes[1] = "Recipient address";
    }
    if ((reply = smtpd_run(state, state->helo_name, state->sender, rcpt, 0, lists, classes)) != 0)
        return reply;
    if (var_smtpd_reject_unlisted_recipient)
        return smtpd_check_rcpt_known(state, rcpt);
    return 0;
}

/* smtpd_maps_find - 1 found, 0 not, -1 failed */
static int smtpd_maps_find(ARGV *maps, const char *addr, int localpart_too)
{
    for (size_t i = 0; i < maps->argc; i++) {
        DICT *d = smtpd_dict(maps->argv[i]);
        const char *value;
        const char *at = strrchr(addr, '@');
        int st = dict_get(d, addr, &value);

        if (st == DICT_STAT_NOTFOUND && at && localpart_too) {
            char *local = mystrndup(addr, (size_t)(at - addr));

            st = dict_get(d, local, &value);
            if (st == DICT_STAT_NOTFOUND && *var_recipient_delimiter) {
                char *ext = strpbrk(local, var_recipient_delimiter);

                if (ext) {
                    *ext = 0;
                    st = dict_get(d, local, &value);
                }
            }
            myfree(local);
        }
        if (st == DICT_STAT_NOTFOUND && at && !localpart_too)
            st = dict_get(d, at, &value);
        if (st == DICT_STAT_FOUND)
            return 1;
        if (st == DICT_STAT_FAIL)
            return -1;
    }
    return 0;
}

/*
 * smtpd_addr_find - an address lookup in Postfix's mail_addr_find order:
 * user+ext@domain, user@domain, then (for a local domain) user+ext and
 * user, then @domain.  1 found, 0 not, -1 a table failed.
 */
static int smtpd_addr_find(ARGV *maps, const char *addr, int local)
{
    const char *at = strrchr(addr, '@');
    char *local_part = at ? mystrndup(addr, (size_t)(at - addr)) : mystrdup(addr);
    char *ext = *var_recipient_delimiter ? strpbrk(local_part, var_recipient_delimiter) : 0;
    ARGV *keys = argv_alloc(5);
    int found = 0;

    argv_add(keys, addr);
    if (ext) {
        VSTRING *noext = vstring_alloc(100);

        vstring_strncpy(noext, local_part, (size_t)(ext - local_part));
        if (at)
            vstring_strcat(noext, at);
        argv_add(keys, vstring_str(noext));
        vstring_free(noext);
    }
    if (local && at) {
        argv_add(keys, local_part);
        if (ext)
            argv_addn(keys, local_part, (size_t)(ext - local_part));
    }
    if (at)
        argv_add(keys, at);
    for (size_t i = 0; i < maps->argc && found == 0; i++) {
        DICT *d = smtpd_dict(maps->argv[i]);
        const char *value;

        for (size_t k = 0; k < keys->argc && found == 0; k++) {
            int st = dict_get(d, keys->argv[k], &value);

            if (st == DICT_STAT_FOUND)
                found = 1;
            else if (st == DICT_STAT_FAIL)
                found = -1;
        }
    }
    argv_free(keys);
    myfree(local_part);
    return found;
}

const char *smtpd_check_rcpt_known(SMTPD_STATE *state, const char *rcpt)
{
    RESOLVE_REPLY reply;
    VSTRING *canon = vstring_alloc(100);
    int flags;
    const char *result = 0;
    int found;

    /* receive_override_options = no_unknown_recipient_checks: behind a
     * content filter that has checked already. */
    if (state->access_off || (smtpd_input_transp & INPUT_TRANSP_UNKNOWN_RCPT)) {
        vstring_free(canon);
        return 0;
    }

    if (smtpd_check_reply == 0)
        smtpd_check_reply = vstring_alloc(100);
    rewrite_clnt_internal(REWRITE_LOCAL, rcpt, canon);
    resolve_clnt_init(&reply);
    resolve_clnt_query_from(state->sender ? state->sender : "", vstring_str(canon), &reply);
    flags = reply.flags;
    if (flags & RESOLVE_FLAG_FAIL) {
        vstring_sprintf(smtpd_check_reply, "451 4.3.0 <%s>: Temporary lookup failure", rcpt);
        result = vstring_str(smtpd_check_reply);
        goto done;
    }
    /* A canonical mapping or a virtual alias makes any address known. */
    {
        ARGV *known[] = {smtpd_rcpt_canon_maps, smtpd_canon_maps, smtpd_virt_alias_maps};

        for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
            if ((found = smtpd_addr_find(known[i], vstring_str(reply.recipient),
                                         (flags & RESOLVE_CLASS_LOCAL) != 0)) > 0)
                goto done;
            if (found < 0)
                goto fail;
        }
    }
    if ((flags & RESOLVE_CLASS_LOCAL) && smtpd_local_rcpt_maps->argc > 0) {
        if ((found = smtpd_maps_find(smtpd_local_rcpt_maps, vstring_str(reply.recipient), 1)) < 0)
            goto fail;
        if (found == 0) {
            vstring_sprintf(smtpd_check_reply,
                            "%d 5.1.1 <%s>: Recipient address rejected: User unknown in local "
                            "recipient table",
                            var_unknown_local_recipient_reject_code, rcpt);
            result = vstring_str(smtpd_check_reply);
        }
    } else if ((flags & RESOLVE_CLASS_VIRTUAL) && smtpd_virt_mbox_maps->argc > 0) {
        if ((found = smtpd_maps_find(smtpd_virt_mbox_maps, vstring_str(reply.recipient), 0)) < 0)
            goto fail;
        if (found == 0) {
            vstring_sprintf(smtpd_check_reply,
                            "%d 5.1.1 <%s>: Recipient address rejected: User unknown in virtual "
                            "mailbox table",
                            var_unknown_virtual_mailbox_reject_code, rcpt);
            result = vstring_str(smtpd_check_reply);
        }
    } else if (flags & RESOLVE_CLASS_ALIAS) {
        vstring_sprintf(smtpd_check_reply,
                        "%d 5.1.1 <%s>: Recipient address rejected: User unknown in virtual alias "
                        "table",
                        var_unknown_virtual_alias_reject_code, rcpt);
        result = vstring_str(smtpd_check_reply);
    } else if ((flags & RESOLVE_CLASS_RELAY) && smtpd_relay_rcpt_maps->argc > 0) {
        if ((found = smtpd_maps_find(smtpd_relay_rcpt_maps, vstring_str(reply.recipient), 0)) < 0)
            goto fail;
        if (found == 0) {
            vstring_sprintf(smtpd_check_reply,
                            "%d 5.1.1 <%s>: Recipient address rejected: User unknown in relay "
                            "recipient table",
                            var_unknown_relay_recipient_reject_code, rcpt);
            result = vstring_str(smtpd_check_reply);
        }
    }
    goto done;
fail:
    vstring_sprintf(smtpd_check_reply, "451 4.3.0 <%s>: Temporary lookup failure", rcpt);
    result = vstring_str(smtpd_check_reply);
done:
    resolve_clnt_free(&reply);
    vstring_free(canon);
    return result;
}

const char *smtpd_check_data(SMTPD_STATE *state)
{
    ARGV *lists[] = {smtpd_list_data, 0};
    const char *classes[] = {"Data command"};

    return smtpd_run(state, state->helo_name, state->sender, 0, 0, lists, classes);
}

const char *smtpd_check_etrn(SMTPD_STATE *state, const char *domain)
{
    ARGV *lists[] = {smtpd_list_client, smtpd_list_helo, smtpd_list_etrn, 0};
    const char *classes[] = {"Client host", "Helo command", "Etrn command"};

    return smtpd_run(state, state->helo_name, 0, 0, domain, lists, classes);
}
