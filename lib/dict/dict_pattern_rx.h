/*
 * dict_pattern_rx - the rule engine shared by the regexp and pcre table
 * types; see dict_pattern_rx.c.
 *
 * A table type supplies a DICT_PATTERN_RX_OPS (how to read its flag
 * letters, compile a pattern, run a match); this module parses the file
 * syntax they share ("/pattern/flags result", "!/pattern/ result",
 * "if /pattern/" ... "endif", "$n" substitution) from a memory buffer, and
 * answers lookups: the first rule that matches wins.
 */
#ifndef POSTERN_DICT_PATTERN_RX_H
#define POSTERN_DICT_PATTERN_RX_H

#include <stddef.h>

#include "vstring.h"
#include "dict.h"
#include "dict_pattern.h"

typedef struct DICT_PATTERN_RX_OPS {
    DICT_PATTERN_STYLE style;   /* "regexp" / "pcre", wording of "$0" */
    const char *nodelim_action; /* "skipping" or "ignoring" (Postfix differs) */
    int second_pattern;         /* "/p1/!/p2/ result" allowed; "!" ends the flags */
    int default_options;
    /* Apply one flag letter to *options; 0 ok, 1 ignored (warned), -1 unknown. */
    int (*flag)(int letter, int *options, const char *path, int lineno);
    /* Compile, or warn and return a null pointer; *ngroups = capture groups. */
    void *(*compile)(const char *pattern, int options, int want_groups, size_t *ngroups,
                     const char *path, int lineno);
    /*
     * 1: match (start/end filled for groups 0..n-1 when start is not null,
     * DICT_PATTERN_NOGROUP for a group that did not take part); 0: no
     * match; -1: matching error (warned; treated as no match).
     */
    int (*match)(void *re, const char *key, size_t keylen, size_t *start, size_t *end, size_t n,
                 const char *path, int lineno);
    void (*free)(void *re);
} DICT_PATTERN_RX_OPS;

typedef struct DICT_PATTERN_RX DICT_PATTERN_RX;

/* dict_flags: DICT_FLAG_NO_REGSUB rejects rules that use $n. Never fails. */
extern DICT_PATTERN_RX *dict_pattern_rx_parse(const DICT_PATTERN_RX_OPS *ops, const char *path,
                                              const char *buf, size_t len, int dict_flags);

/* 1 with *value set (valid until the next lookup), or 0 when no rule matches. */
extern int dict_pattern_rx_lookup(DICT_PATTERN_RX *rx, const char *key, const char **value);
extern size_t dict_pattern_rx_rule_count(const DICT_PATTERN_RX *rx);
extern void dict_pattern_rx_free(DICT_PATTERN_RX *rx);

/*
 * The DICT for a regexp-style table: from a file (a surrogate when it
 * cannot be read or is opened for writing), or from a buffer (fuzzing,
 * tests; name is only used in messages).
 */
extern DICT *dict_pattern_rx_open(const char *type, const DICT_PATTERN_RX_OPS *ops,
                                  const char *name, int open_flags, int dict_flags);
extern DICT *dict_pattern_rx_open_buf(const char *type, const DICT_PATTERN_RX_OPS *ops,
                                      const char *name, const char *buf, size_t len,
                                      int dict_flags);

#endif
