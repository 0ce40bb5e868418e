"""The mail pipeline end to end, without SMTP: sendmail -> postdrop -> pickup
-> cleanup -> qmgr -> local/error/bounce, on a real instance in a network
namespace (tests/lib/instance.py), compared with Debian's Postfix where
Postfix's behaviour is the reference.

What is checked is what a user sees: the mailbox bytes, the DSN a sender
gets back, mailq output, queue directories, log lines, and the processes'
owners and roots.
"""
import email
import email.policy
import os
import random
import re
import signal
import subprocess
import threading
import time


MSG = "Subject: prueba\n\nHola Paco\n"


def _postern(instance, **kw):
    kw.setdefault("smtp", False)
    return instance("postern", **kw)


def _normalize(mbox, ids):
    """Replace what differs between two runs of the same scenario (queue ids,
    dates, the MTA's name) with fixed tokens."""
    text = mbox.decode()
    for i, qid in enumerate(sorted(ids, key=len, reverse=True)):
        text = text.replace(qid, f"QUEUEID{i}")
    text = re.sub(r"^From (\S+)  \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$",
                  r"From \1  FROMDATE", text, flags=re.M)
    text = re.sub(r"\w{3}, [ \d]\d \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4} \(\w+\)", "DATE", text)
    text = re.sub(r"<\d{14}\.", "<TIMESTAMP.", text)
    text = text.replace("(Postfix, ", "(MTA, ").replace("(Postern, ", "(MTA, ")
    return text


def _queue_ids(inst, since=0):
    return set(re.findall(r": ([0-9A-Za-z]{6,}): (?:uid=|message-id=|from=<)",
                          inst.maillog(since)))


def _run_course_scenario(inst):
    inst.start()
    inst.sendmail(["paco"], input=MSG)
    box = inst.wait_for_mail("paco", rb"Hola Paco\n\n", timeout=20)
    inst.wait_for_log(r"status=sent \(delivered to mailbox\)", timeout=10)
    return box, _queue_ids(inst)


def test_sendmail_to_local_user_like_postfix(instance):
    """The session from the course: printf 'Subject: prueba\\n\\nHola Paco\\n'
    | sendmail paco lands in paco's mbox with Postfix's headers, in Postfix's
    order and form."""
    pf = instance("postfix", smtp=False)
    want_box, want_ids = _run_course_scenario(pf)
    pst = _postern(instance)
    got_box, got_ids = _run_course_scenario(pst)
    assert _normalize(got_box, got_ids) == _normalize(want_box, want_ids)
    # The log tells the same story as Postfix's, line for line in shape.
    for rx in (r"postfix/pickup\[\d+\]: \w+: uid=0 from=<root>",
               r"postfix/cleanup\[\d+\]: \w+: message-id=<\d{14}\.\w+@mail\.example\.test>",
               r"postfix/qmgr\[\d+\]: \w+: from=<root@example\.test>, size=\d+, nrcpt=1 "
               r"\(queue active\)",
               r"postfix/local\[\d+\]: \w+: to=<paco@example\.test>, orig_to=<paco>, "
               r"relay=local, delay=[\d.]+, delays=[\d.]+/[\d.]+/[\d.]+/[\d.]+, dsn=2\.0\.0, "
               r"status=sent \(delivered to mailbox\)",
               r"postfix/qmgr\[\d+\]: \w+: removed"):
        assert pst.log_lines(rx), f"no log line like {rx}\n{pst.log_tail()}"
    pst.wait_for_queue_empty(timeout=10)


def _dsn_parts(box):
    """The last message of an mbox, parsed."""
    last = re.split(rb"^From ", box, flags=re.M)[-1]
    return email.message_from_bytes(last.split(b"\n", 1)[1], policy=email.policy.compat32)


def test_unknown_user_bounces_to_sender(instance):
    inst = _postern(instance).start()
    inst.sendmail(["-f", "paco@example.test", "nosuchuser"], input=MSG)
    inst.wait_for_log(r"to=<nosuchuser@example\.test>.*dsn=5\.1\.1, status=bounced", timeout=20)
    box = inst.wait_for_mail("paco", rb"multipart/report", timeout=20)
    msg = _dsn_parts(box)
    assert msg.get_content_type() == "multipart/report"
    assert msg.get_param("report-type") == "delivery-status"
    assert re.match(r"^<>$", re.search(rb"^Return-Path: (.*)$", box, re.M).group(1).decode())
    parts = msg.get_payload()
    types = [p.get_content_type() for p in parts]
    assert types[0] == "text/plain" and types[1] == "message/delivery-status", types
    status = parts[1].as_string()
    assert re.search(r"Final-Recipient: rfc822; ?nosuchuser@example\.test", status), status
    assert "Action: failed" in status and "Status: 5.1.1" in status, status
    # The original message comes back (RET defaults to the full message).
    assert b"Hola Paco" in box
    inst.wait_for_log(r"sender non-delivery notification: \w+")
    inst.wait_for_queue_empty(timeout=10)


def test_header_checks_reject_bounces_and_hold_holds(instance):
    inst = _postern(instance)
    inst.write_config()
    checks = os.path.join(inst.conf, "header_checks")
    with open(checks, "w") as f:
        f.write("/^Subject: reject me/ REJECT we do not want this\n"
                "/^Subject: hold me/ HOLD for the admin\n")
    inst.set_params(header_checks=f"regexp:{checks}")
    inst.start()
    inst.sendmail(["-f", "paco@example.test", "-R", "hdrs", "-V", "env-42", "enrique"],
                  input="Subject: reject me\n\nx\n")
    inst.wait_for_log(r"cleanup\[\d+\]: \w+: reject: header Subject: reject me from local; "
                      r"from=<paco@example\.test> to=<enrique@example\.test>: 5\.7\.1 we do not "
                      r"want this", timeout=20)
    box = inst.wait_for_mail("paco", rb"we do not want this", timeout=20)
    assert b"multipart/report" in box
    # The message's own DSN RET= and ENVID= shape the bounce.
    assert b"Original-Envelope-Id: env-42" in box, box.decode()
    assert b"text/rfc822-headers" in box and b"message/rfc822" not in box
    assert inst.read_mailbox("enrique") == b""

    inst.sendmail(["enrique"], input="Subject: hold me\n\nkeep\n")
    m = inst.wait_for_log(r"cleanup\[\d+\]: (\w+): hold: header Subject: hold me from local; "
                          r"from=<root@example\.test> to=<enrique@example\.test>: for the admin",
                          timeout=20)
    qid = m.group(1)
    held = os.path.join(inst.queue, "hold", qid)
    inst.wait_for_file(held)
    listing = inst.queue_listing()
    assert re.search(rf"^{qid}!\s+\d+ \w{{3}} \w{{3}} [ \d]\d \d\d:\d\d:\d\d\s+root@example\.test$",
                     listing, re.M), listing
    time.sleep(1)
    assert os.path.exists(held) and inst.read_mailbox("enrique") == b""
    # Debian's postcat reads Postern's queue file, and says what ours says.
    empty = os.path.join(inst.dir, "postcat-conf")
    os.makedirs(empty, exist_ok=True)
    open(os.path.join(empty, "main.cf"), "w").close()
    theirs = subprocess.run(["/usr/sbin/postcat", "-c", empty, held], capture_output=True,
                            text=True)
    ours = subprocess.run([inst.bin("postcat"), "-c", empty, held], capture_output=True,
                          text=True)
    assert theirs.returncode == 0, theirs.stderr
    assert "keep" in theirs.stdout and "enrique@example.test" in theirs.stdout
    assert ours.stdout == theirs.stdout


def test_unreachable_transport_stays_deferred_and_is_retried(instance):
    inst = _postern(instance)
    inst.write_config()
    tmap = os.path.join(inst.conf, "transport")
    with open(tmap, "w") as f:
        f.write("unreachable.test retry:4.4.1 host unreachable (test)\n")
    inst.set_params(transport_maps=f"texthash:{tmap}", minimal_backoff_time="1s",
                    maximal_backoff_time="2s", queue_run_delay="1s")
    inst.start()
    inst.sendmail(["someone@unreachable.test"], input=MSG)
    m = inst.wait_for_log(r"(\w+): to=<someone@unreachable\.test>, relay=none, .*dsn=4\.4\.1, "
                          r"status=deferred \(host unreachable \(test\)\)", timeout=20)
    qid = m.group(1)
    inst.wait_for_file(os.path.join(inst.queue, "deferred", qid[0], qid), timeout=10)
    listing = inst.queue_listing()
    assert qid in listing and "(host unreachable (test))" in listing, listing
    mark = inst.log_mark()
    # Retried by itself (queue_run_delay), and at once on postqueue -f.
    inst.wait_for_log(rf"{qid}: to=<someone@unreachable\.test>.*status=deferred", since=mark,
                      timeout=20)
    mark = inst.log_mark()
    inst.postqueue("-f")
    inst.wait_for_log(rf"{qid}: to=<someone@unreachable\.test>.*status=deferred", since=mark,
                      timeout=10)
    assert not inst.log_lines(rf"{qid}: removed")


def _proc_info(pid):
    with open(f"/proc/{pid}/status") as f:
        st = f.read()
    uid = int(re.search(r"^Uid:\s+(\d+)", st, re.M).group(1))
    with open(f"/proc/{pid}/comm") as f:
        comm = f.read().strip()
    return comm, uid, os.readlink(f"/proc/{pid}/root")


CHROOT_MASTER_CF = """\
pickup     unix  n       -       y       60      1       pickup
cleanup    unix  n       -       y       -       0       cleanup
qmgr       unix  n       -       y       300     1       qmgr
rewrite    unix  -       -       y       -       -       trivial-rewrite
bounce     unix  -       -       y       -       0       bounce
defer      unix  -       -       y       -       0       bounce
trace      unix  -       -       y       -       0       bounce
showq      unix  n       -       y       -       -       showq
error      unix  -       -       y       -       -       error
retry      unix  -       -       y       -       -       error
discard    unix  -       -       y       -       -       discard
local      unix  -       n       n       -       -       local
postlog    unix-dgram n  -       n       -       1       postlogd
"""


def test_privileges_and_chroot(instance):
    """ps shows every daemon but master and local running as mail_owner; a
    daemon marked chroot y runs chrooted and still works."""
    import pwd
    postfix_uid = pwd.getpwnam("postfix").pw_uid
    inst = _postern(instance, master_cf=CHROOT_MASTER_CF).start()
    inst.sendmail(["-f", "paco@example.test", "paco", "nosuchuser"], input=MSG)
    inst.wait_for_mail("paco", rb"Hola Paco", timeout=20)
    inst.wait_for_mail("paco", rb"multipart/report", timeout=20)
    inst.postqueue("-p")
    seen = {}
    for pid in inst.pids():
        try:
            seen[pid] = _proc_info(pid)
        except OSError:
            pass
    master = inst.master_pid()
    chrooted = {"pickup", "cleanup", "qmgr", "trivial-rewrite", "bounce", "error"}
    names = set()
    for pid, (comm, uid, root) in seen.items():
        names.add(comm)
        if pid == master or comm == "local":
            assert uid == 0, (comm, uid)
        else:
            assert uid == postfix_uid, f"{comm}[{pid}] runs as uid {uid}"
        if comm in chrooted:
            assert os.path.realpath(root) == os.path.realpath(inst.queue), (comm, root)
    assert {"pickup", "qmgr", "cleanup", "local"} <= names, names


def test_crash_safety_under_kill_9(instance):
    """While messages flow, kill -9 cleanup, qmgr and local at random moments;
    after a restart every accepted message is delivered exactly once or (a
    delivery cut between the mailbox write and the done mark) twice; nothing
    is lost, stuck or corrupt."""
    count = int(os.environ.get("POSTERN_CRASH_MESSAGES", "2000"))
    # A local killed while it holds paco's dot lock leaves the lock behind;
    # like Postfix, local removes it once older than stale_lock_time (500s
    # by default, too long for a test).
    inst = _postern(instance, params={"minimal_backoff_time": "1s", "maximal_backoff_time": "2s",
                                      "queue_run_delay": "1s", "service_throttle_time": "1s",
                                      "stale_lock_time": "5s"})
    inst.allow_log(r"fatal: ")          # killed processes may leave such lines
    inst.start()
    accepted = []
    lock = threading.Lock()
    stop = threading.Event()

    def submit(worker, n):
        for i in range(worker, n, 4):
            mid = f"<crash-{i}@test>"
            p = inst.sendmail(["paco"], input=f"Message-Id: {mid}\nSubject: {i}\n\n{i}\n",
                              check=False)
            if p.returncode == 0:
                with lock:
                    accepted.append(mid)

    def killer():
        rnd = random.Random(1)
        kills = 0
        while not stop.wait(rnd.uniform(0.2, 0.8)):
            victims = [(pid, info[0]) for pid, info in
                       ((p, _safe_info(p)) for p in inst.pids()) if info
                       and info[0] in ("cleanup", "qmgr", "local")]
            if victims:
                pid, _ = rnd.choice(victims)
                try:
                    os.kill(pid, signal.SIGKILL)
                    kills += 1
                except ProcessLookupError:
                    pass
        killer.kills = kills

    k = threading.Thread(target=killer)
    k.start()
    workers = [threading.Thread(target=submit, args=(w, count)) for w in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    stop.set()
    k.join()
    assert len(accepted) == count, f"sendmail failed for {count - len(accepted)} messages"
    # Restart, then flush until everything is out.
    inst.stop()
    inst.start()
    deadline = time.monotonic() + 180
    while "Mail queue is empty" not in inst.queue_listing():
        assert time.monotonic() < deadline, inst.queue_listing()[-2000:]
        inst.postqueue("-f")
        time.sleep(1)
    box = inst.read_mailbox("paco")
    ids = re.findall(rb"^Message-Id: (<crash-\d+@test>)$", box, re.M | re.I)
    got = {}
    for i in ids:
        got[i.decode()] = got.get(i.decode(), 0) + 1
    lost = set(accepted) - set(got)
    dups = sum(n - 1 for n in got.values())
    print(f"crash safety: {count} messages, {getattr(killer, 'kills', 0)} kills, "
          f"{dups} duplicates")
    assert not lost, f"{len(lost)} messages lost, e.g. {sorted(lost)[:5]}"
    assert os.listdir(os.path.join(inst.queue, "corrupt")) == []


def _safe_info(pid):
    try:
        return _proc_info(pid)
    except OSError:
        return None


def test_takes_over_a_postfix_queue(instance):
    """A queue directory left by Postfix (messages in deferred/, hold/,
    incoming/) is picked up and delivered by Postern after the switch."""
    pf = instance("postfix", smtp=False, params={"defer_transports": "local"})
    pf.start()
    for i in range(3):
        pf.sendmail(["paco"], input=f"Subject: from postfix {i}\n\nbody {i}\n")
    deadline = time.monotonic() + 20
    while len(_files(pf.queue, "deferred")) < 3:
        assert time.monotonic() < deadline, pf.queue_listing()
        time.sleep(0.1)
    pf.stop()
    deferred = _files(pf.queue, "deferred")

    def body_of(path):
        with open(path, "rb") as f:
            return re.search(rb"body \d", f.read()).group(0)

    bodies = [body_of(p) for p in deferred]
    # One message waits in hold/, one in incoming/ (as if Postfix stopped
    # between cleanup and qmgr).
    held = deferred[0]
    os.rename(held, os.path.join(pf.queue, "hold", os.path.basename(held)))
    inc = deferred[1]
    os.rename(inc, os.path.join(pf.queue, "incoming", os.path.basename(inc)))
    held_body, others = bodies[0], bodies[1:]
    # The queue directory as Postfix left it (stale sockets and pid file
    # included), owners and modes kept.
    pst = instance("postern", smtp=False)
    pst.write_config()
    os.rmdir(pst.queue)
    subprocess.run(["cp", "-a", pf.queue, pst.queue], check=True)
    pst.start()
    pst.postqueue("-f")
    for body in others:
        box = pst.wait_for_mail("paco", re.escape(body) + rb"\n", timeout=30)
    assert held_body not in box      # still held
    listing = pst.queue_listing()
    assert re.search(rf"^{os.path.basename(held)}!", listing, re.M), listing
    # Released (what postsuper -H does: back into deferred/): delivered too.
    qid = os.path.basename(held)
    os.rename(os.path.join(pst.queue, "hold", qid), os.path.join(pst.queue, "deferred", qid[0], qid))
    pst.postqueue("-f")
    pst.wait_for_mail("paco", re.escape(held_body) + rb"\n", timeout=30)
    pst.wait_for_queue_empty(timeout=20)


def _files(queue, sub):
    out = []
    for root, _, names in os.walk(os.path.join(queue, sub)):
        out += [os.path.join(root, n) for n in names]
    return sorted(out)


def test_postsuper_requeue_and_expire(instance):
    """postsuper -r sends a queued message through pickup and cleanup again
    (a complete queue file in maildrop/, not postdrop output); postsuper -e
    makes qmgr return a deferred message to its sender at the next attempt."""
    inst = _postern(instance)
    inst.write_config()
    tmap = os.path.join(inst.conf, "transport")
    with open(tmap, "w") as f:
        f.write("unreachable.test retry:4.4.1 host unreachable (test)\n")
    inst.set_params(transport_maps=f"texthash:{tmap}")
    inst.start()
    inst.sendmail(["-f", "paco@example.test", "someone@unreachable.test"], input=MSG)
    m = inst.wait_for_log(r"(\w+): to=<someone@unreachable\.test>.*status=deferred", timeout=20)
    old = m.group(1)
    mark = inst.log_mark()
    p = inst.command("postsuper", "-r", old)
    assert "Requeued: 1 message" in p.stderr, p.stderr
    m = inst.wait_for_log(r"pickup\[\d+\]: (\w+): uid=\d+ from=<paco@example\.test>", since=mark,
                          timeout=20)
    new = m.group(1)
    assert new != old
    m = inst.wait_for_log(rf"{new}: to=<someone@unreachable\.test>.*status=deferred", since=mark,
                          timeout=20)
    mark = inst.log_mark()
    p = inst.command("postsuper", "-e", new)
    inst.postqueue("-f")
    inst.wait_for_log(rf"{new}: from=<paco@example\.test>, status=expired, returned to sender",
                      since=mark, timeout=20)
    inst.wait_for_mail("paco", rb"multipart/report", timeout=20)
    inst.wait_for_queue_empty(timeout=20)


def test_cleanup_restarts_when_a_table_changes(instance):
    """Like Postfix's cleanup: a table rebuilt with postmap is used for the
    next message (the process logs "table ... has changed -- restarting").
    (regexp and pcre tables, as in Postfix, need "postfix reload".)"""
    inst = _postern(instance)
    inst.write_config()
    canon = os.path.join(inst.conf, "canonical")
    with open(canon, "w") as f:
        f.write("nobody@example.test root@example.test\n")
    inst.command("postmap", f"hash:{canon}")
    inst.set_params(recipient_canonical_maps=f"hash:{canon}")
    inst.start()
    inst.sendmail(["paco"], input="Subject: x\n\none\n")
    inst.wait_for_mail("paco", rb"\none\n", timeout=20)
    time.sleep(1.1)                     # a new mtime
    with open(canon, "w") as f:
        f.write("paco@example.test enrique@example.test\n")
    inst.command("postmap", f"hash:{canon}")
    inst.sendmail(["paco"], input="Subject: x\n\ntwo\n")
    inst.wait_for_log(r"cleanup\[\d+\]: table hash:\S+ has changed -- restarting", timeout=20)
    inst.wait_for_mail("enrique", rb"\ntwo\n", timeout=20)


def test_missing_header_body_separator_like_postfix(instance):
    """A message whose body starts without an empty line gets one, as
    Postfix's cleanup inserts it, so the first body line is not taken for a
    broken header."""
    boxes = []
    for kind in ("postfix", "postern"):
        inst = instance(kind, smtp=False) if kind == "postfix" else _postern(instance)
        inst.start()
        inst.sendmail(["paco"], input="Subject: x\nthis is body\nmore\n")
        box = inst.wait_for_mail("paco", rb"more\n\n", timeout=20)
        boxes.append(_normalize(box, _queue_ids(inst)))
    assert boxes[1] == boxes[0]
    assert "\n\nthis is body\nmore\n" in boxes[1]
