//! `join`: wait for several futures.

use std::future::Future;

/// Runs all `futures` concurrently (in this task) and returns their outputs
/// in the given order, once all are done (plenary's `util.join(fns)`). An
/// empty list completes at once. For futures of different types, use
/// [`join!`](crate::join!).
///
/// ```
/// use plenary_async as a;
/// let out = a::block_on(a::util::join((1..=3).map(|i| async move {
///     a::util::sleep(10 - 3 * i).await;
///     i * 10
/// })));
/// assert_eq!(out, vec![10, 20, 30]);
/// assert!(a::block_on(a::util::join(Vec::<std::future::Ready<()>>::new())).is_empty());
/// ```
#[doc(alias = "join_all")]
pub fn join<I>(futures: I) -> impl Future<Output = Vec<<I::Item as Future>::Output>>
where
    I: IntoIterator,
    I::Item: Future,
{
    futures_util::future::join_all(futures)
}
