//! A TCP echo server and its clients.
//!
//! `cargo run --example tcp_echo` starts a server on a free loopback port
//! and ten clients that each send a few lines and check the echo.
//! `cargo run --example tcp_echo -- server 127.0.0.1:7000` runs only the
//! server (try `nc 127.0.0.1 7000`).

use a::io::{AsyncReadExt, AsyncWriteExt};
use a::uv::tcp::{TcpListener, TcpStream};
use plenary_async as a;
use std::net::SocketAddr;

/// Echoes everything each connection sends until it closes its side.
async fn serve(listener: TcpListener, max_connections: Option<usize>) -> Result<(), a::Error> {
    let mut served = 0;
    while max_connections.is_none_or(|max| served < max) {
        let (mut conn, peer) = listener.accept().await?;
        served += 1;
        a::spawn(async move {
            let mut buf = [0u8; 4096];
            loop {
                match conn.read(&mut buf).await {
                    Ok(0) => break,
                    Ok(n) => {
                        if let Err(e) = conn.write_all(&buf[..n]).await {
                            eprintln!("{peer}: {e}");
                            return;
                        }
                    }
                    Err(e) => {
                        eprintln!("{peer}: {e}");
                        return;
                    }
                }
            }
            let _ = conn.close().await;
        })
        .detach();
    }
    Ok(())
}

async fn client(id: usize, addr: SocketAddr) -> Result<(), a::Error> {
    let mut conn = TcpStream::connect(addr).await?;
    let message = format!("hello from client {id}\n").repeat(3);
    conn.write_all(message.as_bytes()).await?;
    conn.close().await?; // the server sees the end and closes its side
    let mut echoed = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        let n = conn.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        echoed.extend_from_slice(&buf[..n]);
    }
    assert_eq!(echoed, message.as_bytes(), "client {id}: the echo differs");
    println!("client {id}: {} bytes echoed", echoed.len());
    Ok(())
}

#[a::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("server") {
        let addr = args.get(1).map_or("127.0.0.1:7000", String::as_str);
        let listener = TcpListener::bind(addr).unwrap_or_else(|e| panic!("{e}"));
        println!("echo server on {}", listener.local_addr());
        serve(listener, None).await.unwrap();
        return;
    }
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr();
    println!("echo server on {addr}");
    let server = a::spawn(serve(listener, Some(10)));
    let clients = (0..10).map(|id| client(id, addr));
    for result in a::util::join(clients).await {
        result.unwrap();
    }
    server.await.unwrap().unwrap();
    println!("all 10 clients got their bytes back");
}
