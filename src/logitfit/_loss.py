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
functional API and the kernels share one implementation. ``loss_gradient_block`` evaluates the
same formulas for a few rows at once, with exp and log1p from their series so that the
compiler can vectorise them (the dense kernels use it).
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
    # relative precision, and a soft label near 1 does not round y z against z. A hard label
    # on the side of an infinite logit contributes 0, not 0 · ∞.
    if z >= 0.0:
        return 0.0 if y == 1.0 else (1.0 - y) * z
    return 0.0 if y == 0.0 else -y * z


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


# --------------------------------------------------------------------------- blocks of logits
#
# The fused kernels evaluate L and L' for a few rows at a time. The scalar functions above
# call libm's exp and log1p, which the compiler cannot vectorise; for a block it is cheaper to
# evaluate both from their series in code that it can:
#
# * e = exp(x) for x = -|z| ≤ 0: x = n ln 2 + r with n = round(x / ln 2) and |r| ≤ ln 2 / 2
#   (ln 2 split in two parts so that n ln 2 is exact); exp(r) from its Taylor series to r¹³
#   (the next term is below 5e-18 relative); 2ⁿ built from its bits.
# * log1p(e) for e in [0, 1]: with s = e / (2 + e) in [0, 1/3], log1p(e) = 2 atanh(s)
#   = 2 Σⱼ s²ʲ⁺¹ / (2j + 1), summed to j = 16 (the next term is below 2e-18 relative).
#
# Both are accurate to a few units in the last place. Logits with |z| > 708, where exp(-|z|)
# is subnormal, and NaN go through the scalar functions instead.

_LOG2_E = 1.4426950408889634
# ln 2 = _LN2_HI + _LN2_LO, with _LN2_HI's trailing 32 bits zero so n·_LN2_HI is exact.
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_BLOCK_SERIES_LIMIT = 708.0
_ROUNDING_SHIFT = 6755399441055744.0


# error_model="numpy": numba otherwise guards every division with a zero check that raises
# ZeroDivisionError, and the branch stops the loop from vectorising (the divisors here are
# 2 + e and 1 + e, never zero).
# fastmath "contract" (and nothing else): a * b + c may become one fused multiply-add, which
# rounds once instead of twice. Horner's rule is then a chain of FMAs, half the latency of
# separate multiplies and adds, and the block runs in about two thirds of the time. No
# expression here is a difference of two products, where fusing only one of them could
# change a sign, so each contraction is at least as accurate as the written form.
@numba.njit(cache=True, error_model="numpy", fastmath={"contract"})
def loss_gradient_block(z, y, loss, grad, scratch_bits):
    """Store L(zₖ) in ``loss`` and L'(zₖ) = σ(zₖ) - yₖ in ``grad`` for every k.

    The block version of :func:`loss_gradient_scalar` (same formulas, see above), for short
    arrays (a few rows of a fused pass). ``loss``, ``grad`` and ``scratch_bits`` (int64, used
    to build powers of two) may be longer than ``z``: only their first ``len(z)`` entries are
    written.
    """
    m = z.shape[0]
    for k in range(m):
        x = -abs(z[k])
        x = x if x >= -_BLOCK_SERIES_LIMIT else -_BLOCK_SERIES_LIMIT
        # n = round(x / ln 2): adding and subtracting 1.5·2⁵² rounds to an integer in
        # arithmetic the compiler vectorises (a call to floor would not be).
        n = (x * _LOG2_E + _ROUNDING_SHIFT) - _ROUNDING_SHIFT
        r = (x - n * _LN2_HI) - n * _LN2_LO
        # Horner's rule written out: a loop over a tuple of coefficients stops the compiler
        # from vectorising the enclosing loop. 1/k! for k = 13..0.
        p = 1.0 / 6227020800.0
        p = p * r + 1.0 / 479001600.0
        p = p * r + 1.0 / 39916800.0
        p = p * r + 1.0 / 3628800.0
        p = p * r + 1.0 / 362880.0
        p = p * r + 1.0 / 40320.0
        p = p * r + 1.0 / 5040.0
        p = p * r + 1.0 / 720.0
        p = p * r + 1.0 / 120.0
        p = p * r + 1.0 / 24.0
        p = p * r + 1.0 / 6.0
        p = p * r + 0.5
        p = p * r + 1.0
        p = p * r + 1.0
        grad[k] = p
        scratch_bits[k] = (np.int64(n) + 1023) << 52
    powers_of_two = scratch_bits.view(np.float64)
    for k in range(m):
        e = grad[k] * powers_of_two[k]
        s = e / (2.0 + e)
        t = s * s
        q = 1.0 / 33.0  # 1/(2j + 1) for j = 16..0, written out as above
        q = q * t + 1.0 / 31.0
        q = q * t + 1.0 / 29.0
        q = q * t + 1.0 / 27.0
        q = q * t + 1.0 / 25.0
        q = q * t + 1.0 / 23.0
        q = q * t + 1.0 / 21.0
        q = q * t + 1.0 / 19.0
        q = q * t + 1.0 / 17.0
        q = q * t + 1.0 / 15.0
        q = q * t + 1.0 / 13.0
        q = q * t + 1.0 / 11.0
        q = q * t + 1.0 / 9.0
        q = q * t + 1.0 / 7.0
        q = q * t + 1.0 / 5.0
        q = q * t + 1.0 / 3.0
        q = q * t + 1.0
        zk = z[k]
        yk = y[k]
        # Seed eq. (1) as softplus(z) - y z and its derivative σ(z) - y (eqs. (5) x (10)),
        # with the branches of _linear_part and loss_gradient_scalar as selects of values,
        # which vectorise: (1 - y) z or -y z; ((1 - y) - y e) or ((1 - y) e - y), over 1 + e.
        positive = zk >= 0.0
        slope = (1.0 - yk) if positive else -yk
        loss[k] = slope * zk + 2.0 * s * q
        numerator = ((1.0 - yk) - yk * e) if positive else ((1.0 - yk) * e - yk)
        grad[k] = numerator / (1.0 + e)
    for k in range(m):
        if not abs(z[k]) <= _BLOCK_SERIES_LIMIT:
            loss[k], grad[k] = loss_gradient_scalar(z[k], y[k])


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
