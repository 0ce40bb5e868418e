/*
 * input_transp - receive_override_options; see input_transp.h.
 */
#include <strings.h>

#include "argv.h"
#include "cleanup_user.h"
#include "input_transp.h"
#include "msg.h"

static const struct {
    const char *name;
    int bit;
} input_transp_names[] = {
    {"no_unknown_recipient_checks", INPUT_TRANSP_UNKNOWN_RCPT},
    {"no_address_mappings", INPUT_TRANSP_ADDRESS_MAP},
    {"no_header_body_checks", INPUT_TRANSP_HEADER_BODY},
    {"no_milters", INPUT_TRANSP_MILTER},
};

int input_transp_mask(const char *param, const char *value)
{
    ARGV *words = argv_split(value, ", \t\r\n");
    int mask = 0;

    for (size_t i = 0; i < words->argc; i++) {
        size_t n;

        for (n = 0; n < sizeof(input_transp_names) / sizeof(input_transp_names[0]); n++)
            if (strcasecmp(words->argv[i], input_transp_names[n].name) == 0)
                break;
        if (n == sizeof(input_transp_names) / sizeof(input_transp_names[0]))
            msg_fatal("unknown %s value \"%s\" in \"%s\"", param, words->argv[i], value);
        mask |= input_transp_names[n].bit;
    }
    argv_free(words);
    return mask;
}

int input_transp_cleanup(int flags, int mask)
{
    if (mask & INPUT_TRANSP_ADDRESS_MAP)
        flags &= ~(CLEANUP_FLAG_MAP_OK | CLEANUP_FLAG_BCC_OK);
    if (mask & INPUT_TRANSP_HEADER_BODY)
        flags &= ~CLEANUP_FLAG_FILTER;
    if (mask & INPUT_TRANSP_MILTER)
        flags &= ~CLEANUP_FLAG_MILTER;
    return flags;
}
