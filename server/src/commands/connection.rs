//! Connection commands: PING, ECHO, SELECT, QUIT, AUTH, HELLO, ...

use super::{Arg, ArgType, CmdError, CmdResult, Command, Ctx};

pub static COMMANDS: &[Command] = &[
    Command {
        name: "ping",
        arity: -1,
        flags: &["fast"],
        acl: &["@fast", "@connection"],
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        handler: ping,
        group: "connection",
        since: "1.0.0",
        summary: "Ping the server",
        complexity: "O(1)",
        args: &[Arg::new("message", ArgType::String).flags(&["optional"])],
        ..Command::DEFAULT
    },
    Command {
        name: "echo",
        arity: 2,
        flags: &["loading", "stale", "fast"],
        acl: &["@fast", "@connection"],
        handler: echo,
        group: "connection",
        since: "1.0.0",
        summary: "Echo the given string",
        complexity: "O(1)",
        args: &[Arg::new("message", ArgType::String)],
        ..Command::DEFAULT
    },
    Command {
        name: "select",
        arity: 2,
        flags: &["loading", "stale", "fast"],
        acl: &["@fast", "@connection"],
        handler: select,
        group: "connection",
        since: "1.0.0",
        summary: "Change the selected database for the current connection",
        complexity: "O(1)",
        args: &[Arg::new("index", ArgType::Integer)],
        ..Command::DEFAULT
    },
    Command {
        name: "quit",
        arity: -1,
        flags: &["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"],
        acl: &["@fast", "@connection"],
        handler: quit,
        group: "connection",
        since: "1.0.0",
        summary: "Close the connection",
        complexity: "O(1)",
        ..Command::DEFAULT
    },
];

fn ping(ctx: &mut Ctx) -> CmdResult {
    if ctx.args.len() > 2 {
        return Err(CmdError::err("wrong number of arguments for 'ping' command"));
    }
    match ctx.args.len() {
        1 => ctx.out.simple("PONG"),
        _ => ctx.out.bulk(ctx.args.get(1)),
    }
    Ok(())
}

fn echo(ctx: &mut Ctx) -> CmdResult {
    ctx.out.bulk(ctx.args.get(1));
    Ok(())
}

fn select(ctx: &mut Ctx) -> CmdResult {
    let id = ctx.args.int(1)?;
    if id < 0 || id >= ctx.server.keyspace.dbs.len() as i64 || id > i32::MAX as i64 {
        return Err(CmdError::err("DB index is out of range"));
    }
    ctx.client.db = id as usize;
    ctx.client.info.db.store(id as usize, std::sync::atomic::Ordering::Relaxed);
    ctx.out.ok();
    Ok(())
}

fn quit(ctx: &mut Ctx) -> CmdResult {
    ctx.out.ok();
    ctx.client.close_after_reply = true;
    Ok(())
}
