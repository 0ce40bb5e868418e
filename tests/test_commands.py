"""The administrator's and user's commands: postfix, sendmail, postdrop,
postqueue (and showq behind it).

Standalone tests (no mail pipeline needed): a temporary configuration and
queue directory, the commands run as root (privileges and ownership are
real), fakes for the programs on the other side of a pipe (a postdrop that
saves its input, a master that only holds the pid lock).  Where Postfix is
the reference, Debian's Postfix runs on the same files and the outputs are
compared byte for byte.
"""
import grp
import os
import pwd
import shutil
import signal
import stat
import subprocess
import time

import pytest

from lib.attr import record as _rec, records as _records

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("POSTERN_BIN", os.path.join(ROOT, "build", "bin"))
FIXQ = os.path.join(ROOT, "tests", "queuefile", "postfix")

EX_USAGE, EX_DATAERR, EX_UNAVAILABLE, EX_TEMPFAIL = 64, 65, 69, 75


def _need(*progs):
    if os.geteuid() != 0:
        pytest.skip("needs root (ownership and set-gid behaviour are real)")
    try:
        pwd.getpwnam("postfix")
        grp.getgrnam("postdrop")
    except KeyError:
        pytest.skip("postfix user / postdrop group missing: run mk/testsetup.sh")
    for p in progs:
        if not os.access(os.path.join(BIN, p), os.X_OK):
            pytest.skip(f"{p} not built")


class Conf:
    """A configuration directory and queue under tmp; commands from BIN."""

    def __init__(self, tmp, command_directory=BIN, daemon_directory=BIN, extra=""):
        self.dir = str(tmp)
        self.conf = os.path.join(self.dir, "conf")
        self.queue = os.path.join(self.dir, "queue")
        self.log = os.path.join(self.dir, "maillog")
        os.makedirs(self.conf, exist_ok=True)
        with open(os.path.join(self.conf, "main.cf"), "w") as f:
            f.write(f"config_directory = {self.conf}\n"
                    f"queue_directory = {self.queue}\n"
                    f"data_directory = {self.dir}/data\n"
                    f"command_directory = {command_directory}\n"
                    f"daemon_directory = {daemon_directory}\n"
                    f"maillog_file = {self.log}\n"
                    f"maillog_file_prefixes = {self.dir}\n"
                    "mail_owner = postfix\nsetgid_group = postdrop\n"
                    "myhostname = host.example.test\nalias_database =\n" + extra)
        open(os.path.join(self.conf, "master.cf"), "w").close()

    def run(self, prog, *args, input=None, env=None, check=False, **kw):
        e = dict(os.environ)
        e.update(env or {})
        p = subprocess.run([os.path.join(BIN, prog), *args], input=input, env=e,
                           capture_output=True, timeout=30, **kw)
        if check:
            assert p.returncode == 0, p.stderr.decode()
        return p

    def postfix(self, *args, **kw):
        return self.run("postfix", "-c", self.conf, *args, **kw)


def _tree(queue):
    """{relative path: (type, mode, owner, group)} of a queue directory."""
    out = {}
    for d, dirs, files in os.walk(queue):
        for n in dirs + files:
            p = os.path.join(d, n)
            st = os.lstat(p)
            out[os.path.relpath(p, queue)] = (stat.S_IFMT(st.st_mode), oct(st.st_mode & 0o7777),
                                              pwd.getpwuid(st.st_uid).pw_name,
                                              grp.getgrgid(st.st_gid).gr_name)
    return out


# --- postfix check / set-permissions --------------------------------------------

def test_check_creates_the_queue_tree_like_postfix(tmp_path):
    _need("postfix")
    c = Conf(tmp_path / "postern")
    p = c.postfix("check")
    assert p.returncode == 0, p.stderr
    ours = _tree(c.queue)
    want = {"maildrop": "0o730", "public": "0o710", "private": "0o700", "pid": "0o755"}
    for name in ("incoming", "active", "deferred", "hold", "corrupt", "bounce", "defer",
                 "trace", "flush", "saved"):
        want[name] = "0o700"
    assert {k: v[1] for k, v in ours.items()} == want
    assert ours["maildrop"][2:] == ("postfix", "postdrop")
    assert ours["public"][2:] == ("postfix", "postdrop")
    assert ours["pid"][2] == "root" and ours["incoming"][2] == "postfix"
    assert oct(os.stat(c.queue).st_mode & 0o7777) == "0o755"
    # Debian's Postfix makes the same tree from the same main.cf.
    if shutil.which("postfix") and os.path.exists("/usr/lib/postfix/sbin/master"):
        ref = tmp_path / "postfix"
        (ref / "conf").mkdir(parents=True)
        (ref / "conf" / "main.cf").write_text(
            f"queue_directory = {ref}/queue\ndata_directory = {ref}/data\n"
            f"maillog_file = {ref}/maillog\nmaillog_file_prefixes = {ref}\n")
        shutil.copy("/etc/postfix/master.cf", ref / "conf" / "master.cf")
        (ref / "queue").mkdir()
        subprocess.run(["/usr/sbin/postfix", "-c", str(ref / "conf"), "check"], check=True,
                       capture_output=True)
        assert _tree(str(ref / "queue")) == ours


def test_check_warns_and_set_permissions_repairs(tmp_path):
    _need("postfix")
    c = Conf(tmp_path)
    c.postfix("check", check=True)
    os.chmod(os.path.join(c.queue, "active"), 0o755)
    os.chown(os.path.join(c.queue, "hold"), 0, 0)
    os.chown(os.path.join(c.queue, "maildrop"), -1, 0)
    os.makedirs(os.path.join(c.queue, "deferred", "A"))
    open(os.path.join(c.queue, "deferred", "A", "A1B2C3"), "w").close()
    p = c.postfix("check")
    err = p.stderr.decode()
    assert p.returncode == 0
    assert f"warning: bad mode 0755, should be 0700: {c.queue}/active" in err
    assert f"warning: not owned by postfix: {c.queue}/hold" in err
    assert f"warning: not owned by group postdrop: {c.queue}/maildrop" in err
    assert oct(os.stat(os.path.join(c.queue, "active")).st_mode & 0o777) == "0o755"
    p = c.postfix("set-permissions")
    assert p.returncode == 0, p.stderr
    t = _tree(c.queue)
    assert t["active"][1] == "0o700" and t["hold"][2] == "postfix"
    assert t["maildrop"][3] == "postdrop"
    assert t["deferred/A"][2] == "postfix" and t["deferred/A/A1B2C3"][2] == "postfix"
    assert c.postfix("check").stderr == b""


def test_set_permissions_makes_postdrop_and_postqueue_setgid(tmp_path):
    _need("postfix")
    sbin = tmp_path / "sbin"
    sbin.mkdir()
    for n in ("postdrop", "postqueue"):
        shutil.copy(os.path.join(BIN, n), sbin / n)
        os.chmod(sbin / n, 0o755)
    c = Conf(tmp_path, command_directory=str(sbin))
    p = c.postfix("check")
    assert b"not set-gid or not owner+group+world executable" in p.stderr
    c.postfix("set-permissions", check=True)
    for n in ("postdrop", "postqueue"):
        st = os.stat(sbin / n)
        assert oct(st.st_mode & 0o7777) == "0o2755"
        assert grp.getgrgid(st.st_gid).gr_name == "postdrop" and st.st_uid == 0


def test_unknown_mail_owner_is_fatal(tmp_path):
    _need("postfix")
    c = Conf(tmp_path, extra="mail_owner = nosuchuser-pst\n")
    p = c.postfix("check")
    assert p.returncode == 1
    assert b"parameter mail_owner: unknown user name value: nosuchuser-pst" in p.stderr
    assert not os.path.exists(c.queue)
    c = Conf(tmp_path / "g", extra="setgid_group = nosuchgroup-pst\n")
    p = c.postfix("check")
    assert p.returncode == 1 and b"setgid_group: unknown group name: nosuchgroup-pst" in p.stderr


# --- postfix start / stop / status with a stand-in master ------------------------

FAKE_MASTER = r"""#!/usr/bin/python3
# Stand-in for master: -w detaches and returns once the pid file is locked.
import fcntl, os, signal, sys, time
log = open(os.environ["FAKE_LOG"], "a", buffering=1)
log.write("argv " + " ".join(sys.argv[1:]) + "\n")
log.write("MAIL_CONFIG " + os.environ.get("MAIL_CONFIG", "") + "\n")
r, w = os.pipe()
if "-w" in sys.argv and os.fork() > 0:
    os.close(w)
    sys.exit(0 if os.read(r, 1) == b"1" else 1)
os.setsid()
null = os.open("/dev/null", os.O_RDWR)
for i in (0, 1, 2):
    os.dup2(null, i)
fd = os.open("pid/master.pid", os.O_RDWR | os.O_CREAT, 0o600)
fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
os.ftruncate(fd, 0)
os.write(fd, b"%32d\n" % os.getpid())
signal.signal(signal.SIGHUP, lambda *a: log.write("SIGHUP\n"))
def term(*a):
    log.write("SIGTERM\n")
    sys.exit(0)
signal.signal(signal.SIGTERM, term)
os.write(w, b"1")
while True:
    time.sleep(1)
"""


@pytest.fixture
def fake_master(tmp_path):
    _need("postfix")
    libexec = tmp_path / "libexec"
    libexec.mkdir()
    (libexec / "master").write_text(FAKE_MASTER)
    os.chmod(libexec / "master", 0o755)
    c = Conf(tmp_path, daemon_directory=str(libexec),
             extra="import_environment = MAIL_CONFIG FAKE_LOG\n")
    c.fake_log = str(tmp_path / "fake.log")
    yield c
    try:
        with open(os.path.join(c.queue, "pid", "master.pid")) as f:
            os.kill(int(f.read().split()[0]), signal.SIGKILL)
    except (OSError, ValueError, IndexError):
        pass


def test_status_when_stopped(tmp_path):
    _need("postfix")
    c = Conf(tmp_path)
    c.postfix("check", check=True)
    p = c.postfix("status")
    assert p.returncode == 1
    assert p.stderr == b"postfix/postfix-script: the Postfix mail system is not running\n"
    assert "postfix/postfix-script[" in open(c.log).read()
    for cmd in ("stop", "abort", "reload"):
        p = c.postfix(cmd)
        assert p.returncode == 1
        assert p.stderr == (b"postfix/postfix-script: fatal: the Postfix mail system is "
                            b"not running\n")


def test_start_status_reload_stop(fake_master):
    c = fake_master
    env = {"FAKE_LOG": c.fake_log}
    p = c.postfix("start", env=env)
    assert p.returncode == 0, p.stderr
    assert p.stderr == b"postfix/postfix-script: starting the Postfix mail system\n"
    log = open(c.fake_log).read()
    assert f"argv -c {c.conf} -w" in log and f"MAIL_CONFIG {c.conf}" in log
    pid = int(open(os.path.join(c.queue, "pid", "master.pid")).read())
    p = c.postfix("status")
    assert p.returncode == 0
    assert p.stderr == f"postfix/postfix-script: the Postfix mail system is running: PID: {pid}\n".encode()
    p = c.postfix("start", env=env)
    assert p.returncode == 1 and b"fatal: the Postfix mail system is already running" in p.stderr
    p = c.postfix("reload")
    assert p.returncode == 0 and b"refreshing the Postfix mail system" in p.stderr
    deadline = time.monotonic() + 5
    while "SIGHUP" not in open(c.fake_log).read():
        assert time.monotonic() < deadline, "master got no SIGHUP"
        time.sleep(0.05)
    p = c.postfix("stop")
    assert p.returncode == 0 and b"stopping the Postfix mail system" in p.stderr
    assert "SIGTERM" in open(c.fake_log).read()
    assert not os.path.exists(f"/proc/{pid}") or \
        open(f"/proc/{pid}/stat").read().split()[2] == "Z"
    assert c.postfix("status").returncode == 1


def test_postfix_needs_root_and_a_known_command(tmp_path):
    _need("postfix")
    c = Conf(tmp_path)
    p = c.postfix("frobnicate")
    assert p.returncode == 1
    assert b"fatal: unknown command: 'frobnicate'. Usage: postfix start" in p.stderr
    p = c.run("postfix", "-c", c.conf, "status", preexec_fn=lambda: os.setuid(65534))
    assert p.returncode == 1
    assert b"postfix: fatal: to submit mail, use the Postfix sendmail command" in p.stderr


# --- sendmail: what it hands to postdrop -----------------------------------------

@pytest.fixture
def capture(tmp_path):
    """A command_directory whose postdrop/postqueue/postalias record what they get."""
    _need("sendmail")
    sbin = tmp_path / "sbin"
    sbin.mkdir()
    out = tmp_path / "out"
    # It answers with its queue id first, as postdrop does (PROTOCOLS.md, postdrop/1).
    (sbin / "postdrop").write_text(
        "#!/bin/sh\nprintf 'protocol\\000postdrop/1\\000\\000queue_id\\000ABCDEF0123\\000\\000'\n"
        f"echo \"$@\" > {out}.args\ncat > {out}\n")
    for n in ("postqueue", "postalias"):
        (sbin / n).write_text(f"#!/bin/sh\necho {n} \"$@\" >> {out}.args\n")
    for n in ("postdrop", "postqueue", "postalias"):
        os.chmod(sbin / n, 0o755)
    c = Conf(tmp_path, command_directory=str(sbin))
    c.out = str(out)

    def sendmail(*args, input=b"Subject: s\n\nbody\n", argv0="sendmail"):
        return subprocess.run([argv0, "-C", c.conf, *args], executable=os.path.join(BIN, "sendmail"),
                              input=input, capture_output=True, timeout=30,
                              env=dict(os.environ, NAME="Test User"))
    c.sendmail = sendmail
    return c


def test_sendmail_recipients_and_envelope(capture):
    p = capture.sendmail("-f", "Joe <joe@example.org>", "-F", "Joe Q", "-N", "success,delay",
                         "-R", "hdrs", "-V", "env42", "a@example.com", "b@x.example, c@y.example")
    assert p.returncode == 0, p.stderr
    assert open(capture.out + ".args").read() == "-r\n"
    recs = _records(open(capture.out, "rb").read())
    assert recs == [("A", b"envelope_id=env42"), ("A", b"ret_flags=2"), ("F", b"Joe Q"),
                    ("S", b"joe@example.org"),
                    ("A", b"notify_flags=10"), ("R", b"a@example.com"),
                    ("A", b"notify_flags=10"), ("R", b"b@x.example"),
                    ("A", b"notify_flags=10"), ("R", b"c@y.example"),
                    ("M", b""), ("N", b"Subject: s"), ("N", b""), ("N", b"body"),
                    ("X", b""), ("E", b"")]


def test_sendmail_t_puts_header_recipients_in_the_extracted_segment(capture):
    msg = (b"From: a@example.org\nTo: t1@example.com,\n \"Joe\" <t2@example.com>\n"
           b"Cc: c1@example.com\nBcc: b1@example.com\nSubject: t\n\nTo: not@example.com\n")
    p = capture.sendmail("-t", "-f", "", "extra@example.com", input=msg)
    assert p.returncode == 0, p.stderr
    recs = _records(open(capture.out, "rb").read())
    x = recs.index(("X", b""))
    assert ("S", b"") in recs[:x] and ("F", b"Test User") in recs[:x]
    assert [d for t, d in recs[:x] if t == "R"] == [b"extra@example.com"]
    assert recs[x + 1:] == [("R", b"t1@example.com"), ("R", b"t2@example.com"),
                            ("R", b"c1@example.com"), ("R", b"b1@example.com"), ("E", b"")]
    # The Bcc header stays in the content: cleanup drops it (message_drop_headers).
    assert ("N", b"Bcc: b1@example.com") in recs
    # Resent- headers, when present, are the only source.
    msg = b"To: old@example.com\nResent-To: new@example.com\n\nx\n"
    assert capture.sendmail("-t", input=msg).returncode == 0
    recs = _records(open(capture.out, "rb").read())
    assert [d for t, d in recs if t == "R"] == [b"new@example.com"]


def test_sendmail_content_lines(capture):
    long = b"x" * 5000
    msg = b"Subject: c\r\n\r\nline\r\nbare\rcr\n.\nafter dot\n" + long + b"\nlast"
    assert capture.sendmail("-i", "r@example.com", input=msg).returncode == 0
    recs = _records(open(capture.out, "rb").read())
    m, x = recs.index(("M", b"")), recs.index(("X", b""))
    assert recs[m + 1:x] == [("N", b"Subject: c"), ("N", b""), ("N", b"line"),
                             ("N", b"bare\rcr"), ("N", b"."), ("N", b"after dot"),
                             ("L", b"x" * 2048), ("L", b"x" * 2048), ("N", b"x" * 904),
                             ("N", b"last")]
    # Without -i a lone dot ends the message.
    assert capture.sendmail("r@example.com", input=b"a\n.\nb\n").returncode == 0
    recs = _records(open(capture.out, "rb").read())
    assert [d for t, d in recs if t == "N"] == [b"a"]


def test_sendmail_errors_and_modes(capture):
    p = capture.sendmail()
    assert p.returncode == EX_TEMPFAIL
    assert (b"Recipient addresses must be specified on the command line or via the -t option"
            in p.stderr)
    p = capture.sendmail("-t", input=b"Subject: none\n\nx\n")
    assert p.returncode == EX_TEMPFAIL and b"No recipient addresses found" in p.stderr
    # -bs becomes "$daemon_directory/smtpd -z" (run for real, against Postfix,
    # in tests/test_smtpd_instance.py::test_sendmail_bs).
    ddir = os.path.join(capture.dir, "libexec")
    os.mkdir(ddir)
    with open(os.path.join(ddir, "smtpd"), "w") as f:
        f.write(f"#!/bin/sh\necho \"$0 $@\" > {capture.out}.bs\n")
    os.chmod(os.path.join(ddir, "smtpd"), 0o755)
    maincf = os.path.join(capture.conf, "main.cf")
    text = open(maincf).read()
    with open(maincf, "w") as f:
        f.write(text.replace(f"daemon_directory = {BIN}\n", f"daemon_directory = {ddir}\n"))
    p = capture.sendmail("-bs")
    assert p.returncode == 0, p.stderr
    assert open(capture.out + ".bs").read() == f"{ddir}/smtpd -z -n smtpd\n"
    with open(maincf, "w") as f:
        f.write(text)
    p = capture.sendmail("-bz")
    assert p.returncode == EX_USAGE and b"unsupported: -bz" in p.stderr
    p = capture.sendmail("-Z", "r@example.com")
    assert p.returncode == EX_USAGE
    # Ignored options, as Postfix: accepted, the message still goes out.
    p = capture.sendmail("-oem", "-odb", "-om", "-U", "-x", "-Btype", "-L", "lbl", "-G",
                         "-h", "10", "r@example.com")
    assert p.returncode == 0, p.stderr
    p = capture.sendmail("-N", "bogus", "r@example.com")
    assert p.returncode == 0 and b"bad -N option value -- ignored" in p.stderr
    os.unlink(capture.out + ".args")
    assert capture.sendmail("-bp").returncode == 0
    assert capture.sendmail("x", argv0="mailq").returncode == 0
    assert capture.sendmail("-q").returncode == 0
    assert capture.sendmail("-qRexample.com").returncode == 0
    assert open(capture.out + ".args").read() == (
        f"postqueue -c {capture.conf} -p\npostqueue -c {capture.conf} -p\n"
        f"postqueue -c {capture.conf} -f\npostqueue -c {capture.conf} -s example.com\n")


def test_newaliases_runs_postalias_on_alias_database(capture):
    with open(os.path.join(capture.conf, "main.cf"), "a") as f:
        f.write("alias_database = hash:/tmp/a1, lmdb:/tmp/a2\n")
    p = capture.sendmail(argv0="newaliases")
    assert p.returncode == 0, p.stderr
    assert open(capture.out + ".args").read() == (
        f"postalias -c {capture.conf} hash:/tmp/a1\npostalias -c {capture.conf} lmdb:/tmp/a2\n")


# --- postdrop -----------------------------------------------------------------------

GOOD = (_rec("S", b"s@example.org") + _rec("R", b"r@example.com") + _rec("M") +
        _rec("N", b"Subject: x") + _rec("N") + _rec("N", b"body") + _rec("X") + _rec("E"))


@pytest.fixture
def dropq(tmp_path):
    _need("postdrop", "postfix")
    c = Conf(tmp_path)
    c.postfix("check", check=True)
    c.maildrop = os.path.join(c.queue, "maildrop")
    return c


def test_postdrop_writes_a_complete_maildrop_file(dropq):
    p = dropq.run("postdrop", "-c", dropq.conf, "-r", input=GOOD)
    assert p.returncode == 0, p.stderr
    assert b"unable to look up public/pickup" in p.stderr   # nothing runs: a warning only
    names = os.listdir(dropq.maildrop)
    assert len(names) == 1
    # The caller learns the queue id on stdout (PROTOCOLS.md, postdrop/1).
    assert p.stdout == b"protocol\0postdrop/1\0\0queue_id\0" + names[0].encode() + b"\0\0"
    st = os.stat(os.path.join(dropq.maildrop, names[0]))
    assert oct(st.st_mode & 0o777) == "0o744"
    recs = _records(open(os.path.join(dropq.maildrop, names[0]), "rb").read())
    assert recs[0][0] == "T" and recs[1] == ("A", b"rewrite_context=local")
    assert recs[2:] == _records(GOOD)


@pytest.mark.parametrize("why,data", [
    ("truncated", GOOD[:-3]),
    ("no end record", GOOD[:-2]),
    ("data after end", GOOD + _rec("N", b"x")),
    ("two senders", _rec("S", b"a@x") + GOOD),
    ("no sender", GOOD[len(_rec("S", b"s@example.org")):]),
    ("no recipients", _rec("S", b"s@x") + _rec("M") + _rec("X") + _rec("E")),
    ("client attribute", _rec("A", b"log_client_name=forged") + GOOD),
    ("content filter", _rec("L", b"smtp:evil") + GOOD),
    ("size record", _rec("C", b" " * 95) + GOOD),
    ("done recipient", _rec("D", b"x@y") + GOOD),
    ("pointer", _rec("p", b"%15d" % 0) + GOOD),
    ("time record", _rec("T", b"1 1") + GOOD),
    ("envelope record in content", GOOD.replace(_rec("N", b"body"), _rec("R", b"x@y"))),
    ("huge length", b"S\xff\xff\xff\xff\x0f"),
    ("garbage", b"hello world\n"),
])
def test_postdrop_rejects_malformed_input(dropq, why, data):
    p = dropq.run("postdrop", "-c", dropq.conf, "-r", input=data)
    assert p.returncode == EX_DATAERR, (why, p.stderr)
    assert os.listdir(dropq.maildrop) == [], why


def test_postdrop_refuses_other_config_dirs_for_users(dropq):
    p = dropq.run("postdrop", "-c", dropq.conf, input=GOOD,
                  preexec_fn=lambda: os.setuid(65534))
    assert p.returncode == 77  # EX_NOPERM
    assert b"not allowed to use configuration directory" in p.stderr


# --- postqueue -p against Postfix on the same queue ------------------------------------

def _postfix_reference_conf(tmp_path, queue):
    ref = tmp_path / "pfconf"
    ref.mkdir()
    (ref / "main.cf").write_text(f"queue_directory = {queue}\ndata_directory = {tmp_path}/pfdata\n"
                                 f"maillog_file = {tmp_path}/pflog\n"
                                 f"maillog_file_prefixes = {tmp_path}\n")
    shutil.copy("/etc/postfix/master.cf", ref / "master.cf")
    return str(ref)


def _fill_queue(c):
    """Postfix-made queue files (tests/queuefile/postfix) in every queue."""
    for sub in ("maildrop", "hold", "deferred"):
        src = os.path.join(FIXQ, sub)
        for d, _, files in os.walk(src):
            for n in files:
                dst = os.path.join(c.queue, sub, os.path.relpath(os.path.join(d, n), src))
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                shutil.copy(os.path.join(d, n), dst)
                os.chmod(dst, 0o744 if sub == "maildrop" else 0o700)  # complete files
    # An active message, and a defer log with two reasons.
    hold = sorted(os.listdir(os.path.join(c.queue, "hold")))
    shutil.move(os.path.join(c.queue, "hold", hold[0]), os.path.join(c.queue, "active", hold[0]))
    deferred = [n for d, _, fs in os.walk(os.path.join(c.queue, "deferred")) for n in fs][0]
    os.makedirs(os.path.join(c.queue, "defer", deferred[0]), exist_ok=True)
    rcpts = [d.decode() for t, d in _records(open(
        os.path.join(c.queue, "deferred", deferred[0], deferred), "rb").read()) if t == "R"]
    with open(os.path.join(c.queue, "defer", deferred[0], deferred), "w") as f:
        for i, r in enumerate(rcpts):
            why = "connect to mx.example[192.0.2.1]:25: Connection refused" if i == 0 else \
                "x" * (90 if i == 1 else 3)
            f.write(f"<{r}>: {why}\nrecipient={r}\noffset=1\nstatus=4.4.1\naction=delayed\n"
                    f"reason={why}\n\n")
    subprocess.run([os.path.join(BIN, "postfix"), "-c", c.conf, "set-permissions"], check=True,
                   capture_output=True)


def test_mailq_output_matches_postfix(tmp_path):
    _need("postqueue", "showq", "postfix")
    if not os.path.exists("/usr/sbin/postqueue"):
        pytest.skip("Debian's postfix is not installed")
    c = Conf(tmp_path)
    c.postfix("check", check=True)
    _fill_queue(c)
    ours = c.run("postqueue", "-c", c.conf, "-p")
    assert ours.returncode == 0, ours.stderr
    assert b"Mail system is down -- accessing queue directly" in ours.stderr
    ref = subprocess.run(["/usr/sbin/postqueue", "-c", _postfix_reference_conf(tmp_path, c.queue),
                          "-p"], capture_output=True, timeout=30)
    assert ref.returncode == 0, ref.stderr
    assert ours.stdout.decode() == ref.stdout.decode()
    text = ours.stdout.decode()
    assert "*" in text and "!" in text and "(connect to mx.example" in text
    # mailq (sendmail -bp) is the same listing.
    p = subprocess.run(["mailq", "-C", c.conf], executable=os.path.join(BIN, "sendmail"),
                       capture_output=True, timeout=30)
    assert p.stdout == ours.stdout


def test_sendmail_to_maildrop_to_mailq(tmp_path):
    """The whole submission path without daemons: sendmail -> postdrop ->
    maildrop/, then postqueue -p (and Postfix's) lists it."""
    _need("postqueue", "showq", "postfix", "sendmail", "postdrop")
    c = Conf(tmp_path)
    c.postfix("check", check=True)
    p = c.run("sendmail", "-C", c.conf, "-f", '"a b"@example.org', "r1@example.com",
              "\"q x\"@example.com", input=b"Subject: hi\n\nhello\n")
    assert p.returncode == 0, p.stderr
    ours = c.run("postqueue", "-c", c.conf, "-p").stdout.decode()
    lines = ours.splitlines()
    assert lines[0] == "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------"
    assert lines[1].endswith(' "a b"@example.org')
    assert lines[2:5] == [" " * 41 + "r1@example.com", " " * 41 + '"q x"@example.com', ""]
    assert lines[5] == "-- 0 Kbytes in 1 Request."
    if os.path.exists("/usr/sbin/postqueue"):
        ref = subprocess.run(["/usr/sbin/postqueue", "-c",
                              _postfix_reference_conf(tmp_path, c.queue), "-p"],
                             capture_output=True, timeout=30)
        assert ref.stdout.decode() == ours


def test_empty_queue_and_flush_when_down(tmp_path):
    _need("postqueue", "showq", "postfix")
    c = Conf(tmp_path)
    c.postfix("check", check=True)
    assert c.run("postqueue", "-c", c.conf, "-p").stdout == b"Mail queue is empty\n"
    p = c.run("postqueue", "-c", c.conf, "-f")
    assert p.returncode == EX_UNAVAILABLE
    assert b"Cannot flush mail queue - mail system is down" in p.stderr
    p = c.postfix("flush")
    assert p.returncode == EX_UNAVAILABLE
    p = c.run("postqueue", "-c", c.conf, "-p", preexec_fn=lambda: os.setuid(65534))
    assert p.returncode == 77


def test_postqueue_lets_root_whatever_the_lists_say(tmp_path):
    """authorized_mailq_users / authorized_flush_users never stop root (or
    mail_owner), as with Postfix; who else may is unit-tested in
    lib/global/user_acl_test.c (other users cannot pick a configuration
    directory here)."""
    _need("postqueue", "showq", "postfix")
    c = Conf(tmp_path, extra="authorized_mailq_users =\nauthorized_flush_users = !root\n")
    c.postfix("check", check=True)
    p = c.run("postqueue", "-c", c.conf, "-p")
    assert p.stdout == b"Mail queue is empty\n", p.stderr
    p = c.run("postqueue", "-c", c.conf, "-f")
    assert b"not allowed" not in p.stderr
    assert b"Cannot flush mail queue - mail system is down" in p.stderr


def test_authorized_submit_users_stops_even_root(tmp_path):
    """authorized_submit_users applies to root too, in sendmail (Postfix's
    words and exit status 75) and in postdrop (EX_NOPERM); nothing is
    queued.  Who else may is unit-tested in lib/global/user_acl_test.c."""
    _need("sendmail", "postdrop", "postfix")
    c = Conf(tmp_path, extra="authorized_submit_users = !root, static:anyone\n")
    c.postfix("check", check=True)
    p = c.run("sendmail", "-C", c.conf, "paco", input=b"Subject: x\n\nbody\n")
    assert p.returncode == EX_TEMPFAIL, p.stderr
    assert p.stderr.endswith(b"sendmail: fatal: User root(0) is not allowed to submit mail\n")
    p = c.run("postdrop", "-c", c.conf, "-r", input=GOOD)
    assert p.returncode == 77, p.stderr
    assert b"fatal: User root(0) is not allowed to submit mail" in p.stderr
    assert os.listdir(os.path.join(c.queue, "maildrop")) == []
    if os.access("/usr/sbin/sendmail", os.X_OK) and os.path.exists("/usr/sbin/postconf"):
        ref = subprocess.run(["/usr/sbin/sendmail", "-C", c.conf, "paco"], input=b"x\n",
                             capture_output=True, timeout=30)
        assert ref.returncode == EX_TEMPFAIL
        assert ref.stderr.endswith(b"sendmail: fatal: User root(0) is not allowed to submit "
                                   b"mail\n")


# --- with the whole pipeline (skips until the daemons exist) --------------------------

def test_instance_start_status_stop(instance):
    inst = instance("postern", smtp=False)
    inst.start()
    p = inst.postfix("status", check=False)
    assert p.returncode == 0 and "the Postfix mail system is running: PID:" in p.stderr
    inst.sendmail(["paco"], input="Subject: cmds\n\nhello\n")
    inst.wait_for_mail("paco", rb"hello")
    inst.wait_for_queue_empty()
    inst.stop()
    assert inst.postfix("status", check=False).returncode == 1


def test_postfix_files_describes_the_queue_tree(tmp_path):
    """conf/postfix-files and the tree postfix check makes agree."""
    _need("postfix")
    c = Conf(tmp_path)
    c.postfix("check", check=True)
    tree = _tree(c.queue)
    rows = [line.split(":") for line in open(os.path.join(ROOT, "conf", "postfix-files"))
            if line.startswith("$queue_directory/")]
    assert len(rows) == len(tree)
    for name, typ, owner, group, mode, flags in rows:
        rel = name[len("$queue_directory/"):]
        want_owner = "postfix" if owner == "$mail_owner" else owner
        assert tree[rel][1] == oct(int(mode, 8)) and tree[rel][2] == want_owner, rel
        if group != "-":
            assert tree[rel][3] == "postdrop", rel


def test_install_makes_setgid_commands_and_links(tmp_path):
    _need("sendmail", "postdrop", "postqueue")
    d = str(tmp_path / "dest")
    p = subprocess.run(["make", "-s", "install", f"DESTDIR={d}"], cwd=ROOT,
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    for n in ("postdrop", "postqueue"):
        st = os.stat(os.path.join(d, "usr/sbin", n))
        assert oct(st.st_mode & 0o7777) == "0o2755" and grp.getgrgid(st.st_gid).gr_name == "postdrop"
    for n in ("mailq", "newaliases"):
        assert os.readlink(os.path.join(d, "usr/bin", n)) == "../sbin/sendmail"
    assert os.path.isfile(os.path.join(d, "etc/postfix/postfix-files"))
