//! [`Handle`]: the `Send` way into a runtime from other threads.
//!
//! A runtime and its tasks live on one thread (tasks may hold `Rc`). Other
//! threads reach it through a `Handle`: [`Handle::spawn`] sends a `Send`
//! closure to the runtime's thread, which calls it there and runs the
//! future it returns as a task (that future need not be `Send`); the
//! [`RemoteTask`] it gives back is `Send`, awaitable on any executor or
//! waited for with [`RemoteTask::wait`].
//!
//! Underneath, the runtime runs one *inbox* task per handle family: a queue
//! of closures behind a mutex, and the inbox task's waker, which is woken
//! from the sending thread (a foreign wake: the runtime's remote queue and
//! its `uv_async_t`); the result comes back through a `Callback`, as a
//! wrapped function's does. When the runtime shuts down, the inbox task is
//! dropped: the closures still queued are dropped unrun and later
//! `spawn`s are refused, so each `RemoteTask` ends with
//! `JoinError::Canceled` instead of waiting for ever.

use crate::wrap::CallbackFuture;
use crate::JoinError;
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe, Location};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};
use std::thread::ThreadId;

type Job = Box<dyn FnOnce() + Send>;

/// The queue between the handles and the runtime's inbox task.
pub(crate) struct Inbox {
    state: Mutex<InboxState>,
    /// The runtime's thread (waiting for a result there would deadlock).
    owner: ThreadId,
}

struct InboxState {
    jobs: VecDeque<Job>,
    /// The inbox task's waker, while it waits for jobs.
    waker: Option<Waker>,
    /// The inbox task is gone (its runtime shut down): no job will run.
    closed: bool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves the state consistent (every
    // critical section is a push, a take or a flag), so poisoning is
    // ignored.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Inbox {
    /// A new inbox, and the task future that serves it on the runtime's
    /// thread (the caller spawns it there).
    pub(crate) fn new() -> (Arc<Inbox>, impl Future<Output = ()> + 'static) {
        let inbox = Arc::new(Inbox {
            state: Mutex::new(InboxState {
                jobs: VecDeque::new(),
                waker: None,
                closed: false,
            }),
            owner: std::thread::current().id(),
        });
        let serve = serve(Closer(inbox.clone()));
        (inbox, serve)
    }
}

/// Closes the inbox when the serving task is dropped (shutdown).
struct Closer(Arc<Inbox>);

impl Drop for Closer {
    fn drop(&mut self) {
        let jobs = {
            let mut st = lock(&self.0.state);
            st.closed = true;
            st.waker = None;
            std::mem::take(&mut st.jobs)
        };
        // Dropped outside the lock: each job drops its result's sender,
        // which wakes (and so may run code of) the thread that waits.
        drop(jobs);
    }
}

/// The inbox task: runs each job the handles send, in order.
async fn serve(closer: Closer) {
    std::future::poll_fn(|cx| loop {
        let jobs = {
            let mut st = lock(&closer.0.state);
            if st.jobs.is_empty() {
                match &st.waker {
                    Some(w) if w.will_wake(cx.waker()) => {}
                    _ => st.waker = Some(cx.waker().clone()),
                }
                return Poll::<()>::Pending;
            }
            std::mem::take(&mut st.jobs)
        };
        // A job catches its own panics (see `Handle::spawn`).
        jobs.into_iter().for_each(|job| job());
    })
    .await
}

/// A `Send` and `Sync` handle to a runtime, for other threads
/// ([`Runtime::handle`](crate::Runtime::handle); tokio's `Handle`). Cheap to
/// clone.
///
/// A runtime and its tasks live on one thread (tasks may hold `Rc`).
/// [`Handle::spawn`] sends a `Send` closure to the runtime's thread, which
/// calls it there and runs the future it returns as a task (that future
/// need not be `Send`); the [`RemoteTask`] it gives back is `Send`,
/// awaitable on any executor or waited for with [`RemoteTask::wait`]. The
/// work runs when the runtime's thread runs the runtime (`block_on`, or the
/// host's loop); once the runtime has shut down, work is refused and ends
/// `JoinError::Canceled`.
///
/// ```
/// use plenary_async as a;
/// use std::rc::Rc;
///
/// let handle = a::Runtime::current().handle();
/// let (done, result) = a::Callback::pair();
/// std::thread::spawn(move || {
///     // On another thread: the future runs on the runtime's, so it may
///     // hold an `Rc`.
///     let task = handle.spawn(|| async {
///         let shared = Rc::new(20);
///         a::util::sleep(1).await;
///         *shared + 22
///     });
///     done.call(task.wait());
/// });
/// // This thread runs the runtime meanwhile.
/// assert_eq!(a::block_on(result), Ok(Ok(42)));
/// ```
#[derive(Clone)]
pub struct Handle {
    inbox: Arc<Inbox>,
}

impl Handle {
    pub(crate) fn new(inbox: Arc<Inbox>) -> Handle {
        Handle { inbox }
    }

    /// Sends `f` to the runtime's thread, which calls it and runs the
    /// future it returns as a task. The work starts when that thread next
    /// runs the runtime (in `block_on`, or on the host's loop). A panic in
    /// `f` or in the future is the task's `JoinError::Panicked`; a runtime
    /// that has shut down (or does so first) gives `JoinError::Canceled`.
    ///
    /// Dropping the [`RemoteTask`] detaches the work, as dropping a
    /// [`Task`](crate::Task) does.
    ///
    /// ```
    /// use plenary_async as a;
    /// let handle = a::Runtime::current().handle();
    /// let (done, result) = a::Callback::pair();
    /// std::thread::spawn(move || done.call(handle.spawn(|| async { panic!("no") }).wait()));
    /// let err = a::block_on(result).unwrap().unwrap_err();
    /// assert_eq!(err.panic_message(), Some("no"));
    /// ```
    #[track_caller]
    pub fn spawn<F, Fut>(&self, f: F) -> RemoteTask<Fut::Output>
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future + 'static,
        Fut::Output: Send + 'static,
    {
        let location = Location::caller();
        // The result travels back in a callback slot (`wrap`'s, which is
        // `Send`); a job or task dropped before it calls ends the wait.
        let (sender, result) = crate::Callback::pair_at(location);
        let job: Job = Box::new(move || match catch_unwind(AssertUnwindSafe(f)) {
            Err(payload) => sender.call(Err(JoinError::panicked(payload, location))),
            Ok(future) => {
                let protected = crate::util::Protected::new(future, location);
                crate::runtime::spawn_queued(async move { sender.call(protected.await) }, location)
                    .detach();
            }
        });
        let waker = {
            let mut st = lock(&self.inbox.state);
            if st.closed {
                None
            } else {
                st.jobs.push_back(job);
                st.waker.take()
            }
        };
        // (A refused job was dropped above: its sender ends the task
        // `Canceled`.) Woken outside the lock: a foreign wake takes the
        // runtime's remote lock.
        if let Some(w) = waker {
            w.wake();
        }
        RemoteTask {
            result,
            owner: self.inbox.owner,
        }
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("closed", &lock(&self.inbox.state).closed)
            .finish()
    }
}

/// The result of [`Handle::spawn`]: a `Send` future of
/// `Result<T, JoinError>`, awaitable on any thread and any executor, or
/// [`wait`](RemoteTask::wait)ed for. Dropping it detaches the work.
///
/// # Cancel safety
///
/// Dropping the future loses only the result: the work runs on.
#[must_use = "dropping a RemoteTask detaches the work; await it or `wait()`"]
pub struct RemoteTask<T> {
    result: CallbackFuture<Result<T, JoinError>>,
    /// The runtime's thread (waiting for the result there would deadlock).
    owner: ThreadId,
}

/// Wakes a thread blocked in [`RemoteTask::wait`].
struct Unpark(std::thread::Thread);

impl std::task::Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

impl<T> RemoteTask<T> {
    /// Blocks this thread until the result is there.
    ///
    /// # Panics
    ///
    /// On the runtime's own thread, which would never run the work while it
    /// blocks.
    ///
    /// ```
    /// use plenary_async as a;
    /// let handle = a::Runtime::current().handle();
    /// a::Runtime::current().uninstall(); // shuts it down: nothing will run
    /// let task = std::thread::spawn(move || handle.spawn(|| async { 1 }).wait());
    /// assert_eq!(task.join().unwrap(), Err(a::JoinError::Canceled));
    /// ```
    #[track_caller]
    pub fn wait(mut self) -> Result<T, JoinError> {
        assert!(
            std::thread::current().id() != self.owner,
            "plenary_async: RemoteTask::wait on the runtime's own thread would never return (await the task there instead)"
        );
        let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
        let mut cx = Context::from_waker(&waker);
        loop {
            if let Poll::Ready(result) = Pin::new(&mut self).poll(&mut cx) {
                return result;
            }
            std::thread::park();
        }
    }
}

impl<T> Future for RemoteTask<T> {
    type Output = Result<T, JoinError>;

    /// # Panics
    ///
    /// If polled again after it gave a value.
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.result).poll(cx).map(|r| match r {
            Ok(output) => output,
            // The job or its task was dropped unrun: the runtime shut down.
            Err(_dropped) => Err(JoinError::Canceled),
        })
    }
}

impl<T> fmt::Debug for RemoteTask<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteTask").finish_non_exhaustive()
    }
}
