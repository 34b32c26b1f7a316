//! Builds the C echo server (`c/echo_server.c`), the limit the TCP
//! benchmark compares with, against the headers of the libuv that
//! plenary-async links into this program (`DEP_UV_INCLUDE`: the vendored
//! libuv's with the default `bundled` feature, so no libuv headers need be
//! installed; pkg-config's with the system libuv). The server's `uv_*` calls
//! are resolved against that same libuv when the program is linked.

fn main() {
    println!("cargo:rerun-if-changed=c/echo_server.c");
    println!("cargo:rerun-if-env-changed=DEP_UV_INCLUDE");
    let include = std::env::var_os("DEP_UV_INCLUDE").unwrap_or_else(|| {
        panic!(
            "the benchmark's C echo server needs the headers of the libuv plenary-async links, \
             and plenary-async reported none (DEP_UV_INCLUDE is unset): is `host-libuv` on? \
             The benchmark runs on a libuv of its own (the default `bundled` feature)"
        )
    });
    let mut build = cc::Build::new();
    build.file("c/echo_server.c").opt_level(2);
    // (pkg-config names no folder for headers in the compiler's own.)
    for dir in std::env::split_paths(&include).filter(|d| !d.as_os_str().is_empty()) {
        build.include(dir);
    }
    build.compile("c_echo");
}
