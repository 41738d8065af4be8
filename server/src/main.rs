//! `cinnabar-server [/path/to/cinnabar.conf] [--name value ...]`

use std::sync::Arc;

use mimalloc::MiMalloc;

use cinnabar::config;
use cinnabar::net::Listeners;
use cinnabar::server::Server;

#[global_allocator]
static GLOBAL: MiMalloc = MiMalloc;

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
            eprintln!("*** FATAL CONFIG FILE ERROR ***\n{e}");
            std::process::exit(1);
        }
    };
    init_logging(&cfg);
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
        tracing::info!("shutting down");
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

fn init_logging(cfg: &config::Config) {
    let level = match cfg.loglevel.as_str() {
        "debug" => tracing::Level::DEBUG,
        "verbose" => tracing::Level::INFO,
        "warning" | "nothing" => tracing::Level::WARN,
        _ => tracing::Level::INFO,
    };
    let builder = tracing_subscriber::fmt().with_max_level(level).with_target(false);
    if cfg.logfile.is_empty() {
        let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
        builder.with_ansi(ansi).with_writer(std::io::stdout).init();
    } else {
        match std::fs::OpenOptions::new().create(true).append(true).open(&cfg.logfile) {
            Ok(f) => builder.with_ansi(false).with_writer(std::sync::Mutex::new(f)).init(),
            Err(e) => {
                eprintln!("Can't open the log file: {e}");
                std::process::exit(1);
            }
        }
    }
}
