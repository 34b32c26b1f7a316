//! Signals as a stream of deliveries (plenary's `a.uv` signal handles).
//!
//! ```
//! use plenary_async as a;
//! use futures_util::StreamExt;
//!
//! a::block_on(async {
//!     let mut usr1 = a::uv::signal::signal(libc::SIGUSR1)?;
//!     // Send it to ourselves.
//!     unsafe { libc::kill(libc::getpid(), libc::SIGUSR1) };
//!     assert_eq!(usr1.next().await, Some(libc::SIGUSR1));
//!     Ok::<_, a::Error>(())
//! })
//! .unwrap();
//! ```

use crate::ffi::handle::{state_of, Handle};
use crate::ffi::sys::{self, uv_signal_t};
use crate::Error;
use std::cell::Cell;
use std::ffi::c_int;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

struct SignalState {
    pending: Cell<usize>,
    waker: Cell<Option<Waker>>,
}

/// Starts watching `signum`: the returned [`Signal`] yields the signal
/// number once per delivery libuv reports (deliveries that arrive while
/// one is pending may be merged, as the OS does). While it exists, the
/// signal's default action (ending the process, for most) is replaced. A
/// signal number that does not exist is `EINVAL`.
///
/// ```
/// let err = plenary_async::uv::signal::signal(12345).unwrap_err();
/// assert!(err.to_string().starts_with("signal_start failed: EINVAL"), "{err}");
/// ```
pub fn signal(signum: i32) -> Result<Signal, Error> {
    let loop_ = crate::runtime::with_current(|rt| rt.uv_loop());
    let state = SignalState {
        pending: Cell::new(0),
        waker: Cell::new(None),
    };
    // SAFETY: a fresh signal handle on this thread's live loop.
    let handle = unsafe { Handle::new(sys::UV_SIGNAL, state, |h| sys::uv_signal_init(loop_, h)) }
        .map_err(|code| uv_error("signal_init", code, signum))?;
    // SAFETY: a live signal handle; the callback finds its state in `data`.
    let rc = unsafe { sys::uv_signal_start(handle.as_ptr(), Some(on_signal), signum) };
    if rc < 0 {
        return Err(uv_error("signal_start", rc, signum));
    }
    // A signal watcher should not keep the loop alive on its own.
    handle.set_ref(false);
    Ok(Signal { handle, signum })
}

fn uv_error(op: &'static str, code: c_int, signum: i32) -> Error {
    Error::uv(op, code, Some(format!("signal {signum}")))
}

unsafe extern "C" fn on_signal(handle: *mut uv_signal_t, _signum: c_int) {
    crate::ffi::callback_guard("signal", || {
        // SAFETY: a live signal handle made by `signal`.
        let st: &SignalState = unsafe { state_of(handle.cast()) };
        st.pending.set(st.pending.get() + 1);
        if let Some(w) = st.waker.take() {
            w.wake();
        }
    })
}

/// The deliveries of one signal, as a [`Stream`](futures_core::Stream) that
/// never ends. Dropping it stops watching (and restores the default
/// action).
///
/// ```
/// let s = plenary_async::uv::signal::signal(libc::SIGUSR2).unwrap();
/// assert_eq!(s.signum(), libc::SIGUSR2);
/// ```
pub struct Signal {
    handle: Handle<SignalState>,
    signum: i32,
}

impl Signal {
    /// The signal watched.
    ///
    /// ```
    /// let s = plenary_async::uv::signal::signal(libc::SIGWINCH).unwrap();
    /// assert_eq!(s.signum(), libc::SIGWINCH);
    /// ```
    pub fn signum(&self) -> i32 {
        self.signum
    }

    /// Waits for the next delivery.
    ///
    /// # Cancel safety
    ///
    /// A delivery is never lost to a dropped
    /// future: it stays counted for the next call.
    ///
    /// ```
    /// use plenary_async as a;
    /// a::block_on(async {
    ///     let mut usr2 = a::uv::signal::signal(libc::SIGUSR2)?;
    ///     unsafe { libc::raise(libc::SIGUSR2) };
    ///     assert_eq!(usr2.recv().await, libc::SIGUSR2);
    ///     Ok::<_, a::Error>(())
    /// })
    /// .unwrap();
    /// ```
    pub async fn recv(&mut self) -> i32 {
        std::future::poll_fn(|cx| self.poll_delivery(cx)).await
    }

    fn poll_delivery(&self, cx: &mut Context<'_>) -> Poll<i32> {
        let st = self.handle.state();
        if st.pending.get() > 0 {
            st.pending.set(st.pending.get() - 1);
            return Poll::Ready(self.signum);
        }
        st.waker.set(Some(cx.waker().clone()));
        Poll::Pending
    }
}

impl futures_core::Stream for Signal {
    type Item = i32;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<i32>> {
        self.poll_delivery(cx).map(Some)
    }
}

impl fmt::Debug for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signal")
            .field("signum", &self.signum)
            .finish()
    }
}
