"""The penalised BCE objective: the one object every solver sees.

Maths
-----
With coefficients θ = [w, b] (w of shape (n_features,), the intercept b stored last and only
when ``fit_intercept``), logits zᵢ = xᵢ·w + b, non-negative sample weights sᵢ and labels
yᵢ ∈ [0, 1] (soft labels allowed):

    f(θ)   = Σᵢ sᵢ L(zᵢ, yᵢ) + ‖w‖² / (2C)                     L from seed eq. (1)
    ∇f(θ)  = Σᵢ sᵢ (σ(zᵢ) - yᵢ) [xᵢ, 1] + [w / C, 0]           seed eq. (12)
    ∇²f(θ) = [X, 1]ᵀ diag(sᵢ σ(zᵢ)(1 - σ(zᵢ))) [X, 1] + diag(1/C, ..., 1/C, 0)

The intercept is never penalised. ``C = inf`` (``penalty=None``) removes the penalty.
This is exactly scikit-learn's ``LogisticRegression`` objective, so ``C`` means the same.

L1 and elastic net
------------------
With ``l1_ratio`` = ρ ∈ [0, 1] the penalty is scikit-learn's elastic net,

    F(θ) = Σᵢ sᵢ L(zᵢ, yᵢ) + (1/C) (ρ ‖w‖₁ + (1 - ρ) ‖w‖² / 2)  =  f(θ) + g(θ),

split into a smooth part f (the loss and the L2 term, strength ``l2_strength`` = (1-ρ)/C) and a
non-smooth part g(θ) = ``l1_strength`` ‖w‖₁ with ``l1_strength`` = ρ/C. Every smooth method
(``loss_gradient``, ``hessian``, ``hessp``, ...) returns f and its derivatives; g enters only
through :meth:`BCEObjective.penalty_value`, :meth:`BCEObjective.prox` and
:meth:`BCEObjective.optimality`. ρ = 0 (the default) is the plain L2 objective above.

Scale
-----
``scale = Σᵢ sᵢ`` is the objective's natural size. Solvers judge convergence by the
gradient's max-norm divided by it (the mean gradient per unit of weight), so ``tol`` does not
depend on how many samples there are.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
from sklearn.utils import assert_all_finite

from . import _kernels

# Rows of X squared at a time by BCEObjective.rows_per_column (a block, not an m x d copy).
_ROWS_PER_COLUMN_BLOCK_BYTES = 4 * 1024 * 1024


class BCEObjective:
    """Penalised binary cross-entropy of a logistic model, with its derivatives.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features) or scipy.sparse CSR matrix
        float32 or float64. Dense arrays must be C-contiguous. Not copied.
    y : ndarray of shape (n_samples,)
        Labels in [0, 1]; fractional values are soft labels.
    sample_weight : ndarray of shape (n_samples,), default=None
        Non-negative weights sᵢ (class weights already multiplied in). None means all ones.
    C : float, default=1.0
        Inverse penalty strength (scikit-learn's C); ``np.inf`` for no penalty.
    fit_intercept : bool, default=True
        Whether θ ends with an (unpenalised) intercept.
    l1_ratio : float, default=0.0
        Share of the penalty that is L1 (scikit-learn's elastic-net mixing parameter);
        0 is pure L2, 1 pure L1.

    Notes
    -----
    The input is assumed valid: the estimator validates once, at the boundary.
    Every method takes ``coef`` of shape (n_coef,) = (n_features + fit_intercept,).
    """

    def __init__(self, X, y, sample_weight=None, *, C: float = 1.0, fit_intercept: bool = True,
                 l1_ratio: float = 0.0):
        self.X = X
        self.sparse = sp.issparse(X)
        self.n_samples, self.n_features = X.shape
        self.y = np.ascontiguousarray(y, dtype=np.float64)
        if sample_weight is None:
            sample_weight = np.ones(self.n_samples)
        self.sample_weight = np.ascontiguousarray(sample_weight, dtype=np.float64)
        self.set_penalty(C, l1_ratio)
        self.fit_intercept = bool(fit_intercept)
        self.n_coef = self.n_features + int(self.fit_intercept)
        self.scale = float(self.sample_weight.sum())
        # Rows of weight 0 add nothing: a subsampled Hessian is drawn from the others.
        self.n_weighted_samples = int(np.count_nonzero(self.sample_weight > 0))
        self.n_data_passes = 0
        self._moments: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._logits = np.empty(self.n_samples)
        self._n_parts = _kernels.n_parts_for(self.n_samples)
        self._logits_coef: np.ndarray | None = None
        # (θ, Σ sᵢ Lᵢ, its gradient) of the last fused pass, without the penalty: a solver
        # that starts where the last fit or the input check stopped pays no second pass.
        self._last_data_term: tuple[np.ndarray, float, np.ndarray] | None = None

    def set_penalty(self, C: float, l1_ratio: float = 0.0) -> None:
        """Change C and l1_ratio in place (a regularisation path reuses one objective)."""
        self.C = float(C)
        self.l1_ratio = float(l1_ratio)
        inverse_C = 0.0 if np.isinf(self.C) else 1.0 / self.C
        self.l2_strength = (1.0 - self.l1_ratio) * inverse_C
        self.l1_strength = self.l1_ratio * inverse_C

    # ------------------------------------------------------------------ helpers
    def positive_rate(self) -> float:
        """Σ sᵢ yᵢ / Σ sᵢ, the weighted rate of the positive class (the intercept-only model's
        σ(b))."""
        # Not ``sample_weight @ y``: numpy hands that to BLAS, whose ddot of tens of thousands
        # of entries wakes its thread pool, and the idle pool then spins for about a tenth of
        # a second on the cores the next passes over X need (they ran at half speed, a third
        # of a 20,000 x 2,000 fit's time). einsum sums in numpy's own loop.
        return float(np.einsum("i,i->", self.sample_weight, self.y)) / self.scale

    def split(self, coef: np.ndarray) -> tuple[np.ndarray, float]:
        """Return (w, b) from θ; b is 0.0 without an intercept."""
        if self.fit_intercept:
            return coef[:-1], float(coef[-1])
        return coef, 0.0

    def _finish_gradient(self, grad_full: np.ndarray, w: np.ndarray) -> np.ndarray:
        # Kernels return [Σ rᵢ xᵢ, Σ rᵢ]; drop the intercept slot when there is none.
        grad = grad_full if self.fit_intercept else grad_full[:-1]
        with np.errstate(over="ignore", invalid="ignore"):
            grad[: self.n_features] += self.l2_strength * w
        return grad

    def penalty(self, coef: np.ndarray) -> float:
        """Return the smooth (L2) penalty ``l2_strength`` ‖w‖² / 2, = ‖w‖² / (2C) for pure L2."""
        if self.l2_strength == 0.0:  # 0 · ‖w‖², also when ‖w‖² overflows
            return 0.0
        w, _ = self.split(coef)
        with np.errstate(over="ignore"):
            return 0.5 * self.l2_strength * float(w @ w)

    # ------------------------------------------------------------------ non-smooth part
    def penalty_value(self, coef: np.ndarray) -> float:
        """Return the non-smooth part g(θ) = ``l1_strength`` ‖w‖₁ (0 without L1).

        The full objective is ``value(coef) + penalty_value(coef)``.
        """
        if self.l1_strength == 0.0:
            return 0.0
        w, _ = self.split(coef)
        return self.l1_strength * float(np.abs(w).sum())

    def prox(self, coef: np.ndarray, step: float) -> np.ndarray:
        """Return prox_{step·g}(θ) = argminᵤ g(u) + ‖u - θ‖² / (2 step), shape (n_coef,).

        Soft-thresholds w by ``step * l1_strength``; the intercept is left alone.
        """
        out = np.array(coef, dtype=np.float64, copy=True)
        if self.l1_strength == 0.0:
            return out
        w = out[: self.n_features]
        threshold = step * self.l1_strength
        np.copysign(np.maximum(np.abs(w) - threshold, 0.0), w, out=w)
        # copysign turns the thresholded negative coefficients into -0.0, which coef_,
        # summary() and saved models would print as "-0": adding 0.0 makes every zero +0.0.
        w += 0.0
        return out

    def subgradient(self, grad: np.ndarray, coef: np.ndarray | None = None) -> np.ndarray:
        """Return the minimum-norm element of ∂F(θ) = ∇f(θ) + ∂g(θ), shape (n_coef,).

        For wⱼ ≠ 0 it is ∇ⱼf + λ sign(wⱼ); for wⱼ = 0 it is the soft-threshold
        sign(∇ⱼf) max(|∇ⱼf| - λ, 0) (λ = ``l1_strength``); the intercept keeps ∇f. It is zero
        exactly where the KKT conditions hold. ``grad`` is the smooth gradient.
        """
        if self.l1_strength == 0.0:
            return grad
        if coef is None:
            raise ValueError("an L1 objective needs coef to evaluate its subgradient")
        lam = self.l1_strength
        out = np.array(grad, dtype=np.float64, copy=True)
        w = coef[: self.n_features]
        g = out[: self.n_features]
        nonzero = w != 0.0
        g[nonzero] += lam * np.sign(w[nonzero])
        zero = ~nonzero
        g[zero] = np.sign(g[zero]) * np.maximum(np.abs(g[zero]) - lam, 0.0)
        return out

    # ------------------------------------------------------------------ value, gradient
    def loss_gradient(self, coef: np.ndarray) -> tuple[float, np.ndarray]:
        """Return f(θ) and ∇f(θ), shape (n_coef,), from one fused pass over X.

        A call at the θ of the previous call reuses that pass (only the penalty, which
        :meth:`set_penalty` may have changed since, is added again).
        """
        w, b = self.split(coef)
        w = np.ascontiguousarray(w, dtype=np.float64)
        last = self._last_data_term
        if last is not None and np.array_equal(last[0], coef):
            loss, grad_full = last[1], last[2].copy()
        else:
            X = self.X
            if self.sparse:
                loss, grad_full = _kernels.csr_loss_gradient(
                    X.data, X.indices, X.indptr, self.n_features, self.y, self.sample_weight,
                    w, b, self._logits, self._n_parts,
                )
            else:
                loss, grad_full = _kernels.dense_loss_gradient(
                    X, self.y, self.sample_weight, w, b, self._logits, self._n_parts
                )
            self.n_data_passes += 1
            self._logits_coef = np.array(coef, dtype=np.float64, copy=True)
            self._last_data_term = (self._logits_coef, float(loss), grad_full.copy())
        # A diverging fixed-step run may overflow here; solvers check the value for finiteness.
        with np.errstate(over="ignore", invalid="ignore"):
            value = float(loss) + self.penalty(coef)
        return value, self._finish_gradient(grad_full, w)

    def check_finite_data(self, coef: np.ndarray, estimator_name: str | None = None) -> None:
        """Raise ValueError if X holds NaN or infinity, at the cost of no extra pass.

        Evaluates the loss and gradient at ``coef`` (the solver's start, which then reuses
        the pass). Every entry of X enters the gradient through a product rᵢ·xᵢⱼ, and
        0·∞ is NaN, so the gradient is finite exactly when X is, barring an overflow of
        finite data; only then is X scanned again, to name the cause.

        ``estimator_name`` (the estimator's class name) makes the NaN message scikit-learn's
        for that estimator, which names the fixes (an imputer, dropping the rows).
        """
        value, grad = self.loss_gradient(coef)
        if np.isfinite(value) and np.isfinite(grad).all():
            return
        assert_all_finite(self.X.data if self.sparse else self.X, input_name="X",
                          estimator_name=estimator_name)
        raise ValueError(
            "The loss or its gradient overflowed at the initial coefficients: the features "
            "are too large in magnitude. Standardise X (for example with "
            "sklearn.preprocessing.StandardScaler) or rescale it."
        )
    def value(self, coef: np.ndarray) -> float:
        """Return f(θ)."""
        return self.loss_gradient(coef)[0]

    def gradient(self, coef: np.ndarray) -> np.ndarray:
        """Return ∇f(θ), shape (n_coef,)."""
        return self.loss_gradient(coef)[1]

    def optimality(self, grad: np.ndarray, coef: np.ndarray | None = None) -> float:
        """Return the convergence measure ‖∂F‖∞ / Σsᵢ shared by all solvers.

        ∂F is the minimum-norm subgradient (:meth:`subgradient`), so with an L1 part this is
        the largest violation of the KKT conditions and ``coef`` is required; without one it
        is ‖∇f‖∞ / Σsᵢ and ``coef`` is not used.
        """
        grad = self.subgradient(grad, coef)
        return float(np.max(np.abs(grad), initial=0.0)) / self.scale

    def logits(self, coef: np.ndarray) -> np.ndarray:
        """Return z = X w + b, shape (n_samples,), reusing the last fused pass when possible.

        The returned array may be the objective's own buffer: read it, do not keep it.
        """
        if self._logits_coef is not None and np.array_equal(self._logits_coef, coef):
            return self._logits
        return self.linear_predictor(coef)

    # ------------------------------------------------------------------ second order
    def linear_predictor(self, coef: np.ndarray) -> np.ndarray:
        """Return z = X w + b, shape (n_samples,), float64."""
        w, b = self.split(coef)
        w = np.ascontiguousarray(w, dtype=np.float64)
        self.n_data_passes += 1
        if self.sparse:
            X = self.X
            return _kernels.csr_linear_predictor(X.data, X.indices, X.indptr, w, b, self._n_parts)
        return _kernels.dense_linear_predictor(self.X, w, b, self._n_parts)

    def hessian_weights(self, coef: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Return hᵢ = sᵢ σ(zᵢ)(1 - σ(zᵢ)), shape (n_samples,), or (m,) for ``rows`` (m,).

        Reuses the logits of the last :meth:`loss_gradient` call when it was at the same θ,
        which is the common case in Newton methods (the accepted line-search point).
        """
        if self._logits_coef is not None and np.array_equal(self._logits_coef, coef):
            logits = self._logits
        else:
            logits = self.linear_predictor(coef)
        if rows is None:
            return _kernels.hessian_weights(logits, self.sample_weight, self._n_parts)
        return _kernels.hessian_weights(logits[rows], self.sample_weight[rows],
                                        _kernels.n_parts_for(rows.shape[0]))

    def _penalty_diagonal(self) -> np.ndarray:
        diag = np.full(self.n_coef, self.l2_strength)
        if self.fit_intercept:
            diag[-1] = 0.0
        return diag

    def weighted_gram(self, weights: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Return Σᵢ qᵢ x̃ᵢ x̃ᵢᵀ, shape (n_coef, n_coef), x̃ᵢ = [xᵢ, 1] with an intercept.

        ``weights`` qᵢ ≥ 0 has shape (n_samples,), or, with ``rows`` (sorted int64 indices of
        shape (m,)), shape (m,): the sum then runs over those rows only. Accumulated over
        row blocks (BLAS syrk, or the CSR kernel), with no n x d temporary.
        """
        builder = _kernels.csr_hessian if self.sparse else _kernels.dense_hessian
        gram, cross, total = builder(self.X, np.ascontiguousarray(weights), rows)
        if not self.fit_intercept:
            return gram
        d = self.n_features
        out = np.empty((d + 1, d + 1))
        out[:d, :d] = gram
        out[:d, d] = cross
        out[d, :d] = cross
        out[d, d] = total
        return out

    def hessian(self, coef: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Return ∇²f(θ), shape (n_coef, n_coef), accumulated block by block.

        With ``rows`` (sorted int64 indices of shape (m,), drawn uniformly from the rows of
        non-zero weight) the data term is estimated from those rows only and scaled by
        (number of such rows) / m: a subsampled Hessian, at m/n of the cost. The penalty term
        stays exact.
        """
        hess = self.weighted_gram(self.hessian_weights(coef, rows), rows)
        if rows is None:
            self.n_data_passes += 1
        else:
            hess *= self.n_weighted_samples / rows.shape[0]
        hess[np.diag_indices_from(hess)] += self._penalty_diagonal()
        check_no_overflow(np.diag(hess)[:self.n_features])
        return hess

    def hessian_diagonal(self, coef: np.ndarray) -> np.ndarray:
        """Return the diagonal of ∇²f(θ), shape (n_coef,), strictly positive.

        Used as a Jacobi preconditioner. A column that is zero everywhere (and unpenalised)
        has a zero diagonal entry; it is replaced by 1 so that dividing by it is safe.
        """
        weights = self.hessian_weights(coef)
        if self.sparse:
            _, squares = _kernels.csr_column_moments(self.X, weights)
        else:
            _, squares = _kernels.dense_column_moments(self.X, weights, self._n_parts)
        self.n_data_passes += 1
        if self.fit_intercept:
            squares = np.append(squares, weights.sum())
        diagonal = squares + self._penalty_diagonal()
        diagonal[~(diagonal > 0.0)] = 1.0
        return diagonal

    def rows_per_column(self, rows: np.ndarray) -> np.ndarray:
        """How many of ``rows`` hold each feature's weighted sum of squares, shape (n_features,).

        The participation ratio (Σᵢ qᵢⱼ)² / Σᵢ qᵢⱼ² of qᵢⱼ = sᵢ xᵢⱼ² over ``rows`` (int64 of
        shape (m,)): m when every row holds an equal share, 1 when one row holds it all, 0 for
        a column that is zero on all of them. A Hessian estimated from ``rows`` rests on that
        many rows for the column's curvature. Reads only ``rows``, in blocks.
        """
        d = self.n_features
        weight = self.sample_weight[rows]
        if self.sparse:
            subset = self.X[rows]
            subset.sum_duplicates()
            q = np.square(subset.data, dtype=np.float64) * np.repeat(weight,
                                                                     np.diff(subset.indptr))
            sums = np.bincount(subset.indices, weights=q, minlength=d)
            sums_of_squares = np.bincount(subset.indices, weights=q * q, minlength=d)
        else:
            sums = np.zeros(d)
            sums_of_squares = np.zeros(d)
            block = max(1, _ROWS_PER_COLUMN_BLOCK_BYTES // (8 * max(d, 1)))
            for start in range(0, rows.shape[0], block):
                q = np.square(self.X[rows[start:start + block]], dtype=np.float64)
                q *= weight[start:start + block, None]
                sums += q.sum(axis=0)
                sums_of_squares += np.einsum("ij,ij->j", q, q)
        spread = np.zeros(d)
        np.divide(sums * sums, sums_of_squares, out=spread, where=sums_of_squares > 0.0)
        return spread

    def column_moments(self, stride: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """Return the weighted mean Σ sᵢ xᵢⱼ / Σ sᵢ and mean square Σ sᵢ xᵢⱼ² / Σ sᵢ of every
        column, two arrays of shape (n_features,), from one fused pass (no n x d temporary).

        With ``stride`` > 1, over every stride-th row only: an estimate at 1/stride the cost.
        Returns NaN for a sample whose weights sum to zero. Kept for later calls: the moments
        depend on the data only (a regularisation path asks at every C).
        """
        if stride in self._moments:
            return self._moments[stride]
        X, weight = self.X[::stride], self.sample_weight[::stride]
        if self.sparse:
            sums, squares = _kernels.csr_column_moments(X, weight)
        else:
            sums, squares = _kernels.dense_column_moments(
                X, weight, _kernels.n_parts_for(X.shape[0]))
        self.n_data_passes += 1 / stride
        with np.errstate(invalid="ignore", divide="ignore"):
            self._moments[stride] = sums / weight.sum(), squares / weight.sum()
        return self._moments[stride]

    def hessp(self, coef: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
        """Return v ↦ ∇²f(θ) v (shape (n_coef,) to (n_coef,)), one pass over X per call.

        The Hessian weights at θ are computed once, when this is called.
        """
        weights = self.hessian_weights(coef)
        penalty_diagonal = self._penalty_diagonal()
        X = self.X

        def product(v: np.ndarray) -> np.ndarray:
            v = np.asarray(v, dtype=np.float64).ravel()
            v_w, v_b = self.split(v)
            v_w = np.ascontiguousarray(v_w)
            if self.sparse:
                out = _kernels.csr_hessp(
                    X.data, X.indices, X.indptr, self.n_features, weights, v_w, v_b, self._n_parts
                )
            else:
                out = _kernels.dense_hessp(X, weights, v_w, v_b, self._n_parts)
            self.n_data_passes += 1
            out = out if self.fit_intercept else out[:-1]
            return out + penalty_diagonal * v

        return product


def check_no_overflow(curvature: np.ndarray) -> None:
    """Raise ValueError naming the features whose curvature (a diagonal of the Hessian or of
    the information matrix, shape (n_features,)) overflowed: values of about 1e154 and above,
    whose squares float64 cannot hold. Without this, Newton steps on such data returned the
    start with a misleading warning, and the summary NaN from overflowed sums."""
    overflowed = np.flatnonzero(~np.isfinite(curvature))
    if overflowed.size:
        names = ", ".join(f"x{j}" for j in overflowed[:10]) + (", ..." if overflowed.size > 10
                                                               else "")
        raise ValueError(
            f"Feature(s) {names} hold values whose squares overflow float64 (magnitudes above "
            "about 1e154). Standardise X (for example with sklearn.preprocessing.StandardScaler) "
            "or rescale those columns."
        )
