/*
 * proctitle - setproctitle() through libbsd; see proctitle.h.
 */
#include <bsd/unistd.h>
#include <stdarg.h>

#include "proctitle.h"
#include "vstring.h"

void proctitle_init(int argc, char **argv, char **envp)
{
    setproctitle_init(argc, argv, envp);
}

void proctitle_set(const char *fmt, ...)
{
    VSTRING *title = vstring_alloc(100);
    va_list ap;

    va_start(ap, fmt);
    vstring_vsprintf_append(title, fmt, ap);
    va_end(ap);
    /* A leading "-" tells libbsd not to prepend the program name. */
    setproctitle("-%s", vstring_str(title));
    vstring_free(title);
}
