//! Data practice: bundled data sets, splits, scaling, mini-batches.
//!
//! A typical script: load, split by index, fit the scaler on the training rows only,
//! then iterate over shuffled mini-batches.
//!
//! ```
//! use gradus::data::{self, Batches, StandardScaler};
//! let d = data::breast_cancer::<f64>()?;
//! let (mut train, mut val, _test) = d.split((0.8, 0.1, 0.1), 42)?;
//! let scaler = StandardScaler::fit(&train.x); // training statistics only
//! scaler.transform_in_place(&mut train.x);
//! scaler.transform_in_place(&mut val.x);
//! let mut rng = gradus::rng::seeded(7);
//! for batch in &Batches::new(train.len(), 32, true, &mut rng) {
//!     let xb = train.x.gather_rows(batch);
//!     assert_eq!(xb.shape().dims()[1], 30);
//! }
//! # Ok::<(), data::DataError>(())
//! ```

pub mod batches;
pub mod bundled;
pub mod csv;
pub mod dataset;
pub mod draw;
pub mod error;
pub mod scale;
pub mod split;
pub mod synthetic;

pub use batches::Batches;
pub use bundled::{breast_cancer, breast_cancer_feature_names, digits, BREAST_CANCER_CLASSES};
pub use csv::Table;
pub use dataset::Dataset;
pub use error::DataError;
pub use scale::{MinMaxScaler, StandardScaler};
pub use split::{train_val_test_split, Split};
pub use synthetic::{and, franke, franke_function, house_prices, or, xor};
