//! `a::uv::tcp`: many concurrent connections, backpressure, errors, and
//! futures dropped mid-flight. Loopback only.

mod common;

use a::uv::tcp::{TcpListener, TcpStream};
use common::*;
use futures_util::{AsyncReadExt, AsyncWriteExt, StreamExt};
use plenary_async as a;
use std::cell::Cell;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Duration;

fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

/// The bytes client `id` sends: a pattern that differs per client and per
/// position, so that a misplaced or mixed-up byte is caught.
fn pattern(id: usize, len: usize) -> Vec<u8> {
    (0..len).map(|i| ((id * 31 + i * 7) % 251) as u8).collect()
}

async fn read_exactly(conn: &mut TcpStream, len: usize) -> Vec<u8> {
    let mut got = vec![0u8; len];
    let mut n = 0;
    while n < len {
        let k = conn.read(&mut got[n..]).await.unwrap();
        assert!(k > 0, "the stream ended after {n} of {len} bytes");
        n += k;
    }
    got
}

/// Raises the soft limit on open files if it is low (each connection is two
/// descriptors here; Windows has no such limit on sockets).
#[cfg(not(unix))]
fn enough_descriptors(_needed: u64) {}
/// Raises the soft limit on open files if it is low (each connection is two
/// descriptors here).
#[cfg(unix)]
fn enough_descriptors(needed: u64) {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain getrlimit/setrlimit on a local struct.
    unsafe {
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim);
        if lim.rlim_cur < needed && lim.rlim_max >= needed {
            lim.rlim_cur = needed;
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}

#[a::test(timeout = 120000)]
async fn a_thousand_concurrent_connections_echo_every_byte() {
    const CLIENTS: usize = 1000;
    const LEN: usize = 8 * 1024;
    enough_descriptors(4 * CLIENTS as u64 + 256);
    let listener = TcpListener::bind(loopback()).unwrap();
    let addr = listener.local_addr();
    let served = Rc::new(Cell::new(0usize));
    let s = served.clone();
    let server = a::spawn(async move {
        let mut handlers = Vec::new();
        for _ in 0..CLIENTS {
            let (mut conn, _) = listener.accept().await.unwrap();
            let s = s.clone();
            handlers.push(a::spawn(async move {
                let mut buf = vec![0u8; 4096];
                loop {
                    let n = conn.read(&mut buf).await.unwrap();
                    if n == 0 {
                        break;
                    }
                    conn.write_all(&buf[..n]).await.unwrap();
                }
                conn.close().await.unwrap();
                s.set(s.get() + 1);
            }));
        }
        a::util::join(handlers).await;
    });
    // At most 256 connects in flight, fewer than the listen backlog (511):
    // when the accept loop is slow (valgrind), a full accept queue makes
    // the kernel drop handshakes, and a client may then see its connection
    // reset. The connections themselves are all open at once.
    let connecting = Rc::new(a::control::Semaphore::new(256));
    let clients = (0..CLIENTS).map(|id| {
        let connecting = connecting.clone();
        async move {
            let permit = connecting.acquire().await;
            let mut conn = TcpStream::connect(addr).await.unwrap();
            drop(permit);
            let data = pattern(id, LEN);
            // Write in pieces, reading the echo as it comes.
            for piece in data.chunks(1000) {
                conn.write_all(piece).await.unwrap();
            }
            let echoed = read_exactly(&mut conn, LEN).await;
            assert!(echoed == data, "client {id} got wrong bytes back");
            conn.close().await.unwrap();
            let mut rest = [0u8; 16];
            assert_eq!(
                conn.read(&mut rest).await.unwrap(),
                0,
                "nothing after the echo"
            );
        }
    });
    a::util::join(clients).await;
    server.await.unwrap();
    assert_eq!(served.get(), CLIENTS);
}

#[a::test]
async fn a_slow_reader_gets_backpressure_not_unbounded_memory() {
    const TOTAL: usize = 32 * 1024 * 1024;
    let listener = TcpListener::bind(loopback()).unwrap();
    let addr = listener.local_addr();
    let sent = Rc::new(Cell::new(false));
    let s = sent.clone();
    let server = a::spawn(async move {
        let (mut conn, _) = listener.accept().await.unwrap();
        conn.write_all(&pattern(7, TOTAL)).await.unwrap();
        s.set(true);
        conn.flush().await.unwrap();
    });
    let mut client = TcpStream::connect(addr).await.unwrap();
    // Start reading, take one byte, then stop for a while.
    let mut one = [0u8; 1];
    assert_eq!(client.read(&mut one).await.unwrap(), 1);
    a::util::sleep(200).await;
    // The reader buffers nothing of its own and the writer queues at most
    // 1 MiB; 32 MiB cannot all fit in the kernel's socket buffers, so the
    // writer still waits.
    assert!(!sent.get(), "write_all finished although nobody read");
    let rest = read_exactly(&mut client, TOTAL - 1).await;
    let mut all = one.to_vec();
    all.extend(rest);
    assert!(all == pattern(7, TOTAL), "every byte arrives, in order");
    server.await.unwrap();
    assert!(sent.get());
}

#[a::test]
async fn async_read_and_write_work_with_futures_utilities() {
    let listener = TcpListener::bind(loopback()).unwrap();
    let addr = listener.local_addr();
    let server = a::spawn(async move {
        let (conn, _) = listener.accept().await.unwrap();
        let (reader, mut writer) = AsyncReadExt::split(conn);
        futures_util::io::copy(reader, &mut writer).await.unwrap();
        writer.close().await.unwrap();
    });
    let mut client = TcpStream::connect(addr).await.unwrap();
    AsyncWriteExt::write_all(&mut client, b"through futures::io::copy")
        .await
        .unwrap();
    AsyncWriteExt::close(&mut client).await.unwrap(); // shutdown: the copy ends
    let mut back = Vec::new();
    AsyncReadExt::read_to_end(&mut client, &mut back)
        .await
        .unwrap();
    assert_eq!(back, b"through futures::io::copy");
    server.await.unwrap();
}

#[a::test]
async fn end_of_stream_and_a_closed_peer_are_reported_not_panicked() {
    let listener = TcpListener::bind(loopback()).unwrap();
    let addr = listener.local_addr();
    let mut client = TcpStream::connect(addr).await.unwrap();
    let (server_side, _) = listener.accept().await.unwrap();
    drop(server_side); // the peer closes
    let mut buf = [0u8; 8];
    assert_eq!(client.read(&mut buf).await.unwrap(), 0, "end of stream");
    assert_eq!(client.read(&mut buf).await.unwrap(), 0, "and again");
    // Writing to a closed peer fails sooner or later (EPIPE or ECONNRESET).
    let err = write_until_failure(&mut client, 1000).await;
    assert!(
        matches!(
            err,
            a::Error::Uv {
                name: "EPIPE" | "ECONNRESET",
                ..
            }
        ),
        "{err}"
    );
}

#[a::test]
async fn a_listener_s_backlog_can_be_chosen() {
    // A queue of one still serves connections one after another.
    let listener = TcpListener::bind_with_backlog(loopback(), 1).unwrap();
    for i in 0..3u8 {
        let mut client = TcpStream::connect(listener.local_addr()).await.unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        client.write_all(&[i]).await.unwrap();
        let mut byte = [0u8; 1];
        server.read_exact(&mut byte).await.unwrap();
        assert_eq!(byte[0], i);
    }
    // One the system cannot take is an error naming it.
    let err = TcpListener::bind_with_backlog(loopback(), u32::MAX)
        .err()
        .unwrap();
    assert_uv_error(&err, "EINVAL");
    assert!(err.to_string().contains("backlog 4294967295"), "{err}");
}

#[a::test]
async fn refused_connections_and_busy_ports_are_clear_errors() {
    let busy = TcpListener::bind(loopback()).unwrap();
    let err = TcpListener::bind(busy.local_addr()).err().unwrap();
    assert_uv_error(&err, "EADDRINUSE");
    assert!(err.to_string().contains(&busy.local_addr().to_string()));
    // An address of no local interface fails in uv_tcp_bind itself (after
    // the handle was initialised: it must be closed, not just freed).
    let err = TcpListener::bind("192.0.2.1:0").err().unwrap();
    assert!(
        matches!(
            err,
            a::Error::Uv {
                op: "tcp_bind",
                name: "EADDRNOTAVAIL",
                ..
            }
        ),
        "{err}"
    );
    // A port nobody listens on: bind one, learn it, close it.
    let free = TcpListener::bind(loopback()).unwrap().local_addr();
    let err = TcpStream::connect(free).await.unwrap_err();
    assert!(
        matches!(
            err,
            a::Error::Uv {
                op: "tcp_connect",
                name: "ECONNREFUSED",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        std::io::Error::from(err).kind(),
        std::io::ErrorKind::ConnectionRefused
    );
}

#[a::test]
async fn incoming_yields_each_connection() {
    let listener = TcpListener::bind(loopback()).unwrap();
    let addr = listener.local_addr();
    let clients: Vec<_> = (0..5).map(|_| a::spawn(TcpStream::connect(addr))).collect();
    let accepted: Vec<_> = listener.incoming().take(5).collect().await;
    assert!(accepted.iter().all(Result::is_ok));
    for c in a::util::join(clients).await {
        c.unwrap().unwrap();
    }
}

#[test]
fn dropping_connects_accepts_reads_and_writes_mid_flight_is_safe() {
    on_fresh_thread(|| {
        let listener = TcpListener::bind(loopback()).unwrap();
        let addr = listener.local_addr();
        for round in 0..100 {
            start_and_drop(TcpStream::connect(addr));
            start_and_drop(listener.accept());
            let (mut client, mut server) = a::block_on(async {
                let c = TcpStream::connect(addr).await.unwrap();
                let (s, _) = listener.accept().await.unwrap();
                (c, s)
            });
            start_and_drop(client.write_all(&vec![round as u8; 300_000]));
            start_and_drop(async {
                let mut buf = [0u8; 10];
                server.read(&mut buf).await
            });
            start_and_drop(server.close());
            if round % 3 == 0 {
                drop(server); // close with writes and reads outstanding
            }
            drop(client);
        }
        // Let the loop finish what was dropped; accept whatever connected.
        a::block_on(async {
            for _ in 0..100 {
                if a::util::timeout(Duration::from_millis(5), listener.accept())
                    .await
                    .is_err()
                {
                    break;
                }
            }
        });
    });
}

#[test]
fn tcp_works_on_an_attached_runtime() {
    on_fresh_thread(|| {
        let host = HostLoop::new();
        // SAFETY: the host loop is live, run on this thread, and outlives the
        // runtime (detached before the loop is closed).
        let rt = unsafe { a::Runtime::attach(host.ptr.cast()) };
        let echoed = Rc::new(Cell::new(false));
        let e = echoed.clone();
        a::spawn(async move {
            let listener = TcpListener::bind(loopback()).unwrap();
            let addr = listener.local_addr();
            let server = a::spawn(async move {
                let (mut conn, _) = listener.accept().await.unwrap();
                let got = read_exactly(&mut conn, 4).await;
                conn.write_all(&got).await.unwrap();
                conn.flush().await.unwrap();
            });
            let mut c = TcpStream::connect(addr).await.unwrap();
            c.write_all(b"ping").await.unwrap();
            assert_eq!(read_exactly(&mut c, 4).await, b"ping");
            server.await.unwrap();
            e.set(true);
        })
        .detach();
        host.run();
        assert!(echoed.get());
        rt.uninstall();
    });
}

/// A connection its client reset (RST) before it was accepted is still
/// returned by `accept`, as std and tokio return it, so that one port scan
/// cannot stop an `accept().await?` loop; reading it reports the reset.
#[a::test]
async fn accept_returns_a_connection_reset_before_it_was_accepted() {
    let listener = TcpListener::bind(loopback()).unwrap();
    let client = std::net::TcpStream::connect(listener.local_addr()).unwrap();
    socket2::SockRef::from(&client)
        .set_linger(Some(std::time::Duration::ZERO))
        .unwrap();
    drop(client); // linger 0: the close sends a reset
    let (mut conn, _peer) = listener.accept().await.expect("the reset connection");
    let mut buf = [0u8; 16];
    let read = conn.read(&mut buf).await;
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
    // The listener goes on: a second client is accepted.
    let _second = TcpStream::connect(listener.local_addr()).await.unwrap();
    let (_, peer) = listener.accept().await.unwrap();
    assert!(peer.ip().is_loopback());
}

/// `TcpListener::set_nodelay` applies to the connections it accepts.
#[a::test]
async fn a_listener_s_nodelay_applies_to_accepted_connections() {
    let listener = TcpListener::bind(loopback()).unwrap();
    let _c1 = TcpStream::connect(listener.local_addr()).await.unwrap();
    let (plain, _) = listener.accept().await.unwrap();
    assert!(!plain.nodelay().unwrap());
    listener.set_nodelay(true);
    let _c2 = TcpStream::connect(listener.local_addr()).await.unwrap();
    let (fast, _) = listener.accept().await.unwrap();
    assert!(fast.nodelay().unwrap());
    let _c3 = TcpStream::connect(listener.local_addr()).await.unwrap();
    let next = listener.incoming().next().await.unwrap().unwrap();
    assert!(next.nodelay().unwrap());
}

/// Split halves from two tasks at once: the client writes 4 MiB in one
/// task while another reads the echo; the echo server reads and writes
/// through halves too. Both sides wait on reading and writing at the same
/// time (the writer is held back by the reader's pace); every byte comes
/// back in order, and dropping the write half ends the echo.
#[a::test]
async fn split_halves_read_and_write_from_two_tasks_at_once() {
    const LEN: usize = 4 * 1024 * 1024;
    let listener = TcpListener::bind(loopback()).unwrap();
    let client = TcpStream::connect(listener.local_addr()).await.unwrap();
    let (server, _) = listener.accept().await.unwrap();
    let (mut srx, mut stx) = server.into_split();
    let echo = a::spawn(async move {
        let mut buf = vec![0u8; 65536];
        loop {
            let n = srx.read(&mut buf).await?;
            if n == 0 {
                return Ok::<_, a::Error>(());
            }
            stx.write_all(&buf[..n]).await?;
        }
    });
    let (mut rx, mut tx) = client.into_split();
    let data = pattern(7, LEN);
    let sent = data.clone();
    let writer = a::spawn(async move {
        for chunk in sent.chunks(100_000) {
            tx.write_all(chunk).await?;
        }
        drop(tx); // the end of the stream, once the queued bytes are out
        Ok::<_, a::Error>(())
    });
    let mut got = Vec::with_capacity(LEN);
    let mut buf = vec![0u8; 65536];
    loop {
        let n = rx.read(&mut buf).await.unwrap();
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
    }
    writer.await.unwrap().unwrap();
    echo.await.unwrap().unwrap();
    assert_eq!(got.len(), LEN);
    assert!(got == data, "the echoed bytes differ");
}
