"""The bounce daemon stand-alone (-S) against a fake cleanup, and postlogd.

bounce runs as "bounce -S queue/private/SERVICE -n SERVICE -t unix -u" in a
temporary queue; the test speaks the bounce/1 attribute protocol to it
(PROTOCOLS.md), and a fake cleanup service on queue/public/cleanup captures
every DSN it submits (cleanup/1: hello, queue_id, flags, records, status).
The DSNs are parsed with Python's email package.
"""
import email
import email.policy
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time

import pytest

from lib.attr import AttrReader, attr_encode, read_record, record

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("POSTERN_BIN", os.path.join(ROOT, "build", "bin"))
if not os.path.isabs(BIN):
    BIN = os.path.join(ROOT, BIN)

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (privilege drop)")


class FakeCleanup:
    """public/cleanup: accepts DSNs and keeps them as (sender, rcpts, text)."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        os.chmod(path, 0o666)
        self.sock.listen(5)
        self.messages = []
        self.count = 0
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                f = conn.makefile("rwb")
                self.count += 1
                qid = "NEWID%d" % self.count
                f.write(attr_encode([("protocol", "cleanup/1")]) + attr_encode([("queue_id", qid)]))
                f.flush()
                flags = AttrReader(f).read()
                sender, rcpts, lines, seen_m = None, [], [], False
                while True:
                    t, data = read_record(f)
                    if t is None or t == "E":
                        break
                    if t == "S":
                        sender = data.decode()
                    elif t == "R":
                        rcpts.append(data.decode())
                    elif t == "M":
                        seen_m = True
                    elif t == "N" and seen_m:
                        lines.append(data)
                    elif t == "X":
                        seen_m = False
                self.messages.append(dict(id=qid, flags=flags, sender=sender, rcpts=rcpts,
                                          text=b"\n".join(lines) + b"\n"))
                f.write(attr_encode([("status", 0), ("reason", "")]))
                f.flush()

    def close(self):
        self.sock.close()


@pytest.fixture
def queue():
    if not os.path.exists(os.path.join(BIN, "bounce")):
        pytest.skip("build/bin/bounce missing")
    top = tempfile.mkdtemp(prefix="pst-bounce-")
    os.chmod(top, 0o755)
    q = os.path.join(top, "queue")
    for d in ("active", "deferred", "bounce", "defer", "trace", "public", "private"):
        os.makedirs(os.path.join(q, d))
    conf = os.path.join(top, "conf")
    os.makedirs(conf)
    with open(os.path.join(conf, "main.cf"), "w") as f:
        f.write(f"""queue_directory = {q}
myhostname = mail.example.test
mydomain = example.test
myorigin = example.test
mail_owner = postfix
maillog_file = {top}/maillog
maillog_file_prefixes = {top}
notify_classes = bounce, 2bounce, delay, resource, software
bounce_notice_recipient = postmaster
""")
    pw = pwd.getpwnam("postfix")
    for dirpath, dirs, files in os.walk(q):
        os.chown(dirpath, pw.pw_uid, pw.pw_gid)
    procs = []
    env = dict(top=top, queue=q, conf=conf, procs=procs)
    env["cleanup"] = FakeCleanup(os.path.join(q, "public", "cleanup"))
    yield env
    for p in procs:
        p.kill()
        p.wait()
    env["cleanup"].close()
    shutil.rmtree(top)


def start(env, service, prog="bounce", transport="unix"):
    cls = "public" if prog == "postlogd" else "private"
    path = os.path.join(env["queue"], cls, service)
    p = subprocess.Popen([os.path.join(BIN, prog), "-c", env["conf"], "-n", service, "-t",
                          transport, "-S", path, "-u"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    env["procs"].append(p)
    for _ in range(100):
        if os.path.exists(path):
            return path
        if p.poll() is not None:
            raise AssertionError(f"{prog} exited: {p.stderr.read().decode()}")
        time.sleep(0.05)
    raise AssertionError(f"{prog} did not listen on {path}")


def request(path, *pairs):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    for _ in range(50):         # the socket exists a moment before listen()
        try:
            s.connect(path)
            break
        except ConnectionRefusedError:
            time.sleep(0.02)
    else:
        s.connect(path)
    f = s.makefile("rwb")
    assert AttrReader(f).read() == {"protocol": "bounce/1"}
    f.write(attr_encode(pairs))
    f.flush()
    reply = AttrReader(f).read()
    s.close()
    return None if reply is None else int(reply["status"])


def append(path, qid, rcpt, status="5.1.1", action="failed", reason="unknown user",
           notify=0, orcpt="", dtype="", dtext="", mtype="", mname=""):
    return request(path, ("nrequest", 0), ("flags", 0), ("queue_id", qid),
                   ("original_recipient", rcpt), ("recipient", rcpt), ("offset", 100),
                   ("dsn_orig_rcpt", orcpt), ("notify_flags", notify), ("status_code", status),
                   ("action", action), ("reason", reason), ("diag_type", dtype),
                   ("diag_text", dtext), ("mta_type", mtype), ("mta_name", mname))


def flush(path, qid, nreq=1, sender="paco@example.test", ret=0, envid=""):
    return request(path, ("nrequest", nreq), ("flags", 0), ("queue_name", "active"),
                   ("queue_id", qid), ("encoding", ""), ("smtputf8", 0), ("sender", sender),
                   ("envelope_id", envid), ("ret_flags", ret))


def write_queue_file(env, qid, body="body line\n", queue="active"):
    data = record("T", "1796227176 123456") + record("S", "paco@example.test") \
        + record("R", "nosuch@example.test") + record("M", "")
    for line in ("Subject: original", "From: paco@example.test", "", *body.splitlines()):
        data += record("N", line)
    data += record("X", "") + record("E", "")
    qdir = os.path.join(env["queue"], queue)
    if queue == "deferred":                      # hash_queue_names, depth 1
        qdir = os.path.join(qdir, qid[0])
        os.makedirs(qdir, exist_ok=True)
    path = os.path.join(qdir, qid)
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, 0o700)
    pw = pwd.getpwnam("postfix")
    os.chown(path, pw.pw_uid, pw.pw_gid)


def parse(msg):
    return email.message_from_bytes(msg["text"], policy=email.policy.default)


def wait_log(env, text, timeout=5):
    path = os.path.join(env["top"], "maillog")
    end = time.time() + timeout
    while time.time() < end:
        if os.path.exists(path) and text in open(path).read():
            return
        time.sleep(0.05)
    raise AssertionError(f"no {text!r} in maillog:\n" +
                         (open(path).read() if os.path.exists(path) else "(none)"))


def test_append_flush_sends_rfc3464_dsn(queue):
    path = start(queue, "bounce")
    qid = "A084DA7237E"
    write_queue_file(queue, qid)
    assert append(path, qid, "nosuch@example.test", orcpt="rfc822;nosuch@example.test") == 0
    assert append(path, qid, "other@remote.test", status="5.7.1", reason="relay denied",
                  dtype="smtp", dtext="554 5.7.1 relay denied", mtype="dns",
                  mname="mx.remote.test") == 0
    log = open(os.path.join(queue["queue"], "bounce", qid)).read()
    assert "recipient=nosuch@example.test\n" in log and "status=5.7.1\n" in log

    assert flush(path, qid, envid="ENV1") == 0
    assert not os.path.exists(os.path.join(queue["queue"], "bounce", qid))
    msgs = queue["cleanup"].messages
    assert len(msgs) == 2, msgs
    dsn, pm = msgs
    assert dsn["sender"] == "" and dsn["rcpts"] == ["paco@example.test"]
    m = parse(dsn)
    assert m["Subject"] == "Undelivered Mail Returned to Sender"
    assert m["From"] == "Mail Delivery System <MAILER-DAEMON@example.test>"
    assert m["Auto-Submitted"] == "auto-replied"
    assert m.get_content_type() == "multipart/report"
    assert m.get_param("report-type") == "delivery-status"
    parts = list(m.iter_parts())
    assert [p.get_content_type() for p in parts] == \
        ["text/plain", "message/delivery-status", "message/rfc822"]
    text = parts[0].get_content()
    assert "mail.example.test" in text
    assert "<nosuch@example.test>: unknown user" in text
    report = parts[1].get_payload()
    assert report[0]["Reporting-MTA"] == "dns; mail.example.test"
    assert report[0]["X-Postfix-Queue-ID"] == qid
    assert report[0]["Original-Envelope-Id"] == "ENV1"
    assert report[0]["X-Postfix-Sender"] == "rfc822; paco@example.test"
    assert "Arrival-Date" in report[0]
    assert report[1]["Final-Recipient"] == "rfc822; nosuch@example.test"
    assert report[1]["Original-Recipient"] == "rfc822;nosuch@example.test"
    assert report[1]["Action"] == "failed" and report[1]["Status"] == "5.1.1"
    assert report[2]["Status"] == "5.7.1"
    assert report[2]["Remote-MTA"] == "dns; mx.remote.test"
    assert report[2]["Diagnostic-Code"] == "smtp; 554 5.7.1 relay denied"
    orig = parts[2].get_payload()[0]
    assert orig["Subject"] == "original"
    assert "body line" in orig.get_content()

    # Postmaster copy: headers only, from the double-bounce address.
    assert pm["sender"] == "double-bounce@mail.example.test" and pm["rcpts"] == ["postmaster"]
    p = parse(pm)
    assert p["Subject"] == "Postmaster Copy: Undelivered Mail"
    assert [x.get_content_type() for x in p.iter_parts()][2] == "text/rfc822-headers"
    wait_log(queue, f"postfix/bounce[")
    wait_log(queue, f"{qid}: sender non-delivery notification: NEWID1")
    wait_log(queue, f"{qid}: postmaster non-delivery notification: NEWID2")


def test_notify_never_and_ret_hdrs(queue):
    path = start(queue, "bounce")
    qid = "B084DA7237F"
    write_queue_file(queue, qid)
    assert append(path, qid, "never@example.test", notify=1) == 0
    assert append(path, qid, "fail@example.test", notify=4) == 0
    assert flush(path, qid, ret=2) == 0
    dsn = queue["cleanup"].messages[0]
    report = list(parse(dsn).iter_parts())
    finals = [g["Final-Recipient"] for g in report[1].get_payload()[1:]]
    assert finals == ["rfc822; fail@example.test"]
    assert report[2].get_content_type() == "text/rfc822-headers"
    assert "body line" not in report[2].get_content()


def test_bounce_of_bounce_goes_to_2bounce_recipient(queue):
    path = start(queue, "bounce")
    qid = "C084DA72370"
    write_queue_file(queue, qid)
    assert append(path, qid, "paco@example.test") == 0
    assert flush(path, qid, sender="") == 0
    msgs = queue["cleanup"].messages
    assert len(msgs) == 1 and msgs[0]["rcpts"] == ["postmaster"]
    assert msgs[0]["sender"] == "double-bounce@mail.example.test"
    # A postmaster copy that bounced is dropped, never looped.
    qid2 = "C084DA72371"
    write_queue_file(queue, qid2)
    assert append(path, qid2, "postmaster@example.test") == 0
    assert flush(path, qid2, sender="double-bounce@mail.example.test") == 0
    assert len(queue["cleanup"].messages) == 1
    wait_log(queue, f"{qid2}: undeliverable postmaster notification discarded")


def test_defer_warn_keeps_log_and_expiry_fails(queue):
    path = start(queue, "defer")
    qid = "D084DA72372"
    write_queue_file(queue, qid, queue="deferred")
    assert append(path, qid, "slow@remote.test", status="4.4.1", action="delayed",
                  reason="connect to mx: Connection refused") == 0
    logfile = os.path.join(queue["queue"], "defer", "D", qid)   # hashed, depth 1
    assert os.path.exists(logfile)
    req = lambda n: request(path, ("nrequest", n), ("flags", 0), ("queue_name", "deferred"),
                            ("queue_id", qid), ("encoding", ""), ("smtputf8", 0),
                            ("sender", "paco@example.test"), ("envelope_id", ""),
                            ("ret_flags", 0))
    assert req(2) == 0                                   # WARN
    assert os.path.exists(logfile)
    m = parse(queue["cleanup"].messages[0])
    assert m["Subject"] == "Delayed Mail (still being retried)"
    g = list(m.iter_parts())[1].get_payload()[1]
    assert g["Action"] == "delayed" and g["Status"] == "4.4.1" and "Will-Retry-Until" in g
    assert req(1) == 0                                   # FLUSH: expired
    assert not os.path.exists(logfile)
    m = parse(queue["cleanup"].messages[-2])             # sender's, then postmaster's
    g = list(m.iter_parts())[1].get_payload()[1]
    assert m["Subject"] == "Undelivered Mail Returned to Sender"
    assert g["Action"] == "failed" and g["Status"] == "5.4.1"


def test_trace_report(queue):
    path = start(queue, "trace")
    qid = "E084DA72373"
    write_queue_file(queue, qid)
    assert append(path, qid, "enrique@example.test", status="2.0.0", action="delivered",
                  reason="delivered to mailbox", notify=2) == 0
    assert flush(path, qid, nreq=3) == 0
    assert not os.path.exists(os.path.join(queue["queue"], "trace", qid))
    m = parse(queue["cleanup"].messages[0])
    assert m["Subject"] == "Successful Mail Delivery Report"
    g = list(m.iter_parts())[1].get_payload()[1]
    assert g["Action"] == "delivered" and g["Status"] == "2.0.0"
    wait_log(queue, f"{qid}: sender delivery status notification: NEWID1")


@pytest.mark.parametrize("qid", ["../etc/passwd", "A/B", "", "A B", "x" * 40, "..", "A\nB"])
def test_bad_queue_id_refused(queue, qid):
    path = start(queue, "bounce")
    assert append(path, qid, "a@example.test") == -1
    assert flush(path, qid) == -1
    assert os.listdir(os.path.join(queue["queue"], "bounce")) == []
    assert queue["cleanup"].messages == []


@pytest.mark.parametrize("field,value", [
    ("status", "9.9.9"), ("status", "5.1.1\nrecipient=x"), ("action", "exploded"),
    ("recipient", ""), ("recipient", "a\n@b"), ("notify", 99), ("dtype", "sm tp"),
])
def test_bad_append_attributes_refused(queue, field, value):
    path = start(queue, "bounce")
    kw = dict(rcpt="a@example.test")
    kw["rcpt" if field == "recipient" else field] = value
    rcpt = kw.pop("rcpt")
    assert append(path, "F084DA72374", rcpt, **kw) == -1
    assert os.listdir(os.path.join(queue["queue"], "bounce")) == []


def test_malformed_request_closes_connection(queue):
    path = start(queue, "bounce")
    assert request(path, ("nrequest", 0), ("flags", 0)) is None      # missing attributes
    assert request(path, ("nrequest", 9)) is None                    # unknown request
    # The daemon still serves the next client.
    write_queue_file(queue, "A1B2C3")
    assert append(path, "A1B2C3", "x@example.test") == 0


def test_postlogd_appends_datagrams(queue):
    sock_path = start(queue, "postlog", prog="postlogd", transport="unix-dgram")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.connect(sock_path)
    lines = ["Dec 02 15:59:36 mail postfix/smtpd[1]: connect from x[127.0.0.1]",
             "Dec 02 15:59:36 mail postfix/qmgr[2]: ABC: removed"]
    for line in lines:
        s.send(line.encode())
    s.send(b"Dec 02 15:59:37 mail postfix/x[3]: two\nlines\x00nul\n")
    s.send(b"y" * 20000)
    s.close()
    maillog = os.path.join(queue["top"], "maillog")
    end = time.time() + 5
    while time.time() < end:
        text = open(maillog).read() if os.path.exists(maillog) else ""
        if text.count("\n") >= 4:
            break
        time.sleep(0.05)
    got = text.split("\n")
    assert got[0:2] == lines
    assert got[2] == "Dec 02 15:59:37 mail postfix/x[3]: two?lines?nul"
    assert got[3] == "y" * 8191
    assert got[4] == ""
