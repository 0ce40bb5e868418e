/*
 * cleanup_checks - header_checks, mime_header_checks, nested_header_checks
 * and body_checks: look a header or body line up in a pattern table and act
 * on the answer, logging each action as Postfix does:
 *
 *   ID: reject: header Subject: xx from local; from=<s> to=<r>: 5.7.1 text
 *   ID: hold: body some line from host[1.2.3.4]; from=<s> to=<r> proto=ESMTP helo=<h>
 *
 *   cleanup_checks_apply(state, maps, what, text, prepend)
 *       what is "header" or "body"; text is the header (folded lines
 *       joined with newlines) or the body line.  Returns CLEANUP_CHECK_DROP
 *       when the text must not be written (IGNORE), else CLEANUP_CHECK_KEEP;
 *       REPLACE changes text in place, PREPEND puts its line into prepend
 *       (to be written before text).  REJECT records CLEANUP_STAT_CONT
 *       with "5.7.1 text" (the text may bring its own X.Y.Z code), HOLD,
 *       DISCARD, REDIRECT, FILTER and BCC are remembered in the state and
 *       applied when the message is complete.  WARN and INFO only log.
 *       DUNNO, OK and PASS do nothing.  A table that cannot answer defers
 *       the message (CLEANUP_STAT_WRITE, as Postfix: "queue file write
 *       error", try again).  An unknown action is logged
 *       and ignored.
 *   cleanup_log_action(state, action, what, text, optional)
 *       the log line above; optional may be null or empty.
 */
#include <ctype.h>
#include <string.h>

#include "cleanup.h"

#include "cleanup_user.h"
#include "msg.h"
#include "mymalloc.h"

void cleanup_log_action(CLEANUP_STATE *state, const char *action, const char *what,
                        const char *text, const char *optional)
{
    VSTRING *buf = vstring_alloc(200);
    const char *cp;
    size_t n = 0;

    /* At most 200 bytes of the text, one line in the log. */
    for (cp = text; *cp && n < 200; cp++, n++)
        vstring_addch(buf, (*cp == '\n' || *cp == '\r') ? ' ' : *cp);
    if (state->log_proto && *state->log_proto)
        vstring_sprintf_append(buf, " proto=%s", state->log_proto);
    if (state->log_helo && *state->log_helo)
        vstring_sprintf_append(buf, " helo=<%s>", state->log_helo);
    msg_info("%s: %s: %s %.*s from %s; from=<%s>%s%s%s%s%s%s", cleanup_id(state), action, what,
             (int)n, vstring_str(buf), state->origin ? state->origin : "local",
             state->sender ? state->sender : "", state->first_rcpt ? " to=<" : "",
             state->first_rcpt ? state->first_rcpt : "", state->first_rcpt ? ">" : "",
             vstring_str(buf) + n, optional && *optional ? ": " : "",
             optional && *optional ? optional : "");
    vstring_free(buf);
}

/* cleanup_has_dsn - text starts with an X.Y.Z status code and a space */

static int cleanup_has_dsn(const char *text)
{
    const char *cp = text;
    int n;

    if (*cp != '4' && *cp != '5')
        return 0;
    cp++;
    for (int part = 0; part < 2; part++) {
        if (*cp++ != '.')
            return 0;
        for (n = 0; isdigit((unsigned char)*cp) && n < 4; n++)
            cp++;
        if (n == 0 || n > 3)
            return 0;
    }
    return *cp == ' ';
}

int cleanup_checks_apply(CLEANUP_STATE *state, MAPS *maps, const char *what,
                         VSTRING *text, VSTRING *prepend)
{
    const char *value;
    char *copy;
    char *cmd;
    char *arg;
    int ret = CLEANUP_CHECK_KEEP;
    int st;

    if (maps == 0 || maps_empty(maps))
        return ret;
    st = maps_find(maps, vstring_str(text), MAPS_FIND_ALL, &value);
    if (st == DICT_STAT_FAIL) {
        msg_warn("%s: %s map lookup problem -- message not accepted, try again later",
                 cleanup_id(state), maps_title(maps));
        cleanup_set_error(state, CLEANUP_STAT_WRITE, 0);
        return ret;
    }
    if (st != DICT_STAT_FOUND)
        return ret;

    copy = mystrdup(value);
    cmd = copy;
    while (*cmd == ' ' || *cmd == '\t')
        cmd++;
    for (arg = cmd; *arg && *arg != ' ' && *arg != '\t'; arg++)
        ;
    if (*arg)
        *arg++ = 0;
    while (*arg == ' ' || *arg == '\t')
        arg++;

    if (strcasecmp(cmd, "REJECT") == 0) {
        VSTRING *why = vstring_alloc(100);

        if (*arg == 0)
            vstring_strcpy(why, "5.7.1 message content rejected");
        else if (cleanup_has_dsn(arg))
            vstring_strcpy(why, arg);
        else
            vstring_sprintf(why, "5.7.1 %s", arg);
        cleanup_log_action(state, "reject", what, vstring_str(text), vstring_str(why));
        cleanup_set_error(state, CLEANUP_STAT_CONT, vstring_str(why));
        vstring_free(why);
    } else if (strcasecmp(cmd, "DISCARD") == 0) {
        cleanup_log_action(state, "discard", what, vstring_str(text), arg);
        state->discard = 1;
    } else if (strcasecmp(cmd, "HOLD") == 0) {
        cleanup_log_action(state, "hold", what, vstring_str(text), arg);
        state->hold = 1;
    } else if (strcasecmp(cmd, "WARN") == 0) {
        cleanup_log_action(state, "warning", what, vstring_str(text), arg);
    } else if (strcasecmp(cmd, "INFO") == 0) {
        cleanup_log_action(state, "info", what, vstring_str(text), arg);
    } else if (strcasecmp(cmd, "IGNORE") == 0) {
        ret = CLEANUP_CHECK_DROP;
    } else if (strcasecmp(cmd, "REPLACE") == 0 && *arg) {
        cleanup_log_action(state, "replace", what, vstring_str(text), arg);
        vstring_strcpy(text, arg);
    } else if (strcasecmp(cmd, "PREPEND") == 0 && *arg) {
        cleanup_log_action(state, "prepend", what, vstring_str(text), arg);
        if (prepend)
            vstring_strcpy(prepend, arg);
    } else if (strcasecmp(cmd, "REDIRECT") == 0 && *arg) {
        cleanup_log_action(state, "redirect", what, vstring_str(text), arg);
        myfree(state->redirect);
        state->redirect = mystrdup(arg);
    } else if (strcasecmp(cmd, "FILTER") == 0 && strchr(arg, ':')) {
        cleanup_log_action(state, "filter", what, vstring_str(text), arg);
        myfree(state->filter);
        state->filter = mystrdup(arg);
    } else if (strcasecmp(cmd, "BCC") == 0 && *arg) {
        if (strchr(arg, '@') == 0) {
            msg_warn("bad BCC address \"%s\" in %s map -- need user@domain", arg,
                     maps_title(maps));
        } else {
            cleanup_log_action(state, "bcc", what, vstring_str(text), arg);
            argv_add(state->bcc, arg);
        }
    } else if (strcasecmp(cmd, "DUNNO") == 0 || strcasecmp(cmd, "OK") == 0
               || strcasecmp(cmd, "PASS") == 0) {
        /* nothing */
    } else {
        msg_warn("unknown command in %s map: %s", maps_title(maps), value);
    }
    myfree(copy);
    return ret;
}
