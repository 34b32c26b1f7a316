//! Socket addresses between Rust's `SocketAddr` and the C `sockaddr` that
//! libuv takes and fills. socket2 knows each platform's layout (macOS's
//! length byte, Winsock's unions), so this file has none of its own.

use crate::ffi::sys::sockaddr;
use socket2::{SockAddr, SockAddrStorage};
use std::ffi::c_int;
use std::net::SocketAddr;

/// Room for any address (a `sockaddr_storage`), holding one.
pub(crate) struct RawAddr {
    storage: SockAddrStorage,
}

impl RawAddr {
    pub(crate) fn as_ptr(&self) -> *const sockaddr {
        (&self.storage as *const SockAddrStorage).cast()
    }

    pub(crate) fn as_mut_ptr(&mut self) -> *mut sockaddr {
        (&mut self.storage as *mut SockAddrStorage).cast()
    }

    /// Room for any address, for libuv to fill in.
    pub(crate) fn empty() -> RawAddr {
        RawAddr {
            storage: SockAddrStorage::zeroed(),
        }
    }

    pub(crate) fn capacity() -> c_int {
        std::mem::size_of::<SockAddrStorage>() as c_int
    }
}

impl From<SocketAddr> for RawAddr {
    fn from(addr: SocketAddr) -> RawAddr {
        RawAddr {
            storage: SockAddr::from(addr).as_storage(),
        }
    }
}

/// Reads an IPv4 or IPv6 address of at most `len` bytes; `None` for other
/// families.
///
/// # Safety
/// `addr` is null or points to `len` readable bytes of a `sockaddr`.
pub(crate) unsafe fn to_socket_addr(addr: *const sockaddr, len: usize) -> Option<SocketAddr> {
    if addr.is_null() {
        return None;
    }
    let mut raw = RawAddr::empty();
    let len = len.min(RawAddr::capacity() as usize);
    // SAFETY: the caller's contract for the source; the storage has room
    // for `len` bytes, and the two do not overlap (ours is a fresh local).
    unsafe { std::ptr::copy_nonoverlapping(addr.cast::<u8>(), raw.as_mut_ptr().cast::<u8>(), len) };
    // SAFETY: a storage with an address of the platform's layout in its
    // first `len` bytes, zeroes after.
    let addr = unsafe { SockAddr::new(raw.storage, len as socket2::socklen_t) };
    addr.as_socket()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_round_trip_through_sockaddr() {
        for text in ["127.0.0.1:8080", "[::1]:443", "0.0.0.0:0", "[fe80::1%2]:9"] {
            let addr: SocketAddr = text.parse().unwrap();
            let raw = RawAddr::from(addr);
            // SAFETY: a sockaddr we just filled in, of the storage's size.
            let back = unsafe { to_socket_addr(raw.as_ptr(), RawAddr::capacity() as usize) };
            assert_eq!(back, Some(addr), "{text}");
        }
    }

    #[test]
    fn other_families_and_null_are_none() {
        // SAFETY: null is allowed.
        assert_eq!(unsafe { to_socket_addr(std::ptr::null(), 16) }, None);
        // Family 0: AF_UNSPEC.
        let raw = RawAddr::empty();
        // SAFETY: a zeroed storage of its own size.
        let addr = unsafe { to_socket_addr(raw.as_ptr(), RawAddr::capacity() as usize) };
        assert_eq!(addr, None);
    }
}
