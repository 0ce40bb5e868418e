/*
 * vstring - growable, always null-terminated strings with an optional limit.
 *
 * A VSTRING holds len bytes of data (which may include null bytes) followed
 * by a terminating null.  Every function that adds data grows the buffer as
 * needed.  For text fed from outside, vstring_set_limit() caps the length:
 * data beyond the cap is dropped and vstring_overflowed() becomes true, so
 * the caller can answer with a clear error instead of growing without bound.
 *
 * Functions that return VSTRING * return their first argument, so calls can
 * be nested: vstring_str(vstring_strcat(vstring_strcpy(s, a), b)).
 */
#ifndef POSTERN_VSTRING_H
#define POSTERN_VSTRING_H

#include <stdarg.h>
#include <stddef.h>

typedef struct VSTRING {
    char *data;
    size_t len;                         /* bytes in use, excluding the null */
    size_t size;                        /* allocated, including the null */
    size_t limit;                       /* 0: no limit */
    int overflow;                       /* data was dropped at the limit */
} VSTRING;

#define vstring_str(vp) ((vp)->data)
#define VSTRING_LEN(vp) ((vp)->len)
#define vstring_end(vp) ((vp)->data + (vp)->len)

extern VSTRING *vstring_alloc(size_t init);
extern void vstring_free(VSTRING *vp);
extern char *vstring_export(VSTRING *vp);       /* free the wrapper, keep the data */
extern VSTRING *vstring_set_limit(VSTRING *vp, size_t limit);
extern int vstring_overflowed(const VSTRING *vp);
extern VSTRING *vstring_reset(VSTRING *vp);     /* empty, clears overflow */
extern VSTRING *vstring_truncate(VSTRING *vp, size_t len);
extern char *vstring_space(VSTRING *vp, size_t extra);  /* room for extra more bytes */
extern void vstring_set_len(VSTRING *vp, size_t len);   /* after writing into space */
extern VSTRING *vstring_addch(VSTRING *vp, int ch);
extern VSTRING *vstring_memcpy(VSTRING *vp, const void *src, size_t len);
extern VSTRING *vstring_memcat(VSTRING *vp, const void *src, size_t len);
extern VSTRING *vstring_strcpy(VSTRING *vp, const char *src);
extern VSTRING *vstring_strcat(VSTRING *vp, const char *src);
extern VSTRING *vstring_strncpy(VSTRING *vp, const char *src, size_t len);
extern VSTRING *vstring_strncat(VSTRING *vp, const char *src, size_t len);
extern VSTRING *vstring_sprintf(VSTRING *vp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
extern VSTRING *vstring_sprintf_append(VSTRING *vp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
extern VSTRING *vstring_vsprintf_append(VSTRING *vp, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

#endif
