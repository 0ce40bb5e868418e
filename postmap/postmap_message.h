/*
 * postmap_message - "postmap -h/-b -q - tables < message": apply lookup
 * tables to the header and/or body lines of a message, the way
 * header_checks and body_checks see them; see postmap_message.c.
 */
#ifndef POSTERN_POSTMAP_MESSAGE_H
#define POSTERN_POSTMAP_MESSAGE_H

#include <stdio.h>

#include "dict_cli.h"

#define POSTMAP_MSG_HEADER (1 << 0) /* -h */
#define POSTMAP_MSG_BODY   (1 << 1) /* -b */

/* Limit on one (folded) header or body line; longer input is truncated. */
#define POSTMAP_MSG_LINE_LIMIT (1024 * 1024)

/* Prints "line<TAB>result" for each match; returns 1 if anything matched. */
extern int postmap_message(FILE *in, FILE *out, DICT_CLI_MAPS *maps, int what);

#endif
