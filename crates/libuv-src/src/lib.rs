//! libuv's C sources (version 1.53.0, in `libuv/`), compiled into a static
//! library by this crate's build script for plenary-async's `bundled`
//! feature, so that a program on the runtime needs no system libuv.
//!
//! The crate has no Rust API. Its build script compiles the sources that
//! libuv's own CMakeLists.txt lists for the target OS (Linux, macOS and the
//! BSDs, Windows) and reports where the archive is through cargo's
//! `links` metadata (`DEP_UV_SRC_LIB_DIR`, `DEP_UV_SRC_LIBS`,
//! `DEP_UV_SRC_INCLUDE`, `DEP_UV_SRC_VERSION`); plenary-async's build
//! script links it. It never links anything by itself, so turning on
//! `host-libuv` (a module loaded into Neovim) can never bring a second
//! libuv into a process that has one.
//!
//! Use it through the runtime:
//!
//! ```toml
//! [dependencies]
//! plenary-async = "0.1"        # `bundled` is a default feature
//! ```
//!
//! To update libuv, replace `libuv/include` and `libuv/src` with a release's
//! and compare its CMakeLists.txt's source lists with `build.rs`.
#![no_std]
