//! Server commands: DBSIZE, FLUSHALL, FLUSHDB, COMMAND, ...

use super::{CmdResult, Command, Ctx, Locking};

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
        ..Command::DEFAULT
    },
];

fn dbsize(ctx: &mut Ctx) -> CmdResult {
    ctx.out.int(ctx.server.keyspace.dbs[ctx.client.db].len() as i64);
    Ok(())
}

fn flushall(ctx: &mut Ctx) -> CmdResult {
    for db in ctx.server.keyspace.dbs.iter() {
        for mut shard in db.lock_all() {
            drop(shard.clear());
        }
    }
    ctx.out.ok();
    Ok(())
}
