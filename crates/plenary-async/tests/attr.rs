//! `#[plenary_async::test]` and `#[plenary_async::main]` (the seed's `a.it`).

use plenary_async as a;
use std::rc::Rc;

#[a::test]
async fn an_async_test_runs_on_the_runtime() {
    let shared = Rc::new(5); // !Send is fine: the future stays on its thread
    let s = shared.clone();
    let v = a::spawn(async move { *s + 1 }).await.unwrap();
    a::util::sleep(1).await;
    assert_eq!(v, 6);
}

#[a::tests::it(timeout = 10_000)]
async fn the_seeds_name_works_too() {
    a::util::sleep(1).await;
}

#[a::test(timeout = 20)]
#[should_panic(expected = "did not finish in time")]
async fn a_test_that_passes_its_limit_fails_with_a_message() {
    a::util::sleep(60_000).await;
}

#[a::test]
#[should_panic(expected = "failing on purpose")]
async fn a_panicking_test_keeps_its_message() {
    a::util::sleep(1).await;
    panic!("failing on purpose");
}

#[a::test]
async fn a_test_may_return_a_result() -> Result<(), String> {
    a::util::sleep(1).await;
    Ok(())
}

#[test]
fn each_async_test_gets_a_fresh_runtime() {
    let outer = a::Runtime::current().loop_ptr() as usize;
    let inner = a::__private::run_test("fresh", Some(10_000), || async {
        a::Runtime::current().loop_ptr() as usize
    });
    assert_ne!(outer, inner);
}

mod main_attr {
    #[plenary_async::main]
    async fn main() -> u32 {
        plenary_async::util::sleep(1).await;
        7
    }

    #[test]
    fn main_runs_its_body_under_block_on() {
        std::thread::spawn(|| assert_eq!(main(), 7)).join().unwrap();
    }
}
