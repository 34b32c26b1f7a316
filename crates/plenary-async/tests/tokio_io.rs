//! The `tokio-io` feature: tokio's io utilities on the streams.
#![cfg(feature = "tokio-io")]

use plenary_async as a;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[test]
fn tokio_s_read_and_write_utilities_work_on_a_tcp_stream_and_its_halves() {
    a::block_on(async {
        let l = a::uv::tcp::TcpListener::bind("127.0.0.1:0")?;
        let mut client = a::uv::tcp::TcpStream::connect(l.local_addr()).await?;
        let (server, _) = l.accept().await?;
        let (mut rd, mut wr) = server.into_split();

        AsyncWriteExt::write_all(&mut client, b"hello over tokio's traits").await?;
        AsyncWriteExt::flush(&mut client).await?;
        let mut got = vec![0u8; 25];
        AsyncReadExt::read_exact(&mut rd, &mut got).await?;
        assert_eq!(&got, b"hello over tokio's traits");

        AsyncWriteExt::write_all(&mut wr, b"bye").await?;
        AsyncWriteExt::shutdown(&mut wr).await?;
        let mut back = Vec::new();
        AsyncReadExt::read_to_end(&mut client, &mut back).await?;
        assert_eq!(back, b"bye");
        Ok::<_, std::io::Error>(())
    })
    .unwrap();
}
