//! proptest: every message and extension round-trips.
//!
//! Values are built from generated owned data through the `from_items` constructors,
//! encoded, decoded (giving views over the bytes), compared with the originals, and
//! encoded again to the same bytes. Random bytes never make a decoder panic, and a
//! valid message cut short or lengthened is always an error.

use proptest::collection::vec;
use proptest::prelude::*;
use sanstls_wire::Codec;
use sanstls_wire::alert::Alert;
use sanstls_wire::codec::List;
use sanstls_wire::enums::{
    AlertDescription, AlertLevel, CertificateStatusType, CipherSuite, ClientCertificateType,
    CompressionMethod, ContentType, EcPointFormat, ExtensionType, KeyExchange, MaxFragmentLength,
    NameType, NamedGroup, ProtocolVersion, SignatureScheme,
};
use sanstls_wire::extensions::{
    CertificateStatusRequest, ClientExtension, ClientExtensions, ExtensionKind, ProtocolName,
    ResponderId, ServerExtension, ServerExtensions, ServerName, UnknownExtension,
};
use sanstls_wire::handshake::{
    Certificate, CertificateDer, CertificateRequest, ClientHello, ClientKeyExchange,
    DigitallySigned, DistinguishedName, Finished, HandshakeMessage, KeyExchangeParams,
    NewSessionTicket, Random, ServerDhParams, ServerEcdhParams, ServerHello, ServerKeyExchange,
};
use sanstls_wire::reassembler::{Limits, Reassembler};
use sanstls_wire::record::{Record, RecordHeader};
use sanstls_wire::writer::Writer;

fn bytes(min: usize, max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), min..=max)
}

/// Extension types this crate interprets in some hello; generated unknown extensions
/// avoid them.
fn is_interpreted(t: u16) -> bool {
    ExtensionType(t).is_known()
}

/// Owned data for a ClientHello extensions block.
#[derive(Debug, Clone)]
struct ClientExts {
    server_names: Option<Vec<(u8, Vec<u8>)>>,
    mfl: Option<u8>,
    status: Option<(bool, Vec<Vec<u8>>, Vec<u8>)>,
    groups: Option<Vec<u16>>,
    point_formats: Option<Vec<u8>>,
    sigalgs: Option<Vec<u16>>,
    sigalgs_cert: Option<Vec<u16>>,
    alpn: Option<Vec<Vec<u8>>>,
    etm: bool,
    ems: bool,
    rsl: Option<u16>,
    ticket: Option<Vec<u8>>,
    versions: Option<Vec<u16>>,
    reneg: Option<Vec<u8>>,
    unknown: Vec<(u16, Vec<u8>)>,
    rotate: usize,
}

fn client_exts() -> impl Strategy<Value = ClientExts> {
    let names = proptest::option::of(
        proptest::sample::subsequence((0u8..=255).collect::<Vec<_>>(), 1..3)
            .prop_flat_map(|types| {
                let n = types.len();
                (Just(types), vec(bytes(1, 20), n))
            })
            .prop_map(|(t, n)| t.into_iter().zip(n).collect()),
    );
    let status = proptest::option::of((any::<bool>(), vec(bytes(1, 8), 0..3), bytes(0, 8)));
    let a = (
        names,
        proptest::option::of(1u8..=4),
        status,
        proptest::option::of(vec(any::<u16>(), 1..8)),
        proptest::option::of(vec(any::<u8>(), 1..4)),
        proptest::option::of(vec(any::<u16>(), 1..8)),
        proptest::option::of(vec(any::<u16>(), 1..8)),
        proptest::option::of(vec(bytes(1, 12), 1..4)),
    );
    let b = (
        any::<bool>(),
        any::<bool>(),
        proptest::option::of(64u16..),
        proptest::option::of(bytes(0, 40)),
        proptest::option::of(vec(any::<u16>(), 1..5)),
        proptest::option::of(bytes(0, 40)),
        proptest::collection::btree_map(
            any::<u16>().prop_filter("unknown", |t| !is_interpreted(*t)),
            bytes(0, 16),
            0..4,
        ),
        0usize..20,
    );
    (a, b).prop_map(
        |(
            (server_names, mfl, status, groups, point_formats, sigalgs, sigalgs_cert, alpn),
            (etm, ems, rsl, ticket, versions, reneg, unknown, rotate),
        )| ClientExts {
            server_names,
            mfl,
            status,
            groups,
            point_formats,
            sigalgs,
            sigalgs_cert,
            alpn,
            etm,
            ems,
            rsl,
            ticket,
            versions,
            reneg,
            unknown: unknown.into_iter().collect(),
            rotate,
        },
    )
}

/// Typed element vectors borrowed by the extensions.
struct ClientExtItems<'a> {
    names: Vec<ServerName<'a>>,
    responders: Vec<ResponderId<'a>>,
    groups: Vec<NamedGroup>,
    formats: Vec<EcPointFormat>,
    sigalgs: Vec<SignatureScheme>,
    sigalgs_cert: Vec<SignatureScheme>,
    alpn: Vec<ProtocolName<'a>>,
    versions: Vec<ProtocolVersion>,
}

impl ClientExts {
    fn items(&self) -> ClientExtItems<'_> {
        ClientExtItems {
            names: self
                .server_names
                .iter()
                .flatten()
                .map(|(t, n)| ServerName {
                    name_type: NameType(*t),
                    name: n,
                })
                .collect(),
            responders: self
                .status
                .iter()
                .flat_map(|s| s.1.iter().map(|r| ResponderId::new(r)))
                .collect(),
            groups: self
                .groups
                .iter()
                .flatten()
                .map(|g| NamedGroup(*g))
                .collect(),
            formats: self
                .point_formats
                .iter()
                .flatten()
                .map(|f| EcPointFormat(*f))
                .collect(),
            sigalgs: self
                .sigalgs
                .iter()
                .flatten()
                .map(|s| SignatureScheme(*s))
                .collect(),
            sigalgs_cert: self
                .sigalgs_cert
                .iter()
                .flatten()
                .map(|s| SignatureScheme(*s))
                .collect(),
            alpn: self
                .alpn
                .iter()
                .flatten()
                .map(|p| ProtocolName::new(p))
                .collect(),
            versions: self
                .versions
                .iter()
                .flatten()
                .map(|v| ProtocolVersion(*v))
                .collect(),
        }
    }

    fn extensions<'a>(&'a self, it: &'a ClientExtItems<'a>) -> Vec<ClientExtension<'a>> {
        let mut v = Vec::new();
        if self.server_names.is_some() {
            v.push(ClientExtension::ServerName(List::from_items(&it.names)));
        }
        if let Some(m) = self.mfl {
            v.push(ClientExtension::MaxFragmentLength(
                MaxFragmentLength::from_u8(m).unwrap(),
            ));
        }
        if let Some((ocsp, _, ext)) = &self.status {
            v.push(ClientExtension::StatusRequest(if *ocsp {
                CertificateStatusRequest::Ocsp {
                    responder_ids: List::from_items(&it.responders),
                    extensions: ext,
                }
            } else {
                CertificateStatusRequest::Other {
                    status_type: CertificateStatusType(2),
                    data: ext,
                }
            }));
        }
        if self.groups.is_some() {
            v.push(ClientExtension::SupportedGroups(List::from_items(
                &it.groups,
            )));
        }
        if self.point_formats.is_some() {
            v.push(ClientExtension::EcPointFormats(List::from_items(
                &it.formats,
            )));
        }
        if self.sigalgs.is_some() {
            v.push(ClientExtension::SignatureAlgorithms(List::from_items(
                &it.sigalgs,
            )));
        }
        if self.sigalgs_cert.is_some() {
            v.push(ClientExtension::SignatureAlgorithmsCert(List::from_items(
                &it.sigalgs_cert,
            )));
        }
        if self.alpn.is_some() {
            v.push(ClientExtension::Alpn(List::from_items(&it.alpn)));
        }
        if self.etm {
            v.push(ClientExtension::EncryptThenMac);
        }
        if self.ems {
            v.push(ClientExtension::ExtendedMasterSecret);
        }
        if let Some(r) = self.rsl {
            v.push(ClientExtension::RecordSizeLimit(r));
        }
        if let Some(t) = &self.ticket {
            v.push(ClientExtension::SessionTicket(t));
        }
        if self.versions.is_some() {
            v.push(ClientExtension::SupportedVersions(List::from_items(
                &it.versions,
            )));
        }
        if let Some(r) = &self.reneg {
            v.push(ClientExtension::RenegotiationInfo(r));
        }
        for (t, d) in &self.unknown {
            v.push(ClientExtension::Unknown(UnknownExtension {
                typ: ExtensionType(*t),
                data: d,
            }));
        }
        if !v.is_empty() {
            let n = self.rotate % v.len();
            v.rotate_left(n);
        }
        v
    }
}

#[derive(Debug, Clone)]
struct ServerExts {
    flags: [bool; 5],
    mfl: Option<u8>,
    formats: Option<Vec<u8>>,
    alpn: Option<Vec<u8>>,
    rsl: Option<u16>,
    version: Option<u16>,
    reneg: Option<Vec<u8>>,
    unknown: Vec<(u16, Vec<u8>)>,
}

fn server_exts() -> impl Strategy<Value = ServerExts> {
    (
        any::<[bool; 5]>(),
        proptest::option::of(1u8..=4),
        proptest::option::of(vec(any::<u8>(), 1..4)),
        proptest::option::of(bytes(1, 20)),
        proptest::option::of(64u16..),
        proptest::option::of(any::<u16>()),
        proptest::option::of(bytes(0, 64)),
        proptest::collection::btree_map(
            any::<u16>().prop_filter("unknown", |t| !is_interpreted(*t)),
            bytes(0, 16),
            0..3,
        ),
    )
        .prop_map(
            |(flags, mfl, formats, alpn, rsl, version, reneg, unknown)| ServerExts {
                flags,
                mfl,
                formats,
                alpn,
                rsl,
                version,
                reneg,
                unknown: unknown.into_iter().collect(),
            },
        )
}

impl ServerExts {
    fn formats(&self) -> Vec<EcPointFormat> {
        self.formats
            .iter()
            .flatten()
            .map(|f| EcPointFormat(*f))
            .collect()
    }

    fn extensions<'a>(&'a self, formats: &'a [EcPointFormat]) -> Vec<ServerExtension<'a>> {
        let mut v = Vec::new();
        let flags = [
            ServerExtension::ServerName,
            ServerExtension::StatusRequest,
            ServerExtension::EncryptThenMac,
            ServerExtension::ExtendedMasterSecret,
            ServerExtension::SessionTicket,
        ];
        for (on, e) in self.flags.iter().zip(flags) {
            if *on {
                v.push(e);
            }
        }
        if let Some(m) = self.mfl {
            v.push(ServerExtension::MaxFragmentLength(
                MaxFragmentLength::from_u8(m).unwrap(),
            ));
        }
        if self.formats.is_some() {
            v.push(ServerExtension::EcPointFormats(List::from_items(formats)));
        }
        if let Some(a) = &self.alpn {
            v.push(ServerExtension::Alpn(ProtocolName::new(a)));
        }
        if let Some(r) = self.rsl {
            v.push(ServerExtension::RecordSizeLimit(r));
        }
        if let Some(ver) = self.version {
            v.push(ServerExtension::SupportedVersions(ProtocolVersion(ver)));
        }
        if let Some(r) = &self.reneg {
            v.push(ServerExtension::RenegotiationInfo(r));
        }
        for (t, d) in &self.unknown {
            v.push(ServerExtension::Unknown(UnknownExtension {
                typ: ExtensionType(*t),
                data: d,
            }));
        }
        v
    }
}

/// Encodes a message, decodes it, compares, and checks the re-encoding; also checks
/// that every strict prefix and the message plus one byte are rejected.
fn check_message(msg: &HandshakeMessage<'_>, kx: Option<KeyExchange>) {
    let enc = msg.to_vec().unwrap();
    let dec = HandshakeMessage::decode(&enc, kx).unwrap();
    assert_eq!(&dec, msg);
    assert_eq!(dec.to_vec().unwrap(), enc);
    // Fixed-buffer encoding gives the same bytes, and a buffer one byte short fails.
    let mut buf = vec![0u8; enc.len()];
    assert_eq!(msg.encode_into(&mut buf), Ok(enc.len()));
    assert_eq!(buf, enc);
    assert!(msg.encode_into(&mut buf[..enc.len() - 1]).is_err());
    for cut in 0..enc.len() {
        assert!(
            HandshakeMessage::decode(&enc[..cut], kx).is_err(),
            "prefix {cut}"
        );
    }
    let mut longer = enc.clone();
    longer.push(0);
    assert!(HandshakeMessage::decode(&longer, kx).is_err());
}

fn check_codec<'a, T: Codec<'a> + PartialEq + std::fmt::Debug>(v: &T, enc: &'a [u8]) {
    let dec = T::decode(enc).unwrap();
    assert_eq!(&dec, v);
    assert_eq!(dec.to_vec().unwrap(), enc);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn client_extensions_round_trip(owned in client_exts()) {
        let items = owned.items();
        let exts = owned.extensions(&items);
        let block = ClientExtensions::from_items(&exts);
        let enc = block.to_vec().unwrap();
        check_codec(&block, &enc);
        let dec = ClientExtensions::decode(&enc).unwrap();
        prop_assert_eq!(dec.len(), exts.len());
        for e in &exts {
            prop_assert_eq!(dec.get(e.ext_type()), Some(*e));
            check_codec(e, &e.to_vec().unwrap());
        }
        prop_assert_eq!(dec.extended_master_secret(), owned.ems);
        prop_assert_eq!(dec.encrypt_then_mac(), owned.etm);
        prop_assert_eq!(dec.record_size_limit(), owned.rsl);
    }

    #[test]
    fn server_extensions_round_trip(owned in server_exts()) {
        let formats = owned.formats();
        let exts = owned.extensions(&formats);
        let block = ServerExtensions::from_items(&exts);
        let enc = block.to_vec().unwrap();
        check_codec(&block, &enc);
        let dec = ServerExtensions::decode(&enc).unwrap();
        prop_assert_eq!(dec.alpn().map(|p| p.as_bytes()), owned.alpn.as_deref());
        prop_assert_eq!(dec.session_ticket(), owned.flags[4]);
    }

    #[test]
    fn client_hello_round_trip(
        version in any::<u16>(),
        random in any::<[u8; 32]>(),
        session_id in bytes(0, 32),
        suites in vec(any::<u16>(), 1..40),
        compression in vec(1u8.., 0..3),
        null_at in 0usize..4,
        owned in proptest::option::of(client_exts()),
    ) {
        let suites: Vec<CipherSuite> = suites.into_iter().map(CipherSuite).collect();
        let mut compression: Vec<CompressionMethod> =
            compression.into_iter().map(CompressionMethod).collect();
        compression.insert(null_at.min(compression.len()), CompressionMethod::NULL);
        let items = owned.as_ref().map(ClientExts::items);
        let exts = match (&owned, &items) {
            (Some(o), Some(i)) => o.extensions(i),
            _ => Vec::new(),
        };
        let hello = ClientHello {
            client_version: ProtocolVersion(version),
            random: Random(random),
            session_id: &session_id,
            cipher_suites: List::from_items(&suites),
            compression_methods: List::from_items(&compression),
            extensions: owned.as_ref().map(|_| ClientExtensions::from_items(&exts)),
        };
        check_message(&HandshakeMessage::ClientHello(hello), None);
        let enc = hello.to_vec().unwrap();
        let dec = ClientHello::decode(&enc).unwrap();
        prop_assert_eq!(dec.cipher_suites.len(), suites.len());
        prop_assert_eq!(
            dec.offers_tls13(),
            owned.as_ref().and_then(|o| o.versions.as_ref())
                .is_some_and(|v| v.contains(&0x0304))
        );
    }

    #[test]
    fn server_hello_round_trip(
        version in any::<u16>(),
        random in any::<[u8; 32]>(),
        session_id in bytes(0, 32),
        suite in any::<u16>(),
        compression in any::<u8>(),
        owned in proptest::option::of(server_exts()),
    ) {
        let formats = owned.as_ref().map(ServerExts::formats).unwrap_or_default();
        let exts = owned.as_ref().map(|o| o.extensions(&formats)).unwrap_or_default();
        let hello = ServerHello {
            server_version: ProtocolVersion(version),
            random: Random(random),
            session_id: &session_id,
            cipher_suite: CipherSuite(suite),
            compression_method: CompressionMethod(compression),
            extensions: owned.as_ref().map(|_| ServerExtensions::from_items(&exts)),
        };
        check_message(&HandshakeMessage::ServerHello(hello), None);
    }

    #[test]
    fn certificate_round_trip(certs in vec(bytes(1, 300), 0..4)) {
        let ders: Vec<CertificateDer<'_>> = certs.iter().map(|c| CertificateDer::new(c)).collect();
        let msg = Certificate { certificates: List::from_items(&ders) };
        check_message(&HandshakeMessage::Certificate(msg), None);
    }

    #[test]
    fn certificate_request_round_trip(
        types in vec(any::<u8>(), 1..5),
        sigalgs in vec(any::<u16>(), 1..10),
        cas in vec(bytes(1, 40), 0..4),
    ) {
        let types: Vec<_> = types.into_iter().map(ClientCertificateType).collect();
        let sigalgs: Vec<_> = sigalgs.into_iter().map(SignatureScheme).collect();
        let cas: Vec<_> = cas.iter().map(|c| DistinguishedName::new(c)).collect();
        let msg = CertificateRequest {
            certificate_types: List::from_items(&types),
            signature_algorithms: List::from_items(&sigalgs),
            certificate_authorities: List::from_items(&cas),
        };
        check_message(&HandshakeMessage::CertificateRequest(msg), None);
    }

    #[test]
    fn key_exchange_round_trip(
        p in bytes(1, 300), g in bytes(1, 4), ys in bytes(1, 300),
        scheme in any::<u16>(), sig in bytes(0, 300), yc in bytes(1, 300), epms in bytes(0, 300),
        group in any::<u16>(), point in bytes(1, 255),
    ) {
        let ecdhe = ServerKeyExchange {
            params: KeyExchangeParams::Ecdh(ServerEcdhParams { group: NamedGroup(group), point: &point }),
            signed: DigitallySigned { scheme: SignatureScheme(scheme), signature: &sig },
        };
        for kx in [KeyExchange::EcdheRsa, KeyExchange::EcdheEcdsa] {
            check_message(&HandshakeMessage::ServerKeyExchange(ecdhe), Some(kx));
            check_message(
                &HandshakeMessage::ClientKeyExchange(ClientKeyExchange::Ecdhe { point: &point }),
                Some(kx),
            );
        }
        let ske = ServerKeyExchange {
            params: KeyExchangeParams::Dh(ServerDhParams { p: &p, g: &g, ys: &ys }),
            signed: DigitallySigned { scheme: SignatureScheme(scheme), signature: &sig },
        };
        check_message(&HandshakeMessage::ServerKeyExchange(ske), Some(KeyExchange::DheRsa));
        check_message(
            &HandshakeMessage::ClientKeyExchange(ClientKeyExchange::Dhe { yc: &yc }),
            Some(KeyExchange::DheRsa),
        );
        check_message(
            &HandshakeMessage::ClientKeyExchange(ClientKeyExchange::Rsa {
                encrypted_pre_master_secret: &epms,
            }),
            Some(KeyExchange::Rsa),
        );
        check_message(
            &HandshakeMessage::CertificateVerify(ske.signed),
            None,
        );
    }

    #[test]
    fn simple_messages_round_trip(
        verify in any::<[u8; 12]>(), hint in any::<u32>(), ticket in bytes(0, 300),
    ) {
        check_message(&HandshakeMessage::Finished(Finished { verify_data: &verify }), None);
        check_message(
            &HandshakeMessage::NewSessionTicket(NewSessionTicket { lifetime_hint: hint, ticket: &ticket }),
            None,
        );
        check_message(&HandshakeMessage::HelloRequest, None);
        check_message(&HandshakeMessage::ServerHelloDone, None);
    }

    #[test]
    fn records_and_alerts_round_trip(
        ct in prop::sample::select(vec![20u8, 21, 22, 23, 24]),
        version in any::<u16>(),
        fragment in bytes(0, 600),
        level in any::<u8>(), desc in any::<u8>(),
    ) {
        let mut out = Vec::new();
        Record::write_parts(&mut Writer::vec(&mut out), ContentType(ct), ProtocolVersion(version), &fragment).unwrap();
        let (rec, used) = Record::split(&out).unwrap().unwrap();
        prop_assert_eq!(used, out.len());
        prop_assert_eq!(rec.fragment, &fragment[..]);
        check_codec(&rec.header, &out[..5]);
        prop_assert_eq!(Record::split(&out[..out.len() - 1]).unwrap(), None);
        let alert = Alert { level: AlertLevel(level), description: AlertDescription(desc) };
        check_codec(&alert, &[level, desc]);
    }

    #[test]
    fn reassembler_any_split(
        msgs in vec(bytes(0, 200), 1..6),
        cuts in vec(1usize..50, 1..20),
    ) {
        // Each generated body becomes a NewSessionTicket-typed frame (the type does not
        // matter to the reassembler).
        let mut stream = Vec::new();
        for m in &msgs {
            stream.push(4);
            stream.extend_from_slice(&(m.len() as u32).to_be_bytes()[1..]);
            stream.extend_from_slice(m);
        }
        let mut reasm = Reassembler::new(Limits::default());
        let mut out: Vec<Vec<u8>> = Vec::new();
        let mut rest = &stream[..];
        let mut i = 0;
        while !rest.is_empty() {
            let n = cuts[i % cuts.len()].min(rest.len());
            i += 1;
            reasm.push(&rest[..n]).unwrap();
            rest = &rest[n..];
            while let Some(f) = reasm.next_message().unwrap() {
                out.push(f.body.to_vec());
            }
        }
        prop_assert_eq!(out, msgs);
        prop_assert!(!reasm.has_partial());
    }

    #[test]
    fn random_bytes_never_panic(data in bytes(0, 400), sel in 0u8..3) {
        let kx = [None, Some(KeyExchange::Rsa), Some(KeyExchange::DheRsa)][usize::from(sel)];
        let _ = HandshakeMessage::decode(&data, kx);
        let _ = ClientExtensions::decode(&data);
        let _ = ServerExtensions::decode(&data);
        let _ = ClientHello::decode(&data);
        let _ = ServerHello::decode(&data);
        let _ = RecordHeader::decode(&data);
        let _ = Record::split(&data);
        #[cfg(feature = "fuzzing")]
        {
            sanstls_wire::fuzzing::record(&data);
            sanstls_wire::fuzzing::handshake(&data);
            sanstls_wire::fuzzing::extensions(&data);
            sanstls_wire::fuzzing::reassembler(&data);
        }
    }
}
