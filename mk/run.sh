#!/bin/sh
# run.sh BUILD: start a self-contained Postern instance under ./run/.
set -e
build=$1
if [ ! -x "$build/bin/master" ]; then
    echo "make run: the mail pipeline (master and the delivery daemons) is not built yet;" >&2
    echo "there is no instance to start. Available now: $build/bin/postconf, postmap, postalias." >&2
    exit 1
fi
exec sh mk/instance.sh "$build"
