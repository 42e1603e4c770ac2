//! A per-thread scratch buffer for kernels that need a temporary whose size depends on the
//! operands (a transposed operand of a small product, the exponentials of a block of
//! logits). It grows to the largest request, so a warm training step does not allocate.

use super::Float;
use std::cell::RefCell;

thread_local! {
    static SCRATCH: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` on `len` elements of this thread's scratch (contents left from earlier calls).
///
/// # Panics
/// If `f` calls `with_scratch` again on the same thread (the buffer is already lent out);
/// no kernel that uses it calls another.
pub(crate) fn with_scratch<F: Float, R>(len: usize, f: impl FnOnce(&mut [F]) -> R) -> R {
    SCRATCH.with_borrow_mut(|scratch| {
        let words = (len * std::mem::size_of::<F>()).div_ceil(8);
        if scratch.len() < words {
            scratch.resize(words, 0);
        }
        // SAFETY: the u64 buffer is 8-byte aligned and holds `len` elements of F (4 or 8
        // bytes, any bit pattern valid).
        f(unsafe { std::slice::from_raw_parts_mut(scratch.as_mut_ptr().cast::<F>(), len) })
    })
}
