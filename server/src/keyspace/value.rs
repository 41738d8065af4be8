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

/// One key with its value, expiry and access time. Kept to 64 bytes so an entry is
/// a single small allocation (see docs/ARCHITECTURE.md).
#[derive(Debug)]
pub struct Entry {
    pub key: SmallBytes,
    pub value: Value,
    /// Absolute expiry in Unix milliseconds; 0 when the key does not expire.
    pub expire_at: u64,
    /// Last access, in seconds of the server clock (for OBJECT IDLETIME).
    pub access: u32,
    pub str_encoding: StrEncoding,
}

impl Entry {
    pub fn is_expired(&self, now_ms: u64) -> bool {
        self.expire_at != 0 && self.expire_at <= now_ms
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
        StrEncoding::Auto if s.len() <= 20 && parse_i64(s).is_some() => "int",
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
