"""System tests for the cleanup daemon's contract (cleanup/1, PROTOCOLS.md).

cleanup runs stand-alone (-z: the client is stdin/stdout) as root with -u,
against a temporary queue directory.  The test speaks the attribute protocol
itself, and serves fake trivial-rewrite and bounce services on
private/rewrite and private/bounce (Python threads), so what cleanup asks
of them is checked too.  The queue file it writes is read back with
Postern's postcat and Debian's postcat; both must read it.

No network namespace is needed: nothing here touches the network.
"""
import os
import pwd
import shutil
import socket
import stat
import subprocess
import tempfile
import threading
import time

import pytest

from lib.attr import AttrReader, attr_encode, record as rec

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("POSTERN_BIN", os.path.join(ROOT, "build", "bin"))
if not os.path.isabs(BIN):
    BIN = os.path.join(ROOT, BIN)
CLEANUP = os.path.join(BIN, "cleanup")
POSTCAT = os.path.join(BIN, "postcat")

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="cleanup runs as root with -u"),
    pytest.mark.skipif(not os.access(CLEANUP, os.X_OK), reason="build/bin/cleanup not built"),
]

FLAG_BOUNCE = 1
FLAG_FILTER = 2
FLAG_MAP_OK = 32
FLAGS_EXTERNAL = 2 | 16 | 32 | 64


def message(sender="paco", rcpts=("bob",), lines=("Subject: test", "", "body"), attrs=(),
            extracted=(), fullname="Paco Full"):
    d = rec("T", "1795335265 487569") + rec("A", "rewrite_context=local")
    for a in attrs:
        d += rec("A", a)
    if fullname is not None:
        d += rec("F", fullname)
    d += rec("S", sender)
    for r in rcpts:
        d += rec("R", r)
    d += rec("M")
    for line in lines:
        d += rec("N", line)
    d += rec("X")
    for r in extracted:
        d += rec("R", r)
    return d + rec("E")


# --- fake services -----------------------------------------------------------
class FakeService:
    """A UNIX-socket server speaking one attribute protocol, in a thread."""

    def __init__(self, path, proto, handler):
        self.path, self.proto, self.handler = path, proto, handler
        self.requests = []
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        os.chmod(path, 0o666)
        self.sock.listen(5)
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn):
        f = conn.makefile("rwb")
        rd = AttrReader(f)
        try:
            f.write(attr_encode(protocol=self.proto))
            f.flush()
            while True:
                req = rd.read_list()
                self.requests.append(req)
                f.write(attr_encode(**self.handler(req)))
                f.flush()
        except (EOFError, OSError, ValueError):
            pass
        finally:
            conn.close()

    def close(self):
        self.sock.close()


def fake_rewrite(req):
    addr = req.get("address", "")
    if addr and "@" not in addr:
        addr += "@example.test"
    return {"flags": 0, "address": addr}


@pytest.fixture
def queue():
    d = tempfile.mkdtemp(prefix="pst-cleanup-")
    os.chmod(d, 0o755)
    conf, q = os.path.join(d, "conf"), os.path.join(d, "queue")
    os.makedirs(conf)
    pw = pwd.getpwnam("postfix")
    for sub in ("incoming", "hold", "corrupt", "private", "public", "active", "bounce"):
        p = os.path.join(q, sub)
        os.makedirs(p)
        os.chown(p, pw.pw_uid, pw.pw_gid)
        os.chmod(p, 0o755 if sub in ("private", "public") else 0o700)
    os.chown(q, 0, 0)
    with open(os.path.join(conf, "main.cf"), "w") as f:
        f.write(f"queue_directory = {q}\nmail_owner = postfix\nmyhostname = mail.example.test\n"
                f"mydomain = example.test\nmyorigin = example.test\ncompatibility_level = 3.6\n"
                f"ipc_timeout = 5s\nmaillog_file =\n")
    services = [FakeService(os.path.join(q, "private", "rewrite"), "rewrite/1", fake_rewrite)]
    bounces = FakeService(os.path.join(q, "private", "bounce"), "bounce/1",
                          lambda req: {"status": 0})
    services.append(bounces)
    os.mkfifo(os.path.join(q, "public", "qmgr"))
    os.chmod(os.path.join(q, "public", "qmgr"), 0o622)
    yield {"dir": d, "conf": conf, "queue": q, "bounces": bounces}
    for s in services:
        s.close()
    shutil.rmtree(d, ignore_errors=True)


def set_params(queue, **params):
    with open(os.path.join(queue["conf"], "main.cf"), "a") as f:
        for k, v in params.items():
            f.write(f"{k} = {v}\n")


def run_cleanup(queue, records, flags=FLAGS_EXTERNAL | FLAG_BOUNCE):
    """One client conversation; returns (queue_id, reply, stderr)."""
    fifo = os.path.join(queue["queue"], "public", "qmgr")
    rfd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        p = subprocess.Popen([CLEANUP, "-c", queue["conf"], "-z", "-u"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            hello = AttrReader(p.stdout).read_list()
            assert hello == {"protocol": "cleanup/1"}, hello
            qid = AttrReader(p.stdout).read_list()["queue_id"]
            p.stdin.write(attr_encode(flags=flags) + records)
            p.stdin.flush()
            reply = AttrReader(p.stdout).read_list()
            p.stdin.close()
            err = p.stderr.read().decode()
            p.wait(timeout=10)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        try:
            trig = os.read(rfd, 100)
        except BlockingIOError:
            trig = b""
    finally:
        os.close(rfd)
    reply["trigger"] = trig
    return qid, reply, err


def postcat(path, conf, ours=True):
    cmd = [POSTCAT if ours else "/usr/sbin/postcat", "-c", conf, "-v", path]
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def check_both_postcats(path):
    conf = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(path))), "conf")
    # Postfix pauses on a main.cf changed within the last second; date it back.
    past = time.time() - 60
    os.utime(os.path.join(conf, "main.cf"), (past, past))
    rc1, out1, err1 = postcat(path, conf, ours=True)
    assert rc1 == 0, err1
    if os.access("/usr/sbin/postcat", os.X_OK):
        rc2, out2, err2 = postcat(path, conf, ours=False)
        assert rc2 == 0, err2
        assert out1 == out2, f"postcat differs:\n{out1}\n---\n{out2}"
    return out1


# --- tests -------------------------------------------------------------------
def test_local_message_gets_headers_and_is_complete(queue):
    qid, reply, err = run_cleanup(queue, message())
    assert reply["status"] == "0", (reply, err)
    path = os.path.join(queue["queue"], "incoming", qid)
    st = os.stat(path)
    assert stat.S_IMODE(st.st_mode) == 0o700, oct(st.st_mode)
    assert reply["trigger"] == b"I", err
    out = check_both_postcats(path)
    assert "sender: paco@example.test" in out
    assert "original_recipient: bob\n" in out and "recipient: bob@example.test" in out
    assert f"Message-Id: <" in out and f".{qid}@mail.example.test>" in out
    assert "From: Paco Full <paco@example.test>" in out
    assert "Date: Sun, 22 Nov 2026" in out
    assert f"{qid}: message-id=<" in err


def test_reject_without_bounce_flag_removes_the_file(queue):
    hc = os.path.join(queue["dir"], "hc")
    with open(hc, "w") as f:
        f.write("/^Subject: spam/ REJECT go away\n")
    set_params(queue, header_checks=f"regexp:{hc}")
    qid, reply, err = run_cleanup(queue, message(lines=("Subject: spam", "", "b")),
                                  flags=FLAGS_EXTERNAL)
    assert reply["status"] == "8" and reply["reason"] == "5.7.1 go away", reply
    assert not os.path.exists(os.path.join(queue["queue"], "incoming", qid))
    assert (f"{qid}: reject: header Subject: spam from local; from=<paco@example.test> "
            f"to=<bob@example.test>: 5.7.1 go away") in err
    assert reply["trigger"] == b""


def test_reject_with_bounce_flag_bounces_and_answers_ok(queue):
    hc = os.path.join(queue["dir"], "hc")
    with open(hc, "w") as f:
        f.write("/^Subject: spam/ REJECT\n")
    set_params(queue, header_checks=f"regexp:{hc}")
    qid, reply, err = run_cleanup(queue, message(lines=("Subject: spam", "", "b")))
    assert reply["status"] == "0", (reply, err)
    reqs = queue["bounces"].requests
    assert len(reqs) == 1 and reqs[0]["nrequest"] == "4", reqs
    assert reqs[0]["queue_id"] == qid and reqs[0]["recipient"] == "bob@example.test"
    assert reqs[0]["status_code"] == "5.7.1"
    assert not os.path.exists(os.path.join(queue["queue"], "incoming", qid))


def test_hold_goes_to_hold_queue(queue):
    hc = os.path.join(queue["dir"], "hc")
    with open(hc, "w") as f:
        f.write("/^Subject: hold/ HOLD\n")
    set_params(queue, header_checks=f"regexp:{hc}")
    qid, reply, err = run_cleanup(queue, message(lines=("Subject: hold it", "", "b")))
    assert reply["status"] == "0", reply
    path = os.path.join(queue["queue"], "hold", qid)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o700
    assert not os.path.exists(os.path.join(queue["queue"], "incoming", qid))
    check_both_postcats(path)


def test_sendmail_t_recipients_and_bcc_removed(queue):
    qid, reply, err = run_cleanup(queue, message(
        rcpts=(), lines=("Subject: t", "To: a@example.test", "Bcc: secret@example.test", "", "b"),
        extracted=("a@example.test", "secret@example.test")))
    assert reply["status"] == "0", reply
    out = check_both_postcats(os.path.join(queue["queue"], "incoming", qid))
    assert "Bcc:" not in out
    head, extracted = out.split("*** HEADER EXTRACTED")
    assert "recipient: secret@example.test" in extracted


def test_truncated_input_is_not_queued(queue):
    data = message()
    qid, reply, err = None, None, None
    p = subprocess.Popen([CLEANUP, "-c", queue["conf"], "-z", "-u"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        AttrReader(p.stdout).read_list()
        qid = AttrReader(p.stdout).read_list()["queue_id"]
        p.stdin.write(attr_encode(flags=FLAGS_EXTERNAL) + data[:-10])
        p.stdin.close()
        try:
            reply = AttrReader(p.stdout).read_list()
        except EOFError:
            reply = None
        p.wait(timeout=10)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert reply is None or reply["status"] != "0"
    assert os.listdir(os.path.join(queue["queue"], "incoming")) == []


def test_no_recipients(queue):
    qid, reply, err = run_cleanup(queue, message(rcpts=()))
    assert reply["status"] == "64", reply
    assert os.listdir(os.path.join(queue["queue"], "incoming")) == []


def test_message_size_limit(queue):
    set_params(queue, message_size_limit="1000")
    qid, reply, err = run_cleanup(queue, message(lines=("Subject: big", "") + ("x" * 100,) * 20),
                                  flags=FLAGS_EXTERNAL)
    assert reply["status"] == "4", reply
    assert "5.3.4" in reply["reason"]
    assert os.listdir(os.path.join(queue["queue"], "incoming")) == []
