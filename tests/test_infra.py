"""Tests of the system-test infrastructure itself (tests/lib, tests/conftest.py,
mk/testsetup.sh), with Debian's Postfix as the instance that proves the
harness end to end: namespace, private DNS, start/stop, SMTP with smtplib and
swaks, delivery to mbox, log waiting, teardown that leaves nothing behind.
"""
import errno
import os
import re
import shutil
import smtplib
import socket
import ssl
import struct
import subprocess
import sys
import time

import pytest

from lib import procs
from lib.dns import DnsServer, load_zone, parse_reply, reverse_name
from lib.netns import NetNS, NETNS_DIR

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _host_mountinfo():
    with open("/proc/self/mountinfo") as f:
        return f.read()


def _host_listening(port):
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.read().splitlines()[1:]:
                fs = line.split()
                if fs[3] == "0A" and int(fs[1].rsplit(":", 1)[1], 16) == port:
                    return True
    return False


# --- network namespace --------------------------------------------------------

def test_netns_is_loopback_only(netns):
    netns.add_address("192.0.2.25")
    netns.add_address("2001:db8::25")
    links = netns.run(["ip", "-o", "link", "show"]).stdout.splitlines()
    names = [line.split(":")[1].strip() for line in links]
    assert names == ["lo"], f"got links {names}, want only lo"
    assert "UP" in links[0].split("<")[1].split(">")[0].split(","), f"lo not up: {links[0]}"
    addrs = netns.addresses()
    for want in ("127.0.0.1", "::1", "192.0.2.25", "2001:db8::25"):
        assert want in addrs, f"got {addrs}, want {want} in it"
    host = subprocess.run(["ip", "-o", "addr", "show"], capture_output=True, text=True).stdout
    host_addrs = [line.split()[3].split("/")[0] for line in host.splitlines()]
    assert "192.0.2.25" not in host_addrs and "2001:db8::25" not in host_addrs, \
        f"test address leaked to the host: {host_addrs}"
    # No route anywhere but loopback: an outside address is unreachable at once.
    for addr in ("198.51.100.1", "2001:db8:ffff::1"):
        with pytest.raises(OSError) as e:
            netns.connect(addr, 25, timeout=2)
        assert e.value.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH), \
            f"connect {addr}: got {e.value!r}, want ENETUNREACH"


def test_netns_private_resolv_and_hosts(netns):
    with open("/etc/resolv.conf", "rb") as f:
        host_resolv = f.read()
    netns.set_resolv(["127.0.0.53"], search=["example.test"])
    netns.set_hosts({"127.0.0.9": ["nine.example.test", "nine"]})
    got = netns.run(["hostname"]).stdout.strip()
    assert got == "host.example.test", f"hostname in the namespace: got {got}"
    assert socket.gethostname() != "host.example.test", "host's hostname changed"
    p = netns.run(["cat", "/etc/resolv.conf", "/etc/hosts"])
    assert "nameserver 127.0.0.53\n" in p.stdout and "search example.test\n" in p.stdout, p.stdout
    assert "127.0.0.9\tnine.example.test nine\n" in p.stdout, p.stdout
    got = netns.run(["getent", "hosts", "nine"]).stdout.split()
    assert got == ["127.0.0.9", "nine.example.test", "nine"], f"got {got}"
    with open("/etc/resolv.conf", "rb") as f:
        assert f.read() == host_resolv, "host /etc/resolv.conf changed"
    assert netns.workdir not in _host_mountinfo(), "bind mount visible in the host namespace"


def test_netns_sockets_are_inside(netns):
    port = 7
    srv = netns.popen([
        "python3", "-c",
        "import socket\n"
        "s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
        f"s.bind(('127.0.0.1', {port})); s.listen(1); print('ready', flush=True)\n"
        "c,_=s.accept(); c.sendall(b'inside:' + c.recv(100)); c.close()\n"],
        stdout=subprocess.PIPE, text=True)
    assert srv.stdout.readline().strip() == "ready"
    before = os.stat("/proc/thread-self/ns/net")
    s = netns.connect("127.0.0.1", port, timeout=5)
    s.sendall(b"ping")
    got = s.recv(100)
    s.close()
    assert got == b"inside:ping", f"got {got!r}, want b'inside:ping'"
    after = os.stat("/proc/thread-self/ns/net")
    assert (before.st_ino, before.st_dev) == (after.st_ino, after.st_dev), \
        "the test thread changed network namespace"
    if not _host_listening(port):
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=2)
    assert srv.wait(timeout=5) == 0


def test_netns_teardown_kills_by_pid_and_removes_everything():
    ns = NetNS()
    ns.create()
    try:
        _check_teardown(ns)
    finally:
        if ns.created:
            ns.close()


def _check_teardown(ns):
    name, workdir = ns.name, ns.workdir
    tracked = ns.popen(["sleep", "300"])
    # A daemon that escaped its parent (double fork): only the namespace knows it.
    ns.run(["sh", "-c", "setsid sleep 301 >/dev/null 2>&1 < /dev/null & exit 0"])
    def sleeps():
        out = []
        for p in ns.pids():
            try:
                with open(f"/proc/{p}/cmdline", "rb") as f:
                    if f.read().startswith(b"sleep\0"):
                        out.append(p)
            except OSError:
                pass
        return out

    deadline = time.monotonic() + 5
    while len(sleeps()) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    pids = ns.pids()
    assert tracked.pid in sleeps() and len(sleeps()) == 2, \
        f"got pids {[procs.describe(p) for p in pids]}, want the two sleeps"
    ns.close()
    for p in pids:
        assert not procs.alive(p), f"still alive after close: {procs.describe(p)}"
    assert not os.path.exists(os.path.join(NETNS_DIR, name)), f"{name} still exists"
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    assert name not in listed, f"ip netns list still shows {name}: {listed}"
    assert not os.path.exists(workdir), f"{workdir} not removed"
    assert name not in _host_mountinfo()


# --- DNS -----------------------------------------------------------------------

RECORDS = [
    ("mail.example.test", "A", "127.0.0.1"),
    ("mail.example.test", "AAAA", "::1"),
    ("mx2.example.test", "A", "192.0.2.10"),
    ("example.test", "MX", (10, "mail.example.test")),
    ("example.test", "MX", "20 mx2.example.test"),
    ("example.test", "TXT", 'v=spf1 "quoted" a,b \\ ip4:192.0.2.0/24 -all'),
    ("long.example.test", "TXT", "k=" + "x" * 300),
    ("multi.example.test", "TXT", ("first", "second")),
    ("www.example.test", "CNAME", "mail.example.test"),
    ("127.0.0.1", "PTR", "other.example.test"),
    ("_submission._tcp.example.test", "SRV", (0, 5, 587, "mail.example.test")),
    ("other.test", "A", "10.1.2.3"),
    ("nullmx.test", "MX", (0, ".")),
]

DNS_CASES = [
    # (name, type, want rcode, want records)
    ("mail.example.test", "A", "NOERROR", [("mail.example.test", "A", "127.0.0.1")]),
    ("mail.example.test", "AAAA", "NOERROR", [("mail.example.test", "AAAA", "::1")]),
    ("mail.example.test", "MX", "NOERROR", []),                      # NODATA
    ("example.test", "MX", "NOERROR", [("example.test", "MX", (10, "mail.example.test")),
                                       ("example.test", "MX", (20, "mx2.example.test"))]),
    ("example.test", "A", "NOERROR", []),
    ("example.test", "TXT", "NOERROR",
     [("example.test", "TXT", ('v=spf1 "quoted" a,b \\ ip4:192.0.2.0/24 -all',))]),
    ("long.example.test", "TXT", "NOERROR",
     [("long.example.test", "TXT", ("k=" + "x" * 253, "x" * 47))]),
    ("multi.example.test", "TXT", "NOERROR", [("multi.example.test", "TXT", ("first", "second"))]),
    ("www.example.test", "A", "NOERROR", [("www.example.test", "CNAME", "mail.example.test"),
                                          ("mail.example.test", "A", "127.0.0.1")]),
    (reverse_name("127.0.0.1"), "PTR", "NOERROR",                    # explicit PTR wins
     [(reverse_name("127.0.0.1"), "PTR", "other.example.test")]),
    (reverse_name("192.0.2.10"), "PTR", "NOERROR",                   # automatic PTR
     [(reverse_name("192.0.2.10"), "PTR", "mx2.example.test")]),
    (reverse_name("::1"), "PTR", "NOERROR", [(reverse_name("::1"), "PTR", "mail.example.test")]),
    (reverse_name("192.0.2.99"), "PTR", "NXDOMAIN", []),
    ("_submission._tcp.example.test", "SRV", "NOERROR",
     [("_submission._tcp.example.test", "SRV", (0, 5, 587, "mail.example.test"))]),
    ("other.test", "A", "NOERROR", [("other.test", "A", "10.1.2.3")]),
    ("nullmx.test", "MX", "NOERROR", [("nullmx.test", "MX", (0, "."))]),       # RFC 7505
    ("nope.example.test", "A", "NXDOMAIN", []),
    ("nope.example.test", "MX", "NXDOMAIN", []),
    ("debian.org", "A", "NXDOMAIN", []),
    ("debian.org", "MX", "NXDOMAIN", []),
    ("localhost", "A", "NXDOMAIN", []),
]


def test_dns_answers_exactly_the_given_records(netns, dns):
    server = dns(RECORDS)
    bad = []
    for name, qtype, rcode, want in DNS_CASES:
        for tcp in (False, True):
            got = server.query(name, qtype, tcp=tcp)
            if got.rcode_name != rcode or sorted(got.records) != sorted(want):
                bad.append(f"{name} {qtype} tcp={tcp}: got {got.rcode_name} {got.records}, "
                           f"want {rcode} {want}")
    assert not bad, "\n".join(bad)


def test_dns_without_auto_ptr(netns, dns):
    server = dns([("bare.example.test", "A", "192.0.2.7"),
                  ("named.example.test", "A", "192.0.2.8"),
                  ("192.0.2.8", "PTR", "named.example.test")], auto_ptr=False)
    cases = [
        ("bare.example.test", "A", "NOERROR", [("bare.example.test", "A", "192.0.2.7")]),
        (reverse_name("192.0.2.7"), "PTR", "NXDOMAIN", []),
        (reverse_name("192.0.2.8"), "PTR", "NOERROR",
         [(reverse_name("192.0.2.8"), "PTR", "named.example.test")]),
    ]
    for name, qtype, rcode, want in cases:
        got = server.query(name, qtype)
        assert (got.rcode_name, got.records) == (rcode, want), \
            f"{name} {qtype}: got {got.rcode_name} {got.records}, want {rcode} {want}"


@pytest.mark.parametrize("records", [
    [("bad,name.test", "A", "127.0.0.1")],
    [("bad name.test", "A", "127.0.0.1")],
    [("evil.test\nserver=8.8.8.8", "A", "127.0.0.1")],
    [("x.test", "TXT", "line\nserver=8.8.8.8")],
    [("x.test", "A", "::1")],
    [("x.test", "AAAA", "127.0.0.1")],
    [("x.test", "A", "300.1.1.1")],
    [("x.test", "MX", (70000, "mx.test"))],
    [("x.test", "MX", "ten mx.test")],
    [("x.test", "NAPTR", "whatever")],
    [("x." * 130 + "test", "A", "127.0.0.1")],
    [("x.test", "A")],
])
def test_dns_rejects_bad_records(netns, records):
    with pytest.raises(ValueError):
        DnsServer(netns, records)


def test_dns_resolution_inside_namespace_and_outside_names_fail_fast(mailnet):
    server = mailnet.dns
    got = mailnet.run(["getent", "hosts", "mail.example.test"]).stdout.split()
    assert got[:2] in (["127.0.0.1", "mail.example.test"], ["::1", "mail.example.test"]), \
        f"got {got}"
    got = mailnet.resolve("smtp.remote.test")
    assert got == ["127.0.0.3"], f"got {got}, want ['127.0.0.3'] (via CNAME)"
    code = ("import socket, sys\n"
            "print(sorted({a[4][0] for a in socket.getaddrinfo(sys.argv[1], 25, "
            "socket.AF_INET)}))")
    got = mailnet.python(code, "client.example.test").stdout.strip()
    assert got == "['127.0.0.2']", f"python getaddrinfo in the namespace: got {got}"
    for tool, args in (("host", ["-t", "MX", "example.test", "127.0.0.53"]),
                       ("dig", ["+short", "@127.0.0.53", "MX", "example.test"])):
        if shutil.which(tool):
            out = mailnet.run([tool] + args).stdout
            assert "mail.example.test" in out, f"{tool}: got {out}"
    for outside in ("debian.org", "www.google.com"):
        t0 = time.monotonic()
        p = mailnet.run(["getent", "hosts", outside], check=False)
        elapsed = time.monotonic() - t0
        assert p.returncode == 2 and p.stdout == "", f"{outside}: got {p.returncode} {p.stdout}"
        assert elapsed < 2, f"{outside}: took {elapsed:.1f}s, want an immediate failure"
        assert server.queried(outside), f"{outside} never reached the test's DNS server"
    log = server.log()
    assert "config debian.org is NXDOMAIN" in log, log
    assert "forwarded" not in log, f"dnsmasq forwarded a query:\n{log}"


def _reply(ancount, answer, question=b"\x01x\x04test\x00\x00\x01\x00\x01"):
    return b"\x12\x34\x81\x80\x00\x01" + struct.pack(">H", ancount) + b"\x00\x00\x00\x00" + \
        question + answer


PARSE_CASES = [
    # (name, reply bytes, want records or None for ValueError)
    ("A record", _reply(1, b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x00\x00\x04\x7f\x00\x00\x01"),
     [("x.test", "A", "127.0.0.1")]),
    ("no answers", _reply(0, b""), []),
    ("empty", b"", None),
    ("short header", b"\x12\x34\x81", None),
    ("answer count past end", _reply(2, b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x00\x00\x04"
                                        b"\x7f\x00\x00\x01"), None),
    ("rdlength past end", _reply(1, b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x00\x00\x10\x7f"), None),
    ("A of 3 bytes", _reply(1, b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x00\x00\x03\x7f\x00\x00"),
     None),
    # The answer's owner name starts at offset 24 and points at itself.
    ("pointer loop", _reply(1, b"\xc0\x18\x00\x01\x00\x01\x00\x00\x00\x00\x00\x04"
                                b"\x7f\x00\x00\x01"), None),
    ("pointer past end", _reply(1, b"\xc0\xff\x00\x01\x00\x01\x00\x00\x00\x00\x00\x04"
                                    b"\x7f\x00\x00\x01"), None),
    ("label past end", _reply(0, b"", question=b"\x3fabc"), None),
    ("truncated pointer", _reply(0, b"", question=b"\xc0"), None),
    ("MX with cut name", _reply(1, b"\xc0\x0c\x00\x0f\x00\x01\x00\x00\x00\x00\x00\x04\x00\x0a"
                                    b"\x05ab"), None),
]


@pytest.mark.parametrize("name,data,want", PARSE_CASES, ids=[c[0] for c in PARSE_CASES])
def test_dns_reply_parser(name, data, want):
    if want is None:
        with pytest.raises(ValueError):
            got = parse_reply(data)
            pytest.fail(f"{name}: got {got}, want ValueError")
    else:
        got = parse_reply(data).records
        assert got == want, f"{name}: got {got}, want {want}"


def test_dns_servfail_and_timeout_domains(netns, dns):
    server = dns([("ok.test", "A", "127.0.0.1")], servfail=["broken.test"], timeout=["slow.test"])
    for name, qtype in (("broken.test", "MX"), ("a.b.broken.test", "A")):
        got = server.query(name, qtype)
        assert (got.rcode_name, got.records) == ("SERVFAIL", []), \
            f"{name} {qtype}: got {got.rcode_name} {got.records}, want SERVFAIL []"
    got = server.query("ok.test", "A")
    assert got.records == [("ok.test", "A", "127.0.0.1")], f"got {got}"
    t0 = time.monotonic()
    with pytest.raises(socket.timeout):
        server.query("x.slow.test", "A", timeout=0.5)
    assert time.monotonic() - t0 < 2
    t0 = time.monotonic()
    p = netns.run(["getent", "hosts", "x.slow.test"], check=False)
    assert p.returncode == 2 and time.monotonic() - t0 < 5, (p.returncode, time.monotonic() - t0)


def test_postfix_defers_on_servfail(mailnet, instance):
    # A second DNS server on another address replaces the default one; the
    # instance's smtp client sees SERVFAIL for the MX lookup and defers.
    mailnet.dns.stop()
    DnsServer(mailnet, load_zone("example.test"), servfail=["broken.test"]).start()
    inst = instance("postfix")
    inst.start()
    inst.sendmail(["-f", "paco@example.test", "someone@broken.test"], input="Subject: x\n\nx\n")
    m = inst.wait_for_log(r"to=<someone@broken\.test>, relay=none, .*status=deferred "
                          r"\(Host or domain name not found\. Name service error for "
                          r"name=broken\.test type=MX: Host not found, try again\)")
    assert m
    assert "someone@broken.test" in inst.queue_listing()


def test_load_zone_fixture():
    zone = load_zone("example.test")
    assert ("example.test", "MX", "10 mail.example.test") in zone, zone
    assert all(len(r) == 3 for r in zone)


# --- certificates ----------------------------------------------------------------

def test_ca_issues_usable_certificates(test_ca, tmp_path):
    from lib.certs import TestCA
    server = test_ca.issue("mail.example.test", sans=["mail.example.test", "127.0.0.1"])
    client = test_ca.issue("client.example.test", usage="client")
    other = TestCA(str(tmp_path / "other"), name="Untrusted CA", key="ec").issue("x.test")
    cases = [(server.cert, "sslserver", True), (server.cert, "sslclient", False),
             (client.cert, "sslclient", True), (client.cert, "sslserver", False),
             (other.cert, "sslserver", False)]
    for cert, purpose, want in cases:
        got = test_ca.verify(cert, purpose)
        assert got == want, f"verify {os.path.basename(cert)} {purpose}: got {got}, want {want}"
    assert os.stat(server.key).st_mode & 0o077 == 0, "server key readable by others"
    text = subprocess.run(["openssl", "x509", "-in", server.cert, "-noout", "-text"],
                          capture_output=True, text=True, check=True).stdout
    assert "DNS:mail.example.test" in text and "IP Address:127.0.0.1" in text, text
    fp = server.fingerprint()
    assert re.fullmatch(r"([0-9A-F]{2}:){31}[0-9A-F]{2}", fp), f"got fingerprint {fp}"
    assert fp != client.fingerprint()
    assert re.fullmatch(r"([0-9A-F]{2}:){31}[0-9A-F]{2}", server.pubkey_fingerprint())


# --- the reference instance: Debian's Postfix ---------------------------------

MESSAGE = ("From: Enrique <enrique@example.test>\r\n"
           "To: Paco <paco@example.test>\r\n"
           "Subject: harness check {tag}\r\n"
           "Message-ID: <{tag}@client.test>\r\n"
           "\r\n"
           "Line one of {tag}.\r\n"
           ".a line that starts with a dot\r\n")


def test_postfix_reference_end_to_end(mailnet, instance):
    inst = instance("postfix")
    inst.start()
    master = inst.master_pid()
    assert master and procs.alive(master)
    # 1. Python smtplib from inside the namespace.
    mark = inst.log_mark()
    with inst.smtp(local_hostname="client.test") as s:
        code, banner = s.ehlo()
        assert code == 250 and banner.startswith(b"mail.example.test"), f"got {code} {banner}"
        refused = s.sendmail("enrique@example.test", ["paco@example.test"],
                             MESSAGE.format(tag="smtplib"))
        assert refused == {}, f"got refused {refused}"
    box = inst.wait_for_mail("paco", rb"Line one of smtplib")
    m = re.search(rb"^Received: from client\.test \(localhost \[127\.0\.0\.1\]\)\n"
                  rb"\tby mail\.example\.test \(Postfix\) with ESMTP id ([0-9A-F]+)\n"
                  rb"\tfor <paco@example\.test>; ", box, re.M)
    assert m, f"no expected Received: header in:\n{box.decode()}"
    qid = m.group(1).decode()
    assert box.startswith(b"From enrique@example.test "), box[:80]
    assert b"\n.a line that starts with a dot\n" in box, "dot-stuffing not undone"
    assert b"\r" not in box, "CRLF not converted for the mbox"
    inst.wait_for_log(rf"postfix/smtpd\[\d+\]: {qid}: client=localhost\[127\.0\.0\.1\]",
                      since=mark)
    inst.wait_for_log(rf"postfix/local\[\d+\]: {qid}: to=<paco@example\.test>, relay=local, "
                      rf".*status=sent \(delivered to mailbox\)", since=mark)
    inst.wait_for_log(rf"postfix/qmgr\[\d+\]: {qid}: removed", since=mark)
    # 2. swaks from inside the namespace.
    if shutil.which("swaks"):
        p = inst.swaks("--from", "paco@example.test", "--to", "enrique@example.test",
                       "--helo", "swaks.test", "--header", "Subject: via swaks",
                       "--body", "Body from swaks.")
        assert "250 2.0.0 Ok: queued as" in p.stdout, p.stdout
        box = inst.wait_for_mail("enrique", rb"Body from swaks\.")
        assert re.search(rb"^Received: from swaks\.test \(localhost \[127\.0\.0\.1\]\)", box,
                         re.M), box.decode()
        assert b"Subject: via swaks" in box
    inst.wait_for_queue_empty()
    # 3. Stop: nothing of the instance may remain.
    pids = inst.pids()
    assert master in pids and len(pids) >= 3, f"got instance pids {pids}"
    inst.stop()
    for p in pids:
        assert not procs.alive(p), f"still running after stop: {procs.describe(p)}"
    inst.wait_for_log(r"postfix/postfix-script\[\d+\]: stopping the Postfix mail system")
    left = [p for p in mailnet.pids() if p != server_pid(mailnet)]
    assert left == [], f"processes left in the namespace: {[procs.describe(p) for p in left]}"


def server_pid(ns):
    return ns.dns.proc.pid


def test_postfix_maildir_and_utf8_log_offsets(mailnet, instance):
    inst = instance("postfix", maildir=True, params={"smtputf8_enable": "yes"})
    inst.start()
    with inst.smtp() as s:
        s.sendmail("señor@example.test", ["paco@example.test"],
                   "Subject: first\r\n\r\nuno\r\n".encode(), mail_options=["SMTPUTF8"])
    inst.wait_for_mail("paco", rb"uno")
    mark = inst.log_mark()              # a byte offset past a non-ASCII log line
    assert "señor@example.test" in inst.maillog(), inst.maillog()
    with inst.smtp() as s:
        s.sendmail("enrique@example.test", ["paco@example.test"],
                   "Subject: second\r\n\r\ndos\r\n")
    inst.wait_for_mail("paco", rb"dos")
    msgs = inst.maildir_messages("paco")
    assert len(msgs) == 2 and all("/new/" in p for p, _ in msgs), [p for p, _ in msgs]
    got = inst.wait_for_log(r"from=<(.*?)>, size=", since=mark).group(1)
    assert got == "enrique@example.test", f"first from= after the mark: got {got}"
    assert all("señor" not in line for line in inst.log_lines(since=mark))
    assert all(p.startswith(inst.spool + "/paco/") for p, _ in msgs)


def test_postfix_mx_lookup_through_private_dns(mailnet, instance):
    # Two instances in one namespace: the sender finds the receiver through the
    # MX record of remote.test (-> mx.remote.test -> 127.0.0.3); it connects
    # from 127.0.0.2, whose PTR the receiver looks up and confirms.
    receiver = instance("postfix", inet_interfaces="127.0.0.3", myhostname="mx.remote.test",
                        mydomain="remote.test")
    sender = instance("postfix", params={"smtp_host_lookup": "dns",
                                         "smtp_bind_address": "127.0.0.2"})
    receiver.start()
    sender.start()
    p = sender.sendmail(["-f", "paco@example.test", "enrique@remote.test"],
                        input="Subject: to remote\n\nVia MX.\n")
    assert p.returncode == 0, p.stderr
    box = receiver.wait_for_mail("enrique", rb"Via MX\.")
    assert re.search(rb"^Received: from mail\.example\.test \(client\.example\.test "
                     rb"\[127\.0\.0\.2\]\)\n\tby mx\.remote\.test \(Postfix\)", box, re.M), \
        box.decode()
    sender.wait_for_log(r"to=<enrique@remote\.test>, relay=mx\.remote\.test\[127\.0\.0\.3\]:25"
                        r", .*status=sent")
    assert mailnet.dns.queried("remote.test"), mailnet.dns.log()
    assert mailnet.dns.queried(reverse_name("127.0.0.2")), mailnet.dns.log()
    sender.wait_for_queue_empty()


def test_postfix_starttls_with_test_ca(mailnet, instance, test_ca):
    leaf = test_ca.issue("mail.example.test", sans=["mail.example.test"])
    inst = instance("postfix", params={"smtpd_tls_cert_file": leaf.cert,
                                       "smtpd_tls_key_file": leaf.key,
                                       "smtpd_tls_security_level": "may",
                                       "smtpd_tls_loglevel": "1",
                                       "smtpd_tls_received_header": "yes"})
    inst.start()
    ctx = ssl.create_default_context(cafile=test_ca.cert)
    with inst.smtp(tls_hostname="mail.example.test") as s:
        s.ehlo()
        assert s.has_extn("starttls"), "STARTTLS not offered"
        code, _ = s.starttls(context=ctx)
        assert code == 220, f"STARTTLS: got {code}"
        cert = s.sock.getpeercert()
        assert ("DNS", "mail.example.test") in cert["subjectAltName"], cert
        s.ehlo()
        s.sendmail("enrique@example.test", ["paco@example.test"], "Subject: tls\n\nsecret\n")
    box = inst.wait_for_mail("paco", rb"secret")
    assert re.search(rb"\(using TLSv1\.[23] with cipher ", box), box.decode()
    inst.wait_for_log(r"Anonymous TLS connection established from localhost\[127\.0\.0\.1\]|"
                      r"TLS connection established from localhost\[127\.0\.0\.1\]")


def test_postfix_smtps_and_ipv6(mailnet, instance, test_ca):
    leaf = test_ca.issue("mail.example.test", sans=["mail.example.test", "::1"])
    inst = instance("postfix", inet_interfaces="127.0.0.1, [::1]", inet_protocols="all",
                    mynetworks="127.0.0.0/8 [::1]/128",
                    params={"smtpd_tls_cert_file": leaf.cert, "smtpd_tls_key_file": leaf.key},
                    master_extra=["465 inet n - n - - smtpd -o smtpd_tls_wrappermode=yes"])
    inst.start()
    inst.wait_for_port(465)
    ctx = ssl.create_default_context(cafile=test_ca.cert)
    with mailnet.smtp_ssl("127.0.0.1", 465, context=ctx, tls_hostname="mail.example.test") as s:
        assert s.ehlo()[0] == 250
        assert s.sock.version() in ("TLSv1.2", "TLSv1.3"), s.sock.version()
        s.sendmail("enrique@example.test", ["paco@example.test"], "Subject: a\r\n\r\nwrapped\r\n")
    with mailnet.smtp("::1", 25) as s:
        s.sendmail("enrique@example.test", ["paco@example.test"], "Subject: b\r\n\r\nover v6\r\n")
    box = inst.wait_for_mail("paco", rb"over v6")
    assert re.search(rb"^Received: from client\.test \(localhost \[IPv6:::1\]\)", box, re.M), \
        box.decode()
    assert re.search(rb"^Received: from client\.test \(localhost \[127\.0\.0\.1\]\)", box,
                     re.M), box.decode()
    assert b"wrapped" in box


def test_instance_reports_fatal_log_lines(mailnet, instance):
    inst = instance("postfix")
    inst.start()
    assert inst.problems() == [], inst.problems()
    # A broken number in main.cf: the next smtpd process dies at start-up.
    inst.postconf("-e", "smtpd_recipient_limit = lots")
    try:        # master throttles the crashing service: the client just waits
        with inst.smtp(timeout=1) as s:
            s.ehlo()
    except (OSError, smtplib.SMTPException):
        pass
    inst.wait_for_log(r"postfix/smtpd\[\d+\]: fatal: bad numerical configuration: "
                      r"smtpd_recipient_limit = lots")
    got = inst.problems()
    assert len(got) >= 1 and all("fatal: bad numerical configuration" in p for p in got), \
        f"got problems {got}, want the smtpd fatal line"
    inst.allow_log(r"fatal: bad numerical configuration: smtpd_recipient_limit")
    assert inst.problems() == [], inst.problems()


def test_smtp_delivery_smoke(mailnet, instance, mta_kind):
    # The same scenario against Debian's Postfix and against Postern.
    inst = instance(mta_kind)
    inst.start()
    with inst.smtp() as s:
        code, banner = s.docmd("NOOP")
        assert code == 250, f"NOOP: got {code} {banner}"
        s.sendmail("enrique@example.test", ["paco@example.test"],
                   f"Subject: smoke {mta_kind}\r\n\r\nsmoke body\r\n")
    box = inst.wait_for_mail("paco", rb"smoke body")
    assert f"Subject: smoke {mta_kind}\n".encode() in box, box.decode()
    inst.wait_for_queue_empty()


def test_instance_teardown_kills_a_running_instance():
    from lib.instance import Instance
    why = Instance.available("postfix")
    if why:
        pytest.skip(why)
    if os.geteuid() != 0:
        pytest.skip("needs root")
    ns = NetNS().create()
    try:
        inst = Instance(ns, "postfix")
        inst.start()
        s = inst.smtp()             # a busy smtpd child, left connected
        s.ehlo()
        pids = inst.pids() + ns.pids()
        assert len(set(pids)) >= 4, f"got {pids}"
    finally:
        ns.close()                  # what the fixture does when a test fails
    s.close()
    for p in set(pids):
        assert not procs.alive(p), f"still running: {procs.describe(p)}"
    assert not os.path.exists(os.path.join(NETNS_DIR, ns.name))


INNER_CONFTEST = """
import importlib.util, sys
sys.path.insert(0, {tests!r})
spec = importlib.util.spec_from_file_location("pst_conftest", {conftest!r})
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
globals().update({{k: v for k, v in vars(m).items() if not k.startswith("__")}})
"""

INNER_TESTS = """
from lib.netns import NetNS

def test_leaks_a_namespace():
    NetNS().create()            # never closed

def test_unexpected_fatal(mailnet, instance):
    import smtplib
    inst = instance("postfix")
    inst.start()
    inst.postconf("-e", "smtpd_recipient_limit = lots")
    try:
        with inst.smtp(timeout=1) as s:
            s.ehlo()
    except (OSError, smtplib.SMTPException):
        pass
    inst.wait_for_log(r"fatal: bad numerical configuration")
"""


def _stale_namespaces():
    try:
        names = os.listdir(NETNS_DIR)
    except FileNotFoundError:
        return set()
    return {n for n in names if n.startswith("pst-") and n.split("-")[1].isdigit()
            and not procs.alive(int(n.split("-")[1]))}


def test_harness_fails_runs_that_leak_or_log_fatal(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root")
    from lib.instance import Instance
    why = Instance.available("postfix")
    if why:
        pytest.skip(why)
    tests = os.path.dirname(os.path.abspath(__file__))
    (tmp_path / "conftest.py").write_text(
        INNER_CONFTEST.format(tests=tests, conftest=os.path.join(tests, "conftest.py")))
    (tmp_path / "test_inner.py").write_text(INNER_TESTS)
    before = _stale_namespaces()
    p = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        "-rA", str(tmp_path)], capture_output=True, text=True, timeout=120,
                       cwd=str(tmp_path))
    out = p.stdout + p.stderr
    assert p.returncode == 1, f"inner run: got exit {p.returncode}, want 1\n{out}"
    assert re.search(r"ERROR at teardown of test_unexpected_fatal", out), out
    assert "instance problems:" in out and "bad numerical configuration" in out, out
    assert "namespaces left behind (now removed)" in out, out
    new = _stale_namespaces() - before
    assert not new, f"inner run left namespaces {new}"


# --- mk/testsetup.sh -----------------------------------------------------------

def test_testsetup_is_idempotent():
    if os.geteuid() != 0:
        pytest.skip("needs root")
    script = os.path.join(ROOT, "mk", "testsetup.sh")
    first = subprocess.run(["sh", script], capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    with open("/etc/passwd", "rb") as f:
        passwd = f.read()
    with open("/etc/group", "rb") as f:
        group = f.read()
    again = subprocess.run(["sh", script], capture_output=True, text=True)
    assert again.returncode == 0 and again.stderr == "", f"second run: {again.stderr}"
    with open("/etc/passwd", "rb") as f:
        assert f.read() == passwd, "second run changed /etc/passwd"
    with open("/etc/group", "rb") as f:
        assert f.read() == group, "second run changed /etc/group"
    import grp
    import pwd
    grp.getgrnam("postdrop")
    pf = pwd.getpwnam("postfix")
    assert pf.pw_uid != 0 and pf.pw_shell in ("/usr/sbin/nologin", "/bin/false"), pf
    for u in ("paco", "enrique"):
        pw = pwd.getpwnam(u)
        assert pw.pw_dir == f"/home/{u}" and os.path.isdir(pw.pw_dir), pw
