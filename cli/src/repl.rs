//! The interactive prompt: line editing and history (rustyline), hints and help from
//! `COMMAND DOCS`, redis-cli's local commands (help, quit, connect, repeat counts), and
//! the `host:port[db](TX)>` / `not connected>` prompt.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};

use crate::client::Client;
use crate::help::{self, Docs};
use crate::resp::Reply;
use crate::split::split_args;

/// Supplies rustyline with hints and completions from the documentation table.
struct CliHelper {
    docs: Arc<Mutex<Docs>>,
    hints: Arc<AtomicBool>,
}

impl Hinter for CliHelper {
    type Hint = String;

    fn hint(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> Option<String> {
        if pos < line.len() || !self.hints.load(std::sync::atomic::Ordering::Relaxed) {
            return None;
        }
        self.docs.lock().ok()?.hint(line)
    }
}

impl Highlighter for CliHelper {
    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        // Grey, as redis-cli shows hints.
        Cow::Owned(format!("\x1b[90m{hint}\x1b[0m"))
    }
}

impl Completer for CliHelper {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        let head = &line[..pos];
        if head.contains(' ') {
            return Ok((pos, Vec::new()));
        }
        let names = self.docs.lock().map(|d| d.complete(head)).unwrap_or_default();
        Ok((0, names))
    }
}

impl Validator for CliHelper {}
impl Helper for CliHelper {}

fn history_path() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cinnabarcli_history"))
}

/// Fetches `COMMAND DOCS`; a server that doesn't answer it leaves the table empty.
fn fetch_docs(client: &mut Client) -> Docs {
    match client.conn.as_mut().map(|c| c.call(&[b"COMMAND".to_vec(), b"DOCS".to_vec()])) {
        Some(Ok(reply @ (Reply::Array(_) | Reply::Map(_)))) => Docs::from_reply(&reply),
        _ => Docs::default(),
    }
}

fn prompt(client: &Client) -> String {
    if client.conn.is_none() {
        return "not connected> ".into();
    }
    let mut p = match &client.opts.target.socket {
        Some(path) => format!("redis {path}"),
        None => format!("{}:{}", client.opts.target.host, client.opts.target.port),
    };
    if client.db != 0 {
        p.push_str(&format!("[{}]", client.db));
    }
    if client.in_multi {
        p.push_str("(TX)");
    }
    p.push_str("> ");
    p
}

/// Lines that may hold a password are kept out of the history file.
fn sensitive(args: &[Vec<u8>]) -> bool {
    let word = |i: usize| args.get(i).map(|a| String::from_utf8_lossy(a).to_lowercase()).unwrap_or_default();
    matches!(word(0).as_str(), "auth" | "migrate")
        || (word(0) == "hello" && args.iter().any(|a| a.eq_ignore_ascii_case(b"auth")))
        || (word(0) == "acl" && word(1) == "setuser")
        || (word(0) == "config" && word(1) == "set" && word(2).contains("pass"))
}

pub fn run(mut client: Client) -> i32 {
    let flag = Arc::new(AtomicBool::new(false));
    // Ctrl-C at the prompt is a key press handled by rustyline; while a command runs it
    // is a signal that sets this flag and ends the wait.
    let _ = signal_hook::flag::register(signal_hook::consts::SIGINT, flag.clone());
    client.interrupt = Some(flag);
    client.show_pushes = true;
    client.reconnect();
    let docs = Arc::new(Mutex::new(fetch_docs(&mut client)));
    let hints = Arc::new(AtomicBool::new(true));
    let mut editor = match Editor::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("Error: {e}");
            return 1;
        }
    };
    editor.set_helper(Some(CliHelper { docs: docs.clone(), hints: hints.clone() }));
    let history = history_path();
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    loop {
        let line = match editor.readline(&prompt(&client)) {
            Ok(line) => line,
            Err(ReadlineError::Interrupted | ReadlineError::Eof) => return 0,
            Err(e) => {
                eprintln!("Error: {e}");
                return 1;
            }
        };
        let Some(mut args) = split_args(&line) else {
            println!("Invalid argument(s)");
            continue;
        };
        if args.is_empty() {
            continue;
        }
        if !sensitive(&args) {
            let _ = editor.add_history_entry(line.as_str());
            if let Some(path) = &history {
                let _ = editor.save_history(path);
            }
        }
        let first = String::from_utf8_lossy(&args[0]).to_lowercase();
        let words: Vec<String> = args.iter().map(|a| String::from_utf8_lossy(a).into_owned()).collect();
        match first.as_str() {
            "quit" | "exit" => return 0,
            "help" | "?" => {
                if words.len() == 1 {
                    print!("{}", help::general_help());
                } else if let Ok(d) = docs.lock() {
                    print!("{}", d.help(&words[1..]));
                }
                continue;
            }
            "clear" => {
                print!("\x1b[H\x1b[2J");
                continue;
            }
            ":set" if words.len() == 2 => {
                match words[1].as_str() {
                    "hints" => hints.store(true, std::sync::atomic::Ordering::Relaxed),
                    "nohints" => hints.store(false, std::sync::atomic::Ordering::Relaxed),
                    other => println!("Unknown cinnabar-cli pref: {other}"),
                }
                continue;
            }
            "connect" if words.len() == 3 || words.len() == 2 => {
                client.opts.target.host = words[1].clone();
                client.opts.target.socket = None;
                if let Some(port) = words.get(2) {
                    client.opts.target.port = port.parse().unwrap_or(0);
                }
                if client.reconnect() {
                    *docs.lock().unwrap_or_else(|e| e.into_inner()) = fetch_docs(&mut client);
                }
                continue;
            }
            _ => {}
        }
        // A leading number repeats the command, as in redis-cli: `3 incr x`.
        let mut repeat = 1;
        if args.len() > 1 {
            if let Ok(n) = first.parse::<i64>() {
                repeat = n;
                args.remove(0);
            }
        }
        let was_connected = client.conn.is_some();
        client.run_repeated(&args, repeat);
        if !was_connected
            && client.conn.is_some()
            && docs.lock().map(|d| d.entries.is_empty()).unwrap_or(false)
        {
            *docs.lock().unwrap_or_else(|e| e.into_inner()) = fetch_docs(&mut client);
        }
    }
}
