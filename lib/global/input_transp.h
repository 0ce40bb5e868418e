/*
 * input_transp - receive_override_options: what the programs that receive
 * mail (smtpd, pickup) leave out, typically behind a content filter that
 * has done it already (Postfix's FILTER_README setups).
 *
 *   input_transp_mask(param, value)
 *       the INPUT_TRANSP_* bits named in value (commas or white space;
 *       case does not matter):
 *         no_unknown_recipient_checks  smtpd: do not reject unknown
 *                                      recipients (or senders)
 *         no_address_mappings          cleanup: no canonical or virtual
 *                                      mapping, masquerading or automatic BCC
 *         no_header_body_checks        cleanup: no header/body checks
 *         no_milters                   no milter applications
 *       An unknown name is fatal, in Postfix's words ("unknown
 *       receive_override_options value \"x\" in \"x, y\"").
 *   input_transp_cleanup(flags, mask)
 *       flags (CLEANUP_FLAG_*) for cleanup with what mask turns off cleared.
 */
#ifndef POSTERN_INPUT_TRANSP_H
#define POSTERN_INPUT_TRANSP_H

#define INPUT_TRANSP_UNKNOWN_RCPT (1 << 0)
#define INPUT_TRANSP_ADDRESS_MAP  (1 << 1)
#define INPUT_TRANSP_HEADER_BODY  (1 << 2)
#define INPUT_TRANSP_MILTER       (1 << 3)

extern int input_transp_mask(const char *param, const char *value);
extern int input_transp_cleanup(int flags, int mask);

#endif
