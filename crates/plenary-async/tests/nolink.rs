//! The `host-libuv` build configuration: a library built with it must not
//! bring its own libuv into the host's process, and must leave the `uv_*`
//! symbols for the host to provide, even with `bundled` (a default
//! feature) on too: the probe keeps the default features. It reads ELF files (`readelf`): Linux
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
    // The runtime's libuv calls are there, undefined, for the host to resolve.
    let symbols = readelf(&["--dyn-syms", "-W"], &lib);
    for sym in ["uv_run", "uv_async_send", "uv_timer_start", "uv_idle_start"] {
        let line = symbols
            .lines()
            .find(|l| l.split_whitespace().last() == Some(sym))
            .unwrap_or_else(|| panic!("{sym} is not referenced by the probe"));
        assert!(line.contains(" UND "), "{sym} must be undefined: {line}");
    }
}
