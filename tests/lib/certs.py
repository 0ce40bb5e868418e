"""A throwaway certificate authority for STARTTLS / TLS tests (openssl CLI).

Interface:
  ca = TestCA(directory, name="Postern Test CA", key="rsa:2048")
  ca.cert, ca.key                       # PEM paths of the CA
  leaf = ca.issue("mail.example.test", sans=["mail.example.test", "127.0.0.1"],
                  usage="server" | "client" | "both", days=30, key=None)
  leaf.cert, leaf.key, leaf.chain       # PEM paths; chain = cert + CA cert
  leaf.fingerprint("sha256")            # "AB:CD:..." as Postfix logs it
  leaf.pubkey_fingerprint("sha256")     # digest of the DER public key
  ca.verify(leaf.cert, purpose="sslserver") -> True/False via openssl verify
  other = TestCA(...)                   # a second CA: certificates nobody trusts

Keys are unencrypted, mode 0600, owned by root (Postfix/Postern read them
before dropping privileges).  Each entry of sans that parses as an IP address
becomes an IP: name, everything else a DNS: name.  `key` is an openssl
-newkey spec ("rsa:2048", "ec:<params file>") or "ec" for P-256.

What can go wrong: openssl missing (TestCA.available() is False: skip);
openssl failing raises RuntimeError with its stderr.
"""
import ipaddress
import os
import shutil
import subprocess

_serial = [1000]


def _openssl(*args, input=None):
    p = subprocess.run(["openssl", *args], capture_output=True, text=True, input=input,
                       timeout=60)
    if p.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)}: exit {p.returncode}: {p.stderr}")
    return p.stdout


def _newkey_args(key, directory):
    if key == "ec":
        params = os.path.join(directory, "p256.params")
        if not os.path.exists(params):
            _openssl("ecparam", "-name", "prime256v1", "-out", params)
        return ["-newkey", f"ec:{params}"]
    return ["-newkey", key]


class Leaf:
    def __init__(self, cert, key, chain):
        self.cert, self.key, self.chain = cert, key, chain

    def fingerprint(self, digest="sha256"):
        out = _openssl("x509", "-in", self.cert, "-noout", "-fingerprint", f"-{digest}")
        return out.strip().split("=", 1)[1]

    def pubkey_fingerprint(self, digest="sha256"):
        der = subprocess.run(["openssl", "x509", "-in", self.cert, "-noout", "-pubkey"],
                             capture_output=True, check=True).stdout
        der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=der,
                             capture_output=True, check=True).stdout
        out = subprocess.run(["openssl", "dgst", f"-{digest}", "-c"], input=der,
                             capture_output=True, check=True).stdout.decode()
        return out.strip().split("= ", 1)[1].upper()


class TestCA:
    __test__ = False        # not a pytest test class

    def __init__(self, directory, name="Postern Test CA", key="rsa:2048", days=30):
        self.dir = directory
        os.makedirs(directory, exist_ok=True)
        self.key_spec = key
        self.cert = os.path.join(directory, "ca.pem")
        self.key = os.path.join(directory, "ca.key")
        old = os.umask(0o077)
        try:
            _openssl("req", "-x509", "-nodes", *_newkey_args(key, directory),
                     "-keyout", self.key, "-out", self.cert, "-days", str(days),
                     "-subj", f"/O=Postern tests/CN={name}",
                     "-addext", "basicConstraints=critical,CA:TRUE",
                     "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        finally:
            os.umask(old)
        os.chmod(self.cert, 0o644)

    @staticmethod
    def available():
        return shutil.which("openssl") is not None

    def issue(self, cn, sans=None, usage="server", days=30, key=None):
        if usage not in ("server", "client", "both"):
            raise ValueError(f"usage {usage!r}")
        sans = list(sans) if sans is not None else [cn]
        names = []
        for s in sans:
            try:
                names.append(f"IP:{ipaddress.ip_address(s)}")
            except ValueError:
                names.append(f"DNS:{s}")
        eku = {"server": "serverAuth", "client": "clientAuth",
               "both": "serverAuth,clientAuth"}[usage]
        base = os.path.join(self.dir, cn.replace("/", "_") + ("" if usage == "server" else
                                                              f".{usage}"))
        keyf, csr, certf, ext = base + ".key", base + ".csr", base + ".pem", base + ".ext"
        with open(ext, "w") as f:
            f.write("basicConstraints=critical,CA:FALSE\n"
                    "keyUsage=critical,digitalSignature,keyEncipherment\n"
                    f"extendedKeyUsage={eku}\n")
            if names:
                f.write("subjectAltName=" + ",".join(names) + "\n")
        old = os.umask(0o077)
        try:
            _openssl("req", "-new", "-nodes", *_newkey_args(key or self.key_spec, self.dir),
                     "-keyout", keyf, "-out", csr, "-subj", f"/O=Postern tests/CN={cn}")
        finally:
            os.umask(old)
        _serial[0] += 1
        _openssl("x509", "-req", "-in", csr, "-CA", self.cert, "-CAkey", self.key,
                 "-set_serial", str(_serial[0]), "-days", str(days), "-extfile", ext,
                 "-out", certf)
        os.chmod(certf, 0o644)
        chain = base + ".chain.pem"
        with open(chain, "w") as out:
            for p in (certf, self.cert):
                with open(p) as f:
                    out.write(f.read())
        return Leaf(certf, keyf, chain)

    def verify(self, cert, purpose="sslserver"):
        p = subprocess.run(["openssl", "verify", "-CAfile", self.cert, "-purpose", purpose,
                            cert], capture_output=True, text=True)
        return p.returncode == 0
