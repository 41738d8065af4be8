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
    /// Keys cannot be found from the arguments alone (e.g. SORT's BY/GET patterns).
    Unknown,
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
    /// Paired with [`BeginSearch::Unknown`].
    Unknown,
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
    /// Positions that fall outside the arguments are ignored, as Redis does. Returns
    /// false when the arguments do not fit the spec (Redis's "invalid spec": a missing
    /// or bad key count, a range past the end), which `COMMAND GETKEYS` reports.
    pub fn key_positions(&self, args: usize, out: &mut Vec<usize>, arg: impl Fn(usize) -> Vec<u8>) -> bool {
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
                    None => return true,
                }
            }
            BeginSearch::Unknown => return true,
        };
        if begin <= 0 || begin >= argc {
            return false;
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
                    return false;
                }
                let n = crate::protocol::parser::parse_i64(&arg(idx as usize));
                let first = begin + firstkey;
                let n = n.unwrap_or(0);
                (first, first + (n.clamp(0, i32::MAX as i64 / 2) as i32 - 1) * keystep, keystep)
            }
            FindKeys::Unknown => return true,
        };
        let mut i = first;
        while i <= last && i < argc {
            out.push(i as usize);
            i += step.max(1);
        }
        let bad_count = match self.find {
            FindKeys::Keynum { keynumidx, .. } => {
                crate::protocol::parser::parse_i64(&arg((begin + keynumidx) as usize)).is_none_or(|n| n < 0)
            }
            _ => false,
        };
        !bad_count && last < argc && last >= first && first < argc
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
    /// `COMMAND DOCS` extras: `deprecated`, `syscmd`.
    pub doc_flags: &'static [&'static str],
    /// Version that deprecated the command ("" when not deprecated).
    pub deprecated_since: &'static str,
    /// What to use instead of a deprecated command ("" when none).
    pub replaced_by: &'static str,
    /// (version, change) pairs, oldest first.
    pub history: &'static [(&'static str, &'static str)],
    /// The argument tree `COMMAND DOCS` reports (redis-cli builds its hints from it).
    pub args: &'static [Arg],
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
        doc_flags: &[],
        deprecated_since: "",
        replaced_by: "",
        history: &[],
        args: &[],
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

/// The type of a documented argument (`COMMAND DOCS` `type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgType {
    String,
    Integer,
    Double,
    Key,
    Pattern,
    UnixTime,
    PureToken,
    /// Exactly one of the nested arguments.
    Oneof,
    /// The nested arguments as a group.
    Block,
}

impl ArgType {
    pub fn name(self) -> &'static str {
        match self {
            ArgType::String => "string",
            ArgType::Integer => "integer",
            ArgType::Double => "double",
            ArgType::Key => "key",
            ArgType::Pattern => "pattern",
            ArgType::UnixTime => "unix-time",
            ArgType::PureToken => "pure-token",
            ArgType::Oneof => "oneof",
            ArgType::Block => "block",
        }
    }
}

/// One documented argument of a command. Built with the `const` helpers below, as
/// `tools/gen_command_docs.py` prints them from a reference server.
#[derive(Clone, Copy, Debug)]
pub struct Arg {
    pub name: &'static str,
    pub kind: ArgType,
    /// Index into the command's key specs, for `key` arguments.
    pub key_spec_index: Option<u32>,
    pub token: Option<&'static str>,
    pub summary: Option<&'static str>,
    pub since: Option<&'static str>,
    pub deprecated_since: Option<&'static str>,
    /// `optional`, `multiple`, `multiple_token`.
    pub flags: &'static [&'static str],
    /// Nested arguments of `oneof` and `block` arguments.
    pub args: &'static [Arg],
}

impl Arg {
    pub const fn new(name: &'static str, kind: ArgType) -> Arg {
        Arg {
            name,
            kind,
            key_spec_index: None,
            token: None,
            summary: None,
            since: None,
            deprecated_since: None,
            flags: &[],
            args: &[],
        }
    }

    /// A key argument found by key spec `index`.
    pub const fn key(name: &'static str, index: u32) -> Arg {
        Arg { key_spec_index: Some(index), ..Arg::new(name, ArgType::Key) }
    }

    /// A keyword without a value (`NX`).
    pub const fn pure(name: &'static str, token: &'static str) -> Arg {
        Arg { token: Some(token), ..Arg::new(name, ArgType::PureToken) }
    }

    pub const fn token(self, token: &'static str) -> Arg {
        Arg { token: Some(token), ..self }
    }

    pub const fn summary(self, summary: &'static str) -> Arg {
        Arg { summary: Some(summary), ..self }
    }

    pub const fn since(self, since: &'static str) -> Arg {
        Arg { since: Some(since), ..self }
    }

    pub const fn deprecated_since(self, version: &'static str) -> Arg {
        Arg { deprecated_since: Some(version), ..self }
    }

    pub const fn flags(self, flags: &'static [&'static str]) -> Arg {
        Arg { flags, ..self }
    }

    pub const fn args(self, args: &'static [Arg]) -> Arg {
        Arg { args, ..self }
    }
}
