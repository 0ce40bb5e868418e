/*
 * mail_conf_fuzz - fuzz target for the main.cf parser and $name expander.
 *
 * The input is parsed as main.cf text; every value set is then expanded and,
 * for registry names, type-checked; the input is also expanded as a whole.
 * Invariants (abort() when broken): expansion never returns more than
 * MAIL_CONF_EXPAND_LIMIT bytes; an expansion error always has a reason; the
 * same text expands to the same result twice.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "argv.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstring.h"

static void fuzz_expand(const char *text, VSTRING *out, VSTRING *why, VSTRING *again)
{
    int ret = mail_conf_expand_text(out, text, why);

    if (VSTRING_LEN(out) > MAIL_CONF_EXPAND_LIMIT)
        abort();
    if (ret < 0 && VSTRING_LEN(why) == 0)
        abort();
    if (mail_conf_expand_text(again, text, why) != ret)
        abort();
    if (ret == 0 && strcmp(vstring_str(out), vstring_str(again)) != 0)
        abort();
}

static void fuzz_quiet(int level, const char *text)
{
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int initialized;
    VSTRING *why = vstring_alloc(100);
    VSTRING *out = vstring_alloc(100);
    VSTRING *again = vstring_alloc(100);
    char *text;
    ARGV *names;

    if (!initialized) {
        msg_output_clear(); /* parser warnings are expected */
        msg_output_add(fuzz_quiet);
        initialized = 1;
    }
    if (size > 65536)
        size = 65536;
    text = mystrndup((const char *)data, size);
    mail_conf_reset();
    (void)mail_conf_parse((const char *)data, size, "fuzz.cf", why);
    names = mail_conf_names();
    for (size_t i = 0; i < names->argc; i++) {
        const char *raw = mail_conf_lookup(names->argv[i]);
        const MAIL_PARAM *p = mail_param_find(names->argv[i]);
        long num;

        if (raw == 0)
            abort();
        fuzz_expand(raw, out, why, again);
        if (p && VSTRING_LEN(why) == 0)
            (void)mail_param_check(p, vstring_str(out), &num);
    }
    fuzz_expand(text, out, why, again);
    argv_free(names);
    myfree(text);
    vstring_free(why);
    vstring_free(out);
    vstring_free(again);
    mail_conf_reset();
    return 0;
}
