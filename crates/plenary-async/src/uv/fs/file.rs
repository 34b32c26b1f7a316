//! [`File`]: an open file that closes itself when dropped, and the
//! [`OpenOptions`] that open it.

use super::*;
use std::sync::Arc;

/// The most one read returns on Linux (`MAX_RW_COUNT`): a read buffer is
/// never larger.
const MAX_READ: usize = 0x7fff_f000;

/// A read buffer larger than this is first bounded by what the file holds
/// (a regular file's size, never below this): the buffer is allocated
/// before the read, and Windows commits all of it at once (the Lua core
/// has the same bound, and one spec runs both).
const BIG_READ: usize = 16 * 1024 * 1024;

/// How to open a file: the flags of `fs_open(path, flags, mode)` as a
/// builder, like [`std::fs::OpenOptions`].
///
/// ```
/// use plenary_async as a;
/// use a::io::AsyncWriteExt;
/// use a::uv::fs::OpenOptions;
///
/// a::block_on(async {
///     let dir = a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX")).await?;
///     let mut log = OpenOptions::new().append(true).create(true).open(dir.join("log")).await?;
///     log.write_all(b"one\n").await?;
///     log.write_all(b"two\n").await?;
///     assert_eq!(a::uv::fs::read(dir.join("log")).await?, b"one\ntwo\n");
///     # a::uv::fs::unlink(dir.join("log")).await?; a::uv::fs::rmdir(&dir).await?;
///     Ok::<_, a::Error>(())
/// })
/// .unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct OpenOptions {
    read: bool,
    write: bool,
    append: bool,
    truncate: bool,
    create: bool,
    create_new: bool,
    mode: u32,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions::new()
    }
}

impl OpenOptions {
    /// No access, no creation; file mode 0o666 (before the umask) if created.
    ///
    /// ```
    /// let _ = plenary_async::uv::fs::OpenOptions::new().read(true);
    /// ```
    pub fn new() -> OpenOptions {
        OpenOptions {
            read: false,
            write: false,
            append: false,
            truncate: false,
            create: false,
            create_new: false,
            mode: 0o666,
        }
    }

    /// Open for reading.
    ///
    /// ```
    /// let _ = plenary_async::uv::fs::OpenOptions::new().read(true);
    /// ```
    pub fn read(&mut self, yes: bool) -> &mut Self {
        self.read = yes;
        self
    }

    /// Open for writing.
    ///
    /// ```
    /// let _ = plenary_async::uv::fs::OpenOptions::new().write(true);
    /// ```
    pub fn write(&mut self, yes: bool) -> &mut Self {
        self.write = yes;
        self
    }

    /// Open for appending (implies writing).
    ///
    /// ```
    /// let _ = plenary_async::uv::fs::OpenOptions::new().append(true);
    /// ```
    pub fn append(&mut self, yes: bool) -> &mut Self {
        self.append = yes;
        self
    }

    /// Truncate an existing file to length 0.
    ///
    /// ```
    /// let _ = plenary_async::uv::fs::OpenOptions::new().write(true).truncate(true);
    /// ```
    pub fn truncate(&mut self, yes: bool) -> &mut Self {
        self.truncate = yes;
        self
    }

    /// Create the file if it does not exist.
    ///
    /// ```
    /// let _ = plenary_async::uv::fs::OpenOptions::new().write(true).create(true);
    /// ```
    pub fn create(&mut self, yes: bool) -> &mut Self {
        self.create = yes;
        self
    }

    /// Create the file, failing with `EEXIST` if it exists.
    ///
    /// ```
    /// let _ = plenary_async::uv::fs::OpenOptions::new().write(true).create_new(true);
    /// ```
    pub fn create_new(&mut self, yes: bool) -> &mut Self {
        self.create_new = yes;
        self
    }

    /// The permission bits of a created file (before the umask).
    ///
    /// ```
    /// let _ = plenary_async::uv::fs::OpenOptions::new().create(true).write(true).mode(0o600);
    /// ```
    pub fn mode(&mut self, mode: u32) -> &mut Self {
        self.mode = mode;
        self
    }

    fn flags(&self) -> c_int {
        let access = match (self.read, self.write || self.append) {
            (true, true) => sys::UV_FS_O_RDWR,
            (false, true) => sys::UV_FS_O_WRONLY,
            _ => sys::UV_FS_O_RDONLY,
        };
        let mut flags = access | sys::UV_FS_O_CLOEXEC;
        if self.append {
            flags |= sys::UV_FS_O_APPEND;
        }
        if self.truncate {
            flags |= sys::UV_FS_O_TRUNC;
        }
        if self.create_new {
            flags |= sys::UV_FS_O_CREAT | sys::UV_FS_O_EXCL;
        } else if self.create {
            flags |= sys::UV_FS_O_CREAT;
        }
        flags
    }

    /// Opens `path` with these options (plenary's `fs_open`).
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe: dropping the future before it resolves asks libuv to
    /// skip the request if its thread pool has not started it, but a request
    /// already running completes: a file opened late is closed again (with
    /// `create`, it may have been created) although the future was dropped.
    ///
    /// ```
    /// use plenary_async as a;
    /// let err = a::block_on(a::uv::fs::OpenOptions::new().read(true).open("/no/such/file"))
    ///     .unwrap_err();
    /// assert_eq!(err.to_string(), "fs_open failed: ENOENT (no such file or directory) for \"/no/such/file\"");
    /// ```
    pub async fn open(&self, path: impl AsRef<Path>) -> Result<File> {
        let path = path.as_ref();
        let c = c_path("fs_open", path)?;
        let (flags, mode) = (self.flags(), self.mode as c_int);
        run("fs_open", shown(path), c, file_of, move |l, r, c, cb| {
            // SAFETY: a valid loop and request; `c` lives in the request's slot.
            unsafe { sys::uv_fs_open(l, r, c.as_ptr(), flags, mode, cb) }
        })
        .await
    }
}

pub(super) fn file_of<K>(_: &mut K, _: *mut uv_fs_t, fd: isize) -> File {
    // SAFETY: a successful open returned this new descriptor; nothing else
    // owns it.
    let fd = unsafe { OwnedFile::from_raw(fd as RawFd) };
    File {
        fd: Arc::new(Descriptor::Owned(fd)),
        io: Default::default(),
    }
}

/// A file descriptor as libuv's `uv_file` is: an `int` (on Windows, one of
/// the C runtime libuv was built with).
#[cfg(unix)]
pub(crate) use std::os::fd::RawFd;
/// A file descriptor as libuv's `uv_file` is: an `int` (on Windows, one of
/// the C runtime libuv was built with).
#[cfg(windows)]
pub(crate) type RawFd = c_int;

/// An owned descriptor, closed when dropped: std's `OwnedFd` on Unix. On
/// Windows the number belongs to libuv's C runtime (which need not be the
/// one Rust links), so it is closed through libuv, synchronously.
#[cfg(unix)]
#[derive(Debug)]
pub(crate) struct OwnedFile(std::os::fd::OwnedFd);
#[cfg(windows)]
#[derive(Debug)]
pub(crate) struct OwnedFile(RawFd);

impl OwnedFile {
    /// The `uv_file` for an owned descriptor or handle: the same number
    /// on Unix; on Windows a descriptor of libuv's C runtime, which takes
    /// the handle over (`uv_open_osfhandle`). `Err` is libuv's code; the
    /// handle is closed then.
    pub(crate) fn from_os(owned: crate::uv::OwnedOs) -> std::result::Result<OwnedFile, c_int> {
        #[cfg(unix)]
        return Ok(OwnedFile(owned));
        #[cfg(windows)]
        {
            use std::os::windows::io::IntoRawHandle;
            let handle = owned.into_raw_handle();
            // SAFETY: a handle we own; on success the C runtime owns it.
            let fd = unsafe { sys::uv_open_osfhandle(handle) };
            if fd < 0 {
                // SAFETY: not taken over: still ours, closed here.
                drop(unsafe {
                    <crate::uv::OwnedOs as std::os::windows::io::FromRawHandle>::from_raw_handle(
                        handle,
                    )
                });
                return Err(if fd == -1 { sys::UV_EIO } else { fd });
            }
            Ok(OwnedFile(fd))
        }
    }

    /// # Safety
    /// `fd` is open, and owned by nothing else.
    pub(crate) unsafe fn from_raw(fd: RawFd) -> OwnedFile {
        #[cfg(unix)]
        // SAFETY: the caller's contract.
        return OwnedFile(unsafe {
            <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fd)
        });
        #[cfg(windows)]
        return OwnedFile(fd);
    }

    pub(crate) fn raw(&self) -> RawFd {
        #[cfg(unix)]
        return std::os::fd::AsRawFd::as_raw_fd(&self.0);
        #[cfg(windows)]
        return self.0;
    }

    pub(crate) fn into_raw(self) -> RawFd {
        #[cfg(unix)]
        return std::os::fd::IntoRawFd::into_raw_fd(self.0);
        #[cfg(windows)]
        return std::mem::ManuallyDrop::new(self).0;
    }
}

#[cfg(windows)]
impl Drop for OwnedFile {
    fn drop(&mut self) {
        // SAFETY: libuv's synchronous form (no callback) runs the close on
        // this thread and only stores the loop pointer (null here); the
        // request is `sync_fs`'s own, cleaned up after. The descriptor is
        // ours and used by no request any more (the last `Arc` is gone).
        unsafe {
            sync_fs(
                |req| sys::uv_fs_close(std::ptr::null_mut(), req, self.0, None),
                |_| (),
            )
        };
    }
}

/// Runs a synchronous libuv fs call (no callback) on a request of its own,
/// then `read` on the finished request; returns the call's result and what
/// `read` made of it.
///
/// # Safety
/// `call` makes one fs call on the request it is given, without a
/// callback.
unsafe fn sync_fs<R>(
    call: impl FnOnce(*mut uv_fs_t) -> c_int,
    read: impl FnOnce(*mut uv_fs_t) -> R,
) -> (c_int, R) {
    // SAFETY: uv_req_size is a pure function.
    let size = unsafe { sys::uv_req_size(sys::UV_FS) };
    let mut req = vec![0u64; size.div_ceil(8)];
    let req_ptr: *mut uv_fs_t = req.as_mut_ptr().cast();
    let rc = call(req_ptr);
    let out = read(req_ptr);
    // SAFETY: the request was used by one synchronous call; cleaning it
    // up frees what libuv allocated in it.
    unsafe { sys::uv_fs_req_cleanup(req_ptr) };
    (rc, out)
}

/// The size of the regular file open on `fd` (a quick, synchronous
/// `fstat` on this thread); `None` for anything else or an error.
fn regular_file_size(fd: RawFd) -> Option<u64> {
    // SAFETY: a synchronous fstat (the loop pointer is only stored) of a
    // descriptor the caller keeps open; the statbuf is read before the
    // request is cleaned up.
    let (rc, stat) = unsafe {
        sync_fs(
            |req| sys::uv_fs_fstat(std::ptr::null_mut(), req, fd, None),
            |req| *sys::uv_fs_get_statbuf(req),
        )
    };
    let metadata = Metadata(stat);
    (rc >= 0 && metadata.is_file()).then(|| metadata.len())
}

/// A new descriptor for the file `fd` is open on (`dup`), or `None`
/// (the process is out of descriptors).
fn duplicate(fd: RawFd) -> Option<RawFd> {
    #[cfg(unix)]
    {
        // SAFETY: fcntl on a descriptor the caller keeps open.
        let new = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0) };
        (new >= 0).then_some(new)
    }
    #[cfg(windows)]
    {
        use windows_sys::Win32::Foundation::{DuplicateHandle, DUPLICATE_SAME_ACCESS, HANDLE};
        use windows_sys::Win32::System::Threading::GetCurrentProcess;
        // SAFETY: the OS handle behind a descriptor the caller keeps open.
        let handle = unsafe { sys::uv_get_osfhandle(fd) } as HANDLE;
        let mut new: HANDLE = std::ptr::null_mut();
        // SAFETY: a live handle of this process, duplicated into it, not
        // inheritable; `new` is the out-parameter.
        let ok = unsafe {
            DuplicateHandle(
                GetCurrentProcess(),
                handle,
                GetCurrentProcess(),
                &mut new,
                0,
                0,
                DUPLICATE_SAME_ACCESS,
            )
        };
        if ok == 0 {
            return None;
        }
        // SAFETY: a new handle nothing else owns; libuv's C runtime takes it.
        let new_fd = unsafe { sys::uv_open_osfhandle(new.cast()) };
        (new_fd >= 0).then_some(new_fd)
    }
}

/// The descriptor a [`File`] and its requests share. It is closed when the
/// last of them lets go: a request still running on the thread pool when
/// its future (or the `File`) was dropped keeps the number open, so the
/// kernel cannot hand it to the next `open` while the request still reads
/// or writes through it.
#[derive(Debug)]
pub(super) enum Descriptor {
    /// Closed (with a quick, synchronous `close(2)`) when dropped.
    Owned(OwnedFile),
    /// Used, never closed ([`File::borrow_raw`]).
    Borrowed(RawFd),
}

impl Descriptor {
    fn raw(&self) -> RawFd {
        match self {
            Descriptor::Owned(fd) => fd.raw(),
            Descriptor::Borrowed(fd) => *fd,
        }
    }
}

/// What a request on a [`File`] keeps until libuv's callback: the shared
/// descriptor and the request's own data.
type OnFile<K> = (Arc<Descriptor>, K);

/// An open file. Dropping it closes it (with a quick, synchronous
/// `close(2)`); [`close`](File::close) closes it on the thread pool and
/// reports errors. A request that is still running when its future is
/// dropped (a read canceled by a timeout, say) keeps the descriptor open
/// until it ends, so the number is never reused under it.
///
/// Reading and writing at the file's position is [`crate::io`]'s
/// `AsyncReadExt`/`AsyncWriteExt`/`AsyncSeekExt` (`read`, `read_to_end`,
/// `write_all`, `seek`, …). [`read_at`](File::read_at) and
/// [`write_at`](File::write_at) leave the position alone and take and
/// return owned buffers: libuv fills the buffer from its thread pool, and
/// it must stay alive even if the future is dropped, so it cannot be a
/// borrowed slice.
///
/// ```
/// use plenary_async as a;
/// use a::io::AsyncReadExt;
/// use a::uv::fs::File;
///
/// a::block_on(async {
///     let mut file = File::open("/etc/hostname").await?;
///     let mut head = [0u8; 4];
///     let n = file.read(&mut head).await?; // up to 4 bytes from the current position
///     assert!(n <= 4);
///     file.close().await
/// })
/// .unwrap();
/// ```
#[derive(Debug)]
pub struct File {
    fd: Arc<Descriptor>,
    /// The state of the AsyncRead/AsyncWrite/AsyncSeek impls (file_io.rs).
    pub(super) io: std::cell::RefCell<super::file_io::IoState>,
}

impl File {
    /// Opens a file for reading.
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe: dropping the future before it resolves asks libuv to
    /// skip the request if its thread pool has not started it, but a request
    /// already running completes: a file opened late is closed again (with
    /// `create`, it may have been created) although the future was dropped.
    ///
    /// ```
    /// let f = plenary_async::block_on(plenary_async::uv::fs::File::open("/dev/null")).unwrap();
    /// # drop(f);
    /// ```
    pub async fn open(path: impl AsRef<Path>) -> Result<File> {
        OpenOptions::new().read(true).open(path).await
    }

    /// Opens a file for writing, creating it or truncating it.
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe: dropping the future before it resolves asks libuv to
    /// skip the request if its thread pool has not started it, but a request
    /// already running completes: the file may be created or truncated; a file
    /// opened late is closed again although the future was dropped.
    ///
    /// ```
    /// let f = plenary_async::block_on(plenary_async::uv::fs::File::create("/dev/null")).unwrap();
    /// # drop(f);
    /// ```
    pub async fn create(path: impl AsRef<Path>) -> Result<File> {
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .await
    }

    pub(super) fn raw(&self) -> c_int {
        self.fd.raw()
    }

    /// The shared descriptor, for a request that must hold it open.
    pub(super) fn descriptor(&self) -> Arc<Descriptor> {
        self.fd.clone()
    }

    /// Starts a request on the descriptor: `submit` gets the loop, the
    /// request, the request's data and the descriptor; the request holds
    /// the descriptor open until its callback.
    async fn on_descriptor<K, T>(
        &self,
        op: &'static str,
        data: K,
        extract: Extract<OnFile<K>, T>,
        submit: impl FnOnce(*mut uv_loop_t, *mut uv_fs_t, &mut K, c_int, sys::uv_fs_cb) -> c_int,
    ) -> Result<T> {
        let fd = self.raw();
        run(
            op,
            None,
            (self.fd.clone(), data),
            extract,
            move |l, r, keep, cb| submit(l, r, &mut keep.1, fd, cb),
        )
        .await
    }

    /// A `File` that uses `fd` without owning it: neither it nor its
    /// requests ever close `fd` (as with [`std::os::fd::BorrowedFd`]).
    /// [`into_raw_fd`](std::os::fd::IntoRawFd::into_raw_fd) gives the number back.
    ///
    /// # Safety
    /// `fd` must stay open until the `File` and every request started
    /// through it have ended (a request whose future was dropped may still
    /// run on the thread pool for a while).
    ///
    /// ```
    /// use plenary_async as a;
    /// use std::os::fd::AsRawFd;
    /// let std_file = std::fs::File::open("/dev/null").unwrap();
    /// // SAFETY: `std_file` outlives `file` and the read below.
    /// let file = unsafe { a::uv::fs::File::borrow_raw(std_file.as_raw_fd()) };
    /// assert!(a::block_on(file.read_at(1, 0)).unwrap().is_empty());
    /// drop(file); // does not close the descriptor
    /// assert!(std_file.metadata().is_ok());
    /// ```
    pub unsafe fn borrow_raw(fd: RawFd) -> File {
        File {
            fd: Arc::new(Descriptor::Borrowed(fd)),
            io: Default::default(),
        }
    }

    /// Another `File` on the same descriptor, for a request the traits
    /// keep in flight (it holds the descriptor open, as any request does).
    pub(super) fn sharing(&self) -> File {
        File {
            fd: self.fd.clone(),
            io: Default::default(),
        }
    }

    pub(super) async fn read_inner(&self, len: usize, offset: i64) -> Result<Vec<u8>> {
        // A read never returns more than MAX_READ bytes (Linux's limit for
        // one read(2)), so a larger buffer would only waste memory; and the
        // length may come from a script: reserve it fallibly, so that an
        // impossible size is an ENOMEM error, not an abort.
        let mut len = len.min(MAX_READ);
        if len > BIG_READ {
            if let Some(size) = regular_file_size(self.raw()) {
                let from = u64::try_from(offset).unwrap_or(0);
                let left = usize::try_from(size.saturating_sub(from)).unwrap_or(usize::MAX);
                len = len.min(left.max(BIG_READ));
            }
        }
        let mut buf = Vec::<u8>::new();
        if let Err(_too_big) = buf.try_reserve_exact(len) {
            return Err(Error::uv("fs_read", sys::UV_ENOMEM, None));
        }
        let filled: Extract<OnFile<Vec<u8>>, Vec<u8>> = |keep, req, n| filled(&mut keep.1, req, n);
        self.on_descriptor("fs_read", buf, filled, move |l, r, buf, fd, cb| {
            let desc = sys::uv_buf_t::new(buf.as_mut_ptr(), buf.capacity());
            // SAFETY: the buffer lives in the request's slot until the
            // callback; libuv copies the descriptor array before returning.
            unsafe { sys::uv_fs_read(l, r, fd, &desc, 1, offset, cb) }
        })
        .await
    }

    /// Reads up to `len` bytes at `offset`, leaving the position alone
    /// (plenary's `fs_read(fd, size, offset)`).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: it changes nothing (it leaves the position alone). Dropping
    /// the future asks libuv to skip the read if it has not started; the bytes
    /// of a read already running are dropped.
    ///
    /// ```
    /// # use plenary_async as a;
    /// let f = a::block_on(a::uv::fs::File::open("/dev/zero")).unwrap();
    /// assert_eq!(a::block_on(f.read_at(3, 100)).unwrap(), [0, 0, 0]);
    /// ```
    pub async fn read_at(&self, len: usize, offset: u64) -> Result<Vec<u8>> {
        self.read_inner(len, offset as i64).await
    }

    /// Writes once; gives the buffer back with the count, for `write_all`.
    pub(super) async fn write_inner(&self, data: Vec<u8>, offset: i64) -> Result<(usize, Vec<u8>)> {
        let extract: Extract<OnFile<Vec<u8>>, (usize, Vec<u8>)> =
            |keep, _, n| (n as usize, std::mem::take(&mut keep.1));
        self.on_descriptor("fs_write", data, extract, move |l, r, data, fd, cb| {
            let desc = sys::uv_buf_t::new(data.as_mut_ptr(), data.len());
            // SAFETY: as in `read_inner`; libuv only reads the buffer.
            unsafe { sys::uv_fs_write(l, r, fd, &desc, 1, offset, cb) }
        })
        .await
    }

    /// Writes `data` at `offset`, leaving the position alone.
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe: dropping the future before it resolves asks libuv to
    /// skip the request if its thread pool has not started it, but a request
    /// already running completes: some or all of `data` may be written although
    /// the future was dropped.
    ///
    /// ```
    /// # use plenary_async as a;
    /// let f = a::block_on(a::uv::fs::File::create("/dev/null")).unwrap();
    /// assert_eq!(a::block_on(f.write_at("abc", 10)).unwrap(), 3);
    /// ```
    pub async fn write_at(&self, data: impl Into<Vec<u8>>, offset: u64) -> Result<usize> {
        Ok(self.write_inner(data.into(), offset as i64).await?.0)
    }

    /// The file's metadata (plenary's `fs_fstat`).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: it changes nothing. Dropping the future before it resolves
    /// asks libuv to skip the request if its thread pool has not started it; a
    /// request already running completes and its result is dropped.
    ///
    /// ```
    /// # use plenary_async as a;
    /// let f = a::block_on(a::uv::fs::File::open("/dev/null")).unwrap();
    /// assert_eq!(a::block_on(f.stat()).unwrap().file_type(), a::uv::fs::FileType::CharDevice);
    /// ```
    pub async fn stat(&self) -> Result<Metadata> {
        self.on_descriptor("fs_fstat", (), stat_of, move |l, r, _, fd, cb| {
            // SAFETY: a valid loop and request; no pointers passed.
            unsafe { sys::uv_fs_fstat(l, r, fd, cb) }
        })
        .await
    }

    async fn on_fd(
        &self,
        op: &'static str,
        submit: impl FnOnce(*mut uv_loop_t, *mut uv_fs_t, c_int, sys::uv_fs_cb) -> c_int,
    ) -> Result<()> {
        self.on_descriptor(op, (), nothing, move |l, r, _, fd, cb| submit(l, r, fd, cb))
            .await
    }

    /// Flushes data and metadata to the disk (plenary's `fs_fsync`).
    ///
    /// # Cancel safety
    ///
    /// Dropping the future may leave the data unsynced, or synced: libuv skips
    /// the request only if it has not started. Safe to call again.
    ///
    /// ```
    /// # use plenary_async as a;
    /// # let dir = a::block_on(a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX"))).unwrap();
    /// let f = a::block_on(a::uv::fs::File::create(dir.join("f"))).unwrap();
    /// a::block_on(f.sync_all()).unwrap();
    /// # a::block_on(a::uv::fs::unlink(dir.join("f"))).unwrap(); a::block_on(a::uv::fs::rmdir(&dir)).unwrap();
    /// ```
    pub async fn sync_all(&self) -> Result<()> {
        self.on_fd("fs_fsync", |l, r, fd, cb| {
            // SAFETY: a valid loop and request.
            unsafe { sys::uv_fs_fsync(l, r, fd, cb) }
        })
        .await
    }

    /// Flushes data to the disk, metadata only as needed (plenary's
    /// `fs_fdatasync`).
    ///
    /// # Cancel safety
    ///
    /// Dropping the future may leave the data unsynced, or synced: libuv skips
    /// the request only if it has not started. Safe to call again.
    ///
    /// ```
    /// # use plenary_async as a;
    /// # let dir = a::block_on(a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX"))).unwrap();
    /// let f = a::block_on(a::uv::fs::File::create(dir.join("f"))).unwrap();
    /// a::block_on(f.sync_data()).unwrap();
    /// # a::block_on(a::uv::fs::unlink(dir.join("f"))).unwrap(); a::block_on(a::uv::fs::rmdir(&dir)).unwrap();
    /// ```
    pub async fn sync_data(&self) -> Result<()> {
        self.on_fd("fs_fdatasync", |l, r, fd, cb| {
            // SAFETY: a valid loop and request.
            unsafe { sys::uv_fs_fdatasync(l, r, fd, cb) }
        })
        .await
    }

    /// Truncates or extends the file to `len` bytes (plenary's
    /// `fs_ftruncate`).
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe: dropping the future before it resolves asks libuv to
    /// skip the request if its thread pool has not started it, but a request
    /// already running completes: the length may be set although the future was
    /// dropped.
    ///
    /// ```
    /// # use plenary_async as a;
    /// # let dir = a::block_on(a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX"))).unwrap();
    /// let f = a::block_on(a::uv::fs::File::create(dir.join("f"))).unwrap();
    /// a::block_on(f.set_len(10)).unwrap();
    /// assert_eq!(a::block_on(f.stat()).unwrap().len(), 10);
    /// # a::block_on(a::uv::fs::unlink(dir.join("f"))).unwrap(); a::block_on(a::uv::fs::rmdir(&dir)).unwrap();
    /// ```
    pub async fn set_len(&self, len: u64) -> Result<()> {
        self.on_fd("fs_ftruncate", move |l, r, fd, cb| {
            // SAFETY: a valid loop and request.
            unsafe { sys::uv_fs_ftruncate(l, r, fd, len as i64, cb) }
        })
        .await
    }

    /// Changes the permission bits (plenary's `fs_fchmod`).
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe: dropping the future before it resolves asks libuv to
    /// skip the request if its thread pool has not started it, but a request
    /// already running completes: the mode may be changed although the future
    /// was dropped.
    ///
    /// ```
    /// # use plenary_async as a;
    /// # let dir = a::block_on(a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX"))).unwrap();
    /// let f = a::block_on(a::uv::fs::File::create(dir.join("f"))).unwrap();
    /// a::block_on(f.chmod(0o600)).unwrap();
    /// assert_eq!(a::block_on(f.stat()).unwrap().mode() & 0o777, 0o600);
    /// # a::block_on(a::uv::fs::unlink(dir.join("f"))).unwrap(); a::block_on(a::uv::fs::rmdir(&dir)).unwrap();
    /// ```
    pub async fn chmod(&self, mode: u32) -> Result<()> {
        self.on_fd("fs_fchmod", move |l, r, fd, cb| {
            // SAFETY: a valid loop and request.
            unsafe { sys::uv_fs_fchmod(l, r, fd, mode as c_int, cb) }
        })
        .await
    }

    /// Sets the access and modification times (plenary's `fs_futime`).
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe: dropping the future before it resolves asks libuv to
    /// skip the request if its thread pool has not started it, but a request
    /// already running completes: the times may be changed although the future
    /// was dropped.
    ///
    /// ```
    /// # use plenary_async as a;
    /// use std::time::{Duration, UNIX_EPOCH};
    /// # let dir = a::block_on(a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX"))).unwrap();
    /// let f = a::block_on(a::uv::fs::File::create(dir.join("f"))).unwrap();
    /// let t = UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    /// a::block_on(f.utime(t, t)).unwrap();
    /// assert_eq!(a::block_on(f.stat()).unwrap().modified(), t);
    /// # a::block_on(a::uv::fs::unlink(dir.join("f"))).unwrap(); a::block_on(a::uv::fs::rmdir(&dir)).unwrap();
    /// ```
    pub async fn utime(&self, accessed: SystemTime, modified: SystemTime) -> Result<()> {
        let (at, mt) = (to_seconds(accessed), to_seconds(modified));
        self.on_fd("fs_futime", move |l, r, fd, cb| {
            // SAFETY: a valid loop and request.
            unsafe { sys::uv_fs_futime(l, r, fd, at, mt, cb) }
        })
        .await
    }

    /// Changes the owner and group (plenary's `fs_fchown`); `u32::MAX`
    /// leaves one unchanged.
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe: dropping the future before it resolves asks libuv to
    /// skip the request if its thread pool has not started it, but a request
    /// already running completes: the owner may be changed although the future
    /// was dropped.
    ///
    /// ```
    /// # use plenary_async as a;
    /// # let dir = a::block_on(a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX"))).unwrap();
    /// let f = a::block_on(a::uv::fs::File::create(dir.join("f"))).unwrap();
    /// let me = a::block_on(f.stat()).unwrap();
    /// a::block_on(f.chown(me.uid(), me.gid())).unwrap(); // to itself: always allowed
    /// # a::block_on(a::uv::fs::unlink(dir.join("f"))).unwrap(); a::block_on(a::uv::fs::rmdir(&dir)).unwrap();
    /// ```
    pub async fn chown(&self, uid: u32, gid: u32) -> Result<()> {
        self.on_fd("fs_fchown", move |l, r, fd, cb| {
            // SAFETY: a valid loop and request.
            unsafe { sys::uv_fs_fchown(l, r, fd, sys::owner(uid), sys::owner(gid), cb) }
        })
        .await
    }

    /// Closes the file on the thread pool, reporting an error if `close(2)`
    /// fails (plenary's `fs_close`). If a request whose future was dropped
    /// still runs, the descriptor is closed when it ends (synchronously, on
    /// the loop's thread) and this returns `Ok` at once. A [borrowed](File::borrow_raw)
    /// descriptor is not closed.
    ///
    /// # Cancel safety
    ///
    /// The descriptor is closed however the future ends: dropped before it
    /// resolves, the close still happens (libuv closes a descriptor even when
    /// the request is canceled late); only its error is lost.
    ///
    /// ```
    /// # use plenary_async as a;
    /// let f = a::block_on(a::uv::fs::File::open("/dev/null")).unwrap();
    /// a::block_on(f.close()).unwrap();
    /// ```
    pub async fn close(self) -> Result<()> {
        let fd = match Arc::try_unwrap(self.fd) {
            Ok(Descriptor::Owned(fd)) => fd.into_raw(),
            // Borrowed, or still used by a request (which closes it).
            Ok(Descriptor::Borrowed(_)) | Err(_) => return Ok(()),
        };
        run("fs_close", None, (), nothing, move |l, r, _, cb| {
            // SAFETY: a valid loop and request; the descriptor is ours (taken
            // out of the OwnedFd), and libuv closes it even if cancelled late.
            unsafe { sys::uv_fs_close(l, r, fd, cb) }
        })
        .await
    }

    /// The file descriptor, e.g. for [`sendfile`].
    ///
    /// ```
    /// # use plenary_async as a;
    /// use std::os::fd::AsRawFd;
    /// let f = a::block_on(a::uv::fs::File::open("/dev/null")).unwrap();
    /// assert!(f.as_raw_fd() >= 0);
    /// ```
    pub fn as_raw_fd(&self) -> RawFd {
        self.raw()
    }
}

#[cfg(unix)]
impl std::os::fd::AsRawFd for File {
    fn as_raw_fd(&self) -> RawFd {
        self.raw()
    }
}

#[cfg(unix)]
impl std::os::fd::IntoRawFd for File {
    /// Gives up the descriptor without closing it (plenary's `fs_open`
    /// hands out plain descriptors).
    ///
    /// ```
    /// use plenary_async as a;
    /// use std::os::fd::{FromRawFd, IntoRawFd};
    /// let fd = a::block_on(a::uv::fs::File::open("/dev/null")).unwrap().into_raw_fd();
    /// // SAFETY: the descriptor was just given up by a File.
    /// let file = unsafe { a::uv::fs::File::from_raw_fd(fd) }; // closes it on drop
    /// # drop(file);
    /// ```
    ///
    /// If a request whose future was dropped still uses the descriptor, it
    /// keeps (and later closes) that one, and this returns a duplicate
    /// (`dup(2)`) of it.
    ///
    /// # Panics
    /// If that duplicate cannot be made (the process is out of
    /// descriptors).
    fn into_raw_fd(self) -> RawFd {
        self.into_raw()
    }
}

impl File {
    fn into_raw(self) -> RawFd {
        match Arc::try_unwrap(self.fd) {
            Ok(Descriptor::Owned(fd)) => fd.into_raw(),
            Ok(Descriptor::Borrowed(fd)) => fd,
            Err(shared) => duplicate(shared.raw()).unwrap_or_else(|| {
                panic!(
                    "plenary_async: File::into_raw_fd: cannot duplicate descriptor {} \
                     (still used by a request): {}",
                    shared.raw(),
                    std::io::Error::last_os_error()
                )
            }),
        }
    }

    /// Takes ownership of an open descriptor.
    ///
    /// # Safety
    /// `fd` is open, a descriptor of libuv's C runtime, owned by nothing
    /// else.
    unsafe fn from_raw(fd: RawFd) -> File {
        File {
            // SAFETY: the caller's contract.
            fd: Arc::new(Descriptor::Owned(unsafe { OwnedFile::from_raw(fd) })),
            io: Default::default(),
        }
    }

    /// Gives up the descriptor without closing it (Windows: a descriptor of
    /// libuv's C runtime); a duplicate if a request still uses it, as
    /// `IntoRawFd` does on Unix.
    ///
    /// # Panics
    /// If that duplicate cannot be made.
    #[cfg(windows)]
    pub fn into_raw_fd(self) -> RawFd {
        self.into_raw()
    }

    /// Takes ownership of an open descriptor of libuv's C runtime (Windows;
    /// `FromRawFd` on Unix).
    ///
    /// # Safety
    /// `fd` is open and owned by nothing else.
    #[cfg(windows)]
    pub unsafe fn from_raw_fd(fd: RawFd) -> File {
        // SAFETY: the caller's contract.
        unsafe { File::from_raw(fd) }
    }
}

#[cfg(unix)]
impl std::os::fd::FromRawFd for File {
    /// Takes ownership of an open descriptor.
    ///
    /// ```
    /// use plenary_async as a;
    /// use std::os::fd::{FromRawFd, IntoRawFd};
    /// let fd = std::fs::File::open("/dev/null").unwrap().into_raw_fd();
    /// // SAFETY: `fd` is open and owned by nothing else.
    /// let file = unsafe { a::uv::fs::File::from_raw_fd(fd) };
    /// assert!(a::block_on(file.read_at(1, 0)).unwrap().is_empty());
    /// ```
    unsafe fn from_raw_fd(fd: RawFd) -> File {
        // SAFETY: the caller's contract.
        unsafe { File::from_raw(fd) }
    }
}

fn filled(buf: &mut Vec<u8>, _: *mut uv_fs_t, n: isize) -> Vec<u8> {
    let mut out = std::mem::take(buf);
    // SAFETY: libuv wrote `n` bytes (at most the capacity) into the buffer.
    unsafe { out.set_len(n as usize) };
    out
}
