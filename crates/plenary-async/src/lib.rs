//! # plenary-async
//!
//! The async system of Neovim's [plenary.nvim] (`plenary.async`) as a Rust
//! runtime on a libuv event loop. Write `use plenary_async as a;` and
//! plenary's names carry over: [`a::wrap`](wrap()), [`a::run`](run),
//! [`a::void`](void), [`a::util::sleep`](util::sleep), …
//!
//! ```
//! use plenary_async as a;
//!
//! // A callback-style function (like `vim.defer_fn`)...
//! fn defer(ms: u64, done: a::Callback<()>) {
//!     a::spawn(async move {
//!         a::util::sleep(ms).await;
//!         done.call(());
//!     })
//!     .detach();
//! }
//! // ...made awaitable.
//! let sleep_async = a::wrap(defer);
//!
//! a::run(
//!     async move {
//!         sleep_async(10).await.unwrap();
//!         "Done!"
//!     },
//!     |result| println!("{result:?}"),
//! );
//! a::block_on(a::util::sleep(20)); // drive the loop
//! ```
//!
//! **Execution model.** A task is a future; the executor is single-threaded
//! (tasks may hold `Rc` and `RefCell`), one [`Runtime`] per thread, created by
//! the first use on the thread with a libuv loop of its own (*standalone*), or
//! [attached](Runtime::attach) to a loop a host already runs (*embedded*,
//! e.g. Neovim). Ready tasks run in FIFO order, at most
//! [`Runtime::budget`] per loop iteration, so I/O and the host are never
//! starved; tasks woken by the loop's events (timers, I/O) and tasks made
//! ready by other tasks wait in two queues served in turn, so neither kind
//! waits behind a burst of the other. Wakers are `Send`: a wake from another thread reaches the loop
//! through a `uv_async_t`. See `docs/ARCHITECTURE.md` in the repository.
//!
//! [plenary.nvim]: https://github.com/nvim-lua/plenary.nvim

// Every public item is documented; every unsafe block states its
// invariant in a `// SAFETY:` comment, also inside unsafe functions.
#![warn(missing_docs)]
// docs.rs (`--cfg docsrs`, nightly): items of one OS say so.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(clippy::undocumented_unsafe_blocks)]
#![deny(unsafe_op_in_unsafe_fn)]

pub mod control;
mod entry;
mod error;
mod ffi;
pub mod io;
mod join_error;
pub mod runtime;
pub mod scope;
pub mod tests;
pub mod util;
pub mod uv;
mod wrap;

pub use entry::{block_on, run, run_now, spawn, spawn_blocking, spawn_now, void, VoidFn};
pub use error::{panic_message, Error};
pub use join_error::{JoinError, PanicPayload};
pub use runtime::{AbortHandle, Runtime, Task};
pub use wrap::{wrap, Callback, CallbackFuture, WrapFn};

/// Runs several futures of possibly different types concurrently in the
/// current task and returns a tuple of their outputs (plenary's `util.join`
/// for heterogeneous futures).
///
/// ```
/// use plenary_async as a;
/// a::block_on(async {
///     let (n, s) = a::join!(async { 1 }, async { "two" });
///     assert_eq!((n, s), (1, "two"));
/// });
/// ```
pub use futures_util::join;

/// Races futures of possibly different types with the same output type,
/// concurrently in the current task (plenary's `util.race` for
/// heterogeneous futures): the first to finish gives the value (on a tie,
/// the earliest listed), and the others are dropped when the race future
/// is. No boxing: it nests [`util::race2`].
///
/// ```
/// use plenary_async as a;
/// a::block_on(async {
///     let winner = a::race!(
///         async { a::util::sleep(60_000).await; "slow" },
///         async { a::util::sleep(1).await; "fast" },
///         std::future::pending::<&str>(),
///     )
///     .await;
///     assert_eq!(winner, "fast");
/// });
/// ```
#[macro_export]
macro_rules! race {
    ($only:expr $(,)?) => {
        $crate::util::race2($only, ::std::future::pending())
    };
    ($first:expr, $($rest:expr),+ $(,)?) => {
        $crate::util::race2($first, $crate::race!(@nested $($rest),+))
    };
    (@nested $only:expr) => {
        $only
    };
    (@nested $first:expr, $($rest:expr),+) => {
        $crate::util::race2($first, $crate::race!(@nested $($rest),+))
    };
}

/// [`util::run_first`] for callback-style functions (closures) of
/// different types: each gets a callback of one shared wait, and the
/// first value called back wins. The closures are boxed by the macro, not
/// by you.
///
/// ```
/// use plenary_async as a;
/// let at_once = |done: a::Callback<&'static str>| done.call("at once");
/// let never = |done: a::Callback<&'static str>| drop(done); // never calls back
/// let first = a::block_on(a::run_first!(never, at_once));
/// assert_eq!(first, Ok("at once"));
/// ```
#[macro_export]
macro_rules! run_first {
    ($($f:expr),+ $(,)?) => {
        $crate::util::run_first([
            $(::std::boxed::Box::new($f) as ::std::boxed::Box<dyn ::std::ops::FnOnce($crate::Callback<_>)>),+
        ])
    };
}

/// Marks an `async fn` as a test run on a fresh runtime with a time limit
/// (plenary's `a.it` / `a.tests.it`).
///
/// The test runs on a thread of its own (so on a fresh runtime), under
/// [`util::block_on`] with a limit: `#[plenary_async::test(timeout = MS)]`,
/// else the `PLENARY_TEST_TIMEOUT` environment variable (milliseconds), else
/// 30 000 ms. Passing the limit fails the test with a message that says so.
///
/// ```
/// #[plenary_async::test(timeout = 1000)]
/// async fn sleeps() {
///     plenary_async::util::sleep(5).await;
/// }
/// ```
pub use plenary_async_macros::test;

/// Marks `async fn main` as the program's entry point: its body runs under
/// [`block_on`] on the main thread's runtime.
///
/// ```
/// #[plenary_async::main]
/// async fn main() {
///     plenary_async::util::sleep(1).await;
///     println!("done");
/// }
/// ```
pub use plenary_async_macros::main;

/// What this project's other crates use, not an API: `#[plenary_async::test]`
/// expands to `run_test`, and plenary-async-nvim finds luv's loop with
/// `host_symbol`. (plenary-async-nvim depends on this crate's exact version.)
#[doc(hidden)]
pub mod __private {
    use std::future::Future;

    /// [`tests::run_test`](crate::tests): a test on a fresh runtime, with its limit.
    pub fn run_test<R, F, Fut>(name: &'static str, timeout_ms: Option<u64>, make: F) -> R
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = R>,
        R: Send + 'static,
    {
        crate::tests::run_test(name, timeout_ms, make)
    }

    /// The address of a function or variable the host process exports
    /// (`dlsym`/`GetProcAddress`, as the runtime finds libuv's).
    pub fn host_symbol(name: &std::ffi::CStr) -> Option<std::ptr::NonNull<std::ffi::c_void>> {
        crate::runtime::host_symbol(name)
    }
}

// The crate's README (crates.io's page): its example is a doc test.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
struct ReadmeDoctests;
