//! --pipe mass insertion, --stat and --latency.

mod common;
use common::*;

const SUMMARY_HEAD: &str =
    "All data transferred. Waiting for the last reply...\nLast reply received from server.\n";

fn mass_insert(n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n * 40);
    for i in 0..n {
        let (k, v) = (format!("key:{i}"), format!("value:{i}"));
        out.extend_from_slice(
            format!("*3\r\n$3\r\nSET\r\n${}\r\n{k}\r\n${}\r\n{v}\r\n", k.len(), v.len()).as_bytes(),
        );
    }
    out
}

#[test]
fn pipe_100k_commands() {
    let server = Server::redis(&[]);
    let out = printed(run(cli(), server.port, &["--pipe"], Some(&mass_insert(100_000))));
    assert_eq!(out.stdout, format!("{SUMMARY_HEAD}errors: 0, replies: 100000\n"));
    assert_eq!((out.stderr.as_str(), out.code), ("", Some(0)));
    assert_eq!(server.redis_cli(&["dbsize"]), "100000\n");
    assert_eq!(server.redis_cli(&["get", "key:99999"]), "value:99999\n");
}

#[test]
fn pipe_inline_and_errors_like_redis_cli() {
    let (a, b) = (Server::redis(&[]), Server::redis(&[]));
    let input = b"SET a 1\r\nINCR a\r\nNOSUCH x\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\nLPUSH a x\nGET a";
    let out = same_on(a.port, b.port, &["--pipe"], Some(input));
    assert_eq!(out.stdout, format!("{SUMMARY_HEAD}errors: 2, replies: 6\n"));
    assert_eq!(out.code, Some(1));
}

#[test]
fn pipe_into_cinnabar_server() {
    let Some(server) = Server::cinnabar() else { return };
    let out = printed(run(cli(), server.port, &["--pipe"], Some(&mass_insert(20_000))));
    assert_eq!(out.stdout, format!("{SUMMARY_HEAD}errors: 0, replies: 20000\n"));
    assert_eq!(printed(run(cli(), server.port, &["dbsize"], None)).stdout, "20000\n");
}

#[test]
fn stat_lines() {
    let server = Server::redis(&[]);
    server.redis_cli(&["mset", "a", "1", "b", "2"]);
    let out = printed(run(cli(), server.port, &["--stat", "-i", "0.05", "-r", "3"], None));
    assert_eq!(out.code, Some(0), "{out:?}");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{out:?}");
    assert_eq!(lines[0], "------- data ------ --------------------- load -------------------- - child -");
    assert_eq!(lines[1], "keys       mem      clients blocked requests            connections          ");
    for (i, line) in lines[2..].iter().enumerate() {
        assert_eq!(line.len(), 68, "{line:?}");
        let cols: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(cols[0], "2", "{line:?}");
        assert!(cols[1].ends_with(['B', 'K', 'M', 'G']), "{line:?}");
        assert_eq!(cols[5], if i == 0 { "(+0)" } else { "(+1)" }, "{line:?}");
    }
}

#[test]
fn latency_summary_line() {
    let server = Server::redis(&[]);
    let out = printed(run(cli(), server.port, &["--latency", "-i", "0.3"], None));
    assert_eq!(out.code, Some(0), "{out:?}");
    let fields: Vec<&str> = out.stdout.trim_end().split(' ').collect();
    assert_eq!(fields.len(), 4, "{out:?}");
    let (min, max): (u64, u64) = (fields[0].parse().unwrap(), fields[1].parse().unwrap());
    let avg: f64 = fields[2].parse().unwrap();
    assert!(min <= max && avg >= min as f64 && avg <= max as f64, "{out:?}");
    assert_eq!(fields[2].split('.').nth(1).map(str::len), Some(2), "{out:?}");
    assert!(fields[3].parse::<u64>().unwrap() >= 1, "{out:?}");
    let refused = printed(run(cli(), free_port(), &["--latency"], None));
    assert_eq!(refused.code, Some(1));
    assert!(refused.stderr.starts_with("Could not connect to Redis at 127.0.0.1:"));
}
