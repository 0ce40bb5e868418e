/*
 * set_ugid - change user and group IDs, for good or for a while.
 *
 *   set_ugid(uid, gid)    drop privileges permanently: real, effective and
 *                         saved IDs all become uid/gid and the supplementary
 *                         groups become just gid.  Afterwards it verifies
 *                         that the change took and, when uid is not 0, that
 *                         root cannot be regained (setuid(0) and seteuid(0)
 *                         must fail); anything else is msg_fatal.
 *   set_eugid(uid, gid)   change only the effective IDs (and the
 *                         supplementary groups to just gid), so that root
 *                         can be resumed later with set_eugid(0, 0); for
 *                         acting on behalf of a user for a moment.  Needs
 *                         root as the real or saved uid; msg_fatal on
 *                         failure.
 *   set_eugid_enter(&saved, uid, gid)
 *   set_eugid_leave(&saved)
 *                         the bracket around acting as uid/gid for a moment:
 *                         enter saves the effective IDs and the supplementary
 *                         group list and calls set_eugid(); leave restores
 *                         all three.  Both msg_fatal on failure.
 *   chroot_uid(root_dir, user_name)
 *                         what a daemon does after opening its privileged
 *                         resources: look up user_name (null: no change of
 *                         IDs) before the chroot, chroot to root_dir (null:
 *                         none) and chdir("/"), then set_ugid() to the user's
 *                         uid and primary gid.  msg_fatal on failure.
 *
 * These functions run in privileged processes; a failure to change IDs must
 * never leave the process running with more privilege than intended, hence
 * msg_fatal rather than an error return.
 */
#ifndef POSTERN_SET_UGID_H
#define POSTERN_SET_UGID_H

#include <sys/types.h>

extern void set_ugid(uid_t uid, gid_t gid);
extern void set_eugid(uid_t uid, gid_t gid);
typedef struct SET_EUGID_SAVED {
    uid_t uid;
    gid_t gid;
    int ngroups;
    gid_t *groups;
} SET_EUGID_SAVED;

extern void set_eugid_enter(SET_EUGID_SAVED *saved, uid_t uid, gid_t gid);
extern void set_eugid_leave(SET_EUGID_SAVED *saved);
extern void chroot_uid(const char *root_dir, const char *user_name);

#endif
