#!/usr/bin/env python3
"""A TLS 1.2 client on tlslite-ng for sanstls interop tests.

Connects to --host:--port, sends the message (--message, or else all of stdin) in one
write, reads the answer and prints it on stdout, then closes with close_notify and
waits (at most --timeout) for the server's close_notify or end of stream:
  - echo (default): reads until as many bytes came back as were sent;
  - --read-until-close: reads until the server closes (an HTTP/1.0 server, or a server
    that answers and closes).
The server's certificate chain is printed on stderr; --cafile checks its signatures up
to a certificate of that file (tlslite-ng itself validates nothing). The report (what
was negotiated, the peer's hello, record sizes) goes to stderr too; see tlspeer.py.
With --connections N it does all that N times, one connection after another, each
later one offering to resume the session of the one before (its session ID, or its
TLS 1.2 session ticket when the server gave one: tlslite-ng always offers tickets);
each connection's report starts with a CONNECTION line.
Exit status 0 on a clean run, 1 on a TLS or socket error or a chain that does not
verify (the first failed connection ends the run).
"""

import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the committed scripts

import socket  # noqa: E402

from tlslite.api import TLSConnection  # noqa: E402

import tlspeer  # noqa: E402
from tlspeer import log  # noqa: E402


def main():
    parser = tlspeer.new_parser(__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--server-name", help="SNI host name (default: none sent)")
    parser.add_argument("--cafile", help="PEM trust anchors to check the chain against")
    parser.add_argument("--message", help="what to send (default: all of stdin)")
    parser.add_argument(
        "--read-until-close",
        action="store_true",
        help="read until the server closes instead of as many bytes as were sent",
    )
    args = parser.parse_args()

    settings = tlspeer.make_settings(args)
    if args.message is not None:
        message = args.message.encode()
    else:
        message = sys.stdin.buffer.read()

    session = None
    status = 0
    for i in range(1, args.connections + 1):
        log("CONNECTION %d" % i)
        status, session = connect(args, settings, message, session)
        if status:
            break
    return status


def connect(args, settings, message, session):
    """One connection, resuming `session` if given; its exit status (0 when it went
    well) and its session."""
    raw = socket.create_connection((args.host, args.port), timeout=args.timeout)
    raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock = tlspeer.MeasuringSocket(raw)
    conn = TLSConnection(sock)
    status = 0
    try:
        conn.handshakeClientCert(
            settings=settings, serverName=args.server_name, session=session
        )
        log("HANDSHAKE done")
        tlspeer.report_negotiated(conn)
        tlspeer.print_chain(conn.session.serverCertChain)
        if args.cafile:
            tlspeer.verify_chain(conn.session.serverCertChain, args.cafile)
        if args.ignore_record_size_limit:
            tlspeer.ignore_record_size_limit(conn)
        if message:
            conn.write(message)
        answer = bytearray()
        while args.read_until_close or len(answer) < len(message):
            data = conn.read()
            if not data:
                log("SERVER closed (close_notify)")
                break
            answer += data
        sys.stdout.buffer.write(answer)
        sys.stdout.flush()
        log("RECEIVED %d bytes" % len(answer))
        conn.closeSocket = False  # wait for the server's close_notify (or its FIN)
        conn.close()
    except Exception as e:  # report every failure, then the figures
        log("ERROR %s: %s" % (type(e).__name__, e))
        status = 1
    finally:
        tlspeer.report_records(sock)
        raw.close()
    return status, conn.session


if __name__ == "__main__":
    sys.exit(main())
