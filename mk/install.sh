#!/bin/sh
# install.sh DESTDIR BUILD "COMMANDS" "PROGRAMS": install a built Postern.
# Commands go to $DESTDIR/usr/sbin, daemons to $DESTDIR/usr/lib/postern,
# sample configuration and postfix-files to $DESTDIR/etc/postfix (never over
# an existing file), man pages to $DESTDIR/usr/share/man.  mailq and
# newaliases become links to sendmail in $DESTDIR/usr/bin (Debian's
# mailq_path and newaliases_path).  postdrop and postqueue are made
# root:postdrop mode 2755 (conf/postfix-files).
#
# Installing into the running system (empty DESTDIR), the mail_owner user
# "postfix" and the setgid_group "postdrop" are created when missing, the
# Debian way (a system group and a system user without a login shell, home
# /var/spool/postfix), and "postfix set-permissions" is left to the admin
# (it needs main.cf).  Into a staging DESTDIR no account is created; when
# the postdrop group does not exist there, the set-gid bits are set later
# by "postfix set-permissions" on the target system (a warning says so).
set -e
dest=$1 build=$2 commands=$3 programs=$4
install -d "$dest/usr/sbin" "$dest/usr/bin" "$dest/usr/lib/postern" "$dest/etc/postfix" \
    "$dest/usr/share/man/man1" "$dest/usr/share/man/man5" "$dest/usr/share/man/man8"

if [ -z "$dest" ] && [ "$(id -u)" = 0 ]; then
    if ! getent group postdrop >/dev/null; then
        groupadd --system postdrop
    fi
    if ! getent passwd postfix >/dev/null; then
        if command -v adduser >/dev/null; then
            adduser --quiet --system --group --home /var/spool/postfix --no-create-home \
                --disabled-login --gecos "Postfix MTA" postfix
        else
            groupadd --system postfix 2>/dev/null || true
            useradd --system --gid postfix --home-dir /var/spool/postfix --no-create-home \
                --shell /usr/sbin/nologin --comment "Postfix MTA" postfix
        fi
    fi
fi

for p in $programs; do
    case " $commands " in
    *" $p "*) install -m 755 "$build/bin/$p" "$dest/usr/sbin/$p" ;;
    *) install -m 755 "$build/bin/$p" "$dest/usr/lib/postern/$p" ;;
    esac
done
for p in postdrop postqueue; do
    [ -f "$dest/usr/sbin/$p" ] || continue
    if getent group postdrop >/dev/null && chgrp postdrop "$dest/usr/sbin/$p" 2>/dev/null; then
        chmod 2755 "$dest/usr/sbin/$p"
    else
        echo "install: warning: $p is not set-gid postdrop (no postdrop group here);" \
            "run 'postfix set-permissions' on the target system" >&2
    fi
done
if [ -f "$dest/usr/sbin/sendmail" ]; then
    ln -sf ../sbin/sendmail "$dest/usr/bin/mailq"
    ln -sf ../sbin/sendmail "$dest/usr/bin/newaliases"
fi
for f in conf/*; do
    [ -f "$f" ] || continue
    [ -e "$dest/etc/postfix/${f#conf/}" ] || install -m 644 "$f" "$dest/etc/postfix/"
done
for m in man/*.[158]; do
    [ -f "$m" ] || continue
    install -m 644 "$m" "$dest/usr/share/man/man${m##*.}/"
done
