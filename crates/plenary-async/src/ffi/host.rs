//! libuv from the host process (the `host-libuv` feature).
//!
//! A library loaded into a process that already runs libuv (a Neovim
//! plugin) must use that libuv: a second copy would have its own loop
//! structures and its own thread pool, and a handle of one passed to the
//! other crashes the host. Such a library links no libuv at all; each
//! `uv_*` function of [`sys`](super::sys) looks the host's up by name the
//! first time it is called and keeps the address:
//!
//! - Unix: `dlsym(RTLD_DEFAULT, name)`, the process's global scope, which
//!   holds the executable's exported symbols (Neovim exports libuv's) and
//!   the shared libraries it was linked with (a distribution's Neovim that
//!   links `libuv.so.1`).
//! - Windows: `GetProcAddress` on the executable, then on a libuv DLL
//!   already loaded into the process (`libuv-1.dll`, `uv.dll`: builds that
//!   link libuv dynamically). Neovim 0.11's `nvim.exe` exports none.
//!
//! A lookup at load time (rather than symbols left undefined for the
//! dynamic linker) is what lets the same library load everywhere and say
//! what is missing: [`check`] looks every function up at once and names the
//! first one the host lacks; [`Runtime::attach`](crate::Runtime::attach)
//! calls it first. On Windows it is the only way: a DLL cannot be linked
//! with undefined symbols, and an import library for `nvim.exe` would make
//! the DLL fail to load, with no name, on every Neovim that lacks them.

use std::ffi::{c_void, CStr};
#[cfg(feature = "host-libuv")]
use std::sync::OnceLock;

/// Why libuv's functions cannot be called in this process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibuvUnavailable {
    /// The first function the process does not export.
    pub missing: &'static str,
}

impl std::fmt::Display for LibuvUnavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "this process exports no libuv function `{}` (plenary-async was built with \
             `host-libuv`, which calls the host's libuv; {})",
            self.missing, HOST_HINT
        )
    }
}

impl std::error::Error for LibuvUnavailable {}

#[cfg(windows)]
const HOST_HINT: &str = "Neovim 0.11 for Windows exports none: use the Lua core, or a Neovim \
                         whose nvim.exe exports libuv";
#[cfg(not(windows))]
const HOST_HINT: &str = "load this library into Neovim, which exports libuv";

/// An ASCII name as the UTF-16 that Windows' `W` functions take.
#[cfg(windows)]
const fn wide<const N: usize>(ascii: &[u8; N]) -> [u16; N] {
    let mut out = [0u16; N];
    let mut i = 0;
    while i < N {
        out[i] = ascii[i] as u16;
        i += 1;
    }
    out
}

/// Looks up one symbol of the host process; null if there is none.
pub(crate) fn lookup(name: &CStr) -> *mut c_void {
    #[cfg(unix)]
    {
        // SAFETY: dlsym with the global scope and a NUL-terminated name only
        // reads; it returns null for a missing symbol.
        unsafe { libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr()) }
    }
    #[cfg(windows)]
    {
        use windows_sys::Win32::System::LibraryLoader::{GetModuleHandleW, GetProcAddress};
        const MODULES: [&[u16]; 2] = [&wide(b"libuv-1.dll\0"), &wide(b"uv.dll\0")];
        // The executable first (null), then a libuv DLL already loaded.
        let modules = std::iter::once(std::ptr::null()).chain(MODULES.iter().map(|m| m.as_ptr()));
        for module in modules {
            // SAFETY: GetModuleHandleW with null (the executable) or a
            // NUL-terminated UTF-16 name only reads, takes no reference
            // and returns null for a module not loaded.
            let handle = unsafe { GetModuleHandleW(module) };
            if handle.is_null() {
                continue;
            }
            // SAFETY: a loaded module's handle and a NUL-terminated name.
            if let Some(f) = unsafe { GetProcAddress(handle, name.as_ptr().cast()) } {
                return f as *mut c_void;
            }
        }
        std::ptr::null_mut()
    }
}

#[cfg(feature = "host-libuv")]
/// The host's function `name` (NUL-terminated). Panics, naming it, if the
/// host has none: code that calls libuv runs only after [`check`] passed
/// (in [`Runtime::attach`](crate::Runtime::attach)), so this is a program
/// that skipped it.
pub(crate) fn function(name: &'static str) -> *mut c_void {
    let c = CStr::from_bytes_with_nul(name.as_bytes()).expect("declared NUL-terminated");
    let f = lookup(c);
    if f.is_null() {
        let missing = &name[..name.len() - 1];
        panic!("{}", LibuvUnavailable { missing });
    }
    f
}

#[cfg(feature = "host-libuv")]
/// Looks up every libuv function the crate declares, once per process;
/// the first missing one is the error.
pub(crate) fn check() -> Result<(), LibuvUnavailable> {
    static RESULT: OnceLock<Result<(), LibuvUnavailable>> = OnceLock::new();
    RESULT
        .get_or_init(|| {
            for name in super::sys::FUNCTIONS {
                let c =
                    CStr::from_bytes_with_nul(name.as_bytes()).expect("declared NUL-terminated");
                if lookup(c).is_null() {
                    return Err(LibuvUnavailable {
                        missing: &name[..name.len() - 1],
                    });
                }
            }
            Ok(())
        })
        .clone()
}
