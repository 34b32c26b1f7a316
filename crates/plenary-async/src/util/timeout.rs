//! `timeout`: give up on a future after a while.

use super::sleep::{sleep, IntoDuration, Sleep};
use crate::Error;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// Runs `future` for at most `duration`: `Ok(output)` if it finished in
/// time, else `Err(`[`Error::Timeout`]`)`, and the future is dropped (its
/// destructors run).
///
/// ```
/// use plenary_async as a;
/// a::block_on(async {
///     assert_eq!(a::util::timeout(1_000, async { 5 }).await, Ok(5));
///     let err = a::util::timeout(5, a::util::sleep(10_000)).await.unwrap_err();
///     assert_eq!(err.to_string(), "timed out after 5ms");
/// });
/// ```
pub fn timeout<F: Future>(duration: impl IntoDuration, future: F) -> Timeout<F> {
    let after = duration.into_duration();
    Timeout {
        future: Some(future),
        sleep: sleep(after),
        after,
    }
}

pin_project_lite::pin_project! {
    /// The future of [`timeout`].
    ///
    /// ```
    /// let t: plenary_async::util::Timeout<_> = plenary_async::util::timeout(10, async {});
    /// assert_eq!(plenary_async::block_on(t), Ok(()));
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Timeout<F> {
        // `None` once finished: the future is dropped in place right then.
        #[pin]
        future: Option<F>,
        sleep: Sleep,
        after: Duration,
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let future = this
            .future
            .as_mut()
            .as_pin_mut()
            .expect("plenary_async::util::Timeout polled after completion");
        if let Poll::Ready(v) = future.poll(cx) {
            this.future.set(None);
            return Poll::Ready(Ok(v));
        }
        if Pin::new(this.sleep).poll(cx).is_ready() {
            this.future.set(None);
            return Poll::Ready(Err(Error::Timeout { after: *this.after }));
        }
        Poll::Pending
    }
}
