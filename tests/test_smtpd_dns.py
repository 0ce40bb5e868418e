"""reject_unknown_sender_domain / reject_unknown_recipient_domain /
reject_unknown_helo_hostname against a real DNS (dnsmasq in the test's
namespace), the same dialogue against Debian's Postfix 3.7 and Postern
(mta_kind), replies compared byte for byte (after the usual normalisation
of mail_name and queue ids, see test_smtpd_instance.norm).

Domains (besides tests/fixtures/dns/example.test.json):
  mxonly.test    MX only (to mail.example.test)        -> accepted
  aonly.test     A only                                 -> accepted
  aaaaonly.test  AAAA only                              -> accepted
  nullmx.test    null MX "." (RFC 7505)                 -> 556 5.7.27 (addresses)
  nx.test        nothing (NXDOMAIN)                     -> unknown_*_reject_code
  txtonly.test   a TXT record only (NODATA for MX/A)    -> unknown_*_reject_code
  broken.test    SERVFAIL                               -> 450 (tempfail action)
  slow.test      no answer (resolver timeout)           -> 450 (tempfail action)
Run: /usr/bin/python3 -m pytest -q tests/test_smtpd_dns.py   (as root)
"""
import pytest

from lib.dns import DnsServer, load_zone
from test_smtpd_instance import EHLO, check, run

PARAMS = {
    "smtpd_forbid_bare_newline": "normalize",
    "smtpd_error_sleep_time": "0",
    "smtpd_soft_error_limit": "100",
    "smtpd_hard_error_limit": "100",
}

RECORDS = load_zone("example.test") + [
    ("mxonly.test", "MX", (10, "mail.example.test")),
    ("aonly.test", "A", "127.0.0.9"),
    ("aaaaonly.test", "AAAA", "::9"),
    ("txtonly.test", "TXT", "hello"),
    ("nullmx.test", "MX", (0, ".")),
]

DOMAINS = ["mxonly.test", "aonly.test", "aaaaonly.test", "nullmx.test", "nx.test",
           "txtonly.test", "broken.test", "example.test"]


@pytest.fixture
def mta(netns, dns, instance, mta_kind):
    if not DnsServer.available():
        pytest.skip("dnsmasq not installed (dnsmasq-base)")
    d = DnsServer(netns, RECORDS, servfail=["broken.test"], timeout=["slow.test"])
    d.start()
    netns.dns = d

    def make(**params):
        inst = instance(mta_kind, mynetworks="127.0.0.1/32", params={**PARAMS, **params})
        return inst.start()
    return make


def dialogue(inst, cmd):
    steps = ["EHLO client.example.test"]
    for dom in DOMAINS:
        steps += cmd(dom)
    return run(inst, steps + ["QUIT"])


def test_sender_domain(mta):
    inst = mta(smtpd_sender_restrictions="reject_unknown_sender_domain")
    got = dialogue(inst, lambda d: [f"MAIL FROM:<s@{d}>", "RCPT TO:<root@localhost>", "RSET"])
    check(got, WANT_SENDER)


def test_recipient_domain(mta):
    inst = mta(smtpd_recipient_restrictions="reject_unknown_recipient_domain, "
               "permit_mynetworks, reject_unauth_destination",
               unknown_address_reject_code="550",
               unknown_address_tempfail_action="defer")
    got = dialogue(inst, lambda d: ["MAIL FROM:<>", f"RCPT TO:<r@{d}>", "RSET"])
    check(got, WANT_RCPT)


def test_helo_hostname(mta):
    inst = mta(smtpd_helo_required="yes",
               smtpd_helo_restrictions="reject_unknown_helo_hostname")
    steps = []
    for d in DOMAINS + ["mail.example.test"]:
        steps += [f"HELO {d}", "MAIL FROM:<>", "RCPT TO:<root@localhost>", "RSET"]
    got = run(inst, steps + ["QUIT"])
    check(got, WANT_HELO)


BANNER = ["220 mail.example.test ESMTP MTA", EHLO]

WANT_SENDER = BANNER + [
    "250 2.1.0 Ok",
    "250 2.1.5 Ok",
    "250 2.0.0 Ok",
    "250 2.1.0 Ok",
    "250 2.1.5 Ok",
    "250 2.0.0 Ok",
    "250 2.1.0 Ok",
    "250 2.1.5 Ok",
    "250 2.0.0 Ok",
    "250 2.1.0 Ok",
    "550 5.7.27 <s@nullmx.test>: Sender address rejected: Domain nullmx.test does not accept mail (nullMX)",
    "250 2.0.0 Ok",
    "250 2.1.0 Ok",
    "450 4.1.8 <s@nx.test>: Sender address rejected: Domain not found",
    "250 2.0.0 Ok",
    "250 2.1.0 Ok",
    "450 4.1.8 <s@txtonly.test>: Sender address rejected: Domain not found",
    "250 2.0.0 Ok",
    "250 2.1.0 Ok",
    "450 4.1.8 <s@broken.test>: Sender address rejected: Domain not found",
    "250 2.0.0 Ok",
    "250 2.1.0 Ok",
    "250 2.1.5 Ok",
    "250 2.0.0 Ok",
    "221 2.0.0 Bye",
]

WANT_RCPT = BANNER + [
    "250 2.1.0 Ok",
    "250 2.1.5 Ok",
    "250 2.0.0 Ok",
    "250 2.1.0 Ok",
    "250 2.1.5 Ok",
    "250 2.0.0 Ok",
    "250 2.1.0 Ok",
    "250 2.1.5 Ok",
    "250 2.0.0 Ok",
    "250 2.1.0 Ok",
    "556 5.1.10 <r@nullmx.test>: Recipient address rejected: Domain nullmx.test does not accept mail (nullMX)",
    "250 2.0.0 Ok",
    "250 2.1.0 Ok",
    "550 5.1.2 <r@nx.test>: Recipient address rejected: Domain not found",
    "250 2.0.0 Ok",
    "250 2.1.0 Ok",
    "550 5.1.2 <r@txtonly.test>: Recipient address rejected: Domain not found",
    "250 2.0.0 Ok",
    "250 2.1.0 Ok",
    "450 4.1.2 <r@broken.test>: Recipient address rejected: Domain not found",
    "250 2.0.0 Ok",
    "250 2.1.0 Ok",
    "550 5.1.1 <r@example.test>: Recipient address rejected: User unknown in local recipient table",
    "250 2.0.0 Ok",
    "221 2.0.0 Bye",
]

WANT_HELO = ["220 mail.example.test ESMTP MTA", "250 mail.example.test"] + [
    "250 2.1.0 Ok",
    "250 2.1.5 Ok",
    "250 2.0.0 Ok",
    "250 mail.example.test",
    "250 2.1.0 Ok",
    "250 2.1.5 Ok",
    "250 2.0.0 Ok",
    "250 mail.example.test",
    "250 2.1.0 Ok",
    "250 2.1.5 Ok",
    "250 2.0.0 Ok",
    "250 mail.example.test",
    "250 2.1.0 Ok",
    "250 2.1.5 Ok",
    "250 2.0.0 Ok",
    "250 mail.example.test",
    "250 2.1.0 Ok",
    "450 4.7.1 <nx.test>: Helo command rejected: Host not found",
    "250 2.0.0 Ok",
    "250 mail.example.test",
    "250 2.1.0 Ok",
    "450 4.7.1 <txtonly.test>: Helo command rejected: Host not found",
    "250 2.0.0 Ok",
    "250 mail.example.test",
    "250 2.1.0 Ok",
    "450 4.7.1 <broken.test>: Helo command rejected: Host not found",
    "250 2.0.0 Ok",
    "250 mail.example.test",
    "250 2.1.0 Ok",
    "250 2.1.5 Ok",
    "250 2.0.0 Ok",
    "250 mail.example.test",
    "250 2.1.0 Ok",
    "250 2.1.5 Ok",
    "250 2.0.0 Ok",
    "221 2.0.0 Bye",
]


def test_timeout(mta):
    """No answer at all (slow.test) is a temporary failure, like SERVFAIL."""
    inst = mta(smtpd_recipient_restrictions="reject_unknown_recipient_domain, "
               "permit_mynetworks, reject_unauth_destination",
               unknown_address_tempfail_action="defer")
    got = run(inst, ["EHLO client.example.test",
                     "MAIL FROM:<>", "RCPT TO:<r@slow.test>", "QUIT"])
    check(got, BANNER + [
        "250 2.1.0 Ok",
        "450 4.1.2 <r@slow.test>: Recipient address rejected: Domain not found",
        "221 2.0.0 Bye",
    ])


def test_defer_if_permit_then_reject(mta, mta_kind):
    """With the default unknown_address_tempfail_action = defer_if_permit, a
    later outright reject wins over the deferral (Postfix)."""
    inst = mta(smtpd_sender_restrictions="reject_unknown_sender_domain",
               smtpd_recipient_restrictions="reject_unknown_recipient_domain, "
               "permit_mynetworks, reject_unauth_destination",
               unknown_address_reject_code="550")
    got = run(inst, ["EHLO client.example.test",
                     "MAIL FROM:<s@broken.test>", "RCPT TO:<r@nx.test>", "RSET", "QUIT"])
    check(got, BANNER + [
        "250 2.1.0 Ok",
        "550 5.1.2 <r@nx.test>: Recipient address rejected: Domain not found",
        "250 2.0.0 Ok",
        "221 2.0.0 Bye",
    ])


def test_defer_if_permit_defers_when_nothing_rejects(mta, mta_kind):
    """... and when nothing rejects outright, the pending deferral is the
    answer, even after a permit (Postfix)."""
    inst = mta(smtpd_sender_restrictions="reject_unknown_sender_domain",
               smtpd_recipient_restrictions="permit_mynetworks, reject_unauth_destination")
    got = run(inst, ["EHLO client.example.test",
                     "MAIL FROM:<s@broken.test>", "RCPT TO:<paco@example.test>", "QUIT"])
    check(got, BANNER + [
        "250 2.1.0 Ok",
        "450 4.1.8 <s@broken.test>: Sender address rejected: Domain not found",
        "221 2.0.0 Bye",
    ])
