/*
 * tok822 - RFC 5322 address tokenizer and parser; see tok822.h.
 *
 * Cost: scanning, grouping, internalizing and externalizing are each one
 * pass over the input or the token list, so total work is linear in the
 * input length; the token count is capped by the caller's limit.  Nothing
 * recurses on input structure (nested comments are counted), so a hostile
 * header cannot exhaust the stack.
 */
#include <stdint.h>
#include <string.h>

#include "argv.h"
#include "mymalloc.h"
#include "quote_822_local.h"
#include "tok822.h"
#include "vstring.h"

typedef struct {
    TOK822 *head;
    TOK822 *tail;
} TOK822_LIST;

TOK822 *tok822_alloc(int type, const char *text)
{
    TOK822 *tp = mymalloc(sizeof(*tp));

    tp->type = type;
    tp->vstr = text ? vstring_strcpy(vstring_alloc(strlen(text)), text) : 0;
    tp->prev = tp->next = tp->head = tp->tail = tp->owner = 0;
    return tp;
}

void tok822_free(TOK822 *tp)
{
    if (tp->vstr)
        vstring_free(tp->vstr);
    myfree(tp);
}

void tok822_free_tree(TOK822 *tp)
{
    TOK822 *next;

    for (; tp; tp = next) {
        next = tp->next;
        if (tp->head)
            tok822_free_tree(tp->head);
        tok822_free(tp);
    }
}

static void tok822_list_append(TOK822_LIST *list, TOK822 *tp)
{
    tp->prev = list->tail;
    tp->next = 0;
    if (list->tail)
        list->tail->next = tp;
    else
        list->head = tp;
    list->tail = tp;
}

static int tok822_is_space(int ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\v' || ch == '\f';
}

/*
 * Raw text of quoted strings, comments and literals keeps everything but
 * newlines, which become spaces, as in Postfix: a folded header value
 * ("a\n b") reads as if unfolded, and a newline in the output is always
 * a line break made by tok822_externalize/tok822_fold.
 */
static void tok822_raw_add(VSTRING *vp, const char *cp, size_t len)
{
    for (size_t i = 0; i < len; i++)
        vstring_addch(vp, cp[i] == '\n' ? ' ' : cp[i]);
}

/*
 * Collect raw text up to an unescaped close character (which is consumed).
 * A backslash pair is kept as is; a backslash at the end of input is dropped.
 */
static const char *tok822_collect(VSTRING *vp, const char *cp, int close)
{
    while (*cp) {
        if (*cp == '\\') {
            if (cp[1] == 0)
                return cp + 1;
            tok822_raw_add(vp, cp, 2);
            cp += 2;
            continue;
        }
        if (*cp == close)
            return cp + 1;
        tok822_raw_add(vp, cp++, 1);
    }
    return cp;
}

/* Comment text after the opening '('; unterminated levels are closed. */
static const char *tok822_collect_comment(VSTRING *vp, const char *cp)
{
    size_t depth = 1;

    while (*cp) {
        if (*cp == '\\') {
            if (cp[1] == 0) {
                cp++;
                break;
            }
            tok822_raw_add(vp, cp, 2);
            cp += 2;
            continue;
        }
        if (*cp == '(') {
            depth++;
        } else if (*cp == ')' && --depth == 0) {
            return cp + 1;
        }
        tok822_raw_add(vp, cp++, 1);
    }
    while (depth-- > 1)
        vstring_addch(vp, ')');
    return cp;
}

static const char *tok822_collect_atom(VSTRING *vp, const char *cp)
{
    while (*cp) {
        if (*cp == '\\') {
            if (cp[1] == 0)
                return cp + 1;
            tok822_raw_add(vp, cp, 2);
            cp += 2;
        } else if (quote_822_is_atext(*cp, QUOTE_FLAG_NONE)) {
            vstring_addch(vp, *cp++);
        } else {
            break;
        }
    }
    return cp;
}

TOK822 *tok822_scan(const char *str, size_t limit, int *truncated)
{
    TOK822_LIST list = {0, 0};
    size_t count = 0;
    const char *cp = str;
    TOK822 *tp;

    if (truncated)
        *truncated = 0;
    if (limit == 0)
        limit = TOK822_DEF_LIMIT;
    while (*cp) {
        if (tok822_is_space((unsigned char) *cp)) {
            cp++;
            continue;
        }
        if (count >= limit) {
            if (truncated)
                *truncated = 1;
            break;
        }
        if (*cp == '(') {
            tp = tok822_alloc(TOK822_COMMENT, "");
            cp = tok822_collect_comment(tp->vstr, cp + 1);
        } else if (*cp == '"') {
            tp = tok822_alloc(TOK822_QSTRING, "");
            cp = tok822_collect(tp->vstr, cp + 1, '"');
        } else if (*cp == '[') {
            tp = tok822_alloc(TOK822_DOMLIT, "");
            cp = tok822_collect(tp->vstr, cp + 1, ']');
        } else if (*cp == '\\' || quote_822_is_atext(*cp, QUOTE_FLAG_NONE)) {
            tp = tok822_alloc(TOK822_ATOM, "");
            cp = tok822_collect_atom(tp->vstr, cp);
            if (VSTRING_LEN(tp->vstr) == 0) { /* lone backslash at the end */
                tok822_free(tp);
                continue;
            }
        } else {
            tp = tok822_alloc((unsigned char) *cp++, 0);
        }
        tok822_list_append(&list, tp);
        count++;
    }
    return list.head;
}

static int tok822_is_word(int type)
{
    return type == TOK822_ATOM || type == TOK822_QSTRING || type == TOK822_COMMENT ||
           type == TOK822_DOMLIT;
}

static void tok822_list_prepend(TOK822_LIST *list, TOK822 *tp)
{
    tp->owner = 0;
    tp->prev = 0;
    tp->next = list->head;
    if (list->head)
        list->head->prev = tp;
    else
        list->tail = tp;
    list->head = tp;
}

/*
 * A TOK822_ADDR whose children are the non-comment tokens of tok[lo, hi),
 * followed by its comments when keep_comments is set.
 */
static TOK822 *tok822_make_addr(TOK822 **tok, size_t lo, size_t hi, int keep_comments)
{
    TOK822 *addr = tok822_alloc(TOK822_ADDR, 0);
    TOK822_LIST kids = {0, 0};
    size_t i;

    for (i = lo; i < hi; i++)
        if (tok[i]->type != TOK822_COMMENT)
            tok822_list_append(&kids, tok[i]);
    if (keep_comments)
        for (i = lo; i < hi; i++)
            if (tok[i]->type == TOK822_COMMENT)
                tok822_list_append(&kids, tok[i]);
    for (TOK822 *tp = kids.head; tp; tp = tp->next)
        tp->owner = addr;
    addr->head = kids.head;
    addr->tail = kids.tail;
    return addr;
}

/*
 * Grouping works backwards from the end of the list, as Postfix's does;
 * see tok822.h for the rules.  tok[] holds the scanned tokens; lt[i] is one
 * more than the index of the nearest '<' before tok[i] (0: none), so that
 * each '>' finds its partner in constant time and the whole pass is linear.
 */
TOK822 *tok822_parse(const char *str, size_t limit, int *truncated)
{
    TOK822 *list = tok822_scan(str, limit, truncated);
    TOK822_LIST out = {0, 0};
    TOK822 **tok;
    size_t *lt;
    size_t n = 0;
    size_t i;
    int in_group = 0;

    if (list == 0)
        return 0;
    for (TOK822 *tp = list; tp; tp = tp->next)
        n++;
    tok = mymalloc_array(n, sizeof(*tok));
    lt = mymalloc_array(n, sizeof(*lt));
    n = 0;
    for (TOK822 *tp = list; tp; tp = tp->next) {
        lt[n] = n == 0 ? 0 : tok[n - 1]->type == '<' ? n : lt[n - 1];
        tok[n++] = tp;
    }

    for (i = n; i-- > 0;) {
        TOK822 *tp = tok[i];
        int type = tp->type;

        if (type == TOK822_COMMENT || type == ',') {
            tok822_list_prepend(&out, tp);
        } else if (type == ';') {
            in_group = 1;
            tok822_list_prepend(&out, tp);
        } else if (type == ':' && in_group) {
            /* Group start; the group's name runs back to a comma. */
            tp->type = TOK822_STARTGRP;
            in_group = 0;
            tok822_list_prepend(&out, tp);
            while (i > 0 && tok[i - 1]->type != ',')
                tok822_list_prepend(&out, tok[--i]);
        } else if (type == '>' && lt[i] == 0) {
            tok822_list_prepend(&out, tp); /* no '<' anywhere before */
        } else if (type == '>') {
            /* <addr>: from the nearest '<'; its comments go last, inside. */
            size_t open = lt[i] - 1;

            tok822_list_prepend(&out, tp);
            tok822_list_prepend(&out, tok822_make_addr(tok, open + 1, i, 1));
            tok822_list_prepend(&out, tok[open]);
            /* The display name runs back to a separator or another address. */
            for (i = open; i > 0; i--) {
                int prev = tok[i - 1]->type;

                if (prev == ',' || prev == ';' || prev == '>' || (prev == ':' && in_group))
                    break;
                tok822_list_prepend(&out, tok[i - 1]);
            }
        } else {
            /*
             * addr-spec: back to a separator, a '>', or a word right after
             * a word; comments met on the way move behind the address, and
             * a comma goes in front when none separates it from the text
             * before.
             */
            size_t hi = i + 1;
            int last_word = tok822_is_word(type);
            int need_comma = 0;

            while (i > 0) {
                int prev = tok[i - 1]->type;

                if (prev == TOK822_COMMENT) {
                    i--;
                    continue;
                }
                if (prev == ',' || (prev == ':' && in_group))
                    break;
                if (prev == ';' || prev == '>' || (last_word && tok822_is_word(prev))) {
                    need_comma = 1;
                    break;
                }
                last_word = tok822_is_word(prev);
                i--;
            }
            for (size_t j = hi; j-- > i;)
                if (tok[j]->type == TOK822_COMMENT)
                    tok822_list_prepend(&out, tok[j]);
            tok822_list_prepend(&out, tok822_make_addr(tok, i, hi, 0));
            if (need_comma)
                tok822_list_prepend(&out, tok822_alloc(',', 0));
        }
    }
    myfree(tok);
    myfree(lt);
    return out.head;
}

TOK822 *tok822_scan_addr(const char *str, size_t limit, int *truncated)
{
    TOK822 *addr = tok822_alloc(TOK822_ADDR, 0);

    addr->head = tok822_scan(str, limit, truncated);
    for (TOK822 *tp = addr->head; tp; tp = tp->next) {
        tp->owner = addr;
        addr->tail = tp;
    }
    return addr;
}

TOK822 **tok822_grep(TOK822 *tree, int type, size_t *count)
{
    size_t n = 0;
    TOK822 **out;
    TOK822 *tp;

    for (tp = tree; tp; tp = tp->next)
        n += tp->type == type;
    out = mymalloc_array(n + 1, sizeof(*out));
    n = 0;
    for (tp = tree; tp; tp = tp->next)
        if (tp->type == type)
            out[n++] = tp;
    out[n] = 0;
    if (count)
        *count = n;
    return out;
}

/* Append raw text with backslash escapes removed. */
static void tok822_unescape(VSTRING *vp, const VSTRING *raw)
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
 * Internal form: no white space, except where Postfix puts it: between two
 * words that are not both atoms, before '<', and after ','.
 */
static void tok822_internal_sep(VSTRING *vp, int *last, int type)
{
    int last_type = *last;

    *last = type;
    if (last_type == 0)
        return;
    if (type == '<' || last_type == ',' ||
        (tok822_is_word(type) && tok822_is_word(last_type) &&
         !(type == TOK822_ATOM && last_type == TOK822_ATOM)))
        vstring_addch(vp, ' ');
}

static void tok822_internal(VSTRING *vp, TOK822 *tp, int list, int *last)
{
    for (; tp; tp = list ? tp->next : 0) {
        switch (tp->type) {
        case TOK822_ADDR:
            tok822_internal(vp, tp->head, 1, last);
            break;
        case TOK822_COMMENT:
            break;
        case TOK822_ATOM:
        case TOK822_QSTRING:
            tok822_internal_sep(vp, last, tp->type);
            tok822_unescape(vp, tp->vstr);
            break;
        case TOK822_DOMLIT:
            tok822_internal_sep(vp, last, tp->type);
            vstring_addch(vp, '[');
            tok822_unescape(vp, tp->vstr);
            vstring_addch(vp, ']');
            break;
        case TOK822_STARTGRP:
            tok822_internal_sep(vp, last, tp->type);
            vstring_addch(vp, ':');
            break;
        default:
            tok822_internal_sep(vp, last, tp->type);
            vstring_addch(vp, tp->type);
            break;
        }
    }
}

VSTRING *tok822_internalize(VSTRING *vp, TOK822 *tp, int flags)
{
    int last = 0;

    if ((flags & TOK822_STR_APPEND) == 0)
        vstring_reset(vp);
    tok822_internal(vp, tp, flags & TOK822_STR_LIST, &last);
    return vp;
}

typedef struct {
    VSTRING *vp;
    int flags;
    int last;     /* type of the last token written, 0 at start */
    int last_top; /* it was at top level */
} TOK822_WRITER;

/* Spacing as Postfix writes it: "Joe Q.Public <a@b>(c), d@e (f)". */
static void tok822_write_sep(TOK822_WRITER *wp, const TOK822 *tp)
{
    int type = tp->type;
    int last = wp->last;

    if (last == 0)
        return;
    if (last == ',' && wp->last_top && (wp->flags & TOK822_STR_LINE))
        vstring_addch(wp->vp, '\n');
    else if (last == ',' || last == TOK822_STARTGRP || type == '<' ||
             (tok822_is_word(last) && tok822_is_word(type)))
        vstring_addch(wp->vp, ' ');
}

static void tok822_write(TOK822_WRITER *wp, TOK822 *tp, int list)
{
    for (; tp; tp = list ? tp->next : 0) {
        if (tp->type == TOK822_ADDR) {
            tok822_write(wp, tp->head, 1);
            continue;
        }
        tok822_write_sep(wp, tp);
        switch (tp->type) {
        case TOK822_ATOM:
            vstring_memcat(wp->vp, vstring_str(tp->vstr), VSTRING_LEN(tp->vstr));
            break;
        case TOK822_QSTRING:
            vstring_addch(wp->vp, '"');
            vstring_memcat(wp->vp, vstring_str(tp->vstr), VSTRING_LEN(tp->vstr));
            vstring_addch(wp->vp, '"');
            break;
        case TOK822_COMMENT:
            vstring_addch(wp->vp, '(');
            vstring_memcat(wp->vp, vstring_str(tp->vstr), VSTRING_LEN(tp->vstr));
            vstring_addch(wp->vp, ')');
            break;
        case TOK822_DOMLIT:
            vstring_addch(wp->vp, '[');
            vstring_memcat(wp->vp, vstring_str(tp->vstr), VSTRING_LEN(tp->vstr));
            vstring_addch(wp->vp, ']');
            break;
        case TOK822_STARTGRP:
            vstring_addch(wp->vp, ':');
            break;
        default:
            vstring_addch(wp->vp, tp->type);
            break;
        }
        wp->last = tp->type;
        wp->last_top = tp->owner == 0;
    }
}

VSTRING *tok822_externalize(VSTRING *vp, TOK822 *tp, int flags)
{
    TOK822_WRITER w = {vp, flags, 0, 0};

    if ((flags & TOK822_STR_APPEND) == 0)
        vstring_reset(vp);
    tok822_write(&w, tp, flags & TOK822_STR_LIST);
    return vp;
}

void tok822_addr_set(TOK822 *addr, const char *internal)
{
    VSTRING *ext = vstring_alloc(strlen(internal) + 8);
    TOK822_LIST kids = {0, 0};
    TOK822_LIST comments = {0, 0};
    TOK822 *tp;
    TOK822 *next;

    /* Comments inside the address (e.g. "<a@b (c)>") stay, at the end. */
    for (tp = addr->head; tp; tp = next) {
        next = tp->next;
        if (tp->type == TOK822_COMMENT) {
            tok822_list_append(&comments, tp);
        } else {
            tp->next = 0;
            tok822_free_tree(tp);
        }
    }
    quote_822_local(ext, internal);
    /* Our own text: no token limit. */
    for (tp = tok822_scan(vstring_str(ext), SIZE_MAX, 0); tp; tp = next) {
        next = tp->next;
        tok822_list_append(&kids, tp);
    }
    vstring_free(ext);

    /*
     * The null address needs a token of its own unless "<" ">" surround it:
     * an empty slot would not be an address when the text is parsed again.
     */
    if (kids.head == 0 && !(addr->prev && addr->prev->type == '<'))
        tok822_list_append(&kids, tok822_alloc(TOK822_QSTRING, ""));
    for (tp = comments.head; tp; tp = next) {
        next = tp->next;
        tok822_list_append(&kids, tp);
    }
    for (tp = kids.head; tp; tp = tp->next)
        tp->owner = addr;
    addr->head = kids.head;
    addr->tail = kids.tail;
}

VSTRING *tok822_fold(VSTRING *vp, size_t width)
{
    char *text = mystrndup(vstring_str(vp), VSTRING_LEN(vp));
    char *line = text;
    size_t cur = 0; /* length of the output line so far */
    int first = 1;

    vstring_reset(vp);
    for (;;) {
        char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t) (nl - line) : strlen(line);

        if (first) {
            cur = len;
            first = 0;
        } else if (cur + 1 + len < width) {
            vstring_addch(vp, ' ');
            cur += 1 + len;
        } else {
            vstring_strcat(vp, "\n\t");
            cur = len;
        }
        vstring_memcat(vp, line, len);
        if (nl == 0)
            break;
        line = nl + 1;
    }
    myfree(text);
    return vp;
}

int tok822_strip_route(TOK822 *addr)
{
    TOK822 *tp;
    TOK822 *colon = 0;

    if (addr->head == 0 || addr->head->type != '@')
        return 0;
    for (tp = addr->head; tp; tp = tp->next) {
        if (tp->type == ':') {
            colon = tp;
            break;
        }
    }
    if (colon == 0 || colon->next == 0)
        return 0;
    addr->head = colon->next;
    addr->head->prev = 0;
    colon->next = 0;
    while ((tp = colon) != 0) {
        colon = tp->prev;
        tok822_free(tp);
    }
    return 1;
}

ARGV *tok822_addr_list(const char *str, size_t limit, int *truncated)
{
    TOK822 *tree = tok822_parse(str, limit, truncated);
    ARGV *argv = argv_alloc(1);
    VSTRING *buf = vstring_alloc(100);

    for (TOK822 *tp = tree; tp; tp = tp->next)
        if (tp->type == TOK822_ADDR)
            argv_add(argv, vstring_str(tok822_internalize(buf, tp, TOK822_STR_NONE)));
    vstring_free(buf);
    tok822_free_tree(tree);
    return argv;
}
