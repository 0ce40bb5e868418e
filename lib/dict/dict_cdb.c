/*
 * dict_cdb - the "cdb" table: a constant database (tinycdb) in NAME.cdb,
 * compatible with Postfix's cdb tables.
 *
 * Interface: dict_cdb_open(name, open_flags, dict_flags) (dict_cdb.h).
 *
 * A cdb file cannot be changed in place: O_TRUNC builds NAME.cdb.tmp
 * (locked with flock(), as Postfix does) and renames it into place at close;
 * without O_TRUNC the table is read-only and update/delete fail.  Postfix
 * writes keys and values without a trailing null byte; readers try both
 * forms.  Unlike Postfix, sequence() works (postmap -s lists a cdb table).
 *
 * Errors: missing file -> surrogate "open database NAME.cdb: REASON"; a
 * corrupt file -> DICT_ERR_CONFIG; duplicate keys per the DUP flags
 * (warning "NAME: duplicate entry: "KEY"", as Postfix words it).
 */
#include <cdb.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dict.h"
#include "dict_cdb.h"
#include "dict_file.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstring.h"

typedef struct DICT_CDB {
    DICT dict;
    struct cdb cdb;       /* reader */
    struct cdb_make make; /* writer */
    int writing;
    int reading;
    unsigned seq_pos;
    int seq_active;
    char *cdb_path;
    VSTRING *tmp_path;
    VSTRING *key_buf;
    VSTRING *val_buf;
} DICT_CDB;

static const char *dict_cdb_copy(DICT_CDB *cp, VSTRING *buf, unsigned pos, unsigned len)
{
    const void *data = cdb_get(&cp->cdb, len, pos);

    if (data == 0)
        return 0;
    vstring_memcpy(buf, data, len);
    if (len > 0 && vstring_str(buf)[len - 1] == 0)
        vstring_truncate(buf, len - 1);
    return vstring_str(buf);
}

static int dict_cdb_find(DICT_CDB *cp, const char *key, size_t len, const char **value)
{
    int ret = cdb_find(&cp->cdb, key, (unsigned)len);

    if (ret == 0)
        return DICT_STAT_NOTFOUND;
    if (ret > 0 && (*value = dict_cdb_copy(cp, cp->val_buf, cdb_datapos(&cp->cdb),
                                           cdb_datalen(&cp->cdb))) != 0)
        return DICT_STAT_FOUND;
    return dict_fail(&cp->dict, DICT_ERR_CONFIG, "error reading %s: corrupt file", cp->cdb_path);
}

static int dict_cdb_lookup(DICT *dict, const char *key, const char **value)
{
    DICT_CDB *cp = (DICT_CDB *)dict;
    size_t len;
    int status = DICT_STAT_NOTFOUND;

    *value = 0;
    if (!cp->reading)
        return dict_fail(dict, DICT_ERR_CONFIG, "%s: table is being built", cp->cdb_path);
    key = dict_fold_key(dict, key);
    if ((len = strlen(key)) >= 0x7fffffff)
        return DICT_STAT_NOTFOUND;
    if (dict->flags & DICT_FLAG_TRY1NULL) {
        status = dict_cdb_find(cp, key, len + 1, value);
        if (status == DICT_STAT_FOUND)
            dict->flags &= ~DICT_FLAG_TRY0NULL;
    }
    if (status == DICT_STAT_NOTFOUND && (dict->flags & DICT_FLAG_TRY0NULL)) {
        status = dict_cdb_find(cp, key, len, value);
        if (status == DICT_STAT_FOUND)
            dict->flags &= ~DICT_FLAG_TRY1NULL;
    }
    return status;
}

static int dict_cdb_update(DICT *dict, const char *key, const char *value)
{
    DICT_CDB *cp = (DICT_CDB *)dict;
    size_t klen;
    size_t vlen;
    int mode;
    int ret;

    if (!cp->writing)
        return dict_fail(dict, DICT_ERR_CONFIG, "table %s:%s: update operation is not supported",
                         dict->type, dict->name);
    key = dict_fold_key(dict, key);
    klen = strlen(key);
    vlen = strlen(value);
    if (dict->flags & DICT_FLAG_TRY1NULL) {
        klen++;
        vlen++;
    }
    if (klen >= 0x7fffffff || vlen >= 0x7fffffff)
        return dict_fail(dict, DICT_ERR_CONFIG, "%s: key or value too large", cp->cdb_path);
    mode = (dict->flags & DICT_FLAG_DUP_REPLACE) ? CDB_PUT_REPLACE : CDB_PUT_INSERT;
    ret = cdb_make_put(&cp->make, key, (unsigned)klen, value, (unsigned)vlen, mode);
    if (ret < 0)
        return dict_fail(dict, DICT_ERR_RETRY, "error writing %s: %m", vstring_str(cp->tmp_path));
    if (ret > 0 && mode == CDB_PUT_INSERT) {
        if (dict->flags & DICT_FLAG_DUP_IGNORE)
            return 1;
        if (dict->flags & DICT_FLAG_DUP_WARN) {
            msg_warn("%s: duplicate entry: \"%s\"", dict->name, key);
            return 1;
        }
        msg_fatal("%s: duplicate entry: \"%s\"", dict->name, key);
    }
    return 0;
}

static int dict_cdb_sequence(DICT *dict, int func, const char **key, const char **value)
{
    DICT_CDB *cp = (DICT_CDB *)dict;
    int ret;

    *key = *value = 0;
    if (!cp->reading)
        return dict_fail(dict, DICT_ERR_CONFIG, "%s: table is being built", cp->cdb_path);
    if (func == DICT_SEQ_FIRST) {
        cdb_seqinit(&cp->seq_pos, &cp->cdb);
        cp->seq_active = 1;
    } else if (func != DICT_SEQ_NEXT) {
        return dict_fail(dict, DICT_ERR_CONFIG, "%s: bad sequence function %d", cp->cdb_path, func);
    }
    if (!cp->seq_active)
        return DICT_STAT_NOTFOUND;
    ret = cdb_seqnext(&cp->seq_pos, &cp->cdb);
    if (ret == 0) {
        cp->seq_active = 0;
        return DICT_STAT_NOTFOUND;
    }
    if (ret < 0 ||
        (*key = dict_cdb_copy(cp, cp->key_buf, cdb_keypos(&cp->cdb), cdb_keylen(&cp->cdb))) == 0 ||
        (*value = dict_cdb_copy(cp, cp->val_buf, cdb_datapos(&cp->cdb), cdb_datalen(&cp->cdb))) ==
            0) {
        cp->seq_active = 0;
        return dict_fail(dict, DICT_ERR_CONFIG, "error reading %s: corrupt file", cp->cdb_path);
    }
    return DICT_STAT_FOUND;
}

static void dict_cdb_free(DICT_CDB *cp)
{
    if (cp->reading)
        cdb_free(&cp->cdb);
    if (cp->dict.lock_fd >= 0)
        close(cp->dict.lock_fd);
    myfree(cp->cdb_path);
    vstring_free(cp->tmp_path);
    vstring_free(cp->key_buf);
    vstring_free(cp->val_buf);
    dict_free(&cp->dict);
}

static void dict_cdb_close(DICT *dict)
{
    DICT_CDB *cp = (DICT_CDB *)dict;

    if (cp->writing) {
        if (cdb_make_finish(&cp->make) < 0)
            msg_fatal("error writing %s: %m", vstring_str(cp->tmp_path));
        if (dict_file_commit(dict, dict->lock_fd, vstring_str(cp->tmp_path), cp->cdb_path) < 0)
            msg_fatal("%s", dict_errtext(dict));
    }
    dict_cdb_free(cp);
}

DICT *dict_cdb_open(const char *name, int open_flags, int dict_flags)
{
    DICT_CDB *cp = (DICT_CDB *)dict_alloc(DICT_TYPE_CDB, name, sizeof(*cp));
    struct stat st;
    int fd;

    cp->cdb_path = mymalloc(strlen(name) + 5);
    strcpy(cp->cdb_path, name);
    strcat(cp->cdb_path, ".cdb");
    cp->tmp_path = vstring_alloc(100);
    cp->key_buf = vstring_alloc(100);
    cp->val_buf = vstring_alloc(100);
    cp->dict.open_flags = open_flags;
    cp->dict.flags = dict_flags | DICT_FLAG_FIXED;

#define DICT_CDB_GIVE_UP(err, ...)                                                                 \
    do {                                                                                           \
        DICT *sur =                                                                                \
            dict_surrogate(DICT_TYPE_CDB, name, open_flags, dict_flags, (err), __VA_ARGS__);       \
        dict_cdb_free(cp);                                                                         \
        return sur;                                                                                \
    } while (0)

    if (open_flags & O_TRUNC) {
        if ((fd = dict_file_create_tmp(&cp->dict, cp->cdb_path, cp->tmp_path)) < 0)
            DICT_CDB_GIVE_UP(DICT_ERR_RETRY, "%s", dict_errtext(&cp->dict));
        cp->dict.lock_fd = fd;
        if (cdb_make_start(&cp->make, fd) < 0)
            DICT_CDB_GIVE_UP(DICT_ERR_RETRY, "error writing %s: %m", vstring_str(cp->tmp_path));
        cp->writing = 1;
        if ((dict_flags & (DICT_FLAG_TRY0NULL | DICT_FLAG_TRY1NULL)) == 0)
            cp->dict.flags |= DICT_FLAG_TRY0NULL;
        else if ((dict_flags & DICT_FLAG_TRY0NULL) && (dict_flags & DICT_FLAG_TRY1NULL))
            cp->dict.flags &= ~DICT_FLAG_TRY1NULL;
    } else {
        if ((fd = open(cp->cdb_path, O_RDONLY | O_CLOEXEC)) < 0)
            DICT_CDB_GIVE_UP(errno == ENOENT || errno == EACCES ? DICT_ERR_CONFIG : DICT_ERR_RETRY,
                             "open database %s: %m", cp->cdb_path);
        cp->dict.lock_fd = cp->dict.stat_fd = fd;
        if (fstat(fd, &st) == 0) {
            cp->dict.mtime = st.st_mtime;
            cp->dict.owner_uid = (int)st.st_uid;
        }
        if (cdb_init(&cp->cdb, fd) < 0)
            DICT_CDB_GIVE_UP(DICT_ERR_CONFIG, "open database %s: %s", cp->cdb_path,
                             errno == EPROTO ? "invalid cdb file format" : strerror(errno));
        cp->reading = 1;
        if ((dict_flags & (DICT_FLAG_TRY0NULL | DICT_FLAG_TRY1NULL)) == 0)
            cp->dict.flags |= DICT_FLAG_TRY0NULL | DICT_FLAG_TRY1NULL;
    }
    cp->dict.lookup = dict_cdb_lookup;
    cp->dict.update = dict_cdb_update;
    cp->dict.sequence = dict_cdb_sequence;
    cp->dict.close = dict_cdb_close;
    return &cp->dict;
}
