//! `run_first`: start several callback-style functions; the first callback wins.

use crate::{Callback, CallbackFuture};
use std::panic::Location;

/// Calls every function in `fns` with a callback of one shared wait and
/// returns a future of the first value called back (plenary's
/// `util.run_first`). Later callbacks are ignored. The future fails with
/// [`Error::CallbackDropped`](crate::Error::CallbackDropped) if every callback
/// is dropped uncalled (as with an empty list).
///
/// ```
/// use plenary_async as a;
/// use std::time::Duration;
///
/// let after = |ms: u64, name: &'static str| {
///     move |done: a::Callback<&'static str>| {
///         std::thread::spawn(move || {
///             std::thread::sleep(Duration::from_millis(ms));
///             done.call(name);
///         });
///     }
/// };
/// let first = a::block_on(a::util::run_first(vec![after(50, "slow"), after(1, "fast")]));
/// assert_eq!(first, Ok("fast"));
/// ```
#[track_caller]
#[doc(alias = "select")]
pub fn run_first<I, F, T>(fns: I) -> CallbackFuture<T>
where
    I: IntoIterator<Item = F>,
    F: FnOnce(Callback<T>),
{
    let (callback, future) = Callback::pair_at(Location::caller());
    for f in fns {
        f(callback.fork());
    }
    drop(callback);
    future
}
