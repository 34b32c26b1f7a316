//! Watching the file system as streams: change events from the kernel
//! (`uv_fs_event`: inotify on Linux) and stat polling (`uv_fs_poll`), both
//! of which plenary left as "wip".
//!
//! ```
//! use plenary_async as a;
//! use futures_util::StreamExt;
//!
//! a::block_on(async {
//!     let dir = a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX")).await?;
//!     let mut events = a::uv::watch::fs_event(&dir)?;
//!     a::uv::fs::write(dir.join("new.txt"), "hi").await?;
//!     let event = events.next().await.unwrap()?;
//!     assert_eq!(event.file.as_deref(), Some(std::path::Path::new("new.txt")));
//!     # drop(events); a::uv::fs::unlink(dir.join("new.txt")).await?; a::uv::fs::rmdir(&dir).await?;
//!     Ok::<_, a::Error>(())
//! })
//! .unwrap();
//! ```

use super::fs::Metadata;
use crate::ffi::c_path;
use crate::ffi::handle::{state_of, Handle};
use crate::ffi::sys::{self, uv_fs_event_t, uv_fs_poll_t};
use crate::Error;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::ffi::{c_char, c_int, CStr};
use std::fmt;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

/// Events kept while nobody takes them; beyond this the oldest are dropped
/// (and the next item reports `ENOBUFS` once, so the loss is not silent).
const QUEUE_LIMIT: usize = 4096;

struct Queue<T> {
    items: RefCell<VecDeque<Result<T, c_int>>>,
    overflowed: Cell<bool>,
    waker: Cell<Option<Waker>>,
}

impl<T> Queue<T> {
    fn new() -> Self {
        Queue {
            items: RefCell::new(VecDeque::new()),
            overflowed: Cell::new(false),
            waker: Cell::new(None),
        }
    }

    fn push(&self, item: Result<T, c_int>) {
        {
            let mut items = self.items.borrow_mut();
            if items.len() >= QUEUE_LIMIT {
                items.pop_front();
                self.overflowed.set(true);
            }
            items.push_back(item);
        }
        if let Some(w) = self.waker.take() {
            w.wake();
        }
    }

    fn poll(
        &self,
        cx: &mut Context<'_>,
        op: &'static str,
        path: &Path,
    ) -> Poll<Option<Result<T, Error>>> {
        let err = |code: c_int| Error::uv(op, code, Some(path.display().to_string()));
        if self.overflowed.replace(false) {
            return Poll::Ready(Some(Err(err(sys::UV_ENOBUFS))));
        }
        match self.items.borrow_mut().pop_front() {
            Some(item) => Poll::Ready(Some(item.map_err(err))),
            None => {
                self.waker.set(Some(cx.waker().clone()));
                Poll::Pending
            }
        }
    }
}

/// What changed, as the kernel reports it.
///
/// ```
/// use plenary_async::uv::watch::FsEvent;
/// fn describe(e: &FsEvent) -> String {
///     format!("{:?} renamed={} changed={}", e.file, e.renamed, e.changed)
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FsEvent {
    /// The file concerned, relative to the watched directory (`None` when
    /// the watched path itself changed and the system did not say more).
    pub file: Option<PathBuf>,
    /// A name appeared, disappeared or was renamed (`UV_RENAME`).
    pub renamed: bool,
    /// Content or metadata changed (`UV_CHANGE`).
    pub changed: bool,
}

/// Watches a file or directory for changes; events arrive as a stream.
/// A path that does not exist is `ENOENT`.
///
/// ```
/// let err = plenary_async::uv::watch::fs_event("/no/such/dir").unwrap_err();
/// assert!(err.to_string().starts_with("fs_event_start failed: ENOENT"), "{err}");
/// ```
pub fn fs_event(path: impl AsRef<Path>) -> Result<FsEvents, Error> {
    let path = path.as_ref();
    let c = c_path("fs_event_start", path)?;
    let loop_ = crate::runtime::with_current(|rt| rt.uv_loop());
    let err = |op, code| Error::uv(op, code, Some(path.display().to_string()));
    // SAFETY: a fresh fs_event handle on this thread's live loop.
    let handle = unsafe {
        Handle::new(sys::UV_FS_EVENT, Queue::new(), |h| {
            sys::uv_fs_event_init(loop_, h)
        })
    }
    .map_err(|code| err("fs_event_init", code))?;
    // SAFETY: a live handle; libuv copies the path.
    let rc = unsafe { sys::uv_fs_event_start(handle.as_ptr(), Some(on_fs_event), c.as_ptr(), 0) };
    if rc < 0 {
        return Err(err("fs_event_start", rc));
    }
    handle.set_ref(false);
    Ok(FsEvents {
        handle,
        path: path.to_owned(),
    })
}

unsafe extern "C" fn on_fs_event(
    handle: *mut uv_fs_event_t,
    file: *const c_char,
    events: c_int,
    status: c_int,
) {
    crate::ffi::callback_guard("fs_event", || {
        // SAFETY: a live handle made by `fs_event`.
        let q: &Queue<FsEvent> = unsafe { state_of(handle.cast()) };
        if status < 0 {
            q.push(Err(status));
            return;
        }
        let file = (!file.is_null()).then(|| {
            // SAFETY: libuv's NUL-terminated file name, valid during the
            // callback.
            let name = unsafe { CStr::from_ptr(file) };
            crate::ffi::path_from_c(name.to_bytes())
        });
        q.push(Ok(FsEvent {
            file,
            renamed: events & sys::UV_RENAME != 0,
            changed: events & sys::UV_CHANGE != 0,
        }));
    })
}

/// The stream of [`fs_event`]; it never ends. Dropping it stops watching.
///
/// ```
/// let w = plenary_async::uv::watch::fs_event(std::env::temp_dir()).unwrap();
/// assert_eq!(w.path(), std::env::temp_dir());
/// ```
pub struct FsEvents {
    handle: Handle<Queue<FsEvent>>,
    path: PathBuf,
}

impl FsEvents {
    /// The watched path.
    ///
    /// ```
    /// let w = plenary_async::uv::watch::fs_event("/").unwrap();
    /// assert_eq!(w.path(), std::path::Path::new("/"));
    /// ```
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The next change (the stream never ends: `Some` always); no
    /// `StreamExt` needed.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: changes seen meanwhile stay queued for the next call.
    ///
    /// ```no_run
    /// use plenary_async as a;
    /// a::block_on(async {
    ///     let mut events = a::uv::watch::fs_event("/tmp")?;
    ///     while let Some(event) = events.next().await {
    ///         println!("{:?}", event?);
    ///     }
    ///     Ok::<_, a::Error>(())
    /// })
    /// .unwrap();
    /// ```
    #[allow(clippy::should_implement_trait)] // (Iterator::next is not async)
    pub async fn next(&mut self) -> Option<Result<FsEvent, Error>> {
        std::future::poll_fn(|cx| futures_core::Stream::poll_next(Pin::new(&mut *self), cx)).await
    }
}

impl futures_core::Stream for FsEvents {
    type Item = Result<FsEvent, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.handle.state().poll(cx, "fs_event", &self.path)
    }
}

impl fmt::Debug for FsEvents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FsEvents")
            .field("path", &self.path)
            .finish()
    }
}

/// One change seen by [`fs_poll`]: the metadata before and after.
///
/// ```
/// use plenary_async::uv::watch::FsChange;
/// fn grew(c: &FsChange) -> bool {
///     c.current.len() > c.previous.len()
/// }
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct FsChange {
    /// The metadata at the previous poll.
    pub previous: Metadata,
    /// The metadata now.
    pub current: Metadata,
}

/// Polls `path`'s metadata every `interval` and reports each change, by
/// comparing `stat` results (works where kernel events do not, such as
/// network file systems). A path that disappears is an `ENOENT` item, then
/// changes resume if it comes back.
///
/// ```
/// use plenary_async as a;
/// use a::io::AsyncWriteExt;
/// use futures_util::StreamExt;
/// use std::time::Duration;
///
/// a::block_on(async {
///     let (mut file, path) = a::uv::fs::mkstemp(std::env::temp_dir().join("plenary-doc-XXXXXX")).await?;
///     let mut changes = a::uv::watch::fs_poll(&path, Duration::from_millis(10))?;
///     // Grow the file until a poll notices (the first poll may come after
///     // the first write).
///     let change = loop {
///         file.write_all(b"more").await?;
///         if let Ok(next) = a::util::timeout(Duration::from_millis(50), changes.next()).await {
///             break next.unwrap()?;
///         }
///     };
///     assert!(change.current.len() > change.previous.len());
///     # drop(changes); a::uv::fs::unlink(&path).await?;
///     Ok::<_, a::Error>(())
/// })
/// .unwrap();
/// ```
pub fn fs_poll(path: impl AsRef<Path>, interval: Duration) -> Result<FsPoll, Error> {
    let path = path.as_ref();
    let c = c_path("fs_poll_start", path)?;
    let loop_ = crate::runtime::with_current(|rt| rt.uv_loop());
    let err = |op, code| Error::uv(op, code, Some(path.display().to_string()));
    // SAFETY: a fresh fs_poll handle on this thread's live loop.
    let handle = unsafe {
        Handle::new(sys::UV_FS_POLL, Queue::new(), |h| {
            sys::uv_fs_poll_init(loop_, h)
        })
    }
    .map_err(|code| err("fs_poll_init", code))?;
    let ms = interval.as_millis().clamp(1, u32::MAX as u128) as u32;
    // SAFETY: a live handle; libuv copies the path.
    let rc = unsafe { sys::uv_fs_poll_start(handle.as_ptr(), Some(on_fs_poll), c.as_ptr(), ms) };
    if rc < 0 {
        return Err(err("fs_poll_start", rc));
    }
    handle.set_ref(false);
    Ok(FsPoll {
        handle,
        path: path.to_owned(),
    })
}

unsafe extern "C" fn on_fs_poll(
    handle: *mut uv_fs_poll_t,
    status: c_int,
    prev: *const sys::uv_stat_t,
    curr: *const sys::uv_stat_t,
) {
    crate::ffi::callback_guard("fs_poll", || {
        // SAFETY: a live handle made by `fs_poll`.
        let q: &Queue<FsChange> = unsafe { state_of(handle.cast()) };
        if status < 0 {
            q.push(Err(status));
            return;
        }
        // SAFETY: libuv passes both stat buffers on success.
        let (previous, current) = unsafe { (Metadata::from_raw(*prev), Metadata::from_raw(*curr)) };
        q.push(Ok(FsChange { previous, current }));
    })
}

/// The stream of [`fs_poll`]; it never ends. Dropping it stops polling.
///
/// ```
/// let p = plenary_async::uv::watch::fs_poll("/", std::time::Duration::from_secs(1)).unwrap();
/// assert_eq!(p.path(), std::path::Path::new("/"));
/// ```
pub struct FsPoll {
    handle: Handle<Queue<FsChange>>,
    path: PathBuf,
}

impl FsPoll {
    /// The polled path.
    ///
    /// ```
    /// let p = plenary_async::uv::watch::fs_poll("/", std::time::Duration::from_secs(1)).unwrap();
    /// assert!(p.path().is_absolute());
    /// ```
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl futures_core::Stream for FsPoll {
    type Item = Result<FsChange, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.handle.state().poll(cx, "fs_poll", &self.path)
    }
}

impl fmt::Debug for FsPoll {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FsPoll").field("path", &self.path).finish()
    }
}
