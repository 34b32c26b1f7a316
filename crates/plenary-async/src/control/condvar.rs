//! `Condvar`: wait until notified.

use super::waiters::{Key, WaitList};
use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// A condition variable for tasks (plenary's `a.control.Condvar`, like
/// Go's `sync.Cond`): [`wait`](Self::wait) until another task calls
/// [`notify_one`](Self::notify_one) or [`notify_all`](Self::notify_all).
///
/// A notification is not stored: only tasks already waiting are woken. As
/// with any condition variable, check your condition in a loop around
/// `wait`. Cloning gives another handle to the same condition variable (a
/// Lua table is shared the same way).
///
/// Unlike plenary's, `notify_one` wakes the task that has waited longest,
/// not a random one.
///
/// ```
/// use plenary_async as a;
/// use a::control::Condvar;
/// use std::{cell::Cell, rc::Rc};
///
/// a::block_on(async {
///     let ready = Rc::new(Cell::new(false));
///     let cv = Condvar::new();
///     let waiter = a::spawn({
///         let (ready, cv) = (ready.clone(), cv.clone());
///         async move {
///             while !ready.get() {
///                 cv.wait().await;
///             }
///         }
///     });
///     a::util::sleep(1).await;
///     ready.set(true);
///     cv.notify_all();
///     waiter.await.unwrap();
/// });
/// ```
#[derive(Clone, Default)]
#[doc(alias = "Notify")]
pub struct Condvar {
    waiters: Rc<Waiters>,
}

impl Condvar {
    /// A condition variable with no waiter.
    ///
    /// ```
    /// let cv = plenary_async::control::Condvar::new();
    /// assert_eq!(cv.waiting(), 0);
    /// ```
    pub fn new() -> Condvar {
        Condvar::default()
    }

    /// Waits until notified. The task counts as waiting from the first poll
    /// of the returned future (awaiting it does that at once).
    ///
    /// # Cancel safety
    ///
    /// A future dropped while waiting leaves the
    /// queue. One dropped after [`notify_one`](Self::notify_one) chose it but
    /// before it ran passes the notification on to the next waiter, so the
    /// notification is not lost.
    ///
    /// ```
    /// use plenary_async as a;
    ///
    /// let cv = a::control::Condvar::new();
    /// let task = a::spawn({
    ///     let cv = cv.clone();
    ///     async move { cv.wait().await }
    /// });
    /// a::block_on(async move {
    ///     a::util::scheduler().await; // let the task start waiting
    ///     assert_eq!(cv.notify_one(), true);
    ///     task.await.unwrap();
    /// });
    /// ```
    pub fn wait(&self) -> Wait {
        Wait {
            waiters: self.waiters.clone(),
            key: None,
        }
    }

    /// Wakes the task that has waited longest. Returns whether there was one.
    ///
    /// ```
    /// let cv = plenary_async::control::Condvar::new();
    /// assert!(!cv.notify_one()); // nobody waits: nothing is stored
    /// ```
    pub fn notify_one(&self) -> bool {
        notify_one(&self.waiters)
    }

    /// Wakes every task waiting now, in the order they started waiting, and
    /// returns how many. A task that starts waiting afterwards (even one of
    /// those, waiting again) waits for the next notification.
    ///
    /// ```
    /// use plenary_async as a;
    ///
    /// let cv = a::control::Condvar::new();
    /// let tasks: Vec<_> = (0..3)
    ///     .map(|_| a::spawn({
    ///         let cv = cv.clone();
    ///         async move { cv.wait().await }
    ///     }))
    ///     .collect();
    /// a::block_on(async move {
    ///     a::util::scheduler().await;
    ///     assert_eq!(cv.notify_all(), 3);
    ///     a::util::join(tasks).await;
    /// });
    /// ```
    pub fn notify_all(&self) -> usize {
        let wakers = self.waiters.borrow_mut().serve_all();
        let n = wakers.len();
        wakers.into_iter().for_each(Waker::wake);
        n
    }

    /// How many tasks are waiting.
    ///
    /// ```
    /// assert_eq!(plenary_async::control::Condvar::new().waiting(), 0);
    /// ```
    pub fn waiting(&self) -> usize {
        self.waiters.borrow().len()
    }
}

/// The waiter list of a condition variable. A waiter served by `notify_one`
/// gets `Some(())` as its deposit, so that if it is dropped before it runs it
/// knows to pass the notification on (one served by `notify_all` does not).
type Waiters = RefCell<WaitList<()>>;

fn notify_one(waiters: &Waiters) -> bool {
    let served = {
        let mut list = waiters.borrow_mut();
        let served = list.serve_front();
        if let Some((key, _, _)) = served {
            list.set_payload(key, ());
        }
        served
    };
    match served {
        Some((_, _, waker)) => {
            if let Some(w) = waker {
                w.wake();
            }
            true
        }
        None => false,
    }
}

impl fmt::Debug for Condvar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condvar")
            .field("waiting", &self.waiting())
            .finish()
    }
}

/// The future of [`Condvar::wait`].
///
/// ```
/// let cv = plenary_async::control::Condvar::new();
/// let wait: plenary_async::control::Wait = cv.wait();
/// drop(wait); // never polled: never waited
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Wait {
    waiters: Rc<Waiters>,
    key: Option<Key>,
}

impl Future for Wait {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        let mut list = this.waiters.borrow_mut();
        match this.key {
            None => {
                this.key = Some(list.push_back(cx.waker().clone(), None));
                Poll::Pending
            }
            Some(key) if list.is_linked(key) => {
                list.set_waker(key, cx.waker());
                Poll::Pending
            }
            Some(key) => {
                list.remove(key);
                this.key = None;
                Poll::Ready(())
            }
        }
    }
}

impl Drop for Wait {
    fn drop(&mut self) {
        if let Some(key) = self.key {
            let (served, by_one) = self.waiters.borrow_mut().remove(key);
            if served && by_one.is_some() {
                notify_one(&self.waiters);
            }
        }
    }
}

impl fmt::Debug for Wait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wait")
            .field("waiting", &self.key.is_some())
            .finish()
    }
}
