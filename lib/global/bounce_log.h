/*
 * bounce_log - the per-message recipient status logs in
 * $queue_directory/{bounce,defer,trace}/<queue id>.
 *
 * Format (Postfix's, observed on Debian's Postfix 3.7, so that a Postfix
 * queue's logs are read by Postern and the other way round): one entry per
 * recipient, appended with one write(2); an entry is
 *
 *     (blank line)
 *     <recipient>: reason                only when
 *                                        backwards_bounce_logfile_compatibility
 *     recipient=ADDR                     name=value lines, in this order,
 *     original_recipient=ADDR            optional ones left out when empty
 *     offset=N
 *     dsn_orig_rcpt=TYPE;ADDR
 *     notify_flags=N
 *     status=D.D.D
 *     diag_type=, diag_text=, mta_type=, mta_name=    (optional)
 *     action=failed|delayed|delivered|relayed|expanded
 *     reason=TEXT
 *     (blank line)
 *
 * Addresses are in internal (unquoted) form.  original_recipient is only
 * written when it differs from recipient (Postfix leaves it out then too);
 * a reader that finds none uses the recipient.
 *
 * Interface:
 *   entry = bounce_log_entry_alloc() / bounce_log_entry_free(entry)
 *   bounce_log_entry_reset(entry)
 *   bounce_log_format(out, entry, compat, why)
 *       Check every field and append the entry's text to out.  Addresses
 *       must be non-empty (recipient) and free of control characters;
 *       status must be a DSN status ("[245].D{1,3}.D{1,3}"); action one of
 *       the known words; diag_type/mta_type RFC 3464 type tokens; offset
 *       >= 0; notify_flags within DSN_NOTIFY_*.  Control characters in the
 *       free text (reason, diag_text, mta_name) become spaces: the text
 *       comes from remote servers, and a newline in it must never start a
 *       new attribute line.  Returns 0, or -1 with the reason in why.
 *   bounce_log_read(fp, entry, why)
 *       Read the next entry.  Returns 1 (entry filled), 0 at the end of
 *       the file, or -1 when an entry is unusable (no recipient, a bad
 *       status, a line longer than BOUNCE_LOG_LINE_MAX, a read error); why
 *       says so.  After -1 for a bad entry the reader can go on with the
 *       next one (a read error stays an error).  Unknown names and the
 *       "<rcpt>: reason" compatibility line are skipped; a missing status
 *       or action is filled in from the log kind by the caller.
 *   bounce_log_status_ok(status), bounce_log_action_ok(action)
 */
#ifndef POSTERN_BOUNCE_LOG_H
#define POSTERN_BOUNCE_LOG_H

#include "vstream.h"
#include "vstring.h"

#define BOUNCE_LOG_LINE_MAX (256 * 1024)

typedef struct BOUNCE_LOG_ENTRY {
    VSTRING *recipient;
    VSTRING *orig_rcpt; /* "" = same as recipient */
    long offset;
    VSTRING *dsn_orcpt; /* "rfc822;addr" or "" */
    int notify;         /* DSN_NOTIFY_*, 0 = none given */
    VSTRING *status;
    VSTRING *action;
    VSTRING *reason;
    VSTRING *dtype;
    VSTRING *dtext;
    VSTRING *mtype;
    VSTRING *mname;
} BOUNCE_LOG_ENTRY;

extern BOUNCE_LOG_ENTRY *bounce_log_entry_alloc(void);
extern void bounce_log_entry_reset(BOUNCE_LOG_ENTRY *entry);
extern void bounce_log_entry_free(BOUNCE_LOG_ENTRY *entry);
extern int bounce_log_format(VSTRING *out, BOUNCE_LOG_ENTRY *entry, int compat, VSTRING *why);
extern int bounce_log_read(VSTREAM *fp, BOUNCE_LOG_ENTRY *entry, VSTRING *why);
extern int bounce_log_status_ok(const char *status);
extern int bounce_log_action_ok(const char *action);

#endif
