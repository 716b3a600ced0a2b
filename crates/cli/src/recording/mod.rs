//! Recording connections (`client --record FILE`, `server --record DIR`) for `sanstls
//! replay`: what a connection's state depends on, written as it happens.
//!
//! A connection's state is a function of its configuration, the seed of its random
//! generator, the time it was made at, and the calls made into it (bytes received with
//! their times, timeouts, bytes sent, application data read, close), plus the answers
//! it got from the configuration's session store and ticketer (which hold state of
//! the process, not of the connection). The [`Tape`] gets all of these in order: the
//! calls from the stream's call hook (`TlsStream::set_call_hook`), the answers from
//! wrappers around the store and the ticketer ([`Oracle`]), which find the tape of
//! the connection being served on the current thread ([`set_current`]).
//!
//! The format is in [`format`](mod@format) and docs/RECORDING.md.

pub(crate) mod format;

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use sanstls_crypto::rng::Rng as _;
use sanstls_proto::{SessionCache, StoresClientSessions, StoresServerSessions, Ticketer, UnixTime};
use sanstls_std::Call;
use zeroize::Zeroizing;

use format::{Ev, Header, Outcome, Question};

/// A fresh seed for a connection's generator, from the operating system.
///
/// `sanstls client` and `sanstls server` always make their connections from such a
/// seed (with `SeededRng::from_seed`), recording or not: the connection draws its own
/// generator's seed from it either way, so `--record` changes nothing but the file.
pub(crate) fn fresh_seed() -> [u8; 32] {
    let mut seed = [0u8; 32];
    sanstls_std::os_rng().fill_bytes(&mut seed);
    seed
}

/// The arguments of the running command after its subcommand (`client`, `server`),
/// without `--record` and its value: what a replay parses again.
pub(crate) fn command_args() -> Vec<String> {
    let all: Vec<String> = std::env::args_os()
        .skip(2)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let mut out = Vec::new();
    let mut skip = false;
    for a in all {
        if skip {
            skip = false;
        } else if a == "--record" {
            skip = true;
        } else if !a.starts_with("--record=") {
            out.push(a);
        }
    }
    out
}

/// The working directory, as text (empty if unknown).
pub(crate) fn cwd() -> String {
    std::env::current_dir()
        .map(|d| d.display().to_string())
        .unwrap_or_default()
}

/// Milliseconds since 1970.
pub(crate) fn millis(t: UnixTime) -> u64 {
    t.as_millis()
}

/// A recording being written: to `PATH.part`, renamed to `PATH` when finished (a
/// recording that exists under its name is complete).
pub(crate) struct Tape {
    out: Option<BufWriter<File>>,
    part: PathBuf,
    path: PathBuf,
    /// The first write error (the tape stops writing at it).
    error: Option<std::io::Error>,
}

/// A tape shared by the stream's call hook and the store wrappers.
pub(crate) type SharedTape = Arc<Mutex<Tape>>;

impl Tape {
    /// Creates `path` (as `path.part` until finished) and writes the header (mode
    /// 0600: a recording lets anyone decrypt the connection).
    pub(crate) fn create(path: &Path, header: &Header) -> Result<SharedTape, String> {
        let mut part = path.as_os_str().to_owned();
        part.push(".part");
        let part = PathBuf::from(part);
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let file = opts
            .open(&part)
            .map_err(|e| format!("cannot create the recording {}: {e}", part.display()))?;
        let mut out = BufWriter::new(file);
        out.write_all(&format::encode_header(header))
            .map_err(|e| format!("cannot write the recording {}: {e}", part.display()))?;
        Ok(Arc::new(Mutex::new(Tape {
            out: Some(out),
            part,
            path: path.to_path_buf(),
            error: None,
        })))
    }

    /// Appends `ev` (after a write error, nothing).
    pub(crate) fn event(&mut self, ev: &Ev) {
        if let Some(out) = &mut self.out
            && let Err(e) = format::write_event(out, ev)
        {
            self.error = Some(e);
            self.out = None;
        }
    }

    /// Flushes the file and gives it its name; returns the path, or what went wrong.
    /// Later events are dropped.
    pub(crate) fn finish(&mut self) -> Result<PathBuf, String> {
        let Some(mut out) = self.out.take() else {
            return Err(match &self.error {
                Some(e) => format!("writing the recording {} failed: {e}", self.part.display()),
                None => format!("the recording {} was already finished", self.path.display()),
            });
        };
        out.flush()
            .and_then(|()| std::fs::rename(&self.part, &self.path))
            .map_err(|e| format!("writing the recording {} failed: {e}", self.path.display()))?;
        Ok(self.path.clone())
    }
}

/// Appends `ev` to a shared tape.
pub(crate) fn append(tape: &SharedTape, ev: &Ev) {
    tape.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .event(ev);
}

/// Finishes a shared tape and says so on stderr (`prefix` starts the line).
pub(crate) fn finish(tape: &SharedTape, prefix: &str) {
    match tape.lock().unwrap_or_else(PoisonError::into_inner).finish() {
        Ok(path) => eprintln!("{prefix}recorded to {}", path.display()),
        Err(e) => eprintln!("{prefix}{e}"),
    }
}

/// A recording event for a call the stream made.
pub(crate) fn event_of(call: &Call<'_>) -> Option<Ev> {
    Some(match call {
        Call::Recv { data, now, result } => Ev::Recv {
            now: millis(*now),
            data: data.to_vec(),
            result: Outcome::of(result.map(|()| data.len())),
        },
        Call::Timeout { now, result } => Ev::Timeout {
            now: millis(*now),
            result: Outcome::of(result.map(|()| 0u32)),
        },
        Call::Transmitted { data } => Ev::Transmitted {
            len: u32::try_from(data.len()).unwrap_or(u32::MAX),
            digest: sanstls_crypto::hash::sha256(data),
        },
        Call::Send { data, result } => Ev::Send {
            data: data.to_vec(),
            result: Outcome::of(*result),
        },
        Call::Read { len, result } => Ev::Read {
            len: u32::try_from(*len).unwrap_or(u32::MAX),
            result: Outcome::of(*result),
        },
        Call::Close => Ev::Close,
        Call::Events { count } => Ev::Events {
            count: u32::try_from(*count).unwrap_or(u32::MAX),
        },
        _ => return None,
    })
}

/// The stream's call hook that writes every call to `tape`.
pub(crate) fn call_hook(tape: SharedTape) -> sanstls_std::CallHook {
    Box::new(move |call| {
        if let Some(ev) = event_of(&call) {
            append(&tape, &ev);
        }
    })
}

thread_local! {
    /// The tape of the connection this thread is making or serving, for [`Oracle`].
    static CURRENT: RefCell<Option<SharedTape>> = const { RefCell::new(None) };
}

/// Makes `tape` the current thread's (`None`: no recording).
pub(crate) fn set_current(tape: Option<SharedTape>) {
    CURRENT.with(|c| *c.borrow_mut() = tape);
}

fn record_answer(question: Question, answer: Option<&[u8]>) {
    CURRENT.with(|c| {
        if let Some(tape) = &*c.borrow() {
            append(
                tape,
                &Ev::Answer {
                    question,
                    answer: answer.map(<[u8]>::to_vec),
                },
            );
        }
    });
}

/// The most answers a replay queues for one call (a call asks a few questions at most:
/// a hostile recording must not make the queue grow without bound).
pub(crate) const MAX_ANSWERS: usize = 16;

/// Answers recorded for a replay, in order, and the first question asked that did not
/// match them.
#[derive(Default)]
pub(crate) struct Answers {
    queue: Mutex<Queue>,
}

/// The answers not yet given, and the first mismatch.
type Queue = (VecDeque<(Question, Option<Vec<u8>>)>, Option<String>);

impl Answers {
    /// Queues the recorded answer to the next `question`; false (and nothing queued)
    /// when [`MAX_ANSWERS`] wait already.
    pub(crate) fn push(&self, question: Question, answer: Option<Vec<u8>>) -> bool {
        let mut q = self.lock();
        if q.0.len() >= MAX_ANSWERS {
            return false;
        }
        q.0.push_back((question, answer));
        true
    }

    /// After a call: answers it did not ask for, or a question the recording has no
    /// answer to (and clears both).
    pub(crate) fn check(&self) -> Result<(), String> {
        let mut q = self.lock();
        if let Some(e) = q.1.take() {
            q.0.clear();
            return Err(e);
        }
        if let Some((question, _)) = q.0.front() {
            let text = format!(
                "the recorded connection asked its {} here; the replay did not",
                question.name()
            );
            q.0.clear();
            return Err(text);
        }
        Ok(())
    }

    fn answer(&self, question: Question) -> Option<Vec<u8>> {
        let mut q = self.lock();
        match q.0.pop_front() {
            Some((asked, a)) if asked == question => a,
            Some((asked, _)) => {
                q.1.get_or_insert_with(|| {
                    format!(
                        "the replay asked its {} where the recorded connection asked its {}",
                        question.name(),
                        asked.name()
                    )
                });
                None
            }
            None => {
                q.1.get_or_insert_with(|| {
                    format!(
                        "the replay asked its {} where the recorded connection asked \
                         nothing",
                        question.name()
                    )
                });
                None
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Where a store or ticketer wrapper gets its answers.
#[derive(Clone)]
pub(crate) enum Mode {
    /// From the real store, recording them on the current thread's tape if it has
    /// one.
    Record,
    /// From a recording.
    Replay(Arc<Answers>),
}

/// A session store or ticketer whose answers are recorded, or replayed.
pub(crate) struct Oracle<T: ?Sized> {
    pub mode: Mode,
    pub inner: Arc<T>,
}

impl<T: ?Sized> Oracle<T> {
    fn ask(&self, question: Question, live: impl FnOnce(&T) -> Option<Vec<u8>>) -> Option<Vec<u8>> {
        match &self.mode {
            Mode::Record => {
                let a = live(&self.inner);
                record_answer(question, a.as_deref());
                a
            }
            Mode::Replay(answers) => answers.answer(question),
        }
    }
}

impl StoresClientSessions for Oracle<SessionCache> {
    fn put(&self, server_name: &str, session: &[u8]) {
        if matches!(self.mode, Mode::Record) {
            StoresClientSessions::put(&*self.inner, server_name, session);
        }
    }
    fn get(&self, server_name: &str) -> Option<Zeroizing<Vec<u8>>> {
        self.ask(Question::ClientGet, |s| {
            StoresClientSessions::get(s, server_name).map(|z| z.to_vec())
        })
        .map(Zeroizing::new)
    }
    fn remove(&self, server_name: &str) {
        if matches!(self.mode, Mode::Record) {
            StoresClientSessions::remove(&*self.inner, server_name);
        }
    }
}

impl StoresServerSessions for Oracle<SessionCache> {
    fn put(&self, id: &[u8], session: &[u8]) -> bool {
        self.ask(Question::ServerPut, |s| {
            Some(vec![u8::from(StoresServerSessions::put(s, id, session))])
        })
        .is_some_and(|a| a == [1])
    }
    fn get(&self, id: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        self.ask(Question::ServerGet, |s| {
            StoresServerSessions::get(s, id).map(|z| z.to_vec())
        })
        .map(Zeroizing::new)
    }
    fn take(&self, id: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        self.ask(Question::ServerTake, |s| {
            StoresServerSessions::take(s, id).map(|z| z.to_vec())
        })
        .map(Zeroizing::new)
    }
}

impl Ticketer for Oracle<dyn Ticketer> {
    fn lifetime(&self) -> Duration {
        self.inner.lifetime()
    }
    fn encrypt(&self, state: &[u8], now: UnixTime) -> Option<Vec<u8>> {
        self.ask(Question::TicketEncrypt, |t| t.encrypt(state, now))
    }
    fn decrypt(&self, ticket: &[u8], now: UnixTime) -> Option<Zeroizing<Vec<u8>>> {
        self.ask(Question::TicketDecrypt, |t| {
            t.decrypt(ticket, now).map(|z| z.to_vec())
        })
        .map(Zeroizing::new)
    }
}
