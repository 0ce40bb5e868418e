/*
 * error_text - split an error/retry nexthop into a status and a reason.
 *
 * The nexthop of the error and retry transports is the text to report,
 * optionally starting with an enhanced status code: "error:5.1.1 User
 * unknown" in a transport map reaches the agent as "5.1.1 User unknown".
 *
 *   error_text_split(nexthop, class, status, size, &reason)
 *       Copies the status to status[size]: the leading code when the text
 *       starts with a valid one ("4.2.0", "5.7.1") followed by white space
 *       or the end, else "C.0.0"; either way its first digit is then set
 *       to class ('5' for error, '4' for retry, '2' for discard), so that
 *       the error service always bounces and the retry service always
 *       defers.  *reason points into nexthop after the code and the white
 *       space that follows it; when nothing is left it is
 *       ERROR_TEXT_DEFAULT.
 */
#ifndef POSTERN_ERROR_TEXT_H
#define POSTERN_ERROR_TEXT_H

#include <stddef.h>

#define ERROR_TEXT_DEFAULT "Address is undeliverable"

extern void error_text_split(const char *nexthop, int class, char *status, size_t size,
                             const char **reason);

#endif
