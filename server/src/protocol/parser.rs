//! Request parser: RESP multibulk and inline commands, read straight out of the
//! connection's read buffer.
//!
//! The parser keeps its progress between calls, so a large request that arrives in
//! many small reads is scanned once, not once per read. Argument positions are
//! recorded as ranges; nothing is copied for multibulk requests. Declared lengths are
//! only used to know how much to wait for: memory grows with the bytes actually
//! received, never with what a client claims it will send.

use std::ops::Range;

/// Longest inline request, or count line, accepted without a newline (Redis's
/// `PROTO_INLINE_MAX_SIZE`).
pub const INLINE_MAX: usize = 64 * 1024;

/// Limits applied while parsing, taken from the configuration and the client's state.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_bulk_len: i64,
    pub authenticated: bool,
}

/// A protocol violation. The text is what follows `-ERR Protocol error: `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError(pub String);

/// Where the arguments of the last parsed request live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgSource {
    /// Ranges index the buffer passed to [`RequestParser::parse`].
    Buffer,
    /// Ranges index [`RequestParser::inline_args`] (inline requests are unescaped).
    Inline,
}

#[derive(Default)]
pub struct RequestParser {
    /// Bytes of the current request already examined.
    pos: usize,
    /// Bulks still expected in the current multibulk request; `None` before its header.
    remaining: Option<usize>,
    /// Length of the bulk whose header has been read and whose payload is awaited.
    bulk_len: Option<usize>,
    args: Vec<Range<usize>>,
    inline: Vec<u8>,
    source: Option<ArgSource>,
}

impl RequestParser {
    /// Parses one request from the start of `buf`.
    ///
    /// Returns `Ok(Some(consumed))` when a request is complete (its arguments are then
    /// in [`Self::args`]; an empty list means a blank request to skip), `Ok(None)`
    /// when more bytes are needed. After a complete request the caller drops
    /// `consumed` bytes before calling again.
    pub fn parse(&mut self, buf: &[u8], limits: Limits) -> Result<Option<usize>, ProtocolError> {
        if buf.is_empty() {
            return Ok(None);
        }
        if self.remaining.is_none() && buf[0] != b'*' {
            return self.parse_inline(buf);
        }
        self.parse_multibulk(buf, limits)
    }

    /// Argument ranges of the request just parsed.
    pub fn args(&self) -> &[Range<usize>] {
        &self.args
    }

    pub fn source(&self) -> ArgSource {
        self.source.unwrap_or(ArgSource::Buffer)
    }

    /// The unescaped arguments of an inline request.
    pub fn inline_args(&self) -> &[u8] {
        &self.inline
    }

    fn finish(&mut self, consumed: usize, source: ArgSource) -> Option<usize> {
        self.pos = 0;
        self.remaining = None;
        self.bulk_len = None;
        self.source = Some(source);
        Some(consumed)
    }

    fn parse_inline(&mut self, buf: &[u8]) -> Result<Option<usize>, ProtocolError> {
        let Some(nl) = memchr(b'\n', buf) else {
            if buf.len() > INLINE_MAX {
                return Err(ProtocolError("too big inline request".into()));
            }
            return Ok(None);
        };
        let mut line = &buf[..nl];
        if line.last() == Some(&b'\r') {
            line = &line[..line.len() - 1];
        }
        self.args.clear();
        self.inline.clear();
        if !split_inline(line, &mut self.inline, &mut self.args) {
            return Err(ProtocolError("unbalanced quotes in request".into()));
        }
        Ok(self.finish(nl + 1, ArgSource::Inline))
    }

    fn parse_multibulk(&mut self, buf: &[u8], limits: Limits) -> Result<Option<usize>, ProtocolError> {
        if self.remaining.is_none() {
            let line = match plain_number(buf, 1) {
                Some((n, next)) => Some((Some(n), next)),
                None => read_line_number(buf, 1, "too big mbulk count string")?,
            };
            let Some((n, next)) = line else {
                return Ok(None);
            };
            let n = n.filter(|&n| n <= i32::MAX as i64);
            let n = n.ok_or_else(|| ProtocolError("invalid multibulk length".into()))?;
            if !limits.authenticated && n > 10 {
                return Err(ProtocolError("unauthenticated multibulk length".into()));
            }
            self.args.clear();
            if n <= 0 {
                return Ok(self.finish(next, ArgSource::Buffer));
            }
            self.args.reserve((n as usize).min(1024));
            self.remaining = Some(n as usize);
            self.pos = next;
        }
        while let Some(remaining) = self.remaining.filter(|&r| r > 0) {
            let len = match self.bulk_len {
                Some(len) => len,
                None => {
                    let rest = &buf[self.pos..];
                    if rest.is_empty() {
                        return Ok(None);
                    }
                    let line = match plain_number(rest, 1) {
                        Some((n, next)) => Some((Some(n), next)),
                        None => read_line_number(rest, 1, "too big bulk count string")?,
                    };
                    let Some((n, next)) = line else {
                        return Ok(None);
                    };
                    if rest[0] != b'$' {
                        let got = rest[0] as char;
                        return Err(ProtocolError(format!("expected '$', got '{got}'")));
                    }
                    let n = n.filter(|&n| n >= 0 && n <= limits.max_bulk_len);
                    let n = n.ok_or_else(|| ProtocolError("invalid bulk length".into()))?;
                    if !limits.authenticated && n > 16384 {
                        return Err(ProtocolError("unauthenticated bulk length".into()));
                    }
                    self.pos += next;
                    self.bulk_len = Some(n as usize);
                    n as usize
                }
            };
            // The payload is followed by two bytes (CRLF) that Redis skips unchecked.
            if buf.len() - self.pos < len + 2 {
                return Ok(None);
            }
            self.args.push(self.pos..self.pos + len);
            self.pos += len + 2;
            self.bulk_len = None;
            self.remaining = Some(remaining - 1);
        }
        let consumed = self.pos;
        Ok(self.finish(consumed, ArgSource::Buffer))
    }
}

/// Reads `<prefix><number>\r\n` at the start of `buf`, skipping `skip` prefix bytes.
/// Returns the number (`None` when it is not a valid integer) and the offset after
/// the line, or `Ok(None)` when the line is not complete yet.
type LineNumber = Option<(Option<i64>, usize)>;

fn read_line_number(buf: &[u8], skip: usize, too_big: &str) -> Result<LineNumber, ProtocolError> {
    let Some(cr) = memchr(b'\r', buf) else {
        if buf.len() > INLINE_MAX {
            return Err(ProtocolError(too_big.into()));
        }
        return Ok(None);
    };
    // Wait for the byte after '\r' as well.
    if cr + 2 > buf.len() {
        return Ok(None);
    }
    Ok(Some((parse_i64(&buf[skip..cr]), cr + 2)))
}

/// The fast path of [`read_line_number`] for the lines clients actually send: up to
/// 18 digits without a leading zero, then `\r` and one more byte. Anything else
/// (signs, errors, incomplete lines) returns `None` and takes the general path, which
/// gives the same result for the lines accepted here. Scanning and converting in one
/// pass, inlined into the request loop, halves the parsing work of a small request.
#[inline(always)]
fn plain_number(buf: &[u8], skip: usize) -> Option<(i64, usize)> {
    let digits = buf.get(skip..)?;
    let mut v: i64 = 0;
    let mut n = 0;
    while n < 18 && n < digits.len() && digits[n].is_ascii_digit() {
        v = v * 10 + (digits[n] - b'0') as i64;
        n += 1;
    }
    let end = skip + n;
    if n == 0 || (n > 1 && digits[0] == b'0') || buf.get(end) != Some(&b'\r') || end + 2 > buf.len() {
        return None;
    }
    Some((v, end + 2))
}

/// Strict decimal integer parsing as Redis's `string2ll`: optional '-', no '+',
/// no leading zeros, no spaces, within i64.
pub fn parse_i64(s: &[u8]) -> Option<i64> {
    let (neg, digits) = match s.first()? {
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    match digits {
        [] => return None,
        [b'0'] => return if neg { None } else { Some(0) },
        [b'0', ..] => return None,
        _ => {}
    }
    let mut v: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add((c - b'0') as u64)?;
    }
    if neg {
        if v > i64::MAX as u64 + 1 {
            None
        } else {
            Some((v as i64).wrapping_neg())
        }
    } else {
        i64::try_from(v).ok()
    }
}

pub fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&c| c == needle)
}

/// Splits an inline request line as Redis's `sdssplitargs` does: whitespace
/// separated, with "double quotes" (C escapes and \xHH) and 'single quotes'. A closing
/// quote must be followed by whitespace or the end. Returns false on unbalanced quotes.
pub fn split_inline(line: &[u8], out: &mut Vec<u8>, args: &mut Vec<Range<usize>>) -> bool {
    let mut i = 0;
    let n = line.len();
    loop {
        while i < n && is_space(line[i]) {
            i += 1;
        }
        if i >= n {
            return true;
        }
        let start = out.len();
        let mut in_dq = false;
        let mut in_sq = false;
        loop {
            if in_dq {
                if i >= n {
                    return false;
                }
                if line[i] == b'\\'
                    && i + 3 < n
                    && line[i + 1] == b'x'
                    && line[i + 2].is_ascii_hexdigit()
                    && line[i + 3].is_ascii_hexdigit()
                {
                    out.push(hex(line[i + 2]) * 16 + hex(line[i + 3]));
                    i += 3;
                } else if line[i] == b'\\' && i + 1 < n {
                    i += 1;
                    out.push(match line[i] {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 8,
                        b'a' => 7,
                        c => c,
                    });
                } else if line[i] == b'"' {
                    if i + 1 < n && !is_space(line[i + 1]) {
                        return false;
                    }
                    i += 1;
                    break;
                } else {
                    out.push(line[i]);
                }
            } else if in_sq {
                if i >= n {
                    return false;
                }
                if line[i] == b'\\' && i + 1 < n && line[i + 1] == b'\'' {
                    i += 1;
                    out.push(b'\'');
                } else if line[i] == b'\'' {
                    if i + 1 < n && !is_space(line[i + 1]) {
                        return false;
                    }
                    i += 1;
                    break;
                } else {
                    out.push(line[i]);
                }
            } else {
                if i >= n {
                    break;
                }
                match line[i] {
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => break,
                    b'"' => in_dq = true,
                    b'\'' => in_sq = true,
                    c => out.push(c),
                }
            }
            i += 1;
        }
        args.push(start..out.len());
    }
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn hex(c: u8) -> u8 {
    (c as char).to_digit(16).unwrap_or(0) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits { max_bulk_len: 512 * 1024 * 1024, authenticated: true };

    fn parse_all(input: &[u8]) -> Result<Vec<Vec<Vec<u8>>>, ProtocolError> {
        let mut p = RequestParser::default();
        let mut out = Vec::new();
        let mut pos = 0;
        while let Some(used) = p.parse(&input[pos..], LIMITS)? {
            let data = match p.source() {
                ArgSource::Buffer => &input[pos..],
                ArgSource::Inline => p.inline_args(),
            };
            out.push(p.args().iter().map(|r| data[r.clone()].to_vec()).collect());
            pos += used;
        }
        Ok(out)
    }

    #[test]
    fn multibulk_and_pipelining() {
        let got = parse_all(b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nPING\r\n").unwrap();
        assert_eq!(got, vec![vec![b"GET".to_vec(), b"k".to_vec()], vec![b"PING".to_vec()]]);
    }

    #[test]
    fn byte_at_a_time() {
        let input = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n";
        let mut p = RequestParser::default();
        for end in 1..input.len() {
            assert_eq!(p.parse(&input[..end], LIMITS).unwrap(), None, "at {end}");
        }
        assert_eq!(p.parse(input, LIMITS).unwrap(), Some(input.len()));
        assert_eq!(p.args().len(), 3);
    }

    #[test]
    fn inline_quotes() {
        let got = parse_all(b"SET k \"a b\\x41\\n\" 'it\\'s'\r\n").unwrap();
        assert_eq!(got[0], vec![b"SET".to_vec(), b"k".to_vec(), b"a bA\n".to_vec(), b"it's".to_vec()]);
        assert!(parse_all(b"SET \"a\r\n").is_err());
        assert!(parse_all(b"SET \"a\"b\r\n").is_err());
        assert_eq!(parse_all(b"\r\n").unwrap(), vec![Vec::<Vec<u8>>::new()]);
    }

    #[test]
    fn errors() {
        let e = |s: &[u8]| parse_all(s).unwrap_err().0;
        assert_eq!(e(b"*x\r\n"), "invalid multibulk length");
        assert_eq!(e(b"*1\r\nx\r\n"), "expected '$', got 'x'");
        assert_eq!(e(b"*1\r\n$-1\r\n"), "invalid bulk length");
        assert_eq!(e(b"*1\r\n$4294967296000\r\n"), "invalid bulk length");
        assert_eq!(e(b"*4294967296\r\n"), "invalid multibulk length");
    }

    #[test]
    fn fast_and_general_line_numbers_agree() {
        let lines: &[&[u8]] = &[
            b"$0\r\n",
            b"$3\r\n",
            b"$03\r\n",
            b"$-1\r\n",
            b"$\r\n",
            b"$12\r",
            b"$12\rx",
            b"$123456789012345678\r\n",
            b"$1234567890123456789\r\n",
            b"$99999999999999999999\r\n",
            b"$1x\r\n",
            b"$+1\r\n",
            b"$7",
            b"*2\r\n$3",
        ];
        for line in lines {
            let fast = plain_number(line, 1).map(|(n, next)| (Some(n), next));
            let cr = memchr(b'\r', line);
            let general = cr.filter(|&cr| cr + 2 <= line.len()).map(|cr| (parse_i64(&line[1..cr]), cr + 2));
            if fast.is_some() {
                assert_eq!(fast, general, "{:?}", String::from_utf8_lossy(line));
            }
            assert_eq!(
                read_line_number(line, 1, "x").unwrap(),
                general,
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
    }

    #[test]
    fn integers() {
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_i64(b"9223372036854775808"), None);
        assert_eq!(parse_i64(b"01"), None);
        assert_eq!(parse_i64(b"+1"), None);
        assert_eq!(parse_i64(b"-0"), None);
        assert_eq!(parse_i64(b""), None);
    }
}
