/*
 * local_settings - the process-wide settings of the local delivery agent
 * (declared in local.h), in a file of their own so that unit tests can
 * link the delivery modules without local.c's main().
 */
#include "local.h"
#include "myflock.h"

uid_t local_owner_uid;
gid_t local_owner_gid;
int local_lock_mask = MYFLOCK_STYLE_FCNTL | MYFLOCK_STYLE_DOTLOCK;
const char *local_hostname = "localhost";
