"""Shared test data: small, seeded, so the suite stays fast and failures reproduce."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import settings
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler

# The first call of a numba function loads or compiles it; that is not a slow example.
settings.register_profile("logitfit", deadline=None, max_examples=100)
settings.load_profile("logitfit")


def make_classification_data(n_samples=300, n_features=6, *, seed=0, soft=False,
                             density=None, dtype=np.float64):
    """Correlated Gaussian features, labels drawn from a logistic model.

    ``soft=True`` returns probabilities in [0, 1] as labels; ``density`` returns a CSR matrix
    with that fraction of non-zeros.
    """
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(n_features, n_features)) / np.sqrt(n_features)
    X = rng.normal(size=(n_samples, n_features)) @ (np.eye(n_features) + 0.5 * mixing)
    if density is not None:
        X = X * (rng.random(X.shape) < density)
    true_w = rng.normal(size=n_features)
    p = 1.0 / (1.0 + np.exp(-(X @ true_w + 0.3)))
    y = p if soft else (rng.random(n_samples) < p).astype(np.float64)
    X = X.astype(dtype)
    if density is not None:
        X = sp.csr_matrix(X)
    return X, y


@pytest.fixture(scope="session")
def breast_cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return np.ascontiguousarray(StandardScaler().fit_transform(X)), y.astype(np.float64)


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
