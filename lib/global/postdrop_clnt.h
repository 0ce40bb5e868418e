/*
 * postdrop_clnt - run postdrop(1) and learn the queue id it gives a message.
 *
 * sendmail(1) and smtpd's stand-alone mode ("sendmail -bs") do not write
 * queue files themselves: they pipe queue-file records into
 * $command_directory/postdrop, which is set-gid postdrop.  postdrop answers
 * on its standard output with the postdrop/1 lists of PROTOCOLS.md (its
 * queue id), and its exit status says whether the message was queued.
 *
 *   postdrop_start(pd, args)   fork and execute "postdrop -r ARGS..." (args:
 *                              null-terminated, may be null) with pipes on
 *                              its standard input (pd->fd, for records) and
 *                              output; its standard error is the caller's.
 *                              Returns 0, or -1 (with a warning) when no
 *                              pipe or process could be made; a postdrop
 *                              that cannot be executed exits EX_UNAVAILABLE.
 *   postdrop_queue_id(pd, id)  read the queue id (waits until postdrop has
 *                              created its file, at most ipc_timeout).
 *                              Postern's postdrop answers before it reads
 *                              any record; with another program, read only
 *                              after closing pd->fd, or risk the wait.
 *                              Returns 0 with id set, or -1 when postdrop
 *                              said nothing usable (it failed, or it is not
 *                              Postern's): the caller goes on without an id
 *                              and lets the exit status decide.
 *   postdrop_finish(pd)        close the record pipe (end of input) unless
 *                              closed already (pd->fd = -1), and wait for
 *                              postdrop; returns its wait(2) status.
 *
 * Parameters: command_directory, ipc_timeout.
 */
#ifndef POSTERN_POSTDROP_CLNT_H
#define POSTERN_POSTDROP_CLNT_H

#include <sys/types.h>

#include "vstream.h"
#include "vstring.h"

typedef struct POSTDROP {
    pid_t pid;
    int fd;          /* records go here (postdrop's stdin) */
    VSTREAM *answer; /* postdrop's stdout */
} POSTDROP;

extern int postdrop_start(POSTDROP *pd, const char *const *args);
extern int postdrop_queue_id(POSTDROP *pd, VSTRING *id);
extern int postdrop_finish(POSTDROP *pd);

/* The parsing part of postdrop_queue_id() on any stream (tests). */
extern int postdrop_read_id(VSTREAM *answer, VSTRING *id);

#endif
