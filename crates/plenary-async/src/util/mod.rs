//! Plenary's `a.util`: sleeping, timeouts, joining, racing, yielding and
//! catching panics.
//!
//! ```
//! use plenary_async as a;
//! use std::time::Duration;
//!
//! a::block_on(async {
//!     a::util::sleep(Duration::from_millis(2)).await; // or sleep(2): milliseconds
//!     let both = a::util::join((1..=2).map(|i| async move { i })).await;
//!     assert_eq!(both, vec![1, 2]);
//!     let late = a::util::timeout(Duration::from_millis(5), a::util::sleep(1_000)).await;
//!     assert!(late.unwrap_err().is_timeout());
//! });
//! ```

mod block_on;
mod interval;
mod join;
pub(crate) mod protected;
mod race;
mod run_first;
mod scheduler;
mod sleep;
mod timeout;
mod yield_now;

pub use block_on::{block_on, will_block};
pub use interval::{interval, Interval};
pub use join::join;
pub use protected::{apcall, protected, Protected};
pub use race::{race, race2, Race, Race2};
pub use run_first::run_first;
pub use scheduler::{scheduler, Scheduler};
pub use sleep::{sleep, sleep_until, IntoDuration, Sleep};
pub use timeout::{timeout, Timeout};
pub use yield_now::{yield_now, YieldNow};
