//! Connection commands: PING, ECHO, SELECT, QUIT, RESET, HELLO, AUTH, MONITOR.

use super::{Arg, ArgType, CmdError, CmdResult, Command, Ctx};
use crate::client::ReplyMode;
use crate::protocol::parser::parse_i64;
use crate::protocol::reply::Protocol;

const CONNECTION_FLAGS: &[&str] = &["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"];

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
        flags: CONNECTION_FLAGS,
        acl: &["@fast", "@connection"],
        handler: quit,
        group: "connection",
        since: "1.0.0",
        summary: "Close the connection",
        complexity: "O(1)",
        ..Command::DEFAULT
    },
    Command {
        name: "reset",
        arity: 1,
        flags: CONNECTION_FLAGS,
        acl: &["@fast", "@connection"],
        handler: reset,
        group: "connection",
        since: "6.2.0",
        summary: "Reset the connection",
        complexity: "O(1)",
        ..Command::DEFAULT
    },
    Command {
        name: "hello",
        arity: -1,
        flags: CONNECTION_FLAGS,
        acl: &["@fast", "@connection"],
        handler: hello,
        group: "connection",
        since: "6.0.0",
        summary: "Handshake with Redis",
        complexity: "O(1)",
        history: &[
            ("6.2.0", "`protover` made optional; when called without arguments the command reports the current connection's context."),
        ],
        args: &[
            Arg::new("arguments", ArgType::Block).flags(&["optional"]).args(&[
                Arg::new("protover", ArgType::Integer),
                Arg::new("username_password", ArgType::Block).token("AUTH").flags(&["optional"]).args(&[
                    Arg::new("username", ArgType::String),
                    Arg::new("password", ArgType::String),
                ]),
                Arg::new("clientname", ArgType::String).token("SETNAME").flags(&["optional"]),
            ]),
        ],
        ..Command::DEFAULT
    },
    Command {
        name: "auth",
        arity: -2,
        flags: CONNECTION_FLAGS,
        acl: &["@fast", "@connection"],
        handler: auth,
        group: "connection",
        since: "1.0.0",
        summary: "Authenticate to the server",
        complexity: "O(N) where N is the number of passwords defined for the user",
        history: &[("6.0.0", "Added ACL style (username and password).")],
        args: &[
            Arg::new("username", ArgType::String).since("6.0.0").flags(&["optional"]),
            Arg::new("password", ArgType::String),
        ],
        ..Command::DEFAULT
    },
    Command {
        name: "monitor",
        arity: 1,
        flags: &["admin", "noscript", "loading", "stale"],
        acl: &["@admin", "@slow", "@dangerous"],
        handler: monitor,
        group: "server",
        since: "1.0.0",
        summary: "Listen for all requests received by the server in real time",
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
    if i32::try_from(id).is_err() {
        return Err(CmdError::err("value is out of range, value must between -2147483648 and 2147483647"));
    }
    if id < 0 || id >= ctx.server.keyspace.dbs.len() as i64 {
        return Err(CmdError::err("DB index is out of range"));
    }
    ctx.client.select(id as usize);
    ctx.out.ok();
    Ok(())
}

fn quit(ctx: &mut Ctx) -> CmdResult {
    ctx.out.ok();
    ctx.client.close_after_reply = true;
    Ok(())
}

/// Back to a fresh connection's state: replies on, database 0, RESP2, no name, not
/// monitoring, and authenticated only if no password is required. (CLIENT NO-EVICT
/// stays, as in Redis.)
fn reset(ctx: &mut Ctx) -> CmdResult {
    let client = &mut *ctx.client;
    client.reply_mode = ReplyMode::On;
    client.select(0);
    ctx.out.proto = Protocol::Resp2;
    client.info.set_protocol(Protocol::Resp2);
    *client.info.name.lock() = None;
    if client.monitor.take().is_some() {
        ctx.server.monitors.remove(client.info.id);
        client.info.monitor.store(false, std::sync::atomic::Ordering::Relaxed);
    }
    client.authenticated = ctx.server.config.read().requirepass.is_empty();
    ctx.out.simple("RESET");
    Ok(())
}

/// `HELLO [protover [AUTH user pass] [SETNAME name]]`. Options take effect in order
/// as they are read (a later failing option does not undo an earlier one), as in
/// Redis; the protocol switches only when the whole command succeeds.
fn hello(ctx: &mut Ctx) -> CmdResult {
    let args = ctx.args;
    let mut proto = None;
    if args.len() >= 2 {
        let v = parse_i64(args.get(1))
            .ok_or_else(|| CmdError::err("Protocol version is not an integer or out of range"))?;
        proto = Some(match v {
            2 => Protocol::Resp2,
            3 => Protocol::Resp3,
            _ => return Err(CmdError::Msg("NOPROTO unsupported protocol version".into())),
        });
    }
    let mut i = 2;
    while i < args.len() {
        let more = args.len() - 1 - i;
        if args.is(i, "auth") && more >= 2 {
            ctx.client.redact(i + 1);
            ctx.client.redact(i + 2);
            authenticate(ctx, args.get(i + 1), args.get(i + 2))?;
            i += 3;
        } else if args.is(i, "setname") && more >= 1 {
            super::client::set_name(ctx, args.get(i + 1))?;
            i += 2;
        } else {
            return Err(CmdError::err(format_args!(
                "Syntax error in HELLO option '{}'",
                String::from_utf8_lossy(args.get(i))
            )));
        }
    }
    if !ctx.client.authenticated {
        return Err(CmdError::Msg(
            "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH \
             <user> <pass> option can be used to authenticate the client and select the RESP protocol \
             version at the same time"
                .into(),
        ));
    }
    if let Some(p) = proto {
        ctx.out.proto = p;
        ctx.client.info.set_protocol(p);
    }
    let out = &mut *ctx.out;
    out.map(7);
    out.bulk(b"server");
    out.bulk(b"redis");
    out.bulk(b"version");
    out.bulk(crate::REDIS_VERSION.as_bytes());
    out.bulk(b"proto");
    out.int(out.proto.version());
    out.bulk(b"id");
    out.int(ctx.client.info.id as i64);
    out.bulk(b"mode");
    out.bulk(b"standalone");
    out.bulk(b"role");
    out.bulk(b"master");
    out.bulk(b"modules");
    out.array(0);
    Ok(())
}

/// `AUTH [username] password`, against the `default` user and `requirepass`.
fn auth(ctx: &mut Ctx) -> CmdResult {
    let n = ctx.args.len();
    if n > 3 {
        return Err(CmdError::Syntax);
    }
    for i in 1..n {
        ctx.client.redact(i);
    }
    if n == 2 {
        if ctx.server.config.read().requirepass.is_empty() {
            return Err(CmdError::err(
                "AUTH <password> called without any password configured for the default user. Are you sure \
                 your configuration is correct?",
            ));
        }
        authenticate(ctx, b"default", ctx.args.get(1))?;
    } else {
        authenticate(ctx, ctx.args.get(1), ctx.args.get(2))?;
    }
    ctx.out.ok();
    Ok(())
}

/// Checks a username and password; on success the client is authenticated, on
/// failure its state is unchanged.
fn authenticate(ctx: &mut Ctx, user: &[u8], pass: &[u8]) -> CmdResult {
    let ok = {
        let cfg = ctx.server.config.read();
        // The only user is `default`; without `requirepass` it takes any password.
        user == b"default"
            && (cfg.requirepass.is_empty() || constant_time_eq(cfg.requirepass.as_bytes(), pass))
    };
    if !ok {
        return Err(CmdError::Msg("WRONGPASS invalid username-password pair or user is disabled.".into()));
    }
    ctx.client.authenticated = true;
    Ok(())
}

/// Compares without an early exit, so response time does not reveal how much of a
/// guessed password is right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for i in 0..a.len().max(b.len()) {
        diff |= (a.get(i).copied().unwrap_or(0) ^ b.get(i).copied().unwrap_or(0)) as usize;
    }
    diff == 0
}

/// Turns the connection into a monitor; a second MONITOR gets no reply, as in Redis.
fn monitor(ctx: &mut Ctx) -> CmdResult {
    if ctx.client.monitor.is_some() {
        return Ok(());
    }
    ctx.client.monitor = Some(ctx.server.monitors.add(ctx.client.info.clone()));
    ctx.client.info.monitor.store(true, std::sync::atomic::Ordering::Relaxed);
    ctx.out.ok();
    Ok(())
}
