//! Testing async code (plenary's `a.tests`: `describe`/`it` with async
//! bodies).
//!
//! In Rust, the test runner is cargo's: mark an `async fn` with
//! [`#[plenary_async::test]`](crate::test) (also reachable as
//! `#[plenary_async::tests::it]`, plenary's name) and it runs on a fresh
//! runtime with a time limit. `describe` blocks are Rust modules.
//!
//! ```
//! // describe("async test", ...)
//! mod async_test {
//!     use plenary_async as a;
//!
//!     // a.it("should do something async", ...)
//!     #[a::tests::it(timeout = 1000)]
//!     async fn should_do_something_async() {
//!         a::util::sleep(100).await;
//!         assert!(true);
//!     }
//! }
//! ```

use std::future::Future;
use std::time::Duration;

/// Plenary's name for [`#[plenary_async::test]`](crate::test):
/// `#[plenary_async::tests::it]`, with the same arguments.
///
/// ```
/// #[plenary_async::tests::it(timeout = 500)]
/// async fn works() {
///     plenary_async::util::scheduler().await;
/// }
/// ```
pub use plenary_async_macros::test as it;

/// The time limit of a test when neither the attribute nor
/// `PLENARY_TEST_TIMEOUT` sets one.
///
/// ```
/// assert_eq!(plenary_async::tests::DEFAULT_TIMEOUT.as_secs(), 30);
/// ```
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The time limit a test gets: `attribute` (milliseconds) if given, else
/// `PLENARY_TEST_TIMEOUT` (milliseconds), else [`DEFAULT_TIMEOUT`].
///
/// # Panics
/// If `PLENARY_TEST_TIMEOUT` is set but is not a whole number of milliseconds.
///
/// ```
/// use std::time::Duration;
/// assert_eq!(plenary_async::tests::test_timeout(Some(250)), Duration::from_millis(250));
/// ```
pub fn test_timeout(attribute: Option<u64>) -> Duration {
    if let Some(ms) = attribute {
        return Duration::from_millis(ms);
    }
    match std::env::var("PLENARY_TEST_TIMEOUT") {
        Ok(v) => Duration::from_millis(v.trim().parse().unwrap_or_else(|_| {
            panic!("PLENARY_TEST_TIMEOUT must be a number of milliseconds, got {v:?}")
        })),
        Err(_) => DEFAULT_TIMEOUT,
    }
}

/// What `#[plenary_async::test]` expands to: runs the future that `make`
/// builds on a new thread (a fresh runtime) under [`util::block_on`](crate::util::block_on)
/// with the test's time limit, and panics with a clear message on timeout.
/// A panic inside the test propagates with its original payload.
///
/// (Reached through [`__private`](crate::__private), for the macro.)
///
/// ```
/// let v = plenary_async::__private::run_test("doc", Some(1000), || async { 5 });
/// assert_eq!(v, 5);
/// ```
pub(crate) fn run_test<R, F, Fut>(name: &'static str, timeout_ms: Option<u64>, make: F) -> R
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = R>,
    R: Send + 'static,
{
    let limit = test_timeout(timeout_ms);
    let thread = std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || match crate::util::block_on(make(), limit) {
            Ok(v) => v,
            Err(err) => panic!(
                "test `{name}` {err}: it did not finish in time (set the limit with \
                 #[plenary_async::test(timeout = MS)] or PLENARY_TEST_TIMEOUT=MS)"
            ),
        })
        .expect("spawn the test thread");
    match thread.join() {
        Ok(v) => v,
        Err(payload) => std::panic::resume_unwind(payload),
    }
}
