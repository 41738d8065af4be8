//! Per-connection state, and the registry of connected clients that CLIENT LIST,
//! CLIENT KILL and INFO read.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use parking_lot::Mutex;
use tokio::sync::Notify;

use crate::protocol::reply::Protocol;

/// Whether replies are sent (CLIENT REPLY).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ReplyMode {
    #[default]
    On,
    Off,
    /// Suppress the reply of the next command only.
    Skip,
}

/// State only the connection's own task touches.
pub struct Client {
    pub db: usize,
    pub authenticated: bool,
    pub reply_mode: ReplyMode,
    /// Set by QUIT and protocol errors: close after flushing replies.
    pub close_after_reply: bool,
    pub info: Arc<ClientInfo>,
}

impl Client {
    pub fn new(info: Arc<ClientInfo>, authenticated: bool) -> Self {
        Client { db: 0, authenticated, reply_mode: ReplyMode::On, close_after_reply: false, info }
    }
}

/// Where a client connected from.
#[derive(Clone, Debug)]
pub enum Peer {
    Tcp { addr: SocketAddr, local: SocketAddr },
    Unix { path: String },
}

/// The part of a client others may read or signal.
pub struct ClientInfo {
    pub id: u64,
    pub peer: Peer,
    pub fd: i32,
    pub created: Instant,
    pub name: Mutex<Option<Vec<u8>>>,
    pub db: AtomicUsize,
    pub resp: AtomicUsize,
    /// Server time (ms since start) of the last command.
    pub last_interaction_ms: AtomicU64,
    /// Full name of the last command run.
    pub last_cmd: Mutex<String>,
    pub query_buf: AtomicUsize,
    pub output_buf: AtomicUsize,
    pub no_evict: AtomicBool,
    pub no_touch: AtomicBool,
    pub monitor: AtomicBool,
    killed: AtomicBool,
    kill_signal: Notify,
}

impl ClientInfo {
    pub fn new(id: u64, peer: Peer, fd: i32) -> Self {
        ClientInfo {
            id,
            peer,
            fd,
            created: Instant::now(),
            name: Mutex::new(None),
            db: AtomicUsize::new(0),
            resp: AtomicUsize::new(2),
            last_interaction_ms: AtomicU64::new(0),
            last_cmd: Mutex::new("NULL".into()),
            query_buf: AtomicUsize::new(0),
            output_buf: AtomicUsize::new(0),
            no_evict: AtomicBool::new(false),
            no_touch: AtomicBool::new(false),
            monitor: AtomicBool::new(false),
            killed: AtomicBool::new(false),
            kill_signal: Notify::new(),
        }
    }

    /// Asks the connection to close (CLIENT KILL, shutdown).
    pub fn kill(&self) {
        self.killed.store(true, Ordering::Release);
        self.kill_signal.notify_one();
    }

    pub fn is_killed(&self) -> bool {
        self.killed.load(Ordering::Acquire)
    }

    /// Resolves when the client is killed.
    pub async fn killed(&self) {
        while !self.is_killed() {
            self.kill_signal.notified().await;
        }
    }

    pub fn set_protocol(&self, p: Protocol) {
        self.resp.store(p.version() as usize, Ordering::Relaxed);
    }
}

/// All connected clients.
#[derive(Default)]
pub struct Clients {
    map: Mutex<std::collections::BTreeMap<u64, Arc<ClientInfo>>>,
    next_id: AtomicU64,
}

impl Clients {
    pub fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed) + 1
    }

    pub fn add(&self, info: Arc<ClientInfo>) {
        self.map.lock().insert(info.id, info);
    }

    pub fn remove(&self, id: u64) {
        self.map.lock().remove(&id);
    }

    pub fn len(&self) -> usize {
        self.map.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A snapshot of all clients, by id.
    pub fn list(&self) -> Vec<Arc<ClientInfo>> {
        self.map.lock().values().cloned().collect()
    }

    pub fn get(&self, id: u64) -> Option<Arc<ClientInfo>> {
        self.map.lock().get(&id).cloned()
    }
}
