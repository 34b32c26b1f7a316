//! `sleep`: wait on a libuv timer (the seed's `a.util.sleep(ms)`).

use crate::uv::timer::Timer;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// A duration for [`sleep`]: a [`Duration`], or a whole number of
/// milliseconds, as in the seed (`sleep(100)`). Negative milliseconds count
/// as zero.
///
/// ```
/// use plenary_async::util::IntoDuration;
/// use std::time::Duration;
/// assert_eq!(250u64.into_duration(), Duration::from_millis(250));
/// assert_eq!((-5i32).into_duration(), Duration::ZERO);
/// ```
pub trait IntoDuration {
    /// The duration.
    fn into_duration(self) -> Duration;
}

impl IntoDuration for Duration {
    fn into_duration(self) -> Duration {
        self
    }
}

impl IntoDuration for u64 {
    fn into_duration(self) -> Duration {
        Duration::from_millis(self)
    }
}

impl IntoDuration for u32 {
    fn into_duration(self) -> Duration {
        Duration::from_millis(self.into())
    }
}

impl IntoDuration for i32 {
    fn into_duration(self) -> Duration {
        Duration::from_millis(self.max(0) as u64)
    }
}

/// Waits for `duration` (a [`Duration`] or milliseconds) without blocking the
/// loop. Other tasks and callbacks run meanwhile. The wait never ends early;
/// it ends within about a millisecond after the deadline on an idle loop.
///
/// The deadline is fixed when `sleep` is called; the libuv timer is started
/// on the first poll. Dropping the future stops and closes the timer.
///
/// ```
/// use plenary_async as a;
/// use std::time::{Duration, Instant};
///
/// let start = Instant::now();
/// a::block_on(a::util::sleep(20));
/// assert!(start.elapsed() >= Duration::from_millis(20));
/// ```
pub fn sleep(duration: impl IntoDuration) -> Sleep {
    let now = Instant::now();
    let duration = duration.into_duration();
    // A deadline past Instant's range (centuries) is as good as never.
    let deadline = now
        .checked_add(duration)
        .unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 24 * 3600));
    Sleep {
        deadline,
        timer: None,
    }
}

/// The future of [`sleep`].
///
/// ```
/// let s: plenary_async::util::Sleep = plenary_async::util::sleep(1);
/// assert!(s.deadline() > std::time::Instant::now() - std::time::Duration::from_secs(1));
/// plenary_async::block_on(s);
/// ```
pub struct Sleep {
    deadline: Instant,
    timer: Option<Timer>,
}

impl Sleep {
    /// When the sleep ends.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// let s = plenary_async::util::sleep(Duration::from_secs(1));
    /// assert!(s.deadline() > Instant::now());
    /// ```
    pub fn deadline(&self) -> Instant {
        self.deadline
    }
}

/// Milliseconds until `deadline`, rounded up.
fn millis_until(deadline: Instant, now: Instant) -> u64 {
    let left = deadline.saturating_duration_since(now);
    let ms = left.as_millis() + u128::from(left.subsec_nanos() % 1_000_000 != 0);
    ms.min(u128::from(u64::MAX)) as u64
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        loop {
            if let Some(timer) = &self.timer {
                if timer.poll_fired(cx).is_pending() {
                    return Poll::Pending;
                }
            }
            // Not started, or fired: check the clock, since libuv's cached
            // millisecond time can make a timer fire up to 1 ms early.
            let now = Instant::now();
            if now >= self.deadline {
                self.timer = None;
                return Poll::Ready(());
            }
            let ms = millis_until(self.deadline, now);
            let timer = match self.timer.take() {
                Some(t) => t,
                None => crate::runtime::with_current(|rt| {
                    // SAFETY: the loop of this thread's live runtime.
                    unsafe { Timer::new(rt.loop_ptr()) }
                })
                .unwrap_or_else(|e| panic!("plenary_async::util::sleep: {e}")),
            };
            timer.start(ms, true);
            self.timer = Some(timer);
        }
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline)
            .field("started", &self.timer.is_some())
            .finish()
    }
}
