/*
 * dict_unix - the "unix" table: the system password and group databases,
 * and a per-process cache of their answers.
 *
 * Interface: dict_unix_open(name, open_flags, dict_flags) (dict_unix.h).
 *   unix:passwd.byname  getpwnam(key), answered as the passwd(5) line
 *                       "name:passwd:uid:gid:gecos:dir:shell"
 *   unix:group.byname   getgrnam(key), answered as the group(5) line
 *                       "name:passwd:gid:member,member"
 * Any other name gives a surrogate ("unknown table: unix:NAME").  A lookup
 * that fails for a reason other than "no such entry" (NSS service down) is
 * DICT_ERR_RETRY, never "not found".  As with Postfix, every key is asked:
 * a name with "@" is not refused up front, because NSS can have such users
 * (SSSD's fully qualified names, /etc/passwd, systemd's userdb records).
 *
 * dict_unix_getpwnam() and dict_unix_getgrnam() are the cached getpwnam()
 * and getgrnam() behind the tables; local(8) uses the first directly.
 *
 * The cache.  One NSS lookup costs 6 system calls for a user in
 * /etc/passwd and ~90 for a miss with "passwd: files systemd" (systemd's
 * userdb directories are probed one by one), and the same names come back
 * for every message (proxymap answers each smtpd RCPT, local looks up each
 * recipient).  So each process keeps the answers, per database, under these
 * rules:
 *   - An answer, found or not found, is used for at most
 *     DICT_UNIX_CACHE_TTL (10) seconds after it was obtained, so that a
 *     change in another NSS source (LDAP, SSSD, systemd userdb), which no
 *     file tells us about, is seen within that time.
 *   - The database's file (/etc/passwd, /etc/group) is stat()ed at most
 *     once per second, on the first lookup after the second is over.  When
 *     its device, inode, size, mtime or ctime differ from the previous
 *     stat(), every cached answer of that database is dropped: a user that
 *     useradd/userdel/vipw added or removed is seen within a second.  (Two
 *     same-size rewrites within one tick of the file system's timestamps,
 *     in place, are told apart only by the TTL.)
 *   - When the file cannot be stat()ed (a chroot without it), nothing is
 *     cached: every lookup asks NSS.
 *   - Only clean answers are kept: an entry, or "no such entry" reported
 *     with errno 0, ENOENT, ESRCH, EBADF or EPERM.  Any other error, and
 *     the "not found" that dict_unix_open()'s tables make of it after their
 *     sanity check, is asked again next time.
 *   - At most DICT_UNIX_CACHE_MAX (1000) answers per database; the oldest
 *     goes first when it is full (a flood of made-up recipients only
 *     churns the cache).
 * The clock is CLOCK_MONOTONIC, so a change of the system time neither
 * extends nor shortens these periods.  dict_unix_cache_source() points the
 * cache at other files, lookups and clock, for tests.
 *
 * What can go wrong: the cache is per process and never shared; a forked
 * child inherits it under the same rules.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "dict.h"
#include "dict_unix.h"
#include "htable.h"
#include "mymalloc.h"
#include "vstring.h"

#define DICT_UNIX_CACHE_TTL_MS   (DICT_UNIX_CACHE_TTL * 1000LL)
#define DICT_UNIX_CACHE_CHECK_MS 1000LL

typedef struct DICT_UNIX {
    DICT dict;
    VSTRING *result;
} DICT_UNIX;

/* One cached answer: a copy of pw (passwd) or gr (group); found == 0: no such entry. */
typedef struct DICT_UNIX_ENTRY {
    long long born; /* ms, monotonic */
    int found;
    int is_group;
    struct passwd pw;
    struct group gr;
} DICT_UNIX_ENTRY;

/* What the cache knows about a database file. */
typedef struct DICT_UNIX_SIG {
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
    struct timespec ctime;
} DICT_UNIX_SIG;

typedef struct DICT_UNIX_CACHE {
    int is_group;
    int have_sig;          /* sig holds the last successful stat() */
    DICT_UNIX_SIG sig;     /* of the file */
    long long checked;     /* when the file was last stat()ed, ms; -1 never */
    HTABLE *entries;       /* name -> DICT_UNIX_ENTRY, oldest first */
    DICT_UNIX_ENTRY *last; /* the answer when nothing is cached */
} DICT_UNIX_CACHE;

static long long dict_unix_monotonic_ms(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const DICT_UNIX_SOURCE dict_unix_system_source = {"/etc/passwd", "/etc/group", getpwnam,
                                                         getgrnam, dict_unix_monotonic_ms};
static DICT_UNIX_SOURCE dict_unix_source = {"/etc/passwd", "/etc/group", getpwnam, getgrnam,
                                            dict_unix_monotonic_ms};
static DICT_UNIX_CACHE dict_unix_pw_cache = {.is_group = 0, .checked = -1};
static DICT_UNIX_CACHE dict_unix_gr_cache = {.is_group = 1, .checked = -1};

static char *dict_unix_strdup(const char *str)
{
    return mystrdup(str ? str : "");
}

static void dict_unix_entry_free(void *ptr)
{
    DICT_UNIX_ENTRY *ep = ptr;

    if (ep->found && ep->is_group) {
        myfree(ep->gr.gr_name);
        myfree(ep->gr.gr_passwd);
        for (char **mp = ep->gr.gr_mem; *mp; mp++)
            myfree(*mp);
        myfree(ep->gr.gr_mem);
    } else if (ep->found) {
        myfree(ep->pw.pw_name);
        myfree(ep->pw.pw_passwd);
        myfree(ep->pw.pw_gecos);
        myfree(ep->pw.pw_dir);
        myfree(ep->pw.pw_shell);
    }
    myfree(ep);
}

/* dict_unix_entry_new - a copy of an NSS answer (pw or gr), or of a miss (both null) */
static DICT_UNIX_ENTRY *dict_unix_entry_new(const struct passwd *pw, const struct group *gr,
                                            long long now)
{
    DICT_UNIX_ENTRY *ep = mymalloc(sizeof(*ep));
    size_t n = 0;

    memset(ep, 0, sizeof(*ep));
    ep->born = now;
    ep->is_group = gr != 0;
    if (pw) {
        ep->found = 1;
        ep->pw = *pw;
        ep->pw.pw_name = dict_unix_strdup(pw->pw_name);
        ep->pw.pw_passwd = dict_unix_strdup(pw->pw_passwd);
        ep->pw.pw_gecos = dict_unix_strdup(pw->pw_gecos);
        ep->pw.pw_dir = dict_unix_strdup(pw->pw_dir);
        ep->pw.pw_shell = dict_unix_strdup(pw->pw_shell);
    } else if (gr) {
        ep->found = 1;
        ep->gr = *gr;
        ep->gr.gr_name = dict_unix_strdup(gr->gr_name);
        ep->gr.gr_passwd = dict_unix_strdup(gr->gr_passwd);
        while (gr->gr_mem && gr->gr_mem[n])
            n++;
        ep->gr.gr_mem = mymalloc_array(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++)
            ep->gr.gr_mem[i] = mystrdup(gr->gr_mem[i]);
        ep->gr.gr_mem[n] = 0;
    }
    return ep;
}

static void dict_unix_cache_flush(DICT_UNIX_CACHE *cp)
{
    if (cp->entries) {
        htable_free(cp->entries, dict_unix_entry_free);
        cp->entries = 0;
    }
}

static int dict_unix_sig_same(const DICT_UNIX_SIG *a, const DICT_UNIX_SIG *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec &&
           a->ctime.tv_sec == b->ctime.tv_sec && a->ctime.tv_nsec == b->ctime.tv_nsec;
}

/* dict_unix_cache_check - the once-a-second stat(); 1 if caching is allowed */
static int dict_unix_cache_check(DICT_UNIX_CACHE *cp, long long now)
{
    const char *file = cp->is_group ? dict_unix_source.group_file : dict_unix_source.passwd_file;
    struct stat st;
    DICT_UNIX_SIG sig;

    if (cp->checked >= 0 && now - cp->checked < DICT_UNIX_CACHE_CHECK_MS && now >= cp->checked)
        return cp->have_sig;
    cp->checked = now;
    if (file == 0 || stat(file, &st) < 0) {
        cp->have_sig = 0;
        dict_unix_cache_flush(cp);
        return 0;
    }
    memset(&sig, 0, sizeof(sig));
    sig.dev = st.st_dev;
    sig.ino = st.st_ino;
    sig.size = st.st_size;
    sig.mtime = st.st_mtim;
    sig.ctime = st.st_ctim;
    if (!cp->have_sig || !dict_unix_sig_same(&sig, &cp->sig))
        dict_unix_cache_flush(cp);
    cp->sig = sig;
    cp->have_sig = 1;
    return 1;
}

/* dict_unix_cache_add - keep an answer, dropping the oldest when full */
static void dict_unix_cache_add(DICT_UNIX_CACHE *cp, const char *name, DICT_UNIX_ENTRY *ep)
{
    if (cp->entries == 0)
        cp->entries = htable_create(64);
    while (cp->entries->used >= DICT_UNIX_CACHE_MAX && cp->entries->order_head)
        htable_delete(cp->entries, cp->entries->order_head->key, dict_unix_entry_free);
    htable_enter(cp->entries, name, ep);
}

/* dict_unix_cache_lookup - 1 found, 0 no such entry, -1 error (*err) */
static int dict_unix_cache_lookup(DICT_UNIX_CACHE *cp, const char *name, DICT_UNIX_ENTRY **epp,
                                  int *err)
{
    long long now = dict_unix_source.now_ms();
    int cacheable = dict_unix_cache_check(cp, now);
    DICT_UNIX_ENTRY *ep;
    struct passwd *pw = 0;
    struct group *gr = 0;
    int lookup_err;

    if (cacheable && cp->entries && (ep = htable_find(cp->entries, name)) != 0) {
        if (now - ep->born < DICT_UNIX_CACHE_TTL_MS && now >= ep->born) {
            *epp = ep;
            return ep->found;
        }
        htable_delete(cp->entries, name, dict_unix_entry_free);
    }
    errno = 0;
    if (cp->is_group)
        gr = dict_unix_source.getgrnam(name);
    else
        pw = dict_unix_source.getpwnam(name);
    lookup_err = errno;
    if (pw == 0 && gr == 0 && lookup_err != 0 && lookup_err != ENOENT && lookup_err != ESRCH &&
        lookup_err != EBADF && lookup_err != EPERM) {
        *err = lookup_err;
        return -1;
    }
    ep = dict_unix_entry_new(pw, gr, now);
    if (cacheable) {
        dict_unix_cache_add(cp, name, ep);
    } else {
        if (cp->last)
            dict_unix_entry_free(cp->last);
        cp->last = ep;
    }
    *epp = ep;
    return ep->found;
}

int dict_unix_getpwnam(const char *name, const struct passwd **pwp, int *err)
{
    DICT_UNIX_ENTRY *ep;
    int ret = dict_unix_cache_lookup(&dict_unix_pw_cache, name, &ep, err);

    if (ret > 0)
        *pwp = &ep->pw;
    return ret;
}

int dict_unix_getgrnam(const char *name, const struct group **grp, int *err)
{
    DICT_UNIX_ENTRY *ep;
    int ret = dict_unix_cache_lookup(&dict_unix_gr_cache, name, &ep, err);

    if (ret > 0)
        *grp = &ep->gr;
    return ret;
}

void dict_unix_cache_source(const DICT_UNIX_SOURCE *source)
{
    DICT_UNIX_CACHE *caches[] = {&dict_unix_pw_cache, &dict_unix_gr_cache};

    dict_unix_source = source ? *source : dict_unix_system_source;
    for (size_t i = 0; i < sizeof(caches) / sizeof(caches[0]); i++) {
        dict_unix_cache_flush(caches[i]);
        caches[i]->have_sig = 0;
        caches[i]->checked = -1;
    }
}

/*
 * A miss that came with an unexpected errno: with "passwd: files systemd"
 * a name that is not in /etc/passwd goes on to systemd's user database,
 * which may time out on a busy machine.  As Postfix does, that is "not
 * found" unless the database is unreachable altogether, which a lookup of
 * uid/gid 0 tells.
 */
static int dict_unix_reachable(int is_group)
{
    return is_group ? getgrgid(0) != 0 : getpwuid(0) != 0;
}

static int dict_unix_passwd(DICT *dict, const char *key, const char **value)
{
    DICT_UNIX *up = (DICT_UNIX *)dict;
    const struct passwd *pw;
    int err = 0;

    switch (dict_unix_getpwnam(dict_fold_key(dict, key), &pw, &err)) {
    case 1:
        break;
    case 0:
        return DICT_STAT_NOTFOUND;
    default:
        if (dict_unix_reachable(0))
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
    const struct group *gr;
    int err = 0;

    switch (dict_unix_getgrnam(dict_fold_key(dict, key), &gr, &err)) {
    case 1:
        break;
    case 0:
        return DICT_STAT_NOTFOUND;
    default:
        if (dict_unix_reachable(1))
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
