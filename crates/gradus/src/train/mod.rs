//! Training: `fit`, histories, early stopping.
