/*
 * smtpd_chat_test - table-driven tests of the transcript's line wrapping,
 * the notify_classes parser and the notice text.
 */
#include <string.h>

#include "argv.h"
#include "mail_params.h"
#include "ptest.h"
#include "smtpd_chat.h"

typedef struct {
    const char *in;
    size_t width;
    const char *want;
} WRAP_CASE;

static const WRAP_CASE wrap_cases[] = {
    {"Out: 250 2.0.0 Ok", 78, " Out: 250 2.0.0 Ok\n"},
    {"", 78, " \n"},
    /* exactly the width: one line */
    {"abcd efgh", 9, " abcd efgh\n"},
    /* break at the last blank that fits; indent 4 counts in the width */
    {"abcd efgh ijkl", 9, " abcd efgh\n     ijkl\n"},
    {"In:  FOO aaaaaaaaaaaaaaa b", 9, " In:  FOO\n     aaaaaaaaaaaaaaa\n     b\n"},
    /* a word longer than the line is not broken, even at the end */
    {"xxxxxxxxxxxxxxxx", 9, " xxxxxxxxxxxxxxxx\n"},
    {"xxxxxxxxxxxxxxxx y", 9, " xxxxxxxxxxxxxxxx\n     y\n"},
    /* blanks at the break are dropped */
    {"abcd   efgh   ijkl", 9, " abcd\n     efgh\n     ijkl\n"},
    {"abcd efgh   ", 9, " abcd efgh\n"},
    {"In:  ", 78, " In:\n"},
    {"In:  FOO  ", 78, " In:  FOO\n"},
};

static void test_wrap(void)
{
    for (size_t i = 0; i < sizeof(wrap_cases) / sizeof(wrap_cases[0]); i++) {
        VSTRING *out = vstring_alloc(100);

        smtpd_chat_wrap(out, wrap_cases[i].in, wrap_cases[i].width, 4);
        PTEST_STR_EQ(vstring_str(out), wrap_cases[i].want);
        vstring_free(out);
    }
}

static void test_classes(void)
{
    PTEST_INT_EQ(smtpd_chat_classes("resource, software"), SMTPD_ERR_RESOURCE | SMTPD_ERR_SOFTWARE);
    PTEST_INT_EQ(smtpd_chat_classes("Protocol\tpolicy,bounce 2bounce delay data"),
                 SMTPD_ERR_PROTOCOL | SMTPD_ERR_POLICY | SMTPD_ERR_BOUNCE);
    PTEST_INT_EQ(smtpd_chat_classes(""), 0);
    PTEST_INT_EQ(smtpd_chat_classes("protocolx, 2bounce"), 0);
}

static void test_compose(void)
{
    SMTPD_STATE state;
    VSTRING *text = vstring_alloc(100);
    const char *body;

    memset(&state, 0, sizeof(state));
    var_myhostname = "mail.example.test";
    var_mail_name = "Postern";
    var_error_notice_recipient = "postmaster";
    state.namaddr = "client.test[192.0.2.1]";
    state.history = argv_alloc(4);
    argv_add(state.history, "Out: 220 hi");
    argv_add(state.history, "In:  FOO");
    state.reason = "lost connection";
    smtpd_chat_compose(&state, text, "ABCDEF1234", 0);
    PTEST_CHECK(strncmp(vstring_str(text), "Received: by mail.example.test (Postern)\n\tid ABCDEF1234; ",
                        57) == 0);
    body = strstr(vstring_str(text), "\nFrom: ");
    PTEST_CHECK(body != 0);
    if (body)
        PTEST_STR_EQ(body, "\nFrom: Mail Delivery System <MAILER-DAEMON@mail.example.test>\n"
                           "To: Postmaster <postmaster>\n"
                           "Subject: Postern SMTP server: errors from client.test[192.0.2.1]\n"
                           "\n"
                           "Transcript of session follows.\n"
                           "\n"
                           " Out: 220 hi\n"
                           " In:  FOO\n"
                           "\n"
                           "Session aborted, reason: lost connection\n"
                           "\n"
                           "For other details, see the local mail logfile\n");
    argv_free(state.history);
    vstring_free(text);
}

static const PTEST_CASE cases[] = {
    {"wrap", test_wrap},
    {"classes", test_classes},
    {"compose", test_compose},
};

PTEST_MAIN(cases)
