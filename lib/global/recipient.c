/*
 * recipient - a growable list of envelope recipients (see recipient.h).
 *
 * recipient_list_add() copies every string, so a list outlives the buffers
 * its entries were read from; recipient_list_free() frees them and leaves
 * an empty list that can be used again.  The list grows by doubling, with
 * overflow-checked sizes.
 */
#include "recipient.h"

#include <limits.h>

#include "msg.h"
#include "mymalloc.h"

void recipient_list_init(RECIPIENT_LIST *list)
{
    list->info = 0;
    list->len = 0;
    list->avail = 0;
}

void recipient_list_add(RECIPIENT_LIST *list, long offset, const char *dsn_orcpt, int dsn_notify,
                        const char *orig_rcpt, const char *recipient)
{
    RECIPIENT *rp;

    if (recipient == 0)
        msg_panic("recipient_list_add: null recipient");
    if (list->len >= list->avail) {
        if (list->avail > INT_MAX / 2)
            msg_panic("recipient_list_add: too many recipients");
        list->avail = list->avail ? list->avail * 2 : 4;
        list->info = myrealloc_array(list->info, (size_t)list->avail, sizeof(*list->info));
    }
    rp = list->info + list->len++;
    rp->orig_addr = mystrdup(orig_rcpt ? orig_rcpt : recipient);
    rp->address = mystrdup(recipient);
    rp->offset = offset;
    rp->dsn_orcpt = mystrdup(dsn_orcpt ? dsn_orcpt : "");
    rp->dsn_notify = dsn_notify;
}

void recipient_list_free(RECIPIENT_LIST *list)
{
    for (int i = 0; i < list->len; i++) {
        myfree((void *)list->info[i].orig_addr);
        myfree((void *)list->info[i].address);
        myfree((void *)list->info[i].dsn_orcpt);
    }
    myfree(list->info);
    recipient_list_init(list);
}
