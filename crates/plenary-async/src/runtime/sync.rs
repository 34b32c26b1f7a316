//! The synchronisation the cross-thread parts use (the remote wake queue,
//! the task cell's foreign references, the thread-locals that tell the
//! owning thread): std's, or, built with `--cfg loom`, loom's models of
//! them, so that `loom_tests.rs` explores every interleaving of the real
//! code.
//!
//! ```text
//! RUSTFLAGS="--cfg loom" cargo test -p plenary-async --lib --release loom_
//! ```

#[cfg(not(loom))]
pub(crate) use std::{
    sync::atomic::{AtomicBool, AtomicUsize, Ordering},
    sync::{Mutex, MutexGuard},
    thread::{current as current_thread, ThreadId},
};

#[cfg(loom)]
pub(crate) use loom::{
    sync::atomic::{AtomicBool, AtomicUsize, Ordering},
    sync::{Mutex, MutexGuard},
    thread::{current as current_thread, ThreadId},
};

/// `thread_local!` with a `const` initialiser: std's, or loom's (whose
/// macro takes a plain expression).
macro_rules! const_thread_local {
    ($(#[$m:meta])* static $name:ident: $t:ty = const $init:block) => {
        #[cfg(not(loom))]
        std::thread_local! { $(#[$m])* static $name: $t = const $init }
        #[cfg(loom)]
        loom::thread_local! { $(#[$m])* static $name: $t = $init }
    };
}
pub(crate) use const_thread_local;
