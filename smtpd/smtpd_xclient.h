#ifndef POSTERN_SMTPD_XCLIENT_H
#define POSTERN_SMTPD_XCLIENT_H

/* smtpd_xclient - XCLIENT and XFORWARD (see smtpd_xclient.c). */

#include "smtpd.h"
#include "vstring.h"

extern int smtpd_xclient(SMTPD_STATE *state, char *args, VSTRING *reply);
extern int smtpd_xforward(SMTPD_STATE *state, char *args, VSTRING *reply);
extern void smtpd_xforward_reset(SMTPD_STATE *state);

#endif
