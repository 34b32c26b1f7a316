//! Builds the C echo server (`c/echo_server.c`) against the system libuv,
//! as the limit the TCP benchmark compares with.

fn main() {
    println!("cargo:rerun-if-changed=c/echo_server.c");
    let libuv = pkg_config::Config::new()
        .atleast_version("1.44")
        .cargo_metadata(false)
        .probe("libuv")
        .unwrap_or_else(|e| panic!("the benchmark's C echo server needs libuv's headers: {e}"));
    let mut build = cc::Build::new();
    build.file("c/echo_server.c").opt_level(2);
    for dir in &libuv.include_paths {
        build.include(dir);
    }
    build.compile("c_echo");
}
