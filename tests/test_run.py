"""The README's run command: mk/run.sh (what `make run` calls) starts a
self-contained instance in the foreground under ./run/, a first message sent
with ./run/sendmail lands in ./run/mail/, SMTP answers on 127.0.0.1:2525, and
Ctrl-C stops everything.  Run from a scratch directory (mk/ copied there), so
a developer's own ./run/ is never touched, inside the test's namespace."""
import os
import shutil
import signal
import subprocess
import time

import pytest

from lib import procs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")


def _wait(pred, timeout, what):
    deadline = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < deadline, what()
        time.sleep(0.1)


def test_make_run_starts_delivers_and_stops(netns, tmp_path):
    if not os.access(os.path.join(BUILD, "bin", "master"), os.X_OK):
        pytest.skip("master not built")
    shutil.copytree(os.path.join(ROOT, "mk"), tmp_path / "mk")
    os.chmod(tmp_path, 0o755)
    out = open(tmp_path / "out", "w")
    p = netns.popen(["sh", "mk/run.sh", BUILD], cwd=tmp_path, stdout=out,
                    stderr=subprocess.STDOUT, start_new_session=True)
    run = tmp_path / "run"
    log = lambda: (tmp_path / "out").read_text() + (  # noqa: E731
        (run / "maillog").read_text() if (run / "maillog").exists() else "")
    pid_file = run / "queue" / "pid" / "master.pid"

    def master():
        try:
            pid = int(pid_file.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None
        return pid if procs.alive(pid) else None

    try:
        _wait(lambda: master() is not None, 30, log)
        text = (tmp_path / "out").read_text()
        assert "./run/sendmail root" in text, text
        netns.run([str(run / "sendmail"), "root"], input="Subject: hello\n\nfirst message\n")
        _wait(lambda: (run / "mail" / "root").exists()
              and b"first message" in (run / "mail" / "root").read_bytes(), 20, log)
        q = netns.run([str(run / "mailq")])
        assert "Mail queue is empty" in q.stdout, q.stdout
        if os.access(os.path.join(BUILD, "bin", "smtpd"), os.X_OK):
            r = netns.python(
                "import smtplib\n"
                "s = smtplib.SMTP('127.0.0.1', 2525)\n"
                "s.sendmail('me@example.org', ['root@localhost'], 'Subject: x\\n\\nvia smtp\\n')\n"
                "s.quit()\n")
            assert r.returncode == 0, r.stderr
            _wait(lambda: b"via smtp" in (run / "mail" / "root").read_bytes(), 20, log)
        kids = [master()] + procs.descendants(master())
        os.killpg(p.pid, signal.SIGINT)
        p.wait(timeout=30)
        _wait(lambda: not any(procs.alive(k) for k in kids), 20,
              lambda: "left running: " + "; ".join(procs.describe(k) for k in kids
                                                   if procs.alive(k)))
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
        m = master()
        assert not procs.kill_pids([m] + procs.descendants(m) if m else [])
        out.close()
