//! File-system requests: a [`Req`] whose outcome is read out of the
//! finished `uv_fs_t` in its callback, before `uv_fs_req_cleanup` frees
//! libuv's own allocations for it (a `scandir` listing, a `readlink`
//! target). File-system requests can be cancelled: a future dropped before
//! the thread pool picks the work up makes libuv skip it.

use super::req::{complete, Req};
use crate::ffi::sys::{self, uv_fs_t, uv_loop_t};
use crate::Error;
use std::ffi::c_int;

/// Reads the operation's value out of the finished request (called only when
/// libuv's result is not an error). `K` is what the request kept alive.
pub(crate) type Extract<K, T> = fn(&mut K, *mut uv_fs_t, isize) -> T;

/// What a file-system request keeps: the caller's data and its extractor.
pub(crate) struct FsKeep<K, T> {
    data: K,
    extract: Extract<K, T>,
}

/// The future of one file-system request.
pub(crate) type FsFuture<K, T> = Req<FsKeep<K, T>, T>;

/// Starts a file-system request with `submit` (which calls one of
/// `uv_fs_*` with the loop, the request, pointers into `keep` and the
/// callback). `path` is only for error messages.
///
/// # Safety
/// `submit` must start exactly one `uv_fs_*` operation on the given request
/// with the given callback, and any pointer it passes must point into the
/// `K` it is given or into memory that outlives the request.
pub(crate) unsafe fn start<K, T>(
    op: &'static str,
    path: Option<String>,
    keep: K,
    extract: Extract<K, T>,
    submit: impl FnOnce(*mut uv_loop_t, *mut uv_fs_t, &mut K, sys::uv_fs_cb) -> c_int,
) -> Result<FsFuture<K, T>, Error> {
    let loop_ = crate::runtime::with_current(|rt| rt.uv_loop());
    let keep = FsKeep {
        data: keep,
        extract,
    };
    // SAFETY: `submit` starts one uv_fs_* call whose callback is `on_done`,
    // which completes the request with these K and T (the caller's contract).
    unsafe {
        Req::start(
            sys::UV_FS,
            op,
            path,
            keep,
            true,
            |req, keep: &mut FsKeep<K, T>| {
                submit(loop_, req, &mut keep.data, Some(on_done::<K, T>))
            },
        )
    }
}

unsafe extern "C" fn on_done<K, T>(req: *mut uv_fs_t) {
    crate::ffi::callback_guard("fs", || {
        // SAFETY: a request started by `start` with these K and T, in its
        // callback. Its result and buffers are readable until
        // uv_fs_req_cleanup, which runs after the extractor.
        unsafe {
            complete::<FsKeep<K, T>, T>(req.cast(), |keep| {
                let result = sys::uv_fs_get_result(req);
                let outcome = if result < 0 {
                    Err(result as c_int)
                } else {
                    Ok((keep.extract)(&mut keep.data, req, result))
                };
                sys::uv_fs_req_cleanup(req);
                outcome
            })
        }
    })
}
