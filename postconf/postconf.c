/*
 * postconf - show or change Postern (Postfix-compatible) configuration.
 *
 * Usage: postconf [-dfhHnvx] [-c config_dir] [-o name=value] [name ...]
 *        postconf -e name=value ...  |  -X name ...  |  -# name ...
 *        postconf -M[f] [service[/type] ...]  |  -F [service[/type[/field]]]
 *        postconf -P [service[/type[/name]]]
 *        postconf -Me|-MX|-M# ..., -Fe ..., -Pe|-PX ...   (edit master.cf)
 *        postconf -m | -l | -a | -A
 *
 * With no option, every parameter is printed as "name = value", sorted by
 * name: registry parameters, per-transport parameters of delivery agents in
 * master.cf, and user-defined parameters that some value references.  The
 * output is byte-for-byte that of Postfix's postconf for the same input.
 *
 * Files: $config_directory/main.cf (read; rewritten atomically by -e, -X,
 * -#), $config_directory/master.cf (read).  The configuration directory is
 * -c, else $MAIL_CONFIG, else /etc/postfix.
 *
 * What can go wrong: a missing main.cf, a main.cf or master.cf syntax error,
 * or an expansion error with -x are fatal (exit 1), as in Postfix; unknown
 * names are warnings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "argv.h"
#include "dict.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "postconf.h"

#define PCF_MAIN_CF          0
#define PCF_MASTER_ENTRY     1
#define PCF_MASTER_FIELD     2
#define PCF_MASTER_PARAM     3
#define PCF_LIST_MAPS        4
#define PCF_LIST_LOCKS       5
#define PCF_LIST_SASL_SERVER 6
#define PCF_LIST_SASL_CLIENT 7

static void pcf_usage(void)
{
    msg_fatal("usage: %s [-a (server SASL types)] [-A (client SASL types)] [-c config_dir] "
              "[-d (parameter defaults)] [-e (edit configuration)] [-f (fold lines)] "
              "[-F (master.cf fields)] [-h (no names)] [-H (no values)] [-l (lock types)] "
              "[-m (map types)] [-M (master.cf)] [-n (non-default parameters)] "
              "[-o name=value (override parameter value)] [-P (master.cf parameters)] "
              "[-v (verbose)] [-x (expand parameter values)] [-X (exclude)] "
              "[-# (comment-out)] [name...]",
              msg_program);
}

static void pcf_print_type(const char *type)
{
    printf("%s\n", type);
}

int main(int argc, char **argv)
{
    int ch;
    int mode = 0;
    int what = PCF_MAIN_CF;
    int edit = 0;
    ARGV *overrides = argv_alloc(4);
    static char stdout_buf[65536];

    msg_init(argv[0]);
    msg_stderr_init();
    setvbuf(stdout, stdout_buf, _IOFBF, sizeof(stdout_buf));

    while ((ch = getopt(argc, argv, "+aAc:deEfFhHlmMno:pPvxX#")) != -1) {
        switch (ch) {
        case 'a':
            what = PCF_LIST_SASL_SERVER;
            break;
        case 'A':
            what = PCF_LIST_SASL_CLIENT;
            break;
        case 'c':
            mail_conf_set_dir(optarg);
            break;
        case 'd':
            mode |= PCF_SHOW_DEFS;
            break;
        case 'e':
            edit = PCF_EDIT_SET;
            break;
        case 'f':
            mode |= PCF_FOLD_LINE;
            break;
        case 'F':
            what = PCF_MASTER_FIELD;
            break;
        case 'h':
            mode |= PCF_HIDE_NAME;
            break;
        case 'H':
            mode |= PCF_HIDE_VALUE;
            break;
        case 'l':
            what = PCF_LIST_LOCKS;
            break;
        case 'm':
            what = PCF_LIST_MAPS;
            break;
        case 'M':
            what = PCF_MASTER_ENTRY;
            break;
        case 'n':
            mode |= PCF_SHOW_NONDEF;
            break;
        case 'o':
            if (strchr(optarg, '=') == 0)
                msg_fatal("invalid parameter override: %s: missing '='", optarg);
            argv_add(overrides, optarg);
            break;
        case 'p':
            what = PCF_MAIN_CF;
            break;
        case 'P':
            what = PCF_MASTER_PARAM;
            break;
        case 'v':
            msg_verbose++;
            break;
        case 'x':
            mode |= PCF_SHOW_EVAL;
            break;
        case 'X':
            edit = PCF_EDIT_EXCLUDE;
            break;
        case '#':
            edit = PCF_EDIT_COMMENT;
            break;
        default:
            pcf_usage();
        }
    }
    if ((mode & PCF_SHOW_DEFS) && (mode & PCF_SHOW_NONDEF))
        msg_fatal("specify one of -d -n");
    if ((mode & PCF_HIDE_NAME) && (mode & PCF_HIDE_VALUE))
        msg_fatal("specify one of -h -H");

    switch (what) {
    case PCF_LIST_MAPS:
        dict_type_list(pcf_print_type);
        break;
    case PCF_LIST_LOCKS:
        printf("flock\nfcntl\ndotlock\n");
        break;
    case PCF_LIST_SASL_SERVER:
        printf("cyrus\ndovecot\n");
        break;
    case PCF_LIST_SASL_CLIENT:
        printf("cyrus\n");
        break;
    case PCF_MASTER_ENTRY:
    case PCF_MASTER_FIELD:
    case PCF_MASTER_PARAM:
        if (edit) {
            pcf_edit_master(edit,
                            what == PCF_MASTER_ENTRY   ? PCF_MASTER_EDIT_ENTRY
                            : what == PCF_MASTER_FIELD ? PCF_MASTER_EDIT_FIELD
                                                       : PCF_MASTER_EDIT_PARAM,
                            argv + optind);
            break;
        }
        mail_conf_read();
        for (size_t i = 0; i < overrides->argc; i++) {
            char *copy = mystrdup(overrides->argv[i]);
            char *eq = strchr(copy, '=');

            *eq = 0;
            mail_conf_update(copy, eq + 1);
            myfree(copy);
        }
        pcf_read_master(1);
        mail_conf_flags |= MAIL_CONF_FLAG_WARN_UNDEF;
        pcf_register_params(mode);
        pcf_flag_unused(mode, 1);
        if (what == PCF_MASTER_ENTRY)
            pcf_show_master_entries(mode, argv + optind);
        else if (what == PCF_MASTER_FIELD)
            pcf_show_master_fields(mode, argv + optind);
        else
            pcf_show_master_params(mode, argv + optind);
        break;
    default:
        if (edit) {
            if (optind >= argc && edit == PCF_EDIT_SET)
                msg_fatal("-e requires name=value argument");
            if (optind >= argc)
                msg_fatal("-X or -# requires a parameter list");
            pcf_edit_main(edit, argv + optind);
            break;
        }
        if ((mode & PCF_SHOW_DEFS) == 0) {
            mail_conf_read();
            mail_conf_flags |= MAIL_CONF_FLAG_WARN_UNDEF;
        }
        for (size_t i = 0; i < overrides->argc; i++) {
            char *copy = mystrdup(overrides->argv[i]);
            char *eq = strchr(copy, '=');

            *eq = 0;
            mail_conf_update(copy, eq + 1);
            myfree(copy);
        }
        pcf_read_master(0);
        pcf_register_params(mode);
        pcf_flag_unused(mode, 0);
        pcf_show_params(mode, argv + optind);
        break;
    }
    argv_free(overrides);
    if (fflush(stdout) != 0 || ferror(stdout))
        msg_fatal("write error on standard output: %m");
    return 0;
}
