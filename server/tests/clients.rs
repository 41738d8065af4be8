//! Client management and the network layer under stress: CLIENT KILL, CLIENT PAUSE,
//! idle timeout, maxclients, thousands of connections, slow readers, shutdown.

mod common;
use common::*;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

trait ClosedWithin {
    fn closed_within(&mut self, timeout: Duration) -> bool;
}

impl ClosedWithin for Conn {
    /// Whether the server closes the connection within `timeout` (a read timeout is
    /// "still open"; any data read first is an error).
    fn closed_within(&mut self, timeout: Duration) -> bool {
        self.stream.set_read_timeout(Some(timeout)).unwrap();
        let mut b = [0u8; 64];
        let closed = match self.reader.read(&mut b) {
            Ok(0) => true,
            Ok(n) => panic!("unexpected data: {:?}", String::from_utf8_lossy(&b[..n])),
            Err(e) => !matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut),
        };
        self.stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        closed
    }
}

fn client_id(c: &mut Conn) -> String {
    let r = c.cmd(&["CLIENT", "ID"]);
    r[1..r.len() - 2].to_string()
}

/// The `addr=` value of the caller, from CLIENT INFO.
fn client_addr(c: &mut Conn) -> String {
    let info = c.cmd(&["CLIENT", "INFO"]);
    let at = info.find("addr=").unwrap() + 5;
    info[at..].split(' ').next().unwrap().to_string()
}

/// Polls `f` until it holds, for up to 10 seconds.
fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn count_clients(c: &mut Conn) -> usize {
    c.cmd(&["CLIENT", "LIST"]).matches("id=").count()
}

#[test]
fn client_kill_by_every_filter() {
    let s = Proc::cinnabar(&[]);
    let mut admin = s.conn();

    // By id: the victim's blocked read returns at once.
    let mut victim = s.conn();
    let id = client_id(&mut victim);
    assert_eq!(admin.cmd(&["CLIENT", "KILL", "ID", &id]), ":1\r\n");
    assert!(victim.closed_within(Duration::from_secs(5)));
    assert_eq!(admin.cmd(&["CLIENT", "KILL", "ID", &id]), ":0\r\n");

    // Old form by address, and ADDR / LADDR filters.
    let mut victim = s.conn();
    let addr = client_addr(&mut victim);
    assert_eq!(admin.cmd(&["CLIENT", "KILL", &addr]), "+OK\r\n");
    assert!(victim.closed_within(Duration::from_secs(5)));
    assert_eq!(admin.cmd(&["CLIENT", "KILL", &addr]), "-ERR No such client\r\n");
    let mut victim = s.conn();
    let addr = client_addr(&mut victim);
    assert_eq!(admin.cmd(&["CLIENT", "KILL", "ADDR", &addr, "SKIPME", "yes"]), ":1\r\n");
    assert!(victim.closed_within(Duration::from_secs(5)));

    // LADDR matches every client of the listener; SKIPME (default yes) spares the caller.
    let mut others: Vec<Conn> = (0..3).map(|_| s.conn()).collect();
    for o in others.iter_mut() {
        o.cmd(&["PING"]);
    }
    let laddr = format!("127.0.0.1:{}", s.port);
    assert_eq!(admin.cmd(&["CLIENT", "KILL", "LADDR", &laddr, "USER", "default"]), ":3\r\n");
    for o in others.iter_mut() {
        assert!(o.closed_within(Duration::from_secs(5)));
    }
    assert_eq!(admin.cmd(&["PING"]), "+PONG\r\n");

    // TYPE normal, including a monitor.
    let mut m = s.conn();
    m.cmd(&["MONITOR"]);
    eventually("monitor registered", || count_clients(&mut admin) == 2);
    assert_eq!(admin.cmd(&["CLIENT", "KILL", "TYPE", "normal"]), ":1\r\n");
    assert!(m.closed_within(Duration::from_secs(5)));

    // Killing oneself: the reply arrives, then the connection closes.
    let me = client_id(&mut admin);
    assert_eq!(admin.cmd(&["CLIENT", "KILL", "ID", &me]), ":0\r\n");
    assert_eq!(admin.cmd(&["CLIENT", "KILL", "ID", &me, "SKIPME", "no"]), ":1\r\n");
    assert!(admin.closed_within(Duration::from_secs(5)));
    let mut c = s.conn();
    let addr = client_addr(&mut c);
    assert_eq!(c.cmd(&["CLIENT", "KILL", &addr]), "+OK\r\n");
    assert!(c.closed_within(Duration::from_secs(5)));

    // Clients gone from the list.
    let mut c = s.conn();
    eventually("killed clients removed", || count_clients(&mut c) == 1);
}

#[test]
fn client_pause_write_and_all() {
    let s = Proc::cinnabar(&[]);
    let mut admin = s.conn();
    let mut c = s.conn();

    // WRITE: reads go on, a write waits (with the rest of its pipeline, in order)
    // until UNPAUSE.
    assert_eq!(admin.cmd(&["CLIENT", "PAUSE", "100000", "WRITE"]), "+OK\r\n");
    assert_eq!(c.cmd(&["GET", "k"]), "$-1\r\n");
    assert_eq!(c.cmd(&["PING"]), "+PONG\r\n");
    let mut batch = encode(&[b"GET", b"k"]);
    batch.extend(encode(&[b"SET", b"k", b"1"]));
    batch.extend(encode(&[b"GET", b"k"]));
    c.send_raw(&batch);
    assert_eq!(c.read_reply_string(), "$-1\r\n", "reply before the paused write is sent");
    c.stream.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
    let mut b = [0u8; 1];
    assert!(c.reader.read(&mut b).is_err(), "the write must wait");
    c.stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    eventually("paused client shows flag b", || {
        admin.cmd(&["CLIENT", "LIST"]).lines().any(|l| l.contains("flags=b") && l.contains("cmd=set "))
    });
    assert_eq!(admin.cmd(&["GET", "k"]), "$-1\r\n");
    assert_eq!(admin.cmd(&["CLIENT", "UNPAUSE"]), "+OK\r\n");
    assert_eq!(c.read_reply_string(), "+OK\r\n");
    assert_eq!(c.read_reply_string(), "$1\r\n1\r\n");

    // ALL: even PING waits; the pause ends by itself at its deadline.
    let started = Instant::now();
    assert_eq!(admin.cmd(&["CLIENT", "PAUSE", "500", "ALL"]), "+OK\r\n");
    assert_eq!(c.cmd(&["PING"]), "+PONG\r\n");
    assert!(started.elapsed() >= Duration::from_millis(450), "PING ran during a pause");

    // Monitors are not paused.
    let mut m = s.conn();
    m.cmd(&["MONITOR"]);
    let started = Instant::now();
    admin.cmd(&["CLIENT", "PAUSE", "3000", "ALL"]);
    assert_eq!(m.cmd(&["PING"]), "+PONG\r\n");
    assert!(started.elapsed() < Duration::from_millis(2500), "monitor was paused");
    drop(m);
    assert_eq!(c.cmd(&["PING"]), "+PONG\r\n");

    // A shorter, weaker pause does not cut a stricter one short.
    let started = Instant::now();
    admin.cmd(&["CLIENT", "PAUSE", "600", "ALL"]);
    admin.send(&[b"CLIENT", b"PAUSE", b"10", b"WRITE"]);
    assert_eq!(c.cmd(&["GET", "k"]), "$1\r\n1\r\n");
    assert!(started.elapsed() >= Duration::from_millis(550));
    assert_eq!(admin.read_reply_string(), "+OK\r\n");

    // Errors and unknown commands are answered during a pause, and a paused client
    // can be killed.
    admin.cmd(&["CLIENT", "PAUSE", "100000", "WRITE"]);
    assert_eq!(c.cmd(&["GET"]), "-ERR wrong number of arguments for 'get' command\r\n");
    let id = client_id(&mut c);
    c.send(&[b"SET", b"k", b"2"]);
    eventually("client blocked", || admin.cmd(&["CLIENT", "LIST"]).contains("flags=b"));
    assert_eq!(admin.cmd(&["CLIENT", "KILL", "ID", &id]), ":1\r\n");
    assert!(c.closed_within(Duration::from_secs(5)));
    admin.cmd(&["CLIENT", "UNPAUSE"]);
    assert_eq!(admin.cmd(&["GET", "k"]), "$1\r\n1\r\n");
}

#[test]
fn idle_clients_time_out() {
    let s = Proc::cinnabar(&["--timeout", "1"]);
    let mut idle = s.conn();
    let mut busy = s.conn();
    let mut monitor = s.conn();
    monitor.cmd(&["MONITOR"]);
    idle.cmd(&["PING"]);
    let started = Instant::now();
    // A client that keeps talking stays; so does the monitor.
    let mut closed_after = None;
    while started.elapsed() < Duration::from_secs(10) {
        assert_eq!(busy.cmd(&["PING"]), "+PONG\r\n");
        if closed_after.is_none() && idle.closed_within(Duration::from_millis(200)) {
            closed_after = Some(started.elapsed());
        }
        if closed_after.is_some_and(|t| started.elapsed() > t + Duration::from_millis(2500)) {
            break;
        }
    }
    let closed_after = closed_after.expect("idle client not closed");
    assert!(closed_after >= Duration::from_millis(900), "closed after {closed_after:?}");
    assert_eq!(busy.cmd(&["CLIENT", "LIST"]).matches("id=").count(), 2);
}

#[test]
fn maxclients_rejects_with_redis_error() {
    let s = Proc::cinnabar(&["--maxclients", "3"]);
    // The start-up probe's connection must be gone before counting.
    let mut first = s.conn();
    eventually("probe connection closed", || count_clients(&mut first) == 1);
    let mut held: Vec<Conn> = vec![first, s.conn(), s.conn()];
    for c in held.iter_mut() {
        assert_eq!(c.cmd(&["PING"]), "+PONG\r\n");
    }
    let mut extra = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    extra.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut reply = Vec::new();
    let _ = extra.read_to_end(&mut reply);
    assert_eq!(String::from_utf8_lossy(&reply), "-ERR max number of clients reached\r\n");
    // A slot frees up when a client leaves.
    drop(held.pop());
    eventually("slot freed", || {
        let mut c = s.conn();
        c.stream.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        c.send(&[b"PING"]);
        let mut line = String::new();
        std::io::BufRead::read_line(&mut c.reader, &mut line).is_ok() && line == "+PONG\r\n"
    });
}

/// Raises this process's open-files limit (children inherit it).
fn raise_fd_limit(n: u64) -> u64 {
    let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: plain libc calls on a local struct.
    unsafe {
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim);
        if lim.rlim_cur < n {
            lim.rlim_cur = n.min(lim.rlim_max);
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
    lim.rlim_cur
}

#[test]
fn two_thousand_concurrent_connections() {
    const N: usize = 2000;
    let limit = raise_fd_limit(N as u64 + 500);
    assert!(limit >= N as u64 + 100, "open files limit {limit} too low for this test");
    let s = Proc::cinnabar(&[]);
    let mut conns = Vec::with_capacity(N);
    for _ in 0..N {
        let c = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        conns.push(c);
    }
    // All connections open at once; each does a PING/SET/GET round trip.
    for (i, c) in conns.iter_mut().enumerate() {
        let key = format!("key:{i}");
        let mut req = encode(&[b"PING"]);
        req.extend(encode(&[b"SET", key.as_bytes(), i.to_string().as_bytes()]));
        req.extend(encode(&[b"GET", key.as_bytes()]));
        c.write_all(&req).unwrap();
    }
    for (i, c) in conns.iter_mut().enumerate() {
        let v = i.to_string();
        let want = format!("+PONG\r\n+OK\r\n${}\r\n{v}\r\n", v.len());
        let mut got = vec![0u8; want.len()];
        c.read_exact(&mut got).unwrap();
        assert_eq!(String::from_utf8_lossy(&got), want, "connection {i}");
    }
    let mut c = s.conn();
    assert_eq!(c.cmd(&["CLIENT", "LIST"]).matches("id=").count(), N + 1);
}

#[test]
fn slow_and_vanishing_clients_do_not_hurt_others() {
    let s = Proc::cinnabar(&[]);
    let mut setup = s.conn();
    let big = "x".repeat(64 * 1024);
    assert_eq!(setup.cmd(&["SET", "big", &big]), "+OK\r\n");

    // A client pipelines thousands of big GETs and never reads its replies.
    let mut hog = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    let mut batch = Vec::new();
    for _ in 0..5000 {
        batch.extend(encode(&[b"GET", b"big"]));
    }
    let writer = {
        let mut hog2 = hog.try_clone().unwrap();
        std::thread::spawn(move || {
            let _ = hog2.write_all(&batch);
        })
    };
    // Meanwhile another client keeps working normally.
    let mut c = s.conn();
    let started = Instant::now();
    for i in 0..300 {
        let v = i.to_string();
        assert_eq!(c.cmd(&["SET", "n", &v]), "+OK\r\n");
        assert_eq!(c.cmd(&["GET", "n"]), format!("${}\r\n{v}\r\n", v.len()));
    }
    assert!(started.elapsed() < Duration::from_secs(30));

    // The hog reads a little, then vanishes mid-reply.
    let mut some = [0u8; 4096];
    hog.read_exact(&mut some).unwrap();
    drop(hog);
    writer.join().unwrap();
    eventually("vanished client removed", || count_clients(&mut c) == 2);
    assert_eq!(c.cmd(&["PING"]), "+PONG\r\n");
}

#[test]
fn sigterm_and_sigint_exit_cleanly() {
    for signal in [libc::SIGTERM, libc::SIGINT] {
        let mut s = Proc::cinnabar(&[]);
        let mut c = s.conn();
        assert_eq!(c.cmd(&["SET", "k", "v"]), "+OK\r\n");
        // SAFETY: sends a signal to the child we started.
        unsafe {
            libc::kill(s.child.id() as i32, signal);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(status) = s.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "server did not exit on signal {signal}");
            std::thread::sleep(Duration::from_millis(20));
        };
        assert!(status.success(), "exit status {status} on signal {signal}");
    }
}

#[test]
fn monitor_that_never_reads_is_disconnected_at_its_limit() {
    let s = Proc::cinnabar(&[]);
    let mut m = s.conn();
    assert_eq!(m.cmd(&["MONITOR"]), "+OK\r\n");
    // 300 MB of monitor output (1 MB per line) against a 256 MB limit; the monitor
    // reads nothing meanwhile.
    let mut c = s.conn();
    let value = vec![b'x'; 1 << 20];
    for _ in 0..300 {
        assert_eq!(c.cmd_bytes(&[b"SET", b"k", &value]), b"+OK\r\n");
    }
    assert_eq!(c.cmd(&["PING"]), "+PONG\r\n");
    // Whatever was already written still arrives, then the connection ends.
    m.stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0usize;
    loop {
        match m.reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => total += n,
            Err(e) => panic!("monitor not closed after {total} bytes: {e}"),
        }
        assert!(total < 300 << 20, "monitor received everything: not limited");
    }
    eventually("monitor removed", || count_clients(&mut c) == 1);
}
