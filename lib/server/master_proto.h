#ifndef POSTERN_MASTER_PROTO_H
#define POSTERN_MASTER_PROTO_H

/*
 * master_proto - how master and the daemons it forks talk to each other.
 *
 * Descriptors.  master starts every daemon with:
 *   0, 1, 2                    /dev/null (master's own, which -d keeps on
 *                              the terminal)
 *   MASTER_STATUS_FD (3)       the child's end of a SOCK_SEQPACKET socket
 *                              pair; master keeps the other end.  One pair
 *                              per service and generation.
 *   MASTER_LISTEN_FD (4) ...   the service's listening endpoint(s): a
 *                              listening UNIX or TCP stream socket (unix,
 *                              inet, pass), a bound UNIX datagram socket
 *                              (unix-dgram) or a FIFO opened read-write
 *                              (fifo), so that a trigger reader never sees
 *                              end of file; "-s N" says there are N of
 *                              them (an inet service listening on several
 *                              interfaces), at 4 .. 4+N-1.
 * Every other descriptor master has is close-on-exec.
 *
 * Status messages, child to master: one MASTER_STATUS datagram per change
 * (SEQPACKET keeps each write whole and separate even though all children
 * of a service share one socket):
 *   pid    the child's process id
 *   gen    the generation number master passed in the environment variable
 *          MASTER_GEN_ENV (see below); master ignores messages of another
 *          generation (children of a service that was reloaded)
 *   avail  MASTER_STAT_TAKEN (0): the child took a client and is busy;
 *          MASTER_STAT_AVAIL (1): it is waiting for the next client again
 * A child whose service has maxproc 1 (it was started with -l) sends only
 * its first TAKEN and AVAIL: master never forks a second process for such a
 * service, so the later ones would change nothing it does (the first TAKEN
 * is what tells it that a crash is not "bad command startup").
 * A new child counts as available until its first TAKEN.  master watches a
 * listening endpoint itself only while none of the service's children is
 * available; when the endpoint becomes readable then, it forks one more
 * child, up to maxproc.  A child that took a client and later exits counts
 * as used: only a child that dies abnormally before its first TAKEN makes
 * master throttle the service ("bad command startup -- throttling").
 *
 * Master to child: nothing is ever sent.  When master closes its end (it
 * exits, is killed, or reloads/stops the service), the child's
 * MASTER_STATUS_FD becomes readable with end of file: the skeleton exits as
 * soon as it is not serving a client.  Children therefore never outlive
 * master by more than one request.
 *
 * Parameters the skeleton reads itself (main.cf plus the service's
 * master.cf "-o" overrides): max_use and max_idle.  master does not pass
 * them on the command line; a daemon exits voluntarily after max_use
 * clients or max_idle idle seconds, and master simply forks a new one when
 * needed.  The MAIL_SERVER_UNLIMITED daemons (qmgr, pickup) ignore both.
 *
 * Interface:
 *   master_notify(pid, gen, avail)  child side: send one status message;
 *                                   0 or -1 with errno (EPIPE: master gone)
 *   master_gen_from_env()           child side: the generation master put in
 *                                   the environment, 0 when absent
 *
 * What can go wrong: a short read or a message of the wrong size on the
 * master side is ignored with a warning (a child cannot corrupt master's
 * counts beyond its own entry; unknown pids are ignored).
 */

#include <sys/types.h>

#define MASTER_STATUS_FD 3
#define MASTER_LISTEN_FD 4

#define MASTER_STAT_TAKEN 0
#define MASTER_STAT_AVAIL 1

#define MASTER_GEN_ENV "POSTERN_MASTER_GEN"

typedef struct MASTER_STATUS {
    int pid;
    unsigned gen;
    int avail;
} MASTER_STATUS;

extern int master_notify(int pid, unsigned gen, int avail);
extern unsigned master_gen_from_env(void);

#endif
