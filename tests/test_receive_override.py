"""receive_override_options, as content-filter setups use it (Postfix's
FILTER_README), run against Debian's Postfix 3.7 and Postern (the
mta_kind fixture) with the same expectations.

Run: /usr/bin/python3 -m pytest -q tests/test_receive_override.py   (as root)
"""
import socket

from test_smtpd_instance import check, mta, run  # noqa: F401  (fixture)

UNKNOWN = ("550 5.1.1 <nosuchuser>: Recipient address rejected: User unknown in local "
           "recipient table")


def test_no_unknown_recipient_checks(mta):
    inst = mta(receive_override_options="no_unknown_recipient_checks")
    got = run(inst, ["HELO c", "MAIL FROM:<a@b>", "RCPT TO:<nosuchuser>", "QUIT"])
    check(got, ["220 mail.example.test ESMTP MTA", "250 mail.example.test", "250 2.1.0 Ok",
                "250 2.1.5 Ok", "221 2.0.0 Bye"])


def test_no_header_body_checks_and_no_address_mappings(mta, tmp_path):
    (tmp_path / "canon").write_text("/^alias1@/ paco@example.test\n")
    inst = mta(receive_override_options="no_header_body_checks, no_address_mappings",
               header_checks="regexp:{{/^Subject: reject me/ REJECT go away}}",
               canonical_maps=f"regexp:{tmp_path}/canon")
    # smtpd still knows alias1 from canonical_maps; cleanup does not map it.
    got = run(inst, ["HELO c", "MAIL FROM:<a@b>", "RCPT TO:<alias1>", "RCPT TO:<paco>", "DATA",
                     "Subject: reject me\r\n\r\nfiltered already\r\n.", "QUIT"])
    check(got, ["220 mail.example.test ESMTP MTA", "250 mail.example.test", "250 2.1.0 Ok",
                "250 2.1.5 Ok", "250 2.1.5 Ok", "354 End data with <CR><LF>.<CR><LF>",
                "250 2.0.0 Ok: queued as ID", "221 2.0.0 Bye"])
    inst.wait_for_mail("paco", rb"filtered already")
    inst.wait_for_log(r"local\[\d+\]: \w+: to=<alias1@example\.test>, orig_to=<alias1>, "
                      r"relay=local, .*status=bounced \(unknown user: \"alias1\"\)$")


def test_invalid_value_stops_smtpd(mta):
    inst = mta(receive_override_options="no_such_thing")
    inst.allow_log(r"receive_override_options|bad command startup|exit status 1")
    s = inst.ns.connect(inst.listen, inst.port)
    s.settimeout(1)
    try:
        assert s.recv(100) == b""
    except socket.timeout:
        pass
    finally:
        s.close()
    for prog in ("smtpd", "pickup"):
        inst.wait_for_log(r"%s\[\d+\]: fatal: unknown receive_override_options value "
                          r"\"no_such_thing\" in \"no_such_thing\"$" % prog)
