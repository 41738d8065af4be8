//! Per-connection state, and the registry of connected clients that CLIENT LIST,
//! CLIENT KILL, the idle-timeout check and INFO read.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use parking_lot::Mutex;
use tokio::sync::Notify;

use crate::net::monitor::MonitorFeed;
use crate::protocol::reply::Protocol;

/// Whether replies are sent (CLIENT REPLY).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ReplyMode {
    #[default]
    On,
    Off,
    /// The reply of the command now running is dropped.
    Skip,
    /// Set by CLIENT REPLY SKIP: becomes `Skip` once the current command is done.
    SkipNext,
}

/// State only the connection's own task touches.
pub struct Client {
    pub db: usize,
    pub authenticated: bool,
    pub reply_mode: ReplyMode,
    /// Set by QUIT, CLIENT KILL of oneself and protocol errors: close after flushing
    /// replies.
    pub close_after_reply: bool,
    /// Arguments of the running command that MONITOR must not show (bit i: argument
    /// i), set by handlers such as AUTH and HELLO.
    pub redacted: u64,
    /// The lines MONITOR streams to this client, when it is a monitor.
    pub monitor: Option<MonitorFeed>,
    pub info: Arc<ClientInfo>,
}

impl Client {
    pub fn new(info: Arc<ClientInfo>, authenticated: bool) -> Self {
        Client {
            db: 0,
            authenticated,
            reply_mode: ReplyMode::On,
            close_after_reply: false,
            redacted: 0,
            monitor: None,
            info,
        }
    }

    /// Hides argument `i` of the running command from MONITOR.
    pub fn redact(&mut self, i: usize) {
        if i < 64 {
            self.redacted |= 1 << i;
        }
    }

    pub fn select(&mut self, db: usize) {
        self.db = db;
        self.info.db.store(db, Ordering::Relaxed);
    }
}

/// Where a client connected from.
#[derive(Clone, Debug)]
pub enum Peer {
    Tcp { addr: SocketAddr, local: SocketAddr },
    Unix { path: String },
}

impl Peer {
    /// The client's address as CLIENT LIST and CLIENT KILL ADDR spell it.
    pub fn addr(&self) -> String {
        match self {
            Peer::Tcp { addr, .. } => addr.to_string(),
            Peer::Unix { path } => format!("{path}:0"),
        }
    }

    /// The server-side address (CLIENT LIST `laddr`, CLIENT KILL LADDR).
    pub fn local_addr(&self) -> String {
        match self {
            Peer::Tcp { local, .. } => local.to_string(),
            Peer::Unix { path } => format!("{path}:0"),
        }
    }
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
    /// Server time (ms since start) of the last read from the client.
    pub last_interaction_ms: AtomicU64,
    /// Command-table id of the last command looked up; `usize::MAX` for none.
    pub last_cmd: AtomicUsize,
    /// Unprocessed bytes in the read buffer, its capacity and its peak capacity.
    pub query_buf: AtomicUsize,
    pub query_buf_cap: AtomicUsize,
    pub query_buf_peak: AtomicUsize,
    pub output_buf: AtomicUsize,
    pub no_evict: AtomicBool,
    pub monitor: AtomicBool,
    /// Waiting for CLIENT PAUSE to end.
    pub blocked: AtomicBool,
    killed: AtomicBool,
    kill_signal: Notify,
    /// Whether `fd` still belongs to this client: cleared (under the lock) before the
    /// socket is closed, so a kill never shuts down a reused descriptor.
    socket_open: Mutex<bool>,
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
            last_cmd: AtomicUsize::new(usize::MAX),
            query_buf: AtomicUsize::new(0),
            query_buf_cap: AtomicUsize::new(0),
            query_buf_peak: AtomicUsize::new(0),
            output_buf: AtomicUsize::new(0),
            no_evict: AtomicBool::new(false),
            monitor: AtomicBool::new(false),
            blocked: AtomicBool::new(false),
            killed: AtomicBool::new(false),
            kill_signal: Notify::new(),
            socket_open: Mutex::new(true),
        }
    }

    /// Closes the client from any thread (CLIENT KILL, idle timeout): flags it and
    /// shuts its socket down, so a pending read or write returns at once. The
    /// connection's hot read path needs no extra wake-up source for this.
    pub fn kill(&self) {
        self.killed.store(true, Ordering::Release);
        self.kill_signal.notify_one();
        let open = self.socket_open.lock();
        if *open {
            // SAFETY: `fd` is the client's live socket while `socket_open` is true;
            // the connection clears it under this lock before closing the socket.
            unsafe {
                libc::shutdown(self.fd, libc::SHUT_RDWR);
            }
        }
    }

    /// Called by the connection before its socket is closed.
    pub fn socket_closed(&self) {
        *self.socket_open.lock() = false;
    }

    pub fn is_killed(&self) -> bool {
        self.killed.load(Ordering::Acquire)
    }

    /// Resolves when the client is killed (for waits off the read path).
    pub async fn killed(&self) {
        while !self.is_killed() {
            self.kill_signal.notified().await;
        }
    }

    pub fn set_protocol(&self, p: Protocol) {
        self.resp.store(p.version() as usize, Ordering::Relaxed);
    }

    pub fn touch(&self, now_ms: u64) {
        self.last_interaction_ms.store(now_ms, Ordering::Relaxed);
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

    /// Kills a client and takes it off the list at once, as Redis frees a killed
    /// client before answering (its connection finishes closing on its own).
    pub fn kill(&self, info: &ClientInfo) {
        info.kill();
        self.remove(info.id);
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
