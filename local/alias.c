/*
 * alias - alias_maps expansion in the local delivery agent, as Postfix's
 * local(8) and aliases(5) describe it.
 *
 *   local_alias_init()
 *       Open alias_maps (called while privileged, before the first
 *       request, so that root-only tables can be read).
 *   local_alias(state, &status)
 *       Look up the recipient's local part in alias_maps: first the whole
 *       lowercased local part ("paco+ext"), then, when there is an
 *       extension, the part without it ("paco").  Returns 0 when no alias
 *       applies (the caller goes on to the mailbox), 1 when the recipient
 *       was handled here; status is then what local_deliver_address()
 *       returns (0 recorded as final, 1 deferred, -1 not recorded).
 *   local_alias_resolve(state, addr)
 *       Deliver to one address from an alias expansion: rewritten to
 *       canonical form and resolved by trivial-rewrite like qmgr does; an
 *       address for this transport is delivered recursively in this
 *       process (its own alias, then its mailbox).
 *
 * Postfix's loop protection, kept exactly so that the same alias loop
 * bounces at the same name: each recipient, alias and resolve step adds
 * one nesting level; an alias lookup deeper than 100 levels bounces 5.4.6
 * "alias database loop for NAME"; an alias that lists its own name
 * delivers to the user of that name instead (the "exp_from" rule); and a
 * per-request duplicate filter delivers the same address at the same
 * level only once (local.c).
 *
 * Outcomes, in Postfix's words:
 *   table lookup failure            4.3.0 "alias database unavailable"
 *   an alias with no address        the same, and a warning
 *   address verification            2.0.0 "aliased to VALUE"
 *
 * Not supported yet (each such target bounces 5.3.0 with an explicit
 * reason, and the rest of the alias is delivered; deferring would only
 * deliver the other members again at every retry, for days, before the
 * same bounce):
 *   "|command", "/file/name", ":include:/file" targets, and addresses
 *   that resolve to another transport (forwarding through cleanup).
 * When allow_mail_to_commands / allow_mail_to_files leave out "alias",
 * such targets bounce 5.7.1 "mail to command is restricted" / "mail to
 * file is restricted", as with Postfix.  owner-NAME aliases do not yet
 * replace the envelope sender.
 */
#include <string.h>
#include <strings.h>

#include "argv.h"
#include "deliver_request.h"
#include "dict.h"
#include "local.h"
#include "mail_params.h"
#include "maps.h"
#include "msg.h"
#include "mymalloc.h"
#include "rewrite_clnt.h"
#include "tok822.h"
#include "vstring.h"

#define LOCAL_ALIAS_MAX_LEVEL 100

static MAPS *local_alias_maps;

/* local_alias_init - see above */

void local_alias_init(void)
{
    local_alias_maps = maps_create("alias_maps", var_alias_maps,
                                   DICT_FLAG_LOCK | DICT_FLAG_PARANOID | DICT_FLAG_FOLD_FIX |
                                       DICT_FLAG_UTF8_REQUEST);
}

/* local_alias_allowed - is "alias" listed in allow_mail_to_commands/files? */

static int local_alias_allowed(const char *list)
{
    ARGV *argv = argv_split(list, ", \t\r\n");
    int found = 0;
    size_t i;

    for (i = 0; i < argv->argc; i++)
        if (strcasecmp(argv->argv[i], "alias") == 0)
            found = 1;
    argv_free(argv);
    return found;
}

/* local_alias_special - a |command, /file or :include: target */

static int local_alias_special(LOCAL_STATE *state, const char *token)
{
    const char *what;
    const char *list;

    if (strncasecmp(token, ":include:", 9) == 0) {
        /* Postfix checks include files against the file rules. */
        what = "include file";
        list = var_allow_mail_to_files;
    } else if (*token == '|') {
        what = "command";
        list = var_allow_mail_to_commands;
    } else {
        what = "file";
        list = var_allow_mail_to_files;
    }
    if (!local_alias_allowed(list))
        local_why_dsn(state->why, "5.7.1", "mail to %s is restricted",
                      strcmp(what, "command") == 0 ? "command" : "file");
    else
        local_why_dsn(state->why, "5.3.0",
                      "delivery to %s in an alias is not supported by this mail system yet: %s",
                      what, token);
    return local_record(state);
}

/* local_status_merge - the worst of two outcomes */

static int local_status_merge(int a, int b)
{
    if (a < 0 || b < 0)
        return -1;
    return a > b ? a : b;
}

/* local_alias_resolve - see above */

int local_alias_resolve(LOCAL_STATE *state, const char *addr)
{
    RESOLVE_REPLY reply;
    VSTRING *canon = vstring_alloc(100);
    const char *saved_address = state->address;
    int saved_level = state->level;
    int status;

    state->level++;
    rewrite_clnt_internal(REWRITE_LOCAL, addr, canon);
    resolve_clnt_init(&reply);
    resolve_clnt_query(vstring_str(canon), &reply);
    if (reply.flags & RESOLVE_FLAG_FAIL) {
        state->address = vstring_str(canon);
        local_why_dsn(state->why, "4.3.0", "address resolver failure");
        status = local_record(state);
    } else if (strcmp(vstring_str(reply.transport), state->service) == 0) {
        status = local_deliver_address(state, vstring_str(reply.recipient));
    } else {
        state->address = vstring_str(reply.recipient);
        local_why_dsn(state->why, "5.3.0",
                      "forwarding to a non-local address is not supported by this mail "
                      "system yet");
        status = local_record(state);
    }
    state->address = saved_address;
    state->level = saved_level;
    resolve_clnt_free(&reply);
    vstring_free(canon);
    return status;
}

/* local_alias_expand - deliver to every address of one alias value */

static int local_alias_expand(LOCAL_STATE *state, const char *name, const char *value)
{
    ARGV *list;
    int truncated = 0;
    int status = 0;
    size_t count = 0;
    size_t i;

    list = tok822_addr_list(value, 0, &truncated);
    for (i = 0; i < list->argc; i++) {
        const char *token = list->argv[i];

        if (*token == 0)
            continue;
        count++;
        if (*token == '|' || *token == '/' || strncasecmp(token, ":include:", 9) == 0)
            status = local_status_merge(status, local_alias_special(state, token));
        else
            status = local_status_merge(status, local_alias_resolve(state, token));
    }
    argv_free(list);
    if (count == 0) {
        msg_warn("no recipient in alias lookup result for %s", name);
        local_why_dsn(state->why, "4.3.0", "alias database unavailable");
        status = local_record(state);
    }
    return status;
}

/* local_alias_lookup - one name; 1 handled (status set), 0 not an alias */

static int local_alias_lookup(LOCAL_STATE *state, const char *name, int *status)
{
    const char *value;
    char *saved_value;
    const char *saved_exp_from = state->exp_from;
    int saved_level = state->level;

    /* An alias that lists its own name means the user of that name. */
    if (state->exp_from != 0 && strcasecmp(state->exp_from, name) == 0)
        return 0;
    state->level++;
    if (state->level > LOCAL_ALIAS_MAX_LEVEL) {
        msg_warn("alias database loop for %s", name);
        local_why_dsn(state->why, "5.4.6", "alias database loop for %s", name);
        *status = local_record(state);
        state->level = saved_level;
        return 1;
    }
    switch (maps_find(local_alias_maps, name, MAPS_FIND_ALL, &value)) {
    case DICT_STAT_NOTFOUND:
        state->level = saved_level;
        return 0;
    case DICT_STAT_FOUND:
        break;
    case DICT_STAT_FAIL:
    default:
        local_why_dsn(state->why, "4.3.0", "alias database unavailable");
        *status = local_record(state);
        state->level = saved_level;
        return 1;
    }

    saved_value = mystrdup(value); /* the next lookup may clobber it */
    if (state->request->flags & DEL_REQ_FLAG_MTA_VRFY) {
        local_why_dsn(state->why, "2.0.0", "aliased to %s", saved_value);
        *status = local_record(state);
    } else {
        state->exp_from = name;
        *status = local_alias_expand(state, name, saved_value);
    }
    myfree(saved_value);
    state->exp_from = saved_exp_from;
    state->level = saved_level;
    return 1;
}

/* local_alias - see above */

int local_alias(LOCAL_STATE *state, int *status)
{
    char *name;
    int done;

    if (maps_empty(local_alias_maps))
        return 0;
    /* Copies: a recursive delivery replaces state->addr. */
    name = mystrdup(state->addr.local);
    done = local_alias_lookup(state, name, status);
    myfree(name);
    if (done || state->addr.extension == 0)
        return done;
    name = mystrdup(state->addr.user);
    done = local_alias_lookup(state, name, status);
    myfree(name);
    return done;
}
