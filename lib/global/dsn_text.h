/*
 * dsn_text - split "[status] text" into an enhanced status code and the
 * text, for delivery agents whose nexthop is a reply to give: the error and
 * retry agents ("error:5.1.1 User unknown" in a transport map reaches the
 * agent as the nexthop "5.1.1 User unknown") and discard ("discard:2.6.0
 * spam").
 *
 *   rest = dsn_text_split(text, class, status, size)
 *       Leading white space is skipped.  When text then starts with a
 *       valid status code (dsn_valid: "[245].d{1,3}.d{1,3}") followed by
 *       white space or the end, the code is copied to status[size] and the
 *       white space after it skipped; else status is "C.0.0".  Either way
 *       the first digit of status is then set to class ('5' error, '4'
 *       retry, '2' discard), so that an agent's outcome never depends on a
 *       code in the configuration.  Returns the text after the code (may be
 *       empty: the caller picks its own default reason).  size must be at
 *       least DSN_TEXT_STATUS_SIZE.
 *
 * What can go wrong: nothing; any text gives a valid status.
 */
#ifndef POSTERN_DSN_TEXT_H
#define POSTERN_DSN_TEXT_H

#include <stddef.h>

#define DSN_TEXT_STATUS_SIZE 12 /* "5.123.456" and a null, rounded up */

extern const char *dsn_text_split(const char *text, int class, char *status, size_t size);

#endif
