//! Entering async code: `spawn`, `run`, `void` and `block_on` (plenary's
//! `a.run`, `a.void` and `util.block_on`).

use crate::runtime::{self, Task};
use crate::util::protected::Protected;
use crate::JoinError;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::{catch_unwind, AssertUnwindSafe, Location};
use std::rc::Rc;

/// Starts `future` as a task on this thread's runtime and returns its handle.
///
/// The task is queued and first polled on the next turn of the runtime (not
/// inside `spawn`). It may be `!Send`. Dropping the returned [`Task`] detaches
/// it; awaiting it gives the output, or a [`JoinError`] if it panicked or was
/// canceled. The spawn location is recorded for error messages.
///
/// A thread's runtime is made on first use, with a loop of its own. With
/// the `host-libuv` feature (a library loaded into Neovim) none is: attach
/// one to the host's loop first.
///
/// # Panics
/// With `host-libuv`, if this thread has no attached runtime (before
/// `attach`, or after `detach`): a runtime made then would have a loop
/// that nothing runs.
///
/// ```
/// use plenary_async as a;
/// use std::rc::Rc;
///
/// let shared = Rc::new(5); // !Send is fine
/// let s = shared.clone();
/// let task = a::spawn(async move { *s * 2 });
/// assert_eq!(a::block_on(task), Ok(10));
/// ```
#[track_caller]
#[doc(alias = "spawn_local")]
pub fn spawn<F>(future: F) -> Task<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let location = Location::caller();
    runtime::spawn_queued(future, location)
}

/// Runs the blocking function `f` on libuv's thread pool (the one the
/// file-system requests use) and returns its task: awaiting it gives what
/// `f` returned, or [`JoinError::Panicked`] with the panic's message
/// if `f` panicked. The loop and the other tasks run meanwhile. `f` must be
/// `Send`; what it returns comes back to this thread.
///
/// The pool has 4 threads unless `UV_THREADPOOL_SIZE` says otherwise
/// (read once, by libuv), shared with file-system and DNS requests: long
/// jobs keep those waiting. For work that runs for minutes, use a thread
/// of your own.
///
/// # Cancel safety
///
/// [`Task::cancel`] before a pool thread has taken the job skips it
/// (`uv_cancel`); once it runs, it runs to its end and its result is
/// dropped. Dropping the `Task` detaches it, as for [`spawn`].
///
/// ```
/// use plenary_async as a;
///
/// a::block_on(async {
///     let sum = a::spawn_blocking(|| (1..=1_000_000u64).sum::<u64>());
///     a::util::sleep(1).await; // the loop runs meanwhile
///     assert_eq!(sum.await, Ok(500_000_500_000));
///
///     let failed = a::spawn_blocking(|| -> u8 { panic!("in the pool") });
///     match failed.await {
///         Err(a::JoinError::Panicked { message, .. }) => assert_eq!(message, "in the pool"),
///         other => panic!("{other:?}"),
///     }
/// });
/// ```
#[track_caller]
pub fn spawn_blocking<F, T>(f: F) -> Task<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let location = Location::caller();
    runtime::spawn_queued(
        async move {
            // (The panic travels as a value through the pool, then is
            // resumed here: the task fails with its payload.)
            let job = move || Ok(catch_unwind(AssertUnwindSafe(f)));
            match crate::uv::work::run("spawn_blocking", None, job).await {
                Ok(Ok(v)) => v,
                Ok(Err(payload)) => std::panic::resume_unwind(payload),
                Err(e) => {
                    panic!("plenary_async::spawn_blocking: the thread pool refused the job: {e}")
                }
            }
        },
        location,
    )
}

/// Like [`spawn`], but polls the task once right away, up to its first
/// wait, as plenary's `a.run` starts its coroutine. Called from inside a
/// task (or a task's wake-up), it queues the task like [`spawn`] instead,
/// so tasks never nest.
///
/// ```
/// use plenary_async as a;
/// use std::{cell::Cell, rc::Rc};
///
/// let started = Rc::new(Cell::new(false));
/// let s = started.clone();
/// let task = a::spawn_now(async move {
///     s.set(true); // runs before spawn_now returns
///     a::util::sleep(1).await;
///     7
/// });
/// assert!(started.get());
/// assert_eq!(a::block_on(task), Ok(7));
/// ```
#[track_caller]
pub fn spawn_now<F>(future: F) -> Task<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let location = Location::caller();
    runtime::with_current_executor(|ex| ex.spawn(future, location, true))
}

/// Runs the thread's event loop until `future` completes, and returns its
/// output (plenary's `util.block_on`, without a timeout; see
/// [`util::block_on`](crate::util::block_on) for one).
///
/// Other tasks and libuv callbacks run meanwhile. Only for a standalone
/// runtime, outside any task.
///
/// # Panics
/// When called from inside a task or inside another `block_on` (it would
/// deadlock), or on a runtime attached to a host loop (it would freeze the
/// host). A panic of `future` itself propagates to the caller.
///
/// ```
/// use plenary_async as a;
/// let v = a::block_on(async {
///     a::util::sleep(5).await;
///     "slept"
/// });
/// assert_eq!(v, "slept");
/// ```
pub fn block_on<F: Future>(future: F) -> F::Output {
    runtime::Runtime::current().block_on(future)
}

/// Runs `future` concurrently and calls `callback` with its result when it
/// ends (plenary's `a.run(fn, callback)`, whose callback receives
/// `success, ...`): `Ok(value)`, or `Err` if it panicked or was canceled.
///
/// The callback is called exactly once, also when the task is canceled
/// through the returned handle or dropped at runtime shutdown. A panic in the
/// callback itself is reported to the runtime's error handler.
///
/// ```
/// use plenary_async as a;
/// use std::{cell::RefCell, rc::Rc};
///
/// let got = Rc::new(RefCell::new(None));
/// let sink = got.clone();
/// a::run(async { 21 * 2 }, move |result| *sink.borrow_mut() = Some(result));
/// a::block_on(a::util::scheduler());
/// assert_eq!(*got.borrow(), Some(Ok(42)));
/// ```
#[track_caller]
pub fn run<F, C>(future: F, callback: C) -> Task<()>
where
    F: Future + 'static,
    F::Output: 'static,
    C: FnOnce(Result<F::Output, JoinError>) + 'static,
{
    run_with(future, callback, Location::caller(), false)
}

/// [`run`] with [`spawn_now`]'s start: the task runs at once, up to its
/// first wait, before `run_now` returns (plenary's own order for `a.run`);
/// `callback` gets the result when it ends, exactly once, as with `run`.
/// Called from inside a task, the task is queued instead (tasks never
/// nest).
///
/// ```
/// use plenary_async as a;
/// use std::{cell::RefCell, rc::Rc};
///
/// let log = Rc::new(RefCell::new(Vec::new()));
/// let (l1, l2) = (log.clone(), log.clone());
/// a::run_now(
///     async move {
///         l1.borrow_mut().push("started");
///         a::util::sleep(1).await;
///         7
///     },
///     move |result| l2.borrow_mut().push(if result == Ok(7) { "done" } else { "failed" }),
/// )
/// .detach();
/// assert_eq!(*log.borrow(), ["started"]); // before run_now returned
/// a::block_on(a::util::sleep(20));
/// assert_eq!(*log.borrow(), ["started", "done"]);
/// ```
#[track_caller]
pub fn run_now<F, C>(future: F, callback: C) -> Task<()>
where
    F: Future + 'static,
    F::Output: 'static,
    C: FnOnce(Result<F::Output, JoinError>) + 'static,
{
    run_with(future, callback, Location::caller(), true)
}

fn run_with<F, C>(
    future: F,
    callback: C,
    location: &'static Location<'static>,
    eager: bool,
) -> Task<()>
where
    F: Future + 'static,
    F::Output: 'static,
    C: FnOnce(Result<F::Output, JoinError>) + 'static,
{
    // The guard is made here and moved into the future, so that it exists
    // (and calls back with Canceled when dropped) even if the task is
    // canceled or the runtime shuts down before its first poll.
    let guard = CallOnDrop(Some(callback), PhantomData);
    let body = async move {
        let mut guard = guard;
        let result = Protected::new(future, location).await;
        let callback = guard.0.take().expect("callback present until called");
        call_reporting(callback, result);
    };
    runtime::with_current_executor(|ex| ex.spawn(body, location, eager))
}

/// Calls the callback of `run` with `Err(Canceled)` if the task is dropped
/// before it finished.
struct CallOnDrop<C, T>(Option<C>, PhantomData<fn(T)>)
where
    C: FnOnce(Result<T, JoinError>);

impl<C, T> Drop for CallOnDrop<C, T>
where
    C: FnOnce(Result<T, JoinError>),
{
    fn drop(&mut self) {
        if let Some(callback) = self.0.take() {
            call_reporting(callback, Err(JoinError::Canceled));
        }
    }
}

#[track_caller]
fn call_reporting<T>(callback: impl FnOnce(T), value: T) {
    let location = Location::caller();
    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| callback(value))) {
        report(JoinError::panicked(payload, location));
    }
}

pub(crate) fn report(err: JoinError) {
    let mut err = Some(err);
    if runtime::with_executor(|ex| ex.report(err.take().expect("reported once"))).is_none() {
        if let Some(err) = err {
            eprintln!("plenary_async: {err}");
        }
    }
}

/// Async functions that [`void`] accepts: `Fn(A1, …, An) -> impl Future<Output = ()>`
/// for n from 0 to 6; `Args` is the tuple `(A1, …, An)`.
///
/// ```
/// use plenary_async as a;
/// let log = a::void(|line: String| async move { println!("{line}") });
/// log("hello".to_string());
/// ```
pub trait VoidFn<Args> {
    /// The fire-and-forget function: `Rc<dyn Fn(A1, …, An)>`.
    type Wrapped;
    #[doc(hidden)]
    fn void_at(self, location: &'static Location<'static>) -> Self::Wrapped;
}

macro_rules! impl_void {
    ($($A:ident $a:ident),*) => {
        impl<Func, Fut, $($A: 'static),*> VoidFn<($($A,)*)> for Func
        where
            Func: Fn($($A),*) -> Fut + 'static,
            Fut: Future<Output = ()> + 'static,
        {
            type Wrapped = Rc<dyn Fn($($A),*)>;
            fn void_at(self, location: &'static Location<'static>) -> Self::Wrapped {
                Rc::new(move |$($a),*| {
                    let future = Protected::new(self($($a),*), location);
                    let body = async move {
                        if let Err(err) = future.await {
                            report(err);
                        }
                    };
                    runtime::spawn_queued(body, location).detach();
                })
            }
        }
    };
}

impl_void!();
impl_void!(A1 a1);
impl_void!(A1 a1, A2 a2);
impl_void!(A1 a1, A2 a2, A3 a3);
impl_void!(A1 a1, A2 a2, A3 a3, A4 a4);
impl_void!(A1 a1, A2 a2, A3 a3, A4 a4, A5 a5);
impl_void!(A1 a1, A2 a2, A3 a3, A4 a4, A5 a5, A6 a6);

/// Turns an async function into a fire-and-forget plain function (plenary's
/// `a.void`): calling it starts the async body as a detached task and returns
/// at once. The body returns nothing; a panic inside it is reported to the
/// runtime's error handler (standard error by default) and does not take the
/// loop down.
///
/// ```
/// use plenary_async as a;
/// use std::{cell::Cell, rc::Rc};
///
/// let count = Rc::new(Cell::new(0));
/// let c = count.clone();
/// let bump = a::void(move |by: u32| {
///     let c = c.clone();
///     async move {
///         a::util::scheduler().await;
///         c.set(c.get() + by);
///     }
/// });
/// bump(2);
/// bump(3);
/// assert_eq!(count.get(), 0, "returns at once");
/// a::block_on(async {
///     while count.get() < 5 {
///         a::util::sleep(1).await;
///     }
/// });
/// ```
#[track_caller]
pub fn void<Args, F: VoidFn<Args>>(f: F) -> F::Wrapped {
    f.void_at(Location::caller())
}
