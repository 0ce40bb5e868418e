/*
 * postconf_print - format lines as Postfix's postconf does.
 *
 * pcf_print_param() writes "name = value" (or only the name or the value),
 * with the value's words separated by single spaces; with PCF_FOLD_LINE a
 * line that would exceed 80 columns continues on a new line indented by four
 * spaces.  pcf_print_master_entry() writes one master.cf entry with Postfix's
 * column layout (each of the first seven fields starts at a fixed column, or
 * one space after the previous field when that is longer); with folding,
 * every "-o name=value" among the daemon options (the arguments that start
 * with "-", before the first one that does not) is on a line of its own.
 *
 * Command arguments that hold white space are shown inside "{ }" so that the
 * output reads back as the same entry.
 */
#include <stdio.h>
#include <string.h>

#include "master_ent.h"
#include "mymalloc.h"
#include "postconf.h"
#include "vstring.h"

#define PCF_LINE_LIMIT 80
#define PCF_INDENT     "    "
#define PCF_INDENT_LEN 4
#define PCF_SEPARATORS " \t\r\n"

void pcf_print_param(FILE *fp, int mode, const char *name, const char *value)
{
    size_t line_len = 0;
    const char *cp;

    if ((mode & PCF_HIDE_NAME) == 0) {
        fputs(name, fp);
        line_len = strlen(name);
        if ((mode & PCF_HIDE_VALUE) == 0) {
            fputs(" =", fp);
            line_len += 2;
        }
    }
    if ((mode & PCF_HIDE_VALUE) == 0) {
        for (cp = value; *(cp += strspn(cp, PCF_SEPARATORS)) != 0;) {
            size_t word_len = strcspn(cp, PCF_SEPARATORS);

            if (line_len > 0) {
                if ((mode & PCF_FOLD_LINE) && line_len + 1 + word_len > PCF_LINE_LIMIT) {
                    fputs("\n" PCF_INDENT, fp);
                    line_len = PCF_INDENT_LEN;
                } else {
                    fputc(' ', fp);
                    line_len += 1;
                }
            }
            fwrite(cp, 1, word_len, fp);
            line_len += word_len;
            cp += word_len;
        }
    }
    fputc('\n', fp);
}

/* pcf_format_arg - an argument as it reads back: braces if it holds blanks */
void pcf_format_arg(const char *arg, char **out)
{
    if (arg[strcspn(arg, " \t")] != 0) {
        size_t len = strlen(arg);
        char *buf = mymalloc(len + 3);

        buf[0] = '{';
        memcpy(buf + 1, arg, len);
        buf[len + 1] = '}';
        buf[len + 2] = 0;
        *out = buf;
    } else {
        *out = mystrdup(arg);
    }
}

/* pcf_print_args - command arguments after argv[0], master.cf folding */
void pcf_print_args(FILE *fp, int mode, size_t line_len, const MASTER_ENT *ent)
{
    char *word;

    int in_options = 1; /* daemon options come first */
    int after_opt = 0;  /* the previous word was "-o x" */
    size_t first_arg = master_ent_options_end(ent);

    for (size_t a = 1; a < ent->args->argc; a++) {
        const char *arg = ent->args->argv[a];
        int is_opt;
        size_t word_len;
        VSTRING *unit = vstring_alloc(100);

        if (in_options && arg[0] != '-')
            in_options = 0;
        is_opt = in_options && strcmp(arg, "-o") == 0 && a + 1 < ent->args->argc;
        if (is_opt) {
            pcf_format_arg(ent->args->argv[++a], &word);
            vstring_sprintf(unit, "-o %s", word);
        } else if (a == first_arg) {
            /* Postfix shows the first argument after the options bare. */
            word = mystrdup(arg);
            vstring_strcpy(unit, word);
        } else {
            pcf_format_arg(arg, &word);
            vstring_strcpy(unit, word);
        }
        myfree(word);
        word_len = VSTRING_LEN(unit);
        if ((mode & PCF_FOLD_LINE) &&
            (is_opt || after_opt || line_len + 1 + word_len >= PCF_LINE_LIMIT)) {
            fputs("\n" PCF_INDENT, fp);
            line_len = PCF_INDENT_LEN;
        } else {
            fputc(' ', fp);
            line_len += 1;
        }
        fputs(vstring_str(unit), fp);
        line_len += word_len;
        after_opt = is_opt;
        vstring_free(unit);
    }
    fputc('\n', fp);
}

void pcf_print_master_entry(FILE *fp, int mode, const MASTER_ENT *ent)
{
    static const size_t column[MASTER_FIELD_COUNT] = {0, 11, 17, 25, 33, 41, 49, 57};
    size_t line_len = 0;

    for (int i = 0; i < MASTER_FIELD_COUNT; i++) {
        const char *text = i < MASTER_FIELD_COUNT - 1 ? ent->field[i] : ent->args->argv[0];
        size_t goal = i == 0 ? 0 : (column[i] > line_len + 1 ? column[i] : line_len + 1);

        for (; line_len < goal; line_len++)
            fputc(' ', fp);
        fputs(text, fp);
        line_len += strlen(text);
    }
    pcf_print_args(fp, mode, line_len, ent);
}
