//! Uses the runtime so that its libuv calls end up in the library.

use std::ffi::{c_char, c_void, CString};
use std::sync::OnceLock;

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

/// Null if the host exports libuv, else why not (a string that lives as
/// long as the library).
#[no_mangle]
pub extern "C" fn nolink_probe_check() -> *const c_char {
    static MESSAGE: OnceLock<Option<CString>> = OnceLock::new();
    MESSAGE
        .get_or_init(|| {
            plenary_async::runtime::check_libuv()
                .err()
                .map(|e| CString::new(e.to_string()).unwrap())
        })
        .as_ref()
        .map_or(std::ptr::null(), |m| m.as_ptr())
}

/// `spawn` on this thread, which has no runtime attached: the message it
/// panics with (null if it did not panic). The string lives as long as
/// the library.
#[no_mangle]
pub extern "C" fn nolink_probe_spawn_unattached() -> *const c_char {
    static MESSAGE: OnceLock<Option<CString>> = OnceLock::new();
    MESSAGE
        .get_or_init(|| {
            std::panic::catch_unwind(|| plenary_async::spawn(async {}).detach())
                .err()
                .map(|p| CString::new(plenary_async::panic_message(&*p)).unwrap())
        })
        .as_ref()
        .map_or(std::ptr::null(), |m| m.as_ptr())
}
