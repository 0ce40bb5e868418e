/*
 * tr_iface_test - which address literals are our own (inet_interfaces,
 * proxy_interfaces).  The tables and match lists trivial-rewrite uses are
 * tested with their library (lib/global/maps_test.c, match_list_test.c).
 */

#include "mail_params.h"
#include "ptest.h"
#include "tr_iface.h"

static void test_interfaces(void)
{
    var_inet_protocols = "ipv4";
    var_inet_interfaces = "loopback-only";
    var_proxy_interfaces = "192.0.2.7, [198.51.100.1]";
    tr_iface_reset();
    PTEST_INT_EQ(tr_iface_is_local("127.0.0.1"), 1);
    PTEST_INT_EQ(tr_iface_is_local("127.0.0.2"), 0);
    PTEST_INT_EQ(tr_iface_is_local("192.0.2.7"), 1);
    PTEST_INT_EQ(tr_iface_is_local("198.51.100.1"), 1);
    PTEST_INT_EQ(tr_iface_is_local("IPv6:::1"), 0); /* ipv4 only */
    PTEST_INT_EQ(tr_iface_is_local("127.1"), 0);
    PTEST_INT_EQ(tr_iface_is_local("junk"), 0);
    var_inet_protocols = "all";
    tr_iface_reset();
    PTEST_INT_EQ(tr_iface_is_local("ipv6:::1"), 1);
    var_inet_interfaces = "127.0.0.3";
    var_proxy_interfaces = "";
    tr_iface_reset();
    PTEST_INT_EQ(tr_iface_is_local("127.0.0.3"), 1);
    PTEST_INT_EQ(tr_iface_is_local("127.0.0.1"), 0);
}

static const PTEST_CASE cases[] = {
    {"interfaces", test_interfaces},
};

PTEST_MAIN(cases)
