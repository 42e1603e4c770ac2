//! Data practice: bundled data sets, splits, scaling, mini-batches.
