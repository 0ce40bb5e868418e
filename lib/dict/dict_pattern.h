/*
 * dict_pattern - plumbing shared by the pattern-file table types (regexp,
 * pcre, cidr); see dict_pattern.c.
 *
 * Reader: a table file is loaded into memory once (dict_pattern_load) and
 * cut into logical lines (dict_pattern_read_line), so parsers work on a
 * buffer and fuzz targets need no file system.
 *
 * Substitution templates: the result text of a regexp/pcre rule is compiled
 * once into literal pieces and $n group references (dict_pattern_subst_*),
 * with Postfix's warnings for bad syntax, and expanded at lookup time.
 *
 * IF/ENDIF: dict_pattern_ifs_* keep the stack of open IF rules while a file
 * is parsed, so that each IF knows where its ENDIF is.
 */
#ifndef POSTERN_DICT_PATTERN_H
#define POSTERN_DICT_PATTERN_H

#include <stddef.h>
#include <sys/types.h>

#include "vstring.h"
#include "dict.h"

/* ---- file loading ------------------------------------------------------- */

/* Largest table file we read into memory. */
#define DICT_PATTERN_MAX_FILE (256UL * 1024 * 1024)

typedef struct DICT_PATTERN_FILE {
    char *data; /* file contents, null-terminated */
    size_t len;
    time_t mtime;
    uid_t owner_uid;
} DICT_PATTERN_FILE;

/* 0 on success; -1 with errtext set ("open /x: No such file or directory"). */
extern int dict_pattern_load(const char *path, DICT_PATTERN_FILE *file, VSTRING *errtext);
extern void dict_pattern_unload(DICT_PATTERN_FILE *file);
/*
 * The same for what follows "type:" in a table name: a file name, or the
 * inline form "{ {rule}, {rule}, ... }" (Postfix 3.7's "regexp:{...}"),
 * whose rules become the lines; errtext then says what is wrong with it
 * in Postfix's words ("regexp map: no '{' at start of text in ...").
 */
extern int dict_pattern_load_spec(const char *type, const char *name, DICT_PATTERN_FILE *file,
                                  VSTRING *errtext);

/* ---- logical lines ------------------------------------------------------ */

typedef struct DICT_PATTERN_READER {
    const char *path; /* for warnings */
    const char *buf;
    size_t len;
    size_t pos;
    int lineno; /* physical lines consumed so far */
} DICT_PATTERN_READER;

extern void dict_pattern_reader_init(DICT_PATTERN_READER *rd, const char *path, const char *buf,
                                     size_t len);

/*
 * Next logical line: a line that does not start with white space, joined
 * with the lines after it that do (the newline is dropped, their leading
 * white space kept).  Blank lines and lines whose first non-blank character
 * is '#' are skipped and do not end a logical line.  Text that starts with
 * white space before any logical line is warned about and dropped.  The
 * line may hold null bytes; parsers read it as a C string (Postfix's
 * regexp/pcre parsers then skip it when empty, its cidr parser warns).
 * Returns 1 with the text in line and its first physical line number in
 * *lineno, or 0 at the end of the buffer.
 */
extern int dict_pattern_read_line(DICT_PATTERN_READER *rd, VSTRING *line, int *lineno);

/* ---- $n substitution ---------------------------------------------------- */

typedef struct DICT_PATTERN_SEG {
    size_t group; /* 0: literal text; else the group number */
    size_t off;   /* literal: offset in text */
    size_t len;   /* literal: length */
} DICT_PATTERN_SEG;

typedef struct DICT_PATTERN_SUBST {
    char *text; /* literal bytes, '$$' already reduced */
    DICT_PATTERN_SEG *segs;
    size_t nsegs;
    size_t max_group; /* highest $n used (0: none) */
} DICT_PATTERN_SUBST;

/* How a table type words its warnings. */
typedef struct DICT_PATTERN_STYLE {
    const char *type;       /* "regexp" -> "regexp map /x, line 3: ..." */
    const char *zero_index; /* wording for "$0": "out-of-range" or "out of range" */
} DICT_PATTERN_STYLE;

/*
 * Compile result text into *subst.  Returns 0, or -1 after warning (in
 * Postfix's words) about a malformed reference; the caller then skips the
 * rule.  max_group is the largest group referenced, as Postfix computes it
 * (atoi() semantics, so "$4294967297" means group 1).
 */
extern int dict_pattern_subst_compile(DICT_PATTERN_SUBST *subst, const char *result,
                                      const DICT_PATTERN_STYLE *style, const char *path,
                                      int lineno);
extern void dict_pattern_subst_free(DICT_PATTERN_SUBST *subst);

/*
 * The constant result when the template has no group references, else a
 * null pointer.
 */
extern const char *dict_pattern_subst_const(const DICT_PATTERN_SUBST *subst);

/*
 * Expand into out: group g is subject[start[g], end[g]) when start[g] is
 * not (size_t) -1 and g < ngroups; other groups expand to nothing.
 */
extern void dict_pattern_subst_expand(const DICT_PATTERN_SUBST *subst, VSTRING *out,
                                      const char *subject, const size_t *start, const size_t *end,
                                      size_t ngroups);

#define DICT_PATTERN_NOGROUP ((size_t)-1)

/* ---- IF/ENDIF nesting --------------------------------------------------- */

typedef struct DICT_PATTERN_IFS {
    size_t *rule; /* index of each open IF rule */
    int *lineno;  /* and its line */
    size_t depth;
    size_t size;
} DICT_PATTERN_IFS;

extern void dict_pattern_ifs_init(DICT_PATTERN_IFS *ifs);
extern void dict_pattern_ifs_push(DICT_PATTERN_IFS *ifs, size_t rule, int lineno);
/* Pops the innermost IF into *rule; returns 0 if none is open. */
extern int dict_pattern_ifs_pop(DICT_PATTERN_IFS *ifs, size_t *rule, int *lineno);
extern void dict_pattern_ifs_free(DICT_PATTERN_IFS *ifs);

/* ---- small helpers ------------------------------------------------------ */

/* ASCII-only classes: table syntax does not depend on the locale. */
#define DICT_PATTERN_ISSPACE(c) ((c) == ' ' || ((c) >= '\t' && (c) <= '\r'))
#define DICT_PATTERN_ISDIGIT(c) ((c) >= '0' && (c) <= '9')
#define DICT_PATTERN_ISALNUM(c)                                                                    \
    (DICT_PATTERN_ISDIGIT(c) || ((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z'))

/* Postfix's atoi() reading of a decimal digit string (glibc semantics). */
extern int dict_pattern_atoi(const char *digits);

/* Is p the keyword kw (case-insensitive) followed by a non-alphanumeric? */
extern int dict_pattern_keyword(const char *p, const char *kw);

/* ---- read-only tables ------------------------------------------- */

/* The surrogate for a pattern table opened for writing, or null if the mode is fine. */
extern DICT *dict_pattern_check_mode(const char *type, const char *name, int open_flags,
                                     int dict_flags);

#endif
