/*
 * tr_rewrite - address canonicalization, the "rewrite" half of
 * trivial-rewrite(8).
 *
 *   tr_rewrite_addr(rule, external, result)
 *       The "rewrite" request.  rule is "local" (append $myorigin and
 *       $mydomain) or "remote" (append $remote_header_rewrite_domain, or
 *       nothing when it is empty).  Input and output are external (RFC
 *       5322 quoted) forms.  Returns 0, or -1 for an unknown rule (result
 *       untouched).  An empty address stays empty.
 *   tr_rewrite_tree(ctx, addr)
 *       The same rules on a token tree (a TOK822_ADDR from
 *       tr_tok_scan_addr); tr_resolve uses it with tr_rewrite_local.
 *
 * The rules, in order (postconf(5) names each switch):
 *   1. "" (an empty quoted string) is the null address: unchanged.  A lone
 *      "@" becomes "".
 *   2. A source route is dropped: "@a,@b:user@c" -> "user@c" (RFC 5321
 *      4.1.2 says receivers should ignore it).
 *   3. Without "@":  "site!user" -> "user@site" (swap_bangpath, at the
 *      first "!"); else "user%site" -> "user@site" (allow_percent_hack, at
 *      the last "%"); else "user" -> "user@$myorigin" (append_at_myorigin;
 *      remote context: $remote_header_rewrite_domain).
 *   4. "user@host" -> "user@host.$mydomain" when the domain has no dot and
 *      is not a [literal] (append_dot_mydomain; remote context:
 *      $remote_header_rewrite_domain).  "user@" is left alone.
 *   5. One trailing dot is removed ("user@host." -> "user@host"), but not
 *      from ".." or "@.".
 * Output quoting is Postfix's: the local part (tokens before the last
 * "@", comments and quoted strings included) is re-quoted as one string
 * when it is not a dot-atom ("a b" -> "\"a b\"", "\"u\"" -> "u"); the
 * domain is written with quotes removed and comments kept.
 *
 * Token helpers shared with tr_resolve (children of a TOK822_ADDR):
 *   tr_tok_scan_addr(ext)           scan an external address; "!" and "%"
 *                                   inside atoms become tokens of their
 *                                   own (type '!' / '%'), as the routing
 *                                   rules need them
 *   tr_tok_find(addr, type) / tr_tok_rfind(addr, type)   first / last
 *   tr_tok_after(tp, type)          the first token of type after tp
 *   tr_tok_append(addr, tp), tr_tok_append_text(addr, text)
 *   tr_tok_cut_from(addr, tp)       detach tp and everything after it;
 *                                   returns the detached list
 *   tr_tok_cut_before(addr, tp)     detach everything before tp
 *   tr_tok_remove(addr, tp)         unlink and free one token
 *   tr_tok_text(vp, first, last)    unquoted text of a token range
 *                                   (Postfix's spacing, comments kept)
 */
#ifndef TR_REWRITE_H
#define TR_REWRITE_H

#include "tok822.h"
#include "vstring.h"

typedef struct TR_REWRITE_CTX {
    const char *origin; /* appended as @origin (may be empty) */
    const char *domain; /* appended as .domain (may be empty) */
} TR_REWRITE_CTX;

extern void tr_rewrite_local(TR_REWRITE_CTX *ctx);
extern void tr_rewrite_remote(TR_REWRITE_CTX *ctx);
extern void tr_rewrite_tree(const TR_REWRITE_CTX *ctx, TOK822 *addr);
extern int tr_rewrite_addr(const char *rule, const char *addr, VSTRING *result);
extern void tr_rewrite_externalize(VSTRING *result, TOK822 *addr);

extern TOK822 *tr_tok_scan_addr(const char *ext);
extern TOK822 *tr_tok_find(TOK822 *addr, int type);
extern TOK822 *tr_tok_rfind(TOK822 *addr, int type);
extern TOK822 *tr_tok_after(TOK822 *tp, int type);
extern void tr_tok_append(TOK822 *addr, TOK822 *tp);
extern void tr_tok_append_text(TOK822 *addr, const char *text);
extern TOK822 *tr_tok_cut_from(TOK822 *addr, TOK822 *tp);
extern void tr_tok_cut_before(TOK822 *addr, TOK822 *tp);
extern void tr_tok_remove(TOK822 *addr, TOK822 *tp);
extern VSTRING *tr_tok_text(VSTRING *vp, TOK822 *first, TOK822 *last);

#endif
