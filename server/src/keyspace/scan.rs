//! SCAN over a database.
//!
//! The cursor is a position in a fixed total order of keys, [`KeyHash::scan_order`]:
//! shard first, then hash. A call returns the next keys in that order and the
//! position after the last one. Because the order depends only on each key's hash,
//! not on table layout, a full iteration returns every key present from start to end
//! exactly once, however much tables grow or shrink in between.

use super::{hash_key, Db, Entry, KeyHash, SmallBytes, SHARDS};

/// Runs one SCAN step from `cursor`, collecting about `count` keys that pass
/// `filter`. Returns the next cursor (0 when done) and the keys.
pub fn scan_db(
    db: &Db,
    cursor: u64,
    count: usize,
    now_ms: u64,
    mut filter: impl FnMut(&Entry) -> bool,
) -> (u64, Vec<SmallBytes>) {
    let count = count.max(1);
    let mut shard_idx = (cursor >> 54) as usize;
    let mut from = cursor & ((1 << 54) - 1);
    let mut keys = Vec::new();
    let mut visited = 0;
    while shard_idx < SHARDS {
        let mut shard = db.shard(shard_idx);
        let mut pending: Vec<(u64, &Entry)> = shard
            .iter()
            .map(|e| (hash_key(&e.key).scan_order() & ((1 << 54) - 1), e))
            .filter(|(o, _)| *o >= from)
            .collect();
        let want = count - visited.min(count);
        let partial = pending.len() > want;
        if partial {
            pending.select_nth_unstable_by_key(want - 1, |(o, _)| *o);
            let cut = pending[want - 1].0;
            // Keys sharing the cut position go together, so none is skipped.
            pending.retain(|(o, _)| *o <= cut);
        }
        visited += pending.len();
        let last = pending.iter().map(|(o, _)| *o).max();
        let mut expired = Vec::new();
        for (_, e) in &pending {
            if e.is_expired(now_ms) {
                expired.push(e.key.clone());
            } else if filter(e) {
                keys.push(e.key.clone());
            }
        }
        drop(pending);
        for k in expired {
            let h = hash_key(&k);
            shard.lookup(&k, h, now_ms);
        }
        if partial {
            let next = last.expect("partial scan returned keys") + 1;
            if next < (1 << 54) {
                return (((shard_idx as u64) << 54) | next, keys);
            }
        }
        shard_idx += 1;
        from = 0;
        if visited >= count {
            break;
        }
    }
    let next = if shard_idx >= SHARDS { 0 } else { (shard_idx as u64) << 54 };
    (next, keys)
}

/// The SCAN position of a key (for tests and debugging).
pub fn position(key: &[u8]) -> u64 {
    KeyHash::scan_order(hash_key(key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyspace::{new_entry, Value};
    use std::collections::HashSet;

    #[test]
    fn full_iteration_while_growing() {
        let db = Db::default();
        let add = |i: usize| {
            let k = format!("key:{i}");
            let h = hash_key(k.as_bytes());
            db.shard(h.shard()).insert(new_entry(k.as_bytes(), Value::str(b"v"), 0, 0), h);
        };
        for i in 0..1000 {
            add(i);
        }
        let mut seen = HashSet::new();
        let mut cursor = 0;
        let mut next_new = 1000;
        loop {
            let (c, keys) = scan_db(&db, cursor, 10, 0, |_| true);
            for k in keys {
                assert!(seen.insert(k.to_vec()), "returned twice");
            }
            for _ in 0..20 {
                add(next_new);
                next_new += 1;
            }
            cursor = c;
            if cursor == 0 {
                break;
            }
        }
        for i in 0..1000 {
            assert!(seen.contains(format!("key:{i}").as_bytes()), "missing key:{i}");
        }
    }
}
