//! Whole-database commands (Redis's `db.c`): DBSIZE, FLUSHDB, FLUSHALL, SWAPDB.
//!
//! Each takes every shard lock of the databases it changes at once, in ascending
//! (db, shard) order, so no command sees a half-flushed or half-swapped database.

use super::{Arg, ArgType, CmdError, CmdResult, Command, Ctx, Locking};
use crate::keyspace::lazyfree;

/// FLUSHDB and FLUSHALL take the same flushing-mode argument.
const FLUSH_HISTORY: &[(&str, &str)] = &[
    ("4.0.0", "Added the `ASYNC` flushing mode modifier."),
    ("6.2.0", "Added the `SYNC` flushing mode modifier."),
];
const FLUSH_ARGS: &[Arg] = &[Arg::new("async", ArgType::Oneof)
    .flags(&["optional"])
    .args(&[Arg::pure("async", "ASYNC").since("4.0.0"), Arg::pure("sync", "SYNC").since("6.2.0")])];

pub static COMMANDS: &[Command] = &[
    Command {
        name: "dbsize",
        arity: 1,
        flags: &["readonly", "fast"],
        acl: &["@keyspace", "@read", "@fast"],
        tips: &["request_policy:all_shards", "response_policy:agg_sum"],
        locking: Locking::Manual,
        handler: dbsize,
        group: "server",
        since: "1.0.0",
        summary: "Return the number of keys in the selected database",
        complexity: "O(1)",
        ..Command::DEFAULT
    },
    Command {
        name: "flushdb",
        arity: -1,
        flags: &["write"],
        acl: &["@keyspace", "@write", "@slow", "@dangerous"],
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        locking: Locking::Manual,
        handler: flushdb,
        group: "server",
        since: "1.0.0",
        summary: "Remove all keys from the current database",
        complexity: "O(N) where N is the number of keys in the selected database",
        history: FLUSH_HISTORY,
        args: FLUSH_ARGS,
        ..Command::DEFAULT
    },
    Command {
        name: "flushall",
        arity: -1,
        flags: &["write"],
        acl: &["@keyspace", "@write", "@slow", "@dangerous"],
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        locking: Locking::Manual,
        handler: flushall,
        group: "server",
        since: "1.0.0",
        summary: "Remove all keys from all databases",
        complexity: "O(N) where N is the total number of keys in all databases",
        history: FLUSH_HISTORY,
        args: FLUSH_ARGS,
        ..Command::DEFAULT
    },
    Command {
        name: "swapdb",
        arity: 3,
        flags: &["write", "fast"],
        acl: &["@keyspace", "@write", "@fast", "@dangerous"],
        locking: Locking::Manual,
        handler: swapdb,
        group: "server",
        since: "4.0.0",
        summary: "Swaps two Redis databases",
        complexity: "O(N) where N is the count of clients watching or blocking on keys from both databases.",
        args: &[Arg::new("index1", ArgType::Integer), Arg::new("index2", ArgType::Integer)],
        ..Command::DEFAULT
    },
];

/// Counts under all the database's locks at once, so a concurrent SWAPDB or
/// cross-shard RENAME is seen entirely or not at all.
fn dbsize(ctx: &mut Ctx) -> CmdResult {
    let n: usize = ctx.server.keyspace.dbs[ctx.client.db].lock_all().iter().map(|s| s.len()).sum();
    ctx.out.int(n as i64);
    Ok(())
}

/// The SYNC / ASYNC argument of FLUSHDB and FLUSHALL; without one,
/// `lazyfree-lazy-user-flush` decides. Returns whether to free in the background.
fn flush_async(ctx: &Ctx) -> Result<bool, CmdError> {
    match ctx.args.len() {
        1 => Ok(ctx.server.config.read().lazyfree_lazy_user_flush),
        2 if ctx.args.is(1, "sync") => Ok(false),
        2 if ctx.args.is(1, "async") => Ok(true),
        _ => Err(CmdError::Syntax),
    }
}

/// Empties databases `dbs` (each under all its locks) and frees what they held,
/// here or in the background. Returns how many keys were removed.
fn flush(ctx: &Ctx, dbs: std::ops::Range<usize>, in_background: bool) -> u64 {
    let mut removed = 0;
    for db in &ctx.server.keyspace.dbs[dbs] {
        let tables = db.take_all();
        let n: usize = tables.iter().map(|t| t.len()).sum();
        removed += n as u64;
        if in_background && n > 0 {
            lazyfree::free_later(tables, n as u64);
        }
    }
    removed
}

fn flushdb(ctx: &mut Ctx) -> CmdResult {
    let in_background = flush_async(ctx)?;
    let db = ctx.client.db;
    let removed = flush(ctx, db..db + 1, in_background);
    ctx.dirty(removed);
    ctx.out.ok();
    Ok(())
}

fn flushall(ctx: &mut Ctx) -> CmdResult {
    let in_background = flush_async(ctx)?;
    let removed = flush(ctx, 0..ctx.server.keyspace.dbs.len(), in_background);
    // Redis counts the flush itself as one more change.
    ctx.dirty(removed + 1);
    ctx.out.ok();
    Ok(())
}

fn swapdb(ctx: &mut Ctx) -> CmdResult {
    let index = |i: usize, msg: &str| {
        ctx.args
            .int(i)
            .ok()
            .filter(|v| *v >= i32::MIN as i64 && *v <= i32::MAX as i64)
            .ok_or_else(|| CmdError::err(msg))
    };
    let a = index(1, "invalid first DB index")?;
    let b = index(2, "invalid second DB index")?;
    let dbs = ctx.server.keyspace.dbs.len() as i64;
    if a < 0 || a >= dbs || b < 0 || b >= dbs {
        return Err(CmdError::err("DB index is out of range"));
    }
    ctx.server.keyspace.swap(a as usize, b as usize);
    ctx.dirty(1);
    ctx.out.ok();
    Ok(())
}
