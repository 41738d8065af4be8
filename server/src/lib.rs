//! Cinnabar: an in-memory data server that speaks the Redis protocol.
//!
//! Layout: `protocol` (RESP codec, independent of the keyspace), `keyspace`
//! (databases, shards, values; independent of the network), `commands` (one module
//! per command family plus the command table and dispatcher), `net` (listeners and
//! connections), `config`, `client`, `server` (shared state), `stats`, `expire`.

pub mod client;
pub mod commands;
pub mod config;
pub mod expire;
pub mod keyspace;
pub mod net;
pub mod protocol;
pub mod server;
pub mod stats;

/// The Redis version reported to clients, for compatibility checks they make.
pub const REDIS_VERSION: &str = "7.0.15";
/// Cinnabar's own version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
