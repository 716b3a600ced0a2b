//! The threads that serve connections: one per connection at a time, kept when their
//! connection ends and reused for the next one (a thread that waits longer than
//! [`KEEP_IDLE`] for work exits). Creating a thread, mapping its stack and unmapping it
//! were about a fifth of the server's CPU per resumed connection (17 of its 36 system
//! calls, measured with `strace -c -f` under `openssl s_time -reuse`); a kept thread
//! costs one channel message. How many run at once stays bounded by the connection
//! slots ([`super::slots`]): a thread is only asked for with a slot in hand.

use std::io;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

/// How long an idle thread waits for a connection before it exits.
pub(crate) const KEEP_IDLE: Duration = Duration::from_secs(30);

/// Work for a thread: serving one connection.
pub(crate) type Job = Box<dyn FnOnce() + Send>;

/// An idle thread: its number and where to send it work.
type Idle = (u64, Sender<Job>);

/// The threads waiting for work.
pub(crate) struct Workers {
    idle: Arc<Mutex<Vec<Idle>>>,
    keep: Duration,
    next: u64,
}

impl Workers {
    /// No threads yet; idle ones exit after `keep`.
    pub(crate) fn new(keep: Duration) -> Self {
        Workers {
            idle: Arc::new(Mutex::new(Vec::new())),
            keep,
            next: 0,
        }
    }

    /// How many threads wait for work.
    #[cfg(test)]
    pub(crate) fn idle(&self) -> usize {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Runs `job` on an idle thread, or on a new one if none waits.
    pub(crate) fn run(&mut self, job: Job) -> io::Result<()> {
        let mut job = job;
        // The most recently idle first: its stack is the warmest.
        loop {
            let next = self
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop();
            let Some((_, tx)) = next else { break };
            // Fails only if that thread has exited; the job comes back.
            match tx.send(job) {
                Ok(()) => return Ok(()),
                Err(e) => job = e.0,
            }
        }
        self.next += 1;
        let (me, idle, keep) = (self.next, Arc::clone(&self.idle), self.keep);
        thread::Builder::new()
            .name(format!("worker-{me}"))
            .spawn(move || work(me, job, &idle, keep))
            .map(drop)
    }
}

/// A thread's life: its first job, then whatever it is sent while it waits, until it
/// waits `keep` in vain.
fn work(me: u64, first: Job, idle: &Mutex<Vec<Idle>>, keep: Duration) {
    let (tx, rx) = mpsc::channel::<Job>();
    let mut job = first;
    loop {
        job();
        idle.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((me, tx.clone()));
        job = match rx.recv_timeout(keep) {
            Ok(next) => next,
            Err(RecvTimeoutError::Timeout) => {
                // Leave the idle list; if `run` took this thread from it meanwhile,
                // its job is on the way: take it.
                let mut list = idle.lock().unwrap_or_else(PoisonError::into_inner);
                if let Some(at) = list.iter().position(|(n, _)| *n == me) {
                    list.remove(at);
                    return;
                }
                drop(list);
                match rx.recv() {
                    Ok(next) => next,
                    Err(_) => return,
                }
            }
            Err(RecvTimeoutError::Disconnected) => return,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::channel;

    #[test]
    fn threads_are_reused_and_idle_ones_exit() {
        let mut w = Workers::new(Duration::from_millis(300));
        let (done, finished) = channel();
        // One job at a time: the same thread serves them all.
        let mut names = Vec::new();
        for _ in 0..5 {
            let done = done.clone();
            w.run(Box::new(move || {
                done.send(thread::current().name().map(str::to_owned))
                    .unwrap();
            }))
            .unwrap();
            names.push(finished.recv().unwrap());
            // Wait until it is back in the idle list.
            while w.idle() == 0 {
                thread::sleep(Duration::from_millis(1));
            }
        }
        assert!(names.iter().all(|n| n == &names[0]), "{names:?}");
        // Two at once: a second thread.
        let (go, wait) = channel::<()>();
        let wait = Arc::new(Mutex::new(wait));
        for _ in 0..2 {
            let (done, wait) = (done.clone(), Arc::clone(&wait));
            w.run(Box::new(move || {
                wait.lock().unwrap().recv().unwrap();
                done.send(thread::current().name().map(str::to_owned))
                    .unwrap();
            }))
            .unwrap();
        }
        go.send(()).unwrap();
        go.send(()).unwrap();
        let (a, b) = (finished.recv().unwrap(), finished.recv().unwrap());
        assert_ne!(a, b);
        while w.idle() < 2 {
            thread::sleep(Duration::from_millis(1));
        }
        // Idle past `keep`: both exit, and new work gets a new thread.
        thread::sleep(Duration::from_millis(600));
        assert_eq!(w.idle(), 0);
        let done2 = done.clone();
        w.run(Box::new(move || {
            done2
                .send(thread::current().name().map(str::to_owned))
                .unwrap();
        }))
        .unwrap();
        let c = finished.recv().unwrap();
        assert!(c != a && c != b, "{c:?}");
    }
}
