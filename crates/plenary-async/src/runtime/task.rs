//! Tasks: the future wrapper every spawned future runs in, and [`Task`], the
//! handle that awaits or cancels it.

use super::context::with_executor;
use crate::JoinError;
use std::fmt;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe, Location};
use std::pin::Pin;
use std::task::{Context, Poll};

/// What the task cell stores and polls: the user's future, with the panic
/// boundary and its entry in the executor's registry of waiting tasks.
pub(super) struct TaskFuture<F> {
    /// `None` once finished; dropped in place (it is pinned).
    fut: Option<F>,
    location: &'static Location<'static>,
    /// The registry entry, made the first time the future waits (a task
    /// that ends at its first poll never needs one: shutdown finds queued
    /// tasks in the queue), with the remote of the executor that holds it
    /// (only that executor's registry may be told the task ended).
    key: Option<(usize, *const super::remote::Remote)>,
}

impl<F: Future> TaskFuture<F> {
    pub(super) fn new(fut: F, location: &'static Location<'static>) -> Self {
        TaskFuture {
            fut: Some(fut),
            location,
            key: None,
        }
    }
}

impl<F> TaskFuture<F> {
    /// Drops the user's future in place; a panic in its destructor is caught
    /// and reported rather than unwound into the executor (or into C).
    fn drop_future(&mut self) -> Result<(), JoinError> {
        let location = self.location;
        catch_unwind(AssertUnwindSafe(|| self.fut = None))
            .map_err(|payload| JoinError::panicked(payload, location))
    }
}

impl<F: Future> Future for TaskFuture<F> {
    type Output = Result<F::Output, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `fut` is structurally pinned: it is never moved out, only
        // polled through this pin or dropped in place (`drop_future`).
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: as above.
        let fut =
            unsafe { Pin::new_unchecked(this.fut.as_mut().expect("task polled after completion")) };
        let result = match catch_unwind(AssertUnwindSafe(|| fut.poll(cx))) {
            Ok(Poll::Pending) => {
                if this.key.is_none() {
                    this.key = with_executor(|ex| {
                        (ex.register(cx.waker()), std::sync::Arc::as_ptr(ex.remote()))
                    });
                }
                return Poll::Pending;
            }
            Ok(Poll::Ready(value)) => Ok(value),
            Err(payload) => Err(JoinError::panicked(payload, this.location)),
        };
        let dropped = this.drop_future();
        Poll::Ready(result.and_then(|v| dropped.map(|()| v)))
    }
}

impl<F> Drop for TaskFuture<F> {
    fn drop(&mut self) {
        if self.fut.is_some() {
            if let Err(err) = self.drop_future() {
                with_executor(|ex| ex.report(err));
            }
        }
        if let Some((key, remote)) = self.key {
            forget(key, remote);
        }
    }
}

/// The task of registry entry `key` ended. Dropped while another runtime
/// is current (canceled from its code), the entry stays in its own
/// registry, which drops it at shutdown, rather than removing another
/// task's entry here.
#[cold]
fn forget(key: usize, remote: *const super::remote::Remote) {
    if super::context::is_current_remote(remote) {
        with_executor(|ex| ex.forget_task(key));
    }
}

impl<T> super::cell::Unclaimed for Result<T, JoinError> {
    /// A detached task that panicked: nobody will await the panic, so it
    /// goes to the error handler (in Neovim, to its error messages).
    fn unclaimed(self) {
        if let Err(err) = self {
            with_executor(|ex| ex.report(err));
        }
    }
}

enum HandleState<T> {
    Running(super::executor::RawTask<Result<T, JoinError>>),
    Canceled,
    Done,
}

/// A handle to a spawned task: a future of the task's result.
///
/// Awaiting it gives `Ok(value)`, or `Err(`[`JoinError::Canceled`]`)` if the task
/// was canceled, or `Err(`[`JoinError::Panicked`]`)` if it panicked. Dropping the
/// handle detaches the task: it keeps running, and if it then panics the
/// panic goes to the runtime's error handler
/// ([`Runtime::set_error_handler`](crate::Runtime::set_error_handler)).
/// `Task` is `!Send`, like the runtime it belongs to.
///
/// ```
/// use plenary_async as a;
///
/// a::block_on(async {
///     let task = a::spawn(async { 6 * 7 });
///     assert_eq!(task.await, Ok(42));
///
///     let forever = a::spawn(std::future::pending::<()>());
///     forever.cancel();
///     assert_eq!(forever.await, Err(a::JoinError::Canceled));
/// });
/// ```
#[must_use = "a Task does nothing when dropped but detach; await it or call .detach()"]
pub struct Task<T> {
    state: HandleState<T>,
}

impl<T> Task<T> {
    pub(super) fn new(task: super::executor::RawTask<Result<T, JoinError>>) -> Self {
        Task {
            state: HandleState::Running(task),
        }
    }

    pub(super) fn canceled() -> Self {
        Task {
            state: HandleState::Canceled,
        }
    }

    /// Cancels the task: its future is dropped before `cancel` returns (its
    /// destructors run now), and awaiting this handle gives
    /// `Err(`[`JoinError::Canceled`]`)`. A task that already finished keeps its
    /// result. A task that cancels its own handle from inside its body is
    /// dropped as soon as its current poll returns. (The same verb, on
    /// `&self`, as [`AbortHandle::cancel`]; dropping a `Task` detaches it,
    /// it does not cancel.)
    ///
    /// ```
    /// use plenary_async as a;
    /// use std::{cell::Cell, rc::Rc};
    ///
    /// struct Flag(Rc<Cell<bool>>);
    /// impl Drop for Flag {
    ///     fn drop(&mut self) { self.0.set(true) }
    /// }
    ///
    /// a::block_on(async {
    ///     let dropped = Rc::new(Cell::new(false));
    ///     let flag = Flag(dropped.clone());
    ///     let task = a::spawn(async move {
    ///         let _flag = flag;
    ///         a::util::sleep(60_000).await;
    ///     });
    ///     a::util::scheduler().await; // let it start and wait on its timer
    ///     task.cancel();
    ///     assert!(dropped.get(), "destructors ran inside cancel()");
    ///     assert!(task.await.unwrap_err().is_canceled());
    /// });
    /// ```
    pub fn cancel(&self) {
        let HandleState::Running(task) = &self.state else {
            return;
        };
        if task.is_finished() {
            return;
        }
        // (The handle stays `Running`: its poll finds the output gone and
        // gives `Canceled`.)
        task.cancel();
    }

    /// Whether the task has finished (completed, panicked or been canceled).
    ///
    /// ```
    /// use plenary_async as a;
    /// a::block_on(async {
    ///     let task = a::spawn(async {});
    ///     assert!(!task.is_finished());
    ///     a::util::scheduler().await;
    ///     assert!(task.is_finished());
    /// });
    /// ```
    pub fn is_finished(&self) -> bool {
        match &self.state {
            HandleState::Running(task) => task.is_finished(),
            HandleState::Canceled | HandleState::Done => true,
        }
    }

    /// A handle that cancels this task from elsewhere (a scope closing its
    /// children, a timeout), while this `Task` keeps awaiting it: after
    /// [`AbortHandle::abort`], awaiting the `Task` gives
    /// `Err(`[`JoinError::Canceled`]`)`. A task that already finished keeps its
    /// result.
    ///
    /// ```
    /// use plenary_async as a;
    /// a::block_on(async {
    ///     let task = a::spawn(std::future::pending::<()>());
    ///     let abort = task.abort_handle();
    ///     a::spawn(async move { abort.cancel() }).detach();
    ///     assert_eq!(task.await, Err(a::JoinError::Canceled));
    /// });
    /// ```
    pub fn abort_handle(&self) -> AbortHandle {
        AbortHandle {
            task: match &self.state {
                HandleState::Running(task) => Some(task.abort_handle()),
                HandleState::Canceled | HandleState::Done => None,
            },
        }
    }

    /// Lets the task run on without a handle (what dropping the `Task` does).
    ///
    /// ```
    /// use plenary_async as a;
    /// a::block_on(async {
    ///     let (tx, rx) = std::sync::mpsc::channel();
    ///     a::spawn(async move { tx.send(1).unwrap() }).detach();
    ///     a::util::scheduler().await;
    ///     assert_eq!(rx.try_recv(), Ok(1));
    /// });
    /// ```
    pub fn detach(self) {
        drop(self)
    }
}

impl<T> Future for Task<T> {
    type Output = Result<T, JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let result = match &mut self.state {
            HandleState::Running(task) => match task.poll_output(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(result)) => result,
                Poll::Ready(None) => Err(JoinError::Canceled),
            },
            HandleState::Canceled => Err(JoinError::Canceled),
            HandleState::Done => panic!("plenary_async::Task polled after it returned its result"),
        };
        self.state = HandleState::Done;
        Poll::Ready(result)
    }
}

/// Terminated once it has given its result (polling it again panics).
///
/// ```
/// use futures_core::future::FusedFuture;
/// use plenary_async as a;
/// a::block_on(async {
///     let mut task = a::spawn(async { 1 });
///     assert!(!task.is_terminated());
///     assert_eq!((&mut task).await, Ok(1));
///     assert!(task.is_terminated());
/// });
/// ```
impl<T> futures_core::future::FusedFuture for Task<T> {
    fn is_terminated(&self) -> bool {
        matches!(self.state, HandleState::Done)
    }
}

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        if let HandleState::Running(task) = std::mem::replace(&mut self.state, HandleState::Done) {
            task.detach();
        }
    }
}

/// Cancels a task from elsewhere than its [`Task`] handle
/// ([`Task::abort_handle`]). Not `Send`: it belongs to the task's thread.
///
/// ```
/// use plenary_async as a;
/// a::block_on(async {
///     let task = a::spawn(async { 5 });
///     let abort = task.abort_handle();
///     assert_eq!(task.await, Ok(5));
///     assert!(abort.is_finished());
///     abort.cancel(); // too late: does nothing
/// });
/// ```
pub struct AbortHandle {
    task: Option<super::cell::AbortRef>,
}

impl AbortHandle {
    /// Cancels the task: its future is dropped now (or right after its
    /// current poll, if it is running), and its `Task` gives
    /// `Err(`[`JoinError::Canceled`]`)`. Does nothing once it finished.
    ///
    /// ```
    /// use plenary_async as a;
    /// a::block_on(async {
    ///     let task = a::spawn(a::util::sleep(60_000));
    ///     task.abort_handle().cancel();
    ///     assert!(task.await.unwrap_err().is_canceled());
    /// });
    /// ```
    pub fn cancel(&self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }

    /// The old name of [`cancel`](Self::cancel).
    #[deprecated(
        since = "0.2.0",
        note = "renamed `cancel`: one verb for cancelling, as on `Task`"
    )]
    pub fn abort(&self) {
        self.cancel()
    }

    /// Whether the task has finished (completed, panicked or been canceled).
    ///
    /// ```
    /// use plenary_async as a;
    /// a::block_on(async {
    ///     let task = a::spawn(std::future::pending::<()>());
    ///     let abort = task.abort_handle();
    ///     assert!(!abort.is_finished());
    ///     abort.cancel();
    ///     assert!(abort.is_finished());
    /// });
    /// ```
    pub fn is_finished(&self) -> bool {
        self.task.as_ref().is_none_or(|t| t.is_finished())
    }
}

impl fmt::Debug for AbortHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbortHandle")
            .field("finished", &self.is_finished())
            .finish()
    }
}

impl<T> fmt::Debug for Task<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Task")
            .field("finished", &self.is_finished())
            .finish()
    }
}
