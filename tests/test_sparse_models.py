"""L1 and elastic-net penalties: the objective's non-smooth part, the "cd" and "prox" solvers,
and the estimator, against scikit-learn's saga and liblinear and against direct NumPy KKT checks.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.optimize
import scipy.sparse as sp
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

import logitfit
from logitfit._objective import BCEObjective
from logitfit.solvers import SOLVERS, _registry, select_solver


def make_data(n=300, d=20, *, seed=0, sparse=False, n_informative=5, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    if sparse:
        X[rng.random((n, d)) < 0.7] = 0.0
    w = np.zeros(d)
    k = min(n_informative, d)
    w[:k] = rng.choice([-2.0, -1.0, 1.0, 2.0], k)
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-(X @ w + 0.3)))).astype(np.float64)
    X = X.astype(dtype)
    return (sp.csr_matrix(X) if sparse else X), y


def full_objective(X, y, coef, C, l1_ratio, fit_intercept=True, sample_weight=None):
    """F(θ) computed directly with NumPy (independent of the package's kernels)."""
    w, b = (coef[:-1], coef[-1]) if fit_intercept else (coef, 0.0)
    z = np.asarray(X @ w).ravel() + b
    s = np.ones_like(y) if sample_weight is None else sample_weight
    loss = float(s @ (np.logaddexp(0.0, z) - y * z))
    return loss + (l1_ratio * np.abs(w).sum() + 0.5 * (1 - l1_ratio) * w @ w) / C


def numpy_gradient(X, y, coef, C, l1_ratio, fit_intercept=True, sample_weight=None):
    """∇ of the smooth part f, computed directly with NumPy."""
    w, b = (coef[:-1], coef[-1]) if fit_intercept else (coef, 0.0)
    z = np.asarray(X @ w).ravel() + b
    s = np.ones_like(y) if sample_weight is None else sample_weight
    r = s * (1.0 / (1.0 + np.exp(-z)) - y)
    grad_w = np.asarray(X.T @ r).ravel() + (1 - l1_ratio) / C * w
    return np.r_[grad_w, r.sum()] if fit_intercept else grad_w


def assert_kkt(X, y, coef, C, l1_ratio, tol, fit_intercept=True, sample_weight=None):
    """KKT conditions of F at coef, from a NumPy gradient, to tol per unit weight."""
    s = np.ones_like(y) if sample_weight is None else sample_weight
    g = numpy_gradient(X, y, coef, C, l1_ratio, fit_intercept, sample_weight) / s.sum()
    lam = l1_ratio / C / s.sum()
    d = X.shape[1]
    w, gw = coef[:d], g[:d]
    nonzero = w != 0
    assert np.all(np.abs(gw[nonzero] + lam * np.sign(w[nonzero])) <= tol)
    assert np.all(np.abs(gw[~nonzero]) <= lam + tol)
    if fit_intercept:
        assert abs(g[-1]) <= tol


# --------------------------------------------------------------------------- objective


def test_set_penalty_splits_the_strengths():
    X, y = make_data()
    obj = BCEObjective(X, y, C=0.5, l1_ratio=0.25)
    assert obj.l1_strength == pytest.approx(0.25 / 0.5)
    assert obj.l2_strength == pytest.approx(0.75 / 0.5)
    obj.set_penalty(np.inf, 1.0)
    assert obj.l1_strength == 0.0 and obj.l2_strength == 0.0


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_value_plus_penalty_value_is_the_full_objective(fit_intercept):
    X, y = make_data()
    rng = np.random.default_rng(1)
    obj = BCEObjective(X, y, C=0.3, l1_ratio=0.6, fit_intercept=fit_intercept)
    coef = rng.standard_normal(obj.n_coef)
    expected = full_objective(X, y, coef, 0.3, 0.6, fit_intercept)
    assert obj.value(coef) + obj.penalty_value(coef) == pytest.approx(expected, rel=1e-12)


def test_prox_matches_a_numerical_minimisation_and_leaves_the_intercept():
    X, y = make_data(d=4)
    obj = BCEObjective(X, y, C=0.5, l1_ratio=0.8)
    rng = np.random.default_rng(2)
    coef = rng.standard_normal(obj.n_coef) * 2
    step = 0.7
    prox = obj.prox(coef, step)
    for j in range(obj.n_features):
        # argminᵤ λ|u| + (u - cⱼ)² / (2 step), one coordinate at a time, by bounded search
        found = scipy.optimize.minimize_scalar(
            lambda u, c=coef[j]: obj.l1_strength * abs(u) + (u - c) ** 2 / (2 * step),
            bounds=(-10, 10), method="bounded", options={"xatol": 1e-12},
        ).x
        assert prox[j] == pytest.approx(found, abs=1e-7)
    assert prox[-1] == coef[-1]
    assert np.array_equal(BCEObjective(X, y, C=0.5).prox(coef, step), coef)


def test_optimality_reduces_to_the_gradient_rule_without_l1():
    X, y = make_data()
    obj = BCEObjective(X, y, C=0.5)
    grad = obj.gradient(np.zeros(obj.n_coef))
    assert obj.optimality(grad) == np.max(np.abs(grad)) / obj.scale
    assert obj.optimality(grad, np.ones(obj.n_coef)) == obj.optimality(grad)


def test_subgradient_is_the_minimum_norm_element():
    X, y = make_data(d=3)
    obj = BCEObjective(X, y, C=1.0, l1_ratio=1.0)  # λ = 1
    coef = np.array([0.5, 0.0, 0.0, 3.0])
    grad = np.array([0.2, 0.4, -2.5, 0.1])
    sub = obj.subgradient(grad, coef)
    np.testing.assert_allclose(sub, [1.2, 0.0, -1.5, 0.1])
    with pytest.raises(ValueError, match="coef"):
        obj.optimality(grad)


# --------------------------------------------------------------------------- solvers

CASES = [
    pytest.param(sparse, fit_intercept, l1_ratio, id=f"{'csr' if sparse else 'dense'}-"
                 f"{'b' if fit_intercept else 'nob'}-{l1_ratio}")
    for sparse in (False, True) for fit_intercept in (True, False) for l1_ratio in (1.0, 0.5)
]


@pytest.mark.parametrize("solver", ["cd", "prox"])
@pytest.mark.parametrize(("sparse", "fit_intercept", "l1_ratio"), CASES)
def test_kkt_conditions_hold_at_the_solution(solver, sparse, fit_intercept, l1_ratio):
    X, y = make_data(sparse=sparse, seed=3)
    weights = np.random.default_rng(4).uniform(0.2, 2.0, y.size)
    C, tol = 0.05, 1e-9
    obj = BCEObjective(X, y, weights, C=C, l1_ratio=l1_ratio, fit_intercept=fit_intercept)
    result = SOLVERS[solver].solve(obj, np.zeros(obj.n_coef), tol=tol,
                                   max_iter=SOLVERS[solver].default_max_iter)
    assert result.converged
    assert_kkt(X, y, result.coef, C, l1_ratio, 1.01 * tol, fit_intercept, weights)
    assert 0 < np.count_nonzero(result.coef[: X.shape[1]]) < X.shape[1]
    # history_ records F itself and the KKT measure, the last row being the returned point
    assert result.history["objective"][-1] == pytest.approx(
        full_objective(X, y, result.coef, C, l1_ratio, fit_intercept, weights), rel=1e-12)
    assert result.history["grad_norm"][-1] <= tol


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_objective_matches_saga(sparse, l1_ratio):
    X, y = make_data(sparse=sparse, seed=5)
    X = X * 0.5  # keeps saga's step size comfortable
    C = 0.1
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # scikit-learn 1.9 accepts l1_ratio without penalty
        reference = SkLogisticRegression(C=C, l1_ratio=l1_ratio, solver="saga", tol=1e-12,
                                         max_iter=100_000).fit(X, y)
    f_ref = full_objective(X, y, np.r_[reference.coef_.ravel(), reference.intercept_], C,
                           l1_ratio)
    for solver in ("cd", "prox"):
        model = logitfit.LogisticRegression(
            "l1" if l1_ratio == 1.0 else "elasticnet", C=C, l1_ratio=l1_ratio, solver=solver,
            tol=1e-10,
        ).fit(X, y)
        f = full_objective(X, y, np.r_[model.coef_.ravel(), model.intercept_], C, l1_ratio)
        assert abs(f - f_ref) <= 1e-8 * abs(f_ref)
        np.testing.assert_array_equal(model.coef_ != 0, reference.coef_ != 0)


@pytest.mark.parametrize("sparse", [False, True])
def test_objective_matches_liblinear_without_intercept(sparse):
    # liblinear penalises its intercept, so the comparison is on a model without one.
    X, y = make_data(sparse=sparse, seed=6)
    C = 0.2
    # liblinear shuffles the coordinates: a fixed seed makes the reference reproducible.
    reference = SkLogisticRegression(C=C, l1_ratio=1.0, solver="liblinear", tol=1e-12,
                                     fit_intercept=False, max_iter=100_000,
                                     random_state=0).fit(X, y)
    f_ref = full_objective(X, y, reference.coef_.ravel(), C, 1.0, fit_intercept=False)
    model = logitfit.LogisticRegression("l1", C=C, fit_intercept=False, tol=1e-10).fit(X, y)
    f = full_objective(X, y, model.coef_.ravel(), C, 1.0, fit_intercept=False)
    assert abs(f - f_ref) <= 1e-8 * abs(f_ref)
    np.testing.assert_allclose(model.coef_, reference.coef_, atol=1e-5)


def test_cd_converges_at_default_settings_on_unscaled_features():
    # Feature scales from 1e-3 to 1e3: coordinate descent on the quadratic model needs many
    # sweeps, and cutting the inner solves short left the outer iteration at max_iter.
    X, y = load_breast_cancer(return_X_y=True)
    C = 0.1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = logitfit.LogisticRegression("l1", C=C, fit_intercept=False).fit(X, y)
    assert model.converged_ and model.n_iter_[0] < 40
    reference = SkLogisticRegression(C=C, l1_ratio=1.0, solver="liblinear", tol=1e-10,
                                     fit_intercept=False, max_iter=100_000,
                                     random_state=0).fit(X, y)
    f_ref = full_objective(X, y, reference.coef_.ravel(), C, 1.0, fit_intercept=False)
    f = full_objective(X, y, model.coef_.ravel(), C, 1.0, fit_intercept=False)
    assert f <= f_ref + 1e-6 * abs(f_ref)


def test_sample_weight_matches_saga():
    X, y = make_data(seed=7)
    weights = np.random.default_rng(8).uniform(0.0, 3.0, y.size)
    reference = SkLogisticRegression(C=0.1, l1_ratio=0.7, solver="saga", tol=1e-12,
                                     max_iter=100_000).fit(X * 0.5, y, sample_weight=weights)
    model = logitfit.LogisticRegression("elasticnet", C=0.1, l1_ratio=0.7, tol=1e-10).fit(
        X * 0.5, y, sample_weight=weights)
    np.testing.assert_allclose(model.coef_, reference.coef_, atol=1e-6)
    np.testing.assert_allclose(model.intercept_, reference.intercept_, atol=1e-6)


def test_dense_sparse_and_float32_agree():
    X, y = make_data(sparse=True, seed=9)
    dense = logitfit.LogisticRegression("l1", C=0.1, tol=1e-10).fit(X.toarray(), y)
    sparse = logitfit.LogisticRegression("l1", C=0.1, tol=1e-10).fit(X, y)
    single = logitfit.LogisticRegression("l1", C=0.1, tol=1e-7).fit(X.astype(np.float32), y)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, atol=1e-8)
    np.testing.assert_allclose(single.coef_, dense.coef_, atol=1e-4)


def test_elasticnet_with_zero_l1_ratio_is_the_l2_model():
    X, y = make_data(seed=10)
    l2 = logitfit.LogisticRegression("l2", C=0.3, solver="newton-cholesky", tol=1e-10).fit(X, y)
    for solver in ("cd", "prox"):
        en = logitfit.LogisticRegression("elasticnet", C=0.3, l1_ratio=0.0, solver=solver,
                                         tol=1e-10).fit(X, y)
        np.testing.assert_allclose(en.coef_, l2.coef_, atol=1e-7)


def test_warm_start_from_a_solution_takes_no_iteration():
    X, y = make_data(seed=11)
    model = logitfit.LogisticRegression("l1", C=0.1, tol=1e-8, warm_start=True).fit(X, y)
    model.fit(X, y)
    assert model.n_iter_[0] == 0 and model.converged_


# --------------------------------------------------------------------------- API rules


@pytest.mark.parametrize("solver", ["lbfgs", "newton-cholesky", "newton-cg", "gd", "agd"])
def test_smooth_solvers_refuse_l1_naming_the_ones_that_can(solver):
    X, y = make_data()
    with pytest.raises(ValueError, match=r"'cd' or 'prox'"):
        logitfit.LogisticRegression("l1", solver=solver).fit(X, y)
    obj = BCEObjective(X, y, C=1.0, l1_ratio=0.5)
    with pytest.raises(ValueError, match="handles only smooth"):
        SOLVERS[solver].solve(obj, np.zeros(obj.n_coef), tol=1e-6, max_iter=5)


def test_auto_rule_for_l1(monkeypatch):
    X, y = make_data()
    obj = BCEObjective(X, y, C=1.0, l1_ratio=1.0)
    assert select_solver(obj) == "cd"
    assert select_solver(BCEObjective(sp.csr_matrix(X), y, C=1.0, l1_ratio=1.0)) == "cd"
    assert select_solver(BCEObjective(X, y, C=1.0)) == "newton-cholesky"
    monkeypatch.setattr(_registry, "CD_MAX_DENSE_COPY_BYTES", 0)
    assert select_solver(obj) == "prox"
    model = logitfit.LogisticRegression("l1", C=0.1, tol=1e-8).fit(X, y)
    assert model.solver_ == "prox" and model.converged_


@pytest.mark.parametrize("l1_ratio", [-0.1, 1.5, "half"])
def test_bad_l1_ratio_is_refused(l1_ratio):
    X, y = make_data()
    with pytest.raises(ValueError, match="l1_ratio"):
        logitfit.LogisticRegression("elasticnet", l1_ratio=l1_ratio).fit(X, y)


def test_l1_gives_a_sparse_model_and_history():
    X, y = make_data(seed=12, d=40)
    model = logitfit.LogisticRegression("l1", C=0.05, tol=1e-8).fit(X, y)
    assert model.solver_ == "cd"
    assert 0 < np.count_nonzero(model.coef_) < 15
    assert model.history_["grad_norm"][-1] <= 1e-8
    assert np.all(np.diff(model.history_["objective"]) <= 1e-9 * model.history_["objective"][0])


@pytest.mark.parametrize("solver", ["cd", "prox"])
def test_zero_coefficients_are_positive_zeros_as_in_saga(solver):
    # The soft-threshold of a negative coefficient gave -0.0, printed "-0" by coef_ and the
    # summary; scikit-learn's saga returns +0.0 for the same zero coefficients.
    X, y = make_data(seed=14, d=12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = SkLogisticRegression(C=0.02, l1_ratio=1.0, solver="saga", tol=1e-10,
                                         max_iter=100_000).fit(X, y)
    model = logitfit.LogisticRegression("l1", C=0.02, solver=solver).fit(X, y)
    zero = model.coef_ == 0.0
    np.testing.assert_array_equal(zero, reference.coef_ == 0.0)
    assert zero.sum() >= 3
    np.testing.assert_array_equal(np.signbit(model.coef_[zero]),
                                  np.signbit(reference.coef_[zero]))


def test_csr_with_repeated_entries_is_the_summed_matrix():
    # scipy keeps repeated (row, column) entries; they mean their sum.
    X, y = make_data(sparse=True, seed=13)
    repeated = sp.csr_matrix((np.repeat(X.data / 2, 2), np.repeat(X.indices, 2),
                              2 * X.indptr), shape=X.shape)
    assert repeated.nnz == 2 * X.nnz and not repeated.has_canonical_format
    # (the estimator's validation merges them; the solver, which reads columns from its own
    # CSC extraction, must give the same answer without that)
    results = [
        SOLVERS["cd"].solve(BCEObjective(A, y, C=0.1, l1_ratio=1.0), np.zeros(X.shape[1] + 1),
                            tol=1e-10, max_iter=100)
        for A in (X, repeated)
    ]
    assert all(result.converged for result in results)
    np.testing.assert_allclose(results[1].coef, results[0].coef, atol=1e-8)


def test_column_extraction_matches_scipy_column_slicing():
    from logitfit import _cd_kernels

    X, _ = make_data(n=400, d=30, sparse=True, seed=21)
    chosen = np.array([2, 5, 6, 17, 29])
    slot_of = np.full(X.shape[1], -1, dtype=np.int64)
    slot_of[chosen] = np.arange(chosen.size)
    counts = _cd_kernels.column_counts(X.indices, X.shape[1])
    np.testing.assert_array_equal(counts, np.bincount(X.indices, minlength=X.shape[1]))
    col_ptr = np.r_[0, np.cumsum(counts[chosen])]
    data, rows = _cd_kernels.csr_extract_columns(X.data, X.indices, X.indptr, slot_of, col_ptr,
                                                 np.empty(col_ptr[-1], dtype=np.int32))
    expected = X[:, chosen].tocsc()
    expected.sort_indices()
    np.testing.assert_array_equal(col_ptr, expected.indptr)
    np.testing.assert_array_equal(rows, expected.indices)
    np.testing.assert_array_equal(data, expected.data)


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_inner_coordinate_descent_minimises_the_quadratic_model(fit_intercept):
    # The inner solve of "cd" must return the minimiser of
    # q(Δ) = ∇f·Δ + ½ Σ hᵢ Δzᵢ² + ½ (λ₂ + ν)‖Δw‖² + ½ ν Δb² + λ₁‖w + Δw‖₁ over the active
    # coordinates, with Δz = X Δw + Δb; checked by the model's KKT conditions computed with
    # NumPy, for the CSC kernel (on extracted columns) and the dense one.
    from logitfit import _cd_kernels, _kernels
    from logitfit.solvers.cd import SparseColumns

    X, y = make_data(n=500, d=40, sparse=True, seed=22)
    rng = np.random.default_rng(3)
    h = rng.uniform(0.01, 0.25, X.shape[0])
    grad = rng.standard_normal(X.shape[1]) * 5.0
    w = np.where(rng.random(X.shape[1]) < 0.3, rng.standard_normal(X.shape[1]), 0.0)
    active = np.flatnonzero(rng.random(X.shape[1]) < 0.6).astype(np.int64)
    lam1, l2, nu, grad_b, tol = 2.0, 0.3, 1e-12, 1.5, 1e-10
    columns = SparseColumns(X)
    columns.ensure(active, active[:0])
    Xd = X.toarray()
    results = {
        "csc": _cd_kernels.csc_cd_inner(columns.data, columns.rows, columns.indptr,
                                        columns.slots, X.shape[0], h, grad, w, active, lam1,
                                        l2, nu, fit_intercept, grad_b, tol, 10_000),
        "dense": _cd_kernels.dense_cd_inner(np.asfortranarray(Xd), h, grad, w, active, lam1,
                                            l2, nu, fit_intercept, grad_b, tol, 10_000),
    }
    # The Gram-matrix form (covariance updates) solves the same model over the same columns.
    gram, cross, total = _kernels.dense_hessian(Xd, h, columns=active)
    dw_active, db, sweeps = _cd_kernels.gram_cd_inner(gram, cross, total, grad[active],
                                                      w[active], lam1, l2, nu, fit_intercept,
                                                      grad_b, tol, 10_000)
    dw = np.zeros(X.shape[1])
    dw[active] = dw_active
    results["gram"] = (dw, db, Xd @ dw + db, sweeps)
    for dw, db, dz, _ in results.values():
        inactive = np.setdiff1d(np.arange(X.shape[1]), active)
        assert np.all(dw[inactive] == 0.0)
        np.testing.assert_allclose(dz, Xd @ dw + db, atol=1e-12)
        G = grad + Xd.T @ (h * dz) + (l2 + nu) * dw
        u = w + dw
        violation = np.where(u > 0, np.abs(G + lam1), np.where(
            u < 0, np.abs(G - lam1), np.maximum(np.abs(G) - lam1, 0.0)))[active]
        assert violation.max() <= 1e-8
        if fit_intercept:
            assert abs(grad_b + h @ dz + nu * db) <= 1e-8
        else:
            assert db == 0.0
    np.testing.assert_allclose(results["csc"][0], results["dense"][0], atol=1e-9)
    np.testing.assert_allclose(results["gram"][0], results["dense"][0], atol=1e-9)


def test_cd_switches_to_the_gram_matrix_and_reaches_the_same_solution(monkeypatch):
    # Tall dense data with few active columns: after a first inner solve by column sweeps the
    # solver predicts enough sweeps to build the Gram matrix of the active columns; the
    # solution must be the one the column sweeps alone reach.
    from logitfit.solvers import cd

    X, y = make_data(n=3000, d=30, seed=23)
    C, l1_ratio = 0.02, 0.5
    used = []
    original = cd._use_gram
    monkeypatch.setattr(cd, "_use_gram",
                        lambda *args: used.append(original(*args)) or used[-1])
    monkeypatch.setattr(cd, "_GRAM_COLUMNS_PER_SWEEP", 1000)
    with_gram = SOLVERS["cd"].solve(BCEObjective(X, y, C=C, l1_ratio=l1_ratio),
                                    np.zeros(31), tol=1e-10, max_iter=100)
    assert with_gram.converged and any(used) and not used[0]
    monkeypatch.setattr(cd, "_GRAM_COLUMNS_PER_SWEEP", 0)
    used.clear()
    sweeps_only = SOLVERS["cd"].solve(BCEObjective(X, y, C=C, l1_ratio=l1_ratio),
                                      np.zeros(31), tol=1e-10, max_iter=100)
    assert sweeps_only.converged and not any(used)
    np.testing.assert_allclose(with_gram.coef, sweeps_only.coef, atol=1e-7)
    assert_kkt(X, y, with_gram.coef, C, l1_ratio, 1e-8)
