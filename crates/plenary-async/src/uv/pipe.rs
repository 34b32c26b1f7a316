//! Pipes: Unix domain sockets (named pipes on Windows, whose paths are
//! `\\.\pipe\name`) and pipe file descriptors, as byte streams
//! (plenary's `a.uv.pipe_connect` and friends). They read and write like
//! [`TcpStream`](super::tcp::TcpStream): `futures_io::AsyncRead`/
//! `AsyncWrite`, pull-based reading with a bounded buffer.
//!
//! ```
//! use plenary_async as a;
//! use a::io::{AsyncReadExt as _, AsyncWriteExt as _};
//! use a::uv::pipe::{Pipe, PipeListener};
//!
//! a::block_on(async {
//!     let dir = a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX")).await?;
//!     let path = dir.join("socket");
//!     let listener = PipeListener::bind(&path)?;
//!     let mut client = Pipe::connect(&path).await?;
//!     let mut server = listener.accept().await?;
//!     client.write_all(b"over a unix socket").await?;
//!     client.close().await?;
//!     let mut got = Vec::new();
//!     let mut buf = [0u8; 64];
//!     loop {
//!         let n = server.read(&mut buf).await?;
//!         if n == 0 { break; }
//!         got.extend_from_slice(&buf[..n]);
//!     }
//!     assert_eq!(got, b"over a unix socket");
//!     drop(listener); // libuv removes the socket file
//!     assert!(a::uv::fs::stat(&path).await.is_err());
//!     # drop((client, server)); a::uv::fs::rmdir(&dir).await?;
//!     Ok::<_, a::Error>(())
//! })
//! .unwrap();
//! ```

use super::req::{on_status, Req, StatusKeep};
pub use super::split::{OwnedReadHalf, OwnedWriteHalf};
use super::stream::{stream_io, ListenKind, Listener, Ops, Stream};
use crate::ffi::c_path;
use crate::ffi::sys::{self, uv_loop_t, uv_pipe_t, uv_stream_t};
use crate::uv::fs::OwnedFile;
use crate::Error;
use std::ffi::{c_int, CString};
use std::fmt;
use std::path::{Path, PathBuf};

/// How this module's listeners are made.
const LISTEN: ListenKind = ListenKind {
    kind: sys::UV_NAMED_PIPE,
    client_kind: sys::UV_NAMED_PIPE,
    init_client: init_pipe,
    ops: OPS,
    accept_op: "pipe_accept",
};

const OPS: Ops = Ops {
    read: "pipe_read",
    write: "pipe_write",
    shutdown: "pipe_shutdown",
};

fn uv_error(op: &'static str, code: c_int, path: &Path) -> Error {
    Error::uv(op, code, Some(path.display().to_string()))
}

unsafe fn init_pipe(loop_: *mut uv_loop_t, h: *mut uv_stream_t) -> c_int {
    // SAFETY: the caller gives fresh handle memory and a live loop.
    unsafe { sys::uv_pipe_init(loop_, h.cast(), 0) }
}

fn current_loop() -> *mut uv_loop_t {
    crate::runtime::with_current(|rt| rt.uv_loop())
}

/// A new, unconnected pipe handle on this thread's loop.
pub(crate) fn new_stream(label: Option<String>) -> Result<Stream, c_int> {
    let loop_ = current_loop();
    // SAFETY: a fresh pipe handle on this thread's live loop.
    let mut stream = unsafe { Stream::new(sys::UV_NAMED_PIPE, OPS, |h| init_pipe(loop_, h)) }?;
    stream.set_label(label);
    Ok(stream)
}

/// A server on a Unix domain socket path, or a named pipe's on Windows
/// (plenary's `pipe_bind` + `listen`). libuv creates the socket file and
/// removes it when the listener is dropped.
///
/// ```
/// use plenary_async::uv::pipe::PipeListener;
///
/// let err = PipeListener::bind("/no/such/dir/socket").unwrap_err();
/// assert!(err.to_string().starts_with("pipe_bind failed"), "{err}");
/// ```
pub struct PipeListener {
    listener: Listener,
    path: PathBuf,
}

impl PipeListener {
    /// Binds `path` and listens (backlog 128).
    ///
    /// ```
    /// # use plenary_async as a;
    /// # let dir = a::block_on(a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX"))).unwrap();
    /// let l = a::uv::pipe::PipeListener::bind(dir.join("s")).unwrap();
    /// assert_eq!(l.path(), dir.join("s"));
    /// # drop(l); a::block_on(a::uv::fs::rmdir(&dir)).unwrap();
    /// ```
    pub fn bind(path: impl AsRef<Path>) -> Result<PipeListener, Error> {
        PipeListener::bind_with_backlog(path, 128)
    }

    /// Binds `path` and listens with a queue of `backlog` connections not
    /// yet accepted (the system may cap it). A backlog above `i32::MAX` is
    /// `EINVAL`.
    ///
    /// ```
    /// # use plenary_async as a;
    /// # let dir = a::block_on(a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX"))).unwrap();
    /// let l = a::uv::pipe::PipeListener::bind_with_backlog(dir.join("s"), 1024).unwrap();
    /// assert_eq!(l.path(), dir.join("s"));
    /// let err = a::uv::pipe::PipeListener::bind_with_backlog(dir.join("t"), u32::MAX).err().unwrap();
    /// assert!(err.to_string().contains("EINVAL"), "{err}");
    /// # drop(l); a::block_on(a::uv::fs::rmdir(&dir)).unwrap();
    /// ```
    pub fn bind_with_backlog(path: impl AsRef<Path>, backlog: u32) -> Result<PipeListener, Error> {
        let path = path.as_ref();
        let backlog = c_int::try_from(backlog).map_err(|_| {
            Error::uv(
                "pipe_listen",
                sys::UV_EINVAL,
                Some(format!("{} with backlog {backlog}", path.display())),
            )
        })?;
        let c = c_path("pipe_bind", path)?;
        let loop_ = current_loop();
        // SAFETY: a fresh pipe handle on this thread's live loop, then bound;
        // clients are pipe handles on the same loop.
        let listener = unsafe {
            Listener::listen(
                &LISTEN,
                backlog,
                |h| sys::uv_pipe_init(loop_, h.cast(), 0),
                |h| sys::uv_pipe_bind(h.cast(), c.as_ptr()),
            )
        }
        .map_err(|(step, code)| {
            let op = match step {
                "listen" => "pipe_listen",
                "init" => "pipe_init",
                _ => "pipe_bind",
            };
            uv_error(op, code, path)
        })?;
        Ok(PipeListener {
            listener,
            path: path.to_owned(),
        })
    }

    /// The path it listens on.
    ///
    /// ```
    /// # use plenary_async as a;
    /// # let dir = a::block_on(a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX"))).unwrap();
    /// let l = a::uv::pipe::PipeListener::bind(dir.join("s")).unwrap();
    /// assert!(l.path().ends_with("s"));
    /// # drop(l); a::block_on(a::uv::fs::rmdir(&dir)).unwrap();
    /// ```
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Waits for the next connection.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future loses no connection.
    ///
    /// ```
    /// use plenary_async as a;
    /// a::block_on(async {
    ///     let dir = a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX")).await?;
    ///     let listener = a::uv::pipe::PipeListener::bind(dir.join("s"))?;
    ///     let _client = a::uv::pipe::Pipe::connect(dir.join("s")).await?;
    ///     let _server_side = listener.accept().await?;
    ///     # drop(listener); a::uv::fs::rmdir(&dir).await?;
    ///     Ok::<_, a::Error>(())
    /// })
    /// .unwrap();
    /// ```
    pub async fn accept(&self) -> Result<Pipe, Error> {
        let mut stream = std::future::poll_fn(|cx| self.listener.poll_accept(cx)).await?;
        stream.set_label(Some(self.path.display().to_string()));
        Ok(Pipe { stream })
    }
}

impl fmt::Debug for PipeListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PipeListener")
            .field("path", &self.path)
            .finish()
    }
}

/// A connected pipe: a Unix domain socket, or a pipe file descriptor
/// ([`Pipe::open`]), or a child process's standard stream. Dropping it
/// closes it.
///
/// ```
/// use plenary_async as a;
/// let err = a::block_on(a::uv::pipe::Pipe::connect("/no/such/socket")).unwrap_err();
/// assert!(err.to_string().starts_with("pipe_connect failed: ENOENT"), "{err}");
/// ```
pub struct Pipe {
    pub(crate) stream: Stream,
}

stream_io!(
    Pipe,
    r#"
    let (x, y) = std::os::unix::net::UnixStream::pair().unwrap();
    let mut ours = a::uv::pipe::Pipe::open(x.into())?;
    let mut theirs = a::uv::pipe::Pipe::open(y.into())?;"#
);

impl Pipe {
    /// Splits the stream into a read half and a write half that two tasks
    /// may use at once (see [`OwnedReadHalf`] and [`OwnedWriteHalf`]):
    /// one reads while the other writes. Dropping the write half shuts the
    /// writing side down; the stream closes when both halves are gone.
    ///
    /// ```
    /// use plenary_async as a;
    /// use a::io::{AsyncReadExt as _, AsyncWriteExt as _};
    /// a::block_on(async {
    ///     let (x, y) = std::os::unix::net::UnixStream::pair().unwrap();
    ///     let ours = a::uv::pipe::Pipe::open(x.into())?;
    ///     let mut theirs = a::uv::pipe::Pipe::open(y.into())?;
    ///     let (mut rx, mut tx) = ours.into_split();
    ///     let reader = a::spawn(async move {
    ///         let mut buf = [0u8; 16];
    ///         rx.read(&mut buf).await.map(|n| buf[..n].to_vec())
    ///     });
    ///     theirs.write_all(b"to the reader").await?;
    ///     tx.write_all(b"from the writer").await?;
    ///     assert!(!reader.await.unwrap()?.is_empty());
    ///     Ok::<_, a::Error>(())
    /// })
    /// .unwrap();
    /// ```
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        super::split::split(self.stream)
    }

    /// Connects to the Unix domain socket at `path` (plenary's
    /// `pipe_connect`).
    ///
    /// # Cancel safety
    ///
    /// Dropping the future closes the half-made
    /// connection; nothing leaks.
    ///
    /// ```
    /// use plenary_async as a;
    /// use a::io::{AsyncReadExt as _, AsyncWriteExt as _};
    /// a::block_on(async {
    ///     let dir = a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX")).await?;
    ///     let _listener = a::uv::pipe::PipeListener::bind(dir.join("s"))?;
    ///     let mut client = a::uv::pipe::Pipe::connect(dir.join("s")).await?;
    ///     client.write_all(b"hi").await?;
    ///     # drop(_listener); a::uv::fs::rmdir(&dir).await?;
    ///     Ok::<_, a::Error>(())
    /// })
    /// .unwrap();
    /// ```
    pub async fn connect(path: impl AsRef<Path>) -> Result<Pipe, Error> {
        let path = path.as_ref();
        let c = c_path("pipe_connect", path)?;
        let stream = new_stream(Some(path.display().to_string()))
            .map_err(|code| uv_error("pipe_init", code, path))?;
        let pipe: *mut uv_pipe_t = stream.raw();
        let keep: StatusKeep = Box::new(c);
        // SAFETY: uv_pipe_connect on a live handle with the path kept in the
        // request's slot; `on_status` completes requests started with
        // `StatusKeep` and `()`. uv_pipe_connect reports errors through the
        // callback only, so the start itself cannot fail.
        let req = unsafe {
            Req::<StatusKeep, ()>::start(
                sys::UV_CONNECT,
                "pipe_connect",
                Some(path.display().to_string()),
                keep,
                false,
                |req, keep: &mut StatusKeep| {
                    let c = keep.downcast_ref::<CString>().expect("the path kept above");
                    sys::uv_pipe_connect(req, pipe, c.as_ptr(), Some(on_status));
                    0
                },
            )
        }?;
        req.await?;
        Ok(Pipe { stream })
    }

    /// Wraps an open pipe or socket file descriptor (plenary's
    /// `pipe_open`), taking ownership of it.
    ///
    /// ```
    /// use plenary_async as a;
    /// use a::io::{AsyncReadExt as _, AsyncWriteExt as _};
    /// use std::os::fd::OwnedFd;
    ///
    /// let (r, w) = std::os::unix::net::UnixStream::pair().unwrap();
    /// a::block_on(async {
    ///     let mut reader = a::uv::pipe::Pipe::open(OwnedFd::from(r))?;
    ///     let mut writer = a::uv::pipe::Pipe::open(OwnedFd::from(w))?;
    ///     writer.write_all(b"x").await?;
    ///     let mut buf = [0u8; 1];
    ///     assert_eq!(reader.read(&mut buf).await?, 1);
    ///     Ok::<_, a::Error>(())
    /// })
    /// .unwrap();
    /// ```
    pub fn open(fd: crate::uv::OwnedOs) -> Result<Pipe, Error> {
        let file = OwnedFile::from_os(fd).map_err(|code| Error::uv("pipe_open", code, None))?;
        Pipe::open_file(file)
    }

    /// Wraps a descriptor as libuv's `uv_file` is (plenary's `pipe_open`
    /// with a number, as luv takes it): on Windows one of libuv's C
    /// runtime. Prefer [`open`](Pipe::open) with an owned descriptor.
    ///
    /// # Safety
    /// `fd` is open and owned by nothing else: the pipe closes it.
    ///
    /// ```
    /// # #[cfg(unix)] {
    /// use plenary_async as a;
    /// use std::os::fd::IntoRawFd;
    /// let (r, _w) = std::os::unix::net::UnixStream::pair().unwrap();
    /// // SAFETY: the descriptor was just given up.
    /// let pipe = a::block_on(async { unsafe { a::uv::pipe::Pipe::from_raw_fd(r.into_raw_fd()) } });
    /// assert!(pipe.is_ok());
    /// # }
    /// ```
    pub unsafe fn from_raw_fd(fd: c_int) -> Result<Pipe, Error> {
        // SAFETY: the caller's contract.
        Pipe::open_file(unsafe { OwnedFile::from_raw(fd) })
    }

    fn open_file(file: OwnedFile) -> Result<Pipe, Error> {
        let stream = new_stream(None).map_err(|code| Error::uv("pipe_init", code, None))?;
        // SAFETY: a live pipe handle and a descriptor we own.
        let rc = unsafe { sys::uv_pipe_open(stream.raw(), file.raw()) };
        if rc < 0 {
            return Err(Error::uv("pipe_open", rc, None)); // (dropping `file` closes it)
        }
        // libuv took the descriptor and closes it with the handle.
        file.into_raw();
        Ok(Pipe { stream })
    }
}

impl fmt::Debug for Pipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pipe").finish_non_exhaustive()
    }
}
