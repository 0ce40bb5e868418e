/*
 * dict_db - the "hash" and "btree" tables: Berkeley DB 5.3 files NAME.db in
 * the format Debian's Postfix reads and writes.
 *
 * Interface: dict_hash_open() / dict_btree_open() (dict_db.h).
 *
 * Compatibility with Postfix's postmap:
 *   - DB_HASH (with an initial element count of 4096, as Postfix asks) or
 *     DB_BTREE, default page size, native byte order, no environment;
 *   - keys and values are written with a trailing null byte (TRY1NULL, as
 *     Postfix does on Linux) unless the caller says otherwise; a reader
 *     tries both forms and fixes the one that matched first;
 *   - locks: flock() on the .db file, shared around each lookup and
 *     exclusive for writers, which is what Postfix does on Linux.
 * A table opened with O_TRUNC is built in NAME.db.tmp and renamed over
 * NAME.db at close (dict_file.h), so readers never see a partial table.
 *
 * Errors: a missing or unreadable file gives a surrogate "open database
 * NAME.db: REASON"; a failing get/put/cursor is DICT_STAT_FAIL with
 * DICT_ERR_RETRY.  A duplicate key on update with none of the DUP flags is
 * fatal, as in Postfix (only postmap/postalias update).
 */
#include <db.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dict.h"
#include "dict_db.h"
#include "dict_file.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstring.h"

#define DICT_DB_NELM 4096

size_t dict_db_cache_size = 128 * 1024;

typedef struct DICT_DB {
    DICT dict;
    DB *db;
    DBC *cursor;
    char *db_path;     /* NAME.db */
    VSTRING *tmp_path; /* NAME.db.tmp while building */
    int building;      /* O_TRUNC: rename at close */
    int session_lock;  /* dict->lock() holds a lock */
    VSTRING *key_buf;
    VSTRING *val_buf;
} DICT_DB;

static int dict_db_lock_op(DICT_DB *dp, int op)
{
    if ((dp->dict.flags & DICT_FLAG_LOCK) == 0 || dp->session_lock || dp->dict.lock_fd < 0)
        return 0;
    if (dict_file_lock(dp->dict.lock_fd, DICT_FILE_FLOCK, op) < 0)
        return dict_fail(&dp->dict, DICT_ERR_RETRY, "%s: lock dictionary: %m", dp->db_path);
    return 0;
}

static int dict_db_lock(DICT *dict, int op)
{
    DICT_DB *dp = (DICT_DB *)dict;

    if (dict->lock_fd < 0)
        return 0;
    /* Updates made under the lock reach the file before others may look. */
    if (op == DICT_LOCK_NONE && dp->session_lock && (dict->open_flags & O_ACCMODE) != O_RDONLY)
        (void)dp->db->sync(dp->db, 0);
    if (dict_file_lock(dict->lock_fd, DICT_FILE_FLOCK, op) < 0)
        return dict_fail(dict, DICT_ERR_RETRY, "%s: lock dictionary: %m", dp->db_path);
    dp->session_lock = op != DICT_LOCK_NONE;
    return 0;
}

/* After an in-place change outside a session lock: write it out before unlocking. */
static void dict_db_sync_change(DICT_DB *dp)
{
    if (!dp->building && !dp->session_lock)
        (void)dp->db->sync(dp->db, 0);
}

/* Copy a DBT into a null-terminated string, dropping one trailing null. */
static const char *dict_db_string(VSTRING *buf, const DBT *dbt)
{
    size_t len = dbt->size;

    if (len > 0 && ((const char *)dbt->data)[len - 1] == 0)
        len--;
    vstring_memcpy(buf, dbt->data, len);
    return vstring_str(buf);
}

static int dict_db_get(DICT_DB *dp, const char *key, size_t len, DBT *val)
{
    DBT k;
    int ret;

    memset(&k, 0, sizeof(k));
    memset(val, 0, sizeof(*val));
    k.data = (void *)key;
    k.size = (u_int32_t)len;
    ret = dp->db->get(dp->db, 0, &k, val, 0);
    if (ret == 0)
        return DICT_STAT_FOUND;
    if (ret == DB_NOTFOUND)
        return DICT_STAT_NOTFOUND;
    return dict_fail(&dp->dict, DICT_ERR_RETRY, "error reading %s: %s", dp->db_path,
                     db_strerror(ret));
}

static int dict_db_lookup(DICT *dict, const char *key, const char **value)
{
    DICT_DB *dp = (DICT_DB *)dict;
    size_t len;
    DBT val;
    int status = DICT_STAT_NOTFOUND;

    *value = 0;
    key = dict_fold_key(dict, key);
    len = strlen(key);
    if (len >= UINT32_MAX)
        return DICT_STAT_NOTFOUND;
    if (dict_db_lock_op(dp, DICT_LOCK_SHARED) < 0)
        return DICT_STAT_FAIL;
    if (dict->flags & DICT_FLAG_TRY1NULL) {
        status = dict_db_get(dp, key, len + 1, &val);
        if (status == DICT_STAT_FOUND)
            dict->flags &= ~DICT_FLAG_TRY0NULL;
    }
    if (status == DICT_STAT_NOTFOUND && (dict->flags & DICT_FLAG_TRY0NULL)) {
        status = dict_db_get(dp, key, len, &val);
        if (status == DICT_STAT_FOUND)
            dict->flags &= ~DICT_FLAG_TRY1NULL;
    }
    if (status == DICT_STAT_FOUND)
        *value = dict_db_string(dp->val_buf, &val);
    if (dict_db_lock_op(dp, DICT_LOCK_NONE) < 0)
        return DICT_STAT_FAIL;
    return status;
}

static int dict_db_update(DICT *dict, const char *key, const char *value)
{
    DICT_DB *dp = (DICT_DB *)dict;
    size_t klen;
    size_t vlen;
    DBT k;
    DBT v;
    int ret;
    int status = 0;

    key = dict_fold_key(dict, key);
    klen = strlen(key);
    vlen = strlen(value);
    if (klen >= UINT32_MAX - 1 || vlen >= UINT32_MAX - 1)
        return dict_fail(dict, DICT_ERR_CONFIG, "%s: key or value too large", dp->db_path);
    /* Undecided?  Write what Postfix writes on Linux. */
    if ((dict->flags & DICT_FLAG_TRY1NULL) && (dict->flags & DICT_FLAG_TRY0NULL))
        dict->flags &= ~DICT_FLAG_TRY0NULL;
    if (dict->flags & DICT_FLAG_TRY1NULL) {
        klen++;
        vlen++;
    }
    memset(&k, 0, sizeof(k));
    memset(&v, 0, sizeof(v));
    k.data = (void *)key;
    k.size = (u_int32_t)klen;
    v.data = (void *)value;
    v.size = (u_int32_t)vlen;
    if (dict_db_lock_op(dp, DICT_LOCK_EXCLUSIVE) < 0)
        return DICT_STAT_FAIL;
    ret =
        dp->db->put(dp->db, 0, &k, &v, (dict->flags & DICT_FLAG_DUP_REPLACE) ? 0 : DB_NOOVERWRITE);
    if (ret == DB_KEYEXIST) {
        if (dict->flags & DICT_FLAG_DUP_IGNORE) {
            status = 1;
        } else if (dict->flags & DICT_FLAG_DUP_WARN) {
            msg_warn("%s: duplicate entry: \"%s\"", dp->db_path, key);
            status = 1;
        } else {
            msg_fatal("%s: duplicate entry: \"%s\"", dp->db_path, key);
        }
    } else if (ret != 0) {
        status =
            dict_fail(dict, DICT_ERR_RETRY, "error writing %s: %s", dp->db_path, db_strerror(ret));
    } else if ((dict->flags & DICT_FLAG_SYNC_UPDATE) && (ret = dp->db->sync(dp->db, 0)) != 0) {
        status =
            dict_fail(dict, DICT_ERR_RETRY, "error syncing %s: %s", dp->db_path, db_strerror(ret));
    }
    if (status == 0)
        dict_db_sync_change(dp);
    if (dict_db_lock_op(dp, DICT_LOCK_NONE) < 0)
        return DICT_STAT_FAIL;
    return status;
}

static int dict_db_del1(DICT_DB *dp, const char *key, size_t len)
{
    DBT k;
    int ret;

    memset(&k, 0, sizeof(k));
    k.data = (void *)key;
    k.size = (u_int32_t)len;
    ret = dp->db->del(dp->db, 0, &k, 0);
    if (ret == 0)
        return 0;
    if (ret == DB_NOTFOUND)
        return 1;
    return dict_fail(&dp->dict, DICT_ERR_RETRY, "error deleting from %s: %s", dp->db_path,
                     db_strerror(ret));
}

static int dict_db_delete(DICT *dict, const char *key)
{
    DICT_DB *dp = (DICT_DB *)dict;
    size_t len;
    int status = 1;

    key = dict_fold_key(dict, key);
    len = strlen(key);
    if (len >= UINT32_MAX)
        return 1;
    if (dict_db_lock_op(dp, DICT_LOCK_EXCLUSIVE) < 0)
        return DICT_STAT_FAIL;
    if (dict->flags & DICT_FLAG_TRY1NULL) {
        status = dict_db_del1(dp, key, len + 1);
        if (status == 0)
            dict->flags &= ~DICT_FLAG_TRY0NULL;
    }
    if (status == 1 && (dict->flags & DICT_FLAG_TRY0NULL)) {
        status = dict_db_del1(dp, key, len);
        if (status == 0)
            dict->flags &= ~DICT_FLAG_TRY1NULL;
    }
    if (status == 0)
        dict_db_sync_change(dp);
    if (dict_db_lock_op(dp, DICT_LOCK_NONE) < 0)
        return DICT_STAT_FAIL;
    return status;
}

static int dict_db_sequence(DICT *dict, int func, const char **key, const char **value)
{
    DICT_DB *dp = (DICT_DB *)dict;
    DBT k;
    DBT v;
    int ret;
    u_int32_t how;

    *key = *value = 0;
    if (func == DICT_SEQ_FIRST)
        how = DB_FIRST;
    else if (func == DICT_SEQ_NEXT)
        how = DB_NEXT;
    else
        return dict_fail(dict, DICT_ERR_CONFIG, "%s: bad sequence function %d", dp->db_path, func);
    if (dp->cursor == 0) {
        if (func == DICT_SEQ_NEXT)
            return DICT_STAT_NOTFOUND;
        if ((ret = dp->db->cursor(dp->db, 0, &dp->cursor, 0)) != 0)
            return dict_fail(dict, DICT_ERR_RETRY, "%s: cannot create cursor: %s", dp->db_path,
                             db_strerror(ret));
    }
    memset(&k, 0, sizeof(k));
    memset(&v, 0, sizeof(v));
    if (dict_db_lock_op(dp, DICT_LOCK_SHARED) < 0)
        return DICT_STAT_FAIL;
    ret = dp->cursor->get(dp->cursor, &k, &v, how);
    if (ret == 0) {
        *key = dict_db_string(dp->key_buf, &k);
        *value = dict_db_string(dp->val_buf, &v);
    }
    if (dict_db_lock_op(dp, DICT_LOCK_NONE) < 0)
        return DICT_STAT_FAIL;
    if (ret == 0)
        return DICT_STAT_FOUND;
    dp->cursor->close(dp->cursor);
    dp->cursor = 0;
    if (ret == DB_NOTFOUND)
        return DICT_STAT_NOTFOUND;
    return dict_fail(dict, DICT_ERR_RETRY, "error reading %s: %s", dp->db_path, db_strerror(ret));
}

static void dict_db_free(DICT_DB *dp)
{
    if (dp->dict.lock_fd >= 0)
        close(dp->dict.lock_fd);
    myfree(dp->db_path);
    vstring_free(dp->tmp_path);
    vstring_free(dp->key_buf);
    vstring_free(dp->val_buf);
    dict_free(&dp->dict);
}

static void dict_db_close(DICT *dict)
{
    DICT_DB *dp = (DICT_DB *)dict;
    int ret;

    if (dp->cursor)
        dp->cursor->close(dp->cursor);
    if ((ret = dp->db->close(dp->db, 0)) != 0)
        msg_fatal("close database %s: %s", dp->building ? vstring_str(dp->tmp_path) : dp->db_path,
                  db_strerror(ret));
    if (dp->building &&
        dict_file_commit(dict, dict->lock_fd, vstring_str(dp->tmp_path), dp->db_path) < 0)
        msg_fatal("%s", dict_errtext(dict));
    dict_db_free(dp);
}

/* Berkeley DB's own diagnostics repeat what the error codes say; keep them for -v. */
static void dict_db_errcall(const DB_ENV *env, const char *prefix, const char *text)
{
    (void)env;
    (void)prefix;
    if (msg_verbose)
        msg_info("Berkeley DB: %s", text);
}

static DICT *dict_db_open(const char *type, DBTYPE db_type, const char *name, int open_flags,
                          int dict_flags)
{
    DICT_DB *dp;
    DB *db;
    const char *path;
    u_int32_t db_flags = 0;
    struct stat st;
    int ret;
    int fd;

    dp = (DICT_DB *)dict_alloc(type, name, sizeof(*dp));
    dp->db_path = mymalloc(strlen(name) + 4);
    strcpy(dp->db_path, name);
    strcat(dp->db_path, ".db");
    dp->tmp_path = vstring_alloc(100);
    dp->key_buf = vstring_alloc(100);
    dp->val_buf = vstring_alloc(100);
    dp->dict.open_flags = open_flags;
    dp->dict.flags = dict_flags | DICT_FLAG_FIXED;
    if ((dict_flags & (DICT_FLAG_TRY0NULL | DICT_FLAG_TRY1NULL)) == 0)
        dp->dict.flags |= DICT_FLAG_TRY0NULL | DICT_FLAG_TRY1NULL;

#define DICT_DB_GIVE_UP(err, ...)                                                                  \
    do {                                                                                           \
        DICT *sur = dict_surrogate(type, name, open_flags, dict_flags, (err), __VA_ARGS__);        \
        dict_db_free(dp);                                                                          \
        return sur;                                                                                \
    } while (0)

    if (open_flags & O_TRUNC) {
        /* Build a new table beside the old one. */
        if ((fd = dict_file_create_tmp(&dp->dict, dp->db_path, dp->tmp_path)) < 0)
            DICT_DB_GIVE_UP(DICT_ERR_RETRY, "%s", dict_errtext(&dp->dict));
        dp->building = 1;
        path = vstring_str(dp->tmp_path);
        db_flags = DB_CREATE | DB_TRUNCATE;
        if ((dict_flags & (DICT_FLAG_TRY0NULL | DICT_FLAG_TRY1NULL)) == 0)
            dp->dict.flags &= ~DICT_FLAG_TRY0NULL;
    } else {
        if ((fd = open(dp->db_path, (open_flags & (O_ACCMODE | O_CREAT)) | O_CLOEXEC,
                       dict_file_create_mode)) < 0)
            DICT_DB_GIVE_UP(errno == ENOENT || errno == EACCES ? DICT_ERR_CONFIG : DICT_ERR_RETRY,
                            "open database %s: %m", dp->db_path);
        path = dp->db_path;
        if ((open_flags & O_ACCMODE) == O_RDONLY)
            db_flags = DB_RDONLY;
        else if (open_flags & O_CREAT)
            db_flags = DB_CREATE;
    }
    dp->dict.lock_fd = dp->dict.stat_fd = fd;
    if (fstat(fd, &st) == 0) {
        dp->dict.mtime = st.st_mtime;
        dp->dict.owner_uid = (int)st.st_uid;
    }
    /* Hold a lock while Berkeley DB reads the meta data or creates the file. */
    if (!dp->building &&
        dict_file_lock(fd, DICT_FILE_FLOCK,
                       db_flags == DB_RDONLY ? DICT_LOCK_SHARED : DICT_LOCK_EXCLUSIVE) < 0)
        DICT_DB_GIVE_UP(DICT_ERR_RETRY, "lock database %s: %m", dp->db_path);
    if ((ret = db_create(&db, 0, 0)) != 0)
        msg_fatal("create DB database handle: %s", db_strerror(ret));
    dp->db = db;
    db->set_errcall(db, dict_db_errcall);
    if ((ret = db->set_cachesize(db, 0, (u_int32_t)dict_db_cache_size, 0)) != 0)
        msg_fatal("set DB cache size %zu: %s", dict_db_cache_size, db_strerror(ret));
    if (db_type == DB_HASH && (ret = db->set_h_nelem(db, DICT_DB_NELM)) != 0)
        msg_fatal("set DB hash element count %d: %s", DICT_DB_NELM, db_strerror(ret));
    if ((ret = db->open(db, 0, path, 0, db_type, db_flags, dict_file_create_mode)) != 0) {
        db->close(db, 0);
        dp->db = 0;
        if (ret > 0)
            errno = ret;
        DICT_DB_GIVE_UP(DICT_ERR_CONFIG, "open database %s: %s", dp->db_path,
                        ret > 0 ? strerror(ret) : db_strerror(ret));
    }
    if (!dp->building && dict_file_lock(fd, DICT_FILE_FLOCK, DICT_LOCK_NONE) < 0)
        msg_fatal("unlock database %s: %m", dp->db_path);
    if (dp->building)
        dp->session_lock = 1;
    dp->dict.lookup = dict_db_lookup;
    dp->dict.update = dict_db_update;
    dp->dict.delete = dict_db_delete;
    dp->dict.sequence = dict_db_sequence;
    dp->dict.lock = dict_db_lock;
    dp->dict.close = dict_db_close;
    return &dp->dict;
}

DICT *dict_hash_open(const char *name, int open_flags, int dict_flags)
{
    return dict_db_open(DICT_TYPE_HASH, DB_HASH, name, open_flags, dict_flags);
}

DICT *dict_btree_open(const char *name, int open_flags, int dict_flags)
{
    return dict_db_open(DICT_TYPE_BTREE, DB_BTREE, name, open_flags, dict_flags);
}
