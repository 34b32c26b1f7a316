//! `wrap`: from a callback-style function to an awaitable one (plenary's `a.wrap`).
//!
//! (The public items are re-exported at the crate root; [`wrap`]'s
//! documentation is the guide.)

use crate::Error;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

struct CallbackSlot<T> {
    state: Mutex<SlotState<T>>,
}

struct SlotState<T> {
    value: Option<T>,
    /// A value was delivered (it may have been taken since).
    delivered: bool,
    /// Callbacks still alive for this slot.
    callbacks: usize,
    waker: Option<Waker>,
}

impl<T> CallbackSlot<T> {
    fn lock(&self) -> MutexGuard<'_, SlotState<T>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The completion callback handed to a callback-style function.
///
/// Call it once with the result: [`call`](Callback::call) consumes it, so a
/// second call is impossible. It is `Send` (it may be called from any
/// thread). Dropping it uncalled makes the awaiting future return
/// [`Error::CallbackDropped`].
///
/// ```
/// use plenary_async as a;
///
/// fn answer(done: a::Callback<u32>) {
///     done.call(42);
/// }
/// assert_eq!(a::block_on(a::wrap(answer)()), Ok(42));
/// ```
///
/// Calling it twice does not compile (plenary resumes the coroutine twice):
///
/// ```compile_fail
/// fn twice(done: plenary_async::Callback<u32>) {
///     done.call(1);
///     done.call(2); // error: use of moved value `done`
/// }
/// ```
pub struct Callback<T> {
    target: Target<T>,
}

enum Target<T> {
    CallbackSlot(Arc<CallbackSlot<T>>),
    /// `Some` until called.
    Fn(Option<Box<dyn FnOnce(T) + Send>>),
}

impl<T> Callback<T> {
    /// Delivers the result and wakes the awaiting task. If another callback
    /// of the same wait already delivered one (see
    /// [`run_first`](crate::util::run_first)), this value is dropped.
    ///
    /// ```
    /// let (cb, fut) = plenary_async::Callback::pair();
    /// cb.call("hi");
    /// assert_eq!(plenary_async::block_on(fut), Ok("hi"));
    /// ```
    pub fn call(mut self, value: T) {
        let slot = match &mut self.target {
            Target::CallbackSlot(slot) => slot,
            Target::Fn(f) => {
                if let Some(f) = f.take() {
                    f(value);
                }
                return;
            }
        };
        let waker = {
            let mut state = slot.lock();
            if state.delivered {
                return;
            }
            state.delivered = true;
            state.value = Some(value);
            state.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// A callback and the future that waits for it: the building block of
    /// [`wrap`], for callback-style APIs that do not fit its shape.
    ///
    /// ```
    /// use plenary_async as a;
    /// let (cb, fut) = a::Callback::<i32>::pair();
    /// drop(cb);
    /// assert!(matches!(a::block_on(fut), Err(a::Error::CallbackDropped { .. })));
    /// ```
    #[track_caller]
    pub fn pair() -> (Callback<T>, CallbackFuture<T>) {
        Self::pair_at(Location::caller())
    }

    pub(crate) fn pair_at(
        location: &'static Location<'static>,
    ) -> (Callback<T>, CallbackFuture<T>) {
        let slot = Arc::new(CallbackSlot {
            state: Mutex::new(SlotState {
                value: None,
                delivered: false,
                callbacks: 1,
                waker: None,
            }),
        });
        (
            Callback {
                target: Target::CallbackSlot(slot.clone()),
            },
            CallbackFuture { slot, location },
        )
    }

    /// Another callback for the same wait: the first one called wins.
    ///
    /// # Panics
    /// If `self` came from [`Callback::from_fn`].
    pub(crate) fn fork(&self) -> Callback<T> {
        let Target::CallbackSlot(slot) = &self.target else {
            panic!("Callback::fork of a from_fn callback");
        };
        slot.lock().callbacks += 1;
        Callback {
            target: Target::CallbackSlot(slot.clone()),
        }
    }

    /// A callback that runs `f` with the value, for calling a callback-style
    /// function directly, without `wrap`.
    ///
    /// ```
    /// let cb = plenary_async::Callback::from_fn(|v: i32| assert_eq!(v, 3));
    /// cb.call(3);
    /// ```
    pub fn from_fn(f: impl FnOnce(T) + Send + 'static) -> Callback<T> {
        Callback {
            target: Target::Fn(Some(Box::new(f))),
        }
    }

    /// Turns the callback into a plain closure, for APIs that take one.
    ///
    /// ```
    /// use plenary_async as a;
    /// fn legacy(done: impl FnOnce(u8) + Send + 'static) { done(7) }
    /// let (cb, fut) = a::Callback::pair();
    /// legacy(cb.into_fn());
    /// assert_eq!(a::block_on(fut), Ok(7));
    /// ```
    pub fn into_fn(self) -> impl FnOnce(T) + Send
    where
        T: Send,
    {
        move |v| self.call(v)
    }
}

impl<T> Drop for Callback<T> {
    fn drop(&mut self) {
        let Target::CallbackSlot(slot) = &self.target else {
            return;
        };
        let waker = {
            let mut state = slot.lock();
            state.callbacks -= 1;
            if state.callbacks == 0 && !state.delivered {
                state.waker.take()
            } else {
                None
            }
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl<T> fmt::Debug for Callback<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Callback").finish_non_exhaustive()
    }
}

/// The future returned by a [`wrap`]ped function: waits for the callback.
///
/// Output: `Ok(value)` once the callback is called, or
/// `Err(`[`Error::CallbackDropped`]`)` once every callback is gone uncalled.
/// Dropping it while waiting is fine: a later call of the callback just drops
/// the value.
///
/// ```
/// use plenary_async as a;
/// let (cb, fut): (a::Callback<()>, a::CallbackFuture<()>) = a::Callback::pair();
/// std::thread::spawn(move || cb.call(()));
/// assert_eq!(a::block_on(fut), Ok(()));
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct CallbackFuture<T> {
    slot: Arc<CallbackSlot<T>>,
    location: &'static Location<'static>,
}

impl<T> Future for CallbackFuture<T> {
    type Output = Result<T, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.slot.lock();
        if let Some(value) = state.value.take() {
            return Poll::Ready(Ok(value));
        }
        if state.delivered {
            panic!("plenary_async::CallbackFuture polled after it returned its value");
        }
        if state.callbacks == 0 {
            return Poll::Ready(Err(Error::CallbackDropped {
                location: self.location,
            }));
        }
        match &state.waker {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => state.waker = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}

impl<T> fmt::Debug for CallbackFuture<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackFuture")
            .field("wrapped_at", &self.location)
            .finish()
    }
}

/// Callback-style functions that [`wrap`] accepts: `Fn(A1, …, An, Callback<T>)`
/// for n from 0 to 6. `Args` is the tuple `(A1, …, An)`.
///
/// ```
/// use plenary_async as a;
/// fn two(a: u8, b: u8, done: a::Callback<u8>) { done.call(a * b) }
/// let f = a::wrap(two); // WrapFn<(u8, u8), u8>
/// assert_eq!(a::block_on(f(3, 4)), Ok(12));
/// ```
pub trait WrapFn<Args, T> {
    /// The wrapped function: `Rc<dyn Fn(A1, …, An) -> CallbackFuture<T>>`.
    type Wrapped;
    #[doc(hidden)]
    fn wrap_at(self, location: &'static Location<'static>) -> Self::Wrapped;
}

macro_rules! impl_wrap {
    ($($A:ident $a:ident),*) => {
        impl<Func, T, $($A: 'static),*> WrapFn<($($A,)*), T> for Func
        where
            Func: Fn($($A,)* Callback<T>) + 'static,
            T: 'static,
        {
            type Wrapped = Rc<dyn Fn($($A),*) -> CallbackFuture<T>>;
            fn wrap_at(self, location: &'static Location<'static>) -> Self::Wrapped {
                Rc::new(move |$($a),*| {
                    let (callback, future) = Callback::pair_at(location);
                    self($($a,)* callback);
                    future
                })
            }
        }
    };
}

impl_wrap!();
impl_wrap!(A1 a1);
impl_wrap!(A1 a1, A2 a2);
impl_wrap!(A1 a1, A2 a2, A3 a3);
impl_wrap!(A1 a1, A2 a2, A3 a3, A4 a4);
impl_wrap!(A1 a1, A2 a2, A3 a3, A4 a4, A5 a5);
impl_wrap!(A1 a1, A2 a2, A3 a3, A4 a4, A5 a5, A6 a6);

/// Converts a callback-style function into one that returns a future
/// (plenary's `a.wrap(fn, argc)`; the argument count is taken from the type).
///
/// A callback-style function takes its arguments and, last, a completion
/// callback that it calls once with the result, now or later, on any thread.
/// `wrap` turns it into a function of the same arguments, minus the
/// callback, that returns a future of the result:
///
/// ```
/// use plenary_async as a;
/// use std::time::Duration;
///
/// // Callback-style: computes on another thread, then calls back.
/// fn add_later(x: i32, y: i32, done: a::Callback<i32>) {
///     std::thread::spawn(move || {
///         std::thread::sleep(Duration::from_millis(5));
///         done.call(x + y);
///     });
/// }
///
/// let add = a::wrap(add_later);
/// assert_eq!(a::block_on(add(2, 3)), Ok(5));
///
/// // The original stays callable directly (plenary's "sync path").
/// let (tx, rx) = std::sync::mpsc::channel();
/// add_later(1, 1, a::Callback::from_fn(move |v| tx.send(v).unwrap()));
/// assert_eq!(rx.recv().unwrap(), 2);
/// ```
///
/// **Arguments.** Functions with zero to six arguments before the callback
/// are supported; the wrapped function takes the same arguments in the same
/// order (`add(2, 3)` above). For more, pass a tuple or a struct as one
/// argument. Closures need their parameter types written out
/// (`|ms: u64, cb: a::Callback<()>| …`) so that the arity can be inferred.
///
/// **Differences from plenary.** The wrapped function starts the operation
/// when it is called, like plenary's; the returned future only waits for the
/// callback. Its output is a `Result`: [`Callback::call`] takes the callback
/// by value, so it cannot be called twice, and a callback dropped without
/// being called ends the wait with [`Error::CallbackDropped`] instead of
/// hanging forever.
///
/// ```
/// use plenary_async as a;
///
/// // Plenary's example: wrap a callback-style timer (vim.defer_fn there).
/// let defer = |ms: u64, done: a::Callback<()>| {
///     std::thread::spawn(move || {
///         std::thread::sleep(std::time::Duration::from_millis(ms));
///         done.call(());
///     });
/// };
/// let sleep_async = a::wrap(defer);
/// a::block_on(async {
///     sleep_async(10).await.unwrap();
///     println!("Done!");
/// });
/// ```
#[track_caller]
pub fn wrap<Args, T, F: WrapFn<Args, T>>(f: F) -> F::Wrapped {
    f.wrap_at(Location::caller())
}
