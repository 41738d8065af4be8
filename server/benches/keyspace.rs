//! Hot keyspace paths: hashing a key, looking it up in a shard (hit and miss),
//! inserting into a growing shard, replacing a value, and the locked path a command
//! takes through `Keyspace::lock`.

use std::hint::black_box;

use cinnabar::keyspace::{hash_key, new_entry, Keyspace, Shard, Value};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};

/// Keys as redis-benchmark makes them (`key:` and 12 digits).
fn keys(n: usize, offset: usize) -> Vec<Vec<u8>> {
    (0..n).map(|i| format!("key:{:012}", i + offset).into_bytes()).collect()
}

/// A shard holding `n` keys: about what one shard holds with `n * 1024` keys in a database.
fn filled_shard(keys: &[Vec<u8>]) -> Shard {
    let mut shard = Shard::new();
    for k in keys {
        shard.insert(new_entry(k, Value::str(b"xxx"), 0, 0), hash_key(k));
    }
    shard
}

fn shard_paths(c: &mut Criterion) {
    let mut g = c.benchmark_group("shard");
    let present = keys(5000, 0);
    let absent = keys(5000, 1_000_000);
    let mut shard = filled_shard(&present);

    g.bench_function("hash_key_16b", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % present.len();
            hash_key(black_box(&present[i]))
        })
    });
    g.bench_function("lookup_hit_5k", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % present.len();
            let k = &present[i];
            shard.lookup(k, hash_key(k), 0).entry.is_some()
        })
    });
    g.bench_function("lookup_miss_5k", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % absent.len();
            let k = &absent[i];
            shard.lookup(k, hash_key(k), 0).entry.is_some()
        })
    });
    g.bench_function("replace_5k", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % present.len();
            let k = &present[i];
            shard.insert(new_entry(k, Value::str(b"yyy"), 0, 0), hash_key(k))
        })
    });
    g.throughput(Throughput::Elements(present.len() as u64));
    g.bench_function("insert_5k_into_empty", |b| {
        b.iter_batched(
            Shard::new,
            |mut s| {
                for k in &present {
                    s.insert(new_entry(k, Value::str(b"xxx"), 0, 0), hash_key(k));
                }
                s
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

fn locked_paths(c: &mut Criterion) {
    let mut g = c.benchmark_group("keyspace");
    let ks = Keyspace::new(16);
    let present = keys(100_000, 0);
    {
        let mut locked = ks.lock(present.iter().map(|k| (0, &k[..])));
        for k in &present {
            locked.insert(0, new_entry(k, Value::str(b"xxx"), 0, 0));
        }
    }
    g.bench_function("lock_lookup_100k", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 7919) % present.len();
            let k = &present[i];
            let mut locked = ks.lock([(0, &k[..])]);
            locked.lookup(0, k, 0).map(|e| e.expire_at)
        })
    });
    g.bench_function("lock_set_100k", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 7919) % present.len();
            let k = &present[i];
            let mut locked = ks.lock([(0, &k[..])]);
            locked.lookup(0, k, 0);
            locked.insert(0, new_entry(k, Value::str(b"yyy"), 0, 0))
        })
    });
    g.finish();
}

criterion_group!(benches, shard_paths, locked_paths);
criterion_main!(benches);
