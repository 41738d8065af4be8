//! RESP2/RESP3 replies: the value type, an incremental parser and the request encoder.
//!
//! The parser works on a byte buffer and answers "not complete yet" instead of blocking,
//! so the connection can read with a timeout and check for Ctrl-C between reads.

/// One reply from the server, RESP2 and RESP3 types alike.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Status(Vec<u8>),
    Error(Vec<u8>),
    Integer(i64),
    Bulk(Vec<u8>),
    /// RESP2 null bulk / null array and RESP3 null.
    Nil,
    Array(Vec<Reply>),
    Map(Vec<(Reply, Reply)>),
    Set(Vec<Reply>),
    Push(Vec<Reply>),
    /// A RESP3 double, kept as the server wrote it.
    Double(Vec<u8>),
    Bool(bool),
    /// A RESP3 verbatim string without its three-letter format prefix.
    Verbatim(Vec<u8>),
    BigNumber(Vec<u8>),
}

impl Reply {
    pub fn is_error(&self) -> bool {
        matches!(self, Reply::Error(_))
    }

    /// The text of a string-like reply (bulk, status, verbatim).
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Reply::Bulk(b) | Reply::Status(b) | Reply::Verbatim(b) => Some(b),
            _ => None,
        }
    }

    /// Elements of an array-like reply (array, set, push).
    pub fn elements(&self) -> Option<&[Reply]> {
        match self {
            Reply::Array(v) | Reply::Set(v) | Reply::Push(v) => Some(v),
            _ => None,
        }
    }

    /// Key/value pairs of a map, or of a RESP2 array holding alternating keys and values.
    pub fn pairs(&self) -> Vec<(&Reply, &Reply)> {
        match self {
            Reply::Map(m) => m.iter().map(|(k, v)| (k, v)).collect(),
            Reply::Array(v) => v.chunks_exact(2).map(|c| (&c[0], &c[1])).collect(),
            _ => Vec::new(),
        }
    }
}

/// Encodes a command as a RESP array of bulk strings.
pub fn encode(args: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + args.iter().map(|a| a.len() + 16).sum::<usize>());
    out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Parses one reply from the start of `buf`: `Ok(None)` when more bytes are needed,
/// otherwise the reply and how many bytes it used.
pub fn parse(buf: &[u8]) -> Result<Option<(Reply, usize)>, String> {
    let mut pos = 0;
    match parse_at(buf, &mut pos)? {
        Some(r) => Ok(Some((r, pos))),
        None => Ok(None),
    }
}

/// Reads a CRLF-terminated line starting at `*pos`.
fn line<'a>(buf: &'a [u8], pos: &mut usize) -> Option<&'a [u8]> {
    let start = *pos;
    let rel = buf[start..].windows(2).position(|w| w == b"\r\n")?;
    *pos = start + rel + 2;
    Some(&buf[start..start + rel])
}

fn number(text: &[u8]) -> Result<i64, String> {
    std::str::from_utf8(text)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("Protocol error, bad number {:?}", String::from_utf8_lossy(text)))
}

/// Reads `len` bytes plus CRLF starting at `*pos`.
fn payload(buf: &[u8], pos: &mut usize, len: usize) -> Option<Vec<u8>> {
    if buf.len() < *pos + len + 2 {
        return None;
    }
    let data = buf[*pos..*pos + len].to_vec();
    *pos += len + 2;
    Some(data)
}

fn parse_items(buf: &[u8], pos: &mut usize, count: i64) -> Result<Option<Vec<Reply>>, String> {
    let mut items = Vec::with_capacity(count.clamp(0, 1024) as usize);
    for _ in 0..count {
        match parse_at(buf, pos)? {
            Some(r) => items.push(r),
            None => return Ok(None),
        }
    }
    Ok(Some(items))
}

fn parse_at(buf: &[u8], pos: &mut usize) -> Result<Option<Reply>, String> {
    let Some(&kind) = buf.get(*pos) else { return Ok(None) };
    let mut p = *pos + 1;
    let Some(head) = line(buf, &mut p) else { return Ok(None) };
    let head = head.to_vec();
    let reply = match kind {
        b'+' => Reply::Status(head),
        b'-' => Reply::Error(head),
        b':' => Reply::Integer(number(&head)?),
        b',' => Reply::Double(head),
        b'(' => Reply::BigNumber(head),
        b'#' => Reply::Bool(head == b"t"),
        b'_' => Reply::Nil,
        b'$' | b'=' | b'!' => {
            let len = number(&head)?;
            if len < 0 {
                Reply::Nil
            } else {
                let Some(data) = payload(buf, &mut p, len as usize) else { return Ok(None) };
                match kind {
                    b'$' => Reply::Bulk(data),
                    b'!' => Reply::Error(data),
                    _ => Reply::Verbatim(data.get(4..).unwrap_or_default().to_vec()),
                }
            }
        }
        b'*' | b'~' | b'>' => {
            let n = number(&head)?;
            if n < 0 {
                Reply::Nil
            } else {
                let Some(items) = parse_items(buf, &mut p, n)? else { return Ok(None) };
                match kind {
                    b'*' => Reply::Array(items),
                    b'~' => Reply::Set(items),
                    _ => Reply::Push(items),
                }
            }
        }
        b'%' | b'|' => {
            let n = number(&head)?;
            let Some(items) = parse_items(buf, &mut p, n.max(0) * 2)? else { return Ok(None) };
            if kind == b'|' {
                // Attributes annotate the reply that follows; the client shows only that reply.
                *pos = p;
                return parse_at(buf, pos);
            }
            let mut it = items.into_iter();
            let mut pairs = Vec::new();
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                pairs.push((k, v));
            }
            Reply::Map(pairs)
        }
        other => return Err(format!("Protocol error, got {:?} as reply type byte", other as char)),
    };
    *pos = p;
    Ok(Some(reply))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nested_and_partial() {
        let full = b"*2\r\n$3\r\nfoo\r\n%1\r\n+a\r\n:1\r\n";
        for cut in 0..full.len() {
            assert_eq!(parse(&full[..cut]).unwrap(), None, "cut {cut}");
        }
        let (r, used) = parse(full).unwrap().unwrap();
        assert_eq!(used, full.len());
        assert_eq!(
            r,
            Reply::Array(vec![
                Reply::Bulk(b"foo".to_vec()),
                Reply::Map(vec![(Reply::Status(b"a".to_vec()), Reply::Integer(1))])
            ])
        );
    }

    #[test]
    fn resp3_scalars() {
        let (r, _) = parse(b"=15\r\ntxt:Some string\r\n").unwrap().unwrap();
        assert_eq!(r, Reply::Verbatim(b"Some string".to_vec()));
        let (r, _) = parse(b"|1\r\n+k\r\n+v\r\n#t\r\n").unwrap().unwrap();
        assert_eq!(r, Reply::Bool(true));
        assert!(parse(b"?x\r\n").is_err());
    }
}
