//! Commands: the table every command is declared in, and the dispatcher.
//!
//! Each family module (`strings`, `keys`, `connection`, `server`, ...) declares its
//! commands in a `COMMANDS` slice; [`CommandTable`] gathers them once at start-up
//! and is the single source for dispatch, `COMMAND INFO`/`DOCS` and key locking.

pub mod args;
pub mod client;
pub mod command;
pub mod config;
pub mod connection;
pub mod dbs;
pub mod debug;
pub mod dispatch;
pub mod expire;
pub mod info;
pub mod keys;
pub mod lcs;
pub mod longdouble;
pub mod memory;
pub mod object;
pub mod server;
pub mod slowlog;
pub mod spec;
pub mod strings;

use std::collections::HashMap;

pub use args::Args;
pub use spec::{Arg, ArgType, BeginSearch, Command, FindKeys, Handler, KeySpec, Locking};

use crate::client::Client;
use crate::keyspace::{Entry, Locked, StrEncoding, Touch, Value};
use crate::protocol::reply::ReplyBuf;
use crate::server::Server;

/// An error reply. Handlers return it; the dispatcher writes it and counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CmdError {
    WrongType,
    Syntax,
    NotInteger,
    NotFloat,
    Overflow,
    NoSuchKey,
    /// Any other error; the text starts with its code (`ERR ...`).
    Msg(String),
}

impl CmdError {
    pub fn err(msg: impl std::fmt::Display) -> CmdError {
        CmdError::Msg(format!("ERR {msg}"))
    }

    pub fn text(&self) -> &str {
        match self {
            CmdError::WrongType => "WRONGTYPE Operation against a key holding the wrong kind of value",
            CmdError::Syntax => "ERR syntax error",
            CmdError::NotInteger => "ERR value is not an integer or out of range",
            CmdError::NotFloat => "ERR value is not a valid float",
            CmdError::Overflow => "ERR increment or decrement would overflow",
            CmdError::NoSuchKey => "ERR no such key",
            CmdError::Msg(m) => m,
        }
    }
}

pub type CmdResult = Result<(), CmdError>;

/// Everything a command handler works with.
pub struct Ctx<'a> {
    pub server: &'a Server,
    pub client: &'a mut Client,
    pub args: Args<'a>,
    pub out: &'a mut ReplyBuf,
    /// The time of this command, fixed for its whole run (Unix ms).
    pub now_ms: u64,
    /// The keys this command locked, in the client's database.
    pub keys: Keys<'a>,
}

/// Access to the keys a command locked (by its key specs) in the client's database.
/// A separate field of [`Ctx`], so a handler can hold a value and write the reply.
pub struct Keys<'a> {
    pub locked: Locked<'a>,
    pub db: usize,
    pub now_ms: u64,
    /// The access stamp of new entries (the LRU clock, or the initial LFU value).
    pub lru: u32,
    /// How lookups record an access: the LRU clock or the LFU counter.
    pub touch: Touch,
    /// Whether an LFU policy is selected: a value stored over an existing key then
    /// keeps the old entry's access counter, as Redis's overwrite does.
    pub lfu: bool,
}

impl Keys<'_> {
    /// Looks a key up for reading, counting a keyspace hit or miss and recording the
    /// access.
    pub fn read(&mut self, key: &[u8]) -> Option<&mut Entry> {
        let (touch, lru) = (self.touch, self.lru);
        let found = self.locked.lookup(self.db, key, self.now_ms);
        crate::stats::local().keyspace(found.is_some());
        found.map(|e| e.touched(touch, lru))
    }

    /// Looks a key up for inspection (EXISTS, TYPE, TTL, OBJECT): counts a hit or
    /// miss like a read, but leaves the access time alone, as Redis's NOTOUCH lookups.
    pub fn peek(&mut self, key: &[u8]) -> Option<&mut Entry> {
        let found = self.locked.lookup(self.db, key, self.now_ms);
        crate::stats::local().keyspace(found.is_some());
        found
    }

    /// Looks a key up for writing (no hit/miss counting), recording the access.
    pub fn write(&mut self, key: &[u8]) -> Option<&mut Entry> {
        let (touch, lru) = (self.touch, self.lru);
        self.locked.lookup(self.db, key, self.now_ms).map(|e| e.touched(touch, lru))
    }

    /// Reads a string value; `None` when the key is missing.
    pub fn read_str(&mut self, key: &[u8]) -> Result<Option<&[u8]>, CmdError> {
        match self.read(key) {
            None => Ok(None),
            Some(e) => e.value.as_str().map(Some),
        }
    }

    /// Stores `value` under `key` with `expire_at` (0: none), replacing any value.
    pub fn store(&mut self, key: &[u8], value: Value, expire_at: u64) {
        self.store_str(key, value, expire_at, StrEncoding::Auto)
    }

    /// Stores a string value with its encoding hint (see [`StrEncoding`]), replacing
    /// any value. Under LFU an overwritten key keeps its access counter.
    pub fn store_str(&mut self, key: &[u8], value: Value, expire_at: u64, enc: StrEncoding) {
        self.locked.store(self.db, key, value, expire_at, enc, self.lru, self.lfu);
    }

    /// Removes a live key; expired keys count as absent.
    pub fn remove(&mut self, key: &[u8]) -> Option<Box<Entry>> {
        self.locked.lookup(self.db, key, self.now_ms)?;
        self.locked.remove(self.db, key)
    }

    pub fn set_expire(&mut self, key: &[u8], expire_at: u64) {
        self.locked.set_expire(self.db, key, expire_at)
    }
}

impl Ctx<'_> {
    /// Counts a change for the save points and INFO.
    pub fn dirty(&self, n: u64) {
        crate::stats::local().dirty.add(n);
    }
}

/// A command resolved from a request: the command or subcommand to run.
pub struct Resolved {
    pub cmd: &'static Command,
    pub id: usize,
}

/// Why a request could not be resolved to a runnable command.
pub enum ResolveError {
    Unknown,
    UnknownSub,
    Arity,
}

/// Name maps with a fast hasher: a lookup runs for every request, and SipHash's
/// flooding resistance is not needed for a fixed set of names.
type NameMap<V> = HashMap<Vec<u8>, V, foldhash::fast::RandomState>;

/// All commands, indexed for dispatch.
pub struct CommandTable {
    by_name: NameMap<usize>,
    /// Commands and subcommands, with their full names (`config|get`).
    pub all: Vec<(String, &'static Command)>,
    /// For each container command: its subcommands' ids by name.
    subs: HashMap<usize, NameMap<usize>>,
}

/// The command families, in `COMMAND` listing order.
pub fn families() -> [&'static [Command]; 14] {
    [
        strings::COMMANDS,
        keys::COMMANDS,
        expire::COMMANDS,
        object::COMMANDS,
        dbs::COMMANDS,
        connection::COMMANDS,
        client::COMMANDS,
        server::COMMANDS,
        command::COMMANDS,
        config::COMMANDS,
        slowlog::COMMANDS,
        info::COMMANDS,
        debug::COMMANDS,
        memory::COMMANDS,
    ]
}

impl CommandTable {
    pub fn new() -> Self {
        let mut t = CommandTable { by_name: NameMap::default(), all: Vec::new(), subs: HashMap::new() };
        for family in families() {
            for cmd in family {
                let id = t.all.len();
                t.all.push((cmd.name.to_string(), cmd));
                assert!(t.by_name.insert(cmd.name.as_bytes().to_vec(), id).is_none(), "{} twice", cmd.name);
                let mut subs = NameMap::default();
                for sub in cmd.subcommands {
                    subs.insert(sub.name.as_bytes().to_vec(), t.all.len());
                    t.all.push((format!("{}|{}", cmd.name, sub.name), sub));
                }
                if !subs.is_empty() {
                    t.subs.insert(id, subs);
                }
            }
        }
        t
    }

    /// Finds a top-level command by name (any case).
    pub fn lookup(&self, name: &[u8]) -> Option<(usize, &'static Command)> {
        let id = find_any_case(&self.by_name, name)?;
        Some((id, self.all[id].1))
    }

    /// Finds a subcommand of container `id` by name (any case).
    pub fn lookup_sub(&self, id: usize, name: &[u8]) -> Option<(usize, &'static Command)> {
        let sub = find_any_case(self.subs.get(&id)?, name)?;
        Some((sub, self.all[sub].1))
    }

    pub fn full_name(&self, id: usize) -> &str {
        &self.all[id].0
    }

    /// Resolves a request's arguments to a command, checking arity.
    pub fn resolve(&self, args: &Args) -> Result<Resolved, ResolveError> {
        let (id, cmd) = self.lookup(args.get(0)).ok_or(ResolveError::Unknown)?;
        if cmd.subcommands.is_empty() || args.len() < 2 {
            return if cmd.arity_ok(args.len()) {
                Ok(Resolved { cmd, id })
            } else {
                Err(ResolveError::Arity)
            };
        }
        match self.lookup_sub(id, args.get(1)) {
            Some((sub_id, sub)) if sub.arity_ok(args.len()) => Ok(Resolved { cmd: sub, id: sub_id }),
            Some(_) => Err(ResolveError::Arity),
            None => Err(ResolveError::UnknownSub),
        }
    }

    /// Argument positions of the keys of `cmd` in `args`, by its key specs.
    pub fn key_positions(cmd: &Command, args: &Args, out: &mut Vec<usize>) {
        out.clear();
        for spec in cmd.key_specs {
            spec.key_positions(args.len(), out, |i| args.get(i).to_vec());
        }
    }
}

/// Looks `name` up in a map of lowercase names, lowercasing short names on the stack
/// (every request's command name goes through here).
fn find_any_case(map: &NameMap<usize>, name: &[u8]) -> Option<usize> {
    let mut lower = [0u8; 32];
    match lower.get_mut(..name.len()) {
        Some(buf) => {
            buf.copy_from_slice(name);
            buf.make_ascii_lowercase();
            map.get(&*buf).copied()
        }
        None => map.get(&name.to_ascii_lowercase()).copied(),
    }
}

impl Default for CommandTable {
    fn default() -> Self {
        Self::new()
    }
}

/// An argument as Redis's `%s`-style formatting prints it: up to its first NUL byte.
pub fn c_str(arg: &[u8]) -> &[u8] {
    &arg[..arg.iter().position(|&c| c == 0).unwrap_or(arg.len())]
}

/// The `unknown command` error text, as Redis words it.
pub fn unknown_command_error(args: &Args) -> Vec<u8> {
    let mut listed = Vec::new();
    for i in 1..args.len() {
        if listed.len() >= 128 {
            break;
        }
        let room = 128 - listed.len();
        let arg = c_str(args.get(i));
        listed.push(b'\'');
        listed.extend_from_slice(&arg[..arg.len().min(room)]);
        listed.extend_from_slice(b"' ");
    }
    let name = c_str(args.get(0));
    let mut msg = b"ERR unknown command '".to_vec();
    msg.extend_from_slice(&name[..name.len().min(128)]);
    msg.extend_from_slice(b"', with args beginning with: ");
    msg.extend_from_slice(&listed);
    msg
}

static TABLE: std::sync::LazyLock<CommandTable> = std::sync::LazyLock::new(CommandTable::new);

/// The command table, built on first use.
pub fn table() -> &'static CommandTable {
    &TABLE
}
