/*
 * showq - report what is in the mail queue (the server behind postqueue -p
 * and mailq).
 *
 * Single-server daemon (lib/server/mail_server.h), normally on
 * public/showq.  Per connection it sends the hello {protocol="showq/1"},
 * then one attribute list per message and per recipient, as PROTOCOLS.md
 * "showq" says, scanning the queues in this order: maildrop, incoming,
 * active, deferred, hold (hashed subdirectories followed as
 * hash_queue_names / hash_queue_depth say).  Per message:
 *
 *   {queue_name, queue_id, time (arrival, seconds), size, sender}
 *   {recipient, reason} for every recipient not yet done (R records of the
 *       envelope and of the extracted segment; D and / are skipped)
 *   {}                  end of this message
 * and {} where a message would start, at the end.
 *
 * Files that are still being written (no owner execute bit, QUEUE_FORMAT.md
 * section 6) are not shown, as Postfix does not show them.
 *
 * size is the content size from the size record ('C' field 1); a maildrop
 * file has no size record, so its file size is reported, as Postfix does.
 * reason (for every queue but maildrop: a message put on hold keeps its
 * defer log) is the latest "reason=" for that recipient in defer/ID (the defer
 * log written by the bounce service: blocks of name=value lines separated
 * by empty lines), or "".
 *
 * What can go wrong: files vanish while we look (a delivery completes): they
 * are skipped silently; an unreadable or malformed file is reported with
 * what could be read (a warning is logged); a client that goes away ends
 * the report.  The daemon reads queue files only and never changes them.
 *
 * Parameters: queue_directory, hash_queue_depth, hash_queue_names,
 * enable_long_queue_ids, line_length_limit (record length bound).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "argv.h"
#include "attr.h"
#include "htable.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "mail_queue.h"
#include "mail_server.h"
#include "msg.h"
#include "mymalloc.h"
#include "queue_id.h"
#include "rec_type.h"
#include "record.h"
#include "stringops.h"
#include "vstream.h"
#include "vstring.h"

#define SHOWQ_MAXREC    (1024 * 1024)
#define SHOWQ_MAX_DEPTH MAIL_QUEUE_MAX_HASH_DEPTH
#define SHOWQ_DEFER_MAX (4 * 1024 * 1024) /* defer log bytes we read */

static const char *const showq_queues[] = {
    MAIL_QUEUE_MAILDROP, MAIL_QUEUE_INCOMING, MAIL_QUEUE_ACTIVE,
    MAIL_QUEUE_DEFERRED, MAIL_QUEUE_HOLD,
};

static MAIL_QUEUE_CONF showq_conf;

/* Defer reasons by recipient, from defer/ID; null when there is none. */
static HTABLE *showq_reasons(const char *id)
{
    VSTRING *path = vstring_alloc(64);
    VSTRING *text = vstring_alloc(1024);
    HTABLE *table = 0;
    char *bp, *line;
    char *rcpt = 0, *reason = 0;
    int fd;
    ssize_t n;

    mail_queue_path(path, &showq_conf, MAIL_QUEUE_DEFER, id);
    if ((fd = open(vstring_str(path), O_RDONLY | O_NOFOLLOW)) < 0) {
        vstring_free(path);
        vstring_free(text);
        return 0;
    }
    while (VSTRING_LEN(text) < SHOWQ_DEFER_MAX) {
        char *space = vstring_space(text, 65536);

        if ((n = read(fd, space, 65536)) <= 0)
            break;
        vstring_set_len(text, VSTRING_LEN(text) + (size_t)n);
    }
    close(fd);
    vstring_addch(text, '\n');
    table = htable_create(10);
    /* Blocks of name=value lines; an empty line ends a block. */
    for (bp = vstring_str(text); bp != 0; bp = line) {
        line = split_at(bp, '\n');
        if (*bp == 0) {
            if (rcpt && reason)
                htable_delete(table, rcpt, myfree);
            if (rcpt && reason)
                htable_enter(table, rcpt, mystrdup(reason));
            rcpt = reason = 0;
        } else if (strncmp(bp, "recipient=", 10) == 0) {
            rcpt = bp + 10;
        } else if (strncmp(bp, "reason=", 7) == 0) {
            reason = bp + 7;
        }
    }
    if (rcpt && reason && htable_find(table, rcpt) == 0)
        htable_enter(table, rcpt, mystrdup(reason));
    vstring_free(path);
    vstring_free(text);
    return table;
}

static void showq_free_reasons(HTABLE *table)
{
    if (table)
        htable_free(table, myfree);
}

/*
 * Report one file; returns -1 when the client is gone.  Recipients are
 * collected first so that a file that turns out malformed half way still
 * produces a consistent message list.
 */
static int showq_file(VSTREAM *client, const char *queue, const char *id, const char *path)
{
    REC_READER *rp;
    VSTRING *data = vstring_alloc(256);
    VSTRING *sender = vstring_alloc(64);
    ARGV *rcpts = argv_alloc(4);
    HTABLE *reasons;
    struct stat st;
    long arrival = 0;
    long size = -1;
    long xtra_offset = -1;
    int in_content = 0;
    int type;
    int fd;
    int rc = 0;

    if ((fd = open(path, O_RDONLY | O_NOFOLLOW)) < 0) {
        if (errno != ENOENT)
            msg_warn("open %s: %m", path);
        vstring_free(data);
        vstring_free(sender);
        argv_free(rcpts);
        return 0;
    }
    /* Without the owner execute bit a file is still being written: skip. */
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (st.st_mode & S_IXUSR) == 0) {
        close(fd);
        vstring_free(data);
        vstring_free(sender);
        argv_free(rcpts);
        return 0;
    }
    arrival = (long)st.st_mtime;
    rp = rec_reader_fd(fd, SHOWQ_MAXREC, REC_FLAG_FOLLOW_PTR);
    while ((type = rec_get(rp, data)) != REC_TYPE_EOF && type != REC_TYPE_ERROR) {
        if (in_content) {
            if (type == REC_TYPE_XTRA)
                in_content = 0;
            continue;
        }
        if (type == REC_TYPE_END)
            break;
        switch (type) {
        case REC_TYPE_SIZE: {
            REC_SIZE rs;

            if (rec_size_parse(vstring_str(data), &rs) == 0) {
                size = rs.data_size;
                if (rs.data_offset > 0 && rs.data_size >= 0)
                    xtra_offset = rs.data_offset + rs.data_size;
            }
            break;
        }
        case REC_TYPE_TIME:
            arrival = atol(vstring_str(data));
            break;
        case REC_TYPE_FROM:
            vstring_strcpy(sender, vstring_str(data));
            break;
        case REC_TYPE_RCPT:
            argv_add(rcpts, vstring_str(data));
            break;
        case REC_TYPE_MESG:
            /* Skip the content: by the size record if there is one. */
            if (xtra_offset > 0 && rec_reader_seek(rp, xtra_offset) == 0)
                break;
            in_content = 1;
            break;
        default:
            break;
        }
    }
    if (type == REC_TYPE_ERROR)
        msg_warn("%s: %s", path, rec_reader_error(rp));
    rec_reader_free(rp);
    close(fd);
    if (size < 0)
        size = (long)st.st_size;

    reasons = strcmp(queue, MAIL_QUEUE_MAILDROP) != 0 ? showq_reasons(id) : 0;
    if (attr_print(client, ATTR_FLAG_NONE, SEND_ATTR_STR(MAIL_ATTR_QUEUE, queue),
                   SEND_ATTR_STR(MAIL_ATTR_QUEUEID, id), SEND_ATTR_LONG(MAIL_ATTR_TIME, arrival),
                   SEND_ATTR_LONG(MAIL_ATTR_SIZE, size),
                   SEND_ATTR_STR(MAIL_ATTR_SENDER, vstring_str(sender)), ATTR_TYPE_END) < 0)
        rc = -1;
    for (size_t i = 0; rc == 0 && i < rcpts->argc; i++) {
        const char *why = reasons ? htable_find(reasons, rcpts->argv[i]) : 0;

        if (attr_print(client, ATTR_FLAG_NONE, SEND_ATTR_STR(MAIL_ATTR_RECIP, rcpts->argv[i]),
                       SEND_ATTR_STR(MAIL_ATTR_REASON, why ? why : ""), ATTR_TYPE_END) < 0)
            rc = -1;
    }
    if (rc == 0 && attr_print(client, ATTR_FLAG_NONE, ATTR_TYPE_END) < 0)
        rc = -1;
    showq_free_reasons(reasons);
    vstring_free(data);
    vstring_free(sender);
    argv_free(rcpts);
    return rc;
}

/* Walk a queue directory, hashed subdirectories included. */
static int showq_dir(VSTREAM *client, const char *queue, const char *dir, int depth)
{
    DIR *dp;
    struct dirent *de;
    VSTRING *path = vstring_alloc(64);
    int rc = 0;

    if ((dp = opendir(dir)) == 0) {
        if (errno != ENOENT)
            msg_warn("open directory %s: %m", dir);
        vstring_free(path);
        return 0;
    }
    while (rc == 0 && (de = readdir(dp)) != 0) {
        if (de->d_name[0] == '.')
            continue;
        vstring_sprintf(path, "%s/%s", dir, de->d_name);
        if (depth < showq_conf.hash_depth && mail_queue_hashed(&showq_conf, queue) &&
            strlen(de->d_name) == 1) {
            rc = showq_dir(client, queue, vstring_str(path), depth + 1);
            continue;
        }
        if (!queue_id_ok(de->d_name))
            continue;
        rc = showq_file(client, queue, de->d_name, vstring_str(path));
    }
    closedir(dp);
    vstring_free(path);
    return rc;
}

static void showq_service(VSTREAM *client, char *service, char **argv)
{
    if (attr_print_hello(client, MAIL_PROTO_SHOWQ) < 0)
        return;
    for (size_t i = 0; i < sizeof(showq_queues) / sizeof(showq_queues[0]); i++)
        if (showq_dir(client, showq_queues[i], showq_queues[i], 0) < 0)
            return;
    (void)attr_print(client, ATTR_FLAG_NONE, ATTR_TYPE_END);
    (void)vstream_fflush(client);
}

static void showq_post_init(char *service, char **argv)
{
    mail_queue_conf_params(&showq_conf);
    showq_conf.queue_dir = 0; /* the skeleton did chdir(queue_directory) */
}

int main(int argc, char **argv)
{
    single_server_main(argc, argv, showq_service, MAIL_SERVER_POST_INIT, showq_post_init,
                       MAIL_SERVER_END);
}
