/*
 * user_acl - the authorized_*_users checks; see user_acl.h.
 */
#include <pwd.h>
#include <string.h>

#include "match_list.h"
#include "msg.h"
#include "mymalloc.h"
#include "user_acl.h"

const char *user_acl_denied(const char *param, const char *acl, uid_t uid)
{
    static char *name;
    struct passwd *pw;
    MATCH_LIST *list;
    int verdict;

    myfree(name);
    name = mystrdup((pw = getpwuid(uid)) != 0 ? pw->pw_name : "unknown");
    list = match_list_create(param, acl, 0);
    verdict = match_list_match(list, name);
    match_list_free(list);
    if (verdict < 0)
        msg_warn("%s: cannot decide about user %s(%ld): access denied", param, name, (long)uid);
    return verdict > 0 ? 0 : name;
}
