/*
 * mymalloc - memory allocation that either succeeds or does not return.
 *
 * Every allocation in Postern goes through these functions, so that out of
 * memory is handled in exactly one place: msg_fatal() with the size asked
 * for.  Sizes are size_t; mymalloc_array() checks n * size for overflow.
 */
#ifndef POSTERN_MYMALLOC_H
#define POSTERN_MYMALLOC_H

#include <stddef.h>

extern void *mymalloc(size_t len);
extern void *mycalloc(size_t n, size_t size);
extern void *myrealloc(void *ptr, size_t len);
extern void *mymalloc_array(size_t n, size_t size);
extern void *myrealloc_array(void *ptr, size_t n, size_t size);
extern void myfree(void *ptr);
extern char *mystrdup(const char *str);
extern char *mystrndup(const char *str, size_t len);
extern void *mymemdup(const void *ptr, size_t len);

#endif
