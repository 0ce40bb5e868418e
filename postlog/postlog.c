/*
 * postlog - write log records the way Postern programs do, from a shell
 * script.
 *
 * Usage: postlog [-iv] [-c config_dir] [-p priority] [-t tag] [text...]
 *
 * The text arguments, joined with spaces, are one record; without them
 * each line of standard input is one record.  Records go where main.cf
 * sends the logging of every Postern program (syslog with syslog_facility,
 * or maillog_file through the postlog service; see maillog_client.h), and
 * also to standard error when that is a terminal.
 *
 *   -p priority  info (default), warn, error, fatal or panic: the record
 *                gets the matching "warning: " ... prefix; after fatal or
 *                panic the program pauses a second, like Postfix programs
 *                that die, but still exits 0 (as Postfix's postlog does)
 *   -t tag       the tag instead of "$syslog_name/postlog" (the process id
 *                is always added)
 *   -i           accepted and ignored (the process id is always logged)
 *   -v           more verbose
 *
 * Exit status: 0, or 1 for a usage error or an unknown priority.
 *
 * Configuration parameters: config_directory (-c, MAIL_CONFIG),
 * syslog_name, syslog_facility, maillog_file, maillog_file_prefixes,
 * queue_directory.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mail_conf.h"
#include "mail_params.h"
#include "maillog_client.h"
#include "msg.h"
#include "vstring.h"

#define POSTLOG_USAGE "usage: %s [-c config_dir] [-i] [-p priority] [-t tag] [-v] [text]"
#define POSTLOG_LINE_LIMIT (8 * 1024)

/* postlog_level - priority name to MSG_ level, -1 if unknown */

static int postlog_level(const char *name)
{
    static const struct {
        const char *name;
        int level;
    } table[] = {{"info", MSG_INFO},   {"warn", MSG_WARN},   {"warning", MSG_WARN},
                 {"error", MSG_ERROR}, {"fatal", MSG_FATAL}, {"panic", MSG_PANIC}};

    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (strcmp(table[i].name, name) == 0)
            return table[i].level;
    return -1;
}

/* postlog_emit - one record at a level, without exiting for fatal/panic */

static void postlog_emit(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void postlog_emit(int level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    msg_vprintf(level, fmt, ap);
    va_end(ap);
}

int main(int argc, char **argv)
{
    const char *tag = 0;
    const char *prio = "info";
    int level;
    int ch;

    msg_init(argv[0]);
    msg_stderr_init();
    if (getenv("MAIL_VERBOSE"))
        msg_verbose = 1;
    while ((ch = getopt(argc, argv, "c:ip:t:v")) > 0) {
        switch (ch) {
        case 'c':
            mail_conf_set_dir(optarg);
            break;
        case 'i':
            break;
        case 'p':
            prio = optarg;
            break;
        case 't':
            tag = optarg;
            break;
        case 'v':
            msg_verbose++;
            break;
        default:
            msg_fatal(POSTLOG_USAGE, msg_program);
        }
    }
    mail_conf_read();
    maillog_client_init(msg_program, isatty(STDERR_FILENO) ? MAILLOG_CLIENT_FLAG_STDERR
                                                           : MAILLOG_CLIENT_FLAG_NONE);
    if (tag)
        msg_set_tag(tag);
    if ((level = postlog_level(prio)) < 0)
        msg_fatal("unknown priority value: %s", prio);

    if (optind < argc) {
        VSTRING *text = vstring_alloc(100);

        for (int i = optind; i < argc; i++) {
            if (i > optind)
                vstring_addch(text, ' ');
            vstring_strcat(text, argv[i]);
        }
        postlog_emit(level, "%s", vstring_str(text));
        vstring_free(text);
    } else {
        VSTRING *line = vstring_alloc(100);
        int c;

        for (;;) {
            vstring_reset(line);
            while ((c = getchar()) != EOF && c != '\n')
                if (VSTRING_LEN(line) < POSTLOG_LINE_LIMIT)
                    vstring_addch(line, c);
            if (c == EOF && VSTRING_LEN(line) == 0)
                break;
            postlog_emit(level, "%s", vstring_str(line));
            if (c == EOF)
                break;
        }
        vstring_free(line);
    }
    if (level >= MSG_FATAL)
        sleep(1);
    exit(0);
}
