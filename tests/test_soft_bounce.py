"""soft_bounce = yes: what would bounce is deferred instead (logged as
status=SOFTBOUNCE, as Postfix 3.7 logs it) and stays in
the queue, never marked done and never lost; run against Debian's Postfix
3.7 and Postern (the mta_kind fixture) with the same expectations.

Run: /usr/bin/python3 -m pytest -q tests/test_soft_bounce.py   (as root)
"""
import time

from test_smtpd_instance import mta, run  # noqa: F401  (fixture)


def test_soft_bounce_keeps_the_recipient(mta):
    # An empty local_recipient_maps lets smtpd accept the unknown user, so
    # that local is the one to find out.
    inst = mta(soft_bounce="yes", local_recipient_maps="")
    run(inst, ["HELO c", "MAIL FROM:<a@remote.test>", "RCPT TO:<nosuchuser>", "RCPT TO:<paco>",
               "DATA", "Subject: soft\r\n\r\nsoft bounce\r\n.", "QUIT"])
    inst.wait_for_log(r"local\[\d+\]: (\w+): to=<nosuchuser@example\.test>, "
                      r"orig_to=<nosuchuser>, relay=local, .*dsn=4\.1\.1, status=SOFTBOUNCE "
                      r"\(unknown user: \"nosuchuser\"\)$")
    inst.wait_for_mail("paco", rb"soft bounce")
    # The unknown recipient waits in the deferred queue, the other is gone.
    deadline = time.monotonic() + 10
    while True:
        listing = inst.postqueue("-p").stdout
        if "nosuchuser@example.test" in listing and "paco@" not in listing:
            break
        assert time.monotonic() < deadline, listing
        time.sleep(0.1)
    assert "(unknown user: \"nosuchuser\")" in listing, listing
    assert inst.log_lines(r"status=bounced") == []
    assert inst.log_lines(r"qmgr\[\d+\]: \w+: removed") == []
