"""A test's own DNS: dnsmasq inside the test's network namespace.

dnsmasq (Debian's dnsmasq-base) runs in the foreground inside the namespace,
bound to one loopback address there (127.0.0.53 by default), with no upstream
servers, no /etc/hosts, no resolv.conf: it answers only from the records the
test gives, NXDOMAIN for every other name (test domains and outside names
alike, so a lookup of debian.org fails at once and nothing leaves the
machine).  The namespace's resolv.conf is pointed at it.

Records, as Python data -- either a list of (name, type, value) tuples or a
dict {name: {type: value-or-list-of-values}}:
  "A"     "127.0.0.1"                     "AAAA"  "::1"
  "MX"    (10, "mx.example.test") or "10 mx.example.test"; "0 ." is a null MX
  "TXT"   "v=spf1 -all"  (a tuple of strings = one record of several strings;
          one string longer than 255 bytes is split into 255-byte pieces)
  "PTR"   name is an address ("127.0.0.1") or a reverse name; value a host
  "CNAME" "target.example.test" (the target must be a name with records here)
  "SRV"   (priority, weight, port, "target.example.test"), name "_svc._tcp.dom"
In the dict form a list means several records; for TXT a tuple is one record.

A and AAAA records also give a PTR for the address (dnsmasq's host-record)
unless an explicit PTR for that address is listed (the explicit one wins), or
DnsServer(auto_ptr=False): then A/AAAA are served as raw records with no PTR;
the catch is that dnsmasq then answers NXDOMAIN instead of NODATA for other
types of a name that has nothing but A/AAAA records.

Interface:
  dns = DnsServer(ns, records, address="127.0.0.53", auto_ptr=True,
                  servfail=["broken.test"], timeout=["slow.test"])
                     # names under a servfail= domain get SERVFAIL (from a tiny
                     # responder on 127.0.0.54 that dnsmasq forwards them to);
                     # under a timeout= domain no answer at all, so resolvers
                     # time out (1 s with the namespace's resolv.conf)
  dns.start()        # ns.on_close(dns.stop) is registered; start() waits until
                     # it answers and points the namespace's resolv.conf at it
  dns.query(name, "MX", tcp=False) -> Answer(rcode, rcode_name, records)
                     # records: [(name, type, value)] with value like the input
                     # form (MX -> (pref, host), TXT -> tuple of str, SRV tuple)
  dns.log()          # dnsmasq's query log (text)
  dns.queried(name)  # True if the log shows a query for name
  dns.stop()         # kill dnsmasq by pid
  reverse_name(addr) # "1.0.0.127.in-addr.arpa"
  load_zone("example.test")  # records from tests/fixtures/dns/example.test.json

What can go wrong: dnsmasq missing (DnsServer.available() is False: tests
should skip); an invalid record raises ValueError before dnsmasq starts;
dnsmasq rejecting an option exits at once and start() raises with its stderr.
"""
import ipaddress
import os
import random
import socket
import struct
import time
import shutil
import subprocess
import sys
from collections import namedtuple

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16,
         "AAAA": 28, "SRV": 33, "ANY": 255}
TYPE_NAMES = {v: k for k, v in TYPES.items()}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}
DNSMASQ = "/usr/sbin/dnsmasq"

Answer = namedtuple("Answer", "rcode rcode_name records")

# Answers every UDP query with SERVFAIL (dnsmasq forwards the servfail=
# domains here and passes the SERVFAIL on).
_SERVFAIL_SERVER = """
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 53))
print("ready", flush=True)
while True:
    q, peer = s.recvfrom(4096)
    if len(q) < 12:
        continue
    flags = 0x8000 | (q[2] & 0x79) << 8 | 0x80 | 2    # QR, opcode+RD copied, RA, SERVFAIL
    s.sendto(q[:2] + flags.to_bytes(2, "big") + q[4:6] + bytes(6) + q[12:], peer)
"""


FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "fixtures", "dns")


def load_zone(name):
    """Records of tests/fixtures/dns/NAME.json as (name, type, value) tuples."""
    import json
    with open(os.path.join(FIXTURES, f"{name}.json")) as f:
        data = json.load(f)
    return [(n, t, tuple(v) if isinstance(v, list) else v) for n, t, v in data]


def reverse_name(addr):
    return ipaddress.ip_address(addr).reverse_pointer


def _hostname(name):
    name = str(name).rstrip(".")
    if not name or any(c in name for c in " ,/\\\"'\n\t#") or len(name) > 253:
        raise ValueError(f"dns: bad host name {name!r}")
    for label in name.split("."):
        if not label or len(label) > 63:
            raise ValueError(f"dns: bad host name {name!r}")
    return name


def _normalise(records):
    out = []
    if isinstance(records, dict):
        for name, types in records.items():
            for rtype, vals in types.items():
                if not isinstance(vals, list):
                    vals = [vals]
                for v in vals:
                    out.append((name, rtype.upper(), v))
    else:
        for r in records:
            if len(r) != 3:
                raise ValueError(f"dns: record {r!r} is not (name, type, value)")
            out.append((r[0], str(r[1]).upper(), r[2]))
    return out


def _txt_strings(value):
    parts = [value] if isinstance(value, (str, bytes)) else list(value)
    out = []
    for p in parts:
        b = p.encode() if isinstance(p, str) else bytes(p)
        if not b:
            out.append(b)
        while b:
            out.append(b[:255])
            b = b[255:]
    return out


def _dnsmasq_args(records, auto_ptr):
    """Translate records into dnsmasq config-file lines (the config file, not
    the command line, is where dnsmasq honours quotes and backslash escapes);
    raise ValueError on bad data."""
    args = []
    explicit_ptr = set()
    norm = _normalise(records)
    for name, rtype, value in norm:
        if rtype == "PTR":
            try:
                rev = reverse_name(name)
            except ValueError:
                rev = _hostname(name)
            explicit_ptr.add(rev)
            args.append(f"ptr-record={rev},{_hostname(value)}")
    for name, rtype, value in norm:
        if rtype in ("A", "AAAA"):
            host = _hostname(name)
            ip = ipaddress.ip_address(value)
            if (rtype == "A") != (ip.version == 4):
                raise ValueError(f"dns: {rtype} record for {name} with address {value}")
            if auto_ptr and ip.reverse_pointer not in explicit_ptr:
                args.append(f"host-record={host},{ip}")
            else:
                args.append(f"dns-rr={host},{TYPES[rtype]},{ip.packed.hex()}")
        elif rtype == "MX":
            if isinstance(value, str):
                pref, target = value.split()
            else:
                pref, target = value
            pref = int(pref)
            if not 0 <= pref <= 65535:
                raise ValueError(f"dns: MX preference {pref}")
            if target == ".":
                # A null MX (RFC 7505): dnsmasq's mx-host cannot say ".",
                # so the record goes out raw: preference, then the root.
                args.append(f"dns-rr={_hostname(name)},{TYPES['MX']},{pref:04x}00")
            else:
                args.append(f"mx-host={_hostname(name)},{_hostname(target)},{pref}")
        elif rtype == "TXT":
            quoted = []
            for s in _txt_strings(value):
                t = s.decode("utf-8")
                if "\0" in t or "\n" in t:
                    raise ValueError("dns: TXT strings cannot hold NUL or newline here")
                quoted.append('"' + t.replace("\\", "\\\\").replace('"', '\\"') + '"')
            args.append(f"txt-record={_hostname(name)}," + ",".join(quoted))
        elif rtype == "CNAME":
            args.append(f"cname={_hostname(name)},{_hostname(value)}")
        elif rtype == "SRV":
            prio, weight, port, target = value
            args.append(f"srv-host={_hostname(name)},{_hostname(target)},{int(port)},"
                        f"{int(prio)},{int(weight)}")
        elif rtype == "PTR":
            pass
        else:
            raise ValueError(f"dns: unsupported record type {rtype}")
    return args


# --- a tiny DNS client ------------------------------------------------------

def _encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            b = label.encode("idna") if not label.isascii() else label.encode()
            out += bytes([len(b)]) + b
    return out + b"\0"


def _decode_name(msg, off):
    labels, jumped, end, hops = [], False, None, 0
    while True:
        if off >= len(msg):
            raise ValueError("dns: name runs past the message")
        n = msg[off]
        if n & 0xC0 == 0xC0:
            if off + 1 >= len(msg):
                raise ValueError("dns: truncated pointer")
            if not jumped:
                end = off + 2
            off = ((n & 0x3F) << 8) | msg[off + 1]
            jumped = True
            hops += 1
            if hops > 64:
                raise ValueError("dns: compression loop")
            continue
        if n == 0:
            return ".".join(labels), (end if jumped else off + 1)
        labels.append(msg[off + 1:off + 1 + n].decode("ascii", "replace"))
        off += 1 + n


def _decode_rdata(msg, rtype, off, rdlen):
    rd = msg[off:off + rdlen]
    if rtype == 1:
        return str(ipaddress.IPv4Address(rd))
    if rtype == 28:
        return str(ipaddress.IPv6Address(rd))
    if rtype in (2, 5, 12):
        return _decode_name(msg, off)[0]
    if rtype == 15:   # the root (a null MX) reads as "."
        return (struct.unpack(">H", rd[:2])[0], _decode_name(msg, off + 2)[0] or ".")
    if rtype == 16:
        strings, i = [], 0
        while i < len(rd):
            n = rd[i]
            strings.append(rd[i + 1:i + 1 + n].decode("utf-8", "replace"))
            i += 1 + n
        return tuple(strings)
    if rtype == 33:
        prio, weight, port = struct.unpack(">HHH", rd[:6])
        return (prio, weight, port, _decode_name(msg, off + 6)[0])
    return rd


def parse_reply(msg, qid=None):
    """Decode a reply; ValueError (never another exception) if malformed."""
    try:
        return _parse_reply(msg, qid)
    except (struct.error, IndexError, ipaddress.AddressValueError) as e:
        raise ValueError(f"dns: malformed reply: {e}") from None


def _parse_reply(msg, qid):
    if len(msg) < 12:
        raise ValueError("dns: short reply")
    rid, flags, qd, an, _ns, _ar = struct.unpack(">HHHHHH", msg[:12])
    if qid is not None and rid != qid:
        raise ValueError("dns: reply id mismatch")
    off = 12
    for _ in range(qd):
        _, off = _decode_name(msg, off)
        off += 4
    recs = []
    for _ in range(an):
        name, off = _decode_name(msg, off)
        rtype, _cls, _ttl, rdlen = struct.unpack(">HHIH", msg[off:off + 10])
        off += 10
        if off + rdlen > len(msg):
            raise ValueError("dns: record data runs past the message")
        recs.append((name, TYPE_NAMES.get(rtype, str(rtype)),
                     _decode_rdata(msg, rtype, off, rdlen)))
        off += rdlen
    rcode = flags & 0xF
    return Answer(rcode, RCODES.get(rcode, str(rcode)), recs)


def query(sock_factory, server, name, qtype="A", tcp=False, timeout=2.0, port=53):
    """Ask server one question; sock_factory(family, type) makes the socket
    (NetNS.socket, so the query is sent inside the namespace)."""
    qid = random.randrange(65536)
    pkt = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + _encode_name(name) + \
        struct.pack(">HH", TYPES[qtype.upper()], 1)
    fam = socket.AF_INET6 if ":" in server else socket.AF_INET
    s = sock_factory(fam, socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM)
    try:
        s.settimeout(timeout)
        s.connect((server, port))
        if tcp:
            s.sendall(struct.pack(">H", len(pkt)) + pkt)
            buf = b""
            while len(buf) < 2 or len(buf) < 2 + struct.unpack(">H", buf[:2])[0]:
                chunk = s.recv(65535)
                if not chunk:
                    raise ValueError("dns: TCP reply truncated")
                buf += chunk
            msg = buf[2:]
        else:
            s.send(pkt)
            msg = s.recv(65535)
    finally:
        s.close()
    return parse_reply(msg, qid)


class DnsServer:
    def __init__(self, ns, records=(), address="127.0.0.53", auto_ptr=True, port=53,
                 servfail=(), timeout=(), servfail_address="127.0.0.54"):
        self.ns = ns
        self.address = address
        self.port = port
        self.conf_lines = _dnsmasq_args(records, auto_ptr)
        self.servfail_address = servfail_address
        self.servfail = [_hostname(d) for d in servfail]
        for d in self.servfail:
            self.conf_lines.append(f"server=/{d}/{servfail_address}")
        # Nothing listens on port 9 (discard) here: dnsmasq waits for ever and
        # the resolver times out (resolv.conf: timeout:1 attempts:1).
        for d in timeout:
            self.conf_lines.append(f"server=/{_hostname(d)}/127.0.0.1#9")
        self.proc = None
        self.servfail_proc = None
        self.log_path = os.path.join(ns.workdir, f"dnsmasq-{address}.log")
        self.err_path = os.path.join(ns.workdir, f"dnsmasq-{address}.err")
        self.conf_path = os.path.join(ns.workdir, f"dnsmasq-{address}.conf")

    @staticmethod
    def available():
        return os.access(DNSMASQ, os.X_OK) or shutil.which("dnsmasq") is not None

    def command(self):
        exe = DNSMASQ if os.access(DNSMASQ, os.X_OK) else shutil.which("dnsmasq")
        return [exe, f"--conf-file={self.conf_path}", "--keep-in-foreground", "--no-daemon",
                "--no-resolv", "--no-hosts", "--no-poll", "--pid-file=", "--user=root",
                "--group=root", f"--listen-address={self.address}", "--bind-interfaces",
                f"--port={self.port}", "--local=/#/", "--log-queries",
                f"--log-facility={self.log_path}"]

    def start(self, timeout=5.0):
        if self.address not in self.ns.addresses():
            self.ns.add_address(self.address)
        with open(self.conf_path, "w") as f:
            f.write("# records of this test (lib/dns.py)\n")
            f.write("".join(line + "\n" for line in self.conf_lines))
        self.ns.on_close(self.stop)
        if self.servfail:
            self._start_servfail()
        err = open(self.err_path, "w")
        self.proc = self.ns.popen(self.command(), stdout=err, stderr=err)
        err.close()
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"dnsmasq exited {self.proc.returncode}: {self._stderr()}")
            try:
                self.query("localhost", "A", timeout=0.2)
                break
            except (OSError, ValueError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"dnsmasq not answering: {self._stderr()}")
                time.sleep(0.05)
        if self.port == 53:
            self.ns.set_resolv([self.address])
        return self

    def _start_servfail(self):
        if self.servfail_address not in self.ns.addresses():
            self.ns.add_address(self.servfail_address)
        self.servfail_proc = self.ns.popen(
            [sys.executable, "-c", _SERVFAIL_SERVER, self.servfail_address],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        if self.servfail_proc.stdout.readline().strip() != "ready":
            raise RuntimeError("SERVFAIL responder did not start")

    def _stderr(self):
        try:
            with open(self.err_path) as f:
                return f.read()[-2000:]
        except OSError:
            return ""

    def query(self, name, qtype="A", tcp=False, timeout=2.0):
        return query(self.ns.socket, self.address, name, qtype, tcp=tcp, timeout=timeout,
                     port=self.port)

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def queried(self, name):
        name = name.rstrip(".").lower()
        for line in self.log().splitlines():
            f = line.split()
            for i, w in enumerate(f):
                if w.startswith("query[") and i + 1 < len(f) and f[i + 1].lower() == name:
                    return True
        return False

    def stop(self):
        from . import procs
        for p in (self.proc, self.servfail_proc):
            if p is not None and p.poll() is None:
                procs.kill_pids([p.pid], reap=lambda pid, p=p: p.poll())
                p.wait(timeout=5)
