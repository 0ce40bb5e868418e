/*
 * user_acl - may the user who runs a command do this?  The parameters
 * authorized_submit_users (sendmail, postdrop), authorized_mailq_users
 * (postqueue -p, mailq) and authorized_flush_users (postqueue -f/-s/-i).
 *
 *   user_acl_denied(param, acl, uid)
 *       null when uid may, else the login name to put in the error
 *       ("User NAME(UID) is not allowed to ...", as Postfix says), which is
 *       "unknown" for a uid without a passwd entry.  acl is a string list
 *       (match_list.h, flags 0) of login names: "!name", "/file" and
 *       "type:table" work as in every list; "static:anyone", the default,
 *       lets everyone.  A list that cannot be evaluated (a table fails)
 *       denies, with a warning: an access list fails closed.  param names
 *       the list in warnings.  The caller decides who is exempt (postqueue
 *       lets root and mail_owner; submission exempts nobody, as Postfix).
 */
#ifndef POSTERN_USER_ACL_H
#define POSTERN_USER_ACL_H

#include <sys/types.h>

extern const char *user_acl_denied(const char *param, const char *acl, uid_t uid);

#endif
