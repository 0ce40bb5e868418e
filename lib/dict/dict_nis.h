/*
 * dict_nis - the "nis" table type, as far as Postern has it; see dict_nis.c.
 */
#ifndef POSTERN_DICT_NIS_H
#define POSTERN_DICT_NIS_H

#include "dict.h"

#define DICT_TYPE_NIS "nis"

extern DICT *dict_nis_open(const char *name, int open_flags, int dict_flags);

/* The rule, with the domain name given (tests): 1 when NIS is off. */
extern int dict_nis_disabled(const char *domain);

#endif
