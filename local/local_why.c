/*
 * local_why - the outcome of one delivery attempt (see local_why.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "local_why.h"
#include "mymalloc.h"
#include "vstring.h"

LOCAL_WHY *local_why_alloc(void)
{
    LOCAL_WHY *why = mymalloc(sizeof(*why));

    why->kind = LOCAL_WHY_DEFER;
    strcpy(why->status, "4.3.0");
    why->reason = vstring_alloc(100);
    return why;
}

void local_why_free(LOCAL_WHY *why)
{
    vstring_free(why->reason);
    myfree(why);
}

static void local_why_vset(LOCAL_WHY *why, int kind, const char *status, const char *fmt,
                           va_list ap)
{
    why->kind = kind;
    snprintf(why->status, sizeof(why->status), "%s", status);
    vstring_reset(why->reason);
    vstring_vsprintf_append(why->reason, fmt, ap);
}

void local_why_set(LOCAL_WHY *why, int kind, const char *status, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    local_why_vset(why, kind, status, fmt, ap);
    va_end(ap);
}

void local_why_dsn(LOCAL_WHY *why, const char *status, const char *fmt, ...)
{
    va_list ap;
    int kind = status[0] == '2'   ? LOCAL_WHY_SENT
               : status[0] == '5' ? LOCAL_WHY_BOUNCE
                                  : LOCAL_WHY_DEFER;

    va_start(ap, fmt);
    local_why_vset(why, kind, status, fmt, ap);
    va_end(ap);
}

void local_why_prepend(LOCAL_WHY *why, const char *fmt, ...)
{
    va_list ap;
    VSTRING *tmp = vstring_alloc(100);

    va_start(ap, fmt);
    vstring_vsprintf_append(tmp, fmt, ap);
    va_end(ap);
    vstring_memcat(tmp, vstring_str(why->reason), VSTRING_LEN(why->reason));
    vstring_memcpy(why->reason, vstring_str(tmp), VSTRING_LEN(tmp));
    vstring_free(tmp);
}
