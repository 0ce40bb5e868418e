/*
 * testsvc - a tiny daemon for tests/test_master.py, built by that test (not
 * by the Makefile, so it is never installed).  The skeleton it runs on is
 * chosen by the program name master gives it (argv[0]):
 *
 *   testsvc-single    per connection: writes "hello pid=P uid=U use=N
 *                     service=S args=A\n", then reads one line: "sleep N"
 *                     sleeps N seconds (a fraction allowed; signals do not
 *                     shorten it), "crash" aborts; answers "bye\n"
 *   testsvc-multi     per request line: answers "pid=P line\n"
 *   testsvc-trigger   logs "trigger pid=P data=D" for each service call;
 *                     data "nap" then makes it sleep for one second
 *   testsvc-dgram     logs "dgram pid=P data=D" for each datagram; it is
 *                     MAIL_SERVER_UNLIMITED unless its first argument is
 *                     "limited"
 *   testsvc-event     per connection: waits (on the event loop, without
 *                     blocking other sessions) for one line, answers
 *                     "pid=P sessions=S line\n" and disconnects
 *
 * A first service argument "crash" makes the daemon fail in POST_INIT
 * (before it takes any client): master must throttle it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "argv.h"
#include "events.h"
#include "mail_server.h"
#include "msg.h"
#include "vstream.h"
#include "vstring.h"

static int testsvc_uses;

/* Sleep for secs seconds of the monotonic clock, whatever interrupts us. */
static void testsvc_sleep(double secs)
{
    struct timespec now, end;

    clock_gettime(CLOCK_MONOTONIC, &end);
    end.tv_sec += (time_t)secs;
    end.tv_nsec += (long)((secs - (double)(time_t)secs) * 1e9);
    if (end.tv_nsec >= 1000000000L) {
        end.tv_sec++;
        end.tv_nsec -= 1000000000L;
    }
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec > end.tv_sec || (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
            return;
        (void)clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &end, 0);
    }
}

static void testsvc_post_init(char *service, char **argv)
{
    if (argv[0] && strcmp(argv[0], "crash") == 0)
        msg_fatal("testsvc: crashing at start-up as asked");
}

static void testsvc_single(VSTREAM *client, char *service, char **argv)
{
    VSTRING *line = vstring_alloc(100);
    VSTRING *args = vstring_alloc(100);

    testsvc_uses++;
    for (int i = 0; argv[i]; i++)
        vstring_sprintf_append(args, "%s%s", i ? "," : "", argv[i]);
    vstream_fprintf(client, "hello pid=%d uid=%d use=%d service=%s args=%s\n", (int)getpid(),
                    (int)getuid(), testsvc_uses, service, vstring_str(args));
    vstream_fflush(client);
    vstream_set_timeouts(client, 30000, 30000);
    if (vstream_get_line(client, line, 1000, VSTREAM_LINE_STRIP) > 0) {
        if (strncmp(vstring_str(line), "sleep ", 6) == 0)
            testsvc_sleep(atof(vstring_str(line) + 6));
        else if (strcmp(vstring_str(line), "crash") == 0)
            abort();
    }
    vstream_fprintf(client, "bye\n");
    vstream_fflush(client);
    vstring_free(line);
    vstring_free(args);
}

static void testsvc_multi(VSTREAM *client, char *service, char **argv)
{
    VSTRING *line = vstring_alloc(100);
    int r = vstream_get_line(client, line, 1000, VSTREAM_LINE_STRIP);

    if (r <= 0) {
        multi_server_disconnect(client);
    } else {
        vstream_fprintf(client, "pid=%d %s\n", (int)getpid(), vstring_str(line));
        if (vstream_fflush(client) != 0)
            multi_server_disconnect(client);
    }
    vstring_free(line);
}

static int testsvc_sessions;

static void testsvc_event_read(int event, void *ctx)
{
    VSTREAM *client = ctx;
    VSTRING *line = vstring_alloc(100);
    int r = vstream_get_line(client, line, 1000, VSTREAM_LINE_STRIP);

    /* The test writes its line at once: one read event brings all of it. */
    if (r == VSTREAM_LINE_LF || r == VSTREAM_LINE_CRLF) {
        vstream_fprintf(client, "pid=%d sessions=%d %s\n", (int)getpid(), testsvc_sessions,
                        vstring_str(line));
        vstream_fflush(client);
    }
    vstring_free(line);
    testsvc_sessions--;
    event_server_disconnect(client);
}

static void testsvc_event(VSTREAM *client, char *service, char **argv)
{
    testsvc_sessions++;
    event_enable_read(vstream_fileno(client), testsvc_event_read, client);
}

static void testsvc_buf(const char *what, char *buf, ssize_t len)
{
    msg_info("%s pid=%d data=%.*s", what, (int)getpid(), (int)len, buf);
}

static void testsvc_trigger(char *buf, ssize_t len, char *service, char **argv)
{
    testsvc_buf("trigger", buf, len);
    if (len == 3 && memcmp(buf, "nap", 3) == 0)
        testsvc_sleep(1.0);
}

static void testsvc_dgram(char *buf, ssize_t len, char *service, char **argv)
{
    testsvc_buf("dgram", buf, len);
}

int main(int argc, char **argv)
{
    const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];

    if (strcmp(name, "testsvc-multi") == 0)
        multi_server_main(argc, argv, testsvc_multi, MAIL_SERVER_POST_INIT, testsvc_post_init, 0);
    else if (strcmp(name, "testsvc-trigger") == 0)
        trigger_server_main(argc, argv, testsvc_trigger, MAIL_SERVER_POST_INIT, testsvc_post_init,
                            MAIL_SERVER_SOLITARY, MAIL_SERVER_UNLIMITED, 0);
    else if (strcmp(name, "testsvc-event") == 0)
        event_server_main(argc, argv, testsvc_event, MAIL_SERVER_POST_INIT, testsvc_post_init, 0);
    else if (strcmp(name, "testsvc-dgram") == 0 && strcmp(argv[argc - 1], "limited") == 0)
        dgram_server_main(argc, argv, testsvc_dgram, MAIL_SERVER_POST_INIT, testsvc_post_init, 0);
    else if (strcmp(name, "testsvc-dgram") == 0)
        dgram_server_main(argc, argv, testsvc_dgram, MAIL_SERVER_POST_INIT, testsvc_post_init,
                          MAIL_SERVER_UNLIMITED, 0);
    else
        single_server_main(argc, argv, testsvc_single, MAIL_SERVER_POST_INIT, testsvc_post_init, 0);
    return 0;
}
