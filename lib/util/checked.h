/*
 * checked - overflow-checked size arithmetic.
 *
 * checked_add() and checked_mul() return the exact result or end the process
 * with msg_panic(): an overflowing size is always a bug or an attack, never
 * something to carry on with.  The _ok() forms report overflow to the caller
 * instead, for code that turns it into an error reply.
 */
#ifndef POSTERN_CHECKED_H
#define POSTERN_CHECKED_H

#include <stddef.h>

extern void checked_overflow(const char *op, size_t a, size_t b) __attribute__((noreturn));

static inline size_t checked_add(size_t a, size_t b)
{
    size_t r;

    if (__builtin_add_overflow(a, b, &r))
        checked_overflow("+", a, b);
    return r;
}

static inline size_t checked_mul(size_t a, size_t b)
{
    size_t r;

    if (__builtin_mul_overflow(a, b, &r))
        checked_overflow("*", a, b);
    return r;
}

static inline int checked_add_ok(size_t a, size_t b, size_t *r)
{
    return !__builtin_add_overflow(a, b, r);
}

static inline int checked_mul_ok(size_t a, size_t b, size_t *r)
{
    return !__builtin_mul_overflow(a, b, r);
}

#endif
