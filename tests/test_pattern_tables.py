"""Pattern tables (regexp, pcre, cidr): Postern's postmap -q against Debian's.

Every table under tests/pattern_tables/NAME.TYPE is queried with each key
listed in NAME.TYPE.keys (or NAME.keys), one key per line with Python
escapes (\\n, \\t, \\xNN).  For every key, build/bin/postmap -q KEY TYPE:FILE
must give the same standard output, the same warnings and the same exit
status as /usr/sbin/postmap -c SCRATCH -q KEY TYPE:FILE.

Two warnings that Postfix's postmap adds for an empty result ("empty string
result is not allowed", "should return NO RESULT") come from the command,
not the table, and are left out of the comparison.

POSTERN_POSTMAP overrides the binary under test.  Tests skip when Debian's
Postfix (or its pcre map) or Postern's postmap is missing.
"""
import codecs
import os
import re
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "tests", "pattern_tables")
POSTFIX_POSTMAP = "/usr/sbin/postmap"
POSTFIX_POSTCONF = "/usr/sbin/postconf"
POSTERN_POSTMAP = os.environ.get("POSTERN_POSTMAP", os.path.join(ROOT, "build", "bin", "postmap"))
TYPES = ("regexp", "pcre", "cidr")

# Lines that Postfix's postmap itself adds when a table returns "".
COMMAND_NOISE = re.compile(
    rb"^postmap: warning: table \S+: key .*: empty string result is not allowed$"
    rb"|^postmap: warning: table \S+ should return NO RESULT in case of NOT FOUND$"
)


def fixture_cases():
    cases = []
    for name in sorted(os.listdir(FIXTURES)):
        base, _, ext = name.rpartition(".")
        if ext not in TYPES:
            continue
        keys = os.path.join(FIXTURES, name + ".keys")
        if not os.path.exists(keys):
            keys = os.path.join(FIXTURES, base + ".keys")
        with open(keys, encoding="ascii") as f:
            for lineno, line in enumerate(f.read().split("\n")[:-1], 1):
                key = codecs.decode(line, "unicode_escape").encode("latin-1")
                cases.append(pytest.param(ext, name, key, id=f"{name}:{lineno}"))
    return cases


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    if not os.path.exists(POSTFIX_POSTCONF) or not os.path.exists(POSTFIX_POSTMAP):
        pytest.skip("Debian's Postfix is not installed")
    if not os.access(POSTERN_POSTMAP, os.X_OK):
        pytest.skip(f"{POSTERN_POSTMAP} is not built")
    d = tmp_path_factory.mktemp("postfix-conf")
    (d / "main.cf").write_text("")
    types = subprocess.run([POSTFIX_POSTCONF, "-c", str(d), "-m"], capture_output=True).stdout
    return str(d), types.decode().split()


def postmap(argv, conf):
    p = subprocess.run(argv, capture_output=True, timeout=30, env=dict(os.environ, MAIL_CONFIG=conf))
    err = b"\n".join(l for l in p.stderr.splitlines() if not COMMAND_NOISE.match(l))
    # Postfix's postmap prints an empty line for an empty result; ours may too.
    return p.stdout, err, p.returncode


def query(binary, conf, key, spec):
    return postmap([binary, "-c", conf, "-q", key, spec], conf)


@pytest.mark.parametrize("table_type,name,key", fixture_cases())
def test_same_answer_as_postfix(scratch, tmp_path, table_type, name, key):
    conf, postfix_types = scratch
    if table_type not in postfix_types:
        pytest.skip(f"Debian's Postfix has no {table_type} map (install postfix-{table_type})")
    # Copy the table so that both see the same, short path in their messages.
    table = tmp_path / name
    with open(os.path.join(FIXTURES, name), "rb") as f:
        table.write_bytes(f.read())
    spec = f"{table_type}:{table}"
    want = query(POSTFIX_POSTMAP, conf, key, spec)
    got = query(POSTERN_POSTMAP, conf, key, spec)
    assert got[2] == want[2], f"exit status: got {got[2]}, want {want[2]}"
    assert got[0] == want[0], f"output: got {got[0]!r}, want {want[0]!r}"
    assert got[1].decode(errors="replace").splitlines() == \
        want[1].decode(errors="replace").splitlines(), "warnings differ"


def fixture_tables():
    out = []
    for name in sorted(os.listdir(FIXTURES)):
        base, _, ext = name.rpartition(".")
        if ext in TYPES:
            keys = os.path.join(FIXTURES, name + ".keys")
            if not os.path.exists(keys):
                keys = os.path.join(FIXTURES, base + ".keys")
            out.append(pytest.param(ext, name, keys, id=name))
    return out


@pytest.mark.parametrize("table_type,name,keys", fixture_tables())
def test_many_keys_in_one_process(scratch, tmp_path, table_type, name, keys):
    """postmap -q - : one open, many lookups (results must not leak into each other)."""
    conf, postfix_types = scratch
    if table_type not in postfix_types:
        pytest.skip(f"Debian's Postfix has no {table_type} map")
    table = tmp_path / name
    with open(os.path.join(FIXTURES, name), "rb") as f:
        table.write_bytes(f.read())
    with open(keys, encoding="ascii") as f:
        lines = [codecs.decode(l, "unicode_escape").encode("latin-1")
                 for l in f.read().split("\n")[:-1]]
    stdin = b"".join(k + b"\n" for k in lines if b"\n" not in k and k.strip())
    spec = f"{table_type}:{table}"
    results = []
    for binary in (POSTFIX_POSTMAP, POSTERN_POSTMAP):
        p = subprocess.run([binary, "-c", conf, "-q", "-", spec], input=stdin,
                           capture_output=True, timeout=30)
        err = [l for l in p.stderr.splitlines() if not COMMAND_NOISE.match(l)]
        results.append((p.returncode, p.stdout, err))
    assert results[1] == results[0], f"got {results[1]!r}, want {results[0]!r}"


INLINE = [
    "regexp:{{/^[^A-Z]/ Bogus}}",                  # smtpd_forbidden_commands' default
    "regexp:{ {/x/ one}, {/y/ two} }",
    "pcre:{ {/x/ one}, {/y/ two} }",
    "cidr:{ {10.0.0.0/8 ten}, {1.2.3.4 one} }",
    "regexp:{ {/x/ one, two} }",                   # a comma inside the braces is text
    "regexp:{ {/x/ {one} } }",                     # only one level of braces goes
    "regexp:{ {/x/ one}, {/x/ two}, {} }",
    "regexp:{ /x/ one }",                          # no braces around the rule
    "regexp:{ {/x/ one} junk }",
    "regexp:{ {/x/ one }",                         # unbalanced
    "pcre:{ {/(/ one} }",                          # a rule that does not compile
]


@pytest.mark.parametrize("spec", INLINE)
def test_inline_tables(scratch, spec):
    """Postfix 3.7's inline form TYPE:{ {rule}, {rule} }: the same answers,
    warnings and errors for every key."""
    conf, postfix_types = scratch
    if spec.split(":")[0] not in postfix_types:
        pytest.skip(f"Debian's Postfix has no {spec.split(':')[0]} map")
    for key in (b"x", b"y", b"1.2.3.4", b"10.1.1.1", b"1abc", b"GET"):
        want = query(POSTFIX_POSTMAP, conf, key, spec)
        got = query(POSTERN_POSTMAP, conf, key, spec)
        assert got == want, f"{spec} {key!r}: got {got!r}, want {want!r}"


@pytest.mark.parametrize("table_type", TYPES)
def test_missing_file(scratch, tmp_path, table_type):
    conf, postfix_types = scratch
    if table_type not in postfix_types:
        pytest.skip(f"Debian's Postfix has no {table_type} map")
    spec = f"{table_type}:{tmp_path}/nonexistent"
    want = query(POSTFIX_POSTMAP, conf, b"x", spec)
    got = query(POSTERN_POSTMAP, conf, b"x", spec)
    assert got[2] == want[2] != 0, f"exit status: got {got[2]}, want {want[2]}"
    assert got[1] == want[1], f"stderr: got {got[1]!r}, want {want[1]!r}"


# --- random tables --------------------------------------------------------
#
# Small tables assembled from valid and broken pieces (delimiters, flags,
# negations, $n references, IF/ENDIF, CIDR quirks), with a fixed seed so a
# failure can be reproduced.  This is how the "/p1/!/p2/" form and the
# backslash-as-delimiter rule were found.

RX_ATOMS = ["a", "b", "ab", ".", ".*", "(a)", "(b)?", "(a|b)", "[ab]", "\\", "\\/", "(", ")", "[",
            "{1}", "{", "^", "$", "+", "*", "?", "|", "A", "\\d", "(?:a)", "(?<n>b)", " ", "#", "!",
            "/", "\\|"]
RX_RESULTS = ["r", "$1", "${1}", "$(1)", "$$", "$", "$2", "$0", "${", "$a", "x y", "", "$1$2",
              "${1}x", " ", "$11", "$$1", "${}"]
RX_FLAGS = ["", "", "", "i", "x", "m", "s", "A", "E", "U", "X", "q", "ix", "mm"]
RX_DELIMS = ["/", "/", "/", "|", "#", "x", '"', "!", "\\"]
RX_KEYS = ["a", "b", "ab", "A", "ba", "", "x", "a/b", "(a)", "aab", "bb", "q", "e\n", "a\nb"]
CIDR_NETS = ["1.2.3.4", "1.2.3.0/24", "10.0.0.0/8", "0.0.0.0/0", "::/0", "::1", "[::1]",
             "2001:db8::/32", "[2001:db8::]/32", "1.2.3.4/33", "1.2.3.4/", "01.2.3.4", "1.2.3.4/8",
             "::ffff:1.2.3.4", "1.2.3.x", "[1.2.3.4", "1.2.3.4/0x8", "128.0.0.0/1", "1.2.3.4/32",
             "fe80::/10", "[::]/0", "2001:db8::1/64", "1.2.3.4/08"]
CIDR_KEYS = ["1.2.3.4", "10.1.1.1", "::1", "2001:db8::5", "::ffff:1.2.3.4", "128.1.1.1",
             "fe80::1", "x", "1.2.3.5", "0.0.0.0"]


def random_rx_pattern(rnd):
    d = rnd.choice(RX_DELIMS)
    body = "".join(rnd.choice(RX_ATOMS) for _ in range(rnd.randint(0, 4)))
    end = d if rnd.random() < 0.93 else ""
    return rnd.choice(["", "", "", "!", "!!", "! "]) + d + body + end + rnd.choice(RX_FLAGS)


def random_rx_line(rnd):
    r = rnd.random()
    if r < 0.08:
        return "if " + random_rx_pattern(rnd) + (" extra" if rnd.random() < 0.2 else "")
    if r < 0.15:
        return rnd.choice(["endif", "ENDIF", "endif x", "endif/", "Endif"])
    if r < 0.18:
        return rnd.choice(["ifx /a/ r", "garbage", "  cont", "# comment", "", "   ", "\tb"])
    if r < 0.25:
        return random_rx_pattern(rnd) + "!" + random_rx_pattern(rnd) + " " + rnd.choice(RX_RESULTS)
    return random_rx_pattern(rnd) + rnd.choice([" ", " ", "\t", ""]) + rnd.choice(RX_RESULTS)


def random_cidr_line(rnd):
    r = rnd.random()
    if r < 0.1:
        return "if " + rnd.choice(["", "!", "! "]) + rnd.choice(CIDR_NETS)
    if r < 0.17:
        return rnd.choice(["endif", "ENDIF", "endif x", "endif!"])
    if r < 0.2:
        return rnd.choice(["garbage r", "  cont", "# c", "", "ifx 1.2.3.4", "!"])
    return (rnd.choice(["", "", "", "!", "!!", "! "]) + rnd.choice(CIDR_NETS)
            + rnd.choice([" r", "\tres x", "", " v"]))


@pytest.mark.parametrize("table_type", TYPES)
def test_random_tables_match_postfix(scratch, tmp_path, table_type):
    import random

    conf, postfix_types = scratch
    if table_type not in postfix_types:
        pytest.skip(f"Debian's Postfix has no {table_type} map")
    rnd = random.Random(f"pattern-tables-{table_type}")
    line = random_cidr_line if table_type == "cidr" else random_rx_line
    keys = CIDR_KEYS if table_type == "cidr" else RX_KEYS
    table = tmp_path / f"random.{table_type}"
    failures = []
    for n in range(40):
        text = "\n".join(line(rnd) for _ in range(rnd.randint(1, 8)))
        text += "\n" if rnd.random() < 0.9 else ""
        table.write_text(text)
        for key in rnd.sample(keys, 3):
            spec = f"{table_type}:{table}"
            want = query(POSTFIX_POSTMAP, conf, key.encode(), spec)
            got = query(POSTERN_POSTMAP, conf, key.encode(), spec)
            if got != want:
                failures.append(f"table #{n} {text!r} key {key!r}:\n got  {got!r}\n want {want!r}")
    assert not failures, "\n".join(failures[:3])
