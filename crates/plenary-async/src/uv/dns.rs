//! Name resolution on libuv's thread pool (plenary's `a.uv.getaddrinfo`
//! and `a.uv.getnameinfo`).
//!
//! ```
//! use plenary_async as a;
//!
//! a::block_on(async {
//!     let found = a::uv::dns::getaddrinfo("localhost", Some("80")).await?;
//!     assert!(found.iter().any(|ai| ai.addr.ip().is_loopback() && ai.addr.port() == 80));
//!     let (host, service) = a::uv::dns::getnameinfo("127.0.0.1:22".parse().unwrap()).await?;
//!     assert!(!host.is_empty() && !service.is_empty());
//!     Ok::<_, a::Error>(())
//! })
//! .unwrap();
//! ```

use super::addr::{to_socket_addr, RawAddr};
use super::req::{complete, Req};
use crate::ffi::sys::{self, uv_getaddrinfo_t, uv_getnameinfo_t};
use crate::Error;
use std::ffi::{c_char, c_int, CStr, CString};
use std::net::SocketAddr;

/// The socket type of a resolved address.
///
/// ```
/// use plenary_async::uv::dns::SockType;
/// assert_ne!(SockType::Stream, SockType::Datagram);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SockType {
    /// TCP-like (`SOCK_STREAM`).
    Stream,
    /// UDP-like (`SOCK_DGRAM`).
    Datagram,
    /// Raw sockets (`SOCK_RAW`).
    Raw,
    /// Something else, by number.
    Other(i32),
}

/// One result of [`getaddrinfo`].
///
/// ```
/// # use plenary_async as a;
/// let all = a::block_on(a::uv::dns::getaddrinfo("127.0.0.1", None)).unwrap();
/// let first: &a::uv::dns::AddrInfo = &all[0];
/// assert_eq!(first.addr.ip().to_string(), "127.0.0.1");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AddrInfo {
    /// The address (port 0 unless a service was given).
    pub addr: SocketAddr,
    /// The socket type it is for.
    pub socktype: SockType,
    /// The protocol number (`IPPROTO_TCP`, …).
    pub protocol: i32,
}

struct Query {
    node: CString,
    service: Option<CString>,
    hints: sys::addrinfo,
}

fn c_string(op: &'static str, s: &str) -> Result<CString, Error> {
    CString::new(s).map_err(|_| Error::uv(op, sys::UV_EINVAL, Some(s.to_owned())))
}

/// Resolves `node` (a host name or address) and an optional `service` (a
/// port number or name such as `"http"`) to addresses, each address once
/// (the system lists an address once per socket type; the first is kept).
/// Unknown names are an error such as `EAI_NONAME`, naming the host. See
/// [`getaddrinfo_typed`] for one socket type, or for every (address,
/// socket type) pair as the system gives them.
///
/// # Cancel safety
///
/// Dropping the future cancels the lookup if it
/// has not started (`uv_cancel`); otherwise it finishes and its result is
/// freed.
///
/// ```
/// use plenary_async as a;
/// let err = a::block_on(a::uv::dns::getaddrinfo("no-such-host.invalid", None)).unwrap_err();
/// assert!(err.to_string().contains("no-such-host.invalid"), "{err}");
/// ```
pub async fn getaddrinfo(node: &str, service: Option<&str>) -> Result<Vec<AddrInfo>, Error> {
    let mut all = getaddrinfo_typed(node, service, None).await?;
    let mut seen = std::collections::HashSet::new();
    all.retain(|ai| seen.insert(ai.addr));
    Ok(all)
}

/// Resolves like [`getaddrinfo`], for the socket type `socktype` only
/// (`SOCK_STREAM` for TCP, …), or, with `None`, every (address, socket
/// type) pair as the system gives them (libuv's and luv's result).
///
/// # Cancel safety
///
/// As for [`getaddrinfo`].
///
/// ```
/// use plenary_async as a;
/// use a::uv::dns::{getaddrinfo, getaddrinfo_typed, SockType};
/// a::block_on(async {
///     let tcp = getaddrinfo_typed("127.0.0.1", Some("80"), Some(SockType::Stream)).await?;
///     assert!(tcp.iter().all(|ai| ai.socktype == SockType::Stream));
///     let every = getaddrinfo_typed("127.0.0.1", Some("80"), None).await?;
///     let unique = getaddrinfo("127.0.0.1", Some("80")).await?;
///     assert_eq!(unique.len(), 1);
///     assert!(every.len() >= unique.len());
///     Ok::<_, a::Error>(())
/// })
/// .unwrap();
/// ```
pub async fn getaddrinfo_typed(
    node: &str,
    service: Option<&str>,
    socktype: Option<SockType>,
) -> Result<Vec<AddrInfo>, Error> {
    // SAFETY: all-zero is a valid addrinfo (no hints).
    let mut hints: sys::addrinfo = unsafe { std::mem::zeroed() };
    if let Some(t) = socktype {
        hints.ai_socktype = match t {
            SockType::Stream => sys::SOCK_STREAM,
            SockType::Datagram => sys::SOCK_DGRAM,
            SockType::Raw => sys::SOCK_RAW,
            SockType::Other(n) => n,
        };
    }
    let query = Query {
        node: c_string("getaddrinfo", node)?,
        service: service.map(|s| c_string("getaddrinfo", s)).transpose()?,
        hints,
    };
    let loop_ = crate::runtime::with_current(|rt| rt.uv_loop());
    let shown = match service {
        Some(s) => format!("{node}:{s}"),
        None => node.to_owned(),
    };
    // SAFETY: uv_getaddrinfo with the strings and hints kept in the request's
    // slot; its callback completes with `Query` and the result type.
    let req = unsafe {
        Req::<Query, Vec<AddrInfo>>::start(
            sys::UV_GETADDRINFO,
            "getaddrinfo",
            Some(shown),
            query,
            true,
            |req: *mut uv_getaddrinfo_t, q: &mut Query| {
                let service = q.service.as_ref().map_or(std::ptr::null(), |s| s.as_ptr());
                sys::uv_getaddrinfo(
                    loop_,
                    req,
                    Some(on_addrinfo),
                    q.node.as_ptr(),
                    service,
                    &q.hints,
                )
            },
        )
    }?;
    req.await
}

unsafe extern "C" fn on_addrinfo(
    req: *mut uv_getaddrinfo_t,
    status: c_int,
    res: *mut sys::addrinfo,
) {
    crate::ffi::callback_guard("getaddrinfo", || {
        // SAFETY: a request started by `getaddrinfo` (K = Query), in its
        // callback; `res` is libuv's list, ours to free.
        unsafe {
            complete::<Query, Vec<AddrInfo>>(req.cast(), |_| {
                let mut out = Vec::new();
                let mut ai = res;
                while !ai.is_null() {
                    if let Some(addr) = to_socket_addr((*ai).ai_addr, (*ai).ai_addrlen as _) {
                        out.push(AddrInfo {
                            addr,
                            socktype: match (*ai).ai_socktype {
                                sys::SOCK_STREAM => SockType::Stream,
                                sys::SOCK_DGRAM => SockType::Datagram,
                                sys::SOCK_RAW => SockType::Raw,
                                n => SockType::Other(n),
                            },
                            protocol: (*ai).ai_protocol,
                        });
                    }
                    ai = (*ai).ai_next;
                }
                if !res.is_null() {
                    sys::uv_freeaddrinfo(res);
                }
                if status < 0 {
                    Err(status)
                } else {
                    Ok(out)
                }
            })
        }
    })
}

/// Finds the host name and service name of an address (numeric forms when
/// no name is known).
///
/// # Cancel safety
///
/// As for [`getaddrinfo`].
///
/// ```
/// use plenary_async as a;
/// let (_host, service) = a::block_on(a::uv::dns::getnameinfo("127.0.0.1:80".parse().unwrap())).unwrap();
/// assert!(service == "http" || service == "80");
/// ```
pub async fn getnameinfo(addr: SocketAddr) -> Result<(String, String), Error> {
    let loop_ = crate::runtime::with_current(|rt| rt.uv_loop());
    // SAFETY: uv_getnameinfo copies the address during the call; its
    // callback completes with `RawAddr` and the result type.
    let req = unsafe {
        Req::<RawAddr, (String, String)>::start(
            sys::UV_GETNAMEINFO,
            "getnameinfo",
            Some(addr.to_string()),
            RawAddr::from(addr),
            true,
            |req: *mut uv_getnameinfo_t, raw: &mut RawAddr| {
                sys::uv_getnameinfo(loop_, req, Some(on_nameinfo), raw.as_ptr(), 0)
            },
        )
    }?;
    req.await
}

unsafe extern "C" fn on_nameinfo(
    req: *mut uv_getnameinfo_t,
    status: c_int,
    host: *const c_char,
    service: *const c_char,
) {
    crate::ffi::callback_guard("getnameinfo", || {
        let text = |p: *const c_char| {
            // SAFETY: libuv's NUL-terminated buffers, valid during the callback.
            (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
        };
        // SAFETY: a request started by `getnameinfo` (K = RawAddr), in its callback.
        unsafe {
            complete::<RawAddr, (String, String)>(req.cast(), |_| {
                if status < 0 {
                    Err(status)
                } else {
                    Ok((
                        text(host).unwrap_or_default(),
                        text(service).unwrap_or_default(),
                    ))
                }
            })
        }
    })
}
