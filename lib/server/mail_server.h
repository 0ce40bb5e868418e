#ifndef POSTERN_MAIL_SERVER_H
#define POSTERN_MAIL_SERVER_H

/*
 * mail_server - the daemon skeletons every Postern daemon is built on.
 *
 * A daemon's main() calls exactly one of the *_server_main() functions with
 * its service function and optional hooks; the skeleton does the rest:
 *
 *   1. parse the command line master gives it:
 *        -c dir      config directory (also MAIL_CONFIG)
 *        -d          debug: run in the foreground, log to stderr too
 *        -n name     service name (master.cf column 1)
 *        -t type     transport type: inet, unix, unix-dgram, fifo, pass
 *        -o n=v      parameter override (any number, applied after main.cf)
 *        -s count    number of listening descriptors (default 1)
 *        -l          this service's maxproc is 1 (master.cf column 7)
 *        -r          chroot to queue_directory (master.cf column 5)
 *        -u          unprivileged: drop to mail_owner (master passes it when
 *                    the unpriv column says y)
 *        -v          more verbose logging (msg_verbose++)
 *        -z          stand-alone: no master; the service reads stdin/stdout
 *                    (single) or gets a trigger on stdin (trigger); for
 *                    tests and postfix-less debugging
 *        -S path     stand-alone on a socket: listen on the UNIX socket
 *                    or fifo at path instead of inheriting one (tests)
 *   2. read main.cf (mail_conf_read), apply -o overrides, mail_params_init();
 *      set the log tag to "$syslog_name/$process_name" (maillog_client_init),
 *      where process_name is the program's name, not the service name, as
 *      in Postfix: the "defer" service runs the bounce program and logs as
 *      postfix/bounce, a second smtpd on port 587 still logs as
 *      postfix/smtpd (master.cf may set -o syslog_name=... to tell them
 *      apart);
 *   3. call the PRE_INIT hook while still root (open tables, keys, ...);
 *   4. chroot to queue_directory when master passed -r (chroot column y);
 *   5. drop privileges to mail_owner (uid and gid of mail_owner, no
 *      supplementary groups) when -u was passed; a daemon that must stay
 *      root (local, pipe, virtual) is started by master without -u;
 *   6. call the POST_INIT hook;
 *   7. run the loop: accept a client (single: one at a time; multi: many
 *      on the event loop; trigger: read the trigger bytes; dgram: read a
 *      datagram), call the service function, report busy/idle to master
 *      over the status descriptor (lib/server/master_proto.h; with -l
 *      only for the first client, see there), and exit
 *      after max_use service calls, after max_idle seconds without a client,
 *      or as soon as master goes away.  A service function returning never
 *      leaves a client half served: the skeleton closes the client stream
 *      after the function returns (single/trigger), or when the function
 *      calls multi_server_disconnect() (multi).
 *
 * Service functions:
 *   single:  void fn(VSTREAM *client, char *service, char **argv)
 *   multi:   void fn(VSTREAM *client, char *service, char **argv)
 *            called each time the client stream is readable; the function
 *            reads one request, answers it, and returns; on EOF or a
 *            protocol error it calls multi_server_disconnect(client).
 *   event:   void fn(VSTREAM *client, char *service, char **argv)
 *            called once per new connection (stream non-blocking); the
 *            function registers its own events (events.h) to drive the
 *            session and ends it with event_server_disconnect(client)
 *            (postscreen's model: many slow sessions in one process).
 *   trigger: void fn(char *buf, ssize_t len, char *service, char **argv)
 *            buf holds the bytes of every trigger that was waiting (one
 *            FIFO read, or all connections queued on the socket), so a
 *            function must handle several request bytes per call
 *   dgram:   void fn(char *buf, ssize_t len, char *service, char **argv)
 *   argv is what follows the options on the master.cf command line.
 *
 * Hooks and options: a list of (key, value) pairs ended by 0:
 *   MAIL_SERVER_PRE_INIT, void (*)(char *service, char **argv)
 *   MAIL_SERVER_POST_INIT, void (*)(char *service, char **argv)
 *   MAIL_SERVER_LOOP, int (*)(char *service, char **argv)
 *         called before each wait; returns the longest wait in seconds
 *         (-1 = no limit); lets qmgr run its scheduler between events
 *   MAIL_SERVER_EXIT, void (*)(void)     called before a voluntary exit
 *   MAIL_SERVER_PRE_ACCEPT, void (*)(char *service, char **argv)
 *         called before accept(), each time a listening endpoint is ready
 *   MAIL_SERVER_POST_ACCEPT, void (*)(VSTREAM *client, char *service, char **argv)
 *         stream servers only (single, multi, event; a trigger or dgram
 *         server that gets it panics): called once per client, right
 *         after it was accepted (and, for "pass", after its descriptor
 *         arrived), before the service function sees the stream; also for
 *         the -z standard input/output client.  A protocol in which the
 *         server speaks first writes its hello here.  A multi or event
 *         server's hook may end the client (multi_server_disconnect,
 *         event_server_disconnect); a single server's client is served
 *         anyway, and finds the stream in error.
 *   MAIL_SERVER_PRE_DISCONN, void (*)(VSTREAM *client, char *service, char **argv)
 *   MAIL_SERVER_SOLITARY        (no value) refuse to run unless master
 *                               passed -l (maxproc is 1): qmgr, pickup
 *   MAIL_SERVER_UNLIMITED       (no value) ignore max_use and max_idle
 *                               (qmgr, pickup)
 *   MAIL_SERVER_PRIVILEGED      (no value) the daemon may run as root: do
 *                               not refuse to start without -u
 *   MAIL_SERVER_TRIGGER_WAKEUP, int seconds
 *                               trigger servers: also call the service
 *                               function with a "W" trigger every N seconds
 *                               (pickup's and qmgr's own timer, in addition
 *                               to master's wakeup)
 *   MAIL_SERVER_LOG_WRITER      (no value) this daemon writes maillog_file
 *                               itself instead of sending its lines to the
 *                               postlog service (postlogd, which must not
 *                               send to itself); standard error stays an
 *                               output with -d, -z and -S as for any daemon
 *
 * Other interface:
 *   multi_server_disconnect(VSTREAM *client)   close one client (multi)
 *   mail_server_service_name                   the -n name
 *   mail_server_stopping()                     1 once master is gone or a
 *                                              SIGTERM arrived; long loops
 *                                              check it
 *
 * Details of the implementation that daemons may rely on:
 *   - -D is accepted and ignored (Postfix's debugger option).
 *   - single and multi: the client VSTREAM is opened VSTREAM_NONBLOCK; set
 *     deadlines with vstream_set_timeouts().  For transport "pass" the
 *     stream is on the descriptor received over the connection
 *     (pass_fd.h: one descriptor, one data byte, nothing else).
 *   - max_use and max_idle come from main.cf and the service's -o
 *     overrides; they do not apply in -z/-S mode.
 *   - SIGTERM: an idle process exits at once (EXIT hook first); a process
 *     inside a service call gets 5 seconds, then _exit(0).  A service
 *     call also runs under a watchdog of $daemon_timeout seconds.
 *   - when master goes away a single/trigger/dgram process exits after
 *     its current call; a multi process exits at its next event, even with
 *     clients connected (they reconnect to the new master's daemons).
 *   - -z single: the stream reads fd 0 and writes fd 1.  -z trigger/dgram:
 *     standard input up to end of file is one call.  -S path: -t chooses
 *     the kind of endpoint (unix by default; fifo, unix-dgram, inet).
 *   - dgram servers do not report busy/idle per datagram (see
 *     dgram_server.c); use them with maxproc 1.
 *   - When not running as root, -u and -r are skipped with a warning; as
 *     root, a daemon without MAIL_SERVER_PRIVILEGED refuses to start
 *     without -u ("service X must run unprivileged").
 *
 * What can go wrong: a bad command line or configuration is fatal (master
 * logs the exit and throttles the service); a read or protocol error from
 * one client only ends that client.  Every daemon ignores SIGPIPE.
 */

#include <sys/types.h>

#include "vstream.h"

typedef void (*MAIL_SERVER_STREAM_FN)(VSTREAM *client, char *service, char **argv);
typedef void (*MAIL_SERVER_BUF_FN)(char *buf, ssize_t len, char *service, char **argv);
typedef void (*MAIL_SERVER_INIT_FN)(char *service, char **argv);
typedef int (*MAIL_SERVER_LOOP_FN)(char *service, char **argv);
typedef void (*MAIL_SERVER_EXIT_FN)(void);
typedef void (*MAIL_SERVER_DISCONN_FN)(VSTREAM *client, char *service, char **argv);

#define MAIL_SERVER_END            0
#define MAIL_SERVER_PRE_INIT       1
#define MAIL_SERVER_POST_INIT      2
#define MAIL_SERVER_LOOP           3
#define MAIL_SERVER_EXIT           4
#define MAIL_SERVER_PRE_ACCEPT     5
#define MAIL_SERVER_PRE_DISCONN    6
#define MAIL_SERVER_SOLITARY       7
#define MAIL_SERVER_UNLIMITED      8
#define MAIL_SERVER_PRIVILEGED     9
#define MAIL_SERVER_TRIGGER_WAKEUP 10
#define MAIL_SERVER_POST_ACCEPT    11
#define MAIL_SERVER_LOG_WRITER     12

extern void single_server_main(int argc, char **argv, MAIL_SERVER_STREAM_FN fn, ...);
extern void multi_server_main(int argc, char **argv, MAIL_SERVER_STREAM_FN fn, ...);
extern void trigger_server_main(int argc, char **argv, MAIL_SERVER_BUF_FN fn, ...);
extern void dgram_server_main(int argc, char **argv, MAIL_SERVER_BUF_FN fn, ...);

extern void event_server_main(int argc, char **argv, MAIL_SERVER_STREAM_FN fn, ...);

extern void multi_server_disconnect(VSTREAM *client);
extern void event_server_disconnect(VSTREAM *client);
extern char *mail_server_service_name;
extern int mail_server_stopping(void);

#endif
