//! CONFIG GET/SET/RESETSTAT/REWRITE/HELP, over the parameter registry in
//! `crate::config`.

use super::command::help_reply;
use super::{Arg, ArgType, CmdError, CmdResult, Command, Ctx};
use crate::client::{Client, Peer};
use crate::config::{self, Mode, Param, PARAMS};
use crate::keyspace::glob::glob_match;

pub static COMMANDS: &[Command] = &[Command {
    name: "config",
    arity: -2,
    acl: &["@slow"],
    subcommands: &[
        Command {
            name: "get",
            arity: -3,
            flags: &["admin", "noscript", "loading", "stale"],
            acl: &["@admin", "@slow", "@dangerous"],
            handler: config_get,
            group: "server",
            since: "2.0.0",
            summary: "Get the values of configuration parameters",
            complexity: "O(N) when N is the number of configuration parameters provided",
            history: &[("7.0.0", "Added the ability to pass multiple pattern parameters in one call")],
            args: &[Arg::new("parameter", ArgType::Block)
                .flags(&["multiple"])
                .args(&[Arg::new("parameter", ArgType::String)])],
            ..Command::DEFAULT
        },
        Command {
            name: "help",
            arity: 2,
            flags: &["loading", "stale"],
            acl: &["@slow"],
            handler: config_help,
            group: "server",
            since: "5.0.0",
            summary: "Show helpful text about the different subcommands",
            complexity: "O(1)",
            ..Command::DEFAULT
        },
        Command {
            name: "resetstat",
            arity: 2,
            flags: &["admin", "noscript", "loading", "stale"],
            acl: &["@admin", "@slow", "@dangerous"],
            handler: config_resetstat,
            group: "server",
            since: "2.0.0",
            summary: "Reset the stats returned by INFO",
            complexity: "O(1)",
            ..Command::DEFAULT
        },
        Command {
            name: "rewrite",
            arity: 2,
            flags: &["admin", "noscript", "loading", "stale"],
            acl: &["@admin", "@slow", "@dangerous"],
            handler: config_rewrite,
            group: "server",
            since: "2.8.0",
            summary: "Rewrite the configuration file with the in memory configuration",
            complexity: "O(1)",
            ..Command::DEFAULT
        },
        Command {
            name: "set",
            arity: -4,
            flags: &["admin", "noscript", "loading", "stale"],
            acl: &["@admin", "@slow", "@dangerous"],
            tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
            handler: config_set,
            group: "server",
            since: "2.0.0",
            summary: "Set configuration parameters to the given values",
            complexity: "O(N) when N is the number of configuration parameters provided",
            history: &[("7.0.0", "Added the ability to set multiple parameters in one call.")],
            args: &[Arg::new("parameter_value", ArgType::Block)
                .flags(&["multiple"])
                .args(&[Arg::new("parameter", ArgType::String), Arg::new("value", ArgType::String)])],
            ..Command::DEFAULT
        },
    ],
    group: "server",
    since: "2.0.0",
    summary: "A container for server configuration commands",
    complexity: "Depends on subcommand.",
    ..Command::DEFAULT
}];

/// Whether an `enable-*` setting (`no`, `yes`, `local`) lets this client in.
pub fn enabled_for(setting: &str, client: &Client) -> bool {
    match setting {
        "yes" => true,
        "local" => match &client.info.peer {
            Peer::Tcp { addr, .. } => addr.ip().is_loopback(),
            Peer::Unix { .. } => true,
        },
        _ => false,
    }
}

fn config_get(ctx: &mut Ctx) -> CmdResult {
    let cfg = ctx.server.config.read();
    // (name as reported, parameter): a plain name is echoed as given, as Redis does.
    let mut found: Vec<(&[u8], &Param)> = Vec::new();
    for pattern in ctx.args.iter().skip(2) {
        if !pattern.iter().any(|c| b"*?[".contains(c)) {
            let param = std::str::from_utf8(pattern).ok().and_then(config::find_param);
            if let Some(p) = param.filter(|p| !found.iter().any(|(_, f)| f.name == p.name)) {
                found.push((pattern, p));
            }
            continue;
        }
        for p in PARAMS {
            if glob_match(pattern, p.name.as_bytes(), true) && !found.iter().any(|(_, f)| f.name == p.name) {
                found.push((p.name.as_bytes(), p));
            }
        }
    }
    ctx.out.map(found.len());
    for (name, p) in found {
        ctx.out.bulk(name);
        ctx.out.bulk((p.get)(&cfg).as_bytes());
    }
    Ok(())
}

fn set_failed(name: &str, reason: &str) -> CmdError {
    CmdError::err(format_args!("CONFIG SET failed (possibly related to argument '{name}') - {reason}"))
}

/// Sets all given parameters or none: every name is checked, then every value is
/// set on a copy of the configuration, which replaces the live one only if all
/// succeeded.
fn config_set(ctx: &mut Ctx) -> CmdResult {
    let args = ctx.args;
    if !args.len().is_multiple_of(2) {
        return Err(CmdError::Syntax);
    }
    let mut changes: Vec<(&Param, String, String)> = Vec::new();
    let protected_ok = enabled_for(&ctx.server.config.read().enable_protected_configs, ctx.client);
    for i in (2..args.len()).step_by(2) {
        let name = String::from_utf8_lossy(args.get(i)).into_owned();
        let value = String::from_utf8_lossy(args.get(i + 1)).into_owned();
        let Some(p) = config::find_param(&name) else {
            return Err(CmdError::err(format_args!(
                "Unknown option or number of arguments for CONFIG SET - '{name}'"
            )));
        };
        match p.mode {
            Mode::Immutable => return Err(set_failed(&name, "can't set immutable config")),
            Mode::Protected if !protected_ok => return Err(set_failed(&name, "can't set protected config")),
            _ => {}
        }
        if changes.iter().any(|(q, _, _)| q.name == p.name) {
            return Err(set_failed(&name, "duplicate parameter"));
        }
        changes.push((p, name, value));
    }
    let mut cfg = ctx.server.config.write();
    let mut new = cfg.clone();
    for (p, name, value) in &changes {
        (p.set)(&mut new, value).map_err(|e| set_failed(name, &e))?;
    }
    for (p, name, _) in &changes {
        if let Some(apply) = p.apply {
            apply(&new).map_err(|e| set_failed(name, &e))?;
        }
    }
    *cfg = new;
    drop(cfg);
    ctx.server.config_changed();
    ctx.out.ok();
    Ok(())
}

fn config_resetstat(ctx: &mut Ctx) -> CmdResult {
    ctx.server.reset_stats();
    ctx.out.ok();
    Ok(())
}

fn config_rewrite(ctx: &mut Ctx) -> CmdResult {
    let cfg = ctx.server.config.read().clone();
    let Some(path) = cfg.config_file.clone() else {
        return Err(CmdError::err("The server is running without a config file"));
    };
    config::rewrite(&cfg, &path).map_err(|e| CmdError::err(format_args!("Rewriting config file: {e}")))?;
    ctx.out.ok();
    Ok(())
}

fn config_help(ctx: &mut Ctx) -> CmdResult {
    help_reply(
        ctx.out,
        "CONFIG",
        &[
            "GET <pattern>",
            "    Return parameters matching the glob-like <pattern> and their values.",
            "SET <directive> <value>",
            "    Set the configuration <directive> to <value>.",
            "RESETSTAT",
            "    Reset statistics reported by the INFO command.",
            "REWRITE",
            "    Rewrite the configuration file.",
        ],
    );
    Ok(())
}
