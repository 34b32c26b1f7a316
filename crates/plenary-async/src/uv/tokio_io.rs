//! The `tokio-io` feature: tokio's `AsyncRead`/`AsyncWrite` on the
//! streams, for the crates built on them (hyper through its tokio
//! adapters, tonic, tokio-util's codecs). Each impl forwards to the
//! stream's `futures_io` impl: one implementation of each operation.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

macro_rules! tokio_read {
    ($($ty:ty),*) => {$(
        impl tokio::io::AsyncRead for $ty {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut tokio::io::ReadBuf<'_>,
            ) -> Poll<io::Result<()>> {
                let n = ready!(futures_io::AsyncRead::poll_read(self, cx, buf.initialize_unfilled()))?;
                buf.advance(n);
                Poll::Ready(Ok(()))
            }
        }
    )*};
}

macro_rules! tokio_write {
    ($($ty:ty),*) => {$(
        impl tokio::io::AsyncWrite for $ty {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                futures_io::AsyncWrite::poll_write(self, cx, buf)
            }

            fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                futures_io::AsyncWrite::poll_flush(self, cx)
            }

            fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                futures_io::AsyncWrite::poll_close(self, cx)
            }
        }
    )*};
}

use super::pipe::Pipe;
use super::split::{OwnedReadHalf, OwnedWriteHalf};
use super::tcp::TcpStream;
use super::tty::Tty;

tokio_read!(TcpStream, Pipe, Tty, OwnedReadHalf);
tokio_write!(TcpStream, Pipe, Tty, OwnedWriteHalf);
