//! Owned read and write halves of a byte stream (TCP, pipe), for reading
//! in one task while another writes: [`TcpStream::into_split`] and
//! [`Pipe::into_split`].
//!
//! The halves share the stream; each borrows it only while it polls, and
//! reading and writing have their own wakers, so both may wait at once.
//! Dropping the write half shuts the writing side down (the peer reads
//! the end of the stream once the queued bytes are out) and leaves
//! reading possible; the stream closes when both halves are gone.
//!
//! [`TcpStream::into_split`]: crate::uv::tcp::TcpStream::into_split
//! [`Pipe::into_split`]: crate::uv::pipe::Pipe::into_split

use super::stream::Stream;
use std::cell::RefCell;
use std::fmt;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

/// Splits a stream into its halves.
pub(crate) fn split(stream: Stream) -> (OwnedReadHalf, OwnedWriteHalf) {
    let shared = Rc::new(RefCell::new(stream));
    (
        OwnedReadHalf {
            stream: shared.clone(),
        },
        OwnedWriteHalf {
            stream: shared,
            shut_down: false,
        },
    )
}

/// The reading half of a split stream. It implements
/// `futures_io::AsyncRead` (`read` and the rest come from
/// [`crate::io::AsyncReadExt`]).
///
/// ```
/// use plenary_async as a;
/// use a::io::{AsyncReadExt as _, AsyncWriteExt as _};
/// use a::uv::tcp::{TcpListener, TcpStream};
/// a::block_on(async {
///     let l = TcpListener::bind("127.0.0.1:0")?;
///     let c = TcpStream::connect(l.local_addr()).await?;
///     let (s, _) = l.accept().await?;
///     let (mut rx, mut tx) = c.into_split();
///     let (mut srx, mut stx) = s.into_split();
///     // One task echoes, this one writes then reads.
///     let echo = a::spawn(async move {
///         let mut buf = [0u8; 64];
///         let n = srx.read(&mut buf).await?;
///         stx.write_all(&buf[..n]).await
///     });
///     tx.write_all(b"ping").await?;
///     let mut buf = [0u8; 64];
///     let n = rx.read(&mut buf).await?;
///     assert_eq!(&buf[..n], b"ping");
///     echo.await.unwrap()?;
///     Ok::<_, a::Error>(())
/// })
/// .unwrap();
/// ```
pub struct OwnedReadHalf {
    stream: Rc<RefCell<Stream>>,
}

impl futures_io::AsyncRead for OwnedReadHalf {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<std::io::Result<usize>> {
        self.stream
            .borrow_mut()
            .poll_read(cx, buf)
            .map_err(std::io::Error::from)
    }
}

impl fmt::Debug for OwnedReadHalf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedReadHalf").finish_non_exhaustive()
    }
}

/// The writing half of a split stream. It implements
/// `futures_io::AsyncWrite` (`write_all`, `flush` and `close`, which shuts
/// the writing side down, come from [`crate::io::AsyncWriteExt`]);
/// dropping it shuts the writing side down too.
///
/// ```
/// use plenary_async as a;
/// use a::io::{AsyncReadExt as _, AsyncWriteExt as _};
/// use a::uv::tcp::{TcpListener, TcpStream};
/// a::block_on(async {
///     let l = TcpListener::bind("127.0.0.1:0")?;
///     let c = TcpStream::connect(l.local_addr()).await?;
///     let (mut s, _) = l.accept().await?;
///     let (_rx, mut tx) = c.into_split();
///     tx.write_all(b"bye").await?;
///     drop(tx); // the peer reads the bytes, then the end of the stream
///     let mut got = Vec::new();
///     let mut buf = [0u8; 8];
///     loop {
///         let n = s.read(&mut buf).await?;
///         if n == 0 { break }
///         got.extend_from_slice(&buf[..n]);
///     }
///     assert_eq!(got, b"bye");
///     Ok::<_, a::Error>(())
/// })
/// .unwrap();
/// ```
pub struct OwnedWriteHalf {
    stream: Rc<RefCell<Stream>>,
    shut_down: bool,
}

impl futures_io::AsyncWrite for OwnedWriteHalf {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.stream
            .borrow_mut()
            .poll_write(cx, buf)
            .map_err(std::io::Error::from)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.stream
            .borrow_mut()
            .poll_flush(cx)
            .map_err(std::io::Error::from)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let r = self.stream.borrow_mut().poll_shutdown(cx);
        if let Poll::Ready(Ok(())) = r {
            self.shut_down = true;
        }
        r.map_err(std::io::Error::from)
    }
}

impl Drop for OwnedWriteHalf {
    fn drop(&mut self) {
        if !self.shut_down {
            // libuv's shutdown waits for the queued writes, then sends the
            // end of the stream; nobody awaits it.
            self.stream.borrow_mut().shutdown_detached();
        }
    }
}

impl fmt::Debug for OwnedWriteHalf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedWriteHalf").finish_non_exhaustive()
    }
}
