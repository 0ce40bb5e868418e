"""pytest fixtures for Postern's system tests (see tests/README.md).

Fixtures:
  netns      a fresh network namespace (lib.netns.NetNS), loopback only, torn
             down after the test: every process in it killed by pid, the
             namespace deleted; commands in it see hostname host.example.test
  dns        factory: dns(records=None, **kw) starts dnsmasq in `netns` with the
             given records (default: tests/fixtures/dns/example.test.json) and
             points the namespace's resolv.conf at it; returns lib.dns.DnsServer
  mailnet    `netns` with the default zone served (netns.dns is the server) and
             127.0.0.2 / 127.0.0.3 on lo: the usual setting for a mail test
  instance   factory: instance(kind="postfix"|"postern", **kw) -> lib.instance
             .Instance in `netns` (not started); skips when the binaries or the
             accounts from mk/testsetup.sh are missing; at teardown stops every
             instance and fails the test on panic/fatal log lines (unless
             inst.allow_log()ed) or sanitizer reports
  mta_kind   "postfix" then "postern": write a test once, run it against both
  test_ca    session-wide throwaway CA (lib.certs.TestCA)

Every fixture that needs root or a tool skips cleanly without it.  At session
start, namespaces left by earlier runs whose pytest process is gone are
removed; at session end, any namespace of this run that is still there is
reported, removed, and the run fails.
"""
import grp
import os
import pwd
import shutil
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from lib import netns as _netns  # noqa: E402
from lib.certs import TestCA  # noqa: E402
from lib.dns import DnsServer, load_zone  # noqa: E402
from lib.instance import Instance  # noqa: E402


def _is_root():
    return os.geteuid() == 0


def _require_ns_tools():
    if not _is_root():
        pytest.skip("system tests with network namespaces need root")
    for tool in ("ip", "unshare", "mount"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} not installed (iproute2 / util-linux)")


def _require_accounts():
    missing = []
    for u in ("postfix", "paco", "enrique"):
        try:
            pwd.getpwnam(u)
        except KeyError:
            missing.append(f"user {u}")
    try:
        grp.getgrnam("postdrop")
    except KeyError:
        missing.append("group postdrop")
    if missing:
        pytest.skip(f"missing {', '.join(missing)}: run mk/testsetup.sh as root")


def pytest_sessionstart(session):
    if _is_root() and shutil.which("ip"):
        _netns.sweep_stale()


def _leftover_namespaces():
    mine = f"{_netns.PREFIX}{os.getpid()}-"
    try:
        return sorted(n for n in os.listdir(_netns.NETNS_DIR) if n.startswith(mine))
    except FileNotFoundError:
        return []


def pytest_sessionfinish(session, exitstatus):
    if not _is_root():
        return
    left = _leftover_namespaces()
    if left:
        sys.stderr.write(f"\nconftest: namespaces left behind (now removed): {left}\n")
        for name in left:
            ns = _netns.NetNS(name=name)
            ns.created = True
            ns._st = os.stat(os.path.join(_netns.NETNS_DIR, name))
            ns._own_workdir = False
            try:
                ns.close()
            except RuntimeError as e:
                sys.stderr.write(f"conftest: {e}\n")
            _netns.remove_workdirs(name)
        session.exitstatus = 1


@pytest.fixture
def netns():
    _require_ns_tools()
    with _netns.NetNS(hostname="host.example.test") as ns:
        yield ns


@pytest.fixture
def dns(netns):
    if not DnsServer.available():
        pytest.skip("dnsmasq not installed (dnsmasq-base)")

    def start(records=None, **kw):
        if records is None:
            records = load_zone("example.test")
        return DnsServer(netns, records, **kw).start()

    return start


@pytest.fixture
def mailnet(netns, dns):
    for a in ("127.0.0.2", "127.0.0.3"):
        netns.add_address(a)
    netns.dns = dns()
    return netns


@pytest.fixture
def instance(netns):
    made = []

    def make(kind="postfix", **kw):
        why = Instance.available(kind, smtp=kw.get("smtp", True))
        if why:
            pytest.skip(why)
        _require_accounts()
        inst = Instance(netns, kind, **kw)
        made.append(inst)
        return inst

    yield make
    # Stop first: sanitizer reports (leaks) are written when processes exit.
    problems = []
    for inst in made:
        inst.teardown()
        problems += [f"[{inst.kind} {inst.dir}] {p}" for p in inst.problems()]
    if problems:
        pytest.fail("instance problems:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture(params=["postfix", "postern"])
def mta_kind(request):
    """Run a test once against Debian's Postfix and once against Postern
    (each skipped when its binaries are missing): instance(mta_kind)."""
    why = Instance.available(request.param)
    if why:
        pytest.skip(why)
    return request.param


@pytest.fixture(scope="session")
def test_ca(tmp_path_factory):
    if not TestCA.available():
        pytest.skip("openssl not installed")
    return TestCA(str(tmp_path_factory.mktemp("ca")))
