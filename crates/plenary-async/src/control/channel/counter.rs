//! `counter`: notifications without data, counted.
//!
//! Plenary's `a.control.channel.counter()`: each [`Sender::send`] adds one
//! notification; [`Receiver::recv`] waits for one and consumes it;
//! [`Receiver::last`] waits for at least one and consumes them all.
//!
//! ```
//! use plenary_async as a;
//!
//! a::block_on(async {
//!     let (tx, rx) = a::control::channel::counter();
//!     let task = a::spawn(async move {
//!         rx.recv().await.unwrap(); // blocks until the first send
//!         rx.recv().await.unwrap(); // and until the second
//!     });
//!     tx.send();
//!     tx.send();
//!     task.await.unwrap();
//! });
//! ```
//!
//! Waiting receivers are served first-come first-served, and each send is
//! handed to exactly one of them (plenary wakes them all and lets them race).
//! When every sender is gone and no notification is left, receiving returns
//! [`RecvError`] instead of waiting forever.

use super::RecvError;
use crate::control::waiters::{Key, WaitList};
use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

struct CounterState {
    count: usize,
    senders: usize,
    waiters: WaitList<()>,
}

type Shared = Rc<RefCell<CounterState>>;

/// Creates a counter channel (plenary's `channel.counter()`).
///
/// ```
/// let (tx, rx) = plenary_async::control::channel::counter();
/// tx.send();
/// tx.send();
/// tx.send();
/// assert_eq!(plenary_async::block_on(rx.last()), Ok(3));
/// ```
#[doc(alias = "Notify")]
pub fn counter() -> (Sender, Receiver) {
    let shared = Rc::new(RefCell::new(CounterState {
        count: 0,
        senders: 1,
        waiters: WaitList::new(),
    }));
    (
        Sender {
            shared: shared.clone(),
        },
        Receiver { shared },
    )
}

/// Hands one notification to the longest waiter, or banks it.
fn notify(shared: &Shared) {
    let waker = {
        let s = &mut *shared.borrow_mut();
        s.waiters.hand_over(&mut s.count)
    };
    if let Some(w) = waker {
        w.wake();
    }
}

/// The sending half of a [`counter`]; clone it for more senders.
///
/// ```
/// let (tx, rx) = plenary_async::control::channel::counter();
/// let tx2 = tx.clone();
/// tx.send();
/// tx2.send();
/// assert_eq!(plenary_async::block_on(rx.last()), Ok(2));
/// ```
pub struct Sender {
    shared: Shared,
}

impl Sender {
    /// Adds a notification and wakes the longest-waiting receiver, if any.
    /// Not async. A notification with no receiver left is simply counted.
    ///
    /// ```
    /// let (tx, rx) = plenary_async::control::channel::counter();
    /// tx.send();
    /// assert_eq!(rx.pending(), 1);
    /// ```
    pub fn send(&self) {
        notify(&self.shared);
    }
}

impl Clone for Sender {
    fn clone(&self) -> Self {
        self.shared.borrow_mut().senders += 1;
        Sender {
            shared: self.shared.clone(),
        }
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        let wakers = {
            let mut s = self.shared.borrow_mut();
            s.senders -= 1;
            if s.senders > 0 {
                return;
            }
            // Closed: every waiter wakes, finds no notification, and leaves.
            s.waiters.take_wakers()
        };
        wakers.into_iter().for_each(|w| w.wake());
    }
}

impl fmt::Debug for Sender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("counter::Sender").finish_non_exhaustive()
    }
}

/// The receiving half of a [`counter`]. Several tasks may wait on it (clone
/// it, or share it): they are served in the order they started waiting.
///
/// ```
/// use plenary_async as a;
///
/// let (tx, rx) = a::control::channel::counter();
/// drop(tx);
/// assert!(a::block_on(rx.recv()).is_err()); // closed, nothing pending
/// ```
#[derive(Clone)]
pub struct Receiver {
    shared: Shared,
}

impl Receiver {
    /// Waits until a notification is pending and consumes one of them.
    /// Returns `Err(RecvError)` once no notification is pending and every
    /// sender was dropped.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future loses nothing: if a
    /// notification had already been handed to it, it goes to the next
    /// waiter (or back to the count).
    ///
    /// ```
    /// use plenary_async as a;
    ///
    /// let (tx, rx) = a::control::channel::counter();
    /// a::block_on(async move {
    ///     a::spawn(async move { tx.send() }).detach();
    ///     rx.recv().await.unwrap();
    ///     assert_eq!(rx.pending(), 0);
    /// });
    /// ```
    pub fn recv(&self) -> Recv<'_> {
        Recv {
            wait: Wait {
                shared: &self.shared,
                key: None,
            },
        }
    }

    /// Waits until at least one notification is pending and consumes all of
    /// them; returns how many it consumed. Returns `Err(RecvError)` once
    /// none is pending and every sender was dropped.
    ///
    /// # Cancel safety
    ///
    /// As for [`recv`](Self::recv).
    ///
    /// ```
    /// use plenary_async as a;
    ///
    /// let (tx, rx) = a::control::channel::counter();
    /// (0..5).for_each(|_| tx.send());
    /// assert_eq!(a::block_on(rx.last()), Ok(5));
    /// assert_eq!(rx.pending(), 0);
    /// ```
    pub fn last(&self) -> Last<'_> {
        Last {
            wait: Wait {
                shared: &self.shared,
                key: None,
            },
        }
    }

    /// How many notifications are pending now.
    ///
    /// ```
    /// let (tx, rx) = plenary_async::control::channel::counter();
    /// assert_eq!(rx.pending(), 0);
    /// tx.send();
    /// assert_eq!(rx.pending(), 1);
    /// ```
    pub fn pending(&self) -> usize {
        self.shared.borrow().count
    }
}

impl fmt::Debug for Receiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("counter::Receiver")
            .field("pending", &self.pending())
            .finish()
    }
}

/// The waiting shared by `Recv` and `Last`: resolves once a notification was
/// taken (handed over, or banked) or the channel closed.
struct Wait<'a> {
    shared: &'a Shared,
    key: Option<Key>,
}

impl Wait<'_> {
    fn poll_one(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), RecvError>> {
        let shared = self.shared;
        let mut s = shared.borrow_mut();
        match self.key {
            None => {
                if s.count > 0 {
                    s.count -= 1;
                    return Poll::Ready(Ok(()));
                }
                if s.senders == 0 {
                    return Poll::Ready(Err(RecvError(())));
                }
                self.key = Some(s.waiters.push_back(cx.waker().clone(), None));
                Poll::Pending
            }
            Some(key) => {
                if !s.waiters.is_linked(key) {
                    // Served: a notification was handed to us.
                    s.waiters.remove(key);
                    self.key = None;
                    Poll::Ready(Ok(()))
                } else if s.senders == 0 {
                    s.waiters.remove(key);
                    self.key = None;
                    Poll::Ready(Err(RecvError(())))
                } else {
                    s.waiters.set_waker(key, cx.waker());
                    Poll::Pending
                }
            }
        }
    }
}

impl Drop for Wait<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.key {
            let (served, _) = self.shared.borrow_mut().waiters.remove(key);
            if served {
                // Pass the notification we were handed but never took.
                notify(self.shared);
            }
        }
    }
}

/// The future of [`Receiver::recv`].
///
/// ```
/// let (tx, rx) = plenary_async::control::channel::counter();
/// tx.send();
/// let recv: plenary_async::control::channel::counter::Recv<'_> = rx.recv();
/// assert_eq!(plenary_async::block_on(recv), Ok(()));
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Recv<'a> {
    wait: Wait<'a>,
}

impl Future for Recv<'_> {
    type Output = Result<(), RecvError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.wait.poll_one(cx)
    }
}

impl fmt::Debug for Recv<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recv").finish_non_exhaustive()
    }
}

/// The future of [`Receiver::last`].
///
/// ```
/// let (tx, rx) = plenary_async::control::channel::counter();
/// tx.send();
/// let last: plenary_async::control::channel::counter::Last<'_> = rx.last();
/// assert_eq!(plenary_async::block_on(last), Ok(1));
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Last<'a> {
    wait: Wait<'a>,
}

impl Future for Last<'_> {
    type Output = Result<usize, RecvError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.wait.poll_one(cx) {
            Poll::Ready(Ok(())) => {
                let mut s = self.wait.shared.borrow_mut();
                let rest = std::mem::take(&mut s.count);
                Poll::Ready(Ok(1 + rest))
            }
            other => other.map(|r| r.map(|()| 0)),
        }
    }
}

impl fmt::Debug for Last<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Last").finish_non_exhaustive()
    }
}
