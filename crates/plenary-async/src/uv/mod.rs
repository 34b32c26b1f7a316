//! libuv, the event loop under everything (plenary's `a.uv`: "all
//! filesystem and network operations wrapped").
//!
//! Every operation here is a libuv request or handle driven by the loop the
//! tasks run on, standalone or a host's: no extra reactor, and no thread
//! per operation beyond libuv's own thread pool for file work.
//!
//! | module | what |
//! |---|---|
//! | [`fs`] | files and directories (every `uv_fs_*`), `File`, `read_dir` |
//! | [`tcp`], [`pipe`], [`tty`] | byte streams (`AsyncRead`/`AsyncWrite`), listeners |
//! | [`udp`] | datagrams |
//! | [`dns`] | `getaddrinfo`, `getnameinfo` |
//! | [`process`] | child processes with piped standard streams |
//! | [`signal`] | signal deliveries as a stream |
//! | [`watch`] | file-system events and polling as streams |
//!
//! Dropping a future or an object mid-operation is always safe: requests
//! and their buffers live until libuv's callback (file and DNS requests are
//! cancelled with `uv_cancel` when libuv allows it), and handles are closed
//! with `uv_close` and freed in its callback. Failures are
//! [`Error::Uv`](crate::Error::Uv) with the operation, libuv's error name
//! and the path or address.
//!
//! ```
//! // libuv's version, as linked (or as found in the host process).
//! let (major, minor, _patch) = plenary_async::uv::version();
//! assert!(major == 1 && minor >= 44);
//! ```

pub(crate) mod addr;
pub mod dns;
pub mod fs;
pub(crate) mod fs_req;
pub mod pipe;
pub mod process;
pub(crate) mod req;
pub mod signal;
mod split;
pub(crate) mod stream;
pub mod tcp;
mod to_socket_addrs;
#[cfg(feature = "tokio-io")]
mod tokio_io;
pub mod tty;
pub mod udp;
pub mod watch;

pub use to_socket_addrs::ToSocketAddrs;

/// An owned descriptor (Unix) or handle (Windows), as [`pipe::Pipe::open`]
/// and [`tty::Tty::new`] take it: std's `OwnedFd`, or `OwnedHandle`.
///
/// ```
/// # #[cfg(unix)] {
/// let (ours, _theirs) = std::os::unix::net::UnixStream::pair().unwrap();
/// let owned: plenary_async::uv::OwnedOs = ours.into();
/// # drop(owned);
/// # }
/// ```
#[cfg(unix)]
pub type OwnedOs = std::os::fd::OwnedFd;
/// An owned descriptor (Unix) or handle (Windows), as [`pipe::Pipe::open`]
/// and [`tty::Tty::new`] take it: std's `OwnedFd`, or `OwnedHandle`.
#[cfg(windows)]
pub type OwnedOs = std::os::windows::io::OwnedHandle;
pub(crate) mod work;

/// The version of the libuv in this process, as `(major, minor, patch)`.
///
/// ```
/// let (major, _, _) = plenary_async::uv::version();
/// assert_eq!(major, 1);
/// ```
pub fn version() -> (u32, u32, u32) {
    // SAFETY: uv_version has no preconditions.
    let v = unsafe { crate::ffi::sys::uv_version() };
    ((v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff)
}
