"""Newton's method with the full Hessian, solved by a Cholesky factorisation.

Each iteration forms H = [X, 1]ᵀ diag(h) [X, 1] + penalty (block by block, BLAS syrk),
solves H d = -∇f by Cholesky and backtracks from the full step t = 1. For n_samples much
larger than n_features this converges quadratically in a handful of passes.

When H is singular to working precision (collinear features or separable classes without a
penalty) the Cholesky factorisation fails; the step then comes from a least-squares solve,
which gives the minimum-norm Newton direction, and a warning says why.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.linalg

from ._base import Callback, SolverResult, descent_loop
from ._registry import register


class SingularHessianWarning(UserWarning):
    """The Hessian could not be factorised: the optimum is not unique or does not exist."""


def newton_direction(hessian: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """Solve H d = -g by Cholesky, falling back to least squares for a singular H."""
    try:
        factor = scipy.linalg.cho_factor(hessian, lower=False, check_finite=False)
        return -scipy.linalg.cho_solve(factor, grad, check_finite=False)
    except np.linalg.LinAlgError:
        warnings.warn(
            "The Hessian is singular: features are collinear or the classes are separable, "
            "so the unpenalised optimum is not unique or does not exist. Add a penalty "
            "(penalty='l2' with a finite C) or remove redundant features.",
            SingularHessianWarning,
            stacklevel=4,
        )
        return -scipy.linalg.lstsq(hessian, grad, check_finite=False, cond=None)[0]


@register("newton-cholesky", default_max_iter=100)
def solve(
    objective,
    coef0: np.ndarray,
    *,
    tol: float,
    max_iter: int,
    callback: Callback | None = None,
) -> SolverResult:
    """Minimise ``objective`` by Newton's method with a Cholesky solve and line search."""

    def direction_rule(coef, value, grad, previous_step):
        return newton_direction(objective.hessian(coef), grad), 1.0, True

    return descent_loop("newton-cholesky", objective, coef0, tol=tol, max_iter=max_iter,
                        callback=callback, direction_rule=direction_rule)
