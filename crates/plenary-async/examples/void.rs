//! The seed's `a.void` example: a fire-and-forget async function.
//!
//! Run with `cargo run --example void`.

use plenary_async as a;

fn main() {
    let schedule_async = a::void(|msg: &'static str| async move {
        a::util::scheduler().await; // like vim.schedule: wait for the loop
        println!("This runs in main loop: {msg}");
    });
    schedule_async("hello");
    println!("void returned immediately; the body runs in the background");

    // A panic in a void function is reported, and the loop goes on.
    let failing = a::void(|| async { panic!("reported, not fatal") });
    failing();
    a::block_on(a::util::sleep(10));
    println!("the loop is still running");
}
