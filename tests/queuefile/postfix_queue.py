"""Make real Postfix queue files with Debian's Postfix, in a scratch directory.

A private Postfix instance (own config dir, queue dir, data dir and log file,
no network listener) is started, messages are injected with its sendmail,
and the files it leaves are collected:

  maildrop/  written by postdrop while pickup is disabled
  hold/      written by cleanup; header_checks HOLD keeps them there
  deferred/  written by cleanup, tried once by qmgr (a "retry" error
             transport defers them), one recipient discarded so that it is
             marked done in place

Used by tests/test_queuefile.py (live regeneration) and, as a script, to
refresh the committed fixtures:

    python3 tests/queuefile/postfix_queue.py OUTDIR

Requires root and /usr/sbin/postfix; the instance is stopped (by its own
"postfix stop") before returning, whatever happens.
"""
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time

POSTFIX = "/usr/sbin/postfix"
SENDMAIL = "/usr/sbin/sendmail"


def available():
    """Why the live generator cannot run, or None if it can."""
    if not os.path.exists(POSTFIX) or not os.path.exists(SENDMAIL):
        return "Debian's postfix is not installed"
    if os.geteuid() != 0:
        return "starting Postfix needs root"
    try:
        pwd.getpwnam("postfix")
    except KeyError:
        return "no postfix user"
    return None


MAIN_CF = """\
compatibility_level = 3.7
queue_directory = {top}/queue
data_directory = {top}/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = pfq.example
mydomain = example
myorigin = $myhostname
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
maillog_file = {top}/log/maillog
maillog_file_prefixes = {top}
header_checks = regexp:{top}/conf/header_checks
default_transport = retry:test
transport_maps = inline:{{discard.example=discard:}}
delay_warning_time = 4h
enable_long_queue_ids = {long_ids}
hash_queue_depth = {depth}
"""

MASTER_CF = """\
{pickup}pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""

# (name, sendmail arguments, message bytes).  "hold" in the Subject keeps a
# message in hold/; the others are deferred.
MESSAGES = [
    ("simple", ["-f", "alice@example.org", "bob@example.com"],
     b"Subject: hold simple\nFrom: alice@example.org\n\nHello world.\n"),
    ("dsn", ["-f", "sender@example.org", "-N", "success,delay,failure", "-V", "envid123",
             "-R", "hdrs", "r1@example.com", "r2@example.com"],
     b"Subject: hold dsn\n\nbody\n"),
    ("extract", ["-t", "-f", "ex@example.org"],
     b"Subject: hold extract\nTo: t1@example.com, \"T Two\" <t2@example.com>\n"
     b"Cc: c1@example.com\nBcc: b1@example.com\n\nbody text\n"),
    ("long", ["-f", "long@example.org", "lr@example.com"],
     b"Subject: hold long\n\n" + b"x" * 5000 + b"\n" + b"y" * 127 + b"\n" + b"z" * 128
     + b"\n" + b"w" * 4095 + b"\n" + b"v" * 4096 + b"\n"),
    ("8bit", ["-XV", "-f", "verp@example.org", "v1@example.com"],
     b"Subject: hold 8bit caf\xc3\xa9\nContent-Type: text/plain; charset=utf-8\n"
     b"Content-Transfer-Encoding: 8bit\n\ncaf\xc3\xa9 \x01\x7f\n"),
    ("headers", ["-i", "-f", "h@example.org", "h1@example.com"],
     b"Subject: hold headers\nX-Folded: one\n\ttwo\n  three\nX-Empty:\n"
     b"From : spaced@example.org\nnot a header\nX-After: body\n\n.\n..\nend"),
    ("nullsender", ["-f", "<>", "keep@example.com", "gone@discard.example"],
     b"From: nobody\n\nmixed\n"),
]


def _run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, **kw)


def _queue_files(queue, sub):
    out = []
    top = os.path.join(queue, sub)
    for dirpath, _, files in os.walk(top):
        for f in files:
            out.append(os.path.join(dirpath, f))
    return sorted(out)


def _wait_for(pred, timeout=20.0):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.1)
    return False


def generate(outdir, long_ids=False, depth=1):
    """Run a Postfix instance, copy its queue files into outdir/<queue>/ID.

    Returns a list of (relative path, kind) with kind in maildrop, hold,
    deferred.  Hashed subdirectories are kept in the relative path.
    """
    why = available()
    if why:
        raise RuntimeError(why)
    top = tempfile.mkdtemp(prefix="pfq.")
    conf = os.path.join(top, "conf")
    env = dict(os.environ, MAIL_CONFIG=conf, TZ="UTC")
    started = False
    try:
        for d in ("conf", "queue", "data", "log"):
            os.makedirs(os.path.join(top, d))
        os.chmod(top, 0o755)
        ent = pwd.getpwnam("postfix")
        for d in ("data", "log"):
            os.chown(os.path.join(top, d), ent.pw_uid, ent.pw_gid)
        with open(os.path.join(conf, "main.cf"), "w") as f:
            f.write(MAIN_CF.format(top=top, long_ids="yes" if long_ids else "no", depth=depth))
        with open(os.path.join(conf, "header_checks"), "w") as f:
            f.write("/^Subject: hold/ HOLD\n")
        with open(os.path.join(conf, "master.cf"), "w") as f:
            f.write(MASTER_CF.format(pickup="#"))
        _run([POSTFIX, "-c", conf, "start"], env=env)
        started = True
        queue = os.path.join(top, "queue")

        # Phase 1: pickup is off, so postdrop's files stay in maildrop/.
        for _, args, body in MESSAGES[:2]:
            subprocess.run([SENDMAIL] + args, input=body, env=env, capture_output=True,
                           check=True)
        _wait_for(lambda: len(_queue_files(queue, "maildrop")) >= 2)
        copied = []
        for p in _queue_files(queue, "maildrop"):
            rel = os.path.relpath(p, queue)
            dst = os.path.join(outdir, rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copyfile(p, dst)
            copied.append((rel, "maildrop"))

        # Phase 2: pickup on; everything goes through cleanup.
        with open(os.path.join(conf, "master.cf"), "w") as f:
            f.write(MASTER_CF.format(pickup=""))
        _run([POSTFIX, "-c", conf, "reload"], env=env)
        for _, args, body in MESSAGES[2:]:
            subprocess.run([SENDMAIL] + args, input=body, env=env, capture_output=True,
                           check=True)
        nholdable = sum(1 for m in MESSAGES if b"Subject: hold" in m[2])
        ndeferred = len(MESSAGES) - nholdable

        def settled():
            return (len(_queue_files(queue, "hold")) >= nholdable
                    and len(_queue_files(queue, "deferred")) >= ndeferred
                    and not _queue_files(queue, "maildrop")
                    and not _queue_files(queue, "incoming")
                    and not _queue_files(queue, "active"))
        if not _wait_for(settled, 30.0):
            raise RuntimeError("Postfix did not settle: %s" % _queue_files(queue, ""))
        for sub in ("hold", "deferred"):
            for p in _queue_files(queue, sub):
                rel = os.path.relpath(p, queue)
                dst = os.path.join(outdir, rel)
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                shutil.copyfile(p, dst)
                copied.append((rel, sub))
        return copied
    finally:
        if started:
            subprocess.run([POSTFIX, "-c", conf, "stop"], env=env, capture_output=True)
            # master exits asynchronously; wait for its pid file lock to go.
            pidfile = os.path.join(top, "queue", "pid", "master.pid")
            _wait_for(lambda: not _master_alive(pidfile), 10.0)
        shutil.rmtree(top, ignore_errors=True)


def _master_alive(pidfile):
    try:
        with open(pidfile) as f:
            pid = int(f.read().strip())
        os.kill(pid, 0)
        return True
    except (OSError, ValueError):
        return False


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: postfix_queue.py OUTDIR")
    for rel, kind in generate(sys.argv[1]):
        print(kind, rel)
    for rel, kind in generate(os.path.join(sys.argv[1], "long"), long_ids=True, depth=2):
        print(kind, "long/" + rel)
