"""Regularisation paths: the solutions for a whole grid of C, each warm-started from the last.

For the elastic-net objective (scikit-learn's meaning of C, ρ = l1_ratio)

    F_C(θ) = Σᵢ sᵢ L(zᵢ, yᵢ) + (1/C) (ρ ‖w‖₁ + (1 - ρ) ‖w‖² / 2)

w = 0 (with the intercept at its own optimum, the logit of the weighted positive rate) is a
solution exactly when every feature's gradient there is within the L1 threshold,
|∇ⱼf(0, b₀)| ≤ ρ / C. The smallest C with an all-zero solution is therefore

    C_min = ρ / maxⱼ |Σᵢ sᵢ (σ(b₀) - yᵢ) xᵢⱼ|,

and the default grid runs geometrically from C_min up to ``C_range`` times C_min (glmnet's
choice of range: 10⁴ when there are more samples than features, 10² otherwise). The path is
solved from the largest penalty (smallest C) upwards, each fit starting from the previous
solution: the support grows slowly along the path, so each warm start is close and the
active-set solver (``"cd"``) touches few columns.
"""

from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_X_y

from ._objective import BCEObjective
from ._validation import (
    PENALTY_L1_RATIO,
    check_flags,
    check_options,
    check_weight_on_both_classes,
)
from .solvers import SOLVERS, select_solver
from .solvers._registry import check_penalty_support


@dataclass
class RegularizationPath:
    """Solutions along a grid of C, smallest C (strongest penalty) first.

    Attributes
    ----------
    Cs : ndarray of shape (n_Cs,)
        Increasing inverse penalty strengths.
    l1_ratio : float
        The elastic-net mixing parameter (1 for L1, 0 for L2).
    coefs : ndarray of shape (n_Cs, n_features)
        Coefficients at each C.
    intercepts : ndarray of shape (n_Cs,)
        Intercepts at each C (zeros without an intercept).
    objective : ndarray of shape (n_Cs,)
        The objective F_C at each solution (loss plus the whole penalty).
    n_nonzero : ndarray of shape (n_Cs,)
        Number of non-zero coefficients (the intercept not counted).
    n_iter : ndarray of shape (n_Cs,)
        Solver iterations at each C.
    converged : ndarray of shape (n_Cs,)
        Whether the KKT conditions hold to ``tol`` at each C.
    classes : ndarray of shape (2,)
        The labels; ``classes[1]`` is the positive class.
    solver : str
        The solver used.
    """

    Cs: np.ndarray
    l1_ratio: float
    coefs: np.ndarray
    intercepts: np.ndarray
    objective: np.ndarray
    n_nonzero: np.ndarray
    n_iter: np.ndarray
    converged: np.ndarray
    classes: np.ndarray
    solver: str

    def plot(self, ax=None, *, feature_names=None, max_labels: int = 10):
        """Plot every coefficient against log₁₀ C.

        matplotlib is imported here, on first use, not with the package.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.
        feature_names : sequence of str of length n_features, default=None
            Used to label the curves of the ``max_labels`` largest final coefficients.
        max_labels : int, default=10

        Returns
        -------
        ax : matplotlib Axes
        """
        if feature_names is not None and len(feature_names) != self.coefs.shape[1]:
            # A shorter list would label curves with their neighbours' names, or fail on an
            # index beyond its end only when that curve is among those labelled.
            raise ValueError(
                f"feature_names has {len(feature_names)} names for {self.coefs.shape[1]} "
                "features; pass one name per column of X, in order (e.g. list(X.columns)).")
        import matplotlib.pyplot as plt
        if ax is None:
            _, ax = plt.subplots()
        log_C = np.log10(self.Cs)
        ax.plot(log_C, self.coefs, linewidth=1)
        ax.axhline(0.0, color="grey", linewidth=0.5)
        ax.set_xlabel("log10(C)")
        ax.set_ylabel("coefficient")
        ax.set_title(f"Regularisation path (l1_ratio={self.l1_ratio:g})")
        if feature_names is not None:
            final = self.coefs[-1]
            for j in np.argsort(-np.abs(final))[:max_labels]:
                if final[j] != 0.0:
                    ax.annotate(str(feature_names[j]), (log_C[-1], final[j]), fontsize=7)
        secondary = ax.secondary_xaxis("top")
        secondary.set_xticks(log_C[:: max(1, len(log_C) // 6)])
        secondary.set_xticklabels(self.n_nonzero[:: max(1, len(log_C) // 6)])
        secondary.set_xlabel("non-zero coefficients")
        return ax


def _resolve_l1_ratio(penalty, l1_ratio) -> float:
    if penalty not in PENALTY_L1_RATIO:
        raise ValueError(
            f"penalty={penalty!r} is not supported here; use 'l1', 'elasticnet' or 'l2'."
        )
    fixed = PENALTY_L1_RATIO[penalty]
    if fixed is not None:
        if l1_ratio is not None and (
            not isinstance(l1_ratio, numbers.Real) or float(l1_ratio) != fixed
        ):
            raise ValueError(
                f"penalty={penalty!r} means l1_ratio={fixed:g}, got l1_ratio={l1_ratio!r}; "
                "use penalty='elasticnet' for other mixtures."
            )
        return fixed
    l1_ratio = 0.5 if l1_ratio is None else l1_ratio
    if not isinstance(l1_ratio, numbers.Real) or not 0.0 <= l1_ratio <= 1.0:
        raise ValueError(f"l1_ratio must be a number in [0, 1], got {l1_ratio!r}.")
    return float(l1_ratio)


def null_intercept(objective: BCEObjective) -> float:
    """The intercept-only optimum: the logit of the weighted positive rate."""
    rate = objective.positive_rate()
    rate = min(max(rate, 1e-12), 1 - 1e-12)
    return math.log(rate / (1 - rate))


def null_coef(objective: BCEObjective) -> np.ndarray:
    """θ with w = 0 and the intercept (if any) at its intercept-only optimum."""
    coef = np.zeros(objective.n_coef)
    if objective.fit_intercept:
        coef[-1] = null_intercept(objective)
    return coef


def max_null_gradient(objective: BCEObjective) -> float:
    """maxⱼ |∇ⱼf| at the null model: C_min = l1_ratio / this (one pass over X)."""
    _, grad = objective.loss_gradient(null_coef(objective))
    return float(np.max(np.abs(grad[: objective.n_features]), initial=0.0))


def default_Cs(max_gradient: float, l1_ratio: float, n_Cs: int, C_range: float) -> np.ndarray:
    """The default grid: C_min = l1_ratio / max_gradient up to C_range · C_min, geometric.

    Falls back to scikit-learn's ``np.logspace(-4, 4, n_Cs)`` when there is no C_min
    (pure L2, or features that are all zero).
    """
    if l1_ratio == 0.0 or not max_gradient > 0.0:
        return np.logspace(-4, 4, n_Cs)
    C_min = l1_ratio / max_gradient
    return np.geomspace(C_min, C_min * C_range, n_Cs)


# What to try when fits stop before tol: said the same way by the path and by the CV.
CONVERGENCE_ADVICE = (
    "Increase max_iter, loosen tol, or standardise the features "
    "(sklearn.preprocessing.StandardScaler)."
)


def format_Cs(Cs: np.ndarray, limit: int = 5) -> str:
    """``[c1, c2, ...]`` with at most ``limit`` values shown, for warnings."""
    shown = ", ".join(f"{C:.3g}" for C in Cs[:limit])
    more = f", and {Cs.size - limit} more" if Cs.size > limit else ""
    return f"[{shown}{more}]"


def _check_Cs(Cs) -> np.ndarray:
    if isinstance(Cs, numbers.Real):
        # Not an int (those count values of C): a lone number is almost surely meant as a
        # count, and taken as one C would cross-validate nothing.
        raise ValueError(f"Cs must be an int (how many values of C) or a list of values of C, "
                         f"got {Cs!r}; for the single value C={Cs!r} write Cs=[{Cs!r}].")
    Cs = np.sort(np.asarray(Cs, dtype=np.float64).ravel())
    if Cs.size == 0 or not np.all(Cs > 0.0):
        raise ValueError(f"Cs must be positive numbers (or a positive integer), got {Cs!r}.")
    return Cs


def fit_path(
    objective: BCEObjective,
    Cs: np.ndarray,
    l1_ratio: float,
    *,
    solver: str = "auto",
    tol: float = 1e-6,
    max_iter: int | None = None,
    coef0: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Solve along increasing ``Cs`` with warm starts; validated inputs only.

    Returns a dict with ``coef`` (n_Cs, n_coef), ``objective``, ``n_nonzero``, ``n_iter``,
    ``converged`` (n_Cs,), ``solver`` and ``max_iter`` (the budget used, the solver's default
    when ``max_iter`` is None).
    """
    n_Cs = Cs.shape[0]
    coef = null_coef(objective) if coef0 is None else np.array(coef0, dtype=np.float64)
    out = {
        "coef": np.empty((n_Cs, objective.n_coef)),
        "objective": np.empty(n_Cs),
        "n_nonzero": np.empty(n_Cs, dtype=np.int64),
        "n_iter": np.empty(n_Cs, dtype=np.int64),
        "converged": np.empty(n_Cs, dtype=bool),
    }
    name = solver
    for k, C in enumerate(Cs):
        objective.set_penalty(C, l1_ratio)
        if solver == "auto":
            name = select_solver(objective)
        check_penalty_support(name, objective)
        spec = SOLVERS[name]
        budget = spec.default_max_iter if max_iter is None else int(max_iter)
        result = spec.solve(objective, coef, tol=tol, max_iter=budget, callback=None)
        coef = result.coef
        out["coef"][k] = coef
        # The last history row is the objective at the returned point (for the L1 solvers
        # F = f + g, for the others f, which is then the whole objective): no extra pass.
        out["objective"][k] = result.history["objective"][-1]
        out["n_nonzero"][k] = np.count_nonzero(coef[: objective.n_features])
        out["n_iter"][k] = result.n_iter
        out["converged"][k] = result.converged
    out["solver"] = name
    out["max_iter"] = budget if n_Cs else max_iter
    return out


def regularization_path(
    X,
    y,
    Cs=100,
    *,
    penalty: str = "l1",
    l1_ratio: float | None = None,
    sample_weight=None,
    fit_intercept: bool = True,
    solver: str = "auto",
    tol: float = 1e-6,
    max_iter: int | None = None,
    C_range: float | None = None,
) -> RegularizationPath:
    """Fit penalised logistic regressions along a grid of C, with warm starts.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
        Exactly two distinct labels.
    Cs : int or array-like of shape (n_Cs,), default=100
        An int asks for that many values from C_min = l1_ratio / maxⱼ|∇ⱼf| at the
        intercept-only model (the smallest C at which every coefficient is zero) up to
        ``C_range`` · C_min, evenly spaced in log C; for ``penalty="l2"``, which has no
        C_min, scikit-learn's ``np.logspace(-4, 4, Cs)``. An array is used as given, sorted
        increasingly.
    penalty : {"l1", "elasticnet", "l2"}, default="l1"
        With scikit-learn's meaning of C; the intercept is never penalised.
    l1_ratio : float, default=None
        Mixing parameter for ``penalty="elasticnet"`` (0.5 when None).
    sample_weight : array-like of shape (n_samples,), default=None
    fit_intercept : bool, default=True
    solver : str, default="auto"
        Any registered solver that handles the penalty; ``"auto"`` picks ``"cd"`` for L1 and
        elastic net.
    tol : float, default=1e-6
        KKT tolerance at each C (the estimator's convergence rule), positive and finite.
    max_iter : int, default=None
        Iteration budget per C, at least 1; None uses the solver's default.
    C_range : float, default=None
        C_max / C_min for an integer ``Cs``, finite and at least 1; None is 1e4 when
        n_samples > n_features, else 1e2.

    Returns
    -------
    RegularizationPath
        Coefficients, intercepts, objective, number of non-zeros and iterations per C,
        smallest C first; ``.plot()`` draws the path.

    Warns
    -----
    ConvergenceWarning
        Once, when the solver stopped before ``tol`` at some values of C: how many, which,
        and what to try (``converged`` in the result says which).

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import scale
    >>> import logitfit
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> path = logitfit.regularization_path(scale(X), y, Cs=20)
    >>> int(path.n_nonzero[0]), bool(path.n_nonzero[-1] > 10)
    (0, True)
    """
    l1_ratio = _resolve_l1_ratio(penalty, l1_ratio)
    check_options(tol=tol, max_iter=max_iter, solver=solver, C_range=C_range)
    check_flags(fit_intercept=fit_intercept)
    X, y = check_X_y(X, y, accept_sparse="csr", dtype=[np.float64, np.float32], order="C")
    check_classification_targets(y)
    classes, y_encoded = np.unique(y, return_inverse=True)
    if classes.shape[0] != 2:
        raise ValueError(
            f"regularization_path needs exactly 2 classes in y, got {classes.shape[0]}."
        )
    weights = _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
    check_weight_on_both_classes(weights, y_encoded, classes)
    objective = BCEObjective(X, y_encoded.astype(np.float64), weights, C=1.0,
                             fit_intercept=fit_intercept, l1_ratio=l1_ratio)
    if isinstance(Cs, numbers.Integral):
        if Cs < 1:
            raise ValueError(f"Cs must be a positive integer or an array of C, got {Cs!r}.")
        if C_range is None:
            C_range = 1e4 if X.shape[0] > X.shape[1] else 1e2
        grid = default_Cs(max_null_gradient(objective), l1_ratio, int(Cs), float(C_range))
    else:
        grid = _check_Cs(Cs)
    out = fit_path(objective, grid, l1_ratio, solver=solver, tol=float(tol), max_iter=max_iter)
    if not out["converged"].all():
        bad = grid[~out["converged"]]
        warnings.warn(
            f"the solver did not reach tol={tol:g} (max_iter={out['max_iter']}) at {bad.size} of "
            f"{grid.size} values of C, C = {format_Cs(bad)}. {CONVERGENCE_ADVICE}",
            ConvergenceWarning,
            stacklevel=2,
        )
    coefs = out["coef"]
    d = objective.n_features
    return RegularizationPath(
        Cs=grid,
        l1_ratio=l1_ratio,
        coefs=coefs[:, :d].copy(),
        intercepts=coefs[:, d].copy() if fit_intercept else np.zeros(grid.size),
        objective=out["objective"],
        n_nonzero=out["n_nonzero"],
        n_iter=out["n_iter"],
        converged=out["converged"],
        classes=classes,
        solver=out["solver"],
    )
