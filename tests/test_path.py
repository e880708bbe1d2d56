"""Regularisation paths: C_min from the data, warm starts equal cold starts, the support
grows, against scikit-learn's saga at chosen points."""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

import logitfit
from logitfit.solvers import SOLVERS

matplotlib.use("Agg")


def independent_design(n=400, d=12, seed=0, sparse=False):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    if sparse:
        X[rng.random((n, d)) < 0.5] = 0.0
    w = np.linspace(2.0, 0.2, d) * rng.choice([-1.0, 1.0], d)
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-(X @ w - 0.4)))).astype(int)
    return (sp.csr_matrix(X) if sparse else X), y


def f_total(X, y, w, b, C, l1_ratio):
    z = np.asarray(X @ w).ravel() + b
    return float(np.sum(np.logaddexp(0.0, z) - y * z)
                 + (l1_ratio * np.abs(w).sum() + 0.5 * (1 - l1_ratio) * w @ w) / C)


@pytest.mark.parametrize("sparse", [False, True])
def test_cmin_is_where_the_first_coefficient_enters(sparse):
    X, y = independent_design(sparse=sparse)
    path = logitfit.regularization_path(X, y, Cs=5, tol=1e-10)
    # At C_min every coefficient is zero ...
    assert path.n_nonzero[0] == 0
    # ... and the bound is tight: a slightly weaker penalty lets one in (checked by saga).
    reference = SkLogisticRegression(C=path.Cs[0] * 1.05, l1_ratio=1.0, solver="saga",
                                     tol=1e-10, max_iter=50_000).fit(X, y)
    assert np.count_nonzero(reference.coef_) >= 1
    reference = SkLogisticRegression(C=path.Cs[0] * 0.999, l1_ratio=1.0, solver="saga",
                                     tol=1e-10, max_iter=50_000).fit(X, y)
    assert np.count_nonzero(np.abs(reference.coef_) > 1e-8) == 0


def test_elasticnet_cmin_scales_with_l1_ratio():
    X, y = independent_design()
    l1 = logitfit.regularization_path(X, y, Cs=3)
    en = logitfit.regularization_path(X, y, Cs=3, penalty="elasticnet", l1_ratio=0.25)
    assert en.Cs[0] == pytest.approx(0.25 * l1.Cs[0], rel=1e-12)
    assert en.n_nonzero[0] == 0 and en.l1_ratio == 0.25


@pytest.mark.parametrize("sparse", [False, True])
def test_support_grows_along_the_path(sparse):
    X, y = independent_design(sparse=sparse, seed=1)
    path = logitfit.regularization_path(X, y, Cs=25, tol=1e-9)
    assert path.Cs.shape == (25,) and np.all(np.diff(path.Cs) > 0)
    assert np.all(np.diff(path.n_nonzero) >= 0)
    assert path.n_nonzero[-1] == X.shape[1]
    # the objective F_C decreases as the penalty weakens
    assert np.all(np.diff(path.objective) < 0)


@pytest.mark.parametrize(("penalty", "l1_ratio"), [("l1", None), ("elasticnet", 0.4)])
def test_warm_starts_give_the_cold_start_solutions(penalty, l1_ratio):
    X, y = independent_design(seed=2)
    path = logitfit.regularization_path(X, y, Cs=8, penalty=penalty, l1_ratio=l1_ratio,
                                        tol=1e-10)
    assert path.converged.all()
    ratio = path.l1_ratio
    for k, C in enumerate(path.Cs):
        cold = logitfit.LogisticRegression(penalty, C=C, l1_ratio=ratio, tol=1e-10).fit(X, y)
        np.testing.assert_allclose(path.coefs[k], cold.coef_.ravel(), atol=1e-7)
        assert path.intercepts[k] == pytest.approx(cold.intercept_[0], abs=1e-7)
        expected = f_total(X, y, cold.coef_.ravel(), cold.intercept_[0], C, ratio)
        assert path.objective[k] == pytest.approx(expected, rel=1e-10)
        assert path.n_nonzero[k] == np.count_nonzero(cold.coef_)


def test_path_points_match_saga():
    X, y = independent_design(seed=3)
    # (below C ≈ 0.02 every coefficient is zero, and saga's stopping rule, on the change of
    # the coefficients, then stops before its intercept has converged)
    path = logitfit.regularization_path(X, y, Cs=[0.03, 0.1, 0.3], tol=1e-10)
    for k, C in enumerate(path.Cs):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            ref = SkLogisticRegression(C=C, l1_ratio=1.0, solver="saga", tol=1e-12,
                                       max_iter=100_000).fit(X, y)
        f_ref = f_total(X, y, ref.coef_.ravel(), ref.intercept_[0], C, 1.0)
        assert abs(path.objective[k] - f_ref) <= 1e-8 * f_ref


def test_explicit_Cs_are_sorted_and_without_intercept_the_intercepts_are_zero():
    X, y = independent_design(seed=4)
    path = logitfit.regularization_path(X, y, Cs=[1.0, 0.01, 0.1], fit_intercept=False)
    np.testing.assert_array_equal(path.Cs, [0.01, 0.1, 1.0])
    np.testing.assert_array_equal(path.intercepts, 0.0)
    np.testing.assert_array_equal(path.classes, [0, 1])
    assert path.coefs.shape == (3, X.shape[1]) and path.n_iter.shape == (3,)


def test_l2_path_matches_the_estimator():
    X, y = independent_design(seed=5)
    path = logitfit.regularization_path(X, y, Cs=[0.01, 1.0], penalty="l2", tol=1e-10)
    for k, C in enumerate(path.Cs):
        model = logitfit.LogisticRegression(C=C, tol=1e-10).fit(X, y)
        np.testing.assert_allclose(path.coefs[k], model.coef_.ravel(), atol=1e-7)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"penalty": "l0"}, "penalty"),
        ({"penalty": "l1", "l1_ratio": 0.5}, "elasticnet"),
        ({"penalty": "elasticnet", "l1_ratio": 2.0}, "l1_ratio"),
        ({"Cs": [1.0, -1.0]}, "Cs"),
        ({"Cs": 0}, "Cs"),
        ({"tol": 0.0}, "tol"),
        ({"solver": "lbfgs"}, "'cd' or 'prox'"),
        ({"solver": "magic"}, "not known"),
        ({"C_range": 0.5}, "C_range"),
        ({"C_range": np.inf}, r"C_range \(C_max / C_min\) must be a finite number of at least 1"),
        ({"C_range": np.nan}, "C_range"),
        ({"C_range": "10"}, "C_range"),
        ({"tol": np.inf}, "tol must be a positive finite number"),
        ({"max_iter": 0}, "max_iter must be a positive integer or None"),
        ({"max_iter": -1}, "max_iter"),
        ({"max_iter": 2.5}, "max_iter"),
        ({"penalty": "l1", "l1_ratio": "a"}, "elasticnet"),
    ],
)
def test_bad_arguments_are_refused(kwargs, match):
    X, y = independent_design()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # refused before any fit, not fitted with a warning
        with pytest.raises(ValueError, match=match):
            logitfit.regularization_path(X, y, **kwargs)


def test_max_iter_is_refused_with_the_estimators_message():
    X, y = independent_design()
    with pytest.raises(ValueError) as from_path:
        logitfit.regularization_path(X, y, max_iter=0)
    with pytest.raises(ValueError) as from_estimator:
        logitfit.LogisticRegression("l1", max_iter=0).fit(X, y)
    assert str(from_path.value) == str(from_estimator.value)


def test_non_convergence_gives_one_warning_naming_the_Cs():
    X, y = independent_design(seed=7)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = logitfit.regularization_path(X, y, Cs=8, tol=1e-10, max_iter=1)
    messages = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert len(messages) == 1
    # Which Cs stopped short, from the KKT conditions at the returned points.
    residual = 1.0 / (1.0 + np.exp(-(path.coefs @ X.T + path.intercepts[:, None]))) - y
    grad = residual @ X
    threshold = (1.0 / path.Cs)[:, None]
    per_feature = np.where(path.coefs != 0.0, np.abs(grad + threshold * np.sign(path.coefs)),
                           np.maximum(np.abs(grad) - threshold, 0.0))
    violation = np.maximum(per_feature.max(axis=1), np.abs(residual.sum(axis=1))) / y.size
    assert not np.any((violation > 1e-12) & (violation < 1e-8))  # clear either way
    short = violation > 1e-10
    assert 0 < short.sum() < short.size
    np.testing.assert_array_equal(~path.converged, short)
    listed = ", ".join(f"{C:.3g}" for C in path.Cs[short][:5])
    assert f"at {short.sum()} of 8 values of C, C = [{listed}, and {short.sum() - 5} more]" \
        in messages[0]
    assert "max_iter=1" in messages[0] and "StandardScaler" in messages[0]


def test_non_convergence_names_the_budget_the_solver_had_by_default():
    # max_iter=None means each solver's default: the warning gives that number, not None.
    X, y = load_breast_cancer(return_X_y=True)  # unscaled: tol=1e-15 is out of reach
    with pytest.warns(ConvergenceWarning) as caught:
        path = logitfit.regularization_path(X[:, :5], y, Cs=3, tol=1e-15)
    budget = SOLVERS[path.solver].default_max_iter
    assert f"(max_iter={budget})" in str(caught[0].message)


def test_three_classes_are_refused():
    X, _ = independent_design()
    with pytest.raises(ValueError, match="2 classes"):
        logitfit.regularization_path(X, np.arange(X.shape[0]) % 3)


def test_weights_of_zero_on_one_class_are_refused_as_by_the_estimator():
    # Before, the path "converged" at every C with the intercept at logit(1e-12).
    X, y = independent_design(seed=8)
    weights = (y == 0).astype(float)
    with pytest.raises(ValueError, match="zero on every sample of class 1") as from_path:
        logitfit.regularization_path(X, y, Cs=3, sample_weight=weights)
    with pytest.raises(ValueError) as from_estimator:
        logitfit.LogisticRegression("l1", C=1.0).fit(X, y, sample_weight=weights)
    assert str(from_path.value) == str(from_estimator.value)


def test_plot_draws_one_curve_per_feature():
    import matplotlib.pyplot as plt

    X, y = independent_design(seed=6)
    path = logitfit.regularization_path(X, y, Cs=10)
    ax = path.plot(feature_names=[f"x{j}" for j in range(X.shape[1])])
    assert len(ax.get_lines()) == X.shape[1] + 1  # one per feature, plus the zero line
    np.testing.assert_allclose(ax.get_lines()[0].get_xdata(), np.log10(path.Cs))
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), path.coefs[:, 0])
    plt.close(ax.figure)


def test_plot_refuses_feature_names_of_the_wrong_length():
    # One name short: the curves were labelled with their neighbours' names, or the plot
    # failed with an IndexError when the last feature was among the largest coefficients.
    import matplotlib.pyplot as plt

    X, y = independent_design(seed=7)
    path = logitfit.regularization_path(X, y, Cs=5)
    names = [f"x{j}" for j in range(X.shape[1])]
    for wrong in (names[:-1], [*names, "extra"]):
        with pytest.raises(ValueError, match=rf"feature_names has {len(wrong)} names for "
                                             rf"{X.shape[1]} features"):
            path.plot(feature_names=wrong)
    ax = path.plot(feature_names=names)
    labelled = {text.get_text() for text in ax.texts}
    final = path.coefs[-1]
    assert labelled == {names[j] for j in np.flatnonzero(final) if j in
                        np.argsort(-np.abs(final))[:10]}
    plt.close("all")
