/*
 * postdrop_clnt - run postdrop and read its queue id; see postdrop_clnt.h.
 */
#include <errno.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "argv.h"
#include "attr.h"
#include "mail_params.h"
#include "mail_proto.h"
#include "msg.h"
#include "postdrop_clnt.h"
#include "queue_id.h"
#include "vstring.h"

int postdrop_start(POSTDROP *pd, const char *const *args)
{
    int in[2], out[2];
    ARGV *argv;

    pd->pid = -1;
    pd->fd = -1;
    pd->answer = 0;
    if (pipe(in) < 0) {
        msg_warn("pipe: %m");
        return -1;
    }
    if (pipe(out) < 0) {
        msg_warn("pipe: %m");
        close(in[0]);
        close(in[1]);
        return -1;
    }
    argv = argv_alloc(4);
    {
        VSTRING *path = vstring_alloc(100);

        vstring_sprintf(path, "%s/postdrop", var_command_directory);
        argv_add(argv, vstring_str(path));
        vstring_free(path);
    }
    argv_add(argv, "-r");
    for (; args && *args; args++)
        argv_add(argv, *args);
    switch (pd->pid = fork()) {
    case -1:
        msg_warn("fork: %m");
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        argv_free(argv);
        return -1;
    case 0:
        if (dup2(in[0], STDIN_FILENO) < 0 || dup2(out[1], STDOUT_FILENO) < 0)
            _exit(EX_OSERR);
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        execv(argv->argv[0], argv->argv);
        msg_warn("execute %s: %m", argv->argv[0]);
        _exit(EX_UNAVAILABLE);
    default:
        break;
    }
    argv_free(argv);
    close(in[0]);
    close(out[1]);
    pd->fd = in[1];
    pd->answer = vstream_fdopen(out[0], VSTREAM_READ);
    vstream_set_path(pd->answer, "postdrop");
    vstream_set_timeouts(pd->answer, var_ipc_timeout * 1000, -1);
    return 0;
}

int postdrop_read_id(VSTREAM *answer, VSTRING *id)
{
    if (attr_scan_hello(answer, MAIL_PROTO_POSTDROP) < 0 ||
        attr_scan(answer, ATTR_FLAG_STRICT, RECV_ATTR_STR(MAIL_ATTR_QUEUEID, id), ATTR_TYPE_END) !=
            1)
        return -1;
    /* What goes into a Received: header and a reply must be an id. */
    if (!queue_id_ok(vstring_str(id))) {
        msg_warn("postdrop: bad queue id \"%.50s\"", vstring_str(id));
        return -1;
    }
    return 0;
}

int postdrop_queue_id(POSTDROP *pd, VSTRING *id)
{
    return pd->answer ? postdrop_read_id(pd->answer, id) : -1;
}

int postdrop_finish(POSTDROP *pd)
{
    int wstat = 0;

    if (pd->fd >= 0)
        close(pd->fd);
    pd->fd = -1;
    if (pd->answer)
        (void)vstream_fclose(pd->answer);
    pd->answer = 0;
    while (waitpid(pd->pid, &wstat, 0) < 0) {
        if (errno != EINTR) {
            msg_warn("waitpid: %m");
            wstat = EX_SOFTWARE << 8;
            break;
        }
    }
    pd->pid = -1;
    return wstat;
}
