/*
 * master_serv - from master.cf entries to running services, and the
 * difference between two configurations on reload; see master.h.
 *
 * Endpoints (paths are relative: master runs in queue_directory):
 *   unix, pass, fifo, unix-dgram   private/NAME, or public/NAME when the
 *                                  private column says n
 *   inet   NAME is [host:]port; without a host (or host "*") master listens
 *          on every address of inet_interfaces ("all": the wildcard of each
 *          protocol of inet_protocols; "loopback-only": 127.0.0.1 and/or
 *          [::1]); the child gets -s N for N endpoints
 * A service whose daemon program does not exist or is not executable is
 * left out, with one warning per load ("service X: daemon program P does
 * not exist or is not executable"): no endpoint is created, so clients fail
 * fast instead of waiting for a process that can never start.  The next
 * reload looks again.  master_service_disable ("type" or "name.type"
 * entries) leaves services out the same way, silently.
 *
 * Reload: services are matched by "name/type".  A service whose endpoint
 * list is unchanged keeps its open descriptors (no connection is refused
 * during a reload); every service gets a new generation, because main.cf
 * may have changed: its idle children exit, busy ones finish their client
 * first.  Removed services' children get SIGTERM (as Postfix does).
 *
 * What can go wrong: master.cf syntax errors (reported with file and line,
 * the old configuration stays); an endpoint that cannot be created (fatal
 * at start-up, a warning at reload).
 */
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <strings.h>
#include <unistd.h>

#include "argv.h"
#include "htable.h"
#include "iostuff.h"
#include "mail_params.h"
#include "master.h"
#include "master_ent.h"
#include "msg.h"
#include "mymalloc.h"
#include "sock.h"
#include "stringops.h"
#include "vstring.h"

MASTER_SERV *master_services;
int master_verbose_children;

void master_serv_free(MASTER_SERV *serv)
{
    myfree(serv->name);
    myfree(serv->type);
    myfree(serv->key);
    myfree(serv->path);
    argv_free(serv->args);
    argv_free(serv->endpoints);
    myfree(serv->listen_fd);
    myfree(serv);
}

/* Is name.type listed in master_service_disable? */
static int master_serv_disabled(const char *name, const char *type)
{
    char *list = mystrdup(var_master_service_disable);
    char *bp = list;
    char *item;
    int hit = 0;

    while (!hit && (item = mystrtok(&bp, CHARS_COMMA_SP)) != 0) {
        char *dot = strrchr(item, '.');

        if (dot == 0)
            hit = strcasecmp(item, type) == 0;
        else
            hit = strcasecmp(dot + 1, type) == 0 && (size_t)(dot - item) == strlen(name) &&
                  strncmp(item, name, (size_t)(dot - item)) == 0;
    }
    myfree(list);
    return hit;
}

static void master_serv_protocols(int *v4, int *v6)
{
    char *list = mystrdup(var_inet_protocols);
    char *bp = list;
    char *item;

    *v4 = *v6 = 0;
    while ((item = mystrtok(&bp, CHARS_COMMA_SP)) != 0) {
        if (strcasecmp(item, "all") == 0)
            *v4 = *v6 = 1;
        else if (strcasecmp(item, "ipv4") == 0)
            *v4 = 1;
        else if (strcasecmp(item, "ipv6") == 0)
            *v6 = 1;
        else
            msg_warn("inet_protocols: unknown protocol \"%s\" ignored", item);
    }
    myfree(list);
    if (*v4 == 0 && *v6 == 0)
        *v4 = 1;
}

/* Add "host:port" for one address, bracketing IPv6 literals. */
static void master_serv_add_inet(ARGV *eps, const char *host, const char *port)
{
    VSTRING *buf = vstring_alloc(60);

    if (strchr(host, ':') && host[0] != '[')
        vstring_sprintf(buf, "[%s]:%s", host, port);
    else
        vstring_sprintf(buf, "%s:%s", host, port);
    argv_add(eps, vstring_str(buf));
    vstring_free(buf);
}

static ARGV *master_serv_inet_endpoints(const char *name)
{
    ARGV *eps = argv_alloc(2);
    char *copy = mystrdup(name);
    char *colon = strrchr(copy, ':');
    const char *port = copy;
    char *host = 0;
    int v4, v6;

    if (colon) {
        *colon = 0;
        host = copy;
        port = colon + 1;
        if (host[0] == '[') {
            size_t len = strlen(host);

            if (len > 1 && host[len - 1] == ']') {
                host[len - 1] = 0;
                host++;
            }
        }
    }
    master_serv_protocols(&v4, &v6);
    if (host && *host && strcmp(host, "*") != 0) {
        master_serv_add_inet(eps, host, port);
    } else {
        char *list = mystrdup(var_inet_interfaces);
        char *bp = list;
        char *item;

        while ((item = mystrtok(&bp, CHARS_COMMA_SP)) != 0) {
            if (strcasecmp(item, "all") == 0) {
                if (v4)
                    master_serv_add_inet(eps, "0.0.0.0", port);
                if (v6)
                    master_serv_add_inet(eps, "::", port);
            } else if (strcasecmp(item, "loopback-only") == 0) {
                if (v4)
                    master_serv_add_inet(eps, "127.0.0.1", port);
                if (v6)
                    master_serv_add_inet(eps, "::1", port);
            } else {
                if (item[0] == '[') {
                    size_t len = strlen(item);

                    if (len > 1 && item[len - 1] == ']') {
                        item[len - 1] = 0;
                        item++;
                    }
                }
                if (strchr(item, ':') ? v6 : v4)
                    master_serv_add_inet(eps, item, port);
            }
        }
        myfree(list);
    }
    myfree(copy);
    return eps;
}

/* One master.cf entry to a service; null when it is left out. */
static MASTER_SERV *master_serv_from_ent(const MASTER_ENT *ent, const char *config_dir)
{
    MASTER_SERV *serv;
    const char *name = MASTER_ENT_SERVICE(ent);
    const char *type = MASTER_ENT_TYPE(ent);
    const char *cmd = ent->args->argv[0];
    const char *base;
    VSTRING *buf = vstring_alloc(100);

    if (master_serv_disabled(name, type)) {
        if (msg_verbose)
            msg_info("service %s/%s disabled by master_service_disable", name, type);
        vstring_free(buf);
        return 0;
    }
    if (cmd[0] == '/')
        vstring_strcpy(buf, cmd);
    else
        vstring_sprintf(buf, "%s/%s", var_daemon_directory, cmd);
    if (access(vstring_str(buf), X_OK) < 0) {
        msg_warn("service %s: daemon program %s does not exist or is not executable", name,
                 vstring_str(buf));
        vstring_free(buf);
        return 0;
    }
    serv = mycalloc(1, sizeof(*serv));
    serv->name = mystrdup(name);
    serv->type = mystrdup(type);
    serv->path = mystrdup(vstring_str(buf));
    vstring_sprintf(buf, "%s/%s", name, type);
    serv->key = mystrdup(vstring_str(buf));
    serv->max_proc = ent->max_proc < 0 ? var_default_process_limit : ent->max_proc;
    serv->wakeup_time = ent->wakeup_time;
    serv->wakeup_if_used = ent->wakeup_if_used;
    serv->status_fd[0] = serv->status_fd[1] = -1;

    if (strcmp(type, "inet") == 0) {
        serv->endpoints = master_serv_inet_endpoints(name);
    } else {
        serv->endpoints = argv_alloc(1);
        vstring_sprintf(buf, "%s/%s", ent->private_flag ? "private" : "public", name);
        argv_add(serv->endpoints, vstring_str(buf));
    }
    serv->listen_fd = mymalloc_array(serv->endpoints->argc + 1, sizeof(int));
    for (size_t i = 0; i <= serv->endpoints->argc; i++)
        serv->listen_fd[i] = -1;

    /* The child's command line. */
    base = strrchr(cmd, '/') ? strrchr(cmd, '/') + 1 : cmd;
    serv->args = argv_alloc(16);
    argv_add(serv->args, base);
    if (strcmp(config_dir, MASTER_DEF_CONFIG_DIR) != 0) {
        argv_add(serv->args, "-c");
        argv_add(serv->args, config_dir);
    }
    argv_add(serv->args, "-n");
    argv_add(serv->args, name);
    argv_add(serv->args, "-t");
    argv_add(serv->args, type);
    if (ent->unpriv_flag)
        argv_add(serv->args, "-u");
    if (ent->chroot_flag)
        argv_add(serv->args, "-r");
    if (serv->max_proc == 1)
        argv_add(serv->args, "-l");
    if (serv->endpoints->argc > 1) {
        vstring_sprintf(buf, "%zu", serv->endpoints->argc);
        argv_add(serv->args, "-s");
        argv_add(serv->args, vstring_str(buf));
    }
    for (int i = 0; i < master_verbose_children; i++)
        argv_add(serv->args, "-v");
    for (size_t i = 1; i < ent->args->argc; i++)
        argv_add(serv->args, ent->args->argv[i]);
    vstring_free(buf);
    return serv;
}

MASTER_SERV *master_serv_load(const char *config_dir, VSTRING *why)
{
    VSTRING *path = vstring_alloc(100);
    MASTER_ENT *ents = 0;
    MASTER_SERV *head = 0;
    MASTER_SERV **tail = &head;
    HTABLE *seen = htable_create(50);

    vstring_sprintf(path, "%s/master.cf", config_dir);
    if (master_ent_read(vstring_str(path), &ents, why) < 0) {
        if (VSTRING_LEN(why) == 0)
            vstring_sprintf(why, "open %s: %m", vstring_str(path));
        vstring_free(path);
        htable_free(seen, 0);
        return 0;
    }
    for (MASTER_ENT *e = ents; e; e = e->next) {
        MASTER_SERV *serv = master_serv_from_ent(e, config_dir);

        if (serv == 0)
            continue;
        if (htable_find(seen, serv->key)) {
            msg_warn("%s: line %d: duplicate service %s ignored", vstring_str(path), e->lineno,
                     serv->key);
            master_serv_free(serv);
            continue;
        }
        htable_enter(seen, serv->key, serv);
        *tail = serv;
        tail = &serv->next;
    }
    master_ent_free(ents);
    htable_free(seen, 0);
    vstring_free(path);
    return head;
}

/*
 * Open one endpoint; -1 with errno.  The backlog is the kernel's maximum:
 * when hundreds of clients connect at once, the queue holds them until a
 * daemon is free instead of refusing them (the kernel caps it at
 * net.core.somaxconn).
 */
static int master_serv_listen(MASTER_SERV *serv, const char *ep)
{
    if (strcmp(serv->type, "inet") == 0)
        return inet_listen(ep, SOMAXCONN, NON_BLOCKING);
    if (strcmp(serv->type, "fifo") == 0)
        return fifo_listen(ep, 0622, NON_BLOCKING);
    if (strcmp(serv->type, "unix-dgram") == 0)
        return unix_dgram_listen(ep, NON_BLOCKING);
    return unix_listen(ep, SOMAXCONN, NON_BLOCKING);
}

static int master_serv_same_endpoints(const MASTER_SERV *a, const MASTER_SERV *b)
{
    if (a->endpoints->argc != b->endpoints->argc)
        return 0;
    for (size_t i = 0; i < a->endpoints->argc; i++)
        if (strcmp(a->endpoints->argv[i], b->endpoints->argv[i]) != 0)
            return 0;
    return 1;
}

static int master_serv_is_path(const MASTER_SERV *serv)
{
    return strcmp(serv->type, "inet") != 0;
}

void master_serv_apply(MASTER_SERV *list, int startup)
{
    HTABLE *old = htable_create(50);
    HTABLE *new_paths = htable_create(50);
    MASTER_SERV *s;
    MASTER_SERV *o;
    MASTER_SERV *next;
    MASTER_SERV **link;

    for (o = master_services; o; o = o->next)
        htable_enter(old, o->key, o);
    for (s = list; s; s = s->next)
        if (master_serv_is_path(s))
            htable_enter(new_paths, s->endpoints->argv[0], s);

    /* Stop the old generation; take over unchanged endpoints. */
    for (o = master_services; o; o = o->next) {
        MASTER_SERV *n = 0;

        for (s = list; s; s = s->next)
            if (strcmp(s->key, o->key) == 0) {
                n = s;
                break;
            }
        master_spawn_stop(o, n == 0);
        if (n && master_serv_same_endpoints(o, n)) {
            for (size_t i = 0; i < o->endpoints->argc; i++) {
                n->listen_fd[i] = o->listen_fd[i];
                o->listen_fd[i] = -1;
            }
        }
        for (size_t i = 0; i < o->endpoints->argc; i++) {
            if (o->listen_fd[i] < 0)
                continue;
            close(o->listen_fd[i]);
            o->listen_fd[i] = -1;
            if (master_serv_is_path(o) && htable_find(new_paths, o->endpoints->argv[i]) == 0)
                (void)unlink(o->endpoints->argv[i]);
        }
        if (n == 0 && msg_verbose)
            msg_info("service %s removed", o->key);
    }

    /* Open what is new, then start every service. */
    for (link = &list; (s = *link) != 0; link = &s->next) {
        for (size_t i = 0; i < s->endpoints->argc; i++) {
            if (s->listen_fd[i] >= 0)
                continue;
            if ((s->listen_fd[i] = master_serv_listen(s, s->endpoints->argv[i])) < 0) {
                if (startup)
                    msg_fatal("service %s: listen on %s: %m", s->key, s->endpoints->argv[i]);
                msg_warn("service %s: listen on %s: %m; service not started", s->key,
                         s->endpoints->argv[i]);
                break;
            }
        }
    }
    for (link = &list; (s = *link) != 0;) {
        int ok = 1;

        for (size_t i = 0; i < s->endpoints->argc; i++)
            if (s->listen_fd[i] < 0)
                ok = 0;
        if (!ok) {
            for (size_t i = 0; i < s->endpoints->argc; i++)
                if (s->listen_fd[i] >= 0)
                    close(s->listen_fd[i]);
            *link = s->next;
            master_serv_free(s);
            continue;
        }
        master_spawn_start(s);
        link = &s->next;
    }

    for (o = master_services; o; o = next) {
        next = o->next;
        master_serv_free(o);
    }
    master_services = list;
    htable_free(old, 0);
    htable_free(new_paths, 0);
}
