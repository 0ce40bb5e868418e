/*
 * dict_pattern - plumbing shared by the regexp, pcre and cidr table types.
 *
 * Interface: see dict_pattern.h.  In short:
 *   dict_pattern_load()        read a whole table file into memory
 *   dict_pattern_read_line()   cut a buffer into logical lines, the way
 *                              Postfix reads its pattern tables
 *   dict_pattern_subst_*()     compile "$1 ${2} $$" result text once and
 *                              expand it against match offsets at lookup
 *   dict_pattern_ifs_*()       the stack of open IF statements
 *
 * Compatibility notes (observed with Postfix 3.7's postmap -q):
 *   - A "$" reference is either "$$" (a literal dollar), "${...}" or "$(...)"
 *     (nesting of the same bracket counted), or "$" followed by a run of
 *     letters, digits and underscores.  A missing closing bracket or an empty
 *     name is a syntax error that stops the scan ("truncated macro
 *     reference", "empty macro name", both quoting the whole result); a name
 *     that is not all digits, or that reads as zero, is an error that is
 *     reported and the scan continues.  Any error makes the caller skip the
 *     rule ("bad replacement syntax").
 *   - Group numbers are read with atoi() semantics, so an overflowing number
 *     wraps exactly as in Postfix.
 *
 * What can go wrong: a file that cannot be opened or read (reported through
 * errtext, the table becomes a surrogate); everything else is a warning.
 * Nothing here aborts on malformed input.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checked.h"
#include "msg.h"
#include "mymalloc.h"
#include "stringops.h"
#include "vstring.h"
#include "dict_pattern.h"

/* ---- file loading ------------------------------------------------------- */

int dict_pattern_load(const char *path, DICT_PATTERN_FILE *file, VSTRING *errtext)
{
    struct stat st;
    size_t size;
    size_t len = 0;
    char *data;
    int fd;

    file->data = 0;
    file->len = 0;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        vstring_sprintf(errtext, "open %s: %m", path);
        return -1;
    }
    if (fstat(fd, &st) < 0) {
        vstring_sprintf(errtext, "fstat %s: %m", path);
        close(fd);
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        vstring_sprintf(errtext, "read %s: %m", path);
        close(fd);
        return -1;
    }
    size = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size : 4096;
    if (size > DICT_PATTERN_MAX_FILE) {
        vstring_sprintf(errtext, "%s: file is larger than %lu bytes", path,
                        (unsigned long)DICT_PATTERN_MAX_FILE);
        close(fd);
        return -1;
    }
    data = mymalloc(checked_add(size, 1));
    for (;;) {
        ssize_t got;

        if (len == size) {
            if (size >= DICT_PATTERN_MAX_FILE) {
                vstring_sprintf(errtext, "%s: file is larger than %lu bytes", path,
                                (unsigned long)DICT_PATTERN_MAX_FILE);
                myfree(data);
                close(fd);
                return -1;
            }
            size = checked_mul(size, 2);
            if (size > DICT_PATTERN_MAX_FILE)
                size = DICT_PATTERN_MAX_FILE;
            data = myrealloc(data, checked_add(size, 1));
        }
        got = read(fd, data + len, size - len);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            vstring_sprintf(errtext, "read %s: %m", path);
            myfree(data);
            close(fd);
            return -1;
        }
        if (got == 0)
            break;
        len += (size_t)got;
    }
    close(fd);
    data[len] = 0;
    file->data = data;
    file->len = len;
    file->mtime = st.st_mtime;
    file->owner_uid = st.st_uid;
    return 0;
}

void dict_pattern_unload(DICT_PATTERN_FILE *file)
{
    if (file->data)
        myfree(file->data);
    file->data = 0;
    file->len = 0;
}

/*
 * dict_pattern_inline - the rules of "type:{ {rule}, {rule}, ... }" as the
 * lines of a file: each element between the outer braces must itself be
 * in braces, which are removed with the white space inside them (what is
 * left, inner braces included, is the rule as a file would hold it).
 */
static int dict_pattern_inline(const char *type, const char *spec, DICT_PATTERN_FILE *file,
                               VSTRING *errtext)
{
    char *copy = mystrdup(spec);
    char *bp = copy;
    char *elem;
    const char *err;
    VSTRING *text = vstring_alloc(100);

    if ((err = extpar(&bp, CHARS_BRACE, EXTPAR_FLAG_STRIP)) != 0) {
        vstring_sprintf(errtext, "%s map: %s in \"%s\"", type, err, spec);
        goto bad;
    }
    while ((elem = mystrtokq(&bp, CHARS_COMMA_SP, CHARS_BRACE)) != 0) {
        if (*elem != CHARS_BRACE[0]) {
            vstring_sprintf(errtext, "%s map: no '{' at start of text in \"%s\"", type, elem);
            goto bad;
        }
        if ((err = extpar(&elem, CHARS_BRACE, EXTPAR_FLAG_STRIP)) != 0) {
            vstring_sprintf(errtext, "%s map: %s in \"%s\"", type, err, elem);
            goto bad;
        }
        vstring_strcat(text, elem);
        vstring_addch(text, '\n');
    }
    file->len = VSTRING_LEN(text);
    file->data = vstring_export(text);
    file->mtime = 0;
    file->owner_uid = 0; /* main.cf text: as trusted as main.cf */
    myfree(copy);
    return 0;
bad:
    vstring_free(text);
    myfree(copy);
    return -1;
}

int dict_pattern_load_spec(const char *type, const char *name, DICT_PATTERN_FILE *file,
                           VSTRING *errtext)
{
    file->data = 0;
    file->len = 0;
    if (*name == CHARS_BRACE[0])
        return dict_pattern_inline(type, name, file, errtext);
    return dict_pattern_load(name, file, errtext);
}

/* ---- logical lines ------------------------------------------------------ */

void dict_pattern_reader_init(DICT_PATTERN_READER *rd, const char *path, const char *buf,
                              size_t len)
{
    rd->path = path;
    rd->buf = buf;
    rd->len = len;
    rd->pos = 0;
    rd->lineno = 0;
}

/* Blank, or a comment.  A null byte is text here (Postfix looks at every byte). */
static int dict_pattern_is_filler(const char *p, size_t len)
{
    size_t i = 0;

    while (i < len && DICT_PATTERN_ISSPACE((unsigned char)p[i]))
        i++;
    return i >= len || p[i] == '#';
}

static void dict_pattern_warn_indented(const DICT_PATTERN_READER *rd, VSTRING *line)
{
    const char *text = vstring_str(line);

    msg_warn("%s: logical line must not start with whitespace: \"%.30s%s\"", rd->path, text,
             strlen(text) > 30 ? "..." : "");
}

int dict_pattern_read_line(DICT_PATTERN_READER *rd, VSTRING *line, int *lineno)
{
    int have = 0;     /* line holds text */
    int dropping = 0; /* that text started with white space */

    vstring_reset(line);
    for (;;) {
        const char *p = rd->buf + rd->pos;
        const char *nl;
        size_t plen;
        size_t advance;

        if (rd->pos >= rd->len) {
            if (dropping)
                dict_pattern_warn_indented(rd, line);
            else if (have)
                return 1;
            vstring_reset(line);
            return 0;
        }
        nl = memchr(p, '\n', rd->len - rd->pos);
        plen = nl ? (size_t)(nl - p) : rd->len - rd->pos;
        advance = nl ? plen + 1 : plen;
        if (dict_pattern_is_filler(p, plen)) {
            rd->pos += advance;
            rd->lineno++;
            continue;
        }
        if (!DICT_PATTERN_ISSPACE((unsigned char)p[0])) {
            if (have && !dropping)
                return 1;
            if (dropping) {
                dict_pattern_warn_indented(rd, line);
                vstring_reset(line);
                dropping = 0;
            }
            have = 1;
            *lineno = rd->lineno + 1;
        } else if (!have) {
            have = 1;
            dropping = 1;
        }
        vstring_memcat(line, p, plen);
        rd->pos += advance;
        rd->lineno++;
    }
}

/* ---- helpers ------------------------------------------------------------ */

int dict_pattern_atoi(const char *digits)
{
    /* glibc's atoi() is (int) strtol(); gcc converts out-of-range values modulo 2^32. */
    return (int)strtol(digits, (char **)0, 10);
}

int dict_pattern_keyword(const char *p, const char *kw)
{
    size_t n = strlen(kw);

    return strncasecmp(p, kw, n) == 0 && !DICT_PATTERN_ISALNUM((unsigned char)p[n]);
}

static int dict_pattern_alldig(const char *s, size_t len)
{
    if (len == 0)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!DICT_PATTERN_ISDIGIT((unsigned char)s[i]))
            return 0;
    return 1;
}

/* ---- $n substitution ---------------------------------------------------- */

static void dict_pattern_seg_add(DICT_PATTERN_SUBST *subst, size_t *size, size_t group, size_t off,
                                 size_t len)
{
    DICT_PATTERN_SEG *seg;

    /* Merge adjacent literal pieces. */
    if (group == 0 && subst->nsegs > 0) {
        seg = subst->segs + subst->nsegs - 1;
        if (seg->group == 0 && seg->off + seg->len == off) {
            seg->len += len;
            return;
        }
    }
    if (subst->nsegs == *size) {
        *size = *size ? checked_mul(*size, 2) : 4;
        subst->segs = myrealloc_array(subst->segs, *size, sizeof(*subst->segs));
    }
    seg = subst->segs + subst->nsegs++;
    seg->group = group;
    seg->off = off;
    seg->len = len;
}

int dict_pattern_subst_compile(DICT_PATTERN_SUBST *subst, const char *result,
                               const DICT_PATTERN_STYLE *style, const char *path, int lineno)
{
    VSTRING *lit = vstring_alloc(strlen(result) + 1);
    size_t size = 0;
    const char *cp = result;
    int bad = 0;

    subst->text = 0;
    subst->segs = 0;
    subst->nsegs = 0;
    subst->max_group = 0;

    while (*cp) {
        const char *name;
        size_t nlen;

        if (*cp != '$') {
            const char *end = strchr(cp, '$');
            size_t n = end ? (size_t)(end - cp) : strlen(cp);

            dict_pattern_seg_add(subst, &size, 0, VSTRING_LEN(lit), n);
            vstring_memcat(lit, cp, n);
            cp += n;
            continue;
        }
        if (cp[1] == '$') {
            dict_pattern_seg_add(subst, &size, 0, VSTRING_LEN(lit), 1);
            vstring_addch(lit, '$');
            cp += 2;
            continue;
        }
        if (cp[1] == '{' || cp[1] == '(') {
            int open = cp[1];
            int close = open == '{' ? '}' : ')';
            size_t level = 1;
            const char *ep = cp + 2;

            while (*ep && level > 0) {
                if (*ep == open)
                    level++;
                else if (*ep == close)
                    level--;
                ep++;
            }
            if (level > 0) {
                msg_warn("truncated macro reference: \"%s\"", result);
                bad = 1;
                break;
            }
            name = cp + 2;
            nlen = (size_t)(ep - 1 - name);
            cp = ep;
        } else {
            name = cp + 1;
            nlen = 0;
            while (DICT_PATTERN_ISALNUM((unsigned char)name[nlen]) || name[nlen] == '_')
                nlen++;
            cp = name + nlen;
        }
        if (nlen == 0) {
            msg_warn("empty macro name: \"%s\"", result);
            bad = 1;
            break;
        }
        if (!dict_pattern_alldig(name, nlen)) {
            msg_warn("%s map %s, line %d: non-numeric replacement index \"%.*s\"", style->type,
                     path, lineno, (int)(nlen > INT_MAX ? INT_MAX : nlen), name);
            bad = 1;
            continue;
        } else {
            char *digits = mystrndup(name, nlen);
            size_t group = (size_t)(long)dict_pattern_atoi(digits);

            if (group == 0) {
                msg_warn("%s map %s, line %d: %s replacement index \"%s\"", style->type, path,
                         lineno, style->zero_index, digits);
                bad = 1;
            } else {
                if (group > subst->max_group)
                    subst->max_group = group;
                dict_pattern_seg_add(subst, &size, group, 0, 0);
            }
            myfree(digits);
        }
    }
    if (bad) {
        vstring_free(lit);
        myfree(subst->segs);
        subst->segs = 0;
        subst->nsegs = 0;
        return -1;
    }
    subst->text = vstring_export(lit);
    return 0;
}

void dict_pattern_subst_free(DICT_PATTERN_SUBST *subst)
{
    if (subst->text)
        myfree(subst->text);
    if (subst->segs)
        myfree(subst->segs);
    subst->text = 0;
    subst->segs = 0;
    subst->nsegs = 0;
}

const char *dict_pattern_subst_const(const DICT_PATTERN_SUBST *subst)
{
    return subst->max_group == 0 ? subst->text : 0;
}

void dict_pattern_subst_expand(const DICT_PATTERN_SUBST *subst, VSTRING *out, const char *subject,
                               const size_t *start, const size_t *end, size_t ngroups)
{
    vstring_reset(out);
    for (size_t i = 0; i < subst->nsegs; i++) {
        const DICT_PATTERN_SEG *seg = subst->segs + i;
        size_t g = seg->group;

        if (g == 0)
            vstring_memcat(out, subst->text + seg->off, seg->len);
        else if (g < ngroups && start[g] != DICT_PATTERN_NOGROUP && end[g] >= start[g])
            vstring_memcat(out, subject + start[g], end[g] - start[g]);
    }
}

/* ---- IF/ENDIF nesting --------------------------------------------------- */

void dict_pattern_ifs_init(DICT_PATTERN_IFS *ifs)
{
    ifs->rule = 0;
    ifs->lineno = 0;
    ifs->depth = 0;
    ifs->size = 0;
}

void dict_pattern_ifs_push(DICT_PATTERN_IFS *ifs, size_t rule, int lineno)
{
    if (ifs->depth == ifs->size) {
        ifs->size = ifs->size ? checked_mul(ifs->size, 2) : 8;
        ifs->rule = myrealloc_array(ifs->rule, ifs->size, sizeof(*ifs->rule));
        ifs->lineno = myrealloc_array(ifs->lineno, ifs->size, sizeof(*ifs->lineno));
    }
    ifs->rule[ifs->depth] = rule;
    ifs->lineno[ifs->depth] = lineno;
    ifs->depth++;
}

int dict_pattern_ifs_pop(DICT_PATTERN_IFS *ifs, size_t *rule, int *lineno)
{
    if (ifs->depth == 0)
        return 0;
    ifs->depth--;
    *rule = ifs->rule[ifs->depth];
    *lineno = ifs->lineno[ifs->depth];
    return 1;
}

void dict_pattern_ifs_free(DICT_PATTERN_IFS *ifs)
{
    if (ifs->rule)
        myfree(ifs->rule);
    if (ifs->lineno)
        myfree(ifs->lineno);
    dict_pattern_ifs_init(ifs);
}

/* ---- read-only table plumbing ------------------------------------------- */

DICT *dict_pattern_check_mode(const char *type, const char *name, int open_flags, int dict_flags)
{
    if ((open_flags & (O_ACCMODE | O_CREAT | O_TRUNC)) == O_RDONLY)
        return 0;
    return dict_surrogate(type, name, open_flags, dict_flags, DICT_ERR_CONFIG,
                          "%s:%s map requires O_RDONLY access mode", type, name);
}
