//! String commands: behaviour with the redis crate and raw RESP, differential scripts
//! against real Redis, the encoding hints values carry, and the command metadata.

mod common;
use common::*;

use std::sync::Arc;
use std::time::{Duration, Instant};

use cinnabar::client::{Client, ClientInfo, Peer};
use cinnabar::commands::dispatch::{execute, Scratch};
use cinnabar::commands::Args;
use cinnabar::keyspace::hash_key;
use cinnabar::protocol::reply::{Protocol, ReplyBuf};
use cinnabar::server::Server;

fn q<T: redis::FromRedisValue>(c: &mut redis::Connection, args: &[&str]) -> redis::RedisResult<T> {
    let mut cmd = redis::cmd(args[0]);
    for a in &args[1..] {
        cmd.arg(*a);
    }
    cmd.query(c)
}

fn err_text(r: redis::RedisResult<redis::Value>) -> String {
    let e = r.expect_err("expected an error");
    format!("{} {}", e.code().unwrap_or(""), e.detail().unwrap_or("")).trim().to_string()
}

#[test]
fn redis_crate_basics() {
    let s = Proc::cinnabar(&[]);
    let mut c = s.client();
    assert_eq!(q::<String>(&mut c, &["SET", "k", "v"]).unwrap(), "OK");
    assert_eq!(q::<Option<String>>(&mut c, &["SET", "k", "w", "NX"]).unwrap(), None);
    assert_eq!(q::<Option<String>>(&mut c, &["SET", "k", "w", "XX", "GET"]).unwrap(), Some("v".into()));
    assert_eq!(q::<i64>(&mut c, &["SETNX", "k", "x"]).unwrap(), 0);
    assert_eq!(q::<i64>(&mut c, &["SETNX", "n", "x"]).unwrap(), 1);
    assert_eq!(q::<String>(&mut c, &["GETSET", "n", "y"]).unwrap(), "x");
    assert_eq!(q::<String>(&mut c, &["GETDEL", "n"]).unwrap(), "y");
    assert_eq!(q::<Option<String>>(&mut c, &["GETDEL", "n"]).unwrap(), None);
    assert_eq!(q::<String>(&mut c, &["MSET", "a", "1", "b", "2"]).unwrap(), "OK");
    assert_eq!(
        q::<Vec<Option<String>>>(&mut c, &["MGET", "a", "nope", "b"]).unwrap(),
        vec![Some("1".into()), None, Some("2".into())]
    );
    assert_eq!(q::<i64>(&mut c, &["MSETNX", "a", "9", "z", "9"]).unwrap(), 0);
    assert_eq!(q::<Option<String>>(&mut c, &["GET", "z"]).unwrap(), None);
    assert_eq!(q::<i64>(&mut c, &["MSETNX", "y", "8", "z", "9"]).unwrap(), 1);
    assert_eq!(q::<i64>(&mut c, &["APPEND", "a", "23"]).unwrap(), 3);
    assert_eq!(q::<i64>(&mut c, &["STRLEN", "a"]).unwrap(), 3);
    assert_eq!(q::<i64>(&mut c, &["INCR", "a"]).unwrap(), 124);
    assert_eq!(q::<i64>(&mut c, &["DECRBY", "a", "24"]).unwrap(), 100);
    assert_eq!(q::<i64>(&mut c, &["INCRBY", "a", "-1"]).unwrap(), 99);
    assert_eq!(q::<i64>(&mut c, &["DECR", "a"]).unwrap(), 98);
    assert_eq!(q::<String>(&mut c, &["INCRBYFLOAT", "a", "0.1"]).unwrap(), "98.1");
    assert_eq!(q::<String>(&mut c, &["GETRANGE", "a", "-2", "-1"]).unwrap(), ".1");
    assert_eq!(q::<String>(&mut c, &["SUBSTR", "a", "0", "1"]).unwrap(), "98");
    assert_eq!(q::<i64>(&mut c, &["SETRANGE", "a", "5", "x"]).unwrap(), 6);
    assert_eq!(q::<Vec<u8>>(&mut c, &["GET", "a"]).unwrap(), b"98.1\0x");
    assert_eq!(q::<String>(&mut c, &["SETEX", "e", "100", "v"]).unwrap(), "OK");
    assert_eq!(q::<String>(&mut c, &["PSETEX", "e", "100000", "v"]).unwrap(), "OK");
    assert_eq!(q::<String>(&mut c, &["GETEX", "e", "PERSIST"]).unwrap(), "v");
    q::<()>(&mut c, &["MSET", "s1", "ohmytext", "s2", "mynewtext"]).unwrap();
    assert_eq!(q::<String>(&mut c, &["LCS", "s1", "s2"]).unwrap(), "mytext");
    assert_eq!(q::<i64>(&mut c, &["LCS", "s1", "s2", "LEN"]).unwrap(), 6);
}

#[test]
fn redis_crate_errors() {
    let s = Proc::cinnabar(&[]);
    let mut c = s.client();
    q::<()>(&mut c, &["SET", "s", "abc"]).unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["SET", "k", "v", "NX", "XX"], "ERR syntax error"),
        (&["SET", "k", "v", "EX", "0"], "ERR invalid expire time in 'set' command"),
        (&["SETEX", "k", "-5", "v"], "ERR invalid expire time in 'setex' command"),
        (&["PSETEX", "k", "0", "v"], "ERR invalid expire time in 'psetex' command"),
        (&["GETEX", "s", "EX", "0"], "ERR invalid expire time in 'getex' command"),
        (&["INCR", "s"], "ERR value is not an integer or out of range"),
        (&["INCRBYFLOAT", "s", "1"], "ERR value is not a valid float"),
        (&["DECRBY", "k", "-9223372036854775808"], "ERR decrement would overflow"),
        (&["SETRANGE", "s", "-1", "x"], "ERR offset is out of range"),
        (
            &["SETRANGE", "s", "536870912", "x"],
            "ERR string exceeds maximum allowed size (proto-max-bulk-len)",
        ),
        (&["MSET", "a", "1", "b"], "ERR wrong number of arguments for 'mset' command"),
        (
            &["LCS", "s", "s", "IDX", "LEN"],
            "ERR If you want both the length and indexes, please just use IDX.",
        ),
    ];
    for (args, want) in cases {
        assert_eq!(err_text(q(&mut c, args)), *want, "for {args:?}");
    }
}

#[test]
fn differential_set_family() {
    let mut d = Diff::new();
    d.script(
        r#"
        SET k v
        SET k v NX
        SET k v2 XX
        GET k
        SET k v3 GET
        SET k v4 NX GET
        GET k
        SET nk v XX GET
        SET nk v NX GET
        SET k v nx xx
        SET k v xx nx
        SET k v NX NX
        SET k v XX XX GET GET
        SET k v EX 100 EX 200
        SET k v EX 100 PX 200
        SET k v PX 100 EXAT 200
        SET k v EXAT 100 PXAT 200
        SET k v KEEPTTL EX 100
        SET k v EX 100 KEEPTTL
        SET k v KEEPTTL KEEPTTL
        SET k v PERSIST
        SET k v EX
        SET k v PX
        SET k v EX 10 NX XX
        SET k v FOO
        SET k v EX 1.5
        SET k v EX " 1"
        SET k v EX 0
        SET k v PX 0
        SET k v EXAT 0
        SET k v PXAT -1
        SET k v EX -1
        SET k v EX 9223372036854775807
        SET k v EX 9223372036854775
        SET k v EX 9223372036854776
        SET k v PX 9223372036854775807
        SET k v EXAT 9223372036854775
        SET k v EXAT 9223372036854776
        SET k v PXAT 9223372036854775807
        GET k
        SET k v EX 99999999999999999999
        SET k v ex 1000 get
        SET k v pxat 99999999999999 keepttl
        SET k "" GET
        GET k
        SET k v EXAT 1
        GET k
        SET k v PXAT 1 GET
        EXISTS k
        SET
        SET k
        SETNX k
        SETNX k a
        SETNX k b
        GET k
        SETEX k 100 v
        SETEX k 0 v
        SETEX k -1 v
        SETEX k abc v
        SETEX k 9223372036854775807 v
        SETEX k 9223372036854775 v
        SETEX k 100
        PSETEX k 100000 pv
        GET k
        PSETEX k 0 v
        PSETEX k 9223372036854775807 v
        PSETEX k 1.5 v
        GETSET k gs
        GETSET k gs2
        GETSET missing x
        GET missing
        GETSET k
        GETDEL k
        GETDEL k
        GETDEL
        EXISTS k
        "#,
    );
}

#[test]
fn differential_getex() {
    let mut d = Diff::new();
    d.script(
        r#"
        GETEX nokey
        GETEX nokey EX 0
        GETEX nokey EX abc
        GETEX nokey FOO
        GETEX nokey PERSIST EX 1
        SET k v
        GETEX k
        GETEX k EX 0
        GETEX k EX -5
        GETEX k PX 0
        GETEX k EX abc
        GETEX k EX 9223372036854775807
        GETEX k PX 9223372036854775807
        GETEX k EXAT 9223372036854776
        GETEX k EX 100
        GETEX k PX 100000
        GETEX k EXAT 99999999999
        GETEX k PXAT 99999999999999
        GETEX k PERSIST
        GETEX k persist persist
        GETEX k EX 10 EX 20
        GETEX k EX 10 PX 20
        GETEX k PERSIST EX 10
        GETEX k EX 10 PERSIST
        GETEX k KEEPTTL
        GETEX k NX
        GETEX k XX
        GETEX k GET
        GETEX k EX
        GETEX k EXAT 1
        EXISTS k
        SET k v
        GETEX k PXAT 1
        GET k
        SET k v
        GETEX k PXAT 2000000000000
        GET k
        GETEX
        "#,
    );
}

#[test]
fn differential_multi_key() {
    let mut d = Diff::new();
    d.script(
        r#"
        MSET a 1 b 2 c 3
        MGET a b c d
        MGET d
        MSET a
        MSET a 1 b
        MSET a 1 a 2 a 3
        GET a
        MSETNX a 1 x 2
        MGET a x
        MSETNX x 1 y 2
        MGET x y
        MSETNX z 1 z 2
        GET z
        MSETNX q 1 r
        MSETNX q
        MGET
        MSET "" empty "\x00" nul
        MGET "" "\x00"
        DEL a b c x y z "" "\x00"
        MGET a b c
        "#,
    );
}

#[test]
fn differential_append_strlen_ranges() {
    let mut d = Diff::new();
    d.script(
        r#"
        APPEND k hello
        APPEND k " world"
        GET k
        APPEND k ""
        APPEND e ""
        EXISTS e
        GET e
        STRLEN k
        STRLEN nokey
        STRLEN e
        APPEND bin "\x00\x01\x00"
        APPEND bin "\xff"
        STRLEN bin
        GET bin
        SET n 123
        APPEND n 4
        INCR n
        GETRANGE k 0 4
        GETRANGE k -5 -1
        GETRANGE k 6 100
        GETRANGE k -100 2
        GETRANGE k -1 -5
        GETRANGE k 5 3
        GETRANGE k 0 -1
        GETRANGE k -1 -1
        GETRANGE k 0 0
        GETRANGE k 100 200
        GETRANGE k -9223372036854775808 9223372036854775807
        GETRANGE k 9223372036854775807 -9223372036854775808
        GETRANGE k 0 -100
        GETRANGE k 1 -100
        GETRANGE k a 1
        GETRANGE k 1 b
        GETRANGE k 1.0 2
        GETRANGE nokey 0 -1
        GETRANGE nokey a b
        GETRANGE e 0 -1
        GETRANGE e -1 0
        GETRANGE bin 1 2
        GETRANGE n 0 1
        GETRANGE n -2 -1
        SUBSTR k 0 4
        SUBSTR k -3 -2
        SUBSTR nokey 0 1
        SUBSTR k 0
        SETRANGE k 0 J
        GET k
        SETRANGE k 11 "!!"
        GET k
        SETRANGE k 20 x
        GET k
        STRLEN k
        SETRANGE k 5 ""
        SETRANGE k 100 ""
        SETRANGE nk 5 ""
        EXISTS nk
        SETRANGE nk 0 ""
        SETRANGE nk 3 abc
        GET nk
        SETRANGE nk -1 x
        SETRANGE nk -1 ""
        SETRANGE nokey -1 ""
        SETRANGE nk x a
        SETRANGE nk 1.5 a
        SETRANGE nk 536870912 x
        SETRANGE nk 536870911 xy
        SETRANGE nk 9223372036854775807 x
        SETRANGE nk 9223372036854775808 x
        SETRANGE nk 536870912 ""
        SETRANGE nokey 536870912 ""
        SETRANGE nokey 536870912 x
        EXISTS nokey
        SET n 42
        SETRANGE n 1 3
        GET n
        INCR n
        SETRANGE bin 1 "\x00\x00"
        GET bin
        "#,
    );
}

#[test]
fn differential_counters() {
    let mut d = Diff::new();
    d.script(
        r#"
        INCR c
        INCR c
        DECR c
        DECR c
        DECR c
        INCRBY c 100
        INCRBY c -200
        DECRBY c 5
        DECRBY c -5
        GET c
        INCRBY c abc
        INCRBY c 1.5
        INCRBY c ""
        INCRBY c " 1"
        INCRBY c +1
        INCRBY c 01
        INCRBY c -0
        INCRBY c 99999999999999999999
        DECRBY c -9223372036854775808
        DECRBY nokey -9223372036854775808
        DECRBY c 9223372036854775807
        DECRBY c 9223372036854775807
        SET c 9223372036854775807
        INCR c
        INCRBY c 0
        DECR c
        SET c -9223372036854775808
        DECR c
        INCRBY c -1
        INCR c
        SET c 9223372036854775808
        INCR c
        SET c " 1"
        INCR c
        SET c "1 "
        INCR c
        SET c 007
        INCR c
        SET c -0
        INCR c
        SET c +5
        INCR c
        SET c 1.0
        INCR c
        SET c ""
        INCR c
        SET c "\x001"
        INCR c
        SET c 0
        INCR c
        SET c 1e3
        INCRBY c 1
        SET c 10
        SET c 10 EX 1000
        INCR c
        GET c
        INCR
        INCRBY c
        DECRBY c 1 2
        INCR nokey2
        DECR nokey3
        INCRBY nokey4 -7
        MGET nokey2 nokey3 nokey4
        "#,
    );
}

#[test]
fn differential_incrbyfloat() {
    let mut d = Diff::new();
    d.script(
        r#"
        SET f 10.5
        INCRBYFLOAT f 0.1
        INCRBYFLOAT f -0.1
        INCRBYFLOAT f 1e5
        INCRBYFLOAT f 5.0e3
        INCRBYFLOAT f -115010.5
        INCRBYFLOAT f 3.0000000000000001
        INCRBYFLOAT f -0
        INCRBYFLOAT f 0x10
        INCRBYFLOAT f 0x1p3
        INCRBYFLOAT f +5
        INCRBYFLOAT f .5
        INCRBYFLOAT f 5.
        INCRBYFLOAT f 4.9e-324
        INCRBYFLOAT f 1e-4940
        INCRBYFLOAT f 1.7976931348623157e308
        INCRBYFLOAT f 1e308
        GET f
        INCRBYFLOAT f -1e309
        GET f
        INCRBYFLOAT f inf
        INCRBYFLOAT f -inf
        INCRBYFLOAT f infinity
        INCRBYFLOAT f nan
        INCRBYFLOAT f -nan
        INCRBYFLOAT f ""
        INCRBYFLOAT f " 1"
        INCRBYFLOAT f "1 "
        INCRBYFLOAT f "\t1"
        INCRBYFLOAT f "1\x00"
        INCRBYFLOAT f 1e5000
        INCRBYFLOAT f 1e-5000
        INCRBYFLOAT f 1_0
        INCRBYFLOAT f abc
        INCRBYFLOAT f 1,5
        GET f
        SET g 1e308
        INCRBYFLOAT g 1e308
        INCRBYFLOAT g 1e4932
        SET g 1e4932
        INCRBYFLOAT g 1e4932
        INCRBYFLOAT g -1e4932
        SET g -0
        INCRBYFLOAT g -0
        SET g 1
        INCRBYFLOAT g -1
        SET g 0.1
        INCRBYFLOAT g 0.2
        INCRBYFLOAT g -1e-20
        SET g -0.00000000000000000001
        INCRBYFLOAT g 0
        SET g 123456789012345678901234567890
        INCRBYFLOAT g 1
        SET g 1.23456789012345678901234567890
        INCRBYFLOAT g 0
        SET g abc
        INCRBYFLOAT g 1
        INCRBYFLOAT g abc
        SET g " 1"
        INCRBYFLOAT g 1
        SET g inf
        INCRBYFLOAT g 0
        SET g 9223372036854775807
        INCRBYFLOAT g 1
        INCRBYFLOAT newf 2.5
        INCRBYFLOAT newf2 abc
        EXISTS newf2
        INCRBYFLOAT newf3 inf
        EXISTS newf3
        SET h 5 EX 1000
        INCRBYFLOAT h 1.5
        INCRBYFLOAT h
        "#,
    );
}

#[test]
fn differential_lcs() {
    let mut d = Diff::new();
    d.script(
        r#"
        MSET key1 ohmytext key2 mynewtext
        LCS key1 key2
        LCS key1 key2 LEN
        LCS key1 key2 IDX
        LCS key1 key2 IDX MINMATCHLEN 4 WITHMATCHLEN
        LCS key1 key2 IDX WITHMATCHLEN
        LCS key1 key2 idx minmatchlen 2
        LCS key1 key2 IDX MINMATCHLEN -5
        LCS key1 key2 IDX MINMATCHLEN 100
        LCS key1 key2 IDX LEN
        LCS key1 key2 LEN IDX
        LCS key1 key2 LEN LEN
        LCS key1 key2 MINMATCHLEN
        LCS key1 key2 MINMATCHLEN x
        LCS key1 key2 MINMATCHLEN 1.5
        LCS key1 key2 WITHMATCHLEN
        LCS key1 key2 FOO
        LCS key1 key2 FOO IDX LEN
        LCS key1 nokey
        LCS nokey key1 IDX
        LCS nokey nokey2 LEN
        LCS key1 key1 IDX WITHMATCHLEN
        LCS key1
        MSET a 0 b 1
        LCS a b IDX
        LCS a b
        MSET a "\x00ab\x00cd" b "ab\x00\x00cdx"
        LCS a b
        LCS a b IDX WITHMATCHLEN
        MSET a AAAABBBBCCCC b ABCABCABCABC
        LCS a b IDX WITHMATCHLEN
        LCS a b
        MSET a abcdefghijklmnopqrstuvwxyz b zyxwvutsrqponmlkjihgfedcba
        LCS a b IDX
        LCS a b
        MSET a 1234567890 b 0987654321abc1234
        LCS a b IDX WITHMATCHLEN
        LCS b a IDX WITHMATCHLEN
        "#,
    );
}

#[test]
fn differential_lcs_random_and_limits() {
    use rand::{Rng, SeedableRng};
    let mut d = Diff::new();
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    for round in 0..60 {
        let alphabet = if round % 2 == 0 { &b"ab"[..] } else { &b"abcdxyz"[..] };
        let (la, lb) = (rng.random_range(0..40), rng.random_range(0..40));
        let mut word =
            |n: usize| (0..n).map(|_| alphabet[rng.random_range(0..alphabet.len())]).collect::<Vec<u8>>();
        let (a, b) = (word(la), word(lb));
        d.check_bytes(&[b"MSET", b"x", &a, b"y", &b]);
        d.check(&["LCS", "x", "y"]);
        d.check(&["LCS", "x", "y", "IDX", "WITHMATCHLEN"]);
        d.check(&["LCS", "x", "y", "IDX", "MINMATCHLEN", "2"]);
        d.check(&["LCS", "y", "x", "LEN"]);
    }
    // The transient table is limited to proto-max-bulk-len bytes.
    d.check(&["SETRANGE", "big1", "11999", "x"]);
    d.check(&["SETRANGE", "big2", "11999", "y"]);
    d.check(&["LCS", "big1", "big2", "LEN"]);
    d.check(&["SETRANGE", "small", "400", "z"]);
    d.check(&["LCS", "big1", "small", "LEN"]);
}

#[test]
fn differential_size_limits_follow_proto_max_bulk_len() {
    let mut d = Diff::with_args(&["--proto-max-bulk-len", "1048576"]);
    let chunk = vec![b'a'; 524288];
    d.check_bytes(&[b"APPEND", b"k", &chunk]);
    d.check_bytes(&[b"APPEND", b"k", &chunk]);
    d.check(&["APPEND", "k", "x"]);
    d.check(&["APPEND", "k", ""]);
    d.check(&["STRLEN", "k"]);
    d.check(&["SETRANGE", "k", "1048575", "x"]);
    d.check(&["SETRANGE", "k", "1048575", "xy"]);
    d.check(&["SETRANGE", "n", "1048576", "x"]);
    d.check(&["SETRANGE", "n", "1048575", "x"]);
    d.check(&["STRLEN", "n"]);
    // LCS refuses a table over the limit: (510+1)^2 * 4 bytes is under 1 MiB, 520 is over.
    d.check(&["SETRANGE", "a", "509", "x"]);
    d.check(&["SETRANGE", "b", "509", "y"]);
    d.check(&["LCS", "a", "b", "LEN"]);
    d.check(&["SETRANGE", "a", "519", "x"]);
    d.check(&["SETRANGE", "b", "519", "y"]);
    d.check(&["LCS", "a", "b", "LEN"]);
    d.check(&["LCS", "a", "b"]);
}

#[test]
fn differential_resp3() {
    let mut d = Diff::new();
    let hello = encode(&[b"HELLO", b"3"]);
    // HELLO may not be implemented by us yet: switch both only if we answer it.
    d.a.send_raw(&hello);
    let ours = d.a.read_reply_string();
    if ours.starts_with("-ERR unknown command") {
        return;
    }
    d.b.send_raw(&hello);
    d.b.read_reply();
    d.script(
        r#"
        SET k v
        GET nokey
        SET nk v XX
        SET nk v XX GET
        MGET k nokey
        GETEX nokey
        GETDEL nokey
        MSET key1 ohmytext key2 mynewtext
        LCS key1 key2 IDX WITHMATCHLEN
        INCRBYFLOAT f 1.5
        "#,
    );
}

/// Polls `check` until it holds or a generous deadline passes.
fn eventually(mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn expiry_options_take_effect() {
    let s = Proc::cinnabar(&[]);
    let mut c = s.conn();
    let gone = |c: &mut Conn, key: &str| eventually(|| c.cmd(&["GET", key]) == "$-1\r\n");
    // Relative and absolute times expire the key.
    assert_eq!(c.cmd(&["SET", "a", "v", "PX", "150"]), "+OK\r\n");
    assert_eq!(c.cmd(&["PSETEX", "b", "150", "v"]), "+OK\r\n");
    assert_eq!(c.cmd(&["SETEX", "c", "1", "v"]), "+OK\r\n");
    let at = (std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() + 150)
        .to_string();
    assert_eq!(c.cmd(&["SET", "d", "v", "PXAT", &at]), "+OK\r\n");
    assert_eq!(c.cmd(&["SET", "e", "v"]), "+OK\r\n");
    assert_eq!(c.cmd(&["GETEX", "e", "PX", "150"]), "$1\r\nv\r\n");
    // KEEPTTL keeps it, a plain SET and GETSET clear it, in-place edits keep it. These
    // TTLs are long enough that the key is still there for the second command.
    assert_eq!(c.cmd(&["SET", "f", "v", "PX", "2000"]), "+OK\r\n");
    assert_eq!(c.cmd(&["SET", "f", "w", "KEEPTTL"]), "+OK\r\n");
    for (key, edit) in [
        ("g", &["APPEND", "g", "x"][..]),
        ("h", &["INCR", "h"][..]),
        ("i", &["INCRBYFLOAT", "i", "1.5"][..]),
        ("j", &["SETRANGE", "j", "0", "x"][..]),
    ] {
        assert_eq!(c.cmd(&["SET", key, "1", "PX", "2000"]), "+OK\r\n");
        assert!(!c.cmd(edit).starts_with('-'), "{edit:?}");
    }
    assert_eq!(c.cmd(&["SET", "p", "v", "PX", "2000"]), "+OK\r\n");
    assert_eq!(c.cmd(&["SET", "p", "w"]), "+OK\r\n");
    assert_eq!(c.cmd(&["SET", "q", "v", "PX", "2000"]), "+OK\r\n");
    assert_eq!(c.cmd(&["GETSET", "q", "w"]), "$1\r\nv\r\n");
    assert_eq!(c.cmd(&["SET", "r", "v", "PX", "2000"]), "+OK\r\n");
    assert_eq!(c.cmd(&["GETEX", "r", "PERSIST"]), "$1\r\nv\r\n");
    for key in ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"] {
        assert!(gone(&mut c, key), "{key} did not expire");
    }
    // Every key above has expired by now, so the ones without a TTL would have too.
    for key in ["p", "q", "r"] {
        assert_eq!(c.cmd(&["GET", key]), if key == "r" { "$1\r\nv\r\n" } else { "$1\r\nw\r\n" });
    }
}

#[test]
fn append_grows_large_strings() {
    let s = Proc::cinnabar(&[]);
    let mut c = s.conn();
    let chunk = vec![b'x'; 64 * 1024];
    for i in 1..=64 {
        assert_eq!(
            c.cmd_bytes(&[b"APPEND", b"big", &chunk]),
            format!(":{}\r\n", i * chunk.len()).into_bytes()
        );
    }
    assert_eq!(c.cmd(&["STRLEN", "big"]), format!(":{}\r\n", 64 * chunk.len()));
    assert_eq!(c.cmd(&["SETRANGE", "big", "4194304", "yz"]), ":4194306\r\n");
    assert_eq!(c.cmd(&["GETRANGE", "big", "-3", "-1"]), "$3\r\nxyz\r\n");
}

/// Runs one command in-process and returns the raw reply.
fn run(server: &Server, client: &mut Client, args: &[&str]) -> String {
    let data: Vec<u8> = args.concat().into_bytes();
    let mut ranges = Vec::new();
    let mut pos = 0;
    for a in args {
        ranges.push(pos..pos + a.len());
        pos += a.len();
    }
    let mut out = ReplyBuf::new(Protocol::Resp2);
    execute(server, client, Args::new(&data, &ranges), &mut out, &mut Scratch::default());
    String::from_utf8_lossy(&out.buf).into_owned()
}

fn encoding(server: &Server, key: &str) -> &'static str {
    let h = hash_key(key.as_bytes());
    let shard = server.keyspace.dbs[0].shard(h.shard());
    shard.peek(key.as_bytes(), h).expect("key present").encoding_name()
}

/// The encodings real Redis 7.0 reports for values each command leaves (checked
/// with OBJECT ENCODING against redis-server).
#[test]
fn commands_leave_redis_encodings() {
    let server = Server::new(Default::default());
    let mut client = Client::new(Arc::new(ClientInfo::new(1, Peer::Unix { path: String::new() }, -1)), true);
    let long = "x".repeat(45);
    let script: &[(&[&str], &str, &str)] = &[
        (&["SET", "a", "123"], "a", "int"),
        (&["SET", "a", "abc"], "a", "embstr"),
        (&["SET", "a", &long], "a", "raw"),
        (&["SET", "a", "12345678901234567890"], "a", "embstr"),
        (&["MSET", "a", "1", "b", "x"], "a", "int"),
        (&["MSETNX", "c", "2"], "c", "int"),
        (&["APPEND", "d", "3"], "d", "int"),
        (&["APPEND", "d", "4"], "d", "raw"),
        (&["SET", "d", "5"], "d", "int"),
        (&["APPEND", "d", ""], "d", "raw"),
        (&["SETRANGE", "e", "0", "4"], "e", "raw"),
        (&["SET", "e", "12"], "e", "int"),
        (&["SETRANGE", "e", "0", ""], "e", "int"),
        (&["SETRANGE", "e", "0", "3"], "e", "raw"),
        (&["INCR", "e"], "e", "int"),
        (&["GETSET", "e", "5"], "e", "int"),
        (&["SET", "f", "1.5"], "f", "embstr"),
        (&["INCRBYFLOAT", "f", "1.5"], "f", "embstr"),
        (&["INCRBYFLOAT", "g", "3"], "g", "embstr"),
        (&["INCRBYFLOAT", "g", "1e50"], "g", "raw"),
        (&["SETEX", "h", "100", "6"], "h", "int"),
        (&["PSETEX", "h", "100000", "x"], "h", "embstr"),
        (&["SETNX", "i", "7"], "i", "int"),
        (&["INCRBY", "j", "10"], "j", "int"),
        (&["GETEX", "j", "EX", "100"], "j", "int"),
    ];
    for (args, key, want) in script {
        assert!(!run(&server, &mut client, args).starts_with('-'), "{args:?}");
        assert_eq!(encoding(&server, key), *want, "after {args:?}");
    }
}
