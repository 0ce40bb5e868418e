/*
 * dict_line_fuzz - fuzz target for the postmap source-file reader
 * (dict_line_read, dict_line_split) and the texthash loader: arbitrary
 * bytes, NULs and over-long lines included, must never crash, hang or
 * leak.
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dict.h"
#include "dict_line.h"
#include "msg.h"
#include "vstring.h"

static char path[] = "/tmp/dict_line_fuzz_XXXXXX";

static void dict_line_fuzz_unlink(void)
{
    unlink(path);
}

static void dict_line_fuzz_quiet(int level, const char *text)
{
    (void)level;
    (void)text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    static VSTRING *buf;
    FILE *fp;
    DICT_LINE *lp;
    char *key;
    char *value;
    int status;

    if (!init) {
        int fd;

        msg_output_clear();
        msg_output_add(dict_line_fuzz_quiet);
        buf = vstring_alloc(100);
        if ((fd = mkstemp(path)) < 0)
            abort();
        close(fd);
        atexit(dict_line_fuzz_unlink);
        init = 1;
    }
    if (size == 0)
        return 0;
    if ((fp = fmemopen((void *)data, size, "r")) == 0)
        return 0;
    lp = dict_line_open(fp, "fuzz");
    while ((status = dict_line_read(lp, buf)) != DICT_LINE_EOF) {
        if (status != DICT_LINE_OK)
            continue;
        if (VSTRING_LEN(buf) > 0 && isspace((unsigned char)vstring_str(buf)[0]))
            abort(); /* a logical line never starts with white space */
        if (dict_line_split(vstring_str(buf), &key, &value) == 0 &&
            (*key == 0 || *value == 0 || strchr(key, ' ') || strchr(key, '\t')))
            abort();
    }
    dict_line_close(lp);
    fclose(fp);

    /* The same bytes as a texthash table. */
    if ((fp = fopen(path, "w")) != 0) {
        DICT *dict;
        const char *k;
        const char *v;
        int func = DICT_SEQ_FIRST;
        VSTRING *name = vstring_alloc(100);

        fwrite(data, 1, size, fp);
        fclose(fp);
        vstring_sprintf(name, "texthash:%s", path);
        dict = dict_open(vstring_str(name), O_RDONLY, DICT_FLAG_DEFAULT);
        while (dict_seq(dict, func, &k, &v) == DICT_STAT_FOUND) {
            const char *again;

            if (dict_get(dict, k, &again) != DICT_STAT_FOUND)
                abort(); /* every listed key can be looked up */
            func = DICT_SEQ_NEXT;
        }
        dict_close(dict);
        vstring_free(name);
    }
    return 0;
}
