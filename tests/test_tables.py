"""Lookup tables: Postern's postmap/postalias against Debian's Postfix 3.7.

Tables built by Postfix must be read by Postern with the same answers and exit
codes, and the other way round; both must print the same warnings for the same
source files, and fail the same way on the same mistakes.  Every comparison
runs the two programs side by side in one scratch directory with its own
main.cf (never /etc/postfix).  Tests that need Debian's Postfix skip when it
is not installed; the rest check Postern on its own.
"""
import os
import re
import shutil
import subprocess
import threading

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "tests", "tables")
BIN = os.path.abspath(os.environ.get("POSTERN_BIN", os.path.join(ROOT, "build", "bin")))
POSTERN = {"postmap": os.path.join(BIN, "postmap"), "postalias": os.path.join(BIN, "postalias")}
POSTFIX = {"postmap": "/usr/sbin/postmap", "postalias": "/usr/sbin/postalias"}
HAVE_POSTFIX = os.path.exists("/usr/sbin/postconf") and os.path.exists(POSTFIX["postmap"])
FILE_TYPES = ["hash", "btree", "lmdb", "cdb"]
SUFFIX = {"hash": ".db", "btree": ".db", "lmdb": ".lmdb", "cdb": ".cdb"}

need_postfix = pytest.mark.skipif(not HAVE_POSTFIX, reason="Debian's Postfix is not installed")


@pytest.fixture(autouse=True)
def _built():
    for path in POSTERN.values():
        if not os.access(path, os.X_OK):
            pytest.fail(f"{path} is not built (run make)")


@pytest.fixture
def work(tmp_path):
    """A scratch directory holding main.cf; commands run inside it."""
    (tmp_path / "main.cf").write_text("compatibility_level = 3.6\nmyhostname = tables.example\n")
    os.chmod(tmp_path, 0o755)
    return tmp_path


def run(impl, prog, work, *args, stdin=None, user=None):
    """Run postmap/postalias of one implementation; returns (rc, stdout, stderr)."""
    exe = (POSTERN if impl == "postern" else POSTFIX)[prog]
    cmd = [exe, "-c", str(work)] + list(args)
    if user:
        cmd = ["runuser", "-u", user, "--"] + cmd
    p = subprocess.run(cmd, cwd=work, input=stdin, capture_output=True, text=True, timeout=60,
                       errors="replace")
    return p.returncode, p.stdout, p.stderr


def norm_err(text):
    """Stderr without the parts that legitimately differ (Debian's package hint)."""
    text = re.sub(r"\. Is the postfix-\S+ package installed\?", "", text)
    return text


def copy_fixture(work, name, dest=None):
    dest = dest or name
    shutil.copy(os.path.join(FIXTURES, name), work / dest)
    return dest


def source_entries(path):
    """What postmap should store: key -> value, per the documented syntax."""
    entries = {}
    logical = []
    for raw in open(path, encoding="utf-8").read().split("\n"):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if raw[0].isspace():
            if logical:
                logical[-1] += raw
            continue
        logical.append(raw)
    for line in logical:
        line = line.rstrip()
        parts = re.split(r"[ \t\r\n]+", line, maxsplit=1)
        if len(parts) < 2 or not parts[1]:
            continue
        key = parts[0].lower()
        entries.setdefault(key, parts[1])
    return entries


QUERY_KEYS = ["foo@example.com", "FOO@EXAMPLE.COM", "Foo@Example.COM", "postmaster@example.com",
              "info@example.com", "multi@example.com", "tabbed@example.com",
              "trailing@example.com", "dup@example.com", "@example.org", "long@example.com",
              "utf8@example.com", "this-line-has-no-value", "missing@example.com", "dave",
              "example.com"]


# --- building and querying: Postern against Postfix ---------------------------------------

@need_postfix
@pytest.mark.parametrize("maptype", FILE_TYPES)
def test_cross_build_and_query(work, maptype):
    """A table built by either implementation answers the same in both."""
    for builder in ("postern", "postfix"):
        d = work / builder
        d.mkdir()
        shutil.copy(work / "main.cf", d / "main.cf")
        copy_fixture(d, "virtual")
    rc_a, _, err_a = run("postern", "postmap", work / "postern", f"{maptype}:virtual")
    rc_b, _, err_b = run("postfix", "postmap", work / "postfix", f"{maptype}:virtual")
    assert (rc_a, norm_err(err_a)) == (rc_b, norm_err(err_b)), "build warnings differ"
    assert rc_a == 0
    for builder in ("postern", "postfix"):
        d = work / builder
        for key in QUERY_KEYS:
            got = run("postern", "postmap", d, "-q", key, f"{maptype}:virtual")
            want = run("postfix", "postmap", d, "-q", key, f"{maptype}:virtual")
            assert got == want, f"{maptype} built by {builder}, key {key}: got {got}, want {want}"
    # Both builders stored the same answers.
    for key in QUERY_KEYS:
        a = run("postern", "postmap", work / "postern", "-q", key, f"{maptype}:virtual")
        b = run("postern", "postmap", work / "postfix", "-q", key, f"{maptype}:virtual")
        assert a == b, f"key {key}: Postern-built {a}, Postfix-built {b}"


@need_postfix
@pytest.mark.parametrize("maptype", ["hash", "btree", "lmdb"])
def test_dump_matches_postfix(work, maptype):
    """postmap -s lists the same entries, in the same order, for the same file."""
    copy_fixture(work, "virtual")
    assert run("postern", "postmap", work, f"{maptype}:virtual")[0] == 0
    got = run("postern", "postmap", work, "-s", f"{maptype}:virtual")
    want = run("postfix", "postmap", work, "-s", f"{maptype}:virtual")
    assert got == want
    assert got[0] == 0 and got[1].count("\n") == len(source_entries(work / "virtual"))


@need_postfix
@pytest.mark.parametrize("maptype", ["hash", "btree"])
def test_berkeley_db_files_identical(work, maptype):
    """Same DB type, page and hash settings, nulls: db_dump cannot tell them apart."""
    if not shutil.which("db_dump"):
        pytest.skip("db_dump (db-util) not installed")
    copy_fixture(work, "virtual", "a")
    copy_fixture(work, "virtual", "b")
    run("postern", "postmap", work, f"{maptype}:a")
    run("postfix", "postmap", work, f"{maptype}:b")
    dump_a = subprocess.run(["db_dump", "-p", "a.db"], cwd=work, capture_output=True, text=True)
    dump_b = subprocess.run(["db_dump", "-p", "b.db"], cwd=work, capture_output=True, text=True)
    assert dump_a.returncode == 0, dump_a.stderr
    assert dump_a.stdout == dump_b.stdout
    assert " foo@example.com\\00" in dump_a.stdout     # keys carry the null byte


@need_postfix
def test_cdb_files_identical(work):
    copy_fixture(work, "virtual", "a")
    copy_fixture(work, "virtual", "b")
    run("postern", "postmap", work, "cdb:a")
    run("postfix", "postmap", work, "cdb:b")
    assert (work / "a.cdb").read_bytes() == (work / "b.cdb").read_bytes()
    assert not (work / "a.cdb.tmp").exists()


@need_postfix
def test_lmdb_single_file_no_lock_file(work):
    copy_fixture(work, "virtual")
    run("postern", "postmap", work, "lmdb:virtual")
    run("postern", "postmap", work, "-q", "dave", "lmdb:virtual")
    names = sorted(os.listdir(work))
    assert names == ["main.cf", "virtual", "virtual.lmdb"]


@need_postfix
@pytest.mark.parametrize("flag,nulls", [("-n", False), ("-N", True)])
def test_null_byte_conventions(work, flag, nulls):
    """-n / -N tables are read by both, whichever wrote them."""
    copy_fixture(work, "virtual", "a")
    copy_fixture(work, "virtual", "b")
    run("postern", "postmap", work, flag, "a")
    run("postfix", "postmap", work, flag, "b")
    if shutil.which("db_dump"):
        dump = subprocess.run(["db_dump", "-p", "a.db"], cwd=work, capture_output=True,
                              text=True).stdout
        assert ("\\00" in dump) == nulls
    for table in ("a", "b"):
        for impl in ("postern", "postfix"):
            assert run(impl, "postmap", work, "-q", "postmaster@example.com", table) == \
                (0, "root\n", "")


@need_postfix
@pytest.mark.parametrize("opts", [[], ["-r"], ["-w"], ["-f"]])
def test_build_options_match(work, opts):
    """-r replaces duplicates, -w keeps the first silently, -f keeps case."""
    for impl in ("postern", "postfix"):
        copy_fixture(work, "virtual", impl)
        rc, _, err = run(impl, "postmap", work, *opts, impl)
        assert rc == 0
        (work / f"{impl}.err").write_text(err.replace(impl, "X"))
    assert (work / "postern.err").read_text() == (work / "postfix.err").read_text()
    for key in ["dup@example.com", "DUP@example.com", "Foo@Example.COM", "foo@example.com"]:
        a = run("postern", "postmap", work, *[o for o in opts if o == "-f"], "-q", key, "postern")
        b = run("postfix", "postmap", work, *[o for o in opts if o == "-f"], "-q", key, "postfix")
        assert a == b, f"{opts} key {key}"


@need_postfix
def test_query_stdin(work):
    copy_fixture(work, "virtual")
    run("postfix", "postmap", work, "virtual")
    keys = "\n".join(QUERY_KEYS) + "\n"
    got = run("postern", "postmap", work, "-q", "-", "virtual", stdin=keys)
    want = run("postfix", "postmap", work, "-q", "-", "virtual", stdin=keys)
    assert got == want
    assert "\t" in got[1]
    none = "nothing\nhere\n"
    assert run("postern", "postmap", work, "-q", "-", "virtual", stdin=none) == \
        run("postfix", "postmap", work, "-q", "-", "virtual", stdin=none)


@need_postfix
@pytest.mark.parametrize("maptype", ["hash", "btree", "lmdb"])
def test_delete_and_incremental(work, maptype):
    """-d, -d - and -i give the same tables and exit codes."""
    results = {}
    for impl in ("postern", "postfix"):
        copy_fixture(work, "virtual", impl)
        t = f"{maptype}:{impl}"
        steps = [
            run(impl, "postmap", work, t),
            run(impl, "postmap", work, "-d", "dave", t),
            run(impl, "postmap", work, "-d", "dave", t),
            run(impl, "postmap", work, "-d", "-", t, stdin="info@example.com\nnope\n"),
            run(impl, "postmap", work, "-d", "-", t, stdin="nope\n"),
            run(impl, "postmap", work, "-i", t, stdin="New k\nDAVE again\n  continued\nbad\n"),
            run(impl, "postmap", work, "-r", "-i", t, stdin="new replaced\n"),
        ]
        results[impl] = ([(rc, out, err.replace(impl, "X")) for rc, out, err in steps],
                         sorted(run("postfix", "postmap", work, "-s", t)[1].splitlines()))
    assert results["postern"] == results["postfix"]


@need_postfix
@pytest.mark.parametrize("table,key", [
    ("texthash:virtual", "info@example.com"),
    ("texthash:virtual", "DUP@example.com"),
    ("texthash:virtual", "missing"),
    ("inline:{a=b, { c = d e }, f=g}", "C"),
    ("inline:{a=b, { c = d e }, f=g}", "x"),
    ("inline:{a=b,a=c}", "a"),
    ("inline:{{a=b},x=y}", "x"),
    ("inline:{a=b", "a"),
    ("inline:{a}", "a"),
    ("inline:{}", "a"),
    ("inline:a=b", "a"),
    ("inline:{ }", "a"),
    ("inline:{{}}", "a"),
    ("inline:{ a = b }", "a"),
    ("inline:{a==b}", "a"),
    ("inline:{a=b}{c=d}", "a"),
    ("static:hello", "anything"),
    ("static:{ hello world }", "x"),
    ("static:{a", "x"),
    ("static:{ }", "x"),
    ("inline:{a=}", "a"),
    ("unix:passwd.byname", "root"),
    ("unix:passwd.byname", "NOBODY"),
    ("unix:passwd.byname", "no-such-user-here"),
    ("unix:group.byname", "root"),
    ("unix:group.byname", "nogroup"),
    ("unix:nosuch.byname", "root"),
    ("environ:x", "tables_test_var"),
    ("environ:x", "TABLES_TEST_VAR"),
    ("environ:", "x"),
    ("regexp:regexp", "joe@example.com"),
    ("regexp:regexp", "admin@x"),
    ("regexp:regexp", "x@y"),
    ("cidr:cidr", "10.1.2.3"),
    ("cidr:cidr", "192.168.1.1"),
    ("cidr:cidr", "2001:db8::1"),
    ("cidr:cidr", "172.16.0.1"),
    ("nosuchtype:x", "a"),
    ("hash:missing-table", "a"),
    ("lmdb:missing-table", "a"),
    ("cdb:missing-table", "a"),
    ("texthash:missing-table", "a"),
])
def test_query_types(work, table, key):
    """postmap -q on every non-file type: same answer, exit code and message."""
    copy_fixture(work, "virtual")
    copy_fixture(work, "regexp")
    copy_fixture(work, "cidr")
    os.environ["tables_test_var"] = "env value"
    try:
        got = run("postern", "postmap", work, "-q", key, table)
        want = run("postfix", "postmap", work, "-q", key, table)
    finally:
        del os.environ["tables_test_var"]
    assert (got[0], got[1]) == (want[0], want[1]), f"got {got}, want {want}"
    assert norm_err(got[2]) == norm_err(want[2])


@need_postfix
@pytest.mark.parametrize("key", ["joe@example.com", "admin@x", "x@y", "ADMIN@x"])
def test_pcre_matches_postfix_regexp(work, key):
    """Debian's Postfix here lacks postfix-pcre: the same patterns as regexp are the reference."""
    copy_fixture(work, "regexp")
    got = run("postern", "postmap", work, "-q", key, "pcre:regexp")
    want = run("postfix", "postmap", work, "-q", key, "regexp:regexp")
    assert got == want


@need_postfix
def test_fail_table(work):
    got = run("postern", "postmap", work, "-q", "x", "fail:reason")
    want = run("postfix", "postmap", work, "-q", "x", "fail:reason")
    assert got[0] == want[0] == 1
    prefix = "postmap: fatal: table fail:reason: query error: "
    assert got[2].startswith(prefix) and want[2].startswith(prefix)


@need_postfix
@pytest.mark.parametrize("args", [
    [],
    ["-q", "x"],
    ["-Z", "virtual"],
    ["-q", "a", "-d", "b", "virtual"],
    ["-s", "-q", "a", "virtual"],
    ["missing-source"],
    ["hash:missing-source"],
    ["foo:virtual"],
    ["texthash:virtual"],
    ["inline:{a=b}"],
    ["-s", "missing-table"],
    ["-s", "static:x"],
    ["-d", "x", "static:x"],
    ["-s", "fail:x"],
])
def test_postmap_errors(work, args):
    """Same exit code and same fatal message for the same mistake."""
    copy_fixture(work, "virtual")
    got = run("postern", "postmap", work, *args)
    want = run("postfix", "postmap", work, *args)
    assert got[0] == want[0], f"got {got}, want {want}"
    g = norm_err(got[2]).splitlines()
    w = norm_err(want[2]).splitlines()
    if "fail:x" in args:    # Postfix's text ends with a stray errno text
        g, w = [x.split(": sequence error")[0] for x in g], [x.split(": sequence error")[0] for x in w]
    assert g[-1] == w[-1], f"got {got}, want {want}"


@need_postfix
def test_syntax_error_reported_and_rest_built(work):
    """A line without a value: same warning (file and line), same exit status, the rest kept."""
    (work / "bad").write_text("a 1\nbroken\nb 2\n  lead\n")
    (work / "bad2").write_text("a 1\nbroken\nb 2\n  lead\n")
    got = run("postern", "postmap", work, "bad")
    want = run("postfix", "postmap", work, "bad2")
    assert (got[0], got[2]) == (want[0], want[2].replace("bad2", "bad"))
    assert "bad, line 2: expected format: key whitespace value" in got[2]
    assert run("postern", "postmap", work, "-s", "bad")[1] == \
        run("postfix", "postmap", work, "-s", "bad2")[1]


@need_postfix
def test_leading_whitespace_first_line(work):
    (work / "lead").write_text("  lead v\nz y\n")
    got = run("postern", "postmap", work, "lead")
    want = run("postfix", "postmap", work, "lead")
    assert got == want


@need_postfix
def test_permissions_and_owner_as_root(work):
    """Root builds as the source file's owner; the table gets the source's mode (-p: 0644)."""
    if os.geteuid() != 0:
        pytest.skip("needs root")
    d = work / "shared"
    d.mkdir()
    os.chmod(d, 0o1777)
    for impl in ("postern", "postfix"):
        for opt in ([], ["-p"], ["-o"]):
            name = f"{impl}{''.join(opt)}".replace("-", "_")
            copy_fixture(d, "virtual", name)
            os.chmod(d / name, 0o640)
            os.chown(d / name, 65534, 65534)
            rc, _, err = run(impl, "postmap", work, *opt, f"shared/{name}")
            assert rc == 0, err
    for opt in ("", "_p", "_o"):
        a = os.stat(d / f"postern{opt}.db")
        b = os.stat(d / f"postfix{opt}.db")
        assert (a.st_uid, a.st_gid, a.st_mode) == (b.st_uid, b.st_gid, b.st_mode), opt


@need_postfix
def test_unreadable_table_and_source(work):
    """As an unprivileged user: unreadable table and source, same exit code and message."""
    if os.geteuid() != 0:
        pytest.skip("needs root")
    copy_fixture(work, "virtual")
    run("postfix", "postmap", work, "virtual")
    os.chmod(work / "virtual.db", 0o600)
    os.chmod(work / "virtual", 0o600)
    got = run("postern", "postmap", work, "-q", "dave", "virtual", user="nobody")
    want = run("postfix", "postmap", work, "-q", "dave", "virtual", user="nobody")
    assert got == want
    got = run("postern", "postmap", work, "virtual", user="nobody")
    want = run("postfix", "postmap", work, "virtual", user="nobody")
    assert got == want


@need_postfix
@pytest.mark.parametrize("message", ["message", "message-noheader", "virtual"])
@pytest.mark.parametrize("opts", [["-h"], ["-b"], ["-h", "-b"]])
def test_header_body_checks(work, message, opts):
    """postmap -h/-b -q - applies tables to message headers/body as Postfix does."""
    copy_fixture(work, "header_checks")
    copy_fixture(work, message)
    text = (work / message).read_text()
    got = run("postern", "postmap", work, *opts, "-q", "-", "regexp:header_checks", stdin=text)
    want = run("postfix", "postmap", work, *opts, "-q", "-", "regexp:header_checks", stdin=text)
    assert got == want


@need_postfix
@pytest.mark.parametrize("text", ["", "\n", "x\n", "From: a\n", "From: a\n\n\n",
                                  "From: a\nnot header\nSubject: spam\n",
                                  " leading continuation\nSubject: spam\n",
                                  "Subject: spam\r\n\r\nbody text\r\n",
                                  "X-Foo: a\n\tb\n\tc\n", "Subject:spam\n\nno newline"])
def test_header_body_checks_edges(work, text):
    copy_fixture(work, "header_checks")
    got = run("postern", "postmap", work, "-h", "-b", "-q", "-", "regexp:header_checks",
              stdin=text)
    want = run("postfix", "postmap", work, "-h", "-b", "-q", "-", "regexp:header_checks",
               stdin=text)
    assert got == want


@need_postfix
def test_header_checks_need_query_stdin(work):
    copy_fixture(work, "header_checks")
    got = run("postern", "postmap", work, "-h", "-q", "x", "regexp:header_checks")
    want = run("postfix", "postmap", work, "-h", "-q", "x", "regexp:header_checks")
    assert got == want


@need_postfix
@pytest.mark.parametrize("maptype", ["hash", "lmdb", "cdb"])
def test_base64_file_values(work, maptype):
    """-F: values name files, stored base64-encoded and printed decoded (TLS SNI maps)."""
    (work / "f1").write_text("hello\n")
    (work / "f2").write_bytes(b"wor\x00ld")
    (work / "f3").write_bytes(bytes(range(256)))
    (work / "sni").write_text("a f1, f2\nb f1 f2\nc f3\nd missing-file\ne f1\n")
    (work / "b64").write_text("ok aGVsbG8gd29ybGQ=\nbad !!notbase64\nshort aGk\n")
    results = {}
    for impl in ("postern", "postfix"):
        shutil.copy(work / "sni", work / f"sni-{impl}")
        shutil.copy(work / "b64", work / f"b64-{impl}")
        t = f"{maptype}:sni-{impl}"
        b = f"{maptype}:b64-{impl}"
        steps = [run(impl, "postmap", work, "-F", t),
                 run(impl, "postmap", work, b)]
        for args in (["-s", t], ["-F", "-s", t], ["-F", "-q", "a", t], ["-F", "-q", "c", t],
                     ["-F", "-q", "ok", b], ["-F", "-q", "bad", b], ["-F", "-q", "nope", b]):
            if maptype == "cdb" and "-s" in args:
                continue
            steps.append(run(impl, "postmap", work, *args))
        results[impl] = [(rc, out, err.replace(impl, "X")) for rc, out, err in steps]
    assert results["postern"] == results["postfix"]


# --- Postern on its own ---------------------------------------------------------------

@pytest.mark.parametrize("maptype", FILE_TYPES)
def test_round_trip(work, maptype):
    """build -> -s -> the entries the source file defines, nothing else."""
    copy_fixture(work, "virtual")
    rc, _, err = run("postern", "postmap", work, f"{maptype}:virtual")
    assert rc == 0, err
    rc, out, err = run("postern", "postmap", work, "-s", f"{maptype}:virtual")
    assert rc == 0, err
    got = dict(line.split("\t", 1) for line in out.splitlines())
    assert got == source_entries(work / "virtual")
    assert not (work / f"virtual{SUFFIX[maptype]}.tmp").exists()


def test_round_trip_texthash_and_inline(work):
    copy_fixture(work, "virtual")
    rc, out, _ = run("postern", "postmap", work, "-s", "texthash:virtual")
    assert rc == 0
    assert dict(line.split("\t", 1) for line in out.splitlines()) == \
        source_entries(work / "virtual")
    rc, out, _ = run("postern", "postmap", work, "-s", "inline:{a=1, { b = 2 3 }}")
    assert (rc, sorted(out.splitlines())) == (0, ["a\t1", "b\t2 3"])


def test_default_type_from_main_cf(work):
    (work / "main.cf").write_text("default_database_type = cdb\n")
    copy_fixture(work, "virtual")
    assert run("postern", "postmap", work, "virtual")[0] == 0
    assert (work / "virtual.cdb").exists() and not (work / "virtual.db").exists()
    assert run("postern", "postmap", work, "-q", "dave", "virtual") == (1, "", "")
    assert run("postern", "postmap", work, "-q", "info@example.com", "virtual")[1] == \
        "alice, bob,        carol    dave\n"


def test_missing_main_cf_is_fatal(tmp_path):
    p = subprocess.run([POSTERN["postmap"], "-c", str(tmp_path), "-q", "a", "static:x"],
                       capture_output=True, text=True)
    assert p.returncode == 1
    assert "main.cf" in p.stderr


@pytest.mark.parametrize("maptype", ["hash", "lmdb", "cdb"])
def test_readers_never_see_a_partial_table(work, maptype):
    """Queries during repeated rebuilds always find the key (old or new value)."""
    big = "".join(f"key{i} value{i}-OLD\n" for i in range(20000))
    (work / "big").write_text(big)
    assert run("postern", "postmap", work, f"{maptype}:big")[0] == 0
    failures = []
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            rc, out, err = run("postern", "postmap", work, "-q", "key19999", f"{maptype}:big")
            if rc != 0 or out not in ("value19999-OLD\n", "value19999-NEW\n"):
                failures.append((rc, out, err))

    t = threading.Thread(target=reader)
    t.start()
    try:
        for round_ in range(6):
            tag = "NEW" if round_ % 2 == 0 else "OLD"
            (work / "big").write_text(big.replace("-OLD", f"-{tag}"))
            rc, _, err = run("postern", "postmap", work, f"{maptype}:big")
            assert rc == 0, err
    finally:
        stop.set()
        t.join()
    assert failures == []


def test_interrupted_build_keeps_old_table(work):
    """A rebuild that fails before the rename leaves the old table answering."""
    (work / "t").write_text("a 1\n")
    assert run("postern", "postmap", work, "t")[0] == 0
    # An unwritable temporary file makes the rebuild fail before anything is replaced.
    os.mkdir(work / "t.db.tmp")
    rc, _, err = run("postern", "postmap", work, "t")
    assert rc == 1 and "t.db.tmp" in err
    assert run("postern", "postmap", work, "-q", "a", "t") == (0, "1\n", "")


def test_huge_key_and_value(work):
    key = "k" * 100000
    (work / "h").write_text(f"{key} {'v' * 200000}\nsmall x\n")
    assert run("postern", "postmap", work, "h")[0] == 0
    rc, out, _ = run("postern", "postmap", work, "-q", key, "h")
    assert (rc, len(out)) == (0, 200001)
    rc, _, err = run("postern", "postmap", work, "lmdb:h")
    assert rc == 1 and "longer than" in err     # LMDB keys are limited: a clear error


def test_postconf_m_order():
    """dict_type_list order is Postfix's (alphabetical), restricted to what Postern has."""
    if not HAVE_POSTFIX:
        pytest.skip("Debian's Postfix is not installed")
    out = subprocess.run(["/usr/sbin/postconf", "-c", FIXTURES, "-m"], capture_output=True,
                         text=True).stdout.split()
    assert out == sorted(out)


# --- postalias ------------------------------------------------------------------------

def alias_dump(impl, work, table):
    rc, out, err = run(impl, "postalias", work, "-s", table)
    assert rc == 0, err
    return sorted(line for line in out.splitlines() if not line.startswith("YP_LAST_MODIFIED"))


@need_postfix
@pytest.mark.parametrize("maptype", ["hash", "btree", "lmdb", "cdb"])
def test_postalias_matches_postfix(work, maptype):
    for impl in ("postern", "postfix"):
        copy_fixture(work, "aliases", impl)
        rc, _, err = run(impl, "postalias", work, f"{maptype}:{impl}")
        assert rc == 0
        (work / f"{impl}.err").write_text(err.replace(impl, "X"))
    assert (work / "postern.err").read_text() == (work / "postfix.err").read_text()
    assert "line 11: need name:value pair" in (work / "postern.err").read_text()
    assert "name must be local" in (work / "postern.err").read_text()
    if maptype != "cdb":
        assert alias_dump("postern", work, f"{maptype}:postern") == \
            alias_dump("postfix", work, f"{maptype}:postfix")
        assert alias_dump("postfix", work, f"{maptype}:postern") == \
            alias_dump("postern", work, f"{maptype}:postfix")
    for key in ["postmaster", "ROOT", "quoted name", "list", "display", "dup", "continued",
                "@", "mailer-daemon", "empty", "remote@example.com", "missing"]:
        for table in ("postern", "postfix"):
            a = run("postern", "postalias", work, "-q", key, f"{maptype}:{table}")
            b = run("postfix", "postalias", work, "-q", key, f"{maptype}:{table}")
            assert a == b, f"{maptype}:{table} key {key}"
    keys = "postmaster\nnope\nROOT\n"
    assert run("postern", "postalias", work, "-q", "-", f"{maptype}:postern", stdin=keys) == \
        run("postfix", "postalias", work, "-q", "-", f"{maptype}:postfix", stdin=keys)


@need_postfix
@pytest.mark.parametrize("opts", [["-r"], ["-w"], ["-f"], ["-n"], ["-N"], ["-p"]])
def test_postalias_options(work, opts):
    results = {}
    for impl in ("postern", "postfix"):
        copy_fixture(work, "aliases", impl)
        rc, out, err = run(impl, "postalias", work, *opts, impl)
        query_opts = [o for o in opts if o in ("-f", "-n", "-N")]
        answers = [run("postfix", "postalias", work, *query_opts, "-q", key, impl)
                   for key in ("dup", "Dup", "postmaster", "Postmaster", "@")]
        results[impl] = (rc, out, err.replace(impl, "X"), answers,
                         alias_dump("postfix", work, impl))
    assert results["postern"] == results["postfix"]


@need_postfix
def test_postalias_markers(work):
    """The sendmail "@" marker and the NIS YP_* entries, stored as Postfix stores them."""
    if not shutil.which("db_dump"):
        pytest.skip("db_dump (db-util) not installed")
    copy_fixture(work, "aliases", "a")
    copy_fixture(work, "aliases", "b")
    run("postern", "postalias", work, "a")
    run("postfix", "postalias", work, "b")

    def pairs(name):
        out = subprocess.run(["db_dump", "-p", name], cwd=work, capture_output=True,
                             text=True).stdout
        body = out.split("HEADER=END\n", 1)[1].splitlines()[:-1]
        kv = list(zip(body[0::2], body[1::2]))
        return sorted((k, "TIME" if k == " YP_LAST_MODIFIED" else v) for k, v in kv)

    assert pairs("a.db") == pairs("b.db")
    assert (" @\\00", " @\\00") in pairs("a.db")
    assert (" YP_MASTER_NAME", " tables.example") in pairs("a.db")


@need_postfix
@pytest.mark.parametrize("args", [[], ["-q", "x"], ["missing"], ["-s", "missing"],
                                  ["foo:aliases"], ["-Z", "aliases"]])
def test_postalias_errors(work, args):
    copy_fixture(work, "aliases")
    got = run("postern", "postalias", work, *args)
    want = run("postfix", "postalias", work, *args)
    assert got[0] == want[0]
    assert norm_err(got[2]).splitlines()[-1] == norm_err(want[2]).splitlines()[-1]


@need_postfix
def test_postalias_delete_and_incremental(work):
    results = {}
    for impl in ("postern", "postfix"):
        copy_fixture(work, "aliases", impl)
        steps = [
            run(impl, "postalias", work, impl),
            run(impl, "postalias", work, "-d", "root", impl),
            run(impl, "postalias", work, "-d", "root", impl),
            run(impl, "postalias", work, "-i", impl, stdin="New: a, b\nbad\nx@y: z\n"),
        ]
        results[impl] = ([(rc, out, err.replace(impl, "X")) for rc, out, err in steps],
                         alias_dump("postfix", work, impl))
    assert results["postern"] == results["postfix"]
