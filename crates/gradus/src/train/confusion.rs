//! The confusion matrix of a classifier: rows are true classes, columns predicted ones.

/// Counts of (true, predicted) class pairs, `classes x classes`.
///
/// ```
/// let m = gradus::train::confusion_matrix(&[0, 1, 1, 2], &[0, 1, 2, 2], 3);
/// assert_eq!(m, vec![vec![1, 0, 0], vec![0, 1, 1], vec![0, 0, 1]]);
/// ```
pub fn confusion_matrix(truth: &[usize], predicted: &[usize], classes: usize) -> Vec<Vec<usize>> {
    assert_eq!(
        truth.len(),
        predicted.len(),
        "confusion_matrix: {} true labels but {} predictions",
        truth.len(),
        predicted.len()
    );
    let mut m = vec![vec![0; classes]; classes];
    for (&t, &p) in truth.iter().zip(predicted) {
        assert!(
            t < classes && p < classes,
            "confusion_matrix: class {} or {p} is not below {classes}",
            t
        );
        m[t][p] += 1;
    }
    m
}

/// The matrix as CSV with a header row of predicted classes and the true class first in
/// every row.
pub fn confusion_csv(m: &[Vec<usize>]) -> String {
    let mut s = String::from("true\\predicted");
    for j in 0..m.len() {
        s += &format!(",{j}");
    }
    s.push('\n');
    for (i, row) in m.iter().enumerate() {
        s += &i.to_string();
        for v in row {
            s += &format!(",{v}");
        }
        s.push('\n');
    }
    s
}
