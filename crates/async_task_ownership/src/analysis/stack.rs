//! Stack safety for the recursive walks: deep trees (100,000 nested brackets or
//! a 100,000-long attribute chain) are handled by growing the stack on the heap
//! instead of overflowing it.
//!
//! The walks check the stack at every expression they descend into, so the
//! check is cheap: the lowest address the current stack segment allows is
//! remembered per thread, and compared with the address of a local. Only
//! near that limit (or on a thread's first check) is `stacker` asked, and it
//! moves the walk to a fresh segment on the heap when less than
//! [`RED_ZONE`] is left.

use std::cell::Cell;

/// The stack a walk keeps free below it; a new segment is started past it.
const RED_ZONE: usize = 64 * 1024;
/// The size of each new segment.
const SEGMENT: usize = 2 * 1024 * 1024;

thread_local! {
    /// The lowest address the walk lets the current stack segment of this
    /// thread reach, the red zone excluded (0: not known yet).
    static FLOOR: Cell<usize> = const { Cell::new(0) };
}

/// The address of a local of the caller's frame: where the stack is now.
#[inline(always)]
fn here() -> usize {
    let marker = 0u8;
    std::ptr::from_ref(std::hint::black_box(&marker)) as usize
}

/// Runs `f`, first moving to a fresh heap-allocated stack segment when less
/// than 64 KiB of stack is left.
#[inline]
pub(crate) fn guard<R>(f: impl FnOnce() -> R) -> R {
    let floor = FLOOR.with(Cell::get);
    if floor != 0 && here() > floor {
        return f();
    }
    ask(f)
}

/// The slow way: ask `stacker` how much stack is left, remember the floor,
/// and grow when below it.
#[cold]
fn ask<R>(f: impl FnOnce() -> R) -> R {
    match stacker::remaining_stack() {
        Some(left) if left >= RED_ZONE => {
            FLOOR.with(|floor| floor.set(here().saturating_sub(left) + RED_ZONE));
            f()
        }
        _ => {
            // The new segment's floor is asked at its first check; this
            // one's is back when the walk returns (or unwinds) to it.
            let restore = Restore(FLOOR.with(|floor| floor.replace(0)));
            let result = stacker::grow(SEGMENT, f);
            drop(restore);
            result
        }
    }
}

/// Puts a floor back on drop.
struct Restore(usize);

impl Drop for Restore {
    fn drop(&mut self) {
        FLOOR.with(|floor| floor.set(self.0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Recurses `depth` levels, each with a frame of about 1 KiB, under
    /// the guard; returns the sum of the levels.
    fn deep(depth: u64) -> u64 {
        let frame = std::hint::black_box([depth as u8; 1024]);
        if depth == 0 {
            return u64::from(frame[0]);
        }
        guard(|| depth + deep(depth - 1))
    }

    #[test]
    fn a_deep_recursion_moves_to_new_segments_and_back() {
        // 20,000 levels of 1 KiB: about 20 MiB, ten times a 2 MiB thread.
        let depth = 20_000;
        let handle = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || {
                let sum = deep(depth);
                // Back on the thread's own stack: the floor is this stack's.
                let floor = FLOOR.with(Cell::get);
                (sum, floor, here())
            })
            .expect("thread starts");
        let (sum, floor, at) = handle.join().expect("no overflow");
        assert_eq!(sum, depth * (depth + 1) / 2);
        assert!(
            floor != 0 && at > floor,
            "floor {floor:#x}, stack at {at:#x}"
        );
        assert!(at - floor < 2 * 1024 * 1024);
    }
}
