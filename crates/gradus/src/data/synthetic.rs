//! Small data sets generated in code: the logic gates, the Franke function and a toy
//! house-price table — the first examples of the lectures, small enough to check by
//! hand and free of licences and files.

use crate::data::dataset::Dataset;
use crate::data::draw::uniform01;
use crate::rng::seeded;
use crate::{Float, Tensor};

/// The four inputs of a two-input gate, in truth-table order.
const GATE_INPUTS: [f64; 8] = [0., 0., 0., 1., 1., 0., 1., 1.];

fn gate<F: Float>(outputs: [usize; 4]) -> Dataset<F> {
    let x = Tensor::from_vec(GATE_INPUTS.iter().map(|&v| F::of(v)).collect(), [4, 2]);
    Dataset::classification(x, outputs.to_vec(), 2).expect("a gate's table is well formed")
}

/// The XOR truth table: inputs (0,0), (0,1), (1,0), (1,1), labels 0, 1, 1, 0 — the
/// smallest problem a linear model cannot solve and one hidden layer can.
/// `y` is one-hot (4 × 2); [`Dataset::label_column`] gives the 4 × 1 0/1 target.
///
/// ```
/// let d = gradus::data::xor::<f64>();
/// assert_eq!(d.x.data(), &[0., 0., 0., 1., 1., 0., 1., 1.]);
/// assert_eq!(d.label_column().unwrap().data(), &[0., 1., 1., 0.]);
/// ```
pub fn xor<F: Float>() -> Dataset<F> {
    gate([0, 1, 1, 0])
}

/// The OR truth table (labels 0, 1, 1, 1), linearly separable; layout as [`xor`].
pub fn or<F: Float>() -> Dataset<F> {
    gate([0, 1, 1, 1])
}

/// The AND truth table (labels 0, 0, 0, 1), linearly separable; layout as [`xor`].
pub fn and<F: Float>() -> Dataset<F> {
    gate([0, 0, 0, 1])
}

/// Franke's bivariate test function (R. Franke, *A critical comparison of some methods
/// for interpolation of scattered data*, NPS-53-79-003, Naval Postgraduate School, 1979),
/// a sum of three Gaussian bumps and one dip on [0, 1]²:
///
/// f(x, y) = ¾·exp(−((9x−2)² + (9y−2)²)/4) + ¾·exp(−(9x+1)²/49 − (9y+1)/10)
///         + ½·exp(−((9x−7)² + (9y−3)²)/4) − ⅕·exp(−(9x−4)² − (9y−7)²)
///
/// ```
/// // f(0, 0) = ¾e^(−2) + ¾e^(−1/49 − 1/10) + ½e^(−58/4) − ⅕e^(−65)
/// let exact = 0.75 * (-2f64).exp() + 0.75 * (-1.0 / 49.0 - 0.1f64).exp()
///     + 0.5 * (-58.0 / 4.0f64).exp() - 0.2 * (-65f64).exp();
/// assert!((gradus::data::franke_function(0.0, 0.0) - exact).abs() < 1e-15);
/// ```
pub fn franke_function(x: f64, y: f64) -> f64 {
    let (a, b) = (9.0 * x, 9.0 * y);
    let t1 = 0.75 * (-((a - 2.0).powi(2) + (b - 2.0).powi(2)) / 4.0).exp();
    let t2 = 0.75 * (-(a + 1.0).powi(2) / 49.0 - (b + 1.0) / 10.0).exp();
    let t3 = 0.5 * (-((a - 7.0).powi(2) + (b - 3.0).powi(2)) / 4.0).exp();
    let t4 = -0.2 * (-(a - 4.0).powi(2) - (b - 7.0).powi(2)).exp();
    t1 + t2 + t3 + t4
}

/// `n` points drawn uniformly from [0, 1)² with `seeded(seed)` (x then y for each
/// point) and the exact [`franke_function`] there: `x` is n × 2, `y` is n × 1, values
/// in (0, 1.23) (maximum ≈ 1.22 near (0.2, 0.2)). Noise, if wanted, is the caller's choice:
///
/// ```
/// use gradus::{data::franke, Tensor};
/// let mut d = franke::<f64>(100, 1);
/// let noise = Tensor::randn([100, 1], 0.0, 0.1, &mut gradus::rng::seeded(2));
/// d.y = &d.y + &noise;
/// assert_eq!(d.x.shape().dims(), &[100, 2]);
/// ```
pub fn franke<F: Float>(n: usize, seed: u64) -> Dataset<F> {
    let mut rng = seeded(seed);
    let mut x = Vec::with_capacity(2 * n);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let (u, v) = (uniform01(&mut rng), uniform01(&mut rng));
        x.extend([F::of(u), F::of(v)]);
        y.push(F::of(franke_function(u, v)));
    }
    Dataset::regression(Tensor::from_vec(x, [n, 2]), Tensor::from_vec(y, [n, 1]))
        .expect("franke builds matching shapes")
}

/// A *toy*, invented for teaching: 16 flats with floor area (m²) and number of rooms,
/// and a price (thousands) made up as about 60 + 2.6·area + 12·rooms plus noise. It is
/// not real market data; it exists so that linear regression, scaling and a first
/// network can be shown on numbers one can read. `x` is 16 × 2 (area, rooms), `y` is
/// 16 × 1 (price).
///
/// ```
/// let d = gradus::data::house_prices::<f64>();
/// assert_eq!((d.len(), d.n_features(), d.n_targets()), (16, 2, 1));
/// assert_eq!(d.x.at(0, 0), 48.0);
/// ```
pub fn house_prices<F: Float>() -> Dataset<F> {
    #[rustfmt::skip]
    const ROWS: [[f64; 3]; 16] = [
        // area m², rooms, price k
        [48., 2., 195.], [55., 2., 223.], [62., 3., 259.], [70., 3., 279.],
        [75., 3., 296.], [82., 3., 358.], [90., 4., 321.], [96., 3., 349.],
        [104., 5., 403.], [110., 5., 393.], [118., 5., 450.], [125., 5., 455.],
        [134., 5., 498.], [142., 6., 507.], [155., 7., 564.], [170., 7., 570.],
    ];
    let x = ROWS
        .iter()
        .flat_map(|r| [F::of(r[0]), F::of(r[1])])
        .collect();
    let y = ROWS.iter().map(|r| F::of(r[2])).collect();
    Dataset::regression(Tensor::from_vec(x, [16, 2]), Tensor::from_vec(y, [16, 1]))
        .expect("the house table has matching shapes")
}
