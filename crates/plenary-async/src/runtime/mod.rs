//! The executor: a run queue of tasks, drained from a libuv loop.
//!
//! See `docs/ARCHITECTURE.md` for the whole picture. In short: every task is
//! an [`async_task`] cell whose schedule function pushes it onto this
//! thread's FIFO run queue (or, from another thread, onto the `Remote`
//! queue plus a `uv_async_t` signal). `Inner::tick` polls at most
//! `budget` tasks and returns, so the loop can run its I/O and timer
//! callbacks in between. Who calls `tick` is the `Driver`:
//! - standalone, `block_on` calls it between `uv_run(ONCE/NOWAIT)` calls;
//! - attached, a `uv_idle_t` on the host's loop calls it while work is queued;
//! - attached with a hook, the host is told that work is queued and calls
//!   [`Runtime::tick`] from a context of its choosing.
//!
//! ```
//! use plenary_async as a;
//!
//! let rt = a::runtime::Runtime::current();
//! let task = rt.spawn(async { "ran on this thread's loop" });
//! assert_eq!(rt.block_on(task), Ok("ran on this thread's loop"));
//! ```
//!
//! A runtime belongs to its thread: neither it nor its tasks can be sent to
//! another one.
//!
//! ```compile_fail
//! let rt = plenary_async::Runtime::current();
//! std::thread::spawn(move || rt.tick()); // error: `Rc<…>` cannot be sent between threads
//! ```

mod context;
pub(crate) mod in_flight;
mod remote;
mod task;
mod timer_handle;
mod timers;

pub(crate) use context::{with_current, with_existing};
pub use task::Task;

use crate::ffi::handle::Handle;
use crate::ffi::sys::{self, uv_async_t, uv_idle_t, uv_loop_t};
use crate::Error;
use remote::Remote;
use slab::Slab;
use std::alloc::{alloc_zeroed, dealloc, Layout};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::ffi::c_void;
use std::future::Future;
use std::panic::Location;
use std::pin::pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use timer_handle::Timer;
use timers::Timers;

/// A task's runnable. Its metadata is the runtime's [`Remote`]: the schedule
/// function reads it from there instead of capturing it, which keeps that
/// function zero-sized, and async-task then wakes a task by value without
/// an extra reference count increment and decrement.
pub(crate) type Runnable = async_task::Runnable<Arc<Remote>>;

/// A task's handle inside async-task (see [`Runnable`]).
pub(crate) type RawTask<T> = async_task::FallibleTask<T, Arc<Remote>>;
type ErrorHandler = Rc<dyn Fn(&Error)>;

/// Tasks polled per [`Runtime::tick`] before control goes back to the loop.
///
/// ```
/// assert_eq!(plenary_async::runtime::DEFAULT_BUDGET, 128);
/// ```
pub const DEFAULT_BUDGET: usize = 128;

/// How the run queue gets drained.
enum Driver {
    /// `block_on` drains it between turns of the runtime's own loop.
    Standalone,
    /// A `uv_idle_t` on the host loop, active while work is queued.
    Idle(Handle<()>),
    /// The host is notified and calls `Runtime::tick` itself.
    Hook(Box<dyn Fn()>),
    /// Shut down.
    Closed,
}

pub(crate) struct Inner {
    /// Unique among all runtimes of the process, ever.
    id: u64,
    loop_: *mut uv_loop_t,
    /// Set when this runtime allocated (and so must close and free) the loop.
    owned_loop: Option<Layout>,
    queue: RefCell<VecDeque<Runnable>>,
    /// Wakers of tasks that yielded with `util::scheduler()`: woken at the
    /// start of the next tick, i.e. after the loop has had a turn.
    deferred: RefCell<Vec<Waker>>,
    /// A waker of every live task, so that shutdown can drop them all.
    active: RefCell<Slab<Waker>>,
    remote: Arc<Remote>,
    async_handle: RefCell<Option<Handle<()>>>,
    /// `None` only during shutdown, once the timer handle is closed.
    timers: Option<Timers>,
    driver: RefCell<Driver>,
    /// The driver has been told that work is queued and has not ticked yet.
    armed: Cell<bool>,
    draining: Cell<bool>,
    in_block_on: Cell<bool>,
    in_uv_run: Cell<bool>,
    shutting_down: Cell<bool>,
    budget: Cell<usize>,
    /// Id of the task `Task::cancel` is dropping right now (else null).
    canceling: Cell<*const ()>,
    error_handler: RefCell<Option<ErrorHandler>>,
    main_waker: Waker,
}

struct MainWake {
    remote: Arc<Remote>,
}

impl Wake for MainWake {
    fn wake(self: Arc<Self>) {
        context::wake_main(&self.remote);
    }
    fn wake_by_ref(self: &Arc<Self>) {
        context::wake_main(&self.remote);
    }
}

impl Inner {
    fn new_standalone() -> Rc<Inner> {
        // SAFETY: uv_loop_size has no preconditions.
        let layout =
            Layout::from_size_align(unsafe { sys::uv_loop_size() }, 16).expect("loop size");
        // SAFETY: non-zero size.
        let loop_ = unsafe { alloc_zeroed(layout) } as *mut uv_loop_t;
        if loop_.is_null() {
            std::alloc::handle_alloc_error(layout);
        }
        // SAFETY: `loop_` is fresh memory of uv_loop_size bytes.
        let rc = unsafe { sys::uv_loop_init(loop_) };
        if let Err(e) = crate::ffi::check("uv_loop_init", rc) {
            // SAFETY: init failed; libuv keeps no reference.
            unsafe { dealloc(loop_.cast(), layout) };
            panic!("plenary_async: cannot create the event loop: {e}");
        }
        // SAFETY: the loop is live and owned by this thread.
        unsafe { Self::build(loop_, Some(layout), Driver::Standalone) }
    }

    /// # Safety
    /// `loop_` is a live loop that outlives the runtime and is run on this thread.
    unsafe fn build(
        loop_: *mut uv_loop_t,
        owned_loop: Option<Layout>,
        driver: Driver,
    ) -> Rc<Inner> {
        let remote = Arc::new(Remote::new());
        // SAFETY: uv_async_init initialises a UV_ASYNC handle on the live loop.
        let async_handle = unsafe {
            Handle::new(sys::UV_ASYNC, (), |h| {
                sys::uv_async_init(loop_, h, Some(on_async))
            })
        }
        .unwrap_or_else(|code| {
            panic!(
                "plenary_async: cannot create the cross-thread wake-up handle: {}",
                crate::ffi::check("uv_async_init", code).unwrap_err()
            )
        });
        remote.set_handle(async_handle.as_ptr::<uv_async_t>());
        if owned_loop.is_none() {
            // Never keep a host's loop alive just for cross-thread wakes.
            async_handle.set_ref(false);
        }
        // SAFETY: the caller's live loop.
        let timer = unsafe { Timer::new(loop_) }
            .unwrap_or_else(|e| panic!("plenary_async: cannot create the runtime's timer: {e}"));
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        let main_waker = Waker::from(Arc::new(MainWake {
            remote: remote.clone(),
        }));
        Rc::new(Inner {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            loop_,
            owned_loop,
            queue: RefCell::new(VecDeque::with_capacity(256)),
            deferred: RefCell::new(Vec::new()),
            active: RefCell::new(Slab::new()),
            remote,
            async_handle: RefCell::new(Some(async_handle)),
            timers: Some(Timers::new(timer)),
            driver: RefCell::new(driver),
            armed: Cell::new(false),
            draining: Cell::new(false),
            in_block_on: Cell::new(false),
            in_uv_run: Cell::new(false),
            shutting_down: Cell::new(false),
            budget: Cell::new(DEFAULT_BUDGET),
            canceling: Cell::new(std::ptr::null()),
            error_handler: RefCell::new(None),
            main_waker,
        })
    }

    /// The loop this runtime runs on.
    pub(crate) fn uv_loop(&self) -> *mut uv_loop_t {
        self.loop_
    }

    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    pub(crate) fn timers(&self) -> &Timers {
        self.timers
            .as_ref()
            .expect("timers live until the end of shutdown")
    }

    /// Pushes a task woken on this thread.
    fn push_local(&self, runnable: Runnable) {
        let canceling = self.canceling.get();
        if !canceling.is_null() && task_id(&runnable) == canceling {
            // `Task::cancel` is dropping this task: drop its future now.
            drop(runnable);
            return;
        }
        self.queue.borrow_mut().push_back(runnable);
        if !self.draining.get() {
            self.arm();
        }
    }

    /// Makes sure the driver will tick soon.
    fn arm(&self) {
        if self.armed.get() {
            return;
        }
        match &*self.driver.borrow() {
            Driver::Standalone => self.interrupt_loop(),
            Driver::Idle(idle) => {
                self.armed.set(true);
                // SAFETY: the idle handle is open; starting a started idle
                // handle is a no-op.
                unsafe { sys::uv_idle_start(idle.as_ptr::<uv_idle_t>(), Some(on_idle)) };
            }
            Driver::Hook(notify) => {
                self.armed.set(true);
                notify();
            }
            Driver::Closed => {}
        }
    }

    /// Standalone: if `block_on` is inside `uv_run`, make it return soon
    /// (`uv_stop` turns the poll timeout to zero for this iteration).
    fn interrupt_loop(&self) {
        if self.in_uv_run.get() && !self.armed.get() {
            self.armed.set(true);
            // SAFETY: the loop is live; uv_stop only sets a flag.
            unsafe { sys::uv_stop(self.loop_) };
        }
    }

    /// Polls up to `budget` queued tasks, in FIFO order. Returns whether work
    /// remains.
    pub(crate) fn tick(&self) -> bool {
        if self.draining.replace(true) {
            // Called from inside a task (a host hook reentering): the outer
            // tick is already draining.
            return true;
        }
        struct Reset<'a>(&'a Cell<bool>);
        impl Drop for Reset<'_> {
            fn drop(&mut self) {
                self.0.set(false);
            }
        }
        let reset = Reset(&self.draining);
        self.armed.set(false);
        self.remote.drain_into(&mut self.queue.borrow_mut());
        if !self.deferred.borrow().is_empty() {
            let deferred = std::mem::take(&mut *self.deferred.borrow_mut());
            deferred.into_iter().for_each(Waker::wake);
        }
        for _ in 0..self.budget.get() {
            let next = self.queue.borrow_mut().pop_front();
            match next {
                Some(runnable) => {
                    runnable.run();
                }
                None => break,
            }
        }
        drop(reset);
        let more = self.has_work();
        if more && !matches!(*self.driver.borrow(), Driver::Standalone) {
            self.arm();
        }
        more
    }

    fn has_work(&self) -> bool {
        !self.queue.borrow().is_empty()
            || !self.deferred.borrow().is_empty()
            || self.remote.has_pending()
    }

    pub(crate) fn block_on<F: Future>(&self, fut: F) -> F::Output {
        match &*self.driver.borrow() {
            Driver::Standalone => {}
            _ => panic!(
                "plenary_async::block_on: this thread's runtime is attached to a host's event loop \
                 (Runtime::attach); blocking would freeze the host. Use spawn/run/void and let the \
                 host's loop drive the tasks"
            ),
        }
        assert!(
            !self.draining.get(),
            "plenary_async::block_on called from inside an async task: the task would wait for the \
             loop that is waiting for the task (a deadlock). Use `.await` instead"
        );
        assert!(
            !self.in_block_on.get(),
            "plenary_async::block_on called inside another block_on on the same thread: the outer \
             call already drives the loop. Use `.await` instead"
        );
        struct Exit<'a>(&'a Inner);
        impl Drop for Exit<'_> {
            fn drop(&mut self) {
                self.0.in_block_on.set(false);
                self.0.in_uv_run.set(false);
            }
        }
        self.in_block_on.set(true);
        let _exit = Exit(self);
        let mut fut = pin!(fut);
        let mut cx = Context::from_waker(&self.main_waker);
        self.remote.set_main_woken();
        loop {
            if self.remote.take_main_woken() {
                if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
                    return v;
                }
            }
            let more = self.tick();
            let mode = if more || self.remote.main_woken() {
                sys::UV_RUN_NOWAIT
            } else {
                sys::UV_RUN_ONCE
            };
            self.in_uv_run.set(true);
            // SAFETY: the loop is ours, live, and not running (block_on is
            // not reentrant, checked above).
            unsafe { sys::uv_run(self.loop_, mode) };
            self.in_uv_run.set(false);
            self.armed.set(false);
        }
    }

    /// Spawns `future` onto this runtime.
    pub(crate) fn spawn<F>(
        &self,
        future: F,
        location: &'static Location<'static>,
    ) -> Task<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.spawn_inner(future, location, false)
    }

    /// Spawns `future`; with `eager`, polls it once at once (up to its first
    /// wait) unless a task is being polled already (then it is queued).
    pub(crate) fn spawn_inner<F>(
        &self,
        future: F,
        location: &'static Location<'static>,
        eager: bool,
    ) -> Task<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        if self.shutting_down.get() {
            drop(future);
            return Task::canceled();
        }
        let mut active = self.active.borrow_mut();
        let entry = active.vacant_entry();
        let future = task::TaskFuture::new(future, location, entry.key());
        // SAFETY: spawn_unchecked lets the future be !Send. Its runnable is
        // run and dropped only on this thread: the schedule function puts it
        // on this thread's queue, or, from other threads, on the Remote queue
        // that only this thread drains (and that leaks, never drops, what
        // arrives after shutdown). The future and output are 'static.
        let (runnable, task) = unsafe {
            async_task::Builder::new()
                .metadata(self.remote.clone())
                .spawn_unchecked(move |_| future, context::schedule)
        };
        entry.insert(runnable.waker());
        drop(active);
        let id = std::ptr::from_ref(task.metadata()).cast::<()>();
        if eager && !self.draining.get() {
            // Polled like a tick would, so that a task it wakes or spawns is
            // queued rather than run inside this poll.
            self.draining.set(true);
            struct Reset<'a>(&'a Cell<bool>);
            impl Drop for Reset<'_> {
                fn drop(&mut self) {
                    self.0.set(false);
                }
            }
            let reset = Reset(&self.draining);
            runnable.run();
            drop(reset);
            if self.has_work() && !matches!(*self.driver.borrow(), Driver::Standalone) {
                self.arm();
            }
        } else {
            self.push_local(runnable);
        }
        Task::new(task.fallible(), id)
    }

    pub(crate) fn forget_task(&self, key: usize) {
        if let Ok(mut active) = self.active.try_borrow_mut() {
            active.try_remove(key);
        }
    }

    pub(crate) fn defer(&self, waker: Waker) {
        self.deferred.borrow_mut().push(waker);
        if !self.draining.get() {
            self.arm();
        }
    }

    pub(crate) fn report(&self, err: &Error) {
        let handler = self.error_handler.borrow().clone();
        match handler {
            Some(h) => h(err),
            None => eprintln!("plenary_async: {err}"),
        }
    }
}

/// The identity of a task: the address of the metadata in its async-task
/// header, the same whether reached from its `Runnable` or its `Task`.
fn task_id(runnable: &Runnable) -> *const () {
    std::ptr::from_ref(runnable.metadata()).cast::<()>()
}

unsafe extern "C" fn on_async(_handle: *mut uv_async_t) {
    crate::ffi::callback_guard("async", || {
        context::with_existing(|rt| {
            if rt.remote.has_pending() || rt.remote.main_woken() {
                rt.arm();
            }
        });
    })
}

unsafe extern "C" fn on_idle(handle: *mut uv_idle_t) {
    crate::ffi::callback_guard("idle", || {
        let rt = context::current();
        if !rt.inner.tick() {
            // SAFETY: `handle` is the runtime's open idle handle.
            unsafe { sys::uv_idle_stop(handle) };
        }
    })
}

impl Inner {
    /// Drops every task and the driver (the libuv handles and a loop of its
    /// own are closed after, by `Drop`). Runs once, from the last
    /// [`Runtime`] handle's drop, through a shared borrow: the tasks' destructors and wakes reach the runtime
    /// again through the thread-local's raw pointer (`schedule`), which
    /// must not alias a `&mut Inner`. Does nothing the second time.
    fn shut_down(&self) {
        if self.shutting_down.replace(true) {
            return;
        }
        // Drop every task, including those that only wait on each other.
        // Dropping a future may wake or free others, so repeat until quiet.
        loop {
            let wakers: Vec<Waker> = std::mem::take(&mut *self.active.borrow_mut())
                .into_iter()
                .map(|(_, w)| w)
                .collect();
            let woke = !wakers.is_empty();
            wakers.into_iter().for_each(Waker::wake);
            self.remote.drain_into(&mut self.queue.borrow_mut());
            let queued = std::mem::take(&mut *self.queue.borrow_mut());
            self.deferred.borrow_mut().clear();
            if queued.is_empty() && !woke {
                break;
            }
            drop(queued);
        }
        for runnable in self.remote.close() {
            drop(runnable);
        }
        let driver = std::mem::replace(&mut *self.driver.borrow_mut(), Driver::Closed);
        drop(driver);
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        // The tasks are gone (`shut_down`, from the last `Runtime`'s drop);
        // what is left closes libuv handles and runs their close callbacks,
        // which run no task code.
        self.shut_down();
        drop(self.async_handle.borrow_mut().take());
        drop(self.timers.take());
        if let Some(layout) = self.owned_loop {
            // Requests whose futures were dropped free their memory in their
            // callback: let them finish (bounded, in case an operation never
            // returns, such as opening a FIFO nobody writes to).
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while in_flight::count() > 0 && std::time::Instant::now() < deadline {
                // SAFETY: our own live loop, not running.
                unsafe { sys::uv_run(self.loop_, sys::UV_RUN_NOWAIT) };
                if in_flight::count() > 0 {
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
            }
            // Let the close callbacks run, then close the loop. If some handle
            // is still open (owned by a future the user leaked), the loop's
            // memory is leaked too rather than freed under that handle.
            let mut closed = false;
            for _ in 0..64 {
                // SAFETY: our own live loop, not running.
                unsafe { sys::uv_run(self.loop_, sys::UV_RUN_NOWAIT) };
                // SAFETY: as above; fails with EBUSY while handles are open.
                if unsafe { sys::uv_loop_close(self.loop_) } == 0 {
                    closed = true;
                    break;
                }
            }
            if closed {
                // SAFETY: the loop is closed; the memory came from alloc_zeroed.
                unsafe { dealloc(self.loop_.cast(), layout) };
            }
        }
        context::clear(self);
    }
}

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
            // (see `Inner::shut_down`); freeing it then runs no task code.
            self.inner.shut_down();
        }
    }
}

impl Runtime {
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
    /// this process uses, that is run on this thread and outlives the
    /// runtime (call [`detach`](Runtime::detach) before the host closes it).
    ///
    /// # Panics
    /// If this thread already has a runtime.
    ///
    /// ```
    /// use plenary_async as a;
    /// use plenary_async::uv::sys;
    /// use std::{cell::Cell, rc::Rc};
    ///
    /// // A host: a thread that owns and runs a libuv loop (Neovim, in real use).
    /// std::thread::spawn(|| unsafe {
    ///     let layout = std::alloc::Layout::from_size_align(sys::uv_loop_size(), 16).unwrap();
    ///     let lp = std::alloc::alloc_zeroed(layout) as *mut sys::uv_loop_t;
    ///     assert_eq!(sys::uv_loop_init(lp), 0);
    ///
    ///     let rt = a::Runtime::attach(lp.cast());
    ///     let done = Rc::new(Cell::new(false));
    ///     let d = done.clone();
    ///     a::spawn(async move {
    ///         a::util::sleep(5).await;
    ///         d.set(true);
    ///     })
    ///     .detach();
    ///     sys::uv_run(lp, sys::UV_RUN_DEFAULT); // the host's loop; returns when idle
    ///     assert!(done.get());
    ///
    ///     rt.detach(); // before the host closes its loop
    ///     sys::uv_run(lp, sys::UV_RUN_NOWAIT); // the runtime's handles close
    ///     assert_eq!(sys::uv_loop_close(lp), 0);
    ///     std::alloc::dealloc(lp.cast(), layout);
    /// })
    /// .join()
    /// .unwrap();
    /// ```
    pub unsafe fn attach(loop_ptr: *mut c_void) -> Runtime {
        let loop_: *mut uv_loop_t = loop_ptr.cast();
        // SAFETY: uv_idle_init initialises a UV_IDLE handle on the host's
        // live loop (the caller's contract).
        let idle = unsafe { Handle::new(sys::UV_IDLE, (), |h| sys::uv_idle_init(loop_, h)) }
            .unwrap_or_else(|code| {
                panic!(
                    "plenary_async: Runtime::attach: {}",
                    crate::ffi::check("uv_idle_init", code).unwrap_err()
                )
            });
        // SAFETY: the caller's contract.
        let inner = unsafe { Inner::build(loop_, None, Driver::Idle(idle)) };
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
    /// use plenary_async::uv::sys;
    /// use std::{cell::Cell, rc::Rc};
    ///
    /// std::thread::spawn(|| unsafe {
    ///     let layout = std::alloc::Layout::from_size_align(sys::uv_loop_size(), 16).unwrap();
    ///     let lp = std::alloc::alloc_zeroed(layout) as *mut sys::uv_loop_t;
    ///     assert_eq!(sys::uv_loop_init(lp), 0);
    ///
    ///     // The host only records that work is ready, and ticks later.
    ///     let ready = Rc::new(Cell::new(false));
    ///     let r = ready.clone();
    ///     let rt = a::Runtime::attach_with(lp.cast(), move || r.set(true));
    ///     let task = a::spawn(async { 6 * 7 });
    ///     assert!(ready.get()); // notified, nothing ran yet
    ///     rt.tick();
    ///     assert!(task.is_finished());
    ///
    ///     drop(task);
    ///     rt.detach();
    ///     sys::uv_run(lp, sys::UV_RUN_NOWAIT);
    ///     assert_eq!(sys::uv_loop_close(lp), 0);
    ///     std::alloc::dealloc(lp.cast(), layout);
    /// })
    /// .join()
    /// .unwrap();
    /// ```
    pub unsafe fn attach_with(loop_ptr: *mut c_void, notify: impl Fn() + 'static) -> Runtime {
        // SAFETY: the caller's contract.
        let inner = unsafe { Inner::build(loop_ptr.cast(), None, Driver::Hook(Box::new(notify))) };
        let rt = Runtime { inner };
        context::install(rt.clone());
        rt
    }

    /// Removes the runtime from this thread. When the last handle to it is
    /// dropped, every task still alive is dropped (its destructors run) and the
    /// runtime's libuv handles are closed; a loop it owns is closed and freed.
    /// The next use on the thread creates a fresh standalone runtime, also
    /// while other handles keep this one alive (they can still `tick` and
    /// `block_on` it; its tasks are woken as from another thread).
    ///
    /// ```
    /// let rt = plenary_async::Runtime::current();
    /// let task = rt.spawn(std::future::pending::<()>());
    /// rt.detach(); // the pending task is dropped with the runtime
    /// assert_eq!(plenary_async::block_on(task), Err(plenary_async::Error::Canceled));
    /// ```
    pub fn detach(self) {
        drop(context::uninstall(&self.inner));
        if Rc::strong_count(&self.inner) > 1 {
            // Other handles keep it alive: the thread's next use gets a
            // fresh runtime all the same (this one's tasks then wake it as
            // from another thread, through its `Remote`). Otherwise the
            // thread-local keeps pointing here until the end of `Inner`'s
            // destructor, so that a task's destructor that spawns gets a
            // canceled task rather than a new runtime mid-shutdown.
            context::clear(Rc::as_ptr(&self.inner));
        }
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
        let keep = self.clone();
        keep.inner.tick()
    }

    /// Runs `future` to completion on this runtime (see [`block_on`](crate::block_on)).
    ///
    /// ```
    /// let rt = plenary_async::Runtime::current();
    /// assert_eq!(rt.block_on(async { "done" }), "done");
    /// ```
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let keep = self.clone();
        keep.inner.block_on(future)
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
    /// returns to the loop ([`DEFAULT_BUDGET`] unless changed).
    ///
    /// ```
    /// assert_eq!(plenary_async::Runtime::current().budget(), plenary_async::runtime::DEFAULT_BUDGET);
    /// ```
    pub fn budget(&self) -> usize {
        self.inner.budget.get()
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
        self.inner.budget.set(budget);
    }

    /// Sets what happens to errors that no caller can receive: a panic in a
    /// [`void`](crate::void) function or in a [`run`](crate::run) callback. The
    /// default prints them to standard error.
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
    pub fn set_error_handler(&self, handler: impl Fn(&Error) + 'static) {
        *self.inner.error_handler.borrow_mut() = Some(Rc::new(handler));
    }
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("loop", &self.inner.loop_)
            .field("attached", &self.is_attached())
            .field("queued", &self.inner.queue.borrow().len())
            .field("budget", &self.inner.budget.get())
            .finish()
    }
}
