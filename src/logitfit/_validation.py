"""Checks of the options that the estimators and the regularization path share."""

from __future__ import annotations

import math
import numbers

import numpy as np

from .solvers import SOLVERS

# The l1_ratio each penalty fixes (None: elastic net takes the user's).
PENALTY_L1_RATIO = {"l1": 1.0, "elasticnet": None, "l2": 0.0}


def check_options(*, tol, max_iter, solver, C_range) -> None:
    """Refuse a bad ``tol``, ``max_iter``, ``solver`` or ``C_range``, naming the fix.

    Shared by ``LogisticRegression``, ``LogisticRegressionCV`` and ``regularization_path`` so
    that all three say the same thing. The comparisons are written so that NaN fails them,
    and infinity is refused explicitly: an infinite tol would accept every starting point as
    converged, an infinite C_range makes the grid infinite.
    """
    if not isinstance(tol, numbers.Real) or not 0.0 < tol < math.inf:
        raise ValueError(f"tol must be a positive finite number, got {tol!r}.")
    if max_iter is not None and (not isinstance(max_iter, numbers.Integral) or max_iter < 1):
        raise ValueError(f"max_iter must be a positive integer or None, got {max_iter!r}.")
    if solver != "auto" and solver not in SOLVERS:
        names = ", ".join(repr(name) for name in ["auto", *sorted(SOLVERS)])
        raise ValueError(f"solver={solver!r} is not known; choose one of {names}.")
    if C_range is not None and (
        not isinstance(C_range, numbers.Real) or not 1.0 <= C_range < math.inf
    ):
        raise ValueError(
            f"C_range (C_max / C_min) must be a finite number of at least 1, or None for the "
            f"default, got {C_range!r}."
        )


def check_flags(**flags) -> None:
    """Refuse a flag that is not a bool: ``fit_intercept="False"`` is a non-empty string, so
    it would count as true (scikit-learn refuses it too)."""
    for name, value in flags.items():
        if not isinstance(value, (bool, np.bool_)):
            raise ValueError(f"{name} must be True or False, got {value!r}.")


def check_weight_on_both_classes(weights: np.ndarray, y_encoded: np.ndarray,
                                 classes: np.ndarray) -> None:
    """Refuse weights (n_samples,) that are zero on every sample of a class: the fit would
    see one class and drive the intercept to the end of float64's range."""
    for k, label in enumerate(classes.tolist()):
        if not np.any(weights[y_encoded == k] > 0):
            raise ValueError(
                f"sample_weight is zero on every sample of class {label!r}, which leaves "
                "one class to fit; a classifier needs weight on samples of both classes.")


def refuse_probability_targets(y: np.ndarray) -> None:
    """Raise ValueError, naming the fix, when ``y`` holds probabilities rather than labels.

    scikit-learn's message for such a y ("Unknown label type: continuous") leaves a user with
    proportions (as statsmodels' Binomial GLM takes them) without a way forward; the
    objective itself is defined for y in [0, 1], so the fix is to pass each row as both
    classes, weighted by y and 1 - y.
    """
    if y.dtype.kind != "f" or y.size == 0 or not np.all(np.isfinite(y)):
        return
    if y.min() < 0.0 or y.max() > 1.0:
        return
    fractional = np.flatnonzero((y > 0.0) & (y < 1.0))
    if fractional.size == 0:
        return
    row = int(fractional[0])
    raise ValueError(
        f"y holds probabilities (values between 0 and 1, such as {y[row]:g} in row {row}), "
        "and a classifier takes class labels. To fit probabilities (the Bernoulli "
        "quasi-likelihood, as statsmodels' Binomial GLM with proportions), pass every row as "
        "both classes, weighted by y and 1 - y: fit(np.vstack([X, X]), np.r_[np.ones(n), "
        "np.zeros(n)], sample_weight=np.r_[y * s, (1 - y) * s]) for n rows of sample weights "
        "s (np.ones(n) if none); the command line does this for a probability target "
        "(logitfit train)."
    )
