/*
 * mail_date - RFC 5322 date-time text for Date: and Received: headers.
 *
 * mail_date_format(vp, when) writes the local time of when, in the form
 * Postfix puts in the headers it adds:
 *
 *     Sun,  1 Nov 2026 08:10:02 +0000 (UTC)
 *     Wed, 17 Jun 2026 14:10:02 +0530 (IST)
 *
 * that is: English day-of-week and month abbreviations (never localized),
 * the day of the month padded with a space to two characters, a four-digit
 * year, 24-hour time, the numeric UTC offset (sign, hours, minutes), and
 * the time zone abbreviation in parentheses.  The abbreviation is left out
 * (with its parentheses) when the C library has none.  The local zone is
 * the process's TZ, as for localtime(3).  Returns vp; with
 * MAIL_DATE_APPEND appends instead of overwriting.
 *
 * mail_date(when) formats into a static buffer (overwritten by the next
 * call); convenient for one-shot header lines.
 *
 * What can go wrong: a time outside what localtime(3) can represent gives
 * the text for the Unix epoch in UTC rather than failing, so that a
 * header line is always well-formed.
 */
#ifndef POSTERN_MAIL_DATE_H
#define POSTERN_MAIL_DATE_H

#include <time.h>

#include "vstring.h"

#define MAIL_DATE_NONE 0
#define MAIL_DATE_APPEND (1 << 0)

extern VSTRING *mail_date_format(VSTRING *vp, time_t when, int flags);
extern const char *mail_date(time_t when);

#endif
