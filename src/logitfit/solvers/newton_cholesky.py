"""Newton's method with the full Hessian, solved by a Cholesky factorisation.

Each iteration forms H = [X, 1]ᵀ diag(h) [X, 1] + penalty (block by block, BLAS syrk),
solves H d = -∇f by Cholesky and backtracks from the full step t = 1. For n_samples much
larger than n_features this converges quadratically in a handful of passes.

Reused and subsampled Hessians. On large data one Hessian costs n·d² multiply-adds, several
loss+gradient passes (n·d each). Near the optimum the Hessian hardly changes, so by default
(``hessian_reuse=None``: when n_coef >= 8 and n_samples·n_coef >= 10⁶) the solver keeps the
Cholesky factor of the last Hessian it formed and steps along d = -H_k⁻¹ ∇f(θ), with H_k from
an earlier iterate and the exact gradient: the chord Newton method, which converges to the
exact optimum, linearly with rate ‖I - H_k⁻¹ ∇²f(θ*)‖, small once θ_k is close. A new Hessian
is formed when the last step reduced the gradient's max-norm by less than ``refresh_ratio``,
or had to be shortened. On tall data the Hessian is estimated from a fixed random subset of
m = max(n_samples / 32, 300 n_coef) rows (used when m <= n_samples / 8, and when every
column's sum of squares is spread over at least 50 of them, so a rare column is not
estimated from the one or two of its rows that fell in the subset), scaled up: its
relative error is about √(n_coef / m) <= 6 %, at m / n_samples of the cost. With exact
gradients that changes only the linear rate, never the optimum. If a full step with a fresh
subsampled Hessian does not halve the gradient, or a second one has to be shortened, exact
Hessians take over, as they do when a subsampled Hessian is singular (a column whose few
non-zeros all fell outside the subset). Rows of weight 0 are never in the subset. Without a
penalty (a maximum-likelihood fit, usually for inference) a fit whose last step was not an
exact Newton step ends with one, so its estimate is accurate to working precision, as
statsmodels' Newton method gives it, not only to tol.

When H is singular to working precision (collinear features or separable classes without a
penalty) the Cholesky factorisation fails; the step then comes from a least-squares solve,
which gives the minimum-norm Newton direction, and a warning says why.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.linalg
from scipy.linalg import lapack

from .._kernels import blas_threads_for
from ._base import Callback, SolverResult, descent_loop, newton_step_settled
from ._registry import register


class SingularHessianWarning(UserWarning):
    """The Hessian could not be factorised: the optimum is not unique or does not exist."""


def cholesky_factor(hessian: np.ndarray) -> np.ndarray | None:
    """Upper Cholesky factor of H, or None when H is not positive definite.

    LAPACK's potrf directly: scipy.linalg.cho_factor's wrapper costs more than the
    factorisation itself for the small Hessians of small problems.
    """
    with blas_threads_for(hessian.shape[0]):
        factor, info = lapack.dpotrf(hessian, lower=0, clean=0)
    return factor if info == 0 else None


def cholesky_solve(factor: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Solve H x = rhs given the factor from :func:`cholesky_factor`."""
    with blas_threads_for(factor.shape[0]):
        solution, info = lapack.dpotrs(factor, rhs, lower=0)
    if info != 0:
        raise ValueError(f"LAPACK dpotrs failed with info={info}")
    return solution


def newton_direction(hessian: np.ndarray, grad: np.ndarray, l2_strength: float,
                     warned: dict | None = None) -> np.ndarray:
    """Solve H d = -g by Cholesky, falling back to least squares for a singular H.

    ``l2_strength`` (the objective's L2 term, 1/C for penalty='l2') chooses the warning's
    advice: without a penalty, add one; with one, it is too weak for the data's scales.
    ``warned``: a fit's record, so that it warns once (``warned["singular"]``), not at
    every iteration.
    """
    factor = cholesky_factor(hessian)
    if factor is not None:
        return -cholesky_solve(factor, grad)
    if warned is not None:
        if warned.get("singular"):
            return -scipy.linalg.lstsq(hessian, grad, check_finite=False, cond=None)[0]
        warned["singular"] = True
    if l2_strength > 0.0:
        message = (
            "The Hessian is singular to working precision: the L2 penalty (strength "
            f"{l2_strength:.3g}) is too weak against the scale of the data to make it "
            "positive definite, so some coefficients are barely determined (features that "
            "are collinear, with each other or with the intercept, or on very different "
            "scales). Use a smaller C, standardise the features, or remove redundant ones.")
    else:
        message = (
            "The Hessian is singular: features are collinear or the classes are separable, "
            "so the unpenalised optimum is not unique or does not exist. Add a penalty "
            "(penalty='l2' with a finite C) or remove redundant features.")
    warnings.warn(message, SingularHessianWarning, stacklevel=4)
    return -scipy.linalg.lstsq(hessian, grad, check_finite=False, cond=None)[0]


# Reuse Hessians only where one costs clearly more than a pass over X and than the Python
# overhead of an iteration.
_REUSE_MIN_COEF = 8
_REUSE_MIN_SIZE = 1_000_000
# A subsampled Hessian keeps at least this many rows per coefficient, so that its relative
# error (about √(n_coef / m)) is at most 6 %, and at least 1/32 of the rows; data too short
# to leave out 7/8 of the rows get exact Hessians.
_MIN_ROWS_PER_COEF = 300
_MIN_SUBSAMPLE_FRACTION = 32
_MAX_SUBSAMPLE_FRACTION = 8
# A full step with a fresh subsampled Hessian that does not even halve the gradient means the
# subsample misses something the full data has. (Far from the optimum an exact Newton step
# can also reduce the gradient by less than refresh_ratio, so that threshold would give up on
# subsampling too early.)
_SUBSAMPLE_FAILURE_RATIO = 0.5
# A column whose curvature the subset estimates from fewer rows than this is off by more than
# about 1/√50 = 14 %, and can be off entirely: a rare 0/1 column (a one-hot level seen in a
# few rows) has one or none of them in the subset. A Newton step along it then overshoots,
# its rows' Hessian weights vanish, and the subsampled Newton steps stall (50,000 rows with
# a column non-zero on 8 of them, unpenalised: a 31 % worse objective where the fit
# stopped). Such data get exact Hessians: an all-zero column does too, needlessly but safely.
_MIN_ROWS_PER_COLUMN = 50
_SUBSAMPLE_SHORTENED_LIMIT = 2


def subsample_size(n_weighted: int, n_coef: int) -> int | None:
    """Rows in a subsampled Hessian of ``n_weighted`` weighted rows, or None for exact ones."""
    m = max(n_weighted // _MIN_SUBSAMPLE_FRACTION, _MIN_ROWS_PER_COEF * n_coef)
    return None if m > n_weighted // _MAX_SUBSAMPLE_FRACTION else m


def subsample_rows(objective) -> np.ndarray | None:
    """The rows a subsampled Hessian of ``objective`` uses, or None for exact Hessians.

    None also when some feature's sum of squares rests on fewer than
    ``_MIN_ROWS_PER_COLUMN`` of the drawn rows (:meth:`BCEObjective.rows_per_column`): see
    there for why.
    """
    rows = hessian_rows(objective.sample_weight, objective.n_coef)
    if rows is None or objective.n_features == 0:
        return rows
    if np.min(objective.rows_per_column(rows)) < _MIN_ROWS_PER_COLUMN:
        return None
    return rows


def reuses_hessians(n_samples: int, n_coef: int) -> bool:
    """Whether ``hessian_reuse=None`` turns reuse (and with it subsampling) on."""
    return n_coef >= _REUSE_MIN_COEF and n_samples * n_coef >= _REUSE_MIN_SIZE


def hessian_rows(sample_weight: np.ndarray, n_coef: int, seed: int = 0) -> np.ndarray | None:
    """Sorted rows for a subsampled Hessian, or None if the data are too short for one.

    Drawn from the rows of non-zero weight only: rows of weight 0 add nothing to the Hessian,
    and a sample that spends its rows on them estimates it from too few of the others.
    """
    weighted = np.flatnonzero(sample_weight > 0)
    m = subsample_size(weighted.shape[0], n_coef)
    if m is None:
        return None
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(weighted, size=m, replace=False)).astype(np.int64)


@register("newton-cholesky", default_max_iter=100,
          options=("hessian_reuse", "refresh_ratio", "subsample"))
def solve(
    objective,
    coef0: np.ndarray,
    *,
    tol: float,
    max_iter: int,
    callback: Callback | None = None,
    hessian_reuse: bool | None = None,
    refresh_ratio: float = 0.1,
    subsample: bool = True,
) -> SolverResult:
    """Minimise ``objective`` by Newton's method with a Cholesky solve and line search.

    Parameters
    ----------
    hessian_reuse : bool or None, default=None
        Keep a Hessian's factorisation while steps with it make progress (see the module
        docstring). None decides by size: on when n_coef >= 8 and n_samples·n_coef >= 10⁶.
        False forms a new Hessian at every iteration (the classical method).
    refresh_ratio : float, default=0.1
        With reuse, form a new Hessian when the last step reduced the gradient's max-norm by
        less than this factor; in (0, 1).
    subsample : bool, default=True
        With reuse, estimate Hessians from a random subset of the rows on tall data.
    """
    if not 0.0 < refresh_ratio < 1.0:
        raise ValueError(f"refresh_ratio must be in (0, 1), got {refresh_ratio!r}.")
    if hessian_reuse is None:
        hessian_reuse = reuses_hessians(objective.n_samples, objective.n_coef)

    penalised = objective.l2_strength > 0.0 or objective.l1_strength > 0.0
    warned = {}  # one SingularHessianWarning per fit
    if not hessian_reuse:
        # Whether the last step's length in standard errors (see newton_step_settled) was
        # small enough to end an unpenalised fit.
        last = {"settled": penalised}

        def direction_rule(coef, value, grad, previous_step):
            direction = newton_direction(objective.hessian(coef), grad, objective.l2_strength,
                                         warned)
            last["settled"] = penalised or newton_step_settled(grad, direction, value, tol)
            return direction, 1.0, True

        def final_rule(coef, value, grad):
            if last["settled"]:
                return None
            return direction_rule(coef, value, grad, 1.0)

        return descent_loop("newton-cholesky", objective, coef0, tol=tol, max_iter=max_iter,
                            callback=callback, direction_rule=direction_rule,
                            final_rule=final_rule, settled=lambda grad: last["settled"])

    rows = subsample_rows(objective) if subsample else None
    # "exact": the last direction came from an exact Hessian formed at that iterate;
    # "settled": it was short enough to end an unpenalised fit (see newton_step_settled).
    state = {"factor": None, "previous_norm": None, "fresh": False, "rows": rows,
             "shortened": 0, "exact": False, "settled": False}

    def lazy_direction_rule(coef, value, grad, previous_step):
        norm = objective.optimality(grad)
        previous = state["previous_norm"]
        ratio = norm / previous if previous else np.inf
        state["previous_norm"] = norm
        if state["fresh"] and state["rows"] is not None:
            # A full step with a fresh subsampled factor that failed, or a second one that
            # had to be shortened, means the subsample misses something the full data has
            # (exact Newton steps are shortened too, but rarely more than once on this
            # convex objective): exact Hessians from now on.
            state["shortened"] += previous_step < 1.0
            if ((previous_step >= 1.0 and ratio > _SUBSAMPLE_FAILURE_RATIO)
                    or state["shortened"] >= _SUBSAMPLE_SHORTENED_LIMIT):
                state["rows"] = None
        stale = state["factor"] is None or previous_step < 1.0 or ratio > refresh_ratio
        if stale:
            hessian = objective.hessian(coef, state["rows"])
            state["factor"] = cholesky_factor(hessian)
            if state["factor"] is None and state["rows"] is not None:
                # The subset may miss every non-zero of a rare column, whose curvature is
                # then the penalty's alone (none without one): exact Hessians from now on.
                state["rows"] = None
                hessian = objective.hessian(coef)
                state["factor"] = cholesky_factor(hessian)
            if state["factor"] is None:
                # Singular: newton_direction warns and takes the least-squares step (from the
                # exact Hessian, formed above); the next iteration forms a new Hessian again.
                state["fresh"] = False
                state["exact"] = True
                direction = newton_direction(hessian, grad, objective.l2_strength, warned)
                state["settled"] = newton_step_settled(grad, direction, value, tol)
                return direction, 1.0, True
        state["fresh"] = stale
        state["exact"] = stale and state["rows"] is None
        direction = -cholesky_solve(state["factor"], grad)
        state["settled"] = state["exact"] and newton_step_settled(grad, direction, value, tol)
        return direction, 1.0, True

    def exact_final_rule(coef, value, grad):
        # Without a penalty the fit is a maximum-likelihood estimate, usually for inference
        # (summary()), where statsmodels' Newton method converges quadratically to full
        # precision. Chord steps stop once the gradient is below tol, with the coefficients
        # off by up to about tol over the curvature (8e-6 relative on 100,000 x 20 at
        # tol=1e-6): exact Newton steps from there square that error, for one Hessian each,
        # until one is shorter than tol standard errors (see newton_step_settled).
        if penalised or state["settled"]:
            return None
        state["rows"] = state["factor"] = None  # an exact Hessian, formed here
        return lazy_direction_rule(coef, value, grad, 1.0)

    return descent_loop("newton-cholesky", objective, coef0, tol=tol, max_iter=max_iter,
                        callback=callback, direction_rule=lazy_direction_rule,
                        final_rule=exact_final_rule,
                        settled=lambda grad: penalised or state["settled"])
