"""The functional API against SciPy's special functions, scikit-learn's log_loss and
five-point finite differences."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.special
from conftest import make_classification_data
from sklearn.metrics import log_loss
from test_objective import five_point

import logitfit

Z = np.concatenate([np.linspace(-50, 50, 101), [-1e4, 1e4, -800.0, 800.0]])


def test_pointwise_functions_match_scipy_special():
    np.testing.assert_allclose(logitfit.sigmoid(Z), scipy.special.expit(Z), rtol=1e-15)
    np.testing.assert_allclose(logitfit.log_sigmoid(Z), scipy.special.log_expit(Z),
                               rtol=1e-14)
    expit = scipy.special.expit
    np.testing.assert_allclose(logitfit.sigmoid_derivative(Z), expit(Z) * expit(-Z),
                               rtol=1e-13, atol=1e-300)
    for y in (0.0, 0.35, 1.0):
        expected = -(y * scipy.special.log_expit(Z) + (1 - y) * scipy.special.log_expit(-Z))
        # Rounding of y z is relative to |z|, not to the (possibly tiny) loss.
        error = np.abs(logitfit.bce_from_logits(Z, y) - expected)
        assert np.all(error <= 1e-12 * np.abs(expected) + 1e-15 * np.abs(Z))


def test_sigmoid_derivative_is_the_derivative_of_sigmoid():
    z = np.linspace(-20, 20, 41)
    numeric = np.diag(five_point(logitfit.sigmoid, z, 1e-3))
    np.testing.assert_allclose(logitfit.sigmoid_derivative(z), numeric, atol=1e-12)


def test_integer_and_list_input():
    assert logitfit.sigmoid([0, 0]).tolist() == [0.5, 0.5]
    assert logitfit.bce_from_logits(0, 1) == pytest.approx(np.log(2))


@pytest.fixture(scope="module")
def data():
    X, y = make_classification_data(120, 4, seed=11)
    rng = np.random.default_rng(4)
    return X, y, rng.normal(size=4), 0.3, rng.uniform(0.5, 2, size=len(y))


@pytest.mark.parametrize("sparse", [False, True])
def test_loss_matches_sklearn_log_loss(data, sparse):
    X, y, w, b, weights = data
    X_in = sp.csr_matrix(X) if sparse else X
    p = scipy.special.expit(X @ w + b)
    assert logitfit.bce_loss(X_in, y, w, b) == pytest.approx(log_loss(y, p), rel=1e-12)
    assert logitfit.bce_loss(X_in, y, w, b, sample_weight=weights) == pytest.approx(
        log_loss(y, p, sample_weight=weights), rel=1e-12)
    assert logitfit.bce_loss(X_in, y, w, b, reduction="sum") == pytest.approx(
        len(y) * log_loss(y, p), rel=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_gradient_is_eq_12_and_matches_finite_differences(data, reduction):
    X, y, w, b, weights = data
    grad_w, grad_b = logitfit.bce_gradient(X, y, w, b, sample_weight=weights,
                                           reduction=reduction)
    residual = weights * (scipy.special.expit(X @ w + b) - y)
    divisor = weights.sum() if reduction == "mean" else 1.0
    np.testing.assert_allclose(grad_w, X.T @ residual / divisor, rtol=1e-12)
    assert grad_b == pytest.approx(residual.sum() / divisor, rel=1e-12)
    theta = np.r_[w, b]
    numeric = five_point(
        lambda t: np.array([logitfit.bce_loss(X, y, t[:-1], t[-1], sample_weight=weights,
                                              reduction=reduction)]),
        theta, 1e-3,
    ).ravel()
    np.testing.assert_allclose(np.r_[grad_w, grad_b], numeric, atol=1e-8 * np.abs(numeric).max())


def test_hessian_matches_finite_differences_of_the_gradient(data):
    X, y, w, b, weights = data
    hess = logitfit.bce_hessian(X, w, b, sample_weight=weights)
    numeric = five_point(
        lambda t: np.r_[logitfit.bce_gradient(X, y, t[:-1], t[-1], sample_weight=weights)],
        np.r_[w, b], 1e-3,
    )
    np.testing.assert_allclose(hess, numeric, atol=1e-8 * np.abs(hess).max())
    assert np.all(np.linalg.eigvalsh(hess) > 0)


def test_shape_errors_name_the_expected_shape(data):
    X, y, w, b, _ = data
    with pytest.raises(ValueError, match=r"w must have shape \(4,\)"):
        logitfit.bce_loss(X, y, w[:2], b)
    with pytest.raises(ValueError, match=r"y must have shape \(120,\)"):
        logitfit.bce_gradient(X, y[:5], w, b)
    with pytest.raises(ValueError, match="2-dimensional"):
        logitfit.bce_hessian(X[0], w, b)
    with pytest.raises(ValueError, match="reduction must be"):
        logitfit.bce_loss(X, y, w, b, reduction="none")


def test_bad_values_are_refused_with_the_fix(data):
    X, y, w, b, _ = data
    labels = "y must hold labels in \\[0, 1\\]"
    with pytest.raises(ValueError, match=labels):
        logitfit.bce_loss(X, np.where(y > 0.5, 2.0, 0.0), w, b)
    with pytest.raises(ValueError, match=labels):
        logitfit.bce_gradient(X, np.r_[np.nan, y[1:]], w, b)
    with pytest.raises(ValueError, match=labels):
        logitfit.bce_from_logits(3.0, 5.0)
    with pytest.raises(ValueError, match="X contains NaN"):
        logitfit.bce_loss(np.r_[[np.full(4, np.nan)], X[1:]], y, w, b)
    with pytest.raises(ValueError, match="w and b must be finite"):
        logitfit.bce_loss(X, y, np.r_[np.inf, w[1:]], b)
    weights = "sample_weight must be finite and non-negative, with at least one positive"
    for bad in (np.r_[-1.0, np.ones(len(y) - 1)], np.zeros(len(y))):
        with pytest.raises(ValueError, match=weights):
            logitfit.bce_hessian(X, w, b, sample_weight=bad)
    with pytest.raises(ValueError, match="X has no rows"):
        logitfit.bce_loss(X[:0], y[:0], w, b)


def test_loss_is_exact_for_huge_coefficients_and_infinite_logits():
    # The loss of logits ±1e300 (from a huge w, not a huge X) is 1e300 or 0, not NaN: the
    # functional API's objective has no penalty, and 0 · ‖w‖² stays 0 when ‖w‖² overflows.
    X = np.array([[1.0], [1.0], [-1.0]])
    assert logitfit.bce_loss(X, [1, 0, 0], [1e300], reduction="sum") == 1e300
    assert logitfit.bce_loss(np.zeros((2, 1)), [1, 0], [1e200]) == pytest.approx(np.log(2))
    # The limits at infinite logits: 0 on the label's side, +inf on the other.
    np.testing.assert_array_equal(
        logitfit.bce_from_logits([np.inf, np.inf, -np.inf, -np.inf, np.inf], [1, 0, 0, 1, 0.5]),
        [0.0, np.inf, 0.0, np.inf, np.inf])
