//! Request parsing and connection handling, byte for byte against Redis: every protocol
//! error, inline command quoting, odd lengths, split writes, and what happens to the
//! connection afterwards. Each case goes on a fresh connection to both servers; the
//! replies and whether the server closed the connection must be the same.

mod common;
use common::raw::{differences, exchange_all, Pace};
use common::*;
use std::time::Duration;

/// Long enough for a loaded machine to answer; connections left open cost this once
/// per batch, not per case.
const QUIET: Duration = Duration::from_millis(1200);

fn cases(inputs: &[&[u8]]) -> Vec<(Vec<u8>, Pace)> {
    inputs.iter().map(|i| (i.to_vec(), Pace::AllAtOnce)).collect()
}

fn assert_same(d: &Diff, inputs: &[(Vec<u8>, Pace)]) {
    let diffs = differences(d.ours.port, d.reference.port, inputs, QUIET);
    assert!(diffs.is_empty(), "{} of {} cases differ:\n{}", diffs.len(), inputs.len(), diffs.join("\n"));
}

fn repeat(prefix: &[u8], byte: u8, n: usize, suffix: &[u8]) -> Vec<u8> {
    let mut v = prefix.to_vec();
    v.resize(prefix.len() + n, byte);
    v.extend_from_slice(suffix);
    v
}

#[test]
fn protocol_errors() {
    let d = Diff::new();
    assert_same(
        &d,
        &cases(&[
            b"*x\r\n",
            b"*\r\n",
            b"* 1\r\n",
            b"*1 \r\n",
            b"*+1\r\n",
            b"*01\r\n",
            b"*-0\r\n",
            b"*1.5\r\n",
            b"*2147483648\r\n",
            b"*9223372036854775808\r\n",
            b"*1\r\nx\r\n",
            b"*1\r\nxy\r\n",
            b"*1\r\n\r\n",
            b"*1\r\n\n\r\n",
            b"*1\r\n\xff\r\n",
            b"*1\r\n*1\r\n",
            b"*1\r\n$x\r\n",
            b"*1\r\n$\r\n",
            b"*1\r\n$ 4\r\n",
            b"*1\r\n$+4\r\nPING\r\n",
            b"*1\r\n$04\r\nPING\r\n",
            b"*1\r\n$-0\r\n",
            b"*1\r\n$-1\r\n",
            b"*1\r\n$-5\r\n",
            b"*1\r\n$4294967296\r\n",
            b"*1\r\n$536870913\r\n",
            b"*1\r\n$9223372036854775807\r\n",
            b"*1\r\n$9223372036854775808\r\n",
            b"SET \"a\r\n",
            b"SET 'a\r\n",
            b"ECHO \"a\"b\r\n",
            b"ECHO 'a'b\r\n",
            b"ECHO a\"b c\"d\r\n",
            b"ECHO \"a\\\"\r\n",
            // The request is complete once the byte after '\r' arrived, whatever it is.
            b"*1\r\n$4\rxPING\r\n",
            b"*1\rx$4\r\nPING\r\n",
        ]),
    );
}

#[test]
fn too_big_lines() {
    let d = Diff::new();
    assert_same(
        &d,
        &[
            (repeat(b"", b'A', 70_000, b""), Pace::AllAtOnce),
            (repeat(b"", b'A', 200_000, b""), Pace::Chunks(20_000)),
            (repeat(b"*", b'1', 70_000, b""), Pace::AllAtOnce),
            (repeat(b"*1\r\n$", b'1', 70_000, b""), Pace::AllAtOnce),
            (repeat(b"*2\r\n$4\r\nECHO\r\n", b'x', 70_000, b""), Pace::AllAtOnce),
            // Close to the limit is fine: exactly 64 KB waiting for its newline.
            (repeat(b"ECHO ", b'a', 65_531, b"\r\n"), Pace::Chunks(65_536)),
            (repeat(b"ECHO ", b'a', 65_000, b"\r\n"), Pace::AllAtOnce),
            (repeat(b"ECHO ", b'a', 65_000, b"\r\nPING\r\n"), Pace::Chunks(4096)),
            // A NUL ends Redis's search for the end of a line: it never completes.
            (b"PING\0\r\n".to_vec(), Pace::AllAtOnce),
            (b"*1\0\r\n".to_vec(), Pace::AllAtOnce),
            (b"*1\r\n$4\0\r\nPING\r\n".to_vec(), Pace::AllAtOnce),
            (b"*1\r\n\0\r\n".to_vec(), Pace::AllAtOnce),
            (repeat(b"PING\0", b'a', 70_000, b"\r\n"), Pace::AllAtOnce),
            (repeat(b"*1\0", b'a', 70_000, b"\r\n"), Pace::AllAtOnce),
            (repeat(b"*1\r\n$4\0", b'a', 70_000, b"\r\n"), Pace::AllAtOnce),
            // NUL inside a bulk payload is data.
            (b"*2\r\n$4\r\nECHO\r\n$3\r\na\0b\r\n".to_vec(), Pace::AllAtOnce),
        ],
    );
}

#[test]
fn counts_and_lengths() {
    let d = Diff::new();
    assert_same(
        &d,
        &cases(&[
            b"*0\r\n",
            b"*-1\r\n",
            b"*-5\r\nPING\r\n",
            b"*-2147483649\r\nPING\r\n",
            b"*0\r\nPING\r\n",
            b"*-1\r\n*0\r\n*1\r\n$4\r\nPING\r\n",
            // Waiting for more: the server says nothing and keeps the connection.
            b"*2147483647\r\n$1\r\na\r\n",
            b"*1\r\n$536870912\r\n",
            b"*1\r\n$536870000\r\nabc",
            b"*3\r\n$3\r\nSET\r\n",
            b"*1\r\n$4\r\nPING",
            b"*1\r\n$4\r\nPING\r",
            // The two bytes after a payload are skipped unchecked.
            b"*1\r\n$4\r\nPINGxx",
            b"*1\r\n$4\r\nPINGxxPING\r\n",
            b"*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n",
            b"*2\r\n$4\r\nECHO\r\n$1\r\nabc\r\n",
            b"*2\r\n$4\r\nECHO\r\n$0\r\n\r\n",
            b"*2\r\n$4\r\necho\r\n$2\r\n\r\n\r\n",
        ]),
    );
}

#[test]
fn inline_commands() {
    let d = Diff::new();
    assert_same(
        &d,
        &cases(&[
            b"PING\r\n",
            b"PING\n",
            b"PING\r\r\n",
            b"\r\n",
            b"\n",
            b"   \r\n",
            b" \t \r\n",
            b"\r\n\r\nPING\r\n",
            b"  PING   hello  \r\n",
            b"ping\tx\r\n",
            b"PING\x0bx\r\n",
            b"ECHO \x0cx\r\n",
            b"ECHO \"a b\"\r\n",
            b"ECHO \"\\x41\\x4a\\x4A\\xff\"\r\n",
            b"ECHO \"\\x4g\"\r\n",
            b"ECHO \"\\x4\"\r\n",
            b"ECHO \"\\n\\r\\t\\b\\a\\z\\\\\\\"\"\r\n",
            b"ECHO \"it's\"\r\n",
            b"ECHO 'it\\'s'\r\n",
            b"ECHO 'a\\nb'\r\n",
            b"ECHO 'a\"b'\r\n",
            b"ECHO a\"b c\"\r\n",
            b"ECHO a'b c'\r\n",
            b"ECHO \"\"\r\n",
            b"ECHO ''\r\n",
            b"ECHO \"a\"\t\r\n",
            b"SET k \"v v\"\r\nGET k\r\n",
            b"PING\r\n*1\r\n$4\r\nPING\r\n",
            b"*1\r\n$4\r\nPING\r\nPING\r\n",
            b"PING\r\nPING\nPING\r\n",
            b"NOSUCHCOMMAND a \"b c\"\r\n",
            b"ECHO \"a\\x00b\"\r\n",
            b"\"NO\\x00SUCH\" \"x\\x00y\" z\r\n",
            b"PING\rx\r\n",
            b"ECHO\r\n",
        ]),
    );
}

#[test]
fn replies_before_an_error_come_first() {
    let mut d = Diff::new();
    assert_same(
        &d,
        &cases(&[
            b"SET k v\r\nGET k\r\n*1\r\n$-3\r\n",
            b"*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n*x\r\n",
            b"PING\r\nECHO \"a\r\nPING\r\n",
            b"*2\r\n$3\r\nGET\r\n$2\r\nk2\r\n*1\r\nx\r\n*1\r\n$4\r\nPING\r\n",
            // Nothing after the error runs.
            b"*x\r\nSET after 1\r\n",
            b"SET \"a\r\nSET after 1\r\n",
        ]),
    );
    // Replies beyond one write's worth are all delivered before the error.
    let mut long = b"PING\r\n".repeat(5000);
    long.extend_from_slice(b"*x\r\n");
    let mut longer = encode(&[b"ECHO", &[b'e'; 100]]).repeat(20_000);
    longer.extend_from_slice(b"*1\r\n$4\r\nPING\r\n*1\r\n\xff\r\n");
    assert_same(&d, &[(long, Pace::AllAtOnce), (longer, Pace::Chunks(50_000))]);
    d.check(&["GET", "after"]);
}

#[test]
fn split_writes() {
    let d = Diff::new();
    let mut inputs = Vec::new();
    let pipeline: &[&[u8]] = &[
        b"*3\r\n$3\r\nSET\r\n$2\r\nkk\r\n$3\r\nval\r\nGET kk\r\n*2\r\n$3\r\nGET\r\n$2\r\nkk\r\n",
        b"ECHO \"a\\x41 'b'\"\r\n*0\r\n\r\n*2\r\n$4\r\nECHO\r\n$5\r\nab\r\nc\r\n",
        b"*1\r\n$4\r\nPINGxxPING\r\n*1\r\n$x\r\n",
        b"PING\r\nSET \"a\r\n",
    ];
    for p in pipeline {
        for n in [1, 2, 3, 7] {
            inputs.push((p.to_vec(), Pace::Chunks(n)));
        }
    }
    let mut big = b"*2\r\n$4\r\nECHO\r\n$100000\r\n".to_vec();
    big.extend((0..100_000).map(|i| (i % 251) as u8));
    big.extend_from_slice(b"\r\n");
    inputs.push((big.clone(), Pace::Chunks(1000)));
    inputs.push((big, Pace::AllAtOnce));
    assert_same(&d, &inputs);
}

#[test]
fn unauthenticated_limits() {
    let d = Diff::with_args(&["--requirepass", "secret"]);
    assert_same(
        &d,
        &[
            (b"*11\r\n".to_vec(), Pace::AllAtOnce),
            (b"*10\r\n".to_vec(), Pace::AllAtOnce),
            (b"*2147483648\r\n".to_vec(), Pace::AllAtOnce),
            (b"*1\r\n$16385\r\n".to_vec(), Pace::AllAtOnce),
            (b"*1\r\n$16384\r\n".to_vec(), Pace::AllAtOnce),
            (b"*1\r\n$536870913\r\n".to_vec(), Pace::AllAtOnce),
            (b"*1\r\n$-1\r\n".to_vec(), Pace::AllAtOnce),
            (b"PING\r\n*1\r\n$4\r\nPING\r\n*11\r\n".to_vec(), Pace::AllAtOnce),
            (repeat(b"PING ", b'a', 20_000, b"\r\n"), Pace::AllAtOnce),
            (repeat(b"*2\r\n$4\r\nPING\r\n$16384\r\n", b'a', 16_384, b"\r\n"), Pace::AllAtOnce),
        ],
    );
}

#[test]
fn proto_max_bulk_len() {
    let d = Diff::with_args(&["--proto-max-bulk-len", "1mb"]);
    let mut at_limit = b"*2\r\n$4\r\nECHO\r\n$1048576\r\n".to_vec();
    at_limit.resize(at_limit.len() + 1_048_576, b'z');
    at_limit.extend_from_slice(b"\r\n");
    let mut inputs =
        cases(&[b"*1\r\n$1048577\r\n", b"*1\r\n$1048576\r\n", b"*2\r\n$4\r\nECHO\r\n$2000000\r\nabc"]);
    inputs.push((at_limit, Pace::AllAtOnce));
    assert_same(&d, &inputs);
}

#[test]
fn proto_max_bulk_len_config_set() {
    let mut d = Diff::new();
    let (ours, _) = d.both(&[b"CONFIG", b"SET", b"proto-max-bulk-len", b"2mb"]);
    if ours.starts_with(b"-ERR unknown command") {
        eprintln!("CONFIG SET not implemented yet: only the start-up option is checked");
        return;
    }
    d.check(&["CONFIG", "GET", "proto-max-bulk-len"]);
    assert_same(&d, &cases(&[b"*1\r\n$2097153\r\n", b"*1\r\n$2097152\r\n"]));
}

#[test]
fn client_query_buffer_limit() {
    let mut d = Diff::with_args(&["--client-query-buffer-limit", "1mb"]);
    let set = |key: &str, len: usize| {
        let mut v = format!("*3\r\n$3\r\nSET\r\n${}\r\n{key}\r\n${len}\r\n", key.len()).into_bytes();
        v.resize(v.len() + len, b'v');
        v.extend_from_slice(b"\r\n");
        v
    };
    // Many small requests that together exceed the limit are processed as they come.
    let mut pipeline = Vec::new();
    for i in 0..60_000 {
        pipeline.extend_from_slice(format!("SET key:{i} {i}\r\n").as_bytes());
    }
    let inputs = vec![
        (set("big1", 2 * 1024 * 1024), Pace::AllAtOnce),
        (set("big2", 3 * 1024 * 1024), Pace::Chunks(64 * 1024)),
        (set("big3", 512 * 1024), Pace::AllAtOnce),
        (set("big4", 1024 * 1024 - 100), Pace::AllAtOnce),
        (pipeline, Pace::AllAtOnce),
    ];
    assert!(inputs[4].0.len() > 1024 * 1024);
    assert_same(&d, &inputs);
    // Other clients are unaffected.
    d.check(&["PING"]);
    d.check(&["EXISTS", "big1", "big2", "big3", "big4"]);
    d.check(&["GET", "key:59999"]);
}

/// An over-long request closes only its own connection: a client connected before and
/// one connected after keep working.
#[test]
fn query_buffer_limit_leaves_others_alone() {
    let s = Proc::cinnabar(&["--client-query-buffer-limit", "1mb"]);
    let mut before = s.conn();
    assert_eq!(before.cmd(&["SET", "k", "v"]), "+OK\r\n");
    let mut big = b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$4000000\r\n".to_vec();
    big.resize(big.len() + 4_000_000, b'x');
    let got = exchange_all(&[s.port], &[(big, Pace::AllAtOnce)], QUIET);
    assert!(got[0][0].closed && got[0][0].reply.is_empty(), "{}", got[0][0]);
    assert_eq!(before.cmd(&["GET", "k"]), "$1\r\nv\r\n");
    assert_eq!(s.conn().cmd(&["GET", "x"]), "$-1\r\n");
}

/// After a protocol error the reply is written and the connection closed, even when
/// more requests follow in the same packet; a new connection works.
#[test]
fn connection_closed_after_protocol_error() {
    let s = Proc::cinnabar(&[]);
    let mut c = s.conn();
    c.send_raw(b"PING\r\n*1\r\n$x\r\nPING\r\nPING\r\n");
    assert_eq!(c.read_reply_string(), "+PONG\r\n");
    assert_eq!(c.read_reply_string(), "-ERR Protocol error: invalid bulk length\r\n");
    assert!(c.is_closed(Duration::from_secs(5)));
    assert_eq!(s.conn().cmd(&["PING"]), "+PONG\r\n");
}
