//! Generic keyspace commands (DEL ... OBJECT), expiry commands and whole-database
//! commands: differentially against real Redis, plus behaviour that cannot be
//! compared byte for byte (SCAN cursors, KEYS order, idle times, concurrency).

mod common;
use common::*;

use std::collections::{BTreeSet, HashSet};
use std::time::{Duration, Instant};

/// The bulk strings of a flat RESP array reply.
fn bulks(reply: &[u8]) -> Vec<Vec<u8>> {
    let mut r = std::io::BufReader::new(reply);
    let mut out = Vec::new();
    let mut line = Vec::new();
    use std::io::{BufRead, Read};
    r.read_until(b'\n', &mut line).unwrap();
    assert_eq!(line[0], b'*', "not an array: {:?}", String::from_utf8_lossy(reply));
    let n: usize = std::str::from_utf8(&line[1..line.len() - 2]).unwrap().parse().unwrap();
    for _ in 0..n {
        line.clear();
        r.read_until(b'\n', &mut line).unwrap();
        assert_eq!(line[0], b'$');
        let len: usize = std::str::from_utf8(&line[1..line.len() - 2]).unwrap().parse().unwrap();
        let mut data = vec![0; len + 2];
        r.read_exact(&mut data).unwrap();
        data.truncate(len);
        out.push(data);
    }
    out
}

/// A full SCAN iteration with `extra` options: every key returned, checking that
/// no call returns a key twice within the iteration.
fn scan_all(c: &mut Conn, extra: &[&str]) -> BTreeSet<Vec<u8>> {
    let mut seen = BTreeSet::new();
    let mut cursor = "0".to_string();
    for _ in 0..1_000_000 {
        let mut args = vec!["SCAN", cursor.as_str()];
        args.extend_from_slice(extra);
        let reply = c.cmd_bytes(&args.iter().map(|a| a.as_bytes()).collect::<Vec<_>>());
        // *2 $n cursor *m keys...
        let parts = reply.splitn(4, |&b| b == b'\n').collect::<Vec<_>>();
        assert_eq!(parts[0], b"*2\r", "{:?}", String::from_utf8_lossy(&reply));
        let next = String::from_utf8_lossy(&parts[2][..parts[2].len() - 1]).into_owned();
        for k in bulks(parts[3]) {
            seen.insert(k);
        }
        if next == "0" {
            return seen;
        }
        cursor = next;
    }
    panic!("SCAN did not finish");
}

fn sorted_keys(c: &mut Conn, pattern: &str) -> Vec<Vec<u8>> {
    let mut v = bulks(&c.cmd_bytes(&[b"KEYS", pattern.as_bytes()]));
    v.sort();
    v
}

#[test]
fn del_exists_type_touch_unlink() {
    let mut d = Diff::new();
    d.script(
        r#"
        SET a 1
        SET b hello
        SET c 10000
        EXISTS a b c nokey a
        EXISTS nokey
        TYPE a
        TYPE nokey
        TOUCH a b nokey a
        TOUCH nokey
        DEL a nokey a
        DEL a
        UNLINK b c nokey
        UNLINK b
        EXISTS a b c
        DBSIZE
        DEL
        UNLINK
        EXISTS
        TYPE
        TYPE a b
        TOUCH
        DBSIZE x
        "#,
    );
}

#[test]
fn rename_renamenx_copy_move() {
    let mut d = Diff::new();
    d.script(
        r#"
        SET a 1
        RENAME a a
        RENAMENX a a
        RENAME zz zz
        RENAMENX zz zz
        RENAME zz a
        SET x hello
        EXPIRE x 1000
        RENAME x y
        TTL y
        GET y
        EXISTS x
        SET z other
        RENAMENX y z
        RENAMENX y w
        TTL w
        RENAME w z
        GET z
        TTL z
        COPY z z
        COPY zz zz
        COPY nokey dst
        COPY z z2
        TTL z2
        GET z2
        COPY z z2
        SET z new
        COPY z z2 REPLACE
        GET z2
        TTL z2
        COPY z z DB 1
        SELECT 1
        GET z
        SELECT 0
        COPY z z2 DB 1 REPLACE
        COPY z z2 DB 1
        COPY z z2 DB 99
        COPY z z2 DB -1
        COPY z z2 DB x
        COPY z z2 DB 4294967297
        COPY z z2 DB
        COPY z z2 foo
        COPY z z2 REPLACE REPLACE
        COPY z b3 DB 1 DB 2
        SELECT 2
        KEYS *
        SELECT 0
        MOVE z 0
        MOVE nokey 0
        MOVE z 99
        MOVE z x
        MOVE z -1
        MOVE z 4294967297
        MOVE nokey 1
        MOVE z 1
        SET m mv
        EXPIRE m 500
        MOVE m 3
        EXISTS m
        SELECT 3
        GET m
        TTL m
        MOVE m 0
        SELECT 0
        SET m again
        SELECT 3
        MOVE m 0
        GET m
        SELECT 0
        RENAME a
        MOVE a
        COPY a
        "#,
    );
}

#[test]
fn expire_family() {
    let mut d = Diff::new();
    d.script(
        r#"
        SET k v
        EXPIRE k 100 nx xx
        EXPIRE k 100 gt lt
        EXPIRE k 100 nx gt
        EXPIRE k 100 NX LT
        EXPIRE k 100 foo
        EXPIRE nokey 10 foo
        EXPIRE k abc foo
        EXPIRE k abc
        EXPIRE k 1.5
        EXPIRE k 9223372036854775807
        EXPIRE k 9223372036854775
        EXPIRE k -9223372036854775808
        PEXPIRE k 9223372036854775807
        EXPIREAT k 9223372036854775807
        PEXPIREAT k 9223372036854775807
        EXPIRETIME k
        PEXPIRETIME k
        PEXPIREAT k 9223372036854775300
        EXPIRETIME k
        EXPIREAT k 9223372036854775
        PEXPIRETIME k
        PEXPIRE k -9223372036854775808
        EXISTS k
        SET k v
        EXPIRE k 100 gt
        EXPIRE k 100 lt
        TTL k
        EXPIRE k 50 LT
        EXPIRE k 60 GT
        TTL k
        EXPIRE k 60 nx
        EXPIRE k 70 xx
        TTL k
        EXPIRE k 60 xx gt
        EXPIRE k 80 xx gt
        TTL k
        PERSIST k
        PERSIST k
        PERSIST nokey
        TTL k
        PTTL k
        EXPIRETIME k
        PEXPIRETIME k
        EXPIRE k 10 xx
        EXPIRE k 10 gt
        EXPIRE k 10 lt
        TTL k
        EXPIRE k 10 nx nx
        TTL nokey
        PTTL nokey
        EXPIRETIME nokey
        PEXPIRETIME nokey
        EXPIRE nokey 10
        EXPIRE k 0
        EXISTS k
        SET k v
        EXPIRE k -5
        EXISTS k
        SET k v
        PEXPIRE k 0
        EXISTS k
        SET k v
        EXPIREAT k 1
        EXISTS k
        SET k v
        PEXPIREAT k 100 GT
        TTL k
        PEXPIREAT k 100 LT
        EXISTS k
        SET k v
        EXPIREAT k 32503680000
        EXPIRETIME k
        PEXPIRETIME k
        PEXPIREAT k 32503680000123
        EXPIRETIME k
        PEXPIRETIME k
        EXPIRE k 100 LT
        TTL k
        EXPIRE
        EXPIRE k
        TTL
        TTL k k
        PERSIST
        EXPIRETIME
        "#,
    );
}

#[test]
fn object_subcommands() {
    let mut d = Diff::new();
    d.script(
        r#"
        SET int 123
        SET small 9999
        SET shared 0
        SET notshared 10000
        SET neg -1
        SET str hello
        SET long "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        SET edge "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        SET bigint 123456789012345678901
        OBJECT ENCODING int
        OBJECT ENCODING str
        OBJECT ENCODING long
        OBJECT ENCODING edge
        OBJECT ENCODING bigint
        OBJECT ENCODING nokey
        OBJECT REFCOUNT int
        OBJECT REFCOUNT small
        OBJECT REFCOUNT shared
        OBJECT REFCOUNT notshared
        OBJECT REFCOUNT neg
        OBJECT REFCOUNT str
        OBJECT REFCOUNT nokey
        COPY shared sharedcopy
        OBJECT REFCOUNT sharedcopy
        OBJECT ENCODING sharedcopy
        RENAME shared sharedrenamed
        OBJECT REFCOUNT sharedrenamed
        COPY long longcopy
        OBJECT ENCODING longcopy
        COPY edge edgecopy
        OBJECT ENCODING edgecopy
        OBJECT FREQ str
        OBJECT FREQ nokey
        OBJECT IDLETIME nokey
        OBJECT HELP
        object help
        OBJECT HELP x
        OBJECT
        OBJECT foo
        OBJECT foo bar
        OBJECT ENCODING
        OBJECT ENCODING a b
        OBJECT IDLETIME
        "#,
    );
    // RESP3 replies, where HELLO is available.
    if d.a.cmd(&["HELLO", "3"]).starts_with('-') {
        return;
    }
    d.b.cmd(&["HELLO", "3"]);
    d.script(
        r#"
        OBJECT HELP
        OBJECT ENCODING nokey
        OBJECT REFCOUNT nokey
        OBJECT ENCODING str
        TYPE str
        KEYS str
        "#,
    );
}

#[test]
fn object_freq_with_lfu_policy() {
    let mut d = Diff::with_args(&["--maxmemory-policy", "allkeys-lfu"]);
    d.script(
        r#"
        SET k hello
        OBJECT FREQ k
        OBJECT FREQ k
        EXISTS k
        TYPE k
        OBJECT FREQ k
        GET k
        OBJECT FREQ k
        SET k2 hello
        SET k2 world
        OBJECT FREQ k2
        COPY k2 k3
        OBJECT FREQ k3
        SET k3 a PX 100000
        OBJECT FREQ k3
        OBJECT IDLETIME k
        OBJECT IDLETIME nokey
        OBJECT FREQ nokey
        "#,
    );
}

#[test]
fn integers_are_not_shared_under_lru_with_a_memory_limit() {
    let mut d = Diff::with_args(&["--maxmemory", "100mb", "--maxmemory-policy", "allkeys-lru"]);
    d.script(
        r#"
        SET k 5
        OBJECT REFCOUNT k
        OBJECT ENCODING k
        OBJECT FREQ k
        "#,
    );
}

#[test]
fn idletime_follows_accesses() {
    let s = Proc::cinnabar(&[]);
    let mut c = s.conn();
    for k in ["a", "b", "c", "d", "e", "f"] {
        c.cmd(&["SET", k, "value"]);
    }
    assert_eq!(c.cmd(&["OBJECT", "IDLETIME", "a"]), ":0\r\n");
    std::thread::sleep(Duration::from_millis(2600));
    // Inspection does not count as an access; reads, writes and TOUCH do.
    for cmd in [&["EXISTS", "a"][..], &["TYPE", "a"], &["TTL", "a"], &["OBJECT", "ENCODING", "a"]] {
        c.cmd(cmd);
    }
    c.cmd(&["GET", "b"]);
    c.cmd(&["TOUCH", "c"]);
    c.cmd(&["EXPIRE", "d", "100"]);
    c.cmd(&["RENAME", "e", "e2"]);
    c.cmd(&["COPY", "f", "f2"]);
    let idle = |c: &mut Conn, k: &str| -> i64 {
        let r = c.cmd(&["OBJECT", "IDLETIME", k]);
        r.trim_start_matches(':').trim().parse().unwrap()
    };
    assert!(idle(&mut c, "a") >= 2, "inspection touched the key");
    for k in ["b", "c", "d", "e2", "f", "f2"] {
        assert!(idle(&mut c, k) <= 1, "{k} was not touched");
    }
}

#[test]
fn keys_patterns_match_redis() {
    let mut d = Diff::new();
    let names = [
        "hello",
        "hallo",
        "hxllo",
        "hllo",
        "heeeello",
        "a*b",
        "a?b",
        "axb",
        "[x]",
        "x]",
        "-",
        "k:1",
        "k:2",
        "k:10",
        "K:1",
        "back\\slash",
        "",
        "ab",
        "a]b",
    ];
    for n in names {
        d.check(&["SET", n, "v"]);
    }
    for p in [
        "*",
        "h?llo",
        "h*llo",
        "h[ae]llo",
        "h[^e]llo",
        "h[a-b]llo",
        "h[b-a]llo",
        "a\\*b",
        "a\\?b",
        "k:[0-9]",
        "k:*",
        "K:*",
        "[\\[]x]",
        "*]",
        "[",
        "[^",
        "back\\\\slash",
        "back\\",
        "a[]b",
        "a[b",
        "?",
        "??",
        "",
        "\\",
        "*llo*",
        "[a-]*",
        "[]]*",
    ] {
        assert_eq!(sorted_keys(&mut d.a, p), sorted_keys(&mut d.b, p), "KEYS {p:?}");
        assert_eq!(scan_all(&mut d.a, &["MATCH", p]), scan_all(&mut d.b, &["MATCH", p]), "SCAN MATCH {p:?}");
    }
    d.script(
        r#"
        KEYS
        KEYS a b
        SELECT 5
        KEYS *
        "#,
    );
}

#[test]
fn scan_options_and_errors() {
    let mut d = Diff::new();
    for i in 0..500 {
        d.check(&["SET", &format!("key:{i}"), "v"]);
        d.check(&["SET", &format!("other:{i}"), "v"]);
    }
    for opts in [
        &[][..],
        &["COUNT", "1"],
        &["COUNT", "7"],
        &["COUNT", "1000"],
        &["MATCH", "key:1*"],
        &["MATCH", "*:4?", "COUNT", "3"],
        &["TYPE", "string"],
        &["TYPE", "STRING", "MATCH", "other:*"],
        &["TYPE", "list"],
        &["TYPE", "nosuchtype"],
        &["COUNT", "5", "COUNT", "50"],
    ] {
        assert_eq!(scan_all(&mut d.a, opts), scan_all(&mut d.b, opts), "SCAN {opts:?}");
    }
    assert_eq!(scan_all(&mut d.a, &[]).len(), 1000);
    d.script(
        r#"
        SCAN x
        SCAN " 0" COUNT 1
        SCAN "0 "
        SCAN "+"
        SCAN 0x10
        SCAN 18446744073709551616
        SCAN 0 COUNT 0
        SCAN 0 COUNT -1
        SCAN 0 COUNT x
        SCAN 0 COUNT
        SCAN 0 MATCH
        SCAN 0 TYPE
        SCAN 0 foo bar
        SCAN 0 COUNT 10 foo
        SCAN
        SELECT 9
        SCAN 0
        SCAN ""
        SCAN +0
        SCAN -0 MATCH * COUNT 10 TYPE string
        "#,
    );
}

#[test]
fn scan_returns_every_key_while_keys_are_added() {
    let s = Proc::cinnabar(&[]);
    let mut c = s.conn();
    let mut batch = Vec::new();
    for i in 0..2000 {
        batch.extend(encode(&[b"SET", format!("stable:{i}").as_bytes(), b"v"]));
    }
    c.send_raw(&batch);
    for _ in 0..2000 {
        c.read_reply();
    }
    let port = s.port;
    let writer = std::thread::spawn(move || {
        let mut w = Conn::new(port);
        for round in 0..30 {
            let mut batch = Vec::new();
            for i in 0..500 {
                batch.extend(encode(&[b"SET", format!("new:{round}:{i}").as_bytes(), b"v"]));
            }
            w.send_raw(&batch);
            for _ in 0..500 {
                w.read_reply();
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut iterations = 0;
    while !writer.is_finished() || iterations < 3 {
        assert!(Instant::now() < deadline, "too slow");
        let opts: &[&str] = match iterations % 3 {
            0 => &["COUNT", "7"],
            1 => &["MATCH", "stable:*", "COUNT", "50"],
            _ => &["TYPE", "string", "COUNT", "3"],
        };
        let seen = scan_all(&mut c, opts);
        for i in 0..2000 {
            assert!(seen.contains(format!("stable:{i}").as_bytes()), "SCAN {opts:?} missed stable:{i}");
        }
        if iterations % 3 == 1 {
            assert!(seen.iter().all(|k| k.starts_with(b"stable:")));
        }
        iterations += 1;
    }
    writer.join().unwrap();
    assert_eq!(c.cmd(&["DBSIZE"]), ":17000\r\n");
    assert_eq!(scan_all(&mut c, &["COUNT", "100"]).len(), 17000);
}

#[test]
fn randomkey_dbsize_flush_swapdb() {
    let mut d = Diff::new();
    d.script(
        r#"
        RANDOMKEY
        SET only v
        RANDOMKEY
        DBSIZE
        SET a 1
        SET b 2
        SELECT 1
        SET c 3
        DBSIZE
        SWAPDB 0 1
        DBSIZE
        GET c
        GET a
        SELECT 0
        DBSIZE
        GET c
        SWAPDB 0 0
        SWAPDB 0 99
        SWAPDB 99 0
        SWAPDB x 0
        SWAPDB 0 x
        SWAPDB 0 -1
        SWAPDB 4294967296 1
        SWAPDB 1 4294967296
        SWAPDB 0
        FLUSHDB foo
        FLUSHDB sync async
        FLUSHALL foo
        FLUSHALL SYNC ASYNC
        FLUSHDB ASYNC
        DBSIZE
        SELECT 1
        DBSIZE
        FLUSHDB SYNC
        DBSIZE
        SET x y
        SELECT 2
        SET x y
        FLUSHALL ASYNC
        DBSIZE
        SELECT 1
        DBSIZE
        SET x y
        FLUSHALL sync
        DBSIZE
        SET x y
        FLUSHALL
        FLUSHDB
        RANDOMKEY
        RANDOMKEY x
        "#,
    );
    let s = Proc::cinnabar(&[]);
    let mut c = s.conn();
    let names: HashSet<String> = (0..50).map(|i| format!("k{i}")).collect();
    for n in &names {
        c.cmd(&["SET", n, "v"]);
    }
    let mut picked = HashSet::new();
    for _ in 0..500 {
        let r = c.cmd(&["RANDOMKEY"]);
        let key = r.lines().nth(1).unwrap().to_string();
        assert!(names.contains(&key), "unknown key {key}");
        picked.insert(key);
    }
    // 500 uniform draws from 50 keys miss a given key with probability 0.99^500.
    assert!(picked.len() >= 48, "RANDOMKEY is far from uniform: {} distinct", picked.len());
}

#[test]
fn expired_keys_are_invisible() {
    let s = Proc::cinnabar(&["--hz", "1"]);
    let mut c = s.conn();
    for i in 0..20 {
        c.cmd(&["SET", &format!("gone{i}"), "v", "PX", "50"]);
    }
    c.cmd(&["SET", "stays", "v"]);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(c.cmd(&["KEYS", "*"]), "*1\r\n$5\r\nstays\r\n");
    assert_eq!(scan_all(&mut c, &[]).len(), 1);
    for _ in 0..20 {
        assert_eq!(c.cmd(&["RANDOMKEY"]), "$5\r\nstays\r\n");
    }
    assert_eq!(c.cmd(&["EXISTS", "gone1"]), ":0\r\n");
    assert_eq!(c.cmd(&["TYPE", "gone2"]), "+none\r\n");
    assert_eq!(c.cmd(&["TTL", "gone3"]), ":-2\r\n");
    assert_eq!(c.cmd(&["RENAME", "gone4", "x"]), "-ERR no such key\r\n");
    assert_eq!(c.cmd(&["MOVE", "gone5", "1"]), ":0\r\n");
    assert_eq!(c.cmd(&["COPY", "gone6", "x"]), ":0\r\n");
    assert_eq!(c.cmd(&["PERSIST", "gone7"]), ":0\r\n");
    c.cmd(&["DEL", "stays"]);
    c.cmd(&["SET", "last", "v", "PX", "20"]);
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(c.cmd(&["RANDOMKEY"]), "$-1\r\n");
}

#[test]
fn ttl_countdown_and_rounding() {
    let s = Proc::cinnabar(&[]);
    let mut c = s.conn();
    c.cmd(&["SET", "k", "v", "PX", "10400"]);
    let pttl: i64 = c.cmd(&["PTTL", "k"]).trim_start_matches(':').trim().parse().unwrap();
    assert!(pttl > 5000 && pttl <= 10400, "{pttl}");
    let ttl: i64 = c.cmd(&["TTL", "k"]).trim_start_matches(':').trim().parse().unwrap();
    assert!((pttl / 1000 - 1..=10).contains(&ttl), "{ttl}");
    let at: u64 = c.cmd(&["PEXPIRETIME", "k"]).trim_start_matches(':').trim().parse().unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
    assert!(at > now && at <= now + 10400);
    let secs: u64 = c.cmd(&["EXPIRETIME", "k"]).trim_start_matches(':').trim().parse().unwrap();
    assert_eq!(secs, (at + 500) / 1000);
}

#[test]
fn multi_key_commands_are_atomic() {
    let s = Proc::cinnabar(&[]);
    let mut c = s.conn();
    for i in 0..100 {
        c.cmd(&["SET", &format!("big{i}"), "v"]);
    }
    c.cmd(&["SELECT", "1"]);
    for i in 0..50 {
        c.cmd(&["SET", &format!("small{i}"), "v"]);
    }
    c.cmd(&["SELECT", "0"]);
    c.cmd(&["SET", "a", "v"]);
    let port = s.port;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop2 = stop.clone();
    let mover = std::thread::spawn(move || {
        let mut m = Conn::new(port);
        let mut n = 0;
        while !stop2.load(std::sync::atomic::Ordering::Relaxed) && n < 20_000 {
            assert_eq!(m.cmd(&["SWAPDB", "0", "1"]), "+OK\r\n");
            let (from, to) = if n % 2 == 0 { ("a", "b") } else { ("b", "a") };
            assert_eq!(m.cmd(&["SELECT", "0"]), "+OK\r\n");
            // Wherever the swaps left it, the single key lives in db 0 or db 1.
            let r = m.cmd(&["RENAME", from, to]);
            if r.starts_with('-') {
                m.cmd(&["SELECT", "1"]);
                m.cmd(&["RENAME", from, to]);
            }
            n += 1;
        }
    });
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        let size = c.cmd(&["DBSIZE"]);
        assert!(size == ":101\r\n" || size == ":50\r\n" || size == ":100\r\n" || size == ":51\r\n", "{size}");
        let keys = bulks(&c.cmd_bytes(&[b"KEYS", b"[ab]"]));
        assert!(keys.len() <= 1, "KEYS saw {keys:?}");
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    mover.join().unwrap();
}
