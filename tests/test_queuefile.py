"""Queue file compatibility: Postern's postcat against Debian's Postfix.

(a) Queue files written by Debian's Postfix 3.7 (committed fixtures under
    tests/queuefile/postfix/, laid out as a queue directory, and freshly
    generated ones when Postfix is installed and we are root) must be shown
    byte for byte as Debian's postcat shows them, for every option set,
    with -q lookups through hashed directories, on standard input, and on
    damaged files (same output before the error, same exit status).
(b) Queue files written by Postern's record writer and queue file writer
    (the qfile_write_test and qfile_writer_test unit tests, which leave
    their files in QFILE_WRITE_DIR) must be readable
    by Debian's postcat without a warning, and shown identically by both.

Golden outputs (tests/queuefile/expected/) were made with Debian's postcat;
they keep part (a) meaningful on a machine without Postfix.  Regenerate the
fixtures with tests/queuefile/postfix_queue.py and the golden files with
"python3 tests/test_queuefile.py --update-expected".
"""
import concurrent.futures
import os
import subprocess
import sys
import tempfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "queuefile"))
import postfix_queue  # noqa: E402

FIXTURES = os.path.join(ROOT, "tests", "queuefile", "postfix")
EXPECTED = os.path.join(ROOT, "tests", "queuefile", "expected")
DEBIAN_POSTCAT = "/usr/sbin/postcat"
POSTERN_POSTCAT = os.path.join(ROOT, "build", "bin", "postcat")
WRITE_TESTS = [os.path.join(ROOT, "build", "test", "lib", "global", name)
               for name in ("qfile_write_test", "qfile_writer_test")]

OPTION_SETS = [
    [], ["-o"], ["-d"], ["-v"], ["-b"], ["-h"], ["-e"], ["-bh"], ["-eh"], ["-be"],
    ["-o", "-d"], ["-b", "-o"], ["-h", "-d"], ["-h", "-o"], ["-e", "-o"], ["-eh", "-o"],
    ["-be", "-o"], ["-v", "-o", "-d"], ["-e", "-v"], ["-h", "-v", "-o"],
    ["-s", "97"], ["-s", "0", "-o"], ["-r"], ["-r", "-o"],
]


def have_debian():
    return os.path.exists(DEBIAN_POSTCAT)


def need_debian():
    if not have_debian():
        pytest.skip("Debian's postcat is not installed")


def need_postern():
    if not os.access(POSTERN_POSTCAT, os.X_OK):
        pytest.skip("build/bin/postcat is not built (run make)")


def fixture_files(top=FIXTURES):
    out = []
    for dirpath, _, files in os.walk(top):
        for f in files:
            out.append(os.path.relpath(os.path.join(dirpath, f), top))
    return sorted(out)


def config_dir(tmp, queue_dir, depth=1):
    d = os.path.join(tmp, "conf-%d" % abs(hash((queue_dir, depth))))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "main.cf"), "w") as f:
        f.write("queue_directory = %s\nhash_queue_depth = %d\n" % (queue_dir, depth))
    return d


def run(prog, args, cwd, conf, stdin=None):
    env = {"PATH": "/usr/bin:/bin", "TZ": "UTC", "LANG": "C"}
    p = subprocess.run([prog, "-c", conf] + args, cwd=cwd, env=env, input=stdin,
                       capture_output=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def compare(args, cwd, conf, stdin=None):
    """Run both postcats; assert same stdout and exit status."""
    want = run(DEBIAN_POSTCAT, args, cwd, conf, stdin)
    got = run(POSTERN_POSTCAT, args, cwd, conf, stdin)
    if got[:2] != want[:2]:
        gl, wl = got[1].decode("latin1").splitlines(), want[1].decode("latin1").splitlines()
        first = next((i for i in range(min(len(gl), len(wl))) if gl[i] != wl[i]),
                     min(len(gl), len(wl)))
        pytest.fail("postcat %s in %s: exit got %d want %d; first difference at line %d:\n"
                    "  got:  %r\n  want: %r\n  (stderr got %r, want %r)"
                    % (" ".join(args), cwd, got[0], want[0], first + 1,
                       gl[first] if first < len(gl) else None,
                       wl[first] if first < len(wl) else None, got[2][-300:], want[2][-300:]))
    return got


def compare_many(jobs):
    """compare() over (label, args, cwd, conf) jobs, in parallel."""
    def one(job):
        label, args, cwd, conf = job
        try:
            compare(args, cwd, conf)
        except pytest.fail.Exception as e:
            return "%s: %s" % (label, e)
        return None
    # Debian's postcat sleeps a second before a fatal exit: the jobs mostly
    # wait, so many run at once.
    with concurrent.futures.ThreadPoolExecutor(max_workers=32) as pool:
        errors = [e for e in pool.map(one, jobs) if e]
    assert not errors, "\n".join(errors[:5])


def expected_name(rel):
    return os.path.join(EXPECTED, rel.replace("/", "_") + ".out")


# ---------------------------------------------------------------------------
# (a) Postfix-written files.

def test_fixtures_present():
    files = fixture_files()
    kinds = {f.split("/")[0] for f in files}
    assert {"maildrop", "hold", "deferred", "long"} <= kinds, files


@pytest.mark.parametrize("rel", fixture_files())
def test_fixture_golden(rel, tmp_path):
    """Default view against the committed output of Debian's postcat."""
    need_postern()
    conf = config_dir(str(tmp_path), FIXTURES)
    rc, out, _ = run(POSTERN_POSTCAT, [rel], FIXTURES, conf)
    with open(expected_name(rel), "rb") as f:
        want = f.read()
    assert rc == 0
    assert out == want, "got:\n%s\nwant:\n%s" % (out.decode("latin1"), want.decode("latin1"))


@pytest.mark.parametrize("rel", fixture_files())
def test_fixture_vs_debian(rel, tmp_path):
    need_debian()
    need_postern()
    conf = config_dir(str(tmp_path), FIXTURES)
    compare_many([(rel, args + [rel], FIXTURES, conf) for args in OPTION_SETS])


def test_several_files_and_stdin(tmp_path):
    need_debian()
    need_postern()
    conf = config_dir(str(tmp_path), FIXTURES)
    files = fixture_files()
    compare(files, FIXTURES, conf)
    compare(["-o"] + files[:3], FIXTURES, conf)
    with open(os.path.join(FIXTURES, files[0]), "rb") as f:
        data = f.read()
    compare([], FIXTURES, conf, stdin=data)
    compare(["-bh"], FIXTURES, conf, stdin=data)


def test_queue_lookup(tmp_path):
    """-q finds files in maildrop/, hold/ and hashed deferred/ (depth 1 and 2)."""
    need_debian()
    need_postern()
    for top, depth in ((FIXTURES, 1), (os.path.join(FIXTURES, "long"), 2)):
        conf = config_dir(str(tmp_path), top, depth)
        ids = [os.path.basename(f) for f in fixture_files(top) if not f.startswith("long/")]
        assert ids
        for qid in ids:
            rc, out, _ = compare(["-q", qid], "/", conf)
            assert rc == 0 and out.startswith(b"*** ENVELOPE RECORDS "), out[:80]
        compare(["-q"] + ids, "/", conf)
        compare(["-bh", "-q", ids[-1]], "/", conf)
    conf = config_dir(str(tmp_path), FIXTURES, 1)
    for bad in ["../hold/x", "NOSUCHID", "A B", "hold/" + ids[0]]:
        rc, out, _ = compare(["-q", bad], "/", conf)
        assert rc == 1 and out == b""


def test_queue_search_order(tmp_path):
    """With one id in several queues, -q picks the same one as Postfix."""
    need_debian()
    need_postern()
    top = str(tmp_path / "queue")
    queues = ["maildrop", "incoming", "active", "deferred/A", "hold", "saved", "corrupt",
              "bounce", "defer/A"]
    files = sorted(fixture_files())
    for q in queues:
        os.makedirs(os.path.join(top, q))
    conf = config_dir(str(tmp_path), top)
    # A different file in each queue, so that the output tells them apart.
    for i, q in enumerate(queues):
        with open(os.path.join(FIXTURES, files[i % len(files)]), "rb") as f:
            data = f.read()
        with open(os.path.join(top, q, "ABCDEF12345"), "wb") as f:
            f.write(data)
    seen = []
    while True:
        rc, out, _ = compare(["-q", "ABCDEF12345"], "/", conf)
        if rc != 0:
            break
        name = out.split(b"\n")[0].split(b" ")[3].decode()
        seen.append(name)
        os.unlink(os.path.join(top, name))
    assert seen == ["maildrop/ABCDEF12345", "incoming/ABCDEF12345", "active/ABCDEF12345",
                    "deferred/A/ABCDEF12345", "hold/ABCDEF12345", "saved/ABCDEF12345"], seen


def damaged_variants(data):
    """(name, bytes) pairs: cuts at many offsets and hostile headers."""
    out = [("empty", b""), ("type only", data[:1]), ("type 0 first", b"\0\0" + data),
           ("not a queue file", b"N\x05hello" + data),
           ("garbage", b"\xff\xfe\xfd\xfc" * 50)]
    for cut in sorted({1, 2, 50, 96, 97, 98, 99, 120, 200, len(data) // 2,
                       len(data) - 3, len(data) - 2, len(data) - 1}):
        if 0 < cut < len(data):
            out.append(("cut at %d" % cut, data[:cut]))
    hostile = [b"N\xff\xff\xff\xff\xff\xff\xff\xff\x7f", b"N\x80\x80\x80\x80\x08abc",
               b"N\x80\x80\x80\x01abc", b"N\x85\x80\x80\x80\x00abcde", b"p\x0fabcdefghijklmno",
               b"p\x0f" + b"%15d" % 10 ** 9, b"A\x03abc", b"A\x04=abc", b"T\x03abc",
               b"M\x00", b"X\x00", b"E\x00"]
    if data[:2] == b"C_":
        # Size records that lie: the reader jumps by them without -e.
        fields = data[2:97].split()
        for size, off in ((b"0", fields[1]), (fields[0], b"97"), (fields[0], b"0"),
                          (b"999999", fields[1]), (fields[0], b"999999"),
                          (fields[0], b"%d" % (int(fields[1]) + 1)), (b"x", fields[1])):
            c = b" ".join([b"%15s" % size, b"%15s" % off] + [b"%15s" % f for f in fields[2:]])
            out.append(("size %s offset %s" % (size, off), b"C_" + c[:95] + data[97:]))
    mid = data.find(b"M\x00")
    # A spot inside the content: after the first content record.
    inside = mid + 2 + 2 + data[mid + 3]
    extra = [b"R\x03r@x", b"S\x00", b"L\x03abc", b"N\x00", b"N\x07X-Late:",
             b"N\x02 x", b"w\x02ab", b"p\x0f" + b"%15d" % 0, b"A\x05a = b"]
    for i, h in enumerate(hostile + extra):
        out.append(("hostile %d" % i, data[:mid] + h + data[mid:]))
        out.append(("hostile %d inside" % i, data[:inside] + h + data[inside:]))
    return out


def test_damaged_files(tmp_path):
    need_debian()
    need_postern()
    conf = config_dir(str(tmp_path), FIXTURES)
    jobs = []
    for rel in ("hold/" + sorted(os.listdir(os.path.join(FIXTURES, "hold")))[0],
                "maildrop/" + sorted(os.listdir(os.path.join(FIXTURES, "maildrop")))[0]):
        with open(os.path.join(FIXTURES, rel), "rb") as f:
            data = f.read()
        for n, (name, variant) in enumerate(damaged_variants(data)):
            fname = "damaged-%s-%d" % (rel.replace("/", "-"), n)
            with open(os.path.join(str(tmp_path), fname), "wb") as f:
                f.write(variant)
            for args in ([], ["-o", "-d"], ["-b"], ["-h", "-o"], ["-e"], ["-v", "-e"],
                         ["-eh", "-o"], ["-be"]):
                jobs.append(("%s of %s" % (name, rel), args + [fname], str(tmp_path), conf))
    compare_many(jobs)


def test_live_postfix(tmp_path):
    """Regenerate queue files with a live Postfix and compare on all of them."""
    need_debian()
    need_postern()
    why = postfix_queue.available()
    if why:
        pytest.skip(why)
    out = str(tmp_path / "live")
    copied = postfix_queue.generate(out)
    kinds = {k for _, k in copied}
    assert kinds == {"maildrop", "hold", "deferred"}, copied
    conf = config_dir(str(tmp_path), out)
    jobs = []
    for rel, _ in copied:
        jobs += [(rel, args + [rel], out, conf) for args in OPTION_SETS]
        jobs.append((rel, ["-q", os.path.basename(rel)], "/", conf))
    compare_many(jobs)


# ---------------------------------------------------------------------------
# (b) Postern-written files.

def test_postern_writer_vs_debian(tmp_path):
    need_debian()
    need_postern()
    for prog in WRITE_TESTS:
        if not os.access(prog, os.X_OK):
            pytest.skip("%s is not built (make tests)" % prog)
    out = str(tmp_path / "queue")
    os.makedirs(out)
    for prog in WRITE_TESTS:
        p = subprocess.run([prog], env=dict(os.environ, QFILE_WRITE_DIR=out),
                           capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, p.stdout + p.stderr
    files = [f for f in fixture_files(out) if not f.startswith("incoming/")]
    assert len(files) >= 11, files
    conf = config_dir(str(tmp_path), out)
    for rel in files:
        # Debian's postcat must take the file without a single warning.
        rc, stdout, stderr = run(DEBIAN_POSTCAT, [rel], out, conf)
        assert rc == 0 and stderr == b"", (rel, stderr)
        assert stdout.rstrip().endswith(b"*** MESSAGE FILE END " + rel.encode() + b" ***")
    jobs = []
    for rel in files:
        jobs += [(rel, args + [rel], out, conf) for args in OPTION_SETS]
        jobs.append((rel, ["-q", os.path.basename(rel)], "/", conf))
    compare_many(jobs)


def update_expected():
    os.makedirs(EXPECTED, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        conf = config_dir(tmp, FIXTURES)
        for rel in fixture_files():
            rc, out, err = run(DEBIAN_POSTCAT, [rel], FIXTURES, conf)
            assert rc == 0, err
            with open(expected_name(rel), "wb") as f:
                f.write(out)
            print("wrote", expected_name(rel))


if __name__ == "__main__":
    if sys.argv[1:] == ["--update-expected"]:
        update_expected()
    else:
        sys.exit(pytest.main([__file__] + sys.argv[1:]))
