//! Blocking work on libuv's thread pool (`uv_queue_work`): for operations
//! that are several system calls in a row (reading a whole file is open,
//! stat, read…, close), done in one trip to the pool instead of one request
//! per call.

use super::req::{complete, keep_ptr, Req};
use crate::ffi::io_error_code as code_of;
use crate::ffi::sys::{self, uv_work_t};
use crate::Error;
use std::ffi::c_int;

type Job<T> = Box<dyn FnOnce() -> std::io::Result<T> + Send>;

/// The job and, once it ran, its result. Touched by the pool thread only
/// between `uv_queue_work` and the after-work callback.
struct Work<T> {
    job: Option<Job<T>>,
    result: Option<std::io::Result<T>>,
}

/// Runs `job` on libuv's thread pool and awaits its result. Errors become
/// [`Error::Uv`] naming `op` and `path`.
///
/// **Cancellation:** dropping the future before a pool thread takes the job
/// cancels it (`uv_cancel`); once it runs, it finishes and its result is
/// dropped.
pub(crate) async fn run<T: Send + 'static>(
    op: &'static str,
    path: Option<String>,
    job: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> Result<T, Error> {
    let loop_ = crate::runtime::with_current(|rt| rt.uv_loop());
    let work = Work {
        job: Some(Box::new(job) as Job<T>),
        result: None,
    };
    // SAFETY: uv_queue_work with callbacks that complete the request with
    // `Work<T>` and `T`; the job's data is owned by the slot.
    let req = unsafe {
        Req::<Work<T>, T>::start(
            sys::UV_WORK,
            op,
            path,
            work,
            true,
            |req: *mut uv_work_t, _| {
                sys::uv_queue_work(loop_, req, Some(on_work::<T>), Some(after_work::<T>))
            },
        )
    }?;
    req.await
}

unsafe extern "C" fn on_work<T>(req: *mut uv_work_t) {
    // On a pool thread: only the kept `Work` is touched, through its own
    // pointer (the loop thread may mark the slot abandoned meanwhile).
    // SAFETY: a live request started by `run::<T>`; until the after-work
    // callback, only this thread uses its `Work`.
    let work = unsafe { &mut *keep_ptr::<Work<T>, T>(req.cast()) };
    if let Some(job) = work.job.take() {
        // A panic must not unwind into libuv's thread: keep it as an error.
        work.result = Some(
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(job))
                .unwrap_or_else(|_| Err(std::io::Error::other("the blocking job panicked"))),
        );
    }
}

unsafe extern "C" fn after_work<T>(req: *mut uv_work_t, status: c_int) {
    crate::ffi::callback_guard("after work", || {
        // SAFETY: a request started by `run::<T>`, in its (loop-thread)
        // callback, after the pool thread is done with it.
        unsafe {
            complete::<Work<T>, T>(req.cast(), |work| {
                if status < 0 {
                    return Err(status); // cancelled before it ran
                }
                match work.result.take() {
                    Some(Ok(v)) => Ok(v),
                    Some(Err(e)) => Err(code_of(&e)),
                    None => Err(sys::UV_ECANCELED),
                }
            })
        }
    })
}
