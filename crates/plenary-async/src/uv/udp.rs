//! UDP sockets (plenary's `a.uv.udp_send` and friends): `send_to`, and
//! pull-based `recv_from` over a bounded queue of datagrams.
//!
//! ```
//! use plenary_async as a;
//! use a::uv::udp::UdpSocket;
//!
//! a::block_on(async {
//!     let a_side = UdpSocket::bind("127.0.0.1:0")?;
//!     let b_side = UdpSocket::bind("127.0.0.1:0")?;
//!     a_side.send_to(b"datagram", b_side.local_addr()?).await?;
//!     let mut buf = [0u8; 64];
//!     let (n, from) = b_side.recv_from(&mut buf).await?;
//!     assert_eq!(&buf[..n], b"datagram");
//!     assert_eq!(from, a_side.local_addr()?);
//!     Ok::<_, a::Error>(())
//! })
//! .unwrap();
//! ```

use super::addr::{to_socket_addr, RawAddr};
use super::req::{on_status, Req, StatusKeep};
use super::ToSocketAddrs;
use crate::ffi::handle::{state_of, Handle};
use crate::ffi::sys::{self, uv_handle_t, uv_udp_t};
use crate::Error;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::ffi::{c_int, c_uint, CString};
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::task::{Context, Poll, Waker};

/// Datagrams received and not yet taken before receiving pauses.
const QUEUE_LIMIT: usize = 1024;
/// The receive buffer: the largest UDP payload.
const DATAGRAM_MAX: usize = 64 * 1024;

struct UdpState {
    queue: RefCell<VecDeque<(Vec<u8>, SocketAddr)>>,
    spare: Cell<Option<Box<[u8]>>>,
    receiving: Cell<bool>,
    error: Cell<Option<c_int>>,
    waker: Cell<Option<Waker>>,
}

/// A UDP socket. Dropping it closes it.
///
/// ```
/// use plenary_async::uv::udp::UdpSocket;
/// let s = UdpSocket::bind("127.0.0.1:0").unwrap();
/// assert_ne!(s.local_addr().unwrap().port(), 0);
/// ```
pub struct UdpSocket {
    handle: Handle<UdpState>,
}

fn uv_error(op: &'static str, code: c_int, addr: Option<String>) -> Error {
    Error::uv(op, code, addr)
}

impl UdpSocket {
    /// Binds `addr` (port 0 lets the system choose). A port in use is
    /// `EADDRINUSE`.
    ///
    /// ```
    /// use plenary_async::uv::udp::UdpSocket;
    /// let first = UdpSocket::bind("127.0.0.1:0").unwrap();
    /// let err = UdpSocket::bind(first.local_addr().unwrap()).err().unwrap();
    /// assert!(err.to_string().contains("EADDRINUSE"), "{err}");
    /// ```
    pub fn bind(addr: impl ToSocketAddrs) -> Result<UdpSocket, Error> {
        let addrs = addr.to_target()?.literal("udp_bind")?;
        let mut last = None;
        for addr in addrs {
            match UdpSocket::bind_one(addr) {
                Ok(s) => return Ok(s),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| {
            Error::uv("udp_bind", sys::UV_EINVAL, Some("no address".to_owned()))
        }))
    }

    fn bind_one(addr: SocketAddr) -> Result<UdpSocket, Error> {
        let loop_ = crate::runtime::with_current(|rt| rt.uv_loop());
        let state = UdpState {
            queue: RefCell::new(VecDeque::new()),
            spare: Cell::new(None),
            receiving: Cell::new(false),
            error: Cell::new(None),
            waker: Cell::new(None),
        };
        // SAFETY: a fresh UDP handle on this thread's live loop.
        let handle = unsafe { Handle::new(sys::UV_UDP, state, |h| sys::uv_udp_init(loop_, h)) }
            .map_err(|c| uv_error("udp_init", c, Some(addr.to_string())))?;
        let raw = RawAddr::from(addr);
        // SAFETY: a live UDP handle; libuv copies the address.
        let rc = unsafe { sys::uv_udp_bind(handle.as_ptr(), raw.as_ptr(), 0) };
        if rc < 0 {
            return Err(uv_error("udp_bind", rc, Some(addr.to_string())));
        }
        Ok(UdpSocket { handle })
    }

    fn udp(&self) -> *mut uv_udp_t {
        self.handle.as_ptr()
    }

    /// The bound address.
    ///
    /// ```
    /// use plenary_async::uv::udp::UdpSocket;
    /// let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    /// assert!(s.local_addr().unwrap().ip().is_loopback());
    /// ```
    pub fn local_addr(&self) -> Result<SocketAddr, Error> {
        let mut raw = RawAddr::empty();
        let mut len = RawAddr::capacity();
        // SAFETY: a live UDP handle; libuv fills in at most `len` bytes.
        let rc = unsafe { sys::uv_udp_getsockname(self.udp(), raw.as_mut_ptr(), &mut len) };
        crate::ffi::check("udp_getsockname", rc)?;
        // SAFETY: a sockaddr libuv filled in, of `len` bytes.
        unsafe { to_socket_addr(raw.as_ptr(), len as usize) }
            .ok_or_else(|| uv_error("udp_getsockname", sys::UV_EINVAL, None))
    }

    /// Sends one datagram to `addr`; resolves once it is sent. Returns the
    /// number of bytes sent.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future does not unsend the
    /// datagram (it may still go out); its buffer lives until libuv is done.
    ///
    /// ```
    /// use plenary_async as a;
    /// use a::uv::udp::UdpSocket;
    /// let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    /// let to = s.local_addr().unwrap(); // to itself
    /// assert_eq!(a::block_on(s.send_to(b"x", to)).unwrap(), 1);
    /// ```
    pub async fn send_to(&self, data: &[u8], addr: impl ToSocketAddrs) -> Result<usize, Error> {
        // The first address of a name (as std's `send_to`).
        let addr = addr
            .to_target()?
            .resolve()
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| Error::uv("udp_send", sys::UV_EINVAL, Some("no address".to_owned())))?;
        self.send_to_one(data, addr).await
    }

    async fn send_to_one(&self, data: &[u8], addr: SocketAddr) -> Result<usize, Error> {
        let udp = self.udp();
        let keep: StatusKeep = Box::new((data.to_vec(), RawAddr::from(addr)));
        // SAFETY: uv_udp_send on a live handle with the bytes and address in
        // the request's slot; `on_status` completes StatusKeep/() requests.
        // If the socket closes first, libuv calls back with ECANCELED.
        let req = unsafe {
            Req::<StatusKeep, ()>::start(
                sys::UV_UDP_SEND,
                "udp_send",
                Some(addr.to_string()),
                keep,
                false,
                |req, keep: &mut StatusKeep| {
                    let (bytes, raw) = keep
                        .downcast_mut::<(Vec<u8>, RawAddr)>()
                        .expect("kept above");
                    // (A datagram larger than one descriptor says is larger
                    // than any datagram: libuv refuses it, EMSGSIZE.)
                    let buf = sys::uv_buf_t::new(bytes.as_mut_ptr(), bytes.len());
                    sys::uv_udp_send(req, udp, &buf, 1, raw.as_ptr(), Some(on_status))
                },
            )
        }?;
        req.await?;
        Ok(data.len())
    }

    fn poll_recv(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<Result<(usize, SocketAddr), Error>> {
        let st = self.handle.state();
        let next = st.queue.borrow_mut().pop_front();
        if let Some((data, from)) = next {
            let n = data.len().min(buf.len());
            buf[..n].copy_from_slice(&data[..n]);
            if !st.receiving.get() {
                self.start_receiving()?;
            }
            return Poll::Ready(Ok((n, from)));
        }
        if let Some(code) = st.error.take() {
            return Poll::Ready(Err(uv_error("udp_recv", code, None)));
        }
        if !st.receiving.get() {
            self.start_receiving()?;
        }
        let old = st.waker.take();
        st.waker.set(match old {
            Some(w) if w.will_wake(cx.waker()) => Some(w),
            _ => Some(cx.waker().clone()),
        });
        Poll::Pending
    }

    fn start_receiving(&self) -> Result<(), Error> {
        // SAFETY: a live UDP handle; the callbacks find its state in `data`.
        let rc = unsafe { sys::uv_udp_recv_start(self.udp(), Some(on_alloc), Some(on_recv)) };
        crate::ffi::check("udp_recv_start", rc)?;
        self.handle.state().receiving.set(true);
        Ok(())
    }

    /// Waits for the next datagram and copies it into `buf` (truncated if
    /// longer); returns its length and sender. Receiving starts on the first
    /// call; up to 1024 datagrams are queued while nobody takes them, then
    /// receiving pauses and the kernel's buffer (then the network) drops
    /// the excess.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future loses no datagram.
    ///
    /// ```
    /// use plenary_async as a;
    /// a::block_on(async {
    ///     let s = a::uv::udp::UdpSocket::bind("127.0.0.1:0")?;
    ///     s.send_to(b"to myself", s.local_addr()?).await?;
    ///     let mut buf = [0u8; 32];
    ///     let (n, from) = s.recv_from(&mut buf).await?;
    ///     assert_eq!((&buf[..n], from), (&b"to myself"[..], s.local_addr()?));
    ///     Ok::<_, a::Error>(())
    /// })
    /// .unwrap();
    /// ```
    pub async fn recv_from(&self, buf: &mut [u8]) -> Result<(usize, SocketAddr), Error> {
        std::future::poll_fn(|cx| self.poll_recv(cx, buf)).await
    }

    /// Allows sending to broadcast addresses.
    ///
    /// ```
    /// let s = plenary_async::uv::udp::UdpSocket::bind("0.0.0.0:0").unwrap();
    /// s.set_broadcast(true).unwrap();
    /// ```
    pub fn set_broadcast(&self, on: bool) -> Result<(), Error> {
        // SAFETY: a live, bound UDP handle.
        crate::ffi::check("udp_set_broadcast", unsafe {
            sys::uv_udp_set_broadcast(self.udp(), on as c_int)
        })
    }

    /// Sets the time-to-live of outgoing datagrams (1–255).
    ///
    /// ```
    /// let s = plenary_async::uv::udp::UdpSocket::bind("127.0.0.1:0").unwrap();
    /// s.set_ttl(16).unwrap();
    /// assert!(s.set_ttl(0).is_err());
    /// ```
    pub fn set_ttl(&self, ttl: u32) -> Result<(), Error> {
        let ttl = c_int::try_from(ttl).unwrap_or(c_int::MAX);
        // SAFETY: a live, bound UDP handle; libuv checks the range.
        crate::ffi::check("udp_set_ttl", unsafe {
            sys::uv_udp_set_ttl(self.udp(), ttl)
        })
    }

    /// Sets the time-to-live of outgoing multicast datagrams.
    ///
    /// ```
    /// let s = plenary_async::uv::udp::UdpSocket::bind("0.0.0.0:0").unwrap();
    /// s.set_multicast_ttl(2).unwrap();
    /// ```
    pub fn set_multicast_ttl(&self, ttl: u32) -> Result<(), Error> {
        let ttl = c_int::try_from(ttl).unwrap_or(c_int::MAX);
        // SAFETY: a live, bound UDP handle; libuv checks the range.
        crate::ffi::check("udp_set_multicast_ttl", unsafe {
            sys::uv_udp_set_multicast_ttl(self.udp(), ttl)
        })
    }

    /// Whether multicast datagrams loop back to this host.
    ///
    /// ```
    /// let s = plenary_async::uv::udp::UdpSocket::bind("0.0.0.0:0").unwrap();
    /// s.set_multicast_loop(true).unwrap();
    /// ```
    pub fn set_multicast_loop(&self, on: bool) -> Result<(), Error> {
        // SAFETY: a live, bound UDP handle.
        crate::ffi::check("udp_set_multicast_loop", unsafe {
            sys::uv_udp_set_multicast_loop(self.udp(), on as c_int)
        })
    }

    /// Joins (`join = true`) or leaves a multicast group on an interface
    /// (`None`: the system's choice).
    ///
    /// ```
    /// let s = plenary_async::uv::udp::UdpSocket::bind("0.0.0.0:0").unwrap();
    /// // Not a multicast address: refused.
    /// assert!(s.set_membership("127.0.0.1".parse().unwrap(), None, true).is_err());
    /// ```
    pub fn set_membership(
        &self,
        group: IpAddr,
        interface: Option<IpAddr>,
        join: bool,
    ) -> Result<(), Error> {
        let group_c = CString::new(group.to_string()).expect("an address has no NUL");
        let iface_c =
            interface.map(|i| CString::new(i.to_string()).expect("an address has no NUL"));
        let membership = if join {
            sys::UV_JOIN_GROUP
        } else {
            sys::UV_LEAVE_GROUP
        };
        // SAFETY: a live, bound UDP handle; the strings live across the call.
        let rc = unsafe {
            sys::uv_udp_set_membership(
                self.udp(),
                group_c.as_ptr(),
                iface_c.as_ref().map_or(std::ptr::null(), |c| c.as_ptr()),
                membership,
            )
        };
        if rc < 0 {
            return Err(uv_error("udp_set_membership", rc, Some(group.to_string())));
        }
        Ok(())
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UdpSocket")
            .field("local", &self.local_addr().ok())
            .finish()
    }
}

unsafe extern "C" fn on_alloc(
    handle: *mut uv_handle_t,
    _suggested: usize,
    buf: *mut sys::uv_buf_t,
) {
    crate::ffi::callback_guard("udp alloc", || {
        // SAFETY: a live UDP handle made by `UdpSocket::bind`.
        let st: &UdpState = unsafe { state_of(handle) };
        let spare = st
            .spare
            .take()
            .unwrap_or_else(|| vec![0; DATAGRAM_MAX].into_boxed_slice());
        let base = Box::into_raw(spare) as *mut u8;
        // SAFETY: libuv's out-parameter; the buffer is lent until `on_recv`.
        unsafe { *buf = sys::uv_buf_t::new(base, DATAGRAM_MAX) };
    })
}

unsafe extern "C" fn on_recv(
    udp: *mut uv_udp_t,
    nread: isize,
    buf: *const sys::uv_buf_t,
    addr: *const sys::sockaddr,
    _flags: c_uint,
) {
    crate::ffi::callback_guard("udp recv", || {
        // SAFETY: a live UDP handle made by `UdpSocket::bind`.
        let st: &UdpState = unsafe { state_of(udp.cast()) };
        // SAFETY: `buf` is what `on_alloc` lent, or has a null base.
        let spare = unsafe {
            let b = &*buf;
            (!b.base.is_null()).then(|| {
                Box::from_raw(std::ptr::slice_from_raw_parts_mut(
                    b.base.cast::<u8>(),
                    DATAGRAM_MAX,
                ))
            })
        };
        // SAFETY: `addr` is the sender's address (or null), valid during
        // the callback: libuv's `sockaddr_storage` on every platform.
        let sender = unsafe { to_socket_addr(addr, RawAddr::capacity() as usize) };
        if nread < 0 {
            st.error.set(Some(nread as c_int));
        } else if let Some(from) = sender {
            let data = spare
                .as_ref()
                .map_or(Vec::new(), |s| s[..nread as usize].to_vec());
            let full = {
                let mut q = st.queue.borrow_mut();
                q.push_back((data, from));
                q.len() >= QUEUE_LIMIT
            };
            if full {
                // SAFETY: a live UDP handle.
                unsafe { sys::uv_udp_recv_stop(udp) };
                st.receiving.set(false);
            }
        }
        if let Some(spare) = spare {
            st.spare.set(Some(spare));
        }
        if nread != 0 || !addr.is_null() {
            if let Some(w) = st.waker.take() {
                w.wake();
            }
        }
    })
}
