//! The server's connection slots: at most `--max-connections` connections are served
//! at once, and when all slots are taken a stalled connection makes room for a new one.
//!
//! Each connection reports its progress (the handshake completed, application data
//! arrived, an answer was written) to its [`Tracker`]. When every slot is taken and a
//! new connection has been accepted, the connection that has made no progress for the
//! longest time is closed to make room for it, if that is at least [`PRESSURE_GRACE`]
//! (an idle client, a handshake that does not advance, a peer that does not read).
//! While every connection makes progress, the new one waits (and the kernel's accept
//! queue holds the ones behind it) until a connection closes.

use std::collections::HashMap;
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::trace::count;

/// How long a connection must have made no progress before it may be closed to make
/// room for a new one when all slots are taken. Below every connection's own bounds
/// (`--handshake-timeout` and the others close it anyway), so that a server full of
/// stalled connections serves a new client within a few seconds.
pub(crate) const PRESSURE_GRACE: Duration = Duration::from_secs(5);

/// What a connection is doing, for the log line of a connection closed to make room.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Phase {
    /// The TLS handshake runs.
    Handshake = 0,
    /// Waiting for the client's next data.
    Waiting = 1,
    /// Waiting for the rest of an HTTP request head.
    Request = 2,
    /// Writing an answer to the client.
    Writing = 3,
}

impl Phase {
    fn from_u8(v: u8) -> Phase {
        match v {
            0 => Phase::Handshake,
            1 => Phase::Waiting,
            2 => Phase::Request,
            _ => Phase::Writing,
        }
    }

    /// What the connection was doing, for a sentence ("in the handshake").
    pub(crate) fn doing(self) -> &'static str {
        match self {
            Phase::Handshake => "in the handshake",
            Phase::Waiting => "waiting for data",
            Phase::Request => "waiting for the rest of an HTTP request",
            Phase::Writing => "writing to a peer that does not read",
        }
    }
}

/// One connection's progress, shared by its thread and the accept loop.
pub(crate) struct Tracker {
    /// A handle on the connection's socket, to shut it down when it is closed to make
    /// room (its thread's blocked read or write then returns at once).
    sock: TcpStream,
    /// When the connection last made progress, in milliseconds since `epoch`.
    progress_ms: AtomicU64,
    phase: AtomicU8,
    /// Set when the accept loop closed it to make room.
    evicted: AtomicBool,
    /// How long it had made no progress when it was closed to make room (ms).
    evicted_after_ms: AtomicU64,
    epoch: Instant,
}

impl Tracker {
    fn ms(&self, at: Instant) -> u64 {
        u64::try_from(at.saturating_duration_since(self.epoch).as_millis()).unwrap_or(u64::MAX)
    }

    /// The connection made progress and is now in `phase`.
    pub(crate) fn progress(&self, phase: Phase) {
        self.progress_ms
            .store(self.ms(Instant::now()), Ordering::Relaxed);
        self.set_phase(phase);
    }

    /// The connection is now in `phase` (without progress).
    pub(crate) fn set_phase(&self, phase: Phase) {
        self.phase.store(phase as u8, Ordering::Relaxed);
    }

    /// How long the connection has made no progress.
    fn stalled(&self, now: Instant) -> Duration {
        Duration::from_millis(
            self.ms(now)
                .saturating_sub(self.progress_ms.load(Ordering::Relaxed)),
        )
    }

    /// When the accept loop closed the connection to make room: how long it had made
    /// no progress, and what it was doing.
    pub(crate) fn evicted(&self) -> Option<(Duration, Phase)> {
        self.evicted.load(Ordering::Acquire).then(|| {
            (
                Duration::from_millis(self.evicted_after_ms.load(Ordering::Relaxed)),
                Phase::from_u8(self.phase.load(Ordering::Relaxed)),
            )
        })
    }

    fn evict(&self, stalled: Duration) {
        self.evicted_after_ms.store(
            u64::try_from(stalled.as_millis()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
        self.evicted.store(true, Ordering::Release);
        let _ = self.sock.shutdown(Shutdown::Both);
    }
}

/// The open connections.
pub(crate) struct Slots {
    open: Mutex<HashMap<u64, Arc<Tracker>>>,
    freed: Condvar,
    epoch: Instant,
    /// [`PRESSURE_GRACE`] (shorter in tests).
    grace: Duration,
}

impl Slots {
    /// No connection yet; under pressure, connections stalled for `grace` make room.
    pub(crate) fn new(grace: Duration) -> Arc<Slots> {
        Arc::new(Slots {
            open: Mutex::new(HashMap::new()),
            freed: Condvar::new(),
            epoch: Instant::now(),
            grace,
        })
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Arc<Tracker>>> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes a slot for connection `id` (its socket: `sock`), waiting while all `max`
    /// are taken; closes the most stalled connection to make room when it has made no
    /// progress for the grace ([`PRESSURE_GRACE`]). Logs each time the connections
    /// reach the limit. Fails only when the socket cannot be duplicated for its tracker.
    pub(crate) fn take(
        self: &Arc<Self>,
        max: u32,
        id: u64,
        sock: &TcpStream,
    ) -> std::io::Result<Slot> {
        let max = usize::try_from(max).unwrap_or(usize::MAX);
        let now = Instant::now();
        let tracker = Arc::new(Tracker {
            sock: sock.try_clone()?,
            progress_ms: AtomicU64::new(0),
            phase: AtomicU8::new(Phase::Handshake as u8),
            evicted: AtomicBool::new(false),
            evicted_after_ms: AtomicU64::new(0),
            epoch: self.epoch,
        });
        tracker.progress(Phase::Handshake);
        let mut open = self.lock();
        while open.len() >= max {
            let now = Instant::now();
            // The connection stalled longest (not one already being closed).
            let victim = open
                .values()
                .filter(|t| !t.evicted.load(Ordering::Relaxed))
                .map(|t| (t.stalled(now), t))
                .max_by_key(|(stalled, _)| *stalled);
            let wait = match victim {
                Some((stalled, t)) if stalled >= self.grace => {
                    t.evict(stalled);
                    // Its thread frees the slot as it ends.
                    Duration::from_millis(200)
                }
                // Look again when the most stalled one may have reached the grace.
                Some((stalled, _)) => self
                    .grace
                    .saturating_sub(stalled)
                    .max(Duration::from_millis(20)),
                None => Duration::from_millis(200),
            };
            open = self
                .freed
                .wait_timeout(open, wait)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        // Progress counts from now: waiting for a slot is not the connection's fault.
        if now.elapsed() > Duration::from_millis(1) {
            tracker.progress(Phase::Handshake);
        }
        open.insert(id, Arc::clone(&tracker));
        if open.len() == max {
            // The accept loop stops here (with the next connection in hand).
            eprintln!(
                "{} open (--max-connections {max}): new connections wait until one \
                 closes, or until a stalled one is closed to make room",
                count(open.len(), "connection", "connections")
            );
        }
        Ok(Slot {
            slots: Arc::clone(self),
            id,
            tracker,
        })
    }
}

/// One open connection; dropping it (the connection's thread ends, or could not start)
/// frees the slot, also when the thread panics.
pub(crate) struct Slot {
    slots: Arc<Slots>,
    id: u64,
    tracker: Arc<Tracker>,
}

impl Slot {
    /// The connection's progress tracker.
    pub(crate) fn tracker(&self) -> &Tracker {
        &self.tracker
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.slots.lock();
        open.remove(&self.id);
        drop(open);
        self.slots.freed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    fn pair() -> (TcpStream, TcpStream) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let c = TcpStream::connect(l.local_addr().unwrap()).unwrap();
        let (s, _) = l.accept().unwrap();
        (c, s)
    }

    #[test]
    fn phases_round_trip() {
        for p in [
            Phase::Handshake,
            Phase::Waiting,
            Phase::Request,
            Phase::Writing,
        ] {
            assert_eq!(Phase::from_u8(p as u8), p);
        }
    }

    /// With one slot held by a connection that made no progress for the grace, a new
    /// connection evicts it: its socket is shut down and it knows why.
    #[test]
    fn a_stalled_connection_makes_room() {
        let slots = Slots::new(Duration::from_millis(300));
        let (mut c1, s1) = pair();
        let first = slots.take(1, 1, &s1).unwrap();
        first.tracker().progress(Phase::Waiting);
        let slots2 = Arc::clone(&slots);
        let (_c2, s2) = pair();
        let started = Instant::now();
        let taker = std::thread::spawn(move || slots2.take(1, 2, &s2).map(|s| s.id));
        // The first is evicted once its stall reaches the grace, then its owner drops
        // the slot.
        while first.tracker().evicted().is_none() {
            assert!(started.elapsed() < Duration::from_secs(20), "never evicted");
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(started.elapsed() >= Duration::from_millis(250));
        let (stalled, phase) = first.tracker().evicted().unwrap();
        assert_eq!(phase, Phase::Waiting);
        assert!(stalled >= Duration::from_millis(300), "{stalled:?}");
        // Its socket was shut down: the peer sees the end.
        let mut b = [0u8; 1];
        assert_eq!(std::io::Read::read(&mut c1, &mut b).unwrap(), 0);
        drop(first);
        assert_eq!(taker.join().unwrap().unwrap(), 2);
    }

    /// A connection that keeps making progress is not evicted.
    #[test]
    fn a_busy_connection_is_not_evicted() {
        let slots = Slots::new(Duration::from_millis(300));
        let (_c1, s1) = pair();
        let first = slots.take(1, 1, &s1).unwrap();
        let slots2 = Arc::clone(&slots);
        let (_c2, s2) = pair();
        let taker = std::thread::spawn(move || slots2.take(1, 2, &s2).map(|s| s.id));
        for _ in 0..60 {
            first.tracker().progress(Phase::Writing);
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(first.tracker().evicted().is_none());
        assert!(!taker.is_finished());
        drop(first);
        assert_eq!(taker.join().unwrap().unwrap(), 2);
    }
}
