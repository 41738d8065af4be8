//! CLIENT and its subcommands: naming, listing, killing and pausing clients, and
//! per-connection reply and eviction modes.

use std::fmt::Write as _;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use super::{table, Arg, ArgType, CmdError, CmdResult, Command, Ctx};
use crate::client::{ClientInfo, Peer, ReplyMode};
use crate::net::pause::PauseMode;
use crate::protocol::parser::parse_i64;
use crate::server::Server;

const ADMIN: &[&str] = &["admin", "noscript", "loading", "stale"];
const ADMIN_ACL: &[&str] = &["@admin", "@slow", "@dangerous", "@connection"];
const PLAIN: &[&str] = &["noscript", "loading", "stale"];
const PLAIN_ACL: &[&str] = &["@slow", "@connection"];

const fn sub(
    name: &'static str,
    arity: i32,
    admin: bool,
    handler: super::Handler,
    since: &'static str,
    summary: &'static str,
    complexity: &'static str,
) -> Command {
    Command {
        name,
        arity,
        flags: if admin { ADMIN } else { PLAIN },
        acl: if admin { ADMIN_ACL } else { PLAIN_ACL },
        handler,
        group: "connection",
        since,
        summary,
        complexity,
        ..Command::DEFAULT
    }
}

const PER_CLIENT: &str = "O(N) where N is the number of client connections";

pub static COMMANDS: &[Command] = &[Command {
    name: "client",
    arity: -2,
    acl: &["@slow"],
    subcommands: &[
        sub(
            "unpause",
            2,
            true,
            unpause,
            "6.2.0",
            "Resume processing of clients that were paused",
            "O(N) Where N is the number of paused clients",
        ),
        sub("id", 2, false, id, "5.0.0", "Returns the client ID for the current connection", "O(1)"),
        Command {
            args: &[Arg::new("connection-name", ArgType::String)],
            ..sub("setname", 3, false, setname, "2.6.9", "Set the current connection name", "O(1)")
        },
        Command {
            history: &[
                ("2.8.12", "Added new filter format."),
                ("2.8.12", "`ID` option."),
                ("3.2.0", "Added `master` type in for `TYPE` option."),
                ("5.0.0", "Replaced `slave` `TYPE` with `replica`. `slave` still supported for backward compatibility."),
                ("6.2.0", "`LADDR` option."),
            ],
            args: &[
                Arg::new("filter", ArgType::Oneof).args(&[
                    Arg::new("ip:port", ArgType::String).deprecated_since("2.8.12"),
                    Arg::new("new-format", ArgType::Oneof).flags(&["multiple"]).args(&[
                        Arg::new("client-id", ArgType::Integer)
                            .token("ID")
                            .since("2.8.12")
                            .flags(&["optional"]),
                        Arg::new("normal_master_slave_pubsub", ArgType::Oneof)
                            .token("TYPE")
                            .since("2.8.12")
                            .flags(&["optional"])
                            .args(&[
                                Arg::pure("normal", "NORMAL"),
                                Arg::pure("master", "MASTER").since("3.2.0"),
                                Arg::pure("slave", "SLAVE"),
                                Arg::pure("replica", "REPLICA").since("5.0.0"),
                                Arg::pure("pubsub", "PUBSUB"),
                            ]),
                        Arg::new("username", ArgType::String).token("USER").flags(&["optional"]),
                        Arg::new("ip:port", ArgType::String).token("ADDR").flags(&["optional"]),
                        Arg::new("ip:port", ArgType::String)
                            .token("LADDR")
                            .since("6.2.0")
                            .flags(&["optional"]),
                        Arg::new("yes/no", ArgType::String).token("SKIPME").flags(&["optional"]),
                    ]),
                ]),
            ],
            ..sub("kill", -3, true, kill, "2.4.0", "Kill the connection of a client", PER_CLIENT)
        },
        Command {
            tips: &["nondeterministic_output"],
            history: &[
                ("2.8.12", "Added unique client `id` field."),
                ("5.0.0", "Added optional `TYPE` filter."),
                ("6.0.0", "Added `user` field."),
                ("6.2.0", "Added `argv-mem`, `tot-mem`, `laddr` and `redir` fields and the optional `ID` filter."),
                ("7.0.0", "Added `resp`, `multi-mem`, `rbs` and `rbp` fields."),
                ("7.0.3", "Added `ssub` field."),
            ],
            args: &[
                Arg::new("normal_master_replica_pubsub", ArgType::Oneof)
                    .token("TYPE")
                    .since("5.0.0")
                    .flags(&["optional"])
                    .args(&[
                        Arg::pure("normal", "NORMAL"),
                        Arg::pure("master", "MASTER"),
                        Arg::pure("replica", "REPLICA"),
                        Arg::pure("pubsub", "PUBSUB"),
                    ]),
                Arg::new("id", ArgType::Block).token("ID").since("6.2.0").flags(&["optional"]).args(&[
                    Arg::new("client-id", ArgType::Integer).flags(&["multiple"]),
                ]),
            ],
            ..sub("list", -2, true, list, "2.4.0", "Get the list of client connections", PER_CLIENT)
        },
        sub("getname", 2, false, getname, "2.6.9", "Get the current connection name", "O(1)"),
        Command {
            tips: &["nondeterministic_output"],
            ..sub(
                "info",
                2,
                false,
                info,
                "6.2.0",
                "Returns information about the current client connection.",
                "O(1)",
            )
        },
        Command {
            args: &[
                Arg::new("on_off_skip", ArgType::Oneof).args(&[
                    Arg::pure("on", "ON"),
                    Arg::pure("off", "OFF"),
                    Arg::pure("skip", "SKIP"),
                ]),
            ],
            ..sub(
                "reply",
                3,
                false,
                reply,
                "3.2.0",
                "Instruct the server whether to reply to commands",
                "O(1)",
            )
        },
        Command {
            history: &[("6.2.0", "`CLIENT PAUSE WRITE` mode added along with the `mode` option.")],
            args: &[
                Arg::new("timeout", ArgType::Integer),
                Arg::new("mode", ArgType::Oneof).since("6.2.0").flags(&["optional"]).args(&[
                    Arg::pure("write", "WRITE"),
                    Arg::pure("all", "ALL"),
                ]),
            ],
            ..sub(
                "pause",
                -3,
                true,
                pause,
                "2.9.50",
                "Stop processing commands from clients for some time",
                "O(1)",
            )
        },
        Command {
            flags: &["loading", "stale"],
            ..sub(
                "help",
                2,
                false,
                help,
                "5.0.0",
                "Show helpful text about the different subcommands",
                "O(1)",
            )
        },
        Command {
            args: &[
                Arg::new("enabled", ArgType::Oneof).args(&[
                    Arg::pure("on", "ON"),
                    Arg::pure("off", "OFF"),
                ]),
            ],
            ..sub(
                "no-evict",
                3,
                true,
                no_evict,
                "7.0.0",
                "Set client eviction mode for the current connection",
                "O(1)",
            )
        },
    ],
    group: "connection",
    since: "2.4.0",
    summary: "A container for client connection commands",
    complexity: "Depends on subcommand.",
    ..Command::DEFAULT
}];

fn id(ctx: &mut Ctx) -> CmdResult {
    ctx.out.int(ctx.client.info.id as i64);
    Ok(())
}

/// Sets (or with an empty name clears) the connection name; names are limited to
/// printable ASCII without spaces.
pub(crate) fn set_name(ctx: &mut Ctx, name: &[u8]) -> CmdResult {
    if name.iter().any(|&c| !(b'!'..=b'~').contains(&c)) {
        return Err(CmdError::err("Client names cannot contain spaces, newlines or special characters."));
    }
    *ctx.client.info.name.lock() = (!name.is_empty()).then(|| name.to_vec());
    Ok(())
}

fn setname(ctx: &mut Ctx) -> CmdResult {
    set_name(ctx, ctx.args.get(2))?;
    ctx.out.ok();
    Ok(())
}

fn getname(ctx: &mut Ctx) -> CmdResult {
    match &*ctx.client.info.name.lock() {
        Some(n) => ctx.out.bulk(n),
        None => ctx.out.null(),
    }
    Ok(())
}

fn reply(ctx: &mut Ctx) -> CmdResult {
    let mode = if ctx.args.is(2, "on") {
        ReplyMode::On
    } else if ctx.args.is(2, "off") {
        ReplyMode::Off
    } else if ctx.args.is(2, "skip") {
        ReplyMode::SkipNext
    } else {
        return Err(CmdError::Syntax);
    };
    ctx.client.reply_mode = mode;
    if mode == ReplyMode::On {
        ctx.out.ok();
    }
    Ok(())
}

fn no_evict(ctx: &mut Ctx) -> CmdResult {
    let on = on_off(ctx, 2)?;
    ctx.client.info.no_evict.store(on, Relaxed);
    ctx.out.ok();
    Ok(())
}

fn on_off(ctx: &Ctx, i: usize) -> Result<bool, CmdError> {
    match () {
        _ if ctx.args.is(i, "on") => Ok(true),
        _ if ctx.args.is(i, "off") => Ok(false),
        _ => Err(CmdError::Syntax),
    }
}

fn pause(ctx: &mut Ctx) -> CmdResult {
    let args = ctx.args;
    if args.len() > 4 {
        return Err(syntax_for(ctx));
    }
    let ms =
        parse_i64(args.get(2)).ok_or_else(|| CmdError::err("timeout is not an integer or out of range"))?;
    if ms < 0 {
        return Err(CmdError::err("timeout is negative"));
    }
    let mode = match args.len() {
        3 => PauseMode::All,
        4 if args.is(3, "write") => PauseMode::Write,
        4 if args.is(3, "all") => PauseMode::All,
        _ => return Err(CmdError::err("CLIENT PAUSE mode must be WRITE or ALL")),
    };
    let now = Instant::now();
    // Deadlines beyond what Instant can hold are as good as forever.
    let until = now
        .checked_add(Duration::from_millis(ms as u64))
        .unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 86400));
    ctx.server.pause.pause(mode, until);
    ctx.out.ok();
    Ok(())
}

/// Redis's "unknown subcommand or wrong number of arguments" error for `ctx`'s
/// subcommand.
fn syntax_for(ctx: &Ctx) -> CmdError {
    CmdError::err(format_args!(
        "unknown subcommand or wrong number of arguments for '{}'. Try CLIENT HELP.",
        String::from_utf8_lossy(ctx.args.get(1))
    ))
}

fn unpause(ctx: &mut Ctx) -> CmdResult {
    ctx.server.pause.unpause();
    ctx.out.ok();
    Ok(())
}

/// Client types of CLIENT LIST TYPE and CLIENT KILL TYPE.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ClientType {
    Normal,
    Replica,
    Master,
    Pubsub,
}

fn parse_type(s: &[u8]) -> Result<ClientType, CmdError> {
    Ok(match s.to_ascii_lowercase().as_slice() {
        b"normal" => ClientType::Normal,
        b"slave" | b"replica" => ClientType::Replica,
        b"master" => ClientType::Master,
        b"pubsub" => ClientType::Pubsub,
        _ => return Err(CmdError::err(format_args!("Unknown client type '{}'", String::from_utf8_lossy(s)))),
    })
}

/// Every client here is a normal client: there are no replication links, and
/// monitors count as normal clients in Redis too.
fn is_type(_: &ClientInfo, t: ClientType) -> bool {
    t == ClientType::Normal
}

fn list(ctx: &mut Ctx) -> CmdResult {
    let args = ctx.args;
    let clients = if args.len() == 2 {
        ctx.server.clients.list()
    } else if args.len() == 4 && args.is(2, "type") {
        let t = parse_type(args.get(3))?;
        ctx.server.clients.list().into_iter().filter(|c| is_type(c, t)).collect()
    } else if args.len() >= 4 && args.is(2, "id") {
        let mut ids = Vec::new();
        for i in 3..args.len() {
            ids.push(parse_i64(args.get(i)).ok_or_else(|| CmdError::err("Invalid client ID"))?);
        }
        ids.into_iter()
            .filter_map(|id| u64::try_from(id).ok().and_then(|id| ctx.server.clients.get(id)))
            .collect()
    } else {
        return Err(CmdError::Syntax);
    };
    let mut text = String::new();
    for c in clients {
        describe(ctx, &c, &mut text);
        text.push('\n');
    }
    ctx.out.verbatim("txt", text.as_bytes());
    Ok(())
}

fn info(ctx: &mut Ctx) -> CmdResult {
    let mut text = String::new();
    let me = ctx.client.info.clone();
    describe(ctx, &me, &mut text);
    text.push('\n');
    ctx.out.verbatim("txt", text.as_bytes());
    Ok(())
}

/// Memory a client costs besides its buffers (connection state, task, parser), for
/// the `tot-mem` estimate.
const CLIENT_OVERHEAD: usize = 2048;

/// One CLIENT LIST line, with Redis 7.0's fields in Redis's order.
fn describe(ctx: &Ctx, c: &ClientInfo, out: &mut String) {
    let server: &Server = ctx.server;
    let me = c.id == ctx.client.info.id;
    let mut flags = String::new();
    if c.monitor.load(Relaxed) {
        flags.push('O');
    }
    if c.blocked.load(Relaxed) {
        flags.push('b');
    }
    if matches!(c.peer, Peer::Unix { .. }) {
        flags.push('U');
    }
    if c.no_evict.load(Relaxed) {
        flags.push('e');
    }
    if flags.is_empty() {
        flags.push('N');
    }
    // The running command's request is still in its client's read buffer.
    let (qbuf, argv_mem) = if me {
        let args = ctx.args;
        let argv: usize = args.iter().map(<[u8]>::len).sum();
        let request = format!("*{}\r\n", args.len()).len()
            + args.iter().map(|a| format!("${}\r\n", a.len()).len() + a.len() + 2).sum::<usize>();
        (request, argv)
    } else {
        (c.query_buf.load(Relaxed), 0)
    };
    let rbs = c.query_buf_cap.load(Relaxed).max(qbuf);
    let name = c.name.lock().as_deref().map(|n| String::from_utf8_lossy(n).into_owned()).unwrap_or_default();
    let idle_ms = server.uptime_ms().saturating_sub(c.last_interaction_ms.load(Relaxed));
    let cmd = match c.last_cmd.load(Relaxed) {
        usize::MAX => "NULL",
        id => table().full_name(id),
    };
    let _ = write!(
        out,
        "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub=0 psub=0 ssub=0 multi=-1 \
         qbuf={} qbuf-free={} argv-mem={} multi-mem=0 rbs={} rbp={} obl=0 oll=0 omem=0 tot-mem={} events=r \
         cmd={} user=default redir=-1 resp={}",
        c.id,
        c.peer.addr(),
        c.peer.local_addr(),
        c.fd,
        name,
        c.created.elapsed().as_secs(),
        idle_ms / 1000,
        flags,
        c.db.load(Relaxed),
        qbuf,
        rbs - qbuf,
        argv_mem,
        rbs,
        c.query_buf_peak.load(Relaxed).max(rbs),
        rbs + argv_mem + CLIENT_OVERHEAD,
        cmd,
        c.resp.load(Relaxed),
    );
}

/// The filters of `CLIENT KILL <option> <value> ...`.
#[derive(Default)]
struct KillFilter {
    id: Option<u64>,
    kind: Option<ClientType>,
    addr: Option<Vec<u8>>,
    laddr: Option<Vec<u8>>,
    skip_me: bool,
}

fn kill(ctx: &mut Ctx) -> CmdResult {
    let args = ctx.args;
    if args.len() == 3 {
        // The old form: `CLIENT KILL ip:port`, which may kill the caller itself.
        let target = args.get(2);
        let found = ctx.server.clients.list().into_iter().find(|c| c.peer.addr().as_bytes() == target);
        let Some(c) = found else { return Err(CmdError::err("No such client")) };
        kill_one(ctx, &c);
        ctx.out.ok();
        return Ok(());
    }
    if !args.len().is_multiple_of(2) {
        return Err(CmdError::Syntax);
    }
    let mut f = KillFilter { skip_me: true, ..KillFilter::default() };
    for i in (2..args.len()).step_by(2) {
        let v = args.get(i + 1);
        if args.is(i, "id") {
            match parse_i64(v) {
                Some(id) if id > 0 => f.id = Some(id as u64),
                _ => return Err(CmdError::err("client-id should be greater than 0")),
            }
        } else if args.is(i, "type") {
            f.kind = Some(parse_type(v)?);
        } else if args.is(i, "addr") {
            f.addr = Some(v.to_vec());
        } else if args.is(i, "laddr") {
            f.laddr = Some(v.to_vec());
        } else if args.is(i, "user") {
            if v != b"default" {
                return Err(CmdError::err(format_args!("No such user '{}'", String::from_utf8_lossy(v))));
            }
        } else if args.is(i, "skipme") {
            f.skip_me = match () {
                _ if v.eq_ignore_ascii_case(b"yes") => true,
                _ if v.eq_ignore_ascii_case(b"no") => false,
                _ => return Err(CmdError::Syntax),
            };
        } else {
            return Err(CmdError::Syntax);
        }
    }
    let me = ctx.client.info.id;
    let mut killed = 0;
    for c in ctx.server.clients.list() {
        let matches = f.id.is_none_or(|id| c.id == id)
            && f.kind.is_none_or(|t| is_type(&c, t))
            && f.addr.as_ref().is_none_or(|a| c.peer.addr().as_bytes() == a.as_slice())
            && f.laddr.as_ref().is_none_or(|a| c.peer.local_addr().as_bytes() == a.as_slice())
            && !(f.skip_me && c.id == me);
        if matches {
            kill_one(ctx, &c);
            killed += 1;
        }
    }
    ctx.out.int(killed);
    Ok(())
}

/// Kills another client at once; the caller itself is closed after this reply.
fn kill_one(ctx: &mut Ctx, c: &ClientInfo) {
    if c.id == ctx.client.info.id {
        ctx.client.close_after_reply = true;
    } else {
        ctx.server.clients.kill(c);
    }
}

/// HELP lines between the header and the HELP entry that `help_reply` adds.
const HELP: &[&str] = &[
    "CACHING (YES|NO)",
    "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
    "GETREDIR",
    "    Return the client ID we are redirecting to when tracking is enabled.",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made from the specified address",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made to specified local address",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Kill connections by type.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "UNPAUSE",
    "    Stop the current client pause, resuming traffic.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Suspend all, or just write, clients for <timeout> milliseconds.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Unblock the specified blocked client.",
    "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
    "         [OPTIN] [OPTOUT] [NOLOOP]",
    "    Control server assisted client side caching.",
    "TRACKINGINFO",
    "    Report tracking status for the current connection.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
];

fn help(ctx: &mut Ctx) -> CmdResult {
    super::command::help_reply(ctx.out, "CLIENT", HELP);
    Ok(())
}
