//! A one-shot libuv timer that wakes a task: the piece under `util::sleep`.

use super::handle::{state_of, Handle};
use super::sys::{self, uv_loop_t, uv_timer_t};
use std::cell::Cell;
use std::task::{Context, Poll, Waker};

#[derive(Default)]
struct TimerState {
    fired: Cell<bool>,
    waker: Cell<Option<Waker>>,
}

/// An owned `uv_timer_t`. Dropping it stops and closes the timer.
pub(crate) struct Timer {
    handle: Handle<TimerState>,
}

impl Timer {
    /// Creates a stopped timer on `loop_`.
    ///
    /// # Safety
    /// `loop_` must be the live loop of this thread's runtime.
    pub(crate) unsafe fn new(loop_: *mut uv_loop_t) -> Result<Timer, crate::Error> {
        // SAFETY: uv_timer_init initialises a UV_TIMER handle on the caller's
        // live loop.
        let handle = unsafe {
            Handle::new(sys::UV_TIMER, TimerState::default(), |h| {
                sys::uv_timer_init(loop_, h)
            })
        }
        .map_err(|code| super::check("uv_timer_init", code).unwrap_err())?;
        Ok(Timer { handle })
    }

    /// (Re)starts the timer to fire once after `ms` milliseconds of loop time.
    /// `update_time` first refreshes the loop's cached clock, so that the timer
    /// does not fire early when the loop has been busy since its iteration began.
    pub(crate) fn start(&self, ms: u64, update_time: bool) {
        self.handle.state().fired.set(false);
        let raw = self.handle.as_ptr::<uv_timer_t>();
        // SAFETY: the handle is an initialised, open timer on a live loop.
        unsafe {
            if update_time {
                sys::uv_update_time(sys_loop(raw));
            }
            let rc = sys::uv_timer_start(raw, Some(on_timer), ms, 0);
            debug_assert_eq!(rc, 0, "uv_timer_start with a callback cannot fail");
        }
    }

    /// `Ready` once the timer has fired since the last `start`; otherwise
    /// remembers the waker to wake when it does.
    pub(crate) fn poll_fired(&self, cx: &mut Context<'_>) -> Poll<()> {
        let state = self.handle.state();
        if state.fired.get() {
            return Poll::Ready(());
        }
        let waker = match state.waker.take() {
            Some(w) if w.will_wake(cx.waker()) => w,
            _ => cx.waker().clone(),
        };
        state.waker.set(Some(waker));
        Poll::Pending
    }
}

fn sys_loop(raw: *mut uv_timer_t) -> *mut uv_loop_t {
    // SAFETY: `raw` is an initialised handle.
    unsafe { sys::uv_handle_get_loop(raw.cast()) }
}

unsafe extern "C" fn on_timer(raw: *mut uv_timer_t) {
    super::callback_guard("timer", || {
        // SAFETY: libuv calls this only for an open timer made by
        // `Timer::new`, whose state lives until its close callback.
        let state: &TimerState = unsafe { state_of(raw.cast()) };
        state.fired.set(true);
        if let Some(w) = state.waker.take() {
            w.wake();
        }
    })
}
