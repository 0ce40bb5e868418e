/*
 * postsuper_qid - compute the inode-matching name of a queue file; see
 * postsuper_qid.h.  Pure computation: no file access, nothing can fail
 * except an id that is not a queue id (returned as -1).
 */
#include "postsuper_qid.h"

#include <stdio.h>
#include <string.h>

#include "queue_id.h"

#define PSQ_LONG_PREFIX 10 /* 6 digits of seconds, 4 of microseconds */
#define PSQ_DIGITS51    "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxy"

/* postsuper_qid_base51 - the inode part of a long id */

static void postsuper_qid_base51(char *out, unsigned long val)
{
    char tmp[32];
    int n = 0;

    do {
        tmp[n++] = PSQ_DIGITS51[val % 51];
        val /= 51;
    } while (val != 0);
    while (n > 0)
        *out++ = tmp[--n];
    *out = 0;
}

/* postsuper_qid_kind - queue_id_kind(), and a bare hash key counts as short */

int postsuper_qid_kind(const char *id)
{
    size_t len = strspn(id, "0123456789ABCDEF");

    /* Postfix renames "99999" too: 5 hex digits and an empty inode part. */
    if (len == QUEUE_ID_HASH_KEYLEN && id[len] == 0)
        return QUEUE_ID_SHORT;
    return queue_id_kind(id);
}

int postsuper_qid_fixed(const char *id, unsigned long inode, int long_ids, int strict, char *out)
{
    char key[QUEUE_ID_HASH_KEYLEN + 1];

    switch (postsuper_qid_kind(id)) {
    case QUEUE_ID_SHORT:
        snprintf(out, QUEUE_ID_BUFSIZE, "%.5s%lX", id, inode);
        break;
    case QUEUE_ID_LONG:
        if (!long_ids) {
            if (queue_id_hash_key(id, key) < 0)
                return -1;
            snprintf(out, QUEUE_ID_BUFSIZE, "%s%lX", key, inode);
        } else if (strict) {
            memcpy(out, id, PSQ_LONG_PREFIX + 1);
            postsuper_qid_base51(out + PSQ_LONG_PREFIX + 1, inode);
        } else {
            snprintf(out, QUEUE_ID_BUFSIZE, "%s", id);
        }
        break;
    default:
        return -1;
    }
    return strcmp(out, id) != 0;
}
