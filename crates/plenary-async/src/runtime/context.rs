//! Which runtime belongs to this thread, and how a wake finds it.
//!
//! Two thread-locals: `RUNTIME` owns the thread's runtime (and drops it when
//! the thread exits); `CONTEXT` holds raw pointers to it for the hot paths
//! (scheduling a task, registering a timer): to the whole runtime (`Inner`,
//! for the loop and the timers), to its executor (for the schedule
//! function), and to its remote (to tell this thread's tasks from others').
//! `CONTEXT` has a `const` initialiser and no destructor, so it can be read
//! at any time, even while thread-locals are being torn down.
//!
//! An executor may be installed without an `Inner` (the Miri tests of the
//! executor core do so, with a driver of their own): then only the
//! executor paths work, and the runtime's (libuv) paths would try to
//! create a standalone runtime and panic.

use super::executor::{Executor, Runnable};
use super::remote::Remote;
use super::{Inner, Runtime};
use std::cell::{Cell, RefCell};
use std::ptr;
use std::rc::Rc;
use std::sync::Arc;

struct Context {
    inner: Cell<*const Inner>,
    executor: Cell<*const Executor>,
    remote: Cell<*const Remote>,
}

thread_local! {
    static CONTEXT: Context = const {
        Context {
            inner: Cell::new(ptr::null()),
            executor: Cell::new(ptr::null()),
            remote: Cell::new(ptr::null()),
        }
    };
    static RUNTIME: RefCell<Option<Runtime>> = const { RefCell::new(None) };
}

/// Makes `rt` this thread's runtime. Panics if the thread already has one.
pub(super) fn install(rt: Runtime) {
    let fresh = CONTEXT.with(|c| c.executor.get().is_null());
    RUNTIME.with(|slot| {
        let mut slot = slot.borrow_mut();
        assert!(
            fresh && slot.is_none(),
            "plenary_async: this thread already has a runtime (it is created by the first \
             spawn/block_on/sleep on the thread, or by Runtime::attach); attach before any \
             other use, and only once per thread"
        );
        let inner = rt.inner();
        CONTEXT.with(|c| {
            c.inner.set(Rc::as_ptr(inner));
            c.executor.set(ptr::from_ref(inner.executor()));
            c.remote.set(Arc::as_ptr(inner.executor().remote()));
        });
        *slot = Some(rt);
    });
}

/// Removes this thread's runtime from the thread-local slot if it is
/// `inner` (it is dropped when the last `Runtime` handle goes).
pub(super) fn uninstall(inner: &Rc<Inner>) -> Option<Runtime> {
    RUNTIME.with(|slot| {
        let mut slot = slot.borrow_mut();
        match &*slot {
            Some(rt) if Rc::ptr_eq(rt.inner(), inner) => slot.take(),
            _ => None,
        }
    })
}

/// Called at the very end of `Inner`'s destructor (and by `detach`).
pub(super) fn clear(inner: *const Inner) {
    CONTEXT.with(|c| {
        if c.inner.get() == inner {
            c.inner.set(ptr::null());
            c.executor.set(ptr::null());
            c.remote.set(ptr::null());
        }
    });
}

/// Runs `f` with this thread's runtime, creating a standalone one first if
/// the thread has none.
pub(crate) fn with_current<R>(f: impl FnOnce(&Inner) -> R) -> R {
    let mut p = CONTEXT.with(|c| c.inner.get());
    if p.is_null() {
        create_standalone();
        p = CONTEXT.with(|c| c.inner.get());
    }
    // SAFETY: CONTEXT.inner is non-null only between `install` and the end
    // of that Inner's destructor (or `detach`); `f` runs synchronously on
    // this thread and the thread-local RUNTIME keeps the Inner alive
    // meanwhile (a runtime is only dropped by `Runtime::detach` or by the
    // thread exiting, and the long-running users, `block_on` and `tick`,
    // hold an Rc of their own).
    f(unsafe { &*p })
}

/// Like [`with_current`] but never creates a runtime.
pub(crate) fn with_existing<R>(f: impl FnOnce(&Inner) -> R) -> Option<R> {
    let p = CONTEXT.with(|c| c.inner.get());
    // SAFETY: as in `with_current`.
    (!p.is_null()).then(|| f(unsafe { &*p }))
}

/// Runs `f` with this thread's executor, creating a standalone runtime
/// first if the thread has none.
pub(crate) fn with_current_executor<R>(f: impl FnOnce(&Executor) -> R) -> R {
    let mut p = CONTEXT.with(|c| c.executor.get());
    if p.is_null() {
        create_standalone();
        p = CONTEXT.with(|c| c.executor.get());
    }
    // SAFETY: as in `with_current`: the executor is a field of the Inner
    // (or, in the core's tests, lives until `uninstall_executor`).
    f(unsafe { &*p })
}

/// Like [`with_current_executor`] but never creates a runtime.
pub(crate) fn with_executor<R>(f: impl FnOnce(&Executor) -> R) -> Option<R> {
    let p = CONTEXT.with(|c| c.executor.get());
    // SAFETY: as in `with_current_executor`.
    (!p.is_null()).then(|| f(unsafe { &*p }))
}

/// A strong handle to this thread's runtime (created if needed).
pub(crate) fn current() -> Runtime {
    with_current(|_| ());
    RUNTIME
        .try_with(|slot| slot.borrow().clone())
        .ok()
        .flatten()
        .expect("plenary_async: the runtime of this thread is shutting down")
}

fn create_standalone() {
    let rt = Runtime::from_inner(Inner::new_standalone());
    if RUNTIME.try_with(|_| ()).is_err() {
        panic!(
            "plenary_async: used during thread teardown, after the thread's runtime was dropped"
        );
    }
    install(rt);
}

/// Makes `executor` this thread's executor, with no runtime around it (the
/// core's tests, which drive it themselves).
///
/// # Safety
/// `executor` must stay alive, and not move, until
/// [`uninstall_executor`] is called on this thread.
#[cfg(test)]
pub(crate) unsafe fn install_executor(executor: &Executor) {
    CONTEXT.with(|c| {
        assert!(
            c.executor.get().is_null(),
            "this thread already has an executor"
        );
        c.executor.set(ptr::from_ref(executor));
        c.remote.set(Arc::as_ptr(executor.remote()));
    });
}

/// Undoes [`install_executor`].
#[cfg(test)]
pub(crate) fn uninstall_executor() {
    CONTEXT.with(|c| {
        c.executor.set(ptr::null());
        c.remote.set(ptr::null());
    });
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
    let local = CONTEXT.with(|c| {
        if c.remote.get() == Arc::as_ptr(runnable.remote()) {
            c.executor.get()
        } else {
            ptr::null()
        }
    });
    if local.is_null() {
        runnable.post();
    } else {
        // SAFETY: as in `with_current_executor`; the remote matches, so this
        // is the task's own executor, alive on this thread.
        unsafe { &*local }.push_local(runnable);
    }
}

/// Wake-up of the future that `block_on` drives.
pub(super) fn wake_main(remote: &Arc<Remote>) {
    remote.set_main_woken();
    let local = CONTEXT.with(|c| {
        if c.remote.get() == Arc::as_ptr(remote) {
            c.inner.get()
        } else {
            ptr::null()
        }
    });
    if local.is_null() {
        remote.signal();
    } else {
        // SAFETY: as in `with_current`.
        unsafe { &*local }.interrupt_loop();
    }
}
