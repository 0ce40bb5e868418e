/*
 * master_serv_test - master.cf entries to endpoints and daemon command
 * lines: inet_interfaces/inet_protocols expansion, private/public paths,
 * the -u/-r/-l/-s/-c flags, master_service_disable and missing programs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail_conf.h"
#include "mail_params.h"
#include "master.h"
#include "msg.h"
#include "ptest.h"
#include "vstring.h"

typedef struct CASE {
    const char *main_cf;   /* extra main.cf lines */
    const char *master_cf; /* one or more entries */
    const char *want;      /* per service: "key|endpoints|args", joined by "\n" */
} CASE;

static const CASE master_serv_cases[] = {
    /* 0: inet on two interfaces, IPv4 only; maxproc "-" uses the default */
    {"inet_interfaces = 127.0.0.1, 127.0.0.2\ninet_protocols = ipv4\n",
     "smtp inet n - y - - prog -o a=b x\n",
     "smtp/inet|127.0.0.1:smtp 127.0.0.2:smtp|prog -c DIR -n smtp -t inet -u -r -s 2 -o a=b x"},
    /* 1: "all" with both protocols; explicit host wins */
    {"inet_interfaces = all\ninet_protocols = all\n",
     "2525 inet n - n - 0 prog\n127.0.0.9:26 inet n - n - 1 prog\n",
     "2525/inet|0.0.0.0:2525 [::]:2525|prog -c DIR -n 2525 -t inet -u -s 2\n"
     "127.0.0.9:26/inet|127.0.0.9:26|prog -c DIR -n 127.0.0.9:26 -t inet -u -l"},
    /* 2: private/public, unpriv n, fifo and dgram */
    {"",
     "a unix - n n - - prog\nb unix n - n - - prog\nc fifo n - n 60 1 prog\n"
     "d unix-dgram n - n - 1 prog\n",
     "a/unix|private/a|prog -c DIR -n a -t unix\n"
     "b/unix|public/b|prog -c DIR -n b -t unix -u\n"
     "c/fifo|public/c|prog -c DIR -n c -t fifo -u -l\n"
     "d/unix-dgram|public/d|prog -c DIR -n d -t unix-dgram -u -l"},
    /* 3: master_service_disable by type and by name.type; missing daemon */
    {"master_service_disable = inet, b.unix\n",
     "smtp inet n - n - - prog\na unix - - n - - prog\nb unix - - n - - prog\n"
     "c unix - - n - - nosuchprog\n",
     "a/unix|private/a|prog -c DIR -n a -t unix -u"},
    /* 4: loopback-only, IPv6 only; default_process_limit 1 gives -l */
    {"inet_interfaces = loopback-only\ninet_protocols = ipv6\ndefault_process_limit = 1\n",
     "25 inet n - n - - prog\n", "25/inet|[::1]:25|prog -c DIR -n 25 -t inet -u -l"},
};

static int master_serv_case_index;

static void write_file(const char *dir, const char *name, const char *text, mode_t mode)
{
    char path[512];
    FILE *fp;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if ((fp = fopen(path, "w")) == 0 || fputs(text, fp) == EOF || fclose(fp) != 0)
        msg_fatal("write %s: %m", path);
    chmod(path, mode);
}

/* Replace every occurrence of dir in text by "DIR". */
static void undir(VSTRING *out, const char *text, const char *dir)
{
    size_t dl = strlen(dir);
    const char *hit;

    while ((hit = strstr(text, dir)) != 0) {
        vstring_strncat(out, text, (size_t)(hit - text));
        vstring_strcat(out, "DIR");
        text = hit + dl;
    }
    vstring_strcat(out, text);
}

static void run_case(void)
{
    const CASE *c = &master_serv_cases[master_serv_case_index];
    char dir[] = "/tmp/master_serv_test.XXXXXX";
    VSTRING *main_cf = vstring_alloc(200);
    VSTRING *why = vstring_alloc(100);
    VSTRING *got = vstring_alloc(200);
    VSTRING *raw = vstring_alloc(200);
    MASTER_SERV *list;

    if (mkdtemp(dir) == 0)
        msg_fatal("mkdtemp: %m");
    vstring_sprintf(main_cf, "queue_directory = %s\ndaemon_directory = %s\n%s", dir, dir,
                    c->main_cf);
    write_file(dir, "main.cf", vstring_str(main_cf), 0644);
    write_file(dir, "master.cf", c->master_cf, 0644);
    write_file(dir, "prog", "#!/bin/sh\n", 0755);
    mail_conf_set_dir(dir);
    mail_conf_read();
    mail_params_init();
    list = master_serv_load(dir, why);
    PTEST_STR_EQ(vstring_str(why), "");
    for (MASTER_SERV *s = list; s; s = s->next) {
        vstring_sprintf_append(raw, "%s%s|", VSTRING_LEN(raw) ? "\n" : "", s->key);
        for (size_t i = 0; i < s->endpoints->argc; i++)
            vstring_sprintf_append(raw, "%s%s", i ? " " : "", s->endpoints->argv[i]);
        vstring_strcat(raw, "|");
        for (size_t i = 0; i < s->args->argc; i++)
            vstring_sprintf_append(raw, "%s%s", i ? " " : "", s->args->argv[i]);
        PTEST_CHECK(strstr(s->path, "/prog") != 0);
    }
    undir(got, vstring_str(raw), dir);
    PTEST_STR_EQ(vstring_str(got), c->want);
    unlink(vstring_str(vstring_sprintf(raw, "%s/main.cf", dir)));
    unlink(vstring_str(vstring_sprintf(raw, "%s/master.cf", dir)));
    unlink(vstring_str(vstring_sprintf(raw, "%s/prog", dir)));
    rmdir(dir);
}

#define CASE_FN(n)                                                                                 \
    static void test_case_##n(void)                                                                \
    {                                                                                              \
        master_serv_case_index = n;                                                                \
        run_case();                                                                                \
    }
CASE_FN(0)
CASE_FN(1)
CASE_FN(2)
CASE_FN(3)
CASE_FN(4)

static void test_bad_master_cf(void)
{
    char dir[] = "/tmp/master_serv_test.XXXXXX";
    VSTRING *main_cf = vstring_alloc(200);
    VSTRING *why = vstring_alloc(100);

    if (mkdtemp(dir) == 0)
        msg_fatal("mkdtemp: %m");
    vstring_sprintf(main_cf, "queue_directory = %s\ndaemon_directory = %s\n", dir, dir);
    write_file(dir, "main.cf", vstring_str(main_cf), 0644);
    write_file(dir, "master.cf", "a unix - - n - - prog\nb bogus - - n - - prog\n", 0644);
    mail_conf_set_dir(dir);
    mail_conf_read();
    mail_params_init();
    PTEST_CHECK(master_serv_load(dir, why) == 0);
    PTEST_CHECK(strstr(vstring_str(why), "line 2") != 0);
    unlink(vstring_str(vstring_sprintf(main_cf, "%s/main.cf", dir)));
    unlink(vstring_str(vstring_sprintf(main_cf, "%s/master.cf", dir)));
    rmdir(dir);
}

static const PTEST_CASE cases[] = {
    {"inet on two interfaces, -o and args kept", test_case_0},
    {"inet all/all, explicit host, maxproc 0 and 1", test_case_1},
    {"private, public, unpriv n, fifo, unix-dgram", test_case_2},
    {"master_service_disable, missing daemon", test_case_3},
    {"loopback-only ipv6, default_process_limit 1", test_case_4},
    {"bad master.cf names the line", test_bad_master_cf},
};

PTEST_MAIN(cases)
