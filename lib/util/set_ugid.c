/*
 * set_ugid - change user and group IDs; see set_ugid.h.
 */
#define _GNU_SOURCE /* setresuid() and friends */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include "msg.h"
#include "mymalloc.h"
#include "set_ugid.h"

void set_ugid(uid_t uid, gid_t gid)
{
    uid_t ruid, euid, suid;
    gid_t rgid, egid, sgid;
    gid_t groups[2];

    /* Regain root first if only the effective uid was switched away. */
    if (geteuid() != 0 && seteuid(0) < 0) {
        /* Not privileged: the calls below will fail and say so. */
    }
    if (setresgid(gid, gid, gid) < 0)
        msg_fatal("set_ugid: setresgid(%ld): %m", (long)gid);
    if (geteuid() == 0 && setgroups(1, &gid) < 0)
        msg_fatal("set_ugid: setgroups(%ld): %m", (long)gid);
    if (setresuid(uid, uid, uid) < 0)
        msg_fatal("set_ugid: setresuid(%ld): %m", (long)uid);

    /* Verify, rather than trust, the result. */
    if (getresuid(&ruid, &euid, &suid) < 0 || ruid != uid || euid != uid || suid != uid)
        msg_fatal("set_ugid: user IDs are %ld/%ld/%ld, want %ld", (long)ruid, (long)euid,
                  (long)suid, (long)uid);
    if (getresgid(&rgid, &egid, &sgid) < 0 || rgid != gid || egid != gid || sgid != gid)
        msg_fatal("set_ugid: group IDs are %ld/%ld/%ld, want %ld", (long)rgid, (long)egid,
                  (long)sgid, (long)gid);
    int ngroups = getgroups(2, groups);
    if (ngroups < 0 || ngroups > 1 || (ngroups == 1 && groups[0] != gid))
        msg_fatal("set_ugid: supplementary groups were not reduced to %ld", (long)gid);
    if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
        msg_fatal("set_ugid: root privileges could be regained after changing to uid %ld",
                  (long)uid);
}

void set_eugid(uid_t uid, gid_t gid)
{
    if (geteuid() != 0 && seteuid(0) < 0)
        msg_fatal("set_eugid: seteuid(0): %m");
    if (setegid(gid) < 0)
        msg_fatal("set_eugid: setegid(%ld): %m", (long)gid);
    if (setgroups(1, &gid) < 0)
        msg_fatal("set_eugid: setgroups(%ld): %m", (long)gid);
    if (uid != 0 && seteuid(uid) < 0)
        msg_fatal("set_eugid: seteuid(%ld): %m", (long)uid);
}

void set_eugid_enter(SET_EUGID_SAVED *saved, uid_t uid, gid_t gid)
{
    saved->uid = geteuid();
    saved->gid = getegid();
    if ((saved->ngroups = getgroups(0, (gid_t *)0)) < 0)
        msg_fatal("set_eugid_enter: getgroups: %m");
    saved->groups = mymalloc_array((size_t)saved->ngroups + 1, sizeof(gid_t));
    if ((saved->ngroups = getgroups(saved->ngroups, saved->groups)) < 0)
        msg_fatal("set_eugid_enter: getgroups: %m");
    set_eugid(uid, gid);
}

void set_eugid_leave(SET_EUGID_SAVED *saved)
{
    set_eugid(saved->uid, saved->gid);
    if (saved->uid != 0 && seteuid(0) < 0)
        msg_fatal("set_eugid_leave: seteuid(0): %m");
    if (setgroups((size_t)saved->ngroups, saved->groups) < 0)
        msg_fatal("set_eugid_leave: restore supplementary groups: %m");
    if (saved->uid != 0 && seteuid(saved->uid) < 0)
        msg_fatal("set_eugid_leave: seteuid(%ld): %m", (long)saved->uid);
    myfree(saved->groups);
    saved->groups = 0;
}

void chroot_uid(const char *root_dir, const char *user_name)
{
    struct passwd *pwd = 0;
    uid_t uid = 0;
    gid_t gid = 0;

    if (user_name) {
        errno = 0;
        if ((pwd = getpwnam(user_name)) == 0) {
            if (errno)
                msg_fatal("look up user %s: %m", user_name);
            msg_fatal("unknown user: %s", user_name);
        }
        uid = pwd->pw_uid;
        gid = pwd->pw_gid;
    }
    if (root_dir) {
        if (chroot(root_dir) < 0)
            msg_fatal("chroot(%s): %m", root_dir);
        if (chdir("/") < 0)
            msg_fatal("chdir(/) after chroot(%s): %m", root_dir);
    }
    if (user_name)
        set_ugid(uid, gid);
}
