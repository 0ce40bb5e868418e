/*
 * postalias_parse - aliases(5) line tokenizer; see postalias_parse.h.
 *
 * The line is cut into RFC 822 tokens: atoms (a backslash escapes the next
 * character), "quoted strings", (comments) kept as written, [domain
 * literals] and the one-character specials < > @ , ; : . ) ].  Unterminated
 * quoted strings and domain literals are closed at the end of the line; an
 * unterminated comment is kept as is; a backslash at the very end is
 * dropped.  The key is every token before the first ':'; the value is every
 * token after it.  A comma before the colon, an empty key or an empty value
 * is "need name:value pair"; an '@' before the colon is "name must be
 * local".  These rules and the spacing of the re-joined value were taken
 * from observing Debian's postalias 3.7, so that both build the same table.
 *
 * Resources: proportional to the line length (one token array).
 */
#include <ctype.h>
#include <string.h>

#include "mymalloc.h"
#include "postalias_parse.h"
#include "vstring.h"

#define PA_ATOM    256
#define PA_QSTRING 257
#define PA_COMMENT 258
#define PA_DOMLIT  259

#define PA_SPECIALS "<>@,;:.)]"

typedef struct PA_TOKEN {
    int type;
    size_t start; /* into the text buffer */
    size_t len;
    int quote; /* atom needs quoting when written */
} PA_TOKEN;

typedef struct PA_STATE {
    PA_TOKEN *tok;
    size_t count;
    size_t size;
    VSTRING *text; /* token texts, back to back */
} PA_STATE;

static PA_TOKEN *pa_new(PA_STATE *st, int type)
{
    if (st->count == st->size) {
        st->size = st->size ? st->size * 2 : 16;
        st->tok = myrealloc_array(st->tok, st->size, sizeof(PA_TOKEN));
    }
    st->tok[st->count].type = type;
    st->tok[st->count].start = VSTRING_LEN(st->text);
    st->tok[st->count].len = 0;
    st->tok[st->count].quote = 0;
    return st->tok + st->count++;
}

static void pa_end(PA_STATE *st, PA_TOKEN *tp)
{
    tp->len = VSTRING_LEN(st->text) - tp->start;
}

static void pa_scan(PA_STATE *st, const char *cp)
{
    PA_TOKEN *tp;

    while (*cp) {
        unsigned char ch = (unsigned char)*cp;

        if (isspace(ch)) {
            cp++;
        } else if (ch == '"') {
            tp = pa_new(st, PA_QSTRING);
            for (cp++; *cp && *cp != '"'; cp++) {
                if (*cp == '\\' && cp[1])
                    cp++;
                else if (*cp == '\\')
                    continue;
                vstring_addch(st->text, *cp);
            }
            if (*cp == '"')
                cp++;
            pa_end(st, tp);
        } else if (ch == '(') {
            int level = 0;

            tp = pa_new(st, PA_COMMENT);
            while (*cp) {
                if (*cp == '\\' && cp[1]) {
                    vstring_addch(st->text, *cp++);
                } else if (*cp == '(') {
                    level++;
                } else if (*cp == ')' && --level == 0) {
                    vstring_addch(st->text, *cp++);
                    break;
                }
                vstring_addch(st->text, *cp++);
            }
            pa_end(st, tp);
        } else if (ch == '[') {
            tp = pa_new(st, PA_DOMLIT);
            vstring_addch(st->text, '[');
            for (cp++; *cp && *cp != ']'; cp++) {
                if (*cp == '\\' && cp[1])
                    vstring_addch(st->text, *cp++);
                vstring_addch(st->text, *cp);
            }
            if (*cp == ']')
                cp++;
            vstring_addch(st->text, ']');
            pa_end(st, tp);
        } else if (strchr(PA_SPECIALS, ch)) {
            tp = pa_new(st, ch);
            cp++;
        } else {
            tp = pa_new(st, PA_ATOM);
            while (*cp && !isspace((unsigned char)*cp) && !strchr(PA_SPECIALS "\"([", *cp)) {
                if (*cp == '\\') {
                    if (cp[1] == 0) {
                        cp++;
                        break;
                    }
                    cp++;
                    if (isspace((unsigned char)*cp) || strchr(PA_SPECIALS "\"()[\\", *cp))
                        tp->quote = 1;
                }
                vstring_addch(st->text, *cp++);
            }
            pa_end(st, tp);
            if (tp->len == 0 && !tp->quote)
                st->count--; /* lone trailing backslash */
        }
    }
}

static int pa_wordlike(int type)
{
    return type == PA_ATOM || type == PA_QSTRING || type == PA_COMMENT || type == PA_DOMLIT;
}

/* Join tokens [first, last) with Postfix's spacing; external form quotes. */
static void pa_join(PA_STATE *st, size_t first, size_t last, VSTRING *out, int external)
{
    const char *text = vstring_str(st->text);

    vstring_reset(out);
    for (size_t i = first; i < last; i++) {
        PA_TOKEN *tp = st->tok + i;

        if (i > first) {
            int prev = st->tok[i - 1].type;

            if (prev == ',' || (pa_wordlike(prev) && (pa_wordlike(tp->type) || tp->type == '<')))
                vstring_addch(out, ' ');
        }
        if (tp->type == PA_QSTRING || (tp->type == PA_ATOM && tp->quote)) {
            if (!external) {
                vstring_memcat(out, text + tp->start, tp->len);
                continue;
            }
            vstring_addch(out, '"');
            for (size_t j = 0; j < tp->len; j++) {
                char ch = text[tp->start + j];

                if (ch == '"' || ch == '\\')
                    vstring_addch(out, '\\');
                vstring_addch(out, ch);
            }
            vstring_addch(out, '"');
        } else if (tp->type >= PA_ATOM) {
            vstring_memcat(out, text + tp->start, tp->len);
        } else {
            vstring_addch(out, tp->type);
        }
    }
}

int postalias_parse(const char *line, VSTRING *key, VSTRING *value, const char **why)
{
    PA_STATE st;
    size_t colon;
    int status = 0;

    memset(&st, 0, sizeof(st));
    st.text = vstring_alloc(100);
    pa_scan(&st, line);
    for (colon = 0; colon < st.count && st.tok[colon].type != ':'; colon++)
        /* void */;
    *why = 0;
    if (colon == st.count || colon == 0 || colon + 1 == st.count) {
        *why = "need name:value pair";
    } else {
        for (size_t i = 0; i < colon; i++) {
            if (st.tok[i].type == ',') {
                *why = "need name:value pair";
                break;
            }
            if (st.tok[i].type == '@') {
                *why = "name must be local";
                break;
            }
        }
    }
    if (*why) {
        status = -1;
    } else {
        pa_join(&st, 0, colon, key, 0);
        pa_join(&st, colon + 1, st.count, value, 1);
    }
    myfree(st.tok);
    vstring_free(st.text);
    return status;
}
