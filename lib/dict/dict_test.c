/*
 * dict_test - unit tests for the dict framework and the in-memory types:
 * static, inline, fail, environ, unix, texthash, surrogates and type:name
 * parsing, hostile input included.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dict.h"
#include "dict_file.h"
#include "msg.h"
#include "ptest.h"
#include "vstring.h"

typedef struct {
    const char *table;
    const char *key;
    int want_status;
    const char *want_value; /* found: value; fail: errtext substring */
} LOOKUP_CASE;

static void run_lookups(const LOOKUP_CASE *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        DICT *dict = dict_open(cases[i].table, O_RDONLY, DICT_FLAG_DEFAULT);
        const char *value = 0;
        int status = dict_get(dict, cases[i].key, &value);

        if (status != cases[i].want_status) {
            PTEST_FAIL("%s key \"%s\": got status %d, want %d (%s)", cases[i].table, cases[i].key,
                       status, cases[i].want_status, dict_errtext(dict));
        } else if (status == DICT_STAT_FOUND) {
            if (strcmp(value, cases[i].want_value) != 0)
                PTEST_FAIL("%s key \"%s\": got \"%s\", want \"%s\"", cases[i].table, cases[i].key,
                           value, cases[i].want_value);
        } else if (status == DICT_STAT_FAIL) {
            if (strstr(dict_errtext(dict), cases[i].want_value) == 0)
                PTEST_FAIL("%s: got error \"%s\", want one containing \"%s\"", cases[i].table,
                           dict_errtext(dict), cases[i].want_value);
        }
        dict_close(dict);
    }
}

static void test_static(void)
{
    static const LOOKUP_CASE cases[] = {
        {"static:hello", "anything", DICT_STAT_FOUND, "hello"},
        {"static:{ hello world }", "x", DICT_STAT_FOUND, "hello world"},
        {"static:{a", "x", DICT_STAT_FAIL, "bad static:name syntax: missing '}'"},
        {"static:{a}b", "x", DICT_STAT_FAIL, "bad static:name syntax"},
        {"static:", "x", DICT_STAT_FAIL, "expecting \"type:name\" form"},
    };
    run_lookups(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_inline(void)
{
    static const LOOKUP_CASE cases[] = {
        {"inline:{a=b, { c = d e }, f=g}", "a", DICT_STAT_FOUND, "b"},
        {"inline:{a=b, { c = d e }, f=g}", "C", DICT_STAT_FOUND, "d e"},
        {"inline:{a=b, { c = d e }, f=g}", "x", DICT_STAT_NOTFOUND, 0},
        {"inline:{a=b,a=c}", "a", DICT_STAT_FOUND, "c"},
        {"inline:{{a=b},x=y}", "x", DICT_STAT_FOUND, "y"},
        {"inline:{A=b}", "a", DICT_STAT_FOUND, "b"},
        {"inline:{=b}", "", DICT_STAT_NOTFOUND, 0},
        {"inline:{a=b", "a", DICT_STAT_FAIL, "bad syntax: \"inline:{a=b\"; need"},
        {"inline:{{a=b}", "a", DICT_STAT_FAIL, "bad syntax"},
        {"inline:{a=b}}", "a", DICT_STAT_FAIL, "bad syntax"},
        {"inline:{a=b} ", "a", DICT_STAT_FAIL, "bad syntax"},
        {"inline:{}", "a", DICT_STAT_FAIL, "bad syntax"},
        {"inline:{ }", "a", DICT_STAT_FAIL, "empty table: \"inline:{ }\"; need"},
        {"inline:{{}}", "a", DICT_STAT_FAIL, "no key found; expected format: key = value"},
        {"inline:{ a = b }", "a", DICT_STAT_FAIL, "missing '=' after attribute name"},
        {"inline:{a==b}", "a", DICT_STAT_FOUND, "=b"},
        /* A braced value keeps its braces (Postfix 3.7 postmap -q says
         * "{450 4.2.0 text}"); to get spaces without braces, brace the
         * whole element. */
        {"inline:{k={450 4.2.0 text}}", "k", DICT_STAT_FOUND, "{450 4.2.0 text}"},
        {"inline:{{k={450 4.2.0 text}}}", "k", DICT_STAT_FOUND, "{450 4.2.0 text}"},
        {"inline:{{k = 450 4.2.0 text}}", "k", DICT_STAT_FOUND, "450 4.2.0 text"},
        {"inline:{k={ a b }}", "k", DICT_STAT_FOUND, "{ a b }"},
        {"inline:{k={a b}, j=2}", "j", DICT_STAT_FOUND, "2"},
        {"inline:{k={a b}x}", "k", DICT_STAT_FOUND, "{a b}x"},
        {"inline:{k=a{b}c}", "k", DICT_STAT_FOUND, "a{b}c"},
        {"inline:{k = {a b}}", "k", DICT_STAT_FAIL, "missing '=' after attribute name"},
        {"inline:{k={a} b}", "k", DICT_STAT_FAIL, "missing '=' after attribute name"},
        {"inline:{a=b,,c=d}", "c", DICT_STAT_FOUND, "d"},
        {"inline:{a=b}{c=d}", "a", DICT_STAT_FAIL, "bad syntax"},
        {"inline:a=b", "a", DICT_STAT_FAIL, "bad syntax"},
        {"inline:{a}", "a", DICT_STAT_FAIL, "missing '=' after attribute name"},
        {"inline:{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{", "a", DICT_STAT_FAIL, "bad syntax"},
        {"inline:}}}}}}}}}}}}}}}}", "a", DICT_STAT_FAIL, "bad syntax"},
    };
    run_lookups(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_fail_env_unix(void)
{
    static const LOOKUP_CASE cases[] = {
        {"fail:reason", "x", DICT_STAT_FAIL, "operation failed as configured"},
        {"environ:x", "dict_test_var", DICT_STAT_FOUND, "value 1"},
        {"environ:x", "DICT_TEST_VAR", DICT_STAT_FOUND, "value 1"},
        {"environ:x", "dict_test_missing", DICT_STAT_NOTFOUND, 0},
        {"environ:", "x", DICT_STAT_FAIL, "expecting \"type:name\" form instead of \"environ:\""},
        {"unix:passwd.byname", "root", DICT_STAT_FOUND, "root:x:0:0:root:/root:/bin/bash"},
        {"unix:passwd.byname", "no-such-user-xyz", DICT_STAT_NOTFOUND, 0},
        {"unix:group.byname", "root", DICT_STAT_FOUND, "root:x:0:"},
        {"unix:foo", "root", DICT_STAT_FAIL, "unknown table: unix:foo"},
        {"nosuchtype:x", "a", DICT_STAT_FAIL, "unsupported dictionary type: nosuchtype"},
        {"nocolon", "a", DICT_STAT_FAIL, "expecting \"type:name\" form instead of \"nocolon\""},
        {":x", "a", DICT_STAT_FAIL, "expecting \"type:name\" form"},
    };
    setenv("dict_test_var", "value 1", 1);
    run_lookups(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_fail_error_code(void)
{
    DICT *dict = dict_open("fail:x", O_RDONLY, DICT_FLAG_DEFAULT);
    const char *v;

    PTEST_INT_EQ(dict_get(dict, "a", &v), DICT_STAT_FAIL);
    PTEST_INT_EQ(dict->error, DICT_ERR_RETRY);
    PTEST_INT_EQ(dict_open_error(dict), 0);
    dict_close(dict);
    dict = dict_open("inline:{", O_RDONLY, DICT_FLAG_DEFAULT);
    PTEST_CHECK(dict_open_error(dict) != 0);
    PTEST_INT_EQ(dict_get(dict, "a", &v), DICT_STAT_FAIL);
    PTEST_INT_EQ(dict->error, DICT_ERR_CONFIG);
    PTEST_INT_EQ(dict_put(dict, "a", "b"), DICT_STAT_FAIL);
    dict_close(dict);
}

static void test_huge_key(void)
{
    size_t len = 1 << 20;
    char *key = malloc(len + 1);
    VSTRING *name = vstring_alloc(100);
    DICT *dict;
    const char *v;

    memset(key, 'K', len);
    key[len] = 0;
    vstring_sprintf(name, "inline:{%s=v}", key);
    dict = dict_open(vstring_str(name), O_RDONLY, DICT_FLAG_DEFAULT);
    PTEST_INT_EQ(dict_get(dict, key, &v), DICT_STAT_FOUND);
    PTEST_STR_EQ(v, "v");
    dict_close(dict);
    dict = dict_open("static:x", O_RDONLY, DICT_FLAG_DEFAULT);
    PTEST_INT_EQ(dict_get(dict, key, &v), DICT_STAT_FOUND);
    dict_close(dict);
    vstring_free(name);
    free(key);
}

static VSTRING *type_list_got;

static void type_list_add(const char *type)
{
    vstring_sprintf_append(type_list_got, "%s ", type);
}

static void test_type_list(void)
{
    static const char want[] =
        "btree cdb cidr environ fail hash inline lmdb nis pcre proxy regexp static texthash unix ";
    VSTRING *got = type_list_got = vstring_alloc(100);

    dict_type_list(type_list_add);
    PTEST_STR_EQ(vstring_str(got), want);
    PTEST_CHECK(dict_type_known("hash"));
    PTEST_CHECK(!dict_type_known("ldap"));
}

static void test_texthash(void)
{
    char path[] = "/tmp/dict_test_XXXXXX";
    int fd = mkstemp(path);
    static const char text[] = "# comment\n"
                               "Foo bar\n"
                               "baz  qux quux\n"
                               "  cont\n"
                               "\n"
                               "dup first\n"
                               "DUP second\n"
                               "novalue\n"
                               "tab\tv  \t\n";
    static const LOOKUP_CASE cases[] = {
        {0, "foo", DICT_STAT_FOUND, "bar"},   {0, "BAZ", DICT_STAT_FOUND, "qux quux  cont"},
        {0, "dup", DICT_STAT_FOUND, "first"}, {0, "novalue", DICT_STAT_NOTFOUND, 0},
        {0, "tab", DICT_STAT_FOUND, "v"},     {0, "cont", DICT_STAT_NOTFOUND, 0},
    };
    VSTRING *name = vstring_alloc(100);
    DICT *dict;
    const char *v;

    PTEST_CHECK(fd >= 0 && write(fd, text, sizeof(text) - 1) == sizeof(text) - 1);
    close(fd);
    vstring_sprintf(name, "texthash:%s", path);
    dict = dict_open(vstring_str(name), O_RDONLY, DICT_FLAG_DEFAULT);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int status = dict_get(dict, cases[i].key, &v);

        if (status != cases[i].want_status)
            PTEST_FAIL("key %s: got status %d, want %d", cases[i].key, status,
                       cases[i].want_status);
        else if (status == DICT_STAT_FOUND && strcmp(v, cases[i].want_value) != 0)
            PTEST_FAIL("key %s: got \"%s\", want \"%s\"", cases[i].key, v, cases[i].want_value);
    }
    dict_close(dict);
    unlink(path);
    dict = dict_open(vstring_str(name), O_RDONLY, DICT_FLAG_DEFAULT);
    PTEST_CHECK(dict_open_error(dict));
    PTEST_CHECK(strstr(dict_errtext(dict), "open database") != 0);
    dict_close(dict);
    vstring_free(name);
}

static void test_base64(void)
{
    static const struct {
        const char *in;
        const char *want; /* null: malformed */
    } dec[] = {
        {"", ""},      {"aGk=", "hi"}, {"aGVsbG8gd29ybGQ=", "hello world"},
        {"YQ==", "a"}, {"YWI=", "ab"}, {"YWJj", "abc"},
        {"aGk", 0},    {"!!!!", 0},    {"YQ=", 0},
        {"Y===", 0},   {"=YWJ", 0},    {"YQ==YQ==", 0},
        {"YW J", 0},   {"YWJj\n", 0},
    };
    VSTRING *out = vstring_alloc(10);
    VSTRING *enc = vstring_alloc(10);
    VSTRING *why = vstring_alloc(10);
    char path[] = "/tmp/dict_test_b64_XXXXXX";
    int fd;
    unsigned char bytes[300];

    for (size_t i = 0; i < sizeof(dec) / sizeof(dec[0]); i++) {
        VSTRING *got = dict_file_from_b64(dec[i].in, out);

        if ((got == 0) != (dec[i].want == 0) ||
            (got && (VSTRING_LEN(out) != strlen(dec[i].want) ||
                     memcmp(vstring_str(out), dec[i].want, VSTRING_LEN(out)) != 0)))
            PTEST_FAIL("decode \"%s\": got %s, want %s", dec[i].in,
                       got ? vstring_str(out) : "(malformed)",
                       dec[i].want ? dec[i].want : "(malformed)");
    }
    /* Every length 0..299 of all byte values round-trips through a file. */
    for (size_t i = 0; i < sizeof(bytes); i++)
        bytes[i] = (unsigned char)(i * 7);
    for (size_t len = 0; len < sizeof(bytes); len += 7) {
        fd = mkstemp(path);
        PTEST_CHECK(fd >= 0 && write(fd, bytes, len) == (ssize_t)len);
        close(fd);
        if (dict_file_to_b64(path, enc, why) == 0) {
            PTEST_FAIL("encode: %s", vstring_str(why));
        } else if (dict_file_from_b64(vstring_str(enc), out) == 0 || VSTRING_LEN(out) != len ||
                   memcmp(vstring_str(out), bytes, len) != 0) {
            PTEST_FAIL("round trip of %zu bytes failed", len);
        }
        unlink(path);
        strcpy(path, "/tmp/dict_test_b64_XXXXXX");
    }
    PTEST_CHECK(dict_file_to_b64("/nonexistent/file", enc, why) == 0);
    PTEST_STR_EQ(vstring_str(why), "open /nonexistent/file: No such file or directory");
    vstring_free(out);
    vstring_free(enc);
    vstring_free(why);
}

static const PTEST_CASE cases[] = {
    {"base64 file values", test_base64},
    {"static", test_static},
    {"inline", test_inline},
    {"fail environ unix and type:name errors", test_fail_env_unix},
    {"fail error codes and surrogates", test_fail_error_code},
    {"huge keys", test_huge_key},
    {"type list", test_type_list},
    {"texthash", test_texthash},
};

PTEST_MAIN(cases)
