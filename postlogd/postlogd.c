/*
 * postlogd - the postlog service: append log lines to maillog_file.
 *
 * Every Postern process with maillog_file set sends each finished log line
 * as one datagram to public/postlog (PROTOCOLS.md "postlog",
 * lib/util/msg_postlog.h); postlogd appends it and a newline to
 * maillog_file with one write(2).  In master.cf (as Postfix 3.7 ships it):
 *
 *   postlog   unix-dgram n  -  n  -  1  postlogd
 *
 * Parameters: maillog_file (the file; "/dev/stdout" for containers),
 * maillog_file_prefixes (maillog_file must start with one of these, or
 * postlogd refuses to start: a single typo must not make a root process
 * append to an arbitrary file), myhostname, syslog_name.
 *
 * The file is opened while postlogd is still root, before chroot and the
 * privilege drop.  postlogd notices when the file was rotated away (renamed
 * or removed: another file, or none, at the path) within a second and
 * opens a new one, when its privileges allow; "postfix logrotate" also
 * reloads, which restarts postlogd.  Its own messages go to the file
 * directly (it is the log writer).
 *
 * What can go wrong: maillog_file unset, outside the prefixes or not
 * openable: fatal at start (master throttles and logs it).  A write error
 * is reported once per burst on standard error and in the file when the
 * file works again; a datagram is never turned into two lines.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "mail_params.h"
#include "mail_server.h"
#include "maillog_client.h"
#include "msg.h"
#include "postlogd_file.h"

static POSTLOGD_FILE *postlogd_fp;
static int postlogd_write_failed;
static int postlogd_reopen_failed;

static void postlogd_service(char *buf, ssize_t len, char *service, char **argv)
{
    int rc;

    if (len <= 0)
        return;
    if ((rc = postlogd_file_check(postlogd_fp, time((time_t *) 0))) < 0) {
        if (!postlogd_reopen_failed++)
            msg_warn("cannot reopen rotated maillog_file %s: %m; still writing the old file",
                     var_maillog_file);
    } else if (rc > 0) {
        postlogd_reopen_failed = 0;
    }
    len = (ssize_t) postlogd_clean(buf, (size_t) len);
    if (postlogd_file_write(postlogd_fp, buf, (size_t) len) < 0) {
        if (!postlogd_write_failed++)
            msg_warn("write maillog_file %s: %m", var_maillog_file);
    } else if (postlogd_write_failed) {
        msg_warn("%d log lines could not be written to %s", postlogd_write_failed,
                 var_maillog_file);
        postlogd_write_failed = 0;
    }
}

static void postlogd_pre_init(char *service, char **argv)
{
    if (*var_maillog_file == 0)
        msg_fatal("maillog_file is empty: the postlog service has nothing to write to");
    if (!maillog_client_path_ok(var_maillog_file, var_maillog_file_prefixes))
        msg_fatal("refusing to write maillog_file %s: it does not match maillog_file_prefixes "
                  "(%s)", var_maillog_file, var_maillog_file_prefixes);
    if ((postlogd_fp = postlogd_file_open(var_maillog_file)) == 0)
        msg_fatal("open maillog_file %s: %m", var_maillog_file);
}

int main(int argc, char **argv)
{
    msg_init(argv[0]);
    /* Not unlimited: like Postfix's, it exits after max_idle/max_use, so a
     * main.cf change is picked up without a reload. */
    /* The log writer: its own lines go to maillog_file directly, never
     * to the postlog socket it serves itself. */
    /* Unlimited: a log writer restarted every max_use lines costs a fork per few messages. */
    dgram_server_main(argc, argv, postlogd_service, MAIL_SERVER_LOG_WRITER, MAIL_SERVER_UNLIMITED,
                      MAIL_SERVER_PRE_INIT, postlogd_pre_init, MAIL_SERVER_END);
}
