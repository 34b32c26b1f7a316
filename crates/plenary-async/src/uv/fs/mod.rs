//! The file system, awaitable (plenary's `a.uv.fs_*`).
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

//!
//! | file | what |
//! |---|---|
//! | `metadata.rs` | [`Metadata`], [`FileType`], [`StatFs`], [`DirEntry`] |
//! | `file.rs` | [`OpenOptions`] and [`File`] |
//! | `whole_file.rs` | [`read`], [`read_to_string`], [`write`](write()) |
//! | `paths.rs` | operations on paths: [`stat`], [`rename`], [`copyfile`], … |
//! | `dir.rs` | directories read in batches: [`Dir`], [`read_dir`] |
//! | this file | the plumbing every operation shares |

mod dir;
mod file;
mod file_io;
pub(crate) use file::OwnedFile;
mod metadata;
mod paths;
mod whole_file;

use crate::ffi::c_path;
use crate::ffi::path_from_c as bytes_to_path;
pub use dir::{opendir, read_dir, Dir, ReadDir};
use file::file_of;
pub use file::{File, OpenOptions};
pub use metadata::{DirEntry, FileType, Metadata, StatFs};
use paths::dirent;
pub use paths::*;
pub use whole_file::{read, read_to_string, write};

use crate::ffi::sys::{self, uv_fs_t, uv_loop_t};
use crate::uv::fs_req::{self, Extract};
use crate::Error;
use std::ffi::{c_char, c_int, CStr, CString};
use std::fmt;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

type Result<T> = std::result::Result<T, Error>;

// ---- plumbing ---------------------------------------------------------------

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
