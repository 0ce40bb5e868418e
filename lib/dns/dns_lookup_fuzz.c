/*
 * dns_lookup_fuzz - fuzz target for dns_parse_reply(), the parser of DNS
 * replies (outside input from the network).
 *
 * The first input byte picks the record type (MX, A, AAAA), the rest is
 * the reply message.  Invariants: no crash or out-of-bounds read; DNS_OK
 * comes with a non-empty list whose records are of the asked type, A and
 * AAAA records have 4- and 16-byte addresses, MX exchangers are at most
 * 1025 bytes (dn_expand's limit); anything else comes with an empty list.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns_lookup.h"
#include "vstring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned types[] = {DNS_T_MX, DNS_T_A, DNS_T_AAAA};
    unsigned type;
    DNS_RR *list = 0;
    VSTRING *why;
    int st;

    if (size < 1)
        return 0;
    type = types[data[0] % 3];
    why = vstring_alloc(10);
    st = dns_parse_reply(data + 1, size - 1, type, &list, why);
    if (st == DNS_OK) {
        if (list == 0)
            abort();
        for (DNS_RR *rr = list; rr; rr = rr->next) {
            if (rr->type != type || rr->data == 0)
                abort();
            if (type == DNS_T_A && rr->addr_len != 4)
                abort();
            if (type == DNS_T_AAAA && rr->addr_len != 16)
                abort();
            if (type == DNS_T_MX && strlen(rr->data) > 1025)
                abort();
        }
    } else if (list != 0) {
        abort();
    }
    dns_rr_free(list);
    vstring_free(why);
    return 0;
}
