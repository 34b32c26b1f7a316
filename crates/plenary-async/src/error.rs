//! [`Error`]: what went wrong in an operation (I/O, a timeout, a wrapped
//! callback); a task's own failure is a [`JoinError`](crate::JoinError).

use std::any::Any;
use std::fmt;
use std::io;
use std::panic::Location;
use std::time::Duration;

/// What went wrong in an operation of this crate: libuv I/O, a timeout, a
/// wrapped function whose callback never came. (Why a *task* gave no value,
/// canceled or panicked, is a [`JoinError`](crate::JoinError).)
///
/// Every variant says what happened and, where it can, where: the wrapped
/// function's location, the timeout that passed, the libuv operation, its
/// error name and the path. `std::io::Error` converts into it (`?` works in
/// a function that returns `a::Error`), and it into `std::io::Error`.
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
    /// The operation did not finish within `after`.
    Timeout {
        /// The time limit that passed.
        after: Duration,
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
    /// A `std::io::Error` (from code of the caller's own, through `?` or
    /// `From`), kept as its kind and its text.
    Io {
        /// The error's kind.
        kind: io::ErrorKind,
        /// Its text (with the OS error number, if it had one).
        message: String,
    },
}

impl Error {
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
    /// let timeout = a::Error::Timeout { after: std::time::Duration::from_secs(1) };
    /// assert_eq!(timeout.uv_reason(), None);
    /// ```
    pub fn uv_reason(&self) -> Option<String> {
        match self {
            Error::Uv { code, .. } => Some(crate::ffi::strerror(*code)),
            _ => None,
        }
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
            Error::Timeout { after } => write!(f, "timed out after {after:?}"),
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
            Error::Io { message, .. } => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {}

impl From<Error> for io::Error {
    /// Converts into an [`io::Error`] whose [`io::ErrorKind`] matches the
    /// failure (`ENOENT` becomes `NotFound`, a timeout `TimedOut`, …) and
    /// that holds the `Error` (an [`Error::Io`] gives back its kind and
    /// text).
    ///
    /// ```
    /// use plenary_async as a;
    /// let err = a::block_on(a::uv::fs::stat("/no/such/file")).unwrap_err();
    /// let e = std::io::Error::from(err.clone());
    /// assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
    /// assert_eq!(e.get_ref().unwrap().downcast_ref::<a::Error>(), Some(&err));
    /// ```
    fn from(err: Error) -> io::Error {
        let kind = match &err {
            Error::Timeout { .. } => io::ErrorKind::TimedOut,
            Error::CallbackDropped { .. } => io::ErrorKind::Other,
            Error::Uv { name, .. } => uv_error_kind(name),
            Error::Io { kind, message } => return io::Error::new(*kind, message.clone()),
        };
        io::Error::new(kind, err)
    }
}

impl From<io::Error> for Error {
    /// Keeps the error's kind and text as [`Error::Io`]; an `io::Error`
    /// that holds an `a::Error` (one converted the other way) gives it back.
    ///
    /// ```
    /// use plenary_async as a;
    ///
    /// fn read_config() -> Result<String, a::Error> {
    ///     Ok(std::fs::read_to_string("/no/such/config")?)
    /// }
    /// let err = read_config().unwrap_err();
    /// assert!(matches!(err, a::Error::Io { kind: std::io::ErrorKind::NotFound, .. }));
    /// assert_eq!(err.to_string(), "No such file or directory (os error 2)");
    /// ```
    fn from(err: io::Error) -> Error {
        if let Some(ours) = err.get_ref().and_then(|e| e.downcast_ref::<Error>()) {
            return ours.clone();
        }
        Error::Io {
            kind: err.kind(),
            message: err.to_string(),
        }
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
