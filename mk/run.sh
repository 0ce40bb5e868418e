#!/bin/sh
# run.sh BUILD: start a self-contained Postern instance under ./run/ (make run).
# See mk/instance.sh for what it sets up.
set -e
build=$1
if [ "$(id -u)" != 0 ]; then
    echo "make run: must run as root (master runs as root and local delivery switches" >&2
    echo "to the recipient's user id)." >&2
    exit 1
fi
missing=
for p in master pickup cleanup qmgr trivial-rewrite bounce local postlogd showq postfix \
         sendmail postdrop postqueue; do
    [ -x "$build/bin/$p" ] || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "make run: the mail pipeline is not complete yet; not built:$missing." >&2
    echo "There is no instance to start. Available now: the commands in $build/bin." >&2
    exit 1
fi
exec sh mk/instance.sh "$build"
