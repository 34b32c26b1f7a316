//! The byte-stream core shared by TCP, pipes and TTYs: pull-based reading,
//! queued writes with a bound, shutdown, and listening.
//!
//! **Reading.** libuv pushes: once `uv_read_start` is called it reads
//! whatever arrives into buffers it asks for, and hands them over. The
//! plenary's model pulls: call `read` when you are ready. They meet here by
//! using libuv for readiness only: our allocation callback gives libuv an
//! empty buffer, so libuv reads nothing and reports `UV_ENOBUFS`, which
//! means "readable"; the waiting reader is woken and reads the descriptor
//! itself, straight into its own buffer (one copy, from the kernel). Data
//! nobody asked for stays in the kernel's socket buffer: a slow consumer
//! applies backpressure to the peer (its window closes) and no memory grows
//! here. When a readiness report finds no reader waiting, reading is
//! stopped (`uv_read_stop`) until a reader comes back.
//!
//! On Windows a socket or pipe cannot be read beside libuv's overlapped
//! I/O, so there the allocation callback gives libuv a real buffer (64 KiB,
//! as libuv suggests) and what arrives is kept in the stream's state until
//! the reader takes it. Reading still stops while no reader waits, so at
//! most one read's worth waits here and the rest in the kernel:
//! backpressure holds the same way.
//!
//! **Writing.** A write is first tried at once (`uv_try_write`); what the
//! socket does not take is copied into a `uv_write_t` request whose buffer
//! lives until its callback. While more than [`WRITE_LIMIT`] bytes are
//! queued that way, `poll_write` waits, so a fast producer is held back too.
//! `poll_flush` waits until every queued write has completed: the bytes are
//! then in the kernel (on the wire as fast as the peer takes them);
//! `poll_shutdown` flushes, then sends the end of the stream.
//!
//! **Dropping.** A stream dropped with writes still queued does not close
//! at once, which would cancel them and lose the bytes without an error:
//! a small task of the runtime waits until they have completed, for at
//! most [`LINGER`], then closes the handle. A write that a close cancels
//! anyway (the linger ran out, the runtime shut down) is reported as an
//! `ECANCELED` error to whoever then awaits the stream's writes.

use super::req::{complete, on_status, Req, StatusKeep};
use crate::ffi::handle::{state_of, Handle};
use crate::ffi::sys::{self, uv_handle_t, uv_handle_type, uv_loop_t, uv_stream_t};
use crate::Error;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::ffi::c_int;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

/// Bytes of queued writes before `poll_write` waits.
pub(crate) const WRITE_LIMIT: usize = 1024 * 1024;

/// The longest a dropped stream waits for its queued writes (at most
/// [`WRITE_LIMIT`] bytes and one write's remainder) to complete before it
/// closes anyway, canceling them: a peer that never reads cannot keep the
/// handle open for ever.
pub(crate) const LINGER: Duration = Duration::from_secs(30);

/// The operation names used in errors, per kind of stream.
#[derive(Clone, Copy)]
pub(crate) struct Ops {
    pub(crate) read: &'static str,
    pub(crate) write: &'static str,
    pub(crate) shutdown: &'static str,
}

/// The state libuv's callbacks share with the Rust object.
pub(crate) struct StreamState {
    /// libuv watches for readability (`uv_read_start` is in effect).
    reading: Cell<bool>,
    /// The descriptor may have data: false after a read that did not fill
    /// its buffer (the kernel had no more), true again when libuv reports
    /// readiness. Saves the read that would only say `EAGAIN`.
    maybe_readable: Cell<bool>,
    eof: Cell<bool>,
    read_error: Cell<Option<c_int>>,
    read_waker: Cell<Option<Waker>>,
    /// Windows: bytes libuv read that no reader has taken yet.
    #[cfg(windows)]
    buffered: RefCell<VecDeque<u8>>,
    writes_in_flight: Cell<usize>,
    bytes_in_flight: Cell<usize>,
    write_error: Cell<Option<c_int>>,
    write_waker: Cell<Option<Waker>>,
}

impl StreamState {
    fn new() -> StreamState {
        StreamState {
            reading: Cell::new(false),
            maybe_readable: Cell::new(true),
            eof: Cell::new(false),
            read_error: Cell::new(None),
            read_waker: Cell::new(None),
            #[cfg(windows)]
            buffered: RefCell::new(VecDeque::new()),
            writes_in_flight: Cell::new(0),
            bytes_in_flight: Cell::new(0),
            write_error: Cell::new(None),
            write_waker: Cell::new(None),
        }
    }
}

fn register(slot: &Cell<Option<Waker>>, waker: &Waker) {
    let old = slot.take();
    slot.set(match old {
        Some(w) if w.will_wake(waker) => Some(w),
        _ => Some(waker.clone()),
    });
}

fn wake(slot: &Cell<Option<Waker>>) {
    if let Some(w) = slot.take() {
        w.wake();
    }
}

/// A connected byte stream: a libuv stream handle and its state.
pub(crate) struct Stream {
    /// Taken out only by `drop`, which may hand it to a lingering task.
    handle: ManuallyDrop<Handle<StreamState>>,
    shutdown: Option<Req<StatusKeep, ()>>,
    ops: Ops,
    /// The peer's address or path, for error messages.
    label: Option<String>,
}

impl Stream {
    /// Allocates and initialises a stream handle of `kind` with `init`.
    ///
    /// # Safety
    /// `init` must initialise a stream handle (TCP, pipe or TTY) of type
    /// `kind` on a live loop of this thread, and return libuv's result.
    pub(crate) unsafe fn new(
        kind: uv_handle_type,
        ops: Ops,
        init: impl FnOnce(*mut uv_stream_t) -> c_int,
    ) -> Result<Stream, c_int> {
        // SAFETY: the caller's contract.
        let handle = unsafe { Handle::new(kind, StreamState::new(), init) }?;
        Ok(Stream {
            handle: ManuallyDrop::new(handle),
            shutdown: None,
            ops,
            label: None,
        })
    }

    pub(crate) fn set_label(&mut self, label: Option<String>) {
        self.label = label;
    }

    pub(crate) fn raw<H>(&self) -> *mut H {
        self.handle.as_ptr()
    }

    fn error(&self, op: &'static str, code: c_int) -> Error {
        Error::uv(op, code, self.label.clone())
    }

    fn start_reading(&self) -> Result<(), Error> {
        let st = self.handle.state();
        if st.reading.get() {
            return Ok(());
        }
        // SAFETY: a live stream handle; the callbacks find its state in `data`.
        let rc = unsafe { sys::uv_read_start(self.raw(), Some(on_alloc), Some(on_read)) };
        if rc < 0 {
            return Err(self.error(self.ops.read, rc));
        }
        st.reading.set(true);
        Ok(())
    }

    /// Reads what the descriptor has into `buf`, waiting until it has
    /// something. `Ok(0)` is the end of the stream (or an empty `buf`).
    pub(crate) fn poll_read(
        &mut self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<Result<usize, Error>> {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let st = self.handle.state();
        #[cfg(windows)]
        {
            let mut buffered = st.buffered.borrow_mut();
            if !buffered.is_empty() {
                let n = buf.len().min(buffered.len());
                for (dst, src) in buf.iter_mut().zip(buffered.drain(..n)) {
                    *dst = src;
                }
                return Poll::Ready(Ok(n));
            }
        }
        if let Some(code) = st.read_error.get() {
            return Poll::Ready(Err(self.error(self.ops.read, code)));
        }
        if st.eof.get() {
            return Poll::Ready(Ok(0));
        }
        #[cfg(unix)]
        if let Poll::Ready(r) = self.read_descriptor(buf) {
            return Poll::Ready(r);
        }
        // Nothing yet: have libuv tell us when there is.
        register(&st.read_waker, cx.waker());
        if let Err(e) = self.start_reading() {
            return Poll::Ready(Err(e));
        }
        Poll::Pending
    }

    /// Unix: reads the descriptor straight into `buf` while it may have
    /// data; `Pending` when it has none (libuv then watches for more).
    #[cfg(unix)]
    fn read_descriptor(&self, buf: &mut [u8]) -> Poll<Result<usize, Error>> {
        let st = self.handle.state();
        // SAFETY: a live stream handle.
        let fd = match unsafe { crate::ffi::fileno(self.raw()) } {
            Ok(fd) => fd,
            Err(rc) => return Poll::Ready(Err(self.error(self.ops.read, rc))),
        };
        while st.maybe_readable.get() {
            // SAFETY: a non-blocking descriptor owned by the live handle, and
            // a buffer of `buf.len()` writable bytes.
            let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
            if n > 0 {
                if (n as usize) < buf.len() {
                    // The kernel had no more; libuv will say when it has.
                    st.maybe_readable.set(false);
                }
                return Poll::Ready(Ok(n as usize));
            }
            if n == 0 {
                st.eof.set(true);
                self.stop_reading();
                return Poll::Ready(Ok(0));
            }
            let errno = std::io::Error::last_os_error()
                .raw_os_error()
                .unwrap_or(libc::EIO);
            match errno {
                libc::EINTR => continue,
                libc::EAGAIN => st.maybe_readable.set(false),
                _ => {
                    st.read_error.set(Some(-errno));
                    self.stop_reading();
                    return Poll::Ready(Err(self.error(self.ops.read, -errno)));
                }
            }
        }
        Poll::Pending
    }

    #[cfg(unix)]
    fn stop_reading(&self) {
        let st = self.handle.state();
        if st.reading.replace(false) {
            // SAFETY: a live stream handle.
            unsafe { sys::uv_read_stop(self.raw()) };
        }
    }

    /// Writes what the socket takes at once and queues more, up to
    /// [`WRITE_LIMIT`] bytes in flight; returns how many bytes of `data` it
    /// accepted (at least one). Waits while the queue is full.
    pub(crate) fn poll_write(
        &mut self,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<Result<usize, Error>> {
        let st = self.handle.state();
        if let Some(code) = st.write_error.get() {
            return Poll::Ready(Err(self.error(self.ops.write, code)));
        }
        if data.is_empty() {
            return Poll::Ready(Ok(0));
        }
        if st.bytes_in_flight.get() >= WRITE_LIMIT {
            register(&st.write_waker, cx.waker());
            return Poll::Pending;
        }
        let mut written = 0;
        if st.writes_in_flight.get() == 0 {
            let buf = sys::uv_buf_t::new(data.as_ptr().cast_mut(), data.len());
            // SAFETY: a live stream; libuv reads the buffer during the call only.
            let rc = unsafe { sys::uv_try_write(self.raw(), &buf, 1) };
            if rc >= 0 {
                written = rc as usize;
            } else if rc != sys::UV_EAGAIN && rc != sys::UV_ENOBUFS {
                return Poll::Ready(Err(self.error(self.ops.write, rc)));
            }
        }
        let room = WRITE_LIMIT - st.bytes_in_flight.get();
        let queued = (data.len() - written).min(room);
        if queued > 0 {
            if let Err(e) = self.queue_write(data[written..written + queued].to_vec()) {
                return Poll::Ready(Err(e));
            }
        }
        Poll::Ready(Ok(written + queued))
    }

    fn queue_write(&self, data: Vec<u8>) -> Result<(), Error> {
        let st = self.handle.state();
        let len = data.len();
        let keep = WriteKeep {
            data,
            state: st as *const StreamState,
        };
        let stream: *mut uv_stream_t = self.raw();
        // SAFETY: uv_write on a live stream with the request and a buffer in
        // the request's slot; its callback `on_write` completes it with
        // these K and T.
        let req = unsafe {
            Req::<WriteKeep, ()>::start(
                sys::UV_WRITE,
                self.ops.write,
                self.label.clone(),
                keep,
                false,
                |req, keep: &mut WriteKeep| {
                    // (At most WRITE_LIMIT bytes: one descriptor says them
                    // on every platform.)
                    let buf = sys::uv_buf_t::new(keep.data.as_mut_ptr(), keep.data.len());
                    sys::uv_write(req, stream, &buf, 1, Some(on_write))
                },
            )
        }?;
        // Nobody awaits a single write: the callback records its status in
        // the stream's state and frees the request.
        req.detach();
        st.writes_in_flight.set(st.writes_in_flight.get() + 1);
        st.bytes_in_flight.set(st.bytes_in_flight.get() + len);
        Ok(())
    }

    /// Resolves once every queued write has completed.
    pub(crate) fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        let st = self.handle.state();
        if let Some(code) = st.write_error.get() {
            return Poll::Ready(Err(self.error(self.ops.write, code)));
        }
        if st.writes_in_flight.get() == 0 {
            return Poll::Ready(Ok(()));
        }
        register(&st.write_waker, cx.waker());
        Poll::Pending
    }

    /// Flushes, then shuts the writing side down (the peer reads the end of
    /// the stream); reading stays possible.
    pub(crate) fn poll_shutdown(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        if self.shutdown.is_none() {
            match self.poll_flush(cx) {
                Poll::Ready(Ok(())) => {}
                other => return other,
            }
            match self.start_shutdown() {
                Ok(req) => self.shutdown = Some(req),
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
        let req = self.shutdown.as_mut().expect("started above");
        match std::pin::Pin::new(req).poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(r) => {
                self.shutdown = None;
                // Shutting down twice is harmless (ENOTCONN from the kernel).
                Poll::Ready(match r {
                    Err(Error::Uv {
                        name: "ENOTCONN", ..
                    }) => Ok(()),
                    other => other,
                })
            }
        }
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        // SAFETY: taken once, here, and `self.handle` is not used after.
        let handle = unsafe { ManuallyDrop::take(&mut self.handle) };
        let st = handle.state();
        if st.writes_in_flight.get() == 0 {
            return; // dropping `handle` closes it
        }
        // Nobody reads any more; the writes finish, then the handle closes.
        if st.reading.replace(false) {
            // SAFETY: a live stream handle.
            unsafe { sys::uv_read_stop(handle.as_ptr()) };
        }
        st.read_waker.take();
        crate::spawn(async move {
            let mut linger = std::pin::pin!(crate::util::sleep(LINGER));
            std::future::poll_fn(|cx| {
                let st = handle.state();
                if st.writes_in_flight.get() == 0 {
                    return Poll::Ready(());
                }
                register(&st.write_waker, cx.waker());
                linger.as_mut().poll(cx).map(|_| ())
            })
            .await;
            drop(handle); // uv_close: cancels what is still queued
        })
        .detach();
    }
}

impl Stream {
    /// Starts libuv's shutdown request, which waits for the queued writes
    /// and then sends the end of the stream.
    fn start_shutdown(&self) -> Result<Req<StatusKeep, ()>, Error> {
        let stream: *mut uv_stream_t = self.raw();
        // SAFETY: uv_shutdown on a live stream; `on_status` completes
        // requests started with `StatusKeep` and `()` (and frees a detached
        // one in its callback).
        unsafe {
            Req::<StatusKeep, ()>::start(
                sys::UV_SHUTDOWN,
                self.ops.shutdown,
                self.label.clone(),
                Box::new(()),
                false,
                |req, _: &mut StatusKeep| sys::uv_shutdown(req, stream, Some(on_status)),
            )
        }
    }

    /// Starts a shutdown that nobody awaits (a dropped write half). Does
    /// nothing if a shutdown was started already or libuv refuses it.
    pub(crate) fn shutdown_detached(&mut self) {
        if self.shutdown.is_none() {
            if let Ok(req) = self.start_shutdown() {
                req.detach();
            }
        }
    }
}

/// What a queued write keeps alive: its bytes, and where to report.
struct WriteKeep {
    data: Vec<u8>,
    state: *const StreamState,
}

unsafe extern "C" fn on_write(req: *mut sys::uv_write_t, status: c_int) {
    crate::ffi::callback_guard("write", || {
        // SAFETY: a request started by `queue_write` (K = WriteKeep, T = ()),
        // in its callback. The stream's state outlives its write callbacks:
        // libuv runs them (with UV_ECANCELED if the handle closes) before the
        // close callback that frees the state.
        unsafe {
            complete::<WriteKeep, ()>(req.cast(), |keep| {
                let st = &*keep.state;
                st.writes_in_flight.set(st.writes_in_flight.get() - 1);
                st.bytes_in_flight
                    .set(st.bytes_in_flight.get() - keep.data.len());
                // ECANCELED too: the handle closed with this write queued,
                // and the bytes are lost; whoever awaits the writes hears it.
                if status < 0 && st.write_error.get().is_none() {
                    st.write_error.set(Some(status));
                }
                wake(&st.write_waker);
                Ok(())
            })
        }
    })
}

#[cfg(unix)]
unsafe extern "C" fn on_alloc(
    _handle: *mut uv_handle_t,
    _suggested: usize,
    buf: *mut sys::uv_buf_t,
) {
    // An empty buffer: libuv reads nothing and reports readiness (UV_ENOBUFS);
    // the reader reads the descriptor itself, into its own buffer.
    // SAFETY: `buf` is libuv's out-parameter.
    unsafe { *buf = sys::uv_buf_t::empty() };
}

/// Windows: the size of every buffer `on_alloc` gives (libuv suggests 64
/// KiB for sockets; always this size, so that `keep_read` knows what it
/// frees whatever libuv did with the descriptor's length).
#[cfg(windows)]
const READ_CHUNK: usize = 64 * 1024;

/// Windows: a buffer of [`READ_CHUNK`] bytes, owned by libuv until
/// `on_read` takes it back (libuv hands a buffer it asked for to the read
/// callback with the outcome; a TTY read that is canceled keeps it, which
/// leaks one chunk).
#[cfg(windows)]
unsafe extern "C" fn on_alloc(
    _handle: *mut uv_handle_t,
    _suggested: usize,
    buf: *mut sys::uv_buf_t,
) {
    let chunk: Box<[u8]> = vec![0u8; READ_CHUNK].into_boxed_slice();
    let base = Box::into_raw(chunk).cast::<u8>();
    // SAFETY: `buf` is libuv's out-parameter; `base` is READ_CHUNK bytes.
    unsafe { *buf = sys::uv_buf_t::new(base, READ_CHUNK) };
}

/// Windows: takes back the buffer `on_alloc` gave and keeps its first
/// `nread` bytes in the stream's state.
///
/// # Safety
/// `buf` is the descriptor libuv hands to the read callback.
#[cfg(windows)]
unsafe fn keep_read(st: &StreamState, nread: isize, buf: *const sys::uv_buf_t) {
    // SAFETY: the caller's contract; a non-null base is `on_alloc`'s box of
    // READ_CHUNK bytes, given back exactly once.
    let chunk = unsafe {
        if buf.is_null() || (*buf).base.is_null() {
            return;
        }
        Box::from_raw(std::ptr::slice_from_raw_parts_mut(
            (*buf).base.cast::<u8>(),
            READ_CHUNK,
        ))
    };
    if nread > 0 {
        let n = (nread as usize).min(READ_CHUNK);
        st.buffered.borrow_mut().extend(&chunk[..n]);
    }
}

unsafe extern "C" fn on_read(stream: *mut uv_stream_t, nread: isize, _buf: *const sys::uv_buf_t) {
    crate::ffi::callback_guard("read", || {
        // SAFETY: a live stream handle made by `Stream::new`.
        let st: &StreamState = unsafe { state_of(stream.cast()) };
        #[cfg(windows)]
        // SAFETY: libuv's buffer descriptor for this read.
        unsafe {
            keep_read(st, nread, _buf)
        };
        if nread == 0 {
            return; // (Windows: nothing there after all; libuv reads on.)
        }
        let code = nread as c_int;
        st.maybe_readable.set(true);
        if code == sys::UV_EOF {
            st.eof.set(true);
        } else if nread < 0 && code != sys::UV_ENOBUFS {
            st.read_error.set(Some(code));
        }
        match st.read_waker.take() {
            Some(w) => w.wake(),
            None => {
                // Readable, but nobody is reading: stop watching (the data
                // waits in the kernel) until a reader asks again.
                // SAFETY: a live stream handle.
                unsafe { sys::uv_read_stop(stream) };
                st.reading.set(false);
            }
        }
    })
}

// ---- listening -----------------------------------------------------------------

/// Connections accepted ahead of the user's `accept` before libuv is left
/// to hold the next one (and stop watching the listener until asked).
const ACCEPT_QUEUE: usize = 128;

/// Initialises a fresh client handle of the listener's kind.
pub(crate) type InitClient = unsafe fn(*mut uv_loop_t, *mut uv_stream_t) -> c_int;

/// What kind of server a [`Listener`] is: its handle type, how to make a
/// client handle, and the names used in errors.
pub(crate) struct ListenKind {
    pub(crate) kind: uv_handle_type,
    pub(crate) client_kind: uv_handle_type,
    pub(crate) init_client: InitClient,
    pub(crate) ops: Ops,
    pub(crate) accept_op: &'static str,
}

pub(crate) struct ListenState {
    queue: RefCell<VecDeque<Result<Stream, c_int>>>,
    /// libuv holds a connection we have not accepted (the queue was full).
    held: Cell<bool>,
    waker: Cell<Option<Waker>>,
    client_kind: uv_handle_type,
    init_client: InitClient,
    ops: Ops,
}

/// A listening stream (TCP or pipe server).
pub(crate) struct Listener {
    handle: Handle<ListenState>,
    accept_op: &'static str,
}

impl Listener {
    /// Creates a server handle with `init`, binds it with `bind`, then
    /// listens. A failed bind or listen closes the (initialised) handle
    /// through `uv_close`.
    ///
    /// # Safety
    /// `init` must initialise a stream handle of `what.kind` on a live loop
    /// of this thread, returning libuv's result; `bind` gets that handle and
    /// returns libuv's result; `what.init_client` must initialise a handle
    /// of `what.client_kind` on the given loop.
    pub(crate) unsafe fn listen(
        what: &ListenKind,
        backlog: c_int,
        init: impl FnOnce(*mut uv_stream_t) -> c_int,
        bind: impl FnOnce(*mut uv_stream_t) -> c_int,
    ) -> Result<Listener, (&'static str, c_int)> {
        let state = ListenState {
            queue: RefCell::new(VecDeque::new()),
            held: Cell::new(false),
            waker: Cell::new(None),
            client_kind: what.client_kind,
            init_client: what.init_client,
            ops: what.ops,
        };
        // SAFETY: the caller's contract.
        let handle = unsafe { Handle::new(what.kind, state, init) }.map_err(|c| ("init", c))?;
        let rc = bind(handle.as_ptr());
        if rc < 0 {
            return Err(("bind", rc)); // dropping `handle` closes it
        }
        // SAFETY: a live, bound stream handle.
        let rc = unsafe { sys::uv_listen(handle.as_ptr(), backlog, Some(on_connection)) };
        if rc < 0 {
            return Err(("listen", rc));
        }
        Ok(Listener {
            handle,
            accept_op: what.accept_op,
        })
    }

    pub(crate) fn raw<H>(&self) -> *mut H {
        self.handle.as_ptr()
    }

    /// The next accepted connection.
    pub(crate) fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<Result<Stream, Error>> {
        let st = self.handle.state();
        let next = st.queue.borrow_mut().pop_front();
        if st.held.get() {
            // Room again: take the connection libuv holds (this also makes
            // libuv watch the listener again).
            st.held.set(false);
            // SAFETY: a live listener with a pending connection.
            unsafe { accept_one(self.handle.as_ptr(), st) };
        }
        match next {
            Some(Ok(stream)) => Poll::Ready(Ok(stream)),
            Some(Err(code)) => Poll::Ready(Err(Error::uv(self.accept_op, code, None))),
            None => {
                register(&st.waker, cx.waker());
                Poll::Pending
            }
        }
    }
}

/// Accepts the connection libuv holds for `server` into the queue.
///
/// # Safety
/// `server` must be a live listener with state `st` and a pending connection.
unsafe fn accept_one(server: *mut uv_stream_t, st: &ListenState) {
    // SAFETY: the caller's contract: the loop is the server's.
    let loop_ = unsafe { sys::uv_handle_get_loop(server.cast()) };
    let init = st.init_client;
    // SAFETY: `init_client` initialises a handle of `client_kind` on the loop.
    let client = unsafe { Stream::new(st.client_kind, st.ops, |h| init(loop_, h)) };
    let accepted = client.and_then(|client| {
        // SAFETY: both handles are live; the server has a pending connection.
        let rc = unsafe { sys::uv_accept(server, client.raw()) };
        if rc < 0 {
            Err(rc)
        } else {
            Ok(client)
        }
    });
    st.queue.borrow_mut().push_back(accepted);
}

unsafe extern "C" fn on_connection(server: *mut uv_stream_t, status: c_int) {
    crate::ffi::callback_guard("connection", || {
        // SAFETY: a live listener made by `Listener::listen`.
        let st: &ListenState = unsafe { state_of(server.cast()) };
        if status < 0 {
            st.queue.borrow_mut().push_back(Err(status));
        } else if st.queue.borrow().len() < ACCEPT_QUEUE {
            // SAFETY: libuv just announced a pending connection.
            unsafe { accept_one(server, st) };
        } else {
            // Leave it with libuv, which stops watching until we accept.
            st.held.set(true);
        }
        wake(&st.waker);
    })
}

/// Implements `futures_io::AsyncRead`/`AsyncWrite` for a type with a
/// `stream: Stream` field (`read`, `write_all`, `flush` and `close` come
/// from [`crate::io`]'s extension traits). `$pair` is doc-test code that
/// makes a connected pair `(mut ours, mut theirs)` of that type inside an
/// async block.
macro_rules! stream_io {
    ($ty:ty, $pair:literal) => {
        /// Reads what has arrived (waiting until something has); `Ok(0)` at
        /// the end of the stream. Bytes go straight from the kernel into
        /// the caller's buffer; what is not read yet waits in the kernel,
        /// which holds the peer back when it fills.
        ///
        /// # Cancel safety
        ///
        /// `AsyncReadExt::read` is cancel safe: dropping the future loses
        /// nothing; unread data stays for the next read.
        ///
        #[doc = concat!("```
use plenary_async as a;
use a::io::{AsyncReadExt, AsyncWriteExt};
a::block_on(async {
", $pair, "
    theirs.write_all(b\"ping\").await?;
    let mut buf = [0u8; 16];
    let n = ours.read(&mut buf).await?;
    assert!(n > 0 && b\"ping\".starts_with(&buf[..n]));
    Ok::<_, a::Error>(())
}).unwrap();
```")]
        impl futures_io::AsyncRead for $ty {
            fn poll_read(
                mut self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &mut [u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                self.stream.poll_read(cx, buf).map_err(std::io::Error::from)
            }
        }

        /// Writes queue what the socket does not take at once (a write
        /// waits while over 1 MiB is queued); `flush` waits until the
        /// queue is in the kernel; `close` flushes, then shuts down the
        /// writing side (the peer reads the end of the stream; reading
        /// stays possible). Dropping the stream does not lose queued
        /// bytes: it closes once they are written (waiting 30 s at most),
        /// unless the runtime itself ends first.
        ///
        /// # Cancel safety
        ///
        /// `write` is cancel safe. `write_all` dropped while it waits for
        /// room may have queued a prefix of the data. `flush` dropped ends
        /// only the wait. `close` dropped while it waits for the queued
        /// writes has sent nothing; once the shutdown is sent, the writing
        /// side is shut down although the future was dropped.
        ///
        #[doc = concat!("```
use plenary_async as a;
use a::io::{AsyncReadExt, AsyncWriteExt};
a::block_on(async {
", $pair, "
    ours.write_all(&[7u8; 100_000]).await?; // more than the socket takes at once
    ours.close().await?;
    let mut got = Vec::new();
    theirs.read_to_end(&mut got).await?; // up to the end of the stream
    assert_eq!(got.len(), 100_000);
    Ok::<_, a::Error>(())
}).unwrap();
```")]
        impl futures_io::AsyncWrite for $ty {
            fn poll_write(
                mut self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &[u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                self.stream
                    .poll_write(cx, buf)
                    .map_err(std::io::Error::from)
            }

            fn poll_flush(
                mut self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                self.stream.poll_flush(cx).map_err(std::io::Error::from)
            }

            fn poll_close(
                mut self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                self.stream.poll_shutdown(cx).map_err(std::io::Error::from)
            }
        }
    };
}
pub(crate) use stream_io;
