//! DEBUG: the subset of Redis's debugging commands that tests and tools rely on —
//! SLEEP, SET-ACTIVE-EXPIRE, OBJECT, PROTOCOL, ERROR, LOG, HELP. Refused unless
//! `enable-debug-command` allows the client, as in Redis 7.

use std::sync::atomic::Ordering::Relaxed;

use super::command::help_reply;
use super::config::enabled_for;
use super::{CmdError, CmdResult, Command, Ctx, Locking};
use crate::keyspace::value::string_encoding;
use crate::keyspace::Value;
use crate::protocol::parser::parse_i64;

pub static COMMANDS: &[Command] = &[Command {
    name: "debug",
    arity: -2,
    flags: &["admin", "noscript", "loading", "stale"],
    acl: &["@admin", "@slow", "@dangerous"],
    locking: Locking::Manual,
    handler: debug,
    group: "server",
    since: "1.0.0",
    summary: "A container for debugging commands",
    complexity: "Depends on subcommand.",
    doc_flags: &["syscmd"],
    ..Command::DEFAULT
}];

fn debug(ctx: &mut Ctx) -> CmdResult {
    if !enabled_for(&ctx.server.config.read().enable_debug_command, ctx.client) {
        return Err(CmdError::err(
            "DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.",
        ));
    }
    let args = ctx.args;
    let sub = String::from_utf8_lossy(args.get(1)).to_ascii_lowercase();
    match (sub.as_str(), args.len()) {
        ("help", 2) => help(ctx),
        ("sleep", 3) => {
            let secs = super::args::parse_float(args.get(2)).unwrap_or(0.0);
            if secs > 0.0 {
                std::thread::sleep(std::time::Duration::from_secs_f64(secs.min(1e9)));
            }
            ctx.out.ok();
        }
        ("set-active-expire", 3) => {
            ctx.server.active_expire.store(parse_i64(args.get(2)).unwrap_or(0) != 0, Relaxed);
            ctx.out.ok();
        }
        ("object", 3) => return object(ctx),
        // The argument is the whole error text, code included.
        ("error", 3) => return Err(CmdError::Msg(String::from_utf8_lossy(args.get(2)).into_owned())),
        ("log", 3) => {
            tracing::warn!("DEBUG LOG: {}", String::from_utf8_lossy(args.get(2)));
            ctx.out.ok();
        }
        ("protocol", 3) => return protocol(ctx),
        _ => {
            return Err(CmdError::err(format_args!(
                "unknown subcommand or wrong number of arguments for '{}'. Try DEBUG HELP.",
                String::from_utf8_lossy(args.get(1))
            )))
        }
    }
    Ok(())
}

/// Redis shares one object for the integers below this, with a pinned refcount.
const SHARED_INTEGERS: i64 = 10000;
const SHARED_REFCOUNT: i64 = i32::MAX as i64;

/// DEBUG OBJECT key, in Redis's line format. `serializedlength` is the RDB size of
/// the value without LZF compression.
fn object(ctx: &mut Ctx) -> CmdResult {
    let key = ctx.args.get(2);
    let db = ctx.client.db;
    let mut locked = ctx.server.keyspace.lock([(db, key)]);
    let Some(e) = locked.lookup(db, key, ctx.now_ms) else {
        return Err(CmdError::NoSuchKey);
    };
    let Value::Str(s) = &e.value;
    let encoding = string_encoding(s, e.str_encoding);
    let refcount = match parse_i64(s) {
        Some(v) if encoding == "int" && (0..SHARED_INTEGERS).contains(&v) => SHARED_REFCOUNT,
        _ => 1,
    };
    let started = ctx.server.started_unix_ms / 1000;
    let lru = (started + e.access as u64) & ((1 << 24) - 1);
    let idle = ctx.server.lru_clock().saturating_sub(e.access);
    let line = format!(
        "Value at:{:p} refcount:{refcount} encoding:{encoding} serializedlength:{} lru:{lru} lru_seconds_idle:{idle}",
        e as *const _,
        rdb_string_len(s)
    );
    drop(locked);
    ctx.out.simple(&line);
    Ok(())
}

/// Bytes of a string in an RDB file: integers that fit 32 bits as 1 + 1/2/4 bytes,
/// other strings as a length prefix plus the bytes.
fn rdb_string_len(s: &[u8]) -> usize {
    if s.len() <= 11 {
        if let Some(v) = parse_i64(s) {
            if v.to_string().as_bytes() == s {
                if i8::try_from(v).is_ok() {
                    return 2;
                } else if i16::try_from(v).is_ok() {
                    return 3;
                } else if i32::try_from(v).is_ok() {
                    return 5;
                }
            }
        }
    }
    let prefix = match s.len() {
        0..64 => 1,
        64..16384 => 2,
        n if n <= u32::MAX as usize => 5,
        _ => 9,
    };
    prefix + s.len()
}

/// DEBUG PROTOCOL type: one sample reply of each RESP type, as Redis's client tests
/// expect them.
fn protocol(ctx: &mut Ctx) -> CmdResult {
    let out = &mut *ctx.out;
    let name = String::from_utf8_lossy(ctx.args.get(2)).to_ascii_lowercase();
    match name.as_str() {
        "string" => out.bulk(b"Hello World"),
        "integer" => out.int(12345),
        // Redis's sample value, not an approximation of pi.
        #[allow(clippy::approx_constant)]
        "double" => out.double(3.141),
        "bignum" => out.big_number("1234567999999999999999999999999999999"),
        "null" => out.null(),
        "array" | "set" => {
            if name == "set" {
                out.set(3)
            } else {
                out.array(3)
            }
            (0..3).for_each(|i| out.int(i));
        }
        "map" => {
            out.map(3);
            for i in 0..3 {
                out.int(i);
                out.boolean(i == 1);
            }
        }
        "attrib" => {
            if out.is_resp3() {
                out.attribute(1);
                out.bulk(b"key-popularity");
                out.array(2);
                out.bulk(b"key:123");
                out.int(90);
            }
            out.bulk(b"Some real reply following the attribute");
        }
        "push" => {
            if !out.is_resp3() {
                return Err(CmdError::err("RESP2 is not supported by this command"));
            }
            out.push(2);
            out.bulk(b"server-cpu-usage");
            out.int(42);
            out.bulk(b"Some real reply following the push reply");
        }
        "true" => out.boolean(true),
        "false" => out.boolean(false),
        "verbatim" => out.verbatim("txt", b"This is a verbatim\nstring"),
        _ => {
            return Err(CmdError::err(
                "Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false",
            ))
        }
    }
    Ok(())
}

fn help(ctx: &mut Ctx) {
    help_reply(
        ctx.out,
        "DEBUG",
        &[
            "ERROR <string>",
            "    Return a Redis protocol error with <string> as message. Useful for clients",
            "    unit tests to simulate Redis errors.",
            "LOG <message>",
            "    Write <message> to the server log.",
            "OBJECT <key>",
            "    Show low level info about `key` and associated value.",
            "PROTOCOL <type>",
            "    Reply with a test value of the specified type. <type> can be: string,",
            "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
            "    true, false.",
            "SET-ACTIVE-EXPIRE <0|1>",
            "    Setting it to 0 disables expiring keys in background when they are not",
            "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
            "    default.",
            "SLEEP <seconds>",
            "    Stop the server for <seconds>. Decimals allowed.",
        ],
    );
}
