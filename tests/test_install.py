"""make install DESTDIR=DIR puts every file where the issue says, and the
installed commands run from there with their own configuration directory
(-c and MAIL_CONFIG), reading the directories main.cf names."""
import os
import re
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _makefile_var(name):
    text = open(os.path.join(ROOT, "Makefile")).read().replace("\\\n", " ")
    m = re.search(rf"^{name}\s*:=(.*)$", text, re.M)
    return m.group(1).split()


@pytest.fixture(scope="module")
def destdir(tmp_path_factory):
    d = str(tmp_path_factory.mktemp("destdir"))
    p = subprocess.run(["make", "-s", "install", f"DESTDIR={d}"], cwd=ROOT,
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    return d


def test_layout(destdir):
    built = sorted(os.listdir(os.path.join(ROOT, "build", "bin")))
    commands = set(_makefile_var("COMMANDS"))
    assert built, "nothing built"
    for prog in built:
        where = "usr/sbin" if prog in commands else "usr/lib/postern"
        path = os.path.join(destdir, where, prog)
        assert os.access(path, os.X_OK), f"{prog} not installed in {where}"
    for f in ("main.cf", "master.cf", "aliases"):
        assert os.path.isfile(os.path.join(destdir, "etc/postfix", f)), f
    man = os.path.join(destdir, "usr/share/man")
    pages = [n for s in os.listdir(man) for n in os.listdir(os.path.join(man, s))]
    for cmd in ("postconf", "postmap", "postalias", "postcat"):
        assert f"{cmd}.1" in pages, pages


def test_install_keeps_an_existing_main_cf(destdir):
    path = os.path.join(destdir, "etc/postfix/main.cf")
    with open(path, "a") as f:
        f.write("# local change\n")
    p = subprocess.run(["make", "-s", "install", f"DESTDIR={destdir}"], cwd=ROOT,
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    assert open(path).read().endswith("# local change\n")


def test_installed_commands_honour_config_dir(destdir, tmp_path):
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "main.cf").write_text(
        f"daemon_directory = {destdir}/usr/lib/postern\n"
        f"command_directory = {destdir}/usr/sbin\n"
        f"queue_directory = {tmp_path}/queue\n"
        f"data_directory = {tmp_path}/data\n"
        "default_database_type = btree\n")
    postconf = os.path.join(destdir, "usr/sbin/postconf")
    for argv, env in (([postconf, "-c", str(conf)], None),
                      ([postconf], dict(os.environ, MAIL_CONFIG=str(conf)))):
        p = subprocess.run(argv + ["-h", "daemon_directory", "queue_directory",
                                   "default_database_type"],
                           capture_output=True, text=True, env=env)
        assert p.returncode == 0, p.stderr
        assert p.stdout.split() == [f"{destdir}/usr/lib/postern", f"{tmp_path}/queue", "btree"]
    # postmap picks the default table type from that main.cf, with either form.
    table = tmp_path / "t"
    table.write_text("k v\n")
    postmap = os.path.join(destdir, "usr/sbin/postmap")
    subprocess.run([postmap, "-c", str(conf), str(table)], check=True)
    assert os.path.exists(f"{table}.db")
    p = subprocess.run([postmap, "-q", "k", f"btree:{table}"], capture_output=True, text=True,
                       env=dict(os.environ, MAIL_CONFIG=str(conf)))
    assert p.stdout == "v\n", p.stderr
