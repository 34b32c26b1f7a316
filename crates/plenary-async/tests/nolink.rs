//! The `host-libuv` build configuration: a library built with it must not
//! bring its own libuv into the host's process, even with `bundled` (a
//! default feature) on too (the probe keeps the default features), and
//! must find the host's libuv by name at run time, so that in a process
//! without one it still loads and says what is missing. It reads ELF files (`readelf`): Linux
//! only (macOS is checked by `cargo check` in `.ci/run`).
#![cfg(target_os = "linux")]

use std::path::{Path, PathBuf};
use std::process::Command;

fn readelf(args: &[&str], file: &Path) -> String {
    let out = Command::new("readelf")
        .args(args)
        .arg(file)
        .output()
        .expect("run readelf (binutils)");
    assert!(
        out.status.success(),
        "readelf failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn needed(file: &Path) -> Vec<String> {
    readelf(&["-d", "-W"], file)
        .lines()
        .filter(|l| l.contains("(NEEDED)"))
        .map(|l| {
            l.rsplit('[')
                .next()
                .unwrap()
                .trim_end_matches(']')
                .to_owned()
        })
        .collect()
}

#[test]
#[cfg(target_os = "linux")]
fn the_host_libuv_build_has_no_libuv_dependency() {
    // Positive control: this test binary, built normally, does have libuv:
    // linked in (`bundled`, the default: `uv_version` defined here) or a shared
    // library it needs (the system's), so the check below can tell the
    // difference.
    assert_eq!(plenary_async::uv::version().0, 1); // (makes this binary use libuv)
    let me = std::env::current_exe().unwrap();
    let defined = readelf(&["--syms", "-W"], &me)
        .lines()
        .any(|l| l.split_whitespace().last() == Some("uv_version") && !l.contains(" UND "));
    assert!(
        defined || needed(&me).iter().any(|n| n.starts_with("libuv")),
        "the normal build has no libuv: needs {:?}, uv_version not defined",
        needed(&me)
    );

    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/nolink-probe/Cargo.toml");
    let target_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("nolink-probe");
    let status = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--manifest-path"])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target_dir)
        .status()
        .expect("run cargo");
    assert!(status.success(), "building the no-link probe failed");
    let lib = target_dir.join("debug/libnolink_probe.so");

    let deps = needed(&lib);
    assert!(
        !deps.iter().any(|n| n.contains("libuv")),
        "the host-libuv build must not link libuv, but needs {deps:?}"
    );
    // The runtime's libuv calls are neither defined nor left for the
    // dynamic linker: they are looked up by name when first used.
    let symbols = readelf(&["--dyn-syms", "-W"], &lib);
    let uv: Vec<&str> = symbols
        .lines()
        .filter(|l| {
            l.split_whitespace()
                .last()
                .is_some_and(|s| s.starts_with("uv_"))
        })
        .collect();
    assert!(uv.is_empty(), "the probe names libuv symbols: {uv:?}");

    // Loaded into a process that exports no libuv (this test binary: its
    // libuv is linked in, not exported), the probe loads, and says so
    // instead of failing to load or crashing.
    let path = std::ffi::CString::new(lib.to_str().unwrap()).unwrap();
    // SAFETY: dlopen of a library whose initialisers do nothing.
    let handle = unsafe { libc::dlopen(path.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
    assert!(!handle.is_null(), "the probe does not load");
    // SAFETY: a symbol the probe exports, of this type.
    let check: unsafe extern "C" fn() -> *const std::ffi::c_char = unsafe {
        let f = libc::dlsym(handle, c"nolink_probe_check".as_ptr());
        assert!(!f.is_null());
        std::mem::transmute(f)
    };
    // SAFETY: the probe's function returns a static C string, or null.
    let message = unsafe { check() };
    assert!(
        !message.is_null(),
        "the probe found libuv in a process that exports none"
    );
    // SAFETY: a NUL-terminated string the probe keeps.
    let message = unsafe { std::ffi::CStr::from_ptr(message) }
        .to_str()
        .unwrap();
    assert!(
        message.starts_with("this process exports no libuv function `uv_"),
        "{message}"
    );

    // With `host-libuv`, a runtime is never made on first use (nothing
    // would run its loop): `spawn` before `attach` says so, and touches no
    // libuv function (this process exports none).
    // SAFETY: a symbol the probe exports, of this type.
    let spawn_unattached: unsafe extern "C" fn() -> *const std::ffi::c_char = unsafe {
        let f = libc::dlsym(handle, c"nolink_probe_spawn_unattached".as_ptr());
        assert!(!f.is_null());
        std::mem::transmute(f)
    };
    // SAFETY: the probe's function returns a static C string, or null.
    let message = unsafe { spawn_unattached() };
    assert!(!message.is_null(), "spawn without a runtime did not panic");
    // SAFETY: a NUL-terminated string the probe keeps.
    let message = unsafe { std::ffi::CStr::from_ptr(message) }
        .to_str()
        .unwrap();
    assert_eq!(
        message,
        "plenary_async: this thread has no runtime, and with the `host-libuv` feature none is made on first use (nothing would run its loop): attach one to the host's loop first (plenary_async_nvim::attach in a Neovim plugin, or Runtime::attach), and do not use the runtime after it is uninstalled"
    );
}
