//! Reply formatting exactly as redis-cli prints it: the human ("TTY") form with types,
//! quoting and numbered nested lists, and the raw form meant for scripts.

use crate::resp::Reply;

/// How replies are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// `"value"`, `(integer) 1`, numbered lists...
    Standard,
    /// Plain values, one per line.
    Raw,
}

/// Quotes a string like redis-cli does: printable ASCII as is, the usual C escapes,
/// everything else as `\xHH`.
pub fn repr(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 2);
    out.push(b'"');
    for &b in bytes {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'"' => out.extend_from_slice(b"\\\""),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x07 => out.extend_from_slice(b"\\a"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x20..=0x7e => out.push(b),
            _ => out.extend_from_slice(format!("\\x{b:02x}").as_bytes()),
        }
    }
    out.push(b'"');
    out
}

/// The human form of a reply, ending with a newline.
pub fn tty(reply: &Reply) -> Vec<u8> {
    let mut out = tty_nested(reply, "");
    out.push(b'\n');
    out
}

/// The human form without the final newline; `prefix` indents the lines after the first.
fn tty_nested(reply: &Reply, prefix: &str) -> Vec<u8> {
    match reply {
        Reply::Error(e) => [b"(error) ".as_slice(), e].concat(),
        Reply::Status(s) | Reply::Verbatim(s) => s.clone(),
        Reply::Integer(n) => format!("(integer) {n}").into_bytes(),
        Reply::Double(d) => [b"(double) ".as_slice(), d].concat(),
        Reply::BigNumber(d) => [b"(big number) ".as_slice(), d].concat(),
        Reply::Bulk(b) => repr(b),
        Reply::Nil => b"(nil)".to_vec(),
        Reply::Bool(true) => b"(true)".to_vec(),
        Reply::Bool(false) => b"(false)".to_vec(),
        Reply::Map(pairs) => {
            if pairs.is_empty() {
                return b"(empty hash)".to_vec();
            }
            let items: Vec<(&Reply, Option<&Reply>)> = pairs.iter().map(|(k, v)| (k, Some(v))).collect();
            list(&items, '#', prefix)
        }
        Reply::Array(v) | Reply::Set(v) | Reply::Push(v) => {
            let (sep, empty) = match reply {
                Reply::Set(_) => ('~', "(empty set)"),
                Reply::Push(_) => (')', "(empty push)"),
                _ => (')', "(empty array)"),
            };
            if v.is_empty() {
                return empty.as_bytes().to_vec();
            }
            let items: Vec<(&Reply, Option<&Reply>)> = v.iter().map(|e| (e, None)).collect();
            list(&items, sep, prefix)
        }
    }
}

/// Numbered entries (`1) ...`, `1# key => value`, `1~ ...`), the numbers right-aligned to
/// the widest one; nested entries are indented past the number. A map value that spans
/// several lines starts on its own line.
fn list(items: &[(&Reply, Option<&Reply>)], sep: char, prefix: &str) -> Vec<u8> {
    let width = items.len().to_string().len();
    let inner = format!("{prefix}{}", " ".repeat(width + 2));
    let mut out = Vec::new();
    for (i, (item, value)) in items.iter().enumerate() {
        if i > 0 {
            out.push(b'\n');
            out.extend_from_slice(prefix.as_bytes());
        }
        out.extend_from_slice(format!("{:>width$}{sep} ", i + 1).as_bytes());
        out.extend_from_slice(&tty_nested(item, &inner));
        if let Some(value) = value {
            out.extend_from_slice(b" => ");
            let text = tty_nested(value, &inner);
            if text.contains(&b'\n') {
                out.push(b'\n');
                out.extend_from_slice(inner.as_bytes());
            }
            out.extend_from_slice(&text);
        }
    }
    out
}

/// The raw form of a reply (without the delimiter that ends a whole reply): values as
/// they are, array elements separated by `delim`, map entries as `key value`.
pub fn raw(reply: &Reply, delim: &[u8]) -> Vec<u8> {
    match reply {
        Reply::Error(e) => [e.as_slice(), b"\n"].concat(),
        Reply::Status(s) | Reply::Bulk(s) | Reply::Verbatim(s) | Reply::Double(s) | Reply::BigNumber(s) => {
            s.clone()
        }
        Reply::Integer(n) => n.to_string().into_bytes(),
        Reply::Nil => Vec::new(),
        Reply::Bool(true) => b"(true)".to_vec(),
        Reply::Bool(false) => b"(false)".to_vec(),
        Reply::Array(v) | Reply::Set(v) | Reply::Push(v) => {
            v.iter().map(|e| raw(e, delim)).collect::<Vec<_>>().join(delim)
        }
        Reply::Map(pairs) => pairs
            .iter()
            .map(|(k, v)| [raw(k, delim), b" ".to_vec(), raw(v, delim)].concat())
            .collect::<Vec<_>>()
            .join(delim),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Reply {
        Reply::Bulk(s.as_bytes().to_vec())
    }

    #[test]
    fn quoting() {
        assert_eq!(repr(b"a\nb\x01\"\xc3"), b"\"a\\nb\\x01\\\"\\xc3\"".to_vec());
    }

    #[test]
    fn nested_lists() {
        let r = Reply::Array(vec![bulk("id"), Reply::Array(vec![bulk("a"), bulk("1")])]);
        assert_eq!(String::from_utf8(tty(&r)).unwrap(), "1) \"id\"\n2) 1) \"a\"\n   2) \"1\"\n");
        let m = Reply::Map(vec![
            (bulk("one"), Reply::Set(vec![bulk("x")])),
            (bulk("two"), Reply::Array(vec![bulk("a"), bulk("b")])),
        ]);
        assert_eq!(
            String::from_utf8(tty(&m)).unwrap(),
            "1# \"one\" => 1~ \"x\"\n2# \"two\" => \n   1) \"a\"\n   2) \"b\"\n"
        );
        let wide = Reply::Array((0..10).map(Reply::Integer).collect());
        assert!(String::from_utf8(tty(&wide)).unwrap().starts_with(" 1) (integer) 0\n 2)"));
    }

    #[test]
    fn raw_forms() {
        let r = Reply::Array(vec![Reply::Integer(1), Reply::Error(b"E x".to_vec()), Reply::Nil]);
        assert_eq!(raw(&r, b"\n"), b"1\nE x\n\n".to_vec());
        let m = Reply::Map(vec![(bulk("k"), Reply::Bool(false))]);
        assert_eq!(raw(&m, b"\n"), b"k (false)".to_vec());
    }
}
