/*
 * postcat - show the contents of queue files in human-readable form.
 *
 * Usage: postcat [-bdehoqrv] [-c config_dir] [-s offset] [files...]
 *
 * With no file arguments, standard input is read.  The output is the same,
 * byte for byte, as Postfix's postcat(1) on the same file, so scripts that
 * parse it keep working:
 *
 *   *** ENVELOPE RECORDS name ***   then one line per envelope record,
 *                                   "label: value" (message_size,
 *                                   message_arrival_time, create_time,
 *                                   named_attribute, sender, recipient, ...)
 *   *** MESSAGE CONTENTS name ***   then the message, one line per line
 *   *** HEADER EXTRACTED name ***   then records extracted from headers
 *   *** MESSAGE FILE END name ***
 *
 * Options:
 *   -b  show the body: from the first line that is not a header line (the
 *       empty line after the headers, normally) to the end of the content
 *   -h  show the header lines only
 *   -e  show the envelope (the records outside the content and the
 *       section banners); with none of -b -e -h, all three are on
 *   -c dir   configuration directory (for -q)
 *   -d  print each record's decimal type before it
 *   -o  print each record's file offset before it
 *   -q  arguments are queue ids: search maildrop, incoming, active,
 *       deferred, hold and saved under queue_directory, in that order (as
 *       Postfix does), with hashing
 *   -r  with -v: show records in file order, do not follow pointer
 *       records, and go on after the end record (without -v, as Postfix
 *       3.7 does, no effect)
 *   -s offset   start reading at this file offset (no banner, no check
 *       that the file is a queue file)
 *   -v  label each content record ("regular_text: ", "unterminated_text: ")
 *       and show the pieces of long lines on their own lines; show pointer
 *       and padding records; more verbose logging
 *
 * Configuration parameters: config_directory (-c, MAIL_CONFIG),
 * queue_directory, hash_queue_depth, hash_queue_names.
 *
 * What can go wrong: a file that cannot be opened, a -q argument that is
 * not a queue id or is not found, and a record that cannot be read
 * (truncated file, bad length) end the program with a fatal error, after
 * what was shown so far; a file whose first record is not an envelope
 * record is skipped with a warning.  Diagnostics go to standard error.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mail_conf.h"
#include "mail_queue.h"
#include "msg.h"
#include "mymalloc.h"
#include "queue_id.h"
#include "rec_type.h"
#include "record.h"
#include "stringops.h"
#include "vstring.h"

#define PC_FLAG_SEARCH_QUEUE    (1 << 0)
#define PC_FLAG_PRINT_OFFSET    (1 << 1)
#define PC_FLAG_PRINT_RTYPE_DEC (1 << 2)
#define PC_FLAG_PRINT_RTYPE_SYM (1 << 3)
#define PC_FLAG_PRINT_ENV       (1 << 4)
#define PC_FLAG_PRINT_HEADER    (1 << 5)
#define PC_FLAG_PRINT_BODY      (1 << 6)
#define PC_FLAG_SKIP            (1 << 7)
#define PC_FLAG_RAW             (1 << 8)

#define PC_MASK_PRINT_ALL (PC_FLAG_PRINT_ENV | PC_FLAG_PRINT_HEADER | PC_FLAG_PRINT_BODY)

#define PC_MAX_JUMPS 100000

#define PC_STATE_ENV     0
#define PC_STATE_CONTENT 1
#define PC_STATE_XTRA    2

/* The queues that -q searches, in order. */
static const char *const pc_queues[] = {
    MAIL_QUEUE_MAILDROP, MAIL_QUEUE_INCOMING, MAIL_QUEUE_ACTIVE,
    MAIL_QUEUE_DEFERRED, MAIL_QUEUE_HOLD,     MAIL_QUEUE_SAVED,
};

/*
 * Output goes through one buffer written in large pieces; it is flushed at
 * exit, fatal errors included, so that what was shown before an error
 * reaches the reader.
 */
static VSTRING *pc_out;

static void pc_flush(void)
{
    const char *cp = vstring_str(pc_out);
    size_t left = VSTRING_LEN(pc_out);

    while (left > 0) {
        ssize_t n = write(STDOUT_FILENO, cp, left);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        cp += n;
        left -= (size_t)n;
    }
    vstring_reset(pc_out);
}

static void pc_put(const char *data, size_t len)
{
    vstring_memcat(pc_out, data, len);
    if (VSTRING_LEN(pc_out) >= 65536)
        pc_flush();
}

static void pc_puts(const char *str)
{
    pc_put(str, strlen(str));
}

static void __attribute__((format(printf, 1, 2))) pc_printf(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vstring_vsprintf_append(pc_out, fmt, ap);
    va_end(ap);
    if (VSTRING_LEN(pc_out) >= 65536)
        pc_flush();
}

/* pc_time - asctime() layout of a time value, as postcat shows it */

static void pc_print_time(const char *label, const char *value)
{
    char buf[64];
    time_t when = (time_t)strtol(value, 0, 10);
    struct tm *tm = localtime(&when);

    if (tm == 0 || strftime(buf, sizeof(buf), "%a %b %e %H:%M:%S %Y", tm) == 0)
        pc_printf("%s: %s\n", label, value);
    else
        pc_printf("%s: %s\n", label, buf);
}

/* pc_is_header - does a line start a header (name, optional blanks, ':')? */

static int pc_is_header(const char *line, size_t len)
{
    size_t i = 0;

    while (i < len && (unsigned char)line[i] > ' ' && (unsigned char)line[i] < 0177 &&
           line[i] != ':')
        i++;
    if (i == 0)
        return 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    return i < len && line[i] == ':';
}

/* pc_print_attr - an 'A' record: name=value, white space trimmed */

static void pc_print_attr(const char *name_of_file, char *data)
{
    char *eq = strchr(data, '=');
    char *name;
    char *value;

    if (eq == 0) {
        msg_warn("%s: malformed attribute: missing '=' after attribute name: %.100s", name_of_file,
                 data);
        return;
    }
    *eq = 0;
    name = skipblanks(data);
    trimblanks(name);
    value = skipblanks(eq + 1);
    trimblanks(value);
    if (*name == 0) {
        *eq = '=';
        msg_warn("%s: malformed attribute: missing attribute name: %.100s", name_of_file, data);
        return;
    }
    if (strcmp(name, MAIL_ATTR_CREATE_TIME) == 0)
        pc_print_time("create_time", value);
    else
        pc_printf("named_attribute: %s=%s\n", name, value);
}

/* pc_print_envelope - one record outside the message content */

static void pc_print_envelope(const char *name, int type, VSTRING *data, int flags, int *seen_size)
{
    REC_SIZE size;

    switch (type) {
    case REC_TYPE_SIZE:
        if ((*seen_size)++)
            msg_warn("file contains multiple size records");
        else if (rec_size_parse(vstring_str(data), &size) < 0)
            msg_warn("invalid size record: %.100s", vstring_str(data));
        pc_printf("%s: %s\n", rec_type_name(type), vstring_str(data));
        break;
    case REC_TYPE_TIME:
    case REC_TYPE_WARN:
        pc_print_time(rec_type_name(type), vstring_str(data));
        break;
    case REC_TYPE_ATTR:
        pc_print_attr(name, vstring_str(data));
        break;
    case REC_TYPE_NORM:
        /* A content line outside the content: labelled only with -v. */
        pc_printf("%s%s\n", (flags & PC_FLAG_PRINT_RTYPE_SYM) ? "regular_text: " : "",
                  vstring_str(data));
        break;
    default:
        pc_printf("%s: %s\n", rec_type_name(type), vstring_str(data));
        break;
    }
}

/* pc_read_error - a record cannot be read: fatal, as in Postfix */

static void __attribute__((noreturn)) pc_read_error(REC_READER *rp, const char *name)
{
    msg_warn("%s: %s", name, rec_reader_error(rp));
    msg_fatal("record read error");
}

/* pc_size_fields - content size and offset from a size record; -1 if bad */

static int pc_size_fields(const char *data, long *size, long *offset)
{
    char *cp = (char *)data;
    long val[2];

    for (int field = 0; field < 2; field++) {
        while (*cp == ' ')
            cp++;
        if (*cp < '0' || *cp > '9')
            return -1;
        errno = 0;
        val[field] = strtol(cp, &cp, 10);
        if (errno != 0)
            return -1;
    }
    *size = val[0];
    *offset = val[1];
    return 0;
}

/* pc_skip_content - continue at the end of the content, by the size record */

static void pc_skip_content(REC_READER *rp, const char *name, long offset, long size)
{
    if (!rec_reader_seekable(rp))
        msg_fatal("seek error: Illegal seek");
    if (size < 0 || offset > LONG_MAX - size || rec_reader_seek(rp, (off_t)(offset + size)) < 0)
        msg_fatal("seek error: Invalid argument");
}

/*
 * pc_follow - act on a pointer record: a non-zero target continues reading
 * there (a target beyond the end just ends the file, as in Postfix).
 * Padding records need nothing.  Loops are cut off.
 */
static void pc_follow(REC_READER *rp, const char *name, int type, VSTRING *data, size_t *jumps)
{
    const char *cp = skipblanks(vstring_str(data));
    long target;

    if (type != REC_TYPE_PTR)
        return;
    if (*cp == 0 || !alldig(cp) || !safe_strtol(cp, &target)) {
        msg_warn("%s: malformed pointer record value: %.100s", name, vstring_str(data));
        msg_fatal("record read error");
    }
    if (target == 0)
        return;
    if (!rec_reader_seekable(rp))
        msg_fatal("seek error: Illegal seek");
    /* Each real jump passes a 17-byte pointer record; more jumps is a loop. */
    if (++*jumps > (size_t)rec_reader_next_offset(rp) + PC_MAX_JUMPS) {
        msg_warn("%s: pointer record loop", name);
        msg_fatal("record read error");
    }
    if (rec_reader_seek(rp, (off_t)target) < 0)
        pc_read_error(rp, name);
}

/*
 * postcat - show one file.
 *
 * Normally the reader follows pointer records and skips padding, and the
 * offset shown for a record is where reading it started.  With -v, records
 * are read one by one: pointer and padding records are shown too (in the
 * section they sit in), and pointers are followed here, unless -r asks for
 * file order, in which case reading also goes on after the end record.
 */
static void postcat(int fd, const char *name, int flags, off_t start)
{
    int verbose = (flags & PC_FLAG_PRINT_RTYPE_SYM) != 0;
    int raw = verbose && (flags & PC_FLAG_RAW);
    REC_READER *rp = rec_reader_fd(fd, INT_MAX, REC_FLAG_NONE);
    VSTRING *data = vstring_alloc(1024);
    int state = PC_STATE_ENV;
    int in_header = 1;
    int line_start = 1;
    int seen_size = 0;
    int have = 0;
    int type = REC_TYPE_EOF;
    off_t chain_start = -1;
    off_t shown_off;
    long c_size = -1;
    long c_offset = -1;
    size_t jumps = 0;

    if (start > 0 && rec_reader_seek(rp, start) < 0) {
        /* Beyond the end: nothing to show, as Postfix. */
        goto done;
    }
    if ((flags & PC_FLAG_SKIP) == 0) {
        /* Judge the file by its first type byte; Postfix also accepts 0. */
        type = rec_reader_peek(rp);
        if (type == REC_TYPE_EOF)
            goto done;
        if (type == REC_TYPE_ERROR)
            pc_read_error(rp, name);
        if (type != 0 && !rec_type_envelope(type)) {
            msg_warn("%s: input is not a valid queue file", name);
            goto done;
        }
        /* The banner comes after the first record was read. */
        if ((type = rec_get(rp, data)) == REC_TYPE_ERROR)
            pc_read_error(rp, name);
        have = 1;
        if (flags & PC_FLAG_PRINT_ENV)
            pc_printf("*** ENVELOPE RECORDS %s ***\n", name);
    }
    for (;;) {
        int show;
        int content;
        int structure;

        if (!have)
            type = rec_get(rp, data);
        have = 0;
        if (type == REC_TYPE_EOF)
            break;
        if (type == REC_TYPE_ERROR)
            pc_read_error(rp, name);
        if (chain_start < 0)
            chain_start = rec_reader_offset(rp);
        structure = type == REC_TYPE_PTR || type == REC_TYPE_DTXT;
        if (structure && !verbose) {
            /* Followed silently; the next record shows this offset. */
            pc_follow(rp, name, type, data, &jumps);
            continue;
        }
        shown_off = verbose ? rec_reader_offset(rp) : chain_start;
        chain_start = -1;

        /*
         * Without -e, the size record sends the reader straight to the
         * content, as Postfix does (a wrong offset shows as it does there).
         */
        if (type == REC_TYPE_SIZE && c_offset < 0 &&
            pc_size_fields(vstring_str(data), &c_size, &c_offset) < 0)
            c_size = c_offset = -1;
        if (type == REC_TYPE_SIZE && state == PC_STATE_ENV && (flags & PC_FLAG_PRINT_ENV) == 0) {
            long offset = c_offset;

            if (offset < 0)
                msg_fatal("seek error: Invalid argument");
            if (!rec_reader_seekable(rp))
                msg_fatal("seek error: Illegal seek");
            if (rec_reader_seek(rp, (off_t)offset) < 0)
                pc_read_error(rp, name);
            state = PC_STATE_CONTENT;
            in_header = 1;
            line_start = 1;
            continue;
        }

        /* Decide whether this record is shown at all. */
        content = state == PC_STATE_CONTENT && (type == REC_TYPE_NORM || type == REC_TYPE_CONT);
        structure = type == REC_TYPE_PTR || type == REC_TYPE_DTXT;
        if (content && line_start && in_header) {
            const char *cp = vstring_str(data);
            size_t len = VSTRING_LEN(data);

            if (!pc_is_header(cp, len) && !(len > 0 && (cp[0] == ' ' || cp[0] == '\t'))) {
                in_header = 0;
                /*
                 * No body to show: stop reading when nothing else is to be
                 * shown, else skip to the extracted segment by the size
                 * record, as Postfix does.
                 */
                if ((flags & PC_FLAG_PRINT_BODY) == 0) {
                    if ((flags & PC_FLAG_PRINT_ENV) == 0)
                        goto done;
                    if (c_offset >= 0) {
                        pc_skip_content(rp, name, c_offset, c_size);
                        continue;
                    }
                }
            }
        }
        if (state == PC_STATE_CONTENT && type != REC_TYPE_MESG && type != REC_TYPE_XTRA &&
            type != REC_TYPE_END)
            /* Anything inside the content goes with the header or body. */
            show = (flags & (in_header ? PC_FLAG_PRINT_HEADER : PC_FLAG_PRINT_BODY)) != 0;
        else
            show = (flags & PC_FLAG_PRINT_ENV) != 0;
        if (type == REC_TYPE_END && !raw && !rec_reader_seekable(rp)) {
            /* Postfix looks for records beyond the end; a pipe cannot seek. */
            msg_warn("%s: seek error after reading END record: Illegal seek", name);
            msg_fatal("record read error");
        }
        if (show) {
            if (flags & PC_FLAG_PRINT_OFFSET)
                pc_printf("%9lld ", (long long)shown_off);
            if (flags & PC_FLAG_PRINT_RTYPE_DEC)
                pc_printf("%3d ", type);
        }

        if (content) {
            if (show) {
                if (verbose)
                    pc_puts(type == REC_TYPE_NORM ? "regular_text: " : "unterminated_text: ");
                pc_put(vstring_str(data), VSTRING_LEN(data));
                if (type == REC_TYPE_NORM ||
                    (flags & (PC_FLAG_PRINT_RTYPE_SYM | PC_FLAG_PRINT_OFFSET)))
                    pc_put("\n", 1);
            }
            line_start = type == REC_TYPE_NORM;
            continue;
        }
        if (structure) {
            /* Only reached with -v: show it, then follow it unless -r. */
            if (show)
                pc_printf("%s: %s\n", rec_type_name(type), vstring_str(data));
            if (!raw)
                pc_follow(rp, name, type, data, &jumps);
            continue;
        }

        switch (type) {
        case REC_TYPE_MESG:
            if (state == PC_STATE_CONTENT)
                msg_warn("%s: out-of-order message content marker", name);
            else if (state == PC_STATE_XTRA)
                msg_warn("%s: out-of-order message end marker", name);
            if (show)
                pc_printf("*** MESSAGE CONTENTS %s ***\n", name);
            state = PC_STATE_CONTENT;
            in_header = 1;
            line_start = 1;
            /* Envelope only: skip the content by the size record, as Postfix. */
            if ((flags & (PC_FLAG_PRINT_HEADER | PC_FLAG_PRINT_BODY)) == 0 && c_offset >= 0)
                pc_skip_content(rp, name, c_offset, c_size);
            break;
        case REC_TYPE_XTRA:
            if ((flags & PC_FLAG_PRINT_ENV) == 0)
                goto done;
            if (state != PC_STATE_CONTENT)
                msg_warn("%s: out-of-order extracted segment marker", name);
            if (show)
                pc_printf("*** HEADER EXTRACTED %s ***\n", name);
            state = PC_STATE_XTRA;
            break;
        case REC_TYPE_END:
            if (state == PC_STATE_CONTENT)
                msg_warn("%s: out-of-order message end marker", name);
            if (show)
                pc_printf("*** MESSAGE FILE END %s ***\n", name);
            if (!raw)
                goto done;
            break;
        default:
            if (show)
                pc_print_envelope(name, type, data, flags, &seen_size);
            break;
        }
    }
done:
    rec_reader_free(rp);
    vstring_free(data);
}

static void __attribute__((noreturn)) usage(void)
{
    msg_fatal("usage: %s [-b (body text)] [-c config_dir] [-d (decimal record type)] "
              "[-e (envelope records)] [-h (header text)] [-q (access queue)] [-v] "
              "[file(s)...]",
              msg_program);
}

/* pc_open_queue - find a queue id in the queues that -q searches */

static int pc_open_queue(const char *id, VSTRING *name)
{
    MAIL_QUEUE_CONF conf = {0};
    unsigned long depth = MAIL_QUEUE_DEF_HASH_DEPTH;
    const char *val;
    int fd = -1;

    if (!queue_id_ok(id))
        msg_fatal("bad mail queue ID: %s", id);
    if ((val = mail_conf_eval("hash_queue_depth")) != 0 && !safe_strtoul(val, &depth))
        msg_fatal("bad numerical configuration: hash_queue_depth = %s", val);
    conf.hash_depth = depth > INT_MAX ? INT_MAX : (int)depth;
    conf.hash_names = mail_conf_eval("hash_queue_names");
    for (size_t i = 0; i < sizeof(pc_queues) / sizeof(pc_queues[0]); i++) {
        mail_queue_path(name, &conf, pc_queues[i], id);
        if ((fd = open(vstring_str(name), O_RDONLY | O_CLOEXEC)) >= 0)
            return fd;
        if (errno != ENOENT)
            msg_fatal("open queue file %s: %m", vstring_str(name));
    }
    msg_fatal("open queue file %s: %m", id);
}

int main(int argc, char **argv)
{
    int flags = 0;
    off_t start = 0;
    int ch;
    int fd;

    msg_init(argv[0]);
    msg_stderr_init();
    pc_out = vstring_alloc(65536 + 4096);
    msg_cleanup(pc_flush);

    while ((ch = getopt(argc, argv, "bc:dehoqrs:v")) != -1) {
        switch (ch) {
        case 'b':
            flags |= PC_FLAG_PRINT_BODY;
            break;
        case 'c':
            mail_conf_set_dir(optarg);
            break;
        case 'd':
            flags |= PC_FLAG_PRINT_RTYPE_DEC;
            break;
        case 'e':
            flags |= PC_FLAG_PRINT_ENV;
            break;
        case 'h':
            flags |= PC_FLAG_PRINT_HEADER;
            break;
        case 'o':
            flags |= PC_FLAG_PRINT_OFFSET;
            break;
        case 'q':
            flags |= PC_FLAG_SEARCH_QUEUE;
            break;
        case 'r':
            flags |= PC_FLAG_RAW;
            break;
        case 's': {
            long off;

            if (!safe_strtol(optarg, &off) || off < 0)
                msg_fatal("bad offset: %s", optarg);
            start = (off_t)off;
            if (start > 0)
                flags |= PC_FLAG_SKIP;
            break;
        }
        case 'v':
            msg_verbose++;
            flags |= PC_FLAG_PRINT_RTYPE_SYM;
            break;
        default:
            usage();
        }
    }
    if ((flags & PC_MASK_PRINT_ALL) == 0)
        flags |= PC_MASK_PRINT_ALL;

    mail_conf_read();

    if (optind == argc) {
        if (flags & PC_FLAG_SEARCH_QUEUE)
            usage();
        postcat(STDIN_FILENO, "stdin", flags, start);
    } else if (flags & PC_FLAG_SEARCH_QUEUE) {
        VSTRING *name = vstring_alloc(100);
        const char *qdir = mail_conf_eval("queue_directory");

        if (qdir == 0 || chdir(qdir) < 0)
            msg_fatal("chdir %s: %m", qdir ? qdir : "(queue_directory)");
        for (int i = optind; i < argc; i++) {
            fd = pc_open_queue(argv[i], name);
            postcat(fd, vstring_str(name), flags, start);
            close(fd);
        }
        vstring_free(name);
    } else {
        for (int i = optind; i < argc; i++) {
            if ((fd = open(argv[i], O_RDONLY | O_CLOEXEC)) < 0)
                msg_fatal("open %s: %m", argv[i]);
            postcat(fd, argv[i], flags, start);
            close(fd);
        }
    }
    pc_flush();
    return 0;
}
