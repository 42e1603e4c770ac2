//! The CMA-ES measurements of docs/optimisation.md: evaluations to reach f < 1e-8 on 10-D
//! sphere, ellipsoid (condition 1e6) and Rosenbrock from x0 = (3, ..., 3), σ0 = 2, over
//! seeds 0..11; then IPOP-CMA-ES on 10-D Rastrigin from uniform starts in [-5.12, 5.12]¹⁰.
//! The same runs of pycma are in scripts/pycma_benchmark.py.
//!
//!     cargo run --release -p gradus --example cmaes_benchmark

use gradus::evo::{cmaes_minimize, ipop, CmaParams, IpopParams, Start, StopReason};
use gradus::testfn::TestFunction;

fn median(v: &mut [usize]) -> f64 {
    v.sort_unstable();
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2] as f64
    } else {
        (v[n / 2 - 1] + v[n / 2]) as f64 / 2.0
    }
}

fn main() {
    let seeds = 0..11u64;
    let dim = 10;
    println!("function      seeds reached  median evals  all evals");
    for name in ["sphere", "ellipsoid", "rosenbrock"] {
        let f = TestFunction::by_name(name, dim).unwrap();
        let mut evals = Vec::new();
        let mut reached = 0;
        for seed in seeds.clone() {
            let params = CmaParams {
                f_target: Some(1e-8),
                ..CmaParams::default()
            };
            let r = cmaes_minimize(|x| f.value(x), &[3.0; 10], 2.0, params, seed).unwrap();
            if r.stop.contains(&StopReason::FTarget) {
                reached += 1;
                evals.push(r.evaluations);
            } else {
                println!(
                    "  {name} seed {seed}: stopped by {:?} at f = {:.3e}",
                    r.stop, r.f
                );
            }
        }
        let all = format!("{evals:?}");
        println!(
            "{name:<12} {reached:>2}/11 {:>16} {all}",
            median(&mut evals)
        );
    }
    let f = TestFunction::by_name("rastrigin", dim).unwrap();
    let mut successes = 0;
    let mut evals = Vec::new();
    for seed in seeds {
        let params = CmaParams {
            f_target: Some(1e-8),
            ..CmaParams::default()
        };
        let start = Start::Uniform {
            lower: vec![-5.12; dim],
            upper: vec![5.12; dim],
        };
        let r = ipop(
            |x| f.value(x),
            start,
            2.0,
            params,
            &IpopParams::default(),
            seed,
        )
        .unwrap();
        let pops: Vec<usize> = r.runs.iter().map(|run| run.popsize).collect();
        println!(
            "rastrigin seed {seed:>2}: f = {:.2e}, {} evaluations, populations {pops:?}",
            r.f, r.evaluations
        );
        if r.f < 1e-8 {
            successes += 1;
        }
        evals.push(r.evaluations);
    }
    println!(
        "IPOP on 10-D Rastrigin: {successes}/11 reached f < 1e-8, median {} evaluations",
        median(&mut evals)
    );
}
