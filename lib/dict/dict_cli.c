/*
 * dict_cli - shared code of postmap and postalias; see dict_cli.h.
 *
 * Tables named on the command line are opened lazily and in order, as
 * Postfix does: "postmap -q key a b" never opens b when a has the key.
 * Every output line is written with stdio and flushed at the end; a write
 * error on standard output is fatal so that a full disk is not mistaken
 * for an empty table.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dict.h"
#include "dict_cli.h"
#include "dict_file.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstring.h"

void dict_cli_split(const char *arg, const char *default_type, char **type, char **name)
{
    const char *colon = strchr(arg, ':');

    /* "type:name", with a type made of name characters only, or a plain path. */
    if (colon && colon > arg && strcspn(arg, "/") > (size_t)(colon - arg)) {
        *type = mystrndup(arg, (size_t)(colon - arg));
        *name = mystrdup(colon + 1);
    } else {
        *type = mystrdup(default_type);
        *name = mystrdup(arg);
    }
}

DICT *dict_cli_open(const char *arg, const char *default_type, int open_flags, int dict_flags)
{
    char *type;
    char *name;
    DICT *dict;

    dict_cli_split(arg, default_type, &type, &name);
    if (*name == 0)
        msg_fatal("open dictionary: expecting \"type:name\" form instead of \"%s\"", arg);
    if (!dict_type_known(type))
        msg_fatal("unsupported dictionary type: %s", type);
    dict = dict_open3(type, name, open_flags, dict_flags);
    if (dict_open_error(dict))
        msg_fatal("%s", dict_errtext(dict));
    myfree(type);
    myfree(name);
    return dict;
}

void dict_cli_fail(DICT *dict, const char *op)
{
    const char *text = dict_errtext(dict);
    size_t tlen = strlen(dict->type);
    size_t nlen = strlen(dict->name);

    /* Type errors already name the table ("table static:x: ... not supported"). */
    if (strncmp(text, "table ", 6) == 0 && strncmp(text + 6, dict->type, tlen) == 0 &&
        text[6 + tlen] == ':' && strncmp(text + 7 + tlen, dict->name, nlen) == 0)
        msg_fatal("%s", text);
    msg_fatal("table %s:%s: %s error: %s", dict->type, dict->name, op, text);
}

int dict_cli_b64;
size_t dict_cli_value_len;

/* Postfix names Berkeley DB and cdb tables by file in these warnings. */
static const char *dict_cli_table_name(DICT *dict)
{
    static VSTRING *buf;

    if (buf == 0)
        buf = vstring_alloc(100);
    vstring_sprintf(buf, "%s:%s%s", dict->type, dict->name,
                    strcmp(dict->type, "hash") == 0 || strcmp(dict->type, "btree") == 0 ? ".db"
                    : strcmp(dict->type, "cdb") == 0                                    ? ".cdb"
                                                                                        : "");
    return vstring_str(buf);
}

/*
 * With -F, values are base64: decode into a private buffer.  Sets
 * dict_cli_value_len; returns -1 (after a warning) for a malformed value.
 */
static int dict_cli_decode(DICT *dict, const char *key, const char **value)
{
    static VSTRING *decoded;

    if (!dict_cli_b64) {
        dict_cli_value_len = strlen(*value);
        return 0;
    }
    if (decoded == 0)
        decoded = vstring_alloc(100);
    if (dict_file_from_b64(*value, decoded) == 0) {
        msg_warn("table %s: key %s: malformed BASE64 value: %.100s", dict_cli_table_name(dict), key,
                 *value);
        return -1;
    }
    *value = vstring_str(decoded);
    dict_cli_value_len = VSTRING_LEN(decoded);
    return 0;
}

static void dict_cli_print(const char *key, const char *sep, const char *value)
{
    if (key)
        printf("%s%s", key, sep);
    /* Text up to a null byte, as Postfix prints decoded values. */
    printf("%s\n", value);
}

static void dict_cli_flush(void)
{
    if (fflush(stdout) != 0 || ferror(stdout))
        msg_fatal("write error on standard output: %m");
}

/* Lazily opened tables for one command. */
struct DICT_CLI_MAPS {
    char **args;
    int n;
    const char *default_type;
    int open_flags;
    int dict_flags;
    DICT **dicts;
};

static void dict_cli_maps_init(DICT_CLI_MAPS *mp, char **maps, int n, const char *default_type,
                               int open_flags, int dict_flags)
{
    mp->args = maps;
    mp->n = n;
    mp->default_type = default_type;
    mp->open_flags = open_flags;
    mp->dict_flags = dict_flags;
    mp->dicts = mycalloc((size_t)n + 1, sizeof(DICT *));
}

static DICT *dict_cli_maps_get(DICT_CLI_MAPS *mp, int i)
{
    if (mp->dicts[i] == 0)
        mp->dicts[i] = dict_cli_open(mp->args[i], mp->default_type, mp->open_flags, mp->dict_flags);
    return mp->dicts[i];
}

static void dict_cli_maps_done(DICT_CLI_MAPS *mp)
{
    for (int i = 0; i < mp->n; i++)
        if (mp->dicts[i])
            dict_close(mp->dicts[i]);
    myfree(mp->dicts);
}

DICT_CLI_MAPS *dict_cli_maps_create(char **maps, int n, const char *default_type, int open_flags,
                                    int dict_flags)
{
    DICT_CLI_MAPS *mp = mymalloc(sizeof(*mp));

    dict_cli_maps_init(mp, maps, n, default_type, open_flags, dict_flags);
    return mp;
}

void dict_cli_maps_free(DICT_CLI_MAPS *mp)
{
    dict_cli_maps_done(mp);
    myfree(mp);
}

int dict_cli_maps_query(DICT_CLI_MAPS *mp, const char *key, const char **value)
{
    for (int i = 0; i < mp->n; i++) {
        DICT *dict = dict_cli_maps_get(mp, i);
        int status = dict_get(dict, key, value);

        if (status == DICT_STAT_FOUND) {
            if (dict_cli_decode(dict, key, value) < 0)
                msg_fatal("table %s: query error", dict_cli_table_name(dict));
            /* An empty answer is a table bug that callers would read as "not found". */
            if (**value == 0) {
                msg_warn("table %s:%s: key %s: empty string result is not allowed", dict->type,
                         dict->name, key);
                msg_warn("table %s:%s should return NO RESULT in case of NOT FOUND", dict->type,
                         dict->name);
            }
            return status;
        }
        if (status == DICT_STAT_FAIL)
            dict_cli_fail(dict, "query");
    }
    return DICT_STAT_NOTFOUND;
}

int dict_cli_query(char **maps, int n, const char *default_type, const char *key, int dict_flags,
                   const char **value)
{
    static VSTRING *result; /* survives closing the tables */
    DICT_CLI_MAPS m;
    int status;

    if (result == 0)
        result = vstring_alloc(100);
    dict_cli_maps_init(&m, maps, n, default_type, O_RDONLY, dict_flags);
    status = dict_cli_maps_query(&m, key, value);
    if (status == DICT_STAT_FOUND)
        *value = vstring_str(vstring_memcpy(result, *value, dict_cli_value_len));
    dict_cli_maps_done(&m);
    return status;
}

/* One key per line; the line minus its newline is the key, as in Postfix. */
static char *dict_cli_getline(FILE *fp, char **buf, size_t *size)
{
    ssize_t len = getline(buf, size, fp);

    if (len < 0) {
        if (ferror(fp))
            msg_fatal("read error on standard input: %m");
        return 0;
    }
    if (len > 0 && (*buf)[len - 1] == '\n')
        (*buf)[--len] = 0;
    return *buf;
}

int dict_cli_query_stream(char **maps, int n, const char *default_type, FILE *fp, int dict_flags,
                          const char *sep)
{
    DICT_CLI_MAPS m;
    char *line = 0;
    size_t size = 0;
    const char *value;
    int found = 0;

    dict_cli_maps_init(&m, maps, n, default_type, O_RDONLY, dict_flags);
    while (dict_cli_getline(fp, &line, &size) != 0) {
        if (dict_cli_maps_query(&m, line, &value) == DICT_STAT_FOUND) {
            dict_cli_print(line, sep, value);
            found = 1;
        }
    }
    free(line);
    dict_cli_flush();
    dict_cli_maps_done(&m);
    return found;
}

static int dict_cli_maps_delete(DICT_CLI_MAPS *mp, const char *key)
{
    int deleted = 0;

    for (int i = 0; i < mp->n; i++) {
        DICT *dict = dict_cli_maps_get(mp, i);
        int status = dict_del(dict, key);

        if (status == DICT_STAT_FAIL)
            dict_cli_fail(dict, "delete");
        if (status == 0)
            deleted = 1;
    }
    return deleted;
}

int dict_cli_delete(char **maps, int n, const char *default_type, const char *key, int dict_flags)
{
    DICT_CLI_MAPS m;
    int deleted;

    dict_cli_maps_init(&m, maps, n, default_type, O_RDWR, dict_flags);
    deleted = dict_cli_maps_delete(&m, key);
    dict_cli_maps_done(&m);
    return deleted;
}

int dict_cli_delete_stream(char **maps, int n, const char *default_type, FILE *fp, int dict_flags)
{
    DICT_CLI_MAPS m;
    char *line = 0;
    size_t size = 0;
    int deleted = 0;

    dict_cli_maps_init(&m, maps, n, default_type, O_RDWR, dict_flags);
    while (dict_cli_getline(fp, &line, &size) != 0)
        deleted |= dict_cli_maps_delete(&m, line);
    free(line);
    dict_cli_maps_done(&m);
    return deleted;
}

void dict_cli_print_value(const char *value)
{
    dict_cli_print(0, "", value);
    dict_cli_flush();
}

void dict_cli_dump(char **maps, int n, const char *default_type, int dict_flags, const char *sep)
{
    for (int i = 0; i < n; i++) {
        DICT *dict = dict_cli_open(maps[i], default_type, O_RDONLY, dict_flags);
        const char *key;
        const char *value;
        int status;
        int func = DICT_SEQ_FIRST;

        while ((status = dict_seq(dict, func, &key, &value)) == DICT_STAT_FOUND) {
            if (dict_cli_decode(dict, key, &value) == 0)
                dict_cli_print(key, sep, value);
            func = DICT_SEQ_NEXT;
        }
        if (status == DICT_STAT_FAIL)
            dict_cli_fail(dict, "sequence");
        dict_close(dict);
    }
    dict_cli_flush();
}

static gid_t *dict_cli_saved_groups;
static int dict_cli_saved_ngroups = -1;

void dict_cli_set_eugid(uid_t uid, gid_t gid)
{
    if (dict_cli_saved_ngroups < 0) {
        int n = getgroups(0, 0);

        if (n < 0)
            msg_fatal("getgroups: %m");
        dict_cli_saved_groups = mymalloc_array((size_t)n + 1, sizeof(gid_t));
        if ((n = getgroups(n, dict_cli_saved_groups)) < 0)
            msg_fatal("getgroups: %m");
        dict_cli_saved_ngroups = n;
    }
    if (geteuid() != 0 && seteuid(0) < 0)
        msg_fatal("seteuid(0): %m");
    if (setgroups(1, &gid) < 0)
        msg_fatal("setgroups(%ld): %m", (long)gid);
    if (setegid(gid) < 0)
        msg_fatal("setegid(%ld): %m", (long)gid);
    if (seteuid(uid) < 0)
        msg_fatal("seteuid(%ld): %m", (long)uid);
}

void dict_cli_restore_eugid(void)
{
    if (dict_cli_saved_ngroups < 0)
        return;
    if (seteuid(getuid()) < 0)
        msg_fatal("seteuid(%ld): %m", (long)getuid());
    if (setegid(getgid()) < 0)
        msg_fatal("setegid(%ld): %m", (long)getgid());
    if (setgroups((size_t)dict_cli_saved_ngroups, dict_cli_saved_groups) < 0)
        msg_fatal("setgroups: %m");
}

/* dict_cli_bulk_type - the types a build from a source file can create */
static int dict_cli_bulk_type(const char *type)
{
    return strcmp(type, "hash") == 0 || strcmp(type, "btree") == 0 || strcmp(type, "lmdb") == 0 ||
           strcmp(type, "cdb") == 0;
}

void dict_cli_build(const char *arg, const char *default_type, int dict_flags, int keep_root,
                    int default_mode, DICT_CLI_LOAD_FN load, void (*finish)(DICT *dict))
{
    char *type;
    char *name;
    FILE *fp;
    struct stat st;
    DICT *dict;
    int switched = 0;

    dict_cli_split(arg, default_type, &type, &name);
    if ((fp = fopen(name, "r")) == 0)
        msg_fatal("open %s: %m", name);
    if (!dict_type_known(type))
        msg_fatal("unsupported dictionary type: %s", type);
    if (!dict_cli_bulk_type(type))
        msg_fatal("unsupported dictionary type: %s does not support bulk-mode creation.", type);
    if (fstat(fileno(fp), &st) < 0)
        msg_fatal("fstat %s: %m", name);
    dict_file_create_mode = default_mode ? 0644 : (st.st_mode & 0666 & ~022);
    if (!keep_root && geteuid() == 0 && st.st_uid != 0) {
        dict_cli_set_eugid(st.st_uid, st.st_gid);
        switched = 1;
    }
    dict = dict_open3(type, name, O_RDWR | O_CREAT | O_TRUNC, dict_flags | DICT_FLAG_BULK_UPDATE);
    if (dict_open_error(dict))
        msg_fatal("%s", dict_errtext(dict));
    load(dict, fp, name);
    fclose(fp);
    if (finish)
        finish(dict);
    dict_close(dict);
    if (switched)
        dict_cli_restore_eugid();
    myfree(type);
    myfree(name);
}

void dict_cli_incremental(const char *arg, const char *default_type, int dict_flags,
                          DICT_CLI_LOAD_FN load)
{
    DICT *dict = dict_cli_open(arg, default_type, O_RDWR | O_CREAT, dict_flags);

    if (dict->lock(dict, DICT_LOCK_EXCLUSIVE) < 0)
        msg_fatal("%s", dict_errtext(dict));
    load(dict, stdin, "stdin");
    dict_close(dict); /* writes out, then releases the lock */
}
