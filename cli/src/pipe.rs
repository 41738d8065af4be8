//! `--pipe`: mass insertion. Stdin (RESP or inline commands) goes to the server as is
//! from a writer thread, followed by an `ECHO` of a unique marker; the main thread counts
//! replies and errors until the marker comes back.

use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::args::Options;
use crate::conn::{os_message, Conn, ReadError};
use crate::resp::{self, Reply};

/// A marker no real reply will equal: 40 hex digits from the clock and the process id.
fn marker() -> Vec<u8> {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("{:024x}{:016x}", nanos, std::process::id() as u64 ^ 0x5eed_cafe_f00d_d00d).into_bytes()
}

/// Copies stdin to the server, then the marker command.
fn write_all(mut out: Box<dyn Write + Send>, echo: Vec<u8>) -> io::Result<()> {
    let mut input = io::stdin().lock();
    let mut chunk = vec![0u8; 64 * 1024];
    let mut last = b'\n';
    loop {
        let n = input.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        out.write_all(&chunk[..n])?;
        last = chunk[n - 1];
    }
    if last != b'\n' {
        // Ends an inline command left without its newline, so the marker stays separate.
        out.write_all(b"\r\n")?;
    }
    out.write_all(&echo)?;
    out.flush()
}

pub fn run(opts: &Options) -> i32 {
    let mut conn = match Conn::connect(opts, opts.db) {
        Ok(c) => c,
        Err(msg) => {
            eprintln!("{msg}");
            return 1;
        }
    };
    let mark = marker();
    let echo = resp::encode(&[b"ECHO".to_vec(), mark.clone()]);
    let writer = match conn.writer_clone() {
        Ok(w) => w,
        Err(e) => {
            eprintln!("Error: {}", os_message(&e));
            return 1;
        }
    };
    let sent = Arc::new(AtomicBool::new(false));
    let sent_flag = sent.clone();
    let handle = std::thread::spawn(move || {
        let result = write_all(writer, echo);
        if result.is_ok() {
            println!("All data transferred. Waiting for the last reply...");
        }
        sent_flag.store(true, Ordering::SeqCst);
        result
    });
    let _ = conn.set_read_timeout(Some(Duration::from_millis(200)));
    let (mut errors, mut replies) = (0u64, 0u64);
    let mut last_reply = Instant::now();
    let mut sent_at: Option<Instant> = None;
    let failure = loop {
        match conn.buffered_reply() {
            Ok(Some(reply)) => {
                last_reply = Instant::now();
                if matches!(&reply, Reply::Bulk(b) if *b == mark) {
                    break None;
                }
                replies += 1;
                if let Reply::Error(e) = &reply {
                    errors += 1;
                    let mut err = io::stderr().lock();
                    let _ = err.write_all(e).and_then(|_| err.write_all(b"\n"));
                }
                continue;
            }
            Ok(None) => {}
            Err(e) => break Some(e.to_string()),
        }
        if sent.load(Ordering::SeqCst) {
            let since = *sent_at.get_or_insert_with(Instant::now);
            let quiet = last_reply.max(since).elapsed();
            if opts.pipe_timeout > 0 && quiet > Duration::from_secs(opts.pipe_timeout) {
                eprintln!("No replies for {} seconds: exiting.", opts.pipe_timeout);
                return 1;
            }
        }
        match conn.fill() {
            Ok(_) => {}
            Err(ReadError::Closed) => break Some("Server closed the connection".to_string()),
            Err(e) => break Some(e.to_string()),
        }
    };
    let written = handle.join().unwrap_or_else(|_| Err(io::Error::other("writer thread panicked")));
    if let Err(e) = written {
        eprintln!("Error writing to the server: {}", os_message(&e));
        return 1;
    }
    if let Some(msg) = failure {
        eprintln!("Error reading from the server: {msg}");
        return 1;
    }
    println!("Last reply received from server.");
    println!("errors: {errors}, replies: {replies}");
    i32::from(errors > 0)
}
