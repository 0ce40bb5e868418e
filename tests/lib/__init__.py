"""Helpers for Postern's system tests (stdlib only).

Modules:
  netns     -- a private network namespace per test (loopback only), with its
               own /etc/resolv.conf and /etc/hosts for the commands run in it,
               and sockets / smtplib clients created inside it
  dns       -- dnsmasq serving a test's own records inside a namespace, plus a
               tiny stdlib DNS client to check what it answers
  instance  -- a Postern or Debian Postfix instance in a temporary directory,
               started, waited on, and torn down inside a namespace
  certs     -- a throwaway CA and server/client certificates (openssl CLI)
  procs     -- finding and killing processes by pid

Every process these helpers start is killed by pid at teardown, and every
namespace is deleted, even when a test fails.  See tests/README.md.
"""
