//! Server statistics for INFO.
//!
//! Counters on the command path are kept per worker thread: each thread only writes
//! its own, so counting costs no atomic read-modify-write and no cache-line sharing;
//! INFO sums all threads' counters.

use std::cell::OnceCell;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::LazyLock;

use parking_lot::Mutex;

/// A counter written by one thread and read by any.
#[derive(Default)]
pub struct Counter(AtomicU64);

impl Counter {
    pub fn add(&self, n: u64) {
        self.0.store(self.0.load(Relaxed).wrapping_add(n), Relaxed);
    }
    pub fn get(&self) -> u64 {
        self.0.load(Relaxed)
    }
    pub fn reset(&self) {
        self.0.store(0, Relaxed);
    }
}

/// Per-command counters (INFO commandstats).
#[derive(Default)]
pub struct CommandStats {
    pub calls: Counter,
    pub usec: Counter,
    pub rejected: Counter,
    pub failed: Counter,
}

/// One worker thread's counters.
pub struct ThreadStats {
    pub commands: Counter,
    pub hits: Counter,
    pub misses: Counter,
    pub net_in: Counter,
    pub net_out: Counter,
    pub per_command: Box<[CommandStats]>,
    /// Error replies by code (INFO errorstats).
    pub errors: Mutex<std::collections::HashMap<String, u64>>,
}

impl ThreadStats {
    pub fn keyspace(&self, hit: bool) {
        if hit {
            self.hits.add(1)
        } else {
            self.misses.add(1)
        }
    }

    /// The counters of command `id` (an index into the command table).
    pub fn command(&self, id: usize) -> &CommandStats {
        &self.per_command[id]
    }

    pub fn error(&self, reply: &[u8]) {
        let code = reply.split(|&c| c == b' ').next().unwrap_or(b"ERR");
        *self.errors.lock().entry(String::from_utf8_lossy(code).into_owned()).or_default() += 1;
    }

    fn reset(&self) {
        for c in [&self.commands, &self.hits, &self.misses, &self.net_in, &self.net_out] {
            c.reset();
        }
        for c in self.per_command.iter() {
            for x in [&c.calls, &c.usec, &c.rejected, &c.failed] {
                x.reset();
            }
        }
        self.errors.lock().clear();
    }
}

static ALL: LazyLock<Mutex<Vec<&'static ThreadStats>>> = LazyLock::new(Default::default);

thread_local! {
    static LOCAL: OnceCell<&'static ThreadStats> = const { OnceCell::new() };
}

/// This thread's counters. Created on first use and kept for the process's life
/// (threads that run commands are long-lived workers).
pub fn local() -> &'static ThreadStats {
    LOCAL.with(|l| {
        *l.get_or_init(|| {
            let s: &'static ThreadStats = Box::leak(Box::new(ThreadStats {
                commands: Counter::default(),
                hits: Counter::default(),
                misses: Counter::default(),
                net_in: Counter::default(),
                net_out: Counter::default(),
                per_command: (0..crate::commands::table().all.len())
                    .map(|_| CommandStats::default())
                    .collect(),
                errors: Default::default(),
            }));
            ALL.lock().push(s);
            s
        })
    })
}

/// Every thread's counters.
pub fn all() -> Vec<&'static ThreadStats> {
    ALL.lock().clone()
}

/// Sums a counter over all threads.
pub fn sum(f: impl Fn(&ThreadStats) -> u64) -> u64 {
    all().iter().map(|s| f(s)).sum()
}

/// CONFIG RESETSTAT.
pub fn reset() {
    for s in all() {
        s.reset();
    }
}
