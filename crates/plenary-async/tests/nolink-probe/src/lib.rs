//! Uses the runtime so that its libuv calls end up in the library.

use std::ffi::c_void;

/// Attaches to the host's loop and spawns a sleeping task.
///
/// # Safety
/// `host_loop` must be the host's live libuv loop.
#[no_mangle]
pub unsafe extern "C" fn nolink_probe_start(host_loop: *mut c_void) {
    // SAFETY: forwarded from the caller.
    let _rt = unsafe { plenary_async::Runtime::attach(host_loop) };
    plenary_async::spawn(plenary_async::util::sleep(1)).detach();
}
