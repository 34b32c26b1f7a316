//! `protected` / `apcall`: catch a panic, return a `Result`.

use crate::JoinError;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe, Location};
use std::pin::Pin;
use std::task::{Context, Poll};

/// Runs `future`, turning a panic inside it into
/// `Err(`[`JoinError::Panicked`]`)` (plenary's `util.protected`; plenary's
/// version returns `success, ...`).
///
/// ```
/// use plenary_async as a;
/// a::block_on(async {
///     assert_eq!(a::util::protected(async { 1 }).await, Ok(1));
///     let err = a::util::protected(async { panic!("nope") }).await.unwrap_err();
///     assert!(err.to_string().ends_with("panicked: nope"));
/// });
/// ```
#[track_caller]
#[doc(alias = "catch_unwind")]
pub fn protected<F: Future>(future: F) -> Protected<F> {
    Protected::new(future, Location::caller())
}

/// Calls the async function `f` with `args` under [`protected`] (plenary's
/// `util.apcall(fn, ...)`).
///
/// ```
/// use plenary_async as a;
/// async fn half(n: u32) -> u32 {
///     assert!(n % 2 == 0, "odd");
///     n / 2
/// }
/// a::block_on(async {
///     assert_eq!(a::util::apcall(half, 8).await, Ok(4));
///     assert!(a::util::apcall(half, 3).await.is_err());
/// });
/// ```
#[track_caller]
pub fn apcall<A, F, Fut>(f: F, args: A) -> Protected<Fut>
where
    F: FnOnce(A) -> Fut,
    Fut: Future,
{
    Protected::new(f(args), Location::caller())
}

pin_project_lite::pin_project! {
    /// The future of [`protected`] and [`apcall`].
    ///
    /// ```
    /// let p: plenary_async::util::Protected<_> = plenary_async::util::protected(async { 2 });
    /// assert_eq!(plenary_async::block_on(p), Ok(2));
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Protected<F> {
        #[pin]
        future: F,
        location: &'static Location<'static>,
    }
}

impl<F: Future> Protected<F> {
    pub(crate) fn new(future: F, location: &'static Location<'static>) -> Self {
        Protected { future, location }
    }
}

impl<F: Future> Future for Protected<F> {
    type Output = Result<F::Output, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let location = *this.location;
        match catch_unwind(AssertUnwindSafe(|| this.future.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Err(payload) => Poll::Ready(Err(JoinError::panicked(payload, location))),
        }
    }
}
