/*
 * dict_inline - the "inline" table: key=value pairs in the table name.
 *
 * Interface: dict_inline_open(name, open_flags, dict_flags) (dict_inline.h).
 *   inline:{ key1=value1, key2=value2, { key3 = value with spaces } }
 * Elements are separated by commas and/or white space; an element in braces
 * may contain both, and white space around its "=" and value is removed.
 * Braces inside an element are plain text, as in Postfix (3.7's postmap -q
 * k 'inline:{k={450 4.2.0 text}}' prints "{450 4.2.0 text}", braces
 * included): a value with spaces is written by bracing the whole element,
 * inline:{{k = 450 4.2.0 text}}.  An element such as "k = {a b}" has white
 * space outside braces and so splits into "k", "=", "{a b}": an error.
 * Keys are folded as for any fixed-string table; a later duplicate wins.
 * The table is read-only.  Errors (surrogate table, Postfix's wording):
 *   bad syntax: "inline:NAME"; need "inline:{name=value...}"
 *     (no outer braces, "{}", unbalanced braces, text after the closing
 *     brace)
 *   empty table: ...                      ("{ }")
 *   no key found; expected format: key = value: ...   (an empty "{ }" element)
 *   missing '=' after attribute name: ...
 * An element with an empty key is ignored; an empty value is kept.
 */
#include <fcntl.h>
#include <string.h>

#include "dict.h"
#include "dict_ht.h"
#include "dict_inline.h"
#include "mymalloc.h"
#include "stringops.h"

#define DICT_INLINE_NEED "need \"inline:{name=value...}\""

DICT *dict_inline_open(const char *name, int open_flags, int dict_flags)
{
    char *copy = mystrdup(name);
    char *cp = copy;
    char *elem;
    char *key;
    char *value;
    const char *err = 0;
    DICT *dict;
    size_t count = 0;

    if ((open_flags & O_ACCMODE) != O_RDONLY) {
        myfree(copy);
        return dict_surrogate(DICT_TYPE_INLINE, name, open_flags, dict_flags, DICT_ERR_CONFIG,
                              "%s:%s map requires O_RDONLY access mode", DICT_TYPE_INLINE, name);
    }
    /* A later duplicate replaces an earlier one, whatever the caller's DUP flags. */
    dict = dict_ht_open(DICT_TYPE_INLINE, name, open_flags,
                        (dict_flags & ~(DICT_FLAG_DUP_WARN | DICT_FLAG_DUP_IGNORE)) |
                            DICT_FLAG_DUP_REPLACE);
    if (*cp != CHARS_BRACE[0] || strlen(cp) <= 2 ||
        extpar(&cp, CHARS_BRACE, EXTPAR_FLAG_STRIP) != 0) {
        err = "bad syntax";
    } else {
        while ((elem = mystrtokq(&cp, CHARS_COMMA_SP, CHARS_BRACE)) != 0) {
            if (*elem == CHARS_BRACE[0] && extpar(&elem, CHARS_BRACE, EXTPAR_FLAG_STRIP) != 0) {
                err = "bad syntax";
                break;
            }
            if (*skipblanks(elem) == 0) {
                err = "no key found; expected format: key = value";
                break;
            }
            if (split_nameval(elem, &key, &value) != 0) {
                err = "missing '=' after attribute name";
                break;
            }
            count++;
            if (*key == 0)
                continue;
            dict->update(dict, key, value);
        }
        if (err == 0 && count == 0)
            err = "empty table";
    }
    myfree(copy);
    dict->flags = (dict->flags & ~DICT_FLAG_DUP_REPLACE) | (dict_flags & DICT_FLAG_DUP_REPLACE);
    if (err) {
        dict_close(dict);
        return dict_surrogate(DICT_TYPE_INLINE, name, open_flags, dict_flags, DICT_ERR_CONFIG,
                              "%s: \"%s:%s\"; %s", err, DICT_TYPE_INLINE, name, DICT_INLINE_NEED);
    }
    return dict;
}
