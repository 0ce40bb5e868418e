/*
 * qfile - check that a queue file is complete and well formed (see
 * qfile.h and QUEUE_FORMAT.md for the rules).
 *
 * Data after the logical end record is allowed: records that were appended
 * later (e.g. header edits reached through pointer records) physically
 * follow the 'E' record.
 */
#include "qfile.h"

#include <string.h>

#include "rec_type.h"

#define QFILE_ENV     0
#define QFILE_CONTENT 1
#define QFILE_XTRA    2

/* Types allowed in the envelope and extracted segments. */
static const char qfile_env_types[] = "TcFILPSRODW/AKrePV<>inof";
static const char qfile_xtra_types[] = "FILPSRODW/AKrePV<>inof";

static int qfile_allowed(const char *set, int type)
{
    return type > 0 && memchr(set, type, strlen(set)) != 0;
}

int qfile_check(REC_READER *rp, int flags, QFILE_INFO *info, VSTRING *why)
{
    VSTRING *data = vstring_alloc(100);
    QFILE_INFO dummy;
    int state = QFILE_ENV;
    int first = 1;
    int senders = 0;
    int type;
    int ret = -1;

    if (info == 0)
        info = &dummy;
    memset(info, 0, sizeof(*info));
    for (;;) {
        off_t off;

        type = rec_get(rp, data);
        off = rec_reader_record_offset(rp);
        if (type == REC_TYPE_ERROR) {
            vstring_sprintf(why, "offset %lld: %s", (long long)off, rec_reader_error(rp));
            break;
        }
        if (type == REC_TYPE_EOF) {
            vstring_sprintf(why, "offset %lld: missing end record", (long long)off);
            break;
        }
        if (!rec_type_known(type)) {
            vstring_sprintf(why, "offset %lld: unknown record type %d", (long long)off, type);
            break;
        }
        if (first) {
            first = 0;
            if (type == REC_TYPE_SIZE && (flags & QFILE_FLAG_MAILDROP) == 0) {
                if (rec_size_parse(vstring_str(data), &info->size) < 0) {
                    vstring_sprintf(why, "offset %lld: invalid size record", (long long)off);
                    break;
                }
                info->has_size = 1;
                continue;
            }
            if ((flags & QFILE_FLAG_MAILDROP) == 0) {
                vstring_sprintf(why, "offset %lld: first record is type %d, not a size record",
                                (long long)off, type);
                break;
            }
            if (!rec_type_envelope(type)) {
                vstring_sprintf(why, "offset %lld: not a queue file", (long long)off);
                break;
            }
        }
        if (type == REC_TYPE_MESG) {
            if (state != QFILE_ENV) {
                vstring_sprintf(why, "offset %lld: out-of-order message content marker",
                                (long long)off);
                break;
            }
            if (senders != 1) {
                vstring_sprintf(why, "offset %lld: %d sender records in envelope", (long long)off,
                                senders);
                break;
            }
            state = QFILE_CONTENT;
            info->content_offset = rec_reader_next_offset(rp);
            if (info->has_size && info->size.data_offset != info->content_offset) {
                vstring_sprintf(why, "offset %lld: size record says content at %ld, not %lld",
                                (long long)off, info->size.data_offset,
                                (long long)info->content_offset);
                break;
            }
            continue;
        }
        if (type == REC_TYPE_XTRA) {
            if (state != QFILE_CONTENT) {
                vstring_sprintf(why, "offset %lld: out-of-order extracted segment marker",
                                (long long)off);
                break;
            }
            state = QFILE_XTRA;
            continue;
        }
        if (type == REC_TYPE_END) {
            if (state != QFILE_XTRA) {
                vstring_sprintf(why, "offset %lld: out-of-order message end marker",
                                (long long)off);
                break;
            }
            info->end_offset = off;
            ret = 0;
            break;
        }
        if (state == QFILE_CONTENT
                ? (type != REC_TYPE_NORM && type != REC_TYPE_CONT)
                : !qfile_allowed(state == QFILE_ENV ? qfile_env_types : qfile_xtra_types, type)) {
            vstring_sprintf(why, "offset %lld: record type %d (%s) not allowed here",
                            (long long)off, type, rec_type_name(type));
            break;
        }
        if (type == REC_TYPE_FROM)
            senders++;
        else if (type == REC_TYPE_RCPT)
            info->rcpt_todo++;
        else if (type == REC_TYPE_DONE || type == REC_TYPE_DRCP)
            info->rcpt_done++;
        else if (type == REC_TYPE_ATTR && memchr(vstring_str(data), '=', VSTRING_LEN(data)) == 0) {
            vstring_sprintf(why, "offset %lld: attribute record without '='", (long long)off);
            break;
        }
    }
    vstring_free(data);
    return ret;
}
