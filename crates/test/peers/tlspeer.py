"""Shared code of tlslite_server.py and tlslite_client.py: TLS 1.2 settings from the
command line, a socket wrapper that measures every TLS record going either way, and the
report both scripts print on stderr.

Only tlslite-ng (0.8.2) and the standard library are used.

The report lines (stderr, one per line, all starting with "tlslite: "):

    tlslite: HELLO sent record_size_limit=512 max_fragment_length=none ems=yes etm=yes
    tlslite: HELLO received record_size_limit=16384 max_fragment_length=none ems=yes etm=yes
    tlslite: NEGOTIATED version=TLS1.2 cipher=TLS_RSA_WITH_AES_128_CBC_SHA256 ems=yes etm=yes
    tlslite: LIMITS send=512 recv=16384 peer_record_size_limit=512
    tlslite: RECORDS received count=9 largest=2771 largest_protected=576 largest_app_data=576
    tlslite: RECORDS sent count=8 largest=517 largest_protected=576 largest_app_data=576
    tlslite: ERROR <what went wrong>            (only on failure)

HELLO lines come from the raw bytes of the ClientHello/ServerHello (what each side put
on the wire; "none" = extension absent). Record figures are TLSCiphertext.length values
from the record headers (5-byte header not counted); "protected" means after the
ChangeCipherSpec in that direction; 0 when there was no such record.
"""

import argparse
import socket
import struct
import sys

from tlslite.api import HandshakeSettings, X509, X509CertChain, parsePEMKey
from tlslite.constants import CipherSuite, HashAlgorithm
from tlslite.utils.asn1parser import ASN1Parser

# The suites sanstls implements, as (key exchange, cipher, MAC) names of tlslite-ng's
# HandshakeSettings. OpenSSL's names are accepted as aliases.
SUITES = {
    "TLS_RSA_WITH_AES_128_CBC_SHA": ("rsa", "aes128", "sha"),
    "TLS_RSA_WITH_AES_256_CBC_SHA": ("rsa", "aes256", "sha"),
    "TLS_RSA_WITH_AES_128_CBC_SHA256": ("rsa", "aes128", "sha256"),
    "TLS_RSA_WITH_AES_256_CBC_SHA256": ("rsa", "aes256", "sha256"),
    "TLS_DHE_RSA_WITH_AES_128_CBC_SHA": ("dhe_rsa", "aes128", "sha"),
    "TLS_DHE_RSA_WITH_AES_256_CBC_SHA": ("dhe_rsa", "aes256", "sha"),
    "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256": ("dhe_rsa", "aes128", "sha256"),
    "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256": ("dhe_rsa", "aes256", "sha256"),
}
OPENSSL_NAMES = {
    "AES128-SHA": "TLS_RSA_WITH_AES_128_CBC_SHA",
    "AES256-SHA": "TLS_RSA_WITH_AES_256_CBC_SHA",
    "AES128-SHA256": "TLS_RSA_WITH_AES_128_CBC_SHA256",
    "AES256-SHA256": "TLS_RSA_WITH_AES_256_CBC_SHA256",
    "DHE-RSA-AES128-SHA": "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
    "DHE-RSA-AES256-SHA": "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
    "DHE-RSA-AES128-SHA256": "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
    "DHE-RSA-AES256-SHA256": "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
}

# Record content types and extension numbers.
CHANGE_CIPHER_SPEC = 20
HANDSHAKE = 22
APPLICATION_DATA = 23
EXT_MAX_FRAGMENT_LENGTH = 1
EXT_ENCRYPT_THEN_MAC = 22
EXT_EXTENDED_MASTER_SECRET = 23
EXT_RECORD_SIZE_LIMIT = 28
EXT_SESSION_TICKET = 35
MFL_CODES = {1: 512, 2: 1024, 3: 2048, 4: 4096}


def log(line):
    """One report line on stderr."""
    sys.stderr.write("tlslite: " + line + "\n")
    sys.stderr.flush()


def add_common_options(parser):
    """Options both scripts take."""
    parser.add_argument(
        "--suite",
        action="append",
        metavar="NAME",
        help="a cipher suite to enable (IANA or OpenSSL name; repeatable); "
        "default: all eight RSA/DHE_RSA AES-CBC suites",
    )
    parser.add_argument(
        "--record-size-limit",
        type=int,
        metavar="N",
        help="the record_size_limit to advertise (64..16385; tlslite-ng's own "
        "default, used when this is absent, is 16385)",
    )
    parser.add_argument(
        "--no-record-size-limit",
        action="store_true",
        help="do not send the record_size_limit extension",
    )
    parser.add_argument(
        "--ignore-record-size-limit",
        action="store_true",
        help="misbehave: after the handshake, send records of up to 2^14 bytes "
        "whatever the peer's limit (to test that the peer enforces it)",
    )
    parser.add_argument("--no-ems", action="store_true", help="no extended master secret")
    parser.add_argument(
        "--require-ems", action="store_true", help="fail without extended master secret"
    )
    parser.add_argument("--no-etm", action="store_true", help="no encrypt-then-MAC")
    parser.add_argument(
        "--connections",
        type=int,
        default=1,
        metavar="N",
        help="make (client) or serve (server) N connections one after another, each "
        "later one resuming (client) the session of the one before; each "
        "connection's report starts with a CONNECTION line (default 1)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECS",
        help="socket timeout (a hang guard; default 30)",
    )


def suite_names(requested):
    """The IANA names of the requested suites (all of SUITES when none were)."""
    if not requested:
        return list(SUITES)
    names = []
    for name in requested:
        name = OPENSSL_NAMES.get(name, name)
        if name not in SUITES:
            raise SystemExit(
                "unknown suite %r: use one of %s" % (name, ", ".join(SUITES))
            )
        names.append(name)
    return names


def make_settings(args):
    """TLS 1.2-only HandshakeSettings from the common options."""
    settings = HandshakeSettings()
    settings.minVersion = (3, 3)
    settings.maxVersion = (3, 3)
    wanted = suite_names(args.suite)
    # tlslite-ng enables the cross product of these lists; keep only the wanted suites
    # by filtering what it would offer (checked after the settings are validated).
    settings.keyExchangeNames = sorted({SUITES[n][0] for n in wanted})
    settings.cipherNames = sorted({SUITES[n][1] for n in wanted})
    settings.macNames = sorted({SUITES[n][2] for n in wanted})
    settings.useEncryptThenMAC = not args.no_etm
    settings.useExtendedMasterSecret = not args.no_ems
    settings.requireExtendedMasterSecret = args.require_ems
    if args.no_record_size_limit:
        settings.record_size_limit = None
    elif args.record_size_limit is not None:
        settings.record_size_limit = args.record_size_limit
    enabled = enabled_suites(settings)
    extra = [n for n in enabled if n not in wanted]
    if extra:
        # A cross product that enables more than asked (e.g. RSA AES-128-SHA with
        # DHE AES-256-SHA256): ask for one suite at a time, or all of them.
        raise SystemExit(
            "these suites cannot be enabled alone in tlslite-ng: %s (would also "
            "enable %s)" % (", ".join(wanted), ", ".join(extra))
        )
    return settings


def enabled_suites(settings):
    """The IANA names of the suites `settings` enables for TLS 1.2."""
    checked = settings.validate()
    suites = CipherSuite.getCertSuites(checked, (3, 3)) + CipherSuite.getDheCertSuites(
        checked, (3, 3)
    )
    return [CipherSuite.ietfNames[s] for s in suites]


def load_chain(path):
    """An X509CertChain from a PEM file (leaf first)."""
    with open(path) as f:
        chain = X509CertChain()
        chain.parsePemList(f.read())
    return chain


def load_key(path):
    """A private key from a PEM file (PKCS#1 or PKCS#8)."""
    with open(path) as f:
        return parsePEMKey(f.read(), private=True)


def yes_no(flag):
    return "yes" if flag else "no"


class Direction:
    """What went one way: the record stream, parsed as it passes, and the first
    handshake message (the hello) of that direction."""

    def __init__(self):
        self.buf = bytearray()
        self.count = 0
        self.largest = 0
        self.largest_protected = 0
        self.largest_app_data = 0
        self.protected = False
        self.handshake = bytearray()  # plaintext handshake bytes, until the hello is whole
        self.hello = None  # {extension number: body} of the first hello
        self.hello_session_id = None  # the session ID of the first hello

    def feed(self, data):
        self.buf += data
        while len(self.buf) >= 5:
            content_type = self.buf[0]
            (length,) = struct.unpack(">H", self.buf[3:5])
            if len(self.buf) < 5 + length:
                break
            body = bytes(self.buf[5 : 5 + length])
            del self.buf[: 5 + length]
            self.record(content_type, length, body)

    def record(self, content_type, length, body):
        self.count += 1
        self.largest = max(self.largest, length)
        if self.protected:
            self.largest_protected = max(self.largest_protected, length)
        if content_type == APPLICATION_DATA:
            self.largest_app_data = max(self.largest_app_data, length)
        if content_type == CHANGE_CIPHER_SPEC:
            self.protected = True
        elif content_type == HANDSHAKE and not self.protected and self.hello is None:
            self.handshake += body
            self.parse_hello()

    def parse_hello(self):
        if len(self.handshake) < 4:
            return
        msg_type = self.handshake[0]
        length = int.from_bytes(self.handshake[1:4], "big")
        if len(self.handshake) < 4 + length:
            return
        body = bytes(self.handshake[4 : 4 + length])
        try:
            self.hello_session_id = bytes(body[35 : 35 + body[34]])
            self.hello = hello_extensions(msg_type, body)
        except (IndexError, ValueError):
            self.hello = {}

    def hello_line(self):
        ext = self.hello if self.hello is not None else {}
        rsl = ext.get(EXT_RECORD_SIZE_LIMIT)
        mfl = ext.get(EXT_MAX_FRAGMENT_LENGTH)
        ticket = ext.get(EXT_SESSION_TICKET)
        session_id = self.hello_session_id or b""
        return (
            "record_size_limit=%s max_fragment_length=%s ems=%s etm=%s "
            "session_id=%s session_ticket=%s"
            % (
                int.from_bytes(rsl, "big") if rsl and len(rsl) == 2 else "none",
                MFL_CODES.get(mfl[0], "code%d" % mfl[0]) if mfl else "none",
                yes_no(EXT_EXTENDED_MASTER_SECRET in ext),
                yes_no(EXT_ENCRYPT_THEN_MAC in ext),
                session_id.hex() or "none",
                "none" if ticket is None else ("empty" if not ticket else len(ticket)),
            )
        )

    def records_line(self):
        return "count=%d largest=%d largest_protected=%d largest_app_data=%d" % (
            self.count,
            self.largest,
            self.largest_protected,
            self.largest_app_data,
        )


def hello_extensions(msg_type, body):
    """{extension number: extension body} of a ClientHello (1) or ServerHello (2)."""
    pos = 2 + 32  # version, random
    pos += 1 + body[pos]  # session id
    if msg_type == 1:
        pos += 2 + int.from_bytes(body[pos : pos + 2], "big")  # cipher suites
        pos += 1 + body[pos]  # compression methods
    elif msg_type == 2:
        pos += 2 + 1  # cipher suite, compression method
    else:
        return {}
    extensions = {}
    if pos + 2 > len(body):
        return extensions
    end = pos + 2 + int.from_bytes(body[pos : pos + 2], "big")
    pos += 2
    while pos + 4 <= end:
        ext_type = int.from_bytes(body[pos : pos + 2], "big")
        ext_len = int.from_bytes(body[pos + 2 : pos + 4], "big")
        extensions[ext_type] = body[pos + 4 : pos + 4 + ext_len]
        pos += 4 + ext_len
    return extensions


class MeasuringSocket:
    """A socket that parses the TLS records passing through it in both directions
    (tlslite-ng uses only send and recv for data; everything else is delegated)."""

    def __init__(self, sock):
        self._sock = sock
        self.received = Direction()
        self.sent = Direction()

    def recv(self, bufsize, *flags):
        data = self._sock.recv(bufsize, *flags)
        self.received.feed(data)
        return data

    def send(self, data, *flags):
        n = self._sock.send(data, *flags)
        self.sent.feed(bytes(data[:n]))
        return n

    def sendall(self, data, *flags):
        self._sock.sendall(data, *flags)
        self.sent.feed(bytes(data))

    def __getattr__(self, name):
        return getattr(self._sock, name)


def ignore_record_size_limit(conn):
    """Make `conn` send records of up to 2^14 bytes from now on, whatever was
    negotiated (a misbehaving peer, for tests)."""
    conn._send_record_limit = 2**14
    log("MISBEHAVING sending records of up to 16384 bytes, ignoring the peer's limit")


def report_negotiated(conn):
    """The NEGOTIATED and LIMITS lines, right after the handshake (tlslite-ng forgets
    the version once the connection is closed)."""
    session = conn.session
    log(
        "NEGOTIATED version=%s cipher=%s ems=%s etm=%s implementation=%s resumed=%s"
        % (
            (conn.getVersionName() or "?").replace(" ", ""),
            CipherSuite.ietfNames.get(session.cipherSuite, hex(session.cipherSuite)),
            yes_no(session.extendedMasterSecret),
            yes_no(session.encryptThenMAC),
            conn.getCipherImplementation(),
            yes_no(conn.resumed),
        )
    )
    log(
        "LIMITS send=%d recv=%d peer_record_size_limit=%s"
        % (
            conn._send_record_limit,
            conn._recv_record_limit,
            conn._peer_record_size_limit or "none",
        )
    )


def report_records(sock):
    """The HELLO and RECORDS lines, once the connection is over."""
    log("HELLO sent " + sock.sent.hello_line())
    log("HELLO received " + sock.received.hello_line())
    log("RECORDS received " + sock.received.records_line())
    log("RECORDS sent " + sock.sent.records_line())


def name_text(der):
    """A distinguished name as 'CN=..., O=...' (CN and O only, others by OID)."""
    labels = {
        bytes.fromhex("550403"): "CN",
        bytes.fromhex("55040a"): "O",
        bytes.fromhex("55040b"): "OU",
        bytes.fromhex("550406"): "C",
    }
    parts = []
    name = ASN1Parser(bytearray(der))
    for i in range(name.getChildCount()):
        rdn = name.getChild(i)
        for j in range(rdn.getChildCount()):
            atv = rdn.getChild(j)
            oid = bytes(atv.getChild(0).value)
            value = bytes(atv.getChild(1).value).decode("utf-8", "replace")
            parts.append("%s=%s" % (labels.get(oid, oid.hex()), value))
    return ", ".join(parts)


def print_chain(chain):
    """One CERT line per certificate the peer sent."""
    for i, cert in enumerate(chain.x509List):
        log(
            "CERT %d subject=%s issuer=%s"
            % (i, name_text(cert.subject), name_text(cert.issuer))
        )


def signed_by(cert, issuer):
    """Whether `issuer`'s key verifies `cert`'s signature (RSA PKCS#1 v1.5 or PSS)."""
    parser = ASN1Parser(cert.bytes)
    tbs = parser.getChildBytes(0)
    signature = parser.getChild(2).value[1:]  # BIT STRING: skip the unused-bits byte
    hash_id, sig_id = cert.sigalg
    hash_name = HashAlgorithm.toStr(hash_id)
    if sig_id == 1:  # rsa_pkcs1_*
        return issuer.publicKey.hashAndVerify(signature, tbs, "PKCS1", hash_name)
    if sig_id in (4, 5, 6, 9, 10, 11):  # rsa_pss_rsae_* / rsa_pss_pss_* schemes
        hash_name = {4: "sha256", 5: "sha384", 6: "sha512"}[hash_id]
        size = {"sha256": 32, "sha384": 48, "sha512": 64}[hash_name]
        return issuer.publicKey.hashAndVerify(signature, tbs, "PSS", hash_name, size)
    raise ValueError("unsupported certificate signature algorithm %r" % (cert.sigalg,))


def verify_chain(chain, cafile):
    """Checks that each certificate the peer sent is signed by the next and the last
    by a certificate of `cafile` with a matching subject. Signatures only: names,
    dates and extensions are not checked (tlslite-ng has no path validation; it only
    compares fingerprints). Raises ValueError when the chain does not verify."""
    anchors = load_chain(cafile).x509List
    certs = list(chain.x509List)
    if not certs:
        raise ValueError("the peer sent no certificate")
    for cert, issuer in zip(certs, certs[1:]):
        if cert.issuer != issuer.subject or not signed_by(cert, issuer):
            raise ValueError(
                "certificate %r is not signed by the next one" % name_text(cert.subject)
            )
    last = certs[-1]
    for anchor in anchors:
        if anchor.subject == last.issuer and signed_by(last, anchor):
            log("VERIFIED chain of %d to %s" % (len(certs), name_text(anchor.subject)))
            return
        if anchor.bytes == last.bytes:
            log("VERIFIED chain of %d ends in a trusted certificate" % len(certs))
            return
    raise ValueError(
        "no certificate in %s issued %r" % (cafile, name_text(last.subject))
    )


def new_parser(description):
    parser = argparse.ArgumentParser(description=description)
    add_common_options(parser)
    return parser


def listen(host, port):
    """A listening TCP socket."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1)
    return sock
