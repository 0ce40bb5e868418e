/*
 * qmgr_message - read a queue file in active/, resolve its recipients and
 * turn them into delivery requests.
 *
 * Interface: see qmgr.h.
 *
 *   qmgr_message_alloc(queue_name, id, &status, why)
 *       Open active/ID, check the whole file with qfile_check() (a file
 *       that fails is reported as QMGR_MESSAGE_CORRUPT with the reason in
 *       why; the caller moves it to corrupt/), then read the envelope and
 *       the extracted segment: arrival and create time, sender, DSN
 *       envelope id and RET, the delay warning time (and where its record
 *       is, to clear it after the warning), client attributes for the
 *       agents' logging, and the recipients that are not done ('R', not
 *       'D' or '/').  At most a batch of recipients is kept in memory:
 *       qmgr_message_recipient_limit for all active messages together, but
 *       at least qmgr_message_recipient_minimum per message; the offset
 *       where reading stopped is kept in rcpt_offset.
 *       QMGR_MESSAGE_RETRY: the file could not be opened (gone, or an I/O
 *       error); nothing was changed.
 *   qmgr_message_realloc(message, why)
 *       Read the next batch of recipients (from rcpt_offset), after the
 *       previous batch is finished.  0, or -1 when the file has become
 *       unreadable.
 *   qmgr_message_assign(message)
 *       Resolve each recipient of the batch with trivial-rewrite
 *       (resolve_clnt_query_from): a lookup failure defers it ("4.3.0
 *       address resolver failure"), a bad address bounces it ("5.1.3 bad
 *       address syntax"), a dead transport or destination defers it with
 *       the reason it is dead.  The rest are sorted and cut into requests
 *       of at most the transport's recipient limit, one destination each,
 *       and queued (qmgr_entry_create).
 *   qmgr_message_update_warn(message)
 *       The delay warning was sent: set the W record to 0 in place.
 *   qmgr_message_find(id)    the active message with that queue id, or null
 *   qmgr_message_free(message)
 *
 * What can go wrong: the file is untrusted (qfile_check first, numbers
 * parsed with checks); read errors make the message RETRY or CORRUPT,
 * never a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deliver_request.h"
#include "dsn.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "msg.h"
#include "mymalloc.h"
#include "qfile.h"
#include "qmgr.h"
#include "rec_type.h"
#include "record.h"
#include "rewrite_clnt.h"
#include "stringops.h"

QMGR_MESSAGE *qmgr_message_list;
int qmgr_message_count;
static HTABLE *qmgr_message_table; /* queue id -> active message */
int qmgr_recipient_count;

#define STR vstring_str

/* Attributes in 'A' records that qmgr uses besides those in rec_type.h. */
#define QMGR_ATTR_TRACE_FLAGS "trace_flags"

/* Recipient group state: the records that precede an 'R'. */
typedef struct QMGR_RGROUP {
    char *orig;  /* 'O' */
    char *orcpt; /* dsn_orig_rcpt */
    int notify;  /* notify_flags */
} QMGR_RGROUP;

static void qmgr_rgroup_reset(QMGR_RGROUP *g)
{
    if (g->orig)
        myfree(g->orig);
    if (g->orcpt)
        myfree(g->orcpt);
    g->orig = g->orcpt = 0;
    g->notify = 0;
}

static void qmgr_message_set(char **field, const char *value)
{
    if (*field)
        myfree(*field);
    *field = mystrdup(value);
}

/* qmgr_message_number - parse a non-negative decimal number */
static int qmgr_message_number(const char *str, long *result)
{
    if (!safe_strtol(str, result) || *result < 0)
        return -1;
    return 0;
}

/* qmgr_message_attr - one 'A' record (envelope or extracted) */
static int qmgr_message_attr(QMGR_MESSAGE *m, QMGR_RGROUP *g, char *data, int first, VSTRING *why)
{
    char *name;
    char *value;
    long num;
    const char *err;

    if ((err = split_nameval(data, &name, &value)) != 0) {
        vstring_sprintf(why, "bad attribute record: %s", err);
        return -1;
    }
    if (strcmp(name, MAIL_ATTR_DSN_NOTIFY) == 0) {
        if (qmgr_message_number(value, &num) < 0 || num > DSN_NOTIFY_ANY + DSN_NOTIFY_NEVER) {
            vstring_sprintf(why, "bad %s value: %s", name, value);
            return -1;
        }
        g->notify = (int)num;
        return 0;
    }
    if (strcmp(name, MAIL_ATTR_DSN_ORCPT) == 0) {
        qmgr_message_set(&g->orcpt, value);
        return 0;
    }
    if (!first)
        return 0;
    if (strcmp(name, MAIL_ATTR_CREATE_TIME) == 0) {
        if (qmgr_message_number(value, &num) == 0)
            m->create_time = (time_t)num;
    } else if (strcmp(name, MAIL_ATTR_DSN_ENVID) == 0) {
        qmgr_message_set(&m->dsn_envid, value);
    } else if (strcmp(name, MAIL_ATTR_DSN_RET) == 0) {
        if (qmgr_message_number(value, &num) == 0 && num <= (DSN_RET_FULL | DSN_RET_HDRS))
            m->dsn_ret = (int)num;
    } else if (strcmp(name, MAIL_ATTR_ENCODING) == 0) {
        qmgr_message_set(&m->encoding, value);
    } else if (strcmp(name, QMGR_ATTR_TRACE_FLAGS) == 0) {
        if (qmgr_message_number(value, &num) == 0)
            m->tflags |= (int)num & (DEL_REQ_FLAG_USR_VRFY | DEL_REQ_FLAG_RECORD |
                                     DEL_REQ_FLAG_MTA_VRFY);
    } else if (strcmp(name, MAIL_ATTR_LOG_CLIENT_NAME) == 0 || strcmp(name, "client_name") == 0) {
        if (m->client_name == 0 || strncmp(name, "log_", 4) == 0)
            qmgr_message_set(&m->client_name, value);
    } else if (strcmp(name, MAIL_ATTR_LOG_CLIENT_ADDR) == 0 ||
               strcmp(name, "client_address") == 0) {
        if (m->client_addr == 0 || strncmp(name, "log_", 4) == 0)
            qmgr_message_set(&m->client_addr, value);
    } else if (strcmp(name, MAIL_ATTR_LOG_HELO_NAME) == 0 || strcmp(name, "helo_name") == 0) {
        if (m->client_helo == 0 || strncmp(name, "log_", 4) == 0)
            qmgr_message_set(&m->client_helo, value);
    } else if (strcmp(name, MAIL_ATTR_LOG_PROTO_NAME) == 0 ||
               strcmp(name, "protocol_name") == 0) {
        if (m->client_proto == 0 || strncmp(name, "log_", 4) == 0)
            qmgr_message_set(&m->client_proto, value);
    } else if (strcmp(name, MAIL_ATTR_LOG_ORIGIN) == 0) {
        qmgr_message_set(&m->log_origin, value);
    } else if (strcmp(name, MAIL_ATTR_SASL_METHOD) == 0) {
        qmgr_message_set(&m->sasl_method, value);
    } else if (strcmp(name, MAIL_ATTR_SASL_USERNAME) == 0) {
        qmgr_message_set(&m->sasl_username, value);
    } else if (strcmp(name, MAIL_ATTR_SASL_SENDER) == 0) {
        qmgr_message_set(&m->sasl_sender, value);
    }
    return 0;
}

/* qmgr_message_batch_limit - how many recipients this message may read */
static int qmgr_message_batch_limit(void)
{
    long room = (long)var_qmgr_message_recipient_limit - qmgr_recipient_count;

    if (room < var_qmgr_message_recipient_minimum)
        room = var_qmgr_message_recipient_minimum;
    if (room < 1)
        room = 1;
    return room > INT_MAX ? INT_MAX : (int)room;
}

/* qmgr_message_add_rcpt - one not-done recipient into the batch */
static void qmgr_message_add_rcpt(QMGR_MESSAGE *m, int *avail, QMGR_RGROUP *g, const char *addr,
                                  long offset)
{
    QMGR_RCPT *r;

    if (m->rcpt_count >= *avail) {
        *avail = *avail ? *avail * 2 : 8;
        m->rcpts = myrealloc_array(m->rcpts, (size_t)*avail, sizeof(*m->rcpts));
    }
    r = m->rcpts + m->rcpt_count++;
    qmgr_recipient_count++;
    memset(r, 0, sizeof(*r));
    r->rcpt.address = mystrdup(addr);
    r->rcpt.orig_addr = mystrdup(g->orig ? g->orig : addr);
    r->rcpt.dsn_orcpt = mystrdup(g->orcpt ? g->orcpt : "");
    r->rcpt.dsn_notify = g->notify;
    r->rcpt.offset = offset;
    r->status = QMGR_RCPT_TODO;
    if (g->notify & DSN_NOTIFY_SUCCESS)
        m->tflags |= DEL_REQ_FLAG_SUCCESS;
}

/*
 * qmgr_message_read - read records from the reader's position: envelope
 * attributes (first pass only) and recipients, at most limit of them.
 * Skips the message content.  0, or -1 with why.
 */
static int qmgr_message_read(QMGR_MESSAGE *m, REC_READER *rp, int first, int limit, VSTRING *why)
{
    VSTRING *data = vstring_alloc(256);
    QMGR_RGROUP group = {0, 0, 0};
    int avail = 0;
    int full = 0;
    int type;
    int ret = -1;
    long num;

    m->rcpt_offset = 0;
    for (;;) {
        type = rec_get(rp, data);
        if (type == REC_TYPE_ERROR || type == REC_TYPE_EOF) {
            vstring_sprintf(why, "%s", type == REC_TYPE_EOF ? "premature end of file"
                                                               : rec_reader_error(rp));
            break;
        }
        if (type == REC_TYPE_END) {
            ret = 0;
            break;
        }
        switch (type) {
        case REC_TYPE_SIZE:
            if (first) {
                REC_SIZE size;

                if (rec_size_parse(STR(data), &size) < 0 || size.data_offset <= 0 ||
                    size.data_size < 0) {
                    vstring_sprintf(why, "bad size record");
                    goto out;
                }
                m->data_offset = size.data_offset;
                m->data_size = size.data_size;
                m->rcpt_total = size.rcpt_count;
                m->smtputf8 = size.smtputf8;
            }
            break;
        case REC_TYPE_TIME:
            if (first) {
                long sec = 0, usec = 0;

                if (sscanf(STR(data), "%ld %ld", &sec, &usec) < 1 || sec <= 0 || usec < 0 ||
                    usec > 999999) {
                    vstring_sprintf(why, "bad arrival time record");
                    goto out;
                }
                m->arrival_time.tv_sec = sec;
                m->arrival_time.tv_usec = usec;
            }
            break;
        case REC_TYPE_CTIME:
            if (first && qmgr_message_number(STR(data), &num) == 0)
                m->create_time = (time_t)num;
            break;
        case REC_TYPE_ATTR:
            if (qmgr_message_attr(m, &group, STR(data), first, why) < 0)
                goto out;
            break;
        case REC_TYPE_FROM:
            if (first)
                qmgr_message_set(&m->sender, STR(data));
            break;
        case REC_TYPE_WARN:
            if (first && qmgr_message_number(skipblanks(STR(data)), &num) == 0 &&
                VSTRING_LEN(data) == 15) {
                m->warn_time = (time_t)num;
                m->warn_offset = rec_reader_record_offset(rp);
            }
            break;
        case REC_TYPE_DSN_ENVID:
            if (first)
                qmgr_message_set(&m->dsn_envid, STR(data));
            break;
        case REC_TYPE_DSN_RET:
            if (first && qmgr_message_number(STR(data), &num) == 0)
                m->dsn_ret = (int)num & (DSN_RET_FULL | DSN_RET_HDRS);
            break;
        case REC_TYPE_DSN_NOTIFY:
            if (qmgr_message_number(STR(data), &num) == 0)
                group.notify = (int)num & (DSN_NOTIFY_ANY | DSN_NOTIFY_NEVER);
            break;
        case REC_TYPE_DSN_ORCPT:
            qmgr_message_set(&group.orcpt, STR(data));
            break;
        case REC_TYPE_ORCP:
            qmgr_message_set(&group.orig, STR(data));
            break;
        case REC_TYPE_RCPT:
            if (!full) {
                qmgr_message_add_rcpt(m, &avail, &group, STR(data), rec_reader_record_offset(rp));
                if (m->rcpt_count >= limit) {
                    /*
                     * The batch is full.  The next one starts right after
                     * this recipient, where the next group starts.  The
                     * first pass reads on for attributes that follow
                     * (e.g. the extracted segment's encoding).
                     */
                    full = 1;
                    m->rcpt_offset = rec_reader_next_offset(rp);
                    if (!first) {
                        ret = 0;
                        goto out;
                    }
                }
            }
            qmgr_rgroup_reset(&group);
            break;
        case REC_TYPE_DONE:
        case REC_TYPE_DRCP:
            qmgr_rgroup_reset(&group);
            break;
        case REC_TYPE_MESG: {
            /* Skip the content: jump to where the size record says 'X' is. */
            off_t here = rec_reader_next_offset(rp);

            if (m->data_offset > 0 && m->data_offset == here &&
                rec_reader_seek(rp, (off_t)m->data_offset + m->data_size) == 0 &&
                rec_reader_peek(rp) == REC_TYPE_XTRA)
                break;
            if (rec_reader_seek(rp, here) < 0) {
                vstring_sprintf(why, "seek error: %s", rec_reader_error(rp));
                goto out;
            }
            while ((type = rec_reader_peek(rp)) == REC_TYPE_NORM || type == REC_TYPE_CONT)
                (void)rec_get(rp, data);
            break;
        }
        default:
            break;
        }
    }
out:
    qmgr_rgroup_reset(&group);
    vstring_free(data);
    return ret;
}

static void qmgr_message_destroy(QMGR_MESSAGE *m);

static void qmgr_message_free_rcpts(QMGR_MESSAGE *m)
{
    for (int i = 0; i < m->rcpt_count; i++) {
        QMGR_RCPT *r = m->rcpts + i;

        myfree((char *)r->rcpt.address);
        myfree((char *)r->rcpt.orig_addr);
        myfree((char *)r->rcpt.dsn_orcpt);
        if (r->transport)
            myfree(r->transport);
        if (r->nexthop)
            myfree(r->nexthop);
    }
    qmgr_recipient_count -= m->rcpt_count;
    if (m->rcpts)
        myfree(m->rcpts);
    m->rcpts = 0;
    m->rcpt_count = 0;
}

QMGR_MESSAGE *qmgr_message_alloc(const char *queue_name, const char *queue_id, int *status,
                                 VSTRING *why)
{
    VSTRING *path = mail_queue_path(vstring_alloc(100), &qmgr_queue_conf, MAIL_QUEUE_ACTIVE,
                                    queue_id);
    QMGR_MESSAGE *m;
    REC_READER *rp;
    int fd;

    if ((fd = open(STR(path), O_RDWR | O_CLOEXEC, 0)) < 0) {
        vstring_sprintf(why, "open %s: %m", STR(path));
        vstring_free(path);
        *status = QMGR_MESSAGE_RETRY;
        return 0;
    }
    vstring_free(path);
    rp = rec_reader_fd(fd, 0, REC_FLAG_FOLLOW_PTR);
    if (qfile_check(rp, QFILE_FLAG_NONE, 0, why) < 0) {
        rec_reader_free(rp);
        close(fd);
        *status = QMGR_MESSAGE_CORRUPT;
        return 0;
    }
    m = mycalloc(1, sizeof(*m));
    m->queue_id = mystrdup(queue_id);
    m->queue_name = mystrdup(queue_name);
    m->fd = fd;
    m->warn_offset = -1;
    gettimeofday(&m->active_arrival, 0);
    if (rec_reader_seek(rp, 0) < 0 ||
        qmgr_message_read(m, rp, 1, qmgr_message_batch_limit(), why) < 0) {
        rec_reader_free(rp);
        qmgr_message_destroy(m);
        *status = QMGR_MESSAGE_CORRUPT;
        return 0;
    }
    rec_reader_free(rp);
    if (m->arrival_time.tv_sec == 0) {
        vstring_sprintf(why, "missing arrival time record");
        qmgr_message_destroy(m);
        *status = QMGR_MESSAGE_CORRUPT;
        return 0;
    }
    if (m->create_time == 0)
        m->create_time = m->arrival_time.tv_sec;
    if (m->sender == 0)
        m->sender = mystrdup("");
    if (m->encoding == 0)
        m->encoding = mystrdup("");
    if (m->dsn_envid == 0)
        m->dsn_envid = mystrdup("");
    if (qmgr_message_table == 0)
        qmgr_message_table = htable_create(101);
    htable_enter(qmgr_message_table, m->queue_id, m);
    m->next = qmgr_message_list;
    if (qmgr_message_list)
        qmgr_message_list->prev = m;
    qmgr_message_list = m;
    qmgr_message_count++;
    *status = QMGR_MESSAGE_OK;
    return m;
}

int qmgr_message_realloc(QMGR_MESSAGE *m, VSTRING *why)
{
    REC_READER *rp;
    off_t offset = m->rcpt_offset;
    int ret;

    qmgr_message_free_rcpts(m);
    rp = rec_reader_fd(m->fd, 0, REC_FLAG_FOLLOW_PTR);
    if (rec_reader_seek(rp, offset) < 0) {
        vstring_sprintf(why, "seek error: %s", rec_reader_error(rp));
        ret = -1;
    } else {
        ret = qmgr_message_read(m, rp, 0, qmgr_message_batch_limit(), why);
    }
    rec_reader_free(rp);
    if (ret < 0)
        qmgr_message_free_rcpts(m);
    return ret;
}

void qmgr_message_assign(QMGR_MESSAGE *m)
{
    RESOLVE_REPLY reply;
    VSTRING *qname = vstring_alloc(100);
    int pos;
    int n;

    resolve_clnt_init(&reply);
    for (int i = 0; i < m->rcpt_count; i++) {
        QMGR_RCPT *r = m->rcpts + i;
        QMGR_TRANSPORT *t;
        QMGR_QUEUE *q;

        if (r->status != QMGR_RCPT_TODO)
            continue;
        resolve_clnt_query_from(m->sender, r->rcpt.address, &reply);
        if (reply.flags & RESOLVE_FLAG_FAIL) {
            qmgr_defer_recipient(m, &r->rcpt, QMGR_DEFER_STATUS, "address resolver failure");
            r->status = QMGR_RCPT_HANDLED;
            continue;
        }
        if (reply.flags & RESOLVE_FLAG_ERROR) {
            qmgr_bounce_recipient(m, &r->rcpt, "5.1.3", "bad address syntax");
            r->status = QMGR_RCPT_HANDLED;
            continue;
        }
        if (VSTRING_LEN(reply.transport) == 0) {
            qmgr_defer_recipient(m, &r->rcpt, QMGR_DEFER_STATUS, "address resolver failure");
            r->status = QMGR_RCPT_HANDLED;
            continue;
        }
        /* The resolver's form of the recipient is what the agent gets. */
        if (VSTRING_LEN(reply.recipient) > 0 && strcmp(STR(reply.recipient), r->rcpt.address)) {
            myfree((char *)r->rcpt.address);
            r->rcpt.address = mystrdup(STR(reply.recipient));
        }
        r->transport = mystrdup(STR(reply.transport));
        r->nexthop = lowercase(mystrdup(STR(reply.nexthop)));
        if ((t = qmgr_transport_find(r->transport)) == 0)
            t = qmgr_transport_create(r->transport);
        if (t->dead) {
            qmgr_defer_recipient(m, &r->rcpt, QMGR_DEFER_STATUS, t->dead_reason);
            r->status = QMGR_RCPT_HANDLED;
            continue;
        }
        if (t->rcpt_limit == 1)
            lowercase(STR(vstring_strcpy(qname, r->rcpt.address)));
        else
            vstring_strcpy(qname, r->nexthop);
        if ((q = qmgr_queue_find(t, STR(qname))) != 0 && q->dead) {
            qmgr_defer_recipient(m, &r->rcpt, QMGR_DEFER_STATUS, q->dead_reason);
            r->status = QMGR_RCPT_HANDLED;
            continue;
        }
    }
    resolve_clnt_free(&reply);

    qmgr_assign_sort(m->rcpts, m->rcpt_count);
    pos = 0;
    for (;;) {
        QMGR_RCPT *first;
        QMGR_TRANSPORT *t;
        QMGR_QUEUE *q;
        QMGR_ENTRY *e;

        /* The limit comes from the transport of the next run. */
        while (pos < m->rcpt_count && m->rcpts[pos].status != QMGR_RCPT_TODO)
            pos++;
        if (pos >= m->rcpt_count)
            break;
        first = m->rcpts + pos;
        t = qmgr_transport_find(first->transport);
        if ((n = qmgr_assign_next(m->rcpts, m->rcpt_count, &pos, t->rcpt_limit)) == 0)
            break;
        if (t->rcpt_limit == 1)
            lowercase(STR(vstring_strcpy(qname, first->rcpt.address)));
        else
            vstring_strcpy(qname, first->nexthop);
        if ((q = qmgr_queue_find(t, STR(qname))) == 0)
            q = qmgr_queue_create(t, STR(qname));
        e = qmgr_entry_create(q, m, first->nexthop);
        for (int i = 0; i < n; i++) {
            RECIPIENT *rc = &first[i].rcpt;

            recipient_list_add(&e->rcpt_list, rc->offset, rc->dsn_orcpt, rc->dsn_notify,
                               rc->orig_addr, rc->address);
        }
    }
    vstring_free(qname);
}

QMGR_MESSAGE *qmgr_message_find(const char *queue_id)
{
    return qmgr_message_table ? htable_find(qmgr_message_table, queue_id) : 0;
}

void qmgr_message_update_warn(QMGR_MESSAGE *m)
{
    char buf[REC_TYPE_PTR_WIDTH + 1];

    if (m->warn_offset < 0)
        return;
    snprintf(buf, sizeof(buf), REC_TYPE_WARN_FORMAT, 0L);
    /* Type byte, one length byte (15 < 128), then the 15 digits. */
    if (pwrite(m->fd, buf, REC_TYPE_PTR_WIDTH, m->warn_offset + 2) != REC_TYPE_PTR_WIDTH)
        msg_warn("%s: update delay warning time: %m", m->queue_id);
    m->warn_time = 0;
}

void qmgr_message_free(QMGR_MESSAGE *m)
{
    if (m->prev)
        m->prev->next = m->next;
    else if (qmgr_message_list == m)
        qmgr_message_list = m->next;
    if (m->next)
        m->next->prev = m->prev;
    qmgr_message_count--;
    htable_delete(qmgr_message_table, m->queue_id, 0);
    qmgr_message_destroy(m);
}

/* qmgr_message_destroy - free a message that is not (or no longer) listed */
static void qmgr_message_destroy(QMGR_MESSAGE *m)
{
    qmgr_message_free_rcpts(m);
    if (m->fd >= 0)
        close(m->fd);
    myfree(m->queue_id);
    myfree(m->queue_name);
#define FREE_STR(s)                                                                                \
    do {                                                                                           \
        if (s)                                                                                     \
            myfree(s);                                                                             \
    } while (0)
    FREE_STR(m->sender);
    FREE_STR(m->encoding);
    FREE_STR(m->dsn_envid);
    FREE_STR(m->client_name);
    FREE_STR(m->client_addr);
    FREE_STR(m->client_helo);
    FREE_STR(m->client_proto);
    FREE_STR(m->log_origin);
    FREE_STR(m->sasl_method);
    FREE_STR(m->sasl_username);
    FREE_STR(m->sasl_sender);
    myfree(m);
}
