//! Plenary's `a.control.channel`: passing values between tasks.
//!
//! | plenary | here | |
//! |---|---|---|
//! | `channel.oneshot()` | [`oneshot()`] | one value, sent once |
//! | `channel.counter()` | [`counter()`] | notifications only, counted |
//! | `channel.mpsc()` | [`mpsc()`] | many senders, one receiver, FIFO, unbounded |
//! | (none) | [`mpsc::bounded`] | the same with backpressure |
//!
//! Every channel is single-threaded, like the executor: its halves are
//! `!Send`, and nothing on the way from a send to a receive is atomic.
//! Senders never wait (except a bounded one, whose `send` is async); the
//! receiving side is awaited, which is plenary's pull model: call `recv`
//! when you are ready for the next value.
//!
//! ```
//! use plenary_async as a;
//! use a::control::channel;
//!
//! a::block_on(async {
//!     let (tx, mut rx) = channel::mpsc();
//!     for producer in 0..2 {
//!         let tx = tx.clone();
//!         a::spawn(async move {
//!             for i in 0..3 {
//!                 tx.send(producer * 10 + i).unwrap();
//!                 a::util::sleep(1).await;
//!             }
//!         })
//!         .detach();
//!     }
//!     drop(tx);
//!     let mut got = Vec::new();
//!     while let Some(v) = rx.recv().await {
//!         got.push(v);
//!     }
//!     got.sort();
//!     assert_eq!(got, [0, 1, 2, 10, 11, 12]);
//! });
//! ```

pub mod counter;
pub mod mpsc;
pub mod oneshot;

pub use counter::counter;
pub use mpsc::unbounded as mpsc;
pub use oneshot::oneshot;

use std::fmt;

/// Receiving failed because the channel is closed: every sender was dropped
/// (and, for a queue, every value already received).
///
/// ```
/// let (tx, rx) = plenary_async::control::channel::oneshot::<u8>();
/// drop(tx);
/// let err = plenary_async::block_on(rx).unwrap_err();
/// assert_eq!(err.to_string(), "receiving on a closed channel: every sender was dropped");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecvError(pub(crate) ());

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("receiving on a closed channel: every sender was dropped")
    }
}

impl std::error::Error for RecvError {}

/// Sending failed because the receiver was dropped; the value is given back.
///
/// ```
/// let (tx, rx) = plenary_async::control::channel::mpsc();
/// drop(rx);
/// let err = tx.send("lost?").unwrap_err();
/// assert_eq!(err.0, "lost?"); // not lost: returned
/// assert_eq!(err.to_string(), "sending on a closed channel: the receiver was dropped");
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SendError<T>(pub T);

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SendError(..)")
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("sending on a closed channel: the receiver was dropped")
    }
}

impl<T> std::error::Error for SendError<T> {}

/// Why [`mpsc::BoundedSender::try_send`] did not send; the value is given back.
///
/// ```
/// use plenary_async::control::channel::{mpsc, TrySendError};
///
/// let (tx, rx) = mpsc::bounded(1);
/// tx.try_send(1).unwrap();
/// assert!(matches!(tx.try_send(2), Err(TrySendError::Full(2))));
/// drop(rx);
/// assert!(matches!(tx.try_send(3), Err(TrySendError::Closed(3))));
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TrySendError<T> {
    /// The queue is at capacity (or other senders are already waiting).
    Full(T),
    /// The receiver was dropped.
    Closed(T),
}

impl<T> TrySendError<T> {
    /// The value that was not sent.
    ///
    /// ```
    /// use plenary_async::control::channel::TrySendError;
    /// assert_eq!(TrySendError::Full(5).into_inner(), 5);
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            TrySendError::Full(v) | TrySendError::Closed(v) => v,
        }
    }
}

impl<T> fmt::Debug for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySendError::Full(_) => f.write_str("Full(..)"),
            TrySendError::Closed(_) => f.write_str("Closed(..)"),
        }
    }
}

impl<T> fmt::Display for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySendError::Full(_) => f.write_str("sending on a full channel"),
            TrySendError::Closed(_) => {
                f.write_str("sending on a closed channel: the receiver was dropped")
            }
        }
    }
}

impl<T> std::error::Error for TrySendError<T> {}

/// Why [`mpsc::Receiver::try_recv`] returned no value.
///
/// ```
/// use plenary_async::control::channel::{mpsc, TryRecvError};
///
/// let (tx, mut rx) = mpsc::unbounded::<u8>();
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
/// drop(tx);
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryRecvError {
    /// No value now, but a sender is alive.
    Empty,
    /// No value, and every sender was dropped.
    Closed,
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryRecvError::Empty => f.write_str("receiving on an empty channel"),
            TryRecvError::Closed => {
                f.write_str("receiving on a closed channel: every sender was dropped")
            }
        }
    }
}

impl std::error::Error for TryRecvError {}
