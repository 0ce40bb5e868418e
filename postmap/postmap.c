/*
 * postmap - build, query, update and list Postfix lookup tables.
 *
 * Usage (as postmap(1)):
 *   postmap [-fimnNoprsuUvw] [-c config_dir] [-d key] [-q key] [type:]file...
 *
 *   postmap [type:]file       build FILE.db (or .lmdb, .cdb) from FILE; the
 *                             new table is written beside the old one and
 *                             renamed into place, so readers never see a
 *                             partial table
 *   -q key / -q -             look a key up (keys from standard input with
 *                             "-": prints "key<TAB>value" lines)
 *   -d key / -d -             delete
 *   -s                        list every entry as "key<TAB>value"
 *   -i                        add "key value" lines from standard input
 *   -f                        no case folding; -N / -n: with / without a
 *                             null byte after keys and values; -r replace
 *                             duplicates; -w ignore duplicates silently;
 *                             -o keep root privileges; -p new files get mode
 *                             0644 instead of the source file's; -u/-U
 *                             accepted (UTF-8 is never enforced); -v verbose
 *   -h / -b with -q -         read a message on standard input and look up
 *                             its headers / body lines, printing
 *                             "text<TAB>result" (postmap_message.c); -m
 *                             (MIME) is not supported
 *   -F                        values are files: building stores their
 *                             contents base64-encoded; -q and -s print
 *                             values base64-decoded (TLS SNI maps)
 *   -c config_dir             read config_dir/main.cf
 *
 * Exit status (Postfix's): -q and -d: 0 when found/deleted, 1 when not;
 * anything fatal (bad option, unreadable file, table error): 1.  A source
 * line without a value is a warning naming file and line and is skipped;
 * the table is still built from the other lines, as Postfix does.
 *
 * Parameters: default_database_type, berkeley_db_create_buffer_size,
 * lmdb_map_size.  Files: the source file and FILE.db / .lmdb / .cdb (and
 * FILE.db.tmp etc. while building).
 *
 * Privileges: started by root to build from a file that root does not own,
 * postmap switches its effective uid/gid to the file's owner (unless -o),
 * as Postfix does, so a user cannot make root write where the user can't.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
#include "postmap_message.h"
#include "stringops.h"
#include "vstring.h"
#include "maillog_client.h"
#include "mail_params.h"

#define POSTMAP_USAGE                                                                              \
    "usage: %s [-bfFhimnNoprsuUvw] [-c config_dir] [-d key] [-q key] [map_type:]file..."

static const char *postmap_conf(const char *name, const char *def)
{
    const char *value = mail_conf_eval(name);

    return value && *value ? value : def;
}

static void postmap_conf_sizes(void)
{
    unsigned long n;

    if (safe_strtoul(postmap_conf("berkeley_db_create_buffer_size", "16777216"), &n) && n > 0)
        dict_db_cache_size = n;
    if (safe_strtoul(postmap_conf("lmdb_map_size", "16777216"), &n) && n > 0)
        dict_lmdb_map_size = n;
}

/* Types that can be built from a source file. */
/* Feed "key value" lines to an open table. */
static void postmap_load(DICT *dict, FILE *fp, const char *source)
{
    DICT_LINE *lp = dict_line_open(fp, source);
    VSTRING *line = vstring_alloc(100);
    VSTRING *b64 = vstring_alloc(100);
    VSTRING *why = vstring_alloc(100);
    char *key;
    char *value;
    int status;

    while ((status = dict_line_read(lp, line)) != DICT_LINE_EOF) {
        if (status == DICT_LINE_ERROR)
            msg_fatal("read %s: %m", source);
        if (status == DICT_LINE_TOOLONG) {
            msg_warn("%s, line %d: line too long (limit %d bytes)", source, dict_line_number(lp),
                     DICT_LINE_LIMIT);
            continue;
        }
        if (dict_line_split(vstring_str(line), &key, &value) < 0) {
            msg_warn("%s, line %d: expected format: key whitespace value", source,
                     dict_line_number(lp));
            continue;
        }
        if (dict_cli_b64) {
            if (dict_file_to_b64(value, b64, why) == 0) {
                msg_warn("%s, line %d: %s: skipping this entry", source, dict_line_number(lp),
                         vstring_str(why));
                continue;
            }
            value = vstring_str(b64);
        }
        if (dict_put(dict, key, value) == DICT_STAT_FAIL)
            dict_cli_fail(dict, "update");
    }
    dict_line_close(lp);
    vstring_free(line);
    vstring_free(b64);
    vstring_free(why);
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
    int message = 0;
    const char *query = 0;
    const char *delkey = 0;
    const char *default_type;
    int dict_flags;
    int status;

    msg_init(argv[0]);
    msg_stderr_init();
    umask(022);
    if (getenv("MAIL_VERBOSE"))
        msg_verbose = 1;
    while ((ch = getopt(argc, argv, "bc:d:fFhimnNopq:rsuUvw")) > 0) {
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
        case 'U':
            break;
        case 'v':
            msg_verbose++;
            break;
        case 'w':
            dup_flags = DICT_FLAG_DUP_IGNORE;
            break;
        case 'b':
            message |= POSTMAP_MSG_BODY;
            break;
        case 'h':
            message |= POSTMAP_MSG_HEADER;
            break;
        case 'F':
            dict_cli_b64 = 1;
            break;
        case 'm':
            msg_fatal("option -%c is not supported by this postmap", ch);
        default:
            msg_fatal(POSTMAP_USAGE, msg_program);
        }
    }
    if (optind >= argc)
        msg_fatal(POSTMAP_USAGE, msg_program);
    if (message && (query == 0 || strcmp(query, "-") != 0))
        msg_fatal("specify -b -h or -m only with \"-q -\"");
    mail_conf_read();
    maillog_client_init(msg_program, MAILLOG_CLIENT_FLAG_STDERR);
    postmap_conf_sizes();
    default_type = postmap_conf("default_database_type", "hash");
    dict_flags = (fold ? DICT_FLAG_FOLD_FIX : 0) | null_flags | DICT_FLAG_LOCK;

    if (message) {
        DICT_CLI_MAPS *maps =
            dict_cli_maps_create(argv + optind, argc - optind, default_type, O_RDONLY, dict_flags);

        status = postmap_message(stdin, stdout, maps, message);
        dict_cli_maps_free(maps);
        exit(status ? 0 : 1);
    }
    if (query) {
        if (strcmp(query, "-") == 0)
            exit(dict_cli_query_stream(argv + optind, argc - optind, default_type, stdin,
                                       dict_flags, "\t")
                     ? 0
                     : 1);
        const char *value;

        status =
            dict_cli_query(argv + optind, argc - optind, default_type, query, dict_flags, &value);
        if (status == DICT_STAT_FOUND) {
            dict_cli_print_value(value);
            exit(0);
        }
        exit(1);
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
        dict_cli_dump(argv + optind, argc - optind, default_type, dict_flags, "\t");
        exit(0);
    }
    for (int i = optind; i < argc; i++) {
        if (incremental)
            dict_cli_incremental(argv[i], default_type, dict_flags | dup_flags, postmap_load);
        else
            dict_cli_build(argv[i], default_type, dict_flags | dup_flags, keep_root, default_mode,
                           postmap_load, 0);
    }
    exit(0);
}
