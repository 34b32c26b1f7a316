//! The runtime's one `uv_timer_t`: started for the earliest deadline of the
//! runtime's timer heap (see `runtime::timers`), whose `fire` it calls.

use super::{Inner, Runtime};
use crate::ffi::handle::Handle;
use crate::ffi::sys::{self, uv_loop_t, uv_timer_t};
use std::rc::Weak;

/// An owned `uv_timer_t`. Dropping it stops and closes the timer.
pub(crate) struct Timer {
    /// Its state is the runtime it belongs to.
    handle: Handle<Weak<Inner>>,
}

impl Timer {
    /// Creates a stopped timer on `loop_`; when it fires it calls `on_fire`.
    ///
    /// # Safety
    /// `loop_` must be a live loop run on this thread.
    pub(crate) unsafe fn new(
        loop_: *mut uv_loop_t,
        owner: Weak<Inner>,
    ) -> Result<Timer, crate::Error> {
        // SAFETY: uv_timer_init initialises a UV_TIMER handle on the caller's
        // live loop.
        let handle = unsafe { Handle::new(sys::UV_TIMER, owner, |h| sys::uv_timer_init(loop_, h)) }
            .map_err(|code| crate::ffi::check("uv_timer_init", code).unwrap_err())?;
        Ok(Timer { handle })
    }

    /// (Re)starts the timer to fire once after `ms` milliseconds, counted
    /// from now: the loop's cached clock is refreshed first, so that the
    /// timer does not fire early when the loop has been busy.
    pub(crate) fn start(&self, ms: u64) {
        let raw = self.handle.as_ptr::<uv_timer_t>();
        // SAFETY: the handle is an initialised, open timer on a live loop.
        unsafe {
            sys::uv_update_time(sys::uv_handle_get_loop(raw.cast()));
            let rc = sys::uv_timer_start(raw, Some(on_timer), ms, 0);
            debug_assert_eq!(rc, 0, "uv_timer_start with a callback cannot fail");
        }
    }

    /// Stops the timer (it no longer keeps the loop alive).
    pub(crate) fn stop(&self) {
        // SAFETY: as in `start`.
        unsafe { sys::uv_timer_stop(self.handle.as_ptr::<uv_timer_t>()) };
    }
}

unsafe extern "C" fn on_timer(raw: *mut uv_timer_t) {
    crate::ffi::callback_guard("timer", || {
        // SAFETY: the runtime's timer, in its callback: its state is the
        // `Weak` it was created with, freed only in its close callback.
        let owner: &Weak<Inner> = unsafe { crate::ffi::handle::state_of(raw.cast()) };
        if let Some(inner) = owner.upgrade() {
            // Entered: what the woken wakers run finds this runtime.
            let rt = super::context::enter(Runtime::from_inner(inner));
            rt.inner().timers().fire();
        }
    })
}
