"""The equations of the BCE derivation as plain functions.

Pointwise, for logits z and labels y ∈ [0, 1] (soft labels allowed):

* :func:`sigmoid`             ŷ = σ(z) = 1 / (1 + e^(-z))                      eq. (2)
* :func:`sigmoid_derivative`  ∂ŷ/∂z = σ(z)(1 - σ(z))                           eqs. (6)-(10)
* :func:`bce_from_logits`     L = -[y log ŷ + (1 - y) log(1 - ŷ)]              eq. (1)

Over a data set X of shape (n, d), with z = X w + b (eq. (3)):

* :func:`bce_loss`            Σᵢ sᵢ Lᵢ (or its weighted mean)
* :func:`bce_gradient`        ∂L/∂w = Xᵀ (ŷ - y), ∂L/∂b = Σ (ŷ - y)            eqs. (4), (11), (12)
* :func:`bce_hessian`         [X, 1]ᵀ diag(ŷ(1 - ŷ)) [X, 1]                    eq. (10) twice

Every function is finite for every finite input: the loss is evaluated as
softplus(z) - y z, never through log σ(z).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.utils import assert_all_finite

from . import _loss
from ._objective import BCEObjective

__all__ = [
    "bce_from_logits",
    "bce_gradient",
    "bce_hessian",
    "bce_loss",
    "log_sigmoid",
    "sigmoid",
    "sigmoid_derivative",
]

_REDUCTIONS = ("mean", "sum")


def sigmoid(z):
    """Logistic function σ(z) = 1 / (1 + e^(-z)), seed eq. (2).

    Parameters
    ----------
    z : array-like of any shape

    Returns
    -------
    ndarray of the same shape, values in [0, 1]
    """
    return _loss.sigmoid(_loss.as_float_array(z))


def log_sigmoid(z):
    """log σ(z) = -log(1 + e^(-z)), accurate for large |z| (never log of a rounded 0).

    Parameters
    ----------
    z : array-like of any shape

    Returns
    -------
    ndarray of the same shape, values ≤ 0
    """
    return _loss.log_sigmoid(_loss.as_float_array(z))


def sigmoid_derivative(z):
    """dσ/dz = σ(z)(1 - σ(z)), seed eqs. (6)-(10).

    Parameters
    ----------
    z : array-like of any shape

    Returns
    -------
    ndarray of the same shape, values in [0, 1/4]
    """
    return _loss.hessian(_loss.as_float_array(z))


def bce_from_logits(z, y):
    """Pointwise binary cross-entropy from logits, seed eq. (1).

    L(z, y) = -[y log σ(z) + (1 - y) log(1 - σ(z))] = softplus(z) - y z.

    Parameters
    ----------
    z : array-like
        Logits.
    y : array-like, broadcastable with ``z``
        Labels in [0, 1]; fractional values are soft labels.

    Returns
    -------
    ndarray of the broadcast shape, values ≥ 0 for y ∈ {0, 1}
    """
    z = _loss.as_float_array(z)
    y = np.asarray(y, dtype=z.dtype)
    _check_labels(y)
    return _loss.loss(z, y)


def _check_labels(y: np.ndarray) -> None:
    if not np.all((y >= 0.0) & (y <= 1.0)):
        raise ValueError("y must hold labels in [0, 1] (0/1, or probabilities for soft "
                         "labels), without NaN; recode the labels.")


def _objective(X, y, w, b, sample_weight) -> tuple[BCEObjective, np.ndarray]:
    if sp.issparse(X):
        X = sp.csr_matrix(X)
        if X.dtype not in (np.float32, np.float64):
            X = X.astype(np.float64)
    else:
        X = np.asarray(X)
        if X.dtype not in (np.float32, np.float64):
            X = X.astype(np.float64)
        X = np.ascontiguousarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-dimensional (n_samples, n_features), got shape {X.shape}.")
    n, d = X.shape
    if n == 0:
        raise ValueError("X has no rows; give at least one sample.")
    # (sklearn's check sums X first and looks for the culprit only if the sum is not finite:
    # no n x d temporary in the usual case.)
    assert_all_finite(X.data if sp.issparse(X) else X, input_name="X")
    w = np.asarray(w, dtype=np.float64).ravel()
    if w.shape != (d,):
        raise ValueError(f"w must have shape ({d},) to match X's {d} columns, got {w.shape}.")
    if not (np.all(np.isfinite(w)) and np.isfinite(b)):
        raise ValueError("w and b must be finite.")
    if y is None:
        y = np.zeros(n)
    y = np.asarray(y, dtype=np.float64).ravel()
    if y.shape != (n,):
        raise ValueError(f"y must have shape ({n},), got {y.shape}.")
    _check_labels(y)
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=np.float64).ravel()
        if sample_weight.shape != (n,):
            raise ValueError(f"sample_weight must have shape ({n},), got {sample_weight.shape}.")
        if not (np.all(np.isfinite(sample_weight)) and np.all(sample_weight >= 0.0)
                and np.any(sample_weight > 0.0)):
            raise ValueError("sample_weight must be finite and non-negative, with at least "
                             "one positive weight.")
    objective = BCEObjective(X, y, sample_weight, C=np.inf, fit_intercept=True)
    return objective, np.r_[w, float(b)]


def _divisor(objective: BCEObjective, reduction: str) -> float:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}.")
    return objective.scale if reduction == "mean" else 1.0


def bce_loss(X, y, w, b=0.0, *, sample_weight=None, reduction="mean"):
    """Binary cross-entropy of the logistic model σ(X w + b), eqs. (1)-(3).

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
        Labels in [0, 1].
    w : array-like of shape (n_features,)
    b : float, default=0.0
        Intercept.
    sample_weight : array-like of shape (n_samples,), default=None
    reduction : {"mean", "sum"}, default="mean"
        Weighted mean Σ sᵢLᵢ / Σ sᵢ, or the weighted sum.

    Returns
    -------
    float
    """
    objective, coef = _objective(X, y, w, b, sample_weight)
    return objective.value(coef) / _divisor(objective, reduction)


def bce_gradient(X, y, w, b=0.0, *, sample_weight=None, reduction="mean"):
    """Gradient of :func:`bce_loss`: ∂L/∂w = Xᵀ(ŷ - y), ∂L/∂b = Σ(ŷ - y), seed eq. (12), divided
    by n (weighted: by Σ sᵢ) with ``reduction="mean"``.

    Computed in one fused pass over X.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    w : array-like of shape (n_features,)
    b : float, default=0.0
    sample_weight : array-like of shape (n_samples,), default=None
    reduction : {"mean", "sum"}, default="mean"

    Returns
    -------
    grad_w : ndarray of shape (n_features,)
    grad_b : float
    """
    objective, coef = _objective(X, y, w, b, sample_weight)
    grad = objective.gradient(coef) / _divisor(objective, reduction)
    return grad[:-1], float(grad[-1])


def bce_hessian(X, w, b=0.0, *, sample_weight=None, reduction="mean"):
    """Hessian of :func:`bce_loss` in (w, b): [X, 1]ᵀ diag(sᵢ ŷᵢ(1 - ŷᵢ)) [X, 1].

    It does not depend on y. Accumulated in row blocks (no n x d temporary).

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    w : array-like of shape (n_features,)
    b : float, default=0.0
    sample_weight : array-like of shape (n_samples,), default=None
    reduction : {"mean", "sum"}, default="mean"

    Returns
    -------
    ndarray of shape (n_features + 1, n_features + 1)
        The intercept is the last row and column.
    """
    objective, coef = _objective(X, None, w, b, sample_weight)
    return objective.hessian(coef) / _divisor(objective, reduction)
