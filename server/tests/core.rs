//! Core behaviour: protocol handling and the first commands, against our binary and
//! differentially against real Redis.

mod common;
use common::*;

#[test]
fn get_set_with_redis_crate() {
    let s = Proc::cinnabar(&[]);
    let mut c = s.client();
    let _: () = redis::cmd("SET").arg("k").arg("v").query(&mut c).unwrap();
    let v: String = redis::cmd("GET").arg("k").query(&mut c).unwrap();
    assert_eq!(v, "v");
    let missing: Option<String> = redis::cmd("GET").arg("nope").query(&mut c).unwrap();
    assert_eq!(missing, None);
}

#[test]
fn differential_basics() {
    let mut d = Diff::new();
    d.script(
        r#"
        PING
        PING hello
        PING a b
        ECHO "x y"
        SET k v
        GET k
        SET k v2 GET
        SET k v NX
        SET k v XX GET
        SET k v NX XX
        SET k v EX 0
        SET k v EX -1
        SET k v EX 10 PX 10
        SET k v EX abc
        SET k v KEEPTTL EX 1
        SET k v EX 9223372036854775807
        SET k v PX 9223372036854775807
        SET nk v XX
        SET nk v XX GET
        GET nk
        DEL k nk k
        EXISTS k nk
        NOSUCHCOMMAND a b
        get
        SELECT 16
        SELECT x
        SELECT 1
        GET k
        "#,
    );
}

#[test]
fn protocol_errors_close_the_connection() {
    let mut d = Diff::new();
    for bad in [&b"*1\r\nxy\r\n"[..], b"*x\r\n", b"*1\r\n$-5\r\n", b"SET \"a\r\n"] {
        let mut a = d.ours.conn();
        let mut b = d.reference.conn();
        a.send_raw(bad);
        b.send_raw(bad);
        assert_eq!(a.read_reply_string(), b.read_reply_string(), "for {:?}", String::from_utf8_lossy(bad));
        assert!(a.is_closed(std::time::Duration::from_secs(2)));
    }
    d.check(&["PING"]);
}

#[test]
fn pipelined_replies_in_order() {
    let s = Proc::cinnabar(&[]);
    let mut c = s.conn();
    let mut batch = Vec::new();
    for i in 0..1000 {
        batch.extend(encode(&[b"SET", format!("k{i}").as_bytes(), format!("{i}").as_bytes()]));
        batch.extend(encode(&[b"GET", format!("k{i}").as_bytes()]));
    }
    c.send_raw(&batch);
    for i in 0..1000 {
        assert_eq!(c.read_reply_string(), "+OK\r\n");
        let v = i.to_string();
        assert_eq!(c.read_reply_string(), format!("${}\r\n{v}\r\n", v.len()));
    }
}
