#!/bin/sh
# testsetup.sh: prepare the machine for Postern's system tests (as root).
#
# Idempotent; creates only what is missing and touches nothing else:
#   group postdrop       (system group; setgid_group of every test instance)
#   user  postfix        (system user with its own group, home /nonexistent,
#                         no login shell; mail_owner of every test instance,
#                         like the account Debian's postfix package makes)
#   users paco, enrique  (ordinary local users with homes under /home, the
#                         recipients the system tests deliver to)
# Run by "make check" before the system tests.  A non-root caller gets a clear
# message and exit status 1.  Nothing here starts a service or edits /etc
# beyond what useradd/groupadd write.
set -eu

if [ "$(id -u)" != 0 ]; then
    echo "testsetup: must run as root to create the postfix/postdrop accounts and test users" >&2
    exit 1
fi

nologin=/usr/sbin/nologin
[ -x "$nologin" ] || nologin=/bin/false

if ! getent group postdrop >/dev/null; then
    groupadd --system postdrop
    echo "testsetup: created group postdrop" >&2
fi

if ! getent passwd postfix >/dev/null; then
    if getent group postfix >/dev/null; then
        useradd --system --gid postfix --home-dir /nonexistent --no-create-home \
            --shell "$nologin" --comment "Postfix MTA" postfix
    else
        useradd --system --user-group --home-dir /nonexistent --no-create-home \
            --shell "$nologin" --comment "Postfix MTA" postfix
    fi
    echo "testsetup: created user postfix" >&2
fi

for u in paco enrique; do
    if ! getent passwd "$u" >/dev/null; then
        useradd --create-home --home-dir "/home/$u" --shell /bin/sh \
            --comment "Postern test user" "$u"
        echo "testsetup: created user $u" >&2
    elif [ ! -d "/home/$u" ] && [ "$(getent passwd "$u" | cut -d: -f6)" = "/home/$u" ]; then
        # The account exists but its home was removed: recreate just the home.
        install -d -o "$u" -g "$(id -gn "$u")" -m 0755 "/home/$u"
    fi
done
exit 0
