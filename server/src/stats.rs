//! Server statistics for INFO.
//!
//! Counters on the command path are kept per worker thread: each thread only writes
//! its own, so counting costs no atomic read-modify-write and no cache-line sharing;
//! INFO sums all threads' counters.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::{Cell, OnceCell};
use std::sync::atomic::{AtomicIsize, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{LazyLock, OnceLock};

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

/// Per-command counters (INFO commandstats and latencystats).
#[derive(Default)]
pub struct CommandStats {
    pub calls: Counter,
    pub usec: Counter,
    pub rejected: Counter,
    pub failed: Counter,
    /// Allocated on the command's first run in this thread: most threads run few of
    /// all the commands.
    latency: OnceLock<Box<Histogram>>,
}

impl CommandStats {
    /// Records one run's duration for `latency-tracking`.
    pub fn record_latency(&self, usec: u64) {
        self.latency.get_or_init(Default::default).record(usec);
    }

    pub fn latency(&self) -> Option<&Histogram> {
        self.latency.get().map(|h| &**h)
    }
}

/// Sub-buckets per power of two: durations are kept to within 1/8 (12.5%).
const SUB_BUCKETS: usize = 8;
/// Powers of two tracked above the exact range (durations up to 2^40 µs, ~12 days).
const POWERS: usize = 38;

/// A log-linear histogram of durations in microseconds: exact below 8 µs, then eight
/// buckets per power of two.
pub struct Histogram {
    buckets: [Counter; SUB_BUCKETS * (POWERS + 1)],
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram { buckets: std::array::from_fn(|_| Counter::default()) }
    }
}

impl Histogram {
    fn bucket(usec: u64) -> usize {
        if usec < SUB_BUCKETS as u64 {
            return usec as usize;
        }
        let power = (63 - usec.leading_zeros()) as usize;
        let mantissa = (usec >> (power - 3)) as usize & (SUB_BUCKETS - 1);
        (SUB_BUCKETS + (power - 3) * SUB_BUCKETS + mantissa).min(SUB_BUCKETS * (POWERS + 1) - 1)
    }

    /// The largest duration bucket `i` holds.
    fn bucket_max(i: usize) -> u64 {
        if i < SUB_BUCKETS {
            return i as u64;
        }
        let (power, mantissa) = ((i - SUB_BUCKETS) / SUB_BUCKETS + 3, (i % SUB_BUCKETS) as u64);
        ((SUB_BUCKETS as u64 + mantissa + 1) << (power - 3)) - 1
    }

    pub fn record(&self, usec: u64) {
        self.buckets[Self::bucket(usec)].add(1);
    }

    fn reset(&self) {
        self.buckets.iter().for_each(Counter::reset);
    }
}

/// Several threads' histograms of one command, merged.
pub struct Merged(Vec<u64>);

impl Merged {
    pub fn new<'a>(parts: impl Iterator<Item = &'a Histogram>) -> Merged {
        let mut counts = vec![0; SUB_BUCKETS * (POWERS + 1)];
        for h in parts {
            for (c, b) in counts.iter_mut().zip(h.buckets.iter()) {
                *c += b.get();
            }
        }
        Merged(counts)
    }

    pub fn count(&self) -> u64 {
        self.0.iter().sum()
    }

    /// The duration at percentile `p` (0..=100), in microseconds.
    pub fn percentile(&self, p: f64) -> u64 {
        let target = ((p / 100.0 * self.count() as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, c) in self.0.iter().enumerate() {
            seen += c;
            if seen >= target {
                return Histogram::bucket_max(i);
            }
        }
        0
    }
}

/// One worker thread's counters.
pub struct ThreadStats {
    pub commands: Counter,
    pub hits: Counter,
    pub misses: Counter,
    pub net_in: Counter,
    pub net_out: Counter,
    /// Keyspace changes (Redis's `server.dirty`); never reset by RESETSTAT.
    pub dirty: Counter,
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
            if let Some(h) = c.latency() {
                h.reset();
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
                dirty: Counter::default(),
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
    crate::keyspace::lazyfree::FREED.store(0, std::sync::atomic::Ordering::Relaxed);
    for s in all() {
        s.reset();
    }
}

/// A global allocator wrapper that counts the bytes allocated through it, for INFO's
/// `used_memory`. Counts go to one of a few cache-line-sized slots picked per thread,
/// so threads allocating at once do not contend on one counter; the total is their
/// sum (a block freed by another thread than the one that allocated it just moves
/// bytes between slots).
pub struct CountingAlloc<A>(pub A);

const SLOTS: usize = 16;

#[repr(align(64))]
struct Slot(AtomicIsize);

static ALLOCATED: [Slot; SLOTS] = [const { Slot(AtomicIsize::new(0)) }; SLOTS];
static NEXT_SLOT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    // Const-initialised and without destructor: safe to use inside the allocator,
    // even while a thread is being torn down.
    static MY_SLOT: Cell<usize> = const { Cell::new(usize::MAX) };
}

fn count(delta: isize) {
    let slot = MY_SLOT
        .try_with(|s| {
            if s.get() == usize::MAX {
                s.set(NEXT_SLOT.fetch_add(1, Relaxed) % SLOTS);
            }
            s.get()
        })
        .unwrap_or(0);
    ALLOCATED[slot].0.fetch_add(delta, Relaxed);
}

// SAFETY: every call is forwarded unchanged to the wrapped allocator; counting only
// touches atomics and a const thread-local, and never allocates.
unsafe impl<A: GlobalAlloc> GlobalAlloc for CountingAlloc<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { self.0.alloc(layout) };
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { self.0.alloc_zeroed(layout) };
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { self.0.dealloc(ptr, layout) };
        count(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { self.0.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            count(new_size as isize - layout.size() as isize);
        }
        p
    }
}

/// Bytes currently allocated through [`CountingAlloc`] (0 when it is not the global
/// allocator, as in unit tests). Also advances the peak.
pub fn used_memory() -> usize {
    let used = ALLOCATED.iter().map(|s| s.0.load(Relaxed)).sum::<isize>().max(0) as usize;
    PEAK.fetch_max(used, Relaxed);
    used
}

/// The highest [`used_memory`] seen.
pub fn peak_memory() -> usize {
    PEAK.load(Relaxed).max(used_memory())
}

/// Resident set size of the process, from /proc (0 where unavailable).
pub fn rss_bytes() -> usize {
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(1) as usize;
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1).and_then(|v| v.parse::<usize>().ok()))
        .map_or(0, |pages| pages * page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_percentiles() {
        let h = Histogram::default();
        for v in [0, 1, 7, 8, 9, 100, 1000, 1_000_000] {
            let max = Histogram::bucket_max(Histogram::bucket(v));
            assert!(max >= v && max <= v + v / 8, "{v} -> {max}");
        }
        for v in 1..=100 {
            h.record(v);
        }
        let m = Merged::new([&h].into_iter());
        assert_eq!(m.count(), 100);
        assert_eq!(m.percentile(1.0), 1);
        let p50 = m.percentile(50.0);
        assert!((50..=56).contains(&p50), "{p50}");
        let p100 = m.percentile(100.0);
        assert!((100..=111).contains(&p100), "{p100}");
    }
}
