"""Pointwise binary cross-entropy in logit space.

For one sample with logit ``z`` and (possibly soft) label ``y`` in [0, 1]:

    ŷ      = σ(z) = 1 / (1 + exp(-z))                         seed eq. (2)
    L(z)   = -[y log ŷ + (1 - y) log(1 - ŷ)]                  seed eq. (1)
           = softplus(z) - y z                                 (log ŷ = -softplus(-z))
    L'(z)  = σ(z) - y                                          seed eqs. (5) x (10)
    L''(z) = σ(z) (1 - σ(z))                                   seed eq. (10)

Every function here is written so that it is finite and accurate for every finite ``z``
(``±1e300`` included): ``log σ(z)`` is never formed, and each one evaluates a single
``exp(-|z|)``, which can underflow to zero but never overflow.

The scalar functions (``*_scalar``) are compiled with numba and inlined into the fused kernels
of ``_kernels.py``; the array versions are numba ufuncs built from the same scalar code, so the
functional API and the kernels share one implementation.
"""

from __future__ import annotations

import math

import numba
import numpy as np

# float32 first: numba picks the first loop the input casts to safely, and float32 data
# should stay float32.
_SIGNATURES_1 = ["float32(float32)", "float64(float64)"]
_SIGNATURES_2 = ["float32(float32, float32)", "float64(float64, float64)"]

_scalar = numba.njit(inline="always", cache=True)


@_scalar
def sigmoid_scalar(z):
    # Two branches so that exp() only ever sees a non-positive argument.
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@_scalar
def log_sigmoid_scalar(z):
    # log σ(z) = -softplus(-z) = min(z, 0) - log1p(exp(-|z|)).
    return min(z, 0.0) - math.log1p(math.exp(-abs(z)))


@_scalar
def softplus_scalar(z):
    # softplus(z) = log(1 + exp(z)) = max(z, 0) + log1p(exp(-|z|)).
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))


@_scalar
def _linear_part(z, y):
    # softplus(z) - y z = max(z, 0) - y z + log1p(exp(-|z|)); the first two terms are
    # formed as (1 - y) z for z ≥ 0 and -y z for z < 0, so for a confident correct prediction
    # (y = 1, z >> 0) they are exactly 0 and the tiny loss log1p(exp(-z)) keeps its full
    # relative precision, and a soft label near 1 does not round y z against z.
    if z >= 0.0:
        return (1.0 - y) * z
    return -y * z


@_scalar
def loss_scalar(z, y):
    # Seed eq. (1) as softplus(z) - y z, see _linear_part.
    return _linear_part(z, y) + math.log1p(math.exp(-abs(z)))


@_scalar
def loss_gradient_scalar(z, y):
    """Return (L(z), L'(z)) from one exp, for the fused value-and-gradient pass."""
    e = math.exp(-abs(z))
    loss = _linear_part(z, y) + math.log1p(e)
    # L'(z) = σ(z) - y, seed eq. (12) before the factor x. Written over the common
    # denominator 1 + e so that σ(z) - y keeps its relative precision when σ(z) ≈ y.
    if z >= 0.0:
        grad = ((1.0 - y) - y * e) / (1.0 + e)
    else:
        grad = ((1.0 - y) * e - y) / (1.0 + e)
    return loss, grad


@_scalar
def gradient_scalar(z, y):
    # L'(z) = σ(z) - y (seed eqs. (5) and (10) multiplied), see loss_gradient_scalar.
    e = math.exp(-abs(z))
    if z >= 0.0:
        return ((1.0 - y) - y * e) / (1.0 + e)
    return ((1.0 - y) * e - y) / (1.0 + e)


@_scalar
def hessian_scalar(z):
    # L''(z) = σ(z)(1 - σ(z)) = e / (1 + e)^2 with e = exp(-|z|), seed eq. (10); symmetric in z.
    e = math.exp(-abs(z))
    return e / ((1.0 + e) * (1.0 + e))


# The array versions are built on first use (module __getattr__, PEP 562): loading their
# compiled code from numba's cache takes a noticeable fraction of a second, which
# ``import logitfit`` should not pay for functions most fits never call.
_UFUNCS = {
    "sigmoid": (_SIGNATURES_1, sigmoid_scalar),
    "log_sigmoid": (_SIGNATURES_1, log_sigmoid_scalar),
    "softplus": (_SIGNATURES_1, softplus_scalar),
    "loss": (_SIGNATURES_2, loss_scalar),
    "gradient": (_SIGNATURES_2, gradient_scalar),
    "hessian": (_SIGNATURES_1, hessian_scalar),
}


def __getattr__(name):
    if name not in _UFUNCS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    signatures, scalar = _UFUNCS[name]
    ufunc = numba.vectorize(signatures, cache=True)(scalar.py_func)
    globals()[name] = ufunc
    return ufunc


def as_float_array(a) -> np.ndarray:
    """Return ``a`` as a float32 or float64 array (the two dtypes the ufuncs are built for)."""
    a = np.asarray(a)
    if a.dtype not in (np.float32, np.float64):
        a = a.astype(np.float64)
    return a
