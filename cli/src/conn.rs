//! A blocking connection over TCP or a unix socket: sends commands, reads replies, and
//! performs redis-cli's connect sequence (AUTH, SELECT, HELLO 3).

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::args::{Options, Target};
use crate::resp::{self, Reply};

enum Stream {
    Tcp(TcpStream),
    Unix(UnixStream),
}

/// Why a reply could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// The server closed the connection.
    Closed,
    /// Ctrl-C was pressed while waiting.
    Interrupted,
    /// The reply could not be parsed, with redis-cli's wording of the problem.
    Protocol(String),
    Io(io::Error),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Closed => f.write_str("Server closed the connection"),
            ReadError::Interrupted => f.write_str("Interrupted"),
            ReadError::Protocol(m) => f.write_str(m),
            ReadError::Io(e) => f.write_str(&os_message(e)),
        }
    }
}

/// The operating system's text for an error, without Rust's " (os error N)" suffix,
/// as redis-cli prints `strerror()`.
pub fn os_message(e: &io::Error) -> String {
    let text = e.to_string();
    let text = text.strip_prefix("failed to lookup address information: ").unwrap_or(&text);
    match text.find(" (os error ") {
        Some(cut) => text[..cut].to_string(),
        None => text.to_string(),
    }
}

pub struct Conn {
    stream: Stream,
    buf: Vec<u8>,
    /// Unparsed bytes start here in `buf`.
    start: usize,
}

/// How long one read blocks before the interrupt flag is checked again.
const POLL: Duration = Duration::from_millis(100);

impl Conn {
    /// Opens the socket only; `Err` carries redis-cli's "Could not connect" message.
    pub fn open(target: &Target) -> Result<Conn, String> {
        let fail =
            |e: &io::Error| format!("Could not connect to Redis at {}: {}", target.describe(), os_message(e));
        let stream = match &target.socket {
            Some(path) => Stream::Unix(UnixStream::connect(path).map_err(|e| fail(&e))?),
            None => {
                let addrs = (target.host.as_str(), target.port).to_socket_addrs().map_err(|e| fail(&e))?;
                let mut last = io::Error::new(io::ErrorKind::NotFound, "Name or service not known");
                let mut found = None;
                for addr in addrs {
                    match TcpStream::connect(addr) {
                        Ok(s) => {
                            found = Some(s);
                            break;
                        }
                        Err(e) => last = e,
                    }
                }
                let s = found.ok_or_else(|| fail(&last))?;
                let _ = s.set_nodelay(true);
                Stream::Tcp(s)
            }
        };
        Ok(Conn { stream, buf: Vec::with_capacity(16 * 1024), start: 0 })
    }

    /// Opens the connection and runs the handshake the options ask for. Failed AUTH
    /// or SELECT are reported on stderr and the connection is kept, like redis-cli.
    pub fn connect(opts: &Options, db: i64) -> Result<Conn, String> {
        let mut c = Conn::open(&opts.target)?;
        let failure = |r: Result<Reply, ReadError>| match r {
            Ok(Reply::Error(e)) => Some(String::from_utf8_lossy(&e).into_owned()),
            Ok(_) => None,
            Err(e) => Some(e.to_string()),
        };
        if let Some(pass) = &opts.pass {
            let mut cmd = vec![b"AUTH".to_vec()];
            if let Some(user) = &opts.user {
                cmd.push(user.as_bytes().to_vec());
            }
            cmd.push(pass.as_bytes().to_vec());
            if let Some(e) = failure(c.call(&cmd)) {
                eprintln!("AUTH failed: {e}");
            }
        }
        if db != 0 {
            if let Some(e) = failure(c.call(&[b"SELECT".to_vec(), db.to_string().into_bytes()])) {
                eprintln!("SELECT {db} failed: {e}");
            }
        }
        if opts.resp3 {
            if let Some(e) = failure(c.call(&[b"HELLO".to_vec(), b"3".to_vec()])) {
                eprintln!("HELLO 3 failed: {e}");
            }
        }
        Ok(c)
    }

    fn writer(&mut self) -> &mut dyn Write {
        match &mut self.stream {
            Stream::Tcp(s) => s,
            Stream::Unix(s) => s,
        }
    }

    pub fn send(&mut self, args: &[Vec<u8>]) -> io::Result<()> {
        let bytes = resp::encode(args);
        self.send_raw(&bytes)
    }

    pub fn send_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        let w = self.writer();
        w.write_all(bytes)?;
        w.flush()
    }

    /// Sends a command and waits for its reply.
    pub fn call(&mut self, args: &[Vec<u8>]) -> Result<Reply, ReadError> {
        self.send(args).map_err(ReadError::Io)?;
        self.read_reply(None)
    }

    /// A second handle on the socket for a writer thread (`--pipe`).
    pub fn writer_clone(&self) -> io::Result<Box<dyn Write + Send>> {
        Ok(match &self.stream {
            Stream::Tcp(s) => Box::new(s.try_clone()?),
            Stream::Unix(s) => Box::new(s.try_clone()?),
        })
    }

    pub fn set_read_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        match &self.stream {
            Stream::Tcp(s) => s.set_read_timeout(t),
            Stream::Unix(s) => s.set_read_timeout(t),
        }
    }

    /// A reply already complete in the buffer, without reading.
    pub fn buffered_reply(&mut self) -> Result<Option<Reply>, ReadError> {
        match resp::parse(&self.buf[self.start..]) {
            Ok(Some((reply, used))) => {
                self.start += used;
                if self.start == self.buf.len() {
                    self.buf.clear();
                    self.start = 0;
                }
                Ok(Some(reply))
            }
            Ok(None) => Ok(None),
            Err(e) => Err(ReadError::Protocol(e)),
        }
    }

    /// Reads more bytes into the buffer: `Ok(false)` when the read timed out or would block.
    pub fn fill(&mut self) -> Result<bool, ReadError> {
        if self.start > 0 && self.start * 2 > self.buf.capacity() {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        let mut chunk = [0u8; 16 * 1024];
        let r = match &mut self.stream {
            Stream::Tcp(s) => s.read(&mut chunk),
            Stream::Unix(s) => s.read(&mut chunk),
        };
        match r {
            Ok(0) => Err(ReadError::Closed),
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                Ok(true)
            }
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => Ok(false),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(false),
            Err(e) if e.kind() == io::ErrorKind::ConnectionReset => Err(ReadError::Closed),
            Err(e) => Err(ReadError::Io(e)),
        }
    }

    /// Waits for the next reply. With `interrupt`, reads poll so that the flag being set
    /// (by the Ctrl-C handler) ends the wait.
    pub fn read_reply(&mut self, interrupt: Option<&AtomicBool>) -> Result<Reply, ReadError> {
        if interrupt.is_some() {
            self.set_read_timeout(Some(POLL)).map_err(ReadError::Io)?;
        }
        let result = loop {
            match self.buffered_reply() {
                Ok(Some(r)) => break Ok(r),
                Ok(None) => {}
                Err(e) => break Err(e),
            }
            if let Some(flag) = interrupt {
                if flag.swap(false, Ordering::SeqCst) {
                    break Err(ReadError::Interrupted);
                }
            }
            if let Err(e) = self.fill() {
                break Err(e);
            }
        };
        if interrupt.is_some() {
            let _ = self.set_read_timeout(None);
        }
        result
    }
}
