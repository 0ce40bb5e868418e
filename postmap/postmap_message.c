/*
 * postmap_message - test header_checks/body_checks tables on a message.
 *
 * Interface: postmap_message(in, out, maps, what) (postmap_message.h).
 *
 * The message is read from in.  Its primary header section ends at the
 * first empty line or at the first line that is neither a header ("Name:",
 * see is_header.h) nor a continuation (a line that starts with white space
 * after a header); that line and everything after it is the body.  A header
 * and its continuation lines are looked up as one string with the newlines
 * kept, as header_checks sees them; each body line is looked up on its own,
 * starting with the empty line that separates headers and body (supplied
 * when the message lacks it, as Postfix does).
 * Matches are printed as "text<TAB>result".  Like Postfix without -m, MIME
 * structure is not parsed: attachments' headers count as body lines.
 *
 * Resources: one line (or one folded header) in memory, capped at
 * POSTMAP_MSG_LINE_LIMIT bytes; a longer line is truncated.
 */
#include <stdio.h>
#include <string.h>

#include "dict.h"
#include "dict_cli.h"
#include "is_header.h"
#include "msg.h"
#include "postmap_message.h"
#include "vstring.h"

/* Read one line without its newline; 0 at end of input. */
static int postmap_message_line(FILE *in, VSTRING *buf)
{
    int ch;

    vstring_reset(buf);
    while ((ch = getc_unlocked(in)) != EOF && ch != '\n')
        if (VSTRING_LEN(buf) < POSTMAP_MSG_LINE_LIMIT)
            vstring_addch(buf, ch);
    if (ch == EOF && ferror(in))
        msg_fatal("read error on standard input: %m");
    return ch != EOF || VSTRING_LEN(buf) > 0;
}

static int postmap_message_lookup(FILE *out, DICT_CLI_MAPS *maps, const char *text)
{
    const char *value;

    if (dict_cli_maps_query(maps, text, &value) != DICT_STAT_FOUND)
        return 0;
    fprintf(out, "%s\t%s\n", text, value);
    return 1;
}

int postmap_message(FILE *in, FILE *out, DICT_CLI_MAPS *maps, int what)
{
    VSTRING *line = vstring_alloc(100);
    VSTRING *header = vstring_alloc(100);
    int in_headers = 1;
    size_t name_len;
    int found = 0;

#define FLUSH_HEADER()                                                                             \
    do {                                                                                           \
        if (VSTRING_LEN(header) && (what & POSTMAP_MSG_HEADER))                                    \
            found |= postmap_message_lookup(out, maps, vstring_str(header));                       \
        vstring_reset(header);                                                                     \
    } while (0)

    while (postmap_message_line(in, line)) {
        const char *text = vstring_str(line);

        if (in_headers) {
            if (VSTRING_LEN(line) == 0) {
                FLUSH_HEADER();
                in_headers = 0;
                if (what & POSTMAP_MSG_BODY)
                    found |= postmap_message_lookup(out, maps, "");
                continue;
            }
            if ((text[0] == ' ' || text[0] == '\t') && VSTRING_LEN(header) > 0) {
                if (VSTRING_LEN(header) + 1 + VSTRING_LEN(line) <= POSTMAP_MSG_LINE_LIMIT) {
                    vstring_addch(header, '\n');
                    vstring_memcat(header, text, VSTRING_LEN(line));
                }
                continue;
            }
            if ((name_len = is_header_buf(text, VSTRING_LEN(line))) > 0) {
                const char *colon = strchr(text + name_len, ':');

                /* "Subject :" (obsolete syntax) is seen as "Subject:", as in Postfix. */
                FLUSH_HEADER();
                vstring_memcpy(header, text, name_len);
                vstring_memcat(header, colon, VSTRING_LEN(line) - (size_t)(colon - text));
                continue;
            }
            /* No empty line before the body: Postfix supplies one, and so do we. */
            FLUSH_HEADER();
            in_headers = 0;
            if (what & POSTMAP_MSG_BODY)
                found |= postmap_message_lookup(out, maps, "");
        }
        if (what & POSTMAP_MSG_BODY)
            found |= postmap_message_lookup(out, maps, text);
    }
    FLUSH_HEADER();
    vstring_free(line);
    vstring_free(header);
    if (fflush(out) != 0 || ferror(out))
        msg_fatal("write error: %m");
    return found;
}
