/*
 * dict_cidr_test - unit tests for the cidr table type (dict_cidr.c).
 *
 * Expected answers and warning texts were taken from Debian's Postfix 3.7
 * postmap -q on the same table text.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "dict.h"
#include "dict_cidr.h"
#include "msg.h"
#include "vstring.h"
#include "dict_pattern_ptest.h"

#define W(text)  "warning: cidr map T, line " text "\n"
#define SKIP     ": skipping this rule"
#define FOUND    DICT_STAT_FOUND
#define NOTFOUND DICT_STAT_NOTFOUND

static const PATTERN_CASE match_cases[] = {
    {"network", "192.168.1.0/24 lan\n", "192.168.1.7", FOUND, "lan", ""},
    {"outside network", "192.168.1.0/24 lan\n", "192.168.2.7", NOTFOUND, 0, ""},
    {"bare address", "10.0.0.1 host\n", "10.0.0.1", FOUND, "host", ""},
    {"bare address exact", "10.0.0.1 host\n", "10.0.0.2", NOTFOUND, 0, ""},
    {"first match wins", "10.0.0.0/8 wide\n10.1.0.0/16 narrow\n", "10.1.2.3", FOUND, "wide", ""},
    {"everything v4", "0.0.0.0/0 all\n", "255.255.255.255", FOUND, "all", ""},
    {"ipv6 network", "2001:db8::/32 v6\n", "2001:DB8::1", FOUND, "v6", ""},
    {"ipv6 brackets", "[2001:db9::]/32 br\n", "2001:db9::5", FOUND, "br", ""},
    {"ipv6 bare brackets", "[::1] lo\n", "::1", FOUND, "lo", ""},
    {"ipv4 brackets", "[1.2.3.4] br4\n", "1.2.3.4", FOUND, "br4", ""},
    {"brackets around all", "[1.2.3.5/32] all\n", "1.2.3.5", FOUND, "all", ""},
    {"everything v6", "::/0 all6\n", "::ffff:1.2.3.4", FOUND, "all6", ""},
    {"mapped key is not v4", "0.0.0.0/0 all4\n", "::ffff:1.2.3.4", NOTFOUND, 0, ""},
    {"v4 key is not mapped", "::ffff:5.6.7.8 mapped\n", "5.6.7.8", NOTFOUND, 0, ""},
    {"mapped rule", "::ffff:5.6.7.8 mapped\n", "::ffff:5.6.7.8", FOUND, "mapped", ""},
    {"negation", "!172.16.0.0/12 outside\n", "10.1.2.3", FOUND, "outside", ""},
    {"negation inside", "!172.16.0.0/12 outside\n", "172.16.1.1", NOTFOUND, 0, ""},
    {"negation same family only", "!172.16.0.0/12 outside\n", "::1", NOTFOUND, 0, ""},
    {"spaced negation", "! 1.2.3.4 k\n", "9.9.9.9", FOUND, "k", ""},
    {"double negation", "!!1.2.3.4 l\n", "1.2.3.4", FOUND, "l", ""},
    {"garbage key", "0.0.0.0/0 all\n", "garbage", NOTFOUND, 0, ""},
    {"empty key", "0.0.0.0/0 all\n", "", NOTFOUND, 0, ""},
    {"bracketed key", "::/0 all\n", "[::1]", NOTFOUND, 0, ""},
    {"key with space", "0.0.0.0/0 all\n", "1.2.3.4 ", NOTFOUND, 0, ""},
    {"key with leading zero", "0.0.0.0/0 all\n", "01.2.3.4", NOTFOUND, 0, ""},
    {"key with prefix", "0.0.0.0/0 all\n", "1.2.3.4/32", NOTFOUND, 0, ""},
    {"key with zone", "::/0 all\n", "fe80::1%eth0", NOTFOUND, 0, ""},
    {"result keeps spaces", "1.2.3.0/24\tr1  more\n", "1.2.3.4", FOUND, "r1  more", ""},
    {"result trimmed", "1.2.3.4 r  \n", "1.2.3.4", FOUND, "r", ""},
    {"continuation", "1.2.3.0/24 r1\n  more\n", "1.2.3.4", FOUND, "r1  more", ""},
    {"prefix with leading zero", "1.0.0.0/08 o\n", "1.2.3.4", FOUND, "o", ""},
    {"prefix wraps like atoi", "1.2.3.4/4294967328 r\n", "1.2.3.4", FOUND, "r", ""},
    {"prefix kept in a byte", "0.0.0.0/256 v\n", "9.9.9.9", FOUND, "v", ""},
};

static const PATTERN_CASE error_cases[] = {
    {"host bits", "10.1.2.3/8 bad\n", "10.1.2.3", NOTFOUND, 0,
     W("1: non-null host address bits in \"10.1.2.3/8\", perhaps you should use "
       "\"10.0.0.0/8\" instead" SKIP)},
    {"host bits v6", "2001:db8::1/64 j\n", "::1", NOTFOUND, 0,
     W("1: non-null host address bits in \"2001:db8::1/64\", perhaps you should use "
       "\"2001:db8::/64\" instead" SKIP)},
    {"host bits huge prefix", "1.2.3.4/2147483648 t\n", "1.2.3.4", NOTFOUND, 0,
     W("1: non-null host address bits in \"1.2.3.4/2147483648\", perhaps you should use "
       "\"0.0.0.0/0\" instead" SKIP)},
    {"prefix too long", "1.2.3.4/33 p\n", "1.2.3.4", NOTFOUND, 0,
     W("1: bad mask length in \"1.2.3.4/33\"" SKIP)},
    {"prefix too long v6", "2001:db8::/129 i\n", "::1", NOTFOUND, 0,
     W("1: bad mask length in \"2001:db8::/129\"" SKIP)},
    {"prefix saturates", "1.2.3.4/99999999999999999999 s\n", "1.2.3.4", NOTFOUND, 0,
     W("1: bad mask length in \"1.2.3.4/99999999999999999999\"" SKIP)},
    {"prefix minus one", "1.2.3.4/4294967295 u\n", "1.2.3.4", NOTFOUND, 0,
     W("1: bad mask length in \"1.2.3.4/4294967295\"" SKIP)},
    {"length before network", "1.2.3.x/99 w\n", "1.2.3.4", NOTFOUND, 0,
     W("1: bad mask length in \"1.2.3.x/99\"" SKIP)},
    {"empty prefix", "1.2.3.4/ a\n", "1.2.3.4", NOTFOUND, 0,
     W("1: bad mask value in \"1.2.3.4/\"" SKIP)},
    {"negative prefix", "1.2.3.4/-1 b\n", "1.2.3.4", NOTFOUND, 0,
     W("1: bad mask value in \"1.2.3.4/-1\"" SKIP)},
    {"hex prefix", "1.2.3.4/0x8 q\n", "1.2.3.4", NOTFOUND, 0,
     W("1: bad mask value in \"1.2.3.4/0x8\"" SKIP)},
    {"prefix with garbage", "1.2.3.4/32extra r\n", "1.2.3.4", NOTFOUND, 0,
     W("1: bad mask value in \"1.2.3.4/32extra\"" SKIP)},
    {"mask checked first", "/x/\n", "1.2.3.4", NOTFOUND, 0, W("1: bad mask value in \"/x/\"" SKIP)},
    {"no network", "/8 c\n", "1.2.3.4", NOTFOUND, 0, W("1: bad network value in \"/8\"" SKIP)},
    {"short network", "1.2.3/24 d\n", "1.2.3.4", NOTFOUND, 0,
     W("1: bad network value in \"1.2.3/24\"" SKIP)},
    {"leading zero", "01.2.3.4 e\n", "1.2.3.4", NOTFOUND, 0,
     W("1: bad address pattern: \"01.2.3.4\"" SKIP)},
    {"zone", "fe80::1%eth0 m\n", "fe80::1", NOTFOUND, 0,
     W("1: bad address pattern: \"fe80::1%eth0\"" SKIP)},
    {"not an address", "x\n", "1.2.3.4", NOTFOUND, 0, W("1: bad address pattern: \"x\"" SKIP)},
    {"missing bracket", "[::1 f\n", "::1", NOTFOUND, 0,
     W("1: missing ']' character after \"[::1\"" SKIP)},
    {"stray bracket", "::1] g\n", "::1", NOTFOUND, 0, W("1: bad address pattern: \"::1]\"" SKIP)},
    {"garbage after bracket", "[::1]x h\n", "::1", NOTFOUND, 0,
     W("1: garbage after \"[::1]\"" SKIP)},
    {"empty brackets", "[] x\n", "::1", NOTFOUND, 0, W("1: bad address pattern: \"\"" SKIP)},
    {"empty brackets prefix", "[]/0 x\n", "::1", NOTFOUND, 0,
     W("1: bad network value in \"/0\"" SKIP)},
    {"brackets then empty prefix", "[1.2.3.4]/ x\n", "1.2.3.4", NOTFOUND, 0,
     W("1: bad mask value in \"1.2.3.4/\"" SKIP)},
    {"no result", "1.2.3.4\n", "1.2.3.4", NOTFOUND, 0, W("1: no lookup result" SKIP)},
    {"lone bang", "!\n!!\n", "1.2.3.4", NOTFOUND, 0,
     W("1: no address pattern" SKIP) W("2: no address pattern" SKIP)},
    {"bad rules skipped", "1.2.3.4/33 a\n0.0.0.0/0 b\n", "1.2.3.4", FOUND, "b",
     W("1: bad mask length in \"1.2.3.4/33\"" SKIP)},
};

static const PATTERN_CASE if_cases[] = {
    {"nested", "if 10.0.0.0/8\nif !10.1.0.0/16\n10.2.0.0/16 a\n0.0.0.0/0 b\nendif\nendif\n",
     "10.2.3.4", FOUND, "a", ""},
    {"nested negation excludes", "if 10.0.0.0/8\nif !10.1.0.0/16\n0.0.0.0/0 b\nendif\nendif\n",
     "10.1.2.3", NOTFOUND, 0, ""},
    {"outside if", "if 10.0.0.0/8\n0.0.0.0/0 b\nendif\n", "11.1.1.1", NOTFOUND, 0, ""},
    {"after endif", "if 10.0.0.0/8\n0.0.0.0/0 b\nendif\n0.0.0.0/0 c\n", "11.1.1.1", FOUND, "c", ""},
    {"if with bang no space", "if!20.0.0.0/8\n0.0.0.0/0 c\nendif\n", "21.1.1.1", FOUND, "c", ""},
    {"if other family", "if !172.16.0.0/12\n::/0 v6\nendif\n", "::1", NOTFOUND, 0, ""},
    {"keywords ignore case", "IF 1.0.0.0/8\n0.0.0.0/0 x\nEndIf\n", "1.1.1.1", FOUND, "x", ""},
    {"if takes the rest of the line", "IF 1.0.0.0/8 extra\n", "1.1.1.1", NOTFOUND, 0,
     W("1: bad mask value in \"1.0.0.0/8 extra\"" SKIP)},
    {"if address with extra", "if 1.2.3.4 extra\n", "1.2.3.4", NOTFOUND, 0,
     W("1: bad address pattern: \"1.2.3.4 extra\"" SKIP)},
    {"endif garbage", "if 1.0.0.0/8\nendif x\n0.0.0.0/0 r\n", "2.2.2.2", NOTFOUND, 0,
     W("2: garbage after ENDIF" SKIP) W("1: IF has no matching ENDIF")},
    {"endif garbage checked first", "endif!\n", "1.1.1.1", NOTFOUND, 0,
     W("1: garbage after ENDIF" SKIP)},
    {"endif without if", "endif\n", "1.1.1.1", NOTFOUND, 0, W("1: ENDIF without IF" SKIP)},
    {"bare if", "if\nif !\n", "1.1.1.1", NOTFOUND, 0,
     W("1: no address pattern" SKIP) W("2: no address pattern" SKIP)},
    {"ifx is an address", "ifx 1.2.3.4\n", "1.1.1.1", NOTFOUND, 0,
     W("1: bad address pattern: \"ifx\"" SKIP)},
    {"bad if leaves endif unmatched", "if 1.2.3.4/40\n0.0.0.0/0 r\nendif\n", "9.9.9.9", FOUND, "r",
     W("1: bad mask length in \"1.2.3.4/40\"" SKIP) W("3: ENDIF without IF" SKIP)},
    {"unclosed innermost first", "if 12.0.0.0/8\nif 12.1.0.0/16\n0.0.0.0/0 x\n", "12.1.1.1", FOUND,
     "x", W("2: IF has no matching ENDIF") W("1: IF has no matching ENDIF")},
};

static void test_match(void)
{
    PATTERN_PTEST_RUN(dict_cidr_open_buf, match_cases, DICT_FLAG_DEFAULT);
}

static void test_errors(void)
{
    PATTERN_PTEST_RUN(dict_cidr_open_buf, error_cases, DICT_FLAG_DEFAULT);
}

static void test_if(void)
{
    PATTERN_PTEST_RUN(dict_cidr_open_buf, if_cases, DICT_FLAG_DEFAULT);
}

/* Every prefix length, both families: the mask is built bit by bit. */
static void test_all_prefixes(void)
{
    VSTRING *table = vstring_alloc(100);
    const char *value;
    DICT *dict;

    for (int len = 0; len <= 32; len++) {
        unsigned long net = len ? (0xffffffffUL << (32 - len)) & 0xc0a80101UL : 0;

        vstring_sprintf(table, "%lu.%lu.%lu.%lu/%d in\n", net >> 24, (net >> 16) & 255,
                        (net >> 8) & 255, net & 255, len);
        pattern_ptest_log_start();
        dict = dict_cidr_open_buf("T", vstring_str(table), VSTRING_LEN(table), DICT_FLAG_DEFAULT);
        PTEST_STR_EQ(vstring_str(pattern_ptest_log), "");
        PTEST_INT_EQ(dict_get(dict, "192.168.1.1", &value), DICT_STAT_FOUND);
        /* Flip the last bit inside the prefix: now outside. */
        if (len > 0) {
            unsigned long other = 0xc0a80101UL ^ (1UL << (32 - len));
            char key[32];

            snprintf(key, sizeof(key), "%lu.%lu.%lu.%lu", other >> 24, (other >> 16) & 255,
                     (other >> 8) & 255, other & 255);
            if (dict_get(dict, key, &value) != DICT_STAT_NOTFOUND)
                PTEST_FAIL("/%d: %s: got found, want not found", len, key);
        }
        dict_close(dict);
    }
    for (int len = 0; len <= 128; len++) {
        vstring_sprintf(table, "::/%d zero\n", len);
        pattern_ptest_log_start();
        dict = dict_cidr_open_buf("T", vstring_str(table), VSTRING_LEN(table), DICT_FLAG_DEFAULT);
        PTEST_INT_EQ(dict_get(dict, "::", &value), DICT_STAT_FOUND);
        if (len > 0) {
            unsigned char addr[16] = {0};
            char key[INET6_ADDRSTRLEN];

            /* Set the last bit inside the prefix: now outside. */
            addr[(len - 1) / 8] = (unsigned char)(0x80 >> ((len - 1) % 8));
            inet_ntop(AF_INET6, addr, key, sizeof(key));
            if (dict_get(dict, key, &value) != DICT_STAT_NOTFOUND)
                PTEST_FAIL("::/%d: %s: got found, want not found", len, key);
        }
        PTEST_STR_EQ(vstring_str(pattern_ptest_log), "");
        dict_close(dict);
    }
    vstring_free(table);
}

static void test_read_only(void)
{
    DICT *dict = dict_cidr_open("/nonexistent/table", 0, DICT_FLAG_DEFAULT);
    const char *value;

    PTEST_CHECK(dict_open_error(dict) != 0);
    PTEST_INT_EQ(dict_get(dict, "1.2.3.4", &value), DICT_STAT_FAIL);
    PTEST_INT_EQ(dict->error, DICT_ERR_CONFIG);
    PTEST_STR_EQ(dict_errtext(dict), "open /nonexistent/table: No such file or directory");
    dict_close(dict);

    dict = dict_cidr_open("/nonexistent/table", O_RDWR | O_CREAT, DICT_FLAG_DEFAULT);
    PTEST_INT_EQ(dict_get(dict, "1.2.3.4", &value), DICT_STAT_FAIL);
    PTEST_STR_EQ(dict_errtext(dict), "cidr:/nonexistent/table map requires O_RDONLY access mode");
    dict_close(dict);

    dict = dict_cidr_open_buf("T", "1.2.3.4 a\n", 10, DICT_FLAG_DEFAULT);
    PTEST_INT_EQ(dict_del(dict, "1.2.3.4"), DICT_STAT_FAIL);
    PTEST_INT_EQ(dict->error, DICT_ERR_CONFIG);
    PTEST_INT_EQ(dict_get(dict, "1.2.3.4", &value), DICT_STAT_FOUND);
    PTEST_STR_EQ(value, "a");
    dict_close(dict);
}

static const PTEST_CASE cases[] = {
    {"match", test_match},
    {"errors", test_errors},
    {"if", test_if},
    {"all_prefixes", test_all_prefixes},
    {"read_only", test_read_only},
};

PTEST_MAIN(cases)
