//! The data module: splits, scalers, mini-batches, bundled and generated data sets.

use gradus::data::{
    self, train_val_test_split, Batches, DataError, Dataset, MinMaxScaler, StandardScaler, Table,
};
use gradus::{rng, Tensor};

fn sorted(mut v: Vec<usize>) -> Vec<usize> {
    v.sort_unstable();
    v
}

// ---- splits ----

#[test]
fn split_sizes_round_held_out_parts_up() {
    // 0.2·1797 = 359.4 → 360 held out (as scikit-learn's train_test_split), 1437 train.
    let s = train_val_test_split(1797, (0.8, 0.2, 0.0), 1).unwrap();
    assert_eq!((s.train.len(), s.val.len(), s.test.len()), (1437, 360, 0));
    // 0.1·569 = 56.9 → 57 each, the remaining 455 train.
    let s = train_val_test_split(569, (0.8, 0.1, 0.1), 1).unwrap();
    assert_eq!((s.train.len(), s.val.len(), s.test.len()), (455, 57, 57));
}

#[test]
fn split_is_disjoint_covering_and_seeded() {
    let a = train_val_test_split(1797, (0.7, 0.2, 0.1), 42).unwrap();
    let all = [a.train.clone(), a.val.clone(), a.test.clone()].concat();
    assert_eq!(sorted(all), (0..1797).collect::<Vec<_>>());
    assert_eq!(a, train_val_test_split(1797, (0.7, 0.2, 0.1), 42).unwrap());
    let b = train_val_test_split(1797, (0.7, 0.2, 0.1), 43).unwrap();
    assert_ne!(a.train, b.train);
    assert_ne!(sorted(a.val.clone()), sorted(b.val.clone()));
    // Shuffled, not the identity.
    assert_ne!(a.train, sorted(a.train.clone()));
}

#[test]
fn bad_fractions_are_errors() {
    for f in [
        (0.5, 0.5, 0.5),
        (0.8, 0.1, 0.0),
        (1.2, -0.2, 0.0),
        (f64::NAN, 0.5, 0.5),
        (f64::INFINITY, 0.0, 0.0),
    ] {
        let err = train_val_test_split(100, f, 0).unwrap_err();
        assert!(
            matches!(err, DataError::BadFractions { .. }),
            "{f:?}: {err}"
        );
        assert!(err.to_string().contains("sum to 1"), "{err}");
    }
    // Within the 1e-9 tolerance is accepted.
    assert!(train_val_test_split(100, (0.7, 0.2, 0.1 + 5e-10), 0).is_ok());
    let d = data::xor::<f64>();
    assert!(matches!(
        d.split((0.9, 0.9, 0.0), 0),
        Err(DataError::BadFractions { .. })
    ));
}

#[test]
fn dataset_split_keeps_rows_and_labels_together() {
    let d = data::digits::<f64>().unwrap();
    let s = train_val_test_split(d.len(), (0.6, 0.2, 0.2), 5).unwrap();
    let (train, val, test) = d.split((0.6, 0.2, 0.2), 5).unwrap();
    assert_eq!(
        (train.len(), val.len(), test.len()),
        (s.train.len(), s.val.len(), s.test.len())
    );
    let labels = d.labels.as_ref().unwrap();
    for (k, &row) in s.val.iter().enumerate() {
        assert_eq!(val.labels.as_ref().unwrap()[k], labels[row]);
        assert_eq!(val.x.at(k, 20), d.x.at(row, 20));
        assert_eq!(val.y.at(k, labels[row]), 1.0);
    }
    assert_eq!(test.n_classes(), Some(10));
}

// ---- scalers ----

fn matrix() -> Tensor<f64> {
    // Column 0 varies, column 1 is constant, column 2 has a wide range.
    Tensor::from_vec(
        vec![1., 5., -10., 2., 5., 0., 3., 5., 30., 100., 5., 1e6],
        [4, 3],
    )
}

#[test]
fn scalers_use_training_rows_only() {
    let x = matrix();
    let train = [0, 1, 2]; // row 3 is an outlier held out
    let mm = MinMaxScaler::fit_rows(&x, &train);
    assert_eq!(mm.min, vec![1., 5., -10.]);
    assert_eq!(mm.range, vec![2., 1., 40.]); // constant column: range 1, not 0
    let t = mm.transform(&x);
    // Row 3 is mapped with the training statistics, so it lands far outside [0, 1].
    assert_eq!(&t.data()[9..], &[49.5, 0.0, (1e6 + 10.0) / 40.0]);
    assert_eq!(mm, MinMaxScaler::fit(&x.gather_rows(&train)));

    let st = StandardScaler::fit_rows(&x, &train);
    // Column 0 over rows 0..3: mean 2, population sd √(2/3).
    assert_eq!(st.mean[0], 2.0);
    assert!((st.std[0] - (2.0f64 / 3.0).sqrt()).abs() < 1e-15);
    assert_eq!((st.mean[1], st.std[1]), (5.0, 1.0));
    let t = st.transform(&x);
    assert!((t.at(3, 0) - 98.0 / (2.0f64 / 3.0).sqrt()).abs() < 1e-9);
    assert!(t.data().iter().all(|v| v.is_finite()));
    assert_eq!(t.at(3, 1), 0.0);
}

#[test]
fn scalers_invert_and_standardise() {
    let x = matrix();
    let mm = MinMaxScaler::fit(&x);
    let t = mm.transform(&x);
    assert!(t.data().iter().all(|&v| (0.0..=1.0).contains(&v)));
    assert!(mm.inverse_transform(&t).max_abs_diff(&x) < 1e-9);

    let st = StandardScaler::fit(&x);
    let t = st.transform(&x);
    let mean = t.mean_axis(0);
    let var = t.map(|v| v * v).mean_axis(0);
    assert!(
        mean.data().iter().all(|m| m.abs() < 1e-12),
        "{:?}",
        mean.data()
    );
    assert!((var.data()[0] - 1.0).abs() < 1e-12 && (var.data()[2] - 1.0).abs() < 1e-12);
    assert_eq!(var.data()[1], 0.0); // the constant column stays at 0
    assert!(st.inverse_transform(&t).max_abs_diff(&x) < 1e-9);

    // A constant column whose mean is inexact in binary (0.1 three times) still maps to 0.
    let c = Tensor::<f64>::from_vec(vec![0.1, 0.1, 0.1], [3, 1]);
    let st = StandardScaler::fit(&c);
    assert_eq!(st.std, vec![1.0]);
    assert!(st.transform(&c).data().iter().all(|v| v.abs() < 1e-16));

    // f32 tensors, f64 statistics.
    let x32 = x.cast::<f32>();
    let back = st_round_trip(&x32);
    assert!(back.max_abs_diff(&x32) < 0.2, "{}", back.max_abs_diff(&x32));
}

fn st_round_trip(x: &Tensor<f32>) -> Tensor<f32> {
    let s = StandardScaler::fit(x);
    s.inverse_transform(&s.transform(x))
}

#[test]
#[should_panic(expected = "cannot fit on 0 rows")]
fn fitting_on_no_rows_panics() {
    StandardScaler::fit_rows(&matrix(), &[]);
}

// ---- batches ----

#[test]
fn batches_cover_every_row_once_and_keep_the_short_batch() {
    let mut rng = rng::seeded(3);
    let b = Batches::new(103, 10, true, &mut rng);
    assert_eq!(b.len(), 11);
    let sizes: Vec<usize> = b.iter().map(<[usize]>::len).collect();
    assert_eq!(sizes, [10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 3]);
    let seen: Vec<usize> = b.iter().flatten().copied().collect();
    assert_eq!(sorted(seen), (0..103).collect::<Vec<_>>());

    // Next epoch: a new order, same sizes, still a permutation.
    let mut b2 = b.clone();
    b2.shuffle(&mut rng);
    assert_ne!(b2.order(), b.order());
    assert_eq!(b2.iter().map(<[usize]>::len).collect::<Vec<_>>(), sizes);
    assert_eq!(sorted(b2.order().to_vec()), (0..103).collect::<Vec<_>>());

    let plain = Batches::new(5, 2, false, &mut rng);
    assert_eq!(
        plain.iter().collect::<Vec<_>>(),
        [&[0, 1][..], &[2, 3], &[4]]
    );
    assert!(Batches::new(0, 4, true, &mut rng).is_empty());
    assert_eq!(Batches::new(3, 8, true, &mut rng).len(), 1);
}

#[test]
fn batches_are_deterministic_by_seed() {
    let a = Batches::new(50, 8, true, &mut rng::seeded(11));
    let b = Batches::new(50, 8, true, &mut rng::seeded(11));
    let c = Batches::new(50, 8, true, &mut rng::seeded(12));
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn batches_by_count() {
    let mut rng = rng::seeded(0);
    let b = Batches::with_count(1437, 10, true, &mut rng);
    let sizes: Vec<usize> = (&b).into_iter().map(<[usize]>::len).collect();
    assert_eq!(sizes, [144, 144, 144, 144, 144, 144, 144, 143, 143, 143]);
    assert_eq!(sorted(b.order().to_vec()), (0..1437).collect::<Vec<_>>());
    assert_eq!(Batches::with_count(3, 5, false, &mut rng).len(), 3);
    assert_eq!(
        Batches::with_count(12, 4, false, &mut rng).get(3),
        &[9, 10, 11]
    );
}

// ---- bundled data ----

#[test]
fn digits_loads() {
    let d = data::digits::<f32>().unwrap();
    assert_eq!(d.x.shape().dims(), &[1797, 64]);
    assert_eq!(d.y.shape().dims(), &[1797, 10]);
    assert_eq!(d.n_classes(), Some(10));
    let counts = d.class_counts().unwrap();
    assert_eq!(counts.iter().sum::<usize>(), 1797);
    // scikit-learn: np.bincount(load_digits().target)
    assert_eq!(counts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    assert!(d
        .x
        .data()
        .iter()
        .all(|&v| (0.0..=16.0).contains(&v) && v.fract() == 0.0));
    assert_eq!(d.x.data().iter().cloned().fold(0.0, f32::max), 16.0);
    // First image is a 0: load_digits().images[0][0] = [0, 0, 5, 13, 9, 1, 0, 0].
    assert_eq!(&d.x.data()[..8], &[0., 0., 5., 13., 9., 1., 0., 0.]);
    assert_eq!(d.labels.as_ref().unwrap()[..3], [0, 1, 2]);
}

#[test]
fn breast_cancer_loads() {
    let d = data::breast_cancer::<f64>().unwrap();
    assert_eq!(d.x.shape().dims(), &[569, 30]);
    assert_eq!(d.n_classes(), Some(2));
    // Target 0 = malignant (212), 1 = benign (357), as scikit-learn codes it.
    assert_eq!(d.class_counts(), Some(vec![212, 357]));
    assert_eq!(data::BREAST_CANCER_CLASSES, ["malignant", "benign"]);
    assert_eq!(data::breast_cancer_feature_names().len(), 30);
    // First row: mean radius 17.99, worst area 2019, malignant.
    assert_eq!((d.x.at(0, 0), d.x.at(0, 23)), (17.99, 2019.0));
    assert_eq!(d.labels.as_ref().unwrap()[0], 0);
    let col = d.label_column().unwrap();
    assert_eq!(col.shape().dims(), &[569, 1]);
    assert_eq!(col.sum(), 357.0);
}

// ---- generated data ----

#[test]
fn logic_gates() {
    for (d, labels) in [
        (data::xor::<f64>(), [0, 1, 1, 0]),
        (data::or::<f64>(), [0, 1, 1, 1]),
        (data::and::<f64>(), [0, 0, 0, 1]),
    ] {
        assert_eq!(d.x.shape().dims(), &[4, 2]);
        assert_eq!(d.y.shape().dims(), &[4, 2]);
        assert_eq!(d.labels.as_deref(), Some(&labels[..]));
        assert_eq!(d.y.argmax_rows(), labels);
    }
}

#[test]
fn franke_and_house_prices() {
    let d = data::franke::<f64>(500, 9);
    assert_eq!(
        (d.x.shape().dims(), d.y.shape().dims()),
        (&[500, 2][..], &[500, 1][..])
    );
    assert!(d.x.data().iter().all(|v| (0.0..1.0).contains(v)));
    assert!(d.y.data().iter().all(|v| (0.0..1.23).contains(v)));
    for i in 0..500 {
        let f = data::franke_function(d.x.at(i, 0), d.x.at(i, 1));
        assert_eq!(d.y.at(i, 0), f);
    }
    assert_eq!(d, data::franke::<f64>(500, 9));
    assert_ne!(d.x, data::franke::<f64>(500, 10).x);
    // The global maximum ≈ 1.22 lies near (0.2, 0.2); the function is smooth there.
    assert!((data::franke_function(0.2, 0.2) - 1.2).abs() < 0.05);
    assert_eq!(data::franke::<f32>(0, 1).len(), 0);

    let h = data::house_prices::<f32>();
    assert_eq!(
        (h.x.shape().dims(), h.y.shape().dims()),
        (&[16, 2][..], &[16, 1][..])
    );
    assert_eq!(h.labels, None);
    assert_eq!(h.n_classes(), None);
}

// ---- datasets and CSV ----

#[test]
fn dataset_constructors_check_shapes_and_labels() {
    let x = Tensor::<f64>::zeros([3, 2]);
    let err = Dataset::regression(x.clone(), Tensor::zeros([2, 1])).unwrap_err();
    assert!(matches!(err, DataError::Shape { .. }));
    let err = Dataset::classification(x.clone(), vec![0, 1], 2).unwrap_err();
    assert!(matches!(err, DataError::Shape { .. }));
    let err = Dataset::classification(x, vec![0, 1, 2], 2).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::BadLabel {
                row: 2,
                label: 2,
                n_classes: 2
            }
        ),
        "{err}"
    );
}

#[test]
fn csv_errors_name_line_and_column() {
    let parse = |text: &str| Table::parse(text, "f.csv", 1).unwrap_err();
    let at = |e: DataError| match e {
        DataError::Parse { line, column, .. } => (line, column),
        other => panic!("not a parse error: {other}"),
    };
    assert_eq!(at(parse("h\n1,2\n3,,4\n")), (3, 2));
    assert_eq!(at(parse("h\n1,2\n3,4,5\n")), (3, 3));
    assert_eq!(at(parse("h\n1,2\n3\n")), (3, 2));
    assert_eq!(at(parse("h\n1,2\n\n3,4\n")), (3, 1));
    assert_eq!(at(parse("h\n1,nan\n")), (2, 2));
    let t = Table::parse("h\r\n1, 2\r\n3,4e1\r\n\r\n", "f.csv", 1).unwrap();
    assert_eq!(t.values, [1.0, 2.0, 3.0, 40.0]);
    let e = t.labels(1, 3).unwrap_err();
    assert_eq!(at(e), (3, 2)); // 2 is a valid class of 3; 40 on line 3 is not
    let t = Table::parse("0,1.5\n", "f.csv", 0).unwrap();
    assert_eq!(at(t.labels(1, 3).unwrap_err()), (1, 2));

    let err = Table::read("/nonexistent/x.csv", 0).unwrap_err();
    assert!(matches!(err, DataError::Io { .. }));
    assert!(err.to_string().contains("/nonexistent/x.csv"), "{err}");
}
