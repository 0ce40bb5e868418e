/*
 * postdrop - put a message into the maildrop queue (set-gid postdrop).
 *
 * Usage: postdrop [-c config_dir] [-rv]
 *
 * Reads one message as queue-file records (record.h) from standard input,
 * as sendmail(1) writes them, checks every record, and writes it to a new
 * file maildrop/QUEUEID: created mode 0600 under a temporary name, renamed to
 * its queue id (mail_queue_enter), written, fsync'ed, then made mode 0744,
 * which tells pickup the file is complete.  Then pickup is woken with a
 * "W" trigger on public/pickup.  As soon as the file exists, the queue id
 * goes to standard output as the postdrop/1 lists (PROTOCOLS.md).  -r (raw records) is what
 * sendmail passes and the only input form; it is accepted for compatibility.
 *
 * What is accepted (anything else rejects the whole message):
 *   envelope:  at most one F (full name), exactly one S (sender), R
 *              recipients, A attributes envelope_id, ret_flags,
 *              notify_flags, dsn_orig_rcpt; then M
 *   content:   N and L records; then X
 *   extracted: R, A notify_flags / dsn_orig_rcpt / encoding; then E
 *   after E:   nothing (end of input)
 * at least one recipient in all; no record longer than 64 KB; content no
 * larger than message_size_limit (when not 0).  The time record and
 * "rewrite_context=local" are written by postdrop itself, never taken from
 * the caller, and so are never client attributes (a local user cannot
 * pretend mail came from the network).
 *
 * Security: the program runs set-gid postdrop on behalf of any user.  It
 * sanitises its environment to import_environment, accepts -c or
 * MAIL_CONFIG only when mail_conf_dir_allowed() says so (root, or a
 * directory listed in the default main.cf's alternate_config_directories),
 * creates files with umask 077, and removes a partial file on any error or
 * on SIGHUP/SIGINT/SIGTERM.
 *
 * Exit status: 0 when the file is complete; EX_DATAERR for input that is
 * not a valid message (a warning "uid=N: ..." says why); EX_NOPERM for a
 * forbidden configuration directory; EX_TEMPFAIL when the file cannot be
 * written; EX_USAGE for a bad command line.  A failed pickup trigger is
 * only a warning: pickup scans maildrop on its own timer.
 *
 * Who may: authorized_submit_users (user_acl.h), root included, as in
 * Postfix: "User NAME(UID) is not allowed to submit mail", EX_NOPERM.
 *
 * Parameters: queue_directory, import_environment, message_size_limit,
 * pickup_service_name, hash_queue_depth, hash_queue_names,
 * enable_long_queue_ids.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sysexits.h>
#include <unistd.h>

#include "argv.h"
#include "attr.h"
#include "mail_cmd.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "mail_queue.h"
#include "maillog_client.h"
#include "msg.h"
#include "mymalloc.h"
#include "rec_type.h"
#include "stringops.h"
#include "user_acl.h"
#include "record.h"
#include "vstream.h"
#include "vstring.h"

#define PD_MAXREC (64 * 1024) /* longest record accepted */
#define PD_FLUSH  (64 * 1024) /* write the batch when it grows past this */

#define PD_SEG_ENV  0
#define PD_SEG_CONT 1
#define PD_SEG_XTRA 2
#define PD_SEG_END  3

/*
 * The parameters postdrop and the library code it runs use; binding only
 * these keeps the per-message start-up cheap.
 */
static const char *const pd_params[] = {
    "queue_directory", "import_environment", "message_size_limit", "pickup_service_name",
    "hash_queue_depth", "hash_queue_names", "enable_long_queue_ids", "ipc_timeout",
    "trigger_timeout", "smtputf8_enable",
    /* maillog_client_init() */
    "syslog_name", "syslog_facility", "maillog_file", "maillog_file_prefixes", "myhostname",
    "authorized_submit_users", 0};

static const char *const pd_seg_names[] = {"envelope", "content", "extracted", "end"};

/* The file being written, removed by the cleanup hook unless complete. */
static VSTRING *pd_path;
static volatile sig_atomic_t pd_done;

/*
 * main()'s buffers, also at file scope: a rejected message ends with
 * exit() from deep inside the loop, and pd_free() (atexit) releases them on
 * every way out, so LeakSanitizer has nothing to report (a report would
 * turn the exit status into 1).
 */
static VSTRING *pd_id, *pd_data, *pd_batch;
static REC_READER *pd_reader;

static void pd_free(void)
{
    if (pd_reader)
        rec_reader_free(pd_reader);
    if (pd_id)
        vstring_free(pd_id);
    if (pd_data)
        vstring_free(pd_data);
    if (pd_batch)
        vstring_free(pd_batch);
    pd_reader = 0;
    pd_id = pd_data = pd_batch = 0;
}

static void pd_remove(void)
{
    if (pd_path && !pd_done) {
        (void)unlink(vstring_str(pd_path));
        pd_done = 1;
    }
}

static void pd_sig(int sig)
{
    if (pd_path && !pd_done)
        (void)unlink(vstring_str(pd_path));
    _exit(EX_TEMPFAIL);
}

/* Attributes a user may set; everything else in an 'A' record is refused. */
static int pd_attr_ok(const char *data, int seg)
{
    static const char *const env_names[] = {MAIL_ATTR_DSN_ENVID, MAIL_ATTR_DSN_RET,
                                            MAIL_ATTR_DSN_NOTIFY, MAIL_ATTR_DSN_ORCPT, 0};
    static const char *const xtra_names[] = {MAIL_ATTR_DSN_NOTIFY, MAIL_ATTR_DSN_ORCPT,
                                             MAIL_ATTR_ENCODING, 0};
    const char *const *names = seg == PD_SEG_ENV ? env_names : xtra_names;
    const char *eq = strchr(data, '=');

    if (eq == 0)
        return 0;
    for (; *names; names++)
        if (strlen(*names) == (size_t)(eq - data) && strncmp(data, *names, eq - data) == 0)
            return 1;
    return 0;
}

/* An R or A record, allowed in the envelope and extracted segments. */
static int pd_rcpt_or_attr(int type, VSTRING *data, int seg, long *rcpts)
{
    if (type == REC_TYPE_ATTR)
        return pd_attr_ok(vstring_str(data), seg);
    ++*rcpts;
    return VSTRING_LEN(data) > 0;
}

static void pd_reject(int status, const char *fmt, const char *a, const char *b)
{
    msg_warn(fmt, (long)getuid(), a, b);
    pd_remove();
    exit(status);
}

int main(int argc, char **argv)
{
    const char *dir = 0;
    MAIL_QUEUE_CONF qconf;
    VSTRING *id = pd_id = vstring_alloc(32);
    VSTRING *data = pd_data = vstring_alloc(1024);
    VSTRING *batch = pd_batch = vstring_alloc(PD_FLUSH + 4096);
    REC_READER *rp;
    struct timeval tv;
    struct sigaction sa;
    long content = 0;
    int seg = PD_SEG_ENV;
    int senders = 0, fullnames = 0;
    long rcpts = 0;
    int type;
    int fd;
    int ch;

    mail_cmd_start("postdrop");
    atexit(pd_free);
    while ((ch = getopt(argc, argv, "c:rv")) != -1) {
        if (mail_cmd_option(ch, optarg, &dir) || ch == 'r')
            continue;
        msg_fatal_status(EX_USAGE, "usage: %s [-c config_dir] [-rv]", msg_program);
    }
    mail_cmd_config_list("postdrop", dir, EX_TEMPFAIL, pd_params);
    {
        const char *name =
            user_acl_denied("authorized_submit_users", var_authorized_submit_users, getuid());

        if (name != 0)
            msg_fatal_status(EX_NOPERM, "User %s(%ld) is not allowed to submit mail", name,
                             (long)getuid());
    }
    mail_queue_conf_params(&qconf);
    qconf.queue_dir = 0;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = pd_sig;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGHUP, &sa, 0);
    sigaction(SIGINT, &sa, 0);
    sigaction(SIGTERM, &sa, 0);
    sigaction(SIGQUIT, &sa, 0);
    signal(SIGPIPE, SIG_IGN);
    msg_cleanup(pd_remove);

    if ((fd = mail_queue_enter(&qconf, MAIL_QUEUE_MAILDROP, 0600, id, &tv)) < 0)
        msg_fatal_status(EX_TEMPFAIL, "uid=%ld: create file in %s/%s: %m", (long)getuid(),
                         var_queue_directory, MAIL_QUEUE_MAILDROP);
    pd_path = vstring_alloc(64);
    mail_queue_path(pd_path, &qconf, MAIL_QUEUE_MAILDROP, vstring_str(id));
    /* Tell the caller the queue id (PROTOCOLS.md, postdrop/1). */
    if (attr_print_hello(VSTREAM_OUT, MAIL_PROTO_POSTDROP) < 0 ||
        attr_print(VSTREAM_OUT, ATTR_FLAG_NONE, SEND_ATTR_STR(MAIL_ATTR_QUEUEID, vstring_str(id)),
                   ATTR_TYPE_END) < 0 ||
        vstream_fflush(VSTREAM_OUT) != 0)
        msg_warn("uid=%ld: cannot report the queue id on standard output", (long)getuid());

    rec_sprintf(batch, REC_TYPE_TIME, "%ld %ld", (long)tv.tv_sec, (long)tv.tv_usec);
    rec_sprintf(batch, REC_TYPE_ATTR, "%s=%s", MAIL_ATTR_RWR_CONTEXT, "local");

    rp = pd_reader = rec_reader_fd(STDIN_FILENO, PD_MAXREC, REC_FLAG_NONE);
    while ((type = rec_get(rp, data)) != REC_TYPE_EOF) {
        char tbuf[2] = {(char)type, 0};
        int ok = 0;

        if (type == REC_TYPE_ERROR)
            pd_reject(EX_DATAERR, "uid=%ld: malformed input: %s%s", rec_reader_error(rp), "");
        switch (seg) {
        case PD_SEG_ENV:
            switch (type) {
            case REC_TYPE_FULL:
                ok = ++fullnames == 1;
                break;
            case REC_TYPE_FROM:
                ok = ++senders == 1;
                break;
            case REC_TYPE_RCPT:
            case REC_TYPE_ATTR:
                ok = pd_rcpt_or_attr(type, data, seg, &rcpts);
                break;
            case REC_TYPE_MESG:
                ok = senders == 1;
                seg = PD_SEG_CONT;
                break;
            default:
                break;
            }
            break;
        case PD_SEG_CONT:
            switch (type) {
            case REC_TYPE_NORM:
            case REC_TYPE_CONT:
                ok = 1;
                content += (long)VSTRING_LEN(data) + (type == REC_TYPE_NORM);
                if (var_message_size_limit > 0 && content > var_message_size_limit) {
                    msg_warn("uid=%ld: message too large: more than message_size_limit = %ld "
                             "bytes",
                             (long)getuid(), var_message_size_limit);
                    pd_remove();
                    exit(EX_DATAERR);
                }
                break;
            case REC_TYPE_XTRA:
                ok = 1;
                seg = PD_SEG_XTRA;
                break;
            default:
                break;
            }
            break;
        case PD_SEG_XTRA:
            switch (type) {
            case REC_TYPE_RCPT:
            case REC_TYPE_ATTR:
                ok = pd_rcpt_or_attr(type, data, seg, &rcpts);
                break;
            case REC_TYPE_END:
                ok = 1;
                seg = PD_SEG_END;
                break;
            default:
                break;
            }
            break;
        default:
            break; /* anything after E */
        }
        if (!ok) {
            if (type == REC_TYPE_ATTR)
                pd_reject(EX_DATAERR, "uid=%ld: attribute not allowed in %s segment: %.100s",
                          pd_seg_names[seg], vstring_str(data));
            pd_reject(EX_DATAERR, "uid=%ld: unexpected record type '%s' in %s segment",
                      allprint(tbuf) ? tbuf : "?", pd_seg_names[seg]);
        }
        rec_put_buf(batch, type, vstring_str(data), VSTRING_LEN(data));
        if (VSTRING_LEN(batch) >= PD_FLUSH && rec_write_batch(fd, batch) < 0)
            pd_reject(EX_TEMPFAIL, "uid=%ld: write %s: %s", vstring_str(pd_path), strerror(errno));
    }
    if (seg != PD_SEG_END) {
        /* The sender gave up (or was interrupted): nothing to report. */
        msg_info("uid=%ld: input ended before the end of the message; nothing queued",
                 (long)getuid());
        pd_remove();
        exit(EX_DATAERR);
    }
    if (rcpts == 0)
        pd_reject(EX_DATAERR, "uid=%ld: no recipients%s%s", "", "");
    /* The complete mode first, then one fsync: both are durable before sendmail hears "ok". */
    if (rec_write_batch(fd, batch) < 0 || fchmod(fd, 0744) < 0 || fsync(fd) < 0 || close(fd) < 0)
        pd_reject(EX_TEMPFAIL, "uid=%ld: write %s: %s", vstring_str(pd_path), strerror(errno));
    pd_done = 1;
    if (mail_trigger(MAIL_CLASS_PUBLIC, var_pickup_service_name, "W", 1) < 0)
        msg_warn("unable to look up %s/%s: %m", MAIL_CLASS_PUBLIC, var_pickup_service_name);
    if (msg_verbose)
        msg_info("queued as %s", vstring_str(id));
    return 0; /* pd_free() runs at exit */
}
