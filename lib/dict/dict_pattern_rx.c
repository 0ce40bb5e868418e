/*
 * dict_pattern_rx - rule engine shared by the regexp and pcre tables.
 *
 * Interface: see dict_pattern_rx.h.
 *
 * File syntax (regexp_table(5), pcre_table(5)), one rule per logical line:
 *   /pattern/flags result      the delimiter is any character that is not
 *                              white space; a backslash keeps the next
 *                              character (the delimiter included) in the
 *                              pattern, backslash and all
 *   !/pattern/flags result     matches when the pattern does not; "!" may
 *                              repeat (each toggles) and be followed by
 *                              white space
 *   /p1/flags!/p2/flags result (regexp only, an old Postfix form) matches
 *                              when p1 matches and p2 does not; $n refer
 *                              to p1's groups
 *   if /pattern/flags          the rules up to the matching "endif" apply
 *   endif                      only when the pattern matches (IF/ENDIF are
 *                              case-insensitive and nest)
 * Result text may use $1..$n, ${n}, $(n) for the text matched by group n
 * (nothing when the group did not take part) and $$ for a dollar.
 *
 * Problems in a rule are warned about in Postfix's words
 * ("regexp map /etc/postfix/x, line 3: ...") and the rule is skipped;
 * a table never fails to open because of its contents.
 *
 * Lookup: rules are tried in order; an IF whose pattern does not match
 * skips to the rule after its ENDIF; the first matching rule's result,
 * after substitution, is the answer.
 */
#include <fcntl.h>
#include <limits.h>
#include <string.h>

#include "checked.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstring.h"
#include "dict.h"
#include "dict_pattern.h"
#include "dict_pattern_rx.h"

#define RX_OP_MATCH 1
#define RX_OP_IF    2

typedef struct RX_RULE {
    int op; /* RX_OP_* */
    int negate;
    int lineno;
    void *re;                 /* compiled by ops->compile */
    size_t ngroups;           /* capture groups in re */
    void *re2;                /* "/p1/!/p2/": p2, or null */
    int negate2;              /* 1: p2 must not match */
    DICT_PATTERN_SUBST subst; /* RX_OP_MATCH: result template */
    size_t endif;             /* RX_OP_IF: index of the rule after ENDIF */
} RX_RULE;

struct DICT_PATTERN_RX {
    const DICT_PATTERN_RX_OPS *ops;
    char *path;
    RX_RULE *rules;
    size_t nrules;
    size_t size;
    size_t max_groups; /* largest ngroups + 1 over substituting rules */
    size_t *start;     /* scratch match offsets */
    size_t *end;
    VSTRING *result;
};

static RX_RULE *rx_rule_add(DICT_PATTERN_RX *rx)
{
    RX_RULE *rule;

    if (rx->nrules == rx->size) {
        rx->size = rx->size ? checked_mul(rx->size, 2) : 16;
        rx->rules = myrealloc_array(rx->rules, rx->size, sizeof(*rx->rules));
    }
    rule = rx->rules + rx->nrules++;
    memset(rule, 0, sizeof(*rule));
    return rule;
}

/*
 * Parse "[!]DpatternDflags" at *pp.  The pattern is terminated in place.
 * Returns 0 and advances *pp past the flags, or -1 after a warning.
 */
static int rx_parse_pattern(DICT_PATTERN_RX *rx, char **pp, int *negate, char **pattern,
                            int *options, int lineno)
{
    const DICT_PATTERN_RX_OPS *ops = rx->ops;
    char *p = *pp;
    int delim;

    *negate = 0;
    for (;;) {
        while (DICT_PATTERN_ISSPACE((unsigned char)*p))
            p++;
        if (*p != '!')
            break;
        *negate = !*negate;
        p++;
    }
    if (*p == 0) {
        msg_warn("%s map %s, line %d: no regexp: skipping this rule", ops->style.type, rx->path,
                 lineno);
        return -1;
    }
    delim = (unsigned char)*p++;
    *pattern = p;
    /* A backslash escapes the next character even when it is the delimiter itself. */
    for (; *p; p++) {
        if (*p == '\\') {
            if (p[1])
                p++;
        } else if ((unsigned char)*p == delim) {
            break;
        }
    }
    if (*p == 0) {
        msg_warn("%s map %s, line %d: no closing regexp delimiter \"%c\": %s this rule",
                 ops->style.type, rx->path, lineno, delim, ops->nodelim_action);
        return -1;
    }
    *p++ = 0;
    *options = ops->default_options;
    for (; *p && !DICT_PATTERN_ISSPACE((unsigned char)*p); p++) {
        if (*p == '!' && ops->second_pattern)
            break;
        if (ops->flag((unsigned char)*p, options, rx->path, lineno) < 0) {
            msg_warn("%s map %s, line %d: unknown regexp option \"%c\": skipping this rule",
                     ops->style.type, rx->path, lineno, *p);
            return -1;
        }
    }
    *pp = p;
    return 0;
}

static char *rx_skip_space(char *p)
{
    while (DICT_PATTERN_ISSPACE((unsigned char)*p))
        p++;
    return p;
}

static void rx_parse_if(DICT_PATTERN_RX *rx, DICT_PATTERN_IFS *ifs, char *p, int lineno)
{
    const DICT_PATTERN_RX_OPS *ops = rx->ops;
    char *pattern;
    char *rest;
    int negate;
    int options;
    size_t ngroups;
    void *re;
    RX_RULE *rule;

    if (rx_parse_pattern(rx, &p, &negate, &pattern, &options, lineno) < 0)
        return;
    rest = rx_skip_space(p);
    if (*rest) {
        msg_warn("%s map %s, line %d: ignoring extra text after IF statement: \"%s\"",
                 ops->style.type, rx->path, lineno, rest);
        msg_warn("%s map %s, line %d: do not prepend whitespace to statements between IF and ENDIF",
                 ops->style.type, rx->path, lineno);
    }
    if ((re = ops->compile(pattern, options, 0, &ngroups, rx->path, lineno)) == 0)
        return;
    rule = rx_rule_add(rx);
    rule->op = RX_OP_IF;
    rule->negate = negate;
    rule->lineno = lineno;
    rule->re = re;
    rule->ngroups = ngroups;
    dict_pattern_ifs_push(ifs, (size_t)(rule - rx->rules), lineno);
}

static void rx_parse_endif(DICT_PATTERN_RX *rx, DICT_PATTERN_IFS *ifs, char *p, int lineno)
{
    const DICT_PATTERN_RX_OPS *ops = rx->ops;
    size_t if_rule;
    int if_line;

    if (!dict_pattern_ifs_pop(ifs, &if_rule, &if_line)) {
        msg_warn("%s map %s, line %d: ignoring ENDIF without matching IF", ops->style.type,
                 rx->path, lineno);
        return;
    }
    if (*rx_skip_space(p))
        msg_warn("%s map %s, line %d: ignoring extra text after ENDIF", ops->style.type, rx->path,
                 lineno);
    rx->rules[if_rule].endif = rx->nrules;
}

static void rx_parse_rule(DICT_PATTERN_RX *rx, char *p, int lineno, int dict_flags)
{
    const DICT_PATTERN_RX_OPS *ops = rx->ops;
    const char *type = ops->style.type;
    DICT_PATTERN_SUBST subst;
    char *pattern;
    char *result;
    int negate;
    int options;
    size_t ngroups;
    size_t ngroups2;
    void *re;
    RX_RULE *rule;
    char *pattern2 = 0;
    int negate2 = 0;
    int options2 = 0;
    void *re2 = 0;

    if (rx_parse_pattern(rx, &p, &negate, &pattern, &options, lineno) < 0)
        return;
    if (*p == '!' && rx_parse_pattern(rx, &p, &negate2, &pattern2, &options2, lineno) < 0)
        return;
    result = rx_skip_space(p);
    if (*result == 0)
        msg_warn("%s map %s, line %d: no replacement text: using empty string", type, rx->path,
                 lineno);
    if (dict_pattern_subst_compile(&subst, result, &ops->style, rx->path, lineno) < 0) {
        msg_warn("%s map %s, line %d: bad replacement syntax: skipping this rule", type, rx->path,
                 lineno);
        return;
    }
    if (subst.max_group > 0 && (dict_flags & DICT_FLAG_NO_REGSUB)) {
        msg_warn("%s map %s, line %d: regular expression substitution is not allowed: "
                 "skipping this rule",
                 type, rx->path, lineno);
        dict_pattern_subst_free(&subst);
        return;
    }
    if (subst.max_group > 0 && negate) {
        msg_warn("%s map %s, line %d: $number found in negative match replacement text: "
                 "skipping this rule",
                 type, rx->path, lineno);
        dict_pattern_subst_free(&subst);
        return;
    }
    if ((re = ops->compile(pattern, options, subst.max_group > 0, &ngroups, rx->path, lineno)) ==
        0) {
        dict_pattern_subst_free(&subst);
        return;
    }
    if (subst.max_group > ngroups) {
        msg_warn("%s map %s, line %d: out of range replacement index \"%d\": skipping this rule",
                 type, rx->path, lineno, (int)subst.max_group);
        ops->free(re);
        dict_pattern_subst_free(&subst);
        return;
    }
    if (pattern2 && (re2 = ops->compile(pattern2, options2, 0, &ngroups2, rx->path, lineno)) == 0) {
        ops->free(re);
        dict_pattern_subst_free(&subst);
        return;
    }
    rule = rx_rule_add(rx);
    rule->op = RX_OP_MATCH;
    rule->re2 = re2;
    rule->negate2 = negate2;
    rule->negate = negate;
    rule->lineno = lineno;
    rule->re = re;
    rule->ngroups = ngroups;
    rule->subst = subst;
    if (subst.max_group > 0 && ngroups + 1 > rx->max_groups)
        rx->max_groups = ngroups + 1;
}

static void rx_trim(VSTRING *line)
{
    char *s = vstring_str(line);
    size_t n = strlen(s);

    while (n > 0 && DICT_PATTERN_ISSPACE((unsigned char)s[n - 1]))
        n--;
    vstring_truncate(line, n);
}

DICT_PATTERN_RX *dict_pattern_rx_parse(const DICT_PATTERN_RX_OPS *ops, const char *path,
                                       const char *buf, size_t len, int dict_flags)
{
    DICT_PATTERN_RX *rx = mycalloc(1, sizeof(*rx));
    DICT_PATTERN_READER rd;
    DICT_PATTERN_IFS ifs;
    VSTRING *line = vstring_alloc(100);
    size_t if_rule;
    int if_line;
    int lineno;

    rx->ops = ops;
    rx->path = mystrdup(path);
    rx->result = vstring_alloc(100);
    dict_pattern_reader_init(&rd, path, buf, len);
    dict_pattern_ifs_init(&ifs);
    while (dict_pattern_read_line(&rd, line, &lineno)) {
        char *p;

        rx_trim(line);
        p = vstring_str(line);
        if (*p == 0)
            continue;
        if (DICT_PATTERN_ISALNUM((unsigned char)*p)) {
            if (dict_pattern_keyword(p, "if"))
                rx_parse_if(rx, &ifs, p + 2, lineno);
            else if (dict_pattern_keyword(p, "endif"))
                rx_parse_endif(rx, &ifs, p + 5, lineno);
            else
                msg_warn("%s map %s, line %d: ignoring unrecognized request", ops->style.type,
                         rx->path, lineno);
        } else {
            rx_parse_rule(rx, p, lineno, dict_flags);
        }
    }
    while (dict_pattern_ifs_pop(&ifs, &if_rule, &if_line)) {
        msg_warn("%s map %s, line %d: IF has no matching ENDIF", ops->style.type, rx->path,
                 if_line);
        rx->rules[if_rule].endif = rx->nrules;
    }
    dict_pattern_ifs_free(&ifs);
    vstring_free(line);
    if (rx->max_groups > 0) {
        rx->start = mymalloc_array(rx->max_groups, sizeof(*rx->start));
        rx->end = mymalloc_array(rx->max_groups, sizeof(*rx->end));
    }
    return rx;
}

int dict_pattern_rx_lookup(DICT_PATTERN_RX *rx, const char *key, const char **value)
{
    const DICT_PATTERN_RX_OPS *ops = rx->ops;
    size_t keylen = strlen(key);
    size_t i = 0;

    while (i < rx->nrules) {
        RX_RULE *rule = rx->rules + i;
        int subst = rule->op == RX_OP_MATCH && rule->subst.max_group > 0;
        size_t n = subst ? rule->ngroups + 1 : 0;
        int matched;

        matched = ops->match(rule->re, key, keylen, subst ? rx->start : 0, subst ? rx->end : 0, n,
                             rx->path, rule->lineno);
        if (matched < 0)
            matched = 0;
        if (rule->negate)
            matched = !matched;
        if (matched && rule->re2) {
            matched = ops->match(rule->re2, key, keylen, 0, 0, 0, rx->path, rule->lineno) > 0;
            if (rule->negate2)
                matched = !matched;
        }
        if (rule->op == RX_OP_IF) {
            i = matched ? i + 1 : rule->endif;
            continue;
        }
        if (matched) {
            if (!subst) {
                *value = dict_pattern_subst_const(&rule->subst);
            } else {
                dict_pattern_subst_expand(&rule->subst, rx->result, key, rx->start, rx->end, n);
                *value = vstring_str(rx->result);
            }
            return 1;
        }
        i++;
    }
    return 0;
}

size_t dict_pattern_rx_rule_count(const DICT_PATTERN_RX *rx)
{
    return rx->nrules;
}

void dict_pattern_rx_free(DICT_PATTERN_RX *rx)
{
    for (size_t i = 0; i < rx->nrules; i++) {
        rx->ops->free(rx->rules[i].re);
        if (rx->rules[i].re2)
            rx->ops->free(rx->rules[i].re2);
        dict_pattern_subst_free(&rx->rules[i].subst);
    }
    if (rx->rules)
        myfree(rx->rules);
    if (rx->start)
        myfree(rx->start);
    if (rx->end)
        myfree(rx->end);
    vstring_free(rx->result);
    myfree(rx->path);
    myfree(rx);
}

/* ---- the DICT wrapper --------------------------------------------------- */

typedef struct DICT_RX {
    DICT dict;
    DICT_PATTERN_RX *rx;
} DICT_RX;

static int dict_rx_lookup(DICT *dict, const char *key, const char **value)
{
    DICT_RX *dr = (DICT_RX *)dict;

    dict->error = DICT_ERR_NONE;
    key = dict_fold_key(dict, key);
    return dict_pattern_rx_lookup(dr->rx, key, value) ? DICT_STAT_FOUND : DICT_STAT_NOTFOUND;
}

static void dict_rx_close(DICT *dict)
{
    DICT_RX *dr = (DICT_RX *)dict;

    dict_pattern_rx_free(dr->rx);
    dict_free(dict);
}

DICT *dict_pattern_rx_open_buf(const char *type, const DICT_PATTERN_RX_OPS *ops, const char *name,
                               const char *buf, size_t len, int dict_flags)
{
    DICT_RX *dr = (DICT_RX *)dict_alloc(type, name, sizeof(*dr));

    dr->dict.flags = dict_flags | DICT_FLAG_PATTERN;
    dr->dict.open_flags = O_RDONLY;
    dr->dict.lookup = dict_rx_lookup;
    dr->dict.close = dict_rx_close;
    /* update, delete and sequence keep dict_alloc()'s "not supported" handlers. */
    dr->rx = dict_pattern_rx_parse(ops, name, buf, len, dict_flags);
    return &dr->dict;
}

DICT *dict_pattern_rx_open(const char *type, const DICT_PATTERN_RX_OPS *ops, const char *name,
                           int open_flags, int dict_flags)
{
    DICT_PATTERN_FILE file;
    VSTRING *why;
    DICT *dict;

    if ((dict = dict_pattern_check_mode(type, name, open_flags, dict_flags)) != 0)
        return dict;
    why = vstring_alloc(100);
    if (dict_pattern_load_spec(type, name, &file, why) < 0) {
        dict = dict_surrogate(type, name, open_flags, dict_flags, DICT_ERR_CONFIG, "%s",
                              vstring_str(why));
        vstring_free(why);
        return dict;
    }
    vstring_free(why);
    dict = dict_pattern_rx_open_buf(type, ops, name, file.data, file.len, dict_flags);
    dict->mtime = file.mtime;
    dict->owner_uid = (int)file.owner_uid;
    dict_pattern_unload(&file);
    return dict;
}
