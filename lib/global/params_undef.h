/*
 * params_undef.h - forget the PARAM_* row macros after an include of
 * params_all.def (or of one of its files), so that the next user can
 * define them its own way (mail_params.h, mail_params.c,
 * mail_params_unsupported.c).  No include guard: it is meant to be
 * included again.
 */
#undef PARAM_STR
#undef PARAM_STR_FN
#undef PARAM_STR_V
#undef PARAM_RAW
#undef PARAM_LIST
#undef PARAM_INT
#undef PARAM_LONG
#undef PARAM_SIZE
#undef PARAM_BOOL
#undef PARAM_TIME
