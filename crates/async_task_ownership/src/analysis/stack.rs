//! Stack safety for the recursive walks: deep trees (100,000 nested brackets or
//! a 100,000-long attribute chain) are handled by growing the stack on the heap
//! instead of overflowing it.

/// Runs `f`, first moving to a fresh heap-allocated stack segment when less
/// than 64 KiB of stack is left.
#[inline]
pub(crate) fn guard<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(64 * 1024, 2 * 1024 * 1024, f)
}
