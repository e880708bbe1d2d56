"""Separation: the exact LP check, the divergence monitor in fit, and the summary's marks."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import make_classification_data
from hypothesis import given
from hypothesis import strategies as st
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning

from logitfit import LogisticRegression, SeparationWarning
from logitfit._objective import BCEObjective
from logitfit._separation import _DIRECT_LP_ENTRIES, find_separation


def quasi_separated(n, seed=0):
    """A binary feature that occurs only in the positive class: quasi-complete separation."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    X[:, 0] = rng.random(n) < 0.1
    y = (rng.random(n) < 1 / (1 + np.exp(-X[:, 1]))).astype(float)
    y[X[:, 0] == 1] = 1.0
    return X, y


def completely_separated(n, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, (X[:, 1] + 0.5 * X[:, 2] > 0).astype(float)


def one_dimensional_truth(x, y):
    """Separation of a single feature plus intercept, by counting (no LP)."""
    lo0, hi0, lo1, hi1 = x[y == 0].min(), x[y == 0].max(), x[y == 1].min(), x[y == 1].max()
    if hi0 < lo1 or hi1 < lo0:
        return "complete"
    # Touching at c: separated unless every row sits at c (then x carries no information).
    for c in {hi0, hi1} & {lo1, lo0}:
        if (hi0 == c == lo1 or hi1 == c == lo0) and np.any(x != c):
            return "quasi-complete"
    return None


@given(st.lists(st.tuples(st.integers(-3, 3), st.booleans()), min_size=2, max_size=12))
def test_exact_check_agrees_with_counting_in_one_dimension(rows):
    x = np.array([r[0] for r in rows], dtype=float)
    y = np.array([r[1] for r in rows], dtype=float)
    if y.min() == y.max():
        return
    found = find_separation(BCEObjective(x[:, None].copy(), y, C=np.inf))
    expected = one_dimensional_truth(x, y)
    assert (None if found is None else found.kind) == expected
    if found is not None:
        # The certificate really separates: no row has a negative margin along it.
        margins = np.where(y == 1, 1, -1) * (x * found.direction[0] + found.direction[1])
        assert margins.min() >= -1e-9 and margins.max() > 0


@pytest.mark.parametrize("n", [400, 60_000], ids=["one-lp", "row-generation"])
def test_exact_check_on_constructed_data(n):
    # 4 coefficients: the small case is one LP, the large one goes through row generation.
    assert (n * 4 > _DIRECT_LP_ENTRIES) == (n == 60_000)
    X, y = quasi_separated(n)
    found = find_separation(BCEObjective(X, y, C=np.inf))
    assert found.kind == "quasi-complete" and found.coef_index == found.features == (0,)
    assert found.n_separated == int(X[:, 0].sum())
    X, y = completely_separated(n)
    found = find_separation(BCEObjective(X, y, C=np.inf))
    assert found.kind == "complete" and found.coef_index == (0, 1, 2, 3)  # none identified
    assert {1, 2} <= set(found.features) and 0 not in found.features
    margins = np.where(y == 1, 1, -1) * (X @ found.direction[:3] + found.direction[3])
    assert margins.min() > 0  # the reported direction separates every row strictly
    X, y = make_classification_data(n, 3, seed=1)
    assert find_separation(BCEObjective(X, y, C=np.inf)) is None


def test_exact_check_with_sparse_weights_and_soft_labels():
    X, y = quasi_separated(600, seed=3)
    objective = BCEObjective(sp.csr_matrix(X), y, C=np.inf)
    assert find_separation(objective).coef_index == (0,)
    # A zero-weight negative row with the separating feature does not break separation ...
    X2 = np.vstack([X, [1.0, 0.0, 0.0]])
    y2 = np.r_[y, 0.0]
    weights = np.r_[np.ones(600), 0.0]
    assert find_separation(BCEObjective(X2, y2, weights, C=np.inf)) is not None
    # ... a positive weight does, and so does a soft label on such a row.
    weights[-1] = 1.0
    assert find_separation(BCEObjective(X2, y2, weights, C=np.inf)) is None
    y2[-1] = 0.5
    assert find_separation(BCEObjective(X2, y2, C=np.inf)) is None


@pytest.mark.parametrize("solver", ["newton-cholesky", "newton-cg", "lbfgs", "agd", "gd"])
@pytest.mark.parametrize("make", [quasi_separated, completely_separated])
def test_fit_stops_early_and_names_the_features(solver, make):
    X, y = make(500)
    model = LogisticRegression(penalty=None, solver=solver, max_iter=5000)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        with pytest.warns(SeparationWarning, match="separated") as record:
            model.fit(X, y)
    message = str(record[0].message)
    if make is quasi_separated:
        assert "quasi-completely separated by x0:" in message
    else:
        assert "completely separated by a combination of x1, x2" in message
    assert "x1" not in message if make is quasi_separated else "x0" not in message
    assert "penalty" in message
    assert model.n_iter_[0] < 100 and not model.converged_
    summary = model.summary()
    marked = dict(zip(summary.names, summary.separated, strict=True))
    if make is quasi_separated:
        assert marked == {"intercept": False, "x0": True, "x1": False, "x2": False}
        assert "x0 *" in str(summary)
        assert str(summary).split("dy/dx")[1].count("x0 *") == 1  # its marginal effect too
    else:
        assert all(marked.values())  # complete separation: no coefficient is identified
    assert "separated" in str(summary) and not summary.converged


def test_a_solver_that_meets_tol_on_separated_data_still_reports_it():
    # On separated data the gradient vanishes as the coefficients diverge: Newton-CG meets
    # tol on the standardised breast-cancer data (completely separable) before the monitor's
    # pattern shows; the logits beyond ±10 it leaves behind trigger the exact check.
    X, y = load_breast_cancer(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    for solver in ("newton-cg", "newton-cholesky", "lbfgs"):
        with pytest.warns(SeparationWarning, match="completely separated"):
            model = LogisticRegression(penalty=None, solver=solver).fit(X, y)
        assert not model.converged_, solver


def test_penalised_fits_are_not_checked():
    X, y = completely_separated(300)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = LogisticRegression(C=1.0).fit(X, y)
        summary = model.summary()
    assert model.converged_ and not summary.separated.any()


@pytest.mark.parametrize("solver", ["newton-cholesky", "lbfgs", "agd"])
def test_ordinary_fits_are_unchanged(solver):
    X, y = make_classification_data(400, 4, seed=4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = LogisticRegression(penalty=None, solver=solver, tol=1e-8).fit(X, y)
        summary = model.summary()
    assert model.converged_ and summary.converged and not summary.separated.any()
    # The monitor saw nothing suspicious, so the fit paid for no LP (summary() ran it).
    assert not model._separation_checked
    reference = LogisticRegression(C=1e12, solver=solver, tol=1e-8).fit(X, y)
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-5)


def test_summary_finds_separation_the_fit_did_not_look_for():
    # A single separated row in many, and a loose tol: L-BFGS stops before anything
    # diverges, so only the summary's exact check can tell. (Newton-Cholesky, unpenalised,
    # also needs a Newton step shorter than tol standard errors, which the separated
    # direction never gives: its own check sees the separation.)
    X, y = make_classification_data(3000, 3, seed=6)
    X = np.c_[X, np.zeros(3000)]
    X[0, 3], y[0] = 1.0, 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = LogisticRegression(penalty=None, solver="lbfgs", tol=1e-1).fit(X, y)
    with pytest.warns(SeparationWarning, match="x3"):
        summary = model.summary()
    assert summary.separated.tolist() == [False, False, False, False, True]
    assert "x3 *" in str(summary)


def test_combinations_of_features_are_reported():
    rng = np.random.default_rng(9)
    X = rng.normal(size=(300, 4))
    y = (X[:, 0] - X[:, 2] > 0).astype(float)
    found = find_separation(BCEObjective(X, y, C=np.inf))
    margins = np.where(y == 1, 1, -1) * (X @ found.direction[:4] + found.direction[4])
    assert margins.min() > 0 and found.kind == "complete"
    assert set(found.features) - {4} == {0, 2}  # the intercept may help, x1 and x3 do not


def _overlapping(n, d, seed):
    # Logits of about unit scale: the classes overlap. (make_classification_data's logits grow
    # as √d, and at 200 features its classes are separable.)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    z = X @ rng.standard_normal(d) / np.sqrt(d)
    return X, (rng.random(n) < 1 / (1 + np.exp(-z))).astype(float)


def test_wide_problems_are_checked_for_complete_separation_only_and_say_so():
    from logitfit._separation import MAX_CHECKED_COEFS

    X, y = _overlapping(600, MAX_CHECKED_COEFS, seed=8)  # one coefficient too many
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # max_iter=3 does not converge; beside the point
        warnings.simplefilter("error", SeparationWarning)
        model = LogisticRegression(penalty=None, max_iter=3).fit(X, y)
        summary = model.summary()
    assert not model._separation_checked and not summary.separated.any()
    assert any("checked only along the directions" in note for note in summary.notes)


@pytest.mark.parametrize("shape", [(300, 250), (50, 400)])
def test_wide_completely_separated_data_are_caught_by_the_fitted_coefficients(shape):
    # Random labels on 250 (or 400) features for 300 (or 50) rows: some hyperplane separates
    # them, so there is no maximum-likelihood estimate. The exact check is too expensive at
    # this width, but coefficients that put every row on its side prove it.
    n, d = shape
    rng = np.random.default_rng(1)
    X = rng.standard_normal((n, d))
    y = (rng.random(n) < 0.5).astype(float)
    with pytest.warns(SeparationWarning, match="completely separated") as caught:
        model = LogisticRegression(penalty=None).fit(X, y)
    assert "stopped early" in str(caught[0].message)
    assert not model.converged_ and model._separation_checked
    z = model.decision_function(X)
    assert np.all(np.where(y > 0, z, -z) > 0)  # the certificate, checked independently
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # separation, and rank 50 < 401 for the wide one
        summary = model.summary()
    assert summary.separated.all()
    assert not any("checked only" in note for note in summary.notes)


def test_wide_data_with_an_optimum_raise_no_separation_warning():
    # 2,000 rows of 210 features with logits of unit scale: the classes overlap, the optimum
    # exists, and the cheap check must not cry wolf.
    X, y = _overlapping(2000, 210, seed=4)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SeparationWarning)
        model = LogisticRegression(penalty=None).fit(X, y)
        summary = model.summary()
    assert model.converged_ and not summary.separated.any()


def _konis_lp(X, y):
    """Reference: Konis's separation programme solved whole with scipy's HiGHS (no row
    generation, no scaling, no restriction to some coefficients). Returns its optimum."""
    from scipy.optimize import linprog

    A = np.where(y == 1, 1.0, -1.0)[:, None] * np.c_[X, np.ones(len(y))]
    result = linprog(-A.sum(axis=0), A_ub=-A, b_ub=np.zeros(len(y)),
                     bounds=[(-1, 1)] * A.shape[1], method="highs")
    return -result.fun


def _wide_quasi_separated(kind, n=1200, d=230, seed=3):
    # Overlapping classes on d features, plus a separating column x0: a dummy that only
    # positives have ("dummy"), or one that 30 negatives lack while every other row has it,
    # so that x0 - intercept separates them ("intercept").
    X, y = _overlapping(n, d, seed)
    if kind == "dummy":
        X[:, 0] = 0.0
        X[np.flatnonzero(y == 1)[:20], 0] = 1.0
        separated = y.astype(bool) & (X[:, 0] == 1.0)
    else:
        X[:, 0] = 1.0
        X[np.flatnonzero(y == 0)[:30], 0] = 0.0
        separated = (y == 0) & (X[:, 0] == 0.0)
    return X, y, separated


@pytest.mark.parametrize("solver", ["newton-cholesky", "newton-cg", "lbfgs"])
@pytest.mark.parametrize("kind", ["dummy", "intercept"])
def test_wide_quasi_separated_data_are_caught_early(solver, kind):
    # 231 coefficients, too many for the exact check over all of them: the fit used to run
    # to tol (about 30 iterations) and report converged_ with x0 near 30, no warning.
    X, y, separated = _wide_quasi_separated(kind)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        with pytest.warns(SeparationWarning, match="quasi-completely separated") as caught:
            model = LogisticRegression(penalty=None, solver=solver).fit(X, y)
    message = str(caught[0].message)
    assert (f"by x0: {separated.sum()} sample(s)" in message if kind == "dummy"
            else f"x0, intercept: {separated.sum()} sample(s)" in message)
    assert not model.converged_ and model.n_iter_[0] < 30
    # Independently: the named column (with the intercept) separates exactly those rows,
    # and Konis's programme over all 231 coefficients agrees that the MLE does not exist.
    direction = model._separation.direction
    margins = np.where(y == 1, 1.0, -1.0) * (X @ direction[:-1] + direction[-1])
    assert margins.min() > -1e-9 and np.array_equal(margins > 1e-9, separated)
    assert _konis_lp(X, y) > 1e-6
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary = model.summary()
    assert summary.separated[summary.names.index("x0")]
    assert not summary.separated[summary.names.index("x1")]


def test_wide_quasi_separation_in_sparse_data_and_in_the_summary():
    X, y, separated = _wide_quasi_separated("dummy", seed=5)
    X = sp.csr_matrix(np.where(np.abs(X) >= 1.0, X, 0.0))  # x0 is 0 or 1
    with pytest.warns(SeparationWarning, match="by x0: 20 sample"):
        LogisticRegression(penalty=None, solver="newton-cg").fit(X, y)
    # A tol loose enough to stop L-BFGS before anything diverges: the summary's own check
    # finds the separation the fit did not look for.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = LogisticRegression(penalty=None, solver="lbfgs", tol=1e-2).fit(X, y)
    with pytest.warns(SeparationWarning, match="x0"):
        summary = model.summary()
    assert summary.separated.tolist() == [False] + [True] + [False] * (X.shape[1] - 1)


def test_wide_strong_signal_without_separation_is_not_flagged():
    # Strong, overlapping signal: logits up to about ±30 and a divergence-like start, but
    # Konis's programme says the optimum exists; neither fit nor summary may claim otherwise.
    X, y = _overlapping(1500, 210, seed=11)
    rng = np.random.default_rng(11)
    z = X @ rng.standard_normal(210) * 6 / np.sqrt(210)
    y = (rng.random(1500) < 1 / (1 + np.exp(-z))).astype(float)
    assert _konis_lp(X, y) < 1e-6
    with warnings.catch_warnings():
        warnings.simplefilter("error", SeparationWarning)
        model = LogisticRegression(penalty=None).fit(X, y)
        summary = model.summary()
    assert model.converged_ and not summary.separated.any()
