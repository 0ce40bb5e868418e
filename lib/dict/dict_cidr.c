/*
 * dict_cidr - the "cidr" lookup table type: IPv4 and IPv6 network blocks,
 * file syntax as cidr_table(5).
 *
 * Interface (dict_cidr.h):
 *   dict_cidr_open(name, open_flags, dict_flags)   cidr:/path/to/file
 *   dict_cidr_open_buf(name, buf, len, dict_flags) the same from memory
 *
 * File syntax, one rule per logical line (see dict_pattern.c for comments
 * and continuation lines):
 *   network/prefix  result     e.g. 192.168.0.0/16, 2001:db8::/32
 *   address         result     the same as address/32 or address/128
 *   [address]/prefix result    brackets are optional (and usual for IPv6)
 *   !pattern        result     matches an address of the same family that
 *                              is outside the block ("!" may repeat)
 *   if pattern                 the rules up to the matching "endif" apply
 *   endif                      only to addresses inside (or, with "!",
 *                              outside) the block; IF/ENDIF nest
 * The first matching rule wins.  A key that is not a valid address is not
 * found.  An IPv4 key never matches an IPv6 rule or the other way round
 * (so an IPv4-mapped IPv6 key only matches IPv6 rules), as in Postfix 3.7.
 *
 * Bad rules are warned about in Postfix's words ("cidr map /x, line 3:
 * non-null host address bits in ...") and skipped.  Prefix lengths are read
 * with atoi() semantics and kept in a byte, which is how Postfix reads them.
 * The table is read-only; an unreadable file gives a surrogate table.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "checked.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstring.h"
#include "dict.h"
#include "dict_pattern.h"
#include "dict_cidr.h"

#define CIDR_OP_MATCH 1
#define CIDR_OP_IF    2

typedef struct CIDR_RULE {
    int op; /* CIDR_OP_* */
    int negate;
    int family;            /* AF_INET or AF_INET6 */
    unsigned char net[16]; /* network, host bits zero */
    unsigned char mask[16];
    size_t nbytes; /* 4 or 16 */
    char *result;  /* CIDR_OP_MATCH */
    size_t endif;  /* CIDR_OP_IF: index of the rule after ENDIF */
} CIDR_RULE;

typedef struct DICT_CIDR {
    DICT dict;
    CIDR_RULE *rules;
    size_t nrules;
    size_t size;
} DICT_CIDR;

/* Parse an address pattern into rule; 0 or -1 after a warning. */
static int dict_cidr_parse_pattern(const char *path, int lineno, const char *pattern,
                                   CIDR_RULE *rule)
{
    VSTRING *buf = vstring_alloc(64);
    char *text;
    char *slash;
    int bits;
    int rc = -1;

    if (*pattern == '[') {
        const char *close = strchr(pattern, ']');

        if (close == 0) {
            msg_warn("cidr map %s, line %d: missing ']' character after \"%s\": "
                     "skipping this rule",
                     path, lineno, pattern);
            goto out;
        }
        if (close[1] != 0 && close[1] != '/') {
            msg_warn("cidr map %s, line %d: garbage after \"%.*s\": skipping this rule", path,
                     lineno, (int)(close - pattern + 1), pattern);
            goto out;
        }
        vstring_strncpy(buf, pattern + 1, (size_t)(close - pattern - 1));
        vstring_strcat(buf, close + 1);
    } else {
        vstring_strcpy(buf, pattern);
    }
    text = vstring_str(buf);
    if ((slash = strchr(text, '/')) != 0) {
        const char *mask_text = slash + 1;
        unsigned char len;

        if (*mask_text == 0 || strspn(mask_text, "0123456789") != strlen(mask_text)) {
            msg_warn("cidr map %s, line %d: bad mask value in \"%s\": skipping this rule", path,
                     lineno, text);
            goto out;
        }
        *slash = 0;
        rule->family = strchr(text, ':') ? AF_INET6 : AF_INET;
        bits = rule->family == AF_INET ? 32 : 128;
        len = (unsigned char)dict_pattern_atoi(mask_text);
        *slash = '/';
        if (len > bits) {
            msg_warn("cidr map %s, line %d: bad mask length in \"%s\": skipping this rule", path,
                     lineno, text);
            goto out;
        }
        *slash = 0;
        if (inet_pton(rule->family, text, rule->net) != 1) {
            *slash = '/';
            msg_warn("cidr map %s, line %d: bad network value in \"%s\": skipping this rule", path,
                     lineno, text);
            goto out;
        }
        *slash = '/';
        bits = len;
    } else {
        rule->family = strchr(text, ':') ? AF_INET6 : AF_INET;
        if (inet_pton(rule->family, text, rule->net) != 1) {
            msg_warn("cidr map %s, line %d: bad address pattern: \"%s\": skipping this rule", path,
                     lineno, text);
            goto out;
        }
        bits = rule->family == AF_INET ? 32 : 128;
    }
    rule->nbytes = rule->family == AF_INET ? 4 : 16;
    memset(rule->mask, 0, sizeof(rule->mask));
    for (int i = 0; i < bits; i++)
        rule->mask[i / 8] |= (unsigned char)(0x80 >> (i % 8));
    for (size_t i = 0; i < rule->nbytes; i++) {
        if (rule->net[i] & ~rule->mask[i]) {
            unsigned char fixed[16];
            char addr[INET6_ADDRSTRLEN];

            for (size_t j = 0; j < rule->nbytes; j++)
                fixed[j] = rule->net[j] & rule->mask[j];
            if (inet_ntop(rule->family, fixed, addr, sizeof(addr)) == 0)
                strcpy(addr, "?");
            msg_warn("cidr map %s, line %d: non-null host address bits in \"%s\", "
                     "perhaps you should use \"%s/%d\" instead: skipping this rule",
                     path, lineno, text, addr, bits);
            goto out;
        }
    }
    rc = 0;
out:
    vstring_free(buf);
    return rc;
}

static char *dict_cidr_skip_space(char *p)
{
    while (DICT_PATTERN_ISSPACE((unsigned char)*p))
        p++;
    return p;
}

/* Strip "!" (toggling) and white space after it; returns the rest. */
static char *dict_cidr_negation(char *p, int *negate)
{
    *negate = 0;
    while (*p == '!') {
        *negate = !*negate;
        p = dict_cidr_skip_space(p + 1);
    }
    return p;
}

static CIDR_RULE *dict_cidr_rule_add(DICT_CIDR *dc, const CIDR_RULE *proto)
{
    if (dc->nrules == dc->size) {
        dc->size = dc->size ? checked_mul(dc->size, 2) : 16;
        dc->rules = myrealloc_array(dc->rules, dc->size, sizeof(*dc->rules));
    }
    dc->rules[dc->nrules] = *proto;
    return dc->rules + dc->nrules++;
}

static void dict_cidr_parse_line(DICT_CIDR *dc, DICT_PATTERN_IFS *ifs, char *p, int lineno)
{
    const char *path = dc->dict.name;
    CIDR_RULE rule;
    size_t if_rule;
    int if_line;

    memset(&rule, 0, sizeof(rule));
    if (dict_pattern_keyword(p, "if")) {
        p = dict_cidr_negation(dict_cidr_skip_space(p + 2), &rule.negate);
        if (*p == 0) {
            msg_warn("cidr map %s, line %d: no address pattern: skipping this rule", path, lineno);
            return;
        }
        if (dict_cidr_parse_pattern(path, lineno, p, &rule) < 0)
            return;
        rule.op = CIDR_OP_IF;
        dict_cidr_rule_add(dc, &rule);
        dict_pattern_ifs_push(ifs, dc->nrules - 1, lineno);
    } else if (dict_pattern_keyword(p, "endif")) {
        if (*dict_cidr_skip_space(p + 5)) {
            msg_warn("cidr map %s, line %d: garbage after ENDIF: skipping this rule", path, lineno);
            return;
        }
        if (!dict_pattern_ifs_pop(ifs, &if_rule, &if_line)) {
            msg_warn("cidr map %s, line %d: ENDIF without IF: skipping this rule", path, lineno);
            return;
        }
        dc->rules[if_rule].endif = dc->nrules;
    } else {
        char *pattern = dict_cidr_negation(p, &rule.negate);
        char *result;

        if (*pattern == 0) {
            msg_warn("cidr map %s, line %d: no address pattern: skipping this rule", path, lineno);
            return;
        }
        for (result = pattern; *result && !DICT_PATTERN_ISSPACE((unsigned char)*result);)
            result++;
        if (*result)
            *result++ = 0;
        result = dict_cidr_skip_space(result);
        if (dict_cidr_parse_pattern(path, lineno, pattern, &rule) < 0)
            return;
        if (*result == 0) {
            msg_warn("cidr map %s, line %d: no lookup result: skipping this rule", path, lineno);
            return;
        }
        rule.op = CIDR_OP_MATCH;
        rule.result = mystrdup(result);
        dict_cidr_rule_add(dc, &rule);
    }
}

static int dict_cidr_lookup(DICT *dict, const char *key, const char **value)
{
    DICT_CIDR *dc = (DICT_CIDR *)dict;
    unsigned char addr[16];
    int family = strchr(key, ':') ? AF_INET6 : AF_INET;
    size_t i = 0;

    dict->error = DICT_ERR_NONE;
    if (inet_pton(family, key, addr) != 1)
        return DICT_STAT_NOTFOUND;
    while (i < dc->nrules) {
        const CIDR_RULE *rule = dc->rules + i;
        int matched = 0;

        if (rule->family == family) {
            matched = 1;
            for (size_t j = 0; j < rule->nbytes; j++) {
                if ((addr[j] & rule->mask[j]) != rule->net[j]) {
                    matched = 0;
                    break;
                }
            }
            matched ^= rule->negate;
        }
        if (rule->op == CIDR_OP_IF) {
            i = matched ? i + 1 : rule->endif;
            continue;
        }
        if (matched) {
            *value = rule->result;
            return DICT_STAT_FOUND;
        }
        i++;
    }
    return DICT_STAT_NOTFOUND;
}

static void dict_cidr_close(DICT *dict)
{
    DICT_CIDR *dc = (DICT_CIDR *)dict;

    for (size_t i = 0; i < dc->nrules; i++)
        if (dc->rules[i].result)
            myfree(dc->rules[i].result);
    if (dc->rules)
        myfree(dc->rules);
    dict_free(dict);
}

DICT *dict_cidr_open_buf(const char *name, const char *buf, size_t len, int dict_flags)
{
    DICT_CIDR *dc = (DICT_CIDR *)dict_alloc(DICT_TYPE_CIDR, name, sizeof(*dc));
    DICT_PATTERN_READER rd;
    DICT_PATTERN_IFS ifs;
    VSTRING *line = vstring_alloc(100);
    size_t if_rule;
    int if_line;
    int lineno;

    dc->dict.flags = dict_flags | DICT_FLAG_PATTERN;
    dc->dict.open_flags = O_RDONLY;
    dc->dict.lookup = dict_cidr_lookup;
    dc->dict.close = dict_cidr_close;
    /* update, delete and sequence keep dict_alloc()'s "not supported" handlers. */
    dict_pattern_reader_init(&rd, name, buf, len);
    dict_pattern_ifs_init(&ifs);
    while (dict_pattern_read_line(&rd, line, &lineno)) {
        char *s = vstring_str(line);
        size_t n = strlen(s);

        while (n > 0 && DICT_PATTERN_ISSPACE((unsigned char)s[n - 1]))
            s[--n] = 0;
        dict_cidr_parse_line(dc, &ifs, s, lineno);
    }
    while (dict_pattern_ifs_pop(&ifs, &if_rule, &if_line)) {
        msg_warn("cidr map %s, line %d: IF has no matching ENDIF", name, if_line);
        dc->rules[if_rule].endif = dc->nrules;
    }
    dict_pattern_ifs_free(&ifs);
    vstring_free(line);
    return &dc->dict;
}

DICT *dict_cidr_open(const char *name, int open_flags, int dict_flags)
{
    DICT_PATTERN_FILE file;
    VSTRING *why;
    DICT *dict;

    if ((dict = dict_pattern_check_mode(DICT_TYPE_CIDR, name, open_flags, dict_flags)) != 0)
        return dict;
    why = vstring_alloc(100);
    if (dict_pattern_load_spec(DICT_TYPE_CIDR, name, &file, why) < 0) {
        dict = dict_surrogate(DICT_TYPE_CIDR, name, open_flags, dict_flags, DICT_ERR_CONFIG, "%s",
                              vstring_str(why));
        vstring_free(why);
        return dict;
    }
    vstring_free(why);
    dict = dict_cidr_open_buf(name, file.data, file.len, dict_flags);
    dict->mtime = file.mtime;
    dict->owner_uid = (int)file.owner_uid;
    dict_pattern_unload(&file);
    return dict;
}
