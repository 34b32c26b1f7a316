//! `Semaphore`: at most N holders at a time.

use super::waiters::{Key, WaitList};
use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

struct SemaphoreState {
    permits: usize,
    waiters: WaitList<()>,
}

type Shared = Rc<RefCell<SemaphoreState>>;

/// A counting semaphore for tasks (plenary's `a.control.Semaphore`):
/// [`acquire`](Self::acquire) waits for one of its permits and returns a
/// [`Permit`]; dropping the permit, or calling [`Permit::release`], gives it
/// back.
///
/// Waiters get permits **in the order they asked** (plenary serves the most
/// recent waiter first, which can starve the oldest), and a released permit
/// goes straight to the longest waiter, so a task calling `acquire` later
/// cannot take it first. Cloning gives another handle to the same
/// semaphore.
///
/// ```
/// use plenary_async as a;
/// use a::control::Semaphore;
///
/// a::block_on(async {
///     let sem = Semaphore::new(2);
///     let first = sem.acquire().await;
///     let _second = sem.acquire().await;
///     assert_eq!(sem.available_permits(), 0);
///     assert!(sem.try_acquire().is_none());
///     first.release(); // plenary's `permit:forget()`
///     assert_eq!(sem.available_permits(), 1);
/// });
/// ```
#[derive(Clone)]
pub struct Semaphore {
    shared: Shared,
}

impl Semaphore {
    /// A semaphore with `permits` permits (plenary's `Semaphore.new(n)`).
    /// Zero is allowed: acquirers then wait for [`add_permits`](Self::add_permits).
    ///
    /// ```
    /// let sem = plenary_async::control::Semaphore::new(3);
    /// assert_eq!(sem.available_permits(), 3);
    /// ```
    pub fn new(permits: usize) -> Semaphore {
        Semaphore {
            shared: Rc::new(RefCell::new(SemaphoreState {
                permits,
                waiters: WaitList::new(),
            })),
        }
    }

    /// Waits until a permit is free and takes it. Waiters are served first
    /// come, first served.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future while it waits gives up
    /// its place in the queue; if a permit had already been handed to it, the
    /// permit goes to the next waiter (or back to the semaphore). No permit
    /// is ever lost.
    ///
    /// ```
    /// use plenary_async as a;
    ///
    /// let sem = a::control::Semaphore::new(1);
    /// a::block_on(async move {
    ///     let permit = sem.acquire().await;
    ///     let waiter = a::spawn({
    ///         let sem = sem.clone();
    ///         async move { sem.acquire().await.release() }
    ///     });
    ///     a::util::scheduler().await;
    ///     assert_eq!(sem.waiting(), 1); // blocked until the permit comes back
    ///     drop(permit);
    ///     waiter.await.unwrap();
    ///     assert_eq!(sem.available_permits(), 1);
    /// });
    /// ```
    pub fn acquire(&self) -> Acquire {
        Acquire {
            shared: self.shared.clone(),
            key: None,
        }
    }

    /// Takes a permit if one is free now and no task is waiting for one
    /// (it never overtakes a waiter).
    ///
    /// ```
    /// let sem = plenary_async::control::Semaphore::new(1);
    /// let permit = sem.try_acquire().expect("one is free");
    /// assert!(sem.try_acquire().is_none());
    /// drop(permit);
    /// assert!(sem.try_acquire().is_some());
    /// ```
    pub fn try_acquire(&self) -> Option<Permit> {
        let mut s = self.shared.borrow_mut();
        if s.permits > 0 && s.waiters.is_empty() {
            s.permits -= 1;
            Some(Permit {
                shared: self.shared.clone(),
            })
        } else {
            None
        }
    }

    /// How many permits are free now.
    ///
    /// ```
    /// let sem = plenary_async::control::Semaphore::new(2);
    /// let _p = sem.try_acquire();
    /// assert_eq!(sem.available_permits(), 1);
    /// ```
    pub fn available_permits(&self) -> usize {
        self.shared.borrow().permits
    }

    /// How many tasks are waiting for a permit.
    ///
    /// ```
    /// assert_eq!(plenary_async::control::Semaphore::new(1).waiting(), 0);
    /// ```
    pub fn waiting(&self) -> usize {
        self.shared.borrow().waiters.len()
    }

    /// Adds `n` permits, handing them to waiters first.
    ///
    /// ```
    /// let sem = plenary_async::control::Semaphore::new(0);
    /// assert!(sem.try_acquire().is_none());
    /// sem.add_permits(2);
    /// assert_eq!(sem.available_permits(), 2);
    /// ```
    pub fn add_permits(&self, n: usize) {
        let mut wakers = Vec::new();
        {
            let mut s = self.shared.borrow_mut();
            let mut left = n;
            while left > 0 {
                let Some((_, _, w)) = s.waiters.serve_front() else {
                    break;
                };
                wakers.extend(w);
                left -= 1;
            }
            s.permits += left;
        }
        wakers.into_iter().for_each(Waker::wake);
    }
}

/// Gives one permit back: to the longest waiter if there is one.
fn release(shared: &Shared) {
    let waker = {
        let s = &mut *shared.borrow_mut();
        s.waiters.hand_over(&mut s.permits)
    };
    if let Some(w) = waker {
        w.wake();
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.shared.borrow();
        f.debug_struct("Semaphore")
            .field("permits", &s.permits)
            .field("waiting", &s.waiters.len())
            .finish()
    }
}

/// A permit of a [`Semaphore`], held until dropped or
/// [released](Self::release). It owns a handle to its semaphore, so it can
/// move into another task.
///
/// ```
/// use plenary_async as a;
///
/// let sem = a::control::Semaphore::new(1);
/// a::block_on(async {
///     let permit = sem.acquire().await;
///     let worker = a::spawn(async move {
///         let _permit = permit; // held for the worker's lifetime
///         a::util::sleep(1).await;
///     });
///     assert_eq!(sem.available_permits(), 0);
///     worker.await.unwrap();
///     assert_eq!(sem.available_permits(), 1);
/// });
/// ```
#[must_use = "dropping a permit releases it at once"]
pub struct Permit {
    shared: Shared,
}

impl Permit {
    /// Releases the permit now, handing it to the longest waiter if any.
    /// This is plenary's `permit:forget()` (plenary's name for releasing;
    /// in Rust `forget` means leaking, so the name is not reused). Dropping
    /// the permit does the same.
    ///
    /// ```
    /// let sem = plenary_async::control::Semaphore::new(1);
    /// let permit = sem.try_acquire().unwrap();
    /// permit.release();
    /// assert_eq!(sem.available_permits(), 1);
    /// ```
    pub fn release(self) {
        drop(self);
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        release(&self.shared);
    }
}

impl fmt::Debug for Permit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Permit").finish_non_exhaustive()
    }
}

/// The future of [`Semaphore::acquire`].
///
/// ```
/// let sem = plenary_async::control::Semaphore::new(1);
/// let acquire: plenary_async::control::Acquire = sem.acquire();
/// let _permit = plenary_async::block_on(acquire);
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Acquire {
    shared: Shared,
    key: Option<Key>,
}

impl Future for Acquire {
    type Output = Permit;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Permit> {
        let this = &mut *self;
        let mut s = this.shared.borrow_mut();
        match this.key {
            None => {
                if s.permits > 0 && s.waiters.is_empty() {
                    s.permits -= 1;
                } else {
                    this.key = Some(s.waiters.push_back(cx.waker().clone(), None));
                    return Poll::Pending;
                }
            }
            Some(key) if s.waiters.is_linked(key) => {
                s.waiters.set_waker(key, cx.waker());
                return Poll::Pending;
            }
            Some(key) => {
                // Served: a permit was handed to us.
                s.waiters.remove(key);
                this.key = None;
            }
        }
        drop(s);
        Poll::Ready(Permit {
            shared: this.shared.clone(),
        })
    }
}

impl Drop for Acquire {
    fn drop(&mut self) {
        if let Some(key) = self.key {
            let (served, _) = self.shared.borrow_mut().waiters.remove(key);
            if served {
                release(&self.shared);
            }
        }
    }
}

impl fmt::Debug for Acquire {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire")
            .field("waiting", &self.key.is_some())
            .finish()
    }
}
