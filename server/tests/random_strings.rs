//! Seeded randomised differential test of the string commands: the same random
//! stream of valid and invalid commands over a few colliding keys goes to our server
//! and to real Redis, and every raw reply must match. Set `STRINGS_SEED` to replay
//! one seed.

mod common;
use common::*;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const KEYS: &[&[u8]] = &[b"k0", b"k1", b"k2", b"k3", b"k4", b"\x00bin"];

const VALUES: &[&[u8]] = &[
    b"",
    b"0",
    b"1",
    b"-1",
    b"123",
    b"007",
    b"-0",
    b"+5",
    b"9223372036854775807",
    b"-9223372036854775808",
    b"9223372036854775808",
    b"abc",
    b"hello world",
    b"\x00a\x00",
    b"10.5",
    b"1e3",
    b" 1",
    b"1 ",
    b"3.0000000000000001",
    b"inf",
    b"nan",
    b"0x10",
    b"1e308",
];

const INTS: &[&str] = &[
    "0",
    "1",
    "-1",
    "2",
    "5",
    "-5",
    "100",
    "-100",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "abc",
    "1.5",
    "",
    " 1",
    "01",
];

const FLOATS: &[&str] = &[
    "0",
    "0.1",
    "-0.1",
    "1.5",
    "1e5",
    "-1e5",
    "5.0e3",
    "1e308",
    "-1e308",
    "1e4932",
    "abc",
    "inf",
    "-inf",
    "nan",
    "-0",
    "0x10",
    " 1",
    "",
    "3.0000000000000001",
    "1e-20",
    ".5",
    "5.",
];

struct Gen {
    rng: StdRng,
}

impl Gen {
    fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        items[self.rng.random_range(0..items.len())]
    }

    fn key(&mut self) -> Vec<u8> {
        self.pick(KEYS).to_vec()
    }

    fn value(&mut self) -> Vec<u8> {
        match self.rng.random_range(0..4) {
            0 => self.rng.random_range(-1000i64..1000).to_string().into_bytes(),
            1 => {
                let n = self.rng.random_range(0..12);
                (0..n).map(|_| b"abcxyz\x00\xff"[self.rng.random_range(0..8)]).collect()
            }
            _ => self.pick(VALUES).to_vec(),
        }
    }

    fn int(&mut self) -> Vec<u8> {
        if self.rng.random_bool(0.5) {
            self.rng.random_range(-30i64..30).to_string().into_bytes()
        } else {
            self.pick(INTS).as_bytes().to_vec()
        }
    }

    fn float(&mut self) -> Vec<u8> {
        if self.rng.random_bool(0.4) {
            format!("{:.3}", self.rng.random_range(-100.0f64..100.0)).into_bytes()
        } else {
            self.pick(FLOATS).as_bytes().to_vec()
        }
    }

    /// An expire option with a time that gives the same result on both servers
    /// whatever their timing: far in the future, long past, or invalid.
    fn expire(&mut self, out: &mut Vec<Vec<u8>>) {
        let (unit, time): (&str, String) = match self.rng.random_range(0..9) {
            0 => ("EX", self.rng.random_range(1000..100000).to_string()),
            1 => ("PX", self.rng.random_range(1_000_000..100_000_000).to_string()),
            2 => ("EXAT", self.rng.random_range(1..1000).to_string()),
            3 => ("PXAT", self.rng.random_range(1..1000).to_string()),
            4 => ("EXAT", "99999999999".into()),
            5 => ("PXAT", "99999999999999".into()),
            6 => ("EX", self.pick(&["0", "-1", "abc", "9223372036854775807", "1.5"]).into()),
            7 => ("PX", self.pick(&["0", "-5", "", "9223372036854775807"]).into()),
            _ => (self.pick(&["EX", "PX", "EXAT", "PXAT"]), "0".into()),
        };
        out.push(unit.as_bytes().to_vec());
        if self.rng.random_range(0..20) > 0 {
            out.push(time.into_bytes());
        }
    }

    fn command(&mut self) -> Vec<Vec<u8>> {
        let mut c: Vec<Vec<u8>> = Vec::new();
        let w = |s: &str| s.as_bytes().to_vec();
        match self.rng.random_range(0..26) {
            0 | 1 => c.extend([w("GET"), self.key()]),
            2..=4 => {
                c.extend([w("SET"), self.key(), self.value()]);
                for _ in 0..self.rng.random_range(0..4) {
                    match self.rng.random_range(0..7) {
                        0 => c.push(w("NX")),
                        1 => c.push(w("XX")),
                        2 => c.push(w("GET")),
                        3 => c.push(w("KEEPTTL")),
                        4 => c.push(w(self.pick(&["PERSIST", "FOO", "get", "nx"]))),
                        _ => self.expire(&mut c),
                    }
                }
            }
            5 => c.extend([w("SETNX"), self.key(), self.value()]),
            6 => {
                let (name, time) = if self.rng.random_bool(0.5) {
                    ("SETEX", self.pick(&["1000", "0", "-1", "abc", "99999"]))
                } else {
                    ("PSETEX", self.pick(&["1000000", "0", "-1", "abc", "9223372036854775807"]))
                };
                c.extend([w(name), self.key(), w(time), self.value()]);
            }
            7 => c.extend([w("GETSET"), self.key(), self.value()]),
            8 => c.extend([w("GETDEL"), self.key()]),
            9 => {
                c.extend([w("GETEX"), self.key()]);
                for _ in 0..self.rng.random_range(0..3) {
                    match self.rng.random_range(0..3) {
                        0 => c.push(w(self.pick(&["PERSIST", "KEEPTTL", "NX", "persist"]))),
                        _ => self.expire(&mut c),
                    }
                }
            }
            10 => {
                c.push(w("MGET"));
                for _ in 0..self.rng.random_range(1..5) {
                    c.push(self.key());
                }
            }
            11 | 12 => {
                c.push(w(if self.rng.random_bool(0.5) { "MSET" } else { "MSETNX" }));
                for _ in 0..self.rng.random_range(1..4) {
                    c.extend([self.key(), self.value()]);
                }
                if self.rng.random_range(0..10) == 0 {
                    c.pop();
                }
            }
            13 | 14 => c.extend([w("APPEND"), self.key(), self.value()]),
            15 => c.extend([w("STRLEN"), self.key()]),
            16 => c.extend([w(self.pick(&["INCR", "DECR"])), self.key()]),
            17 | 18 => c.extend([w(self.pick(&["INCRBY", "DECRBY"])), self.key(), self.int()]),
            19 | 20 => c.extend([w("INCRBYFLOAT"), self.key(), self.float()]),
            21 => c.extend([w(self.pick(&["GETRANGE", "SUBSTR"])), self.key(), self.int(), self.int()]),
            22 => {
                let offset = if self.rng.random_range(0..8) == 0 {
                    w(self.pick(&["-1", "abc", "536870912", "9223372036854775807"]))
                } else {
                    self.rng.random_range(0..30).to_string().into_bytes()
                };
                c.extend([w("SETRANGE"), self.key(), offset, self.value()]);
            }
            23 => {
                c.extend([w("LCS"), self.key(), self.key()]);
                for _ in 0..self.rng.random_range(0..3) {
                    match self.rng.random_range(0..5) {
                        0 => c.push(w("IDX")),
                        1 => c.push(w("LEN")),
                        2 => c.push(w("WITHMATCHLEN")),
                        3 => c.extend([w("MINMATCHLEN"), self.int()]),
                        _ => c.push(w("BAD")),
                    }
                }
            }
            24 => {
                c.push(w("DEL"));
                for _ in 0..self.rng.random_range(1..3) {
                    c.push(self.key());
                }
            }
            _ => {
                c.push(w("EXISTS"));
                for _ in 0..self.rng.random_range(1..4) {
                    c.push(self.key());
                }
            }
        }
        c
    }
}

fn show(args: &[Vec<u8>]) -> String {
    args.iter().map(|a| format!("{:?}", String::from_utf8_lossy(a))).collect::<Vec<_>>().join(" ")
}

fn run_seed(d: &mut Diff, seed: u64, commands: usize) {
    let mut g = Gen { rng: StdRng::seed_from_u64(seed) };
    d.check(&["FLUSHALL"]);
    let mut errors = 0;
    for n in 0..commands {
        let cmd = g.command();
        let refs: Vec<&[u8]> = cmd.iter().map(|a| a.as_slice()).collect();
        let (ours, theirs) = d.both(&refs);
        assert!(
            ours == theirs,
            "seed {seed}, command #{n}: {}\n ours:   {:?}\n redis:  {:?}",
            show(&cmd),
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&theirs)
        );
        errors += (ours[0] == b'-') as usize;
    }
    eprintln!("seed {seed}: {commands} commands, {errors} error replies");
    let mut mget: Vec<&[u8]> = vec![b"MGET"];
    mget.extend_from_slice(KEYS);
    d.check_bytes(&mget);
}

#[test]
fn random_string_commands_match_redis() {
    let mut d = Diff::new();
    let seeds: Vec<u64> = match std::env::var("STRINGS_SEED") {
        Ok(s) => vec![s.parse().expect("STRINGS_SEED is a number")],
        Err(_) => vec![1, 2, 3, rand::random::<u32>() as u64],
    };
    for seed in seeds {
        eprintln!("random_strings seed {seed}");
        run_seed(&mut d, seed, 4000);
    }
}
