"""The analytic gradient (seed eq. (12)) against central finite differences of the objective.

For each coordinate j of θ = [w, b] the check compares ∂f/∂θⱼ from ``BCEObjective.gradient``
with

    (f(θ + hⱼ eⱼ) - f(θ - hⱼ eⱼ)) / (2 hⱼ),     hⱼ = ε^(1/3) · max(tⱼ, |θⱼ|)

whose truncation error is O(h²) and rounding error O(ε f / h): the step balances the two
(ε the float64 machine epsilon). tⱼ is the coordinate's typical size, 1/rmsⱼ for the weight of
a column of root mean square rmsⱼ and 1 for the intercept: a step of 6e-6 in the weight of a
column of incomes around 25,000 moves the logits by 0.15, where f is far from quadratic.
The relative error of a coordinate is
|analytic - numeric| / max(|analytic|, |numeric|, floor), the floor (√ε times the total sample
weight) keeping coordinates whose gradient is zero from dividing rounding noise by zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EPS = np.finfo(np.float64).eps


@dataclass
class GradientCheck:
    """Per-coordinate comparison of the analytic and finite-difference gradients.

    Attributes
    ----------
    names : list of str
        Coordinate names, shape (n_checked,).
    analytic, numeric, relative_error : ndarray of shape (n_checked,)
    """

    names: list[str]
    analytic: np.ndarray
    numeric: np.ndarray
    relative_error: np.ndarray

    @property
    def worst(self) -> int:
        """Index of the coordinate with the largest relative error."""
        return int(np.argmax(self.relative_error))

    @property
    def max_relative_error(self) -> float:
        return float(self.relative_error.max())

    def to_dict(self) -> dict:
        return {
            "coordinates": [
                {"name": n, "analytic": float(a), "finite_difference": float(f),
                 "relative_error": float(r)}
                for n, a, f, r in zip(self.names, self.analytic, self.numeric,
                                      self.relative_error, strict=True)
            ],
            "worst": self.names[self.worst],
            "max_relative_error": self.max_relative_error,
        }


def check_gradient(objective, coef: np.ndarray, names: list[str],
                   coordinates: np.ndarray | None = None,
                   typical: np.ndarray | None = None) -> GradientCheck:
    """Compare ``objective.gradient(coef)`` with central differences of ``objective.value``.

    Parameters
    ----------
    objective : BCEObjective
        Or any object with ``value``, ``gradient`` and ``scale``.
    coef : ndarray of shape (n_coef,)
    names : list of str
        Names of the coordinates, length n_coef.
    coordinates : ndarray of int, default=None
        The coordinates to check; all when None.
    typical : ndarray of shape (n_coef,), default=None
        The typical size of each coordinate (:func:`typical_coefficients`), which sets its
        step; 1 for every one when None.

    Returns
    -------
    GradientCheck
    """
    coef = np.asarray(coef, dtype=np.float64)
    analytic_all = objective.gradient(coef)
    if coordinates is None:
        coordinates = np.arange(coef.shape[0])
    if typical is None:
        typical = np.ones(coef.shape[0])
    numeric = np.empty(coordinates.shape[0])
    point = coef.copy()
    for k, j in enumerate(coordinates):
        h = EPS ** (1 / 3) * max(typical[j], abs(coef[j]))
        point[j] = coef[j] + h
        upper = objective.value(point)
        point[j] = coef[j] - h
        lower = objective.value(point)
        point[j] = coef[j]
        # (θ + h) - (θ - h) in floating point, not 2h: the step actually taken.
        numeric[k] = (upper - lower) / ((coef[j] + h) - (coef[j] - h))
    analytic = analytic_all[coordinates]
    floor = np.sqrt(EPS) * max(float(objective.scale), 1.0)
    relative = np.abs(analytic - numeric) / np.maximum(
        np.maximum(np.abs(analytic), np.abs(numeric)), floor)
    return GradientCheck([names[j] for j in coordinates], analytic, numeric, relative)


def random_point(X, rng: np.random.Generator) -> np.ndarray:
    """Random coefficients [w, b] at which each logit has about unit variance.

    wⱼ ~ N(0, 1) / (√d · rmsⱼ) with rmsⱼ the root mean square of column j, and b ~ N(0, 1):
    a point where σ is neither saturated nor flat, so every gradient coordinate is informative.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    rng : numpy.random.Generator

    Returns
    -------
    ndarray of shape (n_features + 1,)
    """
    n_features = X.shape[1]
    rms = _column_rms(X)
    coef = np.empty(n_features + 1)
    coef[:-1] = rng.standard_normal(n_features) / (rms * np.sqrt(n_features))
    coef[-1] = rng.standard_normal()
    return coef


def typical_coefficients(X) -> np.ndarray:
    """Typical size of each coefficient [w, b]: 1/rmsⱼ for wⱼ, 1 for b.

    A change of that size in a coefficient moves the logits by about 1.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)

    Returns
    -------
    ndarray of shape (n_features + 1,)
    """
    return np.r_[1.0 / _column_rms(X), 1.0]


def _column_rms(X) -> np.ndarray:
    # Root mean square of each column, 1 for a column of zeros.
    import scipy.sparse as sp

    if sp.issparse(X):
        mean_square = np.asarray(X.multiply(X).mean(axis=0)).ravel()
    else:
        mean_square = np.einsum("ij,ij->j", X, X) / X.shape[0]  # no n x d temporary
    rms = np.sqrt(mean_square)
    rms[~(rms > 0)] = 1.0
    return rms
