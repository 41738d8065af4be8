//! One client connection: read requests, run every complete one, write all their
//! replies at once.

use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

use bytes::{Buf, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::client::{Client, ClientInfo};
use crate::commands::dispatch::{error_reply, execute, Scratch};
use crate::commands::{table, Args};
use crate::protocol::parser::{ArgSource, Limits, RequestParser};
use crate::protocol::reply::ReplyBuf;
use crate::server::Server;
use crate::stats;

/// Replies are flushed mid-batch once this much is pending, so a long pipeline does
/// not pile up output.
const FLUSH_AT: usize = 64 * 1024;
const READ_CHUNK: usize = 16 * 1024;
/// Commands a connection runs before it lets the other connections of its worker
/// go first. Tokio's own budget would allow dozens of full read buffers, so one
/// pipelining client could hold a worker for milliseconds.
const YIELD_AFTER: usize = 256;
/// A read buffer with more room than this is reallocated once it holds little.
const SHRINK_ABOVE: usize = 4 * READ_CHUNK;

pub async fn serve<S>(server: Arc<Server>, mut stream: S, info: Arc<ClientInfo>)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let _registered = Unregister { server: &server, info: &info };
    let authenticated = server.config.read().requirepass.is_empty();
    let mut client = Client::new(info.clone(), authenticated);
    let mut buf = BytesMut::with_capacity(READ_CHUNK);
    let mut parser = RequestParser::default();
    let mut out = ReplyBuf::default();
    let mut scratch = Scratch::default();
    let thread_stats = stats::local();

    let mut since_yield = 0;
    'conn: loop {
        if since_yield >= YIELD_AFTER {
            since_yield = 0;
            tokio::task::yield_now().await;
        }
        if buf.capacity() - buf.len() < READ_CHUNK / 4 {
            buf.reserve(READ_CHUNK);
        }
        let read = match client.monitor.as_mut() {
            None => stream.read_buf(&mut buf).await,
            // A monitor also waits for lines to stream. `read_buf` is cancel safe: when
            // the feed wins, nothing was read.
            Some(feed) => tokio::select! {
                r = stream.read_buf(&mut buf) => r,
                line = feed.recv() => {
                    let Some(line) = line else { break };
                    out.buf.extend_from_slice(&line);
                    while let Some(line) = feed.try_recv() {
                        out.buf.extend_from_slice(&line);
                        if out.buf.len() >= FLUSH_AT {
                            break;
                        }
                    }
                    if flush(&mut stream, &mut out).await.is_err() || info.is_killed() {
                        break;
                    }
                    continue;
                }
            },
        };
        match read {
            Ok(0) | Err(_) => break,
            Ok(n) => thread_stats.net_in.add(n as u64),
        }
        if info.is_killed() {
            break;
        }
        info.touch(server.coarse_uptime_ms());
        if buf.len() as i64 > server.query_buffer_limit.load(Relaxed) {
            tracing::warn!(id = info.id, "closing client that reached max query buffer length");
            break;
        }
        let mut start = 0;
        loop {
            let limits = Limits {
                max_bulk_len: server.max_bulk_len.load(Relaxed),
                authenticated: client.authenticated,
            };
            match parser.parse(&buf[start..], limits) {
                Ok(Some(used)) => {
                    let data = match parser.source() {
                        ArgSource::Buffer => &buf[start..],
                        ArgSource::Inline => parser.inline_args(),
                    };
                    let args = Args::new(data, parser.args());
                    if !args.is_empty() {
                        if server.pause.is_active() && client.monitor.is_none() {
                            wait_if_paused(&server, &client, args, &mut stream, &mut out).await;
                            if info.is_killed() {
                                break 'conn;
                            }
                        }
                        execute(&server, &mut client, args, &mut out, &mut scratch);
                        since_yield += 1;
                    }
                    start += used;
                    if client.close_after_reply {
                        break;
                    }
                    if out.buf.len() >= FLUSH_AT {
                        buf.advance(start);
                        start = 0;
                        if flush(&mut stream, &mut out).await.is_err() {
                            break 'conn;
                        }
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    error_reply(&mut out, &e.message());
                    client.close_after_reply = true;
                    break;
                }
            }
        }
        if buf.capacity() > SHRINK_ABOVE && buf.len() - start < READ_CHUNK {
            // A big request grew the buffer; once it is consumed, give the memory back
            // instead of keeping it for the life of the connection.
            buf = BytesMut::from(&buf[start..]);
        } else {
            buf.advance(start);
        }
        info.query_buf.store(buf.len(), Relaxed);
        info.query_buf_cap.store(buf.capacity(), Relaxed);
        if buf.capacity() > info.query_buf_peak.load(Relaxed) {
            info.query_buf_peak.store(buf.capacity(), Relaxed);
        }
        if flush(&mut stream, &mut out).await.is_err() || client.close_after_reply || info.is_killed() {
            break;
        }
    }
}

/// Unregisters the client however its connection ends, also when a command handler
/// panics (the worker survives that; the client must not linger in lists).
struct Unregister<'a> {
    server: &'a Server,
    info: &'a ClientInfo,
}

impl Drop for Unregister<'_> {
    fn drop(&mut self) {
        self.server.clients.remove(self.info.id);
        self.server.monitors.remove(self.info.id);
        self.info.socket_closed();
    }
}

/// Holds a request back while CLIENT PAUSE covers it. Requests that would be
/// rejected anyway (unknown, wrong arity, not authenticated) are not held, as in
/// Redis; replies already produced are sent before waiting.
async fn wait_if_paused<S: AsyncWrite + Unpin>(
    server: &Server,
    client: &Client,
    args: Args<'_>,
    stream: &mut S,
    out: &mut ReplyBuf,
) {
    let Ok(resolved) = table().resolve(&args) else { return };
    let name = table().full_name(resolved.id);
    if !(client.authenticated || resolved.cmd.has_flag("no_auth")) || !server.pause.covers(resolved.cmd, name)
    {
        return;
    }
    // Like Redis, CLIENT LIST shows the held command as the client's last one.
    client.info.last_cmd.store(resolved.id, Relaxed);
    if flush(stream, out).await.is_err() {
        return;
    }
    server.pause.wait(resolved.cmd, name, &client.info).await;
}

async fn flush<S: AsyncWrite + Unpin>(stream: &mut S, out: &mut ReplyBuf) -> std::io::Result<()> {
    if out.buf.is_empty() {
        return Ok(());
    }
    stream.write_all(&out.buf).await?;
    stats::local().net_out.add(out.buf.len() as u64);
    out.buf.clear();
    if out.buf.capacity() > 4 * FLUSH_AT {
        out.buf.shrink_to(FLUSH_AT);
    }
    Ok(())
}
