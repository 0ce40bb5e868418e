/*
 * tok822 - RFC 5322 (RFC 822) address tokenizer and parser.
 *
 * Turns a header value ("Joe <joe@a>, (c) b@c, grp: x@y, z;") or an
 * envelope address into a token tree, from which the caller extracts each
 * address's internal form, rewrites addresses in place, and writes the
 * header value back with display names, comments and groups preserved.
 *
 * Tokens (TOK822.type):
 *   TOK822_ATOM      run of atext (8-bit bytes included); vstr is the raw
 *                    text, backslash escapes included
 *   TOK822_QSTRING   "..."; vstr is the raw text between the quotes
 *   TOK822_COMMENT   (...); vstr is the raw text between the outer
 *                    parentheses, nested parentheses included
 *   TOK822_DOMLIT    [...]; vstr is the raw text between the brackets
 *   TOK822_ADDR      one address (tok822_parse, tok822_scan_addr): its
 *                    children (head..tail) are the tokens of the addr-spec,
 *                    without the angle brackets, route included
 *   TOK822_STARTGRP  the ':' that starts an address group
 *   any other value  a one-character special ()<>@,;:.[] or a control
 *                    character outside quotes; vstr is null
 * White space outside quotes, comments and literals separates tokens and is
 * not kept.  Recovery from bad input is Postfix-like: an unterminated
 * quoted string, comment (at any nesting depth) or domain literal is closed
 * at the end of the input; a backslash at the very end is dropped.  Comment
 * nesting is counted, not recursed, so "((((..." 10^6 deep is harmless.
 *
 * Grouping (tok822_parse) follows Postfix 3.7, observed header by header
 * (tok822_test.c holds the cases, with Postfix's output), so that a header
 * that cleanup rewrites comes out as Postfix would write it.  The list is
 * read backwards from the end:
 *   - ',' separates addresses; ';' ends a group, and only then is an
 *     earlier ':' a group start (TOK822_STARTGRP), whose name runs back to
 *     the previous ','; without ';' a ':' is part of an address
 *     ("foo:bar@x" is one address);
 *   - a '>' pairs with the nearest '<' before it; everything between is
 *     the address (',' included: "<a, b>" is one address), with its
 *     comments moved to the end inside the brackets; the tokens before the
 *     '<' back to ',', ';', '>' (or the group's ':') are the display name;
 *     "<>" is an address with no tokens (the null address); a '>' with no
 *     '<' before it is left alone;
 *   - any other token ends an addr-spec that runs back to ',', ';', '>',
 *     the group's ':', or a word that directly follows a word (so
 *     "a b c" is three addresses; '<', ':' and other specials join);
 *     comments met on the way are moved behind the address, and a ','
 *     token is inserted in front of it when ';', '>' or a word separated
 *     it from the text before.
 * Internal form (tok822_internalize): quotes and backslash escapes
 * removed, comments dropped, [literal] kept with its brackets, and no
 * white space except, as in Postfix, after ',', before '<', and between
 * two adjacent words that are not both atoms ("<a"b"@c>" is "a b@c",
 * "<a b@c>" is "ab@c").
 * External form (tok822_externalize): one space after ',' and after a
 * group's ':', before '<', and between two words (atoms, quoted strings,
 * comments, literals); nothing else: "Joe Q.Public <a@b>(c), d@e (f)".
 *
 * Functions:
 *   tok822_scan(str, limit, &truncated)       flat token list (head)
 *   tok822_parse(str, limit, &truncated)      token list with TOK822_ADDR
 *                                             nodes; null for no tokens
 *   tok822_scan_addr(str, limit, &truncated)  one TOK822_ADDR holding every
 *                                             token of str (envelope use)
 *       At most limit tokens are produced (0 means TOK822_DEF_LIMIT); if
 *       the input had more, scanning stops, *truncated is set to 1 (it is
 *       always written when not null) and the caller should warn.
 *   tok822_free_tree(tp)       frees tp, every sibling after it, and all
 *                              their children
 *   tok822_grep(tree, type, &count)  null-terminated array (mymalloc'ed;
 *                              caller frees the array only) of the top-level
 *                              tokens of that type, in order
 *   tok822_internalize(vp, tp, flags)  the internal form of tp (e.g. an
 *                              ADDR node)
 *   tok822_externalize(vp, tp, flags)  text that tok822_parse turns back
 *                              into the same addresses
 *       Flags: TOK822_STR_APPEND (append to vp instead of replacing),
 *       TOK822_STR_LIST (tp and all siblings after it, else tp alone),
 *       TOK822_STR_LINE (a newline instead of a space after top-level
 *       commas: one address per line, for tok822_fold).
 *   tok822_fold(vp, width)     folds a header made with TOK822_STR_LINE
 *                              ("To: " + the list) the way Postfix's
 *                              cleanup does: a line is joined to the one
 *                              before, with a space, while the result stays
 *                              shorter than width (cleanup uses 70) bytes;
 *                              remaining line breaks become "\n\t"
 *   tok822_strip_route(addr)   removes a source route ("@a,@b:") from the
 *                              front of an ADDR's tokens; returns 1 if
 *                              there was one
 *   tok822_addr_set(addr, internal)  replace the children of the
 *                              TOK822_ADDR addr with the tokens of the
 *                              internal address (quoted with
 *                              quote_822_local); comments and display name
 *                              outside addr stay
 *   tok822_addr_list(str, limit, &truncated)  convenience: ARGV of the
 *                              internal forms of every address in str
 *   tok822_alloc(type, text), tok822_free(tp)  single tokens
 */
#ifndef POSTERN_TOK822_H
#define POSTERN_TOK822_H

#include <stddef.h>

#include "argv.h"
#include "vstring.h"

#define TOK822_ATOM 256
#define TOK822_QSTRING 257
#define TOK822_COMMENT 258
#define TOK822_DOMLIT 259
#define TOK822_ADDR 260
#define TOK822_STARTGRP 261

#define TOK822_DEF_LIMIT 10000 /* Postfix's token_limit default */

typedef struct TOK822 {
    int type;
    VSTRING *vstr;       /* raw text, or null */
    struct TOK822 *prev; /* siblings */
    struct TOK822 *next;
    struct TOK822 *head; /* children (TOK822_ADDR) */
    struct TOK822 *tail;
    struct TOK822 *owner; /* parent, or null at top level */
} TOK822;

#define TOK822_STR_NONE 0
#define TOK822_STR_APPEND (1 << 0)
#define TOK822_STR_LIST (1 << 1)
#define TOK822_STR_LINE (1 << 2)

extern TOK822 *tok822_alloc(int type, const char *text);
extern void tok822_free(TOK822 *tp);
extern void tok822_free_tree(TOK822 *tp);
extern TOK822 *tok822_scan(const char *str, size_t limit, int *truncated);
extern TOK822 *tok822_parse(const char *str, size_t limit, int *truncated);
extern TOK822 *tok822_scan_addr(const char *str, size_t limit, int *truncated);
extern TOK822 **tok822_grep(TOK822 *tree, int type, size_t *count);
extern VSTRING *tok822_internalize(VSTRING *vp, TOK822 *tp, int flags);
extern VSTRING *tok822_externalize(VSTRING *vp, TOK822 *tp, int flags);
extern void tok822_addr_set(TOK822 *addr, const char *internal);
extern VSTRING *tok822_fold(VSTRING *vp, size_t width);
extern int tok822_strip_route(TOK822 *addr);
extern ARGV *tok822_addr_list(const char *str, size_t limit, int *truncated);

#endif
