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


def _block(z, y):
    z = np.ascontiguousarray(z, dtype=np.float64)
    y = np.broadcast_to(np.asarray(y, dtype=np.float64), z.shape).copy()
    loss, grad = np.empty_like(z), np.empty_like(z)
    _loss.loss_gradient_block(z, y, loss, grad, np.empty(z.size, dtype=np.int64))
    return loss, grad


def _mp_loss_gradient(z, y):
    # L = softplus(z) - y z and L' = σ(z) - y at 60 digits. 60 digits cannot absorb the
    # cancellation of softplus(z) - z for z near 700, so both are written over e = exp(-|z|)
    # without a difference of large terms: L = (1 - y) z + log1p(e) and
    # L' = ((1 - y) - y e) / (1 + e) for z ≥ 0, the mirror images for z < 0.
    with mpmath.workdps(60):
        zm, ym = mpmath.mpf(float(z)), mpmath.mpf(float(y))
        e = mpmath.exp(-abs(zm))
        if zm >= 0:
            loss = (1 - ym) * zm + mpmath.log1p(e)
            grad = ((1 - ym) - ym * e) / (1 + e)
        else:
            loss = -ym * zm + mpmath.log1p(e)
            grad = ((1 - ym) * e - ym) / (1 + e)
        return float(loss), float(grad)


@pytest.mark.parametrize("y", [0.0, 1.0, 0.3, 0.999])
def test_block_loss_gradient_against_mpmath(y):
    # The block form (its own exp and log1p series, vectorised by the compiler) against
    # 60-digit arithmetic: a few units in the last place everywhere, including where the
    # loss or the gradient is tiny, and the subnormal range |z| > 708 that it defers.
    rng = np.random.default_rng(4)
    z = np.r_[0.0, 5e-324, -5e-324, 1e-300, 1e-8, -1e-8, np.log(2) / 2, -np.log(2) / 2,
              0.5, -0.5, 1.0, 20.0, -20.0, 36.7, -36.7, 500.0, -500.0, 707.9, -707.9,
              708.0, -708.0, 708.1, -708.1, 745.0, -745.0, 800.0, -800.0,
              rng.standard_normal(400) * 5.0, rng.standard_normal(200) * 200.0]
    loss, grad = _block(z, y)
    reference = np.array([_mp_loss_gradient(zi, y) for zi in z])
    # Relative error (against the smallest normal number where the value is subnormal). For a
    # soft label, σ(z) - y cancels near σ(z) = y, as it does in every float64 formula, so the
    # gradient's error is measured against the size of the terms, 1, there.
    grad_floor = 1.0 if 0.0 < y < 1.0 else np.finfo(float).tiny
    for got, want, floor in ((loss, reference[:, 0], np.finfo(float).tiny),
                             (grad, reference[:, 1], grad_floor)):
        error = np.abs(got - want) / np.maximum(np.abs(want), floor)
        assert error.max() <= 8 * np.finfo(float).eps, z[np.argmax(error)]


@pytest.mark.parametrize("y", [0.0, 1.0, 0.4])
def test_block_loss_gradient_matches_the_scalar_form_and_handles_non_finite(y):
    z = np.r_[np.linspace(-750.0, 750.0, 3001), 1e4, -1e4, 1e300, -1e300,
              np.inf, -np.inf, np.nan]
    loss, grad = _block(z, y)
    scalar = np.array([_loss.loss_gradient_scalar(zi, y) for zi in z])
    np.testing.assert_allclose(loss, scalar[:, 0], rtol=8 * np.finfo(float).eps, atol=0.0)
    grad_atol = 8 * np.finfo(float).eps if 0.0 < y < 1.0 else np.finfo(float).tiny
    np.testing.assert_allclose(grad, scalar[:, 1], rtol=8 * np.finfo(float).eps,
                               atol=grad_atol)
    assert np.isnan(loss[-1]) and np.isnan(grad[-1])
