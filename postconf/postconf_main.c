/*
 * postconf_main - the parameter side of postconf: which names exist, their
 * values, and warnings about names that nothing uses.
 *
 * Names come from three places, as in Postfix: the registry
 * (lib/global/params_*.def); per-transport parameters for every master.cf
 * service that runs a delivery agent (e.g. relay_destination_concurrency_limit
 * for "relay ... smtp"); and user-defined names set in main.cf or master.cf
 * that some other value references as $name.
 *
 * A main.cf name that is none of these gets Postfix's warning
 * "FILE: unused parameter: name=value", and Postern adds a second warning
 * with the closest known name when one is near ("did you mean ...?").
 * Values of registry parameters that do not convert to their type or are out
 * of bounds get a warning naming the file and line.  A parameter that main.cf
 * sets although Postern does not implement it yet gets "FILE: NAME is set,
 * but Postern does not implement it yet" (mail_params_unsupported.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argv.h"
#include "htable.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "mail_params_unsupported.h"
#include "master_ent.h"
#include "msg.h"
#include "mymalloc.h"
#include "postconf.h"
#include "vstring.h"

typedef struct PCF_PARAM {
    const MAIL_PARAM *reg;   /* registry row, or null */
    const char *svc_default; /* per-transport default, or null */
    int user_defined;        /* set by the user, referenced */
} PCF_PARAM;

static HTABLE *pcf_params;

static const char *const pcf_agents[] = {"smtp", "lmtp", "local", "virtual", "pipe", "error", 0};

static const char *const pcf_svc_params[][2] = {
    {"delivery_slot_cost", "$default_delivery_slot_cost"},
    {"delivery_slot_discount", "$default_delivery_slot_discount"},
    {"delivery_slot_loan", "$default_delivery_slot_loan"},
    {"destination_concurrency_failed_cohort_limit",
     "$default_destination_concurrency_failed_cohort_limit"},
    {"destination_concurrency_limit", "$default_destination_concurrency_limit"},
    {"destination_concurrency_negative_feedback",
     "$default_destination_concurrency_negative_feedback"},
    {"destination_concurrency_positive_feedback",
     "$default_destination_concurrency_positive_feedback"},
    {"destination_rate_delay", "$default_destination_rate_delay"},
    {"destination_recipient_limit", "$default_destination_recipient_limit"},
    {"extra_recipient_limit", "$default_extra_recipient_limit"},
    {"initial_destination_concurrency", "$initial_destination_concurrency"},
    {"minimum_delivery_slots", "$default_minimum_delivery_slots"},
    {"recipient_limit", "$default_recipient_limit"},
    {"recipient_refill_delay", "$default_recipient_refill_delay"},
    {"recipient_refill_limit", "$default_recipient_refill_limit"},
    {"transport_rate_delay", "$default_transport_rate_delay"},
    {0, 0},
};

static PCF_PARAM *pcf_param_add(const char *name)
{
    PCF_PARAM *pp;

    if ((pp = htable_find(pcf_params, name)) == 0) {
        pp = mycalloc(1, sizeof(*pp));
        htable_enter(pcf_params, name, pp);
    }
    return pp;
}

/* pcf_scan_refs - add every $name referenced in text to refs */
static void pcf_scan_refs(HTABLE *refs, const char *text)
{
    const char *cp = text;

    while ((cp = strchr(cp, '$')) != 0) {
        size_t len;

        cp++;
        if (*cp == '{' || *cp == '(')
            cp++;
        for (len = 0; cp[len] == '_' || (cp[len] >= 'a' && cp[len] <= 'z') ||
                      (cp[len] >= 'A' && cp[len] <= 'Z') || (cp[len] >= '0' && cp[len] <= '9');
             len++)
            /* void */;
        if (len > 0) {
            char *name = mystrndup(cp, len);

            if (htable_find(refs, name) == 0)
                htable_enter(refs, name, (void *)1);
            myfree(name);
        }
        cp += len;
    }
}

/* pcf_master_options - call fn for each -o name=value of each entry */
static void pcf_master_options(void (*fn)(const char *, const char *, void *), void *ctx)
{
    for (MASTER_ENT *ent = pcf_master_list; ent; ent = ent->next) {
        for (size_t a = 1, end = master_ent_options_end(ent); a + 1 < end; a++) {
            char *n;
            char *v;

            if (strcmp(ent->args->argv[a], "-o") != 0)
                continue;
            a++;
            if (master_ent_option(ent->args->argv[a], &n, &v)) {
                fn(n, v, ctx);
                myfree(n);
                myfree(v);
            }
        }
    }
}

static void pcf_scan_option(const char *name, const char *value, void *ctx)
{
    pcf_scan_refs((HTABLE *)ctx, value);
}

static HTABLE *pcf_master_opt_names;

static void pcf_note_option(const char *name, const char *value, void *ctx)
{
    if (htable_find(pcf_master_opt_names, name) == 0)
        htable_enter(pcf_master_opt_names, name, mystrdup(value));
}

void pcf_register_params(int mode)
{
    pcf_params = htable_create(2 * mail_param_count);
    for (size_t i = 0; i < mail_param_count; i++)
        pcf_param_add(mail_param_table[i].name)->reg = &mail_param_table[i];

    /* Per-transport parameters of delivery agents in master.cf. */
    for (MASTER_ENT *ent = pcf_master_list; ent; ent = ent->next) {
        int agent = 0;
        VSTRING *name;

        if (strcmp(MASTER_ENT_TYPE(ent), "unix") != 0)
            continue;
        for (int k = 0; pcf_agents[k]; k++)
            if (strcmp(ent->args->argv[0], pcf_agents[k]) == 0)
                agent = k + 1;
        if (!agent && strcmp(ent->args->argv[0], "spawn") != 0)
            continue;
        name = vstring_alloc(100);
        for (int k = 0; agent && pcf_svc_params[k][0]; k++) {
            vstring_sprintf(name, "%s_%s", MASTER_ENT_SERVICE(ent), pcf_svc_params[k][0]);
            if (htable_find(pcf_params, vstring_str(name)) == 0)
                pcf_param_add(vstring_str(name))->svc_default = pcf_svc_params[k][1];
        }
        if (strcmp(ent->args->argv[0], "pipe") == 0 || strcmp(ent->args->argv[0], "spawn") == 0) {
            vstring_sprintf(name, "%s_time_limit", MASTER_ENT_SERVICE(ent));
            if (htable_find(pcf_params, vstring_str(name)) == 0)
                pcf_param_add(vstring_str(name))->svc_default = "$command_time_limit";
        }
        vstring_free(name);
    }
    if (mode & PCF_SHOW_DEFS)
        return;

    /* User-defined names: set somewhere, referenced by a known value. */
    {
        HTABLE *refs = htable_create(100);
        ARGV *names = mail_conf_names();
        int changed = 1;

        pcf_master_opt_names = htable_create(10);
        pcf_master_options(pcf_note_option, 0);
        pcf_master_options(pcf_scan_option, refs);
        for (size_t i = 0; i < names->argc; i++)
            if (htable_find(pcf_params, names->argv[i]) != 0)
                pcf_scan_refs(refs, mail_conf_lookup(names->argv[i]));
        while (changed) {
            changed = 0;
            for (size_t i = 0; i < names->argc; i++) {
                const char *n = names->argv[i];

                if (htable_find(pcf_params, n) == 0 && htable_find(refs, n) != 0) {
                    pcf_param_add(n)->user_defined = 1;
                    pcf_scan_refs(refs, mail_conf_lookup(n));
                    changed = 1;
                }
            }
        }
        argv_free(names);
        htable_free(refs, 0);
    }
}

/* pcf_edit_distance - Levenshtein distance, bounded */
static size_t pcf_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t *row;
    size_t result;

    if (la > 200 || lb > 200)
        return (size_t)-1;
    row = mymalloc_array(lb + 1, sizeof(size_t));
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];

        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);

            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    result = row[lb];
    myfree(row);
    return result;
}

/* pcf_suggest - the registry name closest to a misspelled one, or null */
const char *pcf_suggest(const char *name)
{
    const char *best = 0;
    size_t best_dist = (size_t)-1;
    size_t limit = strlen(name) < 8 ? 1 : strlen(name) < 16 ? 2 : 3;

    for (size_t i = 0; i < mail_param_count; i++) {
        size_t d = pcf_edit_distance(name, mail_param_table[i].name);

        if (d < best_dist) {
            best_dist = d;
            best = mail_param_table[i].name;
        }
    }
    return best_dist <= limit ? best : 0;
}

static int pcf_cmp_name(const void *a, const void *b)
{
    return strcmp((*(HTABLE_INFO *const *)a)->key, (*(HTABLE_INFO *const *)b)->key);
}

static int pcf_is_readonly(const char *name)
{
    return strcmp(name, "process_name") == 0 || strcmp(name, "process_id") == 0 ||
           strcmp(name, "service_name") == 0;
}

/* pcf_raw_value - the text to show before expansion; null: do not show */
static const char *pcf_raw_value(int mode, const char *name, const PCF_PARAM *pp)
{
    const char *value;

    if (mode & PCF_SHOW_DEFS) {
        if (pp->reg)
            return mail_param_default(pp->reg);
        return pp->svc_default;
    }
    if ((value = mail_conf_lookup(name)) != 0 && !pcf_is_readonly(name))
        return value;
    if (mode & PCF_SHOW_NONDEF)
        return 0;
    if (pp->reg)
        return mail_param_default(pp->reg);
    return pp->svc_default;
}

static void pcf_show_one(int mode, const char *name, const PCF_PARAM *pp)
{
    const char *value = pcf_raw_value(mode, name, pp);
    VSTRING *out;
    VSTRING *why;

    if (value == 0)
        return;
    if ((mode & PCF_SHOW_EVAL) && !(pp->reg && pp->reg->type == MAIL_PARAM_RAW)) {
        int saved_flags = mail_conf_flags;
        int ret;

        out = vstring_alloc(100);
        why = vstring_alloc(100);
        /* Names in defaults are not the user's to define: no warnings. */
        if (mail_conf_lookup(name) == 0 || (mode & PCF_SHOW_DEFS))
            mail_conf_flags &= ~MAIL_CONF_FLAG_WARN_UNDEF;
        ret = mail_conf_expand_text(out, value, why);
        mail_conf_flags = saved_flags;
        if (ret < 0) {
            msg_warn("%s", vstring_str(why));
            msg_fatal("macro processing error");
        }
        pcf_print_param(stdout, mode, name, vstring_str(out));
        vstring_free(out);
        vstring_free(why);
    } else {
        pcf_print_param(stdout, mode, name, value);
    }
}

void pcf_show_params(int mode, char **names)
{
    PCF_PARAM *pp;

    if (names && *names) {
        for (; *names; names++) {
            if ((pp = htable_find(pcf_params, *names)) == 0) {
                msg_warn("%s: unknown parameter", *names);
                continue;
            }
            pcf_show_one(mode, *names, pp);
        }
        return;
    }
    {
        HTABLE_INFO **list = htable_list(pcf_params);
        size_t n = pcf_params->used;

        qsort(list, n, sizeof(*list), pcf_cmp_name);
        for (size_t i = 0; i < n; i++)
            pcf_show_one(mode, list[i]->key, (PCF_PARAM *)list[i]->value);
        myfree(list);
    }
}

/* pcf_check_value - Postern's type and bound check of a main.cf value */
static void pcf_check_value(const char *name, const MAIL_PARAM *p)
{
    VSTRING *out = vstring_alloc(100);
    VSTRING *why = vstring_alloc(100);
    const char *raw = mail_conf_lookup(name);
    const char *problem;
    long num;

    if (p->type == MAIL_PARAM_RAW) {
        problem = mail_param_check(p, raw, &num);
    } else if (mail_conf_expand_text(out, raw, why) < 0) {
        problem = 0; /* reported when the value is shown */
    } else {
        problem = mail_param_check(p, vstring_str(out), &num);
    }
    if (problem)
        msg_warn("%s, line %d: %s", mail_conf_file(), mail_conf_lineno(name), problem);
    vstring_free(out);
    vstring_free(why);
}

void pcf_flag_unused(int mode, int master_only)
{
    ARGV *names;
    const char *master = pcf_master_path();

    if (mode & PCF_SHOW_DEFS)
        return;
    if (!master_only)
        mail_params_warn_unsupported(); /* say what does not work yet */
    names = mail_conf_names();
    for (size_t i = 0; i < names->argc; i++) {
        const char *n = names->argv[i];
        PCF_PARAM *pp = htable_find(pcf_params, n);
        const char *hint;

        if (pp == 0) {
            if (master_only)
                continue; /* as Postfix: -M, -F, -P do not say */
            if (pcf_master_opt_names && htable_find(pcf_master_opt_names, n))
                continue;
            msg_warn("%s: unused parameter: %s=%s", mail_conf_file(), n, mail_conf_lookup(n));
            if (mail_conf_lineno(n) > 0 && (hint = pcf_suggest(n)) != 0)
                msg_warn("%s, line %d: unknown parameter \"%s\": did you mean \"%s\"?",
                         mail_conf_file(), mail_conf_lineno(n), n, hint);
        } else if (pcf_is_readonly(n)) {
            msg_warn("%s: read-only parameter assignment: %s=%s", mail_conf_file(), n,
                     mail_conf_lookup(n));
        } else if (pp->reg && mail_conf_lineno(n) > 0) {
            pcf_check_value(n, pp->reg);
        }
    }
    argv_free(names);

    /* master.cf -o names that nothing knows. */
    for (MASTER_ENT *ent = pcf_master_list; ent; ent = ent->next) {
        for (size_t a = 1, end = master_ent_options_end(ent); a + 1 < end; a++) {
            char *n;
            char *v;

            if (strcmp(ent->args->argv[a], "-o") != 0)
                continue;
            a++;
            if (!master_ent_option(ent->args->argv[a], &n, &v))
                continue;
            if (htable_find(pcf_params, n) == 0) {
                const char *hint;

                msg_warn("%s: unused parameter: %s=%s", master, n, v);
                if ((hint = pcf_suggest(n)) != 0)
                    msg_warn("%s, line %d: unknown parameter \"%s\": did you mean \"%s\"?", master,
                             ent->lineno, n, hint);
            }
            myfree(n);
            myfree(v);
        }
    }
}
