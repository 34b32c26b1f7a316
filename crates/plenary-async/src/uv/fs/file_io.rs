//! `futures_io::AsyncRead`, `AsyncWrite` and `AsyncSeek` for [`File`]:
//! the file's `fs_read`/`fs_write` requests driven from `poll_*`, at the
//! descriptor's own position, the one the inherent `read`/`write` use
//! too (a seek is `lseek(2)` on it: no request, nothing that blocks).
//!
//! A request in flight is kept here (it owns its buffer, as every request
//! does), so a caller that stops polling loses nothing: the next `poll_*`
//! finishes it first. Reads and writes of other tasks on the same `File`
//! move the same position.

use super::file::File;
use crate::Error;
use std::fmt;
use std::future::Future;
use std::io::{self, SeekFrom};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

type Pending<T> = Pin<Box<dyn Future<Output = Result<T, Error>>>>;

/// What the traits have in flight.
#[derive(Default)]
pub(super) enum IoState {
    #[default]
    Idle,
    /// A read.
    Read(Pending<Vec<u8>>),
    /// A write.
    Write(Pending<usize>),
}

impl fmt::Debug for IoState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IoState::Idle => "idle",
            IoState::Read(_) => "reading",
            IoState::Write(_) => "writing",
        })
    }
}

/// `lseek(2)` on the descriptor: the new position.
fn seek(fd: std::ffi::c_int, to: SeekFrom) -> io::Result<u64> {
    let (off, whence) = match to {
        SeekFrom::Start(n) => (
            i64::try_from(n).map_err(|_| {
                io::Error::new(io::ErrorKind::InvalidInput, "position past i64::MAX")
            })?,
            0,
        ),
        SeekFrom::Current(by) => (by, 1),
        SeekFrom::End(by) => (by, 2),
    };
    #[cfg(unix)]
    // SAFETY: lseek on a descriptor the File keeps open; any values.
    let r = unsafe { libc::lseek(fd, off as libc::off_t, whence) } as i64;
    #[cfg(windows)]
    // SAFETY: the C runtime's lseek on a descriptor of the C runtime
    // libuv uses (a `uv_file`), which the File keeps open.
    let r = unsafe { _lseeki64(fd, off, whence) };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(r as u64)
}

#[cfg(windows)]
extern "C" {
    fn _lseeki64(fd: std::ffi::c_int, offset: i64, origin: std::ffi::c_int) -> i64;
}

impl File {
    /// Finishes a request another kind of call left in flight: a write's
    /// result is dropped (its bytes are written); a read's bytes are given
    /// back to the file (the position is moved back over them).
    fn settle(&self, cx: &mut Context<'_>, st: &mut IoState) -> Poll<io::Result<()>> {
        let result = match st {
            IoState::Idle => return Poll::Ready(Ok(())),
            IoState::Read(f) => ready!(f.as_mut().poll(cx)).map(|got| self.unread(got.len())),
            IoState::Write(f) => ready!(f.as_mut().poll(cx)).map(|_| Ok(())),
        };
        *st = IoState::Idle;
        Poll::Ready(result.map_err(io::Error::from).and_then(|r| r))
    }

    /// Moves the position back over `n` bytes read but not taken.
    fn unread(&self, n: usize) -> io::Result<()> {
        if n > 0 {
            seek(self.raw(), SeekFrom::Current(-(n as i64)))?;
        }
        Ok(())
    }
}

/// Reads at the descriptor's position, as the inherent `read` does.
///
/// ```
/// use futures_util::AsyncReadExt;
/// use plenary_async as a;
///
/// a::block_on(async {
///     let dir = a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX")).await?;
///     let path = dir.join("f");
///     a::uv::fs::write(&path, "hello, world").await?;
///     let mut file = a::uv::fs::File::open(&path).await?;
///     let mut text = String::new();
///     AsyncReadExt::read_to_string(&mut file, &mut text).await?;
///     assert_eq!(text, "hello, world");
///     # drop(file); a::uv::fs::unlink(&path).await?; a::uv::fs::rmdir(&dir).await?;
///     Ok::<_, std::io::Error>(())
/// })
/// .unwrap();
/// ```
impl futures_io::AsyncRead for File {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = &*self;
        let mut st = this.io.borrow_mut();
        if !matches!(*st, IoState::Read(_)) {
            ready!(this.settle(cx, &mut st))?;
            if buf.is_empty() {
                return Poll::Ready(Ok(0));
            }
            let (file, len) = (this.sharing(), buf.len());
            *st = IoState::Read(Box::pin(async move { file.read_inner(len, -1).await }));
        }
        let IoState::Read(f) = &mut *st else {
            unreachable!()
        };
        let got = ready!(f.as_mut().poll(cx));
        *st = IoState::Idle;
        let got = got.map_err(io::Error::from)?;
        // (A read started for a larger buffer than this poll's: the rest
        // goes back to the file.)
        let n = buf.len().min(got.len());
        buf[..n].copy_from_slice(&got[..n]);
        this.unread(got.len() - n)?;
        Poll::Ready(Ok(n))
    }
}

/// Writes at the descriptor's position, as the inherent `write` does.
/// Nothing is buffered: `poll_flush` and `poll_close` finish a write in
/// flight (`sync_all` makes the data durable).
///
/// ```
/// use futures_util::{AsyncSeekExt, AsyncWriteExt};
/// use plenary_async as a;
/// use std::io::SeekFrom;
///
/// a::block_on(async {
///     let dir = a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX")).await?;
///     let path = dir.join("f");
///     let mut file = a::uv::fs::File::create(&path).await?;
///     AsyncWriteExt::write_all(&mut file, b"hello").await?;
///     file.seek(SeekFrom::Start(0)).await?;
///     AsyncWriteExt::write_all(&mut file, b"J").await?;
///     file.close().await?;
///     assert_eq!(a::uv::fs::read(&path).await?, b"Jello");
///     # a::uv::fs::unlink(&path).await?; a::uv::fs::rmdir(&dir).await?;
///     Ok::<_, std::io::Error>(())
/// })
/// .unwrap();
/// ```
impl futures_io::AsyncWrite for File {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &*self;
        let mut st = this.io.borrow_mut();
        if !matches!(*st, IoState::Write(_)) {
            ready!(this.settle(cx, &mut st))?;
            let (file, data) = (this.sharing(), buf.to_vec());
            *st = IoState::Write(Box::pin(
                async move { Ok(file.write_inner(data, -1).await?.0) },
            ));
        }
        let IoState::Write(f) = &mut *st else {
            unreachable!()
        };
        let n = ready!(f.as_mut().poll(cx));
        *st = IoState::Idle;
        Poll::Ready(n.map_err(io::Error::from))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &*self;
        let mut st = this.io.borrow_mut();
        this.settle(cx, &mut st)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush(cx)
    }
}

/// Moves the descriptor's position (`lseek(2)`), once a request in flight
/// has finished. A position before the start is an error (`EINVAL`).
///
/// ```
/// use futures_util::{AsyncReadExt, AsyncSeekExt};
/// use plenary_async as a;
/// use std::io::SeekFrom;
///
/// a::block_on(async {
///     let dir = a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX")).await?;
///     let path = dir.join("f");
///     a::uv::fs::write(&path, "0123456789").await?;
///     let mut file = a::uv::fs::File::open(&path).await?;
///     assert_eq!(file.seek(SeekFrom::End(-3)).await?, 7);
///     let mut tail = Vec::new();
///     AsyncReadExt::read_to_end(&mut file, &mut tail).await?;
///     assert_eq!(tail, b"789");
///     assert!(file.seek(SeekFrom::Current(-100)).await.is_err());
///     # drop(file); a::uv::fs::unlink(&path).await?; a::uv::fs::rmdir(&dir).await?;
///     Ok::<_, std::io::Error>(())
/// })
/// .unwrap();
/// ```
impl futures_io::AsyncSeek for File {
    fn poll_seek(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        to: SeekFrom,
    ) -> Poll<io::Result<u64>> {
        let this = &*self;
        let mut st = this.io.borrow_mut();
        ready!(this.settle(cx, &mut st))?;
        Poll::Ready(seek(this.raw(), to))
    }
}
