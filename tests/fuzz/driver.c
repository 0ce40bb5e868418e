/*
 * driver - run a libFuzzer-style target (LLVMFuzzerTestOneInput) without
 * libFuzzer, so that make check can exercise every fuzz target with gcc.
 *
 * Usage: TARGET [-t seconds] [corpus files or directories ...]
 *
 * Every corpus file is run as is; then, until the time budget runs out,
 * random mutations of corpus entries (bit flips, byte insertions and
 * deletions, splices, runs of interesting bytes) are run.  The seed is
 * printed so that a failure can be reproduced with -s.  A crash or sanitizer
 * report ends the process with an error, which the test runner reports.
 * For coverage-guided fuzzing, build the same target with clang
 * -fsanitize=fuzzer (make fuzz-clang).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

extern int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    uint8_t *data;
    size_t len;
} INPUT;

static INPUT *corpus;
static size_t corpus_len;

static void corpus_add(const uint8_t *data, size_t len)
{
    corpus = realloc(corpus, (corpus_len + 1) * sizeof(*corpus));
    corpus[corpus_len].data = malloc(len ? len : 1);
    memcpy(corpus[corpus_len].data, data, len);
    corpus[corpus_len].len = len;
    corpus_len++;
}

static void corpus_load(const char *path)
{
    struct stat st;

    if (stat(path, &st) < 0) {
        perror(path);
        exit(2);
    }
    if (S_ISDIR(st.st_mode)) {
        DIR *dir = opendir(path);
        struct dirent *dp;
        char name[4096];

        while (dir && (dp = readdir(dir)) != 0) {
            if (dp->d_name[0] == '.')
                continue;
            snprintf(name, sizeof(name), "%s/%s", path, dp->d_name);
            corpus_load(name);
        }
        if (dir)
            closedir(dir);
        return;
    }
    FILE *fp = fopen(path, "rb");
    uint8_t *buf = malloc((size_t) st.st_size + 1);
    size_t len = fp ? fread(buf, 1, (size_t) st.st_size, fp) : 0;
    if (fp)
        fclose(fp);
    corpus_add(buf, len);
    free(buf);
}

static const char *interesting[] = {"\r\n", "\n", "\0", "{", "}", "$", "${", "<", ">", "@",
                                    "\"", "\\", ",", ":", "=", " ", "\t", "\377", "%", "."};

static size_t mutate(uint8_t *buf, size_t len, size_t max)
{
    int rounds = 1 + rand() % 8;

    while (rounds-- > 0) {
        switch (rand() % 6) {
        case 0:                         /* flip a bit */
            if (len)
                buf[rand() % len] ^= (uint8_t) (1 << (rand() % 8));
            break;
        case 1:                         /* random byte */
            if (len)
                buf[rand() % len] = (uint8_t) rand();
            break;
        case 2:                         /* delete a range */
            if (len) {
                size_t at = (size_t) rand() % len;
                size_t n = 1 + (size_t) rand() % (len - at);
                memmove(buf + at, buf + at + n, len - at - n);
                len -= n;
            }
            break;
        case 3: {                       /* insert an interesting token */
            const char *tok = interesting[rand() % (sizeof(interesting) / sizeof(*interesting))];
            size_t n = strlen(tok) ? strlen(tok) : 1;
            size_t at = len ? (size_t) rand() % (len + 1) : 0;
            if (len + n <= max) {
                memmove(buf + at + n, buf + at, len - at);
                memcpy(buf + at, tok, n);
                len += n;
            }
            break;
        }
        case 4: {                       /* splice from another input */
            INPUT *other = &corpus[rand() % corpus_len];
            if (other->len) {
                size_t from = (size_t) rand() % other->len;
                size_t n = 1 + (size_t) rand() % (other->len - from);
                size_t at = len ? (size_t) rand() % (len + 1) : 0;
                if (len + n <= max) {
                    memmove(buf + at + n, buf + at, len - at);
                    memcpy(buf + at, other->data + from, n);
                    len += n;
                }
            }
            break;
        }
        default:                        /* duplicate a range */
            if (len && len * 2 <= max) {
                size_t at = (size_t) rand() % len;
                size_t n = 1 + (size_t) rand() % (len - at);
                memmove(buf + len, buf + at, n);
                len += n;
            }
            break;
        }
    }
    return len;
}

int main(int argc, char **argv)
{
    double seconds = 2;
    unsigned seed = (unsigned) time(0) ^ (unsigned) getpid();
    long runs = 0;
    int ch;

    while ((ch = getopt(argc, argv, "s:t:")) > 0) {
        if (ch == 's')
            seed = (unsigned) strtoul(optarg, 0, 10);
        else if (ch == 't')
            seconds = atof(optarg);
        else
            exit(2);
    }
    for (int i = optind; i < argc; i++)
        corpus_load(argv[i]);
    if (corpus_len == 0)
        corpus_add((const uint8_t *) "", 0);
    for (size_t i = 0; i < corpus_len; i++, runs++)
        LLVMFuzzerTestOneInput(corpus[i].data, corpus[i].len);

    printf("fuzz: seed %u, %zu corpus inputs\n", seed, corpus_len);
    fflush(stdout);
    srand(seed);
    enum { MAX = 8192 };
    uint8_t *buf = malloc(MAX);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        INPUT *base = &corpus[rand() % corpus_len];
        size_t len = base->len > MAX ? MAX : base->len;
        memcpy(buf, base->data, len);
        len = mutate(buf, len, MAX);
        /* Hand the target an exact-size copy so that overreads are caught. */
        uint8_t *exact = malloc(len ? len : 1);
        memcpy(exact, buf, len);
        LLVMFuzzerTestOneInput(exact, len);
        free(exact);
        runs++;
        if ((runs & 63) == 0) {
            clock_gettime(CLOCK_MONOTONIC, &t1);
            if ((double) (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9 > seconds)
                break;
        }
    }
    free(buf);
    printf("fuzz: %ld runs, no crash\n", runs);
    return 0;
}
