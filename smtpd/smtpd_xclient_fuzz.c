/*
 * smtpd_xclient_fuzz - feed arbitrary bytes to the XFORWARD/XCLIENT
 * attribute parser (the arguments come from the network; an authorised
 * proxy is trusted with the meaning, never with the syntax).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtpd.h"
#include "smtpd_xclient.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    SMTPD_STATE state;
    VSTRING *reply = vstring_alloc(100);
    char *buf = malloc(size + 1);

    memcpy(buf, data, size);
    buf[size] = 0;
    memset(&state, 0, sizeof(state));
    state.xforward_ok = 1;
    (void)smtpd_xforward(&state, buf, reply);
    smtpd_xforward_reset(&state);
    vstring_free(reply);
    free(buf);
    return 0;
}
