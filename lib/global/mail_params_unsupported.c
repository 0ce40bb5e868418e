/*
 * mail_params_unsupported - see mail_params_unsupported.h.
 */
#include <string.h>

#include "argv.h"
#include "mail_conf.h"
#include "mail_params_unsupported.h"
#include "msg.h"

/* Every row of the registry files of features that are not there. */
#define PARAM_STR(n, d, mn, mx)      #n,
#define PARAM_STR_FN(n, f, mn, mx)   #n,
#define PARAM_STR_V(c, n, d, mn, mx) n,
#define PARAM_RAW(n, d, mn, mx)      #n,
#define PARAM_LIST(n, d)             #n,
#define PARAM_INT(n, d, mn, mx)      #n,
#define PARAM_LONG(n, d, mn, mx)     #n,
#define PARAM_SIZE(n, d, mn, mx)     #n,
#define PARAM_BOOL(n, d)             #n,
#define PARAM_TIME(n, d, mn, mx)     #n,
static const char *const mail_params_missing_groups[] = {
#include "params_smtp.def"
#include "params_lmtp.def"
#include "params_tls.def"
#include "params_postscreen.def"
#include "params_milter.def"
#include "params_verify.def"
    0};
#include "params_undef.h"

/* Name prefixes of the smtpd features that are not there. */
static const char *const mail_params_missing_prefixes[] = {
    "smtpd_tls_",            /* STARTTLS */
    "smtpd_sasl_",           /* AUTH */
    "smtpd_policy_service_", /* check_policy_service */
    "smtpd_client_connection_",
    "smtpd_client_message_rate",
    "smtpd_client_recipient_rate",
    "smtpd_client_new_tls_",
    "smtpd_client_auth_rate", /* anvil */
    0};

/* Single names. */
static const char *const mail_params_missing_names[] = {"relayhost", /* no smtp client */
                                                        "smtpd_milters",
                                                        "non_smtpd_milters",
                                                        "smtpd_milter_maps",
                                                        "smtpd_proxy_filter",
                                                        "smtpd_sender_login_maps",
                                                        "smtpd_use_tls",
                                                        "smtpd_enforce_tls",
                                                        "content_filter",
                                                        "message_reject_characters",
                                                        "message_strip_characters",
                                                        "bounce_template_file",
                                                        "mailbox_command",
                                                        "mailbox_command_maps",
                                                        "mailbox_transport",
                                                        "mailbox_transport_maps",
                                                        "fallback_transport",
                                                        "fallback_transport_maps",
                                                        "luser_relay",
                                                        "forward_path",
                                                        "allow_mail_to_commands",
                                                        "allow_mail_to_files",
                                                        "virtual_mailbox_base",
                                                        "virtual_uid_maps",
                                                        "virtual_gid_maps",
                                                        "virtual_minimum_uid",
                                                        "virtual_mailbox_limit",
                                                        0};

int mail_param_unsupported(const char *name)
{
    for (const char *const *cp = mail_params_missing_names; *cp; cp++)
        if (strcmp(*cp, name) == 0)
            return 1;
    for (const char *const *cp = mail_params_missing_prefixes; *cp; cp++)
        if (strncmp(*cp, name, strlen(*cp)) == 0)
            return 1;
    for (const char *const *cp = mail_params_missing_groups; *cp; cp++)
        if (strcmp(*cp, name) == 0)
            return 1;
    return 0;
}

void mail_params_warn_unsupported(void)
{
    ARGV *names = mail_conf_names();

    for (size_t i = 0; i < names->argc; i++) {
        const char *value = mail_conf_lookup(names->argv[i]);

        if (value && *value && mail_param_unsupported(names->argv[i]))
            msg_warn("%s: %s is set, but Postern does not implement it yet",
                     mail_conf_file() ? mail_conf_file() : "main.cf", names->argv[i]);
    }
    argv_free(names);
}
