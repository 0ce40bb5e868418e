/*
 * postkick - send a trigger request to a Postern service from a shell
 * script, e.g. "postkick public pickup W" or "postkick public qmgr I".
 *
 * Usage: postkick [-c config_dir] [-v] class service request
 *
 * class is public or private (a directory under queue_directory), service
 * an endpoint in it (a FIFO or a UNIX stream socket), request the bytes to
 * send.  The request is sent as one write through mail_trigger(), within
 * trigger_timeout; the service decides what the bytes mean.
 *
 * Exit status and messages (as Debian's Postfix 3.7, observed): 0 when
 * sent; 1 with "Cannot contact class CLASS service NAME - perhaps the mail
 * system is down" otherwise, preceded by "unable to look up CLASS/NAME:
 * reason" when the endpoint does not exist; 1 with the usage message for
 * wrong arguments.  Diagnostics go to standard error (and the mail log).
 *
 * Configuration parameters: config_directory (-c, MAIL_CONFIG),
 * queue_directory, trigger_timeout.  Postfix also waits up to
 * application_event_drain_time for the service to read the request; a
 * trigger here is a single write that the kernel buffers, so there is
 * nothing to wait for.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail_conf.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "maillog_client.h"
#include "msg.h"
#include "vstring.h"

int main(int argc, char **argv)
{
    static const char *const params[] = {"queue_directory", "trigger_timeout", 0};
    VSTRING *path = vstring_alloc(100);
    struct stat st;
    int ch;

    msg_init(argv[0]);
    msg_stderr_init();
    if (getenv("MAIL_VERBOSE"))
        msg_verbose = 1;
    while ((ch = getopt(argc, argv, "c:v")) > 0) {
        switch (ch) {
        case 'c':
            mail_conf_set_dir(optarg);
            break;
        case 'v':
            msg_verbose++;
            break;
        default:
            msg_fatal("usage: %s [-c config_dir] [-v] class service request", msg_program);
        }
    }
    if (argc - optind != 3)
        msg_fatal("usage: %s [-c config_dir] [-v] class service request", msg_program);
    mail_conf_read();
    mail_params_init_list(params);
    maillog_client_init(msg_program, MAILLOG_CLIENT_FLAG_STDERR);
    if (chdir(var_queue_directory) < 0)
        msg_fatal("chdir %s: %m", var_queue_directory);
    vstring_sprintf(path, "%s/%s", argv[optind], argv[optind + 1]);
    if (stat(vstring_str(path), &st) < 0)
        msg_warn("unable to look up %s: %m", vstring_str(path));
    if (mail_trigger(argv[optind], argv[optind + 1], argv[optind + 2],
                     strlen(argv[optind + 2])) < 0) {
        msg_warn("Cannot contact class %s service %s - perhaps the mail system is down",
                 argv[optind], argv[optind + 1]);
        exit(1);
    }
    if (msg_verbose)
        msg_info("sent %s to %s", argv[optind + 2], vstring_str(path));
    vstring_free(path);
    exit(0);
}
