//! Record size limits: max_fragment_length (RFC 6066 §4) and record_size_limit (RFC 8449),
//! both roles. Pure decisions; the hello code sends what they say, and the connection
//! sizes its buffers from the result.

use sanstls_wire::enums::{ExtensionType, MaxFragmentLength};
use sanstls_wire::record::MAX_PLAINTEXT_LEN;

use crate::error::{Error, PeerIncompatible, PeerMisbehaved};

/// The smallest record_size_limit (RFC 8449 §4).
const MIN_RECORD_SIZE_LIMIT: usize = 64;

/// The record sizes a handshake settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RecordLimits {
    /// The largest plaintext this side sends.
    pub(crate) send: usize,
    /// The largest plaintext the peer may send this side.
    pub(crate) receive: usize,
    /// The extension that set them: max_fragment_length (the limits apply to every
    /// record from the hellos on), record_size_limit (to protected records), or none.
    pub(crate) by: Option<ExtensionType>,
}

impl RecordLimits {
    /// Whether `receive` applies to the records that follow the hellos at once (with
    /// max_fragment_length), rather than from the peer's ChangeCipherSpec on.
    pub(crate) fn immediate(&self) -> bool {
        self.by == Some(ExtensionType::MAX_FRAGMENT_LENGTH)
    }
}

/// The max_fragment_length a client requests for its configured limit: RFC 6066 §4 has
/// codes for 2^9 to 2^12 only.
pub(crate) fn requested_mfl(own: usize) -> Option<MaxFragmentLength> {
    (1..=4)
        .filter_map(MaxFragmentLength::from_u8)
        .find(|m| m.bytes() == own)
}

/// The record_size_limit this side advertises: the largest plaintext it accepts (RFC
/// 8449 §4: in TLS 1.2 the value covers the plaintext only, at most 2^14). A configured
/// limit below 64 only shortens what this side sends, so it accepts full records.
pub(crate) fn advertised_rsl(own: usize) -> u16 {
    let limit = if own >= MIN_RECORD_SIZE_LIMIT {
        own.min(MAX_PLAINTEXT_LEN)
    } else {
        MAX_PLAINTEXT_LEN
    };
    // At most 2^14, so it fits.
    limit as u16
}

/// The client's limits from the server's answer to its ClientHello.
///
/// RFC 6066 §4: an accepted max_fragment_length is echoed with the same value
/// (illegal_parameter otherwise). RFC 8449 §5: a server that supports both extensions
/// answers only record_size_limit, and "a client MUST treat receipt of both ... as a
/// fatal error, and it SHOULD generate an illegal_parameter alert". A record_size_limit
/// above 2^14 is read as 2^14 (§4 lets a client abort instead; it is harmless).
pub(crate) fn client(
    own: usize,
    server_mfl: Option<MaxFragmentLength>,
    server_rsl: Option<u16>,
    require: bool,
) -> Result<RecordLimits, Error> {
    let full = RecordLimits {
        send: own,
        receive: MAX_PLAINTEXT_LEN,
        by: None,
    };
    match (server_mfl, server_rsl) {
        (Some(_), Some(_)) => Err(PeerMisbehaved::BadFragmentLimit.into()),
        (Some(m), None) => {
            if requested_mfl(own) != Some(m) {
                return Err(PeerMisbehaved::BadFragmentLimit.into());
            }
            Ok(RecordLimits {
                send: own.min(m.bytes()),
                receive: m.bytes(),
                by: Some(ExtensionType::MAX_FRAGMENT_LENGTH),
            })
        }
        (None, Some(v)) => Ok(RecordLimits {
            send: own.min(usize::from(v)).min(MAX_PLAINTEXT_LEN),
            receive: usize::from(advertised_rsl(own)),
            by: Some(ExtensionType::RECORD_SIZE_LIMIT),
        }),
        (None, None) if require && own < MAX_PLAINTEXT_LEN => {
            Err(PeerIncompatible::FragmentLimitRefused.into())
        }
        (None, None) => Ok(full),
    }
}

/// What the server answers in its ServerHello.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Answer {
    /// Nothing: the client asked for no limit.
    None,
    /// max_fragment_length, echoing the client's request (RFC 6066 §4).
    MaxFragmentLength(MaxFragmentLength),
    /// record_size_limit with this server's own limit (RFC 8449 §4).
    RecordSizeLimit(u16),
}

/// The server's limits from the client's requests, and its answer.
///
/// RFC 8449 §5: "A server that supports the record_size_limit extension MUST ignore a
/// max_fragment_length that appears in a ClientHello if both extensions appear." A
/// max_fragment_length alone is always accepted (RFC 6066 §4 lets a server accept it;
/// refusing would leave a constrained client with records it cannot take).
pub(crate) fn server(
    own: usize,
    client_mfl: Option<MaxFragmentLength>,
    client_rsl: Option<u16>,
) -> (RecordLimits, Answer) {
    match (client_rsl, client_mfl) {
        (Some(v), _) => {
            let ours = advertised_rsl(own);
            (
                RecordLimits {
                    send: own.min(usize::from(v)).min(MAX_PLAINTEXT_LEN),
                    receive: usize::from(ours),
                    by: Some(ExtensionType::RECORD_SIZE_LIMIT),
                },
                Answer::RecordSizeLimit(ours),
            )
        }
        (None, Some(m)) => (
            RecordLimits {
                send: own.min(m.bytes()),
                receive: m.bytes(),
                by: Some(ExtensionType::MAX_FRAGMENT_LENGTH),
            },
            Answer::MaxFragmentLength(m),
        ),
        (None, None) => (
            RecordLimits {
                send: own,
                receive: MAX_PLAINTEXT_LEN,
                by: None,
            },
            Answer::None,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MFL: Option<ExtensionType> = Some(ExtensionType::MAX_FRAGMENT_LENGTH);
    const RSL: Option<ExtensionType> = Some(ExtensionType::RECORD_SIZE_LIMIT);

    #[test]
    fn what_a_client_asks_for() {
        assert_eq!(requested_mfl(512), Some(MaxFragmentLength::L512));
        assert_eq!(requested_mfl(4096), Some(MaxFragmentLength::L4096));
        assert_eq!(requested_mfl(1000), None);
        assert_eq!(requested_mfl(16384), None);
        assert_eq!(advertised_rsl(1000), 1000);
        assert_eq!(advertised_rsl(64), 64);
        assert_eq!(advertised_rsl(63), 16384);
        assert_eq!(advertised_rsl(16384), 16384);
    }

    #[test]
    fn the_client_reads_the_answer() {
        let l = client(1024, Some(MaxFragmentLength::L1024), None, false).unwrap();
        assert_eq!((l.send, l.receive, l.by), (1024, 1024, MFL));
        assert!(l.immediate());
        // Another value than requested, or both extensions: illegal_parameter.
        for (m, r) in [
            (Some(MaxFragmentLength::L512), None),
            (Some(MaxFragmentLength::L1024), Some(1024)),
        ] {
            assert_eq!(
                client(1024, m, r, false),
                Err(PeerMisbehaved::BadFragmentLimit.into())
            );
        }
        // record_size_limit: the server's own limit bounds what we send; ours what it
        // sends, protected records only.
        let l = client(1024, None, Some(600), false).unwrap();
        assert_eq!((l.send, l.receive, l.by), (600, 1024, RSL));
        assert!(!l.immediate());
        let l = client(16384, None, Some(u16::MAX), false).unwrap();
        assert_eq!((l.send, l.receive), (16384, 16384));
        // Nothing: full records, unless required.
        let l = client(1024, None, None, false).unwrap();
        assert_eq!((l.send, l.receive, l.by), (1024, 16384, None));
        assert_eq!(
            client(1024, None, None, true),
            Err(PeerIncompatible::FragmentLimitRefused.into())
        );
        assert!(client(16384, None, None, true).is_ok());
    }

    #[test]
    fn the_server_answers() {
        // record_size_limit wins over max_fragment_length (RFC 8449 §5).
        let (l, a) = server(16384, Some(MaxFragmentLength::L512), Some(512));
        assert_eq!((l.send, l.receive, l.by), (512, 16384, RSL));
        assert_eq!(a, Answer::RecordSizeLimit(16384));
        let (l, a) = server(2048, None, Some(4000));
        assert_eq!((l.send, l.receive), (2048, 2048));
        assert_eq!(a, Answer::RecordSizeLimit(2048));
        let (l, a) = server(16384, Some(MaxFragmentLength::L2048), None);
        assert_eq!((l.send, l.receive, l.by), (2048, 2048, MFL));
        assert_eq!(a, Answer::MaxFragmentLength(MaxFragmentLength::L2048));
        let (l, a) = server(16384, None, None);
        assert_eq!((l.send, l.receive, l.by), (16384, 16384, None));
        assert_eq!(a, Answer::None);
    }
}
