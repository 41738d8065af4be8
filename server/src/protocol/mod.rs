//! The RESP protocol: request parsing and reply encoding. Knows nothing of the
//! keyspace or the network.

pub mod parser;
pub mod reply;
