//! Server commands: TIME, LASTSAVE, SHUTDOWN.

use std::sync::atomic::Ordering::Relaxed;

use super::{Arg, ArgType, CmdError, CmdResult, Command, Ctx};

pub static COMMANDS: &[Command] = &[
    Command {
        name: "time",
        arity: 1,
        flags: &["loading", "stale", "fast"],
        acl: &["@fast"],
        tips: &["nondeterministic_output"],
        handler: time,
        group: "server",
        since: "2.6.0",
        summary: "Return the current server time",
        complexity: "O(1)",
        ..Command::DEFAULT
    },
    Command {
        name: "lastsave",
        arity: 1,
        flags: &["loading", "stale", "fast"],
        acl: &["@admin", "@fast", "@dangerous"],
        tips: &["nondeterministic_output"],
        handler: lastsave,
        group: "server",
        since: "1.0.0",
        summary: "Get the UNIX time stamp of the last successful save to disk",
        complexity: "O(1)",
        ..Command::DEFAULT
    },
    Command {
        name: "shutdown",
        arity: -1,
        flags: &["admin", "noscript", "loading", "stale", "no_multi", "allow_busy"],
        acl: &["@admin", "@slow", "@dangerous"],
        handler: shutdown,
        group: "server",
        since: "1.0.0",
        summary: "Synchronously save the dataset to disk and then shut down the server",
        complexity: "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)",
        history: &[
            ("7.0.0", "Added the `NOW`, `FORCE` and `ABORT` modifiers."),
        ],
        args: &[
            Arg::new("nosave_save", ArgType::Oneof).flags(&["optional"]).args(&[
                Arg::pure("nosave", "NOSAVE"),
                Arg::pure("save", "SAVE"),
            ]),
            Arg::pure("now", "NOW").since("7.0.0").flags(&["optional"]),
            Arg::pure("force", "FORCE").since("7.0.0").flags(&["optional"]),
            Arg::pure("abort", "ABORT").since("7.0.0").flags(&["optional"]),
        ],
        ..Command::DEFAULT
    },
];

fn time(ctx: &mut Ctx) -> CmdResult {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    ctx.out.array(2);
    ctx.out.bulk_int(now.as_secs() as i64);
    ctx.out.bulk_int(now.subsec_micros() as i64);
    Ok(())
}

fn lastsave(ctx: &mut Ctx) -> CmdResult {
    ctx.out.int(ctx.server.last_save_unix.load(Relaxed) as i64);
    Ok(())
}

/// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. There is no persistence and no
/// replica to wait for, so a shutdown is immediate: ABORT never finds one in
/// progress, and an explicit SAVE fails (the dataset cannot be saved) unless FORCE
/// says to exit anyway. Without SAVE nothing is saved, as Redis does with no save
/// points. The client gets no reply: the server exits.
fn shutdown(ctx: &mut Ctx) -> CmdResult {
    let (mut save, mut nosave, mut force, mut abort, mut other) = (false, false, false, false, false);
    for i in 1..ctx.args.len() {
        let a = &ctx.args;
        if a.is(i, "save") {
            save = true;
        } else if a.is(i, "nosave") {
            nosave = true;
        } else if a.is(i, "now") {
            other = true;
        } else if a.is(i, "force") {
            force = true;
        } else if a.is(i, "abort") {
            abort = true;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    if (save && nosave) || (abort && (save || nosave || force || other)) {
        return Err(CmdError::Syntax);
    }
    if abort {
        return Err(CmdError::err("No shutdown in progress."));
    }
    if save && !force {
        tracing::warn!("SHUTDOWN SAVE refused: this server has no persistence to save the dataset to");
        return Err(CmdError::err("Errors trying to SHUTDOWN. Check logs."));
    }
    tracing::warn!("User requested shutdown...");
    ctx.server.shutdown.notify_one();
    ctx.client.close_after_reply = true;
    Ok(())
}
