/*
 * deliver_request_fuzz - fuzz target for deliver_request_read(), the
 * agent's reader of qmgr's requests.
 *
 * The input is written to one end of a socket pair (closed for writing
 * after it) and read as a request on the other.  Invariants: no crash or
 * sanitizer report, no hang (the stream has a deadline), and a request
 * that is accepted has a valid queue id and 1..N recipients with non-empty
 * addresses.  The process works in an empty temporary directory so that no
 * queue file can ever be opened.
 */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "deliver_request.h"
#include "msg.h"
#include "queue_id.h"
#include "vstream.h"

static void quiet(int level, const char *text)
{
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    int sv[2];

    if (!init) {
        char dir[] = "/tmp/deliver_request_fuzz.XXXXXX";

        msg_output_clear();
        msg_output_add(quiet);
        signal(SIGPIPE, SIG_IGN);
        if (mkdtemp(dir) == 0 || chdir(dir) < 0 || rmdir(dir) < 0)
            abort();
        init = 1;
    }
    if (size > 100000 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        return 0;
    int sndbuf = 256 * 1024;
    setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
    if (write(sv[1], data, size) != (ssize_t)size)
        abort();
    shutdown(sv[1], SHUT_WR);
    VSTREAM *client = vstream_fdopen(sv[0], VSTREAM_RDWR);
    vstream_set_timeouts(client, 1000, 1000);
    DELIVER_REQUEST *rq = deliver_request_read(client);
    if (rq) {
        if (rq->fp != 0 || !queue_id_ok(rq->queue_id) || rq->rcpt_list.len < 1)
            abort();
        for (int i = 0; i < rq->rcpt_list.len; i++)
            if (*rq->rcpt_list.info[i].address == 0 || rq->rcpt_list.info[i].offset <= 0)
                abort();
        deliver_request_done(client, rq, DEL_STAT_DEFER);
    }
    vstream_fclose(client);
    close(sv[1]);
    return 0;
}
