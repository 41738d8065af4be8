//! INFO: server state and statistics, in Redis's sections and field names.
//!
//! Values are real where Cinnabar has them (uptime, clients, memory from the counting
//! allocator, command and keyspace counters, error counts); features Cinnabar does
//! not have (persistence, replication, forks, defragmentation, modules) report their
//! idle values, as a Redis without them configured would.

use std::fmt::{Display, Write};
use std::sync::atomic::Ordering::Relaxed;

use super::{table, Arg, ArgType, CmdResult, Command, Ctx};
use crate::server::{unix_ms, Server};
use crate::stats;

pub static COMMANDS: &[Command] = &[Command {
    name: "info",
    arity: -1,
    flags: &["loading", "stale"],
    acl: &["@slow", "@dangerous"],
    tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
    handler: info,
    group: "server",
    since: "1.0.0",
    summary: "Get information and statistics about the server",
    complexity: "O(1)",
    history: &[("7.0.0", "Added support for taking multiple section arguments.")],
    args: &[Arg::new("section", ArgType::String).flags(&["optional", "multiple"])],
    ..Command::DEFAULT
}];

/// Sections in output order; `true` when part of the default set.
const SECTIONS: [(&str, bool); 13] = [
    ("server", true),
    ("clients", true),
    ("memory", true),
    ("persistence", true),
    ("stats", true),
    ("replication", true),
    ("cpu", true),
    ("modules", true),
    ("commandstats", false),
    ("errorstats", true),
    ("latencystats", false),
    ("cluster", true),
    ("keyspace", true),
];

fn info(ctx: &mut Ctx) -> CmdResult {
    let mut wanted = [false; SECTIONS.len()];
    if ctx.args.len() == 1 {
        wanted = SECTIONS.map(|(_, default)| default);
    }
    for arg in ctx.args.iter().skip(1) {
        let arg = String::from_utf8_lossy(arg).to_ascii_lowercase();
        for (i, (name, default)) in SECTIONS.iter().enumerate() {
            wanted[i] |= match arg.as_str() {
                "all" | "everything" => true,
                "default" => *default,
                a => a == *name,
            };
        }
    }
    let mut text = String::new();
    for (i, (name, _)) in SECTIONS.iter().enumerate() {
        if !wanted[i] {
            continue;
        }
        if !text.is_empty() {
            text.push_str("\r\n");
        }
        let mut title = name.to_string();
        title[..1].make_ascii_uppercase();
        if title == "Cpu" {
            title = "CPU".into();
        }
        let _ = write!(text, "# {title}\r\n");
        let mut s = Section(&mut text);
        match *name {
            "server" => server_section(ctx, &mut s),
            "clients" => clients_section(ctx.server, &mut s),
            "memory" => memory_section(ctx.server, &mut s),
            "persistence" => persistence_section(ctx.server, &mut s),
            "stats" => stats_section(ctx.server, &mut s),
            "replication" => replication_section(ctx.server, &mut s),
            "cpu" => cpu_section(&mut s),
            "commandstats" => commandstats_section(&mut s),
            "errorstats" => errorstats_section(&mut s),
            "latencystats" => latencystats_section(ctx.server, &mut s),
            "cluster" => s.field("cluster_enabled", 0),
            "keyspace" => keyspace_section(ctx.server, &mut s),
            _ => {}
        }
    }
    ctx.out.verbatim("txt", text.as_bytes());
    Ok(())
}

/// Writes `name:value` lines.
struct Section<'a>(&'a mut String);

impl Section<'_> {
    fn field(&mut self, name: &str, value: impl Display) {
        let _ = write!(self.0, "{name}:{value}\r\n");
    }
}

/// Bytes in Redis's human form: `512B`, `1.50K`, `2.00M`, ...
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 6] = ["K", "M", "G", "T", "P", "E"];
    if n < 1024 {
        return format!("{n}B");
    }
    let mut d = n as f64 / 1024.0;
    let mut unit = 0;
    while d >= 1024.0 && unit < UNITS.len() - 1 {
        d /= 1024.0;
        unit += 1;
    }
    format!("{d:.2}{}", UNITS[unit])
}

fn os_name() -> String {
    // SAFETY: uname fills the zeroed struct; its fields are NUL-terminated strings.
    unsafe {
        let mut u: libc::utsname = std::mem::zeroed();
        if libc::uname(&mut u) != 0 {
            return "unknown".into();
        }
        let field = |f: &[libc::c_char]| std::ffi::CStr::from_ptr(f.as_ptr()).to_string_lossy().into_owned();
        format!("{} {} {}", field(&u.sysname), field(&u.release), field(&u.machine))
    }
}

fn server_section(ctx: &Ctx, s: &mut Section) {
    let server = ctx.server;
    let cfg = server.config.read();
    let now = unix_ms();
    let uptime = server.uptime_ms() / 1000;
    s.field("redis_version", crate::REDIS_VERSION);
    s.field("cinnabar_version", crate::VERSION);
    s.field("redis_git_sha1", "00000000");
    s.field("redis_git_dirty", 0);
    s.field("redis_build_id", "0");
    s.field("redis_mode", "standalone");
    s.field("os", os_name());
    s.field("arch_bits", usize::BITS);
    s.field("monotonic_clock", "POSIX clock_gettime");
    s.field("multiplexing_api", "epoll");
    s.field("atomicvar_api", "c11-builtin");
    s.field("gcc_version", "0.0.0");
    s.field("process_id", std::process::id());
    s.field("process_supervised", "no");
    s.field("run_id", &server.run_id);
    s.field("tcp_port", cfg.port);
    s.field("server_time_usec", now * 1000);
    s.field("uptime_in_seconds", uptime);
    s.field("uptime_in_days", uptime / 86400);
    s.field("hz", cfg.hz);
    s.field("configured_hz", cfg.hz);
    s.field("lru_clock", (now / 1000) & ((1 << 24) - 1));
    let exe = std::env::current_exe().map(|p| p.display().to_string()).unwrap_or_default();
    s.field("executable", exe);
    s.field("config_file", cfg.config_file.as_deref().unwrap_or(""));
    s.field("io_threads_active", (cfg.io_threads > 1) as u8);
}

fn clients_section(server: &Server, s: &mut Section) {
    let clients = server.clients.list();
    let max_in = clients.iter().map(|c| c.query_buf.load(Relaxed)).max().unwrap_or(0);
    let max_out = clients.iter().map(|c| c.output_buf.load(Relaxed)).max().unwrap_or(0);
    s.field("connected_clients", clients.len());
    s.field("cluster_connections", 0);
    s.field("maxclients", server.config.read().maxclients);
    s.field("client_recent_max_input_buffer", max_in);
    s.field("client_recent_max_output_buffer", max_out);
    s.field("blocked_clients", 0);
    s.field("tracking_clients", 0);
    s.field("clients_in_timeout_table", 0);
}

fn total_system_memory() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            let line = t.lines().find(|l| l.starts_with("MemTotal:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .map_or(0, |kb| kb * 1024)
}

fn ratio(a: u64, b: u64) -> String {
    format!("{:.2}", if b == 0 { 0.0 } else { a as f64 / b as f64 })
}

fn memory_section(server: &Server, s: &mut Section) {
    let used = stats::used_memory() as u64;
    let peak = stats::peak_memory() as u64;
    let rss = stats::rss_bytes() as u64;
    let startup = server.startup_memory as u64;
    let overhead = startup.min(used);
    let dataset = used - overhead;
    let cfg = server.config.read();
    let system = total_system_memory();
    s.field("used_memory", used);
    s.field("used_memory_human", human_bytes(used));
    s.field("used_memory_rss", rss);
    s.field("used_memory_rss_human", human_bytes(rss));
    s.field("used_memory_peak", peak);
    s.field("used_memory_peak_human", human_bytes(peak));
    s.field("used_memory_peak_perc", format!("{:.2}%", used as f64 * 100.0 / peak.max(1) as f64));
    s.field("used_memory_overhead", overhead);
    s.field("used_memory_startup", startup);
    s.field("used_memory_dataset", dataset);
    let net = used.saturating_sub(startup);
    s.field("used_memory_dataset_perc", format!("{:.2}%", dataset as f64 * 100.0 / net.max(1) as f64));
    s.field("allocator_allocated", used);
    s.field("allocator_active", used);
    s.field("allocator_resident", rss);
    s.field("total_system_memory", system);
    s.field("total_system_memory_human", human_bytes(system));
    for name in ["used_memory_lua", "used_memory_vm_eval"] {
        s.field(name, 0);
    }
    s.field("used_memory_lua_human", "0B");
    for name in [
        "used_memory_scripts_eval",
        "number_of_cached_scripts",
        "number_of_functions",
        "number_of_libraries",
        "used_memory_vm_functions",
        "used_memory_vm_total",
    ] {
        s.field(name, 0);
    }
    s.field("used_memory_vm_total_human", "0B");
    s.field("used_memory_functions", 0);
    s.field("used_memory_scripts", 0);
    s.field("used_memory_scripts_human", "0B");
    s.field("maxmemory", cfg.maxmemory);
    s.field("maxmemory_human", human_bytes(cfg.maxmemory));
    s.field("maxmemory_policy", &cfg.maxmemory_policy);
    s.field("allocator_frag_ratio", "1.00");
    s.field("allocator_frag_bytes", 0);
    s.field("allocator_rss_ratio", ratio(rss, used));
    s.field("allocator_rss_bytes", rss as i64 - used as i64);
    s.field("rss_overhead_ratio", "1.00");
    s.field("rss_overhead_bytes", 0);
    s.field("mem_fragmentation_ratio", ratio(rss, used));
    s.field("mem_fragmentation_bytes", rss as i64 - used as i64);
    for name in [
        "mem_not_counted_for_evict",
        "mem_replication_backlog",
        "mem_total_replication_buffers",
        "mem_clients_slaves",
        "mem_clients_normal",
        "mem_cluster_links",
        "mem_aof_buffer",
    ] {
        s.field(name, 0);
    }
    s.field("mem_allocator", "mimalloc");
    s.field("active_defrag_running", 0);
    s.field("lazyfree_pending_objects", crate::keyspace::lazyfree::PENDING.load(Relaxed));
    s.field("lazyfreed_objects", crate::keyspace::lazyfree::FREED.load(Relaxed));
}

fn persistence_section(server: &Server, s: &mut Section) {
    let zeros = |s: &mut Section, names: &[&str]| names.iter().for_each(|n| s.field(n, 0));
    zeros(s, &["loading", "async_loading", "current_cow_peak", "current_cow_size", "current_cow_size_age"]);
    s.field("current_fork_perc", "0.00");
    zeros(s, &["current_save_keys_processed", "current_save_keys_total"]);
    s.field("rdb_changes_since_last_save", server.dirty());
    s.field("rdb_bgsave_in_progress", 0);
    s.field("rdb_last_save_time", server.last_save_unix.load(Relaxed));
    s.field("rdb_last_bgsave_status", "ok");
    s.field("rdb_last_bgsave_time_sec", -1);
    s.field("rdb_current_bgsave_time_sec", -1);
    zeros(s, &["rdb_saves", "rdb_last_cow_size", "rdb_last_load_keys_expired", "rdb_last_load_keys_loaded"]);
    s.field("aof_enabled", server.config.read().appendonly as u8);
    zeros(s, &["aof_rewrite_in_progress", "aof_rewrite_scheduled"]);
    s.field("aof_last_rewrite_time_sec", -1);
    s.field("aof_current_rewrite_time_sec", -1);
    s.field("aof_last_bgrewrite_status", "ok");
    zeros(s, &["aof_rewrites", "aof_rewrites_consecutive_failures"]);
    s.field("aof_last_write_status", "ok");
    zeros(s, &["aof_last_cow_size", "module_fork_in_progress", "module_fork_last_cow_size"]);
}

fn stats_section(server: &Server, s: &mut Section) {
    let errors: u64 = stats::all().iter().map(|t| t.errors.lock().values().sum::<u64>()).sum();
    s.field("total_connections_received", server.connections_received.load(Relaxed));
    s.field("total_commands_processed", stats::sum(|t| t.commands.get()));
    let (ops, kbps_in, kbps_out) = server.instantaneous();
    s.field("instantaneous_ops_per_sec", ops.round() as u64);
    s.field("total_net_input_bytes", stats::sum(|t| t.net_in.get()));
    s.field("total_net_output_bytes", stats::sum(|t| t.net_out.get()));
    s.field("total_net_repl_input_bytes", 0);
    s.field("total_net_repl_output_bytes", 0);
    s.field("instantaneous_input_kbps", format!("{kbps_in:.2}"));
    s.field("instantaneous_output_kbps", format!("{kbps_out:.2}"));
    s.field("instantaneous_input_repl_kbps", "0.00");
    s.field("instantaneous_output_repl_kbps", "0.00");
    s.field("rejected_connections", server.rejected_connections.load(Relaxed));
    for name in ["sync_full", "sync_partial_ok", "sync_partial_err"] {
        s.field(name, 0);
    }
    s.field("expired_keys", crate::keyspace::shard::EXPIRED_KEYS.load(Relaxed));
    s.field("expired_stale_perc", "0.00");
    for name in [
        "expired_time_cap_reached_count",
        "expire_cycle_cpu_milliseconds",
        "evicted_keys",
        "evicted_clients",
        "total_eviction_exceeded_time",
        "current_eviction_exceeded_time",
    ] {
        s.field(name, 0);
    }
    s.field("keyspace_hits", stats::sum(|t| t.hits.get()));
    s.field("keyspace_misses", stats::sum(|t| t.misses.get()));
    for name in [
        "pubsub_channels",
        "pubsub_patterns",
        "pubsubshard_channels",
        "latest_fork_usec",
        "total_forks",
        "migrate_cached_sockets",
        "slave_expires_tracked_keys",
        "active_defrag_hits",
        "active_defrag_misses",
        "active_defrag_key_hits",
        "active_defrag_key_misses",
        "total_active_defrag_time",
        "current_active_defrag_time",
        "tracking_total_keys",
        "tracking_total_items",
        "tracking_total_prefixes",
        "unexpected_error_replies",
    ] {
        s.field(name, 0);
    }
    s.field("total_error_replies", errors);
    s.field("dump_payload_sanitizations", 0);
    for name in [
        "total_reads_processed",
        "total_writes_processed",
        "io_threaded_reads_processed",
        "io_threaded_writes_processed",
        "reply_buffer_shrinks",
        "reply_buffer_expands",
    ] {
        s.field(name, 0);
    }
}

fn replication_section(server: &Server, s: &mut Section) {
    s.field("role", "master");
    s.field("connected_slaves", 0);
    s.field("master_failover_state", "no-failover");
    s.field("master_replid", &server.run_id);
    s.field("master_replid2", "0".repeat(40));
    s.field("master_repl_offset", 0);
    s.field("second_repl_offset", -1);
    s.field("repl_backlog_active", 0);
    s.field("repl_backlog_size", 1024 * 1024);
    s.field("repl_backlog_first_byte_offset", 0);
    s.field("repl_backlog_histlen", 0);
}

fn cpu_section(s: &mut Section) {
    let usage = |who| {
        // SAFETY: getrusage fills the zeroed struct.
        let mut r: libc::rusage = unsafe { std::mem::zeroed() };
        unsafe { libc::getrusage(who, &mut r) };
        let t = |tv: libc::timeval| format!("{}.{:06}", tv.tv_sec, tv.tv_usec);
        (t(r.ru_stime), t(r.ru_utime))
    };
    let (sys, user) = usage(libc::RUSAGE_SELF);
    let (csys, cuser) = usage(libc::RUSAGE_CHILDREN);
    let (tsys, tuser) = usage(libc::RUSAGE_THREAD);
    s.field("used_cpu_sys", sys);
    s.field("used_cpu_user", user);
    s.field("used_cpu_sys_children", csys);
    s.field("used_cpu_user_children", cuser);
    s.field("used_cpu_sys_main_thread", tsys);
    s.field("used_cpu_user_main_thread", tuser);
}

fn commandstats_section(s: &mut Section) {
    let threads = stats::all();
    for (id, (name, _)) in table().all.iter().enumerate() {
        let sum =
            |f: &dyn Fn(&stats::CommandStats) -> u64| threads.iter().map(|t| f(t.command(id))).sum::<u64>();
        let (calls, usec) = (sum(&|c| c.calls.get()), sum(&|c| c.usec.get()));
        let (rejected, failed) = (sum(&|c| c.rejected.get()), sum(&|c| c.failed.get()));
        if calls + rejected + failed == 0 {
            continue;
        }
        let per_call = if calls == 0 { 0.0 } else { usec as f64 / calls as f64 };
        s.field(
            &format!("cmdstat_{name}"),
            format_args!(
                "calls={calls},usec={usec},usec_per_call={per_call:.2},rejected_calls={rejected},failed_calls={failed}"
            ),
        );
    }
}

fn latencystats_section(server: &Server, s: &mut Section) {
    let percentiles = server.config.read().latency_percentiles.clone();
    let threads = stats::all();
    for (id, (name, _)) in table().all.iter().enumerate() {
        let merged = stats::Merged::new(threads.iter().filter_map(|t| t.command(id).latency()));
        if merged.count() == 0 {
            continue;
        }
        let values: Vec<String> =
            percentiles.iter().map(|p| format!("p{p}={:.3}", merged.percentile(*p) as f64)).collect();
        s.field(&format!("latency_percentiles_usec_{name}"), values.join(","));
    }
}

fn errorstats_section(s: &mut Section) {
    let mut counts: std::collections::BTreeMap<String, u64> = Default::default();
    for t in stats::all() {
        for (code, n) in t.errors.lock().iter() {
            *counts.entry(code.clone()).or_default() += n;
        }
    }
    for (code, n) in counts {
        s.field(&format!("errorstat_{code}"), format_args!("count={n}"));
    }
}

fn keyspace_section(server: &Server, s: &mut Section) {
    for (i, db) in server.keyspace.dbs.iter().enumerate() {
        let (keys, expires) = db.counts();
        if keys > 0 {
            s.field(&format!("db{i}"), format_args!("keys={keys},expires={expires},avg_ttl=0"));
        }
    }
}
