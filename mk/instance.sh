#!/bin/sh
# instance.sh BUILD: run a self-contained Postern instance in the foreground.
#
# Everything lives in ./run/ (made on the first run, refreshed on the next):
#   run/conf/main.cf, master.cf   the embedded default configuration below
#   run/bin/                      copies of BUILD/bin (command_directory and
#                                 daemon_directory; postdrop and postqueue
#                                 set-gid postdrop, as installed)
#   run/queue/                    queue_directory ("postfix check" makes it)
#   run/mail/USER                 local users' mailboxes (mbox, mode 1777 dir)
#   run/maillog                   the log
#   run/sendmail, run/mailq, run/postfix, run/postqueue, run/postcat
#                                 wrappers that pass -c/-C run/conf
# The instance accepts local submissions (run/sendmail) and delivers mail for
# local users (mydestination = $myhostname, localhost) to run/mail/; mail
# for other domains is returned ("default_transport = error"), so nothing
# leaves the machine.  With an smtpd built, it also listens on 127.0.0.1:2525.
#
# "postfix start-fg" runs master in the foreground; Ctrl-C (SIGINT) stops it
# cleanly.  Needs root and the accounts postfix / postdrop (created the way
# mk/install.sh does when missing).
set -eu
build=$1
top=$(pwd)
run=$top/run

if ! getent group postdrop >/dev/null; then
    groupadd --system postdrop
fi
if ! getent passwd postfix >/dev/null; then
    getent group postfix >/dev/null || groupadd --system postfix
    useradd --system --gid postfix --home-dir /nonexistent --no-create-home \
        --shell /usr/sbin/nologin postfix
fi

mkdir -p "$run/conf" "$run/bin" "$run/queue" "$run/mail" "$run/data"
chmod 1777 "$run/mail"
chown postfix "$run/data"
chmod 700 "$run/data"
for f in "$build"/bin/*; do
    install -m 755 "$f" "$run/bin/"
done
for p in postdrop postqueue; do
    chgrp postdrop "$run/bin/$p"
    chmod 2755 "$run/bin/$p"
done

host=$(hostname 2>/dev/null || echo localhost)
case $host in *.*) ;; *) host=$host.localdomain ;; esac

cat > "$run/conf/main.cf" <<CF
# main.cf of "make run" (written by mk/instance.sh; edits are lost at the next run)
compatibility_level = 3.6
config_directory = $run/conf
queue_directory = $run/queue
data_directory = $run/data
command_directory = $run/bin
daemon_directory = $run/bin
mail_owner = postfix
setgid_group = postdrop
myhostname = $host
mydestination = \$myhostname, localhost.\$mydomain, localhost
inet_interfaces = loopback-only
mynetworks = 127.0.0.0/8 [::1]/128
mail_spool_directory = $run/mail
home_mailbox =
mailbox_command =
alias_maps =
alias_database =
biff = no
default_transport = error:make run delivers local mail only
relay_transport = error:make run delivers local mail only
maillog_file = $run/maillog
maillog_file_prefixes = $run
sendmail_path = $run/sendmail
mailq_path = $run/mailq
newaliases_path = $run/newaliases
CF

{
    echo "# master.cf of \"make run\" (written by mk/instance.sh)"
    echo "# service type  private unpriv chroot wakeup maxproc command"
    if [ -x "$build/bin/smtpd" ]; then
        echo "127.0.0.1:2525 inet n - n - - smtpd"
    fi
    cat <<'MC'
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
postlog   unix-dgram n  -       n       -       1       postlogd
MC
} > "$run/conf/master.cf"

for w in sendmail:-bm mailq:-bp newaliases:-bi; do
    printf '#!/bin/sh\nexec "%s/bin/sendmail" -C "%s/conf" %s "$@"\n' "$run" "$run" "${w#*:}" \
        > "$run/${w%%:*}"
done
for w in postfix postqueue postcat postconf postsuper; do
    printf '#!/bin/sh\nexec "%s/bin/%s" -c "%s/conf" "$@"\n' "$run" "$w" "$run" > "$run/$w"
done
chmod 755 "$run/sendmail" "$run/mailq" "$run/newaliases" "$run/postfix" "$run/postqueue" \
    "$run/postcat" "$run/postconf" "$run/postsuper"

# A master left over from an earlier run (killed terminal) is stopped first.
"$run/postfix" status >/dev/null 2>&1 && "$run/postfix" stop || true

cat <<MSG
Postern is starting in the foreground (Ctrl-C stops it).
  configuration  run/conf/main.cf, run/conf/master.cf
  queue          run/queue          log  run/maillog
Send a first message from another terminal:
  printf 'Subject: hello\n\nfirst message\n' | ./run/sendmail root
It lands in run/mail/root (an mbox file); the queue: ./run/mailq
MSG
exec "$run/postfix" start-fg
