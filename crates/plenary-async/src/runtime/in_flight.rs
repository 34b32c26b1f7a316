//! The count of libuv requests started on this thread whose callback has
//! not run yet. The request layer (`uv::req`) counts; the runtime's
//! shutdown runs its loop until the count is zero, so that requests whose
//! futures were dropped are freed in their callbacks, not leaked.

use std::cell::Cell;

thread_local! {
    static IN_FLIGHT: Cell<usize> = const { Cell::new(0) };
}

/// A request was handed to libuv.
pub(crate) fn started() {
    IN_FLIGHT.with(|n| n.set(n.get() + 1));
}

/// A request's callback ran.
pub(crate) fn done() {
    IN_FLIGHT.with(|n| n.set(n.get() - 1));
}

/// How many requests of this thread are waiting for libuv.
pub(crate) fn count() -> usize {
    IN_FLIGHT.with(Cell::get)
}
