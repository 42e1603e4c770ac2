//! Train / validation / test splits as shuffled row indices.
//!
//! Why indices rather than copies: the same split can then cut a [`Dataset`], a scaler's
//! fitting rows and any side table (sample weights, file names) consistently, and a
//! run's log can record exactly which rows were held out.
//!
//! [`Dataset`]: crate::data::Dataset

use crate::data::draw::permutation;
use crate::data::error::DataError;
use crate::rng::seeded;

/// Row indices of the three subsets, each in shuffled order; together they hold every
/// index `0..n_rows` exactly once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    pub train: Vec<usize>,
    pub val: Vec<usize>,
    pub test: Vec<usize>,
}

/// Shuffles `0..n_rows` with `seeded(seed)` and cuts it into train, validation and test
/// parts of the given fractions.
///
/// **Rounding rule** (the one scikit-learn's `train_test_split` uses): the held-out sizes
/// are rounded *up*, `n_val = ⌈f_val·n⌉`, `n_test = ⌈f_test·n⌉`, and the training set
/// gets the remainder `n − n_val − n_test`. So a held-out fraction is a promise of at
/// least that share, and 1797 rows split (0.8, 0.2, 0.0) give 1437 / 360 / 0, as in
/// scikit-learn. A product within 1e-9·n of an integer counts as that integer (0.7·10
/// is 7.000000000000001 in floating point, and must give 7), and a fraction of 0 always
/// gives an empty part. If rounding up both held-out parts would exceed `n_rows` (only
/// possible when the training fraction is below 2/n), the test part takes what is left.
///
/// Errors with [`DataError::BadFractions`] if a fraction is negative or not finite, or
/// if they do not sum to 1 within 1e-9.
///
/// ```
/// use gradus::data::train_val_test_split;
/// let s = train_val_test_split(1797, (0.8, 0.2, 0.0), 42)?;
/// assert_eq!((s.train.len(), s.val.len(), s.test.len()), (1437, 360, 0));
/// assert_eq!(s, train_val_test_split(1797, (0.8, 0.2, 0.0), 42)?); // same seed, same split
/// # Ok::<(), gradus::data::DataError>(())
/// ```
pub fn train_val_test_split(
    n_rows: usize,
    fractions: (f64, f64, f64),
    seed: u64,
) -> Result<Split, DataError> {
    let (f_train, f_val, f_test) = fractions;
    for (name, f) in [
        ("training", f_train),
        ("validation", f_val),
        ("test", f_test),
    ] {
        if !f.is_finite() || f < 0.0 {
            return Err(DataError::BadFractions {
                reason: format!("the {name} fraction is {f}"),
            });
        }
    }
    let sum = f_train + f_val + f_test;
    if (sum - 1.0).abs() > 1e-9 {
        return Err(DataError::BadFractions {
            reason: format!("{f_train} + {f_val} + {f_test} = {sum}, not 1"),
        });
    }

    let n = n_rows as f64;
    let tolerance = 1e-9 * n.max(1.0);
    let held_out = |f: f64| ((f * n - tolerance).ceil().max(0.0) as usize).min(n_rows);
    let n_val = held_out(f_val);
    let n_test = held_out(f_test).min(n_rows - n_val);
    let n_train = n_rows - n_val - n_test;

    let order = permutation(n_rows, &mut seeded(seed));
    let (train, rest) = order.split_at(n_train);
    let (val, test) = rest.split_at(n_val);
    Ok(Split {
        train: train.to_vec(),
        val: val.to_vec(),
        test: test.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(n: usize, f: (f64, f64, f64)) -> (usize, usize, usize) {
        let s = train_val_test_split(n, f, 0).unwrap();
        (s.train.len(), s.val.len(), s.test.len())
    }

    #[test]
    fn rounding_rule() {
        assert_eq!(sizes(1797, (0.8, 0.2, 0.0)), (1437, 360, 0));
        assert_eq!(sizes(10, (0.3, 0.7, 0.0)), (3, 7, 0)); // 0.7·10 = 7.000000000000001
        assert_eq!(sizes(10, (0.8, 0.1, 0.1)), (8, 1, 1));
        assert_eq!(sizes(7, (0.8, 0.1, 0.1)), (5, 1, 1));
        assert_eq!(sizes(3, (0.0, 0.5, 0.5)), (0, 2, 1));
        assert_eq!(sizes(0, (0.8, 0.1, 0.1)), (0, 0, 0));
        assert_eq!(sizes(5, (1.0, 0.0, 0.0)), (5, 0, 0));
    }
}
