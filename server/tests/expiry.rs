//! Expiry: keys nobody reads are reclaimed by the active cycle; lazy expiry on access.

mod common;
use common::*;
use std::time::{Duration, Instant};

fn dbsize(c: &mut Conn) -> i64 {
    let r = c.cmd(&["DBSIZE"]);
    r.trim_start_matches(':').trim().parse().unwrap()
}

#[test]
fn active_expiry_reclaims_unread_keys() {
    let s = Proc::cinnabar(&[]);
    let mut c = s.conn();
    let n = 100_000;
    let mut batch = Vec::new();
    for i in 0..n {
        batch.extend(encode(&[b"SET", format!("ttl:{i}").as_bytes(), b"v", b"PX", b"100"]));
    }
    c.send_raw(&batch);
    for _ in 0..n {
        assert_eq!(c.read_reply(), b"+OK\r\n");
    }
    // Only DBSIZE from here on: no key is read, so only the active cycle can reclaim.
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut left = dbsize(&mut c);
    while left > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        left = dbsize(&mut c);
    }
    assert_eq!(left, 0, "expired keys were not reclaimed");
}

#[test]
fn lazy_expiry_on_access_with_millisecond_precision() {
    let s = Proc::cinnabar(&[]);
    let mut c = s.conn();
    assert_eq!(c.cmd(&["SET", "k", "v", "PX", "150"]), "+OK\r\n");
    assert_eq!(c.cmd(&["GET", "k"]), "$1\r\nv\r\n");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(c.cmd(&["GET", "k"]), "$-1\r\n");
    assert_eq!(c.cmd(&["EXISTS", "k"]), ":0\r\n");
}

#[test]
fn no_active_expiry_while_clients_are_paused() {
    let mut d = Diff::new();
    for c in [&mut d.a, &mut d.b] {
        for i in 0..100 {
            assert_eq!(c.cmd(&["SET", &format!("p:{i}"), "v", "PX", "50"]), "+OK\r\n");
        }
        assert_eq!(c.cmd(&["CLIENT", "PAUSE", "3000", "WRITE"]), "+OK\r\n");
    }
    std::thread::sleep(Duration::from_millis(800));
    // Nobody reads the keys: while paused, both servers keep them (DBSIZE counts
    // expired keys not yet reclaimed).
    d.check(&["DBSIZE"]);
    assert_eq!(dbsize(&mut d.a), 100);
    for c in [&mut d.a, &mut d.b] {
        assert_eq!(c.cmd(&["CLIENT", "UNPAUSE"]), "+OK\r\n");
    }
    let deadline = Instant::now() + Duration::from_secs(15);
    while dbsize(&mut d.a) > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(dbsize(&mut d.a), 0, "keys were not reclaimed after the pause");
}
