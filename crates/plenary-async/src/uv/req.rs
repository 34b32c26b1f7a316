//! A libuv request in flight, and the future that awaits it.
//!
//! libuv owns a request from the call that starts it until its callback:
//! the request's memory, and everything it points into (paths, buffers, a
//! socket address), must live that long even if the awaiting future is
//! dropped first. So the future does not own them: the request, its
//! [`ReqSlot`] and the kept data `K` live on the heap, and whoever comes second
//! frees them: the future if the callback came first (it takes the
//! outcome), the callback if the future went first (it marked the slot
//! *abandoned*; cancellable requests are also `uv_cancel`ed).
//!
//! The outcome is computed in the callback, from the callback's arguments
//! and `K`; if nobody will receive it, it is dropped there, so a value that
//! owns something (an opened file) releases it.

use crate::ffi::sys::{self, uv_req_t, uv_req_type};
use crate::Error;
use std::alloc::{alloc_zeroed, dealloc, handle_alloc_error, Layout};
use std::ffi::c_int;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

fn layout(kind: uv_req_type) -> Layout {
    // SAFETY: uv_req_size has no preconditions; callers pass valid types.
    let size = unsafe { sys::uv_req_size(kind) };
    Layout::from_size_align(size.max(1), 16).expect("libuv request size")
}

/// Everything that must outlive the request, next to it.
///
/// Who touches which field, and when:
///
/// | field | loop thread (future, callback) | thread-pool thread |
/// |---|---|---|
/// | `req`, `kind` | reads | — |
/// | `keep` | `start` (before submit), `complete` (after the work) | the work, between them (through [`keep_ptr`]) |
/// | `outcome`, `waker`, `abandoned` | the future's poll and drop, `complete` | — |
///
/// So the future never makes a reference to the whole slot (that would
/// cover `keep` while the pool may write it): it reaches its own fields
/// through raw field pointers. `complete` runs after the work has ended
/// and may borrow all of it.
struct ReqSlot<K, T> {
    req: *mut uv_req_t,
    kind: uv_req_type,
    keep: K,
    outcome: Option<Result<T, c_int>>,
    waker: Option<Waker>,
    abandoned: bool,
}

/// The future of one request: the outcome, or [`Error::Uv`] naming `op`
/// and `path`.
pub(crate) struct Req<K, T> {
    slot: *mut ReqSlot<K, T>,
    op: &'static str,
    path: Option<String>,
    cancelable: bool,
}

impl<K, T> Req<K, T> {
    /// Allocates a request of `kind` and starts it with `submit`, which gets
    /// the request (as libuv's concrete type `R`) and the kept data, and
    /// returns libuv's result code. `path` is only for error messages;
    /// `cancelable` says whether libuv can `uv_cancel` this kind (file
    /// system and DNS requests).
    ///
    /// # Safety
    /// `submit` must start exactly one libuv operation on the request whose
    /// callback calls [`complete`] with the request's `K` and `T`, and every
    /// pointer it hands libuv must point into `K` (which stays put: it lives
    /// in the heap slot) or into memory that outlives the request.
    pub(crate) unsafe fn start<R>(
        kind: uv_req_type,
        op: &'static str,
        path: Option<String>,
        keep: K,
        cancelable: bool,
        submit: impl FnOnce(*mut R, &mut K) -> c_int,
    ) -> Result<Self, Error> {
        let layout = layout(kind);
        // SAFETY: the layout is libuv's (non-zero) request size.
        let req = unsafe { alloc_zeroed(layout) } as *mut uv_req_t;
        if req.is_null() {
            handle_alloc_error(layout);
        }
        let slot = Box::into_raw(Box::new(ReqSlot {
            req,
            kind,
            keep,
            outcome: None,
            waker: None,
            abandoned: false,
        }));
        // SAFETY: zeroed request memory; `data` may be set before starting.
        unsafe { sys::uv_req_set_data(req, slot.cast()) };
        // SAFETY: the slot was just allocated and is not shared yet.
        let rc = submit(req.cast(), unsafe { &mut (*slot).keep });
        if rc < 0 {
            // libuv did not take the request: nothing will call back.
            // SAFETY: both allocations are ours alone.
            unsafe { free(slot) };
            return Err(Error::uv(op, rc, path));
        }
        crate::runtime::in_flight::started();
        Ok(Req {
            slot,
            op,
            path,
            cancelable,
        })
    }

    /// Lets the request finish without anyone awaiting it; its callback
    /// frees it (and drops the outcome).
    pub(crate) fn detach(self) {
        drop(self);
    }
}

impl<K, T> Future for Req<K, T> {
    type Output = Result<T, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(!this.slot.is_null(), "{} polled after completion", this.op);
        let slot = this.slot;
        // SAFETY: the slot is alive until freed (by us below, or by the
        // callback once abandoned, which it is not). Callbacks run on this
        // thread and never during a poll, and no other thread touches
        // `outcome` or `waker` (see `ReqSlot`): these field borrows are the
        // only access to them now.
        let (outcome, waker) = unsafe {
            (
                &mut *std::ptr::addr_of_mut!((*slot).outcome),
                &mut *std::ptr::addr_of_mut!((*slot).waker),
            )
        };
        match outcome.take() {
            None => {
                match waker {
                    Some(w) if w.will_wake(cx.waker()) => {}
                    _ => *waker = Some(cx.waker().clone()),
                }
                Poll::Pending
            }
            Some(outcome) => {
                // SAFETY: the callback has run and will not touch the slot.
                unsafe { free(this.slot) };
                this.slot = std::ptr::null_mut();
                Poll::Ready(outcome.map_err(|code| Error::uv(this.op, code, this.path.take())))
            }
        }
    }
}

impl<K, T> Drop for Req<K, T> {
    fn drop(&mut self) {
        if self.slot.is_null() {
            return;
        }
        let slot = self.slot;
        // SAFETY: as in `poll`: the loop thread's own fields, by field.
        let finished = unsafe { (*std::ptr::addr_of!((*slot).outcome)).is_some() };
        if finished {
            // Finished, never awaited: drop the outcome with the slot.
            // SAFETY: the callback has run.
            unsafe { free(slot) };
        } else {
            // SAFETY: as above; `req` is never written after `start`.
            let req = unsafe {
                *std::ptr::addr_of_mut!((*slot).abandoned) = true;
                *std::ptr::addr_of_mut!((*slot).waker) = None;
                *std::ptr::addr_of!((*slot).req)
            };
            if self.cancelable {
                // SAFETY: a live request of a cancellable kind. If the work
                // already runs, uv_cancel fails and it completes normally.
                unsafe { sys::uv_cancel(req) };
            }
        }
    }
}

/// Frees a slot and its request.
///
/// # Safety
/// The request's callback must have run (or libuv never took the request),
/// and `slot` must not be used again.
unsafe fn free<K, T>(slot: *mut ReqSlot<K, T>) {
    // SAFETY: the caller's contract; the request came from `alloc_zeroed`
    // with the layout of its kind, the slot from `Box::into_raw`.
    unsafe {
        let slot = Box::from_raw(slot);
        dealloc(slot.req.cast(), layout(slot.kind));
    }
}

/// The kept data of a request in flight, without touching the rest of its
/// slot: for work that runs on libuv's thread pool while the loop thread may
/// mark the slot abandoned.
///
/// # Safety
/// `req` must be a request started by [`Req::start`] with this `K`, whose
/// callback has not run yet; the caller must be the only one using `K`.
pub(crate) unsafe fn keep_ptr<K, T>(req: *mut uv_req_t) -> *mut K {
    // SAFETY: `data` is the live slot (the caller's contract); addr_of_mut
    // makes no reference to the other fields.
    unsafe {
        let slot = sys::uv_req_get_data(req) as *mut ReqSlot<K, T>;
        std::ptr::addr_of_mut!((*slot).keep)
    }
}

/// Finishes a request from its libuv callback: computes the outcome with
/// `outcome` (which may read the callback's arguments and the kept data),
/// then hands it to the waiting future, or drops it and frees everything if
/// the future is gone.
///
/// # Safety
/// `req` must be a request started by [`Req::start`] with these `K` and `T`,
/// in its callback (which libuv calls exactly once).
pub(crate) unsafe fn complete<K, T>(
    req: *mut uv_req_t,
    outcome: impl FnOnce(&mut K) -> Result<T, c_int>,
) {
    crate::runtime::in_flight::done();
    // SAFETY: `data` is the slot set in `start`; it is alive (freed only
    // below, or by the future after this callback), and the work on the
    // thread pool (if any) has ended: this is the only access.
    let slot_ptr = unsafe { sys::uv_req_get_data(req) } as *mut ReqSlot<K, T>;
    // SAFETY: as above.
    let slot = unsafe { &mut *slot_ptr };
    let outcome = outcome(&mut slot.keep);
    if slot.abandoned {
        drop(outcome);
        // SAFETY: the future is gone, and this is the callback.
        unsafe { free(slot_ptr) };
    } else {
        slot.outcome = Some(outcome);
        if let Some(w) = slot.waker.take() {
            w.wake();
        }
    }
}

/// The callback of requests whose only result is a status (connect, write,
/// shutdown, UDP send): `Ok(())` or the error code.
pub(crate) unsafe extern "C" fn on_status<R>(req: *mut R, status: c_int) {
    crate::ffi::callback_guard("request", || {
        // SAFETY: libuv calls this once, for a request started by `Req::start`
        // with `K = StatusKeep` and `T = ()` (the rule for using this
        // callback).
        unsafe {
            complete::<StatusKeep, ()>(
                req.cast(),
                |_| {
                    if status < 0 {
                        Err(status)
                    } else {
                        Ok(())
                    }
                },
            )
        }
    })
}

/// The kept data of every request completed by [`on_status`]: whatever it
/// must keep alive, boxed, so that one callback fits all of them.
pub(crate) type StatusKeep = Box<dyn std::any::Any>;
