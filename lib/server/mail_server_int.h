#ifndef POSTERN_MAIL_SERVER_INT_H
#define POSTERN_MAIL_SERVER_INT_H

/*
 * mail_server_int - what the four skeletons (single, multi, trigger,
 * dgram) share; private to lib/server.  mail_server.h is the public
 * contract.
 *
 *   mail_server_start(argc, argv, kind, ap)
 *       everything before the loop: options, main.cf and -o overrides,
 *       logging, chdir(queue_directory), the PRE_INIT hook, chroot,
 *       privilege drop, POST_INIT, signals, and the endpoints (inherited
 *       from master, or opened for -S; none for -z).  Fills in mail_server.
 *   mail_server_run()
 *       the event loop, forever: calls the LOOP hook before each wait,
 *       exits on SIGTERM, master disconnect or an idle timeout
 *   mail_server_taken() / mail_server_avail()
 *       tell master the process is busy / available again (with -l, only
 *       the first pair is sent: see mail_server.c)
 *   mail_server_call_begin() / mail_server_call_end()
 *       bracket a service-function call (watchdog; SIGTERM grace)
 *   mail_server_count_use()
 *       one more client served; 1 when max_use is reached
 *   mail_server_idle_arm() / mail_server_idle_cancel()
 *       the max_idle timer
 *   mail_server_exit()
 *       voluntary exit: the EXIT hook, then exit(0)
 *   mail_server_stdin_stream()
 *       -z: a stream that reads fd 0 and writes fd 1
 */

#include <stdarg.h>

#include "mail_server.h"
#include "vstream.h"

#define MAIL_SERVER_MAX_LISTEN 64

#define MAIL_SERVER_MODE_MASTER 0 /* started by master */
#define MAIL_SERVER_MODE_STDIN  1 /* -z */
#define MAIL_SERVER_MODE_SOCKET 2 /* -S path */

typedef struct MAIL_SERVER {
    const char *kind; /* "single", "multi", ... for messages */
    char *service;    /* -n */
    char *transport;  /* -t */
    char **argv;      /* the service's own arguments */
    int mode;         /* MAIL_SERVER_MODE_* */
    int listen_count;
    int listen_fd[MAIL_SERVER_MAX_LISTEN];
    int use_count;
    int max_use;  /* 0: no limit */
    int max_idle; /* seconds, 0: no limit */
    unsigned gen; /* master generation */
    int debug;
    /* Hooks. */
    MAIL_SERVER_INIT_FN pre_init;
    MAIL_SERVER_INIT_FN post_init;
    MAIL_SERVER_LOOP_FN loop;
    MAIL_SERVER_EXIT_FN exit_fn;
    MAIL_SERVER_INIT_FN pre_accept;
    MAIL_SERVER_STREAM_FN post_accept; /* single and multi only */
    MAIL_SERVER_DISCONN_FN pre_disconn;
    int solitary;
    int solitary_ok; /* -l: the service's maxproc is 1 */
    int unlimited;
    int privileged;
    int trigger_wakeup;
    int log_writer;
} MAIL_SERVER;

extern MAIL_SERVER mail_server;

extern void mail_server_start(int argc, char **argv, const char *kind, va_list ap);
extern void mail_server_run(void) __attribute__((noreturn));
extern void mail_server_taken(void);
extern void mail_server_avail(void);
extern void mail_server_call_begin(void);
extern void mail_server_call_end(void);
extern int mail_server_count_use(void);
extern void mail_server_idle_arm(void);
extern void mail_server_idle_cancel(void);
extern void mail_server_exit(void) __attribute__((noreturn));
extern VSTREAM *mail_server_stdin_stream(void);

#endif
