/*
 * mail_conf - main.cf reader and $name expansion (see mail_conf.h).
 *
 * Storage: one hash table, name -> entry (raw value, line number), in the
 * order names were first set.  Expanded values are cached per name; the
 * cache is dropped when a value changes, but old strings are kept (callers
 * may still hold them), so a pointer from mail_conf_eval() never dangles.
 *
 * Expansion is a recursive descent over the text with an explicit depth
 * bound and an output size bound; every syntax problem is reported, never
 * skipped silently.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "argv.h"
#include "checked.h"
#include "htable.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "stringops.h"
#include "vstring.h"

#define DEF_CONFIG_DIR "/etc/postfix"
#define MAIN_CF_LIMIT  (64 * 1024 * 1024) /* refuse absurd files */

typedef struct CONF_ENTRY {
    char *value;
    int lineno;
} CONF_ENTRY;

int mail_conf_flags;

static char *conf_dir;       /* -c or $MAIL_CONFIG */
static char *conf_file;      /* after mail_conf_read */
static HTABLE *conf_table;   /* name -> CONF_ENTRY */
static HTABLE *conf_cache;   /* name -> expanded value */
static HTABLE *conf_used;    /* names referenced by $name */
static ARGV *conf_graveyard; /* superseded cached values */

/* mail_conf_set_dir - remember -c */
void mail_conf_set_dir(const char *dir)
{
    if (conf_dir)
        myfree(conf_dir);
    conf_dir = mystrdup(dir);
}

/* mail_conf_dir - the directory in effect */
const char *mail_conf_dir(void)
{
    const char *env;

    if (conf_dir)
        return conf_dir;
    if ((env = getenv("MAIL_CONFIG")) != 0 && *env)
        return env;
    return DEF_CONFIG_DIR;
}

const char *mail_conf_file(void)
{
    return conf_file;
}

/* mail_conf_cache_flush - forget expanded values, keep the strings alive */
static void mail_conf_cache_flush(void)
{
    HTABLE_INFO **list;

    if (conf_cache == 0)
        return;
    if (conf_graveyard == 0)
        conf_graveyard = argv_alloc(10);
    list = htable_list(conf_cache);
    for (HTABLE_INFO **ht = list; *ht; ht++) {
        /* argv_add copies; keep the original pointer alive instead. */
        argv_add(conf_graveyard, "");
        myfree(conf_graveyard->argv[conf_graveyard->argc - 1]);
        conf_graveyard->argv[conf_graveyard->argc - 1] = (char *)(*ht)->value;
    }
    myfree(list);
    htable_free(conf_cache, 0);
    conf_cache = 0;
}

static void mail_conf_entry_free(void *ptr)
{
    CONF_ENTRY *e = ptr;

    myfree(e->value);
    myfree(e);
}

/* mail_conf_reset - forget everything; earlier results become invalid */
void mail_conf_reset(void)
{
    mail_conf_cache_flush();
    if (conf_graveyard) {
        argv_free(conf_graveyard);
        conf_graveyard = 0;
    }
    if (conf_table)
        htable_free(conf_table, mail_conf_entry_free);
    conf_table = 0;
    if (conf_used)
        htable_free(conf_used, 0);
    conf_used = 0;
    if (conf_file)
        myfree(conf_file);
    conf_file = 0;
}

/* mail_conf_store - set one raw value */
static void mail_conf_store(const char *name, const char *value, int lineno, const char *origin)
{
    CONF_ENTRY *e;

    if (conf_table == 0)
        conf_table = htable_create(100);
    if ((e = htable_find(conf_table, name)) != 0) {
        if (origin && e->lineno == 0)
            return; /* an override (-o) wins over the file */
        if (origin && e->lineno > 0)
            msg_warn("%s, line %d: overriding earlier entry: %s=%s", origin, lineno, name,
                     e->value);
        myfree(e->value);
    } else {
        e = mymalloc(sizeof(*e));
        htable_enter(conf_table, name, e);
    }
    e->value = mystrdup(value);
    e->lineno = lineno;
    mail_conf_cache_flush();
}

void mail_conf_update(const char *name, const char *value)
{
    mail_conf_store(name, value, 0, 0);
}

const char *mail_conf_lookup(const char *name)
{
    CONF_ENTRY *e;

    if (conf_table == 0 || (e = htable_find(conf_table, name)) == 0)
        return 0;
    return e->value;
}

int mail_conf_lineno(const char *name)
{
    CONF_ENTRY *e;

    if (conf_table == 0 || (e = htable_find(conf_table, name)) == 0)
        return 0;
    return e->lineno;
}

ARGV *mail_conf_names(void)
{
    ARGV *names = argv_alloc(conf_table ? conf_table->used + 1 : 1);

    if (conf_table)
        for (HTABLE_INFO *ht = conf_table->order_head; ht; ht = ht->order_next)
            argv_add(names, ht->key);
    return names;
}

int mail_conf_used(const char *name)
{
    return conf_used != 0 && htable_find(conf_used, name) != 0;
}

/* mail_conf_finish_line - store one logical line; -1 on syntax error */
static int mail_conf_finish_line(VSTRING *line, int lineno, const char *origin, VSTRING *why)
{
    char *buf = vstring_str(line);
    char *cp;
    char *name;
    char *value;
    size_t name_len;

    trimblanks(buf);
    cp = buf;
    if (*cp == 0)
        return 0;
    name = cp;
    name_len = strcspn(cp, " \t\r\n=");
    cp += name_len;
    cp += strspn(cp, " \t\r\n");
    if (*cp != '=' || name_len == 0) {
        vstring_sprintf(why, "%s, line %d: missing '=' after attribute name: \"%s\"", origin,
                        lineno, buf);
        return -1;
    }
    value = cp + 1;
    value += strspn(value, " \t\r\n");
    name[name_len] = 0;
    mail_conf_store(name, value, lineno, origin);
    return 0;
}

/* mail_conf_warn_leading - a logical line that starts with white space */
static void mail_conf_warn_leading(VSTRING *line, const char *origin)
{
    trimblanks(vstring_str(line));
    msg_warn("%s: logical line must not start with whitespace: \"%s\"", origin, vstring_str(line));
}

/* mail_conf_parse - parse main.cf text */
int mail_conf_parse(const char *text, size_t len, const char *origin, VSTRING *why)
{
    VSTRING *line = vstring_alloc(100);
    const char *end = text + len;
    const char *bol;
    const char *eol;
    int lineno = 0;
    int start = 0; /* line number of the logical line */
    int ret = 0;

    for (bol = text; bol < end; bol = eol + (eol < end)) {
        const char *cp;

        if ((eol = memchr(bol, '\n', (size_t)(end - bol))) == 0)
            eol = end;
        lineno++;
        for (cp = bol; cp < eol && (*cp == ' ' || *cp == '\t' || *cp == '\r'); cp++)
            /* void */;
        if (cp == eol || *cp == '#')
            continue;   /* blank or comment line */
        if (cp > bol) { /* continuation: keep its blanks */
            if (start == 0 && VSTRING_LEN(line) == 0)
                start = -1; /* text before any name: skipped */
            vstring_memcat(line, bol, (size_t)(eol - bol));
            continue;
        }
        if (start < 0)
            mail_conf_warn_leading(line, origin);
        else if (start && mail_conf_finish_line(line, start, origin, why) < 0) {
            ret = -1;
            break;
        }
        vstring_reset(line);
        vstring_memcat(line, bol, (size_t)(eol - bol));
        start = lineno;
    }
    if (ret == 0 && start < 0)
        mail_conf_warn_leading(line, origin);
    else if (ret == 0 && start && mail_conf_finish_line(line, start, origin, why) < 0)
        ret = -1;
    if (conf_file == 0)
        conf_file = mystrdup(origin);
    vstring_free(line);
    return ret;
}

/* mail_conf_forget_file - drop values that came from a file, keep overrides */
static void mail_conf_forget_file(void)
{
    ARGV *names;

    if (conf_table == 0)
        return;
    names = mail_conf_names();
    for (size_t i = 0; i < names->argc; i++)
        if (mail_conf_lineno(names->argv[i]) > 0)
            htable_delete(conf_table, names->argv[i], mail_conf_entry_free);
    argv_free(names);
    mail_conf_cache_flush();
}

/* mail_conf_read_file - read and parse one file; fatal on syntax errors */
int mail_conf_read_file(const char *path)
{
    VSTRING *buf;
    VSTRING *why;
    struct stat st;
    int fd;
    ssize_t got;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return -1;
    if (fstat(fd, &st) < 0) {
        int saved = errno;

        close(fd);
        errno = saved;
        return -1;
    }
    if (st.st_size > MAIN_CF_LIMIT)
        msg_fatal("%s: file too large (%lld bytes)", path, (long long)st.st_size);
    buf = vstring_alloc((size_t)st.st_size + 1);
    for (;;) {
        char *space = vstring_space(buf, 65536);

        if ((got = read(fd, space, 65536)) < 0) {
            if (errno == EINTR)
                continue;
            msg_fatal("read %s: %m", path);
        }
        if (got == 0)
            break;
        vstring_set_len(buf, VSTRING_LEN(buf) + (size_t)got);
        if (VSTRING_LEN(buf) > MAIN_CF_LIMIT)
            msg_fatal("%s: file too large", path);
    }
    close(fd);
    mail_conf_forget_file(); /* a second read replaces the first */
    why = vstring_alloc(100);
    if (mail_conf_parse(vstring_str(buf), VSTRING_LEN(buf), path, why) < 0)
        msg_fatal("%s", vstring_str(why));
    vstring_free(why);
    vstring_free(buf);
    if (conf_file)
        myfree(conf_file);
    conf_file = mystrdup(path);
    return 0;
}

/* mail_conf_same_dir - equal paths, ignoring trailing slashes */
static int mail_conf_same_dir(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);

    while (la > 1 && a[la - 1] == '/')
        la--;
    while (lb > 1 && b[lb - 1] == '/')
        lb--;
    return la == lb && strncmp(a, b, la) == 0;
}

/* mail_conf_dir_allowed - may this (unprivileged) caller use dir? */
int mail_conf_dir_allowed(const char *dir)
{
    static const char *const lists[] = {"alternate_config_directories",
                                        "multi_instance_directories", 0};
    int allowed = 0;

    if (mail_conf_same_dir(dir, DEF_CONFIG_DIR) || getuid() == 0)
        return 1;
    if (conf_table != 0)
        msg_panic("mail_conf_dir_allowed: call before mail_conf_read");
    if (mail_conf_read_file(DEF_CONFIG_DIR "/main.cf") < 0)
        return 0;
    for (int i = 0; lists[i] && !allowed; i++) {
        const char *value = mail_conf_eval_quiet(lists[i]);
        ARGV *argv;

        if (value == 0)
            continue;
        argv = argv_split_list(value);
        for (size_t j = 0; j < argv->argc && !allowed; j++)
            allowed = argv->argv[j][0] == '/' && mail_conf_same_dir(argv->argv[j], dir);
        argv_free(argv);
    }
    mail_conf_reset();
    return allowed;
}

/* mail_conf_read - read DIR/main.cf */
void mail_conf_read(void)
{
    VSTRING *path = vstring_alloc(100);
    const char *dir = mail_conf_dir();
    char *dir_copy = mystrdup(dir);

    vstring_sprintf(path, "%s/main.cf", dir_copy);
    if (mail_conf_read_file(vstring_str(path)) < 0)
        msg_fatal("open %s: %m", vstring_str(path));
    /* As Postfix: the directory in effect reads as set in main.cf. */
    mail_conf_update("config_directory", dir_copy);
    myfree(dir_copy);
    vstring_free(path);
}

/* Expansion. */

typedef struct EXPAND {
    VSTRING *out;
    VSTRING *why; /* first error */
    int error;
    int quiet; /* inside a default: no undef warnings */
} EXPAND;

static int mail_conf_expand_rec(EXPAND *ex, const char *text, size_t len, int depth);

static int mail_conf_fail(EXPAND *ex, const char *fmt, const char *arg, size_t len)
{
    if (!ex->error) {
        vstring_sprintf(ex->why, fmt, (int)(len > 200 ? 200 : len), arg);
        ex->error = 1;
    }
    return -1;
}

static int is_name_char(int ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_';
}

/* mail_conf_raw_value - raw text of a name: main.cf, override, or default */
static const char *mail_conf_raw_value(const char *name, const MAIL_PARAM **pp)
{
    const char *value;
    const MAIL_PARAM *p = mail_param_find(name);

    if (pp)
        *pp = p;
    if ((value = mail_conf_lookup(name)) != 0)
        return value;
    if (p)
        return mail_param_default(p);
    return 0;
}

/* mail_conf_mark_used - remember that $name was referenced */
static void mail_conf_mark_used(const char *name)
{
    if (conf_used == 0)
        conf_used = htable_create(100);
    (void)htable_enter(conf_used, name, (void *)1); /* a no-op when present */
}

/* mail_conf_value - expand the value of name into ex->out (or test it) */
static int mail_conf_value(EXPAND *ex, const char *name, size_t name_len, int depth, VSTRING *into)
{
    char *key = mystrndup(name, name_len);
    const MAIL_PARAM *p;
    const char *raw;
    const char *cached;
    int ret = 0;

    mail_conf_mark_used(key);
    if (depth >= MAIL_CONF_DEPTH_LIMIT) {
        mail_conf_fail(ex, "unreasonable macro call nesting: \"%.*s\"", key, name_len);
        myfree(key);
        return -1;
    }
    if ((raw = mail_conf_raw_value(key, &p)) == 0) {
        if ((mail_conf_flags & MAIL_CONF_FLAG_WARN_UNDEF) && !ex->quiet)
            msg_warn("%s: undefined parameter: %s", conf_file ? conf_file : "main.cf", key);
    } else if ((p && p->type == MAIL_PARAM_RAW) ||
               (strchr(raw, '$') == 0 && strlen(raw) <= MAIL_CONF_EXPAND_LIMIT)) {
        /* Raw, or text without '$' (and not too long): it expands to itself. */
        vstring_strcat(into, raw);
    } else if (conf_cache && (cached = htable_find(conf_cache, key)) != 0) {
        vstring_strcat(into, cached);
    } else {
        /*
         * Expand into a buffer of its own and remember the result: a name
         * has one value, and without the memo "${a?$a}" chains would take
         * time exponential in their length.
         */
        VSTRING *saved = ex->out;
        VSTRING *value = vstring_alloc(100);
        char *copy = mystrdup(raw);
        int is_default = mail_conf_lookup(key) == 0;

        vstring_set_limit(value, MAIL_CONF_EXPAND_LIMIT);
        ex->out = value;
        ex->quiet += is_default;
        ret = mail_conf_expand_rec(ex, copy, strlen(copy), depth + 1);
        ex->quiet -= is_default;
        ex->out = saved;
        myfree(copy);
        if (ret == 0 && !ex->error) {
            vstring_memcat(into, vstring_str(value), VSTRING_LEN(value));
            if (conf_cache == 0)
                conf_cache = htable_create(100);
            htable_enter(conf_cache, key, vstring_export(value));
        } else {
            vstring_free(value);
        }
    }
    myfree(key);
    return ret;
}

/* mail_conf_match - offset of the bracket that closes text[0], or -1 */
static long mail_conf_match(const char *text, size_t len)
{
    int open = text[0];
    int close = open == '{' ? '}' : ')';
    size_t level = 0;

    for (size_t i = 0; i < len; i++) {
        if (text[i] == open)
            level++;
        else if (text[i] == close && --level == 0)
            return (long)i;
    }
    return -1;
}

/* mail_conf_skip_ws - advance past blanks */
static size_t mail_conf_skip_ws(const char *text, size_t len, size_t i)
{
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
        i++;
    return i;
}

/* mail_conf_group - parse "{...}" at text[*ip]; inner bounds in *sp, *lp */
static int mail_conf_group(const char *text, size_t len, size_t *ip, size_t *sp, size_t *lp)
{
    long close;

    if (*ip >= len || text[*ip] != '{')
        return -1;
    if ((close = mail_conf_match(text + *ip, len - *ip)) < 0)
        return -1;
    *sp = *ip + 1;
    *lp = (size_t)close - 1;
    *ip += (size_t)close + 1;
    return 0;
}

/* mail_conf_level - compare compatibility levels "a[.b[.c]]" */
static int mail_conf_level(const char *a, const char *b, int *cmp)
{
    long va[3] = {0, 0, 0};
    long vb[3] = {0, 0, 0};
    const char *s[2] = {a, b};
    long *v[2] = {va, vb};

    for (int k = 0; k < 2; k++) {
        const char *cp = s[k];

        for (int part = 0; part < 3; part++) {
            if (*cp < '0' || *cp > '9')
                return -1;
            for (; *cp >= '0' && *cp <= '9'; cp++)
                if (__builtin_mul_overflow(v[k][part], 10L, &v[k][part]) ||
                    __builtin_add_overflow(v[k][part], *cp - '0', &v[k][part]))
                    return -1;
            if (*cp == 0)
                break;
            if (*cp != '.' || part == 2)
                return -1;
            cp++;
        }
    }
    *cmp = 0;
    for (int part = 0; part < 3 && *cmp == 0; part++)
        *cmp = va[part] < vb[part] ? -1 : va[part] > vb[part];
    return 0;
}

/* mail_conf_expr - ${{a} OP {b} ? {x} : {y}}, text is the part inside ${ } */
static int mail_conf_expr(EXPAND *ex, const char *text, size_t len, int depth)
{
    static const char *const ops[] = {"==level", "!=level", "<=level", ">=level", "<level",
                                      ">level",  "==",      "!=",      "<=",      ">=",
                                      "<",       ">",       0};
    size_t i = 0, s1, l1, s2, l2, sx, lx, sy = 0, ly = 0;
    int have_else = 0;
    const char *op = 0;
    VSTRING *left, *right;
    int truth = 0, cmp, ret;

    if (mail_conf_group(text, len, &i, &s1, &l1) < 0)
        return mail_conf_fail(ex, "bad expression syntax: \"%.*s\"", text, len);
    i = mail_conf_skip_ws(text, len, i);
    for (int k = 0; ops[k]; k++) {
        size_t ol = strlen(ops[k]);

        if (i + ol <= len && strncmp(text + i, ops[k], ol) == 0) {
            op = ops[k];
            i += ol;
            break;
        }
    }
    if (op == 0)
        return mail_conf_fail(ex,
                              "\"==\" or \"!=\" or \"<\" or \"<=\" or \">=\" or \">\" "
                              "expected in: \"%.*s\"",
                              text, len);
    i = mail_conf_skip_ws(text, len, i);
    if (mail_conf_group(text, len, &i, &s2, &l2) < 0)
        return mail_conf_fail(ex, "bad expression syntax: \"%.*s\"", text, len);
    i = mail_conf_skip_ws(text, len, i);
    if (i >= len || text[i] != '?')
        return mail_conf_fail(ex, "\"?\" expected in: \"%.*s\"", text, len);
    i = mail_conf_skip_ws(text, len, i + 1);
    if (mail_conf_group(text, len, &i, &sx, &lx) < 0)
        return mail_conf_fail(ex, "bad expression syntax: \"%.*s\"", text, len);
    i = mail_conf_skip_ws(text, len, i);
    if (i < len && text[i] == ':') {
        i = mail_conf_skip_ws(text, len, i + 1);
        if (mail_conf_group(text, len, &i, &sy, &ly) < 0)
            return mail_conf_fail(ex, "bad expression syntax: \"%.*s\"", text, len);
        have_else = 1;
        i = mail_conf_skip_ws(text, len, i);
    }
    if (i != len)
        return mail_conf_fail(ex, "unexpected input in: \"%.*s\"", text, len);

    left = vstring_alloc(32);
    right = vstring_alloc(32);
    vstring_set_limit(left, MAIL_CONF_EXPAND_LIMIT);
    vstring_set_limit(right, MAIL_CONF_EXPAND_LIMIT);
    {
        VSTRING *saved = ex->out;

        ex->out = left;
        ret = mail_conf_expand_rec(ex, text + s1, l1, depth + 1);
        ex->out = right;
        if (ret == 0)
            ret = mail_conf_expand_rec(ex, text + s2, l2, depth + 1);
        ex->out = saved;
    }
    if (ret == 0) {
        const char *a = vstring_str(left), *b = vstring_str(right);

        if (strstr(op, "level")) {
            if (mail_conf_level(a, b, &cmp) < 0) {
                ret = mail_conf_fail(ex, "bad compatibility level in: \"%.*s\"", text, len);
            }
        } else if (op[0] == '=' || op[0] == '!') {
            cmp = strcmp(a, b);
        } else if (alldig(a) && alldig(b) && strlen(a) < 19 && strlen(b) < 19) {
            long na = atol(a), nb = atol(b);

            cmp = na < nb ? -1 : na > nb;
        } else {
            cmp = strcmp(a, b);
        }
        if (ret == 0) {
            if (op[0] == '=')
                truth = cmp == 0;
            else if (op[0] == '!')
                truth = cmp != 0;
            else if (op[0] == '<')
                truth = op[1] == '=' ? cmp <= 0 : cmp < 0;
            else
                truth = op[1] == '=' ? cmp >= 0 : cmp > 0;
        }
    }
    vstring_free(left);
    vstring_free(right);
    if (ret < 0)
        return ret;
    if (truth)
        return mail_conf_expand_rec(ex, text + sx, lx, depth + 1);
    if (have_else)
        return mail_conf_expand_rec(ex, text + sy, ly, depth + 1);
    return 0;
}

/* mail_conf_macro - the inside of ${...} or $(...) */
static int mail_conf_macro(EXPAND *ex, const char *text, size_t len, int depth)
{
    size_t name_len = 0;
    VSTRING *test;
    int defined;
    int ret;
    int op;
    size_t i, sa, la, sb, lb;

    if (len > 0 && text[0] == '{')
        return mail_conf_expr(ex, text, len, depth);
    while (name_len < len && is_name_char((unsigned char)text[name_len]))
        name_len++;
    if (name_len == 0)
        return mail_conf_fail(ex, "attribute name syntax error at: \"%.*s\"", text, len);
    if (name_len == len)
        return mail_conf_value(ex, text, name_len, depth, ex->out);
    op = text[name_len];
    if (op != '?' && op != ':')
        return mail_conf_fail(ex, "attribute name syntax error at: \"%.*s\"", text, len);

    /* Is the named parameter non-empty? */
    test = vstring_alloc(32);
    vstring_set_limit(test, MAIL_CONF_EXPAND_LIMIT);
    ret = mail_conf_value(ex, text, name_len, depth, test);
    defined = VSTRING_LEN(test) > 0;
    vstring_free(test);
    if (ret < 0)
        return ret;

    /* The 3.0 form: ?{value} or ?{value}:{value}; else plain text. */
    i = mail_conf_skip_ws(text, len, name_len + 1);
    if (i < len && text[i] == '{' && mail_conf_group(text, len, &i, &sa, &la) == 0) {
        size_t j = mail_conf_skip_ws(text, len, i);

        if (j == len) {
            if ((op == '?') == defined)
                return mail_conf_expand_rec(ex, text + sa, la, depth + 1);
            return 0;
        }
        if (op == '?' && text[j] == ':') {
            j = mail_conf_skip_ws(text, len, j + 1);
            if (mail_conf_group(text, len, &j, &sb, &lb) == 0 &&
                mail_conf_skip_ws(text, len, j) == len)
                return mail_conf_expand_rec(ex, text + (defined ? sa : sb), defined ? la : lb,
                                            depth + 1);
        }
        return mail_conf_fail(ex, "unexpected input at: \"%.*s\"", text, len);
    }
    if ((op == '?') == defined)
        return mail_conf_expand_rec(ex, text + name_len + 1, len - name_len - 1, depth + 1);
    return 0;
}

/* mail_conf_expand_rec - expand text[0..len) into ex->out */
static int mail_conf_expand_rec(EXPAND *ex, const char *text, size_t len, int depth)
{
    size_t i = 0;

    if (depth >= MAIL_CONF_DEPTH_LIMIT * 2)
        return mail_conf_fail(ex, "unreasonable macro call nesting: \"%.*s\"", text, len);
    while (i < len) {
        const char *dollar = memchr(text + i, '$', len - i);
        size_t plain = dollar ? (size_t)(dollar - (text + i)) : len - i;

        vstring_memcat(ex->out, text + i, plain);
        i += plain;
        if (vstring_overflowed(ex->out))
            return mail_conf_fail(ex, "expansion result too long: \"%.*s\"", text, len);
        if (i >= len)
            break;
        i++; /* the $ */
        if (i < len && text[i] == '$') {
            vstring_addch(ex->out, '$');
            i++;
        } else if (i < len && (text[i] == '{' || text[i] == '(')) {
            long close = mail_conf_match(text + i, len - i);

            if (close < 0)
                return mail_conf_fail(ex, "truncated macro reference: \"%.*s\"", text + i - 1,
                                      len - i + 1);
            if (mail_conf_macro(ex, text + i + 1, (size_t)close - 1, depth) < 0)
                return -1;
            i += (size_t)close + 1;
        } else if (i < len && is_name_char((unsigned char)text[i])) {
            size_t start = i;

            while (i < len && is_name_char((unsigned char)text[i]))
                i++;
            if (mail_conf_value(ex, text + start, i - start, depth, ex->out) < 0)
                return -1;
        } else {
            return mail_conf_fail(ex, "empty macro name: \"%.*s\"", text, len);
        }
        if (vstring_overflowed(ex->out))
            return mail_conf_fail(ex, "expansion result too long: \"%.*s\"", text, len);
    }
    return 0;
}

/* mail_conf_expand_text - expansion that reports instead of exiting */
int mail_conf_expand_text(VSTRING *out, const char *text, VSTRING *why)
{
    EXPAND ex;
    size_t saved_limit = out->limit;
    int ret;

    ex.out = out;
    ex.why = why;
    ex.error = 0;
    ex.quiet = 0;
    vstring_reset(out);
    vstring_set_limit(out, MAIL_CONF_EXPAND_LIMIT);
    vstring_reset(why);
    ret = mail_conf_expand_rec(&ex, text, strlen(text), 0);
    vstring_set_limit(out, saved_limit);
    return ret < 0 || ex.error ? -1 : 0;
}

/* mail_conf_expand - expand arbitrary text; fatal on error */
const char *mail_conf_expand(const char *text)
{
    static VSTRING *buf;
    static VSTRING *why;

    if (buf == 0) {
        buf = vstring_alloc(100);
        why = vstring_alloc(100);
    }
    if (mail_conf_expand_text(buf, text, why) < 0) {
        msg_warn("%s", vstring_str(why));
        msg_fatal("macro processing error");
    }
    return vstring_str(buf);
}

/* mail_conf_eval_common - effective value; null and why set on error */
static const char *mail_conf_eval_common(const char *name, VSTRING *why)
{
    static int nesting;
    const MAIL_PARAM *p;
    const char *raw;
    char *value;
    VSTRING *buf;
    HTABLE_INFO *ht;
    int ret;

    if ((raw = mail_conf_raw_value(name, &p)) == 0)
        return 0;
    if (p && p->type == MAIL_PARAM_RAW)
        return raw;
    /* A literal registry default without '$' expands to itself, for ever. */
    if (p && raw == p->defval && strchr(raw, '$') == 0)
        return raw;
    if (conf_cache && (value = htable_find(conf_cache, name)) != 0)
        return value;
    /* Computed defaults evaluate other names; bound that recursion too. */
    if (nesting >= MAIL_CONF_DEPTH_LIMIT) {
        vstring_sprintf(why, "unreasonable macro call nesting: \"%s\"", name);
        return 0;
    }
    nesting++;
    buf = vstring_alloc(100);
    if (p && raw == p->defval) {
        ret = mail_conf_expand_text(buf, raw, why); /* a literal: nothing can change it */
    } else {
        /* A computed default's buffer may be rewritten by a nested call. */
        char *copy = mystrdup(raw);

        ret = mail_conf_expand_text(buf, copy, why);
        myfree(copy);
    }
    nesting--;
    if (ret < 0) {
        vstring_free(buf);
        return 0;
    }
    value = vstring_export(buf);
    if (conf_cache == 0)
        conf_cache = htable_create(100);
    if ((ht = htable_enter(conf_cache, name, value))->value != value) {
        /* Filled in by a nested call meanwhile; keep the first. */
        myfree(value);
        return ht->value;
    }
    return value;
}

/* mail_conf_eval - effective, expanded value of a name; fatal on error */
const char *mail_conf_eval(const char *name)
{
    static VSTRING *outer_why; /* reused by the outermost call */
    static int busy;
    VSTRING *why;
    const char *value;

    if (busy)
        why = vstring_alloc(100);
    else if ((why = outer_why) == 0)
        why = outer_why = vstring_alloc(100);
    vstring_reset(why);
    busy++;
    value = mail_conf_eval_common(name, why);
    busy--;
    if (value == 0 && VSTRING_LEN(why) > 0) {
        msg_warn("%s", vstring_str(why));
        msg_fatal("macro processing error");
    }
    if (why != outer_why)
        vstring_free(why);
    return value;
}

/* mail_conf_eval_quiet - the same, null on any error */
const char *mail_conf_eval_quiet(const char *name)
{
    VSTRING *why = vstring_alloc(100);
    const char *value = mail_conf_eval_common(name, why);

    vstring_free(why);
    return value;
}
