"""Settings Postern does not implement yet are named in the mail log when
master starts and reloads (mail_params_unsupported.h), so that nobody
believes relayhost or TLS works when it does not.

Run: /usr/bin/python3 -m pytest -q tests/test_not_yet.py   (as root)
"""


def test_master_names_what_is_not_implemented(mailnet, instance):
    inst = instance("postern", mynetworks="127.0.0.1/32",
                    params={"relayhost": "[smtp.example.com]:587",
                            "smtpd_tls_security_level": "may", "always_bcc": ""})
    inst.start()
    for name in ("relayhost", "smtpd_tls_security_level"):
        inst.wait_for_log(r"master\[\d+\]: warning: \S+main\.cf: %s is set, but Postern does "
                          r"not implement it yet$" % name)
    assert not inst.log_lines(r"always_bcc is set")
    mark = inst.log_mark()
    inst.reload()
    inst.wait_for_log(r"master\[\d+\]: warning: \S+main\.cf: relayhost is set, but Postern does "
                      r"not implement it yet$", since=mark)
