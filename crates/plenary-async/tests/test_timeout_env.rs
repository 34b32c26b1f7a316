//! `PLENARY_TEST_TIMEOUT` (alone in its own test binary: it sets the
//! environment variable, which every test of a binary reads).

use plenary_async as a;
use std::time::Duration;

#[test]
fn the_limit_comes_from_attribute_then_environment_then_default() {
    std::env::remove_var("PLENARY_TEST_TIMEOUT");
    assert_eq!(a::tests::test_timeout(None), a::tests::DEFAULT_TIMEOUT);
    std::env::set_var("PLENARY_TEST_TIMEOUT", "1234");
    assert_eq!(a::tests::test_timeout(None), Duration::from_millis(1234));
    assert_eq!(a::tests::test_timeout(Some(5)), Duration::from_millis(5));
    std::env::set_var("PLENARY_TEST_TIMEOUT", "soon");
    let caught = std::panic::catch_unwind(|| a::tests::test_timeout(None));
    std::env::remove_var("PLENARY_TEST_TIMEOUT");
    assert!(caught.is_err(), "a malformed value is refused");

    std::env::set_var("PLENARY_TEST_TIMEOUT", "15");
    let caught = std::panic::catch_unwind(|| {
        a::__private::run_test("slow", None, || a::util::sleep(60_000))
    });
    std::env::remove_var("PLENARY_TEST_TIMEOUT");
    let payload = caught.unwrap_err();
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(
        message.contains("test `slow` timed out after 15ms"),
        "{message}"
    );
}
