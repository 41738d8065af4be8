//! Running one request: resolve, check, lock, call, count.

use std::sync::atomic::Ordering::Relaxed;

use super::{table, unknown_command_error, Args, Ctx, Keys, Locking, ResolveError};
use crate::client::{Client, ReplyMode};
use crate::keyspace::{Locked, Touch};
use crate::protocol::reply::ReplyBuf;
use crate::server::{unix_us, Server};
use crate::stats;

/// Reusable buffers for dispatching, owned by a connection.
#[derive(Default)]
pub struct Scratch {
    positions: Vec<usize>,
}

/// Runs the request `args` for `client`, writing its reply to `out`.
pub fn execute(server: &Server, client: &mut Client, args: Args, out: &mut ReplyBuf, scratch: &mut Scratch) {
    let mark = out.buf.len();
    run(server, client, args, out, scratch);
    // The mode after the command decides: CLIENT REPLY ON answers even when it ends
    // an OFF or SKIP, and CLIENT REPLY SKIP only takes effect for the next command.
    match client.reply_mode {
        ReplyMode::On => {}
        ReplyMode::Off => out.buf.truncate(mark),
        ReplyMode::Skip => {
            out.buf.truncate(mark);
            client.reply_mode = ReplyMode::On;
        }
        ReplyMode::SkipNext => client.reply_mode = ReplyMode::Skip,
    }
}

fn run(server: &Server, client: &mut Client, args: Args, out: &mut ReplyBuf, scratch: &mut Scratch) {
    let table = table();
    let thread_stats = stats::local();
    let resolved = match table.resolve(&args) {
        Ok(r) => r,
        Err(e) => {
            client.info.last_cmd.store(usize::MAX, Relaxed);
            let msg = match e {
                ResolveError::Unknown => unknown_command_error(&args),
                ResolveError::UnknownSub => {
                    let sub = super::c_str(args.get(1));
                    let mut msg = b"ERR unknown subcommand '".to_vec();
                    msg.extend_from_slice(&sub[..sub.len().min(128)]);
                    msg.extend_from_slice(
                        format!("'. Try {} HELP.", super::args::upper(args.get(0))).as_bytes(),
                    );
                    msg
                }
                ResolveError::Arity => {
                    let (id, _) = table.lookup(args.get(0)).expect("arity error on a known command");
                    let id = match table.lookup_sub(id, if args.len() > 1 { args.get(1) } else { b"" }) {
                        Some((sub, _)) if args.len() > 1 => sub,
                        _ => id,
                    };
                    thread_stats.command(id).rejected.add(1);
                    client.info.last_cmd.store(id, Relaxed);
                    format!("ERR wrong number of arguments for '{}' command", table.full_name(id))
                        .into_bytes()
                }
            };
            error_reply(out, &msg);
            return;
        }
    };
    let cmd = resolved.cmd;
    client.info.last_cmd.store(resolved.id, Relaxed);
    let counters = thread_stats.command(resolved.id);
    if !client.authenticated && !cmd.has_flag("no_auth") {
        counters.rejected.add(1);
        error_reply(out, b"NOAUTH Authentication required.");
        return;
    }
    if client.monitor.is_some() && touches_keyspace(cmd, table.full_name(resolved.id)) {
        counters.rejected.add(1);
        error_reply(out, b"ERR Replica can't interact with the keyspace");
        return;
    }

    let locked = if cmd.locking == Locking::Keys && !cmd.key_specs.is_empty() {
        super::CommandTable::key_positions(cmd, &args, &mut scratch.positions);
        let db = client.db;
        server.keyspace.lock(scratch.positions.iter().map(|&i| (db, args.get(i))))
    } else {
        Locked::default()
    };

    // One clock read gives the command's time and its start; a second its duration.
    let started_us = unix_us();
    let now_ms = started_us / 1000;
    let db = client.db;
    let (touch, lru) = server.access_clock(now_ms);
    let lfu = touch == Touch::Lfu;
    let keys = Keys { locked, db, now_ms, lru, touch, lfu };
    let mut ctx = Ctx { server, client, args, out, now_ms, keys };
    let result = (cmd.handler)(&mut ctx);
    drop(ctx);
    if server.monitors.is_active() && !cmd.has_flag("admin") && !cmd.has_flag("skip_monitor") {
        server.monitors.feed(&server.clients, client, &args);
    }
    client.redacted = 0;
    let usec = unix_us().saturating_sub(started_us);
    server.slowlog.record(server, cmd, client, &args, usec);
    counters.calls.add(1);
    counters.usec.add(usec);
    if server.latency_tracking.load(std::sync::atomic::Ordering::Relaxed) {
        counters.record_latency(usec);
    }
    thread_stats.commands.add(1);
    if let Err(e) = result {
        counters.failed.add(1);
        error_reply(out, e.text().as_bytes());
    }
}

/// Whether a command reads or writes keys, which a client in MONITOR mode (a
/// replica-like client in Redis) may not run.
fn touches_keyspace(cmd: &super::Command, name: &str) -> bool {
    cmd.has_flag("write") || cmd.has_flag("readonly") || crate::net::pause::MAY_REPLICATE.contains(&name)
}

/// Writes an error reply and counts it in INFO errorstats.
pub fn error_reply(out: &mut ReplyBuf, msg: &[u8]) {
    stats::local().error(msg);
    out.error_bytes(msg);
}
