//! The libuv driver of the executor: how a tick gets run.
//!
//! - standalone, `block_on` ticks between `uv_run(ONCE/NOWAIT)` calls; when
//!   work is queued while it sits in `uv_run`, `uv_stop` makes it return;
//! - attached, a `uv_idle_t` on the host's loop ticks while work is queued;
//! - attached with a hook, the host is told that work is queued and calls
//!   `Runtime::tick` from a context of its choosing.
//!
//! Its flags, and who may touch them (all on the runtime's thread):
//!
//! | field | true while | set by | cleared by |
//! |---|---|---|---|
//! | `armed` | a tick has been asked for (idle handle started, hook called, `uv_stop` issued) and has not begun | `arm`, `interrupt_loop` | `disarm` (a tick begins; standalone: each `uv_run` returned) |
//! | `in_uv_run` | standalone `block_on` is inside `uv_run` (only then may `uv_stop` be used to wake it) | `block_on` around `uv_run` | `block_on` (also when it unwinds) |
//! | `kind` | — | construction | `close` at shutdown (`Closed`: arming does nothing) |
//!
//! Invariant: while `armed` is set, a tick will run without another
//! request, so `arm` does nothing more; a tick that leaves work arms again
//! (hosts) or is followed by the next `uv_run(NOWAIT)` (standalone).

use super::executor::Driver;
use super::{Inner, Runtime};
use crate::ffi::handle::Handle;
use crate::ffi::sys::{self, uv_idle_t, uv_loop_t};
use std::cell::{Cell, RefCell};
use std::rc::Weak;

/// Who calls `tick`, as asked for when the runtime is built.
pub(super) enum Driving {
    /// `block_on` on the runtime's own loop. (Never with `host-libuv`.)
    #[cfg_attr(feature = "host-libuv", allow(dead_code))]
    Standalone,
    /// A `uv_idle_t` on the host's loop ([`Kind::Idle`]).
    Idle,
    /// The host's hook ([`Kind::Hook`]).
    Hook(Box<dyn Fn()>),
}

/// Who calls `tick`.
pub(super) enum Kind {
    /// `block_on` drains the queue between turns of the runtime's own loop.
    Standalone,
    /// A `uv_idle_t` on the host loop, active while work is queued.
    /// Its state is the runtime it belongs to.
    Idle(Handle<Weak<Inner>>),
    /// The host is notified and calls `Runtime::tick` itself.
    Hook(Box<dyn Fn()>),
    /// Shut down.
    Closed,
}

/// The executor's [`Driver`] on a libuv loop.
pub(super) struct UvDriver {
    loop_: *mut uv_loop_t,
    kind: RefCell<Kind>,
    /// The driver has been told that work is queued and has not ticked yet.
    armed: Cell<bool>,
    /// Standalone `block_on` is inside `uv_run`.
    in_uv_run: Cell<bool>,
    /// Arming calls a host's hook (`Kind::Hook`).
    hooked: bool,
    /// Made `Kind::Standalone` (`block_on` drives it).
    standalone: bool,
}

impl UvDriver {
    pub(super) fn new(loop_: *mut uv_loop_t, kind: Kind) -> UvDriver {
        UvDriver {
            loop_,
            hooked: matches!(kind, Kind::Hook(_)),
            standalone: matches!(kind, Kind::Standalone),
            kind: RefCell::new(kind),
            armed: Cell::new(false),
            in_uv_run: Cell::new(false),
        }
    }

    pub(super) fn is_standalone(&self) -> bool {
        matches!(*self.kind.borrow(), Kind::Standalone)
    }

    /// Closes the driver (its idle handle, its hook) at shutdown.
    pub(super) fn close(&self) {
        let kind = std::mem::replace(&mut *self.kind.borrow_mut(), Kind::Closed);
        drop(kind);
    }

    pub(super) fn set_in_uv_run(&self, inside: bool) {
        self.in_uv_run.set(inside);
    }

    /// Standalone: if `block_on` is inside `uv_run`, make it return soon
    /// (`uv_stop` turns the poll timeout to zero for this iteration).
    pub(super) fn interrupt_loop(&self) {
        if self.in_uv_run.get() && !self.armed.get() {
            self.armed.set(true);
            // SAFETY: the loop is live; uv_stop only sets a flag.
            unsafe { sys::uv_stop(self.loop_) };
        }
    }
}

impl Driver for UvDriver {
    fn arm(&self) {
        // Standalone and outside `uv_run` (work queued by the future that
        // `block_on` polls, say), `block_on` ticks next by itself: nothing
        // to do, without borrowing `kind` (a spawn loop arms per spawn).
        if self.armed.get() || (self.standalone && !self.in_uv_run.get()) {
            return;
        }
        match &*self.kind.borrow() {
            Kind::Standalone => self.interrupt_loop(),
            Kind::Idle(idle) => {
                self.armed.set(true);
                // SAFETY: the idle handle is open; starting a started idle
                // handle is a no-op.
                unsafe { sys::uv_idle_start(idle.as_ptr::<uv_idle_t>(), Some(on_idle)) };
            }
            Kind::Hook(notify) => {
                self.armed.set(true);
                notify();
            }
            Kind::Closed => {}
        }
    }

    fn disarm(&self) {
        self.armed.set(false);
    }

    fn work_left(&self) {
        // Standalone `block_on` ticks again by itself.
        if !self.is_standalone() {
            self.arm();
        }
    }

    fn calls_host(&self) -> bool {
        self.hooked
    }
}

unsafe extern "C" fn on_idle(handle: *mut uv_idle_t) {
    crate::ffi::callback_guard("idle", || {
        // SAFETY: the runtime's idle handle, in its callback: its state is
        // the `Weak` it was created with, freed only in its close callback.
        let owner: &Weak<Inner> = unsafe { crate::ffi::handle::state_of(handle.cast()) };
        // The runtime that owns this handle, even if another one is this
        // thread's now (it was detached while other handles keep it).
        let more = owner
            .upgrade()
            .is_some_and(|inner| Runtime::from_inner(inner).tick());
        if !more {
            // SAFETY: `handle` is the runtime's open idle handle.
            unsafe { sys::uv_idle_stop(handle) };
        }
    })
}
