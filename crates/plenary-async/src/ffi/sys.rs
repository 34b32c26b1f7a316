//! Hand-written declarations of the libuv functions this crate calls.
//!
//! Handles and requests are opaque: they are allocated with
//! [`uv_handle_size`] / [`uv_req_size`] and reached through libuv's accessor
//! functions, so no private layout of libuv is assumed. The only structs
//! declared are the plain data types of libuv's public API that it fills in
//! for us (`uv_buf_t`, `uv_stat_t`, `uv_dirent_t`, `uv_statfs_t`, the first
//! two fields of `uv_dir_t`), whose layouts libuv keeps stable across 1.x.
//!
//! The types that differ between Unix and Windows (`uv_buf_t`,
//! `uv_os_fd_t`, `uv_uid_t`, the error values, `sockaddr` and `addrinfo`)
//! are declared per platform here, each beside the other; nothing else of
//! the crate names a platform's C types.
//!
//! **Linking.** The functions are declared once, in [`libuv!`] blocks. In a
//! normal build they are `extern "C"` declarations, resolved by the linker
//! against the bundled or the system libuv. With `host-libuv` (a library
//! loaded into a process that has libuv: Neovim) they are thin functions
//! that call through a table of pointers filled, on first use, by looking
//! each name up in the host process ([`super::host`]): `dlsym` on Unix,
//! `GetProcAddress` on Windows. A host that exports no libuv (Neovim 0.11's
//! `nvim.exe`, or a plain Lua interpreter) is then a clear error from
//! [`crate::runtime::check_libuv`] instead of a library that does not load
//! (Unix) or cannot even be linked (Windows).
#![allow(non_camel_case_types, missing_docs)]

use std::ffi::{c_char, c_int, c_uint, c_void};
use std::marker::{PhantomData, PhantomPinned};

macro_rules! opaque {
    ($($name:ident),* $(,)?) => {$(
        #[repr(C)]
        pub struct $name {
            _data: [u8; 0],
            _marker: PhantomData<(*mut u8, PhantomPinned)>,
        }
    )*};
}

opaque!(
    uv_loop_t,
    uv_handle_t,
    uv_async_t,
    uv_idle_t,
    uv_timer_t,
    uv_stream_t,
    uv_tcp_t,
    uv_pipe_t,
    uv_tty_t,
    uv_udp_t,
    uv_process_t,
    uv_signal_t,
    uv_fs_event_t,
    uv_fs_poll_t,
    uv_req_t,
    uv_fs_t,
    uv_write_t,
    uv_connect_t,
    uv_shutdown_t,
    uv_udp_send_t,
    uv_getaddrinfo_t,
    uv_getnameinfo_t,
    uv_work_t,
);

/// `uv_req_type` values (stable in libuv 1.x).
pub type uv_req_type = c_int;
pub const UV_CONNECT: uv_req_type = 2;
pub const UV_WRITE: uv_req_type = 3;
pub const UV_SHUTDOWN: uv_req_type = 4;
pub const UV_UDP_SEND: uv_req_type = 5;
pub const UV_FS: uv_req_type = 6;
pub const UV_WORK: uv_req_type = 7;
pub const UV_GETADDRINFO: uv_req_type = 8;
pub const UV_GETNAMEINFO: uv_req_type = 9;

/// `uv_stdio_flags` values.
pub const UV_IGNORE: c_int = 0x00;
pub const UV_CREATE_PIPE: c_int = 0x01;
pub const UV_INHERIT_FD: c_int = 0x02;
pub const UV_INHERIT_STREAM: c_int = 0x04;
pub const UV_READABLE_PIPE: c_int = 0x10;
pub const UV_WRITABLE_PIPE: c_int = 0x20;

/// `uv_process_flags` values.
pub const UV_PROCESS_SETUID: c_uint = 1 << 0;
pub const UV_PROCESS_SETGID: c_uint = 1 << 1;
pub const UV_PROCESS_DETACHED: c_uint = 1 << 3;
/// Windows: no console window for the child (a GUI Neovim would flash one).
pub const UV_PROCESS_WINDOWS_HIDE: c_uint = 1 << 4;

/// `uv_udp_flags` values.
pub const UV_UDP_IPV6ONLY: c_uint = 1;
pub const UV_UDP_PARTIAL: c_uint = 2;
pub const UV_UDP_REUSEADDR: c_uint = 4;

/// `uv_membership` values.
pub const UV_LEAVE_GROUP: c_int = 0;
pub const UV_JOIN_GROUP: c_int = 1;

/// `uv_fs_event` values.
pub const UV_RENAME: c_int = 1;
pub const UV_CHANGE: c_int = 2;

/// `uv_stdio_container_t`: how one of a child's descriptors is set up.
#[repr(C)]
pub struct uv_stdio_container_t {
    pub flags: c_int,
    pub data: uv_stdio_data,
}

#[repr(C)]
pub union uv_stdio_data {
    pub stream: *mut uv_stream_t,
    pub fd: c_int,
}

/// `uv_process_options_t` (public and stable in libuv 1.x).
#[repr(C)]
pub struct uv_process_options_t {
    pub exit_cb: uv_exit_cb,
    pub file: *const c_char,
    pub args: *mut *mut c_char,
    pub env: *mut *mut c_char,
    pub cwd: *const c_char,
    pub flags: c_uint,
    pub stdio_count: c_int,
    pub stdio: *mut uv_stdio_container_t,
    pub uid: uv_uid_t,
    pub gid: uv_gid_t,
}

/// A file: a descriptor on Unix, a C runtime descriptor (the CRT libuv
/// was built with) on Windows.
pub type uv_file = c_int;
/// An OS handle (`uv_fileno`): a descriptor on Unix, a `HANDLE` on Windows.
#[cfg(unix)]
pub type uv_os_fd_t = c_int;
#[cfg(windows)]
pub type uv_os_fd_t = *mut c_void;
#[cfg(unix)]
pub type uv_uid_t = libc::uid_t;
#[cfg(unix)]
pub type uv_gid_t = libc::gid_t;
/// (libuv ignores owners on Windows; its `uv_uid_t` is a byte there.)
#[cfg(windows)]
pub type uv_uid_t = u8;
#[cfg(windows)]
pub type uv_gid_t = u8;

/// An owner or group id as libuv's chown functions take it (Windows
/// ignores owners and has a byte there).
pub fn owner(id: u32) -> uv_uid_t {
    id as _
}

/// A buffer descriptor (Unix: base, then a `size_t` length).
#[cfg(unix)]
#[repr(C)]
#[derive(Clone, Copy)]
pub struct uv_buf_t {
    pub base: *mut c_char,
    pub len: usize,
}

/// A buffer descriptor (Windows: a `ULONG` length, then base, as `WSABUF`).
#[cfg(windows)]
#[repr(C)]
#[derive(Clone, Copy)]
pub struct uv_buf_t {
    pub len: std::ffi::c_ulong,
    pub base: *mut c_char,
}

/// The most one buffer descriptor can say (`ULONG` on Windows).
#[cfg(unix)]
pub const MAX_BUF_LEN: usize = usize::MAX;
#[cfg(windows)]
pub const MAX_BUF_LEN: usize = std::ffi::c_ulong::MAX as usize;

impl uv_buf_t {
    /// A descriptor of the first `len` bytes at `base`, or of as many as
    /// one descriptor can say ([`MAX_BUF_LEN`]): callers use the count
    /// libuv reports, so a shorter buffer is a short read or write.
    // (On Unix the bound is `usize::MAX`: the `min` does nothing there.)
    #[allow(clippy::unnecessary_min_or_max)]
    pub fn new(base: *mut u8, len: usize) -> uv_buf_t {
        uv_buf_t {
            base: base.cast(),
            len: len.min(MAX_BUF_LEN) as _,
        }
    }

    /// An empty descriptor (no buffer).
    pub fn empty() -> uv_buf_t {
        uv_buf_t::new(std::ptr::null_mut(), 0)
    }
}

/// The C `struct sockaddr` and `struct addrinfo` libuv takes and gives.
#[cfg(unix)]
pub use libc::{addrinfo, sockaddr};
/// `ai_socktype` values.
#[cfg(unix)]
pub use libc::{SOCK_DGRAM, SOCK_RAW, SOCK_STREAM};
#[cfg(windows)]
pub use windows_sys::Win32::Networking::WinSock::{ADDRINFOA as addrinfo, SOCKADDR as sockaddr};
#[cfg(windows)]
pub use windows_sys::Win32::Networking::WinSock::{SOCK_DGRAM, SOCK_RAW, SOCK_STREAM};

#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct uv_timespec_t {
    pub tv_sec: std::ffi::c_long,
    pub tv_nsec: std::ffi::c_long,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct uv_stat_t {
    pub st_dev: u64,
    pub st_mode: u64,
    pub st_nlink: u64,
    pub st_uid: u64,
    pub st_gid: u64,
    pub st_rdev: u64,
    pub st_ino: u64,
    pub st_size: u64,
    pub st_blksize: u64,
    pub st_blocks: u64,
    pub st_flags: u64,
    pub st_gen: u64,
    pub st_atim: uv_timespec_t,
    pub st_mtim: uv_timespec_t,
    pub st_ctim: uv_timespec_t,
    pub st_birthtim: uv_timespec_t,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct uv_statfs_t {
    pub f_type: u64,
    pub f_bsize: u64,
    pub f_blocks: u64,
    pub f_bfree: u64,
    pub f_bavail: u64,
    pub f_files: u64,
    pub f_ffree: u64,
    pub f_spare: [u64; 4],
}

/// `uv_dirent_type_t` values.
pub type uv_dirent_type_t = c_int;
pub const UV_DIRENT_UNKNOWN: uv_dirent_type_t = 0;
pub const UV_DIRENT_FILE: uv_dirent_type_t = 1;
pub const UV_DIRENT_DIR: uv_dirent_type_t = 2;
pub const UV_DIRENT_LINK: uv_dirent_type_t = 3;
pub const UV_DIRENT_FIFO: uv_dirent_type_t = 4;
pub const UV_DIRENT_SOCKET: uv_dirent_type_t = 5;
pub const UV_DIRENT_CHAR: uv_dirent_type_t = 6;
pub const UV_DIRENT_BLOCK: uv_dirent_type_t = 7;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct uv_dirent_t {
    pub name: *const c_char,
    pub kind: uv_dirent_type_t,
}

/// The public head of `uv_dir_t`: the caller sets where `uv_fs_readdir`
/// puts its entries. The rest of the struct is private to libuv, which
/// allocates and frees it (`uv_fs_opendir` / `uv_fs_closedir`).
#[repr(C)]
pub struct uv_dir_t {
    pub dirents: *mut uv_dirent_t,
    pub nentries: usize,
    _private: [u8; 0],
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

pub const UV_FS_COPYFILE_EXCL: c_int = 0x0001;
pub const UV_FS_COPYFILE_FICLONE: c_int = 0x0002;
pub const UV_FS_COPYFILE_FICLONE_FORCE: c_int = 0x0004;
pub const UV_FS_SYMLINK_DIR: c_int = 0x0001;

/// Error codes libuv returns: the negated errno on Unix, libuv's own
/// values on Windows (`uv/errno.h`).
#[cfg(unix)]
mod errno {
    use std::ffi::c_int;
    pub const UV_EINVAL: c_int = -(libc::EINVAL);
    pub const UV_ECANCELED: c_int = -(libc::ECANCELED);
    pub const UV_EAGAIN: c_int = -(libc::EAGAIN);
    pub const UV_ENOBUFS: c_int = -(libc::ENOBUFS);
    pub const UV_ENOMEM: c_int = -(libc::ENOMEM);
    pub const UV_EIO: c_int = -(libc::EIO);
    pub const UV_EILSEQ: c_int = -(libc::EILSEQ);
    pub const UV_ESRCH: c_int = -(libc::ESRCH);
    pub const UV_ENOSYS: c_int = -(libc::ENOSYS);
}
#[cfg(windows)]
mod errno {
    use std::ffi::c_int;
    pub const UV_EINVAL: c_int = -4071;
    pub const UV_ECANCELED: c_int = -4081;
    pub const UV_EAGAIN: c_int = -4088;
    pub const UV_ENOBUFS: c_int = -4060;
    pub const UV_ENOMEM: c_int = -4057;
    pub const UV_EIO: c_int = -4070;
    pub const UV_EILSEQ: c_int = -4027;
    pub const UV_ESRCH: c_int = -4040;
    pub const UV_ENOSYS: c_int = -4054;
}
pub use errno::*;
/// End of file (libuv's own code on every platform).
pub const UV_EOF: c_int = -4095;

/// `uv_fs_open` flags (`UV_FS_O_*`): the platform's `O_*` on Unix, the C
/// runtime's `_O_*` on Windows (where files are never inherited by
/// children, so nothing stands for `O_CLOEXEC`).
#[cfg(unix)]
mod open_flags {
    use std::ffi::c_int;
    pub const UV_FS_O_RDONLY: c_int = libc::O_RDONLY;
    pub const UV_FS_O_WRONLY: c_int = libc::O_WRONLY;
    pub const UV_FS_O_RDWR: c_int = libc::O_RDWR;
    pub const UV_FS_O_APPEND: c_int = libc::O_APPEND;
    pub const UV_FS_O_CREAT: c_int = libc::O_CREAT;
    pub const UV_FS_O_EXCL: c_int = libc::O_EXCL;
    pub const UV_FS_O_TRUNC: c_int = libc::O_TRUNC;
    pub const UV_FS_O_CLOEXEC: c_int = libc::O_CLOEXEC;
}
#[cfg(windows)]
mod open_flags {
    use std::ffi::c_int;
    pub const UV_FS_O_RDONLY: c_int = 0x0000;
    pub const UV_FS_O_WRONLY: c_int = 0x0001;
    pub const UV_FS_O_RDWR: c_int = 0x0002;
    pub const UV_FS_O_APPEND: c_int = 0x0008;
    pub const UV_FS_O_CREAT: c_int = 0x0100;
    pub const UV_FS_O_TRUNC: c_int = 0x0200;
    pub const UV_FS_O_EXCL: c_int = 0x0400;
    pub const UV_FS_O_CLOEXEC: c_int = 0;
}
pub use open_flags::*;

/// `uv_handle_type` values (stable in libuv 1.x).
pub type uv_handle_type = c_int;
pub const UV_ASYNC: uv_handle_type = 1;
pub const UV_IDLE: uv_handle_type = 6;
pub const UV_FS_EVENT: uv_handle_type = 3;
pub const UV_FS_POLL: uv_handle_type = 4;
pub const UV_NAMED_PIPE: uv_handle_type = 7;
pub const UV_PROCESS: uv_handle_type = 10;
pub const UV_TCP: uv_handle_type = 12;
pub const UV_TIMER: uv_handle_type = 13;
pub const UV_TTY: uv_handle_type = 14;
pub const UV_UDP: uv_handle_type = 15;
pub const UV_SIGNAL: uv_handle_type = 16;

/// `uv_run_mode` values.
pub type uv_run_mode = c_int;
pub const UV_RUN_DEFAULT: uv_run_mode = 0;
pub const UV_RUN_ONCE: uv_run_mode = 1;
pub const UV_RUN_NOWAIT: uv_run_mode = 2;

pub type uv_close_cb = Option<unsafe extern "C" fn(*mut uv_handle_t)>;
pub type uv_async_cb = Option<unsafe extern "C" fn(*mut uv_async_t)>;
pub type uv_idle_cb = Option<unsafe extern "C" fn(*mut uv_idle_t)>;
pub type uv_timer_cb = Option<unsafe extern "C" fn(*mut uv_timer_t)>;
pub type uv_fs_cb = Option<unsafe extern "C" fn(*mut uv_fs_t)>;
pub type uv_work_cb = Option<unsafe extern "C" fn(*mut uv_work_t)>;
pub type uv_after_work_cb = Option<unsafe extern "C" fn(*mut uv_work_t, c_int)>;
pub type uv_alloc_cb = Option<unsafe extern "C" fn(*mut uv_handle_t, usize, *mut uv_buf_t)>;
pub type uv_read_cb = Option<unsafe extern "C" fn(*mut uv_stream_t, isize, *const uv_buf_t)>;
pub type uv_write_cb = Option<unsafe extern "C" fn(*mut uv_write_t, c_int)>;
pub type uv_connect_cb = Option<unsafe extern "C" fn(*mut uv_connect_t, c_int)>;
pub type uv_shutdown_cb = Option<unsafe extern "C" fn(*mut uv_shutdown_t, c_int)>;
pub type uv_connection_cb = Option<unsafe extern "C" fn(*mut uv_stream_t, c_int)>;
pub type uv_udp_send_cb = Option<unsafe extern "C" fn(*mut uv_udp_send_t, c_int)>;
pub type uv_udp_recv_cb =
    Option<unsafe extern "C" fn(*mut uv_udp_t, isize, *const uv_buf_t, *const sockaddr, c_uint)>;
pub type uv_getaddrinfo_cb =
    Option<unsafe extern "C" fn(*mut uv_getaddrinfo_t, c_int, *mut addrinfo)>;
pub type uv_getnameinfo_cb =
    Option<unsafe extern "C" fn(*mut uv_getnameinfo_t, c_int, *const c_char, *const c_char)>;
pub type uv_exit_cb = Option<unsafe extern "C" fn(*mut uv_process_t, i64, c_int)>;
pub type uv_signal_cb = Option<unsafe extern "C" fn(*mut uv_signal_t, c_int)>;
pub type uv_fs_event_cb =
    Option<unsafe extern "C" fn(*mut uv_fs_event_t, *const c_char, c_int, c_int)>;
pub type uv_fs_poll_cb =
    Option<unsafe extern "C" fn(*mut uv_fs_poll_t, c_int, *const uv_stat_t, *const uv_stat_t)>;
pub type uv_walk_cb = Option<unsafe extern "C" fn(*mut uv_handle_t, *mut c_void)>;

/// Declares libuv functions: linked `extern "C"` declarations, or (with
/// `host-libuv`) functions of the same signature that call the host's,
/// found by name at first use (see the module's doc).
macro_rules! libuv {
    ($(pub fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)?;)*) => {
        #[cfg(not(feature = "host-libuv"))]
        extern "C" {
            $(pub fn $name($($arg: $ty),*) $(-> $ret)?;)*
        }

        /// Every function declared here, NUL-terminated, for
        /// [`super::host::check`] to look up at once.
        #[cfg(feature = "host-libuv")]
        pub const FUNCTIONS: &[&str] = &[$(concat!(stringify!($name), "\0")),*];

        $(
            #[cfg(feature = "host-libuv")]
            #[inline]
            pub unsafe fn $name($($arg: $ty),*) $(-> $ret)? {
                type F = unsafe extern "C" fn($($ty),*) $(-> $ret)?;
                // The host's function, looked up once. Relaxed: every
                // thread that looks it up finds the same address, and
                // what it points to (code) never changes.
                static SLOT: std::sync::atomic::AtomicPtr<c_void> =
                    std::sync::atomic::AtomicPtr::new(std::ptr::null_mut());
                let mut f = SLOT.load(std::sync::atomic::Ordering::Relaxed);
                if f.is_null() {
                    f = super::host::function(concat!(stringify!($name), "\0"));
                    SLOT.store(f, std::sync::atomic::Ordering::Relaxed);
                }
                // SAFETY: `f` is the host's libuv function of this name
                // (never null: `function` panics first), whose C signature
                // is the one declared here; a function pointer and a data
                // pointer have the same size on every platform libuv runs
                // on.
                let f = unsafe { std::mem::transmute::<*mut c_void, F>(f) };
                // SAFETY: the caller's contract, as for the linked function.
                unsafe { f($($arg),*) }
            }
        )*
    };
}

libuv! {
    pub fn uv_version() -> c_uint;
    pub fn uv_strerror(err: c_int) -> *const c_char;
    pub fn uv_err_name(err: c_int) -> *const c_char;
    pub fn uv_translate_sys_error(sys_errno: c_int) -> c_int;

    pub fn uv_loop_size() -> usize;
    pub fn uv_loop_init(loop_: *mut uv_loop_t) -> c_int;
    pub fn uv_loop_close(loop_: *mut uv_loop_t) -> c_int;
    pub fn uv_run(loop_: *mut uv_loop_t, mode: uv_run_mode) -> c_int;
    pub fn uv_stop(loop_: *mut uv_loop_t);
    pub fn uv_now(loop_: *const uv_loop_t) -> u64;
    pub fn uv_update_time(loop_: *mut uv_loop_t);
    pub fn uv_walk(loop_: *mut uv_loop_t, cb: uv_walk_cb, arg: *mut c_void);

    pub fn uv_handle_size(kind: uv_handle_type) -> usize;
    pub fn uv_handle_get_loop(handle: *const uv_handle_t) -> *mut uv_loop_t;
    pub fn uv_handle_get_type(handle: *const uv_handle_t) -> uv_handle_type;
    pub fn uv_handle_get_data(handle: *const uv_handle_t) -> *mut c_void;
    pub fn uv_handle_set_data(handle: *mut uv_handle_t, data: *mut c_void);
    pub fn uv_close(handle: *mut uv_handle_t, cb: uv_close_cb);
    pub fn uv_is_closing(handle: *const uv_handle_t) -> c_int;
    pub fn uv_ref(handle: *mut uv_handle_t);
    pub fn uv_unref(handle: *mut uv_handle_t);

    pub fn uv_async_init(loop_: *mut uv_loop_t, handle: *mut uv_async_t, cb: uv_async_cb) -> c_int;
    pub fn uv_async_send(handle: *mut uv_async_t) -> c_int;

    pub fn uv_idle_init(loop_: *mut uv_loop_t, handle: *mut uv_idle_t) -> c_int;
    pub fn uv_idle_start(handle: *mut uv_idle_t, cb: uv_idle_cb) -> c_int;
    pub fn uv_idle_stop(handle: *mut uv_idle_t) -> c_int;

    pub fn uv_timer_init(loop_: *mut uv_loop_t, handle: *mut uv_timer_t) -> c_int;
    pub fn uv_timer_start(
        handle: *mut uv_timer_t,
        cb: uv_timer_cb,
        timeout: u64,
        repeat: u64,
    ) -> c_int;
    pub fn uv_timer_stop(handle: *mut uv_timer_t) -> c_int;

    pub fn uv_req_size(kind: uv_req_type) -> usize;
    pub fn uv_req_get_data(req: *const uv_req_t) -> *mut c_void;
    pub fn uv_req_set_data(req: *mut uv_req_t, data: *mut c_void);
    pub fn uv_cancel(req: *mut uv_req_t) -> c_int;

    pub fn uv_fs_get_result(req: *const uv_fs_t) -> isize;
    pub fn uv_fs_get_ptr(req: *const uv_fs_t) -> *mut c_void;
    pub fn uv_fs_get_path(req: *const uv_fs_t) -> *const c_char;
    pub fn uv_fs_get_statbuf(req: *mut uv_fs_t) -> *mut uv_stat_t;
    pub fn uv_fs_req_cleanup(req: *mut uv_fs_t);

    pub fn uv_fs_close(l: *mut uv_loop_t, req: *mut uv_fs_t, file: uv_file, cb: uv_fs_cb) -> c_int;
    pub fn uv_fs_open(
        l: *mut uv_loop_t,
        req: *mut uv_fs_t,
        path: *const c_char,
        flags: c_int,
        mode: c_int,
        cb: uv_fs_cb,
    ) -> c_int;
    pub fn uv_fs_read(
        l: *mut uv_loop_t,
        req: *mut uv_fs_t,
        file: uv_file,
        bufs: *const uv_buf_t,
        nbufs: c_uint,
        offset: i64,
        cb: uv_fs_cb,
    ) -> c_int;
    pub fn uv_fs_write(
        l: *mut uv_loop_t,
        req: *mut uv_fs_t,
        file: uv_file,
        bufs: *const uv_buf_t,
        nbufs: c_uint,
        offset: i64,
        cb: uv_fs_cb,
    ) -> c_int;
    pub fn uv_fs_unlink(
        l: *mut uv_loop_t,
        req: *mut uv_fs_t,
        path: *const c_char,
        cb: uv_fs_cb,
    ) -> c_int;
    pub fn uv_fs_copyfile(
        l: *mut uv_loop_t,
        req: *mut uv_fs_t,
        path: *const c_char,
        new_path: *const c_char,
        flags: c_int,
        cb: uv_fs_cb,
    ) -> c_int;
    pub fn uv_fs_mkdir(
        l: *mut uv_loop_t,
        req: *mut uv_fs_t,
        path: *const c_char,
        mode: c_int,
        cb: uv_fs_cb,
    ) -> c_int;
    pub fn uv_fs_mkdtemp(
        l: *mut uv_loop_t,
        req: *mut uv_fs_t,
        tpl: *const c_char,
        cb: uv_fs_cb,
    ) -> c_int;
    pub fn uv_fs_mkstemp(
        l: *mut uv_loop_t,
        req: *mut uv_fs_t,
        tpl: *const c_char,
        cb: uv_fs_cb,
    ) -> c_int;
    pub fn uv_fs_rmdir(
        l: *mut uv_loop_t,
        req: *mut uv_fs_t,
        path: *const c_char,
        cb: uv_fs_cb,
    ) -> c_int;
    pub fn uv_fs_scandir(
        l: *mut uv_loop_t,
        req: *mut uv_fs_t,
        path: *const c_char,
        flags: c_int,
        cb: uv_fs_cb,
    ) -> c_int;
    pub fn uv_fs_scandir_next(req: *mut uv_fs_t, ent: *mut uv_dirent_t) -> c_int;
    pub fn uv_fs_opendir(
        l: *mut uv_loop_t,
        req: *mut uv_fs_t,
        path: *const c_char,
        cb: uv_fs_cb,
    ) -> c_int;
    pub fn uv_fs_readdir(
        l: *mut uv_loop_t,
        req: *mut uv_fs_t,
        dir: *mut uv_dir_t,
        cb: uv_fs_cb,
    ) -> c_int;
    pub fn uv_fs_closedir(
        l: *mut uv_loop_t,
        req: *mut uv_fs_t,
        dir: *mut uv_dir_t,
        cb: uv_fs_cb,
    ) -> c_int;
    pub fn uv_fs_stat(
        l: *mut uv_loop_t,
        req: *mut uv_fs_t,
        path: *const c_char,
        cb: uv_fs_cb,
    ) -> c_int;
    pub fn uv_fs_fstat(l: *mut uv_loop_t, req: *mut uv_fs_t, file: uv_file, cb: uv_fs_cb) -> c_int;
    pub fn uv_fs_lstat(
        l: *mut uv_loop_t,
        req: *mut uv_fs_t,
        path: *const c_char,
        cb: uv_fs_cb,
    ) -> c_int;
    pub fn uv_fs_rename(
        l: *mut uv_loop_t,
        req: *mut uv_fs_t,
        path: *const c_char,
        new_path: *const c_char,
        cb: uv_fs_cb,
    ) -> c_int;
    pub fn uv_fs_fsync(l: *mut uv_loop_t, req: *mut uv_fs_t, file: uv_file, cb: uv_fs_cb) -> c_int;
    pub fn uv_fs_fdatasync(
        l: *mut uv_loop_t,
        req: *mut uv_fs_t,
        file: uv_file,
        cb: uv_fs_cb,
    ) -> c_int;
    pub fn uv_fs_ftruncate(
        l: *mut uv_loop_t,
        req: *mut uv_fs_t,
        file: uv_file,
        offset: i64,
        cb: uv_fs_cb,
    ) -> c_int;
    pub fn uv_fs_sendfile(
        l: *mut uv_loop_t,
        req: *mut uv_fs_t,
        out_fd: uv_file,
        in_fd: uv_file,
        in_offset: i64,
        length: usize,
        cb: uv_fs_cb,
    ) -> c_int;
    pub fn uv_fs_access(
        l: *mut uv_loop_t,
        req: *mut uv_fs_t,
        path: *const c_char,
        mode: c_int,
        cb: uv_fs_cb,
    ) -> c_int;
    pub fn uv_fs_chmod(
        l: *mut uv_loop_t,
        req: *mut uv_fs_t,
        path: *const c_char,
        mode: c_int,
        cb: uv_fs_cb,
    ) -> c_int;
    pub fn uv_fs_fchmod(
        l: *mut uv_loop_t,
        req: *mut uv_fs_t,
        file: uv_file,
        mode: c_int,
        cb: uv_fs_cb,
    ) -> c_int;
    pub fn uv_fs_utime(
        l: *mut uv_loop_t,
        req: *mut uv_fs_t,
        path: *const c_char,
        atime: f64,
        mtime: f64,
        cb: uv_fs_cb,
    ) -> c_int;
    pub fn uv_fs_futime(
        l: *mut uv_loop_t,
        req: *mut uv_fs_t,
        file: uv_file,
        atime: f64,
        mtime: f64,
        cb: uv_fs_cb,
    ) -> c_int;
    pub fn uv_fs_lutime(
        l: *mut uv_loop_t,
        req: *mut uv_fs_t,
        path: *const c_char,
        atime: f64,
        mtime: f64,
        cb: uv_fs_cb,
    ) -> c_int;
    pub fn uv_fs_link(
        l: *mut uv_loop_t,
        req: *mut uv_fs_t,
        path: *const c_char,
        new_path: *const c_char,
        cb: uv_fs_cb,
    ) -> c_int;
    pub fn uv_fs_symlink(
        l: *mut uv_loop_t,
        req: *mut uv_fs_t,
        path: *const c_char,
        new_path: *const c_char,
        flags: c_int,
        cb: uv_fs_cb,
    ) -> c_int;
    pub fn uv_fs_readlink(
        l: *mut uv_loop_t,
        req: *mut uv_fs_t,
        path: *const c_char,
        cb: uv_fs_cb,
    ) -> c_int;
    pub fn uv_fs_realpath(
        l: *mut uv_loop_t,
        req: *mut uv_fs_t,
        path: *const c_char,
        cb: uv_fs_cb,
    ) -> c_int;
    pub fn uv_fs_chown(
        l: *mut uv_loop_t,
        req: *mut uv_fs_t,
        path: *const c_char,
        uid: uv_uid_t,
        gid: uv_gid_t,
        cb: uv_fs_cb,
    ) -> c_int;
    pub fn uv_fs_fchown(
        l: *mut uv_loop_t,
        req: *mut uv_fs_t,
        file: uv_file,
        uid: uv_uid_t,
        gid: uv_gid_t,
        cb: uv_fs_cb,
    ) -> c_int;
    pub fn uv_fs_lchown(
        l: *mut uv_loop_t,
        req: *mut uv_fs_t,
        path: *const c_char,
        uid: uv_uid_t,
        gid: uv_gid_t,
        cb: uv_fs_cb,
    ) -> c_int;
    pub fn uv_fs_statfs(
        l: *mut uv_loop_t,
        req: *mut uv_fs_t,
        path: *const c_char,
        cb: uv_fs_cb,
    ) -> c_int;

    // Handles beyond the runtime's own: streams, UDP, DNS, processes,
    // signals, file watching.
    pub fn uv_is_active(handle: *const uv_handle_t) -> c_int;
    pub fn uv_open_osfhandle(os_fd: uv_os_fd_t) -> c_int;
    pub fn uv_get_osfhandle(fd: c_int) -> uv_os_fd_t;
    pub fn uv_fileno(handle: *const uv_handle_t, fd: *mut uv_os_fd_t) -> c_int;

    pub fn uv_queue_work(
        l: *mut uv_loop_t,
        req: *mut uv_work_t,
        work_cb: uv_work_cb,
        after_work_cb: uv_after_work_cb,
    ) -> c_int;

    // Streams (TCP, pipes, TTYs).
    pub fn uv_listen(stream: *mut uv_stream_t, backlog: c_int, cb: uv_connection_cb) -> c_int;
    pub fn uv_accept(server: *mut uv_stream_t, client: *mut uv_stream_t) -> c_int;
    pub fn uv_read_start(
        stream: *mut uv_stream_t,
        alloc_cb: uv_alloc_cb,
        read_cb: uv_read_cb,
    ) -> c_int;
    pub fn uv_read_stop(stream: *mut uv_stream_t) -> c_int;
    pub fn uv_write(
        req: *mut uv_write_t,
        stream: *mut uv_stream_t,
        bufs: *const uv_buf_t,
        nbufs: c_uint,
        cb: uv_write_cb,
    ) -> c_int;
    pub fn uv_try_write(stream: *mut uv_stream_t, bufs: *const uv_buf_t, nbufs: c_uint) -> c_int;
    pub fn uv_shutdown(
        req: *mut uv_shutdown_t,
        stream: *mut uv_stream_t,
        cb: uv_shutdown_cb,
    ) -> c_int;
    pub fn uv_stream_get_write_queue_size(stream: *const uv_stream_t) -> usize;
    pub fn uv_is_readable(stream: *const uv_stream_t) -> c_int;
    pub fn uv_is_writable(stream: *const uv_stream_t) -> c_int;

    pub fn uv_tcp_init(l: *mut uv_loop_t, handle: *mut uv_tcp_t) -> c_int;
    pub fn uv_tcp_bind(handle: *mut uv_tcp_t, addr: *const sockaddr, flags: c_uint) -> c_int;
    pub fn uv_tcp_connect(
        req: *mut uv_connect_t,
        handle: *mut uv_tcp_t,
        addr: *const sockaddr,
        cb: uv_connect_cb,
    ) -> c_int;
    pub fn uv_tcp_nodelay(handle: *mut uv_tcp_t, enable: c_int) -> c_int;
    pub fn uv_tcp_keepalive(handle: *mut uv_tcp_t, enable: c_int, delay: c_uint) -> c_int;
    pub fn uv_tcp_getsockname(
        handle: *const uv_tcp_t,
        name: *mut sockaddr,
        len: *mut c_int,
    ) -> c_int;
    pub fn uv_tcp_getpeername(
        handle: *const uv_tcp_t,
        name: *mut sockaddr,
        len: *mut c_int,
    ) -> c_int;

    pub fn uv_pipe_init(l: *mut uv_loop_t, handle: *mut uv_pipe_t, ipc: c_int) -> c_int;
    pub fn uv_pipe_open(handle: *mut uv_pipe_t, file: uv_file) -> c_int;
    pub fn uv_pipe_bind(handle: *mut uv_pipe_t, name: *const c_char) -> c_int;
    pub fn uv_pipe_connect(
        req: *mut uv_connect_t,
        handle: *mut uv_pipe_t,
        name: *const c_char,
        cb: uv_connect_cb,
    );

    pub fn uv_tty_init(
        l: *mut uv_loop_t,
        handle: *mut uv_tty_t,
        fd: uv_file,
        readable: c_int,
    ) -> c_int;
    pub fn uv_tty_get_winsize(
        handle: *mut uv_tty_t,
        width: *mut c_int,
        height: *mut c_int,
    ) -> c_int;

    pub fn uv_udp_init(l: *mut uv_loop_t, handle: *mut uv_udp_t) -> c_int;
    pub fn uv_udp_bind(handle: *mut uv_udp_t, addr: *const sockaddr, flags: c_uint) -> c_int;
    pub fn uv_udp_connect(handle: *mut uv_udp_t, addr: *const sockaddr) -> c_int;
    pub fn uv_udp_getsockname(
        handle: *const uv_udp_t,
        name: *mut sockaddr,
        len: *mut c_int,
    ) -> c_int;
    pub fn uv_udp_set_membership(
        handle: *mut uv_udp_t,
        multicast_addr: *const c_char,
        interface_addr: *const c_char,
        membership: c_int,
    ) -> c_int;
    pub fn uv_udp_set_multicast_loop(handle: *mut uv_udp_t, on: c_int) -> c_int;
    pub fn uv_udp_set_multicast_ttl(handle: *mut uv_udp_t, ttl: c_int) -> c_int;
    pub fn uv_udp_set_broadcast(handle: *mut uv_udp_t, on: c_int) -> c_int;
    pub fn uv_udp_set_ttl(handle: *mut uv_udp_t, ttl: c_int) -> c_int;
    pub fn uv_udp_send(
        req: *mut uv_udp_send_t,
        handle: *mut uv_udp_t,
        bufs: *const uv_buf_t,
        nbufs: c_uint,
        addr: *const sockaddr,
        cb: uv_udp_send_cb,
    ) -> c_int;
    pub fn uv_udp_recv_start(
        handle: *mut uv_udp_t,
        alloc_cb: uv_alloc_cb,
        recv_cb: uv_udp_recv_cb,
    ) -> c_int;
    pub fn uv_udp_recv_stop(handle: *mut uv_udp_t) -> c_int;

    pub fn uv_getaddrinfo(
        l: *mut uv_loop_t,
        req: *mut uv_getaddrinfo_t,
        cb: uv_getaddrinfo_cb,
        node: *const c_char,
        service: *const c_char,
        hints: *const addrinfo,
    ) -> c_int;
    pub fn uv_freeaddrinfo(ai: *mut addrinfo);
    pub fn uv_getnameinfo(
        l: *mut uv_loop_t,
        req: *mut uv_getnameinfo_t,
        cb: uv_getnameinfo_cb,
        addr: *const sockaddr,
        flags: c_int,
    ) -> c_int;

    pub fn uv_spawn(
        l: *mut uv_loop_t,
        handle: *mut uv_process_t,
        options: *const uv_process_options_t,
    ) -> c_int;
    pub fn uv_process_kill(handle: *mut uv_process_t, signum: c_int) -> c_int;
    pub fn uv_process_get_pid(handle: *const uv_process_t) -> c_int;
    pub fn uv_kill(pid: c_int, signum: c_int) -> c_int;

    pub fn uv_signal_init(l: *mut uv_loop_t, handle: *mut uv_signal_t) -> c_int;
    pub fn uv_signal_start(handle: *mut uv_signal_t, cb: uv_signal_cb, signum: c_int) -> c_int;
    pub fn uv_signal_stop(handle: *mut uv_signal_t) -> c_int;

    pub fn uv_fs_event_init(l: *mut uv_loop_t, handle: *mut uv_fs_event_t) -> c_int;
    pub fn uv_fs_event_start(
        handle: *mut uv_fs_event_t,
        cb: uv_fs_event_cb,
        path: *const c_char,
        flags: c_uint,
    ) -> c_int;
    pub fn uv_fs_poll_init(l: *mut uv_loop_t, handle: *mut uv_fs_poll_t) -> c_int;
    pub fn uv_fs_poll_start(
        handle: *mut uv_fs_poll_t,
        cb: uv_fs_poll_cb,
        path: *const c_char,
        interval: c_uint,
    ) -> c_int;
}
