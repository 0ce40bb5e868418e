/*
 * qmgr_assign - group a message's resolved recipients into delivery
 * requests (pure functions, unit-tested in qmgr_assign_test.c).
 *
 * Interface: see qmgr.h.
 *
 *   qmgr_assign_sort(list, len)
 *       Sort by transport, then nexthop, then recipient address, so that
 *       the recipients of one destination are adjacent (a request carries
 *       recipients for exactly one transport and nexthop) and requests list
 *       their recipients in a stable, predictable order.  Recipients that
 *       qmgr already handled (QMGR_RCPT_HANDLED) sort last.
 *   qmgr_assign_next(list, len, &pos, limit)
 *       Skip handled recipients at pos, then return the length n of the run
 *       list[pos..pos+n-1] with one transport and nexthop, n <= limit (a
 *       limit below 1 counts as 1), and advance pos past it.  0 when no
 *       recipient is left.
 */
#include <stdlib.h>
#include <string.h>

#include "qmgr.h"

static int qmgr_assign_cmp(const void *a, const void *b)
{
    const QMGR_RCPT *ra = a;
    const QMGR_RCPT *rb = b;
    int cmp;

    if (ra->status != rb->status)
        return ra->status == QMGR_RCPT_HANDLED ? 1 : -1;
    if (ra->status == QMGR_RCPT_HANDLED)
        return ra->rcpt.offset < rb->rcpt.offset ? -1 : ra->rcpt.offset > rb->rcpt.offset;
    if ((cmp = strcmp(ra->transport, rb->transport)) != 0)
        return cmp;
    if ((cmp = strcmp(ra->nexthop, rb->nexthop)) != 0)
        return cmp;
    if ((cmp = strcmp(ra->rcpt.address, rb->rcpt.address)) != 0)
        return cmp;
    return ra->rcpt.offset < rb->rcpt.offset ? -1 : ra->rcpt.offset > rb->rcpt.offset;
}

void qmgr_assign_sort(QMGR_RCPT *list, int len)
{
    if (len > 1)
        qsort(list, (size_t)len, sizeof(*list), qmgr_assign_cmp);
}

int qmgr_assign_next(const QMGR_RCPT *list, int len, int *pos, int limit)
{
    int start;
    int n;

    if (limit < 1)
        limit = 1;
    while (*pos < len && list[*pos].status != QMGR_RCPT_TODO)
        *pos += 1;
    if (*pos >= len)
        return 0;
    start = *pos;
    for (n = 1; start + n < len && n < limit; n++) {
        const QMGR_RCPT *r = list + start + n;

        if (r->status != QMGR_RCPT_TODO || strcmp(r->transport, list[start].transport) != 0 ||
            strcmp(r->nexthop, list[start].nexthop) != 0)
            break;
    }
    *pos = start + n;
    return n;
}
