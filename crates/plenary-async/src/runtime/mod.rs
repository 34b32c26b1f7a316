//! The runtime: an executor of tasks, driven from a libuv loop.
//!
//! See `docs/ARCHITECTURE.md` for the whole picture. The parts, one file
//! each:
//!
//! | file | what |
//! |---|---|
//! | `executor.rs` | the run queue, task cells, spawning, waking, budget, cancellation: no libuv (Miri runs it) |
//! | `cell.rs` | the task cell: state and references, plain `Cell`s on the owning thread, atomics only for wakers on others |
//! | `task.rs` | [`Task`], the handle that awaits or cancels a task, and the wrapper every task runs in |
//! | `remote.rs` | the door for wakes from other threads |
//! | `context.rs` | which runtime is current on this thread (`Enter` guards keep it alive while its code runs); the tasks' schedule function |
//! | `sync.rs` | the atomics, mutex and thread-locals of the cross-thread parts: std's, or loom's under `--cfg loom` (`loom_tests.rs`) |
//! | `driver.rs` | who calls `tick` on a libuv loop: `block_on`, an idle handle, or a host's hook |
//! | `timers.rs`, `timer_handle.rs` | the deadline heap of `sleep` and its one `uv_timer_t` |
//! | `in_flight.rs` | the count of libuv requests not yet called back |
//! | `facade.rs` | [`Runtime`], the public handle |
//! | `uv_loop.rs` | [`Loop`], a libuv loop of your own, for hosts and tests |
//!
//! This file is `Inner`: an executor, a loop (its own or a host's), the
//! cross-thread signal (`uv_async_t`), the timers and the driver, built
//! together and shut down together.
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

mod cell;
mod context;
#[cfg(test)]
pub(crate) mod core_tests;
mod driver;
mod executor;
mod facade;
mod handle;
pub(crate) mod in_flight;
#[cfg(all(test, loom))]
mod loom_tests;
mod remote;
mod sync;
mod task;
mod timer_handle;
mod timers;
mod uv_loop;

pub use crate::ffi::host::LibuvUnavailable;
pub(crate) use context::{
    spawn_queued, with_current, with_current_executor, with_executor, with_existing,
};
pub(crate) use executor::Executor;
pub use executor::DEFAULT_BUDGET;
pub use facade::Runtime;
pub use handle::{Handle, RemoteTask};
pub use task::{AbortHandle, Task};
pub use uv_loop::Loop;

/// Checks that libuv's functions can be called in this process. Always
/// `Ok` where libuv is linked in (the `bundled` feature, or the system's);
/// with `host-libuv` (a library loaded into a host such as Neovim), `Err`
/// names the first function the host does not export: Neovim 0.11 on
/// Windows exports none, nor does a plain Lua interpreter. Call it before
/// [`Runtime::attach`], which panics with the same message otherwise.
///
/// ```
/// plenary_async::runtime::check_libuv().expect("libuv is linked into tests");
/// ```
pub fn check_libuv() -> Result<(), LibuvUnavailable> {
    #[cfg(feature = "host-libuv")]
    {
        crate::ffi::host::check()
    }
    #[cfg(not(feature = "host-libuv"))]
    {
        Ok(())
    }
}

/// The address of a function (or variable) the host process exports, found
/// as the runtime finds libuv's with `host-libuv` (see [`check_libuv`]):
/// `dlsym` in the process's global scope on Unix; on Windows
/// `GetProcAddress` on the executable, then on a libuv DLL already loaded.
/// A Neovim plugin finds luv's `luv_loop` this way instead of linking it.
///
/// (Reached through [`__private`](crate::__private), for plenary-async-nvim.)
///
/// ```
/// assert!(plenary_async::__private::host_symbol(c"no_such_symbol_anywhere_1234").is_none());
/// ```
pub(crate) fn host_symbol(name: &std::ffi::CStr) -> Option<std::ptr::NonNull<std::ffi::c_void>> {
    std::ptr::NonNull::new(crate::ffi::host::lookup(name))
}

/// Panics with [`check_libuv`]'s message if libuv cannot be called.
#[track_caller]
fn require_libuv() {
    if let Err(e) = check_libuv() {
        panic!("{e}");
    }
}

use crate::ffi::handle::Handle as UvHandle;
use crate::ffi::sys::{self, uv_async_t, uv_loop_t};
use driver::{Driving, Kind, UvDriver};
use remote::{Remote, Signal};
use std::alloc::{alloc_zeroed, dealloc, Layout};
use std::cell::Cell;
use std::future::Future;
use std::panic::Location;
use std::pin::pin;
use std::rc::{Rc, Weak};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use timer_handle::Timer;
use timers::Timers;

pub(crate) struct Inner {
    /// Unique among all runtimes of the process, ever.
    id: u64,
    loop_: *mut uv_loop_t,
    /// Set when this runtime allocated (and so must close and free) the loop.
    owned_loop: Option<Layout>,
    executor: Executor,
    driver: Rc<UvDriver>,
    async_handle: std::cell::RefCell<Option<UvHandle<Weak<Inner>>>>,
    /// `None` only during shutdown, once the timer handle is closed.
    timers: Option<Timers>,
    in_block_on: Cell<bool>,
    main_waker: Waker,
    /// The queue of the `Send` handles (`Runtime::handle`), made on first use.
    inbox: std::cell::RefCell<Option<Arc<handle::Inbox>>>,
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

/// `uv_async_send` as a [`Signal`]'s function.
///
/// # Safety
/// `target` is the runtime's open `uv_async_t`.
unsafe fn async_send(target: *mut ()) {
    // SAFETY: the caller's contract; uv_async_send may be called from any
    // thread.
    unsafe { sys::uv_async_send(target.cast()) };
}

impl Inner {
    // (With `host-libuv` no standalone runtime is made: context.rs.)
    #[cfg_attr(feature = "host-libuv", allow(dead_code))]
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
        unsafe { Self::build(loop_, Some(layout), Driving::Standalone) }
    }

    /// # Safety
    /// `loop_` is a live loop that outlives the runtime and is run on this thread.
    unsafe fn build(
        loop_: *mut uv_loop_t,
        owned_loop: Option<Layout>,
        driving: Driving,
    ) -> Rc<Inner> {
        // Each libuv handle of the runtime holds a `Weak` to it as its
        // state, so that its callback reaches the runtime that owns it (not
        // whichever is this thread's current one), and does nothing once
        // that runtime is gone.
        Rc::new_cyclic(|me: &Weak<Inner>| {
            let remote = Arc::new(Remote::new());
            // SAFETY: uv_async_init initialises a UV_ASYNC handle on the live loop.
            let async_handle = unsafe {
                UvHandle::new(sys::UV_ASYNC, me.clone(), |h| {
                    sys::uv_async_init(loop_, h, Some(on_async))
                })
            }
            .unwrap_or_else(|code| {
                panic!(
                    "plenary_async: cannot create the cross-thread wake-up handle: {}",
                    crate::ffi::check("uv_async_init", code).unwrap_err()
                )
            });
            let signal = Signal {
                target: async_handle.as_ptr::<uv_async_t>().cast(),
                send: async_send,
            };
            // SAFETY: the handle stays open until shutdown, which closes the
            // remote (`Executor::drop_all_tasks`) before dropping the handle.
            unsafe { remote.set_signal(signal) };
            if owned_loop.is_none() {
                // Never keep a host's loop alive just for cross-thread wakes.
                async_handle.set_ref(false);
            }
            // SAFETY: the caller's live loop.
            let timer = unsafe { Timer::new(loop_, me.clone()) }.unwrap_or_else(|e| {
                panic!("plenary_async: cannot create the runtime's timer: {e}")
            });
            let kind = match driving {
                Driving::Standalone => Kind::Standalone,
                Driving::Hook(notify) => Kind::Hook(notify),
                Driving::Idle => {
                    // SAFETY: uv_idle_init initialises a UV_IDLE handle on
                    // the host's live loop (the caller's contract).
                    let idle = unsafe {
                        UvHandle::new(sys::UV_IDLE, me.clone(), |h| sys::uv_idle_init(loop_, h))
                    }
                    .unwrap_or_else(|code| {
                        panic!(
                            "plenary_async: Runtime::attach: {}",
                            crate::ffi::check("uv_idle_init", code).unwrap_err()
                        )
                    });
                    Kind::Idle(idle)
                }
            };
            static NEXT_ID: AtomicU64 = AtomicU64::new(1);
            let main_waker = Waker::from(Arc::new(MainWake {
                remote: remote.clone(),
            }));
            let driver = Rc::new(UvDriver::new(loop_, kind));
            Inner {
                id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
                loop_,
                owned_loop,
                executor: Executor::new(driver.clone(), remote),
                driver,
                async_handle: std::cell::RefCell::new(Some(async_handle)),
                timers: Some(Timers::new(timer)),
                in_block_on: Cell::new(false),
                inbox: std::cell::RefCell::new(None),
                main_waker,
            }
        })
    }

    /// The loop this runtime runs on.
    pub(crate) fn uv_loop(&self) -> *mut uv_loop_t {
        self.loop_
    }

    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    pub(crate) fn executor(&self) -> &Executor {
        &self.executor
    }

    pub(crate) fn timers(&self) -> &Timers {
        self.timers
            .as_ref()
            .expect("timers live until the end of shutdown")
    }

    /// Polls up to `budget` queued tasks (see [`Executor::tick`]).
    pub(crate) fn tick(&self) -> bool {
        self.executor.tick()
    }

    pub(crate) fn block_on<F: Future>(&self, fut: F) -> F::Output {
        assert!(
            self.driver.is_standalone(),
            "plenary_async::block_on: this thread's runtime is attached to a host's event loop \
             (Runtime::attach); blocking would freeze the host. Use spawn/run/void and let the \
             host's loop drive the tasks"
        );
        assert!(
            !self.executor.is_draining(),
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
                self.0.driver.set_in_uv_run(false);
            }
        }
        self.in_block_on.set(true);
        let _exit = Exit(self);
        let mut fut = pin!(fut);
        let mut cx = Context::from_waker(&self.main_waker);
        let remote = self.executor.remote();
        remote.set_main_woken();
        loop {
            if remote.take_main_woken() {
                if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
                    return v;
                }
            }
            let more = self.tick();
            let mode = if more || remote.main_woken() {
                sys::UV_RUN_NOWAIT
            } else {
                sys::UV_RUN_ONCE
            };
            self.driver.set_in_uv_run(true);
            // SAFETY: the loop is ours, live, and not running (block_on is
            // not reentrant, checked above).
            unsafe { sys::uv_run(self.loop_, mode) };
            self.driver.set_in_uv_run(false);
            crate::runtime::executor::Driver::disarm(&*self.driver);
        }
    }

    /// The inbox of this runtime's `Send` handles: made, and its serving
    /// task spawned, on first use.
    pub(crate) fn inbox(&self) -> Arc<handle::Inbox> {
        if let Some(inbox) = &*self.inbox.borrow() {
            return inbox.clone();
        }
        let (inbox, serve) = handle::Inbox::new();
        self.spawn(serve, Location::caller()).detach();
        *self.inbox.borrow_mut() = Some(inbox.clone());
        inbox
    }

    /// Spawns `future` onto this runtime, queued.
    pub(crate) fn spawn<F>(
        &self,
        future: F,
        location: &'static Location<'static>,
    ) -> Task<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.executor.spawn(future, location, false)
    }

    /// Standalone `block_on`: make its `uv_run` return soon.
    fn interrupt_loop(&self) {
        self.driver.interrupt_loop();
    }

    /// Drops every task, then the driver (see [`Executor::drop_all_tasks`]).
    /// Runs from the last [`Runtime`] handle's drop, through a shared
    /// borrow; the libuv handles and a loop of its own are closed after, by
    /// `Drop`.
    fn shut_down(&self) {
        self.executor.drop_all_tasks();
        self.driver.close();
    }
}

unsafe extern "C" fn on_async(handle: *mut uv_async_t) {
    crate::ffi::callback_guard("async", || {
        // SAFETY: the runtime's async handle, in its callback: its state is
        // the `Weak` it was created with, freed only in its close callback.
        let owner: &Weak<Inner> = unsafe { crate::ffi::handle::state_of(handle.cast()) };
        let Some(rt) = owner.upgrade().map(Runtime::from_inner) else {
            return;
        };
        let remote = rt.inner().executor.remote();
        if remote.has_pending() || remote.main_woken() {
            crate::runtime::executor::Driver::arm(&*rt.inner().driver);
        }
    })
}

impl Drop for Inner {
    fn drop(&mut self) {
        debug_assert!(
            !context::points_at(self),
            "the thread's current runtime was freed (context's invariant broken)"
        );
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
    }
}
