//! SLOWLOG: the log of commands that ran longer than `slowlog-log-slower-than`
//! microseconds, newest first, at most `slowlog-max-len` entries.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use parking_lot::Mutex;

use super::command::help_reply;
use super::{Arg, ArgType, Args, CmdError, CmdResult, Command, Ctx};
use crate::client::{Client, Peer};
use crate::server::Server;

pub static COMMANDS: &[Command] = &[Command {
    name: "slowlog",
    arity: -2,
    acl: &["@slow"],
    subcommands: &[
        Command {
            name: "get",
            arity: -2,
            flags: &["admin", "loading", "stale"],
            acl: &["@admin", "@slow", "@dangerous"],
            tips: &["request_policy:all_nodes", "nondeterministic_output"],
            handler: slowlog_get,
            group: "server",
            since: "2.2.12",
            summary: "Get the slow log's entries",
            complexity: "O(N) where N is the number of entries returned",
            history: &[("4.0.0", "Added client IP address, port and name to the reply.")],
            args: &[Arg::new("count", ArgType::Integer).flags(&["optional"])],
            ..Command::DEFAULT
        },
        Command {
            name: "help",
            arity: 2,
            flags: &["loading", "stale"],
            acl: &["@slow"],
            handler: slowlog_help,
            group: "server",
            since: "6.2.0",
            summary: "Show helpful text about the different subcommands",
            complexity: "O(1)",
            ..Command::DEFAULT
        },
        Command {
            name: "len",
            arity: 2,
            flags: &["admin", "loading", "stale"],
            acl: &["@admin", "@slow", "@dangerous"],
            tips: &["request_policy:all_nodes", "response_policy:agg_sum", "nondeterministic_output"],
            handler: slowlog_len,
            group: "server",
            since: "2.2.12",
            summary: "Get the slow log's length",
            complexity: "O(1)",
            ..Command::DEFAULT
        },
        Command {
            name: "reset",
            arity: 2,
            flags: &["admin", "loading", "stale"],
            acl: &["@admin", "@slow", "@dangerous"],
            tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
            handler: slowlog_reset,
            group: "server",
            since: "2.2.12",
            summary: "Clear all entries from the slow log",
            complexity: "O(N) where N is the number of entries in the slowlog",
            ..Command::DEFAULT
        },
    ],
    group: "server",
    since: "2.2.12",
    summary: "A container for slow log commands",
    complexity: "Depends on subcommand.",
    ..Command::DEFAULT
}];

/// Arguments kept per entry; the last kept one says how many more there were.
const MAX_ARGS: usize = 32;
/// Bytes kept per argument; the rest is summarised.
const MAX_ARG_LEN: usize = 128;

struct Entry {
    id: u64,
    unix_secs: u64,
    usec: u64,
    args: Vec<Vec<u8>>,
    peer: String,
    name: Vec<u8>,
}

#[derive(Default)]
pub struct SlowLog {
    entries: Mutex<VecDeque<Entry>>,
    next_id: AtomicU64,
}

/// `ip:port` of a client, as Redis prints peers.
pub fn peer_id(client: &Client) -> String {
    match &client.info.peer {
        Peer::Tcp { addr, .. } => addr.to_string(),
        Peer::Unix { path } => format!("{path}:0"),
    }
}

impl SlowLog {
    /// Logs a command that took `usec`, if that is over the configured threshold.
    pub fn record(&self, server: &Server, cmd: &Command, client: &Client, args: &Args, usec: u64) {
        let threshold = server.slowlog_slower_than.load(Relaxed);
        if threshold < 0 || usec < threshold as u64 || cmd.has_flag("skip_slowlog") {
            return;
        }
        let max_len = server.slowlog_max_len.load(Relaxed).max(0) as usize;
        let kept = args.len().min(MAX_ARGS);
        let mut logged: Vec<Vec<u8>> = Vec::with_capacity(kept);
        for i in 0..kept {
            let arg = args.get(i);
            logged.push(if kept < args.len() && i == kept - 1 {
                format!("... ({} more arguments)", args.len() - kept + 1).into_bytes()
            } else if redacted(args, i) {
                b"(redacted)".to_vec()
            } else if arg.len() > MAX_ARG_LEN {
                let mut v = arg[..MAX_ARG_LEN].to_vec();
                v.extend_from_slice(format!("... ({} more bytes)", arg.len() - MAX_ARG_LEN).as_bytes());
                v
            } else {
                arg.to_vec()
            });
        }
        let entry = Entry {
            id: self.next_id.fetch_add(1, Relaxed),
            unix_secs: crate::server::unix_ms() / 1000,
            usec,
            args: logged,
            peer: peer_id(client),
            name: client.info.name.lock().clone().unwrap_or_default(),
        };
        let mut entries = self.entries.lock();
        entries.push_front(entry);
        entries.truncate(max_len);
    }
}

/// Secrets never reach the log: AUTH's arguments, HELLO's AUTH credentials, and
/// the value of `requirepass` in CONFIG SET.
fn redacted(args: &Args, i: usize) -> bool {
    if i == 0 {
        return false;
    }
    if args.is(0, "auth") {
        return true;
    }
    if args.is(0, "hello") {
        return args.is(i - 1, "auth") || (i >= 2 && args.is(i - 2, "auth"));
    }
    args.is(0, "config")
        && args.len() > 2
        && args.is(1, "set")
        && i >= 3
        && i % 2 == 1
        && args.is(i - 1, "requirepass")
}

fn slowlog_get(ctx: &mut Ctx) -> CmdResult {
    if ctx.args.len() > 3 {
        return Err(CmdError::err(format_args!(
            "unknown subcommand or wrong number of arguments for '{}'. Try SLOWLOG HELP.",
            String::from_utf8_lossy(ctx.args.get(1))
        )));
    }
    let count = if ctx.args.len() == 3 {
        match ctx.args.int(2) {
            Ok(n) if n >= -1 => n,
            _ => return Err(CmdError::err("count should be greater than or equal to -1")),
        }
    } else {
        10
    };
    let entries = ctx.server.slowlog.entries.lock();
    let n = if count == -1 { entries.len() } else { entries.len().min(count as usize) };
    ctx.out.array(n);
    for e in entries.iter().take(n) {
        ctx.out.array(6);
        ctx.out.int(e.id as i64);
        ctx.out.int(e.unix_secs as i64);
        ctx.out.int(e.usec as i64);
        ctx.out.bulks(e.args.iter().map(|a| a.as_slice()));
        ctx.out.bulk(e.peer.as_bytes());
        ctx.out.bulk(&e.name);
    }
    Ok(())
}

fn slowlog_len(ctx: &mut Ctx) -> CmdResult {
    ctx.out.int(ctx.server.slowlog.entries.lock().len() as i64);
    Ok(())
}

fn slowlog_reset(ctx: &mut Ctx) -> CmdResult {
    ctx.server.slowlog.entries.lock().clear();
    ctx.out.ok();
    Ok(())
}

fn slowlog_help(ctx: &mut Ctx) -> CmdResult {
    help_reply(
        ctx.out,
        "SLOWLOG",
        &[
            "GET [<count>]",
            "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
            "    Entries are made of:",
            "    id, timestamp, time in microseconds, arguments array, client IP and port,",
            "    client name",
            "LEN",
            "    Return the length of the slowlog.",
            "RESET",
            "    Reset the slowlog.",
        ],
    );
    Ok(())
}
