//! The seed's `a.run` example: run an async function, get its result in a
//! callback as `success, ...`.
//!
//! Run with `cargo run --example run_callback`.

use plenary_async as a;

async fn some_async_operation(fail: bool) -> u32 {
    a::util::sleep(20).await;
    if fail {
        panic!("the operation failed");
    }
    42
}

fn report(result: Result<u32, a::JoinError>) {
    match result {
        Ok(value) => println!("Result: {value}"),
        Err(err) => println!("Error: {err}"),
    }
}

fn main() {
    a::run(some_async_operation(false), report).detach();
    a::run(some_async_operation(true), report).detach();
    println!("both started; run() returned at once");
    // Drive the loop until both have called back.
    a::block_on(a::util::sleep(100));
}
