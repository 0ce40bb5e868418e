/*
 * local_addr - take a recipient address apart the way local(8) does.
 *
 *   local_addr_split(addr, delimiters, &parts)
 *       addr is the recipient in internal form ("Paco+Ext@host").  Fills:
 *         local      the local part, lowercased ("paco+ext"); the domain
 *                    is dropped: qmgr sends local only what resolved to it
 *         user       local without the extension ("paco"): the name looked
 *                    up in the passwd database
 *         extension  what follows the first delimiter character ("ext"),
 *                    or null when recipient_delimiter is empty, no
 *                    delimiter occurs, or splitting would leave an empty
 *                    user name; also null for the names that must never
 *                    be split: postmaster, mailer-daemon, and with "-" as
 *                    a delimiter owner-* and *-request (list conventions)
 *         delim      the delimiter character that was found, or 0
 *       The strings are private copies; local_addr_free() releases them.
 *
 * Nothing here fails: any string is some local part.
 */
#ifndef POSTERN_LOCAL_ADDR_H
#define POSTERN_LOCAL_ADDR_H

typedef struct LOCAL_ADDR {
    char *local;
    char *user;
    char *extension;
    int delim;
} LOCAL_ADDR;

extern void local_addr_split(const char *addr, const char *delimiters, LOCAL_ADDR *parts);
extern void local_addr_free(LOCAL_ADDR *parts);

#endif
