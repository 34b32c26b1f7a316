//! The file system, awaitable (the seed's `a.uv.fs_*`).
//!
//! Every function here is one libuv request run on libuv's thread pool and
//! completed on the loop, so awaiting it never blocks the loop (or Neovim).
//! The names are libuv's and plenary's (`fs_stat` is [`stat`], `fs_open` is
//! [`OpenOptions::open`] / [`File::open`], …), plus the conveniences a Rust
//! user expects: [`read`], [`read_to_string`], [`write`](write()), [`read_dir`] as a
//! stream, and a [`File`] that closes itself when dropped.
//!
//! ```
//! use plenary_async as a;
//! use a::uv::fs;
//!
//! a::block_on(async {
//!     let dir = fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX")).await?;
//!     let path = dir.join("hello.txt");
//!     fs::write(&path, "Hello, libuv").await?;
//!     assert_eq!(fs::read_to_string(&path).await?, "Hello, libuv");
//!     assert_eq!(fs::stat(&path).await?.len(), 12);
//!     fs::unlink(&path).await?;
//!     fs::rmdir(&dir).await?;
//!     Ok::<_, a::Error>(())
//! })
//! .unwrap();
//! ```
//!
//! **Errors** are [`Error::Uv`] with the operation (`"fs_open"`), libuv's
//! error name (`"ENOENT"`) and the path, and convert to [`std::io::Error`]
//! with the matching kind. A path with an interior NUL byte is `EINVAL`
//! before anything is started.
//!
//! **Cancellation:** dropping a future before it resolves never frees memory
//! libuv still uses: the request and its buffers live until libuv's
//! callback. libuv is asked to skip the operation if it has not started
//! (`uv_cancel`); an operation already running completes, and what it
//! produced is released (an opened file is closed again).

use super::fs_req::{self, Extract};
use crate::ffi::sys::{self, uv_fs_t, uv_loop_t};
use crate::Error;
use std::ffi::{c_char, c_int, CStr, CString, OsStr};
use std::fmt;
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The most one read returns on Linux (`MAX_RW_COUNT`): a read buffer is
/// never larger.
const MAX_READ: usize = 0x7fff_f000;

type Result<T> = std::result::Result<T, Error>;

// ---- plumbing ---------------------------------------------------------------

/// A path as libuv wants it; `EINVAL` (naming `op`) if it holds a NUL byte.
fn c_path(op: &'static str, path: &Path) -> Result<CString> {
    CString::new(path.as_os_str().as_bytes())
        .map_err(|_| Error::uv(op, sys::UV_EINVAL, Some(path.display().to_string())))
}

fn shown(path: &Path) -> Option<String> {
    Some(path.display().to_string())
}

/// Starts a request and awaits it.
async fn run<K, T>(
    op: &'static str,
    path: Option<String>,
    keep: K,
    extract: Extract<K, T>,
    submit: impl FnOnce(*mut uv_loop_t, *mut uv_fs_t, &mut K, sys::uv_fs_cb) -> c_int,
) -> Result<T> {
    // SAFETY: every caller's `submit` starts one uv_fs_* call on the request
    // with the callback, passing pointers into `keep` only.
    unsafe { fs_req::start(op, path, keep, extract, submit) }?.await
}

/// A request on one path that gives nothing back.
async fn on_path(
    op: &'static str,
    path: &Path,
    submit: impl FnOnce(*mut uv_loop_t, *mut uv_fs_t, *const c_char, sys::uv_fs_cb) -> c_int,
) -> Result<()> {
    let c = c_path(op, path)?;
    run(op, shown(path), c, nothing, |l, r, c, cb| {
        submit(l, r, c.as_ptr(), cb)
    })
    .await
}

/// A request on two paths (rename, link, …) that gives nothing back.
async fn on_two_paths(
    op: &'static str,
    from: &Path,
    to: &Path,
    submit: impl FnOnce(
        *mut uv_loop_t,
        *mut uv_fs_t,
        *const c_char,
        *const c_char,
        sys::uv_fs_cb,
    ) -> c_int,
) -> Result<()> {
    let keep = (c_path(op, from)?, c_path(op, to)?);
    let shown = Some(format!("{} -> {}", from.display(), to.display()));
    run(op, shown, keep, nothing, |l, r, k, cb| {
        submit(l, r, k.0.as_ptr(), k.1.as_ptr(), cb)
    })
    .await
}

fn nothing<K>(_: &mut K, _: *mut uv_fs_t, _: isize) {}

fn count<K>(_: &mut K, _: *mut uv_fs_t, result: isize) -> usize {
    result as usize
}

fn stat_of<K>(_: &mut K, req: *mut uv_fs_t, _: isize) -> Metadata {
    // SAFETY: a finished stat-family request: libuv filled its statbuf.
    Metadata(unsafe { *sys::uv_fs_get_statbuf(req) })
}

fn bytes_to_path(bytes: &[u8]) -> PathBuf {
    PathBuf::from(OsStr::from_bytes(bytes))
}

/// The C string libuv left in the request's `ptr` (readlink, realpath).
fn ptr_path<K>(_: &mut K, req: *mut uv_fs_t, _: isize) -> PathBuf {
    // SAFETY: for readlink/realpath, `ptr` is a NUL-terminated string owned by
    // the request until uv_fs_req_cleanup, which runs after this.
    bytes_to_path(unsafe { CStr::from_ptr(sys::uv_fs_get_ptr(req) as *const c_char) }.to_bytes())
}

/// The path libuv wrote back into the request (mkdtemp, mkstemp).
fn req_path(req: *mut uv_fs_t) -> PathBuf {
    // SAFETY: for mkdtemp/mkstemp, `path` is the filled-in template, owned by
    // the request until uv_fs_req_cleanup.
    bytes_to_path(unsafe { CStr::from_ptr(sys::uv_fs_get_path(req)) }.to_bytes())
}

/// The whole-second-and-nanosecond time libuv reports, as a `SystemTime`.
fn to_system_time(t: sys::uv_timespec_t) -> SystemTime {
    // `c_long` is 32 or 64 bits depending on the platform.
    #[allow(clippy::useless_conversion)]
    let (secs, nanos) = (i64::from(t.tv_sec), i64::from(t.tv_nsec));
    let nanos = Duration::from_nanos(nanos.clamp(0, 999_999_999) as u64);
    if secs >= 0 {
        UNIX_EPOCH + Duration::from_secs(secs as u64) + nanos
    } else {
        UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs()) + nanos
    }
}

/// Seconds since the epoch, as libuv's utime functions take them.
fn to_seconds(t: SystemTime) -> f64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs_f64(),
        Err(e) => -e.duration().as_secs_f64(),
    }
}

// ---- metadata ---------------------------------------------------------------

/// What [`stat`], [`lstat`] and [`File::stat`] report (libuv's `uv_stat_t`).
///
/// ```
/// use plenary_async as a;
///
/// let meta = a::block_on(a::uv::fs::stat(std::env::temp_dir())).unwrap();
/// assert!(meta.is_dir());
/// assert!(!meta.is_file());
/// ```
#[derive(Clone, Copy)]
pub struct Metadata(sys::uv_stat_t);

impl Metadata {
    pub(crate) fn from_raw(raw: sys::uv_stat_t) -> Metadata {
        Metadata(raw)
    }

    /// The size in bytes.
    ///
    /// ```
    /// # use plenary_async as a;
    /// # let m = a::block_on(a::uv::fs::stat(std::env::temp_dir())).unwrap();
    /// let _bytes: u64 = m.len();
    /// ```
    pub fn len(&self) -> u64 {
        self.0.st_size
    }

    /// Whether the size is zero.
    ///
    /// ```
    /// # use plenary_async as a;
    /// # let m = a::block_on(a::uv::fs::stat("/dev/null")).unwrap();
    /// assert!(m.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The kind of file.
    ///
    /// ```
    /// use plenary_async::uv::fs::{self, FileType};
    /// let m = plenary_async::block_on(fs::stat("/dev/null")).unwrap();
    /// assert_eq!(m.file_type(), FileType::CharDevice);
    /// ```
    pub fn file_type(&self) -> FileType {
        FileType::from_mode(self.0.st_mode as u32)
    }

    /// Whether it is a regular file.
    ///
    /// ```
    /// # use plenary_async as a;
    /// # let m = a::block_on(a::uv::fs::stat(std::env::temp_dir())).unwrap();
    /// assert!(!m.is_file());
    /// ```
    pub fn is_file(&self) -> bool {
        self.file_type() == FileType::File
    }

    /// Whether it is a directory.
    ///
    /// ```
    /// # use plenary_async as a;
    /// # let m = a::block_on(a::uv::fs::stat(std::env::temp_dir())).unwrap();
    /// assert!(m.is_dir());
    /// ```
    pub fn is_dir(&self) -> bool {
        self.file_type() == FileType::Dir
    }

    /// Whether it is a symbolic link (only [`lstat`] can say so).
    ///
    /// ```
    /// # use plenary_async as a;
    /// # let m = a::block_on(a::uv::fs::lstat(std::env::temp_dir())).unwrap();
    /// assert!(!m.is_symlink());
    /// ```
    pub fn is_symlink(&self) -> bool {
        self.file_type() == FileType::Symlink
    }

    /// The permission bits and file-type bits (`st_mode`).
    ///
    /// ```
    /// # use plenary_async as a;
    /// # let m = a::block_on(a::uv::fs::stat(std::env::temp_dir())).unwrap();
    /// let permissions = m.mode() & 0o7777;
    /// # let _ = permissions;
    /// ```
    pub fn mode(&self) -> u32 {
        self.0.st_mode as u32
    }

    /// The owner's user id.
    ///
    /// ```
    /// # use plenary_async as a;
    /// # let m = a::block_on(a::uv::fs::stat(std::env::temp_dir())).unwrap();
    /// let _uid: u32 = m.uid();
    /// ```
    pub fn uid(&self) -> u32 {
        self.0.st_uid as u32
    }

    /// The owner's group id.
    ///
    /// ```
    /// # use plenary_async as a;
    /// # let m = a::block_on(a::uv::fs::stat(std::env::temp_dir())).unwrap();
    /// let _gid: u32 = m.gid();
    /// ```
    pub fn gid(&self) -> u32 {
        self.0.st_gid as u32
    }

    /// The inode number.
    ///
    /// ```
    /// # use plenary_async as a;
    /// # let m = a::block_on(a::uv::fs::stat(std::env::temp_dir())).unwrap();
    /// assert!(m.ino() > 0);
    /// ```
    pub fn ino(&self) -> u64 {
        self.0.st_ino
    }

    /// The device the file lives on.
    ///
    /// ```
    /// # use plenary_async as a;
    /// # let m = a::block_on(a::uv::fs::stat(std::env::temp_dir())).unwrap();
    /// let _dev: u64 = m.dev();
    /// ```
    pub fn dev(&self) -> u64 {
        self.0.st_dev
    }

    /// The number of hard links.
    ///
    /// ```
    /// # use plenary_async as a;
    /// # let m = a::block_on(a::uv::fs::stat(std::env::temp_dir())).unwrap();
    /// assert!(m.nlink() >= 1);
    /// ```
    pub fn nlink(&self) -> u64 {
        self.0.st_nlink
    }

    /// Last access time.
    ///
    /// ```
    /// # use plenary_async as a;
    /// # let m = a::block_on(a::uv::fs::stat(std::env::temp_dir())).unwrap();
    /// assert!(m.accessed() > std::time::UNIX_EPOCH);
    /// ```
    pub fn accessed(&self) -> SystemTime {
        to_system_time(self.0.st_atim)
    }

    /// Last modification time.
    ///
    /// ```
    /// # use plenary_async as a;
    /// # let m = a::block_on(a::uv::fs::stat(std::env::temp_dir())).unwrap();
    /// assert!(m.modified() > std::time::UNIX_EPOCH);
    /// ```
    pub fn modified(&self) -> SystemTime {
        to_system_time(self.0.st_mtim)
    }

    /// The number of 512-byte blocks allocated.
    ///
    /// ```
    /// # use plenary_async as a;
    /// # let m = a::block_on(a::uv::fs::stat("/dev/null")).unwrap();
    /// assert_eq!(m.blocks(), 0);
    /// ```
    pub fn blocks(&self) -> u64 {
        self.0.st_blocks
    }

    /// The file system's preferred block size for I/O.
    ///
    /// ```
    /// # use plenary_async as a;
    /// # let m = a::block_on(a::uv::fs::stat(std::env::temp_dir())).unwrap();
    /// assert!(m.blksize() > 0);
    /// ```
    pub fn blksize(&self) -> u64 {
        self.0.st_blksize
    }

    /// The device a special file stands for.
    ///
    /// ```
    /// # use plenary_async as a;
    /// # let m = a::block_on(a::uv::fs::stat("/dev/null")).unwrap();
    /// assert_ne!(m.rdev(), 0);
    /// ```
    pub fn rdev(&self) -> u64 {
        self.0.st_rdev
    }

    /// Last status change time.
    ///
    /// ```
    /// # use plenary_async as a;
    /// # let m = a::block_on(a::uv::fs::stat(std::env::temp_dir())).unwrap();
    /// assert!(m.changed() > std::time::UNIX_EPOCH);
    /// ```
    pub fn changed(&self) -> SystemTime {
        to_system_time(self.0.st_ctim)
    }
}

impl fmt::Debug for Metadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Metadata")
            .field("file_type", &self.file_type())
            .field("len", &self.len())
            .field("mode", &format_args!("{:o}", self.mode()))
            .finish_non_exhaustive()
    }
}

/// The kind of a file or directory entry.
///
/// ```
/// use plenary_async::uv::fs::FileType;
/// assert_ne!(FileType::File, FileType::Dir);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileType {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link.
    Symlink,
    /// A named pipe.
    Fifo,
    /// A Unix socket.
    Socket,
    /// A character device.
    CharDevice,
    /// A block device.
    BlockDevice,
    /// The file system did not say.
    Unknown,
}

impl FileType {
    fn from_mode(mode: u32) -> FileType {
        match mode & libc::S_IFMT {
            libc::S_IFREG => FileType::File,
            libc::S_IFDIR => FileType::Dir,
            libc::S_IFLNK => FileType::Symlink,
            libc::S_IFIFO => FileType::Fifo,
            libc::S_IFSOCK => FileType::Socket,
            libc::S_IFCHR => FileType::CharDevice,
            libc::S_IFBLK => FileType::BlockDevice,
            _ => FileType::Unknown,
        }
    }

    fn from_dirent(kind: sys::uv_dirent_type_t) -> FileType {
        match kind {
            sys::UV_DIRENT_FILE => FileType::File,
            sys::UV_DIRENT_DIR => FileType::Dir,
            sys::UV_DIRENT_LINK => FileType::Symlink,
            sys::UV_DIRENT_FIFO => FileType::Fifo,
            sys::UV_DIRENT_SOCKET => FileType::Socket,
            sys::UV_DIRENT_CHAR => FileType::CharDevice,
            sys::UV_DIRENT_BLOCK => FileType::BlockDevice,
            _ => FileType::Unknown,
        }
    }
}

/// What [`statfs`] reports about a file system (libuv's `uv_statfs_t`).
///
/// ```
/// let s = plenary_async::block_on(plenary_async::uv::fs::statfs("/")).unwrap();
/// assert!(s.block_size > 0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatFs {
    /// The file system's type (a magic number, as `statfs(2)` reports it).
    pub fs_type: u64,
    /// The optimal transfer block size.
    pub block_size: u64,
    /// Total data blocks.
    pub blocks: u64,
    /// Free blocks.
    pub blocks_free: u64,
    /// Free blocks available to unprivileged users.
    pub blocks_available: u64,
    /// Total file nodes.
    pub files: u64,
    /// Free file nodes.
    pub files_free: u64,
}

/// One entry of a directory listing ([`scandir`], [`read_dir`], [`Dir::read`]).
///
/// ```
/// use plenary_async::uv::fs::{DirEntry, FileType};
/// fn show(e: &DirEntry) -> String {
///     format!("{} ({:?})", e.name.to_string_lossy(), e.file_type)
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DirEntry {
    /// The entry's name (not its path).
    pub name: std::ffi::OsString,
    /// Its kind, as the directory reports it ([`FileType::Unknown`] on some
    /// file systems).
    pub file_type: FileType,
}

// ---- File -------------------------------------------------------------------

/// How to open a file: the flags of `fs_open(path, flags, mode)` as a
/// builder, like [`std::fs::OpenOptions`].
///
/// ```
/// use plenary_async as a;
/// use a::uv::fs::OpenOptions;
///
/// a::block_on(async {
///     let dir = a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX")).await?;
///     let log = OpenOptions::new().append(true).create(true).open(dir.join("log")).await?;
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
            (true, true) => libc::O_RDWR,
            (false, true) => libc::O_WRONLY,
            _ => libc::O_RDONLY,
        };
        let mut flags = access | libc::O_CLOEXEC;
        if self.append {
            flags |= libc::O_APPEND;
        }
        if self.truncate {
            flags |= libc::O_TRUNC;
        }
        if self.create_new {
            flags |= libc::O_CREAT | libc::O_EXCL;
        } else if self.create {
            flags |= libc::O_CREAT;
        }
        flags
    }

    /// Opens `path` with these options (the seed's `fs_open`).
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

fn file_of<K>(_: &mut K, _: *mut uv_fs_t, fd: isize) -> File {
    // SAFETY: a successful open returned this new descriptor; nothing else
    // owns it.
    let fd = unsafe { OwnedFd::from_raw_fd(fd as RawFd) };
    File { fd }
}

/// An open file. Dropping it closes it (with a quick, synchronous
/// `close(2)`); [`close`](File::close) closes it on the thread pool and
/// reports errors.
///
/// Reads and writes take and return owned buffers: libuv writes into the
/// buffer from another thread, and it must stay alive even if the future is
/// dropped, so it cannot be a borrowed slice.
///
/// ```
/// use plenary_async as a;
/// use a::uv::fs::File;
///
/// a::block_on(async {
///     let file = File::open("/etc/hostname").await?;
///     let head = file.read(4).await?; // up to 4 bytes from the current position
///     assert!(head.len() <= 4);
///     file.close().await
/// })
/// .unwrap();
/// ```
#[derive(Debug)]
pub struct File {
    fd: OwnedFd,
}

impl File {
    /// Opens a file for reading.
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

    fn raw(&self) -> c_int {
        self.fd.as_raw_fd()
    }

    async fn read_inner(&self, len: usize, offset: i64) -> Result<Vec<u8>> {
        let fd = self.raw();
        // A read never returns more than MAX_READ bytes (Linux's limit for
        // one read(2)), so a larger buffer would only waste memory; and the
        // length may come from a script: reserve it fallibly, so that an
        // impossible size is an ENOMEM error, not an abort.
        let mut buf = Vec::<u8>::new();
        if let Err(_too_big) = buf.try_reserve_exact(len.min(MAX_READ)) {
            return Err(Error::uv("fs_read", -libc::ENOMEM, None));
        }
        run("fs_read", None, buf, filled, move |l, r, buf, cb| {
            let desc = sys::uv_buf_t {
                base: buf.as_mut_ptr().cast(),
                len: buf.capacity(),
            };
            // SAFETY: the buffer lives in the request's slot until the
            // callback; libuv copies the descriptor array before returning.
            unsafe { sys::uv_fs_read(l, r, fd, &desc, 1, offset, cb) }
        })
        .await
    }

    /// Reads up to `len` bytes at the current position (the seed's
    /// `fs_read(fd, size)`). An empty result means the end of the file. One
    /// read returns at most 2,147,479,552 bytes (Linux's limit); a buffer
    /// that cannot be allocated is an `ENOMEM` error.
    ///
    /// ```
    /// # use plenary_async as a;
    /// let f = a::block_on(a::uv::fs::File::open("/dev/null")).unwrap();
    /// assert!(a::block_on(f.read(16)).unwrap().is_empty()); // end of file
    /// ```
    pub async fn read(&self, len: usize) -> Result<Vec<u8>> {
        self.read_inner(len, -1).await
    }

    /// Reads up to `len` bytes at `offset`, leaving the position alone (the
    /// seed's `fs_read(fd, size, offset)`).
    ///
    /// ```
    /// # use plenary_async as a;
    /// let f = a::block_on(a::uv::fs::File::open("/dev/zero")).unwrap();
    /// assert_eq!(a::block_on(f.read_at(3, 100)).unwrap(), [0, 0, 0]);
    /// ```
    pub async fn read_at(&self, len: usize, offset: u64) -> Result<Vec<u8>> {
        self.read_inner(len, offset as i64).await
    }

    /// Reads from the current position to the end of the file.
    ///
    /// ```
    /// # use plenary_async as a;
    /// let f = a::block_on(a::uv::fs::File::open("/dev/null")).unwrap();
    /// assert!(a::block_on(f.read_to_end()).unwrap().is_empty());
    /// ```
    pub async fn read_to_end(&self) -> Result<Vec<u8>> {
        let size = self.stat().await.map(|m| m.len() as usize).unwrap_or(0);
        let mut all = Vec::new();
        let mut chunk = size.clamp(64 * 1024, 4 * 1024 * 1024);
        loop {
            let got = self.read(chunk).await?;
            if got.is_empty() {
                return Ok(all);
            }
            if all.is_empty() {
                all = got;
            } else {
                all.extend_from_slice(&got);
            }
            chunk = chunk.max(64 * 1024);
        }
    }

    /// Writes once; gives the buffer back with the count, for `write_all`.
    async fn write_inner(&self, data: Vec<u8>, offset: i64) -> Result<(usize, Vec<u8>)> {
        let fd = self.raw();
        let extract: Extract<Vec<u8>, (usize, Vec<u8>)> =
            |data, _, n| (n as usize, std::mem::take(data));
        run("fs_write", None, data, extract, move |l, r, data, cb| {
            let desc = sys::uv_buf_t {
                base: data.as_mut_ptr().cast(),
                len: data.len(),
            };
            // SAFETY: as in `read_inner`; libuv only reads the buffer.
            unsafe { sys::uv_fs_write(l, r, fd, &desc, 1, offset, cb) }
        })
        .await
    }

    /// Writes `data` at the current position (or at the end, if opened for
    /// appending); returns how many bytes were written, which may be fewer.
    ///
    /// ```
    /// # use plenary_async as a;
    /// let f = a::block_on(a::uv::fs::File::create("/dev/null")).unwrap();
    /// assert_eq!(a::block_on(f.write("abc")).unwrap(), 3);
    /// ```
    pub async fn write(&self, data: impl Into<Vec<u8>>) -> Result<usize> {
        Ok(self.write_inner(data.into(), -1).await?.0)
    }

    /// Writes `data` at `offset`, leaving the position alone.
    ///
    /// ```
    /// # use plenary_async as a;
    /// let f = a::block_on(a::uv::fs::File::create("/dev/null")).unwrap();
    /// assert_eq!(a::block_on(f.write_at("abc", 10)).unwrap(), 3);
    /// ```
    pub async fn write_at(&self, data: impl Into<Vec<u8>>, offset: u64) -> Result<usize> {
        Ok(self.write_inner(data.into(), offset as i64).await?.0)
    }

    /// Writes all of `data` at the current position, looping over short
    /// writes.
    ///
    /// ```
    /// # use plenary_async as a;
    /// let f = a::block_on(a::uv::fs::File::create("/dev/null")).unwrap();
    /// a::block_on(f.write_all(vec![7u8; 100_000])).unwrap();
    /// ```
    pub async fn write_all(&self, data: impl Into<Vec<u8>>) -> Result<()> {
        let mut data = data.into();
        while !data.is_empty() {
            let (n, back) = self.write_inner(data, -1).await?;
            data = back;
            if n == 0 {
                return Err(Error::uv("fs_write", -libc::EIO, None));
            }
            data.drain(..n);
        }
        Ok(())
    }

    /// The file's metadata (the seed's `fs_fstat`).
    ///
    /// ```
    /// # use plenary_async as a;
    /// let f = a::block_on(a::uv::fs::File::open("/dev/null")).unwrap();
    /// assert_eq!(a::block_on(f.stat()).unwrap().file_type(), a::uv::fs::FileType::CharDevice);
    /// ```
    pub async fn stat(&self) -> Result<Metadata> {
        let fd = self.raw();
        run("fs_fstat", None, (), stat_of, move |l, r, _, cb| {
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
        let fd = self.raw();
        run(op, None, (), nothing, move |l, r, _, cb| {
            submit(l, r, fd, cb)
        })
        .await
    }

    /// Flushes data and metadata to the disk (the seed's `fs_fsync`).
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

    /// Flushes data to the disk, metadata only as needed (the seed's
    /// `fs_fdatasync`).
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

    /// Truncates or extends the file to `len` bytes (the seed's
    /// `fs_ftruncate`).
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

    /// Changes the permission bits (the seed's `fs_fchmod`).
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

    /// Sets the access and modification times (the seed's `fs_futime`).
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

    /// Changes the owner and group (the seed's `fs_fchown`); `u32::MAX`
    /// leaves one unchanged.
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
            unsafe { sys::uv_fs_fchown(l, r, fd, uid, gid, cb) }
        })
        .await
    }

    /// Closes the file on the thread pool, reporting an error if `close(2)`
    /// fails (the seed's `fs_close`).
    ///
    /// ```
    /// # use plenary_async as a;
    /// let f = a::block_on(a::uv::fs::File::open("/dev/null")).unwrap();
    /// a::block_on(f.close()).unwrap();
    /// ```
    pub async fn close(self) -> Result<()> {
        let fd = self.fd.into_raw_fd();
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

impl AsRawFd for File {
    fn as_raw_fd(&self) -> RawFd {
        self.raw()
    }
}

impl IntoRawFd for File {
    /// Gives up the descriptor without closing it (the seed's `fs_open`
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
    fn into_raw_fd(self) -> RawFd {
        self.fd.into_raw_fd()
    }
}

impl FromRawFd for File {
    /// Takes ownership of an open descriptor.
    ///
    /// ```
    /// use plenary_async as a;
    /// use std::os::fd::{FromRawFd, IntoRawFd};
    /// let fd = std::fs::File::open("/dev/null").unwrap().into_raw_fd();
    /// // SAFETY: `fd` is open and owned by nothing else.
    /// let file = unsafe { a::uv::fs::File::from_raw_fd(fd) };
    /// assert!(a::block_on(file.read(1)).unwrap().is_empty());
    /// ```
    unsafe fn from_raw_fd(fd: RawFd) -> File {
        File {
            // SAFETY: the caller's contract.
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
        }
    }
}

fn filled(buf: &mut Vec<u8>, _: *mut uv_fs_t, n: isize) -> Vec<u8> {
    let mut out = std::mem::take(buf);
    // SAFETY: libuv wrote `n` bytes (at most the capacity) into the buffer.
    unsafe { out.set_len(n as usize) };
    out
}

// ---- whole-file conveniences -------------------------------------------------

/// Reads a whole file (`read_to_end`).
///
/// ```
/// let bytes = plenary_async::block_on(plenary_async::uv::fs::read("/dev/null")).unwrap();
/// assert!(bytes.is_empty());
/// ```
pub async fn read(path: impl AsRef<Path>) -> Result<Vec<u8>> {
    let path = path.as_ref().to_owned();
    let shown = shown(&path);
    // One trip to the thread pool for open, stat, reads and close.
    super::work::run("fs_read", shown, move || std::fs::read(path)).await
}

/// Reads a whole file as UTF-8 (`EILSEQ` naming the path if it is not).
///
/// ```
/// let text = plenary_async::block_on(plenary_async::uv::fs::read_to_string("/dev/null")).unwrap();
/// assert_eq!(text, "");
/// ```
pub async fn read_to_string(path: impl AsRef<Path>) -> Result<String> {
    let path = path.as_ref().to_owned();
    let shown = shown(&path);
    super::work::run("fs_read", shown, move || std::fs::read_to_string(path)).await
}

/// Writes `data` as the whole content of `path`, creating or truncating it
/// (the seed's `fs_write` of a whole file).
///
/// ```
/// # use plenary_async as a;
/// # let dir = a::block_on(a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX"))).unwrap();
/// a::block_on(a::uv::fs::write(dir.join("f"), "content")).unwrap();
/// assert_eq!(a::block_on(a::uv::fs::read(dir.join("f"))).unwrap(), b"content");
/// # a::block_on(a::uv::fs::unlink(dir.join("f"))).unwrap(); a::block_on(a::uv::fs::rmdir(&dir)).unwrap();
/// ```
pub async fn write(path: impl AsRef<Path>, data: impl Into<Vec<u8>>) -> Result<()> {
    let path = path.as_ref().to_owned();
    let shown = shown(&path);
    let data = data.into();
    // One trip to the thread pool for open, writes and close.
    super::work::run("fs_write", shown, move || std::fs::write(path, data)).await
}

// ---- operations on paths ------------------------------------------------------

/// Metadata of `path`, following symbolic links (the seed's `fs_stat`).
///
/// ```
/// let m = plenary_async::block_on(plenary_async::uv::fs::stat("/")).unwrap();
/// assert!(m.is_dir());
/// ```
pub async fn stat(path: impl AsRef<Path>) -> Result<Metadata> {
    let path = path.as_ref();
    let c = c_path("fs_stat", path)?;
    run("fs_stat", shown(path), c, stat_of, |l, r, c, cb| {
        // SAFETY: a valid loop and request; `c` lives in the request's slot.
        unsafe { sys::uv_fs_stat(l, r, c.as_ptr(), cb) }
    })
    .await
}

/// Metadata of `path` itself, not following a final symbolic link (the
/// seed's `fs_lstat`).
///
/// ```
/// let m = plenary_async::block_on(plenary_async::uv::fs::lstat("/")).unwrap();
/// assert!(m.is_dir());
/// ```
pub async fn lstat(path: impl AsRef<Path>) -> Result<Metadata> {
    let path = path.as_ref();
    let c = c_path("fs_lstat", path)?;
    run("fs_lstat", shown(path), c, stat_of, |l, r, c, cb| {
        // SAFETY: as in `stat`.
        unsafe { sys::uv_fs_lstat(l, r, c.as_ptr(), cb) }
    })
    .await
}

/// Removes a file (the seed's `fs_unlink`).
///
/// ```
/// let err = plenary_async::block_on(plenary_async::uv::fs::unlink("/no/such/file")).unwrap_err();
/// assert!(err.to_string().contains("ENOENT"));
/// ```
pub async fn unlink(path: impl AsRef<Path>) -> Result<()> {
    on_path("fs_unlink", path.as_ref(), |l, r, p, cb| {
        // SAFETY: a valid loop and request; `p` lives in the request's slot.
        unsafe { sys::uv_fs_unlink(l, r, p, cb) }
    })
    .await
}

/// Creates a directory with permission bits `mode` (before the umask; the
/// seed's `fs_mkdir`).
///
/// ```
/// # use plenary_async as a;
/// # let dir = a::block_on(a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX"))).unwrap();
/// a::block_on(a::uv::fs::mkdir(dir.join("sub"), 0o755)).unwrap();
/// assert!(a::block_on(a::uv::fs::stat(dir.join("sub"))).unwrap().is_dir());
/// # a::block_on(a::uv::fs::rmdir(dir.join("sub"))).unwrap(); a::block_on(a::uv::fs::rmdir(&dir)).unwrap();
/// ```
pub async fn mkdir(path: impl AsRef<Path>, mode: u32) -> Result<()> {
    on_path("fs_mkdir", path.as_ref(), move |l, r, p, cb| {
        // SAFETY: as in `unlink`.
        unsafe { sys::uv_fs_mkdir(l, r, p, mode as c_int, cb) }
    })
    .await
}

/// Removes an empty directory (the seed's `fs_rmdir`).
///
/// ```
/// # use plenary_async as a;
/// let dir = a::block_on(a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX"))).unwrap();
/// a::block_on(a::uv::fs::rmdir(&dir)).unwrap();
/// ```
pub async fn rmdir(path: impl AsRef<Path>) -> Result<()> {
    on_path("fs_rmdir", path.as_ref(), |l, r, p, cb| {
        // SAFETY: as in `unlink`.
        unsafe { sys::uv_fs_rmdir(l, r, p, cb) }
    })
    .await
}

/// Creates a new directory from a template ending in `XXXXXX` and returns
/// its path (the seed's `fs_mkdtemp`).
///
/// ```
/// # use plenary_async as a;
/// let dir = a::block_on(a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX"))).unwrap();
/// assert!(!dir.to_string_lossy().ends_with("XXXXXX"));
/// # a::block_on(a::uv::fs::rmdir(&dir)).unwrap();
/// ```
pub async fn mkdtemp(template: impl AsRef<Path>) -> Result<PathBuf> {
    let template = template.as_ref();
    let c = c_path("fs_mkdtemp", template)?;
    run(
        "fs_mkdtemp",
        shown(template),
        c,
        |_, req, _| req_path(req),
        |l, r, c, cb| {
            // SAFETY: as in `stat`.
            unsafe { sys::uv_fs_mkdtemp(l, r, c.as_ptr(), cb) }
        },
    )
    .await
}

/// Creates and opens a new file from a template ending in `XXXXXX`; returns
/// it with its path (the seed's `fs_mkstemp`).
///
/// ```
/// # use plenary_async as a;
/// let (file, path) =
///     a::block_on(a::uv::fs::mkstemp(std::env::temp_dir().join("plenary-doc-XXXXXX"))).unwrap();
/// a::block_on(file.write_all("temp")).unwrap();
/// a::block_on(a::uv::fs::unlink(&path)).unwrap();
/// ```
pub async fn mkstemp(template: impl AsRef<Path>) -> Result<(File, PathBuf)> {
    let template = template.as_ref();
    let c = c_path("fs_mkstemp", template)?;
    run(
        "fs_mkstemp",
        shown(template),
        c,
        |k, req, fd| (file_of(k, req, fd), req_path(req)),
        |l, r, c, cb| {
            // SAFETY: as in `stat`.
            unsafe { sys::uv_fs_mkstemp(l, r, c.as_ptr(), cb) }
        },
    )
    .await
}

/// Lists a directory at once (the seed's `fs_scandir`); `.` and `..` are
/// left out. See [`read_dir`] for a stream.
///
/// ```
/// # use plenary_async as a;
/// # let dir = a::block_on(a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX"))).unwrap();
/// a::block_on(a::uv::fs::write(dir.join("a"), "")).unwrap();
/// let entries = a::block_on(a::uv::fs::scandir(&dir)).unwrap();
/// assert_eq!(entries.len(), 1);
/// assert_eq!(entries[0].name, "a");
/// # a::block_on(a::uv::fs::unlink(dir.join("a"))).unwrap(); a::block_on(a::uv::fs::rmdir(&dir)).unwrap();
/// ```
pub async fn scandir(path: impl AsRef<Path>) -> Result<Vec<DirEntry>> {
    let path = path.as_ref();
    let c = c_path("fs_scandir", path)?;
    run("fs_scandir", shown(path), c, scanned, |l, r, c, cb| {
        // SAFETY: as in `stat`.
        unsafe { sys::uv_fs_scandir(l, r, c.as_ptr(), 0, cb) }
    })
    .await
}

fn scanned<K>(_: &mut K, req: *mut uv_fs_t, _: isize) -> Vec<DirEntry> {
    let mut entries = Vec::new();
    let mut ent = sys::uv_dirent_t {
        name: std::ptr::null(),
        kind: 0,
    };
    // SAFETY: a finished scandir request; each entry's name is valid until
    // the next call or uv_fs_req_cleanup, and is copied at once.
    while unsafe { sys::uv_fs_scandir_next(req, &mut ent) } == 0 {
        entries.push(dirent(&ent));
    }
    entries
}

fn dirent(ent: &sys::uv_dirent_t) -> DirEntry {
    // SAFETY: libuv's entry names are NUL-terminated strings it owns for now.
    let name = unsafe { CStr::from_ptr(ent.name) };
    DirEntry {
        name: OsStr::from_bytes(name.to_bytes()).to_owned(),
        file_type: FileType::from_dirent(ent.kind),
    }
}

/// Renames `from` to `to`, replacing `to` if it exists (the seed's
/// `fs_rename`).
///
/// ```
/// # use plenary_async as a;
/// # let dir = a::block_on(a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX"))).unwrap();
/// a::block_on(a::uv::fs::write(dir.join("a"), "x")).unwrap();
/// a::block_on(a::uv::fs::rename(dir.join("a"), dir.join("b"))).unwrap();
/// assert_eq!(a::block_on(a::uv::fs::read(dir.join("b"))).unwrap(), b"x");
/// # a::block_on(a::uv::fs::unlink(dir.join("b"))).unwrap(); a::block_on(a::uv::fs::rmdir(&dir)).unwrap();
/// ```
pub async fn rename(from: impl AsRef<Path>, to: impl AsRef<Path>) -> Result<()> {
    on_two_paths("fs_rename", from.as_ref(), to.as_ref(), |l, r, a, b, cb| {
        // SAFETY: a valid loop and request; both paths live in the slot.
        unsafe { sys::uv_fs_rename(l, r, a, b, cb) }
    })
    .await
}

/// Makes `to` a hard link to `from` (the seed's `fs_link`).
///
/// ```
/// # use plenary_async as a;
/// # let dir = a::block_on(a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX"))).unwrap();
/// a::block_on(a::uv::fs::write(dir.join("a"), "x")).unwrap();
/// a::block_on(a::uv::fs::link(dir.join("a"), dir.join("b"))).unwrap();
/// assert_eq!(a::block_on(a::uv::fs::stat(dir.join("a"))).unwrap().nlink(), 2);
/// # for f in ["a", "b"] { a::block_on(a::uv::fs::unlink(dir.join(f))).unwrap(); } a::block_on(a::uv::fs::rmdir(&dir)).unwrap();
/// ```
pub async fn link(from: impl AsRef<Path>, to: impl AsRef<Path>) -> Result<()> {
    on_two_paths("fs_link", from.as_ref(), to.as_ref(), |l, r, a, b, cb| {
        // SAFETY: as in `rename`.
        unsafe { sys::uv_fs_link(l, r, a, b, cb) }
    })
    .await
}

/// Makes `link` a symbolic link to `target` (the seed's `fs_symlink`; the
/// Windows-only flags are not needed on Unix).
///
/// ```
/// # use plenary_async as a;
/// # let dir = a::block_on(a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX"))).unwrap();
/// a::block_on(a::uv::fs::symlink("target", dir.join("l"))).unwrap();
/// assert_eq!(a::block_on(a::uv::fs::readlink(dir.join("l"))).unwrap(), std::path::Path::new("target"));
/// # a::block_on(a::uv::fs::unlink(dir.join("l"))).unwrap(); a::block_on(a::uv::fs::rmdir(&dir)).unwrap();
/// ```
pub async fn symlink(target: impl AsRef<Path>, link: impl AsRef<Path>) -> Result<()> {
    on_two_paths(
        "fs_symlink",
        target.as_ref(),
        link.as_ref(),
        |l, r, a, b, cb| {
            // SAFETY: as in `rename`.
            unsafe { sys::uv_fs_symlink(l, r, a, b, 0, cb) }
        },
    )
    .await
}

/// Where a symbolic link points (the seed's `fs_readlink`).
///
/// ```
/// let err = plenary_async::block_on(plenary_async::uv::fs::readlink("/")).unwrap_err();
/// assert!(err.to_string().contains("EINVAL")); // not a link
/// ```
pub async fn readlink(path: impl AsRef<Path>) -> Result<PathBuf> {
    let path = path.as_ref();
    let c = c_path("fs_readlink", path)?;
    run("fs_readlink", shown(path), c, ptr_path, |l, r, c, cb| {
        // SAFETY: as in `stat`.
        unsafe { sys::uv_fs_readlink(l, r, c.as_ptr(), cb) }
    })
    .await
}

/// The canonical, absolute path, with every link resolved (the seed's
/// `fs_realpath`).
///
/// ```
/// let p = plenary_async::block_on(plenary_async::uv::fs::realpath("/")).unwrap();
/// assert_eq!(p, std::path::Path::new("/"));
/// ```
pub async fn realpath(path: impl AsRef<Path>) -> Result<PathBuf> {
    let path = path.as_ref();
    let c = c_path("fs_realpath", path)?;
    run("fs_realpath", shown(path), c, ptr_path, |l, r, c, cb| {
        // SAFETY: as in `stat`.
        unsafe { sys::uv_fs_realpath(l, r, c.as_ptr(), cb) }
    })
    .await
}

/// [`access`]: whether the file exists.
///
/// ```
/// assert!(plenary_async::block_on(plenary_async::uv::fs::access("/", plenary_async::uv::fs::F_OK)).is_ok());
/// ```
pub const F_OK: c_int = libc::F_OK;
/// [`access`]: whether it may be read.
///
/// ```
/// assert!(plenary_async::block_on(plenary_async::uv::fs::access("/", plenary_async::uv::fs::R_OK)).is_ok());
/// ```
pub const R_OK: c_int = libc::R_OK;
/// [`access`]: whether it may be written.
///
/// ```
/// let tmp = std::env::temp_dir();
/// assert!(plenary_async::block_on(plenary_async::uv::fs::access(tmp, plenary_async::uv::fs::W_OK)).is_ok());
/// ```
pub const W_OK: c_int = libc::W_OK;
/// [`access`]: whether it may be executed (or a directory searched).
///
/// ```
/// assert!(plenary_async::block_on(plenary_async::uv::fs::access("/", plenary_async::uv::fs::X_OK)).is_ok());
/// ```
pub const X_OK: c_int = libc::X_OK;

/// Checks whether the calling process may access `path` with `mode`
/// ([`R_OK`] `|` [`W_OK`] `|` [`X_OK`], or [`F_OK`] for existence; the
/// seed's `fs_access`).
///
/// ```
/// use plenary_async as a;
/// use a::uv::fs::{access, F_OK, R_OK, X_OK};
/// assert!(a::block_on(access("/", R_OK | X_OK)).is_ok());
/// assert!(a::block_on(access("/no/such/file", F_OK)).is_err());
/// ```
pub async fn access(path: impl AsRef<Path>, mode: c_int) -> Result<()> {
    on_path("fs_access", path.as_ref(), move |l, r, p, cb| {
        // SAFETY: as in `unlink`.
        unsafe { sys::uv_fs_access(l, r, p, mode, cb) }
    })
    .await
}

/// Changes the permission bits (the seed's `fs_chmod`).
///
/// ```
/// # use plenary_async as a;
/// # let dir = a::block_on(a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX"))).unwrap();
/// a::block_on(a::uv::fs::chmod(&dir, 0o700)).unwrap();
/// assert_eq!(a::block_on(a::uv::fs::stat(&dir)).unwrap().mode() & 0o777, 0o700);
/// # a::block_on(a::uv::fs::rmdir(&dir)).unwrap();
/// ```
pub async fn chmod(path: impl AsRef<Path>, mode: u32) -> Result<()> {
    on_path("fs_chmod", path.as_ref(), move |l, r, p, cb| {
        // SAFETY: as in `unlink`.
        unsafe { sys::uv_fs_chmod(l, r, p, mode as c_int, cb) }
    })
    .await
}

/// Sets the access and modification times, following links (the seed's
/// `fs_utime`).
///
/// ```
/// # use plenary_async as a;
/// use std::time::{Duration, UNIX_EPOCH};
/// # let dir = a::block_on(a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX"))).unwrap();
/// let t = UNIX_EPOCH + Duration::from_secs(86_400);
/// a::block_on(a::uv::fs::utime(&dir, t, t)).unwrap();
/// assert_eq!(a::block_on(a::uv::fs::stat(&dir)).unwrap().accessed(), t);
/// # a::block_on(a::uv::fs::rmdir(&dir)).unwrap();
/// ```
pub async fn utime(
    path: impl AsRef<Path>,
    accessed: SystemTime,
    modified: SystemTime,
) -> Result<()> {
    let (at, mt) = (to_seconds(accessed), to_seconds(modified));
    on_path("fs_utime", path.as_ref(), move |l, r, p, cb| {
        // SAFETY: as in `unlink`.
        unsafe { sys::uv_fs_utime(l, r, p, at, mt, cb) }
    })
    .await
}

/// Sets the times of a symbolic link itself (the seed's `fs_lutime`).
///
/// ```
/// # use plenary_async as a;
/// use std::time::{Duration, UNIX_EPOCH};
/// # let dir = a::block_on(a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX"))).unwrap();
/// a::block_on(a::uv::fs::symlink("nowhere", dir.join("l"))).unwrap();
/// let t = UNIX_EPOCH + Duration::from_secs(86_400);
/// a::block_on(a::uv::fs::lutime(dir.join("l"), t, t)).unwrap(); // a dangling link is fine
/// assert_eq!(a::block_on(a::uv::fs::lstat(dir.join("l"))).unwrap().modified(), t);
/// # a::block_on(a::uv::fs::unlink(dir.join("l"))).unwrap(); a::block_on(a::uv::fs::rmdir(&dir)).unwrap();
/// ```
pub async fn lutime(
    path: impl AsRef<Path>,
    accessed: SystemTime,
    modified: SystemTime,
) -> Result<()> {
    let (at, mt) = (to_seconds(accessed), to_seconds(modified));
    on_path("fs_lutime", path.as_ref(), move |l, r, p, cb| {
        // SAFETY: as in `unlink`.
        unsafe { sys::uv_fs_lutime(l, r, p, at, mt, cb) }
    })
    .await
}

/// Changes the owner and group, following links (the seed's `fs_chown`);
/// `u32::MAX` leaves one unchanged.
///
/// ```
/// # use plenary_async as a;
/// # let dir = a::block_on(a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX"))).unwrap();
/// a::block_on(a::uv::fs::chown(&dir, u32::MAX, u32::MAX)).unwrap(); // no change
/// # a::block_on(a::uv::fs::rmdir(&dir)).unwrap();
/// ```
pub async fn chown(path: impl AsRef<Path>, uid: u32, gid: u32) -> Result<()> {
    on_path("fs_chown", path.as_ref(), move |l, r, p, cb| {
        // SAFETY: as in `unlink`.
        unsafe { sys::uv_fs_chown(l, r, p, uid, gid, cb) }
    })
    .await
}

/// Changes the owner and group of a link itself (the seed's `fs_lchown`).
///
/// ```
/// # use plenary_async as a;
/// # let dir = a::block_on(a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX"))).unwrap();
/// a::block_on(a::uv::fs::lchown(&dir, u32::MAX, u32::MAX)).unwrap();
/// # a::block_on(a::uv::fs::rmdir(&dir)).unwrap();
/// ```
pub async fn lchown(path: impl AsRef<Path>, uid: u32, gid: u32) -> Result<()> {
    on_path("fs_lchown", path.as_ref(), move |l, r, p, cb| {
        // SAFETY: as in `unlink`.
        unsafe { sys::uv_fs_lchown(l, r, p, uid, gid, cb) }
    })
    .await
}

/// How [`copyfile`] treats an existing destination.
///
/// ```
/// use plenary_async::uv::fs::CopyFlags;
/// let flags = CopyFlags::EXCL | CopyFlags::FICLONE;
/// assert!(flags.contains(CopyFlags::EXCL));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CopyFlags(c_int);

impl CopyFlags {
    /// Replace the destination if it exists.
    ///
    /// ```
    /// assert_eq!(plenary_async::uv::fs::CopyFlags::NONE, Default::default());
    /// ```
    pub const NONE: CopyFlags = CopyFlags(0);
    /// Fail with `EEXIST` if the destination exists.
    ///
    /// ```
    /// use plenary_async::uv::fs::CopyFlags;
    /// assert!(CopyFlags::EXCL.contains(CopyFlags::EXCL));
    /// ```
    pub const EXCL: CopyFlags = CopyFlags(sys::UV_FS_COPYFILE_EXCL);
    /// Try a copy-on-write reflink, falling back to copying.
    ///
    /// ```
    /// use plenary_async::uv::fs::CopyFlags;
    /// assert!(!CopyFlags::FICLONE.contains(CopyFlags::EXCL));
    /// ```
    pub const FICLONE: CopyFlags = CopyFlags(sys::UV_FS_COPYFILE_FICLONE);
    /// Require a reflink; fail if the file system cannot make one.
    ///
    /// ```
    /// use plenary_async::uv::fs::CopyFlags;
    /// assert_ne!(CopyFlags::FICLONE_FORCE, CopyFlags::FICLONE);
    /// ```
    pub const FICLONE_FORCE: CopyFlags = CopyFlags(sys::UV_FS_COPYFILE_FICLONE_FORCE);

    /// Whether every flag of `other` is set.
    ///
    /// ```
    /// use plenary_async::uv::fs::CopyFlags;
    /// assert!(!CopyFlags::NONE.contains(CopyFlags::EXCL));
    /// ```
    pub fn contains(self, other: CopyFlags) -> bool {
        self.0 & other.0 == other.0
    }
}

impl std::ops::BitOr for CopyFlags {
    type Output = CopyFlags;
    fn bitor(self, rhs: CopyFlags) -> CopyFlags {
        CopyFlags(self.0 | rhs.0)
    }
}

/// Copies a file (the seed's `fs_copyfile`).
///
/// ```
/// # use plenary_async as a;
/// use a::uv::fs::CopyFlags;
/// # let dir = a::block_on(a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX"))).unwrap();
/// a::block_on(a::uv::fs::write(dir.join("a"), "x")).unwrap();
/// a::block_on(a::uv::fs::copyfile(dir.join("a"), dir.join("b"), CopyFlags::EXCL)).unwrap();
/// let again = a::block_on(a::uv::fs::copyfile(dir.join("a"), dir.join("b"), CopyFlags::EXCL));
/// assert!(again.unwrap_err().to_string().contains("EEXIST"));
/// # for f in ["a", "b"] { a::block_on(a::uv::fs::unlink(dir.join(f))).unwrap(); } a::block_on(a::uv::fs::rmdir(&dir)).unwrap();
/// ```
pub async fn copyfile(
    from: impl AsRef<Path>,
    to: impl AsRef<Path>,
    flags: CopyFlags,
) -> Result<()> {
    on_two_paths(
        "fs_copyfile",
        from.as_ref(),
        to.as_ref(),
        move |l, r, a, b, cb| {
            // SAFETY: as in `rename`.
            unsafe { sys::uv_fs_copyfile(l, r, a, b, flags.0, cb) }
        },
    )
    .await
}

/// Copies up to `len` bytes from `input` at `offset` to the current
/// position of `output`, in the kernel (the seed's `fs_sendfile`); returns
/// how many bytes it copied.
///
/// ```
/// # use plenary_async as a;
/// # let dir = a::block_on(a::uv::fs::mkdtemp(std::env::temp_dir().join("plenary-doc-XXXXXX"))).unwrap();
/// a::block_on(async {
///     a::uv::fs::write(dir.join("in"), "0123456789").await?;
///     let input = a::uv::fs::File::open(dir.join("in")).await?;
///     let output = a::uv::fs::File::create(dir.join("out")).await?;
///     assert_eq!(a::uv::fs::sendfile(&output, &input, 2, 5).await?, 5);
///     assert_eq!(a::uv::fs::read(dir.join("out")).await?, b"23456");
///     # for f in ["in", "out"] { a::uv::fs::unlink(dir.join(f)).await?; } a::uv::fs::rmdir(&dir).await?;
///     Ok::<_, a::Error>(())
/// })
/// .unwrap();
/// ```
pub async fn sendfile(output: &File, input: &File, offset: u64, len: usize) -> Result<usize> {
    let (out_fd, in_fd) = (output.raw(), input.raw());
    run("fs_sendfile", None, (), count, move |l, r, _, cb| {
        // SAFETY: a valid loop and request; no pointers passed.
        unsafe { sys::uv_fs_sendfile(l, r, out_fd, in_fd, offset as i64, len, cb) }
    })
    .await
}

/// Reports on the file system that holds `path` (the seed's `fs_statfs`).
///
/// ```
/// let s = plenary_async::block_on(plenary_async::uv::fs::statfs("/")).unwrap();
/// assert!(s.blocks >= s.blocks_free);
/// ```
pub async fn statfs(path: impl AsRef<Path>) -> Result<StatFs> {
    let path = path.as_ref();
    let c = c_path("fs_statfs", path)?;
    let extract: Extract<CString, StatFs> = |_, req, _| {
        // SAFETY: a finished statfs request: `ptr` is a uv_statfs_t owned by
        // the request until uv_fs_req_cleanup.
        let s = unsafe { *(sys::uv_fs_get_ptr(req) as *const sys::uv_statfs_t) };
        StatFs {
            fs_type: s.f_type,
            block_size: s.f_bsize,
            blocks: s.f_blocks,
            blocks_free: s.f_bfree,
            blocks_available: s.f_bavail,
            files: s.f_files,
            files_free: s.f_ffree,
        }
    };
    run("fs_statfs", shown(path), c, extract, |l, r, c, cb| {
        // SAFETY: as in `stat`.
        unsafe { sys::uv_fs_statfs(l, r, c.as_ptr(), cb) }
    })
    .await
}

// ---- directories as streams ---------------------------------------------------

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

/// An open directory, read in batches (the seed's `fs_opendir`,
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
