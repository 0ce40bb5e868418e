/*
 * postqueue - the user's view of the mail queue (set-gid postdrop).
 *
 * Usage: postqueue [-c config_dir] [-v] -p | -f | -i queue_id | -s site
 *
 *   -p   list the queue (also "mailq", "sendmail -bp"), in Postfix's format,
 *        byte for byte:
 *
 *          -Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------
 *          E1B5DA7492A     271 Wed Dec  2 16:00:26  sender2@example.org
 *                                                    (mail transport unavailable)
 *                                                   rcpt2@remote.example
 *          (empty line)
 *          -- 4 Kbytes in 4 Requests.
 *
 *        The id is followed by "*" for a message in the active queue and
 *        "!" for one on hold; id and mark are left-aligned in 11 columns,
 *        the size right-aligned in 7 after a space, the arrival time
 *        ("%a %b %e %H:%M:%S", local time) in 20 after a space, then the
 *        sender ("MAILER-DAEMON" for the null sender).  A defer reason is
 *        printed in parentheses, right-aligned to column 78, before the
 *        first recipient that has it (again when it changes); recipients
 *        are indented by 41 spaces.  The footer counts size / 1024
 *        (rounded down) Kbytes; "Request" is singular for one message.  An
 *        empty queue prints "Mail queue is empty".
 *
 *        The data comes from the showq service (public/showq, PROTOCOLS.md).
 *        When it cannot be reached and the caller is root, postqueue warns
 *        "Mail system is down -- accessing queue directly" and runs
 *        $daemon_directory/showq itself (stand-alone, -z); other users get
 *        "Queue report unavailable - mail system is down" (EX_UNAVAILABLE).
 *   -f   flush: trigger "FA" on public/qmgr (forget dead destinations, scan
 *        every queue); "Cannot flush mail queue - mail system is down"
 *        (EX_UNAVAILABLE) when the queue manager does not answer
 *   -s site  ask the flush service (flush_send_site) to retry the mail
 *        deferred for site, which must be in fast_flush_domains.  Errors, in
 *        Postfix's words: "Cannot flush mail queue - invalid destination:
 *        "SITE"" (not a host name or [address]), "Flush service is not
 *        configured for destination "SITE"" (not listed), "Cannot flush
 *        mail queue - mail system is down" (no flush service), all
 *        EX_UNAVAILABLE; "Invalid request: "SITE"" (EX_USAGE) when the
 *        service refuses the request as malformed
 *   -i id    ask the flush service (flush_send_file) to retry one deferred
 *        message; an id that is not in deferred/ is silently ignored, as in
 *        Postfix.  "Cannot flush queue ID - invalid name: "ID"" for what
 *        cannot be a queue id, "Cannot flush mail queue - mail system is
 *        down" when the service cannot be reached (EX_UNAVAILABLE)
 *   -j   JSON output is not implemented (EX_USAGE)
 *
 * Who may: authorized_mailq_users decides -p, authorized_flush_users -f,
 * -s and -i (user_acl.h); root and mail_owner always may.  Anyone else not
 * listed gets "User NAME(UID) is not allowed to view the mail queue" (or
 * "to flush the mail queue"), EX_NOPERM, as with Postfix.
 *
 * Security: set-gid postdrop (to reach public/); the environment is
 * reduced to import_environment; -c and MAIL_CONFIG are refused unless
 * mail_conf_dir_allowed() allows them; showq's replies are read with
 * attr_scan(ATTR_FLAG_STRICT) and a malformed reply ends the listing with
 * an error, never a crash.
 *
 * Exit status: 0, or the sysexits.h code of the failure.
 *
 * Parameters: queue_directory, daemon_directory, showq_service_name,
 * queue_service_name, flush_service_name, fast_flush_domains,
 * import_environment, ipc_timeout, authorized_mailq_users,
 * authorized_flush_users, mail_owner.
 */
#include <errno.h>
#include <pwd.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "argv.h"
#include "attr.h"
#include "flush_clnt.h"
#include "mail_addr_host.h"
#include "mail_cmd.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "mail_queue.h"
#include "maillog_client.h"
#include "msg.h"
#include "mymalloc.h"
#include "queue_id.h"
#include "user_acl.h"
#include "quote_822_local.h"
#include "vstream.h"
#include "vstring.h"

#define PQ_MODE_NONE  0
#define PQ_MODE_LIST  1
#define PQ_MODE_FLUSH 2
#define PQ_MODE_ID    3
#define PQ_MODE_SITE  4
#define PQ_MODE_JSON  5

#define PQ_REASON_COLUMN 78
#define PQ_RCPT_INDENT   41

static const char *pq_config_dir;
static pid_t pq_showq_pid;

/* Run showq stand-alone, its output on a pipe we read. */
static VSTREAM *pq_showq_direct(void)
{
    int pfd[2];
    VSTRING *path = vstring_alloc(100);

    vstring_sprintf(path, "%s/showq", var_daemon_directory);
    if (pipe(pfd) < 0)
        msg_fatal_status(EX_OSERR, "pipe: %m");
    switch (pq_showq_pid = fork()) {
    case -1:
        msg_fatal_status(EX_OSERR, "fork: %m");
    case 0: {
        ARGV *av = argv_alloc(10);
        int null = open("/dev/null", O_RDONLY);

        if (null < 0 || dup2(null, 0) < 0 || dup2(pfd[1], 1) < 0)
            msg_fatal_status(EX_OSERR, "redirect showq: %m");
        close(pfd[0]);
        close(pfd[1]);
        argv_add(av, vstring_str(path));
        argv_add(av, "-z");
        argv_add(av, "-u");
        argv_add(av, "-n");
        argv_add(av, MAIL_SERVICE_SHOWQ);
        argv_add(av, "-t");
        argv_add(av, "unix");
        argv_add(av, "-c");
        argv_add(av, var_config_directory);
        execv(av->argv[0], av->argv);
        msg_fatal_status(EX_UNAVAILABLE, "execute %s: %m", av->argv[0]);
    }
    default:
        close(pfd[1]);
        vstring_free(path);
        return vstream_fdopen(pfd[0], VSTREAM_READ);
    }
}

/* Output through one buffer on standard output. */
static VSTRING *pq_out;

static void pq_write_out(void)
{
    const char *cp = vstring_str(pq_out);
    size_t left = VSTRING_LEN(pq_out);

    while (left > 0) {
        ssize_t n = write(STDOUT_FILENO, cp, left);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            msg_fatal_status(EX_IOERR, "write to standard output: %m");
        cp += n;
        left -= (size_t)n;
    }
    vstring_reset(pq_out);
}

static void pq_list(void)
{
    VSTREAM *stream;
    VSTRING *queue = vstring_alloc(20);
    VSTRING *id = vstring_alloc(20);
    VSTRING *sender = vstring_alloc(100);
    VSTRING *rcpt = vstring_alloc(100);
    VSTRING *reason = vstring_alloc(100);
    VSTRING *last_reason = vstring_alloc(100);
    VSTRING *idmark = vstring_alloc(20);
    VSTRING *ext = vstring_alloc(100);
    long arrival, size;
    long total = 0, count = 0;
    int n;

    if ((stream = mail_connect(MAIL_CLASS_PUBLIC, var_showq_service_name, 1)) == 0) {
        if (getuid() != 0)
            msg_fatal_status(EX_UNAVAILABLE, "Queue report unavailable - mail system is down");
        msg_warn("Mail system is down -- accessing queue directly (Connect to the Postfix "
                 "showq service: %m)");
        stream = pq_showq_direct();
    }
    vstream_set_timeouts(stream, var_ipc_timeout * 1000, var_ipc_timeout * 1000);
    if (attr_scan_hello(stream, MAIL_PROTO_SHOWQ) < 0)
        msg_fatal_status(EX_SOFTWARE, "Queue report unavailable - malformed showq reply");

    pq_out = vstring_alloc(65536);
    for (;;) {
        n = attr_scan(stream, ATTR_FLAG_EXTRA, RECV_ATTR_STR(MAIL_ATTR_QUEUE, queue),
                      RECV_ATTR_STR(MAIL_ATTR_QUEUEID, id),
                      RECV_ATTR_LONG(MAIL_ATTR_TIME, &arrival),
                      RECV_ATTR_LONG(MAIL_ATTR_SIZE, &size),
                      RECV_ATTR_STR(MAIL_ATTR_SENDER, sender), ATTR_TYPE_END);
        if (n == 0)
            break; /* end of the queue */
        if (n != 5)
            msg_fatal_status(EX_SOFTWARE, "malformed showq server reply");
        if (count == 0)
            vstring_strcat(pq_out, "-Queue ID-  --Size-- ----Arrival Time---- "
                                   "-Sender/Recipient-------\n");
        count++;
        total += size;
        {
            char date[64];
            time_t when = (time_t)arrival;
            struct tm *tm = localtime(&when);

            if (tm == 0 || strftime(date, sizeof(date), "%a %b %e %H:%M:%S", tm) == 0)
                strcpy(date, "(unknown time)");
            vstring_strcpy(idmark, vstring_str(id));
            if (strcmp(vstring_str(queue), MAIL_QUEUE_ACTIVE) == 0)
                vstring_addch(idmark, '*');
            else if (strcmp(vstring_str(queue), MAIL_QUEUE_HOLD) == 0)
                vstring_addch(idmark, '!');
            /* Addresses are shown in external (quoted) form, as Postfix does. */
            if (VSTRING_LEN(sender))
                quote_822_local_flags(ext, vstring_str(sender), QUOTE_FLAG_NONE);
            else
                vstring_strcpy(ext, "MAILER-DAEMON");
            vstring_sprintf_append(pq_out, "%-11s %7ld %-20.20s %s\n", vstring_str(idmark), size,
                                   date, vstring_str(ext));
        }
        vstring_reset(last_reason);
        for (;;) {
            n = attr_scan(stream, ATTR_FLAG_EXTRA, RECV_ATTR_STR(MAIL_ATTR_RECIP, rcpt),
                          RECV_ATTR_STR(MAIL_ATTR_REASON, reason), ATTR_TYPE_END);
            if (n == 0)
                break;
            if (n != 2)
                msg_fatal_status(EX_SOFTWARE, "malformed showq server reply");
            if (VSTRING_LEN(reason) > 0 && strcmp(vstring_str(reason), vstring_str(last_reason))) {
                VSTRING *paren = vstring_alloc(VSTRING_LEN(reason) + 2);

                vstring_sprintf(paren, "(%s)", vstring_str(reason));
                vstring_sprintf_append(pq_out, "%*s\n", PQ_REASON_COLUMN, vstring_str(paren));
                vstring_strcpy(last_reason, vstring_str(reason));
                vstring_free(paren);
            }
            quote_822_local_flags(ext, vstring_str(rcpt), QUOTE_FLAG_NONE);
            vstring_sprintf_append(pq_out, "%*s%s\n", PQ_RCPT_INDENT, "", vstring_str(ext));
        }
        vstring_addch(pq_out, '\n');
        if (VSTRING_LEN(pq_out) > 60000)
            pq_write_out();
    }
    if (count == 0)
        vstring_strcat(pq_out, "Mail queue is empty\n");
    else
        vstring_sprintf_append(pq_out, "-- %ld Kbytes in %ld Request%s.\n", total / 1024, count,
                               count == 1 ? "" : "s");
    pq_write_out();
    vstream_fclose(stream);
    vstring_free(queue);
    vstring_free(id);
    vstring_free(sender);
    vstring_free(rcpt);
    vstring_free(reason);
    vstring_free(last_reason);
    vstring_free(idmark);
    vstring_free(ext);
    vstring_free(pq_out);
    pq_out = 0;
    if (pq_showq_pid > 0) {
        int status;

        while (waitpid(pq_showq_pid, &status, 0) < 0 && errno == EINTR)
            continue;
    }
}

static void pq_flush_site(const char *site)
{
    int status;

    /* A host name or an [address] literal, as Postfix's postqueue checks. */
    if (!mail_addr_valid_hostname(site, MAIL_ADDR_FLAG_NONE)
        && !mail_addr_valid_mailhost_literal(site, MAIL_ADDR_FLAG_NONE))
        msg_fatal_status(EX_UNAVAILABLE,
                         "Cannot flush mail queue - invalid destination: \"%.100s\"", site);
    switch (status = flush_send_site(site)) {
    case FLUSH_STAT_OK:
        return;
    case FLUSH_STAT_BAD:
        msg_fatal_status(EX_USAGE, "Invalid request: \"%.100s\"", site);
    case FLUSH_STAT_FAIL:
        msg_fatal_status(EX_UNAVAILABLE, "Cannot flush mail queue - mail system is down");
    case FLUSH_STAT_DENY:
        msg_fatal_status(EX_UNAVAILABLE,
                         "Flush service is not configured for destination \"%.100s\"", site);
    default:
        msg_fatal_status(EX_SOFTWARE, "Unknown flush server reply status %d", status);
    }
}

static void pq_flush_file(const char *queue_id)
{
    int status;

    if (!queue_id_ok(queue_id))
        msg_fatal_status(EX_UNAVAILABLE, "Cannot flush queue ID - invalid name: \"%.100s\"",
                         queue_id);
    switch (status = flush_send_file(queue_id)) {
    case FLUSH_STAT_OK:
        return;
    case FLUSH_STAT_BAD:
        msg_fatal_status(EX_USAGE, "Invalid request: \"%.100s\"", queue_id);
    case FLUSH_STAT_FAIL:
        msg_fatal_status(EX_UNAVAILABLE, "Cannot flush mail queue - mail system is down");
    default:
        msg_fatal_status(EX_SOFTWARE, "Unexpected flush server reply status %d", status);
    }
}

/* pq_check_user - authorized_mailq_users / authorized_flush_users */
static void pq_check_user(int mode)
{
    int list = mode == PQ_MODE_LIST || mode == PQ_MODE_JSON;
    uid_t uid = getuid();
    struct passwd *owner;
    const char *name;

    if (uid == 0 || ((owner = getpwnam(var_mail_owner)) != 0 && owner->pw_uid == uid))
        return;
    if (list && (name = user_acl_denied("authorized_mailq_users", var_authorized_mailq_users,
                                        uid)) != 0)
        msg_fatal_status(EX_NOPERM, "User %s(%ld) is not allowed to view the mail queue", name,
                         (long)uid);
    if (!list && (name = user_acl_denied("authorized_flush_users", var_authorized_flush_users,
                                         uid)) != 0)
        msg_fatal_status(EX_NOPERM, "User %s(%ld) is not allowed to flush the mail queue", name,
                         (long)uid);
}

int main(int argc, char **argv)
{
    const char *dir = 0;
    const char *arg = 0;
    int mode = PQ_MODE_NONE;
    int ch;

    mail_cmd_start("postqueue");
    while ((ch = getopt(argc, argv, "c:fi:jps:v")) != -1) {
        if (mail_cmd_option(ch, optarg, &dir))
            continue;
        switch (ch) {
        case 'f':
            mode = PQ_MODE_FLUSH;
            break;
        case 'i':
            mode = PQ_MODE_ID;
            arg = optarg;
            break;
        case 'j':
            mode = PQ_MODE_JSON;
            break;
        case 'p':
            mode = PQ_MODE_LIST;
            break;
        case 's':
            mode = PQ_MODE_SITE;
            arg = optarg;
            break;
        default:
            msg_fatal_status(EX_USAGE,
                             "usage: %s -[fjpv] [-c config_dir] [-i queue_id] "
                             "[-s site]",
                             msg_program);
        }
    }
    if (optind < argc || mode == PQ_MODE_NONE)
        msg_fatal_status(EX_USAGE, "usage: %s -[fjpv] [-c config_dir] [-i queue_id] [-s site]",
                         msg_program);
    pq_config_dir = mail_cmd_config("postqueue", dir, EX_UNAVAILABLE);
    pq_check_user(mode);

    switch (mode) {
    case PQ_MODE_LIST:
        pq_list();
        break;
    case PQ_MODE_FLUSH: {
        static const char req[] = {QMGR_REQ_FLUSH_DEAD, QMGR_REQ_SCAN_ALL};

        if (mail_trigger(MAIL_CLASS_PUBLIC, var_queue_service_name, req, sizeof(req)) < 0)
            msg_fatal_status(EX_UNAVAILABLE, "Cannot flush mail queue - mail system is down");
        break;
    }
    case PQ_MODE_ID:
        pq_flush_file(arg);
        break;
    case PQ_MODE_SITE:
        pq_flush_site(arg);
        break;
    default:
        msg_fatal_status(EX_USAGE, "-j: JSON output is not supported yet");
    }
    return 0;
}
