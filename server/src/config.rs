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
    pub maxmemory: u64,
    pub maxmemory_policy: String,
    pub daemonize: bool,
    pub pidfile: String,
    pub protected_mode: bool,
    pub active_expire_enabled: bool,
    pub lazyfree_lazy_user_flush: bool,
    /// Turn transparent huge pages off for this process (Redis's `disable-thp`).
    pub disable_thp: bool,
    /// Per-command latency histograms for INFO latencystats.
    pub latency_tracking: bool,
    /// The percentiles INFO latencystats reports.
    pub latency_percentiles: Vec<f64>,
    /// Whether DEBUG may run: `no`, `yes`, or `local` (loopback and unix socket only).
    pub enable_debug_command: String,
    /// Whether CONFIG SET may change protected parameters (`dir`, `dbfilename`).
    pub enable_protected_configs: String,
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
            disable_thp: true,
            latency_tracking: true,
            latency_percentiles: vec![50.0, 99.0, 99.9],
            enable_debug_command: "no".into(),
            enable_protected_configs: "no".into(),
            config_file: None,
        }
    }
}

type Getter = fn(&Config) -> String;
type Setter = fn(&mut Config, &str) -> Result<(), String>;
type Apply = fn(&Config) -> Result<(), String>;

/// When a parameter may change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// CONFIG SET may change it.
    Mutable,
    /// Only at start-up ("can't set immutable config").
    Immutable,
    /// CONFIG SET only with `enable-protected-configs` ("can't set protected config").
    Protected,
}

/// One configuration parameter.
pub struct Param {
    pub name: &'static str,
    pub get: Getter,
    pub set: Setter,
    pub mode: Mode,
    /// Takes effect outside the configuration (e.g. changing directory), run once a
    /// new value is accepted.
    pub apply: Option<Apply>,
}

use Mode::{Immutable, Mutable, Protected};

/// Changes the running logger's level; installed by the binary once logging is up.
pub static LOG_LEVEL_HOOK: std::sync::OnceLock<LogLevelHook> = std::sync::OnceLock::new();

pub type LogLevelHook = Box<dyn Fn(&str) + Send + Sync>;

/// An integer parameter with Redis's bounds and error texts.
macro_rules! int {
    ($name:literal, $field:ident, $min:expr, $max:expr, $mode:expr) => {
        Param {
            name: $name,
            get: |c| c.$field.to_string(),
            set: |c, v| {
                let n = parse_int(v)?;
                c.$field =
                    bounded(n, $min, $max)?.try_into().map_err(|_| "argument out of range".to_string())?;
                Ok(())
            },
            mode: $mode,
            apply: None,
        }
    };
}

/// A memory-size parameter (`5mb`, `1gb`, bytes), with bounds.
macro_rules! memory {
    ($name:literal, $field:ident, $min:expr, $max:expr, $mode:expr) => {
        Param {
            name: $name,
            get: |c| c.$field.to_string(),
            set: |c, v| {
                let n = parse_memory(v).ok_or_else(|| "argument must be a memory value".to_string())?;
                if !($min..=$max).contains(&n) {
                    return Err(format!("argument must be between {} and {} inclusive", $min, $max));
                }
                c.$field = n.try_into().map_err(|_| "argument out of range".to_string())?;
                Ok(())
            },
            mode: $mode,
            apply: None,
        }
    };
}

macro_rules! boolean {
    ($name:literal, $field:ident, $mode:expr) => {
        Param {
            name: $name,
            get: |c| if c.$field { "yes" } else { "no" }.to_string(),
            set: |c, v| {
                c.$field = parse_bool(v)?;
                Ok(())
            },
            mode: $mode,
            apply: None,
        }
    };
}

macro_rules! text {
    ($name:literal, $field:ident, $mode:expr) => {
        Param {
            name: $name,
            get: |c| c.$field.clone(),
            set: |c, v| {
                c.$field = v.to_string();
                Ok(())
            },
            mode: $mode,
            apply: None,
        }
    };
}

/// One of a fixed set of words.
macro_rules! choice {
    ($name:literal, $field:ident, $choices:expr, $mode:expr) => {
        Param {
            name: $name,
            get: |c| c.$field.clone(),
            set: |c, v| {
                c.$field = parse_choice(v, $choices)?;
                Ok(())
            },
            mode: $mode,
            apply: None,
        }
    };
}

const LOGLEVELS: &[&str] = &["debug", "verbose", "notice", "warning"];
const POLICIES: &[&str] = &[
    "volatile-lru",
    "volatile-lfu",
    "volatile-random",
    "volatile-ttl",
    "allkeys-lru",
    "allkeys-lfu",
    "allkeys-random",
    "noeviction",
];
const ENABLE: &[&str] = &["no", "yes", "local"];
const INT_MAX: i64 = i32::MAX as i64;

/// All parameters, in the order CONFIG REWRITE appends them.
pub static PARAMS: &[Param] = &[
    int!("port", port, 0, 65535, Immutable),
    Param {
        name: "bind",
        get: |c| c.bind.join(" "),
        set: |c, v| {
            c.bind = v.split_whitespace().map(str::to_string).collect();
            Ok(())
        },
        mode: Immutable,
        apply: None,
    },
    text!("unixsocket", unixsocket, Immutable),
    Param {
        name: "unixsocketperm",
        get: |c| format!("{:o}", c.unixsocketperm),
        set: |c, v| {
            let n = u32::from_str_radix(v, 8).map_err(|_| "argument couldn't be parsed into an integer")?;
            c.unixsocketperm = bounded(n as i64, 0, 0o777)? as u32;
            Ok(())
        },
        mode: Immutable,
        apply: None,
    },
    int!("databases", databases, 1, INT_MAX, Immutable),
    text!("requirepass", requirepass, Mutable),
    int!("maxclients", maxclients, 1, u32::MAX as i64, Mutable),
    int!("timeout", timeout, 0, INT_MAX, Mutable),
    int!("tcp-keepalive", tcp_keepalive, 0, INT_MAX, Mutable),
    int!("tcp-backlog", tcp_backlog, 0, INT_MAX, Immutable),
    Param {
        apply: Some(|c| {
            if let Some(set_level) = LOG_LEVEL_HOOK.get() {
                set_level(&c.loglevel);
            }
            Ok(())
        }),
        ..choice!("loglevel", loglevel, LOGLEVELS, Mutable)
    },
    text!("logfile", logfile, Immutable),
    Param {
        name: "dir",
        // The working directory, absolute, as Redis reports it.
        get: |c| std::env::current_dir().map_or_else(|_| c.dir.clone(), |d| d.display().to_string()),
        set: |c, v| {
            c.dir = v.to_string();
            Ok(())
        },
        mode: Protected,
        apply: Some(|c| std::env::set_current_dir(&c.dir).map_err(|e| io_error_text(&e))),
    },
    text!("dbfilename", dbfilename, Protected),
    Param {
        name: "save",
        get: |c| c.save.clone(),
        set: |c, v| {
            c.save = parse_save(v)?;
            Ok(())
        },
        mode: Mutable,
        apply: None,
    },
    boolean!("appendonly", appendonly, Mutable),
    memory!("proto-max-bulk-len", proto_max_bulk_len, 1024 * 1024, i64::MAX as u64, Mutable),
    memory!("client-query-buffer-limit", client_query_buffer_limit, 1024 * 1024, i64::MAX as u64, Mutable),
    int!("io-threads", io_threads, 1, 128, Immutable),
    Param {
        name: "hz",
        get: |c| c.hz.to_string(),
        set: |c, v| {
            let n = parse_int(v)?;
            // Accepted up to INT_MAX like Redis, then held to the range the server runs at.
            c.hz = bounded(n, 0, INT_MAX)?.clamp(1, 500) as u32;
            Ok(())
        },
        mode: Mutable,
        apply: None,
    },
    int!("slowlog-log-slower-than", slowlog_log_slower_than, -1, i64::MAX, Mutable),
    int!("slowlog-max-len", slowlog_max_len, 0, i64::MAX, Mutable),
    memory!("maxmemory", maxmemory, 0, u64::MAX, Mutable),
    choice!("maxmemory-policy", maxmemory_policy, POLICIES, Mutable),
    boolean!("daemonize", daemonize, Immutable),
    text!("pidfile", pidfile, Immutable),
    boolean!("protected-mode", protected_mode, Mutable),
    boolean!("lazyfree-lazy-user-flush", lazyfree_lazy_user_flush, Mutable),
    boolean!("disable-thp", disable_thp, Immutable),
    boolean!("latency-tracking", latency_tracking, Mutable),
    Param {
        name: "latency-tracking-info-percentiles",
        get: |c| c.latency_percentiles.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(" "),
        set: |c, v| {
            let mut parsed = Vec::new();
            for p in v.split_whitespace() {
                let p: f64 = p.parse().map_err(|_| "Invalid latency-tracking-info-percentiles parameters")?;
                if !(0.0..=100.0).contains(&p) {
                    return Err(
                        "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]".into(),
                    );
                }
                parsed.push(p);
            }
            c.latency_percentiles = parsed;
            Ok(())
        },
        mode: Mutable,
        apply: None,
    },
    choice!("enable-debug-command", enable_debug_command, ENABLE, Immutable),
    choice!("enable-protected-configs", enable_protected_configs, ENABLE, Immutable),
];

pub fn find_param(name: &str) -> Option<&'static Param> {
    PARAMS.iter().find(|p| p.name.eq_ignore_ascii_case(name))
}

/// An integer as Redis reads one: optional `-`, digits, no leading zeros or `+`.
fn parse_int(v: &str) -> Result<i64, String> {
    crate::protocol::parser::parse_i64(v.as_bytes())
        .ok_or_else(|| "argument couldn't be parsed into an integer".into())
}

fn bounded(n: i64, min: i64, max: i64) -> Result<i64, String> {
    if n < min || n > max {
        return Err(format!("argument must be between {min} and {max} inclusive"));
    }
    Ok(n)
}

fn parse_bool(s: &str) -> Result<bool, String> {
    match s.to_ascii_lowercase().as_str() {
        "yes" => Ok(true),
        "no" => Ok(false),
        _ => Err("argument must be 'yes' or 'no'".into()),
    }
}

fn parse_choice(s: &str, choices: &[&str]) -> Result<String, String> {
    let lower = s.to_ascii_lowercase();
    if choices.contains(&lower.as_str()) {
        return Ok(lower);
    }
    Err(format!("argument(s) must be one of the following: {}", choices.join(", ")))
}

/// `save` takes pairs of (seconds, changes); "" disables snapshots.
fn parse_save(v: &str) -> Result<String, String> {
    let parts: Vec<&str> = v.split_whitespace().collect();
    if !parts.len().is_multiple_of(2) || parts.iter().any(|p| p.parse::<u64>().is_err()) {
        return Err("Invalid save parameters".into());
    }
    Ok(parts.join(" "))
}

/// An OS error as C's `strerror` words it (without Rust's " (os error N)").
pub fn io_error_text(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Parses a memory size as redis.conf does: digits, then optionally `b`, `k`, `kb`,
/// `m`, `mb`, `g` or `gb` in any case (k = 1000, kb = 1024). Sizes past the largest
/// 64-bit value saturate, as Redis's `strtoull` does; no digits at all reads as 0
/// (Redis accepts `""` and `kb`).
pub fn parse_memory(s: &str) -> Option<u64> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let mul: u64 = match s[digits..].to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1_000_000,
        "mb" => 1 << 20,
        "g" => 1_000_000_000,
        "gb" => 1 << 30,
        _ => return None,
    };
    let n = s[..digits].bytes().fold(0u64, |n, c| n.saturating_mul(10).saturating_add((c - b'0') as u64));
    Some(n.saturating_mul(mul))
}

/// Applies `name value...` directives (one per line, redis.conf syntax). Errors name
/// the line and the reason, like Redis's "FATAL CONFIG FILE ERROR".
pub fn apply_directives(cfg: &mut Config, text: &str, origin: &str) -> Result<(), String> {
    let mut state = LoadState::default();
    apply_text(cfg, text, origin, &mut state, 0)
}

/// What loading remembers across lines and included files.
#[derive(Default)]
struct LoadState {
    /// The first `save` line replaces the default save points; later ones add to them.
    save_seen: bool,
}

/// How deep `include` may nest (stops include loops).
const MAX_INCLUDE_DEPTH: usize = 16;

fn apply_text(
    cfg: &mut Config,
    text: &str,
    origin: &str,
    state: &mut LoadState,
    depth: usize,
) -> Result<(), String> {
    for (lineno, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fail = |reason: &str| {
            format!(
                "Reading the configuration file ({origin}), at line {}\n>>> '{line}'\n{reason}",
                lineno + 1
            )
        };
        let mut buf = Vec::new();
        let mut ranges = Vec::new();
        if !split_inline(line.as_bytes(), &mut buf, &mut ranges) {
            return Err(fail("Unbalanced quotes in configuration line"));
        }
        let words: Vec<String> =
            ranges.iter().map(|r| String::from_utf8_lossy(&buf[r.clone()]).into_owned()).collect();
        let Some((name, values)) = words.split_first() else {
            continue;
        };
        if name.eq_ignore_ascii_case("include") {
            let [path] = values else {
                return Err(fail("Bad directive or wrong number of arguments"));
            };
            if depth >= MAX_INCLUDE_DEPTH {
                return Err(fail("Too many nested includes"));
            }
            let text = std::fs::read_to_string(path)
                .map_err(|e| fail(&format!("Can't open the included file: {}", io_error_text(&e))))?;
            apply_text(cfg, &text, path, state, depth + 1)?;
            continue;
        }
        let param = find_param(name).ok_or_else(|| fail("Bad directive or wrong number of arguments"))?;
        let multi_word = matches!(param.name, "bind" | "save" | "latency-tracking-info-percentiles");
        if values.is_empty() || (!multi_word && values.len() != 1) {
            return Err(fail("wrong number of arguments"));
        }
        let mut value = values.join(" ");
        if param.name == "save" {
            if state.save_seen && !value.is_empty() && !cfg.save.is_empty() {
                value = format!("{} {value}", cfg.save);
            }
            state.save_seen = true;
        }
        (param.set)(cfg, &value).map_err(|e| fail(&e))?;
    }
    Ok(())
}

/// Builds the configuration from the command line: an optional config file path,
/// then `--name value ...` options that override it.
pub fn from_args(args: &[String]) -> Result<Config, String> {
    let mut cfg = Config::default();
    let mut rest = args;
    if let Some(first) = args.first().filter(|a| !a.starts_with("--")) {
        let text = std::fs::read_to_string(first)
            .map_err(|e| format!("Fatal error, can't open config file '{first}': {}", io_error_text(&e)))?;
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
                return Err(format!("Invalid argument '{arg}': options are given as --name value"));
            }
            directives.push(' ');
            directives.push_str(&quote(arg));
        }
    }
    apply_directives(&mut cfg, &directives, "command line")?;
    Ok(cfg)
}

/// The lines `name value` that state a parameter's current value in a config file.
fn directive_lines(p: &Param, cfg: &Config) -> Vec<String> {
    let value = (p.get)(cfg);
    match p.name {
        "save" if value.is_empty() => vec!["save \"\"".into()],
        "save" => {
            let parts: Vec<&str> = value.split(' ').collect();
            parts.chunks(2).map(|pair| format!("save {}", pair.join(" "))).collect()
        }
        "bind" => vec![format!("bind {value}")],
        _ => vec![format!("{} {}", p.name, quote(&value))],
    }
}

/// The first word of a config line, lowercased, if it names a parameter.
fn line_param(line: &str) -> Option<&'static Param> {
    let first = line.split_whitespace().next()?;
    find_param(first)
}

/// CONFIG REWRITE: rewrites `path` so it states the current configuration. Comments,
/// blank lines, `include`s and unknown lines stay; each parameter's first line is
/// replaced by its current value and its other lines dropped; parameters the file did
/// not mention are appended when they differ from the default. The new file replaces
/// the old one atomically.
pub fn rewrite(cfg: &Config, path: &str) -> Result<(), String> {
    let old = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(io_error_text(&e)),
    };
    let mut out = Vec::new();
    let mut written: Vec<&str> = Vec::new();
    for line in old.lines() {
        let trimmed = line.trim();
        match line_param(trimmed).filter(|_| !trimmed.starts_with('#')) {
            Some(p) if written.contains(&p.name) => {}
            Some(p) => {
                written.push(p.name);
                out.extend(directive_lines(p, cfg));
            }
            None => out.push(line.to_string()),
        }
    }
    const MARKER: &str = "# Generated by CONFIG REWRITE";
    let defaults = Config::default();
    let mut appended = false;
    for p in PARAMS {
        if written.contains(&p.name) || (p.get)(cfg) == (p.get)(&defaults) {
            continue;
        }
        if !appended && !out.iter().any(|l| l == MARKER) {
            out.push(MARKER.to_string());
        }
        appended = true;
        out.extend(directive_lines(p, cfg));
    }
    let mut text = out.join("\n");
    text.push('\n');
    let tmp = format!("{path}.tmp-{}", std::process::id());
    std::fs::write(&tmp, text).map_err(|e| io_error_text(&e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io_error_text(&e)
    })
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
