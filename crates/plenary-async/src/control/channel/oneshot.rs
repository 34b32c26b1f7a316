//! `oneshot`: one value, sent once, received once.
//!
//! Plenary's `a.control.channel.oneshot()`: the sender is a plain function
//! and the receiver is awaited. Either may come first: a value sent before
//! anyone waits is kept until the receiver is awaited.
//!
//! ```
//! use plenary_async as a;
//! use a::control::channel;
//!
//! a::block_on(async {
//!     let (tx, rx) = channel::oneshot();
//!     a::spawn(async move {
//!         a::util::sleep(1).await;
//!         tx.send("hello").unwrap(); // not async
//!     })
//!     .detach();
//!     assert_eq!(rx.await, Ok("hello")); // waits here
//! });
//! ```
//!
//! Unlike plenary's, sending twice is impossible ([`Sender::send`] takes the
//! sender by value), and a sender dropped without sending makes the receiver
//! return [`RecvError`] instead of waiting forever.

use super::{RecvError, SendError};
use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

enum OneshotState<T> {
    /// Nothing sent yet, sender alive.
    Empty,
    Sent(T),
    /// The value was taken by the receiver.
    Taken,
    /// The sender was dropped without sending.
    SenderGone,
}

struct Inner<T> {
    state: RefCell<OneshotState<T>>,
    rx_waker: Cell<Option<Waker>>,
    rx_alive: Cell<bool>,
}

/// Creates a oneshot channel: a [`Sender`] to send one value and a
/// [`Receiver`] to await it (plenary's `channel.oneshot()`).
///
/// ```
/// use plenary_async as a;
///
/// let (tx, rx) = a::control::channel::oneshot();
/// tx.send(42).unwrap(); // sender first: the value waits for the receiver
/// assert_eq!(a::block_on(rx), Ok(42));
/// ```
#[doc(alias = "channel")]
pub fn oneshot<T>() -> (Sender<T>, Receiver<T>) {
    let inner = Rc::new(Inner {
        state: RefCell::new(OneshotState::Empty),
        rx_waker: Cell::new(None),
        rx_alive: Cell::new(true),
    });
    (
        Sender {
            inner: Some(inner.clone()),
        },
        Receiver { inner },
    )
}

/// The sending half of a [`oneshot`] channel. Sends at most one value.
///
/// ```
/// let (tx, rx) = plenary_async::control::channel::oneshot::<()>();
/// drop(tx); // dropping without sending closes the channel
/// assert!(plenary_async::block_on(rx).is_err());
/// ```
pub struct Sender<T> {
    // `None` once sent, so that `Drop` knows not to close the channel.
    inner: Option<Rc<Inner<T>>>,
}

impl<T> Sender<T> {
    /// Sends `value` and wakes the receiver if it waits. Not async: it never
    /// blocks. Returns the value back as `Err(SendError(value))` if the
    /// receiver was dropped.
    ///
    /// ```
    /// let (tx, rx) = plenary_async::control::channel::oneshot();
    /// drop(rx);
    /// assert_eq!(tx.send(7).unwrap_err().0, 7);
    /// ```
    pub fn send(mut self, value: T) -> Result<(), SendError<T>> {
        let inner = self
            .inner
            .take()
            .expect("a Sender holds its channel until it sends");
        if !inner.rx_alive.get() {
            return Err(SendError(value));
        }
        *inner.state.borrow_mut() = OneshotState::Sent(value);
        if let Some(w) = inner.rx_waker.take() {
            w.wake();
        }
        Ok(())
    }

    /// Whether the receiver was dropped, so that a send would fail.
    ///
    /// ```
    /// let (tx, rx) = plenary_async::control::channel::oneshot::<u8>();
    /// assert!(!tx.is_closed());
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.inner.as_ref().is_none_or(|i| !i.rx_alive.get())
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            *inner.state.borrow_mut() = OneshotState::SenderGone;
            if let Some(w) = inner.rx_waker.take() {
                w.wake();
            }
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("closed", &self.is_closed())
            .finish()
    }
}

/// The receiving half of a [`oneshot`] channel: a future of the value.
///
/// # Cancel safety
///
/// Dropping the receiver while it waits loses
/// nothing that could still be received (the value is dropped with the
/// channel, and a later [`Sender::send`] returns it as an error). A
/// receiver polled again after it returned the value gives `Err(RecvError)`.
///
/// ```
/// use plenary_async as a;
///
/// let (tx, rx) = a::control::channel::oneshot();
/// let waiter = a::spawn(rx); // receiver first
/// a::block_on(async move {
///     a::util::sleep(1).await;
///     tx.send(String::new()).unwrap(); // empty values are values too
///     assert_eq!(waiter.await.unwrap(), Ok(String::new()));
/// });
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Receiver<T> {
    inner: Rc<Inner<T>>,
}

impl<T> Receiver<T> {
    /// Takes the value if it has arrived, without waiting: `Ok(Some(v))`
    /// once sent, `Ok(None)` while not yet sent, `Err(RecvError)` if the
    /// sender was dropped without sending or the value was already taken.
    ///
    /// ```
    /// let (tx, mut rx) = plenary_async::control::channel::oneshot();
    /// assert_eq!(rx.try_recv(), Ok(None));
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(Some(1)));
    /// ```
    pub fn try_recv(&mut self) -> Result<Option<T>, RecvError> {
        let mut state = self.inner.state.borrow_mut();
        match std::mem::replace(&mut *state, OneshotState::Taken) {
            OneshotState::Sent(v) => Ok(Some(v)),
            OneshotState::Empty => {
                *state = OneshotState::Empty;
                Ok(None)
            }
            OneshotState::Taken => Err(RecvError(())),
            OneshotState::SenderGone => {
                *state = OneshotState::SenderGone;
                Err(RecvError(()))
            }
        }
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.try_recv() {
            Ok(Some(v)) => Poll::Ready(Ok(v)),
            Err(e) => Poll::Ready(Err(e)),
            Ok(None) => {
                let w = self.inner.rx_waker.take();
                self.inner.rx_waker.set(match w {
                    Some(w) if w.will_wake(cx.waker()) => Some(w),
                    _ => Some(cx.waker().clone()),
                });
                Poll::Pending
            }
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.inner.rx_alive.set(false);
        self.inner.rx_waker.take();
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match *self.inner.state.borrow() {
            OneshotState::Empty => "waiting",
            OneshotState::Sent(_) => "sent",
            OneshotState::Taken => "taken",
            OneshotState::SenderGone => "closed",
        };
        f.debug_struct("Receiver").field("state", &state).finish()
    }
}
