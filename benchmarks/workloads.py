"""The benchmark workloads W1-W6, generated from fixed seeds.

Every workload is an L2-penalised (C = 1) binary logistic regression with an intercept. The
generators write X in chunks, so making W1 needs X's memory plus one chunk, never two copies.

* W1, tall and ill-conditioned: AR(1)-correlated features (ρ = 0.9) with scales spanning two
  orders of magnitude (0.1 to 10) and non-zero means: data nobody standardised.
* W2, tall and well-conditioned: independent standard normal features, float64 and float32
  (the float32 matrix is the float64 one rounded, so both describe the same problem).
* W3, wide dense: 20,000 × 2,000 independent standard normal features.
* W4, sparse: CSR, binary features whose column frequencies follow a power law (Zipf, like word
  counts in text), about 0.2 % non-zeros.
* W5, small: scikit-learn's breast-cancer data, standardised.
* W6, tabular one-hot (beyond the five the suite started with): CSR, 5 standard normal columns
  and 8 categorical ones with 5 to 40 levels each, one-hot encoded, so 13 non-zeros per row
  over 160 columns. At full size, the shape where ``solver="auto"`` takes Newton-Cholesky on sparse
  data.

Labels are drawn from a logistic model with a fixed random coefficient vector whose linear
predictor has a standard deviation of about 2, so the classes overlap (no separation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

SEED = 20240611

# (n_samples, n_features) for the full suite and for --quick.
SIZES = {
    "W1": ((1_000_000, 100), (20_000, 20)),
    "W2": ((1_000_000, 100), (20_000, 20)),
    "W3": ((20_000, 2_000), (1_000, 200)),
    "W4": ((200_000, 50_000), (5_000, 2_000)),
    "W6": (1_000_000, 20_000),
}
# Levels of W6's categorical columns, and its number of numeric columns.
W6_LEVELS = (5, 8, 12, 16, 20, 24, 30, 40)
W6_NUMERIC = 5
W4_DENSITY = 0.002
_CHUNK_ROWS = 65_536


@dataclass
class Workload:
    """One problem: X, labels y (0/1 floats) and a one-line description."""

    name: str
    X: np.ndarray | sp.csr_matrix
    y: np.ndarray
    description: str

    @property
    def nbytes(self) -> int:
        X = self.X
        if sp.issparse(X):
            return int(X.data.nbytes + X.indices.nbytes + X.indptr.nbytes)
        return int(X.nbytes)


def _labels(rng: np.random.Generator, z: np.ndarray) -> np.ndarray:
    return (rng.random(z.shape[0]) < 1.0 / (1.0 + np.exp(-z))).astype(np.float64)


def _tall(n: int, d: int, *, ill_conditioned: bool, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    if ill_conditioned:
        rho = 0.9
        # Cholesky factor of the AR(1) correlation matrix ρ^|i-j|.
        lags = np.abs(np.subtract.outer(np.arange(d), np.arange(d)))
        mixing = np.linalg.cholesky(rho ** lags).T
        scales = np.logspace(-1.0, 1.0, d)
        means = scales * rng.uniform(-1.0, 1.0, d)
    else:
        mixing, scales, means = None, np.ones(d), np.zeros(d)
    beta = rng.standard_normal(d) / scales
    X = np.empty((n, d))
    for start in range(0, n, _CHUNK_ROWS):
        stop = min(n, start + _CHUNK_ROWS)
        block = rng.standard_normal((stop - start, d))
        if mixing is not None:
            block = block @ mixing
        X[start:stop] = block * scales + means
    # Scale β so that the centred linear predictor has a standard deviation of 2.
    z = X @ beta
    z -= z.mean()
    z *= 2.0 / z.std()
    return X, _labels(rng, z + 0.3)


def _sparse(n: int, d: int, density: float, seed: int) -> tuple[sp.csr_matrix, np.ndarray]:
    rng = np.random.default_rng(seed)
    # Zipf-like column popularity: the k-th most frequent column appears ∝ 1 / (k + 10).
    popularity = 1.0 / (np.arange(d) + 10.0)
    popularity /= popularity.sum()
    row_lengths = rng.poisson(density * d, n).clip(1, d)
    columns = rng.choice(d, size=int(row_lengths.sum()), p=popularity)
    rows = np.repeat(np.arange(n), row_lengths)
    X = sp.csr_matrix((np.ones(columns.shape[0]), (rows, columns)), shape=(n, d))
    X.sum_duplicates()
    X.data[:] = 1.0
    X.sort_indices()
    beta = rng.standard_normal(d)
    z = X @ beta
    z -= z.mean()
    z *= 2.0 / z.std()
    return X, _labels(rng, z)


def _one_hot(n: int, seed: int) -> tuple[sp.csr_matrix, np.ndarray]:
    rng = np.random.default_rng(seed)
    numeric = rng.standard_normal((n, W6_NUMERIC))
    # Level k of a categorical column is drawn with probability ∝ 1 / (k + 2): a few common
    # levels and a tail of rare ones.
    codes = []
    offset = W6_NUMERIC
    for levels in W6_LEVELS:
        p = 1.0 / (np.arange(levels) + 2.0)
        codes.append(offset + rng.choice(levels, size=n, p=p / p.sum()))
        offset += levels
    per_row = W6_NUMERIC + len(W6_LEVELS)
    indices = np.column_stack([np.broadcast_to(np.arange(W6_NUMERIC), (n, W6_NUMERIC))]
                              + [c[:, None] for c in codes]).ravel()
    data = np.column_stack([numeric, np.ones((n, len(W6_LEVELS)))]).ravel()
    X = sp.csr_matrix((data, indices, np.arange(0, n * per_row + 1, per_row)), shape=(n, offset))
    beta = rng.standard_normal(offset)
    z = X @ beta
    z -= z.mean()
    z *= 2.0 / z.std()
    return X, _labels(rng, z)


def make_workload(name: str, *, quick: bool = False) -> Workload:
    """Return workload ``name`` ("W1", "W2", "W2-f32", "W3", "W4", "W5" or "W6")."""
    size = 1 if quick else 0
    if name in ("W1", "W2", "W2-f32"):
        key = name[:2]
        n, d = SIZES[key][size]
        X, y = _tall(n, d, ill_conditioned=key == "W1", seed=SEED + int(key[1]))
        if name == "W2-f32":
            X = X.astype(np.float32)
        kind = "correlated, scales 0.1-10" if key == "W1" else "independent N(0, 1)"
        return Workload(name, X, y, f"{n:,} x {d} {X.dtype}, {kind}")
    if name == "W3":
        n, d = SIZES["W3"][size]
        X, y = _tall(n, d, ill_conditioned=False, seed=SEED + 3)
        return Workload(name, X, y, f"{n:,} x {d:,} float64, independent N(0, 1)")
    if name == "W4":
        n, d = SIZES["W4"][size]
        density = W4_DENSITY if not quick else 0.01
        X, y = _sparse(n, d, density, seed=SEED + 4)
        return Workload(
            name, X, y,
            f"CSR {n:,} x {d:,}, {X.nnz / (n * d):.2%} non-zeros, binary, power-law columns",
        )
    if name == "W5":
        from sklearn.datasets import load_breast_cancer
        from sklearn.preprocessing import StandardScaler

        data = load_breast_cancer()
        X = np.ascontiguousarray(StandardScaler().fit_transform(data.data))
        return Workload(name, X, data.target.astype(np.float64),
                        "breast cancer 569 x 30 float64, standardised")
    if name == "W6":
        n = SIZES["W6"][size]
        X, y = _one_hot(n, seed=SEED + 6)
        return Workload(
            name, X, y,
            f"CSR {n:,} x {X.shape[1]}, {W6_NUMERIC} numeric and {len(W6_LEVELS)} one-hot "
            f"encoded columns ({X.nnz // n} non-zeros per row)",
        )
    raise ValueError(f"unknown workload {name!r}; choose one of {', '.join(WORKLOADS)}")


WORKLOADS = ("W1", "W2", "W2-f32", "W3", "W4", "W5", "W6")


def save(workload: Workload, path) -> None:
    """Write a workload to ``path`` (.npz, uncompressed) for a worker process to load."""
    X = workload.X
    if sp.issparse(X):
        np.savez(path, data=X.data, indices=X.indices, indptr=X.indptr,
                 shape=np.array(X.shape), y=workload.y)
    else:
        np.savez(path, X=X, y=workload.y)


def load(path) -> tuple[np.ndarray | sp.csr_matrix, np.ndarray]:
    """Read what :func:`save` wrote."""
    with np.load(path) as f:
        if "X" in f:
            return np.ascontiguousarray(f["X"]), f["y"]
        X = sp.csr_matrix((f["data"], f["indices"], f["indptr"]), shape=tuple(f["shape"]))
        return X, f["y"]
