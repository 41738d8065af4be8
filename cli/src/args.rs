//! Command-line options, parsed the way redis-cli parses them: options come first, an
//! option's value is the next word, numbers are read like C's `atoi`, and the first word
//! that is not an option starts the command. (A derive-based parser such as clap would
//! reject or reorder some of these forms, e.g. `-p abc` or `-3`, so this is hand-written.)

use crate::format::Output;

/// What the client does once connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One-shot command, commands from stdin, or the interactive prompt.
    Normal,
    Pipe,
    Stat,
    Latency,
}

/// Where to connect: TCP host and port, or a unix socket path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub host: String,
    pub port: u16,
    pub socket: Option<String>,
}

impl Target {
    /// `host:port` or the socket path, as redis-cli names the server in messages.
    pub fn describe(&self) -> String {
        match &self.socket {
            Some(path) => path.clone(),
            None => format!("{}:{}", self.host, self.port),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    pub target: Target,
    pub user: Option<String>,
    pub pass: Option<String>,
    pub db: i64,
    pub resp3: bool,
    pub output: Output,
    /// `-r`: how often to run the command (-1: forever), or how many --stat lines.
    pub repeat: Option<i64>,
    /// Seconds between repetitions, and the --stat / --latency period.
    pub interval: Option<f64>,
    pub stdin_last_arg: bool,
    pub exit_on_error: bool,
    pub bulk_delim: Vec<u8>,
    pub reply_delim: Vec<u8>,
    pub mode: Mode,
    pub pipe_timeout: u64,
    pub no_auth_warning: bool,
    pub quoted_input: bool,
    pub command: Vec<Vec<u8>>,
}

/// What the command line asks for besides running.
pub enum Parsed {
    Run(Box<Options>),
    Help,
    Version,
    /// A message for stderr, then exit status 1.
    Fail(String),
}

/// C `atoi`: leading blanks, a sign, digits; anything else ends the number.
fn atoi(s: &str) -> i64 {
    let s = s.trim_start();
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mut n: i64 = 0;
    for c in digits.bytes().take_while(u8::is_ascii_digit) {
        n = n.wrapping_mul(10).wrapping_add((c - b'0') as i64);
    }
    if neg {
        -n
    } else {
        n
    }
}

/// C `strtod` prefix parse, enough for intervals like `0.1` or `2`.
fn atof(s: &str) -> f64 {
    let s = s.trim_start();
    let end = s
        .char_indices()
        .take_while(|&(i, c)| c.is_ascii_digit() || c == '.' || (i == 0 && (c == '-' || c == '+')))
        .map(|(i, c)| i + c.len_utf8())
        .last()
        .unwrap_or(0);
    s[..end].parse().unwrap_or(0.0)
}

/// Decodes `%HH` escapes in the user and password parts of a URI.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (b[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Applies `redis://[[user]:pass@]host[:port][/db]` to the options.
fn apply_uri(opts: &mut Options, uri: &str) -> Result<(), String> {
    let Some(rest) = uri.strip_prefix("redis://") else {
        if uri.starts_with("rediss://") {
            return Err("Transport Layer Security (TLS) is not supported by cinnabar-cli".into());
        }
        return Err("Invalid URI scheme".into());
    };
    let (userinfo, rest) = match rest.rfind('@') {
        Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
        None => (None, rest),
    };
    if let Some(info) = userinfo {
        match info.split_once(':') {
            Some((user, pass)) => {
                if !user.is_empty() {
                    opts.user = Some(percent_decode(user));
                }
                opts.pass = Some(percent_decode(pass));
            }
            None => opts.pass = Some(percent_decode(info)),
        }
    }
    let (hostport, path) = match rest.find('/') {
        Some(slash) => (&rest[..slash], &rest[slash + 1..]),
        None => (rest, ""),
    };
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (hostport, None),
    };
    if !host.is_empty() {
        opts.target.host = host.to_string();
    }
    if let Some(p) = port {
        opts.target.port = atoi(p) as u16;
    }
    if !path.is_empty() {
        opts.db = atoi(path);
    }
    Ok(())
}

/// Parses `argv` (without the program name). `stdout_tty` picks the default output.
pub fn parse(argv: &[String], stdout_tty: bool) -> Parsed {
    let mut o = Options {
        target: Target { host: "127.0.0.1".into(), port: 6379, socket: None },
        user: None,
        pass: None,
        db: 0,
        resp3: false,
        output: if stdout_tty { Output::Standard } else { Output::Raw },
        repeat: None,
        interval: None,
        stdin_last_arg: false,
        exit_on_error: false,
        bulk_delim: b"\n".to_vec(),
        reply_delim: b"\n".to_vec(),
        mode: Mode::Normal,
        pipe_timeout: 30,
        no_auth_warning: false,
        quoted_input: false,
        command: Vec::new(),
    };
    let mut password_on_command_line = false;
    let mut i = 0;
    while i < argv.len() {
        let arg = argv[i].as_str();
        let value = argv.get(i + 1).map(String::as_str);
        let mut took_value = true;
        match (arg, value) {
            ("-h", Some(v)) => o.target.host = v.to_string(),
            ("-p", Some(v)) => o.target.port = atoi(v) as u16,
            ("-s", Some(v)) => o.target.socket = Some(v.to_string()),
            ("-a" | "--pass", Some(v)) => {
                o.pass = Some(v.to_string());
                password_on_command_line = true;
            }
            ("--user", Some(v)) => o.user = Some(v.to_string()),
            ("-u", Some(v)) => {
                if let Err(e) = apply_uri(&mut o, v) {
                    return Parsed::Fail(e);
                }
                password_on_command_line |= o.pass.is_some();
            }
            ("-n", Some(v)) => o.db = atoi(v),
            ("-r", Some(v)) => o.repeat = Some(atoi(v)),
            ("-i", Some(v)) => o.interval = Some(atof(v)),
            ("-d", Some(v)) => o.bulk_delim = v.as_bytes().to_vec(),
            ("-D", Some(v)) => o.reply_delim = v.as_bytes().to_vec(),
            ("--pipe-timeout", Some(v)) => o.pipe_timeout = atoi(v).max(0) as u64,
            _ => {
                took_value = false;
                match arg {
                    "-3" => o.resp3 = true,
                    "-2" => o.resp3 = false,
                    "-x" => o.stdin_last_arg = true,
                    "-e" => o.exit_on_error = true,
                    "--raw" => o.output = Output::Raw,
                    "--no-raw" => o.output = Output::Standard,
                    "--pipe" => o.mode = Mode::Pipe,
                    "--stat" => o.mode = Mode::Stat,
                    "--latency" => o.mode = Mode::Latency,
                    "--no-auth-warning" => o.no_auth_warning = true,
                    "--quoted-input" => o.quoted_input = true,
                    "--help" => return Parsed::Help,
                    "-v" | "--version" => return Parsed::Version,
                    _ if arg.starts_with('-') => {
                        return Parsed::Fail(format!(
                            "Unrecognized option or bad number of args for: '{arg}'"
                        ))
                    }
                    _ => break,
                }
            }
        }
        i += if took_value { 2 } else { 1 };
    }
    if o.pass.is_none() {
        o.pass = std::env::var("REDISCLI_AUTH").ok();
    }
    if password_on_command_line && !o.no_auth_warning {
        eprintln!(
            "Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe."
        );
    }
    for word in &argv[i..] {
        if o.quoted_input {
            match crate::split::split_args(word) {
                Some(mut parts) if parts.len() == 1 => o.command.push(parts.remove(0)),
                _ => return Parsed::Fail(format!("Invalid quoted string specified: '{word}'")),
            }
        } else {
            o.command.push(word.as_bytes().to_vec());
        }
    }
    Parsed::Run(Box::new(o))
}

/// `--help` text: redis-cli's layout, limited to what this client supports.
pub const USAGE: &str = "\
Usage: cinnabar-cli [OPTIONS] [cmd [arg [arg ...]]]
  -h <hostname>      Server hostname (default: 127.0.0.1).
  -p <port>          Server port (default: 6379).
  -s <socket>        Server socket (overrides hostname and port).
  -a <password>      Password to use when connecting to the server.
                     You can also use the REDISCLI_AUTH environment
                     variable to pass this password more safely
                     (if both are used, this argument takes precedence).
  --user <username>  Used to send ACL style 'AUTH username pass'. Needs -a.
  --pass <password>  Alias of -a for consistency with the new --user option.
  -u <uri>           Server URI (redis://[[user]:pass@]host[:port][/db]).
  -r <repeat>        Execute specified command N times (-1: forever).
  -i <interval>      When -r is used, waits <interval> seconds per command.
                     It is possible to specify sub-second times like -i 0.1.
                     This interval is also used in --stat and --latency.
  -n <db>            Database number.
  -2                 Start session in RESP2 protocol mode.
  -3                 Start session in RESP3 protocol mode.
  -x                 Read last argument from STDIN.
  -d <delimiter>     Delimiter between response bulks for raw formatting (default: \\n).
  -D <delimiter>     Delimiter between responses for raw formatting (default: \\n).
  -e                 Return exit error code when command execution fails.
  --raw              Use raw formatting for replies (default when STDOUT is
                     not a tty).
  --no-raw           Force formatted output even when STDOUT is not a tty.
  --quoted-input     Force input to be handled as quoted strings.
  --stat             Print rolling stats about server: mem, clients, ...
                     Runs until Ctrl-C, or -r times when -r is given.
  --latency          Enter a special mode continuously sampling latency.
                     If you use this mode in an interactive session it runs
                     forever displaying real-time stats. Otherwise if --raw is
                     specified, or if you redirect the output to a non
                     TTY, it samples the latency for 1 second (you can use
                     -i to change the interval), then produces a single output
                     and exits.
  --pipe             Transfer raw Redis protocol from stdin to server.
  --pipe-timeout <n> In --pipe mode, abort with error if after sending all data.
                     no reply is received within <n> seconds.
                     Default timeout: 30. Use 0 to wait forever.
  --no-auth-warning  Don't show warning message when using password on command
                     line interface.
  --help             Output this help and exit.
  --version          Output version and exit.

Examples:
  cat /etc/passwd | cinnabar-cli -x set mypasswd
  cinnabar-cli -r 100 lpush mylist x
  cinnabar-cli -r 100 -i 1 info | grep used_memory_human:
  cinnabar-cli --quoted-input set '\"null-\\x00-separated\"' value

When no command is given, cinnabar-cli starts in interactive mode.
Type \"help\" in interactive mode for information on available commands
and settings.
";

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Options {
        let argv: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        match parse(&argv, true) {
            Parsed::Run(o) => *o,
            _ => panic!("not a run"),
        }
    }

    #[test]
    fn options_then_command() {
        let o = run(&["-p", "7000", "-n", "2", "-3", "incr", "-5"]);
        assert_eq!(o.target.port, 7000);
        assert_eq!(o.db, 2);
        assert!(o.resp3);
        assert_eq!(o.command, vec![b"incr".to_vec(), b"-5".to_vec()]);
        assert_eq!(run(&["-p", "abc"]).target.port, 0);
    }

    #[test]
    fn uri() {
        let o = run(&["--no-auth-warning", "-u", "redis://u:p%40@10.0.0.1:7001/3"]);
        assert_eq!((o.user.as_deref(), o.pass.as_deref()), (Some("u"), Some("p@")));
        assert_eq!((o.target.host.as_str(), o.target.port, o.db), ("10.0.0.1", 7001, 3));
        let o = run(&["-u", "redis://127.0.0.1", "-p", "7500"]);
        assert_eq!(o.target.port, 7500);
        assert!(
            matches!(parse(&["-u".into(), "foo://x".into()], true), Parsed::Fail(m) if m == "Invalid URI scheme")
        );
    }

    #[test]
    fn unknown_option() {
        let argv = vec!["--foo".to_string()];
        assert!(matches!(parse(&argv, true), Parsed::Fail(m)
            if m == "Unrecognized option or bad number of args for: '--foo'"));
        assert_eq!(atof("0.25s"), 0.25);
    }
}
