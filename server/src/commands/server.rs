//! Server commands: DBSIZE, FLUSHALL, FLUSHDB, COMMAND, ...

use super::Command;

pub static COMMANDS: &[Command] = &[];
