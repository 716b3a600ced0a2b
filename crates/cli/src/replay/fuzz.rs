//! `sanstls replay --fuzz`: a cargo-fuzz input of `proto_client` or `proto_server` as a
//! recording. The connection is made as the target makes it (`sanstls_proto::fuzzing`:
//! its configuration, seed and time) and fed as its `feed` loop feeds it (the input cut
//! into writes by [`fuzzing::writes`], each write passed to `handle_recv_bytes` until it
//! is taken, waiting application data consumed, the transmit buffer drained after each
//! write), and every call is recorded.

use std::sync::Arc;

use sanstls_crypto::rng::SeededRng;
use sanstls_proto::fuzzing;
use sanstls_proto::{ClientConfig, Connection, ServerConfig, ServerName};
use sanstls_wire::enums::KeyExchange;

use super::FuzzTarget;
use crate::recording::format::{self, Ev, Header, Outcome, Role};
use crate::{Failure, exit, trace};

fn no_config(what: &str, e: impl std::fmt::Display) -> Failure {
    Failure::new(
        exit::CONFIG,
        format!("the fuzz target's {what} configuration cannot be built: {e}"),
    )
}

/// The `proto_client` target's configuration (traces on), server name, and what the
/// trace may explain.
pub(super) fn client_parts() -> Result<(Arc<ClientConfig>, ServerName, trace::Known), Failure> {
    let config = fuzzing::client_config_builder()
        .ok_or_else(|| no_config("client", "its certificates do not load"))?
        .trace(true)
        .build()
        .map_err(|e| no_config("client", e))?;
    let name = ServerName::new(fuzzing::SERVER_NAME).map_err(|e| no_config("client", e))?;
    let known = trace::Known::common(config.common().suites());
    Ok((Arc::new(config), name, known))
}

/// The `proto_server` target's configuration (traces on) and what the trace may
/// explain (its key is RSA: the suites other than ECDHE_ECDSA).
pub(super) fn server_parts() -> Result<(Arc<ServerConfig>, trace::Known), Failure> {
    let config = fuzzing::server_config_builder()
        .ok_or_else(|| no_config("server", "its certificates do not load"))?
        .trace(true)
        .build()
        .map_err(|e| no_config("server", e))?;
    let usable: Vec<_> = config
        .common()
        .suites()
        .iter()
        .copied()
        .filter(|s| !s.key_exchange().is_some_and(KeyExchange::is_ecdsa))
        .collect();
    let known = trace::Known::common(&usable);
    Ok((Arc::new(config), known))
}

/// Runs the target's connection on `input`, recording it; returns the recording.
pub(super) fn record(target: FuzzTarget, input: &[u8]) -> Result<Vec<u8>, Failure> {
    let (role, seed) = match target {
        FuzzTarget::ProtoClient => (Role::FuzzClient, fuzzing::CLIENT_SEED),
        FuzzTarget::ProtoServer => (Role::FuzzServer, fuzzing::SERVER_SEED),
    };
    let mut rng = SeededRng::from_seed(seed);
    let conn = match target {
        FuzzTarget::ProtoClient => {
            let (config, name, _) = client_parts()?;
            Connection::client(config, name, fuzzing::NOW, &mut rng)
        }
        FuzzTarget::ProtoServer => {
            let (config, _) = server_parts()?;
            Connection::server(config, fuzzing::NOW, &mut rng)
        }
    }
    .map_err(|e| no_config("connection", e))?;
    let header = Header {
        role,
        seed,
        args: Vec::new(),
        cwd: String::new(),
        label: String::new(),
    };
    let mut log = Log {
        conn,
        bytes: format::encode_header(&header),
    };
    log.push(&Ev::Open {
        now: fuzzing::NOW.as_millis(),
    })?;
    log.feed(input)?;
    Ok(log.bytes)
}

/// The connection and the recording of the calls made into it.
struct Log {
    conn: Connection,
    bytes: Vec<u8>,
}

impl Log {
    fn push(&mut self, ev: &Ev) -> Result<(), Failure> {
        format::write_event(&mut self.bytes, ev)
            .map_err(|e| Failure::new(exit::CONFIG, format!("recording the run: {e}")))
    }

    fn consume(&mut self, n: usize) -> Result<bool, Failure> {
        let r = self.conn.consume(n).map(|()| 0u32);
        self.push(&Ev::Consume {
            n: u32::try_from(n).unwrap_or(u32::MAX),
            result: Outcome::of(r.as_ref().copied()),
        })?;
        Ok(r.is_ok())
    }

    fn drain(&mut self) -> Result<(), Failure> {
        let pending = self.conn.poll_transmit();
        let ev = Ev::Transmitted {
            len: u32::try_from(pending.len()).unwrap_or(u32::MAX),
            digest: sanstls_crypto::hash::sha256(pending),
        };
        let n = pending.len();
        let _ = self.conn.handle_transmitted(n);
        self.push(&ev)
    }

    /// The target's `feed` loop, recorded.
    fn feed(&mut self, data: &[u8]) -> Result<(), Failure> {
        let Some(pieces) = fuzzing::writes(data) else {
            return Ok(());
        };
        for piece in pieces {
            let mut at = 0;
            while at < piece.len() {
                let offered = &piece[at..];
                let r = self.conn.handle_recv_bytes(offered, fuzzing::NOW);
                self.push(&Ev::Recv {
                    now: fuzzing::NOW.as_millis(),
                    data: offered.to_vec(),
                    result: Outcome::of(r.as_ref().copied()),
                })?;
                match r {
                    Ok(0) => {
                        // Application data is waiting; consume it to make room.
                        let waiting = self.conn.app_data().len();
                        if waiting > 0 {
                            if !self.consume(waiting)? {
                                break;
                            }
                        } else {
                            // A closed connection refuses input for good: the target
                            // stops here.
                            return self.drain();
                        }
                    }
                    Ok(n) => at += n,
                    Err(_) => break,
                }
            }
            let mut count = 0u32;
            while self.conn.poll_event().is_some() {
                count += 1;
            }
            if count > 0 {
                self.push(&Ev::Events { count })?;
            }
            let waiting = self.conn.app_data().len();
            self.consume(waiting)?;
            self.drain()?;
        }
        Ok(())
    }
}
