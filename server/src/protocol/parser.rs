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

/// Argument slots kept between requests; a bigger list is released.
const ARGS_KEEP: usize = 16 * 1024;

/// Limits applied while parsing, taken from the configuration and the client's state.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_bulk_len: i64,
    pub authenticated: bool,
}

/// A protocol violation. The bytes are what follows `-ERR Protocol error: ` (raw bytes:
/// "expected '$', got 'X'" quotes the offending byte as is, as Redis does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError(pub Vec<u8>);

impl ProtocolError {
    fn new(msg: &str) -> Self {
        ProtocolError(msg.as_bytes().to_vec())
    }

    /// The error reply text, without the leading '-' and trailing CRLF.
    pub fn message(&self) -> Vec<u8> {
        [&b"ERR Protocol error: "[..], &self.0].concat()
    }
}

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
    /// Bytes of the line being awaited (inline request, count or bulk header) already
    /// searched for its end, so a long line arriving in small reads is searched once.
    scanned: usize,
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
    /// `consumed` bytes before calling again; after `Ok(None)` it calls again with the
    /// same bytes plus whatever arrived since.
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
        self.scanned = 0;
        self.source = Some(source);
        Some(consumed)
    }

    fn parse_inline(&mut self, buf: &[u8]) -> Result<Option<usize>, ProtocolError> {
        let Some(nl) = self.find_line_end(b'\n', buf) else {
            if buf.len() > INLINE_MAX {
                return Err(ProtocolError::new("too big inline request"));
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
            return Err(ProtocolError::new("unbalanced quotes in request"));
        }
        Ok(self.finish(nl + 1, ArgSource::Inline))
    }

    fn parse_multibulk(&mut self, buf: &[u8], limits: Limits) -> Result<Option<usize>, ProtocolError> {
        if self.remaining.is_none() {
            let Some((n, end)) = self.header_number(buf, "too big mbulk count string")? else {
                return Ok(None);
            };
            let n = n.filter(|&n| n <= i32::MAX as i64);
            let n = n.ok_or_else(|| ProtocolError::new("invalid multibulk length"))?;
            if !limits.authenticated && n > 10 {
                return Err(ProtocolError::new("unauthenticated multibulk length"));
            }
            if self.args.capacity() > ARGS_KEEP {
                // Do not keep a huge request's argument list for the connection's life.
                self.args = Vec::new();
            }
            self.args.clear();
            if n <= 0 {
                return Ok(self.finish(end + 2, ArgSource::Buffer));
            }
            // Room for the arguments grows with what arrives, not with the count.
            self.args.reserve((n as usize).min(1024));
            self.remaining = Some(n as usize);
            self.pos = end + 2;
        }
        while let Some(remaining) = self.remaining.filter(|&r| r > 0) {
            let len = match self.bulk_len {
                Some(len) => len,
                None => {
                    let rest = &buf[self.pos..];
                    let Some((n, end)) = self.header_number(rest, "too big bulk count string")? else {
                        return Ok(None);
                    };
                    if rest[0] != b'$' {
                        let mut msg = b"expected '$', got '".to_vec();
                        msg.extend_from_slice(&[rest[0], b'\'']);
                        return Err(ProtocolError(msg));
                    }
                    let n = n.filter(|&n| n >= 0 && n <= limits.max_bulk_len);
                    let n = n.ok_or_else(|| ProtocolError::new("invalid bulk length"))?;
                    if !limits.authenticated && n > 16384 {
                        return Err(ProtocolError::new("unauthenticated bulk length"));
                    }
                    self.pos += end + 2;
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

    /// [`Self::header_line`] and the number on that line (`None` when it is not a valid
    /// integer). Lines as clients send them take a one-pass fast path inlined into the
    /// request loop, which halves the parsing work of a small request.
    #[inline(always)]
    fn header_number(
        &mut self,
        line: &[u8],
        too_big: &str,
    ) -> Result<Option<(Option<i64>, usize)>, ProtocolError> {
        if let Some((n, end)) = plain_number(line) {
            self.scanned = 0;
            return Ok(Some((Some(n), end)));
        }
        // The line may be a bare "\r\n" (cr at 0): the caller reports its first byte.
        Ok(self.header_line(line, too_big)?.map(|end| (line.get(1..end).and_then(parse_i64), end)))
    }

    /// Finds the end of a `*<count>` or `$<len>` line at the start of `line`: the
    /// offset of its '\r', once the byte after it has arrived too (that byte is skipped
    /// unchecked). `Ok(None)` means wait for more; a longer line than [`INLINE_MAX`]
    /// is an error.
    fn header_line(&mut self, line: &[u8], too_big: &str) -> Result<Option<usize>, ProtocolError> {
        match self.find_line_end(b'\r', line) {
            Some(cr) if cr + 2 <= line.len() => {
                self.scanned = 0;
                Ok(Some(cr))
            }
            Some(_) => Ok(None),
            None if line.len() > INLINE_MAX => Err(ProtocolError::new(too_big)),
            None => Ok(None),
        }
    }

    /// The position of `needle` in `line`, searched as C's `strchr` does in Redis's
    /// NUL-terminated query buffer: a NUL byte ends the search. A header or inline line
    /// with a NUL before its terminator therefore never completes; only the "too big"
    /// limits end it, exactly as in Redis. The search resumes where the previous call
    /// for the same line stopped.
    fn find_line_end(&mut self, needle: u8, line: &[u8]) -> Option<usize> {
        let from = self.scanned.min(line.len());
        match line[from..].iter().position(|&c| c == needle || c == 0) {
            Some(i) => {
                // Stay on the terminator (or the NUL) so the next call finds it at once.
                self.scanned = from + i;
                (line[from + i] == needle).then_some(from + i)
            }
            None => {
                self.scanned = line.len();
                None
            }
        }
    }
}

/// The fast path of [`RequestParser::header_number`]: '*' or '$', 1 to 18 digits
/// without a leading zero, then '\r' and one more byte. Returns the number and the
/// offset of the '\r'. Anything else (signs, errors, incomplete lines) returns `None`
/// and takes the general path, which gives the same result for the lines accepted here.
#[inline(always)]
fn plain_number(line: &[u8]) -> Option<(i64, usize)> {
    // Any other first byte (a NUL ends a line's search in Redis) takes the general path.
    if !matches!(line.first(), Some(b'*' | b'$')) {
        return None;
    }
    let digits = &line[1..];
    let mut v: i64 = 0;
    let mut n = 0;
    while n < 18 && n < digits.len() && digits[n].is_ascii_digit() {
        v = v * 10 + (digits[n] - b'0') as i64;
        n += 1;
    }
    let end = 1 + n;
    if n == 0 || (n > 1 && digits[0] == b'0') || line.get(end) != Some(&b'\r') || end + 2 > line.len() {
        return None;
    }
    Some((v, end))
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

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&c| c == needle)
}

/// Splits an inline request line as Redis's `sdssplitargs` does: whitespace
/// separated, with "double quotes" (C escapes and \xHH) and 'single quotes'. A closing
/// quote must be followed by whitespace or the end. Returns false on unbalanced quotes.
/// The line is a C string there: a NUL byte ends it.
pub fn split_inline(line: &[u8], out: &mut Vec<u8>, args: &mut Vec<Range<usize>>) -> bool {
    let line = &line[..memchr(0, line).unwrap_or(line.len())];
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
                    b' ' | b'\n' | b'\r' | b'\t' => break,
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
        let e = |s: &[u8]| String::from_utf8(parse_all(s).unwrap_err().0).unwrap();
        assert_eq!(e(b"*x\r\n"), "invalid multibulk length");
        assert_eq!(e(b"*1\r\nx\r\n"), "expected '$', got 'x'");
        assert_eq!(e(b"*1\r\n$-1\r\n"), "invalid bulk length");
        assert_eq!(e(b"*1\r\n$4294967296000\r\n"), "invalid bulk length");
        assert_eq!(e(b"*4294967296\r\n"), "invalid multibulk length");
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

    /// Everything parsed from `chunks` fed one after another, as the connection does:
    /// bytes accumulate, complete requests are dropped from the front.
    type Parsed = (Vec<Vec<Vec<u8>>>, Option<ProtocolError>);

    fn parse_chunked<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Parsed {
        let mut p = RequestParser::default();
        let mut buf = Vec::new();
        let mut out = Vec::new();
        for chunk in chunks {
            buf.extend_from_slice(chunk);
            loop {
                match p.parse(&buf, LIMITS) {
                    Ok(Some(used)) => {
                        let data = match p.source() {
                            ArgSource::Buffer => &buf[..],
                            ArgSource::Inline => p.inline_args(),
                        };
                        out.push(p.args().iter().map(|r| data[r.clone()].to_vec()).collect());
                        buf.drain(..used);
                    }
                    Ok(None) => break,
                    Err(e) => return (out, Some(e)),
                }
            }
        }
        (out, None)
    }

    #[test]
    fn empty_bulk_header_line_is_an_error_not_a_panic() {
        // Regression: "\r\n" where a "$<len>" line was expected sliced buf[1..0].
        let e = |s: &[u8]| parse_all(s).unwrap_err().0;
        assert_eq!(e(b"*1\r\n\r\n"), b"expected '$', got '\r'");
        assert_eq!(e(b"*1\r\n\n\r\n"), b"expected '$', got '\n'");
        assert_eq!(e(b"*1\r\n$\r\n"), b"invalid bulk length");
        assert_eq!(e(b"*\r\n"), b"invalid multibulk length");
    }

    #[test]
    fn offending_byte_is_quoted_raw() {
        assert_eq!(parse_all(b"*1\r\n\xff\r\n").unwrap_err().0, b"expected '$', got '\xff'");
    }

    #[test]
    fn nul_bytes_end_line_searches_like_strchr() {
        // Regression: an inline line with a NUL looped forever pushing empty arguments.
        assert_eq!(parse_all(b"PING\0\r\n").unwrap(), Vec::<Vec<Vec<u8>>>::new());
        assert_eq!(parse_all(b"*1\0\r\n").unwrap(), Vec::<Vec<Vec<u8>>>::new());
        assert_eq!(parse_all(b"*1\r\n$4\0\r\nPING\r\n").unwrap(), Vec::<Vec<Vec<u8>>>::new());
        let mut big = b"PING\0".to_vec();
        big.resize(INLINE_MAX + 1, b'\n');
        assert_eq!(parse_all(&big).unwrap_err().0, b"too big inline request");
        let mut big = b"*1\0\r\n".to_vec();
        big.resize(INLINE_MAX + 1, b'x');
        assert_eq!(parse_all(&big).unwrap_err().0, b"too big mbulk count string");
        // A NUL inside a bulk payload is plain data.
        assert_eq!(parse_all(b"*1\r\n$3\r\na\0b\r\n").unwrap(), vec![vec![b"a\0b".to_vec()]]);
        // split_inline treats its input as a C string.
        let (mut out, mut args) = (Vec::new(), Vec::new());
        assert!(split_inline(b"a \0 b", &mut out, &mut args));
        assert_eq!(args.len(), 1);
    }

    #[test]
    fn limits() {
        let mut p = RequestParser::default();
        let anon = Limits { max_bulk_len: 1024 * 1024, authenticated: false };
        let e = |p: &mut RequestParser, s: &[u8]| p.parse(s, anon).unwrap_err().0;
        assert_eq!(e(&mut p, b"*11\r\n"), b"unauthenticated multibulk length");
        assert_eq!(e(&mut RequestParser::default(), b"*1\r\n$16385\r\n"), b"unauthenticated bulk length");
        assert_eq!(e(&mut RequestParser::default(), b"*1\r\n$1048577\r\n"), b"invalid bulk length");
        assert_eq!(RequestParser::default().parse(b"*10\r\n$16384\r\n", anon), Ok(None));
    }

    #[test]
    fn line_searches_resume() {
        let mut line = b"ECHO ".to_vec();
        line.resize(60_000, b'a');
        let mut p = RequestParser::default();
        for end in (1000..line.len()).step_by(1000) {
            assert_eq!(p.parse(&line[..end], LIMITS), Ok(None));
            assert_eq!(p.scanned, end, "the search did not resume");
        }
        line.extend_from_slice(b"\r\n");
        assert_eq!(p.parse(&line, LIMITS), Ok(Some(line.len())));
        assert_eq!((p.scanned, p.inline_args().len()), (0, 4 + 59_995));
        // The same for a bulk header, stopping on a NUL for good.
        let mut p = RequestParser::default();
        assert_eq!(p.parse(b"*1\r\n$12", LIMITS), Ok(None));
        assert_eq!(p.scanned, 3);
        assert_eq!(p.parse(b"*1\r\n$12\0\r\n", LIMITS), Ok(None));
        assert_eq!(p.parse(b"*1\r\n$12\0\r\nxyz", LIMITS), Ok(None));
        assert_eq!(p.scanned, 3);
    }

    #[test]
    fn huge_argument_lists_are_not_kept() {
        let mut input = format!("*{}\r\n", ARGS_KEEP * 2).into_bytes();
        for _ in 0..ARGS_KEEP * 2 {
            input.extend_from_slice(b"$1\r\nk\r\n");
        }
        input.extend_from_slice(b"*1\r\n$4\r\nPING\r\n");
        let mut p = RequestParser::default();
        let used = p.parse(&input, LIMITS).unwrap().unwrap();
        assert_eq!(p.args().len(), ARGS_KEEP * 2);
        assert_eq!(p.parse(&input[used..], LIMITS).unwrap(), Some(14));
        assert!(p.args.capacity() <= ARGS_KEEP);
    }

    /// A random valid pipeline: RESP requests with binary arguments, inline requests,
    /// empty and negative counts and blank lines.
    fn random_pipeline(rng: &mut impl rand::Rng) -> Vec<u8> {
        let mut v = Vec::new();
        for _ in 0..rng.random_range(1..40) {
            match rng.random_range(0..10) {
                0 => v.extend_from_slice(b"*0\r\n"),
                1 => v.extend_from_slice(b"*-1\r\n"),
                2 => v.extend_from_slice(if rng.random() { b"\r\n" } else { b"  \n" }),
                3 | 4 => v.extend_from_slice(b"SET k \"a\\x41 \\\"q\\\"\" 'it\\'s' plain\r\n"),
                _ => {
                    let n = rng.random_range(1..6);
                    v.extend_from_slice(format!("*{n}\r\n").as_bytes());
                    for _ in 0..n {
                        let max = if rng.random_ratio(1, 10) { 3000 } else { 20 };
                        let len = rng.random_range(0..max);
                        let arg: Vec<u8> = (0..len).map(|_| rng.random()).collect();
                        v.extend_from_slice(format!("${len}\r\n").as_bytes());
                        v.extend_from_slice(&arg);
                        v.extend_from_slice(b"\r\n");
                    }
                }
            }
        }
        v
    }

    /// Random damage: truncation, flipped bytes, inserted junk.
    fn mutate(rng: &mut impl rand::Rng, v: &mut Vec<u8>) {
        for _ in 0..rng.random_range(0..4) {
            let at = rng.random_range(0..=v.len());
            match rng.random_range(0..3) {
                0 => v.truncate(at),
                1 if at < v.len() => v[at] = rng.random(),
                _ => {
                    let junk = [&b"\r\n"[..], b"*", b"$", b"\0", b"\"", b"'", b"-1", b"99999"];
                    v.splice(at..at, junk[rng.random_range(0..junk.len())].iter().copied());
                }
            }
        }
    }

    #[test]
    fn random_splits_parse_like_the_whole() {
        use rand::{Rng, SeedableRng};
        for seed in 0..300u64 {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            let mut input = random_pipeline(&mut rng);
            if seed % 2 == 1 {
                mutate(&mut rng, &mut input);
            }
            let whole = parse_chunked([&input[..]]);
            if seed % 2 == 0 {
                assert!(whole.1.is_none(), "seed {seed}: valid pipeline rejected: {:?}", whole.1);
            }
            let mut chunks = Vec::new();
            let mut at = 0;
            while at < input.len() {
                let max = if rng.random_ratio(1, 3) { 2 } else { 200 };
                let n = rng.random_range(1..=max).min(input.len() - at);
                chunks.push(&input[at..at + n]);
                at += n;
            }
            assert_eq!(parse_chunked(chunks), whole, "seed {seed}");
            let bytes = input.iter().map(std::slice::from_ref);
            assert_eq!(parse_chunked(bytes), whole, "seed {seed} byte by byte");
        }
    }

    #[test]
    fn fast_and_general_header_numbers_agree() {
        let lines: &[&[u8]] = &[
            b"$0\r\n",
            b"\r\n",
            b"$3\r\n",
            b"$03\r\n",
            b"$-1\r\n",
            b"$\r\n",
            b"$12\r",
            b"$12\rx",
            b"$1\0\r\n",
            b"$123456789012345678\r\n",
            b"$1234567890123456789\r\n",
            b"$99999999999999999999\r\n",
            b"$1x\r\n",
            b"\x003\r\n",
            b"x3\r\n",
            b"$+1\r\n",
            b"$7",
            b"*2\r\n$3",
        ];
        for line in lines {
            let general = RequestParser::default()
                .header_line(line, "x")
                .unwrap()
                .map(|end| (line.get(1..end).and_then(parse_i64), end));
            if let Some((n, end)) = plain_number(line) {
                assert_eq!(Some((Some(n), end)), general, "{:?}", String::from_utf8_lossy(line));
            }
            let both = RequestParser::default().header_number(line, "x").unwrap();
            assert_eq!(both, general, "{:?}", String::from_utf8_lossy(line));
        }
    }
}
