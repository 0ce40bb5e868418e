/*
 * Unit tests for mail_params_unsupported: what is missing is named, what
 * works is not (a wrong "not implemented" warning would be as bad as a
 * missing one).
 */
#include "mail_params_unsupported.h"
#include "ptest.h"

static void test_names(void)
{
    static const char *const missing[] = {"relayhost",
                                          "smtp_tls_security_level",
                                          "smtpd_tls_cert_file",
                                          "smtpd_sasl_auth_enable",
                                          "smtpd_milters",
                                          "milter_default_action",
                                          "postscreen_access_list",
                                          "address_verify_map",
                                          "lmtp_connect_timeout",
                                          "tls_high_cipherlist",
                                          "smtpd_client_connection_count_limit",
                                          "mailbox_command",
                                          "content_filter",
                                          0};
    static const char *const present[] = {"myhostname",
                                          "mydestination",
                                          "smtpd_recipient_restrictions",
                                          "smtpd_banner",
                                          "smtputf8_enable",
                                          "header_checks",
                                          "virtual_alias_maps",
                                          "always_bcc",
                                          "receive_override_options",
                                          "local_recipient_maps",
                                          "alias_maps",
                                          "transport_maps",
                                          "smtpd_client_restrictions",
                                          "smtpd_forbid_bare_newline",
                                          "soft_bounce",
                                          0};

    for (const char *const *cp = missing; *cp; cp++)
        if (!mail_param_unsupported(*cp))
            PTEST_FAIL("%s should be reported as not implemented", *cp);
    for (const char *const *cp = present; *cp; cp++)
        if (mail_param_unsupported(*cp))
            PTEST_FAIL("%s is implemented but reported as not", *cp);
}

static const PTEST_CASE cases[] = {
    {"names", test_names},
};

PTEST_MAIN(cases)
