//! Hand-written declarations of the libuv functions this crate calls.
//!
//! Only functions are declared, never struct layouts: handles and requests are
//! allocated with [`uv_handle_size`] and reached through libuv's accessor
//! functions, so the crate depends on libuv's ABI-stable API alone (libuv keeps
//! these stable across 1.x). Every type here is opaque.
//!
//! Public but hidden from the docs: hosts and tests use it to create and run
//! a loop of their own; it is not part of the stable API.
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

opaque!(uv_loop_t, uv_handle_t, uv_async_t, uv_idle_t, uv_timer_t);

/// `uv_handle_type` values (stable in libuv 1.x).
pub type uv_handle_type = c_int;
pub const UV_ASYNC: uv_handle_type = 1;
pub const UV_IDLE: uv_handle_type = 6;
pub const UV_TIMER: uv_handle_type = 13;

/// `uv_run_mode` values.
pub type uv_run_mode = c_int;
pub const UV_RUN_DEFAULT: uv_run_mode = 0;
pub const UV_RUN_ONCE: uv_run_mode = 1;
pub const UV_RUN_NOWAIT: uv_run_mode = 2;

pub type uv_close_cb = Option<unsafe extern "C" fn(*mut uv_handle_t)>;
pub type uv_async_cb = Option<unsafe extern "C" fn(*mut uv_async_t)>;
pub type uv_idle_cb = Option<unsafe extern "C" fn(*mut uv_idle_t)>;
pub type uv_timer_cb = Option<unsafe extern "C" fn(*mut uv_timer_t)>;
pub type uv_walk_cb = Option<unsafe extern "C" fn(*mut uv_handle_t, *mut c_void)>;

extern "C" {
    pub fn uv_version() -> c_uint;
    pub fn uv_strerror(err: c_int) -> *const c_char;
    pub fn uv_err_name(err: c_int) -> *const c_char;

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
}
