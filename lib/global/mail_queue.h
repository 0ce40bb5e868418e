/*
 * mail_queue - queue directory names, paths, and file creation.
 *
 * The queue directory holds one subdirectory per queue (incoming, active,
 * deferred, hold, maildrop, corrupt, and the logs bounce, defer, trace,
 * flush).  Queues listed in hash_queue_names keep each file in a chain of
 * hash_queue_depth one-character subdirectories chosen by the queue id
 * (see queue_id.h): with depth 1, deferred/A/A084DA7237E.  Paths are
 * relative to conf->queue_dir, or to the current directory when it is null
 * or empty (daemons chdir to the queue directory at start-up).
 *
 * The configuration comes in a MAIL_QUEUE_CONF filled by the caller, so
 * this module is testable alone; mail_queue_conf_params(conf) fills one from
 * var_queue_directory, var_hash_queue_depth, var_hash_queue_names and
 * var_enable_long_queue_ids (call mail_params_init() first).  A daemon that
 * has done chdir(var_queue_directory) may set queue_dir to null.
 *
 *   mail_queue_hashed(conf, queue)         1 if queue is in hash_names
 *   mail_queue_dir(buf, conf, queue, id)   the directory that holds id
 *   mail_queue_path(buf, conf, queue, id)  the file name of id in queue
 *   mail_queue_enter(conf, queue, mode, id, tv)
 *                                          create a new file with a fresh
 *                                          queue id: it is made under a
 *                                          temporary name (which is never a
 *                                          valid queue id) with O_EXCL and
 *                                          mode, then renamed to its id
 *                                          without replacing anything.
 *                                          Returns the open descriptor (read
 *                                          and write) and the id in id, or
 *                                          -1 with errno.  tv, if not null,
 *                                          receives the time the id encodes.
 *   mail_queue_open(conf, queue, id, flags, mode)   open(2) of the path
 *   mail_queue_rename(conf, id, from, to)  move a file between queues,
 *                                          making missing hash directories
 *   mail_queue_remove(conf, queue, id)     unlink; 0 or -1 with errno
 *   mail_queue_mkdirs(conf, queue, id)     make the hash directories for id
 *
 * Errors: every function returns -1 with errno set (EINVAL for an id that
 * is not a valid queue id); nothing here exits the process.
 */
#ifndef POSTERN_MAIL_QUEUE_H
#define POSTERN_MAIL_QUEUE_H

#include <sys/time.h>
#include <sys/types.h>

#include "vstring.h"

#define MAIL_QUEUE_MAILDROP "maildrop"
#define MAIL_QUEUE_INCOMING "incoming"
#define MAIL_QUEUE_ACTIVE   "active"
#define MAIL_QUEUE_DEFERRED "deferred"
#define MAIL_QUEUE_HOLD     "hold"
#define MAIL_QUEUE_CORRUPT  "corrupt"
#define MAIL_QUEUE_SAVED    "saved"
#define MAIL_QUEUE_BOUNCE   "bounce"
#define MAIL_QUEUE_DEFER    "defer"
#define MAIL_QUEUE_TRACE    "trace"
#define MAIL_QUEUE_FLUSH    "flush"

#define MAIL_QUEUE_DEF_HASH_DEPTH 1
#define MAIL_QUEUE_DEF_HASH_NAMES "deferred, defer"
#define MAIL_QUEUE_MAX_HASH_DEPTH 5 /* the hash key has 5 characters */

typedef struct MAIL_QUEUE_CONF {
    const char *queue_dir;  /* null/"": current directory */
    int hash_depth;         /* hash_queue_depth */
    const char *hash_names; /* hash_queue_names */
    int long_ids;           /* enable_long_queue_ids */
} MAIL_QUEUE_CONF;

extern MAIL_QUEUE_CONF *mail_queue_conf_params(MAIL_QUEUE_CONF *conf);
extern int mail_queue_hashed(const MAIL_QUEUE_CONF *conf, const char *queue);
extern VSTRING *mail_queue_dir(VSTRING *buf, const MAIL_QUEUE_CONF *conf, const char *queue,
                               const char *id);
extern VSTRING *mail_queue_path(VSTRING *buf, const MAIL_QUEUE_CONF *conf, const char *queue,
                                const char *id);
extern int mail_queue_enter(const MAIL_QUEUE_CONF *conf, const char *queue, mode_t mode,
                            VSTRING *id, struct timeval *tv);
extern int mail_queue_open(const MAIL_QUEUE_CONF *conf, const char *queue, const char *id,
                           int flags, mode_t mode);
extern int mail_queue_rename(const MAIL_QUEUE_CONF *conf, const char *id, const char *from,
                             const char *to);
extern int mail_queue_remove(const MAIL_QUEUE_CONF *conf, const char *queue, const char *id);
extern int mail_queue_mkdirs(const MAIL_QUEUE_CONF *conf, const char *queue, const char *id);

#endif
