//! Request parsing: a pipelined buffer of SET/GET requests as redis-benchmark sends
//! them (`-P 16`), parsed request by request as the connection loop does.

use std::hint::black_box;

use cinnabar::protocol::parser::{Limits, RequestParser};
use cinnabar::protocol::reply::{Protocol, ReplyBuf};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const LIMITS: Limits = Limits { max_bulk_len: 512 * 1024 * 1024, authenticated: true };

/// `n` requests alternating `SET key:<12 digits> xxx` and `GET key:<12 digits>`.
fn pipeline(n: usize) -> Vec<u8> {
    let mut buf = Vec::new();
    for i in 0..n {
        let key = format!("key:{:012}", i * 7919 % 100_000);
        if i % 2 == 0 {
            buf.extend_from_slice(
                format!("*3\r\n$3\r\nSET\r\n${}\r\n{key}\r\n$3\r\nxxx\r\n", key.len()).as_bytes(),
            );
        } else {
            buf.extend_from_slice(format!("*2\r\n$3\r\nGET\r\n${}\r\n{key}\r\n", key.len()).as_bytes());
        }
    }
    buf
}

fn parse(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse");
    for n in [1usize, 16] {
        let buf = pipeline(n);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(format!("set_get_pipeline_{n}"), |b| {
            let mut p = RequestParser::default();
            b.iter(|| {
                let mut pos = 0;
                while let Some(used) = p.parse(black_box(&buf[pos..]), LIMITS).unwrap() {
                    black_box(p.args());
                    pos += used;
                }
                pos
            })
        });
    }
    g.finish();
}

fn reply(c: &mut Criterion) {
    let mut g = c.benchmark_group("reply");
    g.throughput(Throughput::Elements(16));
    g.bench_function("ok_and_bulk_16", |b| {
        let mut out = ReplyBuf::new(Protocol::default());
        b.iter(|| {
            out.buf.clear();
            for i in 0..16 {
                if i % 2 == 0 {
                    out.ok();
                } else {
                    out.bulk(black_box(b"xxx"));
                }
            }
            out.buf.len()
        })
    });
    g.finish();
}

criterion_group!(benches, parse, reply);
criterion_main!(benches);
