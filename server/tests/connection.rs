//! Connection commands (PING, ECHO, SELECT, QUIT, RESET, HELLO, AUTH, MONITOR) and
//! the CLIENT command, differentially against real Redis. Values that legitimately
//! differ (client ids, ports, fds, ages, memory figures, timestamps) are normalised;
//! field names, their order and all other values must match.

mod common;
use common::*;

/// Replaces the value after `"$2\r\nid\r\n:"` (HELLO's client id) with `N`.
fn normalize_hello(reply: &str) -> String {
    let key = "$2\r\nid\r\n:";
    match reply.find(key) {
        Some(at) => {
            let start = at + key.len();
            let end = start + reply[start..].find('\r').unwrap();
            format!("{}N{}", &reply[..start], &reply[end..])
        }
        None => reply.to_string(),
    }
}

/// CLIENT LIST / CLIENT INFO fields whose values differ between servers by nature.
const VOLATILE: &[&str] = &[
    "id",
    "addr",
    "laddr",
    "fd",
    "age",
    "idle",
    "qbuf",
    "qbuf-free",
    "argv-mem",
    "multi-mem",
    "rbs",
    "rbp",
    "obl",
    "oll",
    "omem",
    "tot-mem",
];

/// Normalises a CLIENT LIST/INFO reply (bulk or verbatim): keeps the reply type, the
/// verbatim format, every field name in order and the stable values.
fn normalize_client_list(reply: &str) -> String {
    let (head, body) = reply.split_once("\r\n").unwrap();
    let kind = &head[..1];
    let body = body.strip_suffix("\r\n").unwrap_or(body);
    let (format, text) = if kind == "=" { body.split_at(4) } else { ("", body) };
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            line.split(' ')
                .map(|field| {
                    let (k, v) = field.split_once('=').unwrap();
                    if VOLATILE.contains(&k) {
                        format!("{k}=*")
                    } else {
                        format!("{k}={v}")
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    format!("{kind}{format}{}", lines.join("\n"))
}

/// Sends to both servers and compares after `normalize`.
fn check_norm(d: &mut Diff, args: &[&str], normalize: fn(&str) -> String) -> String {
    let bytes: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    let (a, b) = d.both(&bytes);
    let (a, b) = (normalize(&String::from_utf8_lossy(&a)), normalize(&String::from_utf8_lossy(&b)));
    assert_eq!(a, b, "reply differs for {args:?}");
    a
}

#[test]
fn ping_echo_select_quit() {
    let mut d = Diff::new();
    d.script(
        r#"
        PING
        PING "hello world"
        PING a b
        ECHO ""
        ECHO "x\r\ny"
        ECHO
        ECHO a b
        SELECT 15
        SELECT 16
        SELECT -1
        SELECT x
        SELECT 1.5
        SELECT 2147483648
        SELECT -2147483649
        SELECT 99999999999999999999
        SELECT 0
        QUIT extra args
        "#,
    );
    assert!(d.a.is_closed(std::time::Duration::from_secs(5)));
    assert!(d.b.is_closed(std::time::Duration::from_secs(5)));
}

#[test]
fn hello_resp2_and_resp3() {
    let mut d = Diff::new();
    for cmd in [
        &["HELLO"][..],
        &["HELLO", "2"],
        &["HELLO", "3"],
        &["HELLO"],
        &["PING"],
        &["PING", "x"],
        &["ECHO", "y"],
        &["CLIENT", "GETNAME"],
        &["CLIENT", "SETNAME", "n1"],
        &["CLIENT", "GETNAME"],
        &["CLIENT", "ID", "x"],
        &["CLIENT", "NOSUCH"],
        &["CLIENT", "HELP"],
        &["CLIENT", "REPLY", "ON"],
        &["CLIENT", "NO-EVICT", "ON"],
        &["CLIENT", "LIST", "ID", "0"],
        &["CLIENT", "LIST", "TYPE", "master"],
        &["CLIENT", "KILL", "ID", "999999"],
        &["GET", "nokey"],
        &["HELLO", "2", "SETNAME", "n2"],
        &["CLIENT", "GETNAME"],
        &["HELLO", "3", "SETNAME", ""],
        &["CLIENT", "GETNAME"],
        &["HELLO", "1"],
        &["HELLO", "4"],
        &["HELLO", "0"],
        &["HELLO", "-1"],
        &["HELLO", "2147483648"],
        &["HELLO", "99999999999999999999"],
        &["HELLO", "3.0"],
        &["HELLO", " 3"],
        &["HELLO", "x", "AUTH", "default", "x"],
        &["HELLO", "3", "foo"],
        &["HELLO", "3", "SETNAME"],
        &["HELLO", "3", "AUTH", "default"],
        &["HELLO", "3", "AUTH", "default", "anything"],
        &["HELLO", "3", "AUTH", "nouser", "x"],
        &["HELLO", "3", "SETNAME", "a b"],
        &["HELLO", "3", "SETNAME", "ok", "SETNAME", "bad name"],
        &["CLIENT", "GETNAME"],
        &["AUTH", "x"],
        &["AUTH", "default", ""],
        &["AUTH", "default", "x", "y"],
        &["RESET"],
        &["CLIENT", "GETNAME"],
        &["HELLO"],
    ] {
        check_norm(&mut d, cmd, normalize_hello);
    }
}

#[test]
fn auth_with_requirepass() {
    let mut d = Diff::with_args(&["--requirepass", "secret"]);
    d.script(
        r#"
        PING
        CLIENT ID
        HELLO
        HELLO 3
        HELLO 2 SETNAME early
        HELLO 9 AUTH default secret
        HELLO x AUTH default secret
        PING
        HELLO 3 AUTH default bad
        HELLO 3 AUTH bad secret
        HELLO 3 SETNAME "a b" AUTH default secret
        PING
        AUTH bad
        AUTH default bad
        AUTH a b c
        AUTH secret
        CLIENT GETNAME
        AUTH default secret
        AUTH bad
        PING
        RESET
        PING
        HELLO 3 SETNAME x AUTH default bad
        AUTH default secret
        CLIENT GETNAME
        RESET
        HELLO 3 AUTH default secret SETNAME n foo
        PING
        CLIENT GETNAME
        QUIT
        "#,
    );
    // A fresh connection: HELLO with AUTH and SETNAME switches to RESP3.
    let (mut a, mut b) = (d.ours.conn(), d.reference.conn());
    for cmd in [
        &["HELLO", "3", "SETNAME", "x", "SETNAME", "y", "AUTH", "default", "secret"][..],
        &["CLIENT", "GETNAME"],
        &["HELLO", "3", "AUTH", "default", "secret", "AUTH", "default", "bad"],
        &["PING"],
    ] {
        let ra = normalize_hello(&a.cmd(cmd));
        let rb = normalize_hello(&b.cmd(cmd));
        assert_eq!(ra, rb, "for {cmd:?}");
    }
}

#[test]
fn client_subcommand_errors_and_modes() {
    let mut d = Diff::new();
    d.script(
        r#"
        CLIENT
        CLIENT HELP
        CLIENT HELP x
        CLIENT NOSUCH
        CLIENT NO-TOUCH on
        CLIENT ID x
        CLIENT INFO x
        CLIENT GETNAME x
        CLIENT GETNAME
        CLIENT SETNAME
        CLIENT SETNAME a b
        CLIENT SETNAME "a b"
        CLIENT SETNAME "a\nb"
        CLIENT SETNAME "\xc3\xa9"
        CLIENT SETNAME a~b!
        CLIENT GETNAME
        CLIENT SETNAME ""
        CLIENT GETNAME
        CLIENT NO-EVICT
        CLIENT NO-EVICT x
        CLIENT NO-EVICT on
        CLIENT NO-EVICT OFF
        CLIENT REPLY
        CLIENT REPLY x
        CLIENT REPLY ON
        CLIENT LIST foo
        CLIENT LIST TYPE
        CLIENT LIST TYPE foo
        CLIENT LIST TYPE master
        CLIENT LIST TYPE replica
        CLIENT LIST TYPE slave
        CLIENT LIST TYPE pubsub
        CLIENT LIST ID
        CLIENT LIST ID abc
        CLIENT LIST ID 1 x
        CLIENT LIST ID 0
        CLIENT LIST ID -5 0
        CLIENT LIST TYPE normal ID 1
        CLIENT KILL
        CLIENT KILL 1.2.3.4:5
        CLIENT KILL a
        CLIENT KILL a b
        CLIENT KILL a b c
        CLIENT KILL ID
        CLIENT KILL ID 999999
        CLIENT KILL ID x
        CLIENT KILL ID 0
        CLIENT KILL ID -1
        CLIENT KILL ID 1 SKIPME
        CLIENT KILL ID 1 ID x
        CLIENT KILL ID 1 TYPE x
        CLIENT KILL TYPE bad
        CLIENT KILL TYPE master
        CLIENT KILL TYPE replica
        CLIENT KILL TYPE slave
        CLIENT KILL TYPE pubsub
        CLIENT KILL SKIPME x
        CLIENT KILL SKIPME no ID 999999
        CLIENT KILL USER nouser
        CLIENT KILL USER default ID 999999
        CLIENT KILL ADDR nope
        CLIENT KILL ADDR nope SKIPME no
        CLIENT KILL LADDR nope
        CLIENT KILL MAXAGE 1
        CLIENT KILL USER default LADDR x TYPE normal SKIPME yes
        CLIENT PAUSE
        CLIENT PAUSE x
        CLIENT PAUSE -1
        CLIENT PAUSE 9999999999999999999
        CLIENT PAUSE 10 foo
        CLIENT PAUSE 10 WRITE x
        CLIENT PAUSE x WRITE y
        CLIENT PAUSE 0
        CLIENT PAUSE 0 WRITE
        CLIENT PAUSE 0 all
        CLIENT UNPAUSE
        CLIENT UNPAUSE x
        client getname
        "#,
    );
}

#[test]
fn client_reply_on_off_skip() {
    let mut d = Diff::new();
    // Commands whose replies are suppressed produce nothing, so send everything in
    // one pipeline and compare the whole output.
    let script = [
        &["CLIENT", "REPLY", "OFF"][..],
        &["PING", "1"],
        &["NOSUCH"],
        &["CLIENT", "REPLY", "SKIP"],
        &["PING", "2"],
        &["CLIENT", "REPLY", "ON"],
        &["PING", "3"],
        &["CLIENT", "REPLY", "SKIP"],
        &["PING", "4"],
        &["PING", "5"],
        &["CLIENT", "REPLY", "SKIP"],
        &["CLIENT", "REPLY", "SKIP"],
        &["PING", "6"],
        &["PING", "7"],
        &["CLIENT", "REPLY", "SKIP"],
        &["CLIENT", "REPLY", "ON"],
        &["CLIENT", "REPLY", "OFF"],
        &["RESET"],
        &["PING", "8"],
    ];
    let mut batch = Vec::new();
    for cmd in script {
        let args: Vec<&[u8]> = cmd.iter().map(|a| a.as_bytes()).collect();
        batch.extend(encode(&args));
    }
    d.a.send_raw(&batch);
    d.b.send_raw(&batch);
    for _ in 0..5 {
        assert_eq!(d.a.read_reply_string(), d.b.read_reply_string());
    }
    d.check(&["PING", "last"]);
}

/// Waits until the server lists `n` clients (accepted connections are registered
/// asynchronously).
fn wait_for_clients(c: &mut Conn, n: usize) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let list = c.cmd(&["CLIENT", "LIST"]);
        if list.matches("id=").count() == n || std::time::Instant::now() > deadline {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn client_list_and_info_format() {
    let mut d = Diff::new();
    // A second connection on each that has not run anything yet (cmd=NULL).
    let (_idle_a, _idle_b) = (d.ours.conn(), d.reference.conn());
    wait_for_clients(&mut d.a, 2);
    wait_for_clients(&mut d.b, 2);
    for cmd in [
        &["CLIENT", "INFO"][..],
        &["CLIENT", "LIST"],
        &["CLIENT", "SETNAME", "me"],
        &["SELECT", "3"],
        &["CLIENT", "NO-EVICT", "on"],
        &["CLIENT", "INFO"],
        &["NOSUCHCMD"],
        &["CLIENT", "LIST", "TYPE", "normal"],
        &["CLIENT"],
        &["CLIENT", "LIST"],
        &["HELLO", "3"],
        &["CLIENT", "INFO"],
        &["CLIENT", "LIST"],
        &["CLIENT", "NO-EVICT", "off"],
        &["RESET"],
        &["CLIENT", "INFO"],
    ] {
        if cmd[0] == "CLIENT" && matches!(cmd.get(1), Some(&"INFO") | Some(&"LIST")) {
            check_norm(&mut d, cmd, normalize_client_list);
        } else {
            check_norm(&mut d, cmd, normalize_hello);
        }
    }
    // By id: the caller's own line.
    let ida = d.a.cmd(&["CLIENT", "ID"]);
    let idb = d.b.cmd(&["CLIENT", "ID"]);
    let (ida, idb) = (ida[1..ida.len() - 2].to_string(), idb[1..idb.len() - 2].to_string());
    let ra = normalize_client_list(&d.a.cmd(&["CLIENT", "LIST", "ID", &ida, "0"]));
    let rb = normalize_client_list(&d.b.cmd(&["CLIENT", "LIST", "ID", &idb, "0"]));
    assert_eq!(ra, rb);
    assert!(ra.contains("cmd=client|list"), "{ra}");
}

#[test]
fn client_list_unix_socket() {
    let dir = std::env::temp_dir().join(format!("cinnabar-conn-unix-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ours_path = dir.join("ours.sock");
    let theirs_path = dir.join("theirs.sock");
    let ours = Proc::cinnabar(&["--unixsocket", ours_path.to_str().unwrap()]);
    let theirs = Proc::redis(&["--unixsocket", theirs_path.to_str().unwrap()]);
    let ask = |path: &std::path::Path, cmds: &[&[&str]]| -> Vec<String> {
        use std::io::{BufReader, Write};
        let s = std::os::unix::net::UnixStream::connect(path).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
        let mut r = BufReader::new(s.try_clone().unwrap());
        let mut w = s;
        cmds.iter()
            .map(|c| {
                let args: Vec<&[u8]> = c.iter().map(|a| a.as_bytes()).collect();
                w.write_all(&encode(&args)).unwrap();
                let mut out = Vec::new();
                read_frame(&mut r, &mut out).unwrap();
                String::from_utf8_lossy(&out).into_owned()
            })
            .collect()
    };
    // CLIENT KILL ADDR <path>:0 matches every unix-socket client but skips the caller.
    let kill_ours = format!("{}:0", ours_path.display());
    let kill_theirs = format!("{}:0", theirs_path.display());
    let a = ask(
        &ours_path,
        &[&["CLIENT", "NO-EVICT", "on"], &["CLIENT", "INFO"], &["CLIENT", "KILL", "ADDR", &kill_ours]],
    );
    let b = ask(
        &theirs_path,
        &[&["CLIENT", "NO-EVICT", "on"], &["CLIENT", "INFO"], &["CLIENT", "KILL", "ADDR", &kill_theirs]],
    );
    assert_eq!(normalize_client_list(&a[1]), normalize_client_list(&b[1]));
    assert!(a[1].contains(&format!("addr={kill_ours} laddr={kill_ours}")), "{}", a[1]);
    assert!(a[1].contains("flags=Ue"), "{}", a[1]);
    assert_eq!(a[2], ":0\r\n");
    assert_eq!(b[2], ":0\r\n");
    drop((ours, theirs));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Reads what a monitor received until `want` lines have arrived, normalising the
/// timestamp and the source address.
fn monitor_lines(c: &mut Conn, want: usize) -> Vec<String> {
    (0..want)
        .map(|_| {
            let line = c.read_reply_string();
            let line = line.trim_end();
            assert!(line.starts_with('+'), "{line:?}");
            let (stamp, rest) = line[1..].split_once(' ').unwrap();
            let (secs, micros) = stamp.split_once('.').unwrap();
            assert!(secs.parse::<u64>().unwrap() > 1_600_000_000 && micros.len() == 6, "{line:?}");
            let (db, rest) = rest[1..].split_once(' ').unwrap();
            let (_source, args) = rest.split_once("] ").unwrap();
            format!("[{db} src] {args}")
        })
        .collect()
}

#[test]
fn monitor_streams_commands_like_redis() {
    let d = Diff::new();
    let mut outputs = Vec::new();
    for proc in [&d.ours, &d.reference] {
        let mut m = proc.conn();
        assert_eq!(m.cmd(&["MONITOR"]), "+OK\r\n");
        let mut c = proc.conn();
        for cmd in [
            &[&b"SET"[..], b"k", b"v"][..],
            &[b"set", b"a\"b\\c\n\r\t\x07\x08\x01\xff \xc3\xa9", b""],
            &[b"GET", b"k"],
            &[b"NOSUCH", b"x"],
            &[b"GET"],
            &[b"CLIENT", b"LIST"],
            &[b"CLIENT", b"ID"],
            &[b"CLIENT", b"NO-EVICT", b"on"],
            &[b"CLIENT", b"SETNAME", b"foo"],
            &[b"AUTH", b"x"],
            &[b"AUTH", b"default", b"y"],
            &[b"HELLO", b"2", b"AUTH", b"default", b"y"],
            &[b"HELLO", b"2"],
            &[b"SELECT", b"3"],
            &[b"SET", b"k", b"v"],
            &[b"PING"],
        ] {
            c.cmd_bytes(cmd);
        }
        let mut lines = monitor_lines(&mut m, 12);
        // The monitor's own commands are shown to it as well; it may not touch keys.
        assert_eq!(m.cmd(&["GET", "k"]), "-ERR Replica can't interact with the keyspace\r\n");
        assert_eq!(m.cmd(&["PING"]), "+PONG\r\n");
        lines.extend(monitor_lines(&mut m, 1));
        // A second MONITOR gets no reply; RESET leaves monitor mode.
        m.send(&[b"MONITOR"]);
        assert_eq!(m.cmd(&["RESET"]), "+RESET\r\n");
        c.cmd(&["SELECT", "0"]);
        c.cmd(&["SET", "after", "reset"]);
        assert_eq!(m.cmd(&["GET", "after"]), "$5\r\nreset\r\n");
        outputs.push(lines);
    }
    assert_eq!(outputs[0], outputs[1]);
}

#[test]
fn monitor_receives_while_idle_and_from_many_clients() {
    let s = Proc::cinnabar(&[]);
    let mut m = s.conn();
    assert_eq!(m.cmd(&["MONITOR"]), "+OK\r\n");
    let mut clients: Vec<Conn> = (0..4).map(|_| s.conn()).collect();
    for round in 0..25 {
        for (i, c) in clients.iter_mut().enumerate() {
            c.cmd(&["SET", &format!("k{i}"), &round.to_string()]);
        }
    }
    let lines = monitor_lines(&mut m, 100);
    for i in 0..4 {
        let mine: Vec<&String> = lines.iter().filter(|l| l.contains(&format!("\"k{i}\""))).collect();
        assert_eq!(mine.len(), 25);
        // Each client's commands arrive in the order it ran them.
        for (round, l) in mine.iter().enumerate() {
            assert!(l.ends_with(&format!("\"{round}\"")), "{l}");
        }
    }
    // Once the monitor is gone, commands still run normally.
    drop(m);
    assert_eq!(clients[0].cmd(&["GET", "k0"]), "$2\r\n24\r\n");
}
