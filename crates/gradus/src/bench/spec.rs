//! The seven peer workloads, transcribed from `WORKLOADS` in the peer benchmarks'
//! `common.py` (../shared/bench/peers/, prose in WORKLOADS.md): network, activations,
//! optimiser, batch, repeats and warm-up. The numbers here are the benchmark's definition;
//! changing one makes gradus's row incomparable with the peers'.

use crate::nn::Activation;

/// How a timed repeat is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// One pass over the reshuffled training set; the last, short batch is kept.
    Epoch { epochs: usize },
    /// `steps_per_repeat` optimiser steps on one fixed batch.
    Steps {
        steps_per_repeat: usize,
        repeats: usize,
    },
}

/// What the loss is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Task {
    /// Softmax cross-entropy on integer labels.
    Classify,
    /// Mean squared error.
    Regress,
    /// Euler-equation residual of the Brock-Mirman growth model, two passes of the net.
    Deqn,
    /// Poisson problem u'' = f with u(±1) = 0: second input derivative inside the loss.
    Pinn,
}

/// The optimiser and its learning rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Opt {
    Adam(f64),
    Sgd(f64),
}

/// One workload, as `common.WORKLOADS[name]`.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    pub name: &'static str,
    pub kind: Kind,
    pub task: Task,
    pub layers: &'static [usize],
    pub hidden: Activation,
    pub output: Activation,
    pub opt: Opt,
    pub batch: usize,
    pub warmup_steps: usize,
    /// float64 everywhere (data, parameters, optimiser state) instead of float32.
    pub f64: bool,
}

impl Spec {
    pub fn dtype(&self) -> &'static str {
        if self.f64 {
            "float64"
        } else {
            "float32"
        }
    }

    /// Timed repeats by default (epochs or step blocks).
    pub fn repeats(&self) -> usize {
        match self.kind {
            Kind::Epoch { epochs } => epochs,
            Kind::Steps { repeats, .. } => repeats,
        }
    }
}

const STEPS: Kind = Kind::Steps {
    steps_per_repeat: 200,
    repeats: 7,
};

/// Every workload, in the peers' order.
pub const WORKLOADS: [Spec; 7] = [
    Spec {
        name: "digits-mlp",
        kind: Kind::Epoch { epochs: 30 },
        task: Task::Classify,
        layers: &[64, 100, 30, 10],
        hidden: Activation::Relu,
        output: Activation::Softmax,
        opt: Opt::Adam(1e-3),
        batch: 32,
        warmup_steps: 20,
        f64: false,
    },
    Spec {
        name: "wide-mlp",
        kind: Kind::Epoch { epochs: 5 },
        task: Task::Classify,
        layers: &[784, 512, 512, 10],
        hidden: Activation::Relu,
        output: Activation::Softmax,
        opt: Opt::Adam(1e-3),
        batch: 256,
        warmup_steps: 10,
        f64: false,
    },
    Spec {
        name: "tiny-mlp-smallbatch",
        kind: Kind::Epoch { epochs: 10 },
        task: Task::Regress,
        layers: &[2, 64, 64, 1],
        hidden: Activation::Tanh,
        output: Activation::Identity,
        opt: Opt::Sgd(1e-2),
        batch: 16,
        warmup_steps: 50,
        f64: false,
    },
    Spec {
        name: "tiny-mlp-smallbatch-f64",
        kind: Kind::Epoch { epochs: 10 },
        task: Task::Regress,
        layers: &[2, 64, 64, 1],
        hidden: Activation::Tanh,
        output: Activation::Identity,
        opt: Opt::Sgd(1e-2),
        batch: 16,
        warmup_steps: 50,
        f64: true,
    },
    Spec {
        name: "deqn-step",
        kind: STEPS,
        task: Task::Deqn,
        layers: &[2, 64, 64, 1],
        hidden: Activation::Tanh,
        output: Activation::Sigmoid,
        opt: Opt::Adam(1e-3),
        batch: 256,
        warmup_steps: 50,
        f64: false,
    },
    Spec {
        name: "pinn-step",
        kind: STEPS,
        task: Task::Pinn,
        layers: &[1, 32, 32, 1],
        hidden: Activation::Tanh,
        output: Activation::Identity,
        opt: Opt::Adam(1e-3),
        batch: 512,
        warmup_steps: 50,
        f64: false,
    },
    Spec {
        name: "pinn-step-f64",
        kind: STEPS,
        task: Task::Pinn,
        layers: &[1, 32, 32, 1],
        hidden: Activation::Tanh,
        output: Activation::Identity,
        opt: Opt::Adam(1e-3),
        batch: 512,
        warmup_steps: 50,
        f64: true,
    },
];

/// The workload called `name`, if there is one.
pub fn find(name: &str) -> Option<&'static Spec> {
    WORKLOADS.iter().find(|s| s.name == name)
}

// Seeds of numpy.random.default_rng in common.py.
pub(crate) const SEED_INIT: u64 = 42;
pub(crate) const SEED_SHUFFLE: u64 = 7;
pub(crate) const SEED_WIDE: u64 = 1;
pub(crate) const SEED_TINY: u64 = 2;
pub(crate) const SEED_DEQN: u64 = 3;
/// `train_test_split(random_state=0)` for digits.
pub(crate) const SPLIT_SEED: u32 = 0;

/// Brock-Mirman constants (common.DEQN).
pub(crate) const ALPHA: f64 = 0.36;
pub(crate) const BETA: f64 = 0.96;
pub(crate) const RHO: f64 = 0.9;
pub(crate) const SIGMA: f64 = 0.02;
