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
            let err = match crate::Error::panicked(payload, location) {
                crate::Error::Panicked { message, location } => crate::Error::Panicked {
                    message: format!("in the libuv {what} callback: {message}"),
                    location,
                },
                other => other,
            };
            // The error handler is user code too: its own panic is caught
            // (`Executor::report`).
            crate::entry::report(&err);
            R::default()
        }
    }
}
