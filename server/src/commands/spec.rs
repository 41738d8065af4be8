//! The declarative description of a command: what `COMMAND INFO` reports, what the
//! dispatcher checks, and how keys are found for locking and `COMMAND GETKEYS`.

use super::{CmdResult, Ctx};

pub type Handler = fn(&mut Ctx) -> CmdResult;

/// Where the first key is (Redis key-spec `begin_search`).
#[derive(Clone, Copy, Debug)]
pub enum BeginSearch {
    /// At a fixed argument index.
    Index(i32),
    /// After the first occurrence of `keyword`, searching from `startfrom` (negative:
    /// from the end backwards).
    Keyword { keyword: &'static str, startfrom: i32 },
}

/// How many keys follow the first one (Redis key-spec `find_keys`).
#[derive(Clone, Copy, Debug)]
pub enum FindKeys {
    /// Up to `lastkey` (negative: from the end), every `keystep`; `limit` > 1 stops
    /// at 1/limit of the remaining arguments.
    Range { lastkey: i32, keystep: i32, limit: i32 },
    /// The argument at `keynumidx` (relative to the begin position) says how many keys
    /// there are, starting at `firstkey`, every `keystep`.
    Keynum { keynumidx: i32, firstkey: i32, keystep: i32 },
}

#[derive(Clone, Copy, Debug)]
pub struct KeySpec {
    /// Flags as `COMMAND INFO` lists them: `RW`, `ACCESS`, `UPDATE`, ...
    pub flags: &'static [&'static str],
    pub begin: BeginSearch,
    pub find: FindKeys,
    pub notes: Option<&'static str>,
}

impl KeySpec {
    /// The common single-key spec: the key at `index`, with `flags`.
    pub const fn at(index: i32, flags: &'static [&'static str]) -> KeySpec {
        KeySpec {
            flags,
            begin: BeginSearch::Index(index),
            find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 },
            notes: None,
        }
    }

    /// Keys from `index` to the end (`lastkey` -1), every `step`.
    pub const fn rest(index: i32, step: i32, flags: &'static [&'static str]) -> KeySpec {
        KeySpec {
            flags,
            begin: BeginSearch::Index(index),
            find: FindKeys::Range { lastkey: -1, keystep: step, limit: 0 },
            notes: None,
        }
    }

    /// Appends the argument positions of this spec's keys in `args` to `out`.
    /// Positions that fall outside the arguments are ignored, as Redis does.
    pub fn key_positions(&self, args: usize, out: &mut Vec<usize>, arg: impl Fn(usize) -> Vec<u8>) {
        let argc = args as i32;
        let begin = match self.begin {
            BeginSearch::Index(i) => i,
            BeginSearch::Keyword { keyword, startfrom } => {
                let (start, end, step) =
                    if startfrom >= 0 { (startfrom, argc - 1, 1) } else { (argc + startfrom, 1, -1) };
                let mut i = start;
                let mut found = None;
                while (step > 0 && i <= end) || (step < 0 && i >= end) {
                    if i > 0 && i < argc && arg(i as usize).eq_ignore_ascii_case(keyword.as_bytes()) {
                        found = Some(i + 1);
                        break;
                    }
                    i += step;
                }
                match found {
                    Some(i) => i,
                    None => return,
                }
            }
        };
        if begin <= 0 || begin >= argc {
            return;
        }
        let (first, last, step) = match self.find {
            FindKeys::Range { lastkey, keystep, limit } => {
                let last = if lastkey >= 0 {
                    begin + lastkey
                } else if limit > 1 {
                    begin + (argc - begin) / limit - 1
                } else {
                    argc + lastkey
                };
                (begin, last, keystep)
            }
            FindKeys::Keynum { keynumidx, firstkey, keystep } => {
                let idx = begin + keynumidx;
                if idx >= argc {
                    return;
                }
                let n = crate::protocol::parser::parse_i64(&arg(idx as usize)).unwrap_or(0);
                let first = begin + firstkey;
                (first, first + (n as i32 - 1) * keystep, keystep)
            }
        };
        let mut i = first;
        while i <= last && i < argc {
            out.push(i as usize);
            i += step.max(1);
        }
    }
}

/// How the dispatcher prepares the keyspace for a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Locking {
    /// Lock the shards of the keys the key specs find, in the client's database.
    Keys,
    /// The handler locks what it needs itself (whole databases, other databases).
    Manual,
}

/// One command or subcommand, as declared in its family's table.
pub struct Command {
    /// Lowercase name (for subcommands: without the container's name).
    pub name: &'static str,
    /// Redis arity: exact argument count including the name, or -N for at least N.
    pub arity: i32,
    pub flags: &'static [&'static str],
    pub acl: &'static [&'static str],
    pub tips: &'static [&'static str],
    /// Legacy (first key, last key, step), as `COMMAND INFO` reports.
    pub range: (i32, i32, i32),
    pub key_specs: &'static [KeySpec],
    pub locking: Locking,
    pub handler: Handler,
    pub subcommands: &'static [Command],
    pub group: &'static str,
    pub since: &'static str,
    pub summary: &'static str,
    pub complexity: &'static str,
}

impl Command {
    /// The defaults that tables override with `..Command::DEFAULT`.
    pub const DEFAULT: Command = Command {
        name: "",
        arity: 0,
        flags: &[],
        acl: &[],
        tips: &[],
        range: (0, 0, 0),
        key_specs: &[],
        locking: Locking::Keys,
        handler: |_| Ok(()),
        subcommands: &[],
        group: "",
        since: "",
        summary: "",
        complexity: "",
    };

    pub fn has_flag(&self, flag: &str) -> bool {
        self.flags.contains(&flag)
    }

    pub fn arity_ok(&self, argc: usize) -> bool {
        let argc = argc as i32;
        if self.arity >= 0 {
            argc == self.arity
        } else {
            argc >= -self.arity
        }
    }
}
