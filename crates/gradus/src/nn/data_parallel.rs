//! Data-parallel training steps: the batch is cut into row shards, each shard is recorded
//! and differentiated on its own tape on its own thread, and the parameter gradients are
//! summed into the first tape.
//!
//! Why: the networks scientists train are small (a 2-64-64-1 policy net, a 1-32-32-1 PINN);
//! their matrix products are too small to split across threads (waking a pool thread per
//! product costs more than the product), but a whole forward and backward pass over half
//! the batch is large enough. One fork and one join per step, instead of one per product.
//!
//! The loss must be a sum over rows (a mean is a sum scaled by 1/rows), so that the shards'
//! losses add up to the batch loss: `build` gets the shard's row range and returns its
//! share, for a mean `DataParallel::shared(shard_mean, &range, rows)`. Terms that do not
//! belong to any row (a PINN's boundary term, a penalty on the weights) go to the shard
//! that starts at row 0 only.
//!
//! Results depend on the number of shards only through the order of floating-point sums
//! (shard gradients are added in shard order, so a given shard count is reproducible).
//! A warm step allocates nothing: each tape keeps its buffers between steps. The parameters
//! are not copied onto the tapes: the tapes read them in place (`Tape::param_view`) while
//! the step holds the network borrowed.

use std::ops::Range;

use super::layer::Layer;
use super::sequential::{ParamsOnTape, Sequential};
use crate::autodiff::{Tape, Var};
use crate::pool::{Disjoint, Pool};
use crate::tensor::{single_threaded, threaded_product_pays, Float};

/// Per-shard tapes of a data-parallel step, reused from step to step.
pub struct DataParallel<F: Float> {
    tapes: Vec<Tape<F>>,
    on: Vec<ParamsOnTape>,
    losses: Vec<F>,
    /// Shards the last step used (≤ `tapes.len()`).
    used: usize,
}

/// Fewest rows per shard: below it a shard is too short to pay for its thread.
const MIN_ROWS_PER_SHARD: usize = 32;

impl<F: Float> DataParallel<F> {
    /// Up to `shards` shards per step (1 = everything on the calling thread).
    pub fn new(shards: usize) -> Self {
        let shards = shards.max(1);
        DataParallel {
            tapes: (0..shards).map(|_| Tape::new()).collect(),
            on: Vec::with_capacity(shards),
            losses: vec![F::zero(); shards],
            used: 0,
        }
    }

    /// The most shards a step uses.
    pub fn max_shards(&self) -> usize {
        self.tapes.len()
    }

    /// How many shards a batch of `rows` rows of `net` is cut into: at most `max_shards`,
    /// each at least `MIN_ROWS_PER_SHARD` rows long; one if the net has batch norm (its
    /// training statistics are over the whole batch) or dropout (its masks come from one
    /// random stream over the whole batch) or if its largest matrix product over
    /// the batch is big enough to be threaded on its own. There, threads inside each product
    /// beat shards: shards would pack every weight matrix once per thread and add up a
    /// full-size gradient per shard (wide-mlp, 784-512-512-10 at batch 256: 7.8 ms per step
    /// with threaded products against 8.5 ms with two shards; level within 1% once the
    /// products were cut by measured speed, docs/PERFORMANCE.md "Threads").
    pub fn shards_for(&self, net: &Sequential<F>, rows: usize) -> usize {
        let mut largest = 0;
        for layer in net.layers() {
            match layer {
                Layer::BatchNorm(_) | Layer::Dropout(_) => return 1,
                Layer::Dense(d) => largest = largest.max(rows * d.inputs * d.outputs),
                _ => {}
            }
        }
        if threaded_product_pays(largest) {
            return 1;
        }
        (rows / MIN_ROWS_PER_SHARD).clamp(1, self.tapes.len())
    }

    /// The rows of shard `i` of `n` over `rows` rows: contiguous, sizes differing by ≤ 1.
    pub fn shard_rows(i: usize, n: usize, rows: usize) -> Range<usize> {
        (i * rows / n)..((i + 1) * rows / n)
    }

    /// A shard's weight in a mean over the whole batch: `range.len() / rows`.
    pub fn share(range: &Range<usize>, rows: usize) -> F {
        F::of(range.len() as f64 / rows as f64)
    }

    /// A mean over the shard's rows turned into its share of the batch mean (the loss
    /// itself when the shard is the whole batch: no extra node on a one-shard step).
    pub fn shared<'t>(mean: Var<'t, F>, range: &Range<usize>, rows: usize) -> Var<'t, F> {
        if range.len() == rows {
            mean
        } else {
            mean * Self::share(range, rows)
        }
    }

    /// Records `build` on every shard of `rows` rows (in parallel when there are several),
    /// runs reverse mode on each, and sums the parameter gradients into the first shard's
    /// tape. Returns the batch loss (the sum of the shards' losses); read the gradients
    /// with [`DataParallel::grad`].
    pub fn step<B>(&mut self, net: &Sequential<F>, rows: usize, build: B) -> F
    where
        B: for<'t> Fn(&'t Tape<F>, ParamsOnTape, Range<usize>) -> Var<'t, F> + Sync,
    {
        let n = self.shards_for(net, rows);
        self.used = n;
        self.on.clear();
        for tape in &mut self.tapes[..n] {
            tape.clear();
            // SAFETY: `net` stays borrowed until this function returns, and the views are
            // forgotten before it does; `grad` reads gradients only.
            self.on.push(unsafe { net.record_param_views(tape) });
        }
        let run = |i: usize, tape: &Tape<F>, on: ParamsOnTape| -> F {
            let loss = build(tape, on, Self::shard_rows(i, n, rows));
            tape.backward(loss);
            loss.item()
        };
        if n == 1 {
            self.losses[0] = run(0, &self.tapes[0], self.on[0]);
        } else {
            let tapes = Disjoint::new(&mut self.tapes);
            let losses = Disjoint::new(&mut self.losses);
            let on = &self.on;
            // Products inside a shard stay single-threaded: the other cores run other shards.
            Pool::global().run(n, &|i| {
                // SAFETY: the pool calls each shard index exactly once, so shard `i` is the
                // only user of tapes[i] and losses[i] (both have ≥ n elements) until `run`
                // returns; nothing else touches them meanwhile (we hold `&mut self`).
                let (tape, loss) = unsafe { (&*tapes.at(i), &mut *losses.at(i)) };
                *loss = single_threaded(|| run(i, tape, on[i]));
            });
            for i in 0..net.params().len() {
                let v0 = self.on[0].get(&self.tapes[0], i);
                for s in 1..n {
                    let tape = &self.tapes[s];
                    let g = tape.grad_ref(self.on[s].get(tape, i));
                    self.tapes[0].add_to_grad(v0, &g);
                }
            }
        }
        for tape in &mut self.tapes[..n] {
            tape.forget_views();
        }
        self.losses[..n].iter().fold(F::zero(), |a, &b| a + b)
    }

    /// The gradient of the last step's batch loss with respect to parameter `i` of the net.
    pub fn grad(&self, i: usize) -> std::cell::Ref<'_, [F]> {
        assert!(self.used > 0, "DataParallel::grad before the first step");
        let tape = &self.tapes[0];
        tape.grad_ref(self.on[0].get(tape, i))
    }
}
