"""A private network namespace for one system test.

Every system test runs its instance inside a network namespace it creates:
loopback only (no other interface, so no packet can leave the machine), lo
brought up, optional extra addresses on lo (127.0.0.2, 192.0.2.x, 10.x,
2001:db8::x ...; they exist only inside the namespace).  Commands started
through the namespace also get a private mount namespace in which the test's
own resolv.conf and hosts file are bind-mounted over /etc/resolv.conf and
/etc/hosts, so name lookups go to the test's DNS server (lib/dns.py) only.

Interface:
  ns = NetNS(addresses=("127.0.0.2",), hosts={"127.0.0.1": ["localhost"]},
             hostname=None)      # a name: commands also get a private UTS
                                 # namespace in which gethostname() returns it
  with ns:                       # or ns.create() ... ns.close()
    ns.name                      # "pst-<pid>-<n>"
    ns.add_address("192.0.2.25") # /32 (/128 for IPv6) on lo unless a prefix is given
    ns.set_resolv(["127.0.0.53"], search=["example.test"])
    ns.set_hosts({"127.0.0.1": ["localhost"], "::1": ["localhost"]})
    ns.wrap(argv)                -> argv that runs argv inside the namespace
    ns.run(argv, check=True, timeout=30, input=None, env=None)
                                 -> subprocess.CompletedProcess (text, captured)
    ns.popen(argv, **popen_kw)   -> subprocess.Popen, remembered and killed by
                                    pid at close() if still running
    ns.python(code, *args)       -> CompletedProcess of "python3 -c code args"
    ns.resolve(name)             -> list of addresses, via getent ahosts in the ns
    ns.socket(family, type)      -> a socket created inside the namespace
    ns.connect(host, port, timeout=10, source_address=None)
                                 -> connected TCP socket (a name is resolved
                                    inside the namespace first)
    ns.smtp(host, port=25, local_hostname="client.test", tls_hostname=None, **kw)
                                 -> smtplib.SMTP connected from inside; tls_hostname
                                    is the name starttls() verifies (default: host)
    ns.smtp_ssl(host, port=465, **kw), ns.lmtp(host, port, **kw) likewise
    ns.call_inside(fn)           -> fn() run on a thread inside the namespace
    ns.on_close(fn)              # run fn() first at close() (instances, DNS)
    ns.pids()                    -> live pids inside the namespace
    ns.close()                   -> on_close functions, tracked processes, then
                                    every process still in the namespace (by
                                    pid); delete it; raise if anything survived
  sweep_stale(), remove_workdirs(name)   # leftovers of dead runs

How it works: commands run as
  ip netns exec NAME unshare --mount --propagation private \
      sh -c 'mount --bind R /etc/resolv.conf && mount --bind H /etc/hosts && exec "$@"'
(the pid returned by popen is the pid of the final program, since each step
execs the next).  Python sockets are created by a short-lived thread that
setns(2)s into the namespace; a socket stays in the namespace it was created
in, so the test thread itself never changes namespace.  Name resolution never
happens in the test process (its resolver would read the host's resolv.conf):
non-numeric hosts are resolved by getent inside the namespace.

What can go wrong: needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN); a missing `ip`
or `unshare` raises at create(); /etc/resolv.conf and /etc/hosts must exist
on the host (they are mount points, never modified).  Namespaces left by a
killed test run are removed by sweep_stale() (only those whose creating pid
is gone).  Set PST_KEEP=1 to keep each namespace's work directory (configs,
logs, mailboxes of its instances) after the test for inspection.
"""
import ctypes
import ipaddress
import itertools
import os
import re
import shlex
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading

from . import procs

CLONE_NEWNET = 0x40000000
NETNS_DIR = "/run/netns"
PREFIX = "pst-"
_counter = itertools.count(1)
_libc = None


def _setns(fd):
    global _libc
    if hasattr(os, "setns"):
        os.setns(fd, CLONE_NEWNET)
        return
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        e = ctypes.get_errno()
        raise OSError(e, f"setns: {os.strerror(e)}")


def _ip(*args, check=True):
    p = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)
    if check and p.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: exit {p.returncode}: {p.stderr.strip()}")
    return p


def sweep_stale():
    """Delete pst-PID-N namespaces (and their work directories) whose
    creating process no longer exists, after killing (by pid) whatever still
    runs in them."""
    removed = []
    try:
        names = os.listdir(NETNS_DIR)
    except FileNotFoundError:
        names = []
    for name in names:
        parts = name.split("-")
        if not name.startswith(PREFIX) or len(parts) != 3 or not parts[1].isdigit():
            continue
        if procs.alive(int(parts[1])):
            continue
        try:
            st = os.stat(os.path.join(NETNS_DIR, name))
            procs.kill_pids(procs.pids_in_netns(st))
        except OSError:
            pass
        _ip("netns", "delete", name, check=False)
        removed.append(name)
    # Work directories of dead runs, once nothing can write into them.
    if not os.environ.get("PST_KEEP"):
        tmp = tempfile.gettempdir()
        for d in os.listdir(tmp):
            m = re.fullmatch(r"pst-(\d+)-\d+\.\w+", d)
            if m and not procs.alive(int(m.group(1))):
                shutil.rmtree(os.path.join(tmp, d), ignore_errors=True)
    return removed


def remove_workdirs(name):
    """Remove the work directories tempfile made for namespace name (unless
    PST_KEEP is set)."""
    if os.environ.get("PST_KEEP"):
        return
    tmp = tempfile.gettempdir()
    for d in os.listdir(tmp):
        if d.startswith(name + "."):
            shutil.rmtree(os.path.join(tmp, d), ignore_errors=True)


class _NsSMTPMixin:
    """smtplib client whose socket is created inside a namespace."""

    def _get_socket(self, host, port, timeout):
        if timeout is socket._GLOBAL_DEFAULT_TIMEOUT:
            timeout = 30
        if timeout is not None and not timeout:
            raise ValueError("Non-blocking socket (timeout=0) is not supported")
        sock = self._pst_ns.connect(host, port, timeout=timeout,
                                    source_address=self.source_address)
        return self._pst_wrap(sock, host)

    def _pst_wrap(self, sock, host):
        return sock

    def connect(self, host="localhost", port=0, source_address=None):
        reply = super().connect(host, port, source_address=source_address)
        if self._pst_tls_hostname:
            self._host = self._pst_tls_hostname    # what starttls() verifies
        return reply


class NsSMTP(_NsSMTPMixin, smtplib.SMTP):
    def __init__(self, ns, host="", port=0, local_hostname="client.test", tls_hostname=None,
                 **kw):
        self._pst_ns = ns
        self._pst_tls_hostname = tls_hostname
        super().__init__(host, port, local_hostname=local_hostname, **kw)


class NsSMTP_SSL(_NsSMTPMixin, smtplib.SMTP_SSL):
    def __init__(self, ns, host="", port=0, local_hostname="client.test", tls_hostname=None,
                 **kw):
        self._pst_ns = ns
        self._pst_tls_hostname = tls_hostname
        super().__init__(host, port, local_hostname=local_hostname, **kw)

    def _pst_wrap(self, sock, host):
        return self.context.wrap_socket(sock, server_hostname=self._pst_tls_hostname or host)


class NsLMTP(_NsSMTPMixin, smtplib.LMTP):
    def __init__(self, ns, host="", port=smtplib.LMTP_PORT, local_hostname="client.test",
                 tls_hostname=None, **kw):
        self._pst_ns = ns
        self._pst_tls_hostname = tls_hostname
        super().__init__(host, port, local_hostname=local_hostname, **kw)


class NetNS:
    def __init__(self, addresses=(), hosts=None, resolv=None, workdir=None, name=None,
                 hostname=None):
        self.name = name or f"{PREFIX}{os.getpid()}-{next(_counter)}"
        if hostname is not None and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9.-]{0,62}",
                                                     hostname):
            raise ValueError(f"netns: bad hostname {hostname!r}")
        self.hostname = hostname
        self._addresses = list(addresses)
        self._hosts = hosts
        self._resolv = resolv
        self._own_workdir = workdir is None
        self.workdir = workdir
        self.resolv_path = None
        self.hosts_path = None
        self._procs = []
        self._cleanups = []
        self._st = None
        self.created = False

    # --- lifecycle -------------------------------------------------------
    def create(self):
        for tool in ("ip", "unshare", "mount"):
            if shutil.which(tool) is None:
                raise RuntimeError(f"netns: {tool} not found in PATH")
        if os.path.exists(os.path.join(NETNS_DIR, self.name)):
            # Same pid and counter as a crashed earlier run: stale by definition.
            procs.kill_pids(procs.pids_in_netns(os.stat(os.path.join(NETNS_DIR, self.name))))
            _ip("netns", "delete", self.name, check=False)
        if self.workdir is None:
            self.workdir = tempfile.mkdtemp(prefix=f"{self.name}.")
        os.chmod(self.workdir, 0o755)
        self.resolv_path = os.path.join(self.workdir, "resolv.conf")
        self.hosts_path = os.path.join(self.workdir, "hosts")
        _ip("netns", "add", self.name)
        self.created = True
        try:
            self._st = os.stat(os.path.join(NETNS_DIR, self.name))
            _ip("-n", self.name, "link", "set", "lo", "up")
            for a in self._addresses:
                self.add_address(a)
            self.set_resolv(self._resolv or [])
            self.set_hosts(self._hosts)
        except BaseException:
            self.close()
            raise
        return self

    def __enter__(self):
        if not self.created:
            self.create()
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def on_close(self, fn):
        """Run fn() at close(), before the namespace's processes are killed
        (last registered runs first)."""
        self._cleanups.append(fn)

    def close(self):
        errors = []
        while self._cleanups:
            fn = self._cleanups.pop()
            try:
                fn()
            except Exception as e:  # keep tearing down; report at the end
                errors.append(f"cleanup {fn!r}: {e}")
        for p in self._procs:
            if p.poll() is None:
                procs.kill_pids([p.pid], reap=lambda pid, p=p: p.poll())
            try:
                p.wait(timeout=2)
            except subprocess.TimeoutExpired:
                errors.append(f"pid {p.pid} did not exit")
            for f in (p.stdout, p.stderr, p.stdin):
                if f is not None:
                    f.close()
        self._procs = []
        if self.created:
            left = procs.kill_pids(self.pids())
            if left:
                errors.append("still running: " + "; ".join(procs.describe(p) for p in left))
            r = _ip("netns", "delete", self.name, check=False)
            if r.returncode != 0 and os.path.exists(os.path.join(NETNS_DIR, self.name)):
                errors.append(f"ip netns delete {self.name}: {r.stderr.strip()}")
            self.created = False
        if self._own_workdir and self.workdir and os.path.isdir(self.workdir):
            if os.environ.get("PST_KEEP"):
                sys.stderr.write(f"netns {self.name}: kept {self.workdir} (PST_KEEP set)\n")
            else:
                shutil.rmtree(self.workdir, ignore_errors=True)
        if errors:
            raise RuntimeError(f"netns {self.name} teardown: " + " | ".join(errors))

    # --- configuration ---------------------------------------------------
    def add_address(self, addr):
        if "/" in addr:
            iface = ipaddress.ip_interface(addr)
        else:
            ip = ipaddress.ip_address(addr)
            iface = ipaddress.ip_interface(f"{ip}/{ip.max_prefixlen}")
        args = ["-n", self.name, "addr", "add", str(iface), "dev", "lo"]
        if iface.version == 6:
            args.append("nodad")
        r = _ip(*args, check=False)
        if r.returncode != 0 and "File exists" not in r.stderr:
            raise RuntimeError(f"ip {' '.join(args)}: {r.stderr.strip()}")

    def addresses(self):
        r = _ip("-n", self.name, "-o", "addr", "show", "dev", "lo")
        out = []
        for line in r.stdout.splitlines():
            f = line.split()
            if len(f) > 3 and f[2] in ("inet", "inet6"):
                out.append(f[3].split("/")[0])
        return out

    def set_resolv(self, nameservers, search=(), options=("timeout:1", "attempts:1")):
        lines = [f"# resolv.conf of test namespace {self.name}"]
        if search:
            lines.append("search " + " ".join(search))
        for ns in nameservers:
            lines.append(f"nameserver {ns}")
        if options:
            lines.append("options " + " ".join(options))
        with open(self.resolv_path, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.chmod(self.resolv_path, 0o644)

    def set_hosts(self, hosts=None):
        if hosts is None:
            hosts = {"127.0.0.1": ["localhost"], "::1": ["localhost"]}
        with open(self.hosts_path, "w") as f:
            f.write(f"# hosts of test namespace {self.name}\n")
            for addr, names in hosts.items():
                if isinstance(names, str):
                    names = [names]
                f.write(f"{addr}\t{' '.join(names)}\n")
        os.chmod(self.hosts_path, 0o644)

    # --- running commands ------------------------------------------------
    def wrap(self, argv):
        if isinstance(argv, str):
            raise TypeError("argv must be a list, not a string")
        script = (f"mount --bind {shlex.quote(self.resolv_path)} /etc/resolv.conf && "
                  f"mount --bind {shlex.quote(self.hosts_path)} /etc/hosts && "
                  'exec "$@"')
        uts = []
        if self.hostname:
            uts = ["--uts"]
            script = f"hostname {self.hostname} && " + script
        return ["ip", "netns", "exec", self.name, "unshare", "--mount", *uts, "--propagation",
                "private", "sh", "-c", script, "sh"] + [str(a) for a in argv]

    def run(self, argv, check=True, timeout=30, input=None, env=None, cwd=None):
        p = subprocess.run(self.wrap(argv), capture_output=True, text=True, errors="replace",
                           timeout=timeout, input=input, env=env, cwd=cwd)
        if check and p.returncode != 0:
            raise RuntimeError(f"in {self.name}: {' '.join(map(str, argv))}: exit "
                               f"{p.returncode}\nstdout: {p.stdout}\nstderr: {p.stderr}")
        return p

    def popen(self, argv, **kw):
        kw.setdefault("stdin", subprocess.DEVNULL)
        p = subprocess.Popen(self.wrap(argv), **kw)
        self._procs.append(p)
        return p

    def python(self, code, *args, check=True, timeout=30):
        return self.run([sys.executable, "-c", code, *args], check=check, timeout=timeout)

    def resolve(self, name, family=None):
        """Addresses of name as seen inside the namespace (getent ahosts)."""
        db = {None: "ahosts", socket.AF_INET: "ahostsv4", socket.AF_INET6: "ahostsv6"}[family]
        p = self.run(["getent", db, name], check=False, timeout=15)
        out = []
        for line in p.stdout.splitlines():
            a = line.split()[0] if line.split() else ""
            if a and a not in out:
                out.append(a)
        return out

    def pids(self):
        if not self.created:
            return []
        return procs.pids_in_netns(self._st)

    # --- sockets from the test process ----------------------------------
    def call_inside(self, fn):
        """Run fn() on a short-lived thread that has entered the namespace;
        return its result.  Use only for creating sockets."""
        box = {}

        def worker():
            try:
                fd = os.open(os.path.join(NETNS_DIR, self.name), os.O_RDONLY)
                try:
                    _setns(fd)
                finally:
                    os.close(fd)
                box["v"] = fn()
            except BaseException as e:  # re-raised in the caller
                box["e"] = e

        t = threading.Thread(target=worker, name=f"setns-{self.name}")
        t.start()
        t.join()
        if "e" in box:
            raise box["e"]
        return box["v"]

    def socket(self, family=socket.AF_INET, type=socket.SOCK_STREAM, proto=0):
        return self.call_inside(lambda: socket.socket(family, type, proto))

    def _addrinfo(self, host, port):
        try:
            return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                      flags=socket.AI_NUMERICHOST)
        except socket.gaierror:
            pass
        addrs = self.resolve(host)
        if not addrs:
            raise OSError(f"{host}: not found in namespace {self.name}")
        out = []
        for a in addrs:
            out += socket.getaddrinfo(a, port, type=socket.SOCK_STREAM,
                                      flags=socket.AI_NUMERICHOST)
        return out

    def connect(self, host, port, timeout=10, source_address=None):
        err = None
        for family, stype, proto, _, addr in self._addrinfo(host, port):
            s = self.socket(family, stype, proto)
            try:
                if timeout is not None:
                    s.settimeout(timeout)
                if source_address:
                    s.bind(source_address)
                s.connect(addr)
                return s
            except OSError as e:
                err = e
                s.close()
        raise err

    def smtp(self, host="127.0.0.1", port=25, **kw):
        return NsSMTP(self, host, port, **kw)

    def smtp_ssl(self, host="127.0.0.1", port=465, **kw):
        return NsSMTP_SSL(self, host, port, **kw)

    def lmtp(self, host="127.0.0.1", port=24, **kw):
        return NsLMTP(self, host, port, **kw)
