#!/usr/bin/env python3
"""A TLS 1.2 server on tlslite-ng for sanstls interop tests: one connection, then exit.

Prints "PORT <n>" on stdout once it listens (use --port 0 for an ephemeral port), then
serves one connection (--connections N: N, one after another, then exits):
  - echo (default): echoes every byte until the client's close_notify, answers it with
    close_notify (tlslite-ng does that itself) and exits;
  - --http: reads a request head (up to an empty line), answers "HTTP/1.0 200 ok" with
    a text body naming the negotiated suite, padded with --body-size bytes, then sends
    close_notify and closes.
Session resumption: --session-cache keeps the sessions of its connections in a
tlslite-ng SessionCache (session IDs), --tickets issues and accepts TLS 1.2 session
tickets (RFC 5077, a fresh random key per run); without either it resumes nothing.
The report (what was negotiated and whether it resumed, the peer's hello, record sizes)
goes to stderr, after a CONNECTION line per connection; see tlspeer.py. Exit status 0
on a clean run, 1 on a TLS or socket error (the first failed connection ends the run).
"""

import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the committed scripts

import os  # noqa: E402
import socket  # noqa: E402

from tlslite.api import SessionCache, TLSConnection  # noqa: E402
from tlslite.constants import CipherSuite  # noqa: E402

import tlspeer  # noqa: E402
from tlspeer import log  # noqa: E402


def main():
    parser = tlspeer.new_parser(__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 (default): ephemeral")
    parser.add_argument("--cert", required=True, help="PEM chain, leaf first")
    parser.add_argument("--key", required=True, help="PEM private key")
    parser.add_argument("--http", action="store_true", help="answer one HTTP request")
    parser.add_argument(
        "--body-size",
        type=int,
        default=0,
        metavar="N",
        help="with --http: N more bytes of body, sent with one write (so record "
        "sizes show the limit in force)",
    )
    parser.add_argument(
        "--session-cache",
        action="store_true",
        help="resume by session ID: keep sessions in a SessionCache shared by the "
        "connections",
    )
    parser.add_argument(
        "--tickets",
        action="store_true",
        help="issue and accept TLS 1.2 session tickets (RFC 5077)",
    )
    args = parser.parse_args()

    settings = tlspeer.make_settings(args)
    if args.tickets:
        settings.ticketKeys = [bytearray(os.urandom(32))]  # aes256gcm, the default
    else:
        settings.ticketKeys = []
    cache = SessionCache() if args.session_cache else None
    chain = tlspeer.load_chain(args.cert)
    key = tlspeer.load_key(args.key)
    log("SUITES " + " ".join(tlspeer.enabled_suites(settings)))

    listener = tlspeer.listen(args.host, args.port)
    print("PORT %d" % listener.getsockname()[1], flush=True)
    status = 0
    for i in range(1, args.connections + 1):
        log("CONNECTION %d" % i)
        raw, peer = listener.accept()
        status = serve(raw, peer, args, settings, chain, key, cache)
        if status:
            break
    listener.close()
    return status


def serve(raw, peer, args, settings, chain, key, cache):
    """Serves one accepted connection; its exit status (0 when it went well)."""
    raw.settimeout(args.timeout)
    raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    log("ACCEPTED %s:%d" % peer)
    sock = tlspeer.MeasuringSocket(raw)
    conn = TLSConnection(sock)
    status = 0
    try:
        conn.handshakeServer(
            certChain=chain, privateKey=key, settings=settings, sessionCache=cache
        )
        log("HANDSHAKE done")
        tlspeer.report_negotiated(conn)
        if args.ignore_record_size_limit:
            tlspeer.ignore_record_size_limit(conn)
        if args.http:
            serve_http(conn, args.body_size)
        else:
            echo(conn)
    except Exception as e:  # report every failure, then the figures
        log("ERROR %s: %s" % (type(e).__name__, e))
        status = 1
    finally:
        tlspeer.report_records(sock)
        raw.close()
    return status


def echo(conn):
    total = 0
    while True:
        data = conn.read()
        if not data:
            break
        total += len(data)
        conn.write(data)
    log("ECHOED %d bytes; client sent close_notify" % total)
    conn.close()  # a no-op when tlslite-ng already answered the close_notify


def serve_http(conn, body_size):
    head = bytearray()
    while b"\r\n\r\n" not in head and b"\n\n" not in head:
        data = conn.read()
        if not data:
            raise ConnectionError("the client closed before the end of its request")
        head += data
    suite = CipherSuite.ietfNames.get(conn.session.cipherSuite, "?")
    body = b"tlslite-ng: cipher is %s\n" % suite.encode() + b"x" * body_size
    conn.write(
        b"HTTP/1.0 200 ok\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n"
        % len(body)
        + body
    )
    log("ANSWERED with a %d-byte body" % len(body))
    conn.closeSocket = False  # wait for the client's close_notify (or its FIN)
    conn.close()


if __name__ == "__main__":
    sys.exit(main())
