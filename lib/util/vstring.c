/*
 * vstring - growable strings; see vstring.h.
 */
#include <stdio.h>
#include <string.h>

#include "checked.h"
#include "msg.h"
#include "mymalloc.h"
#include "vstring.h"

VSTRING *vstring_alloc(size_t init)
{
    VSTRING *vp = mymalloc(sizeof(*vp));

    vp->size = init < 16 ? 16 : checked_add(init, 1);
    vp->data = mymalloc(vp->size);
    vp->data[0] = 0;
    vp->len = 0;
    vp->limit = 0;
    vp->overflow = 0;
    return vp;
}

void vstring_free(VSTRING *vp)
{
    if (vp) {
        myfree(vp->data);
        myfree(vp);
    }
}

char *vstring_export(VSTRING *vp)
{
    char *data = vp->data;

    myfree(vp);
    return data;
}

VSTRING *vstring_set_limit(VSTRING *vp, size_t limit)
{
    vp->limit = limit;
    return vp;
}

int vstring_overflowed(const VSTRING *vp)
{
    return vp->overflow;
}

VSTRING *vstring_reset(VSTRING *vp)
{
    vp->len = 0;
    vp->data[0] = 0;
    vp->overflow = 0;
    return vp;
}

VSTRING *vstring_truncate(VSTRING *vp, size_t len)
{
    if (len < vp->len) {
        vp->len = len;
        vp->data[len] = 0;
    }
    return vp;
}

char *vstring_space(VSTRING *vp, size_t extra)
{
    size_t need = checked_add(checked_add(vp->len, extra), 1);

    if (need > vp->size) {
        size_t grow = vp->size * 2;

        vp->size = grow > need ? grow : need;
        vp->data = myrealloc(vp->data, vp->size);
    }
    return vp->data + vp->len;
}

void vstring_set_len(VSTRING *vp, size_t len)
{
    if (len >= vp->size)
        msg_panic("vstring_set_len: length %zu exceeds size %zu", len, vp->size);
    vp->len = len;
    vp->data[len] = 0;
}

/* Clip an append to the limit; returns how many bytes may be added. */
static size_t vstring_room(VSTRING *vp, size_t len)
{
    if (vp->limit && vp->len + len > vp->limit) {
        vp->overflow = 1;
        return vp->len >= vp->limit ? 0 : vp->limit - vp->len;
    }
    return len;
}

VSTRING *vstring_memcat(VSTRING *vp, const void *src, size_t len)
{
    len = vstring_room(vp, len);
    if (len) {
        memcpy(vstring_space(vp, len), src, len);
        vp->len += len;
    }
    vp->data[vp->len] = 0;
    return vp;
}

VSTRING *vstring_memcpy(VSTRING *vp, const void *src, size_t len)
{
    vp->len = 0;
    vp->overflow = 0;
    return vstring_memcat(vp, src, len);
}

VSTRING *vstring_addch(VSTRING *vp, int ch)
{
    char c = (char) ch;

    return vstring_memcat(vp, &c, 1);
}

VSTRING *vstring_strcpy(VSTRING *vp, const char *src)
{
    return vstring_memcpy(vp, src, strlen(src));
}

VSTRING *vstring_strcat(VSTRING *vp, const char *src)
{
    return vstring_memcat(vp, src, strlen(src));
}

VSTRING *vstring_strncpy(VSTRING *vp, const char *src, size_t len)
{
    const char *end = memchr(src, 0, len);

    return vstring_memcpy(vp, src, end ? (size_t) (end - src) : len);
}

VSTRING *vstring_strncat(VSTRING *vp, const char *src, size_t len)
{
    const char *end = memchr(src, 0, len);

    return vstring_memcat(vp, src, end ? (size_t) (end - src) : len);
}

VSTRING *vstring_vsprintf_append(VSTRING *vp, const char *fmt, va_list ap)
{
    va_list ap2;
    int need;
    size_t room;

    va_copy(ap2, ap);
    room = vp->size - vp->len;
    need = vsnprintf(vp->data + vp->len, room, fmt, ap2);
    va_end(ap2);
    if (need < 0)
        msg_panic("vstring_vsprintf_append: bad format \"%s\"", fmt);
    if ((size_t) need >= room) {
        vstring_space(vp, (size_t) need);
        vsnprintf(vp->data + vp->len, (size_t) need + 1, fmt, ap);
    }
    /* Apply the limit after formatting: the formatted text is ours. */
    size_t keep = vstring_room(vp, (size_t) need);
    vp->len += keep;
    vp->data[vp->len] = 0;
    return vp;
}

VSTRING *vstring_sprintf_append(VSTRING *vp, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vstring_vsprintf_append(vp, fmt, ap);
    va_end(ap);
    return vp;
}

VSTRING *vstring_sprintf(VSTRING *vp, const char *fmt, ...)
{
    va_list ap;

    vp->len = 0;
    vp->overflow = 0;
    va_start(ap, fmt);
    vstring_vsprintf_append(vp, fmt, ap);
    va_end(ap);
    return vp;
}
