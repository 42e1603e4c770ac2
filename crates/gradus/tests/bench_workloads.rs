//! `gradus::bench` reproduces the peer benchmarks' inputs bit for bit and trains to their
//! results. Expected values were printed by numpy 2.4.6 / scikit-learn 1.9.1 running the
//! peers' own `common.py` (../shared/bench/peers/), e.g.
//! `np.random.default_rng(42).bit_generator.random_raw(3)`.

use gradus::bench::numpy_rng::{self, BitGen, Mt19937, Pcg64};
use gradus::bench::{data, find, metrics, run};

#[test]
fn pcg64_seeding_and_raw_draws_match_numpy() {
    let mut g = Pcg64::default_rng(42);
    let raw: Vec<u64> = (0..3).map(|_| g.next_u64()).collect();
    assert_eq!(
        raw,
        [
            14276969152011380360,
            8095878257575067585,
            15838336090824644132
        ]
    );
    let u = numpy_rng::uniform(&mut Pcg64::default_rng(42), -1.0, 1.0, 3);
    assert_eq!(
        u,
        [0.5479120971119267, -0.12224312049589536, 0.7171958398227649]
    );
}

#[test]
fn normals_integers_and_permutations_match_numpy() {
    let mut g = Pcg64::default_rng(3);
    let z: Vec<f64> = (0..5)
        .map(|_| numpy_rng::standard_normal_f64(&mut g))
        .collect();
    assert_eq!(
        z,
        [
            2.0409191213851825,
            -2.5556650313141818,
            0.41809884672577885,
            -0.5677696061279298,
            -0.45264929211044586
        ]
    );
    // 100000 float32 normals reach the ziggurat's rare branches (tail and wedges).
    let mut g = Pcg64::default_rng(1);
    let a: Vec<f32> = (0..100_000)
        .map(|_| numpy_rng::standard_normal_f32(&mut g))
        .collect();
    assert_eq!(a[..4], [1.7291036f32, -1.4284534, 1.0277448, 1.8820691]);
    let sum: f64 = a.iter().map(|&v| v as f64).sum();
    assert_eq!(sum, -395.11194197801296);
    assert_eq!(a.iter().copied().fold(f32::INFINITY, f32::min), -4.247344);
    // The integers continue the same stream (including a buffered half draw).
    let ints = numpy_rng::integers(&mut g, 10, 12);
    assert_eq!(ints, [2, 9, 7, 5, 5, 8, 6, 3, 9, 2, 9, 6]);

    let mut g = Pcg64::default_rng(7);
    assert_eq!(
        numpy_rng::permutation(&mut g, 10),
        [8, 0, 7, 1, 3, 6, 2, 4, 5, 9]
    );
    assert_eq!(
        numpy_rng::permutation(&mut g, 1437)[..8],
        [754, 475, 1229, 1061, 753, 950, 1149, 1104]
    );
    // scikit-learn's train_test_split(random_state=0): legacy RandomState(0).permutation.
    assert_eq!(
        numpy_rng::permutation(&mut Mt19937::new(0), 1797)[..10],
        [1081, 1707, 927, 713, 262, 182, 303, 895, 933, 1266]
    );
}

#[test]
fn workload_data_and_initial_weights_match_common_py() {
    let s = find("digits-mlp").unwrap();
    match data::load::<f32>(s) {
        data::Data::Classify {
            x,
            labels,
            labels_test,
            ..
        } => {
            assert_eq!(
                (x.len(), labels.len(), labels_test.len()),
                (1437 * 64, 1437, 360)
            );
            assert_eq!(labels[..10], [6, 5, 3, 4, 4, 4, 8, 8, 7, 0]);
            assert_eq!(labels_test[..10], [2, 8, 2, 6, 6, 7, 1, 9, 8, 5]);
            assert_eq!(x[..64].iter().sum::<f32>(), 21.5);
        }
        _ => panic!("digits is a classification workload"),
    }
    match data::load::<f64>(find("tiny-mlp-smallbatch-f64").unwrap()) {
        data::Data::Regress { x, .. } => assert_eq!(x[4095 * 2 + 1], 0.3943593795402478),
        _ => panic!("tiny-mlp is a regression workload"),
    }
    match data::load::<f32>(find("deqn-step").unwrap()) {
        data::Data::Deqn { k, eps, .. } => {
            assert_eq!(
                (k[0], eps[255]),
                (0.08854212611913681f64 as f32, -0.5382974743843079f64 as f32)
            );
        }
        _ => panic!("deqn data"),
    }
    // common.init_params draws in float64 and casts to the workload's float32.
    let p = data::init_params::<f32>(&[784, 512, 512, 10]);
    assert_eq!(p[2].0[511 * 10 + 9], -0.03768976032733917f64 as f32);
    assert!(p.iter().all(|(_, b)| b.iter().all(|&v| v == 0.0)));
}

#[test]
fn final_metrics_of_known_weights_are_exact() {
    // A 1-2-1 tanh net with hand-set weights: the pinn metric's u'' against the closed form.
    let p = vec![
        (vec![0.7, -0.4], vec![0.1, 0.2]),
        (vec![1.5, 0.5], vec![0.3]),
    ];
    let x = [0.25];
    let (t1, t2) = ((0.7f64 * 0.25 + 0.1).tanh(), (-0.4f64 * 0.25 + 0.2).tanh());
    let u2 =
        1.5 * (-2.0 * t1 * (1.0 - t1 * t1) * 0.49) + 0.5 * (-2.0 * t2 * (1.0 - t2 * t2) * 0.16);
    let loss = metrics::pinn_loss(&p, &x, &[0.0], &[]);
    assert!((loss - u2 * u2).abs() < 1e-15, "{loss} vs {}", u2 * u2);
}

/// The same maths as the peers gives the same numbers: after the full default run
/// (10 epochs), torch, jax and sklearn all report 0.09245 (RESULTS.md).
#[test]
fn tiny_mlp_trains_to_the_peers_final_loss() {
    let out = run(find("tiny-mlp-smallbatch").unwrap(), None, 1);
    assert_eq!(out.repeat_s.len(), 10);
    assert_eq!(out.steps_per_repeat, 256);
    assert!(
        (out.final_loss - 0.09245).abs() < 5e-6,
        "final loss {} (peers 0.09245)",
        out.final_loss
    );
}
