"""Proximal Newton with inner coordinate descent (newGLMNET / glmnet style) for f + λ₁‖w‖₁.

Each outer iteration, at θ = [w, b] with smooth gradient ∇f (one fused pass) and Hessian
weights hᵢ = sᵢ σ(zᵢ)(1 - σ(zᵢ)) (from the logits that pass already computed):

1. **Working set.** The non-zero coefficients and the zero ones that violate the KKT
   conditions, |∇ⱼf| ≥ λ₁; a zero coefficient whose gradient is inside the threshold stays
   zero this iteration and costs nothing. Left-out coordinates are still checked by the KKT
   rule on the full gradient, so one that starts to violate it joins the next working set.
2. **Inner solve.** Coordinate descent on the quadratic model
   q(Δ) = ∇f·Δ + ½ ΔᵀHΔ + λ₁‖w + Δw‖₁ over the working set (``_cd_kernels``), with the
   Hessian H = [X, 1]ᵀ diag(h) [X, 1] + λ₂ not formed: Δz = XΔw + Δb is kept instead. The
   inner solve stops at a fraction η = min(0.1, √v) of the outer KKT violation v (an inexact
   Newton step whose forcing term vanishes near the optimum, so the outer convergence is
   superlinear; Lee, Sun and Saunders 2014). On tall dense data, once the inner solves
   need many sweeps over few columns, the model's derivatives come from the Gram matrix
   X_Aᵀ diag(h) X_A of the working set A instead (glmnet's covariance updates; see
   ``_use_gram``), and Δz = X Δw + Δb from one pass at the end.
3. **Line search.** Armijo on F along Δ with the newGLMNET decrease
   δ = ∇f·Δ + λ₁(‖w + Δw‖₁ - ‖w‖₁) < 0: accept t when F(θ + tΔ) ≤ F(θ) + σ t δ. The logits
   along the line are z + tΔz, so trial steps cost O(n), not a pass over X.

Convergence: the KKT rule of ``_composite``, the same as ``prox``. Columns are read from a
column-major copy of X, kept per objective and reused, e.g. along a regularisation path: for
sparse X only the columns the working sets have needed (CSC, extracted from the CSR matrix
when first needed, or the whole transpose once they would hold half of its non-zeros); for
dense X a Fortran-ordered copy, which doubles the memory held for X.
"""

from __future__ import annotations

import weakref

import numpy as np

from .. import _cd_kernels, _kernels
from ._base import EPS, Callback, SolverResult
from ._composite import CompositeHistory, kkt_converged
from ._registry import register
from ._standardise import unit_free_rule

# newGLMNET's damping: keeps every coordinate's curvature positive.
_DAMPING = 1e-12
_SUFFICIENT_DECREASE = 0.01
_MAX_HALVINGS = 40
# Inner CD stops when its KKT violation is a fraction η of the outer one (inexact Newton):
# η = min(_INNER_TOL, √v) for an outer violation v per unit weight, so η → 0 as v → 0 and the
# outer convergence becomes superlinear (Lee, Sun and Saunders' forcing sequence).
_INNER_TOL = 0.1
# Cap on the sweeps of one inner solve (glmnet's maxit). On badly scaled features CD converges
# slowly, and an inner solve cut short leaves the outer iteration only linearly convergent:
# at a cap of 1,000 the L1 fit of the unscaled breast-cancer data stopped at max_iter, where
# with no effective cap it converges in 15 outer iterations, in a fifth of the time.
_MAX_SWEEPS = 100_000


def _inner_factor(mean_violation: float) -> float:
    return min(_INNER_TOL, float(np.sqrt(mean_violation)))


_COLUMNS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


# A sparse working set's columns are extracted from the CSR matrix as they are first needed,
# together with those whose gradient is within this factor of the L1 threshold (likely to be
# needed soon, e.g. at the next C of a path). Once the extracted columns would hold more than
# _FULL_TRANSPOSE_SHARE of the non-zeros, the whole matrix is transposed instead.
_PREFETCH = 0.8
_FULL_TRANSPOSE_SHARE = 0.5


class SparseColumns:
    """Columns of a CSR matrix in CSC form, extracted when coordinate descent needs them.

    ``data, rows, indptr`` hold the extracted columns; feature j is column ``slots[j]``
    (-1 while not extracted).
    """

    def __init__(self, X):
        if not X.has_canonical_format:
            # A repeated (row, column) entry would enter a column's curvature Σ h x² as two
            # squares rather than the square of the sum: merge them (a copy, of this case only).
            X = X.copy()
            X.sum_duplicates()
        self.X = X
        n_features = X.shape[1]
        self.slots = np.full(n_features, -1, dtype=np.int64)
        self.data = np.empty(0, dtype=X.data.dtype)
        self.rows = np.empty(0, dtype=_cd_kernels.row_index_dtype(X.shape[0]))
        self.indptr = np.zeros(1, dtype=np.int64)
        self.column_nnz = _cd_kernels.column_counts(X.indices[: X.nnz], n_features)
        self.complete = False

    def ensure(self, needed: np.ndarray, wanted: np.ndarray) -> None:
        """Make the columns ``needed`` available; if some are missing, also ``wanted``."""
        if self.complete or np.all(self.slots[needed] >= 0):
            return
        X = self.X
        new = np.union1d(needed, wanted)
        new = new[self.slots[new] < 0]
        if self.indptr[-1] + self.column_nnz[new].sum() > _FULL_TRANSPOSE_SHARE * X.nnz:
            self.data, rows, self.indptr = _cd_kernels.csr_to_csc(
                X.data, X.indices, X.indptr, X.shape[1])
            self.rows = rows
            self.slots = np.arange(X.shape[1], dtype=np.int64)
            self.complete = True
            return
        slot_of = np.full(X.shape[1], -1, dtype=np.int64)
        slot_of[new] = np.arange(new.size)
        col_ptr = np.zeros(new.size + 1, dtype=np.int64)
        np.cumsum(self.column_nnz[new], out=col_ptr[1:])
        data, rows = _cd_kernels.csr_extract_columns(
            X.data, X.indices, X.indptr, slot_of, col_ptr,
            np.empty(int(col_ptr[-1]), dtype=self.rows.dtype))
        self.slots[new] = self.indptr.size - 1 + np.arange(new.size)
        self.data = np.concatenate([self.data, data])
        self.rows = np.concatenate([self.rows, rows])
        self.indptr = np.concatenate([self.indptr, col_ptr[1:] + self.indptr[-1]])


def column_major(objective):
    """Return X in column-major form for the CD kernels, cached per objective.

    A :class:`SparseColumns` for sparse X, a Fortran-ordered copy for dense X.
    """
    cached = _COLUMNS.get(objective)
    if cached is None or cached[0] is not objective.X:
        X = objective.X
        columns = SparseColumns(X) if objective.sparse else np.asfortranarray(X)
        cached = (X, columns)
        _COLUMNS[objective] = cached
    return cached[1]


def _evaluate(objective, coef):
    """F(θ) and ∇f(θ) from one fused pass, or from none when θ is where the last call was.

    Along a regularisation path each fit starts at the previous solution, where the previous
    fit already evaluated the loss and its gradient; the objective keeps that pass and adds
    the changed penalty terms exactly. This saves one pass over X per value of C.
    """
    value, grad = objective.loss_gradient(coef)
    return value + objective.penalty_value(coef), grad


# Dense X, when the inner solve is expected to need many sweeps over few columns, uses the
# Gram matrix of the active columns (glmnet's covariance updates) instead of sweeping over the
# columns: building it costs n k²/2 multiply-adds at BLAS speed, a column sweep n k reads at
# memory speed, about 40 times slower per element on this kind of machine. So the Gram matrix
# pays once an inner solve makes more than k/40 sweeps, predicted from the previous one's
# count. At most _GRAM_MAX_COLUMNS columns (a 32 MiB matrix), and only on tall data.
_GRAM_COLUMNS_PER_SWEEP = 40
_GRAM_MAX_COLUMNS = 2048
_GRAM_MIN_ROWS_PER_COLUMN = 4


def _use_gram(objective, n_active, expected_sweeps):
    return (not objective.sparse and 0 < n_active <= _GRAM_MAX_COLUMNS
            and objective.n_samples >= _GRAM_MIN_ROWS_PER_COLUMN * n_active
            and expected_sweeps * _GRAM_COLUMNS_PER_SWEEP >= n_active)


def _inner_solve(objective, columns, h, grad, w, active, tol_abs, max_sweeps,
                 expected_sweeps):
    """Minimise the quadratic model over ``active``: (Δw, Δb, Δz, sweeps)."""
    grad_w = np.ascontiguousarray(grad[: objective.n_features])
    grad_b = float(grad[-1]) if objective.fit_intercept else 0.0
    lam1, l2 = objective.l1_strength, objective.l2_strength
    if _use_gram(objective, active.size, expected_sweeps):
        gram, cross, total = _kernels.dense_hessian(objective.X, h, columns=active)
        dw_active, db, sweeps = _cd_kernels.gram_cd_inner(
            gram, cross, total, grad_w[active], w[active], lam1, l2, _DAMPING,
            objective.fit_intercept, grad_b, tol_abs, max_sweeps)
        dw = np.zeros(objective.n_features)
        dw[active] = dw_active
        dz = _kernels.dense_linear_predictor(objective.X, dw, db,
                                             _kernels.n_parts_for(objective.n_samples))
        return dw, db, dz, sweeps
    args = (h, grad_w, w, active, lam1, l2, _DAMPING, objective.fit_intercept, grad_b,
            tol_abs, max_sweeps)
    if objective.sparse:
        return _cd_kernels.csc_cd_inner(columns.data, columns.rows, columns.indptr,
                                        columns.slots, objective.n_samples, *args)
    return _cd_kernels.dense_cd_inner(columns, *args)


@register("cd", default_max_iter=100, options=("max_sweeps",), handles_l1=True)
def solve(
    objective,
    coef0: np.ndarray,
    *,
    tol: float,
    max_iter: int,
    callback: Callback | None = None,
    max_sweeps: int = _MAX_SWEEPS,
) -> SolverResult:
    """Minimise f + λ₁‖w‖₁ by proximal Newton steps solved by coordinate descent.

    Parameters
    ----------
    max_sweeps : int, default=100_000
        Cap on the coordinate-descent sweeps of one inner solve.
    """
    scale = objective.scale
    n_features = objective.n_features
    lam1 = objective.l1_strength
    history = CompositeHistory(objective, callback)
    columns = column_major(objective)
    coef = np.array(coef0, dtype=np.float64, copy=True)
    total, grad = _evaluate(objective, coef)
    history.record(coef, total, grad, 0.0)
    # Without any penalty the KKT measure is the gradient, which must then also meet tol in
    # standardised coordinates (see _standardise).
    settled = unit_free_rule(objective, tol)

    def done(grad, coef):
        return kkt_converged(objective, grad, coef, tol) and settled(grad)

    sweeps = 0
    for iteration in range(1, max_iter + 1):
        violation = objective.optimality(grad, coef) * scale
        if violation <= tol * scale and settled(grad):
            return history.result(coef, iteration - 1, True, "converged")
        w = np.ascontiguousarray(coef[:n_features])
        h = objective.hessian_weights(coef)
        z = objective.logits(coef).copy()
        keep = (w != 0.0) | (np.abs(grad[:n_features]) >= lam1)
        active = np.flatnonzero(keep).astype(np.int64)
        if objective.sparse:
            columns.ensure(active, np.flatnonzero(
                np.abs(grad[:n_features]) >= _PREFETCH * lam1).astype(np.int64))
        dw, db, dz, sweeps = _inner_solve(objective, columns, h, grad, w, active,
                                          _inner_factor(violation / scale) * violation,
                                          max_sweeps, sweeps)
        direction = np.concatenate([dw, [db]]) if objective.fit_intercept else dw
        l1_before = np.abs(w).sum()
        decrease = float(grad @ direction) + lam1 * (np.abs(w + dw).sum() - l1_before)
        if not np.any(direction):
            return history.result(coef, iteration - 1, False,
                                  "the Newton step is zero: the KKT violation is below what "
                                  "float64 resolves")
        # Near the optimum the predicted decrease can round to ≥ 0; the step is then taken
        # only if F does not rise by more than its own rounding error.
        decrease = min(decrease, 0.0)
        noise = 64.0 * EPS * abs(total)
        l2 = objective.l2_strength
        step = 1.0
        for _ in range(_MAX_HALVINGS):
            w_trial = w + step * dw
            trial = (_cd_kernels.shifted_loss(z, dz, step, objective.y, objective.sample_weight)
                     + 0.5 * l2 * float(w_trial @ w_trial) + lam1 * np.abs(w_trial).sum())
            if trial <= total + _SUFFICIENT_DECREASE * step * decrease or (
                trial <= total + noise and step == 1.0
            ):
                break
            step *= 0.5
        else:
            return history.result(coef, iteration - 1, False,
                                  "line search found no decrease: the objective is flat to "
                                  "float64 precision along the Newton direction")
        coef = coef + step * direction
        total, grad = _evaluate(objective, coef)
        if history.record(coef, total, grad, step):
            return history.result(coef, iteration, done(grad, coef),
                                  "stopped by callback")
    finished = done(grad, coef)
    return history.result(coef, max_iter, finished,
                          "converged" if finished else "max_iter reached")
