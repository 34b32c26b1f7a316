//! TCP: a listener that accepts connections, and connected streams
//! (plenary's `a.uv.tcp_connect` and friends).
//!
//! ```
//! use plenary_async as a;
//! use a::io::{AsyncReadExt as _, AsyncWriteExt as _};
//! use a::uv::tcp::{TcpListener, TcpStream};
//!
//! a::block_on(async {
//!     let listener = TcpListener::bind("127.0.0.1:0")?;
//!     let addr = listener.local_addr();
//!     let server = a::spawn(async move {
//!         let (mut conn, _peer) = listener.accept().await?;
//!         let mut buf = [0u8; 5];
//!         let n = conn.read(&mut buf).await?;
//!         conn.write_all(&buf[..n]).await?; // echo
//!         conn.close().await
//!     });
//!     let mut client = TcpStream::connect(addr).await?;
//!     client.write_all(b"hello").await?;
//!     let mut buf = [0u8; 5];
//!     let mut got = 0;
//!     while got < 5 {
//!         got += client.read(&mut buf[got..]).await?;
//!     }
//!     assert_eq!(&buf, b"hello");
//!     server.await.unwrap()?;
//!     Ok::<_, a::Error>(())
//! })
//! .unwrap();
//! ```

use super::addr::{to_socket_addr, RawAddr};
use super::req::{on_status, Req, StatusKeep};
pub use super::split::{OwnedReadHalf, OwnedWriteHalf};
use super::stream::{stream_io, ListenKind, Listener, Ops, Stream};
use super::ToSocketAddrs;
use crate::ffi::sys::{self, uv_loop_t, uv_stream_t, uv_tcp_t};
use crate::Error;
use std::ffi::c_int;
use std::fmt;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// How this module's listeners are made.
const LISTEN: ListenKind = ListenKind {
    kind: sys::UV_TCP,
    client_kind: sys::UV_TCP,
    init_client: init_tcp,
    ops: OPS,
    accept_op: "tcp_accept",
};

const OPS: Ops = Ops {
    read: "tcp_read",
    write: "tcp_write",
    shutdown: "tcp_shutdown",
};

fn uv_error(op: &'static str, code: c_int, addr: Option<SocketAddr>) -> Error {
    Error::uv(op, code, addr.map(|a| a.to_string()))
}

unsafe fn init_tcp(loop_: *mut uv_loop_t, h: *mut uv_stream_t) -> c_int {
    // SAFETY: the caller gives fresh handle memory and a live loop.
    unsafe { sys::uv_tcp_init(loop_, h.cast()) }
}

fn current_loop() -> *mut uv_loop_t {
    crate::runtime::with_current(|rt| rt.uv_loop())
}

/// Reads an address libuv fills in with `get`.
fn address(
    op: &'static str,
    get: impl FnOnce(*mut sys::sockaddr, *mut c_int) -> c_int,
) -> Result<SocketAddr, Error> {
    let mut raw = RawAddr::empty();
    let mut len = RawAddr::capacity();
    let rc = get(raw.as_mut_ptr(), &mut len);
    if rc < 0 {
        return Err(uv_error(op, rc, None));
    }
    // SAFETY: libuv filled in a sockaddr of `len` bytes.
    unsafe { to_socket_addr(raw.as_ptr(), len as usize) }
        .ok_or_else(|| uv_error(op, sys::UV_EINVAL, None))
}

/// A TCP server socket (plenary's `tcp_bind` + `listen`).
///
/// ```
/// use plenary_async::uv::tcp::TcpListener;
///
/// let listener = TcpListener::bind("127.0.0.1:0").unwrap();
/// assert_ne!(listener.local_addr().port(), 0); // the port the system chose
/// ```
pub struct TcpListener {
    listener: Listener,
    local: SocketAddr,
    /// `set_nodelay` for the connections it accepts.
    nodelay: std::cell::Cell<bool>,
}

impl TcpListener {
    /// Binds `addr` and listens (backlog 511). A port already in use is
    /// `EADDRINUSE`, naming the address.
    ///
    /// ```
    /// use plenary_async::uv::tcp::TcpListener;
    ///
    /// let first = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let err = TcpListener::bind(first.local_addr()).err().unwrap();
    /// assert!(err.to_string().contains("EADDRINUSE"), "{err}");
    /// ```
    pub fn bind(addr: impl ToSocketAddrs) -> Result<TcpListener, Error> {
        TcpListener::bind_with_backlog(addr, 511)
    }

    /// Binds `addr` and listens with a queue of `backlog` connections not
    /// yet accepted (the system may cap it: Linux at `net.core.somaxconn`).
    /// A burst of connects larger than the queue, against an accept loop
    /// that is slower, sees some connections reset. A backlog above
    /// `i32::MAX` is `EINVAL`.
    ///
    /// ```
    /// use plenary_async::uv::tcp::TcpListener;
    ///
    /// let l = TcpListener::bind_with_backlog("127.0.0.1:0", 4096).unwrap();
    /// assert_ne!(l.local_addr().port(), 0);
    /// let err = TcpListener::bind_with_backlog("127.0.0.1:0", u32::MAX).err().unwrap();
    /// assert!(err.to_string().contains("EINVAL") && err.to_string().contains("backlog 4294967295"), "{err}");
    /// ```
    pub fn bind_with_backlog(addr: impl ToSocketAddrs, backlog: u32) -> Result<TcpListener, Error> {
        // Each address in turn (a list may hold several); the last error.
        let addrs = addr.to_target()?.literal("tcp_bind")?;
        let mut last = None;
        for addr in addrs {
            match TcpListener::bind_one(addr, backlog) {
                Ok(l) => return Ok(l),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| {
            Error::uv("tcp_bind", sys::UV_EINVAL, Some("no address".to_owned()))
        }))
    }

    fn bind_one(addr: SocketAddr, backlog: u32) -> Result<TcpListener, Error> {
        let backlog = c_int::try_from(backlog).map_err(|_| {
            Error::uv(
                "tcp_listen",
                sys::UV_EINVAL,
                Some(format!("{addr} with backlog {backlog}")),
            )
        })?;
        let raw = RawAddr::from(addr);
        let loop_ = current_loop();
        // SAFETY: a fresh TCP handle on this thread's live loop, then bound;
        // clients are TCP handles on the same loop.
        let listener = unsafe {
            Listener::listen(
                &LISTEN,
                backlog,
                |h| sys::uv_tcp_init(loop_, h.cast()),
                |h| sys::uv_tcp_bind(h.cast(), raw.as_ptr(), 0),
            )
        }
        .map_err(|(step, code)| {
            let op = match step {
                "listen" => "tcp_listen",
                "init" => "tcp_init",
                _ => "tcp_bind",
            };
            uv_error(op, code, Some(addr))
        })?;
        let tcp: *mut uv_tcp_t = listener.raw();
        // SAFETY: a live, bound TCP handle.
        let local = address("tcp_getsockname", |a, l| unsafe {
            sys::uv_tcp_getsockname(tcp, a, l)
        })?;
        Ok(TcpListener {
            listener,
            local,
            nodelay: std::cell::Cell::new(false),
        })
    }

    /// The address it listens on (with the port the system chose for 0).
    ///
    /// ```
    /// use plenary_async::uv::tcp::TcpListener;
    /// let l = TcpListener::bind("127.0.0.1:0").unwrap();
    /// assert!(l.local_addr().ip().is_loopback());
    /// ```
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Turns Nagle's algorithm off (`true`) or on for every connection
    /// accepted from now on, as [`TcpStream::set_nodelay`] does for one.
    ///
    /// ```
    /// use plenary_async as a;
    /// use a::uv::tcp::{TcpListener, TcpStream};
    /// a::block_on(async {
    ///     let l = TcpListener::bind("127.0.0.1:0")?;
    ///     l.set_nodelay(true);
    ///     let _c = TcpStream::connect(l.local_addr()).await?;
    ///     let (server_side, _) = l.accept().await?; // nodelay is on
    ///     # drop(server_side);
    ///     Ok::<_, a::Error>(())
    /// })
    /// .unwrap();
    /// ```
    pub fn set_nodelay(&self, nodelay: bool) {
        self.nodelay.set(nodelay);
    }

    /// A connection just accepted, with the listener's options applied.
    fn configured(&self, stream: Stream) -> Result<TcpStream, Error> {
        let stream = TcpStream { stream };
        if self.nodelay.get() {
            stream.set_nodelay(true)?;
        }
        Ok(stream)
    }

    /// Waits for the next connection and returns it with the peer's
    /// address.
    ///
    /// A connection that its client reset before it was accepted is
    /// returned too (as std and tokio return it; reading it then reports
    /// the reset), so a port scan cannot end an `accept().await?` loop.
    /// libuv's accept does not give the peer's address, which is read from
    /// the socket afterwards: for such a connection it is gone, and the
    /// unspecified address of the listener's family, port 0, is returned.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future loses no connection:
    /// it stays queued for the next call.
    ///
    /// ```
    /// use plenary_async as a;
    /// use a::uv::tcp::{TcpListener, TcpStream};
    ///
    /// a::block_on(async {
    ///     let l = TcpListener::bind("127.0.0.1:0")?;
    ///     let client = TcpStream::connect(l.local_addr()).await?;
    ///     let (server_side, peer) = l.accept().await?;
    ///     assert_eq!(peer, client.local_addr()?);
    ///     # drop(server_side);
    ///     Ok::<_, a::Error>(())
    /// })
    /// .unwrap();
    /// ```
    pub async fn accept(&self) -> Result<(TcpStream, SocketAddr), Error> {
        let stream = std::future::poll_fn(|cx| self.listener.poll_accept(cx)).await?;
        let mut stream = self.configured(stream)?;
        let peer = match stream.peer_addr() {
            Ok(peer) => peer,
            Err(_reset) => {
                let unspecified: std::net::IpAddr = match self.local.ip() {
                    std::net::IpAddr::V4(_) => std::net::Ipv4Addr::UNSPECIFIED.into(),
                    std::net::IpAddr::V6(_) => std::net::Ipv6Addr::UNSPECIFIED.into(),
                };
                SocketAddr::new(unspecified, 0)
            }
        };
        stream.stream.set_label(Some(peer.to_string()));
        Ok((stream, peer))
    }

    /// The connections as a [`Stream`](futures_core::Stream) that never
    /// ends (each item is one `accept`).
    ///
    /// ```
    /// use plenary_async as a;
    /// use a::uv::tcp::{TcpListener, TcpStream};
    /// use futures_util::StreamExt;
    ///
    /// a::block_on(async {
    ///     let l = TcpListener::bind("127.0.0.1:0")?;
    ///     let _c1 = TcpStream::connect(l.local_addr()).await?;
    ///     let _c2 = TcpStream::connect(l.local_addr()).await?;
    ///     let two: Vec<_> = l.incoming().take(2).collect().await;
    ///     assert!(two.iter().all(|c| c.is_ok()));
    ///     Ok::<_, a::Error>(())
    /// })
    /// .unwrap();
    /// ```
    pub fn incoming(&self) -> Incoming<'_> {
        Incoming { listener: self }
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpListener")
            .field("local", &self.local)
            .finish()
    }
}

/// The stream of [`TcpListener::incoming`].
///
/// ```
/// let l = plenary_async::uv::tcp::TcpListener::bind("127.0.0.1:0").unwrap();
/// let _incoming: plenary_async::uv::tcp::Incoming<'_> = l.incoming();
/// ```
pub struct Incoming<'a> {
    listener: &'a TcpListener,
}

impl Incoming<'_> {
    /// The next connection (the stream never ends: `Some` always); no
    /// `StreamExt` needed.
    ///
    /// # Cancel safety
    ///
    /// As for [`TcpListener::accept`]: dropping the future loses no
    /// connection.
    ///
    /// ```
    /// use plenary_async as a;
    /// a::block_on(async {
    ///     let l = a::uv::tcp::TcpListener::bind("127.0.0.1:0")?;
    ///     let addr = l.local_addr();
    ///     let _client = a::uv::tcp::TcpStream::connect(addr).await?;
    ///     let mut incoming = l.incoming();
    ///     let _server = incoming.next().await.unwrap()?;
    ///     Ok::<_, a::Error>(())
    /// })
    /// .unwrap();
    /// ```
    #[allow(clippy::should_implement_trait)] // (Iterator::next is not async)
    pub async fn next(&mut self) -> Option<Result<TcpStream, Error>> {
        std::future::poll_fn(|cx| futures_core::Stream::poll_next(Pin::new(&mut *self), cx)).await
    }
}

impl futures_core::Stream for Incoming<'_> {
    type Item = Result<TcpStream, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.listener
            .listener
            .poll_accept(cx)
            .map(|r| Some(r.and_then(|stream| self.listener.configured(stream))))
    }
}

impl fmt::Debug for Incoming<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Incoming").finish_non_exhaustive()
    }
}

/// A TCP connection. It implements `futures_io::AsyncRead` and
/// `AsyncWrite` (so `futures`' `AsyncReadExt`, `copy`, `BufReader` work on
/// it), plus `read`, `write_all`, `flush` and `shutdown` of its own.
/// Dropping it closes the connection (once its queued writes are out).
///
/// **Nagle's algorithm** is on, as the kernel starts every socket: small
/// writes wait to be merged while an earlier one is unacknowledged. For
/// request/response traffic in small writes turn it off with
/// [`set_nodelay(true)`](TcpStream::set_nodelay) (or
/// [`TcpListener::set_nodelay`] for accepted connections): a lockstep
/// echo of 1 MiB in small writes took 700 ms with it and 37 ms without.
///
/// See the [module documentation](self) for an echo round trip.
///
/// ```
/// use plenary_async as a;
/// let err = a::block_on(a::uv::tcp::TcpStream::connect("127.0.0.1:1"))
///     .unwrap_err();
/// assert!(err.to_string().starts_with("tcp_connect failed: ECONNREFUSED"), "{err}");
/// ```
pub struct TcpStream {
    stream: Stream,
}

stream_io!(
    TcpStream,
    r#"
    let l = a::uv::tcp::TcpListener::bind("127.0.0.1:0")?;
    let mut ours = a::uv::tcp::TcpStream::connect(l.local_addr()).await?;
    let (mut theirs, _) = l.accept().await?;"#
);

impl TcpStream {
    /// Splits the stream into a read half and a write half that two tasks
    /// may use at once (see [`OwnedReadHalf`] and [`OwnedWriteHalf`]):
    /// one reads while the other writes. Dropping the write half shuts the
    /// writing side down; the stream closes when both halves are gone.
    ///
    /// ```
    /// use plenary_async as a;
    /// use a::io::{AsyncReadExt as _, AsyncWriteExt as _};
    /// a::block_on(async {
    ///     let l = a::uv::tcp::TcpListener::bind("127.0.0.1:0")?;
    ///     let ours = a::uv::tcp::TcpStream::connect(l.local_addr()).await?;
    ///     let (mut theirs, _) = l.accept().await?;
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

    /// Connects to `addr` (plenary's `tcp_connect`). A refused connection
    /// is `ECONNREFUSED`, naming the address.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future closes the half-made
    /// connection; nothing leaks.
    ///
    /// ```
    /// use plenary_async as a;
    /// use a::uv::tcp::{TcpListener, TcpStream};
    /// let l = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let c = a::block_on(TcpStream::connect(l.local_addr())).unwrap();
    /// assert_eq!(c.peer_addr().unwrap(), l.local_addr());
    /// ```
    pub async fn connect(addr: impl ToSocketAddrs) -> Result<TcpStream, Error> {
        // Each address in turn (a name may have several); the last error.
        let addrs = addr.to_target()?.resolve().await?;
        let mut last = None;
        for addr in addrs {
            match TcpStream::connect_one(addr).await {
                Ok(s) => return Ok(s),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| {
            Error::uv("tcp_connect", sys::UV_EINVAL, Some("no address".to_owned()))
        }))
    }

    async fn connect_one(addr: SocketAddr) -> Result<TcpStream, Error> {
        let loop_ = current_loop();
        // SAFETY: a fresh TCP handle on this thread's live loop.
        let mut stream =
            unsafe { Stream::new(sys::UV_TCP, OPS, |h| sys::uv_tcp_init(loop_, h.cast())) }
                .map_err(|code| uv_error("tcp_init", code, Some(addr)))?;
        stream.set_label(Some(addr.to_string()));
        let tcp: *mut uv_tcp_t = stream.raw();
        let keep: StatusKeep = Box::new(RawAddr::from(addr));
        // SAFETY: uv_tcp_connect on a live handle, with the address kept in
        // the request's slot; `on_status` completes requests started with
        // `StatusKeep` and `()`. If this future is dropped, dropping the
        // handle closes it, which calls the connect callback (ECANCELED),
        // which frees the request.
        let req = unsafe {
            Req::<StatusKeep, ()>::start(
                sys::UV_CONNECT,
                "tcp_connect",
                Some(addr.to_string()),
                keep,
                false,
                |req, keep: &mut StatusKeep| {
                    let raw = keep
                        .downcast_ref::<RawAddr>()
                        .expect("the address kept above");
                    sys::uv_tcp_connect(req, tcp, raw.as_ptr(), Some(on_status))
                },
            )
        }?;
        req.await?;
        Ok(TcpStream { stream })
    }

    fn tcp(&self) -> *mut uv_tcp_t {
        self.stream.raw()
    }

    /// The address of the other end.
    ///
    /// ```
    /// # use plenary_async as a;
    /// # use a::uv::tcp::{TcpListener, TcpStream};
    /// # let l = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let c = a::block_on(TcpStream::connect(l.local_addr())).unwrap();
    /// assert_eq!(c.peer_addr().unwrap(), l.local_addr());
    /// ```
    pub fn peer_addr(&self) -> Result<SocketAddr, Error> {
        let tcp = self.tcp();
        // SAFETY: a live TCP handle.
        address("tcp_getpeername", |a, l| unsafe {
            sys::uv_tcp_getpeername(tcp, a, l)
        })
    }

    /// The address of this end.
    ///
    /// ```
    /// # use plenary_async as a;
    /// # use a::uv::tcp::{TcpListener, TcpStream};
    /// # let l = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let c = a::block_on(TcpStream::connect(l.local_addr())).unwrap();
    /// assert!(c.local_addr().unwrap().ip().is_loopback());
    /// ```
    pub fn local_addr(&self) -> Result<SocketAddr, Error> {
        let tcp = self.tcp();
        // SAFETY: a live TCP handle.
        address("tcp_getsockname", |a, l| unsafe {
            sys::uv_tcp_getsockname(tcp, a, l)
        })
    }

    /// Turns Nagle's algorithm off (`true`: small writes go out at once).
    ///
    /// ```
    /// # use plenary_async as a;
    /// # use a::uv::tcp::{TcpListener, TcpStream};
    /// # let l = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let c = a::block_on(TcpStream::connect(l.local_addr())).unwrap();
    /// c.set_nodelay(true).unwrap();
    /// ```
    pub fn set_nodelay(&self, nodelay: bool) -> Result<(), Error> {
        // SAFETY: a live TCP handle.
        let rc = unsafe { sys::uv_tcp_nodelay(self.tcp(), nodelay as c_int) };
        crate::ffi::check("tcp_nodelay", rc)
    }

    /// Whether Nagle's algorithm is off (`TCP_NODELAY` is set).
    ///
    /// ```
    /// # use plenary_async as a;
    /// # use a::uv::tcp::{TcpListener, TcpStream};
    /// # let l = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let c = a::block_on(TcpStream::connect(l.local_addr())).unwrap();
    /// assert!(!c.nodelay().unwrap());
    /// c.set_nodelay(true).unwrap();
    /// assert!(c.nodelay().unwrap());
    /// ```
    pub fn nodelay(&self) -> Result<bool, Error> {
        // SAFETY: a live TCP handle.
        let socket = unsafe { crate::ffi::fileno(self.tcp().cast()) }
            .map_err(|rc| Error::uv("tcp_nodelay", rc, None))?;
        // SAFETY: the socket of the live handle, borrowed for this call.
        unsafe { crate::ffi::with_socket(socket, |s| s.tcp_nodelay()) }
            .map_err(|e| Error::uv("tcp_nodelay", crate::ffi::io_error_code(&e), None))
    }

    /// Turns TCP keep-alive on with the given initial delay, or off.
    ///
    /// ```
    /// # use plenary_async as a;
    /// # use a::uv::tcp::{TcpListener, TcpStream};
    /// # let l = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let c = a::block_on(TcpStream::connect(l.local_addr())).unwrap();
    /// c.set_keepalive(Some(std::time::Duration::from_secs(60))).unwrap();
    /// ```
    pub fn set_keepalive(&self, delay: Option<Duration>) -> Result<(), Error> {
        let (on, secs) = match delay {
            Some(d) => (1, d.as_secs().clamp(1, u32::MAX as u64) as u32),
            None => (0, 0),
        };
        // SAFETY: a live TCP handle.
        let rc = unsafe { sys::uv_tcp_keepalive(self.tcp(), on, secs) };
        crate::ffi::check("tcp_keepalive", rc)
    }
}

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpStream")
            .field("peer", &self.peer_addr().ok())
            .finish()
    }
}
