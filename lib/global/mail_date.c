/*
 * mail_date - RFC 5322 dates; see mail_date.h.
 *
 * Day and month names come from our own tables, not strftime(%a/%b), so the
 * output never depends on LC_TIME.  The UTC offset is computed from the
 * broken-down local and UTC times (tm_gmtoff would do on glibc, but the
 * difference method is portable and is what the offset means).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mail_date.h"
#include "vstring.h"

static const char mail_date_days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char mail_date_months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Minutes east of UTC of local time lt, given the UTC time gmt of the same instant. */
static long mail_date_offset(const struct tm *lt, const struct tm *gmt)
{
    long minutes = (long) (lt->tm_hour - gmt->tm_hour) * 60 + (lt->tm_min - gmt->tm_min);
    int day = lt->tm_year != gmt->tm_year ? lt->tm_year - gmt->tm_year : lt->tm_yday - gmt->tm_yday;

    /* Local and UTC dates differ by at most one day. */
    if (day > 0)
        minutes += 24 * 60;
    else if (day < 0)
        minutes -= 24 * 60;
    return minutes;
}

VSTRING *mail_date_format(VSTRING *vp, time_t when, int flags)
{
    struct tm lt;
    struct tm gmt;
    char zone[64];
    long offset;

    if ((flags & MAIL_DATE_APPEND) == 0)
        vstring_reset(vp);
    if (localtime_r(&when, &lt) == 0 || gmtime_r(&when, &gmt) == 0 || lt.tm_wday < 0 ||
        lt.tm_wday > 6 || lt.tm_mon < 0 || lt.tm_mon > 11) {
        when = 0;
        gmtime_r(&when, &lt);
        gmt = lt;
        strcpy(zone, "UTC");
    } else if (strftime(zone, sizeof(zone), "%Z", &lt) == 0) {
        zone[0] = 0;
    }
    offset = mail_date_offset(&lt, &gmt);
    vstring_sprintf_append(vp, "%s, %2d %s %04ld %02d:%02d:%02d %c%02ld%02ld",
                           mail_date_days[lt.tm_wday], lt.tm_mday, mail_date_months[lt.tm_mon],
                           (long) lt.tm_year + 1900, lt.tm_hour, lt.tm_min, lt.tm_sec,
                           offset < 0 ? '-' : '+', labs(offset) / 60, labs(offset) % 60);
    if (zone[0])
        vstring_sprintf_append(vp, " (%s)", zone);
    return vp;
}

const char *mail_date(time_t when)
{
    static VSTRING *buf;

    if (buf == 0)
        buf = vstring_alloc(40);
    return vstring_str(mail_date_format(buf, when, MAIL_DATE_NONE));
}
