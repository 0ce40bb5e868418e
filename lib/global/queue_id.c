/*
 * queue_id - make, check and hash queue ids (see queue_id.h).
 *
 * The long form's layout was established by observing Debian's Postfix
 * 3.7: ids decode to the file's creation time, microseconds and inode.
 */
#include "queue_id.h"

#include <stdio.h>
#include <string.h>

#include "msg.h"

#define QID_DIGITS52    "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz"
#define QID_SEC_WIDTH   6
#define QID_USEC_WIDTH  4
#define QID_SEPARATOR   'z'
#define QID_LONG_PREFIX (QID_SEC_WIDTH + QID_USEC_WIDTH)

static const char qid_digits[] = QID_DIGITS52;

/* qid_digit - value of a base-52 digit, -1 if not one */

static int qid_digit(int ch)
{
    const char *cp;

    if (ch == 0 || (cp = strchr(qid_digits, ch)) == 0)
        return -1;
    return (int)(cp - qid_digits);
}

/* qid_encode - fixed-width (or, with width 0, minimal) base-N number */

static char *qid_encode(char *out, unsigned long long val, unsigned base, int width)
{
    char tmp[64];
    int n = 0;

    do {
        tmp[n++] = qid_digits[val % base];
        val /= base;
    } while (val != 0 && n < (int)sizeof(tmp));
    while (n < width)
        tmp[n++] = '0';
    while (n > 0)
        *out++ = tmp[--n];
    *out = 0;
    return out;
}

char *queue_id_short(char *buf, long usec, unsigned long inode)
{
    if (usec < 0 || usec >= 1000000)
        msg_panic("queue_id_short: bad microseconds %ld", usec);
    snprintf(buf, QUEUE_ID_BUFSIZE, "%05lX%lX", (unsigned long)usec, inode);
    return buf;
}

char *queue_id_long(char *buf, time_t sec, long usec, unsigned long inode)
{
    char *cp;

    if (usec < 0 || usec >= 1000000 || sec < 0)
        msg_panic("queue_id_long: bad time %lld.%ld", (long long)sec, usec);
    cp = qid_encode(buf, (unsigned long long)sec, 52, QID_SEC_WIDTH);
    cp = qid_encode(cp, (unsigned long long)usec, 52, QID_USEC_WIDTH);
    *cp++ = QID_SEPARATOR;
    qid_encode(cp, inode, 51, 0);
    return buf;
}

int queue_id_ok(const char *id)
{
    size_t n;

    for (n = 0; id[n] != 0; n++) {
        unsigned char ch = (unsigned char)id[n];

        if (n >= QUEUE_ID_MAXLEN)
            return 0;
        if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z')))
            return 0;
    }
    return n > 0;
}

/* qid_long_usec - decode a long id's microseconds, -1 if not a long id */

static long qid_long_usec(const char *id)
{
    size_t len = strlen(id);
    long usec = 0;
    size_t i;

    if (len <= QID_LONG_PREFIX + 1 || len > QUEUE_ID_MAXLEN || id[QID_LONG_PREFIX] != QID_SEPARATOR)
        return -1;
    for (i = 0; i < QID_LONG_PREFIX; i++)
        if (qid_digit(id[i]) < 0)
            return -1;
    for (i = QID_LONG_PREFIX + 1; i < len; i++)
        if (qid_digit(id[i]) < 0 || id[i] == QID_SEPARATOR)
            return -1;
    for (i = QID_SEC_WIDTH; i < QID_LONG_PREFIX; i++)
        usec = usec * 52 + qid_digit(id[i]);
    return usec < 1000000 ? usec : -1;
}

int queue_id_kind(const char *id)
{
    size_t len = strlen(id);
    size_t i;

    if (!queue_id_ok(id))
        return 0;
    if (qid_long_usec(id) >= 0)
        return QUEUE_ID_LONG;
    if (len <= QUEUE_ID_HASH_KEYLEN || len > QUEUE_ID_HASH_KEYLEN + 16)
        return 0;
    for (i = 0; i < len; i++)
        if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'A' && id[i] <= 'F')))
            return 0;
    if (strncmp(id, "F4240", QUEUE_ID_HASH_KEYLEN) >= 0)
        return 0; /* microseconds >= 1000000 */
    return QUEUE_ID_SHORT;
}

int queue_id_hash_key(const char *id, char key[QUEUE_ID_HASH_KEYLEN + 1])
{
    long usec;

    if (!queue_id_ok(id))
        return -1;
    if ((usec = qid_long_usec(id)) >= 0) {
        snprintf(key, QUEUE_ID_HASH_KEYLEN + 1, "%05X", (unsigned)usec & 0xFFFFFu);
    } else {
        /* Short ids, and names of neither form: their own first characters. */
        snprintf(key, QUEUE_ID_HASH_KEYLEN + 1, "%s", id);
    }
    return 0;
}
