//! The C boundary: libuv's declarations ([`sys`]), handle allocation and
//! closing ([`handle`]), error codes turned into names and results, and the
//! guard that keeps a panic from unwinding into libuv's C frames.
//!
//! The lowest layer: it uses nothing else of the crate but [`Error`]. Above
//! it sit the runtime (`crate::runtime`), then the public `crate::uv`
//! modules.
//!
//! [`Error`]: crate::Error

pub(crate) mod handle;
pub(crate) mod host;
// The declarations cover each family of constants and each handle type's
// functions whole, whether or not the crate calls every one of them.
#[allow(dead_code)]
pub(crate) mod sys;

use std::ffi::{c_int, CStr};

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

/// libuv's (negative) code for an I/O error: its OS code (`errno` on
/// Unix, a Windows or Winsock error on Windows) as libuv translates it;
/// without one, `EILSEQ` for invalid data (text that is not UTF-8) and
/// `EINVAL` otherwise.
pub(crate) fn io_error_code(err: &std::io::Error) -> c_int {
    match err.raw_os_error() {
        // SAFETY: a pure function of its argument.
        Some(code) => unsafe { sys::uv_translate_sys_error(code) },
        None if err.kind() == std::io::ErrorKind::InvalidData => sys::UV_EILSEQ,
        None => sys::UV_EINVAL,
    }
}

/// The OS handle of a libuv handle (`uv_fileno`): a descriptor on Unix, a
/// `HANDLE` (a `SOCKET` for TCP and UDP) on Windows; `Err` is libuv's code.
///
/// # Safety
/// `handle` is a live libuv handle.
pub(crate) unsafe fn fileno(handle: *const sys::uv_handle_t) -> Result<sys::uv_os_fd_t, c_int> {
    // SAFETY: zero is a valid value of both kinds (0, or a null HANDLE),
    // overwritten on success.
    let mut fd: sys::uv_os_fd_t = unsafe { std::mem::zeroed() };
    // SAFETY: the caller's contract; libuv writes one `uv_os_fd_t`.
    let rc = unsafe { sys::uv_fileno(handle, &mut fd) };
    if rc < 0 {
        Err(rc)
    } else {
        Ok(fd)
    }
}

/// Runs `f` on the socket `fd` (from [`fileno`] of a TCP or UDP handle),
/// borrowed: the handle keeps owning it.
///
/// # Safety
/// `fd` is the socket of a live handle, which stays open during `f`.
pub(crate) unsafe fn with_socket<R>(
    fd: sys::uv_os_fd_t,
    f: impl FnOnce(socket2::SockRef<'_>) -> R,
) -> R {
    #[cfg(unix)]
    // SAFETY: the caller's contract: an open descriptor, borrowed.
    let borrowed = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
    #[cfg(windows)]
    // SAFETY: the caller's contract: an open socket (libuv's HANDLE for a
    // TCP or UDP handle is its SOCKET), borrowed.
    let borrowed = unsafe { std::os::windows::io::BorrowedSocket::borrow_raw(fd as _) };
    f(socket2::SockRef::from(&borrowed))
}

/// A path (or another OS string) as the NUL-terminated UTF-8 that libuv
/// takes: its bytes on Unix; on Windows, where libuv converts UTF-8 to
/// UTF-16, only a path that is valid Unicode. `Err` is `EINVAL` (an
/// interior NUL, or unpaired UTF-16 on Windows).
pub(crate) fn os_c_string(s: &std::ffi::OsStr) -> Result<std::ffi::CString, c_int> {
    #[cfg(unix)]
    let bytes = std::os::unix::ffi::OsStrExt::as_bytes(s);
    #[cfg(windows)]
    let bytes = s.to_str().ok_or(sys::UV_EINVAL)?.as_bytes();
    std::ffi::CString::new(bytes).map_err(|_| sys::UV_EINVAL)
}

/// A path (or name) libuv gives back: its bytes on Unix; UTF-8 on Windows
/// (where libuv converts from UTF-16, so it is valid).
pub(crate) fn path_from_c(bytes: &[u8]) -> std::path::PathBuf {
    #[cfg(unix)]
    return std::path::PathBuf::from(
        <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(bytes),
    );
    #[cfg(windows)]
    return std::path::PathBuf::from(String::from_utf8_lossy(bytes).into_owned());
}

/// A path as libuv takes it ([`os_c_string`]); `EINVAL`, naming `op` and
/// the path, if it cannot be.
pub(crate) fn c_path(
    op: &'static str,
    path: &std::path::Path,
) -> Result<std::ffi::CString, crate::Error> {
    os_c_string(path.as_os_str())
        .map_err(|code| crate::Error::uv(op, code, Some(path.display().to_string())))
}

/// Turns a libuv return code into a `Result`, naming the operation.
pub(crate) fn check(op: &'static str, code: c_int) -> Result<(), crate::Error> {
    if code < 0 {
        Err(crate::Error::uv(op, code, None))
    } else {
        Ok(())
    }
}

/// Runs the body of a libuv callback. A panic must not unwind into libuv's C
/// frames: it is caught here and reported to the error handler of the
/// thread's current runtime (standard error if there is none; in Neovim,
/// `vim.notify`), and the callback returns `R::default()` (for an
/// allocation callback: no buffer, which libuv reports to the read as
/// `ENOBUFS`). The loop, the runtime and the host go on.
///
/// Continuing is sound: every callback body leaves the state it shares
/// with others consistent at each point where user code (a waker, a
/// destructor, the error handler) may panic, or leaks what it held rather
/// than freeing it twice. What the panic interrupted may be lost: a task
/// whose waker panicked is not woken by that callback.
#[track_caller]
pub(crate) fn callback_guard<R: Default>(what: &str, f: impl FnOnce() -> R) -> R {
    let location = std::panic::Location::caller();
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let err = match crate::JoinError::panicked(payload, location) {
                crate::JoinError::Panicked {
                    message,
                    location,
                    payload,
                } => crate::JoinError::Panicked {
                    message: format!("in the libuv {what} callback: {message}"),
                    location,
                    payload,
                },
                other => other,
            };
            // The error handler is user code too: its own panic is caught
            // (`Executor::report`).
            crate::entry::report(err);
            R::default()
        }
    }
}
