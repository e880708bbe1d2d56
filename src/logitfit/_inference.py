"""Statistical inference for a fitted logistic regression: the numbers behind ``summary()``.

Maths
-----
With θ̂ = [ŵ, b̂] the fitted coefficients, x̃ᵢ = [xᵢ, 1], μᵢ = σ(x̃ᵢ·θ̂), sample weights sᵢ read
as *frequency weights* (a weight of k counts a row k times) and N = Σᵢ sᵢ:

* observed Fisher information (the Hessian of the negative log-likelihood, seed eq. (10)
  lifted to the coefficients)

      I = Σᵢ sᵢ μᵢ(1 - μᵢ) x̃ᵢ x̃ᵢᵀ ,          nonrobust covariance  V = I⁻¹

  I is the *loss* Hessian: for a penalised fit the penalty's 1/C on the diagonal is left out,
  so the standard errors are the classical ones evaluated at the penalised estimate (they do
  not account for the shrinkage; the summary says so).
* sandwich (White/Huber) covariances with per-row scores uᵢ = (μᵢ - yᵢ) x̃ᵢ (seed eq. (12)):

      V_HC = V (Σᵢ sᵢ ωᵢ (μᵢ - yᵢ)² x̃ᵢ x̃ᵢᵀ) V

  HC0: ωᵢ = 1; HC1: HC0 · N / (N - k); HC2: ωᵢ = 1 / (1 - hᵢ); HC3: ωᵢ = 1 / (1 - hᵢ)², with
  the leverages hᵢ = μᵢ(1 - μᵢ) x̃ᵢᵀ V x̃ᵢ of the IRLS weighted least-squares problem at θ̂ (the
  definitions of MacKinnon & White 1985 carried over to GLMs, as in R's ``sandwich`` package).
* cluster-robust (CRV1) covariance for groups g:

      V_CL = c · V (Σ_g U_g U_gᵀ) V,   U_g = Σ_{i∈g} sᵢ (μᵢ - yᵢ) x̃ᵢ,
      c = G/(G - 1) · (N - 1)/(N - k)   (``use_correction=True``, statsmodels' and Stata's)

* average marginal effects AMEⱼ = ŵⱼ Σᵢ sᵢ μᵢ(1 - μᵢ) / N, with the delta-method covariance
  J V Jᵀ, J = ∂AME/∂θ = diag-part Σ sᵢμᵢ(1-μᵢ)/N plus ŵⱼ Σᵢ sᵢ μᵢ(1-μᵢ)(1-2μᵢ) x̃ᵢᵀ / N.

Every sum over rows is accumulated block by block (BLAS ``syrk`` in ``_kernels``), so no
n x k array is ever formed.

Conventions matched
-------------------
statsmodels ``Logit(y, X).fit()`` and ``GLM(y, X, family=Binomial(), freq_weights=s)``:
log-likelihood, null model (intercept only, whether or not the model has one), likelihood
ratio test with df = k - 1, McFadden's pseudo-R², AIC = -2ℓ + 2k,
BIC = -2ℓ + k log N, z statistics with normal p-values (statsmodels' ``use_t=False``), HC0 and
cluster (``use_correction`` as there), ``get_margeff()`` (average effects, dy/dx). Two
deliberate differences: statsmodels' discrete models and GLM return HC0 whatever HCx is asked
for, while here HC1-HC3 are the small-sample versions defined above (they agree with
statsmodels' ``WLS`` on the IRLS working problem); and with frequency weights the N in HC1 and
in the cluster correction is Σ sᵢ (the expanded data), where statsmodels' GLM counts rows.
"""

from __future__ import annotations

import json
import math
import numbers
import textwrap
import warnings
from dataclasses import dataclass, field, fields

import numba
import numpy as np
import scipy.linalg
import scipy.sparse as sp
from scipy import stats
from scipy.linalg import lapack

from . import _kernels
from ._loss import hessian_scalar, loss_gradient_scalar
from ._objective import check_no_overflow
from ._separation import (
    MAX_CHECKED_COEFS,
    Separation,
    SeparationWarning,
    can_check,
    complete_separation_at,
    find_separation,
    find_separation_wide,
    separation_message,
)

COV_TYPES = ("nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster")
_FORMAT = "logitfit.summary"
_FORMAT_VERSION = 1
# Below this reciprocal condition number of the scaled information matrix, standard errors
# lose more than about ten of their sixteen significant digits: say so.
_RCOND_WARN = 1e-10
# Below this reciprocal condition number of the information matrix, the design's rank is
# checked (design_rank).
_RANK_CHECK_RCOND = 1e-8
_DESCRIPTIONS = {
    "nonrobust": "Standard errors assume that the model is correctly specified (inverse "
    "observed Fisher information).",
    "HC0": "Standard errors are heteroscedasticity robust (HC0).",
    "HC1": "Standard errors are heteroscedasticity robust (HC1: HC0 times N/(N-k), k the rank of "
            "the design).",
    "HC2": "Standard errors are heteroscedasticity robust (HC2: scores divided by "
    "sqrt(1-h), h the leverage).",
    "HC3": "Standard errors are heteroscedasticity robust (HC3: scores divided by 1-h, "
    "h the leverage).",
    "cluster": "Standard errors are robust to cluster correlation (CRV1{correction}, "
    "{n_groups} groups).",
}


_PENALTY_NAMES = {"l2": "L2", "l1": "L1", "elasticnet": "elastic net"}


class IllConditionedWarning(UserWarning):
    """The information matrix is (nearly) singular: standard errors are unreliable."""


# --------------------------------------------------------------------------- numerics


@numba.njit(cache=True)
def pointwise_statistics(z, y, sample_weight):
    """One pass over the logits: what every statistic needs, per row and summed.

    Returns (r, h, g, loglik, total_h) with rᵢ = μᵢ - yᵢ, hᵢ = μᵢ(1 - μᵢ) (both from the
    stable scalar forms of ``_loss``), gᵢ = sᵢ hᵢ (1 - 2μᵢ) (the derivative of sᵢhᵢ along
    the logit, for the marginal effects), loglik = -Σ sᵢ L(zᵢ, yᵢ) and total_h = Σ sᵢ hᵢ.
    """
    n = z.shape[0]
    residual = np.empty(n)
    curvature = np.empty(n)
    slope = np.empty(n)
    loglik = 0.0
    total = 0.0
    for i in range(n):
        loss_i, r = loss_gradient_scalar(z[i], y[i])
        h = hessian_scalar(z[i])
        mu = r + y[i]
        residual[i] = r
        curvature[i] = h
        slope[i] = sample_weight[i] * h * (1.0 - 2.0 * mu)
        loglik -= sample_weight[i] * loss_i
        total += sample_weight[i] * h
    return residual, curvature, slope, loglik, total


# Rows of the design per QR update in design_rank: blocks of about 16 MiB. LAPACK's QR runs
# at nearly twice the flop rate on such tall blocks as on the 1 MiB blocks that suit the other
# passes (1.7 s against 3.2 s for the R factor of 400,000 x 161).
_QR_BLOCK_BYTES = 16 << 20


def _row_blocks(objective, step=None):
    X = objective.X
    n = objective.n_samples
    step = step or _kernels._hessian_block_rows(objective.n_features)
    for start in range(0, n, step):
        stop = min(n, start + step)
        yield start, stop, X[start:stop]


def leverages(objective, cov: np.ndarray, hessian_weight: np.ndarray) -> np.ndarray:
    """Return hᵢ = μᵢ(1-μᵢ) x̃ᵢᵀ V x̃ᵢ, shape (n_samples,), block by block.

    ``hessian_weight`` is μᵢ(1-μᵢ) without the sample weight: with frequency weights every
    copy of a row has this leverage.
    """
    d = objective.n_features
    quad = np.empty(objective.n_samples)
    v_ww = np.ascontiguousarray(cov[:d, :d])
    for start, stop, block in _row_blocks(objective):
        product = block @ v_ww
        if sp.issparse(block):
            q = np.asarray(block.multiply(product).sum(axis=1)).ravel()
        else:
            q = np.einsum("ij,ij->i", product, block)
        if objective.fit_intercept:
            q += 2.0 * (block @ cov[:d, d]) + cov[d, d]
        quad[start:stop] = q
    return hessian_weight * quad


def _cluster_meat(objective, scores_weight: np.ndarray, codes: np.ndarray, n_groups: int):
    # U_g = Σ_{i∈g} (sᵢ rᵢ) x̃ᵢ via a sparse (groups x rows) indicator times X, a chunk of
    # groups at a time so that at most (chunk x n_coef) sums exist at once.
    n = objective.n_samples
    k = objective.n_coef
    indicator = sp.csr_matrix((scores_weight, (codes, np.arange(n))), shape=(n_groups, n))
    intercept_sums = np.bincount(codes, weights=scores_weight, minlength=n_groups)
    chunk = max(1, (1 << 21) // k)
    meat = np.zeros((k, k))
    for g0 in range(0, n_groups, chunk):
        g1 = min(n_groups, g0 + chunk)
        sums = indicator[g0:g1] @ objective.X
        sums = np.asarray(sums.toarray() if sp.issparse(sums) else sums, dtype=np.float64)
        if objective.fit_intercept:
            sums = np.column_stack([sums, intercept_sums[g0:g1]])
        meat += sums.T @ sums
    return meat


def _invert_information(information: np.ndarray) -> tuple[np.ndarray, float]:
    """Return (I⁻¹, reciprocal condition number of the scaled I) by Cholesky.

    I is scaled to unit diagonal first (D⁻¹ I D⁻¹, D = sqrt(diag I)) so that the condition
    number measures collinearity, not the units of the features. A matrix that is not
    positive definite gives a NaN covariance and rcond 0.
    """
    k = information.shape[0]
    diagonal = np.diag(information).copy()
    if not np.all(diagonal > 0) or not np.all(np.isfinite(information)):
        return np.full((k, k), np.nan), 0.0
    root = np.sqrt(diagonal)
    scaled = information / np.outer(root, root)
    try:
        factor = scipy.linalg.cho_factor(scaled, lower=False, check_finite=False)
    except np.linalg.LinAlgError:
        return np.full((k, k), np.nan), 0.0
    rcond, info = lapack.dpocon(factor[0], float(np.abs(scaled).sum(axis=0).max()), uplo="U")
    inverse = scipy.linalg.cho_solve(factor, np.eye(k), check_finite=False)
    inverse = 0.5 * (inverse + inverse.T)
    return inverse / np.outer(root, root), float(rcond) if info == 0 else 0.0


def design_rank(objective) -> int:
    """Numerical rank of the design [X, 1] over the rows of non-zero weight.

    numpy's ``matrix_rank`` rule (singular values below σ_max · max(n, k) · ε are zero),
    which statsmodels uses, on the triangular factor R of a QR factorisation of the design
    (same singular values), built a block of rows at a time: no n x k copy of X.
    """
    return design_rank_and_redundant(objective)[0]


def design_rank_and_redundant(objective) -> tuple[int, np.ndarray, np.ndarray]:
    """:func:`design_rank`; the coefficients (storage order, sorted) whose columns can be
    dropped to leave a design of full rank: the last k - rank of a QR factorisation of R
    with column pivoting, which puts the most independent columns first; and which
    coefficients the design identifies, shape (k,) bool: those that no dependency among
    the columns involves (the null space of the design is zero at them)."""
    factor, rows = _design_factor(objective)
    k = objective.n_coef
    singular_values = scipy.linalg.svdvals(factor, check_finite=False)
    if singular_values.size == 0 or singular_values[0] == 0:
        return 0, np.arange(k), np.zeros(k, dtype=bool)
    noise = singular_values[0] * max(rows, k) * np.finfo(np.float64).eps
    rank = int(np.count_nonzero(singular_values > noise))
    if rank == k:
        return rank, np.array([], dtype=np.intp), np.ones(k, dtype=bool)
    identified = _identified(factor, rank)
    if objective.fit_intercept:
        # The intercept is the column to keep: scaled up, pivoting takes it first (scaling a
        # column changes no rank), and a constant feature is named instead of it.
        norms = np.linalg.norm(factor, axis=0)
        if norms[-1] > 0:
            factor = factor.copy()
            factor[:, -1] *= 1e6 * norms.max() / norms[-1]
    pivots = scipy.linalg.qr(factor, mode="r", pivoting=True, check_finite=False)[1]
    return rank, np.sort(pivots[rank:]), identified


# A coefficient is identified when every null vector of the design (unit length, columns
# scaled to unit norm) is below this at it: rounding leaves about 1e-15 there.
_NULL_SPACE_ZERO = 1e-7


def _identified(factor: np.ndarray, rank: int) -> np.ndarray:
    """Coefficients that no dependency among the design's columns involves, shape (k,)
    bool, from R of the design: the null space, on columns scaled to unit norm (so that the
    units of a column do not hide it in a dependency), is zero at them."""
    norms = np.linalg.norm(factor, axis=0)
    scaled = factor / np.where(norms > 0, norms, 1.0)
    null_space = scipy.linalg.svd(scaled, check_finite=False)[2][rank:]
    return (np.abs(null_space).max(axis=0) <= _NULL_SPACE_ZERO) & (norms > 0)


def _generalised_inverse(information: np.ndarray, rank: int) -> np.ndarray:
    """A generalised inverse of a positive semi-definite I of the given rank: the
    pseudo-inverse of D⁻¹ I D⁻¹ (D = sqrt(diag I), as the units of the columns should not
    decide which directions count as null), scaled back. For an identified coefficient
    (one that no null direction involves) its diagonal entry is the variance of the model
    without the redundant columns, whichever generalised inverse is used."""
    diagonal = np.diag(information).copy()
    root = np.sqrt(np.where(diagonal > 0, diagonal, 1.0))
    scaled = information / np.outer(root, root)
    values, vectors = scipy.linalg.eigh(0.5 * (scaled + scaled.T), check_finite=False)
    kept = vectors[:, -rank:] if rank > 0 else vectors[:, :0]
    inverse = (kept / values[-rank:]) @ kept.T if rank > 0 else np.zeros_like(scaled)
    return inverse / np.outer(root, root)


def _design_factor(objective) -> tuple[np.ndarray, int]:
    """R of a QR factorisation of the design over the rows of non-zero weight, (k, k), and
    the number of those rows."""
    k = objective.n_coef
    factor = np.zeros((0, k))
    rows = 0
    step = max(k, _QR_BLOCK_BYTES // (8 * k))
    for start, stop, block in _row_blocks(objective, step):
        keep = objective.sample_weight[start:stop] > 0
        block = block[keep]
        block = np.asarray(block.toarray() if sp.issparse(block) else block, dtype=np.float64)
        if objective.fit_intercept:
            block = np.column_stack([block, np.ones(block.shape[0])])
        rows += block.shape[0]
        factor = scipy.linalg.qr(np.vstack([factor, block]), mode="r", check_finite=False)[0]
        factor = factor[:k]
    return factor, rows


def _constant_columns(objective) -> np.ndarray:
    """Indices of non-zero constant columns (a user-supplied intercept) over the rows of
    non-zero weight: rows of weight 0 are not in the data (frequency weights), as in
    :func:`design_rank`. A block of rows at a time, so no copy of X is made."""
    d = objective.n_features
    high = np.full(d, -np.inf)
    low = np.full(d, np.inf)
    for start, stop, block in _row_blocks(objective):
        keep = objective.sample_weight[start:stop] > 0
        if not keep.any():
            continue
        block = block[keep] if not keep.all() else block
        block_high, block_low = block.max(axis=0), block.min(axis=0)
        if sp.issparse(block):
            block_high, block_low = block_high.toarray(), block_low.toarray()
        high = np.maximum(high, np.asarray(block_high, dtype=np.float64).ravel())
        low = np.minimum(low, np.asarray(block_low, dtype=np.float64).ravel())
    return np.flatnonzero((high == low) & (high != 0) & np.isfinite(high))


# --------------------------------------------------------------------------- summary object


def _encode(value):
    # Strict JSON has no NaN or infinity: store them as strings.
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def _decode(value):
    if isinstance(value, str) and value in ("NaN", "Infinity", "-Infinity"):
        return float(value.replace("Infinity", "inf"))
    return value


def _fmt(value: float, decimals: int = 4, width: int = 10) -> str:
    if not math.isfinite(value):
        return f"{value:>{width}}"
    # Fixed point from 0.01 up, as long as the number fits the column; scientific otherwise,
    # with fewer digits if need be, so that the columns stay in line.
    magnitude = abs(value)
    if value == 0 or magnitude >= 1e-2:
        text = f"{value:>{width}.{decimals}f}"
        if len(text) <= width:
            return text
    for digits in range(max(decimals - 1, 1), 0, -1):
        text = f"{value:>{width}.{digits}e}"
        if len(text) <= width:
            break
    return text


def _pvalue(value: float) -> str:
    if not math.isfinite(value):
        return f"{value:>8}"
    return f"{value:>8.3f}" if value >= 1e-3 or value == 0 else f"{value:>8.1e}"


_ARRAYS = ("params", "bse", "zvalues", "pvalues", "conf_int", "odds_ratios",
           "odds_ratio_conf_int", "margeff", "margeff_se", "margeff_z", "margeff_pvalues",
           "margeff_conf_int")


_FIELD_TYPES = {
    **dict.fromkeys(("nobs", "df_model", "df_resid", "llf", "llnull", "llr", "llr_pvalue",
                     "prsquared", "aic", "bic", "alpha"), "a number"),
    **dict.fromkeys(("n_rows", "n_iter"), "an integer"),
    "converged": "true or false",
    **dict.fromkeys(("solver", "method", "cov_type", "dep_variable"), "a string"),
}


def _check_summary_fields(data: dict) -> None:
    """Refuse summary data whose fields do not fit together (a hand-edited file, say)."""
    for name in ("names", "margeff_names", "notes"):
        value = data[name]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ValueError(f"summary field {name!r} must be a list of strings.")
    k, m = len(data["names"]), len(data["margeff_names"])
    for name in (*_ARRAYS, "separated"):
        expected = (m if name.startswith("margeff") else k,)
        if name.endswith("conf_int"):
            expected += (2,)
        if data[name].shape != expected:
            raise ValueError(f"summary field {name!r} has shape {data[name].shape}, "
                             f"expected {expected} for {k} coefficients and {m} marginal "
                             "effects.")
    checks = {"a number": lambda v: isinstance(v, numbers.Real) and not isinstance(v, bool),
              "an integer": lambda v: isinstance(v, numbers.Integral)
              and not isinstance(v, bool),
              "true or false": lambda v: isinstance(v, bool),
              "a string": lambda v: isinstance(v, str)}
    for name, kind in _FIELD_TYPES.items():
        if not checks[kind](data[name]):
            raise ValueError(f"summary field {name!r} must be {kind}, got {data[name]!r}.")


@dataclass(eq=False)
class Summary:
    """Inference results of a fitted :class:`~logitfit.LogisticRegression`.

    Returned by :meth:`LogisticRegression.summary`. ``str(summary)`` is a table in the layout
    of statsmodels; :meth:`to_frame` gives the coefficient table as a DataFrame and
    :meth:`to_dict` / :meth:`from_dict` convert to and from plain JSON-serialisable data.
    Rows are in display order: the intercept (if fitted) first, then the features.

    Attributes
    ----------
    names : list of str, length k
        Coefficient names: ``"intercept"`` and the feature names (``x0``, ``x1``, ... for
        arrays without column names).
    params, bse, zvalues, pvalues : ndarray of shape (k,)
        Estimates, standard errors, z = estimate / se and two-sided normal p-values.
    conf_int : ndarray of shape (k, 2)
        (1 - alpha) Wald intervals.
    odds_ratios : ndarray of shape (k,)
        exp(estimate); for the intercept the odds of the positive class at x = 0.
    odds_ratio_conf_int : ndarray of shape (k, 2)
        exp of ``conf_int``.
    separated : ndarray of bool, shape (k,)
        Coefficients that diverge because the classes are separated (unpenalised fits).
    margeff_names : list of str
        Features with an average marginal effect (constant columns are left out).
    margeff, margeff_se, margeff_z, margeff_pvalues : ndarray of shape (len(margeff_names),)
        Average marginal effects dP(y=1)/dx, delta-method standard errors, z and p-values.
    margeff_conf_int : ndarray of shape (len(margeff_names), 2)
    nobs : float
        Σ sample weights (frequency weights: the number of observations they stand for).
    n_rows : int
        Rows of the training data.
    df_model, df_resid : float
        r - 1 (parameters beyond the intercept-only null model) and nobs - r, r the rank of
        the design (k, the number of coefficients, unless columns are collinear).
    llf, llnull, llr, llr_pvalue, prsquared, aic, bic : float
        Log-likelihood, intercept-only log-likelihood, likelihood-ratio statistic 2(ℓ - ℓ₀)
        and its chi² p-value on ``df_model`` df, McFadden's 1 - ℓ/ℓ₀, -2ℓ + 2r and
        -2ℓ + r log(nobs).
    converged : bool
    n_iter : int
    solver, method, cov_type, dep_variable : str
    alpha : float
    notes : list of str
        Remarks printed under the table (covariance type, penalty, separation, conditioning).
    cov_params : ndarray of shape (k, k) or None
        The covariance matrix used (display order). Not part of :meth:`to_dict`, so None on a
        summary rebuilt by :meth:`from_dict`.
    """

    names: list[str]
    params: np.ndarray
    bse: np.ndarray
    zvalues: np.ndarray
    pvalues: np.ndarray
    conf_int: np.ndarray
    odds_ratios: np.ndarray
    odds_ratio_conf_int: np.ndarray
    separated: np.ndarray
    margeff_names: list[str]
    margeff: np.ndarray
    margeff_se: np.ndarray
    margeff_z: np.ndarray
    margeff_pvalues: np.ndarray
    margeff_conf_int: np.ndarray
    nobs: float
    n_rows: int
    df_model: float
    df_resid: float
    llf: float
    llnull: float
    llr: float
    llr_pvalue: float
    prsquared: float
    aic: float
    bic: float
    converged: bool
    n_iter: int
    solver: str
    method: str
    cov_type: str
    dep_variable: str
    alpha: float
    notes: list[str] = field(default_factory=list)
    cov_params: np.ndarray | None = None

    # ------------------------------------------------------------------ conversions
    def to_dict(self) -> dict:
        """Return the summary as plain data (dicts, lists, str, float, int, bool, None).

        Non-finite numbers are stored as the strings ``"NaN"``, ``"Infinity"`` and
        ``"-Infinity"`` so that the result is strict JSON. ``cov_params`` is not included.

        Returns
        -------
        dict
        """
        out: dict = {"format": _FORMAT, "version": _FORMAT_VERSION}
        for item in fields(self):
            if item.name == "cov_params":
                continue
            value = getattr(self, item.name)
            if isinstance(value, np.ndarray):
                value = value.tolist()
            if isinstance(value, list):
                value = [[_encode(v) for v in row] if isinstance(row, list) else _encode(row)
                         for row in value]
            elif isinstance(value, (float, np.floating)):
                value = _encode(float(value))
            elif isinstance(value, np.integer):
                value = int(value)
            elif isinstance(value, np.bool_):
                value = bool(value)
            out[item.name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict) -> Summary:
        """Rebuild a summary from :meth:`to_dict` output (for example read back from JSON).

        Parameters
        ----------
        data : dict

        Returns
        -------
        Summary
        """
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise ValueError("not a logitfit summary: expected a dict from Summary.to_dict() "
                             f"with format={_FORMAT!r}.")
        if data.get("version") != _FORMAT_VERSION:
            raise ValueError(f"summary format version {data.get('version')!r} is not supported "
                             f"by this logitfit (it reads version {_FORMAT_VERSION}).")
        names = [item.name for item in fields(cls) if item.name != "cov_params"]
        missing = [name for name in names if name not in data]
        if missing:
            raise ValueError(f"summary data lacks the fields {missing}.")
        kwargs = {}
        for name in names:
            value = data[name]
            if name in _ARRAYS:
                value = np.array(
                    [[_decode(v) for v in row] if isinstance(row, list) else _decode(row)
                     for row in value], dtype=np.float64)
                if name.endswith("conf_int"):
                    value = value.reshape(-1, 2)
            elif name == "separated":
                value = np.array(value, dtype=bool)
            else:
                value = _decode(value)
            kwargs[name] = value
        _check_summary_fields(kwargs)
        return cls(**kwargs)

    def to_frame(self):
        """Return the coefficient table as a pandas DataFrame indexed by name.

        Returns
        -------
        pandas.DataFrame of shape (k, 10)
            Columns ``coef``, ``std_err``, ``z``, ``p_value``, ``ci_lower``, ``ci_upper``,
            ``odds_ratio``, ``odds_ratio_ci_lower``, ``odds_ratio_ci_upper``, ``separated``.
        """
        pd = _pandas()
        return pd.DataFrame(
            {
                "coef": self.params, "std_err": self.bse, "z": self.zvalues,
                "p_value": self.pvalues, "ci_lower": self.conf_int[:, 0],
                "ci_upper": self.conf_int[:, 1], "odds_ratio": self.odds_ratios,
                "odds_ratio_ci_lower": self.odds_ratio_conf_int[:, 0],
                "odds_ratio_ci_upper": self.odds_ratio_conf_int[:, 1],
                "separated": self.separated,
            },
            index=pd.Index(self.names, name="term"),
        )

    def margeff_frame(self):
        """Return the average marginal effects as a pandas DataFrame indexed by feature.

        Returns
        -------
        pandas.DataFrame of shape (n_effects, 6)
            Columns ``dy/dx``, ``std_err``, ``z``, ``p_value``, ``ci_lower``, ``ci_upper``.
        """
        pd = _pandas()
        return pd.DataFrame(
            {
                "dy/dx": self.margeff, "std_err": self.margeff_se, "z": self.margeff_z,
                "p_value": self.margeff_pvalues, "ci_lower": self.margeff_conf_int[:, 0],
                "ci_upper": self.margeff_conf_int[:, 1],
            },
            index=pd.Index(self.margeff_names, name="term"),
        )

    def to_json(self) -> str:
        """Return :meth:`to_dict` as a strict JSON string."""
        return json.dumps(self.to_dict(), allow_nan=False)

    # ------------------------------------------------------------------ text
    def __str__(self) -> str:
        lo, hi = f"[{self.alpha / 2:g}", f"{1 - self.alpha / 2:g}]"
        names = [name + (" *" if flag else "")
                 for name, flag in zip(self.names, self.separated, strict=True)]
        marked = {name for name, flag in zip(self.names, self.separated, strict=True) if flag}
        margeff_names = [name + (" *" if name in marked else "") for name in self.margeff_names]
        name_width = max([13, *(len(name) + 1 for name in names + margeff_names)])
        columns = f"{'std err':>10} {'z':>8} {'P>|z|':>8} {lo:>10} {hi:>10}"
        width = max(78, len(f"{'':<{name_width}}{'coef':>10} {columns}"))
        half = width // 2
        method = [("Method:", self.method)]
        if len("Method: ") + len(self.method) > half - 1 and " (" in self.method:
            # A penalised fit's setting goes on a row of its own rather than running into
            # the right-hand column.
            head, setting = self.method.split(" (", 1)
            method = [("Method:", head), ("", "(" + setting)]
        left = [
            ("Dep. Variable:", self.dep_variable),
            ("Model:", "Logit"),
            *method,
            ("Solver:", self.solver),
            ("Converged:", str(self.converged)),
            ("No. Iterations:", str(self.n_iter)),
            ("Covariance Type:", self.cov_type),
        ]
        right = [
            ("No. Observations:", _num(self.nobs)),
            ("Df Residuals:", _num(self.df_resid)),
            ("Df Model:", _num(self.df_model)),
            ("Pseudo R-squ.:", f"{self.prsquared:.4f}"),
            ("Log-Likelihood:", f"{self.llf:#.5g}"),
            ("LL-Null:", f"{self.llnull:#.5g}"),
            ("LLR chi2:", f"{self.llr:#.5g}"),
            ("LLR p-value:", f"{self.llr_pvalue:#.4g}"),
            ("AIC:", f"{self.aic:#.5g}"),
            ("BIC:", f"{self.bic:#.5g}"),
        ]
        lines = ["Logit Regression Results".center(width).rstrip(), "=" * width]
        right_rows = iter(right)
        for label, value in left:
            if len(label) + 1 + len(value) > half - 1:
                # Too wide for the left column (a long target name or class label): a row
                # of its own, so that it does not push the right-hand column out of line.
                lines.append(f"{label} {value}")
                continue
            item = next(right_rows, None)
            b = _pair(item, width - half - 1) if item is not None else ""
            lines.append(f"{_pair((label, value), half - 1)}  {b}".rstrip())
        lines += [f"{' ' * (half - 1)}  {_pair(item, width - half - 1)}" for item in right_rows]

        def table(title, label, values, se, zs, ps, bounds, rows):
            out = ["=" * width] if title is None else [title.center(width).rstrip(), "=" * width]
            out += [f"{'':<{name_width}}{label:>10} {columns}", "-" * width]
            for j, name in enumerate(rows):
                out.append(
                    f"{name:<{name_width}}{_fmt(values[j])} {_fmt(se[j])} "
                    f"{_fmt(zs[j], 3, 8)} {_pvalue(ps[j])} "
                    f"{_fmt(bounds[j, 0])} {_fmt(bounds[j, 1])}"
                )
            return out + ["=" * width]

        lines += table(None, "coef", self.params, self.bse, self.zvalues, self.pvalues,
                       self.conf_int, names)
        lines += [f"{'':<{name_width}}{'odds ratio':>10} {'':>10} {'':>8} {'':>8} "
                  f"{lo:>10} {hi:>10}".rstrip(), "-" * width]
        for j, name in enumerate(names):
            lines.append(f"{name:<{name_width}}{_fmt(self.odds_ratios[j])} {'':>10} {'':>8} "
                         f"{'':>8} {_fmt(self.odds_ratio_conf_int[j, 0])} "
                         f"{_fmt(self.odds_ratio_conf_int[j, 1])}")
        lines.append("=" * width)
        if self.margeff_names:
            lines += table("Average marginal effects dP(y=1)/dx, delta-method std err", "dy/dx",
                           self.margeff, self.margeff_se, self.margeff_z,
                           self.margeff_pvalues, self.margeff_conf_int, margeff_names)
        if self.notes:
            lines.append("Notes:")
            lines += [textwrap.fill(f"[{i}] {note}", width, subsequent_indent="    ")
                      for i, note in enumerate(self.notes, start=1)]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"<logitfit Summary: {len(self.names)} coefficients, nobs={_num(self.nobs)}, "
                f"cov_type={self.cov_type!r}>")


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.6g}"


def _pair(item: tuple[str, str], width: int) -> str:
    label, value = item
    return f"{label}{value:>{max(width - len(label), 1)}}"


def _pandas():
    try:
        import pandas
    except ImportError as error:  # pragma: no cover - pandas is installed with the test extra
        raise ImportError("to_frame() needs pandas: pip install pandas") from error
    return pandas


# --------------------------------------------------------------------------- computation


def _missing_labels(groups: np.ndarray) -> np.ndarray:
    """Boolean mask of the missing entries (None, NaN, NaT, pandas' NA) of 1-d labels."""
    if groups.dtype.kind == "f":
        return np.isnan(groups)
    if groups.dtype.kind in "mM":
        return np.isnat(groups)
    if groups.dtype.kind == "O":
        try:
            import pandas
        except ImportError:  # pragma: no cover - pandas is installed with the test extra
            return np.array([g is None or (isinstance(g, float) and g != g) for g in groups],
                            dtype=bool)
        return np.asarray(pandas.isna(groups), dtype=bool)
    return np.zeros(groups.shape, dtype=bool)


def _check_cov_type(cov_type, groups, n_samples):
    if not isinstance(cov_type, str) or cov_type.lower() not in {c.lower() for c in COV_TYPES}:
        raise ValueError(f"cov_type={cov_type!r} is not known; choose one of "
                         f"{', '.join(map(repr, COV_TYPES))}.")
    canonical = next(c for c in COV_TYPES if c.lower() == cov_type.lower())
    if canonical == "cluster":
        if groups is None:
            raise ValueError("cov_type='cluster' needs groups: one cluster label per training "
                             "row, e.g. summary(cov_type='cluster', groups=df['firm']).")
        groups = np.asarray(groups)
        if groups.ndim == 2 and groups.shape[0] == n_samples:
            # A one-column DataFrame (df[['firm']]), or two label columns as statsmodels takes
            # for two-way clustering, which is not offered here.
            raise ValueError(f"groups must be one label per training row, a 1-d array of length "
                             f"{n_samples}; got shape {groups.shape}. Pass a single column, e.g. "
                             "groups=df['firm'] (clustering is one-way only).")
        if groups.ndim != 1 or groups.shape[0] != n_samples:
            raise ValueError(f"groups must have one label per training row ({n_samples}), got "
                             f"shape {groups.shape}.")
        missing = _missing_labels(groups)
        if np.any(missing):
            raise ValueError(f"groups has {int(np.sum(missing))} missing label(s) (None or NaN): "
                             "give every training row a cluster label.")
        try:
            labels, codes = np.unique(groups, return_inverse=True)
        except TypeError:
            raise ValueError("groups mixes labels that cannot be compared (e.g. strings and "
                             "numbers): use one type for all cluster labels.") from None
        return canonical, codes.astype(np.intp).ravel(), labels.shape[0]
    if groups is not None:
        raise ValueError(f"groups is only used with cov_type='cluster', not {canonical!r}.")
    return canonical, None, 0


def compute_summary(model, objective, *, alpha: float = 0.05, cov_type: str = "nonrobust",
                    groups=None, use_correction: bool = True,
                    separation: Separation | None = None,
                    separation_checked: bool = False, yname: str = "y") -> Summary:
    """Compute the :class:`Summary` of a fitted model from its training objective.

    Parameters
    ----------
    model : LogisticRegression
        Fitted; supplies coefficients, names, solver information.
    objective : BCEObjective
        The objective ``model`` was fitted on (holds X, y and the sample weights).
    alpha : float, default=0.05
        1 - confidence level of the intervals.
    cov_type : {"nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster"}
    groups : array-like of shape (n_samples,), default=None
        Cluster labels for ``cov_type="cluster"``.
    use_correction : bool, default=True
        Cluster small-sample factor G/(G-1)·(N-1)/(N-k).
    separation, separation_checked
        What the fit found out about separation; when not checked yet and the fit is
        unpenalised, the exact check runs here.
    yname : str, default="y"
        Name of the target, for "Dep. Variable".

    Returns
    -------
    Summary
    """
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not 0 < alpha < 1:
        raise ValueError(f"alpha must be a number in (0, 1), got {alpha!r}.")
    cov_type, codes, n_groups = _check_cov_type(cov_type, groups, objective.n_samples)
    s = objective.sample_weight
    n_clusters = 0
    if codes is not None:
        # A row of weight 0 is not in the data (frequency weights), nor is a cluster of such
        # rows: G counts the clusters that have weight.
        n_clusters = int(np.count_nonzero(np.bincount(codes[s > 0], minlength=n_groups)))
        if n_clusters < 2:
            raise ValueError("cov_type='cluster' needs at least 2 distinct groups (among the "
                             "rows with non-zero weight).")
    d = objective.n_features
    k = objective.n_coef
    coef = np.ascontiguousarray(model.coef_.ravel(), dtype=np.float64)
    theta = np.r_[coef, model.intercept_] if objective.fit_intercept else coef.copy()

    # A copy: when the solver's last pass was at θ̂ (no new pass needed), this is the
    # objective's own buffer.
    z = objective.logits(theta).copy()
    y = objective.y
    nobs = float(s.sum())
    residual, curvature, slope_weight, llf, total_curvature = pointwise_statistics(z, y, s)

    # The null model has only an intercept, fitted in closed form.
    rate = objective.positive_rate()
    llnull = nobs * sum(p * math.log(p) for p in (rate, 1.0 - rate) if p > 0)
    if nobs <= k and (cov_type == "HC1" or (cov_type == "cluster" and use_correction)):
        raise ValueError(
            f"cov_type={cov_type!r} scales by 1/(N - k), which needs more observations "
            f"(N = sum of sample weights = {nobs:g}) than coefficients (k = {k}). Use "
            + ("cov_type='HC0'" if cov_type == "HC1" else "use_correction=False")
            + ", or frequency weights that count rows."
        )

    with np.errstate(over="ignore", invalid="ignore"):  # refused just below, by name
        information = objective.weighted_gram(s * curvature)
    check_no_overflow(np.diag(information)[:d])
    bread, rcond = _invert_information(information)
    # Only a nearly singular information matrix can come from a rank-deficient design (the
    # weights are positive), so the design's rank is computed only then.
    rank, redundant, identified = (
        (k, np.array([], dtype=np.intp), np.ones(k, dtype=bool)) if rcond >= _RANK_CHECK_RCOND
        else design_rank_and_redundant(objective))
    if rank < k:
        # The coefficients that no dependency involves are identified, and their variances
        # are those of the model without the redundant columns (as statsmodels' GLM and R's
        # glm give them); the others have none (NaN below).
        bread = _generalised_inverse(information, rank)

    # The null model has one coefficient whether or not the model has an intercept, so the
    # likelihood-ratio test has rank - 1 degrees of freedom (statsmodels' df_model), and the
    # information criteria count rank parameters: collinear columns add none.
    df_model = float(rank - 1)
    llr = 2.0 * (llf - llnull)
    llr_pvalue = float(stats.chi2.sf(llr, df_model)) if df_model > 0 else math.nan
    prsquared = 1.0 - llf / llnull if llnull < 0 else math.nan

    # Covariance.
    notes = []
    if cov_type == "nonrobust":
        cov = bread
    elif cov_type == "cluster":
        meat = _cluster_meat(objective, s * residual, codes, n_groups)
        cov = bread @ meat @ bread
        if use_correction:
            cov *= n_clusters / (n_clusters - 1.0) * (nobs - 1.0) / (nobs - k)
    else:
        weights = s * residual * residual
        if cov_type in ("HC2", "HC3") and np.all(np.isfinite(bread)):
            leverage = leverages(objective, bread, curvature)
            if np.any(leverage[s > 0] > 1.0 + 1e-12):
                # Only possible with weights below 1: the leverage of one copy of a row is at
                # most 1/sᵢ, so the frequency-weight reading of HC2/HC3 breaks down.
                raise ValueError(
                    f"cov_type={cov_type!r} needs every leverage to be at most 1, which "
                    "frequency weights of at least 1 ensure; with these fractional sample "
                    f"weights (or class weights) {int(np.sum(leverage[s > 0] > 1.0 + 1e-12))} "
                    "row(s) have leverages above 1. Use cov_type='HC0' or 'HC1', or rescale "
                    "the weights to count rows."
                )
            with np.errstate(divide="ignore"):  # a leverage of 1 gives an infinite variance
                weights = weights / (1.0 - leverage) ** (1 if cov_type == "HC2" else 2)
        cov = bread @ objective.weighted_gram(weights) @ bread
        if cov_type == "HC1":
            cov *= nobs / (nobs - rank)
    cov = 0.5 * (cov + cov.T)
    # The marginal effects below use the finite generalised-inverse covariance: their
    # functions of the identified part are estimable; the unidentified ones are NaN.
    margeff_cov = cov
    if rank < k:
        cov = cov.copy()
        cov[~identified, :] = np.nan
        cov[:, ~identified] = np.nan

    quantile = float(stats.norm.ppf(1.0 - alpha / 2.0))
    bse = np.sqrt(np.diag(cov))
    with np.errstate(divide="ignore", invalid="ignore"):  # a zero or NaN se gives inf/NaN z
        zvalues = theta / bse
    pvalues = 2.0 * stats.norm.sf(np.abs(zvalues))
    conf_int = np.column_stack([theta - quantile * bse, theta + quantile * bse])

    # Average marginal effects and their delta-method covariance.
    # A constant column supplied by the user (instead of fit_intercept) has no marginal effect.
    constant = np.arange(0) if objective.fit_intercept else _constant_columns(objective)
    keep = np.setdiff1d(np.arange(d), constant)
    mean_curvature = total_curvature / nobs
    slope = np.asarray(objective.X.T @ slope_weight).ravel() / nobs
    if objective.fit_intercept:
        slope = np.append(slope, slope_weight.sum() / nobs)
    jacobian = np.outer(coef, slope)
    jacobian[np.arange(d), np.arange(d)] += mean_curvature
    jacobian = jacobian[keep]
    margeff = coef[keep] * mean_curvature
    margeff_se = np.sqrt(np.einsum("ij,jk,ik->i", jacobian, margeff_cov, jacobian))
    margeff_se[~identified[keep]] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        margeff_z = margeff / margeff_se
    margeff_pvalues = 2.0 * stats.norm.sf(np.abs(margeff_z))
    margeff_conf_int = np.column_stack([margeff - quantile * margeff_se,
                                        margeff + quantile * margeff_se])

    names = coef_names(model)
    params = fitted_params(model)
    unpenalised = params["penalty"] is None or math.isinf(float(params["C"]))
    penalty = _PENALTY_NAMES.get(params["penalty"], str(params["penalty"]))
    C = params["C"]
    penalty_setting = f"{penalty}, C={C:g}"
    if params["penalty"] == "elasticnet":
        penalty_setting += f", l1_ratio={params['l1_ratio']:g}"
    wide = not can_check(objective)
    if unpenalised and not separation_checked:
        # Too wide for the exact check over every coefficient: complete separation by θ
        # itself, and separation along the directions θ diverges in, are still seen.
        if wide:
            separation = (complete_separation_at(objective, theta)
                          or find_separation_wide(objective, theta, logits=z))
        else:
            separation = find_separation(objective, theta, logits=z)
        if separation is not None:
            warnings.warn(separation_message(separation, names, stopped=False), SeparationWarning,
                          stacklevel=3)
    unchecked = unpenalised and wide and separation is None
    separated = np.zeros(k, dtype=bool)
    if unpenalised and separation is not None:
        separated[list(separation.coef_index)] = True

    # Notes, then display order: intercept first.
    description = _DESCRIPTIONS[cov_type].format(
        correction="" if use_correction else ", no small-sample correction",
        n_groups=n_clusters)
    notes.append(description)
    if not unpenalised:
        notes.append(
            f"Penalised fit ({penalty_setting}): the estimates are shrunk towards 0 and the "
            "standard errors, z, p-values and intervals are the classical ones at the penalised "
            "estimate; they do not account for the penalty. Nor do the LLR test and AIC/BIC, "
            "which take the log-likelihood at the penalised estimate and count every "
            "coefficient as a parameter. Refit with penalty=None for maximum-likelihood "
            "inference."
        )
    class_weight = params.get("class_weight")
    if class_weight is not None and not (
            isinstance(class_weight, dict) and all(v == 1 for v in class_weight.values())):
        notes.append(
            f"class_weight={class_weight!r}: each row's weight (its class weight times its "
            "sample weight) is read as a frequency weight, as if the row were that many "
            f"observations (N = {float(s.sum()):g} from {int(np.count_nonzero(s > 0))} rows). "
            "Unless the class weights count rows, this misstates the sample size and with it "
            "the standard errors, p-values and intervals; fit without class_weight for "
            "inference.")
    elif np.any(s != np.round(s)) and not (
            cov_type == "cluster" and not use_correction and n_groups == objective.n_samples):
        # Weights that are not counts (normalised to sum to 1, survey or importance weights)
        # silently rescale every standard error under the frequency reading; the per-row
        # cluster sandwich without correction is the one that does not depend on their scale.
        notes.append(
            "The sample weights are not whole numbers. They are read as frequency weights, as "
            "if each row were that many observations (N = "
            f"{nobs:g} from {int(np.count_nonzero(s > 0))} rows), so the standard errors, "
            "p-values, intervals, Df Residuals and BIC depend on the scale of the weights. If "
            "they are sampling or importance weights rather than counts, use "
            f"summary(cov_type='cluster', groups=np.arange({objective.n_samples}), "
            "use_correction=False): the sandwich with weighted scores (statsmodels' GLM with "
            "var_weights and cov_type='HC0'), which does not depend on their scale.")
    if separated.any():
        separating = ", ".join(names[j] for j in separation.features)
        notes.append(
            f"* The classes are {separation.kind}ly separated (by {separating}; "
            f"{separation.n_separated} sample(s) predicted perfectly): the maximum-likelihood "
            "estimates of the marked coefficients do not exist, and their standard errors and "
            "tests are meaningless. The other coefficients, the log-likelihood and the "
            "statistics built on it are evaluated at the fitted (finite) coefficients: they "
            "approach their limits only as the marked ones diverge, so they are approximate. "
            "Use a penalty or remove the separating features."
        )
    if unchecked:
        notes.append(f"Separation was checked only along the directions in which the fitted "
                     f"coefficients diverge (the exact check over all coefficients handles at "
                     f"most {MAX_CHECKED_COEFS}): none was found, but coefficients that have "
                     "not yet moved far may still diverge. Large standard errors on large "
                     "coefficients may mean that they do.")
    if rank < k:
        unidentified_indices = np.flatnonzero(~identified)
        unidentified = ", ".join(names[j] for j in unidentified_indices)
        have = "has" if unidentified_indices.size == 1 else "have"
        droppable = ", ".join(names[j] for j in redundant)
        which = ("the data do not identify the coefficients of " if unpenalised else
                 "the penalty makes the estimate unique (it shares the effect of collinear "
                 "columns among them), but the data alone do not identify the coefficients "
                 "of ")
        notes.append(f"The design has rank {rank}, less than its {k} coefficients (collinear or "
                     f"constant columns, the intercept included): {which}{unidentified}, which "
                     f"{have} no standard errors. The others' are those of the model without the "
                     "redundant columns (from a generalised inverse, as statsmodels' GLM and R "
                     f"give them). The degrees of freedom, AIC and BIC count {rank} "
                     f"parameters. Remove the redundant columns: without {droppable} the "
                     "design has full rank.")
        warnings.warn(f"The design has rank {rank} < {k} coefficients: remove collinear or "
                      f"constant columns (without {droppable} the design has full rank)"
                      + (", or use a penalty" if unpenalised else "")
                      + f"; {unidentified} {have} no standard errors.",
                      IllConditionedWarning, stacklevel=3)
    elif not np.all(np.isfinite(bread)):
        notes.append("The information matrix is singular (collinear or constant features, or "
                     "separation): standard errors are not available.")
        if not separated.any():
            warnings.warn("The information matrix is singular, so standard errors are NaN: remove "
                          "collinear or constant features"
                          + (", or use a penalty." if unpenalised else "."),
                          IllConditionedWarning, stacklevel=3)
    elif rcond < _RCOND_WARN and not separated.any():  # separation explains it already
        digits = int(round(-math.log10(max(rcond, 1e-300)))) if rcond > 0 else 16
        notes.append(f"The information matrix is ill-conditioned (scaled condition number "
                     f"{1 / rcond:.2g}): standard errors may have lost about {digits} of 16 "
                     "significant digits; check for collinear features.")
        warnings.warn(f"The information matrix is ill-conditioned (scaled condition number "
                      f"{1 / rcond:.2g}); standard errors may be inaccurate. Check for "
                      "collinear features" + (" or use a penalty." if unpenalised else "."),
                      IllConditionedWarning, stacklevel=3)
    if not model.converged_ and not separated.any():
        notes.append("The solver did not converge: the statistics are evaluated at the "
                     "coefficients it returned.")

    order = np.r_[k - 1, np.arange(k - 1)] if objective.fit_intercept else np.arange(k)
    cov = cov[np.ix_(order, order)]
    with np.errstate(over="ignore"):  # exp of a diverging coefficient is +inf, as it should be
        odds_ratios = np.exp(theta[order])
        odds_ratio_conf_int = np.exp(conf_int[order])
    feature_names = [names[j] for j in keep]
    return Summary(
        names=[names[j] for j in order],
        params=theta[order], bse=bse[order], zvalues=zvalues[order], pvalues=pvalues[order],
        conf_int=conf_int[order], odds_ratios=odds_ratios,
        odds_ratio_conf_int=odds_ratio_conf_int, separated=separated[order],
        margeff_names=feature_names, margeff=margeff, margeff_se=margeff_se,
        margeff_z=margeff_z, margeff_pvalues=margeff_pvalues,
        margeff_conf_int=margeff_conf_int,
        nobs=nobs, n_rows=int(objective.n_samples), df_model=df_model,
        df_resid=nobs - rank, llf=llf, llnull=llnull, llr=llr, llr_pvalue=llr_pvalue,
        prsquared=prsquared, aic=-2.0 * llf + 2.0 * rank, bic=-2.0 * llf + rank * math.log(nobs),
        converged=bool(model.converged_) and not separated.any(),
        n_iter=int(model.n_iter_[0]), solver=str(model.solver_),
        method="MLE" if unpenalised else f"Penalised ML ({penalty_setting})",
        cov_type=cov_type, dep_variable=f"{yname} == {model.classes_[1]!s}",
        alpha=float(alpha), notes=notes, cov_params=cov,
    )


def fitted_params(model) -> dict:
    """The constructor arguments ``model`` was fitted with.

    ``set_params`` after fitting changes the arguments of the next fit, not what the current
    coefficients are: a summary, a model file or the names of θ describe the fit.
    """
    params = getattr(model, "_fit_params", None)
    return params if params is not None else model.get_params(deep=False)


def coef_names(model) -> list[str]:
    """Names of θ = [w, b] in storage order (intercept last)."""
    if hasattr(model, "feature_names_in_"):
        names = [str(name) for name in model.feature_names_in_]
    else:
        names = [f"x{j}" for j in range(model.n_features_in_)]
    if fitted_params(model)["fit_intercept"]:
        names.append("intercept" if "intercept" not in names else "(intercept)")
    return names
