/*
 * qfile_test - unit tests for the queue file checker: a well-formed file
 * passes, and each kind of damage qmgr must send to corrupt/ is caught.
 */
#include <stdio.h>
#include <string.h>

#include "ptest.h"
#include "qfile.h"
#include "record.h"
#include "vstring.h"

/*
 * A compact description of a file: one letter per record, the data after
 * a colon, records separated by '|'.  "@" stands for a correct size record
 * (computed when the file is built).
 */
static VSTRING *build(const char *spec)
{
    VSTRING *out = vstring_alloc(100);
    VSTRING *body = vstring_alloc(100);
    char copy[1024];
    char *save = 0;
    int has_size = spec[0] == '@';
    long data_offset = 0;
    long data_size = 0;
    long mark = -1;

    snprintf(copy, sizeof(copy), "%s", spec);
    for (char *tok = strtok_r(copy, "|", &save); tok; tok = strtok_r(0, "|", &save)) {
        const char *data = tok[1] == ':' ? tok + 2 : "";

        if (tok[0] == '@')
            continue;
        rec_put_str(body, (unsigned char)tok[0], data);
        if (tok[0] == 'M' && data_offset == 0) {
            data_offset = (long)VSTRING_LEN(body);
            mark = data_offset;
        }
        if (tok[0] == 'X' && mark >= 0) {
            data_size = (long)VSTRING_LEN(body) - 2 - mark;
            mark = -1;
        }
    }
    if (has_size) {
        REC_SIZE sz = {data_size, data_offset + 2 + REC_TYPE_SIZE_WIDTH, 1, 0, data_size, 0};

        rec_size_format(out, &sz);
    }
    vstring_memcat(out, vstring_str(body), VSTRING_LEN(body));
    vstring_free(body);
    return out;
}

static void test_checks(void)
{
    static const struct {
        const char *name;
        const char *spec;
        int flags;
        const char *want; /* null: passes; else part of the reason */
    } cases[] = {
        {"good", "@|T:1 2|A:create_time=1|F:root|S:a@b|O:r@x|R:r@x|M|N:Subject: x|N:|L:lo|N:ng|X|E",
         0, 0},
        {"good, extracted rcpts", "@|T:1 2|S:a@b|M|N:x|X|A:dsn_orig_rcpt=rfc822;r@x|O:r@x|R:r@x|E",
         0, 0},
        {"good, done rcpt", "@|T:1 2|S:|D:r@x|/:q@x|M|N:x|X|E", 0, 0},
        {"good maildrop", "T:1 2|A:rewrite_context=local|F:root|S:a@b|R:r@x|M|N:x|X|E",
         QFILE_FLAG_MAILDROP, 0},
        {"trailing data after end", "@|S:a|M|N:x|X|E|R:late", 0, 0},
        {"maildrop file as queue file", "T:1 2|S:a@b|R:r@x|M|N:x|X|E", 0, "not a size record"},
        {"empty", "", 0, "missing end record"},
        {"missing end", "@|S:a|M|N:x|X", 0, "missing end record"},
        {"unknown type", "@|S:a|Z:what|M|N:x|X|E", 0, "unknown record type 90"},
        {"content before M", "@|S:a|N:x|M|N:x|X|E", 0, "not allowed"},
        {"X before M", "@|S:a|X|M|N:x|E", 0, "out-of-order extracted"},
        {"two M", "@|S:a|M|N:x|M|X|E", 0, "out-of-order message content"},
        {"E in content", "@|S:a|M|N:x|E", 0, "out-of-order message end"},
        {"E in envelope", "@|S:a|E", 0, "out-of-order message end"},
        {"recipient in content", "@|S:a|M|N:x|R:r@x|X|E", 0, "not allowed"},
        {"no sender", "@|R:r@x|M|N:x|X|E", 0, "0 sender records"},
        {"two senders", "@|S:a|S:b|M|N:x|X|E", 0, "2 sender records"},
        {"size in middle", "@|S:a|C:1 2 3|M|N:x|X|E", 0, "not allowed"},
        {"time in extracted", "@|S:a|M|N:x|X|T:1 2|E", 0, "not allowed"},
        {"attribute without =", "@|S:a|A:novalue|M|N:x|X|E", 0, "without '='"},
        {"bad size record", "C:12 abc|S:a|M|N:x|X|E", 0, "invalid size record"},
        {"garbage first", "N:hello|S:a|M|X|E", QFILE_FLAG_MAILDROP, "not a queue file"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        VSTRING *file = build(cases[i].spec);
        VSTRING *why = vstring_alloc(100);
        REC_READER *rp =
            rec_reader_mem(vstring_str(file), VSTRING_LEN(file), 0, REC_FLAG_FOLLOW_PTR);
        QFILE_INFO info;
        int got = qfile_check(rp, cases[i].flags, &info, why);

        if (cases[i].want == 0 && got != 0)
            PTEST_FAIL("%s: got error \"%s\", want success", cases[i].name, vstring_str(why));
        else if (cases[i].want != 0 && (got == 0 || strstr(vstring_str(why), cases[i].want) == 0))
            PTEST_FAIL("%s: got %d \"%s\", want error \"%s\"", cases[i].name, got,
                       got ? vstring_str(why) : "", cases[i].want);
        rec_reader_free(rp);
        vstring_free(file);
        vstring_free(why);
    }
}

/* Content offset in the size record must point at the content. */
static void test_data_offset(void)
{
    VSTRING *file = build("@|S:a|M|N:x|X|E");
    VSTRING *why = vstring_alloc(100);
    REC_READER *rp;
    QFILE_INFO info;

    rp = rec_reader_mem(vstring_str(file), VSTRING_LEN(file), 0, REC_FLAG_FOLLOW_PTR);
    PTEST_INT_EQ(qfile_check(rp, 0, &info, why), 0);
    PTEST_INT_EQ(info.content_offset, 2 + REC_TYPE_SIZE_WIDTH + 3 + 2);
    PTEST_INT_EQ(info.size.data_size, 3);
    rec_reader_free(rp);

    /* Off by one: corrupt. */
    vstring_str(file)[2 + 29] += 1;
    rp = rec_reader_mem(vstring_str(file), VSTRING_LEN(file), 0, REC_FLAG_FOLLOW_PTR);
    PTEST_INT_EQ(qfile_check(rp, 0, &info, why), -1);
    PTEST_CHECK(strstr(vstring_str(why), "size record says content at") != 0);
    rec_reader_free(rp);
    vstring_free(file);
    vstring_free(why);
}

/* Counts for qmgr. */
static void test_counts(void)
{
    VSTRING *file = build("@|S:a|R:1|D:2|R:3|/:4|M|N:x|X|R:5|E");
    VSTRING *why = vstring_alloc(100);
    REC_READER *rp = rec_reader_mem(vstring_str(file), VSTRING_LEN(file), 0, REC_FLAG_FOLLOW_PTR);
    QFILE_INFO info;

    PTEST_INT_EQ(qfile_check(rp, 0, &info, why), 0);
    PTEST_INT_EQ(info.rcpt_todo, 3);
    PTEST_INT_EQ(info.rcpt_done, 2);
    rec_reader_free(rp);
    vstring_free(file);
    vstring_free(why);
}

static const PTEST_CASE cases[] = {
    {"checks", test_checks},
    {"data_offset", test_data_offset},
    {"counts", test_counts},
};

PTEST_MAIN(cases)
