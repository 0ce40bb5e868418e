/*
 * stringops - small string helpers shared by every parser.
 *
 * mystrtok(&bp, sep) returns the next token of *bp separated by any of sep,
 * or a null pointer at the end; it writes a null byte after the token and
 * advances *bp.  mystrtokq() does the same but keeps text between the two
 * characters of parens (e.g. "{}") together, nesting included; an unbalanced
 * group runs to the end of the string.  extpar() strips one level of those
 * parentheses (and white space inside them) in place, returning an error
 * text for unbalanced input.
 *
 * Postfix lists are separated by CHARS_COMMA_SP; {...} groups a value that
 * contains such characters.
 */
#ifndef POSTERN_STRINGOPS_H
#define POSTERN_STRINGOPS_H

#include <stddef.h>

#define CHARS_SPACE " \t\r\n"
#define CHARS_COMMA_SP ", \t\r\n"
#define CHARS_BRACE "{}"

extern char *mystrtok(char **bp, const char *sep);
extern char *mystrtokq(char **bp, const char *sep, const char *parens);
extern const char *extpar(char **bp, const char *parens, int flags);
#define EXTPAR_FLAG_NONE 0
#define EXTPAR_FLAG_STRIP (1 << 0)      /* strip white space inside */

extern char *trimblanks(char *str);     /* strip trailing white space in place */
extern char *skipblanks(const char *str);
extern char *lowercase(char *str);
extern char *uppercase(char *str);
extern int alldig(const char *str);     /* non-empty, all digits */
extern int allprint(const char *str);
/* "name = value" (white space optional); returns an error text or null. */
extern const char *split_nameval(char *buf, char **name, char **value);
/* Split at the first occurrence of ch: terminates the left part, returns right or null. */
extern char *split_at(char *str, int ch);
extern char *split_at_right(char *str, int ch);
/* Parse a decimal unsigned number; returns 0 on syntax error or overflow. */
extern int safe_strtoul(const char *str, unsigned long *result);
extern int safe_strtol(const char *str, long *result);
/*
 * valid_utf8(str, len): 1 when the bytes are well-formed UTF-8 as RFC 3629
 * defines it (shortest form only, no UTF-16 surrogates, nothing above
 * U+10FFFF); 0 otherwise.  A NUL byte counts as the character U+0000.
 */
extern int valid_utf8(const char *str, size_t len);
/*
 * printable(str, repl, flags): replace with repl, in place, every byte that
 * must not reach a log line or an SMTP reply: control characters and DEL,
 * and bytes of 0x80 and up unless they form valid UTF-8 and flags has
 * PRINTABLE_UTF8.  PRINTABLE_TAB keeps tabs.  Returns str.
 */
#define PRINTABLE_UTF8 (1 << 0)
#define PRINTABLE_TAB  (1 << 1)
extern char *printable(char *str, int repl, int flags);

#endif
