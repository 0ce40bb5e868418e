/*
 * myflock - lock an open file with flock() or fcntl(), one call for both.
 *
 *   myflock(fd, style, op)      style: MYFLOCK_STYLE_FLOCK or _FCNTL;
 *                               op: MYFLOCK_OP_SHARED or _EXCLUSIVE, either
 *                               optionally with | MYFLOCK_OP_NOWAIT, or
 *                               MYFLOCK_OP_NONE to unlock.  Always the whole
 *                               file.  Returns 0, or -1 with errno; a lock held
 *                               by someone else with NOWAIT is errno EAGAIN
 *                               whatever the system said (EWOULDBLOCK, EACCES).
 *                               A blocking request waits, restarting after
 *                               signals.
 *   myflock_style_mask(list, why)
 *                               parse a mailbox_delivery_lock value such as
 *                               "fcntl, dotlock" into MYFLOCK_STYLE_* bits;
 *                               -1 and a reason in why for an unknown name
 *   myflock_style_names         the names, in the order postconf -l lists
 *                               them ("flock", "fcntl", "dotlock"), null
 *                               terminated
 *
 * Semantics to keep in mind: fcntl() locks belong to the process and are
 * released when it closes any descriptor of the file, and a shared fcntl lock
 * needs a descriptor open for reading, an exclusive one for writing; flock()
 * locks belong to the open file description and are inherited across fork().
 * On Linux the two kinds do not conflict with each other, which is why mail
 * software takes both, or fcntl plus a dot lock (see dot_lockfile.h), as
 * mutt, Dovecot and procmail expect.
 *
 * What can go wrong: only what flock()/fcntl() report; an unknown style or
 * op is msg_panic.
 */
#ifndef POSTERN_MYFLOCK_H
#define POSTERN_MYFLOCK_H

#include "vstring.h"

#define MYFLOCK_STYLE_FLOCK   (1 << 0)
#define MYFLOCK_STYLE_FCNTL   (1 << 1)
#define MYFLOCK_STYLE_DOTLOCK (1 << 2) /* names a style; see dot_lockfile.h */

#define MYFLOCK_OP_NONE      0
#define MYFLOCK_OP_SHARED    (1 << 0)
#define MYFLOCK_OP_EXCLUSIVE (1 << 1)
#define MYFLOCK_OP_NOWAIT    (1 << 2)

extern int myflock(int fd, int style, int op);
extern int myflock_style_mask(const char *list, VSTRING *why);
extern const char *const myflock_style_names[];

#endif
