#!/usr/bin/env python3
"""Capture real TLS 1.2 flights between `openssl s_server` and `openssl s_client`.

Starts `openssl s_server -tls1_2` on 127.0.0.1 with a throwaway RSA-2048 certificate,
runs `openssl s_client -tls1_2` through a TCP relay that records each direction's bytes,
and writes `<name>.client.bin` (client -> server) and `<name>.server.bin` (server ->
client) next to this script. The Rust test crates/wire/tests/flights.rs decodes them.

Usage: python3 testdata/flights/capture.py            (all sessions)
       python3 testdata/flights/capture.py NAME ...   (some)
Only 127.0.0.1 is used.
"""

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HOST = "127.0.0.1"

# name: (extra s_server args, extra s_client args)
SESSIONS = {
    "rsa_aes128_sha256": ([], ["-cipher", "AES128-SHA256"]),
    "dhe_rsa_aes256_sha256": ([], ["-cipher", "DHE-RSA-AES256-SHA256"]),
    "rsa_aes256_sha_no_etm": ([], ["-cipher", "AES256-SHA", "-no_etm"]),
    "sni_alpn": (
        ["-alpn", "http/1.1"],
        ["-cipher", "DHE-RSA-AES128-SHA", "-servername", "localhost", "-alpn", "h2,http/1.1"],
    ),
    # The server asks for a client certificate: CertificateRequest, client Certificate
    # and CertificateVerify appear in the flights.
    "client_auth": (["-verify", "1"], ["-cipher", "AES128-SHA", "@CLIENT_CERT"]),
}


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_listening(port, proc, deadline):
    while time.time() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection((HOST, port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.05)
    return False


class Relay:
    """Accepts one connection on 127.0.0.1 and forwards it to the server, recording."""

    def __init__(self, server_port):
        self.server_port = server_port
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind((HOST, 0))
        self.listener.listen(1)
        self.listener.settimeout(20)
        self.port = self.listener.getsockname()[1]
        self.c2s = bytearray()
        self.s2c = bytearray()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    @staticmethod
    def pump(src, dst, log):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                log.extend(data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            try:
                dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    def run(self):
        client, _ = self.listener.accept()
        server = socket.create_connection((HOST, self.server_port), timeout=20)
        client.settimeout(20)
        a = threading.Thread(target=self.pump, args=(client, server, self.c2s))
        b = threading.Thread(target=self.pump, args=(server, client, self.s2c))
        a.start()
        b.start()
        a.join()
        b.join()
        client.close()
        server.close()
        self.listener.close()


def capture(name, server_args, client_args, tmp):
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    client_args = [a for a in client_args if a != "@CLIENT_CERT"] + (
        ["-cert", cert, "-key", key] if "@CLIENT_CERT" in client_args else []
    )
    for _attempt in range(5):
        port = free_port()
        server = subprocess.Popen(
            ["openssl", "s_server", "-tls1_2", "-accept", str(port),
             "-cert", cert, "-key", key, "-www", *server_args],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            cwd=tmp,
        )
        if wait_listening(port, server, time.time() + 10):
            break
        server.kill()
        server.wait()
    else:
        raise SystemExit(f"{name}: s_server did not start")
    # The probe connection of wait_listening is a failed handshake to s_server, which
    # carries on serving.
    if server.poll() is not None:
        raise SystemExit(f"{name}: s_server exited early: {server.stderr.read()!r}")
    relay = Relay(port)
    try:
        client = subprocess.run(
            ["openssl", "s_client", "-tls1_2", "-connect", f"{HOST}:{relay.port}",
             "-ign_eof", *client_args],
            input=b"GET / HTTP/1.0\r\n\r\n", capture_output=True, timeout=30,
        )
        relay.thread.join(timeout=30)
    finally:
        server.kill()
        server.wait()
    if client.returncode != 0 or not relay.c2s or not relay.s2c:
        raise SystemExit(f"{name}: s_client failed: {client.stderr.decode(errors='replace')}")
    for suffix, data in (("client", relay.c2s), ("server", relay.s2c)):
        with open(os.path.join(HERE, f"{name}.{suffix}.bin"), "wb") as f:
            f.write(data)
    print(f"{name}: client {len(relay.c2s)} bytes, server {len(relay.s2c)} bytes")


def main():
    names = sys.argv[1:] or list(SESSIONS)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
             "-days", "30", "-keyout", os.path.join(tmp, "key.pem"),
             "-out", os.path.join(tmp, "cert.pem")],
            check=True, capture_output=True,
        )
        for name in names:
            server_args, client_args = SESSIONS[name]
            capture(name, server_args, client_args, tmp)


if __name__ == "__main__":
    main()
