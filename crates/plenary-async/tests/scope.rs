//! Scopes: a scope waits for its children, a child's panic fails it, and
//! dropping or closing it cancels its children, depth first.

mod common;

use common::*;
use plenary_async as a;
use std::cell::RefCell;
use std::rc::Rc;

#[test]
fn a_scope_waits_for_children_nobody_awaits() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    let r = a::block_on(a::scope::scope(|s| async move {
        // Child 1 ends only after child 2 (which tells it so): the scope
        // waits for both, whatever their order.
        let (tx, rx) = a::control::channel::oneshot();
        let l1 = l.clone();
        drop(s.spawn(async move {
            rx.await.unwrap();
            l1.borrow_mut().push(1);
        }));
        drop(s.spawn(async move {
            a::util::sleep(1).await;
            l.borrow_mut().push(2);
            tx.send(()).unwrap();
        }));
        "body done"
    }));
    assert_eq!(r, Ok("body done"));
    assert_eq!(*log.borrow(), [2, 1]);
}

#[test]
fn a_child_s_panic_fails_the_scope_and_cancels_the_body_and_the_siblings() {
    let reported = Rc::new(RefCell::new(Vec::new()));
    let sink = reported.clone();
    a::Runtime::current().set_error_handler(move |e| sink.borrow_mut().push(e.to_string()));
    let (sibling_dropped, sibling_flag) = flag();
    let (body_dropped, body_flag) = flag();
    let r = a::block_on(a::scope::scope(|s| async move {
        let _body = body_flag;
        drop(s.spawn(async move {
            let _flag = sibling_flag;
            std::future::pending::<()>().await
        }));
        let bad = s.spawn(async {
            a::util::sleep(5).await;
            panic!("the child's panic");
        });
        drop(bad);
        a::util::sleep(60_000).await;
    }));
    match r {
        Err(a::JoinError::Panicked {
            message,
            location,
            payload,
        }) => {
            assert_eq!(message, "the child's panic");
            assert!(location.file().ends_with("scope.rs"), "{location}");
            let payload = payload.into_inner();
            assert_eq!(payload.downcast_ref::<&str>(), Some(&"the child's panic"));
        }
        other => panic!("expected the child's panic, got {other:?}"),
    }
    assert!(sibling_dropped.get() && body_dropped.get());
    a::block_on(a::util::scheduler());
    assert!(
        reported.borrow().is_empty(),
        "reported twice: {:?}",
        reported.borrow()
    );
}

#[test]
fn dropping_a_scope_cancels_its_children_and_their_scopes() {
    let (outer_child, outer_flag) = flag();
    let (inner_child, inner_flag) = flag();
    let (started, start_flag) = flag();
    let r = a::block_on(a::util::timeout(
        50,
        a::scope::scope(|s| async move {
            drop(s.spawn(async move {
                let _flag = outer_flag;
                let _ = a::scope::scope(|inner| async move {
                    drop(inner.spawn(async move {
                        let _flag = inner_flag;
                        drop(start_flag);
                        std::future::pending::<()>().await
                    }));
                    std::future::pending::<()>().await
                })
                .await;
            }));
            std::future::pending::<()>().await
        }),
    ));
    assert!(r.unwrap_err().is_timeout());
    assert!(started.get(), "the inner child ran");
    assert!(
        outer_child.get() && inner_child.get(),
        "the whole tree was dropped"
    );
}

#[test]
fn closing_a_scope_cancels_children_and_later_spawns() {
    let r = a::block_on(a::scope::scope(|s| async move {
        let running = s.spawn(std::future::pending::<()>());
        s.close();
        assert!(s.is_closing());
        let late = s.spawn(async { 1 });
        assert!(
            late.is_finished(),
            "spawned into a closing scope: canceled at once"
        );
        assert_eq!(late.await, Err(a::JoinError::Canceled));
        assert_eq!(running.await, Err(a::JoinError::Canceled));
        "the body ran on to its end"
    }));
    assert_eq!(r, Err(a::JoinError::Canceled));
}

#[test]
fn an_awaited_child_gives_its_value_and_leaves_the_tree() {
    a::block_on(async {
        let r = a::scope::scope(|s| async move {
            let t = s.spawn(async {
                a::util::sleep(1).await;
                7
            });
            assert_eq!(s.len(), 1);
            let v = t.await.unwrap();
            assert!(s.is_empty());
            v
        })
        .await;
        assert_eq!(r, Ok(7));
    });
}
