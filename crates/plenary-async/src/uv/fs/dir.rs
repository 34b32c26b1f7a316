//! Directories read in batches, as a stream: [`Dir`], [`read_dir`].

use super::*;

/// How many entries one `readdir` request asks for.
const BATCH: usize = 64;

/// An open directory and the entry buffer `uv_fs_readdir` fills; closed
/// when the last owner (the [`Dir`], or a read still in flight) drops it.
struct DirInner {
    dir: *mut sys::uv_dir_t,
    entries: Box<[sys::uv_dirent_t; BATCH]>,
    loop_: *mut uv_loop_t,
}

impl Drop for DirInner {
    fn drop(&mut self) {
        // A synchronous closedir (no callback): it only frees libuv's
        // directory state and closes the descriptor, which is quick.
        let layout = std::alloc::Layout::from_size_align(
            // SAFETY: no preconditions.
            unsafe { sys::uv_req_size(sys::UV_FS) },
            16,
        )
        .expect("libuv request size");
        // SAFETY: `dir` came from a successful opendir and no readdir is in
        // flight (a read in flight holds a reference to this DirInner). The
        // request memory is ours for the duration of the synchronous call.
        unsafe {
            let req = std::alloc::alloc_zeroed(layout) as *mut uv_fs_t;
            if req.is_null() {
                std::alloc::handle_alloc_error(layout);
            }
            sys::uv_fs_closedir(self.loop_, req, self.dir, None);
            sys::uv_fs_req_cleanup(req);
            std::alloc::dealloc(req.cast(), layout);
        }
    }
}

/// An open directory, read in batches (plenary's `fs_opendir`,
/// `fs_readdir`, `fs_closedir`). Dropping it closes it.
///
/// ```
/// # use plenary_async as a;
/// # let dir = a::block_on(a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX"))).unwrap();
/// a::block_on(async {
///     let d = a::uv::fs::opendir(&dir).await?;
///     assert!(d.read().await?.is_empty()); // an empty directory
///     d.close();
///     Ok::<_, a::Error>(())
/// })
/// .unwrap();
/// # a::block_on(a::uv::fs::rmdir(&dir)).unwrap();
/// ```
pub struct Dir {
    inner: Rc<DirInner>,
    path: String,
}

/// Opens a directory for reading in batches.
///
/// # Cancel safety
///
/// Cancel safe: dropping the future asks libuv to skip the request if it has
/// not started; a directory opened late is closed again.
///
/// ```
/// let err = plenary_async::block_on(plenary_async::uv::fs::opendir("/no/such/dir")).unwrap_err();
/// assert!(err.to_string().starts_with("fs_opendir failed: ENOENT"));
/// ```
pub async fn opendir(path: impl AsRef<Path>) -> Result<Dir> {
    let path = path.as_ref();
    let c = c_path("fs_opendir", path)?;
    let extract: Extract<CString, DirInner> = |_, req, _| {
        let mut entries = Box::new(
            [sys::uv_dirent_t {
                name: std::ptr::null(),
                kind: 0,
            }; BATCH],
        );
        // SAFETY: a finished opendir request: `ptr` is the new uv_dir_t, ours
        // until closedir; we tell it where to put entries.
        unsafe {
            let dir = sys::uv_fs_get_ptr(req) as *mut sys::uv_dir_t;
            (*dir).dirents = entries.as_mut_ptr();
            (*dir).nentries = BATCH;
            DirInner {
                dir,
                entries,
                loop_: crate::runtime::with_current(|rt| rt.uv_loop()),
            }
        }
    };
    let inner = run("fs_opendir", shown(path), c, extract, |l, r, c, cb| {
        // SAFETY: as in `stat`.
        unsafe { sys::uv_fs_opendir(l, r, c.as_ptr(), cb) }
    })
    .await?;
    Ok(Dir {
        inner: Rc::new(inner),
        path: path.display().to_string(),
    })
}

impl Dir {
    /// Reads the next batch of entries (up to 64); empty at the end. `.` and
    /// `..` are left out.
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe: a batch read by a request that was already running when
    /// the future was dropped is lost, and the next `read` continues after it.
    ///
    /// ```
    /// # use plenary_async as a;
    /// let d = a::block_on(a::uv::fs::opendir("/")).unwrap();
    /// assert!(!a::block_on(d.read()).unwrap().is_empty());
    /// ```
    pub async fn read(&self) -> Result<Vec<DirEntry>> {
        let keep = self.inner.clone();
        let extract: Extract<Rc<DirInner>, Vec<DirEntry>> = |inner, _, n| {
            inner.entries[..n as usize]
                .iter()
                .map(dirent)
                .filter(|e| e.name != "." && e.name != "..")
                .collect()
        };
        let dir = self.inner.dir;
        run(
            "fs_readdir",
            Some(self.path.clone()),
            keep,
            extract,
            move |l, r, _, cb| {
                // SAFETY: a valid loop and request; the directory and its entry
                // buffer stay alive through the Rc kept in the request's slot.
                unsafe { sys::uv_fs_readdir(l, r, dir, cb) }
            },
        )
        .await
    }

    /// Closes the directory (dropping it does the same).
    ///
    /// ```
    /// let d = plenary_async::block_on(plenary_async::uv::fs::opendir("/")).unwrap();
    /// d.close();
    /// ```
    pub fn close(self) {
        drop(self);
    }
}

impl fmt::Debug for Dir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dir").field("path", &self.path).finish()
    }
}

/// Streams the entries of a directory (`.` and `..` left out), reading
/// them in batches as the consumer asks.
///
/// # Cancel safety
///
/// Cancel safe: as for [`opendir`]: a directory opened late is closed again.
///
/// ```
/// use plenary_async as a;
/// use futures_util::StreamExt;
///
/// a::block_on(async {
///     let mut names = Vec::new();
///     let mut entries = a::uv::fs::read_dir("/").await?;
///     while let Some(entry) = entries.next().await {
///         names.push(entry?.name);
///     }
///     assert!(names.iter().any(|n| n == "tmp"));
///     Ok::<_, a::Error>(())
/// })
/// .unwrap();
/// ```
pub async fn read_dir(path: impl AsRef<Path>) -> Result<ReadDir> {
    let dir = opendir(path).await?;
    Ok(ReadDir {
        dir: Rc::new(dir),
        batch: Vec::new().into_iter(),
        pending: None,
        done: false,
    })
}

type Batch = Pin<Box<dyn std::future::Future<Output = Result<Vec<DirEntry>>>>>;

/// The stream of [`read_dir`]: items are `Result<DirEntry, Error>`.
///
/// ```
/// # use plenary_async as a;
/// let entries: a::uv::fs::ReadDir = a::block_on(a::uv::fs::read_dir("/")).unwrap();
/// # drop(entries);
/// ```
pub struct ReadDir {
    dir: Rc<Dir>,
    batch: std::vec::IntoIter<DirEntry>,
    pending: Option<Batch>,
    done: bool,
}

impl ReadDir {
    /// The next entry; `None` at the end (or after an error). No
    /// `StreamExt` needed.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a batch being read when the future is dropped is kept
    /// for the next call.
    ///
    /// ```
    /// use plenary_async as a;
    /// a::block_on(async {
    ///     let mut entries = a::uv::fs::read_dir("/").await?;
    ///     let mut n = 0;
    ///     while let Some(entry) = entries.next().await {
    ///         entry?;
    ///         n += 1;
    ///     }
    ///     assert!(n > 0);
    ///     Ok::<_, a::Error>(())
    /// })
    /// .unwrap();
    /// ```
    #[allow(clippy::should_implement_trait)] // (Iterator::next is not async)
    pub async fn next(&mut self) -> Option<Result<DirEntry>> {
        std::future::poll_fn(|cx| futures_core::Stream::poll_next(Pin::new(&mut *self), cx)).await
    }
}

/// Terminated after the last entry (or an error).
impl futures_core::stream::FusedStream for ReadDir {
    fn is_terminated(&self) -> bool {
        self.done && self.batch.len() == 0
    }
}

impl futures_core::Stream for ReadDir {
    type Item = Result<DirEntry>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(entry) = this.batch.next() {
                return Poll::Ready(Some(Ok(entry)));
            }
            if this.done {
                return Poll::Ready(None);
            }
            let pending = this.pending.get_or_insert_with(|| {
                let dir = this.dir.clone();
                Box::pin(async move { dir.read().await })
            });
            match pending.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(result) => {
                    this.pending = None;
                    match result {
                        Ok(batch) if batch.is_empty() => this.done = true,
                        Ok(batch) => this.batch = batch.into_iter(),
                        Err(e) => {
                            this.done = true;
                            return Poll::Ready(Some(Err(e)));
                        }
                    }
                }
            }
        }
    }
}

impl fmt::Debug for ReadDir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadDir")
            .field("path", &self.dir.path)
            .finish()
    }
}
