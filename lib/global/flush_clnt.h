/*
 * flush_clnt - the client of the fast flush service (flush(8)).
 *
 * The flush daemon keeps, for each destination listed in fast_flush_domains,
 * a log of the queue ids of mail deferred for it ($queue_directory/flush/
 * SITE), so that ETRN and "postqueue -s site" can retry just that mail.
 *
 *   flush_add(site, queue_id)   the delivery path deferred mail for site
 *                               (called once per deferred recipient by
 *                               defer_append(): see lib/global/PROTOCOLS.md "flush")
 *   flush_send_site(site)       retry the mail logged for site (smtpd ETRN,
 *                               postqueue -s)
 *   flush_send_file(queue_id)   retry one deferred message (postqueue -i)
 *   flush_refresh()             retry logs that were not flushed for
 *                               fast_flush_refresh_time, remove empty logs
 *                               unused for fast_flush_purge_time
 *   flush_purge()               retry every non-empty log now
 *
 * Each returns a FLUSH_STAT_* value.  flush_add() and flush_send_site()
 * check fast_flush_domains first, without a connection: a site that is not
 * listed (or an empty list, the default unless relay_domains is set) gives
 * FLUSH_STAT_DENY, a table in the list that cannot answer FLUSH_STAT_FAIL.
 * A service that cannot be reached logs "connect to public/flush: REASON"
 * and gives FLUSH_STAT_FAIL.
 *
 *   flush_domain_match(site)    1 when site is in fast_flush_domains, 0 when
 *                               not, -1 when a table of the list failed
 *                               (shared with the flush daemon, which checks
 *                               again)
 *   flush_domain_status(site)   the same as a FLUSH_STAT_* value: OK,
 *                               DENY (not listed) or FAIL (a table failed)
 *   flush_domain_list_match(list, site, parent)
 *                               the same matching on any domain list text
 *                               (tests): names, ".name", "!name",
 *                               "type:table" (looked up by the site and, per
 *                               parent, its parent domains) and "/file"
 *                               (more patterns, one or more per line)
 *
 * Callers must have read main.cf (mail_conf_read or mail_params_init) and
 * must be in queue_directory (as every daemon and postqueue are), since the
 * service is the relative path public/$flush_service_name.
 *
 * How an SMTP server answers ETRN from the status of flush_send_site()
 * (Postfix's replies, checked against Postfix 3.7):
 *   FLUSH_STAT_OK       250 Queuing started
 *   FLUSH_STAT_DENY     459 <SITE>: service unavailable
 *                       (and logs "warning: reject: ETRN SITE... from
 *                       CLIENT"; this happens without any flush daemon)
 *   FLUSH_STAT_BAD      458 Unable to queue messages   (logs "warning: bad
 *                       ETRN SITE... request from CLIENT")
 *   anything else       458 Unable to queue messages   (logs "warning:
 *                       unable to talk to fast flush service")
 */
#ifndef POSTERN_FLUSH_CLNT_H
#define POSTERN_FLUSH_CLNT_H

#define MAIL_PROTO_FLUSH "flush/1"

/* Request names (attribute MAIL_ATTR_REQ). */
#define FLUSH_REQ_ADD       "add"
#define FLUSH_REQ_SEND_SITE "send_site"
#define FLUSH_REQ_SEND_FILE "send_file"
#define FLUSH_REQ_REFRESH   "refresh"
#define FLUSH_REQ_PURGE     "purge"

/* Attributes besides mail_proto.h's request, queue_id and status. */
#define FLUSH_ATTR_SITE "site"

/* Results, with Postfix's values. */
#define FLUSH_STAT_FAIL    (-1) /* the request could not be done: retry */
#define FLUSH_STAT_OK      0    /* done */
#define FLUSH_STAT_UNKNOWN 2    /* unknown request (old server) */
#define FLUSH_STAT_BAD     3    /* malformed site, queue id or request */
#define FLUSH_STAT_DENY    4    /* the site is not in fast_flush_domains */

extern int flush_add(const char *site, const char *queue_id);
extern int flush_send_site(const char *site);
extern int flush_send_file(const char *queue_id);
extern int flush_refresh(void);
extern int flush_purge(void);

extern int flush_domain_match(const char *site);
extern int flush_domain_status(const char *site);
extern int flush_domain_list_match(const char *list, const char *site, int parent);

#endif
