//! Server configuration: redis.conf syntax, `--name value` arguments, and the
//! parameter registry behind CONFIG GET/SET/REWRITE.
//!
//! Every parameter is declared once in [`PARAMS`] with its Redis name, how to read it
//! and how to set it. Start-up options, config files and CONFIG SET all go through it.

use crate::protocol::parser::split_inline;

#[derive(Clone, Debug)]
pub struct Config {
    pub port: u16,
    pub bind: Vec<String>,
    pub unixsocket: String,
    pub unixsocketperm: u32,
    pub databases: usize,
    pub requirepass: String,
    pub maxclients: usize,
    pub timeout: u64,
    pub tcp_keepalive: u64,
    pub tcp_backlog: u32,
    pub loglevel: String,
    pub logfile: String,
    pub dir: String,
    pub dbfilename: String,
    pub save: String,
    pub appendonly: bool,
    pub proto_max_bulk_len: i64,
    pub client_query_buffer_limit: i64,
    pub io_threads: usize,
    pub hz: u32,
    pub slowlog_log_slower_than: i64,
    pub slowlog_max_len: i64,
    pub maxmemory: i64,
    pub maxmemory_policy: String,
    pub daemonize: bool,
    pub pidfile: String,
    pub protected_mode: bool,
    pub active_expire_enabled: bool,
    pub lazyfree_lazy_user_flush: bool,
    /// Where the file given at start-up lives, for CONFIG REWRITE.
    pub config_file: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            port: 6379,
            bind: vec!["127.0.0.1".into()],
            unixsocket: String::new(),
            unixsocketperm: 0,
            databases: 16,
            requirepass: String::new(),
            maxclients: 10000,
            timeout: 0,
            tcp_keepalive: 300,
            tcp_backlog: 511,
            loglevel: "notice".into(),
            logfile: String::new(),
            dir: ".".into(),
            dbfilename: "dump.rdb".into(),
            save: "3600 1 300 100 60 10000".into(),
            appendonly: false,
            proto_max_bulk_len: 512 * 1024 * 1024,
            client_query_buffer_limit: 1024 * 1024 * 1024,
            io_threads: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            hz: 10,
            slowlog_log_slower_than: 10000,
            slowlog_max_len: 128,
            maxmemory: 0,
            maxmemory_policy: "noeviction".into(),
            daemonize: false,
            pidfile: String::new(),
            protected_mode: true,
            active_expire_enabled: true,
            lazyfree_lazy_user_flush: false,
            config_file: None,
        }
    }
}

type Getter = fn(&Config) -> String;
type Setter = fn(&mut Config, &str) -> Result<(), String>;

/// One configuration parameter.
pub struct Param {
    pub name: &'static str,
    pub get: Getter,
    pub set: Setter,
    /// Only settable at start-up (CONFIG SET answers "can't set immutable config").
    pub immutable: bool,
}

macro_rules! param {
    ($name:literal, $field:ident, $kind:ident) => {
        param!($name, $field, $kind, false)
    };
    ($name:literal, $field:ident, $kind:ident, $immutable:expr) => {
        Param {
            name: $name,
            get: |c| $kind::show(&c.$field),
            set: |c, v| {
                c.$field = $kind::parse(v)?;
                Ok(())
            },
            immutable: $immutable,
        }
    };
}

/// All parameters, in the order CONFIG REWRITE writes them.
pub static PARAMS: &[Param] = &[
    param!("port", port, Int, true),
    Param {
        name: "bind",
        get: |c| c.bind.join(" "),
        set: |c, v| {
            c.bind = v.split_whitespace().map(str::to_string).collect();
            Ok(())
        },
        immutable: true,
    },
    param!("unixsocket", unixsocket, Text, true),
    Param {
        name: "unixsocketperm",
        get: |c| format!("{:o}", c.unixsocketperm),
        set: |c, v| {
            c.unixsocketperm = u32::from_str_radix(v, 8).map_err(|_| "argument must be an octal number")?;
            Ok(())
        },
        immutable: true,
    },
    param!("databases", databases, Int, true),
    param!("requirepass", requirepass, Text),
    param!("maxclients", maxclients, Int),
    param!("timeout", timeout, Int),
    param!("tcp-keepalive", tcp_keepalive, Int),
    param!("tcp-backlog", tcp_backlog, Int, true),
    Param {
        name: "loglevel",
        get: |c| c.loglevel.clone(),
        set: |c, v| {
            let v = v.to_ascii_lowercase();
            if !["debug", "verbose", "notice", "warning", "nothing"].contains(&v.as_str()) {
                return Err(
                    "argument(s) must be one of the following: debug, verbose, notice, warning, nothing"
                        .into(),
                );
            }
            c.loglevel = v;
            Ok(())
        },
        immutable: false,
    },
    param!("logfile", logfile, Text, true),
    param!("dir", dir, Text),
    param!("dbfilename", dbfilename, Text),
    Param {
        name: "save",
        get: |c| c.save.clone(),
        set: |c, v| {
            let parts: Vec<&str> = v.split_whitespace().collect();
            if !parts.len().is_multiple_of(2) || parts.iter().any(|p| p.parse::<u64>().is_err()) {
                return Err("Invalid save parameters".into());
            }
            c.save = parts.join(" ");
            Ok(())
        },
        immutable: false,
    },
    param!("appendonly", appendonly, Bool),
    param!("proto-max-bulk-len", proto_max_bulk_len, Memory),
    param!("client-query-buffer-limit", client_query_buffer_limit, Memory),
    param!("io-threads", io_threads, Int, true),
    param!("hz", hz, Int),
    param!("slowlog-log-slower-than", slowlog_log_slower_than, Int),
    param!("slowlog-max-len", slowlog_max_len, Int),
    param!("maxmemory", maxmemory, Memory),
    param!("maxmemory-policy", maxmemory_policy, Text),
    param!("daemonize", daemonize, Bool, true),
    param!("pidfile", pidfile, Text, true),
    param!("protected-mode", protected_mode, Bool),
    param!("lazyfree-lazy-user-flush", lazyfree_lazy_user_flush, Bool),
];

pub fn find_param(name: &str) -> Option<&'static Param> {
    PARAMS.iter().find(|p| p.name.eq_ignore_ascii_case(name))
}

/// Value conversions for the kinds of parameters.
trait Kind<T> {
    fn show(v: &T) -> String;
    fn parse(s: &str) -> Result<T, String>;
}

struct Int;
struct Bool;
struct Text;
struct Memory;

impl<T: std::str::FromStr + ToString> Kind<T> for Int {
    fn show(v: &T) -> String {
        v.to_string()
    }
    fn parse(s: &str) -> Result<T, String> {
        s.parse().map_err(|_| "argument couldn't be parsed into an integer".into())
    }
}

impl Kind<bool> for Bool {
    fn show(v: &bool) -> String {
        if *v { "yes" } else { "no" }.into()
    }
    fn parse(s: &str) -> Result<bool, String> {
        match s.to_ascii_lowercase().as_str() {
            "yes" => Ok(true),
            "no" => Ok(false),
            _ => Err("argument must be 'yes' or 'no'".into()),
        }
    }
}

impl Kind<String> for Text {
    fn show(v: &String) -> String {
        v.clone()
    }
    fn parse(s: &str) -> Result<String, String> {
        Ok(s.to_string())
    }
}

impl Kind<i64> for Memory {
    fn show(v: &i64) -> String {
        v.to_string()
    }
    fn parse(s: &str) -> Result<i64, String> {
        parse_memory(s).ok_or_else(|| "argument must be a memory value".into())
    }
}

/// Parses `100`, `1k`, `5mb`, `2gb` (k = 1000, kb = 1024) as redis.conf does.
pub fn parse_memory(s: &str) -> Option<i64> {
    let lower = s.to_ascii_lowercase();
    let units: [(&str, i64); 6] =
        [("kb", 1024), ("mb", 1 << 20), ("gb", 1 << 30), ("k", 1000), ("m", 1_000_000), ("g", 1_000_000_000)];
    for (suffix, mul) in units {
        if let Some(num) = lower.strip_suffix(suffix) {
            return num.parse::<i64>().ok()?.checked_mul(mul);
        }
    }
    lower.parse().ok()
}

/// Applies `name value...` directives (one per line, redis.conf syntax).
pub fn apply_directives(cfg: &mut Config, text: &str, origin: &str) -> Result<(), String> {
    for (lineno, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut buf = Vec::new();
        let mut ranges = Vec::new();
        if !split_inline(line.as_bytes(), &mut buf, &mut ranges) {
            return Err(format!("{origin}:{}: unbalanced quotes in '{line}'", lineno + 1));
        }
        let words: Vec<String> =
            ranges.iter().map(|r| String::from_utf8_lossy(&buf[r.clone()]).into_owned()).collect();
        let (name, values) = words.split_first().expect("non-empty line has a word");
        let param = find_param(name).ok_or_else(|| {
            format!("{origin}:{}: Bad directive or wrong number of arguments: '{name}'", lineno + 1)
        })?;
        (param.set)(cfg, &values.join(" "))
            .map_err(|e| format!("{origin}:{}: invalid value for '{name}': {e}", lineno + 1))?;
    }
    Ok(())
}

/// Builds the configuration from the command line: an optional config file path,
/// then `--name value ...` options that override it.
pub fn from_args(args: &[String]) -> Result<Config, String> {
    let mut cfg = Config::default();
    let mut rest = args;
    if let Some(first) = args.first().filter(|a| !a.starts_with("--")) {
        let text =
            std::fs::read_to_string(first).map_err(|e| format!("can't open config file '{first}': {e}"))?;
        apply_directives(&mut cfg, &text, first)?;
        cfg.config_file =
            Some(std::fs::canonicalize(first).map_or(first.clone(), |p| p.display().to_string()));
        rest = &args[1..];
    }
    let mut directives = String::new();
    for arg in rest {
        if let Some(name) = arg.strip_prefix("--") {
            if !directives.is_empty() {
                directives.push('\n');
            }
            directives.push_str(name);
        } else {
            if directives.is_empty() {
                return Err(format!("unexpected argument '{arg}'"));
            }
            directives.push(' ');
            directives.push_str(&quote(arg));
        }
    }
    apply_directives(&mut cfg, &directives, "command line")?;
    Ok(cfg)
}

/// Quotes a value so [`split_inline`] reads it back as one word.
pub fn quote(v: &str) -> String {
    if !v.is_empty() && !v.contains(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == '\\') {
        return v.to_string();
    }
    let mut out = String::from("\"");
    for c in v.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_and_file_syntax() {
        let args: Vec<String> = ["--port", "7000", "--save", "", "--bind", "127.0.0.1", "::1"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let cfg = from_args(&args).unwrap();
        assert_eq!(cfg.port, 7000);
        assert_eq!(cfg.save, "");
        assert_eq!(cfg.bind, vec!["127.0.0.1", "::1"]);
        assert!(from_args(&["--nosuch".into(), "1".into()]).unwrap_err().contains("nosuch"));
        assert!(from_args(&["--port".into(), "x".into()]).is_err());
        assert_eq!(parse_memory("512mb"), Some(512 << 20));
        assert_eq!(parse_memory("1k"), Some(1000));
    }
}
