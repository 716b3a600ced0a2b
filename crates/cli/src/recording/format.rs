//! The recording file format (docs/RECORDING.md): a header, then tagged events, every
//! integer big-endian, every length bounded before anything is allocated for it.
//!
//! The reader takes untrusted files: a truncated or garbled file is an [`FormatError`]
//! naming the byte offset, never a panic, and no event makes it allocate more than
//! [`MAX_EVENT`] bytes.

use std::fmt;
use std::io::{self, Read, Write};

/// The first 8 bytes of every recording.
pub(crate) const MAGIC: &[u8; 8] = b"STLS-REC";
/// The format version this build writes and reads.
pub(crate) const VERSION: u8 = 1;
/// The longest event body (1 MiB): far above any real one (a received chunk is at most
/// a receive buffer, 16 KiB and a header; a send at most a transmit buffer).
pub(crate) const MAX_EVENT: usize = 1 << 20;
/// The most arguments a header may hold.
pub(crate) const MAX_ARGS: usize = 256;
/// The longest error text stored with a result.
const MAX_TEXT: usize = 1024;

/// Which connection a recording holds, and so how the replay rebuilds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// `sanstls client`: the arguments are its command line.
    Client,
    /// `sanstls server`: the arguments are its command line.
    Server,
    /// The `proto_client` fuzz target's client (its fixed configuration).
    FuzzClient,
    /// The `proto_server` fuzz target's server.
    FuzzServer,
}

impl Role {
    fn code(self) -> u8 {
        match self {
            Role::Client => 1,
            Role::Server => 2,
            Role::FuzzClient => 3,
            Role::FuzzServer => 4,
        }
    }

    fn from_code(c: u8) -> Option<Self> {
        Some(match c {
            1 => Role::Client,
            2 => Role::Server,
            3 => Role::FuzzClient,
            4 => Role::FuzzServer,
            _ => return None,
        })
    }

    /// For messages: "sanstls client", "fuzz target proto_server", ...
    pub(crate) fn name(self) -> &'static str {
        match self {
            Role::Client => "sanstls client",
            Role::Server => "sanstls server",
            Role::FuzzClient => "fuzz target proto_client",
            Role::FuzzServer => "fuzz target proto_server",
        }
    }
}

/// What a recording starts with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Header {
    pub role: Role,
    /// The seed of the connection's random generator (`SeededRng::from_seed`).
    pub seed: [u8; 32],
    /// The command's arguments after `client` or `server`, without `--record`.
    pub args: Vec<String>,
    /// The working directory the command ran in (relative paths in `args` are
    /// relative to it).
    pub cwd: String,
    /// What the live run's trace lines started with (the server's `[#1 ADDR] `).
    pub label: String,
}

/// What a call into the connection returned: a count (0 for calls without one), or an
/// error (its text, for comparing and for messages).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Ok(u32),
    Err(String),
}

impl Outcome {
    /// From a call's result (counts saturate at `u32::MAX`: never near in practice).
    pub(crate) fn of<T: Copy + TryInto<u32>>(r: Result<T, &sanstls_proto::Error>) -> Self {
        match r {
            Ok(n) => Outcome::Ok(n.try_into().unwrap_or(u32::MAX)),
            Err(e) => Outcome::Err(e.to_string()),
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Ok(n) => write!(f, "Ok({n})"),
            Outcome::Err(e) => write!(f, "error \"{e}\""),
        }
    }
}

/// A question the connection asked its configuration's session store or ticketer,
/// whose answer a recording keeps (the live stores and ticket keys are not in it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Question {
    /// A client's `StoresClientSessions::get`.
    ClientGet,
    /// A server's `StoresServerSessions::get`.
    ServerGet,
    /// A server's `StoresServerSessions::take`.
    ServerTake,
    /// A server's `StoresServerSessions::put` (the answer: one byte, kept or not).
    ServerPut,
    /// `Ticketer::encrypt`.
    TicketEncrypt,
    /// `Ticketer::decrypt`.
    TicketDecrypt,
}

impl Question {
    fn tag(self) -> u8 {
        match self {
            Question::ClientGet => 16,
            Question::ServerGet => 17,
            Question::ServerTake => 18,
            Question::ServerPut => 19,
            Question::TicketEncrypt => 20,
            Question::TicketDecrypt => 21,
        }
    }

    fn from_tag(t: u8) -> Option<Self> {
        Some(match t {
            16 => Question::ClientGet,
            17 => Question::ServerGet,
            18 => Question::ServerTake,
            19 => Question::ServerPut,
            20 => Question::TicketEncrypt,
            21 => Question::TicketDecrypt,
            _ => return None,
        })
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Question::ClientGet => "session store get",
            Question::ServerGet => "session cache get",
            Question::ServerTake => "session cache take",
            Question::ServerPut => "session cache put",
            Question::TicketEncrypt => "ticket encrypt",
            Question::TicketDecrypt => "ticket decrypt",
        }
    }
}

/// One event of a recording: a call into the connection with its inputs and what it
/// returned, or the answer to a question the next call asks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Ev {
    /// The connection was made at `now` (milliseconds since 1970).
    Open { now: u64 },
    /// `handle_recv_bytes(data, now)` (empty `data`: end of file).
    Recv {
        now: u64,
        data: Vec<u8>,
        result: Outcome,
    },
    /// `handle_timeout(now)`.
    Timeout { now: u64, result: Outcome },
    /// `handle_transmitted(len)`, the SHA-256 of those bytes.
    Transmitted { len: u32, digest: [u8; 32] },
    /// `send(data)`.
    Send { data: Vec<u8>, result: Outcome },
    /// `read` with a buffer of `len` bytes.
    Read { len: u32, result: Outcome },
    /// `consume(n)`.
    Consume { n: u32, result: Outcome },
    /// `close()`.
    Close,
    /// `count` events polled.
    Events { count: u32 },
    /// The answer the live run got to `question` during the next call.
    Answer {
        question: Question,
        answer: Option<Vec<u8>>,
    },
}

impl Ev {
    /// The event's name for listings and messages.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Ev::Open { .. } => "open",
            Ev::Recv { data, .. } if data.is_empty() => "recv eof",
            Ev::Recv { .. } => "recv",
            Ev::Timeout { .. } => "timeout",
            Ev::Transmitted { .. } => "transmitted",
            Ev::Send { .. } => "send",
            Ev::Read { .. } => "read",
            Ev::Consume { .. } => "consume",
            Ev::Close => "close",
            Ev::Events { .. } => "events",
            Ev::Answer { question, .. } => question.name(),
        }
    }
}

// ---- Writing ---------------------------------------------------------------------------

fn put_str(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    let b = &b[..b.len().min(usize::from(u16::MAX))];
    out.extend_from_slice(&(b.len() as u16).to_be_bytes());
    out.extend_from_slice(b);
}

fn put_outcome(out: &mut Vec<u8>, o: &Outcome) {
    match o {
        Outcome::Ok(n) => {
            out.push(0);
            out.extend_from_slice(&n.to_be_bytes());
        }
        Outcome::Err(text) => {
            out.push(1);
            let mut t = text.as_str();
            while t.len() > MAX_TEXT {
                // Cut at a character boundary.
                let mut cut = MAX_TEXT;
                while !t.is_char_boundary(cut) {
                    cut -= 1;
                }
                t = &t[..cut];
            }
            put_str(out, t);
        }
    }
}

/// The header's bytes.
pub(crate) fn encode_header(h: &Header) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    out.push(h.role.code());
    out.extend_from_slice(&h.seed);
    let args = &h.args[..h.args.len().min(MAX_ARGS)];
    out.extend_from_slice(&(args.len() as u16).to_be_bytes());
    for a in args {
        put_str(&mut out, a);
    }
    put_str(&mut out, &h.cwd);
    put_str(&mut out, &h.label);
    out
}

/// An event's bytes: tag, body length (u32), body.
pub(crate) fn encode_event(ev: &Ev) -> Vec<u8> {
    let mut body = Vec::new();
    let tag = match ev {
        Ev::Open { now } => {
            body.extend_from_slice(&now.to_be_bytes());
            1
        }
        Ev::Recv { now, data, result } => {
            body.extend_from_slice(&now.to_be_bytes());
            put_outcome(&mut body, result);
            body.extend_from_slice(data);
            2
        }
        Ev::Timeout { now, result } => {
            body.extend_from_slice(&now.to_be_bytes());
            put_outcome(&mut body, result);
            3
        }
        Ev::Transmitted { len, digest } => {
            body.extend_from_slice(&len.to_be_bytes());
            body.extend_from_slice(digest);
            4
        }
        Ev::Send { data, result } => {
            put_outcome(&mut body, result);
            body.extend_from_slice(data);
            5
        }
        Ev::Read { len, result } => {
            body.extend_from_slice(&len.to_be_bytes());
            put_outcome(&mut body, result);
            6
        }
        Ev::Consume { n, result } => {
            body.extend_from_slice(&n.to_be_bytes());
            put_outcome(&mut body, result);
            7
        }
        Ev::Close => 8,
        Ev::Events { count } => {
            body.extend_from_slice(&count.to_be_bytes());
            9
        }
        Ev::Answer { question, answer } => {
            match answer {
                Some(a) => {
                    body.push(1);
                    body.extend_from_slice(a);
                }
                None => body.push(0),
            }
            question.tag()
        }
    };
    let mut out = Vec::with_capacity(5 + body.len());
    out.push(tag);
    out.extend_from_slice(&(body.len() as u32).to_be_bytes());
    out.extend_from_slice(&body);
    out
}

/// Writes `ev`; a body longer than [`MAX_EVENT`] (which the reader would refuse) is an
/// error.
pub(crate) fn write_event(out: &mut impl Write, ev: &Ev) -> io::Result<()> {
    let bytes = encode_event(ev);
    if bytes.len() > 5 + MAX_EVENT {
        return Err(io::Error::other(format!(
            "a {} event of {} bytes is longer than a recording allows",
            ev.name(),
            bytes.len()
        )));
    }
    out.write_all(&bytes)
}

// ---- Reading ---------------------------------------------------------------------------

/// Why a recording cannot be read.
#[derive(Debug)]
pub(crate) enum FormatError {
    /// Not a recording, or another version.
    NotARecording(String),
    /// The file ends inside the header or an event.
    Truncated { offset: u64, what: String },
    /// A field has a value no writer produces.
    Garbled { offset: u64, what: String },
    /// The file cannot be read.
    Io(io::Error),
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::NotARecording(why) => write!(f, "not a sanstls recording: {why}"),
            FormatError::Truncated { offset, what } => write!(
                f,
                "the recording is truncated: it ends at byte {offset}, inside {what}"
            ),
            FormatError::Garbled { offset, what } => {
                write!(f, "the recording is damaged at byte {offset}: {what}")
            }
            FormatError::Io(e) => write!(f, "reading the recording failed: {e}"),
        }
    }
}

/// Reads a recording event by event.
pub(crate) struct Reader<R> {
    inner: R,
    /// Bytes read so far.
    offset: u64,
}

impl<R: Read> Reader<R> {
    pub(crate) fn new(inner: R) -> Self {
        Reader { inner, offset: 0 }
    }

    /// Exactly `buf.len()` bytes; `what` names them for a truncation. Returns false at
    /// the end of the file before the first byte (only when `eof_ok`).
    fn fill(&mut self, buf: &mut [u8], what: &str, eof_ok: bool) -> Result<bool, FormatError> {
        let mut got = 0;
        while got < buf.len() {
            match self.inner.read(&mut buf[got..]) {
                Ok(0) if got == 0 && eof_ok => return Ok(false),
                Ok(0) => {
                    return Err(FormatError::Truncated {
                        offset: self.offset,
                        what: what.to_string(),
                    });
                }
                Ok(n) => {
                    got += n;
                    self.offset += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(FormatError::Io(e)),
            }
        }
        Ok(true)
    }

    fn bytes<const N: usize>(&mut self, what: &str) -> Result<[u8; N], FormatError> {
        let mut b = [0u8; N];
        self.fill(&mut b, what, false)?;
        Ok(b)
    }

    fn string(&mut self, what: &str) -> Result<String, FormatError> {
        let len = u16::from_be_bytes(self.bytes(what)?);
        let at = self.offset;
        let mut b = vec![0u8; usize::from(len)];
        self.fill(&mut b, what, false)?;
        String::from_utf8(b).map_err(|_| FormatError::Garbled {
            offset: at,
            what: format!("{what} is not UTF-8"),
        })
    }

    /// The header.
    pub(crate) fn header(&mut self) -> Result<Header, FormatError> {
        let mut magic = [0u8; 8];
        let mut got = 0;
        while got < magic.len() {
            match self.inner.read(&mut magic[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(FormatError::Io(e)),
            }
        }
        self.offset = got as u64;
        if got < magic.len() || &magic != MAGIC {
            return Err(FormatError::NotARecording(format!(
                "it does not start with {:?}",
                String::from_utf8_lossy(MAGIC)
            )));
        }
        let [version] = self.bytes::<1>("the header (version)")?;
        if version != VERSION {
            return Err(FormatError::NotARecording(format!(
                "format version {version}; this sanstls reads version {VERSION}"
            )));
        }
        let at = self.offset;
        let [role] = self.bytes::<1>("the header (role)")?;
        let role = Role::from_code(role).ok_or_else(|| FormatError::Garbled {
            offset: at,
            what: format!("unknown role {role}"),
        })?;
        let seed = self.bytes::<32>("the header (seed)")?;
        let at = self.offset;
        let n = usize::from(u16::from_be_bytes(self.bytes("the header (arguments)")?));
        if n > MAX_ARGS {
            return Err(FormatError::Garbled {
                offset: at,
                what: format!("{n} arguments (at most {MAX_ARGS})"),
            });
        }
        let mut args = Vec::with_capacity(n);
        let mut total = 0;
        for _ in 0..n {
            let at = self.offset;
            let arg = self.string("the header (an argument)")?;
            total += arg.len();
            if total > MAX_EVENT {
                return Err(FormatError::Garbled {
                    offset: at,
                    what: format!("arguments longer than {MAX_EVENT} bytes in all"),
                });
            }
            args.push(arg);
        }
        let cwd = self.string("the header (working directory)")?;
        let label = self.string("the header (label)")?;
        Ok(Header {
            role,
            seed,
            args,
            cwd,
            label,
        })
    }

    /// The next event and its offset, or `None` at the end of the file.
    pub(crate) fn event(&mut self) -> Result<Option<(u64, Ev)>, FormatError> {
        let start = self.offset;
        let mut tag = [0u8; 1];
        if !self.fill(&mut tag, "an event", true)? {
            return Ok(None);
        }
        let len = u32::from_be_bytes(self.bytes("an event's length")?);
        let len = usize::try_from(len).unwrap_or(usize::MAX);
        if len > MAX_EVENT {
            return Err(FormatError::Garbled {
                offset: start,
                what: format!("an event of {len} bytes (at most {MAX_EVENT})"),
            });
        }
        let mut body = vec![0u8; len];
        self.fill(&mut body, "an event's body", false)?;
        let garbled = |what: String| FormatError::Garbled {
            offset: start,
            what,
        };
        let ev =
            parse_body(tag[0], &body).map_err(|w| garbled(format!("event tag {}: {w}", tag[0])))?;
        Ok(Some((start, ev)))
    }
}

/// A cursor over an event body.
struct Body<'a>(&'a [u8]);

impl<'a> Body<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.0.len() < n {
            return Err("the body is too short".into());
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self) -> Result<u64, String> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_be_bytes(a))
    }
    fn outcome(&mut self) -> Result<Outcome, String> {
        match self.u8()? {
            0 => Ok(Outcome::Ok(self.u32()?)),
            1 => {
                let b = self.take(2)?;
                let len = usize::from(u16::from_be_bytes([b[0], b[1]]));
                let text = self.take(len)?;
                String::from_utf8(text.to_vec())
                    .map(Outcome::Err)
                    .map_err(|_| "an error text is not UTF-8".into())
            }
            s => Err(format!("result status {s}")),
        }
    }
    fn end(&self) -> Result<(), String> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(format!("{} bytes too many", self.0.len()))
        }
    }
}

fn parse_body(tag: u8, body: &[u8]) -> Result<Ev, String> {
    let mut b = Body(body);
    let ev = match tag {
        1 => Ev::Open { now: b.u64()? },
        2 => {
            let now = b.u64()?;
            let result = b.outcome()?;
            let data = std::mem::take(&mut b.0).to_vec();
            Ev::Recv { now, data, result }
        }
        3 => Ev::Timeout {
            now: b.u64()?,
            result: b.outcome()?,
        },
        4 => {
            let len = b.u32()?;
            let mut digest = [0u8; 32];
            digest.copy_from_slice(b.take(32)?);
            Ev::Transmitted { len, digest }
        }
        5 => {
            let result = b.outcome()?;
            let data = std::mem::take(&mut b.0).to_vec();
            Ev::Send { data, result }
        }
        6 => Ev::Read {
            len: b.u32()?,
            result: b.outcome()?,
        },
        7 => Ev::Consume {
            n: b.u32()?,
            result: b.outcome()?,
        },
        8 => Ev::Close,
        9 => Ev::Events { count: b.u32()? },
        t => {
            let question = Question::from_tag(t).ok_or("unknown tag")?;
            let answer = match b.u8()? {
                0 => None,
                1 => Some(std::mem::take(&mut b.0).to_vec()),
                p => return Err(format!("answer flag {p}")),
            };
            Ev::Answer { question, answer }
        }
    };
    b.end()?;
    Ok(ev)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (Header, Vec<Ev>) {
        let h = Header {
            role: Role::Server,
            seed: [7; 32],
            args: vec!["--cert".into(), "a b.pem".into()],
            cwd: "/tmp".into(),
            label: "[#1 127.0.0.1:5] ".into(),
        };
        let evs = vec![
            Ev::Answer {
                question: Question::ClientGet,
                answer: None,
            },
            Ev::Open { now: 1 },
            Ev::Recv {
                now: 2,
                data: vec![22, 3, 3],
                result: Outcome::Ok(3),
            },
            Ev::Timeout {
                now: 3,
                result: Outcome::Err("handshake timed out".into()),
            },
            Ev::Transmitted {
                len: 9,
                digest: [1; 32],
            },
            Ev::Send {
                data: b"hi".to_vec(),
                result: Outcome::Ok(2),
            },
            Ev::Read {
                len: 100,
                result: Outcome::Ok(0),
            },
            Ev::Consume {
                n: 0,
                result: Outcome::Ok(0),
            },
            Ev::Close,
            Ev::Events { count: 4 },
            Ev::Answer {
                question: Question::TicketEncrypt,
                answer: Some(vec![9; 40]),
            },
        ];
        (h, evs)
    }

    fn encode(h: &Header, evs: &[Ev]) -> Vec<u8> {
        let mut out = encode_header(h);
        for e in evs {
            write_event(&mut out, e).unwrap();
        }
        out
    }

    fn read_all(bytes: &[u8]) -> Result<(Header, Vec<Ev>), FormatError> {
        let mut r = Reader::new(bytes);
        let h = r.header()?;
        let mut evs = Vec::new();
        while let Some((_, e)) = r.event()? {
            evs.push(e);
        }
        Ok((h, evs))
    }

    #[test]
    fn round_trip() {
        let (h, evs) = sample();
        let bytes = encode(&h, &evs);
        let (h2, evs2) = read_all(&bytes).unwrap();
        assert_eq!(h, h2);
        assert_eq!(evs, evs2);
    }

    #[test]
    fn every_truncation_and_damage_is_an_error_not_a_panic() {
        let (h, evs) = sample();
        let bytes = encode(&h, &evs);
        let header_len = encode_header(&h).len();
        let mut ends = vec![header_len];
        let mut at = header_len;
        for e in &evs {
            at += encode_event(e).len();
            ends.push(at);
        }
        for n in 0..bytes.len() {
            let r = read_all(&bytes[..n]);
            if ends.contains(&n) {
                assert!(r.is_ok(), "{n}");
            } else {
                assert!(r.is_err(), "{n}");
            }
        }
        // Every single byte flipped: an error or another valid file, never a panic.
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0xff;
            let _ = read_all(&b);
        }
        // A huge length is refused before anything is allocated for it.
        let mut huge = encode_header(&h);
        huge.extend_from_slice(&[2, 0xff, 0xff, 0xff, 0xff]);
        let e = read_all(&huge).unwrap_err();
        assert!(e.to_string().contains("at most"), "{e}");
    }
}
