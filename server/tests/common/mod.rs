//! Test harness: starts the cinnabar-server binary and a real redis-server on free
//! loopback ports, talks raw RESP to them, and compares their replies.
#![allow(dead_code)]

pub mod raw;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A server process, killed when dropped.
pub struct Proc {
    pub child: Child,
    pub port: u16,
    pub dir: PathBuf,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("cinnabar-test-{tag}-{}-{}", std::process::id(), free_port()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn wait_ready(child: &mut Child, port: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("server exited early: {status}");
        }
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("server on port {port} did not start");
}

impl Proc {
    /// Starts cinnabar-server with extra `--name value` arguments.
    pub fn cinnabar(extra: &[&str]) -> Proc {
        let port = free_port();
        let dir = temp_dir("cinnabar");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cinnabar-server"));
        cmd.args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--dir", dir.to_str().unwrap()])
            .args(["--save", ""])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut child = cmd.spawn().expect("start cinnabar-server");
        wait_ready(&mut child, port);
        Proc { child, port, dir }
    }

    /// Starts the reference redis-server with extra `--name value` arguments.
    pub fn redis(extra: &[&str]) -> Proc {
        let port = free_port();
        let dir = temp_dir("redis");
        let mut child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--dir", dir.to_str().unwrap()])
            .args(["--save", "", "--appendonly", "no"])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server (apt-get install redis-server)");
        wait_ready(&mut child, port);
        Proc { child, port, dir }
    }

    pub fn conn(&self) -> Conn {
        Conn::new(self.port)
    }

    pub fn client(&self) -> redis::Connection {
        redis::Client::open(format!("redis://127.0.0.1:{}/", self.port)).unwrap().get_connection().unwrap()
    }
}

/// A raw RESP connection.
pub struct Conn {
    pub reader: BufReader<TcpStream>,
    pub stream: TcpStream,
}

impl Conn {
    pub fn new(port: u16) -> Conn {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        stream.set_nodelay(true).unwrap();
        Conn { reader: BufReader::new(stream.try_clone().unwrap()), stream }
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).unwrap();
    }

    /// Sends one command as a RESP array.
    pub fn send(&mut self, args: &[&[u8]]) {
        self.send_raw(&encode(args));
    }

    /// Sends a command and reads its reply as raw RESP bytes.
    pub fn cmd(&mut self, args: &[&str]) -> String {
        let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        self.send(&args);
        self.read_reply_string()
    }

    pub fn cmd_bytes(&mut self, args: &[&[u8]]) -> Vec<u8> {
        self.send(args);
        self.read_reply()
    }

    pub fn read_reply_string(&mut self) -> String {
        String::from_utf8_lossy(&self.read_reply()).into_owned()
    }

    /// Reads exactly one RESP2/RESP3 reply frame, returned raw.
    pub fn read_reply(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        read_frame(&mut self.reader, &mut out).expect("read reply");
        out
    }

    /// Whether the server closed the connection (EOF) within `timeout`.
    pub fn is_closed(&mut self, timeout: Duration) -> bool {
        self.stream.set_read_timeout(Some(timeout)).unwrap();
        let mut b = [0u8; 1];
        let r = matches!(self.reader.read(&mut b), Ok(0) | Err(_));
        self.stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        r
    }
}

pub fn encode(args: &[&[u8]]) -> Vec<u8> {
    let mut v = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        v.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        v.extend_from_slice(a);
        v.extend_from_slice(b"\r\n");
    }
    v
}

fn read_line(r: &mut impl BufRead, out: &mut Vec<u8>) -> std::io::Result<Vec<u8>> {
    let mut line = Vec::new();
    r.read_until(b'\n', &mut line)?;
    if line.is_empty() {
        return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "closed"));
    }
    out.extend_from_slice(&line);
    Ok(line[1..line.len().saturating_sub(2)].to_vec())
}

/// Reads one RESP frame (both protocol versions) into `out`.
pub fn read_frame(r: &mut impl BufRead, out: &mut Vec<u8>) -> std::io::Result<()> {
    let start = out.len();
    let body = read_line(r, out)?;
    let n: i64 = std::str::from_utf8(&body).ok().and_then(|s| s.parse().ok()).unwrap_or(-1);
    match out[start] {
        b'$' | b'=' | b'!' if n >= 0 => {
            let mut data = vec![0; n as usize + 2];
            r.read_exact(&mut data)?;
            out.extend_from_slice(&data);
        }
        b'*' | b'~' | b'>' => {
            for _ in 0..n.max(0) {
                read_frame(r, out)?;
            }
        }
        b'%' | b'|' => {
            for _ in 0..2 * n.max(0) {
                read_frame(r, out)?;
            }
            if out[start] == b'|' {
                read_frame(r, out)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Two servers fed the same commands, for differential tests.
pub struct Diff {
    pub ours: Proc,
    pub reference: Proc,
    pub a: Conn,
    pub b: Conn,
}

impl Diff {
    pub fn new() -> Diff {
        Diff::with_args(&[])
    }

    /// Both servers started with the same extra options.
    pub fn with_args(extra: &[&str]) -> Diff {
        let ours = Proc::cinnabar(extra);
        let reference = Proc::redis(extra);
        let (a, b) = (ours.conn(), reference.conn());
        Diff { ours, reference, a, b }
    }

    /// Sends a command to both; panics with both replies if they differ.
    pub fn check(&mut self, args: &[&str]) -> String {
        let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        self.check_bytes(&args)
    }

    pub fn check_bytes(&mut self, args: &[&[u8]]) -> String {
        let (ours, theirs) = self.both(args);
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&theirs),
            "reply differs for {:?}",
            args.iter().map(|a| String::from_utf8_lossy(a)).collect::<Vec<_>>()
        );
        String::from_utf8_lossy(&ours).into_owned()
    }

    /// Sends a command to both and returns (ours, reference) raw replies.
    pub fn both(&mut self, args: &[&[u8]]) -> (Vec<u8>, Vec<u8>) {
        (self.a.cmd_bytes(args), self.b.cmd_bytes(args))
    }

    /// Runs a script: one command per line, split like redis-cli does.
    pub fn script(&mut self, text: &str) {
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let words = split_words(line);
            let refs: Vec<&[u8]> = words.iter().map(|w| w.as_slice()).collect();
            self.check_bytes(&refs);
        }
    }
}

impl Default for Diff {
    fn default() -> Self {
        Self::new()
    }
}

/// Splits a line into words with "double" and 'single' quotes (with \n, \r, \t,
/// \xHH escapes in double quotes), like redis-cli.
pub fn split_words(line: &str) -> Vec<Vec<u8>> {
    let b = line.as_bytes();
    let mut words = Vec::new();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let mut w = Vec::new();
        if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' && i + 1 < b.len() {
                    i += 1;
                    match b[i] {
                        b'n' => w.push(b'\n'),
                        b'r' => w.push(b'\r'),
                        b't' => w.push(b'\t'),
                        b'x' if i + 2 < b.len() => {
                            w.push(u8::from_str_radix(&line[i + 1..i + 3], 16).unwrap());
                            i += 2;
                        }
                        c => w.push(c),
                    }
                } else {
                    w.push(b[i]);
                }
                i += 1;
            }
            i += 1;
        } else if b[i] == b'\'' {
            i += 1;
            while i < b.len() && b[i] != b'\'' {
                w.push(b[i]);
                i += 1;
            }
            i += 1;
        } else {
            while i < b.len() && b[i] != b' ' {
                w.push(b[i]);
                i += 1;
            }
        }
        words.push(w);
    }
    words
}
