#ifndef POSTERN_SMTPD_CHAT_H
#define POSTERN_SMTPD_CHAT_H

/*
 * smtpd_chat.h - the session transcript and the postmaster notices it
 * feeds (see smtpd_chat.c).
 */

#include <time.h>

#include "smtpd.h"
#include "vstring.h"

/* Error classes of a session (state->error_mask), as in notify_classes. */
#define SMTPD_ERR_PROTOCOL (1 << 0)
#define SMTPD_ERR_POLICY   (1 << 1)
#define SMTPD_ERR_RESOURCE (1 << 2)
#define SMTPD_ERR_SOFTWARE (1 << 3)
#define SMTPD_ERR_BOUNCE   (1 << 4) /* unknown recipient, content too big */
#define SMTPD_ERR_NONE     (1 << 5) /* an error reply of no class (timeout) */

extern void smtpd_chat_init(void);
extern void smtpd_chat_in(SMTPD_STATE *state, const char *line);
extern void smtpd_chat_out(SMTPD_STATE *state, const char *line);
extern void smtpd_chat_flush_point(SMTPD_STATE *state);
extern void smtpd_chat_end(SMTPD_STATE *state);

/* Exposed for the unit test. */
extern int smtpd_chat_classes(const char *list);
extern void smtpd_chat_wrap(VSTRING *out, const char *line, size_t width, size_t indent);
extern void smtpd_chat_compose(SMTPD_STATE *state, VSTRING *text, const char *queue_id,
                               time_t when);

#endif
