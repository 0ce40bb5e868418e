/*
 * tr_rewrite - address canonicalization for trivial-rewrite; see
 * tr_rewrite.h for the rules.
 *
 * Parameters: swap_bangpath, allow_percent_hack, append_at_myorigin,
 * append_dot_mydomain, myorigin, mydomain, remote_header_rewrite_domain.
 *
 * Addresses are worked on as token lists (tok822) so that quoted strings,
 * comments and [literals] are never split at an "@", "!" or "%" inside
 * them.
 */
#include <string.h>

#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "quote_822_local.h"
#include "rewrite_clnt.h"
#include "tok822.h"
#include "tr_rewrite.h"
#include "vstring.h"

/* --- token list helpers ------------------------------------------------- */

static void tr_tok_link_after(TOK822 *addr, TOK822 *where, TOK822 *tp)
{
    tp->owner = addr;
    tp->prev = where;
    tp->next = where ? where->next : addr->head;
    if (tp->next)
        tp->next->prev = tp;
    else
        addr->tail = tp;
    if (where)
        where->next = tp;
    else
        addr->head = tp;
}

void tr_tok_append(TOK822 *addr, TOK822 *tp)
{
    TOK822 *next;

    for (; tp; tp = next) {
        next = tp->next;
        tr_tok_link_after(addr, addr->tail, tp);
    }
}

/* Split atoms at unescaped '!' and '%' so the routing rules can see them. */
static TOK822 *tr_tok_split_ops(TOK822 *list)
{
    TOK822 head = {0};
    TOK822 *tp;
    TOK822 *next;

    for (tp = list; tp; tp = next) {
        next = tp->next;
        tp->next = tp->prev = 0;
        if (tp->type != TOK822_ATOM ||
            (strchr(vstring_str(tp->vstr), '!') == 0 && strchr(vstring_str(tp->vstr), '%') == 0)) {
            tr_tok_link_after(&head, head.tail, tp);
            continue;
        }
        {
            const char *cp = vstring_str(tp->vstr);
            const char *end = cp + VSTRING_LEN(tp->vstr);
            VSTRING *part = vstring_alloc(32);

            while (cp < end) {
                if (*cp == '\\' && cp + 1 < end) {
                    vstring_memcat(part, cp, 2);
                    cp += 2;
                } else if (*cp == '!' || *cp == '%') {
                    if (VSTRING_LEN(part)) {
                        tr_tok_link_after(&head, head.tail,
                                          tok822_alloc(TOK822_ATOM, vstring_str(part)));
                        vstring_reset(part);
                    }
                    tr_tok_link_after(&head, head.tail, tok822_alloc((unsigned char)*cp, 0));
                    cp++;
                } else {
                    vstring_addch(part, *cp++);
                }
            }
            if (VSTRING_LEN(part))
                tr_tok_link_after(&head, head.tail, tok822_alloc(TOK822_ATOM, vstring_str(part)));
            vstring_free(part);
            tok822_free(tp);
        }
    }
    for (tp = head.head; tp; tp = tp->next)
        tp->owner = 0;
    return head.head;
}

void tr_tok_append_text(TOK822 *addr, const char *text)
{
    tr_tok_append(addr, tr_tok_split_ops(tok822_scan(text, 0, 0)));
}

TOK822 *tr_tok_scan_addr(const char *ext)
{
    TOK822 *addr = tok822_alloc(TOK822_ADDR, 0);
    int truncated;

    tr_tok_append(addr, tr_tok_split_ops(tok822_scan(ext, 0, &truncated)));
    if (truncated)
        msg_warn("address with too many tokens truncated: %.100s", ext);
    return addr;
}

TOK822 *tr_tok_find(TOK822 *addr, int type)
{
    return addr->head ? (addr->head->type == type ? addr->head : tr_tok_after(addr->head, type))
                      : 0;
}

TOK822 *tr_tok_after(TOK822 *tp, int type)
{
    for (tp = tp ? tp->next : 0; tp; tp = tp->next)
        if (tp->type == type)
            return tp;
    return 0;
}

TOK822 *tr_tok_rfind(TOK822 *addr, int type)
{
    for (TOK822 *tp = addr->tail; tp; tp = tp->prev)
        if (tp->type == type)
            return tp;
    return 0;
}

TOK822 *tr_tok_cut_from(TOK822 *addr, TOK822 *tp)
{
    if (tp == 0)
        return 0;
    if (tp->prev)
        tp->prev->next = 0;
    else
        addr->head = 0;
    addr->tail = tp->prev;
    tp->prev = 0;
    for (TOK822 *t = tp; t; t = t->next)
        t->owner = 0;
    return tp;
}

void tr_tok_cut_before(TOK822 *addr, TOK822 *tp)
{
    TOK822 *first = addr->head;

    if (first == tp)
        return;
    tp->prev->next = 0;
    tp->prev = 0;
    addr->head = tp;
    tok822_free_tree(first);
}

void tr_tok_remove(TOK822 *addr, TOK822 *tp)
{
    if (tp->prev)
        tp->prev->next = tp->next;
    else
        addr->head = tp->next;
    if (tp->next)
        tp->next->prev = tp->prev;
    else
        addr->tail = tp->prev;
    tp->next = tp->prev = 0;
    tok822_free_tree(tp);
}

static int tr_tok_is_word(int type)
{
    return type == TOK822_ATOM || type == TOK822_QSTRING || type == TOK822_COMMENT ||
           type == TOK822_DOMLIT;
}

static void tr_tok_unescape(VSTRING *vp, const VSTRING *raw)
{
    const char *cp = vstring_str(raw);
    const char *end = cp + VSTRING_LEN(raw);

    for (; cp < end; cp++) {
        if (*cp == '\\' && cp + 1 < end)
            cp++;
        vstring_addch(vp, *cp);
    }
}

/*
 * The text of tokens first..last (inclusive; last may be null for "to the
 * end"), as Postfix writes a local part before quoting it: words are
 * separated by one space, a space follows every ',' and precedes '<',
 * quotes and backslashes are removed, comments and literals keep their
 * brackets.
 */
VSTRING *tr_tok_text(VSTRING *vp, TOK822 *first, TOK822 *last)
{
    int prev = 0;

    vstring_reset(vp);
    for (TOK822 *tp = first; tp; tp = tp->next) {
        if (prev != 0 && ((tr_tok_is_word(prev) && tr_tok_is_word(tp->type)) || tp->type == '<'))
            vstring_addch(vp, ' ');
        switch (tp->type) {
        case TOK822_ATOM:
        case TOK822_QSTRING:
            tr_tok_unescape(vp, tp->vstr);
            break;
        case TOK822_COMMENT:
            vstring_addch(vp, '(');
            vstring_memcat(vp, vstring_str(tp->vstr), VSTRING_LEN(tp->vstr));
            vstring_addch(vp, ')');
            break;
        case TOK822_DOMLIT:
            vstring_addch(vp, '[');
            vstring_memcat(vp, vstring_str(tp->vstr), VSTRING_LEN(tp->vstr));
            vstring_addch(vp, ']');
            break;
        case TOK822_ADDR:
            break;
        default:
            vstring_addch(vp, tp->type);
            if (tp->type == ',')
                vstring_addch(vp, ' ');
            break;
        }
        prev = tp->type == ',' ? 0 : tp->type;
        if (tp == last)
            break;
    }
    return vp;
}

/* --- the rules ---------------------------------------------------------- */

void tr_rewrite_local(TR_REWRITE_CTX *ctx)
{
    ctx->origin = var_myorigin;
    ctx->domain = var_mydomain;
}

void tr_rewrite_remote(TR_REWRITE_CTX *ctx)
{
    ctx->origin = var_remote_header_rewrite_domain;
    ctx->domain = var_remote_header_rewrite_domain;
}

void tr_rewrite_tree(const TR_REWRITE_CTX *ctx, TOK822 *addr)
{
    TOK822 *at;
    TOK822 *tp;

    if (addr->head == 0)
        return;

    /* 1. The null address stays; a lone "@" is the null address. */
    if (addr->head == addr->tail && addr->head->type == TOK822_QSTRING &&
        VSTRING_LEN(addr->head->vstr) == 0)
        return;
    if (addr->head == addr->tail && addr->head->type == '@') {
        tr_tok_remove(addr, addr->head);
        tr_tok_append(addr, tok822_alloc(TOK822_QSTRING, ""));
        return;
    }

    /* 2. Source route: "@a,@b:" in front goes, unless nothing follows it. */
    if (addr->head->type == '@' && (tp = tr_tok_find(addr, ':')) != 0 && tp != addr->tail)
        tr_tok_cut_before(addr, tp->next);

    /* 3. No "@": bang path, percent hack, or @origin. */
    if ((at = tr_tok_rfind(addr, '@')) == 0) {
        TOK822 *bang;
        TOK822 *pct;

        if (var_swap_bangpath && (bang = tr_tok_find(addr, '!')) != 0) {
            /* site!user -> user@site: move the site behind the user. */
            TOK822 *user = tr_tok_cut_from(addr, bang->next); /* null for "site!" */
            TOK822 *site;

            tok822_free(tr_tok_cut_from(addr, bang)); /* bang had nothing after it now */
            site = addr->head;                        /* null for "!user" */
            addr->head = addr->tail = 0;
            tr_tok_append(addr, user);
            tr_tok_append(addr, tok822_alloc('@', 0));
            tr_tok_append(addr, site);
        } else if (var_allow_percent_hack && (pct = tr_tok_rfind(addr, '%')) != 0) {
            pct->type = '@';
        } else if (var_append_at_myorigin && ctx->origin && *ctx->origin) {
            tr_tok_append(addr, tok822_alloc('@', 0));
            tr_tok_append_text(addr, ctx->origin);
        }
    }

    /* 4. user@host -> user@host.$mydomain */
    if (var_append_dot_mydomain && ctx->domain && *ctx->domain &&
        (at = tr_tok_rfind(addr, '@')) != 0 && at != addr->tail &&
        tr_tok_after(at, TOK822_DOMLIT) == 0 && tr_tok_after(at, '.') == 0) {
        tr_tok_append(addr, tok822_alloc('.', 0));
        tr_tok_append_text(addr, ctx->domain);
    }

    /* 5. One trailing dot goes, but not from ".." or "@.". */
    if (addr->tail->type == '.' && addr->tail->prev && addr->tail->prev->type != '.' &&
        addr->tail->prev->type != '@')
        tr_tok_remove(addr, addr->tail);
}

/*
 * External form as Postfix writes a rewritten address: the local part
 * re-quoted as one string when needed, the domain unquoted.
 */
void tr_rewrite_externalize(VSTRING *result, TOK822 *addr)
{
    VSTRING *text = vstring_alloc(100);
    TOK822 *first = addr->head;
    TOK822 *at = tr_tok_rfind(addr, '@');
    TOK822 *colon;

    vstring_reset(result);
    if (addr->head == 0) {
        vstring_free(text);
        return;
    }
    /* A route that was not stripped (nothing after the ':') stays as is. */
    if (first->type == '@' && (colon = tr_tok_find(addr, ':')) != 0 && (at == 0 || at == first)) {
        vstring_strcat(result, vstring_str(tr_tok_text(text, first, colon)));
        first = colon->next;
        at = 0;
    }
    if (first == at || first == 0) {
        vstring_strcat(result, "\"\"");
    } else {
        tr_tok_text(text, first, at ? at->prev : 0);
        if (VSTRING_LEN(text) == 0)
            vstring_strcat(result, "\"\"");
        else
            quote_822_local_flags(result, vstring_str(text),
                                  QUOTE_FLAG_APPEND | QUOTE_FLAG_BARE_LOCALPART);
    }
    if (at) {
        vstring_addch(result, '@');
        if (at->next)
            vstring_strcat(result, vstring_str(tr_tok_text(text, at->next, 0)));
    }
    vstring_free(text);
}

int tr_rewrite_addr(const char *rule, const char *addr, VSTRING *result)
{
    TR_REWRITE_CTX ctx;
    TOK822 *tree;

    if (strcmp(rule, REWRITE_LOCAL) == 0)
        tr_rewrite_local(&ctx);
    else if (strcmp(rule, REWRITE_REMOTE) == 0)
        tr_rewrite_remote(&ctx);
    else
        return -1;
    if (*addr == 0) {
        vstring_reset(result);
        return 0;
    }
    tree = tr_tok_scan_addr(addr);
    tr_rewrite_tree(&ctx, tree);
    tr_rewrite_externalize(result, tree);
    tok822_free_tree(tree);
    return 0;
}
