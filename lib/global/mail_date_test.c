/*
 * Unit tests for mail_date: the exact header text in several time zones,
 * including half-hour and 45-minute offsets, negative offsets, and dates
 * on both sides of DST changes.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mail_date.h"
#include "ptest.h"
#include "vstring.h"

typedef struct {
    const char *tz;
    time_t when;
    const char *want;
} DATE_CASE;

/* 1795335002 = Sun Nov 22 08:10:02 UTC 2026; 1781705402 = Wed Jun 17 14:10:02 UTC 2026 */
static const DATE_CASE date_cases[] = {
    {"UTC", 1795335002, "Sun, 22 Nov 2026 08:10:02 +0000 (UTC)"},
    {"UTC", 0, "Thu,  1 Jan 1970 00:00:00 +0000 (UTC)"},
    {"UTC", 1793520000, "Sun,  1 Nov 2026 08:00:00 +0000 (UTC)"},
    {"Europe/Berlin", 1795335002, "Sun, 22 Nov 2026 09:10:02 +0100 (CET)"},
    {"Europe/Berlin", 1781705402, "Wed, 17 Jun 2026 16:10:02 +0200 (CEST)"},
    {"Asia/Kolkata", 1795335002, "Sun, 22 Nov 2026 13:40:02 +0530 (IST)"},
    {"Asia/Kathmandu", 1795335002, "Sun, 22 Nov 2026 13:55:02 +0545 (+0545)"},
    {"America/St_Johns", 1795335002, "Sun, 22 Nov 2026 04:40:02 -0330 (NST)"},
    {"America/St_Johns", 1781705402, "Wed, 17 Jun 2026 11:40:02 -0230 (NDT)"},
    {"America/New_York", 1795335002, "Sun, 22 Nov 2026 03:10:02 -0500 (EST)"},
    {"Pacific/Kiritimati", 1795335002, "Sun, 22 Nov 2026 22:10:02 +1400 (+14)"},
    {"Pacific/Pago_Pago", 1795335002, "Sat, 21 Nov 2026 21:10:02 -1100 (SST)"},
    /* Local date differs from the UTC date across a year boundary. */
    {"Pacific/Kiritimati", 1798718400, "Fri,  1 Jan 2027 02:00:00 +1400 (+14)"},
    {"America/New_York", 1798761599, "Thu, 31 Dec 2026 18:59:59 -0500 (EST)"},
    /* POSIX TZ strings: no zone database needed. */
    {"XYZ-5:30", 1795335002, "Sun, 22 Nov 2026 13:40:02 +0530 (XYZ)"},
    {"ABC+0:30", 1795335002, "Sun, 22 Nov 2026 07:40:02 -0030 (ABC)"},
};

static void test_zones(void)
{
    VSTRING *buf = vstring_alloc(10);

    for (size_t i = 0; i < sizeof(date_cases) / sizeof(date_cases[0]); i++) {
        const DATE_CASE *dc = date_cases + i;

        setenv("TZ", dc->tz, 1);
        tzset();
        mail_date_format(buf, dc->when, MAIL_DATE_NONE);
        if (strcmp(vstring_str(buf), dc->want) != 0)
            PTEST_FAIL("TZ=%s %ld: got \"%s\", want \"%s\"", dc->tz, (long) dc->when,
                       vstring_str(buf), dc->want);
    }
    vstring_free(buf);
}

static void test_append_and_static(void)
{
    VSTRING *buf = vstring_alloc(10);

    setenv("TZ", "UTC", 1);
    tzset();
    vstring_strcpy(buf, "Date: ");
    mail_date_format(buf, 0, MAIL_DATE_APPEND);
    PTEST_STR_EQ(vstring_str(buf), "Date: Thu,  1 Jan 1970 00:00:00 +0000 (UTC)");
    PTEST_STR_EQ(mail_date(86400 * 365), "Fri,  1 Jan 1971 00:00:00 +0000 (UTC)");
    vstring_free(buf);
}

/* Every second of a day in a DST zone formats with a sane shape. */
static void test_shape(void)
{
    setenv("TZ", "Europe/London", 1);
    tzset();
    /* 2026-03-29 is the spring-forward day in Europe. */
    for (time_t t = 1774742400 - 3600; t < 1774742400 + 86400; t += 61) {
        const char *s = mail_date(t);
        size_t len = strlen(s);
        if (len < 31 || s[3] != ',' || s[4] != ' ' || s[19] != ':' || s[22] != ':' ||
            (s[26] != '+' && s[26] != '-')) {
            PTEST_FAIL("bad date \"%s\" for %ld", s, (long) t);
            break;
        }
    }
}

static const PTEST_CASE cases[] = {
    {"zones", test_zones},
    {"append_and_static", test_append_and_static},
    {"shape", test_shape},
};

PTEST_MAIN(cases)
