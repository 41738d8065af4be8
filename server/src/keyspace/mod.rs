//! The keyspace: numbered databases, each split into shards with their own locks.
//!
//! A key's 64-bit hash picks its shard (bits 32..42) and its slot in the shard's table
//! (hashbrown uses the low bits and the top seven). Commands lock the shards of the
//! keys they touch in ascending (database, shard) order, so commands on different
//! keys run in parallel and multi-key commands are atomic without deadlock.

pub mod bytes;
pub mod glob;
pub mod lazyfree;
pub mod lfu;
pub mod scan;
pub mod shard;
pub mod value;

use std::hash::BuildHasher;

use rand::Rng;
use std::sync::LazyLock;

use parking_lot::{Mutex, MutexGuard};

pub use bytes::SmallBytes;
pub use shard::{new_entry, Lookup, Shard};
pub use value::{Entry, StrEncoding, Touch, Value};

/// Shards per database. Enough that a table resize touches at most a few thousand
/// slots even with millions of keys, and that two cores rarely meet on one lock.
pub const SHARDS: usize = 1024;
const SHARD_SHIFT: u32 = 32;

/// A key's hash, computed once per key and command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyHash(pub u64);

impl KeyHash {
    pub fn shard(self) -> usize {
        (self.0 >> SHARD_SHIFT) as usize % SHARDS
    }

    /// Position of the key in SCAN order: by shard, then by the rest of the hash.
    /// Independent of table layout, so a cursor stays valid while tables grow.
    pub fn scan_order(self) -> u64 {
        ((self.shard() as u64) << 54) | (self.0 >> 10)
    }
}

/// A per-process random seed keeps the hash unpredictable to clients (no
/// hash-flooding), while all threads agree on it.
static HASHER: LazyLock<foldhash::fast::FixedState> =
    LazyLock::new(|| foldhash::fast::FixedState::with_seed(rand::random()));

pub fn hash_key(key: &[u8]) -> KeyHash {
    KeyHash(HASHER.hash_one(key))
}

pub struct Db {
    shards: Box<[Mutex<Shard>]>,
}

impl Default for Db {
    fn default() -> Self {
        Db { shards: (0..SHARDS).map(|_| Mutex::new(Shard::new())).collect() }
    }
}

impl Db {
    pub fn shard(&self, i: usize) -> MutexGuard<'_, Shard> {
        self.shards[i].lock()
    }

    /// Number of keys (expired keys not yet reclaimed included, as Redis counts them).
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().len()).sum()
    }

    /// (keys, keys with an expiry), for INFO keyspace.
    pub fn counts(&self) -> (usize, usize) {
        self.shards.iter().fold((0, 0), |(k, e), s| {
            let s = s.lock();
            (k + s.len(), e + s.expiring())
        })
    }

    pub fn is_empty(&self) -> bool {
        self.shards.iter().all(|s| s.lock().is_empty())
    }

    /// Locks every shard, in order.
    pub fn lock_all(&self) -> Vec<MutexGuard<'_, Shard>> {
        self.shards.iter().map(|s| s.lock()).collect()
    }

    /// A random live key (RANDOMKEY), removing expired keys it happens to pick.
    /// A few random probes find a non-empty shard in a populated database (shards
    /// hold similar numbers of keys, so a random entry of a random shard is close to
    /// uniform); in a sparse one, the shard is chosen by weight of its size.
    pub fn random_key(&self, now_ms: u64) -> Option<SmallBytes> {
        let mut rng = rand::rng();
        loop {
            let probed = (0..8).map(|_| rng.random_range(0..SHARDS)).find_map(|i| {
                let shard = self.shard(i);
                (!shard.is_empty()).then_some(shard)
            });
            let mut shard = match probed {
                Some(shard) => shard,
                None => {
                    let sizes: Vec<usize> = (0..SHARDS).map(|i| self.shard(i).len()).collect();
                    let total: usize = sizes.iter().sum();
                    if total == 0 {
                        return None;
                    }
                    let mut r = rng.random_range(0..total);
                    let i = sizes
                        .iter()
                        .position(|&n| {
                            r < n || {
                                r -= n;
                                false
                            }
                        })
                        .expect("r is below the total");
                    self.shard(i)
                }
            };
            // The shard may have been emptied since its size was read: try again.
            let Some(e) = shard.random(&mut rng) else { continue };
            if !e.is_expired(now_ms) {
                return Some(e.key.clone());
            }
            let key = e.key.clone();
            shard.lookup(&key, hash_key(&key), now_ms);
        }
    }

    /// Empties the database under all its locks at once (FLUSHDB, FLUSHALL) and
    /// returns the old tables, so the caller decides where they are freed.
    pub fn take_all(&self) -> Vec<hashbrown::HashTable<Box<Entry>>> {
        self.lock_all().iter_mut().map(|s| s.clear()).collect()
    }
}

pub struct Keyspace {
    pub dbs: Box<[Db]>,
}

impl Keyspace {
    pub fn new(databases: usize) -> Self {
        Keyspace { dbs: (0..databases).map(|_| Db::default()).collect() }
    }

    /// Swaps the contents of two databases atomically (SWAPDB): every shard of both
    /// is locked, lower database first, before anything moves.
    pub fn swap(&self, a: usize, b: usize) {
        if a == b {
            return;
        }
        let (lo, hi) = (a.min(b), a.max(b));
        let mut first = self.dbs[lo].lock_all();
        let mut second = self.dbs[hi].lock_all();
        for (x, y) in first.iter_mut().zip(second.iter_mut()) {
            std::mem::swap(&mut **x, &mut **y);
        }
    }

    /// Locks the shards holding `keys` (database, key) in ascending order. Each key's
    /// hash is computed here once and reused by the command's key operations.
    pub fn lock<'a, 'k>(&'a self, keys: impl IntoIterator<Item = (usize, &'k [u8])>) -> Locked<'a> {
        let mut hashes = smallvec::SmallVec::new();
        let mut ids: smallvec::SmallVec<[u32; 4]> = smallvec::SmallVec::new();
        for (db, k) in keys {
            let h = hash_key(k);
            hashes.push(KnownHash { addr: k.as_ptr() as usize, len: k.len(), hash: h });
            ids.push((db * SHARDS + h.shard()) as u32);
        }
        if ids.len() > 1 {
            ids.sort_unstable();
            ids.dedup();
        }
        let guards = ids
            .into_iter()
            .map(|id| {
                let (db, shard) = (id as usize / SHARDS, id as usize % SHARDS);
                (id, self.dbs[db].shard(shard))
            })
            .collect();
        Locked { guards, hashes }
    }
}

/// A key hash computed at lock time, found again by the identity (address and
/// length) of the argument slice the command passes back; the address is only
/// compared, never dereferenced.
struct KnownHash {
    addr: usize,
    len: usize,
    hash: KeyHash,
}

/// Shards locked for one command. Key operations go through it, so a command can
/// only touch keys it locked.
#[derive(Default)]
pub struct Locked<'a> {
    guards: smallvec::SmallVec<[(u32, MutexGuard<'a, Shard>); 2]>,
    hashes: smallvec::SmallVec<[KnownHash; 2]>,
}

impl Locked<'_> {
    /// The hash of `key`: the one computed at lock time when `key` is that argument.
    #[inline]
    pub fn hash(&self, key: &[u8]) -> KeyHash {
        let addr = key.as_ptr() as usize;
        match self.hashes.iter().find(|k| k.addr == addr && k.len == key.len()) {
            Some(k) => k.hash,
            None => hash_key(key),
        }
    }

    /// The locked shard holding `key` in `db`. Panics if the command did not lock it:
    /// that is a bug in the command's key specification.
    pub fn shard(&mut self, db: usize, h: KeyHash) -> &mut Shard {
        let id = (db * SHARDS + h.shard()) as u32;
        let (_, g) =
            self.guards.iter_mut().find(|(i, _)| *i == id).expect("command touched a key it did not lock");
        g
    }

    /// Looks a live key up (expired keys are removed on the way).
    pub fn lookup(&mut self, db: usize, key: &[u8], now_ms: u64) -> Option<&mut Entry> {
        let h = self.hash(key);
        self.shard(db, h).lookup(key, h, now_ms).entry
    }

    /// Looks a key up without applying expiry.
    pub fn peek(&mut self, db: usize, key: &[u8]) -> Option<&Entry> {
        let h = self.hash(key);
        self.shard(db, h).peek(key, h)
    }

    /// Stores a value under `key` (see [`Shard::store`]).
    #[allow(clippy::too_many_arguments)]
    pub fn store(
        &mut self,
        db: usize,
        key: &[u8],
        value: Value,
        expire_at: u64,
        enc: StrEncoding,
        access: u32,
        keep_access: bool,
    ) {
        let h = self.hash(key);
        self.shard(db, h).store(key, h, value, expire_at, enc, access, keep_access)
    }

    pub fn insert(&mut self, db: usize, entry: Box<Entry>) -> Option<Box<Entry>> {
        let h = hash_key(&entry.key);
        self.shard(db, h).insert(entry, h)
    }

    pub fn remove(&mut self, db: usize, key: &[u8]) -> Option<Box<Entry>> {
        let h = self.hash(key);
        self.shard(db, h).remove(key, h)
    }

    pub fn set_expire(&mut self, db: usize, key: &[u8], expire_at: u64) {
        let h = self.hash(key);
        self.shard(db, h).set_expire(key, h, expire_at)
    }
}
