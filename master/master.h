#ifndef POSTERN_MASTER_H
#define POSTERN_MASTER_H

/*
 * master.h - the master daemon's internal interface (see master.c for what
 * master does and how it is started).
 *
 * master_serv.c: turning master.cf entries into services and endpoints
 *   master_serv_load(dir, why)  read DIR/master.cf into a new list of services
 *                               (not yet started); null + why on error
 *   master_serv_apply(list, startup)   make list the running set: reuse the
 *                               endpoints of services whose endpoints did not
 *                               change, open new ones, close those no longer
 *                               used, stop removed services (SIGTERM to their
 *                               children) and restart the rest (a new
 *                               generation: idle children of the old one
 *                               exit).  At start-up an endpoint that cannot
 *                               be opened is fatal; at reload that service is
 *                               skipped with a warning.
 *   master_services             the running list
 *
 * master_spawn.c: children
 *   master_spawn_init()         once, after master has set up its signal
 *                               handlers: a child resets the signals that
 *                               are not SIG_DFL at that time
 *   master_spawn_start(serv)    a service's new generation: status socket
 *                               pair, listen when nobody is available,
 *                               wakeup timer
 *   master_spawn_stop(serv, kill)  close the status socket and listeners'
 *                               event registrations; with kill, SIGTERM the
 *                               children; the children are then orphaned
 *                               (still reaped, no longer counted)
 *   master_spawn_reap()         collect exited children (SIGCHLD)
 *   master_spawn_children()     number of live children of any generation
 *   master_spawn_kill_all(sig)  signal every live child (master's SIGTERM)
 */

#include <sys/types.h>

#include "argv.h"
#include "vstring.h"

#define MASTER_DEF_CONFIG_DIR "/etc/postfix"

#define MASTER_FLAG_THROTTLED (1 << 0) /* bad start-up: paused */
#define MASTER_FLAG_LISTENING (1 << 1) /* master watches the endpoints */
#define MASTER_FLAG_USED      (1 << 2) /* a child was started this generation */
#define MASTER_FLAG_STARTED   (1 << 3) /* master_spawn_start() was called */
#define MASTER_FLAG_LIMITED   (1 << 4) /* a client waits at maxproc */

typedef struct MASTER_SERV {
    char *name;      /* master.cf column 1 */
    char *type;      /* inet, unix, unix-dgram, fifo, pass */
    char *key;       /* "name/type": identity across reloads */
    char *path;      /* the program */
    ARGV *args;      /* argv for execv(), argv[0] the command name */
    ARGV *endpoints; /* "private/x", "127.0.0.1:25", ... */
    int *listen_fd;  /* one per endpoint, -1 while not open */
    int max_proc;    /* 0: no limit */
    int wakeup_time; /* seconds, 0: none */
    int wakeup_if_used;
    int flags;        /* MASTER_FLAG_* */
    int status_fd[2]; /* [0] master's end, [1] the children's */
    unsigned gen;
    int total_proc;    /* children of this generation */
    int avail_proc;    /* ... of which waiting for a client */
    long limit_warned; /* time of the last process-limit warning */
    struct MASTER_SERV *next;
} MASTER_SERV;

extern MASTER_SERV *master_services;
extern int master_verbose_children; /* -v count to pass on */
extern int master_stopping;

/* master_serv.c */
extern MASTER_SERV *master_serv_load(const char *config_dir, VSTRING *why);
extern void master_serv_apply(MASTER_SERV *list, int startup);
extern void master_serv_free(MASTER_SERV *serv);

/* master_spawn.c */
extern void master_spawn_init(void);
extern void master_spawn_start(MASTER_SERV *serv);
extern void master_spawn_stop(MASTER_SERV *serv, int kill_children);
extern void master_spawn_reap(void);
extern int master_spawn_children(void);
extern void master_spawn_kill_all(int sig);

#endif
