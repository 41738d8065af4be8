//! Splits a typed line into arguments the way redis-cli does: blanks separate words,
//! double quotes take `\n \r \t \b \a \xHH` and `\<char>` escapes, single quotes take only
//! `\'`, and a closing quote must be followed by a blank or the end of the line.

/// The arguments of `line`, or `None` for unbalanced quotes (redis-cli's
/// "Invalid argument(s)").
pub fn split_args(line: &str) -> Option<Vec<Vec<u8>>> {
    let b = line.as_bytes();
    let mut args = Vec::new();
    let mut i = 0;
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() {
            return Some(args);
        }
        let mut cur = Vec::new();
        // 0: unquoted, b'"' or b'\'': inside that quote.
        let mut quote = 0u8;
        loop {
            if quote == b'"' {
                let c = *b.get(i)?;
                if c == b'\\' && b.get(i + 1) == Some(&b'x') {
                    let digit = |k: usize| b.get(k).and_then(|&d| hex(d));
                    if let (Some(h), Some(l)) = (digit(i + 2), digit(i + 3)) {
                        cur.push(h * 16 + l);
                        i += 4;
                        continue;
                    }
                }
                if c == b'\\' && i + 1 < b.len() {
                    cur.push(match b[i + 1] {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        other => other,
                    });
                    i += 2;
                } else if c == b'"' {
                    if i + 1 < b.len() && !b[i + 1].is_ascii_whitespace() {
                        return None;
                    }
                    i += 1;
                    break;
                } else {
                    cur.push(c);
                    i += 1;
                }
            } else if quote == b'\'' {
                let c = *b.get(i)?;
                if c == b'\\' && b.get(i + 1) == Some(&b'\'') {
                    cur.push(b'\'');
                    i += 2;
                } else if c == b'\'' {
                    if i + 1 < b.len() && !b[i + 1].is_ascii_whitespace() {
                        return None;
                    }
                    i += 1;
                    break;
                } else {
                    cur.push(c);
                    i += 1;
                }
            } else {
                match b.get(i) {
                    None => break,
                    Some(c) if c.is_ascii_whitespace() => break,
                    Some(&c @ (b'"' | b'\'')) => quote = c,
                    Some(&c) => cur.push(c),
                }
                i += 1;
            }
        }
        args.push(cur);
    }
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Option<Vec<String>> {
        split_args(s).map(|v| v.into_iter().map(|a| String::from_utf8_lossy(&a).into_owned()).collect())
    }

    #[test]
    fn quoting_rules() {
        assert_eq!(split("  set  \"a b\" 'x\\ny' ").unwrap(), vec!["set", "a b", "x\\ny"]);
        assert_eq!(split("echo \"\\x41\\x4g\\t\"").unwrap(), vec!["echo", "Ax4g\t"]);
        assert_eq!(split("echo 'it\\'s' ab\"c d\" \"\"").unwrap(), vec!["echo", "it's", "abc d", ""]);
        assert_eq!(split("echo \"\\xzz\\x4A\"").unwrap(), vec!["echo", "xzzJ"]);
        assert_eq!(split("echo \"a\"b"), None);
        assert_eq!(split("set \"a"), None);
        assert_eq!(split("").unwrap(), Vec::<String>::new());
    }
}
