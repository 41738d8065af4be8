//! CLIENT PAUSE: holding back the commands of normal clients until a deadline or
//! CLIENT UNPAUSE.
//!
//! The connection checks one atomic flag per command; only while a pause is active
//! does it look at the command and, if the pause covers it, flush what it has and
//! wait (no polling) for the pause to end, then carry on with its requests in order.

use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::time::Instant;

use parking_lot::Mutex;
use tokio::sync::Notify;

use crate::client::ClientInfo;
use crate::commands::Command;

/// What a pause holds back. `All` is stricter than `Write`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PauseMode {
    /// Commands that write or may cause writes to be propagated.
    Write,
    All,
}

/// Commands without the `write` flag that Redis still holds back in WRITE mode
/// (they may propagate writes).
pub const MAY_REPLICATE: &[&str] = &["eval", "evalsha", "fcall", "publish", "spublish", "pfcount"];

#[derive(Default)]
pub struct Pause {
    active: AtomicBool,
    state: Mutex<Option<(PauseMode, Instant)>>,
    resumed: Notify,
}

impl Pause {
    /// Whether a pause may be in effect: the per-command check.
    #[inline]
    pub fn is_active(&self) -> bool {
        self.active.load(Relaxed)
    }

    /// Whether a pause is in effect now; one whose deadline passed is cleared.
    pub fn in_effect(&self) -> bool {
        if !self.is_active() {
            return false;
        }
        let mut state = self.state.lock();
        match *state {
            Some((_, until)) if Instant::now() < until => true,
            _ => {
                *state = None;
                self.active.store(false, Relaxed);
                false
            }
        }
    }

    /// Pauses until `until`. A pause in effect keeps its stricter mode and its later
    /// deadline.
    pub fn pause(&self, mode: PauseMode, until: Instant) {
        let mut state = self.state.lock();
        let merged = match *state {
            Some((m, u)) if u > Instant::now() => (m.max(mode), u.max(until)),
            _ => (mode, until),
        };
        *state = Some(merged);
        self.active.store(true, Relaxed);
        drop(state);
        // Waiters re-read the deadline.
        self.resumed.notify_waiters();
    }

    pub fn unpause(&self) {
        *self.state.lock() = None;
        self.active.store(false, Relaxed);
        self.resumed.notify_waiters();
    }

    /// The deadline until which `cmd` (full name `name`) must wait, if it must.
    fn holds(&self, cmd: &Command, name: &str) -> Option<Instant> {
        let mut state = self.state.lock();
        let (mode, until) = (*state)?;
        if Instant::now() >= until {
            *state = None;
            self.active.store(false, Relaxed);
            return None;
        }
        let held = mode == PauseMode::All || cmd.has_flag("write") || MAY_REPLICATE.contains(&name);
        held.then_some(until)
    }

    /// Whether `cmd` would have to wait now.
    pub fn covers(&self, cmd: &Command, name: &str) -> bool {
        self.holds(cmd, name).is_some()
    }

    /// Waits until the pause no longer covers `cmd` or the client is killed.
    pub async fn wait(&self, cmd: &Command, name: &str, client: &ClientInfo) {
        client.blocked.store(true, Relaxed);
        loop {
            let resumed = self.resumed.notified();
            tokio::pin!(resumed);
            // Register before checking, so an UNPAUSE between the check and the
            // await is not missed.
            resumed.as_mut().enable();
            let Some(until) = self.holds(cmd, name) else { break };
            tokio::select! {
                _ = resumed => {}
                _ = tokio::time::sleep_until(until.into()) => {}
                _ = client.killed() => break,
            }
        }
        client.blocked.store(false, Relaxed);
    }
}
