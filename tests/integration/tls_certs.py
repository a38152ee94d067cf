"""Certificates for the TLS tests, made with the openssl CLI in a temp dir:
a CA, a server certificate for 127.0.0.1 and localhost, a client
certificate (CN=client,O=connectd-test), and the server key encrypted."""

import os
import subprocess


class Certs:
    def __init__(self, directory):
        self.dir = directory
        self.ca = self._path("ca.pem")
        self.ca_key = self._path("ca.key")
        self.server_cert = self._path("server.pem")
        self.server_key = self._path("server.key")
        self.server_keystore = self._path("server-keystore.pem")      # key + chain in one file
        self.server_keystore_enc = self._path("server-keystore-enc.pem")  # the key encrypted with key_password
        self.key_password = "s3cret-key"
        self.client_cert = self._path("client.pem")
        self.client_key = self._path("client.key")
        self.other_ca = self._path("other-ca.pem")
        self.stranger_cert = self._path("stranger.pem")  # signed by other_ca, which the broker does not trust
        self.stranger_key = self._path("stranger.key")
        self._make()

    def _path(self, name):
        return os.path.join(self.dir, name)

    def _openssl(self, *args):
        subprocess.run(["openssl"] + list(args), check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, timeout=60)

    def _ca(self, cert, key, cn):
        self._openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                      "-days", "2", "-subj", "/CN=" + cn)

    def _signed(self, cert, key, subj, ca, ca_key, ext=None):
        csr = cert + ".csr"
        self._openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", subj)
        args = ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert,
                "-days", "2"]
        if ext:
            ext_file = cert + ".ext"
            with open(ext_file, "w") as f:
                f.write(ext)
            args += ["-extfile", ext_file]
        self._openssl(*args)

    def _make(self):
        self._ca(self.ca, self.ca_key, "connectd-test-ca")
        self._signed(self.server_cert, self.server_key, "/CN=127.0.0.1", self.ca, self.ca_key,
                     "subjectAltName=IP:127.0.0.1,DNS:localhost\n")
        self._signed(self.client_cert, self.client_key, "/O=connectd-test/CN=client", self.ca, self.ca_key)
        other_key = self._path("other-ca.key")
        self._ca(self.other_ca, other_key, "someone-else")
        self._signed(self.stranger_cert, self.stranger_key, "/CN=stranger", self.other_ca, other_key)
        with open(self.server_keystore, "w") as out:
            for part in (self.server_key, self.server_cert, self.ca):
                with open(part) as f:
                    out.write(f.read())
        enc_key = self._path("server-enc.key")
        self._openssl("pkey", "-in", self.server_key, "-out", enc_key, "-aes256",
                      "-passout", "pass:" + self.key_password)
        with open(self.server_keystore_enc, "w") as out:
            for part in (enc_key, self.server_cert):
                with open(part) as f:
                    out.write(f.read())

    def read(self, path):
        with open(path) as f:
            return f.read()
