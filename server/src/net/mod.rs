//! Networking: listeners, the worker threads that run connections, and the hand-off
//! of accepted sockets between them.
//!
//! Each worker is a single-threaded tokio runtime on its own OS thread. A connection
//! lives on one worker for its whole life, so its buffers stay in one core's cache
//! and no task ever migrates; the keyspace shards are what the workers share.

pub mod connection;
pub mod monitor;
pub mod pause;

use std::os::fd::AsRawFd;
use std::sync::Arc;

use tokio::net::{TcpListener, UnixListener};
use tokio::sync::mpsc;

use crate::client::{ClientInfo, Peer};
use crate::server::Server;

/// An accepted socket on its way to the acceptor's admission check.
enum Accepted {
    Tcp(std::net::TcpStream, Peer),
    Unix(std::os::unix::net::UnixStream, Peer),
}

/// An admitted connection on its way to a worker, already registered (so client
/// ids follow accept order and `maxclients` counts it at once).
enum Admitted {
    Tcp(std::net::TcpStream, Arc<ClientInfo>),
    Unix(std::os::unix::net::UnixStream, Arc<ClientInfo>),
}

/// Starts `n` worker threads; returns the senders that hand them connections.
fn start_workers(server: &Arc<Server>, n: usize) -> Vec<mpsc::UnboundedSender<Admitted>> {
    let mut senders = Vec::new();
    for i in 0..n.max(1) {
        let (tx, mut rx) = mpsc::unbounded_channel::<Admitted>();
        let server = server.clone();
        std::thread::Builder::new()
            .name(format!("worker-{i}"))
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
                rt.block_on(async move {
                    while let Some(conn) = rx.recv().await {
                        spawn_connection(&server, conn);
                    }
                });
            })
            .expect("spawn worker thread");
        senders.push(tx);
    }
    senders
}

fn spawn_connection(server: &Arc<Server>, conn: Admitted) {
    let server = server.clone();
    match conn {
        Admitted::Tcp(s, info) => match tokio::net::TcpStream::from_std(s) {
            Ok(s) => drop(tokio::spawn(connection::serve(server, s, info))),
            Err(_) => server.clients.remove(info.id),
        },
        Admitted::Unix(s, info) => match tokio::net::UnixStream::from_std(s) {
            Ok(s) => drop(tokio::spawn(connection::serve(server, s, info))),
            Err(_) => server.clients.remove(info.id),
        },
    }
}

fn register(server: &Server, peer: Peer, fd: i32) -> Arc<ClientInfo> {
    let info = Arc::new(ClientInfo::new(server.clients.next_id(), peer, fd));
    info.touch(server.uptime_ms());
    server.clients.add(info.clone());
    info
}

/// The bound listeners of a server.
pub struct Listeners {
    tcp: Vec<TcpListener>,
    unix: Option<UnixListener>,
}

impl Listeners {
    /// Binds every `bind` address on `port` and the unix socket, if configured.
    /// Must run inside a tokio runtime.
    pub fn bind(server: &Server) -> std::io::Result<Listeners> {
        let cfg = server.config.read().clone();
        let mut tcp = Vec::new();
        for addr in &cfg.bind {
            let addr = addr.trim_start_matches('-');
            let ip: std::net::IpAddr = addr.parse().map_err(|_| {
                std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("bad bind address '{addr}'"))
            })?;
            let sock_addr = std::net::SocketAddr::new(ip, cfg.port);
            let domain = socket2::Domain::for_address(sock_addr);
            let sock = socket2::Socket::new(domain, socket2::Type::STREAM, None)?;
            sock.set_reuse_address(true)?;
            if ip.is_ipv6() {
                sock.set_only_v6(true)?;
            }
            sock.bind(&sock_addr.into())?;
            sock.listen(cfg.tcp_backlog as i32)?;
            sock.set_nonblocking(true)?;
            tcp.push(TcpListener::from_std(sock.into())?);
        }
        let unix = if cfg.unixsocket.is_empty() {
            None
        } else {
            let _ = std::fs::remove_file(&cfg.unixsocket);
            let l = UnixListener::bind(&cfg.unixsocket)?;
            if cfg.unixsocketperm != 0 {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(
                    &cfg.unixsocket,
                    std::fs::Permissions::from_mode(cfg.unixsocketperm),
                )?;
            }
            Some(l)
        };
        Ok(Listeners { tcp, unix })
    }

    /// The port actually bound (differs from the configured one when that was 0).
    pub fn local_port(&self) -> Option<u16> {
        self.tcp.first().and_then(|l| l.local_addr().ok()).map(|a| a.port())
    }

    /// Accepts connections forever, handing each to a worker in turn.
    pub async fn run(self, server: Arc<Server>) {
        let (threads, maxclients) = {
            let cfg = server.config.read();
            (cfg.io_threads, cfg.maxclients)
        };
        raise_fd_limit(maxclients);
        let workers = start_workers(&server, threads);
        tokio::spawn(close_idle_clients(server.clone()));
        let (tx, mut rx) = mpsc::unbounded_channel::<Accepted>();
        for l in self.tcp {
            let tx = tx.clone();
            let server = server.clone();
            tokio::spawn(async move {
                loop {
                    let Ok((s, addr)) = l.accept().await else {
                        continue;
                    };
                    let _ = s.set_nodelay(true);
                    let keepalive = server.config.read().tcp_keepalive;
                    if keepalive > 0 {
                        let ka =
                            socket2::TcpKeepalive::new().with_time(std::time::Duration::from_secs(keepalive));
                        let _ = socket2::SockRef::from(&s).set_tcp_keepalive(&ka);
                    }
                    let local = s.local_addr().unwrap_or(addr);
                    if let Ok(s) = s.into_std() {
                        let _ = tx.send(Accepted::Tcp(s, Peer::Tcp { addr, local }));
                    }
                }
            });
        }
        if let Some(l) = self.unix {
            let tx = tx.clone();
            let path = server.config.read().unixsocket.clone();
            tokio::spawn(async move {
                loop {
                    let Ok((s, _)) = l.accept().await else {
                        continue;
                    };
                    if let Ok(s) = s.into_std() {
                        let _ = tx.send(Accepted::Unix(s, Peer::Unix { path: path.clone() }));
                    }
                }
            });
        }
        drop(tx);
        let mut next = 0;
        while let Some(conn) = rx.recv().await {
            server.connections_received.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if server.clients.len() >= server.config.read().maxclients {
                server.rejected_connections.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                reject(conn);
                continue;
            }
            let admitted = match conn {
                Accepted::Tcp(s, peer) => {
                    let fd = s.as_raw_fd();
                    Admitted::Tcp(s, register(&server, peer, fd))
                }
                Accepted::Unix(s, peer) => {
                    let fd = s.as_raw_fd();
                    Admitted::Unix(s, register(&server, peer, fd))
                }
            };
            let _ = workers[next % workers.len()].send(admitted);
            next += 1;
        }
    }
}

/// Tells a client over the limit why it is turned away, then drops it.
fn reject(conn: Accepted) {
    use std::io::Write;
    const MSG: &[u8] = b"-ERR max number of clients reached\r\n";
    match conn {
        Accepted::Tcp(mut s, _) => drop(s.write(MSG)),
        Accepted::Unix(mut s, _) => drop(s.write(MSG)),
    }
}

/// Raises the open-files limit so `maxclients` connections fit (plus some for
/// listeners and files), as far as the hard limit allows.
fn raise_fd_limit(maxclients: usize) {
    let wanted = maxclients as libc::rlim_t + 32;
    let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit/setrlimit only read and write the struct passed.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 && lim.rlim_cur < wanted {
            lim.rlim_cur = wanted.min(lim.rlim_max);
            if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
                tracing::warn!("could not raise the open files limit to {}", lim.rlim_cur);
            }
        }
    }
}

/// Closes clients idle for longer than `timeout` seconds (re-read every round, so
/// CONFIG SET takes effect). Monitors and clients waiting on CLIENT PAUSE are exempt,
/// as in Redis.
async fn close_idle_clients(server: Arc<Server>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(250));
    loop {
        tick.tick().await;
        let timeout = server.config.read().timeout;
        if timeout == 0 {
            continue;
        }
        let now = server.uptime_ms();
        for c in server.clients.list() {
            let idle = now.saturating_sub(c.last_interaction_ms.load(std::sync::atomic::Ordering::Relaxed));
            let exempt = c.monitor.load(std::sync::atomic::Ordering::Relaxed)
                || c.blocked.load(std::sync::atomic::Ordering::Relaxed);
            if !exempt && idle / 1000 > timeout {
                tracing::debug!(id = c.id, "closing idle client");
                server.clients.kill(&c);
            }
        }
    }
}
