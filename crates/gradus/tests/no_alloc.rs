//! Once warm, a training step (forward, backward, Adam update) of the 64-100-30-10 MLP
//! performs no heap allocation: counted by a global allocator. The step uses the library's
//! `Sequential` model, `Optimizer` and tape exactly as `fit` does.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use gradus::nn::{Activation, DataParallel, Loss, Mlp, Mode};
use gradus::optim::{OptState, Optimizer};
use gradus::pool::Pool;
use gradus::{rng, Float, Tape, Tensor};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
thread_local! {
    // Only the measuring thread counts: the test harness allocates on its own threads.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    // Set on gradus' pool threads: they count while `POOL_COUNTING` is on.
    static IS_POOL: Cell<bool> = const { Cell::new(false) };
}
static POOL_COUNTING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn note() {
    let pool = IS_POOL.with(|c| c.get()) && POOL_COUNTING.load(Ordering::Relaxed);
    if pool || COUNTING.with(|c| c.get()) {
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

/// A data-parallel PINN step (1-32-32-1, u'' by two forward-mode passes, 512 points in two
/// shards on the pool's threads, summed gradients, Adam) allocates nothing once warm, on the
/// calling thread or on the pool's.
#[test]
fn a_warm_data_parallel_step_does_not_allocate_on_any_thread() {
    let pool = Pool::global();
    pool.run(pool.threads(), &|i| {
        if i > 0 {
            IS_POOL.with(|c| c.set(true));
        }
    });
    let mut r = rng::seeded(3);
    let x = Tensor::<f64>::uniform([512, 1], -1.0, 1.0, &mut r);
    let net = Mlp::<f64>::ffnn(
        &[1, 32, 32, 1],
        Activation::Tanh,
        Activation::Identity,
        Loss::Mse,
        7,
    )
    .unwrap();
    let mut net = net;
    let opt = Optimizer::adam(1e-3);
    let mut states: Vec<OptState<f64>> = net.params().iter().map(|p| opt.init(p.numel())).collect();
    let mut par = DataParallel::<f64>::new(2);
    let mut step = |net: &mut Mlp<f64>, par: &mut DataParallel<f64>| -> f64 {
        let loss = par.step(net, 512, |tape, on, rows| {
            let xs = tape.constant_with([rows.len(), 1], |b| {
                b.copy_from_slice(&x.data()[rows.clone()])
            });
            let u = net.forward(tape, on, xs, &mut Mode::Eval);
            let u2 = tape.partial(tape.partial(u, xs, 0), xs, 0);
            (u2 + u).square().mean() * DataParallel::<f64>::share(&rows, 512)
        });
        for (i, (p, s)) in net.params_mut().iter_mut().zip(&mut states).enumerate() {
            opt.update(opt.lr(), &par.grad(i), s, p.data_mut());
        }
        loss
    };
    let first = step(&mut net, &mut par);
    for _ in 0..3 {
        step(&mut net, &mut par);
    }
    ALLOCATIONS.store(0, Ordering::Relaxed);
    POOL_COUNTING.store(true, Ordering::Relaxed);
    COUNTING.with(|c| c.set(true));
    let mut last = first;
    for _ in 0..20 {
        last = step(&mut net, &mut par);
    }
    COUNTING.with(|c| c.set(false));
    POOL_COUNTING.store(false, Ordering::Relaxed);
    let n = ALLOCATIONS.load(Ordering::Relaxed);
    assert_eq!(
        n, 0,
        "20 warm data-parallel steps made {n} heap allocations"
    );
    assert!(
        last < first,
        "training did not reduce the loss ({first} -> {last})"
    );
}
