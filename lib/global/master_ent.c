/*
 * master_ent - master.cf reader (see master_ent.h).
 *
 * The text is split into logical lines, each logical line into fields with
 * mystrtokq() so that "{ ... }" groups stay one field; every field is checked
 * before the entry is added.  Nothing here is fatal: callers decide.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "argv.h"
#include "master_ent.h"
#include "msg.h"
#include "mymalloc.h"
#include "stringops.h"
#include "vstring.h"

#define MASTER_CF_LIMIT (16 * 1024 * 1024)

const char *const master_ent_field_names[MASTER_FIELD_COUNT] = {
    "service", "type", "private", "unprivileged", "chroot", "wakeup", "process_limit", "command",
};

void master_ent_free(MASTER_ENT *list)
{
    MASTER_ENT *next;

    for (; list; list = next) {
        next = list->next;
        for (int i = 0; i < MASTER_FIELD_COUNT - 1; i++)
            myfree(list->field[i]);
        argv_free(list->args);
        myfree(list);
    }
}

/* master_ent_flag - y / n / - */
static int master_ent_flag(const char *text, int def, int *result)
{
    if (strcmp(text, "-") == 0)
        *result = def;
    else if (strcmp(text, "y") == 0)
        *result = 1;
    else if (strcmp(text, "n") == 0)
        *result = 0;
    else
        return 0;
    return 1;
}

/* master_ent_number - "-" or digits, bounded */
static int master_ent_number(const char *text, size_t len, int *result)
{
    long num = 0;

    if (len == 0)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] < '0' || text[i] > '9')
            return 0;
        num = num * 10 + (text[i] - '0');
        if (num > 1000000000L)
            return 0;
    }
    *result = (int)num;
    return 1;
}

/* master_ent_trim - strip blanks at both ends, in place */
static char *master_ent_trim(char *str)
{
    str += strspn(str, CHARS_SPACE);
    trimblanks(str);
    return str;
}

int master_ent_option(const char *arg, char **name, char **value)
{
    const char *eq = strchr(arg, '=');
    char *n;
    char *v;

    if (eq == 0)
        return 0;
    n = mystrndup(arg, (size_t)(eq - arg));
    v = mystrdup(eq + 1);
    *name = mystrdup(master_ent_trim(n));
    *value = mystrdup(master_ent_trim(v));
    myfree(n);
    myfree(v);
    if (**name == 0) {
        myfree(*name);
        myfree(*value);
        return 0;
    }
    return 1;
}

size_t master_ent_options_end(const MASTER_ENT *ent)
{
    size_t a = 1;

    while (a < ent->args->argc && ent->args->argv[a][0] == '-')
        a += strcmp(ent->args->argv[a], "-o") == 0 ? 2 : 1;
    return a < ent->args->argc ? a : ent->args->argc;
}

/* master_ent_arg - one command argument: strip a brace group */
static int master_ent_arg(const char *tok, int after_o, VSTRING *out)
{
    size_t len = strlen(tok);

    vstring_reset(out);
    if (tok[0] == '{') {
        if (len < 2 || tok[len - 1] != '}')
            return 0;
        vstring_strncpy(out, tok + 1, len - 2);
        {
            char *inner = master_ent_trim(vstring_str(out));

            memmove(vstring_str(out), inner, strlen(inner) + 1);
            vstring_set_len(out, strlen(vstring_str(out)));
        }
        if (after_o) {
            char *name;
            char *value;

            if (master_ent_option(vstring_str(out), &name, &value)) {
                vstring_sprintf(out, "%s=%s", name, value);
                myfree(name);
                myfree(value);
            }
        }
    } else {
        vstring_strcpy(out, tok);
    }
    return 1;
}

/* master_ent_line - parse one logical line into an entry */
static MASTER_ENT *master_ent_line(const char *line, int lineno, const char *origin, VSTRING *why)
{
    char *copy = mystrdup(line);
    char *bp = copy;
    char *tok;
    ARGV *toks = argv_alloc(10);
    MASTER_ENT *ent = 0;
    VSTRING *arg = 0;
    int ok = 0;
    const char *bad = 0;
    int bad_index = 0;

    while ((tok = mystrtokq(&bp, CHARS_SPACE, CHARS_BRACE)) != 0)
        argv_add(toks, tok);
    if (toks->argc < MASTER_FIELD_COUNT) {
        vstring_sprintf(why, "file %s: line %d: bad field count", origin, lineno);
        goto done;
    }
    ent = mycalloc(1, sizeof(*ent));
    ent->lineno = lineno;
    ent->args = argv_alloc(toks->argc - MASTER_FIELD_COUNT + 2);
    for (int i = 0; i < MASTER_FIELD_COUNT - 1; i++)
        ent->field[i] = mystrdup(toks->argv[i]);
    {
        const char *type = toks->argv[1];

        if (strcmp(type, "inet") != 0 && strcmp(type, "unix") != 0 &&
            strcmp(type, "unix-dgram") != 0 && strcmp(type, "fifo") != 0 &&
            strcmp(type, "pass") != 0)
            bad = "type", bad_index = 1;
    }
    if (!bad && !master_ent_flag(toks->argv[2], 1, &ent->private_flag))
        bad = "private", bad_index = 2;
    if (!bad && !master_ent_flag(toks->argv[3], 1, &ent->unpriv_flag))
        bad = "unprivileged", bad_index = 3;
    if (!bad && !master_ent_flag(toks->argv[4], 0, &ent->chroot_flag))
        bad = "chroot", bad_index = 4;
    if (!bad) {
        const char *w = toks->argv[5];
        size_t wl = strlen(w);

        if (strcmp(w, "-") == 0) {
            ent->wakeup_time = 0;
        } else {
            if (wl > 0 && w[wl - 1] == '?') {
                ent->wakeup_if_used = 1;
                wl--;
            }
            if (!master_ent_number(w, wl, &ent->wakeup_time))
                bad = "wakeup", bad_index = 5;
        }
    }
    if (!bad) {
        const char *m = toks->argv[6];

        if (strcmp(m, "-") == 0)
            ent->max_proc = -1;
        else if (!master_ent_number(m, strlen(m), &ent->max_proc))
            bad = "process_limit", bad_index = 6;
    }
    if (bad) {
        vstring_sprintf(why, "file %s: line %d: invalid %s field \"%s\" in \"%s\"", origin, lineno,
                        bad, toks->argv[bad_index], line);
        goto done;
    }
    arg = vstring_alloc(100);
    for (size_t i = MASTER_FIELD_COUNT - 1; i < toks->argc; i++) {
        int after_o = i > MASTER_FIELD_COUNT - 1 && strcmp(toks->argv[i - 1], "-o") == 0;

        if (!master_ent_arg(toks->argv[i], after_o, arg)) {
            vstring_sprintf(why, "file %s: line %d: missing '}' in \"%s\"", origin, lineno,
                            toks->argv[i]);
            goto done;
        }
        argv_add(ent->args, vstring_str(arg));
    }
    ok = 1;

done:
    if (arg)
        vstring_free(arg);
    argv_free(toks);
    myfree(copy);
    if (!ok && ent) {
        ent->next = 0;
        master_ent_free(ent);
        ent = 0;
    }
    return ent;
}

/* master_ent_flush - parse one collected logical line and append it */
static int master_ent_flush(VSTRING *line, int start, int last, const char *origin,
                            MASTER_ENT ***tail, VSTRING *why)
{
    MASTER_ENT *ent;

    if (memchr(vstring_str(line), 0, VSTRING_LEN(line)) != 0) {
        vstring_sprintf(why, "file %s: line %d: null byte in entry", origin, start);
        return -1;
    }
    if ((ent = master_ent_line(vstring_str(line), start, origin, why)) == 0)
        return -1;
    ent->last_lineno = last;
    **tail = ent;
    *tail = &ent->next;
    return 0;
}

int master_ent_parse(const char *text, size_t len, const char *origin, MASTER_ENT **list,
                     VSTRING *why)
{
    VSTRING *line = vstring_alloc(100);
    MASTER_ENT *head = 0;
    MASTER_ENT **tail = &head;
    const char *end = text + len;
    const char *bol;
    const char *eol;
    int lineno = 0;
    int start = 0; /* first line of the pending entry */
    int last = 0;  /* its last line so far */
    int ret = 0;

    vstring_reset(why);
    for (bol = text; bol < end; bol = eol + 1) {
        const char *cp;

        if ((eol = memchr(bol, '\n', (size_t)(end - bol))) == 0)
            eol = end;
        lineno++;
        for (cp = bol; cp < eol && (*cp == ' ' || *cp == '\t' || *cp == '\r'); cp++)
            /* void */;
        if (cp == eol || *cp == '#')
            continue;
        if (cp > bol) {
            if (start == 0) {
                vstring_sprintf(why, "file %s: line %d: entry must not start with white space",
                                origin, lineno);
                ret = -1;
                break;
            }
            vstring_addch(line, ' ');
            vstring_memcat(line, cp, (size_t)(eol - cp));
            last = lineno;
            continue;
        }
        if (start && (ret = master_ent_flush(line, start, last, origin, &tail, why)) < 0)
            break;
        vstring_reset(line);
        vstring_memcat(line, bol, (size_t)(eol - bol));
        start = last = lineno;
    }
    if (ret == 0 && start)
        ret = master_ent_flush(line, start, last, origin, &tail, why);
    vstring_free(line);
    if (ret < 0) {
        master_ent_free(head);
        head = 0;
    }
    *list = head;
    return ret;
}

int master_ent_read(const char *path, MASTER_ENT **list, VSTRING *why)
{
    VSTRING *buf;
    struct stat st;
    ssize_t got;
    int fd;
    int ret;

    *list = 0;
    vstring_reset(why);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return -1;
    if (fstat(fd, &st) < 0 || st.st_size > MASTER_CF_LIMIT) {
        int saved = errno;

        close(fd);
        if (st.st_size > MASTER_CF_LIMIT)
            vstring_sprintf(why, "file %s: too large", path);
        errno = saved;
        return -1;
    }
    buf = vstring_alloc((size_t)st.st_size + 1);
    for (;;) {
        char *space = vstring_space(buf, 65536);

        if ((got = read(fd, space, 65536)) < 0) {
            if (errno == EINTR)
                continue;
            vstring_sprintf(why, "read %s: %s", path, strerror(errno));
            close(fd);
            vstring_free(buf);
            return -1;
        }
        if (got == 0)
            break;
        vstring_set_len(buf, VSTRING_LEN(buf) + (size_t)got);
        if (VSTRING_LEN(buf) > MASTER_CF_LIMIT) {
            vstring_sprintf(why, "file %s: too large", path);
            close(fd);
            vstring_free(buf);
            return -1;
        }
    }
    close(fd);
    ret = master_ent_parse(vstring_str(buf), VSTRING_LEN(buf), path, list, why);
    vstring_free(buf);
    return ret;
}
