"""Cross-validated choice of C (and l1_ratio) along warm-started regularisation paths.

For every fold and every l1_ratio, the whole path of C is fitted on the training part
(``_path.fit_path``, warm starts from the strongest penalty) and every solution is scored on
the held-out part. The chosen (l1_ratio, C) maximises the mean score over folds, or, with
``selection="one_standard_error"``, the sparsest model whose mean score is within one
standard error of the best: for each l1_ratio the smallest C within (Breiman et al.; glmnet's
``lambda.1se``), and of those the one with the fewest non-zero coefficients, the standard
error being the standard deviation over folds / √n_folds.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, get_scorer, roc_auc_score
from sklearn.model_selection import check_cv
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _kernels, _loss
from ._estimator import (
    LogisticRegression,
    non_numeric_columns_named,
    previous_fit_kept,
    target_name,
    weights_with_classes,
)
from ._objective import BCEObjective
from ._path import (
    CONVERGENCE_ADVICE,
    _check_Cs,
    default_Cs,
    fit_path,
    format_Cs,
    max_null_gradient,
)
from ._validation import check_flags, check_options, refuse_probability_targets

_SCORINGS = ("neg_log_loss", "roc_auc", "accuracy")
_SELECTIONS = ("best", "one_standard_error")


def _score(scoring: str, y: np.ndarray, z: np.ndarray, weights: np.ndarray) -> float:
    # y in {0, 1}, z the logits of the held-out rows; larger is better for every scoring.
    if scoring == "neg_log_loss":
        # einsum, not ``@``: BLAS's threaded dot would leave its pool spinning on the cores
        # the next fold's passes need (see BCEObjective.positive_rate).
        return -float(np.einsum("i,i->", weights, _loss.loss(z, y))) / float(weights.sum())
    if scoring == "roc_auc":
        # Undefined when the held-out rows of non-zero weight hold one class: NaN, left out of
        # the mean over folds (scikit-learn's metric would warn once per C and fold).
        if np.unique(y[weights > 0]).size < 2:
            return np.nan
        return float(roc_auc_score(y, z, sample_weight=weights))
    return float(accuracy_score(y, (z > 0).astype(np.float64), sample_weight=weights))


def _logits(X, coef: np.ndarray, fit_intercept: bool) -> np.ndarray:
    w = np.ascontiguousarray(coef[: X.shape[1]])
    b = float(coef[-1]) if fit_intercept else 0.0
    n_parts = _kernels.n_parts_for(X.shape[0])
    if hasattr(X, "indptr"):
        return _kernels.csr_linear_predictor(X.data, X.indices, X.indptr, w, b, n_parts)
    return _kernels.dense_linear_predictor(X, w, b, n_parts)


def _fit_fold(X, y, weights, score_weights, train, test, Cs, l1_ratios, *, fit_intercept,
              solver, tol, max_iter, scoring):
    X_train, X_test = X[train], X[test]
    objective = BCEObjective(X_train, y[train], weights[train], fit_intercept=fit_intercept)
    n_coef = objective.n_coef
    scores = np.empty((len(l1_ratios), Cs.size))
    coefs = np.empty((len(l1_ratios), Cs.size, n_coef))
    n_iter = np.empty((len(l1_ratios), Cs.size), dtype=np.int64)
    # Returned rather than warned about here: a warning raised in a joblib worker process
    # never reaches the caller, and one warning per fold would repeat the same advice.
    converged = np.empty((len(l1_ratios), Cs.size), dtype=bool)
    budget = max_iter
    for r, l1_ratio in enumerate(l1_ratios):
        out = fit_path(objective, Cs, l1_ratio, solver=solver, tol=tol, max_iter=max_iter)
        budget = out["max_iter"]
        coefs[r] = out["coef"]
        n_iter[r] = out["n_iter"]
        converged[r] = out["converged"]
        for k in range(Cs.size):
            z = _logits(X_test, out["coef"][k], fit_intercept)
            scores[r, k] = _score(scoring, y[test], z, score_weights[test])
    return scores, coefs, n_iter, converged, budget


def _refuse_unusable_folds(folds, y_encoded: np.ndarray, weights: np.ndarray,
                           score_weights: np.ndarray, classes: np.ndarray) -> None:
    """Refuse folds whose training rows of non-zero weight hold one class only (the path of
    such a fold has no classifier in it: its intercept runs off to ±28 at every C), or whose
    held-out rows all have score weight 0 (nothing to score)."""
    for number, (train, test) in enumerate(folds):
        present = np.unique(y_encoded[train][weights[train] > 0])
        if present.size < 2:
            held = classes[present].tolist() if present.size else []
            raise ValueError(
                f"the training rows of fold {number} (those of non-zero weight) hold only one "
                f"class {held}; a fold needs both classes: use stratified folds (cv=an int "
                "does), shuffle the rows, or give both classes weight.")
        if not np.any(score_weights[test] > 0):
            raise ValueError(
                f"the held-out rows of fold {number} all have weight 0, so there is nothing to "
                "score; shuffle the rows (e.g. cv=StratifiedKFold(5, shuffle=True)) or give "
                "them weight.")


def _mean_over_folds(scores: np.ndarray) -> np.ndarray:
    """Mean of ``scores`` over axis 0, leaving out folds where a score is undefined (NaN;
    all NaN gives NaN, without numpy's warning: the caller says what to do)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(scores, axis=0)


def _not_converged_message(converged: np.ndarray, Cs: np.ndarray, l1_ratios: np.ndarray,
                           tol: float, max_iter: int | None) -> str:
    # converged: (n_folds, n_l1_ratios, n_Cs); one sentence for all of it.
    n_folds, n_l1_ratios, n_Cs = converged.shape
    failed = ~converged
    grid = f"{n_folds} folds x {n_Cs} values of C" + (
        f" x {n_l1_ratios} l1_ratios" if n_l1_ratios > 1 else "")
    where = "; ".join(
        (f"l1_ratio={l1_ratio:g}: " if n_l1_ratios > 1 else "")
        + f"C = {format_Cs(Cs[failed[:, r, :].any(axis=0)])}"
        for r, l1_ratio in enumerate(l1_ratios) if failed[:, r, :].any()
    )
    return (
        f"{int(failed.sum())} of {converged.size} fold fits ({grid}) did not reach "
        f"tol={tol:g} (max_iter={max_iter}), at {where}. Their held-out scores, and so the "
        f"chosen C, may be off. {CONVERGENCE_ADVICE}"
    )


class LogisticRegressionCV(ClassifierMixin, BaseEstimator):
    """Binary logistic regression with C (and l1_ratio) chosen by k-fold cross-validation.

    Each fold fits the whole regularisation path of C with warm starts (from the strongest
    penalty), for every l1_ratio; the folds run in parallel. The best (l1_ratio, C) by the
    mean held-out score is then refitted on all the data. The penalty has scikit-learn's
    meaning: (1/C)(l1_ratio ‖w‖₁ + (1 - l1_ratio) ‖w‖²/2), intercept unpenalised.

    Parameters
    ----------
    Cs : int or array-like of shape (n_Cs,), default=10
        An int asks for that many values of C. With an L1 part (some l1_ratio > 0) they run
        geometrically from the smallest C_min = l1_ratio / maxⱼ|∇ⱼf(null model)| over the
        l1_ratios (every coefficient zero there) up to ``C_range`` times it; for pure L2 they
        are scikit-learn's ``np.logspace(-4, 4, Cs)``. An array is used as given, sorted.
    l1_ratios : array-like of float in [0, 1], default=None
        Elastic-net mixing parameters to try: 1 is L1, 0 is L2. None means ``[0.0]`` (L2,
        scikit-learn's default); ``[1.0]`` gives the L1 (lasso) path.
    fit_intercept : bool, default=True
    cv : int, cross-validation generator or iterable, default=None
        As in scikit-learn: None is 5-fold, an int is that many stratified folds.
    scoring : {"neg_log_loss", "roc_auc", "accuracy"} or None, default="neg_log_loss"
        Held-out score to maximise, weighted by the sample weights of the held-out rows (not
        by the class weights, as in scikit-learn), and
        the score that :meth:`score` returns. None means ``"accuracy"``, as in scikit-learn.
    selection : {"best", "one_standard_error"}, default="best"
        ``"one_standard_error"`` takes, for each l1_ratio, the smallest C whose mean score is
        within one standard error of the best, and of those the one with the fewest non-zero
        coefficients (mean over the fold fits; ties go to the smaller C).
    solver : str, default="auto"
        Solver for every fit (``"cd"`` for L1 and elastic net under ``"auto"``).
    tol : float, default=1e-6
        KKT tolerance of every fit, positive and finite.
    max_iter : int, default=None
        Iteration budget per fit, at least 1; None uses the solver's default.
    class_weight : dict, "balanced" or None, default=None
        Multiplied into the sample weights (computed once, on all the data).
    n_jobs : int, default=None
        Folds fitted in parallel by joblib; None is 1, -1 all cores.
    refit : bool, default=True
        Refit on all the data at the chosen (l1_ratio, C). If False, as in scikit-learn with
        ``selection="best"``: each fold's own best (l1_ratio, C) is taken, ``C_`` and
        ``l1_ratio_`` are their means and the coefficients the mean of those fold solutions;
        with ``"one_standard_error"``, the mean of the fold solutions at the chosen point.
    C_range : float, default=None
        C_max / C_min for an integer ``Cs`` with an L1 part, finite and at least 1; None is
        1e4 when n_samples > n_features, else 1e2.
    random_state : int, RandomState instance or None, default=None
        Passed to the :class:`LogisticRegression` refitted at the chosen (l1_ratio, C), as
        scikit-learn's class passes it to its solvers; logitfit's solvers are deterministic,
        so at present it changes no result. It does not shuffle the folds: for that pass
        e.g. ``cv=StratifiedKFold(5, shuffle=True, random_state=0)``.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
    coef_ : ndarray of shape (1, n_features)
    intercept_ : ndarray of shape (1,)
    Cs_ : ndarray of shape (n_Cs,)
        The grid of C, increasing.
    l1_ratios_ : ndarray of shape (n_l1_ratios,)
    C_ : float
        The chosen C.
    l1_ratio_ : float
        The chosen l1_ratio.
    scores_ : ndarray of shape (n_folds, n_l1_ratios, n_Cs)
        Held-out scores.
    coefs_paths_ : ndarray of shape (n_folds, n_l1_ratios, n_Cs, 1, n_features + fit_intercept)
        The fold solutions, intercept last (scikit-learn's non-legacy layout).
    n_iter_ : ndarray of shape (n_folds, n_l1_ratios, n_Cs)
        Solver iterations of every fold fit.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Defined when X has string column names.
    """

    def __init__(
        self,
        *,
        Cs=10,
        l1_ratios=None,
        fit_intercept=True,
        cv=None,
        scoring="neg_log_loss",
        selection="best",
        solver="auto",
        tol=1e-6,
        max_iter=None,
        class_weight=None,
        n_jobs=None,
        refit=True,
        C_range=None,
        random_state=None,
    ):
        self.Cs = Cs
        self.l1_ratios = l1_ratios
        self.fit_intercept = fit_intercept
        self.cv = cv
        self.scoring = scoring
        self.selection = selection
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.class_weight = class_weight
        self.n_jobs = n_jobs
        self.refit = refit
        self.C_range = C_range
        self.random_state = random_state

    def _scoring(self) -> str:
        return "accuracy" if self.scoring is None else self.scoring

    def _check_params(self):
        if self.scoring is not None and self.scoring not in _SCORINGS:
            raise ValueError(
                f"scoring={self.scoring!r} is not supported; use one of {_SCORINGS} or None "
                "(accuracy)."
            )
        if self.selection not in _SELECTIONS:
            raise ValueError(
                f"selection={self.selection!r} is not supported; use one of {_SELECTIONS}."
            )
        check_options(tol=self.tol, max_iter=self.max_iter, solver=self.solver,
                      C_range=self.C_range)
        check_flags(fit_intercept=self.fit_intercept, refit=self.refit)
        l1_ratios = np.asarray([0.0] if self.l1_ratios is None else self.l1_ratios,
                               dtype=np.float64).ravel()
        if l1_ratios.size == 0 or not np.all((l1_ratios >= 0.0) & (l1_ratios <= 1.0)):
            raise ValueError(
                f"l1_ratios must be numbers in [0, 1] (1 is L1, 0 is L2), got {self.l1_ratios!r}."
            )
        if isinstance(self.Cs, numbers.Integral):
            if self.Cs < 1:
                raise ValueError(f"Cs must be a positive integer or an array of C, got {self.Cs}.")
        else:
            _check_Cs(self.Cs)
        return l1_ratios

    def _sample_weights(self, X, y_encoded, sample_weight):
        return weights_with_classes(X, y_encoded, sample_weight, self.class_weight,
                                    self.classes_)

    def _grid(self, X, y, weights, l1_ratios) -> np.ndarray:
        if not isinstance(self.Cs, numbers.Integral):
            return np.sort(np.asarray(self.Cs, dtype=np.float64).ravel())
        positive = l1_ratios[l1_ratios > 0.0]
        if positive.size == 0:
            return default_Cs(0.0, 0.0, int(self.Cs), 1.0)
        C_range = self.C_range
        if C_range is None:
            C_range = 1e4 if X.shape[0] > X.shape[1] else 1e2
        objective = BCEObjective(X, y, weights, fit_intercept=self.fit_intercept)
        return default_Cs(max_null_gradient(objective), float(positive.min()), int(self.Cs),
                          float(C_range))

    def fit(self, X, y, sample_weight=None):
        """Cross-validate the path of C (and l1_ratio), then refit at the best point.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Exactly two distinct labels.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : LogisticRegressionCV

        Warns
        -----
        ConvergenceWarning
            Once, when some fold fits stopped before ``tol``: how many, at which C, and what
            to try. The refit, if any, warns for itself.
        """
        with previous_fit_kept(self):
            return self._fit(X, y, sample_weight)

    def _fit(self, X, y, sample_weight):
        l1_ratios = self._check_params()
        y_name = target_name(y)  # for the saved model's "Dep. Variable"
        self.__dict__.pop("_refit_model", None)
        with non_numeric_columns_named(X, type(self).__name__):
            X, y = validate_data(self, X, y, accept_sparse="csr",
                                 dtype=[np.float64, np.float32], order="C")
        refuse_probability_targets(y)
        check_classification_targets(y)
        self.classes_, y_encoded = np.unique(y, return_inverse=True)
        if self.classes_.shape[0] == 1:
            raise ValueError(
                f"y has only 1 class ({self.classes_.tolist()[0]!r}); LogisticRegressionCV needs "
                "samples of exactly 2 classes."
            )
        if self.classes_.shape[0] != 2:
            raise ValueError(
                "Only binary classification is supported: LogisticRegressionCV needs exactly "
                f"2 classes in y, got {self.classes_.shape[0]}: {self.classes_.tolist()[:10]}. "
                "For more classes wrap it in sklearn.multiclass.OneVsRestClassifier."
            )
        weights = self._sample_weights(X, y_encoded, sample_weight)
        # Held-out rows are scored with the sample weights alone, as scikit-learn scores them
        # and as score() does: class weights shape the fit, not the yardstick.
        score_weights = weights_with_classes(X, y_encoded, sample_weight, None, self.classes_)
        y01 = y_encoded.astype(np.float64)
        Cs = self._grid(X, y01, weights, l1_ratios)
        folds = list(check_cv(self.cv, y, classifier=True).split(X, y))
        _refuse_unusable_folds(folds, y_encoded, weights, score_weights, self.classes_)
        max_iter = None if self.max_iter is None else int(self.max_iter)
        results = Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_fold)(X, y01, weights, score_weights, train, test, Cs, l1_ratios,
                               fit_intercept=self.fit_intercept, solver=self.solver,
                               tol=float(self.tol), max_iter=max_iter,
                               scoring=self._scoring())
            for train, test in folds
        )
        scores = np.stack([r[0] for r in results])
        self.scores_ = scores
        self.coefs_paths_ = np.stack([r[1] for r in results])[:, :, :, None, :]
        self.n_iter_ = np.stack([r[2] for r in results])
        converged = np.stack([r[3] for r in results])
        if not converged.all():
            warnings.warn(
                _not_converged_message(converged, Cs, l1_ratios, float(self.tol),
                                       max(r[4] for r in results)),
                ConvergenceWarning,
                stacklevel=2,
            )
        self.Cs_ = Cs
        self.l1_ratios_ = l1_ratios
        best_r, best_k = self._select(scores)
        self.l1_ratio_ = float(l1_ratios[best_r])
        self.C_ = float(Cs[best_k])
        if self.refit:
            l1_ratio = self.l1_ratio_
            penalty = "l2" if l1_ratio == 0.0 else "l1" if l1_ratio == 1.0 else "elasticnet"
            # The refit is an ordinary model with this estimator's class weights, so that the
            # file save() writes describes it whole: loaded and refitted on the same data, it
            # gives the same coefficients.
            model = LogisticRegression(
                penalty, C=self.C_, l1_ratio=l1_ratio, fit_intercept=self.fit_intercept,
                solver=self.solver, tol=self.tol, max_iter=self.max_iter,
                class_weight=self.class_weight, random_state=self.random_state,
            )
            model.fit(X, y, sample_weight=sample_weight)
            if hasattr(self, "feature_names_in_"):
                model.feature_names_in_ = self.feature_names_in_
            model._target_name = y_name
            self._refit_model = model
            self.coef_ = model.coef_
            self.intercept_ = model.intercept_
        else:
            points = [(best_r, best_k)] * len(folds)
            if self.selection == "best":
                # As scikit-learn: each fold's own best point (ties as above); C_ and l1_ratio_
                # are their means, the coefficients the mean of those fold solutions.
                # (A fold whose score is undefined everywhere keeps the overall best point.)
                points = [(best_r, best_k) if np.all(np.isnan(fold_scores))
                          else self._best_point(fold_scores[None]) for fold_scores in scores]
                self.C_ = float(np.mean([Cs[k] for _, k in points]))
                self.l1_ratio_ = float(np.mean([l1_ratios[r] for r, _ in points]))
            mean = np.mean([self.coefs_paths_[i, r, k, 0, :]
                            for i, (r, k) in enumerate(points)], axis=0)
            d = X.shape[1]
            self.coef_ = mean[:d].reshape(1, -1)
            self.intercept_ = np.array([mean[d] if self.fit_intercept else 0.0])
        return self

    @staticmethod
    def _best_point(scores: np.ndarray) -> tuple[int, int]:
        """(l1_ratio index, C index) of the best mean of ``scores`` (n_folds, n_l1_ratios,
        n_Cs) over folds; ties go to the smallest C, then the first l1_ratio, as in
        scikit-learn (accuracy ties often)."""
        mean = _mean_over_folds(scores)
        k, r = np.unravel_index(np.nanargmax(mean.T), mean.T.shape)
        return int(r), int(k)

    def _select(self, scores: np.ndarray) -> tuple[int, int]:
        # scores: (n_folds, n_l1_ratios, n_Cs); folds where a score is undefined (roc_auc on a
        # one-class fold) are left out of that mean.
        mean = _mean_over_folds(scores)
        if np.all(np.isnan(mean)):
            raise ValueError(f"scoring={self._scoring()!r} is undefined on every fold; use more "
                             "samples per fold or scoring='neg_log_loss'.")
        best = self._best_point(scores)
        if self.selection == "best":
            return int(best[0]), int(best[1])
        counts = np.sum(~np.isnan(scores), axis=0)
        spread = np.nanstd(scores, axis=0, ddof=1) if scores.shape[0] > 1 else np.zeros_like(mean)
        error = spread[best] / np.sqrt(max(counts[best], 1))
        within = mean >= mean[best] - error
        # For each l1_ratio, the smallest C within (glmnet's lambda.1se); among those, the
        # sparsest: fewest non-zero coefficients (their mean over the fold fits), then the
        # smaller C, then the better mean score. (At equal C a larger l1_ratio can be the
        # sparser, so C alone does not decide across l1_ratios.)
        n_features = self.coefs_paths_.shape[-1] - int(self.fit_intercept)
        n_nonzero = np.mean(self.coefs_paths_[:, :, :, 0, :n_features] != 0.0, axis=0).sum(-1)
        candidates = [(n_nonzero[r, k], k, -mean[r, k], r)
                      for r in range(mean.shape[0]) if within[r].any()
                      for k in [int(np.flatnonzero(within[r])[0])]]
        _, k, _, r = min(candidates)
        return int(r), int(k)

    def save(self, path, *, force: bool = False, summary: bool = False) -> None:
        """Write the model refitted at the chosen (l1_ratio, C) to a JSON model file.

        :func:`logitfit.load` reads it back as a :class:`LogisticRegression` with
        ``C=C_``, the penalty of ``l1_ratio_`` and this estimator's other options, whose
        predictions are this estimator's. The cross-validation results are not stored.

        Parameters
        ----------
        path : str or path-like
        force : bool, default=False
            Replace an existing file; without it an existing file is an error.
        summary : bool, default=False
            Also store the refitted model's summary and covariance (see
            :meth:`LogisticRegression.save`).

        Raises
        ------
        ValueError
            ``refit=False`` (the coefficients are then a mean of fold solutions, a fit at no
            single C).
        FileExistsError, ValueError
            As :meth:`LogisticRegression.save`.
        """
        check_is_fitted(self)
        model = getattr(self, "_refit_model", None)
        if model is None:
            raise ValueError(
                "save() writes the model refitted at the chosen C, and this estimator was "
                "fitted with refit=False (its coefficients are a mean of fold solutions, a fit "
                "at no single C). Fit it with refit=True to save it, or pickle it."
            )
        model.save(path, force=force, summary=summary)

    # ------------------------------------------------------------------ prediction
    def decision_function(self, X):
        """Return the logits z = X w + b, shape (n_samples,).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        with non_numeric_columns_named(X, type(self).__name__):
            X = validate_data(self, X, reset=False, accept_sparse="csr",
                              dtype=[np.float64, np.float32], order="C")
        return _logits(X, np.r_[self.coef_.ravel(), self.intercept_], True)

    def predict_proba(self, X):
        """Return [P(classes_[0]), P(classes_[1])], shape (n_samples, 2).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, 2)
        """
        z = self.decision_function(X)
        return np.column_stack([_loss.sigmoid(-z), _loss.sigmoid(z)])

    def predict_log_proba(self, X):
        """Return log class probabilities, shape (n_samples, 2).

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
        """Return the predicted labels, shape (n_samples,).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        return self.classes_[(self.decision_function(X) > 0).astype(np.intp)]

    def score(self, X, y, sample_weight=None):
        """Score the fitted model on (X, y) by the ``scoring`` option, as scikit-learn does.

        The score is scikit-learn's scorer of that name (``sklearn.metrics.get_scorer``),
        so ``"neg_log_loss"`` gives minus the mean log loss, not the accuracy that
        ``ClassifierMixin.score`` would give; ``scoring=None`` gives the accuracy.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            True labels for X.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
            Larger is better.
        """
        check_is_fitted(self)
        return get_scorer(self._scoring())(self, X, y, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.input_tags.sparse = True
        return tags
