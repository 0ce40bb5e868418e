/*
 * bounce_qfile - read arrival time and content of a queue file for a DSN;
 * see bounce_qfile.h.  The file is read with pointers followed, as every
 * queue file reader must; a malformed file is an error, never trusted.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bounce_qfile.h"
#include "rec_type.h"
#include "record.h"

int bounce_qfile_read(const char *path, long size_limit, BOUNCE_QFILE *info, VSTRING *why)
{
    VSTRING *rec = vstring_alloc(200);
    REC_READER *rp;
    int fd, type, in_content = 0, in_headers = 1, keep = 1, cont = 0, rc = -1;
    size_t header_end = 0;

    info->arrival = 0;
    info->content_size = 0;
    vstring_reset(info->content);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        int err = errno;

        vstring_sprintf(why, "open %s: %s", path, strerror(err));
        vstring_free(rec);
        errno = err;
        return -1;
    }
    rp = rec_reader_fd(fd, 0, REC_FLAG_FOLLOW_PTR);
    while ((type = rec_get(rp, rec)) >= 0) {
        if (!in_content) {
            if (type == REC_TYPE_TIME)
                info->arrival = (time_t) strtol(vstring_str(rec), 0, 10);
            else if (type == REC_TYPE_MESG)
                in_content = 1;
            else if (type == REC_TYPE_XTRA || type == REC_TYPE_END)
                break;
            continue;
        }
        if (type == REC_TYPE_XTRA || type == REC_TYPE_END) {
            rc = 0;
            break;
        }
        if (type != REC_TYPE_NORM && type != REC_TYPE_CONT)
            continue;
        /* A line (or a piece of one), newline after the last piece. */
        if (in_headers && !cont && VSTRING_LEN(rec) == 0 && type == REC_TYPE_NORM) {
            in_headers = 0;
            header_end = VSTRING_LEN(info->content);
        }
        info->content_size += VSTRING_LEN(rec) + (type == REC_TYPE_NORM);
        if (keep && size_limit > 0 && info->content_size > (size_t) size_limit) {
            /* Too big to return whole: keep the headers only. */
            keep = 0;
            if (!in_headers)
                vstring_truncate(info->content, header_end);
        }
        if (keep || in_headers) {
            vstring_memcat(info->content, vstring_str(rec), VSTRING_LEN(rec));
            if (type == REC_TYPE_NORM)
                vstring_addch(info->content, '\n');
        }
        cont = type == REC_TYPE_CONT;
    }
    if (rc < 0)
        vstring_sprintf(why, "%s: %s", path,
                        type == REC_TYPE_ERROR ? rec_reader_error(rp)
                                               : "no message content (truncated file?)");
    rec_reader_free(rp);
    close(fd);
    vstring_free(rec);
    return rc;
}
