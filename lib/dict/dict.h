/*
 * dict - the one lookup-table interface behind every *_maps parameter.
 *
 * A table is opened by "type:name" (dict_open) and answers lookups by key.
 * A lookup returns one of three outcomes, never folded into one another:
 *
 *   DICT_STAT_FOUND     *value points at the answer (valid until the next
 *                       call on this DICT)
 *   DICT_STAT_NOTFOUND  the key is not in the table
 *   DICT_STAT_FAIL      the table could not answer; dict->error says why
 *                       (DICT_ERR_RETRY: try again later, e.g. a locked or
 *                       unreachable table; DICT_ERR_CONFIG: the table is
 *                       broken and an administrator must act) and
 *                       dict_errtext(dict) the human-readable reason.
 *
 * "table unavailable" must never be mistaken for "not found": callers defer
 * (4xx) on DICT_STAT_FAIL.
 *
 * Types (one file each in lib/dict/): hash, btree (Berkeley DB 5.3, file
 * NAME.db, byte-compatible with Postfix's postmap), lmdb (NAME.lmdb), cdb
 * (NAME.cdb), texthash (the source file read into memory), inline:{k=v,...},
 * static:value, regexp, pcre, cidr (pattern files), unix:passwd.byname,
 * unix:group.byname, fail:text, environ.
 *
 * Flags follow Postfix's semantics so that tables are interchangeable:
 *   DICT_FLAG_TRY0NULL/TRY1NULL  keys and values stored without / with a
 *                       terminating null byte (Postfix's postmap writes
 *                       TRY1NULL for Berkeley DB on Linux; a reader tries
 *                       both and then fixes the one that matched)
 *   DICT_FLAG_FOLD_FIX  fold keys to lower case for fixed-string tables
 *   DICT_FLAG_FOLD_MUL  same, for pattern tables (regexp/pcre)
 *   DICT_FLAG_DUP_*     duplicate keys on update: warn, ignore, replace
 *   DICT_FLAG_LOCK      lock the table file around each access
 *   DICT_FLAG_PARANOID  refuse "$", "(" tricks in pattern substitution
 *
 * Writers (postmap, postalias) use update/delete/sequence; readers only
 * lookup.  sequence() walks the table: DICT_SEQ_FIRST then DICT_SEQ_NEXT;
 * it returns the same three outcomes (NOTFOUND at the end).
 */
#ifndef POSTERN_DICT_H
#define POSTERN_DICT_H

#include <sys/types.h>

#include "vstring.h"

#define DICT_STAT_FOUND 0
#define DICT_STAT_NOTFOUND 1
#define DICT_STAT_FAIL (-1)

#define DICT_ERR_NONE 0
#define DICT_ERR_RETRY (-1)
#define DICT_ERR_CONFIG (-2)

#define DICT_SEQ_FIRST 0
#define DICT_SEQ_NEXT 1

#define DICT_LOCK_SHARED 1
#define DICT_LOCK_EXCLUSIVE 2
#define DICT_LOCK_NONE 0

/* Postfix's flag values, kept so that log output and -v traces compare. */
#define DICT_FLAG_NONE 0
#define DICT_FLAG_DUP_WARN (1 << 0)     /* warn about duplicate keys */
#define DICT_FLAG_DUP_IGNORE (1 << 1)   /* ignore duplicate keys */
#define DICT_FLAG_TRY0NULL (1 << 2)     /* do not append 0 to key/value */
#define DICT_FLAG_TRY1NULL (1 << 3)     /* append 0 to key/value */
#define DICT_FLAG_FIXED (1 << 4)        /* fixed key map */
#define DICT_FLAG_PATTERN (1 << 5)      /* keys are patterns */
#define DICT_FLAG_LOCK (1 << 6)         /* use temp lock before access */
#define DICT_FLAG_DUP_REPLACE (1 << 7)  /* replace duplicate keys */
#define DICT_FLAG_SYNC_UPDATE (1 << 8)  /* sync updates */
#define DICT_FLAG_DEBUG (1 << 9)        /* log access */
#define DICT_FLAG_NO_REGSUB (1 << 11)   /* disallow regexp substitution */
#define DICT_FLAG_NO_PROXY (1 << 12)    /* disallow proxy mapping */
#define DICT_FLAG_NO_UNAUTH (1 << 13)   /* disallow unauthenticated data */
#define DICT_FLAG_FOLD_FIX (1 << 14)    /* case-fold key with fixed-case map */
#define DICT_FLAG_FOLD_MUL (1 << 15)    /* case-fold key with multi-case map */
#define DICT_FLAG_FOLD_ANY (DICT_FLAG_FOLD_FIX | DICT_FLAG_FOLD_MUL)
#define DICT_FLAG_OPEN_LOCK (1 << 16)   /* perm lock if not multi-writer safe */
#define DICT_FLAG_BULK_UPDATE (1 << 17) /* optimize for bulk updates */
#define DICT_FLAG_MULTI_WRITER (1 << 18)        /* multi-writer safe */
#define DICT_FLAG_UTF8_REQUEST (1 << 19)        /* activate UTF-8 if possible */
#define DICT_FLAG_UTF8_ACTIVE (1 << 20)         /* UTF-8 proxy layer is present */
#define DICT_FLAG_SRC_RHS_IS_FILE (1 << 21)     /* value is a file name */
#define DICT_FLAG_PARANOID DICT_FLAG_NO_REGSUB

/* Default flags a reader passes (Postfix: dict_open default for maps). */
#define DICT_FLAG_DEFAULT (DICT_FLAG_FOLD_FIX | DICT_FLAG_UTF8_REQUEST)

typedef struct DICT DICT;

struct DICT {
    char *type;                         /* "hash" */
    char *name;                         /* "/etc/postfix/virtual" */
    int flags;                          /* DICT_FLAG_* */
    int open_flags;                     /* O_RDONLY, O_RDWR|O_CREAT|O_TRUNC... */
    int error;                          /* DICT_ERR_* of the last operation */
    VSTRING *errtext;                   /* reason for the last failure */
    VSTRING *fold_buf;                  /* scratch for case folding */
    int lock_fd;                        /* -1 if none */
    int stat_fd;                        /* -1 if none; for change detection */
    time_t mtime;                       /* of the file at open */
    int owner_uid;                      /* file owner, for trust decisions */
    int (*lookup)(DICT *dict, const char *key, const char **value);
    int (*update)(DICT *dict, const char *key, const char *value);
    int (*delete)(DICT *dict, const char *key);
    int (*sequence)(DICT *dict, int func, const char **key, const char **value);
    int (*lock)(DICT *dict, int op);
    void (*close)(DICT *dict);
};

/* One entry of the type registry (lib/dict/dict_open.c). */
typedef DICT *(*DICT_OPEN_FN)(const char *name, int open_flags, int dict_flags);

/*
 * dict_open("hash:/etc/postfix/virtual", O_RDONLY, DICT_FLAG_DEFAULT).
 * Never returns a null pointer: a table that cannot be opened comes back as
 * a "surrogate" whose every operation fails with DICT_ERR_CONFIG (or RETRY)
 * and whose errtext says why, so that a daemon can defer mail rather than
 * die.  Commands that must fail at once check dict_open_error().
 */
extern DICT *dict_open(const char *type_name, int open_flags, int dict_flags);
extern DICT *dict_open3(const char *type, const char *name, int open_flags, int dict_flags);
extern int dict_open_error(const DICT *dict);   /* nonzero for a surrogate */
extern int dict_type_known(const char *type);
extern void dict_type_list(void (*fn)(const char *type));      /* postconf -m */

/* Common plumbing for table implementations. */
extern DICT *dict_alloc(const char *type, const char *name, size_t size);
extern void dict_free(DICT *dict);
extern DICT *dict_surrogate(const char *type, const char *name, int open_flags,
                            int dict_flags, int error, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
extern int dict_fail(DICT *dict, int error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));      /* sets error/errtext, returns DICT_STAT_FAIL */
extern const char *dict_errtext(const DICT *dict);
extern const char *dict_fold_key(DICT *dict, const char *key);  /* lower-cases per flags */

/*
 * dict_changed(dict): nonzero when the file behind a table was modified or
 * replaced since it was opened (postmap renames a rebuilt table into place,
 * which leaves the open file with no links), so a long-running reader knows
 * to reopen.  Always 0 for tables without a file.
 */
extern int dict_changed(const DICT *dict);

/* Convenience wrappers that reset dict->error before the call. */
extern int dict_get(DICT *dict, const char *key, const char **value);
extern int dict_put(DICT *dict, const char *key, const char *value);
extern int dict_del(DICT *dict, const char *key);
extern int dict_seq(DICT *dict, int func, const char **key, const char **value);
extern void dict_close(DICT *dict);

#endif
