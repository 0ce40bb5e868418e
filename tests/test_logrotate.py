"""postfix logrotate, run against Debian's Postfix 3.7 and Postern (the
mta_kind fixture) with the same expectations: the log file is renamed with
maillog_file_rotate_suffix and compressed, logging goes on in a new file,
and the same errors for what cannot be rotated.

Run: /usr/bin/python3 -m pytest -q tests/test_logrotate.py   (as root)
"""
import glob
import gzip
import os

from test_smtpd_instance import mta, run  # noqa: F401  (fixture)


def test_logrotate(mta):
    inst = mta(maillog_file_rotate_suffix="rotated")
    run(inst, ["HELO before", "QUIT"])
    inst.wait_for_log(r"disconnect from localhost\[127\.0\.0\.1\] helo=1 quit=1 commands=2$")
    p = inst.postfix("logrotate", check=False)
    assert p.returncode == 0, p.stderr
    old = inst.maillog_path + ".rotated.gz"
    assert os.path.exists(old), glob.glob(inst.maillog_path + "*")
    assert not os.path.exists(inst.maillog_path + ".rotated")
    with gzip.open(old, "rt") as f:
        assert "helo=1 quit=1 commands=2" in f.read()
    # Logging goes on in a new file.
    run(inst, ["HELO after", "NOOP", "QUIT"])
    inst.wait_for_log(r"disconnect from localhost\[127\.0\.0\.1\] helo=1 noop=1 quit=1 "
                      r"commands=3$")
    assert "helo=1 quit=1 commands=2" not in inst.maillog()


def test_logrotate_errors(mta):
    """Both refuse (exit 1) and rotate nothing; Postern also says why on
    standard error, in the words of Postfix's postfix-script."""
    inst = mta()
    inst.allow_log(r"postfix-script\[\d+\]: fatal: ")
    inst.set_params(maillog_file_compressor="")     # after start: Postfix needs it to start
    p = inst.postfix("logrotate", check=False)
    assert p.returncode == 1
    if inst.kind == "postern":
        assert ("fatal: empty 'maillog_file_compressor' parameter value - logfile rotation "
                "failed") in p.stderr, p.stderr
    p = inst.postfix("logrotate", "extra", check=False)
    assert p.returncode == 1
    if inst.kind == "postern":
        assert "fatal: usage postfix logrotate (no arguments)" in p.stderr, p.stderr
    assert os.path.exists(inst.maillog_path)
    assert glob.glob(inst.maillog_path + ".*") == []
