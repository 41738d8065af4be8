//! String commands (Redis's `t_string.c`): GET, SET and friends.

use super::{Arg, ArgType, CmdError, CmdResult, Command, Ctx, KeySpec};
use crate::keyspace::Value;

pub static COMMANDS: &[Command] = &[
    Command {
        name: "get",
        arity: 2,
        flags: &["readonly", "fast"],
        acl: &["@read", "@string", "@fast"],
        range: (1, 1, 1),
        key_specs: &[KeySpec::at(1, &["RO", "access"])],
        handler: get,
        group: "string",
        since: "1.0.0",
        summary: "Get the value of a key",
        complexity: "O(1)",
        args: &[Arg::key("key", 0)],
        ..Command::DEFAULT
    },
    Command {
        name: "set",
        arity: -3,
        flags: &["write", "denyoom"],
        acl: &["@write", "@string", "@slow"],
        range: (1, 1, 1),
        key_specs: &[KeySpec {
            notes: Some("RW and ACCESS due to the optional `GET` argument"),
            ..KeySpec::at(1, &["RW", "access", "update", "variable_flags"])
        }],
        handler: set,
        group: "string",
        since: "1.0.0",
        summary: "Set the string value of a key",
        complexity: "O(1)",
        history: &[
            ("2.6.12", "Added the `EX`, `PX`, `NX` and `XX` options."),
            ("6.0.0", "Added the `KEEPTTL` option."),
            ("6.2.0", "Added the `GET`, `EXAT` and `PXAT` option."),
            ("7.0.0", "Allowed the `NX` and `GET` options to be used together."),
        ],
        args: &[
            Arg::key("key", 0),
            Arg::new("value", ArgType::String),
            Arg::new("condition", ArgType::Oneof)
                .since("2.6.12")
                .flags(&["optional"])
                .args(&[Arg::pure("nx", "NX"), Arg::pure("xx", "XX")]),
            Arg::pure("get", "GET").since("6.2.0").flags(&["optional"]),
            Arg::new("expiration", ArgType::Oneof).flags(&["optional"]).args(&[
                Arg::new("seconds", ArgType::Integer).token("EX").since("2.6.12"),
                Arg::new("milliseconds", ArgType::Integer).token("PX").since("2.6.12"),
                Arg::new("unix-time-seconds", ArgType::UnixTime).token("EXAT").since("6.2.0"),
                Arg::new("unix-time-milliseconds", ArgType::UnixTime).token("PXAT").since("6.2.0"),
                Arg::pure("keepttl", "KEEPTTL").since("6.0.0"),
            ]),
        ],
        ..Command::DEFAULT
    },
];

fn get(ctx: &mut Ctx) -> CmdResult {
    match ctx.keys.read_str(ctx.args.get(1))? {
        Some(v) => ctx.out.bulk(v),
        None => ctx.out.null(),
    }
    Ok(())
}

/// SET's options, parsed as Redis parses them.
#[derive(Default)]
struct SetOptions {
    nx: bool,
    xx: bool,
    get: bool,
    keepttl: bool,
    /// Absolute expiry in Unix ms.
    expire_at: Option<u64>,
}

#[derive(Clone, Copy, PartialEq)]
enum Unit {
    Ex,
    Px,
    Exat,
    Pxat,
}

fn parse_set_options(ctx: &Ctx) -> Result<SetOptions, CmdError> {
    let args = &ctx.args;
    let mut o = SetOptions::default();
    let mut expire: Option<(Unit, usize)> = None;
    let mut i = 3;
    while i < args.len() {
        let has_next = i + 1 < args.len();
        if args.is(i, "nx") && !o.xx {
            o.nx = true;
        } else if args.is(i, "xx") && !o.nx {
            o.xx = true;
        } else if args.is(i, "get") {
            o.get = true;
        } else if args.is(i, "keepttl") && expire.is_none() {
            o.keepttl = true;
        } else {
            let unit = [("ex", Unit::Ex), ("px", Unit::Px), ("exat", Unit::Exat), ("pxat", Unit::Pxat)]
                .into_iter()
                .find(|(w, _)| args.is(i, w))
                .map(|(_, u)| u);
            match unit {
                Some(u) if !o.keepttl && expire.is_none_or(|(e, _)| e == u) && has_next => {
                    expire = Some((u, i + 1));
                    i += 1;
                }
                _ => return Err(CmdError::Syntax),
            }
        }
        i += 1;
    }
    if let Some((unit, at)) = expire {
        o.expire_at = Some(expire_time(ctx, args.int(at)?, unit)?);
    }
    Ok(o)
}

/// Converts an expire argument to absolute Unix ms, with Redis's checks.
fn expire_time(ctx: &Ctx, v: i64, unit: Unit) -> Result<u64, CmdError> {
    let invalid = || CmdError::err(format_args!("invalid expire time in '{}' command", ctx_name(ctx)));
    let seconds = matches!(unit, Unit::Ex | Unit::Exat);
    if v <= 0 || (seconds && v > i64::MAX / 1000) {
        return Err(invalid());
    }
    let mut ms = if seconds { v * 1000 } else { v };
    if matches!(unit, Unit::Ex | Unit::Px) {
        ms = ms.checked_add(ctx.now_ms as i64).ok_or_else(invalid)?;
    }
    Ok(ms as u64)
}

fn ctx_name(ctx: &Ctx) -> String {
    String::from_utf8_lossy(ctx.args.get(0)).to_ascii_lowercase()
}

fn set(ctx: &mut Ctx) -> CmdResult {
    let o = parse_set_options(ctx)?;
    let (key, value) = (ctx.args.get(1), ctx.args.get(2));
    let old = ctx.keys.write(key);
    let found = old.is_some();
    let old_expire = old.as_ref().map_or(0, |e| e.expire_at);
    if o.get {
        match old {
            Some(e) => ctx.out.bulk(e.value.as_str()?),
            None => ctx.out.null(),
        }
    }
    if (o.nx && found) || (o.xx && !found) {
        if !o.get {
            ctx.out.null();
        }
        return Ok(());
    }
    let expire_at = o.expire_at.unwrap_or(if o.keepttl { old_expire } else { 0 });
    ctx.keys.store(key, Value::str(value), expire_at);
    ctx.dirty(1);
    if !o.get {
        ctx.out.ok();
    }
    Ok(())
}
