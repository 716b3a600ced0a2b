//! The server's choices from a ClientHello: cipher suite, signature scheme, DH group,
//! ALPN protocol (RFC 5246 §7.4.1.2-§7.4.1.4, RFC 7919 §4, RFC 7301 §3.2).

use alloc::vec::Vec;

use sanstls_crypto::dh::NamedDhGroup;
use sanstls_keys::suite::{self, SuiteInfo};
use sanstls_wire::codec::List;
use sanstls_wire::enums::{CipherSuite, KeyExchange, NamedGroup, SignatureScheme};
use sanstls_wire::extensions::ProtocolName;

use crate::error::{Error, PeerIncompatible};

/// The signature scheme for the ServerKeyExchange: the first of the server's schemes the
/// client listed. Without signature_algorithms the client implies rsa_pkcs1_sha1
/// (RFC 5246 §7.4.1.4.1), which the server signs with only when its configuration
/// allows SHA-1 signatures (they are then among its schemes); otherwise `None`.
pub(crate) fn signature_scheme(
    ours: &[SignatureScheme],
    theirs: Option<List<'_, SignatureScheme>>,
) -> Option<SignatureScheme> {
    match theirs {
        Some(theirs) => ours.iter().copied().find(|s| theirs.contains(s)),
        None => ours
            .contains(&SignatureScheme::RSA_PKCS1_SHA1)
            .then_some(SignatureScheme::RSA_PKCS1_SHA1),
    }
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
/// key exchange can run (DHE needs a signature scheme, a group and a certificate that
/// may sign; RSA key exchange a certificate that may encipher keys, RFC 5246 §7.4.2).
pub(crate) fn cipher_suite(
    ours: &[CipherSuite],
    theirs: List<'_, CipherSuite>,
    can_sign: bool,
    can_decrypt: bool,
    group: Result<NamedDhGroup, ()>,
) -> Result<&'static SuiteInfo, Error> {
    let mut dhe_blocked_by_group = false;
    for &s in ours {
        if !theirs.contains(&s) {
            continue;
        }
        let Some(info) = suite::lookup(s) else {
            continue;
        };
        if info.key_exchange == KeyExchange::DheRsa {
            if group.is_err() {
                dhe_blocked_by_group = true;
                continue;
            }
            if !can_sign {
                continue;
            }
        } else if !can_decrypt {
            continue;
        }
        return Ok(info);
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
        let pick = |sign, group| cipher_suite(&ours, List::from_items(&theirs), sign, true, group);
        assert_eq!(pick(true, ok).unwrap().suite, ours[0]);
        assert_eq!(pick(false, ok).unwrap().suite, ours[1]);
        assert_eq!(pick(true, Err(())).unwrap().suite, ours[1]);
        // A certificate that may only sign rules out RSA key exchange.
        let theirs_rsa = [CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA];
        assert_eq!(
            cipher_suite(&ours, List::from_items(&theirs_rsa), true, false, ok).unwrap_err(),
            PeerIncompatible::NoCommonCipherSuite.into()
        );
        let dhe_only = [CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256];
        assert_eq!(
            cipher_suite(&ours, List::from_items(&dhe_only), true, true, Err(())).unwrap_err(),
            PeerIncompatible::NoCommonDhGroup.into()
        );
        let none = [CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA];
        assert_eq!(
            cipher_suite(&ours, List::from_items(&none), true, true, ok).unwrap_err(),
            PeerIncompatible::NoCommonCipherSuite.into()
        );
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
