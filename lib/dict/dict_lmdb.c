/*
 * dict_lmdb - the "lmdb" table: an LMDB database in the single file
 * NAME.lmdb, as Postfix's postfix-lmdb writes and reads it.
 *
 * Interface: dict_lmdb_open(name, open_flags, dict_flags) (dict_lmdb.h).
 *
 * Compatibility with Postfix: one file (MDB_NOSUBDIR), no LMDB lock file
 * (MDB_NOLOCK); instead fcntl() locks on NAME.lmdb, shared around each
 * lookup and exclusive around each update, which is what Postfix does.
 * Keys and values are written with a trailing null byte; readers try both.
 * The map starts at dict_lmdb_map_size (lmdb_map_size) and doubles when
 * it is full; a reader that finds the file grown adopts the new size.
 *
 * Building (O_TRUNC) goes to NAME.lmdb.tmp, renamed into place at close.
 * Updates are committed in batches; on MDB_MAP_FULL the batch is aborted,
 * the map doubled and the batch replayed, so a large table needs no
 * configuration change.  In-place updates (postmap -i/-d) commit one
 * transaction each.
 *
 * Errors: missing file -> surrogate "open database NAME.lmdb: REASON"; an
 * LMDB error -> DICT_ERR_RETRY with mdb_strerror(); a key longer than
 * LMDB's limit (511 bytes) is "not found" on lookup and an error on update.
 */
#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "argv.h"
#include "checked.h"
#include "dict.h"
#include "dict_file.h"
#include "dict_lmdb.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstring.h"

size_t dict_lmdb_map_size = 16 * 1024 * 1024;

#define DICT_LMDB_BATCH 5000 /* puts per transaction when building */

typedef struct DICT_LMDB {
    DICT dict;
    MDB_env *env;
    MDB_dbi dbi;
    MDB_txn *txn;  /* open write batch (building) */
    ARGV *pending; /* key, value, flags... of the batch */
    size_t map_size;
    char *lmdb_path;
    VSTRING *tmp_path;
    int building;
    int session_lock;
    MDB_cursor *cursor;
    MDB_txn *cursor_txn;
    VSTRING *key_buf;
    VSTRING *val_buf;
} DICT_LMDB;

static int dict_lmdb_lock_op(DICT_LMDB *lp, int op)
{
    if ((lp->dict.flags & DICT_FLAG_LOCK) == 0 || lp->session_lock || lp->building ||
        lp->dict.lock_fd < 0)
        return 0;
    if (dict_file_lock(lp->dict.lock_fd, DICT_FILE_FCNTL, op) < 0)
        return dict_fail(&lp->dict, DICT_ERR_RETRY, "%s: lock dictionary: %m", lp->lmdb_path);
    return 0;
}

static int dict_lmdb_lock(DICT *dict, int op)
{
    DICT_LMDB *lp = (DICT_LMDB *)dict;

    if (dict->lock_fd < 0 || lp->building)
        return 0;
    if (dict_file_lock(dict->lock_fd, DICT_FILE_FCNTL, op) < 0)
        return dict_fail(dict, DICT_ERR_RETRY, "%s: lock dictionary: %m", lp->lmdb_path);
    lp->session_lock = op != DICT_LOCK_NONE;
    return 0;
}

static int dict_lmdb_error(DICT_LMDB *lp, const char *what, int rc)
{
    return dict_fail(&lp->dict, DICT_ERR_RETRY, "error %s %s: %s", what, lp->lmdb_path,
                     mdb_strerror(rc));
}

static int dict_lmdb_grow(DICT_LMDB *lp)
{
    size_t bigger;
    int rc;

    if (!checked_mul_ok(lp->map_size, 2, &bigger))
        return MDB_MAP_FULL;
    if ((rc = mdb_env_set_mapsize(lp->env, bigger)) != 0)
        return rc;
    lp->map_size = bigger;
    if (msg_verbose)
        msg_info("%s: map size increased to %zu", lp->lmdb_path, bigger);
    return 0;
}

/* Begin a read transaction, adopting a map that another writer grew. */
static int dict_lmdb_read_begin(DICT_LMDB *lp, MDB_txn **txn)
{
    int rc = mdb_txn_begin(lp->env, 0, MDB_RDONLY, txn);

    if (rc == MDB_MAP_RESIZED) {
        if ((rc = mdb_env_set_mapsize(lp->env, 0)) == 0)
            rc = mdb_txn_begin(lp->env, 0, MDB_RDONLY, txn);
    }
    return rc;
}

static const char *dict_lmdb_string(VSTRING *buf, const MDB_val *val)
{
    size_t len = val->mv_size;

    if (len > 0 && ((const char *)val->mv_data)[len - 1] == 0)
        len--;
    vstring_memcpy(buf, val->mv_data, len);
    return vstring_str(buf);
}

static int dict_lmdb_get(DICT_LMDB *lp, MDB_txn *txn, const char *key, size_t len,
                         const char **value)
{
    MDB_val k;
    MDB_val v;
    int rc;

    if (len == 0 || len > (size_t)mdb_env_get_maxkeysize(lp->env))
        return DICT_STAT_NOTFOUND;
    k.mv_data = (void *)key;
    k.mv_size = len;
    rc = mdb_get(txn, lp->dbi, &k, &v);
    if (rc == MDB_NOTFOUND)
        return DICT_STAT_NOTFOUND;
    if (rc != 0)
        return dict_lmdb_error(lp, "reading", rc);
    *value = dict_lmdb_string(lp->val_buf, &v);
    return DICT_STAT_FOUND;
}

static int dict_lmdb_lookup(DICT *dict, const char *key, const char **value)
{
    DICT_LMDB *lp = (DICT_LMDB *)dict;
    MDB_txn *txn;
    size_t len;
    int status = DICT_STAT_NOTFOUND;
    int rc;

    *value = 0;
    key = dict_fold_key(dict, key);
    len = strlen(key);
    if (dict_lmdb_lock_op(lp, DICT_LOCK_SHARED) < 0)
        return DICT_STAT_FAIL;
    if (lp->txn) {
        txn = lp->txn;
    } else if ((rc = dict_lmdb_read_begin(lp, &txn)) != 0) {
        dict_lmdb_lock_op(lp, DICT_LOCK_NONE);
        return dict_lmdb_error(lp, "reading", rc);
    }
    if (dict->flags & DICT_FLAG_TRY1NULL) {
        status = dict_lmdb_get(lp, txn, key, len + 1, value);
        if (status == DICT_STAT_FOUND)
            dict->flags &= ~DICT_FLAG_TRY0NULL;
    }
    if (status == DICT_STAT_NOTFOUND && (dict->flags & DICT_FLAG_TRY0NULL)) {
        status = dict_lmdb_get(lp, txn, key, len, value);
        if (status == DICT_STAT_FOUND)
            dict->flags &= ~DICT_FLAG_TRY1NULL;
    }
    if (txn != lp->txn)
        mdb_txn_abort(txn);
    if (dict_lmdb_lock_op(lp, DICT_LOCK_NONE) < 0)
        return DICT_STAT_FAIL;
    return status;
}

/*
 * One put inside txn.  Returns 0 stored, 1 duplicate kept, or an LMDB
 * error code (negative, MDB_* values) for the caller to handle.
 */
static int dict_lmdb_put(DICT_LMDB *lp, MDB_txn *txn, const char *key, size_t klen,
                         const char *value, size_t vlen, int quiet)
{
    MDB_val k;
    MDB_val v;
    int replace = (lp->dict.flags & DICT_FLAG_DUP_REPLACE) != 0;
    int rc;

    k.mv_data = (void *)key;
    k.mv_size = klen;
    v.mv_data = (void *)value;
    v.mv_size = vlen;
    rc = mdb_put(txn, lp->dbi, &k, &v, replace ? 0 : MDB_NOOVERWRITE);
    if (rc != MDB_KEYEXIST)
        return rc;
    if (lp->dict.flags & DICT_FLAG_DUP_IGNORE)
        return 1;
    if (lp->dict.flags & DICT_FLAG_DUP_WARN) {
        if (!quiet)
            msg_warn("%s:%s: duplicate entry: \"%s\"", lp->dict.type, lp->dict.name, key);
        return 1;
    }
    msg_fatal("%s:%s: duplicate entry: \"%s\"", lp->dict.type, lp->dict.name, key);
}

/* Rebuild the aborted batch in a fresh transaction after growing the map. */
static int dict_lmdb_replay(DICT_LMDB *lp)
{
    int rc;

    for (;;) {
        if (lp->txn) {
            mdb_txn_abort(lp->txn);
            lp->txn = 0;
        }
        if ((rc = dict_lmdb_grow(lp)) != 0)
            return rc;
        if ((rc = mdb_txn_begin(lp->env, 0, 0, &lp->txn)) != 0)
            return rc;
        for (size_t i = 0; i + 1 < lp->pending->argc; i += 2) {
            const char *k = lp->pending->argv[i];
            const char *v = lp->pending->argv[i + 1];
            size_t kl = strlen(k) + ((lp->dict.flags & DICT_FLAG_TRY1NULL) ? 1 : 0);
            size_t vl = strlen(v) + ((lp->dict.flags & DICT_FLAG_TRY1NULL) ? 1 : 0);

            if ((rc = dict_lmdb_put(lp, lp->txn, k, kl, v, vl, 1)) < 0)
                break;
        }
        if (rc == MDB_MAP_FULL)
            continue;
        return rc < 0 ? rc : 0;
    }
}

static int dict_lmdb_commit_batch(DICT_LMDB *lp)
{
    int rc;

    while (lp->txn) {
        rc = mdb_txn_commit(lp->txn);
        lp->txn = 0;
        if (rc == MDB_MAP_FULL) {
            if ((rc = dict_lmdb_replay(lp)) != 0)
                return rc;
            continue;
        }
        if (rc != 0)
            return rc;
    }
    argv_truncate(lp->pending, 0);
    return 0;
}

static int dict_lmdb_update(DICT *dict, const char *key, const char *value)
{
    DICT_LMDB *lp = (DICT_LMDB *)dict;
    size_t klen;
    size_t vlen;
    int rc;
    int status;
    MDB_txn *txn;

    key = dict_fold_key(dict, key);
    if ((dict->flags & DICT_FLAG_TRY1NULL) && (dict->flags & DICT_FLAG_TRY0NULL))
        dict->flags &= ~DICT_FLAG_TRY0NULL;
    klen = strlen(key) + ((dict->flags & DICT_FLAG_TRY1NULL) ? 1 : 0);
    vlen = strlen(value) + ((dict->flags & DICT_FLAG_TRY1NULL) ? 1 : 0);
    if (klen == 0 || klen > (size_t)mdb_env_get_maxkeysize(lp->env))
        return dict_fail(dict, DICT_ERR_CONFIG, "%s: key \"%.100s\" is empty or longer than %d",
                         lp->lmdb_path, key, mdb_env_get_maxkeysize(lp->env));
    if (lp->building) {
        if (lp->txn == 0 && (rc = mdb_txn_begin(lp->env, 0, 0, &lp->txn)) != 0)
            return dict_lmdb_error(lp, "writing", rc);
        argv_add(lp->pending, key);
        argv_add(lp->pending, value);
        rc = dict_lmdb_put(lp, lp->txn, key, klen, value, vlen, 0);
        if (rc == MDB_MAP_FULL)
            rc = dict_lmdb_replay(lp);
        if (rc < 0)
            return dict_lmdb_error(lp, "writing", rc);
        status = rc;
        if (lp->pending->argc >= 2 * DICT_LMDB_BATCH && (rc = dict_lmdb_commit_batch(lp)) != 0)
            return dict_lmdb_error(lp, "writing", rc);
        return status;
    }
    if (dict_lmdb_lock_op(lp, DICT_LOCK_EXCLUSIVE) < 0)
        return DICT_STAT_FAIL;
    for (;;) {
        if ((rc = mdb_txn_begin(lp->env, 0, 0, &txn)) == MDB_MAP_RESIZED &&
            (rc = mdb_env_set_mapsize(lp->env, 0)) == 0)
            rc = mdb_txn_begin(lp->env, 0, 0, &txn);
        if (rc != 0)
            break;
        rc = dict_lmdb_put(lp, txn, key, klen, value, vlen, 0);
        if (rc < 0) {
            mdb_txn_abort(txn);
        } else {
            status = rc;
            if ((rc = mdb_txn_commit(txn)) == 0)
                rc = status;
        }
        if (rc != MDB_MAP_FULL || (rc = dict_lmdb_grow(lp)) != 0)
            break;
    }
    dict_lmdb_lock_op(lp, DICT_LOCK_NONE);
    return rc < 0 ? dict_lmdb_error(lp, "writing", rc) : rc;
}

static int dict_lmdb_delete(DICT *dict, const char *key)
{
    DICT_LMDB *lp = (DICT_LMDB *)dict;
    MDB_txn *txn;
    MDB_val k;
    size_t len;
    int rc = MDB_NOTFOUND;

    if (lp->building)
        return dict_fail(dict, DICT_ERR_CONFIG, "%s: delete while building", lp->lmdb_path);
    key = dict_fold_key(dict, key);
    len = strlen(key);
    if (len == 0 || len + 1 > (size_t)mdb_env_get_maxkeysize(lp->env))
        return 1;
    if (dict_lmdb_lock_op(lp, DICT_LOCK_EXCLUSIVE) < 0)
        return DICT_STAT_FAIL;
    if ((rc = mdb_txn_begin(lp->env, 0, 0, &txn)) == 0) {
        k.mv_data = (void *)key;
        rc = MDB_NOTFOUND;
        if (dict->flags & DICT_FLAG_TRY1NULL) {
            k.mv_size = len + 1;
            if ((rc = mdb_del(txn, lp->dbi, &k, 0)) == 0)
                dict->flags &= ~DICT_FLAG_TRY0NULL;
        }
        if (rc == MDB_NOTFOUND && (dict->flags & DICT_FLAG_TRY0NULL)) {
            k.mv_size = len;
            if ((rc = mdb_del(txn, lp->dbi, &k, 0)) == 0)
                dict->flags &= ~DICT_FLAG_TRY1NULL;
        }
        if (rc == 0)
            rc = mdb_txn_commit(txn);
        else
            mdb_txn_abort(txn);
    }
    dict_lmdb_lock_op(lp, DICT_LOCK_NONE);
    if (rc == MDB_NOTFOUND)
        return 1;
    return rc ? dict_lmdb_error(lp, "deleting from", rc) : 0;
}

static void dict_lmdb_seq_end(DICT_LMDB *lp)
{
    if (lp->cursor) {
        mdb_cursor_close(lp->cursor);
        lp->cursor = 0;
    }
    if (lp->cursor_txn) {
        mdb_txn_abort(lp->cursor_txn);
        lp->cursor_txn = 0;
    }
}

static int dict_lmdb_sequence(DICT *dict, int func, const char **key, const char **value)
{
    DICT_LMDB *lp = (DICT_LMDB *)dict;
    MDB_val k;
    MDB_val v;
    int rc;

    *key = *value = 0;
    if (lp->building)
        return dict_fail(dict, DICT_ERR_CONFIG, "%s: sequence while building", lp->lmdb_path);
    if (func == DICT_SEQ_FIRST) {
        dict_lmdb_seq_end(lp);
        if ((rc = dict_lmdb_read_begin(lp, &lp->cursor_txn)) != 0 ||
            (rc = mdb_cursor_open(lp->cursor_txn, lp->dbi, &lp->cursor)) != 0) {
            dict_lmdb_seq_end(lp);
            return dict_lmdb_error(lp, "reading", rc);
        }
    } else if (func != DICT_SEQ_NEXT) {
        return dict_fail(dict, DICT_ERR_CONFIG, "%s: bad sequence function %d", lp->lmdb_path,
                         func);
    }
    if (lp->cursor == 0)
        return DICT_STAT_NOTFOUND;
    rc = mdb_cursor_get(lp->cursor, &k, &v, func == DICT_SEQ_FIRST ? MDB_FIRST : MDB_NEXT);
    if (rc == 0) {
        *key = dict_lmdb_string(lp->key_buf, &k);
        *value = dict_lmdb_string(lp->val_buf, &v);
        return DICT_STAT_FOUND;
    }
    dict_lmdb_seq_end(lp);
    if (rc == MDB_NOTFOUND)
        return DICT_STAT_NOTFOUND;
    return dict_lmdb_error(lp, "reading", rc);
}

static void dict_lmdb_free(DICT_LMDB *lp)
{
    dict_lmdb_seq_end(lp);
    if (lp->txn)
        mdb_txn_abort(lp->txn);
    if (lp->env)
        mdb_env_close(lp->env);
    if (lp->dict.lock_fd >= 0)
        close(lp->dict.lock_fd);
    argv_free(lp->pending);
    myfree(lp->lmdb_path);
    vstring_free(lp->tmp_path);
    vstring_free(lp->key_buf);
    vstring_free(lp->val_buf);
    dict_free(&lp->dict);
}

static void dict_lmdb_close(DICT *dict)
{
    DICT_LMDB *lp = (DICT_LMDB *)dict;
    int rc;

    if (lp->building) {
        if ((rc = dict_lmdb_commit_batch(lp)) != 0)
            msg_fatal("error writing %s: %s", vstring_str(lp->tmp_path), mdb_strerror(rc));
        if ((rc = mdb_env_sync(lp->env, 1)) != 0)
            msg_fatal("error syncing %s: %s", vstring_str(lp->tmp_path), mdb_strerror(rc));
        if (dict_file_commit(dict, dict->lock_fd, vstring_str(lp->tmp_path), lp->lmdb_path) < 0)
            msg_fatal("%s", dict_errtext(dict));
    }
    dict_lmdb_free(lp);
}

DICT *dict_lmdb_open(const char *name, int open_flags, int dict_flags)
{
    DICT_LMDB *lp = (DICT_LMDB *)dict_alloc(DICT_TYPE_LMDB, name, sizeof(*lp));
    const char *path;
    unsigned env_flags = MDB_NOSUBDIR | MDB_NOLOCK;
    MDB_txn *txn;
    struct stat st;
    int rc;
    int fd;

    lp->lmdb_path = mymalloc(strlen(name) + 6);
    strcpy(lp->lmdb_path, name);
    strcat(lp->lmdb_path, ".lmdb");
    lp->tmp_path = vstring_alloc(100);
    lp->key_buf = vstring_alloc(100);
    lp->val_buf = vstring_alloc(100);
    lp->pending = argv_alloc(2 * DICT_LMDB_BATCH + 2);
    lp->map_size = dict_lmdb_map_size;
    lp->dict.open_flags = open_flags;
    lp->dict.flags = dict_flags | DICT_FLAG_FIXED;
    if ((dict_flags & (DICT_FLAG_TRY0NULL | DICT_FLAG_TRY1NULL)) == 0)
        lp->dict.flags |= DICT_FLAG_TRY0NULL | DICT_FLAG_TRY1NULL;

#define DICT_LMDB_GIVE_UP(err, ...)                                                                \
    do {                                                                                           \
        DICT *sur =                                                                                \
            dict_surrogate(DICT_TYPE_LMDB, name, open_flags, dict_flags, (err), __VA_ARGS__);      \
        dict_lmdb_free(lp);                                                                        \
        return sur;                                                                                \
    } while (0)

    if (open_flags & O_TRUNC) {
        if ((fd = dict_file_create_tmp(&lp->dict, lp->lmdb_path, lp->tmp_path)) < 0)
            DICT_LMDB_GIVE_UP(DICT_ERR_RETRY, "%s", dict_errtext(&lp->dict));
        lp->building = 1;
        path = vstring_str(lp->tmp_path);
        env_flags |= MDB_NOSYNC;
        if ((dict_flags & (DICT_FLAG_TRY0NULL | DICT_FLAG_TRY1NULL)) == 0)
            lp->dict.flags &= ~DICT_FLAG_TRY0NULL;
    } else {
        if ((fd = open(lp->lmdb_path, (open_flags & (O_ACCMODE | O_CREAT)) | O_CLOEXEC,
                       dict_file_create_mode)) < 0)
            DICT_LMDB_GIVE_UP(errno == ENOENT || errno == EACCES ? DICT_ERR_CONFIG : DICT_ERR_RETRY,
                              "open database %s: %m", lp->lmdb_path);
        path = lp->lmdb_path;
        if ((open_flags & O_ACCMODE) == O_RDONLY)
            env_flags |= MDB_RDONLY;
    }
    lp->dict.lock_fd = lp->dict.stat_fd = fd;
    if (fstat(fd, &st) == 0) {
        lp->dict.mtime = st.st_mtime;
        lp->dict.owner_uid = (int)st.st_uid;
        /* A map never smaller than the file. */
        if (!lp->building && (size_t)st.st_size > lp->map_size)
            lp->map_size = (size_t)st.st_size;
    }
    if (!lp->building &&
        dict_file_lock(fd, DICT_FILE_FCNTL,
                       (env_flags & MDB_RDONLY) ? DICT_LOCK_SHARED : DICT_LOCK_EXCLUSIVE) < 0)
        DICT_LMDB_GIVE_UP(DICT_ERR_RETRY, "lock database %s: %m", lp->lmdb_path);
    if ((rc = mdb_env_create(&lp->env)) != 0)
        msg_fatal("create LMDB environment: %s", mdb_strerror(rc));
    if ((rc = mdb_env_set_mapsize(lp->env, lp->map_size)) != 0 ||
        (rc = mdb_env_open(lp->env, path, env_flags, dict_file_create_mode)) != 0 ||
        (rc = mdb_txn_begin(lp->env, 0, env_flags & MDB_RDONLY, &txn)) != 0) {
        dict_file_lock(fd, DICT_FILE_FCNTL, DICT_LOCK_NONE);
        DICT_LMDB_GIVE_UP(DICT_ERR_CONFIG, "open database %s: %s", lp->lmdb_path, mdb_strerror(rc));
    }
    if ((rc = mdb_dbi_open(txn, 0, 0, &lp->dbi)) != 0 || (rc = mdb_txn_commit(txn)) != 0) {
        dict_file_lock(fd, DICT_FILE_FCNTL, DICT_LOCK_NONE);
        DICT_LMDB_GIVE_UP(DICT_ERR_CONFIG, "open database %s: %s", lp->lmdb_path, mdb_strerror(rc));
    }
    if (!lp->building && dict_file_lock(fd, DICT_FILE_FCNTL, DICT_LOCK_NONE) < 0)
        msg_fatal("unlock database %s: %m", lp->lmdb_path);
    lp->dict.lookup = dict_lmdb_lookup;
    lp->dict.update = dict_lmdb_update;
    lp->dict.delete = dict_lmdb_delete;
    lp->dict.sequence = dict_lmdb_sequence;
    lp->dict.lock = dict_lmdb_lock;
    lp->dict.close = dict_lmdb_close;
    return &lp->dict;
}
