/*
 * smtpd - the Postern SMTP server.
 *
 * A single-server daemon (lib/server/mail_server.h) on an inet socket:
 * one SMTP session per process at a time.  It speaks ESMTP as Postfix's
 * smtpd does (same replies, same log lines), checks each request against
 * the access restrictions (smtpd_check.c), and hands an accepted message
 * to the cleanup service (public/cleanup, protocol cleanup/1 in
 * lib/global/PROTOCOLS.md): the queue file is opened at the first accepted
 * RCPT, the envelope goes as queue-file records, DATA/BDAT content as
 * N/L records behind our Received: header, and "250 2.0.0 Ok: queued as
 * ID" is sent only after cleanup answered status 0 (the file is safe on
 * disk).
 *
 * Modes:
 *   started by master      the usual: the inet listener on fd 3.
 *   -S host:port           stand-alone on a TCP socket (-t inet) or UNIX
 *                          socket (tests, debugging).
 *   -z                     stand-alone on stdin/stdout, one session, then
 *                          exit: the mode "sendmail -bs" uses.  The client
 *                          is localhost[127.0.0.1]; unless mail_owner
 *                          started the process it counts as local
 *                          (permit_mynetworks matches), as with Postfix's
 *                          sendmail -bs, which execs "smtpd -z"; then no
 *                          access restriction is even evaluated.  The
 *                          process keeps the caller's identity (no drop
 *                          to mail_owner) and hands the message to
 *                          postdrop, as Postfix does: pickup adds its
 *                          "Received: by ... (Postern, from userid N)".
 *                          Started by mail_owner, -z is a session like any
 *                          other from localhost, restrictions and
 *                          public/cleanup included (the unit tests use it).
 *
 * SMTP smuggling: only <CR><LF>.<CR><LF> ends DATA unless
 * smtpd_forbid_bare_newline is explicitly "no" (or the client is in
 * smtpd_forbid_bare_newline_exclusions); a lone "." after a bare <LF>, or
 * followed by a bare <LF>, or <CR>.<CR>, is content.  With "reject" a bare
 * <LF> in a command or in content is refused (reply code
 * smtpd_forbid_bare_newline_reject_code).  The registry default is
 * "normalize" (Postfix 3.9's default; Postfix 3.7 said "no"), and
 * smtpd_forbid_bare_newline_exclusions defaults to $mynetworks, so local
 * clients keep the old behaviour, as with Postfix 3.9.
 *
 * Pipelining: input sent ahead of the greeting, after HELO/EHLO (checked
 * before the reply) or after DATA (before the 354) is logged as Postfix
 * logs it ("improper command pipelining after CMD from CLIENT: TEXT"); with
 * smtpd_forbid_unauth_pipelining the client gets "554 5.5.0 Error: SMTP
 * protocol synchronization" and is disconnected.
 *
 * XCLIENT and XFORWARD (smtpd_xclient.c) for the hosts in
 * smtpd_authorized_xclient_hosts / smtpd_authorized_xforward_hosts.
 *
 * ETRN: asks the fast flush service (flush_send_site) and replies as
 * Postfix from its answer: 250 Queuing started, 459 for a site outside
 * fast_flush_domains, 458 when the service fails.
 *
 * Postmaster notices (smtpd_chat.c): every command line and reply goes
 * into the session history; errors are classed (protocol, policy,
 * resource, software) as Postfix does, and a session with an error of a
 * class in notify_classes ends with a "transcript of session" notice to
 * error_notice_recipient.  The history is flushed (sent when due, then
 * forgotten) at EHLO, RSET and the end of DATA once it holds more than
 * smtpd_history_flush_threshold lines.
 *
 * Parameters: smtpd_banner, myhostname, mail_name, smtpd_timeout,
 * smtpd_{hard,soft}_error_limit, smtpd_error_sleep_time,
 * smtpd_junk_command_limit, smtpd_recipient_limit,
 * smtpd_recipient_overshoot_limit, message_size_limit, line_length_limit,
 * disable_vrfy_command, smtpd_discard_ehlo_keywords,
 * strict_rfc821_envelopes, smtpd_helo_required, smtpd_forbidden_commands,
 * smtpd_forbid_bare_newline(_exclusions,_reject_code),
 * smtpd_forbid_unauth_pipelining, local_header_rewrite_clients,
 * fast_flush_domains, command_directory (postdrop), notify_classes,
 * error_notice_recipient, bounce_notice_recipient, smtpd_history_flush_threshold,
 * double_bounce_sender, and the restriction
 * parameters read by smtpd_check.c.
 *
 * What can go wrong: a client that goes away or times out ends only its
 * session (logged as Postfix does); cleanup trouble is a 451 to the
 * client, never a lost message; a broken configuration is fatal at start.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <poll.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attr.h"
#include "cleanup_user.h"
#include "dict.h"
#include "dsn.h"
#include "dsn_text.h"
#include "input_transp.h"
#include "iostuff.h"
#include "mail_conf.h"
#include "mail_date.h"
#include "mail_params.h"
#include "flush_clnt.h"
#include "mail_proto.h"
#include "mail_server.h"
#include "msg.h"
#include "mymalloc.h"
#include "quote_822_local.h"
#include "rec_stream.h"
#include "smtpd.h"
#include "smtpd_addr.h"
#include "smtpd_chat.h"
#include "smtpd_check.h"
#include "smtpd_xclient.h"
#include "stringops.h"

/* Queue-file attributes smtpd writes (Postfix's names). */
#define SMTPD_ATTR_CLIENT_NAME  "client_name"
#define SMTPD_ATTR_REVERSE_NAME "reverse_client_name"
#define SMTPD_ATTR_CLIENT_ADDR  "client_address"
#define SMTPD_ATTR_CLIENT_PORT  "client_port"
#define SMTPD_ATTR_HELO_NAME    "helo_name"
#define SMTPD_ATTR_PROTO_NAME   "protocol_name"
#define SMTPD_ATTR_LOG_PORT     "log_client_port"

/* Per-command statistics, printed at disconnect in this order. */
typedef struct SMTPD_CMD {
    const char *name;
    int (*action)(SMTPD_STATE *state, char *args);
    int junk;  /* counts toward smtpd_junk_command_limit */
    int ok;    /* successful uses in this session */
    int total; /* uses in this session */
} SMTPD_CMD;

static int smtpd_helo(SMTPD_STATE *, char *);
static int smtpd_ehlo(SMTPD_STATE *, char *);
static int smtpd_mail(SMTPD_STATE *, char *);
static int smtpd_rcpt(SMTPD_STATE *, char *);
static int smtpd_data(SMTPD_STATE *, char *);
static int smtpd_bdat(SMTPD_STATE *, char *);
static int smtpd_rset(SMTPD_STATE *, char *);
static int smtpd_noop(SMTPD_STATE *, char *);
static int smtpd_vrfy(SMTPD_STATE *, char *);
static int smtpd_etrn(SMTPD_STATE *, char *);
static int smtpd_quit(SMTPD_STATE *, char *);
static int smtpd_xclient_cmd(SMTPD_STATE *, char *);
static int smtpd_xforward_cmd(SMTPD_STATE *, char *);

static SMTPD_CMD smtpd_cmds[] = {
    {"HELO", smtpd_helo, 0, 0, 0},           {"EHLO", smtpd_ehlo, 0, 0, 0},
    {"XCLIENT", smtpd_xclient_cmd, 0, 0, 0}, {"XFORWARD", smtpd_xforward_cmd, 0, 0, 0},
    {"MAIL", smtpd_mail, 0, 0, 0},           {"RCPT", smtpd_rcpt, 0, 0, 0},
    {"DATA", smtpd_data, 0, 0, 0},           {"BDAT", smtpd_bdat, 0, 0, 0},
    {"RSET", smtpd_rset, 1, 0, 0},           {"NOOP", smtpd_noop, 1, 0, 0},
    {"VRFY", smtpd_vrfy, 1, 0, 0},           {"ETRN", smtpd_etrn, 1, 0, 0},
    {"QUIT", smtpd_quit, 0, 0, 0},           {0, 0, 0, 0, 0},
};
static int smtpd_unknown_ok;
static int smtpd_unknown_total;

/* Session outcome flags (returned through state->where tricks kept simple). */
static int smtpd_done; /* QUIT, or a 421: leave the command loop */

static const char *smtpd_printable(VSTRING *out, const char *text);
static int smtpd_pipelining_check(SMTPD_STATE *state, const char *after);
static int smtpd_bare_lf_default;
static int smtpd_standalone_trusted; /* -z, started by someone but mail_owner */
static DICT **smtpd_forbidden_dicts; /* its type:table entries */
static size_t smtpd_forbidden_ndicts;
static ARGV *smtpd_forbidden_words;

/* ---------------------------------------------------------------- replies */

/* smtpd_reply - send one reply line; 4xx/5xx count as errors unless
 * smtpd_reply_not_error is set (recipients over the limit, within
 * smtpd_recipient_overshoot_limit) */
static int smtpd_reply_not_error;

/* smtpd_reply_class - the SMTPD_ERR_* class of the next error reply, when
 * the caller knows it better than smtpd_error_class() */
static int smtpd_reply_class;

/* smtpd_error_class - what kind of error a reply reports, by its text:
 * Postfix counts a configuration error as software, queue trouble as
 * resource, content over the size limit as bounce, and anything else (bad
 * commands, bad sequence, syntax) as a protocol error */
static int smtpd_error_class(const char *reply)
{
    if (strstr(reply, " 4.3.5 ") != 0)
        return SMTPD_ERR_SOFTWARE;
    if (strncmp(reply, "451 4.3.0", 9) == 0 || strncmp(reply, "452 4.3.1", 9) == 0 ||
        strncmp(reply, "458 ", 4) == 0)
        return SMTPD_ERR_RESOURCE;
    if (strncmp(reply, "552 5.3.4 Error: message file too big", 38) == 0)
        return SMTPD_ERR_BOUNCE;
    return SMTPD_ERR_PROTOCOL;
}

static void __attribute__((format(printf, 2, 3)))
smtpd_reply(SMTPD_STATE *state, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vstring_reset(state->scratch);
    vstring_vsprintf_append(state->scratch, fmt, ap);
    va_end(ap);
    /* Client text echoed in a reply (addresses, access table text) gets no
     * control character or broken UTF-8 through, as in Postfix. */
    printable(vstring_str(state->scratch), ' ', var_smtputf8_enable ? PRINTABLE_UTF8 : 0);
    if ((state->scratch->data[0] == '4' || state->scratch->data[0] == '5') &&
        !smtpd_reply_not_error) {
        state->error_mask |=
            smtpd_reply_class ? smtpd_reply_class : smtpd_error_class(vstring_str(state->scratch));
        state->error_count++;
        if (state->error_count > var_smtpd_soft_error_limit && var_smtpd_error_sleep_time > 0) {
            vstream_fflush(state->client);
            sleep((unsigned)var_smtpd_error_sleep_time);
        }
    }
    vstream_fwrite(state->client, vstring_str(state->scratch), VSTRING_LEN(state->scratch));
    vstream_fwrite(state->client, "\r\n", 2);
    smtpd_reply_class = 0;
    smtpd_chat_out(state, vstring_str(state->scratch));
    if (vstream_peek(state->client) == 0 || state->error_count > 0)
        vstream_fflush(state->client);
}

/* smtpd_log_reject - Postfix's "reject:" log line */
static void smtpd_log_reject(SMTPD_STATE *state, const char *what, const char *reply,
                             const char *rcpt)
{
    VSTRING *from = vstring_alloc(100);
    VSTRING *to = vstring_alloc(100);

    /* A rejection by the access restrictions is a policy error unless the
     * caller or the reply text (smtpd_error_class) says otherwise. */
    if (smtpd_reply_class == 0) {
        int class = smtpd_error_class(reply);

        /* As with Postfix, an unknown recipient is a bounce error; other
         * rejections (a MAIL SIZE= over the limit too) are policy. */
        if (class != SMTPD_ERR_PROTOCOL)
            smtpd_reply_class = class;
        else if (strstr(reply, " User unknown in ") != 0)
            smtpd_reply_class = SMTPD_ERR_BOUNCE;
        else
            smtpd_reply_class = SMTPD_ERR_POLICY;
    }

    if (state->sender)
        quote_822_local(from, state->sender);
    if (rcpt)
        quote_822_local(to, rcpt);
    /* The reply as the client sees it (smtpd_reply's clean-up). */
    char *sent = printable(mystrdup(reply), ' ', var_smtputf8_enable ? PRINTABLE_UTF8 : 0);

    /* Like Postfix, helo=<> is left out before HELO/EHLO. */
    msg_info("%s: %s: %s from %s: %s;%s%s%s%s%s%s proto=%s%s%s%s",
             state->queue_id ? state->queue_id : "NOQUEUE", what, state->where, state->namaddr,
             sent, state->sender ? " from=<" : "", state->sender ? vstring_str(from) : "",
             state->sender ? ">" : "", rcpt ? " to=<" : "", rcpt ? vstring_str(to) : "",
             rcpt ? ">" : "", state->protocol, state->helo_name ? " helo=<" : "",
             state->helo_name ? state->helo_name : "", state->helo_name ? ">" : "");
    myfree(sent);
    vstring_free(from);
    vstring_free(to);
}

/* ------------------------------------------------------- transaction state */

static int smtpd_postdrop_close(SMTPD_STATE *state, int complete);

static void smtpd_cleanup_close(SMTPD_STATE *state)
{
    if (state->cleanup && state->postdrop) {
        (void)smtpd_postdrop_close(state, 0);
    } else if (state->cleanup) {
        (void)vstream_fclose(state->cleanup);
        state->cleanup = 0;
    }
    myfree(state->queue_id);
    state->queue_id = 0;
}

static void smtpd_mail_reset(SMTPD_STATE *state)
{
    smtpd_cleanup_close(state);
    myfree(state->sender);
    myfree(state->encoding);
    myfree(state->envid);
    myfree(state->recipient);
    myfree(state->saved_filter);
    myfree(state->saved_redirect);
    myfree(state->defer_if_permit_reply);
    state->sender = state->encoding = state->envid = state->recipient = 0;
    state->saved_filter = state->saved_redirect = state->defer_if_permit_reply = 0;
    state->ret_flags = state->smtputf8 = 0;
    state->msg_size = 0;
    state->rcpt_count = state->rcpt_overshoot = 0;
    argv_truncate(state->rcpt_list, 0);
    argv_truncate(state->saved_bcc, 0);
    argv_truncate(state->prepend, 0);
    state->saved_flags = 0;
    state->discard = 0;
    state->act_size = 0;
    state->bdat_state = 0;
    state->bdat_bare_lf = 0;
    state->bdat_last = 0;
    vstring_reset(state->bdat_line);
    smtpd_xforward_reset(state);
}

/* smtpd_rewrite_context - "local" when local_header_rewrite_clients matches */
static const char *smtpd_rewrite_context(SMTPD_STATE *state)
{
    /* A content filter says where the mail it returns came from. */
    if (state->fwd_source)
        return strcmp(state->fwd_source, "LOCAL") == 0 ? "local" : "remote";
    return smtpd_check_local_header_client(state) ? "local" : "remote";
}

/*
 * smtpd_postdrop_open - the stand-alone (-z, sendmail -bs) path: like
 * Postfix, hand the message to postdrop, which is set-gid postdrop and so
 * works for any user; pickup then gives it to cleanup.  postdrop takes
 * only the envelope records a local submission may carry (no client
 * attributes, no time, no filter or redirect).  It names its file before
 * it reads anything, so the Received: header and the final reply carry
 * the queue id as with cleanup.
 */
static int smtpd_postdrop_open(SMTPD_STATE *state)
{
    POSTDROP *pd = (POSTDROP *)mymalloc(sizeof(*pd));
    VSTRING *id = vstring_alloc(20);
    VSTREAM *s;

    if (postdrop_start(pd, 0) < 0) {
        myfree(pd);
        vstring_free(id);
        return -1;
    }
    if (postdrop_queue_id(pd, id) == 0) {
        state->queue_id = vstring_export(id);
        msg_info("%s: client=%s", state->queue_id, state->namaddr);
    } else {
        vstring_free(id);
    }
    s = vstream_fdopen(pd->fd, VSTREAM_WRITE);
    pd->fd = -1; /* the stream owns it now */
    state->cleanup = s;
    state->postdrop = pd;
    if (state->envid)
        rec_vstream_fprintf(s, REC_TYPE_ATTR, "%s=%s", MAIL_ATTR_DSN_ENVID, state->envid);
    if (state->ret_flags)
        rec_vstream_fprintf(s, REC_TYPE_ATTR, "%s=%d", MAIL_ATTR_DSN_RET, state->ret_flags);
    rec_vstream_fputs(s, REC_TYPE_FROM, state->sender);
    return 0;
}

/* smtpd_postdrop_close - end the records, wait for postdrop: 0 when queued */
static int smtpd_postdrop_close(SMTPD_STATE *state, int complete)
{
    int wstat;
    int ok;

    if (complete) {
        rec_vstream_put(state->cleanup, REC_TYPE_XTRA, "", 0);
        if (state->encoding)
            rec_vstream_fprintf(state->cleanup, REC_TYPE_ATTR, "%s=%s", MAIL_ATTR_ENCODING,
                                state->encoding);
        rec_vstream_put(state->cleanup, REC_TYPE_END, "", 0);
    }
    /* An incomplete record stream makes postdrop remove its file. */
    ok = vstream_fclose(state->cleanup) == 0;
    state->cleanup = 0;
    wstat = postdrop_finish(state->postdrop);
    myfree(state->postdrop);
    state->postdrop = 0;
    if (complete && ok && (!WIFEXITED(wstat) || WEXITSTATUS(wstat) != 0)) {
        msg_warn("postdrop: %s %d", WIFEXITED(wstat) ? "exit status" : "killed by signal",
                 WIFEXITED(wstat) ? WEXITSTATUS(wstat) : WTERMSIG(wstat));
        ok = 0;
    }
    return ok && complete ? 0 : -1;
}

/* smtpd_cleanup_open - connect to cleanup and send the envelope so far */
static int smtpd_cleanup_open(SMTPD_STATE *state)
{
    VSTRING *id = vstring_alloc(20);
    VSTREAM *s;

    if (state->access_off) {
        vstring_free(id);
        return smtpd_postdrop_open(state);
    }

    if ((s = mail_connect_wait(MAIL_CLASS_PUBLIC, MAIL_SERVICE_CLEANUP)) == 0) {
        msg_warn("connect to %s/%s: %m", MAIL_CLASS_PUBLIC, MAIL_SERVICE_CLEANUP);
        vstring_free(id);
        return -1;
    }
    if (attr_scan_hello(s, MAIL_PROTO_CLEANUP) < 0 ||
        attr_scan(s, ATTR_FLAG_STRICT, RECV_ATTR_STR(MAIL_ATTR_QUEUEID, id), ATTR_TYPE_END) != 1) {
        msg_warn("%s/%s: no queue id from the cleanup service", MAIL_CLASS_PUBLIC,
                 MAIL_SERVICE_CLEANUP);
        (void)vstream_fclose(s);
        vstring_free(id);
        return -1;
    }
    state->cleanup = s;
    state->queue_id = vstring_export(id);
    if (state->fwd_set) {
        VSTRING *line = vstring_alloc(100);

        vstring_sprintf(line, "%s: client=%s", state->queue_id, state->namaddr);
        if (state->fwd_ident)
            vstring_sprintf_append(line, ", orig_queue_id=%s", state->fwd_ident);
        if (state->fwd_name || state->fwd_addr)
            vstring_sprintf_append(line, ", orig_client=%s[%s]",
                                   state->fwd_name ? state->fwd_name : "unknown",
                                   state->fwd_addr ? state->fwd_addr : "unknown");
        msg_info("%s", vstring_str(line));
        vstring_free(line);
    } else {
        msg_info("%s: client=%s", state->queue_id, state->namaddr);
    }
    attr_print(s, ATTR_FLAG_NONE,
               SEND_ATTR_INT(MAIL_ATTR_FLAGS, input_transp_cleanup(CLEANUP_FLAG_MASK_EXTERNAL,
                                                                   smtpd_input_transp) |
                                                  CLEANUP_FLAG_SMTP_REPLY |
                                                  (state->smtputf8 ? CLEANUP_FLAG_SMTPUTF8 : 0) |
                                                  state->saved_flags),
               ATTR_TYPE_END);
    rec_vstream_fprintf(s, REC_TYPE_TIME, "%ld %ld", (long)state->arrival.tv_sec,
                        (long)state->arrival.tv_usec);
#define ATTR_REC(n, v) rec_vstream_fprintf(s, REC_TYPE_ATTR, "%s=%s", (n), (v))
    if (state->fwd_set) {
        /* Log attributes name the original client (XFORWARD); the client_*
         * ones below stay who really talked to us. */
        const char *fname = state->fwd_name ? state->fwd_name : "unknown";
        const char *faddr = state->fwd_addr ? state->fwd_addr : "unknown";
        VSTRING *origin = vstring_alloc(100);

        ATTR_REC(MAIL_ATTR_LOG_CLIENT_NAME, fname);
        ATTR_REC(MAIL_ATTR_LOG_CLIENT_ADDR, faddr);
        if (state->fwd_port)
            ATTR_REC(SMTPD_ATTR_LOG_PORT, state->fwd_port);
        vstring_sprintf(origin, "%s[%s]", fname, faddr);
        ATTR_REC(MAIL_ATTR_LOG_ORIGIN, vstring_str(origin));
        vstring_free(origin);
        if (state->fwd_helo)
            ATTR_REC(MAIL_ATTR_LOG_HELO_NAME, state->fwd_helo);
        ATTR_REC(MAIL_ATTR_LOG_PROTO_NAME, state->fwd_proto ? state->fwd_proto : state->protocol);
    } else {
        ATTR_REC(MAIL_ATTR_LOG_CLIENT_NAME, state->name);
        ATTR_REC(MAIL_ATTR_LOG_CLIENT_ADDR, state->addr);
        ATTR_REC(SMTPD_ATTR_LOG_PORT, state->port);
        ATTR_REC(MAIL_ATTR_LOG_ORIGIN, state->namaddr);
        if (state->helo_name)
            ATTR_REC(MAIL_ATTR_LOG_HELO_NAME, state->helo_name);
        ATTR_REC(MAIL_ATTR_LOG_PROTO_NAME, state->protocol);
    }
    ATTR_REC(SMTPD_ATTR_CLIENT_NAME, state->name);
    ATTR_REC(SMTPD_ATTR_REVERSE_NAME, state->reverse_name);
    ATTR_REC(SMTPD_ATTR_CLIENT_ADDR, state->addr);
    ATTR_REC(SMTPD_ATTR_CLIENT_PORT, state->port);
    if (state->helo_name)
        ATTR_REC(SMTPD_ATTR_HELO_NAME, state->helo_name);
    ATTR_REC(SMTPD_ATTR_PROTO_NAME, state->protocol);
    ATTR_REC(MAIL_ATTR_RWR_CONTEXT, smtpd_rewrite_context(state));
    if (state->encoding)
        ATTR_REC(MAIL_ATTR_ENCODING, state->encoding);
    if (state->envid)
        ATTR_REC(MAIL_ATTR_DSN_ENVID, state->envid);
    if (state->ret_flags)
        rec_vstream_fprintf(s, REC_TYPE_ATTR, "%s=%d", MAIL_ATTR_DSN_RET, state->ret_flags);
    if (state->saved_filter)
        rec_vstream_fputs(s, REC_TYPE_FILT, state->saved_filter);
    if (state->saved_redirect)
        rec_vstream_fputs(s, REC_TYPE_RDR, state->saved_redirect);
#undef ATTR_REC
    rec_vstream_fputs(s, REC_TYPE_FROM, state->sender);
    if (vstream_ferror(s)) {
        msg_warn("%s: write to the cleanup service: %m",
                 state->queue_id ? state->queue_id : "NOQUEUE");
        smtpd_cleanup_close(state);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------- the commands */

static int smtpd_helo_common(SMTPD_STATE *state, char *args, const char *verb)
{
    char *name = mystrtok(&args, " \t");
    const char *reply;

    if (name == 0 || mystrtok(&args, " \t") != 0) {
        smtpd_reply(state, "501 Syntax: %s hostname", verb);
        return -1;
    }
    if (!var_smtpd_delay_reject && (reply = smtpd_check_helo(state, name)) != 0) {
        /* Postfix logs the rejected name as the helo= of the reject line. */
        char *saved = state->helo_name;

        state->helo_name = name;
        smtpd_log_reject(state, "reject", reply, 0);
        state->helo_name = saved;
        smtpd_reply(state, "%s", reply);
        return -1;
    }
    smtpd_mail_reset(state);
    myfree(state->helo_name);
    state->helo_name = mystrdup(name);
    return 0;
}

static int smtpd_helo(SMTPD_STATE *state, char *args)
{
    if (smtpd_helo_common(state, args, "HELO") < 0)
        return -1;
    state->protocol = "SMTP";
    smtpd_reply(state, "250 %s", var_myhostname);
    return 0;
}

static int smtpd_ehlo_discarded(const char *keyword)
{
    ARGV *words = argv_split(var_smtpd_discard_ehlo_keywords, CHARS_COMMA_SP);
    int found = 0;

    for (size_t i = 0; i < words->argc && !found; i++)
        found = strcasecmp(words->argv[i], keyword) == 0;
    argv_free(words);
    return found;
}

static int smtpd_ehlo(SMTPD_STATE *state, char *args)
{
    static const char *keywords[] = {
        "PIPELINING",          "SIZE",     "VRFY", "ETRN",     "XCLIENT", "XFORWARD",
        "ENHANCEDSTATUSCODES", "8BITMIME", "DSN",  "SMTPUTF8", "CHUNKING"};
    ARGV *lines;

    if (smtpd_helo_common(state, args, "EHLO") < 0)
        return -1;
    state->protocol = "ESMTP";
    lines = argv_alloc(12);
    for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
        if (smtpd_ehlo_discarded(keywords[i]))
            continue;
        if (strcmp(keywords[i], "VRFY") == 0 && var_disable_vrfy_command)
            continue;
        if (strcmp(keywords[i], "SMTPUTF8") == 0 && !var_smtputf8_enable)
            continue;
        if (strcmp(keywords[i], "XCLIENT") == 0) {
            if (state->xclient_ok)
                argv_add(lines, "XCLIENT NAME ADDR PROTO HELO REVERSE_NAME PORT LOGIN DESTADDR "
                                "DESTPORT");
            continue;
        }
        if (strcmp(keywords[i], "XFORWARD") == 0) {
            if (state->xforward_ok)
                argv_add(lines, "XFORWARD NAME ADDR PROTO HELO SOURCE PORT IDENT");
            continue;
        }
        if (strcmp(keywords[i], "SIZE") == 0) {
            if (var_message_size_limit > 0) {
                vstring_sprintf(state->scratch, "SIZE %ld", var_message_size_limit);
                argv_add(lines, vstring_str(state->scratch));
            } else {
                argv_add(lines, "SIZE");
            }
            continue;
        }
        argv_add(lines, keywords[i]);
    }
    vstring_sprintf(state->scratch, "250%s%s", lines->argc ? "-" : " ", var_myhostname);
    vstream_fprintf(state->client, "%s\r\n", vstring_str(state->scratch));
    smtpd_chat_out(state, vstring_str(state->scratch));
    for (size_t i = 0; i < lines->argc; i++) {
        vstring_sprintf(state->scratch, "250%s%s", i + 1 < lines->argc ? "-" : " ",
                        lines->argv[i]);
        vstream_fprintf(state->client, "%s\r\n", vstring_str(state->scratch));
        smtpd_chat_out(state, vstring_str(state->scratch));
    }
    argv_free(lines);
    return 0;
}

/* smtpd_addr_warn - Postfix's warning about an address it cannot parse;
 * the argument text is in state->scratch */
static void smtpd_addr_warn(SMTPD_STATE *state, const char *verb)
{
    VSTRING *printable = vstring_alloc(100);

    for (const unsigned char *cp = (unsigned char *)skipblanks(vstring_str(state->scratch)); *cp;
         cp++)
        vstring_addch(printable, (*cp < 0x20 || *cp >= 0x7f) ? '?' : *cp);
    msg_warn("Illegal address syntax from %s in %s command: %s", state->namaddr, verb,
             vstring_str(printable));
    vstring_free(printable);
}

/* smtpd_after_prefix - "FROM:" / "TO:" prefix of MAIL and RCPT */
static char *smtpd_after_prefix(char *args, const char *prefix)
{
    size_t len = strlen(prefix);

    if (strncasecmp(args, prefix, len) != 0)
        return 0;
    args += len;
    if (var_strict_rfc821_envelopes && (*args == ' ' || *args == '\t'))
        return 0;
    /* "MAIL FROM:" with nothing after it is a syntax error, not a bad address. */
    if (*skipblanks(args) == 0)
        return 0;
    return args;
}

static int smtpd_mail(SMTPD_STATE *state, char *args)
{
    ARGV *params;
    char *addr;
    const char *reply;
    VSTRING *internal;
    int rc;

    if (var_smtpd_helo_required && state->helo_name == 0) {
        smtpd_reply(state, "503 5.5.1 Error: send HELO/EHLO first");
        return -1;
    }
    if (state->sender) {
        smtpd_reply(state, "503 5.5.1 Error: nested MAIL command");
        return -1;
    }
    if ((args = smtpd_after_prefix(args, "FROM:")) == 0) {
        smtpd_reply(state, "501 5.5.4 Syntax: MAIL FROM:<address>");
        return -1;
    }
    params = argv_alloc(4);
    vstring_strcpy(state->scratch, args);
    if ((rc = smtpd_addr_split(args, var_strict_rfc821_envelopes, &addr, params)) !=
        SMTPD_ADDR_OK) {
        argv_free(params);
        smtpd_addr_warn(state, "MAIL");
        smtpd_reply(state, "501 5.1.7 Bad sender address syntax");
        return -1;
    }
    /* Parameters. */
    for (size_t i = 0; i < params->argc; i++) {
        char *name = params->argv[i];
        char *value = split_at(name, '=');

        if (strcasecmp(name, "SIZE") == 0 && value) {
            unsigned long n;

            if (!alldig(value) || !safe_strtoul(value, &n) || n > (unsigned long)LONG_MAX) {
                smtpd_reply(state, "501 5.5.4 Bad message size syntax");
                goto bad;
            }
            state->msg_size = (long)n;
        } else if (strcasecmp(name, "BODY") == 0 && value) {
            if (strcasecmp(value, "8BITMIME") != 0 && strcasecmp(value, "7BIT") != 0 &&
                strcasecmp(value, "BINARYMIME") != 0) {
                smtpd_reply(state, "555 5.5.4 Unsupported option: %s=%s", name, value);
                goto bad;
            }
            myfree(state->encoding);
            state->encoding = mystrdup(uppercase(value));
        } else if (strcasecmp(name, "RET") == 0 && value) {
            if (strcasecmp(value, "FULL") == 0)
                state->ret_flags = DSN_RET_FULL;
            else if (strcasecmp(value, "HDRS") == 0)
                state->ret_flags = DSN_RET_HDRS;
            else {
                smtpd_reply(state, "501 5.5.4 Bad RET parameter syntax");
                goto bad;
            }
        } else if (strcasecmp(name, "ENVID") == 0 && value) {
            VSTRING *dec = vstring_alloc(20);

            if (smtpd_addr_xtext_decode(value, dec) == 0 || !allprint(vstring_str(dec))) {
                vstring_free(dec);
                smtpd_reply(state, "501 5.5.4 Bad ENVID parameter syntax");
                goto bad;
            }
            myfree(state->envid);
            state->envid = vstring_export(dec);
        } else if (strcasecmp(name, "SMTPUTF8") == 0 && value == 0 && var_smtputf8_enable) {
            state->smtputf8 = 1;
        } else if (strcasecmp(name, "AUTH") == 0 && value) {
            /* AUTH=<> from a client: ignored without SASL, like Postfix. */
        } else {
            if (value)
                value[-1] = '=';
            smtpd_reply(state, "555 5.5.4 Unsupported option: %s", name);
            goto bad;
        }
    }
    argv_free(params);
    params = 0;
    if (var_message_size_limit > 0 && state->msg_size > var_message_size_limit) {
        static const char too_big[] = "552 5.3.4 Message size exceeds fixed limit";

        internal = vstring_alloc(100);
        state->sender = vstring_export(smtpd_addr_internal(addr, internal));
        smtpd_log_reject(state, "reject", too_big, 0);
        myfree(state->sender);
        state->sender = 0;
        smtpd_reply(state, "%s", too_big);
        goto bad;
    }
    internal = vstring_alloc(100);
    smtpd_addr_internal(addr, internal);
    if (!var_smtpd_delay_reject && (reply = smtpd_check_mail(state, vstring_str(internal))) != 0) {
        state->sender = vstring_export(internal);
        smtpd_log_reject(state, "reject", reply, 0);
        smtpd_mail_reset(state);
        smtpd_reply(state, "%s", reply);
        return -1;
    }
    state->sender = vstring_export(internal);
    gettimeofday(&state->arrival, 0);
    smtpd_reply(state, "250 2.1.0 Ok");
    return 0;

bad:
    if (params)
        argv_free(params);
    myfree(state->encoding);
    myfree(state->envid);
    state->encoding = state->envid = 0;
    state->ret_flags = state->smtputf8 = 0;
    state->msg_size = 0;
    return -1;
}

/* smtpd_strip_route - "@a,@b:user@dom" -> "user@dom" (outside quotes) */
static char *smtpd_strip_route(char *addr)
{
    if (*addr == '@') {
        char *colon = strchr(addr, ':');

        if (colon)
            return colon + 1;
    }
    return addr;
}

/* smtpd_notify_warn - Postfix's warning about a NOTIFY= value it does not know */
static void smtpd_notify_warn(const char *value)
{
    char *copy = mystrdup(value);
    char *cp = copy;
    char *word;

    while ((word = mystrtok(&cp, ",")) != 0)
        if (strcasecmp(word, "NEVER") != 0 && strcasecmp(word, "SUCCESS") != 0 &&
            strcasecmp(word, "FAILURE") != 0 && strcasecmp(word, "DELAY") != 0)
            break;
    if (word)
        msg_warn("unknown DSN NOTIFY command value \"%s\" in \"%s\"", word, value);
    myfree(copy);
}

static int smtpd_rcpt(SMTPD_STATE *state, char *args)
{
    ARGV *params;
    char *addr;
    const char *reply;
    VSTRING *internal;
    int notify = 0;
    char *orcpt = 0;

    if (state->sender == 0) {
        smtpd_reply(state, "503 5.5.1 Error: need MAIL command");
        return -1;
    }
    if ((args = smtpd_after_prefix(args, "TO:")) == 0) {
        smtpd_reply(state, "501 5.5.4 Syntax: RCPT TO:<address>");
        return -1;
    }
    params = argv_alloc(4);
    vstring_strcpy(state->scratch, args);
    if (smtpd_addr_split(args, var_strict_rfc821_envelopes, &addr, params) != SMTPD_ADDR_OK ||
        *(addr = smtpd_strip_route(addr)) == 0) {
        argv_free(params);
        smtpd_addr_warn(state, "RCPT");
        smtpd_reply(state, "501 5.1.3 Bad recipient address syntax");
        return -1;
    }
    for (size_t i = 0; i < params->argc; i++) {
        char *name = params->argv[i];
        char *value = split_at(name, '=');

        if (strcasecmp(name, "NOTIFY") == 0 && value) {
            if ((notify = smtpd_addr_notify(value)) < 0) {
                smtpd_notify_warn(value);
                smtpd_reply(state, "501 5.5.4 Error: Bad NOTIFY parameter syntax");
                goto bad;
            }
        } else if (strcasecmp(name, "ORCPT") == 0 && value) {
            VSTRING *dec = vstring_alloc(100);
            char *semi = strchr(value, ';');

            if (semi == 0 || semi == value || smtpd_addr_xtext_decode(semi + 1, dec) == 0) {
                vstring_free(dec);
                smtpd_reply(state, "501 5.5.4 Error: Bad ORCPT parameter syntax");
                goto bad;
            }
            /* Kept decoded, as Postfix keeps it: "rfc822;x+2By@z" is x+y@z. */
            myfree(orcpt);
            {
                VSTRING *kept = vstring_alloc(100);

                vstring_strncpy(kept, value, (size_t)(semi - value) + 1);
                vstring_strcat(kept, vstring_str(dec));
                orcpt = vstring_export(kept);
            }
            vstring_free(dec);
        } else {
            if (value)
                value[-1] = '=';
            smtpd_reply(state, "555 5.5.4 Unsupported option: %s", name);
            goto bad;
        }
    }
    argv_free(params);
    params = 0;
    if (state->rcpt_count >= var_smtpd_recipient_limit) {
        /* Not an error (the client is to send the rest later, RFC 5321
         * 4.5.3.1.10) until it overshoots by too much; Postfix even counts
         * it as a successful RCPT in the disconnect statistics. */
        smtpd_reply_not_error = ++state->rcpt_overshoot <= var_smtpd_recipient_overshoot_limit;
        smtpd_reply(state, "452 4.5.3 Error: too many recipients");
        smtpd_reply_not_error = 0;
        myfree(orcpt);
        return 0;
    }
    internal = vstring_alloc(100);
    smtpd_addr_internal(addr, internal);
    if ((reply = smtpd_check_rcpt(state, vstring_str(internal))) != 0) {
        smtpd_log_reject(state, "reject", reply, vstring_str(internal));
        smtpd_reply(state, "%s", reply);
        vstring_free(internal);
        goto bad;
    }
    if (state->cleanup == 0 && smtpd_cleanup_open(state) < 0) {
        smtpd_reply(state, "451 4.3.0 Error: queue file write error");
        vstring_free(internal);
        goto bad;
    }
    /* Without ORCPT, the original recipient is the address as the client
     * gave it (Postfix's choice; the DSN's Original-Recipient shows it). */
    if (orcpt)
        rec_vstream_fprintf(state->cleanup, REC_TYPE_ATTR, "%s=%s", MAIL_ATTR_DSN_ORCPT, orcpt);
    else
        rec_vstream_fprintf(state->cleanup, REC_TYPE_ATTR, "%s=rfc822;%s", MAIL_ATTR_DSN_ORCPT,
                            addr);
    if (notify)
        rec_vstream_fprintf(state->cleanup, REC_TYPE_ATTR, "%s=%d", MAIL_ATTR_DSN_NOTIFY, notify);
    rec_vstream_fputs(state->cleanup, REC_TYPE_RCPT, vstring_str(internal));
    myfree(state->recipient);
    state->recipient = vstring_export(internal);
    argv_add(state->rcpt_list, state->recipient);
    state->rcpt_count++;
    myfree(orcpt);
    smtpd_reply(state, "250 2.1.5 Ok");
    return 0;

bad:
    if (params)
        argv_free(params);
    myfree(orcpt);
    return -1;
}

/* smtpd_received - our Received: header, as Postfix writes it */
static void smtpd_received(SMTPD_STATE *state)
{
    VSTREAM *s = state->cleanup;
    VSTRING *rcpt = vstring_alloc(100);

    rec_vstream_put(s, REC_TYPE_MESG, "", 0);
    for (size_t i = 0; i < state->prepend->argc; i++)
        rec_vstream_fputs(s, REC_TYPE_NORM, state->prepend->argv[i]);
    rec_vstream_fprintf(s, REC_TYPE_NORM, "Received: from %s (%s [%s])",
                        state->helo_name ? state->helo_name : state->name, state->name,
                        state->rfc_addr);
    /* A replacement postdrop may not have said its queue id. */
    if (state->queue_id)
        vstring_sprintf(state->scratch, " id %s", state->queue_id);
    else
        vstring_reset(state->scratch);
    if (state->rcpt_count == 1 && state->recipient) {
        quote_822_local(rcpt, state->recipient);
        rec_vstream_fprintf(s, REC_TYPE_NORM, "\tby %s (%s) with %s%s", var_myhostname,
                            var_mail_name, state->protocol, vstring_str(state->scratch));
        rec_vstream_fprintf(s, REC_TYPE_NORM, "\tfor <%s>; %s", vstring_str(rcpt),
                            mail_date(state->arrival.tv_sec));
    } else {
        rec_vstream_fprintf(s, REC_TYPE_NORM, "\tby %s (%s) with %s%s;", var_myhostname,
                            var_mail_name, state->protocol, vstring_str(state->scratch));
        rec_vstream_fprintf(s, REC_TYPE_NORM, "\t%s", mail_date(state->arrival.tv_sec));
    }
    vstring_free(rcpt);
}

/* smtpd_content_line - one line (or piece) of content to cleanup */
static void smtpd_content_line(SMTPD_STATE *state, const char *data, size_t len, int type)
{
    state->act_size += (long)len + (type == REC_TYPE_NORM ? 2 : 0);
    if (state->cleanup == 0)
        return;
    if (var_message_size_limit > 0 && state->act_size > var_message_size_limit)
        return;
    rec_vstream_put(state->cleanup, type, data, len);
}

/* smtpd_text_dsn - 1 when text starts with an enhanced status code */
static int smtpd_text_dsn(const char *text)
{
    char code[DSN_TEXT_STATUS_SIZE];
    size_t len = strcspn(text, " \t");

    if (len == 0 || len >= sizeof(code))
        return 0;
    memcpy(code, text, len);
    code[len] = 0;
    return dsn_valid(code);
}

/*
 * smtpd_cleanup_reply - the reply to content that cleanup did not accept,
 * in Postfix's order and words.  A content rejection (header/body checks)
 * passes cleanup's text on ("5.7.1 go away", a status code of its own
 * kept); everything else gets the fixed "Error: ..." reply of its kind:
 * a table that cannot answer is a queue file write error (resource), as
 * in Postfix.  cleanup logs what it rejected, so smtpd does not.
 */
static void smtpd_cleanup_reply(SMTPD_STATE *state, int status, const char *why)
{
    int code = 451;
    unsigned bit;

    if (status & (CLEANUP_STAT_DEFER | CLEANUP_STAT_CONT | CLEANUP_STAT_NOPERM)) {
        smtpd_reply_class = SMTPD_ERR_POLICY;
        code = (status & CLEANUP_STAT_DEFER) || *why == '4' ? 451 : 550;
        if (*why == 0)
            smtpd_reply(state, "%d %s Error: %s", code, cleanup_stat_dsn(status),
                        cleanup_strerror(status));
        else if (smtpd_text_dsn(why))
            smtpd_reply(state, "%d %s", code, why);
        else
            smtpd_reply(state, "%d %s %s", code, cleanup_stat_dsn(status), why);
        return;
    }
    if (status & CLEANUP_STAT_BAD) {
        smtpd_reply_class = SMTPD_ERR_SOFTWARE;
        smtpd_reply(state, "451 4.3.0 Error: internal error %d", status);
        return;
    }
    if (status & (bit = CLEANUP_STAT_SIZE)) {
        smtpd_reply_class = SMTPD_ERR_BOUNCE;
        code = 552;
    } else if (status & (bit = CLEANUP_STAT_HOPS)) {
        smtpd_reply_class = SMTPD_ERR_BOUNCE;
        code = 554;
    } else if (status & (bit = CLEANUP_STAT_WRITE)) {
        smtpd_reply_class = SMTPD_ERR_RESOURCE;
    } else if (status & (bit = CLEANUP_STAT_PROXY)) {
        smtpd_reply_class = SMTPD_ERR_SOFTWARE;
    } else {
        smtpd_reply_class = SMTPD_ERR_SOFTWARE;
        smtpd_reply(state, "451 4.3.0 Error: internal error %d", status);
        return;
    }
    smtpd_reply(state, "%d %s Error: %s", code, cleanup_stat_dsn(bit), cleanup_strerror(bit));
}

/* smtpd_finish - end of content: ask cleanup, reply, reset */
static int smtpd_finish(SMTPD_STATE *state, int bare_lf_seen)
{
    VSTRING *reason = vstring_alloc(100);
    int status = 0;
    int rc = -1;

    if (state->where == 0)
        state->where = "END-OF-MESSAGE";
    if (bare_lf_seen && state->bare_lf_mode == SMTPD_BARE_LF_REJECT) {
        smtpd_reply_class = SMTPD_ERR_PROTOCOL;
        smtpd_log_reject(state, "reject", "bare <LF> received", state->recipient);
        smtpd_reply(state, "%d 5.5.2 %s Error: bare <LF> received",
                    var_smtpd_forbid_bare_newline_reject_code, var_myhostname);
    } else if (var_message_size_limit > 0 && state->act_size > var_message_size_limit) {
        /* Postfix's wording here is cleanup's (the content hit the limit). */
        msg_warn("%s: queue file size limit exceeded",
                 state->queue_id ? state->queue_id : "NOQUEUE");
        smtpd_reply(state, "552 5.3.4 Error: message file too big");
    } else if (state->cleanup == 0) {
        smtpd_reply(state, "451 4.3.0 Error: queue file write error");
    } else if (state->postdrop) {
        if (smtpd_postdrop_close(state, 1) == 0) {
            if (state->queue_id)
                smtpd_reply(state, "250 2.0.0 Ok: queued as %s", state->queue_id);
            else
                smtpd_reply(state, "250 2.0.0 Ok: queued");
            rc = 0;
        } else {
            smtpd_reply(state, "451 4.3.0 Error: queue file write error");
        }
    } else {
        rec_vstream_put(state->cleanup, REC_TYPE_XTRA, "", 0);
        rec_vstream_put(state->cleanup, REC_TYPE_END, "", 0);
        if (vstream_fflush(state->cleanup) != 0 ||
            attr_scan(state->cleanup, ATTR_FLAG_STRICT, RECV_ATTR_INT(MAIL_ATTR_STATUS, &status),
                      RECV_ATTR_STR(MAIL_ATTR_REASON, reason), ATTR_TYPE_END) != 2) {
            msg_warn("%s: no reply from the cleanup service", state->queue_id);
            smtpd_reply(state, "451 4.3.0 Error: queue file write error");
        } else if (status == 0) {
            if (state->discard)
                msg_info("%s: discard: END-OF-MESSAGE from %s", state->queue_id, state->namaddr);
            /* After BDAT LAST Postfix also says how much content it took. */
            if (state->bdat_last)
                smtpd_reply(state, "250 2.0.0 Ok: %ld bytes queued as %s", state->act_size,
                            state->queue_id);
            else
                smtpd_reply(state, "250 2.0.0 Ok: queued as %s", state->queue_id);
            rc = 0;
        } else {
            smtpd_cleanup_reply(state, status, vstring_str(reason));
        }
    }
    vstring_free(reason);
    smtpd_mail_reset(state);
    /* Mail got through: what went wrong before no longer matters, and the
     * error count starts again (Postfix forgets both too). */
    if (rc == 0) {
        state->error_mask = 0;
        state->error_count = 0;
    }
    smtpd_chat_flush_point(state);
    return rc;
}

static int smtpd_data_checks(SMTPD_STATE *state)
{
    const char *reply;

    if (state->sender == 0) {
        smtpd_reply(state, "503 5.5.1 Error: need RCPT command");
        return -1;
    }
    if (state->rcpt_count == 0) {
        smtpd_reply(state, "554 5.5.1 Error: no valid recipients");
        return -1;
    }
    if ((reply = smtpd_check_data(state)) != 0) {
        smtpd_log_reject(state, "reject", reply, state->recipient);
        smtpd_reply(state, "%s", reply);
        return -1;
    }
    return 0;
}

static int smtpd_data(SMTPD_STATE *state, char *args)
{
    int status;
    int at_bol = 1;    /* the next piece starts a line */
    int prev_crlf = 1; /* the previous line ended in CR LF */
    int bare_lf = 0;
    int in_header = 1;
    char where[64];

    /* Postfix checks the state before the syntax. */
    if (state->sender == 0 || state->rcpt_count == 0)
        return smtpd_data_checks(state);
    if (*skipblanks(args)) {
        smtpd_reply(state, "501 5.5.4 Syntax: DATA");
        return -1;
    }
    if (smtpd_data_checks(state) < 0)
        return -1;
    if (smtpd_pipelining_check(state, "DATA") < 0)
        return -1;
    smtpd_received(state);
    smtpd_reply(state, "354 End data with <CR><LF>.<CR><LF>");
    vstream_fflush(state->client);
    for (;;) {
        status = vstream_get_line(state->client, state->buffer, (size_t)var_line_length_limit,
                                  VSTREAM_LINE_STRIP);
        if (status == VSTREAM_LINE_EOF || status == VSTREAM_LINE_ERROR ||
            status == VSTREAM_LINE_TIMEOUT || status == VSTREAM_LINE_NOEOL) {
            snprintf(where, sizeof(where), "DATA (%ld bytes)", state->act_size);
            state->where = mystrdup(where); /* freed never: the session ends */
            return -2;
        }
        if (at_bol && status != VSTREAM_LINE_LONG && VSTRING_LEN(state->buffer) == 1 &&
            state->buffer->data[0] == '.') {
            int ends = (state->bare_lf_mode == SMTPD_BARE_LF_NO)
                           ? 1
                           : (status == VSTREAM_LINE_CRLF && prev_crlf);

            if (ends)
                break;
        }
        if (status == VSTREAM_LINE_LF)
            bare_lf = 1;
        {
            const char *data = vstring_str(state->buffer);
            size_t len = VSTRING_LEN(state->buffer);

            if (at_bol && len > 0 && data[0] == '.') {
                data++;
                len--;
            }
            if (at_bol && len == 0)
                in_header = 0;
            (void)in_header;
            smtpd_content_line(state, data, len,
                               status == VSTREAM_LINE_LONG ? REC_TYPE_CONT : REC_TYPE_NORM);
        }
        at_bol = (status != VSTREAM_LINE_LONG);
        if (at_bol)
            prev_crlf = (status == VSTREAM_LINE_CRLF);
    }
    state->where = "END-OF-MESSAGE";
    if (state->cleanup && vstream_ferror(state->cleanup)) {
        msg_warn("%s: write to the cleanup service: %m",
                 state->queue_id ? state->queue_id : "NOQUEUE");
        smtpd_cleanup_close(state);
    }
    return smtpd_finish(state, bare_lf);
}

/* smtpd_bdat_content - feed one chunk's bytes as lines to cleanup */
static void smtpd_bdat_content(SMTPD_STATE *state, const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        int ch = (unsigned char)buf[i];

        if (ch == '\n') {
            size_t n = VSTRING_LEN(state->bdat_line);

            if (n > 0 && state->bdat_line->data[n - 1] == '\r')
                vstring_truncate(state->bdat_line, n - 1);
            else
                state->bdat_bare_lf = 1;
            smtpd_content_line(state, vstring_str(state->bdat_line), VSTRING_LEN(state->bdat_line),
                               REC_TYPE_NORM);
            vstring_reset(state->bdat_line);
        } else {
            vstring_addch(state->bdat_line, ch);
            if (VSTRING_LEN(state->bdat_line) >= (size_t)var_line_length_limit && ch != '\r') {
                smtpd_content_line(state, vstring_str(state->bdat_line),
                                   VSTRING_LEN(state->bdat_line), REC_TYPE_CONT);
                vstring_reset(state->bdat_line);
            }
        }
    }
}

static int smtpd_bdat(SMTPD_STATE *state, char *args)
{
    char *orig_args = mystrdup(args);
    char *size_arg = mystrtok(&args, " \t");
    char *last_arg = mystrtok(&args, " \t");
    unsigned long size;
    int last;
    char buf[8192];
    int reject = 0;
    static char where[64];

    if (size_arg == 0 || !alldig(size_arg) || !safe_strtoul(size_arg, &size) ||
        (last_arg && strcasecmp(last_arg, "LAST") != 0) || mystrtok(&args, " \t")) {
        /* Without a valid count the stream cannot be resynchronised:
         * Postfix hangs up, and so do we. */
        VSTRING *printable = vstring_alloc(100);

        vstring_sprintf(state->scratch, "BDAT%s%s", *orig_args ? " " : "", orig_args);
        msg_warn("%s: malformed BDAT command syntax from %s: %s",
                 state->queue_id ? state->queue_id : "NOQUEUE", state->namaddr,
                 smtpd_printable(printable, vstring_str(state->scratch)));
        vstring_free(printable);
        myfree(orig_args);
        smtpd_reply(state, "521 5.5.4 Syntax: BDAT count [LAST]");
        smtpd_done = 1;
        return -1;
    }
    myfree(orig_args);
    last = last_arg != 0;
    if (state->bdat_state == 0) {
        if (state->sender == 0 || state->rcpt_count == 0) {
            reject = 1;
        } else if (smtpd_data_checks(state) < 0) {
            state->bdat_state = 2;
        } else {
            smtpd_received(state);
            state->bdat_state = 1;
        }
    }
    /* Read (and maybe discard) exactly size bytes. */
    while (size > 0) {
        size_t want = size > sizeof(buf) ? sizeof(buf) : size;
        size_t got = vstream_fread(state->client, buf, want);

        if (got > 0 && state->bdat_state == 1 && !reject)
            smtpd_bdat_content(state, buf, got);
        if (got < want) {
            snprintf(where, sizeof(where), "BDAT (%ld bytes)", state->act_size);
            state->where = where;
            return -2;
        }
        size -= got;
    }
    if (reject) {
        smtpd_reply(state, state->sender ? "554 5.5.1 Error: no valid recipients"
                                         : "503 5.5.1 Error: need RCPT command");
        return -1;
    }
    if (state->bdat_state == 2) {
        if (last)
            smtpd_mail_reset(state);
        smtpd_reply(state, "503 5.5.1 Error: BDAT transaction aborted");
        return -1;
    }
    if (!last) {
        smtpd_reply(state, "250 2.0.0 Ok: %s bytes", size_arg);
        return 0;
    }
    state->bdat_last = 1;
    if (VSTRING_LEN(state->bdat_line) > 0)
        smtpd_content_line(state, vstring_str(state->bdat_line), VSTRING_LEN(state->bdat_line),
                           REC_TYPE_NORM);
    state->where = "END-OF-MESSAGE";
    return smtpd_finish(state, state->bdat_bare_lf);
}

static int smtpd_rset(SMTPD_STATE *state, char *args)
{
    if (*skipblanks(args)) {
        smtpd_reply(state, "501 5.5.4 Syntax: RSET");
        return -1;
    }
    smtpd_mail_reset(state);
    smtpd_reply(state, "250 2.0.0 Ok");
    return 0;
}

static int smtpd_noop(SMTPD_STATE *state, char *args)
{
    smtpd_reply(state, "250 2.0.0 Ok");
    return 0;
}

static int smtpd_vrfy(SMTPD_STATE *state, char *args)
{
    char *arg = skipblanks(args);
    const char *reply;

    if (var_disable_vrfy_command) {
        smtpd_reply(state, "502 5.5.1 VRFY command is disabled");
        return -1;
    }
    if (*arg == 0) {
        smtpd_reply(state, "501 5.5.4 Syntax: VRFY address [SMTPUTF8]");
        return -1;
    }
    {
        char *copy = mystrdup(arg);
        ARGV *params = argv_alloc(1);
        char *addr;
        VSTRING *internal = vstring_alloc(100);

        trimblanks(arg);
        /* "VRFY address [SMTPUTF8]": any other word makes it no address. */
        if (smtpd_addr_split(copy, 0, &addr, params) != SMTPD_ADDR_OK || params->argc > 1 ||
            (params->argc == 1 && strcasecmp(params->argv[0], "SMTPUTF8") != 0)) {
            vstring_strcpy(state->scratch, arg);
            for (char *cp = vstring_str(state->scratch); *cp; cp++)
                if (*cp == '\t')
                    *cp = ' ';
            smtpd_addr_warn(state, "VRFY");
            smtpd_reply(state, "501 5.1.3 Bad recipient address syntax");
            myfree(copy);
            argv_free(params);
            vstring_free(internal);
            return -1;
        }
        smtpd_addr_internal(smtpd_strip_route(addr), internal);
        reply = smtpd_check_rcpt_known(state, vstring_str(internal));
        myfree(copy);
        argv_free(params);
        if (reply) {
            smtpd_log_reject(state, "reject", reply, vstring_str(internal));
            smtpd_reply(state, "%s", reply);
            vstring_free(internal);
            return -1;
        }
        vstring_free(internal);
    }
    /* The reply names the address, without the SMTPUTF8 keyword. */
    {
        size_t len = strlen(arg);

        if (len > 9 && strcasecmp(arg + len - 9, " SMTPUTF8") == 0)
            arg[len - 9] = 0;
        smtpd_reply(state, "252 2.0.0 %s", trimblanks(arg));
    }
    return 0;
}

static int smtpd_etrn(SMTPD_STATE *state, char *args)
{
    char *domain = skipblanks(args);
    const char *reply;

    if (var_smtpd_helo_required && state->helo_name == 0) {
        smtpd_reply(state, "503 Error: send HELO/EHLO first");
        return -1;
    }
    if (state->sender) {
        smtpd_reply(state, "503 Error: MAIL transaction in progress");
        return -1;
    }
    if (*domain == 0) {
        smtpd_reply(state, "500 Syntax: ETRN domain");
        return -1;
    }
    trimblanks(domain);
    if (*domain == '@' || *domain == '#')
        domain++;
    if (!smtpd_addr_valid_hostname(domain)) {
        smtpd_reply(state, "501 Error: invalid parameter syntax");
        return -1;
    }
    if ((reply = smtpd_check_etrn(state, domain)) != 0) {
        smtpd_log_reject(state, "reject", reply, 0);
        smtpd_reply(state, "%s", reply);
        return -1;
    }
    switch (flush_send_site(domain)) {
    case FLUSH_STAT_OK:
        smtpd_reply(state, "250 Queuing started");
        return 0;
    case FLUSH_STAT_DENY:
        msg_warn("reject: ETRN %.100s... from %s", domain, state->namaddr);
        smtpd_reply(state, "459 <%s>: service unavailable", domain);
        return -1;
    case FLUSH_STAT_BAD:
        msg_warn("bad ETRN %.100s... from %s", domain, state->namaddr);
        smtpd_reply(state, "458 Unable to queue messages");
        return -1;
    default:
        msg_warn("unable to talk to fast flush service");
        smtpd_reply(state, "458 Unable to queue messages");
        return -1;
    }
}

/* XCLIENT: on success the session starts over as the new client, with a
 * new greeting; Postfix does not count it as a successful command. */
static int smtpd_xclient_cmd(SMTPD_STATE *state, char *args)
{
    VSTRING *reply = vstring_alloc(100);

    if (smtpd_xclient(state, args, reply) < 0) {
        smtpd_reply(state, "%s", vstring_str(reply));
    } else {
        state->bare_lf_mode = smtpd_bare_lf_default;
        if (state->bare_lf_mode != SMTPD_BARE_LF_NO && smtpd_check_bare_lf_excluded(state))
            state->bare_lf_mode = SMTPD_BARE_LF_NO;
        smtpd_reply(state, "220 %s", var_smtpd_banner);
    }
    vstring_free(reply);
    return -1;
}

static int smtpd_xforward_cmd(SMTPD_STATE *state, char *args)
{
    VSTRING *reply = vstring_alloc(100);
    int rc = smtpd_xforward(state, args, reply);

    smtpd_reply(state, "%s", vstring_str(reply));
    vstring_free(reply);
    return rc;
}

static int smtpd_quit(SMTPD_STATE *state, char *args)
{
    smtpd_reply(state, "221 2.0.0 Bye");
    smtpd_done = 1;
    return 0;
}

/* ------------------------------------------------------------ the session */

static int smtpd_forbidden(const char *verb)
{
    if (smtpd_forbidden_words)
        for (size_t i = 0; i < smtpd_forbidden_words->argc; i++)
            if (strcasecmp(smtpd_forbidden_words->argv[i], verb) == 0)
                return 1;
    /* A header label ("Subject:"): message content sent as commands. */
    {
        size_t len = strlen(verb);

        if (len > 1 && verb[len - 1] == ':' && strcspn(verb, ":") == len - 1)
            return 1;
    }
    for (size_t i = 0; i < smtpd_forbidden_ndicts; i++) {
        const char *value;

        switch (dict_get(smtpd_forbidden_dicts[i], verb, &value)) {
        case DICT_STAT_FOUND:
            return 1;
        case DICT_STAT_FAIL:
            msg_warn("smtpd_forbidden_commands: %s:%s: table lookup problem",
                     smtpd_forbidden_dicts[i]->type, smtpd_forbidden_dicts[i]->name);
            break;
        default:
            break;
        }
    }
    return 0;
}

/* smtpd_printable - a copy of text safe to log */
static const char *smtpd_printable(VSTRING *out, const char *text)
{
    vstring_reset(out);
    for (const unsigned char *cp = (const unsigned char *)text; *cp; cp++)
        vstring_addch(out, (*cp < 0x20 || *cp >= 0x7f) ? '?' : *cp);
    return vstring_str(out);
}

/*
 * The client socket's reads go through smtpd_client_read(), which remembers
 * where the last read put its bytes: the stream refills its buffer only
 * when it is empty, so the bytes it still holds unread are the tail of that
 * last read.  That is how the pipelining check can show what the client
 * sent ahead without consuming it (the stream has no peek-at-data call).
 */
static const char *smtpd_last_read;
static size_t smtpd_last_read_len;

static ssize_t smtpd_client_read(VSTREAM *stream, void *buf, size_t len, int timeout_ms,
                                 void *context)
{
    ssize_t got;

    if (timeout_ms >= 0 && poll_fd(vstream_fileno(stream), POLLIN, timeout_ms) <= 0) {
        errno = ETIMEDOUT;
        return -1;
    }
    if ((got = read(vstream_fileno(stream), buf, len)) > 0) {
        smtpd_last_read = buf;
        smtpd_last_read_len = (size_t)got;
    }
    return got;
}

/* smtpd_pending_text - what the client sent ahead, escaped as Postfix logs it */
static const char *smtpd_pending_text(SMTPD_STATE *state, VSTRING *out)
{
    size_t n = vstream_peek(state->client);
    char peekbuf[100];
    const char *data = 0;
    ssize_t len = 0;

    if (n > 0 && n <= smtpd_last_read_len) {
        data = smtpd_last_read + smtpd_last_read_len - n;
        len = (ssize_t)n;
    } else if (n == 0) {
        len =
            recv(vstream_fileno(state->client), peekbuf, sizeof(peekbuf), MSG_PEEK | MSG_DONTWAIT);
        data = peekbuf;
    }
    vstring_reset(out);
    if (len > 100)
        len = 100;
    for (ssize_t i = 0; data && i < len; i++) {
        int ch = (unsigned char)data[i];

        if (ch == '\r')
            vstring_strcat(out, "\\r");
        else if (ch == '\n')
            vstring_strcat(out, "\\n");
        else if (ch == '\t')
            vstring_strcat(out, "\\t");
        else if (ch < 0x20 || ch >= 0x7f)
            vstring_sprintf_append(out, "\\%03o", ch);
        else
            vstring_addch(out, ch);
    }
    return vstring_str(out);
}

/* smtpd_pipelining_check - log (and maybe refuse) input sent too early */
static int smtpd_pipelining_check(SMTPD_STATE *state, const char *after)
{
    size_t n = vstream_peek(state->client);
    VSTRING *text;

    if (n == 0 && poll_fd(vstream_fileno(state->client), POLLIN, 0) <= 0)
        return 0;
    text = vstring_alloc(100);
    smtpd_pending_text(state, text);
    if (VSTRING_LEN(text) == 0) {
        vstring_free(text);
        return 0;
    }
    msg_info("improper command pipelining after %s from %s: %s", after, state->namaddr,
             vstring_str(text));
    vstring_free(text);
    /* Postfix disconnects every client that does this, mynetworks too. */
    if (var_smtpd_forbid_unauth_pipelining) {
        smtpd_reply(state, "554 5.5.0 Error: SMTP protocol synchronization");
        smtpd_done = 1;
        return -1;
    }
    return 0;
}

static void smtpd_disconnect_log(SMTPD_STATE *state)
{
    VSTRING *line = vstring_alloc(200);
    int ok = 0, total = 0;

    vstring_sprintf(line, "disconnect from %s", state->namaddr);
    for (SMTPD_CMD *cmd = smtpd_cmds; cmd->name; cmd++) {
        if (cmd->total == 0)
            continue;
        vstring_strcat(line, " ");
        for (const char *cp = cmd->name; *cp; cp++)
            vstring_addch(line, tolower((unsigned char)*cp));
        if (cmd->ok == cmd->total)
            vstring_sprintf_append(line, "=%d", cmd->ok);
        else
            vstring_sprintf_append(line, "=%d/%d", cmd->ok, cmd->total);
        ok += cmd->ok;
        total += cmd->total;
    }
    if (smtpd_unknown_total) {
        vstring_sprintf_append(line, " unknown=%d/%d", smtpd_unknown_ok, smtpd_unknown_total);
        total += smtpd_unknown_total;
    }
    if (ok == total && total > 0)
        vstring_sprintf_append(line, " commands=%d", ok);
    else
        vstring_sprintf_append(line, " commands=%d/%d", ok, total);
    msg_info("%s", vstring_str(line));
    vstring_free(line);
}

static void smtpd_session(SMTPD_STATE *state)
{
    int status;
    char *verb;
    char *args;
    SMTPD_CMD *cmd;
    VSTRING *printable = vstring_alloc(100);

    for (SMTPD_CMD *c = smtpd_cmds; c->name; c++)
        c->ok = c->total = 0;
    smtpd_unknown_ok = smtpd_unknown_total = 0;
    smtpd_done = 0;
    state->where = "CONNECT";

    if (smtpd_pipelining_check(state, "CONNECT") < 0)
        goto out;
    smtpd_reply(state, "220 %s", var_smtpd_banner);
    vstream_fflush(state->client);

    while (!smtpd_done) {
        if (state->error_count >= var_smtpd_hard_error_limit) {
            state->reason = "too many errors";
            msg_info("too many errors after %s from %s", state->where, state->namaddr);
            smtpd_reply(state, "421 4.7.0 %s Error: too many errors", var_myhostname);
            break;
        }
        status = vstream_get_line(state->client, state->buffer, (size_t)var_line_length_limit,
                                  VSTREAM_LINE_STRIP);
        if (status == VSTREAM_LINE_TIMEOUT) {
            state->reason = "timeout";
            msg_info("timeout after %s from %s", state->where, state->namaddr);
            vstream_clearerr(state->client);
            /* Postfix reports no error class for a timeout. */
            smtpd_reply_class = SMTPD_ERR_NONE;
            smtpd_reply(state, "421 4.4.2 %s Error: timeout exceeded", var_myhostname);
            break;
        }
        if (status == VSTREAM_LINE_EOF || status == VSTREAM_LINE_ERROR ||
            status == VSTREAM_LINE_NOEOL) {
            state->reason = "lost connection";
            msg_info("lost connection after %s from %s", state->where, state->namaddr);
            break;
        }
        smtpd_chat_in(state, vstring_str(state->buffer));
        if (status == VSTREAM_LINE_LONG) {
            /* Discard the rest of an over-long command line. */
            VSTRING *junk = vstring_alloc(100);
            int s2;

            do {
                s2 = vstream_get_line(state->client, junk, (size_t)var_line_length_limit,
                                      VSTREAM_LINE_STRIP);
            } while (s2 == VSTREAM_LINE_LONG);
            vstring_free(junk);
            if (s2 <= 0 || s2 == VSTREAM_LINE_NOEOL) {
                state->reason = "lost connection";
                msg_info("lost connection after %s from %s", state->where, state->namaddr);
                break;
            }
        }
        if (status == VSTREAM_LINE_LF && state->bare_lf_mode == SMTPD_BARE_LF_REJECT) {
            /* Postfix hangs up: what else the client sent cannot be trusted. */
            smtpd_reply_class = SMTPD_ERR_PROTOCOL;
            smtpd_log_reject(state, "reject", "bare <LF> received", 0);
            smtpd_reply(state, "%d 5.5.2 %s Error: bare <LF> received",
                        var_smtpd_forbid_bare_newline_reject_code, var_myhostname);
            break;
        }
        /* With SMTPUTF8 on, a command must be UTF-8; as in Postfix the
         * line is an error but no command: not counted, "where" unchanged. */
        if (var_smtputf8_enable &&
            !valid_utf8(vstring_str(state->buffer), VSTRING_LEN(state->buffer))) {
            smtpd_reply_class = SMTPD_ERR_PROTOCOL;
            smtpd_reply(state, "500 5.5.2 Error: bad UTF-8 syntax");
            continue;
        }
        args = vstring_str(state->buffer);
        verb = mystrtok(&args, " \t");
        if (verb == 0) {
            /* An empty line is an error, but not a command (Postfix does
             * not count it in the disconnect statistics). */
            smtpd_reply(state, "500 5.5.2 Error: bad syntax");
            continue;
        }
        if (args == 0)
            args = (char *)"";
        for (cmd = smtpd_cmds; cmd->name; cmd++)
            if (strcasecmp(cmd->name, verb) == 0)
                break;
        if (cmd->name == 0) {
            smtpd_unknown_total++;
            state->where = "UNKNOWN";
            if (smtpd_forbidden(verb)) {
                if (*args)
                    args[-1] = ' ';
                msg_warn("non-SMTP command from %s: %s", state->namaddr,
                         smtpd_printable(printable, vstring_str(state->buffer)));
                smtpd_reply(state, "221 2.7.0 Error: I can break rules, too. Goodbye.");
                break;
            }
            smtpd_reply(state, "500 5.5.2 Error: command not recognized");
            continue;
        }
        cmd->total++;
        state->where = cmd->name;
        /* Postfix flushes a long history when EHLO or RSET arrive. */
        if (cmd->action == smtpd_ehlo || cmd->action == smtpd_rset)
            smtpd_chat_flush_point(state);
        if (cmd->junk && state->junk_cmds++ > var_smtpd_junk_command_limit)
            state->error_count++;
        /* HELO and EHLO must end a pipelined group (RFC 2920): check before
         * answering, as Postfix does; DATA checks before its 354. */
        if ((cmd->action == smtpd_ehlo || cmd->action == smtpd_helo) &&
            smtpd_pipelining_check(state, cmd->name) < 0)
            break;
        status = cmd->action(state, args);
        if (status == -2) {
            state->reason = "lost connection";
            msg_info("lost connection after %s from %s", state->where, state->namaddr);
            break;
        }
        if (status == 0) {
            cmd->ok++;
            if (cmd->action == smtpd_data || cmd->action == smtpd_bdat)
                state->where = cmd->name;
        }
    }
out:
    vstream_fflush(state->client);
    vstring_free(printable);
    smtpd_chat_end(state);
    smtpd_disconnect_log(state);
}

static void smtpd_service(VSTREAM *stream, char *service, char **argv)
{
    SMTPD_STATE state;

    memset(&state, 0, sizeof(state));
    state.client = stream;
    state.buffer = vstring_alloc(512);
    state.scratch = vstring_alloc(512);
    state.rcpt_list = argv_alloc(4);
    state.saved_bcc = argv_alloc(1);
    state.prepend = argv_alloc(1);
    state.bdat_line = vstring_alloc(512);
    state.protocol = "SMTP";
    state.standalone = vstream_fileno(stream) == 0;
    vstream_set_timeouts(stream, var_smtpd_timeout * 1000, var_smtpd_timeout * 1000);
    smtpd_last_read = 0;
    smtpd_last_read_len = 0;
    if (!state.standalone)
        vstream_set_io(stream, smtpd_client_read, 0, 0);
    smtpd_peer_init(&state);
    msg_info("connect from %s", state.namaddr);
    /* Like Postfix's sendmail -bs: access controls apply in stand-alone
     * mode only when it was started by mail_owner. */
    state.access_off = state.standalone && smtpd_standalone_trusted;
    state.xclient_ok = !state.standalone && smtpd_check_xclient_host(&state);
    state.xforward_ok = !state.standalone && smtpd_check_xforward_host(&state);
    state.is_mynetworks = state.access_off || smtpd_check_mynetworks(&state);
    state.bare_lf_mode = smtpd_bare_lf_default;
    if (state.bare_lf_mode != SMTPD_BARE_LF_NO && smtpd_check_bare_lf_excluded(&state))
        state.bare_lf_mode = SMTPD_BARE_LF_NO;
    smtpd_check_session_init(&state);

    smtpd_session(&state);

    smtpd_mail_reset(&state);
    smtpd_peer_reset(&state);
    myfree(state.helo_name);
    vstring_free(state.buffer);
    vstring_free(state.scratch);
    vstring_free(state.bdat_line);
    argv_free(state.rcpt_list);
    argv_free(state.saved_bcc);
    argv_free(state.prepend);
    if (state.history)
        argv_free(state.history);
}

static void smtpd_pre_init(char *service, char **argv)
{
    const char *mode = var_smtpd_forbid_bare_newline;

    smtpd_input_transp = input_transp_mask("receive_override_options",
                                           var_receive_override_options);
    struct passwd *pw = getpwnam(var_mail_owner);

    /* Who started us (before -u drops privileges): sendmail -bs run by
     * root or a user is trusted, run by mail_owner it is not. */
    smtpd_standalone_trusted = pw == 0 || getuid() != pw->pw_uid;
    ARGV *words;

    if (strcasecmp(mode, "no") == 0)
        smtpd_bare_lf_default = SMTPD_BARE_LF_NO;
    else if (strcasecmp(mode, "normalize") == 0 || strcasecmp(mode, "yes") == 0)
        smtpd_bare_lf_default = SMTPD_BARE_LF_NORMALIZE;
    else if (strcasecmp(mode, "reject") == 0)
        smtpd_bare_lf_default = SMTPD_BARE_LF_REJECT;
    else
        msg_fatal("invalid smtpd_forbid_bare_newline value: \"%s\"", mode);

    words = argv_split_list(var_smtpd_forbidden_commands);
    smtpd_forbidden_words = argv_alloc(4);
    for (size_t i = 0; i < words->argc; i++) {
        if (strchr(words->argv[i], ':') != 0) {
            DICT *dict = dict_open(words->argv[i], 0, DICT_FLAG_DEFAULT | DICT_FLAG_FOLD_MUL);

            /* As Postfix: a table that cannot be used is reported and then
             * forbids nothing (each lookup says so); smtpd keeps going. */
            if (dict_open_error(dict))
                msg_warn("smtpd_forbidden_commands: %s", dict_errtext(dict));
            smtpd_forbidden_dicts = myrealloc_array(smtpd_forbidden_dicts,
                                                    smtpd_forbidden_ndicts + 1, sizeof(DICT *));
            smtpd_forbidden_dicts[smtpd_forbidden_ndicts++] = dict;
        } else {
            argv_add(smtpd_forbidden_words, words->argv[i]);
        }
    }
    argv_free(words);
    smtpd_chat_init();
    smtpd_check_init();
}

int main(int argc, char **argv)
{
    int standalone = 0;

    /* Stand-alone (-z, sendmail -bs) keeps the caller's identity, as with
     * Postfix, so that postdrop records who submitted the mail; under
     * master smtpd must always run as mail_owner. */
    for (int i = 1; i < argc && argv[i][0] == '-'; i++)
        if (strcmp(argv[i], "-z") == 0)
            standalone = 1;
    if (standalone)
        single_server_main(argc, argv, smtpd_service, MAIL_SERVER_PRE_INIT, smtpd_pre_init,
                           MAIL_SERVER_PRIVILEGED, MAIL_SERVER_END);
    else
        single_server_main(argc, argv, smtpd_service, MAIL_SERVER_PRE_INIT, smtpd_pre_init,
                           MAIL_SERVER_END);
    return 0;
}
