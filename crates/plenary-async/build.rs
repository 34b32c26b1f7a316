//! Links libuv, one of three ways:
//!
//! - `host-libuv`: not at all; every `uv_*` symbol is left to the host
//!   process (Neovim), whatever else is on. A second libuv in Neovim's
//!   process would crash it.
//! - `bundled` (the default): the static library plenary-async-libuv-src
//!   built from its vendored sources (`DEP_UV_SRC_*`), and the system
//!   libraries libuv needs.
//! - otherwise: the system libuv (>= 1.44), found with pkg-config.
//!
//! Where it links libuv, it reports that libuv's headers to the crates that
//! depend on it directly (`DEP_UV_INCLUDE`, folders joined as in `PATH`), so
//! that C code linked beside the runtime (the benchmark's echo server) is
//! compiled against the libuv it runs on, and needs no headers installed.

const MIN_VERSION: &str = "1.44";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // (The pkg-config crate names the variables it reads, PKG_CONFIG_PATH
    // and the rest, when it probes: only the system libuv consults them.)
    if std::env::var_os("CARGO_FEATURE_HOST_LIBUV").is_some() {
        // (What the linker needs to leave symbols undefined on macOS is the
        // cdylib's own business: its build script calls
        // `plenary_async_build::neovim_module()`.)
        return;
    }
    if std::env::var_os("CARGO_FEATURE_BUNDLED").is_some() {
        let dir = std::env::var("DEP_UV_SRC_LIB_DIR")
            .expect("plenary-async-libuv-src reports its archive's folder");
        println!("cargo:rustc-link-search=native={dir}");
        println!("cargo:rustc-link-lib=static=uv");
        for lib in std::env::var("DEP_UV_SRC_LIBS")
            .unwrap_or_default()
            .split(',')
        {
            if !lib.is_empty() {
                println!("cargo:rustc-link-lib={lib}");
            }
        }
        if let Ok(v) = std::env::var("DEP_UV_SRC_VERSION") {
            println!("cargo:version={v}");
        }
        if let Ok(include) = std::env::var("DEP_UV_SRC_INCLUDE") {
            println!("cargo:include={include}");
        }
        return;
    }
    match pkg_config::Config::new()
        .atleast_version(MIN_VERSION)
        .probe("libuv")
    {
        Ok(lib) => {
            println!("cargo:version={}", lib.version);
            let include =
                std::env::join_paths(&lib.include_paths).expect("pkg-config's folders join");
            println!("cargo:include={}", include.to_string_lossy());
        }
        Err(err) => {
            eprintln!(
                "\nplenary-async without its `bundled` feature needs the libuv C library, \
                 version {MIN_VERSION} or newer, found through pkg-config.\n\
                 Install it with:\n  \
                 Debian/Ubuntu: apt-get install libuv1-dev pkg-config\n  \
                 Fedora:        dnf install libuv-devel pkgconf\n  \
                 macOS:         brew install libuv pkg-config\n\
                 or turn `bundled` (a default feature) back on to build libuv from source.\n\
                 (pkg-config said: {})\n",
                err.to_string().lines().next().unwrap_or("")
            );
            std::process::exit(1);
        }
    }
}
