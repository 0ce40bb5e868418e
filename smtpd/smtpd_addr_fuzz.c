/*
 * smtpd_addr_fuzz - feed arbitrary bytes to the MAIL/RCPT argument parser
 * and the other syntax checks that see client input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtpd_addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    char *copy;
    ARGV *params = argv_alloc(2);
    VSTRING *out = vstring_alloc(10);
    char *addr = 0;

    memcpy(buf, data, size);
    buf[size] = 0;
    copy = strdup(buf);
    if (smtpd_addr_split(copy, size & 1, &addr, params) == SMTPD_ADDR_OK) {
        smtpd_addr_internal(addr, out);
        (void)smtpd_addr_fqdn(addr);
    }
    (void)smtpd_addr_notify(buf);
    (void)smtpd_addr_xtext_decode(buf, out);
    (void)smtpd_addr_valid_hostname(buf);
    argv_free(params);
    vstring_free(out);
    free(copy);
    free(buf);
    return 0;
}
