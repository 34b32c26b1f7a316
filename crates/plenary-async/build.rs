//! Finds the system libuv (>= 1.44) with pkg-config and links it, unless the
//! `host-libuv` feature asks to leave the `uv_*` symbols to the host process.

const MIN_VERSION: &str = "1.44";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    if std::env::var_os("CARGO_FEATURE_HOST_LIBUV").is_some() {
        // The host (Neovim) already has libuv in its process; a second copy
        // would crash it. Leave every `uv_*` symbol undefined. (What the
        // linker needs for that on macOS is the cdylib's own business: its
        // build script calls `plenary_async_build::neovim_module()`.)
        return;
    }
    match pkg_config::Config::new()
        .atleast_version(MIN_VERSION)
        .probe("libuv")
    {
        Ok(lib) => println!("cargo:version={}", lib.version),
        Err(err) => {
            eprintln!(
                "\nplenary-async needs the libuv C library, version {MIN_VERSION} or newer, \
                 found through pkg-config.\n\
                 Install it with:\n  \
                 Debian/Ubuntu: apt-get install libuv1-dev pkg-config\n  \
                 Fedora:        dnf install libuv-devel pkgconf\n  \
                 macOS:         brew install libuv pkg-config\n\
                 (pkg-config said: {})\n",
                err.to_string().lines().next().unwrap_or("")
            );
            std::process::exit(1);
        }
    }
}
