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
 * Collect raw text up to an unescaped close character (which is consumed).
 * A backslash pair is kept as is; a backslash at the end of input is dropped.
 */
static const char *tok822_collect(VSTRING *vp, const char *cp, int close)
{
    while (*cp) {
        if (*cp == '\\') {
            if (cp[1] == 0)
                return cp + 1;
            vstring_memcat(vp, cp, 2);
            cp += 2;
            continue;
        }
        if (*cp == close)
            return cp + 1;
        vstring_addch(vp, *cp++);
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
            vstring_memcat(vp, cp, 2);
            cp += 2;
            continue;
        }
        if (*cp == '(') {
            depth++;
        } else if (*cp == ')' && --depth == 0) {
            return cp + 1;
        }
        vstring_addch(vp, *cp++);
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
            vstring_memcat(vp, cp, 2);
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

/*
 * Replace the sibling run first..last (inclusive; both null for an empty
 * address, which goes before "before") by one TOK822_ADDR node.
 */
static TOK822 *tok822_wrap(TOK822_LIST *list, TOK822 *first, TOK822 *last, TOK822 *before)
{
    TOK822 *addr = tok822_alloc(TOK822_ADDR, 0);
    TOK822 *prev;
    TOK822 *next;

    if (first) {
        prev = first->prev;
        next = last->next;
        addr->head = first;
        addr->tail = last;
        first->prev = 0;
        last->next = 0;
        for (TOK822 *tp = first; tp; tp = tp->next)
            tp->owner = addr;
    } else {
        next = before;
        prev = before ? before->prev : list->tail;
    }
    addr->prev = prev;
    addr->next = next;
    if (prev)
        prev->next = addr;
    else
        list->head = addr;
    if (next)
        next->prev = addr;
    else
        list->tail = addr;
    return addr;
}

typedef struct {
    TOK822_LIST list;
    TOK822 *slot;  /* first token of the current slot */
    TOK822 *lt;    /* unmatched '<' in this slot */
    int had_angle; /* slot had a <...> address */
} TOK822_GROUPER;

/* End the slot before token end (null: end of list). */
static void tok822_finish_slot(TOK822_GROUPER *gp, TOK822 *end)
{
    if (gp->lt) {
        TOK822 *first = gp->lt->next;

        if (first == end)
            tok822_wrap(&gp->list, 0, 0, end);
        else
            tok822_wrap(&gp->list, first, end ? end->prev : gp->list.tail, 0);
    } else if (!gp->had_angle) {
        TOK822 *first = 0;
        TOK822 *last = 0;

        for (TOK822 *tp = gp->slot; tp && tp != end; tp = tp->next) {
            if (tp->type == TOK822_COMMENT)
                continue;
            if (first == 0)
                first = tp;
            last = tp;
        }
        if (first)
            tok822_wrap(&gp->list, first, last, 0);
    }
    gp->lt = 0;
    gp->had_angle = 0;
    gp->slot = end ? end->next : 0;
}

TOK822 *tok822_parse(const char *str, size_t limit, int *truncated)
{
    TOK822_GROUPER g;
    TOK822 *tp;
    TOK822 *next;

    g.list.head = tok822_scan(str, limit, truncated);
    if (g.list.head == 0)
        return 0;
    for (tp = g.list.head; tp->next; tp = tp->next)
        /* void */;
    g.list.tail = tp;
    g.slot = g.list.head;
    g.lt = 0;
    g.had_angle = 0;

    for (tp = g.list.head; tp; tp = next) {
        next = tp->next;
        switch (tp->type) {
        case '<':
            if (g.lt == 0)
                g.lt = tp;
            break;
        case '>':
            if (g.lt) {
                if (g.lt->next == tp)
                    tok822_wrap(&g.list, 0, 0, tp);
                else
                    tok822_wrap(&g.list, g.lt->next, tp->prev, 0);
                g.lt = 0;
                g.had_angle = 1;
            }
            break;
        case ',':
            if (g.lt && next && next->type == '@')
                break; /* <@a,@b:user@dom> */
            tok822_finish_slot(&g, tp);
            break;
        case ';':
            tok822_finish_slot(&g, tp);
            break;
        case ':':
            if (g.lt)
                break;                  /* end of a source route */
            tp->type = TOK822_STARTGRP; /* the words before it name the group */
            g.slot = next;
            g.had_angle = 0;
            break;
        default:
            break;
        }
    }
    tok822_finish_slot(&g, 0);
    return g.list.head;
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

VSTRING *tok822_internalize(VSTRING *vp, TOK822 *tp, int flags)
{
    if ((flags & TOK822_STR_APPEND) == 0)
        vstring_reset(vp);
    for (; tp; tp = (flags & TOK822_STR_LIST) ? tp->next : 0) {
        switch (tp->type) {
        case TOK822_ADDR:
            if (tp->head)
                tok822_internalize(vp, tp->head, TOK822_STR_APPEND | TOK822_STR_LIST);
            break;
        case TOK822_ATOM:
        case TOK822_QSTRING:
            tok822_unescape(vp, tp->vstr);
            break;
        case TOK822_DOMLIT:
            vstring_addch(vp, '[');
            tok822_unescape(vp, tp->vstr);
            vstring_addch(vp, ']');
            break;
        case TOK822_COMMENT:
            break;
        case TOK822_STARTGRP:
            vstring_addch(vp, ':');
            break;
        default:
            vstring_addch(vp, tp->type);
            break;
        }
    }
    return vp;
}

typedef struct {
    VSTRING *vp;
    int flags;
    int last;     /* type of the last token written, 0 at start */
    int last_top; /* it was at top level */
} TOK822_WRITER;

static int tok822_is_word(int type)
{
    return type == TOK822_ATOM || type == TOK822_QSTRING || type == TOK822_COMMENT ||
           type == TOK822_DOMLIT;
}

static void tok822_write_sep(TOK822_WRITER *wp, const TOK822 *tp)
{
    int type = tp->type;
    int last = wp->last;

    if (last == 0 || type == ',' || type == ';')
        return;
    if (wp->last_top && (last == ',' || last == ';' || last == TOK822_STARTGRP)) {
        if (last == ',' && (wp->flags & TOK822_STR_FOLD))
            vstring_strcat(wp->vp, "\n\t");
        else
            vstring_addch(wp->vp, ' ');
    } else if ((tok822_is_word(last) || last == '>' || (last == '.' && wp->last_top)) &&
               (tok822_is_word(type) || type == '<')) {
        /* Words must not run together; "Joe Q. Public <a@b>" reads well. */
        vstring_addch(wp->vp, ' ');
    }
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
    TOK822 *tp;

    if (addr->head)
        tok822_free_tree(addr->head);
    addr->head = addr->tail = 0;
    quote_822_local(ext, internal);
    /* Our own text: no token limit. */
    addr->head = tok822_scan(vstring_str(ext), SIZE_MAX, 0);
    /*
     * The null address needs a token of its own unless "<" ">" surround it:
     * an empty slot would not be an address when the text is parsed again.
     */
    if (addr->head == 0 && !(addr->prev && addr->prev->type == '<'))
        addr->head = tok822_alloc(TOK822_QSTRING, "");
    for (tp = addr->head; tp; tp = tp->next) {
        tp->owner = addr;
        addr->tail = tp;
    }
    vstring_free(ext);
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
