/*
 * postsuper_qid - the queue id a queue file should have, given its inode.
 *
 * A queue id ends with the inode number of its file (see queue_id.h), so a
 * queue restored from a backup or copied from another machine has names
 * that no longer match; two files could then end up with the same name.
 * postsuper -s renames such files, as Postfix does:
 *
 *   postsuper_qid_fixed(id, inode, long_ids, strict, out)
 *       Write into out (QUEUE_ID_BUFSIZE bytes) the name the file id with
 *       this inode should have, and return 1 when it differs from id, 0
 *       when id is fine, -1 when id is neither a short nor a long id (the
 *       caller leaves such a file alone).
 *         short id: the 5 hex digits of microseconds are kept, the inode
 *                   part is rewritten in upper-case hex;
 *         long id:  with long_ids off it becomes a short id (the decoded
 *                   microseconds and the inode, for a return to short
 *                   names); with long_ids on it is kept, unless strict
 *                   (postsuper -S) and its base-51 inode part differs, in
 *                   which case the time part is kept and the inode part is
 *                   rewritten.
 *       Short ids stay short even when long_ids is on (Postfix does not
 *       convert them either).
 *
 *   postsuper_qid_kind(id)
 *       queue_id_kind(), except that 5 upper-case hex digits alone (a short
 *       id whose inode part is missing) count as QUEUE_ID_SHORT, as they do
 *       for Postfix's postsuper.
 */
#ifndef POSTERN_POSTSUPER_QID_H
#define POSTERN_POSTSUPER_QID_H

extern int postsuper_qid_fixed(const char *id, unsigned long inode, int long_ids, int strict,
                               char *out);

extern int postsuper_qid_kind(const char *id);

#endif
