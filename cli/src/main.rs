//! cinnabar-cli: a command-line client for Cinnabar and Redis that behaves like
//! redis-cli 7.0 (options, output formats, interactive mode, --pipe, --stat, --latency).

mod args;
mod client;
mod conn;
mod format;
mod help;
mod pipe;
mod repl;
mod resp;
mod split;
mod stat;

use std::io::{IsTerminal, Read};

use args::{Mode, Options, Parsed};
use client::{Client, Outcome};

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let stdout_tty = std::io::stdout().is_terminal();
    let opts = match args::parse(&argv, stdout_tty) {
        Parsed::Run(o) => *o,
        Parsed::Help => {
            println!("cinnabar-cli {}\n\n{}", env!("CARGO_PKG_VERSION"), args::USAGE);
            return;
        }
        Parsed::Version => {
            println!("cinnabar-cli {}", env!("CARGO_PKG_VERSION"));
            return;
        }
        Parsed::Fail(msg) => {
            eprintln!("{msg}");
            std::process::exit(1);
        }
    };
    let code = match opts.mode {
        Mode::Pipe => pipe::run(&opts),
        Mode::Stat => stat::run_stat(&opts),
        Mode::Latency => stat::run_latency(&opts, stdout_tty),
        Mode::Normal if !opts.command.is_empty() => one_shot(opts),
        Mode::Normal if !std::io::stdin().is_terminal() => stdin_commands(opts),
        Mode::Normal => repl::run(Client::new(opts)),
    };
    std::process::exit(code);
}

/// Exit status for a command's outcome: errors count only with `-e`.
fn status(outcome: Outcome, exit_on_error: bool) -> i32 {
    match outcome {
        Outcome::Ok => 0,
        Outcome::ErrorReply => i32::from(exit_on_error),
        Outcome::Failed => 1,
    }
}

/// `cinnabar-cli CMD ARGS...`, with `-x` taking the last argument from stdin.
fn one_shot(mut opts: Options) -> i32 {
    let mut command = std::mem::take(&mut opts.command);
    if opts.stdin_last_arg {
        let mut data = Vec::new();
        if let Err(e) = std::io::stdin().read_to_end(&mut data) {
            eprintln!("Error reading from stdin: {e}");
            return 1;
        }
        command.push(data);
    }
    let repeat = opts.repeat.unwrap_or(1);
    let exit_on_error = opts.exit_on_error;
    let mut client = Client::new(opts);
    if !client.reconnect() {
        return 1;
    }
    status(client.run_repeated(&command, repeat), exit_on_error)
}

/// No command and stdin is not a terminal: every line of stdin is a command.
fn stdin_commands(opts: Options) -> i32 {
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        eprintln!("Error reading from stdin: {e}");
        return 1;
    }
    let repeat = opts.repeat.unwrap_or(1);
    let exit_on_error = opts.exit_on_error;
    let mut client = Client::new(opts);
    if !client.reconnect() {
        return 1;
    }
    let mut code = 0;
    for line in input.lines() {
        let Some(args) = split::split_args(line) else {
            eprintln!("Invalid argument(s)");
            continue;
        };
        if args.is_empty() {
            continue;
        }
        code = code.max(status(client.run_repeated(&args, repeat), exit_on_error));
        if code == 1 && client.conn.is_none() {
            break;
        }
    }
    code
}
