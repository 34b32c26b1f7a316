use plenary_async as a;
use std::time::Duration;

#[test]
fn spawn_and_block_on() {
    let t = a::spawn(async { 1 });
    assert_eq!(a::block_on(t), Ok(1));
    a::block_on(a::util::sleep(Duration::from_millis(5)));
}
