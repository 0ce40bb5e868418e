/*
 * dict_line - logical-line reader for postmap source files; see dict_line.h.
 *
 * Physical lines are read byte by byte (stdio buffers the file) and the one
 * after a logical line is kept as look-ahead, because only the next line can
 * tell whether the current logical line continues.  Memory is bounded: a
 * physical or logical line beyond DICT_LINE_LIMIT is truncated and flagged.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dict_line.h"
#include "msg.h"
#include "mymalloc.h"
#include "stringops.h"
#include "vstring.h"

struct DICT_LINE {
    FILE *fp;
    char *name;
    VSTRING *phys;    /* current physical line */
    int phys_toolong; /* it was cut at DICT_LINE_LIMIT */
    int have_lookahead;
    int phys_lineno;  /* number of the look-ahead line */
    int start_lineno; /* first line of the last logical line */
    int read_error;
};

DICT_LINE *dict_line_open(FILE *fp, const char *name)
{
    DICT_LINE *lp = mycalloc(1, sizeof(*lp));

    lp->fp = fp;
    lp->name = mystrdup(name);
    lp->phys = vstring_alloc(100);
    return lp;
}

void dict_line_close(DICT_LINE *lp)
{
    vstring_free(lp->phys);
    myfree(lp->name);
    myfree(lp);
}

int dict_line_number(const DICT_LINE *lp)
{
    return lp->start_lineno;
}

/*
 * Read the next physical line that is neither blank nor a comment.  Bytes
 * past DICT_LINE_LIMIT are read and dropped, so memory stays bounded.
 */
static int dict_line_next(DICT_LINE *lp)
{
    const char *cp;
    int ch;

    for (;;) {
        vstring_reset(lp->phys);
        lp->phys_toolong = 0;
        errno = 0;
        while ((ch = getc_unlocked(lp->fp)) != EOF && ch != '\n') {
            if (VSTRING_LEN(lp->phys) < DICT_LINE_LIMIT)
                vstring_addch(lp->phys, ch);
            else
                lp->phys_toolong = 1;
        }
        if (ch == EOF && ferror(lp->fp)) {
            lp->read_error = errno ? errno : EIO;
            return 0;
        }
        if (ch == EOF && VSTRING_LEN(lp->phys) == 0 && !lp->phys_toolong)
            return 0;
        lp->phys_lineno++;
        cp = skipblanks(vstring_str(lp->phys));
        if (*cp == 0 || *cp == '#')
            continue;
        return 1;
    }
}

static int dict_line_is_cont(const DICT_LINE *lp)
{
    return isspace((unsigned char)vstring_str(lp->phys)[0]);
}

int dict_line_read(DICT_LINE *lp, VSTRING *buf)
{
    int toolong = 0;

    vstring_reset(buf);
    for (;;) {
        if (!lp->have_lookahead && !dict_line_next(lp)) {
            if (lp->read_error) {
                errno = lp->read_error;
                return DICT_LINE_ERROR;
            }
            return DICT_LINE_EOF;
        }
        lp->have_lookahead = 0;
        if (!dict_line_is_cont(lp))
            break;
        msg_warn("%s: logical line must not start with whitespace: \"%.100s\"", lp->name,
                 vstring_str(lp->phys));
    }
    lp->start_lineno = lp->phys_lineno;
    for (;;) {
        if (lp->phys_toolong || VSTRING_LEN(buf) + VSTRING_LEN(lp->phys) > DICT_LINE_LIMIT)
            toolong = 1;
        else
            vstring_memcat(buf, vstring_str(lp->phys), VSTRING_LEN(lp->phys));
        if (!dict_line_next(lp))
            break;
        if (!dict_line_is_cont(lp)) {
            lp->have_lookahead = 1;
            break;
        }
    }
    trimblanks(vstring_str(buf));
    vstring_set_len(buf, strlen(vstring_str(buf)));
    if (lp->read_error) {
        errno = lp->read_error;
        return DICT_LINE_ERROR;
    }
    return toolong ? DICT_LINE_TOOLONG : DICT_LINE_OK;
}

int dict_line_split(char *line, char **key, char **value)
{
    char *cp;

    *key = line;
    cp = line + strcspn(line, CHARS_SPACE);
    if (*cp == 0)
        return -1;
    *cp++ = 0;
    cp = skipblanks(cp);
    trimblanks(cp);
    if (*cp == 0)
        return -1;
    *value = cp;
    return 0;
}
