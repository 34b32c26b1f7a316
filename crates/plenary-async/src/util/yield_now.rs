//! `yield_now`: let the other ready tasks run once.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Yields once: the task goes to the back of the run queue and is polled
/// again after the tasks that were ready before it, in the same turn of the
/// loop (unlike [`scheduler`](super::scheduler), which waits for the loop
/// to turn). tokio's `task::yield_now`.
///
/// ```
/// use plenary_async as a;
/// use std::{cell::Cell, rc::Rc};
///
/// let ran = Rc::new(Cell::new(false));
/// let r = ran.clone();
/// a::block_on(async move {
///     a::spawn(async move { r.set(true) }).detach();
///     assert!(!ran.get());
///     a::util::yield_now().await;
///     assert!(ran.get());
/// });
/// ```
#[doc(alias = "yield")]
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future of [`yield_now`].
///
/// ```
/// let y: plenary_async::util::YieldNow = plenary_async::util::yield_now();
/// plenary_async::block_on(y);
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
