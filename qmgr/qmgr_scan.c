/*
 * qmgr_scan - walk a queue directory one file at a time.
 *
 * Interface: see qmgr.h.
 *
 *   qmgr_scan_create(queue_name)
 *   qmgr_scan_request(scan, flags)
 *       QMGR_SCAN_START starts a scan, or, when one is in progress, asks
 *       for another one as soon as it finishes (so that a file that
 *       arrived behind the scan's position is not missed).  QMGR_SCAN_ALL
 *       is passed on to the files of the scan (deferred/: ignore the retry
 *       times).
 *   qmgr_scan_next(scan, path, &flags)
 *       The next file's queue id, with its path (relative to the queue
 *       directory) in path and the scan's flags; null when the scan is
 *       over (and no restart was requested).  Hashed queues are walked
 *       through every one-character subdirectory, whatever hash depth
 *       made them, so a change of hash_queue_depth strands nothing.
 *   qmgr_scan_busy(scan)      a scan is in progress
 *
 * What can go wrong: a directory that cannot be opened is logged and the
 * scan ends; entries that are not queue ids are ignored.
 */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "msg.h"
#include "mymalloc.h"
#include "qmgr.h"
#include "queue_id.h"

#define QMGR_SCAN_DEPTH (MAIL_QUEUE_MAX_HASH_DEPTH + 1)

struct QMGR_SCAN {
    char *queue;
    int flags;         /* of the scan in progress */
    int nflags;        /* requested for the next scan */
    int depth;         /* open directories; 0 = idle */
    DIR *dirs[QMGR_SCAN_DEPTH];
    VSTRING *prefix[QMGR_SCAN_DEPTH];
};

QMGR_SCAN *qmgr_scan_create(const char *queue_name)
{
    QMGR_SCAN *s = mycalloc(1, sizeof(*s));

    s->queue = mystrdup(queue_name);
    for (int i = 0; i < QMGR_SCAN_DEPTH; i++)
        s->prefix[i] = vstring_alloc(32);
    return s;
}

static int qmgr_scan_push(QMGR_SCAN *s, const char *path)
{
    DIR *dir;

    if (s->depth >= QMGR_SCAN_DEPTH)
        return -1;
    if ((dir = opendir(path)) == 0) {
        if (errno != ENOENT)
            msg_warn("open directory %s: %m", path);
        return -1;
    }
    s->dirs[s->depth] = dir;
    vstring_strcpy(s->prefix[s->depth], path);
    s->depth++;
    return 0;
}

static void qmgr_scan_pop(QMGR_SCAN *s)
{
    s->depth--;
    closedir(s->dirs[s->depth]);
}

static void qmgr_scan_start(QMGR_SCAN *s, int flags)
{
    while (s->depth > 0)
        qmgr_scan_pop(s);
    s->flags = flags;
    if (msg_verbose)
        msg_info("start %s queue scan", s->queue);
    (void)qmgr_scan_push(s, s->queue);
}

void qmgr_scan_request(QMGR_SCAN *s, int flags)
{
    if (s->depth == 0 && (flags & QMGR_SCAN_START))
        qmgr_scan_start(s, flags);
    else
        s->nflags |= flags;
}

int qmgr_scan_busy(const QMGR_SCAN *s)
{
    return s->depth > 0;
}

const char *qmgr_scan_name(const QMGR_SCAN *s)
{
    return s->queue;
}

const char *qmgr_scan_next(QMGR_SCAN *s, VSTRING *path, int *flags)
{
    struct dirent *dp;

    for (;;) {
        if (s->depth == 0) {
            if ((s->nflags & QMGR_SCAN_START) == 0)
                return 0;
            qmgr_scan_start(s, s->nflags);
            s->nflags = 0;
            if (s->depth == 0)
                return 0;
        }
        if ((dp = readdir(s->dirs[s->depth - 1])) == 0) {
            qmgr_scan_pop(s);
            continue;
        }
        if (dp->d_name[0] == '.')
            continue;
        vstring_sprintf(path, "%s/%s", vstring_str(s->prefix[s->depth - 1]), dp->d_name);
        if (dp->d_name[1] == 0) {
            /* A hash subdirectory (ids are longer than one character). */
            struct stat st;

            if (dp->d_type == DT_DIR ||
                (dp->d_type == DT_UNKNOWN && stat(vstring_str(path), &st) == 0 &&
                 S_ISDIR(st.st_mode)))
                (void)qmgr_scan_push(s, vstring_str(path));
            continue;
        }
        if (!queue_id_ok(dp->d_name))
            continue;
        *flags = s->flags;
        return strrchr(vstring_str(path), '/') + 1;
    }
}
