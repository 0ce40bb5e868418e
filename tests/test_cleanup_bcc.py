"""always_bcc, sender_bcc_maps, recipient_bcc_maps and the header/body
checks' BCC action, run against Debian's Postfix 3.7 and against Postern
(the mta_kind fixture) with the same expectations: the queue file's
recipient records as Debian's postcat shows them (a held message), and the
deliveries.

Postfix writes a recipient the MTA adds itself with NOTIFY=NEVER, no ORCPT
and its own (rewritten) address as the original recipient: the sender BCC
right after the sender, a recipient BCC right after its recipient,
always_bcc and then check BCCs at the end of the extracted segment; their
NOTIFY does not count in the size record.  Without ORCPT, smtpd records
the address as the client gave it; an ORCPT is kept xtext-decoded.

Run: /usr/bin/python3 -m pytest -q tests/test_cleanup_bcc.py   (as root)
"""
import glob
import os
import re
import subprocess
import time

import pytest

from test_smtpd_instance import OUTSIDER, mta, run  # noqa: F401  (fixture)

POSTCAT = "/usr/sbin/postcat"
PARAMS = dict(always_bcc="enrique+always", recipient_delimiter="+",
              sender_bcc_maps="regexp:{{/^a@b$$/ enrique+sender}}",
              recipient_bcc_maps="regexp:{{/^paco@/ enrique+rcpt}}")
SESSION = ["HELO c", "MAIL FROM:<a@b>",
           "RCPT TO:<paco> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;x+2By@z", "RCPT TO:<enrique>",
           "DATA", "Subject: hold\r\nX-Bcc-Me: yes\r\n\r\nbcc test\r\n.", "QUIT"]

WANT_RECORDS = """\
message_size: 20
sender: a@b
named_attribute: notify_flags=1
original_recipient: enrique+sender@example.test
recipient: enrique+sender@example.test
named_attribute: notify_flags=10
named_attribute: dsn_orig_rcpt=rfc822;x+y@z
original_recipient: paco
recipient: paco@example.test
named_attribute: notify_flags=1
original_recipient: enrique+rcpt@example.test
recipient: enrique+rcpt@example.test
named_attribute: dsn_orig_rcpt=rfc822;enrique
original_recipient: enrique
recipient: enrique@example.test
*** HEADER EXTRACTED
named_attribute: notify_flags=1
original_recipient: enrique+always@example.test
recipient: enrique+always@example.test
named_attribute: notify_flags=1
original_recipient: paco+hbc@example.test
recipient: paco+hbc@example.test
"""


def records(inst):
    q = inst.postconf_get("queue_directory")
    deadline = time.monotonic() + 10
    while not (files := glob.glob(os.path.join(q, "hold", "*"))):
        assert time.monotonic() < deadline, inst.log_tail()
        time.sleep(0.05)
    p = subprocess.run([POSTCAT, "-c", inst.conf, "-e", files[0]], capture_output=True,
                       text=True, check=True)
    out = []
    for line in p.stdout.splitlines():
        if line.startswith("message_size:"):
            out.append("message_size: " + line.split()[4])       # qmgr_opts
        elif re.match(r"(sender|recipient|original_recipient): |named_attribute: "
                      r"(notify_flags|dsn_orig_rcpt)=", line):
            out.append(line)
        elif line.startswith("*** HEADER EXTRACTED"):
            out.append("*** HEADER EXTRACTED")
    return "\n".join(out) + "\n"


def test_bcc_records(mta):
    if not os.access(POSTCAT, os.X_OK):
        pytest.skip("Debian's postcat is not installed")
    inst = mta(header_checks="regexp:{{/^Subject: hold/ HOLD}} "
                             "regexp:{{/^X-Bcc-Me:/ BCC paco+hbc@example.test}}", **PARAMS)
    run(inst, SESSION)
    assert records(inst) == WANT_RECORDS


def test_bcc_deliveries(mta):
    inst = mta(header_checks="regexp:{{/^X-Bcc-Me:/ BCC paco+hbc@example.test}}", **PARAMS)
    run(inst, SESSION)
    for to, orig in (("paco", "paco"), ("enrique", "enrique"), ("enrique+always", None),
                     ("enrique+sender", None), ("enrique+rcpt", None), ("paco+hbc", None)):
        inst.wait_for_log(r"local\[\d+\]: \w+: to=<%s@example\.test>, %srelay=local, .*"
                          r"status=sent \(delivered to mailbox\)$"
                          % (re.escape(to), "orig_to=<%s>, " % orig if orig else ""))


def test_bcc_check_address_needs_a_domain(mta):
    inst = mta(header_checks="regexp:{{/^X-Bcc-Me:/ BCC paco+hbc}}")
    inst.allow_log(r"bad BCC address")
    run(inst, SESSION)
    inst.wait_for_log(r'cleanup\[\d+\]: warning: bad BCC address "paco\+hbc" in header_checks '
                      r"map -- need user@domain$")
    inst.wait_for_log(r"qmgr\[\d+\]: \w+: from=<a@b>, size=\d+, nrcpt=2 \(queue active\)$")
