//! The uv issue's workloads: a TCP echo over loopback served by
//! plenary-async, by tokio's current-thread runtime, and by a C server
//! written directly on libuv's callbacks (`c/echo_server.c`); and reading
//! 10,000 files of 4 KiB concurrently with `a::uv::fs` and `tokio::fs`.
//!
//! The echo load comes from one client implementation for all three
//! servers (64 connections on tokio's current-thread runtime in its own
//! thread, each sending a message and reading the echo back in a loop), so
//! the servers are compared under the same load.

use plenary_async as a;
use std::ffi::c_int;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

extern "C" {
    fn c_echo_spawn() -> c_int;
}

/// Which echo server.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Server {
    Plenary,
    Tokio,
    C,
}

impl Server {
    #[allow(dead_code)] // for ad-hoc runs
    pub fn name(self) -> &'static str {
        match self {
            Server::Plenary => "plenary-async",
            Server::Tokio => "tokio current-thread",
            Server::C => "C on libuv",
        }
    }
}

pub const SERVERS: [Server; 3] = [Server::Plenary, Server::Tokio, Server::C];

/// Starts `server` on its own thread (it runs until the process ends) and
/// returns its address.
pub fn spawn_server(server: Server) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    match server {
        Server::Plenary => {
            std::thread::spawn(move || {
                a::block_on(async move {
                    let l = a::uv::tcp::TcpListener::bind("127.0.0.1:0").unwrap();
                    tx.send(l.local_addr()).unwrap();
                    loop {
                        let (mut conn, _) = l.accept().await.unwrap();
                        conn.set_nodelay(true).unwrap();
                        a::spawn(async move {
                            let mut buf = vec![0u8; 64 * 1024];
                            loop {
                                match a::io::AsyncReadExt::read(&mut conn, &mut buf).await {
                                    Ok(0) | Err(_) => break,
                                    Ok(n) => {
                                        let echo = &buf[..n];
                                        if a::io::AsyncWriteExt::write_all(&mut conn, echo)
                                            .await
                                            .is_err()
                                        {
                                            break;
                                        }
                                    }
                                }
                            }
                        })
                        .detach();
                    }
                })
            });
        }
        Server::Tokio => {
            std::thread::spawn(move || {
                crate::tokio_runtime().block_on(async move {
                    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                    tx.send(l.local_addr().unwrap()).unwrap();
                    loop {
                        let (mut conn, _) = l.accept().await.unwrap();
                        conn.set_nodelay(true).unwrap();
                        tokio::spawn(async move {
                            let mut buf = vec![0u8; 64 * 1024];
                            loop {
                                match conn.read(&mut buf).await {
                                    Ok(0) | Err(_) => break,
                                    Ok(n) => {
                                        if conn.write_all(&buf[..n]).await.is_err() {
                                            break;
                                        }
                                    }
                                }
                            }
                        });
                    }
                })
            });
        }
        Server::C => {
            // SAFETY: c_echo_spawn takes no input and starts its own thread.
            let port = unsafe { c_echo_spawn() };
            assert!(port > 0, "the C echo server failed to start: {port}");
            tx.send(SocketAddr::from(([127, 0, 0, 1], port as u16)))
                .unwrap();
        }
    }
    rx.recv().unwrap()
}

/// Runs 64 connections against `addr` for `duration`, each sending a
/// message of `size` bytes and reading the echo back, and returns how many
/// round trips completed.
pub fn echo_load(addr: SocketAddr, size: usize, duration: Duration) -> u64 {
    const CONNECTIONS: usize = 64;
    std::thread::spawn(move || {
        crate::tokio_runtime().block_on(async move {
            let deadline = Instant::now() + duration;
            let mut tasks = Vec::new();
            for c in 0..CONNECTIONS {
                tasks.push(tokio::spawn(async move {
                    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
                    conn.set_nodelay(true).unwrap();
                    let msg: Vec<u8> = (0..size).map(|i| (i + c) as u8).collect();
                    let mut back = vec![0u8; size];
                    let mut trips = 0u64;
                    while Instant::now() < deadline {
                        conn.write_all(&msg).await.unwrap();
                        conn.read_exact(&mut back).await.unwrap();
                        trips += 1;
                    }
                    assert!(back == msg || trips == 0, "the echo differs");
                    trips
                }));
            }
            let mut total = 0;
            for t in tasks {
                total += t.await.unwrap();
            }
            total
        })
    })
    .join()
    .unwrap()
}

/// A directory of `n` files of 4 KiB.
pub fn make_files(n: usize) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("plenary-bench-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..n {
        std::fs::write(dir.join(format!("f{i}")), vec![(i % 251) as u8; 4096]).unwrap();
    }
    dir
}

/// Reads the `n` files of `dir` concurrently with plenary-async.
pub fn read_files_plenary(dir: &std::path::Path, n: usize) -> Duration {
    a::block_on(async {
        let start = Instant::now();
        let reads = (0..n).map(|i| a::uv::fs::read(dir.join(format!("f{i}"))));
        let all = a::util::join(reads).await;
        let elapsed = start.elapsed();
        assert!(all
            .iter()
            .all(|r| r.as_ref().map(Vec::len).ok() == Some(4096)));
        elapsed
    })
}

/// Reads the `n` files of `dir` concurrently with `tokio::fs`.
pub fn read_files_tokio(dir: &std::path::Path, n: usize) -> Duration {
    crate::tokio_runtime().block_on(async {
        let start = Instant::now();
        let mut set = tokio::task::JoinSet::new();
        for i in 0..n {
            set.spawn(tokio::fs::read(dir.join(format!("f{i}"))));
        }
        let mut ok = 0;
        while let Some(r) = set.join_next().await {
            ok += (r.unwrap().unwrap().len() == 4096) as usize;
        }
        let elapsed = start.elapsed();
        assert_eq!(ok, n);
        elapsed
    })
}
