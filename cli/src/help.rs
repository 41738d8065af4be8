//! Command help and typing hints, built from the server's `COMMAND DOCS` reply: each
//! command (and subcommand) gets its syntax line, summary, version and group.

use crate::resp::Reply;

/// One documented command or subcommand.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Upper-case words, e.g. `["CONFIG", "GET"]`.
    pub words: Vec<String>,
    /// The arguments' syntax, e.g. `key value [NX|XX]`.
    pub params: String,
    pub summary: String,
    pub since: String,
    pub group: String,
}

impl Entry {
    pub fn name(&self) -> String {
        self.words.join(" ")
    }
}

/// All entries, sorted by name.
#[derive(Debug, Default)]
pub struct Docs {
    pub entries: Vec<Entry>,
}

fn text(r: &Reply) -> String {
    r.as_bytes().map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default()
}

fn field<'a>(doc: &'a Reply, name: &str) -> Option<&'a Reply> {
    doc.pairs().into_iter().find(|(k, _)| k.as_bytes() == Some(name.as_bytes())).map(|(_, v)| v)
}

/// The syntax of one argument, as redis-cli writes it: tokens upper-case, alternatives
/// joined by `|`, optional parts in brackets, repeated ones followed by `[... ...]`.
fn arg_syntax(arg: &Reply) -> String {
    let get = |name: &str| field(arg, name).map(text).unwrap_or_default();
    let kind = get("type");
    let token = get("token");
    let flags: Vec<String> = field(arg, "flags")
        .and_then(Reply::elements)
        .map(|f| f.iter().map(text).collect())
        .unwrap_or_default();
    let has = |f: &str| flags.iter().any(|x| x == f);
    let children: Vec<String> = field(arg, "arguments")
        .and_then(Reply::elements)
        .map(|a| a.iter().map(arg_syntax).collect())
        .unwrap_or_default();
    let core = match kind.as_str() {
        "pure-token" => String::new(),
        "oneof" => children.join("|"),
        "block" => children.join(" "),
        _ => get("name"),
    };
    let with_token = |s: &str| match (token.is_empty(), s.is_empty()) {
        (true, _) => s.to_string(),
        (false, true) => token.clone(),
        (false, false) => format!("{token} {s}"),
    };
    let mut out = with_token(&core);
    if has("multiple") {
        let again = if has("multiple_token") { with_token(&core) } else { core.clone() };
        out = format!("{out} [{again} ...]");
    }
    if has("optional") {
        out = format!("[{out}]");
    }
    out
}

fn entry(words: Vec<String>, doc: &Reply) -> Entry {
    let get = |name: &str| field(doc, name).map(text).unwrap_or_default();
    let params = field(doc, "arguments")
        .and_then(Reply::elements)
        .map(|a| a.iter().map(arg_syntax).collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    Entry { words, params, summary: get("summary"), since: get("since"), group: get("group") }
}

impl Docs {
    /// Builds the table from a `COMMAND DOCS` reply (RESP2 array or RESP3 map).
    pub fn from_reply(reply: &Reply) -> Docs {
        let mut entries = Vec::new();
        for (name, doc) in reply.pairs() {
            let name = text(name).to_uppercase();
            entries.push(entry(vec![name.clone()], doc));
            if let Some(subs) = field(doc, "subcommands") {
                for (sub, sdoc) in subs.pairs() {
                    let full = text(sub).to_uppercase();
                    let last = full.rsplit('|').next().unwrap_or(&full).to_string();
                    entries.push(entry(vec![name.clone(), last], sdoc));
                }
            }
        }
        entries.sort_by_key(|e| e.name());
        Docs { entries }
    }

    /// Text for `help <words>`: the entries of a group (`@string`) or the commands whose
    /// names start with the given words.
    pub fn help(&self, words: &[String]) -> String {
        let mut out = String::new();
        let group = words.len() == 1 && words[0].starts_with('@');
        for e in &self.entries {
            let matched = if group {
                e.group.eq_ignore_ascii_case(&words[0][1..])
            } else {
                words.len() <= e.words.len()
                    && words.iter().zip(&e.words).all(|(a, b)| a.eq_ignore_ascii_case(b))
            };
            if !matched {
                continue;
            }
            out.push_str(&format!("\n  {} {}\n", e.name(), e.params));
            out.push_str(&format!("  summary: {}\n  since: {}\n", e.summary, e.since));
            if !group {
                out.push_str(&format!("  group: {}\n", e.group));
            }
        }
        out.push('\n');
        out
    }

    /// The entry for the typed words: a two-word (subcommand) match first, then the
    /// command alone. Returns it with how many typed words its name used.
    fn lookup(&self, typed: &[String]) -> Option<(&Entry, usize)> {
        let find = |n: usize| {
            self.entries.iter().find(|e| {
                e.words.len() == n && typed.iter().zip(&e.words).all(|(a, b)| a.eq_ignore_ascii_case(b))
            })
        };
        if typed.len() >= 2 {
            if let Some(e) = find(2) {
                return Some((e, 2));
            }
        }
        find(1).map(|e| (e, 1))
    }

    /// The grey hint shown after the typed line: the syntax still to type, losing one
    /// leading word per argument typed until an optional part (`[`) starts it.
    pub fn hint(&self, line: &str) -> Option<String> {
        let typed: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        if typed.is_empty() {
            return None;
        }
        let (entry, used) = self.lookup(&typed)?;
        let ends_with_space = line.ends_with(' ');
        let mut hint = entry.params.as_str();
        for _ in used..typed.len() {
            if hint.starts_with('[') || hint.is_empty() {
                break;
            }
            hint = hint.split_once(' ').map(|(_, rest)| rest).unwrap_or("");
        }
        if hint.is_empty() {
            return None;
        }
        Some(if ends_with_space { hint.to_string() } else { format!(" {hint}") })
    }

    /// Command names starting with `prefix` (for Tab completion), in the prefix's case.
    pub fn complete(&self, prefix: &str) -> Vec<String> {
        let lower = prefix.chars().next().is_some_and(|c| c.is_lowercase());
        let mut names: Vec<String> = self
            .entries
            .iter()
            .filter(|e| e.words.len() == 1 && e.words[0].starts_with(&prefix.to_uppercase()))
            .map(|e| if lower { e.words[0].to_lowercase() } else { e.words[0].clone() })
            .collect();
        names.dedup();
        names
    }
}

/// What a bare `help` prints.
pub fn general_help() -> String {
    format!(
        "cinnabar-cli {}\n\
         To get help about Redis commands type:\n      \
         \"help @<group>\" to get a list of commands in <group>\n      \
         \"help <command>\" for help on <command>\n      \
         \"help <tab>\" to get a list of possible help topics\n      \
         \"quit\" to exit\n",
        env!("CARGO_PKG_VERSION")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Reply {
        Reply::Bulk(s.as_bytes().to_vec())
    }

    fn map(pairs: Vec<(&str, Reply)>) -> Reply {
        Reply::Map(pairs.into_iter().map(|(k, v)| (bulk(k), v)).collect())
    }

    fn arg(name: &str, kind: &str, token: Option<&str>, flags: &[&str], args: Vec<Reply>) -> Reply {
        let mut p = vec![("name", bulk(name)), ("type", bulk(kind))];
        if let Some(t) = token {
            p.push(("token", bulk(t)));
        }
        if !flags.is_empty() {
            p.push((
                "flags",
                Reply::Set(flags.iter().map(|f| Reply::Status(f.as_bytes().to_vec())).collect()),
            ));
        }
        if !args.is_empty() {
            p.push(("arguments", Reply::Array(args)));
        }
        map(p)
    }

    fn docs() -> Docs {
        let set_args = vec![
            arg("key", "key", None, &[], vec![]),
            arg("value", "string", None, &[], vec![]),
            arg(
                "condition",
                "oneof",
                None,
                &["optional"],
                vec![
                    arg("nx", "pure-token", Some("NX"), &[], vec![]),
                    arg("xx", "pure-token", Some("XX"), &[], vec![]),
                ],
            ),
            arg("pattern", "pattern", Some("GET"), &["optional", "multiple", "multiple_token"], vec![]),
        ];
        let set = map(vec![
            ("summary", bulk("Set it")),
            ("since", bulk("1.0.0")),
            ("group", bulk("string")),
            ("arguments", Reply::Array(set_args)),
        ]);
        Docs::from_reply(&map(vec![("set", set)]))
    }

    #[test]
    fn syntax_and_hints() {
        let d = docs();
        assert_eq!(d.entries[0].params, "key value [NX|XX] [GET pattern [GET pattern ...]]");
        assert_eq!(d.hint("set").unwrap(), " key value [NX|XX] [GET pattern [GET pattern ...]]");
        assert_eq!(d.hint("SET k ").unwrap(), "value [NX|XX] [GET pattern [GET pattern ...]]");
        assert_eq!(d.hint("set k v x ").unwrap(), "[NX|XX] [GET pattern [GET pattern ...]]");
        assert_eq!(d.hint("nosuch "), None);
        assert!(d.help(&["set".into()]).contains("\n  SET key value"));
        assert!(d.help(&["@string".into()]).contains("summary: Set it\n  since: 1.0.0\n"));
        assert_eq!(d.help(&["foo".into()]), "\n");
        assert_eq!(d.complete("se"), vec!["set"]);
    }
}
