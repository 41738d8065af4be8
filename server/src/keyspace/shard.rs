//! One shard of a database: a hash table of boxed entries behind its own lock.
//!
//! Entries are boxed so that the table itself holds one pointer per slot: growth then
//! moves 8-byte slots, and with 1024 shards per database no single table is large
//! enough for a resize to pause the server (see docs/ARCHITECTURE.md).

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use hashbrown::HashTable;

use super::value::{Entry, StrEncoding, Value};
use super::{hash_key, KeyHash};

/// Keys removed because they expired, lazily or by the active cycle (INFO stats).
pub static EXPIRED_KEYS: AtomicU64 = AtomicU64::new(0);

#[derive(Default)]
pub struct Shard {
    table: HashTable<Box<Entry>>,
    /// Entries with an expiry.
    expiring: usize,
    /// No entry expires before this time (Unix ms); `u64::MAX` when none expires.
    /// Lets the active expiry cycle skip shards with nothing due.
    earliest_expire: u64,
}

/// What a lookup that found nothing live reports: whether it removed an expired key.
pub struct Lookup<'a> {
    pub entry: Option<&'a mut Entry>,
    pub expired: bool,
}

impl Shard {
    pub fn new() -> Self {
        Shard { earliest_expire: u64::MAX, ..Default::default() }
    }

    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    pub fn expiring(&self) -> usize {
        self.expiring
    }

    /// Looks a key up, removing it first if it has expired.
    pub fn lookup(&mut self, key: &[u8], h: KeyHash, now_ms: u64) -> Lookup<'_> {
        // One probe: the occupied entry either yields the live entry or is removed.
        match self.table.find_entry(h.0, |e| &*e.key == key) {
            Err(_) => Lookup { entry: None, expired: false },
            Ok(found) if found.get().is_expired(now_ms) => {
                drop(found.remove());
                // Bookkeeping by field (the table is still borrowed): the removed
                // entry had an expiry, being expired.
                self.expiring -= 1;
                if self.expiring == 0 {
                    self.earliest_expire = u64::MAX;
                }
                EXPIRED_KEYS.fetch_add(1, Relaxed);
                Lookup { entry: None, expired: true }
            }
            Ok(found) => Lookup { entry: Some(&mut **found.into_mut()), expired: false },
        }
    }

    /// Stores `value` under `key`: an existing entry is updated in place (no
    /// allocation, one probe), otherwise a new entry is inserted with access stamp
    /// `access`. With `keep_access` an existing entry keeps its stamp (LFU counters
    /// survive an overwrite, as in Redis).
    #[allow(clippy::too_many_arguments)]
    pub fn store(
        &mut self,
        key: &[u8],
        h: KeyHash,
        value: Value,
        expire_at: u64,
        enc: StrEncoding,
        access: u32,
        keep_access: bool,
    ) {
        let old_expire = match self.table.find_entry(h.0, |e| &*e.key == key) {
            Ok(mut found) => {
                let e = found.get_mut();
                e.value = value;
                e.str_encoding = enc;
                if !keep_access {
                    e.access = access;
                }
                std::mem::replace(&mut e.expire_at, expire_at)
            }
            Err(_) => {
                let mut entry = new_entry(key, value, expire_at, access);
                entry.str_encoding = enc;
                self.table.insert_unique(h.0, entry, |e| hash_key(&e.key).0);
                0
            }
        };
        self.note_expire(old_expire, expire_at);
    }

    /// Looks a key up without applying expiry (for callers that handle it).
    pub fn peek(&self, key: &[u8], h: KeyHash) -> Option<&Entry> {
        self.table.find(h.0, |e| &*e.key == key).map(|e| &**e)
    }

    /// Inserts or replaces a key. Returns the entry that was replaced.
    pub fn insert(&mut self, entry: Box<Entry>, h: KeyHash) -> Option<Box<Entry>> {
        self.note_expire(0, entry.expire_at);
        match self.table.find_mut(h.0, |e| e.key == entry.key) {
            Some(slot) => {
                let old = std::mem::replace(slot, entry);
                self.note_expire(old.expire_at, 0);
                Some(old)
            }
            None => {
                self.table.insert_unique(h.0, entry, |e| hash_key(&e.key).0);
                None
            }
        }
    }

    pub fn remove(&mut self, key: &[u8], h: KeyHash) -> Option<Box<Entry>> {
        let found = self.table.find_entry(h.0, |e| &*e.key == key).ok()?;
        let (old, _) = found.remove();
        self.note_expire(old.expire_at, 0);
        Some(old)
    }

    /// Changes a key's expiry (0 removes it). The key must be present.
    pub fn set_expire(&mut self, key: &[u8], h: KeyHash, expire_at: u64) {
        let Some(e) = self.table.find_mut(h.0, |e| &*e.key == key) else {
            return;
        };
        let old = std::mem::replace(&mut e.expire_at, expire_at);
        self.note_expire(old, expire_at);
    }

    /// Keeps the expiry bookkeeping right when an entry's expiry goes from `old` to
    /// `new` (0 meaning none).
    pub fn note_expire(&mut self, old: u64, new: u64) {
        if old != 0 {
            self.expiring -= 1;
        }
        if new != 0 {
            self.expiring += 1;
            self.earliest_expire = self.earliest_expire.min(new);
        }
        if self.expiring == 0 {
            self.earliest_expire = u64::MAX;
        }
    }

    /// Whether an expiry sweep would find something due.
    pub fn has_due(&self, now_ms: u64) -> bool {
        self.earliest_expire <= now_ms
    }

    /// Removes every expired entry, calling `on_expired` for each. Returns how many.
    pub fn sweep_expired(&mut self, now_ms: u64, mut on_expired: impl FnMut(&Entry)) -> usize {
        let mut removed = 0;
        let mut earliest = u64::MAX;
        self.table.retain(|e| {
            if e.is_expired(now_ms) {
                on_expired(e);
                removed += 1;
                false
            } else {
                if e.expire_at != 0 {
                    earliest = earliest.min(e.expire_at);
                }
                true
            }
        });
        self.expiring -= removed;
        self.earliest_expire = earliest;
        EXPIRED_KEYS.fetch_add(removed as u64, Relaxed);
        removed
    }

    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.table.iter().map(|e| &**e)
    }

    pub fn clear(&mut self) -> HashTable<Box<Entry>> {
        self.expiring = 0;
        self.earliest_expire = u64::MAX;
        std::mem::take(&mut self.table)
    }

    /// The `n`-th entry in table order (for random sampling).
    pub fn nth(&self, n: usize) -> Option<&Entry> {
        self.table.iter().nth(n).map(|e| &**e)
    }

    /// A uniformly chosen entry, expired or not; `None` when the shard is empty.
    pub fn random(&self, rng: &mut impl rand::Rng) -> Option<&Entry> {
        match self.table.len() {
            0 => None,
            n => self.nth(rng.random_range(0..n)),
        }
    }

    /// Bytes used by the table and its entries.
    pub fn memory(&self) -> usize {
        let slots = self.table.capacity() * (std::mem::size_of::<Box<Entry>>() + 1);
        let entries: usize = self
            .table
            .iter()
            .map(|e| std::mem::size_of::<Entry>() + e.key.heap_size() + e.value.heap_size())
            .sum();
        slots + entries
    }
}

/// Builds a fresh entry for `key`.
pub fn new_entry(key: &[u8], value: Value, expire_at: u64, access: u32) -> Box<Entry> {
    Box::new(Entry {
        key: super::SmallBytes::new(key),
        value,
        expire_at,
        access,
        str_encoding: Default::default(),
    })
}
