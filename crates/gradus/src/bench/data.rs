//! Each workload's data and initial parameters, drawn exactly as `common.load_data` and
//! `common.init_params` draw them (numpy streams from [`super::numpy_rng`]): values are
//! generated in float64 (wide-mlp's inputs directly in float32, as numpy does) and then
//! rounded to the workload's dtype.

use super::numpy_rng::{self, Mt19937, Pcg64};
use super::spec::{self, Spec, Task};
use crate::tensor::Float;

/// The arrays a workload trains and is evaluated on, in the workload's dtype.
#[derive(Clone, Debug)]
pub enum Data<F> {
    /// Rows of features `x` (n × d, row-major) with integer class labels.
    Classify {
        x: Vec<F>,
        labels: Vec<usize>,
        x_test: Vec<F>,
        labels_test: Vec<usize>,
        features: usize,
    },
    /// Two input columns and one target column.
    Regress { x: Vec<F>, y: Vec<F> },
    /// Capital, productivity and shock of the fixed batch of states.
    Deqn { k: Vec<F>, z: Vec<F>, eps: Vec<F> },
    /// Collocation points, source term and the two boundary points.
    Pinn { x: Vec<F>, f: Vec<F>, xb: Vec<F> },
}

impl<F: Float> Data<F> {
    /// Training rows (epoch workloads) or the fixed batch size (step workloads).
    pub fn n_train(&self) -> usize {
        match self {
            Data::Classify { labels, .. } => labels.len(),
            Data::Regress { y, .. } => y.len(),
            Data::Deqn { k, .. } => k.len(),
            Data::Pinn { x, .. } => x.len(),
        }
    }
}

fn cast<F: Float>(v: &[f64]) -> Vec<F> {
    v.iter().map(|&x| F::of(x)).collect()
}

/// `common.load_data(spec)`.
pub fn load<F: Float>(s: &Spec) -> Data<F> {
    match (s.name, s.task) {
        ("digits-mlp", _) => digits(),
        ("wide-mlp", _) => wide(),
        (_, Task::Regress) => {
            let mut g = Pcg64::default_rng(spec::SEED_TINY);
            let x = numpy_rng::uniform(&mut g, -1.0, 1.0, 4096 * 2);
            let y: Vec<f64> = x
                .chunks_exact(2)
                .map(|r| (3.0 * r[0]).sin() * (2.0 * r[1]).cos())
                .collect();
            Data::Regress {
                x: cast(&x),
                y: cast(&y),
            }
        }
        (_, Task::Deqn) => {
            let mut g = Pcg64::default_rng(spec::SEED_DEQN);
            let n = s.batch;
            let k = numpy_rng::uniform(&mut g, 0.05, 0.5, n);
            let z = numpy_rng::uniform(&mut g, -0.2, 0.2, n);
            let eps: Vec<f64> = (0..n)
                .map(|_| numpy_rng::standard_normal_f64(&mut g))
                .collect();
            Data::Deqn {
                k: cast(&k),
                z: cast(&z),
                eps: cast(&eps),
            }
        }
        (_, Task::Pinn) => {
            let n = s.batch;
            let pi = std::f64::consts::PI;
            let x = linspace(-1.0, 1.0, n);
            let f: Vec<f64> = x.iter().map(|&v| -(pi * pi) * (pi * v).sin()).collect();
            Data::Pinn {
                x: cast(&x),
                f: cast(&f),
                xb: cast(&[-1.0, 1.0]),
            }
        }
        (_, Task::Classify) => unreachable!("classification workloads are named"),
    }
}

/// `numpy.linspace(a, b, n)`: `a + i·step`, the last point set to `b` exactly.
fn linspace(a: f64, b: f64, n: usize) -> Vec<f64> {
    let step = (b - a) / (n - 1) as f64;
    let mut v: Vec<f64> = (0..n).map(|i| a + i as f64 * step).collect();
    v[n - 1] = b;
    v
}

/// Digits scaled by 1/16, split as `train_test_split(X, y, test_size=0.2, random_state=0)`:
/// a legacy `RandomState(0).permutation(1797)`, its first 360 entries the test rows.
fn digits<F: Float>() -> Data<F> {
    let d = crate::data::digits::<f64>().expect("the bundled digits parse");
    let all_labels = d.labels.clone().expect("digits are labelled");
    let n = all_labels.len();
    let n_test = (0.2 * n as f64).ceil() as usize;
    let perm = numpy_rng::permutation(&mut Mt19937::new(spec::SPLIT_SEED), n);
    let (test, train) = perm.split_at(n_test);
    let rows = |idx: &[usize]| -> Vec<F> {
        idx.iter()
            .flat_map(|&i| d.x.data()[i * 64..(i + 1) * 64].iter())
            .map(|&p| F::of(p / 16.0))
            .collect()
    };
    let labels = |idx: &[usize]| idx.iter().map(|&i| all_labels[i]).collect();
    Data::Classify {
        x: rows(train),
        labels: labels(train),
        x_test: rows(test),
        labels_test: labels(test),
        features: 64,
    }
}

/// 60000 × 784 float32 standard normals and random labels 0..9 from `default_rng(1)`.
fn wide<F: Float>() -> Data<F> {
    let (n, d) = (60000, 784);
    let mut g = Pcg64::default_rng(spec::SEED_WIDE);
    let x: Vec<F> = (0..n * d)
        .map(|_| F::of(numpy_rng::standard_normal_f32(&mut g) as f64))
        .collect();
    let labels = numpy_rng::integers(&mut g, 10, n)
        .into_iter()
        .map(|l| l as usize)
        .collect();
    Data::Classify {
        x,
        labels,
        x_test: Vec::new(),
        labels_test: Vec::new(),
        features: d,
    }
}

/// `common.init_params`: Glorot-uniform W (fan_in × fan_out, row-major) drawn in float64
/// layer by layer from `default_rng(42)`, zero biases; returned as (W, b) pairs.
pub fn init_params<F: Float>(layers: &[usize]) -> Vec<(Vec<F>, Vec<F>)> {
    let mut g = Pcg64::default_rng(spec::SEED_INIT);
    layers
        .windows(2)
        .map(|w| {
            let (fi, fo) = (w[0], w[1]);
            let b = (6.0 / (fi + fo) as f64).sqrt();
            let weights = numpy_rng::uniform(&mut g, -b, b, fi * fo);
            (cast(&weights), vec![F::zero(); fo])
        })
        .collect()
}

/// Index sets of the warm-up (`common.warmup_index_sets`): `steps` full batches of
/// consecutive rows, plus one batch of the short last-batch size if there is one.
pub fn warmup_index_sets(n: usize, batch: usize, steps: usize) -> Vec<Vec<usize>> {
    let span = (n + 1).saturating_sub(batch).max(1);
    let mut out: Vec<Vec<usize>> = (0..steps)
        .map(|i| {
            let st = (i * batch) % span;
            (st..st + batch).collect()
        })
        .collect();
    if n % batch != 0 {
        out.push((0..n % batch).collect());
    }
    out
}
