/*
 * checked - the one place that reports size overflow; see checked.h.
 */
#include "checked.h"
#include "msg.h"

void checked_overflow(const char *op, size_t a, size_t b)
{
    msg_panic("size overflow: %zu %s %zu", a, op, b);
}
