/*
 * tr_resolve - recipient to (transport, nexthop, recipient); see
 * tr_resolve.h for the rules.
 *
 * Parameters: mydestination, inet_interfaces, proxy_interfaces,
 * relay_domains, virtual_alias_domains, virtual_mailbox_domains,
 * transport_maps, local_transport, virtual_transport, relay_transport,
 * default_transport, relayhost, sender_dependent_relayhost_maps,
 * sender_dependent_default_transport_maps, empty_address_*_lookup_key,
 * empty_address_recipient, myhostname, recipient_delimiter,
 * parent_domain_matches_subdomains, resolve_dequoted_address,
 * resolve_null_domain, resolve_numeric_domain, swap_bangpath,
 * allow_percent_hack.
 */
#include <string.h>
#include <strings.h>

#include "dict.h"
#include "mail_addr.h"
#include "mail_addr_host.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "quote_822_local.h"
#include "rewrite_clnt.h"
#include "tok822.h"
#include "tr_iface.h"
#include "maps.h"
#include "match_list.h"
#include "tr_resolve.h"
#include "tr_rewrite.h"
#include "vstring.h"

static MATCH_LIST *tr_mydest;
static MATCH_LIST *tr_relay_domains;
static MATCH_LIST *tr_virt_alias_domains;
static MATCH_LIST *tr_virt_mailbox_domains;
static MAPS *tr_transport_maps;
static MAPS *tr_sdrh_maps;
static MAPS *tr_sddt_maps;
static int tr_transport_parent;

#define TR_VIRT_ALIAS_CHANNEL "error"
#define TR_VIRT_ALIAS_NEXTHOP "5.1.1 User unknown in virtual alias table"

void tr_resolve_init(void)
{
    if (tr_mydest) {
        match_list_free(tr_mydest);
        match_list_free(tr_relay_domains);
        match_list_free(tr_virt_alias_domains);
        match_list_free(tr_virt_mailbox_domains);
        maps_free(tr_transport_maps);
        maps_free(tr_sdrh_maps);
        maps_free(tr_sddt_maps);
    }
    tr_iface_reset();
    /* Postfix: mydestination and the virtual domains are string lists. */
    tr_mydest = match_list_create("mydestination", var_mydestination, 0);
    tr_virt_alias_domains =
        match_list_create("virtual_alias_domains", var_virtual_alias_domains, 0);
    tr_virt_mailbox_domains =
        match_list_create("virtual_mailbox_domains", var_virtual_mailbox_domains, 0);
    tr_relay_domains = match_list_create(
        "relay_domains", var_relay_domains,
        MATCH_LIST_HOST | (match_list_parent_style("relay_domains") ? MATCH_LIST_PARENT : 0));
    tr_transport_maps = maps_create("transport_maps", var_transport_maps, DICT_FLAG_DEFAULT);
    tr_transport_parent = match_list_parent_style("transport_maps");
    tr_sdrh_maps = maps_create("sender_dependent_relayhost_maps",
                               var_sender_dependent_relayhost_maps, DICT_FLAG_DEFAULT);
    tr_sddt_maps = maps_create("sender_dependent_default_transport_maps",
                               var_sender_dependent_default_transport_maps, DICT_FLAG_DEFAULT);
}

/* Is domain (internal form, "[...]" for a literal) one of ours?  1, 0, -1. */
static int tr_resolve_local(const char *domain)
{
    int rc;
    size_t len = strlen(domain);

    if (len == 0)
        return 0;
    if ((rc = match_list_match(tr_mydest, domain)) != 0)
        return rc;
    if (domain[0] == '[' && domain[len - 1] == ']') {
        char *inner = mystrndup(domain + 1, len - 2);

        rc = tr_iface_is_local(inner);
        myfree(inner);
        return rc;
    }
    return 0;
}

/* Any routing operator left in a local part makes the address "routed". */
static int tr_routed(TOK822 *addr, TOK822 *at)
{
    VSTRING *text = vstring_alloc(100);
    int routed;

    if (at == addr->head)
        routed = 0;
    else
        routed = strpbrk(vstring_str(tr_tok_text(text, addr->head, at ? at->prev : 0)), "@!%") != 0;
    vstring_free(text);
    return routed;
}

/* "transport:nexthop" (or just "transport") into its parts. */
static void tr_split_channel(const char *value, VSTRING *transport, VSTRING *nexthop)
{
    const char *colon = strchr(value, ':');

    if (colon) {
        vstring_strncpy(transport, value, (size_t)(colon - value));
        vstring_strcpy(nexthop, colon + 1);
    } else {
        vstring_strcpy(transport, value);
        vstring_reset(nexthop);
    }
}

/*
 * Sender-dependent lookup: the sender, then "@domain"; the null sender is
 * looked up as null_key.  DUNNO ends the search without an answer.
 * Returns DICT_STAT_*.
 */
static int tr_sender_lookup(MAPS *maps, const char *sender, const char *null_key,
                            const char **value)
{
    int status;
    const char *at;

    if (maps_empty(maps))
        return DICT_STAT_NOTFOUND;
    if (*sender == 0) {
        status = maps_find(maps, null_key, MAPS_FIND_ALL, value);
    } else {
        status = maps_find(maps, sender, MAPS_FIND_ALL, value);
        if (status == DICT_STAT_NOTFOUND && (at = strrchr(sender, '@')) != 0 && at[1] != 0)
            status = maps_find(maps, at, MAPS_FIND_FIXED, value);
    }
    if (status == DICT_STAT_FOUND && strcasecmp(*value, "DUNNO") == 0)
        status = DICT_STAT_NOTFOUND;
    return status;
}

/* transport_maps lookup keys for recipient rcpt (user@domain). */
static int tr_transport_find(const char *rcpt, const char *domain, const char **value)
{
    int status;

    if ((status = maps_find(tr_transport_maps, rcpt, MAPS_FIND_ALL, value)) != DICT_STAT_NOTFOUND)
        return status;
    if (*var_recipient_delimiter) {
        VSTRING *stripped = vstring_alloc(100);

        mail_addr_strip_ext(stripped, rcpt, var_recipient_delimiter, 0);
        if (strcmp(vstring_str(stripped), rcpt) != 0)
            status = maps_find(tr_transport_maps, vstring_str(stripped), MAPS_FIND_FIXED, value);
        vstring_free(stripped);
        if (status != DICT_STAT_NOTFOUND)
            return status;
    }
    if (*domain) {
        if ((status = maps_find(tr_transport_maps, domain, MAPS_FIND_FIXED, value)) !=
            DICT_STAT_NOTFOUND)
            return status;
        if (*domain != '[') {
            for (const char *dot = strchr(domain + 1, '.'); dot; dot = strchr(dot + 1, '.')) {
                status = maps_find(tr_transport_maps, tr_transport_parent ? dot + 1 : dot,
                                   MAPS_FIND_FIXED, value);
                if (status != DICT_STAT_NOTFOUND)
                    return status;
            }
        }
    }
    return maps_find(tr_transport_maps, "*", MAPS_FIND_FIXED, value);
}

/* Replace the tokens after the '@' with one [literal] when they spell an IPv4 address. */
static void tr_numeric_to_literal(TOK822 *addr, TOK822 *at)
{
    VSTRING *text = vstring_alloc(40);

    if (at->next && mail_addr_valid_ipv4(vstring_str(tr_tok_text(text, at->next, 0)), 0)) {
        tok822_free_tree(tr_tok_cut_from(addr, at->next));
        tr_tok_append(addr, tok822_alloc(TOK822_DOMLIT, vstring_str(text)));
    }
    vstring_free(text);
}

/*
 * Internal to external form as Postfix's resolver sees it: only the local
 * part is quoted; the domain is taken as it is (so "u@[1.2.3.4]." is a
 * literal with a trailing dot, not a quoted string).
 */
static VSTRING *tr_resolve_quote(VSTRING *ext, const char *addr)
{
    const char *at = strrchr(addr, '@');

    if (at == 0)
        return quote_822_local_flags(ext, addr, QUOTE_FLAG_BARE_LOCALPART);
    {
        char *local = mystrndup(addr, (size_t)(at - addr) + 1); /* with the '@' */

        quote_822_local(ext, local);
        myfree(local);
    }
    return vstring_strcat(ext, at + 1);
}

void tr_resolve_addr(const char *sender, const char *addr, RESOLVE_REPLY *reply)
{
    TR_REWRITE_CTX local;
    VSTRING *ext = vstring_alloc(100);
    VSTRING *domain = vstring_alloc(100);
    TOK822 *tree;
    TOK822 *at = 0;
    TOK822 *saved = 0; /* "@localdomain" peeled off, re-attached at the end */
    const char *value;
    int added_host = 0;
    int rc;

    vstring_strcpy(reply->transport, "CHANNEL NOT UPDATED");
    vstring_strcpy(reply->nexthop, "NEXTHOP NOT UPDATED");
    vstring_strcpy(reply->recipient, "NEXTRCPT NOT UPDATED");
    reply->flags = 0;

    tr_rewrite_local(&local);
    /* No canonicalization here: cleanup did that; only routing forms are rewritten below. */
    tree = tr_tok_scan_addr(vstring_str(tr_resolve_quote(ext, addr)));

    for (;;) {
        if (tree->head != 0 && tree->tail->type == '.' && tree->tail->prev &&
            tree->tail->prev->type != '.' && tree->tail->prev->type != '@')
            tr_tok_remove(tree, tree->tail);
        if (tree->head != 0 && (at = tr_tok_rfind(tree, '@')) != 0) {
            if (at->next == 0) {
                /* "user@": null domain, allowed only by resolve_null_domain. */
                if (var_resolve_null_domain) {
                    tr_tok_remove(tree, at);
                } else {
                    if (saved)
                        tok822_free_tree(saved);
                    saved = tr_tok_cut_from(tree, at);
                }
                at = 0;
            } else {
                if (var_resolve_numeric_domain)
                    tr_numeric_to_literal(tree, at);
                tok822_internalize(domain, at->next, TOK822_STR_LIST);
                if ((rc = tr_resolve_local(vstring_str(domain))) < 0) {
                    reply->flags = RESOLVE_FLAG_FAIL;
                    goto done;
                }
                if (rc == 0)
                    break; /* remote: at marks its domain */
                if (saved)
                    tok822_free_tree(saved);
                saved = tr_tok_cut_from(tree, at);
                at = 0;
            }
        }
        /* What is left of a local address may route elsewhere. */
        if (tr_tok_rfind(tree, '@') || (var_swap_bangpath && tr_tok_find(tree, '!')) ||
            (var_allow_percent_hack && tr_tok_find(tree, '%'))) {
            tr_rewrite_tree(&local, tree);
            continue;
        }
        if (var_resolve_dequoted_address && tree->head && tree->head == tree->tail &&
            tree->head->type == TOK822_QSTRING) {
            const char *text = vstring_str(tree->head->vstr);

            if (strchr(text, '@') || (var_swap_bangpath && strchr(text, '!')) ||
                (var_allow_percent_hack && strchr(text, '%'))) {
                VSTRING *inner = vstring_alloc(100);

                tok822_internalize(inner, tree->head, TOK822_STR_NONE);
                tr_tok_remove(tree, tree->head);
                tr_tok_append_text(tree, vstring_str(inner));
                vstring_free(inner);
                tr_rewrite_tree(&local, tree);
                continue;
            }
        }
        /* An empty local part is the local MAILER-DAEMON. */
        if (tree->head == 0 || (tree->head == tree->tail && tree->head->type == TOK822_QSTRING &&
                                VSTRING_LEN(tree->head->vstr) == 0)) {
            while (tree->head)
                tr_tok_remove(tree, tree->head);
            tr_tok_append_text(tree, var_empty_address_recipient);
        }
        /* No domain at all: resolve user@$myhostname (which asks mydestination). */
        if (saved == 0 && !added_host) {
            tr_tok_append(tree, tok822_alloc('@', 0));
            tr_tok_append_text(tree, var_myhostname);
            added_host = 1;
            continue;
        }
        break;
    }

    if (at == 0) {
        if (saved) {
            tr_tok_append(tree, saved);
            saved = 0;
        } else {
            tr_tok_append(tree, tok822_alloc('@', 0));
            tr_tok_append_text(tree, var_myhostname);
        }
    }
    tok822_internalize(reply->recipient, tree, TOK822_STR_LIST);
    if (tr_routed(tree, at ? at : tr_tok_rfind(tree, '@')))
        reply->flags |= RESOLVE_FLAG_ROUTED;

    if (at == 0 && tree->tail->type == '@') {
        /* "user@" without resolve_null_domain. */
        reply->flags |= RESOLVE_CLASS_DEFAULT | RESOLVE_FLAG_ERROR;
        goto done;
    }

    if (at == 0) {
        /* Local delivery. */
        reply->flags |= RESOLVE_CLASS_LOCAL;
        tr_split_channel(var_local_transport, reply->transport, reply->nexthop);
        if (VSTRING_LEN(reply->nexthop) == 0)
            vstring_strcpy(reply->nexthop, var_myhostname);
        value = strrchr(vstring_str(reply->recipient), '@') + 1;
        vstring_strcpy(domain, value);
    } else {
        const char *dom = vstring_str(domain);
        int relay_class;

        /*
         * Syntax: an [address literal] or a host name (which is never all
         * digits and dots: an address needs brackets).
         */
        if (dom[0] == '[' ? !mail_addr_valid_mailhost_literal(dom, MAIL_ADDR_FLAG_NONE)
                          : !mail_addr_valid_hostname(dom, MAIL_ADDR_FLAG_NONE)) {
            reply->flags |= RESOLVE_CLASS_DEFAULT | RESOLVE_FLAG_ERROR;
            goto done;
        }
        if ((rc = match_list_match(tr_virt_alias_domains, dom)) != 0) {
            if (rc < 0)
                goto fail;
            reply->flags |= RESOLVE_CLASS_ALIAS;
            vstring_strcpy(reply->transport, TR_VIRT_ALIAS_CHANNEL);
            vstring_strcpy(reply->nexthop, TR_VIRT_ALIAS_NEXTHOP);
            relay_class = 0;
        } else if ((rc = match_list_match(tr_virt_mailbox_domains, dom)) != 0) {
            if (rc < 0)
                goto fail;
            reply->flags |= RESOLVE_CLASS_VIRTUAL;
            tr_split_channel(var_virtual_transport, reply->transport, reply->nexthop);
            if (VSTRING_LEN(reply->nexthop) == 0)
                vstring_strcpy(reply->nexthop, dom);
            relay_class = 0;
        } else if ((rc = match_list_match(tr_relay_domains, dom)) != 0) {
            if (rc < 0)
                goto fail;
            reply->flags |= RESOLVE_CLASS_RELAY;
            tr_split_channel(var_relay_transport, reply->transport, reply->nexthop);
            relay_class = 1;
        } else {
            reply->flags |= RESOLVE_CLASS_DEFAULT;
            rc = tr_sender_lookup(tr_sddt_maps, sender,
                                  var_empty_address_default_transport_maps_lookup_key, &value);
            if (rc == DICT_STAT_FAIL)
                goto fail;
            tr_split_channel(rc == DICT_STAT_FOUND ? value : var_default_transport,
                             reply->transport, reply->nexthop);
            relay_class = 1;
        }
        if (relay_class && VSTRING_LEN(reply->nexthop) == 0) {
            rc = tr_sender_lookup(tr_sdrh_maps, sender, var_empty_address_relayhost_maps_lookup_key,
                                  &value);
            if (rc == DICT_STAT_FAIL)
                goto fail;
            if (rc == DICT_STAT_FOUND)
                vstring_strcpy(reply->nexthop, value);
            else if (*var_relayhost)
                vstring_strcpy(reply->nexthop, var_relayhost);
            else
                vstring_strcpy(reply->nexthop, dom);
        }
    }
    if (VSTRING_LEN(reply->transport) == 0) {
        msg_warn("null transport is not allowed for %s", vstring_str(reply->recipient));
        reply->flags |= RESOLVE_FLAG_FAIL;
        goto done;
    }

    /* transport_maps overrides the class's answer. */
    if (!maps_empty(tr_transport_maps)) {
        rc = tr_transport_find(vstring_str(reply->recipient), vstring_str(domain), &value);
        if (rc == DICT_STAT_FAIL) {
            reply->flags |= RESOLVE_FLAG_FAIL;
        } else if (rc == DICT_STAT_FOUND) {
            VSTRING *t = vstring_alloc(20);
            VSTRING *n = vstring_alloc(20);

            tr_split_channel(value, t, n);
            if (VSTRING_LEN(t)) {
                vstring_strcpy(reply->transport, vstring_str(t));
                vstring_strcpy(reply->nexthop,
                               VSTRING_LEN(n) ? vstring_str(n) : vstring_str(domain));
            } else if (VSTRING_LEN(n)) {
                vstring_strcpy(reply->nexthop, vstring_str(n));
            }
            vstring_free(t);
            vstring_free(n);
        }
    }
    goto done;

fail:
    /* A class table failed: no class, nothing decided. */
    reply->flags = (reply->flags & RESOLVE_FLAG_ROUTED) | RESOLVE_FLAG_FAIL;
    vstring_strcpy(reply->transport, "CHANNEL NOT UPDATED");
    vstring_strcpy(reply->nexthop, "NEXTHOP NOT UPDATED");

done:
    if (saved)
        tok822_free_tree(saved);
    tok822_free_tree(tree);
    vstring_free(ext);
    vstring_free(domain);
}
