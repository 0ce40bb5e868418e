"""local(8) alias_maps expansion, each scenario run against Debian's Postfix
3.7 and against Postern (the mta_kind fixture) with the same expected SMTP
replies, local log lines and mailbox contents.

The alias table is a texthash: file in the instance directory (alias_maps
names it); paco and enrique are real users (mk/testsetup.sh).  Mail comes in
over SMTP from 127.0.0.1 (inside mynetworks).

Run: /usr/bin/python3 -m pytest -q tests/test_local_aliases.py   (as root)
"""
import os
import re

import pytest

from test_smtpd_instance import check, log_lines, norm, run

ALIASES = """\
postmaster paco
two paco, enrique
loopa loopb
loopb loopa
ghost nosuchuser
selfref selfref, enrique
"""

ACCEPTED = ["220 mail.example.test ESMTP MTA", "250 mail.example.test", "250 2.1.0 Ok",
            "250 2.1.5 Ok", "354 End data with <CR><LF>.<CR><LF>",
            "250 2.0.0 Ok: queued as ID", "221 2.0.0 Bye"]


@pytest.fixture
def mta(mailnet, instance, mta_kind):
    def make(aliases=ALIASES, **params):
        inst = instance(mta_kind, mynetworks="127.0.0.1/32", params=params)
        path = os.path.join(inst.dir, "aliases")
        if aliases is not None:
            with open(path, "w") as f:
                f.write(aliases)
        inst.set_params(alias_maps=params.get("alias_maps", f"texthash:{path}"))
        return inst.start()
    return make


def send(inst, rcpt, subject):
    got = run(inst, ["helo localhost", "mail from:<enrique@example.test>", f"rcpt to:<{rcpt}>",
                     "data", f"Subject: {subject}\r\n\r\nbody\r\n.", "quit"])
    check(got, ACCEPTED)


def local_log(inst, mark):
    """local's delivery lines and warnings, without delays."""
    lines = log_lines(inst, r"postfix/local\[\d+\]: (ID|[0-9A-F]+: |warning: (?!.*overriding))",
                      since=mark)
    return [re.sub(r"delay=[\d.]+, delays=[\d./]+, ", "", line) for line in lines]


def mbox_entry(orig, delivered, subject):
    return ("From enrique@example.test  DATE\n"
            "Return-Path: <enrique@example.test>\n"
            f"X-Original-To: {orig}\n"
            f"Delivered-To: {delivered}\n"
            "Received: from localhost (localhost [127.0.0.1])\n"
            "\tby mail.example.test (MTA) with SMTP id ID\n"
            f"\tfor <{orig}>; DATE\n"
            f"Subject: {subject}\n"
            "Message-Id: <STAMP.ID@mail.example.test>\n"
            "Date: DATE\n"
            "From: enrique@example.test\n"
            "\n"
            "body\n"
            "\n")


def test_simple_alias(mta):
    inst = mta()
    mark = inst.log_mark()
    send(inst, "postmaster", "one")
    inst.wait_for_log(r"postfix/qmgr\[\d+\]: \w+: removed", since=mark)
    assert local_log(inst, mark) == [
        "local: ID: to=<paco@example.test>, orig_to=<postmaster>, relay=local, dsn=2.0.0, "
        "status=sent (delivered to mailbox)"]
    assert norm(inst.read_mailbox("paco").decode()) == \
        mbox_entry("postmaster", "postmaster@example.test", "one")


def test_alias_to_two_users(mta):
    inst = mta()
    mark = inst.log_mark()
    send(inst, "two", "both")
    inst.wait_for_log(r"postfix/qmgr\[\d+\]: \w+: removed", since=mark)
    assert local_log(inst, mark) == [
        "local: ID: to=<paco@example.test>, orig_to=<two>, relay=local, dsn=2.0.0, "
        "status=sent (delivered to mailbox)",
        "local: ID: to=<enrique@example.test>, orig_to=<two>, relay=local, dsn=2.0.0, "
        "status=sent (delivered to mailbox)"]
    want = mbox_entry("two", "two@example.test", "both")
    assert norm(inst.read_mailbox("paco").decode()) == want
    assert norm(inst.read_mailbox("enrique").decode()) == want


def test_alias_loop_bounces(mta):
    inst = mta()
    mark = inst.log_mark()
    send(inst, "loopa", "loop")
    inst.wait_for_log(r"sender non-delivery notification", since=mark)
    lines = local_log(inst, mark)
    assert lines[:2] == [
        "local: warning: alias database loop for loopb",
        "local: ID: to=<loopb@example.test>, orig_to=<loopa>, relay=local, dsn=5.4.6, "
        "status=bounced (alias database loop for loopb)"], "\n".join(lines)
    assert inst.read_mailbox("paco") == b""


def test_alias_naming_itself_and_unknown_user(mta):
    inst = mta()
    mark = inst.log_mark()
    send(inst, "ghost", "ghost")
    inst.wait_for_log(r"sender non-delivery notification", since=mark)
    assert local_log(inst, mark)[:1] == [
        "local: ID: to=<nosuchuser@example.test>, orig_to=<ghost>, relay=local, dsn=5.1.1, "
        "status=bounced (unknown user: \"nosuchuser\")"]
    mark = inst.log_mark()
    send(inst, "selfref", "self")
    inst.wait_for_log(r"sender non-delivery notification", since=mark)
    assert local_log(inst, mark)[:2] == [
        "local: ID: to=<selfref@example.test>, orig_to=<selfref>, relay=local, dsn=5.1.1, "
        "status=bounced (unknown user: \"selfref\")",
        "local: ID: to=<enrique@example.test>, orig_to=<selfref>, relay=local, dsn=2.0.0, "
        "status=sent (delivered to mailbox)"]


def test_unreadable_alias_table_defers(mta, tmp_path):
    missing = str(tmp_path / "no-such-aliases")
    # smtpd would ask the broken table too (local_recipient_maps): leave it out.
    inst = mta(aliases=None, alias_maps=f"hash:{missing}", local_recipient_maps="")
    mark = inst.log_mark()
    send(inst, "paco", "deferred")
    inst.wait_for_log(r"status=deferred", since=mark)
    lines = [l for l in local_log(inst, mark) if "status=" in l]
    assert lines == [
        "local: ID: to=<paco@example.test>, orig_to=<paco>, relay=local, dsn=4.3.0, "
        "status=deferred (alias database unavailable)"], "\n".join(local_log(inst, mark))
    assert inst.read_mailbox("paco") == b""


def test_command_and_file_targets_restricted(mta):
    inst = mta(aliases="pipe |/bin/true\nfile /tmp/no-such-dir/x\n",
               allow_mail_to_commands="forward", allow_mail_to_files="forward")
    mark = inst.log_mark()
    send(inst, "pipe", "pipe")
    send(inst, "file", "file")
    inst.wait_for_log(r"to=<file@example\.test>.*status=", since=mark)
    lines = [l for l in local_log(inst, mark) if "orig_to=" in l]
    assert sorted(lines) == [
        "local: ID: to=<file@example.test>, orig_to=<file>, relay=local, dsn=5.7.1, "
        "status=bounced (mail to file is restricted)",
        "local: ID: to=<pipe@example.test>, orig_to=<pipe>, relay=local, dsn=5.7.1, "
        "status=bounced (mail to command is restricted)"], "\n".join(lines)


def test_targets_not_implemented_yet(mailnet, instance):
    """Postern only (Postfix has these): a |command target and a non-local
    address in an alias bounce at once with a reason that says what is
    missing; the alias's local members get their one copy, and nothing is
    retried (no further copies)."""
    inst = instance("postern", mynetworks="127.0.0.1/32")
    path = os.path.join(inst.dir, "aliases")
    with open(path, "w") as f:
        f.write("team paco, |/bin/cat\nlist enrique, someone@remote.test\n")
    inst.set_params(alias_maps=f"texthash:{path}")
    inst.start()
    send(inst, "team", "team")
    send(inst, "list", "list")
    inst.wait_for_log(r"to=<team@example\.test>, orig_to=<team>, relay=local, .*dsn=5\.3\.0, "
                      r"status=bounced \(delivery to command in an alias is not supported by "
                      r"this mail system yet: \|/bin/cat\)$")
    inst.wait_for_log(r"to=<someone@remote\.test>, orig_to=<list>, relay=local, .*dsn=5\.3\.0, "
                      r"status=bounced \(forwarding to a non-local address is not supported by "
                      r"this mail system yet\)$")
    inst.wait_for_mail("paco", rb"Subject: team")
    inst.wait_for_mail("enrique", rb"Subject: list")
    inst.wait_for_queue_empty()
    assert inst.read_mailbox("paco").count(b"Subject: team") == 1
