//! Socket addresses between Rust's `SocketAddr` and the C `sockaddr` that
//! libuv takes and fills.

use std::ffi::c_int;
use std::mem::{size_of, zeroed};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

/// A `sockaddr_storage` holding one address, with its length.
pub(crate) struct RawAddr {
    pub(crate) storage: libc::sockaddr_storage,
}

impl RawAddr {
    pub(crate) fn as_ptr(&self) -> *const libc::sockaddr {
        (&self.storage as *const libc::sockaddr_storage).cast()
    }

    pub(crate) fn as_mut_ptr(&mut self) -> *mut libc::sockaddr {
        (&mut self.storage as *mut libc::sockaddr_storage).cast()
    }

    /// Room for any address, for libuv to fill in.
    pub(crate) fn empty() -> RawAddr {
        // SAFETY: all-zero bytes are a valid sockaddr_storage.
        let storage = unsafe { zeroed() };
        RawAddr { storage }
    }

    pub(crate) fn capacity() -> c_int {
        size_of::<libc::sockaddr_storage>() as c_int
    }
}

impl From<SocketAddr> for RawAddr {
    fn from(addr: SocketAddr) -> RawAddr {
        let mut raw = RawAddr::empty();
        match addr {
            SocketAddr::V4(a) => {
                // SAFETY: sockaddr_storage is large and aligned enough for a
                // sockaddr_in.
                let sin = unsafe { &mut *(raw.as_mut_ptr() as *mut libc::sockaddr_in) };
                sin.sin_family = libc::AF_INET as libc::sa_family_t;
                sin.sin_port = a.port().to_be();
                sin.sin_addr = libc::in_addr {
                    s_addr: u32::from_ne_bytes(a.ip().octets()),
                };
            }
            SocketAddr::V6(a) => {
                // SAFETY: as above, for a sockaddr_in6.
                let sin6 = unsafe { &mut *(raw.as_mut_ptr() as *mut libc::sockaddr_in6) };
                sin6.sin6_family = libc::AF_INET6 as libc::sa_family_t;
                sin6.sin6_port = a.port().to_be();
                sin6.sin6_addr = libc::in6_addr {
                    s6_addr: a.ip().octets(),
                };
                sin6.sin6_flowinfo = a.flowinfo();
                sin6.sin6_scope_id = a.scope_id();
            }
        }
        raw
    }
}

/// Reads an IPv4 or IPv6 address; `None` for other families.
///
/// # Safety
/// `addr` must point to a valid `sockaddr` of the size its family implies.
pub(crate) unsafe fn to_socket_addr(addr: *const libc::sockaddr) -> Option<SocketAddr> {
    if addr.is_null() {
        return None;
    }
    // SAFETY: the caller's contract; the family says which struct it is.
    unsafe {
        match c_int::from((*addr).sa_family) {
            libc::AF_INET => {
                let sin = &*(addr as *const libc::sockaddr_in);
                let ip = Ipv4Addr::from(sin.sin_addr.s_addr.to_ne_bytes());
                Some(SocketAddr::V4(SocketAddrV4::new(
                    ip,
                    u16::from_be(sin.sin_port),
                )))
            }
            libc::AF_INET6 => {
                let sin6 = &*(addr as *const libc::sockaddr_in6);
                let ip = Ipv6Addr::from(sin6.sin6_addr.s6_addr);
                Some(SocketAddr::V6(SocketAddrV6::new(
                    ip,
                    u16::from_be(sin6.sin6_port),
                    sin6.sin6_flowinfo,
                    sin6.sin6_scope_id,
                )))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_round_trip_through_sockaddr() {
        for text in ["127.0.0.1:8080", "[::1]:443", "0.0.0.0:0", "[fe80::1%2]:9"] {
            let addr: SocketAddr = text.parse().unwrap();
            let raw = RawAddr::from(addr);
            // SAFETY: a sockaddr we just filled in.
            let back = unsafe { to_socket_addr(raw.as_ptr()) };
            assert_eq!(back, Some(addr), "{text}");
        }
    }
}
