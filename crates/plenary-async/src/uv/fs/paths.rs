//! Operations on paths: one libuv request each.

use super::*;

/// Metadata of `path`, following symbolic links (plenary's `fs_stat`).
///
/// # Cancel safety
///
/// Cancel safe: it changes nothing. Dropping the future before it resolves asks
/// libuv to skip the request if its thread pool has not started it; a request
/// already running completes and its result is dropped.
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

/// Metadata of `path` itself, not following a final symbolic link
/// (plenary's `fs_lstat`).
///
/// # Cancel safety
///
/// Cancel safe: it changes nothing. Dropping the future before it resolves asks
/// libuv to skip the request if its thread pool has not started it; a request
/// already running completes and its result is dropped.
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

/// Removes a file (plenary's `fs_unlink`).
///
/// # Cancel safety
///
/// Not cancel safe: dropping the future before it resolves asks libuv to skip
/// the request if its thread pool has not started it, but a request already
/// running completes: the file may be unlinked although the future was dropped.
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

/// Creates a directory with permission bits `mode` (before the umask;
/// plenary's `fs_mkdir`).
///
/// # Cancel safety
///
/// Not cancel safe: dropping the future before it resolves asks libuv to skip
/// the request if its thread pool has not started it, but a request already
/// running completes: the directory may be made although the future was
/// dropped.
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

/// Removes an empty directory (plenary's `fs_rmdir`).
///
/// # Cancel safety
///
/// Not cancel safe: dropping the future before it resolves asks libuv to skip
/// the request if its thread pool has not started it, but a request already
/// running completes: the directory may be removed although the future was
/// dropped.
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
/// its path (plenary's `fs_mkdtemp`).
///
/// # Cancel safety
///
/// Not cancel safe: dropping the future before it resolves asks libuv to skip
/// the request if its thread pool has not started it, but a request already
/// running completes: the directory may be made, and is left in place although
/// the future was dropped.
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
/// it with its path (plenary's `fs_mkstemp`).
///
/// # Cancel safety
///
/// Not cancel safe: dropping the future before it resolves asks libuv to skip
/// the request if its thread pool has not started it, but a request already
/// running completes: the file may be made; it is closed again and left in
/// place although the future was dropped.
///
/// ```
/// # use plenary_async as a;
/// # use a::io::AsyncWriteExt;
/// let (mut file, path) =
///     a::block_on(a::uv::fs::mkstemp(std::env::temp_dir().join("plenary-doc-XXXXXX"))).unwrap();
/// a::block_on(file.write_all(b"temp")).unwrap();
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

/// Lists a directory at once (plenary's `fs_scandir`); `.` and `..` are
/// left out. See [`read_dir`] for a stream.
///
/// # Cancel safety
///
/// Cancel safe: it changes nothing. Dropping the future before it resolves asks
/// libuv to skip the request if its thread pool has not started it; a request
/// already running completes and its result is dropped.
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

pub(super) fn dirent(ent: &sys::uv_dirent_t) -> DirEntry {
    // SAFETY: libuv's entry names are NUL-terminated strings it owns for now.
    let name = unsafe { CStr::from_ptr(ent.name) };
    DirEntry {
        name: crate::ffi::path_from_c(name.to_bytes()).into_os_string(),
        file_type: FileType::from_dirent(ent.kind),
    }
}

/// Renames `from` to `to`, replacing `to` if it exists (plenary's
/// `fs_rename`).
///
/// # Cancel safety
///
/// Not cancel safe: dropping the future before it resolves asks libuv to skip
/// the request if its thread pool has not started it, but a request already
/// running completes: the file may be renamed although the future was dropped.
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

/// Makes `to` a hard link to `from` (plenary's `fs_link`).
///
/// # Cancel safety
///
/// Not cancel safe: dropping the future before it resolves asks libuv to skip
/// the request if its thread pool has not started it, but a request already
/// running completes: the link may be made although the future was dropped.
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

/// Makes `link` a symbolic link to `target` (plenary's `fs_symlink`; the
/// Windows-only flags are not needed on Unix).
///
/// # Cancel safety
///
/// Not cancel safe: dropping the future before it resolves asks libuv to skip
/// the request if its thread pool has not started it, but a request already
/// running completes: the link may be made although the future was dropped.
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

/// Where a symbolic link points (plenary's `fs_readlink`).
///
/// # Cancel safety
///
/// Cancel safe: it changes nothing. Dropping the future before it resolves asks
/// libuv to skip the request if its thread pool has not started it; a request
/// already running completes and its result is dropped.
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

/// The canonical, absolute path, with every link resolved (plenary's
/// `fs_realpath`).
///
/// # Cancel safety
///
/// Cancel safe: it changes nothing. Dropping the future before it resolves asks
/// libuv to skip the request if its thread pool has not started it; a request
/// already running completes and its result is dropped.
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
pub const F_OK: c_int = 0;
/// [`access`]: whether it may be read.
///
/// ```
/// assert!(plenary_async::block_on(plenary_async::uv::fs::access("/", plenary_async::uv::fs::R_OK)).is_ok());
/// ```
pub const R_OK: c_int = 4;
/// [`access`]: whether it may be written.
///
/// ```
/// let tmp = std::env::temp_dir();
/// assert!(plenary_async::block_on(plenary_async::uv::fs::access(tmp, plenary_async::uv::fs::W_OK)).is_ok());
/// ```
pub const W_OK: c_int = 2;
/// [`access`]: whether it may be executed (or a directory searched).
///
/// ```
/// assert!(plenary_async::block_on(plenary_async::uv::fs::access("/", plenary_async::uv::fs::X_OK)).is_ok());
/// ```
pub const X_OK: c_int = 1;

/// Checks whether the calling process may access `path` with `mode`
/// ([`R_OK`] `|` [`W_OK`] `|` [`X_OK`], or [`F_OK`] for existence;
/// plenary's `fs_access`).
///
/// # Cancel safety
///
/// Cancel safe: it changes nothing. Dropping the future before it resolves asks
/// libuv to skip the request if its thread pool has not started it; a request
/// already running completes and its result is dropped.
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

/// Changes the permission bits (plenary's `fs_chmod`).
///
/// # Cancel safety
///
/// Not cancel safe: dropping the future before it resolves asks libuv to skip
/// the request if its thread pool has not started it, but a request already
/// running completes: the mode may be changed although the future was dropped.
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

/// Sets the access and modification times, following links (plenary's
/// `fs_utime`).
///
/// # Cancel safety
///
/// Not cancel safe: dropping the future before it resolves asks libuv to skip
/// the request if its thread pool has not started it, but a request already
/// running completes: the times may be changed although the future was dropped.
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

/// Sets the times of a symbolic link itself (plenary's `fs_lutime`).
///
/// # Cancel safety
///
/// Not cancel safe: dropping the future before it resolves asks libuv to skip
/// the request if its thread pool has not started it, but a request already
/// running completes: the times may be changed although the future was dropped.
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

/// Changes the owner and group, following links (plenary's `fs_chown`);
/// `u32::MAX` leaves one unchanged.
///
/// # Cancel safety
///
/// Not cancel safe: dropping the future before it resolves asks libuv to skip
/// the request if its thread pool has not started it, but a request already
/// running completes: the owner may be changed although the future was dropped.
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
        unsafe { sys::uv_fs_chown(l, r, p, sys::owner(uid), sys::owner(gid), cb) }
    })
    .await
}

/// Changes the owner and group of a link itself (plenary's `fs_lchown`).
///
/// # Cancel safety
///
/// Not cancel safe: dropping the future before it resolves asks libuv to skip
/// the request if its thread pool has not started it, but a request already
/// running completes: the owner may be changed although the future was dropped.
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
        unsafe { sys::uv_fs_lchown(l, r, p, sys::owner(uid), sys::owner(gid), cb) }
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

/// Copies a file (plenary's `fs_copyfile`).
///
/// # Cancel safety
///
/// Not cancel safe: dropping the future before it resolves asks libuv to skip
/// the request if its thread pool has not started it, but a request already
/// running completes: the copy may be made, whole or in part although the
/// future was dropped.
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
/// position of `output`, in the kernel (plenary's `fs_sendfile`); returns
/// how many bytes it copied: at most [`SENDFILE_MAX`] per call (Linux's
/// own limit for one `sendfile`; libuv on Windows refuses more, and
/// older versions there lose the high bits of a larger length), so loop
/// for more. A `len` of 0 copies nothing and returns 0 at once. Both files
/// stay open until the copy ends, even if the future is dropped first.
///
/// # Cancel safety
///
/// Not cancel safe: dropping the future before it resolves asks libuv to skip
/// the request if its thread pool has not started it, but a request already
/// running completes: some bytes may be copied (and `input`'s position moved)
/// although the future was dropped.
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
    if len == 0 {
        // (libuv on Windows allocates a buffer of `len` bytes, and some C
        // runtimes give none for 0, which libuv treats as fatal.)
        return Ok(0);
    }
    let len = len.min(SENDFILE_MAX);
    let (out_fd, in_fd) = (output.raw(), input.raw());
    // The request holds both descriptors open until its callback.
    let keep = (output.descriptor(), input.descriptor());
    run("fs_sendfile", None, keep, count, move |l, r, _, cb| {
        // SAFETY: a valid loop and request; no pointers passed; the
        // descriptors stay open while the request holds `keep`.
        unsafe { sys::uv_fs_sendfile(l, r, out_fd, in_fd, offset as i64, len, cb) }
    })
    .await
}

/// The most [`sendfile`] copies in one call: 0x7ffff000 bytes.
///
/// ```
/// assert_eq!(plenary_async::uv::fs::SENDFILE_MAX, 0x7fff_f000);
/// ```
pub const SENDFILE_MAX: usize = 0x7fff_f000;

/// Reports on the file system that holds `path` (plenary's `fs_statfs`).
///
/// # Cancel safety
///
/// Cancel safe: it changes nothing. Dropping the future before it resolves asks
/// libuv to skip the request if its thread pool has not started it; a request
/// already running completes and its result is dropped.
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
