"""The pointwise BCE functions against naive formulas, SymPy, and at extreme logits."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from logitfit import _loss

EXTREME = np.array([-1e300, -1e4, -745.0, -40.0, -1.0, 0.0, 1.0, 40.0, 745.0, 1e4, 1e300])
MODERATE = np.linspace(-8, 8, 81)  # where the naive formulas are still accurate


def naive_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def naive_loss(z, y):
    p = naive_sigmoid(z)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


@pytest.mark.parametrize("y", [0.0, 0.3, 1.0])
def test_functions_match_naive_formulas_where_those_are_finite(y):
    # The naive formulas round log(1 - p) and 1 - p to absolute (not relative) precision, so
    # the comparison allows an absolute error of a few ulps of 1.
    z = MODERATE
    labels = np.full_like(z, y)
    close = {"rtol": 1e-12, "atol": 4e-16}
    np.testing.assert_allclose(_loss.sigmoid(z), naive_sigmoid(z), **close)
    np.testing.assert_allclose(_loss.log_sigmoid(z), np.log(naive_sigmoid(z)), **close)
    np.testing.assert_allclose(_loss.softplus(z), np.log1p(np.exp(z)), **close)
    np.testing.assert_allclose(_loss.loss(z, labels), naive_loss(z, labels), rtol=1e-12,
                               atol=4e-15)
    np.testing.assert_allclose(_loss.gradient(z, labels), naive_sigmoid(z) - y, **close)
    np.testing.assert_allclose(
        _loss.hessian(z), naive_sigmoid(z) * (1 - naive_sigmoid(z)), **close
    )


def test_against_sympy_at_high_precision():
    """Eq. (1) and its derivatives, differentiated by SymPy and evaluated in 800-digit
    arithmetic (mpmath), so that even e^-600 survives 1 - σ(z): a reference free of rounding."""
    z_sym, y_sym = sympy.symbols("z y", real=True)
    p = 1 / (1 + sympy.exp(-z_sym))
    loss_expr = -(y_sym * sympy.log(p) + (1 - y_sym) * sympy.log(1 - p))
    exprs = [loss_expr, sympy.diff(loss_expr, z_sym), sympy.diff(loss_expr, z_sym, 2)]
    functions = [sympy.lambdify((z_sym, y_sym), expr, modules="mpmath") for expr in exprs]
    for z in [-600.0, -50.0, -3.5, -1e-3, 0.0, 2.25, 37.0, 600.0]:
        for y in [0.0, 0.25, 1.0]:
            with mpmath.workdps(800):
                expected = [float(f(mpmath.mpf(z), mpmath.mpf(y))) for f in functions]
            got_loss, got_grad = _loss.loss_gradient_scalar(z, y)
            np.testing.assert_allclose(got_loss, expected[0], rtol=1e-14, atol=1e-300)
            np.testing.assert_allclose(got_grad, expected[1], rtol=1e-14, atol=1e-300)
            np.testing.assert_allclose(_loss.hessian_scalar(z), expected[2], rtol=1e-13,
                                       atol=1e-300)


def test_confident_correct_predictions_keep_relative_precision():
    # y = 1, z = 36: the loss is log1p(e^-36) ≈ 2.3e-16; softplus(z) - z would round to 0.
    for z in [20.0, 36.0, 100.0]:
        loss, grad = _loss.loss_gradient_scalar(z, 1.0)
        assert loss == pytest.approx(np.log1p(np.exp(-z)), rel=1e-14)
        assert grad == pytest.approx(-np.exp(-z) / (1 + np.exp(-z)), rel=1e-14)


@pytest.mark.parametrize("y", [0.0, 0.5, 1.0])
def test_finite_at_extreme_logits(y):
    labels = np.full_like(EXTREME, y)
    for values in (
        _loss.sigmoid(EXTREME), _loss.log_sigmoid(EXTREME), _loss.softplus(EXTREME),
        _loss.loss(EXTREME, labels), _loss.gradient(EXTREME, labels), _loss.hessian(EXTREME),
    ):
        assert np.all(np.isfinite(values))
    # The asymptotes are exact: a wrong prediction costs |z|, a right one nothing.
    loss = _loss.loss(EXTREME, labels)
    if y == 1.0:
        assert loss[0] == 1e300 and loss[-1] == 0.0
    if y == 0.0:
        assert loss[0] == 0.0 and loss[-1] == 1e300
    assert _loss.sigmoid(EXTREME)[0] == 0.0 and _loss.sigmoid(EXTREME)[-1] == 1.0


def test_float32_ufuncs_keep_float32():
    z = MODERATE.astype(np.float32)
    assert _loss.sigmoid(z).dtype == np.float32
    np.testing.assert_allclose(_loss.sigmoid(z), naive_sigmoid(MODERATE), rtol=1e-6)


@given(
    z=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    y=st.floats(min_value=0.0, max_value=1.0),
)
def test_gradient_is_the_derivative_of_the_loss(z, y):
    """Central differences of the loss reproduce σ(z) - y (seed eq. (12) before the factor x)."""
    h = 1e-4 * max(1.0, abs(z))
    numeric = (_loss.loss_scalar(z + h, y) - _loss.loss_scalar(z - h, y)) / (2 * h)
    analytic = _loss.gradient_scalar(z, y)
    scale = max(1.0, abs(_loss.loss_scalar(z, y)) / h)
    assert abs(numeric - analytic) <= 1e-6 * scale


@given(z=st.floats(min_value=-700, max_value=700), y=st.floats(min_value=0.0, max_value=1.0))
def test_hessian_is_the_derivative_of_the_gradient(z, y):
    h = 1e-5
    numeric = (_loss.gradient_scalar(z + h, y) - _loss.gradient_scalar(z - h, y)) / (2 * h)
    assert abs(numeric - _loss.hessian_scalar(z)) <= 1e-8


@given(z=st.floats(min_value=-1e300, max_value=1e300), y=st.floats(min_value=0.0, max_value=1.0))
def test_soft_label_loss_is_the_mix_of_hard_label_losses(z, y):
    """BCE is linear in y: L(z, y) = y L(z, 1) + (1 - y) L(z, 0), also for soft labels."""
    mixed = y * _loss.loss_scalar(z, 1.0) + (1 - y) * _loss.loss_scalar(z, 0.0)
    assert np.isfinite(_loss.loss_scalar(z, y))
    # Rounding of y z is relative to |z|, not to the (possibly tiny) loss.
    assert _loss.loss_scalar(z, y) == pytest.approx(mixed, rel=1e-12, abs=1e-15 * abs(z))


def test_import_leaves_the_array_functions_unbuilt():
    """``import logitfit`` must not load the ufuncs' compiled code (a large part of start-up)."""
    import subprocess
    import sys

    code = ("import logitfit, logitfit._loss as m; "
            "print(sorted(name for name in m._UFUNCS if name in vars(m)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
