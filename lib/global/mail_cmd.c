/*
 * mail_cmd - start-up of the set-gid user commands; see mail_cmd.h.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "argv.h"
#include "clean_env.h"
#include "mail_cmd.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "maillog_client.h"
#include "msg.h"
#include "mymalloc.h"

void mail_cmd_start(const char *name)
{
    for (int fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFL) < 0 && open("/dev/null", O_RDWR) != fd)
            exit(EX_OSERR);
    umask(077);
    msg_init(name);
    msg_stderr_init();
}

int mail_cmd_option(int ch, const char *arg, const char **dir)
{
    switch (ch) {
    case 'c':
        *dir = arg;
        return 1;
    case 'v':
        msg_verbose++;
        return 1;
    default:
        return 0;
    }
}

const char *mail_cmd_config(const char *name, const char *dir_arg, int chdir_status)
{
    return mail_cmd_config_list(name, dir_arg, chdir_status, 0);
}

const char *mail_cmd_config_list(const char *name, const char *dir_arg, int chdir_status,
                                 const char *const *params)
{
    static char *dir; /* a copy: clean_env() may free the environment's */
    ARGV *keep;

    if (dir_arg == 0)
        dir_arg = getenv("MAIL_CONFIG");
    if (dir_arg) {
        dir = mystrdup(dir_arg);
        if (*dir != '/' || !mail_conf_dir_allowed(dir))
            msg_fatal_status(EX_NOPERM,
                             "uid=%ld: not allowed to use configuration directory %s "
                             "(not listed in alternate_config_directories)",
                             (long)getuid(), dir);
        mail_conf_set_dir(dir);
    }
    mail_conf_read();
    if (params) {
        mail_params_init_list(params);
        msg_utf8 = var_smtputf8_enable;
    } else {
        mail_params_init();
    }
    keep = argv_split_list(var_import_environment);
    clean_env(keep->argv);
    argv_free(keep);
    if (dir && setenv("MAIL_CONFIG", dir, 1) < 0)
        msg_fatal_status(EX_OSERR, "setenv: %m");
    maillog_client_init(name, MAILLOG_CLIENT_FLAG_STDERR);
    if (chdir(var_queue_directory) < 0)
        msg_fatal_status(chdir_status, "chdir %s: %m", var_queue_directory);
    return dir;
}
