//! The door into a runtime from other threads.
//!
//! A waker may be called from any thread (a thread-pool completion, a user
//! thread, a `wrap`ped callback). Such a wake pushes the task onto this
//! mutex-protected queue and signals the runtime's thread (with libuv, a
//! `uv_async_send`, libuv's one thread-safe function, which makes the loop
//! call the runtime's async callback on its own thread); the next `tick`
//! moves the queue into the local run queue. No wake is lost: the push
//! happens before the signal, under the lock that the runtime's shutdown
//! also takes before closing what the signal reaches.
//!
//! The signal is a function and a pointer given by the driver
//! ([`Signal`]), so this module knows nothing of libuv.

use super::cell::Letter;
use super::sync::{current_thread, AtomicBool, Mutex, MutexGuard, Ordering, ThreadId};

pub(crate) struct Remote {
    /// The runtime's thread (where the remote was made).
    owner: ThreadId,
    /// A hint that `queue` is not empty, so that a tick need not lock.
    pending: AtomicBool,
    /// The future driven by `block_on` was woken.
    main_woken: AtomicBool,
    state: Mutex<RemoteQueue>,
}

/// How a wake from another thread reaches the runtime's thread:
/// `send(target)`, which must be callable from any thread while `target`
/// lives (libuv's `uv_async_send` on the runtime's `uv_async_t`).
#[derive(Clone, Copy)]
pub(crate) struct Signal {
    pub(crate) target: *mut (),
    pub(crate) send: unsafe fn(*mut ()),
}

struct RemoteQueue {
    queue: Vec<Letter>,
    /// `None` before the driver sets it and once the runtime has shut down.
    signal: Option<Signal>,
}

// SAFETY: the only non-Send field is the signal's target pointer; it is
// used only under the mutex, by `send` (callable from any thread: the
// `Signal` contract), and removed under the mutex before the target is
// closed.
unsafe impl Send for RemoteQueue {}

impl Remote {
    pub(super) fn new() -> Remote {
        Remote {
            owner: current_thread().id(),
            pending: AtomicBool::new(false),
            main_woken: AtomicBool::new(false),
            state: Mutex::new(RemoteQueue {
                queue: Vec::new(),
                signal: None,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, RemoteQueue> {
        // The critical sections cannot panic; recover from poison anyway.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sets how to signal the runtime's thread.
    ///
    /// # Safety
    /// `signal.send(signal.target)` must be sound from any thread until
    /// [`close`](Self::close) returns.
    pub(super) unsafe fn set_signal(&self, signal: Signal) {
        self.lock().signal = Some(signal);
    }

    /// Queues a message from another thread (a wake, a release) and
    /// signals the loop. Once the runtime is gone, gives the letter back.
    pub(super) fn post(&self, letter: Letter) -> Result<(), Letter> {
        let mut state = self.lock();
        let Some(signal) = state.signal else {
            return Err(letter);
        };
        state.queue.push(letter);
        self.pending.store(true, Ordering::Release);
        // SAFETY: set under the lock and not yet closed (`set_signal`'s
        // contract: callable from any thread).
        unsafe { (signal.send)(signal.target) };
        Ok(())
    }

    /// Whether this is the runtime's thread (its current runtime may be
    /// another one, or none).
    pub(super) fn on_owner_thread(&self) -> bool {
        current_thread().id() == self.owner
    }

    /// Signals the loop without queueing anything.
    pub(super) fn signal(&self) {
        let state = self.lock();
        if let Some(signal) = state.signal {
            // SAFETY: as in `push`.
            unsafe { (signal.send)(signal.target) };
        }
    }

    pub(super) fn has_pending(&self) -> bool {
        self.pending.load(Ordering::Acquire)
    }

    /// Takes the messages from other threads.
    pub(super) fn take(&self) -> Vec<Letter> {
        // A compare-exchange rather than a swap: the same here, and loom
        // models it faithfully (its swap racing a store can produce
        // histories no machine can: tokio-rs/loom#254, #389).
        if self
            .pending
            .compare_exchange(true, false, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            std::mem::take(&mut self.lock().queue)
        } else {
            Vec::new()
        }
    }

    pub(super) fn set_main_woken(&self) {
        self.main_woken.store(true, Ordering::Release);
    }

    pub(super) fn main_woken(&self) -> bool {
        self.main_woken.load(Ordering::Acquire)
    }

    pub(super) fn take_main_woken(&self) -> bool {
        self.main_woken.load(Ordering::Acquire)
            && self
                .main_woken
                .compare_exchange(true, false, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
    }

    /// Called at shutdown, before the signal's target is closed: later
    /// wakes from other threads find no signal and leak their task.
    pub(super) fn close(&self) -> Vec<Letter> {
        let mut state = self.lock();
        state.signal = None;
        std::mem::take(&mut state.queue)
    }
}
