//! Compiles the vendored libuv (`libuv/`) into `libuv.a` (`uv.lib` with
//! MSVC) in OUT_DIR, with the sources and definitions libuv's own
//! CMakeLists.txt gives for the target OS, and tells dependents where it
//! is. Linking is left to plenary-async's build script.

use std::path::{Path, PathBuf};

/// Sources every OS builds.
const COMMON: &[&str] = &[
    "fs-poll.c",
    "idna.c",
    "inet.c",
    "random.c",
    "strscpy.c",
    "strtok.c",
    "thread-common.c",
    "threadpool.c",
    "timer.c",
    "uv-common.c",
    "uv-data-getter-setters.c",
    "version.c",
];

const UNIX: &[&str] = &[
    "unix/async.c",
    "unix/core.c",
    "unix/dl.c",
    "unix/fs.c",
    "unix/getaddrinfo.c",
    "unix/getnameinfo.c",
    "unix/loop-watcher.c",
    "unix/loop.c",
    "unix/pipe.c",
    "unix/poll.c",
    "unix/process.c",
    "unix/random-devurandom.c",
    "unix/signal.c",
    "unix/stream.c",
    "unix/tcp.c",
    "unix/thread.c",
    "unix/tty.c",
    "unix/udp.c",
];

const WINDOWS: &[&str] = &[
    "win/async.c",
    "win/core.c",
    "win/detect-wakeup.c",
    "win/dl.c",
    "win/error.c",
    "win/fs.c",
    "win/fs-event.c",
    "win/getaddrinfo.c",
    "win/getnameinfo.c",
    "win/handle.c",
    "win/loop-watcher.c",
    "win/pipe.c",
    "win/thread.c",
    "win/poll.c",
    "win/process.c",
    "win/process-stdio.c",
    "win/signal.c",
    "win/snprintf.c",
    "win/stream.c",
    "win/tcp.c",
    "win/tty.c",
    "win/udp.c",
    "win/util.c",
    "win/winapi.c",
    "win/winsock.c",
];

/// A target OS's own sources, its definitions and the system libraries
/// libuv needs there.
struct Platform {
    sources: Vec<&'static str>,
    defines: Vec<(&'static str, Option<&'static str>)>,
    libs: Vec<&'static str>,
}

/// The target OS's part of libuv's CMakeLists.txt.
fn platform(os: &str) -> Platform {
    let (sources, defines, libs) = match os {
        "linux" => (
            vec![
                "unix/linux.c",
                "unix/procfs-exepath.c",
                "unix/random-getrandom.c",
                "unix/random-sysctl-linux.c",
                "unix/proctitle.c",
            ],
            vec![("_GNU_SOURCE", None), ("_POSIX_C_SOURCE", Some("200112"))],
            vec!["pthread", "dl", "rt", "m"],
        ),
        "macos" | "ios" => (
            vec![
                "unix/proctitle.c",
                "unix/bsd-ifaddrs.c",
                "unix/kqueue.c",
                "unix/random-getentropy.c",
                "unix/darwin-proctitle.c",
                "unix/darwin.c",
                "unix/fsevents.c",
            ],
            vec![
                ("_DARWIN_UNLIMITED_SELECT", Some("1")),
                ("_DARWIN_USE_64_BIT_INODE", Some("1")),
            ],
            vec!["pthread", "m"],
        ),
        "freebsd" | "dragonfly" => (
            vec![
                "unix/freebsd.c",
                "unix/posix-hrtime.c",
                "unix/bsd-proctitle.c",
                "unix/bsd-ifaddrs.c",
                "unix/kqueue.c",
                "unix/random-getrandom.c",
            ],
            vec![],
            vec!["pthread", "m", "kvm"],
        ),
        "openbsd" => (
            vec![
                "unix/openbsd.c",
                "unix/posix-hrtime.c",
                "unix/bsd-proctitle.c",
                "unix/bsd-ifaddrs.c",
                "unix/kqueue.c",
                "unix/random-getentropy.c",
            ],
            vec![],
            vec!["pthread", "m"],
        ),
        "netbsd" => (
            vec![
                "unix/netbsd.c",
                "unix/posix-hrtime.c",
                "unix/bsd-proctitle.c",
                "unix/bsd-ifaddrs.c",
                "unix/kqueue.c",
            ],
            vec![],
            vec!["pthread", "m", "kvm"],
        ),
        "windows" => (
            vec![],
            vec![
                ("WIN32_LEAN_AND_MEAN", None),
                ("_WIN32_WINNT", Some("0x0A00")),
                ("_CRT_DECLARE_NONSTDC_NAMES", Some("0")),
            ],
            vec![
                "psapi",
                "user32",
                "advapi32",
                "iphlpapi",
                "userenv",
                "ws2_32",
                "dbghelp",
                "ole32",
                "shell32",
                "synchronization",
            ],
        ),
        other => panic!(
            "plenary-async-libuv-src: no source list for target OS {other:?}; \
             use the system libuv instead (plenary-async with default-features = false)"
        ),
    };
    Platform {
        sources,
        defines,
        libs,
    }
}

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let uv = root.join("libuv");
    let src = uv.join("src");
    let os = std::env::var("CARGO_CFG_TARGET_OS").expect("cargo sets it");
    let windows = os == "windows";
    let Platform {
        sources: own,
        defines,
        libs,
    } = platform(&os);

    let mut build = cc::Build::new();
    build
        .include(uv.join("include"))
        .include(&src)
        // (libuv's own warnings are libuv's: not ours to fix or show.)
        .warnings(false)
        // Linking is plenary-async's decision, never this crate's.
        .cargo_metadata(false);
    for &(name, value) in &defines {
        build.define(name, value);
    }
    if !windows {
        build
            .define("_FILE_OFFSET_BITS", Some("64"))
            .define("_LARGEFILE_SOURCE", None)
            .flag_if_supported("-fno-strict-aliasing")
            .flag_if_supported("-pthread");
    }
    let platform_files = if windows { WINDOWS } else { UNIX };
    for file in COMMON.iter().chain(platform_files).chain(own.iter()) {
        build.file(src.join(file));
    }
    build.compile("uv");

    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it"));
    println!("cargo:lib-dir={}", out.display());
    println!("cargo:libs={}", libs.join(","));
    println!("cargo:include={}", uv.join("include").display());
    println!("cargo:version=1.53.0");
    rerun_if_changed(&uv);
    println!("cargo:rerun-if-changed=build.rs");
}

/// Rebuilds when a vendored file changes (the folders are listed, so that a
/// file added or removed counts too).
fn rerun_if_changed(dir: &Path) {
    println!("cargo:rerun-if-changed={}", dir.display());
}
