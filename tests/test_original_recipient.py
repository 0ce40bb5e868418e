"""enable_original_recipient, run against Debian's Postfix 3.7 and Postern
(the mta_kind fixture) with the same expectations.  With "no", cleanup
still records the original recipient (local logs orig_to=) but removes
duplicates by final address alone, and local writes no X-Original-To.

Run: /usr/bin/python3 -m pytest -q tests/test_original_recipient.py   (as root)
"""
import time

import pytest

from test_smtpd_instance import mta, norm, run  # noqa: F401  (fixture)

MBOX = """\
From a@b  DATE
Return-Path: <a@b>
{xot}Delivered-To: paco@example.test
Received: from c (localhost [127.0.0.1])
\tby mail.example.test (MTA) with SMTP id ID;
\tDATE
Subject: x
Message-Id: <STAMP.ID@mail.example.test>
Date: DATE
From: a@b

x

"""


@pytest.mark.parametrize("enabled", ["yes", "no"])
def test_original_recipient(mta, tmp_path, enabled):
    (tmp_path / "canon").write_text("/^alias[12]@/ paco@example.test\n")
    inst = mta(enable_original_recipient=enabled, canonical_maps=f"regexp:{tmp_path}/canon")
    run(inst, ["HELO c", "MAIL FROM:<a@b>", "RCPT TO:<alias1>", "RCPT TO:<alias2>",
               "RCPT TO:<paco>", "DATA", "Subject: x\r\n\r\nx\r\n.", "QUIT"])
    origs = ["alias1", "alias2", "paco"] if enabled == "yes" else ["alias1"]
    nrcpt = inst.wait_for_log(r"qmgr\[\d+\]: \w+: from=<a@b>, size=\d+, nrcpt=(\d+)")
    for orig in origs:
        inst.wait_for_log(r"local\[\d+\]: \w+: to=<paco@example\.test>, orig_to=<%s>, "
                          r"relay=local, .*status=sent" % orig)
    inst.wait_for_log(r"qmgr\[\d+\]: \w+: removed$")
    assert nrcpt[1] == str(len(origs)), nrcpt[0]
    got = norm(inst.read_mailbox("paco").decode())
    want = "".join(MBOX.format(xot=f"X-Original-To: {o}\n" if enabled == "yes" else "")
                   for o in origs)
    if enabled == "yes":
        # Three deliveries in any order: compare as a multiset of messages.
        assert sorted(got.split("From a@b  DATE\n")) == sorted(want.split("From a@b  DATE\n"))
    else:
        assert got == want
