//! The command table against real Redis: for every command we declare, `COMMAND INFO`
//! and `COMMAND DOCS` must equal the reference server's replies byte for byte, in
//! RESP2 and RESP3. Only the order of subcommands may differ (Redis lists them in
//! hash-table order, which changes from run to run), and a container (CLIENT, ...)
//! lists only the subcommands we implement: Redis's reply is compared restricted to
//! those, while each subcommand we declare must match Redis's exactly.

mod common;
use common::*;

/// A parsed RESP frame: its header line and, for aggregates, its children.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Frame {
    raw: Vec<u8>,
    children: Vec<Frame>,
}

impl Frame {
    fn parse(bytes: &[u8]) -> Frame {
        let mut pos = 0;
        let f = Frame::at(bytes, &mut pos);
        assert_eq!(pos, bytes.len(), "trailing bytes");
        f
    }

    fn at(b: &[u8], pos: &mut usize) -> Frame {
        let end = *pos + b[*pos..].windows(2).position(|w| w == b"\r\n").expect("line end") + 2;
        let mut raw = b[*pos..end].to_vec();
        let n: i64 =
            std::str::from_utf8(&raw[1..raw.len() - 2]).ok().and_then(|s| s.parse().ok()).unwrap_or(-1);
        *pos = end;
        let mut children = Vec::new();
        match raw[0] {
            b'$' | b'=' | b'!' if n >= 0 => {
                raw.extend_from_slice(&b[*pos..*pos + n as usize + 2]);
                *pos += n as usize + 2;
            }
            b'*' | b'~' | b'>' => children = (0..n.max(0)).map(|_| Frame::at(b, pos)).collect(),
            b'%' | b'|' => children = (0..2 * n.max(0)).map(|_| Frame::at(b, pos)).collect(),
            _ => {}
        }
        Frame { raw, children }
    }

    fn bytes(&self) -> Vec<u8> {
        let mut v = self.raw.clone();
        for c in &self.children {
            v.extend(c.bytes());
        }
        v
    }

    fn is_map(&self) -> bool {
        self.raw[0] == b'%' || self.raw[0] == b'*'
    }

    /// This aggregate with only the children `keep` accepts, in groups of `group`
    /// (2 for the key/value pairs of a map), its header count updated to match.
    fn retain(&self, group: usize, keep: impl Fn(&[Frame]) -> bool) -> Frame {
        let children: Vec<Frame> =
            self.children.chunks(group).filter(|g| keep(g)).flatten().cloned().collect();
        let count = if self.raw[0] == b'%' { children.len() / 2 } else { children.len() };
        let mut raw = vec![self.raw[0]];
        raw.extend(format!("{count}\r\n").bytes());
        Frame { raw, children }
    }
}

/// Redis's `COMMAND INFO` reply with each container's subcommand list (element 9)
/// restricted to the subcommands in ours.
fn restrict_info(redis: Frame, ours: &Frame) -> Frame {
    let mut redis = redis;
    for (entry, our_entry) in redis.children.iter_mut().zip(&ours.children) {
        if entry.children.len() == 10 && our_entry.children.len() == 10 {
            let ours: Vec<&Frame> = our_entry.children[9].children.iter().map(|s| &s.children[0]).collect();
            let subs = entry.children[9].retain(1, |s| ours.contains(&&s[0].children[0]));
            entry.children[9] = subs;
        }
    }
    redis
}

/// Redis's `COMMAND DOCS` reply with each container's `subcommands` map restricted to
/// the subcommands in ours.
fn restrict_docs(redis: Frame, ours: &Frame) -> Frame {
    let mut redis = redis;
    for (doc, our_doc) in
        redis.children.iter_mut().skip(1).step_by(2).zip(ours.children.iter().skip(1).step_by(2))
    {
        let subs_at = |d: &Frame| {
            (0..d.children.len()).step_by(2).find(|&i| d.children[i].raw.ends_with(b"\r\nsubcommands\r\n"))
        };
        if let (Some(i), Some(j)) = (subs_at(doc), subs_at(our_doc)) {
            let ours: Vec<&Frame> = our_doc.children[j + 1].children.iter().step_by(2).collect();
            let subs = doc.children[i + 1].retain(2, |pair| ours.contains(&&pair[0]));
            doc.children[i + 1] = subs;
        }
    }
    redis
}

/// Sorts the subcommand lists of a `COMMAND INFO` reply (element 9 of each entry).
fn canon_info(mut f: Frame) -> Frame {
    for entry in f.children.iter_mut() {
        if entry.children.len() == 10 {
            let subs = &mut entry.children[9];
            subs.children = subs
                .children
                .drain(..)
                .map(|s| canon_info(Frame { raw: b"*1\r\n".to_vec(), children: vec![s] }).children.remove(0))
                .collect();
            subs.children.sort();
        }
    }
    f
}

/// Sorts the `subcommands` maps of a `COMMAND DOCS` reply by name.
fn canon_docs(mut f: Frame) -> Frame {
    if f.is_map() && f.children.len().is_multiple_of(2) {
        for i in (0..f.children.len()).step_by(2) {
            if f.children[i].raw.ends_with(b"subcommands\r\n") {
                let map = &mut f.children[i + 1];
                let mut pairs: Vec<(Frame, Frame)> =
                    map.children.chunks(2).map(|p| (p[0].clone(), canon_docs(p[1].clone()))).collect();
                pairs.sort();
                map.children = pairs.into_iter().flat_map(|(k, v)| [k, v]).collect();
            } else if !f.children[i + 1].children.is_empty() {
                let v = f.children[i + 1].clone();
                f.children[i + 1] = canon_docs(v);
            }
        }
    }
    f
}

/// Switches a connection to RESP3; false when the server has no HELLO.
fn hello3(c: &mut Conn) -> bool {
    !c.cmd(&["HELLO", "3"]).starts_with('-')
}

#[test]
fn every_command_info_and_docs_match_redis() {
    let ours = Proc::cinnabar(&[]);
    let reference = Proc::redis(&[]);
    let mut listing = ours.conn();
    let names = Frame::parse(&listing.cmd_bytes(&[b"COMMAND", b"LIST"]));
    let names: Vec<String> = names
        .children
        .iter()
        .map(|f| {
            let s = String::from_utf8_lossy(&f.raw).into_owned();
            s.split("\r\n").nth(1).unwrap().to_string()
        })
        .collect();
    assert!(names.len() > 10, "{names:?}");
    let mut failures = Vec::new();
    for proto in [2, 3] {
        let (mut a, mut b) = (ours.conn(), reference.conn());
        if proto == 3 && !(hello3(&mut a) && hello3(&mut b)) {
            eprintln!("no HELLO: RESP3 replies not compared");
            continue;
        }
        for name in &names {
            for sub in ["INFO", "DOCS"] {
                let args: [&[u8]; 3] = [b"COMMAND", sub.as_bytes(), name.as_bytes()];
                let (x, y) = (Frame::parse(&a.cmd_bytes(&args)), Frame::parse(&b.cmd_bytes(&args)));
                let (x, y) = if sub == "INFO" {
                    let y = restrict_info(y, &x);
                    (canon_info(x), canon_info(y))
                } else {
                    let y = restrict_docs(y, &x);
                    (canon_docs(x), canon_docs(y))
                };
                if x != y {
                    failures.push(format!(
                        "RESP{proto} COMMAND {sub} {name}\n ours: {:?}\n redis: {:?}",
                        String::from_utf8_lossy(&x.bytes()),
                        String::from_utf8_lossy(&y.bytes())
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}
