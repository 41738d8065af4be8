//! Reply encoder: writes replies straight into a connection's output buffer in the
//! protocol the connection negotiated (RESP2 or RESP3 via `HELLO`).
//!
//! Commands describe replies by their RESP3 shape (map, set, double, null, ...); in
//! RESP2 they degrade exactly as Redis degrades them.

/// The reply protocol of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Protocol {
    #[default]
    Resp2,
    Resp3,
}

impl Protocol {
    pub fn version(self) -> i64 {
        match self {
            Protocol::Resp2 => 2,
            Protocol::Resp3 => 3,
        }
    }
}

/// An output buffer plus the protocol to encode in.
#[derive(Default)]
pub struct ReplyBuf {
    pub buf: Vec<u8>,
    pub proto: Protocol,
}

impl ReplyBuf {
    pub fn new(proto: Protocol) -> Self {
        ReplyBuf { buf: Vec::new(), proto }
    }

    pub fn is_resp3(&self) -> bool {
        self.proto == Protocol::Resp3
    }

    fn line(&mut self, prefix: u8, body: &[u8]) {
        self.buf.push(prefix);
        self.buf.extend_from_slice(body);
        self.buf.extend_from_slice(b"\r\n");
    }

    fn len_line(&mut self, prefix: u8, n: i64) {
        let mut b = itoa::Buffer::new();
        self.line(prefix, b.format(n).as_bytes());
    }

    /// `+OK`.
    pub fn ok(&mut self) {
        self.buf.extend_from_slice(b"+OK\r\n");
    }

    /// A status reply (`+text`). Newlines are replaced so the frame stays valid.
    pub fn simple(&mut self, s: &str) {
        self.line(b'+', sanitize(s).as_bytes());
    }

    /// An error reply; `s` starts with its code (`ERR ...`, `WRONGTYPE ...`).
    pub fn error(&mut self, s: &str) {
        self.error_bytes(s.as_bytes());
    }

    /// An error reply from raw bytes (error texts can quote binary arguments).
    /// Line breaks become spaces, as Redis does.
    pub fn error_bytes(&mut self, s: &[u8]) {
        self.buf.push(b'-');
        self.buf.extend(s.iter().map(|&c| if c == b'\r' || c == b'\n' { b' ' } else { c }));
        self.buf.extend_from_slice(b"\r\n");
    }

    pub fn int(&mut self, n: i64) {
        self.len_line(b':', n);
    }

    pub fn bulk(&mut self, data: &[u8]) {
        self.len_line(b'$', data.len() as i64);
        self.buf.extend_from_slice(data);
        self.buf.extend_from_slice(b"\r\n");
    }

    /// A bulk string holding the decimal form of `n`.
    pub fn bulk_int(&mut self, n: i64) {
        let mut b = itoa::Buffer::new();
        self.bulk(b.format(n).as_bytes());
    }

    /// The null reply for a missing string: `$-1` in RESP2, `_` in RESP3.
    pub fn null(&mut self) {
        match self.proto {
            Protocol::Resp2 => self.buf.extend_from_slice(b"$-1\r\n"),
            Protocol::Resp3 => self.buf.extend_from_slice(b"_\r\n"),
        }
    }

    /// The null reply for a missing aggregate: `*-1` in RESP2, `_` in RESP3.
    pub fn null_array(&mut self) {
        match self.proto {
            Protocol::Resp2 => self.buf.extend_from_slice(b"*-1\r\n"),
            Protocol::Resp3 => self.buf.extend_from_slice(b"_\r\n"),
        }
    }

    pub fn array(&mut self, n: usize) {
        self.len_line(b'*', n as i64);
    }

    /// A map of `n` pairs; a flat array of `2n` items in RESP2.
    pub fn map(&mut self, n: usize) {
        match self.proto {
            Protocol::Resp2 => self.len_line(b'*', 2 * n as i64),
            Protocol::Resp3 => self.len_line(b'%', n as i64),
        }
    }

    /// A set of `n` items; an array in RESP2.
    pub fn set(&mut self, n: usize) {
        match self.proto {
            Protocol::Resp2 => self.len_line(b'*', n as i64),
            Protocol::Resp3 => self.len_line(b'~', n as i64),
        }
    }

    /// An out-of-band push of `n` items; an array in RESP2.
    pub fn push(&mut self, n: usize) {
        match self.proto {
            Protocol::Resp2 => self.len_line(b'*', n as i64),
            Protocol::Resp3 => self.len_line(b'>', n as i64),
        }
    }

    /// An attribute frame of `n` pairs (RESP3 only: RESP2 has no way to send one, so
    /// callers skip the attribute there).
    pub fn attribute(&mut self, n: usize) {
        debug_assert!(self.is_resp3(), "attributes exist only in RESP3");
        self.len_line(b'|', n as i64);
    }

    /// A boolean; the integer 1 or 0 in RESP2.
    pub fn boolean(&mut self, b: bool) {
        match self.proto {
            Protocol::Resp2 => self.int(b as i64),
            Protocol::Resp3 => self.buf.extend_from_slice(if b { b"#t\r\n" } else { b"#f\r\n" }),
        }
    }

    /// A double formatted as Redis 7.0 does (`%.17g`, `inf`, `-inf`); a bulk string
    /// in RESP2.
    pub fn double(&mut self, d: f64) {
        let s = format_double(d);
        match self.proto {
            Protocol::Resp2 => self.bulk(s.as_bytes()),
            Protocol::Resp3 => self.line(b',', s.as_bytes()),
        }
    }

    /// A big number; a bulk string in RESP2.
    pub fn big_number(&mut self, digits: &str) {
        match self.proto {
            Protocol::Resp2 => self.bulk(digits.as_bytes()),
            Protocol::Resp3 => self.line(b'(', digits.as_bytes()),
        }
    }

    /// A verbatim string with a three-letter format (`txt`, `mkd`); a bulk string in
    /// RESP2.
    pub fn verbatim(&mut self, format: &str, text: &[u8]) {
        match self.proto {
            Protocol::Resp2 => self.bulk(text),
            Protocol::Resp3 => {
                self.len_line(b'=', (text.len() + 4) as i64);
                self.buf.extend_from_slice(format.as_bytes());
                self.buf.push(b':');
                self.buf.extend_from_slice(text);
                self.buf.extend_from_slice(b"\r\n");
            }
        }
    }

    /// An array of bulk strings.
    pub fn bulks<'a>(&mut self, items: impl ExactSizeIterator<Item = &'a [u8]>) {
        self.array(items.len());
        for item in items {
            self.bulk(item);
        }
    }
}

fn sanitize(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains(['\r', '\n']) {
        s.replace(['\r', '\n'], " ").into()
    } else {
        s.into()
    }
}

/// Formats like C's `printf("%.17g")`, which Redis 7.0 uses for doubles.
pub fn format_double(d: f64) -> String {
    if d.is_infinite() {
        return if d > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if d.is_nan() {
        return "nan".into();
    }
    format_g(d, 17)
}

/// C's `%.{precision}g`: scientific notation when the exponent is below -4 or at least
/// the precision, trailing zeros removed.
pub fn format_g(d: f64, precision: usize) -> String {
    if d == 0.0 {
        return if d.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    let sci = format!("{:.*e}", precision - 1, d);
    let (mantissa, exp) = sci.split_once('e').expect("exponent");
    let exp: i32 = exp.parse().expect("exponent digits");
    if exp < -4 || exp >= precision as i32 {
        let mantissa = trim_fraction(mantissa);
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    } else {
        let decimals = (precision as i32 - 1 - exp).max(0) as usize;
        trim_fraction(&format!("{d:.decimals$}")).to_string()
    }
}

fn trim_fraction(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g17() {
        assert_eq!(format_double(1.1), "1.1000000000000001");
        assert_eq!(format_double(3.0), "3");
        assert_eq!(format_double(1e20), "1e+20");
        assert_eq!(format_double(0.0001), "0.0001");
        assert_eq!(format_double(0.00001), "1.0000000000000001e-05");
        assert_eq!(format_double(-2.5), "-2.5");
        assert_eq!(format_double(f64::INFINITY), "inf");
        assert_eq!(format_double(123456789012345680.0), "1.2345678901234568e+17");
    }

    #[test]
    fn resp2_degrades() {
        let mut r = ReplyBuf::new(Protocol::Resp2);
        r.map(1);
        r.boolean(true);
        r.null();
        r.double(1.5);
        assert_eq!(r.buf, b"*2\r\n:1\r\n$-1\r\n$3\r\n1.5\r\n");
        let mut r = ReplyBuf::new(Protocol::Resp3);
        r.map(1);
        r.boolean(true);
        r.null();
        r.double(1.5);
        assert_eq!(r.buf, b"%1\r\n#t\r\n_\r\n,1.5\r\n");
    }
}
