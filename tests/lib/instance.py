"""A Postern (or Debian Postfix, as reference) instance in a temporary directory.

An Instance owns one directory holding everything it writes:
  DIR/conf/main.cf, master.cf   written from the templates below
  DIR/queue                     queue_directory (created by "postfix start")
  DIR/data                      data_directory
  DIR/mail                      mail_spool_directory (mbox files, mode 1777;
                                with maildir=True a Maildir per user, so
                                deliveries never touch /home or /var/mail)
  DIR/maillog                   maillog_file (through the postlog service)
and runs inside a test's network namespace (lib/netns.py), so the SMTP
listener on 127.0.0.1:PORT and every DNS lookup stay in that namespace.

Interface:
  inst = Instance(ns, kind="postfix" | "postern", port=25, params={...},
                  master_extra=["submission inet n - n - - smtpd ..."],
                  myhostname="mail.example.test", mydomain="example.test")
  Instance.available(kind, smtp=True)  -> None if the binaries exist, else
                            why not (skip); smtp=False does not need smtpd
  inst.write_config()       # done by start() unless already written
  inst.set_params(name=value, ...) / inst.postconf("-e", "x = y") / inst.postconf_get("x")
  inst.start(timeout=15)    # postfix -c DIR start, in the namespace; waits until
                            # master's pid file names a live master and, when
                            # SMTP is configured, the port accepts connections
  inst.stop() / inst.reload()
  inst.postfix("status"), inst.postqueue("-p"), inst.sendmail([...], input=msg),
  inst.command("postsuper", "-d", "ALL")      (run inside the namespace)
  inst.master_pid(), inst.pids()              (master and every descendant)
  inst.maillog(), inst.log_mark(), inst.wait_for_log(regex, timeout, since=mark)
  inst.log_lines(regex, since=mark)
  inst.allow_log(regex), inst.problems()  # panic/fatal lines and sanitizer
                            # reports (ASAN/UBSAN log_path is DIR/asan.PID, passed
                            # to daemons through import_environment for Postern)
  inst.wait_for_file(path, timeout, predicate=None)
  inst.wait_for_queue_empty(timeout)
  inst.mailbox_path(user), inst.read_mailbox(user), inst.wait_for_mail(user, regex)
  inst.maildir_messages(user)    # with Instance(..., maildir=True)
  inst.smtp(**kw)           -> smtplib client connected to the listener
  inst.teardown()           # stop, then kill by pid every process still
                            # running from this instance; registered with
                            # ns.on_close() so it also runs when a test fails

Binaries: kind "postfix" uses /usr/sbin and /usr/lib/postfix/sbin (Debian's
package).  Kind "postern" uses $POSTERN_BIN, default <repo>/build/bin (set
POSTERN_BIN=build/san/bin for the sanitizer build) for commands and daemons.

What can go wrong: the binaries are missing (available() says so; tests
skip); the config is rejected (start() raises with postfix's output and the
log tail); a wait times out (AssertionError with the last lines of maillog).
The mail owner "postfix", group "postdrop" and users paco/enrique come from
mk/testsetup.sh.
"""
import os
import re
import shutil
import tempfile
import time

from . import procs

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

MAIN_CF = """\
# main.cf of a test instance ({kind}), written by tests/lib/instance.py
compatibility_level = 3.6
config_directory = {conf}
queue_directory = {queue}
data_directory = {data}
command_directory = {command_directory}
daemon_directory = {daemon_directory}
{extra_dirs}mail_owner = postfix
setgid_group = postdrop
myhostname = {myhostname}
mydomain = {mydomain}
myorigin = $mydomain
mydestination = $myhostname, localhost.$mydomain, localhost, $mydomain
inet_interfaces = {inet_interfaces}
inet_protocols = {inet_protocols}
mynetworks = {mynetworks}
relayhost =
mail_spool_directory = {spool}{maildir_slash}
home_mailbox =
mailbox_command =
alias_maps =
alias_database =
biff = no
maillog_file = {maillog}
maillog_file_prefixes = {dir}
smtpd_banner = $myhostname ESMTP $mail_name
sendmail_path = {command_directory}/sendmail
newaliases_path = {command_directory}/newaliases
mailq_path = {command_directory}/mailq
"""

# Every service runs unchrooted: the instance lives in a temp dir and its
# namespace's resolv.conf must be what the daemons read.
MASTER_CF = """\
# master.cf of a test instance ({kind}), written by tests/lib/instance.py
# service    type  private unpriv chroot wakeup maxproc command
{smtp_service} inet n       -       n       -       -       smtpd
pickup     unix  n       -       n       60      1       pickup
cleanup    unix  n       -       n       -       0       cleanup
qmgr       unix  n       -       n       300     1       qmgr
tlsmgr     unix  -       -       n       1000?   1       tlsmgr
rewrite    unix  -       -       n       -       -       trivial-rewrite
bounce     unix  -       -       n       -       0       bounce
defer      unix  -       -       n       -       0       bounce
trace      unix  -       -       n       -       0       bounce
verify     unix  -       -       n       -       1       verify
flush      unix  n       -       n       1000?   0       flush
proxymap   unix  -       -       n       -       -       proxymap
proxywrite unix  -       -       n       -       1       proxymap
smtp       unix  -       -       n       -       -       smtp
relay      unix  -       -       n       -       -       smtp
showq      unix  n       -       n       -       -       showq
error      unix  -       -       n       -       -       error
retry      unix  -       -       n       -       -       error
discard    unix  -       -       n       -       -       discard
local      unix  -       n       n       -       -       local
virtual    unix  -       n       n       -       -       virtual
lmtp       unix  -       -       n       -       -       lmtp
anvil      unix  -       -       n       -       1       anvil
scache     unix  -       -       n       -       1       scache
postlog    unix-dgram n  -       n       -       1       postlogd
"""


def _postern_bin():
    b = os.environ.get("POSTERN_BIN", os.path.join(ROOT, "build", "bin"))
    return b if os.path.isabs(b) else os.path.join(ROOT, b)


KINDS = {
    "postfix": {
        "command_directory": "/usr/sbin",
        "daemon_directory": "/usr/lib/postfix/sbin",
        "extra_dirs": "meta_directory = /etc/postfix\nshlib_directory = /usr/lib/postfix\n",
    },
    "postern": {
        "command_directory": None,   # _postern_bin() at construction time
        "daemon_directory": None,
        "extra_dirs": "",
    },
}


class Instance:
    def __init__(self, ns, kind="postfix", port=25, params=None, master_extra=(),
                 master_cf=None, myhostname="mail.example.test", mydomain="example.test",
                 inet_interfaces="127.0.0.1", inet_protocols="ipv4",
                 mynetworks="127.0.0.0/8", workdir=None, smtp=True, maildir=False):
        if kind not in KINDS:
            raise ValueError(f"instance kind {kind!r}: want one of {sorted(KINDS)}")
        self.ns = ns
        self.kind = kind
        self.port = port
        self.smtp_enabled = smtp
        self.dir = workdir or tempfile.mkdtemp(prefix=f"pst-{kind}-", dir=ns.workdir)
        os.makedirs(self.dir, exist_ok=True)
        os.chmod(self.dir, 0o755)
        self.conf = os.path.join(self.dir, "conf")
        self.queue = os.path.join(self.dir, "queue")
        self.data = os.path.join(self.dir, "data")
        self.spool = os.path.join(self.dir, "mail")
        self.maillog_path = os.path.join(self.dir, "maillog")
        k = KINDS[kind]
        self.command_directory = k["command_directory"] or _postern_bin()
        self.daemon_directory = k["daemon_directory"] or _postern_bin()
        self.vars = dict(kind=kind, conf=self.conf, queue=self.queue, data=self.data,
                         spool=self.spool, maillog=self.maillog_path, dir=self.dir,
                         command_directory=self.command_directory,
                         daemon_directory=self.daemon_directory, extra_dirs=k["extra_dirs"],
                         myhostname=myhostname, mydomain=mydomain,
                         inet_interfaces=inet_interfaces, inet_protocols=inet_protocols,
                         mynetworks=mynetworks, maildir_slash="/" if maildir else "",
                         smtp_service=f"{port:<10}" if smtp else "#smtp")
        self.maildir = maildir
        self.params = dict(params or {})
        self.master_extra = list(master_extra)
        self.master_cf_text = master_cf
        self.listen = inet_interfaces.split(",")[0].split()[0] \
            if inet_interfaces not in ("all", "loopback-only") else "127.0.0.1"
        self.started = False
        self._written = False
        self.log_allow = []
        # Sanitizer builds write their reports next to the instance, not to a
        # stderr that master sends to /dev/null.
        self.env = dict(os.environ)
        self.env["ASAN_OPTIONS"] = f"log_path={self.dir}/asan:detect_leaks=1:abort_on_error=0"
        self.env["UBSAN_OPTIONS"] = f"log_path={self.dir}/ubsan:print_stacktrace=1"
        ns.on_close(self.teardown)

    # --- binaries and configuration ---------------------------------------
    @staticmethod
    def available(kind="postfix", smtp=True):
        """None when the binaries of kind exist, else a reason to skip.
        smtp=False: an instance without an SMTP listener (no smtpd needed)."""
        if kind == "postfix":
            need = ["/usr/sbin/postfix", "/usr/sbin/postconf", "/usr/lib/postfix/sbin/master"]
        else:
            b = _postern_bin()
            names = ("postfix", "postconf", "master") + (("smtpd",) if smtp else ())
            need = [os.path.join(b, n) for n in names]
        missing = [p for p in need if not os.access(p, os.X_OK)]
        return f"{kind} binaries missing: {', '.join(missing)}" if missing else None

    def bin(self, name):
        for d in (self.command_directory, self.daemon_directory):
            p = os.path.join(d, name)
            if os.access(p, os.X_OK):
                return p
        raise FileNotFoundError(f"{self.kind}: no {name} in {self.command_directory}")

    def write_config(self):
        os.makedirs(self.conf, exist_ok=True)
        os.makedirs(self.queue, mode=0o755, exist_ok=True)
        for d in (self.data,):
            os.makedirs(d, exist_ok=True)
            shutil.chown(d, "postfix", "root")
            os.chmod(d, 0o700)
        os.makedirs(self.spool, exist_ok=True)
        os.chmod(self.spool, 0o1777)
        text = MAIN_CF.format(**self.vars)
        if self.kind == "postern":
            text += ("import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C "
                     "POSTLOG_SERVICE POSTLOG_HOSTNAME ASAN_OPTIONS UBSAN_OPTIONS\n")
        for name, value in self.params.items():
            text += f"{name} = {value}\n"
        with open(os.path.join(self.conf, "main.cf"), "w") as f:
            f.write(text)
        mtext = self.master_cf_text if self.master_cf_text is not None \
            else MASTER_CF.format(**self.vars)
        if self.master_extra:
            mtext += "".join(line.rstrip("\n") + "\n" for line in self.master_extra)
        with open(os.path.join(self.conf, "master.cf"), "w") as f:
            f.write(mtext)
        # Postfix re-reads a config file that was changed within the last
        # second, pausing 300ms per try (it fears a half-written file); date
        # the files back so start-up does not take seconds.
        past = time.time() - 60
        for name in ("main.cf", "master.cf"):
            os.utime(os.path.join(self.conf, name), (past, past))
        self._written = True

    def set_params(self, **params):
        """Add/override main.cf parameters (applied at the next write_config)."""
        self.params.update({k: str(v) for k, v in params.items()})
        if self._written:
            self.write_config()

    def postconf(self, *args, check=True):
        p = self.command("postconf", *args, check=check)
        if any(a.startswith("-") and set(a[1:]) & set("eX#") for a in args):
            past = time.time() - 60     # see write_config()
            for name in ("main.cf", "master.cf"):
                path = os.path.join(self.conf, name)
                if os.path.exists(path):
                    os.utime(path, (past, past))
        return p

    def postconf_get(self, name):
        return self.postconf("-h", name).stdout.rstrip("\n")

    # --- running commands -------------------------------------------------
    def command(self, name, *args, check=True, input=None, timeout=30):
        """Run one of the instance's commands with -c DIR inside the namespace."""
        return self.ns.run([self.bin(name), "-c", self.conf, *args], check=check,
                           input=input, timeout=timeout, env=self.env)

    def postfix(self, *args, check=True, timeout=30):
        return self.command("postfix", *args, check=check, timeout=timeout)

    def postqueue(self, *args, check=True):
        return self.command("postqueue", *args, check=check)

    def sendmail(self, args, input, check=True):
        return self.ns.run([self.bin("sendmail"), "-C", self.conf, *args], input=input,
                           check=check, env=self.env)

    # --- lifecycle ----------------------------------------------------------
    def master_pid(self):
        try:
            with open(os.path.join(self.queue, "pid", "master.pid")) as f:
                pid = int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            return None
        return pid if procs.alive(pid) else None

    def pids(self):
        m = self.master_pid()
        return [m] + procs.descendants(m) if m else []

    def start(self, timeout=15):
        if not self._written:
            self.write_config()
        p = self.postfix("start", check=False, timeout=timeout + 15)
        if p.returncode != 0:
            raise RuntimeError(f"{self.kind} start failed (exit {p.returncode}):\n"
                               f"{p.stdout}{p.stderr}\n--- maillog tail:\n{self.log_tail()}")
        self.started = True
        deadline = time.monotonic() + timeout
        while self.master_pid() is None:
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.kind}: no live master after start\n"
                                     f"{p.stdout}{p.stderr}\n{self.log_tail()}")
            time.sleep(0.05)
        if self.smtp_enabled:
            self.wait_for_port(self.port, deadline - time.monotonic())
        return self

    def listening(self, port):
        """True if a TCP socket in the instance's namespace listens on port
        (read from the master's /proc/PID/net/tcp*, which shows the master's
        network namespace; no probe connection, so nothing is logged)."""
        pid = self.master_pid()
        if pid is None:
            return False
        for table in ("tcp", "tcp6"):
            try:
                with open(f"/proc/{pid}/net/{table}") as f:
                    lines = f.read().splitlines()[1:]
            except OSError:
                continue
            for line in lines:
                f_ = line.split()
                if len(f_) > 3 and f_[3] == "0A" and int(f_[1].rsplit(":", 1)[1], 16) == port:
                    return True
        return False

    def wait_for_port(self, port, timeout=10):
        deadline = time.monotonic() + max(timeout, 0.1)
        while not self.listening(port):
            if time.monotonic() > deadline:
                raise AssertionError(f"port {port} not listening\n{self.log_tail()}")
            time.sleep(0.05)

    def reload(self):
        mark = self.log_mark()
        self.postfix("reload")
        return mark

    def stop(self, timeout=15):
        master = self.master_pid()
        if master is None:
            self.started = False
            return
        pids = self.pids()
        self.postfix("stop", check=False, timeout=timeout + 15)
        # "postfix stop" returns when master is gone; its children exit right
        # after.  Wait for every process the instance had.
        deadline = time.monotonic() + timeout
        while True:
            left = [p for p in pids if procs.alive(p)]
            if not left:
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.kind}: still running after stop: " +
                                     "; ".join(procs.describe(p) for p in left))
            time.sleep(0.05)
        self.started = False

    def teardown(self):
        """Stop gracefully if possible, then kill by pid whatever is left."""
        pids = self.pids()
        try:
            if self.master_pid() is not None:
                self.stop(timeout=10)
        except Exception:
            pass
        # Processes of this instance: the master's tree (already known), and any
        # process whose command line names this instance's directory.
        pids += self.pids()
        for p in procs.all_pids():
            try:
                with open(f"/proc/{p}/cmdline", "rb") as f:
                    cmd = f.read()
            except OSError:
                continue
            if (self.dir.encode() + b"/") in cmd and p != os.getpid():
                pids.append(p)
        left = procs.kill_pids(pids)
        if left:
            raise RuntimeError(f"{self.kind} instance left processes: " +
                               "; ".join(procs.describe(p) for p in left))

    # --- logs, files, queue ------------------------------------------------
    def maillog(self, since=0):
        """The maillog as text, from byte offset since (see log_mark())."""
        try:
            with open(self.maillog_path, "rb") as f:
                f.seek(since)
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def allow_log(self, regex):
        """Declare that log lines matching regex are expected (see problems())."""
        self.log_allow.append(re.compile(regex))

    def problems(self):
        """What must never happen unnoticed: panic/fatal log lines not allowed
        with allow_log(), and AddressSanitizer/UBSan reports.  The instance
        fixture fails the test at teardown when this is not empty."""
        out = []
        for line in self.maillog().splitlines():
            if re.search(r"\b(panic|fatal): ", line) and \
                    not any(rx.search(line) for rx in self.log_allow):
                out.append(f"maillog: {line}")
        try:
            names = sorted(os.listdir(self.dir))
        except OSError:
            names = []
        for n in names:
            if n.startswith(("asan.", "ubsan.")):
                with open(os.path.join(self.dir, n), errors="replace") as f:
                    out.append(f"{n}:\n{f.read()[:4000]}")
        return out

    def log_lines(self, regex=None, since=0):
        """Lines of the maillog (from byte offset since) matching regex."""
        rx = re.compile(regex) if regex else None
        return [line for line in self.maillog(since).splitlines()
                if rx is None or rx.search(line)]

    def log_tail(self, n=30):
        return "\n".join(self.maillog().splitlines()[-n:])

    def log_mark(self):
        try:
            return os.path.getsize(self.maillog_path)
        except OSError:
            return 0

    def wait_for_log(self, regex, timeout=10, since=0):
        """Wait until the maillog (from byte offset since) matches regex
        (re.M); return the match."""
        rx = re.compile(regex, re.M)
        deadline = time.monotonic() + timeout
        while True:
            text = self.maillog(since)
            m = rx.search(text)
            if m:
                return m
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.kind}: no log line matching {regex!r} within "
                                     f"{timeout}s; maillog tail:\n{self.log_tail()}")
            time.sleep(0.05)

    def wait_for_file(self, path, timeout=10, predicate=None):
        """Wait until path exists (and predicate(content_bytes) is true);
        return its content."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                with open(path, "rb") as f:
                    data = f.read()
                if predicate is None or predicate(data):
                    return data
            except FileNotFoundError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"{path}: not there (or predicate false) after {timeout}s;"
                                     f" maillog tail:\n{self.log_tail()}")
            time.sleep(0.05)

    def queue_listing(self):
        return self.postqueue("-p", check=False).stdout

    def wait_for_queue_empty(self, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            out = self.queue_listing()
            if "Mail queue is empty" in out:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"queue not empty after {timeout}s:\n{out}\n{self.log_tail()}")
            time.sleep(0.1)

    def mailbox_path(self, user):
        """The user's mbox file, or Maildir directory with maildir=True."""
        return os.path.join(self.spool, user)

    def maildir_messages(self, user):
        """[(path, bytes)] of the messages in the user's Maildir (new/ and
        cur/), oldest first by file name."""
        out = []
        for sub in ("new", "cur"):
            d = os.path.join(self.mailbox_path(user), sub)
            try:
                names = os.listdir(d)
            except FileNotFoundError:
                continue
            for n in names:
                with open(os.path.join(d, n), "rb") as f:
                    out.append((os.path.join(d, n), f.read()))
        return sorted(out, key=lambda t: os.path.basename(t[0]))

    def read_mailbox(self, user):
        """The user's mbox, or with maildir=True all Maildir messages joined."""
        if self.maildir:
            return b"".join(data for _, data in self.maildir_messages(user))
        try:
            with open(self.mailbox_path(user), "rb") as f:
                return f.read()
        except FileNotFoundError:
            return b""

    def wait_for_mail(self, user, regex=rb"\n\n", timeout=10):
        """Wait until the user's mailbox (mbox or Maildir) matches regex;
        return the mailbox content (bytes)."""
        rx = re.compile(regex if isinstance(regex, bytes) else regex.encode(), re.M)
        if not self.maildir:
            return self.wait_for_file(self.mailbox_path(user), timeout,
                                      predicate=lambda d: rx.search(d) is not None)
        deadline = time.monotonic() + timeout
        while True:
            data = self.read_mailbox(user)
            if rx.search(data):
                return data
            if time.monotonic() > deadline:
                raise AssertionError(f"Maildir of {user}: no match for {regex!r} after "
                                     f"{timeout}s; maillog tail:\n{self.log_tail()}")
            time.sleep(0.05)

    # --- clients --------------------------------------------------------------
    def smtp(self, **kw):
        return self.ns.smtp(self.listen, self.port, **kw)

    def swaks(self, *args, check=True, timeout=30):
        """Run swaks against the listener inside the namespace."""
        if shutil.which("swaks") is None:
            raise FileNotFoundError("swaks not installed")
        return self.ns.run(["swaks", "--server", self.listen, "--port", str(self.port),
                            *args], check=check, timeout=timeout)
