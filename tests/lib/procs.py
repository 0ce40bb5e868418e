"""Find and end processes by pid, for test teardown.

Interface:
  alive(pid)                 -> True while pid exists and is not a zombie
  proc_state(pid)            -> one-letter state from /proc/PID/stat, or None
  parent_of(pid)             -> ppid or None
  descendants(pid)           -> pids of every live descendant of pid
  pids_in_netns(st)          -> live pids whose network namespace is the one
                                whose os.stat() result is st
  kill_pids(pids, timeout)   -> SIGTERM each pid, wait up to timeout seconds,
                                SIGKILL what is left, wait again; returns the
                                pids that are still alive (should be empty)
  describe(pid)              -> "pid (comm) cmdline" for diagnostics

Processes are always named by pid, never by program name, so a test can
never end a process it did not start.  What can go wrong: a pid can exit (and
in theory be reused) between listing and signalling; every read of /proc
tolerates the process being gone, and signals to a vanished pid are ignored.
"""
import os
import signal
import time


def proc_state(pid):
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    # comm is in parentheses and may itself contain ") "; split at the last one.
    rest = data[data.rfind(b")") + 2:]
    return rest[:1].decode("ascii", "replace") or None


def alive(pid):
    st = proc_state(pid)
    return st is not None and st not in ("Z", "X")


def parent_of(pid):
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    fields = data[data.rfind(b")") + 2:].split()
    try:
        return int(fields[1])
    except (IndexError, ValueError):
        return None


def all_pids():
    out = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            out.append(int(name))
    return out


def descendants(pid):
    children = {}
    for p in all_pids():
        pp = parent_of(p)
        if pp is not None:
            children.setdefault(pp, []).append(p)
    out, todo = [], [pid]
    while todo:
        cur = todo.pop()
        for c in children.get(cur, []):
            if c not in out and alive(c):
                out.append(c)
                todo.append(c)
    return out


def pids_in_netns(st):
    out = []
    for p in all_pids():
        try:
            s = os.stat(f"/proc/{p}/ns/net")
        except OSError:
            continue
        if (s.st_dev, s.st_ino) == (st.st_dev, st.st_ino) and alive(p):
            out.append(p)
    return out


def describe(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            comm = f.read().strip()
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmd = f.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
    except OSError:
        return f"{pid} (gone)"
    return f"{pid} ({comm}) {cmd}"


def _signal(pid, sig):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass
    except PermissionError:
        pass


def _wait_gone(pids, timeout, reap):
    deadline = time.monotonic() + timeout
    while True:
        for p in pids:
            reap(p)
        left = [p for p in pids if alive(p)]
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.02)


def _reap_if_child(pid):
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    except OSError:
        pass


def kill_pids(pids, timeout=3.0, reap=_reap_if_child):
    pids = [p for p in dict.fromkeys(pids) if p != os.getpid() and alive(p)]
    if not pids:
        return []
    for p in pids:
        _signal(p, signal.SIGTERM)
    left = _wait_gone(pids, timeout, reap)
    for p in left:
        _signal(p, signal.SIGKILL)
    return _wait_gone(left, 2.0, reap)
