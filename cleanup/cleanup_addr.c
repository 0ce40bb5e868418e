/*
 * cleanup_addr - what cleanup does to an address.
 *
 *   cleanup_rewrite_addr(state, class, addr, result)
 *       addr (internal form) as it goes into the queue file: trivial-rewrite
 *       (the message's rewrite_context for envelope addresses; for headers
 *       only in the local context, or with remote_header_rewrite_domain
 *       set), then, when the client allows mapping (CLEANUP_FLAG_MAP_OK),
 *       sender_canonical_maps or recipient_canonical_maps, canonical_maps,
 *       and masquerade_domains, each where its *_classes say so.  class is
 *       one CLEANUP_CANON_* bit.  The null address stays null.  A table
 *       that fails defers the message (CLEANUP_STAT_WRITE, as in Postfix).
 *   cleanup_canon_lookup(state, maps, addr, result)
 *       one canonical-style lookup: the address, the address without its
 *       extension (recipient_delimiter), the bare local part when the
 *       domain is $myorigin or in $mydestination, then "@domain".  An
 *       extension that the key did not match is put back into the result
 *       (propagate_unmatched_extensions).  1 = rewritten, 0 = not found,
 *       -1 = the table failed.
 *   cleanup_masquerade(state, addr)
 *       strip subdomains per masquerade_domains ("!d" excludes d),
 *       except for users in masquerade_exceptions; 1 when changed
 *   cleanup_virtual_expand(state, addr)
 *       virtual_alias_maps expansion: an ARGV of final addresses, or null
 *       when the message must be deferred (table failure, more than
 *       virtual_alias_recursion_limit levels, more than
 *       virtual_alias_expansion_limit results), with Postfix's warning.
 *       An alias that lists itself is kept and not expanded again.
 *   cleanup_out_recipient(state, orcpt, notify, orig, rcpt)
 *       write one recipient group unless it is a duplicate (same DSN
 *       ORCPT, NOTIFY, original and final address, case-insensitively;
 *       the first duplicate_filter_limit recipients are remembered).
 */
#include <string.h>

#include "cleanup.h"
#include "dsn.h"

#include "argv.h"
#include "cleanup_user.h"
#include "mail_addr.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "stringops.h"

/* cleanup_domain_is_local - the domains that "user" lookups apply to */

static int cleanup_domain_is_local(const char *domain)
{
    int found = 0;

    if (var_myorigin && strcasecmp(domain, var_myorigin) == 0)
        return 1;
    if (var_mydestination && *var_mydestination) {
        ARGV *list = argv_split_list(var_mydestination);

        for (size_t i = 0; i < list->argc && !found; i++)
            found = strcasecmp(list->argv[i], domain) == 0;
        argv_free(list);
    }
    return found;
}

static int cleanup_propagate(const char *what)
{
    return var_propagate_unmatched_extensions && strstr(var_propagate_unmatched_extensions, what);
}

/* cleanup_add_ext - put an extension back into the local part of addr */

static void cleanup_add_ext(VSTRING *addr, int delim, const char *ext)
{
    char *copy = mystrdup(vstring_str(addr));
    char *at = strrchr(copy, '@');

    if (at)
        *at = 0;
    vstring_sprintf(addr, "%s%c%s%s%s", copy, delim, ext, at ? "@" : "", at ? at + 1 : "");
    myfree(copy);
}

static int cleanup_lookup_keys(CLEANUP_STATE *state, MAPS *maps, const char *addr,
                               VSTRING *result, const char *propagate)
{
    VSTRING *local = vstring_alloc(64);
    VSTRING *domain = vstring_alloc(64);
    VSTRING *base = vstring_alloc(64);
    VSTRING *ext = vstring_alloc(16);
    VSTRING *key = vstring_alloc(100);
    const char *value = 0;
    int has_at = mail_addr_split(addr, local, domain);
    int delim = mail_addr_split_ext(vstring_str(local), state->conf->recipient_delimiter,
                                    var_double_bounce_sender, base, ext);
    int st;
    int used_ext = 1;

    lowercase(vstring_str(vstring_strcpy(key, addr)));
    st = maps_find(maps, vstring_str(key), MAPS_FIND_ALL, &value);
    if (st == DICT_STAT_NOTFOUND && delim) {
        used_ext = 0;
        vstring_sprintf(key, "%s%s%s", vstring_str(base), has_at ? "@" : "", vstring_str(domain));
        lowercase(vstring_str(key));
        st = maps_find(maps, vstring_str(key), MAPS_FIND_FIXED, &value);
    }
    if (st == DICT_STAT_NOTFOUND && has_at && cleanup_domain_is_local(vstring_str(domain))) {
        used_ext = 1;
        lowercase(vstring_str(vstring_strcpy(key, vstring_str(local))));
        st = maps_find(maps, vstring_str(key), MAPS_FIND_FIXED, &value);
        if (st == DICT_STAT_NOTFOUND && delim) {
            used_ext = 0;
            lowercase(vstring_str(vstring_strcpy(key, vstring_str(base))));
            st = maps_find(maps, vstring_str(key), MAPS_FIND_FIXED, &value);
        }
    }
    if (st == DICT_STAT_NOTFOUND && has_at) {
        used_ext = 0;
        vstring_sprintf(key, "@%s", vstring_str(domain));
        lowercase(vstring_str(key));
        st = maps_find(maps, vstring_str(key), MAPS_FIND_FIXED, &value);
    }
    if (st == DICT_STAT_FOUND) {
        /* "@domain" as the answer keeps the local part (and extension). */
        if (*value == '@' && has_at) {
            vstring_sprintf(result, "%s%s", vstring_str(local), value);
            used_ext = 1;
        } else {
            vstring_strcpy(result, value);
        }
        if (!used_ext && delim && propagate && cleanup_propagate(propagate)
            && strchr(value, ',') == 0)
            cleanup_add_ext(result, delim, vstring_str(ext));
    }
    vstring_free(local);
    vstring_free(domain);
    vstring_free(base);
    vstring_free(ext);
    vstring_free(key);
    return st == DICT_STAT_FOUND ? 1 : st == DICT_STAT_FAIL ? -1 : 0;
}

int cleanup_canon_lookup(CLEANUP_STATE *state, MAPS *maps, const char *addr,
                         VSTRING *result)
{
    int st;

    if (maps == 0 || maps_empty(maps) || *addr == 0)
        return 0;
    st = cleanup_lookup_keys(state, maps, addr, result, "canonical");
    if (st < 0) {
        msg_warn("%s: %s map lookup problem for %s -- message not accepted, try again later",
                 cleanup_id(state), maps_title(maps), addr);
        cleanup_set_error(state, CLEANUP_STAT_WRITE, 0);
    }
    return st;
}

int cleanup_masquerade(CLEANUP_STATE *state, VSTRING *addr)
{
    const ARGV *domains = state->conf->masq_domains;
    char *at;
    int changed = 0;

    if (domains == 0 || domains->argc == 0 || (at = strrchr(vstring_str(addr), '@')) == 0)
        return 0;
    if (state->conf->masq_exceptions && state->conf->masq_exceptions->argc) {
        VSTRING *user = vstring_alloc(32);

        vstring_strncpy(user, vstring_str(addr), (size_t)(at - vstring_str(addr)));
        lowercase(vstring_str(user));
        for (size_t i = 0; i < state->conf->masq_exceptions->argc; i++)
            if (strcmp(state->conf->masq_exceptions->argv[i], vstring_str(user)) == 0) {
                vstring_free(user);
                return 0;
            }
        vstring_free(user);
    }
    {
        char *domain = lowercase(mystrdup(at + 1));
        size_t dlen = strlen(domain);

        for (size_t i = 0; i < domains->argc; i++) {
            const char *m = domains->argv[i];
            int exclude = (*m == '!');
            size_t mlen;

            if (exclude)
                m++;
            mlen = strlen(m);
            if (exclude) {
                if (strcmp(domain, m) == 0
                    || (dlen > mlen && domain[dlen - mlen - 1] == '.'
                        && strcmp(domain + dlen - mlen, m) == 0))
                    break;
                continue;
            }
            if (dlen > mlen && domain[dlen - mlen - 1] == '.' && strcmp(domain + dlen - mlen, m) == 0) {
                vstring_truncate(addr, (size_t)(at - vstring_str(addr)) + 1);
                vstring_strcat(addr, m);
                changed = 1;
                break;
            }
        }
        myfree(domain);
    }
    return changed;
}

void cleanup_rewrite_addr(CLEANUP_STATE *state, int class, const char *addr, VSTRING *result)
{
    const CLEANUP_CONF *conf = state->conf;
    int header = (class & (CLEANUP_CANON_HDR_SENDER | CLEANUP_CANON_HDR_RECIP)) != 0;
    int sender = (class & (CLEANUP_CANON_ENV_SENDER | CLEANUP_CANON_HDR_SENDER)) != 0;
    VSTRING *tmp = state->temp2;

    if (*addr == 0) {
        vstring_strcpy(result, "");
        return;
    }
    if (!header)
        state->hooks->rewrite(state->local_context ? "local" : "remote", addr, result);
    else if (state->local_context)
        state->hooks->rewrite("local", addr, result);
    else if (conf->remote_header_domain && *conf->remote_header_domain)
        state->hooks->rewrite("remote", addr, result);
    else
        vstring_strcpy(result, addr);

    if ((state->flags & CLEANUP_FLAG_MAP_OK) == 0)
        return;
    if (sender && (conf->send_canon_classes & class)) {
        if (cleanup_canon_lookup(state, conf->send_canon_maps, vstring_str(result), tmp) > 0)
            vstring_strcpy(result, vstring_str(tmp));
    }
    if (!sender && (conf->rcpt_canon_classes & class)) {
        if (cleanup_canon_lookup(state, conf->rcpt_canon_maps, vstring_str(result), tmp) > 0)
            vstring_strcpy(result, vstring_str(tmp));
    }
    if (conf->canon_classes & class) {
        if (cleanup_canon_lookup(state, conf->canonical_maps, vstring_str(result), tmp) > 0)
            vstring_strcpy(result, vstring_str(tmp));
    }
    if (conf->masq_classes & class)
        cleanup_masquerade(state, result);
}

/* cleanup_expand - one level of virtual alias expansion */

static int cleanup_expand(CLEANUP_STATE *state, const char *addr, int depth, ARGV *out,
                          const char *top)
{
    MAPS *maps = state->conf->virt_alias_maps;
    VSTRING *value = vstring_alloc(100);
    VSTRING *rewritten = vstring_alloc(100);
    int st;
    int ret = 0;

    if (depth > state->conf->virt_recur_limit) {
        msg_warn("%s: unreasonable %s map nesting for %s -- message not accepted, try again later",
                 cleanup_id(state), maps_title(maps), top);
        ret = -2;
    } else if ((st = cleanup_lookup_keys(state, maps, addr, value, "virtual")) < 0) {
        msg_warn("%s: %s map lookup problem for %s -- message not accepted, try again later",
                 cleanup_id(state), maps_title(maps), addr);
        ret = -1;
    } else if (st == 0) {
        argv_add(out, addr);
    } else {
        ARGV *items = argv_split(vstring_str(value), ", \t\r\n");

        for (size_t i = 0; i < items->argc && ret == 0; i++) {
            state->hooks->rewrite("local", items->argv[i], rewritten);
            if (strcasecmp(vstring_str(rewritten), addr) == 0)
                argv_add(out, vstring_str(rewritten));
            else
                ret = cleanup_expand(state, vstring_str(rewritten), depth + 1, out, top);
            if (ret == 0 && out->argc > (size_t)state->conf->virt_expan_limit) {
                msg_warn("%s: unreasonable %s map expansion size for %s -- "
                         "message not accepted, try again later",
                         cleanup_id(state), maps_title(maps), top);
                ret = -2;
            }
        }
        argv_free(items);
    }
    vstring_free(value);
    vstring_free(rewritten);
    return ret;
}

ARGV *cleanup_virtual_expand(CLEANUP_STATE *state, const char *addr)
{
    ARGV *out = argv_alloc(2);

    if ((state->flags & CLEANUP_FLAG_MAP_OK) == 0 || state->conf->virt_alias_maps == 0
        || maps_empty(state->conf->virt_alias_maps) || *addr == 0) {
        argv_add(out, addr);
        return out;
    }
    switch (cleanup_expand(state, addr, 0, out, addr)) {
    case -1: /* a table could not answer: Postfix's "queue file write error" */
        argv_free(out);
        cleanup_set_error(state, CLEANUP_STAT_WRITE, 0);
        return 0;
    case -2: /* nesting or expansion size over the limits */
        argv_free(out);
        cleanup_set_error(state, CLEANUP_STAT_DEFER, "4.6.0 Alias expansion error");
        return 0;
    default:
        break;
    }
    return out;
}

void cleanup_out_recipient(CLEANUP_STATE *state, const char *orcpt, int notify, const char *orig,
                           const char *rcpt)
{
    VSTRING *key = state->temp2;
    char *type = 0;
    const char *oaddr = 0;
    char *copy = 0;

    /* Duplicates: the whole recipient, or (enable_original_recipient = no)
     * the final address alone, as Postfix. */
    if (state->conf->enable_orig_rcpt)
        vstring_sprintf(key, "%s\n%d\n%s\n%s", orcpt ? orcpt : "", notify, orig, rcpt);
    else
        vstring_strcpy(key, rcpt);
    lowercase(vstring_str(key));
    if (htable_find(state->dups, vstring_str(key)))
        return;
    if (state->dup_count < (size_t)state->conf->dup_filter_limit) {
        htable_enter(state->dups, vstring_str(key), (void *)1);
        state->dup_count++;
    }
    if (state->first_rcpt == 0)
        state->first_rcpt = mystrdup(rcpt);
    state->rcpt_count++;
    vstring_sprintf(key, "%d\n%s\n%s\n%s", notify, orcpt ? orcpt : "", orig, rcpt);
    argv_add(state->rcpts, vstring_str(key));
    if (state->w == 0 || (state->errs & CLEANUP_STAT_MASK_INCOMPLETE))
        return;
    if (orcpt && *orcpt == 0) {
        oaddr = ""; /* no ORCPT at all (qfile_writer.h) */
    } else if (orcpt) {
        copy = mystrdup(orcpt);
        if ((oaddr = strchr(copy, ';')) != 0) {
            *(char *)oaddr = 0;
            oaddr++;
            type = copy;
        } else {
            oaddr = copy;
        }
    }
    if (qfile_writer_rcpt(state->w, notify, type, oaddr, orig, rcpt) < 0) {
        msg_warn("%s: write queue file: %m", cleanup_id(state));
        cleanup_set_error(state, CLEANUP_STAT_WRITE, "4.3.0 queue file write error");
    }
    myfree(copy);
}

/*
 * cleanup_bcc - a recipient the MTA adds itself (always_bcc,
 * sender_bcc_maps, recipient_bcc_maps, a header/body check's BCC): rewritten,
 * canonicalised and expanded like any recipient, then written as Postfix
 * writes it: NOTIFY=NEVER (the sender never hears about it), no ORCPT, its
 * own address as the original recipient.
 */
void cleanup_bcc(CLEANUP_STATE *state, const char *addr)
{
    VSTRING *rcpt = vstring_alloc(100);
    ARGV *list;

    cleanup_rewrite_addr(state, CLEANUP_CANON_ENV_RECIP, addr, rcpt);
    if ((list = cleanup_virtual_expand(state, vstring_str(rcpt))) != 0) {
        for (size_t i = 0; i < list->argc; i++)
            cleanup_out_recipient(state, "", DSN_NOTIFY_NEVER, vstring_str(rcpt), list->argv[i]);
        argv_free(list);
    }
    vstring_free(rcpt);
}

/*
 * cleanup_bcc_lookup - sender_bcc_maps (by the envelope sender) or
 * recipient_bcc_maps (by a recipient after canonical mapping), when the
 * client allows address mapping; the answer is one address.  A table that
 * cannot answer defers the message like any other lookup problem.
 */
void cleanup_bcc_lookup(CLEANUP_STATE *state, MAPS *maps, const char *addr)
{
    VSTRING *result;
    int st;

    if (maps == 0 || maps_empty(maps) || *addr == 0 || (state->flags & CLEANUP_FLAG_BCC_OK) == 0)
        return;
    result = vstring_alloc(100);
    if ((st = cleanup_lookup_keys(state, maps, addr, result, 0)) < 0) {
        msg_warn("%s: %s map lookup problem for %s -- message not accepted, try again later",
                 cleanup_id(state), maps_title(maps), addr);
        cleanup_set_error(state, CLEANUP_STAT_WRITE, 0);
    } else if (st > 0) {
        cleanup_bcc(state, vstring_str(result));
    }
    vstring_free(result);
}
