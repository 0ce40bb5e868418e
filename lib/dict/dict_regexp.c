/*
 * dict_regexp - the "regexp" lookup table type: POSIX extended regular
 * expressions (regcomp/regexec), file syntax as regexp_table(5).
 *
 * Interface (dict_regexp.h):
 *   dict_regexp_open(name, open_flags, dict_flags)   regexp:/path/to/file
 *   dict_regexp_open_buf(name, buf, len, dict_flags) the same from memory
 *
 * The rule syntax, IF/ENDIF and $n substitution live in dict_pattern_rx.c;
 * this file supplies the POSIX flavour:
 *   flags   i  toggle REG_ICASE (on by default: matching ignores case)
 *           x  toggle REG_EXTENDED (on by default)
 *           m  toggle REG_NEWLINE (multi-line mode)
 *   errors  regerror()'s text: "regexp map /x, line 3: Unmatched ( or \("
 * Unlike pcre, regexp still accepts Postfix's old two-pattern form
 * "/p1/!/p2/ result" (p1 matches and p2 does not).
 *
 * The whole key is offered to each pattern; the first matching rule wins.
 * The table is read-only; an unreadable file gives a surrogate table whose
 * lookups fail with the reason.
 */
#include <regex.h>
#include <string.h>

#include "msg.h"
#include "mymalloc.h"
#include "dict.h"
#include "dict_pattern.h"
#include "dict_pattern_rx.h"
#include "dict_regexp.h"

static int dict_regexp_flag(int letter, int *options, const char *path, int lineno)
{
    switch (letter) {
    case 'i':
        *options ^= REG_ICASE;
        return 0;
    case 'x':
        *options ^= REG_EXTENDED;
        return 0;
    case 'm':
        *options ^= REG_NEWLINE;
        return 0;
    default:
        return -1;
    }
}

static void *dict_regexp_compile(const char *pattern, int options, int want_groups, size_t *ngroups,
                                 const char *path, int lineno)
{
    regex_t *re = mymalloc(sizeof(*re));
    int err;

    if ((err = regcomp(re, pattern, options | (want_groups ? 0 : REG_NOSUB))) != 0) {
        char buf[256];

        regerror(err, re, buf, sizeof(buf));
        msg_warn("%s map %s, line %d: %s", DICT_TYPE_REGEXP, path, lineno, buf);
        myfree(re);
        return 0;
    }
    *ngroups = re->re_nsub;
    return re;
}

static int dict_regexp_match(void *ptr, const char *key, size_t keylen, size_t *start, size_t *end,
                             size_t n, const char *path, int lineno)
{
    regex_t *re = ptr;
    regmatch_t small[10];
    regmatch_t *pm = small;
    int err;

    if (start == 0)
        return regexec(re, key, 0, (regmatch_t *)0, 0) == 0;
    if (n > sizeof(small) / sizeof(small[0]))
        pm = mymalloc_array(n, sizeof(*pm));
    err = regexec(re, key, n, pm, 0);
    if (err == 0) {
        for (size_t i = 0; i < n; i++) {
            if (pm[i].rm_so < 0 || pm[i].rm_eo < pm[i].rm_so) {
                start[i] = end[i] = DICT_PATTERN_NOGROUP;
            } else {
                start[i] = (size_t)pm[i].rm_so;
                end[i] = (size_t)pm[i].rm_eo;
            }
        }
    }
    if (pm != small)
        myfree(pm);
    if (err == 0)
        return 1;
    if (err == REG_NOMATCH)
        return 0;
    msg_warn("%s map %s, line %d: regexec error %d", DICT_TYPE_REGEXP, path, lineno, err);
    return -1;
}

static void dict_regexp_free(void *ptr)
{
    regex_t *re = ptr;

    regfree(re);
    myfree(re);
}

static const DICT_PATTERN_RX_OPS dict_regexp_ops = {
    .style = {DICT_TYPE_REGEXP, "out-of-range"},
    .nodelim_action = "skipping",
    .second_pattern = 1,
    .default_options = REG_EXTENDED | REG_ICASE,
    .flag = dict_regexp_flag,
    .compile = dict_regexp_compile,
    .match = dict_regexp_match,
    .free = dict_regexp_free,
};

DICT *dict_regexp_open(const char *name, int open_flags, int dict_flags)
{
    return dict_pattern_rx_open(DICT_TYPE_REGEXP, &dict_regexp_ops, name, open_flags, dict_flags);
}

DICT *dict_regexp_open_buf(const char *name, const char *buf, size_t len, int dict_flags)
{
    return dict_pattern_rx_open_buf(DICT_TYPE_REGEXP, &dict_regexp_ops, name, buf, len, dict_flags);
}
