"""BCEObjective (and through it the fused kernels) against independent references:
five-point finite differences, plain NumPy formulas and dense matrix algebra."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import make_classification_data

from logitfit import _kernels
from logitfit._objective import BCEObjective

DATA_KINDS = ["dense64", "dense32", "csr64", "csr32"]


def make_problem(kind, *, fit_intercept=True, weighted=True, soft=False, n_samples=200,
                 n_features=5, C=0.8, seed=0):
    dtype = np.float32 if kind.endswith("32") else np.float64
    density = 0.4 if kind.startswith("csr") else None
    X, y = make_classification_data(n_samples, n_features, seed=seed, soft=soft,
                                    density=density, dtype=dtype)
    rng = np.random.default_rng(seed + 1)
    weights = rng.uniform(0.1, 3.0, size=n_samples) if weighted else None
    objective = BCEObjective(X, y, weights, C=C, fit_intercept=fit_intercept)
    coef = 0.4 * rng.normal(size=objective.n_coef)
    return objective, coef


def dense_of(objective):
    X = objective.X.toarray() if sp.issparse(objective.X) else np.asarray(objective.X)
    return X.astype(np.float64)


def naive_value(objective, coef):
    """Σ sᵢ [log(1 + e^zᵢ) - yᵢ zᵢ] + ‖w‖²/(2C) with NumPy's own logaddexp."""
    X = dense_of(objective)
    w, b = objective.split(coef)
    z = X @ w + b
    losses = np.logaddexp(0.0, z) - objective.y * z
    penalty = 0.0 if np.isinf(objective.C) else w @ w / (2 * objective.C)
    return objective.sample_weight @ losses + penalty


def five_point(f, x, h):
    """Five-point central-difference Jacobian of f at x (one column per coordinate)."""
    columns = []
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = h
        columns.append((f(x - 2 * e) - 8 * f(x - e) + 8 * f(x + e) - f(x + 2 * e)) / (12 * h))
    return np.array(columns).T


CASES = [
    pytest.param(kind, intercept, weighted, soft, id=f"{kind}-{intercept=}-{weighted=}-{soft=}")
    for kind in DATA_KINDS
    for intercept in (True, False)
    for weighted, soft in ((False, False), (True, False), (True, True))
]


@pytest.mark.parametrize(("kind", "fit_intercept", "weighted", "soft"), CASES)
def test_value_matches_numpy(kind, fit_intercept, weighted, soft):
    objective, coef = make_problem(kind, fit_intercept=fit_intercept, weighted=weighted,
                                   soft=soft)
    assert objective.value(coef) == pytest.approx(naive_value(objective, coef), rel=1e-12)


@pytest.mark.parametrize(("kind", "fit_intercept", "weighted", "soft"), CASES)
def test_gradient_matches_five_point_differences(kind, fit_intercept, weighted, soft):
    objective, coef = make_problem(kind, fit_intercept=fit_intercept, weighted=weighted,
                                   soft=soft)
    grad = objective.gradient(coef)
    numeric = five_point(lambda c: np.array([objective.value(c)]), coef, 1e-3).ravel()
    np.testing.assert_allclose(grad, numeric, rtol=0, atol=1e-7 * np.abs(grad).max())


@pytest.mark.parametrize(("kind", "fit_intercept", "weighted", "soft"), CASES)
def test_hessian_matches_five_point_differences(kind, fit_intercept, weighted, soft):
    objective, coef = make_problem(kind, fit_intercept=fit_intercept, weighted=weighted,
                                   soft=soft)
    hess = objective.hessian(coef)
    numeric = five_point(objective.gradient, coef, 1e-3)
    np.testing.assert_allclose(hess, numeric, rtol=0, atol=1e-7 * np.abs(hess).max())
    np.testing.assert_array_equal(hess, hess.T)


@pytest.mark.parametrize("kind", DATA_KINDS)
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_hessian_products_and_diagonal_match_the_hessian(kind, fit_intercept):
    objective, coef = make_problem(kind, fit_intercept=fit_intercept)
    hess = objective.hessian(coef)
    product = objective.hessp(coef)
    for v in np.random.default_rng(3).normal(size=(3, objective.n_coef)):
        np.testing.assert_allclose(product(v), hess @ v, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(objective.hessian_diagonal(coef), np.diag(hess), rtol=1e-12)


@pytest.mark.parametrize("kind", DATA_KINDS)
def test_hessian_equals_dense_formula(kind):
    """[X, 1]ᵀ diag(s σ(1-σ)) [X, 1] + diag(1/C, ..., 0) written out with dense matrices."""
    objective, coef = make_problem(kind)
    X = dense_of(objective)
    w, b = objective.split(coef)
    p = 1 / (1 + np.exp(-(X @ w + b)))
    design = np.column_stack([X, np.ones(len(X))])
    expected = design.T @ (design * (objective.sample_weight * p * (1 - p))[:, None])
    expected[:-1, :-1] += np.eye(X.shape[1]) / objective.C
    np.testing.assert_allclose(objective.hessian(coef), expected, rtol=1e-12, atol=1e-12)


def test_hessian_blocks_add_up(monkeypatch):
    """Row blocks of 7, with a ragged last block, give the same Hessian as one block."""
    objective, coef = make_problem("dense64", n_samples=100)
    whole = objective.hessian(coef)
    monkeypatch.setattr(_kernels, "_hessian_block_rows", lambda n_features: 7)
    np.testing.assert_allclose(objective.hessian(coef), whole, rtol=1e-13, atol=1e-13)


def test_linear_predictor_and_hessian_weights():
    objective, coef = make_problem("csr32")
    X = dense_of(objective)
    w, b = objective.split(coef)
    np.testing.assert_allclose(objective.linear_predictor(coef), X @ w + b, rtol=1e-12)
    p = 1 / (1 + np.exp(-(X @ w + b)))
    expected = objective.sample_weight * p * (1 - p)
    # Once from a fresh pass, once from the logits cached by loss_gradient at the same point.
    np.testing.assert_allclose(objective.hessian_weights(coef), expected, rtol=1e-12)
    objective.loss_gradient(coef)
    np.testing.assert_allclose(objective.hessian_weights(coef), expected, rtol=1e-12)


def test_no_penalty_and_penalty_term():
    objective, coef = make_problem("dense64", C=np.inf)
    assert objective.penalty(coef) == 0.0
    X = dense_of(objective)
    w, b = objective.split(coef)
    residual = objective.sample_weight * (1 / (1 + np.exp(-(X @ w + b))) - objective.y)
    np.testing.assert_allclose(objective.gradient(coef), np.r_[X.T @ residual, residual.sum()],
                               rtol=1e-12)


@pytest.mark.parametrize("kind", ["dense64", "dense32", "csr64"])
def test_threaded_pass_is_deterministic_and_matches_serial(kind):
    """Large enough for several row ranges: repeated calls agree bit for bit, and the threaded
    sum agrees with the serial one to rounding."""
    objective, coef = make_problem(kind, n_samples=3 * _kernels._MIN_ROWS_PER_PART + 17)
    first = objective.loss_gradient(coef)
    for _ in range(3):
        again = objective.loss_gradient(coef)
        assert again[0] == first[0]
        np.testing.assert_array_equal(again[1], first[1])
    objective._n_parts = 1
    serial = objective.loss_gradient(coef)
    assert serial[0] == pytest.approx(first[0], rel=1e-13)
    np.testing.assert_allclose(serial[1], first[1], rtol=1e-12, atol=1e-10)


def test_float32_data_gives_float64_accuracy():
    """float32 X is read as float32 but accumulated in float64: identical to the float64
    objective on the same (float32-representable) values."""
    objective32, coef = make_problem("dense32")
    X64 = np.asarray(objective32.X, dtype=np.float64)
    objective64 = BCEObjective(X64, objective32.y, objective32.sample_weight, C=objective32.C)
    v32, g32 = objective32.loss_gradient(coef)
    v64, g64 = objective64.loss_gradient(coef)
    assert v32 == pytest.approx(v64, rel=1e-14)
    np.testing.assert_allclose(g32, g64, rtol=1e-13, atol=1e-13)


def test_extreme_coefficients_stay_finite():
    objective, coef = make_problem("dense64")
    huge = coef * 1e150
    value, grad = objective.loss_gradient(huge)
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    assert np.all(np.isfinite(objective.hessian(huge)))


def test_positive_rate_is_the_weighted_mean_of_y():
    rng = np.random.default_rng(2)
    y = rng.random(30_000)  # soft labels too
    s = rng.exponential(size=30_000)
    objective = BCEObjective(rng.normal(size=(30_000, 2)), y, s)
    np.testing.assert_allclose(objective.positive_rate(), np.average(y, weights=s), rtol=1e-13)
