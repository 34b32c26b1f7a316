//! Owned libuv handles: memory sized by `uv_handle_size`, a Rust state
//! attached through the handle's `data` field, and freeing that happens only
//! in the `uv_close` callback.

use super::sys::{self, uv_handle_t, uv_handle_type};
use std::alloc::{alloc_zeroed, dealloc, handle_alloc_error, Layout};
use std::ffi::c_int;
use std::marker::PhantomData;
use std::ptr::NonNull;

/// Alignment of handle memory: libuv's structs hold pointers and 64-bit
/// integers; 16 is what malloc gives on every platform libuv supports.
const ALIGN: usize = 16;

fn layout(kind: uv_handle_type) -> Layout {
    // SAFETY: uv_handle_size has no preconditions; it returns 0 for an invalid
    // kind, which we never pass.
    let size = unsafe { sys::uv_handle_size(kind) };
    Layout::from_size_align(size.max(1), ALIGN).expect("libuv handle size")
}

/// Zeroed memory for a handle of `kind`, and its layout.
fn alloc(kind: uv_handle_type) -> (NonNull<uv_handle_t>, Layout) {
    let layout = layout(kind);
    // SAFETY: layout has a non-zero size.
    let raw = unsafe { alloc_zeroed(layout) } as *mut uv_handle_t;
    match NonNull::new(raw) {
        Some(raw) => (raw, layout),
        None => handle_alloc_error(layout),
    }
}

/// An initialised libuv handle of some kind, owning a state `S`.
///
/// Dropping it calls `uv_close`; the memory of the handle and of `S` is freed
/// in the close callback, after libuv is done with them. Until then `S` is
/// reachable from libuv callbacks through the handle's `data` field.
pub(crate) struct Handle<S> {
    raw: NonNull<uv_handle_t>,
    _state: PhantomData<S>,
}

impl<S> Handle<S> {
    /// Allocates a handle of `kind`, runs `init` on it (`uv_timer_init` and
    /// friends) and attaches `state`. On failure the memory is freed at once
    /// (libuv has not registered it) and the error code returned.
    ///
    /// # Safety
    /// `init` must initialise a handle of type `kind` in the memory it is
    /// given, on a live loop of this thread, and return libuv's result code.
    pub(crate) unsafe fn new<H>(
        kind: uv_handle_type,
        state: S,
        init: impl FnOnce(*mut H) -> c_int,
    ) -> Result<Self, c_int> {
        let (raw, layout) = alloc(kind);
        // `raw` points to enough zeroed memory for a handle of `kind`; the
        // caller vouches for `init`.
        let rc = init(raw.as_ptr().cast());
        if rc < 0 {
            // SAFETY: init failed, so libuv holds no reference to the memory.
            unsafe { dealloc(raw.as_ptr().cast(), layout) };
            return Err(rc);
        }
        let state = Box::into_raw(Box::new(state));
        // SAFETY: `raw` is an initialised handle.
        unsafe { sys::uv_handle_set_data(raw.as_ptr(), state.cast()) };
        Ok(Handle {
            raw,
            _state: PhantomData,
        })
    }

    /// Like [`new`](Self::new), for an `init` that registers the handle with
    /// the loop even when it fails (`uv_spawn`): on failure the handle is
    /// closed through `uv_close`, as libuv requires, and freed in the close
    /// callback.
    ///
    /// # Safety
    /// As for [`new`](Self::new).
    pub(crate) unsafe fn new_closing_on_error<H>(
        kind: uv_handle_type,
        state: S,
        init: impl FnOnce(*mut H) -> c_int,
    ) -> Result<Self, c_int> {
        let (raw, _) = alloc(kind);
        let state = Box::into_raw(Box::new(state));
        // SAFETY: zeroed handle memory: `data` is set before init, which keeps it.
        unsafe { sys::uv_handle_set_data(raw.as_ptr(), state.cast()) };
        let rc = init(raw.as_ptr().cast());
        // SAFETY: init registered the handle (even on failure, for the
        // functions this is for); make sure `data` still holds the state.
        unsafe { sys::uv_handle_set_data(raw.as_ptr(), state.cast()) };
        let handle = Handle {
            raw,
            _state: PhantomData,
        };
        if rc < 0 {
            drop(handle); // uv_close; freed in the close callback
            return Err(rc);
        }
        Ok(handle)
    }

    /// The Rust state attached to the handle. It lives until the close
    /// callback, which runs only after this `Handle` is dropped.
    pub(crate) fn state(&self) -> &S {
        // SAFETY: `data` is the `Box<S>` from `new`, freed only in the close
        // callback, after `self` (which borrows it here) is gone.
        unsafe { &*(sys::uv_handle_get_data(self.raw.as_ptr()) as *const S) }
    }

    /// The handle, cast to its concrete libuv type.
    pub(crate) fn as_ptr<H>(&self) -> *mut H {
        self.raw.as_ptr().cast()
    }

    /// `uv_ref`/`uv_unref`: whether this handle keeps the loop alive.
    pub(crate) fn set_ref(&self, keep_alive: bool) {
        // SAFETY: the handle is initialised and not closing.
        unsafe {
            if keep_alive {
                sys::uv_ref(self.raw.as_ptr())
            } else {
                sys::uv_unref(self.raw.as_ptr())
            }
        }
    }
}

impl<S> Drop for Handle<S> {
    fn drop(&mut self) {
        // SAFETY: the handle is initialised and `Handle` is the only owner, so
        // it has not been closed yet; closing an active handle stops it.
        unsafe { sys::uv_close(self.raw.as_ptr(), Some(close_cb::<S>)) }
    }
}

unsafe extern "C" fn close_cb<S>(raw: *mut uv_handle_t) {
    super::callback_guard("close", || {
        // SAFETY: libuv calls this once, after it has stopped using the
        // handle; `data` is the `Box<S>` from `new` and the memory came from
        // `alloc_zeroed` with the layout for the handle's type.
        unsafe {
            let state = sys::uv_handle_get_data(raw) as *mut S;
            let kind = sys::uv_handle_get_type(raw);
            dealloc(raw.cast(), layout(kind));
            drop(Box::from_raw(state));
        }
    })
}

/// The state attached to a handle, from inside one of its callbacks.
///
/// # Safety
/// `raw` must be a live handle created by [`Handle::new`] with state `S`;
/// libuv calls handle callbacks only before the close callback, which frees
/// the state.
pub(crate) unsafe fn state_of<'a, S>(raw: *const uv_handle_t) -> &'a S {
    // SAFETY: the caller's contract.
    unsafe { &*(sys::uv_handle_get_data(raw) as *const S) }
}
