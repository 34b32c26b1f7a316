//! Which runtime is current on this thread, and how code reaches it.
//!
//! Two thread-locals. `RUNTIME` owns the thread's *installed* runtime (the
//! one `Runtime::current()` created or `Runtime::attach` installed; it is
//! dropped by `uninstall` or when the thread exits). `CONTEXT` holds raw
//! pointers to the *current* runtime for the hot paths (scheduling a task,
//! registering a timer): to the whole runtime (`Inner`, for the loop and
//! the timers), to its executor, and to its remote (to tell this thread's
//! tasks from others'). `CONTEXT` has a `const` initialiser and no
//! destructor, so it can be read at any time, even while thread-locals are
//! being torn down.
//!
//! The current runtime is the installed one, except while an [`Enter`]
//! guard is on the stack: a runtime that polls its tasks (`tick`,
//! `block_on`), runs a libuv callback of its own, or shuts down enters
//! itself first, so that the code it runs (task code, wakers, destructors)
//! finds *that* runtime, even after it was uninstalled from the thread.
//!
//! # Ownership: why the raw pointers are sound
//!
//! Nothing here hands out a reference that the pointers alone keep valid
//! across user code. Every use that may run user code (a task's poll, a
//! destructor, a waker, the error handler, a host's hook) goes through an
//! `Enter`, which holds a strong reference of its own (a `Runtime` clone)
//! for as long as that code runs; so task code that detaches the runtime,
//! drops the last handle to it or panics cannot free it under a caller.
//! Three hot paths borrow the pointee plainly instead, each for a step that
//! runs no user code: `schedule` while the executor drains (the push only
//! queues, and the poll's driver holds an `Enter`), `spawn_queued` when
//! `Executor::spawns_quietly` says the push cannot call a host's hook, and
//! `wake_main` (flags and `uv_stop`). All rest on this invariant:
//!
//! | `CONTEXT.inner` is | kept alive by | cleared or changed by |
//! |---|---|---|
//! | null | — | — |
//! | the installed runtime (`entered` false) | the `RUNTIME` slot | `set_base`, called whenever the slot changes (install, uninstall, the slot's destructor) *before* the slot's handle is dropped |
//! | an entered runtime (`entered` true) | the innermost `Enter` on this thread's stack | that `Enter`'s drop, which restores what it saved *before* dropping its own reference |
//!
//! While an `Enter` is on the stack, a change of the slot does not touch
//! the pointers (they belong to the `Enter`); it marks them `stale`, and the
//! outermost `Enter` re-reads the slot when it exits. `tests/ownership.rs`
//! breaks each rule on purpose (uninstall, drop the last handle and panic from
//! task code, an eager first poll, a callback and a destructor) under
//! valgrind; the executor-only half is in `core_tests.rs` under Miri.
//!
//! An executor may be installed without an `Inner` (the Miri tests of the
//! executor core do so, with a driver of their own, as an `Rc<Executor>`):
//! then only the executor paths work.

use super::executor::{Executor, Runnable};
use super::remote::Remote;
use super::sync::const_thread_local;
use super::{Inner, Runtime};
use std::cell::{Cell, RefCell};
use std::ptr;
use std::rc::Rc;
use std::sync::Arc;

struct Context {
    inner: Cell<*const Inner>,
    executor: Cell<*const Executor>,
    remote: Cell<*const Remote>,
    /// The pointers were set by the innermost [`Enter`] on the stack.
    entered: Cell<bool>,
    /// The installed runtime changed while an `Enter` was on the stack:
    /// the outermost one re-reads it when it exits.
    stale: Cell<bool>,
}

/// The `RUNTIME` slot. Its destructor (the thread exiting) first stops
/// `CONTEXT` from pointing at the runtime, then drops it.
struct Installed(Option<Runtime>);

impl Drop for Installed {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            set_base(None);
            drop(rt);
        }
    }
}

const_thread_local! {
    static CONTEXT: Context = const {
        Context {
            inner: Cell::new(ptr::null()),
            executor: Cell::new(ptr::null()),
            remote: Cell::new(ptr::null()),
            entered: Cell::new(false),
            stale: Cell::new(false),
        }
    }
}

const_thread_local! {
    static RUNTIME: RefCell<Installed> = const { RefCell::new(Installed(None)) }
}

#[cfg(test)]
const_thread_local! {
    /// The executor the core's tests installed (no runtime around it).
    static TEST_EXECUTOR: RefCell<Option<Rc<Executor>>> = const { RefCell::new(None) }
}

/// What an [`Enter`] keeps alive.
enum Keep {
    Runtime(Runtime),
    #[cfg(test)]
    Executor(Rc<Executor>),
}

impl Keep {
    fn executor(&self) -> &Executor {
        match self {
            Keep::Runtime(rt) => rt.inner().executor(),
            #[cfg(test)]
            Keep::Executor(ex) => ex,
        }
    }

    /// The pointers `CONTEXT` holds while this is entered. Each comes from
    /// its `Rc` (`Rc::as_ptr`), so that it may be turned back into one
    /// (its provenance covers the reference counts).
    fn pointers(&self) -> (*const Inner, *const Executor, *const Remote) {
        match self {
            Keep::Runtime(rt) => {
                let ex = rt.inner().executor();
                (
                    Rc::as_ptr(rt.inner()),
                    ptr::from_ref(ex),
                    Arc::as_ptr(ex.remote()),
                )
            }
            #[cfg(test)]
            Keep::Executor(ex) => (ptr::null(), Rc::as_ptr(ex), Arc::as_ptr(ex.remote())),
        }
    }
}

type Saved = (*const Inner, *const Executor, *const Remote, bool);

/// Makes a runtime current for as long as it lives, and keeps it alive
/// meanwhile (see the module documentation).
pub(crate) struct Enter {
    keep: Keep,
    saved: Saved,
}

impl Enter {
    fn new(keep: Keep) -> Enter {
        let (inner, executor, remote) = keep.pointers();
        let saved = CONTEXT.with(|c| {
            (
                c.inner.replace(inner),
                c.executor.replace(executor),
                c.remote.replace(remote),
                c.entered.replace(true),
            )
        });
        Enter { keep, saved }
    }

    pub(super) fn inner(&self) -> &Inner {
        match &self.keep {
            Keep::Runtime(rt) => rt.inner(),
            #[cfg(test)]
            Keep::Executor(_) => unreachable!("the core's tests have no runtime"),
        }
    }

    fn executor(&self) -> &Executor {
        self.keep.executor()
    }
}

impl Drop for Enter {
    fn drop(&mut self) {
        let (inner, executor, remote, entered) = self.saved;
        let refresh = CONTEXT.with(|c| {
            // What is restored is kept alive by an outer `Enter` (entered)
            // or by the slot (not entered, and the slot has not changed
            // meanwhile, or `stale` says so).
            c.inner.set(inner);
            c.executor.set(executor);
            c.remote.set(remote);
            c.entered.set(entered);
            !entered && c.stale.replace(false)
        });
        if refresh {
            let installed = RUNTIME
                .try_with(|slot| slot.try_borrow().ok().and_then(|s| s.0.clone()))
                .ok()
                .flatten();
            set_base(installed.as_ref());
        }
        // `self.keep` is dropped after this: if it is the last handle, the
        // runtime shuts down (entering itself again) with nothing pointing
        // at it.
    }
}

/// Sets the pointers of the installed runtime (`None`: no runtime), or,
/// while an `Enter` owns them, marks them stale.
fn set_base(rt: Option<&Runtime>) {
    CONTEXT.with(|c| {
        if c.entered.get() {
            c.stale.set(true);
            return;
        }
        match rt {
            Some(rt) => {
                let executor = rt.inner().executor();
                c.inner.set(Rc::as_ptr(rt.inner()));
                c.executor.set(ptr::from_ref(executor));
                c.remote.set(Arc::as_ptr(executor.remote()));
            }
            None => {
                #[cfg(test)]
                if let Some((executor, remote)) = test_executor_pointers() {
                    c.inner.set(ptr::null());
                    c.executor.set(executor);
                    c.remote.set(remote);
                    return;
                }
                c.inner.set(ptr::null());
                c.executor.set(ptr::null());
                c.remote.set(ptr::null());
            }
        }
    });
}

/// Makes `rt` this thread's runtime. Panics if the thread already has one.
pub(super) fn install(rt: Runtime) {
    RUNTIME.with(|slot| {
        let mut slot = slot.borrow_mut();
        assert!(
            slot.0.is_none(),
            "plenary_async: this thread already has a runtime (it is created by the first \
             spawn/block_on/sleep on the thread, or by Runtime::attach); attach before any \
             other use, and only once per thread"
        );
        set_base(Some(&rt));
        slot.0 = Some(rt);
    });
}

/// Removes this thread's runtime from the thread-local slot if it is
/// `inner`; the caller drops it.
pub(super) fn uninstall(inner: &Rc<Inner>) -> Option<Runtime> {
    RUNTIME.with(|slot| {
        let mut slot = slot.borrow_mut();
        match &slot.0 {
            Some(rt) if Rc::ptr_eq(rt.inner(), inner) => {
                set_base(None);
                slot.0.take()
            }
            _ => None,
        }
    })
}

/// Makes `rt` current while the returned guard lives (see [`Enter`]).
pub(super) fn enter(rt: Runtime) -> Enter {
    Enter::new(Keep::Runtime(rt))
}

/// An [`Enter`] of the current runtime, or `None` if there is none.
fn enter_current() -> Option<Enter> {
    let (inner, _executor) = CONTEXT.with(|c| (c.inner.get(), c.executor.get()));
    if !inner.is_null() {
        // SAFETY: a non-null `CONTEXT.inner` points to an `Inner` owned by
        // an `Rc` that the slot or an `Enter` on this stack keeps (the
        // module's invariant), so the strong count is at least one and the
        // allocation is live; the new count is given to the `Runtime`,
        // whose drop gives it back.
        let rc = unsafe {
            Rc::increment_strong_count(inner);
            Rc::from_raw(inner)
        };
        return Some(enter(Runtime::from_inner(rc)));
    }
    #[cfg(test)]
    if !_executor.is_null() {
        // SAFETY: as above: the pointer comes from the `Rc<Executor>` in
        // `TEST_EXECUTOR` or an `Enter`'s, alive meanwhile.
        let rc = unsafe {
            Rc::increment_strong_count(_executor);
            Rc::from_raw(_executor)
        };
        return Some(Enter::new(Keep::Executor(rc)));
    }
    None
}

/// Runs `f` with this thread's current runtime, creating a standalone one
/// first if the thread has none. The runtime stays alive, and current,
/// until `f` returns, whatever `f` does.
pub(crate) fn with_current<R>(f: impl FnOnce(&Inner) -> R) -> R {
    f(enter_or_create().inner())
}

/// An [`Enter`] of the current runtime, created (standalone) if the thread
/// has none.
fn enter_or_create() -> Enter {
    enter_current().unwrap_or_else(|| {
        create_standalone();
        enter_current().expect("a runtime was just installed")
    })
}

/// Like [`with_current`] but never creates a runtime.
pub(crate) fn with_existing<R>(f: impl FnOnce(&Inner) -> R) -> Option<R> {
    let enter = enter_current()?;
    #[cfg(test)]
    if matches!(enter.keep, Keep::Executor(_)) {
        return None;
    }
    Some(f(enter.inner()))
}

/// Runs `f` with this thread's current executor, creating a standalone
/// runtime first if the thread has none (see [`with_current`]).
pub(crate) fn with_current_executor<R>(f: impl FnOnce(&Executor) -> R) -> R {
    f(enter_or_create().executor())
}

/// Spawns `future`, queued, on the current executor (creating a
/// standalone runtime if the thread has none).
pub(crate) fn spawn_queued<F>(
    future: F,
    location: &'static std::panic::Location<'static>,
) -> super::Task<F::Output>
where
    F: std::future::Future + 'static,
    F::Output: 'static,
{
    let executor = CONTEXT.with(|c| c.executor.get());
    if !executor.is_null() {
        // SAFETY: a non-null `CONTEXT.executor` points to a live executor
        // (the module's invariant).
        let ex = unsafe { &*executor };
        if ex.spawns_quietly() {
            // The hot path: building the cell and queueing it runs no
            // user code (`spawns_quietly`), so nothing can free the
            // executor during this borrow.
            return ex.spawn(future, location, false);
        }
    }
    with_current_executor(|ex| ex.spawn(future, location, false))
}

/// Like [`with_current_executor`] but never creates a runtime.
pub(crate) fn with_executor<R>(f: impl FnOnce(&Executor) -> R) -> Option<R> {
    let enter = enter_current()?;
    Some(f(enter.executor()))
}

/// A strong handle to this thread's current runtime (created if needed).
pub(crate) fn current() -> Runtime {
    let enter = enter_or_create();
    match &enter.keep {
        Keep::Runtime(rt) => rt.clone(),
        #[cfg(test)]
        Keep::Executor(_) => panic!("the core's tests have no runtime"),
    }
}

fn create_standalone() {
    if RUNTIME.try_with(|_| ()).is_err() {
        panic!(
            "plenary_async: used during thread teardown, after the thread's runtime was dropped"
        );
    }
    // In a library loaded into a host (Neovim), a runtime made here would
    // have a loop of its own that nothing runs: its tasks would never run,
    // and the host's attach would then find the thread taken.
    #[cfg(feature = "host-libuv")]
    panic!("{NOT_ATTACHED}");
    #[cfg(not(feature = "host-libuv"))]
    install(Runtime::from_inner(Inner::new_standalone()));
}

/// The panic of a call that needs a runtime on a thread that has none,
/// with the `host-libuv` feature (which makes none by itself).
#[cfg(feature = "host-libuv")]
pub(crate) const NOT_ATTACHED: &str = "plenary_async: this thread has no runtime, and with the `host-libuv` feature none is made on first use (nothing would run its loop): attach one to the host's loop first (plenary_async_nvim::attach in a Neovim plugin, or Runtime::attach), and do not use the runtime after it is uninstalled";

#[cfg(test)]
fn test_executor_pointers() -> Option<(*const Executor, *const Remote)> {
    TEST_EXECUTOR
        .try_with(|t| {
            t.borrow()
                .as_ref()
                .map(|ex| (Rc::as_ptr(ex), Arc::as_ptr(ex.remote())))
        })
        .ok()
        .flatten()
}

/// Makes `executor` this thread's executor, with no runtime around it (the
/// core's tests, which drive it themselves).
#[cfg(test)]
pub(crate) fn install_executor(executor: Rc<Executor>) {
    TEST_EXECUTOR.with(|t| {
        let mut t = t.borrow_mut();
        assert!(t.is_none(), "this thread already has an executor");
        *t = Some(executor);
    });
    set_base(None);
}

/// Undoes [`install_executor`]; the executor lives on while an `Enter` (a
/// poll in progress) holds it.
#[cfg(test)]
pub(crate) fn uninstall_executor() {
    let old = TEST_EXECUTOR.with(|t| t.borrow_mut().take());
    set_base(None);
    drop(old);
}

/// Whether `CONTEXT` points at `inner` (never true once its last handle
/// has gone: a check of the module's invariant).
pub(super) fn points_at(inner: *const Inner) -> bool {
    CONTEXT
        .try_with(|c| c.inner.get() == inner)
        .unwrap_or(false)
}

/// Whether `remote` is the remote of this thread's current runtime (so
/// the task it belongs to is this thread's).
pub(super) fn is_current_remote(remote: *const Remote) -> bool {
    CONTEXT.with(|c| c.remote.get() == remote)
}

/// Queues a runnable on this thread's executor, which is its task's (the
/// caller checked); or, where this thread's current runtime is another
/// (a detached runtime still ticking), posts it to its task's remote.
pub(super) fn schedule(runnable: Runnable) {
    let executor = CONTEXT.with(|c| {
        if c.remote.get() == Arc::as_ptr(runnable.remote()) {
            c.executor.get()
        } else {
            ptr::null()
        }
    });
    if executor.is_null() {
        return runnable.post();
    }
    // The remote matches, so the current executor is the task's own.
    // SAFETY: a non-null `CONTEXT.executor` points to a live executor (the
    // module's invariant); this shared borrow only reads a flag.
    if unsafe { &*executor }.is_draining() {
        // The hot path: a wake while the executor polls its tasks. Whoever
        // drives that poll (`Runtime::tick`, `block_on`, an eager spawn)
        // holds the runtime through an `Enter` of its own until it
        // returns, and a push while draining only queues (it never arms
        // the driver, so no host hook, no user code, runs meanwhile).
        // SAFETY: alive, as just said.
        unsafe { &*executor }.push_local(runnable);
    } else {
        schedule_outside_a_poll(runnable);
    }
}

/// Outside a poll, pushing may call a host's hook (user code): an `Enter`
/// keeps the runtime alive across it.
#[cold]
fn schedule_outside_a_poll(runnable: Runnable) {
    match enter_current() {
        Some(enter) => enter.executor().push_event(runnable),
        None => runnable.post(),
    }
}

/// Wake-up of the future that `block_on` drives.
pub(super) fn wake_main(remote: &Arc<Remote>) {
    remote.set_main_woken();
    let inner = CONTEXT.with(|c| {
        if c.remote.get() == Arc::as_ptr(remote) {
            c.inner.get()
        } else {
            ptr::null()
        }
    });
    if inner.is_null() {
        remote.signal();
    } else {
        // SAFETY: a non-null `CONTEXT.inner` points to a live runtime (the
        // module's invariant); `interrupt_loop` only sets flags and calls
        // `uv_stop`, no user code, so nothing frees it meanwhile.
        unsafe { &*inner }.interrupt_loop();
    }
}
