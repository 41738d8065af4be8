//! COMMAND: the command table as clients see it (`COMMAND INFO`, `DOCS`, `LIST`,
//! `GETKEYS`, ...), all answered from the declarations in the family tables.

use super::spec::{Arg, BeginSearch, FindKeys, KeySpec};
use super::{table, ArgType, Args, CmdError, CmdResult, Command, Ctx};
use crate::keyspace::glob::glob_match;
use crate::protocol::reply::ReplyBuf;

pub static COMMANDS: &[Command] = &[Command {
    name: "command",
    arity: -1,
    flags: &["loading", "stale"],
    acl: &["@slow", "@connection"],
    tips: &["nondeterministic_output_order"],
    handler: command_all,
    subcommands: &[
        Command {
            name: "count",
            arity: 2,
            flags: &["loading", "stale"],
            acl: &["@slow", "@connection"],
            handler: command_count,
            group: "server",
            since: "2.8.13",
            summary: "Get total number of Redis commands",
            complexity: "O(1)",
            ..Command::DEFAULT
        },
        Command {
            name: "docs",
            arity: -2,
            flags: &["loading", "stale"],
            acl: &["@slow", "@connection"],
            tips: &["nondeterministic_output_order"],
            handler: command_docs,
            group: "server",
            since: "7.0.0",
            summary: "Get array of specific Redis command documentation",
            complexity: "O(N) where N is the number of commands to look up",
            args: &[Arg::new("command-name", ArgType::String).flags(&["optional", "multiple"])],
            ..Command::DEFAULT
        },
        Command {
            name: "getkeys",
            arity: -4,
            flags: &["loading", "stale"],
            acl: &["@slow", "@connection"],
            handler: command_getkeys,
            group: "server",
            since: "2.8.13",
            summary: "Extract keys given a full Redis command",
            complexity: "O(N) where N is the number of arguments to the command",
            ..Command::DEFAULT
        },
        Command {
            name: "getkeysandflags",
            arity: -4,
            flags: &["loading", "stale"],
            acl: &["@slow", "@connection"],
            handler: command_getkeysandflags,
            group: "server",
            since: "7.0.0",
            summary: "Extract keys and access flags given a full Redis command",
            complexity: "O(N) where N is the number of arguments to the command",
            ..Command::DEFAULT
        },
        Command {
            name: "help",
            arity: 2,
            flags: &["loading", "stale"],
            acl: &["@slow", "@connection"],
            handler: command_help,
            group: "server",
            since: "5.0.0",
            summary: "Show helpful text about the different subcommands",
            complexity: "O(1)",
            ..Command::DEFAULT
        },
        Command {
            name: "info",
            arity: -2,
            flags: &["loading", "stale"],
            acl: &["@slow", "@connection"],
            tips: &["nondeterministic_output_order"],
            handler: command_info,
            group: "server",
            since: "2.8.13",
            summary: "Get array of specific Redis command details, or all when no argument is given.",
            complexity: "O(N) where N is the number of commands to look up",
            history: &[("7.0.0", "Allowed to be called with no argument to get info on all commands.")],
            args: &[Arg::new("command-name", ArgType::String).flags(&["optional", "multiple"])],
            ..Command::DEFAULT
        },
        Command {
            name: "list",
            arity: -2,
            flags: &["loading", "stale"],
            acl: &["@slow", "@connection"],
            tips: &["nondeterministic_output_order"],
            handler: command_list,
            group: "server",
            since: "7.0.0",
            summary: "Get an array of Redis command names",
            complexity: "O(N) where N is the total number of Redis commands",
            args: &[Arg::new("filterby", ArgType::Oneof).token("FILTERBY").flags(&["optional"]).args(&[
                Arg::new("module-name", ArgType::String).token("MODULE"),
                Arg::new("category", ArgType::String).token("ACLCAT"),
                Arg::new("pattern", ArgType::Pattern).token("PATTERN"),
            ])],
            ..Command::DEFAULT
        },
    ],
    group: "server",
    since: "2.8.13",
    summary: "Get array of Redis command details",
    complexity: "O(N) where N is the total number of Redis commands",
    ..Command::DEFAULT
}];

/// Writes a HELP reply the way Redis formats them: a header naming the command, the
/// given lines, then the HELP entry, all as status strings.
pub fn help_reply(out: &mut ReplyBuf, command: &str, lines: &[&str]) {
    out.array(lines.len() + 3);
    out.simple(&format!("{command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"));
    for line in lines {
        out.simple(line);
    }
    out.simple("HELP");
    out.simple("    Prints this help.");
}

/// Finds a command by its full name (`get`, `config|get`), any case.
pub fn find(name: &[u8]) -> Option<(String, &'static Command)> {
    let t = table();
    let mut parts = name.splitn(2, |&c| c == b'|');
    let (id, cmd) = t.lookup(parts.next()?)?;
    match parts.next() {
        None => Some((cmd.name.to_string(), cmd)),
        Some(sub) => {
            let (_, s) = t.lookup_sub(id, sub)?;
            Some((format!("{}|{}", cmd.name, s.name), s))
        }
    }
}

/// The top-level commands, in table order.
fn top_level() -> impl Iterator<Item = &'static Command> {
    super::families().into_iter().flat_map(|f| f.iter())
}

/// Status strings as a set.
fn status_set(out: &mut ReplyBuf, items: &[&str]) {
    out.set(items.len());
    for i in items {
        out.simple(i);
    }
}

/// One command's `COMMAND INFO` entry.
pub fn reply_info(out: &mut ReplyBuf, name: &str, cmd: &Command) {
    out.array(10);
    out.bulk(name.as_bytes());
    out.int(cmd.arity as i64);
    status_set(out, cmd.flags);
    out.int(cmd.range.0 as i64);
    out.int(cmd.range.1 as i64);
    out.int(cmd.range.2 as i64);
    status_set(out, cmd.acl);
    out.set(cmd.tips.len());
    for tip in cmd.tips {
        out.bulk(tip.as_bytes());
    }
    out.set(cmd.key_specs.len());
    for spec in cmd.key_specs {
        reply_key_spec(out, spec);
    }
    // An empty set when there are none, else an array (as Redis replies).
    if cmd.subcommands.is_empty() {
        out.set(0);
    } else {
        out.array(cmd.subcommands.len());
    }
    for sub in cmd.subcommands {
        reply_info(out, &format!("{name}|{}", sub.name), sub);
    }
}

fn reply_key_spec(out: &mut ReplyBuf, spec: &KeySpec) {
    out.map(3 + spec.notes.is_some() as usize);
    if let Some(notes) = spec.notes {
        out.bulk(b"notes");
        out.bulk(notes.as_bytes());
    }
    out.bulk(b"flags");
    status_set(out, spec.flags);
    out.bulk(b"begin_search");
    out.map(2);
    out.bulk(b"type");
    match spec.begin {
        BeginSearch::Index(i) => {
            out.bulk(b"index");
            out.bulk(b"spec");
            out.map(1);
            out.bulk(b"index");
            out.int(i as i64);
        }
        BeginSearch::Keyword { keyword, startfrom } => {
            out.bulk(b"keyword");
            out.bulk(b"spec");
            out.map(2);
            out.bulk(b"keyword");
            out.bulk(keyword.as_bytes());
            out.bulk(b"startfrom");
            out.int(startfrom as i64);
        }
        BeginSearch::Unknown => {
            out.bulk(b"unknown");
            out.bulk(b"spec");
            out.map(0);
        }
    }
    out.bulk(b"find_keys");
    out.map(2);
    out.bulk(b"type");
    let fields: &[(&str, i32)] = match spec.find {
        FindKeys::Range { lastkey, keystep, limit } => {
            out.bulk(b"range");
            &[("lastkey", lastkey), ("keystep", keystep), ("limit", limit)]
        }
        FindKeys::Keynum { keynumidx, firstkey, keystep } => {
            out.bulk(b"keynum");
            &[("keynumidx", keynumidx), ("firstkey", firstkey), ("keystep", keystep)]
        }
        FindKeys::Unknown => {
            out.bulk(b"unknown");
            &[]
        }
    };
    out.bulk(b"spec");
    out.map(fields.len());
    for (name, v) in fields {
        out.bulk(name.as_bytes());
        out.int(*v as i64);
    }
}

/// One command's `COMMAND DOCS` map (without its name).
pub fn reply_docs(out: &mut ReplyBuf, name: &str, cmd: &Command) {
    let present = |s: &str| !s.is_empty() as usize;
    let len = present(cmd.summary)
        + present(cmd.since)
        + 1
        + present(cmd.complexity)
        + !cmd.doc_flags.is_empty() as usize
        + present(cmd.deprecated_since)
        + present(cmd.replaced_by)
        + !cmd.history.is_empty() as usize
        + !cmd.args.is_empty() as usize
        + !cmd.subcommands.is_empty() as usize;
    out.map(len);
    for (field, value) in [("summary", cmd.summary), ("since", cmd.since), ("group", cmd.group)] {
        if !value.is_empty() || field == "group" {
            out.bulk(field.as_bytes());
            out.bulk(value.as_bytes());
        }
    }
    if !cmd.complexity.is_empty() {
        out.bulk(b"complexity");
        out.bulk(cmd.complexity.as_bytes());
    }
    if !cmd.doc_flags.is_empty() {
        out.bulk(b"doc_flags");
        status_set(out, cmd.doc_flags);
    }
    for (field, value) in [("deprecated_since", cmd.deprecated_since), ("replaced_by", cmd.replaced_by)] {
        if !value.is_empty() {
            out.bulk(field.as_bytes());
            out.bulk(value.as_bytes());
        }
    }
    if !cmd.history.is_empty() {
        out.bulk(b"history");
        out.set(cmd.history.len());
        for (version, change) in cmd.history {
            out.array(2);
            out.bulk(version.as_bytes());
            out.bulk(change.as_bytes());
        }
    }
    if !cmd.args.is_empty() {
        out.bulk(b"arguments");
        reply_args(out, cmd.args);
    }
    if !cmd.subcommands.is_empty() {
        out.bulk(b"subcommands");
        out.map(cmd.subcommands.len());
        for sub in cmd.subcommands {
            let full = format!("{name}|{}", sub.name);
            out.bulk(full.as_bytes());
            reply_docs(out, &full, sub);
        }
    }
}

fn reply_args(out: &mut ReplyBuf, args: &[Arg]) {
    out.array(args.len());
    for a in args {
        let nested = matches!(a.kind, ArgType::Oneof | ArgType::Block);
        let optional = [a.token, a.summary, a.since, a.deprecated_since];
        let len = 2
            + a.key_spec_index.is_some() as usize
            + optional.iter().filter(|o| o.is_some()).count()
            + !a.flags.is_empty() as usize
            + nested as usize;
        out.map(len);
        out.bulk(b"name");
        out.bulk(a.name.as_bytes());
        out.bulk(b"type");
        out.bulk(a.kind.name().as_bytes());
        if let Some(i) = a.key_spec_index {
            out.bulk(b"key_spec_index");
            out.int(i as i64);
        }
        for (field, value) in ["token", "summary", "since", "deprecated_since"].iter().zip(optional) {
            if let Some(v) = value {
                out.bulk(field.as_bytes());
                out.bulk(v.as_bytes());
            }
        }
        if !a.flags.is_empty() {
            out.bulk(b"flags");
            status_set(out, a.flags);
        }
        if nested {
            out.bulk(b"arguments");
            reply_args(out, a.args);
        }
    }
}

/// `COMMAND`: every command's INFO entry.
fn command_all(ctx: &mut Ctx) -> CmdResult {
    let n = top_level().count();
    ctx.out.array(n);
    for cmd in top_level() {
        reply_info(ctx.out, cmd.name, cmd);
    }
    Ok(())
}

fn command_count(ctx: &mut Ctx) -> CmdResult {
    ctx.out.int(top_level().count() as i64);
    Ok(())
}

fn command_info(ctx: &mut Ctx) -> CmdResult {
    if ctx.args.len() == 2 {
        return command_all(ctx);
    }
    ctx.out.array(ctx.args.len() - 2);
    for name in ctx.args.iter().skip(2) {
        match find(name) {
            Some((full, cmd)) => reply_info(ctx.out, &full, cmd),
            None => ctx.out.null(),
        }
    }
    Ok(())
}

fn command_docs(ctx: &mut Ctx) -> CmdResult {
    let found: Vec<(String, &Command)> = if ctx.args.len() == 2 {
        top_level().map(|c| (c.name.to_string(), c)).collect()
    } else {
        ctx.args.iter().skip(2).filter_map(find).collect()
    };
    ctx.out.map(found.len());
    for (name, cmd) in found {
        ctx.out.bulk(name.as_bytes());
        reply_docs(ctx.out, &name, cmd);
    }
    Ok(())
}

/// Which commands `COMMAND LIST FILTERBY` keeps.
enum Filter<'a> {
    All,
    Module,
    AclCat(String),
    Pattern(&'a [u8]),
}

fn command_list(ctx: &mut Ctx) -> CmdResult {
    let args = &ctx.args;
    let filter = match args.len() {
        2 => Filter::All,
        5 if args.is(2, "filterby") => {
            let value = args.get(4);
            if args.is(3, "module") {
                Filter::Module
            } else if args.is(3, "aclcat") {
                Filter::AclCat(format!("@{}", String::from_utf8_lossy(value).to_ascii_lowercase()))
            } else if args.is(3, "pattern") {
                Filter::Pattern(value)
            } else {
                return Err(CmdError::Syntax);
            }
        }
        _ => return Err(CmdError::Syntax),
    };
    let names: Vec<&str> = table()
        .all
        .iter()
        .filter(|(name, cmd)| match &filter {
            Filter::All => true,
            Filter::Module => false,
            Filter::AclCat(cat) => cmd.acl.contains(&cat.as_str()),
            Filter::Pattern(p) => glob_match(p, name.as_bytes(), true),
        })
        .map(|(name, _)| name.as_str())
        .collect();
    ctx.out.bulks(names.iter().map(|n| n.as_bytes()));
    Ok(())
}

/// Finds the keys of the command in `args`, as `COMMAND GETKEYS` reports them: the
/// argument positions and the key spec each came from.
fn getkeys_of(args: &Args) -> Result<Vec<(usize, &'static KeySpec)>, CmdError> {
    let t = table();
    let invalid = || CmdError::err("Invalid command specified");
    let (id, mut cmd) = t.lookup(args.get(0)).ok_or_else(invalid)?;
    if !cmd.subcommands.is_empty() && args.len() >= 2 {
        cmd = t.lookup_sub(id, args.get(1)).ok_or_else(invalid)?.1;
    }
    if cmd.key_specs.is_empty() {
        return Err(CmdError::err("The command has no key arguments"));
    }
    if !cmd.arity_ok(args.len()) {
        return Err(CmdError::err("Invalid number of arguments specified for command"));
    }
    let mut keys = Vec::new();
    let mut positions = Vec::new();
    for spec in cmd.key_specs {
        positions.clear();
        if !spec.key_positions(args.len(), &mut positions, |i| args.get(i).to_vec()) {
            keys.clear();
            break;
        }
        keys.extend(positions.iter().map(|&p| (p, spec)));
    }
    if keys.is_empty() && !cmd.has_flag("no_mandatory_keys") {
        return Err(CmdError::err("Invalid arguments specified for command"));
    }
    Ok(keys)
}

fn command_getkeys(ctx: &mut Ctx) -> CmdResult {
    let inner = ctx.args.skip(2);
    let keys = getkeys_of(&inner)?;
    ctx.out.bulks(keys.iter().map(|&(p, _)| inner.get(p)));
    Ok(())
}

fn command_getkeysandflags(ctx: &mut Ctx) -> CmdResult {
    let inner = ctx.args.skip(2);
    let keys = getkeys_of(&inner)?;
    ctx.out.array(keys.len());
    for (p, spec) in keys {
        ctx.out.array(2);
        ctx.out.bulk(inner.get(p));
        status_set(ctx.out, spec.flags);
    }
    Ok(())
}

fn command_help(ctx: &mut Ctx) -> CmdResult {
    help_reply(
        ctx.out,
        "COMMAND",
        &[
            "(no subcommand)",
            "    Return details about all Redis commands.",
            "COUNT",
            "    Return the total number of commands in this Redis server.",
            "LIST",
            "    Return a list of all commands in this Redis server.",
            "INFO [<command-name> ...]",
            "    Return details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "DOCS [<command-name> ...]",
            "    Return documentation details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "GETKEYS <full-command>",
            "    Return the keys from a full Redis command.",
            "GETKEYSANDFLAGS <full-command>",
            "    Return the keys and the access flags from a full Redis command.",
        ],
    );
    Ok(())
}
