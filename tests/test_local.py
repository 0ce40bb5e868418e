"""System tests for the local, error and discard delivery agents, run
stand-alone (no master, no qmgr).

Each test makes a scratch queue directory, writes a queue file in Postfix's
record format into active/ (as cleanup would), starts the agent with
`-S socket` (mail_server.h), and plays qmgr: it sends a delivery request in
the attribute wire format (lib/util/attr.h, PROTOCOLS.md "deliver") and
reads the reply.  Python servers on private/bounce, private/defer and
private/trace play the bounce daemon (PROTOCOLS.md "bounce") and record
what the agent appended.  Mailboxes go to a temporary mail_spool_directory,
never /var/mail or /home.  Expected bytes and log lines are Postfix 3.7's,
observed with Debian's package (see local/local_copy_test.c).

Needs root (the agent switches to the recipient's IDs) and the accounts from
mk/testsetup.sh (postfix, paco).
"""
import fcntl
import os
import pwd
import re
import shutil
import socket
import stat
import subprocess
import tempfile
import threading
import time

import pytest

from lib.attr import AttrReader, attr_encode, record

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("POSTERN_BIN", os.path.join(ROOT, "build", "bin"))
if not os.path.isabs(BIN):
    BIN = os.path.join(ROOT, BIN)

HOST = "mail.example.test"
SENDER = "sender@example.test"


# --- queue files (lib/global/QUEUE_FORMAT.md) -------------------------------

def queue_file(sender, rcpts, content):
    """rcpts: [(orig, rcpt)]; content: bytes of the message, LF lines.
    Returns (bytes, data_offset, data_size, [rcpt R offsets])."""
    env = b""
    env += record("T", f"{int(time.time())} 0")
    env += record("A", f"create_time={int(time.time())}")
    env += record("A", "rewrite_context=local")
    env += record("S", sender)
    base = 2 + 95
    offsets = []
    for orig, rcpt in rcpts:
        env += record("A", f"dsn_orig_rcpt=rfc822;{rcpt}")
        env += record("O", orig)
        offsets.append(base + len(env))
        env += record("R", rcpt)
    env += record("M", "")
    data_offset = base + len(env)
    body = b""
    lines = content.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for line in lines:
        while len(line) > 2048:
            body += record("L", line[:2048])
            line = line[2048:]
        body += record("N", line)
    size = ("%15d %15d %15d %15d %15d %15d" % (len(body), data_offset, len(rcpts), 0,
                                                len(body), 0)).encode()
    data = record("C", size) + env + body + record("X", "") + record("E", "")
    assert data[data_offset - 2:data_offset] == b"M\0"
    return data, data_offset, len(body), offsets


# --- a fake bounce daemon ---------------------------------------------------

class FakeBounce:
    """Serves private/bounce, private/defer and private/trace; remembers
    every request as (service, attrs).  status_for[service] is the reply."""

    def __init__(self, queue):
        self.requests = []
        self.status_for = {"bounce": 0, "defer": 0, "trace": 0}
        self.lock = threading.Lock()
        self.socks = []
        priv = os.path.join(queue, "private")
        os.makedirs(priv, exist_ok=True)
        os.chmod(priv, 0o755)
        for svc in ("bounce", "defer", "trace"):
            path = os.path.join(priv, svc)
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.bind(path)
            os.chmod(path, 0o666)
            s.listen(16)
            self.socks.append(s)
            threading.Thread(target=self._accept, args=(s, svc), daemon=True).start()

    def _accept(self, s, svc):
        while True:
            try:
                c, _ = s.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(c, svc), daemon=True).start()

    def _serve(self, c, svc):
        with c:
            c.sendall(attr_encode([("protocol", "bounce/1")]))
            r = AttrReader(c)
            while True:
                try:
                    req = r.read_list()
                except (EOFError, OSError):
                    return
                with self.lock:
                    self.requests.append((svc, req))
                c.sendall(attr_encode([("status", self.status_for[svc])]))

    def of(self, svc):
        with self.lock:
            return [req for s, req in self.requests if s == svc]

    def close(self):
        for s in self.socks:
            s.close()


# --- the scratch setup ------------------------------------------------------

class Agent:
    """A scratch queue + config, and one stand-alone delivery agent."""

    def __init__(self, workdir, program="local", service=None, params=None, spool_mode=0o1777,
                 maildir=False):
        self.dir = workdir
        self.program = program
        self.service = service or program
        self.conf = os.path.join(workdir, "conf")
        self.queue = os.path.join(workdir, "queue")
        self.spool = os.path.join(workdir, "mail")
        self.maillog = os.path.join(workdir, "maillog")
        for d in (self.conf, self.queue, self.spool):
            os.makedirs(d, exist_ok=True)
        os.chmod(self.queue, 0o755)
        os.chmod(self.spool, spool_mode)
        active = os.path.join(self.queue, "active")
        os.makedirs(active, exist_ok=True)
        shutil.chown(active, "postfix")
        os.chmod(active, 0o700)
        p = {
            "queue_directory": self.queue,
            "mail_spool_directory": self.spool + ("/" if maildir else ""),
            "mail_owner": "postfix",
            "myhostname": HOST,
            "mydomain": "example.test",
            "maillog_file": self.maillog,
            "maillog_file_prefixes": os.path.dirname(self.maillog),
            "home_mailbox": "",
            "recipient_delimiter": "+",
            "deliver_lock_attempts": "2",
            "deliver_lock_delay": "1s",
            "ipc_timeout": "10s",
            "alias_maps": "",
        }
        p.update(params or {})
        with open(os.path.join(self.conf, "main.cf"), "w") as f:
            for k, v in p.items():
                f.write(f"{k} = {v}\n")
        past = time.time() - 60
        os.utime(os.path.join(self.conf, "main.cf"), (past, past))
        self.bounce = FakeBounce(self.queue)
        self.sock = os.path.join(workdir, f"{self.service}.sock")
        self.stderr = open(os.path.join(workdir, "stderr"), "wb")
        # local runs as root (master.cf unpriv "n"); error and discard drop
        # to mail_owner (-u), as master would start them.
        unpriv = [] if program == "local" else ["-u"]
        self.proc = subprocess.Popen(
            [os.path.join(BIN, program), "-c", self.conf, "-n", self.service, "-t", "unix",
             "-S", self.sock] + unpriv,
            stdin=subprocess.DEVNULL, stdout=self.stderr, stderr=self.stderr)
        deadline = time.monotonic() + 10
        while not os.path.exists(self.sock):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{program} did not start: {self.log_text()}")
            time.sleep(0.02)
        self.count = 0

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.bounce.close()
        self.stderr.close()

    def log_text(self):
        text = ""
        for p in (self.maillog, os.path.join(self.dir, "stderr")):
            try:
                with open(p, errors="replace") as f:
                    text += f.read()
            except FileNotFoundError:
                pass
        return text

    def queue_message(self, rcpts, content, sender=SENDER):
        """Write active/ID; rcpts is [(orig, rcpt)] or [rcpt]."""
        rcpts = [r if isinstance(r, tuple) else (r, r) for r in rcpts]
        data, off, size, roffs = queue_file(sender, rcpts, content)
        self.count += 1
        qid = "A%04dB%d" % (self.count, os.getpid() % 100000)
        path = os.path.join(self.queue, "active", qid)
        with open(path, "wb") as f:
            f.write(data)
        shutil.chown(path, "postfix")
        os.chmod(path, 0o700)
        return Message(qid, path, sender, rcpts, off, size, roffs)

    def deliver(self, msg, nexthop=HOST, flags=0, timeout=20):
        """Send one request for every recipient of msg; return the reply."""
        # The socket file appears at bind(), a moment before listen().
        deadline = time.monotonic() + 5
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(timeout)
            try:
                s.connect(self.sock)
                break
            except ConnectionRefusedError:
                s.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        with s:
            r = AttrReader(s)
            hello = r.read_list()
            assert hello == {"protocol": "deliver/1"}, hello
            now_us = int(time.time() * 1e6)
            req = [("flags", flags), ("queue_name", "active"), ("queue_id", msg.qid),
                   ("offset", msg.data_offset), ("size", msg.data_size), ("nexthop", nexthop),
                   ("encoding", ""), ("smtputf8", 0), ("sender", msg.sender),
                   ("envelope_id", ""), ("ret_flags", 0), ("arrival_time", now_us - 20000),
                   ("active_arrival", now_us - 10000), ("log_client_name", "localhost"),
                   ("log_client_address", "127.0.0.1"), ("log_helo_name", ""),
                   ("log_protocol_name", "ESMTP"), ("log_message_origin", "localhost[127.0.0.1]"),
                   ("sasl_method", ""), ("sasl_username", ""), ("sasl_sender", ""),
                   ("recipient_count", len(msg.rcpts))]
            out = attr_encode(req)
            for (orig, rcpt), off in zip(msg.rcpts, msg.rcpt_offsets):
                out += attr_encode([("original_recipient", orig), ("recipient", rcpt),
                                    ("offset", off), ("dsn_orig_rcpt", f"rfc822;{rcpt}"),
                                    ("notify_flags", 0)])
            s.sendall(out)
            return int(r.read_list()["status"])

    def wait_log(self, regex, timeout=10):
        rx = re.compile(regex)
        deadline = time.monotonic() + timeout
        while True:
            text = self.log_text()
            if rx.search(text):
                return rx.search(text)
            if time.monotonic() > deadline:
                raise AssertionError(f"no log line matching {regex!r}:\n{text}")
            time.sleep(0.05)


class Message:
    def __init__(self, qid, path, sender, rcpts, data_offset, data_size, rcpt_offsets):
        self.qid, self.path, self.sender, self.rcpts = qid, path, sender, rcpts
        self.data_offset, self.data_size, self.rcpt_offsets = data_offset, data_size, rcpt_offsets

    def rcpt_types(self):
        with open(self.path, "rb") as f:
            data = f.read()
        return [chr(data[o]) for o in self.rcpt_offsets]


@pytest.fixture
def agent():
    if os.geteuid() != 0:
        pytest.skip("local delivery tests need root")
    for u in ("postfix", "paco"):
        try:
            pwd.getpwnam(u)
        except KeyError:
            pytest.skip(f"user {u} missing: run mk/testsetup.sh")
    made = []
    work = tempfile.mkdtemp(prefix="pst-local-")
    os.chmod(work, 0o755)

    def make(program="local", **kw):
        if not os.access(os.path.join(BIN, program), os.X_OK):
            pytest.skip(f"{BIN}/{program} not built")
        d = os.path.join(work, f"{program}{len(made)}")
        os.makedirs(d)
        os.chmod(d, 0o755)
        a = Agent(d, program, **kw)
        made.append(a)
        return a

    yield make
    problems = []
    for a in made:
        a.close()
        text = a.log_text()
        if re.search(r"\b(panic|fatal):", text):
            problems.append(text)
    if os.environ.get("PST_KEEP") != "1":
        shutil.rmtree(work, ignore_errors=True)
    assert not problems, "agent logged panic/fatal:\n" + "\n".join(problems)


MESSAGE = (b"Subject: test\nFrom: Sender <sender@example.test>\n\nFrom the start\n"
           b">From quoted\nFrom: not a header\nFrom  double\n" + b"x" * 5000 +
           b"\nFrom " + b"y" * 3000 + b"\nlast line\n")

FROM_LINE = rb"From sender@example\.test  \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\n"


def expected_body(content, quote=True):
    out = b""
    for line in content.split(b"\n")[:-1]:
        if quote and line.startswith(b"From "):
            line = b">" + line
        out += line + b"\n"
    return out


def mbox_entry(orig, rcpt, content, sender=SENDER):
    """The bytes Postfix appends, minus the From line."""
    head = f"Return-Path: <{sender}>\n"
    if orig:
        head += f"X-Original-To: {orig}\n"
    head += f"Delivered-To: {rcpt}\n"
    return head.encode() + expected_body(content) + b"\n"


def split_mbox(data):
    """[(from_line, rest)] of an mbox file."""
    parts = re.split(rb"(?m)^(From \S+  .{24}\n)", data)
    assert parts[0] == b"", parts[0][:200]
    return list(zip(parts[1::2], parts[2::2]))


LOG_SENT = (r"postfix/local\[\d+\]: {qid}: to=<{to}>, {orig}relay=local, "
            r"delay=[\d.]+, delays=[\d.]+/[\d.]+/[\d.]+/[\d.]+, dsn=2\.0\.0, "
            r"status=sent \(delivered to {what}\)")


# --- local: mbox --------------------------------------------------------------

def test_mbox_bytes_headers_and_quoting(agent):
    a = agent()
    rcpt = f"paco@{HOST}"
    m = a.queue_message([("paco", rcpt)], MESSAGE)
    assert a.deliver(m) == 0
    box = os.path.join(a.spool, "paco")
    data = open(box, "rb").read()
    assert re.match(FROM_LINE, data), data[:80]
    entries = split_mbox(data)
    assert len(entries) == 1
    assert entries[0][1] == mbox_entry("paco", rcpt, MESSAGE)
    st = os.stat(box)
    paco = pwd.getpwnam("paco")
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (paco.pw_uid, paco.pw_gid, 0o600)
    # Recorded: log line, recipient marked done, nothing bounced or deferred.
    a.wait_log(LOG_SENT.format(qid=m.qid, to=re.escape(rcpt), orig=r"orig_to=<paco>, ",
                               what="mailbox"))
    assert m.rcpt_types() == ["D"]
    assert a.bounce.of("bounce") == [] and a.bounce.of("defer") == []
    assert not os.path.exists(box + ".lock")


def test_mbox_appends_and_null_sender(agent):
    a = agent()
    first = a.queue_message([f"paco@{HOST}"], b"Subject: one\n\nbody one\n")
    second = a.queue_message([("Paco", f"Paco@{HOST}")], b"Subject: two\n\nFrom me\n", sender="")
    assert a.deliver(first) == 0
    assert a.deliver(second) == 0
    data = open(os.path.join(a.spool, "paco"), "rb").read()
    entries = split_mbox(data)
    assert len(entries) == 2
    assert entries[0][0].startswith(b"From sender@example.test  ")
    assert entries[1][0].startswith(b"From MAILER-DAEMON  ")
    # orig == rcpt: X-Original-To is still written (Postfix writes it whenever known).
    assert entries[0][1] == mbox_entry(f"paco@{HOST}", f"paco@{HOST}", b"Subject: one\n\nbody one\n")
    assert entries[1][1] == (b"Return-Path: <>\nX-Original-To: Paco\nDelivered-To: Paco@" +
                             HOST.encode() + b"\nSubject: two\n\n>From me\n\n")


def test_mbox_in_root_owned_spool(agent):
    # Debian's /var/mail is root:mail 2775: users cannot create files there,
    # so the agent creates the mailbox (and its dot lock) as root and hands
    # the file to the user.
    a = agent(spool_mode=0o755)
    m = a.queue_message([f"paco@{HOST}"], b"Subject: spool\n\nhello\n")
    assert a.deliver(m) == 0
    st = os.stat(os.path.join(a.spool, "paco"))
    assert st.st_uid == pwd.getpwnam("paco").pw_uid
    assert stat.S_IMODE(st.st_mode) == 0o600
    assert m.rcpt_types() == ["D"]


def test_extension_is_stripped_for_the_user(agent):
    a = agent()
    rcpt = f"paco+Lists@{HOST}"
    m = a.queue_message([(rcpt, rcpt)], b"Subject: ext\n\nx\n")
    assert a.deliver(m) == 0
    entries = split_mbox(open(os.path.join(a.spool, "paco"), "rb").read())
    assert entries[0][1].startswith(f"Return-Path: <{SENDER}>\nX-Original-To: {rcpt}\n"
                                    f"Delivered-To: {rcpt}\n".encode())


def test_unknown_user_bounces(agent):
    a = agent()
    m = a.queue_message([("nosuch", f"NoSuch@{HOST}"), ("paco", f"paco@{HOST}")],
                        b"Subject: x\n\nbody\n")
    assert a.deliver(m) == 0
    b = a.bounce.of("bounce")
    assert len(b) == 1, a.bounce.requests
    assert b[0]["recipient"] == f"NoSuch@{HOST}"
    assert b[0]["status_code"] == "5.1.1"
    assert b[0]["reason"] == 'unknown user: "nosuch"'
    assert b[0]["queue_id"] == m.qid
    a.wait_log(rf"{m.qid}: to=<NoSuch@{re.escape(HOST)}>, orig_to=<nosuch>, relay=local, "
               r"delay=[\d.]+, delays=[\d./]+, dsn=5\.1\.1, "
               r'status=bounced \(unknown user: "nosuch"\)')
    # Both recipients are done: one bounced, one delivered.
    assert m.rcpt_types() == ["D", "D"]
    assert os.path.getsize(os.path.join(a.spool, "paco")) > 0


def test_unrecorded_bounce_is_not_marked_done(agent):
    a = agent()
    a.bounce.status_for["bounce"] = -1
    m = a.queue_message([f"nosuch@{HOST}"], b"Subject: x\n\nbody\n")
    assert a.deliver(m) == 1          # DEL_STAT_DEFER: qmgr must retry
    assert m.rcpt_types() == ["R"]


def test_symlinked_mailbox_is_refused(agent):
    a = agent()
    target = os.path.join(a.dir, "target")
    open(target, "wb").close()
    link = os.path.join(a.spool, "paco")
    os.symlink(target, link)
    paco = pwd.getpwnam("paco")
    os.lchown(link, paco.pw_uid, paco.pw_gid)
    m = a.queue_message([f"paco@{HOST}"], b"Subject: x\n\nbody\n")
    assert a.deliver(m) == 0
    assert os.path.getsize(target) == 0
    b = a.bounce.of("bounce")
    assert len(b) == 1 and b[0]["status_code"] == "5.2.0", a.bounce.requests
    assert b[0]["reason"].startswith(f"cannot update mailbox {link} for user paco. "
                                     "cannot open file: "), b[0]["reason"]
    assert m.rcpt_types() == ["D"]


def test_hard_linked_mailbox_is_refused(agent):
    a = agent()
    other = os.path.join(a.dir, "other")
    open(other, "wb").close()
    paco = pwd.getpwnam("paco")
    os.chown(other, paco.pw_uid, paco.pw_gid)
    os.link(other, os.path.join(a.spool, "paco"))
    m = a.queue_message([f"paco@{HOST}"], b"Subject: x\n\nbody\n")
    assert a.deliver(m) == 0
    assert os.path.getsize(other) == 0
    assert [r["status_code"] for r in a.bounce.of("bounce")] == ["5.2.0"]


def test_mailbox_not_owned_by_recipient_defers(agent):
    a = agent()
    box = os.path.join(a.spool, "paco")
    with open(box, "wb") as f:
        f.write(b"")
    os.chmod(box, 0o600)          # owned by root
    m = a.queue_message([f"paco@{HOST}"], b"Subject: x\n\nbody\n")
    assert a.deliver(m) == 0
    d = a.bounce.of("defer")
    assert len(d) == 1 and d[0]["status_code"] == "4.2.0", a.bounce.requests
    assert "is not owned by recipient" in d[0]["reason"]
    assert os.path.getsize(box) == 0
    assert m.rcpt_types() == ["R"]


def test_fcntl_lock_held_defers(agent):
    a = agent()
    box = os.path.join(a.spool, "paco")
    first = a.queue_message([f"paco@{HOST}"], b"Subject: one\n\nbody\n")
    assert a.deliver(first) == 0
    size = os.path.getsize(box)
    with open(box, "r+b") as f:
        fcntl.lockf(f, fcntl.LOCK_EX)
        m = a.queue_message([f"paco@{HOST}"], b"Subject: two\n\nbody\n")
        t0 = time.monotonic()
        assert a.deliver(m) == 0
        waited = time.monotonic() - t0
    assert waited >= 0.9, waited      # deliver_lock_attempts=2, 1s apart
    d = a.bounce.of("defer")
    assert len(d) == 1 and d[0]["status_code"] == "4.2.0", a.bounce.requests
    assert d[0]["reason"] == (f"cannot update mailbox {box} for user paco. unable to lock for "
                              "exclusive access: Resource temporarily unavailable")
    assert os.path.getsize(box) == size
    assert m.rcpt_types() == ["R"]
    assert not os.path.exists(box + ".lock")   # the dot lock was released


def test_fcntl_lock_released_in_time_delivers(agent):
    a = agent(params={"deliver_lock_attempts": "5"})
    box = os.path.join(a.spool, "paco")
    open(box, "wb").close()
    paco = pwd.getpwnam("paco")
    os.chown(box, paco.pw_uid, paco.pw_gid)
    f = open(box, "r+b")
    fcntl.lockf(f, fcntl.LOCK_EX)
    threading.Timer(0.5, f.close).start()
    m = a.queue_message([f"paco@{HOST}"], b"Subject: waited\n\nbody\n")
    assert a.deliver(m) == 0
    assert b"Subject: waited" in open(box, "rb").read()
    assert m.rcpt_types() == ["D"]


def test_dot_lock_held_defers(agent):
    a = agent(params={"deliver_lock_attempts": "1"})
    lock = os.path.join(a.spool, "paco.lock")
    open(lock, "wb").close()
    m = a.queue_message([f"paco@{HOST}"], b"Subject: x\n\nbody\n")
    assert a.deliver(m) == 0
    d = a.bounce.of("defer")
    assert len(d) == 1 and d[0]["status_code"] == "4.2.0", a.bounce.requests
    box = os.path.join(a.spool, "paco")
    assert d[0]["reason"] == (f"cannot update mailbox {box} for user paco. "
                              f"unable to create lock file {box}.lock: File exists")
    assert os.path.exists(lock)          # someone else's lock is left alone
    assert not os.path.exists(os.path.join(a.spool, "paco"))


def test_mailbox_size_limit_bounces_and_truncates(agent):
    a = agent(params={"mailbox_size_limit": "20000", "message_size_limit": "10000"})
    box = os.path.join(a.spool, "paco")
    body = b"Subject: big\n\n" + (b"z" * 900 + b"\n") * 8
    sizes = []
    for _ in range(3):
        m = a.queue_message([f"paco@{HOST}"], body)
        assert a.deliver(m) == 0
        sizes.append(os.path.getsize(box))
    assert sizes[0] < sizes[1] == sizes[2] <= 20000
    b = a.bounce.of("bounce")
    assert len(b) == 1 and b[0]["status_code"] == "5.2.2", a.bounce.requests
    assert b[0]["reason"] == (f"cannot update mailbox {box} for user paco. "
                              "error writing message: File too large")
    a.wait_log(r"dsn=5\.2\.2, status=bounced \(cannot update mailbox .* File too large\)")
    assert split_mbox(open(box, "rb").read())[-1][1].endswith(b"z\n\n")


def test_corrupt_queue_file_defers(agent):
    a = agent()
    m = a.queue_message([f"paco@{HOST}"], b"Subject: x\n\nbody\n")
    with open(m.path, "r+b") as f:      # a sender record inside the content
        f.seek(m.data_offset)
        assert f.read(1) == b"N"
        f.seek(m.data_offset)
        f.write(b"S")
    assert a.deliver(m) == 0
    d = a.bounce.of("defer")
    assert len(d) == 1 and d[0]["status_code"] == "4.3.0", a.bounce.requests
    assert d[0]["reason"] == "corrupted queue file"
    assert os.path.getsize(os.path.join(a.spool, "paco")) == 0


# --- local: Maildir -----------------------------------------------------------

def test_maildir_bytes_and_name(agent):
    # mail_spool_directory with a trailing slash: a Maildir in the spool.
    c = agent(maildir=True)
    rcpt = f"paco@{HOST}"
    m = c.queue_message([("paco", rcpt)], MESSAGE)
    assert c.deliver(m) == 0
    md = os.path.join(c.spool, "paco")
    paco = pwd.getpwnam("paco")
    for sub in ("", "tmp", "new", "cur"):
        st = os.stat(os.path.join(md, sub))
        assert stat.S_ISDIR(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o700
        assert st.st_uid == paco.pw_uid
    assert os.listdir(os.path.join(md, "tmp")) == []
    names = os.listdir(os.path.join(md, "new"))
    assert len(names) == 1
    path = os.path.join(md, "new", names[0])
    st = os.stat(path)
    host = socket.gethostname().replace("/", "\\057").replace(":", "\\072")
    mt = re.fullmatch(r"(\d+)\.V([0-9a-f]+)I([0-9a-f]+)M(\d+)\." + re.escape(host), names[0])
    assert mt, names[0]
    assert int(mt.group(2), 16) == st.st_dev and int(mt.group(3), 16) == st.st_ino
    assert abs(int(mt.group(1)) - time.time()) < 60
    assert (st.st_uid, stat.S_IMODE(st.st_mode)) == (paco.pw_uid, 0o600)
    want = (f"Return-Path: <{SENDER}>\nX-Original-To: paco\nDelivered-To: {rcpt}\n".encode()
            + expected_body(MESSAGE, quote=False))
    assert open(path, "rb").read() == want
    c.wait_log(LOG_SENT.format(qid=m.qid, to=re.escape(rcpt), orig=r"orig_to=<paco>, ",
                               what="maildir"))
    assert m.rcpt_types() == ["D"]


def test_address_verification_delivers_nothing(agent):
    a = agent()
    m = a.queue_message([f"paco@{HOST}"], b"Subject: x\n\nbody\n")
    assert a.deliver(m, flags=1 << 8) == 0      # DEL_REQ_FLAG_MTA_VRFY
    assert not os.path.exists(os.path.join(a.spool, "paco"))
    a.wait_log(r"status=(sent|deliverable) \(delivers to mailbox\)")


# --- error, retry, discard ------------------------------------------------------

def test_error_bounces_with_nexthop_text(agent):
    a = agent("error")
    m = a.queue_message([("err", "err@example.test"), "two@example.test"], b"Subject: x\n\nb\n")
    assert a.deliver(m, nexthop="5.7.1 go away") == 0
    b = a.bounce.of("bounce")
    assert [(r["recipient"], r["status_code"], r["reason"]) for r in b] == [
        ("err@example.test", "5.7.1", "go away"), ("two@example.test", "5.7.1", "go away")]
    a.wait_log(rf"postfix/error\[\d+\]: {m.qid}: to=<err@example\.test>, orig_to=<err>, "
               r"relay=none, delay=[\d.]+, delays=[\d./]+, dsn=5\.7\.1, status=bounced \(go away\)")
    assert m.rcpt_types() == ["D", "D"]


def test_error_without_code(agent):
    a = agent("error")
    m = a.queue_message(["e@example.test"], b"Subject: x\n\nb\n")
    assert a.deliver(m, nexthop="bare text") == 0
    b = a.bounce.of("bounce")
    assert [(r["status_code"], r["reason"]) for r in b] == [("5.0.0", "bare text")]


def test_retry_defers(agent):
    a = agent("error", service="retry")
    m = a.queue_message(["r@example.test"], b"Subject: x\n\nb\n")
    assert a.deliver(m, nexthop="4.2.0 later") == 0
    d = a.bounce.of("defer")
    assert [(r["status_code"], r["reason"]) for r in d] == [("4.2.0", "later")]
    assert a.bounce.of("bounce") == []
    a.wait_log(rf"postfix/error\[\d+\]: {m.qid}: to=<r@example\.test>, relay=none, "
               r"delay=[\d.]+, delays=[\d./]+, dsn=4\.2\.0, status=deferred \(later\)")
    assert m.rcpt_types() == ["R"]


def test_discard_reports_sent(agent):
    a = agent("discard")
    m = a.queue_message([("dis", "dis@example.test")], b"Subject: x\n\nb\n")
    assert a.deliver(m, nexthop="silently") == 0
    a.wait_log(rf"postfix/discard\[\d+\]: {m.qid}: to=<dis@example\.test>, orig_to=<dis>, "
               r"relay=none, delay=[\d.]+, delays=[\d./]+, dsn=2\.0\.0, status=sent \(silently\)")
    assert a.bounce.of("bounce") == [] and a.bounce.of("defer") == []
    assert m.rcpt_types() == ["D"]


# --- local: home_mailbox --------------------------------------------------------

@pytest.mark.parametrize("home_mailbox", ["pst-test-Maildir/", "pst-test-mbox"])
def test_home_mailbox(agent, home_mailbox):
    # Delivery under $HOME happens as the user.  Uses enrique's home (from
    # mk/testsetup.sh) and removes exactly what it created.
    try:
        enrique = pwd.getpwnam("enrique")
    except KeyError:
        pytest.skip("user enrique missing: run mk/testsetup.sh")
    target = os.path.join(enrique.pw_dir, home_mailbox.rstrip("/"))
    if not os.path.isdir(enrique.pw_dir) or os.path.lexists(target):
        pytest.skip(f"{enrique.pw_dir} missing or {target} exists")
    try:
        a = agent(params={"home_mailbox": home_mailbox})
        m = a.queue_message([f"enrique@{HOST}"], b"Subject: home\n\nbody\n")
        assert a.deliver(m) == 0
        st = os.stat(target)
        assert st.st_uid == enrique.pw_uid
        if home_mailbox.endswith("/"):
            names = os.listdir(os.path.join(target, "new"))
            assert len(names) == 1
            data = open(os.path.join(target, "new", names[0]), "rb").read()
            what = "maildir"
        else:
            data = open(target, "rb").read()
            assert stat.S_IMODE(st.st_mode) == 0o600
            assert re.match(FROM_LINE, data)
            what = "mailbox"
        assert b"Delivered-To: enrique@" + HOST.encode() + b"\nSubject: home\n\nbody\n" in data
        a.wait_log(LOG_SENT.format(qid=m.qid, to=re.escape(f"enrique@{HOST}"), orig="",
                                   what=what))
        assert not os.path.exists(os.path.join(a.spool, "enrique"))
    finally:
        if os.path.isdir(target) and not os.path.islink(target):
            shutil.rmtree(target)
        elif os.path.lexists(target):
            os.unlink(target)
