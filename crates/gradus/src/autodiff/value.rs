//! A node's value: a buffer the tape owns and reuses, or a read-only view of memory the tape
//! does not own (a parameter of the network being trained, for one data-parallel step).
//!
//! Why views: every training step used to copy each parameter onto the tape, 3% of a
//! tiny-mlp step (4 353 parameters against three 16 × 64 × 64 products) and one more pass
//! over every weight per step for larger nets. `nn::DataParallel::step` holds the network
//! borrowed for the whole step, so the parameters cannot change or move while its tapes
//! read them; the views are forgotten before it returns.

use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;

pub(crate) struct Value<F> {
    own: Vec<F>,
    /// Where the values are read from instead of `own`, while a view is recorded.
    view: Option<NonNull<F>>,
    /// Number of elements (of the view, or of `own`).
    len: usize,
    /// A view that was forgotten: reading it is a bug, not stale data.
    forgotten: bool,
}

// SAFETY: a view is only read, and only while its owner is borrowed by the step that made
// it (the contract of `set_view`); reading shared `F: Sync` data from several threads is
// allowed, so the value may move to (and be shared with) other threads like a `Vec<F>`.
unsafe impl<F: Send + Sync> Send for Value<F> {}
// SAFETY: as above; `&Value` only hands out `&[F]`.
unsafe impl<F: Sync> Sync for Value<F> {}

impl<F> Value<F> {
    pub(crate) fn new() -> Self {
        Value {
            own: Vec::new(),
            view: None,
            len: 0,
            forgotten: false,
        }
    }

    /// Number of elements; valid after the view is forgotten.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn as_slice(&self) -> &[F] {
        self
    }

    /// Makes the value an owned buffer of `len` elements (reusing its capacity; new
    /// elements are `fill`).
    pub(crate) fn resize(&mut self, len: usize, fill: F)
    where
        F: Clone,
    {
        self.view = None;
        self.forgotten = false;
        self.own.resize(len, fill);
        self.len = len;
    }

    /// Reads the value from `data` instead of an owned buffer.
    ///
    /// # Safety
    /// `data` stays alive and unmodified until the value is resized or `forget_view` is
    /// called, and nothing reads the value after that without resizing it first.
    pub(crate) unsafe fn set_view(&mut self, data: &[F]) {
        self.view = Some(NonNull::from(data).cast());
        self.len = data.len();
        self.forgotten = false;
    }

    /// Drops a view (its memory may change from now on); later reads panic.
    pub(crate) fn forget_view(&mut self) {
        if self.view.take().is_some() {
            self.forgotten = true;
        }
    }
}

impl<F> Deref for Value<F> {
    type Target = [F];

    fn deref(&self) -> &[F] {
        assert!(
            !self.forgotten,
            "a parameter's value was read from a data-parallel tape after its step"
        );
        match self.view {
            // SAFETY: `set_view`'s contract: `len` elements at the pointer, alive and
            // unchanged while the view is set.
            Some(p) => unsafe { std::slice::from_raw_parts(p.as_ptr(), self.len) },
            None => &self.own,
        }
    }
}

impl<F> DerefMut for Value<F> {
    fn deref_mut(&mut self) -> &mut [F] {
        assert!(
            self.view.is_none() && !self.forgotten,
            "a view of a parameter on the tape is read-only"
        );
        &mut self.own
    }
}

#[cfg(test)]
mod tests {
    use super::Value;

    #[test]
    fn a_view_reads_in_place_and_a_resize_owns_again() {
        let params = vec![1.0f32, 2.0, 3.0];
        let mut v = Value::new();
        v.resize(2, 0.0);
        v[1] = 5.0;
        // SAFETY: `params` outlives every read below, unchanged.
        unsafe { v.set_view(&params) };
        assert_eq!(v.len(), 3);
        assert_eq!(
            v.as_slice().as_ptr(),
            params.as_ptr(),
            "a view must not copy"
        );
        assert_eq!(&v[..], &params[..]);
        v.resize(2, 0.0);
        assert_eq!(&v[..], &[0.0, 5.0], "the owned buffer comes back as it was");
    }

    #[test]
    #[should_panic(expected = "after its step")]
    fn reading_a_forgotten_view_panics() {
        let params = vec![1.0f64; 4];
        let mut v = Value::new();
        // SAFETY: `params` outlives the view; after `forget_view` nothing may read it.
        unsafe { v.set_view(&params) };
        v.forget_view();
        assert_eq!(v.len(), 4, "the length stays readable");
        let _ = v[0];
    }

    #[test]
    #[should_panic(expected = "read-only")]
    fn a_view_cannot_be_written() {
        let params = vec![1.0f64; 4];
        let mut v = Value::new();
        // SAFETY: `params` outlives the view.
        unsafe { v.set_view(&params) };
        v[0] = 2.0;
    }
}
