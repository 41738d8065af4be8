//! The active expiry cycle: reclaims expired keys that nobody reads.
//!
//! Every shard knows the earliest expiry among its keys, so a cycle only sweeps the
//! shards where something is due; the sweep of a shard removes everything expired in
//! it. Lazy expiry on access (in the shard lookups) covers the time in between.

use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::Duration;

use crate::keyspace::SHARDS;
use crate::server::{unix_ms, Server};

/// Runs the cycle on its own thread until the process ends.
pub fn start(server: Arc<Server>) {
    std::thread::Builder::new()
        .name("active-expire".into())
        .spawn(move || loop {
            let hz = server.config.read().hz.clamp(1, 500);
            std::thread::sleep(Duration::from_millis(1000 / hz as u64));
            server.tick_clock();
            // Like Redis, no active expiry while clients are paused: a pause must not
            // let the dataset change.
            if server.active_expire.load(Relaxed) && !server.pause.in_effect() {
                cycle(&server);
            }
        })
        .expect("spawn expiry thread");
}

/// One pass over all databases; returns how many keys were reclaimed.
pub fn cycle(server: &Server) -> usize {
    let now = unix_ms();
    let mut removed = 0;
    for db in server.keyspace.dbs.iter() {
        for i in 0..SHARDS {
            let mut shard = db.shard(i);
            if shard.has_due(now) {
                removed += shard.sweep_expired(now, |_| {});
            }
        }
    }
    removed
}
