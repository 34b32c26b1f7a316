//! Which runtime belongs to this thread, and how a wake finds it.
//!
//! Two thread-locals: `RUNTIME` owns the thread's runtime (and drops it when
//! the thread exits); `CONTEXT` holds raw pointers to it for the hot paths
//! (scheduling a task, registering a timer). `CONTEXT` has a `const`
//! initialiser and no destructor, so it can be read at any time, even while
//! thread-locals are being torn down.

use super::remote::Remote;
use super::{Inner, Runnable, Runtime};
use std::cell::{Cell, RefCell};
use std::ptr;
use std::rc::Rc;
use std::sync::Arc;

struct Context {
    inner: Cell<*const Inner>,
    remote: Cell<*const Remote>,
}

thread_local! {
    static CONTEXT: Context = const {
        Context { inner: Cell::new(ptr::null()), remote: Cell::new(ptr::null()) }
    };
    static RUNTIME: RefCell<Option<Runtime>> = const { RefCell::new(None) };
}

/// Makes `rt` this thread's runtime. Panics if the thread already has one.
pub(super) fn install(rt: Runtime) {
    let fresh = CONTEXT.with(|c| c.inner.get().is_null());
    RUNTIME.with(|slot| {
        let mut slot = slot.borrow_mut();
        assert!(
            fresh && slot.is_none(),
            "plenary_async: this thread already has a runtime (it is created by the first \
             spawn/block_on/sleep on the thread, or by Runtime::attach); attach before any \
             other use, and only once per thread"
        );
        CONTEXT.with(|c| {
            c.inner.set(Rc::as_ptr(&rt.inner));
            c.remote.set(Arc::as_ptr(&rt.inner.remote));
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
            Some(rt) if Rc::ptr_eq(&rt.inner, inner) => slot.take(),
            _ => None,
        }
    })
}

/// Called at the very end of `Inner`'s destructor.
pub(super) fn clear(inner: *const Inner) {
    CONTEXT.with(|c| {
        if c.inner.get() == inner {
            c.inner.set(ptr::null());
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
    // of that Inner's destructor; `f` runs synchronously on this thread and
    // the thread-local RUNTIME keeps the Inner alive meanwhile (a runtime is
    // only dropped by `Runtime::detach` or by the thread exiting, and the
    // long-running users, `block_on` and `tick`, hold an Rc of their own).
    f(unsafe { &*p })
}

/// Like [`with_current`] but never creates a runtime.
pub(crate) fn with_existing<R>(f: impl FnOnce(&Inner) -> R) -> Option<R> {
    let p = CONTEXT.with(|c| c.inner.get());
    // SAFETY: as in `with_current`.
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
    let rt = Runtime {
        inner: Inner::new_standalone(),
    };
    if RUNTIME.try_with(|_| ()).is_err() {
        panic!(
            "plenary_async: used during thread teardown, after the thread's runtime was dropped"
        );
    }
    install(rt);
}

/// The schedule function of every task: a wake on the runtime's own thread
/// goes straight to its run queue; a wake from any other thread goes through
/// the runtime's [`Remote`] (a mutex-protected queue and a `uv_async_t`).
pub(super) fn schedule(runnable: Runnable) {
    let remote = runnable.metadata();
    let local = CONTEXT.with(|c| {
        if c.remote.get() == Arc::as_ptr(remote) {
            c.inner.get()
        } else {
            ptr::null()
        }
    });
    if local.is_null() {
        let remote = remote.clone();
        remote.push(runnable);
    } else {
        // SAFETY: as in `with_current`; the remote matches, so this is the
        // task's own runtime, alive on this thread.
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
        // SAFETY: as in `schedule`.
        unsafe { &*local }.interrupt_loop();
    }
}
