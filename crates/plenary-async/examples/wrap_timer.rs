//! The seed's `a.wrap` example: a callback-style timer made awaitable.
//!
//! ```lua
//! local sleep_async = a.wrap(vim.defer, 2)
//! a.run(function()
//!   sleep_async(100) -- Awaits 100ms
//!   print("Done!")
//! end)
//! ```
//!
//! Run with `cargo run --example wrap_timer`.

use plenary_async as a;
use std::time::Instant;

/// A callback-style function in the style of `vim.defer_fn(fn, ms)`: calls
/// `done` after `ms` milliseconds. Here it uses a thread, to show that the
/// callback may come from anywhere.
fn defer(ms: u64, done: a::Callback<()>) {
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(ms));
        done.call(());
    });
}

#[a::main]
async fn main() {
    let sleep_async = a::wrap(defer);
    let start = Instant::now();
    println!("waiting 100 ms on a wrapped callback-style timer...");
    sleep_async(100).await.expect("the timer calls back");
    println!("Done! after {} ms", start.elapsed().as_millis());

    // The original callback-style function is still there to call directly.
    let (tx, rx) = std::sync::mpsc::channel();
    defer(
        10,
        a::Callback::from_fn(move |()| tx.send("called back").unwrap()),
    );
    println!("direct call: {}", rx.recv().unwrap());
}
