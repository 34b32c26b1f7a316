//! [`Runtime`]: the public handle to this thread's runtime.

use super::context;
use super::driver::Driving;
use super::{Inner, Task};
use crate::JoinError;
use std::ffi::c_void;
use std::future::Future;
use std::panic::Location;
use std::rc::Rc;

/// A handle to this thread's runtime.
///
/// Each thread has at most one. The first use of the runtime on a thread
/// (`spawn`, `block_on`, `sleep`, …) creates a standalone one with a libuv
/// loop of its own; [`Runtime::attach`] instead puts it on a loop that a host
/// (Neovim) already runs. `Runtime` is neither `Send` nor `Sync`: it belongs to
/// its thread.
///
/// ```
/// use plenary_async as a;
///
/// let rt = a::Runtime::current();
/// assert!(!rt.is_attached());
/// assert_eq!(rt.block_on(async { 1 + 1 }), 2);
/// ```
#[derive(Clone)]
pub struct Runtime {
    inner: Rc<Inner>,
}

impl Drop for Runtime {
    fn drop(&mut self) {
        if Rc::strong_count(&self.inner) == 1 {
            // The last handle: shut down while the `Inner` is only shared
            // (see `Inner::shut_down`), entered, so that the destructors of
            // its tasks find this runtime (and get canceled tasks if they
            // spawn) even if it is no longer the thread's. The `Enter`
            // holds a second handle, so its own drop does not come here.
            let _enter = context::enter(self.clone());
            self.inner.shut_down();
        }
    }
}

impl Runtime {
    pub(super) fn from_inner(inner: Rc<Inner>) -> Runtime {
        Runtime { inner }
    }

    pub(super) fn inner(&self) -> &Rc<Inner> {
        &self.inner
    }

    /// This thread's runtime, created (standalone, with its own loop) if the
    /// thread has none yet.
    ///
    /// ```
    /// let a = plenary_async::Runtime::current();
    /// let b = plenary_async::Runtime::current();
    /// assert_eq!(a.loop_ptr(), b.loop_ptr());
    /// ```
    pub fn current() -> Runtime {
        context::current()
    }

    /// Attaches this thread's runtime to a libuv loop owned by a host, which
    /// keeps running it. Queued tasks are polled from a `uv_idle_t` callback on
    /// that loop, at most [`budget`](Runtime::budget) of them per loop
    /// iteration; nothing ever blocks the loop. [`block_on`](crate::block_on)
    /// panics on an attached runtime.
    ///
    /// # Safety
    /// `loop_ptr` must point to a live, initialised `uv_loop_t` of the libuv
    /// this process uses (a [`Loop`](super::Loop)'s, or a host's such as
    /// Neovim's), that is run on this thread and outlives the
    /// runtime (call [`uninstall`](Runtime::uninstall) before the host closes it).
    ///
    /// # Panics
    /// If this thread already has a runtime, or (`host-libuv`) if the host
    /// process exports no libuv ([`check_libuv`](super::check_libuv) says
    /// so without panicking).
    ///
    /// ```
    /// use plenary_async as a;
    /// use std::{cell::Cell, rc::Rc};
    ///
    /// // A host: a thread that owns and runs a libuv loop (Neovim, in real use).
    /// std::thread::spawn(|| {
    ///     let host = a::runtime::Loop::new().unwrap();
    ///     // SAFETY: the loop is live, run on this thread, and outlives the runtime.
    ///     let rt = unsafe { a::Runtime::attach(host.as_ptr()) };
    ///     let done = Rc::new(Cell::new(false));
    ///     let d = done.clone();
    ///     a::spawn(async move {
    ///         a::util::sleep(5).await;
    ///         d.set(true);
    ///     })
    ///     .detach();
    ///     host.run(); // the host's loop; returns when idle
    ///     assert!(done.get());
    ///
    ///     rt.uninstall(); // before the host closes its loop
    ///     host.close().unwrap(); // the runtime's handles close, then the loop
    /// })
    /// .join()
    /// .unwrap();
    /// ```
    pub unsafe fn attach(loop_ptr: *mut c_void) -> Runtime {
        super::require_libuv();
        // SAFETY: the caller's contract.
        let inner = unsafe { Inner::build(loop_ptr.cast(), None, Driving::Idle) };
        let rt = Runtime { inner };
        context::install(rt.clone());
        rt
    }

    /// Like [`attach`](Runtime::attach), but the host decides when tasks run:
    /// `notify` is called (on this thread) whenever work becomes ready, and the
    /// host must then call [`tick`](Runtime::tick) soon, from a context of its
    /// choosing (Neovim: a `vim.schedule` callback, where its API may be
    /// called). `notify` must not poll tasks itself; it is called at most once
    /// until the next `tick`.
    ///
    /// # Safety
    /// As for [`attach`](Runtime::attach).
    ///
    /// ```
    /// use plenary_async as a;
    /// use std::{cell::Cell, rc::Rc};
    ///
    /// std::thread::spawn(|| {
    ///     let host = a::runtime::Loop::new().unwrap();
    ///     // The host only records that work is ready, and ticks later.
    ///     let ready = Rc::new(Cell::new(false));
    ///     let r = ready.clone();
    ///     // SAFETY: the loop is live, run on this thread, and outlives the runtime.
    ///     let rt = unsafe { a::Runtime::attach_with(host.as_ptr(), move || r.set(true)) };
    ///     let task = a::spawn(async { 6 * 7 });
    ///     assert!(ready.get()); // notified, nothing ran yet
    ///     rt.tick();
    ///     assert!(task.is_finished());
    ///
    ///     drop(task);
    ///     rt.uninstall();
    ///     host.close().unwrap();
    /// })
    /// .join()
    /// .unwrap();
    /// ```
    pub unsafe fn attach_with(loop_ptr: *mut c_void, notify: impl Fn() + 'static) -> Runtime {
        super::require_libuv();
        // SAFETY: the caller's contract.
        let inner = unsafe { Inner::build(loop_ptr.cast(), None, Driving::Hook(Box::new(notify))) };
        let rt = Runtime { inner };
        context::install(rt.clone());
        rt
    }

    /// Removes the runtime from this thread. When the last handle to it is
    /// dropped, every task still alive is dropped (its destructors run) and the
    /// runtime's libuv handles are closed; a loop it owns is closed and freed.
    /// The next use on the thread creates a fresh standalone runtime, also
    /// while other handles keep this one alive (they can still `tick` and
    /// `block_on` it; its tasks are woken as from another thread). Called
    /// from this runtime's own task code or callbacks, the runtime stays
    /// current for that code until it returns (a `sleep` after the
    /// `uninstall` still runs on this runtime), and alive until then even if
    /// that was its last handle.
    ///
    /// ```
    /// let rt = plenary_async::Runtime::current();
    /// let task = rt.spawn(std::future::pending::<()>());
    /// rt.uninstall(); // the pending task is dropped with the runtime
    /// assert_eq!(plenary_async::block_on(task), Err(plenary_async::JoinError::Canceled));
    /// ```
    pub fn uninstall(self) {
        // The thread stops pointing here before the slot's handle goes.
        // Called from this runtime's own task code (or a callback), the
        // runtime stays current until that code returns to it.
        drop(context::uninstall(&self.inner));
    }

    /// The former name of [`uninstall`](Runtime::uninstall).
    #[deprecated(
        since = "0.1.0",
        note = "renamed `uninstall`: `detach` is `Task`'s verb (let a task run on without its handle)"
    )]
    pub fn detach(self) {
        self.uninstall();
    }

    /// Polls up to [`budget`](Runtime::budget) ready tasks and returns whether
    /// more are ready. Standalone runtimes and `attach` call it themselves; a
    /// host that used [`attach_with`](Runtime::attach_with) calls it after
    /// each notification. Calling it from inside a task does nothing.
    ///
    /// ```
    /// use plenary_async as a;
    /// let rt = a::Runtime::current();
    /// let task = rt.spawn(async { 7 });
    /// while rt.tick() {}
    /// assert!(task.is_finished());
    /// ```
    pub fn tick(&self) -> bool {
        let _enter = context::enter(self.clone());
        self.inner.tick()
    }

    /// Runs `future` to completion on this runtime (see [`block_on`](crate::block_on)).
    ///
    /// ```
    /// let rt = plenary_async::Runtime::current();
    /// assert_eq!(rt.block_on(async { "done" }), "done");
    /// ```
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let _enter = context::enter(self.clone());
        self.inner.block_on(future)
    }

    /// Spawns a task on this runtime (see [`spawn`](crate::spawn)).
    ///
    /// ```
    /// let rt = plenary_async::Runtime::current();
    /// let task = rt.spawn(async { 40 + 2 });
    /// assert_eq!(rt.block_on(task), Ok(42));
    /// ```
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> Task<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.inner.spawn(future, Location::caller())
    }

    /// A `Send` handle to this runtime, for other threads: they hand it
    /// work with [`Handle::spawn`](crate::runtime::Handle::spawn), which
    /// runs on this runtime's thread (tokio's `Handle`; see
    /// [`runtime::Handle`](crate::runtime::Handle)).
    ///
    /// ```
    /// use plenary_async as a;
    /// let handle = a::Runtime::current().handle();
    /// let (done, answer) = a::Callback::pair();
    /// std::thread::spawn(move || done.call(handle.spawn(|| async { 6 * 7 }).wait()));
    /// assert_eq!(a::block_on(answer), Ok(Ok(42)));
    /// ```
    pub fn handle(&self) -> crate::runtime::Handle {
        crate::runtime::Handle::new(self.inner.inbox())
    }

    /// Whether the runtime runs on a host's loop ([`attach`](Runtime::attach)).
    ///
    /// ```
    /// assert!(!plenary_async::Runtime::current().is_attached());
    /// ```
    pub fn is_attached(&self) -> bool {
        self.inner.owned_loop.is_none()
    }

    /// The `uv_loop_t*` the runtime runs on.
    ///
    /// ```
    /// assert!(!plenary_async::Runtime::current().loop_ptr().is_null());
    /// ```
    pub fn loop_ptr(&self) -> *mut c_void {
        self.inner.loop_.cast()
    }

    /// How many tasks one [`tick`](Runtime::tick) polls at most before control
    /// returns to the loop ([`DEFAULT_BUDGET`](super::DEFAULT_BUDGET) unless changed).
    ///
    /// ```
    /// assert_eq!(plenary_async::Runtime::current().budget(), plenary_async::runtime::DEFAULT_BUDGET);
    /// ```
    pub fn budget(&self) -> usize {
        self.inner.executor().budget()
    }

    /// Sets the per-tick budget. Smaller keeps a host more responsive; larger
    /// amortises the loop's overhead over more tasks.
    ///
    /// # Panics
    /// If `budget` is zero (no task would ever run).
    ///
    /// ```
    /// let rt = plenary_async::Runtime::current();
    /// rt.set_budget(32);
    /// assert_eq!(rt.budget(), 32);
    /// ```
    pub fn set_budget(&self, budget: usize) {
        assert!(
            budget > 0,
            "plenary_async: Runtime::set_budget(0) would never run a task"
        );
        self.inner.executor().set_budget(budget);
    }

    /// Sets what happens to errors that no caller can receive: a panic in a
    /// [`void`](crate::void) function, in a [`run`](crate::run) callback, or in
    /// a task whose [`Task`] handle was dropped before it finished. The
    /// handler owns each error (a panic's payload can be resumed from it).
    /// The default prints them to standard error.
    ///
    /// ```
    /// use plenary_async as a;
    /// use std::{cell::RefCell, rc::Rc};
    ///
    /// let seen = Rc::new(RefCell::new(Vec::new()));
    /// let sink = seen.clone();
    /// a::Runtime::current().set_error_handler(move |e| sink.borrow_mut().push(e.to_string()));
    /// let f = a::void(|| async { panic!("boom") });
    /// f();
    /// a::block_on(a::util::scheduler());
    /// assert!(seen.borrow()[0].ends_with("panicked: boom"));
    /// ```
    pub fn set_error_handler(&self, handler: impl Fn(JoinError) + 'static) {
        self.inner.executor().set_error_handler(Rc::new(handler));
    }
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("loop", &self.inner.loop_)
            .field("attached", &self.is_attached())
            .field("queued", &self.inner.executor().queued())
            .field("budget", &self.inner.executor().budget())
            .finish()
    }
}
