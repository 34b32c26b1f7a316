//! Property tests: random interleavings of sends, receives, acquires,
//! notifications and cancellations (futures dropped while they wait), each
//! checked step by step against a simple model of the primitive.
//!
//! The futures are polled by hand, each with a waker that records whether it
//! was woken. After every step every pending future is polled: it must
//! resolve exactly when the model says it may, and a future that resolves
//! must have been woken (a resolvable future nobody woke is a lost wake-up).
//! At the end, what was received must be exactly what the model says:
//! nothing lost, duplicated or reordered.

use plenary_async::control::channel::{self, mpsc};
use plenary_async::control::{Condvar, Permit, Semaphore};
use proptest::prelude::*;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

/// A future polled by hand, with a waker that records wakes.
struct Slot<'a, T> {
    fut: Pin<Box<dyn Future<Output = T> + 'a>>,
    woken: Arc<Woken>,
    waker: Waker,
}

struct Woken(AtomicBool);

impl Wake for Woken {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

impl<'a, T> Slot<'a, T> {
    fn new(fut: impl Future<Output = T> + 'a) -> Self {
        let woken = Arc::new(Woken(AtomicBool::new(false)));
        Slot {
            fut: Box::pin(fut),
            waker: Waker::from(woken.clone()),
            woken,
        }
    }

    fn poll(&mut self) -> Poll<T> {
        self.woken.0.store(false, Ordering::SeqCst);
        self.fut
            .as_mut()
            .poll(&mut Context::from_waker(&self.waker))
    }

    /// Polls a future that was pending; `may_resolve` is the model's verdict.
    fn poll_again(&mut self, may_resolve: bool) -> Option<T> {
        let woken = self.woken.0.load(Ordering::SeqCst);
        match self.poll() {
            Poll::Ready(v) => {
                assert!(may_resolve, "resolved although the model says it must wait");
                assert!(woken, "resolved without having been woken: a lost wake-up");
                Some(v)
            }
            Poll::Pending => {
                assert!(
                    !may_resolve,
                    "still pending although the model says it is served"
                );
                None
            }
        }
    }
}

/// `Poll(ALL)` polls every pending future; `Poll(i)` polls client `i`'s.
/// Polling is a step of its own so that a future can be served (handed a
/// permit, a notification, a place in the queue) and then cancelled before
/// it runs.
const ALL: usize = usize::MAX;

fn poll_target(n: usize) -> impl Strategy<Value = usize> {
    prop_oneof![1 => Just(ALL), 1 => 0..n]
}

fn cfg() -> ProptestConfig {
    // Fewer cases under valgrind (scripts/valgrind.sh sets PROPTEST_CASES).
    ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(256),
    )
}

// ---- bounded and unbounded mpsc ---------------------------------------

#[derive(Debug, Clone)]
enum ChanOp {
    Send(usize),
    CancelSend(usize),
    Recv,
    Last,
    Poll(usize),
}

fn chan_op(producers: usize) -> impl Strategy<Value = ChanOp> {
    prop_oneof![
        4 => (0..producers).prop_map(ChanOp::Send),
        1 => (0..producers).prop_map(ChanOp::CancelSend),
        3 => Just(ChanOp::Recv),
        1 => Just(ChanOp::Last),
        3 => poll_target(producers).prop_map(ChanOp::Poll),
    ]
}

type Val = (usize, u32);

#[derive(Default)]
struct ChanModel {
    queue: VecDeque<Val>,
    /// Waiting senders with their values, longest first.
    waiters: VecDeque<Val>,
}

impl ChanModel {
    fn serve_one(&mut self) {
        if let Some(v) = self.waiters.pop_front() {
            self.queue.push_back(v);
        }
    }
    fn is_waiting(&self, v: Val) -> bool {
        self.waiters.contains(&v)
    }
}

type PendingSend<'a> = Option<(Val, Slot<'a, Result<(), channel::SendError<Val>>>)>;

fn poll_sends(pending: &mut [PendingSend<'_>], model: &ChanModel, target: usize) {
    for (p, entry) in pending.iter_mut().enumerate() {
        if target != ALL && target != p {
            continue;
        }
        if let Some((v, slot)) = entry {
            let served = !model.is_waiting(*v);
            if let Some(r) = slot.poll_again(served) {
                assert!(r.is_ok());
                *entry = None;
            }
        }
    }
}

fn check_bounded(cap: usize, ops: Vec<ChanOp>) {
    const PRODUCERS: usize = 3;
    let (tx, mut rx) = mpsc::bounded::<Val>(cap);
    let senders: Vec<_> = (0..PRODUCERS).map(|_| tx.clone()).collect();
    drop(tx);
    let mut model = ChanModel::default();
    let mut seq = [0u32; PRODUCERS];
    let mut pending: Vec<PendingSend<'_>> = (0..PRODUCERS).map(|_| None).collect();
    let mut received = Vec::new();
    let mut expected = Vec::new();
    let noop = Waker::noop();

    for op in ops {
        match op {
            ChanOp::Send(p) if pending[p].is_none() => {
                seq[p] += 1;
                let v = (p, seq[p]);
                let mut slot = Slot::new(senders[p].send(v));
                let room = model.waiters.is_empty() && model.queue.len() < cap;
                match slot.poll() {
                    Poll::Ready(r) => {
                        assert!(room, "sent although the queue is full");
                        assert!(r.is_ok());
                        model.queue.push_back(v);
                    }
                    Poll::Pending => {
                        assert!(!room, "waits although there is room");
                        model.waiters.push_back(v);
                        pending[p] = Some((v, slot));
                    }
                }
            }
            ChanOp::Send(_) => {}
            ChanOp::CancelSend(p) => {
                if let Some((v, slot)) = pending[p].take() {
                    drop(slot);
                    // Not yet served: its own value is dropped; if served,
                    // it is already in the queue and stays there.
                    model.waiters.retain(|w| *w != v);
                }
            }
            ChanOp::Recv => {
                let got = rx.poll_recv(&mut Context::from_waker(noop));
                match model.queue.pop_front() {
                    Some(v) => {
                        assert_eq!(got, Poll::Ready(Some(v)));
                        received.push(v);
                        expected.push(v);
                        model.serve_one();
                    }
                    None => assert_eq!(got, Poll::Pending),
                }
            }
            ChanOp::Last => {
                let got = Slot::new(rx.last()).poll();
                if model.queue.is_empty() {
                    assert_eq!(got, Poll::Pending);
                } else {
                    let mut all: Vec<Val> = model.queue.drain(..).collect();
                    all.extend(model.waiters.drain(..));
                    let newest = *all.last().unwrap();
                    assert_eq!(got, Poll::Ready(Some(newest)));
                    received.push(newest);
                    expected.push(newest);
                }
            }
            ChanOp::Poll(target) => poll_sends(&mut pending, &model, target),
        }
        assert_eq!(rx.len(), model.queue.len());
    }
    poll_sends(&mut pending, &model, ALL);
    // Give up every waiting send, drop the senders, drain the rest.
    drop(pending);
    drop(senders);
    expected.extend(model.queue.drain(..));
    while let Ok(v) = rx.try_recv() {
        received.push(v);
    }
    assert_eq!(received, expected, "lost, duplicated or reordered");
    assert_eq!(rx.try_recv(), Err(channel::TryRecvError::Closed));
    // Each producer's values arrive in the order it sent them.
    for p in 0..PRODUCERS {
        let mine: Vec<u32> = received.iter().filter(|v| v.0 == p).map(|v| v.1).collect();
        assert!(
            mine.windows(2).all(|w| w[0] < w[1]),
            "producer {p}: {mine:?}"
        );
    }
}

#[derive(Debug, Clone)]
enum UnboundedOp {
    Send(usize),
    DropSender(usize),
    Recv,
    StartRecvThenDrop,
    Last,
}

fn check_unbounded(ops: Vec<UnboundedOp>) {
    const PRODUCERS: usize = 3;
    let (tx, mut rx) = channel::mpsc::<Val>();
    let mut senders: Vec<Option<mpsc::UnboundedSender<Val>>> =
        (0..PRODUCERS).map(|_| Some(tx.clone())).collect();
    drop(tx);
    let mut model: VecDeque<Val> = VecDeque::new();
    let mut seq = 0;
    let rx_woken = Arc::new(Woken(AtomicBool::new(false)));
    let rx_waker = Waker::from(rx_woken.clone());
    let mut rx_waited = false;
    for op in ops {
        match op {
            UnboundedOp::Send(p) => {
                if let Some(tx) = &senders[p] {
                    seq += 1;
                    tx.send((p, seq)).unwrap();
                    model.push_back((p, seq));
                }
            }
            UnboundedOp::DropSender(p) => senders[p] = None,
            UnboundedOp::Recv => {
                // Polled with one waker throughout, like a task that keeps
                // waiting: once it waited, a value must come with a wake.
                let woken = rx_woken.0.swap(false, Ordering::SeqCst);
                let got = rx.poll_recv(&mut Context::from_waker(&rx_waker));
                if rx_waited && got.is_ready() {
                    assert!(woken, "the waiting receiver was not woken");
                }
                rx_waited = got.is_pending();
                let closed = senders.iter().all(Option::is_none);
                match model.pop_front() {
                    Some(v) => assert_eq!(got, Poll::Ready(Some(v))),
                    None if closed => assert_eq!(got, Poll::Ready(None)),
                    None => assert_eq!(got, Poll::Pending),
                }
            }
            UnboundedOp::StartRecvThenDrop => {
                rx_waited = false; // another waker replaces ours
                                   // A recv that waits and is dropped (a cancelled task).
                let mut slot = Slot::new(rx.recv());
                if model.is_empty() && senders.iter().any(Option::is_some) {
                    assert!(slot.poll().is_pending());
                }
            }
            UnboundedOp::Last => {
                rx_waited = false; // another waker replaces ours
                let got = Slot::new(rx.last()).poll();
                let closed = senders.iter().all(Option::is_none);
                match model.drain(..).next_back() {
                    Some(v) => assert_eq!(got, Poll::Ready(Some(v))),
                    None if closed => assert_eq!(got, Poll::Ready(None)),
                    None => assert_eq!(got, Poll::Pending),
                }
            }
        }
        assert_eq!(rx.len(), model.len());
    }
    senders.clear();
    let rest: Vec<Val> = std::iter::from_fn(|| rx.try_recv().ok()).collect();
    assert_eq!(rest, Vec::from(model));
}

// ---- Semaphore --------------------------------------------------------

#[derive(Debug, Clone)]
enum SemOp {
    Acquire(usize),
    Cancel(usize),
    Release(usize),
    Poll(usize),
}

const CLIENTS: usize = 6;

fn sem_op() -> impl Strategy<Value = SemOp> {
    prop_oneof![
        3 => (0..CLIENTS).prop_map(SemOp::Acquire),
        1 => (0..CLIENTS).prop_map(SemOp::Cancel),
        2 => (0..CLIENTS).prop_map(SemOp::Release),
        2 => poll_target(CLIENTS).prop_map(SemOp::Poll),
    ]
}

enum Client<'a, P> {
    Idle,
    Waiting(Slot<'a, P>),
    Holding(P),
}

fn check_semaphore(total: usize, ops: Vec<SemOp>) {
    let sem = Semaphore::new(total);
    let mut clients: Vec<Client<'_, Permit>> = (0..CLIENTS).map(|_| Client::Idle).collect();
    // Model: free permits, the FIFO queue, and who was handed a permit
    // but has not run yet.
    let mut free = total;
    let mut queue: VecDeque<usize> = VecDeque::new();
    let mut handed: Vec<usize> = Vec::new();
    let give_back =
        |free: &mut usize, queue: &mut VecDeque<usize>, handed: &mut Vec<usize>| match queue
            .pop_front()
        {
            Some(next) => handed.push(next),
            None => *free += 1,
        };
    for op in ops {
        match op {
            SemOp::Acquire(i) if matches!(clients[i], Client::Idle) => {
                let mut slot = Slot::new(sem.acquire());
                match slot.poll() {
                    Poll::Ready(p) => {
                        assert!(
                            queue.is_empty() && free > 0,
                            "overtook a waiter or overdrew"
                        );
                        free -= 1;
                        clients[i] = Client::Holding(p);
                    }
                    Poll::Pending => {
                        assert!(!queue.is_empty() || free == 0, "waits although free");
                        queue.push_back(i);
                        clients[i] = Client::Waiting(slot);
                    }
                }
            }
            SemOp::Cancel(i) if matches!(clients[i], Client::Waiting(_)) => {
                clients[i] = Client::Idle;
                if let Some(pos) = queue.iter().position(|&q| q == i) {
                    queue.remove(pos);
                } else {
                    handed.retain(|&h| h != i);
                    give_back(&mut free, &mut queue, &mut handed);
                }
            }
            SemOp::Release(i) if matches!(clients[i], Client::Holding(_)) => {
                if let Client::Holding(p) = std::mem::replace(&mut clients[i], Client::Idle) {
                    p.release();
                }
                give_back(&mut free, &mut queue, &mut handed);
            }
            SemOp::Poll(target) => poll_acquires(&mut clients, &mut handed, target),
            _ => {}
        }
        let holding = clients
            .iter()
            .filter(|c| matches!(c, Client::Holding(_)))
            .count();
        assert_eq!(sem.available_permits(), free);
        assert_eq!(sem.waiting(), queue.len());
        assert_eq!(
            holding + handed.len() + free,
            total,
            "a permit was lost or made up"
        );
    }
    poll_acquires(&mut clients, &mut handed, ALL);
    assert!(handed.is_empty());
    clients.clear();
    assert_eq!(sem.available_permits(), total);
}

fn poll_acquires(clients: &mut [Client<'_, Permit>], handed: &mut Vec<usize>, target: usize) {
    for (i, client) in clients.iter_mut().enumerate() {
        if target != ALL && target != i {
            continue;
        }
        if let Client::Waiting(slot) = client {
            if let Some(p) = slot.poll_again(handed.contains(&i)) {
                handed.retain(|&h| h != i);
                *client = Client::Holding(p);
            }
        }
    }
}

// ---- Condvar ----------------------------------------------------------

#[derive(Debug, Clone)]
enum CvOp {
    Wait(usize),
    Cancel(usize),
    NotifyOne,
    NotifyAll,
    Poll(usize),
}

fn cv_op() -> impl Strategy<Value = CvOp> {
    prop_oneof![
        4 => (0..CLIENTS).prop_map(CvOp::Wait),
        1 => (0..CLIENTS).prop_map(CvOp::Cancel),
        2 => Just(CvOp::NotifyOne),
        1 => Just(CvOp::NotifyAll),
        2 => poll_target(CLIENTS).prop_map(CvOp::Poll),
    ]
}

fn check_condvar(ops: Vec<CvOp>) {
    let cv = Condvar::new();
    let mut waits: Vec<Option<Slot<'_, ()>>> = (0..CLIENTS).map(|_| None).collect();
    let mut queue: VecDeque<usize> = VecDeque::new();
    // Notified but not yet run, and whether by notify_one (passed on if
    // cancelled) or by notify_all (not).
    let mut by_one: Vec<usize> = Vec::new();
    let mut by_all: Vec<usize> = Vec::new();
    let mut woken_count = 0usize;
    let mut notified_count = 0usize;
    for op in ops {
        match op {
            CvOp::Wait(i) if waits[i].is_none() => {
                let mut slot = Slot::new(cv.wait());
                assert!(slot.poll().is_pending(), "a notification was stored");
                queue.push_back(i);
                waits[i] = Some(slot);
            }
            CvOp::Cancel(i) if waits[i].is_some() => {
                waits[i] = None;
                if let Some(pos) = queue.iter().position(|&q| q == i) {
                    queue.remove(pos);
                } else if let Some(pos) = by_one.iter().position(|&q| q == i) {
                    by_one.remove(pos);
                    notified_count -= 1;
                    if let Some(next) = queue.pop_front() {
                        by_one.push(next);
                        notified_count += 1;
                    }
                } else {
                    by_all.retain(|&q| q != i);
                    notified_count -= 1;
                }
            }
            CvOp::NotifyOne => {
                assert_eq!(cv.notify_one(), !queue.is_empty());
                if let Some(i) = queue.pop_front() {
                    by_one.push(i);
                    notified_count += 1;
                }
            }
            CvOp::NotifyAll => {
                assert_eq!(cv.notify_all(), queue.len());
                notified_count += queue.len();
                by_all.extend(queue.drain(..));
            }
            CvOp::Poll(target) => {
                for (i, entry) in waits.iter_mut().enumerate() {
                    if target != ALL && target != i {
                        continue;
                    }
                    if let Some(slot) = entry {
                        let notified = by_one.contains(&i) || by_all.contains(&i);
                        if slot.poll_again(notified).is_some() {
                            by_one.retain(|&q| q != i);
                            by_all.retain(|&q| q != i);
                            woken_count += 1;
                            *entry = None;
                        }
                    }
                }
            }
            _ => {}
        }
        assert_eq!(cv.waiting(), queue.len());
        // Every notification is accounted for: run, or still on its way.
        assert_eq!(
            woken_count + by_one.len() + by_all.len(),
            notified_count,
            "a notification was lost or doubled"
        );
    }
}

// ---- counter ----------------------------------------------------------

#[derive(Debug, Clone)]
enum CounterOp {
    Send,
    Recv(usize),
    Last(usize),
    Cancel(usize),
    Poll(usize),
}

fn counter_op() -> impl Strategy<Value = CounterOp> {
    prop_oneof![
        3 => Just(CounterOp::Send),
        3 => (0..CLIENTS).prop_map(CounterOp::Recv),
        1 => (0..CLIENTS).prop_map(CounterOp::Last),
        1 => (0..CLIENTS).prop_map(CounterOp::Cancel),
        2 => poll_target(CLIENTS).prop_map(CounterOp::Poll),
    ]
}

fn check_counter(ops: Vec<CounterOp>) {
    let (tx, rx) = channel::counter();
    type Out = Result<usize, channel::RecvError>;
    let mut waits: Vec<Option<(bool, Slot<'_, Out>)>> = (0..CLIENTS).map(|_| None).collect();
    let mut count = 0usize;
    let mut queue: VecDeque<usize> = VecDeque::new();
    let mut handed: Vec<usize> = Vec::new();
    let (mut sent, mut consumed) = (0usize, 0usize);
    let send = |count: &mut usize, queue: &mut VecDeque<usize>, handed: &mut Vec<usize>| match queue
        .pop_front()
    {
        Some(i) => handed.push(i),
        None => *count += 1,
    };
    for op in ops {
        match op {
            CounterOp::Send => {
                tx.send();
                sent += 1;
                send(&mut count, &mut queue, &mut handed);
            }
            CounterOp::Recv(i) | CounterOp::Last(i) if waits[i].is_none() => {
                let is_last = matches!(op, CounterOp::Last(_));
                let mut slot: Slot<'_, Out> = if is_last {
                    Slot::new(rx.last())
                } else {
                    Slot::new(async { rx.recv().await.map(|()| 1) })
                };
                match slot.poll() {
                    Poll::Ready(n) => {
                        assert!(count > 0);
                        let n = n.unwrap();
                        assert_eq!(n, if is_last { count } else { 1 });
                        count -= n;
                        consumed += n;
                    }
                    Poll::Pending => {
                        assert_eq!(count, 0, "waits although a notification is pending");
                        queue.push_back(i);
                        waits[i] = Some((is_last, slot));
                    }
                }
            }
            CounterOp::Cancel(i) if waits[i].is_some() => {
                waits[i] = None;
                if let Some(pos) = queue.iter().position(|&q| q == i) {
                    queue.remove(pos);
                } else {
                    handed.retain(|&h| h != i);
                    send(&mut count, &mut queue, &mut handed);
                }
            }
            CounterOp::Poll(target) => {
                for (i, entry) in waits.iter_mut().enumerate() {
                    if target != ALL && target != i {
                        continue;
                    }
                    if let Some((is_last, slot)) = entry {
                        if let Some(n) = slot.poll_again(handed.contains(&i)) {
                            handed.retain(|&h| h != i);
                            let n = n.unwrap();
                            let want = if *is_last {
                                1 + std::mem::take(&mut count)
                            } else {
                                1
                            };
                            assert_eq!(n, want);
                            consumed += n;
                            *entry = None;
                        }
                    }
                }
            }
            _ => {}
        }
        assert_eq!(rx.pending(), count);
        assert_eq!(
            sent,
            consumed + count + handed.len(),
            "a notification was lost or doubled"
        );
    }
}

proptest! {
    #![proptest_config(cfg())]

    #[test]
    fn bounded_mpsc_matches_its_model(
        cap in 1usize..4,
        ops in proptest::collection::vec(chan_op(3), 0..80),
    ) {
        check_bounded(cap, ops);
    }

    #[test]
    fn unbounded_mpsc_matches_its_model(
        ops in proptest::collection::vec(prop_oneof![
            5 => (0..3usize).prop_map(UnboundedOp::Send),
            1 => (0..3usize).prop_map(UnboundedOp::DropSender),
            4 => Just(UnboundedOp::Recv),
            1 => Just(UnboundedOp::StartRecvThenDrop),
            1 => Just(UnboundedOp::Last),
        ], 0..80),
    ) {
        check_unbounded(ops);
    }

    #[test]
    fn semaphore_matches_its_model(
        total in 0usize..4,
        ops in proptest::collection::vec(sem_op(), 0..80),
    ) {
        check_semaphore(total, ops);
    }

    #[test]
    fn condvar_matches_its_model(ops in proptest::collection::vec(cv_op(), 0..80)) {
        check_condvar(ops);
    }

    #[test]
    fn counter_matches_its_model(ops in proptest::collection::vec(counter_op(), 0..80)) {
        check_counter(ops);
    }
}

#[test]
fn oneshot_every_order_of_send_drop_and_receive() {
    // Sender: send or drop; receiver: wait first or not, and dropped or not.
    for send in [true, false] {
        for wait_first in [true, false] {
            for drop_rx in [true, false] {
                let (tx, rx) = channel::oneshot::<u32>();
                let mut slot = Slot::new(rx);
                if wait_first {
                    assert!(slot.poll().is_pending());
                }
                if drop_rx {
                    drop(slot);
                    if send {
                        assert!(tx.send(1).is_err(), "a send to a dropped receiver fails");
                    }
                    continue;
                }
                if send {
                    tx.send(1).unwrap();
                } else {
                    drop(tx);
                }
                let got = if wait_first {
                    slot.poll_again(true).unwrap()
                } else {
                    match slot.poll() {
                        Poll::Ready(v) => v,
                        Poll::Pending => panic!("pending after send or drop"),
                    }
                };
                assert_eq!(got.is_ok(), send);
            }
        }
    }
}
