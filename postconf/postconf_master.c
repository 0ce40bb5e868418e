/*
 * postconf_master - show master.cf as postconf -M, -F and -P do.
 *
 * Filters on the command line select entries: "service", "service/type",
 * and for -F also "service/type/field"; for -P "service/type/name".
 *
 * What can go wrong: a missing master.cf is a warning (as in Postfix) unless
 * a master.cf mode was asked for; a syntax error is fatal with file and line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argv.h"
#include "mail_conf.h"
#include "master_ent.h"
#include "msg.h"
#include "mymalloc.h"
#include "postconf.h"
#include "vstring.h"

MASTER_ENT *pcf_master_list;
static char *pcf_master_file;

const char *pcf_master_path(void)
{
    if (pcf_master_file == 0) {
        VSTRING *buf = vstring_alloc(100);

        vstring_sprintf(buf, "%s/master.cf", mail_conf_dir());
        pcf_master_file = vstring_export(buf);
    }
    return pcf_master_file;
}

void pcf_read_master(int fatal_if_missing)
{
    VSTRING *why = vstring_alloc(100);

    if (master_ent_read(pcf_master_path(), &pcf_master_list, why) < 0) {
        if (VSTRING_LEN(why) > 0)
            msg_fatal("%s", vstring_str(why));
        if (fatal_if_missing)
            msg_fatal("open %s: %m", pcf_master_path());
        msg_warn("open %s: %m", pcf_master_path());
    }
    vstring_free(why);
}

/* pcf_master_filter_match - does a "service[/type[/rest]]" filter select ent? */
int pcf_master_filter_match(const MASTER_ENT *ent, const char *filter, const char **rest)
{
    const char *service = MASTER_ENT_SERVICE(ent);
    size_t slen = strlen(service);
    const char *cp;

    if (rest)
        *rest = 0;
    if (strncmp(filter, service, slen) != 0 || (filter[slen] != 0 && filter[slen] != '/'))
        return 0;
    if (filter[slen] == 0)
        return 1;
    cp = filter + slen + 1;
    {
        const char *type = MASTER_ENT_TYPE(ent);
        size_t tlen = strlen(type);

        if (strncmp(cp, type, tlen) != 0 || (cp[tlen] != 0 && cp[tlen] != '/'))
            return 0;
        if (cp[tlen] == '/' && rest)
            *rest = cp + tlen + 1;
    }
    return 1;
}

static char pcf_matched[1024]; /* per filter: something matched */

static int pcf_selected(const MASTER_ENT *ent, char **filters, const char **rest)
{
    if (rest)
        *rest = 0;
    if (filters == 0 || *filters == 0)
        return 1;
    for (size_t i = 0; filters[i]; i++) {
        if (pcf_master_filter_match(ent, filters[i], rest)) {
            if (i < sizeof(pcf_matched))
                pcf_matched[i] = 1;
            return 1;
        }
    }
    return 0;
}

/* pcf_report_unmatched - warn about filters that selected nothing */
static void pcf_report_unmatched(char **filters)
{
    for (size_t i = 0; filters && filters[i] && i < sizeof(pcf_matched); i++)
        if (!pcf_matched[i])
            msg_warn("unmatched request: \"%s\"", filters[i]);
}

void pcf_show_master_entries(int mode, char **filters)
{
    for (MASTER_ENT *ent = pcf_master_list; ent; ent = ent->next)
        if (pcf_selected(ent, filters, 0))
            pcf_print_master_entry(stdout, mode, ent);
    pcf_report_unmatched(filters);
}

/* pcf_command_text - command and arguments as one line */
static char *pcf_command_text(const MASTER_ENT *ent)
{
    VSTRING *buf = vstring_alloc(100);
    char *word;

    size_t first_arg = master_ent_options_end(ent);

    for (size_t a = 0; a < ent->args->argc; a++) {
        if (a == first_arg)
            word = mystrdup(ent->args->argv[a]); /* as Postfix: bare */
        else
            pcf_format_arg(ent->args->argv[a], &word);
        if (a > 0)
            vstring_addch(buf, ' ');
        vstring_strcat(buf, word);
        myfree(word);
    }
    return vstring_export(buf);
}

void pcf_show_master_fields(int mode, char **filters)
{
    VSTRING *name = vstring_alloc(100);

    for (MASTER_ENT *ent = pcf_master_list; ent; ent = ent->next) {
        const char *rest;

        if (!pcf_selected(ent, filters, &rest))
            continue;
        for (int i = 0; i < MASTER_FIELD_COUNT; i++) {
            char *value;

            if (rest && strcmp(rest, master_ent_field_names[i]) != 0)
                continue;
            vstring_sprintf(name, "%s/%s/%s", MASTER_ENT_SERVICE(ent), MASTER_ENT_TYPE(ent),
                            master_ent_field_names[i]);
            if (i == MASTER_FIELD_COUNT - 1 && (mode & PCF_FOLD_LINE) &&
                (mode & (PCF_HIDE_NAME | PCF_HIDE_VALUE)) == 0) {
                /* Folded like -Mf: every -o on a line of its own. */
                printf("%s = %s", vstring_str(name), ent->args->argv[0]);
                pcf_print_args(stdout, mode, VSTRING_LEN(name) + 3 + strlen(ent->args->argv[0]),
                               ent);
                continue;
            }
            value = i < MASTER_FIELD_COUNT - 1 ? mystrdup(ent->field[i]) : pcf_command_text(ent);
            if (i == MASTER_FIELD_COUNT - 1 && (mode & PCF_HIDE_VALUE) == 0) {
                /* The command line as is: Postfix keeps its spacing. */
                if (mode & PCF_HIDE_NAME)
                    printf("%s\n", value);
                else
                    printf("%s = %s\n", vstring_str(name), value);
            } else {
                pcf_print_param(stdout, mode, vstring_str(name), value);
            }
            myfree(value);
        }
    }
    vstring_free(name);
    pcf_report_unmatched(filters);
}

static int pcf_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void pcf_show_master_params(int mode, char **filters)
{
    VSTRING *full = vstring_alloc(100);

    for (MASTER_ENT *ent = pcf_master_list; ent; ent = ent->next) {
        ARGV *names;
        ARGV *values;
        const char *rest;

        if (!pcf_selected(ent, filters, &rest))
            continue;
        names = argv_alloc(4);
        values = argv_alloc(4);
        for (size_t a = 1, end = master_ent_options_end(ent); a + 1 < end; a++) {
            char *n;
            char *v;

            if (strcmp(ent->args->argv[a], "-o") != 0)
                continue;
            a++;
            if (!master_ent_option(ent->args->argv[a], &n, &v))
                continue;
            /* Last one wins, as for the daemon. */
            for (size_t k = 0; k < names->argc; k++) {
                if (strcmp(names->argv[k], n) == 0) {
                    argv_delete(names, k, 1);
                    argv_delete(values, k, 1);
                    break;
                }
            }
            argv_add(names, n);
            argv_add(values, v);
            myfree(n);
            myfree(v);
        }
        /* Sort by name, carrying the values along. */
        {
            ARGV *sorted = argv_alloc(names->argc + 1);

            for (size_t k = 0; k < names->argc; k++)
                argv_add(sorted, names->argv[k]);
            qsort(sorted->argv, sorted->argc, sizeof(char *), pcf_cmp_str);
            for (size_t k = 0; k < sorted->argc; k++) {
                for (size_t j = 0; j < names->argc; j++) {
                    if (strcmp(names->argv[j], sorted->argv[k]) != 0)
                        continue;
                    if (rest == 0 || strcmp(rest, names->argv[j]) == 0) {
                        const char *value = values->argv[j];

                        if (mode & PCF_SHOW_EVAL)
                            value = mail_conf_expand(value);
                        vstring_sprintf(full, "%s/%s/%s", MASTER_ENT_SERVICE(ent),
                                        MASTER_ENT_TYPE(ent), names->argv[j]);
                        pcf_print_param(stdout, mode, vstring_str(full), value);
                    }
                    break;
                }
            }
            argv_free(sorted);
        }
        argv_free(names);
        argv_free(values);
    }
    vstring_free(full);
    pcf_report_unmatched(filters);
}
