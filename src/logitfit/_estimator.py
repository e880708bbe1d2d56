"""scikit-learn compatible estimator: validation at the boundary, then objective + solver."""

from __future__ import annotations

import contextlib
import copy
import math
import numbers
import os
import sys
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import assert_all_finite
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from . import _kernels, _loss
from ._errors import first_few
from ._inference import Summary, coef_names, compute_summary, fitted_params
from ._objective import BCEObjective
from ._separation import SeparationMonitor, SeparationWarning, separation_message
from ._validation import (
    PENALTY_L1_RATIO,
    check_flags,
    check_options,
    check_weight_on_both_classes,
    refuse_probability_targets,
)
from .solvers import SOLVERS, IterationInfo, select_solver
from .solvers._registry import (
    check_penalty_support,
    not_converged_message,
    solver_advice,
    unknown_solver_options,
)

_SUPPORTED_PENALTIES = ("l2", "l1", "elasticnet", None)
_DEFAULT_L1_RATIO = 0.5


# The constructor arguments that define the objective a fit minimises.
OBJECTIVE_PARAMS = ("penalty", "C", "l1_ratio", "fit_intercept", "class_weight")


def objective_options(params: dict) -> dict:
    """The objective that ``params`` (from ``get_params``) define, as the fit applies them.

    Settings that define the same objective compare equal: any C with ``penalty=None``
    (C = inf), any l1_ratio with ``penalty="l2"`` (0) or ``"l1"`` (1).
    """
    penalty = params["penalty"]
    fixed = PENALTY_L1_RATIO.get(penalty, 0.0)  # penalty=None has no L1 part
    return {"C": math.inf if penalty is None else float(params["C"]),
            "l1_ratio": float(params["l1_ratio"]) if fixed is None else fixed,
            "fit_intercept": bool(params["fit_intercept"]),
            "class_weight": params["class_weight"]}


# What fit sets besides scikit-learn's fitted attributes (names with a trailing underscore):
# the state summary() and save() read (LogisticRegressionCV's save() reads _refit_model).
_FIT_STATE = ("_objective", "_separation", "_separation_checked", "_fit_params",
              "_target_name", "_refit_model", "_stored_summary")


def _fit_state(estimator) -> dict:
    return {name: value for name, value in vars(estimator).items()
            if (name.endswith("_") and not name.startswith("__")) or name in _FIT_STATE}


@contextlib.contextmanager
def previous_fit_kept(estimator):
    """Leave ``estimator`` as it was when a fit raises (bad data, an interrupt).

    validate_data sets the new data's feature names before the data are checked, and the
    labels are set before the fit can fail on them: without this, a refit that fails would
    leave the old coefficients under the new names and labels, so that predict() and
    summary() mislabel them.
    """
    before = _fit_state(estimator)
    try:
        yield
    except BaseException:
        for name in _fit_state(estimator):
            delattr(estimator, name)
        vars(estimator).update(before)
        raise


def target_name(y) -> str | None:
    """The name of a pandas or polars Series ``y``, for the summary's "Dep. Variable"; None
    for unnamed targets."""
    name = getattr(y, "name", None)
    return name if isinstance(name, str) and name else None


def check_class_weight(class_weight, classes: np.ndarray | None = None) -> None:
    """Refuse a ``class_weight`` that is not None, "balanced" or a dict of finite,
    non-negative weights, or (given ``classes``) that names a label not among them."""
    if class_weight is None or (isinstance(class_weight, str) and class_weight == "balanced"):
        return
    if not isinstance(class_weight, dict):
        raise ValueError("class_weight must be None, 'balanced' or a dict mapping class labels "
                         f"to weights, got {class_weight!r}.")
    for weight in class_weight.values():
        if (isinstance(weight, bool) or not isinstance(weight, numbers.Real)
                or not 0.0 <= weight < math.inf):
            raise ValueError(f"class_weight values must be finite, non-negative numbers, got "
                             f"{class_weight!r}.")
    if classes is not None:
        unknown = set(class_weight) - set(classes.tolist())
        if unknown:
            raise ValueError(
                # (sorted by their text, as labels of mixed types do not compare)
                f"class_weight has labels {sorted(unknown, key=str)} that are not among the "
                f"classes {classes.tolist()}."
            )


def _label_of(classes: np.ndarray, per_class: np.ndarray):
    """The label of the class with the least of ``per_class``, as Python writes it (``'no'``,
    not ``np.str_('no')``), for messages."""
    label = classes[int(np.argmin(per_class))]
    return label.item() if isinstance(label, np.generic) else label


def weights_with_classes(X, y_encoded: np.ndarray, sample_weight, class_weight,
                         classes: np.ndarray) -> np.ndarray:
    """Validated sample weights times the class weights, shape (n_samples,).

    ``y_encoded`` holds 0/1 class indices into ``classes``; ``class_weight`` is None,
    "balanced" or a dict from labels to weights (labels left out weigh 1).
    """
    check_class_weight(class_weight, classes)
    weights = _check_sample_weight(sample_weight, X, dtype=np.float64,
                                   ensure_non_negative=True, copy=True)
    if class_weight == "balanced":
        totals = np.bincount(y_encoded, weights=weights, minlength=2)
        if not np.all(totals > 0):
            empty = _label_of(classes, totals)
            raise ValueError(
                f"class_weight='balanced' needs weight in both classes, but class {empty!r} "
                "has a total sample_weight of 0: give that class some weight, or drop "
                "class_weight."
            )
        weights *= compute_class_weight("balanced", classes=np.arange(2), y=y_encoded,
                                        sample_weight=weights)[y_encoded]
    elif class_weight is not None:
        per_class = np.array([float(class_weight.get(label, 1.0)) for label in classes])
        if np.count_nonzero(per_class) == 1:
            # Said here, naming class_weight: the later check of weight on both classes would
            # blame sample_weight, and LogisticRegressionCV's check of its folds would advise
            # stratified folds, neither of which is the fix.
            empty = _label_of(classes, per_class)
            raise ValueError(
                f"class_weight gives class {empty!r} a weight of 0, which leaves one class to "
                "fit; a classifier needs weight on both classes: give that class a positive "
                "weight or leave it out of class_weight (weight 1)."
            )
        weights *= per_class[y_encoded]
    if not weights.sum() > 0:
        if sample_weight is not None and not np.any(np.asarray(sample_weight) > 0):
            raise ValueError("sample_weight sums to zero; give at least one sample a "
                             "positive weight.")
        raise ValueError("class_weight gives every sample a weight of zero (times "
                         "sample_weight); give a class a positive weight.")
    return weights


# Columns whose values are all below this in magnitude are refused: their squares underflow
# float64 (below about 1.5e-162 they are 0), and with them every curvature (the Hessian, its
# products, the column scales that make the stopping rules independent of units). Unrefused,
# fits on values near 1e-200 stopped at the start and reported slopes of 0 as converged.
# (Values whose squares overflow, above about 1e154, are refused where a curvature is formed.)
_TINY_FEATURE = 1e-160
# The magnitudes are read from about this many rows (spread over X): units are a property of
# the column, and a sample keeps the check off the cost of a fit.
_MAGNITUDE_SAMPLE_ROWS = 1024


def check_feature_magnitudes(X, names=None) -> None:
    """Raise ValueError naming the columns of ``X`` (dense or CSR, shape (n, d)) whose largest
    magnitude, in a sample of rows, is non-zero and below 1e-160, and the rescaling that
    fixes it."""
    stride = max(1, X.shape[0] // _MAGNITUDE_SAMPLE_ROWS)
    sample = X[::stride]
    if sp.issparse(sample):
        magnitude = np.zeros(X.shape[1])
        np.maximum.at(magnitude, sample.indices, np.abs(sample.data, dtype=np.float64))
    else:
        magnitude = np.abs(np.asarray(sample, dtype=np.float64)).max(axis=0, initial=0.0)
    with np.errstate(invalid="ignore"):  # NaN is the finiteness check's
        tiny = np.flatnonzero((magnitude > 0.0) & (magnitude < _TINY_FEATURE))
    if tiny.size == 0:
        return
    listed = first_few([f"{names[j] if names is not None else f'x{j}'} "
                        f"(about {magnitude[j]:.0e})" for j in tiny])
    raise ValueError(
        f"Feature(s) {listed} hold only values below 1e-160 in magnitude, whose squares "
        "underflow float64: the fit's curvature and stopping rules cannot see them. Rescale "
        "those columns (multiply each by a power of ten that brings it near 1, and scale its "
        "coefficient back the same way) or standardise X (for example with "
        "sklearn.preprocessing.StandardScaler)."
    )


def _non_numeric_columns(X) -> list[str]:
    """'name (dtype)' for each column of a pandas or polars DataFrame or pyarrow Table ``X``
    that holds neither numbers nor booleans; empty for other inputs."""
    module = type(X).__module__.split(".")[0]
    found = []
    if module == "pandas" and hasattr(X, "iloc"):
        import pandas as pd

        for j, name in enumerate(X.columns):
            column = X.iloc[:, j]
            dtype = column.dtype
            if isinstance(dtype, pd.CategoricalDtype):
                dtype = dtype.categories.dtype  # numeric categories convert as numbers
            if pd.api.types.is_object_dtype(dtype):
                try:  # numbers held as objects convert
                    np.asarray(column.dropna(), dtype=np.float64)
                    continue
                except (ValueError, TypeError):
                    pass
            elif pd.api.types.is_numeric_dtype(dtype):
                continue
            found.append(f"{name!r} ({column.dtype})")
    elif module == "polars" and hasattr(X, "schema"):
        import polars as pl

        found = [f"{name!r} ({dtype})" for name, dtype in X.schema.items()
                 if not (dtype.is_numeric() or dtype == pl.Boolean)]
    elif module == "pyarrow" and hasattr(X, "schema"):
        import pyarrow as pa

        for column in X.schema:
            kind = column.type.value_type if pa.types.is_dictionary(column.type) else column.type
            if not (pa.types.is_integer(kind) or pa.types.is_floating(kind)
                    or pa.types.is_boolean(kind) or pa.types.is_decimal(kind)):
                found.append(f"{column.name!r} ({column.type})")
    return found


@contextlib.contextmanager
def non_numeric_columns_named(X, estimator_name: str):
    """Turn a failed conversion of a data frame ``X`` to numbers into an error that names its
    non-numeric columns and the fix.

    NumPy's own error names a value ("could not convert string to float: 'n'"), not the
    column, nor what to do about it; only a conversion that fails is looked into, so data
    that converts pays nothing.
    """
    try:
        yield
    except (ValueError, TypeError) as error:
        columns = _non_numeric_columns(X)
        if not columns:
            raise
        raise ValueError(
            f"X has non-numeric column(s) {first_few(columns)}; {estimator_name} takes "
            "numbers only. Encode them as numbers first, for example with "
            "sklearn.preprocessing.OneHotEncoder in a sklearn.compose.ColumnTransformer "
            "(or drop them)."
        ) from error


def _encode_binary(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the sorted distinct labels, shape (k,), and y as 0.0/1.0, shape (n_samples,).

    For a target already known to be binary: numeric labels take a min and a max, two
    passes, where ``np.unique`` sorts all of y; other labels go through ``np.unique``.
    """
    if y.dtype.kind in "biuf":
        low, high = y.min(), y.max()
        classes = np.array([low] if low == high else [low, high], dtype=y.dtype)
        return classes, (y == high).astype(np.float64)
    classes, encoded = np.unique(y, return_inverse=True)
    return classes, encoded.astype(np.float64)


class LogisticRegression(ClassifierMixin, BaseEstimator):
    """Binary logistic regression fitted by minimising the penalised binary cross-entropy.

    A drop-in for :class:`sklearn.linear_model.LogisticRegression` on two-class problems.
    The objective is, with sample weights sᵢ (times class weights), zᵢ = xᵢ·w + b::

        Σᵢ sᵢ [softplus(zᵢ) - yᵢ zᵢ] + ‖w‖² / (2C)

    so ``C`` means what it means in scikit-learn, and the intercept is not penalised.
    With ``penalty="elasticnet"`` the penalty is (1/C)(l1_ratio ‖w‖₁ + (1 - l1_ratio) ‖w‖²/2),
    and ``penalty="l1"`` is the same with l1_ratio = 1.

    Parameters
    ----------
    penalty : {"l2", "l1", "elasticnet", None}, default="l2"
        ``None`` fits the unpenalised maximum-likelihood model (``C`` is then ignored).
        ``"l1"`` and ``"elasticnet"`` give sparse models and need solver ``"cd"``, ``"prox"``
        or ``"auto"``.
    C : float, default=1.0
        Inverse regularisation strength, > 0. ``np.inf`` is the same as ``penalty=None``.
    l1_ratio : float, default=0.5
        Elastic-net mixing parameter in [0, 1]; only used with ``penalty="elasticnet"``.
    fit_intercept : bool, default=True
        Whether to fit an intercept.
    solver : str, default="auto"
        One of "auto", "lbfgs", "newton-cholesky", "newton-cg", "gd", "agd", "cd", "prox".
        ``"auto"`` uses Newton-Cholesky for dense data with at most 1000 features and at least
        as many samples, L-BFGS for dense data with more features but still more samples,
        Newton-CG otherwise, except Newton-Cholesky again for tall sparse data whose Hessian
        is cheap (few features, few non-zeros per row; see
        :func:`logitfit.solvers.select_solver`).
        L1 and elastic-net penalties need ``"cd"`` (proximal Newton with coordinate descent,
        the ``"auto"`` choice) or ``"prox"`` (FISTA).
    tol : float, default=1e-6
        Stop when ‖∇f‖∞ / Σsᵢ ≤ tol (the same rule for every solver); with an L1 part, ∇f is
        the minimum-norm subgradient, so the KKT conditions hold to ``tol``. Without a
        penalty, whose gradient scales with the units of the features, Newton-Cholesky and
        Newton-CG also need a last Newton step at most ``tol`` standard errors long (or below
        the rounding of f), and the other solvers their gradient in standardised coordinates
        to meet tol.
    max_iter : int, default=None
        Iteration budget; ``None`` uses the solver's own default (100 for Newton-Cholesky,
        200 Newton-CG, 1000 L-BFGS, 5000 AGD, 10000 GD, 100 CD, 10000 prox).
    class_weight : dict, "balanced" or None, default=None
        Weights per class, multiplied into the sample weights; ``"balanced"`` uses
        ``n_samples / (2 * count(class))``.
    warm_start : bool, default=False
        Start from the previous solution when refitting; X must then have as many features
        as before.
    verbose : int, default=0
        ``>= 1`` prints one line per iteration.
    random_state : int, RandomState instance or None, default=None
        Accepted for scikit-learn compatibility; the current solvers are deterministic.
    solver_options : dict, default=None
        Extra options of the chosen solver: ``learning_rate`` for ``"gd"``, ``memory`` for
        ``"lbfgs"``, ``max_cg_iter`` for ``"newton-cg"``, ``hessian_reuse``,
        ``refresh_ratio`` and ``subsample`` for ``"newton-cholesky"``, ``max_sweeps`` (per
        inner solve) for ``"cd"``.

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features)
        float64, also for float32 X (scikit-learn's solvers give float32 there); so are
        ``intercept_`` and the outputs of ``decision_function`` and ``predict_proba``.
    intercept_ : ndarray of shape (1,)
    classes_ : ndarray of shape (2,)
        The two labels; ``classes_[1]`` is the positive class.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Defined when X has string column names (pandas).
    n_iter_ : ndarray of shape (1,)
    converged_ : bool
    solver_ : str
        The solver actually used (resolves ``"auto"``).
    history_ : dict of str to ndarray
        Per iteration (the starting point first): ``objective``, ``grad_norm``, ``step`` and
        ``time`` in seconds.
    """

    def __init__(
        self,
        penalty="l2",
        *,
        C=1.0,
        l1_ratio=_DEFAULT_L1_RATIO,
        fit_intercept=True,
        solver="auto",
        tol=1e-6,
        max_iter=None,
        class_weight=None,
        warm_start=False,
        verbose=0,
        random_state=None,
        solver_options=None,
    ):
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.verbose = verbose
        self.random_state = random_state
        self.solver_options = solver_options

    # ------------------------------------------------------------------ validation
    def _check_params(self):
        if self.penalty not in _SUPPORTED_PENALTIES:
            raise ValueError(
                f"penalty={self.penalty!r} is not supported; use penalty='l2', 'l1', "
                "'elasticnet' or None."
            )
        if self.penalty == "elasticnet" and (
            not isinstance(self.l1_ratio, numbers.Real) or not 0.0 <= self.l1_ratio <= 1.0
        ):
            raise ValueError(
                f"l1_ratio must be a number in [0, 1] for penalty='elasticnet', got "
                f"{self.l1_ratio!r}."
            )
        fixed = PENALTY_L1_RATIO.get(self.penalty)
        if fixed is not None and self.l1_ratio not in (None, _DEFAULT_L1_RATIO, fixed):
            # scikit-learn >= 1.8 chooses the penalty by l1_ratio alone; here penalty does,
            # so an l1_ratio that contradicts it is almost certainly meant.
            other, other_ratio = ("l1", 1) if self.penalty == "l2" else ("l2", 0)
            warnings.warn(
                f"penalty={self.penalty!r} always uses l1_ratio={fixed:g}, so "
                f"l1_ratio={self.l1_ratio!r} is ignored: pass penalty='elasticnet' to mix L1 "
                f"and L2, or penalty={other!r} for l1_ratio={other_ratio}.", UserWarning,
                stacklevel=3)
        if not isinstance(self.C, numbers.Real) or not self.C > 0:
            raise ValueError(
                f"C must be a positive number (np.inf for no penalty), got {self.C!r}."
            )
        check_options(tol=self.tol, max_iter=self.max_iter, solver=self.solver, C_range=None)
        check_flags(fit_intercept=self.fit_intercept, warm_start=self.warm_start)
        if self.solver_options is not None and not isinstance(self.solver_options, dict):
            raise ValueError(
                f"solver_options must be a dict or None, got {type(self.solver_options).__name__}."
            )
        check_class_weight(self.class_weight)

    def _validate_X(self, X, reset):
        with non_numeric_columns_named(X, type(self).__name__):
            return validate_data(self, X, reset=reset, accept_sparse="csr",
                                 dtype=[np.float64, np.float32], order="C")

    def _sample_weights(self, X, y_encoded, sample_weight):
        return weights_with_classes(X, y_encoded, sample_weight, self.class_weight,
                                    self.classes_)

    # ------------------------------------------------------------------ fitting
    def fit(self, X, y, sample_weight=None, *, callback=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Numbers or booleans (a data frame's text, categorical or date columns are refused
            by name: encode them first). float32 data is kept as float32 (passes read it at
            half the memory traffic).
        y : array-like of shape (n_samples,)
            Exactly two distinct labels, of any type.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; a weight of k counts a sample k times.
        callback : callable, default=None
            Called once per iteration with a :class:`logitfit.solvers.IterationInfo`
            (iteration 0 is the starting point); returning True stops the solver.

        Returns
        -------
        self : LogisticRegression
        """
        with previous_fit_kept(self):
            return self._fit(X, y, sample_weight, callback)

    def _fit(self, X, y, sample_weight, callback):
        self._check_params()
        # What summary() and save() describe, whatever set_params changes afterwards; set
        # first, so that the names this fit's warnings give its coefficients are its own (a
        # failed fit puts the previous ones back).
        self._fit_params = copy.deepcopy(self.get_params(deep=False))
        # A summary loaded with the model (see summary()) describes an earlier fit.
        self.__dict__.pop("_stored_summary", None)
        self._target_name = target_name(y)
        # Dense X is checked for NaN and infinity within the solver's first pass (see
        # BCEObjective.check_finite_data) rather than by a separate scan of X.
        with non_numeric_columns_named(X, type(self).__name__):
            X, y = validate_data(
                self, X, y, accept_sparse="csr", dtype=[np.float64, np.float32], order="C",
                ensure_all_finite=False,
            )
        if sp.issparse(X):
            assert_all_finite(X.data, input_name="X", estimator_name=type(self).__name__)
        check_feature_magnitudes(X, getattr(self, "feature_names_in_", None))
        refuse_probability_targets(y)
        # One classification of y (scikit-learn's is a fifth of a small fit's time); its own
        # check, for its message about continuous targets, only when y is not binary.
        target_type = type_of_target(y, input_name="y", raise_unknown=True)
        if target_type != "binary":
            check_classification_targets(y)
            raise ValueError(
                f"Only binary classification is supported. The type of the target is "
                f"{target_type}. For more classes wrap the model in "
                "sklearn.multiclass.OneVsRestClassifier."
            )
        self.classes_, y_encoded = _encode_binary(y)
        if self.classes_.shape[0] != 2:
            raise ValueError(
                "y contains only one class "
                f"({self.classes_.tolist()}); a classifier needs samples of both classes."
            )
        weights = self._sample_weights(X, y_encoded.astype(np.intp), sample_weight)
        check_weight_on_both_classes(weights, y_encoded, self.classes_)
        penalty = objective_options(self._fit_params)
        objective = BCEObjective(
            X, y_encoded, weights, C=penalty["C"], fit_intercept=self.fit_intercept,
            l1_ratio=penalty["l1_ratio"],
        )
        solver = select_solver(objective) if self.solver == "auto" else self.solver
        check_penalty_support(solver, objective)
        spec = SOLVERS[solver]
        options = dict(self.solver_options or {})
        problem = unknown_solver_options(solver, options)
        if problem is not None:
            raise ValueError(f"solver_options {problem}.")
        max_iter = spec.default_max_iter if self.max_iter is None else int(self.max_iter)
        callback = self._callback(solver, callback)
        # Without a penalty, separated classes have no optimum: watch for diverging
        # coefficients and stop early once the exact check confirms separation.
        unpenalised = math.isinf(penalty["C"])
        monitor = SeparationMonitor(objective, callback) if unpenalised else None
        coef0 = self._initial_coef(objective)
        if not objective.sparse:
            # Named, so that NaN gets scikit-learn's message with its fixes (impute or drop).
            objective.check_finite_data(coef0, estimator_name=type(self).__name__)
        result = spec.solve(
            objective, coef0, tol=float(self.tol), max_iter=max_iter,
            callback=monitor or callback, **options,
        )
        if monitor is not None:
            if result.converged:
                monitor.check_converged(result.coef)
            else:
                monitor.check(result.coef)
        separation = monitor.separation if monitor is not None else None
        if separation is not None:
            warnings.warn(separation_message(separation, coef_names(self), stopped=True),
                          SeparationWarning, stacklevel=2)
        elif not result.converged and not result.stopped_by_callback:
            # (A fit that the caller's callback stopped is not converged_, as asked: no
            # warning and no advice.)
            l1 = objective.l1_strength > 0.0
            if result.best_iteration is not None and options.get("learning_rate") is not None:
                # Fixed steps made the objective rise: the step size is the problem. (With a
                # line search the objective rises only by rounding noise near the optimum,
                # which the general message below covers.)
                message = (f"solver {solver!r} did not reach tol={self.tol:g}: "
                           f"{result.message}. Use a smaller learning_rate, or none (a line "
                           "search then chooses each step).")
            elif result.message == "max_iter reached":
                message = not_converged_message(
                    solver, max_iter, result.history["grad_norm"][-1], self.tol, l1=l1,
                    n_iter=result.n_iter)
            else:
                message = (f"solver {solver!r} did not reach tol={self.tol:g}: "
                           f"{result.message}. The coefficients are the best found; try "
                           f"{solver_advice(solver, l1=l1)}, or a larger tol.")
            warnings.warn(message, ConvergenceWarning, stacklevel=2)
        w, b = objective.split(result.coef)
        self.coef_ = w.reshape(1, -1).copy()
        self.intercept_ = np.array([b], dtype=np.float64)
        self.n_iter_ = np.array([result.n_iter], dtype=np.int32)
        self.converged_ = bool(result.converged) and separation is None
        self.solver_ = solver
        self.history_ = result.history
        # Kept (not copied) for summary(); dropped from pickles by __getstate__.
        self._objective = objective
        self._separation = separation
        self._separation_checked = monitor is not None and monitor.checked
        return self

    def summary(self, alpha: float = 0.05, cov_type: str = "nonrobust", groups=None,
                use_correction: bool = True, yname: str | None = None) -> Summary:
        """Standard errors, tests, intervals, odds ratios and marginal effects of the fit.

        Sample weights count as frequency weights. For a penalised fit the statistics are
        the classical ones at the penalised estimate (the summary notes that they ignore the
        penalty); unpenalised fits are checked for separation first.

        Parameters
        ----------
        alpha : float, default=0.05
            Intervals have confidence level 1 - alpha.
        cov_type : {"nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster"}, default="nonrobust"
            ``"nonrobust"``: inverse observed Fisher information. ``"HC0"``-``"HC3"``:
            heteroscedasticity-robust sandwich estimators. ``"cluster"``: cluster-robust,
            needs ``groups``.
        groups : array-like of shape (n_samples,), default=None
            Cluster label of each training row, for ``cov_type="cluster"``.
        use_correction : bool, default=True
            For ``"cluster"``: multiply by G/(G-1)·(N-1)/(N-k) as statsmodels and Stata do.
        yname : str, default=None
            Name of the target for "Dep. Variable"; by default the name of the pandas or
            polars Series ``y`` was fitted on, else ``"y"``.

        Returns
        -------
        Summary
            ``str()`` prints the table; see :class:`logitfit.Summary`.

        Notes
        -----
        The model keeps a reference to its training data (not a copy) for this method; do
        not modify that data in place between ``fit`` and ``summary``. Pickles and copies of
        the model do not carry it. A model loaded from a file that holds its summary
        (written by ``logitfit train`` or ``save(path, summary=True)``) returns that summary,
        computed at training with the default arguments (``yname`` may still be given).
        """
        check_is_fitted(self)
        objective = getattr(self, "_objective", None)
        stored = getattr(self, "_stored_summary", None)
        defaults = (alpha == 0.05 and cov_type == "nonrobust" and groups is None
                    and use_correction)
        if objective is None and stored is not None and defaults:
            # A model loaded from a file that holds its summary (logitfit train,
            # save(summary=True)): that summary, computed at training with these arguments.
            summary = Summary.from_dict(stored)
            if yname is not None:
                summary.dep_variable = f"{yname} == {self.classes_[1]!s}"
            return summary
        if objective is None:
            raise ValueError(
                "summary() needs the training data, which is not stored with a saved or "
                "copied model. Call summary() on a model fitted in this process (refit it on "
                "the same data), or keep the summary itself: summary().to_dict()"
                + ("; this model's file holds the summary with the default arguments: call "
                   "summary() without alpha, cov_type, groups or use_correction for it."
                   if stored is not None else ".")
            )
        if yname is None:
            yname = getattr(self, "_target_name", None) or "y"
        return compute_summary(
            self, objective, alpha=alpha, cov_type=cov_type, groups=groups,
            use_correction=use_correction, separation=self._separation,
            separation_checked=self._separation_checked, yname=str(yname),
        )

    def __getstate__(self):
        # The training objective holds a reference to X and y: never pickle the data.
        state = dict(super().__getstate__())
        state.pop("_objective", None)
        return state

    def _initial_coef(self, objective: BCEObjective) -> np.ndarray:
        n_features = objective.n_features
        if self.warm_start and hasattr(self, "coef_"):
            if self.coef_.shape != (1, n_features):
                # As scikit-learn: a start of another size is a mistake (other columns), and
                # starting from zero instead would hide it.
                raise ValueError(
                    f"warm_start=True starts from the previous fit's {self.coef_.shape[1]} "
                    f"coefficients, but X has {n_features} features; pass X with the "
                    "columns of the previous fit, or set warm_start=False (or fit a clone) "
                    "to start afresh."
                )
            coef = self.coef_.ravel()
            return np.r_[coef, self.intercept_] if self.fit_intercept else coef.copy()
        coef = np.zeros(objective.n_coef)
        if self.fit_intercept:
            # The intercept-only optimum, logit of the weighted positive rate: a better start
            # than 0 when the classes are unbalanced, and exact for the null model.
            rate = objective.positive_rate()
            rate = min(max(rate, 1e-12), 1 - 1e-12)
            coef[-1] = math.log(rate / (1 - rate))
        return coef

    def _callback(self, solver: str, user_callback):
        if not self.verbose:
            return user_callback
        printer = self._progress_printer(solver)
        if user_callback is None:
            return printer

        def both(info: IterationInfo):
            printer(info)
            return user_callback(info)

        return both

    def _progress_printer(self, solver: str):
        def show(info: IterationInfo):
            if info.iteration == 0:
                print(f"[logitfit] solver={solver}", file=sys.stdout)
                print(f"{'iter':>6} {'objective':>16} {'grad norm':>11} {'step':>10} "
                      f"{'time (s)':>9}", file=sys.stdout)
            print(f"{info.iteration:6d} {info.objective:16.9g} {info.grad_norm:11.3e} "
                  f"{info.step:10.3g} {info.time:9.3f}", file=sys.stdout, flush=True)

        return show

    def save(self, path: str | os.PathLike, *, force: bool = False,
             summary: bool = False) -> None:
        """Write the fitted model to a JSON file (never pickle); read it with :func:`logitfit.load`.

        The format is versioned and documented by the JSON Schema ``model-schema.json``.

        Parameters
        ----------
        path : str or path-like
        force : bool, default=False
            Replace an existing file; without it an existing file is an error.
        summary : bool, default=False
            Also store the fit's :meth:`summary` (with its default arguments) and the
            covariance of the coefficients, as ``logitfit train`` does, for ``logitfit
            summary`` to print. Computed now: only in the process that fitted the model.

        Raises
        ------
        FileExistsError
            The file exists and ``force`` is False.
        IsADirectoryError
            ``path`` is a directory.
        logitfit._errors.InputError (a ValueError)
            A parameter cannot be stored exactly (a ``random_state`` that is not an int or
            None, a solver option that is not a JSON scalar, labels that are not bool,
            integer, float or str) or is invalid.
        """
        from ._model_format import save, summary_covariance

        check_is_fitted(self)
        if not summary:
            save(self, path, force=force)
            return
        fit_summary = self.summary()
        names = coef_names(self)
        fit_intercept = fitted_params(self)["fit_intercept"]
        save(self, path, force=force, summary=fit_summary.to_dict(),
             covariance=summary_covariance(
                 fit_summary, names[:-1] if fit_intercept else names, fit_intercept),
             n_samples=int(self._objective.n_samples))

    # ------------------------------------------------------------------ prediction
    def decision_function(self, X):
        """Return the logits z = X w + b.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
            Positive values favour ``classes_[1]``.
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        w = np.ascontiguousarray(self.coef_.ravel())
        b = float(self.intercept_[0])
        n_parts = _kernels.n_parts_for(X.shape[0])
        if sp.issparse(X):
            return _kernels.csr_linear_predictor(X.data, X.indices, X.indptr, w, b, n_parts)
        return _kernels.dense_linear_predictor(X, w, b, n_parts)

    def predict_proba(self, X):
        """Return class probabilities [P(classes_[0]), P(classes_[1])].

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, 2)
        """
        z = self.decision_function(X)
        # σ(-z) rather than 1 - σ(z): keeps precision when σ(z) is close to 1.
        return np.column_stack([_loss.sigmoid(-z), _loss.sigmoid(z)])

    def predict_log_proba(self, X):
        """Return log class probabilities, finite for every finite logit.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, 2)
        """
        z = self.decision_function(X)
        return np.column_stack([_loss.log_sigmoid(-z), _loss.log_sigmoid(z)])

    def predict(self, X):
        """Return the predicted label for each sample.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        positive = self.decision_function(X) > 0
        return self.classes_[positive.astype(np.intp)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.input_tags.sparse = True
        return tags
