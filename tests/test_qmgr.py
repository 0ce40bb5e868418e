"""qmgr alone: a queue directory prepared by hand, fake helpers, real qmgr.

qmgr runs stand-alone (-S on a fifo, the trigger server skeleton) against a
temporary queue directory.  The test process plays every service qmgr talks
to, speaking the attribute protocol (lib/util/attr.h) on UNIX sockets in
private/:

  rewrite          resolves by domain: local.test -> local, slow.test ->
                   slow, none.test -> nosuch (no agent: "mail transport
                   unavailable"), fail.test -> RESOLVE_FLAG_FAIL, "bad"
                   addresses -> RESOLVE_FLAG_ERROR
  bounce/defer/trace  record every request; APPEND also writes the log file
                   (defer/ID, ...) the way the bounce daemon does, FLUSH
                   removes it
  local, slow      delivery agents: by recipient local part, "ok*" marks the
                   recipient done in the queue file (R -> D), "defer*"
                   defers it (defer log, R stays), "crash*" closes the
                   connection without a reply; they count requests in flight
                   per nexthop

Queue files are built here in Postfix's format (lib/global/QUEUE_FORMAT.md).
The end-to-end tests with real daemons belong to the lead.
"""
import os
import pwd
import select
import shutil
import socket
import struct
import subprocess
import tempfile
import threading
import time

import pytest

from lib.attr import AttrReader, attr_encode, record as rec

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("POSTERN_BIN", os.path.join(ROOT, "build", "bin"))
QMGR = os.path.join(BIN, "qmgr")

QUEUES = ["incoming", "active", "deferred", "hold", "corrupt", "bounce", "defer", "trace",
          "private", "public", "maildrop"]


# --------------------------------------------------------------- queue files

def queue_file(sender, rcpts, body=("Subject: test", "", "hello"), arrival=None, warn=None,
               done=()):
    """A queue file as cleanup writes it; returns (bytes, recipient offsets)."""
    arrival = arrival if arrival is not None else time.time()
    env = rec("T", "%d %d" % (int(arrival), int((arrival % 1) * 1e6)))
    env += rec("A", "create_time=%d" % int(arrival))
    env += rec("A", "rewrite_context=local")
    env += rec("S", sender)
    if warn is not None:
        env += rec("W", "%15d" % warn)
    offsets = []
    size_len = 97
    for r in rcpts:
        env += rec("A", "dsn_orig_rcpt=rfc822;" + r)
        env += rec("O", r)
        offsets.append(size_len + len(env))
        env += rec("D" if r in done else "R", r)
    env += rec("M")
    data_offset = size_len + len(env)
    content = b"".join(rec("N", line) for line in body)
    tail = rec("X") + rec("E")
    size = "%15d %15d %15d %15d %15d %15d" % (len(content), data_offset, len(rcpts), 0,
                                             len(content), 0)
    head = rec("C", size)
    assert len(head) == size_len
    return head + env + content + tail, offsets, len(content)


# --------------------------------------------------------------- fake services

class FakeServices:
    def __init__(self, qdir):
        self.qdir = qdir
        self.lock = threading.Lock()
        self.requests = []      # delivery requests: (transport, attrs, rcpts)
        self.bounce_log = []    # (service, attrs)
        self.inflight = {}      # nexthop -> current
        self.max_inflight = {}  # nexthop -> max seen
        self.delay = 0.0
        self.servers = []
        self.stopping = False

    def path(self, *parts):
        return os.path.join(self.qdir, *parts)

    def listen(self, name, handler):
        path = self.path("private", name)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(path)
        os.chmod(path, 0o666)
        s.listen(64)
        self.servers.append(s)

        def accept_loop():
            while not self.stopping:
                try:
                    conn, _ = s.accept()
                except OSError:
                    return
                threading.Thread(target=self._serve, args=(handler, conn), daemon=True).start()
        threading.Thread(target=accept_loop, daemon=True).start()

    def _serve(self, handler, conn):
        try:
            handler(conn, AttrReader(conn))
        except (EOFError, OSError):
            pass
        finally:
            conn.close()

    def close(self):
        self.stopping = True
        for s in self.servers:
            s.close()

    # rewrite/1
    def rewrite(self, conn, rd):
        conn.sendall(attr_encode(protocol="rewrite/1"))
        while True:
            req = rd.read_list()
            addr = req.get("address", "")
            domain = addr.rpartition("@")[2].lower()
            if addr.startswith("bad") or "@" not in addr:
                reply = dict(flags=4, transport="error", nexthop="", recipient=addr)
            elif domain == "fail.test":
                reply = dict(flags=8, transport="", nexthop="", recipient=addr)
            elif domain == "local.test":
                reply = dict(flags=1 | 256, transport="local", nexthop="local.test", recipient=addr)
            elif domain == "none.test":
                reply = dict(flags=2048, transport="nosuch", nexthop=domain, recipient=addr)
            else:
                reply = dict(flags=2048, transport="slow", nexthop=domain, recipient=addr)
            conn.sendall(attr_encode(**reply))

    # bounce/1, for the bounce, defer and trace services
    def bounce_service(self, service):
        def handler(conn, rd):
            conn.sendall(attr_encode(protocol="bounce/1"))
            req = rd.read_list()
            with self.lock:
                self.bounce_log.append((service, req))
            log = self.path(service, req["queue_id"])
            if service == "defer":
                log = self.hashed("defer", req["queue_id"])
            if req["nrequest"] == "0":
                self.makedirs(os.path.dirname(log))
                with open(log, "a") as f:
                    f.write("recipient=%s reason=%s\n" % (req["recipient"], req["reason"]))
            elif req["nrequest"] in ("1", "3") and os.path.exists(log):
                os.unlink(log)
            conn.sendall(attr_encode(status=0))
        return handler

    def makedirs(self, path):
        if not os.path.isdir(path):
            os.makedirs(path, exist_ok=True)
            owner = os.stat(self.qdir)
            os.chown(path, owner.st_uid, owner.st_gid)

    def hashed(self, queue, qid):
        return self.path(queue, qid[0], qid)

    # deliver/1
    def agent(self, transport):
        def handler(conn, rd):
            conn.sendall(attr_encode(protocol="deliver/1"))
            req = rd.read_list()
            rcpts = [rd.read_list() for _ in range(int(req["recipient_count"]))]
            hop = req["nexthop"]
            with self.lock:
                self.requests.append((transport, req, rcpts))
                self.inflight[hop] = self.inflight.get(hop, 0) + 1
                self.max_inflight[hop] = max(self.max_inflight.get(hop, 0), self.inflight[hop])
            done = False
            try:
                if self.delay:
                    time.sleep(self.delay)
                qfile = self.path(req["queue_name"], req["queue_id"])
                for r in rcpts:
                    local = r["recipient"].split("@")[0]
                    if local.startswith("crash"):
                        return
                    if local.startswith("ok"):
                        with open(qfile, "r+b") as f:
                            f.seek(int(r["offset"]))
                            assert f.read(1) == b"R"
                            f.seek(int(r["offset"]))
                            f.write(b"D")
                    elif local.startswith("defer"):
                        log = self.hashed("defer", req["queue_id"])
                        self.makedirs(os.path.dirname(log))
                        with open(log, "a") as f:
                            f.write("recipient=%s reason=agent says later\n" % r["recipient"])
                # Out of flight before qmgr hears the reply: it may send
                # the next request at once.
                with self.lock:
                    self.inflight[hop] -= 1
                    done = True
                conn.sendall(attr_encode(status=0))
            finally:
                if not done:
                    with self.lock:
                        self.inflight[hop] -= 1
        return handler


# --------------------------------------------------------------- the instance

class Qmgr:
    def __init__(self, top, params):
        self.top = top
        self.qdir = os.path.join(top, "queue")
        self.conf = os.path.join(top, "conf")
        self.log = os.path.join(top, "maillog")
        self.fifo = os.path.join(self.qdir, "public", "qmgr")
        self.proc = None
        os.makedirs(self.conf)
        for q in QUEUES:
            os.makedirs(os.path.join(self.qdir, q))
        pw = pwd.getpwnam("postfix")
        self.uid, self.gid = pw.pw_uid, pw.pw_gid
        settings = dict(queue_directory=self.qdir, mail_owner="postfix",
                        maillog_file=self.log, hash_queue_depth=1,
                        maillog_file_prefixes=os.path.dirname(self.log),
                        hash_queue_names="deferred, defer")
        settings.update(params)
        with open(os.path.join(self.conf, "main.cf"), "w") as f:
            for k, v in settings.items():
                f.write("%s = %s\n" % (k, v))
        self.fake = FakeServices(self.qdir)
        self.fake.listen("rewrite", self.fake.rewrite)
        for svc in ("bounce", "defer", "trace"):
            self.fake.listen(svc, self.fake.bounce_service(svc))
        for transport in ("local", "slow"):
            self.fake.listen(transport, self.fake.agent(transport))

    def chown_all(self):
        for dirpath, dirnames, filenames in os.walk(self.qdir):
            for name in dirnames + filenames:
                p = os.path.join(dirpath, name)
                if not os.path.islink(p) and not p.startswith(os.path.join(self.qdir, "private")):
                    os.chown(p, self.uid, self.gid)
        os.chown(self.qdir, self.uid, self.gid)

    def put(self, queue, data, qid, mode=0o700, mtime=None):
        d = os.path.join(self.qdir, queue)
        if queue in ("deferred",):
            d = os.path.join(d, qid[0])
        os.makedirs(d, exist_ok=True)
        p = os.path.join(d, qid)
        with open(p, "wb") as f:
            f.write(data)
        os.chmod(p, mode)
        if mtime is not None:
            os.utime(p, (mtime, mtime))
        self.chown_all()
        return p

    def start(self):
        self.chown_all()
        # Stand-alone daemons also log to stderr: keep it in a file, not a pipe
        # that nobody reads (a full pipe would stall qmgr).
        with open(os.path.join(self.top, "stderr"), "ab") as err:
            self.proc = subprocess.Popen([QMGR, "-c", self.conf, "-n", "qmgr", "-t", "fifo",
                                          "-u", "-S", self.fifo], stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=err)
        wait_for(lambda: os.path.exists(self.fifo), what="qmgr fifo")
        return self

    def trigger(self, req):
        fd = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
        try:
            os.write(fd, req.encode())
        finally:
            os.close(fd)

    def maillog(self):
        try:
            with open(self.log) as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def wait_log(self, text, timeout=10):
        wait_for(lambda: text in self.maillog(), timeout, what=repr(text) + " in maillog:\n" +
                 self.maillog())

    def files(self, queue):
        out = []
        for dirpath, _, filenames in os.walk(os.path.join(self.qdir, queue)):
            out += filenames
        return sorted(out)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.fake.close()


def wait_for(pred, timeout=10, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return
        time.sleep(0.02)
    raise AssertionError("timed out waiting for " + what)


@pytest.fixture
def qmgr_factory():
    if os.geteuid() != 0:
        pytest.skip("qmgr drops privileges to mail_owner: run as root")
    try:
        pwd.getpwnam("postfix")
    except KeyError:
        pytest.skip("no postfix user: run mk/testsetup.sh")
    if not os.access(QMGR, os.X_OK):
        pytest.skip("qmgr is not built")
    made = []
    tops = []

    def make(**params):
        top = tempfile.mkdtemp(prefix="pst-qmgr-")
        os.chmod(top, 0o755)
        tops.append(top)
        q = Qmgr(top, params)
        made.append(q)
        return q
    yield make
    for q in made:
        q.stop()
        log = q.maillog()
        assert "panic:" not in log and "fatal:" not in log, log
    if not os.environ.get("PST_KEEP"):
        for top in tops:
            shutil.rmtree(top, ignore_errors=True)


# Queue ids: short form, 5 hex digits of microseconds then the inode in hex.
IDS = ["A1000AB01", "B2000AB02", "C3000AB03", "D4000AB04", "E5000AB05", "F6000AB06"]


# --------------------------------------------------------------- tests

def test_delivers_logs_and_removes(qmgr_factory):
    q = qmgr_factory()
    data, offsets, size = queue_file("sender@example.org", ["ok1@local.test", "ok2@local.test"])
    q.put("incoming", data, IDS[0])
    q.start()
    q.wait_log("%s: from=<sender@example.org>, size=%d, nrcpt=2 (queue active)" % (IDS[0], size))
    q.wait_log("%s: removed" % IDS[0])
    assert q.files("incoming") == [] and q.files("active") == [] and q.files("deferred") == []
    transport, req, rcpts = q.fake.requests[0]
    assert transport == "local"
    assert req["queue_name"] == "active" and req["queue_id"] == IDS[0]
    assert req["sender"] == "sender@example.org" and req["nexthop"] == "local.test"
    assert int(req["offset"]) == len(data) - size - 4 and int(req["size"]) == size
    # local_destination_recipient_limit is 1: one request per recipient.
    got = sorted((r["recipient"], int(r["offset"])) for _, _, rr in q.fake.requests for r in rr)
    assert got == [("ok1@local.test", offsets[0]), ("ok2@local.test", offsets[1])]
    assert all(len(rr) == 1 for _, _, rr in q.fake.requests)
    assert rcpts[0]["dsn_orig_rcpt"] == "rfc822;" + rcpts[0]["recipient"]


def test_done_recipients_are_skipped_and_hold_is_ignored(qmgr_factory):
    q = qmgr_factory()
    data, _, _ = queue_file("s@example.org", ["ok1@local.test", "ok2@local.test"],
                            done=("ok1@local.test",))
    q.put("incoming", data, IDS[0])
    held, _, _ = queue_file("s@example.org", ["ok3@local.test"])
    q.put("hold", held, IDS[1])
    q.start()
    q.wait_log("%s: removed" % IDS[0])
    delivered = [r["recipient"] for _, _, rcpts in q.fake.requests for r in rcpts]
    assert delivered == ["ok2@local.test"]
    q.trigger("A")
    q.trigger("I")
    time.sleep(0.3)
    assert q.files("hold") == [IDS[1]]
    assert IDS[1] not in q.maillog()


def test_recipient_limit_and_destination_concurrency(qmgr_factory):
    q = qmgr_factory(slow_destination_recipient_limit=2, slow_destination_concurrency_limit=2,
                     initial_destination_concurrency=2)
    q.fake.delay = 0.3
    rcpts = ["ok%d@a.test" % i for i in range(7)] + ["ok%d@b.test" % i for i in range(2)]
    data, _, _ = queue_file("s@example.org", rcpts)
    q.put("incoming", data, IDS[0])
    q.start()
    q.wait_log("%s: removed" % IDS[0])
    sizes = sorted(len(r) for t, req, r in q.fake.requests if req["nexthop"] == "a.test")
    assert sizes == [1, 2, 2, 2]
    assert q.fake.max_inflight["a.test"] == 2
    # b.test was not held up behind a.test's four requests.
    order = [req["nexthop"] for _, req, _ in q.fake.requests]
    assert order.index("b.test") < 3  # started in the first round (threads race to log)


def test_agent_deferral_goes_to_deferred_with_retry_time(qmgr_factory):
    q = qmgr_factory(minimal_backoff_time="300s", maximal_backoff_time="4000s")
    data, _, _ = queue_file("s@example.org", ["defer1@local.test", "ok1@local.test"])
    q.put("incoming", data, IDS[0])
    before = time.time()
    q.start()
    wait_for(lambda: q.files("deferred") == [IDS[0]], what="file in deferred/")
    path = os.path.join(q.qdir, "deferred", IDS[0][0], IDS[0])
    mtime = os.stat(path).st_mtime
    assert before + 300 - 2 <= mtime <= time.time() + 300 + 2, (mtime - before)
    assert "%s: removed" % IDS[0] not in q.maillog()
    # Not due yet: a deferred scan leaves it alone; 'A' ignores the time.
    q.trigger("D")
    time.sleep(0.3)
    assert q.files("deferred") == [IDS[0]]
    q.fake.requests.clear()
    q.trigger("A")
    wait_for(lambda: len(q.fake.requests) > 0, what="second attempt")
    # The recipient marked done the first time is not delivered again.
    assert [r["recipient"] for r in q.fake.requests[0][2]] == ["defer1@local.test"]


def test_unknown_transport_is_deferred(qmgr_factory):
    q = qmgr_factory()
    data, _, _ = queue_file("s@example.org", ["x@none.test", "ok@local.test"])
    q.put("incoming", data, IDS[0])
    q.start()
    wait_for(lambda: q.files("deferred") == [IDS[0]], what="file in deferred/")
    defers = [r for s, r in q.fake.bounce_log if s == "defer" and r["nrequest"] == "0"]
    assert len(defers) == 1
    assert defers[0]["recipient"] == "x@none.test"
    assert defers[0]["status_code"] == "4.3.0"
    assert defers[0]["reason"] == "mail transport unavailable"
    delivered = [r["recipient"] for _, _, rcpts in q.fake.requests for r in rcpts]
    assert delivered == ["ok@local.test"]


def test_resolver_failure_defers_and_bad_address_bounces(qmgr_factory):
    q = qmgr_factory()
    data, offsets, _ = queue_file("s@example.org", ["x@fail.test", "bad-address"])
    q.put("incoming", data, IDS[0])
    q.start()
    wait_for(lambda: q.files("deferred") == [IDS[0]], what="file in deferred/")
    appends = {(s, r["recipient"]): r for s, r in q.fake.bounce_log if r["nrequest"] == "0"}
    d = appends[("defer", "x@fail.test")]
    assert (d["status_code"], d["reason"]) == ("4.3.0", "address resolver failure")
    b = appends[("bounce", "bad-address")]
    assert (b["status_code"], b["reason"]) == ("5.1.3", "bad address syntax")
    flushes = [r for s, r in q.fake.bounce_log if s == "bounce" and r["nrequest"] == "1"]
    assert flushes and flushes[0]["queue_id"] == IDS[0] and flushes[0]["sender"] == "s@example.org"
    # The bounced recipient is marked done in the queue file.
    with open(os.path.join(q.qdir, "deferred", IDS[0][0], IDS[0]), "rb") as f:
        f.seek(offsets[1])
        assert f.read(1) == b"D"


def test_broken_agent_defers_and_throttles(qmgr_factory):
    q = qmgr_factory()
    data, _, _ = queue_file("s@example.org", ["crash@c.test"])
    q.put("incoming", data, IDS[0])
    q.start()
    wait_for(lambda: q.files("deferred") == [IDS[0]], what="file in deferred/")
    defers = [r for s, r in q.fake.bounce_log if s == "defer" and r["nrequest"] == "0"]
    assert [(r["recipient"], r["status_code"], r["reason"]) for r in defers] == [
        ("crash@c.test", "4.3.0", "unknown mail transport error")]
    # The destination is dead now: new mail for it is deferred at once.
    data2, _, _ = queue_file("s@example.org", ["ok@c.test"])
    q.put("incoming", data2, IDS[1])
    n = len(q.fake.requests)
    q.trigger("I")
    wait_for(lambda: IDS[1] in q.files("deferred"), what="second file deferred")
    assert len(q.fake.requests) == n
    reasons = [r["reason"] for s, r in q.fake.bounce_log if r.get("queue_id") == IDS[1]]
    assert reasons[0].startswith("delivery temporarily suspended: ")
    # 'F' forgets dead destinations; 'A' retries everything at once.
    q.trigger("FA")
    q.wait_log("%s: removed" % IDS[1])


def test_expired_message_is_returned(qmgr_factory):
    q = qmgr_factory(maximal_queue_lifetime="1d")
    data, _, _ = queue_file("s@example.org", ["defer@local.test"], arrival=time.time() - 2 * 86400)
    q.put("incoming", data, IDS[0])
    q.start()
    q.wait_log("%s: from=<s@example.org>, status=expired, returned to sender" % IDS[0])
    q.wait_log("%s: removed" % IDS[0])
    flushes = [r for s, r in q.fake.bounce_log if s == "defer" and r["nrequest"] == "1"]
    assert flushes and flushes[0]["queue_id"] == IDS[0]


def test_delay_warning(qmgr_factory):
    q = qmgr_factory()
    data, _, _ = queue_file("s@example.org", ["defer@local.test"], warn=int(time.time()) - 10)
    q.put("incoming", data, IDS[0])
    q.start()
    wait_for(lambda: q.files("deferred") == [IDS[0]], what="file in deferred/")
    warns = [r for s, r in q.fake.bounce_log if s == "defer" and r["nrequest"] == "2"]
    assert len(warns) == 1
    # The W record is cleared so that the warning goes out once.
    with open(os.path.join(q.qdir, "deferred", IDS[0][0], IDS[0]), "rb") as f:
        assert rec("W", "%15d" % 0) in f.read()


def test_corrupt_file_is_moved_aside(qmgr_factory):
    q = qmgr_factory()
    data, _, _ = queue_file("s@example.org", ["ok@local.test"])
    q.put("incoming", data[:-3], IDS[0])          # cut short
    q.put("incoming", b"garbage\0\1\2", IDS[1])
    q.put("incoming", data, IDS[2])
    q.start()
    q.wait_log("%s: removed" % IDS[2])
    wait_for(lambda: q.files("corrupt") == sorted([IDS[0], IDS[1]]), what="corrupt files")
    assert 'saving corrupt file "%s" from queue "active" to queue "corrupt"' % IDS[0] in q.maillog()
    assert q.proc.poll() is None


def test_incomplete_file_is_left_alone(qmgr_factory):
    q = qmgr_factory()
    data, _, _ = queue_file("s@example.org", ["ok@local.test"])
    q.put("incoming", data, IDS[0], mode=0o600)
    q.start()
    time.sleep(0.5)
    assert q.files("incoming") == [IDS[0]]
    os.chmod(os.path.join(q.qdir, "incoming", IDS[0]), 0o700)
    q.trigger("I")
    q.wait_log("%s: removed" % IDS[0])


def test_restart_with_files_in_active(qmgr_factory):
    q = qmgr_factory()
    data, _, _ = queue_file("s@example.org", ["ok1@local.test", "ok2@local.test"],
                            done=("ok1@local.test",))
    q.put("active", data, IDS[0])
    q.start()
    q.wait_log("%s: removed" % IDS[0])
    delivered = [r["recipient"] for _, _, rcpts in q.fake.requests for r in rcpts]
    assert delivered == ["ok2@local.test"]


def test_null_sender_uses_bounce_queue_lifetime(qmgr_factory):
    q = qmgr_factory(maximal_queue_lifetime="5d", bounce_queue_lifetime="1h")
    data, _, _ = queue_file("", ["defer@local.test"], arrival=time.time() - 7200)
    q.put("incoming", data, IDS[0])
    q.start()
    q.wait_log("%s: from=<>, status=expired, returned to sender" % IDS[0])
