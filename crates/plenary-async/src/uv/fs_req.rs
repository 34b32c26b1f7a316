//! One file-system request in flight: a `uv_fs_t`, what it must keep alive
//! (paths, buffers), and the future that awaits it.
//!
//! libuv runs the operation on its thread pool and calls back on the loop
//! thread. The request's memory and everything it points into must live
//! until that callback, even if the awaiting future is dropped first. So the
//! future does not own them: the request, its [`Slot`] and the kept data are
//! one heap allocation that the callback frees when the future has gone
//! (the future marks it *abandoned* and asks libuv to cancel), and that the
//! future frees when the callback has come first.
//!
//! The result is read out of the request in the callback, before
//! `uv_fs_req_cleanup` frees libuv's own allocations (a `scandir` listing, a
//! `readlink` target); if the future has gone, that value is dropped there,
//! so an opened file or directory that nobody will receive is closed again
//! by its own `Drop`.

use super::sys::{self, uv_fs_t, uv_loop_t, uv_req_t};
use crate::Error;
use std::alloc::{alloc_zeroed, dealloc, handle_alloc_error, Layout};
use std::cell::Cell;
use std::ffi::c_int;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

thread_local! {
    /// Requests of this thread's loop whose callback has not run yet; the
    /// runtime's shutdown runs the loop until it is zero, so that abandoned
    /// requests are freed, not leaked.
    static IN_FLIGHT: Cell<usize> = const { Cell::new(0) };
}

/// How many file-system requests of this thread are waiting for libuv.
pub(crate) fn in_flight() -> usize {
    IN_FLIGHT.with(Cell::get)
}

fn req_layout() -> Layout {
    // SAFETY: uv_req_size has no preconditions; UV_FS is a valid type.
    let size = unsafe { sys::uv_req_size(sys::UV_FS) };
    Layout::from_size_align(size, 16).expect("libuv request size")
}

/// Reads the operation's value out of the finished request (called only when
/// libuv's result is not an error). `K` is what the request kept alive.
pub(crate) type Extract<K, T> = fn(&mut K, *mut uv_fs_t, isize) -> T;

/// Everything that must outlive the request, next to it.
struct Slot<K, T> {
    req: *mut uv_fs_t,
    keep: K,
    extract: Extract<K, T>,
    outcome: Option<Result<T, c_int>>,
    waker: Option<Waker>,
    abandoned: bool,
}

/// The future of one request. Resolves to the extracted value, or to
/// [`Error::Uv`] naming `op` and `path`.
pub(crate) struct FsFuture<K, T> {
    slot: *mut Slot<K, T>,
    op: &'static str,
    path: Option<String>,
}

impl<K, T> FsFuture<K, T> {
    /// Allocates a request and starts it with `submit` (which calls one of
    /// `uv_fs_*` with the loop, the request, pointers into `keep` and the
    /// callback). `path` is only for error messages.
    ///
    /// # Safety
    /// `submit` must start exactly one `uv_fs_*` operation on the given
    /// request with the given callback, and any pointer it passes must point
    /// into the `K` it is given (which stays put: it lives in the heap slot)
    /// or into memory that outlives the request.
    pub(crate) unsafe fn start(
        op: &'static str,
        path: Option<String>,
        keep: K,
        extract: Extract<K, T>,
        submit: impl FnOnce(*mut uv_loop_t, *mut uv_fs_t, &mut K, sys::uv_fs_cb) -> c_int,
    ) -> Result<Self, Error> {
        let layout = req_layout();
        // SAFETY: the layout has libuv's (non-zero) request size.
        let req = unsafe { alloc_zeroed(layout) } as *mut uv_fs_t;
        if req.is_null() {
            handle_alloc_error(layout);
        }
        let slot = Box::into_raw(Box::new(Slot {
            req,
            keep,
            extract,
            outcome: None,
            waker: None,
            abandoned: false,
        }));
        // SAFETY: `req` is zeroed memory of the right size; setting `data`
        // before the request starts is allowed.
        unsafe { sys::uv_req_set_data(req.cast::<uv_req_t>(), slot.cast()) };
        let loop_ = crate::runtime::with_current(|rt| rt.uv_loop());
        // SAFETY: the slot was just allocated and is not shared yet.
        let keep = unsafe { &mut (*slot).keep };
        let rc = submit(loop_, req, keep, Some(on_done::<K, T>));
        if rc < 0 {
            // libuv did not take the request: nothing will call back.
            // SAFETY: both allocations are ours alone.
            unsafe {
                drop(Box::from_raw(slot));
                dealloc(req.cast(), layout);
            }
            return Err(Error::Uv {
                op,
                name: super::err_name(rc),
                code: rc,
                path,
            });
        }
        IN_FLIGHT.with(|n| n.set(n.get() + 1));
        Ok(FsFuture { slot, op, path })
    }
}

impl<K, T> Future for FsFuture<K, T> {
    type Output = Result<T, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(!this.slot.is_null(), "{} polled after completion", this.op);
        // SAFETY: the slot is alive until we free it (the callback has not
        // been told we are gone). Callbacks run on this thread, never during
        // a poll, so this is the only access now.
        let slot = unsafe { &mut *this.slot };
        match slot.outcome.take() {
            None => {
                match &slot.waker {
                    Some(w) if w.will_wake(cx.waker()) => {}
                    _ => slot.waker = Some(cx.waker().clone()),
                }
                Poll::Pending
            }
            Some(outcome) => {
                // SAFETY: the callback has run and will not touch the slot or
                // the request again; both are ours to free.
                unsafe { free(this.slot) };
                this.slot = std::ptr::null_mut();
                Poll::Ready(outcome.map_err(|code| Error::Uv {
                    op: this.op,
                    name: super::err_name(code),
                    code,
                    path: this.path.take(),
                }))
            }
        }
    }
}

impl<K, T> Drop for FsFuture<K, T> {
    fn drop(&mut self) {
        if self.slot.is_null() {
            return;
        }
        // SAFETY: as in `poll`.
        let slot = unsafe { &mut *self.slot };
        if slot.outcome.is_some() {
            // Finished but never awaited: the value (an open file, say) is
            // dropped, which releases what it holds.
            // SAFETY: as in `poll`.
            unsafe { free(self.slot) };
        } else {
            // Still in libuv's hands: the callback frees everything. Ask
            // libuv to skip the work if it has not started (the callback then
            // reports UV_ECANCELED); if it has, it finishes normally.
            slot.abandoned = true;
            slot.waker = None;
            // SAFETY: a live fs request; uv_cancel only fails (EBUSY) if the
            // work is already running or done.
            unsafe { sys::uv_cancel(slot.req.cast::<uv_req_t>()) };
        }
    }
}

/// Frees a slot and its request.
///
/// # Safety
/// The request's callback must have run, and `slot` must not be used again.
unsafe fn free<K, T>(slot: *mut Slot<K, T>) {
    // SAFETY: the caller's contract; `req` came from `alloc_zeroed` with
    // `req_layout()`, the slot from `Box::into_raw`.
    unsafe {
        let slot = Box::from_raw(slot);
        dealloc(slot.req.cast(), req_layout());
    }
}

unsafe extern "C" fn on_done<K, T>(req: *mut uv_fs_t) {
    super::callback_guard("fs", || {
        IN_FLIGHT.with(|n| n.set(n.get() - 1));
        // SAFETY: `data` is the slot set in `start`, alive until freed below
        // or by the future, which has not happened: this callback runs once.
        let slot_ptr = unsafe { sys::uv_req_get_data(req.cast::<uv_req_t>()) } as *mut Slot<K, T>;
        let slot = unsafe { &mut *slot_ptr };
        // SAFETY: a finished request; its result and buffers are readable
        // until uv_fs_req_cleanup.
        let result = unsafe { sys::uv_fs_get_result(req) };
        let outcome = if result < 0 {
            Err(result as c_int)
        } else {
            Ok((slot.extract)(&mut slot.keep, req, result))
        };
        // SAFETY: done reading; frees libuv's own allocations for the request.
        unsafe { sys::uv_fs_req_cleanup(req) };
        if slot.abandoned {
            drop(outcome);
            // SAFETY: the future is gone and this was the callback.
            unsafe { free(slot_ptr) };
        } else {
            slot.outcome = Some(outcome);
            if let Some(w) = slot.waker.take() {
                w.wake();
            }
        }
    })
}
