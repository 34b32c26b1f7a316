//! Scopes: tasks that own the tasks they start (structured concurrency, as
//! `vim.async` has it in Lua).
//!
//! [`scope`] runs an async body with a [`Scope`]; tasks started with
//! [`Scope::spawn`] are its children:
//!
//! * the scope completes only after its body **and every child** have
//!   completed (a child nobody awaits still runs to its end);
//! * a child that **panics** fails the scope: the body and the other
//!   children are canceled, and `scope` returns the panic as its error;
//! * when the scope is **dropped** (its task canceled, a `race` lost, a
//!   `timeout`), or [`Scope::close`]d, every child is canceled first
//!   (its future dropped), then the body.
//!
//! A child's own scope nests: canceling the child drops its body, which
//! drops its scope, which cancels its children, and so on down.
//!
//! ```
//! use plenary_async as a;
//! use std::{cell::Cell, rc::Rc};
//!
//! a::block_on(async {
//!     let done = Rc::new(Cell::new(0));
//!     let d = done.clone();
//!     let sum = a::scope::scope(|s| async move {
//!         let slow = s.spawn(async { a::util::sleep(20).await; 2 });
//!         let d2 = d.clone();
//!         s.spawn(async move { a::util::sleep(30).await; d2.set(d2.get() + 1) }); // not awaited
//!         1 + slow.await.unwrap()
//!     })
//!     .await;
//!     assert_eq!(sum, Ok(3));
//!     assert_eq!(done.get(), 1); // the scope waited for the child nobody awaited
//! });
//! ```
//!
//! The bookkeeping (who owns whom, close order, completion, failure) is the
//! task tree (`scope/tree.rs`, internal).

pub(crate) mod tree;

use crate::runtime::{AbortHandle, Task};
use crate::JoinError;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use tree::{Hooks, Node};

/// What a scope's node and its children share.
struct Shared {
    node: Node,
    /// The first child panic: the scope's error.
    failure: RefCell<Option<JoinError>>,
    /// The scope's future, woken when the node completes or fails.
    waker: RefCell<Option<Waker>>,
    /// The scope's node was told of a child failure.
    failed: Cell<bool>,
}

impl Shared {
    fn wake(&self) {
        if let Some(w) = self.waker.borrow_mut().take() {
            w.wake();
        }
    }
}

/// The scope's own node: its work is the body.
struct ScopeHooks(RefCell<std::rc::Weak<Shared>>);

impl ScopeHooks {
    fn shared(&self) -> Option<Rc<Shared>> {
        self.0.borrow().upgrade()
    }
}

impl Hooks for ScopeHooks {
    fn close(&self, _: &Node) {
        // The body is dropped by the scope's future (closed by its drop,
        // or woken here to end).
        if let Some(shared) = self.shared() {
            shared.wake();
        }
    }
    fn child_failed(&self, _: &Node, _: &Node) {
        if let Some(shared) = self.shared() {
            shared.failed.set(true);
            shared.wake();
        }
    }
    fn completed(&self, _: &Node) {
        if let Some(shared) = self.shared() {
            shared.wake();
        }
    }
}

/// A child's node: its work is a runtime task, aborted on close.
struct ChildHooks(AbortHandle);

impl Hooks for ChildHooks {
    fn close(&self, _: &Node) {
        self.0.cancel(); // drops the future now; its `Finish` guard finishes the node
    }
}

/// The handle a scope's body gets: spawns its children.
///
/// ```
/// use plenary_async as a;
/// let n = a::block_on(a::scope::scope(|s| async move {
///     s.spawn(async { 20 }).await.unwrap() + 1
/// }));
/// assert_eq!(n, Ok(21));
/// ```
#[derive(Clone)]
pub struct Scope {
    shared: Rc<Shared>,
}

impl Scope {
    /// Starts `future` as a task owned by this scope (queued, like
    /// [`spawn`](crate::spawn)). Its [`Task`] awaits it as any task's;
    /// dropping the `Task` (`drop(s.spawn(…))`) leaves the child running,
    /// owned by the scope, which still waits for it. A child spawned after
    /// the scope began to close or fail is canceled at once. A child that
    /// panics fails the scope; its own `Task` then gives
    /// `Err(`[`JoinError::Canceled`]`)` (the panic is the scope's error).
    ///
    /// ```
    /// use plenary_async as a;
    /// a::block_on(async {
    ///     let r = a::scope::scope(|s| async move {
    ///         let t = s.spawn(async { "child" });
    ///         t.await
    ///     })
    ///     .await;
    ///     assert_eq!(r, Ok(Ok("child")));
    /// });
    /// ```
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> Task<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let location = Location::caller();
        let slot: Rc<RefCell<Option<Child>>> = Rc::new(RefCell::new(None));
        let task = crate::runtime::with_current_executor(|ex| {
            ex.spawn(
                Finish {
                    child: slot.clone(),
                    shared: self.shared.clone(),
                    location,
                    done: false,
                    future: Box::pin(future),
                },
                location,
                false,
            )
        });
        let node = self
            .shared
            .node
            .child(Rc::new(ChildHooks(task.abort_handle())));
        if task.is_finished() {
            // A child of a closing scope: `child` aborted it already, and
            // its future's drop found no node yet.
            node.finish(false);
        } else {
            *slot.borrow_mut() = Some(Child {
                node,
                abort: task.abort_handle(),
            });
        }
        task
    }

    /// Cancels every child (their futures are dropped now), then ends the
    /// body at its next poll; `scope` then returns `Err(Canceled)`.
    ///
    /// ```
    /// use plenary_async as a;
    /// let r = a::block_on(a::scope::scope(|s| async move {
    ///     s.spawn(std::future::pending::<()>());
    ///     s.close();
    ///     std::future::pending::<()>().await
    /// }));
    /// assert_eq!(r, Err(a::JoinError::Canceled));
    /// ```
    pub fn close(&self) {
        self.shared.node.close();
    }

    /// Whether the scope is closing (closed, or dropped).
    ///
    /// ```
    /// use plenary_async as a;
    /// a::block_on(a::scope::scope(|s| async move {
    ///     assert!(!s.is_closing());
    /// }))
    /// .unwrap();
    /// ```
    pub fn is_closing(&self) -> bool {
        self.shared.node.is_closing()
    }

    /// How many children have not completed (as tokio's `JoinSet::len`).
    ///
    /// ```
    /// use plenary_async as a;
    /// a::block_on(a::scope::scope(|s| async move {
    ///     assert_eq!(s.len(), 0);
    ///     let child = s.spawn(async { a::util::sleep(1).await });
    ///     assert_eq!(s.len(), 1);
    ///     child.await.unwrap();
    ///     assert_eq!(s.len(), 0);
    /// }))
    /// .unwrap();
    /// ```
    pub fn len(&self) -> usize {
        self.shared.node.children().len()
    }

    /// Whether every child has completed ([`len`](Scope::len) is 0).
    ///
    /// ```
    /// use plenary_async as a;
    /// a::block_on(a::scope::scope(|s| async move {
    ///     assert!(s.is_empty());
    ///     let _child = s.spawn(std::future::pending::<()>());
    ///     assert!(!s.is_empty());
    ///     s.close();
    /// }))
    /// .unwrap_err();
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A child's place in the tree, and a way to abort its own task.
struct Child {
    node: Node,
    abort: AbortHandle,
}

/// A child's future: finishes its node when it ends (or is dropped). A
/// panic becomes the scope's failure, and the child's task ends as
/// canceled (the scope returns the panic; it is not reported twice).
struct Finish<F: Future> {
    child: Rc<RefCell<Option<Child>>>,
    shared: Rc<Shared>,
    location: &'static Location<'static>,
    done: bool,
    future: Pin<Box<F>>,
}

impl<F: Future> Future for Finish<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = &mut *self;
        let polled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            this.future.as_mut().poll(cx)
        }));
        match polled {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(v)) => {
                this.done = true;
                if let Some(child) = this.child.borrow_mut().take() {
                    child.node.finish(false);
                }
                Poll::Ready(v)
            }
            Err(payload) => {
                this.done = true;
                let err = JoinError::panicked(payload, this.location);
                this.shared.failure.borrow_mut().get_or_insert(err);
                let child = this.child.borrow_mut().take();
                if let Some(child) = child {
                    // Aborted from inside its own poll: the task ends right
                    // after it, as canceled.
                    child.abort.cancel();
                    child.node.finish(true);
                }
                Poll::Pending
            }
        }
    }
}

impl<F: Future> Drop for Finish<F> {
    fn drop(&mut self) {
        if !self.done {
            // Canceled (closed, aborted, or the runtime shut down).
            let child = self.child.borrow_mut().take();
            if let Some(child) = child {
                child.node.finish(false);
            }
        }
    }
}

/// Runs `body` with a [`Scope`] and returns its output once it and every
/// child it spawned have completed; `Err(`[`JoinError::Panicked`]`)` if a
/// child panicked (the body and the other children are then canceled),
/// `Err(`[`JoinError::Canceled`]`)` if the scope was [closed](Scope::close)
/// (even if the body then returned).
/// A panic of the body itself propagates, after the children are canceled.
///
/// # Cancel safety
/// Dropping the future cancels every child (their futures are dropped
/// before the body's).
///
/// ```
/// use plenary_async as a;
/// a::block_on(async {
///     let r = a::scope::scope(|s| async move {
///         s.spawn(async { panic!("child failed") });
///         s.spawn(std::future::pending::<()>()); // canceled by the failure
///         a::util::sleep(60_000).await; // canceled too
///     })
///     .await;
///     assert!(matches!(r, Err(a::JoinError::Panicked { ref message, .. }) if message == "child failed"));
/// });
/// ```
pub fn scope<F, Fut>(body: F) -> ScopeFuture<Fut>
where
    F: FnOnce(Scope) -> Fut,
    Fut: Future,
{
    let hooks = Rc::new(ScopeHooks(RefCell::new(std::rc::Weak::new())));
    let node = Node::new(hooks.clone());
    let shared = Rc::new(Shared {
        node,
        failure: RefCell::new(None),
        waker: RefCell::new(None),
        failed: Cell::new(false),
    });
    *hooks.0.borrow_mut() = Rc::downgrade(&shared);
    let scope = Scope {
        shared: shared.clone(),
    };
    ScopeFuture {
        body: Some(Box::pin(body(scope))),
        output: None,
        shared,
    }
}

/// The future of [`scope`].
///
/// ```
/// use plenary_async as a;
/// let f: a::scope::ScopeFuture<_> = a::scope::scope(|_| async { 1 });
/// assert_eq!(a::block_on(f), Ok(1));
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct ScopeFuture<Fut: Future> {
    body: Option<Pin<Box<Fut>>>,
    output: Option<Fut::Output>,
    shared: Rc<Shared>,
}

// The body is boxed and pinned there; the output is only moved out, never
// pinned: the future itself may move.
impl<Fut: Future> Unpin for ScopeFuture<Fut> {}

impl<Fut: Future> Future for ScopeFuture<Fut> {
    type Output = Result<Fut::Output, JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let node = this.shared.node.clone();
        let stopped = |shared: &Shared| shared.failed.get() || shared.node.is_closing();
        if !stopped(&this.shared) {
            if let Some(body) = this.body.as_mut() {
                if let Poll::Ready(v) = body.as_mut().poll(cx) {
                    this.body = None;
                    this.output = Some(v);
                    node.finish(false);
                }
            }
        }
        // A child failed, or the scope was closed (maybe by the body's poll
        // just now): the body ends here.
        if stopped(&this.shared) && this.body.is_some() {
            this.body = None;
            node.finish(this.shared.failed.get());
        }
        if !node.is_completed() {
            *this.shared.waker.borrow_mut() = Some(cx.waker().clone());
            return Poll::Pending;
        }
        if let Some(err) = this.shared.failure.borrow_mut().take() {
            return Poll::Ready(Err(err));
        }
        match this.output.take() {
            Some(v) if !stopped(&this.shared) => Poll::Ready(Ok(v)),
            _ => Poll::Ready(Err(JoinError::Canceled)),
        }
    }
}

impl<Fut: Future> Drop for ScopeFuture<Fut> {
    fn drop(&mut self) {
        // Children first (their futures are dropped now), then the body.
        self.shared.node.close();
        self.body = None;
        self.shared.node.finish(false);
    }
}
