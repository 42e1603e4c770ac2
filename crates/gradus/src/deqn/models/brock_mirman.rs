//! Brock & Mirman (1972) without shocks: the worked example of docs/deqn.md.
//!
//! A planner with log utility chooses capital K' = s·K^α out of output K^α (full
//! depreciation), consuming c = (1 − s)·K^α. The Euler equation
//!
//! ```text
//!     1/c = β · α K'^(α−1) / c'
//! ```
//!
//! has the closed-form solution s = αβ, i.e. K' = αβ K^α. The network learns the savings
//! rate s(K) through a sigmoid (so 0 < s < 1 and K' stays feasible).

use crate::autodiff::Var;
use crate::deqn::{Expectation, Model, Next, Transform};

/// Brock–Mirman without shocks; K is drawn from `[k_min, k_max]`.
#[derive(Clone, Debug, PartialEq)]
pub struct BrockMirman {
    pub alpha: f64,
    pub beta: f64,
    pub k_min: f64,
    pub k_max: f64,
}

impl Default for BrockMirman {
    /// The course's calibration: α = 0.36, β = 0.99, K in [0.1, 1].
    fn default() -> Self {
        BrockMirman {
            alpha: 0.36,
            beta: 0.99,
            k_min: 0.1,
            k_max: 1.0,
        }
    }
}

impl Model for BrockMirman {
    fn name(&self) -> String {
        "brock-mirman".into()
    }

    fn states(&self) -> Vec<String> {
        vec!["K".into()]
    }

    fn policies(&self) -> Vec<(String, Transform)> {
        vec![("savings_rate".into(), Transform::Sigmoid)]
    }

    fn equations(&self) -> Vec<String> {
        vec!["euler".into()]
    }

    fn bounds(&self) -> Vec<(f64, f64)> {
        vec![(self.k_min, self.k_max)]
    }

    /// The steady state K* = (αβ)^(1/(1−α)).
    fn start(&self) -> Vec<f64> {
        vec![(self.alpha * self.beta).powf(1.0 / (1.0 - self.alpha))]
    }

    fn expectation(&self) -> Expectation {
        Expectation::Deterministic
    }

    /// log K mapped to [−1, 1] over the box: the policy is smooth in log K, and a ReLU
    /// network fits inputs of unit scale far better than raw K in [0.1, 1].
    fn features<'t>(&self, states: Var<'t, f64>) -> Var<'t, f64> {
        let (lo, hi) = (self.k_min.ln(), self.k_max.ln());
        (states.ln() - 0.5 * (lo + hi)) * (2.0 / (hi - lo))
    }

    fn next_state<'t>(
        &self,
        states: Var<'t, f64>,
        policy: Var<'t, f64>,
        _shocks: Var<'t, f64>,
    ) -> Var<'t, f64> {
        policy * states.pow(self.alpha)
    }

    /// The relative Euler error c̃/c − 1, where c̃ = c' / (β R') is the consumption the
    /// Euler equation asks for given tomorrow (R' = α K'^(α−1)).
    fn residuals<'t>(
        &self,
        states: Var<'t, f64>,
        policy: Var<'t, f64>,
        next: &[Next<'t>],
    ) -> Var<'t, f64> {
        let (a, b) = (self.alpha, self.beta);
        let c = (1.0 - policy) * states.pow(a);
        let n = &next[0];
        let c_next = (1.0 - n.policy) * n.state.pow(a);
        let r_next = n.state.pow(a - 1.0) * a;
        c_next / (r_next * c) * (1.0 / b) - 1.0
    }

    fn closed_form(&self, _state: &[f64]) -> Option<Vec<f64>> {
        Some(vec![self.alpha * self.beta])
    }

    fn report(&self, state: &[f64], policy: &[f64]) -> Vec<(String, f64)> {
        let y = state[0].powf(self.alpha);
        vec![
            ("K_next".into(), policy[0] * y),
            ("consumption".into(), (1.0 - policy[0]) * y),
        ]
    }
}
