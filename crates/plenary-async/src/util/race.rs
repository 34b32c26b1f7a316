//! `race`: the first future to finish wins; the others are dropped.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Runs `futures` concurrently and returns the output of the first to finish
/// (plenary's `util.race`). The losers are dropped at that moment, so their
/// work stops and their destructors run (plenary lets them run on). On a tie,
/// the earliest in the list wins.
///
/// # Panics
/// When polled with no futures at all: no winner could ever come.
///
/// ```
/// use plenary_async as a;
/// let winner = a::block_on(a::util::race(vec![
///     Box::pin(async { a::util::sleep(60_000).await; "slow" }) as std::pin::Pin<Box<dyn std::future::Future<Output = &str>>>,
///     Box::pin(async { a::util::sleep(1).await; "fast" }),
/// ]));
/// assert_eq!(winner, "fast");
/// ```
#[doc(alias = "select")]
pub fn race<I>(futures: I) -> Race<I::Item>
where
    I: IntoIterator,
    I::Item: Future,
{
    Race {
        futures: futures.into_iter().map(Box::pin).collect(),
    }
}

/// The future of [`race`].
///
/// ```
/// let r: plenary_async::util::Race<std::future::Ready<u8>> =
///     plenary_async::util::race([std::future::ready(1)]);
/// assert_eq!(plenary_async::block_on(r), 1);
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Race<F> {
    futures: Vec<Pin<Box<F>>>,
}

impl<F: Future> Future for Race<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        assert!(
            !self.futures.is_empty(),
            "plenary_async::util::race needs at least one future (or it already returned)"
        );
        for i in 0..self.futures.len() {
            if let Poll::Ready(v) = self.futures[i].as_mut().poll(cx) {
                self.futures.clear();
                return Poll::Ready(v);
            }
        }
        Poll::Pending
    }
}

impl<F> fmt::Debug for Race<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Race")
            .field("running", &self.futures.len())
            .finish()
    }
}

/// Races two futures of different types with the same output: the first
/// to finish wins (on a tie, `a`), and the loser is dropped when this
/// future is. No boxing; [`race!`](crate::race!) nests it for more.
///
/// ```
/// use plenary_async as a;
/// let slow = async { a::util::sleep(60_000).await; "slow" };
/// let fast = async { a::util::sleep(1).await; "fast" };
/// assert_eq!(a::block_on(a::util::race2(slow, fast)), "fast");
/// ```
#[doc(alias = "select")]
pub fn race2<A, B>(a: A, b: B) -> Race2<A, B>
where
    A: Future,
    B: Future<Output = A::Output>,
{
    Race2 { a, b }
}

pin_project_lite::pin_project! {
    /// The future of [`race2`] (and of [`race!`](crate::race!)).
    ///
    /// ```
    /// let r: plenary_async::util::Race2<_, _> =
    ///     plenary_async::util::race2(std::future::ready(1), std::future::pending());
    /// assert_eq!(plenary_async::block_on(r), 1);
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Race2<A, B> {
        #[pin]
        a: A,
        #[pin]
        b: B,
    }
}

impl<A, B> Future for Race2<A, B>
where
    A: Future,
    B: Future<Output = A::Output>,
{
    type Output = A::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<A::Output> {
        let this = self.project();
        if let Poll::Ready(v) = this.a.poll(cx) {
            return Poll::Ready(v);
        }
        this.b.poll(cx)
    }
}

impl<A, B> fmt::Debug for Race2<A, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Race2").finish_non_exhaustive()
    }
}
