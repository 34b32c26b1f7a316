//! `sleep`: wait on a libuv timer (plenary's `a.util.sleep(ms)`).

use crate::runtime::{with_current, with_existing};
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// A duration for [`sleep`] and [`timeout`](crate::util::timeout): a
/// [`Duration`], or a number of milliseconds as a `u64`, as in plenary
/// (`sleep(100)`: an integer literal is a `u64` here, the one integer type
/// that is one). A negative number of milliseconds does not compile, rather
/// than becoming zero: convert it yourself (`u64::try_from(ms)`).
///
/// ```
/// use plenary_async::util::IntoDuration;
/// use std::time::Duration;
/// assert_eq!(250.into_duration(), Duration::from_millis(250));
/// assert_eq!(Duration::from_secs(1).into_duration(), Duration::from_millis(1000));
/// ```
///
/// ```compile_fail
/// plenary_async::util::sleep(-5); // negative milliseconds: not a u64
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

/// Waits for `duration` (a [`Duration`] or milliseconds) without blocking the
/// loop. Other tasks and callbacks run meanwhile. The wait never ends early;
/// it ends within about a millisecond after the deadline on an idle loop.
///
/// The deadline is fixed when `sleep` is called; the timer is registered with
/// the runtime on the first poll. Dropping the future unregisters it.
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
        // The clock was just read: a later deadline needs no second
        // reading at the first poll, which is usually at once (a first
        // poll late enough to find it passed costs one turn of the loop:
        // the timer fires at once, never early).
        check_first: duration.is_zero(),
        entry: None,
        _not_send: PhantomData,
    }
}

/// Waits until `deadline` (like [`sleep`], with an absolute time).
///
/// ```
/// use plenary_async as a;
/// use std::time::{Duration, Instant};
///
/// let deadline = Instant::now() + Duration::from_millis(5);
/// a::block_on(a::util::sleep_until(deadline));
/// assert!(Instant::now() >= deadline);
/// ```
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        deadline,
        check_first: true,
        entry: None,
        _not_send: PhantomData,
    }
}

/// The future of [`sleep`].
///
/// `!Send`: it belongs to the runtime of the thread that polled it.
///
/// ```
/// let s: plenary_async::util::Sleep = plenary_async::util::sleep(1);
/// assert!(s.deadline() > std::time::Instant::now() - std::time::Duration::from_secs(1));
/// plenary_async::block_on(s);
/// ```
///
/// It is `#[must_use]`: a sleep made and never awaited is a mistake the
/// compiler reports.
///
/// ```compile_fail
/// #![deny(unused_must_use)]
/// plenary_async::util::sleep(1); // error: unused `Sleep` that must be used
/// ```
///
/// ```
/// #![deny(unused_must_use)]
/// let _ = plenary_async::util::sleep(1); // (dropped on purpose, and said so)
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Sleep {
    deadline: Instant,
    /// Whether the first poll reads the clock, to finish at once if the
    /// deadline has passed (`sleep_until`, `sleep(0)`).
    check_first: bool,
    /// The timer entry, with the id of the runtime that holds it.
    entry: Option<(u64, usize)>,
    _not_send: PhantomData<*const ()>,
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

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let deadline = self.deadline;
        let (ready, entry) = with_current(|rt| {
            let timers = rt.timers();
            let key = match self.entry {
                Some((id, key)) if id == rt.id() => key,
                // First poll (or the runtime was replaced meanwhile).
                _ => {
                    if self.check_first && Instant::now() >= deadline {
                        return (true, None);
                    }
                    timers.insert(deadline)
                }
            };
            if timers.poll(key, cx).is_ready() {
                timers.remove(key);
                (true, None)
            } else {
                (false, Some((rt.id(), key)))
            }
        });
        self.entry = entry;
        if ready {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Some((id, key)) = self.entry {
            with_existing(|rt| {
                if rt.id() == id {
                    rt.timers().remove(key);
                }
            });
        }
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline)
            .field("registered", &self.entry.is_some())
            .finish()
    }
}
