"""System tests for trivial-rewrite: the daemon runs stand-alone on a UNIX
socket (mail_server -S) and the test speaks the rewrite/1 protocol to it
with a small client for the attribute wire format of lib/util/attr.h
(name NUL value NUL ... NUL).

What is checked: the hello, rewrite and resolve answers (compared with
Debian's Postfix trivial-rewrite run stand-alone on the same main.cf, when
it is installed), several requests on one connection and pipelined
requests, a malformed or unknown request (answered or dropped, the daemon
keeps serving others), and the restart when a table file changes.

Helpers here rather than in tests/lib (owned by others): AttrClient,
postfix_oracle().
"""
import os
import shutil
import socket
import subprocess
import time

import pytest

from lib.attr import AttrReader, attr_encode

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("POSTERN_BIN", os.path.join(ROOT, "build", "bin"))
if not os.path.isabs(BIN):
    BIN = os.path.join(ROOT, BIN)
DAEMON = os.path.join(BIN, "trivial-rewrite")
POSTMAP = os.path.join(BIN, "postmap")
PF_DAEMON = "/usr/lib/postfix/sbin/trivial-rewrite"

BASE_CF = """\
compatibility_level = 3.6
queue_directory = {dir}/queue
data_directory = {dir}/data
mail_owner = postfix
myhostname = mail.example.test
mydomain = example.test
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination = $myhostname, localhost.$mydomain, localhost
relay_domains = relay.test, parent.test
virtual_alias_domains = valias.test
virtual_mailbox_domains = vmbox.test
transport_maps = inline:{{{{t1.test=uucp:gw}}, {{.t4.test=:[h4]:2525}}, {{u@t6.test=local:}}}}
sender_dependent_relayhost_maps = inline:{{{{@send.test=[sdr]}}}}
"""

RESOLVE_CASES = [
    ("", "user"), ("", "user@mail.example.test"), ("", "user@[127.0.0.1]"),
    ("", "user@localhost"), ("", "u@remote.test"), ("", "u@relay.test"),
    ("", "u@x.parent.test"), ("", "u@valias.test"), ("", "u@vmbox.test"),
    ("", "u%x@mail.example.test"), ("", "a!b@mail.example.test"), ("", "u@x@relay.test"),
    ("", "u%x@remote.test"), ("", "u@"), ("", "@"), ("", ""), ("", "u@1.2.3.4"),
    ("", "u@[1.2.3.4]"), ("", "u@host..x"), ("", "u@t1.test"), ("", "u@a.t4.test"),
    ("", "u@t6.test"), ("s@send.test", "u@remote.test"), ("s@send.test", "u@relay.test"),
]
REWRITE_CASES = [
    ("local", "user"), ("local", "user@host"), ("local", "@a,@b:user@c"), ("local", "a!b!user"),
    ("local", "user%x"), ("local", "a b@x"), ("local", "\"u\"@x"), ("local", "u.@x"),
    ("local", ""), ("local", "@"), ("remote", "user"), ("local", "user@host."),
]


class AttrClient:
    """The attribute protocol, client side."""

    def __init__(self, sock):
        self.sock = sock
        self.reader = AttrReader(sock)

    def send(self, *pairs):
        self.sock.sendall(attr_encode(pairs))

    def recv(self):
        """One list as a dict, or None at end of file."""
        return self.reader.read()

    def rewrite(self, rule, addr):
        self.send(("request", "rewrite"), ("rule", rule), ("address", addr))
        return self.recv()

    def resolve(self, sender, addr):
        self.send(("request", "resolve"), ("sender", sender), ("address", addr))
        return self.recv()


def need_root_and_binary():
    if os.geteuid() != 0:
        pytest.skip("the daemon drops privileges to mail_owner: needs root")
    if not os.access(DAEMON, os.X_OK):
        pytest.skip(f"{DAEMON} not built")
    try:
        import pwd
        pwd.getpwnam("postfix")
    except KeyError:
        pytest.skip("no postfix user (mk/testsetup.sh)")


class Daemon:
    def __init__(self, ns, tmp, extra=""):
        self.ns = ns
        self.dir = str(tmp)
        os.makedirs(self.dir, exist_ok=True)
        os.chmod(self.dir, 0o755)
        # -S creates the socket after the drop to mail_owner.
        shutil.chown(self.dir, "postfix")
        for d in ("conf", "queue", "data"):
            os.makedirs(os.path.join(self.dir, d), exist_ok=True)
        self.conf = os.path.join(self.dir, "conf")
        self.cf_text = BASE_CF.format(dir=self.dir) + extra
        with open(os.path.join(self.conf, "main.cf"), "w") as f:
            f.write(self.cf_text)
        self.sock_path = os.path.join(self.dir, "rewrite.sock")
        self.log_path = os.path.join(self.dir, "daemon.log")
        self.proc = None

    def start(self):
        self.log = open(self.log_path, "ab")
        self.proc = self.ns.popen([DAEMON, "-c", self.conf, "-d", "-u", "-n", "rewrite",
                                   "-t", "unix", "-S", self.sock_path],
                                  stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 10
        while True:
            try:
                self.connect().sock.close()
                return self
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"daemon did not start:\n{self.logtext()}")
                time.sleep(0.02)

    def connect(self, hello=True):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        s.connect(self.sock_path)
        c = AttrClient(s)
        if hello:
            assert c.recv() == {"protocol": "rewrite/1"}
        return c

    def logtext(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.log.close()


@pytest.fixture
def daemon(netns):
    need_root_and_binary()
    made = []

    def make(extra=""):
        # Not under pytest's tmp_path: its parent is 0700 root, and the
        # daemon runs as mail_owner.
        d = Daemon(netns, os.path.join(netns.workdir, f"tr{len(made)}"), extra)
        made.append(d)
        return d.start()

    yield make
    for d in made:
        d.stop()
        text = d.logtext()
        assert "panic:" not in text and "fatal:" not in text, text


def postfix_oracle(cf_text, requests):
    """Answers of Debian's Postfix trivial-rewrite to requests (lists of
    (name, value) pairs), one stand-alone process (-S: stdin is the client)
    per request, or None when Postfix is not installed."""
    if not os.access(PF_DAEMON, os.X_OK):
        return None
    import tempfile
    d = tempfile.mkdtemp(prefix="pst-pf-tr-")
    try:
        with open(os.path.join(d, "main.cf"), "w") as f:
            f.write(cf_text + "meta_directory = /etc/postfix\nshlib_directory = /usr/lib/postfix\n"
                    "daemon_directory = /usr/lib/postfix/sbin\n")
        past = time.time() - 60       # Postfix pauses on a main.cf changed just now
        os.utime(os.path.join(d, "main.cf"), (past, past))
        env = dict(os.environ, MAIL_CONFIG=d)
        out = []
        for pairs in requests:
            a, b = socket.socketpair()
            p = subprocess.Popen([PF_DAEMON, "-S", "-n", "rewrite", "-t", "unix"], stdin=b,
                                 stdout=b, stderr=subprocess.DEVNULL, env=env)
            b.close()
            a.settimeout(10)
            c = AttrClient(a)
            c.send(*pairs)
            out.append(c.recv())
            a.close()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        return out
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_answers_match_postfix(daemon):
    d = daemon()
    c = d.connect()
    got_rw = [c.rewrite(r, a) for r, a in REWRITE_CASES]
    got_rs = [c.resolve(s, a) for s, a in RESOLVE_CASES]
    # Spot checks that hold with or without Postfix installed.
    assert got_rw[0] == {"flags": "0", "address": "user@mail.example.test"}
    assert got_rw[3]["address"] == "b!user@a"
    assert got_rs[0] == {"flags": "256", "transport": "local", "nexthop": "mail.example.test",
                         "recipient": "user@mail.example.test"}
    assert got_rs[7]["transport"] == "error"
    assert got_rs[22]["nexthop"] == "[sdr]"
    want = postfix_oracle(d.cf_text, [[("request", "rewrite"), ("rule", r), ("address", a)]
                                      for r, a in REWRITE_CASES] +
                          [[("request", "resolve"), ("sender", s), ("address", a)]
                           for s, a in RESOLVE_CASES])
    if want is None:
        pytest.skip("Debian's Postfix is not installed: compared spot checks only")
    got = got_rw + got_rs
    cases = [("rewrite",) + x for x in REWRITE_CASES] + [("resolve",) + x for x in RESOLVE_CASES]
    diffs = [f"{case}: postern {g}, postfix {w}" for case, g, w in zip(cases, got, want) if g != w]
    assert not diffs, "\n".join(diffs)


def test_pipelined_requests_and_many_clients(daemon):
    d = daemon()
    clients = [d.connect() for _ in range(5)]
    for c in clients:
        # Three requests in one write: three answers, in order.
        c.sock.sendall(b"".join(
            b"request\0rewrite\0rule\0local\0address\0u%d\0\0" % i for i in range(3)))
    for c in clients:
        for i in range(3):
            assert c.recv() == {"flags": "0", "address": f"u{i}@mail.example.test"}
    for c in clients:
        c.sock.close()


def test_bad_requests_end_only_that_client(daemon):
    d = daemon()
    good = d.connect()
    bad = d.connect()
    bad.send(("request", "frobnicate"))
    assert bad.recv() == {"flags": "8"}
    assert bad.recv() is None                    # and the connection is closed
    bad = d.connect()
    bad.send(("request", "resolve"), ("address", "u"))   # no sender
    assert bad.recv() is None
    bad = d.connect()
    bad.send(("request", "rewrite"), ("rule", "nonsense"), ("address", "u"))
    assert bad.recv() == {"flags": "8", "address": "u"}
    assert bad.recv() is None
    bad = d.connect()
    bad.sock.sendall(b"BAD NAME\0x\0\0")
    assert bad.recv() is None
    assert good.resolve("", "u@remote.test")["transport"] == "smtp"
    assert "unknown request \"frobnicate\"" in d.logtext()


def test_table_failure_is_a_temporary_error(daemon):
    d = daemon("relay_domains = fail:broken\n")
    c = d.connect()
    r = c.resolve("", "u@remote.test")
    assert int(r["flags"]) & 8, r                 # RESOLVE_FLAG_FAIL: defer, never guess
    assert c.resolve("", "u")["transport"] == "local"


def test_restart_when_a_table_changes(daemon, netns):
    if not os.access(POSTMAP, os.X_OK):
        pytest.skip("postmap not built")
    import pathlib
    src = pathlib.Path(netns.workdir) / "transport"
    pm_conf = pathlib.Path(netns.workdir) / "pmconf"
    pm_conf.mkdir()
    (pm_conf / "main.cf").write_text("compatibility_level = 3.6\n")
    postmap = [POSTMAP, "-c", str(pm_conf), f"hash:{src}"]
    src.write_text("changed.test slow:\n")
    subprocess.run(postmap, check=True)
    d = daemon(f"transport_maps = hash:{src}\n")
    c = d.connect()
    assert c.resolve("", "u@changed.test")["transport"] == "slow"
    time.sleep(1.1)                              # a new mtime second
    src.write_text("changed.test fast:\n")
    subprocess.run(postmap, check=True)
    time.sleep(1.1)                              # the check runs at most once a second
    # This request is still answered (by the old process), then it exits.
    assert c.resolve("", "u@changed.test") is not None
    d.proc.wait(10)
    assert f"table hash:{src} has changed -- restarting" in d.logtext()
    d.start()                                    # what master would do
    assert d.connect().resolve("", "u@changed.test")["transport"] == "fast"
