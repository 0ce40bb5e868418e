/*
 * cleanup_test - golden tests for cleanup's message processing.
 *
 * Each cleanup/testdata/NAME.in is one client conversation: directives
 *
 *   #flags filter map bounce hold ...     CLEANUP_FLAG_* names
 *   #conf NAME VALUE                      a CLEANUP_CONF setting (tables as
 *                                         type:name, relative to the repo)
 *
 * then records, one per line: the type letter, a space, the data ("N" alone
 * is an empty line).  The records go through cleanup_open/record/close into
 * a queue file in a temporary queue directory; NAME.ref holds what must come
 * out: the status, the log lines, the bounces, where the file is, and every
 * record of the file (the size record, times and the queue id masked).
 * Run with CLEANUP_TEST_UPDATE=1 to rewrite the .ref files after a deliberate
 * change (then read the diff!).
 *
 * trivial-rewrite is faked: an address without "@" gets "@example.test",
 * "@localhost" becomes "@example.test"; bounce is faked (recorded, succeeds
 * unless the recipient starts with "bouncefail").
 */
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"

#include "cleanup_user.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "ptest.h"
#include "record.h"
#include "stringops.h"

#define TESTDATA "cleanup/testdata"

static VSTRING *out;    /* the transcript being built */
static char *queue_dir; /* temporary */

static void fake_rewrite(const char *rule, const char *addr, VSTRING *result)
{
    const char *at = strrchr(addr, '@');

    if (at == 0)
        vstring_sprintf(result, "%s@example.test", addr);
    else if (strcmp(at, "@localhost") == 0)
        vstring_sprintf(result, "%.*s@example.test", (int)(at - addr), addr);
    else
        vstring_strcpy(result, addr);
}

static int fake_bounce(CLEANUP_STATE *state, const char *orig, const char *rcpt,
                       const char *orcpt, int notify, const char *dsn, const char *text)
{
    struct stat st;
    VSTRING *path = vstring_alloc(100);
    int have = (stat(vstring_str(mail_queue_path(path, &state->conf->queue, state->queue_name,
                                                  cleanup_id(state))), &st) == 0);

    vstring_sprintf_append(out, "bounce: orig=%s rcpt=%s orcpt=%s notify=%d dsn=%s (%s)%s\n", orig,
                           rcpt, orcpt, notify, dsn, text,
                           have ? ((st.st_mode & 0777) == 0600 ? " file=0600" : " file=other")
                                : " file=missing");
    vstring_free(path);
    return strncmp(rcpt, "bouncefail", 10) == 0 ? -1 : 0;
}

static const CLEANUP_HOOKS hooks = {fake_rewrite, fake_bounce};

static void capture_log(int level, const char *text)
{
    vstring_sprintf_append(out, "log: %s%s\n", msg_level_prefix(level), text);
}

static int flag_value(const char *name)
{
    static const struct {
        const char *name;
        int flag;
    } names[] = {
        {"bounce", CLEANUP_FLAG_BOUNCE}, {"filter", CLEANUP_FLAG_FILTER},
        {"hold", CLEANUP_FLAG_HOLD},     {"map", CLEANUP_FLAG_MAP_OK},
        {"external", CLEANUP_FLAG_MASK_EXTERNAL},
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(names[i].name, name) == 0)
            return names[i].flag;
    PTEST_FAIL("unknown flag %s", name);
    return 0;
}

static void conf_set(CLEANUP_CONF *conf, const char *name, const char *value)
{
#define MAPS(field, title)                                                                         \
    if (strcmp(name, title) == 0) {                                                                \
        conf->field = maps_create(title, value, DICT_FLAG_DEFAULT);                        \
        return;                                                                                    \
    }
    MAPS(header_checks, "header_checks");
    MAPS(mime_header_checks, "mime_header_checks");
    MAPS(nested_header_checks, "nested_header_checks");
    MAPS(body_checks, "body_checks");
    MAPS(canonical_maps, "canonical_maps");
    MAPS(send_canon_maps, "sender_canonical_maps");
    MAPS(rcpt_canon_maps, "recipient_canonical_maps");
    MAPS(virt_alias_maps, "virtual_alias_maps");
    if (strcmp(name, "masquerade_domains") == 0)
        conf->masq_domains = argv_split_list(value);
    else if (strcmp(name, "masquerade_exceptions") == 0)
        conf->masq_exceptions = argv_split_list(value);
    else if (strcmp(name, "message_size_limit") == 0)
        conf->message_size_limit = atol(value);
    else if (strcmp(name, "hopcount_limit") == 0)
        conf->hopcount_limit = atoi(value);
    else if (strcmp(name, "virtual_alias_recursion_limit") == 0)
        conf->virt_recur_limit = atoi(value);
    else if (strcmp(name, "virtual_alias_expansion_limit") == 0)
        conf->virt_expan_limit = atoi(value);
    else if (strcmp(name, "undisclosed_recipients_header") == 0)
        conf->undisclosed_header = mystrdup(value);
    else if (strcmp(name, "always_add_missing_headers") == 0)
        conf->always_add_headers = strcmp(value, "yes") == 0;
    else if (strcmp(name, "delay_warning_time") == 0)
        conf->delay_warning_time = atoi(value);
    else
        PTEST_FAIL("unknown conf %s", name);
}

static void default_conf(CLEANUP_CONF *conf)
{
    memset(conf, 0, sizeof(*conf));
    conf->queue.queue_dir = queue_dir;
    conf->queue.hash_depth = 1;
    conf->queue.hash_names = "deferred, defer";
    conf->myhostname = "mail.example.test";
    conf->mail_name = "Postern";
    conf->canon_classes = CLEANUP_CANON_ENV_SENDER | CLEANUP_CANON_ENV_RECIP
                          | CLEANUP_CANON_HDR_SENDER | CLEANUP_CANON_HDR_RECIP;
    conf->send_canon_classes = CLEANUP_CANON_ENV_SENDER | CLEANUP_CANON_HDR_SENDER;
    conf->rcpt_canon_classes = CLEANUP_CANON_ENV_RECIP | CLEANUP_CANON_HDR_RECIP;
    conf->masq_classes = CLEANUP_CANON_ENV_SENDER | CLEANUP_CANON_HDR_SENDER
                         | CLEANUP_CANON_HDR_RECIP;
    conf->drop_headers = argv_split_list("bcc, content-length, resent-bcc, return-path");
    conf->message_size_limit = 10240000;
    conf->header_size_limit = 102400;
    conf->body_checks_size_limit = 51200;
    conf->hopcount_limit = 50;
    conf->virt_expan_limit = 1000;
    conf->virt_recur_limit = 1000;
    conf->dup_filter_limit = 1000;
    conf->undisclosed_header = "";
    conf->remote_header_domain = "";
    conf->recipient_delimiter = "+";
    conf->enable_orig_rcpt = 1;
}

/* mask - hide what changes from run to run */

static void mask(VSTRING *text, const char *id)
{
    VSTRING *res = vstring_alloc(VSTRING_LEN(text));
    const char *cp = vstring_str(text);
    size_t idlen = strlen(id);

    while (*cp) {
        if (idlen && strncmp(cp, id, idlen) == 0) {
            vstring_strcat(res, "QUEUEID");
            cp += idlen;
        } else if (strncmp(cp, "create_time=", 12) == 0) {
            vstring_strcat(res, "create_time=CTIME");
            cp += 12;
            while (*cp >= '0' && *cp <= '9')
                cp++;
        } else if (strspn(cp, "0123456789") == 14 && cp[14] == '.') {
            vstring_strcat(res, "YYYYMMDDhhmmss");
            cp += 14;
        } else {
            vstring_addch(res, *cp++);
        }
    }
    vstring_strcpy(text, vstring_str(res));
    vstring_free(res);
}

static void dump_file(const CLEANUP_CONF *conf, const char *queue, const char *id)
{
    VSTRING *path = vstring_alloc(100);
    VSTRING *data = vstring_alloc(100);
    struct stat st;
    int fd;
    REC_READER *rp;
    int type;

    mail_queue_path(path, &conf->queue, queue, id);
    if ((fd = open(vstring_str(path), O_RDONLY)) < 0) {
        vstring_free(path);
        vstring_free(data);
        return;
    }
    fstat(fd, &st);
    vstring_sprintf_append(out, "file: %s mode %o\n", queue, (unsigned)(st.st_mode & 0777));
    rp = rec_reader_fd(fd, 0, REC_FLAG_FOLLOW_PTR);
    while ((type = rec_get(rp, data)) >= 0) {
        if (type == REC_TYPE_SIZE) {
            REC_SIZE sz;

            if (rec_size_parse(vstring_str(data), &sz) == 0)
                vstring_sprintf_append(out, "C rcpts=%ld qmgr_opts=%ld size_ok=%d\n",
                                       sz.rcpt_count, sz.qmgr_opts,
                                       sz.data_size == sz.content_length);
            else
                vstring_strcat(out, "C BAD\n");
            continue;
        }
        vstring_sprintf_append(out, "%c %s\n", type, vstring_str(data));
    }
    if (type != REC_TYPE_EOF)
        vstring_sprintf_append(out, "read error: %s\n", rec_reader_error(rp));
    rec_reader_free(rp);
    close(fd);
    vstring_free(path);
    vstring_free(data);
}

static void run_golden(const char *name)
{
    VSTRING *path = vstring_alloc(100);
    VSTRING *want = vstring_alloc(1000);
    FILE *fp;
    char line[10000];
    CLEANUP_CONF conf;
    CLEANUP_STATE *state;
    int flags = 0;
    int status;
    int opened = 0;
    char dirtmp[] = "/tmp/cleanup_test.XXXXXX";
    const char *dirs[] = {"incoming", "hold"};

    setenv("TZ", "UTC", 1);
    tzset();
    if ((queue_dir = mkdtemp(dirtmp)) == 0) {
        PTEST_FAIL("mkdtemp: %s", strerror(errno));
        return;
    }
    for (size_t i = 0; i < 2; i++) {
        vstring_sprintf(path, "%s/%s", queue_dir, dirs[i]);
        mkdir(vstring_str(path), 0700);
    }
    out = vstring_alloc(1000);
    msg_output_clear();
    msg_output_add(capture_log);
    default_conf(&conf);
    state = 0;

    vstring_sprintf(path, TESTDATA "/%s.in", name);
    if ((fp = fopen(vstring_str(path), "r")) == 0) {
        PTEST_FAIL("open %s: %s", vstring_str(path), strerror(errno));
        return;
    }
    while (fgets(line, sizeof(line), fp)) {
        char *cp = line;
        size_t len = strlen(line);

        if (len && line[len - 1] == '\n')
            line[--len] = 0;
        if (strncmp(line, "#flags", 6) == 0) {
            char *word;

            cp += 6;
            while ((word = mystrtok(&cp, " ")) != 0)
                flags |= flag_value(word);
            continue;
        }
        if (strncmp(line, "#conf ", 6) == 0) {
            char *nm;

            cp += 6;
            nm = mystrtok(&cp, " ");
            conf_set(&conf, nm, cp ? cp : "");
            continue;
        }
        if (*line == '#' || *line == 0)
            continue;
        if (!opened) {
            state = cleanup_state_alloc(&conf, &hooks);
            cleanup_open(state, flags);
            opened = 1;
        }
        cleanup_record(state, line[0], len > 2 ? line + 2 : "", len > 2 ? len - 2 : 0);
    }
    fclose(fp);
    if (state == 0) {
        PTEST_FAIL("%s: no records", name);
        return;
    }
    status = cleanup_close(state);
    vstring_sprintf_append(out, "status: %d reason: %s\n", status,
                           status ? vstring_str(state->reason) : "");
    dump_file(&conf, "incoming", cleanup_id(state));
    dump_file(&conf, "hold", cleanup_id(state));
    mask(out, VSTRING_LEN(state->queue_id) ? cleanup_id(state) : "");
    cleanup_state_free(state);
    msg_output_clear();

    vstring_sprintf(path, TESTDATA "/%s.ref", name);
    if (getenv("CLEANUP_TEST_UPDATE")) {
        FILE *wp = fopen(vstring_str(path), "w");

        if (wp) {
            fputs(vstring_str(out), wp);
            fclose(wp);
        }
    } else if ((fp = fopen(vstring_str(path), "r")) == 0) {
        PTEST_FAIL("open %s: %s", vstring_str(path), strerror(errno));
    } else {
        size_t n;

        while ((n = fread(line, 1, sizeof(line), fp)) > 0)
            vstring_memcat(want, line, n);
        fclose(fp);
        if (strcmp(vstring_str(out), vstring_str(want)) != 0)
            PTEST_FAIL("%s: got\n%s---- want\n%s----", name, vstring_str(out), vstring_str(want));
    }
    {
        char cmd[200];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", queue_dir);
        if (system(cmd) != 0)
            PTEST_FAIL("cannot remove %s", queue_dir);
    }
    vstring_free(out);
    vstring_free(path);
    vstring_free(want);
}

#define GOLDEN(n)                                                                                  \
    static void test_##n(void)                                                                     \
    {                                                                                              \
        run_golden(#n);                                                                            \
    }
GOLDEN(local_plain)
GOLDEN(local_headers_present)
GOLDEN(extracted_bcc)
GOLDEN(header_actions)
GOLDEN(reject_bounce)
GOLDEN(reject_nobounce)
GOLDEN(hold_redirect_filter)
GOLDEN(discard)
GOLDEN(virtual_alias)
GOLDEN(virtual_loop)
GOLDEN(canonical_masquerade)
GOLDEN(size_limit)
GOLDEN(no_recipients)
GOLDEN(protocol_errors)
GOLDEN(remote_context)
GOLDEN(dsn_and_dups)
GOLDEN(body_checks)
GOLDEN(long_lines)

static const PTEST_CASE cases[] = {
#define C(n) {#n, test_##n}
    C(local_plain),     C(local_headers_present), C(extracted_bcc),   C(header_actions),
    C(reject_bounce),   C(reject_nobounce),       C(hold_redirect_filter), C(discard),
    C(virtual_alias),   C(virtual_loop),          C(canonical_masquerade), C(size_limit),
    C(no_recipients),   C(protocol_errors),       C(remote_context),  C(dsn_and_dups),
    C(body_checks),     C(long_lines),
};

PTEST_MAIN(cases)
