//! Glob-style matching with Redis's rules (KEYS, SCAN MATCH, CONFIG GET, ...):
//! `*`, `?`, `[abc]`, `[^abc]`, `[a-z]` (reversed ranges allowed), and `\` escapes.
//! An unterminated class ends the pattern; a trailing `\` matches itself.
//!
//! Greedy matching with one backtrack point: a later `*` supersedes an earlier one,
//! so the cost is O(pattern × string), never exponential.

pub fn glob_match(pattern: &[u8], s: &[u8], nocase: bool) -> bool {
    let (mut p, mut i) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while i < s.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            while p < pattern.len() && pattern[p] == b'*' {
                p += 1;
            }
            if p == pattern.len() {
                return true;
            }
            star = Some((p, i));
            continue;
        }
        if let Some(next) = match_one(pattern, p, s[i], nocase) {
            p = next;
            i += 1;
            continue;
        }
        match star {
            Some((sp, si)) => {
                p = sp;
                i = si + 1;
                star = Some((sp, si + 1));
            }
            None => return false,
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// Matches one character against the token at `p`; returns the position after the
/// token on a match.
fn match_one(pat: &[u8], p: usize, c: u8, nocase: bool) -> Option<usize> {
    let eq = |a: u8, b: u8| {
        if nocase {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    match *pat.get(p)? {
        b'?' => Some(p + 1),
        b'[' => {
            let mut q = p + 1;
            let negate = pat.get(q) == Some(&b'^');
            if negate {
                q += 1;
            }
            let mut hit = false;
            while q < pat.len() && pat[q] != b']' {
                if pat[q] == b'\\' && q + 1 < pat.len() {
                    // Redis compares an escaped class member exactly, even with nocase.
                    q += 1;
                    hit |= pat[q] == c;
                    q += 1;
                } else if q + 2 < pat.len() && pat[q + 1] == b'-' {
                    let (mut lo, mut hi) = (pat[q], pat[q + 2]);
                    if lo > hi {
                        std::mem::swap(&mut lo, &mut hi);
                    }
                    let x = if nocase {
                        lo = lo.to_ascii_lowercase();
                        hi = hi.to_ascii_lowercase();
                        c.to_ascii_lowercase()
                    } else {
                        c
                    };
                    hit |= x >= lo && x <= hi;
                    q += 3;
                } else {
                    hit |= eq(pat[q], c);
                    q += 1;
                }
            }
            // Past the closing bracket; an unterminated class consumes the pattern.
            let next = if q < pat.len() { q + 1 } else { q };
            (hit != negate).then_some(next)
        }
        b'\\' if p + 1 < pat.len() => eq(pat[p + 1], c).then_some(p + 2),
        lit => eq(lit, c).then_some(p + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    fn m(p: &str, s: &str) -> bool {
        glob_match(p.as_bytes(), s.as_bytes(), false)
    }

    #[test]
    fn basics() {
        assert!(m("*", ""));
        assert!(m("h?llo", "hello"));
        assert!(m("h*llo", "heeeello"));
        assert!(m("h[ae]llo", "hallo"));
        assert!(!m("h[^e]llo", "hello"));
        assert!(m("h[a-b]llo", "hbllo"));
        assert!(m("h[b-a]llo", "hallo"));
        assert!(m("a\\*b", "a*b"));
        assert!(!m("a\\*b", "axb"));
        assert!(m("*a*b*c*", "xxaxxbxxcxx"));
        assert!(!m("*a*b*c", "xxaxxbxxcxx"));
        assert!(m("a[bc", "ab"));
        assert!(m("ab\\", "ab\\"));
        assert!(!m("?", ""));
        assert!(m("[\\]]", "]"));
        assert!(glob_match(b"HEL*", b"hello", true));
        assert!(glob_match(b"[A-C]x", b"bX", true));
        assert!(!glob_match(b"[\\A]", b"a", true));
        assert!(m("[^a-c]", "d"));
        assert!(!m("[^a-c]", "b"));
        assert!(!m("a[]b", "a]b"));
        assert!(m("[^", "x"));
    }
}
