"""The fast flush service (flush(8)) and postqueue -s / -i on a real Postern
instance, with Postfix 3.7's observed behaviour as the reference: per-site
logs in $queue_directory/flush/SITE ("relay.test" -> "relay_test", one queue
id per line), a retry of just that site's deferred mail on request, and
postqueue's exit codes and messages.

Mail for relay.test is deferred by the "retry" error transport
(transport_maps), with the default backoff, so nothing retries it during the
test unless the flush service does.
"""
import os
import re
import socket
import time

import pytest

MSG = "Subject: flush\n\nhola\n"


def _attrs(*pairs):
    """One attribute list on the wire (lib/util/attr.h)."""
    return b"".join(k.encode() + b"\0" + v.encode() + b"\0" for k, v in pairs) + b"\0"


def _read_list(sock_file):
    """Read one attribute list; returns [(name, value)]."""
    items = []
    while True:
        name = b""
        while True:
            c = sock_file.read(1)
            if c == b"":
                raise EOFError("connection closed in the middle of a list")
            if c == b"\0":
                break
            name += c
        if name == b"":
            return items
        value = b""
        while True:
            c = sock_file.read(1)
            if c == b"":
                raise EOFError("connection closed in the middle of a value")
            if c == b"\0":
                break
            value += c
        items.append((name.decode(), value.decode()))


def flush_request(inst, *pairs):
    """Talk to public/flush like flush_clnt does; returns the status."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(os.path.join(inst.queue, "public", "flush"))
    f = s.makefile("rb")
    try:
        assert _read_list(f) == [("protocol", "flush/1")]
        s.sendall(_attrs(*pairs))
        reply = _read_list(f)
    finally:
        f.close()
        s.close()
    assert len(reply) == 1 and reply[0][0] == "status", reply
    return int(reply[0][1])


@pytest.fixture
def deferred(instance):
    """A started instance and the queue id of one message deferred for
    relay.test."""
    inst = instance("postern", smtp=False)
    inst.write_config()
    tmap = os.path.join(inst.conf, "transport")
    with open(tmap, "w") as f:
        f.write("relay.test retry:4.4.1 relay is down (test)\n"
                "other.test retry:4.4.1 other is down (test)\n")
    inst.set_params(relay_domains="relay.test, other.test", transport_maps=f"texthash:{tmap}")
    inst.allow_log(r"postqueue\[\d+\]: fatal: ")
    inst.start()
    inst.sendmail(["-f", "paco@example.test", "u@relay.test"], input=MSG)
    m = inst.wait_for_log(r"(\w+): to=<u@relay\.test>, relay=none, .*status=deferred "
                          r"\(relay is down \(test\)\)", timeout=20)
    qid = m.group(1)
    inst.wait_for_file(os.path.join(inst.queue, "deferred", qid[0], qid), timeout=10)
    return inst, qid


def _log_path(inst, name):
    return os.path.join(inst.queue, "flush", name)


def _retried(inst, qid, mark, rcpt="u@relay.test"):
    inst.wait_for_log(rf"{qid}: to=<{re.escape(rcpt)}>, .*status=deferred", since=mark,
                      timeout=15)


def test_deferral_is_logged_for_the_site_automatically(deferred):
    """defer_append() tells the flush service (as Postfix's defer client
    does), so ETRN and postqueue -s find the message without help."""
    inst, qid = deferred
    inst.wait_for_file(_log_path(inst, "relay_test"), timeout=10,
                       predicate=lambda d: (qid + "\n").encode() in d)


def test_add_then_postqueue_s_retries_that_site_only(deferred):
    inst, qid = deferred
    # "add" as the delivery path sends it puts the id in the site's log.
    assert flush_request(inst, ("request", "add"), ("site", "relay.test"),
                         ("queue_id", qid)) == 0
    with open(_log_path(inst, "relay_test")) as f:
        assert qid + "\n" in f.read()
    st = os.stat(_log_path(inst, "relay_test"))
    assert st.st_mode & 0o777 == 0o600

    # Another deferred message for another site must stay where it is.
    inst.sendmail(["-f", "paco@example.test", "v@other.test"], input=MSG)
    m = inst.wait_for_log(r"(\w+): to=<v@other\.test>, .*status=deferred", timeout=20)
    other = m.group(1)

    mark = inst.log_mark()
    p = inst.postqueue("-s", "relay.test")
    assert p.returncode == 0, p.stderr
    inst.wait_for_log(rf"{qid}: from=<paco@example\.test>, size=\d+, nrcpt=1 \(queue active\)",
                      since=mark, timeout=15)
    _retried(inst, qid, mark)
    assert not inst.log_lines(rf"{other}: ", since=mark)

    # Site names are case-insensitive.
    assert flush_request(inst, ("request", "add"), ("site", "relay.test"),
                         ("queue_id", qid)) == 0
    mark = inst.log_mark()
    assert inst.postqueue("-s", "RELAY.Test").returncode == 0
    _retried(inst, qid, mark)


def test_postqueue_i_retries_one_message(deferred):
    inst, qid = deferred
    mark = inst.log_mark()
    p = inst.postqueue("-i", qid)
    assert p.returncode == 0, p.stderr
    _retried(inst, qid, mark)
    # Unknown ids are ignored, as Postfix does.
    assert inst.postqueue("-i", "ABCDEF12345").returncode == 0


def test_postqueue_errors_like_postfix(deferred):
    inst, qid = deferred
    cases = [
        (["-s", "notlisted.test"], 69,
         'postqueue: fatal: Flush service is not configured for destination "notlisted.test"'),
        (["-s", "bad/site"], 69,
         'postqueue: fatal: Cannot flush mail queue - invalid destination: "bad/site"'),
        (["-s", ""], 69,
         'postqueue: fatal: Cannot flush mail queue - invalid destination: ""'),
        (["-i", "../x"], 69, 'postqueue: fatal: Cannot flush queue ID - invalid name: "../x"'),
    ]
    for args, rc, text in cases:
        p = inst.postqueue(*args, check=False)
        assert (p.returncode, text in p.stderr) == (rc, True), (args, p.returncode, p.stderr)


def test_protocol_statuses(deferred):
    inst, qid = deferred
    # Not in fast_flush_domains ($relay_domains): DENY, and no log is made.
    assert flush_request(inst, ("request", "add"), ("site", "elsewhere.test"),
                         ("queue_id", qid)) == 4
    assert not os.path.exists(_log_path(inst, "elsewhere_test"))
    assert flush_request(inst, ("request", "send_site"), ("site", "elsewhere.test")) == 4
    # Malformed queue ids and unknown requests: BAD.
    assert flush_request(inst, ("request", "add"), ("site", "relay.test"),
                         ("queue_id", "../../etc")) == 3
    assert flush_request(inst, ("request", "send_file"), ("queue_id", "a/b")) == 3
    assert flush_request(inst, ("request", "explode")) == 3
    inst.allow_log(r"unknown request")
    # A site without a log: nothing to do.
    assert flush_request(inst, ("request", "send_site"), ("site", "other.test")) == 0


def test_purge_sends_every_log_and_refresh_skips_fresh_ones(deferred):
    inst, qid = deferred
    assert flush_request(inst, ("request", "add"), ("site", "relay.test"),
                         ("queue_id", qid)) == 0
    # A fresh log (just created) is not due for a refresh.
    mark = inst.log_mark()
    assert flush_request(inst, ("request", "refresh")) == 0
    time.sleep(0.5)
    assert not inst.log_lines(rf"{qid}: to=", since=mark)
    with open(_log_path(inst, "relay_test")) as f:
        assert set(f.read().split()) == {qid}      # the deferral added it too
    # purge does not wait.
    assert flush_request(inst, ("request", "purge")) == 0
    _retried(inst, qid, mark)


def test_master_wakeup_refreshes_stale_logs_and_removes_empty_ones(deferred):
    inst, qid = deferred
    inst.postconf("-e", "fast_flush_refresh_time = 1s", "fast_flush_purge_time = 1s")
    inst.reload()
    assert flush_request(inst, ("request", "add"), ("site", "relay.test"),
                         ("queue_id", qid)) == 0
    time.sleep(1.2)
    # What master's wakeup sends: one "W", without reading the hello.
    mark = inst.log_mark()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(os.path.join(inst.queue, "public", "flush"))
    s.sendall(b"W")
    s.close()
    _retried(inst, qid, mark)
    # An empty log goes once it has not changed for the purge time.
    with open(_log_path(inst, "relay_test"), "w"):
        pass
    os.utime(_log_path(inst, "relay_test"), (time.time() - 5, time.time() - 5))
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(os.path.join(inst.queue, "public", "flush"))
    s.sendall(b"W")
    s.close()
    deadline = time.monotonic() + 10
    while os.path.exists(_log_path(inst, "relay_test")):
        assert time.monotonic() < deadline, "empty log not removed"
        time.sleep(0.05)


def test_etrn_retries_the_site(instance):
    """ETRN from an SMTP client asks the flush service, as Postfix's smtpd
    does: 250 Queuing started, and the site's deferred mail is retried."""
    inst = instance("postern", smtp=True)
    inst.write_config()
    tmap = os.path.join(inst.conf, "transport")
    with open(tmap, "w") as f:
        f.write("relay.test retry:4.4.1 relay is down (test)\n")
    inst.set_params(relay_domains="relay.test", transport_maps=f"texthash:{tmap}")
    inst.start()
    inst.sendmail(["-f", "paco@example.test", "u@relay.test"], input=MSG)
    m = inst.wait_for_log(r"(\w+): to=<u@relay\.test>, .*status=deferred", timeout=20)
    qid = m.group(1)
    inst.wait_for_file(_log_path(inst, "relay_test"), timeout=10,
                       predicate=lambda d: (qid + "\n").encode() in d)
    mark = inst.log_mark()
    r = inst.ns.python(
        "import smtplib, sys\n"
        f"s = smtplib.SMTP('{inst.listen}', {inst.port})\n"
        "s.ehlo('client.test')\n"
        "print(s.docmd('ETRN', 'relay.test'))\n"
        "print(s.docmd('ETRN', 'elsewhere.test'))\n"
        "s.quit()\n")
    assert "(250, b'Queuing started')" in r.stdout, r.stdout + r.stderr
    assert "(459, b'<elsewhere.test>: service unavailable')" in r.stdout, r.stdout
    _retried(inst, qid, mark)
