/*
 * tok822_fuzz - fuzz target for the RFC 5322 tokenizer, address parser and
 * quoting.  Besides "no crash, no leak, no sanitizer report", it checks
 * these invariants and abort()s when one fails:
 *   1. parse -> externalize -> parse gives the same internal addresses
 *      (plain, and one address per line folded with tok822_fold);
 *   2. for every internal address A: tok822_scan_addr(quote_822_local(A))
 *      internalizes to A, and unquote_822_local() of it gives A when the
 *      domain did not need quotes;
 *   3. rewriting every address to its own internal form (tok822_addr_set)
 *      and externalizing again still parses to the same addresses;
 *   4. the token limit is respected.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argv.h"
#include "mymalloc.h"
#include "quote_822_local.h"
#include "tok822.h"
#include "vstring.h"

#define FUZZ_LIMIT 300

static ARGV *fuzz_addrs(TOK822 *tree)
{
    ARGV *argv = argv_alloc(1);
    VSTRING *buf = vstring_alloc(100);

    for (TOK822 *tp = tree; tp; tp = tp->next)
        if (tp->type == TOK822_ADDR)
            argv_add(argv, vstring_str(tok822_internalize(buf, tp, TOK822_STR_NONE)));
    vstring_free(buf);
    return argv;
}

static void fuzz_same(const char *what, ARGV *a, ARGV *b, const char *text)
{
    int same = a->argc == b->argc;

    for (size_t i = 0; same && i < a->argc; i++)
        same = strcmp(a->argv[i], b->argv[i]) == 0;
    if (!same) {
        fprintf(stderr, "tok822_fuzz: %s changed the addresses of \"%s\"\n", what, text);
        for (size_t i = 0; i < a->argc || i < b->argc; i++)
            fprintf(stderr, "  %zu: \"%s\" vs \"%s\"\n", i, i < a->argc ? a->argv[i] : "-",
                    i < b->argc ? b->argv[i] : "-");
        abort();
    }
}

static void fuzz_reparse(const char *what, TOK822 *tree, ARGV *want, int flags)
{
    VSTRING *ext = vstring_alloc(100);
    int trunc;

    tok822_externalize(ext, tree, TOK822_STR_LIST | flags);
    if (flags & TOK822_STR_LINE)
        tok822_fold(ext, 70);
    TOK822 *again = tok822_parse(vstring_str(ext), FUZZ_LIMIT, &trunc);
    ARGV *got = fuzz_addrs(again);
    fuzz_same(what, want, got, vstring_str(ext));
    argv_free(got);
    tok822_free_tree(again);
    vstring_free(ext);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *str = mystrndup((const char *) data, size);
    VSTRING *ext = vstring_alloc(100);
    VSTRING *back = vstring_alloc(100);
    int trunc;
    size_t count = 0;

    TOK822 *list = tok822_scan(str, FUZZ_LIMIT, &trunc);
    for (TOK822 *tp = list; tp; tp = tp->next)
        count++;
    if (count > FUZZ_LIMIT || (trunc && count != FUZZ_LIMIT))
        abort();
    tok822_free_tree(list);

    TOK822 *tree = tok822_parse(str, FUZZ_LIMIT, &trunc);
    ARGV *addrs = fuzz_addrs(tree);
    fuzz_reparse("externalize", tree, addrs, TOK822_STR_NONE);
    fuzz_reparse("folded externalize", tree, addrs, TOK822_STR_LINE);

    for (size_t i = 0; i < addrs->argc; i++) {
        const char *a = addrs->argv[i];
        const char *at = strrchr(a, '@');

        quote_822_local(ext, a);
        TOK822 *addr = tok822_scan_addr(vstring_str(ext), 0, 0);
        tok822_internalize(back, addr, TOK822_STR_NONE);
        tok822_free_tree(addr);
        if (strcmp(vstring_str(back), a) != 0) {
            fprintf(stderr, "tok822_fuzz: \"%s\" quoted as \"%s\" parses as \"%s\"\n", a,
                    vstring_str(ext), vstring_str(back));
            abort();
        }
        if (at == 0 || strcmp(strrchr(vstring_str(ext), '@'), at) == 0) {
            unquote_822_local(back, vstring_str(ext));
            if (strcmp(vstring_str(back), a) != 0) {
                fprintf(stderr, "tok822_fuzz: \"%s\" quoted as \"%s\" unquotes as \"%s\"\n", a,
                        vstring_str(ext), vstring_str(back));
                abort();
            }
        }
    }

    size_t n;
    TOK822 **nodes = tok822_grep(tree, TOK822_ADDR, &n);
    if (n != addrs->argc)
        abort();
    for (size_t i = 0; i < n; i++)
        tok822_addr_set(nodes[i], addrs->argv[i]);
    myfree(nodes);
    fuzz_reparse("rewrite", tree, addrs, TOK822_STR_NONE);

    argv_free(addrs);
    tok822_free_tree(tree);
    vstring_free(ext);
    vstring_free(back);
    myfree(str);
    return 0;
}
