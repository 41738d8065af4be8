//! MEMORY: memory usage of keys and of the server, and allocator controls.

use std::sync::atomic::Ordering::Relaxed;

use super::command::help_reply;
use super::{Arg, ArgType, CmdError, CmdResult, Command, Ctx, KeySpec};
use crate::keyspace::Entry;
use crate::stats;

pub static COMMANDS: &[Command] = &[Command {
    name: "memory",
    arity: -2,
    acl: &["@slow"],
    subcommands: &[
        Command {
            name: "doctor",
            arity: 2,
            acl: &["@slow"],
            tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
            handler: memory_doctor,
            group: "server",
            since: "4.0.0",
            summary: "Outputs memory problems report",
            complexity: "O(1)",
            ..Command::DEFAULT
        },
        Command {
            name: "help",
            arity: 2,
            flags: &["loading", "stale"],
            acl: &["@slow"],
            handler: memory_help,
            group: "server",
            since: "4.0.0",
            summary: "Show helpful text about the different subcommands",
            complexity: "O(1)",
            ..Command::DEFAULT
        },
        Command {
            name: "malloc-stats",
            arity: 2,
            acl: &["@slow"],
            tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
            handler: memory_malloc_stats,
            group: "server",
            since: "4.0.0",
            summary: "Show allocator internal stats",
            complexity: "Depends on how much memory is allocated, could be slow",
            ..Command::DEFAULT
        },
        Command {
            name: "purge",
            arity: 2,
            acl: &["@slow"],
            tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
            handler: memory_purge,
            group: "server",
            since: "4.0.0",
            summary: "Ask the allocator to release memory",
            complexity: "Depends on how much memory is allocated, could be slow",
            ..Command::DEFAULT
        },
        Command {
            name: "stats",
            arity: 2,
            acl: &["@slow"],
            tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
            handler: memory_stats,
            group: "server",
            since: "4.0.0",
            summary: "Show memory usage details",
            complexity: "O(1)",
            ..Command::DEFAULT
        },
        Command {
            name: "usage",
            arity: -3,
            flags: &["readonly"],
            acl: &["@read", "@slow"],
            range: (2, 2, 1),
            key_specs: &[KeySpec::at(2, &["RO"])],
            handler: memory_usage,
            group: "server",
            since: "4.0.0",
            summary: "Estimate the memory usage of a key",
            complexity: "O(N) where N is the number of samples.",
            args: &[
                Arg::key("key", 0),
                Arg::new("count", ArgType::Integer).token("SAMPLES").flags(&["optional"]),
            ],
            ..Command::DEFAULT
        },
    ],
    group: "server",
    since: "4.0.0",
    summary: "A container for memory diagnostics commands",
    complexity: "Depends on subcommand.",
    ..Command::DEFAULT
}];

/// Bytes an entry occupies: the entry block, its key and value bytes beyond what
/// the entry holds inline, and its slot in the shard's table.
pub fn entry_size(e: &Entry) -> usize {
    std::mem::size_of::<Entry>() + e.key.heap_size() + e.value.heap_size() + SLOT_SIZE
}

/// A table slot: the entry pointer plus one control byte.
const SLOT_SIZE: usize = std::mem::size_of::<usize>() + 1;

fn memory_usage(ctx: &mut Ctx) -> CmdResult {
    let mut i = 3;
    while i < ctx.args.len() {
        if ctx.args.is(i, "samples") && i + 1 < ctx.args.len() {
            // Values are not sampled (a string's size is exact), but the count is
            // validated as Redis does.
            if ctx.args.int(i + 1)? < 0 {
                return Err(CmdError::Syntax);
            }
            i += 2;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    match ctx.keys.write(ctx.args.get(2)) {
        Some(e) => {
            let n = entry_size(e);
            ctx.out.int(n as i64);
        }
        None => ctx.out.null(),
    }
    Ok(())
}

fn memory_stats(ctx: &mut Ctx) -> CmdResult {
    let used = stats::used_memory() as i64;
    let peak = stats::peak_memory() as i64;
    let startup = ctx.server.startup_memory as i64;
    let rss = stats::rss_bytes() as i64;
    let clients: usize = ctx.server.clients.list().iter().map(|c| c.query_buf.load(Relaxed)).sum();
    let dbs: Vec<(usize, usize, usize)> = ctx
        .server
        .keyspace
        .dbs
        .iter()
        .enumerate()
        .map(|(i, db)| {
            let (keys, expires) = db.counts();
            (i, keys, expires)
        })
        .filter(|&(_, keys, _)| keys > 0)
        .collect();
    let keys: usize = dbs.iter().map(|d| d.1).sum();
    let table_overhead: i64 = dbs.iter().map(|d| (d.1 * SLOT_SIZE) as i64).sum();
    let overhead = startup + clients as i64 + table_overhead;
    let dataset = (used - overhead).max(0);
    let net = (used - startup).max(0);
    let out = &mut *ctx.out;
    out.map(27 + dbs.len());
    let ints: [(&str, i64); 10] = [
        ("peak.allocated", peak),
        ("total.allocated", used),
        ("startup.allocated", startup),
        ("replication.backlog", 0),
        ("clients.slaves", 0),
        ("clients.normal", clients as i64),
        ("cluster.links", 0),
        ("aof.buffer", 0),
        ("lua.caches", 0),
        ("functions.caches", 0),
    ];
    for (name, v) in ints {
        out.bulk(name.as_bytes());
        out.int(v);
    }
    for (i, keys, expires) in &dbs {
        out.bulk(format!("db.{i}").as_bytes());
        out.map(3);
        out.bulk(b"overhead.hashtable.main");
        out.int((keys * SLOT_SIZE) as i64);
        out.bulk(b"overhead.hashtable.expires");
        out.int((expires * SLOT_SIZE) as i64);
        out.bulk(b"overhead.hashtable.slot-to-keys");
        out.int(0);
    }
    let pct = |a: i64, b: i64| if b <= 0 { 0.0 } else { a as f64 * 100.0 / b as f64 };
    let ratio = |a: i64, b: i64| if b <= 0 { 0.0 } else { a as f64 / b as f64 };
    out.bulk(b"overhead.total");
    out.int(overhead);
    out.bulk(b"keys.count");
    out.int(keys as i64);
    out.bulk(b"keys.bytes-per-key");
    out.int(if keys == 0 { 0 } else { net / keys as i64 });
    out.bulk(b"dataset.bytes");
    out.int(dataset);
    out.bulk(b"dataset.percentage");
    out.double(pct(dataset, net));
    out.bulk(b"peak.percentage");
    out.double(pct(used, peak));
    for (name, v) in [("allocator.allocated", used), ("allocator.active", used), ("allocator.resident", rss)]
    {
        out.bulk(name.as_bytes());
        out.int(v);
    }
    out.bulk(b"allocator-fragmentation.ratio");
    out.double(1.0);
    out.bulk(b"allocator-fragmentation.bytes");
    out.int(0);
    out.bulk(b"allocator-rss.ratio");
    out.double(ratio(rss, used));
    out.bulk(b"allocator-rss.bytes");
    out.int(rss - used);
    out.bulk(b"rss-overhead.ratio");
    out.double(1.0);
    out.bulk(b"rss-overhead.bytes");
    out.int(0);
    out.bulk(b"fragmentation");
    out.double(ratio(rss, used));
    out.bulk(b"fragmentation.bytes");
    out.int(rss - used);
    Ok(())
}

/// Below this much memory there is nothing to diagnose (Redis's threshold too).
const DOCTOR_MIN_MEMORY: usize = 5 << 20;

fn memory_doctor(ctx: &mut Ctx) -> CmdResult {
    let text = if stats::used_memory() < DOCTOR_MIN_MEMORY {
        "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n"
    } else {
        "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n"
    };
    ctx.out.verbatim("txt", text.as_bytes());
    Ok(())
}

fn memory_malloc_stats(ctx: &mut Ctx) -> CmdResult {
    unsafe extern "C" fn collect(msg: *const libc::c_char, arg: *mut libc::c_void) {
        // SAFETY: mimalloc passes a NUL-terminated message and our `arg` unchanged.
        let (msg, out) = unsafe { (std::ffi::CStr::from_ptr(msg), &mut *(arg as *mut String)) };
        out.push_str(&msg.to_string_lossy());
    }
    let mut text = String::new();
    // SAFETY: `collect` only appends to `text`, which outlives the call.
    unsafe {
        libmimalloc_sys::mi_stats_print_out(Some(collect), &mut text as *mut String as *mut libc::c_void)
    };
    ctx.out.verbatim("txt", text.as_bytes());
    Ok(())
}

fn memory_purge(ctx: &mut Ctx) -> CmdResult {
    // SAFETY: mi_collect only returns free pages to the OS.
    unsafe { libmimalloc_sys::mi_collect(true) };
    ctx.out.ok();
    Ok(())
}

fn memory_help(ctx: &mut Ctx) -> CmdResult {
    help_reply(
        ctx.out,
        "MEMORY",
        &[
            "DOCTOR",
            "    Return memory problems reports.",
            "MALLOC-STATS",
            "    Return internal statistics report from the memory allocator.",
            "PURGE",
            "    Attempt to purge dirty pages for reclamation by the allocator.",
            "STATS",
            "    Return information about the memory usage of the server.",
            "USAGE <key> [SAMPLES <count>]",
            "    Return memory in bytes used by <key> and its value. Nested values are",
            "    sampled up to <count> times (default: 5, 0 means sample all).",
        ],
    );
    Ok(())
}
