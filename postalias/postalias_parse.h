/*
 * postalias_parse - split one logical aliases(5) line into a key and a
 * value the way Postfix's postalias stores them; see postalias_parse.c.
 *
 *   status = postalias_parse(line, key, value, &why)
 *
 * Returns 0 with the key in internal form (quotes and escapes removed; not
 * yet case-folded) and the value in external form (tokens re-joined with
 * Postfix's spacing: ", " after commas, one space between words, none
 * around . @ : ; < >), or -1 with why set to Postfix's warning text:
 * "need name:value pair" or "name must be local".
 */
#ifndef POSTERN_POSTALIAS_PARSE_H
#define POSTERN_POSTALIAS_PARSE_H

#include "vstring.h"

extern int postalias_parse(const char *line, VSTRING *key, VSTRING *value, const char **why);

#endif
