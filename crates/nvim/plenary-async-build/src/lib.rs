//! The link arguments of a library that Neovim loads (a Lua module built
//! as a `cdylib`), for the library's own build script.
//!
//! Such a library links neither Lua nor libuv: both come from Neovim's
//! process (mlua's `module` feature leaves Lua's symbols undefined;
//! plenary-async's `host-libuv` feature looks libuv's functions up by name
//! when the runtime attaches). On Linux an undefined symbol in a shared
//! library is allowed by default; macOS's linker refuses it unless told
//! `-undefined dynamic_lookup`. (On Windows mlua links Neovim's
//! `lua51.dll`, and nothing else is needed.) That argument belongs to the `cdylib` crate's own build
//! script: cargo ignores `rustc-cdylib-link-arg` from a dependency's build
//! script in some versions and warns that it may become an error
//! (rust-lang/cargo#9562). So each plugin's `build.rs` calls
//! [`neovim_module`]:
//!
//! ```toml
//! # Cargo.toml of the plugin
//! [build-dependencies]
//! plenary-async-build = { git = "https://example.invalid/plenary-async" }
//! ```
//!
//! ```no_run
//! // build.rs of the plugin: the body of its `fn main()`
//! plenary_async_build::neovim_module();
//! ```

/// Prints the cargo directives that let a `cdylib` leave Lua's
/// symbols to the process that loads it, for the target being built (read
/// from cargo's `CARGO_CFG_TARGET_OS`; nothing on Linux and the BSDs, where
/// that is the default). Call it from the `cdylib` crate's `build.rs`.
///
/// ```no_run
/// // build.rs
/// plenary_async_build::neovim_module();
/// ```
pub fn neovim_module() {
    for arg in link_args(&std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default()) {
        println!("cargo:rustc-cdylib-link-arg={arg}");
    }
}

/// The linker arguments [`neovim_module`] passes for target OS `os`
/// (cargo's `target_os` names).
///
/// ```
/// assert_eq!(plenary_async_build::link_args("macos"), ["-undefined", "dynamic_lookup"]);
/// assert!(plenary_async_build::link_args("linux").is_empty());
/// ```
pub fn link_args(os: &str) -> &'static [&'static str] {
    match os {
        // Apple's ld: undefined symbols are looked up at load time, in
        // Neovim's executable.
        "macos" | "ios" => &["-undefined", "dynamic_lookup"],
        _ => &[],
    }
}
