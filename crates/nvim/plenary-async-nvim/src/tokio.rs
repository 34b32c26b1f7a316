//! The bridge to tokio, for the crates that need its reactor (reqwest,
//! sqlx, tonic …). Feature `tokio`.
//!
//! [`spawn`] runs a `Send` future on one background tokio runtime shared by
//! the plugin (a multi-threaded runtime with two worker threads, created on
//! first use, shut down when Neovim exits) and returns a future of its
//! output that a task on Neovim's loop awaits. The result travels back as a
//! wake from a tokio thread (the runtime's remote queue and its
//! `uv_async_t`), and the awaiting task resumes in the next `vim.schedule`
//! tick, where Neovim's API may be used. Dropping the returned
//! [`TokioTask`] detaches the tokio task (it runs on), as dropping a
//! `plenary_async::Task` or tokio's `JoinHandle` does; [`TokioTask::cancel`]
//! aborts it, and [`TokioTask::cancel_on_drop`] makes dropping abort it.
//!
//! Everything else (files, processes, sockets, timers) is better done with
//! `plenary_async` itself, on Neovim's own loop, without a second thread.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};

/// The shared runtime: `None` before first use; [`CLOSED`] after Neovim
/// began to exit.
static RUNTIME: Mutex<State> = Mutex::new(State::Unused);

enum State {
    Unused,
    Running(tokio::runtime::Runtime),
    Closed,
}

/// The handle of the shared background runtime, created on first use.
///
/// # Errors
/// [`JoinError::is_shut_down`] once Neovim began to exit, or if the
/// runtime's threads cannot be started.
///
/// ```no_run
/// let handle = plenary_async_nvim::tokio::handle().unwrap();
/// let _guard = handle.enter(); // e.g. to build a client that needs a reactor
/// ```
pub fn handle() -> Result<tokio::runtime::Handle, JoinError> {
    let mut state = RUNTIME.lock().unwrap_or_else(|p| p.into_inner());
    if let State::Unused = *state {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("plenary-async-nvim-tokio")
            .enable_all()
            .build()
            .map_err(|e| JoinError(Kind::Start(e.to_string())))?;
        *state = State::Running(runtime);
    }
    match &*state {
        State::Running(runtime) => Ok(runtime.handle().clone()),
        _ => Err(JoinError(Kind::ShutDown)),
    }
}

/// Shuts the shared runtime down (Neovim is exiting): its tasks are
/// dropped, waiting at most 100 ms for them.
pub(crate) fn shut_down() {
    let previous = {
        let mut state = RUNTIME.lock().unwrap_or_else(|p| p.into_inner());
        std::mem::replace(&mut *state, State::Closed)
    };
    if let State::Running(runtime) = previous {
        runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    }
}

/// Runs `future` on the shared background tokio runtime; the returned
/// [`TokioTask`] completes with its output on Neovim's loop.
///
/// # Cancel safety
/// Dropping the `TokioTask` detaches the tokio task: it runs on, its
/// output dropped. Use [`TokioTask::cancel_on_drop`] for work that should
/// stop with whoever awaits it (a request whose awaiting task is canceled).
///
/// ```no_run
/// use plenary_async as a;
/// use plenary_async_nvim as nvim;
///
/// a::spawn(async {
///     let n = nvim::tokio::spawn(async {
///         tokio::time::sleep(std::time::Duration::from_millis(5)).await;
///         42
///     })
///     .await
///     .unwrap();
///     assert_eq!(n, 42); // back on Neovim's loop
/// })
/// .detach();
/// ```
pub fn spawn<F>(future: F) -> TokioTask<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    match handle() {
        Ok(handle) => TokioTask {
            handle: Ok(handle.spawn(future)),
            cancel_on_drop: false,
        },
        Err(e) => TokioTask {
            handle: Err(Some(e)),
            cancel_on_drop: false,
        },
    }
}

/// A tokio task awaited on Neovim's loop (see [`spawn`]). Dropping it
/// detaches the tokio task, unless [`cancel_on_drop`](TokioTask::cancel_on_drop)
/// was asked for.
///
/// ```no_run
/// # async fn f() {
/// let task: plenary_async_nvim::tokio::TokioTask<u8> =
///     plenary_async_nvim::tokio::spawn(async { 1 });
/// drop(task); // the tokio task runs on
/// # }
/// ```
#[must_use = "dropping a TokioTask detaches the tokio task; await it, or `.cancel()` it"]
pub struct TokioTask<T> {
    handle: Result<tokio::task::JoinHandle<T>, Option<JoinError>>,
    cancel_on_drop: bool,
}

impl<T> TokioTask<T> {
    /// Aborts the tokio task (at its next await); awaiting this handle then
    /// gives an error whose [`is_canceled`](JoinError::is_canceled) is true,
    /// unless the task had finished. The verb of `plenary_async::Task::cancel`.
    ///
    /// ```no_run
    /// # async fn f() {
    /// let task = plenary_async_nvim::tokio::spawn(std::future::pending::<()>());
    /// task.cancel();
    /// assert!(task.await.unwrap_err().is_canceled());
    /// # }
    /// ```
    #[doc(alias = "abort")]
    pub fn cancel(&self) {
        if let Ok(handle) = &self.handle {
            handle.abort();
        }
    }

    /// Makes dropping this handle abort the tokio task (tokio-util's
    /// `AbortOnDropHandle`): for work that should stop with the task that
    /// awaits it, such as a request whose awaiting task is canceled.
    ///
    /// ```no_run
    /// # async fn f() {
    /// let task = plenary_async_nvim::tokio::spawn(std::future::pending::<()>()).cancel_on_drop();
    /// drop(task); // the tokio task is aborted
    /// # }
    /// ```
    pub fn cancel_on_drop(mut self) -> TokioTask<T> {
        self.cancel_on_drop = true;
        self
    }
}

impl<T> Future for TokioTask<T> {
    type Output = Result<T, JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.handle {
            Ok(handle) => Pin::new(handle).poll(cx).map_err(|e| {
                JoinError(if e.is_cancelled() {
                    Kind::Canceled
                } else {
                    Kind::Panicked(crate::error::panic_message(&*e.into_panic()))
                })
            }),
            Err(e) => Poll::Ready(Err(e.take().expect("TokioTask polled after completion"))),
        }
    }
}

impl<T> Drop for TokioTask<T> {
    fn drop(&mut self) {
        if self.cancel_on_drop {
            self.cancel();
        }
    }
}

/// Why a [`TokioTask`] has no output.
///
/// ```no_run
/// # async fn f() {
/// match plenary_async_nvim::tokio::spawn(async { 1 }).await {
///     Ok(n) => println!("{n}"),
///     Err(e) => eprintln!("{e}"), // "the tokio task panicked: …"
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinError(Kind);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Canceled,
    Panicked(String),
    ShutDown,
    Start(String),
}

impl JoinError {
    /// The tokio task was aborted (or its runtime shut down under it).
    ///
    /// ```no_run
    /// # async fn f() {
    /// let handle = plenary_async_nvim::tokio::handle().unwrap();
    /// let task = handle.spawn(std::future::pending::<()>());
    /// task.abort();
    /// assert!(task.await.unwrap_err().is_cancelled()); // tokio's own error
    /// // A TokioTask reports the same as `is_canceled()`.
    /// # }
    /// ```
    pub fn is_canceled(&self) -> bool {
        self.0 == Kind::Canceled
    }

    /// The tokio task panicked.
    ///
    /// ```no_run
    /// # async fn f() {
    /// let r = plenary_async_nvim::tokio::spawn(async { panic!("boom") }).await;
    /// assert!(r.unwrap_err().is_panic());
    /// # }
    /// ```
    pub fn is_panic(&self) -> bool {
        matches!(self.0, Kind::Panicked(_))
    }

    /// The shared runtime is shut down (Neovim is exiting) or could not
    /// start.
    ///
    /// ```no_run
    /// # fn f(e: plenary_async_nvim::tokio::JoinError) {
    /// if e.is_shut_down() { /* Neovim is exiting */ }
    /// # }
    /// ```
    pub fn is_shut_down(&self) -> bool {
        matches!(self.0, Kind::ShutDown | Kind::Start(_))
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Kind::Canceled => f.write_str("the tokio task was canceled"),
            Kind::Panicked(m) => write!(f, "the tokio task panicked: {m}"),
            Kind::ShutDown => f.write_str("the tokio runtime is shut down (Neovim is exiting)"),
            Kind::Start(e) => write!(f, "the tokio runtime could not start: {e}"),
        }
    }
}

impl std::error::Error for JoinError {}
