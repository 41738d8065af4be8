//! String commands (Redis's `t_string.c`): GET, SET and their variants, multi-key
//! MGET/MSET, in-place edits (APPEND, SETRANGE), counters (INCR..., INCRBYFLOAT),
//! ranges (GETRANGE) and LCS (in `lcs.rs`).
//!
//! Values keep the `StrEncoding` hint Redis's object encoding would have: values
//! taken from the client are `Auto`, strings edited in place are `Raw`, and
//! INCRBYFLOAT results are `NoInt` (Redis builds them without integer detection).

use std::sync::atomic::Ordering::Relaxed;

use super::{Arg, ArgType, Args, CmdError, CmdResult, Command, Ctx, KeySpec};
use crate::keyspace::{SmallBytes, StrEncoding, Value};

/// A string command whose only key is argument 1 (legacy range 1,1,1). Its documented
/// arguments are that key followed by `args`; other doc fields (deprecation) may follow
/// after a `;`.
macro_rules! single_key {
    ($name:literal, $arity:literal, $flags:expr, $acl:expr, $key_flags:expr, $handler:expr,
     $since:literal, $summary:literal, $complexity:expr, args: [$($arg:expr),*]
     $(; $($field:ident: $value:expr),*)?) => {
        Command {
            name: $name,
            arity: $arity,
            flags: $flags,
            acl: $acl,
            range: (1, 1, 1),
            key_specs: &[KeySpec::at(1, $key_flags)],
            handler: $handler,
            group: "string",
            since: $since,
            summary: $summary,
            complexity: $complexity,
            args: &[Arg::key("key", 0) $(, $arg)*],
            $($($field: $value,)*)?
            ..Command::DEFAULT
        }
    };
}

const RANGE_COMPLEXITY: &str = "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.";

pub static COMMANDS: &[Command] = &[
    single_key!("get", 2, &["readonly", "fast"], &["@read", "@string", "@fast"], &["RO", "access"], get,
        "1.0.0", "Get the value of a key", "O(1)", args: []),
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
    single_key!("setnx", 3, &["write", "denyoom", "fast"], &["@write", "@string", "@fast"], &["OW", "insert"],
        setnx, "1.0.0", "Set the value of a key, only if the key does not exist", "O(1)",
        args: [Arg::new("value", ArgType::String)]),
    single_key!("setex", 4, &["write", "denyoom"], &["@write", "@string", "@slow"], &["OW", "update"],
        setex, "2.0.0", "Set the value and expiration of a key", "O(1)",
        args: [Arg::new("seconds", ArgType::Integer), Arg::new("value", ArgType::String)]),
    single_key!("psetex", 4, &["write", "denyoom"], &["@write", "@string", "@slow"], &["OW", "update"],
        psetex, "2.6.0", "Set the value and expiration in milliseconds of a key", "O(1)",
        args: [Arg::new("milliseconds", ArgType::Integer), Arg::new("value", ArgType::String)]),
    single_key!("getset", 3, &["write", "denyoom", "fast"], &["@write", "@string", "@fast"],
        &["RW", "access", "update"], getset, "1.0.0",
        "Set the string value of a key and return its old value", "O(1)",
        args: [Arg::new("value", ArgType::String)];
        doc_flags: &["deprecated"], deprecated_since: "6.2.0", replaced_by: "`SET` with the `!GET` argument"),
    single_key!("getdel", 2, &["write", "fast"], &["@write", "@string", "@fast"], &["RW", "access", "delete"],
        getdel, "6.2.0", "Get the value of a key and delete the key", "O(1)", args: []),
    Command {
        name: "getex",
        arity: -2,
        flags: &["write", "fast"],
        acl: &["@write", "@string", "@fast"],
        range: (1, 1, 1),
        key_specs: &[KeySpec {
            notes: Some("RW and UPDATE because it changes the TTL"),
            ..KeySpec::at(1, &["RW", "access", "update"])
        }],
        handler: getex,
        group: "string",
        since: "6.2.0",
        summary: "Get the value of a key and optionally set its expiration",
        complexity: "O(1)",
        args: &[
            Arg::key("key", 0),
            Arg::new("expiration", ArgType::Oneof).flags(&["optional"]).args(&[
                Arg::new("seconds", ArgType::Integer).token("EX"),
                Arg::new("milliseconds", ArgType::Integer).token("PX"),
                Arg::new("unix-time-seconds", ArgType::UnixTime).token("EXAT"),
                Arg::new("unix-time-milliseconds", ArgType::UnixTime).token("PXAT"),
                Arg::pure("persist", "PERSIST"),
            ]),
        ],
        ..Command::DEFAULT
    },
    Command {
        name: "mget",
        arity: -2,
        flags: &["readonly", "fast"],
        acl: &["@read", "@string", "@fast"],
        tips: &["request_policy:multi_shard"],
        range: (1, -1, 1),
        key_specs: &[KeySpec::rest(1, 1, &["RO", "access"])],
        handler: mget,
        group: "string",
        since: "1.0.0",
        summary: "Get the values of all the given keys",
        complexity: "O(N) where N is the number of keys to retrieve.",
        args: &[Arg::key("key", 0).flags(&["multiple"])],
        ..Command::DEFAULT
    },
    Command {
        name: "mset",
        arity: -3,
        flags: &["write", "denyoom"],
        acl: &["@write", "@string", "@slow"],
        tips: &["request_policy:multi_shard", "response_policy:all_succeeded"],
        range: (1, -1, 2),
        key_specs: &[KeySpec::rest(1, 2, &["OW", "update"])],
        handler: mset,
        group: "string",
        since: "1.0.1",
        summary: "Set multiple keys to multiple values",
        complexity: "O(N) where N is the number of keys to set.",
        args: &[Arg::new("key_value", ArgType::Block)
            .flags(&["multiple"])
            .args(&[Arg::key("key", 0), Arg::new("value", ArgType::String)])],
        ..Command::DEFAULT
    },
    Command {
        name: "msetnx",
        arity: -3,
        flags: &["write", "denyoom"],
        acl: &["@write", "@string", "@slow"],
        tips: &["request_policy:multi_shard", "response_policy:agg_min"],
        range: (1, -1, 2),
        key_specs: &[KeySpec::rest(1, 2, &["OW", "insert"])],
        handler: msetnx,
        group: "string",
        since: "1.0.1",
        summary: "Set multiple keys to multiple values, only if none of the keys exist",
        complexity: "O(N) where N is the number of keys to set.",
        args: &[Arg::new("key_value", ArgType::Block)
            .flags(&["multiple"])
            .args(&[Arg::key("key", 0), Arg::new("value", ArgType::String)])],
        ..Command::DEFAULT
    },
    single_key!("append", 3, &["write", "denyoom", "fast"], &["@write", "@string", "@fast"], &["RW", "insert"],
        append, "2.0.0", "Append a value to a key",
        "O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.",
        args: [Arg::new("value", ArgType::String)]),
    single_key!("strlen", 2, &["readonly", "fast"], &["@read", "@string", "@fast"], &["RO"], strlen,
        "2.2.0", "Get the length of the value stored in a key", "O(1)", args: []),
    single_key!("incr", 2, &["write", "denyoom", "fast"], &["@write", "@string", "@fast"],
        &["RW", "access", "update"], incr, "1.0.0", "Increment the integer value of a key by one", "O(1)",
        args: []),
    single_key!("decr", 2, &["write", "denyoom", "fast"], &["@write", "@string", "@fast"],
        &["RW", "access", "update"], decr, "1.0.0", "Decrement the integer value of a key by one", "O(1)",
        args: []),
    single_key!("incrby", 3, &["write", "denyoom", "fast"], &["@write", "@string", "@fast"],
        &["RW", "access", "update"], incrby, "1.0.0",
        "Increment the integer value of a key by the given amount", "O(1)",
        args: [Arg::new("increment", ArgType::Integer)]),
    single_key!("decrby", 3, &["write", "denyoom", "fast"], &["@write", "@string", "@fast"],
        &["RW", "access", "update"], decrby, "1.0.0",
        "Decrement the integer value of a key by the given number", "O(1)",
        args: [Arg::new("decrement", ArgType::Integer)]),
    single_key!("incrbyfloat", 3, &["write", "denyoom", "fast"], &["@write", "@string", "@fast"],
        &["RW", "access", "update"], incrbyfloat, "2.6.0",
        "Increment the float value of a key by the given amount", "O(1)",
        args: [Arg::new("increment", ArgType::Double)]),
    single_key!("getrange", 4, &["readonly"], &["@read", "@string", "@slow"], &["RO", "access"], getrange,
        "2.4.0", "Get a substring of the string stored at a key", RANGE_COMPLEXITY,
        args: [Arg::new("start", ArgType::Integer), Arg::new("end", ArgType::Integer)]),
    single_key!("setrange", 4, &["write", "denyoom"], &["@write", "@string", "@slow"], &["RW", "update"],
        setrange, "2.2.0", "Overwrite part of a string at key starting at the specified offset",
        "O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.",
        args: [Arg::new("offset", ArgType::Integer), Arg::new("value", ArgType::String)]),
    single_key!("substr", 4, &["readonly"], &["@read", "@string", "@slow"], &["RO", "access"], getrange,
        "1.0.0", "Get a substring of the string stored at a key", RANGE_COMPLEXITY,
        args: [Arg::new("start", ArgType::Integer), Arg::new("end", ArgType::Integer)];
        doc_flags: &["deprecated"], deprecated_since: "2.0.0", replaced_by: "`GETRANGE`"),
    Command {
        name: "lcs",
        arity: -3,
        flags: &["readonly"],
        acl: &["@read", "@string", "@slow"],
        range: (1, 2, 1),
        key_specs: &[KeySpec {
            find: super::FindKeys::Range { lastkey: 1, keystep: 1, limit: 0 },
            ..KeySpec::at(1, &["RO", "access"])
        }],
        handler: super::lcs::lcs,
        group: "string",
        since: "7.0.0",
        summary: "Find longest common substring",
        complexity: "O(N*M) where N and M are the lengths of s1 and s2, respectively",
        args: &[
            Arg::key("key1", 0),
            Arg::key("key2", 0),
            Arg::pure("len", "LEN").flags(&["optional"]),
            Arg::pure("idx", "IDX").flags(&["optional"]),
            Arg::new("len", ArgType::Integer).token("MINMATCHLEN").flags(&["optional"]),
            Arg::pure("withmatchlen", "WITHMATCHLEN").flags(&["optional"]),
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

/// The unit of an expire option (EX, PX, EXAT, PXAT).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Unit {
    Ex,
    Px,
    Exat,
    Pxat,
}

impl Unit {
    fn is_absolute(self) -> bool {
        matches!(self, Unit::Exat | Unit::Pxat)
    }
}

/// The options of SET (from argument 3) and GETEX (from argument 2), accepted in
/// any order under the same rules as Redis: NX/XX exclude each other, one expire
/// unit (repeatable, the last value wins) excludes KEEPTTL and PERSIST.
#[derive(Default)]
struct SetOptions {
    nx: bool,
    xx: bool,
    get: bool,
    keepttl: bool,
    persist: bool,
    /// The expire unit and the index of its time argument.
    expire: Option<(Unit, usize)>,
}

fn parse_set_options(args: &Args, start: usize, for_set: bool) -> Result<SetOptions, CmdError> {
    let mut o = SetOptions::default();
    let mut i = start;
    while i < args.len() {
        let has_next = i + 1 < args.len();
        if for_set && args.is(i, "nx") && !o.xx {
            o.nx = true;
        } else if for_set && args.is(i, "xx") && !o.nx {
            o.xx = true;
        } else if for_set && args.is(i, "get") {
            o.get = true;
        } else if for_set && args.is(i, "keepttl") && o.expire.is_none() {
            o.keepttl = true;
        } else if !for_set && args.is(i, "persist") && o.expire.is_none() {
            o.persist = true;
        } else {
            let unit = [("ex", Unit::Ex), ("px", Unit::Px), ("exat", Unit::Exat), ("pxat", Unit::Pxat)]
                .into_iter()
                .find(|(w, _)| args.is(i, w))
                .map(|(_, u)| u);
            match unit {
                Some(u) if !o.keepttl && !o.persist && o.expire.is_none_or(|(e, _)| e == u) && has_next => {
                    o.expire = Some((u, i + 1));
                    i += 1;
                }
                _ => return Err(CmdError::Syntax),
            }
        }
        i += 1;
    }
    Ok(o)
}

/// Converts the expire time argument `at` to absolute Unix ms, with Redis's checks
/// and its "invalid expire time in '<command>' command" error.
fn expire_time(args: &Args, now_ms: u64, unit: Unit, at: usize) -> Result<u64, CmdError> {
    let v = args.int(at)?;
    let invalid = || {
        let name = String::from_utf8_lossy(args.get(0)).to_ascii_lowercase();
        CmdError::err(format_args!("invalid expire time in '{name}' command"))
    };
    let seconds = matches!(unit, Unit::Ex | Unit::Exat);
    if v <= 0 || (seconds && v > i64::MAX / 1000) {
        return Err(invalid());
    }
    let mut ms = if seconds { v * 1000 } else { v };
    if !unit.is_absolute() {
        ms = ms.checked_add(now_ms as i64).ok_or_else(invalid)?;
    }
    Ok(ms as u64)
}

/// What a SET-like command replies: SET and SETEX `OK` or a null when NX/XX stop
/// it; SETNX 1 or 0.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SetReply {
    Ok,
    Int,
}

/// The common core of SET, SETNX, SETEX and PSETEX: stores argument `value` under
/// argument 1.
fn set_generic(
    ctx: &mut Ctx,
    o: &SetOptions,
    value: usize,
    expire_at: Option<u64>,
    reply: SetReply,
) -> CmdResult {
    let key = ctx.args.get(1);
    if o.get {
        match ctx.keys.read(key) {
            Some(e) => ctx.out.bulk(e.value.as_str()?),
            None => ctx.out.null(),
        }
    }
    let old_expire = ctx.keys.write(key).map(|e| e.expire_at);
    let found = old_expire.is_some();
    if (o.nx && found) || (o.xx && !found) {
        if !o.get {
            match reply {
                SetReply::Ok => ctx.out.null(),
                SetReply::Int => ctx.out.int(0),
            }
        }
        return Ok(());
    }
    let expire_at = expire_at.unwrap_or(if o.keepttl { old_expire.unwrap_or(0) } else { 0 });
    ctx.keys.store(key, Value::str(ctx.args.get(value)), expire_at);
    ctx.dirty(1);
    if !o.get {
        match reply {
            SetReply::Ok => ctx.out.ok(),
            SetReply::Int => ctx.out.int(1),
        }
    }
    Ok(())
}

fn set(ctx: &mut Ctx) -> CmdResult {
    let o = parse_set_options(&ctx.args, 3, true)?;
    let expire_at = o.expire.map(|(unit, at)| expire_time(&ctx.args, ctx.now_ms, unit, at)).transpose()?;
    set_generic(ctx, &o, 2, expire_at, SetReply::Ok)
}

fn setnx(ctx: &mut Ctx) -> CmdResult {
    let o = SetOptions { nx: true, ..Default::default() };
    set_generic(ctx, &o, 2, None, SetReply::Int)
}

fn setex(ctx: &mut Ctx) -> CmdResult {
    let expire_at = expire_time(&ctx.args, ctx.now_ms, Unit::Ex, 2)?;
    set_generic(ctx, &SetOptions::default(), 3, Some(expire_at), SetReply::Ok)
}

fn psetex(ctx: &mut Ctx) -> CmdResult {
    let expire_at = expire_time(&ctx.args, ctx.now_ms, Unit::Px, 2)?;
    set_generic(ctx, &SetOptions::default(), 3, Some(expire_at), SetReply::Ok)
}

fn getset(ctx: &mut Ctx) -> CmdResult {
    let key = ctx.args.get(1);
    match ctx.keys.read_str(key)? {
        Some(v) => ctx.out.bulk(v),
        None => ctx.out.null(),
    }
    ctx.keys.store(key, Value::str(ctx.args.get(2)), 0);
    ctx.dirty(1);
    Ok(())
}

fn getdel(ctx: &mut Ctx) -> CmdResult {
    let key = ctx.args.get(1);
    if ctx.keys.read_str(key)?.is_none() {
        ctx.out.null();
        return Ok(());
    }
    let removed = ctx.keys.remove(key).expect("key read above");
    ctx.out.bulk(removed.value.as_str()?);
    ctx.dirty(1);
    Ok(())
}

fn getex(ctx: &mut Ctx) -> CmdResult {
    let o = parse_set_options(&ctx.args, 2, false)?;
    let key = ctx.args.get(1);
    // A missing key replies null even when the expire time is invalid, as in Redis.
    let expire_at = o.expire.map(|(unit, at)| (unit, expire_time(&ctx.args, ctx.now_ms, unit, at)));
    let Some(entry) = ctx.keys.read(key) else {
        ctx.out.null();
        return Ok(());
    };
    entry.value.as_str()?;
    let expire_at = expire_at.map(|(unit, r)| r.map(|at| (unit, at))).transpose()?;
    ctx.out.bulk(entry.value.as_str()?);
    let had_expire = entry.expire_at != 0;
    match expire_at {
        Some((unit, at)) if unit.is_absolute() && at <= ctx.now_ms => {
            ctx.keys.remove(key);
            ctx.dirty(1);
        }
        Some((_, at)) => {
            ctx.keys.set_expire(key, at);
            ctx.dirty(1);
        }
        None if o.persist && had_expire => {
            ctx.keys.set_expire(key, 0);
            ctx.dirty(1);
        }
        None => {}
    }
    Ok(())
}

fn mget(ctx: &mut Ctx) -> CmdResult {
    let n = ctx.args.len() - 1;
    ctx.out.array(n);
    for i in 1..=n {
        // Keys of other types read as missing, not as errors.
        match ctx.keys.read(ctx.args.get(i)).and_then(|e| e.value.as_str().ok()) {
            Some(v) => ctx.out.bulk(v),
            None => ctx.out.null(),
        }
    }
    Ok(())
}

/// Checks MSET/MSETNX's key-value pairing (Redis reports it as an arity error).
fn check_pairs(ctx: &Ctx) -> CmdResult {
    if ctx.args.len().is_multiple_of(2) {
        let name = String::from_utf8_lossy(ctx.args.get(0)).to_ascii_lowercase();
        return Err(CmdError::err(format_args!("wrong number of arguments for '{name}' command")));
    }
    Ok(())
}

fn store_pairs(ctx: &mut Ctx) {
    for i in (1..ctx.args.len()).step_by(2) {
        ctx.keys.store(ctx.args.get(i), Value::str(ctx.args.get(i + 1)), 0);
    }
    ctx.dirty((ctx.args.len() / 2) as u64);
}

fn mset(ctx: &mut Ctx) -> CmdResult {
    check_pairs(ctx)?;
    store_pairs(ctx);
    ctx.out.ok();
    Ok(())
}

fn msetnx(ctx: &mut Ctx) -> CmdResult {
    check_pairs(ctx)?;
    // All keys' shards are locked for the whole command, so check-then-set is atomic.
    let any_exists = (1..ctx.args.len()).step_by(2).any(|i| ctx.keys.write(ctx.args.get(i)).is_some());
    if any_exists {
        ctx.out.int(0);
    } else {
        store_pairs(ctx);
        ctx.out.int(1);
    }
    Ok(())
}

/// Redis's limit on strings built by APPEND and SETRANGE: `proto-max-bulk-len`.
fn check_string_length(max: i64, offset: u64, append: usize) -> CmdResult {
    if offset as u128 + append as u128 > max.max(0) as u128 {
        return Err(CmdError::err("string exceeds maximum allowed size (proto-max-bulk-len)"));
    }
    Ok(())
}

/// Makes room for `len` bytes the way Redis's strings grow: double while small,
/// then 1 MiB at a time, so appends are amortised O(1) without doubling big strings.
fn reserve_like_sds(v: &mut Vec<u8>, len: usize) {
    const STEP: usize = 1024 * 1024;
    if len > v.capacity() {
        let target = if len < STEP { len * 2 } else { len + STEP };
        v.reserve_exact(target - v.len());
    }
}

fn append(ctx: &mut Ctx) -> CmdResult {
    let (key, tail) = (ctx.args.get(1), ctx.args.get(2));
    let max = ctx.server.max_bulk_len.load(Relaxed);
    let len = match ctx.keys.write(key) {
        None => {
            ctx.keys.store(key, Value::str(tail), 0);
            tail.len()
        }
        Some(e) => {
            let s = e.value.as_str_mut()?;
            check_string_length(max, s.len() as u64, tail.len())?;
            let v = s.make_growable();
            reserve_like_sds(v, v.len() + tail.len());
            v.extend_from_slice(tail);
            e.str_encoding = StrEncoding::Raw;
            v.len()
        }
    };
    ctx.dirty(1);
    ctx.out.int(len as i64);
    Ok(())
}

fn strlen(ctx: &mut Ctx) -> CmdResult {
    let len = ctx.keys.read_str(ctx.args.get(1))?.map_or(0, |v| v.len());
    ctx.out.int(len as i64);
    Ok(())
}

/// Adds `by` to the integer at argument 1 (0 when missing), keeping its TTL.
fn incr_by(ctx: &mut Ctx, by: i64) -> CmdResult {
    let key = ctx.args.get(1);
    let entry = ctx.keys.write(key);
    let current = match &entry {
        Some(e) => super::args::parse_int(e.value.as_str()?)?,
        None => 0,
    };
    let new = current.checked_add(by).ok_or(CmdError::Overflow)?;
    let value = Value::str(itoa::Buffer::new().format(new).as_bytes());
    match entry {
        Some(e) => {
            e.value = value;
            e.str_encoding = StrEncoding::Auto;
        }
        None => {
            ctx.keys.store(key, value, 0);
        }
    }
    ctx.dirty(1);
    ctx.out.int(new);
    Ok(())
}

fn incr(ctx: &mut Ctx) -> CmdResult {
    incr_by(ctx, 1)
}

fn decr(ctx: &mut Ctx) -> CmdResult {
    incr_by(ctx, -1)
}

fn incrby(ctx: &mut Ctx) -> CmdResult {
    let by = ctx.args.int(2)?;
    incr_by(ctx, by)
}

fn decrby(ctx: &mut Ctx) -> CmdResult {
    let by = ctx.args.int(2)?;
    let by = by.checked_neg().ok_or_else(|| CmdError::err("decrement would overflow"))?;
    incr_by(ctx, by)
}

fn incrbyfloat(ctx: &mut Ctx) -> CmdResult {
    let (key, incr) = (ctx.args.get(1), ctx.args.get(2));
    let entry = ctx.keys.write(key);
    let current = match &entry {
        Some(e) => e.value.as_str()?,
        None => &b"0"[..],
    };
    let sum = super::longdouble::incr_by_float(current, incr)?;
    ctx.out.bulk(&sum);
    let value = Value::Str(SmallBytes::from_vec(sum));
    match entry {
        Some(e) => {
            e.value = value;
            e.str_encoding = StrEncoding::NoInt;
        }
        None => {
            ctx.keys.store_str(key, value, 0, StrEncoding::NoInt);
        }
    }
    ctx.dirty(1);
    Ok(())
}

/// GETRANGE and SUBSTR: inclusive range with negative indices from the end.
fn getrange(ctx: &mut Ctx) -> CmdResult {
    let (start, end) = (ctx.args.int(2)?, ctx.args.int(3)?);
    let s = ctx.keys.read_str(ctx.args.get(1))?.unwrap_or(b"");
    let len = s.len() as i64;
    if start < 0 && end < 0 && start > end {
        ctx.out.bulk(b"");
        return Ok(());
    }
    let start = if start < 0 { (len + start).max(0) } else { start };
    let end = if end < 0 { (len + end).max(0) } else { end }.min(len - 1);
    if start > end || len == 0 {
        ctx.out.bulk(b"");
    } else {
        ctx.out.bulk(&s[start as usize..=end as usize]);
    }
    Ok(())
}

fn setrange(ctx: &mut Ctx) -> CmdResult {
    let (key, patch) = (ctx.args.get(1), ctx.args.get(3));
    let offset = ctx.args.int(2)?;
    if offset < 0 {
        return Err(CmdError::err("offset is out of range"));
    }
    let max = ctx.server.max_bulk_len.load(Relaxed);
    let entry = ctx.keys.write(key);
    if patch.is_empty() {
        // Setting nothing changes nothing, but still checks the type.
        let len = match entry {
            Some(e) => e.value.as_str()?.len(),
            None => 0,
        };
        ctx.out.int(len as i64);
        return Ok(());
    }
    if let Some(e) = &entry {
        e.value.as_str()?;
    }
    check_string_length(max, offset as u64, patch.len())?;
    let (offset, end) = (offset as usize, offset as usize + patch.len());
    let len = match entry {
        Some(e) => {
            let v = e.value.as_str_mut()?.make_growable();
            if end > v.len() {
                reserve_like_sds(v, end);
                v.resize(end, 0);
            }
            v[offset..end].copy_from_slice(patch);
            e.str_encoding = StrEncoding::Raw;
            v.len()
        }
        None => {
            let mut v = vec![0u8; end];
            v[offset..].copy_from_slice(patch);
            ctx.keys.store_str(key, Value::Str(SmallBytes::from_vec(v)), 0, StrEncoding::Raw);
            end
        }
    };
    ctx.dirty(1);
    ctx.out.int(len as i64);
    Ok(())
}
