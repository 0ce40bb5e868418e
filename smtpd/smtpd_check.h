#ifndef POSTERN_SMTPD_CHECK_H
#define POSTERN_SMTPD_CHECK_H

/*
 * smtpd_check - smtpd's access restrictions (see smtpd_check.c).
 *
 *   smtpd_check_init()             parse every restriction list once
 *   smtpd_check_session_init(st)   per-connection set-up
 *   smtpd_check_mynetworks(st)     1 when the client is in mynetworks
 *   smtpd_check_bare_lf_excluded(st)  smtpd_forbid_bare_newline_exclusions
 *   smtpd_check_xclient_host(st), smtpd_check_xforward_host(st)
 *       smtpd_authorized_xclient_hosts / _xforward_hosts match the client
 *   smtpd_check_local_header_client(st)  local_header_rewrite_clients
 *   smtpd_check_helo/mail/rcpt/data/etrn(st, ...)
 *       null when the request may proceed, else the complete SMTP reply
 *       ("554 5.7.1 <x@y>: Relay access denied"), valid until the next call.
 *   smtpd_check_rcpt_known(st, rcpt)   only the "unlisted recipient" part
 *       (VRFY).
 */

#include "smtpd.h"

extern void smtpd_check_init(void);
extern void smtpd_check_session_init(SMTPD_STATE *state);
extern int smtpd_check_mynetworks(SMTPD_STATE *state);
extern int smtpd_check_bare_lf_excluded(SMTPD_STATE *state);
extern int smtpd_check_xclient_host(SMTPD_STATE *state);
extern int smtpd_check_xforward_host(SMTPD_STATE *state);
extern int smtpd_check_local_header_client(SMTPD_STATE *state);
extern const char *smtpd_check_helo(SMTPD_STATE *state, const char *helo);
extern const char *smtpd_check_mail(SMTPD_STATE *state, const char *sender);
extern const char *smtpd_check_rcpt(SMTPD_STATE *state, const char *rcpt);
extern const char *smtpd_check_rcpt_known(SMTPD_STATE *state, const char *rcpt);
extern const char *smtpd_check_data(SMTPD_STATE *state);
extern const char *smtpd_check_etrn(SMTPD_STATE *state, const char *domain);

/* Network lists (mynetworks syntax): 1 match, 0 no match, -1 table error. */
typedef struct SMTPD_NETLIST SMTPD_NETLIST;
extern SMTPD_NETLIST *smtpd_netlist_parse(const char *param, const char *text);
extern int smtpd_netlist_match(SMTPD_NETLIST *list, const char *name, const char *addr);

#endif
