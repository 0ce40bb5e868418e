/*
 * proctitle - what ps(1) shows for a process.
 *
 *   proctitle_init(argc, argv, envp)    call first thing in main(), before
 *                                       anything changes the environment: the
 *                                       title is written over the memory of
 *                                       argv and environ (which libbsd moves
 *                                       elsewhere first)
 *   proctitle_set(fmt, ...)             the whole title, e.g.
 *                                       proctitle_set("smtpd -n %s", name);
 *                                       longer titles are cut to what fits
 *
 * Uses libbsd's setproctitle(); the format is applied here, so text from
 * outside (a client name) can never be taken as a format.
 */
#ifndef POSTERN_PROCTITLE_H
#define POSTERN_PROCTITLE_H

extern void proctitle_init(int argc, char **argv, char **envp);
extern void proctitle_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
