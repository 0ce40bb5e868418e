/*
 * postfix_dirs - create, check and repair the queue directory tree.
 *
 * The table of directories, owners and modes is the one in DESIGN.md
 * section 3 (and conf/postfix-files, which documents it for
 * administrators):
 *
 *   queue_directory            root              0755
 *   maildrop                   mail_owner:setgid 0730  (postdrop writes)
 *   public                     mail_owner:setgid 0710  (postdrop, postqueue
 *                                                      connect here)
 *   private                    mail_owner        0700
 *   pid                        root              0755
 *   incoming active deferred hold corrupt bounce defer trace flush saved
 *                              mail_owner        0700  (owner applied
 *                                                      recursively on repair)
 *   data_directory             mail_owner        0700
 *
 * Hashed subdirectories (deferred/A, defer/A/B, ...) are made on demand by
 * mail_queue; a repair gives them and every file below the recursive
 * queues the mail_owner.  Groups are left alone except where the table
 * names setgid_group.
 *
 *   postfix_dirs_fix(conf, flags)
 *       flags POSTFIX_DIRS_CREATE: make what is missing (mode and owner from
 *       the table, whatever the umask); POSTFIX_DIRS_REPAIR: also set the
 *       owner, group and mode of what exists, and chown the contents of the
 *       recursive queues.  Without REPAIR, a wrong owner, group or mode is
 *       reported with msg_warn.  Returns the number of problems found that
 *       were not repaired; a path that cannot be created or is not a
 *       directory is counted and warned about.
 *   postfix_dirs_setgid(path, gid, flags)
 *       the same for a set-gid command (postdrop, postqueue): want owner
 *       root, group gid, mode 02755.  A missing file is not an error.
 *
 * What can go wrong: system call failures are warnings with the path and
 * %m; nothing here exits.  Symbolic links are never followed: a symlink
 * where a queue directory should be is reported, not repaired.
 */
#ifndef POSTERN_POSTFIX_DIRS_H
#define POSTERN_POSTFIX_DIRS_H

#include <sys/types.h>

#define POSTFIX_DIRS_CREATE (1 << 0)
#define POSTFIX_DIRS_REPAIR (1 << 1)

typedef struct POSTFIX_DIRS_CONF {
    const char *queue_dir;
    const char *data_dir;   /* null or "": not managed */
    uid_t mail_uid;         /* mail_owner */
    const char *mail_owner; /* its name, for messages */
    gid_t setgid_gid;       /* setgid_group */
    const char *setgid_group;
} POSTFIX_DIRS_CONF;

/* One row of the table, exposed for tests and conf/postfix-files checks. */
#define POSTFIX_DIRS_OWNER_ROOT 0
#define POSTFIX_DIRS_OWNER_MAIL 1

typedef struct POSTFIX_DIRS_ENTRY {
    const char *name; /* relative to queue_directory; "" is itself */
    int owner;        /* POSTFIX_DIRS_OWNER_* */
    int setgid_group; /* group is setgid_group */
    mode_t mode;
    int recursive; /* owner applies to the contents on repair */
} POSTFIX_DIRS_ENTRY;

extern const POSTFIX_DIRS_ENTRY postfix_dirs_table[];
extern const size_t postfix_dirs_count;

extern int postfix_dirs_fix(const POSTFIX_DIRS_CONF *conf, int flags);
extern int postfix_dirs_setgid(const char *path, gid_t gid, const char *group, int flags);

#endif
