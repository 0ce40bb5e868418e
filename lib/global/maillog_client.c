/*
 * maillog_client - choose the log outputs of a program from main.cf.
 *
 * This first version writes maillog_file directly (one O_APPEND write per
 * line, so lines of concurrent processes never interleave); the postlogd
 * client replaces the direct write for programs that do not set
 * MAILLOG_CLIENT_FLAG_LOGWRITER.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "maillog_client.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstring.h"

void maillog_client_init(const char *progname, int flags)
{
    static VSTRING *tag;
    int facility;

    if (tag == 0)
        tag = vstring_alloc(40);
    vstring_sprintf(tag, "%s/%s", var_syslog_name, progname);
    msg_set_tag(vstring_str(tag));
    msg_output_clear();
    if (flags & MAILLOG_CLIENT_FLAG_STDERR)
        msg_stderr_init();
    if (var_myhostname && *var_myhostname)
        msg_logfile_hostname(var_myhostname);
    if (*var_maillog_file && msg_logfile_init(var_maillog_file) == 0)
        return;
    if (*var_maillog_file)
        fprintf(stderr, "%s: cannot open maillog_file %s: %s; logging to syslog\n", progname,
                var_maillog_file, strerror(errno));
    if ((facility = msg_syslog_facility(var_syslog_facility)) < 0)
        facility = LOG_MAIL;
    msg_syslog_init(facility);
}
