//! The one error type of the crate.

use std::any::Any;
use std::fmt;
use std::io;
use std::panic::Location;
use std::time::Duration;

/// What went wrong in an async operation of this crate.
///
/// Every variant says what happened and, where it can, where: the source
/// location of the `spawn`/`wrap` call, the timeout that passed, the libuv
/// operation and error name.
///
/// ```
/// use plenary_async as a;
///
/// let err = a::util::block_on(a::util::sleep(1000), std::time::Duration::from_millis(5))
///     .unwrap_err();
/// assert!(matches!(err, a::Error::Timeout { .. }));
/// assert_eq!(err.to_string(), "timed out after 5ms");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The task was canceled (by [`Task::cancel`](crate::Task::cancel), by a
    /// losing branch of [`race`](crate::util::race), or because its runtime
    /// shut down) before it produced a value.
    Canceled,
    /// The operation did not finish within `after`.
    Timeout {
        /// The time limit that passed.
        after: Duration,
    },
    /// The task's code panicked; the panic was caught at the task boundary.
    Panicked {
        /// The panic's message (`"Box<dyn Any>"` when the payload was not a string).
        message: String,
        /// Where the task was started (`spawn`, `run`, `void`, `protected`).
        location: &'static Location<'static>,
    },
    /// Every callback handed out by a [`wrap`](fn@crate::wrap)ped function (or by
    /// [`run_first`](crate::util::run_first)) was dropped without being called,
    /// so no value can ever arrive.
    CallbackDropped {
        /// Where the awaited function was wrapped or called.
        location: &'static Location<'static>,
    },
    /// A libuv operation failed.
    Uv {
        /// The libuv function or high-level operation (`"uv_timer_init"`, `"fs_open"`).
        op: &'static str,
        /// libuv's error name, such as `"ENOENT"`.
        name: &'static str,
        /// libuv's (negative) error code.
        code: i32,
        /// The path or address involved, if any.
        path: Option<String>,
    },
}

impl Error {
    pub(crate) fn panicked(
        payload: Box<dyn Any + Send>,
        location: &'static Location<'static>,
    ) -> Self {
        let message = panic_message(&*payload);
        Error::Panicked { message, location }
    }

    /// The one constructor of [`Error::Uv`]: libuv's error `code` (negative)
    /// from operation `op`, on `path` (or address) if any; the name is
    /// libuv's for the code.
    pub(crate) fn uv(op: &'static str, code: i32, path: Option<String>) -> Self {
        Error::Uv {
            op,
            name: crate::ffi::err_name(code),
            code,
            path,
        }
    }

    /// libuv's description of a libuv error (`"no such file or
    /// directory"` for `ENOENT`), as in its `Display`; `None` for the other
    /// variants.
    ///
    /// ```
    /// # use plenary_async as a;
    /// let err = a::block_on(a::uv::fs::stat("/no/such/file")).unwrap_err();
    /// assert_eq!(err.uv_reason().as_deref(), Some("no such file or directory"));
    /// assert_eq!(a::Error::Canceled.uv_reason(), None);
    /// ```
    pub fn uv_reason(&self) -> Option<String> {
        match self {
            Error::Uv { code, .. } => Some(crate::ffi::strerror(*code)),
            _ => None,
        }
    }

    /// `true` for [`Error::Canceled`].
    ///
    /// ```
    /// assert!(plenary_async::Error::Canceled.is_canceled());
    /// ```
    pub fn is_canceled(&self) -> bool {
        matches!(self, Error::Canceled)
    }

    /// `true` for [`Error::Timeout`].
    ///
    /// ```
    /// use std::time::Duration;
    /// let e = plenary_async::Error::Timeout { after: Duration::from_secs(1) };
    /// assert!(e.is_timeout());
    /// ```
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Canceled => f.write_str("task was canceled"),
            Error::Timeout { after } => write!(f, "timed out after {after:?}"),
            Error::Panicked { message, location } => {
                write!(f, "async code started at {location} panicked: {message}")
            }
            Error::CallbackDropped { location } => write!(
                f,
                "the callback of the function wrapped at {location} was dropped without being called"
            ),
            Error::Uv { op, name, code, path } => {
                write!(f, "{op} failed: {name} ({})", crate::ffi::strerror(*code))?;
                if let Some(path) = path {
                    write!(f, " for {path:?}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for Error {}

impl From<Error> for io::Error {
    /// Converts into an [`io::Error`] whose [`io::ErrorKind`] matches the
    /// failure (`ENOENT` becomes `NotFound`, a timeout `TimedOut`, …). A
    /// cancellation is `Other`, as tokio's `JoinError` converts: never
    /// `Interrupted`, which std's and futures' I/O loops (`read_to_end`,
    /// `write_all`, `copy`) retry, so a canceled operation ends them.
    ///
    /// ```
    /// use plenary_async as a;
    /// let e = std::io::Error::from(a::Error::Canceled);
    /// assert_eq!(e.kind(), std::io::ErrorKind::Other);
    /// assert!(e.get_ref().unwrap().downcast_ref::<a::Error>().unwrap().is_canceled());
    /// ```
    fn from(err: Error) -> io::Error {
        let kind = match &err {
            Error::Canceled => io::ErrorKind::Other,
            Error::Timeout { .. } => io::ErrorKind::TimedOut,
            Error::Panicked { .. } | Error::CallbackDropped { .. } => io::ErrorKind::Other,
            Error::Uv { name, .. } => uv_error_kind(name),
        };
        io::Error::new(kind, err)
    }
}

fn uv_error_kind(name: &str) -> io::ErrorKind {
    use io::ErrorKind::*;
    match name {
        "ENOENT" => NotFound,
        "EACCES" | "EPERM" => PermissionDenied,
        "EEXIST" => AlreadyExists,
        "ECONNREFUSED" => ConnectionRefused,
        "ECONNRESET" => ConnectionReset,
        "ECONNABORTED" => ConnectionAborted,
        "ENOTCONN" => NotConnected,
        "EADDRINUSE" => AddrInUse,
        "EADDRNOTAVAIL" => AddrNotAvailable,
        "EPIPE" => BrokenPipe,
        "EAGAIN" => WouldBlock,
        "EINVAL" => InvalidInput,
        "ETIMEDOUT" => TimedOut,
        "EINTR" => Interrupted,
        "EOF" => UnexpectedEof,
        "ENOTSUP" | "ENOSYS" => Unsupported,
        "ENOMEM" => OutOfMemory,
        _ => Other,
    }
}

/// The message of a panic's payload: the text of a `&str` or `String`
/// (what `panic!` makes), else `Box<dyn Any>`, as Rust's own panic message
/// says. The one place this crate and the crates built on it turn a caught
/// panic into text.
///
/// ```
/// let caught = std::panic::catch_unwind(|| panic!("it broke: {}", 42)).unwrap_err();
/// assert_eq!(plenary_async::panic_message(&*caught), "it broke: 42");
/// let caught = std::panic::catch_unwind(|| std::panic::panic_any(7)).unwrap_err();
/// assert_eq!(plenary_async::panic_message(&*caught), "Box<dyn Any>");
/// ```
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "Box<dyn Any>".to_owned()
    }
}
