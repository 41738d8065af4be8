//! `--stat` (a line of server figures from INFO every interval) and `--latency` (PING
//! round trips: min / max / average over the samples), laid out as redis-cli does.

use std::collections::HashMap;
use std::io::{self, Write};
use std::time::{Duration, Instant};

use crate::args::Options;
use crate::conn::Conn;
use crate::format::Output;
use crate::resp::Reply;

/// redis-cli samples latency every 10 ms.
const LATENCY_SAMPLE: Duration = Duration::from_millis(10);

fn connect(opts: &Options) -> Option<Conn> {
    match Conn::connect(opts, opts.db) {
        Ok(c) => Some(c),
        Err(msg) => {
            eprintln!("{msg}");
            None
        }
    }
}

/// `field:value` lines of an INFO reply.
fn info_fields(text: &[u8]) -> HashMap<String, String> {
    String::from_utf8_lossy(text)
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.to_string(), v.trim().to_string()))
        .collect()
}

/// Memory with a K/M/G suffix and two decimals, bytes below 1K.
pub fn human_bytes(n: u64) -> String {
    let f = n as f64;
    const K: f64 = 1024.0;
    if f < K {
        format!("{n}B")
    } else if f < K * K {
        format!("{:.2}K", f / K)
    } else if f < K * K * K {
        format!("{:.2}M", f / (K * K))
    } else {
        format!("{:.2}G", f / (K * K * K))
    }
}

/// One `--stat` line from INFO fields; `prev_requests` gives the `(+N)` difference.
pub fn stat_line(f: &HashMap<String, String>, prev_requests: Option<u64>) -> (String, u64) {
    let num = |k: &str| f.get(k).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    let keys: u64 = f
        .iter()
        .filter(|(k, _)| k.starts_with("db") && k[2..].bytes().all(|b| b.is_ascii_digit()))
        .filter_map(|(_, v)| {
            v.split(',').find_map(|p| p.strip_prefix("keys=")).and_then(|n| n.parse::<u64>().ok())
        })
        .sum();
    let requests = num("total_commands_processed");
    let delta = prev_requests.map_or(0, |p| requests.saturating_sub(p));
    let mut child = String::new();
    if num("rdb_bgsave_in_progress") == 1 {
        child.push_str("RDB");
    }
    if num("aof_rewrite_in_progress") == 1 {
        child.push_str(if child.is_empty() { "AOF" } else { "+AOF" });
    }
    if num("loading") == 1 {
        child.push_str("LOADING");
    }
    let line = format!(
        "{:<11}{:<9}{:<8}{:<8}{:<20}{:<12}{child}",
        keys,
        human_bytes(num("used_memory")),
        num("connected_clients"),
        num("blocked_clients"),
        format!("{requests} (+{delta})"),
        num("total_connections_received"),
    );
    (line, requests)
}

const STAT_HEADER: &str = "------- data ------ --------------------- load -------------------- - child -\n\
keys       mem      clients blocked requests            connections          \n";

/// `--stat`: runs until Ctrl-C, or for `-r` lines.
pub fn run_stat(opts: &Options) -> i32 {
    let Some(mut conn) = connect(opts) else { return 1 };
    let interval = Duration::from_secs_f64(opts.interval.unwrap_or(1.0).max(0.0));
    let mut prev = None;
    let mut printed: i64 = 0;
    let mut out = io::stdout();
    let limit = opts.repeat.filter(|&r| r >= 0);
    loop {
        let reply = match conn.call(&[b"INFO".to_vec()]) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("ERROR: {e}");
                return 1;
            }
        };
        let text = match &reply {
            Reply::Error(e) => {
                eprintln!("ERROR: {}", String::from_utf8_lossy(e));
                return 1;
            }
            other => other.as_bytes().unwrap_or_default().to_vec(),
        };
        if printed % 20 == 0 {
            let _ = out.write_all(STAT_HEADER.as_bytes());
        }
        let (line, requests) = stat_line(&info_fields(&text), prev);
        prev = Some(requests);
        let _ = writeln!(out, "{line}").and_then(|_| out.flush());
        printed += 1;
        if limit.is_some_and(|r| printed >= r) {
            break;
        }
        std::thread::sleep(interval);
    }
    0
}

/// `--latency`: on a terminal a line rewritten in place until Ctrl-C; otherwise one
/// `min max avg samples` line after sampling for the interval (1 s by default).
pub fn run_latency(opts: &Options, stdout_tty: bool) -> i32 {
    let Some(mut conn) = connect(opts) else { return 1 };
    let live = stdout_tty && opts.output == Output::Standard;
    let duration = Duration::from_secs_f64(opts.interval.unwrap_or(1.0).max(0.0));
    let started = Instant::now();
    let (mut min, mut max, mut total, mut count) = (0u64, 0u64, 0u64, 0u64);
    let mut out = io::stdout();
    loop {
        let t = Instant::now();
        match conn.call(&[b"PING".to_vec()]) {
            Ok(Reply::Error(e)) => {
                eprintln!("\nI/O error: {}", String::from_utf8_lossy(&e));
                return 1;
            }
            Ok(_) => {}
            Err(e) => {
                eprintln!("\nI/O error: {e}");
                return 1;
            }
        }
        let ms = t.elapsed().as_millis() as u64;
        if count == 0 || ms < min {
            min = ms;
        }
        max = max.max(ms);
        total += ms;
        count += 1;
        let avg = total as f64 / count as f64;
        if live {
            let _ = write!(out, "\x1b[0G\x1b[2Kmin: {min}, max: {max}, avg: {avg:.2} ({count} samples)");
            let _ = out.flush();
        } else if started.elapsed() >= duration {
            let _ = writeln!(out, "{min} {max} {avg:.2} {count}");
            return 0;
        }
        std::thread::sleep(LATENCY_SAMPLE);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_columns() {
        let f = info_fields(
            b"# Clients\r\nconnected_clients:3\r\nblocked_clients:0\r\nused_memory:1193352\r\n\
              total_connections_received:23\r\ntotal_commands_processed:508\r\n\
              db0:keys=5,expires=0,avg_ttl=0\r\ndb2:keys=1,expires=0,avg_ttl=0\r\n",
        );
        let (line, req) = stat_line(&f, Some(507));
        assert_eq!(line, "6          1.14M    3       0       508 (+1)            23          ");
        assert_eq!(req, 508);
        assert_eq!(human_bytes(1000), "1000B");
        assert_eq!(human_bytes(120485672), "114.90M");
    }
}
