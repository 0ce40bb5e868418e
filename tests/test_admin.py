"""postsuper, postkick, postlock and postlog compared with Debian's Postfix 3.7.

Each postsuper scenario builds two identical queue directories from the
real Postfix queue files in tests/queuefile/postfix (plus, for some
scenarios, stray files), runs Debian's postsuper on one and Postern's on
the other with the same arguments, and compares what an administrator
sees: the messages on standard error (sorted: -s and ALL visit
directories in readdir order), the exit status, and the files left
(path, mode, and whether the modification time was reset).  File names
that end in an inode number are compared up to that part (the copies have
different inodes), and Postern's names are checked against their inodes.

No Postfix daemon runs: the commands work on a scratch configuration
(-c DIR) whose maillog_file is inside the test directory.
"""
import fcntl
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("POSTERN_BIN", os.path.join(ROOT, "build", "bin"))
FIXTURES = os.path.join(ROOT, "tests", "queuefile", "postfix")
QUEUES = ("maildrop", "incoming", "active", "deferred", "hold", "corrupt", "bounce", "defer",
          "trace", "flush", "saved", "public", "private")
OLD = time.mktime((2020, 1, 1, 0, 0, 0, 0, 0, -1))


def _why_skip():
    if os.geteuid() != 0:
        return "needs root (postsuper drops to the postfix user)"
    for p in ("/usr/sbin/postsuper", "/usr/sbin/postlock", "/usr/sbin/postkick",
              "/usr/sbin/postlog"):
        if not os.path.exists(p):
            return "Debian's postfix is not installed"
    try:
        pwd.getpwnam("postfix")
    except KeyError:
        return "no postfix user"
    for p in ("postsuper", "postkick", "postlock", "postlog"):
        if not os.path.exists(os.path.join(BIN, p)):
            return "build/bin/%s is not built" % p
    return None


pytestmark = pytest.mark.skipif(_why_skip() is not None, reason=str(_why_skip()))


class Side:
    """One configuration directory and queue, for one implementation."""

    def __init__(self, top, name, bindir):
        self.top = os.path.join(top, name)
        self.bindir = bindir
        self.conf = os.path.join(self.top, "conf")
        self.queue = os.path.join(self.top, "q")
        self.log = os.path.join(self.top, "log", "maillog")
        ent = pwd.getpwnam("postfix")
        self.uid, self.gid = ent.pw_uid, ent.pw_gid
        for d in ("conf", "log"):
            os.makedirs(os.path.join(self.top, d))
        os.chmod(top, 0o755)
        os.chmod(self.top, 0o755)
        os.chown(os.path.join(self.top, "log"), self.uid, self.gid)
        with open(os.path.join(self.conf, "main.cf"), "w") as f:
            f.write("compatibility_level = 3.7\n"
                    "queue_directory = %s\n"
                    "mail_owner = postfix\n"
                    "setgid_group = postdrop\n"
                    "myhostname = admin.example\n"
                    "maillog_file = %s\n"
                    "maillog_file_prefixes = %s\n" % (self.queue, self.log, top))
        self.reset()

    def reset(self):
        shutil.rmtree(self.queue, ignore_errors=True)
        os.makedirs(self.queue)
        os.chmod(self.queue, 0o755)
        for q in QUEUES:
            self.mkdir(q)
        for dirpath, _, files in os.walk(FIXTURES):
            rel = os.path.relpath(dirpath, FIXTURES)
            if rel.split(os.sep)[0] == "long":
                continue
            for name in files:
                self.put(os.path.join(rel, name), open(os.path.join(dirpath, name), "rb").read(),
                         0o700, OLD)

    def mkdir(self, rel):
        path = os.path.join(self.queue, rel)
        os.makedirs(path, exist_ok=True)
        os.chmod(path, 0o700)
        os.chown(path, self.uid, self.gid)

    def put(self, rel, data, mode, mtime):
        path = os.path.join(self.queue, rel)
        self.mkdir(os.path.dirname(rel))
        with open(path, "wb") as f:
            f.write(data)
        os.chown(path, self.uid, self.gid)
        os.chmod(path, mode)
        os.utime(path, (mtime, mtime))

    def run(self, prog, *args, **kw):
        return subprocess.run([os.path.join(self.bindir, prog), "-c", self.conf] + list(args),
                              capture_output=True, timeout=30, **kw)

    def tree(self):
        """(path with the inode part masked, mode, mtime reset?) of every file."""
        out = []
        now = time.time()
        for dirpath, _, files in os.walk(self.queue):
            for name in files:
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, self.queue)
                if rel.split(os.sep)[0] in ("public", "private"):
                    continue
                st = os.lstat(path)
                rel = re.sub(r"(^|/)([0-9A-F]{5})[0-9A-F]*(#FIX)?$", r"\1\2*\3", rel)
                out.append((rel, oct(st.st_mode & 0o7777), abs(st.st_mtime - now) < 600))
        return sorted(out)

    def names_match_inodes(self):
        """Message files whose short-id name does not end in their inode."""
        bad = []
        for q in ("maildrop", "incoming", "active", "deferred", "hold"):
            for dirpath, _, files in os.walk(os.path.join(self.queue, q)):
                for name in files:
                    ino = os.lstat(os.path.join(dirpath, name)).st_ino
                    if re.fullmatch(r"[0-9A-F]{6,}", name) and name[5:] != "%X" % ino:
                        bad.append(os.path.join(dirpath, name))
        return bad


@pytest.fixture
def sides():
    top = tempfile.mkdtemp(prefix="pst-admin.")
    try:
        yield Side(top, "postfix", "/usr/sbin"), Side(top, "postern", BIN)
    finally:
        shutil.rmtree(top, ignore_errors=True)


def stray_files(side):
    """Temporary and misnamed files, old and new, as crashes leave them."""
    for d in ("incoming", "active", "maildrop", "hold", "deferred/B", "defer", "bounce"):
        for name in ("123.45", "junk", "a.b", "99999"):
            side.put(os.path.join(d, name), b"t", 0o644, OLD)
        side.put(os.path.join(d, "777.1"), b"t", 0o644, time.time())
    side.put("incoming/junk", b"t", 0o644, time.time() - 6 * 86400)
    side.put("incoming/AAAAA1", b"t", 0o600, time.time() - 8 * 86400)
    side.put("incoming/AAAAA2", b"t", 0o600, time.time() - 6 * 86400)


def misplaced_files(side):
    """Files in the wrong hash directory, logs included."""
    q = side.queue
    side.mkdir("deferred/Z")
    side.mkdir("hold/A")
    os.rename(os.path.join(q, "hold/89D1CA72602"), os.path.join(q, "deferred/Z/89D1CA72602"))
    os.rename(os.path.join(q, "hold/8A301A72603"), os.path.join(q, "hold/A/8A301A72603"))
    side.put("defer/C/B12C9A72734", b"log", 0o600, OLD)
    side.put("bounce/7CAB3A727B4", b"log", 0o600, OLD)


def message_logs(side):
    side.put("defer/B/B12C9A72734", b"d", 0o600, OLD)
    side.put("bounce/B12C9A72734", b"b", 0o600, OLD)
    side.put("trace/B12C9A72734", b"t", 0o600, OLD)


SCENARIOS = [
    ("delete two", None, ["-d", "B12C9A72734", "-d", "7CAB3A727B4"]),
    ("delete with logs", message_logs, ["-d", "B12C9A72734"]),
    ("delete missing and invalid", None, ["-d", "7CAB3A727B5", "-d", "bad/id", "-d", "abc"]),
    ("delete ALL", stray_files, ["-d", "ALL"]),
    ("delete ALL deferred", None, ["-d", "ALL", "deferred"]),
    ("hold and release", None, ["-h", "B12C9A72734", "-H", "9644BA72605"]),
    ("hold ALL", stray_files, ["-h", "ALL"]),
    ("release ALL", stray_files, ["-H", "ALL"]),
    ("requeue", None, ["-r", "A3E8EA72732", "-r", "B12C9A72734"]),
    ("requeue ALL", stray_files, ["-r", "ALL"]),
    ("expire", None, ["-e", "B12C9A72734", "-e", "B12C9A72734", "-f", "7CAB3A727B4"]),
    ("expire ALL", stray_files, ["-f", "ALL"]),
    ("mixed order", None, ["-H", "7CAB3A727B4", "-d", "89D1CA72602", "-r", "B12C9A72734",
                           "-e", "8A301A72603", "-h", "A3E8EA72732"]),
    ("bad queue name", None, ["-d", "ALL", "nosuch"]),
    ("bad option", None, ["-x"]),
    ("structure", misplaced_files, ["-s"]),
    ("structure strict", stray_files, ["-S"]),
    ("structure then delete", None, ["-s", "-d", "B12C9A72734"]),
    ("purge", stray_files, ["-p"]),
    ("default", stray_files, []),
]


@pytest.mark.parametrize("name,setup,args", SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_postsuper_like_postfix(sides, name, setup, args):
    pf, pn = sides
    if setup:
        setup(pf)
        setup(pn)
    rf = pf.run("postsuper", *args)
    rn = pn.run("postsuper", *args)
    ef = sorted(rf.stderr.decode().replace("/usr/sbin/postsuper", "postsuper").splitlines())
    en = sorted(rn.stderr.decode().replace(BIN + "/postsuper", "postsuper").splitlines())
    assert (rn.returncode, en) == (rf.returncode, ef)
    assert pn.tree() == pf.tree()
    if rn.returncode == 0:
        assert pn.names_match_inodes() == [] or "-s" not in args


def test_postsuper_ids_from_stdin(sides):
    pf, pn = sides
    ids = b"89D1CA72602\n  8A301A72603 extra\n\nbad!id\nB12C9A72734"
    rf = pf.run("postsuper", "-d", "-", input=ids)
    rn = pn.run("postsuper", "-d", "-", input=ids)
    assert (rn.returncode, rn.stderr) == (rf.returncode, rf.stderr)
    assert pn.tree() == pf.tree()


def test_postsuper_log_lines(sides):
    pf, pn = sides
    for s in sides:
        s.run("postsuper", "-d", "B12C9A72734", "-h", "ALL")

    def lines(side):
        with open(side.log) as f:
            return [re.sub(r"^.*?postfix/postsuper\[\d+\]: ", "", line) for line in f]
    assert lines(pn) == lines(pf)
    assert "B12C9A72734: removed\n" in lines(pn)


def test_postsuper_requeue_wakes_pickup(sides):
    _, pn = sides
    fifo = os.path.join(pn.queue, "public", "pickup")
    os.mkfifo(fifo, 0o622)
    os.chown(fifo, pn.uid, pn.gid)            # postsuper runs as postfix
    fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        r = pn.run("postsuper", "-r", "B12C9A72734")
        assert r.returncode == 0, r.stderr
        assert os.read(fd, 10) == b"W"
    finally:
        os.close(fd)
    assert os.path.exists(os.path.join(pn.queue, "maildrop", "B12C9A72734"))


def test_postsuper_refuses_other_users(sides):
    _, pn = sides
    r = subprocess.run(["su", "nobody", "-s", "/bin/sh", "-c",
                        "%s/postsuper -c %s -d ALL" % (BIN, pn.conf)], capture_output=True)
    assert r.returncode == 1
    assert b"use of this command is reserved for the superuser" in r.stderr
    assert os.listdir(os.path.join(pn.queue, "hold"))


def test_postkick_like_postfix(sides):
    results = []
    for s in sides:
        fifo = os.path.join(s.queue, "public", "qmgr")
        os.mkfifo(fifo)
        fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        try:
            ok = s.run("postkick", "public", "qmgr", "IDW")
            got = os.read(fd, 10)
        finally:
            os.close(fd)
        down = s.run("postkick", "public", "qmgr", "W")        # nobody reads now
        missing = s.run("postkick", "public", "nosuch", "W")
        usage = s.run("postkick", "public")
        results.append((ok.returncode, got, down.returncode, down.stderr, missing.returncode,
                        missing.stderr, usage.returncode,
                        usage.stderr.replace(s.bindir.encode() + b"/", b"")))
    assert results[1] == results[0]
    assert results[1][:3] == (0, b"IDW", 1)


def test_postlock_like_postfix(sides):
    results = []
    for s in sides:
        box = os.path.join(s.top, "mbox")
        open(box, "w").close()
        script = ("import fcntl,os,sys\n"
                  "fd=os.open(%r,os.O_RDWR)\n"
                  "try:\n fcntl.lockf(fd,fcntl.LOCK_EX|fcntl.LOCK_NB); sys.exit(9)\n"
                  "except OSError: pass\n"
                  "sys.exit(3 if os.path.exists(%r) else 8)\n" % (box, box + ".lock"))
        held = s.run("postlock", box, "/usr/bin/python3", "-c", script)
        after = os.path.exists(box + ".lock")
        prog = os.path.join(s.bindir, "postlock")
        runs = [s.run("postlock", "/nonexistent/mbox", "true"),
                s.run("postlock", box, "/nonexistent-command"),
                s.run("postlock", "-l", "fcntl, bogus", box, "true"),
                s.run("postlock", box),
                s.run("postlock", "-l", "flock", box, "sh", "-c", "exit 5")]
        results.append((held.returncode, after,
                        [(r.returncode, r.stderr.replace(prog.encode(), b"postlock"))
                         for r in runs]))
    assert results[1] == results[0]
    assert results[1][0] == 3 and results[1][1] is False


def test_postlog_like_postfix(sides):
    for s in sides:
        assert s.run("postlog", "hello", "world").returncode == 0
        assert s.run("postlog", "-t", "mytag", "-p", "warn", input=b"l1\nl2\n").returncode == 0
        assert s.run("postlog", "-p", "error", "err").returncode == 0
        assert s.run("postlog", "-p", "bogus", "x").returncode == 1

    def lines(side):
        with open(side.log) as f:
            return [re.sub(r"^\w+ +\d+ [\d:]+ \S+ ([^\[]+)\[\d+\]: ", r"\1: ", line)
                    for line in f if "unknown priority" not in line]
    assert lines(sides[1]) == lines(sides[0])
    assert lines(sides[1])[:3] == ["postfix/postlog: hello world\n", "mytag: warning: l1\n",
                                   "mytag: warning: l2\n"]


def test_postlock_blocks_a_second_locker(sides):
    _, pn = sides
    box = os.path.join(pn.top, "mbox2")
    open(box, "w").close()
    first = subprocess.Popen([os.path.join(BIN, "postlock"), "-c", pn.conf, "-l", "fcntl", box,
                              "sleep", "1"])
    try:
        time.sleep(0.3)
        fd = os.open(box, os.O_RDWR)
        with pytest.raises(OSError):
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.close(fd)
        t0 = time.time()
        second = pn.run("postlock", "-l", "fcntl", box, "true")
        assert second.returncode == 0 and time.time() - t0 > 0.3
    finally:
        first.wait(timeout=10)
