"""LogisticRegressionCV: scikit-learn's estimator checks, held-out scores recomputed with
scikit-learn's metrics, the selection rules, and agreement with scikit-learn's own class."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegressionCV as SkLogisticRegressionCV
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.utils.estimator_checks import parametrize_with_checks

import logitfit
from logitfit import LogisticRegressionCV, _cv
from logitfit._model_format import read_model


def make_data(n=240, d=8, seed=0, sparse=False):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    w = np.zeros(d)
    w[:3] = [1.5, -1.0, 0.7]
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-(X @ w)))).astype(int)
    return (sp.csr_matrix(X) if sparse else X), y


# scikit-learn's checks, with two properties marked that cannot hold for this estimator:
_EXPECTED_FAILED = {
    # Cross-validation splits rows into folds, so a sample with weight 2 is not the same as
    # the sample repeated twice (the copies can land in different folds and change which C is
    # chosen); scikit-learn marks its own LogisticRegressionCV the same way. (Whether the
    # check happens to pass depends on the folds its data produce.)
    "check_sample_weight_equivalence_on_dense_data": "folds depend on the rows",
    "check_sample_weight_equivalence_on_sparse_data": "folds depend on the rows",
}
_EXPECTED_FAILED_L1 = {
    **_EXPECTED_FAILED,
    # With an L1 part the default grid starts at C_min, where the starting point (every
    # coefficient zero) already satisfies the KKT conditions: n_iter_ is truthfully 0 there,
    # and the check requires every entry to be at least 1.
    "check_non_transformer_estimators_n_iter": "0 iterations at C_min is the true count",
}


def _expected_failed(estimator):
    return _EXPECTED_FAILED if estimator.l1_ratios is None else _EXPECTED_FAILED_L1


@parametrize_with_checks(
    [LogisticRegressionCV(Cs=3, cv=3), LogisticRegressionCV(Cs=3, cv=3, l1_ratios=[1.0, 0.5])],
    expected_failed_checks=_expected_failed,
)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


def _fold_scores_by_hand(X, y, folds, Cs, l1_ratio, metric):
    penalty = "l1" if l1_ratio == 1.0 else "elasticnet"
    scores = np.empty((len(folds), len(Cs)))
    for f, (train, test) in enumerate(folds):
        for k, C in enumerate(Cs):
            model = logitfit.LogisticRegression(penalty, C=C, l1_ratio=l1_ratio,
                                                tol=1e-10).fit(X[train], y[train])
            scores[f, k] = metric(y[test], model, X[test])
    return scores


METRICS = {
    "neg_log_loss": lambda y, m, X: -log_loss(y, m.predict_proba(X)),
    "roc_auc": lambda y, m, X: roc_auc_score(y, m.decision_function(X)),
    "accuracy": lambda y, m, X: accuracy_score(y, m.predict(X)),
}


@pytest.mark.parametrize("scoring", sorted(METRICS))
def test_scores_are_the_held_out_metrics_of_cold_fits(scoring):
    X, y = make_data(seed=1)
    folds = list(StratifiedKFold(4).split(X, y))
    Cs = [0.01, 0.05, 0.3]
    cv = LogisticRegressionCV(Cs=Cs, l1_ratios=[1.0, 0.5], cv=folds, scoring=scoring,
                              tol=1e-10).fit(X, y)
    assert cv.scores_.shape == (4, 2, 3) and cv.n_iter_.shape == (4, 2, 3)
    assert cv.coefs_paths_.shape == (4, 2, 3, 1, X.shape[1] + 1)
    for r, l1_ratio in enumerate([1.0, 0.5]):
        expected = _fold_scores_by_hand(X, y, folds, Cs, l1_ratio, METRICS[scoring])
        np.testing.assert_allclose(cv.scores_[:, r, :], expected, rtol=1e-7, atol=1e-9)


def test_best_choice_and_refit():
    X, y = make_data(seed=2)
    cv = LogisticRegressionCV(Cs=12, l1_ratios=[1.0, 0.3], tol=1e-10).fit(X, y)
    mean = cv.scores_.mean(axis=0)
    r, k = np.unravel_index(np.argmax(mean), mean.shape)
    assert cv.l1_ratio_ == cv.l1_ratios_[r] and cv.C_ == cv.Cs_[k]
    penalty = "l1" if cv.l1_ratio_ == 1.0 else "elasticnet"
    direct = logitfit.LogisticRegression(penalty, C=cv.C_, l1_ratio=cv.l1_ratio_,
                                         tol=1e-10).fit(X, y)
    np.testing.assert_allclose(cv.coef_, direct.coef_, atol=1e-8)
    np.testing.assert_allclose(cv.predict_proba(X), direct.predict_proba(X), atol=1e-8)
    np.testing.assert_array_equal(cv.predict(X), direct.predict(X))
    # the default grid starts where every coefficient is zero (for the smallest l1_ratio)
    assert np.all(cv.coefs_paths_[:, 1, 0, 0, :-1] == 0.0) or cv.Cs_[0] > 0


def test_one_standard_error_rule():
    X, y = make_data(seed=3, n=200, d=20)
    best = LogisticRegressionCV(Cs=15, l1_ratios=[1.0], tol=1e-9).fit(X, y)
    onese = LogisticRegressionCV(Cs=15, l1_ratios=[1.0], tol=1e-9,
                                 selection="one_standard_error").fit(X, y)
    scores = onese.scores_[:, 0, :]
    mean = scores.mean(axis=0)
    k_best = np.argmax(mean)
    se = scores[:, k_best].std(ddof=1) / np.sqrt(scores.shape[0])
    k_expected = np.flatnonzero(mean >= mean[k_best] - se)[0]
    assert onese.C_ == onese.Cs_[k_expected] <= best.C_
    assert np.count_nonzero(onese.coef_) <= np.count_nonzero(best.coef_)



def test_one_standard_error_rule_takes_the_sparsest_across_l1_ratios():
    # At the same C a larger l1_ratio is a stronger L1 term: the smallest C within one SE of
    # the best is not the sparsest model when several l1_ratios are tried.
    rng = np.random.default_rng(4)
    X = rng.standard_normal((300, 40))
    w = np.zeros(40)
    w[:8] = 2 * rng.standard_normal(8)
    y = (rng.random(300) < 1 / (1 + np.exp(-(X @ w + 0.5)))).astype(int)
    cv = LogisticRegressionCV(Cs=20, l1_ratios=[1.0, 0.7, 0.4], cv=5, tol=1e-8,
                              selection="one_standard_error").fit(X, y)
    mean = cv.scores_.mean(axis=0)
    r_best, k_best = np.unravel_index(np.argmax(mean), mean.shape)
    se = cv.scores_[:, r_best, k_best].std(ddof=1) / np.sqrt(cv.scores_.shape[0])
    nonzero = (cv.coefs_paths_[:, :, :, 0, :-1] != 0).mean(axis=0).sum(axis=-1)
    one_se = {r: np.flatnonzero(mean[r] >= mean[r_best, k_best] - se)[0] for r in range(3)}
    r = cv.l1_ratios_.tolist().index(cv.l1_ratio_)
    assert cv.C_ == cv.Cs_[one_se[r]]
    assert nonzero[r, one_se[r]] == min(nonzero[q, k] for q, k in one_se.items())
    assert len({nonzero[q, k] for q, k in one_se.items()}) > 1  # the choice mattered


def test_held_out_scores_leave_the_class_weights_out():
    # As scikit-learn scores them, and as score() does: the class weights shape the fold
    # fits, the held-out log loss is the plain (sample-weighted) one.
    from sklearn.metrics import log_loss

    X, y = make_data(seed=7)
    y = np.where(np.arange(y.size) % 4 == 0, 1, 0)
    folds = list(StratifiedKFold(4).split(X, y))
    cv = LogisticRegressionCV(Cs=[0.05, 0.5, 5.0], l1_ratios=[1.0], cv=folds, tol=1e-10,
                              class_weight={0: 1.0, 1: 10.0}).fit(X, y)
    for f, (_, test) in enumerate(folds):
        for k in range(3):
            theta = cv.coefs_paths_[f, 0, k, 0]
            p = 1 / (1 + np.exp(-(X[test] @ theta[:-1] + theta[-1])))
            assert cv.scores_[f, 0, k] == pytest.approx(-log_loss(y[test], p), rel=1e-9)


def test_folds_with_one_class_are_refused():
    X, y = make_data()
    order = np.argsort(y, kind="stable")
    with pytest.raises(ValueError, match=r"training rows of fold 0 .* hold only one class \[1\]"):
        LogisticRegressionCV(Cs=3, cv=KFold(2)).fit(X[order], y[order])
    # Held-out rows of weight 0 only: nothing to score (neg_log_loss divided by zero).
    weights = np.r_[np.zeros(y.size // 3), np.ones(y.size - y.size // 3)]
    with pytest.raises(ValueError, match="held-out rows of fold 0 all have weight 0"):
        LogisticRegressionCV(Cs=3, cv=KFold(3), scoring="neg_log_loss").fit(
            X, y, sample_weight=weights)


def test_roc_auc_of_a_fold_whose_weighted_rows_hold_one_class_is_left_out_quietly():
    # Fold 0's held-out positives all weigh 0: its AUC is undefined (NaN, left out of the
    # mean, as for a held-out part with one class) rather than scikit-learn's metric warning
    # once per C. The other folds are scored by scikit-learn's weighted roc_auc_score.
    X, y = make_data(n=120, seed=9)
    folds = list(KFold(3).split(X, y))
    weights = np.linspace(0.5, 2.0, y.size)
    weights[:40][y[:40] == 1] = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cv = LogisticRegressionCV(Cs=[0.1, 1.0], l1_ratios=[1.0], cv=folds, scoring="roc_auc",
                                  tol=1e-10).fit(X, y, sample_weight=weights)
    assert np.all(np.isnan(cv.scores_[0]))
    for f in (1, 2):
        test = folds[f][1]
        for k in range(2):
            theta = cv.coefs_paths_[f, 0, k, 0]
            expected = roc_auc_score(y[test], X[test] @ theta[:-1], sample_weight=weights[test])
            assert cv.scores_[f, 0, k] == pytest.approx(expected, rel=1e-12)
    assert cv.C_ == cv.Cs_[np.argmax(cv.scores_[1:, 0].mean(axis=0))]


@pytest.mark.parametrize("Cs", [20.0, np.float64(3.0)])
def test_a_lone_float_cs_is_refused_rather_than_taken_as_one_value(Cs):
    X, y = make_data()
    with pytest.raises(ValueError, match=r"Cs must be an int .* write Cs=\["):
        LogisticRegressionCV(Cs=Cs).fit(X, y)
    with pytest.raises(ValueError, match=r"Cs must be an int"):
        logitfit.regularization_path(X, y, Cs=Cs)

def test_a_failed_refit_keeps_the_previous_fit():
    X, y = make_data()
    model = LogisticRegressionCV(Cs=3, cv=3).fit(X, y)
    coef, C = model.coef_.copy(), model.C_
    with pytest.raises(ValueError, match=r"only 1 class \(1\)"):
        model.fit(X[:, :2], np.ones_like(y))
    assert model.n_features_in_ == X.shape[1] and model.classes_.tolist() == [0, 1]
    np.testing.assert_array_equal(model.coef_, coef)
    assert model.C_ == C
    np.testing.assert_array_equal(model.predict(X), np.asarray(model.predict_proba(X)[:, 1] > 0.5,
                                                               dtype=int))


def test_tied_scores_choose_the_smallest_c_then_the_first_l1_ratio():
    # Accuracy ties across Cs and l1_ratios: the smallest C among the best wins, then the
    # first l1_ratio, as scikit-learn's argmax over (n_Cs, n_l1_ratios) picks (the first
    # l1_ratio used to win first: C=0.631, l1_ratio=0.2 here, where scikit-learn takes
    # C=0.158, l1_ratio=0.8).
    from sklearn.datasets import make_classification
    from sklearn.model_selection import StratifiedKFold

    X, y = make_classification(60, 6, n_informative=3, random_state=12, flip_y=0.1)
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    Cs, l1_ratios = np.logspace(-2, 1, 6), [0.2, 0.8]
    ours = LogisticRegressionCV(Cs=Cs, cv=folds, l1_ratios=l1_ratios, scoring="accuracy",
                                tol=1e-10).fit(X, y)
    mean = ours.scores_.mean(axis=0)  # (n_l1_ratios, n_Cs)
    tied = np.argwhere(mean == mean.max())
    assert len(tied) > 1 and len(set(tied[:, 0])) > 1  # a tie across l1_ratios to break
    k = tied[:, 1].min()
    r = tied[tied[:, 1] == k, 0].min()
    assert (ours.C_, ours.l1_ratio_) == (Cs[k], l1_ratios[r])
    assert ours.C_ == pytest.approx(0.1584893) and ours.l1_ratio_ == 0.8


@pytest.mark.parametrize("scoring", ["neg_log_loss", "accuracy"])
def test_refit_false_is_scikit_learns_mean_of_each_folds_best(scoring):
    # Each fold's own best C (ties, frequent with accuracy, to the smallest C), C_ their
    # mean and the coefficients the mean of those fold solutions, as scikit-learn does.
    X, y = make_data(seed=4, n=160, d=6)
    folds = list(KFold(4, shuffle=True, random_state=1).split(X, y))
    Cs = np.logspace(-2, 2, 7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # l1_ratios' default is changing
        reference = SkLogisticRegressionCV(
            Cs=Cs, cv=folds, solver="newton-cholesky", tol=1e-12, max_iter=1000, refit=False,
            scoring=scoring, use_legacy_attributes=False).fit(X, y)
    ours = LogisticRegressionCV(Cs=Cs, cv=folds, tol=1e-10, refit=False,
                                scoring=scoring).fit(X, y)
    np.testing.assert_allclose(ours.scores_, reference.scores_, rtol=1e-6)
    assert ours.C_ == pytest.approx(reference.C_, rel=1e-12)
    np.testing.assert_allclose(ours.coef_, reference.coef_, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(ours.intercept_, reference.intercept_, rtol=1e-6, atol=1e-8)


def test_parallel_folds_and_sparse_input_give_the_same_result():
    X, y = make_data(seed=5)
    one = LogisticRegressionCV(Cs=6, l1_ratios=[1.0], tol=1e-10).fit(X, y)
    two = LogisticRegressionCV(Cs=6, l1_ratios=[1.0], tol=1e-10, n_jobs=2).fit(X, y)
    csr = LogisticRegressionCV(Cs=6, l1_ratios=[1.0], tol=1e-10).fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(two.scores_, one.scores_, rtol=1e-12)
    np.testing.assert_allclose(csr.scores_, one.scores_, rtol=1e-7)
    assert two.C_ == one.C_ == csr.C_


def test_agrees_with_scikit_learn_logistic_regression_cv():
    X, y = make_data(seed=6, n=160, d=6)
    folds = list(KFold(4, shuffle=True, random_state=0).split(X, y))
    # From above C_min: where every coefficient is zero, saga's stopping rule (on the change of
    # the coefficients) stops before its intercept has converged.
    Cs = np.logspace(-1, 1, 5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reference = SkLogisticRegressionCV(
            Cs=Cs, l1_ratios=[1.0], cv=folds, solver="saga", tol=1e-12, max_iter=100_000,
            scoring="neg_log_loss", use_legacy_attributes=False,
        ).fit(X, y)
    ours = LogisticRegressionCV(Cs=Cs, l1_ratios=[1.0], cv=folds, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(ours.scores_, reference.scores_, rtol=1e-5)
    assert ours.C_ == pytest.approx(reference.C_)
    np.testing.assert_allclose(ours.coef_, reference.coef_, atol=1e-5)


def test_class_weight_balanced_is_applied():
    X, y = make_data(seed=7)
    y = np.where(np.arange(y.size) % 5 == 0, 1, 0)
    cv = LogisticRegressionCV(Cs=[0.1], l1_ratios=[1.0], class_weight="balanced",
                              tol=1e-10).fit(X, y)
    weights = np.where(y == 1, y.size / (2 * y.sum()), y.size / (2 * (y.size - y.sum())))
    direct = logitfit.LogisticRegression("l1", C=0.1, tol=1e-10).fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(cv.coef_, direct.coef_, atol=1e-8)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"scoring": "f1"}, "scoring"),
        ({"selection": "min"}, "selection"),
        ({"l1_ratios": [1.5]}, "l1_ratios"),
        ({"Cs": [0.0, 1.0]}, "Cs"),
        ({"Cs": 0}, "Cs"),
        ({"solver": "lbfgs", "l1_ratios": [1.0]}, "'cd' or 'prox'"),
        ({"tol": np.inf}, "tol must be a positive finite number"),
        ({"max_iter": 0}, "max_iter must be a positive integer or None"),
        ({"max_iter": 2.5}, "max_iter must be a positive integer or None"),
        ({"C_range": np.inf}, r"C_range \(C_max / C_min\) must be a finite number of at least 1"),
        ({"C_range": "10"}, "C_range"),
        ({"refit": "False"}, "refit must be True or False, got 'False'"),
        ({"fit_intercept": "False"}, "fit_intercept must be True or False"),
    ],
)
def test_bad_arguments_are_refused(kwargs, match):
    X, y = make_data()
    with pytest.raises(ValueError, match=match):
        LogisticRegressionCV(**kwargs).fit(X, y)


@pytest.mark.parametrize("estimator", [LogisticRegressionCV(Cs=3, cv=3),
                                       logitfit.LogisticRegression()])
def test_a_class_weight_of_zero_is_refused_naming_class_weight(estimator):
    # The cross-validation advised stratified folds and the estimator blamed sample_weight;
    # the weights scikit-learn computes from the same class_weight say why.
    from sklearn.utils.class_weight import compute_sample_weight

    X, y = make_data()
    labels = np.where(y == 1, "yes", "no")
    class_weight = {"no": 0.0, "yes": 2.0}
    weights = compute_sample_weight(class_weight, labels)
    assert np.all(weights[labels == "no"] == 0) and np.all(weights[labels == "yes"] > 0)
    with pytest.raises(ValueError, match=r"class_weight gives class 'no' a weight of 0"):
        clone(estimator).set_params(class_weight=class_weight).fit(X, labels)


def test_three_classes_are_refused():
    X, _ = make_data()
    with pytest.raises(ValueError, match="2 classes"):
        LogisticRegressionCV().fit(X, np.arange(X.shape[0]) % 3)


def kkt_violation(X, y, w, b, C, l1_ratio):
    """max |minimum-norm subgradient| / n of the elastic-net objective, the intercept included."""
    residual = 1.0 / (1.0 + np.exp(-(X @ w + b))) - y
    grad = X.T @ residual + (1.0 - l1_ratio) / C * w
    threshold = l1_ratio / C
    per_feature = np.where(w != 0.0, np.abs(grad + threshold * np.sign(w)),
                           np.maximum(np.abs(grad) - threshold, 0.0))
    return max(per_feature.max(), abs(residual.sum())) / y.size


@pytest.mark.parametrize("n_jobs", [None, 2])
def test_fold_fits_that_do_not_converge_give_one_warning(n_jobs):
    X, y = make_data(seed=8)
    folds = list(StratifiedKFold(3).split(X, y))
    l1_ratios, tol = [1.0, 0.5], 1e-10
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cv = LogisticRegressionCV(Cs=4, l1_ratios=l1_ratios, cv=folds, tol=tol, max_iter=1,
                                  refit=False, n_jobs=n_jobs).fit(X, y)
    messages = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert len(messages) == 1
    # Which fold fits stopped short, from the KKT conditions at their solutions.
    failed = np.zeros(cv.coefs_paths_.shape[:3], dtype=bool)
    for f, (train, _) in enumerate(folds):
        for r, l1_ratio in enumerate(l1_ratios):
            for k, C in enumerate(cv.Cs_):
                theta = cv.coefs_paths_[f, r, k, 0]
                violation = kkt_violation(X[train], y[train], theta[:-1], theta[-1], C,
                                          l1_ratio)
                assert not tol / 100 < violation < tol * 100  # clear either way
                failed[f, r, k] = violation > tol
    assert 0 < failed.sum() < failed.size
    assert f"{failed.sum()} of {failed.size} fold fits" in messages[0]
    for r, l1_ratio in enumerate(l1_ratios):
        listed = ", ".join(f"{C:.3g}" for C in cv.Cs_[failed[:, r].any(axis=0)])
        assert f"l1_ratio={l1_ratio:g}: C = [{listed}]" in messages[0]
    assert "max_iter=1" in messages[0] and "StandardScaler" in messages[0]
    # The same fits with the default budget converge, and then nothing is said.
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        LogisticRegressionCV(Cs=4, l1_ratios=l1_ratios, cv=folds, tol=tol, refit=False,
                             n_jobs=n_jobs).fit(X, y)


@pytest.mark.parametrize("scoring", [*sorted(METRICS), None])
def test_score_uses_the_scoring_option(scoring):
    X, y = make_data(seed=9)
    labels = np.array(["no", "yes"])[y]
    weights = np.random.default_rng(9).uniform(0.5, 2.0, y.size)
    train, test = np.arange(160), np.arange(160, y.size)
    cv = LogisticRegressionCV(Cs=4, l1_ratios=[1.0], scoring=scoring).fit(X[train],
                                                                         labels[train])
    X_test, y_test, w_test = X[test], labels[test], weights[test]
    proba = cv.predict_proba(X_test)[:, 1]
    expected = {
        "neg_log_loss": lambda sw: -log_loss(y_test, proba, sample_weight=sw),
        "roc_auc": lambda sw: roc_auc_score(y_test == "yes", proba, sample_weight=sw),
        "accuracy": lambda sw: accuracy_score(y_test, cv.predict(X_test), sample_weight=sw),
    }["accuracy" if scoring is None else scoring]
    assert cv.score(X_test, y_test) == pytest.approx(expected(None), rel=1e-12)
    assert cv.score(X_test, y_test, sample_weight=w_test) == pytest.approx(expected(w_test),
                                                                          rel=1e-12)


def test_random_state_is_stored_and_passed_to_the_refit(monkeypatch):
    X, y = make_data(seed=10)
    seen = []

    class RecordingLogisticRegression(logitfit.LogisticRegression):
        def fit(self, X, y, sample_weight=None):
            seen.append(self.random_state)
            return super().fit(X, y, sample_weight=sample_weight)

    monkeypatch.setattr(_cv, "LogisticRegression", RecordingLogisticRegression)
    cv = LogisticRegressionCV(Cs=3, l1_ratios=[1.0], random_state=7)
    assert cv.get_params()["random_state"] == 7 and clone(cv).random_state == 7
    cv.fit(X, y)
    assert seen == [7]
    # The solvers are deterministic: the seed changes nothing.
    other = LogisticRegressionCV(Cs=3, l1_ratios=[1.0], random_state=None).fit(X, y)
    np.testing.assert_array_equal(cv.coef_, other.coef_)


def test_save_writes_the_refitted_model(tmp_path):
    pd = pytest.importorskip("pandas")
    X, y = make_data(seed=11)
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])])
    target = pd.Series(np.where(y == 1, "yes", "no"), name="outcome")
    weights = np.linspace(0.5, 2.0, y.size)
    cv = LogisticRegressionCV(Cs=6, l1_ratios=[1.0, 0.5], class_weight={"yes": 2.0},
                              tol=1e-10).fit(frame, target, sample_weight=weights)
    cv.save(tmp_path / "cv.json", summary=True)
    loaded = logitfit.load(tmp_path / "cv.json")
    assert isinstance(loaded, logitfit.LogisticRegression)
    assert loaded.C == cv.C_ and loaded.l1_ratio == cv.l1_ratio_
    assert loaded.class_weight == {"yes": 2.0}
    assert loaded.feature_names_in_.tolist() == frame.columns.tolist()
    np.testing.assert_array_equal(loaded.predict(frame), cv.predict(frame))
    np.testing.assert_allclose(loaded.predict_proba(frame), cv.predict_proba(frame),
                               rtol=1e-14, atol=0)
    # The file describes the model whole: a plain fit with its parameters, on the same data,
    # is the same model.
    penalty = "l1" if cv.l1_ratio_ == 1.0 else "elasticnet"
    direct = logitfit.LogisticRegression(penalty, C=cv.C_, l1_ratio=cv.l1_ratio_,
                                         class_weight={"yes": 2.0}, tol=1e-10)
    direct.fit(frame, target, sample_weight=weights)
    np.testing.assert_allclose(clone(loaded).fit(frame, target, sample_weight=weights).coef_,
                               direct.coef_, atol=1e-8)
    np.testing.assert_allclose(cv.coef_, direct.coef_, atol=1e-8)
    assert read_model(tmp_path / "cv.json").summary["dep_variable"] == "outcome == yes"
    with pytest.raises(FileExistsError, match="force=True"):
        cv.save(tmp_path / "cv.json")


def test_save_refuses_a_mean_of_fold_solutions_and_a_stale_refit(tmp_path):
    X, y = make_data(seed=12)
    cv = LogisticRegressionCV(Cs=3, cv=3).fit(X, y)
    cv.save(tmp_path / "refit.json")
    # Refitted with refit=False, the earlier refit must not be what save() writes.
    cv.set_params(refit=False).fit(X, y)
    with pytest.raises(ValueError, match="refit=False"):
        cv.save(tmp_path / "mean.json")
    assert not (tmp_path / "mean.json").exists()
    # A failed fit leaves the previous fit, refit model included.
    cv.set_params(refit=True).fit(X, y)
    with pytest.raises(ValueError, match="only 1 class"):
        cv.fit(X, np.ones_like(y))
    cv.save(tmp_path / "kept.json")
    np.testing.assert_array_equal(logitfit.load(tmp_path / "kept.json").coef_, cv.coef_)


def test_non_numeric_columns_are_named_with_the_fix():
    # As for LogisticRegression: NumPy's error named a value, not the column or the fix.
    import pandas as pd

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=60), "colour": ["red", "blue", "green"] * 20})
    y = (frame["a"] > 0).astype(int)
    with pytest.raises(ValueError):
        SkLogisticRegressionCV(Cs=2, cv=2, l1_ratios=(0.0,), scoring="neg_log_loss",
                               use_legacy_attributes=False).fit(frame, y)
    message = r"non-numeric column\(s\) 'colour' .*LogisticRegressionCV .*OneHotEncoder"
    with pytest.raises(ValueError, match=message):
        LogisticRegressionCV(Cs=2, cv=2).fit(frame, y)
    fitted = LogisticRegressionCV(Cs=2, cv=2).fit(frame.assign(colour=0.0), y)
    with pytest.raises(ValueError, match=message):
        fitted.predict(frame)
