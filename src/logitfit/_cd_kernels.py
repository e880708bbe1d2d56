"""Column-wise passes for coordinate descent on the quadratic model of the BCE objective.

The proximal Newton solver (``solvers/cd.py``) minimises, at the current θ = [w, b], the model

    q(Δ) = ∇f·Δ + ½ Σᵢ hᵢ (Δzᵢ)² + ½ (λ₂ + ν) ‖Δw‖² + ½ ν Δb² + λ₁ ‖w + Δw‖₁,
    Δz = X Δw + Δb,   hᵢ = sᵢ σ(zᵢ)(1 - σ(zᵢ))   (seed eq. (12) differentiated once more)

one coordinate at a time. For coordinate j the model's smooth derivative and curvature are

    Gⱼ = ∇ⱼf + Σᵢ hᵢ xᵢⱼ Δzᵢ + (λ₂ + ν) Δwⱼ,     Aⱼ = Σᵢ hᵢ xᵢⱼ² + λ₂ + ν,

and the exact minimiser along it is the soft-threshold uⱼ = S(wⱼ + Δwⱼ - Gⱼ/Aⱼ, λ₁/Aⱼ).
Keeping Δz up to date makes every update cost one read of column j and one write of its rows:
no n x d temporary, no Hessian matrix.

Columns must be contiguous for this to be fast, so the solver gives these kernels X in
column-major form: CSC arrays for sparse data, a Fortran-ordered array for dense data (one copy
of X, made once per objective and reused along a regularisation path). ν is a tiny damping
term (newGLMNET's) that keeps Aⱼ positive for columns the weights hᵢ do not see.

The active set is a list of column indices; glmnet's scheme is used inside it: one sweep over
the whole active set, then sweeps over its non-zero coordinates only until they settle, then
a whole sweep again to check, until a whole sweep moves nothing by more than the tolerance
(measured, as the outer rule is, by the model's minimum-norm subgradient).
"""

from __future__ import annotations

import numba
import numpy as np
from numba import prange

from ._loss import loss_scalar


@numba.njit(inline="always", cache=True)
def _soft_threshold(value, threshold):
    if value > threshold:
        return value - threshold
    if value < -threshold:
        return value + threshold
    return 0.0


@numba.njit(inline="always", cache=True)
def _coordinate_violation(u, G, lam):
    # The model's minimum-norm subgradient along one coordinate at the value u.
    if u > 0.0:
        return abs(G + lam)
    if u < 0.0:
        return abs(G - lam)
    return max(abs(G) - lam, 0.0)


@numba.njit(inline="always", cache=True)
def _intercept_update(h, dz, grad_b, a_b, nu, db):
    # Newton step on Δb: the intercept is unpenalised and its column is all ones.
    acc = 0.0
    for i in range(dz.shape[0]):
        acc += h[i] * dz[i]
    G = grad_b + acc + nu * db
    delta = -G / a_b
    if delta != 0.0:
        for i in range(dz.shape[0]):
            dz[i] += delta
    return delta, abs(G)


@numba.njit(inline="always", cache=True)
def _total(h):
    acc = 0.0
    for i in range(h.shape[0]):
        acc += h[i]
    return acc


# --------------------------------------------------------------------------- dense (Fortran)


# Reassociation lets LLVM vectorise the column reductions (as in ``_kernels``' dot products).
_vectorised = numba.njit(fastmath={"reassoc", "contract"}, cache=True)


@_vectorised
def _dense_sweep(Xf, h, grad, w, dw, dz, curvature, coords, n_coords, lam1, l2nu):
    # The update Δz += δ x_j of one coordinate is applied in the same loop that reads Δz for
    # the next coordinate's derivative: one pass over Δz (and the two columns) per
    # coordinate instead of two. The last pending update is applied before returning.
    violation = 0.0
    n = Xf.shape[0]
    pending = 0
    pending_delta = 0.0
    for k in range(n_coords):
        j = coords[k]
        column = Xf[:, j]
        acc = 0.0
        if pending_delta != 0.0:
            previous = Xf[:, pending]
            for i in range(n):
                updated = dz[i] + pending_delta * previous[i]
                dz[i] = updated
                acc += h[i] * column[i] * updated
        else:
            for i in range(n):
                acc += h[i] * column[i] * dz[i]
        G = grad[j] + acc + l2nu * dw[j]
        u0 = w[j] + dw[j]
        violation = max(violation, _coordinate_violation(u0, G, lam1))
        u = _soft_threshold(u0 - G / curvature[j], lam1 / curvature[j])
        pending_delta = u - u0
        pending = j
        dw[j] += pending_delta
    if pending_delta != 0.0:
        previous = Xf[:, pending]
        for i in range(n):
            dz[i] += pending_delta * previous[i]
    return violation


@_vectorised
def dense_cd_inner(Xf, h, grad, w, active, lam1, l2, nu, fit_intercept, grad_b, tol,
                   max_sweeps):
    """Minimise the model over ``active`` (dense, Fortran-ordered X of shape (n, d)).

    Returns (Δw of shape (d,), Δb, Δz of shape (n,), number of sweeps).
    """
    n, d = Xf.shape
    dw = np.zeros(d)
    dz = np.zeros(n)
    db = 0.0
    l2nu = l2 + nu
    curvature = np.ones(d)
    for k in range(active.shape[0]):
        j = active[k]
        column = Xf[:, j]
        acc = 0.0
        for i in range(n):
            acc += h[i] * column[i] * column[i]
        curvature[j] = acc + l2nu
    a_b = _total(h) + nu
    nonzero = np.empty_like(active)
    sweeps = 0
    while sweeps < max_sweeps:
        violation = _dense_sweep(Xf, h, grad, w, dw, dz, curvature, active, active.shape[0],
                                 lam1, l2nu)
        if fit_intercept:
            delta, v_b = _intercept_update(h, dz, grad_b, a_b, nu, db)
            db += delta
            violation = max(violation, v_b)
        sweeps += 1
        if violation <= tol:
            break
        n_nonzero = 0
        for k in range(active.shape[0]):
            j = active[k]
            if w[j] + dw[j] != 0.0:
                nonzero[n_nonzero] = j
                n_nonzero += 1
        while sweeps < max_sweeps:
            violation = _dense_sweep(Xf, h, grad, w, dw, dz, curvature, nonzero, n_nonzero,
                                     lam1, l2nu)
            if fit_intercept:
                delta, v_b = _intercept_update(h, dz, grad_b, a_b, nu, db)
                db += delta
                violation = max(violation, v_b)
            sweeps += 1
            if violation <= tol:
                break
    return dw, db, dz, sweeps


# --------------------------------------------------------------------------- Gram (dense, n >> |A|)


@numba.njit(cache=True)
def _gram_sweep(gram, cross, grad, w, dw, model_grad, model_grad_b, coords, n_coords, lam1,
                l2nu):
    # model_grad[k] = Σᵢ hᵢ xᵢⱼ Δzᵢ for j = active[k], kept up to date from the Gram matrix:
    # an update δ of coordinate k adds δ·gram[:, k] (and δ·cross[k] to the intercept's).
    violation = 0.0
    n_active = gram.shape[0]
    for c in range(n_coords):
        k = coords[c]
        G = grad[k] + model_grad[k] + l2nu * dw[k]
        u0 = w[k] + dw[k]
        violation = max(violation, _coordinate_violation(u0, G, lam1))
        curvature = gram[k, k] + l2nu
        u = _soft_threshold(u0 - G / curvature, lam1 / curvature)
        delta = u - u0
        if delta != 0.0:
            dw[k] += delta
            for q in range(n_active):
                model_grad[q] += delta * gram[q, k]
            model_grad_b[0] += delta * cross[k]
    return violation


@numba.njit(cache=True)
def _gram_intercept_update(cross, total, grad_b, nu, db, model_grad, model_grad_b):
    G = grad_b + model_grad_b[0] + nu * db
    delta = -G / (total + nu)
    if delta != 0.0:
        for q in range(model_grad.shape[0]):
            model_grad[q] += delta * cross[q]
        model_grad_b[0] += delta * total
    return delta, abs(G)


@numba.njit(cache=True)
def _gram_pass(state, coords, n_coords, db):
    # One sweep over ``coords``, then the intercept: (model KKT violation, new Δb).
    (gram, cross, total, grad, w, dw, model_grad, model_grad_b, lam1, l2nu, nu,
     fit_intercept, grad_b) = state
    violation = _gram_sweep(gram, cross, grad, w, dw, model_grad, model_grad_b, coords,
                            n_coords, lam1, l2nu)
    if fit_intercept:
        delta, v_b = _gram_intercept_update(cross, total, grad_b, nu, db, model_grad,
                                            model_grad_b)
        db += delta
        violation = max(violation, v_b)
    return violation, db


@numba.njit(cache=True)
def gram_cd_inner(gram, cross, total, grad, w, lam1, l2, nu, fit_intercept, grad_b, tol,
                  max_sweeps):
    """:func:`dense_cd_inner` from the Gram matrix of the active columns (glmnet's covariance
    updates).

    ``gram`` (k, k) = X_Aᵀ diag(h) X_A, ``cross`` (k,) = X_Aᵀ h and ``total`` = Σ h for the k
    active columns A; ``grad`` and ``w`` are restricted to A. A coordinate update costs O(k)
    instead of a pass over a column of n rows, so once the Gram matrix is built (n k² / 2
    multiply-adds, at BLAS speed) sweeps are nearly free: the better choice when the inner
    solve needs many sweeps and n >> k.

    Returns (Δw_A of shape (k,), Δb, number of sweeps); Δz = X_A Δw_A + Δb is left to the
    caller.
    """
    k = gram.shape[0]
    dw = np.zeros(k)
    db = 0.0
    l2nu = l2 + nu
    model_grad = np.zeros(k)
    model_grad_b = np.zeros(1)
    everything = np.arange(k)
    nonzero = np.empty(k, dtype=np.int64)
    state = (gram, cross, total, grad, w, dw, model_grad, model_grad_b, lam1, l2nu, nu,
             fit_intercept, grad_b)
    sweeps = 0
    while sweeps < max_sweeps:
        violation, db = _gram_pass(state, everything, k, db)
        sweeps += 1
        if violation <= tol:
            break
        n_nonzero = 0
        for q in range(k):
            if w[q] + dw[q] != 0.0:
                nonzero[n_nonzero] = q
                n_nonzero += 1
        while sweeps < max_sweeps:
            violation, db = _gram_pass(state, nonzero, n_nonzero, db)
            sweeps += 1
            if violation <= tol:
                break
    return dw, db, sweeps


# --------------------------------------------------------------------------- CSC


@numba.njit(cache=True)
def _csc_sweep(rows, data, hx, source, ptr, active, grad, w, dw, dz, curvature, coords,
               n_coords, lam1, l2nu):
    # ``coords`` are positions k in ``active``; column k's entries are data[source[k] + q]
    # (rows alike) with hᵢxᵢⱼ in hx[ptr[k] + q], for q < ptr[k + 1] - ptr[k].
    violation = 0.0
    for c in range(n_coords):
        k = coords[c]
        j = active[k]
        lo = ptr[k]
        length = ptr[k + 1] - lo
        src = source[k]
        acc = 0.0
        for q in range(length):
            acc += hx[lo + q] * dz[rows[src + q]]
        G = grad[j] + acc + l2nu * dw[j]
        u0 = w[j] + dw[j]
        violation = max(violation, _coordinate_violation(u0, G, lam1))
        u = _soft_threshold(u0 - G / curvature[k], lam1 / curvature[k])
        delta = u - u0
        if delta != 0.0:
            dw[j] += delta
            for q in range(length):
                dz[rows[src + q]] += delta * data[src + q]
    return violation


@numba.njit(cache=True)
def csc_cd_inner(data, rows, indptr, slots, n_samples, h, grad, w, active, lam1, l2, nu,
                 fit_intercept, grad_b, tol, max_sweeps):
    """CSC version of :func:`dense_cd_inner`.

    ``data, rows, indptr`` hold some columns of X in CSC form; feature j is column
    ``slots[j]`` there (every feature in ``active`` must have one).

    The products hᵢxᵢⱼ of the active columns are computed once per call: the model's
    derivative Gⱼ then reads one scattered n-vector (Δz) per entry instead of two (h and Δz).
    They cost 8 bytes per active non-zero, a fraction of what the columns themselves hold.
    """
    d = slots.shape[0]
    m = active.shape[0]
    dw = np.zeros(d)
    dz = np.zeros(n_samples)
    db = 0.0
    l2nu = l2 + nu
    source = np.empty(m, dtype=np.int64)
    ptr = np.zeros(m + 1, dtype=np.int64)
    for k in range(m):
        slot = slots[active[k]]
        source[k] = indptr[slot]
        ptr[k + 1] = ptr[k] + indptr[slot + 1] - indptr[slot]
    hx = np.empty(ptr[m])
    curvature = np.empty(m)
    for k in range(m):
        src = source[k]
        lo = ptr[k]
        acc = 0.0
        for q in range(ptr[k + 1] - lo):
            x = data[src + q]
            value = h[rows[src + q]] * x
            hx[lo + q] = value
            acc += value * x
        curvature[k] = acc + l2nu
    a_b = _total(h) + nu
    everything = np.arange(m)
    nonzero = np.empty(m, dtype=np.int64)
    sweeps = 0
    while sweeps < max_sweeps:
        violation = _csc_sweep(rows, data, hx, source, ptr, active, grad, w, dw, dz, curvature,
                               everything, m, lam1, l2nu)
        if fit_intercept:
            delta, v_b = _intercept_update(h, dz, grad_b, a_b, nu, db)
            db += delta
            violation = max(violation, v_b)
        sweeps += 1
        if violation <= tol:
            break
        n_nonzero = 0
        for k in range(m):
            j = active[k]
            if w[j] + dw[j] != 0.0:
                nonzero[n_nonzero] = k
                n_nonzero += 1
        while sweeps < max_sweeps:
            violation = _csc_sweep(rows, data, hx, source, ptr, active, grad, w, dw, dz,
                                   curvature, nonzero, n_nonzero, lam1, l2nu)
            if fit_intercept:
                delta, v_b = _intercept_update(h, dz, grad_b, a_b, nu, db)
                db += delta
                violation = max(violation, v_b)
            sweeps += 1
            if violation <= tol:
                break
    return dw, db, dz, sweeps


# --------------------------------------------------------------------------- CSR to CSC


@numba.njit(cache=True)
def _csr_to_csc(data, indices, indptr, n_features, out_rows):
    """Return (data, rows, indptr) of the same matrix in CSC form, by a counting sort.

    Rows are visited in order, so the row indices of every column come out sorted; nothing
    is allocated beyond the result (scipy's ``tocsc`` plus index casts costs several times
    more on the sizes CD is used for).
    """
    nnz = indptr[indptr.shape[0] - 1]
    col_ptr = np.zeros(n_features + 1, dtype=np.int64)
    for p in range(nnz):
        col_ptr[indices[p] + 1] += 1
    for j in range(n_features):
        col_ptr[j + 1] += col_ptr[j]
    fill = col_ptr[:-1].copy()
    out_data = np.empty(nnz, dtype=data.dtype)
    for i in range(indptr.shape[0] - 1):
        for p in range(indptr[i], indptr[i + 1]):
            j = indices[p]
            q = fill[j]
            out_data[q] = data[p]
            out_rows[q] = i
            fill[j] = q + 1
    return out_data, out_rows, col_ptr


@numba.njit(cache=True)
def column_counts(indices, n_features):
    """Return the number of stored entries of every column (``np.bincount`` without the
    cast of the int32 indices to int64 that it makes first)."""
    counts = np.zeros(n_features, dtype=np.int64)
    for p in range(indices.shape[0]):
        counts[indices[p]] += 1
    return counts


@numba.njit(cache=True)
def csr_extract_columns(data, indices, indptr, slot_of, col_ptr, out_rows):
    """Return (data, rows) in CSC form of the columns j with ``slot_of[j] >= 0``.

    Column j becomes column ``slot_of[j]`` of the result, whose column pointers ``col_ptr``
    the caller computed from the column counts; the row indices go to ``out_rows`` (its dtype
    chosen by the caller). One sequential pass over X, writes only for the chosen columns:
    when coordinate descent needs a few hundred of 50,000 columns this costs a fraction of a
    full transpose.
    """
    n_slots = col_ptr.shape[0] - 1
    fill = col_ptr[:-1].copy()
    out_data = np.empty(col_ptr[n_slots], dtype=data.dtype)
    for i in range(indptr.shape[0] - 1):
        for p in range(indptr[i], indptr[i + 1]):
            slot = slot_of[indices[p]]
            if slot >= 0:
                q = fill[slot]
                out_data[q] = data[p]
                out_rows[q] = i
                fill[slot] = q + 1
    return out_data, out_rows


def row_index_dtype(n_rows: int):
    """The narrowest index type for row numbers below ``n_rows``: int32 halves the index
    traffic of every column read."""
    return np.int32 if n_rows < 2**31 else np.int64


def csr_to_csc(data, indices, indptr, n_features):
    """CSC arrays (data, rows, indptr) of a CSR matrix; see :func:`_csr_to_csc`."""
    n_rows = indptr.shape[0] - 1
    rows = np.empty(int(indptr[n_rows]), dtype=row_index_dtype(n_rows))
    return _csr_to_csc(data, indices, indptr, n_features, rows)


# --------------------------------------------------------------------------- line search


def _shifted_loss(z, dz, step, y, sample_weight):
    acc = 0.0
    for i in prange(z.shape[0]):
        acc += sample_weight[i] * loss_scalar(z[i] + step * dz[i], y[i])
    return acc


_shifted_loss_parallel = numba.njit(parallel=True, cache=True)(_shifted_loss)
_shifted_loss_serial = numba.njit(cache=True)(_shifted_loss)

# Below this many rows a threaded pass costs more in thread wake-ups than the pass itself.
_MIN_ROWS_PARALLEL = 16384


def shifted_loss(z, dz, step, y, sample_weight):
    """Return Σ sᵢ L(zᵢ + step Δzᵢ, yᵢ): the loss along the search direction, no pass over X.

    The logits are linear in θ, so the line search of the proximal Newton method needs only
    the n-vectors z and Δz.
    """
    kernel = _shifted_loss_parallel if z.shape[0] >= _MIN_ROWS_PARALLEL else _shifted_loss_serial
    return kernel(z, dz, float(step), y, sample_weight)
