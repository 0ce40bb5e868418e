/*
 * dict_line - logical-line reader for postmap source files; see dict_line.h.
 *
 * Physical lines are read with getline() and the one after a logical line
 * is kept as look-ahead, because only the next line can tell whether the
 * current logical line continues.  Memory is bounded: a physical or logical
 * line beyond DICT_LINE_LIMIT is truncated and flagged.
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
    char *phys; /* getline() buffer */
    size_t phys_size;
    ssize_t phys_len; /* look-ahead length, -1 = none */
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
    return lp;
}

void dict_line_close(DICT_LINE *lp)
{
    free(lp->phys); /* allocated by getline() */
    myfree(lp->name);
    myfree(lp);
}

int dict_line_number(const DICT_LINE *lp)
{
    return lp->start_lineno;
}

/* Read the next physical line that is neither blank nor a comment. */
static int dict_line_next(DICT_LINE *lp)
{
    const char *cp;

    for (;;) {
        errno = 0;
        lp->phys_len = getline(&lp->phys, &lp->phys_size, lp->fp);
        if (lp->phys_len < 0) {
            if (ferror(lp->fp))
                lp->read_error = errno ? errno : EIO;
            return 0;
        }
        lp->phys_lineno++;
        if (lp->phys_len > 0 && lp->phys[lp->phys_len - 1] == '\n')
            lp->phys[--lp->phys_len] = 0;
        cp = skipblanks(lp->phys);
        if (*cp == 0 || *cp == '#')
            continue;
        return 1;
    }
}

static int dict_line_is_cont(const DICT_LINE *lp)
{
    return isspace((unsigned char)lp->phys[0]);
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
        msg_warn("%s: logical line must not start with whitespace: \"%.100s\"", lp->name, lp->phys);
    }
    lp->start_lineno = lp->phys_lineno;
    for (;;) {
        if (VSTRING_LEN(buf) + (size_t)lp->phys_len > DICT_LINE_LIMIT)
            toolong = 1;
        else
            vstring_memcat(buf, lp->phys, (size_t)lp->phys_len);
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
