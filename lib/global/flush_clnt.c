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
 * fast_flush_domains is a Postfix domain list (lib/global/match_list.h,
 * MATCH_LIST_HOST, with MATCH_LIST_PARENT when the list is named in
 * parent_domain_matches_subdomains, as it is by default).
 *
 * What can go wrong: a table that fails makes the match -1
 * (FLUSH_STAT_FAIL: retry later, never "not listed"); an unreadable
 * "/file" in the list is fatal when the list is compiled (as in Postfix:
 * the configuration is broken).
 */
#include "flush_clnt.h"

#include <string.h>

#include "argv.h"
#include "attr.h"
#include "mail_conf.h"
#include "mail_proto.h"
#include "match_list.h"
#include "msg.h"
#include "vstream.h"

#define FLUSH_LIST_NAME  "fast_flush_domains"

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

/* Domain lists: lib/global/match_list.h does the matching. */

static MATCH_LIST *flush_list_create(const char *list_text, int parent)
{
    return match_list_create(FLUSH_LIST_NAME, list_text,
                             MATCH_LIST_HOST | (parent ? MATCH_LIST_PARENT : 0));
}

int flush_domain_list_match(const char *list_text, const char *site, int parent)
{
    MATCH_LIST *list = flush_list_create(list_text, parent);
    int result = match_list_match(list, site);

    match_list_free(list);
    return result;
}

int flush_domain_match(const char *site)
{
    static MATCH_LIST *list;

    if (list == 0) {
        const char *text = mail_conf_eval(FLUSH_LIST_NAME);
        const char *pdms = mail_conf_eval("parent_domain_matches_subdomains");
        ARGV *names = argv_split_list(pdms ? pdms : "");
        int parent = 0;

        /*
         * Not match_list_parent_style(): that reads the bound parameter,
         * and callers of this module need only have read main.cf.
         */
        for (size_t i = 0; i < names->argc; i++)
            if (strcmp(names->argv[i], FLUSH_LIST_NAME) == 0)
                parent = 1;
        argv_free(names);
        list = flush_list_create(text ? text : "", parent);
    }
    if (match_list_empty(list) || *site == 0)
        return 0;
    return match_list_match(list, site);
}

int flush_domain_status(const char *site)
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
    int status = flush_domain_status(site);

    if (status != FLUSH_STAT_OK)
        return status;
    return flush_clnt_request(FLUSH_REQ_ADD, site, queue_id);
}

int flush_send_site(const char *site)
{
    int status = flush_domain_status(site);

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
