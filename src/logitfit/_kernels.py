"""Fused passes over the rows of X: the only code that reads the data matrix.

Each public function here makes exactly one pass over X and returns sums over rows:

* ``*_loss_gradient``: Σ sᵢ L(zᵢ, yᵢ) and Σ sᵢ (σ(zᵢ) - yᵢ) [xᵢ, 1] (seed eq. (12)) in one pass:
  for each row, zᵢ = xᵢ·w + b, the pointwise loss and its derivative, then the row is added to
  the gradient while it is still in L1 cache. No n-sized intermediate goes through memory
  between the two halves, which is what two BLAS calls (X @ w, then Xᵀ r) would need.
* ``*_hessp``: Σ hᵢ (xᵢ·v + v_b) [xᵢ, 1] for given Hessian weights hᵢ, again one pass.
* ``*_linear_predictor``: z = X w + b, accumulated in float64 whatever the dtype of X.
* ``dense_hessian``: Xᵀ diag(h) X in row blocks through BLAS ``syrk`` (symmetric rank-k update),
  so the n x d matrix diag(√h) X never exists: only one cache-sized block of it at a time.
* ``csr_hessian``: the same for CSR X, from the products of each row's own non-zeros.

Rows are split into ``n_parts`` contiguous ranges (one per thread, balanced by non-zeros for
CSR). Each range accumulates into its own float64 row of partial sums, and the partial sums are
added in range order afterwards, so for a fixed thread count the result is bit-for-bit the same
on every call. float32 data is read as float32 (half the memory traffic) and accumulated in
float64.

Dot products use a reassociating fast-math flag so that LLVM vectorises the reduction; the
pointwise loss is compiled without it, so its stable forms are evaluated as written.
"""

from __future__ import annotations

import contextlib
import functools
import os
import types

import numba
import numpy as np
from llvmlite import ir
from numba import prange
from numba.core import cgutils
from numba.extending import get_cython_function_address, intrinsic
from threadpoolctl import ThreadpoolController

from ._loss import hessian_scalar, loss_gradient_block, loss_gradient_scalar

_MIN_ROWS_PER_PART = 2048

# numba's default threading layer on Linux is GNU OpenMP, whose idle threads busy-wait for a
# while after each parallel region, as do OpenBLAS's after each BLAS call. On a machine with as
# many threads as cores, any other busy thread (BLAS's, another process's) then holds a core
# that a spinning OpenMP thread is waiting on, and a 1 ms pass can take a scheduler time slice
# (tens of ms) instead. Passive waiting (sleep at once) costs a few microseconds per pass. The
# variable is read when numba starts its OpenMP pool, at the first threaded pass, so setting it
# here works unless the user has chosen otherwise.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

# Not ``inline="always"``: numba inlines such functions into the caller's IR, where the caller's
# (strict) floating-point flags apply and the reductions below stay scalar. As ordinary calls
# they keep their own flags and LLVM inlines them after vectorising them.
_vector_op = numba.njit(fastmath={"reassoc", "contract"}, cache=True)


# BLAS calls on matrices of order between these two run in one thread: OpenBLAS splits syrk
# and potrf over the columns of the result, which gains nothing at this size, while waking its
# thread pool costs time and, on a busy machine, competes with every other thread (another BLAS
# library's pool still spinning after its last call can make a 0.1 ms call take 10 ms). Below
# the lower bound OpenBLAS stays in one thread by itself, and limiting it would only cost the
# 20 µs of switching.
BLAS_THREADING_MIN_ORDER = 256
BLAS_LIMIT_MIN_ORDER = 64


@functools.cache
def _blas_controller() -> ThreadpoolController:
    return ThreadpoolController().select(user_api="blas")


@contextlib.contextmanager
def one_blas_thread():
    """Context manager: BLAS in one thread inside, as before outside."""
    # threadpoolctl's own limit() re-reads every library's state on each use (about 20 µs);
    # this is a few µs, and small fits make several such calls per iteration.
    libraries = _blas_controller().lib_controllers
    before = [library.num_threads for library in libraries]
    for library in libraries:
        library.set_num_threads(1)
    try:
        yield
    finally:
        for library, threads in zip(libraries, before, strict=True):
            library.set_num_threads(threads)


def blas_threads_for(order: int):
    """Context manager: BLAS in one thread for matrices of moderate ``order`` (see above)."""
    if not BLAS_LIMIT_MIN_ORDER <= order < BLAS_THREADING_MIN_ORDER:
        return contextlib.nullcontext()
    return one_blas_thread()


class _RowPass:
    """A row kernel compiled twice: threaded, and serial for data of a single part.

    The serial twin avoids starting the thread pool on small data, where that costs more than
    the pass itself, and where an idle BLAS thread pool still spinning after a previous BLAS
    call (as in scipy's L-BFGS-B) competes with numba's threads for the same cores. The last
    argument of every kernel is ``n_parts``, which chooses.
    """

    def __init__(self, func):
        self.parallel = numba.njit(parallel=True, cache=True)(func)
        serial_func = types.FunctionType(func.__code__, func.__globals__, func.__name__ + "_serial")
        serial_func.__qualname__ = func.__qualname__ + "_serial"
        self.serial = numba.njit(cache=True)(serial_func)
        self.__doc__ = func.__doc__
        self.__name__ = func.__name__

    def __call__(self, *args):
        return (self.serial if args[-1] == 1 else self.parallel)(*args)


@_vector_op
def _dot(x, w):
    acc = 0.0
    for j in range(x.shape[0]):
        acc += x[j] * w[j]
    return acc


@_vector_op
def _axpy(a, x, out):
    for j in range(x.shape[0]):
        out[j] += a * x[j]


# Rows go eight at a time: eight independent dot products hide the latency of each FMA chain
# (one chain per row would wait on it), and the gradient (or output) vector is loaded and
# stored once per eight rows instead of once per row.
_BLOCK = 8


# The loss+gradient pass computes the logits of a group of rows (several blocks), their
# losses in one vectorised call, then the gradient update, so the rows are read twice: the
# group is kept to this many bytes, so the second read comes from cache, and to 64 rows,
# beyond which the vectorised call gains little more.
_GROUP_BYTES = 256 * 1024
_MAX_GROUP_BLOCKS = 8


@numba.njit(cache=True)
def _group_rows(n_features, itemsize):
    blocks = _GROUP_BYTES // (_BLOCK * max(n_features, 1) * itemsize)
    return _BLOCK * max(1, min(_MAX_GROUP_BLOCKS, blocks))


@intrinsic
def _prefetch_to_l2(typingctx, array, row, column, byte_offset):
    # llvm.prefetch(address, read, locality 2, data cache) on the address of
    # array[row, column] plus byte_offset: x86 prefetcht1, into L2. Only a hint: it never
    # faults and changes no result.
    def codegen(context, builder, signature, args):
        array_type = signature.args[0]
        array_struct = context.make_array(array_type)(context, builder, args[0])
        element = cgutils.get_item_pointer(context, builder, array_type, array_struct,
                                           [args[1], args[2]])
        byte = ir.IntType(8)
        address = builder.gep(builder.bitcast(element, byte.as_pointer()), [args[3]])
        int32 = ir.IntType(32)
        prefetch_type = ir.FunctionType(ir.VoidType(), [address.type, int32, int32, int32])
        prefetch = cgutils.get_or_insert_function(builder.module, prefetch_type,
                                                  "llvm.prefetch.p0")
        builder.call(prefetch, [address, int32(0), int32(2), int32(1)])
        return context.get_dummy_value()

    intp = numba.types.intp
    return numba.types.void(array, intp, intp, intp), codegen


_CACHE_LINE_BYTES = 64
# Software prefetch only for rows up to this size. Longer rows are long sequential streams
# that the hardware prefetcher follows by itself, and requesting a half-block of them at once
# (hundreds of cache lines) stalls on the buffers for outstanding misses: with software
# prefetch the float64 pass was a quarter slower than without on 3.2 KB rows (d = 400) and a
# fifth slower on 16 KB rows (d = 2000), while on 800-byte rows (d = 100) it is a sixth
# faster, and the float32 pass a third faster.
_PREFETCH_MAX_ROW_BYTES = 2048


@numba.njit(cache=True)
def _prefetch_rows(X, start, stop):
    # Every cache line of rows start..stop-1, and the last byte, which may sit on one more
    # line when the rows do not start on a line boundary.
    if start >= stop:
        return
    n_features = X.shape[1]
    row_bytes = n_features * X.itemsize
    if X.strides[1] == X.itemsize and X.strides[0] == row_bytes:
        # Rows stored one after the other: one byte range.
        span = (stop - start) * row_bytes
        for offset in range(0, span, _CACHE_LINE_BYTES):
            _prefetch_to_l2(X, start, 0, offset)
        _prefetch_to_l2(X, start, 0, span - 1)
    else:
        step = max(1, _CACHE_LINE_BYTES // X.strides[1]) if X.strides[1] > 0 else 1
        for i in range(start, stop):
            for j in range(0, n_features, step):
                _prefetch_to_l2(X, i, j, 0)
            _prefetch_to_l2(X, i, n_features - 1, X.itemsize - 1)


@_vector_op
def _dot8(X, i, w, out):
    # out[k] = X[i + k]·w for k < 8: w is loaded once for eight accumulators.
    a0 = 0.0
    a1 = 0.0
    a2 = 0.0
    a3 = 0.0
    a4 = 0.0
    a5 = 0.0
    a6 = 0.0
    a7 = 0.0
    for j in range(w.shape[0]):
        wj = w[j]
        a0 += X[i, j] * wj
        a1 += X[i + 1, j] * wj
        a2 += X[i + 2, j] * wj
        a3 += X[i + 3, j] * wj
        a4 += X[i + 4, j] * wj
        a5 += X[i + 5, j] * wj
        a6 += X[i + 6, j] * wj
        a7 += X[i + 7, j] * wj
    out[0] = a0
    out[1] = a1
    out[2] = a2
    out[3] = a3
    out[4] = a4
    out[5] = a5
    out[6] = a6
    out[7] = a7


@_vector_op
def _axpy8(a, X, i, out):
    # out += Σₖ a[k] X[i + k] for k < 8: one load and one store of ``out`` per eight rows.
    a0 = a[0]
    a1 = a[1]
    a2 = a[2]
    a3 = a[3]
    a4 = a[4]
    a5 = a[5]
    a6 = a[6]
    a7 = a[7]
    for j in range(out.shape[0]):
        out[j] += ((a0 * X[i, j] + a1 * X[i + 1, j]) + (a2 * X[i + 2, j] + a3 * X[i + 3, j])
                   + ((a4 * X[i + 4, j] + a5 * X[i + 5, j])
                      + (a6 * X[i + 6, j] + a7 * X[i + 7, j])))


@_vector_op
def _sparse_dot(values, columns, w):
    acc = 0.0
    for k in range(values.shape[0]):
        acc += values[k] * w[columns[k]]
    return acc


@_vector_op
def _sparse_axpy(a, values, columns, out):
    for k in range(values.shape[0]):
        out[columns[k]] += a * values[k]


def n_parts_for(n_rows: int) -> int:
    """Number of row ranges for a pass: one per thread, none smaller than a few thousand rows.

    Computed outside the compiled kernels (reading the thread count there would stop numba
    from caching them) and passed in.
    """
    return max(1, min(numba.get_num_threads(), n_rows // _MIN_ROWS_PER_PART))


@numba.njit(cache=True)
def _compensated_add(total, compensation, term):
    # Kahan summation of the loss: a plain running sum of n terms rounds each addition at the
    # total's last place, and on large data those errors (up to √n places, more when
    # duplicated rows round alike) made f(θ + t d) - f(θ) wrong by 1e-8 on 300,000 rows near
    # the optimum, larger than the decrease a line search has to see. Compensated, the error
    # is a few units in the last place of the total. Returns (total, compensation).
    corrected = term - compensation
    updated = total + corrected
    return updated, (updated - total) - corrected


@numba.njit(cache=True)
def _sum_parts(loss_parts, grad_parts):
    # Fixed order, so the result does not depend on which thread finished first.
    grad = np.zeros(grad_parts.shape[1])
    loss = 0.0
    for t in range(grad_parts.shape[0]):
        loss += loss_parts[t]
        for j in range(grad_parts.shape[1]):
            grad[j] += grad_parts[t, j]
    return loss, grad


@numba.njit(cache=True)
def _csr_row_bounds(indptr, n_parts):
    # Split rows so that every part holds about the same number of non-zeros.
    n_rows = indptr.shape[0] - 1
    nnz = indptr[n_rows]
    bounds = np.empty(n_parts + 1, dtype=np.int64)
    bounds[0] = 0
    bounds[n_parts] = n_rows
    for t in range(1, n_parts):
        target = (nnz * t) // n_parts
        row = np.searchsorted(indptr, target, side="left")
        bounds[t] = min(max(row, bounds[t - 1]), n_rows)
    return bounds


@_RowPass
def hessian_weights(logits, sample_weight, n_parts):
    """Return hᵢ = sᵢ σ(zᵢ)(1 - σ(zᵢ)) for the logits z, shape (n,) (seed eq. (10))."""
    n = logits.shape[0]
    out = np.empty(n)
    for i in prange(n):
        out[i] = sample_weight[i] * hessian_scalar(logits[i])
    return out


# --------------------------------------------------------------------------- dense


@_RowPass
def dense_loss_gradient(X, y, sample_weight, w, intercept, z_out, n_parts):
    """Return (Σ sᵢ Lᵢ, Σ sᵢ (σ(zᵢ) - yᵢ) [xᵢ, 1]) and store zᵢ in ``z_out``.

    ``z_out`` (n,) keeps the logits so that Hessian weights at the same coefficients need no
    second pass over X. Rows go in groups of up to 64 (``_group_rows``): their dot products
    eight rows at a time, their pointwise losses in one vectorised call
    (``loss_gradient_block``), then the gradient update eight rows at a time while the group
    is still in cache.
    """
    n, d = X.shape
    loss_parts = np.zeros(n_parts)
    grad_parts = np.zeros((n_parts, d + 1))
    for t in prange(n_parts):
        start = (n * t) // n_parts
        stop = (n * (t + 1)) // n_parts
        # A private, contiguous accumulator: the compiler knows it aliases nothing.
        grad_w = np.zeros(d)
        group = _group_rows(d, X.itemsize)
        prefetch = d * X.itemsize <= _PREFETCH_MAX_ROW_BYTES
        losses = np.empty(group)
        residuals = np.empty(group)
        scratch_bits = np.empty(group, dtype=np.int64)
        loss_acc = 0.0
        loss_error = 0.0
        grad_b = 0.0
        i = start
        while i + _BLOCK <= stop:
            # Whole groups, then single blocks of eight for what is left of the range.
            size = group if i + group <= stop else _BLOCK
            logits = z_out[i:i + size]
            # Software prefetch (of short rows, see _PREFETCH_MAX_ROW_BYTES), so that reading
            # rows from memory overlaps the computation on rows in cache: the hardware
            # prefetcher sees no new addresses while a group is worked on from cache, and
            # without this the pass took the memory's time plus the computation's. The rows
            # two groups ahead are requested, half of them a half-block before each block's
            # dot products, the other half likewise during the gradient update: memory
            # stays busy through both phases, the requests do not all wait at once on the
            # few buffers for outstanding misses (a whole group requested before the loss
            # was slower), and the next group's rows have arrived by the time its dot
            # products start (one group ahead, requested during the update only, made the
            # pass a sixth slower).
            ahead = i + 2 * size
            half = size // 2
            for b in range(0, size, _BLOCK):
                if prefetch:
                    _prefetch_rows(X, min(ahead + b // 2, stop),
                                   min(ahead + (b + _BLOCK) // 2, stop))
                _dot8(X, i + b, w, logits[b:])
            for k in range(size):
                logits[k] += intercept
            loss_gradient_block(logits, y[i:i + size], losses, residuals, scratch_bits)
            group_loss = 0.0
            for k in range(size):
                s = sample_weight[i + k]
                group_loss += s * losses[k]
                r = s * residuals[k]
                residuals[k] = r
                grad_b += r
            loss_acc, loss_error = _compensated_add(loss_acc, loss_error, group_loss)
            for b in range(0, size, _BLOCK):
                if prefetch:
                    _prefetch_rows(X, min(ahead + half + b // 2, stop),
                                   min(ahead + half + (b + _BLOCK) // 2, stop))
                _axpy8(residuals[b:], X, i + b, grad_w)
            i += size
        while i < stop:
            row = X[i]
            z = _dot(row, w) + intercept
            z_out[i] = z
            loss_i, r = loss_gradient_scalar(z, y[i])
            loss_acc, loss_error = _compensated_add(loss_acc, loss_error,
                                                    sample_weight[i] * loss_i)
            r *= sample_weight[i]
            _axpy(r, row, grad_w)
            grad_b += r
            i += 1
        grad_parts[t, :d] = grad_w
        loss_parts[t] = loss_acc
        grad_parts[t, d] = grad_b
    return _sum_parts(loss_parts, grad_parts)


@_RowPass
def dense_hessp(X, hessian_weight, v, v_intercept, n_parts):
    """Return Σ hᵢ (xᵢ·v + v_b) [xᵢ, 1], the Hessian-vector product, in one pass."""
    n, d = X.shape
    dummy = np.zeros(n_parts)
    parts = np.zeros((n_parts, d + 1))
    for t in prange(n_parts):
        start = (n * t) // n_parts
        stop = (n * (t + 1)) // n_parts
        out_w = np.zeros(d)
        products = np.empty(_BLOCK)
        out_b = 0.0
        i = start
        while i + _BLOCK <= stop:
            _dot8(X, i, v, products)
            for k in range(_BLOCK):
                a = hessian_weight[i + k] * (products[k] + v_intercept)
                products[k] = a
                out_b += a
            _axpy8(products, X, i, out_w)
            i += _BLOCK
        while i < stop:
            row = X[i]
            a = hessian_weight[i] * (_dot(row, v) + v_intercept)
            _axpy(a, row, out_w)
            out_b += a
            i += 1
        parts[t, :d] = out_w
        parts[t, d] = out_b
    return _sum_parts(dummy, parts)[1]


@_RowPass
def dense_linear_predictor(X, w, intercept, n_parts):
    """Return z = X w + b as float64, shape (n,)."""
    n = X.shape[0]
    z = np.empty(n)
    for i in prange(n):
        z[i] = _dot(X[i], w) + intercept
    return z


@_RowPass
def dense_column_moments(X, sample_weight, n_parts):
    """Return [[Σ sᵢ xᵢⱼ for each j], [Σ sᵢ xᵢⱼ² for each j]], shape (2, d), in one pass.

    With Hessian weights hᵢ for sᵢ, the second row is the diagonal of Xᵀ diag(h) X.
    """
    n, d = X.shape
    dummy = np.zeros(n_parts)
    parts = np.zeros((n_parts, 2 * d))
    for t in prange(n_parts):
        start = (n * t) // n_parts
        stop = (n * (t + 1)) // n_parts
        # Private, contiguous accumulators: the compiler knows they alias nothing.
        sums = np.zeros(d)
        squares = np.zeros(d)
        for i in range(start, stop):
            s = sample_weight[i]
            row = X[i]
            for j in range(d):
                weighted = s * row[j]
                sums[j] += weighted
                squares[j] += weighted * row[j]
        parts[t, :d] = sums
        parts[t, d:] = squares
    return _sum_parts(dummy, parts)[1].reshape(2, d)


@numba.njit(cache=True)
def _weighted_block(X_block, root_weight, out):
    # out = [diag(√h) X_block, √h] in float64: one block of the rows whose Gram matrix is the
    # Hessian, the intercept's column included, so that one syrk gives every entry.
    m, d = X_block.shape
    for i in range(m):
        s = root_weight[i]
        row = X_block[i]
        out_row = out[i]
        for j in range(d):
            out_row[j] = s * row[j]
        out_row[d] = s


@numba.njit(cache=True)
def _weighted_rows_block(X, rows, root_weight, out):
    # As _weighted_block, for the rows X[rows] (root_weight is indexed like rows).
    d = X.shape[1]
    for i in range(rows.shape[0]):
        r = rows[i]
        s = root_weight[i]
        row = X[r]
        out_row = out[i]
        for j in range(d):
            out_row[j] = s * row[j]
        out_row[d] = s


@numba.njit(cache=True)
def _weighted_columns_block(X, start, columns, root_weight, out):
    # As _weighted_block, for the columns X[start:start + m, columns] (m = len(out)).
    k = columns.shape[0]
    for i in range(out.shape[0]):
        s = root_weight[start + i]
        out_row = out[i]
        for c in range(k):
            out_row[c] = s * X[start + i, columns[c]]
        out_row[k] = s


@numba.njit(cache=True)
def _mirror_upper(a):
    # Copy the upper triangle into the lower one, in place.
    for j in range(a.shape[1]):
        for i in range(j + 1, a.shape[0]):
            a[i, j] = a[j, i]


def _hessian_block_rows(n_features: int) -> int:
    # About 1 MiB of float64 per block, so the block that was just written is still in the
    # core's L2 cache when syrk reads it: X then travels from memory once. At least 256 rows,
    # so that each rank-m update does m flops per byte of the d x d result it rewrites.
    return int(max(256, (1 << 17) // (n_features + 1)))


@intrinsic
def _syrk_add(typingctx, dsyrk_address, block, gram):
    # gram += blockᵀ block on the upper triangle of gram (C order), through the BLAS dsyrk at
    # dsyrk_address (scipy's, LP64). A C-ordered (m, k) block is BLAS's column-major (k, m)
    # matrix A, and syrk('N') adds A Aᵀ; the C-ordered gram is BLAS's transpose, so BLAS's
    # lower triangle is our upper one. The address comes in as an argument, not as a constant
    # of the compiled code, so that numba can cache the code across processes.
    def codegen(context, builder, signature, args):
        block_struct = context.make_array(signature.args[1])(context, builder, args[1])
        gram_struct = context.make_array(signature.args[2])(context, builder, args[2])
        int8, int32, double = ir.IntType(8), ir.IntType(32), ir.DoubleType()

        def slot(value):
            return cgutils.alloca_once_value(builder, value)

        rows = builder.trunc(builder.extract_value(block_struct.shape, 0), int32)
        order = builder.trunc(builder.extract_value(block_struct.shape, 1), int32)
        arguments = [slot(int8(ord("L"))), slot(int8(ord("N"))), slot(order), slot(rows),
                     slot(double(1.0)), block_struct.data, slot(order), slot(double(1.0)),
                     gram_struct.data, slot(order)]
        function_type = ir.FunctionType(ir.VoidType(), [a.type for a in arguments])
        function = builder.inttoptr(args[0], function_type.as_pointer())
        builder.call(function, arguments)
        return context.get_dummy_value()

    return numba.types.void(dsyrk_address, block, gram), codegen


# Which subset of X a Hessian covers (see dense_hessian).
_NO_INDICES = np.empty(0, dtype=np.int64)
_ALL_ROWS, _ROWS, _COLUMNS = 0, 1, 2


@_RowPass
def _hessian_parts(X, root_weight, subset, rows, columns, block_rows, dsyrk_address,
                   n_parts):
    # Partial Gram matrices [diag(√h) X, √h]ᵀ[diag(√h) X, √h] (upper triangles) of n_parts
    # row ranges, one per thread, each built block by block through BLAS syrk. ``subset``
    # says which index array (int64) restricts the sums: _ALL_ROWS, _ROWS or _COLUMNS.
    subset_rows = subset == _ROWS
    subset_columns = subset == _COLUMNS
    m = rows.shape[0] if subset_rows else X.shape[0]
    order = (columns.shape[0] if subset_columns else X.shape[1]) + 1
    grams = np.zeros((n_parts, order, order))
    for t in prange(n_parts):
        start = (m * t) // n_parts
        stop = (m * (t + 1)) // n_parts
        buffer = np.empty((block_rows, order))
        gram = np.zeros((order, order))
        for first in range(start, stop, block_rows):
            last = min(stop, first + block_rows)
            block = buffer[:last - first]
            if subset_columns:
                _weighted_columns_block(X, first, columns, root_weight, block)
            elif subset_rows:
                _weighted_rows_block(X, rows[first:last], root_weight[first:last], block)
            else:
                _weighted_block(X[first:last], root_weight[first:last], block)
            _syrk_add(dsyrk_address, block, gram)
        grams[t] = gram
    return grams


@functools.cache
def _dsyrk_address() -> int:
    return get_cython_function_address("scipy.linalg.cython_blas", "dsyrk")


def dense_hessian(X, hessian_weight, rows=None, columns=None):
    """Return (Xᵀ diag(h) X, Xᵀ h, Σ h) for dense X of shape (n, d).

    Rows are taken in blocks; each block is scaled by √h into a small float64 buffer (with a
    last column √h for the intercept) and added to the upper triangle of the (d+1) x (d+1)
    Gram matrix by one BLAS ``syrk`` (symmetric rank-k update), then mirrored. Peak extra
    memory is one (block_rows, d + 1) buffer per part.

    Below order 256, where BLAS would run syrk in one thread, the rows are split into one
    range per numba thread, each with its own buffer and Gram matrix, calling BLAS in one
    thread; the partial matrices are added in range order, so the result is the same on every
    call for a given thread count. From order 256 on, one range is processed and BLAS uses
    its own threads (more Gram matrices of that size would cost memory for no gain).

    ``rows`` (sorted int64 indices, shape (m,)), when given, restricts every sum to those
    rows, and ``hessian_weight`` then has shape (m,): the weights of those rows.
    ``columns`` (int64 indices, shape (k,)), when given instead, restricts the result to those
    columns of X: (k, k), (k,) and the scalar.
    """
    if rows is not None and columns is not None:
        raise ValueError("rows and columns cannot both be given")
    d = X.shape[1] if columns is None else columns.shape[0]
    m = X.shape[0] if rows is None else rows.shape[0]
    block_rows = max(1, min(m, _hessian_block_rows(d)))
    root_weight = np.sqrt(hessian_weight)
    subset = _ROWS if rows is not None else _COLUMNS if columns is not None else _ALL_ROWS
    rows = _NO_INDICES if rows is None else np.ascontiguousarray(rows, dtype=np.int64)
    columns = _NO_INDICES if columns is None else np.ascontiguousarray(columns, dtype=np.int64)
    n_parts = n_parts_for(m) if d + 1 < BLAS_THREADING_MIN_ORDER else 1
    threads = one_blas_thread() if n_parts > 1 else blas_threads_for(d + 1)
    with threads:
        grams = _hessian_parts(X, root_weight, subset, rows, columns, block_rows,
                               _dsyrk_address(), n_parts)
    gram = grams[0]
    for t in range(1, n_parts):
        gram += grams[t]
    _mirror_upper(gram)
    return np.ascontiguousarray(gram[:d, :d]), gram[:d, d].copy(), float(gram[d, d])


# --------------------------------------------------------------------------- CSR


@_RowPass
def csr_loss_gradient(
    data, indices, indptr, n_features, y, sample_weight, w, intercept, z_out, n_parts
):
    """CSR version of :func:`dense_loss_gradient`."""
    d = n_features
    bounds = _csr_row_bounds(indptr, n_parts)
    loss_parts = np.zeros(n_parts)
    grad_parts = np.zeros((n_parts, d + 1))
    for t in prange(n_parts):
        grad_w = grad_parts[t, :d]
        loss_acc = 0.0
        loss_error = 0.0
        grad_b = 0.0
        for i in range(bounds[t], bounds[t + 1]):
            lo = indptr[i]
            hi = indptr[i + 1]
            values = data[lo:hi]
            columns = indices[lo:hi]
            z = _sparse_dot(values, columns, w) + intercept
            z_out[i] = z
            loss_i, r = loss_gradient_scalar(z, y[i])
            loss_acc, loss_error = _compensated_add(loss_acc, loss_error,
                                                    sample_weight[i] * loss_i)
            r *= sample_weight[i]
            _sparse_axpy(r, values, columns, grad_w)
            grad_b += r
        loss_parts[t] = loss_acc
        grad_parts[t, d] = grad_b
    return _sum_parts(loss_parts, grad_parts)


@_RowPass
def csr_hessp(data, indices, indptr, n_features, hessian_weight, v, v_intercept, n_parts):
    """CSR version of :func:`dense_hessp`."""
    d = n_features
    bounds = _csr_row_bounds(indptr, n_parts)
    dummy = np.zeros(n_parts)
    parts = np.zeros((n_parts, d + 1))
    for t in prange(n_parts):
        out_w = parts[t, :d]
        out_b = 0.0
        for i in range(bounds[t], bounds[t + 1]):
            lo = indptr[i]
            hi = indptr[i + 1]
            values = data[lo:hi]
            columns = indices[lo:hi]
            a = hessian_weight[i] * (_sparse_dot(values, columns, v) + v_intercept)
            _sparse_axpy(a, values, columns, out_w)
            out_b += a
        parts[t, d] = out_b
    return _sum_parts(dummy, parts)[1]


@_RowPass
def csr_linear_predictor(data, indices, indptr, w, intercept, n_parts):
    """Return z = X w + b as float64 for CSR X, shape (n,)."""
    n = indptr.shape[0] - 1
    z = np.empty(n)
    for i in prange(n):
        lo = indptr[i]
        hi = indptr[i + 1]
        z[i] = _sparse_dot(data[lo:hi], indices[lo:hi], w) + intercept
    return z


@_RowPass
def _csr_column_moments(data, indices, indptr, n_features, sample_weight, n_parts):
    d = n_features
    bounds = _csr_row_bounds(indptr, n_parts)
    dummy = np.zeros(n_parts)
    parts = np.zeros((n_parts, 2 * d))
    for t in prange(n_parts):
        out = parts[t]
        for i in range(bounds[t], bounds[t + 1]):
            s = sample_weight[i]
            for k in range(indptr[i], indptr[i + 1]):
                weighted = s * data[k]
                out[indices[k]] += weighted
                out[d + indices[k]] += weighted * data[k]
    return _sum_parts(dummy, parts)[1].reshape(2, d)


def csr_column_moments(X, sample_weight):
    """CSR version of :func:`dense_column_moments`: one pass over the non-zeros."""
    return _csr_column_moments(X.data, X.indices, X.indptr, X.shape[1], sample_weight,
                               n_parts_for(X.shape[0]))


# Per-thread Gram matrices of a CSR Hessian take at most this much memory together: beyond it
# (d above about 2,000 on two threads) fewer threads accumulate.
_CSR_GRAM_PARTS_BYTES = 64 << 20


@_RowPass
def _csr_gram_parts(data, indices, indptr, n_features, rows, hessian_weight, bounds, n_parts):
    # Partial [X, 1]ᵀ diag(h) [X, 1] (upper triangles) over the ranges bounds[t]:bounds[t + 1]
    # of positions k, where position k is row rows[k] (or row k when rows is empty) and has
    # weight hessian_weight[k]. Each row adds the products of its own non-zeros only:
    # nnzᵢ (nnzᵢ + 1) / 2 multiply-adds, against d² for the dense row.
    d = n_features
    grams = np.zeros((n_parts, d + 1, d + 1))
    subset = rows.shape[0] > 0
    for t in prange(n_parts):
        gram = grams[t]
        for k in range(bounds[t], bounds[t + 1]):
            i = rows[k] if subset else k
            h = hessian_weight[k]
            lo = indptr[i]
            hi = indptr[i + 1]
            for a in range(lo, hi):
                ja = indices[a]
                weighted = h * data[a]
                gram[ja, ja] += weighted * data[a]
                for b in range(a + 1, hi):
                    jb = indices[b]
                    product = weighted * data[b]
                    # Sorted indices take the first branch only. A repeated column (a CSR
                    # matrix not in canonical form) meets itself as the pairs (a, b) and
                    # (b, a) of the square of its summed value: twice.
                    if ja < jb:
                        gram[ja, jb] += product
                    elif jb < ja:
                        gram[jb, ja] += product
                    else:
                        gram[ja, ja] += 2.0 * product
                gram[ja, d] += weighted
            gram[d, d] += h
    return grams


def csr_hessian(X, hessian_weight, rows=None):
    """Return (Xᵀ diag(h) X, Xᵀ h, Σ h) for CSR X of shape (n, d), from its non-zeros only.

    Each row adds the products of its own non-zeros to a dense (d + 1) x (d + 1) matrix, the
    intercept's column included; no n x d array and no sparse product is formed. Row ranges
    balanced by non-zeros run one per thread, each with its own matrix (as many as fit in
    ``_CSR_GRAM_PARTS_BYTES``), added in range order afterwards, so the result is the same on
    every call for a given thread count.

    ``rows`` (sorted int64 indices, shape (m,)), when given, restricts every sum to those
    rows, and ``hessian_weight`` then has shape (m,): the weights of those rows.
    """
    d = X.shape[1]
    hessian_weight = np.ascontiguousarray(hessian_weight, dtype=np.float64)
    m = hessian_weight.shape[0]
    gram_bytes = 8 * (d + 1) ** 2
    n_parts = max(1, min(n_parts_for(m), _CSR_GRAM_PARTS_BYTES // gram_bytes))
    if rows is None:
        rows = _NO_INDICES
        bounds = _csr_row_bounds(X.indptr, n_parts)
    else:
        rows = np.ascontiguousarray(rows, dtype=np.int64)
        bounds = (m * np.arange(n_parts + 1, dtype=np.int64)) // n_parts
    grams = _csr_gram_parts(X.data, X.indices, X.indptr, d, rows, hessian_weight, bounds,
                            n_parts)
    gram = grams[0]
    for t in range(1, n_parts):
        gram += grams[t]
    _mirror_upper(gram)
    return np.ascontiguousarray(gram[:d, :d]), gram[:d, d].copy(), float(gram[d, d])
