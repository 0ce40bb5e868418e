/*
 * dict_cli - what the table commands (postmap, postalias) share: opening
 * "[type:]name" arguments, queries, deletions and dumps with Postfix's
 * output formats and fatal messages; see dict_cli.c.
 *
 *   dict_cli_split(arg, default_type, &type, &name)
 *       "hash:/x" -> "hash", "/x"; "/x" -> default_type, "/x" (copies,
 *       caller frees both)
 *   dict_cli_open(arg, default_type, open_flags, dict_flags)
 *       dict_open3() or msg_fatal() with the table's own error text
 *   dict_cli_query(maps, n, default_type, key, dict_flags, &value)
 *       look key up in each table in turn, opening them lazily; returns
 *       DICT_STAT_FOUND / DICT_STAT_NOTFOUND; a table error is fatal
 *       ("table TYPE:NAME: query error: REASON")
 *   dict_cli_query_stream(maps, n, default_type, fp, dict_flags, sep)
 *       one key per input line, prints "key<sep>value" for each found;
 *       returns 1 if any key was found
 *   dict_cli_delete(maps, n, default_type, key, dict_flags)
 *   dict_cli_delete_stream(...)
 *       returns 1 if a key was deleted from some table
 *   dict_cli_dump(maps, n, default_type, dict_flags, sep)
 *       prints "key<sep>value" for every entry of every table
 *   dict_cli_print_value(value)
 *       print the value of the last successful query and a newline (with
 *       -F a decoded value is printed up to its first null byte, as Postfix
 *       does; dict_cli_value_len is its full length)
 *   dict_cli_b64 (postmap -F)
 *       nonzero: values are base64; queries and dumps print them decoded,
 *       and a malformed value is a warning (dumps skip it) and, for
 *       queries, "table TYPE:NAME: query error" (fatal), as in Postfix
 *   dict_cli_fail(dict, op)
 *       msg_fatal() for a failed operation, Postfix's wording
 *   maps = dict_cli_maps_create(maps, n, default_type, open_flags, dict_flags)
 *   dict_cli_maps_query(maps, key, &value)  (lazy open, fatal on error)
 *   dict_cli_maps_free(maps)
 *       the lazily opened table list the functions above use, for callers
 *       with their own input loop (postmap -b/-h)
 *   dict_cli_set_eugid(uid, gid) / dict_cli_restore_eugid()
 *       run as the source file's owner while building (postmap/postalias
 *       started by root), and switch back afterwards
 *   dict_cli_build(arg, default_type, dict_flags, keep_root, default_mode,
 *                  load, finish)
 *       build "[type:]name" from the file name: only the types that can be
 *       built in bulk (hash, btree, lmdb, cdb); the new table gets the
 *       source's mode (or 0644 with default_mode) and, when root runs it
 *       without keep_root, the source's owner; load(dict, fp, name) feeds
 *       the entries, finish(dict) (may be null) adds what the command adds
 *       last (postalias's markers)
 *   dict_cli_incremental(arg, default_type, dict_flags, load)
 *       add the entries that load() reads from standard input to an
 *       existing (or new) table, under its exclusive lock
 */
#ifndef POSTERN_DICT_CLI_H
#define POSTERN_DICT_CLI_H

#include <stdio.h>
#include <sys/types.h>

#include "dict.h"

extern void dict_cli_split(const char *arg, const char *default_type, char **type, char **name);
extern DICT *dict_cli_open(const char *arg, const char *default_type, int open_flags,
                           int dict_flags);
extern int dict_cli_query(char **maps, int n, const char *default_type, const char *key,
                          int dict_flags, const char **value);
extern int dict_cli_query_stream(char **maps, int n, const char *default_type, FILE *fp,
                                 int dict_flags, const char *sep);
extern int dict_cli_delete(char **maps, int n, const char *default_type, const char *key,
                           int dict_flags);
extern int dict_cli_delete_stream(char **maps, int n, const char *default_type, FILE *fp,
                                  int dict_flags);
extern void dict_cli_dump(char **maps, int n, const char *default_type, int dict_flags,
                          const char *sep);
extern void dict_cli_fail(DICT *dict, const char *op) __attribute__((noreturn));
extern void dict_cli_print_value(const char *value);
extern int dict_cli_b64;
extern size_t dict_cli_value_len;

typedef struct DICT_CLI_MAPS DICT_CLI_MAPS;
extern DICT_CLI_MAPS *dict_cli_maps_create(char **maps, int n, const char *default_type,
                                           int open_flags, int dict_flags);
extern int dict_cli_maps_query(DICT_CLI_MAPS *mp, const char *key, const char **value);
extern void dict_cli_maps_free(DICT_CLI_MAPS *mp);
extern void dict_cli_set_eugid(uid_t uid, gid_t gid);
extern void dict_cli_restore_eugid(void);

typedef void (*DICT_CLI_LOAD_FN)(DICT *dict, FILE *fp, const char *source);
extern void dict_cli_build(const char *arg, const char *default_type, int dict_flags, int keep_root,
                           int default_mode, DICT_CLI_LOAD_FN load, void (*finish)(DICT *dict));
extern void dict_cli_incremental(const char *arg, const char *default_type, int dict_flags,
                                 DICT_CLI_LOAD_FN load);

#endif
