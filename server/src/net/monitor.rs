//! MONITOR: every command run by any client, streamed as text lines to the clients
//! that asked for it.
//!
//! The dispatcher checks one atomic counter per command; formatting and sending only
//! happen while somebody monitors. A monitor's connection waits on its socket and on
//! its feed at once (see `net::connection`), so lines reach it while it is idle.

use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;

use parking_lot::Mutex;
use tokio::sync::mpsc;

use crate::client::{Client, ClientInfo, Clients, Peer};
use crate::commands::Args;

/// One formatted line, shared by all monitors.
type Line = Arc<[u8]>;

/// Most bytes a monitor may leave unread before it is disconnected: Redis's default
/// hard output limit for the replica class, which monitors belong to. Keeps a
/// monitor that stops reading from growing the server's memory without bound.
const MAX_PENDING: usize = 256 << 20;

/// The receiving end a monitoring client drains.
pub struct MonitorFeed {
    rx: mpsc::UnboundedReceiver<Line>,
    pending: Arc<AtomicUsize>,
}

impl MonitorFeed {
    /// The next line; `None` once the monitor was unregistered. Cancel safe.
    pub async fn recv(&mut self) -> Option<Line> {
        let line = self.rx.recv().await?;
        self.pending.fetch_sub(line.len(), Relaxed);
        Some(line)
    }

    pub fn try_recv(&mut self) -> Option<Line> {
        let line = self.rx.try_recv().ok()?;
        self.pending.fetch_sub(line.len(), Relaxed);
        Some(line)
    }
}

struct Monitor {
    info: Arc<ClientInfo>,
    tx: mpsc::UnboundedSender<Line>,
    /// Bytes sent and not yet taken by the monitor's connection.
    pending: Arc<AtomicUsize>,
}

/// The registry of monitoring clients.
#[derive(Default)]
pub struct Monitors {
    count: AtomicUsize,
    list: Mutex<Vec<Monitor>>,
}

impl Monitors {
    /// Whether anyone monitors: the per-command check.
    #[inline]
    pub fn is_active(&self) -> bool {
        self.count.load(Relaxed) > 0
    }

    /// Registers a client as a monitor; returns its feed.
    pub fn add(&self, info: Arc<ClientInfo>) -> MonitorFeed {
        let (tx, rx) = mpsc::unbounded_channel();
        let pending = Arc::new(AtomicUsize::new(0));
        let mut list = self.list.lock();
        list.push(Monitor { info, tx, pending: pending.clone() });
        self.count.store(list.len(), Relaxed);
        MonitorFeed { rx, pending }
    }

    pub fn remove(&self, id: u64) {
        let mut list = self.list.lock();
        list.retain(|m| m.info.id != id);
        self.count.store(list.len(), Relaxed);
    }

    /// Sends the line for `args`, run by `client`, to every monitor; a monitor with
    /// too much unread output is disconnected instead.
    pub fn feed(&self, clients: &Clients, client: &Client, args: &Args) {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        let source = match &client.info.peer {
            Peer::Tcp { addr, .. } => addr.to_string(),
            Peer::Unix { path } => format!("unix:{path}"),
        };
        let line: Line =
            format_line(now.as_secs(), now.subsec_micros(), client.db, &source, args, client.redacted).into();
        for m in self.list.lock().iter() {
            if m.info.is_killed() {
                continue;
            }
            if m.pending.fetch_add(line.len(), Relaxed) + line.len() > MAX_PENDING {
                tracing::warn!(id = m.info.id, "closing monitor that reached the output buffer limit");
                clients.kill(&m.info);
                continue;
            }
            let _ = m.tx.send(line.clone());
        }
    }
}

/// `+<sec>.<usec> [<db> <source>] "arg" "arg"...\r\n`, arguments quoted and escaped
/// as Redis shows them; arguments flagged in `redacted` show as `(redacted)`.
pub fn format_line(secs: u64, micros: u32, db: usize, source: &str, args: &Args, redacted: u64) -> Vec<u8> {
    let mut line = format!("+{secs}.{micros:06} [{db} {source}]").into_bytes();
    for (i, arg) in args.iter().enumerate() {
        line.push(b' ');
        if i < 64 && redacted & (1 << i) != 0 {
            line.extend_from_slice(b"\"(redacted)\"");
        } else {
            quote(arg, &mut line);
        }
    }
    line.extend_from_slice(b"\r\n");
    line
}

/// Appends `s` in double quotes with C-style escapes for quotes, backslashes,
/// control characters and non-printable bytes (`\xHH`).
pub fn quote(s: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    for &c in s {
        match c {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'"' => out.extend_from_slice(b"\\\""),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            7 => out.extend_from_slice(b"\\a"),
            8 => out.extend_from_slice(b"\\b"),
            0x20..=0x7e => out.push(c),
            _ => out.extend_from_slice(format!("\\x{c:02x}").as_bytes()),
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_format() {
        let data = b"SETa\"b\\\n\x07\xffv";
        let ranges = [0..3, 3..10, 10..11];
        let args = Args::new(data, &ranges);
        let line = format_line(1700000000, 1234, 2, "127.0.0.1:5555", &args, 0);
        assert_eq!(
            line,
            b"+1700000000.001234 [2 127.0.0.1:5555] \"SET\" \"a\\\"b\\\\\\n\\a\\xff\" \"v\"\r\n"
        );
        let line = format_line(1, 0, 0, "x", &args, 0b10);
        assert_eq!(line, b"+1.000000 [0 x] \"SET\" \"(redacted)\" \"v\"\r\n");
    }
}
