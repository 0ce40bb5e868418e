/*
 * flush_clnt - talk to the fast flush service; see flush_clnt.h for the
 * interface and lib/global/PROTOCOLS.md "flush" for the bytes.
 *
 * One request per connection to public/$flush_service_name: read the hello
 * ("flush/1"), send {request, site | queue_id}, read {status}.  A broken
 * conversation (no service, a wrong hello, a malformed reply) is
 * FLUSH_STAT_FAIL, logged once per call as a warning.
 *
 * fast_flush_domains is matched here before any connection, so the delivery
 * path (one flush_add() per deferred recipient) costs nothing when the list
 * is empty or the domain is not in it.  The list is compiled once per
 * process: daemons restart on "postfix reload", commands are short-lived.
 *
 * Domain list semantics (Postfix's domain lists): entries are separated by
 * commas or white space; the first entry that matches decides; "!entry"
 * turns a match into "no match" (and ends the search); "name" matches the
 * site exactly (case-insensitively) and, when the list is named in
 * parent_domain_matches_subdomains (fast_flush_domains is, by default), any
 * subdomain of it; ".name" matches subdomains; "type:table" is looked up
 * with the site, then with each parent domain ("example.com", or
 * ".example.com" without parent matching) unless it is a pattern table;
 * "/path" reads more entries from a file.
 *
 * What can go wrong: a table that fails makes the match -1
 * (FLUSH_STAT_FAIL: retry later, never "not listed"); an unreadable
 * "/path" file is a warning and a failed match.
 */
#include "flush_clnt.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "argv.h"
#include "attr.h"
#include "dict.h"
#include "mail_conf.h"
#include "mail_proto.h"
#include "msg.h"
#include "mymalloc.h"
#include "stringops.h"
#include "vstream.h"
#include "vstring.h"

#define FLUSH_LIST_NAME  "fast_flush_domains"
#define FLUSH_FILE_DEPTH 5 /* "/file" entries that name more files */

/* flush_clnt_talk - one conversation on an open stream (exported for tests) */

int flush_clnt_talk(VSTREAM *stream, const char *request, const char *site, const char *queue_id);

int flush_clnt_talk(VSTREAM *stream, const char *request, const char *site, const char *queue_id)
{
    int status;

    if (attr_scan_hello(stream, MAIL_PROTO_FLUSH) < 0)
        return FLUSH_STAT_FAIL;
    if (site && queue_id)
        attr_print(stream, ATTR_FLAG_NONE, SEND_ATTR_STR(MAIL_ATTR_REQ, request),
                   SEND_ATTR_STR(FLUSH_ATTR_SITE, site), SEND_ATTR_STR(MAIL_ATTR_QUEUEID, queue_id),
                   ATTR_TYPE_END);
    else if (site)
        attr_print(stream, ATTR_FLAG_NONE, SEND_ATTR_STR(MAIL_ATTR_REQ, request),
                   SEND_ATTR_STR(FLUSH_ATTR_SITE, site), ATTR_TYPE_END);
    else if (queue_id)
        attr_print(stream, ATTR_FLAG_NONE, SEND_ATTR_STR(MAIL_ATTR_REQ, request),
                   SEND_ATTR_STR(MAIL_ATTR_QUEUEID, queue_id), ATTR_TYPE_END);
    else
        attr_print(stream, ATTR_FLAG_NONE, SEND_ATTR_STR(MAIL_ATTR_REQ, request), ATTR_TYPE_END);
    if (vstream_fflush(stream) != 0) {
        msg_warn("write %s request to %s: %m", request, vstream_path(stream));
        return FLUSH_STAT_FAIL;
    }
    if (attr_scan(stream, ATTR_FLAG_STRICT, RECV_ATTR_INT(MAIL_ATTR_STATUS, &status),
                  ATTR_TYPE_END) != 1) {
        msg_warn("%s: malformed or missing reply to %s request", vstream_path(stream), request);
        return FLUSH_STAT_FAIL;
    }
    switch (status) {
    case FLUSH_STAT_OK:
    case FLUSH_STAT_FAIL:
    case FLUSH_STAT_UNKNOWN:
    case FLUSH_STAT_BAD:
    case FLUSH_STAT_DENY:
        return status;
    default:
        msg_warn("%s: unexpected status %d in reply to %s request", vstream_path(stream), status,
                 request);
        return FLUSH_STAT_FAIL;
    }
}

static int flush_clnt_request(const char *request, const char *site, const char *queue_id)
{
    const char *service = mail_conf_eval("flush_service_name");
    VSTREAM *stream;
    int status;

    if (service == 0 || *service == 0)
        service = MAIL_SERVICE_FLUSH;
    if ((stream = mail_connect(MAIL_CLASS_PUBLIC, service, 1)) == 0) {
        msg_warn("connect to %s/%s: %m", MAIL_CLASS_PUBLIC, service);
        return FLUSH_STAT_FAIL;
    }
    status = flush_clnt_talk(stream, request, site, queue_id);
    (void)vstream_fclose(stream);
    return status;
}

/* Domain lists. */

static int flush_match_name(const char *pattern, const char *site, int parent)
{
    size_t plen = strlen(pattern);
    size_t slen = strlen(site);

    if (strcasecmp(pattern, site) == 0)
        return 1;
    if (*pattern == '.') {
        /* ".example.com" matches every subdomain, never the name itself. */
        return slen > plen && strcasecmp(site + slen - plen, pattern) == 0;
    }
    /* "example.com" matches "x.example.com" with parent matching. */
    return parent && slen > plen + 1 && site[slen - plen - 1] == '.' &&
           strcasecmp(site + slen - plen, pattern) == 0;
}

static int flush_match_table(const char *spec, const char *site, int parent)
{
    DICT *dict = dict_open(spec, O_RDONLY, DICT_FLAG_DEFAULT);
    VSTRING *key = vstring_alloc(100);
    const char *value;
    const char *entry = site;
    int result = 0;

    for (;;) {
        vstring_strcpy(key, entry);
        lowercase(vstring_str(key));
        switch (dict_get(dict, vstring_str(key), &value)) {
        case DICT_STAT_FOUND:
            result = 1;
            goto done;
        case DICT_STAT_NOTFOUND:
            break;
        default:
            msg_warn("%s: table %s: lookup of %s: %s", FLUSH_LIST_NAME, spec, vstring_str(key),
                     dict_errtext(dict));
            result = -1;
            goto done;
        }
        if (dict->flags & DICT_FLAG_PATTERN)
            break;
        if ((entry = strchr(entry + 1, '.')) == 0)
            break;
        if (parent)
            entry++;
        if (*entry == 0 || entry[1] == 0)
            break;
    }
done:
    vstring_free(key);
    dict_close(dict);
    return result;
}

static int flush_match_list(ARGV *list, const char *site, int parent, int depth);

static int flush_match_file(const char *path, const char *site, int parent, int depth)
{
    VSTREAM *fp = 0;
    VSTRING *line = vstring_alloc(100);
    ARGV *list = argv_alloc(10);
    int result;
    int fd;

    if (depth > FLUSH_FILE_DEPTH) {
        msg_warn("%s: %s: files nested too deeply", FLUSH_LIST_NAME, path);
        result = -1;
    } else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 ||
               (fp = vstream_fdopen(fd, VSTREAM_READ)) == 0) {
        msg_warn("%s: open %s: %m", FLUSH_LIST_NAME, path);
        result = -1;
    } else {
        while (vstream_get_line(fp, line, 10000, VSTREAM_LINE_STRIP) > 0) {
            char *cp = vstring_str(line);

            if (*skipblanks(cp) == '#')
                continue;
            argv_split_append(list, cp, CHARS_COMMA_SP);
        }
        (void)vstream_fclose(fp);
        result = flush_match_list(list, site, parent, depth + 1);
    }
    argv_free(list);
    vstring_free(line);
    return result;
}

static int flush_match_list(ARGV *list, const char *site, int parent, int depth)
{
    for (size_t i = 0; i < list->argc; i++) {
        const char *pat = list->argv[i];
        int negate = 0;
        int match;

        while (*pat == '!') {
            negate = !negate;
            pat++;
        }
        if (*pat == 0)
            continue;
        if (*pat == '/')
            match = flush_match_file(pat, site, parent, depth);
        else if (strchr(pat, ':') != 0)
            match = flush_match_table(pat, site, parent);
        else
            match = flush_match_name(pat, site, parent);
        if (match < 0)
            return -1;
        if (match)
            return negate ? 0 : 1;
    }
    return 0;
}

int flush_domain_list_match(const char *list_text, const char *site, int parent)
{
    ARGV *list = argv_split_list(list_text);
    int result = flush_match_list(list, site, parent, 0);

    argv_free(list);
    return result;
}

int flush_domain_match(const char *site)
{
    static char *list;
    static int parent = -1;

    if (list == 0) {
        const char *text = mail_conf_eval(FLUSH_LIST_NAME);
        const char *pdms = mail_conf_eval("parent_domain_matches_subdomains");
        ARGV *names = argv_split_list(pdms ? pdms : "");

        list = mystrdup(text ? text : "");
        parent = 0;
        for (size_t i = 0; i < names->argc; i++)
            if (strcmp(names->argv[i], FLUSH_LIST_NAME) == 0)
                parent = 1;
        argv_free(names);
    }
    if (*list == 0 || *site == 0)
        return 0;
    return flush_domain_list_match(list, site, parent);
}

/* flush_clnt_site_check - DENY/FAIL without a connection, else OK */

static int flush_clnt_site_check(const char *site)
{
    switch (flush_domain_match(site)) {
    case 1:
        return FLUSH_STAT_OK;
    case 0:
        return FLUSH_STAT_DENY;
    default:
        return FLUSH_STAT_FAIL;
    }
}

int flush_add(const char *site, const char *queue_id)
{
    int status = flush_clnt_site_check(site);

    if (status != FLUSH_STAT_OK)
        return status;
    return flush_clnt_request(FLUSH_REQ_ADD, site, queue_id);
}

int flush_send_site(const char *site)
{
    int status = flush_clnt_site_check(site);

    if (status != FLUSH_STAT_OK)
        return status;
    return flush_clnt_request(FLUSH_REQ_SEND_SITE, site, 0);
}

int flush_send_file(const char *queue_id)
{
    return flush_clnt_request(FLUSH_REQ_SEND_FILE, 0, queue_id);
}

int flush_refresh(void)
{
    return flush_clnt_request(FLUSH_REQ_REFRESH, 0, 0);
}

int flush_purge(void)
{
    return flush_clnt_request(FLUSH_REQ_PURGE, 0, 0);
}
