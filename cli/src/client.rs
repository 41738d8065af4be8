//! Running one command the way redis-cli does: (re)connecting when needed, printing the
//! reply in the chosen form, following SELECT / MULTI / HELLO / AUTH, and streaming the
//! replies of MONITOR and SUBSCRIBE until Ctrl-C.

use std::io::{self, Write};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Instant;

use crate::args::Options;
use crate::conn::{Conn, ReadError};
use crate::format::{self, Output};
use crate::resp::Reply;

/// How a command ended, for the exit status and the interactive loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// The server answered with an error reply.
    ErrorReply,
    /// No reply: not connected, or the connection broke.
    Failed,
}

pub struct Client {
    pub opts: Options,
    pub conn: Option<Conn>,
    /// The selected database, restored on reconnect.
    pub db: i64,
    /// Inside MULTI: the prompt shows `(TX)`.
    pub in_multi: bool,
    /// Set by the Ctrl-C handler in interactive mode; `None` lets Ctrl-C end the program.
    pub interrupt: Option<Arc<AtomicBool>>,
    /// Print RESP3 push messages that arrive ahead of a reply.
    pub show_pushes: bool,
}

/// Commands whose human-readable reply is plain text: redis-cli prints them raw.
fn prints_raw(args: &[String]) -> bool {
    let a = |i: usize| args.get(i).map(String::as_str).unwrap_or("");
    let n = args.len();
    match a(0) {
        "info" | "lolwut" => true,
        "debug" => n >= 2 && matches!(a(1), "htstats" | "htstats-key" | "client-eviction"),
        "memory" => n >= 2 && matches!(a(1), "malloc-stats" | "doctor"),
        "cluster" => n == 2 && matches!(a(1), "nodes" | "info"),
        "client" => n >= 2 && matches!(a(1), "list" | "info"),
        "latency" => (n == 3 && a(1) == "graph") || (n == 2 && a(1) == "doctor"),
        _ => false,
    }
}

impl Client {
    pub fn new(opts: Options) -> Client {
        let db = opts.db;
        Client { opts, conn: None, db, in_multi: false, interrupt: None, show_pushes: false }
    }

    /// Connects (again), restoring the database; prints redis-cli's message on failure.
    pub fn reconnect(&mut self) -> bool {
        self.conn = None;
        self.in_multi = false;
        match Conn::connect(&self.opts, self.db) {
            Ok(c) => {
                self.conn = Some(c);
                true
            }
            Err(msg) => {
                eprintln!("{msg}");
                false
            }
        }
    }

    /// Prints a reply. Commands in `prints_raw` get the raw form without the reply
    /// delimiter (their text ends with its own newline); with `-e` an error reply goes to
    /// stderr as its bare message.
    fn print(&self, reply: &Reply, output: Output, plain_text: bool) {
        if let (Reply::Error(e), true) = (reply, self.opts.exit_on_error) {
            let _ = io::stderr().write_all(&[e.as_slice(), b"\n"].concat());
            return;
        }
        let bytes = match output {
            _ if plain_text => format::raw(reply, &self.opts.bulk_delim),
            Output::Standard => format::tty(reply),
            Output::Raw => {
                [format::raw(reply, &self.opts.bulk_delim), self.opts.reply_delim.clone()].concat()
            }
        };
        let mut out = io::stdout().lock();
        let _ = out.write_all(&bytes).and_then(|_| out.flush());
    }

    /// Reads the next reply, printing (or skipping) push messages that come first unless
    /// the command itself answers with pushes.
    fn next_reply(&mut self, pushes_are_replies: bool) -> Result<Reply, ReadError> {
        loop {
            let flag = self.interrupt.clone();
            let conn = self.conn.as_mut().ok_or(ReadError::Closed)?;
            let reply = conn.read_reply(flag.as_deref())?;
            if pushes_are_replies || !matches!(reply, Reply::Push(_)) {
                return Ok(reply);
            }
            if self.show_pushes {
                self.print(&reply, self.opts.output, false);
            }
        }
    }

    /// Runs one command and prints its reply (or replies, for MONITOR / SUBSCRIBE).
    pub fn run(&mut self, args: &[Vec<u8>]) -> Outcome {
        if self.conn.is_none() && !self.reconnect() {
            return Outcome::Failed;
        }
        let started = Instant::now();
        let lower: Vec<String> =
            args.iter().take(3).map(|a| String::from_utf8_lossy(a).to_lowercase()).collect();
        let name = lower.first().map(String::as_str).unwrap_or("");
        let streaming = matches!(name, "monitor" | "subscribe" | "psubscribe" | "ssubscribe");
        let plain_text = prints_raw(&lower);
        let sent = self.conn.as_mut().map(|c| c.send(args)).unwrap_or(Ok(()));
        let mut result = match sent {
            Ok(()) => self.next_reply(streaming),
            Err(e) => Err(ReadError::Io(e)),
        };
        if streaming && name != "monitor" && self.opts.output == Output::Standard {
            println!("Reading messages... (press Ctrl-C to quit)");
        }
        let mut outcome = Outcome::Ok;
        loop {
            match result {
                Ok(reply) => {
                    let is_error = reply.is_error();
                    if is_error {
                        outcome = Outcome::ErrorReply;
                    } else {
                        self.follow(&lower, args);
                    }
                    if is_error && name == "exec" {
                        self.in_multi = false;
                    }
                    self.print(&reply, self.opts.output, plain_text);
                    if !streaming || is_error {
                        break;
                    }
                    result = self.next_reply(true);
                }
                Err(ReadError::Interrupted) => {
                    // Ctrl-C: the connection may be blocked or subscribed, start afresh.
                    self.reconnect();
                    break;
                }
                Err(ReadError::Closed | ReadError::Io(_)) if name == "shutdown" => {
                    self.conn = None;
                    break;
                }
                Err(e) => {
                    eprintln!("Error: {e}");
                    self.conn = None;
                    self.in_multi = false;
                    outcome = Outcome::Failed;
                    break;
                }
            }
        }
        if self.interrupt.is_some() {
            let took = started.elapsed().as_secs_f64();
            if took >= 0.5 {
                println!("({took:.2}s)");
            }
        }
        outcome
    }

    /// Tracks what a successful command changed in the session.
    fn follow(&mut self, lower: &[String], args: &[Vec<u8>]) {
        let text = |i: usize| args.get(i).map(|a| String::from_utf8_lossy(a).into_owned());
        match lower.first().map(String::as_str) {
            Some("select") if args.len() == 2 => {
                self.db = text(1).and_then(|d| d.parse().ok()).unwrap_or(self.db);
            }
            Some("multi") => self.in_multi = true,
            Some("exec" | "discard") => self.in_multi = false,
            Some("hello") if args.len() >= 2 => {
                self.opts.resp3 = text(1).as_deref() == Some("3");
                if let Some(at) = lower.iter().position(|a| a == "auth") {
                    self.opts.user = text(at + 1);
                    self.opts.pass = text(at + 2);
                }
            }
            Some("auth") if args.len() == 2 => {
                self.opts.user = None;
                self.opts.pass = text(1);
            }
            Some("auth") if args.len() == 3 => {
                self.opts.user = text(1);
                self.opts.pass = text(2);
            }
            _ => {}
        }
    }

    /// Runs a command `-r` times, `-i` seconds apart (repeat -1: forever). Returns the
    /// worst outcome.
    pub fn run_repeated(&mut self, args: &[Vec<u8>], repeat: i64) -> Outcome {
        let mut worst = Outcome::Ok;
        let mut i = 0;
        while repeat < 0 || i < repeat {
            match self.run(args) {
                Outcome::Ok => {}
                Outcome::ErrorReply if worst == Outcome::Ok => worst = Outcome::ErrorReply,
                Outcome::ErrorReply => {}
                Outcome::Failed => return Outcome::Failed,
            }
            i += 1;
            if let Some(secs) = self.opts.interval {
                if repeat < 0 || i < repeat {
                    std::thread::sleep(std::time::Duration::from_secs_f64(secs.max(0.0)));
                }
            }
        }
        worst
    }
}
