//! The course notebook's figures: c = (1.1526, 2.5598), w = (0.4630, 0.6341), d = 2, a 3×64
//! ReLU network, Adam 1e-3, 200 epochs, batch 64, 1 000 training and 2 000 test points.
//! The notebook prints mean absolute errors 0.00916 (oscillatory), 0.00413 (Gaussian) and
//! 0.00234 (continuous); the network here must do at least as well. The study's defaults
//! (LeCun-uniform weights and biases, inputs mapped to [−1, 1], standardised targets) are
//! kept; the architecture and training are the notebook's. Over 4 seeds these defaults gave
//! at most 0.0027 (oscillatory), 0.0040 (Gaussian), 0.0019 (continuous): docs/genz.md.

use gradus::genz::{run_study, Family, Genz, Params, StudyConfig, Target};

fn course_config(seeds: usize) -> StudyConfig {
    StudyConfig {
        samples: vec![1000],
        seeds,
        test_points: 2000,
        hidden: vec![64, 64, 64],
        activation: "relu".into(),
        optimizer: "adam".into(),
        lr: 1e-3,
        schedule: "constant".into(),
        epochs: 200,
        batch_size: 64,
        min_steps: 0,
        baseline: false,
        ..StudyConfig::default()
    }
}

#[test]
fn course_setup_matches_the_notebooks_errors() {
    let params = Params::Given {
        c: vec![1.1526, 2.5598],
        w: vec![0.4630, 0.6341],
    };
    let cases = [
        (Family::Oscillatory, 0.00916),
        (Family::Gaussian, 0.00413),
        (Family::Continuous, 0.00234),
    ];
    let members: Vec<Genz> = cases
        .iter()
        .map(|(f, _)| Genz::new(*f, 2, &params).unwrap())
        .collect();
    let fs: Vec<_> = members.iter().map(|g| move |x: &[f64]| g.eval(x)).collect();
    let targets: Vec<Target> = members
        .iter()
        .zip(&fs)
        .map(|(g, f)| Target {
            name: g.family.name().into(),
            dim: 2,
            describe: g.describe(),
            f,
        })
        .collect();
    let results = run_study(&targets, &course_config(1), None, |_| {}).unwrap();
    for (family, bound) in cases {
        let r = results
            .iter()
            .find(|r| r.function == family.name())
            .unwrap();
        eprintln!(
            "{}: mean abs {:.5} (notebook {bound})",
            r.function, r.net.mean_abs
        );
        assert!(
            r.net.mean_abs <= bound,
            "{}: mean abs error {} > {bound}",
            r.function,
            r.net.mean_abs
        );
    }
}
