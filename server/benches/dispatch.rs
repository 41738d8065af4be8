//! A request's whole in-process path without the network: parse a pipelined buffer of
//! SET/GET requests and run each through the dispatcher into a reply buffer, as the
//! connection loop does. The difference to `parse` is dispatch, locking, keyspace and
//! reply encoding.

use std::hint::black_box;
use std::sync::Arc;

use cinnabar::client::{Client, ClientInfo, Peer};
use cinnabar::commands::dispatch::{execute, Scratch};
use cinnabar::commands::Args;
use cinnabar::config::Config;
use cinnabar::protocol::parser::{Limits, RequestParser};
use cinnabar::protocol::reply::ReplyBuf;
use cinnabar::server::Server;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const LIMITS: Limits = Limits { max_bulk_len: 512 * 1024 * 1024, authenticated: true };

fn requests(cmd: &str, n: usize, start: usize) -> Vec<u8> {
    let mut buf = Vec::new();
    for i in 0..n {
        let key = format!("key:{:012}", (start + i) * 7919 % 100_000);
        let req = match cmd {
            "SET" => format!("*3\r\n$3\r\nSET\r\n${}\r\n{key}\r\n$3\r\nxxx\r\n", key.len()),
            _ => format!("*2\r\n$3\r\nGET\r\n${}\r\n{key}\r\n", key.len()),
        };
        buf.extend_from_slice(req.as_bytes());
    }
    buf
}

fn dispatch(c: &mut Criterion) {
    let server = Server::new(Config::default());
    let peer = Peer::Tcp { addr: "127.0.0.1:1".parse().unwrap(), local: "127.0.0.1:2".parse().unwrap() };
    let mut client = Client::new(Arc::new(ClientInfo::new(1, peer, -1)), true);
    let mut out = ReplyBuf::default();
    let mut scratch = Scratch::default();
    let mut parser = RequestParser::default();
    let mut g = c.benchmark_group("dispatch");
    g.throughput(Throughput::Elements(16));
    // Fill the keyspace first, so GETs hit.
    let fill: Vec<Vec<u8>> = (0..100_000 / 16).map(|b| requests("SET", 16, b * 16)).collect();
    for cmd in ["SET", "GET"] {
        let batches: Vec<Vec<u8>> = (0..64).map(|b| requests(cmd, 16, b * 16)).collect();
        for buf in fill.iter() {
            run(buf, &server, &mut client, &mut out, &mut scratch, &mut parser);
        }
        g.bench_function(format!("{}_pipeline_16", cmd.to_lowercase()), |b| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % batches.len();
                run(&batches[i], &server, &mut client, &mut out, &mut scratch, &mut parser)
            })
        });
    }
    g.finish();
}

fn run(
    buf: &[u8],
    server: &Server,
    client: &mut Client,
    out: &mut ReplyBuf,
    scratch: &mut Scratch,
    parser: &mut RequestParser,
) -> usize {
    out.buf.clear();
    let mut pos = 0;
    while let Some(used) = parser.parse(black_box(&buf[pos..]), LIMITS).unwrap() {
        execute(server, client, Args::new(&buf[pos..], parser.args()), out, scratch);
        pos += used;
    }
    out.buf.len()
}

criterion_group!(benches, dispatch);
criterion_main!(benches);
