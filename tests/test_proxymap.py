"""proxymap(8) and the proxy:type:name table on a real Postern instance,
with Debian's Postfix 3.7 as the reference for what postmap prints and what
proxymap logs.

postmap uses lib/dict, so "postmap -q KEY proxy:TYPE:NAME" goes through
private/proxymap (or private/proxywrite for -d) of the running instance.
"""
import os
import re
import shutil

import pytest


def _instance(instance, kind="postern", **params):
    inst = instance(kind, smtp=False)
    inst.write_config()
    table = os.path.join(inst.conf, "access")
    with open(table, "w") as f:
        f.write("listed.test OK\nMixed.Case REJECT\n")
    ro = os.path.join(inst.conf, "secret")
    with open(ro, "w") as f:
        f.write("k v\n")
    rw = os.path.join(inst.conf, "cache")
    inst.set_params(proxy_read_maps=f"$local_recipient_maps proxy:texthash:{table} "
                                    f"proxy:btree:{rw}",
                    proxy_write_maps=f"proxy:btree:{rw}", **params)
    inst.allow_log(r"postmap\[\d+\]: fatal: ")
    inst.start()
    return inst, table, ro, rw


def _postmap(inst, *args):
    return inst.command("postmap", *args, check=False)


@pytest.mark.parametrize("kind", ["postfix", "postern"])
def test_passwd_through_proxymap_and_refusal(instance, kind):
    inst, table, ro, rw = _instance(instance, kind)
    # proxy:unix:passwd.byname is approved through $local_recipient_maps.
    p = _postmap(inst, "-q", "root", "proxy:unix:passwd.byname")
    assert (p.returncode, p.stdout) == (0, "root:x:0:0:root:/root:/bin/bash\n") or \
        (p.returncode == 0 and p.stdout.startswith("root:x:0:0:")), p
    p = _postmap(inst, "-q", "nosuchuser-xyz", "proxy:unix:passwd.byname")
    assert (p.returncode, p.stdout) == (1, ""), p
    # A listed file table answers, folded to lower case like a direct lookup.
    p = _postmap(inst, "-q", "LISTED.test", f"proxy:texthash:{table}")
    assert (p.returncode, p.stdout) == (0, "OK\n"), p
    # An unlisted one is refused, with Postfix's words on both sides.
    mark = inst.log_mark()
    p = _postmap(inst, "-q", "k", f"proxy:texthash:{ro}")
    assert p.returncode == 1, p
    want = f'postmap: fatal: proxymap service is not configured for table "texthash:{ro}"'
    assert want in p.stderr, p.stderr
    inst.wait_for_log(rf'proxymap\[\d+\]: warning: request for unapproved table: '
                      rf'"texthash:{re.escape(ro)}"', since=mark)
    inst.wait_for_log(rf"proxymap\[\d+\]: warning: to approve this table for read-only access, "
                      rf"list proxy:texthash:{re.escape(ro)} in main.cf:proxy_read_maps",
                      since=mark)


def test_proxywrite_updates_and_deletes(instance):
    inst, table, ro, rw = _instance(instance)
    # Create the table; then change it through proxywrite (postmap -d opens
    # it read-write) and read it through proxymap.
    with open(rw, "w") as f:
        f.write("a 1\nb 2\n")
    assert inst.command("postmap", f"btree:{rw}").returncode == 0
    # proxywrite runs as mail_owner: the table must be its to change.
    shutil.chown(rw + ".db", "postfix", "postfix")
    p = _postmap(inst, "-q", "b", f"proxy:btree:{rw}")
    assert (p.returncode, p.stdout) == (0, "2\n"), p
    p = _postmap(inst, "-d", "b", f"proxy:btree:{rw}")
    assert p.returncode == 0, p
    p = _postmap(inst, "-q", "b", f"proxy:btree:{rw}")
    assert (p.returncode, p.stdout) == (1, ""), p
    p = _postmap(inst, "-q", "a", f"btree:{rw}")
    assert (p.returncode, p.stdout) == (0, "1\n"), p
    # Writes to a table that is only readable through proxymap are refused.
    mark = inst.log_mark()
    p = _postmap(inst, "-d", "k", f"proxy:texthash:{table}")
    assert p.returncode != 0 and "proxywrite service is not configured for table" in p.stderr, p
    inst.wait_for_log(r"proxymap\[\d+\]: warning: to approve this table for read-write "
                      r"access, list proxy:texthash:.* in main.cf:proxy_write_maps", since=mark)


def test_service_down_is_a_temporary_error(instance):
    inst, table, ro, rw = _instance(instance)
    inst.stop()
    p = _postmap(inst, "-q", "listed.test", f"proxy:texthash:{table}")
    assert p.returncode != 0 and "proxymap" in p.stderr, p


def test_chrooted_smtpd_validates_local_recipients_through_proxymap(instance):
    """The default local_recipient_maps is proxy:unix:passwd.byname: a
    chrooted smtpd (Debian's master.cf says chroot y) cannot read
    /etc/passwd itself and must ask proxymap, as with Postfix."""
    from lib.instance import MASTER_CF
    inst = instance("postern", smtp=True)
    text = MASTER_CF.format(**inst.vars)
    text = re.sub(r"^(\S+\s+inet\s+n\s+-\s+)n(\s)", r"\1y\2", text, flags=re.M)
    assert re.search(r"^\S+\s+inet\s+n\s+-\s+y\s", text, re.M), text
    inst.master_cf_text = text
    inst.start()
    r = inst.ns.python(
        "import smtplib\n"
        f"s = smtplib.SMTP('{inst.listen}', {inst.port})\n"
        "s.ehlo('client.test')\n"
        "s.mail('someone@example.org')\n"
        "print(s.rcpt('paco@example.test'))\n"
        "print(s.rcpt('nosuchuser@example.test'))\n"
        "s.quit()\n")
    assert "(250, b'2.1.5 Ok')" in r.stdout, r.stdout + r.stderr
    assert ("(550, b'5.1.1 <nosuchuser@example.test>: Recipient address rejected: User unknown "
            "in local recipient table')") in r.stdout, r.stdout
    smtpd = [p for p in inst.pids() if open(f"/proc/{p}/comm").read().strip() == "smtpd"]
    assert smtpd and all(os.path.realpath(os.readlink(f"/proc/{p}/root"))
                         == os.path.realpath(inst.queue) for p in smtpd)
