/*
 * queue_id - make, check and hash queue ids.
 *
 * A queue id names a queue file and appears in every log line about the
 * message.  It is made from the time the file was created and the file's
 * inode number, so two files that exist at the same time never share one.
 * Two forms, both Postfix's:
 *
 *   short (default)   microseconds as 5 upper-case hex digits, then the
 *                     inode number in upper-case hex: "A084DA7237E"
 *   long              (enable_long_queue_ids = yes) seconds as 6 base-52
 *                     digits, microseconds as 4 base-52 digits, the
 *                     letter 'z', then the inode number in base 51:
 *                     "4jXMNm4Fsyz1bXyn".  The base-52 digits are 0-9 then
 *                     the consonants B..Z and b..z (no vowels, so no words);
 *                     base 51 is the same without 'z', which is therefore
 *                     a separator.  Such ids sort by time and never repeat
 *                     after an inode is reused.
 *
 * Interface:
 *   queue_id_short(buf, usec, inode)          write a short id into buf
 *   queue_id_long(buf, sec, usec, inode)      write a long id into buf
 *                                             (buf: QUEUE_ID_BUFSIZE bytes)
 *   queue_id_ok(id)                           acceptable as a queue file
 *                                             name: 1..QUEUE_ID_MAXLEN
 *                                             letters and digits
 *   queue_id_kind(id)                         QUEUE_ID_SHORT, QUEUE_ID_LONG,
 *                                             or 0 if it is neither form
 *   queue_id_hash_key(id, key)                the 5 hex digits of the
 *                                             microseconds that choose the
 *                                             hashed subdirectories: the
 *                                             first 5 characters of a short
 *                                             id, the decoded microseconds of
 *                                             a long one; -1 if id is not ok
 *
 * Hashing (see mail_queue.h): a queue listed in hash_queue_names keeps a
 * file in DIR/k1/.../kN/ID with N = hash_queue_depth and k1..kN the first
 * N characters of the hash key.  An id that is neither form but ok is
 * hashed by its own first characters, as Postfix does.
 */
#ifndef POSTERN_QUEUE_ID_H
#define POSTERN_QUEUE_ID_H

#include <sys/types.h>
#include <time.h>

#define QUEUE_ID_MAXLEN      32 /* longest real id is 23 */
#define QUEUE_ID_BUFSIZE     (QUEUE_ID_MAXLEN + 1)
#define QUEUE_ID_HASH_KEYLEN 5

#define QUEUE_ID_SHORT 1
#define QUEUE_ID_LONG  2

extern char *queue_id_short(char *buf, long usec, unsigned long inode);
extern char *queue_id_long(char *buf, time_t sec, long usec, unsigned long inode);
extern int queue_id_ok(const char *id);
extern int queue_id_kind(const char *id);
extern int queue_id_hash_key(const char *id, char key[QUEUE_ID_HASH_KEYLEN + 1]);

#endif
