//! Server-wide state shared by all connections and background tasks.

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, AtomicU64, Ordering::Relaxed};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use parking_lot::RwLock;
use tokio::sync::Notify;

use crate::client::Clients;
use crate::commands::slowlog::SlowLog;
use crate::config::Config;
use crate::keyspace::{Keyspace, Touch};
use crate::net::monitor::Monitors;
use crate::net::pause::Pause;

pub struct Server {
    pub config: RwLock<Config>,
    pub keyspace: Keyspace,
    pub clients: Clients,
    pub started: Instant,
    pub started_unix_ms: u64,
    /// Memory allocated once the server was set up (INFO `used_memory_startup`).
    pub startup_memory: usize,
    pub run_id: String,
    /// Hot configuration values, read on every request without the config lock.
    pub max_bulk_len: AtomicI64,
    pub query_buffer_limit: AtomicI64,
    pub slowlog_slower_than: AtomicI64,
    pub slowlog_max_len: AtomicI64,
    pub slowlog: SlowLog,
    pub latency_tracking: AtomicBool,
    /// Seconds since start, advanced by the clock task (entry access times).
    lru_clock: AtomicU32,
    /// Milliseconds since start, advanced with `lru_clock` (client interaction times).
    coarse_ms: AtomicU64,
    /// Whether an LFU `maxmemory-policy` is selected: entries then track access
    /// frequency instead of access time.
    pub lfu_policy: AtomicBool,
    /// Changes since the last save.
    /// The total of the per-thread change counters at the last save.
    pub dirty_at_save: AtomicU64,
    pub last_save_unix: AtomicU64,
    pub active_expire: AtomicBool,
    pub connections_received: AtomicU64,
    pub rejected_connections: AtomicU64,
    pub shutdown: Notify,
    /// Clients in MONITOR mode.
    pub monitors: Monitors,
    /// CLIENT PAUSE state.
    pub pause: Pause,
    /// Recent counter samples for INFO's instantaneous rates.
    samples: parking_lot::Mutex<std::collections::VecDeque<Sample>>,
}

/// Totals at one moment: (commands, network bytes in, network bytes out).
struct Sample {
    at: Instant,
    totals: [u64; 3],
}

/// Rates are averaged over this many samples, one every [`SAMPLE_EVERY`].
const SAMPLES: usize = 16;
const SAMPLE_EVERY: std::time::Duration = std::time::Duration::from_millis(100);

impl Server {
    pub fn new(config: Config) -> Self {
        let now = unix_ms();
        let lfu = config.maxmemory_policy.contains("lfu");
        Server {
            keyspace: Keyspace::new(config.databases),
            max_bulk_len: AtomicI64::new(config.proto_max_bulk_len),
            query_buffer_limit: AtomicI64::new(config.client_query_buffer_limit),
            slowlog_slower_than: AtomicI64::new(config.slowlog_log_slower_than),
            slowlog_max_len: AtomicI64::new(config.slowlog_max_len),
            slowlog: SlowLog::default(),
            latency_tracking: AtomicBool::new(config.latency_tracking),
            active_expire: AtomicBool::new(config.active_expire_enabled),
            config: RwLock::new(config),
            clients: Clients::default(),
            started: Instant::now(),
            started_unix_ms: now,
            startup_memory: crate::stats::used_memory(),
            run_id: (0..40).map(|_| format!("{:x}", rand::random::<u8>() % 16)).collect(),
            lru_clock: AtomicU32::new(0),
            coarse_ms: AtomicU64::new(0),
            lfu_policy: AtomicBool::new(lfu),
            dirty_at_save: AtomicU64::new(0),
            last_save_unix: AtomicU64::new(now / 1000),
            connections_received: AtomicU64::new(0),
            rejected_connections: AtomicU64::new(0),
            shutdown: Notify::new(),
            monitors: Monitors::default(),
            pause: Pause::default(),
            samples: Default::default(),
        }
    }

    /// Changes since the last save (Redis's `server.dirty`), summed over the worker
    /// threads' counters.
    pub fn dirty(&self) -> u64 {
        crate::stats::sum(|s| s.dirty.get()).saturating_sub(self.dirty_at_save.load(Relaxed))
    }

    pub fn lru_clock(&self) -> u32 {
        self.lru_clock.load(Relaxed)
    }

    /// How lookups record accesses now, and the access stamp of a new entry.
    pub fn access_clock(&self, now_ms: u64) -> (Touch, u32) {
        if self.lfu_policy.load(Relaxed) {
            (Touch::Lfu, crate::keyspace::lfu::initial(crate::keyspace::lfu::minutes(now_ms)))
        } else {
            (Touch::Lru, self.lru_clock())
        }
    }

    /// Advances the coarse clock; called a few times a second.
    pub fn tick_clock(&self) {
        let elapsed = self.started.elapsed();
        self.lru_clock.store(elapsed.as_secs() as u32, Relaxed);
        self.coarse_ms.store(elapsed.as_millis() as u64, Relaxed);
        crate::stats::used_memory();
        let mut samples = self.samples.lock();
        let now = Instant::now();
        if samples.back().is_none_or(|s| now.duration_since(s.at) >= SAMPLE_EVERY) {
            let totals = [
                crate::stats::sum(|t| t.commands.get()),
                crate::stats::sum(|t| t.net_in.get()),
                crate::stats::sum(|t| t.net_out.get()),
            ];
            samples.push_back(Sample { at: now, totals });
            if samples.len() > SAMPLES {
                samples.pop_front();
            }
        }
    }

    /// Uptime in ms as of the last clock tick (`hz` times a second): cheap enough for
    /// every request, precise enough for idle times counted in seconds.
    pub fn coarse_uptime_ms(&self) -> u64 {
        self.coarse_ms.load(Relaxed)
    }

    /// Milliseconds since the server started.
    pub fn uptime_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    /// Re-reads the hot values after CONFIG SET.
    pub fn config_changed(&self) {
        let c = self.config.read();
        self.max_bulk_len.store(c.proto_max_bulk_len, Relaxed);
        self.query_buffer_limit.store(c.client_query_buffer_limit, Relaxed);
        self.lfu_policy.store(c.maxmemory_policy.contains("lfu"), Relaxed);
        self.slowlog_slower_than.store(c.slowlog_log_slower_than, Relaxed);
        self.slowlog_max_len.store(c.slowlog_max_len, Relaxed);
        self.latency_tracking.store(c.latency_tracking, Relaxed);
    }

    /// Recent rates: (commands per second, KB/s received, KB/s sent).
    pub fn instantaneous(&self) -> (f64, f64, f64) {
        let samples = self.samples.lock();
        let (Some(first), Some(last)) = (samples.front(), samples.back()) else {
            return (0.0, 0.0, 0.0);
        };
        let secs = last.at.duration_since(first.at).as_secs_f64();
        if secs <= 0.0 {
            return (0.0, 0.0, 0.0);
        }
        let rate = |i: usize| last.totals[i].saturating_sub(first.totals[i]) as f64 / secs;
        (rate(0), rate(1) / 1024.0, rate(2) / 1024.0)
    }

    /// CONFIG RESETSTAT: zeroes the counters INFO reports.
    pub fn reset_stats(&self) {
        crate::stats::reset();
        crate::keyspace::shard::EXPIRED_KEYS.store(0, Relaxed);
        self.connections_received.store(0, Relaxed);
        self.rejected_connections.store(0, Relaxed);
        self.samples.lock().clear();
    }
}

/// Wall-clock time in Unix milliseconds.
pub fn unix_ms() -> u64 {
    unix_us() / 1000
}

/// Wall-clock time in Unix microseconds.
pub fn unix_us() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros() as u64)
}
