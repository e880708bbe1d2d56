"""Metrics of predicted probabilities against observed labels, and the soft-label expansion.

Soft labels: the BCE is linear in y, so a row with probability target p ∈ [0, 1] and weight s
contributes exactly what two rows contribute, (x, 1) with weight p·s and (x, 0) with weight
(1-p)·s (seed eq. (1): y log ŷ + (1-y) log(1-ŷ) is that weighted pair). Fitting and evaluating
on the expansion is therefore exact for the loss; for the other metrics it gives their
expectation over labels drawn with the target probabilities.
"""

from __future__ import annotations

import numpy as np
from sklearn import metrics


def expand_soft_labels(X, y: np.ndarray, sample_weight: np.ndarray | None = None):
    """Rewrite soft labels as hard labels with weights (rows with y in {0, 1} stay single).

    Parameters
    ----------
    X : ndarray of shape (n_samples, ...), sparse matrix, or None
        Rows to repeat alongside (features, or 1-D predictions).
    y : ndarray of shape (n_samples,)
        Values in [0, 1].
    sample_weight : ndarray of shape (n_samples,), default=None

    Returns
    -------
    X2 : same type as X, shape (n_samples + n_fractional, ...), or None
    y2 : ndarray of shape (n_samples + n_fractional,)
        0.0 or 1.0.
    w2 : ndarray of shape (n_samples + n_fractional,)
    """
    import scipy.sparse as sp

    s = np.ones_like(y, dtype=np.float64) if sample_weight is None else \
        np.asarray(sample_weight, dtype=np.float64)
    fractional = np.flatnonzero((y > 0) & (y < 1))
    # Every row with y > 0 is kept as a positive (weight y·s; y·s = s when y = 1), and the
    # fractional rows come again as negatives with weight (1-y)·s.
    y2 = np.concatenate([(y > 0).astype(np.float64), np.zeros(fractional.size)])
    w2 = np.concatenate([np.where(y > 0, y * s, s), (1 - y[fractional]) * s[fractional]])
    if X is None:
        return None, y2, w2
    if sp.issparse(X):
        X2 = sp.vstack([X, X[fractional]], format="csr")
    else:
        X2 = np.concatenate([X, X[fractional]], axis=0)
    return X2, y2, w2


def calibration_bins(y: np.ndarray, proba: np.ndarray, sample_weight: np.ndarray | None = None,
                     n_bins: int = 10):
    """Reliability bins: equal-width bins of the predicted probability.

    Parameters
    ----------
    y, proba : ndarray of shape (n_samples,)
    sample_weight : ndarray of shape (n_samples,), default=None
    n_bins : int, default=10

    Returns
    -------
    mean_predicted, fraction_positive, weight : ndarray of shape (n_nonempty_bins,)
        Per non-empty bin: the weighted mean prediction, the weighted fraction of positives,
        and the bin's total weight.
    """
    w = np.ones_like(proba) if sample_weight is None else np.asarray(sample_weight, float)
    # The same bin edges as sklearn.calibration.calibration_curve(strategy="uniform").
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    index = np.searchsorted(edges[1:-1], proba)
    weight = np.bincount(index, weights=w, minlength=n_bins)
    sum_p = np.bincount(index, weights=w * proba, minlength=n_bins)
    sum_y = np.bincount(index, weights=w * y, minlength=n_bins)
    keep = weight > 0
    return sum_p[keep] / weight[keep], sum_y[keep] / weight[keep], weight[keep]


def expected_calibration_error(y, proba, sample_weight=None, n_bins: int = 10) -> float:
    """Σ_bins (bin weight / total weight) · |fraction positive - mean prediction|.

    Parameters
    ----------
    y, proba : ndarray of shape (n_samples,)
    sample_weight : ndarray of shape (n_samples,), default=None
    n_bins : int, default=10

    Returns
    -------
    float
    """
    mean_p, frac, weight = calibration_bins(y, proba, sample_weight, n_bins)
    return float(np.sum(weight * np.abs(frac - mean_p)) / np.sum(weight))


def classification_metrics(y: np.ndarray, proba: np.ndarray,
                           sample_weight: np.ndarray | None = None,
                           threshold: float = 0.5) -> dict:
    """The evaluation metrics of P(positive) against 0/1 labels.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        0.0 or 1.0 (expand soft labels first with :func:`expand_soft_labels`).
    proba : ndarray of shape (n_samples,)
        Predicted probability of the positive class.
    sample_weight : ndarray of shape (n_samples,), default=None
    threshold : float, default=0.5
        A sample is predicted positive when ``proba > threshold``.

    Returns
    -------
    dict
        ``log_loss``, ``accuracy``, ``precision``, ``recall``, ``f1``, ``roc_auc``,
        ``pr_auc`` (average precision), ``brier``, ``calibration_error`` (10 equal-width
        bins) and ``confusion_matrix`` [[TN, FP], [FN, TP]] (weighted counts). AUCs are
        ``None`` when y has a single class.
    """
    w = sample_weight
    predicted = (proba > threshold).astype(np.float64)
    # A class counts only where it has weight: with all of one class's rows at weight 0 the
    # AUCs are undefined, as with one class.
    weighted = y if w is None else y[np.asarray(w) > 0]
    both = np.unique(weighted).size == 2
    out = {
        "log_loss": float(metrics.log_loss(y, proba, sample_weight=w, labels=[0, 1])),
        "accuracy": float(metrics.accuracy_score(y, predicted, sample_weight=w)),
        "precision": float(metrics.precision_score(y, predicted, sample_weight=w,
                                                   zero_division=0)),
        "recall": float(metrics.recall_score(y, predicted, sample_weight=w, zero_division=0)),
        "f1": float(metrics.f1_score(y, predicted, sample_weight=w, zero_division=0)),
        "roc_auc": float(metrics.roc_auc_score(y, proba, sample_weight=w)) if both else None,
        # Defined (as scikit-learn has it) whenever there is a positive: 1 when all are.
        "pr_auc": float(metrics.average_precision_score(y, proba, sample_weight=w))
        if np.any(weighted == 1) else None,
        "brier": float(metrics.brier_score_loss(y, proba, sample_weight=w)),
        "calibration_error": expected_calibration_error(y, proba, w),
        "confusion_matrix": metrics.confusion_matrix(
            y, predicted, labels=[0, 1], sample_weight=w).tolist(),
        "threshold": float(threshold),
        "n_samples": int(y.shape[0]),
    }
    return out
