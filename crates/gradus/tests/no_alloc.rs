//! Once warm, a training step (forward, backward, Adam update) of the 64-100-30-10 MLP
//! performs no heap allocation: counted by a global allocator. The step uses the library's
//! `Sequential` model, `Optimizer` and tape exactly as `fit` does.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use gradus::nn::{Activation, Loss, Mlp, Mode};
use gradus::optim::{OptState, Optimizer};
use gradus::{rng, Float, Tape, Tensor};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
thread_local! {
    // Only the measuring thread counts: the test harness allocates on its own threads.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

fn note() {
    if COUNTING.with(|c| c.get()) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note();
        System.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        System.realloc(ptr, layout, new_size)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The library's own model and optimiser, stepped the way `fit` steps them.
struct Trainer<F: Float> {
    net: Mlp<F>,
    states: Vec<OptState<F>>,
    opt: Optimizer,
    /// Dropout's stream, as in `fit` (this net has no dropout; the mode still matters).
    rng: rng::Rng,
}

impl<F: Float> Trainer<F> {
    fn new(seed: u64) -> Self {
        let net = Mlp::ffnn(
            &[64, 100, 30, 10],
            Activation::Relu,
            Activation::Softmax,
            Loss::CategoricalCrossEntropy,
            seed,
        )
        .unwrap();
        let opt = Optimizer::adam(1e-3);
        let states = net.params().iter().map(|p| opt.init(p.numel())).collect();
        Trainer {
            net,
            states,
            opt,
            rng: rng::seeded(seed),
        }
    }

    /// One training step on (x, y); returns the loss.
    fn step(&mut self, tape: &mut Tape<F>, x: &Tensor<F>, y: &Tensor<F>) -> F {
        tape.clear();
        let on = self.net.record_params(tape);
        let loss = self.net.objective(
            tape,
            on,
            tape.constant(x),
            tape.constant(y),
            &mut Mode::Train(&mut self.rng),
        );
        tape.backward(loss);
        for (i, (p, s)) in self
            .net
            .params_mut()
            .iter_mut()
            .zip(&mut self.states)
            .enumerate()
        {
            let g = tape.grad_ref(on.get(tape, i));
            self.opt.update(self.opt.lr(), &g, s, p.data_mut());
        }
        loss.item()
    }
}

fn allocations_in_warm_steps<F: Float>() -> (usize, F, F) {
    let mut r = rng::seeded(11);
    let x = Tensor::<F>::uniform([32, 64], 0.0, 1.0, &mut r);
    let labels: Vec<usize> = (0..32).map(|i| (i * 7) % 10).collect();
    let y = Tensor::<F>::one_hot(&labels, 10);
    let mut mlp = Trainer::<F>::new(5);
    let mut tape = Tape::new();
    let first = mlp.step(&mut tape, &x, &y);
    for _ in 0..3 {
        mlp.step(&mut tape, &x, &y);
    }
    ALLOCATIONS.store(0, Ordering::Relaxed);
    COUNTING.with(|c| c.set(true));
    let mut last = F::zero();
    for _ in 0..20 {
        last = mlp.step(&mut tape, &x, &y);
    }
    COUNTING.with(|c| c.set(false));
    (ALLOCATIONS.load(Ordering::Relaxed), first, last)
}

#[test]
fn a_warm_training_step_does_not_allocate() {
    let (n, first, last) = allocations_in_warm_steps::<f64>();
    assert_eq!(n, 0, "20 warm f64 training steps made {n} heap allocations");
    assert!(
        last < first,
        "training did not reduce the loss ({first} -> {last})"
    );
    let (n, first, last) = allocations_in_warm_steps::<f32>();
    assert_eq!(n, 0, "20 warm f32 training steps made {n} heap allocations");
    assert!(last < first);
}
