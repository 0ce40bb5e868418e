/*
 * bounce_log - write and read recipient status logs; see bounce_log.h.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "bounce_log.h"
#include "dsn.h"
#include "mymalloc.h"
#include "stringops.h"

#define BL_RECIP  "recipient"
#define BL_ORCPT  "original_recipient"
#define BL_OFFSET "offset"
#define BL_DORCPT "dsn_orig_rcpt"
#define BL_NOTIFY "notify_flags"
#define BL_STATUS "status"
#define BL_DTYPE  "diag_type"
#define BL_DTEXT  "diag_text"
#define BL_MTYPE  "mta_type"
#define BL_MNAME  "mta_name"
#define BL_ACTION "action"
#define BL_REASON "reason"

BOUNCE_LOG_ENTRY *bounce_log_entry_alloc(void)
{
    BOUNCE_LOG_ENTRY *e = (BOUNCE_LOG_ENTRY *) mymalloc(sizeof(*e));

    e->recipient = vstring_alloc(100);
    e->orig_rcpt = vstring_alloc(100);
    e->dsn_orcpt = vstring_alloc(100);
    e->status = vstring_alloc(10);
    e->action = vstring_alloc(10);
    e->reason = vstring_alloc(100);
    e->dtype = vstring_alloc(10);
    e->dtext = vstring_alloc(100);
    e->mtype = vstring_alloc(10);
    e->mname = vstring_alloc(100);
    bounce_log_entry_reset(e);
    return e;
}

void bounce_log_entry_reset(BOUNCE_LOG_ENTRY *e)
{
    vstring_reset(e->recipient);
    vstring_reset(e->orig_rcpt);
    vstring_reset(e->dsn_orcpt);
    vstring_reset(e->status);
    vstring_reset(e->action);
    vstring_reset(e->reason);
    vstring_reset(e->dtype);
    vstring_reset(e->dtext);
    vstring_reset(e->mtype);
    vstring_reset(e->mname);
    e->offset = 0;
    e->notify = 0;
}

void bounce_log_entry_free(BOUNCE_LOG_ENTRY *e)
{
    vstring_free(e->recipient);
    vstring_free(e->orig_rcpt);
    vstring_free(e->dsn_orcpt);
    vstring_free(e->status);
    vstring_free(e->action);
    vstring_free(e->reason);
    vstring_free(e->dtype);
    vstring_free(e->dtext);
    vstring_free(e->mtype);
    vstring_free(e->mname);
    myfree(e);
}

int bounce_log_status_ok(const char *s)
{
    int n;

    if (s[0] != '2' && s[0] != '4' && s[0] != '5')
        return 0;
    if (s[1] != '.')
        return 0;
    s += 2;
    for (int part = 0; part < 2; part++) {
        for (n = 0; isdigit((unsigned char) s[n]); n++)
            ;
        if (n < 1 || n > 3)
            return 0;
        s += n;
        if (part == 0 && *s++ != '.')
            return 0;
    }
    return *s == 0;
}

int bounce_log_action_ok(const char *action)
{
    static const char *known[] = {"failed",    "delayed",       "delivered", "relayed",
                                  "expanded",  "undeliverable", "deliverable"};

    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strcmp(action, known[i]) == 0)
            return 1;
    return 0;
}

/* An address: no control characters (UTF-8 is fine). */
static int bounce_log_addr_ok(const char *addr)
{
    for (const unsigned char *cp = (const unsigned char *) addr; *cp; cp++)
        if (*cp < ' ' || *cp == 0x7f)
            return 0;
    return 1;
}

/* An RFC 3464 type token ("smtp", "dns", "x-unix") or empty. */
static int bounce_log_type_ok(const char *type)
{
    for (const char *cp = type; *cp; cp++)
        if (!isalnum((unsigned char) *cp) && *cp != '-' && *cp != '_' && *cp != '.')
            return 0;
    return strlen(type) <= 64;
}

/* Free text: control characters become spaces. */
static void bounce_log_clean(VSTRING *out, VSTRING *text)
{
    for (const unsigned char *cp = (const unsigned char *) vstring_str(text); *cp; cp++)
        vstring_addch(out, (*cp < ' ' || *cp == 0x7f) ? ' ' : *cp);
}

static void bounce_log_text(VSTRING *out, const char *name, VSTRING *text)
{
    vstring_strcat(out, name);
    vstring_addch(out, '=');
    bounce_log_clean(out, text);
    vstring_addch(out, '\n');
}

int bounce_log_format(VSTRING *out, BOUNCE_LOG_ENTRY *e, int compat, VSTRING *why)
{
    const char *rcpt = vstring_str(e->recipient);

#define BL_BAD(...) (vstring_sprintf(why, __VA_ARGS__), -1)

    if (*rcpt == 0)
        return BL_BAD("empty recipient");
    if (!bounce_log_addr_ok(rcpt))
        return BL_BAD("control character in recipient");
    if (!bounce_log_addr_ok(vstring_str(e->orig_rcpt)))
        return BL_BAD("control character in original recipient");
    if (!bounce_log_addr_ok(vstring_str(e->dsn_orcpt)))
        return BL_BAD("control character in DSN original recipient");
    if (e->offset < 0)
        return BL_BAD("negative recipient offset %ld", e->offset);
    if (e->notify < 0 || (e->notify & ~(DSN_NOTIFY_NEVER | DSN_NOTIFY_ANY)) != 0)
        return BL_BAD("bad DSN notify flags %d", e->notify);
    if (!bounce_log_status_ok(vstring_str(e->status)))
        return BL_BAD("bad DSN status \"%.20s\"", vstring_str(e->status));
    if (!bounce_log_action_ok(vstring_str(e->action)))
        return BL_BAD("bad DSN action \"%.20s\"", vstring_str(e->action));
    if (!bounce_log_type_ok(vstring_str(e->dtype)))
        return BL_BAD("bad diagnostic type \"%.20s\"", vstring_str(e->dtype));
    if (!bounce_log_type_ok(vstring_str(e->mtype)))
        return BL_BAD("bad MTA type \"%.20s\"", vstring_str(e->mtype));

    vstring_addch(out, '\n');
    if (compat) {
        vstring_sprintf_append(out, "<%s>: ", rcpt);
        bounce_log_clean(out, e->reason);
        vstring_addch(out, '\n');
    }
    vstring_sprintf_append(out, BL_RECIP "=%s\n", rcpt);
    if (VSTRING_LEN(e->orig_rcpt) && strcmp(vstring_str(e->orig_rcpt), rcpt) != 0)
        vstring_sprintf_append(out, BL_ORCPT "=%s\n", vstring_str(e->orig_rcpt));
    vstring_sprintf_append(out, BL_OFFSET "=%ld\n", e->offset);
    if (VSTRING_LEN(e->dsn_orcpt))
        vstring_sprintf_append(out, BL_DORCPT "=%s\n", vstring_str(e->dsn_orcpt));
    vstring_sprintf_append(out, BL_NOTIFY "=%d\n", e->notify);
    vstring_sprintf_append(out, BL_STATUS "=%s\n", vstring_str(e->status));
    if (VSTRING_LEN(e->dtype))
        vstring_sprintf_append(out, BL_DTYPE "=%s\n", vstring_str(e->dtype));
    if (VSTRING_LEN(e->dtext))
        bounce_log_text(out, BL_DTEXT, e->dtext);
    if (VSTRING_LEN(e->mtype))
        vstring_sprintf_append(out, BL_MTYPE "=%s\n", vstring_str(e->mtype));
    if (VSTRING_LEN(e->mname))
        bounce_log_text(out, BL_MNAME, e->mname);
    vstring_sprintf_append(out, BL_ACTION "=%s\n", vstring_str(e->action));
    bounce_log_text(out, BL_REASON, e->reason);
    vstring_addch(out, '\n');
    return 0;
}

/* Store one name=value line; 0, or -1 with why. */
static int bounce_log_store(BOUNCE_LOG_ENTRY *e, const char *name, const char *value, VSTRING *why)
{
    static const struct {
        const char *name;
        size_t field;
    } strs[] = {
#define BL_FIELD(n, f) {n, offsetof(BOUNCE_LOG_ENTRY, f)}
        BL_FIELD(BL_RECIP, recipient), BL_FIELD(BL_ORCPT, orig_rcpt),
        BL_FIELD(BL_DORCPT, dsn_orcpt), BL_FIELD(BL_STATUS, status),
        BL_FIELD(BL_ACTION, action),    BL_FIELD(BL_REASON, reason),
        BL_FIELD(BL_DTYPE, dtype),      BL_FIELD(BL_DTEXT, dtext),
        BL_FIELD(BL_MTYPE, mtype),      BL_FIELD(BL_MNAME, mname),
    };
    long num;

    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        if (strcmp(name, strs[i].name) == 0) {
            vstring_strcpy(*(VSTRING **) ((char *) e + strs[i].field), value);
            return 0;
        }
    }
    if (strcmp(name, BL_OFFSET) == 0) {
        if (!safe_strtol(value, &num) || num < 0)
            return vstring_sprintf(why, "bad offset \"%.20s\"", value), -1;
        e->offset = num;
    } else if (strcmp(name, BL_NOTIFY) == 0) {
        if (!safe_strtol(value, &num) || num < 0 || num > (DSN_NOTIFY_NEVER | DSN_NOTIFY_ANY))
            return vstring_sprintf(why, "bad notify_flags \"%.20s\"", value), -1;
        e->notify = (int) num;
    }
    /* Other names: written by a newer version; ignored. */
    return 0;
}

int bounce_log_read(VSTREAM *fp, BOUNCE_LOG_ENTRY *e, VSTRING *why)
{
    static VSTRING *line;
    int lines = 0;
    int bad = 0;
    int rc;
    char *cp;

    if (line == 0)
        line = vstring_alloc(100);
    bounce_log_entry_reset(e);
    for (;;) {
        rc = vstream_get_line(fp, line, BOUNCE_LOG_LINE_MAX, VSTREAM_LINE_STRIP);
        if (rc == VSTREAM_LINE_ERROR || rc == VSTREAM_LINE_TIMEOUT) {
            vstring_sprintf(why, "read error: %s", strerror(errno));
            return -1;
        }
        if (rc == VSTREAM_LINE_LONG) {
            /* Skip the rest of the line; the entry is unusable. */
            while ((rc = vstream_get_line(fp, line, BOUNCE_LOG_LINE_MAX, VSTREAM_LINE_STRIP))
                   == VSTREAM_LINE_LONG)
                ;
            if (!bad)
                vstring_sprintf(why, "line longer than %d bytes", BOUNCE_LOG_LINE_MAX);
            bad = 1;
            lines++;
            if (rc == VSTREAM_LINE_EOF || rc < 0)
                return -1;
            continue;
        }
        if (rc == VSTREAM_LINE_EOF || VSTRING_LEN(line) == 0) {
            /* End of an entry (or blank lines between entries). */
            if (lines == 0) {
                if (rc == VSTREAM_LINE_EOF)
                    return 0;
                continue;
            }
            break;
        }
        lines++;
        cp = vstring_str(line);
        if (*cp == '<' || *cp == ' ' || *cp == '\t')
            continue; /* compatibility line or its continuation */
        if ((cp = strchr(vstring_str(line), '=')) == 0) {
            if (!bad)
                vstring_sprintf(why, "line without '=': \"%.40s\"", vstring_str(line));
            bad = 1;
            continue;
        }
        *cp++ = 0;
        if (bounce_log_store(e, vstring_str(line), cp, why) < 0)
            bad = 1;
        if (rc == VSTREAM_LINE_NOEOL)
            break;
    }
    if (bad)
        return -1;
    if (VSTRING_LEN(e->recipient) == 0)
        return vstring_sprintf(why, "entry without recipient"), -1;
    if (VSTRING_LEN(e->status) && !bounce_log_status_ok(vstring_str(e->status)))
        return vstring_sprintf(why, "bad status \"%.20s\"", vstring_str(e->status)), -1;
    return 1;
}
