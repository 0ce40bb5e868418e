/*
 * Unit tests for dict_nis: without a NIS domain every lookup finds nothing
 * (Postfix's behaviour, with its warning); the domain rule itself.
 */
#include <string.h>
#include <unistd.h>

#include "dict.h"
#include "dict_nis.h"
#include "ptest.h"

static void test_domain_rule(void)
{
    PTEST_INT_EQ(dict_nis_disabled(""), 1);
    PTEST_INT_EQ(dict_nis_disabled("(none)"), 1);
    PTEST_INT_EQ(dict_nis_disabled((const char *)0), 1);
    PTEST_INT_EQ(dict_nis_disabled("example.nis"), 0);
}

static void test_lookup(void)
{
    char domain[256];
    DICT *dict = dict_open("nis:mail.aliases", 0, DICT_FLAG_DEFAULT);
    const char *value;
    int st = dict_get(dict, "root", &value);

    if (getdomainname(domain, sizeof(domain)) == 0 && dict_nis_disabled(domain))
        PTEST_INT_EQ(st, DICT_STAT_NOTFOUND);
    else
        PTEST_INT_EQ(st, DICT_STAT_FAIL); /* a NIS domain Postern cannot ask */
    dict_close(dict);
}

static const PTEST_CASE cases[] = {
    {"domain_rule", test_domain_rule},
    {"lookup", test_lookup},
};

PTEST_MAIN(cases)
