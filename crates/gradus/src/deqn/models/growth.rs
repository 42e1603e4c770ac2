//! The stochastic neoclassical growth model: CRRA utility (γ = 1 is log), Cobb–Douglas
//! output z·K^α, depreciation δ, AR(1) TFP log z' = ρ log z + σε. With γ = 1 and δ = 1 it
//! is stochastic Brock–Mirman, whose savings rate is αβ exactly; otherwise the grid
//! reference solver (`reference.rs`) checks it.
//!
//! States (K, log z); the network gives the savings rate s = K'/W of wealth
//! W = z K^α + (1 − δ) K through a sigmoid; c = (1 − s) W. Euler equation:
//! c^(−γ) = β E[c'^(−γ) (α z' K'^(α−1) + 1 − δ)], with the expectation by Gauss–Hermite.

use crate::autodiff::Var;
use crate::deqn::reference::GrowthParams;
use crate::deqn::{col, columns, expect, Expectation, Model, Next, Quadrature, Transform};

/// A stochastic growth model with its training box.
#[derive(Clone, Debug, PartialEq)]
pub struct Growth {
    pub name: String,
    pub params: GrowthParams,
    /// Gauss–Hermite nodes for the expectation over ε.
    pub nodes: usize,
    /// Box for K as multiples of the deterministic steady state K*. It should be (nearly)
    /// invariant under any savings rate in (0, 1): on a box that next period's capital can
    /// leave, the Euler equation also has explosive "bubble" solutions (s rising with K),
    /// which a network trained only inside the box can fit.
    pub k_box: (f64, f64),
    /// Box for log z in unconditional standard deviations.
    pub z_box_sd: f64,
}

impl Growth {
    fn with(name: &str, params: GrowthParams, k_box: (f64, f64)) -> Self {
        Growth {
            name: name.into(),
            params,
            nodes: 7,
            k_box,
            z_box_sd: 4.0,
        }
    }

    /// Stochastic Brock–Mirman: α = 0.36, β = 0.99, δ = 1, log utility, ρ = 0.9, σ = 0.04.
    pub fn brock_mirman() -> Self {
        Self::with(
            "brock-mirman-stochastic",
            GrowthParams {
                alpha: 0.36,
                beta: 0.99,
                delta: 1.0,
                gamma: 1.0,
                rho: 0.9,
                sigma: 0.04,
            },
            (0.5, 5.0),
        )
    }

    /// Brock–Mirman with δ = 0.1 (no closed form).
    pub fn brock_mirman_delta() -> Self {
        let mut m = Self::brock_mirman();
        m.name = "brock-mirman-delta".into();
        m.params.delta = 0.1;
        m.k_box = (0.5, 2.0);
        m
    }

    /// CRRA utility γ = 2, δ = 0.1.
    pub fn crra() -> Self {
        let mut m = Self::brock_mirman_delta();
        m.name = "growth-crra".into();
        m.params.gamma = 2.0;
        m
    }

    /// Unconditional standard deviation of log z.
    pub fn z_sd(&self) -> f64 {
        let p = &self.params;
        p.sigma / (1.0 - p.rho * p.rho).sqrt()
    }

    fn wealth<'t>(&self, k: Var<'t, f64>, log_z: Var<'t, f64>) -> Var<'t, f64> {
        let p = &self.params;
        let y = log_z.exp() * k.pow(p.alpha);
        if p.delta == 1.0 {
            y
        } else {
            y + k * (1.0 - p.delta)
        }
    }
}

impl Model for Growth {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn states(&self) -> Vec<String> {
        vec!["K".into(), "log_z".into()]
    }

    fn policies(&self) -> Vec<(String, Transform)> {
        vec![("savings_rate".into(), Transform::Sigmoid)]
    }

    fn equations(&self) -> Vec<String> {
        vec!["euler".into()]
    }

    fn bounds(&self) -> Vec<(f64, f64)> {
        let k = self.params.steady_state();
        let z = self.z_box_sd * self.z_sd();
        vec![(self.k_box.0 * k, self.k_box.1 * k), (-z, z)]
    }

    fn start(&self) -> Vec<f64> {
        vec![self.params.steady_state(), 0.0]
    }

    fn expectation(&self) -> Expectation {
        Expectation::Gaussian(Quadrature::gauss_hermite(self.nodes, self.params.sigma))
    }

    /// log K and log z mapped to [−1, 1] over the box.
    fn features<'t>(&self, states: Var<'t, f64>) -> Var<'t, f64> {
        let (lo, hi) = (self.k_box.0.ln(), self.k_box.1.ln());
        let k = (col(states, 0).ln() - self.params.steady_state().ln() - 0.5 * (lo + hi))
            * (2.0 / (hi - lo));
        let z = col(states, 1) * (1.0 / (self.z_box_sd * self.z_sd()));
        columns(&[k, z])
    }

    fn next_state<'t>(
        &self,
        states: Var<'t, f64>,
        policy: Var<'t, f64>,
        shocks: Var<'t, f64>,
    ) -> Var<'t, f64> {
        let (k, z) = (col(states, 0), col(states, 1));
        let k_next = policy * self.wealth(k, z);
        let z_next = z * self.params.rho + shocks;
        columns(&[k_next, z_next])
    }

    /// Relative Euler error c̃/c − 1 with c̃ = (β E[c'^(−γ) R'])^(−1/γ).
    fn residuals<'t>(
        &self,
        states: Var<'t, f64>,
        policy: Var<'t, f64>,
        next: &[Next<'t>],
    ) -> Var<'t, f64> {
        let p = &self.params;
        let c = (1.0 - policy) * self.wealth(col(states, 0), col(states, 1));
        let e = expect(next, |n| {
            let (k1, z1) = (col(n.state, 0), col(n.state, 1));
            let c1 = (1.0 - n.policy) * self.wealth(k1, z1);
            let mut r1 = z1.exp() * k1.pow(p.alpha - 1.0) * p.alpha;
            if p.delta != 1.0 {
                r1 = r1 + (1.0 - p.delta);
            }
            c1.pow(-p.gamma) * r1
        });
        (e * p.beta).pow(-1.0 / p.gamma) / c - 1.0
    }

    /// The steady-state savings rate K*/W* — only where there is no closed form (with
    /// δ = 1 it *is* the closed form αβ, and starting there would make the check empty).
    fn initial_policy(&self) -> Option<Vec<f64>> {
        let p = &self.params;
        let k = p.steady_state();
        (self.closed_form(&[k, 0.0]).is_none()).then(|| vec![k / p.wealth(k, 0.0)])
    }

    fn closed_form(&self, _state: &[f64]) -> Option<Vec<f64>> {
        let p = &self.params;
        (p.delta == 1.0 && p.gamma == 1.0).then(|| vec![p.alpha * p.beta])
    }

    fn report(&self, state: &[f64], policy: &[f64]) -> Vec<(String, f64)> {
        let w = self.params.wealth(state[0], state[1]);
        vec![
            ("K_next".into(), policy[0] * w),
            ("consumption".into(), (1.0 - policy[0]) * w),
        ]
    }
}
