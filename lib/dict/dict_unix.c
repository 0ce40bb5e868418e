/*
 * dict_unix - the "unix" table: the system password and group databases.
 *
 * Interface: dict_unix_open(name, open_flags, dict_flags) (dict_unix.h).
 *   unix:passwd.byname  getpwnam(key), answered as the passwd(5) line
 *                       "name:passwd:uid:gid:gecos:dir:shell"
 *   unix:group.byname   getgrnam(key), answered as the group(5) line
 *                       "name:passwd:gid:member,member"
 * Any other name gives a surrogate ("unknown table: unix:NAME").  A lookup
 * that fails for a reason other than "no such entry" (NSS service down) is
 * DICT_ERR_RETRY, never "not found".
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>

#include "dict.h"
#include "dict_unix.h"
#include "vstring.h"

typedef struct DICT_UNIX {
    DICT dict;
    VSTRING *result;
} DICT_UNIX;

/*
 * getpwnam(3) reports "not found" with any of these, depending on the NSS.
 * Other errors are common too for a plain miss: with "passwd: files
 * systemd" a name that is not in /etc/passwd goes on to systemd's user
 * database, which may time out on a busy machine.  As Postfix does, a miss
 * is then "not found" unless the database is unreachable altogether, which
 * a lookup of uid/gid 0 tells.
 */
static int dict_unix_notfound(int err, int is_group)
{
    if (err == 0 || err == ENOENT || err == ESRCH || err == EBADF || err == EPERM)
        return 1;
    return is_group ? getgrgid(0) != 0 : getpwuid(0) != 0;
}

static int dict_unix_passwd(DICT *dict, const char *key, const char **value)
{
    DICT_UNIX *up = (DICT_UNIX *)dict;
    struct passwd *pw;

    errno = 0;
    if ((pw = getpwnam(dict_fold_key(dict, key))) == 0) {
        int err = errno;

        if (dict_unix_notfound(err, 0))
            return DICT_STAT_NOTFOUND;
        errno = err;
        return dict_fail(dict, DICT_ERR_RETRY, "table unix:%s: getpwnam(%s): %m", dict->name, key);
    }
    vstring_sprintf(up->result, "%s:%s:%ld:%ld:%s:%s:%s", pw->pw_name, pw->pw_passwd,
                    (long)pw->pw_uid, (long)pw->pw_gid, pw->pw_gecos, pw->pw_dir, pw->pw_shell);
    *value = vstring_str(up->result);
    return DICT_STAT_FOUND;
}

static int dict_unix_group(DICT *dict, const char *key, const char **value)
{
    DICT_UNIX *up = (DICT_UNIX *)dict;
    struct group *gr;

    errno = 0;
    if ((gr = getgrnam(dict_fold_key(dict, key))) == 0) {
        int err = errno;

        if (dict_unix_notfound(err, 1))
            return DICT_STAT_NOTFOUND;
        errno = err;
        return dict_fail(dict, DICT_ERR_RETRY, "table unix:%s: getgrnam(%s): %m", dict->name, key);
    }
    vstring_sprintf(up->result, "%s:%s:%ld:", gr->gr_name, gr->gr_passwd, (long)gr->gr_gid);
    for (char **mp = gr->gr_mem; mp && *mp; mp++)
        vstring_sprintf_append(up->result, "%s%s", mp == gr->gr_mem ? "" : ",", *mp);
    *value = vstring_str(up->result);
    return DICT_STAT_FOUND;
}

static void dict_unix_close(DICT *dict)
{
    vstring_free(((DICT_UNIX *)dict)->result);
    dict_free(dict);
}

DICT *dict_unix_open(const char *name, int open_flags, int dict_flags)
{
    DICT_UNIX *up;
    int (*lookup)(DICT *, const char *, const char **);

    if (strcmp(name, "passwd.byname") == 0)
        lookup = dict_unix_passwd;
    else if (strcmp(name, "group.byname") == 0)
        lookup = dict_unix_group;
    else
        return dict_surrogate(DICT_TYPE_UNIX, name, open_flags, dict_flags, DICT_ERR_CONFIG,
                              "unknown table: %s:%s", DICT_TYPE_UNIX, name);
    up = (DICT_UNIX *)dict_alloc(DICT_TYPE_UNIX, name, sizeof(*up));
    up->result = vstring_alloc(100);
    up->dict.open_flags = open_flags;
    up->dict.flags = dict_flags | DICT_FLAG_FIXED;
    up->dict.lookup = lookup;
    up->dict.close = dict_unix_close;
    return &up->dict;
}
