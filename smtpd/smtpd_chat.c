/*
 * smtpd_chat - the transcript of an SMTP session, and the "transcript of
 * session" notices it becomes when the session had an error of a class in
 * notify_classes (protocol, policy, resource, software), as Postfix's
 * smtpd sends them; the class bounce (a rejected recipient or message)
 * sends the same notice to bounce_notice_recipient.
 *
 * Interface:
 *   smtpd_chat_init()            read notify_classes (once, before sessions)
 *   smtpd_chat_in(state, line)   a command line the client sent ("In:  ")
 *   smtpd_chat_out(state, line)  one reply line we sent ("Out: ")
 *   smtpd_chat_flush_point(state)
 *                                EHLO or RSET received, or the reply to the
 *                                end of DATA/BDAT LAST sent: when the history
 *                                holds more than smtpd_history_flush_threshold
 *                                lines, send the notice if an error of a
 *                                notified class happened, then forget the
 *                                history and the errors (Postfix does just
 *                                that; a threshold of 0 never flushes)
 *   smtpd_chat_end(state)        the session is over: send the notice if
 *                                due, empty the history (the caller frees
 *                                state->history)
 *   The errors are in state->error_mask (SMTPD_ERR_*), set by smtpd.c; a
 *   reason for an aborted session ("lost connection", "timeout") is in
 *   state->reason.
 *
 * The notice: envelope from double_bounce_sender@myhostname (junk mail
 * must never start a bounce war) to error_notice_recipient (or
 * bounce_notice_recipient when a bounce error happened), through the
 * cleanup service like any internal mail (public/cleanup, "cleanup/1");
 * headers Received: by myhostname (mail_name) id ID; Date:, From: Mail Delivery System <MAILER-DAEMON@myhostname>, To:
 * Postmaster <error_notice_recipient>, Subject: "$mail_name SMTP server:
 * errors from name[addr]"; the body "Transcript of session follows.", the
 * history (each line made printable, wrapped at 78 columns with 4 columns
 * of indent, and sent with one leading space so that nothing the client
 * sent can look like a header or an mbox From_ line), the reason when the
 * session was aborted, and a pointer to the log.  Message content (DATA,
 * BDAT chunks) is never part of the history.
 *
 * Bound: Postfix lets the history grow between flush points; besides the
 * flush points, a history of more than SMTPD_CHAT_MAX_LINES lines is
 * flushed anyway, so that a client that never sends EHLO, RSET or DATA
 * cannot make it grow without limit.
 *
 * What can go wrong: the cleanup service cannot be reached or refuses the
 * notice: a warning is logged and the notice is lost (it is junk mail,
 * never worth delaying the session for); the session itself goes on.
 */
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>

#include "argv.h"
#include "attr.h"
#include "cleanup_user.h"
#include "iostuff.h"
#include "mail_date.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "msg.h"
#include "rec_stream.h"
#include "smtpd_chat.h"
#include "vstream.h"

#define SMTPD_CHAT_WIDTH     78
#define SMTPD_CHAT_INDENT    4
#define SMTPD_CHAT_MAX_LINES 10000

static int smtpd_chat_notify_mask;

/* smtpd_chat_classes - the transcript classes named in a notify_classes list */
int smtpd_chat_classes(const char *list)
{
    static const struct {
        const char *name;
        int mask;
    } names[] = {
        {"protocol", SMTPD_ERR_PROTOCOL},
        {"policy", SMTPD_ERR_POLICY},
        {"resource", SMTPD_ERR_RESOURCE},
        {"software", SMTPD_ERR_SOFTWARE},
        {"bounce", SMTPD_ERR_BOUNCE},
    };
    ARGV *words = argv_split(list, ", \t\r\n");
    int mask = 0;

    /* Other classes (2bounce, delay, data) belong to other programs;
     * they are not errors here. */
    for (size_t i = 0; i < words->argc; i++)
        for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++)
            if (strcasecmp(words->argv[i], names[n].name) == 0)
                mask |= names[n].mask;
    argv_free(words);
    return mask;
}

void smtpd_chat_init(void)
{
    smtpd_chat_notify_mask = smtpd_chat_classes(var_notify_classes);
}

static void smtpd_chat_append(SMTPD_STATE *state, const char *prefix, const char *line)
{
    VSTRING *buf = vstring_alloc(100);

    if (state->history == 0)
        state->history = argv_alloc(10);
    vstring_strcpy(buf, prefix);
    for (const unsigned char *cp = (const unsigned char *)line; *cp; cp++)
        vstring_addch(buf, (*cp < 0x20 || *cp >= 0x7f) ? '?' : *cp);
    argv_add(state->history, vstring_str(buf));
    vstring_free(buf);
    if (state->history->argc > SMTPD_CHAT_MAX_LINES) {
        if (state->error_mask & smtpd_chat_notify_mask) {
            /* Keep the evidence: send what we have, then start over. */
            const char *reason = state->reason;

            state->reason = 0;
            smtpd_chat_end(state);
            state->reason = reason;
        } else {
            argv_truncate(state->history, 0);
        }
        state->error_mask = 0;
    }
}

void smtpd_chat_in(SMTPD_STATE *state, const char *line)
{
    smtpd_chat_append(state, "In:  ", line);
}

void smtpd_chat_out(SMTPD_STATE *state, const char *line)
{
    smtpd_chat_append(state, "Out: ", line);
}

/*
 * smtpd_chat_wrap - append line to out as " " + text lines of at most width
 * columns (not counting that space), breaking at blanks; continuation lines
 * start with indent blanks.  A word longer than a line is not broken;
 * blanks at a break and at the end are dropped.
 */
void smtpd_chat_wrap(VSTRING *out, const char *line, size_t width, size_t indent)
{
    const char *s = line;
    int first = 1;

    for (;;) {
        size_t avail = first ? width : width - indent;
        size_t len = strlen(s);
        size_t pos = 0, end;

        vstring_addch(out, ' ');
        if (!first)
            for (size_t i = 0; i < indent; i++)
                vstring_addch(out, ' ');
        while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--; /* Postfix drops trailing blanks too ("In:  " of an empty line) */
        if (len <= avail) {
            vstring_strncat(out, s, len);
            vstring_addch(out, '\n');
            return;
        }
        for (size_t i = avail; i > 0 && pos == 0; i--)
            if (s[i] == ' ' || s[i] == '\t')
                pos = i;
        if (pos == 0) {
            pos = avail + strcspn(s + avail, " \t");
            if (s[pos] == 0) {
                vstring_strcat(out, s);
                vstring_addch(out, '\n');
                return;
            }
        }
        for (end = pos; end > 0 && (s[end - 1] == ' ' || s[end - 1] == '\t'); end--)
            /* trim */;
        vstring_strncat(out, s, end);
        vstring_addch(out, '\n');
        s += pos;
        s += strspn(s, " \t");
        if (*s == 0)
            return;
        first = 0;
    }
}

/* smtpd_chat_compose - the notice's headers and body, lines ending in \n;
 * queue_id and when are the notice's own */
void smtpd_chat_compose(SMTPD_STATE *state, VSTRING *text, const char *queue_id, time_t when)
{
    /* Like Postfix's internal mail, the notice carries its own Received:
     * and Date: ahead of the other headers. */
    vstring_sprintf(text, "Received: by %s (%s)\n", var_myhostname, var_mail_name);
    vstring_sprintf_append(text, "\tid %s; %s\n", queue_id, mail_date(when));
    vstring_sprintf_append(text, "Date: %s\n", mail_date(when));
    vstring_sprintf_append(text, "From: Mail Delivery System <MAILER-DAEMON@%s>\n",
                           var_myhostname);
    vstring_sprintf_append(text, "To: Postmaster <%s>\n", var_error_notice_recipient);
    vstring_sprintf_append(text, "Subject: %s SMTP server: errors from %s\n", var_mail_name,
                           state->namaddr);
    vstring_strcat(text, "\nTranscript of session follows.\n\n");
    for (size_t i = 0; state->history && i < state->history->argc; i++)
        smtpd_chat_wrap(text, state->history->argv[i], SMTPD_CHAT_WIDTH, SMTPD_CHAT_INDENT);
    vstring_strcat(text, "\n");
    if (state->reason)
        vstring_sprintf_append(text, "Session aborted, reason: %s\n", state->reason);
    vstring_strcat(text, "\nFor other details, see the local mail logfile\n");
}

/* smtpd_chat_notify - submit the notice to the cleanup service */
static void smtpd_chat_notify(SMTPD_STATE *state)
{
    VSTRING *text = vstring_alloc(1000);
    VSTRING *id = vstring_alloc(20);
    VSTRING *reason = vstring_alloc(100);
    VSTREAM *cl;
    struct timeval now;
    int status = -1;

    if ((cl = mail_connect(MAIL_CLASS_PUBLIC, MAIL_SERVICE_CLEANUP, BLOCKING)) == 0) {
        msg_warn("postmaster notify: connect to %s/%s: %m", MAIL_CLASS_PUBLIC,
                 MAIL_SERVICE_CLEANUP);
        goto done;
    }
    if (attr_scan_hello(cl, MAIL_PROTO_CLEANUP) < 0 ||
        attr_scan(cl, ATTR_FLAG_STRICT, RECV_ATTR_STR(MAIL_ATTR_QUEUEID, id), ATTR_TYPE_END) != 1) {
        msg_warn("postmaster notify: %s/%s: no queue id from the cleanup service",
                 MAIL_CLASS_PUBLIC, MAIL_SERVICE_CLEANUP);
        goto done;
    }
    gettimeofday(&now, 0);
    smtpd_chat_compose(state, text, vstring_str(id), now.tv_sec);
    attr_print(cl, ATTR_FLAG_NONE, SEND_ATTR_INT(MAIL_ATTR_FLAGS, CLEANUP_FLAG_MASK_INTERNAL),
               ATTR_TYPE_END);
    rec_vstream_fprintf(cl, REC_TYPE_TIME, "%ld %ld", (long)now.tv_sec, (long)now.tv_usec);
    rec_vstream_fprintf(cl, REC_TYPE_ATTR, "%s=%s", MAIL_ATTR_RWR_CONTEXT, "local");
    rec_vstream_fprintf(cl, REC_TYPE_FROM, "%s@%s", var_double_bounce_sender, var_myhostname);
    /* A bounce error goes to bounce_notice_recipient, although the To:
     * header still names error_notice_recipient (so does Postfix's). */
    rec_vstream_fputs(cl, REC_TYPE_RCPT, (state->error_mask & SMTPD_ERR_BOUNCE)
                                             ? var_bounce_notice_recipient
                                             : var_error_notice_recipient);
    rec_vstream_put(cl, REC_TYPE_MESG, "", 0);
    for (const char *cp = vstring_str(text), *nl; *cp; cp = nl + 1) {
        nl = strchr(cp, '\n'); /* compose ends every line with one */
        rec_vstream_put(cl, REC_TYPE_NORM, cp, (size_t)(nl - cp));
    }
    rec_vstream_put(cl, REC_TYPE_XTRA, "", 0);
    rec_vstream_put(cl, REC_TYPE_END, "", 0);
    if (vstream_fflush(cl) != 0) {
        msg_warn("postmaster notify: send to the cleanup service: %m");
    } else if (attr_scan(cl, ATTR_FLAG_STRICT, RECV_ATTR_INT(MAIL_ATTR_STATUS, &status),
                         RECV_ATTR_STR(MAIL_ATTR_REASON, reason), ATTR_TYPE_END) != 2) {
        msg_warn("postmaster notify: no reply from the cleanup service");
    } else if (status != 0) {
        msg_warn("postmaster notify: cleanup service refused the notice: %s",
                 VSTRING_LEN(reason) ? vstring_str(reason) : cleanup_strerror((unsigned)status));
    }
done:
    if (cl)
        (void)vstream_fclose(cl);
    vstring_free(text);
    vstring_free(id);
    vstring_free(reason);
}

void smtpd_chat_flush_point(SMTPD_STATE *state)
{
    if (state->history == 0 || var_smtpd_history_flush_threshold <= 0 ||
        state->history->argc <= (size_t)var_smtpd_history_flush_threshold)
        return;
    if (state->error_mask & smtpd_chat_notify_mask)
        smtpd_chat_notify(state);
    argv_truncate(state->history, 0);
    state->error_mask = 0;
}

void smtpd_chat_end(SMTPD_STATE *state)
{
    if (state->history && state->history->argc > 0 &&
        (state->error_mask & smtpd_chat_notify_mask))
        smtpd_chat_notify(state);
    if (state->history)
        argv_truncate(state->history, 0);
}
