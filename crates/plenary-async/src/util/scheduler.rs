//! `scheduler`: yield to the event loop once.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Yields once: the task is requeued after the loop has had a turn, so that
/// other ready tasks, I/O and timer callbacks run first (plenary's
/// `util.scheduler()`, which waits for `vim.schedule`).
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
///     a::util::scheduler().await;
///     assert!(ran.get());
/// });
/// ```
pub fn scheduler() -> Scheduler {
    Scheduler { yielded: false }
}

/// The future of [`scheduler`].
///
/// ```
/// let s: plenary_async::util::Scheduler = plenary_async::util::scheduler();
/// plenary_async::block_on(s);
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Scheduler {
    yielded: bool,
}

impl Future for Scheduler {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        crate::runtime::with_current_executor(|ex| ex.defer(cx.waker().clone()));
        Poll::Pending
    }
}
