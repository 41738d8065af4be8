//! Freeing memory off the command path (FLUSHALL ASYNC, FLUSHDB ASYNC, UNLINK):
//! what a command took out of the keyspace under its locks is dropped by one
//! background thread, so the command replies without waiting for the deallocation.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::mpsc::{channel, Sender};
use std::sync::{LazyLock, Mutex};

type Garbage = Box<dyn Send>;

/// Objects handed over and not freed yet (INFO `lazyfree_pending_objects`).
pub static PENDING: AtomicU64 = AtomicU64::new(0);
/// Objects freed by the background thread (INFO `lazyfreed_objects`).
pub static FREED: AtomicU64 = AtomicU64::new(0);

static QUEUE: LazyLock<Mutex<Sender<(Garbage, u64)>>> = LazyLock::new(|| {
    let (tx, rx) = channel::<(Garbage, u64)>();
    std::thread::Builder::new()
        .name("lazyfree".into())
        .spawn(move || {
            for (garbage, objects) in rx {
                drop(garbage);
                PENDING.fetch_sub(objects, Relaxed);
                FREED.fetch_add(objects, Relaxed);
            }
        })
        .expect("spawn lazyfree thread");
    Mutex::new(tx)
});

/// Drops `garbage` (holding `objects` keys) on the background thread.
pub fn free_later(garbage: impl Send + 'static, objects: u64) {
    PENDING.fetch_add(objects, Relaxed);
    let sent = QUEUE.lock().map(|q| q.send((Box::new(garbage), objects)));
    if let Ok(Err(returned)) = sent {
        // The thread is gone (only at process exit): free here instead.
        PENDING.fetch_sub(objects, Relaxed);
        drop(returned);
    }
}
