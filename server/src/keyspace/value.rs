//! Values stored under keys, and the per-key entry that holds them.

use super::bytes::SmallBytes;
use crate::protocol::parser::parse_i64;

/// How a string value was produced, which decides the encoding `OBJECT ENCODING`
/// reports (Redis keeps an `int`, `embstr` or `raw` object; we keep the bytes and
/// this hint).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum StrEncoding {
    /// Set from a client value: `int` when it reads as an integer, else `embstr`
    /// up to 44 bytes, else `raw`.
    #[default]
    Auto,
    /// Built without integer detection (e.g. INCRBYFLOAT): `embstr` or `raw` by size.
    NoInt,
    /// Modified in place (APPEND, SETRANGE): always `raw`.
    Raw,
    /// Duplicated from an `Auto` value (COPY): reported like `Auto`, but never one of
    /// Redis's shared integer objects (OBJECT REFCOUNT 1).
    Copied,
}

impl StrEncoding {
    /// Whether a value with this hint may be one of Redis's shared integers.
    pub fn may_share(self) -> bool {
        self == StrEncoding::Auto
    }
}

/// Longest string Redis stores as `embstr`.
pub const EMBSTR_MAX: usize = 44;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Str(SmallBytes),
}

impl Value {
    pub fn str(data: &[u8]) -> Value {
        Value::Str(SmallBytes::new(data))
    }

    /// The string bytes, or WRONGTYPE for other types.
    pub fn as_str(&self) -> Result<&[u8], crate::commands::CmdError> {
        match self {
            Value::Str(s) => Ok(s),
        }
    }

    /// The string, for in-place modification, or WRONGTYPE for other types.
    pub fn as_str_mut(&mut self) -> Result<&mut SmallBytes, crate::commands::CmdError> {
        match self {
            Value::Str(s) => Ok(s),
        }
    }

    /// The name `TYPE` reports.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "string",
        }
    }

    /// Heap bytes owned by the value beyond its inline part (for MEMORY USAGE and
    /// used-memory estimates).
    pub fn heap_size(&self) -> usize {
        match self {
            Value::Str(s) => s.heap_size(),
        }
    }
}

/// How a lookup records an access in [`Entry::access`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Touch {
    /// The LRU clock (seconds), for OBJECT IDLETIME.
    Lru,
    /// The LFU counter (see `lfu`), while an LFU maxmemory policy is selected.
    Lfu,
}

/// One key with its value, expiry and access time. Kept to 64 bytes so an entry is
/// a single small allocation (see docs/ARCHITECTURE.md).
#[derive(Debug)]
pub struct Entry {
    pub key: SmallBytes,
    pub value: Value,
    /// Absolute expiry in Unix milliseconds; 0 when the key does not expire.
    pub expire_at: u64,
    /// Last access, in seconds of the server clock (for OBJECT IDLETIME); while an
    /// LFU policy is selected, the LFU minute and counter instead (see `lfu`).
    pub access: u32,
    pub str_encoding: StrEncoding,
}

impl Entry {
    pub fn is_expired(&self, now_ms: u64) -> bool {
        self.expire_at != 0 && self.expire_at <= now_ms
    }

    /// Records an access (OBJECT IDLETIME / FREQ). `stamp` is what a new entry gets
    /// now: the LRU clock, or the initial LFU value with the current LFU minute.
    /// Under LRU this is one store.
    #[inline]
    pub fn touched(&mut self, touch: Touch, stamp: u32) -> &mut Entry {
        match touch {
            Touch::Lru => self.access = stamp,
            Touch::Lfu => self.access = super::lfu::accessed(self.access, stamp >> 8),
        }
        self
    }

    /// A copy of this entry under another key (COPY): same value, expiry and
    /// encoding; a fresh access time, as Redis creates a new object.
    pub fn duplicate(&self, key: &[u8], access: u32) -> Box<Entry> {
        Box::new(Entry {
            key: SmallBytes::new(key),
            value: self.value.clone(),
            expire_at: self.expire_at,
            access,
            str_encoding: match self.str_encoding {
                StrEncoding::Auto => StrEncoding::Copied,
                other => other,
            },
        })
    }

    /// The encoding name `OBJECT ENCODING` reports.
    pub fn encoding_name(&self) -> &'static str {
        match &self.value {
            Value::Str(s) => string_encoding(s, self.str_encoding),
        }
    }
}

pub fn string_encoding(s: &[u8], hint: StrEncoding) -> &'static str {
    match hint {
        StrEncoding::Raw => "raw",
        StrEncoding::Auto | StrEncoding::Copied if s.len() <= 20 && parse_i64(s).is_some() => "int",
        _ if s.len() <= EMBSTR_MAX => "embstr",
        _ => "raw",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_fits_one_cache_line() {
        assert_eq!(std::mem::size_of::<Entry>(), 64);
    }
}
