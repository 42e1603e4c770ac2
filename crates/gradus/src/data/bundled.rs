//! The two real data sets the course uses, shipped inside the library.
//!
//! Both files come from scikit-learn's wheel (which took them from the UCI Machine
//! Learning Repository) and live in `data/` at the repository root; `data/LICENSE-NOTES.md`
//! gives sources, licences and columns. They are embedded with `include_str!` so that
//! `gradus::data::digits()` works from any directory and offline, at the price of about
//! 380 kB in binaries that call these functions. The files are stored as plain CSV
//! because reading gzip would need a dependency.

use crate::data::csv::Table;
use crate::data::dataset::Dataset;
use crate::data::error::DataError;
use crate::Float;

const DIGITS_CSV: &str = include_str!("../../../../data/digits.csv");
const BREAST_CANCER_CSV: &str = include_str!("../../../../data/breast_cancer.csv");

/// Class names of [`breast_cancer`], by label: 0 is malignant, 1 benign (scikit-learn's
/// coding, so the positive class 1 is the *benign* one).
pub const BREAST_CANCER_CLASSES: [&str; 2] = ["malignant", "benign"];

/// The 30 feature names of [`breast_cancer`], in column order, as scikit-learn names them:
/// ten cell-nucleus measurements as mean, standard error and worst (largest) value.
///
/// ```
/// let names = gradus::data::breast_cancer_feature_names();
/// assert_eq!((names[0].as_str(), names[10].as_str(), names[29].as_str()),
///            ("mean radius", "radius error", "worst fractal dimension"));
/// ```
pub fn breast_cancer_feature_names() -> Vec<String> {
    const MEASURES: [&str; 10] = [
        "radius",
        "texture",
        "perimeter",
        "area",
        "smoothness",
        "compactness",
        "concavity",
        "concave points",
        "symmetry",
        "fractal dimension",
    ];
    let mean = MEASURES.iter().map(|m| format!("mean {m}"));
    let error = MEASURES.iter().map(|m| format!("{m} error"));
    let worst = MEASURES.iter().map(|m| format!("worst {m}"));
    mean.chain(error).chain(worst).collect()
}

/// The optical handwritten digits (UCI test set, as in scikit-learn's `load_digits`):
/// 1797 images of 8 × 8 pixels, flattened row by row into 64 columns with integer values
/// 0..=16 (left unscaled: divide by 16 or fit a scaler), labels 0–9 one-hot in `y`.
///
/// ```
/// let d = gradus::data::digits::<f32>()?;
/// assert_eq!((d.len(), d.n_features(), d.n_classes()), (1797, 64, Some(10)));
/// # Ok::<(), gradus::data::DataError>(())
/// ```
pub fn digits<F: Float>() -> Result<Dataset<F>, DataError> {
    let table = Table::parse(DIGITS_CSV, "data/digits.csv", 0)?;
    expect_size(&table, 1797, 65)?;
    let labels = table.labels(64, 10)?;
    Dataset::classification(table.columns(0..64), labels, 10)
}

/// The Wisconsin diagnostic breast-cancer data (as in scikit-learn's
/// `load_breast_cancer`): 569 tumours, 30 real-valued features of widely different
/// scales (scale them before training), labels 0 = malignant (212), 1 = benign (357);
/// see [`BREAST_CANCER_CLASSES`] and [`breast_cancer_feature_names`].
///
/// `y` is the one-hot 569 × 2 matrix; for one sigmoid output use
/// [`Dataset::label_column`].
///
/// ```
/// let d = gradus::data::breast_cancer::<f64>()?;
/// assert_eq!((d.len(), d.n_features()), (569, 30));
/// assert_eq!(d.class_counts(), Some(vec![212, 357]));
/// # Ok::<(), gradus::data::DataError>(())
/// ```
pub fn breast_cancer<F: Float>() -> Result<Dataset<F>, DataError> {
    const PATH: &str = "data/breast_cancer.csv";
    // scikit-learn's header: "n_samples,n_features,class 0 name,class 1 name".
    let header = BREAST_CANCER_CSV.lines().next().unwrap_or("");
    let fields: Vec<&str> = header.split(',').map(str::trim).collect();
    let (n, d) = match fields[..] {
        [n, d, c0, c1] if [c0, c1] == BREAST_CANCER_CLASSES => (n.parse(), d.parse()),
        _ => {
            return Err(DataError::Parse {
                path: PATH.into(),
                line: 1,
                column: 1,
                reason: format!(
                    "header '{header}' is not '569,30,malignant,benign'; restore the file \
                     from scikit-learn's sklearn/datasets/data/breast_cancer.csv"
                ),
            })
        }
    };
    let (Ok(n), Ok(d)) = (n, d) else {
        return Err(DataError::Parse {
            path: PATH.into(),
            line: 1,
            column: 1,
            reason: format!("header '{header}' does not start with two whole numbers"),
        });
    };
    let table = Table::parse(BREAST_CANCER_CSV, PATH, 1)?;
    expect_size(&table, n, d + 1)?;
    let labels = table.labels(d, 2)?;
    Dataset::classification(table.columns(0..d), labels, 2)
}

fn expect_size(t: &Table, rows: usize, cols: usize) -> Result<(), DataError> {
    if (t.n_rows, t.n_cols) == (rows, cols) {
        return Ok(());
    }
    Err(DataError::Shape {
        what: format!(
            "{} has {} rows of {} values, expected {rows} rows of {cols}; the file is damaged, \
             restore it from the repository",
            t.path.display(),
            t.n_rows,
            t.n_cols
        ),
    })
}
