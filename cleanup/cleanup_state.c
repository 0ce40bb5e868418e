/*
 * cleanup_state - one message in progress, and the configuration that
 * every message shares.
 *
 *   conf = cleanup_conf_from_params()   main.cf (mail_params_init() done):
 *                    opens every table once (pre-init, while root), parses
 *                    the lists; a bad *_classes value is fatal, as in
 *                    Postfix
 *   state = cleanup_state_alloc(conf, hooks) / cleanup_state_free(state)
 *   cleanup_set_error(state, stat, text)
 *                    record an error: the first one sets the reason the
 *                    client sees ("5.7.1 text"); later ones only add bits
 *   cleanup_canon_classes(param, value)   parse a *_classes list
 */
#include <string.h>

#include "cleanup.h"

#include "cleanup_user.h"

#include "argv.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "stringops.h"

int cleanup_canon_classes(const char *param, const char *value)
{
    static const struct {
        const char *name;
        int mask;
    } names[] = {
        {"envelope_sender", CLEANUP_CANON_ENV_SENDER},
        {"envelope_recipient", CLEANUP_CANON_ENV_RECIP},
        {"header_sender", CLEANUP_CANON_HDR_SENDER},
        {"header_recipient", CLEANUP_CANON_HDR_RECIP},
    };
    ARGV *list = argv_split_list(value);
    int mask = 0;

    for (size_t i = 0; i < list->argc; i++) {
        size_t j;

        for (j = 0; j < sizeof(names) / sizeof(names[0]); j++)
            if (strcasecmp(list->argv[i], names[j].name) == 0)
                break;
        if (j == sizeof(names) / sizeof(names[0]))
            msg_fatal("bad %s value: %s", param, list->argv[i]);
        mask |= names[j].mask;
    }
    argv_free(list);
    return mask;
}

static ARGV *cleanup_lower_list(const char *value)
{
    ARGV *list = argv_split_list(value);

    for (size_t i = 0; i < list->argc; i++)
        lowercase(list->argv[i]);
    return list;
}

CLEANUP_CONF *cleanup_conf_from_params(void)
{
    CLEANUP_CONF *conf = mycalloc(1, sizeof(*conf));
    int fixed = DICT_FLAG_DEFAULT;
    int pattern = DICT_FLAG_DEFAULT;

    mail_queue_conf_params(&conf->queue);
    conf->queue.queue_dir = 0; /* the skeleton has done chdir(queue_directory) */
    conf->myhostname = var_myhostname;
    conf->mail_name = var_mail_name;
    conf->header_checks = maps_create("header_checks", var_header_checks, pattern);
    conf->mime_header_checks =
        maps_create("mime_header_checks", var_mime_header_checks, pattern);
    conf->nested_header_checks =
        maps_create("nested_header_checks", var_nested_header_checks, pattern);
    conf->body_checks = maps_create("body_checks", var_body_checks, pattern);
    conf->canonical_maps = maps_create("canonical_maps", var_canonical_maps, fixed);
    conf->send_canon_maps =
        maps_create("sender_canonical_maps", var_sender_canonical_maps, fixed);
    conf->rcpt_canon_maps =
        maps_create("recipient_canonical_maps", var_recipient_canonical_maps, fixed);
    conf->virt_alias_maps = maps_create("virtual_alias_maps", var_virtual_alias_maps, fixed);
    conf->send_bcc_maps = maps_create("sender_bcc_maps", var_sender_bcc_maps, fixed);
    conf->rcpt_bcc_maps = maps_create("recipient_bcc_maps", var_recipient_bcc_maps, fixed);
    conf->always_bcc = var_always_bcc;
    conf->canon_classes = cleanup_canon_classes("canonical_classes", var_canonical_classes);
    conf->send_canon_classes =
        cleanup_canon_classes("sender_canonical_classes", var_sender_canonical_classes);
    conf->rcpt_canon_classes =
        cleanup_canon_classes("recipient_canonical_classes", var_recipient_canonical_classes);
    conf->masq_domains = cleanup_lower_list(var_masquerade_domains);
    conf->masq_exceptions = cleanup_lower_list(var_masquerade_exceptions);
    conf->masq_classes = cleanup_canon_classes("masquerade_classes", var_masquerade_classes);
    conf->drop_headers = cleanup_lower_list(var_message_drop_headers);
    conf->message_size_limit = var_message_size_limit;
    conf->header_size_limit = (size_t)var_header_size_limit;
    conf->body_checks_size_limit = var_body_checks_size_limit;
    conf->hopcount_limit = var_hopcount_limit;
    conf->virt_expan_limit = var_virtual_alias_expansion_limit;
    conf->virt_recur_limit = var_virtual_alias_recursion_limit;
    conf->dup_filter_limit = var_duplicate_filter_limit;
    conf->always_add_headers = var_always_add_missing_headers;
    conf->undisclosed_header = var_undisclosed_recipients_header;
    conf->remote_header_domain = var_remote_header_rewrite_domain;
    conf->recipient_delimiter = var_recipient_delimiter;
    conf->delay_warning_time = var_delay_warning_time;
    conf->mime_options = var_disable_mime_input_processing ? MIME_OPT_DISABLE_MIME : 0;
    conf->enable_orig_rcpt = var_enable_original_recipient;
    return conf;
}

CLEANUP_STATE *cleanup_state_alloc(const CLEANUP_CONF *conf, const CLEANUP_HOOKS *hooks)
{
    CLEANUP_STATE *state = mycalloc(1, sizeof(*state));

    state->conf = conf;
    state->hooks = hooks;
    state->queue_id = vstring_alloc(32);
    state->reason = vstring_alloc(100);
    state->bounce_dsn = vstring_alloc(10);
    state->bounce_text = vstring_alloc(100);
    state->temp = vstring_alloc(100);
    state->temp2 = vstring_alloc(100);
    state->dups = htable_create(13);
    state->bcc = argv_alloc(1);
    state->rcpts = argv_alloc(2);
    state->queue_name = MAIL_QUEUE_INCOMING;
    state->local_context = 1;
    state->body_rec_type = 'N';
    return state;
}

void cleanup_state_free(CLEANUP_STATE *state)
{
    if (state->w)
        qfile_writer_free(state->w);
    if (state->mime)
        mime_state_free(state->mime);
    vstring_free(state->queue_id);
    vstring_free(state->reason);
    vstring_free(state->bounce_dsn);
    vstring_free(state->bounce_text);
    vstring_free(state->temp);
    vstring_free(state->temp2);
    htable_free(state->dups, 0);
    argv_free(state->bcc);
    argv_free(state->rcpts);
    myfree(state->log_proto);
    myfree(state->log_helo);
    myfree(state->client_name);
    myfree(state->client_addr);
    myfree(state->sender);
    myfree(state->fullname);
    myfree(state->first_rcpt);
    myfree(state->origin);
    myfree(state->pend_orcpt);
    myfree(state->pend_orig);
    myfree(state->dsn_envid);
    myfree(state->redirect);
    myfree(state->filter);
    myfree(state);
}

/*
 * cleanup_set_error - the first error decides what the client hears.
 * text is "X.Y.Z human text"; the DSN part is kept apart for a bounce.
 */
void cleanup_set_error(CLEANUP_STATE *state, int stat, const char *text)
{
    if (state->errs == 0 && text) {
        vstring_strcpy(state->reason, text);
        if (strlen(text) > 6 && text[1] == '.' && text[5] == ' ') {
            vstring_strncpy(state->bounce_dsn, text, 5);
            vstring_strcpy(state->bounce_text, text + 6);
        } else {
            vstring_strcpy(state->bounce_dsn, (stat & CLEANUP_STAT_DEFER) ? "4.3.0" : "5.3.0");
            vstring_strcpy(state->bounce_text, text);
        }
    }
    state->errs |= stat;
}
