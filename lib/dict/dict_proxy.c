/*
 * dict_proxy - the proxy:type:name table client; the interface and the
 * protocol are in dict_proxy.h, the server is proxymap/proxymap.c.
 *
 * Each table keeps its own connection (tables are few per process and a
 * connection is cheap on a UNIX socket).  Every request names the table and
 * the flags, so a fresh connection needs no "open" again: after a broken
 * connection the request is simply sent once more on a new one.
 *
 * Layering: this module lives with the other table types but needs the
 * configuration (queue_directory, service names, ipc_timeout) from
 * lib/global; it reads them through mail_conf_eval() and var_ipc_timeout,
 * which every Postern program has bound before it opens a table.
 *
 * What can go wrong: the service is down (DICT_ERR_RETRY, the caller
 * defers), the table is not approved or cannot be opened by the server
 * (DICT_ERR_CONFIG, with Postfix's wording), a malformed reply (logged,
 * connection closed, DICT_ERR_RETRY).
 */
#include "dict_proxy.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "attr.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "msg.h"
#include "mymalloc.h"
#include "sock.h"
#include "vstring.h"

typedef struct DICT_PROXY {
    DICT dict;
    char *service;   /* proxymap or proxywrite */
    VSTREAM *stream; /* null while disconnected */
    int reconnect;   /* 0: a test stream, never reconnect */
    VSTRING *result; /* last lookup value */
    VSTRING *why;    /* last transport error */
} DICT_PROXY;

#define DICT_PROXY_DEF_TIMEOUT 3600

static int dict_proxy_timeout_ms(void)
{
    int seconds = var_ipc_timeout > 0 ? var_ipc_timeout : DICT_PROXY_DEF_TIMEOUT;

    return seconds > 2000000 ? 2000000000 : seconds * 1000;
}

static const char *dict_proxy_conf(const char *name, const char *def)
{
    const char *value = mail_conf_eval(name);

    return value && *value ? value : def;
}

static void dict_proxy_disconnect(DICT_PROXY *dp)
{
    if (dp->stream) {
        (void)vstream_fclose(dp->stream);
        dp->stream = 0;
    }
}

static int dict_proxy_connect(DICT_PROXY *dp)
{
    VSTRING *path = vstring_alloc(100);
    const char *qdir = dict_proxy_conf("queue_directory", "");
    int timeout_ms = dict_proxy_timeout_ms();
    int fd;

    /* Daemons sit in (or are chrooted to) queue_directory; postmap does not. */
    vstring_sprintf(path, "%s/%s/%s", qdir, MAIL_CLASS_PRIVATE, dp->service);
    if (*qdir != '/' || access(vstring_str(path), F_OK) < 0)
        vstring_sprintf(path, "%s/%s", MAIL_CLASS_PRIVATE, dp->service);
    if ((fd = unix_connect(vstring_str(path), 1, timeout_ms)) < 0) {
        vstring_sprintf(dp->why, "connect to %s/%s service: %s", MAIL_CLASS_PRIVATE, dp->service,
                        strerror(errno));
        vstring_free(path);
        return -1;
    }
    dp->stream = vstream_fdopen(fd, VSTREAM_RDWR | VSTREAM_NONBLOCK);
    vstream_set_timeouts(dp->stream, timeout_ms, timeout_ms);
    vstream_set_path(dp->stream, vstring_str(path));
    vstring_free(path);
    if (attr_scan_hello(dp->stream, MAIL_PROTO_PROXYMAP) < 0) {
        vstring_sprintf(dp->why, "%s/%s service: no valid protocol hello", MAIL_CLASS_PRIVATE,
                        dp->service);
        dict_proxy_disconnect(dp);
        return -1;
    }
    return 0;
}

/* dict_proxy_send - one request and its reply; 0, or -1 (dp->why says why) */

static int dict_proxy_send(DICT_PROXY *dp, const char *req, const char *key, const char *value,
                           int *status, int *flags)
{
    int rqst_flags = dp->dict.flags & DICT_FLAG_PROXY_RQST_MASK;
    int want;
    int got;

    for (int attempt = 0; attempt < 2; attempt++) {
        if (dp->stream == 0 && (!dp->reconnect || dict_proxy_connect(dp) < 0))
            return -1;
        if (strcmp(req, PROXY_REQ_OPEN) == 0)
            attr_print(dp->stream, ATTR_FLAG_NONE, SEND_ATTR_STR(MAIL_ATTR_REQ, req),
                       SEND_ATTR_STR(PROXY_ATTR_TABLE, dp->dict.name),
                       SEND_ATTR_INT(PROXY_ATTR_FLAGS, rqst_flags), ATTR_TYPE_END);
        else if (strcmp(req, PROXY_REQ_UPDATE) == 0)
            attr_print(dp->stream, ATTR_FLAG_NONE, SEND_ATTR_STR(MAIL_ATTR_REQ, req),
                       SEND_ATTR_STR(PROXY_ATTR_TABLE, dp->dict.name),
                       SEND_ATTR_INT(PROXY_ATTR_FLAGS, rqst_flags),
                       SEND_ATTR_STR(PROXY_ATTR_KEY, key), SEND_ATTR_STR(PROXY_ATTR_VALUE, value),
                       ATTR_TYPE_END);
        else
            attr_print(dp->stream, ATTR_FLAG_NONE, SEND_ATTR_STR(MAIL_ATTR_REQ, req),
                       SEND_ATTR_STR(PROXY_ATTR_TABLE, dp->dict.name),
                       SEND_ATTR_INT(PROXY_ATTR_FLAGS, rqst_flags),
                       SEND_ATTR_STR(PROXY_ATTR_KEY, key), ATTR_TYPE_END);
        if (vstream_fflush(dp->stream) != 0) {
            vstring_sprintf(dp->why, "%s: write %s request: %s", vstream_path(dp->stream), req,
                            strerror(errno));
            dict_proxy_disconnect(dp);
            continue;
        }
        if (strcmp(req, PROXY_REQ_OPEN) == 0) {
            want = 2;
            got = attr_scan(dp->stream, ATTR_FLAG_STRICT, RECV_ATTR_INT(MAIL_ATTR_STATUS, status),
                            RECV_ATTR_INT(PROXY_ATTR_FLAGS, flags), ATTR_TYPE_END);
        } else if (strcmp(req, PROXY_REQ_LOOKUP) == 0) {
            want = 2;
            got = attr_scan(dp->stream, ATTR_FLAG_STRICT, RECV_ATTR_INT(MAIL_ATTR_STATUS, status),
                            RECV_ATTR_STR(PROXY_ATTR_VALUE, dp->result), ATTR_TYPE_END);
        } else {
            want = 1;
            got = attr_scan(dp->stream, ATTR_FLAG_STRICT, RECV_ATTR_INT(MAIL_ATTR_STATUS, status),
                            ATTR_TYPE_END);
        }
        if (got == want)
            return 0;
        vstring_sprintf(dp->why, "%s: %s request: %s", vstream_path(dp->stream), req,
                        got < 0 ? "connection lost or malformed reply" : "incomplete reply");
        dict_proxy_disconnect(dp);
        /* A server that went away (max_idle) shows up as EOF: try once more. */
    }
    return -1;
}

/* dict_proxy_status - map a non-OK status to a dict failure or NOTFOUND */

static int dict_proxy_status(DICT_PROXY *dp, const char *req, int status)
{
    switch (status) {
    case PROXY_STAT_NOKEY:
        return DICT_STAT_NOTFOUND;
    case PROXY_STAT_RETRY:
        return dict_fail(&dp->dict, DICT_ERR_RETRY, "%s service: table %s: %s: temporary error",
                         dp->service, dp->dict.name, req);
    case PROXY_STAT_DENY:
        return dict_fail(&dp->dict, DICT_ERR_CONFIG,
                         "%s service is not configured for table \"%s\"", dp->service,
                         dp->dict.name);
    case PROXY_STAT_BAD:
        return dict_fail(&dp->dict, DICT_ERR_CONFIG, "%s service: table %s: %s: malformed request",
                         dp->service, dp->dict.name, req);
    case PROXY_STAT_CONFIG:
        return dict_fail(&dp->dict, DICT_ERR_CONFIG,
                         "%s service: table %s: configuration error (see the %s log)", dp->service,
                         dp->dict.name, dp->service);
    default:
        return dict_fail(&dp->dict, DICT_ERR_RETRY, "%s service: table %s: %s: unknown status %d",
                         dp->service, dp->dict.name, req, status);
    }
}

static int dict_proxy_lookup(DICT *dict, const char *key, const char **value)
{
    DICT_PROXY *dp = (DICT_PROXY *)dict;
    int status;
    int flags;

    if (dict_proxy_send(dp, PROXY_REQ_LOOKUP, key, 0, &status, &flags) < 0)
        return dict_fail(dict, DICT_ERR_RETRY, "%s", vstring_str(dp->why));
    if (status == PROXY_STAT_OK) {
        *value = vstring_str(dp->result);
        return DICT_STAT_FOUND;
    }
    return dict_proxy_status(dp, PROXY_REQ_LOOKUP, status);
}

static int dict_proxy_update(DICT *dict, const char *key, const char *value)
{
    DICT_PROXY *dp = (DICT_PROXY *)dict;
    int status;
    int flags;

    if (dict_proxy_send(dp, PROXY_REQ_UPDATE, key, value, &status, &flags) < 0)
        return dict_fail(dict, DICT_ERR_RETRY, "%s", vstring_str(dp->why));
    if (status == PROXY_STAT_OK)
        return DICT_STAT_FOUND;
    return dict_proxy_status(dp, PROXY_REQ_UPDATE, status);
}

static int dict_proxy_delete(DICT *dict, const char *key)
{
    DICT_PROXY *dp = (DICT_PROXY *)dict;
    int status;
    int flags;

    if (dict_proxy_send(dp, PROXY_REQ_DELETE, key, 0, &status, &flags) < 0)
        return dict_fail(dict, DICT_ERR_RETRY, "%s", vstring_str(dp->why));
    if (status == PROXY_STAT_OK)
        return DICT_STAT_FOUND;
    return dict_proxy_status(dp, PROXY_REQ_DELETE, status);
}

static void dict_proxy_close(DICT *dict)
{
    DICT_PROXY *dp = (DICT_PROXY *)dict;

    dict_proxy_disconnect(dp);
    myfree(dp->service);
    vstring_free(dp->result);
    vstring_free(dp->why);
    dict_free(dict);
}

static DICT *dict_proxy_create(VSTREAM *stream, const char *name, int open_flags, int dict_flags)
{
    DICT_PROXY *dp;
    const char *service;
    int status;
    int flags = 0;
    DICT *surrogate;

    if (strncmp(name, DICT_TYPE_PROXY ":", sizeof(DICT_TYPE_PROXY)) == 0)
        return dict_surrogate(DICT_TYPE_PROXY, name, open_flags, dict_flags, DICT_ERR_CONFIG,
                              "table %s:%s: a proxy table cannot name another proxy table",
                              DICT_TYPE_PROXY, name);
    if (strchr(name, ':') == 0)
        return dict_surrogate(DICT_TYPE_PROXY, name, open_flags, dict_flags, DICT_ERR_CONFIG,
                              "open dictionary: expecting \"type:name\" form instead of \"%s\"",
                              name);
    if ((open_flags & O_ACCMODE) == O_RDONLY)
        service = stream ? MAIL_SERVICE_PROXYMAP
                         : dict_proxy_conf("proxymap_service_name", MAIL_SERVICE_PROXYMAP);
    else
        service = stream ? MAIL_SERVICE_PROXYWRITE
                         : dict_proxy_conf("proxywrite_service_name", MAIL_SERVICE_PROXYWRITE);

    dp = (DICT_PROXY *)dict_alloc(DICT_TYPE_PROXY, name, sizeof(*dp));
    dp->dict.open_flags = open_flags;
    dp->dict.flags = dict_flags;
    dp->dict.lookup = dict_proxy_lookup;
    dp->dict.update = dict_proxy_update;
    dp->dict.delete = dict_proxy_delete;
    dp->dict.close = dict_proxy_close;
    dp->service = mystrdup(service);
    dp->stream = stream;
    dp->reconnect = stream == 0;
    dp->result = vstring_alloc(100);
    dp->why = vstring_alloc(100);

    if (stream && attr_scan_hello(stream, MAIL_PROTO_PROXYMAP) < 0) {
        vstring_sprintf(dp->why, "%s: no valid protocol hello", vstream_path(stream));
        dict_proxy_disconnect(dp);
    }
    if (dict_proxy_send(dp, PROXY_REQ_OPEN, 0, 0, &status, &flags) < 0) {
        /* Not fatal: the service may come up later; lookups say RETRY. */
        msg_warn("%s:%s: %s", DICT_TYPE_PROXY, name, vstring_str(dp->why));
        return &dp->dict;
    }
    if (status == PROXY_STAT_OK) {
        dp->dict.flags |= flags & DICT_FLAG_PROXY_INHERIT_MASK;
        return &dp->dict;
    }
    (void)dict_proxy_status(dp, PROXY_REQ_OPEN, status);
    surrogate = dict_surrogate(DICT_TYPE_PROXY, name, open_flags, dict_flags, dp->dict.error, "%s",
                               dict_errtext(&dp->dict));
    dict_proxy_close(&dp->dict);
    return surrogate;
}

DICT *dict_proxy_open(const char *name, int open_flags, int dict_flags)
{
    return dict_proxy_create(0, name, open_flags, dict_flags);
}

DICT *dict_proxy_open_stream(VSTREAM *stream, const char *name, int open_flags, int dict_flags)
{
    return dict_proxy_create(stream, name, open_flags, dict_flags);
}
