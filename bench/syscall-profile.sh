#!/bin/bash
# syscall-profile.sh - count the system calls of every MTA process per message.
#
# Usage: bench/syscall-profile.sh NAME N [sendmail]
#   NAME: an instance made by /work/shared/bench/instance.sh (e.g. postern)
#   N:    messages to send (SMTP via smtp-source -s 10, 2 KB, to LOCAL_RCPT;
#         or N sequential "sendmail -t -i" calls with the word sendmail)
# Starts the instance, attaches strace -ff to the master (children it forks
# later are followed; daemons already running are attached by pid), sends N
# messages, waits until all are in the Maildir, then stops the instance and
# prints "process syscall count per-message" sorted by count.
# strace slows everything down; use the counts, never the timings.  Under
# strace qmgr can fall so far behind that cleanup retries its trigger
# connect (connect + clock_nanosleep counts); perf stat shows none of that.
set -euo pipefail
NAME=$1 N=$2 MODE=${3:-smtp}
HARNESS=${HARNESS:-/work/shared/bench}
ENVF=/tmp/bench-$NAME/instance.env
. "$ENVF"
OUT=/tmp/bench-$NAME-strace
rm -rf "$OUT"; mkdir -p "$OUT"
"$HARNESS/instance.sh" -n "$NAME" reset >/dev/null
"$HARNESS/instance.sh" -n "$NAME" start >/dev/null
sleep 1
MSG=/tmp/bench-$NAME-strace.eml
{ printf 'From: <bench-sender@bench.invalid>\nTo: <%s>\nSubject: strace\n\n' "$LOCAL_RCPT"
  for i in $(seq 1 25); do printf '%079d\n' "$i"; done; } >"$MSG"
# warm-up message so that all daemons exist
smtp-source -4 -s 1 -m 1 -F "$MSG" -f bench-sender@bench.invalid -t "$LOCAL_RCPT" 127.0.0.1:$PORT
sleep 1.5
base=$(ls "$MAILDIR/new" | wc -l)
master=$(cat "$QUEUE_DIR/pid/master.pid" | tr -d ' ')
pids=$(pgrep -P "$master" | tr '\n' ' ')
for p in $master $pids; do echo "$p $(cat /proc/$p/comm)"; done >"$OUT/comm"
args=(); for p in $master $pids; do args+=(-p "$p"); done
strace -qq -ff -o "$OUT/tr" "${args[@]}" 2>/dev/null &
spid=$!
sleep 1
if [[ $MODE == sendmail ]]; then
    for i in $(seq 1 "$N"); do
        MAIL_CONFIG=$CONF_DIR strace -qq -ff -o "$OUT/sm.$i" "$SBIN/sendmail" -t -i <"$MSG"
    done
else
    smtp-source -4 -s 10 -m "$N" -F "$MSG" -f bench-sender@bench.invalid -t "$LOCAL_RCPT" 127.0.0.1:$PORT
fi
for i in $(seq 1 600); do
    [[ $(ls "$MAILDIR/new" | wc -l) -ge $((base + N)) ]] && break; sleep 0.1
done
sleep 1
kill "$spid"; wait "$spid" 2>/dev/null || true
"$HARNESS/instance.sh" -n "$NAME" stop >/dev/null
python3 - "$OUT" "$N" <<'PY'
import os, re, sys, collections
out, n = sys.argv[1], int(sys.argv[2])
comm = dict(l.split() for l in open(os.path.join(out, "comm")))
tot = collections.Counter(); per = collections.defaultdict(collections.Counter)
for f in os.listdir(out):
    m = re.match(r"(tr|sm\.\d+)\.(\d+)$", f)
    if not m: continue
    pid = m.group(2); name = comm.get(pid, "?")
    if m.group(1).startswith("sm"): name = "sendmail-side"
    for line in open(os.path.join(out, f), errors="replace"):
        mm = re.match(r"(\w+)\(", line)
        if not mm: continue
        sc = mm.group(1)
        if sc == "execve" and name != "sendmail-side":
            e = re.search(r'execve\("([^"]+)"', line)
            if e: name = os.path.basename(e.group(1))
        per[name][sc] += 1
for name, c in sorted(per.items(), key=lambda kv: -sum(kv[1].values())):
    t = sum(c.values())
    print("%-16s total %7.1f/msg  " % (name, t / n) + " ".join("%s=%.1f" % (k, v / n) for k, v in c.most_common(12)))
print("ALL %.1f syscalls/msg" % (sum(sum(c.values()) for c in per.values()) / n))
PY
