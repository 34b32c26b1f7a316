//! `interval`: a stream of ticks, one per period.

use super::sleep::{sleep_until, IntoDuration, Sleep};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// Ticks every `period` (a [`Duration`] or milliseconds): the first tick at
/// once, then one per period, on a fixed schedule (a late tick does not
/// push the later ones back). If ticks are missed because the consumer was
/// busy for more than a period, they are skipped, not delivered in a burst.
/// It is a [`Stream`](futures_core::Stream) of the scheduled tick times.
///
/// # Panics
///
/// If `period` is zero.
///
/// ```
/// use plenary_async as a;
/// use std::time::{Duration, Instant};
///
/// a::block_on(async {
///     let start = Instant::now();
///     let mut every_5ms = a::util::interval(5);
///     for _ in 0..3 {
///         every_5ms.tick().await;
///     }
///     assert!(start.elapsed() >= Duration::from_millis(10)); // ticks at 0, 5, 10
/// });
/// ```
#[track_caller]
pub fn interval(period: impl IntoDuration) -> Interval {
    let period = period.into_duration();
    assert!(
        !period.is_zero(),
        "interval: the period must be longer than zero"
    );
    Interval {
        period,
        next: Instant::now(),
        sleep: None,
    }
}

/// The stream of [`interval`].
///
/// ```
/// let i = plenary_async::util::interval(std::time::Duration::from_secs(1));
/// assert_eq!(i.period(), std::time::Duration::from_secs(1));
/// ```
pub struct Interval {
    period: Duration,
    next: Instant,
    sleep: Option<Sleep>,
}

impl Interval {
    /// The period.
    ///
    /// ```
    /// let i = plenary_async::util::interval(250);
    /// assert_eq!(i.period(), std::time::Duration::from_millis(250));
    /// ```
    pub fn period(&self) -> std::time::Duration {
        self.period
    }

    /// Waits for the next tick and returns when it was scheduled.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future loses no tick; the next
    /// call waits for the same one.
    ///
    /// ```
    /// use plenary_async as a;
    /// let mut i = a::util::interval(1);
    /// let first = a::block_on(i.tick());
    /// let second = a::block_on(i.tick());
    /// assert!(second - first >= std::time::Duration::from_millis(1));
    /// ```
    pub async fn tick(&mut self) -> Instant {
        std::future::poll_fn(|cx| self.poll_tick(cx)).await
    }

    fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        let sleep = self.sleep.get_or_insert_with(|| sleep_until(self.next));
        if Pin::new(sleep).poll(cx).is_pending() {
            return Poll::Pending;
        }
        self.sleep = None;
        let tick = self.next;
        let now = Instant::now();
        self.next = tick + self.period;
        if self.next <= now {
            // Busy for longer than a period: skip the missed ticks.
            let behind = (now - tick).as_nanos() / self.period.as_nanos();
            self.next = tick + self.period * (behind as u32 + 1);
        }
        Poll::Ready(tick)
    }
}

impl futures_core::Stream for Interval {
    type Item = Instant;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Instant>> {
        self.get_mut().poll_tick(cx).map(Some)
    }
}

impl fmt::Debug for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Interval")
            .field("period", &self.period)
            .field("next", &self.next)
            .finish()
    }
}
