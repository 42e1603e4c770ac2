//! A stochastic overlapping-generations economy in the style of Krueger & Kubler (2004), as
//! solved by Azinovic, Gaegauf & Scheidegger (2022): A cohorts (six by default) live A
//! periods; capital is the only asset; a four-state Markov chain moves TFP z and
//! depreciation δ together.
//!
//! Cohort a supplies l_a units of labour (an age profile). A Cobb–Douglas firm pays
//!
//! ```text
//!     R = 1 + α z K^(α−1) L^(1−α) − δ,   w = (1 − α) z K^α L^(−α),   K = Σ_{a≥2} k_a
//! ```
//!
//! (L = Σ l_a). Cash on hand is x_a = R k_a + w l_a (the newborn has k_1 = 0); ages
//! 1..A−1 save a share s_a of it (the network's outputs, through sigmoids, so consumption
//! c_a = (1 − s_a) x_a and savings stay positive), age A consumes x_A. Next period's
//! holdings are k'_{a+1} = s_a x_a. With CRRA utility the A − 1 Euler equations are
//!
//! ```text
//!     c_a^(−γ) = β E[R' c'_{a+1}^(−γ)],     a = 1..A−1,
//! ```
//!
//! the expectation a sum over tomorrow's four shock states with the chain's transition
//! probabilities (`Expectation::Markov`). Residuals are consumption-equivalent:
//! (β E[R' c'^(−γ)])^(−1/γ) / c − 1.
//!
//! The analytic special case: log utility and labour only at age 1. From age 2 on every
//! agent owns only financial wealth, and with log utility an agent with n periods left
//! (this one included) consumes the share (1 − β)/(1 − β^n) of cash on hand whatever the
//! return risk (the value function is A_n + B_n log x with B_n = (1 − β^n)/(1 − β); the
//! first-order condition 1/c = β B_{n−1}/(x − c) gives it). So s_a = 1 − (1 − β)/(1 − β^(A+1−a)),
//! constants by age, for any TFP *and depreciation* process: the analytic variant keeps the
//! full TFP × depreciation chain (δ = 1 is not needed; the returns' risk cancels).
//!
//! State columns: holdings k_2..k_A, then the shock index (a float 0..n−1). The network sees
//! log holdings and log K relative to the deterministic steady state, and the shock one-hot.

use crate::autodiff::Var;
use crate::deqn::{col, columns, Expectation, Model, Next, Transform};
use crate::tensor::Tensor;

/// The OLG economy and its training box.
#[derive(Clone, Debug, PartialEq)]
pub struct Olg {
    pub name: String,
    /// Capital share.
    pub alpha: f64,
    /// Discount factor per period (one period ≈ a decade of life).
    pub beta: f64,
    /// CRRA coefficient (1 = log utility).
    pub gamma: f64,
    /// Labour endowment by age; its length is the number of cohorts A (at least 3).
    pub labor: Vec<f64>,
    /// TFP in each shock state.
    pub tfp: Vec<f64>,
    /// Depreciation in each shock state.
    pub delta: Vec<f64>,
    /// Row-stochastic transition matrix between shock states.
    pub transition: Vec<Vec<f64>>,
    /// Box for every holding as multiples of its deterministic steady-state value.
    pub k_box: (f64, f64),
}

/// The deterministic steady state (shocks at their stationary means).
#[derive(Clone, Debug, PartialEq)]
pub struct OlgSteadyState {
    /// Holdings k_2..k_A.
    pub holdings: Vec<f64>,
    /// Savings rates s_1..s_{A−1}.
    pub savings_rates: Vec<f64>,
    pub capital: f64,
    pub gross_return: f64,
    pub wage: f64,
}

/// Two independent two-state chains, TFP {0.95, 1.05} and depreciation {0.5, 0.9}
/// (Azinovic et al.'s values), combined: state i = 2·(δ index) + (z index).
fn tfp_depreciation_chain(stay_z: f64, stay_d: f64) -> (Vec<f64>, Vec<f64>, Vec<Vec<f64>>) {
    let pz = [[stay_z, 1.0 - stay_z], [1.0 - stay_z, stay_z]];
    let pd = [[stay_d, 1.0 - stay_d], [1.0 - stay_d, stay_d]];
    let mut p = vec![vec![0.0; 4]; 4];
    for (i, row) in p.iter_mut().enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            *v = pd[i / 2][j / 2] * pz[i % 2][j % 2];
        }
    }
    (vec![0.95, 1.05, 0.95, 1.05], vec![0.5, 0.5, 0.9, 0.9], p)
}

impl Olg {
    /// The general model: six cohorts, γ = 2, α = 0.3, β = 0.7, labour
    /// (1.0, 1.0, 0.9, 0.8, 0.2, 0) — working ages 1–4, partly retired at 5, retired at 6 —
    /// and a persistent chain (TFP stays with probability 0.7, depreciation with 0.6).
    pub fn krueger_kubler() -> Self {
        let (tfp, delta, transition) = tfp_depreciation_chain(0.7, 0.6);
        Olg {
            name: "olg".into(),
            alpha: 0.3,
            beta: 0.7,
            gamma: 2.0,
            labor: vec![1.0, 1.0, 0.9, 0.8, 0.2, 0.0],
            tfp,
            delta,
            transition,
            k_box: (0.5, 2.0),
        }
    }

    /// The analytic variant: log utility, labour only at age 1, the same chain; savings
    /// rates are the closed-form constants [`Olg::analytic_savings_rates`].
    pub fn analytic() -> Self {
        Olg {
            name: "olg-analytic".into(),
            gamma: 1.0,
            labor: vec![1.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            ..Self::krueger_kubler()
        }
    }

    /// Number of cohorts A.
    pub fn ages(&self) -> usize {
        self.labor.len()
    }

    fn savers(&self) -> usize {
        self.ages() - 1
    }

    /// Whether the closed form applies: log utility and no labour after age 1.
    pub fn is_analytic(&self) -> bool {
        self.gamma == 1.0 && self.labor[1..].iter().all(|&l| l == 0.0)
    }

    /// s_a = 1 − (1 − β)/(1 − β^n), n = A + 1 − a periods left, for a = 1..A−1.
    pub fn analytic_savings_rates(&self) -> Vec<f64> {
        let b = self.beta;
        (1..self.ages())
            .map(|a| {
                let n = (self.ages() + 1 - a) as i32;
                1.0 - (1.0 - b) / (1.0 - b.powi(n))
            })
            .collect()
    }

    /// Stationary distribution of the shock chain (power iteration).
    pub fn stationary(&self) -> Vec<f64> {
        let n = self.transition.len();
        let mut pi = vec![1.0 / n as f64; n];
        for _ in 0..10_000 {
            let mut next = vec![0.0; n];
            for (i, p) in pi.iter().enumerate() {
                for (j, q) in self.transition[i].iter().enumerate() {
                    next[j] += p * q;
                }
            }
            let diff: f64 = next.iter().zip(&pi).map(|(a, b)| (a - b).abs()).sum();
            pi = next;
            if diff < 1e-15 {
                break;
            }
        }
        pi
    }

    /// Gross return and wage at aggregate capital K in a shock state given by (z, δ).
    pub fn prices(&self, k: f64, z: f64, delta: f64) -> (f64, f64) {
        let (a, l) = (self.alpha, self.labor.iter().sum::<f64>());
        (
            1.0 + a * z * k.powf(a - 1.0) * l.powf(1.0 - a) - delta,
            (1.0 - a) * z * k.powf(a) * l.powf(-a),
        )
    }

    /// The deterministic steady state with z and δ at their stationary means: at prices
    /// (R, w) the life-cycle plan without borrowing limits is c_{a+1} = (βR)^(1/γ) c_a with
    /// the lifetime budget Σ c_a R^(1−a) = Σ w l_a R^(1−a); the capital it saves must equal
    /// K (bisection on log K). `None` if no steady state with positive holdings exists.
    pub fn steady_state(&self) -> Option<OlgSteadyState> {
        let pi = self.stationary();
        let z: f64 = pi.iter().zip(&self.tfp).map(|(p, v)| p * v).sum();
        let d: f64 = pi.iter().zip(&self.delta).map(|(p, v)| p * v).sum();
        let plan = |k: f64| -> (Vec<f64>, f64, f64) {
            let (r, w) = self.prices(k, z, d);
            let g = (self.beta * r).powf(1.0 / self.gamma);
            let (mut pv_inc, mut pv_c) = (0.0, 0.0);
            for (a, l) in self.labor.iter().enumerate() {
                pv_inc += w * l / r.powi(a as i32);
                pv_c += (g / r).powi(a as i32);
            }
            let mut c = pv_inc / pv_c;
            let mut held = 0.0;
            let mut holdings = Vec::with_capacity(self.savers());
            for l in &self.labor[..self.savers()] {
                held = r * held + w * l - c;
                holdings.push(held);
                c *= g;
            }
            (holdings, r, w)
        };
        let excess = |lk: f64| plan(lk.exp()).0.iter().sum::<f64>() - lk.exp();
        let (mut lo, mut hi) = ((1e-8f64).ln(), (1e4f64).ln());
        if !(excess(lo) > 0.0 && excess(hi) < 0.0) {
            return None;
        }
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if excess(mid) > 0.0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let k = (0.5 * (lo + hi)).exp();
        let (holdings, r, w) = plan(k);
        if holdings.iter().any(|&h| h <= 0.0) {
            return None;
        }
        let savings_rates = (0..self.savers())
            .map(|a| {
                let x = if a == 0 { 0.0 } else { r * holdings[a - 1] } + w * self.labor[a];
                holdings[a] / x
            })
            .collect();
        Some(OlgSteadyState {
            holdings,
            savings_rates,
            capital: k,
            gross_return: r,
            wage: w,
        })
    }

    fn steady(&self) -> OlgSteadyState {
        self.steady_state().unwrap_or_else(|| {
            panic!(
                "OLG model {:?}: no steady state with positive holdings (check the labour \
                 profile and β)",
                self.name
            )
        })
    }

    /// Per-row shock indices of a column. The index is discrete and carries no
    /// derivative, so reading its value is exact and cheaper than a polynomial in it.
    fn shock_rows(&self, shock: Var<'_, f64>) -> Vec<usize> {
        let n = self.transition.len();
        shock
            .value()
            .data()
            .iter()
            .map(|v| (v.round().max(0.0) as usize).min(n - 1))
            .collect()
    }

    /// Gross return R and wage w (batch × 1 each) at holdings `k` (batch × (A−1)).
    fn prices_var<'t>(&self, k: Var<'t, f64>, shock: Var<'t, f64>) -> (Var<'t, f64>, Var<'t, f64>) {
        let tape = k.tape();
        let idx = self.shock_rows(shock);
        let rows = idx.len();
        let column = |f: &dyn Fn(usize) -> f64| {
            tape.constant(&Tensor::from_vec(
                idx.iter().map(|&i| f(i)).collect(),
                [rows, 1],
            ))
        };
        let z = column(&|i| self.tfp[i]);
        let keep = column(&|i| 1.0 - self.delta[i]);
        let (a, l) = (self.alpha, self.labor.iter().sum::<f64>());
        let big_k = k.sum_axis(1);
        let r = big_k.pow(a - 1.0) * z * (a * l.powf(1.0 - a)) + keep;
        let w = big_k.pow(a) * z * ((1.0 - a) * l.powf(-a));
        (r, w)
    }

    /// Cash on hand of ages 1..A−1 (the savers) and of ages 2..A (batch × (A−1) each),
    /// and the gross return (batch × 1).
    fn cash<'t>(&self, state: Var<'t, f64>) -> (Var<'t, f64>, Var<'t, f64>, Var<'t, f64>) {
        let m = self.savers();
        let k = state.narrow(1, 0, m);
        let (r, w) = self.prices_var(k, col(state, m));
        let tape = state.tape();
        let rows = state.shape().as_matrix().0;
        let lab = |from: usize| {
            tape.constant(&Tensor::from_vec(
                self.labor[from..from + m].to_vec(),
                [1, m],
            ))
        };
        let k_young = tape.full([rows, 1], 0.0).concat(k.narrow(1, 0, m - 1), 1);
        (k_young * r + w * lab(0), k * r + w * lab(1), r)
    }
}

impl Model for Olg {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn states(&self) -> Vec<String> {
        let mut s: Vec<String> = (2..=self.ages()).map(|a| format!("k{a}")).collect();
        s.push("shock".into());
        s
    }

    fn policies(&self) -> Vec<(String, Transform)> {
        (1..self.ages())
            .map(|a| (format!("savings_rate_{a}"), Transform::Sigmoid))
            .collect()
    }

    fn equations(&self) -> Vec<String> {
        (1..self.ages()).map(|a| format!("euler_{a}")).collect()
    }

    fn bounds(&self) -> Vec<(f64, f64)> {
        let ss = self.steady();
        let mut b: Vec<(f64, f64)> = ss
            .holdings
            .iter()
            .map(|k| (self.k_box.0 * k, self.k_box.1 * k))
            .collect();
        // Rounded to an index by the trainer: every state gets the same share of draws.
        b.push((-0.499, self.transition.len() as f64 - 0.501));
        b
    }

    fn start(&self) -> Vec<f64> {
        let mut s = self.steady().holdings;
        s.push(0.0);
        s
    }

    fn expectation(&self) -> Expectation {
        Expectation::Markov {
            transition: self.transition.clone(),
            column: self.savers(),
        }
    }

    /// Log holdings and log K against the steady state, scaled so the box is [−1, 1], and
    /// the shock as a ±1 one-hot vector.
    fn features<'t>(&self, states: Var<'t, f64>) -> Var<'t, f64> {
        let m = self.savers();
        let tape = states.tape();
        let ss = self.steady();
        let (lo, hi) = (self.k_box.0.ln(), self.k_box.1.ln());
        let (mid, scale) = (0.5 * (lo + hi), 2.0 / (hi - lo));
        let log_ss: Vec<f64> = ss.holdings.iter().map(|k| k.ln() + mid).collect();
        let k = states.narrow(1, 0, m);
        let fk = (k.ln() - tape.constant(&Tensor::from_vec(log_ss, [1, m]))) * scale;
        let fbig = (k.sum_axis(1).ln() - (ss.capital.ln() + mid)) * scale;
        let idx = self.shock_rows(col(states, m));
        let n = self.transition.len();
        let hot: Vec<f64> = idx
            .iter()
            .flat_map(|&i| (0..n).map(move |j| if i == j { 1.0 } else { -1.0 }))
            .collect();
        let hot = tape.constant(&Tensor::from_vec(hot, [idx.len(), n]));
        columns(&[fk, fbig, hot])
    }

    fn next_state<'t>(
        &self,
        states: Var<'t, f64>,
        policy: Var<'t, f64>,
        shocks: Var<'t, f64>,
    ) -> Var<'t, f64> {
        let (x_young, _, _) = self.cash(states);
        (policy * x_young).concat(shocks, 1)
    }

    fn residuals<'t>(
        &self,
        states: Var<'t, f64>,
        policy: Var<'t, f64>,
        next: &[Next<'t>],
    ) -> Var<'t, f64> {
        let m = self.savers();
        let (x_young, _, _) = self.cash(states);
        let c = (1.0 - policy) * x_young;
        let mut acc: Option<Var<'t, f64>> = None;
        for n in next {
            let (_, x_old, r1) = self.cash(n.state);
            // Tomorrow ages 2..A−1 save with policy columns 2..A−1; age A saves nothing.
            let rows = n.state.shape().as_matrix().0;
            let s_old = n
                .policy
                .narrow(1, 1, m - 1)
                .concat(n.state.tape().full([rows, 1], 0.0), 1);
            let c1 = (1.0 - s_old) * x_old;
            let term = n.weight * (c1.pow(-self.gamma) * r1);
            acc = Some(match acc {
                Some(a) => a + term,
                None => term,
            });
        }
        let e = acc.expect("at least one shock state");
        (e * self.beta).pow(-1.0 / self.gamma) / c - 1.0
    }

    /// The deterministic steady-state savings rates; for the analytic variant (where those
    /// *are* the closed form, and starting there would make the check empty) a neutral 0.5.
    /// A random start is unsafe here: a cohort saving almost nothing leaves the next
    /// cohort with near-zero wealth, its log features far outside the box, a saturated
    /// sigmoid and zero consumption (an infinite residual) a period later.
    fn initial_policy(&self) -> Option<Vec<f64>> {
        Some(if self.is_analytic() {
            vec![0.5; self.savers()]
        } else {
            self.steady().savings_rates
        })
    }

    fn closed_form(&self, _state: &[f64]) -> Option<Vec<f64>> {
        self.is_analytic().then(|| self.analytic_savings_rates())
    }

    /// Aggregate capital today and tomorrow, the gross return, aggregate consumption.
    fn report(&self, state: &[f64], policy: &[f64]) -> Vec<(String, f64)> {
        let m = self.savers();
        let n = self.transition.len();
        let i = (state[m].round().max(0.0) as usize).min(n - 1);
        let k: f64 = state[..m].iter().sum();
        let (r, w) = self.prices(k, self.tfp[i], self.delta[i]);
        let (mut c_total, mut k_next) = (0.0, 0.0);
        for a in 0..self.ages() {
            let x = if a == 0 { 0.0 } else { r * state[a - 1] } + w * self.labor[a];
            let s = if a < m { policy[a] } else { 0.0 };
            c_total += (1.0 - s) * x;
            k_next += s * x;
        }
        vec![
            ("K".into(), k),
            ("K_next".into(), k_next),
            ("gross_return".into(), r),
            ("consumption".into(), c_total),
        ]
    }
}
