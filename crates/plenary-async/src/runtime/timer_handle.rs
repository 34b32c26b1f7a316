//! The runtime's one `uv_timer_t`: started for the earliest deadline of the
//! runtime's timer heap (see `runtime::timers`), whose `fire` it calls.

use crate::ffi::handle::Handle;
use crate::ffi::sys::{self, uv_loop_t, uv_timer_t};

/// An owned `uv_timer_t`. Dropping it stops and closes the timer.
pub(crate) struct Timer {
    handle: Handle<()>,
}

impl Timer {
    /// Creates a stopped timer on `loop_`; when it fires it calls `on_fire`.
    ///
    /// # Safety
    /// `loop_` must be a live loop run on this thread.
    pub(crate) unsafe fn new(loop_: *mut uv_loop_t) -> Result<Timer, crate::Error> {
        // SAFETY: uv_timer_init initialises a UV_TIMER handle on the caller's
        // live loop.
        let handle = unsafe { Handle::new(sys::UV_TIMER, (), |h| sys::uv_timer_init(loop_, h)) }
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

unsafe extern "C" fn on_timer(_raw: *mut uv_timer_t) {
    crate::ffi::callback_guard("timer", || {
        super::with_existing(|rt| rt.timers().fire());
    })
}
