//! libuv, the event loop under everything (the seed's `a.uv`: "all
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
pub(crate) mod handle;
pub mod pipe;
pub mod process;
pub(crate) mod req;
pub mod signal;
pub(crate) mod stream;
#[doc(hidden)]
pub mod sys;
pub mod tcp;
pub(crate) mod timer;
pub mod tty;
pub mod udp;
pub mod watch;
pub(crate) mod work;

use std::ffi::{c_int, CStr};

/// The version of the libuv in this process, as `(major, minor, patch)`.
///
/// ```
/// let (major, _, _) = plenary_async::uv::version();
/// assert_eq!(major, 1);
/// ```
pub fn version() -> (u32, u32, u32) {
    // SAFETY: uv_version has no preconditions.
    let v = unsafe { sys::uv_version() };
    ((v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff)
}

/// libuv's message for an error code (`"no such file or directory"`).
pub(crate) fn strerror(code: i32) -> String {
    // SAFETY: uv_strerror returns a pointer to a static string, or to a leaked
    // "Unknown system error" string for unknown codes; never null.
    unsafe { CStr::from_ptr(sys::uv_strerror(code as c_int)) }
        .to_string_lossy()
        .into_owned()
}

/// libuv's name for an error code (`"ENOENT"`).
pub(crate) fn err_name(code: i32) -> &'static str {
    // SAFETY: for known codes uv_err_name returns a static string; unknown
    // codes get a leaked buffer that is never freed, so 'static holds too.
    let name = unsafe { CStr::from_ptr(sys::uv_err_name(code as c_int)) };
    name.to_str().unwrap_or("EUNKNOWN")
}

/// Turns a libuv return code into a `Result`, naming the operation.
pub(crate) fn check(op: &'static str, code: c_int) -> Result<(), crate::Error> {
    if code < 0 {
        Err(crate::Error::Uv {
            op,
            name: err_name(code),
            code,
            path: None,
        })
    } else {
        Ok(())
    }
}

/// Runs the body of a libuv callback. A panic must not unwind into libuv's C
/// frames: it is reported and the process aborts, as an unwinding `extern "C"`
/// function would, but with a message naming the callback.
pub(crate) fn callback_guard<R>(what: &str, f: impl FnOnce() -> R) -> R {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(_) => {
            eprintln!("plenary_async: a panic reached the libuv {what} callback; aborting");
            std::process::abort()
        }
    }
}
