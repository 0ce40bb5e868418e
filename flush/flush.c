/*
 * flush - the fast flush server: per-destination logs of deferred mail, so
 * that ETRN and "postqueue -s site" retry only that destination's mail, and
 * "postqueue -i id" one message.
 *
 * master.cf (Debian): "flush unix n - y 1000? 0 flush" -- a single server
 * (one client per process, any number of processes) on public/flush, woken
 * by master every 1000 seconds when it has been used.
 *
 * Files: $queue_directory/flush/SITE, one per destination, holding one
 * queue id per line ("A084DA7237E\n").  SITE is the destination in lower
 * case with every character other than a letter or digit replaced by "_"
 * ("example.com" -> "example_com"), as Postfix names them, so a Postfix
 * queue directory is taken over as it is.  A log's access time records
 * when it was last flushed (set explicitly, never left to the file system's
 * atime policy); its modification time when it last changed.
 *
 * Requests (lib/global/PROTOCOLS.md "flush" has the bytes; flush_clnt.h the client):
 *   add SITE ID     append ID to SITE's log (the site must be in
 *                   fast_flush_domains: else FLUSH_STAT_DENY)
 *   send_site SITE  for each distinct id in SITE's log whose file is in
 *                   deferred/: touch it and move it to incoming/; empty the
 *                   log; then ask qmgr to forget dead destinations and scan
 *                   incoming ("FI").  A site without a log is OK (nothing
 *                   deferred).
 *   send_file ID    the same for one message (no log, no domain check)
 *   refresh         reply OK at once, then: send every non-empty log not
 *                   flushed for fast_flush_refresh_time, remove every empty
 *                   log not changed for fast_flush_purge_time
 *   purge           the same with a refresh time of zero
 *   a wakeup        master's one-byte "W" trigger: a refresh
 * Every reply is {status = FLUSH_STAT_*}.  A malformed site or queue id is
 * FLUSH_STAT_BAD, an unknown request FLUSH_STAT_BAD too (logged), a file
 * system error FLUSH_STAT_FAIL (logged).
 *
 * Concurrency: a log is locked (flock, exclusive) while it is appended to
 * or read and emptied, so an "add" from another flush process during a
 * send lands either before (and is sent) or after (and is kept).  Moving a
 * message that qmgr is just taking from deferred/ fails with ENOENT and is
 * skipped: qmgr has it.
 *
 * Security: runs as mail_owner, can be chrooted; a site becomes a file name
 * only through the letter/digit mapping above, a queue id only after
 * queue_id_ok(), so no request names a path outside flush/ and deferred/.
 *
 * Parameters: fast_flush_domains, parent_domain_matches_subdomains,
 * fast_flush_refresh_time, fast_flush_purge_time, queue_service_name,
 * ipc_timeout, queue_directory, hash_queue_names, hash_queue_depth.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "attr.h"
#include "flush_clnt.h"
#include "flush_path.h"
#include "htable.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "mail_queue.h"
#include "mail_server.h"
#include "msg.h"
#include "myflock.h"
#include "queue_id.h"
#include "vstream.h"
#include "vstring.h"

#define FLUSH_HOW_REFRESH    0        /* periodic: just retry */
#define FLUSH_HOW_UNTHROTTLE (1 << 0) /* on request: also forget dead sites */

static MAIL_QUEUE_CONF flush_conf;

/* flush_lock - open and lock a log; -1 with errno */

static int flush_lock(const char *path, int flags)
{
    int fd;

    if ((fd = open(path, flags | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
        return -1;
    if (myflock(fd, MYFLOCK_STYLE_FLOCK, MYFLOCK_OP_EXCLUSIVE) < 0) {
        int saved = errno;

        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

static int flush_add_service(const char *site, const char *queue_id)
{
    VSTRING *path = flush_path_site(vstring_alloc(100), site);
    VSTRING *line = vstring_alloc(40);
    int status = FLUSH_STAT_OK;
    int fd;

    vstring_sprintf(line, "%s\n", queue_id);
    if ((fd = flush_lock(vstring_str(path), O_WRONLY | O_APPEND | O_CREAT)) < 0) {
        msg_warn("open fast flush log %s: %m", vstring_str(path));
        status = FLUSH_STAT_FAIL;
    } else {
        if (write(fd, vstring_str(line), VSTRING_LEN(line)) != (ssize_t)VSTRING_LEN(line)) {
            msg_warn("append to fast flush log %s: %m", vstring_str(path));
            status = FLUSH_STAT_FAIL;
        }
        close(fd); /* also releases the lock */
    }
    if (msg_verbose)
        msg_info("add %s to %s: status %d", queue_id, vstring_str(path), status);
    vstring_free(line);
    vstring_free(path);
    return status;
}

/* flush_one_file - move one deferred message to incoming; 1 if moved */

static int flush_one_file(const char *queue_id)
{
    VSTRING *path = mail_queue_path(vstring_alloc(100), &flush_conf, MAIL_QUEUE_DEFERRED, queue_id);
    int moved = 0;

    /* Postfix does this too: the file's time is "now" wherever it lands. */
    if (utimes(vstring_str(path), 0) < 0) {
        if (errno != ENOENT)
            msg_warn("%s: update %s time stamps: %m", queue_id, vstring_str(path));
    } else if (mail_queue_rename(&flush_conf, queue_id, MAIL_QUEUE_DEFERRED, MAIL_QUEUE_INCOMING) <
               0) {
        if (errno != ENOENT)
            msg_warn("%s: move from %s to %s: %m", queue_id, MAIL_QUEUE_DEFERRED,
                     MAIL_QUEUE_INCOMING);
    } else {
        moved = 1;
        if (msg_verbose)
            msg_info("%s: moved from %s to %s", queue_id, MAIL_QUEUE_DEFERRED, MAIL_QUEUE_INCOMING);
    }
    vstring_free(path);
    return moved;
}

static void flush_kick_qmgr(int how)
{
    const char *req = (how & FLUSH_HOW_UNTHROTTLE) ? "FI" : "I";
    const char *service = *var_queue_service_name ? var_queue_service_name : MAIL_SERVICE_QUEUE;

    if (mail_trigger(MAIL_CLASS_PUBLIC, service, req, strlen(req)) < 0)
        msg_warn("trigger %s/%s: %m", MAIL_CLASS_PUBLIC, service);
}

/* flush_send_path - retry what a log names, then empty it */

static int flush_send_path(const char *path, int how)
{
    VSTREAM *fp;
    VSTRING *line = vstring_alloc(40);
    HTABLE *seen = htable_create(10);
    struct timespec times[2];
    int count = 0;
    int status = FLUSH_STAT_OK;
    int fd;
    int ret;

    if ((fd = flush_lock(path, O_RDWR)) < 0) {
        if (errno != ENOENT) {
            msg_warn("open fast flush log %s: %m", path);
            status = FLUSH_STAT_FAIL;
        }
        goto out;
    }
    fp = vstream_fdopen(fd, VSTREAM_READ | VSTREAM_NOCLOSE);
    while ((ret = vstream_get_line(fp, line, QUEUE_ID_BUFSIZE + 1, VSTREAM_LINE_STRIP)) > 0) {
        const char *id = vstring_str(line);

        if (ret != VSTREAM_LINE_LF || !queue_id_ok(id)) {
            msg_warn("%s: ignoring malformed line \"%.40s\"", path, id);
            continue;
        }
        if (htable_find(seen, id) != 0)
            continue;
        htable_enter(seen, id, (void *)1);
        count += flush_one_file(id);
    }
    if (ret < 0)
        msg_warn("read fast flush log %s: %m", path);
    (void)vstream_fclose(fp);
    /* The ids that are deferred again come back through "add". */
    if (ftruncate(fd, 0) < 0) {
        msg_warn("truncate fast flush log %s: %m", path);
        status = FLUSH_STAT_FAIL;
    }
    times[0].tv_sec = 0;
    times[0].tv_nsec = UTIME_NOW; /* atime: flushed now (see refresh) */
    times[1].tv_sec = 0;
    times[1].tv_nsec = UTIME_OMIT;
    if (futimens(fd, times) < 0)
        msg_warn("update fast flush log %s time stamps: %m", path);
    close(fd);
    if (msg_verbose)
        msg_info("%s: %d message(s) moved to %s", path, count, MAIL_QUEUE_INCOMING);
    if (count > 0)
        flush_kick_qmgr(how);
out:
    htable_free(seen, 0);
    vstring_free(line);
    return status;
}

static int flush_send_site_service(const char *site)
{
    VSTRING *path = flush_path_site(vstring_alloc(100), site);
    int status = flush_send_path(vstring_str(path), FLUSH_HOW_UNTHROTTLE);

    vstring_free(path);
    return status;
}

static int flush_send_file_service(const char *queue_id)
{
    if (flush_one_file(queue_id))
        flush_kick_qmgr(FLUSH_HOW_UNTHROTTLE);
    return FLUSH_STAT_OK;
}

/* flush_refresh_service - send stale logs, remove old empty ones */

static int flush_refresh_service(int max_age)
{
    DIR *dir;
    struct dirent *dp;
    struct stat st;
    VSTRING *path = vstring_alloc(100);
    time_t now = time(0);

    if ((dir = opendir(MAIL_QUEUE_FLUSH)) == 0) {
        msg_warn("open directory %s: %m", MAIL_QUEUE_FLUSH);
        vstring_free(path);
        return FLUSH_STAT_FAIL;
    }
    while ((dp = readdir(dir)) != 0) {
        if (!flush_path_ok(dp->d_name))
            continue;
        vstring_sprintf(path, "%s/%s", MAIL_QUEUE_FLUSH, dp->d_name);
        if (lstat(vstring_str(path), &st) < 0 || !S_ISREG(st.st_mode))
            continue;
        if (st.st_size == 0) {
            if (st.st_mtime + var_fast_flush_purge_time < now) {
                if (unlink(vstring_str(path)) < 0 && errno != ENOENT)
                    msg_warn("remove %s: %m", vstring_str(path));
                else if (msg_verbose)
                    msg_info("removed empty fast flush log %s", vstring_str(path));
            }
        } else if (st.st_atime + max_age <= now) {
            if (msg_verbose)
                msg_info("refreshing %s", vstring_str(path));
            (void)flush_send_path(vstring_str(path), FLUSH_HOW_REFRESH);
        }
    }
    closedir(dir);
    vstring_free(path);
    return FLUSH_STAT_OK;
}

static void flush_reply(VSTREAM *client, int status)
{
    attr_print(client, ATTR_FLAG_NONE, SEND_ATTR_INT(MAIL_ATTR_STATUS, status), ATTR_TYPE_END);
    if (vstream_fflush(client) != 0 && errno != EPIPE)
        msg_warn("%s: write reply: %m", vstream_path(client));
}

/* flush_site_status - validate a site argument; OK, BAD or DENY (FAIL) */

static int flush_site_status(const char *site)
{
    if (!flush_path_site_ok(site))
        return FLUSH_STAT_BAD;
    return flush_domain_status(site);
}

static void flush_service(VSTREAM *client, char *service, char **argv)
{
    static VSTRING *request, *site, *queue_id;
    int status;
    int ch;
    int n;

    if (request == 0) {
        request = vstring_alloc(20);
        site = vstring_alloc(100);
        queue_id = vstring_alloc(QUEUE_ID_BUFSIZE);
    }
    vstream_set_timeouts(client, var_ipc_timeout * 1000, var_ipc_timeout * 1000);
    /* master's wakeup writes "W" without waiting for the hello: ignore EPIPE. */
    (void)attr_print_hello(client, MAIL_PROTO_FLUSH);
    vstream_clearerr(client);
    if ((ch = vstream_getc(client)) == VSTREAM_EOF)
        return;
    if (ch == TRIGGER_REQ_WAKEUP) {
        if (msg_verbose)
            msg_info("wakeup: refresh");
        (void)flush_refresh_service(var_fast_flush_refresh_time);
        return;
    }
    vstream_ungetc(client, ch);
    n = attr_scan(client, ATTR_FLAG_MORE, RECV_ATTR_STR(MAIL_ATTR_REQ, request), ATTR_TYPE_END);
    if (n != 1) {
        if (n == 0)
            msg_warn("%s: request without a request name", vstream_path(client));
        return;
    }
    if (msg_verbose)
        msg_info("request %s", vstring_str(request));
    if (strcmp(vstring_str(request), FLUSH_REQ_ADD) == 0) {
        if (attr_scan(client, ATTR_FLAG_STRICT, RECV_ATTR_STR(FLUSH_ATTR_SITE, site),
                      RECV_ATTR_STR(MAIL_ATTR_QUEUEID, queue_id), ATTR_TYPE_END) != 2)
            return;
        if ((status = flush_site_status(vstring_str(site))) == FLUSH_STAT_OK) {
            if (!queue_id_ok(vstring_str(queue_id)))
                status = FLUSH_STAT_BAD;
            else
                status = flush_add_service(vstring_str(site), vstring_str(queue_id));
        }
        flush_reply(client, status);
    } else if (strcmp(vstring_str(request), FLUSH_REQ_SEND_SITE) == 0) {
        if (attr_scan(client, ATTR_FLAG_STRICT, RECV_ATTR_STR(FLUSH_ATTR_SITE, site),
                      ATTR_TYPE_END) != 1)
            return;
        if ((status = flush_site_status(vstring_str(site))) == FLUSH_STAT_OK)
            status = flush_send_site_service(vstring_str(site));
        flush_reply(client, status);
    } else if (strcmp(vstring_str(request), FLUSH_REQ_SEND_FILE) == 0) {
        if (attr_scan(client, ATTR_FLAG_STRICT, RECV_ATTR_STR(MAIL_ATTR_QUEUEID, queue_id),
                      ATTR_TYPE_END) != 1)
            return;
        if (!queue_id_ok(vstring_str(queue_id)))
            status = FLUSH_STAT_BAD;
        else
            status = flush_send_file_service(vstring_str(queue_id));
        flush_reply(client, status);
    } else if (strcmp(vstring_str(request), FLUSH_REQ_REFRESH) == 0 ||
               strcmp(vstring_str(request), FLUSH_REQ_PURGE) == 0) {
        int purge = strcmp(vstring_str(request), FLUSH_REQ_PURGE) == 0;

        if (attr_scan(client, ATTR_FLAG_STRICT, ATTR_TYPE_END) != 0)
            return;
        /* Answer first: a refresh can take a while and the client need not wait. */
        flush_reply(client, FLUSH_STAT_OK);
        (void)flush_refresh_service(purge ? 0 : var_fast_flush_refresh_time);
    } else {
        msg_warn("%s: unknown request: \"%.100s\"", vstream_path(client), vstring_str(request));
        flush_reply(client, FLUSH_STAT_BAD);
    }
}

static void flush_post_init(char *service, char **argv)
{
    mail_queue_conf_params(&flush_conf);
    flush_conf.queue_dir = 0; /* the skeleton did chdir(queue_directory) */
}

int main(int argc, char **argv)
{
    single_server_main(argc, argv, flush_service, MAIL_SERVER_POST_INIT, flush_post_init,
                       MAIL_SERVER_END);
}
