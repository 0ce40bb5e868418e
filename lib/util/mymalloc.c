/*
 * mymalloc - allocation wrappers; see mymalloc.h.
 */
#include <stdlib.h>
#include <string.h>

#include "checked.h"
#include "msg.h"
#include "mymalloc.h"

static void *mymalloc_check(void *ptr, size_t len)
{
    if (ptr == 0)
        msg_fatal("out of memory: could not allocate %zu bytes", len);
    return ptr;
}

void *mymalloc(size_t len)
{
    return mymalloc_check(malloc(len ? len : 1), len);
}

void *mycalloc(size_t n, size_t size)
{
    return mymalloc_check(calloc(n ? n : 1, size ? size : 1), n * size);
}

void *myrealloc(void *ptr, size_t len)
{
    return mymalloc_check(realloc(ptr, len ? len : 1), len);
}

void *mymalloc_array(size_t n, size_t size)
{
    return mymalloc(checked_mul(n, size));
}

void *myrealloc_array(void *ptr, size_t n, size_t size)
{
    return myrealloc(ptr, checked_mul(n, size));
}

void myfree(void *ptr)
{
    free(ptr);
}

char *mystrdup(const char *str)
{
    return mymemdup(str, strlen(str) + 1);
}

char *mystrndup(const char *str, size_t len)
{
    const char *end = memchr(str, 0, len);
    char *copy;

    if (end)
        len = (size_t) (end - str);
    copy = mymalloc(checked_add(len, 1));
    memcpy(copy, str, len);
    copy[len] = 0;
    return copy;
}

void *mymemdup(const void *ptr, size_t len)
{
    return memcpy(mymalloc(len), ptr, len);
}
