/*
 * Unit tests for input_transp: the names of receive_override_options and
 * the cleanup flags each one clears; an unknown name is fatal.
 */
#include "cleanup_user.h"
#include "input_transp.h"
#include "ptest.h"

static void test_mask(void)
{
    PTEST_INT_EQ(input_transp_mask("p", ""), 0);
    PTEST_INT_EQ(input_transp_mask("p", "no_unknown_recipient_checks"), INPUT_TRANSP_UNKNOWN_RCPT);
    PTEST_INT_EQ(input_transp_mask("p", "No_Address_Mappings, no_milters"),
                 INPUT_TRANSP_ADDRESS_MAP | INPUT_TRANSP_MILTER);
    PTEST_INT_EQ(input_transp_mask("p", " no_header_body_checks\tno_milters ,"),
                 INPUT_TRANSP_HEADER_BODY | INPUT_TRANSP_MILTER);
}

static void test_cleanup_flags(void)
{
    int all = CLEANUP_FLAG_MASK_EXTERNAL | CLEANUP_FLAG_BOUNCE;

    PTEST_INT_EQ(input_transp_cleanup(all, 0), all);
    PTEST_INT_EQ(input_transp_cleanup(all, INPUT_TRANSP_ADDRESS_MAP),
                 all & ~(CLEANUP_FLAG_MAP_OK | CLEANUP_FLAG_BCC_OK));
    PTEST_INT_EQ(input_transp_cleanup(all, INPUT_TRANSP_HEADER_BODY), all & ~CLEANUP_FLAG_FILTER);
    PTEST_INT_EQ(input_transp_cleanup(all, INPUT_TRANSP_MILTER), all & ~CLEANUP_FLAG_MILTER);
    /* no_unknown_recipient_checks is smtpd's own: cleanup's flags stay. */
    PTEST_INT_EQ(input_transp_cleanup(all, INPUT_TRANSP_UNKNOWN_RCPT), all);
}

static void test_unknown_name_is_fatal(void)
{
    PTEST_EXPECT_EXIT(1);
    input_transp_mask("receive_override_options", "no_such_option");
}

static const PTEST_CASE cases[] = {
    {"mask", test_mask},
    {"cleanup_flags", test_cleanup_flags},
    {"unknown_name_is_fatal", test_unknown_name_is_fatal},
};

PTEST_MAIN(cases)
