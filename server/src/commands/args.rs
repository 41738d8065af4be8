//! Command arguments and the parsing helpers handlers share.

use std::ops::Range;

use super::CmdError;
use crate::protocol::parser::parse_i64;

/// The arguments of one request: ranges into a buffer (the read buffer for RESP
/// requests, a scratch buffer for unescaped inline ones).
#[derive(Clone, Copy)]
pub struct Args<'a> {
    data: &'a [u8],
    ranges: &'a [Range<usize>],
}

impl<'a> Args<'a> {
    pub fn new(data: &'a [u8], ranges: &'a [Range<usize>]) -> Self {
        Args { data, ranges }
    }

    /// The arguments from `n` on (e.g. the command inside `COMMAND GETKEYS`).
    pub fn skip(&self, n: usize) -> Args<'a> {
        Args { data: self.data, ranges: &self.ranges[n.min(self.ranges.len())..] }
    }

    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    pub fn get(&self, i: usize) -> &'a [u8] {
        &self.data[self.ranges[i].clone()]
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = &'a [u8]> + '_ {
        self.ranges.iter().map(|r| &self.data[r.clone()])
    }

    /// Whether argument `i` equals `word`, ignoring ASCII case.
    pub fn is(&self, i: usize, word: &str) -> bool {
        self.get(i).eq_ignore_ascii_case(word.as_bytes())
    }

    pub fn int(&self, i: usize) -> Result<i64, CmdError> {
        parse_int(self.get(i))
    }

    pub fn float(&self, i: usize) -> Result<f64, CmdError> {
        parse_float(self.get(i)).ok_or(CmdError::NotFloat)
    }
}

/// An integer argument, or Redis's "value is not an integer or out of range".
pub fn parse_int(s: &[u8]) -> Result<i64, CmdError> {
    parse_i64(s).ok_or(CmdError::NotInteger)
}

/// A float as Redis's `strtold`-based parsing accepts it: decimal or exponent form,
/// `inf`/`-inf`, no surrounding spaces, no NaN.
pub fn parse_float(s: &[u8]) -> Option<f64> {
    if s.is_empty() || s[0].is_ascii_whitespace() || s[s.len() - 1].is_ascii_whitespace() {
        return None;
    }
    let text = std::str::from_utf8(s).ok()?;
    let lower = text.to_ascii_lowercase();
    let v = match lower.trim_start_matches(['+', '-']) {
        "inf" | "infinity" => {
            if lower.starts_with('-') {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            }
        }
        _ if lower.contains("nan") || lower.contains("inf") || lower.starts_with("0x") => return None,
        _ => text.parse::<f64>().ok()?,
    };
    (!v.is_nan()).then_some(v)
}

/// Uppercases a command name for messages such as "Try CONFIG HELP".
pub fn upper(name: &[u8]) -> String {
    String::from_utf8_lossy(name).to_ascii_uppercase()
}
