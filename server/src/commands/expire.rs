//! Expiry commands (Redis's `expire.c`): EXPIRE and friends, TTL and friends, PERSIST.

use super::{Arg, ArgType, CmdError, CmdResult, Command, Ctx, KeySpec};

const RW_UPDATE: &[KeySpec] = &[KeySpec::at(1, &["RW", "update"])];
const RO_ACCESS: &[KeySpec] = &[KeySpec::at(1, &["RO", "access"])];

const KEY: Arg = Arg::key("key", 0);
const KEY_ONLY: &[Arg] = &[KEY];
/// The NX/XX/GT/LT option of the expire setters.
const CONDITION: Arg = Arg::new("condition", ArgType::Oneof).since("7.0.0").flags(&["optional"]).args(&[
    Arg::pure("nx", "NX"),
    Arg::pure("xx", "XX"),
    Arg::pure("gt", "GT"),
    Arg::pure("lt", "LT"),
]);

/// An expire-setting command: arity -3, `write fast`, one RW key; `args` documents
/// its arguments (the key, the time, the condition).
const fn setter(
    name: &'static str,
    handler: super::Handler,
    since: &'static str,
    summary: &'static str,
    args: &'static [Arg],
) -> Command {
    Command {
        name,
        arity: -3,
        flags: &["write", "fast"],
        acl: &["@keyspace", "@write", "@fast"],
        range: (1, 1, 1),
        key_specs: RW_UPDATE,
        handler,
        group: "generic",
        since,
        summary,
        complexity: "O(1)",
        history: &[("7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`.")],
        args,
        ..Command::DEFAULT
    }
}

/// A TTL-reading command: arity 2, `readonly fast`, one RO key.
const fn getter(
    name: &'static str,
    handler: super::Handler,
    tips: &'static [&'static str],
    since: &'static str,
    summary: &'static str,
    history: &'static [(&'static str, &'static str)],
) -> Command {
    Command {
        name,
        arity: 2,
        flags: &["readonly", "fast"],
        acl: &["@keyspace", "@read", "@fast"],
        tips,
        range: (1, 1, 1),
        key_specs: RO_ACCESS,
        handler,
        group: "generic",
        since,
        summary,
        complexity: "O(1)",
        history,
        args: KEY_ONLY,
        ..Command::DEFAULT
    }
}

/// TTL and PTTL return -2 for a missing key since 2.8.0.
const MISSING_KEY_REPLY: &[(&str, &str)] = &[("2.8.0", "Added the -2 reply.")];

pub static COMMANDS: &[Command] = &[
    setter(
        "expire",
        expire,
        "1.0.0",
        "Set a key's time to live in seconds",
        &[KEY, Arg::new("seconds", ArgType::Integer), CONDITION],
    ),
    setter(
        "pexpire",
        pexpire,
        "2.6.0",
        "Set a key's time to live in milliseconds",
        &[KEY, Arg::new("milliseconds", ArgType::Integer), CONDITION],
    ),
    setter(
        "expireat",
        expireat,
        "1.2.0",
        "Set the expiration for a key as a UNIX timestamp",
        &[KEY, Arg::new("unix-time-seconds", ArgType::UnixTime), CONDITION],
    ),
    setter(
        "pexpireat",
        pexpireat,
        "2.6.0",
        "Set the expiration for a key as a UNIX timestamp specified in milliseconds",
        &[KEY, Arg::new("unix-time-milliseconds", ArgType::UnixTime), CONDITION],
    ),
    getter(
        "ttl",
        ttl,
        &["nondeterministic_output"],
        "1.0.0",
        "Get the time to live for a key in seconds",
        MISSING_KEY_REPLY,
    ),
    getter(
        "pttl",
        pttl,
        &["nondeterministic_output"],
        "2.6.0",
        "Get the time to live for a key in milliseconds",
        MISSING_KEY_REPLY,
    ),
    getter("expiretime", expiretime, &[], "7.0.0", "Get the expiration Unix timestamp for a key", &[]),
    getter(
        "pexpiretime",
        pexpiretime,
        &[],
        "7.0.0",
        "Get the expiration Unix timestamp for a key in milliseconds",
        &[],
    ),
    Command {
        name: "persist",
        arity: 2,
        flags: &["write", "fast"],
        acl: &["@keyspace", "@write", "@fast"],
        range: (1, 1, 1),
        key_specs: RW_UPDATE,
        handler: persist,
        group: "generic",
        since: "2.2.0",
        summary: "Remove the expiration from a key",
        complexity: "O(1)",
        args: KEY_ONLY,
        ..Command::DEFAULT
    },
];

fn expire(ctx: &mut Ctx) -> CmdResult {
    set_expire(ctx, true, true)
}

fn pexpire(ctx: &mut Ctx) -> CmdResult {
    set_expire(ctx, false, true)
}

fn expireat(ctx: &mut Ctx) -> CmdResult {
    set_expire(ctx, true, false)
}

fn pexpireat(ctx: &mut Ctx) -> CmdResult {
    set_expire(ctx, false, false)
}

/// The NX / XX / GT / LT conditions of the EXPIRE family.
#[derive(Default)]
struct Conditions {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
}

impl Conditions {
    /// Parses the options after the time, rejecting the combinations Redis rejects.
    fn parse(ctx: &Ctx) -> Result<Conditions, CmdError> {
        let mut c = Conditions::default();
        for i in 3..ctx.args.len() {
            let flag = match ctx.args.get(i).to_ascii_lowercase().as_slice() {
                b"nx" => &mut c.nx,
                b"xx" => &mut c.xx,
                b"gt" => &mut c.gt,
                b"lt" => &mut c.lt,
                _ => {
                    return Err(CmdError::err(format_args!(
                        "Unsupported option {}",
                        String::from_utf8_lossy(ctx.args.get(i))
                    )))
                }
            };
            *flag = true;
        }
        if c.nx && (c.xx || c.gt || c.lt) {
            return Err(CmdError::err("NX and XX, GT or LT options at the same time are not compatible"));
        }
        if c.gt && c.lt {
            return Err(CmdError::err("GT and LT options at the same time are not compatible"));
        }
        Ok(c)
    }

    /// Whether a new expiry `when` may replace `current` (-1: none, an infinite TTL).
    fn allow(&self, current: i64, when: i64) -> bool {
        !((self.nx && current != -1)
            || (self.xx && current == -1)
            || (self.gt && (current == -1 || when <= current))
            || (self.lt && current != -1 && when >= current))
    }
}

/// EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT. A time already past deletes the key.
fn set_expire(ctx: &mut Ctx, seconds: bool, relative: bool) -> CmdResult {
    let conditions = Conditions::parse(ctx)?;
    let mut when = ctx.args.int(2)?;
    let invalid = || {
        CmdError::err(format_args!(
            "invalid expire time in '{}' command",
            String::from_utf8_lossy(ctx.args.get(0)).to_ascii_lowercase()
        ))
    };
    if seconds {
        when = when.checked_mul(1000).ok_or_else(invalid)?;
    }
    let base = if relative { ctx.now_ms as i64 } else { 0 };
    when = when.checked_add(base).ok_or_else(invalid)?;

    let key = ctx.args.get(1);
    let Some(entry) = ctx.keys.write(key) else {
        ctx.out.int(0);
        return Ok(());
    };
    let current = if entry.expire_at == 0 { -1 } else { entry.expire_at as i64 };
    if !conditions.allow(current, when) {
        ctx.out.int(0);
        return Ok(());
    }
    if when <= ctx.now_ms as i64 {
        ctx.keys.remove(key);
    } else {
        ctx.keys.set_expire(key, when as u64);
    }
    ctx.dirty(1);
    ctx.out.int(1);
    Ok(())
}

fn ttl(ctx: &mut Ctx) -> CmdResult {
    report_expire(ctx, false, false)
}

fn pttl(ctx: &mut Ctx) -> CmdResult {
    report_expire(ctx, true, false)
}

fn expiretime(ctx: &mut Ctx) -> CmdResult {
    report_expire(ctx, false, true)
}

fn pexpiretime(ctx: &mut Ctx) -> CmdResult {
    report_expire(ctx, true, true)
}

/// TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 for a missing key, -1 without expiry;
/// seconds are rounded to the nearest, as Redis does.
fn report_expire(ctx: &mut Ctx, ms: bool, absolute: bool) -> CmdResult {
    let now = ctx.now_ms;
    let reply = match ctx.keys.peek(ctx.args.get(1)) {
        None => -2,
        Some(e) if e.expire_at == 0 => -1,
        Some(e) => {
            let t = if absolute { e.expire_at } else { e.expire_at.saturating_sub(now) } as i64;
            if ms {
                t
            } else {
                // Wide arithmetic: Redis's result for expiries near i64::MAX.
                ((t as i128 + 500) / 1000) as i64
            }
        }
    };
    ctx.out.int(reply);
    Ok(())
}

fn persist(ctx: &mut Ctx) -> CmdResult {
    let key = ctx.args.get(1);
    let had = ctx.keys.write(key).is_some_and(|e| e.expire_at != 0);
    if had {
        ctx.keys.set_expire(key, 0);
        ctx.dirty(1);
    }
    ctx.out.int(had as i64);
    Ok(())
}
