/*
 * dict_thash - the "texthash" table: a postmap source file read into memory
 * at open time, so that no postmap step is needed.
 *
 * Interface: dict_thash_open(path, open_flags, dict_flags) (dict_thash.h).
 * The file uses the postmap(1) syntax (dict_line.h).  Like Postfix:
 *   a line without a value:  "PATH, line N: expected format: key whitespace
 *                            value -- ignoring this line" (warning)
 *   a duplicate key:         "PATH, line N: duplicate entry: "KEY"" (warning,
 *                            the first one wins) unless DICT_FLAG_DUP_IGNORE
 *                            (silent) or DICT_FLAG_DUP_REPLACE (last wins)
 *   an unreadable file:      a surrogate, "open database PATH: REASON"
 * The table is read-only; sequence() walks it in file order.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "dict.h"
#include "dict_ht.h"
#include "dict_line.h"
#include "dict_thash.h"
#include "msg.h"
#include "vstring.h"

DICT *dict_thash_open(const char *path, int open_flags, int dict_flags)
{
    FILE *fp;
    DICT_LINE *lp;
    DICT *dict;
    VSTRING *line;
    struct stat st;
    char *key;
    char *value;
    const char *old;
    int status;
    int err;

    if ((open_flags & O_ACCMODE) != O_RDONLY)
        return dict_surrogate(DICT_TYPE_THASH, path, open_flags, dict_flags, DICT_ERR_CONFIG,
                              "%s:%s map requires O_RDONLY access mode", DICT_TYPE_THASH, path);
    if ((fp = fopen(path, "r")) == 0)
        return dict_surrogate(DICT_TYPE_THASH, path, open_flags, dict_flags,
                              errno == ENOENT ? DICT_ERR_CONFIG : DICT_ERR_RETRY,
                              "open database %s: %m", path);
    dict = dict_ht_open(DICT_TYPE_THASH, path, open_flags,
                        (dict_flags & ~DICT_FLAG_DUP_WARN) | DICT_FLAG_DUP_REPLACE);
    if (fstat(fileno(fp), &st) == 0) {
        dict->mtime = st.st_mtime;
        dict->owner_uid = (int)st.st_uid;
    }
    line = vstring_alloc(100);
    lp = dict_line_open(fp, path);
    while ((status = dict_line_read(lp, line)) != DICT_LINE_EOF) {
        if (status == DICT_LINE_ERROR)
            break;
        if (status == DICT_LINE_TOOLONG) {
            msg_warn("%s, line %d: line too long -- ignoring this line", path,
                     dict_line_number(lp));
            continue;
        }
        if (dict_line_split(vstring_str(line), &key, &value) < 0) {
            msg_warn("%s, line %d: expected format: key whitespace value -- ignoring this line",
                     path, dict_line_number(lp));
            continue;
        }
        if (dict->lookup(dict, key, &old) == DICT_STAT_FOUND) {
            if (dict_flags & DICT_FLAG_DUP_REPLACE) {
                /* replace below */
            } else {
                if ((dict_flags & DICT_FLAG_DUP_IGNORE) == 0)
                    msg_warn("%s, line %d: duplicate entry: \"%s\"", path, dict_line_number(lp),
                             key);
                continue;
            }
        }
        dict->update(dict, key, value);
    }
    err = errno;
    dict_line_close(lp);
    vstring_free(line);
    fclose(fp);
    dict->flags = (dict->flags & ~DICT_FLAG_DUP_REPLACE) | (dict_flags & DICT_FLAG_DUP_REPLACE);
    if (status == DICT_LINE_ERROR) {
        dict_close(dict);
        errno = err;
        return dict_surrogate(DICT_TYPE_THASH, path, open_flags, dict_flags, DICT_ERR_RETRY,
                              "read %s: %m", path);
    }
    return dict;
}
