#!/bin/sh
# install.sh DESTDIR BUILD "COMMANDS" "PROGRAMS": install a built Postern.
# Commands go to $DESTDIR/usr/sbin, daemons to $DESTDIR/usr/lib/postern,
# sample configuration to $DESTDIR/etc/postfix (never over an existing file),
# man pages to $DESTDIR/usr/share/man.
set -e
dest=$1 build=$2 commands=$3 programs=$4
install -d "$dest/usr/sbin" "$dest/usr/lib/postern" "$dest/etc/postfix" \
    "$dest/usr/share/man/man1" "$dest/usr/share/man/man5" "$dest/usr/share/man/man8"
for p in $programs; do
    case " $commands " in
    *" $p "*) install -m 755 "$build/bin/$p" "$dest/usr/sbin/$p" ;;
    *) install -m 755 "$build/bin/$p" "$dest/usr/lib/postern/$p" ;;
    esac
done
for f in conf/*; do
    [ -f "$f" ] || continue
    [ -e "$dest/etc/postfix/${f#conf/}" ] || install -m 644 "$f" "$dest/etc/postfix/"
done
for m in man/*.[158]; do
    [ -f "$m" ] || continue
    install -m 644 "$m" "$dest/usr/share/man/man${m##*.}/"
done
