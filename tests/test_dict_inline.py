"""inline: tables with braces in values, against Debian's Postfix 3.7.

A braced value keeps its braces in Postfix (inline:{k={450 4.2.0 text}}
maps k to "{450 4.2.0 text}"); a value with spaces and no braces is
written by bracing the whole element (inline:{{k = 450 4.2.0 text}}).
postmap -q of both implementations must print the same answer and exit
the same way.  Skips when Postfix is not installed.
"""
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.abspath(os.environ.get("POSTERN_BIN", os.path.join(ROOT, "build", "bin")))
POSTERN_POSTMAP = os.path.join(BIN, "postmap")
POSTFIX_POSTMAP = "/usr/sbin/postmap"

CASES = [
    ("inline:{k={450 4.2.0 text}}", "k", "{450 4.2.0 text}"),
    ("inline:{{k={450 4.2.0 text}}}", "k", "{450 4.2.0 text}"),
    ("inline:{{k = 450 4.2.0 text}}", "k", "450 4.2.0 text"),
    ("inline:{k={ a b }}", "k", "{ a b }"),
    ("inline:{k={a b}, j=2}", "j", "2"),
    ("inline:{k={a b}x}", "k", "{a b}x"),
    ("inline:{k=a{b}c}", "k", "a{b}c"),
    ("inline:{k = {a b}}", "k", None),
    ("inline:{k={a} b}", "k", None),
]


def postmap(exe, work, key, table):
    p = subprocess.run([exe, "-c", str(work), "-q", key, table], cwd=work, capture_output=True,
                       text=True, timeout=30)
    return p.returncode, p.stdout


@pytest.fixture
def work(tmp_path):
    cf = tmp_path / "main.cf"
    cf.write_text("compatibility_level = 3.6\nmyhostname = t.example\n")
    os.utime(cf, (0, 0))  # Postfix waits a second on a main.cf changed just now
    return tmp_path


@pytest.mark.parametrize("table,key,want", CASES)
def test_inline_braces(work, table, key, want):
    if not os.access(POSTERN_POSTMAP, os.X_OK):
        pytest.fail(f"{POSTERN_POSTMAP} is not built (run make)")
    got = postmap(POSTERN_POSTMAP, work, key, table)
    if want is None:
        assert got[0] == 1 and got[1] == "", got
    else:
        assert got == (0, want + "\n")
    if os.access(POSTFIX_POSTMAP, os.X_OK):
        assert got == postmap(POSTFIX_POSTMAP, work, key, table)
