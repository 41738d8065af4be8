//! Raw-socket exchanges for protocol tests: arbitrary bytes, each on a fresh connection,
//! to several servers at once, observing the replies and whether the server closed the
//! connection.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// How the bytes of a case are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pace {
    /// One `write_all`.
    AllAtOnce,
    /// Pieces of this many bytes with a millisecond pause between them, so the
    /// server sees them in separate reads.
    Chunks(usize),
}

/// What a server did with one case's bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub reply: Vec<u8>,
    pub closed: bool,
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let reply: String = self
            .reply
            .iter()
            .take(300)
            .flat_map(|&c| std::ascii::escape_default(c))
            .map(char::from)
            .collect();
        write!(f, "{reply:?}{}", if self.closed { " (closed)" } else { " (open)" })
    }
}

/// Sends every input on its own fresh connection to every port, all at the same time,
/// and collects what comes back until each connection is closed or every connection
/// has been quiet for `quiet` after the last byte was sent. Returns, per port, one
/// outcome per input.
pub fn exchange_all(ports: &[u16], inputs: &[(Vec<u8>, Pace)], quiet: Duration) -> Vec<Vec<Outcome>> {
    struct Live {
        stream: TcpStream,
        out: Outcome,
    }
    let mut live = Vec::new();
    let mut senders = Vec::new();
    for &port in ports {
        for (data, pace) in inputs {
            let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
            stream.set_nodelay(true).unwrap();
            let mut w = stream.try_clone().unwrap();
            let (data, pace) = (data.clone(), *pace);
            senders.push(std::thread::spawn(move || {
                // A server that closes the connection makes writes fail: that is fine.
                match pace {
                    Pace::AllAtOnce => drop(w.write_all(&data)),
                    Pace::Chunks(n) => {
                        for piece in data.chunks(n.max(1)) {
                            if w.write_all(piece).is_err() {
                                break;
                            }
                            std::thread::sleep(Duration::from_millis(1));
                        }
                    }
                }
            }));
            stream.set_nonblocking(true).unwrap();
            live.push(Live { stream, out: Outcome { reply: Vec::new(), closed: false } });
        }
    }
    let hard_deadline = Instant::now() + Duration::from_secs(60);
    let mut last_activity = Instant::now();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let mut active = false;
        for l in live.iter_mut().filter(|l| !l.out.closed) {
            loop {
                match l.stream.read(&mut buf) {
                    Ok(0) => {
                        l.out.closed = true;
                        active = true;
                        break;
                    }
                    Ok(n) => {
                        l.out.reply.extend_from_slice(&buf[..n]);
                        active = true;
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                    Err(_) => {
                        l.out.closed = true;
                        active = true;
                        break;
                    }
                }
            }
        }
        let sending = senders.iter().any(|s| !s.is_finished());
        if active || sending {
            last_activity = Instant::now();
        }
        let all_closed = live.iter().all(|l| l.out.closed);
        if (!sending && (all_closed || last_activity.elapsed() >= quiet)) || Instant::now() > hard_deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    for s in senders {
        let _ = s.join();
    }
    let mut outs = live.into_iter().map(|l| l.out);
    ports.iter().map(|_| outs.by_ref().take(inputs.len()).collect()).collect()
}

/// Runs every input against both servers and returns a description of each case whose
/// outcome differs (reply bytes or whether the connection was closed).
pub fn differences(ours: u16, reference: u16, inputs: &[(Vec<u8>, Pace)], quiet: Duration) -> Vec<String> {
    let got = exchange_all(&[ours, reference], inputs, quiet);
    let mut diffs = Vec::new();
    for (i, (input, pace)) in inputs.iter().enumerate() {
        if got[0][i] != got[1][i] {
            let shown: String =
                input.iter().take(120).flat_map(|&c| std::ascii::escape_default(c)).map(char::from).collect();
            diffs.push(format!(
                "input {shown:?} ({} bytes, {pace:?}):\n  ours:  {}\n  redis: {}",
                input.len(),
                got[0][i],
                got[1][i]
            ));
        }
    }
    diffs
}

/// Resident memory of a process in bytes (VmRSS in /proc/<pid>/status).
pub fn rss_bytes(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("read /proc status");
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).expect("VmRSS line");
    let kb: u64 = line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).expect("VmRSS value");
    kb * 1024
}
