"""The fused kernels against plain numpy (two BLAS passes) and finite differences.

The row kernels take rows eight at a time, in groups of up to 64, and split them into
per-thread parts; the sizes here leave remainders of every length (n mod 8, n mod 64 and
n mod n_parts) so the tail loops are checked.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp

from logitfit import _kernels
from logitfit._objective import BCEObjective


def _data(n, d, dtype, seed=0):
    rng = np.random.default_rng(seed)
    X = (rng.normal(size=(n, d)) * np.logspace(-1, 1, d)).astype(dtype)
    y = rng.random(n)  # soft labels exercise both terms of the loss
    s = rng.uniform(0.5, 2.0, n)
    w = rng.normal(size=d) / np.logspace(-1, 1, d) / d
    return X, y, s, w


def _numpy_loss_gradient(X, y, s, w, b):
    z = X.astype(np.float64) @ w + b
    loss = np.logaddexp(0.0, z) - y * z
    r = s * (1.0 / (1.0 + np.exp(-z)) - y)
    return float(s @ loss), np.r_[X.astype(np.float64).T @ r, r.sum()], z


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n", [1, 3, 4, 5, 8, 10, 17, 37, 64, 77, 200])  # groups, blocks, rest
@pytest.mark.parametrize("n_parts", [1, 2, 3])
def test_dense_loss_gradient_matches_numpy(dtype, n, n_parts):
    X, y, s, w = _data(n, 7, dtype)
    z_out = np.empty(n)
    loss, grad = _kernels.dense_loss_gradient(X, y, s, w, 0.3, z_out, min(n_parts, n))
    ref_loss, ref_grad, ref_z = _numpy_loss_gradient(X, y, s, w, 0.3)
    np.testing.assert_allclose(loss, ref_loss, rtol=1e-12)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(z_out, ref_z, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("layout", ["F", "row-strided", "column-strided", "reversed"])
def test_dense_loss_gradient_on_any_memory_layout_matches_numpy(dtype, layout):
    # The pass requests the next rows' cache lines ahead of use, by one byte range when rows
    # are stored one after the other and row by row otherwise: every layout must give the
    # same sums.
    X, y, s, w = _data(300, 24, dtype, seed=3)
    views = {"F": lambda A: np.asfortranarray(A), "row-strided": lambda A: A[::3],
             "column-strided": lambda A: A[:, ::2], "reversed": lambda A: A[::-1, ::-1]}
    X = views[layout](X)
    y, s, w = y[:X.shape[0]], s[:X.shape[0]], w[:X.shape[1]]
    z_out = np.empty(X.shape[0])
    loss, grad = _kernels.dense_loss_gradient(X, y, s, w, 0.1, z_out, 2)
    ref_loss, ref_grad, ref_z = _numpy_loss_gradient(X, y, s, w, 0.1)
    np.testing.assert_allclose(loss, ref_loss, rtol=1e-12)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(z_out, ref_z, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("d", [300, 5000])
def test_dense_loss_gradient_on_wide_rows_matches_numpy(dtype, d):
    # Wide rows make the row groups of the pass smaller (down to one block of eight rows),
    # and rows longer than _PREFETCH_MAX_ROW_BYTES are left to the hardware prefetcher: both
    # paths are run here (float32 rows of 300 features are short enough, the others not).
    itemsize = np.dtype(dtype).itemsize
    group = _kernels._group_rows(d, itemsize)
    assert group % 8 == 0 and 8 <= group <= 64
    assert group == 8 or group * d * itemsize <= _kernels._GROUP_BYTES
    X, y, s, w = _data(45, d, dtype, seed=5)
    z_out = np.empty(45)
    loss, grad = _kernels.dense_loss_gradient(X, y, s, w, -0.2, z_out, 2)
    ref_loss, ref_grad, ref_z = _numpy_loss_gradient(X, y, s, w, -0.2)
    np.testing.assert_allclose(loss, ref_loss, rtol=1e-12)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(z_out, ref_z, rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n", [2, 5, 8, 38, 65])
def test_dense_hessp_matches_numpy(dtype, n):
    X, _, s, v = _data(n, 6, dtype, seed=1)
    h = s * 0.2
    out = _kernels.dense_hessp(X, h, v, -0.4, 2 if n > 2 else 1)
    X64 = X.astype(np.float64)
    a = h * (X64 @ v - 0.4)
    np.testing.assert_allclose(out, np.r_[X64.T @ a, a.sum()], rtol=1e-10, atol=1e-13)


def test_loss_gradient_is_the_derivative_of_the_loss():
    # Central differences of the fused value against the fused gradient.
    X, y, s, w = _data(41, 5, np.float64, seed=2)
    z_out = np.empty(41)

    def value(theta):
        return _kernels.dense_loss_gradient(X, y, s, theta[:-1], theta[-1], z_out, 2)[0]

    theta = np.r_[w, 0.2]
    grad = _kernels.dense_loss_gradient(X, y, s, w, 0.2, z_out, 2)[1]
    step = 1e-6
    numeric = np.array([(value(theta + step * e) - value(theta - step * e)) / (2 * step)
                        for e in np.eye(theta.size)])
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n", [1, 255, 256, 257, 3000])
def test_dense_hessian_matches_numpy_across_block_boundaries(dtype, n, monkeypatch):
    # Blocks of 256 rows: n just below, at and above a block and several blocks.
    monkeypatch.setattr(_kernels, "_hessian_block_rows", lambda d: 256)
    X, _, s, _ = _data(n, 9, dtype, seed=3)
    X64 = X.astype(np.float64)
    gram, cross, total = _kernels.dense_hessian(X, s)
    np.testing.assert_allclose(gram, X64.T @ (s[:, None] * X64), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(cross, X64.T @ s, rtol=1e-10, atol=1e-12)
    assert total == pytest.approx(s.sum(), rel=1e-13)


@pytest.mark.parametrize("subset", ["all", "rows", "columns"])
@pytest.mark.parametrize("n_parts", [1, 2, 3])
def test_dense_hessian_in_row_ranges_matches_numpy(subset, n_parts, monkeypatch):
    # Rows split into ranges, each with its own Gram matrix (one per thread), added in order:
    # ranges that end inside a block, for all rows, a row subsample and a column subset.
    monkeypatch.setattr(_kernels, "_hessian_block_rows", lambda d: 256)
    monkeypatch.setattr(_kernels, "n_parts_for", lambda n: n_parts)
    X, _, s, _ = _data(2000, 11, np.float64, seed=9)
    rows = columns = None
    if subset == "rows":
        rows = np.sort(np.random.default_rng(1).choice(2000, 1100, replace=False))
        Xr, sr = X[rows], s[rows]
    elif subset == "columns":
        columns = np.array([10, 2, 5, 0, 7], dtype=np.int64)
        Xr, sr = X[:, columns], s
    else:
        Xr, sr = X, s
    gram, cross, total = _kernels.dense_hessian(X, sr if rows is not None else s, rows=rows,
                                                columns=columns)
    np.testing.assert_allclose(gram, Xr.T @ (sr[:, None] * Xr), rtol=1e-12)
    np.testing.assert_array_equal(gram, gram.T)
    np.testing.assert_allclose(cross, Xr.T @ sr, rtol=1e-12)
    assert total == pytest.approx(sr.sum(), rel=1e-13)


def test_dense_hessian_of_empty_subsets_is_empty():
    # No rows: every sum is zero; no columns: only the intercept's entry Σ h is left.
    X, _, s, _ = _data(300, 4, np.float64, seed=2)
    gram, cross, total = _kernels.dense_hessian(X, s[:0], rows=np.empty(0, dtype=np.int64))
    np.testing.assert_array_equal(gram, np.zeros((4, 4)))
    np.testing.assert_array_equal(cross, np.zeros(4))
    assert total == 0.0
    gram, cross, total = _kernels.dense_hessian(X, s, columns=np.empty(0, dtype=np.int64))
    assert gram.shape == (0, 0) and cross.shape == (0,)
    assert total == pytest.approx(s.sum(), rel=1e-13)


@pytest.mark.parametrize("sparse", [False, True])
def test_subsampled_hessian_is_the_scaled_hessian_of_the_rows(sparse):
    X, y, s, w = _data(500, 6, np.float64, seed=4)
    X = sp.csr_matrix(X * (np.abs(X) > 0.3)) if sparse else X
    objective = BCEObjective(X, y, s, C=2.0)
    coef = np.r_[w, -0.1]
    rows = np.sort(np.random.default_rng(0).choice(500, 120, replace=False)).astype(np.int64)
    # Reference: the full Hessian formula on the rows alone, data term scaled by 500 / 120.
    dense = X.toarray() if sparse else X
    Xa = np.c_[dense[rows], np.ones(120)]
    z = Xa @ coef
    p = 1.0 / (1.0 + np.exp(-z))
    expected = (500 / 120) * Xa.T @ ((s[rows] * p * (1 - p))[:, None] * Xa)
    expected[np.diag_indices(6)] += 0.5
    np.testing.assert_allclose(objective.hessian(coef, rows), expected, rtol=1e-10, atol=1e-12)
    # All rows: exactly the full Hessian.
    np.testing.assert_allclose(objective.hessian(coef, np.arange(500, dtype=np.int64)),
                               objective.hessian(coef), rtol=1e-12, atol=1e-12)


def test_blas_runs_in_one_thread_only_for_moderate_orders():
    from threadpoolctl import threadpool_info, threadpool_limits

    def blas_threads():
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    with threadpool_limits(2, user_api="blas"):
        before = blas_threads()
        with _kernels.blas_threads_for(100):
            assert set(blas_threads()) == {1}
        assert blas_threads() == before
        for order in (10, 2000):
            with _kernels.blas_threads_for(order):
                assert blas_threads() == before


@pytest.mark.parametrize("n", [1, 7, 5000])
def test_csr_hessian_diagonal_matches_dense(n):
    # The diagonal of Xᵀ diag(s) X is the second row of the column moments.
    X, _, s, _ = _data(n, 8, np.float64, seed=5)
    X[np.abs(X) < 0.5] = 0.0
    X[:, 3] = 0.0  # an empty column
    csr = sp.csr_matrix(X)
    diagonal = _kernels.csr_column_moments(csr, s)[1]
    np.testing.assert_allclose(diagonal, (X**2).T @ s, rtol=1e-12, atol=1e-14)
    assert diagonal[3] == 0.0
    np.testing.assert_allclose(_kernels.csr_column_moments(csr.astype(np.float32), s)[1],
                               (X.astype(np.float32).astype(np.float64)**2).T @ s,
                               rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n_parts", [1, 2, 3])
@pytest.mark.parametrize("subset", [False, True])
def test_csr_hessian_matches_numpy(dtype, n_parts, subset, monkeypatch):
    # Ranges of rows balanced by non-zeros (one Gram matrix each, added in order), a row
    # subsample, float32 values, and empty rows and columns.
    monkeypatch.setattr(_kernels, "n_parts_for", lambda n: n_parts)
    X, _, s, _ = _data(900, 12, np.float64, seed=6)
    X[np.abs(X) < 0.8] = 0.0
    X[:, 5] = 0.0
    X[100:140] = 0.0
    X = X.astype(dtype)
    rows = np.sort(np.random.default_rng(2).choice(900, 410, replace=False)) if subset else None
    Xr = (X[rows] if subset else X).astype(np.float64)
    sr = s[rows] if subset else s
    csr = sp.csr_matrix(X)
    if n_parts == 2:  # large matrices come with int64 indices
        csr.indices = csr.indices.astype(np.int64)
        csr.indptr = csr.indptr.astype(np.int64)
    gram, cross, total = _kernels.csr_hessian(csr, sr, rows=rows)
    np.testing.assert_allclose(gram, Xr.T @ (sr[:, None] * Xr), rtol=1e-12, atol=1e-13)
    np.testing.assert_array_equal(gram, gram.T)
    np.testing.assert_allclose(cross, Xr.T @ sr, rtol=1e-12, atol=1e-13)
    assert total == pytest.approx(sr.sum(), rel=1e-13)


def test_csr_hessian_of_a_matrix_not_in_canonical_form():
    # Unsorted column indices within rows and repeated (row, column) entries, which stand for
    # their sum: the Hessian is that of the summed matrix.
    data = np.array([1.0, 2.0, -1.5, 0.5, 3.0, 1.0, -2.0, 4.0])
    indices = np.array([3, 0, 3, 2, 1, 1, 0, 2])
    indptr = np.array([0, 4, 4, 8])
    X = sp.csr_matrix((data, indices, indptr), shape=(3, 4))
    assert not X.has_canonical_format
    s = np.array([0.7, 1.3, 2.0])
    dense = X.toarray()  # sums the repeated entries
    gram, cross, total = _kernels.csr_hessian(X, s)
    np.testing.assert_allclose(gram, dense.T @ (s[:, None] * dense), rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(cross, dense.T @ s, rtol=1e-14)
    assert total == pytest.approx(s.sum(), rel=1e-14)


def test_csr_hessian_takes_fewer_parts_when_their_matrices_would_be_large(monkeypatch):
    # The per-thread Gram matrices are capped in memory: with room for two, two are used
    # whatever the thread count, and the result is still the full sum.
    d = 30
    monkeypatch.setattr(_kernels, "n_parts_for", lambda n: 8)
    monkeypatch.setattr(_kernels, "_CSR_GRAM_PARTS_BYTES", 2 * 8 * (d + 1) ** 2)
    seen = []
    kernel = _kernels._csr_gram_parts

    def counting(*args):
        seen.append(args[-1])
        return kernel(*args)

    monkeypatch.setattr(_kernels, "_csr_gram_parts", counting)
    X = sp.random(500, d, density=0.2, format="csr", random_state=0)
    s = np.random.default_rng(0).random(500)
    gram, _, _ = _kernels.csr_hessian(X, s)
    assert seen == [2]
    dense = X.toarray()
    np.testing.assert_allclose(gram, dense.T @ (s[:, None] * dense), rtol=1e-12, atol=1e-14)


def test_dense_hessian_of_a_subset_of_columns_matches_numpy():
    X, _, s, _ = _data(700, 9, np.float64, seed=8)
    columns = np.array([7, 0, 4], dtype=np.int64)
    gram, cross, total = _kernels.dense_hessian(X, s, columns=columns)
    Xc = X[:, columns]
    np.testing.assert_allclose(gram, Xc.T @ (s[:, None] * Xc), rtol=1e-12)
    np.testing.assert_allclose(cross, Xc.T @ s, rtol=1e-12)
    np.testing.assert_allclose(total, s.sum(), rtol=1e-14)
    with pytest.raises(ValueError, match="cannot both"):
        _kernels.dense_hessian(X, s, rows=np.arange(3), columns=columns)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("n", [1, 9, 300])
def test_column_moments_match_numpy(sparse, n):
    X, _, s, _ = _data(n, 6, np.float64, seed=4)
    if sparse:
        X = sp.csr_matrix(np.where(np.abs(X) > 1.0, X, 0.0))
        moments = _kernels.csr_column_moments(X, s)
        X = X.toarray()
    else:
        moments = _kernels.dense_column_moments(X, s, min(2, n))
    np.testing.assert_allclose(moments, [s @ X, s @ X**2], rtol=1e-12, atol=1e-14)


def test_the_loss_is_summed_to_the_last_place_of_the_total():
    # Rows repeated many times round alike: a running sum of 200,000 losses drifted by 1e-14
    # of the total, enough to hide the decrease a line search must see near the optimum.
    rng = np.random.default_rng(5)
    distinct = rng.normal(size=(100, 4))
    X = np.ascontiguousarray(distinct[rng.integers(0, 100, 200_000)])
    y = (rng.random(200_000) < 0.4).astype(float)
    s, w = np.ones(200_000), rng.normal(size=4)
    z = X @ w + 0.1
    exact = math.fsum(np.logaddexp(0.0, z) - y * z)
    for n_parts in (1, 2):
        loss, _ = _kernels.dense_loss_gradient(X, y, s, w, 0.1, np.empty(200_000), n_parts)
        assert abs(loss - exact) <= 4 * np.spacing(exact)
        csr = sp.csr_matrix(X)
        csr_loss, _ = _kernels.csr_loss_gradient(csr.data, csr.indices, csr.indptr, 4, y, s, w,
                                                 0.1, np.empty(200_000), n_parts)
        assert abs(csr_loss - exact) <= 4 * np.spacing(exact)
