/*
 * pickup - hand the files in maildrop/ to cleanup.
 *
 * A trigger server (one process, MAIL_SERVER_SOLITARY, never exits on
 * max_use/max_idle): on every trigger (postdrop's poke, master's wakeup,
 * and its own 60-second timer) it scans maildrop/ once and, for each file
 * whose name is a queue id:
 *
 *   - skips it unless it is a regular file (lstat; "not a regular file" is
 *     logged and the file left alone), complete (owner execute bit, as
 *     postdrop sets it when it is done) and has one link; the file is
 *     opened with O_NOFOLLOW and checked to be the one lstat saw;
 *   - takes the owner's uid as the submitting user;
 *   - reads the whole file once with qfile_check (QFILE_FLAG_MAILDROP): a
 *     malformed file is logged and moved to corrupt/ (Postfix deletes it;
 *     keeping it costs nothing and helps the administrator);
 *   - connects to cleanup (public/$cleanup_service_name), asks for
 *     CLEANUP_FLAG_BOUNCE | CLEANUP_FLAG_MASK_EXTERNAL, logs
 *     "ID: uid=N from=<sender>" with cleanup's queue id, and copies the
 *     records: the envelope records a user may give (T F S O R, the DSN
 *     attributes and rewrite_context; content filter records only from
 *     root or mail_owner), M, the Received: header Postfix's pickup adds
 *     ("Received: by $myhostname ($mail_name, from userid N)" and
 *     "\tid ID; <file time>"), the content, X, the extracted recipients
 *     and E;
 *   - removes the maildrop file only after cleanup answered 0.  A
 *     permanent error ("no recipients specified", ...) is logged as
 *     "maildrop/NAME: error writing ID: text" and the file removed; a
 *     temporary one (cleanup unreachable, write error, deferred) leaves
 *     the file for the next scan.
 *
 * Parameters: cleanup_service_name, mail_owner, myhostname, mail_name,
 * line_length_limit, queue_directory.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attr.h"
#include "cleanup_user.h"
#include "mail_date.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "input_transp.h"
#include "mail_queue.h"
#include "mail_server.h"
#include "msg.h"
#include "mymalloc.h"
#include "qfile.h"
#include "queue_id.h"
#include "rec_stream.h"
#include "record.h"

static int pickup_input_transp; /* receive_override_options (input_transp.h) */

#define PICKUP_OK     0 /* done, file removed or moved */
#define PICKUP_KEEP   1 /* leave the file, try again later */
#define PICKUP_STOP   2 /* cleanup unreachable: end this scan */

static MAIL_QUEUE_CONF pickup_queue;
static uid_t pickup_owner_uid;

/* pickup_corrupt - move a malformed maildrop file out of the way */

static void pickup_corrupt(const char *id)
{
    if (mail_queue_rename(&pickup_queue, id, MAIL_QUEUE_MAILDROP, MAIL_QUEUE_CORRUPT) < 0) {
        msg_warn("maildrop/%s: cannot move to %s: %m; removing it", id, MAIL_QUEUE_CORRUPT);
        (void)mail_queue_remove(&pickup_queue, MAIL_QUEUE_MAILDROP, id);
    }
}

/* pickup_allowed - may a user's maildrop file carry this attribute? */

static int pickup_attr_allowed(const char *data)
{
    static const char *names[] = {MAIL_ATTR_RWR_CONTEXT, MAIL_ATTR_DSN_ENVID, MAIL_ATTR_DSN_RET,
                                  MAIL_ATTR_DSN_NOTIFY, MAIL_ATTR_DSN_ORCPT, 0};

    for (const char **np = names; *np; np++) {
        size_t len = strlen(*np);

        if (strncmp(data, *np, len) == 0 && (data[len] == '=' || data[len] == ' '))
            return 1;
    }
    return 0;
}

/* pickup_first_type - the type byte of a file's first record, or -1 */

static int pickup_first_type(int fd)
{
    unsigned char ch;
    int type = pread(fd, &ch, 1, 0) == 1 ? ch : -1;

    return type;
}

/* pickup_copy - send one maildrop file to cleanup; returns PICKUP_* */

static int pickup_copy(const char *id, int fd, const struct stat *st, int requeued)
{
    VSTREAM *cleanup;
    VSTRING *qid = vstring_alloc(32);
    VSTRING *data = vstring_alloc(1024);
    VSTRING *reason = vstring_alloc(100);
    REC_READER *rp;
    int status = 0;
    int type;
    int trusted = (st->st_uid == 0 || st->st_uid == pickup_owner_uid);
    int ret = PICKUP_OK;
    int in_content = 0;
    const char *why = 0;
    VSTRING *orcpt = vstring_alloc(100);
    int have_orcpt = 0;

    if ((cleanup = mail_connect_wait(MAIL_CLASS_PUBLIC, var_cleanup_service_name)) == 0) {
        msg_warn("connect to %s/%s: %m", MAIL_CLASS_PUBLIC, var_cleanup_service_name);
        vstring_free(qid);
        vstring_free(data);
        vstring_free(reason);
        return PICKUP_STOP;
    }
    if (attr_scan_hello(cleanup, MAIL_PROTO_CLEANUP) != 0
        || attr_scan(cleanup, ATTR_FLAG_STRICT, RECV_ATTR_STR(MAIL_ATTR_QUEUEID, qid),
                     ATTR_TYPE_END) != 1
        || attr_print(cleanup, ATTR_FLAG_NONE,
                      SEND_ATTR_INT(MAIL_ATTR_FLAGS,
                                    input_transp_cleanup(CLEANUP_FLAG_BOUNCE |
                                                             CLEANUP_FLAG_MASK_EXTERNAL,
                                                         pickup_input_transp)),
                      ATTR_TYPE_END) != 0) {
        msg_warn("maildrop/%s: cleanup service protocol error", id);
        vstream_fclose(cleanup);
        vstring_free(qid);
        vstring_free(data);
        vstring_free(reason);
        return PICKUP_STOP;
    }
    rp = rec_reader_fd(fd, 0, requeued ? REC_FLAG_FOLLOW_PTR : REC_FLAG_NONE);
    while ((type = rec_get(rp, data)) >= 0) {
        const char *buf = vstring_str(data);
        size_t len = VSTRING_LEN(data);

        /*
         * An original-recipient record belongs to the recipient record after
         * it: hold it back, and drop it with a recipient already done.
         */
        if (!in_content && have_orcpt && type != REC_TYPE_RCPT) {
            have_orcpt = 0;
            if (type != REC_TYPE_DONE && type != REC_TYPE_DRCP
                && rec_vstream_put(cleanup, REC_TYPE_ORCP, vstring_str(orcpt), VSTRING_LEN(orcpt))
                       == REC_TYPE_ERROR)
                break;
        }
        if (in_content) {
            if (type == REC_TYPE_XTRA)
                in_content = 0;
            /* content and X pass as they are */
        } else {
            switch (type) {
            case REC_TYPE_SIZE:
            case REC_TYPE_DONE:
            case REC_TYPE_DRCP:
            case REC_TYPE_WARN:
            case REC_TYPE_CTIME:
            case REC_TYPE_KILL:
                /* A requeued queue file (postsuper -r): cleanup starts afresh. */
                if (requeued)
                    continue;
                msg_warn("uid=%ld: ignoring record type %d", (long)st->st_uid, type);
                continue;
            case REC_TYPE_ORCP:
                vstring_memcpy(orcpt, buf, len);
                have_orcpt = 1;
                continue;
            case REC_TYPE_RCPT:
                if (have_orcpt) {
                    have_orcpt = 0;
                    if (rec_vstream_put(cleanup, REC_TYPE_ORCP, vstring_str(orcpt),
                                        VSTRING_LEN(orcpt))
                        == REC_TYPE_ERROR)
                        goto out;
                }
                break;
            case REC_TYPE_RDR:
            case REC_TYPE_FLGS:
                if (!requeued) {
                    msg_warn("uid=%ld: ignoring record type %d", (long)st->st_uid, type);
                    continue;
                }
                break;
            case REC_TYPE_ATTR:
                if (!requeued && !pickup_attr_allowed(buf)) {
                    msg_warn("uid=%ld: ignoring attribute record: %.100s", (long)st->st_uid, buf);
                    continue;
                }
                break;
            case REC_TYPE_FROM:
                msg_info("%s: uid=%ld from=<%s>", vstring_str(qid), (long)st->st_uid, buf);
                break;
            case REC_TYPE_FILT:
            case REC_TYPE_INSP:
                if (!trusted) {
                    msg_warn("uid=%ld: ignoring content filter record: %.100s", (long)st->st_uid,
                             buf);
                    continue;
                }
                break;
            case REC_TYPE_MESG:
                in_content = 1;
                rec_vstream_put(cleanup, type, buf, len);
                /* A requeued message has its Received: header already. */
                if (requeued)
                    continue;
                rec_vstream_fprintf(cleanup, REC_TYPE_NORM, "Received: by %s (%s, from userid %ld)",
                                    var_myhostname, var_mail_name, (long)st->st_uid);
                rec_vstream_fprintf(cleanup, REC_TYPE_NORM, "\tid %s; %s", vstring_str(qid),
                                    mail_date(st->st_mtime));
                continue;
            case REC_TYPE_TIME:
            case REC_TYPE_FULL:
            case REC_TYPE_VERP:
            case REC_TYPE_DSN_ENVID:
            case REC_TYPE_DSN_RET:
            case REC_TYPE_DSN_NOTIFY:
            case REC_TYPE_DSN_ORCPT:
            case REC_TYPE_END:
                break;
            default:
                msg_warn("uid=%ld: ignoring record type %d", (long)st->st_uid, type);
                continue;
            }
        }
        if (rec_vstream_put(cleanup, type, buf, len) == REC_TYPE_ERROR)
            break;
        if (type == REC_TYPE_END)
            break;
    }
out:
    rec_reader_free(rp);
    vstring_free(orcpt);
    if (type != REC_TYPE_END) {
        /* Checked before, so this is a read error; cleanup sees EOF. */
        msg_warn("maildrop/%s: read error: %m", id);
        ret = PICKUP_KEEP;
    } else if (vstream_fflush(cleanup) != 0
               || attr_scan(cleanup, ATTR_FLAG_STRICT, RECV_ATTR_INT(MAIL_ATTR_STATUS, &status),
                            RECV_ATTR_STR(MAIL_ATTR_REASON, reason), ATTR_TYPE_END) != 2) {
        msg_warn("maildrop/%s: no reply from the cleanup service", id);
        ret = PICKUP_KEEP;
    } else if (status != 0) {
        why = cleanup_strerror((unsigned)status);
        msg_warn("maildrop/%s: error writing %s: %s", id, vstring_str(qid), why);
        ret = (status & CLEANUP_STAT_MASK_CANT_BOUNCE) ? PICKUP_KEEP : PICKUP_OK;
    }
    vstream_fclose(cleanup);
    vstring_free(qid);
    vstring_free(data);
    vstring_free(reason);
    return ret;
}

/* pickup_file - one maildrop file */

static int pickup_file(const char *id)
{
    VSTRING *path = vstring_alloc(64);
    VSTRING *why = vstring_alloc(100);
    struct stat lst;
    struct stat st;
    int fd = -1;
    int ret = PICKUP_KEEP;
    REC_READER *rp;

    mail_queue_path(path, &pickup_queue, MAIL_QUEUE_MAILDROP, id);
    if (lstat(vstring_str(path), &lst) < 0) {
        if (errno != ENOENT)
            msg_warn("lstat %s: %m", vstring_str(path));
    } else if (!S_ISREG(lst.st_mode)) {
        msg_warn("maildrop/%s: uid %ld: not a regular file", id, (long)lst.st_uid);
    } else if ((lst.st_mode & S_IXUSR) == 0) {
        /* postdrop is still writing it */
    } else if ((fd = open(vstring_str(path), O_RDONLY | O_NOFOLLOW | O_NONBLOCK)) < 0) {
        if (errno != ENOENT)
            msg_warn("open input file maildrop/%s: %m", id);
    } else if (fstat(fd, &st) < 0 || st.st_dev != lst.st_dev || st.st_ino != lst.st_ino) {
        msg_warn("open input file maildrop/%s: file changed while opened", id);
    } else if (st.st_nlink > 1) {
        msg_warn("open input file maildrop/%s: file has %ld hard links", id, (long)st.st_nlink);
    } else {
        /*
         * postsuper -r puts a complete queue file (size record first, done
         * recipients, pointers) into maildrop/; only root or mail_owner can.
         */
        int requeued = (st.st_uid == 0 || st.st_uid == pickup_owner_uid)
                       && pickup_first_type(fd) == REC_TYPE_SIZE;

        rp = rec_reader_fd(fd, 0, requeued ? REC_FLAG_FOLLOW_PTR : REC_FLAG_NONE);
        if (qfile_check(rp, requeued ? QFILE_FLAG_NONE : QFILE_FLAG_MAILDROP, (QFILE_INFO *)0,
                        why)
            < 0) {
            msg_warn("maildrop/%s: %s", id, vstring_str(why));
            msg_warn("uid=%ld: unexpected or malformed record; moving the file to %s",
                     (long)st.st_uid, MAIL_QUEUE_CORRUPT);
            rec_reader_free(rp);
            pickup_corrupt(id);
            ret = PICKUP_OK;
        } else {
            rec_reader_free(rp);
            if (lseek(fd, 0, SEEK_SET) < 0)
                msg_fatal("maildrop/%s: seek: %m", id);
            ret = pickup_copy(id, fd, &st, requeued);
            if (ret == PICKUP_OK && mail_queue_remove(&pickup_queue, MAIL_QUEUE_MAILDROP, id) < 0
                && errno != ENOENT)
                msg_warn("remove maildrop/%s: %m", id);
        }
    }
    if (fd >= 0)
        close(fd);
    vstring_free(path);
    vstring_free(why);
    return ret;
}

static void pickup_service(char *buf, ssize_t len, char *service, char **argv)
{
    DIR *dir;
    struct dirent *dp;

    if ((dir = opendir(MAIL_QUEUE_MAILDROP)) == 0) {
        msg_warn("open directory %s: %m", MAIL_QUEUE_MAILDROP);
        return;
    }
    while ((dp = readdir(dir)) != 0 && !mail_server_stopping()) {
        if (!queue_id_ok(dp->d_name))
            continue;
        if (pickup_file(dp->d_name) == PICKUP_STOP)
            break;
    }
    closedir(dir);
}

static void pickup_pre_init(char *service, char **argv)
{
    struct passwd *pw;

    mail_queue_conf_params(&pickup_queue);
    pickup_queue.queue_dir = 0; /* the skeleton chdir'ed there */
    pickup_input_transp = input_transp_mask("receive_override_options",
                                            var_receive_override_options);
    if ((pw = getpwnam(var_mail_owner)) == 0)
        msg_fatal("unknown mail_owner user: %s", var_mail_owner);
    pickup_owner_uid = pw->pw_uid;
}

int main(int argc, char **argv)
{
    trigger_server_main(argc, argv, pickup_service, MAIL_SERVER_PRE_INIT, pickup_pre_init,
                        MAIL_SERVER_SOLITARY, MAIL_SERVER_UNLIMITED, MAIL_SERVER_TRIGGER_WAKEUP,
                        60, MAIL_SERVER_END);
    return 0;
}
