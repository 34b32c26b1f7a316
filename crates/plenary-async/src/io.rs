//! Async I/O traits, re-exported: futures-io's [`AsyncRead`],
//! [`AsyncWrite`], [`AsyncSeek`] and [`AsyncBufRead`], with futures-util's
//! extension traits and helpers. The streams ([`TcpStream`], [`Pipe`],
//! [`Tty`] and their halves) and [`File`] implement the traits; `read`,
//! `write_all`, `flush`, `close`, `read_to_end` and the rest come from the
//! extension traits, as in smol (`smol::io`) and the `futures` crate, so
//! the names mean the same everywhere and no inherent method hides them.
//!
//! Their errors are `std::io::Error`; one that came from this crate holds
//! its [`Error`](crate::Error), and `?` turns it back into one.
//!
//! [`TcpStream`]: crate::uv::tcp::TcpStream
//! [`Pipe`]: crate::uv::pipe::Pipe
//! [`Tty`]: crate::uv::tty::Tty
//! [`File`]: crate::uv::fs::File
//!
//! ```
//! use plenary_async as a;
//! use a::io::{AsyncReadExt, AsyncWriteExt};
//!
//! a::block_on(async {
//!     let listener = a::uv::tcp::TcpListener::bind("127.0.0.1:0")?;
//!     let mut client = a::uv::tcp::TcpStream::connect(listener.local_addr()).await?;
//!     let (mut server, _) = listener.accept().await?;
//!     client.write_all(b"hello").await?;
//!     client.close().await?; // flushes, then sends the end of the stream
//!     let mut got = String::new();
//!     server.read_to_string(&mut got).await?;
//!     assert_eq!(got, "hello");
//!     Ok::<_, a::Error>(())
//! })
//! .unwrap();
//! ```

pub use futures_io::{AsyncBufRead, AsyncRead, AsyncSeek, AsyncWrite};
pub use futures_util::io::{
    copy, AsyncBufReadExt, AsyncReadExt, AsyncSeekExt, AsyncWriteExt, BufReader, BufWriter,
};
