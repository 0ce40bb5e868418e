/*
 * tr_resolve_test - trivial-rewrite's rewrite and resolve rules, case by
 * case, against the answers of Debian's Postfix 3.7 trivial-rewrite.
 *
 * Each group is a main.cf fragment (added to a base that sets myhostname
 * mail.example.test, mydomain example.test, inet_interfaces 127.0.0.1,
 * compatibility_level 3.6) and a table of requests.  The expected answers
 * were recorded by running /usr/lib/postfix/sbin/trivial-rewrite
 * stand-alone with the same main.cf and sending it the same requests
 * (flags, transport, nexthop, recipient, placeholders included), so a
 * difference here is a difference from Postfix.
 *
 * Groups: rewrite (canonicalization and quoting), defaults (classes,
 * literals, routing operators, syntax errors), routes (routing through
 * local domains with $mydomain set), domains (list semantics: exact
 * names, parent domains, negation, tables; transport_maps forms),
 * transport (parent_domain_matches_subdomains, regexp full-address only,
 * recipient_delimiter, wildcard), sender (sender-dependent relayhost and
 * default transport, DUNNO-less lookups, null sender key), nexthops
 * (":nexthop" in the *_transport parameters beats relayhost), switches
 * (swap_bangpath, allow_percent_hack, resolve_dequoted_address,
 * resolve_null_domain, resolve_numeric_domain), failures and mydest_fail
 * (a failing table gives RESOLVE_FLAG_FAIL, never an answer), origin
 * (myorigin, mydomain, remote_header_rewrite_domain, append_dot_mydomain),
 * nulldomain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail_conf.h"
#include "mail_params.h"
#include "ptest.h"
#include "rewrite_clnt.h"
#include "tr_resolve.h"
#include "tr_rewrite.h"
#include "vstring.h"

typedef struct TR_RW_CASE {
    const char *rule;
    const char *addr;
    const char *want; /* null: the rule is refused */
} TR_RW_CASE;

typedef struct TR_RS_CASE {
    const char *sender;
    const char *addr;
    int flags;
    const char *transport;
    const char *nexthop;
    const char *recipient;
} TR_RS_CASE;

static const char tr_test_base[] = "myhostname = mail.example.test\n"
                                   "mydomain = example.test\n"
                                   "inet_interfaces = 127.0.0.1\n"
                                   "inet_protocols = ipv4\n"
                                   "compatibility_level = 3.6\n";

/* rewrite: main.cf additions */
static const char rewrite_cf[] =
    "mydestination = $myhostname, localhost.$mydomain, localhost, .sub.example.test\n"
    "relay_domains = relay.test, parent.test\n"
    "virtual_alias_domains = valias.test\n"
    "virtual_mailbox_domains = vmbox.test\n";

static const TR_RW_CASE rewrite_rw[] = {
    {"local", "user", "user@mail.example.test"},
    {"local", "user@", "user@"},
    {"local", "@", "\"\""},
    {"local", "", ""},
    {"remote", "user", "user"},
    {"local", "user@host", "user@host"},
    {"local", "user@host.", "user@host"},
    {"local", "\"a b\"@x", "\"a b\"@x"},
    {"local", "<user@x>", "\"<user\"@x>"},
    {"local", "@a,@b:user@c", "user@c"},
    {"local", "a!b!user", "b!user@a"},
    {"local", "user%x@y", "user%x@y"},
    {"local", "user@[1.2.3.4]", "user@[1.2.3.4]"},
    {"local", "Joe <x@y>", "\"Joe <x\"@y>"},
    {"local", "a@b@c", "\"a@b\"@c"},
    {"remote", "u.", "u"},
    {"remote", "\"u\"", "u"},
    {"remote", "a b", "\"a b\""},
    {"remote", "u@x..", "u@x.."},
    {"bogus", "u", 0},
    {"local", "u@@x", "\"u@\"@x"},
    {"local", "@@", "\"@\"@"},
    {"local", "a!b@c", "a!b@c"},
    {"local", "a%b", "a@b"},
    {"local", "a%b%c", "a%b@c"},
    {"local", "a!b%c", "b%c@a"},
    {"local", "@x,@y:u", "u@mail.example.test"},
    {"local", "@x:", "@x:\"\""},
    {"local", ":u", "\":u\"@mail.example.test"},
    {"local", "u@x.y.", "u@x.y"},
    {"local", "u@[1.2.3.4].", "u@[1.2.3.4]"},
    {"local", "\"a\\\"b\"@x", "\"a\\\"b\"@x"},
    {"local", "a\\b@x", "ab@x"},
    {"local", "\"a.b\"@x", "a.b@x"},
    {"local", "u@\"x\"", "u@x"},
    {"remote", "a \"b c\"", "\"a b c\""},
    {"remote", "\"a\" b", "\"a b\""},
    {"remote", "a.b c", "\"a.b c\""},
    {"local", "\"a\".\"b\"@x", "a.b@x"},
    {"local", "a (c) b@x", "\"a (c) b\"@x"},
    {"local", "a(c)@x", "\"a (c)\"@x"},
    {"local", "(c)a@x", "\"(c) a\"@x"},
    {"local", "a@x(c)", "a@x (c)"},
    {"local", "a@(c)x", "a@(c) x"},
    {"local", "a b@c d", "\"a b\"@c d"},
    {"local", "a@b c", "a@b c"},
    {"local", "a\"b\"@x", "\"a b\"@x"},
    {"local", "a<b>@x", "\"a <b>\"@x"},
    {"local", "a,b@x", "\"a, b\"@x"},
    {"local", "a;b@x", "\"a;b\"@x"},
    {"local", "a@[1.2.3.4]x", "a@[1.2.3.4] x"},
    {"local", "[1.2.3.4]@x", "\"[1.2.3.4]\"@x"},
    {"local", "u@x@", "\"u@x\"@"},
    {"local", "@x", "\"\"@x"},
    {"local", "@x:u@y", "u@y"},
    {"local", "@x,@y", "\"@x, \"@y"},
    {"local", "u@x:", "u@x:"},
    {"local", "a.@x", "\"a.\"@x"},
    {"local", ".a@x", "\".a\"@x"},
    {"local", "a..b@x", "\"a..b\"@x"},
    {"local", "Jöe@x", "Jöe@x"},
    {"local", "\"Jöe\"@x", "Jöe@x"},
    {"local", "u!", "\"\"@u"},
    {"local", "!u", "u@"},
    {"local", "u%", "u@"},
    {"local", "%u", "\"\"@u"},
    {"local", "\"\"", "\"\""},
    {"local", "<>", "\"<>\"@mail.example.test"},
    {"local", "\"u\" <x>", "\"u <x>\"@mail.example.test"},
    {0, 0, 0},
};

/* defaults: main.cf additions */
static const char defaults_cf[] =
    "mydestination = $myhostname, localhost.$mydomain, localhost, .sub.example.test\n"
    "relay_domains = relay.test, parent.test\n"
    "virtual_alias_domains = valias.test\n"
    "virtual_mailbox_domains = vmbox.test\n";

static const TR_RS_CASE defaults_rs[] = {
    {"", "user@mail.example.test", 256, "local", "mail.example.test", "user@mail.example.test"},
    {"", "user@[127.0.0.1]", 256, "local", "mail.example.test", "user@[127.0.0.1]"},
    {"", "user", 256, "local", "mail.example.test", "user@mail.example.test"},
    {"", "user@example.com", 4096, "smtp", "example.com", "user@example.com"},
    {"", "user%x@mail.example.test", 4096, "smtp", "x", "user@x"},
    {"", "a!b@mail.example.test", 4096, "smtp", "a", "b@a"},
    {"", "user@localhost", 256, "local", "mail.example.test", "user@localhost"},
    {"", "@", 4100, "CHANNEL NOT UPDATED", "NEXTHOP NOT UPDATED", "MAILER-DAEMON@"},
    {"", "", 256, "local", "mail.example.test", "MAILER-DAEMON@mail.example.test"},
    {"", "user@", 4100, "CHANNEL NOT UPDATED", "NEXTHOP NOT UPDATED", "user@"},
    {"", "user@1.2.3.4", 4100, "CHANNEL NOT UPDATED", "NEXTHOP NOT UPDATED", "user@1.2.3.4"},
    {"", "user@[1.2.3.4]", 4096, "smtp", "[1.2.3.4]", "user@[1.2.3.4]"},
    {"", "user@mail.example.test.", 256, "local", "mail.example.test", "user@mail.example.test"},
    {"", "user@x@mail.example.test", 4096, "smtp", "x", "user@x"},
    {"", "User@MAIL.example.TEST", 256, "local", "mail.example.test", "User@MAIL.example.TEST"},
    {"", "u@relay.test", 2048, "relay", "relay.test", "u@relay.test"},
    {"", "u@x.parent.test", 2048, "relay", "x.parent.test", "u@x.parent.test"},
    {"", "u@parent.test", 2048, "relay", "parent.test", "u@parent.test"},
    {"", "u@a.sub.example.test", 4096, "smtp", "a.sub.example.test", "u@a.sub.example.test"},
    {"", "u@sub.example.test", 4096, "smtp", "sub.example.test", "u@sub.example.test"},
    {"", "u@valias.test", 512, "error", "5.1.1 User unknown in virtual alias table",
     "u@valias.test"},
    {"", "u@vmbox.test", 1024, "virtual", "vmbox.test", "u@vmbox.test"},
    {"", "u@x.valias.test", 4096, "smtp", "x.valias.test", "u@x.valias.test"},
    {"", "u%x@relay.test", 2050, "relay", "relay.test", "u%x@relay.test"},
    {"", "u!x@relay.test", 2050, "relay", "relay.test", "u!x@relay.test"},
    {"", "x!u@mail.example.test", 4096, "smtp", "x", "u@x"},
    {"", "u@x@relay.test", 2050, "relay", "relay.test", "u@x@relay.test"},
    {"", "u%x@remote.test", 4098, "smtp", "remote.test", "u%x@remote.test"},
    {"", "u@y%x@remote.test", 4098, "smtp", "remote.test", "u@y%x@remote.test"},
    {"", "u@[127.0.0.2]", 4096, "smtp", "[127.0.0.2]", "u@[127.0.0.2]"},
    {"", "u@[ipv6:::1]", 4096, "smtp", "[ipv6:::1]", "u@[ipv6:::1]"},
    {"", "u@host..x", 4100, "CHANNEL NOT UPDATED", "NEXTHOP NOT UPDATED", "u@host..x"},
    {"", "u@-x.test", 4100, "CHANNEL NOT UPDATED", "NEXTHOP NOT UPDATED", "u@-x.test"},
    {"", "u@x_y.test", 4096, "smtp", "x_y.test", "u@x_y.test"},
    {"", "u@remote.test.", 4096, "smtp", "remote.test", "u@remote.test"},
    {"", "u@localhost.example.test", 256, "local", "mail.example.test", "u@localhost.example.test"},
    {"", "u+ext@localhost", 256, "local", "mail.example.test", "u+ext@localhost"},
    {"", "@mail.example.test", 256, "local", "mail.example.test",
     "MAILER-DAEMON@mail.example.test"},
    {"", "u@mail.example.test@", 256, "local", "mail.example.test", "u@mail.example.test"},
    {"", "u@[127.0.0.1].", 256, "local", "mail.example.test", "u@[127.0.0.1]"},
    {"", "u@127.0.0.1", 4100, "CHANNEL NOT UPDATED", "NEXTHOP NOT UPDATED", "u@127.0.0.1"},
    {"x@y.test", "u@remote.test", 4096, "smtp", "remote.test", "u@remote.test"},
    {"", "u@x.test@", 4096, "smtp", "x.test", "u@x.test"},
    {"", "u@@", 4100, "CHANNEL NOT UPDATED", "NEXTHOP NOT UPDATED", "u@"},
    {"", "@@", 4100, "CHANNEL NOT UPDATED", "NEXTHOP NOT UPDATED", "MAILER-DAEMON@"},
    {"", "u@mail.example.test@@", 256, "local", "mail.example.test", "u@mail.example.test"},
    {"", "u@x.test@mail.example.test", 4096, "smtp", "x.test", "u@x.test"},
    {"", "u@mail.example.test@mail.example.test", 256, "local", "mail.example.test",
     "u@mail.example.test"},
    {"", "a!b!c@mail.example.test", 4098, "smtp", "a", "b!c@a"},
    {"", "u%x%y@mail.example.test", 4098, "smtp", "y", "u%x@y"},
    {"", "u%x@mail.example.test@mail.example.test", 4096, "smtp", "x", "u@x"},
    {"", "u%mail.example.test@mail.example.test", 256, "local", "mail.example.test",
     "u@mail.example.test"},
    {"", "u%localhost", 256, "local", "mail.example.test", "u@localhost"},
    {"", "x!u", 4096, "smtp", "x", "u@x"},
    {"", "mail.example.test!u", 256, "local", "mail.example.test", "u@mail.example.test"},
    {"", "u%", 4100, "CHANNEL NOT UPDATED", "NEXTHOP NOT UPDATED", "u@"},
    {"", "u!", 4096, "smtp", "u", "@u"},
    {"", "!u", 4100, "CHANNEL NOT UPDATED", "NEXTHOP NOT UPDATED", "u@"},
    {"", "%u", 4096, "smtp", "u", "@u"},
    {"", "u@x..@mail.example.test", 4100, "CHANNEL NOT UPDATED", "NEXTHOP NOT UPDATED", "u@x.."},
    {"", "u.@x.test", 4096, "smtp", "x.test", "u.@x.test"},
    {"", "u@[127.0.0.1]@mail.example.test", 256, "local", "mail.example.test", "u@[127.0.0.1]"},
    {"", "u%[1.2.3.4]", 4096, "smtp", "[1.2.3.4]", "u@[1.2.3.4]"},
    {"", "u@mail.example.test.@", 256, "local", "mail.example.test", "u@mail.example.test"},
    {"", "MAILER-DAEMON", 256, "local", "mail.example.test", "MAILER-DAEMON@mail.example.test"},
    {"", "postmaster@[127.0.0.1]", 256, "local", "mail.example.test", "postmaster@[127.0.0.1]"},
    {"", "u@REMOTE.Test", 4096, "smtp", "REMOTE.Test", "u@REMOTE.Test"},
    {"", "u@a-.test", 4100, "CHANNEL NOT UPDATED", "NEXTHOP NOT UPDATED", "u@a-.test"},
    {"", "u@a.123", 4096, "smtp", "a.123", "u@a.123"},
    {"", "u@123", 4100, "CHANNEL NOT UPDATED", "NEXTHOP NOT UPDATED", "u@123"},
    {"", "u@_x.test", 4096, "smtp", "_x.test", "u@_x.test"},
    {"", "u@x.-y", 4100, "CHANNEL NOT UPDATED", "NEXTHOP NOT UPDATED", "u@x.-y"},
    {"", "u@[IPV6:::1]", 4096, "smtp", "[IPV6:::1]", "u@[IPV6:::1]"},
    {"", "u@[ipv6:1.2.3.4]", 4100, "CHANNEL NOT UPDATED", "NEXTHOP NOT UPDATED",
     "u@[ipv6:1.2.3.4]"},
    {"", "u@[1.2.3.4]x", 4100, "CHANNEL NOT UPDATED", "NEXTHOP NOT UPDATED", "u@[1.2.3.4] x"},
    {"", "u@x.[1.2.3.4]", 4100, "CHANNEL NOT UPDATED", "NEXTHOP NOT UPDATED", "u@x.[1.2.3.4]"},
    {"", "U@Relay.TEST", 2048, "relay", "Relay.TEST", "U@Relay.TEST"},
    {"", "u+x@VALIAS.test", 512, "error", "5.1.1 User unknown in virtual alias table",
     "u+x@VALIAS.test"},
    {"", "u@[127.0.0.1]x", 4100, "CHANNEL NOT UPDATED", "NEXTHOP NOT UPDATED", "u@[127.0.0.1] x"},
    {"", "u@\"x y\"", 4100, "CHANNEL NOT UPDATED", "NEXTHOP NOT UPDATED", "u@x y"},
    {"", "u@x%y", 4100, "CHANNEL NOT UPDATED", "NEXTHOP NOT UPDATED", "u@x%y"},
    {"", "\"a!b\"@remote.test", 4098, "smtp", "remote.test", "\"a!b\"@remote.test"},
    {"", "a!b@remote.test", 4098, "smtp", "remote.test", "a!b@remote.test"},
    {"", "u@[127.0.0.1", 256, "local", "mail.example.test", "u@[127.0.0.1]"},
    {"", "u@[127.1]", 4100, "CHANNEL NOT UPDATED", "NEXTHOP NOT UPDATED", "u@[127.1]"},
    {"", "u@[256.0.0.1]", 4100, "CHANNEL NOT UPDATED", "NEXTHOP NOT UPDATED", "u@[256.0.0.1]"},
    {"", "u@example", 4096, "smtp", "example", "u@example"},
    {"", "u@1.2.3.4x", 4096, "smtp", "1.2.3.4x", "u@1.2.3.4x"},
    {"", "u@a.1", 4096, "smtp", "a.1", "u@a.1"},
    {"", "u@[foo]", 4100, "CHANNEL NOT UPDATED", "NEXTHOP NOT UPDATED", "u@[foo]"},
    {"", "u@x..", 4100, "CHANNEL NOT UPDATED", "NEXTHOP NOT UPDATED", "u@x.."},
    {"", "u@.x", 4100, "CHANNEL NOT UPDATED", "NEXTHOP NOT UPDATED", "u@.x"},
    {"", "u@x.", 4096, "smtp", "x", "u@x"},
    {"", "\"u\"@mail.example.test", 256, "local", "mail.example.test", "\"u\"@mail.example.test"},
    {"", "\"u x\"@mail.example.test", 256, "local", "mail.example.test",
     "\"u x\"@mail.example.test"},
    {"", "\"\"@mail.example.test", 256, "local", "mail.example.test", "\"\"@mail.example.test"},
    {"", "\" \"@x.test", 4096, "smtp", "x.test", "\" \"@x.test"},
    {0, 0, 0, 0, 0, 0},
};

/* routes: main.cf additions */
static const char routes_cf[] = "myorigin = origin.test\n"
                                "mydomain = dom.test\n"
                                "remote_header_rewrite_domain = rhd.test\n"
                                "append_dot_mydomain = yes\n";

static const TR_RS_CASE routes_rs[] = {
    {"", "a!b@mail.example.test", 4096, "smtp", "a.dom.test", "b@a.dom.test"},
    {"", "u%x", 4096, "smtp", "x.dom.test", "u@x.dom.test"},
    {"", "x!u", 4096, "smtp", "x.dom.test", "u@x.dom.test"},
    {"", "u@x@mail.example.test", 4096, "smtp", "x.dom.test", "u@x.dom.test"},
    {"", "u@origin.test", 4096, "smtp", "origin.test", "u@origin.test"},
    {"", "u@", 4100, "CHANNEL NOT UPDATED", "NEXTHOP NOT UPDATED", "u@"},
    {"", "@a:u@b", 4098, "smtp", "b", "@a:u@b"},
    {"", "@mail.example.test:u@b", 4098, "smtp", "b", "@mail.example.test:u@b"},
    {0, 0, 0, 0, 0, 0},
};

/* domains: main.cf additions */
static const char domains_cf[] =
    "relay_domains = .relay2.test, !no.parent.test, parent.test\n"
    "virtual_alias_domains = .valias.test, valias.test\n"
    "virtual_mailbox_domains = inline:{vmbox.test=x, .vm2.test=y}\n"
    "mydestination = $myhostname, inline:{dest.test=1, .dsub.test=2}\n"
    "relayhost = [gw.example.test]:2525\n"
    "transport_maps = inline:{{u@t1.test=local:}, {t2.test=:[h2]}, {t3.test=smtp:}, "
    "{.t4.test=uucp:t4host}, {t5.test=:}, {v+e@t6.test=e1:n1}, {v@t6.test=e2:n2}, {t6.test=e3:n3}, "
    "{relay2.test=x:}, {mail.example.test=lmtp:unix:/x}, {t7.test=error:5.1.1 no such}, "
    "{t8.test=justtransport}}\n";

static const TR_RS_CASE domains_rs[] = {
    {"", "u@relay2.test", 4096, "x", "relay2.test", "u@relay2.test"},
    {"", "u@a.relay2.test", 4096, "smtp", "[gw.example.test]:2525", "u@a.relay2.test"},
    {"", "u@no.parent.test", 4096, "smtp", "[gw.example.test]:2525", "u@no.parent.test"},
    {"", "u@x.no.parent.test", 4096, "smtp", "[gw.example.test]:2525", "u@x.no.parent.test"},
    {"", "u@parent.test", 2048, "relay", "[gw.example.test]:2525", "u@parent.test"},
    {"", "u@a.valias.test", 4096, "smtp", "[gw.example.test]:2525", "u@a.valias.test"},
    {"", "u@valias.test", 512, "error", "5.1.1 User unknown in virtual alias table",
     "u@valias.test"},
    {"", "u@vmbox.test", 1024, "virtual", "vmbox.test", "u@vmbox.test"},
    {"", "u@a.vm2.test", 4096, "smtp", "[gw.example.test]:2525", "u@a.vm2.test"},
    {"", "u@vm2.test", 4096, "smtp", "[gw.example.test]:2525", "u@vm2.test"},
    {"", "u@dest.test", 256, "local", "mail.example.test", "u@dest.test"},
    {"", "u@a.dsub.test", 4096, "smtp", "[gw.example.test]:2525", "u@a.dsub.test"},
    {"", "u@t1.test", 4096, "local", "t1.test", "u@t1.test"},
    {"", "w@t1.test", 4096, "smtp", "[gw.example.test]:2525", "w@t1.test"},
    {"", "u@t2.test", 4096, "smtp", "[h2]", "u@t2.test"},
    {"", "u@t3.test", 4096, "smtp", "t3.test", "u@t3.test"},
    {"", "u@a.t4.test", 4096, "uucp", "t4host", "u@a.t4.test"},
    {"", "u@t4.test", 4096, "smtp", "[gw.example.test]:2525", "u@t4.test"},
    {"", "u@t5.test", 4096, "smtp", "[gw.example.test]:2525", "u@t5.test"},
    {"", "v+e@t6.test", 4096, "e1", "n1", "v+e@t6.test"},
    {"", "v+f@t6.test", 4096, "e3", "n3", "v+f@t6.test"},
    {"", "v@t6.test", 4096, "e2", "n2", "v@t6.test"},
    {"", "w@t6.test", 4096, "e3", "n3", "w@t6.test"},
    {"", "u", 256, "lmtp", "unix:/x", "u@mail.example.test"},
    {"", "u@remote.test", 4096, "smtp", "[gw.example.test]:2525", "u@remote.test"},
    {"", "u@t7.test", 4096, "error", "5.1.1 no such", "u@t7.test"},
    {"", "u@t8.test", 4096, "justtransport", "t8.test", "u@t8.test"},
    {"", "", 256, "lmtp", "unix:/x", "MAILER-DAEMON@mail.example.test"},
    {"", "u@[127.0.0.1]", 256, "local", "mail.example.test", "u@[127.0.0.1]"},
    {"", "U@T1.TEST", 4096, "local", "T1.TEST", "U@T1.TEST"},
    {0, 0, 0, 0, 0, 0},
};

/* transport: main.cf additions */
static const char transport_cf[] =
    "recipient_delimiter = +\n"
    "transport_maps = inline:{{v@t6.test=e2:n2}, {*=wild:card}, {sub.t9.test=:}}, "
    "regexp:@DIR@/tr.re\n"
    "parent_domain_matches_subdomains = transport_maps\n"
    "default_transport = smtp:[dflt]\n"
    "relay_transport = relay:[rly]\n"
    "virtual_transport = virtual:vnh\n"
    "local_transport = local\n"
    "relay_domains = relay.test\n"
    "virtual_mailbox_domains = vmbox.test\n"
    "sender_dependent_relayhost_maps = inline:{{s@send.test=[sdr1]}, {@send.test=[sdr2]}, "
    "{<>=[sdrnull]}}\n"
    "sender_dependent_default_transport_maps = inline:{{s2@send.test=sdt:}, {@dt.test=sdt2:[x]}}\n";

static const TR_RS_CASE transport_rs[] = {
    {"", "v+f@t6.test", 4096, "e2", "n2", "v+f@t6.test"},
    {"", "re@zz.test", 4096, "retrans", "renh", "re@zz.test"},
    {"", "re+x@t6.test", 4096, "wild", "card", "re+x@t6.test"},
    {"", "u@t9.test", 4096, "wild", "card", "u@t9.test"},
    {"", "u@sub.t9.test", 4096, "smtp", "[dflt]", "u@sub.t9.test"},
    {"", "u@a.sub.t9.test", 4096, "smtp", "[dflt]", "u@a.sub.t9.test"},
    {"", "u@remote.test", 4096, "wild", "card", "u@remote.test"},
    {"", "u", 256, "wild", "card", "u@mail.example.test"},
    {"", "u@relay.test", 2048, "wild", "card", "u@relay.test"},
    {"", "u@vmbox.test", 1024, "wild", "card", "u@vmbox.test"},
    {"", "u@[1.2.3.4]", 4096, "wild", "card", "u@[1.2.3.4]"},
    {0, 0, 0, 0, 0, 0},
};

/* sender: main.cf additions */
static const char sender_cf[] =
    "relay_domains = relay.test\n"
    "virtual_mailbox_domains = vmbox.test\n"
    "virtual_alias_domains = valias.test\n"
    "sender_dependent_relayhost_maps = inline:{{s@send.test=[sdr1]}, {@send.test=[sdr2]}, "
    "{<>=[sdrnull]}}\n"
    "sender_dependent_default_transport_maps = inline:{{s2@send.test=sdt:}, {@dt.test=sdt2:[x]}, "
    "{s3@send.test=sdt3}}\n";

static const TR_RS_CASE sender_rs[] = {
    {"s@send.test", "u@remote.test", 4096, "smtp", "[sdr1]", "u@remote.test"},
    {"x@send.test", "u@remote.test", 4096, "smtp", "[sdr2]", "u@remote.test"},
    {"", "u@remote.test", 4096, "smtp", "[sdrnull]", "u@remote.test"},
    {"", "u@relay.test", 2048, "relay", "[sdrnull]", "u@relay.test"},
    {"s@send.test", "u@relay.test", 2048, "relay", "[sdr1]", "u@relay.test"},
    {"s2@send.test", "u@remote.test", 4096, "sdt", "[sdr2]", "u@remote.test"},
    {"a@dt.test", "u@remote.test", 4096, "sdt2", "[x]", "u@remote.test"},
    {"s3@send.test", "u@remote.test", 4096, "sdt3", "[sdr2]", "u@remote.test"},
    {"s2@send.test", "u@relay.test", 2048, "relay", "[sdr2]", "u@relay.test"},
    {"s@send.test", "u", 256, "local", "mail.example.test", "u@mail.example.test"},
    {"s@SEND.test", "u@remote.test", 4096, "smtp", "[sdr1]", "u@remote.test"},
    {"x@y.test", "u@vmbox.test", 1024, "virtual", "vmbox.test", "u@vmbox.test"},
    {"s@send.test", "u@valias.test", 512, "error", "5.1.1 User unknown in virtual alias table",
     "u@valias.test"},
    {0, 0, 0, 0, 0, 0},
};

/* nexthops: main.cf additions */
static const char nexthops_cf[] =
    "default_transport = smtp:[dflt]\n"
    "relay_transport = relay:[rly]\n"
    "virtual_transport = virtual:vnh\n"
    "local_transport = local\n"
    "relay_domains = relay.test\n"
    "virtual_mailbox_domains = vmbox.test\n"
    "relayhost = rh.test\n"
    "sender_dependent_relayhost_maps = inline:{{s@send.test=[sdr1]}}\n";

static const TR_RS_CASE nexthops_rs[] = {
    {"", "u@remote.test", 4096, "smtp", "[dflt]", "u@remote.test"},
    {"", "u", 256, "local", "mail.example.test", "u@mail.example.test"},
    {"", "u@relay.test", 2048, "relay", "[rly]", "u@relay.test"},
    {"", "u@vmbox.test", 1024, "virtual", "vnh", "u@vmbox.test"},
    {"s@send.test", "u@relay.test", 2048, "relay", "[rly]", "u@relay.test"},
    {"s@send.test", "u@remote.test", 4096, "smtp", "[dflt]", "u@remote.test"},
    {0, 0, 0, 0, 0, 0},
};

/* switches: main.cf additions */
static const char switches_cf[] = "swap_bangpath = no\n"
                                  "allow_percent_hack = no\n"
                                  "resolve_dequoted_address = no\n"
                                  "resolve_null_domain = yes\n"
                                  "resolve_numeric_domain = yes\n";

static const TR_RW_CASE switches_rw[] = {
    {"local", "a!b", "a!b@mail.example.test"},
    {"local", "u%x", "u%x@mail.example.test"},
    {0, 0, 0},
};

static const TR_RS_CASE switches_rs[] = {
    {"", "u@", 256, "local", "mail.example.test", "u@mail.example.test"},
    {"", "u@1.2.3.4", 4096, "smtp", "[1.2.3.4]", "u@[1.2.3.4]"},
    {"", "u@127.0.0.1", 256, "local", "mail.example.test", "u@[127.0.0.1]"},
    {"", "a!b@mail.example.test", 258, "local", "mail.example.test", "a!b@mail.example.test"},
    {"", "u%x@mail.example.test", 258, "local", "mail.example.test", "u%x@mail.example.test"},
    {"", "u%x@remote.test", 4098, "smtp", "remote.test", "u%x@remote.test"},
    {"", "\"u@x\"@mail.example.test", 258, "local", "mail.example.test",
     "\"u@x\"@mail.example.test"},
    {"", "\"u@x\"@remote.test", 4098, "smtp", "remote.test", "\"u@x\"@remote.test"},
    {"", "u@remote.test", 4096, "smtp", "remote.test", "u@remote.test"},
    {"", "\"a!b\"@mail.example.test", 258, "local", "mail.example.test",
     "\"a!b\"@mail.example.test"},
    {"", "@", 256, "local", "mail.example.test", "MAILER-DAEMON@mail.example.test"},
    {"", "u@@", 258, "local", "mail.example.test", "u@@mail.example.test"},
    {"", "@@", 258, "local", "mail.example.test", "@@mail.example.test"},
    {"", "u@x.test@", 258, "local", "mail.example.test", "u@x.test@mail.example.test"},
    {0, 0, 0, 0, 0, 0},
};

/* failures: main.cf additions */
static const char failures_cf[] = "transport_maps = fail:broken\n"
                                  "relay_domains = fail:rbroken\n";

static const TR_RS_CASE failures_rs[] = {
    {"", "u@remote.test", 8, "CHANNEL NOT UPDATED", "NEXTHOP NOT UPDATED", "u@remote.test"},
    {"", "u", 264, "local", "mail.example.test", "u@mail.example.test"},
    {"", "u@[127.0.0.1]", 264, "local", "mail.example.test", "u@[127.0.0.1]"},
    {0, 0, 0, 0, 0, 0},
};

/* mydest_fail: main.cf additions */
static const char mydest_fail_cf[] = "mydestination = fail:broken\n"
                                     "virtual_alias_domains = fail:valias\n";

static const TR_RS_CASE mydest_fail_rs[] = {
    {"", "u@remote.test", 8, "CHANNEL NOT UPDATED", "NEXTHOP NOT UPDATED", "NEXTRCPT NOT UPDATED"},
    {"", "u", 8, "CHANNEL NOT UPDATED", "NEXTHOP NOT UPDATED", "NEXTRCPT NOT UPDATED"},
    {"", "u@[127.0.0.1]", 8, "CHANNEL NOT UPDATED", "NEXTHOP NOT UPDATED", "NEXTRCPT NOT UPDATED"},
    {0, 0, 0, 0, 0, 0},
};

/* origin: main.cf additions */
static const char origin_cf[] = "myorigin = origin.test\n"
                                "mydomain = dom.test\n"
                                "remote_header_rewrite_domain = rhd.test\n"
                                "append_dot_mydomain = yes\n";

static const TR_RW_CASE origin_rw[] = {
    {"local", "u", "u@origin.test"},
    {"local", "u@host", "u@host.dom.test"},
    {"local", "u@host.x", "u@host.x"},
    {"local", "u@[1.2.3.4]", "u@[1.2.3.4]"},
    {"remote", "u", "u@rhd.test"},
    {"remote", "u@host", "u@host.rhd.test"},
    {"local", "u@", "u@"},
    {"remote", "a!b", "b@a.rhd.test"},
    {"remote", "a%b", "a@b.rhd.test"},
    {"local", "u@host.", "u@host"},
    {0, 0, 0},
};

static const TR_RS_CASE origin_rs[] = {
    {"", "u", 256, "local", "mail.example.test", "u@mail.example.test"},
    {"", "u@host", 4096, "smtp", "host", "u@host"},
    {0, 0, 0, 0, 0, 0},
};

/* nulldomain: main.cf additions */
static const char nulldomain_cf[] = "resolve_null_domain = yes\n";

static const TR_RS_CASE nulldomain_rs[] = {
    {"", "u@", 256, "local", "mail.example.test", "u@mail.example.test"},
    {"", "@", 256, "local", "mail.example.test", "MAILER-DAEMON@mail.example.test"},
    {"", "u@x.test@", 4096, "smtp", "x.test", "u@x.test"},
    {"", "u@@", 256, "local", "mail.example.test", "u@mail.example.test"},
    {"", "@@", 256, "local", "mail.example.test", "MAILER-DAEMON@mail.example.test"},
    {0, 0, 0, 0, 0, 0},
};

/* Write main.cf (base + extra, @DIR@ = the directory) and bind the parameters. */
static char *tr_test_config(const char *extra)
{
    static char dir[] = "/tmp/tr_resolve_test.XXXXXX";
    VSTRING *text = vstring_alloc(1000);
    VSTRING *path = vstring_alloc(100);
    FILE *fp;

    if (mkdtemp(dir) == 0) {
        perror("mkdtemp");
        exit(1);
    }
    vstring_strcpy(text, tr_test_base);
    for (const char *cp = extra; *cp; cp++) {
        if (strncmp(cp, "@DIR@", 5) == 0) {
            vstring_strcat(text, dir);
            cp += 4;
        } else {
            vstring_addch(text, *cp);
        }
    }
    vstring_sprintf(path, "%s/main.cf", dir);
    fp = fopen(vstring_str(path), "w");
    fputs(vstring_str(text), fp);
    fclose(fp);
    vstring_sprintf(path, "%s/tr.re", dir);
    fp = fopen(vstring_str(path), "w");
    fputs("/^re@/ retrans:renh\n", fp);
    fclose(fp);
    mail_conf_set_dir(dir);
    mail_params_init();
    tr_resolve_init();
    vstring_free(text);
    vstring_free(path);
    return dir;
}

static void tr_test_cleanup(const char *dir)
{
    VSTRING *path = vstring_alloc(100);

    vstring_sprintf(path, "%s/main.cf", dir);
    unlink(vstring_str(path));
    vstring_sprintf(path, "%s/tr.re", dir);
    unlink(vstring_str(path));
    rmdir(dir);
    vstring_free(path);
}

static void tr_test_run(const char *cf, const TR_RW_CASE *rw, const TR_RS_CASE *rs)
{
    char *dir = tr_test_config(cf);
    VSTRING *result = vstring_alloc(100);
    RESOLVE_REPLY reply = {vstring_alloc(10), vstring_alloc(10), vstring_alloc(10), 0};

    for (; rw && rw->rule; rw++) {
        int rc = tr_rewrite_addr(rw->rule, rw->addr, result);

        if (rw->want == 0) {
            if (rc != -1)
                PTEST_FAIL("rewrite %s \"%s\": got \"%s\", want refusal", rw->rule, rw->addr,
                           vstring_str(result));
        } else if (rc != 0 || strcmp(vstring_str(result), rw->want) != 0) {
            PTEST_FAIL("rewrite %s \"%s\": got \"%s\" (%d), want \"%s\"", rw->rule, rw->addr,
                       vstring_str(result), rc, rw->want);
        }
    }
    for (; rs && rs->addr; rs++) {
        tr_resolve_addr(rs->sender, rs->addr, &reply);
        if (reply.flags != rs->flags || strcmp(vstring_str(reply.transport), rs->transport) != 0 ||
            strcmp(vstring_str(reply.nexthop), rs->nexthop) != 0 ||
            strcmp(vstring_str(reply.recipient), rs->recipient) != 0)
            PTEST_FAIL("resolve \"%s\" from \"%s\": got %d %s %s %s, want %d %s %s %s", rs->addr,
                       rs->sender, reply.flags, vstring_str(reply.transport),
                       vstring_str(reply.nexthop), vstring_str(reply.recipient), rs->flags,
                       rs->transport, rs->nexthop, rs->recipient);
    }
    tr_test_cleanup(dir);
    vstring_free(result);
}

static void test_rewrite(void)
{
    tr_test_run(rewrite_cf, rewrite_rw, 0);
}

static void test_defaults(void)
{
    tr_test_run(defaults_cf, 0, defaults_rs);
}

static void test_routes(void)
{
    tr_test_run(routes_cf, 0, routes_rs);
}

static void test_domains(void)
{
    tr_test_run(domains_cf, 0, domains_rs);
}

static void test_transport(void)
{
    tr_test_run(transport_cf, 0, transport_rs);
}

static void test_sender(void)
{
    tr_test_run(sender_cf, 0, sender_rs);
}

static void test_nexthops(void)
{
    tr_test_run(nexthops_cf, 0, nexthops_rs);
}

static void test_switches(void)
{
    tr_test_run(switches_cf, switches_rw, switches_rs);
}

static void test_failures(void)
{
    tr_test_run(failures_cf, 0, failures_rs);
}

static void test_mydest_fail(void)
{
    tr_test_run(mydest_fail_cf, 0, mydest_fail_rs);
}

static void test_origin(void)
{
    tr_test_run(origin_cf, origin_rw, origin_rs);
}

static void test_nulldomain(void)
{
    tr_test_run(nulldomain_cf, 0, nulldomain_rs);
}

static const PTEST_CASE cases[] = {
    {"rewrite", test_rewrite},     {"defaults", test_defaults},
    {"routes", test_routes},       {"domains", test_domains},
    {"transport", test_transport}, {"sender", test_sender},
    {"nexthops", test_nexthops},   {"switches", test_switches},
    {"failures", test_failures},   {"mydest_fail", test_mydest_fail},
    {"origin", test_origin},       {"nulldomain", test_nulldomain},
};

PTEST_MAIN(cases)
