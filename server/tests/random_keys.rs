//! Seeded random streams of keyspace and expiry commands on a small key space,
//! run against our server and real Redis side by side, comparing raw replies.
//!
//! Replies that depend on the clock or on hash order are normalised: TTL-family
//! results to "-2 / -1 / positive", KEYS sorted, SCAN as the set of a full
//! iteration, RANDOMKEY as "nil or a key". Set CINNABAR_SEED to replay one seed.

mod common;
use common::*;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeSet;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const KEYS: &[&str] = &["k0", "k1", "k2", "k3", "k4", "k5", "{k}6", "a-very-long-key-name-over-22-bytes"];
const VALUES: &[&str] = &["0", "7", "9999", "10000", "-3", "v", "hello world", "12345678901234567890123"];

/// Generates commands; absolute expiry times are far from relative ones so that
/// GT/LT decisions never depend on the milliseconds between commands or servers.
struct Gen {
    rng: StdRng,
    base_secs: u64,
}

impl Gen {
    fn key(&mut self) -> String {
        KEYS[self.rng.random_range(0..KEYS.len())].to_string()
    }

    fn db(&mut self) -> String {
        match self.rng.random_range(0..20) {
            0 => "16".into(),
            1 => "-1".into(),
            2 => "x".into(),
            _ => self.rng.random_range(0..3).to_string(),
        }
    }

    /// NX/XX/GT/LT options. GT and LT only go with absolute times: comparing two
    /// equal relative times would depend on the milliseconds between the commands.
    fn expire_options(&mut self, absolute: bool, out: &mut Vec<String>) {
        let options: &[&str] =
            if absolute { &["NX", "XX", "GT", "LT", "nx", "bogus"] } else { &["NX", "XX", "xx", "bogus"] };
        for _ in 0..self.rng.random_range(0..3) {
            out.push(options[self.rng.random_range(0..options.len())].to_string());
        }
    }

    fn command(&mut self) -> Vec<String> {
        let r = &mut self.rng;
        let pick = r.random_range(0..100);
        let mut c: Vec<String> = Vec::new();
        let k = self.key();
        match pick {
            0..=14 => {
                let v = VALUES[self.rng.random_range(0..VALUES.len())].to_string();
                c.extend(["SET".into(), k, v]);
                match self.rng.random_range(0..6) {
                    0 => c.extend(["EX".into(), "400".into()]),
                    1 => c.extend(["PX".into(), "450000".into()]),
                    _ => {}
                }
            }
            15..=21 => c.extend(["GET".into(), k]),
            22..=26 => {
                c.push(["DEL", "UNLINK"][self.rng.random_range(0..2)].into());
                c.push(k);
                if self.rng.random_bool(0.3) {
                    c.push(self.key());
                }
            }
            27..=31 => {
                c.extend(["EXISTS".into(), k, self.key()]);
            }
            32..=34 => c.extend(["TYPE".into(), k]),
            35..=39 => {
                c.extend([["RENAME", "RENAMENX"][self.rng.random_range(0..2)].into(), k, self.key()]);
            }
            40..=44 => {
                c.extend(["COPY".into(), k, self.key()]);
                if self.rng.random_bool(0.4) {
                    let db = self.db();
                    c.extend(["DB".into(), db]);
                }
                if self.rng.random_bool(0.4) {
                    c.push("REPLACE".into());
                }
            }
            45..=48 => {
                let db = self.db();
                c.extend(["MOVE".into(), k, db]);
            }
            49..=52 => {
                let db = self.rng.random_range(0..3).to_string();
                c.extend(["SELECT".into(), db]);
            }
            53..=66 => {
                let (cmd, t) = match self.rng.random_range(0..9) {
                    0 => {
                        ("EXPIRE", ["100", "200", "300", "-1", "0"][self.rng.random_range(0..5)].to_string())
                    }
                    1 => ("PEXPIRE", ["150000", "250000", "-5"][self.rng.random_range(0..3)].to_string()),
                    2 | 3 => ("EXPIREAT", (self.base_secs + 1000 * self.rng.random_range(1..4)).to_string()),
                    4 | 5 => (
                        "PEXPIREAT",
                        ((self.base_secs + 1000 * self.rng.random_range(1..4)) * 1000 + 123).to_string(),
                    ),
                    6 => ("EXPIREAT", ["1", "0"][self.rng.random_range(0..2)].to_string()),
                    7 => ("EXPIRE", "abc".to_string()),
                    _ => ("EXPIRE", "9223372036854775807".to_string()),
                };
                c.extend([cmd.into(), k, t]);
                self.expire_options(cmd.ends_with("AT"), &mut c);
            }
            67..=74 => {
                c.push(["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"][self.rng.random_range(0..4)].into());
                c.push(k);
            }
            75..=78 => c.extend(["PERSIST".into(), k]),
            79..=81 => c.extend(["TOUCH".into(), k, self.key()]),
            82..=84 => c.push("DBSIZE".into()),
            85..=86 => {
                c.extend(["OBJECT".into(), ["ENCODING", "REFCOUNT"][self.rng.random_range(0..2)].into(), k]);
            }
            87..=88 => {
                c.extend(["KEYS".into(), ["*", "k?", "*long*", "[k{]*"][self.rng.random_range(0..4)].into()])
            }
            89..=90 => c.extend(["SCAN".into(), "0".into()]),
            91..=92 => c.push("RANDOMKEY".into()),
            93 => c.push("FLUSHDB".into()),
            94 => {
                let (a, b) = (self.rng.random_range(0..3), self.rng.random_range(0..3));
                c.extend(["SWAPDB".into(), a.to_string(), b.to_string()]);
            }
            95 => c.extend(["FLUSHALL".into(), ["SYNC", "ASYNC"][self.rng.random_range(0..2)].into()]),
            _ => c.extend(["EXISTS".into(), k]),
        }
        c
    }
}

/// The keys of a flat array of bulk strings, sorted.
fn sorted_bulks(reply: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(reply);
    let mut lines = text.split("\r\n");
    let n: usize = lines.next().unwrap()[1..].parse().unwrap();
    let mut keys: Vec<String> = (0..n).map(|_| lines.nth(1).unwrap().to_string()).collect();
    keys.sort();
    keys
}

/// All keys of the current database by a full SCAN.
fn scan_set(c: &mut Conn) -> BTreeSet<String> {
    let mut cursor = "0".to_string();
    let mut all = BTreeSet::new();
    for _ in 0..10_000 {
        let reply = c.cmd(&["SCAN", &cursor, "COUNT", "3"]);
        let mut lines = reply.split("\r\n");
        lines.next();
        lines.next();
        cursor = lines.next().unwrap().to_string();
        let n: usize = lines.next().unwrap()[1..].parse().unwrap();
        for _ in 0..n {
            all.insert(lines.nth(1).unwrap().to_string());
        }
        if cursor == "0" {
            return all;
        }
    }
    panic!("SCAN did not finish");
}

fn normalise(cmd: &str, reply: Vec<u8>) -> String {
    let text = String::from_utf8_lossy(&reply).into_owned();
    match cmd {
        "TTL" | "PTTL" | "EXPIRETIME" | "PEXPIRETIME" => match text.as_str() {
            ":-2\r\n" | ":-1\r\n" => text,
            t if t.starts_with(':') && t[1..t.len() - 2].parse::<i64>().is_ok_and(|v| v >= 0) => {
                ":positive".into()
            }
            _ => text,
        },
        "KEYS" => format!("{:?}", sorted_bulks(&reply)),
        "RANDOMKEY" if text.starts_with('$') && text != "$-1\r\n" => "some key".into(),
        _ => text,
    }
}

fn run_seed(seed: u64, steps: usize) {
    let mut d = Diff::new();
    let base_secs = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let mut gen = Gen { rng: StdRng::seed_from_u64(seed), base_secs };
    let mut history: Vec<String> = Vec::new();
    let started = Instant::now();
    for step in 0..steps {
        let cmd = gen.command();
        history.push(cmd.join(" "));
        if history.len() > 30 {
            history.remove(0);
        }
        let fail = |what: &str, ours: &str, theirs: &str| {
            panic!(
                "seed {seed} step {step}: {what} differs\n  ours:   {ours:?}\n  redis:  {theirs:?}\nlast commands:\n  {}\n\
                 (replay with CINNABAR_SEED={seed})",
                history.join("\n  ")
            )
        };
        if cmd[0] == "SCAN" {
            let (ours, theirs) = (scan_set(&mut d.a), scan_set(&mut d.b));
            if ours != theirs {
                fail("SCAN", &format!("{ours:?}"), &format!("{theirs:?}"));
            }
            continue;
        }
        let args: Vec<&[u8]> = cmd.iter().map(|a| a.as_bytes()).collect();
        let (ours, theirs) = d.both(&args);
        let (ours, theirs) = (normalise(&cmd[0], ours), normalise(&cmd[0], theirs));
        if ours != theirs {
            fail(&cmd.join(" "), &ours, &theirs);
        }
        assert!(started.elapsed() < Duration::from_secs(60), "seed {seed}: too slow");
    }
}

#[test]
fn random_keyspace_streams_match_redis() {
    if let Some(seed) = std::env::var("CINNABAR_SEED").ok().and_then(|s| s.parse().ok()) {
        run_seed(seed, 3000);
        return;
    }
    let first: u64 = rand::random::<u32>() as u64;
    for seed in [1, 2, 3, first] {
        eprintln!("random_keys: seed {seed}");
        run_seed(seed, 4000);
    }
}
