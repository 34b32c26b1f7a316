//! The task cell: one heap allocation per task holding its future (then its
//! output), its state and its reference counts. The executor is
//! single-threaded, so the state and the references held on the owning
//! thread are plain `Cell`s; only wakers used on other threads take an
//! atomic path. (async-task, used before, makes every wake, waker clone
//! and poll an atomic read-modify-write.)
//!
//! **References.** Three kinds of owner hold the cell: the [`Runnable`]
//! (while the task is scheduled), the [`TaskHandle`] (while the `Task` is
//! alive) and wakers. Each reference is either *local* (counted in
//! `local`, a `Cell`, touched on the owning thread only) or *foreign*
//! (counted in `shared`, atomic). `shared` also counts 1 while `local >
//! 0` (the owner's presence), so the cell is freed when `shared` reaches
//! zero. A waker carries which kind of reference it holds in the low bit
//! of its data pointer (`FOREIGN`): a clone made on the owning thread is
//! local, one made elsewhere is foreign.
//!
//! | who | on the owning thread | on another thread |
//! |---|---|---|
//! | clone a waker | `local += 1` | `shared += 1` (atomic) |
//! | wake | schedule at once | a message to the runtime's [`Remote`] queue, carrying a foreign reference |
//! | drop a local-reference waker | `local -= 1` | a message (release it on the owner) |
//! | drop a foreign-reference waker | `shared -= 1` (atomic) if `done`, else a message | same |
//!
//! **Invariants.** `state`, `local`, `awaiter` and the stage are touched
//! on the owning thread only. While `done` is false (the future or the
//! output may still be in the cell), only the owning thread decreases
//! `shared`, so the stage is always dropped there; once `done` is true the
//! cell holds neither, and whoever takes `shared` to zero frees it (from
//! any thread: only memory and an `Arc` are left).
//!
//! **State bits** (owning thread only):
//!
//! | bit | set when | cleared when |
//! |---|---|---|
//! | `SCHEDULED` | a wake finds the task idle (a `Runnable` is queued) or running (re-queued after the poll) | `run` starts |
//! | `RUNNING` | `run` polls the future | the poll returns |
//! | `COMPLETED` | the future returned its output | never |
//! | `CLOSED` | canceled, or its runnable dropped unrun (shutdown): the future is dropped | never |
//! | `HANDLE` | spawned (the `Task` exists) | the `Task` is dropped or detached |

use super::remote::Remote;
use super::sync::{AtomicBool, AtomicUsize, Ordering};
use std::cell::{Cell, UnsafeCell};
use std::future::Future;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::ptr::NonNull;
use std::sync::Arc;
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

const SCHEDULED: u8 = 1;
const RUNNING: u8 = 2;
const COMPLETED: u8 = 4;
const CLOSED: u8 = 8;
const HANDLE: u8 = 16;

/// The low bit of a waker's data pointer: the waker holds a foreign
/// reference.
const FOREIGN: usize = 1;

/// What a message from another thread asks of the owning thread.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Message {
    /// Wake the task; the message holds a foreign reference.
    Wake,
    /// Release a local reference (a local-reference waker dropped there).
    ReleaseLocal,
    /// Wake the task, then release a local reference (such a waker woken
    /// by value there).
    WakeReleaseLocal,
    /// Release a foreign reference while the stage may still hold the
    /// future (`done` was false).
    ReleaseForeign,
    /// Queue the task (a runnable's local reference, made where the
    /// runtime is not this thread's current one: a detached runtime).
    Schedule,
}

/// A message and the task it is for, sent from another thread.
pub(crate) struct Letter {
    task: NonNull<Header>,
    message: Message,
}

// SAFETY: a letter carries a reference (local or foreign) to the cell,
// which keeps it alive; the owning thread alone acts on it
// (`Letter::deliver`), and dropping an undelivered letter leaks the cell
// rather than touching it.
unsafe impl Send for Letter {}

/// The per-task functions that know the future's type.
struct VTable {
    /// Polls the future; `true` when it finished (its output is stored).
    poll: unsafe fn(NonNull<Header>, &mut Context<'_>) -> bool,
    /// Drops the future in place, if the stage holds it.
    drop_future: unsafe fn(NonNull<Header>),
    /// Drops the output, if the stage holds it.
    drop_output: unsafe fn(NonNull<Header>),
    /// Hands the output to [`Unclaimed::unclaimed`] (the task finished
    /// with no handle to take it), if the stage holds it.
    drop_unclaimed: unsafe fn(NonNull<Header>),
    /// Moves the output into `*out` (an `Option<F::Output>`), if stored.
    take_output: unsafe fn(NonNull<Header>, *mut ()),
    /// Frees the cell.
    dealloc: unsafe fn(NonNull<Header>),
}

pub(crate) struct Header {
    state: Cell<u8>,
    local: Cell<usize>,
    shared: AtomicUsize,
    done: AtomicBool,
    remote: Arc<Remote>,
    /// The waker of whoever awaits the `Task`.
    awaiter: Cell<Option<Waker>>,
    vtable: &'static VTable,
}

enum Stage<F: Future> {
    Future(F),
    Output(F::Output),
    Empty,
}

#[repr(C)]
struct TaskCell<F: Future> {
    header: Header,
    stage: UnsafeCell<Stage<F>>,
}

/// What becomes of an output that no handle will take (the task was
/// detached before it finished): the executor's outputs report an error
/// (a panic) to the runtime's error handler rather than drop it unseen.
pub(crate) trait Unclaimed {
    fn unclaimed(self);
}

impl<F: Future> TaskCell<F>
where
    F::Output: Unclaimed,
{
    const VTABLE: VTable = VTable {
        poll: Self::poll,
        drop_future: Self::drop_future,
        drop_output: Self::drop_output,
        drop_unclaimed: Self::drop_unclaimed,
        take_output: Self::take_output,
        dealloc: Self::dealloc,
    };

    /// # Safety (all the functions below)
    /// `h` is the header of a live `TaskCell<F>`, used on its owning
    /// thread (except `dealloc`, see the module's invariants).
    unsafe fn stage<'a>(h: NonNull<Header>) -> &'a mut Stage<F> {
        // SAFETY: the header is the cell's first field (`repr(C)`); the
        // stage is only reached on the owning thread, one access at a time.
        unsafe { &mut *(*h.cast::<TaskCell<F>>().as_ptr()).stage.get() }
    }

    unsafe fn poll(h: NonNull<Header>, cx: &mut Context<'_>) -> bool {
        // SAFETY: the caller's contract.
        let stage = unsafe { Self::stage(h) };
        let Stage::Future(fut) = stage else {
            return false;
        };
        // SAFETY: the future is never moved out of the heap cell: it is
        // dropped in place (`drop_future`, or by the assignment below).
        let fut = unsafe { Pin::new_unchecked(fut) };
        match fut.poll(cx) {
            Poll::Ready(out) => {
                *stage = Stage::Output(out);
                true
            }
            Poll::Pending => false,
        }
    }

    unsafe fn drop_future(h: NonNull<Header>) {
        // SAFETY: the caller's contract.
        let stage = unsafe { Self::stage(h) };
        if let Stage::Future(_) = stage {
            *stage = Stage::Empty; // drops the future in place
        }
    }

    unsafe fn drop_output(h: NonNull<Header>) {
        // SAFETY: the caller's contract.
        let stage = unsafe { Self::stage(h) };
        if let Stage::Output(_) = stage {
            *stage = Stage::Empty;
        }
    }

    unsafe fn drop_unclaimed(h: NonNull<Header>) {
        // SAFETY: the caller's contract.
        let stage = unsafe { Self::stage(h) };
        if let Stage::Output(_) = stage {
            if let Stage::Output(v) = std::mem::replace(stage, Stage::Empty) {
                v.unclaimed();
            }
        }
    }

    unsafe fn take_output(h: NonNull<Header>, out: *mut ()) {
        // SAFETY: the caller's contract.
        let stage = unsafe { Self::stage(h) };
        if let Stage::Output(_) = stage {
            if let Stage::Output(v) = std::mem::replace(stage, Stage::Empty) {
                // SAFETY: `out` points to an `Option<F::Output>` (the
                // handle's type) that the caller owns.
                unsafe { *out.cast::<Option<F::Output>>() = Some(v) };
            }
        }
    }

    unsafe fn dealloc(h: NonNull<Header>) {
        #[cfg(all(test, loom))]
        super::loom_tests::note_freed();
        // SAFETY: the last reference: the cell came from `Box::into_raw`.
        drop(unsafe { Box::from_raw(h.cast::<TaskCell<F>>().as_ptr()) });
    }
}

/// Allocates a task holding `future`: its first runnable (not queued) and
/// its handle.
pub(crate) fn spawn<F>(future: F, remote: Arc<Remote>) -> (Runnable, TaskHandle<F::Output>)
where
    F: Future + 'static,
    F::Output: Unclaimed,
{
    let cell = Box::new(TaskCell {
        header: Header {
            state: Cell::new(SCHEDULED | HANDLE),
            local: Cell::new(2), // the runnable and the handle
            shared: AtomicUsize::new(1),
            done: AtomicBool::new(false),
            remote,
            awaiter: Cell::new(None),
            vtable: &TaskCell::<F>::VTABLE,
        },
        stage: UnsafeCell::new(Stage::Future(future)),
    });
    let h = NonNull::from(Box::leak(cell)).cast::<Header>();
    (
        Runnable { h },
        TaskHandle {
            h,
            _output: PhantomData,
        },
    )
}

fn header<'a>(h: NonNull<Header>) -> &'a Header {
    // SAFETY: callers hold a reference to the live cell.
    unsafe { h.as_ref() }
}

/// Whether this thread owns the task (its runtime's remote is this
/// thread's).
fn on_owner(h: NonNull<Header>) -> bool {
    super::context::is_current_remote(Arc::as_ptr(&header(h).remote))
}

/// Takes a local reference (owning thread).
fn acquire_local(h: NonNull<Header>) {
    let hd = header(h);
    let n = hd.local.get();
    hd.local.set(n + 1);
    if n == 0 {
        hd.shared.fetch_add(1, Ordering::Relaxed); // the owner's presence
    }
}

/// Marks the stage empty for good.
fn set_done(h: NonNull<Header>) {
    header(h).done.store(true, Ordering::Release);
}

/// Drops whatever the stage holds (the future or the output), for good
/// (owning thread, a live cell).
fn empty_stage(h: NonNull<Header>) {
    let hd = header(h);
    // SAFETY: the owning thread; the caller holds a reference to the cell.
    unsafe {
        (hd.vtable.drop_future)(h);
        (hd.vtable.drop_output)(h);
    }
    set_done(h);
}

/// Drops a local reference (owning thread). The last reference of all
/// drops a future still in the cell (a task nobody can wake or await any
/// more), then frees the cell.
fn release_local(h: NonNull<Header>) {
    let hd = header(h);
    let n = hd.local.get() - 1;
    hd.local.set(n);
    if n > 0 {
        return;
    }
    if !hd.done.load(Ordering::Acquire) && hd.shared.load(Ordering::Acquire) == 1 {
        // No reference is left anywhere (foreign ones cannot go away
        // while `done` is false, and new ones come only from existing
        // ones): drop what the stage holds, under a temporary reference so
        // that the destructors cannot free the cell under us.
        hd.local.set(1);
        hd.state.set(hd.state.get() | CLOSED);
        empty_stage(h);
        drop(hd.awaiter.take());
        return release_local(h);
    }
    release_shared(h);
}

/// Drops one count of `shared`; the last frees the cell.
fn release_shared(h: NonNull<Header>) {
    let hd = header(h);
    if hd.shared.fetch_sub(1, Ordering::AcqRel) == 1 {
        // SAFETY: the last reference; `done` is true (see the invariants),
        // so only memory and the Arc are left.
        unsafe { (hd.vtable.dealloc)(h) };
    }
}

/// Schedules the task on the owning thread: queues a runnable unless one
/// is queued already, the task is running (it is queued again after its
/// poll), or it has ended.
fn schedule_local(h: NonNull<Header>) {
    let hd = header(h);
    let s = hd.state.get();
    if s & (COMPLETED | CLOSED | SCHEDULED) != 0 {
        return;
    }
    hd.state.set(s | SCHEDULED);
    if s & RUNNING != 0 {
        return;
    }
    acquire_local(h);
    super::context::schedule(Runnable { h });
}

/// Hands `message` to the owning thread (this thread's current runtime is
/// not the task's). If the task's runtime is gone: on its own thread (a
/// libuv handle's close callback dropping a waker after the runtime was
/// detached, as Neovim's exit does), the message is carried out here, as
/// no executor is needed once the task is closed; on another thread, the
/// reference the message carries is leaked, since the cell may hold a
/// future that is not `Send`, which must not be dropped there.
fn post(h: NonNull<Header>, message: Message) {
    let remote = &header(h).remote;
    if let Err(letter) = remote.post(Letter { task: h, message }) {
        if remote.on_owner_thread() {
            letter.settle_without_runtime();
        } else if matches!(message, Message::Wake | Message::ReleaseForeign)
            && header(h).done.load(Ordering::Acquire)
        {
            // The stage is empty for good: a foreign reference may be
            // given back from any thread (the invariants above).
            release_shared(h);
        }
        // else: a letter has no destructor; dropping it leaks its
        // reference (a local one must not be touched off its thread).
    }
}

impl Letter {
    /// Acts on the message on the owning thread once the task's runtime is
    /// gone (every task closed): references are released, wakes are moot.
    fn settle_without_runtime(self) {
        let h = self.task;
        match self.message {
            Message::Schedule => drop(Runnable { h }), // closes, lets go
            Message::Wake | Message::ReleaseForeign => drop_reference(h, true),
            Message::ReleaseLocal | Message::WakeReleaseLocal => release_local(h),
        }
    }

    /// Acts on the message, on the owning thread; `executor` is the
    /// task's, which is draining its letters.
    pub(crate) fn deliver(self, executor: &super::executor::Executor) {
        let h = self.task;
        match self.message {
            Message::Schedule => executor.push_event(Runnable { h }),
            Message::Wake => {
                // Turn the foreign reference into a local one, then wake.
                acquire_local(h);
                release_shared(h);
                schedule_local(h);
                release_local(h);
            }
            Message::ReleaseLocal => release_local(h),
            Message::WakeReleaseLocal => {
                schedule_local(h);
                release_local(h);
            }
            Message::ReleaseForeign => {
                acquire_local(h);
                release_shared(h);
                release_local(h);
            }
        }
    }
}

// ---- wakers -----------------------------------------------------------------

static WAKER_VTABLE: RawWakerVTable =
    RawWakerVTable::new(clone_waker, wake_waker, wake_by_ref_waker, drop_waker);

fn split(data: *const ()) -> (NonNull<Header>, bool) {
    let foreign = data.addr() & FOREIGN != 0;
    let h = data.map_addr(|a| a & !FOREIGN).cast::<Header>().cast_mut();
    // SAFETY: a waker's data is a cell's header pointer, maybe tagged.
    (unsafe { NonNull::new_unchecked(h) }, foreign)
}

fn new_waker_data(h: NonNull<Header>) -> *const () {
    if on_owner(h) {
        acquire_local(h);
        h.as_ptr() as *const ()
    } else {
        header(h).shared.fetch_add(1, Ordering::Relaxed);
        h.as_ptr().map_addr(|a| a | FOREIGN) as *const ()
    }
}

unsafe fn clone_waker(data: *const ()) -> RawWaker {
    let (h, _) = split(data);
    RawWaker::new(new_waker_data(h), &WAKER_VTABLE)
}

unsafe fn wake_by_ref_waker(data: *const ()) {
    let (h, _) = split(data);
    if on_owner(h) {
        schedule_local(h);
    } else {
        header(h).shared.fetch_add(1, Ordering::Relaxed);
        post(h, Message::Wake);
    }
}

unsafe fn wake_waker(data: *const ()) {
    let (h, foreign) = split(data);
    if on_owner(h) {
        schedule_local(h);
        drop_reference(h, foreign);
    } else if foreign {
        post(h, Message::Wake); // reuses this waker's foreign reference
    } else {
        post(h, Message::WakeReleaseLocal);
    }
}

unsafe fn drop_waker(data: *const ()) {
    let (h, foreign) = split(data);
    if on_owner(h) {
        drop_reference(h, foreign);
    } else if !foreign {
        post(h, Message::ReleaseLocal);
    } else if header(h).done.load(Ordering::Acquire) {
        release_shared(h);
    } else {
        post(h, Message::ReleaseForeign);
    }
}

/// Drops a waker's reference on the owning thread.
fn drop_reference(h: NonNull<Header>, foreign: bool) {
    if foreign {
        acquire_local(h);
        release_shared(h);
    }
    release_local(h);
}

/// A waker that borrows the runnable's reference (for the poll's context).
fn borrowed_waker(h: NonNull<Header>) -> ManuallyDrop<Waker> {
    // SAFETY: the vtable's functions uphold RawWaker's contract; this
    // waker holds no reference and is never dropped (ManuallyDrop), only
    // cloned or woken by reference.
    ManuallyDrop::new(unsafe {
        Waker::from_raw(RawWaker::new(h.as_ptr() as *const (), &WAKER_VTABLE))
    })
}

// ---- runnable -----------------------------------------------------------------

/// A scheduled task: running it polls the future once. Holds a local
/// reference; dropping it unrun closes the task (its future is dropped).
pub(crate) struct Runnable {
    h: NonNull<Header>,
}

impl Runnable {
    /// The remote of the task's runtime.
    pub(crate) fn remote(&self) -> &Arc<Remote> {
        &header(self.h).remote
    }

    /// Hands the runnable to its owning thread through the remote (where
    /// this thread's current runtime is not the task's).
    pub(crate) fn post(self) {
        let h = self.h;
        std::mem::forget(self);
        post(h, Message::Schedule);
    }

    /// Polls the task once.
    pub(crate) fn run(self) {
        let h = self.h;
        std::mem::forget(self); // its reference is handled below
        let hd = header(h);
        let s = hd.state.get() & !SCHEDULED;
        if s & (CLOSED | COMPLETED) != 0 {
            hd.state.set(s);
            return release_local(h);
        }
        hd.state.set(s | RUNNING);
        let waker = borrowed_waker(h);
        let mut cx = Context::from_waker(&waker);
        // SAFETY: the owning thread; a live cell (this runnable's reference).
        let ready = unsafe { (hd.vtable.poll)(h, &mut cx) };
        let s = hd.state.get() & !RUNNING;
        hd.state.set(s);
        if s & CLOSED != 0 {
            // Canceled from inside its own poll: drop the future now.
            empty_stage(h);
            wake_awaiter(h);
        } else if ready {
            hd.state.set(s | COMPLETED);
            if s & HANDLE == 0 {
                // Nobody will take the output.
                // SAFETY: as above.
                unsafe { (hd.vtable.drop_unclaimed)(h) };
                set_done(h);
            }
            wake_awaiter(h);
        } else if s & SCHEDULED != 0 {
            // Woken during its poll: queue it again with this reference.
            return super::context::schedule(Runnable { h });
        }
        release_local(h);
    }
}

fn wake_awaiter(h: NonNull<Header>) {
    if let Some(w) = header(h).awaiter.take() {
        w.wake();
    }
}

impl Drop for Runnable {
    /// Dropped unrun (at shutdown, or by `Task::cancel` taking it out of
    /// the queue): the task is closed and its future dropped.
    fn drop(&mut self) {
        let h = self.h;
        let hd = header(h);
        let s = hd.state.get() & !SCHEDULED;
        if s & (COMPLETED | CLOSED) == 0 {
            hd.state.set(s | CLOSED);
            empty_stage(h);
            wake_awaiter(h);
        } else {
            hd.state.set(s);
        }
        release_local(h);
    }
}

/// Closes a task that has not ended (owning thread, a live cell): marks it
/// `CLOSED` and drops its future now, unless it is running (`run` does it
/// after the poll). A queued runnable then finds it closed and only lets
/// go. Returns whether the future was dropped here.
fn close(h: NonNull<Header>) -> bool {
    let hd = header(h);
    let s = hd.state.get();
    if s & (COMPLETED | CLOSED) != 0 {
        return false;
    }
    hd.state.set(s | CLOSED);
    if s & RUNNING != 0 {
        return false;
    }
    empty_stage(h);
    true
}

// ---- handle -------------------------------------------------------------------

/// The owner's handle to a task: awaits its output, cancels it, detaches
/// it. Holds a local reference.
pub(crate) struct TaskHandle<T> {
    h: NonNull<Header>,
    _output: PhantomData<*const T>,
}

/// Whether the task has ended: completed, or closed.
fn is_finished(h: NonNull<Header>) -> bool {
    header(h).state.get() & (COMPLETED | CLOSED) != 0
}

impl<T> TaskHandle<T> {
    pub(crate) fn is_finished(&self) -> bool {
        is_finished(self.h)
    }

    /// `Some(output)` once completed, `None` if canceled; registers `cx`'s
    /// waker otherwise.
    pub(crate) fn poll_output(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let h = self.h;
        let hd = header(h);
        let s = hd.state.get();
        if s & COMPLETED != 0 {
            let mut out: Option<T> = None;
            // SAFETY: the owning thread; `out` has the output's type.
            unsafe { (hd.vtable.take_output)(h, std::ptr::from_mut(&mut out).cast()) };
            if out.is_some() {
                set_done(h);
            }
            return Poll::Ready(out);
        }
        if s & CLOSED != 0 {
            return Poll::Ready(None);
        }
        let old = hd.awaiter.take();
        hd.awaiter.set(Some(match old {
            Some(w) if w.will_wake(cx.waker()) => w,
            _ => cx.waker().clone(),
        }));
        Poll::Pending
    }

    /// Cancels the task: its future is dropped now (or, if it is running,
    /// right after its poll). A finished task keeps its output.
    pub(crate) fn cancel(&self) {
        close(self.h);
    }

    /// Lets the task run on without a handle.
    pub(crate) fn detach(self) {
        drop(self);
    }

    /// A second owner that may only cancel the task (`Task::abort_handle`).
    pub(crate) fn abort_handle(&self) -> AbortRef {
        acquire_local(self.h);
        AbortRef { h: self.h }
    }
}

/// A handle that can only cancel its task (and tell whether it ended):
/// holds a local reference, like the [`TaskHandle`].
pub(crate) struct AbortRef {
    h: NonNull<Header>,
}

impl AbortRef {
    pub(crate) fn is_finished(&self) -> bool {
        is_finished(self.h)
    }

    /// Cancels the task as `TaskHandle::cancel` does, and wakes whoever
    /// awaits its `Task`, which then gets `Canceled`.
    pub(crate) fn abort(&self) {
        // (A running task: `run` drops the future and wakes the awaiter
        // after the poll.)
        if close(self.h) {
            wake_awaiter(self.h);
        }
    }
}

impl Drop for AbortRef {
    fn drop(&mut self) {
        release_local(self.h);
    }
}

impl<T> Drop for TaskHandle<T> {
    fn drop(&mut self) {
        let h = self.h;
        let hd = header(h);
        let s = hd.state.get() & !HANDLE;
        hd.state.set(s);
        if s & COMPLETED != 0 {
            // SAFETY: the owning thread; a live cell (our reference).
            unsafe { (hd.vtable.drop_output)(h) };
            set_done(h);
        }
        drop(hd.awaiter.take());
        release_local(h);
    }
}
