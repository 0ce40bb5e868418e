/*
 * bounce_qfile - what a DSN needs from the original queue file.
 *
 *   bounce_qfile_read(path, size_limit, info, why)
 *       Read the arrival time (T record) and the message content (the
 *       N/L records between M and X, lines joined with "\n") of the queue
 *       file at path.  When the content is larger than size_limit (> 0),
 *       only its headers are kept (the DSN will return headers only);
 *       info->content_size is always the whole size.
 *       Returns 0; -1 with errno ENOENT when the file does not exist (the
 *       message is gone: the DSN goes out without it); -1 with why for
 *       any other failure (unreadable or malformed file).
 */
#ifndef POSTERN_BOUNCE_QFILE_H
#define POSTERN_BOUNCE_QFILE_H

#include <stddef.h>
#include <time.h>

#include "vstring.h"

typedef struct BOUNCE_QFILE {
    time_t arrival;      /* 0 when the file has no T record */
    VSTRING *content;    /* content, or its headers (see above) */
    size_t content_size; /* bytes of the whole content, newlines included */
} BOUNCE_QFILE;

extern int bounce_qfile_read(const char *path, long size_limit, BOUNCE_QFILE *info, VSTRING *why);

#endif
