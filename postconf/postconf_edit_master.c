/*
 * postconf_edit_master - postconf -Me, -MX, -M#, -Fe, -Pe and -PX.
 *
 *   -Me "service/type = entry"          replace the entry, or append it
 *   -MX service/type, -M# service/type  remove / comment out the entry
 *   -Fe "service/type/field = value"    change one field (command: the
 *                                       whole command line)
 *   -Pe "service/type/name = value"     set a -o parameter (added after the
 *                                       daemon options when new)
 *   -PX service/type/name               remove a -o parameter
 *
 * Entries that change are rewritten in postconf -Mf layout; everything else,
 * comment lines inside an entry included, stays as it was.  As in Postfix, a
 * replaced entry (-Me) takes the place of its first line and an edited one
 * (-Fe, -Pe, -PX) the place of its last line.  The file is replaced
 * atomically (see postconf_edit.c).
 *
 * What can go wrong: a request without service/type, an unknown field name,
 * white space in a non-command field or in a -Pe value, a replacement entry
 * that does not parse: all fatal, before master.cf is touched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "argv.h"
#include "master_ent.h"
#include "msg.h"
#include "mymalloc.h"
#include "postconf.h"
#include "stringops.h"
#include "vstring.h"

#define PCF_ACT_NONE    0
#define PCF_ACT_REPLACE 1 /* print new at first line */
#define PCF_ACT_EDITED  2 /* print changed at last line */
#define PCF_ACT_DELETE  3
#define PCF_ACT_COMMENT 4

typedef struct PCF_MEDIT {
    MASTER_ENT *ent;
    int action;
    MASTER_ENT *replacement; /* PCF_ACT_REPLACE */
} PCF_MEDIT;

/* pcf_split_request - "key = value" or "key"; both trimmed, copies */
static void pcf_split_request(const char *arg, int want_value, char **key, char **value)
{
    const char *eq = strchr(arg, '=');
    char *k;

    if (strchr(arg, '\n'))
        msg_fatal("%s accepts no multi-line input", "-Me, -Fe, -Pe, -MX, -M#, or -PX");
    if (want_value && eq == 0)
        msg_fatal("missing '=' after name: \"%s\"", arg);
    k = want_value ? mystrndup(arg, (size_t)(eq - arg)) : mystrdup(arg);
    if (!want_value && strchr(k, '=') != 0)
        *strchr(k, '=') = 0;
    *key = mystrdup(k + strspn(k, CHARS_SPACE));
    trimblanks(*key);
    myfree(k);
    if (want_value) {
        *value = mystrdup(eq + 1 + strspn(eq + 1, CHARS_SPACE));
        trimblanks(*value);
    } else {
        *value = 0;
    }
}

/* pcf_split_key - service/type[/rest]; rest null when absent */
static int pcf_split_key(const char *key, char **service, char **type, char **rest)
{
    const char *s1 = strchr(key, '/');
    const char *s2;

    if (s1 == 0 || s1 == key || s1[1] == 0 || s1[1] == '/')
        return 0;
    s2 = strchr(s1 + 1, '/');
    *service = mystrndup(key, (size_t)(s1 - key));
    *type = s2 ? mystrndup(s1 + 1, (size_t)(s2 - s1 - 1)) : mystrdup(s1 + 1);
    *rest = s2 && s2[1] ? mystrdup(s2 + 1) : 0;
    return 1;
}

static PCF_MEDIT *pcf_find(PCF_MEDIT *edits, size_t count, const char *service, const char *type)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(MASTER_ENT_SERVICE(edits[i].ent), service) == 0 &&
            strcmp(MASTER_ENT_TYPE(edits[i].ent), type) == 0)
            return &edits[i];
    return 0;
}

/* pcf_parse_one - one entry from text, fatal unless exactly one */
static MASTER_ENT *pcf_parse_one(const char *text)
{
    MASTER_ENT *ent;
    VSTRING *why = vstring_alloc(100);

    if (master_ent_parse(text, strlen(text), "command line", &ent, why) < 0)
        msg_fatal("%s", vstring_str(why));
    if (ent == 0 || ent->next != 0)
        msg_fatal("expected one master.cf entry: \"%s\"", text);
    vstring_free(why);
    return ent;
}

/* pcf_set_param - -Pe / -PX on one entry; returns nonzero if it changed */
static int pcf_set_param(MASTER_ENT *ent, const char *name, const char *value)
{
    int changed = 0;

    size_t end = master_ent_options_end(ent);

    for (size_t a = 1; a + 1 < end; a++) {
        char *n;
        char *v;

        if (strcmp(ent->args->argv[a], "-o") != 0)
            continue;
        if (!master_ent_option(ent->args->argv[a + 1], &n, &v)) {
            a++;
            continue;
        }
        if (strcmp(n, name) == 0) {
            if (value) {
                VSTRING *buf = vstring_alloc(100);

                vstring_sprintf(buf, "%s=%s", name, value);
                myfree(ent->args->argv[a + 1]);
                ent->args->argv[a + 1] = vstring_export(buf);
                value = 0; /* done; later duplicates go */
                a++;
            } else {
                argv_delete(ent->args, a, 2);
                end -= 2;
                a--;
            }
            changed = 1;
        } else {
            a++;
        }
        myfree(n);
        myfree(v);
    }
    if (value) {
        VSTRING *buf = vstring_alloc(100);
        size_t where = master_ent_options_end(ent);

        vstring_sprintf(buf, "%s=%s", name, value);
        argv_insert(ent->args, where, vstring_str(buf));
        argv_insert(ent->args, where, "-o");
        vstring_free(buf);
        changed = 1;
    }
    return changed;
}

/* pcf_format_entry - an entry in -Mf layout */
static void pcf_format_entry(VSTRING *out, const MASTER_ENT *ent)
{
    char *buf = 0;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);

    if (fp == 0)
        msg_fatal("open_memstream: %m");
    pcf_print_master_entry(fp, PCF_FOLD_LINE, ent);
    if (fclose(fp) != 0)
        msg_fatal("open_memstream: %m");
    vstring_memcat(out, buf, len);
    free(buf);
}

void pcf_edit_master(int cmd, int what, char **args)
{
    const char *path = pcf_master_path();
    VSTRING *text;
    VSTRING *out = vstring_alloc(4096);
    VSTRING *why = vstring_alloc(100);
    MASTER_ENT *list;
    MASTER_ENT *added = 0;
    MASTER_ENT **added_tail = &added;
    PCF_MEDIT *edits;
    size_t count = 0;
    struct stat st;
    int exists;
    int lock_fd;

    if (*args == 0)
        msg_fatal("-Me, -Fe, -Pe, -MX, -M#, or -PX requires a list of services or parameters");
    if (cmd == PCF_EDIT_COMMENT && what != PCF_MASTER_EDIT_ENTRY)
        msg_fatal("-F# and -P# are not supported");
    if (cmd == PCF_EDIT_EXCLUDE && what == PCF_MASTER_EDIT_FIELD)
        msg_fatal("-FX is not supported");
    st.st_mode = 0644;
    lock_fd = pcf_edit_lock(path);
    text = pcf_read_all(path, &st, &exists);
    if (!exists) {
        pcf_edit_abort(lock_fd, path);
        msg_fatal("open %s: No such file or directory", path);
    }
    if (master_ent_parse(vstring_str(text), VSTRING_LEN(text), path, &list, why) < 0)
        msg_fatal("%s", vstring_str(why));
    for (MASTER_ENT *e = list; e; e = e->next)
        count++;
    edits = mycalloc(count + 1, sizeof(*edits));
    count = 0;
    for (MASTER_ENT *e = list; e; e = e->next)
        edits[count++].ent = e;

    for (; *args; args++) {
        char *key, *value, *service, *type, *rest;
        PCF_MEDIT *m;

        pcf_split_request(*args, cmd == PCF_EDIT_SET, &key, &value);
        if (!pcf_split_key(key, &service, &type, &rest) ||
            (what != PCF_MASTER_EDIT_ENTRY && rest == 0) ||
            (what == PCF_MASTER_EDIT_ENTRY && rest != 0))
            msg_fatal("%s requires %s",
                      what == PCF_MASTER_EDIT_ENTRY   ? "-Me, -MX or -M#"
                      : what == PCF_MASTER_EDIT_FIELD ? "-Fe"
                                                      : "-Pe or -PX",
                      what == PCF_MASTER_EDIT_ENTRY   ? "service_name/type"
                      : what == PCF_MASTER_EDIT_FIELD ? "service_name/type/field_name"
                                                      : "service_name/type/parameter_name");
        m = pcf_find(edits, count, service, type);
        switch (what) {
        case PCF_MASTER_EDIT_ENTRY:
            if (cmd == PCF_EDIT_SET) {
                MASTER_ENT *ent = pcf_parse_one(value);

                if (strcmp(MASTER_ENT_SERVICE(ent), service) != 0 ||
                    strcmp(MASTER_ENT_TYPE(ent), type) != 0)
                    msg_fatal("entry \"%s\" does not match \"%s/%s\"", value, service, type);
                if (m) {
                    if (m->replacement)
                        master_ent_free(m->replacement);
                    m->action = PCF_ACT_REPLACE;
                    m->replacement = ent;
                } else {
                    *added_tail = ent;
                    added_tail = &ent->next;
                }
            } else if (m) {
                m->action = cmd == PCF_EDIT_EXCLUDE ? PCF_ACT_DELETE : PCF_ACT_COMMENT;
            } else {
                msg_warn("unmatched request: \"%s\"", key);
            }
            break;
        case PCF_MASTER_EDIT_FIELD: {
            int field = -1;

            for (int i = 0; i < MASTER_FIELD_COUNT; i++)
                if (strcmp(rest, master_ent_field_names[i]) == 0)
                    field = i;
            if (field < 0)
                msg_fatal("invalid service attribute name: \"%s\"", rest);
            if (field < MASTER_FIELD_COUNT - 1 && value[strcspn(value, CHARS_SPACE)] != 0)
                msg_fatal("-Fe does not accept whitespace in non-command field");
            if (m == 0) {
                msg_warn("unmatched request: \"%s\"", key);
                break;
            }
            {
                /* Check the result by parsing the whole entry again. */
                VSTRING *line = vstring_alloc(100);
                MASTER_ENT *ent;

                for (int i = 0; i < MASTER_FIELD_COUNT - 1; i++)
                    vstring_sprintf_append(line, "%s ", i == field ? value : m->ent->field[i]);
                if (field == MASTER_FIELD_COUNT - 1) {
                    vstring_strcat(line, value);
                } else {
                    for (size_t a = 0; a < m->ent->args->argc; a++) {
                        char *word;

                        pcf_format_arg(m->ent->args->argv[a], &word);
                        vstring_sprintf_append(line, "%s%s", a ? " " : "", word);
                        myfree(word);
                    }
                }
                ent = pcf_parse_one(vstring_str(line));
                vstring_free(line);
                for (int i = 0; i < MASTER_FIELD_COUNT - 1; i++) {
                    myfree(m->ent->field[i]);
                    m->ent->field[i] = mystrdup(ent->field[i]);
                }
                argv_free(m->ent->args);
                m->ent->args = ent->args;
                ent->args = argv_alloc(1);
                master_ent_free(ent);
                if (m->action == PCF_ACT_NONE)
                    m->action = PCF_ACT_EDITED;
            }
            break;
        }
        case PCF_MASTER_EDIT_PARAM:
            if (value && value[strcspn(value, CHARS_SPACE)] != 0)
                msg_fatal("-Pe does not accept whitespace in parameter value");
            if (strchr(rest, '*'))
                msg_fatal("-Pe does not accept wild-card parameter name");
            if (m == 0) {
                msg_warn("unmatched request: \"%s\"", key);
                break;
            }
            if (pcf_set_param(m->ent, rest, value) && m->action == PCF_ACT_NONE)
                m->action = PCF_ACT_EDITED;
            break;
        default:
            msg_panic("pcf_edit_master: bad request type %d", what);
        }
        myfree(key);
        if (value)
            myfree(value);
        myfree(service);
        myfree(type);
        if (rest)
            myfree(rest);
    }

    /* Rewrite, line by line. */
    {
        const char *bol = vstring_str(text);
        const char *end = vstring_end(text);
        int lineno = 0;

        while (bol < end) {
            const char *eol = memchr(bol, '\n', (size_t)(end - bol));
            size_t len = (size_t)((eol ? eol : end) - bol);
            const char *cp = bol;
            PCF_MEDIT *m = 0;

            lineno++;
            while (cp < bol + len && (*cp == ' ' || *cp == '\t' || *cp == '\r'))
                cp++;
            if (cp < bol + len && *cp != '#') {
                for (size_t i = 0; i < count; i++) {
                    if (lineno >= edits[i].ent->lineno && lineno <= edits[i].ent->last_lineno) {
                        m = &edits[i];
                        break;
                    }
                }
            }
            if (m == 0 || m->action == PCF_ACT_NONE) {
                vstring_memcat(out, bol, len);
                vstring_addch(out, '\n');
            } else if (m->action == PCF_ACT_COMMENT) {
                vstring_addch(out, '#');
                vstring_memcat(out, bol, len);
                vstring_addch(out, '\n');
            } else if (m->action == PCF_ACT_REPLACE && lineno == m->ent->lineno) {
                pcf_format_entry(out, m->replacement);
            } else if (m->action == PCF_ACT_EDITED && lineno == m->ent->last_lineno) {
                pcf_format_entry(out, m->ent);
            }
            bol = eol ? eol + 1 : end;
        }
    }
    for (MASTER_ENT *e = added; e; e = e->next)
        pcf_format_entry(out, e);
    pcf_write_atomic(lock_fd, path, vstring_str(out), VSTRING_LEN(out), st.st_mode & 07777);

    for (size_t i = 0; i < count; i++)
        if (edits[i].replacement)
            master_ent_free(edits[i].replacement);
    myfree(edits);
    master_ent_free(list);
    master_ent_free(added);
    vstring_free(text);
    vstring_free(out);
    vstring_free(why);
}
