/*
 * dict_pcre - the "pcre" lookup table type: Perl-compatible regular
 * expressions through PCRE2 (8-bit), file syntax as pcre_table(5).
 *
 * Interface (dict_pcre.h):
 *   dict_pcre_open(name, open_flags, dict_flags)   pcre:/path/to/file
 *   dict_pcre_open_buf(name, buf, len, dict_flags) the same from memory
 *
 * The rule syntax, IF/ENDIF and $n substitution live in dict_pattern_rx.c;
 * this file supplies the PCRE flavour.  Flags (each toggles):
 *   i  PCRE2_CASELESS (on by default)     m  PCRE2_MULTILINE
 *   s  PCRE2_DOTALL (on by default)       x  PCRE2_EXTENDED
 *   A  PCRE2_ANCHORED                     E  PCRE2_DOLLAR_ENDONLY
 *   U  PCRE2_UNGREEDY
 *   X  PCRE1's "extra" mode, gone in PCRE2: warned about and ignored
 * Patterns are JIT-compiled where PCRE2 supports it (about 3x faster
 * lookups; matching falls back to the interpreter when the JIT is not
 * available, e.g. under a no-W^X policy).
 * Compile errors read "pcre map /x, line 3: error in regex at offset 1:
 * missing closing parenthesis".  Like Postfix 3.7 with its default
 * settings, patterns and keys are bytes, not UTF-8.
 *
 * A matching error (e.g. the backtracking limit) is logged and the rule
 * counts as not matching, as in Postfix.  The table is read-only.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <string.h>

#include "msg.h"
#include "mymalloc.h"
#include "dict.h"
#include "dict_pattern.h"
#include "dict_pattern_rx.h"
#include "dict_pcre.h"

typedef struct DICT_PCRE_RE {
    pcre2_code *code;
    pcre2_match_data *md; /* null when groups are not needed */
} DICT_PCRE_RE;

static int dict_pcre_flag(int letter, int *options, const char *path, int lineno)
{
    switch (letter) {
    case 'i':
        *options ^= PCRE2_CASELESS;
        return 0;
    case 'm':
        *options ^= PCRE2_MULTILINE;
        return 0;
    case 's':
        *options ^= PCRE2_DOTALL;
        return 0;
    case 'x':
        *options ^= PCRE2_EXTENDED;
        return 0;
    case 'A':
        *options ^= PCRE2_ANCHORED;
        return 0;
    case 'E':
        *options ^= PCRE2_DOLLAR_ENDONLY;
        return 0;
    case 'U':
        *options ^= PCRE2_UNGREEDY;
        return 0;
    case 'X':
        msg_warn("%s map %s, line %d: ignoring obsolete regexp option \"%c\"", DICT_TYPE_PCRE, path,
                 lineno, letter);
        return 1;
    default:
        return -1;
    }
}

static void *dict_pcre_compile(const char *pattern, int options, int want_groups, size_t *ngroups,
                               const char *path, int lineno)
{
    DICT_PCRE_RE *re;
    pcre2_code *code;
    PCRE2_SIZE offset;
    uint32_t count = 0;
    int err;

    code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, (uint32_t)options, &err,
                         &offset, (pcre2_compile_context *)0);
    if (code == 0) {
        PCRE2_UCHAR buf[256];

        if (pcre2_get_error_message(err, buf, sizeof(buf)) < 0)
            strcpy((char *)buf, "unknown error");
        msg_warn("%s map %s, line %d: error in regex at offset %d: %s", DICT_TYPE_PCRE, path,
                 lineno, (int)offset, (char *)buf);
        return 0;
    }
    (void)pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &count);
    /* Machine code when the platform has it; pcre2_match() falls back by itself. */
    (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    re = mymalloc(sizeof(*re));
    re->code = code;
    re->md = pcre2_match_data_create_from_pattern(code, (pcre2_general_context *)0);
    if (re->md == 0)
        msg_fatal("%s map %s, line %d: out of memory", DICT_TYPE_PCRE, path, lineno);
    *ngroups = count;
    return re;
}

static int dict_pcre_match(void *ptr, const char *key, size_t keylen, size_t *start, size_t *end,
                           size_t n, const char *path, int lineno)
{
    DICT_PCRE_RE *re = ptr;
    PCRE2_SIZE *ov;
    uint32_t pairs;
    int rc;

    rc = pcre2_match(re->code, (PCRE2_SPTR)key, keylen, 0, 0, re->md, (pcre2_match_context *)0);
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (rc < 0) {
        PCRE2_UCHAR buf[256];

        if (pcre2_get_error_message(rc, buf, sizeof(buf)) < 0)
            strcpy((char *)buf, "unknown error");
        msg_warn("%s map %s, line %d: %s", DICT_TYPE_PCRE, path, lineno, (char *)buf);
        return -1;
    }
    if (start) {
        ov = pcre2_get_ovector_pointer(re->md);
        pairs = pcre2_get_ovector_count(re->md);
        for (size_t i = 0; i < n; i++) {
            /* Groups past the highest that took part are not reported by rc. */
            if (i < pairs && i < (size_t)rc && ov[2 * i] != PCRE2_UNSET &&
                ov[2 * i + 1] >= ov[2 * i]) {
                start[i] = ov[2 * i];
                end[i] = ov[2 * i + 1];
            } else {
                start[i] = end[i] = DICT_PATTERN_NOGROUP;
            }
        }
    }
    return 1;
}

static void dict_pcre_free(void *ptr)
{
    DICT_PCRE_RE *re = ptr;

    pcre2_match_data_free(re->md);
    pcre2_code_free(re->code);
    myfree(re);
}

static const DICT_PATTERN_RX_OPS dict_pcre_ops = {
    .style = {DICT_TYPE_PCRE, "out of range"},
    .nodelim_action = "ignoring",
    .default_options = PCRE2_CASELESS | PCRE2_DOTALL,
    .flag = dict_pcre_flag,
    .compile = dict_pcre_compile,
    .match = dict_pcre_match,
    .free = dict_pcre_free,
};

DICT *dict_pcre_open(const char *name, int open_flags, int dict_flags)
{
    return dict_pattern_rx_open(DICT_TYPE_PCRE, &dict_pcre_ops, name, open_flags, dict_flags);
}

DICT *dict_pcre_open_buf(const char *name, const char *buf, size_t len, int dict_flags)
{
    return dict_pattern_rx_open_buf(DICT_TYPE_PCRE, &dict_pcre_ops, name, buf, len, dict_flags);
}
