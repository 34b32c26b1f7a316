//! [`JoinError`]: why a task gave no value.

use crate::error::panic_message;
use std::any::Any;
use std::fmt;
use std::io;
use std::panic::Location;
// A `Mutex` makes the payload (`Send` only) `Sync`, as `io::Error` needs of
// what it holds; it is only ever taken out by value.
use std::sync::{Mutex, PoisonError};

/// Why a task gave no value: it was canceled, or it panicked (tokio's
/// `JoinError`). Awaiting a [`Task`](crate::Task), a
/// [`scope`](crate::scope::scope), [`protected`](crate::util::protected) or
/// [`spawn_blocking`](crate::spawn_blocking) gives `Result<T, JoinError>`;
/// I/O fails with [`Error`](crate::Error) instead.
///
/// A panic keeps its payload: [`into_panic`](JoinError::into_panic) gives
/// it back, for `std::panic::resume_unwind`. Two errors compare equal when
/// they are both cancellations, or panics with the same message and
/// location (payloads are not compared).
///
/// ```
/// use plenary_async as a;
///
/// let err = a::block_on(a::spawn(async { panic!("boom") })).unwrap_err();
/// assert!(err.is_panic());
/// assert_eq!(err.panic_message(), Some("boom"));
/// let payload = err.into_panic();
/// assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
/// // std::panic::resume_unwind(payload) would go on unwinding here.
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum JoinError {
    /// The task was canceled (by [`Task::cancel`](crate::Task::cancel), by a
    /// losing branch of [`race`](crate::util::race), by its scope, or
    /// because its runtime shut down) before it produced a value.
    Canceled,
    /// The task's code panicked; the panic was caught at the task boundary.
    Panicked {
        /// The panic's message (`"Box<dyn Any>"` when the payload was not a string).
        message: String,
        /// Where the task was started (`spawn`, `run`, `void`, `protected`).
        location: &'static Location<'static>,
        /// What `panic!` was given.
        payload: PanicPayload,
    },
}

/// A caught panic's payload, as `std::panic::catch_unwind` gives it
/// (`JoinError::Panicked`'s `payload`; see [`PanicPayload::into_inner`]).
pub struct PanicPayload(Mutex<Box<dyn Any + Send>>);

impl PanicPayload {
    /// The payload itself.
    ///
    /// ```
    /// use plenary_async as a;
    /// let err = a::block_on(a::spawn(async { std::panic::panic_any(7u8) })).unwrap_err();
    /// let a::JoinError::Panicked { payload, .. } = err else { unreachable!() };
    /// assert_eq!(*payload.into_inner().downcast::<u8>().unwrap(), 7);
    /// ```
    pub fn into_inner(self) -> Box<dyn Any + Send> {
        self.0.into_inner().unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for PanicPayload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PanicPayload(..)")
    }
}

impl JoinError {
    /// The one constructor of [`JoinError::Panicked`]: a payload caught by
    /// `catch_unwind` for the task started at `location`.
    pub(crate) fn panicked(
        payload: Box<dyn Any + Send>,
        location: &'static Location<'static>,
    ) -> Self {
        JoinError::Panicked {
            message: panic_message(&*payload),
            location,
            payload: PanicPayload(Mutex::new(payload)),
        }
    }

    /// `true` for [`JoinError::Canceled`].
    ///
    /// ```
    /// assert!(plenary_async::JoinError::Canceled.is_canceled());
    /// ```
    pub fn is_canceled(&self) -> bool {
        matches!(self, JoinError::Canceled)
    }

    /// `true` for [`JoinError::Panicked`].
    ///
    /// ```
    /// assert!(!plenary_async::JoinError::Canceled.is_panic());
    /// ```
    pub fn is_panic(&self) -> bool {
        matches!(self, JoinError::Panicked { .. })
    }

    /// The panic's message, for a panic.
    ///
    /// ```
    /// use plenary_async as a;
    /// let err = a::block_on(a::spawn(async { panic!("at {}", 3) })).unwrap_err();
    /// assert_eq!(err.panic_message(), Some("at 3"));
    /// assert_eq!(a::JoinError::Canceled.panic_message(), None);
    /// ```
    pub fn panic_message(&self) -> Option<&str> {
        match self {
            JoinError::Panicked { message, .. } => Some(message),
            JoinError::Canceled => None,
        }
    }

    /// The panic's payload, to resume it with `std::panic::resume_unwind`.
    ///
    /// # Panics
    /// If the task was canceled (check [`is_panic`](JoinError::is_panic) or
    /// use [`try_into_panic`](JoinError::try_into_panic)), as tokio's does.
    ///
    /// ```
    /// use plenary_async as a;
    /// let err = a::block_on(a::spawn(async { panic!("again") })).unwrap_err();
    /// let resumed = std::panic::catch_unwind(|| std::panic::resume_unwind(err.into_panic()));
    /// assert_eq!(a::panic_message(&*resumed.unwrap_err()), "again");
    /// ```
    #[track_caller]
    pub fn into_panic(self) -> Box<dyn Any + Send> {
        match self.try_into_panic() {
            Ok(payload) => payload,
            Err(err) => panic!("JoinError::into_panic on an error that is no panic: {err}"),
        }
    }

    /// The panic's payload, or the error itself if it is no panic.
    ///
    /// ```
    /// use plenary_async as a;
    /// let err = a::JoinError::Canceled;
    /// assert!(err.try_into_panic().unwrap_err().is_canceled());
    /// ```
    pub fn try_into_panic(self) -> Result<Box<dyn Any + Send>, JoinError> {
        match self {
            JoinError::Panicked { payload, .. } => Ok(payload.into_inner()),
            other => Err(other),
        }
    }
}

impl PartialEq for JoinError {
    fn eq(&self, other: &JoinError) -> bool {
        match (self, other) {
            (JoinError::Canceled, JoinError::Canceled) => true,
            (
                JoinError::Panicked {
                    message: m1,
                    location: l1,
                    ..
                },
                JoinError::Panicked {
                    message: m2,
                    location: l2,
                    ..
                },
            ) => m1 == m2 && l1 == l2,
            _ => false,
        }
    }
}

impl Eq for JoinError {}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JoinError::Canceled => f.write_str("task was canceled"),
            JoinError::Panicked {
                message, location, ..
            } => {
                write!(f, "async code started at {location} panicked: {message}")
            }
        }
    }
}

impl std::error::Error for JoinError {}

impl From<JoinError> for io::Error {
    /// An [`io::Error`] of kind `Other` that holds the `JoinError` (as
    /// tokio's converts; never `Interrupted`, which I/O loops retry).
    ///
    /// ```
    /// use plenary_async as a;
    /// let e = std::io::Error::from(a::JoinError::Canceled);
    /// assert_eq!(e.kind(), std::io::ErrorKind::Other);
    /// assert_eq!(e.to_string(), "task was canceled");
    /// ```
    fn from(err: JoinError) -> io::Error {
        io::Error::other(err)
    }
}
