//! `cinnabar-server [/path/to/cinnabar.conf] [--name value ...]`

use std::sync::Arc;

use mimalloc::MiMalloc;

use cinnabar::config;
use cinnabar::net::Listeners;
use cinnabar::server::Server;
use cinnabar::stats::CountingAlloc;

/// mimalloc, counted for INFO's `used_memory`.
#[global_allocator]
static GLOBAL: CountingAlloc<MiMalloc> = CountingAlloc(MiMalloc);

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("Usage: cinnabar-server [/path/to/cinnabar.conf] [--option value ...]");
        println!("Options use redis.conf names, e.g. --port 6380 --bind 127.0.0.1 --dir /tmp");
        return;
    }
    if args.iter().any(|a| a == "--version" || a == "-v") {
        println!("Cinnabar server v={} (redis compatible v={})", cinnabar::VERSION, cinnabar::REDIS_VERSION);
        return;
    }
    let cfg = match config::from_args(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("\n*** FATAL CONFIG FILE ERROR (Cinnabar {}) ***\n{e}", cinnabar::VERSION);
            std::process::exit(1);
        }
    };
    if let Err(e) = std::env::set_current_dir(&cfg.dir) {
        eprintln!("Can't chdir to '{}': {}", cfg.dir, config::io_error_text(&e));
        std::process::exit(1);
    }
    // Before any thread exists: fork() keeps only the calling thread.
    // SAFETY: no other threads have been started yet.
    if cfg.daemonize && unsafe { libc::daemon(1, 0) } != 0 {
        eprintln!("Can't daemonize: {}", std::io::Error::last_os_error());
        std::process::exit(1);
    }
    if !cfg.pidfile.is_empty() {
        if let Err(e) = std::fs::write(&cfg.pidfile, format!("{}\n", std::process::id())) {
            eprintln!("Failed to write PID file '{}': {}", cfg.pidfile, config::io_error_text(&e));
        }
    }
    init_logging(&cfg);
    if cfg.disable_thp {
        // Transparent huge pages make the first touch of each new 2 MB of memory a
        // multi-millisecond stall (zeroing, compaction) in the middle of a command.
        // SAFETY: prctl with PR_SET_THP_DISABLE takes plain integer arguments.
        if unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) } != 0 {
            tracing::warn!("could not disable transparent huge pages: {}", std::io::Error::last_os_error());
        }
    }
    let server = Arc::new(Server::new(cfg));
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(async move {
        let listeners = match Listeners::bind(&server) {
            Ok(l) => l,
            Err(e) => {
                tracing::error!("could not listen: {e}");
                std::process::exit(1);
            }
        };
        tracing::info!(
            port = listeners.local_port(),
            threads = server.config.read().io_threads,
            "Cinnabar {} ready to accept connections",
            cinnabar::VERSION
        );
        cinnabar::expire::start(server.clone());
        tokio::spawn(listeners.run(server.clone()));
        wait_for_shutdown(&server).await;
        let cfg = server.config.read().clone();
        for path in [&cfg.pidfile, &cfg.unixsocket] {
            if !path.is_empty() {
                let _ = std::fs::remove_file(path);
            }
        }
        tracing::info!("Cinnabar is now ready to exit, bye bye...");
    });
}

async fn wait_for_shutdown(server: &Server) {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    let mut int = signal(SignalKind::interrupt()).expect("SIGINT handler");
    tokio::select! {
        _ = term.recv() => tracing::info!("received SIGTERM"),
        _ = int.recv() => tracing::info!("received SIGINT"),
        _ = server.shutdown.notified() => {}
    }
}

/// The tracing level for a redis.conf `loglevel`.
fn level_filter(loglevel: &str) -> tracing::level_filters::LevelFilter {
    use tracing::level_filters::LevelFilter;
    match loglevel {
        "debug" => LevelFilter::DEBUG,
        "warning" => LevelFilter::WARN,
        _ => LevelFilter::INFO,
    }
}

fn init_logging(cfg: &config::Config) {
    use tracing_subscriber::prelude::*;
    let (filter, handle) = tracing_subscriber::reload::Layer::new(level_filter(&cfg.loglevel));
    // CONFIG SET loglevel changes the level of the running logger.
    let _ = config::LOG_LEVEL_HOOK.set(Box::new(move |level| {
        let _ = handle.modify(|f| *f = level_filter(level));
    }));
    let layer = tracing_subscriber::fmt::layer().with_target(false);
    let registry = tracing_subscriber::registry().with(filter);
    if cfg.logfile.is_empty() {
        let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
        registry.with(layer.with_ansi(ansi).with_writer(std::io::stdout)).init();
    } else {
        match std::fs::OpenOptions::new().create(true).append(true).open(&cfg.logfile) {
            Ok(f) => registry.with(layer.with_ansi(false).with_writer(std::sync::Mutex::new(f))).init(),
            Err(e) => {
                eprintln!("Can't open the log file: {e}");
                std::process::exit(1);
            }
        }
    }
}
