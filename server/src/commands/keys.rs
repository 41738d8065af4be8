//! Generic keyspace commands (Redis's `db.c` and `expire.c`): DEL, EXISTS, ...

use super::{Arg, CmdResult, Command, Ctx, KeySpec};

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
        args: &[
            Arg::key("key", 0).flags(&["multiple"]),
        ],
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
        history: &[
            ("3.0.3", "Accepts multiple `key` arguments."),
        ],
        args: &[
            Arg::key("key", 0).flags(&["multiple"]),
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

fn exists(ctx: &mut Ctx) -> CmdResult {
    let mut n = 0;
    for key in ctx.args.iter().skip(1) {
        n += ctx.keys.read(key).is_some() as i64;
    }
    ctx.out.int(n);
    Ok(())
}
