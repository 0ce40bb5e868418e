#!/bin/sh
# Install the Debian 12 packages that building (and, with "check", testing)
# Postern needs, but only those that are missing.  Runs apt-get as root; a
# non-root caller gets a clear message naming the packages instead.
set -e
build="gcc make pkg-config libssl-dev libdb-dev libsasl2-dev libbsd-dev
       libpcre2-dev liblmdb-dev libcdb-dev"
test="python3 python3-pytest postfix postfix-lmdb postfix-cdb postfix-pcre swaks
      openssl
      dnsmasq-base iproute2 db-util lmdb-utils tinycdb procps"
want=$build
[ "${1:-}" = check ] && want="$build $test"
missing=
for p in $want; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "postern: missing packages:$missing (run as root, or apt-get install them)" >&2
    exit 1
fi
echo "postern: installing$missing" >&2
# Debian's postfix is only a reference for the comparison tests: it must not
# configure or start itself.
echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends $missing >/dev/null
