//! What `stat` tells: [`Metadata`], [`FileType`]; [`StatFs`] and
//! [`DirEntry`].

use super::*;

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
pub struct Metadata(pub(super) sys::uv_stat_t);

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
    /// The kind bits of `st_mode`: POSIX's values, the same on Linux,
    /// macOS and the BSDs, and the ones libuv reports on Windows
    /// (`S_IFLNK` included, which Windows' C runtime lacks).
    fn from_mode(mode: u32) -> FileType {
        const S_IFMT: u32 = 0o170000;
        const KINDS: [(u32, FileType); 7] = [
            (0o100000, FileType::File),
            (0o040000, FileType::Dir),
            (0o120000, FileType::Symlink),
            (0o010000, FileType::Fifo),
            (0o140000, FileType::Socket),
            (0o020000, FileType::CharDevice),
            (0o060000, FileType::BlockDevice),
        ];
        let kind = mode & S_IFMT;
        KINDS
            .iter()
            .find(|(bits, _)| *bits == kind)
            .map_or(FileType::Unknown, |&(_, t)| t)
    }

    pub(super) fn from_dirent(kind: sys::uv_dirent_type_t) -> FileType {
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

#[cfg(all(test, unix))]
mod tests {
    use super::FileType;

    /// The kind bits (and `access`'s modes) are written out, the same for
    /// every platform: they agree with this platform's C headers.
    #[test]
    #[allow(clippy::useless_conversion)] // mode_t is u16 on macOS
    fn constants_agree_with_the_platform() {
        let kinds = [
            (libc::S_IFREG, FileType::File),
            (libc::S_IFDIR, FileType::Dir),
            (libc::S_IFLNK, FileType::Symlink),
            (libc::S_IFIFO, FileType::Fifo),
            (libc::S_IFSOCK, FileType::Socket),
            (libc::S_IFCHR, FileType::CharDevice),
            (libc::S_IFBLK, FileType::BlockDevice),
        ];
        for (bits, kind) in kinds {
            assert_eq!(FileType::from_mode(u32::from(bits) | 0o644), kind);
        }
        assert_eq!(FileType::from_mode(0o644), FileType::Unknown);
        use crate::uv::fs::{F_OK, R_OK, W_OK, X_OK};
        assert_eq!(
            (F_OK, R_OK, W_OK, X_OK),
            (libc::F_OK, libc::R_OK, libc::W_OK, libc::X_OK)
        );
    }
}
