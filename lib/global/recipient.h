#ifndef POSTERN_RECIPIENT_H
#define POSTERN_RECIPIENT_H

/*
 * recipient - one envelope recipient as the queue file records it.
 *
 *   orig_addr   the address as first received (REC_TYPE_ORCP), or the same
 *               as address
 *   address     the (rewritten) recipient (REC_TYPE_RCPT)
 *   offset      where its R record starts in the queue file: a delivery
 *               agent marks the recipient done there (deliver_completed)
 *   dsn_orcpt   DSN ORCPT= value ("rfc822;user@example") or ""
 *   dsn_notify  DSN_NOTIFY_ flags, 0 when the client gave none
 *
 * RECIPIENT_LIST is a growable array; recipient_list_add() copies strings.
 */

typedef struct RECIPIENT {
    const char *orig_addr;
    const char *address;
    long offset;
    const char *dsn_orcpt;
    int dsn_notify;
} RECIPIENT;

typedef struct RECIPIENT_LIST {
    RECIPIENT *info;
    int len;
    int avail;
} RECIPIENT_LIST;

extern void recipient_list_init(RECIPIENT_LIST *list);
extern void recipient_list_add(RECIPIENT_LIST *list, long offset, const char *dsn_orcpt, int dsn_notify,
                               const char *orig_rcpt, const char *recipient);
extern void recipient_list_free(RECIPIENT_LIST *list);

#endif
