/*
 * postalias - build, query, update and list alias databases (aliases(5)).
 *
 * Usage (as postalias(1)):
 *   postalias [-Nfinoprsuvw] [-c config_dir] [-d key] [-q key] [type:]file...
 *
 *   postalias [type:]file      build FILE.db (.lmdb, .cdb) from FILE, written
 *                              beside the old table and renamed into place
 *   -q key / -q -              look up (stdin keys print "key:<TAB>value")
 *   -d key / -d -              delete
 *   -s                         list every entry as "key:<TAB>value"
 *   -i                         add aliases(5) lines from standard input
 *   -f -n -N -o -p -r -w -u -v -c   as postmap(1)
 *
 * Source syntax: "name: value, value..." with continuation lines that start
 * with white space, '#' comments and blank lines ignored.  Names are
 * case-folded (unless -f) and must be local ("name must be local"); a line
 * that is not a name:value pair is a warning naming file and line, and is
 * skipped.  Values are stored re-tokenized as Postfix does (postalias_parse).
 *
 * Like Postfix, a built table also holds the sendmail/NIS markers: "@"
 * with value "@" (sendmail checks it to see that the table is complete) and
 * YP_LAST_MODIFIED / YP_MASTER_NAME (without null bytes).
 *
 * Exit status: 0 success or found, 1 not found or a fatal error (Postfix's).
 * Parameters: default_database_type, myhostname, lmdb_map_size,
 * berkeley_db_create_buffer_size.  newaliases builds $alias_database by
 * running this program on each of its tables.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dict.h"
#include "dict_cli.h"
#include "dict_db.h"
#include "dict_file.h"
#include "dict_line.h"
#include "dict_lmdb.h"
#include "mail_conf.h"
#include "msg.h"
#include "mymalloc.h"
#include "postalias_parse.h"
#include "stringops.h"
#include "vstring.h"
#include "maillog_client.h"
#include "mail_params.h"

#define POSTALIAS_USAGE                                                                            \
    "usage: %s [-Nfinoprsuvw] [-c config_dir] [-d key] [-q key] [map_type:]file..."

static const char *postalias_conf(const char *name, const char *def)
{
    const char *value = mail_conf_eval(name);

    return value && *value ? value : def;
}

static void postalias_load(DICT *dict, FILE *fp, const char *source)
{
    DICT_LINE *lp = dict_line_open(fp, source);
    VSTRING *line = vstring_alloc(100);
    VSTRING *key = vstring_alloc(100);
    VSTRING *value = vstring_alloc(100);
    const char *why;
    int status;

    while ((status = dict_line_read(lp, line)) != DICT_LINE_EOF) {
        if (status == DICT_LINE_ERROR)
            msg_fatal("read %s: %m", source);
        if (status == DICT_LINE_TOOLONG) {
            msg_warn("%s, line %d: line too long (limit %d bytes)", source, dict_line_number(lp),
                     DICT_LINE_LIMIT);
            continue;
        }
        if (postalias_parse(vstring_str(line), key, value, &why) < 0) {
            msg_warn("%s, line %d: %s", source, dict_line_number(lp), why);
            continue;
        }
        if (dict_put(dict, vstring_str(key), vstring_str(value)) == DICT_STAT_FAIL)
            dict_cli_fail(dict, "update");
    }
    dict_line_close(lp);
    vstring_free(line);
    vstring_free(key);
    vstring_free(value);
}

/* The markers Postfix's postalias adds to every table it builds. */
static void postalias_markers(DICT *dict)
{
    int saved = dict->flags;
    char stamp[32];

    dict->flags &= ~(DICT_FLAG_TRY1NULL | DICT_FLAG_FOLD_ANY);
    dict->flags |= DICT_FLAG_TRY0NULL | DICT_FLAG_DUP_REPLACE;
    snprintf(stamp, sizeof(stamp), "%ld", (long)time((time_t *)0));
    if (dict_put(dict, "YP_LAST_MODIFIED", stamp) == DICT_STAT_FAIL ||
        dict_put(dict, "YP_MASTER_NAME", postalias_conf("myhostname", "localhost")) ==
            DICT_STAT_FAIL)
        dict_cli_fail(dict, "update");
    dict->flags = saved;
    if (dict_put(dict, "@", "@") == DICT_STAT_FAIL)
        dict_cli_fail(dict, "update");
}

static unsigned long postalias_size(const char *name, const char *def)
{
    unsigned long n;

    return safe_strtoul(postalias_conf(name, def), &n) && n > 0 ? n : strtoul(def, 0, 10);
}

int main(int argc, char **argv)
{
    int ch;
    int fold = 1;
    int incremental = 0;
    int keep_root = 0;
    int default_mode = 0;
    int null_flags = 0;
    int dup_flags = DICT_FLAG_DUP_WARN;
    int dump = 0;
    const char *query = 0;
    const char *delkey = 0;
    const char *default_type;
    const char *value;
    int dict_flags;

    msg_init(argv[0]);
    msg_stderr_init();
    umask(022);
    while ((ch = getopt(argc, argv, "c:d:finNopq:rsuvw")) > 0) {
        switch (ch) {
        case 'c':
            mail_conf_set_dir(optarg);
            break;
        case 'd':
            if (query || delkey || dump)
                msg_fatal("specify only one of -s -q or -d");
            delkey = optarg;
            break;
        case 'f':
            fold = 0;
            break;
        case 'i':
            incremental = 1;
            break;
        case 'n':
            null_flags = DICT_FLAG_TRY0NULL;
            break;
        case 'N':
            null_flags = DICT_FLAG_TRY1NULL;
            break;
        case 'o':
            keep_root = 1;
            break;
        case 'p':
            default_mode = 1;
            break;
        case 'q':
            if (query || delkey || dump)
                msg_fatal("specify only one of -s -q or -d");
            query = optarg;
            break;
        case 'r':
            dup_flags = DICT_FLAG_DUP_REPLACE;
            break;
        case 's':
            if (query || delkey || dump)
                msg_fatal("specify only one of -s -q or -d");
            dump = 1;
            break;
        case 'u':
            break;
        case 'v':
            msg_verbose++;
            break;
        case 'w':
            dup_flags = DICT_FLAG_DUP_IGNORE;
            break;
        default:
            msg_fatal(POSTALIAS_USAGE, msg_program);
        }
    }
    if (optind >= argc)
        msg_fatal(POSTALIAS_USAGE, msg_program);
    mail_conf_read();
    maillog_client_init(msg_program, MAILLOG_CLIENT_FLAG_STDERR);
    dict_db_cache_size = postalias_size("berkeley_db_create_buffer_size", "16777216");
    dict_lmdb_map_size = postalias_size("lmdb_map_size", "16777216");
    default_type = postalias_conf("default_database_type", "hash");
    dict_flags = (fold ? DICT_FLAG_FOLD_FIX : 0) | null_flags | DICT_FLAG_LOCK;

    if (query) {
        if (strcmp(query, "-") == 0)
            exit(dict_cli_query_stream(argv + optind, argc - optind, default_type, stdin,
                                       dict_flags, ":\t")
                     ? 0
                     : 1);
        if (dict_cli_query(argv + optind, argc - optind, default_type, query, dict_flags, &value) !=
            DICT_STAT_FOUND)
            exit(1);
        dict_cli_print_value(value);
        exit(0);
    }
    if (delkey) {
        int deleted;

        if (strcmp(delkey, "-") == 0)
            deleted = dict_cli_delete_stream(argv + optind, argc - optind, default_type, stdin,
                                             dict_flags);
        else
            deleted =
                dict_cli_delete(argv + optind, argc - optind, default_type, delkey, dict_flags);
        exit(deleted ? 0 : 1);
    }
    if (dump) {
        dict_cli_dump(argv + optind, argc - optind, default_type, dict_flags, ":\t");
        exit(0);
    }
    for (int i = optind; i < argc; i++) {
        if (incremental)
            dict_cli_incremental(argv[i], default_type, dict_flags | dup_flags, postalias_load);
        else
            dict_cli_build(argv[i], default_type, dict_flags | dup_flags, keep_root, default_mode,
                           postalias_load, postalias_markers);
    }
    exit(0);
}
