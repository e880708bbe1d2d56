"""The standardised coordinates of a problem, and the convergence rule they give unpenalised fits.

L-BFGS runs in these coordinates (see lbfgs's module docstring): θ = T u with

    wⱼ = uⱼ / sⱼ,    b = u_b - Σⱼ mⱼ uⱼ / sⱼ,

mⱼ and sⱼ the weighted means and spreads of the columns, so that x·w + b is the same model on
standardised data, and Tᵀ ∇f(θ) is the gradient there.

Without a penalty the gradient rule alone depends on the units of the features: with every
column in millionths, ∇f at the intercept-only start is a millionth of its size in units and
meets tol, and a fit stopped there with slopes of 0. The gradient in standardised coordinates
does not depend on the units, so solvers without another unit-free test (a Newton step's
length in standard errors) also require it to meet tol (``unit_free_rule``). Penalised fits
keep the gradient rule alone, as in scikit-learn: the penalty fixes the units of w.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .._objective import check_no_overflow
from ._base import EPS

# The row sample for the moments: about this many entries of X, and at least this many rows.
_MOMENT_ENTRIES = 1 << 22
_MIN_MOMENT_ROWS = 1024
# Columns whose scales are within this factor of 1, and whose means are within their spread,
# are left as they are.
_EVEN_SCALES = 4.0


def standardising_map(objective):
    """(u ↦ θ, θ ↦ u, ∇f(θ) ↦ Tᵀ∇f(θ)) for the standardisation in the module docstring."""
    d = objective.n_features
    # A preconditioner needs only the order of magnitude of the moments: on large data a
    # sample of rows gives it at a fraction of a pass (one pass is one more iteration).
    rows = max(_MIN_MOMENT_ROWS, _MOMENT_ENTRIES // max(d, 1))
    stride = max(1, objective.n_samples // rows)
    means, squares = objective.column_moments(stride)
    if not (np.all(np.isfinite(means)) and np.all(np.isfinite(squares))):
        means, squares = objective.column_moments()  # the sample had no weight
    # Without a scale for such a column, u ↦ θ would divide by infinity: NaN coefficients.
    check_no_overflow(squares)
    if objective.fit_intercept:
        # E[x²] - m² loses digits to cancellation when |m| >> s: below the rounding error of
        # that difference (a few ε E[x²]) a column counts as constant and is not centred, so
        # that rounding noise does not become a direction of the problem. (Columns whose
        # spread is below about 1e-7 of their mean are treated alike; they leave the problem
        # ill-conditioned for every solver.)
        variance = np.maximum(squares - means * means, 0.0)
        constant = ~(variance > 64.0 * EPS * squares)
        variance[constant] = squares[constant]
        means = np.where(constant, 0.0, means)
    else:
        variance, means = squares, np.zeros(d)
    # The curvature of the mean objective along wⱼ is about h̄ sⱼ² + λ/Σs (h̄ the Hessian weight
    # of the intercept-only model, λ the L2 strength): scaling by its square root rather than by
    # sⱼ alone keeps a column of tiny scale, which the penalty dominates, from becoming the
    # stiffest direction of the standardised problem.
    rate = objective.positive_rate()
    weight = max(rate * (1.0 - rate), 1e-6)
    spread = np.sqrt(variance + objective.l2_strength / (weight * objective.scale))
    spread[~(spread > 0.0)] = 1.0
    if d == 0 or (spread.max() <= _EVEN_SCALES and spread.min() >= 1.0 / _EVEN_SCALES
                  and np.all(np.abs(means) <= spread)):
        # Already about standardised: L-BFGS copes with such scales, and the noise of sampled
        # moments would only perturb it (12 iterations became 14 on standard normal data).
        spread, means = np.ones(d), np.zeros(d)
    shift = means / spread

    def to_coef(standard):
        coef = standard.copy()
        coef[:d] = standard[:d] / spread
        if objective.fit_intercept:
            coef[d] = standard[d] - float(shift @ standard[:d])
        return coef

    def to_standard(coef):
        standard = coef.copy()
        standard[:d] = coef[:d] * spread
        if objective.fit_intercept:
            standard[d] = coef[d] + float(means @ coef[:d])
        return standard

    def gradient_to_standard(grad):
        standard = grad.copy()
        standard[:d] = grad[:d] / spread
        if objective.fit_intercept:
            standard[:d] -= shift * grad[d]
        return standard

    return to_coef, to_standard, gradient_to_standard


def unit_free_rule(objective, tol: float,
                   gradient_to_standard: Callable[[np.ndarray], np.ndarray] | None = None
                   ) -> Callable[[np.ndarray], bool]:
    """``settled(grad)``: whether an unpenalised fit's gradient also meets tol in
    standardised coordinates (always True for a penalised fit).

    ``gradient_to_standard``, when the caller has the map already (see
    :func:`standardising_map`), saves computing the column moments again.
    """
    if objective.l2_strength > 0.0 or objective.l1_strength > 0.0:
        return lambda grad: True
    if gradient_to_standard is None:
        gradient_to_standard = standardising_map(objective)[2]
    return lambda grad: objective.optimality(gradient_to_standard(grad)) <= tol
