//! Server and introspection commands (COMMAND, INFO, CONFIG, SLOWLOG, DEBUG, MEMORY,
//! TIME, LASTSAVE, SHUTDOWN) and start-up configuration, differentially against
//! real Redis where replies are deterministic.

mod common;
use common::*;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};

/// The payload of a bulk (or verbatim) string reply.
fn bulk_body(reply: &str) -> String {
    let (_, rest) = reply.split_once("\r\n").expect("bulk header");
    let body = &rest[..rest.len() - 2];
    body.strip_prefix("txt:").unwrap_or(body).to_string()
}

/// The `name:value` lines of an INFO reply, by section: (section, field names).
fn info_fields(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.split("\r\n").filter(|l| !l.is_empty()) {
        if let Some(title) = line.strip_prefix("# ") {
            out.push((title.to_string(), Vec::new()));
        } else if let Some((name, _)) = line.split_once(':') {
            out.last_mut().expect("field before section").1.push(name.to_string());
        }
    }
    out
}

/// The elements of a flat array of bulk strings.
fn bulk_items(reply: &str) -> Vec<String> {
    let lines: Vec<&str> = reply.split("\r\n").collect();
    lines.windows(2).filter(|w| w[0].starts_with('$')).map(|w| w[1].to_string()).collect()
}

#[test]
fn command_subcommands_match_redis() {
    let mut d = Diff::new();
    d.script(
        r#"
        COMMAND HELP
        COMMAND INFO nosuch get
        COMMAND INFO GET config|get CONFIG|GET config|get|x
        COMMAND DOCS nosuch time CONFIG|GET
        COMMAND GETKEYS
        COMMAND GETKEYS get
        COMMAND GETKEYS get a
        COMMAND GETKEYS get a b
        COMMAND GETKEYS set a b
        COMMAND GETKEYS del a b c
        COMMAND GETKEYS ping
        COMMAND GETKEYS config get x
        COMMAND GETKEYS config nosuch x
        COMMAND GETKEYS nosuch a b
        COMMAND GETKEYS memory usage k
        COMMAND GETKEYSANDFLAGS get a
        COMMAND GETKEYSANDFLAGS del a b
        COMMAND GETKEYSANDFLAGS exists a b
        COMMAND GETKEYSANDFLAGS ping x
        COMMAND COUNT x
        COMMAND LIST foo
        COMMAND LIST FILTERBY
        COMMAND LIST FILTERBY pattern x y
        COMMAND LIST FILTERBY module foo
        COMMAND LIST FILTERBY nosuch foo
        COMMAND LIST FILTERBY aclcat nosuch
        COMMAND LIST FILTERBY pattern nosuch*
        COMMAND NOSUCH
        "#,
    );
    // Listings contain only our commands, but what we have must be listed alike.
    for (filter, value) in [("pattern", "config*"), ("pattern", "s?t"), ("aclcat", "connection")] {
        let args = ["COMMAND", "LIST", "FILTERBY", filter, value];
        let (ours, theirs) = d.both(&args.map(str::as_bytes));
        let (ours, theirs) =
            (bulk_items(&String::from_utf8_lossy(&ours)), bulk_items(&String::from_utf8_lossy(&theirs)));
        assert!(!ours.is_empty());
        for name in &ours {
            assert!(theirs.contains(name), "{name} listed for {filter} {value} only by us");
        }
    }
    let count: i64 = d.a.cmd(&["COMMAND", "COUNT"]).trim_start_matches(':').trim().parse().unwrap();
    let all = d.a.cmd(&["COMMAND"]);
    assert!(all.starts_with(&format!("*{count}\r\n")));
}

#[test]
fn config_get_set_match_redis() {
    let mut d = Diff::new();
    d.script(
        r#"
        CONFIG GET maxclients
        CONFIG GET MAXCLIENTS
        CONFIG GET tim?out
        CONFIG GET nosuch
        CONFIG GET
        CONFIG SET maxclients 100
        CONFIG GET maxclients
        CONFIG SET maxclients 200 timeout 30 hz 20
        CONFIG GET maxclients
        CONFIG GET timeout
        CONFIG GET hz
        CONFIG SET hz 0
        CONFIG GET hz
        CONFIG SET hz 100000
        CONFIG GET hz
        CONFIG SET hz 10
        CONFIG SET hz x
        CONFIG SET foo bar
        CONFIG SET maxclients 10 foo 1
        CONFIG SET hz 5 hz 6
        CONFIG SET hz
        CONFIG SET hz 5 timeout
        CONFIG SET databases 3
        CONFIG SET daemonize no
        CONFIG SET dir /tmp
        CONFIG SET dbfilename x.rdb
        CONFIG SET maxclients x
        CONFIG SET timeout -1
        CONFIG SET timeout 99999999999999
        CONFIG SET tcp-keepalive -1
        CONFIG SET appendonly maybe
        CONFIG SET loglevel nothing
        CONFIG SET loglevel WARNING
        CONFIG GET loglevel
        CONFIG SET maxmemory 1x
        CONFIG SET maxmemory 100mb
        CONFIG GET maxmemory
        CONFIG SET maxmemory 0
        CONFIG SET maxmemory-policy foo
        CONFIG SET maxmemory-policy allkeys-lru
        CONFIG GET maxmemory-policy
        CONFIG SET slowlog-log-slower-than -5
        CONFIG SET slowlog-max-len -1
        CONFIG SET proto-max-bulk-len 10
        CONFIG SET proto-max-bulk-len 2mb
        CONFIG GET proto-max-bulk-len
        CONFIG SET client-query-buffer-limit 1gb
        CONFIG GET client-query-buffer-limit
        CONFIG SET save "1 2 3"
        CONFIG SET save "a b"
        CONFIG SET save "100 10 60 1000"
        CONFIG GET save
        CONFIG SET save ""
        CONFIG GET save
        CONFIG SET requirepass ""
        CONFIG SET lazyfree-lazy-user-flush yes
        CONFIG GET lazyfree-lazy-user-flush
        CONFIG GET enable-debug-command
        CONFIG GET enable-protected-configs
        CONFIG GET latency-tracking-info-percentiles
        CONFIG SET latency-tracking-info-percentiles "50 101"
        CONFIG SET latency-tracking-info-percentiles "50 x"
        CONFIG SET latency-tracking-info-percentiles ""
        CONFIG GET latency-tracking-info-percentiles
        CONFIG SET latency-tracking-info-percentiles "50 99.9 12.5"
        CONFIG GET latency-tracking-info-percentiles
        CONFIG SET latency-tracking no
        CONFIG GET latency-tracking
        CONFIG RESETSTAT
        CONFIG RESETSTAT x
        CONFIG REWRITE
        CONFIG HELP
        CONFIG NOSUCH
        "#,
    );
    // All or nothing: a bad pair leaves the good ones unapplied.
    d.check(&["CONFIG", "SET", "maxclients", "123", "timeout", "-1"]);
    d.check(&["CONFIG", "GET", "maxclients"]);
    // Every parameter we list exists in Redis, with the same value for the ones
    // whose default we share.
    let ours = d.a.cmd(&["CONFIG", "GET", "*"]);
    let names: Vec<String> = bulk_items(&ours).into_iter().step_by(2).collect();
    assert!(names.len() > 25);
    for name in &names {
        let theirs = d.b.cmd(&["CONFIG", "GET", name]);
        assert!(theirs.starts_with("*2\r\n"), "{name} is not a Redis parameter");
    }
    for name in
        ["maxclients", "timeout", "tcp-keepalive", "databases", "slowlog-max-len", "maxmemory", "appendonly"]
    {
        d.check(&["CONFIG", "GET", name]);
    }
}

#[test]
fn config_set_takes_effect() {
    let s = Proc::cinnabar(&[]);
    let mut c = s.conn();
    assert_eq!(c.cmd(&["CONFIG", "SET", "proto-max-bulk-len", "1mb"]), "+OK\r\n");
    // Only the header of a 2 MB argument: the server answers and closes at the header,
    // so sending the payload would race with the close.
    c.send_raw(format!("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n${}\r\n", 2 << 20).as_bytes());
    assert!(c.read_reply_string().starts_with("-ERR Protocol error: invalid bulk length"));
    let mut c = s.conn();
    assert_eq!(c.cmd(&["CONFIG", "SET", "maxclients", "1"]), "+OK\r\n");
    let mut extra = s.conn();
    assert_eq!(extra.read_reply_string(), "-ERR max number of clients reached\r\n");
    assert_eq!(c.cmd(&["CONFIG", "SET", "maxclients", "100"]), "+OK\r\n");
}

#[test]
fn config_rewrite_keeps_file_and_updates_values() {
    let dir = std::env::temp_dir().join(format!("cinnabar-rewrite-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let conf = dir.join("cinnabar.conf");
    let included = dir.join("extra.conf");
    std::fs::write(&included, "slowlog-max-len 77\n").unwrap();
    let text = format!(
        "# my settings\nmaxclients 500\n\n# keep me\nunknown-looking-comment-line\ntimeout 10\ntimeout 20\ninclude {}\n",
        included.display()
    );
    std::fs::write(&conf, text.replace("unknown-looking-comment-line\n", "")).unwrap();
    let port = TcpPortProbe::free();
    let mut child = Process::new(env!("CARGO_BIN_EXE_cinnabar-server"))
        .arg(&conf)
        .args(["--port", &port.to_string(), "--save", "", "--dir", dir.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut c = TcpPortProbe::connect(port, &mut child);
    assert_eq!(c.cmd(&["CONFIG", "GET", "timeout"]), "*2\r\n$7\r\ntimeout\r\n$2\r\n20\r\n");
    assert_eq!(c.cmd(&["CONFIG", "GET", "slowlog-max-len"]), "*2\r\n$15\r\nslowlog-max-len\r\n$2\r\n77\r\n");
    assert_eq!(c.cmd(&["CONFIG", "SET", "maxclients", "600", "hz", "42"]), "+OK\r\n");
    assert_eq!(c.cmd(&["CONFIG", "REWRITE"]), "+OK\r\n");
    let new = std::fs::read_to_string(&conf).unwrap();
    assert!(new.starts_with("# my settings\nmaxclients 600\n\n# keep me\ntimeout 20\ninclude "), "{new}");
    assert_eq!(new.matches("timeout").count(), 1, "{new}");
    assert!(new.contains("# Generated by CONFIG REWRITE\n"), "{new}");
    assert!(new.contains("\nhz 42\n"), "{new}");
    assert!(new.contains(&format!("\nport {port}\n")), "{new}");
    assert!(new.contains("\nsave \"\"\n"), "{new}");
    let _ = child.kill();
    let _ = child.wait();
    // The rewritten file starts a server with the same values.
    let port = TcpPortProbe::free();
    let mut child = Process::new(env!("CARGO_BIN_EXE_cinnabar-server"))
        .arg(&conf)
        .args(["--port", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut c = TcpPortProbe::connect(port, &mut child);
    assert_eq!(c.cmd(&["CONFIG", "GET", "hz"]), "*2\r\n$2\r\nhz\r\n$2\r\n42\r\n");
    assert_eq!(c.cmd(&["CONFIG", "GET", "maxclients"]), "*2\r\n$10\r\nmaxclients\r\n$3\r\n600\r\n");
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Free ports and connecting to a server started by hand.
struct TcpPortProbe;

impl TcpPortProbe {
    fn free() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
    }

    fn connect(port: u16, child: &mut std::process::Child) -> Conn {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                panic!("server exited: {status}");
            }
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Conn::new(port);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("server did not start");
    }
}

/// Runs the binary with `args`; it must fail to start, naming `needle` on stderr.
fn start_fails(args: &[&str], needle: &str) {
    let out = Process::new(env!("CARGO_BIN_EXE_cinnabar-server"))
        .args(args)
        .args(["--port", "0"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "started with {args:?}");
    assert!(stderr.contains(needle), "{args:?}: {stderr}");
}

#[test]
fn bad_configuration_stops_start_up() {
    start_fails(&["--nosuch-option", "1"], "nosuch-option");
    start_fails(&["--maxclients", "x"], "argument couldn't be parsed into an integer");
    start_fails(&["--timeout", "-1"], "argument must be between 0 and 2147483647 inclusive");
    start_fails(&["--appendonly", "maybe"], "'appendonly maybe'");
    start_fails(&["--port", "1", "2"], "wrong number of arguments");
    start_fails(&["/nonexistent/cinnabar.conf"], "/nonexistent/cinnabar.conf");
    let dir = std::env::temp_dir().join(format!("cinnabar-badconf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let conf = dir.join("bad.conf");
    std::fs::write(&conf, "# fine\nport 0\nbogus-directive yes\n").unwrap();
    start_fails(&[conf.to_str().unwrap()], "at line 3");
    start_fails(&[conf.to_str().unwrap()], "bogus-directive");
    std::fs::write(&conf, format!("include {}\n", dir.join("missing.conf").display())).unwrap();
    start_fails(&[conf.to_str().unwrap()], "missing.conf");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn info_sections_and_fields_match_redis() {
    let mut d = Diff::new();
    d.script("SET a 1\nSET b 2 EX 100\nGET a\nGET nokey\nNOSUCH\nCONFIG SET hz x");
    for args in [
        &["INFO"][..],
        &["INFO", "default"],
        &["INFO", "all"],
        &["INFO", "everything"],
        &["INFO", "server"],
        &["INFO", "CLIENTS", "memory"],
        &["INFO", "keyspace", "server"],
        &["INFO", "persistence", "stats", "replication", "cpu", "modules"],
        &["INFO", "errorstats", "cluster", "keyspace"],
        &["INFO", "nosuch"],
    ] {
        let (ours, theirs) = d.both(&args.iter().map(|a| a.as_bytes()).collect::<Vec<_>>());
        let strip = |fields: Vec<(String, Vec<String>)>| -> Vec<(String, Vec<String>)> {
            fields
                .into_iter()
                // Per-command latency percentiles are not tracked.
                .filter(|(s, _)| s != "Latencystats")
                .map(|(s, f)| {
                    (
                        s,
                        f.into_iter()
                            .filter(|n| n != "cinnabar_version" && !n.starts_with("cmdstat_"))
                            .collect(),
                    )
                })
                .collect()
        };
        let ours = strip(info_fields(&bulk_body(&String::from_utf8_lossy(&ours))));
        let theirs = strip(info_fields(&bulk_body(&String::from_utf8_lossy(&theirs))));
        assert_eq!(ours, theirs, "INFO {args:?}");
    }
    let server = bulk_body(&d.a.cmd(&["INFO", "server"]));
    assert!(server.contains("redis_version:7.0.15\r\n"));
    assert!(server.contains(&format!("cinnabar_version:{}\r\n", env!("CARGO_PKG_VERSION"))));
}

#[test]
fn info_values_are_real() {
    let s = Proc::cinnabar(&[]);
    let mut c = s.conn();
    let mut other = s.conn();
    other.cmd(&["PING"]);
    c.cmd(&["CONFIG", "RESETSTAT"]);
    c.cmd(&["SET", "k", "v"]);
    c.cmd(&["SET", "e", "v", "PX", "1"]);
    c.cmd(&["GET", "k"]);
    c.cmd(&["GET", "nokey"]);
    c.cmd(&["GET", "k", "extra"]);
    c.cmd(&["NOSUCH"]);
    let big = "x".repeat(1 << 20);
    c.cmd(&["SET", "big", &big]);
    std::thread::sleep(Duration::from_millis(20));
    c.cmd(&["GET", "e"]);
    let info = bulk_body(&c.cmd(&["INFO", "all"]));
    let field = |name: &str| -> String {
        info.split("\r\n")
            .find_map(|l| l.strip_prefix(&format!("{name}:")))
            .unwrap_or_else(|| panic!("{name}"))
            .to_string()
    };
    assert_eq!(field("connected_clients"), "2");
    assert_eq!(field("keyspace_hits"), "1");
    assert_eq!(field("keyspace_misses"), "2");
    assert_eq!(field("expired_keys"), "1");
    assert!(field("cmdstat_get").starts_with("calls=3,usec="), "{}", field("cmdstat_get"));
    assert!(field("cmdstat_get").ends_with(",rejected_calls=1,failed_calls=0"), "{}", field("cmdstat_get"));
    assert_eq!(field("errorstat_ERR"), "count=2");
    assert_eq!(field("total_error_replies"), "2");
    assert_eq!(field("db0"), "keys=2,expires=0,avg_ttl=0");
    let used: u64 = field("used_memory").parse().unwrap();
    assert!(used > 1 << 20, "used_memory {used}");
    c.cmd(&["DEL", "big"]);
    let after: u64 = bulk_body(&c.cmd(&["INFO", "memory"]))
        .split("\r\n")
        .find_map(|l| l.strip_prefix("used_memory:"))
        .unwrap()
        .parse()
        .unwrap();
    assert!(after + (1 << 19) < used, "used_memory {used} -> {after} after DEL");
    assert!(field("uptime_in_seconds").parse::<u64>().is_ok());
    // Instantaneous rates come from samples taken while commands run.
    let deadline = Instant::now() + Duration::from_secs(20);
    let batch: Vec<u8> = (0..200).flat_map(|_| encode(&[b"PING"])).collect();
    loop {
        c.send_raw(&batch);
        (0..200).for_each(|_| drop(c.read_reply()));
        let stats = bulk_body(&c.cmd(&["INFO", "stats"]));
        let ops = stats
            .split("\r\n")
            .find_map(|l| l.strip_prefix("instantaneous_ops_per_sec:"))
            .unwrap()
            .to_string();
        if ops != "0" {
            break;
        }
        assert!(Instant::now() < deadline, "instantaneous_ops_per_sec stays 0");
        std::thread::sleep(Duration::from_millis(50));
    }
    let get = field("latency_percentiles_usec_get");
    let parts: Vec<&str> = get.split(',').collect();
    assert_eq!(parts.len(), 3, "{get}");
    assert!(
        parts[0].starts_with("p50=") && parts[1].starts_with("p99=") && parts[2].starts_with("p99.9="),
        "{get}"
    );
}

#[test]
fn commandstats_and_errorstats_match_redis() {
    let mut d = Diff::new();
    d.script(
        r#"
        CONFIG RESETSTAT
        SET a 1
        GET a
        GET
        GET a b
        NOSUCH
        CONFIG SET foo bar
        CONFIG GET hz
        CONFIG NOSUCH
        SELECT x
        "#,
    );
    let normalize = |reply: Vec<u8>| -> Vec<String> {
        let mut lines: Vec<String> = bulk_body(&String::from_utf8_lossy(&reply))
            .split("\r\n")
            .filter(|l| l.starts_with("cmdstat_") || l.starts_with("errorstat_"))
            .filter(|l| !l.starts_with("cmdstat_info:"))
            .map(|l| {
                // Timings differ; calls and error counts must not.
                let mut parts: Vec<&str> = l.split(',').collect();
                parts.retain(|p| !p.starts_with("usec=") && !p.starts_with("usec_per_call="));
                parts.join(",")
            })
            .collect();
        lines.sort();
        lines
    };
    let (ours, theirs) = d.both(&[b"INFO", b"commandstats", b"errorstats"]);
    assert_eq!(normalize(ours), normalize(theirs));
}

#[test]
fn slowlog_matches_redis() {
    let mut d = Diff::new();
    d.script(
        r#"
        SLOWLOG HELP
        SLOWLOG RESET
        SLOWLOG LEN
        SLOWLOG GET x
        SLOWLOG GET -2
        SLOWLOG GET 1 2
        SLOWLOG LEN x
        SLOWLOG GET 0
        CONFIG SET slowlog-log-slower-than 0
        "#,
    );
    let long = "y".repeat(300);
    let many: Vec<String> = (0..40).map(|i| i.to_string()).collect();
    let mut del: Vec<&str> = vec!["DEL"];
    del.extend(many.iter().map(String::as_str));
    d.check(&del);
    d.check(&["SET", &long, "v"]);
    d.check(&["CONFIG", "SET", "requirepass", ""]);
    d.check(&["CONFIG", "SET", "slowlog-log-slower-than", "-1"]);
    d.check(&["GET", "not-logged"]);
    // Compare entries without id, time, duration and client address.
    let entries = |reply: Vec<u8>| -> Vec<Vec<String>> {
        let text = String::from_utf8_lossy(&reply).into_owned();
        let mut out = Vec::new();
        let lines: Vec<&str> = text.split("\r\n").collect();
        let mut i = 1;
        while i < lines.len() && lines[i] == "*6" {
            let argc: usize = lines[i + 4].trim_start_matches('*').parse().unwrap();
            let args: Vec<String> = (0..argc).map(|k| lines[i + 6 + 2 * k].to_string()).collect();
            let name = lines[i + 8 + 2 * argc].to_string();
            out.push([args, vec![name]].concat());
            i += 9 + 2 * argc;
        }
        out
    };
    let (ours, theirs) = d.both(&[b"SLOWLOG", b"GET", b"-1"]);
    let (ours, theirs) = (entries(ours), entries(theirs));
    assert_eq!(ours, theirs);
    assert_eq!(ours.len(), 4, "{ours:?}");
    d.check(&["SLOWLOG", "LEN"]);
    d.check(&["CONFIG", "SET", "slowlog-max-len", "2"]);
    d.check(&["CONFIG", "SET", "slowlog-log-slower-than", "0"]);
    d.check(&["PING"]);
    d.check(&["SLOWLOG", "LEN"]);
    d.check(&["SLOWLOG", "RESET"]);
    d.check(&["SLOWLOG", "LEN"]);
}

#[test]
fn debug_matches_redis() {
    let mut d = Diff::new();
    d.script("DEBUG SLEEP 0\nDEBUG PROTOCOL string");
    let mut d = Diff::with_args(&["--enable-debug-command", "yes"]);
    d.script(
        r#"
        DEBUG SLEEP 0
        DEBUG SLEEP 0.01
        DEBUG SLEEP
        DEBUG SLEEP abc
        DEBUG SET-ACTIVE-EXPIRE 1
        DEBUG OBJECT nokey
        DEBUG OBJECT
        DEBUG FOO
        DEBUG PROTOCOL
        DEBUG PROTOCOL foo
        DEBUG PROTOCOL string
        DEBUG PROTOCOL integer
        DEBUG PROTOCOL double
        DEBUG PROTOCOL bignum
        DEBUG PROTOCOL null
        DEBUG PROTOCOL array
        DEBUG PROTOCOL set
        DEBUG PROTOCOL map
        DEBUG PROTOCOL attrib
        DEBUG PROTOCOL push
        DEBUG PROTOCOL verbatim
        DEBUG PROTOCOL true
        DEBUG PROTOCOL false
        DEBUG ERROR "foo bar"
        DEBUG ERROR "-NOTERR x"
        DEBUG ERROR
        DEBUG LOG "hello world"
        DEBUG LOG
        "#,
    );
    if !d.a.cmd(&["HELLO", "3"]).starts_with('-') {
        d.b.cmd(&["HELLO", "3"]);
        for t in [
            "string", "integer", "double", "bignum", "null", "array", "set", "map", "attrib", "verbatim",
            "true", "false",
        ] {
            d.check(&["DEBUG", "PROTOCOL", t]);
        }
        d.check(&["DEBUG", "PROTOCOL", "push"]);
        let (a, b) = (d.a.read_reply(), d.b.read_reply());
        assert_eq!(a, b, "reply after the push");
    }
    for (value, encoding, serialized) in
        [("5", "int", 2), ("12345", "int", 3), ("hello", "embstr", 6), (&"z".repeat(50), "raw", 51)]
    {
        d.check(&["SET", "k", value]);
        let ours = d.a.cmd(&["DEBUG", "OBJECT", "k"]);
        let theirs = d.b.cmd(&["DEBUG", "OBJECT", "k"]);
        let shape = |s: &str| -> Vec<String> {
            s.split(' ').map(|w| w.split(':').next().unwrap().to_string()).collect()
        };
        assert_eq!(shape(&ours), shape(&theirs));
        assert!(ours.contains(&format!(" encoding:{encoding} serializedlength:{serialized} ")), "{ours}");
        let refcount = |s: &str| s.split(' ').find(|w| w.starts_with("refcount:")).unwrap().to_string();
        assert_eq!(refcount(&ours), refcount(&theirs));
    }
    // With active expiry off, an unread expired key stays until it is looked up.
    d.a.cmd(&["DEBUG", "SET-ACTIVE-EXPIRE", "0"]);
    d.a.cmd(&["SET", "gone", "v", "PX", "1"]);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(d.a.cmd(&["DBSIZE"]), ":2\r\n");
    d.a.cmd(&["DEBUG", "SET-ACTIVE-EXPIRE", "1"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while d.a.cmd(&["DBSIZE"]) != ":1\r\n" {
        assert!(Instant::now() < deadline, "active expiry did not resume");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn memory_matches_redis() {
    let mut d = Diff::new();
    d.script(
        r#"
        SET s hello
        MEMORY HELP
        MEMORY USAGE nokey
        MEMORY USAGE s samples x
        MEMORY USAGE s samples -1
        MEMORY USAGE s foo
        MEMORY USAGE s samples 5 extra
        MEMORY DOCTOR
        MEMORY PURGE
        MEMORY NOSUCH
        "#,
    );
    let usage = |c: &mut Conn, k: &str| -> i64 {
        c.cmd(&["MEMORY", "USAGE", k]).trim_start_matches(':').trim().parse().unwrap()
    };
    let small = usage(&mut d.a, "s");
    d.check(&["SET", "big", &"x".repeat(10_000)]);
    let big = usage(&mut d.a, "big");
    assert!((24..200).contains(&small), "{small}");
    assert!((10_000..10_200).contains(&big), "{big}");
    // MEMORY STATS: same fields in the same order.
    let keys = |reply: Vec<u8>| -> Vec<String> {
        let text = String::from_utf8_lossy(&reply).into_owned();
        text.split("\r\n")
            .filter(|l| l.starts_with(|c: char| c.is_ascii_lowercase()))
            .map(str::to_string)
            .collect()
    };
    let (ours, theirs) = d.both(&[b"MEMORY", b"STATS"]);
    assert_eq!(keys(ours), keys(theirs));
    assert!(d.a.cmd(&["MEMORY", "MALLOC-STATS"]).starts_with('$'));
}

#[test]
fn time_and_lastsave() {
    let mut d = Diff::new();
    d.script("TIME x\nLASTSAVE x");
    let t = d.a.cmd(&["TIME"]);
    let parts: Vec<&str> = t.split("\r\n").collect();
    assert_eq!(parts[0], "*2");
    let secs: u64 = parts[2].parse().unwrap();
    let usec: u64 = parts[4].parse().unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    assert!(secs.abs_diff(now) < 5 && usec < 1_000_000, "{t}");
    let last: u64 = d.a.cmd(&["LASTSAVE"]).trim_start_matches(':').trim().parse().unwrap();
    assert!(last.abs_diff(now) < 120);
}

#[test]
fn shutdown_errors_match_redis_and_shutdown_exits() {
    let mut d = Diff::new();
    d.script(
        r#"
        SHUTDOWN ABORT
        SHUTDOWN NOSAVE SAVE
        SHUTDOWN ABORT NOW
        SHUTDOWN NOW NOW ABORT
        SHUTDOWN FOO
        "#,
    );
    // Without persistence an explicit SAVE cannot be honoured.
    assert_eq!(d.a.cmd(&["SHUTDOWN", "SAVE"]), "-ERR Errors trying to SHUTDOWN. Check logs.\r\n");
    d.a.send(&[b"SHUTDOWN", b"NOW"]);
    assert!(d.a.is_closed(Duration::from_secs(10)));
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = d.ours.child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            break;
        }
        assert!(Instant::now() < deadline, "server did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn resp3_replies_match_redis() {
    let mut d = Diff::with_args(&["--enable-debug-command", "yes"]);
    if d.a.cmd(&["HELLO", "3"]).starts_with('-') {
        eprintln!("no HELLO: RESP3 not compared");
        return;
    }
    d.b.cmd(&["HELLO", "3"]);
    d.script(
        r#"
        SET s hello
        CONFIG GET maxclients
        CONFIG GET nosuch
        COMMAND GETKEYSANDFLAGS del a b
        COMMAND INFO nosuch time config|get
        COMMAND DOCS nosuch time config|set
        MEMORY USAGE nokey
        MEMORY DOCTOR
        SLOWLOG GET 0
        INFO nosuch
        DEBUG PROTOCOL map
        "#,
    );
    let (ours, theirs) = d.both(&[b"INFO", b"cluster"]);
    assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&theirs));
    let (ours, _) = d.both(&[b"MEMORY", b"STATS"]);
    assert!(ours.starts_with(b"%28\r\n"), "{}", String::from_utf8_lossy(&ours));
}

#[test]
fn config_set_loglevel_changes_the_running_logger() {
    let dir = std::env::temp_dir().join(format!("cinnabar-loglevel-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("server.log");
    let s = Proc::cinnabar(&["--loglevel", "warning", "--logfile", log.to_str().unwrap()]);
    let mut c = s.conn();
    assert_eq!(c.cmd(&["CONFIG", "SET", "loglevel", "notice"]), "+OK\r\n");
    c.send(&[b"SHUTDOWN"]);
    assert!(c.is_closed(Duration::from_secs(10)));
    let deadline = Instant::now() + Duration::from_secs(10);
    while !std::fs::read_to_string(&log).unwrap_or_default().contains("ready to exit") {
        assert!(Instant::now() < deadline, "no notice-level line after CONFIG SET loglevel notice");
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(s);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Seeded random CONFIG SET streams (one to three pairs, valid and invalid values),
/// each followed by CONFIG GET of the parameters touched: replies must match Redis.
#[test]
fn random_config_set_get_matches_redis() {
    const PARAMS: &[&str] = &[
        "maxclients",
        "tcp-keepalive",
        "hz",
        "loglevel",
        "save",
        "proto-max-bulk-len",
        "client-query-buffer-limit",
        "slowlog-log-slower-than",
        "slowlog-max-len",
        "maxmemory",
        "maxmemory-policy",
        "protected-mode",
        "lazyfree-lazy-user-flush",
        "latency-tracking",
        "latency-tracking-info-percentiles",
    ];
    const VALUES: &[&str] = &[
        "0",
        "1",
        "-1",
        "05",
        "+5",
        "-0",
        "10",
        "100",
        "511",
        "2147483647",
        "2147483648",
        "9223372036854775807",
        "9223372036854775808",
        "18446744073709551616",
        "yes",
        "no",
        "YES",
        "maybe",
        "",
        "abc",
        "1k",
        "1kb",
        "2mb",
        "1GB",
        "5b",
        "1.5mb",
        "1tb",
        "notice",
        "WARNING",
        "debug",
        "nothing",
        "allkeys-lru",
        "volatile-ttl",
        "3600 1",
        "1 2 3",
        "50 99.9",
        "101",
    ];
    for seed in 1..=4u64 {
        eprintln!("seed {seed}");
        let mut rng = StdRng::seed_from_u64(seed);
        let mut d = Diff::new();
        for _ in 0..150 {
            let mut args = vec!["CONFIG", "SET"];
            for _ in 0..rng.random_range(1..=3) {
                let param = PARAMS[rng.random_range(0..PARAMS.len())];
                let mut value = VALUES[rng.random_range(0..VALUES.len())];
                // Redis lowers the open-files limit step by step for a huge
                // maxclients, which takes minutes: keep those out.
                if param == "maxclients" && value.parse::<u64>().is_ok_and(|n| n > 100_000) {
                    value = "abc";
                }
                args.push(param);
                args.push(value);
            }
            d.check(&args);
            for pair in args[2..].chunks(2) {
                d.check(&["CONFIG", "GET", pair[0]]);
            }
        }
    }
}
