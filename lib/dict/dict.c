/*
 * dict - common plumbing behind every table type; the interface is dict.h.
 *
 * dict_alloc() gives a table type a zeroed object of its own size whose
 * methods all fail with "operation not supported", so a type only fills in
 * what it implements.  dict_surrogate() builds the stand-in that dict_open()
 * returns for a table that could not be opened: every operation on it fails
 * with the error and text recorded at open time, so a daemon defers mail
 * instead of dying, and a command can ask dict_open_error() and stop.
 *
 * Update and delete return codes (all types):
 *   update: 0 stored, 1 duplicate key ignored (DICT_FLAG_DUP_IGNORE/WARN),
 *           DICT_STAT_FAIL on error
 *   delete: 0 deleted, 1 not found, DICT_STAT_FAIL on error
 *
 * What can go wrong: nothing here fails except allocation (fatal).
 */
#include <stdarg.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dict.h"
#include "msg.h"
#include "mymalloc.h"
#include "stringops.h"
#include "vstring.h"

typedef struct DICT_SURROGATE {
    DICT dict;
    int saved_error;
    char *saved_text;
} DICT_SURROGATE;

static int dict_unsupported(DICT *dict, const char *op)
{
    return dict_fail(dict, DICT_ERR_CONFIG, "table %s:%s: %s operation is not supported",
                     dict->type, dict->name, op);
}

static int dict_default_lookup(DICT *dict, const char *key, const char **value)
{
    (void)key;
    *value = 0;
    return dict_unsupported(dict, "lookup");
}

static int dict_default_update(DICT *dict, const char *key, const char *value)
{
    (void)key;
    (void)value;
    return dict_unsupported(dict, "update");
}

static int dict_default_delete(DICT *dict, const char *key)
{
    (void)key;
    return dict_unsupported(dict, "delete");
}

static int dict_default_sequence(DICT *dict, int func, const char **key, const char **value)
{
    (void)func;
    *key = *value = 0;
    return dict_unsupported(dict, "sequence");
}

static int dict_default_lock(DICT *dict, int op)
{
    (void)dict;
    (void)op;
    return 0;
}

static void dict_default_close(DICT *dict)
{
    dict_free(dict);
}

DICT *dict_alloc(const char *type, const char *name, size_t size)
{
    DICT *dict;

    if (size < sizeof(DICT))
        msg_panic("dict_alloc: size %zu too small", size);
    dict = mycalloc(1, size);
    dict->type = mystrdup(type);
    dict->name = mystrdup(name);
    dict->errtext = vstring_alloc(64);
    dict->fold_buf = 0;
    dict->lock_fd = -1;
    dict->stat_fd = -1;
    dict->owner_uid = -1;
    dict->lookup = dict_default_lookup;
    dict->update = dict_default_update;
    dict->delete = dict_default_delete;
    dict->sequence = dict_default_sequence;
    dict->lock = dict_default_lock;
    dict->close = dict_default_close;
    return dict;
}

void dict_free(DICT *dict)
{
    if (dict == 0)
        return;
    myfree(dict->type);
    myfree(dict->name);
    vstring_free(dict->errtext);
    if (dict->fold_buf)
        vstring_free(dict->fold_buf);
    myfree(dict);
}

static int dict_vfail(DICT *dict, int error, const char *fmt, va_list ap)
{
    dict->error = error;
    vstring_reset(dict->errtext);
    vstring_vsprintf_append(dict->errtext, fmt, ap);
    return DICT_STAT_FAIL;
}

int dict_fail(DICT *dict, int error, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    dict_vfail(dict, error, fmt, ap);
    va_end(ap);
    return DICT_STAT_FAIL;
}

const char *dict_errtext(const DICT *dict)
{
    if (dict->error == DICT_ERR_NONE)
        return "";
    return VSTRING_LEN(dict->errtext) ? vstring_str(dict->errtext) : "table lookup error";
}

/*
 * Fixed-string tables fold when DICT_FLAG_FOLD_FIX is set, pattern tables when
 * DICT_FLAG_FOLD_MUL is set; a type that declares neither folds on either.
 */
const char *dict_fold_key(DICT *dict, const char *key)
{
    int fold;

    if (dict->flags & DICT_FLAG_FIXED)
        fold = dict->flags & DICT_FLAG_FOLD_FIX;
    else if (dict->flags & DICT_FLAG_PATTERN)
        fold = dict->flags & DICT_FLAG_FOLD_MUL;
    else
        fold = dict->flags & DICT_FLAG_FOLD_ANY;
    if (!fold)
        return key;
    if (dict->fold_buf == 0)
        dict->fold_buf = vstring_alloc(64);
    vstring_strcpy(dict->fold_buf, key);
    return lowercase(vstring_str(dict->fold_buf));
}

int dict_changed(const DICT *dict)
{
    struct stat st;

    if (dict->stat_fd < 0)
        return 0;
    if (fstat(dict->stat_fd, &st) < 0)
        return 1;
    return st.st_nlink == 0 || st.st_mtime != dict->mtime;
}

/* Surrogate: every operation repeats the open error. */

static int dict_surrogate_fail(DICT *dict)
{
    DICT_SURROGATE *sp = (DICT_SURROGATE *)dict;

    return dict_fail(dict, sp->saved_error, "%s", sp->saved_text);
}

static int dict_surrogate_lookup(DICT *dict, const char *key, const char **value)
{
    (void)key;
    *value = 0;
    return dict_surrogate_fail(dict);
}

static int dict_surrogate_update(DICT *dict, const char *key, const char *value)
{
    (void)key;
    (void)value;
    return dict_surrogate_fail(dict);
}

static int dict_surrogate_delete(DICT *dict, const char *key)
{
    (void)key;
    return dict_surrogate_fail(dict);
}

static int dict_surrogate_sequence(DICT *dict, int func, const char **key, const char **value)
{
    (void)func;
    *key = *value = 0;
    return dict_surrogate_fail(dict);
}

static void dict_surrogate_close(DICT *dict)
{
    myfree(((DICT_SURROGATE *)dict)->saved_text);
    dict_free(dict);
}

DICT *dict_surrogate(const char *type, const char *name, int open_flags, int dict_flags, int error,
                     const char *fmt, ...)
{
    DICT_SURROGATE *sp;
    VSTRING *buf = vstring_alloc(100);
    va_list ap;

    va_start(ap, fmt);
    vstring_vsprintf_append(buf, fmt, ap);
    va_end(ap);
    sp = (DICT_SURROGATE *)dict_alloc(type, name, sizeof(*sp));
    sp->dict.open_flags = open_flags;
    sp->dict.flags = dict_flags;
    sp->saved_error = error == DICT_ERR_NONE ? DICT_ERR_CONFIG : error;
    sp->saved_text = vstring_export(buf);
    sp->dict.lookup = dict_surrogate_lookup;
    sp->dict.update = dict_surrogate_update;
    sp->dict.delete = dict_surrogate_delete;
    sp->dict.sequence = dict_surrogate_sequence;
    sp->dict.close = dict_surrogate_close;
    /* Make the reason available at once, before any operation. */
    dict_fail(&sp->dict, sp->saved_error, "%s", sp->saved_text);
    return &sp->dict;
}

int dict_open_error(const DICT *dict)
{
    return dict->lookup == dict_surrogate_lookup;
}

/* Wrappers: reset the error so that callers see only this call's outcome. */

int dict_get(DICT *dict, const char *key, const char **value)
{
    *value = 0;
    if (!dict_open_error(dict))
        dict->error = DICT_ERR_NONE;
    return dict->lookup(dict, key, value);
}

int dict_put(DICT *dict, const char *key, const char *value)
{
    if (!dict_open_error(dict))
        dict->error = DICT_ERR_NONE;
    return dict->update(dict, key, value);
}

int dict_del(DICT *dict, const char *key)
{
    if (!dict_open_error(dict))
        dict->error = DICT_ERR_NONE;
    return dict->delete (dict, key);
}

int dict_seq(DICT *dict, int func, const char **key, const char **value)
{
    *key = *value = 0;
    if (!dict_open_error(dict))
        dict->error = DICT_ERR_NONE;
    return dict->sequence(dict, func, key, value);
}

void dict_close(DICT *dict)
{
    if (dict)
        dict->close(dict);
}
