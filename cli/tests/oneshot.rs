//! One-shot mode: cinnabar-cli must print exactly what redis-cli prints (stdout, stderr,
//! exit status) for many reply shapes, in raw, formatted (--no-raw) and RESP3 (-3) output.
//! redis-cli and cinnabar-cli each talk to their own redis-server, both servers receiving
//! the same commands in the same order.

mod common;
use common::*;

const MODES: [&[&str]; 4] = [&[], &["--no-raw"], &["-3", "--no-raw"], &["-3"]];

struct Pair {
    reference: Server,
    ours: Server,
}

impl Pair {
    fn new() -> Pair {
        let extra = ["--enable-debug-command", "yes"];
        Pair { reference: Server::redis(&extra), ours: Server::redis(&extra) }
    }

    /// Runs `args` in every output mode through both clients.
    fn all_modes(&self, args: &[&str]) {
        for mode in MODES {
            let full: Vec<&str> = mode.iter().chain(args).copied().collect();
            self.check(&full);
        }
    }

    fn check(&self, args: &[&str]) -> Printed {
        same_on(self.reference.port, self.ours.port, args, None)
    }

    fn check_stdin(&self, args: &[&str], stdin: &[u8]) -> Printed {
        same_on(self.reference.port, self.ours.port, args, Some(stdin))
    }
}

#[test]
fn scalars_and_strings() {
    let p = Pair::new();
    for cmd in [
        &["set", "k", "v"][..],
        &["get", "k"],
        &["get", "missing"],
        &["incr", "n"],
        &["incrbyfloat", "f", "1.5"],
        &["set", "bin", "a\nb\x01\"\\é\t\r"],
        &["get", "bin"],
        &["echo", ""],
        &["ping"],
        &["ping", "hello world"],
        &["type", "k"],
        &["exists", "k", "missing"],
        &["nosuchcommand", "a", "b"],
        &["get"],
        &["lpush", "k", "x"],
        &["object", "encoding", "k"],
    ] {
        p.all_modes(cmd);
    }
}

#[test]
fn aggregates() {
    let p = Pair::new();
    for cmd in [
        &["rpush", "l", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"][..],
        &["lrange", "l", "0", "-1"],
        &["lrange", "nolist", "0", "-1"],
        &["hset", "h", "f1", "v1", "f2", "v2"],
        &["hgetall", "h"],
        &["hgetall", "nohash"],
        &["sadd", "s", "x"],
        &["smembers", "s"],
        &["smembers", "noset"],
        &["zadd", "z", "1.5", "m", "2", "n"],
        &["zrange", "z", "0", "-1", "withscores"],
        &["zscore", "z", "m"],
        &["mget", "h", "nokey", "s"],
        &["xadd", "st", "1-1", "a", "1", "b", "2"],
        &["xadd", "st", "2-1", "c", "3"],
        &["xrange", "st", "-", "+"],
        &["xinfo", "stream", "st"],
        &["xinfo", "stream", "st", "full"],
        &["command", "docs", "get"],
        &["command", "docs", "sort"],
        &["command", "info", "get"],
        &["client", "trackinginfo"],
        &["config", "get", "maxmemory"],
        &["eval", "return {1,redis.error_reply('MY err'),{redis.status_reply('FINE')},{}}", "0"],
        &["eval", "return {map={a={map={b=1,c=2}}, d={1,2}}}", "0"],
    ] {
        p.all_modes(cmd);
    }
}

#[test]
fn resp3_types() {
    let p = Pair::new();
    for kind in
        ["string", "integer", "double", "null", "array", "set", "map", "push", "verbatim", "true", "false"]
    {
        p.all_modes(&["debug", "protocol", kind]);
    }
    p.all_modes(&["hello", "3"]);
    p.all_modes(&["hello", "2"]);
}

#[test]
fn plain_text_commands_and_errors() {
    let p = Pair::new();
    p.all_modes(&["info", "keyspace"]);
    p.all_modes(&["memory", "doctor"]);
    p.all_modes(&["cluster", "info"]);
    p.all_modes(&["latency", "doctor"]);
    p.all_modes(&["-e", "nosuchcommand"]);
    p.all_modes(&["-e", "get", "missing"]);
    p.all_modes(&["-d", ",", "-D", ";", "hgetall", "h"]);
}

#[test]
fn options() {
    let p = Pair::new();
    p.check(&["-n", "3", "set", "a", "1"]);
    p.check(&["-n", "3", "get", "a"]);
    p.check(&["-r", "3", "-i", "0.01", "incr", "cnt"]);
    p.check(&["-a", "nopass", "ping"]);
    p.check(&["--user", "u", "--pass", "p", "ping"]);
    p.check(&["--no-auth-warning", "-a", "nopass", "ping"]);
    p.check(&["--quoted-input", "set", "\"q\\x41\"", "'v w'"]);
    p.check(&["get", "qA"]);
    p.check_stdin(&["-x", "set", "fromstdin"], b"line one\nline two\n");
    p.check(&["--no-raw", "get", "fromstdin"]);
    p.check_stdin(&[], b"set \"a b\" 1\nget \"a b\"\nnosuch\n\nincr \"a b\"\n");
    p.check_stdin(&["--no-raw"], b"get \"a b\"\nset\n");
    // -u sets host, port, password and database; an unknown scheme is refused.
    let uri = format!("redis://127.0.0.1:{}/3", p.ours.port);
    let got = printed(run(cli(), 1, &["-u", &uri, "--no-raw", "get", "a"], None));
    assert_eq!(got.stdout, "\"1\"\n");
    let want = printed(run("redis-cli", 1, &["-u", "foo://x", "ping"], None));
    assert_eq!(printed(run(cli(), 1, &["-u", "foo://x", "ping"], None)), want);
}

#[test]
fn command_line_errors() {
    let unused = free_port();
    for args in [
        &["ping"][..],
        &["-h", "nohost.invalid", "ping"],
        &["-s", "/nonexistent/sock", "ping"],
        &["--foo"],
        &["-n"],
    ] {
        same(unused, args);
    }
    let env_auth = std::process::Command::new(cli())
        .args(["-p", &unused.to_string(), "ping"])
        .env("REDISCLI_AUTH", "x")
        .output()
        .unwrap();
    assert_eq!(env_auth.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&env_auth.stderr).contains("Warning"));
    let help = printed(run(cli(), unused, &["--help"], None));
    assert!(help.stdout.contains("Usage: cinnabar-cli [OPTIONS]") && help.code == Some(0));
}

#[test]
fn against_cinnabar_server() {
    let Some(ours) = Server::cinnabar() else { return };
    for mode in MODES {
        for cmd in [&["set", "k", "v"][..], &["get", "k"], &["get", "missing"], &["nosuchcommand"], &["ping"]]
        {
            let full: Vec<&str> = mode.iter().chain(cmd).copied().collect();
            same(ours.port, &full);
        }
    }
}
