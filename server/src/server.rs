//! Server-wide state shared by all connections and background tasks.

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, AtomicU64, Ordering::Relaxed};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use parking_lot::RwLock;
use tokio::sync::Notify;

use crate::client::Clients;
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
    pub run_id: String,
    /// Hot configuration values, read on every request without the config lock.
    pub max_bulk_len: AtomicI64,
    pub query_buffer_limit: AtomicI64,
    /// Seconds since start, advanced by the clock task (entry access times).
    lru_clock: AtomicU32,
    /// Whether an LFU `maxmemory-policy` is selected: entries then track access
    /// frequency instead of access time.
    pub lfu_policy: AtomicBool,
    /// Changes since the last save.
    pub dirty: AtomicU64,
    pub last_save_unix: AtomicU64,
    pub active_expire: AtomicBool,
    pub connections_received: AtomicU64,
    pub rejected_connections: AtomicU64,
    pub shutdown: Notify,
    /// Clients in MONITOR mode.
    pub monitors: Monitors,
    /// CLIENT PAUSE state.
    pub pause: Pause,
}

impl Server {
    pub fn new(config: Config) -> Self {
        let now = unix_ms();
        let lfu = config.maxmemory_policy.contains("lfu");
        Server {
            keyspace: Keyspace::new(config.databases),
            max_bulk_len: AtomicI64::new(config.proto_max_bulk_len),
            query_buffer_limit: AtomicI64::new(config.client_query_buffer_limit),
            active_expire: AtomicBool::new(config.active_expire_enabled),
            config: RwLock::new(config),
            clients: Clients::default(),
            started: Instant::now(),
            started_unix_ms: now,
            run_id: (0..40).map(|_| format!("{:x}", rand::random::<u8>() % 16)).collect(),
            lru_clock: AtomicU32::new(0),
            lfu_policy: AtomicBool::new(lfu),
            dirty: AtomicU64::new(0),
            last_save_unix: AtomicU64::new(now / 1000),
            connections_received: AtomicU64::new(0),
            rejected_connections: AtomicU64::new(0),
            shutdown: Notify::new(),
            monitors: Monitors::default(),
            pause: Pause::default(),
        }
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
        self.lru_clock.store(self.started.elapsed().as_secs() as u32, Relaxed);
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
    }
}

/// Wall-clock time in Unix milliseconds.
pub fn unix_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}
