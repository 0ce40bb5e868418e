/*
 * cleanup_user - text and DSN code for a cleanup reply status (see
 * cleanup_user.h).
 *
 * A status may have several bits set; the one reported is the most
 * serious, in Postfix's order: a temporary rejection first, then a
 * before-queue filter error, an internal protocol error, no recipients,
 * too many hops, too large, content rejected, a write error, and a policy
 * denial last.  The texts and codes are Postfix's (they appear in sendmail
 * and postdrop errors and in log lines that tools parse).  A status with
 * only unknown bits gets a temporary "internal protocol error", never a
 * crash: the status arrives from another process.
 */
#include "cleanup_user.h"

#include <stddef.h>

typedef struct CLEANUP_STAT_INFO {
    unsigned status;
    const char *dsn;
    const char *text;
} CLEANUP_STAT_INFO;

static const CLEANUP_STAT_INFO cleanup_stat_table[] = {
    {CLEANUP_STAT_DEFER, "4.7.1", "service unavailable"},
    {CLEANUP_STAT_PROXY, "4.3.0", "queue file write error"},
    {CLEANUP_STAT_BAD, "4.3.0", "internal protocol error"},
    {CLEANUP_STAT_RCPT, "5.1.0", "no recipients specified"},
    {CLEANUP_STAT_HOPS, "5.4.0", "too many hops"},
    {CLEANUP_STAT_SIZE, "5.3.4", "message file too big"},
    {CLEANUP_STAT_CONT, "5.7.1", "message content rejected"},
    {CLEANUP_STAT_WRITE, "4.3.0", "queue file write error"},
    {CLEANUP_STAT_NOPERM, "5.7.1", "service denied"},
};

static const CLEANUP_STAT_INFO cleanup_stat_ok = {CLEANUP_STAT_OK, "2.0.0", "Success"};
static const CLEANUP_STAT_INFO cleanup_stat_unknown = {CLEANUP_STAT_BAD, "4.3.0",
                                                       "internal protocol error"};

static const CLEANUP_STAT_INFO *cleanup_stat_find(unsigned status)
{
    if (status == CLEANUP_STAT_OK)
        return &cleanup_stat_ok;
    for (size_t i = 0; i < sizeof(cleanup_stat_table) / sizeof(cleanup_stat_table[0]); i++)
        if (status & cleanup_stat_table[i].status)
            return cleanup_stat_table + i;
    return &cleanup_stat_unknown;
}

const char *cleanup_strerror(unsigned status)
{
    return cleanup_stat_find(status)->text;
}

const char *cleanup_stat_dsn(unsigned status)
{
    return cleanup_stat_find(status)->dsn;
}
