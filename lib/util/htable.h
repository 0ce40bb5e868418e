/*
 * htable - hash table of string keys to opaque values.
 *
 * Keys are copied; values are the caller's.  htable_enter() on a key that
 * exists replaces nothing and returns the existing entry; use htable_find()
 * first, or htable_locate() and set ->value.  htable_list() returns a
 * null-terminated array of entries (caller frees the array, not the entries)
 * in insertion order, which is what postconf and friends print.
 */
#ifndef POSTERN_HTABLE_H
#define POSTERN_HTABLE_H

#include <stddef.h>

typedef struct HTABLE_INFO {
    char *key;
    void *value;
    struct HTABLE_INFO *next;           /* bucket chain */
    struct HTABLE_INFO *order_next;     /* insertion order */
    struct HTABLE_INFO *order_prev;
} HTABLE_INFO;

typedef struct HTABLE {
    size_t size;                        /* buckets */
    size_t used;                        /* entries */
    HTABLE_INFO **data;
    HTABLE_INFO *order_head;
    HTABLE_INFO *order_tail;
} HTABLE;

extern HTABLE *htable_create(size_t size);
extern HTABLE_INFO *htable_enter(HTABLE *table, const char *key, void *value);
extern HTABLE_INFO *htable_locate(HTABLE *table, const char *key);
extern void *htable_find(HTABLE *table, const char *key);
extern void htable_delete(HTABLE *table, const char *key, void (*free_fn)(void *));
extern void htable_free(HTABLE *table, void (*free_fn)(void *));
extern HTABLE_INFO **htable_list(HTABLE *table);
extern size_t htable_hash(const char *key);

#endif
