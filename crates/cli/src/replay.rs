//! `sanstls replay FILE`: runs a recorded connection again (docs/RECORDING.md).
//!
//! The connection is made again from the recording's configuration (its command line
//! parsed by the same options, with traces on), seed and time, and every recorded call
//! is made again in order, with the session store's and ticketer's recorded answers.
//! Each call's result is compared with the recorded one and every transmitted byte
//! with the recorded digest: the first difference stops the replay as a divergence.
//! The events are printed as `--trace` prints them, then the outcome.
//!
//! `--fuzz proto_client|proto_server` takes a cargo-fuzz input of those targets
//! instead: the same cutting into writes and the same calls as the target's `feed`
//! loop (`sanstls_proto::fuzzing`), recorded, then replayed like any recording.

mod fuzz;

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Parser, ValueEnum};
use sanstls_crypto::rng::SeededRng;
use sanstls_proto::{ClientConfig, Connection, Event, ServerConfig, ServerName, Side, UnixTime};

use crate::recording::format::{Ev, FormatError, Header, Outcome, Reader, Role};
use crate::recording::{Answers, format};
use crate::{Failure, exit, trace};

/// Options of `sanstls replay`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// The recording (written by `client --record` or `server --record`); with
    /// --fuzz, the fuzz input.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// FILE is an input of this cargo-fuzz target (a crash, a seed, a corpus entry):
    /// run it as the target does (its configuration, seed, time and cutting into
    /// writes), recorded, and replay that recording.
    #[arg(long, value_enum, value_name = "TARGET")]
    fuzz: Option<FuzzTarget>,
    /// With --fuzz: also write the recording of the run to OUT.
    #[arg(long, value_name = "OUT", requires = "fuzz")]
    write_recording: Option<PathBuf>,
    /// List the recording's events, each with its byte offset in the file, instead of
    /// replaying them.
    #[arg(long)]
    events: bool,
}

/// The fuzz targets whose inputs `--fuzz` takes.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum FuzzTarget {
    /// A client fed a would-be server's bytes.
    #[value(name = "proto_client", alias = "proto-client")]
    ProtoClient,
    /// A server fed a would-be client's bytes.
    #[value(name = "proto_server", alias = "proto-server")]
    ProtoServer,
}

/// The largest fuzz input `--fuzz` reads.
const MAX_FUZZ_INPUT: u64 = 4 << 20;

/// A recording's failure to read, as a failure of the command (exit 3).
fn bad_file(path: &Path, e: &FormatError) -> Failure {
    Failure::new(exit::CONFIG, format!("{}: {e}", path.display()))
}

pub(crate) fn run(a: &Args) -> Result<(), Failure> {
    if let Some(target) = a.fuzz {
        let input = read_fuzz_input(&a.file)?;
        let bytes = fuzz::record(target, &input)?;
        if let Some(out) = &a.write_recording {
            std::fs::write(out, &bytes).map_err(|e| {
                Failure::new(
                    exit::CONFIG,
                    format!("cannot write the recording {}: {e}", out.display()),
                )
            })?;
            eprintln!("recording written to {}", out.display());
        }
        let name = format!("{} (as {})", a.file.display(), target_name(target));
        return replay(Reader::new(bytes.as_slice()), &name, &a.file, a.events);
    }
    let file = File::open(&a.file).map_err(|e| {
        Failure::new(
            exit::CONFIG,
            format!("cannot open the recording {}: {e}", a.file.display()),
        )
    })?;
    let name = a.file.display().to_string();
    replay(Reader::new(BufReader::new(file)), &name, &a.file, a.events)
}

fn target_name(t: FuzzTarget) -> &'static str {
    match t {
        FuzzTarget::ProtoClient => "proto_client",
        FuzzTarget::ProtoServer => "proto_server",
    }
}

fn read_fuzz_input(path: &Path) -> Result<Vec<u8>, Failure> {
    let file = File::open(path).map_err(|e| {
        Failure::new(
            exit::CONFIG,
            format!("cannot open the fuzz input {}: {e}", path.display()),
        )
    })?;
    let mut data = Vec::new();
    file.take(MAX_FUZZ_INPUT + 1)
        .read_to_end(&mut data)
        .map_err(|e| Failure::new(exit::CONFIG, format!("{}: {e}", path.display())))?;
    if data.len() as u64 > MAX_FUZZ_INPUT {
        return Err(Failure::new(
            exit::CONFIG,
            format!(
                "{}: larger than {MAX_FUZZ_INPUT} bytes, which no fuzz input is",
                path.display()
            ),
        ));
    }
    Ok(data)
}

/// `sanstls client ARGS`, parsed as the command line parses it.
#[derive(Parser, Debug)]
#[command(no_binary_name = true)]
struct ClientLine {
    #[command(flatten)]
    args: crate::client::Args,
}

/// `sanstls server ARGS`, parsed as the command line parses it.
#[derive(Parser, Debug)]
#[command(no_binary_name = true)]
struct ServerLine {
    #[command(flatten)]
    args: crate::server::Args,
}

/// The configuration a recording's connection is made with.
enum Made {
    Client(Arc<ClientConfig>, ServerName),
    Server(Arc<ServerConfig>),
}

/// Rebuilds the recorded connection's configuration: the side, the configuration,
/// what the trace may explain.
fn rebuild(h: &Header, answers: &Arc<Answers>) -> Result<(Made, trace::Known), Failure> {
    let context = |f: Failure| {
        Failure::new(
            f.code,
            format!(
                "rebuilding the recorded {} configuration: {}",
                h.role.name(),
                f.message
            ),
        )
    };
    let bad_line = |e: clap::Error| {
        Failure::new(
            exit::CONFIG,
            format!(
                "the recorded command line ({}) does not parse: {}",
                h.args.join(" "),
                e.render().to_string().lines().next().unwrap_or_default()
            ),
        )
    };
    let base = PathBuf::from(&h.cwd);
    match h.role {
        Role::Client => {
            let mut line = ClientLine::try_parse_from(&h.args).map_err(bad_line)?;
            check_files(&line.args.resolve_paths(&base))?;
            let (config, name, known) =
                crate::client::replay_parts(&line.args, Arc::clone(answers)).map_err(context)?;
            Ok((Made::Client(config, name), known))
        }
        Role::Server => {
            let mut line = ServerLine::try_parse_from(&h.args).map_err(bad_line)?;
            check_files(&line.args.resolve_paths(&base))?;
            let (config, known) =
                crate::server::replay_parts(&line.args, Arc::clone(answers)).map_err(context)?;
            Ok((Made::Server(config), known))
        }
        Role::FuzzClient => fuzz::client_parts().map(|(c, n, k)| (Made::Client(c, n), k)),
        Role::FuzzServer => fuzz::server_parts().map(|(c, k)| (Made::Server(c), k)),
    }
}

/// The largest file a recording's configuration may name (a certificate bundle is far
/// smaller).
const MAX_CONFIG_FILE: u64 = 16 << 20;

/// The files a recording names are read again: each must be a regular file of a sane
/// size (a recording could name `/dev/zero` or a FIFO). A missing one is left to the
/// loader, whose error names it.
fn check_files(files: &[PathBuf]) -> Result<(), Failure> {
    for f in files {
        let Ok(meta) = std::fs::metadata(f) else {
            continue;
        };
        if !meta.is_file() {
            return Err(Failure::new(
                exit::CONFIG,
                format!(
                    "the recording names {}, which is not a regular file",
                    f.display()
                ),
            ));
        }
        if meta.len() > MAX_CONFIG_FILE {
            return Err(Failure::new(
                exit::CONFIG,
                format!(
                    "the recording names {}, which is larger than {MAX_CONFIG_FILE} bytes",
                    f.display()
                ),
            ));
        }
    }
    Ok(())
}

/// Makes the connection as recorded.
fn open(made: &Made, seed: [u8; 32], now: UnixTime) -> Result<Connection, sanstls_proto::Error> {
    let mut rng = SeededRng::from_seed(seed);
    match made {
        Made::Client(config, name) => {
            Connection::client(Arc::clone(config), name.clone(), now, &mut rng)
        }
        Made::Server(config) => Connection::server(Arc::clone(config), now, &mut rng),
    }
}

/// The time in a recording.
fn time(ms: u64) -> UnixTime {
    UnixTime::from_millis(ms)
}

/// Where a replay is.
struct Replay {
    made: Made,
    header: Header,
    answers: Arc<Answers>,
    conn: Option<Connection>,
    printer: trace::Printer,
    out: io::StdoutLock<'static>,
    /// Calls replayed.
    calls: u64,
    /// What the replay saw of the peer's close.
    peer_closed: Option<bool>,
    /// Whether this side sent close_notify.
    closed: bool,
}

/// A difference between the recording and the replay.
struct Divergence(String);

impl Replay {
    fn print(&mut self, text: &str) {
        // Output to a closed pipe is not the replay's problem.
        let _ = self.out.write_all(text.as_bytes());
    }

    fn conn(&mut self, ev: &Ev) -> Result<&mut Connection, Divergence> {
        self.conn.as_mut().ok_or_else(|| {
            Divergence(format!(
                "the recording has a {} call before the connection was made",
                ev.name()
            ))
        })
    }

    fn poll(&mut self, count: Option<u32>) -> Result<(), Divergence> {
        let mut got = 0u32;
        while count.is_none_or(|c| got < c) {
            let Some(conn) = self.conn.as_mut() else {
                break;
            };
            let Some(ev) = conn.poll_event() else {
                break;
            };
            got += 1;
            if let Event::PeerClosed { clean } = ev {
                self.peer_closed = Some(clean);
            }
            if let Some(text) = self.printer.text(&ev) {
                self.print(&text);
            }
        }
        match count {
            Some(c) if got < c => Err(Divergence(format!(
                "the recorded connection had {c} events to poll here, the replay {got}"
            ))),
            _ => Ok(()),
        }
    }

    /// Applies one event.
    fn apply(&mut self, ev: &Ev) -> Result<(), Divergence> {
        let compare = |what: &str, recorded: &Outcome, replayed: Outcome| {
            if *recorded == replayed {
                Ok(())
            } else {
                Err(Divergence(format!(
                    "{what}: the recorded call returned {recorded}, the replay {replayed}"
                )))
            }
        };
        match ev {
            Ev::Answer { question, answer } => {
                if !self.answers.push(*question, answer.clone()) {
                    return Err(Divergence(format!(
                        "more than {} answers recorded for one call",
                        crate::recording::MAX_ANSWERS
                    )));
                }
                return Ok(());
            }
            Ev::Open { now } => {
                if self.conn.is_some() {
                    return Err(Divergence(
                        "the recording opens the connection twice".into(),
                    ));
                }
                let conn = open(&self.made, self.header.seed, time(*now)).map_err(|e| {
                    Divergence(format!("making the connection failed in the replay: {e}"))
                })?;
                self.conn = Some(conn);
            }
            Ev::Recv { now, data, result } => {
                let conn = self.conn(ev)?;
                let r = conn.handle_recv_bytes(data, time(*now));
                compare(
                    &format!("receiving {}", trace::count(data.len(), "byte", "bytes")),
                    result,
                    Outcome::of(r.as_ref().copied()),
                )?;
            }
            Ev::Timeout { now, result } => {
                let conn = self.conn(ev)?;
                let r = conn.handle_timeout(time(*now)).map(|()| 0u32);
                compare("a timeout check", result, Outcome::of(r.as_ref().copied()))?;
            }
            Ev::Transmitted { len, digest } => {
                let conn = self.conn(ev)?;
                let pending = conn.poll_transmit();
                let n = usize::try_from(*len).unwrap_or(usize::MAX);
                let Some(sent) = pending.get(..n) else {
                    return Err(Divergence(format!(
                        "the recorded connection sent {n} bytes here, the replay has {} to send",
                        pending.len()
                    )));
                };
                if sanstls_crypto::hash::sha256(sent) != *digest {
                    return Err(Divergence(format!(
                        "the replay sends different bytes than the recorded connection sent \
                         here ({})",
                        trace::count(n, "byte", "bytes")
                    )));
                }
                conn.handle_transmitted(n)
                    .map_err(|e| Divergence(format!("handle_transmitted failed: {e}")))?;
            }
            Ev::Send { data, result } => {
                let conn = self.conn(ev)?;
                let r = conn.send(data);
                compare(
                    &format!("sending {}", trace::count(data.len(), "byte", "bytes")),
                    result,
                    Outcome::of(r.as_ref().copied()),
                )?;
            }
            Ev::Read { len, result } => {
                let conn = self.conn(ev)?;
                let len = usize::try_from(*len).unwrap_or(usize::MAX);
                // What `read` with a buffer of `len` bytes does, without the buffer.
                let n = len.min(conn.app_data().len());
                let r = conn.consume(n).map(|()| n);
                compare("reading", result, Outcome::of(r.as_ref().copied()))?;
            }
            Ev::Consume { n, result } => {
                let conn = self.conn(ev)?;
                let r = conn
                    .consume(usize::try_from(*n).unwrap_or(usize::MAX))
                    .map(|()| 0u32);
                compare("consuming", result, Outcome::of(r.as_ref().copied()))?;
            }
            Ev::Close => {
                self.conn(ev)?.close();
                self.closed = true;
            }
            Ev::Events { count } => self.poll(Some(*count))?,
        }
        self.calls += 1;
        self.answers.check().map_err(Divergence)
    }

    /// The outcome lines.
    fn outcome(&self) -> String {
        let mut s = String::new();
        let Some(conn) = &self.conn else {
            s.push_str("connection: never made (the recording has no open event)\n");
            return s;
        };
        match conn.negotiated() {
            Some(n) => {
                let mut line = crate::server::one_line(n);
                if matches!(self.made, Made::Client(..)) {
                    // The peer's certificate is the server's.
                    line = line.replace(" client=", " server=");
                }
                let _ = writeln!(s, "handshake: complete, {line}");
            }
            None if conn.is_handshaking() => {
                let _ = writeln!(s, "handshake: not complete");
            }
            None => {
                let _ = writeln!(s, "handshake: failed");
            }
        }
        match conn.error() {
            Some(e) => {
                let alert = e
                    .alert()
                    .map(|a| format!(" (fatal alert {})", trace::alert_name(a)))
                    .unwrap_or_default();
                let _ = writeln!(s, "error: {e}{alert}");
            }
            None => {
                let _ = writeln!(s, "error: none");
            }
        }
        let peer = match self.peer_closed {
            Some(true) => "the peer sent close_notify",
            Some(false) => "the peer ended the transport without close_notify",
            None => "the peer did not close",
        };
        let own = if self.closed {
            "close_notify sent"
        } else {
            "no close_notify sent"
        };
        let _ = writeln!(s, "closed: {peer}; {own}");
        s
    }
}

/// Replays the recording `reader` reads (`name` for messages), or lists its events.
fn replay<R: Read>(
    mut reader: Reader<R>,
    name: &str,
    path: &Path,
    list: bool,
) -> Result<(), Failure> {
    let header = reader.header().map_err(|e| bad_file(path, &e))?;
    if list {
        return list_events(reader, &header, path);
    }
    let answers = Arc::new(Answers::default());
    let (made, known) = rebuild(&header, &answers)?;
    let local = match made {
        Made::Client(..) => Side::Client,
        Made::Server(_) => Side::Server,
    };
    let mut r = Replay {
        printer: trace::Printer::new(local, header.label.clone(), known),
        made,
        header,
        answers,
        conn: None,
        out: io::stdout().lock(),
        calls: 0,
        peer_closed: None,
        closed: false,
    };
    let intro = format!(
        "replay of {name}: {}{}\n--- trace\n",
        r.header.role.name(),
        if r.header.args.is_empty() {
            String::new()
        } else {
            format!(" {}", r.header.args.join(" "))
        }
    );
    r.print(&intro);
    let diverged = loop {
        let next = match reader.event() {
            Ok(n) => n,
            Err(e) => {
                let _ = r.out.flush();
                return Err(bad_file(path, &e));
            }
        };
        let Some((offset, ev)) = next else {
            // Answers after the last call: no call asked for them.
            break r
                .answers
                .check()
                .err()
                .map(|why| format!("the replay DIVERGED from the recording at its end: {why}"));
        };
        if let Err(Divergence(why)) = r.apply(&ev) {
            break Some(format!(
                "the replay DIVERGED from the recording at call {} ({} at byte {offset}): {why}",
                r.calls + 1,
                ev.name()
            ));
        }
    };
    if diverged.is_none() {
        // Events the recorded run never polled: they were not printed live.
        let before = r.calls;
        let mut rest = String::new();
        if let Some(conn) = r.conn.as_mut() {
            while let Some(ev) = conn.poll_event() {
                if let Event::PeerClosed { clean } = ev {
                    r.peer_closed = Some(clean);
                }
                if let Some(text) = r.printer.text(&ev) {
                    rest.push_str(&text);
                }
            }
        }
        if !rest.is_empty() {
            r.print("--- events the recorded run did not poll (not printed live)\n");
            r.print(&rest);
        }
        r.calls = before;
    }
    let mut end = String::from("--- outcome\n");
    end.push_str(&r.outcome());
    match &diverged {
        Some(why) => {
            let _ = writeln!(end, "replay: {why}");
        }
        None => {
            let _ = writeln!(
                end,
                "replay: identical to the recording ({})",
                trace::count(
                    usize::try_from(r.calls).unwrap_or(usize::MAX),
                    "call",
                    "calls"
                )
            );
        }
    }
    r.print(&end);
    let _ = r.out.flush();
    match diverged {
        Some(why) => Err(Failure::new(exit::TLS, why)),
        None => Ok(()),
    }
}

/// `--events`: one line per event, with its offset.
fn list_events<R: Read>(mut reader: Reader<R>, h: &Header, path: &Path) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    let _ = writeln!(
        out,
        "{}: {}, version {}, args: {}\ncwd: {}\nlabel: {:?}",
        path.display(),
        h.role.name(),
        format::VERSION,
        h.args.join(" "),
        h.cwd,
        h.label
    );
    while let Some((offset, ev)) = reader.event().map_err(|e| bad_file(path, &e))? {
        // The fixed part of a body before its data: now (8), outcome (5 or more).
        let detail = match &ev {
            Ev::Open { now } => format!("now={now}"),
            Ev::Recv { now, data, result } => format!(
                "now={now} {} at byte {} -> {result}",
                trace::count(data.len(), "byte", "bytes"),
                offset + 5 + 8 + outcome_len(result)
            ),
            Ev::Timeout { now, result } => format!("now={now} -> {result}"),
            Ev::Transmitted { len, .. } => format!("{len} bytes"),
            Ev::Send { data, result } => {
                format!("{} -> {result}", trace::count(data.len(), "byte", "bytes"))
            }
            Ev::Read { len, result } => format!("buffer {len} -> {result}"),
            Ev::Consume { n, result } => format!("{n} -> {result}"),
            Ev::Close => String::new(),
            Ev::Events { count } => format!("{count}"),
            Ev::Answer { answer, .. } => match answer {
                Some(a) => trace::count(a.len(), "byte", "bytes"),
                None => "none".into(),
            },
        };
        let _ = writeln!(out, "{offset:>8}  {:<20} {detail}", ev.name());
    }
    Ok(())
}

/// How many bytes `o` takes in an event body.
fn outcome_len(o: &Outcome) -> u64 {
    match o {
        Outcome::Ok(_) => 5,
        Outcome::Err(t) => 3 + t.len().min(1024) as u64,
    }
}
