/*
 * htable - hash table; see htable.h.  FNV-1a hashing, chained buckets, the
 * table doubles when it is full, and a doubly linked list keeps insertion
 * order for listing.
 */
#include <string.h>

#include "checked.h"
#include "htable.h"
#include "mymalloc.h"

size_t htable_hash(const char *key)
{
    size_t h = 14695981039346656037UL;

    while (*key) {
        h ^= (unsigned char) *key++;
        h *= 1099511628211UL;
    }
    return h;
}

HTABLE *htable_create(size_t size)
{
    HTABLE *table = mymalloc(sizeof(*table));

    table->size = size < 13 ? 13 : size;
    table->used = 0;
    table->data = mycalloc(table->size, sizeof(HTABLE_INFO *));
    table->order_head = table->order_tail = 0;
    return table;
}

static void htable_grow(HTABLE *table)
{
    size_t new_size = checked_add(checked_mul(table->size, 2), 1);
    HTABLE_INFO **new_data = mycalloc(new_size, sizeof(HTABLE_INFO *));

    for (HTABLE_INFO *ht = table->order_head; ht; ht = ht->order_next) {
        size_t b = htable_hash(ht->key) % new_size;
        ht->next = new_data[b];
        new_data[b] = ht;
    }
    myfree(table->data);
    table->data = new_data;
    table->size = new_size;
}

HTABLE_INFO *htable_locate(HTABLE *table, const char *key)
{
    for (HTABLE_INFO *ht = table->data[htable_hash(key) % table->size]; ht; ht = ht->next)
        if (strcmp(ht->key, key) == 0)
            return ht;
    return 0;
}

void *htable_find(HTABLE *table, const char *key)
{
    HTABLE_INFO *ht = htable_locate(table, key);

    return ht ? ht->value : 0;
}

HTABLE_INFO *htable_enter(HTABLE *table, const char *key, void *value)
{
    HTABLE_INFO *ht = htable_locate(table, key);
    size_t b;

    if (ht)
        return ht;
    if (table->used >= table->size)
        htable_grow(table);
    ht = mymalloc(sizeof(*ht));
    ht->key = mystrdup(key);
    ht->value = value;
    b = htable_hash(key) % table->size;
    ht->next = table->data[b];
    table->data[b] = ht;
    ht->order_next = 0;
    ht->order_prev = table->order_tail;
    if (table->order_tail)
        table->order_tail->order_next = ht;
    else
        table->order_head = ht;
    table->order_tail = ht;
    table->used++;
    return ht;
}

void htable_delete(HTABLE *table, const char *key, void (*free_fn)(void *))
{
    HTABLE_INFO **pp = &table->data[htable_hash(key) % table->size];

    for (HTABLE_INFO *ht = *pp; ht; pp = &ht->next, ht = ht->next) {
        if (strcmp(ht->key, key) != 0)
            continue;
        *pp = ht->next;
        if (ht->order_prev)
            ht->order_prev->order_next = ht->order_next;
        else
            table->order_head = ht->order_next;
        if (ht->order_next)
            ht->order_next->order_prev = ht->order_prev;
        else
            table->order_tail = ht->order_prev;
        if (free_fn)
            free_fn(ht->value);
        myfree(ht->key);
        myfree(ht);
        table->used--;
        return;
    }
}

void htable_free(HTABLE *table, void (*free_fn)(void *))
{
    HTABLE_INFO *next;

    if (table == 0)
        return;
    for (HTABLE_INFO *ht = table->order_head; ht; ht = next) {
        next = ht->order_next;
        if (free_fn)
            free_fn(ht->value);
        myfree(ht->key);
        myfree(ht);
    }
    myfree(table->data);
    myfree(table);
}

HTABLE_INFO **htable_list(HTABLE *table)
{
    HTABLE_INFO **list = mymalloc_array(checked_add(table->used, 1), sizeof(HTABLE_INFO *));
    size_t i = 0;

    for (HTABLE_INFO *ht = table->order_head; ht; ht = ht->order_next)
        list[i++] = ht;
    list[i] = 0;
    return list;
}
