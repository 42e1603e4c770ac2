//! The interface a dynamic model implements to be solved by a Deep Equilibrium Net.
//!
//! A model is one file: its states, how shocks move them, which policy outputs the network
//! produces (and through which transform), and its equilibrium conditions written as
//! residuals with tape operations, so the training loss differentiates through the policy
//! today *and* tomorrow. `models/brock_mirman.rs` is the worked example (docs/deqn.md).

use crate::autodiff::Var;
use crate::deqn::Quadrature;

/// Maps a raw network output to a policy value with the right range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transform {
    /// Any real number.
    Identity,
    /// In (0, 1): a savings rate, a share.
    Sigmoid,
    /// Positive, growing linearly: a level (consumption, a price).
    Softplus,
    /// Positive, growing exponentially: a level spanning orders of magnitude.
    Exp,
}

impl Transform {
    pub fn apply<'t>(self, z: Var<'t, f64>) -> Var<'t, f64> {
        match self {
            Transform::Identity => z,
            Transform::Sigmoid => z.sigmoid(),
            Transform::Softplus => z.softplus(),
            Transform::Exp => z.exp(),
        }
    }

    /// The raw output that maps to `y` (for starting a network at a guess).
    pub fn inverse(self, y: f64) -> f64 {
        match self {
            Transform::Identity => y,
            Transform::Sigmoid => (y / (1.0 - y)).ln(),
            Transform::Softplus => y.exp_m1().ln(),
            Transform::Exp => y.ln(),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Transform::Identity => "identity",
            Transform::Sigmoid => "sigmoid",
            Transform::Softplus => "softplus",
            Transform::Exp => "exp",
        }
    }
}

/// How tomorrow's exogenous state is drawn, and how expectations over it are taken.
#[derive(Clone, Debug, PartialEq)]
pub enum Expectation {
    /// No shocks: one "node" with an empty shock vector and weight 1.
    Deterministic,
    /// Innovations ε ~ N(0, diag σ²) (the rule's σ), integrated by the quadrature rule;
    /// simulation draws ε from the same normal.
    Gaussian(Quadrature),
    /// A Markov chain whose current index is state column `column` (stored as a float):
    /// node j is "tomorrow's index is j" with probability `transition[i][j]`; the shock
    /// vector passed to [`Model::next_state`] is `[j]`.
    Markov {
        transition: Vec<Vec<f64>>,
        column: usize,
    },
}

impl Expectation {
    /// Number of integration nodes (tomorrow's possible shocks).
    pub fn nodes(&self) -> usize {
        match self {
            Expectation::Deterministic => 1,
            Expectation::Gaussian(q) => q.len(),
            Expectation::Markov { transition, .. } => transition.len(),
        }
    }

    /// Length of the shock vector given to [`Model::next_state`].
    pub fn shock_dim(&self) -> usize {
        match self {
            Expectation::Deterministic => 0,
            Expectation::Gaussian(q) => q.dim(),
            Expectation::Markov { .. } => 1,
        }
    }
}

/// Tomorrow at one integration node: the state, the policy there, and the node's
/// probability weight for each row (shape batch × 1).
#[derive(Clone, Copy, Debug)]
pub struct Next<'t> {
    pub state: Var<'t, f64>,
    pub policy: Var<'t, f64>,
    pub weight: Var<'t, f64>,
}

/// A dynamic model solved by a policy network. States, policies and shocks are batches:
/// one row per point, one column per variable. All functions on `Var`s must be written
/// with tape operations (they are differentiated), and must treat rows independently.
pub trait Model {
    /// Short name (used for run folders and reports).
    fn name(&self) -> String;

    /// State variables, in column order.
    fn states(&self) -> Vec<String>;

    /// Policy outputs with the transform applied to each raw network output.
    fn policies(&self) -> Vec<(String, Transform)>;

    /// Names of the equilibrium conditions, in the column order of [`Model::residuals`].
    fn equations(&self) -> Vec<String>;

    /// Box from which initial (and, in box sampling, training) states are drawn.
    fn bounds(&self) -> Vec<(f64, f64)>;

    /// Where simulations start before burn-in (usually the deterministic steady state).
    fn start(&self) -> Vec<f64>;

    /// Tomorrow's exogenous randomness and how expectations over it are taken.
    fn expectation(&self) -> Expectation;

    /// The network's input features of a state batch. A well-scaled input (logs, centred,
    /// unit range) is what lets a small network reach 1e-4 accuracy. Default: the states.
    fn features<'t>(&self, states: Var<'t, f64>) -> Var<'t, f64> {
        states
    }

    /// Tomorrow's state given today's state, policy and the shock vector of each row.
    fn next_state<'t>(
        &self,
        states: Var<'t, f64>,
        policy: Var<'t, f64>,
        shocks: Var<'t, f64>,
    ) -> Var<'t, f64>;

    /// Equilibrium residuals (batch × equations), zero at the solution. Expectations are
    /// Σ over `next` of weight · (expression in tomorrow's state and policy).
    fn residuals<'t>(
        &self,
        states: Var<'t, f64>,
        policy: Var<'t, f64>,
        next: &[Next<'t>],
    ) -> Var<'t, f64>;

    /// A starting guess for the policy (usually its deterministic steady-state value): the
    /// network starts near this constant. Models whose Euler equations also have explosive
    /// solutions that violate the transversality condition (capital accumulating towards
    /// its maximum) need it, or training can settle on one of those. Default: none.
    fn initial_policy(&self) -> Option<Vec<f64>> {
        None
    }

    /// The exact policy at a state, where a closed form exists.
    fn closed_form(&self, _state: &[f64]) -> Option<Vec<f64>> {
        None
    }

    /// Named quantities of a state and its policy to report along simulated paths
    /// (e.g. capital tomorrow, consumption). Default: none.
    fn report(&self, _state: &[f64], _policy: &[f64]) -> Vec<(String, f64)> {
        Vec::new()
    }
}

/// Joins columns side by side (one `concat` per extra column).
pub fn columns<'t>(cols: &[Var<'t, f64>]) -> Var<'t, f64> {
    let mut out = cols[0];
    for c in &cols[1..] {
        out = out.concat(*c, 1);
    }
    out
}

/// Column `j` of a batch (batch × 1).
pub fn col<'t>(v: Var<'t, f64>, j: usize) -> Var<'t, f64> {
    v.narrow(1, j, 1)
}

/// Σ over nodes of weight · f(node): an expectation over tomorrow.
pub fn expect<'t>(next: &[Next<'t>], f: impl Fn(&Next<'t>) -> Var<'t, f64>) -> Var<'t, f64> {
    let mut acc = next[0].weight * f(&next[0]);
    for n in &next[1..] {
        acc = acc + n.weight * f(n);
    }
    acc
}
