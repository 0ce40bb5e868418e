"""smtpd stand-alone (-z: one SMTP session on stdin/stdout) against a fake
cleanup and a fake trivial-rewrite, so the dialogue, the records handed to
cleanup, relay decisions and smuggling can be checked without the rest of
the pipeline.  Replies are Debian Postfix 3.7.11's (collected with a live
instance; see the transcript in the module docstring of each test).

Run: /usr/bin/python3 -m pytest -q tests/test_smtpd.py   (as root)
"""
import os
import pwd
import socket
import subprocess
import tempfile
import threading

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(os.environ.get("POSTERN_BIN", os.path.join(ROOT, "build", "bin")), "smtpd")

LOCAL_DOMAINS = {"example.test", "mail.example.test", "localhost", "[127.0.0.1]"}
LOCAL_USERS = {"paco", "enrique", "root", "postmaster"}


# --- attribute protocol (lib/util/attr.h) ------------------------------------
def attr_send(sock, pairs):
    out = b""
    for k, v in pairs:
        out += k.encode() + b"\0" + str(v).encode() + b"\0"
    sock.sendall(out + b"\0")


class Reader:
    def __init__(self, sock):
        self.sock, self.buf = sock, b""

    def fill(self):
        d = self.sock.recv(65536)
        if not d:
            raise EOFError
        self.buf += d

    def cstr(self):
        while b"\0" not in self.buf:
            self.fill()
        s, self.buf = self.buf.split(b"\0", 1)
        return s.decode("latin1")

    def attrs(self):
        d = {}
        while True:
            k = self.cstr()
            if k == "":
                return d
            d[k] = self.cstr()

    def byte(self):
        while not self.buf:
            self.fill()
        b, self.buf = self.buf[0], self.buf[1:]
        return b

    def record(self):
        t = chr(self.byte())
        n, shift = 0, 0
        while True:
            b = self.byte()
            n |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        while len(self.buf) < n:
            self.fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return t, data


def resolve(addr):
    local, _, dom = addr.rpartition("@")
    if not _:
        local, dom = addr, "example.test"
    dom = dom.lower()
    flags = 0
    if dom in LOCAL_DOMAINS:
        if "@" in local or "%" in local or "!" in local:
            flags |= 1 << 1  # ROUTED (trivial-rewrite did not resolve it locally)
            return flags | (1 << 12), "smtp", dom, addr
        return flags | (1 << 8), "local", dom, f"{local}@{dom}"
    return flags | (1 << 12), "smtp", dom, addr


def serve(path, handler, stop):
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    os.chmod(path, 0o777)
    srv.listen(5)
    srv.settimeout(0.2)
    while not stop.is_set():
        try:
            c, _ = srv.accept()
        except socket.timeout:
            continue
        threading.Thread(target=handler, args=(c,), daemon=True).start()
    srv.close()


class Fakes:
    def __init__(self, d):
        self.d = d
        self.messages = []
        self.stop = threading.Event()
        for sub in ("private", "public"):
            os.makedirs(os.path.join(d, "queue", sub), exist_ok=True)
        self.threads = [
            threading.Thread(target=serve, args=(os.path.join(d, "queue/private/rewrite"),
                                                 self.rewrite, self.stop), daemon=True),
            threading.Thread(target=serve, args=(os.path.join(d, "queue/public/cleanup"),
                                                 self.cleanup, self.stop), daemon=True)]
        for t in self.threads:
            t.start()

    def rewrite(self, c):
        r = Reader(c)
        attr_send(c, [("protocol", "rewrite/1")])
        try:
            while True:
                a = r.attrs()
                if a.get("request") == "rewrite":
                    addr = a["address"]
                    if "@" not in addr:
                        addr += "@example.test"
                    attr_send(c, [("flags", 0), ("address", addr)])
                else:
                    f, t, n, rc = resolve(a["address"])
                    attr_send(c, [("flags", f), ("transport", t), ("nexthop", n),
                                  ("recipient", rc)])
        except (EOFError, OSError, KeyError):
            c.close()

    def cleanup(self, c):
        r = Reader(c)
        qid = "F%05dA" % (len(self.messages) + 1)
        attr_send(c, [("protocol", "cleanup/1")])
        attr_send(c, [("queue_id", qid)])
        recs = []
        try:
            r.attrs()
            while True:
                t, data = r.record()
                recs.append((t, data))
                if t == "E":
                    break
        except (EOFError, OSError):
            c.close()
            return
        self.messages.append((qid, recs))
        attr_send(c, [("status", 0), ("reason", "")])
        c.close()

    def close(self):
        self.stop.set()
        for t in self.threads:
            t.join(2)


@pytest.fixture
def env():
    if os.geteuid() != 0:
        pytest.skip("needs root (drops to mail_owner)")
    if not os.access(BIN, os.X_OK):
        pytest.skip("smtpd not built")
    try:
        pwd.getpwnam("postfix")
    except KeyError:
        pytest.skip("no postfix user: run mk/testsetup.sh")
    d = tempfile.mkdtemp(prefix="pst-smtpd-")
    os.chmod(d, 0o755)
    os.makedirs(os.path.join(d, "conf"))
    f = Fakes(d)
    yield d, f
    f.close()
    subprocess.run(["rm", "-rf", d])


def run(env, data, params=None, timeout=15):
    d, fakes = env
    text = (f"queue_directory = {d}/queue\nmyhostname = mail.example.test\n"
            "mydomain = example.test\nmynetworks = 127.0.0.0/8\nalias_maps =\n"
            "compatibility_level = 3.6\nsmtpd_banner = $myhostname ESMTP $mail_name\n"
            "local_recipient_maps = inline:{paco=x, enrique=x, root=x, postmaster=x}\n"
            "smtpd_error_sleep_time = 0\n")
    for k, v in (params or {}).items():
        text += f"{k} = {v}\n"
    with open(os.path.join(d, "conf", "main.cf"), "w") as fp:
        fp.write(text)
    # Run as mail_owner: stand-alone smtpd started by anyone else skips
    # every restriction and queues through postdrop (sendmail -bs).
    pw = pwd.getpwnam("postfix")

    def as_mail_owner():
        os.setgroups([])
        os.setgid(pw.pw_gid)
        os.setuid(pw.pw_uid)

    p = subprocess.run([BIN, "-c", os.path.join(d, "conf"), "-z"], input=data,
                       capture_output=True, timeout=timeout, preexec_fn=as_mail_owner)
    return p.stdout.decode("latin1"), p.stderr.decode("latin1")


def transcript(out):
    return out.replace("\r\n", "\n")


def test_course_session_byte_for_byte(env):
    out, log = run(env, b"helo localhost\r\nmail from: enrique\r\nrcpt to: paco\r\ndata\r\n"
                        b"Subject: test\r\n\r\nHola\r\n.\r\nquit\r\n")
    assert out == ("220 mail.example.test ESMTP Postern\r\n250 mail.example.test\r\n"
                   "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
                   "250 2.0.0 Ok: queued as F00001A\r\n221 2.0.0 Bye\r\n"), out + log
    qid, recs = env[1].messages[0]
    types = [t for t, _ in recs]
    assert ("S", b"enrique") in recs and ("R", b"paco") in recs
    assert types.index("S") < types.index("R") < types.index("M") < types.index("X") < types.index("E")
    body = [d for t, d in recs if t == "N"]
    assert body[0] == b"Received: from localhost (localhost [127.0.0.1])"
    assert body[1] == b"\tby mail.example.test (Postern) with SMTP id F00001A"
    assert body[2].startswith(b"\tfor <paco>; ")
    assert body[3:] == [b"Subject: test", b"", b"Hola"]
    assert "connect from localhost[127.0.0.1]" in log
    assert "F00001A: client=localhost[127.0.0.1]" in log
    assert "disconnect from localhost[127.0.0.1] helo=1 mail=1 rcpt=1 data=1 quit=1 commands=5" in log


def test_postfix_replies(env):
    # Replies as Debian Postfix 3.7.11 gives them for the same input.
    cmds = ["EHLO client.test", "HELP", "VRFY paco", "NOOP", "RSET", "FOO", "MAIL FROM:<>",
            "MAIL FROM:<>", "RCPT TO:<nosuch@example.test>", "RCPT TO:<x@elsewhere.test>",
            "RCPT TO:<paco@example.test> NOTIFY=BOGUS", "RCPT TO:<paco@example.test>", "ETRN",
            "ETRN example.test", "DATA x", "MAIL", "RCPT", "EHLO", "HELO", "RSET x", "NOOP x",
            "RCPT TO:<paco@example.test> FOO=bar", "QUIT"]
    want = ["220 mail.example.test ESMTP Postern",
            "250-mail.example.test", "250-PIPELINING", "250-SIZE 10240000", "250-VRFY",
            "250-ETRN", "250-ENHANCEDSTATUSCODES", "250-8BITMIME", "250-DSN", "250-SMTPUTF8",
            "250 CHUNKING",
            "500 5.5.2 Error: command not recognized", "252 2.0.0 paco", "250 2.0.0 Ok",
            "250 2.0.0 Ok", "500 5.5.2 Error: command not recognized", "250 2.1.0 Ok",
            "503 5.5.1 Error: nested MAIL command",
            "550 5.1.1 <nosuch@example.test>: Recipient address rejected: User unknown in local "
            "recipient table",
            "250 2.1.5 Ok", "501 5.5.4 Error: Bad NOTIFY parameter syntax",
            "250 2.1.5 Ok", "503 Error: MAIL transaction in progress",
            "503 Error: MAIL transaction in progress", "501 5.5.4 Syntax: DATA",
            "503 5.5.1 Error: nested MAIL command", "501 5.5.4 Syntax: RCPT TO:<address>",
            "501 Syntax: EHLO hostname", "501 Syntax: HELO hostname", "501 5.5.4 Syntax: RSET",
            "250 2.0.0 Ok", "555 5.5.4 Unsupported option: FOO=bar", "221 2.0.0 Bye"]
    out, log = run(env, "".join(c + "\r\n" for c in cmds).encode())
    got = transcript(out).splitlines()
    assert got == want, "\n".join(got) + "\n" + log
    assert ("NOQUEUE: reject: RCPT from localhost[127.0.0.1]: 550 5.1.1 <nosuch@example.test>: "
            "Recipient address rejected: User unknown in local recipient table; from=<> "
            "to=<nosuch@example.test> proto=ESMTP helo=<client.test>") in log


def test_state_errors(env):
    out, _ = run(env, b"RCPT TO:<x@y>\r\nDATA\r\nMAIL FROM:<a@b>\r\nDATA\r\n"
                      b"MAIL FROM:<a@b>\r\nHELO x\r\nMAIL FROM:<a@b> SIZE=999999999\r\n"
                      b"MAIL FROM:<a@b> BODY=FOO\r\nMAIL FROM:<a@b> XYZ=1\r\nQUIT\r\n")
    assert transcript(out).splitlines()[1:] == [
        "503 5.5.1 Error: need MAIL command", "503 5.5.1 Error: need RCPT command",
        "250 2.1.0 Ok", "554 5.5.1 Error: no valid recipients",
        "503 5.5.1 Error: nested MAIL command", "250 mail.example.test",
        "552 5.3.4 Message size exceeds fixed limit", "555 5.5.4 Unsupported option: BODY=FOO",
        "555 5.5.4 Unsupported option: XYZ=1", "221 2.0.0 Bye"]


def test_relay_tricks_refused_for_outsiders(env):
    # The stand-alone client is localhost; take it out of mynetworks.
    tricks = ["victim@remote.test", "victim%remote.test@example.test",
              "remote.test!victim@example.test", "@example.test:victim@remote.test",
              '"victim@remote.test"@example.test', "victim@remote.test@example.test",
              "victim@[10.1.1.1]"]
    data = b"EHLO client.test\r\nMAIL FROM:<a@remote.test>\r\n"
    data += b"".join(b"RCPT TO:<" + t.encode() + b">\r\n" for t in tricks)
    data += b"RCPT TO:<paco@example.test>\r\nQUIT\r\n"
    out, log = run(env, data, {"mynetworks": "192.0.2.0/24"})
    got = transcript(out).splitlines()[12:]
    for line in got[:len(tricks)]:
        assert line.startswith("454 4.7.1 <") and line.endswith(">: Relay access denied"), got
    assert got[len(tricks)] == "250 2.1.5 Ok"
    assert "454 4.7.1 <victim@remote.test>: Relay access denied" in got  # route stripped
    assert "NOQUEUE: reject: RCPT from localhost[127.0.0.1]: 454 4.7.1 <victim@remote.test>: " \
           "Relay access denied; from=<a@remote.test> to=<victim@remote.test> proto=ESMTP " \
           "helo=<client.test>" in log


def test_reject_unauth_destination_554(env):
    out, _ = run(env, b"HELO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<x@remote.test>\r\nQUIT\r\n",
                 {"mynetworks": "192.0.2.0/24",
                  "smtpd_relay_restrictions": "permit_mynetworks, reject_unauth_destination"})
    assert "554 5.7.1 <x@remote.test>: Relay access denied" in out


@pytest.mark.parametrize("mode", ["normalize", "reject"])
@pytest.mark.parametrize("payload", [b"a\n.\nSMUG", b"a\r\n.\nSMUG", b"a\n.\r\nSMUG",
                                     b"a\r.\rSMUG", b"a\r\n.\r\r\nSMUG"])
def test_smuggling_never_splits(env, mode, payload):
    data = (b"EHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<paco@example.test>\r\nDATA\r\n"
            b"Subject: s\r\n\r\n" + payload + b"\r\nMAIL FROM:<evil@b>\r\n.\r\nQUIT\r\n")
    out, log = run(env, data, {"smtpd_forbid_bare_newline": mode,
                               "smtpd_forbid_bare_newline_exclusions": ""})
    msgs = env[1].messages
    assert "evil" not in "".join(transcript(out)) and "nested" not in out
    if mode == "reject" and b"\n" in payload.replace(b"\r\n", b""):
        assert "550 5.5.2 mail.example.test Error: bare <LF> received" in out, out
        assert msgs == []
    else:
        assert len(msgs) == 1, out
        body = b"\n".join(d for t, d in msgs[0][1] if t in "NL")
        assert b"SMUG" in body and b"MAIL FROM:<evil@b>" in body


def test_legacy_no_mode_ends_at_bare_lf_dot(env):
    # smtpd_forbid_bare_newline = no (explicit): Postfix < 3.9 behaviour.
    out, _ = run(env, b"EHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<paco@example.test>\r\nDATA\r\n"
                      b"x\n.\nQUIT\r\n", {"smtpd_forbid_bare_newline": "no"})
    assert "250 2.0.0 Ok: queued as" in out and out.endswith("221 2.0.0 Bye\r\n")


def test_dot_unstuffing_and_bdat(env):
    out, _ = run(env, b"EHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<paco@example.test>\r\n"
                      b"BDAT 12\r\nSubject: y\r\n"
                      b"BDAT 9 LAST\r\n\r\n..dot\r\nQUIT\r\n")
    lines = transcript(out).splitlines()
    assert "250 2.0.0 Ok: 12 bytes" in lines and "250 2.0.0 Ok: 21 bytes queued as F00001A" in lines
    body = [d for t, d in env[1].messages[0][1] if t == "N"][3:]
    assert body == [b"Subject: y", b"", b"..dot"]   # BDAT: no dot-unstuffing


def test_data_dot_unstuffing(env):
    run(env, b"EHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<paco@example.test>\r\nDATA\r\n"
             b"S: x\r\n\r\n..dot\r\n.\r\nQUIT\r\n")
    body = [d for t, d in env[1].messages[0][1] if t == "N"][3:]
    assert body == [b"S: x", b"", b".dot"]


def test_message_size_limit(env):
    out, log = run(env, b"EHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<paco@example.test>\r\nDATA\r\n"
                        + b"x" * 200 + b"\r\n.\r\nQUIT\r\n", {"message_size_limit": "100"})
    assert "552 5.3.4 Error: message file too big" in out and env[1].messages == []
    assert "queue file size limit exceeded" in log
    assert "250-SIZE 100" in out


def test_recipient_limit(env):
    data = b"EHLO c\r\nMAIL FROM:<a@b>\r\n" + b"RCPT TO:<paco@example.test>\r\n" * 3 + b"QUIT\r\n"
    out, _ = run(env, data, {"smtpd_recipient_limit": "2"})
    assert transcript(out).splitlines()[-2] == "452 4.5.3 Error: too many recipients"


def test_too_many_errors(env):
    out, log = run(env, b"EHLO c\r\n" + b"X\r\n" * 25, {"smtpd_hard_error_limit": "20"})
    assert transcript(out).splitlines()[-1] == "421 4.7.0 mail.example.test Error: too many errors"
    assert "too many errors after UNKNOWN from localhost[127.0.0.1]" in log
    assert "disconnect from localhost[127.0.0.1] ehlo=1 unknown=0/20 commands=1/21" in log


def test_non_smtp_command(env):
    out, log = run(env, b"GET / HTTP/1.0\r\n")
    assert transcript(out).splitlines()[1] == "221 2.7.0 Error: I can break rules, too. Goodbye."
    assert "warning: non-SMTP command from localhost[127.0.0.1]: GET / HTTP/1.0" in log
    assert "disconnect from localhost[127.0.0.1] unknown=0/1 commands=0/1" in log


def test_lost_connection_logged(env):
    _, log = run(env, b"EHLO c\r\nMAIL FROM:<a@b>\r\n")
    assert "lost connection after MAIL from localhost[127.0.0.1]" in log
    assert "disconnect from localhost[127.0.0.1] ehlo=1 mail=1 commands=2" in log


def test_access_table_actions(env):
    table = os.path.join(env[0], "conf", "access")
    with open(table, "w") as fp:
        fp.write("bad@example.test REJECT\ntmp@example.test 450 4.2.0 try later\n"
                 "ok@remote.test OK\n")
    params = {"smtpd_recipient_restrictions": f"check_recipient_access texthash:{table}",
              "smtpd_reject_unlisted_recipient": "no"}
    out, log = run(env, b"EHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<bad@example.test>\r\n"
                        b"RCPT TO:<tmp@example.test>\r\nRCPT TO:<ok@remote.test>\r\nQUIT\r\n",
                   params)
    lines = transcript(out).splitlines()
    assert "554 5.7.1 <bad@example.test>: Recipient address rejected: Access denied" in lines
    assert "450 4.2.0 <tmp@example.test>: Recipient address rejected: try later" in lines
    assert lines[-2] == "250 2.1.5 Ok"


def test_helo_restrictions(env):
    params = {"smtpd_helo_restrictions": "reject_invalid_helo_hostname, "
                                         "reject_non_fqdn_helo_hostname",
              "smtpd_helo_required": "yes"}
    out, _ = run(env, b"HELO bad_name!\r\nMAIL FROM:<a@b>\r\nRCPT TO:<paco@example.test>\r\n"
                      b"HELO nodots\r\nMAIL FROM:<a@b>\r\nRCPT TO:<paco@example.test>\r\nQUIT\r\n",
                 params)
    assert "501 5.5.2 <bad_name!>: Helo command rejected: Invalid name" in out
    assert "504 5.5.2 <nodots>: Helo command rejected: need fully-qualified hostname" in out
