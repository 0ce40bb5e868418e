/*
 * sendmail - the Sendmail-compatible mail submission command.
 *
 * Usage: sendmail [options] [recipient ...]
 *        mailq           (same as sendmail -bp)
 *        newaliases      (same as sendmail -bi)
 *
 * Modes (-b):
 *   -bm (default)  read a message from standard input and queue it: the
 *                  message goes, as queue-file records (record.h), down a
 *                  pipe to "$command_directory/postdrop -r", which is set-gid
 *                  postdrop and writes the maildrop file; sendmail itself
 *                  never touches the queue
 *   -bp            list the queue: runs "postqueue -p"
 *   -bi, -I        rebuild the alias database: runs "postalias" on each
 *                  table of alias_database
 *   -bs            SMTP on standard input and output: execs
 *                  "$daemon_directory/smtpd -z" as the caller; relay and
 *                  access restrictions apply only when the caller is
 *                  mail_owner; the message goes through postdrop, as Postfix
 *   -bd -bh -bv -bz and others: "unsupported" (EX_USAGE)
 *
 * Options:
 *   -C dir     configuration directory (passed to postdrop/postqueue as
 *              MAIL_CONFIG; set-gid programs accept it only when allowed)
 *   -f sender, -r sender   envelope sender; "" or "<>" is the null sender;
 *              default: the login name of the real user id
 *   -F name    sender full name (default: $NAME, then the passwd gecos)
 *   -i, -oi    a line with a single "." does not end the message
 *   -t         recipients also from the To, Cc and Bcc headers (or, when
 *              Resent- headers are present, from Resent-To/-Cc/-Bcc); they
 *              go in the extracted segment after 'X', as Postfix's sendmail
 *              writes them; the Bcc header is left in the content for
 *              cleanup to remove (message_drop_headers)
 *   -N dsn     never, or a comma list of success, delay, failure: an
 *              "A notify_flags=N" before each recipient
 *   -R ret     full or hdrs: "A ret_flags=N"
 *   -V envid   DSN envelope id: "A envelope_id=..."
 *   -q         flush the queue: runs "postqueue -f"; -qRsite, -qIid: runs
 *              postqueue -s site / -i id; -q with an interval is ignored
 *   -v         verbose logging
 *   -B, -c, -e, -G, -h, -L, -m, -n, -O, -o (other than -oi), -p, -U, -X, -x
 *              accepted and ignored, as Postfix does
 *
 * Records sent to postdrop: [A envelope_id] [A ret_flags] [F fullname] S,
 * then per recipient [A notify_flags] R, then M, the content as N and L
 * records (lines of more than 2048 bytes in pieces), X, the -t recipients
 * (again with notify_flags), E.  postdrop adds the time and
 * rewrite_context records itself.  Line endings: sendmail_fix_line_endings
 * (always: CR LF becomes LF; strict: only when the first line ends in CR LF;
 * never).
 *
 * Who may submit: authorized_submit_users (user_acl.h), root included:
 * "User NAME(UID) is not allowed to submit mail", exit status 75 as with
 * Postfix's sendmail (postdrop checks the same list again).
 *
 * Exit status (sysexits.h): 0 once postdrop has stored the message;
 * EX_USAGE for a bad command line; EX_TEMPFAIL (75) when the message could
 * not be queued (postdrop failed, no recipients), as Postfix's sendmail;
 * postqueue's and postalias's own status for -bp, -q and -bi.
 *
 * Parameters (only these are bound, so a bad value elsewhere in main.cf does
 * not stop mail submission): command_directory, daemon_directory,
 * alias_database, sendmail_fix_line_endings, header_address_token_limit,
 * ipc_timeout, smtputf8_enable, and for logging syslog_name,
 * syslog_facility, maillog_file, maillog_file_prefixes, myhostname,
 * queue_directory.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "argv.h"
#include "clean_env.h"
#include "is_header.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "maillog_client.h"
#include "msg.h"
#include "mymalloc.h"
#include "postdrop_clnt.h"
#include "rec_type.h"
#include "record.h"
#include "stringops.h"
#include "tok822.h"
#include "user_acl.h"
#include "vstring.h"

#define SM_MODE_ENQUEUE  1
#define SM_MODE_MAILQ    2
#define SM_MODE_NEWALIAS 3
#define SM_MODE_SMTP     4
#define SM_MODE_FLUSH    5

/* DSN bits, as in queue files (QUEUE_FORMAT.md section 5). */
#define SM_NOTIFY_NEVER   1
#define SM_NOTIFY_SUCCESS 2
#define SM_NOTIFY_FAILURE 4
#define SM_NOTIFY_DELAY   8
#define SM_RET_FULL       1
#define SM_RET_HDRS       2

#define SM_PIECE       2048          /* content piece size, as Postfix */
#define SM_BATCH_FLUSH (64 * 1024)   /* write the batch when it grows past this */
#define SM_HEADER_MAX  (1024 * 1024) /* -t header text kept for parsing */

/*
 * The parameters this command and the library code it runs use.  Binding
 * only these, not the whole registry, saves about 0.3 ms of CPU per call;
 * a variable missing here would be a null pointer or 0.
 */
static const char *const sm_params[] = {
    "command_directory", "daemon_directory", "alias_database", "sendmail_fix_line_endings",
    "header_address_token_limit", "ipc_timeout", "smtputf8_enable",
    /* maillog_client_init() */
    "syslog_name", "syslog_facility", "maillog_file", "maillog_file_prefixes", "myhostname",
    "queue_directory", "authorized_submit_users", 0};

static const char *sm_config_dir;
static uid_t sm_uid;
static const char *sm_login;

/* The output side: records batched into the pipe to postdrop. */
typedef struct SM_OUT {
    int fd;
    VSTRING *batch;
    int failed;
} SM_OUT;

static void sm_flush(SM_OUT *out, int force)
{
    if (out->failed || (VSTRING_LEN(out->batch) < SM_BATCH_FLUSH && !force))
        return;
    if (rec_write_batch(out->fd, out->batch) < 0) {
        out->failed = errno;
        vstring_reset(out->batch);
    }
}

/* Run a command of ours (postqueue, postalias) and exit with its status. */
__attribute__((noreturn)) static void sm_exec(const char *prog, char **args)
{
    ARGV *av = argv_alloc(8);
    VSTRING *path = vstring_alloc(100);

    vstring_sprintf(path, "%s/%s", var_command_directory, prog);
    argv_add(av, vstring_str(path));
    if (sm_config_dir) {
        argv_add(av, "-c");
        argv_add(av, sm_config_dir);
    }
    for (int i = 0; i < msg_verbose; i++)
        argv_add(av, "-v");
    for (; args && *args; args++)
        argv_add(av, *args);
    execv(av->argv[0], av->argv);
    msg_fatal_status(EX_UNAVAILABLE, "execute %s: %m", av->argv[0]);
}

/*
 * -bs: become "$daemon_directory/smtpd -z", an SMTP session on standard
 * input and output, running as the caller (as Postfix's does).  smtpd
 * decides who is trusted from that user: anyone but mail_owner gets no
 * relay or access restrictions, as with Postfix; the message goes through
 * postdrop, so pickup records the caller's uid.
 */
__attribute__((noreturn)) static void sm_smtpd(void)
{
    ARGV *av = argv_alloc(8);
    VSTRING *path = vstring_alloc(100);

    vstring_sprintf(path, "%s/smtpd", var_daemon_directory);
    argv_add(av, vstring_str(path));
    argv_add(av, "-z");
    argv_add(av, "-n");
    argv_add(av, "smtpd");
    for (int i = 0; i < msg_verbose; i++)
        argv_add(av, "-v");
    /* Like Postfix's, the session logs to the mail log only: its lines
     * would otherwise mix with the dialogue on a terminal (-v keeps them). */
    int saved = msg_verbose ? -1 : dup(STDERR_FILENO);
    int null = saved < 0 ? -1 : open("/dev/null", O_WRONLY);

    if (null >= 0) {
        (void)fcntl(saved, F_SETFD, FD_CLOEXEC);
        (void)fcntl(null, F_SETFD, FD_CLOEXEC);
        (void)dup2(null, STDERR_FILENO);
    }
    execv(av->argv[0], av->argv);
    if (null >= 0)
        (void)dup2(saved, STDERR_FILENO);
    msg_fatal_status(EX_UNAVAILABLE, "execute %s: %m", av->argv[0]);
}

/* newaliases: postalias on every table of alias_database. */
static int sm_newaliases(void)
{
    ARGV *maps = argv_split_list(var_alias_database);
    int status = 0;

    for (size_t i = 0; i < maps->argc; i++) {
        pid_t pid;
        int wstat;
        char *args[] = {maps->argv[i], 0};

        if ((pid = fork()) < 0)
            msg_fatal_status(EX_OSERR, "fork: %m");
        if (pid == 0)
            sm_exec("postalias", args);
        while (waitpid(pid, &wstat, 0) < 0)
            if (errno != EINTR)
                msg_fatal_status(EX_OSERR, "waitpid: %m");
        if (!WIFEXITED(wstat) || WEXITSTATUS(wstat) != 0) {
            msg_warn("postalias %s failed", maps->argv[i]);
            status = EX_SOFTWARE;
        }
    }
    argv_free(maps);
    return status;
}

/* The envelope sender from -f/-r, in internal form. */
static char *sm_sender(const char *arg)
{
    ARGV *list;
    char *result;

    if (*arg == 0 || strcmp(arg, "<>") == 0)
        return mystrdup("");
    list = tok822_addr_list(arg, 0, 0);
    result = mystrdup(list->argc > 0 ? list->argv[0] : arg);
    argv_free(list);
    if (strcmp(result, "<>") == 0)
        *result = 0;
    return result;
}

/* -N: 0 (and a warning) when the value is bad. */
static int sm_notify(const char *arg)
{
    char *copy = mystrdup(arg);
    char *bp = copy;
    char *word;
    int flags = 0;

    while ((word = mystrtok(&bp, ", \t")) != 0) {
        if (strcasecmp(word, "never") == 0)
            flags |= SM_NOTIFY_NEVER;
        else if (strcasecmp(word, "success") == 0)
            flags |= SM_NOTIFY_SUCCESS;
        else if (strcasecmp(word, "failure") == 0)
            flags |= SM_NOTIFY_FAILURE;
        else if (strcasecmp(word, "delay") == 0)
            flags |= SM_NOTIFY_DELAY;
        else {
            msg_warn("unknown DSN NOTIFY command value \"%s\" in \"%s\"", word, arg);
            flags = 0;
            break;
        }
    }
    myfree(copy);
    if ((flags & SM_NOTIFY_NEVER) && flags != SM_NOTIFY_NEVER)
        flags = 0;
    if (flags == 0)
        msg_warn("bad -N option value -- ignored");
    return flags;
}

/* Add the addresses of one argument or header value as R records. */
static size_t sm_add_rcpts(SM_OUT *out, const char *text, int notify)
{
    int truncated = 0;
    ARGV *list = tok822_addr_list(text, var_header_address_token_limit, &truncated);
    size_t n = 0;

    if (truncated)
        msg_warn("recipient list truncated after %d tokens", var_header_address_token_limit);
    for (size_t i = 0; i < list->argc; i++) {
        if (*list->argv[i] == 0)
            continue;
        if (notify)
            rec_sprintf(out->batch, REC_TYPE_ATTR, "%s=%d", MAIL_ATTR_DSN_NOTIFY, notify);
        rec_put_str(out->batch, REC_TYPE_RCPT, list->argv[i]);
        n++;
    }
    argv_free(list);
    sm_flush(out, 0);
    return n;
}

/* Header names that carry -t recipients. */
static int sm_rcpt_header(const char *name, size_t len, int *resent)
{
    static const char *const names[] = {"to", "cc", "bcc"};

    *resent = 0;
    if (len > 7 && strncasecmp(name, "resent-", 7) == 0) {
        *resent = 1;
        name += 7;
        len -= 7;
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (len == strlen(names[i]) && strncasecmp(name, names[i], len) == 0)
            return 1;
    return 0;
}

/* The -t state: the header being collected and the recipient texts. */
typedef struct SM_HDRS {
    int in_header;  /* still in the primary header */
    VSTRING *cur;   /* current (unfolded) header, if it is a recipient one */
    int cur_resent; /* it is a Resent- header */
    ARGV *plain;    /* To/Cc/Bcc values */
    ARGV *resent;   /* Resent-To/Cc/Bcc values */
    size_t kept;    /* bytes kept, bounded by SM_HEADER_MAX */
} SM_HDRS;

static void sm_hdr_end(SM_HDRS *h)
{
    if (VSTRING_LEN(h->cur) > 0) {
        argv_add(h->cur_resent ? h->resent : h->plain, vstring_str(h->cur));
        vstring_reset(h->cur);
    }
}

/* Look at one content line (the first piece of it) while in the header. */
static void sm_hdr_line(SM_HDRS *h, const char *line, size_t len)
{
    size_t name_len;

    if (!h->in_header)
        return;
    if (len > 0 && (line[0] == ' ' || line[0] == '\t')) {
        if (VSTRING_LEN(h->cur) > 0 && h->kept + len < SM_HEADER_MAX) {
            vstring_addch(h->cur, ' ');
            vstring_memcat(h->cur, line, len);
            h->kept += len;
        }
        return;
    }
    sm_hdr_end(h);
    if ((name_len = is_header_buf(line, len)) == 0) {
        h->in_header = 0;
        return;
    }
    if (sm_rcpt_header(line, name_len, &h->cur_resent) && h->kept + len < SM_HEADER_MAX) {
        const char *colon = memchr(line, ':', len);

        vstring_memcpy(h->cur, colon + 1, len - (size_t)(colon + 1 - line));
        h->kept += len;
        if (VSTRING_LEN(h->cur) == 0)
            vstring_addch(h->cur, ' '); /* remember an empty header */
    }
}

/* One content line: N, or L pieces then N. */
static void sm_line(SM_OUT *out, const char *line, size_t len)
{
    while (len >= SM_PIECE) {
        rec_put_buf(out->batch, REC_TYPE_CONT, line, SM_PIECE);
        line += SM_PIECE;
        len -= SM_PIECE;
    }
    rec_put_buf(out->batch, REC_TYPE_NORM, line, len);
    sm_flush(out, 0);
}

/*
 * Copy standard input into content records.  Returns nothing; lines are
 * read whole (any length) and cut into pieces by sm_line().
 */
static void sm_content(SM_OUT *out, int dot_ends, SM_HDRS *hdrs)
{
    VSTRING *buf = vstring_alloc(4096);
    VSTRING *line = vstring_alloc(SM_PIECE);
    int fix_crlf;
    int first = 1;
    ssize_t n;

    if (strcasecmp(var_sendmail_fix_line_endings, "never") == 0)
        fix_crlf = 0;
    else if (strcasecmp(var_sendmail_fix_line_endings, "strict") == 0)
        fix_crlf = -1; /* decided by the first line */
    else
        fix_crlf = 1;

    for (int eof = 0; !eof;) {
        char *space = vstring_space(buf, 65536);

        n = read(STDIN_FILENO, space, 65536);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            msg_fatal_status(EX_TEMPFAIL, "read message from standard input: %m");
        }
        if (n == 0) {
            eof = 1;
            if (VSTRING_LEN(line) == 0)
                break;
            /* An unterminated last line is a line. */
        } else {
            vstring_set_len(buf, VSTRING_LEN(buf) + (size_t)n);
        }
        const char *cp = vstring_str(buf);
        const char *end = cp + VSTRING_LEN(buf);

        while (cp < end || eof) {
            const char *nl = eof ? 0 : memchr(cp, '\n', (size_t)(end - cp));

            if (nl == 0 && !eof) {
                vstring_memcat(line, cp, (size_t)(end - cp));
                cp = end;
                break;
            }
            if (nl) {
                vstring_memcat(line, cp, (size_t)(nl - cp));
                cp = nl + 1;
            }
            size_t len = VSTRING_LEN(line);
            const char *lp = vstring_str(line);

            if (nl && len > 0 && lp[len - 1] == '\r') {
                if (fix_crlf < 0)
                    fix_crlf = first;
                if (fix_crlf > 0)
                    len--;
            } else if (fix_crlf < 0 && first) {
                fix_crlf = 0;
            }
            first = 0;
            if (dot_ends && nl && len == 1 && lp[0] == '.') {
                vstring_free(buf);
                vstring_free(line);
                if (hdrs)
                    sm_hdr_end(hdrs);
                return;
            }
            if (hdrs)
                sm_hdr_line(hdrs, lp, len);
            sm_line(out, lp, len);
            vstring_reset(line);
            if (eof)
                break;
        }
        /* Keep only what is not consumed. */
        vstring_reset(buf);
    }
    if (hdrs)
        sm_hdr_end(hdrs);
    vstring_free(buf);
    vstring_free(line);
}

/* The sender's full name: -F, $NAME, or the gecos up to the first comma. */
static char *sm_fullname(const char *opt, const struct passwd *pw)
{
    const char *name = opt;
    VSTRING *out;

    if (name == 0)
        name = getenv("NAME");
    if (name == 0 && pw && pw->pw_gecos)
        name = pw->pw_gecos;
    if (name == 0)
        return mystrdup("");
    out = vstring_alloc(50);
    for (const char *cp = name; *cp && (opt || *cp != ','); cp++) {
        if (!opt && *cp == '&' && pw) { /* gecos: & is the login, capitalised */
            size_t at = VSTRING_LEN(out);

            vstring_strcat(out, pw->pw_name);
            if (vstring_str(out)[at])
                vstring_str(out)[at] = (char)toupper((unsigned char)vstring_str(out)[at]);
        } else {
            vstring_addch(out, *cp);
        }
    }
    return vstring_export(out);
}

/* sm_check_submit - authorized_submit_users, for everyone (root too, as
 * in Postfix); the exit status is Postfix's sendmail's (EX_TEMPFAIL) */
static void sm_check_submit(void)
{
    const char *name;

    if ((name = user_acl_denied("authorized_submit_users", var_authorized_submit_users, sm_uid)) !=
        0)
        msg_fatal_status(EX_TEMPFAIL, "User %s(%ld) is not allowed to submit mail", name,
                         (long)sm_uid); /* Postfix's sendmail says 75 too */
}

/* Queue the message: records down a pipe to postdrop. */
static int sm_enqueue(const char *sender, const char *fullname, char **rcpts, int extract,
                      int dot_ends, int notify, int ret, const char *envid)
{
    SM_OUT out;
    SM_HDRS hdrs;
    POSTDROP pd;
    const char *pd_args[] = {msg_verbose ? "-v" : 0, 0};
    VSTRING *id = vstring_alloc(20);
    int wstat;
    size_t nrcpt = 0;
    VSTRING *postdrop = vstring_alloc(100);

    if (!extract && (rcpts == 0 || *rcpts == 0))
        msg_fatal_status(EX_TEMPFAIL,
                         "%s(%ld): Recipient addresses must be specified on the command line or "
                         "via the -t option",
                         sm_login, (long)sm_uid);
    vstring_sprintf(postdrop, "%s/postdrop", var_command_directory);
    if (postdrop_start(&pd, pd_args) < 0)
        msg_fatal_status(EX_OSERR, "%s(%ld): unable to run %s", sm_login, (long)sm_uid,
                         vstring_str(postdrop));
    out.fd = pd.fd;
    out.batch = vstring_alloc(SM_BATCH_FLUSH + 4096);
    out.failed = 0;

    if (envid)
        rec_sprintf(out.batch, REC_TYPE_ATTR, "%s=%s", MAIL_ATTR_DSN_ENVID, envid);
    if (ret)
        rec_sprintf(out.batch, REC_TYPE_ATTR, "%s=%d", MAIL_ATTR_DSN_RET, ret);
    if (*fullname)
        rec_put_str(out.batch, REC_TYPE_FULL, fullname);
    rec_put_str(out.batch, REC_TYPE_FROM, sender);
    for (; rcpts && *rcpts; rcpts++)
        nrcpt += sm_add_rcpts(&out, *rcpts, notify);
    rec_put_buf(out.batch, REC_TYPE_MESG, "", 0);

    memset(&hdrs, 0, sizeof(hdrs));
    if (extract) {
        hdrs.in_header = 1;
        hdrs.cur = vstring_alloc(100);
        hdrs.plain = argv_alloc(4);
        hdrs.resent = argv_alloc(4);
    }
    sm_content(&out, dot_ends, extract ? &hdrs : 0);
    rec_put_buf(out.batch, REC_TYPE_XTRA, "", 0);
    if (extract) {
        ARGV *use = hdrs.resent->argc > 0 ? hdrs.resent : hdrs.plain;

        for (size_t i = 0; i < use->argc; i++)
            nrcpt += sm_add_rcpts(&out, use->argv[i], notify);
        vstring_free(hdrs.cur);
        argv_free(hdrs.plain);
        argv_free(hdrs.resent);
    }
    if (nrcpt == 0) {
        /* postdrop removes its file when told to stop. */
        (void)kill(pd.pid, SIGTERM);
        (void)postdrop_finish(&pd);
        msg_fatal_status(EX_TEMPFAIL, "%s(%ld): No recipient addresses found in message header",
                         sm_login, (long)sm_uid);
    }
    rec_put_buf(out.batch, REC_TYPE_END, "", 0);
    sm_flush(&out, 1);
    close(out.fd);
    pd.fd = -1;
    vstring_free(out.batch);
    /* Read postdrop's answer so it never writes into a closed pipe. */
    if (postdrop_queue_id(&pd, id) == 0 && msg_verbose)
        msg_info("queued as %s", vstring_str(id));
    vstring_free(id);
    wstat = postdrop_finish(&pd);
    if (WIFEXITED(wstat) && WEXITSTATUS(wstat) == 0 && !out.failed) {
        vstring_free(postdrop);
        return 0;
    }
    if (WIFEXITED(wstat)) {
        int st = WEXITSTATUS(wstat);

        msg_warn("command \"%s -r\" exited with status %d", vstring_str(postdrop), st);
        msg_fatal_status(st >= EX__BASE && st <= EX__MAX ? st : EX_TEMPFAIL,
                         "%s(%ld): unable to queue the message with %s", sm_login, (long)sm_uid,
                         vstring_str(postdrop));
    }
    msg_warn("command \"%s -r\" killed by signal %d", vstring_str(postdrop), WTERMSIG(wstat));
    msg_fatal_status(EX_TEMPFAIL, "%s(%ld): unable to queue the message with %s", sm_login,
                     (long)sm_uid, vstring_str(postdrop));
}

int main(int argc, char **argv)
{
    const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    int mode = SM_MODE_ENQUEUE;
    int extract = 0;
    int dot_ends = 1;
    int notify = 0;
    int ret = 0;
    const char *envid = 0;
    const char *sender_opt = 0;
    const char *fullname_opt = 0;
    const char *qarg = 0;
    struct passwd *pw;
    char *sender;
    char *fullname;
    int status;
    int ch;

    for (int fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFL) < 0 && open("/dev/null", O_RDWR) != fd)
            return EX_OSERR;
    msg_init("sendmail");
    msg_stderr_init();
    signal(SIGPIPE, SIG_IGN);
    if (strcmp(base, "mailq") == 0)
        mode = SM_MODE_MAILQ;
    else if (strcmp(base, "newaliases") == 0)
        mode = SM_MODE_NEWALIAS;

    opterr = 0;
    while ((ch = getopt(argc, argv, "+B:C:F:GIL:N:O:R:UV:X:b:ce:f:h:imno:p:q::r:tvx")) != -1) {
        switch (ch) {
        case 'C':
            if (*optarg != '/')
                msg_fatal_status(EX_USAGE, "-C requires absolute pathname");
            sm_config_dir = optarg;
            mail_conf_set_dir(optarg);
            break;
        case 'F':
            fullname_opt = optarg;
            break;
        case 'I':
            mode = SM_MODE_NEWALIAS;
            break;
        case 'N':
            notify = sm_notify(optarg);
            break;
        case 'R':
            if (strcasecmp(optarg, "full") == 0)
                ret = SM_RET_FULL;
            else if (strcasecmp(optarg, "hdrs") == 0)
                ret = SM_RET_HDRS;
            else
                msg_warn("bad -R option value -- ignored");
            break;
        case 'V':
            if (strlen(optarg) > 100 || !allprint(optarg) || strchr(optarg, '='))
                msg_warn("bad -V option value -- ignored");
            else
                envid = optarg;
            break;
        case 'b':
            switch (*optarg) {
            case 'm':
                mode = SM_MODE_ENQUEUE;
                break;
            case 'p':
                mode = SM_MODE_MAILQ;
                break;
            case 'i':
                mode = SM_MODE_NEWALIAS;
                break;
            case 's':
                mode = SM_MODE_SMTP;
                break;
            default:
                msg_fatal_status(EX_USAGE, "unsupported: -b%s", optarg);
            }
            break;
        case 'f':
        case 'r':
            sender_opt = optarg;
            break;
        case 'i':
            dot_ends = 0;
            break;
        case 'o':
            if (strcmp(optarg, "i") == 0)
                dot_ends = 0;
            break;
        case 'q':
            if (optarg == 0 || *optarg == 0) {
                mode = SM_MODE_FLUSH;
            } else if (*optarg == 'R' || *optarg == 'I') {
                mode = SM_MODE_FLUSH;
                qarg = optarg;
            }
            /* -q with an interval: a daemon option; ignored, as Postfix */
            break;
        case 't':
            extract = 1;
            break;
        case 'v':
            msg_verbose++;
            break;
        case 'B':
        case 'c':
        case 'e':
        case 'G':
        case 'h':
        case 'L':
        case 'm':
        case 'n':
        case 'O':
        case 'p':
        case 'U':
        case 'X':
        case 'x':
            break; /* accepted and ignored */
        default:
            msg_warn("invalid option -- '%c'", optopt);
            msg_fatal_status(EX_USAGE, "usage: %s [options] [recipient ...]", msg_program);
        }
    }

    mail_conf_read();
    mail_params_init_list(sm_params);
    msg_utf8 = var_smtputf8_enable; /* as mail_params_init() sets it */
    if (sm_config_dir && setenv("MAIL_CONFIG", sm_config_dir, 1) < 0)
        msg_fatal_status(EX_OSERR, "setenv: %m");
    maillog_client_init("sendmail", MAILLOG_CLIENT_FLAG_STDERR);

    sm_uid = getuid();
    pw = getpwuid(sm_uid);
    sm_login = pw ? mystrdup(pw->pw_name) : "unknown";

    switch (mode) {
    case SM_MODE_MAILQ: {
        char *args[] = {"-p", 0};

        sm_exec("postqueue", args);
    }
    case SM_MODE_FLUSH: {
        char *args[] = {"-f", 0, 0};

        if (qarg) {
            args[0] = *qarg == 'R' ? "-s" : "-i";
            args[1] = (char *)qarg + 1;
        }
        sm_exec("postqueue", args);
    }
    case SM_MODE_NEWALIAS:
        return sm_newaliases();
    case SM_MODE_SMTP:
        sm_smtpd();
    default:
        break;
    }
    if (pw == 0 && sender_opt == 0)
        msg_fatal_status(EX_TEMPFAIL, "no login name found for user ID %ld", (long)sm_uid);
    sm_check_submit();
    sender = sender_opt ? sm_sender(sender_opt) : mystrdup(sm_login);
    fullname = sm_fullname(fullname_opt, pw);
    status = sm_enqueue(sender, fullname, argv + optind, extract, dot_ends, notify, ret, envid);
    myfree(sender);
    myfree(fullname);
    return status;
}
