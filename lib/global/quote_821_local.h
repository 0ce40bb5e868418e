/*
 * quote_821_local - quote an internal address for the SMTP envelope.
 *
 * quote_821_local_flags(dst, src, flags) writes the RFC 5321 form of the
 * internal address src (as used in MAIL FROM:<...> and RCPT TO:<...>; the
 * caller adds the angle brackets).  The local part (before the last "@") is
 * sent as a Dot-string when it is one, else as a Quoted-string with '"'
 * and '\' escaped.  The domain is copied unchanged: a domain that is not a
 * hostname or address literal is the caller's problem (it should have been
 * rejected earlier).  Flags are those of quote_822_local.h; with
 * QUOTE_FLAG_QUOTE_8BIT, 8-bit bytes force quoting (for a peer without
 * SMTPUTF8).  The empty (null) address gives an empty result.
 */
#ifndef POSTERN_QUOTE_821_LOCAL_H
#define POSTERN_QUOTE_821_LOCAL_H

#include "quote_822_local.h"
#include "vstring.h"

extern VSTRING *quote_821_local_flags(VSTRING *dst, const char *src, int flags);
#define quote_821_local(dst, src) quote_821_local_flags((dst), (src), QUOTE_FLAG_NONE)

#endif
