"""Metrics against scikit-learn, the soft-label expansion against the soft-label objective,
the gradient check against scipy and planted errors, and the derivation checks."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import make_classification_data
from scipy.optimize import approx_fprime
from sklearn.calibration import calibration_curve
from sklearn.metrics import log_loss, roc_auc_score

import logitfit
from logitfit._evaluation import (
    calibration_bins,
    classification_metrics,
    expand_soft_labels,
    expected_calibration_error,
)
from logitfit._gradcheck import check_gradient
from logitfit._objective import BCEObjective


def test_calibration_bins_match_scikit_learn(rng):
    proba = rng.random(500)
    y = (rng.random(500) < proba**1.5).astype(float)
    mean_p, frac, weight = calibration_bins(y, proba)
    frac_ref, mean_ref = calibration_curve(y, proba, n_bins=10, strategy="uniform")
    np.testing.assert_allclose(mean_p, mean_ref, rtol=1e-12)
    np.testing.assert_allclose(frac, frac_ref, rtol=1e-12)
    assert weight.sum() == 500
    # ECE written out bin by bin, independently.
    edges = np.linspace(0, 1, 11)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        inside = (proba > lo) & (proba <= hi) if lo > 0 else (proba <= hi)
        if inside.any():
            total += inside.sum() * abs(y[inside].mean() - proba[inside].mean())
    assert expected_calibration_error(y, proba) == pytest.approx(total / 500, rel=1e-12)


def test_metrics_match_scikit_learn(rng):
    proba = rng.random(200)
    y = (rng.random(200) < proba).astype(float)
    m = classification_metrics(y, proba, threshold=0.3)
    assert m["log_loss"] == pytest.approx(log_loss(y, proba), rel=1e-12)
    assert m["roc_auc"] == pytest.approx(roc_auc_score(y, proba), rel=1e-12)
    predicted = proba > 0.3
    tp = np.sum(predicted & (y == 1))
    fp = np.sum(predicted & (y == 0))
    fn = np.sum(~predicted & (y == 1))
    assert m["precision"] == pytest.approx(tp / (tp + fp))
    assert m["recall"] == pytest.approx(tp / (tp + fn))
    assert m["confusion_matrix"][1][1] == tp and m["confusion_matrix"][0][1] == fp
    assert m["brier"] == pytest.approx(np.mean((proba - y) ** 2), rel=1e-12)


@pytest.mark.parametrize("sparse", [False, True])
def test_soft_label_expansion_fits_the_soft_label_objective(sparse):
    X, p = make_classification_data(200, 4, seed=5, soft=True)
    p[:20] = np.round(p[:20])  # some hard labels among the soft ones
    weights = np.random.default_rng(0).uniform(0.5, 2.0, size=200)
    if sparse:
        X = sp.csr_matrix(X)
    X2, y2, w2 = expand_soft_labels(X, p, weights)
    assert set(np.unique(y2)) <= {0.0, 1.0}
    model = logitfit.LogisticRegression(C=2.0, tol=1e-10).fit(X2, y2, sample_weight=w2)
    coef = np.r_[model.coef_.ravel(), model.intercept_]
    soft = BCEObjective(X, p, weights, C=2.0)
    hard = BCEObjective(X2, y2, w2, C=2.0)
    # The two objectives are the same function of the coefficients ...
    for theta in (coef, np.zeros_like(coef), np.linspace(-1, 1, coef.size)):
        assert hard.value(theta) == pytest.approx(soft.value(theta), rel=1e-12)
    # ... so the fit is the optimum of the soft-label objective.
    assert soft.optimality(soft.gradient(coef)) < 1e-9


def test_gradient_check_agrees_with_scipy_and_catches_a_planted_error():
    X, y = make_classification_data(120, 5, seed=2)
    objective = BCEObjective(X, y, C=3.0)
    theta = np.linspace(-0.5, 0.5, objective.n_coef)
    names = [f"c{j}" for j in range(objective.n_coef)]
    result = check_gradient(objective, theta, names)
    reference = approx_fprime(theta, objective.value, 1e-6)
    np.testing.assert_allclose(result.numeric, reference, rtol=1e-4, atol=1e-4)
    assert result.max_relative_error < 1e-7

    class Wrong:
        scale = objective.scale

        def value(self, t):
            return objective.value(t)

        def gradient(self, t):
            g = objective.gradient(t).copy()
            g[3] *= 1 + 1e-4
            return g

    planted = check_gradient(Wrong(), theta, names)
    assert planted.names[planted.worst] == "c3"
    assert planted.max_relative_error == pytest.approx(1e-4, rel=1e-2)



def test_gradient_check_steps_by_the_scale_of_each_column():
    # Incomes around 25,000: a step of ε^(1/3) in their weight moves the logits by 0.15, and
    # the central difference of a correct gradient is off by 1e-3. Steps of ε^(1/3)/rms are
    # as accurate as on standardised columns.
    from logitfit._gradcheck import random_point, typical_coefficients

    X, y = make_classification_data(300, 4, seed=5)
    X[:, 1] = 25_000 + 8_000 * X[:, 1]
    objective = BCEObjective(X, y, C=1.0)
    theta = random_point(X, np.random.default_rng(1))
    names = [f"c{j}" for j in range(objective.n_coef)]
    typical = typical_coefficients(X)
    np.testing.assert_allclose(typical, np.r_[1 / np.sqrt(np.mean(X**2, axis=0)), 1.0])
    assert check_gradient(objective, theta, names, typical=typical).max_relative_error < 1e-8
    unit_steps = check_gradient(objective, theta, names)
    assert unit_steps.names[unit_steps.worst] == "c1" and unit_steps.max_relative_error > 1e-5

def test_every_derivation_step_is_verified():
    from logitfit._derive import derive

    results = derive(seed=1, n_points=3)
    assert [r.number for r in results] == [str(k) for k in range(1, 13)]
    assert all(r.symbolic for r in results)
    assert max(r.numeric_error for r in results) < 1e-12
    implemented = {r.number: r.implementation_error for r in results if r.implementation}
    assert set(implemented) == {"1", "2", "10", "12"}
    assert max(implemented.values()) < 1e-12


def test_a_wrong_step_fails_both_checks():
    import sympy as s

    from logitfit._derive import Step, verify

    z = s.symbols("z", real=True)
    sigma = 1 / (1 + s.exp(-z))
    # The classic slip: dσ/dz = σ(1 + σ).
    wrong = Step("x", "wrong", "", "", [s.Derivative(sigma, z), sigma * (1 + sigma)], (z,))
    result = verify(wrong, np.random.default_rng(0))
    assert not result.symbolic and result.numeric_error > 0.1 and not result.ok


@pytest.mark.parametrize("sparse", [False, True])
def test_random_point_gives_logits_of_unit_scale(sparse):
    from logitfit._gradcheck import random_point

    rng = np.random.default_rng(4)
    X = rng.normal(size=(3000, 300)) * rng.uniform(0.01, 100.0, size=300)
    if sparse:
        X = sp.csr_matrix(X * (rng.random(X.shape) < 0.5))
    coef = random_point(X, np.random.default_rng(0))
    z = X @ coef[:-1]
    assert coef.shape == (301,)
    assert 0.8 < np.mean(z**2) < 1.25
