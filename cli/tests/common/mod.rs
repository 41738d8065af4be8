//! Test helpers: a real redis-server on a free loopback port, and running cinnabar-cli
//! and redis-cli with the same arguments to compare what they print.
#![allow(dead_code)]

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A server process, killed when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
    dir: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn wait_ready(child: &mut Child, port: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("server exited early: {status}");
        }
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("server on port {port} did not start");
}

impl Server {
    /// The reference redis-server, with extra `--name value` arguments.
    pub fn redis(extra: &[&str]) -> Server {
        Server::redis_on(free_port(), extra)
    }

    pub fn redis_on(port: u16, extra: &[&str]) -> Server {
        Server::start("redis-server", port, &["--appendonly", "no"], extra)
    }

    /// Our own server binary, when it has been built next to cinnabar-cli.
    pub fn cinnabar() -> Option<Server> {
        let path = PathBuf::from(env!("CARGO_BIN_EXE_cinnabar-cli")).with_file_name("cinnabar-server");
        if !path.exists() {
            eprintln!("skipping: {} not built", path.display());
            return None;
        }
        Some(Server::start(path.to_str().unwrap(), free_port(), &[], &[]))
    }

    fn start(program: &str, port: u16, base: &[&str], extra: &[&str]) -> Server {
        let dir = std::env::temp_dir().join(format!("cinnabar-cli-test-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut child = Command::new(program)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--dir", dir.to_str().unwrap()])
            .args(["--save", ""])
            .args(base)
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {program}: {e}"));
        wait_ready(&mut child, port);
        Server { child, port, dir }
    }

    /// Runs a command through redis-cli (setup / checks), returning its raw output.
    pub fn redis_cli(&self, args: &[&str]) -> String {
        let out = run("redis-cli", self.port, args, None);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

/// Runs `program -p port args...`, optionally feeding `stdin`.
pub fn run(program: &str, port: u16, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(program);
    cmd.arg("-p").arg(port.to_string()).args(args);
    cmd.env_remove("REDISCLI_AUTH");
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("start {program}: {e}"));
    if let Some(data) = stdin {
        let mut input = child.stdin.take().unwrap();
        let data = data.to_vec();
        std::thread::spawn(move || {
            let _ = input.write_all(&data);
        });
    }
    child.wait_with_output().unwrap()
}

pub fn cli() -> &'static str {
    env!("CARGO_BIN_EXE_cinnabar-cli")
}

/// What a client printed and how it exited.
#[derive(Debug, PartialEq)]
pub struct Printed {
    pub stdout: String,
    pub stderr: String,
    pub code: Option<i32>,
}

pub fn printed(out: Output) -> Printed {
    Printed {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code(),
    }
}

/// Runs the same arguments through redis-cli and cinnabar-cli and asserts identical
/// stdout, stderr and exit status.
pub fn same(port: u16, args: &[&str]) -> Printed {
    same_on(port, port, args, None)
}

/// Like `same`, redis-cli talking to `ref_port` and cinnabar-cli to `our_port` (two
/// servers in the same state, for commands that change it).
pub fn same_on(ref_port: u16, our_port: u16, args: &[&str], stdin: Option<&[u8]>) -> Printed {
    let want = printed(run("redis-cli", ref_port, args, stdin));
    let got = printed(run(cli(), our_port, args, stdin));
    let fix = |p: Printed| Printed { stderr: p.stderr.replace(&format!(":{our_port}"), ":PORT"), ..p };
    let want_fixed = Printed { stderr: want.stderr.replace(&format!(":{ref_port}"), ":PORT"), ..want };
    let got = fix(got);
    assert_eq!(got, want_fixed, "cinnabar-cli vs redis-cli for {args:?}");
    got
}
