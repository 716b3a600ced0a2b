//! The server's choices from a ClientHello: cipher suite, signature scheme, DH group,
//! ECDHE group, ALPN protocol (RFC 5246 §7.4.1.2-§7.4.1.4, RFC 7919 §4, RFC 8422 §5.1,
//! RFC 7301 §3.2).

use alloc::vec::Vec;

use sanstls_crypto::dh::NamedDhGroup;
use sanstls_keys::suite::{self, SuiteInfo};
use sanstls_wire::codec::List;
use sanstls_wire::enums::{CipherSuite, KeyExchange, NamedGroup, SignatureScheme};
use sanstls_wire::extensions::ProtocolName;

use crate::error::{Error, PeerIncompatible};
use crate::sig::KeyKind;

/// The signature scheme for the ServerKeyExchange: the first of the server's schemes the
/// client listed that signs with the certificate's kind of key. For an ECDSA key the
/// scheme named after its curve comes first (`ecdsa_secp384r1_sha384` for a P-384 key)
/// when both sides list it: TLS 1.2 lets an ECDSA scheme name any hash (RFC 8422
/// §5.1.3), but peers that read the TLS 1.3 names strictly (rustls, for one) accept a
/// scheme only with its own curve. Without signature_algorithms the client implies
/// {sha1, rsa} or {sha1, ecdsa} by the key (RFC 5246 §7.4.1.4.1), which the server signs
/// with only when its configuration allows SHA-1 signatures (they are then among its
/// schemes); otherwise `None`.
pub(crate) fn signature_scheme(
    ours: &[SignatureScheme],
    theirs: Option<List<'_, SignatureScheme>>,
    key: KeyKind,
) -> Option<SignatureScheme> {
    match theirs {
        Some(theirs) => {
            let usable = |s: &SignatureScheme| key.fits(*s) && theirs.contains(s);
            ours.iter()
                .copied()
                .find(|s| usable(s) && key.curve_scheme() == Some(*s))
                .or_else(|| ours.iter().copied().find(usable))
        }
        None => ours.iter().copied().find(|&s| {
            matches!(
                s,
                SignatureScheme::RSA_PKCS1_SHA1 | SignatureScheme::ECDSA_SHA1
            ) && key.fits(s)
        }),
    }
}

/// The ECDHE group (RFC 8422 §5.1.1): the first of the server's groups the client
/// listed in supported_groups; `None` when the client listed none of them (the server
/// then MUST NOT pick an ECDHE suite). A client that sends no supported_groups leaves
/// the choice to the server (RFC 8422 §4); such a client predates X25519, so
/// secp256r1, the curve every ECC client has, is taken when configured, else the
/// server's first.
pub(crate) fn ec_group(
    ours: &[NamedGroup],
    theirs: Option<List<'_, NamedGroup>>,
) -> Option<NamedGroup> {
    match theirs {
        Some(theirs) => ours.iter().copied().find(|g| theirs.contains(g)),
        None => ours
            .iter()
            .copied()
            .find(|&g| g == NamedGroup::SECP256R1)
            .or_else(|| ours.first().copied()),
    }
}

/// What the server's certificate and the client's offer allow, suite by suite.
#[derive(Clone, Copy, Debug)]
#[allow(clippy::struct_excessive_bools)] // one ability each
pub(crate) struct Abilities {
    /// An RSA certificate that may sign, and a scheme for it.
    pub(crate) rsa_sign: bool,
    /// An ECDSA certificate that may sign (on a curve the client accepts), and a
    /// scheme for it.
    pub(crate) ecdsa_sign: bool,
    /// An RSA certificate that may receive an encrypted premaster.
    pub(crate) decrypt: bool,
    /// The DH group, or `Err` when the client's FFDHE groups rule DHE out.
    pub(crate) dh_group: Result<NamedDhGroup, ()>,
    /// The ECDHE group, if any.
    pub(crate) ec_group: Option<NamedGroup>,
    /// A PSK store (RFC 4279: the PSK key exchanges need no certificate).
    pub(crate) psk: bool,
}

/// The DH group, following RFC 7919 §4: a client that lists no FFDHE group gets the
/// configured one; one that lists some gets the configured one if listed, else the
/// first it listed that sanstls has; `Err(())` when it listed FFDHE groups only
/// sanstls lacks (the server then MUST NOT pick a DHE suite).
pub(crate) fn dh_group(
    configured: NamedDhGroup,
    supported_groups: Option<List<'_, NamedGroup>>,
) -> Result<NamedDhGroup, ()> {
    let Some(groups) = supported_groups else {
        return Ok(configured);
    };
    let ffdhe: Vec<NamedGroup> = groups.iter().filter(|g| g.is_ffdhe()).collect();
    if ffdhe.is_empty() {
        return Ok(configured);
    }
    if ffdhe.contains(&NamedGroup(configured.code_point())) {
        return Ok(configured);
    }
    ffdhe
        .iter()
        .find_map(|g| NamedDhGroup::from_code_point(g.0))
        .ok_or(())
}

/// The cipher suite: the first in the server's order that the client offers and whose
/// key exchange can run: DHE needs a group and an RSA certificate that may sign, with a
/// scheme; ECDHE a common EC group and a certificate of the suite's key type that may
/// sign (RFC 8422 §2); RSA key exchange an RSA certificate that may encipher keys (RFC
/// 5246 §7.4.2). With `client_order`, the first in the client's order that the server
/// also lists.
pub(crate) fn cipher_suite(
    ours: &[CipherSuite],
    theirs: List<'_, CipherSuite>,
    can: Abilities,
    client_order: bool,
) -> Result<&'static SuiteInfo, Error> {
    let mut dhe_blocked_by_group = false;
    let candidates: Vec<CipherSuite> = if client_order {
        theirs.iter().filter(|s| ours.contains(s)).collect()
    } else {
        ours.iter()
            .copied()
            .filter(|s| theirs.contains(s))
            .collect()
    };
    for s in candidates {
        let Some(info) = suite::lookup(s) else {
            continue;
        };
        let usable = match info.key_exchange {
            KeyExchange::Rsa => can.decrypt,
            KeyExchange::DheRsa => {
                if can.dh_group.is_err() {
                    dhe_blocked_by_group = true;
                    continue;
                }
                can.rsa_sign
            }
            KeyExchange::EcdheRsa => can.ec_group.is_some() && can.rsa_sign,
            KeyExchange::EcdheEcdsa => can.ec_group.is_some() && can.ecdsa_sign,
            KeyExchange::Psk => can.psk,
            // RFC 4279 §3 with RFC 7919's group choice, as for DHE_RSA.
            KeyExchange::DhePsk => {
                if can.dh_group.is_err() {
                    dhe_blocked_by_group = true;
                    continue;
                }
                can.psk
            }
            KeyExchange::EcdhePsk => can.ec_group.is_some() && can.psk,
        };
        if usable {
            return Ok(info);
        }
    }
    // RFC 7919 §4: "the server MUST ... send a fatal insufficient_security alert" when
    // the client's FFDHE groups are what ruled DHE out and nothing else fits.
    Err(if dhe_blocked_by_group {
        PeerIncompatible::NoCommonDhGroup.into()
    } else {
        PeerIncompatible::NoCommonCipherSuite.into()
    })
}

/// The ALPN protocol: the first of the server's the client offered (RFC 7301 §3.2);
/// `Ok(None)` if either side does not use ALPN.
pub(crate) fn alpn<'a>(
    ours: &'a [Vec<u8>],
    theirs: Option<List<'_, ProtocolName<'_>>>,
) -> Result<Option<&'a [u8]>, Error> {
    let Some(theirs) = theirs else {
        return Ok(None);
    };
    if ours.is_empty() {
        return Ok(None);
    }
    ours.iter()
        .find(|p| theirs.iter().any(|t| t.as_bytes() == p.as_slice()))
        .map(|p| Some(p.as_slice()))
        .ok_or_else(|| PeerIncompatible::NoCommonAlpnProtocol.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_choice_follows_rfc7919() {
        let cfg = NamedDhGroup::Ffdhe2048;
        assert_eq!(dh_group(cfg, None), Ok(cfg));
        let ec_only = [NamedGroup::X25519];
        assert_eq!(dh_group(cfg, Some(List::from_items(&ec_only))), Ok(cfg));
        let big = [
            NamedGroup::X25519,
            NamedGroup::FFDHE4096,
            NamedGroup::FFDHE3072,
        ];
        assert_eq!(
            dh_group(cfg, Some(List::from_items(&big))),
            Ok(NamedDhGroup::Ffdhe4096)
        );
        let unknown = [NamedGroup::FFDHE8192];
        assert_eq!(dh_group(cfg, Some(List::from_items(&unknown))), Err(()));
    }

    #[test]
    fn suite_choice_respects_server_order_and_dhe_needs() {
        let ours = [
            CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
            CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA,
        ];
        let theirs = [
            CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA,
            CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
        ];
        let ok = Ok(NamedDhGroup::Ffdhe2048);
        let can = |rsa_sign, decrypt, dh_group| Abilities {
            rsa_sign,
            ecdsa_sign: false,
            decrypt,
            dh_group,
            ec_group: None,
            psk: false,
        };
        let pick = |sign, group| {
            cipher_suite(
                &ours,
                List::from_items(&theirs),
                can(sign, true, group),
                false,
            )
        };
        assert_eq!(pick(true, ok).unwrap().suite, ours[0]);
        assert_eq!(pick(false, ok).unwrap().suite, ours[1]);
        assert_eq!(pick(true, Err(())).unwrap().suite, ours[1]);
        // A certificate that may only sign rules out RSA key exchange.
        let theirs_rsa = [CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA];
        assert_eq!(
            cipher_suite(
                &ours,
                List::from_items(&theirs_rsa),
                can(true, false, ok),
                false
            )
            .unwrap_err(),
            PeerIncompatible::NoCommonCipherSuite.into()
        );
        let dhe_only = [CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256];
        assert_eq!(
            cipher_suite(
                &ours,
                List::from_items(&dhe_only),
                can(true, true, Err(())),
                false,
            )
            .unwrap_err(),
            PeerIncompatible::NoCommonDhGroup.into()
        );
        let none = [CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA];
        assert_eq!(
            cipher_suite(&ours, List::from_items(&none), can(true, true, ok), false).unwrap_err(),
            PeerIncompatible::NoCommonCipherSuite.into()
        );
    }

    #[test]
    fn ecdhe_needs_a_group_and_the_right_key() {
        let ours = [
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256,
        ];
        let theirs = List::from_items(&ours);
        let can = |rsa_sign, ecdsa_sign, ec_group| Abilities {
            rsa_sign,
            ecdsa_sign,
            decrypt: rsa_sign,
            dh_group: Err(()),
            ec_group,
            psk: false,
        };
        let g = Some(NamedGroup::X25519);
        assert_eq!(
            cipher_suite(&ours, theirs, can(false, true, g), false)
                .unwrap()
                .suite,
            ours[0]
        );
        assert_eq!(
            cipher_suite(&ours, theirs, can(true, false, g), false)
                .unwrap()
                .suite,
            ours[1]
        );
        assert_eq!(
            cipher_suite(&ours, theirs, can(true, false, None), false)
                .unwrap()
                .suite,
            ours[2]
        );
        assert!(cipher_suite(&ours, theirs, can(false, true, None), false).is_err());
        // The client's order, when the server asks for it.
        let reversed = [ours[2], ours[1], ours[0]];
        let pick = |client_order| {
            cipher_suite(
                &ours,
                List::from_items(&reversed),
                can(true, false, g),
                client_order,
            )
            .unwrap()
            .suite
        };
        assert_eq!(pick(false), ours[1]);
        assert_eq!(pick(true), ours[2]);
        // RFC 8422 §5.1.1: the server's order among the client's groups; without the
        // extension, the server's first.
        let server = [NamedGroup::SECP256R1, NamedGroup::X25519];
        let client = [NamedGroup::X25519, NamedGroup::SECP256R1];
        assert_eq!(
            ec_group(&server, Some(List::from_items(&client))),
            Some(server[0])
        );
        assert_eq!(ec_group(&server, None), Some(NamedGroup::SECP256R1));
        assert_eq!(ec_group(&client, None), Some(NamedGroup::SECP256R1));
        assert_eq!(
            ec_group(&[NamedGroup::X25519], None),
            Some(NamedGroup::X25519)
        );
        let other = [NamedGroup::SECP521R1, NamedGroup::FFDHE2048];
        assert_eq!(ec_group(&server, Some(List::from_items(&other))), None);
    }

    #[test]
    fn alpn_choice() {
        let ours = [b"h2".to_vec(), b"http/1.1".to_vec()];
        let theirs = [ProtocolName::new(b"http/1.1"), ProtocolName::new(b"h2")];
        assert_eq!(
            alpn(&ours, Some(List::from_items(&theirs))).unwrap(),
            Some(&b"h2"[..])
        );
        assert_eq!(alpn(&ours, None).unwrap(), None);
        assert_eq!(alpn(&[], Some(List::from_items(&theirs))).unwrap(), None);
        let other = [ProtocolName::new(b"spdy/3")];
        assert_eq!(
            alpn(&ours, Some(List::from_items(&other))).unwrap_err(),
            PeerIncompatible::NoCommonAlpnProtocol.into()
        );
    }
}
