//! `mpsc`: many senders, one receiver, a FIFO queue of values.
//!
//! [`unbounded`] is plenary's `a.control.channel.mpsc()` (also reachable as
//! [`channel::mpsc()`](super::mpsc())): sending never waits. [`bounded`]
//! adds backpressure, which plenary lacks: a full queue makes
//! [`BoundedSender::send`] wait until the receiver takes a value.
//!
//! ```
//! use plenary_async as a;
//!
//! a::block_on(async {
//!     let (tx, mut rx) = a::control::channel::mpsc::bounded(2);
//!     let producer = a::spawn(async move {
//!         for i in 0..5 {
//!             tx.send(i).await.unwrap(); // waits while 2 values are queued
//!         }
//!     });
//!     let mut got = Vec::new();
//!     while let Some(v) = rx.recv().await {
//!         got.push(v);
//!     }
//!     assert_eq!(got, [0, 1, 2, 3, 4]);
//!     producer.await.unwrap();
//! });
//! ```
//!
//! The receiver is also a [`Stream`](futures_core::Stream), ending when
//! every sender is gone and the queue is empty.
//!
//! Values are received in the order they were sent. Senders waiting on a
//! full bounded queue are served in the order they started waiting, and a
//! waiting sender's value goes into the queue the moment room is made, so a
//! later sender cannot overtake it.

use super::{SendError, TryRecvError, TrySendError};
use crate::control::waiters::{Key, WaitList};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

struct ChannelState<T> {
    queue: VecDeque<T>,
    /// `usize::MAX` for an unbounded channel.
    cap: usize,
    senders: usize,
    /// The receiver was dropped or closed: sends fail.
    closed: bool,
    /// Bounded senders waiting for room, each holding its value.
    send_waiters: WaitList<T>,
}

struct Chan<T> {
    state: RefCell<ChannelState<T>>,
    /// The receiver's waker, kept between waits so that a receiver that waits
    /// again in the same task does not clone it again; `rx_waiting` says
    /// whether the receiver wants a wake now.
    rx_waker: Cell<Option<Waker>>,
    rx_waiting: Cell<bool>,
}

impl<T> Chan<T> {
    fn new(cap: usize) -> Rc<Self> {
        Rc::new(Chan {
            state: RefCell::new(ChannelState {
                queue: VecDeque::new(),
                cap,
                senders: 1,
                closed: false,
                send_waiters: WaitList::new(),
            }),
            rx_waker: Cell::new(None),
            rx_waiting: Cell::new(false),
        })
    }

    /// Wakes the receiver if it waits. Called with no borrow held.
    fn wake_rx(&self) {
        if self.rx_waiting.replace(false) {
            if let Some(w) = self.rx_waker.take() {
                w.wake_by_ref();
                // Keep it for the next wait, unless a new one was registered
                // meanwhile.
                let newer = self.rx_waker.take();
                self.rx_waker.set(newer.or(Some(w)));
            }
        }
    }

    /// Queues `value` if there is room and nobody waits before us.
    fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        {
            let mut s = self.state.borrow_mut();
            if s.closed {
                return Err(TrySendError::Closed(value));
            }
            if s.queue.len() >= s.cap || !s.send_waiters.is_empty() {
                return Err(TrySendError::Full(value));
            }
            s.queue.push_back(value);
        }
        self.wake_rx();
        Ok(())
    }

    /// One poll of a send that may wait: the value (in `value` until it is
    /// queued or handed to a waiter slot) and its place in line (`key`).
    /// `SendFuture` and a bounded sender's `Sink` both drive a send with it.
    fn poll_send(
        &self,
        value: &mut Option<T>,
        key: &mut Option<Key>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), SendError<T>>> {
        let Some(k) = *key else {
            let v = value.take().expect("mpsc: a send polled after completion");
            return match self.try_send(v) {
                Ok(()) => Poll::Ready(Ok(())),
                Err(TrySendError::Closed(v)) => Poll::Ready(Err(SendError(v))),
                Err(TrySendError::Full(v)) => {
                    let mut s = self.state.borrow_mut();
                    *key = Some(s.send_waiters.push_back(cx.waker().clone(), Some(v)));
                    Poll::Pending
                }
            };
        };
        let mut s = self.state.borrow_mut();
        if !s.send_waiters.is_linked(k) {
            // Served: the receiver moved our value into the queue.
            s.send_waiters.remove(k);
            *key = None;
            Poll::Ready(Ok(()))
        } else if s.closed {
            let (_, v) = s.send_waiters.remove(k);
            *key = None;
            Poll::Ready(Err(SendError(v.expect("a waiting sender holds its value"))))
        } else {
            s.send_waiters.set_waker(k, cx.waker());
            Poll::Pending
        }
    }

    /// Gives up a waiting send's place in line (its value is dropped after
    /// the borrow ends).
    fn forget_send(&self, key: Option<Key>) {
        if let Some(k) = key {
            let (_, _value) = self.state.borrow_mut().send_waiters.remove(k);
        }
    }

    fn add_sender(self: &Rc<Self>) -> Rc<Self> {
        self.state.borrow_mut().senders += 1;
        self.clone()
    }

    fn drop_sender(&self) {
        let last = {
            let mut s = self.state.borrow_mut();
            s.senders -= 1;
            s.senders == 0
        };
        if last {
            self.wake_rx();
        }
    }

    fn is_closed(&self) -> bool {
        self.state.borrow().closed
    }
}

/// Creates an unbounded channel (plenary's `channel.mpsc()`): [`UnboundedSender`]s
/// never wait.
///
/// ```
/// use plenary_async as a;
///
/// let (tx, mut rx) = a::control::channel::mpsc::unbounded();
/// tx.send("a").unwrap();
/// tx.send("").unwrap(); // empty values are values
/// drop(tx);
/// a::block_on(async move {
///     assert_eq!(rx.recv().await, Some("a"));
///     assert_eq!(rx.recv().await, Some(""));
///     assert_eq!(rx.recv().await, None); // every sender gone, queue drained
/// });
/// ```
#[doc(alias = "unbounded_channel")]
pub fn unbounded<T>() -> (UnboundedSender<T>, Receiver<T>) {
    let chan = Chan::new(usize::MAX);
    (UnboundedSender { chan: chan.clone() }, Receiver { chan })
}

/// Creates a channel that holds at most `capacity` values:
/// [`BoundedSender::send`] waits while it is full.
///
/// # Panics
///
/// If `capacity` is 0 (a queue that can hold nothing could never deliver).
///
/// ```
/// use plenary_async::control::channel::mpsc;
///
/// let (tx, mut rx) = mpsc::bounded(1);
/// tx.try_send(1).unwrap();
/// assert!(tx.try_send(2).is_err()); // full
/// assert_eq!(rx.try_recv(), Ok(1));
/// tx.try_send(2).unwrap(); // room again
/// ```
#[track_caller]
#[doc(alias = "channel")]
pub fn bounded<T>(capacity: usize) -> (BoundedSender<T>, Receiver<T>) {
    assert!(
        capacity > 0,
        "mpsc::bounded: capacity must be at least 1, got 0"
    );
    let chan = Chan::new(capacity);
    (BoundedSender::new(chan.clone()), Receiver { chan })
}

/// A sender of an [`unbounded`] channel. Clone it for more producers.
///
/// ```
/// let (tx, mut rx) = plenary_async::control::channel::mpsc();
/// let tx2 = tx.clone();
/// tx.send(1).unwrap();
/// tx2.send(2).unwrap();
/// assert_eq!((rx.try_recv(), rx.try_recv()), (Ok(1), Ok(2)));
/// ```
pub struct UnboundedSender<T> {
    chan: Rc<Chan<T>>,
}

impl<T> UnboundedSender<T> {
    /// Queues `value` and wakes the receiver. Not async: it never waits.
    /// Returns the value back as `Err(SendError(value))` if the receiver was
    /// dropped or closed.
    ///
    /// ```
    /// let (tx, rx) = plenary_async::control::channel::mpsc();
    /// assert!(tx.send(1).is_ok());
    /// drop(rx);
    /// assert_eq!(tx.send(2).unwrap_err().0, 2);
    /// ```
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        self.chan
            .try_send(value)
            .map_err(|e| SendError(e.into_inner()))
    }

    /// Whether the receiver was dropped or closed, so that sends fail.
    ///
    /// ```
    /// let (tx, rx) = plenary_async::control::channel::mpsc::<u8>();
    /// assert!(!tx.is_closed());
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.chan.is_closed()
    }
}

impl<T> Clone for UnboundedSender<T> {
    fn clone(&self) -> Self {
        UnboundedSender {
            chan: self.chan.add_sender(),
        }
    }
}

impl<T> Drop for UnboundedSender<T> {
    fn drop(&mut self) {
        self.chan.drop_sender();
    }
}

impl<T> fmt::Debug for UnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("mpsc::UnboundedSender")
            .field("closed", &self.is_closed())
            .finish()
    }
}

/// A sender of a [`bounded`] channel. Clone it for more producers.
///
/// ```
/// use plenary_async as a;
///
/// let (tx, mut rx) = a::control::channel::mpsc::bounded(8);
/// a::block_on(async move {
///     tx.send(1).await.unwrap();
///     assert_eq!(rx.recv().await, Some(1));
/// });
/// ```
#[doc(alias = "Sender")]
pub struct BoundedSender<T> {
    chan: Rc<Chan<T>>,
    /// The `Sink`'s send in progress: its value and its place in line.
    sink_value: Option<T>,
    sink_key: Option<Key>,
}

// (`BoundedSender` never pins its fields.)
impl<T> Unpin for BoundedSender<T> {}

impl<T> BoundedSender<T> {
    fn new(chan: Rc<Chan<T>>) -> BoundedSender<T> {
        BoundedSender {
            chan,
            sink_value: None,
            sink_key: None,
        }
    }

    /// Queues `value`, waiting while the queue is full. Resolves to
    /// `Err(SendError(value))` if the receiver is dropped or closed first.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future while it waits drops
    /// its own value (never sent) and nothing else: no other sender's value
    /// is lost and the order of the others is kept. Once the future has
    /// resolved, the value is in the queue.
    ///
    /// ```
    /// use plenary_async as a;
    /// use std::time::Duration;
    ///
    /// let (tx, mut rx) = a::control::channel::mpsc::bounded(1);
    /// a::block_on(async move {
    ///     tx.send(1).await.unwrap();
    ///     // Full: this send waits, and gives up after 5 ms.
    ///     let gave_up = a::util::timeout(Duration::from_millis(5), tx.send(2)).await;
    ///     assert!(gave_up.is_err());
    ///     assert_eq!(rx.try_recv(), Ok(1));
    ///     assert!(rx.try_recv().is_err()); // 2 was never sent
    /// });
    /// ```
    pub fn send(&self, value: T) -> SendFuture<'_, T> {
        SendFuture {
            chan: &self.chan,
            value: Some(value),
            key: None,
        }
    }

    /// Queues `value` if there is room now; otherwise gives it back in
    /// [`TrySendError::Full`] (or [`TrySendError::Closed`]). A sender never
    /// overtakes senders already waiting, so it reports `Full` while any
    /// wait.
    ///
    /// ```
    /// use plenary_async::control::channel::{mpsc, TrySendError};
    ///
    /// let (tx, _rx) = mpsc::bounded(1);
    /// assert!(tx.try_send('a').is_ok());
    /// assert!(matches!(tx.try_send('b'), Err(TrySendError::Full('b'))));
    /// ```
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        self.chan.try_send(value)
    }

    /// The most values the queue holds.
    ///
    /// ```
    /// let (tx, _rx) = plenary_async::control::channel::mpsc::bounded::<u8>(4);
    /// assert_eq!(tx.capacity(), 4);
    /// ```
    pub fn capacity(&self) -> usize {
        self.chan.state.borrow().cap
    }

    /// Whether the receiver was dropped or closed, so that sends fail.
    ///
    /// ```
    /// let (tx, rx) = plenary_async::control::channel::mpsc::bounded::<u8>(1);
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.chan.is_closed()
    }
}

impl<T> Clone for BoundedSender<T> {
    fn clone(&self) -> Self {
        BoundedSender::new(self.chan.add_sender())
    }
}

impl<T> Drop for BoundedSender<T> {
    fn drop(&mut self) {
        // (A value the Sink had not queued yet is dropped with it.)
        self.chan.forget_send(self.sink_key.take());
        self.chan.drop_sender();
    }
}

/// A [`Sink`](futures_sink::Sink) of values, for `SinkExt::send` and
/// `StreamExt::forward`: `start_send` queues at once (the channel never
/// waits there), and fails with the value back once the receiver is gone.
/// `poll_close` does nothing: the channel closes when the last sender is
/// dropped.
///
/// ```
/// use futures_util::{SinkExt, StreamExt};
/// use plenary_async as a;
///
/// let (mut tx, rx) = a::control::channel::mpsc();
/// a::block_on(async move {
///     tx.send_all(&mut futures_util::stream::iter([1, 2, 3]).map(Ok)).await.unwrap();
///     drop(tx);
///     assert_eq!(rx.collect::<Vec<_>>().await, [1, 2, 3]);
/// });
/// ```
impl<T> futures_sink::Sink<T> for UnboundedSender<T> {
    type Error = SendError<T>;

    fn poll_ready(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn start_send(self: Pin<&mut Self>, item: T) -> Result<(), Self::Error> {
        self.send(item)
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }
}

/// A [`Sink`](futures_sink::Sink) of values that waits for room:
/// `poll_ready` (and `poll_flush`) wait until the value of the previous
/// `start_send` is in the queue, in line with the other senders; a value
/// the receiver will never take comes back as `Err(SendError(value))`.
/// `poll_close` flushes; the channel closes when the last sender is
/// dropped.
///
/// # Cancel safety
///
/// As for [`send`](BoundedSender::send): a value handed to `start_send`
/// is queued, or it is dropped with the sender.
///
/// ```
/// use futures_util::{SinkExt, StreamExt};
/// use plenary_async as a;
///
/// let (mut tx, mut rx) = a::control::channel::mpsc::bounded(1);
/// a::block_on(async move {
///     a::spawn(async move {
///         for i in 0..4 {
///             tx.send(i).await.unwrap(); // SinkExt::send: waits for room
///         }
///     })
///     .detach();
///     let mut got = Vec::new();
///     while let Some(v) = rx.next().await {
///         got.push(v);
///     }
///     assert_eq!(got, [0, 1, 2, 3]);
/// });
/// ```
impl<T> futures_sink::Sink<T> for BoundedSender<T> {
    type Error = SendError<T>;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.poll_flush(cx)
    }

    fn start_send(self: Pin<&mut Self>, item: T) -> Result<(), Self::Error> {
        let this = self.get_mut();
        assert!(
            this.sink_value.is_none() && this.sink_key.is_none(),
            "mpsc::BoundedSender: start_send without poll_ready"
        );
        this.sink_value = Some(item);
        Ok(())
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        let this = self.get_mut();
        if this.sink_value.is_none() && this.sink_key.is_none() {
            return Poll::Ready(Ok(()));
        }
        this.chan
            .poll_send(&mut this.sink_value, &mut this.sink_key, cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.poll_flush(cx)
    }
}

impl<T> fmt::Debug for BoundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("mpsc::BoundedSender")
            .field("capacity", &self.capacity())
            .field("closed", &self.is_closed())
            .finish()
    }
}

/// The future of [`BoundedSender::send`].
///
/// ```
/// let (tx, _rx) = plenary_async::control::channel::mpsc::bounded(1);
/// let send: plenary_async::control::channel::mpsc::SendFuture<'_, u8> = tx.send(1);
/// assert!(plenary_async::block_on(send).is_ok());
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct SendFuture<'a, T> {
    chan: &'a Rc<Chan<T>>,
    value: Option<T>,
    key: Option<Key>,
}

// `SendFuture` never pins its fields (the value moves into the queue).
impl<T> Unpin for SendFuture<'_, T> {}

impl<T> Future for SendFuture<'_, T> {
    type Output = Result<(), SendError<T>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        this.chan.poll_send(&mut this.value, &mut this.key, cx)
    }
}

/// Terminated once it resolved (polling it again panics).
///
/// ```
/// use futures_core::future::FusedFuture;
/// let (tx, _rx) = plenary_async::control::channel::mpsc::bounded(1);
/// let mut send = tx.send(1);
/// assert!(!send.is_terminated());
/// assert!(plenary_async::block_on(&mut send).is_ok());
/// assert!(send.is_terminated());
/// ```
impl<T> futures_core::future::FusedFuture for SendFuture<'_, T> {
    fn is_terminated(&self) -> bool {
        self.value.is_none() && self.key.is_none()
    }
}

impl<T> Drop for SendFuture<'_, T> {
    fn drop(&mut self) {
        self.chan.forget_send(self.key.take());
    }
}

impl<T> fmt::Debug for SendFuture<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("mpsc::SendFuture")
            .field("waiting", &self.key.is_some())
            .finish()
    }
}

/// The receiving half of an [`unbounded`] or [`bounded`] channel. There is
/// one receiver; its methods take `&mut self`, so one `recv` waits at a time.
///
/// Dropping the receiver closes the channel: queued values are dropped,
/// later sends fail and return their value, waiting senders wake with
/// their value returned.
///
/// ```
/// use plenary_async as a;
/// use futures_util::StreamExt;
///
/// let (tx, rx) = a::control::channel::mpsc();
/// (1..=3).for_each(|i| tx.send(i).unwrap());
/// drop(tx);
/// let all: Vec<i32> = a::block_on(rx.collect()); // a Stream
/// assert_eq!(all, [1, 2, 3]);
/// ```
pub struct Receiver<T> {
    chan: Rc<Chan<T>>,
}

impl<T> Receiver<T> {
    /// Waits for the next value; `None` once every sender is gone and the
    /// queue is empty.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future while it waits loses no
    /// value: a value arriving meanwhile stays in the queue for the next
    /// call.
    ///
    /// ```
    /// use plenary_async as a;
    ///
    /// let (tx, mut rx) = a::control::channel::mpsc();
    /// a::block_on(async move {
    ///     a::spawn(async move { tx.send(false).unwrap() }).detach(); // falsy values too
    ///     assert_eq!(rx.recv().await, Some(false));
    ///     assert_eq!(rx.recv().await, None);
    /// });
    /// ```
    pub fn recv(&mut self) -> Recv<'_, T> {
        Recv { rx: self }
    }

    /// Waits until at least one value is queued, then returns the most
    /// recently sent one and discards the rest (for a bounded channel, the
    /// values of waiting senders count as sent: they are taken too). `None`
    /// once every sender is gone and the queue is empty.
    ///
    /// # Cancel safety
    ///
    /// As for [`recv`](Self::recv): values are only
    /// taken when the future resolves.
    ///
    /// ```
    /// use plenary_async as a;
    ///
    /// let (tx, mut rx) = a::control::channel::mpsc();
    /// for i in 1..=3 {
    ///     tx.send(i).unwrap();
    /// }
    /// assert_eq!(a::block_on(rx.last()), Some(3));
    /// assert!(rx.is_empty());
    /// ```
    pub fn last(&mut self) -> Last<'_, T> {
        Last { rx: self }
    }

    /// Polls for the next value: the building block of [`recv`](Self::recv)
    /// and of the [`Stream`](futures_core::Stream) implementation.
    ///
    /// ```
    /// use std::task::{Context, Poll, Waker};
    ///
    /// let (tx, mut rx) = plenary_async::control::channel::mpsc();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert_eq!(rx.poll_recv(&mut cx), Poll::Pending);
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.poll_recv(&mut cx), Poll::Ready(Some(1)));
    /// ```
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        match self.try_recv() {
            Ok(v) => Poll::Ready(Some(v)),
            Err(TryRecvError::Closed) => Poll::Ready(None),
            Err(TryRecvError::Empty) => {
                self.register(cx.waker());
                Poll::Pending
            }
        }
    }

    fn register(&self, waker: &Waker) {
        let chan = &self.chan;
        let w = chan.rx_waker.take();
        chan.rx_waker.set(match w {
            Some(w) if w.will_wake(waker) => Some(w),
            _ => Some(waker.clone()),
        });
        chan.rx_waiting.set(true);
    }

    /// Takes the next value if one is queued, without waiting.
    ///
    /// ```
    /// use plenary_async::control::channel::{mpsc, TryRecvError};
    ///
    /// let (tx, mut rx) = mpsc::unbounded();
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// tx.send(9).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(9));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let (value, waker) = {
            let mut s = self.chan.state.borrow_mut();
            let Some(value) = s.queue.pop_front() else {
                return Err(if s.senders == 0 {
                    TryRecvError::Closed
                } else {
                    TryRecvError::Empty
                });
            };
            // Room was made: the longest-waiting sender's value goes in.
            let waker = if s.send_waiters.is_empty() {
                None
            } else {
                let (_, v, w) = s.send_waiters.serve_front().expect("not empty");
                s.queue
                    .push_back(v.expect("a waiting sender holds its value"));
                w
            };
            (value, waker)
        };
        if let Some(w) = waker {
            w.wake();
        }
        Ok(value)
    }

    fn poll_last(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let (last, discarded, wakers) = {
            let mut s = self.chan.state.borrow_mut();
            if s.queue.is_empty() {
                if s.senders == 0 {
                    return Poll::Ready(None);
                }
                drop(s);
                self.register(cx.waker());
                return Poll::Pending;
            }
            let mut discarded = std::mem::take(&mut s.queue);
            // Waiting senders' values were sent after the queued ones.
            let mut wakers = Vec::new();
            while let Some((_, v, w)) = s.send_waiters.serve_front() {
                discarded.extend(v);
                wakers.extend(w);
            }
            (discarded.pop_back(), discarded, wakers)
        };
        drop(discarded);
        wakers.into_iter().for_each(Waker::wake);
        Poll::Ready(last)
    }

    /// Closes the channel from the receiving side: later sends fail, waiting
    /// senders get their value back, and values already queued can still be
    /// received.
    ///
    /// ```
    /// let (tx, mut rx) = plenary_async::control::channel::mpsc();
    /// tx.send(1).unwrap();
    /// rx.close();
    /// assert!(tx.send(2).is_err());
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// ```
    pub fn close(&mut self) {
        let wakers = {
            let mut s = self.chan.state.borrow_mut();
            s.closed = true;
            s.send_waiters.take_wakers()
        };
        wakers.into_iter().for_each(Waker::wake);
    }

    /// How many values are queued.
    ///
    /// ```
    /// let (tx, rx) = plenary_async::control::channel::mpsc();
    /// tx.send(()).unwrap();
    /// assert_eq!(rx.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.chan.state.borrow().queue.len()
    }

    /// Whether no value is queued.
    ///
    /// ```
    /// let (_tx, rx) = plenary_async::control::channel::mpsc::<u8>();
    /// assert!(rx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.close();
        self.chan.rx_waiting.set(false);
        self.chan.rx_waker.take();
        // Values may own senders of this very channel: drop them unborrowed.
        let queued = std::mem::take(&mut self.chan.state.borrow_mut().queue);
        drop(queued);
    }
}

/// Terminated once every sender is gone (or the receiver was closed) and
/// the queue is empty: the stream gives `None` from then on.
///
/// ```
/// use futures_core::stream::FusedStream;
/// let (tx, rx) = plenary_async::control::channel::mpsc();
/// tx.send(1).unwrap();
/// drop(tx);
/// assert!(!rx.is_terminated()); // 1 is still queued
/// # let mut rx = rx;
/// assert_eq!(rx.try_recv(), Ok(1));
/// assert!(rx.is_terminated());
/// ```
impl<T> futures_core::stream::FusedStream for Receiver<T> {
    fn is_terminated(&self) -> bool {
        let s = self.chan.state.borrow();
        s.queue.is_empty() && (s.closed || s.senders == 0)
    }
}

impl<T> futures_core::Stream for Receiver<T> {
    type Item = T;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.poll_recv(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.len(), None)
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.chan.state.borrow();
        f.debug_struct("mpsc::Receiver")
            .field("queued", &s.queue.len())
            .field("senders", &s.senders)
            .finish()
    }
}

/// The future of [`Receiver::recv`].
///
/// ```
/// let (tx, mut rx) = plenary_async::control::channel::mpsc();
/// tx.send(1).unwrap();
/// let recv: plenary_async::control::channel::mpsc::Recv<'_, i32> = rx.recv();
/// assert_eq!(plenary_async::block_on(recv), Some(1));
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Recv<'a, T> {
    rx: &'a mut Receiver<T>,
}

impl<T> Future for Recv<'_, T> {
    type Output = Option<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.rx.poll_recv(cx)
    }
}

impl<T> fmt::Debug for Recv<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("mpsc::Recv").finish_non_exhaustive()
    }
}

/// The future of [`Receiver::last`].
///
/// ```
/// let (tx, mut rx) = plenary_async::control::channel::mpsc();
/// tx.send(1).unwrap();
/// tx.send(2).unwrap();
/// let last: plenary_async::control::channel::mpsc::Last<'_, i32> = rx.last();
/// assert_eq!(plenary_async::block_on(last), Some(2));
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Last<'a, T> {
    rx: &'a mut Receiver<T>,
}

impl<T> Future for Last<'_, T> {
    type Output = Option<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.rx.poll_last(cx)
    }
}

impl<T> fmt::Debug for Last<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("mpsc::Last").finish_non_exhaustive()
    }
}
