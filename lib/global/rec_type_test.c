/*
 * rec_type_test - the record type names and the envelope set, pinned to
 * what Debian's Postfix 3.7 postcat prints and accepts (observed by
 * feeding it one record of every type byte 0..255).
 */
#include <string.h>

#include "ptest.h"
#include "rec_type.h"

static void test_names(void)
{
    static const struct {
        int type;
        const char *want;
    } cases[] = {
        {'/', "canceled_recipient"},
        {'<', "dsn_return_flags"},
        {'>', "redirect_to"},
        {'A', "named_attribute"},
        {'C', "message_size"},
        {'D', "done_recipient"},
        {'F', "sender_fullname"},
        {'I', "content_inspector"},
        {'K', "killed_record"},
        {'L', "content_filter"},
        {'N', "regular_text"},
        {'O', "original_recipient"},
        {'P', "priority"},
        {'R', "recipient"},
        {'S', "sender"},
        {'T', "message_arrival_time"},
        {'V', "verp_delimiters"},
        {'W', "warning_message_time"},
        {'c', "queue_file_create_time"},
        {'e', "errors_to"},
        {'f', "flags"},
        {'i', "dsn_envelope_id"},
        {'n', "dsn_notify_flags"},
        {'o', "dsn_original_recipient"},
        {'p', "pointer_record"},
        {'r', "return_receipt"},
        {'w', "padding"},
        {0, "unknown_record_type"},
        {'Z', "unknown_record_type"},
        {'a', "unknown_record_type"},
        {255, "unknown_record_type"},
        {-1, "unknown_record_type"},
        {256, "unknown_record_type"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (strcmp(rec_type_name(cases[i].type), cases[i].want) != 0)
            PTEST_FAIL("type %d: got \"%s\", want \"%s\"", cases[i].type,
                       rec_type_name(cases[i].type), cases[i].want);
}

/* Exactly these may open a queue file (Postfix also lets 0 through). */
static void test_envelope(void)
{
    static const char want[] = "/<>ACDFIKLMORSTVWcino";

    for (int t = -2; t < 257; t++) {
        int expect = t > 0 && t < 256 && strchr(want, t) != 0;

        if (rec_type_envelope(t) != expect)
            PTEST_FAIL("type %d: got %d, want %d", t, rec_type_envelope(t), expect);
    }
}

static void test_known(void)
{
    static const char known[] = "/<>ACDEFIKLMNOPRSTVWXcefinoprw";

    for (int t = -2; t < 257; t++) {
        int expect = t > 0 && t < 256 && strchr(known, t) != 0;

        if (rec_type_known(t) != expect)
            PTEST_FAIL("type %d: got %d, want %d", t, rec_type_known(t), expect);
    }
}

static const PTEST_CASE cases[] = {
    {"names", test_names},
    {"envelope", test_envelope},
    {"known", test_known},
};

PTEST_MAIN(cases)
