"""postconf: Postern's output compared with Debian's Postfix 3.7 postconf.

Every case runs the same command line against the same configuration
directory with both programs and compares standard output byte for byte
(after the documented, intended differences: mail_name, mail_version,
mail_release_date, daemon_directory, shlib_directory, process_id, and
smtpd_forbid_bare_newline, whose default is Postfix 3.9's "normalize"
where Debian's 3.7 still says "no": SMTP smuggling protection by default).
Warnings on standard error are compared as sets of lines with the program
name removed, because Postfix prints them in hash-table order.

Corpus: tests/postconf/debian (Debian's stock main.cf and master.cf),
tests/postconf/tricky (continuations, comments, repeated names, every
expansion form, user-defined and unused parameters, { } groups in master.cf).
Skipped when /usr/sbin/postconf is not installed.
"""
import os
import re
import shutil
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OURS = os.environ.get("POSTERN_POSTCONF", os.path.join(ROOT, "build", "bin", "postconf"))
THEIRS = "/usr/sbin/postconf"
CORPUS = os.path.join(ROOT, "tests", "postconf")

# Values that differ on purpose (DESIGN.md section 4) or per process.
INTENDED = {"mail_name", "mail_version", "mail_release_date", "daemon_directory",
            "shlib_directory", "process_id", "smtpd_forbid_bare_newline"}
# Overrides that make both programs agree on those values where others use them.
SAME = ["-o", "mail_name=Postern", "-o", "mail_version=0.1", "-o",
        "daemon_directory=/usr/lib/postern", "-o", "shlib_directory=/usr/lib/postern",
        "-o", "mail_release_date=20261122"]

pytestmark = pytest.mark.skipif(not os.access(THEIRS, os.X_OK),
                                reason="Debian's postconf is not installed")


def run(prog, args, env=None):
    p = subprocess.run([prog] + args, capture_output=True, text=True, errors="replace",
                       env=env, timeout=60)
    return p.returncode, p.stdout, p.stderr


def warnings(stderr):
    out = set()
    for line in stderr.splitlines():
        line = re.sub(r"^\S*postconf: ", "", line)
        out.add(line)
    return out


def drop_intended(text):
    keep = []
    skipping = False
    for line in text.splitlines(keepends=True):
        if line.startswith("    ") and skipping:
            continue
        name = line.split(" =", 1)[0]
        skipping = name in INTENDED
        if not skipping:
            keep.append(line)
    return "".join(keep)


@pytest.fixture(scope="module", autouse=True)
def built():
    if not os.access(OURS, os.X_OK):
        pytest.fail(f"{OURS} is not built (make)")


def confdir(tmp_path, name):
    dst = tmp_path / name
    shutil.copytree(os.path.join(CORPUS, name), dst)
    return str(dst)


def compare(args, filt=None, stderr_too=True, ours_extra=()):
    rc1, out1, err1 = run(THEIRS, args)
    rc2, out2, err2 = run(OURS, args)
    if filt:
        out1, out2 = filt(out1), filt(out2)
    assert rc2 == rc1, f"exit status: got {rc2}, want {rc1}\n{err2}"
    if out2 != out1:
        import difflib
        diff = "".join(difflib.unified_diff(out1.splitlines(True), out2.splitlines(True),
                                            "postfix", "postern", n=1))
        pytest.fail(f"postconf {' '.join(args)}: output differs:\n{diff[:6000]}")
    if stderr_too:
        w1, w2 = warnings(err1), warnings(err2)
        extra = {w for w in w2 - w1
                 if not any(re.search(x, w) for x in list(ours_extra) + [NOT_YET])}
        assert w1 - w2 == set(), f"missing warnings: {w1 - w2}"
        assert extra == set(), f"unexpected warnings: {extra}"
    return out2, err2


# Postern's own warning for what it does not implement yet (intended).
NOT_YET = r"is set, but Postern does not implement it yet$"

CORPORA = ["debian", "tricky"]
HINT = [r'unknown parameter "[^"]+": did you mean']

SHOW_CASES = [
    ["-n"], ["-nf"], ["-nh"], ["-nH"], ["-nx"] + SAME, ["-nxf"] + SAME,
    ["myhostname", "mydomain", "mydestination", "relayhost", "alias_maps"],
    ["-h", "mynetworks", "myorigin"],
    ["-x"] + SAME + ["smtpd_banner", "mydestination", "myorigin", "relay_domains", "mynetworks_style"],
    ["-M"], ["-Mf"], ["-F"], ["-Ff"], ["-P"], ["-Pf"],
    ["-M", "smtp", "relay/unix"], ["-F", "pickup/unix/wakeup", "relay/unix"],
    ["-P", "relay/unix/syslog_name", "submission/inet"],
    ["-m"], ["-l"], ["-a"], ["-A"],
]


@pytest.mark.parametrize("corpus", CORPORA)
@pytest.mark.parametrize("args", SHOW_CASES, ids=lambda a: " ".join(a)[:40])
def test_show(tmp_path, corpus, args):
    d = confdir(tmp_path, corpus)
    if args == ["-m"]:
        # Postern has the types lib/dict implements; each must be one Postfix
        # knows (Postfix reads its dynamic types from /etc/postfix, not -c).
        # (Debian's -m also reads /etc/mailname for myorigin: use an empty main.cf.)
        _, ours, _ = run(OURS, ["-c", d, "-m"])
        e = tmp_path / "empty"
        e.mkdir()
        (e / "main.cf").write_text("")
        shutil.copy("/etc/postfix/dynamicmaps.cf", e)
        _, theirs, _ = run(THEIRS, ["-c", str(e), "-m"])
        assert ours.split() == sorted(ours.split())
        assert set(ours.split()) <= set(theirs.split()), set(ours.split()) - set(theirs.split())
        assert {"hash", "btree", "lmdb", "cdb", "regexp", "pcre", "cidr"} <= set(ours.split())
        return
    compare(["-c", d] + args, ours_extra=HINT)


@pytest.mark.parametrize("corpus", CORPORA)
@pytest.mark.parametrize("flags", [[], ["-f"], ["-h"], ["-H"], ["-x"] + SAME, ["-d"], ["-dH"],
                                   ["-dx"], ["-dxf"]])
def test_all_parameters(tmp_path, corpus, flags):
    d = confdir(tmp_path, corpus)
    filt = drop_intended
    if flags and flags[0].startswith("-dx"):
        # Postfix ignores -o with -d; these expand $mail_name / $mail_version.
        def filt(text):
            return drop_intended("".join(
                l for l in text.splitlines(True)
                if l.split(" =")[0] not in ("milter_macro_v", "postscreen_greet_banner",
                                            "smtpd_banner")))
    if flags == ["-h"]:
        # Values only: drop the lines of the intended names by position.
        _, names, _ = run(THEIRS, ["-c", d, "-H"])
        skip = {i for i, n in enumerate(names.splitlines()) if n in INTENDED}

        def filt(text):
            return "".join(l for i, l in enumerate(text.splitlines(True)) if i not in skip)
    compare(["-c", d] + flags, filt=filt, ours_extra=HINT)


def parse_listing(text):
    out = {}
    for line in text.splitlines():
        name, _, value = line.partition(" =")
        out[name] = value.strip()
    return out


@pytest.mark.parametrize("corpus", CORPORA)
def test_every_default(tmp_path, corpus):
    """Every parameter Postern declares has Debian's default (postconf -d)."""
    d = confdir(tmp_path, corpus)
    _, theirs, _ = run(THEIRS, ["-c", d, "-d"])
    _, ours, _ = run(OURS, ["-c", d, "-d"])
    theirs, ours = parse_listing(theirs), parse_listing(ours)
    assert len(ours) >= 250
    unknown = set(ours) - set(theirs)
    assert not unknown, f"names Postfix does not know: {sorted(unknown)}"
    bad = [f"{n}: got {ours[n]!r}, want {theirs[n]!r}" for n in sorted(ours)
           if n not in INTENDED and ours[n] != theirs[n]]
    assert not bad, "\n".join(bad)
    assert ours["mail_name"] == "Postern"
    assert ours["daemon_directory"] == "/usr/lib/postern"
    # Host-dependent defaults are computed the same way on the same host.
    for n in ("myhostname", "mydomain", "mynetworks", "process_name"):
        assert ours[n] == theirs[n], n


@pytest.mark.parametrize("conf,names", [
    ("mynetworks_style = host\n", ["mynetworks"]),
    ("mynetworks_style = class\n", ["mynetworks"]),
    ("compatibility_level = 2\n", ["mynetworks", "relay_domains", "mynetworks_style"]),
    ("inet_protocols = ipv4\n", ["mynetworks"]),
    ("myhostname = foo.example.com\n", ["mydomain", "mydestination"]),
    ("myhostname = example.com\n", ["mydomain"]),
    ("mydomain = example.org\n", ["myhostname", "myorigin"]),
    ("myhostname = foo\n", ["mydomain"]),
])
def test_computed(tmp_path, conf, names):
    (tmp_path / "main.cf").write_text(conf)
    shutil.copy(os.path.join(CORPUS, "debian", "master.cf"), tmp_path / "master.cf")
    compare(["-c", str(tmp_path), "-x"] + names)


EXPANSIONS = [
    "x${myhostname?{yes}:{no}}y ${nothere?{yes}:{no}} ${nothere:dflt} ${myhostname?set} $$lit $(mydomain)",
    "${{$compatibility_level} <level {2} ? {low} : {high}}",
    "${{abc} == {abc} ? {eq} : {ne}} ${{2} < {10} ? {lt} : {ge}} ${{2} <= {2} ? {le} : {gt}}",
    "${{b} > {a} ? {x} : {y}} ${{10}>{9}?{gt}:{le}} ${{10} > {9} ? {gt}}",
    "${{1.2} <=level {1.10} ? {le} : {gt}} ${{3.6} ==level {3.6.0} ? {eq} : {ne}}",
    "[${myhostname:dflt}] [${myhostname?{braced}}] [${myhostname?{a} : {b}}] [${myhostname? {x}}]",
    "${myhostname?{$mydomain}:{le}} ${{$myhostname} == {$myhostname} ? {$mydomain} : {le}}",
    "$myorigin,$mydestination;${relay_domains}",
    "",
    "   spaced    words   ",
]


@pytest.mark.parametrize("value", EXPANSIONS)
def test_expansion_forms(tmp_path, value):
    (tmp_path / "main.cf").write_text(f"smtpd_banner = {value}\nmyorigin = $myhostname\n")
    shutil.copy(os.path.join(CORPUS, "debian", "master.cf"), tmp_path / "master.cf")
    compare(["-c", str(tmp_path), "-xh"] + SAME + ["smtpd_banner"])
    compare(["-c", str(tmp_path), "-n"])


@pytest.mark.parametrize("width", list(range(58, 68)))
def test_folding(tmp_path, width):
    word = "a" * width
    (tmp_path / "main.cf").write_text(
        f"mydestination = {word} bbb {word[:20]} {word} c\nrelayhost = {word}{word}\n")
    (tmp_path / "master.cf").write_text(
        f"x unix - n n - - pipe flags=R user=nobody argv=/bin/{word[:width - 40]} "
        f"{word[:width - 30]} {word[:20]} -o a={word[:10]} z\n")
    for args in (["-nf"], ["-nfh"], ["-Mf"], ["-Ff"], ["-M"], ["-n"]):
        compare(["-c", str(tmp_path)] + args, stderr_too=False)


EDITS = [
    ["-e", "relayhost=[x.example]:25", "new_param=a  b", "mydestination="],
    ["-e", "myhostname = spaced.example", "biff=yes"],
    ["-X", "mydestination", "relayhost", "nothere"],
    ["-#", "mydestination", "relayhost", "smtpd_recipient_restrictions"],
    ["-#", "biff"],
]


@pytest.mark.parametrize("corpus", CORPORA)
@pytest.mark.parametrize("cmd", EDITS, ids=lambda a: " ".join(a)[:40])
def test_edit(tmp_path, corpus, cmd):
    a = confdir(tmp_path / "a", corpus)
    b = confdir(tmp_path / "b", corpus)
    os.chmod(os.path.join(b, "main.cf"), 0o640)
    os.chmod(os.path.join(a, "main.cf"), 0o640)
    rc1, _, err1 = run(THEIRS, ["-c", a] + cmd)
    rc2, _, err2 = run(OURS, ["-c", b] + cmd)
    assert rc2 == rc1, err2
    want = open(os.path.join(a, "main.cf"), "rb").read()
    got = open(os.path.join(b, "main.cf"), "rb").read()
    assert got == want, f"got:\n{got.decode()}\nwant:\n{want.decode()}"
    assert os.stat(os.path.join(b, "main.cf")).st_mode & 0o7777 == 0o640
    assert sorted(os.listdir(b)) == sorted(os.listdir(a)), "temporary file left behind"
    # The edited file reads back with the new values.
    compare(["-c", b, "-n"], stderr_too=False)


MASTER_EDITS = [
    ["-Fe", "relay/unix/chroot=n", "pickup/unix/wakeup=30"],
    ["-Fe", "dovecot/unix/command=pipe flags=R user=x argv=/bin/true"],
    ["-Pe", "relay/unix/syslog_name=foo", "submission/inet/new_param=x"],
    ["-Pe", "dovecot/unix/a=b", "policy/unix/c=d", "smtp/inet/e=f"],
    ["-PX", "relay/unix/smtp_helo_timeout", "submission/inet/smtpd_tls_security_level"],
    ["-M#", "relay/unix"],
    ["-MX", "relay/unix", "cleanup/unix"],
    ["-Me", "relay/unix = relay unix - - n - 5 smtp -o a=b",
     "new/unix = new unix - - n - - pipe flags=R user=x argv=/bin/true"],
]


@pytest.mark.parametrize("cmd", MASTER_EDITS, ids=lambda a: " ".join(a)[:40])
def test_edit_master(tmp_path, cmd):
    a = confdir(tmp_path / "a", "tricky")
    b = confdir(tmp_path / "b", "tricky")
    rc1, _, err1 = run(THEIRS, ["-c", a] + cmd)
    rc2, _, err2 = run(OURS, ["-c", b] + cmd)
    assert rc2 == rc1, err2
    want = open(os.path.join(a, "master.cf")).read()
    got = open(os.path.join(b, "master.cf")).read()
    assert got == want, f"got:\n{got}\nwant:\n{want}"
    assert sorted(os.listdir(b)) == sorted(os.listdir(a)), "temporary file left behind"
    compare(["-c", b, "-Mf"], stderr_too=False)


@pytest.mark.parametrize("cmd", [["-MX", "relay"], ["-Fe", "relay/unix/bogus=1"],
                                 ["-Fe", "relay/unix/chroot=a b"], ["-Pe", "relay/unix/x=a b"],
                                 ["-Me", "relay/unix = relay unix - -"]])
def test_edit_master_errors(tmp_path, cmd):
    b = confdir(tmp_path, "tricky")
    before = open(os.path.join(b, "master.cf")).read()
    rc, _, err = run(OURS, ["-c", b] + cmd)
    rc1, _, _ = run(THEIRS, ["-c", confdir(tmp_path / "a", "tricky")] + cmd)
    assert rc == 1 and rc1 == 1, err
    assert open(os.path.join(b, "master.cf")).read() == before
    assert sorted(os.listdir(b)) == ["main.cf", "master.cf"], "lock file left behind"


def test_concurrent_edits(tmp_path):
    """Parallel postconf -e runs never lose each other's changes."""
    d = confdir(tmp_path, "debian")
    procs = [subprocess.Popen([OURS, "-c", d, "-e", f"user_param_{i} = {i}"],
                              stderr=subprocess.PIPE) for i in range(20)]
    for p in procs:
        assert p.wait(timeout=60) == 0, p.stderr.read()
    text = open(os.path.join(d, "main.cf")).read()
    for i in range(20):
        assert f"user_param_{i} = {i}\n" in text
    assert sorted(os.listdir(d)) == ["main.cf", "master.cf"]


def test_options_after_arguments(tmp_path):
    """Only -o among the daemon options are overrides (as Postfix)."""
    (tmp_path / "main.cf").write_text("")
    (tmp_path / "master.cf").write_text(
        "a unix - - n - - smtpd -o a=b -v -o c=d x -o e=f\n")
    for args in (["-Mf"], ["-P"], ["-F"], ["-n"]):
        compare(["-c", str(tmp_path)] + args)


def test_edit_creates_main_cf(tmp_path):
    _, _, err = run(OURS, ["-c", str(tmp_path), "-e", "relayhost=x"])
    assert open(tmp_path / "main.cf").read() == "relayhost = x\n", err


def test_edit_rejects_multiline(tmp_path):
    d = confdir(tmp_path, "debian")
    before = open(os.path.join(d, "main.cf")).read()
    rc, _, err = run(OURS, ["-c", d, "-e", "relayhost=a\nmynetworks=0.0.0.0/0"])
    assert rc == 1 and "multi-line" in err
    assert open(os.path.join(d, "main.cf")).read() == before


def test_unused_parameter_hint(tmp_path):
    (tmp_path / "main.cf").write_text("# x\nsmtpd_relay_restriction = permit_mynetworks\n"
                                      "myhostnam = foo\nzzzz_unknown = 1\n")
    shutil.copy(os.path.join(CORPUS, "debian", "master.cf"), tmp_path / "master.cf")
    _, err = compare(["-c", str(tmp_path), "-n"], ours_extra=HINT)
    w = warnings(err)
    mc = str(tmp_path / "main.cf")
    assert f'warning: {mc}, line 2: unknown parameter "smtpd_relay_restriction": did you mean ' \
           f'"smtpd_relay_restrictions"?' in w
    assert f'warning: {mc}, line 3: unknown parameter "myhostnam": did you mean "myhostname"?' in w
    assert not any("zzzz_unknown\": did you mean" in x for x in w)


@pytest.mark.parametrize("line,want", [
    ("smtpd_recipient_limit = abc", "bad numerical configuration: smtpd_recipient_limit = abc"),
    ("smtpd_recipient_limit = 0", "invalid smtpd_recipient_limit parameter value 0 < 1"),
    ("biff = maybe", "bad boolean configuration: biff = maybe"),
    ("queue_run_delay = 5x", "parameter queue_run_delay: bad time value or unit: 5x"),
])
def test_bad_value_warning(tmp_path, line, want):
    (tmp_path / "main.cf").write_text(f"# comment\n{line}\n")
    shutil.copy(os.path.join(CORPUS, "debian", "master.cf"), tmp_path / "master.cf")
    rc, out, err = run(OURS, ["-c", str(tmp_path), "-n"])
    assert rc == 0
    assert f"warning: {tmp_path}/main.cf, line 2: {want}" in warnings(err), err


def test_mail_config_environment(tmp_path):
    d = confdir(tmp_path, "tricky")
    env = dict(os.environ, MAIL_CONFIG=d)
    r1 = run(THEIRS, ["-n"], env=env)
    r2 = run(OURS, ["-n"], env=env)
    assert r2[1] == r1[1]


def test_unknown_name(tmp_path):
    d = confdir(tmp_path, "debian")
    compare(["-c", d, "no_such_parameter", "myhostname"])


@pytest.mark.parametrize("master,want", [
    ("a unix - -\n", "line 1: bad field count"),
    ("# c\nok unix - - n - - x\nb foo - - n - - x\n", 'invalid type field "foo"'),
    ("a unix - - n 10?? - x\n", 'invalid wakeup field "10??"'),
])
def test_master_errors(tmp_path, master, want):
    (tmp_path / "main.cf").write_text("")
    (tmp_path / "master.cf").write_text(master)
    rc, out, err = run(OURS, ["-c", str(tmp_path), "-M"])
    assert rc == 1 and out == ""
    assert want in err and str(tmp_path / "master.cf") in err, err
    rc1, _, err1 = run(THEIRS, ["-c", str(tmp_path), "-M"])
    assert rc1 == 1


def test_missing_main_cf(tmp_path):
    rc, out, err = run(OURS, ["-c", str(tmp_path / "nowhere"), "-n"])
    assert rc == 1 and f"{tmp_path}/nowhere/main.cf" in err


@pytest.mark.parametrize("main,master", [
    ("relayhost = a\r\nmydestination = x,\r\n  y\r\n\r\n# c\r\nbiff=no\r\n",
     "smtp inet n - y - - smtpd\r\n  -o a=b\r\npickup unix n - y 60 1 pickup\r\n"),
    ("", "# only a comment\n\n"),
    ("# no final newline\nrelayhost = last", "smtp inet n - y - - smtpd -o x=y"),
    ("smtp_tls_CApath = /etc/ssl/certs\nSMTP_upper = 1\nrelayhost=$SMTP_upper\n",
     "smtp inet n - y - - smtpd\nsmtp inet n - y - - smtpd -o syslog_name=dup\n"),
    ("mydestination =\t$myhostname\t,\tlocalhost\n\t\n", "a unix - - n - - smtpd { a b } x\n"),
    ("", "a unix - - n - - smtpd -o { a = b c } {  spaced  arg  } x { c d } {}\n"
         "b unix - - n - - smtpd {} { a b c }\n"),
])
def test_edge_files(tmp_path, main, master):
    (tmp_path / "main.cf").write_bytes(main.encode())
    (tmp_path / "master.cf").write_bytes(master.encode())
    for args in (["-n"], ["-nf"], ["-nx"] + SAME, ["-M"], ["-Mf"], ["-F"], ["-Fh"], ["-Ff"],
                 ["-P"]):
        compare(["-c", str(tmp_path)] + args)


def test_warns_about_what_is_not_implemented(tmp_path):
    """A parameter Postern knows but does not act on yet (TLS, relayhost,
    milters, ...) is named when main.cf sets it; an empty value or a
    working parameter is not."""
    (tmp_path / "main.cf").write_text("relayhost = [smtp.example.com]:587\n"
                                      "smtpd_tls_cert_file = /etc/ssl/x.pem\n"
                                      "smtpd_milters = inet:127.0.0.1:8891\n"
                                      "smtp_tls_security_level =\n"
                                      "always_bcc = archive@example.com\n")
    (tmp_path / "master.cf").write_text("")
    rc, out, err = run(OURS, ["-c", str(tmp_path), "-n"])
    assert rc == 0, err
    got = sorted(re.findall(r"main\.cf: (\S+) is set, but Postern does not implement it yet", err))
    assert got == ["relayhost", "smtpd_milters", "smtpd_tls_cert_file"], err
