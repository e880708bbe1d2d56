"""Newton-Cholesky's reused and subsampled Hessians, and the auto rule for wide dense data.

The reference optimum is scikit-learn's (newton-cholesky, tight tolerance) on the same
objective, compared through the objective value and the coefficients.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

from logitfit import LogisticRegression
from logitfit._objective import BCEObjective
from logitfit.solvers import SOLVERS, newton_cholesky, select_solver
from logitfit.solvers.newton_cholesky import hessian_rows, subsample_rows


def _tall_problem(n=24_000, d=5, seed=0):
    rng = np.random.default_rng(seed)
    scales = np.logspace(-1, 1, d)
    X = rng.normal(size=(n, d)) @ (np.eye(d) + 0.6 * np.eye(d, k=1)) * scales + scales
    z = X @ (rng.normal(size=d) / scales) + 0.2
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(np.float64)
    return np.ascontiguousarray(X), y


@pytest.fixture(scope="module")
def tall():
    X, y = _tall_problem()
    reference = SkLogisticRegression(C=1.0, solver="newton-cholesky", tol=1e-12,
                                     max_iter=1000).fit(X, y)
    coef = np.r_[reference.coef_.ravel(), reference.intercept_]
    return X, y, coef


def _count_hessians(objective):
    calls = []
    original = objective.hessian

    def counting(coef, rows=None):
        calls.append(None if rows is None else rows.shape[0])
        return original(coef, rows)

    objective.hessian = counting
    return calls


@pytest.mark.parametrize("subsample", [True, False])
def test_reused_hessians_reach_scikit_learns_optimum(tall, subsample):
    X, y, reference = tall
    objective = BCEObjective(X, y, C=1.0)
    calls = _count_hessians(objective)
    result = SOLVERS["newton-cholesky"].solve(
        objective, np.zeros(objective.n_coef), tol=1e-10, max_iter=100,
        hessian_reuse=True, subsample=subsample)
    assert result.converged
    f_ref = objective.value(reference)
    assert objective.value(result.coef) <= f_ref + 1e-12 * abs(f_ref)
    np.testing.assert_allclose(result.coef, reference, rtol=1e-6, atol=1e-7)
    # Hessians were reused: fewer of them than iterations.
    assert len(calls) < result.n_iter
    if subsample:
        # max(24,000 / 32, 300 · 6) = 1,800 rows, at most an eighth: subsampled.
        assert calls[0] == 1800
    else:
        assert all(rows is None for rows in calls)



@pytest.mark.parametrize("C", [np.inf, 1.0])
def test_an_unpenalised_fit_ends_with_an_exact_newton_step(C):
    # Chord steps with subsampled Hessians stop once the gradient is below tol, off by up
    # to tol over the curvature: 8e-6 relative to statsmodels' Newton estimate on these
    # data at tol=1e-6. Without a penalty (an MLE, for inference) exact Newton steps follow
    # until one is shorter than tol standard errors (here: two) and the estimate agrees
    # with statsmodels' to full precision; with one, the fit stops where tol says.
    import statsmodels.api as sm

    rng = np.random.default_rng(6)
    n, d = 100_000, 20
    X = rng.normal(size=(n, d))
    y = (rng.random(n) < 1 / (1 + np.exp(-(X @ (rng.normal(size=d) * 0.3) - 1)))).astype(float)
    objective = BCEObjective(X, y, C=C)
    calls = _count_hessians(objective)
    result = SOLVERS["newton-cholesky"].solve(objective, np.zeros(d + 1), tol=1e-6,
                                              max_iter=100)
    assert result.converged and calls[0] == 6_300  # subsampled, max(3,125, 300 · 21) rows
    if np.isinf(C):
        assert calls[-2:] == [None, None] and calls.count(None) == 2  # the final steps'
        assert result.history["grad_norm"][-1] < 1e-11
        reference = sm.Logit(y, np.c_[X, np.ones(n)]).fit(disp=0, tol=1e-12).params
        np.testing.assert_allclose(result.coef, reference, rtol=1e-9, atol=1e-10)
    else:
        assert None not in calls

@pytest.mark.parametrize("n", [2_000, 150_000])  # one Hessian per iteration; reused ones
def test_an_unpenalised_fit_does_not_depend_on_the_units_of_the_features(n):
    # With every column in millionths the gradient is a millionth of its size in units: the
    # intercept-only start met tol and the fit stopped there, at slopes of 0. The Newton
    # decrement does not depend on the units: the estimate must be the one in units, scaled.
    import statsmodels.api as sm

    rng = np.random.default_rng(8)
    X = rng.normal(size=(n, 8)) + 1.0
    y = (rng.random(n) < 1 / (1 + np.exp(-(X @ np.linspace(-0.5, 0.8, 8) - 0.3)))).astype(float)
    reference = sm.Logit(y, np.c_[X, np.ones(n)]).fit(disp=0, tol=1e-12).params
    for units in (1e-6, 1.0):
        objective = BCEObjective(X * units, y, C=np.inf)
        result = SOLVERS["newton-cholesky"].solve(objective, np.zeros(9), tol=1e-6,
                                                  max_iter=100)
        assert result.converged and result.n_iter >= 3
        np.testing.assert_allclose(result.coef * np.r_[np.full(8, units), 1.0], reference,
                                   rtol=1e-8, atol=1e-9)


def test_classic_newton_forms_a_hessian_every_iteration(tall):
    X, y, reference = tall
    objective = BCEObjective(X, y, C=1.0)
    calls = _count_hessians(objective)
    result = SOLVERS["newton-cholesky"].solve(
        objective, np.zeros(objective.n_coef), tol=1e-10, max_iter=100, hessian_reuse=False)
    assert result.converged
    assert len(calls) == result.n_iter
    np.testing.assert_allclose(result.coef, reference, rtol=1e-6, atol=1e-7)


def test_reuse_is_chosen_by_size():
    # Too small to pay: one Hessian per iteration, as in the classical method.
    X, y = _tall_problem(n=2_000, d=5)
    objective = BCEObjective(X, y)
    calls = _count_hessians(objective)
    result = SOLVERS["newton-cholesky"].solve(objective, np.zeros(6), tol=1e-9, max_iter=50)
    assert result.converged and len(calls) == result.n_iter


def test_hessian_rows_keep_300_rows_per_coefficient_and_at_most_an_eighth():
    assert hessian_rows(np.ones(1000), 6) is None
    assert hessian_rows(np.ones(23_999), 10) is None  # 3,000 rows would be more than an eighth
    rows = hessian_rows(np.ones(80_000), 10)
    assert rows.shape == (3_000,) and rows.dtype == np.int64
    assert np.all(np.diff(rows) > 0) and rows[0] >= 0 and rows[-1] < 80_000
    np.testing.assert_array_equal(rows, hessian_rows(np.ones(80_000), 10))  # deterministic
    # Very tall data: a 32nd of the rows, more than 300 per coefficient.
    assert hessian_rows(np.ones(3_200_000), 10).shape == (100_000,)


def test_hessian_rows_come_from_the_weighted_rows_only():
    # Rows of weight 0 add nothing to the Hessian: the sample and its size ignore them.
    weight = np.zeros(200_000)
    weight[::4] = 2.0
    rows = hessian_rows(weight, 10)
    assert rows.shape == (3_000,) and np.all(weight[rows] > 0)
    assert hessian_rows(np.where(np.arange(200_000) < 20_000, 1.0, 0.0), 10) is None


def test_subsampled_hessian_of_every_weighted_row_is_the_exact_hessian():
    # Scaled by (rows of non-zero weight) / m: a "subsample" of all of them is exact.
    X, y = _tall_problem(n=3_000, d=4)
    weight = np.where(np.arange(3_000) % 3 == 0, 0.0, 1.5)
    objective = BCEObjective(X, y, weight, C=2.0)
    coef = np.linspace(-0.5, 0.5, 5)
    rows = np.flatnonzero(weight > 0).astype(np.int64)
    np.testing.assert_allclose(objective.hessian(coef, rows), objective.hessian(coef),
                               rtol=1e-12)


def test_newton_cholesky_converges_when_most_rows_have_weight_zero():
    # Few weighted rows among many: the default (reused, subsampled Hessians) must still
    # reach the optimum, the one found without the zero-weight rows.
    X, y = _tall_problem(n=60_000, d=20)
    rng = np.random.default_rng(3)
    weight = np.where(rng.random(60_000) < 0.01, rng.uniform(1, 5, 60_000), 0.0)
    full = BCEObjective(X, y, weight)
    result = SOLVERS["newton-cholesky"].solve(full, np.zeros(21), tol=1e-9, max_iter=100)
    kept = weight > 0
    reference = SkLogisticRegression(C=1.0, solver="newton-cholesky", tol=1e-12,
                                     max_iter=1000).fit(
        X[kept], y[kept], sample_weight=weight[kept])
    assert result.converged and result.n_iter < 20
    np.testing.assert_allclose(result.coef, np.r_[reference.coef_.ravel(), reference.intercept_],
                               rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("penalty", [None, "l2"])
def test_a_singular_subsampled_hessian_hands_over_to_exact_hessians(penalty, monkeypatch):
    # A rare column (a one-hot level seen in 6 rows) whose rows all fall outside the Hessian
    # subsample: the subsampled Hessian has no curvature for it, singular without a penalty.
    # The solver then uses exact Hessians, with no SingularHessianWarning (the data are
    # neither collinear nor separable), and moves that coefficient too. (subsample_rows
    # refuses such a subset from the start; with that check off, the factorisation's failure
    # is what hands over.)
    import warnings

    monkeypatch.setattr(newton_cholesky, "_MIN_ROWS_PER_COLUMN", 0)

    rng = np.random.default_rng(23)
    n, d = 100_000, 10
    subset = hessian_rows(np.ones(n), d + 1)
    assert subset is not None
    rare_rows = rng.choice(np.setdiff1d(np.arange(n), subset), 6, replace=False)
    X = _csr_with_row_lengths(rng.integers(1, 4, n), d - 1, seed=5)
    X.data = rng.normal(size=X.nnz)
    rare = sp.csr_matrix((np.ones(6), (rare_rows, np.zeros(6, dtype=int))), shape=(n, 1))
    X = sp.hstack([X, rare], format="csr")
    y = (rng.random(n) < 1 / (1 + np.exp(-(X @ rng.normal(size=d))))).astype(float)
    y[rare_rows[:3]] = 1.0
    y[rare_rows[3:]] = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = LogisticRegression(penalty=penalty, tol=1e-10).fit(X, y)
    assert model.solver_ == "newton-cholesky" and model.converged_
    reference = SkLogisticRegression(C=np.inf if penalty is None else 1.0,
                                     solver="newton-cholesky", tol=1e-12, max_iter=100).fit(X, y)
    assert abs(reference.coef_[0, -1]) > 0.02
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-6, atol=1e-8)



@pytest.mark.parametrize("sparse", [False, True])
def test_rows_per_column_is_the_participation_ratio_of_the_weighted_squares(sparse):
    rng = np.random.default_rng(4)
    n, d = 5_000, 6
    X = rng.normal(size=(n, d)) * np.logspace(-3, 3, d)
    X[:, 2] = 0.0
    X[rng.choice(n, 7, replace=False), 2] = rng.uniform(1, 3, 7)  # a rare column
    X[:, 4] = 0.0  # all zero
    weight = rng.uniform(0.5, 2.0, n)
    rows = np.sort(rng.choice(n, 1_500, replace=False)).astype(np.int64)
    q = X[rows] ** 2 * weight[rows, None]
    with np.errstate(invalid="ignore"):
        expected = np.nan_to_num(q.sum(axis=0) ** 2 / (q ** 2).sum(axis=0))
    if sparse:
        # Non-canonical CSR: every stored value split in two entries, columns in reverse.
        canonical = sp.csr_matrix(X)
        lengths = np.diff(canonical.indptr)
        rows_of = np.repeat(np.arange(n), lengths)
        order = np.lexsort((-canonical.indices, rows_of))
        halves = np.repeat(canonical.data[order] / 2, 2)
        X = sp.csr_matrix((halves, np.repeat(canonical.indices[order], 2),
                           np.r_[0, np.cumsum(2 * lengths)]), shape=(n, d))
        assert not X.has_sorted_indices
    spread = BCEObjective(X.astype(np.float32) if not sparse else X, np.zeros(n), weight
                          ).rows_per_column(rows)
    np.testing.assert_allclose(spread, expected, rtol=1e-5 if not sparse else 1e-12)
    assert spread[4] == 0.0 and spread[2] < 7.5 and spread[0] > 400


def test_a_rare_column_gets_exact_hessians_and_the_optimum():
    # 50,000 rows, one column non-zero on 8 of them (neither separated nor collinear), one
    # with a large scale so that many Hessian weights are small. A subsample holds about
    # one of the 8 rows: its Newton steps overshot along that column to where the 8 rows'
    # Hessian weights vanish, and the fit stopped on a failed line search at an objective
    # 31 % above the optimum. Exact Hessians reach scikit-learn's optimum.
    rng = np.random.default_rng(5)
    n, d = 50_000, 19
    X = rng.normal(size=(n, d))
    X[:, 0] = 0.0
    rare = rng.choice(n, 8, replace=False)
    X[rare, 0] = 1.0
    X[:, 1] *= 100
    w = rng.normal(size=d)
    w[0] = 3.0
    y = (X @ w / np.sqrt(d) + rng.logistic(size=n) > 0).astype(float)
    assert 0 < y[rare].sum() < 8
    objective = BCEObjective(X, y, C=np.inf)
    assert hessian_rows(objective.sample_weight, d + 1) is not None
    assert subsample_rows(objective) is None
    model = LogisticRegression(penalty=None, tol=1e-10).fit(X, y)
    reference = SkLogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-12,
                                     max_iter=100).fit(X, y)
    assert model.solver_ == "newton-cholesky" and model.converged_
    theta = np.r_[model.coef_.ravel(), model.intercept_]
    reference_theta = np.r_[reference.coef_.ravel(), reference.intercept_]
    assert objective.value(theta) <= objective.value(reference_theta) * (1 + 1e-12)
    np.testing.assert_allclose(model.coef_[0, 1:], reference.coef_[0, 1:], rtol=1e-5)
    # Well-spread columns keep the subsample.
    assert subsample_rows(BCEObjective(X[:, 1:], y)) is not None

def test_refresh_ratio_is_validated(tall):
    X, y, _ = tall
    objective = BCEObjective(X[:100], y[:100])
    with pytest.raises(ValueError, match="refresh_ratio must be in"):
        SOLVERS["newton-cholesky"].solve(objective, np.zeros(6), tol=1e-6, max_iter=5,
                                         refresh_ratio=1.5)


def test_auto_rule_uses_lbfgs_for_wide_dense_data_with_more_samples():
    wide_tall = BCEObjective(np.zeros((1100, 1001)), np.zeros(1100))
    assert select_solver(wide_tall) == "lbfgs"
    assert select_solver(BCEObjective(np.zeros((1100, 1000)), np.zeros(1100))) == (
        "newton-cholesky")
    assert select_solver(BCEObjective(np.zeros((1000, 1001)), np.zeros(1000))) == "newton-cg"


def _csr_with_row_lengths(lengths, n_features, seed=0):
    rng = np.random.default_rng(seed)
    indices = np.concatenate([np.sort(rng.choice(n_features, k, replace=False))
                              for k in lengths])
    indptr = np.r_[0, np.cumsum(lengths)]
    return sp.csr_matrix((np.ones(indices.shape[0]), indices, indptr),
                         shape=(len(lengths), n_features))


def test_auto_rule_on_sparse_data_weighs_the_hessian_against_the_non_zeros():
    # 3,000 rows are too few for a subsample: exact Hessians, (k + 1) / 2 pairs per non-zero
    # with k non-zeros in every row. With 20 features (a matrix that stays in cache) up to 8
    # pairs, so k = 15 takes Newton-Cholesky and k = 16 Newton-CG; with 300 features up to 1.
    n = 3000
    for d, cheapest, dearest in ((20, 15, 16), (300, 1, 2)):
        cheap = BCEObjective(_csr_with_row_lengths(np.full(n, cheapest), d), np.zeros(n))
        assert select_solver(cheap) == "newton-cholesky"
        dear = BCEObjective(_csr_with_row_lengths(np.full(n, dearest), d), np.zeros(n))
        assert select_solver(dear) == "newton-cg"
    # Rows of zero weight count neither in the Hessian nor in the non-zeros: the 30,000 rows
    # left have 20 non-zeros each and are too few for a subsample, so the Hessian would be
    # exact (10.5 pairs per non-zero). With every row weighted, 90,000 rows allow a subsample
    # of 6,300 (300 per coefficient), 70.7 pairs a row on average: 0.7 per non-zero.
    lengths = np.r_[np.full(60_000, 1), np.full(30_000, 20)]
    weight = np.r_[np.zeros(60_000), np.ones(30_000)]
    X = _csr_with_row_lengths(lengths, 20)
    assert select_solver(BCEObjective(X, np.zeros(X.shape[0]), weight)) == "newton-cg"
    assert select_solver(BCEObjective(X, np.zeros(X.shape[0]))) == "newton-cholesky"
    # Subsampled Hessians come only with Hessian reuse, from n_samples·n_coef >= 1e6 on: 19
    # non-zeros in each row of 19 columns cost 10 pairs per non-zero in an exact Hessian,
    # 1 in the 6,000-row subsample that 60,000 rows (1.2e6) get; 48,000 rows (9.6e5) get none.
    assert select_solver(BCEObjective(_csr_with_row_lengths(np.full(60_000, 19), 19),
                                      np.zeros(60_000))) == "newton-cholesky"
    assert select_solver(BCEObjective(_csr_with_row_lengths(np.full(48_000, 19), 19),
                                      np.zeros(48_000))) == "newton-cg"
    # More than 1000 features, or fewer rows than features: Newton-CG whatever the density.
    wide = _csr_with_row_lengths(np.full(3000, 1), 1001)
    assert select_solver(BCEObjective(wide, np.zeros(3000))) == "newton-cg"
    short = _csr_with_row_lengths(np.full(10, 1), 20)
    assert select_solver(BCEObjective(short, np.zeros(10))) == "newton-cg"
    # No weighted rows at all: nothing to compare, Newton-CG.
    assert select_solver(BCEObjective(X, np.zeros(X.shape[0]),
                                      np.zeros(X.shape[0]))) == "newton-cg"


def test_auto_newton_cholesky_on_sparse_data_matches_scikit_learn():
    # The sparse Newton-Cholesky path end to end (subsampled, then exact Hessians from the
    # CSR kernel) against scikit-learn on the same problem.
    rng = np.random.default_rng(21)
    n, d = 60_000, 20
    X = _csr_with_row_lengths(rng.integers(1, 8, n), d, seed=3)
    X.data = rng.normal(size=X.nnz) * np.logspace(-1, 1, d)[X.indices]
    y = (rng.random(n) < 1 / (1 + np.exp(-(X @ rng.normal(size=d) / 3)))).astype(float)
    model = LogisticRegression(tol=1e-10).fit(X, y)
    assert model.solver_ == "newton-cholesky"
    reference = SkLogisticRegression(solver="newton-cholesky", tol=1e-12, max_iter=100).fit(X, y)
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(model.intercept_, reference.intercept_, rtol=1e-7, atol=1e-9)


def test_newton_cholesky_reaches_a_tight_tol_on_repeated_rows():
    # 200,000 rows drawn from 1,000: near the optimum the line search compares values that
    # differ in their last places, which a loosely summed loss got wrong, so the steps
    # shrank for 100 iterations without progress.
    rng = np.random.default_rng(14)
    distinct = rng.normal(size=(1000, 20))
    labels = (rng.random(1000) < 1 / (1 + np.exp(-distinct @ rng.normal(size=20))))
    rows = rng.integers(0, 1000, 200_000)
    X, y = np.ascontiguousarray(distinct[rows]), labels[rows].astype(float)
    result = SOLVERS["newton-cholesky"].solve(BCEObjective(X, y), np.zeros(21), tol=1e-12,
                                              max_iter=100)
    assert result.converged and result.n_iter < 30
