//! `a::control::channel`: oneshot, counter, mpsc and bounded mpsc, with the
//! seed's stated semantics and cancellation.

mod common;

use a::control::channel::{self, mpsc, RecvError, TryRecvError, TrySendError};
use common::*;
use plenary_async as a;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

const NEVER: Duration = Duration::from_millis(20);

/// Whether `fut` is still pending after the loop has had a few turns.
async fn still_pending<F: std::future::Future>(fut: F) -> bool {
    a::util::timeout(NEVER, fut).await.is_err()
}

// ---- oneshot ----------------------------------------------------------

#[a::test]
async fn oneshot_receiver_first() {
    let (tx, rx) = channel::oneshot();
    let waiter = a::spawn(rx);
    settle().await;
    assert!(!waiter.is_finished());
    tx.send("hello").unwrap();
    assert_eq!(waiter.await.unwrap(), Ok("hello"));
}

#[a::test]
async fn oneshot_sender_first() {
    let (tx, rx) = channel::oneshot();
    tx.send(vec![1, 2]).unwrap();
    a::util::sleep(1).await;
    assert_eq!(rx.await, Ok(vec![1, 2]));
}

#[a::test]
async fn oneshot_carries_falsy_empty_and_multiple_values() {
    let (tx, rx) = channel::oneshot();
    tx.send((false, 0, "", None::<u8>)).unwrap();
    assert_eq!(rx.await, Ok((false, 0, "", None)));
    let (tx, rx) = channel::oneshot();
    tx.send(()).unwrap();
    assert_eq!(rx.await, Ok(()));
}

#[a::test]
async fn oneshot_sender_dropped_while_receiver_waits_is_an_error_not_a_hang() {
    let (tx, rx) = channel::oneshot::<u32>();
    let waiter = a::spawn(rx);
    a::util::sleep(1).await;
    drop(tx);
    let got = a::util::timeout(Duration::from_secs(30), waiter).await;
    let err: RecvError = got.unwrap().unwrap().unwrap_err();
    assert!(err.to_string().contains("closed channel"));
}

#[a::test]
async fn oneshot_receiver_dropped_returns_the_value_to_the_sender() {
    let (tx, rx) = channel::oneshot();
    // The receiver waits, then gives up (its future is dropped).
    assert!(still_pending(rx).await);
    assert!(tx.is_closed());
    let (dropped, flag) = flag();
    let err = tx.send(flag).unwrap_err();
    assert!(!dropped.get(), "the value came back, not dropped");
    drop(err);
    assert!(dropped.get());
}

#[test]
fn oneshot_try_recv_reports_each_state() {
    let (tx, mut rx) = channel::oneshot();
    assert_eq!(rx.try_recv(), Ok(None));
    tx.send(5).unwrap();
    assert_eq!(rx.try_recv(), Ok(Some(5)));
    assert!(rx.try_recv().is_err(), "taken already");
    let (tx, mut rx) = channel::oneshot::<u8>();
    drop(tx);
    assert!(rx.try_recv().is_err());
}

// ---- counter ----------------------------------------------------------

#[a::test]
async fn counter_seed_example_each_send_unblocks_one_recv() {
    let (tx, rx) = channel::counter();
    let got = Rc::new(Cell::new(0));
    let g = got.clone();
    let task = a::spawn(async move {
        rx.recv().await.unwrap();
        g.set(1);
        rx.recv().await.unwrap();
        g.set(2);
    });
    settle().await;
    assert_eq!(got.get(), 0, "blocks until at least one send");
    tx.send();
    wait_for(|| got.get() == 1).await;
    settle().await;
    assert_eq!(got.get(), 1, "the second recv waits for the second send");
    tx.send();
    task.await.unwrap();
    assert_eq!(got.get(), 2);
}

#[a::test]
async fn counter_banks_sends_and_last_takes_them_all() {
    let (tx, rx) = channel::counter();
    tx.send();
    tx.send();
    tx.send();
    assert_eq!(rx.pending(), 3);
    rx.recv().await.unwrap();
    assert_eq!(rx.pending(), 2);
    assert_eq!(rx.last().await, Ok(2));
    assert_eq!(rx.pending(), 0);
    assert!(still_pending(rx.last()).await, "last waits for a send");
    assert!(still_pending(rx.recv()).await, "so does recv");
    tx.send();
    assert_eq!(rx.last().await, Ok(1));
}

#[a::test]
async fn counter_serves_waiting_receivers_in_order() {
    let (tx, rx) = channel::counter();
    let order = Rc::new(RefCell::new(Vec::new()));
    let tasks: Vec<_> = (0..4)
        .map(|i| {
            let (rx, order) = (rx.clone(), order.clone());
            a::spawn(async move {
                rx.recv().await.unwrap();
                order.borrow_mut().push(i);
            })
        })
        .collect();
    a::util::scheduler().await;
    for _ in 0..4 {
        tx.send();
        a::util::scheduler().await;
    }
    a::util::join(tasks).await;
    assert_eq!(*order.borrow(), [0, 1, 2, 3]);
}

#[a::test]
async fn counter_closed_when_every_sender_is_gone() {
    let (tx, rx) = channel::counter();
    let tx2 = tx.clone();
    let waiter = a::spawn({
        let rx = rx.clone();
        async move { rx.recv().await }
    });
    a::util::scheduler().await;
    drop(tx);
    a::util::sleep(1).await;
    assert!(!waiter.is_finished(), "one sender is left");
    tx2.send();
    tx2.send();
    drop(tx2);
    assert_eq!(waiter.await.unwrap(), Ok(()));
    // One notification was sent before the close: it is still delivered.
    assert_eq!(rx.recv().await, Ok(()));
    assert!(rx.recv().await.is_err());
    assert!(rx.last().await.is_err());
}

#[a::test]
async fn counter_notification_handed_to_a_cancelled_receiver_goes_to_the_next() {
    let (tx, rx) = channel::counter();
    let spawn_recv = |rx: channel::counter::Receiver| a::spawn(async move { rx.recv().await });
    let first = spawn_recv(rx.clone());
    let second = spawn_recv(rx.clone());
    a::util::scheduler().await;
    tx.send(); // handed to `first`, which has not run yet...
    first.cancel(); // ...and never will
    assert_eq!(
        a::util::timeout(Duration::from_secs(30), second)
            .await
            .unwrap()
            .unwrap(),
        Ok(())
    );
    assert_eq!(rx.pending(), 0, "delivered once, not twice");
}

// ---- mpsc -------------------------------------------------------------

#[a::test]
async fn mpsc_seed_example_two_producers_one_consumer() {
    let (tx, mut rx) = channel::mpsc();
    for range in [1..=5, 6..=10] {
        let tx = tx.clone();
        a::spawn(async move {
            for i in range {
                tx.send(i).unwrap();
                a::util::sleep(1).await;
            }
        })
        .detach();
    }
    drop(tx);
    let mut got = Vec::new();
    while let Some(v) = rx.recv().await {
        got.push(v);
    }
    // Each producer's values arrive in its order; all arrive once.
    let from = |lo: i32| {
        got.iter()
            .copied()
            .filter(|v| (lo..lo + 5).contains(v))
            .collect::<Vec<_>>()
    };
    assert_eq!(from(1), [1, 2, 3, 4, 5]);
    assert_eq!(from(6), [6, 7, 8, 9, 10]);
    assert_eq!(got.len(), 10);
}

#[a::test]
async fn mpsc_is_fifo_and_carries_falsy_values() {
    let (tx, mut rx) = channel::mpsc();
    let values = [Some(0), None, Some(-1), None];
    for v in values {
        tx.send(v).unwrap();
    }
    for v in values {
        assert_eq!(rx.recv().await, Some(v));
    }
    let (tx, mut rx) = channel::mpsc();
    tx.send(String::new()).unwrap();
    tx.send(false.to_string()).unwrap();
    assert_eq!(rx.recv().await.as_deref(), Some(""));
    assert_eq!(rx.recv().await.as_deref(), Some("false"));
}

#[a::test]
async fn mpsc_recv_waits_then_ends_once_senders_are_gone_and_queue_drained() {
    let (tx, mut rx) = channel::mpsc();
    assert!(still_pending(rx.recv()).await);
    tx.send(1).unwrap();
    tx.send(2).unwrap();
    drop(tx);
    assert_eq!(rx.recv().await, Some(1));
    assert_eq!(rx.recv().await, Some(2));
    assert_eq!(rx.recv().await, None);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

#[a::test]
async fn mpsc_a_waiting_receiver_wakes_when_the_last_sender_drops() {
    let (tx, mut rx) = channel::mpsc::<u8>();
    let waiter = a::spawn(async move { rx.recv().await });
    a::util::scheduler().await;
    drop(tx);
    let got = a::util::timeout(Duration::from_secs(30), waiter).await;
    assert_eq!(got.unwrap().unwrap(), None);
}

#[a::test]
async fn mpsc_last_returns_the_newest_and_discards_the_rest() {
    let (tx, mut rx) = channel::mpsc();
    let (a_dropped, a) = flag();
    let (b_dropped, b) = flag();
    tx.send((1, Some(a))).unwrap();
    tx.send((2, Some(b))).unwrap();
    tx.send((3, None)).unwrap();
    let (n, _) = rx.last().await.unwrap();
    assert_eq!(n, 3);
    assert!(a_dropped.get() && b_dropped.get(), "the rest was discarded");
    assert!(rx.is_empty());
    // With nothing queued, last waits for the next send.
    let waiter = a::spawn(async move { (rx.last().await.map(|v| v.0), rx) });
    a::util::sleep(1).await;
    assert!(!waiter.is_finished());
    tx.send((4, None)).unwrap();
    assert_eq!(waiter.await.unwrap().0, Some(4));
}

#[a::test]
async fn mpsc_dropping_a_waiting_recv_loses_no_value() {
    let (tx, mut rx) = channel::mpsc();
    assert!(still_pending(rx.recv()).await);
    tx.send("kept").unwrap();
    assert_eq!(rx.recv().await, Some("kept"));
    // Dropped after the value arrived but before it was polled again.
    {
        let mut recv = std::pin::pin!(rx.recv());
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        assert!(recv.as_mut().poll(&mut cx).is_pending());
        tx.send("also kept").unwrap();
    }
    assert_eq!(rx.recv().await, Some("also kept"));
}

#[a::test]
async fn mpsc_receiver_is_a_stream() {
    use futures_util::StreamExt;
    let (tx, rx) = channel::mpsc();
    a::spawn(async move {
        for i in 0..5 {
            tx.send(i).unwrap();
            a::util::scheduler().await;
        }
    })
    .detach();
    let doubled: Vec<i32> = rx.map(|v| v * 2).collect().await;
    assert_eq!(doubled, [0, 2, 4, 6, 8]);
}

#[test]
fn mpsc_dropping_the_receiver_drops_queued_values_and_fails_sends() {
    let (tx, rx) = channel::mpsc();
    let (dropped, f) = flag();
    tx.send(f).unwrap();
    drop(rx);
    assert!(dropped.get());
    assert!(tx.is_closed());
    let (dropped2, f2) = flag();
    let err = tx.send(f2).unwrap_err();
    assert!(!dropped2.get());
    drop(err);
    assert!(dropped2.get());
}

#[test]
fn mpsc_values_owning_senders_of_their_own_channel_drop_cleanly() {
    // A queued value holds a sender of the same channel: dropping the
    // receiver must not re-enter the channel while it is borrowed.
    struct Holds(#[allow(dead_code)] mpsc::UnboundedSender<Holds>);
    let (tx, rx) = channel::mpsc();
    tx.send(Holds(tx.clone())).unwrap();
    tx.send(Holds(tx.clone())).unwrap();
    drop(tx);
    drop(rx);
    let (tx, mut rx) = channel::mpsc();
    tx.send(Holds(tx.clone())).unwrap();
    tx.send(Holds(tx.clone())).unwrap();
    assert!(a::block_on(rx.last()).is_some());
}

// ---- bounded mpsc -----------------------------------------------------

#[test]
fn bounded_capacity_zero_is_refused_with_a_message() {
    let err = std::panic::catch_unwind(|| mpsc::bounded::<u8>(0)).unwrap_err();
    assert!(panic_message(err).contains("capacity must be at least 1"));
}

#[a::test]
async fn bounded_send_waits_while_full() {
    let (tx, mut rx) = mpsc::bounded(2);
    let sent = Rc::new(Cell::new(0));
    let s = sent.clone();
    let producer = a::spawn(async move {
        for i in 0..5 {
            tx.send(i).await.unwrap();
            s.set(i + 1);
        }
    });
    settle().await;
    assert_eq!(sent.get(), 2, "the third send waits for room");
    assert_eq!(rx.len(), 2);
    let mut got = Vec::new();
    while let Some(v) = rx.recv().await {
        got.push(v);
        assert!(rx.len() <= 2);
    }
    assert_eq!(got, [0, 1, 2, 3, 4]);
    producer.await.unwrap();
}

#[a::test]
async fn bounded_try_send_fails_fast_when_full_or_closed() {
    let (tx, mut rx) = mpsc::bounded(1);
    tx.try_send(1).unwrap();
    assert!(matches!(tx.try_send(2), Err(TrySendError::Full(2))));
    assert_eq!(rx.recv().await, Some(1));
    tx.try_send(3).unwrap();
    drop(rx);
    assert!(matches!(tx.try_send(4), Err(TrySendError::Closed(4))));
}

#[a::test]
async fn bounded_waiting_senders_are_served_in_order_and_not_overtaken() {
    let (tx, mut rx) = mpsc::bounded(1);
    tx.send(0).await.unwrap();
    let senders: Vec<_> = (1..=3)
        .map(|i| {
            let tx = tx.clone();
            a::spawn(async move { tx.send(i).await.unwrap() })
        })
        .collect();
    a::util::scheduler().await;
    // Room appears only by a receive, and goes to the longest waiter.
    assert!(matches!(tx.try_send(99), Err(TrySendError::Full(99))));
    drop(tx);
    let mut got = Vec::new();
    while let Some(v) = rx.recv().await {
        got.push(v);
    }
    assert_eq!(got, [0, 1, 2, 3]);
    a::util::join(senders).await;
}

#[a::test]
async fn bounded_a_cancelled_send_loses_no_other_senders_value() {
    let (tx, mut rx) = mpsc::bounded(1);
    tx.send("queued").await.unwrap();
    let spawn_send = |v: &'static str| {
        let tx = tx.clone();
        a::spawn(async move { tx.send(v).await })
    };
    let first = spawn_send("first");
    let middle = spawn_send("middle");
    let last = spawn_send("last");
    a::util::scheduler().await;
    middle.cancel();
    drop(tx);
    let mut got = Vec::new();
    while let Some(v) = rx.recv().await {
        got.push(v);
    }
    assert_eq!(got, ["queued", "first", "last"]);
    assert_eq!(first.await.unwrap(), Ok(()));
    assert_eq!(last.await.unwrap(), Ok(()));
}

#[a::test]
async fn bounded_a_send_cancelled_after_it_was_served_still_delivers() {
    // Once the receiver moved the waiting value into the queue, the send
    // happened: cancelling the sender's task afterwards must not undo it.
    let (tx, mut rx) = mpsc::bounded(1);
    tx.send(1).await.unwrap();
    let sender = a::spawn(async move { tx.send(2).await });
    a::util::scheduler().await;
    assert_eq!(rx.try_recv(), Ok(1)); // serves the waiting sender
    sender.cancel();
    assert_eq!(rx.recv().await, Some(2));
    assert_eq!(rx.recv().await, None);
}

#[a::test]
async fn bounded_waiting_senders_get_their_value_back_when_the_receiver_goes() {
    let (tx, rx) = mpsc::bounded(1);
    tx.send(0).await.unwrap();
    let waiting = a::spawn(async move { tx.send(1).await.map_err(|e| e.0) });
    a::util::scheduler().await;
    drop(rx);
    assert_eq!(waiting.await.unwrap(), Err(1));
}

#[a::test]
async fn bounded_close_keeps_queued_values_and_fails_later_sends() {
    let (tx, mut rx) = mpsc::bounded(1);
    tx.send(1).await.unwrap();
    let waiting = a::spawn({
        let tx = tx.clone();
        async move { tx.send(2).await.map_err(|e| e.0) }
    });
    a::util::scheduler().await;
    rx.close();
    assert_eq!(waiting.await.unwrap(), Err(2));
    assert!(tx.send(3).await.is_err());
    assert_eq!(rx.recv().await, Some(1));
    drop(tx);
    assert_eq!(rx.recv().await, None);
}

#[a::test]
async fn bounded_last_takes_waiting_senders_values_too() {
    let (tx, mut rx) = mpsc::bounded(2);
    tx.send(1).await.unwrap();
    tx.send(2).await.unwrap();
    let waiting = a::spawn({
        let tx = tx.clone();
        async move { tx.send(3).await }
    });
    a::util::scheduler().await;
    assert_eq!(rx.last().await, Some(3));
    assert_eq!(waiting.await.unwrap(), Ok(()));
    assert!(rx.is_empty());
    assert_eq!(tx.capacity(), 2);
}

/// Waits (driving the loop) until `cond` holds.
async fn wait_for(cond: impl Fn() -> bool) {
    while !cond() {
        a::util::sleep(1).await;
    }
}

#[test]
fn a_bounded_sender_as_a_sink_waits_in_line_and_gives_the_value_back_when_the_receiver_goes() {
    use futures_util::SinkExt;
    a::block_on(async {
        let (mut tx, mut rx) = a::control::channel::mpsc::bounded(1);
        let other = tx.clone();
        SinkExt::send(&mut tx, 1).await.unwrap(); // the queue is full now
                                                  // Another sender waits first; the sink's value goes in after it.
        let waiting = a::spawn(async move { other.send(2).await });
        a::util::scheduler().await;
        let sink = a::spawn(async move {
            SinkExt::send(&mut tx, 3).await.unwrap();
            tx
        });
        assert_eq!(rx.recv().await, Some(1));
        assert_eq!(rx.recv().await, Some(2));
        assert_eq!(rx.recv().await, Some(3));
        assert_eq!(waiting.await, Ok(Ok(())));
        let mut tx = sink.await.unwrap();
        // Full again, and the receiver goes while the sink waits: the value
        // comes back in the error.
        SinkExt::send(&mut tx, 4).await.unwrap();
        a::spawn(async move {
            a::util::scheduler().await;
            drop(rx);
        })
        .detach();
        let err = SinkExt::send(&mut tx, 5).await.unwrap_err();
        assert_eq!(err.0, 5);
    });
}

#[test]
fn an_unbounded_sender_as_a_sink_fails_with_the_value_once_the_receiver_is_gone() {
    use futures_util::SinkExt;
    a::block_on(async {
        let (mut tx, rx) = a::control::channel::mpsc::unbounded::<u8>();
        SinkExt::send(&mut tx, 1).await.unwrap();
        drop(rx);
        assert_eq!(SinkExt::send(&mut tx, 2).await.unwrap_err().0, 2);
    });
}
