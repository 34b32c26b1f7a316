//! `util.block_on(fn, timeout)` and `util.will_block`.

use super::sleep::IntoDuration;
use super::timeout::timeout;
use crate::Error;
use std::future::Future;

/// Runs the loop until `future` completes or `limit` passes (plenary's
/// `util.block_on(fn, timeout)`). Unlike plenary's, a timeout is an error,
/// `Err(`[`Error::Timeout`]`)`, not a silent empty return.
///
/// # Panics
/// As [`crate::block_on`]: inside a task, or on an attached runtime.
///
/// ```
/// use plenary_async as a;
/// assert_eq!(a::util::block_on(async { 3 }, 1_000), Ok(3));
/// let err = a::util::block_on(a::util::sleep(60_000), 10).unwrap_err();
/// assert!(err.is_timeout());
/// ```
#[doc(alias = "block_on_timeout")]
pub fn block_on<F: Future>(future: F, limit: impl IntoDuration) -> Result<F::Output, Error> {
    crate::block_on(timeout(limit, future))
}

/// Wraps an async function into a blocking one (plenary's
/// `util.will_block(fn, timeout)`): calling the result runs `f`'s future with
/// [`block_on`] and the given limit.
///
/// ```
/// use plenary_async as a;
/// let compute = a::util::will_block(|| async { 6 * 7 }, 1_000);
/// assert_eq!(compute(), Ok(42));
/// ```
pub fn will_block<F, Fut>(f: F, limit: impl IntoDuration) -> impl Fn() -> Result<Fut::Output, Error>
where
    F: Fn() -> Fut,
    Fut: Future,
{
    let limit = limit.into_duration();
    move || block_on(f(), limit)
}
