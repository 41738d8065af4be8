//! OBJECT (Redis's `object.c`): how a key's value is stored and accessed.

use super::{Arg, CmdError, CmdResult, Command, Ctx, KeySpec};
use crate::keyspace::{lfu, Entry, Value};
use crate::server::Server;

const INSPECT: &[KeySpec] = &[KeySpec::at(2, &["RO"])];
const INSPECT_ARGS: &[Arg] = &[Arg::key("key", 0)];

/// An OBJECT subcommand that inspects the key at argument 2.
const fn inspect(
    name: &'static str,
    handler: super::Handler,
    since: &'static str,
    summary: &'static str,
) -> Command {
    Command {
        name,
        arity: 3,
        flags: &["readonly"],
        acl: &["@keyspace", "@read", "@slow"],
        tips: &["nondeterministic_output"],
        range: (2, 2, 1),
        key_specs: INSPECT,
        handler,
        group: "generic",
        since,
        summary,
        complexity: "O(1)",
        args: INSPECT_ARGS,
        ..Command::DEFAULT
    }
}

pub static COMMANDS: &[Command] = &[Command {
    name: "object",
    arity: -2,
    acl: &["@slow"],
    subcommands: &[
        Command {
            name: "help",
            arity: 2,
            flags: &["loading", "stale"],
            acl: &["@keyspace", "@slow"],
            handler: help,
            group: "generic",
            since: "6.2.0",
            summary: "Show helpful text about the different subcommands",
            complexity: "O(1)",
            ..Command::DEFAULT
        },
        inspect("freq", freq, "4.0.0", "Get the logarithmic access frequency counter of a Redis object"),
        inspect("encoding", encoding, "2.2.3", "Inspect the internal encoding of a Redis object"),
        inspect("idletime", idletime, "2.2.3", "Get the time since a Redis object was last accessed"),
        inspect("refcount", refcount, "2.2.3", "Get the number of references to the value of the key"),
    ],
    group: "generic",
    since: "2.2.3",
    summary: "A container for object introspection commands",
    complexity: "Depends on subcommand.",
    ..Command::DEFAULT
}];

/// HELP lines between the header and the HELP entry that `help_reply` adds.
const HELP: &[&str] = &[
    "ENCODING <key>",
    "    Return the kind of internal representation used in order to store the value",
    "    associated with a <key>.",
    "FREQ <key>",
    "    Return the access frequency index of the <key>. The returned integer is",
    "    proportional to the logarithm of the recent access frequency of the key.",
    "IDLETIME <key>",
    "    Return the idle time of the <key>, that is the approximated number of",
    "    seconds elapsed since the last access to the key.",
    "REFCOUNT <key>",
    "    Return the number of references of the value associated with the specified",
    "    <key>.",
];

fn help(ctx: &mut Ctx) -> CmdResult {
    super::command::help_reply(ctx.out, "OBJECT", HELP);
    Ok(())
}

/// Runs `report` on the key at argument 2, or replies null when it is missing.
/// The lookup counts a hit or miss but is not an access.
fn with_key(ctx: &mut Ctx, report: impl FnOnce(&Entry, &Server, u64) -> Result<i64, CmdError>) -> CmdResult {
    let (key, server, now) = (ctx.args.get(2), ctx.server, ctx.now_ms);
    let result = match ctx.keys.peek(key) {
        None => None,
        Some(e) => Some(report(e, server, now)?),
    };
    match result {
        Some(n) => ctx.out.int(n),
        None => ctx.out.null(),
    }
    Ok(())
}

fn encoding(ctx: &mut Ctx) -> CmdResult {
    match ctx.keys.peek(ctx.args.get(2)) {
        Some(e) => {
            let name = e.encoding_name();
            ctx.out.bulk(name.as_bytes())
        }
        None => ctx.out.null(),
    }
    Ok(())
}

const POLICY_NOTE: &str =
    "Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";

fn freq(ctx: &mut Ctx) -> CmdResult {
    with_key(ctx, |e, server, now| {
        if !server.config.read().maxmemory_policy.contains("lfu") {
            return Err(CmdError::err(format_args!(
                "An LFU maxmemory policy is not selected, access frequency not tracked. {POLICY_NOTE}"
            )));
        }
        Ok(lfu::counter(e.access, lfu::minutes(now)) as i64)
    })
}

fn idletime(ctx: &mut Ctx) -> CmdResult {
    with_key(ctx, |e, server, _| {
        if server.config.read().maxmemory_policy.contains("lfu") {
            return Err(CmdError::err(format_args!(
                "An LFU maxmemory policy is selected, idle time not tracked. {POLICY_NOTE}"
            )));
        }
        // The clock may have wrapped past the stamp, as Redis's 24-bit LRU clock does.
        const CLOCK_MAX: u32 = (1 << 24) - 1;
        let (clock, access) = (server.lru_clock() & CLOCK_MAX, e.access & CLOCK_MAX);
        let idle = if clock >= access { clock - access } else { clock + (CLOCK_MAX - access) };
        Ok(idle as i64)
    })
}

/// Redis shares the integer objects 0..9999 (reference count `i32::MAX`) unless an
/// LRU/LFU policy with a memory limit needs per-object access data; all other
/// values (copies included) have one reference.
fn refcount(ctx: &mut Ctx) -> CmdResult {
    with_key(ctx, |e, server, _| {
        let config = server.config.read();
        let tracked = config.maxmemory != 0
            && (config.maxmemory_policy.contains("lru") || config.maxmemory_policy.contains("lfu"));
        let shared = !tracked
            && e.str_encoding.may_share()
            && e.encoding_name() == "int"
            && match &e.value {
                Value::Str(s) => {
                    crate::protocol::parser::parse_i64(s).is_some_and(|v| (0..10_000).contains(&v))
                }
            };
        Ok(if shared { i32::MAX as i64 } else { 1 })
    })
}
