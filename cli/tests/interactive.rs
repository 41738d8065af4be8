//! The interactive mode driven through a pseudo-terminal: prompt, `[db]` and `(TX)` in
//! the prompt, formatted output, help, hints, history, reconnecting, Ctrl-C out of
//! SUBSCRIBE, and quit.

mod common;
use common::*;

use std::process::Command;

use rexpect::session::{spawn_command, PtySession};

fn session(port: u16, home: &std::path::Path, extra: &[&str]) -> PtySession {
    let mut cmd = Command::new(cli());
    cmd.arg("-p").arg(port.to_string()).args(extra);
    cmd.env("HOME", home).env("TERM", "xterm").env_remove("REDISCLI_AUTH");
    spawn_command(cmd, Some(15_000)).expect("spawn cinnabar-cli in a pty")
}

fn temp_home(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cinnabar-cli-home-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn prompt_output_help_and_quit() {
    let server = Server::redis(&[]);
    let home = temp_home("basic");
    let prompt = format!("127.0.0.1:{}> ", server.port);
    let mut s = session(server.port, &home, &[]);
    s.exp_string(&prompt).unwrap();
    s.send_line("set k \"a\\x41\\n\"").unwrap();
    s.exp_string("OK").unwrap();
    s.exp_string(&prompt).unwrap();
    s.send_line("get k").unwrap();
    s.exp_string("\"aA\\n\"").unwrap();
    s.send_line("rpush l a b").unwrap();
    s.exp_string("(integer) 2").unwrap();
    s.send_line("lrange l 0 -1").unwrap();
    s.exp_string("1) \"a\"\r\n2) \"b\"").unwrap();
    s.send_line("nosuch").unwrap();
    s.exp_string("(error) ERR unknown command 'nosuch'").unwrap();
    s.send_line("echo \"a\"b").unwrap();
    s.exp_string("Invalid argument(s)").unwrap();
    s.send_line("help get").unwrap();
    s.exp_string("  GET key\r\n  summary: Get the value of a key\r\n  since: 1.0.0\r\n  group: string")
        .unwrap();
    s.send_line("help @string").unwrap();
    s.exp_string("  SETRANGE key offset value\r\n  summary: Overwrite part of a string").unwrap();
    s.send_line("select 2").unwrap();
    let db_prompt = format!("127.0.0.1:{}[2]> ", server.port);
    s.exp_string(&db_prompt).unwrap();
    s.send_line("multi").unwrap();
    s.exp_string(&format!("127.0.0.1:{}[2](TX)> ", server.port)).unwrap();
    s.send_line("get k").unwrap();
    s.exp_string("QUEUED").unwrap();
    s.send_line("exec").unwrap();
    s.exp_string("1) (nil)").unwrap();
    s.exp_string(&db_prompt).unwrap();
    s.send_line("3 incr counter").unwrap();
    s.exp_string("(integer) 1\r\n(integer) 2\r\n(integer) 3").unwrap();
    // The syntax hint follows the typed command, from COMMAND DOCS.
    s.send("zadd ").unwrap();
    s.flush().unwrap();
    s.exp_string("key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]").unwrap();
    s.send_control('u').unwrap();
    s.send_line("quit").unwrap();
    s.exp_eof().unwrap();
    let history = std::fs::read_to_string(home.join(".cinnabarcli_history")).unwrap();
    assert!(history.contains("lrange l 0 -1"), "history: {history}");
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn reconnects_after_restart() {
    let port = free_port();
    let home = temp_home("reconnect");
    let server = Server::redis_on(port, &[]);
    let mut s = session(port, &home, &["-n", "2"]);
    let prompt = format!("127.0.0.1:{port}[2]> ");
    s.exp_string(&prompt).unwrap();
    s.send_line("set x 1").unwrap();
    s.exp_string("OK").unwrap();
    s.exp_string(&prompt).unwrap();
    drop(server);
    s.send_line("ping").unwrap();
    s.exp_string("not connected> ").unwrap();
    s.send_line("ping").unwrap();
    s.exp_string(&format!("Could not connect to Redis at 127.0.0.1:{port}: Connection refused")).unwrap();
    s.exp_string("not connected> ").unwrap();
    let _server = Server::redis_on(port, &[]);
    s.send_line("ping").unwrap();
    s.exp_string("PONG").unwrap();
    s.exp_string(&prompt).unwrap();
    s.send_line("exit").unwrap();
    s.exp_eof().unwrap();
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn ctrl_c_ends_subscribe() {
    let server = Server::redis(&[]);
    let home = temp_home("subscribe");
    let prompt = format!("127.0.0.1:{}> ", server.port);
    let mut s = session(server.port, &home, &[]);
    s.exp_string(&prompt).unwrap();
    s.send_line("subscribe ch").unwrap();
    s.exp_string("Reading messages... (press Ctrl-C to quit)").unwrap();
    s.exp_string("3) (integer) 1").unwrap();
    // Publish until the subscription is surely registered (the reply came first).
    assert_eq!(server.redis_cli(&["publish", "ch", "hi"]), "1\n");
    s.exp_string("1) \"message\"\r\n2) \"ch\"\r\n3) \"hi\"").unwrap();
    s.send_control('c').unwrap();
    s.exp_string(&prompt).unwrap();
    s.send_line("ping").unwrap();
    s.exp_string("PONG").unwrap();
    s.send_line("quit").unwrap();
    s.exp_eof().unwrap();
    let _ = std::fs::remove_dir_all(&home);
}
