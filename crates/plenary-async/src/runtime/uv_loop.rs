//! [`Loop`]: a libuv loop of your own, for a host program (or a test) that
//! runs the loop itself and attaches the runtime to it, as Neovim does
//! with its loop.

use crate::ffi::sys::{self, uv_loop_t};
use crate::Error;
use std::alloc::{alloc_zeroed, dealloc, Layout};
use std::cell::Cell;
use std::ffi::c_void;

/// A libuv event loop owned by the caller: create it, attach a runtime to
/// it ([`Runtime::attach`](crate::Runtime::attach) or
/// [`attach_with`](crate::Runtime::attach_with)), run it, and close it
/// after [`uninstall`](crate::Runtime::uninstall)ing the runtime. It belongs to
/// the thread that made it (it is neither `Send` nor `Sync`).
///
/// ```
/// use plenary_async as a;
/// use std::{cell::Cell, rc::Rc};
///
/// // A host: a thread that owns and runs a libuv loop (Neovim, in real use).
/// std::thread::spawn(|| {
///     let host = a::runtime::Loop::new().unwrap();
///     // SAFETY: the loop is live, run on this thread, and outlives the runtime.
///     let rt = unsafe { a::Runtime::attach(host.as_ptr()) };
///     let done = Rc::new(Cell::new(false));
///     let d = done.clone();
///     a::spawn(async move {
///         a::util::sleep(5).await;
///         d.set(true);
///     })
///     .detach();
///     host.run(); // returns when nothing keeps the loop alive
///     assert!(done.get());
///     rt.uninstall(); // before the loop is closed
///     host.close().unwrap();
/// })
/// .join()
/// .unwrap();
/// ```
pub struct Loop {
    ptr: *mut uv_loop_t,
    layout: Layout,
    running: Cell<bool>,
}

/// Clears the "running" flag when a run ends (also by a panic).
struct Running<'a>(&'a Cell<bool>);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.set(false);
    }
}

impl Loop {
    /// A new, initialised loop.
    ///
    /// ```
    /// let l = plenary_async::runtime::Loop::new().unwrap();
    /// l.close().unwrap();
    /// ```
    pub fn new() -> Result<Loop, Error> {
        // SAFETY: uv_loop_size has no preconditions.
        let size = unsafe { sys::uv_loop_size() };
        let layout = Layout::from_size_align(size, 16).expect("libuv's loop size");
        // SAFETY: a non-zero size.
        let ptr = unsafe { alloc_zeroed(layout) }.cast::<uv_loop_t>();
        if ptr.is_null() {
            std::alloc::handle_alloc_error(layout);
        }
        // SAFETY: fresh memory of uv_loop_size bytes.
        let rc = unsafe { sys::uv_loop_init(ptr) };
        if rc < 0 {
            // SAFETY: init failed; libuv keeps no reference to the memory.
            unsafe { dealloc(ptr.cast(), layout) };
            return Err(Error::uv("uv_loop_init", rc, None));
        }
        Ok(Loop {
            ptr,
            layout,
            running: Cell::new(false),
        })
    }

    /// The `uv_loop_t`, for [`Runtime::attach`](crate::Runtime::attach).
    ///
    /// ```
    /// let l = plenary_async::runtime::Loop::new().unwrap();
    /// assert!(!l.as_ptr().is_null());
    /// # l.close().unwrap();
    /// ```
    pub fn as_ptr(&self) -> *mut c_void {
        self.ptr.cast()
    }

    fn run_mode(&self, mode: sys::uv_run_mode) -> bool {
        assert!(
            !self.running.replace(true),
            "plenary_async::runtime::Loop: run called while the loop is already running \
             (from one of its own callbacks)"
        );
        let _running = Running(&self.running);
        // SAFETY: a live loop of this thread (`Loop` is not Send), not
        // running (checked above).
        unsafe { sys::uv_run(self.ptr, mode) != 0 }
    }

    /// Runs the loop until nothing keeps it alive (`UV_RUN_DEFAULT`).
    /// Returns whether something still does (when a callback stopped it).
    ///
    /// # Panics
    /// If called from inside one of the loop's own callbacks.
    ///
    /// ```
    /// let l = plenary_async::runtime::Loop::new().unwrap();
    /// assert!(!l.run()); // nothing to do
    /// # l.close().unwrap();
    /// ```
    pub fn run(&self) -> bool {
        self.run_mode(sys::UV_RUN_DEFAULT)
    }

    /// Runs one iteration, waiting for I/O if there is nothing to do
    /// (`UV_RUN_ONCE`). Returns whether more is to come.
    ///
    /// ```
    /// let l = plenary_async::runtime::Loop::new().unwrap();
    /// assert!(!l.run_once());
    /// # l.close().unwrap();
    /// ```
    pub fn run_once(&self) -> bool {
        self.run_mode(sys::UV_RUN_ONCE)
    }

    /// Runs one iteration without waiting (`UV_RUN_NOWAIT`). Returns
    /// whether more is to come.
    ///
    /// ```
    /// let l = plenary_async::runtime::Loop::new().unwrap();
    /// assert!(!l.run_nowait());
    /// # l.close().unwrap();
    /// ```
    pub fn run_nowait(&self) -> bool {
        self.run_mode(sys::UV_RUN_NOWAIT)
    }

    /// Runs the close callbacks still pending, then closes the loop and
    /// frees it. Fails with `EBUSY` (giving the loop back) while a handle
    /// is still open, such as a runtime that was not detached.
    ///
    /// ```
    /// plenary_async::runtime::Loop::new().unwrap().close().unwrap();
    /// ```
    pub fn close(self) -> Result<(), (Loop, Error)> {
        self.run_nowait();
        // SAFETY: a live loop, not running.
        let rc = unsafe { sys::uv_loop_close(self.ptr) };
        if rc < 0 {
            return Err((self, Error::uv("uv_loop_close", rc, None)));
        }
        // SAFETY: the loop is closed; the memory came from alloc_zeroed
        // with this layout.
        unsafe { dealloc(self.ptr.cast(), self.layout) };
        std::mem::forget(self);
        Ok(())
    }
}

impl Drop for Loop {
    /// Closes the loop like [`close`](Loop::close); if a handle is still
    /// open, the loop's memory is leaked rather than freed under it.
    fn drop(&mut self) {
        if self.running.get() {
            return; // dropped from inside its own run: leak it
        }
        // SAFETY: a live loop of this thread, not running.
        unsafe {
            sys::uv_run(self.ptr, sys::UV_RUN_NOWAIT);
            if sys::uv_loop_close(self.ptr) == 0 {
                dealloc(self.ptr.cast(), self.layout);
            }
        }
    }
}

impl std::fmt::Debug for Loop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loop").field("ptr", &self.ptr).finish()
    }
}
