//! Generic keyspace commands (Redis's `db.c`): DEL, EXISTS, TYPE, KEYS, SCAN,
//! RENAME, COPY, MOVE, ...
//!
//! RENAME works on keys the dispatcher locked by key specs; COPY and MOVE may touch
//! another database, so they lock both keys themselves (ascending (db, shard) order,
//! through `Keyspace::lock`). KEYS locks the whole database for one consistent view.

use super::{Arg, ArgType, CmdError, CmdResult, Command, Ctx, KeySpec, Locking};
use crate::keyspace::glob::glob_match;
use crate::keyspace::{lazyfree, scan::scan_db, SmallBytes};

/// Removed values bigger than this (heap bytes) are freed off-thread by UNLINK.
const LAZYFREE_THRESHOLD: usize = 64 * 1024;

pub static COMMANDS: &[Command] = &[
    Command {
        name: "del",
        arity: -2,
        flags: &["write"],
        acl: &["@keyspace", "@write", "@slow"],
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        range: (1, -1, 1),
        key_specs: &[KeySpec::rest(1, 1, &["RM", "delete"])],
        handler: del,
        group: "generic",
        since: "1.0.0",
        summary: "Delete a key",
        complexity: "O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).",
        args: &[Arg::key("key", 0).flags(&["multiple"])],
        ..Command::DEFAULT
    },
    Command {
        name: "unlink",
        arity: -2,
        flags: &["write", "fast"],
        acl: &["@keyspace", "@write", "@fast"],
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        range: (1, -1, 1),
        key_specs: &[KeySpec::rest(1, 1, &["RM", "delete"])],
        handler: unlink,
        group: "generic",
        since: "4.0.0",
        summary: "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.",
        complexity: "O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.",
        args: &[Arg::key("key", 0).flags(&["multiple"])],
        ..Command::DEFAULT
    },
    Command {
        name: "exists",
        arity: -2,
        flags: &["readonly", "fast"],
        acl: &["@keyspace", "@read", "@fast"],
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        range: (1, -1, 1),
        key_specs: &[KeySpec::rest(1, 1, &["RO"])],
        handler: exists,
        group: "generic",
        since: "1.0.0",
        summary: "Determine if a key exists",
        complexity: "O(N) where N is the number of keys to check.",
        history: &[("3.0.3", "Accepts multiple `key` arguments.")],
        args: &[Arg::key("key", 0).flags(&["multiple"])],
        ..Command::DEFAULT
    },
    Command {
        name: "type",
        arity: 2,
        flags: &["readonly", "fast"],
        acl: &["@keyspace", "@read", "@fast"],
        range: (1, 1, 1),
        key_specs: &[KeySpec::at(1, &["RO"])],
        handler: type_,
        group: "generic",
        since: "1.0.0",
        summary: "Determine the type stored at key",
        complexity: "O(1)",
        args: &[Arg::key("key", 0)],
        ..Command::DEFAULT
    },
    Command {
        name: "touch",
        arity: -2,
        flags: &["readonly", "fast"],
        acl: &["@keyspace", "@read", "@fast"],
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        range: (1, -1, 1),
        key_specs: &[KeySpec::rest(1, 1, &["RO"])],
        handler: touch,
        group: "generic",
        since: "3.2.1",
        summary: "Alters the last access time of a key(s). Returns the number of existing keys specified.",
        complexity: "O(N) where N is the number of keys that will be touched.",
        args: &[Arg::key("key", 0).flags(&["multiple"])],
        ..Command::DEFAULT
    },
    Command {
        name: "keys",
        arity: 2,
        flags: &["readonly"],
        acl: &["@keyspace", "@read", "@slow", "@dangerous"],
        tips: &["request_policy:all_shards", "nondeterministic_output_order"],
        locking: Locking::Manual,
        handler: keys,
        group: "generic",
        since: "1.0.0",
        summary: "Find all keys matching the given pattern",
        complexity: "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.",
        args: &[Arg::new("pattern", ArgType::Pattern)],
        ..Command::DEFAULT
    },
    Command {
        name: "scan",
        arity: -2,
        flags: &["readonly"],
        acl: &["@keyspace", "@read", "@slow"],
        tips: &["nondeterministic_output", "request_policy:special"],
        locking: Locking::Manual,
        handler: scan,
        group: "generic",
        since: "2.8.0",
        summary: "Incrementally iterate the keys space",
        complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
        history: &[("6.0.0", "Added the `TYPE` subcommand.")],
        args: &[
            Arg::new("cursor", ArgType::Integer),
            Arg::new("pattern", ArgType::Pattern).token("MATCH").flags(&["optional"]),
            Arg::new("count", ArgType::Integer).token("COUNT").flags(&["optional"]),
            Arg::new("type", ArgType::String).token("TYPE").since("6.0.0").flags(&["optional"]),
        ],
        ..Command::DEFAULT
    },
    Command {
        name: "randomkey",
        arity: 1,
        flags: &["readonly"],
        acl: &["@keyspace", "@read", "@slow"],
        tips: &["request_policy:all_shards", "nondeterministic_output"],
        locking: Locking::Manual,
        handler: randomkey,
        group: "generic",
        since: "1.0.0",
        summary: "Return a random key from the keyspace",
        complexity: "O(1)",
        ..Command::DEFAULT
    },
    Command {
        name: "rename",
        arity: 3,
        flags: &["write"],
        acl: &["@keyspace", "@write", "@slow"],
        range: (1, 2, 1),
        key_specs: &[KeySpec::at(1, &["RW", "access", "delete"]), KeySpec::at(2, &["OW", "update"])],
        handler: rename,
        group: "generic",
        since: "1.0.0",
        summary: "Rename a key",
        complexity: "O(1)",
        args: &[
            Arg::key("key", 0),
            Arg::key("newkey", 1),
        ],
        ..Command::DEFAULT
    },
    Command {
        name: "renamenx",
        arity: 3,
        flags: &["write", "fast"],
        acl: &["@keyspace", "@write", "@fast"],
        range: (1, 2, 1),
        key_specs: &[KeySpec::at(1, &["RW", "access", "delete"]), KeySpec::at(2, &["OW", "insert"])],
        handler: renamenx,
        group: "generic",
        since: "1.0.0",
        summary: "Rename a key, only if the new key does not exist",
        complexity: "O(1)",
        history: &[
            ("3.2.0", "The command no longer returns an error when source and destination names are the same."),
        ],
        args: &[
            Arg::key("key", 0),
            Arg::key("newkey", 1),
        ],
        ..Command::DEFAULT
    },
    Command {
        name: "copy",
        arity: -3,
        flags: &["write", "denyoom"],
        acl: &["@keyspace", "@write", "@slow"],
        range: (1, 2, 1),
        key_specs: &[KeySpec::at(1, &["RO", "access"]), KeySpec::at(2, &["OW", "update"])],
        locking: Locking::Manual,
        handler: copy,
        group: "generic",
        since: "6.2.0",
        summary: "Copy a key",
        complexity: "O(N) worst case for collections, where N is the number of nested items. O(1) for string values.",
        args: &[
            Arg::key("source", 0),
            Arg::key("destination", 1),
            Arg::new("destination-db", ArgType::Integer).token("DB").flags(&["optional"]),
            Arg::pure("replace", "REPLACE").flags(&["optional"]),
        ],
        ..Command::DEFAULT
    },
    Command {
        name: "move",
        arity: 3,
        flags: &["write", "fast"],
        acl: &["@keyspace", "@write", "@fast"],
        range: (1, 1, 1),
        key_specs: &[KeySpec::at(1, &["RW", "access", "update"])],
        locking: Locking::Manual,
        handler: move_,
        group: "generic",
        since: "1.0.0",
        summary: "Move a key to another database",
        complexity: "O(1)",
        args: &[
            Arg::key("key", 0),
            Arg::new("db", ArgType::Integer),
        ],
        ..Command::DEFAULT
    },
];

fn del(ctx: &mut Ctx) -> CmdResult {
    let mut n = 0;
    for key in ctx.args.iter().skip(1) {
        n += ctx.keys.remove(key).is_some() as i64;
    }
    ctx.dirty(n as u64);
    ctx.out.int(n);
    Ok(())
}

/// DEL, with big values freed by the background thread.
fn unlink(ctx: &mut Ctx) -> CmdResult {
    let mut removed = Vec::new();
    for key in ctx.args.iter().skip(1) {
        removed.extend(ctx.keys.remove(key));
    }
    let n = removed.len();
    ctx.dirty(n as u64);
    ctx.out.int(n as i64);
    if removed.iter().map(|e| e.value.heap_size()).sum::<usize>() > LAZYFREE_THRESHOLD {
        lazyfree::free_later(removed, n as u64);
    }
    Ok(())
}

fn exists(ctx: &mut Ctx) -> CmdResult {
    let mut n = 0;
    for key in ctx.args.iter().skip(1) {
        n += ctx.keys.peek(key).is_some() as i64;
    }
    ctx.out.int(n);
    Ok(())
}

fn type_(ctx: &mut Ctx) -> CmdResult {
    let name = ctx.keys.peek(ctx.args.get(1)).map_or("none", |e| e.value.type_name());
    ctx.out.simple(name);
    Ok(())
}

/// Counts the keys that exist and records an access to them, even for clients in
/// CLIENT NO-TOUCH mode (touching is what the command is for).
fn touch(ctx: &mut Ctx) -> CmdResult {
    ctx.keys.touch = ctx.server.access_clock(ctx.now_ms).0;
    let mut n = 0;
    for key in ctx.args.iter().skip(1) {
        n += ctx.keys.read(key).is_some() as i64;
    }
    ctx.out.int(n);
    Ok(())
}

fn keys(ctx: &mut Ctx) -> CmdResult {
    let pattern = ctx.args.get(1);
    let all = pattern == b"*";
    let mut found: Vec<SmallBytes> = Vec::new();
    for shard in ctx.server.keyspace.dbs[ctx.client.db].lock_all().iter() {
        found.extend(
            shard
                .iter()
                .filter(|e| !e.is_expired(ctx.now_ms) && (all || glob_match(pattern, &e.key, false)))
                .map(|e| e.key.clone()),
        );
    }
    ctx.out.bulks(found.iter().map(|k| k.as_slice()));
    Ok(())
}

/// A SCAN cursor as Redis reads it (`strtoul`, base 10): an optional sign (a minus
/// negates modulo 2^64), no leading space, nothing after the digits; the empty
/// string reads as 0.
fn parse_cursor(s: &[u8]) -> Option<u64> {
    let (negative, digits) = match s.first() {
        None => return Some(0),
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        Some(_) => (false, s),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let v = digits.iter().try_fold(0u64, |v, &d| v.checked_mul(10)?.checked_add((d - b'0') as u64))?;
    Some(if negative { v.wrapping_neg() } else { v })
}

fn scan(ctx: &mut Ctx) -> CmdResult {
    let cursor = parse_cursor(ctx.args.get(1)).ok_or_else(|| CmdError::err("invalid cursor"))?;
    let args = ctx.args;
    let (mut count, mut pattern, mut kind) = (10usize, None, None);
    let mut i = 2;
    while i < args.len() {
        let has_value = i + 1 < args.len();
        if args.is(i, "count") && has_value {
            let n = args.int(i + 1)?;
            if n < 1 {
                return Err(CmdError::Syntax);
            }
            count = n as usize;
        } else if args.is(i, "match") && has_value {
            let p = args.get(i + 1);
            pattern = (p != b"*").then_some(p);
        } else if args.is(i, "type") && has_value {
            kind = Some(args.get(i + 1));
        } else {
            return Err(CmdError::Syntax);
        }
        i += 2;
    }
    let stats = crate::stats::local();
    let db = &ctx.server.keyspace.dbs[ctx.client.db];
    let (next, keys) = scan_db(db, cursor, count, ctx.now_ms, |e| {
        if pattern.is_some_and(|p| !glob_match(p, &e.key, false)) {
            return false;
        }
        // Redis looks each candidate up to learn its type, counting a keyspace hit.
        kind.is_none_or(|t| {
            stats.keyspace(true);
            t.eq_ignore_ascii_case(e.value.type_name().as_bytes())
        })
    });
    ctx.out.array(2);
    ctx.out.bulk(itoa::Buffer::new().format(next).as_bytes());
    ctx.out.bulks(keys.iter().map(|k| k.as_slice()));
    Ok(())
}

fn randomkey(ctx: &mut Ctx) -> CmdResult {
    match ctx.server.keyspace.dbs[ctx.client.db].random_key(ctx.now_ms) {
        Some(key) => ctx.out.bulk(&key),
        None => ctx.out.null(),
    }
    Ok(())
}

fn rename(ctx: &mut Ctx) -> CmdResult {
    rename_key(ctx, false)
}

fn renamenx(ctx: &mut Ctx) -> CmdResult {
    rename_key(ctx, true)
}

/// RENAME and RENAMENX: the entry moves with its expiry; a replaced destination is
/// dropped.
fn rename_key(ctx: &mut Ctx, nx: bool) -> CmdResult {
    let (src, dst) = (ctx.args.get(1), ctx.args.get(2));
    if ctx.keys.write(src).is_none() {
        return Err(CmdError::NoSuchKey);
    }
    if src == dst {
        if nx {
            ctx.out.int(0);
        } else {
            ctx.out.ok();
        }
        return Ok(());
    }
    if nx && ctx.keys.write(dst).is_some() {
        ctx.out.int(0);
        return Ok(());
    }
    let db = ctx.keys.db;
    let mut entry = ctx.keys.locked.remove(db, src).expect("source looked up under lock");
    entry.key = SmallBytes::new(dst);
    drop(ctx.keys.locked.insert(db, entry));
    ctx.dirty(1);
    if nx {
        ctx.out.int(1);
    } else {
        ctx.out.ok();
    }
    Ok(())
}

/// A database index argument read as Redis's `getIntFromObjectOrReply` reads it,
/// then checked against the configured databases.
fn db_index(ctx: &Ctx, i: usize) -> Result<usize, CmdError> {
    let v = ctx.args.int(i)?;
    if v < i32::MIN as i64 || v > i32::MAX as i64 {
        return Err(CmdError::err("value is out of range, value must between -2147483648 and 2147483647"));
    }
    if v < 0 || v as usize >= ctx.server.keyspace.dbs.len() {
        return Err(CmdError::err("DB index is out of range"));
    }
    Ok(v as usize)
}

fn same_object() -> CmdError {
    CmdError::err("source and destination objects are the same")
}

fn copy(ctx: &mut Ctx) -> CmdResult {
    let (src, dst) = (ctx.args.get(1), ctx.args.get(2));
    let src_db = ctx.client.db;
    let (mut dst_db, mut replace) = (src_db, false);
    let mut i = 3;
    while i < ctx.args.len() {
        if ctx.args.is(i, "replace") {
            replace = true;
        } else if ctx.args.is(i, "db") && i + 1 < ctx.args.len() {
            dst_db = db_index(ctx, i + 1)?;
            i += 1;
        } else {
            return Err(CmdError::Syntax);
        }
        i += 1;
    }
    if src_db == dst_db && src == dst {
        return Err(same_object());
    }
    let (now, touch, lru) = (ctx.now_ms, ctx.keys.touch, ctx.keys.lru);
    let mut locked = ctx.server.keyspace.lock([(src_db, src), (dst_db, dst)]);
    let found = locked.lookup(src_db, src, now);
    crate::stats::local().keyspace(found.is_some());
    let Some(entry) = found else {
        ctx.out.int(0);
        return Ok(());
    };
    let copy = entry.touched(touch, lru).duplicate(dst, lru);
    if locked.lookup(dst_db, dst, now).is_some() && !replace {
        ctx.out.int(0);
        return Ok(());
    }
    drop(locked.insert(dst_db, copy));
    drop(locked);
    ctx.dirty(1);
    ctx.out.int(1);
    Ok(())
}

fn move_(ctx: &mut Ctx) -> CmdResult {
    let key = ctx.args.get(1);
    let src_db = ctx.client.db;
    let dst_db = db_index(ctx, 2)?;
    if src_db == dst_db {
        return Err(same_object());
    }
    let (now, touch, lru) = (ctx.now_ms, ctx.keys.touch, ctx.keys.lru);
    let mut locked = ctx.server.keyspace.lock([(src_db, key), (dst_db, key)]);
    let moved = match locked.lookup(src_db, key, now) {
        Some(e) => {
            e.touched(touch, lru);
            locked.lookup(dst_db, key, now).is_none()
        }
        None => false,
    };
    if moved {
        let entry = locked.remove(src_db, key).expect("source looked up under lock");
        locked.insert(dst_db, entry);
        drop(locked);
        ctx.dirty(1);
    }
    ctx.out.int(moved as i64);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_cursor;

    #[test]
    fn cursor_parsing_follows_strtoul() {
        assert_eq!(parse_cursor(b""), Some(0));
        assert_eq!(parse_cursor(b"+0"), Some(0));
        assert_eq!(parse_cursor(b"-0"), Some(0));
        assert_eq!(parse_cursor(b"-1"), Some(u64::MAX));
        assert_eq!(parse_cursor(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_cursor(b"18446744073709551616"), None);
        assert_eq!(parse_cursor(b" 0"), None);
        assert_eq!(parse_cursor(b"0 "), None);
        assert_eq!(parse_cursor(b"+"), None);
        assert_eq!(parse_cursor(b"0x10"), None);
    }
}
