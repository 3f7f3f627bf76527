//! Metric functions against numbers computed once with scikit-learn, NumPy and SciPy.
//!
//! The example is small and fixed: 16 test samples and 12 validation samples over 4 classes,
//! with logits on a grid of 0.25 (exact in `f32`). The expected values below were printed by
//! the script at the end of this file (run once by hand; the tests never run Python) with
//! scikit-learn 1.9.1, NumPy 2.4.6 and SciPy 1.17.1 on CPython 3.11.7. ECE is not part of
//! scikit-learn, so the script spells it out with NumPy; the temperature comes from SciPy's
//! bounded scalar minimiser over `ln T` on the same range as ours.

use fmnist_report::{
    argmax_rows, brier, confused_pairs, confusion_matrix, ece, fit_temperature, macro_average, nll,
    nll_at_temperature, per_class_metrics, softmax_rows, weighted_average,
};

const N_CLASSES: usize = 4;

#[rustfmt::skip]
const TEST_LOGITS: [f32; 64] = [
    2.5, 0.5, -1.0, 0.0,   1.75, 1.5, 0.0, -0.5,  0.25, 2.0, 0.5, 0.0,   3.0, -0.5, 0.25, 0.5,
    -0.5, 2.75, 1.0, 0.0,  0.0, 0.5, 1.5, 1.25,   1.0, 0.25, 2.25, 0.0,  0.5, 0.0, -0.25, 1.75,
    0.0, 1.25, 0.5, 2.0,   1.5, 0.0, 0.25, 1.0,   -1.0, 0.5, 3.5, 0.0,   0.25, 1.0, 0.75, 0.5,
    2.0, 2.25, 0.0, 0.0,   0.0, 0.0, 0.5, 3.25,   1.25, -0.5, 0.0, 0.75, 0.5, 1.5, 1.75, -0.25,
];
const TEST_LABELS: [u8; 16] = [0, 1, 1, 0, 1, 3, 2, 3, 3, 3, 2, 1, 0, 3, 0, 1];

#[rustfmt::skip]
const VAL_LOGITS: [f32; 48] = [
    3.0, 0.0, 0.5, -0.5,   0.0, 2.5, 0.25, 0.0,   0.5, 0.0, 2.75, 1.0,   0.0, 1.0, 0.0, 2.5,
    2.25, 1.75, 0.0, 0.0,  0.0, 2.0, 2.25, 0.5,   1.5, 0.0, 0.0, 1.75,   0.25, 3.0, 0.0, 0.0,
    2.0, 0.0, 1.0, 0.0,    0.0, 0.0, 1.5, 1.25,   1.0, 1.25, 0.0, 0.0,   0.0, 0.5, 0.0, 2.75,
];
const VAL_LABELS: [u8; 12] = [2, 1, 2, 3, 1, 1, 0, 3, 2, 3, 0, 1];

/// Asserts that two numbers agree to `tolerance`.
fn close(found: f64, expected: f64, tolerance: f64) {
    assert!((found - expected).abs() <= tolerance, "found {found}, expected {expected}");
}

fn test_preds() -> Vec<u8> {
    argmax_rows(&TEST_LOGITS, N_CLASSES).unwrap()
}

#[test]
fn predictions_and_confusion_matrix_match_sklearn() {
    assert_eq!(test_preds(), [0, 0, 1, 0, 1, 2, 2, 3, 3, 0, 2, 1, 1, 3, 0, 2]);
    let cm = confusion_matrix(&TEST_LABELS, &test_preds(), N_CLASSES).unwrap();
    // sklearn: cm [[3, 1, 0, 0], [1, 3, 1, 0], [0, 0, 2, 0], [1, 0, 1, 3]]
    assert_eq!(cm.counts(), &[3, 1, 0, 0, 1, 3, 1, 0, 0, 0, 2, 0, 1, 0, 1, 3]);
    let pairs = confused_pairs(&cm, 3);
    // 0<->1 has 1 + 1 mistakes; 0<->3, 1<->2 and 2<->3 have one each (ties by index).
    let found: Vec<_> = pairs.iter().map(|p| (p.a, p.b, p.total())).collect();
    assert_eq!(found, [(0, 1, 2), (0, 3, 1), (1, 2, 1)]);
}

#[test]
fn per_class_and_averages_match_sklearn() {
    let cm = confusion_matrix(&TEST_LABELS, &test_preds(), N_CLASSES).unwrap();
    let classes = per_class_metrics(&cm);
    let expected = [
        // (precision, recall, f1, support) from precision_recall_fscore_support(average=None)
        (0.6, 0.75, 0.6666666666666666, 4),
        (0.75, 0.6, 0.6666666666666666, 5),
        (0.5, 1.0, 0.6666666666666666, 2),
        (1.0, 0.6, 0.75, 5),
    ];
    for (class, (precision, recall, f1, support)) in classes.iter().zip(expected) {
        close(class.precision, precision, 1e-15);
        close(class.recall, recall, 1e-15);
        close(class.f1, f1, 1e-15);
        assert_eq!(class.support, support);
    }
    let macro_avg = macro_average(&classes);
    close(macro_avg.precision, 0.7125, 1e-15);
    close(macro_avg.recall, 0.7375, 1e-15);
    close(macro_avg.f1, 0.6875, 1e-15);
    let weighted = weighted_average(&classes);
    close(weighted.precision, 0.759375, 1e-15);
    close(weighted.recall, 0.6875, 1e-15);
    close(weighted.f1, 0.6927083333333333, 1e-15);
}

#[test]
fn calibration_scores_match_sklearn() {
    let probs = softmax_rows(&TEST_LOGITS, N_CLASSES, 1.0).unwrap();
    close(nll(&probs, &TEST_LABELS, N_CLASSES).unwrap(), 0.6160126630092504, 1e-12);
    close(brier(&probs, &TEST_LABELS, N_CLASSES).unwrap(), 0.3297831088849105, 1e-12);
    close(ece(&probs, &TEST_LABELS, N_CLASSES, 15).unwrap(), 0.2977092720359016, 1e-12);
}

#[test]
fn temperature_and_scaled_scores_match_scipy() {
    let t = fit_temperature(&VAL_LOGITS, &VAL_LABELS, N_CLASSES).unwrap();
    close(t, 1.8401363281559022, 1e-6);
    let val_nll = |t| nll_at_temperature(&VAL_LOGITS, &VAL_LABELS, N_CLASSES, t).unwrap();
    close(val_nll(1.0), 1.3203824811115548, 1e-12);
    close(val_nll(t), 1.2199045402281636, 1e-10);
    let probs = softmax_rows(&TEST_LOGITS, N_CLASSES, t).unwrap();
    close(nll(&probs, &TEST_LABELS, N_CLASSES).unwrap(), 0.8465288135053988, 1e-6);
    close(brier(&probs, &TEST_LABELS, N_CLASSES).unwrap(), 0.4444912897834482, 1e-6);
    close(ece(&probs, &TEST_LABELS, N_CLASSES, 15).unwrap(), 0.32935238593626304, 1e-6);
}

// Provenance: the script that printed the expected values (its output is quoted in the
// assertions above). Its `conf` lines print 15 x confidence, to check that no confidence sits
// on a bin edge, where float rounding could put a sample in either bin.
//
// import numpy as np, sklearn, scipy
// from sklearn.metrics import precision_recall_fscore_support, confusion_matrix, log_loss, brier_score_loss
// from scipy.optimize import minimize_scalar
// from scipy.special import softmax, log_softmax
//
// logits = np.array([
//     [2.5, 0.5, -1.0, 0.0], [1.75, 1.5, 0.0, -0.5], [0.25, 2.0, 0.5, 0.0], [3.0, -0.5, 0.25, 0.5],
//     [-0.5, 2.75, 1.0, 0.0], [0.0, 0.5, 1.5, 1.25], [1.0, 0.25, 2.25, 0.0], [0.5, 0.0, -0.25, 1.75],
//     [0.0, 1.25, 0.5, 2.0], [1.5, 0.0, 0.25, 1.0], [-1.0, 0.5, 3.5, 0.0], [0.25, 1.0, 0.75, 0.5],
//     [2.0, 2.25, 0.0, 0.0], [0.0, 0.0, 0.5, 3.25], [1.25, -0.5, 0.0, 0.75], [0.5, 1.5, 1.75, -0.25],
// ], dtype=np.float32).astype(np.float64)
// labels = np.array([0, 1, 1, 0, 1, 3, 2, 3, 3, 3, 2, 1, 0, 3, 0, 1])
// val_logits = np.array([
//     [3.0, 0.0, 0.5, -0.5], [0.0, 2.5, 0.25, 0.0], [0.5, 0.0, 2.75, 1.0], [0.0, 1.0, 0.0, 2.5],
//     [2.25, 1.75, 0.0, 0.0], [0.0, 2.0, 2.25, 0.5], [1.5, 0.0, 0.0, 1.75], [0.25, 3.0, 0.0, 0.0],
//     [2.0, 0.0, 1.0, 0.0], [0.0, 0.0, 1.5, 1.25], [1.0, 1.25, 0.0, 0.0], [0.0, 0.5, 0.0, 2.75],
// ], dtype=np.float32).astype(np.float64)
// val_labels = np.array([2, 1, 2, 3, 1, 1, 0, 3, 2, 3, 0, 1])
//
// preds = logits.argmax(1)
// probs = softmax(logits, axis=1)
// cm = confusion_matrix(labels, preds, labels=[0, 1, 2, 3])
// p, r, f, s = precision_recall_fscore_support(labels, preds, labels=[0, 1, 2, 3], zero_division=0)
// mp, mr, mf, _ = precision_recall_fscore_support(labels, preds, average="macro", zero_division=0)
// wp, wr, wf, _ = precision_recall_fscore_support(labels, preds, average="weighted", zero_division=0)
//
// def ece(probs, labels, n_bins=15):
//     conf = probs.max(1); correct = probs.argmax(1) == labels
//     edges = np.linspace(0, 1, n_bins + 1); total = 0.0
//     for lo, hi in zip(edges[:-1], edges[1:]):
//         m = (conf > lo) & (conf <= hi)
//         if m.any(): total += m.mean() * abs(correct[m].mean() - conf[m].mean())
//     return total
//
// def val_nll(log_t):
//     return -log_softmax(val_logits / np.exp(log_t), axis=1)[np.arange(len(val_labels)), val_labels].mean()
// res = minimize_scalar(val_nll, bounds=(np.log(0.05), np.log(20.0)), method="bounded", options={"xatol": 1e-10})
// t = float(np.exp(res.x))
// probs_t = softmax(logits / t, axis=1)
// print("versions", sklearn.__version__, np.__version__, scipy.__version__)
// print("cm", cm.tolist())
// for name, v in [("precision", p), ("recall", r), ("f1", f)]: print(name, [repr(float(x)) for x in v])
// print("support", s.tolist())
// print("macro", repr(mp), repr(mr), repr(mf)); print("weighted", repr(wp), repr(wr), repr(wf))
// print("nll", repr(log_loss(labels, probs, labels=[0,1,2,3])), "brier", repr(brier_score_loss(labels, probs, labels=[0,1,2,3])), "ece", repr(ece(probs, labels)))
// print("temperature", repr(t), "val_nll", repr(val_nll(0.0)), repr(val_nll(res.x)))
// print("after nll", repr(log_loss(labels, probs_t, labels=[0,1,2,3])), "brier", repr(brier_score_loss(labels, probs_t, labels=[0,1,2,3])), "ece", repr(ece(probs_t, labels)))
// print("conf", np.round(probs.max(1)*15, 3).tolist())
// print("conf_t", np.round(probs_t.max(1)*15, 3).tolist())
