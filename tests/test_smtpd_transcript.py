"""smtpd's postmaster "transcript of session" notices (notify_classes
protocol, policy, resource, software; error_notice_recipient;
smtpd_history_flush_threshold), run against Debian's Postfix 3.7 and
against Postern (the mta_kind fixture) with the same expected mailbox, so
the Postfix run proves the expectation and the Postern run proves we match.

Normalised before comparing: mail_name, queue ids, dates (norm() of
test_smtpd_instance).  The notices go to the local user paco
(error_notice_recipient = paco), and each session waits for its notice
before the next starts, so the mailbox order is the session order.

Run: /usr/bin/python3 -m pytest -q tests/test_smtpd_transcript.py   (as root)
"""
import re
import time

import pytest

from test_smtpd_instance import OUTSIDER, Session, norm

SUBJECT = rb"^Subject: \w+ SMTP server: errors from "


def notices(inst, user="paco"):
    return len(re.findall(SUBJECT, inst.read_mailbox(user), re.M))


def session(inst, lines, src=None, idle=0):
    """Send each line (str: wait for one reply; bytes: send only), then
    wait idle seconds (to let the server time out) and hang up."""
    s = Session(inst, src)
    for line in lines:
        if isinstance(line, bytes):
            s.s.sendall(line)
        else:
            s.send(line)
    if idle:
        time.sleep(idle)
    s.close()


def notice(body, client="localhost[127.0.0.1]", user="paco"):
    """One notice as delivered to user's mbox, after norm()."""
    return ("From double-bounce@mail.example.test  DATE\n"
            "Return-Path: <double-bounce@mail.example.test>\n"
            f"X-Original-To: {user}\n"
            f"Delivered-To: {user}@example.test\n"
            "Received: by mail.example.test (MTA)\n"
            "\tid ID; DATE\n"
            "Date: DATE\n"
            "From: Mail Delivery System <MAILER-DAEMON@mail.example.test>\n"
            "To: Postmaster <paco@example.test>\n"
            f"Subject: MTA SMTP server: errors from {client}\n"
            "Message-Id: <STAMP.ID@mail.example.test>\n"
            "\n"
            "Transcript of session follows.\n"
            "\n" + body + "\n"
            "For other details, see the local mail logfile\n"
            "\n")


EHLO_OUT = "".join(f" Out: {l}\n" for l in (
    "250-mail.example.test", "250-PIPELINING", "250-SIZE 10240000", "250-VRFY", "250-ETRN",
    "250-ENHANCEDSTATUSCODES", "250-8BITMIME", "250-DSN", "250-SMTPUTF8", "250 CHUNKING"))

# (session, its notice body) in order; None: the session sends no notice.
SESSIONS = [
    # A policy error is not a protocol error: nothing.
    (["HELO policy", "MAIL FROM:<a@b>", "RCPT TO:<nosuch>", "QUIT"], None),
    # 4 lines at RSET is not more than the threshold: no flush.
    (["HELO sessI", "RSET", "FOO", "QUIT"],
     " Out: 220 mail.example.test ESMTP MTA\n In:  HELO sessI\n"
     " Out: 250 mail.example.test\n In:  RSET\n Out: 250 2.0.0 Ok\n"
     " In:  FOO\n Out: 500 5.5.2 Error: command not recognized\n"
     " In:  QUIT\n Out: 221 2.0.0 Bye\n\n"),
    # EHLO flushes a longer history, EHLO line included.
    (["NOOP", "NOOP", "EHLO sessJ", "FOO", "QUIT"],
     EHLO_OUT + " In:  FOO\n Out: 500 5.5.2 Error: command not recognized\n"
     " In:  QUIT\n Out: 221 2.0.0 Bye\n\n"),
    # The error before RSET is sent at the flush; none is left for the end.
    (["HELO sessB", "FOO", "NOOP", "RSET", "NOOP", "QUIT"],
     " Out: 220 mail.example.test ESMTP MTA\n In:  HELO sessB\n"
     " Out: 250 mail.example.test\n In:  FOO\n"
     " Out: 500 5.5.2 Error: command not recognized\n In:  NOOP\n"
     " Out: 250 2.0.0 Ok\n In:  RSET\n\n"),
    # Mail accepted: the earlier error is forgotten; the flush after the
    # end of DATA drops the history up to the "queued as" reply.
    (["FOO", "MAIL FROM:<a@b>", "RCPT TO:<enrique>", "DATA", "Subject: t\r\n\r\nx\r\n.",
      "BAR", "QUIT"],
     " In:  BAR\n Out: 500 5.5.2 Error: command not recognized\n"
     " In:  QUIT\n Out: 221 2.0.0 Bye\n\n"),
    # Wrapped at 78 columns, 4 of indent, a long word kept whole;
    # unprintable bytes become "?".
    (["FOO " + "a" * 100 + " b", "FOO " + "word " * 30 + "\x01", "QUIT"],
     " Out: 220 mail.example.test ESMTP MTA\n In:  FOO\n     " + "a" * 100 + "\n     b\n"
     " Out: 500 5.5.2 Error: command not recognized\n"
     " In:  FOO" + " word" * 14 + "\n    " + " word" * 15 + "\n     word ?\n"
     " Out: 500 5.5.2 Error: command not recognized\n"
     " In:  QUIT\n Out: 221 2.0.0 Bye\n\n"),
    # The client goes away: the reason is in the notice.
    (["HELO sessN", "FOO"],
     " Out: 220 mail.example.test ESMTP MTA\n In:  HELO sessN\n"
     " Out: 250 mail.example.test\n In:  FOO\n"
     " Out: 500 5.5.2 Error: command not recognized\n\n"
     "Session aborted, reason: lost connection\n"),
    # ... also in the middle of DATA; the content is not in the history.
    (["HELO dl", "FOO", "MAIL FROM:<a@b>", "RCPT TO:<enrique>", "DATA", b"x\r\n"],
     " Out: 220 mail.example.test ESMTP MTA\n In:  HELO dl\n"
     " Out: 250 mail.example.test\n In:  FOO\n"
     " Out: 500 5.5.2 Error: command not recognized\n In:  MAIL FROM:<a@b>\n"
     " Out: 250 2.1.0 Ok\n In:  RCPT TO:<enrique>\n Out: 250 2.1.5 Ok\n"
     " In:  DATA\n Out: 354 End data with <CR><LF>.<CR><LF>\n\n"
     "Session aborted, reason: lost connection\n"),
    # Too many errors; an empty line's "In:  " loses its trailing blanks.
    (["HELO tm", "", "FOO", "FOO", "FOO"],
     " Out: 220 mail.example.test ESMTP MTA\n In:  HELO tm\n Out: 250 mail.example.test\n"
     " In:\n Out: 500 5.5.2 Error: bad syntax\n" +
     " In:  FOO\n Out: 500 5.5.2 Error: command not recognized\n" * 3 +
     " Out: 421 4.7.0 mail.example.test Error: too many errors\n\n"
     "Session aborted, reason: too many errors\n"),
    # A timeout is no error of its own ...
    ((["HELO to1"], 1.5), None),
    # ... but is the reason when there was one.
    ((["HELO to2", "FOO"], 1.5),
     " Out: 220 mail.example.test ESMTP MTA\n In:  HELO to2\n"
     " Out: 250 mail.example.test\n In:  FOO\n"
     " Out: 500 5.5.2 Error: command not recognized\n"
     " Out: 421 4.4.2 mail.example.test Error: timeout exceeded\n\n"
     "Session aborted, reason: timeout\n"),
]


def test_transcript_notices(mailnet, instance, mta_kind):
    inst = instance(mta_kind, mynetworks="127.0.0.1/32", params={
        "smtpd_error_sleep_time": "0", "notify_classes": "protocol",
        "error_notice_recipient": "paco", "smtpd_history_flush_threshold": "4",
        "smtpd_hard_error_limit": "4", "smtpd_timeout": "1s"}).start()
    want = []
    for lines, body in SESSIONS:
        idle = 0
        if isinstance(lines, tuple):
            lines, idle = lines
        session(inst, lines, idle=idle)
        if body is not None:
            want.append(notice(body))
            deadline = time.monotonic() + 10
            while notices(inst) < len(want):
                assert time.monotonic() < deadline, inst.log_tail()
                time.sleep(0.05)
    got = norm(inst.read_mailbox("paco").decode("latin1"))
    assert got == "".join(want)


def test_default_classes(mailnet, instance, mta_kind):
    """notify_classes = resource, software (the default): a protocol error
    sends nothing, nor does a policy error; with "policy" the policy error
    does (relay access denied; an unknown local recipient is a "bounce"
    error, never reported by smtpd)."""
    inst = instance(mta_kind, mynetworks="127.0.0.1/32", params={
        "smtpd_error_sleep_time": "0", "error_notice_recipient": "paco"}).start()
    session(inst, ["HELO x", "FOO", "MAIL FROM:<a@b>", "RCPT TO:<nosuch>", "QUIT"])
    # A marker message: once it is in the mailbox, a notice would be too.
    session(inst, ["HELO y", "MAIL FROM:<a@b>", "RCPT TO:<paco>", "DATA",
                   "Subject: marker\r\n\r\nx\r\n.", "QUIT"])
    inst.wait_for_mail("paco", rb"^Subject: marker$")
    assert notices(inst) == 0
    assert inst.log_lines(r"from=<double-bounce@") == []

    inst.set_params(notify_classes="policy")
    inst.reload()
    time.sleep(0.5)
    session(inst, ["HELO z", "MAIL FROM:<a@b>", "RCPT TO:<nosuch>", "QUIT"])
    session(inst, ["HELO z", "MAIL FROM:<a@b>", "RCPT TO:<x@remote.test>", "QUIT"], OUTSIDER)
    data = norm(inst.wait_for_mail("paco", SUBJECT).decode("latin1"))
    assert data.endswith(notice(
        " Out: 220 mail.example.test ESMTP MTA\n In:  HELO z\n Out: 250 mail.example.test\n"
        " In:  MAIL FROM:<a@b>\n Out: 250 2.1.0 Ok\n In:  RCPT TO:<x@remote.test>\n"
        " Out: 454 4.7.1 <x@remote.test>: Relay access denied\n"
        " In:  QUIT\n Out: 221 2.0.0 Bye\n\n", client="client.example.test[127.0.0.2]"))
    assert notices(inst) == 1


def test_policy_and_bounce(mailnet, instance, mta_kind):
    """A MAIL SIZE= over the limit is a policy error; an unknown recipient
    a bounce error, whose notice goes to bounce_notice_recipient (the To:
    header still names error_notice_recipient, as with Postfix)."""
    inst = instance(mta_kind, mynetworks="127.0.0.1/32", params={
        "smtpd_error_sleep_time": "0", "notify_classes": "policy, bounce",
        "error_notice_recipient": "paco", "bounce_notice_recipient": "enrique"}).start()
    session(inst, ["HELO size", "MAIL FROM:<a@b> SIZE=999999999", "QUIT"])
    session(inst, ["HELO unknown", "MAIL FROM:<a@b>", "RCPT TO:<nosuch>", "QUIT"])
    paco = norm(inst.wait_for_mail("paco", SUBJECT).decode("latin1"))
    enrique = norm(inst.wait_for_mail("enrique", SUBJECT).decode("latin1"))
    assert paco == notice(
        " Out: 220 mail.example.test ESMTP MTA\n In:  HELO size\n"
        " Out: 250 mail.example.test\n In:  MAIL FROM:<a@b> SIZE=999999999\n"
        " Out: 552 5.3.4 Message size exceeds fixed limit\n"
        " In:  QUIT\n Out: 221 2.0.0 Bye\n\n")
    assert enrique == notice(
        " Out: 220 mail.example.test ESMTP MTA\n In:  HELO unknown\n"
        " Out: 250 mail.example.test\n In:  MAIL FROM:<a@b>\n Out: 250 2.1.0 Ok\n"
        " In:  RCPT TO:<nosuch>\n"
        " Out: 550 5.1.1 <nosuch>: Recipient address rejected: User unknown in local\n"
        "     recipient table\n In:  QUIT\n Out: 221 2.0.0 Bye\n\n", user="enrique")


def test_software_and_resource_errors(mailnet, instance, mta_kind):
    """notify_classes = resource, software (the default): an unknown
    restriction (a configuration error: software) and a body_checks table
    that cannot answer (cleanup's "queue file write error": resource) each
    send the postmaster a notice."""
    inst = instance(mta_kind, mynetworks="127.0.0.1/32", params={
        "smtpd_error_sleep_time": "0", "error_notice_recipient": "paco",
        "smtpd_relay_restrictions": "bogus_restriction_x, reject_unauth_destination",
        "body_checks": "hash:/nonexistent/body_checks"}).start()
    session(inst, ["HELO sw", "MAIL FROM:<a@b>", "RCPT TO:<paco>", "QUIT"])
    first = norm(inst.wait_for_mail("paco", SUBJECT).decode("latin1"))
    assert first == notice(
        " Out: 220 mail.example.test ESMTP MTA\n In:  HELO sw\n"
        " Out: 250 mail.example.test\n In:  MAIL FROM:<a@b>\n Out: 250 2.1.0 Ok\n"
        " In:  RCPT TO:<paco>\n Out: 451 4.3.5 Server configuration error\n"
        " In:  QUIT\n Out: 221 2.0.0 Bye\n\n")
    inst.wait_for_log(r'warning: unknown smtpd restriction: "bogus_restriction_x"$')

    inst.set_params(smtpd_relay_restrictions="permit_mynetworks, reject")
    inst.reload()
    time.sleep(0.5)
    session(inst, ["HELO rs", "MAIL FROM:<a@b>", "RCPT TO:<paco>", "DATA",
                   "Subject: x\r\n\r\nx\r\n.", "QUIT"])
    deadline = time.monotonic() + 10
    while notices(inst) < 2:
        assert time.monotonic() < deadline, inst.log_tail()
        time.sleep(0.05)
    got = norm(inst.read_mailbox("paco").decode("latin1"))
    assert got == first + notice(
        " Out: 220 mail.example.test ESMTP MTA\n In:  HELO rs\n"
        " Out: 250 mail.example.test\n In:  MAIL FROM:<a@b>\n Out: 250 2.1.0 Ok\n"
        " In:  RCPT TO:<paco>\n Out: 250 2.1.5 Ok\n"
        " In:  DATA\n Out: 354 End data with <CR><LF>.<CR><LF>\n"
        " Out: 451 4.3.0 Error: queue file write error\n"
        " In:  QUIT\n Out: 221 2.0.0 Bye\n\n")
    inst.wait_for_log(r"cleanup\[\d+\]: warning: \w+: body_checks map lookup problem -- message "
                      r"not accepted, try again later$")
    # cleanup said why; smtpd logs no "reject:" line of its own for it.
    assert inst.log_lines(r"smtpd\[\d+\]: \w+: reject: END-OF-MESSAGE") == []
