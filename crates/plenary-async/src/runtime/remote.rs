//! The door into a runtime from other threads.
//!
//! A waker may be called from any thread (a thread-pool completion, a user
//! thread, a `wrap`ped callback). Such a wake pushes the task onto this
//! mutex-protected queue and calls `uv_async_send`, libuv's one thread-safe
//! function, which makes the loop call the runtime's async callback on its own
//! thread; the next `tick` moves the queue into the local run queue. No wake
//! is lost: the push happens before the signal, under the lock that the
//! runtime's shutdown also takes before closing the `uv_async_t`.

use super::Runnable;
use crate::ffi::sys::{self, uv_async_t};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

pub(crate) struct Remote {
    /// A hint that `queue` is not empty, so that a tick need not lock.
    pending: AtomicBool,
    /// The future driven by `block_on` was woken.
    main_woken: AtomicBool,
    state: Mutex<State>,
}

struct State {
    queue: Vec<Runnable>,
    /// The runtime's `uv_async_t`; null once the runtime has shut down.
    handle: *mut uv_async_t,
}

// SAFETY: the only non-Send field is the `uv_async_t` pointer; it is used
// only under the mutex, for `uv_async_send` (thread-safe by libuv's
// contract), and set to null under the mutex before the handle is closed.
unsafe impl Send for State {}

impl Remote {
    pub(super) fn new() -> Remote {
        Remote {
            pending: AtomicBool::new(false),
            main_woken: AtomicBool::new(false),
            state: Mutex::new(State {
                queue: Vec::new(),
                handle: std::ptr::null_mut(),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The critical sections cannot panic; recover from poison anyway.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn set_handle(&self, handle: *mut uv_async_t) {
        self.lock().handle = handle;
    }

    /// Queues a task woken on another thread and signals the loop.
    pub(super) fn push(&self, runnable: Runnable) {
        let mut state = self.lock();
        if state.handle.is_null() {
            // The runtime is gone. Its tasks were all canceled at shutdown, so
            // async-task does not schedule them any more; should one still
            // arrive, its future may not be Send and must not be dropped on
            // this thread: leaking it is the only sound choice.
            std::mem::forget(runnable);
            return;
        }
        state.queue.push(runnable);
        self.pending.store(true, Ordering::Release);
        // SAFETY: the handle is open (non-null under the lock) and
        // uv_async_send may be called from any thread.
        unsafe { sys::uv_async_send(state.handle) };
    }

    /// Signals the loop without queueing anything.
    pub(super) fn signal(&self) {
        let state = self.lock();
        if !state.handle.is_null() {
            // SAFETY: as in `push`.
            unsafe { sys::uv_async_send(state.handle) };
        }
    }

    pub(super) fn has_pending(&self) -> bool {
        self.pending.load(Ordering::Acquire)
    }

    /// Moves the tasks woken from other threads into `queue`.
    pub(super) fn drain_into(&self, queue: &mut VecDeque<Runnable>) {
        if self.pending.swap(false, Ordering::AcqRel) {
            queue.extend(self.lock().queue.drain(..));
        }
    }

    pub(super) fn set_main_woken(&self) {
        self.main_woken.store(true, Ordering::Release);
    }

    pub(super) fn main_woken(&self) -> bool {
        self.main_woken.load(Ordering::Acquire)
    }

    pub(super) fn take_main_woken(&self) -> bool {
        self.main_woken.load(Ordering::Acquire) && self.main_woken.swap(false, Ordering::AcqRel)
    }

    /// Called at shutdown, before the `uv_async_t` is closed: later wakes
    /// from other threads find no handle and signal nothing.
    pub(super) fn close(&self) -> Vec<Runnable> {
        let mut state = self.lock();
        state.handle = std::ptr::null_mut();
        std::mem::take(&mut state.queue)
    }
}
