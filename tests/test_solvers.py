"""Every solver against the others and against a high-precision optimum, plus the shared
machinery: history, callback, convergence rule, the auto rule."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.optimize
import scipy.sparse
from conftest import make_classification_data

from logitfit._objective import BCEObjective
from logitfit.solvers import SOLVERS, select_solver
from logitfit.solvers._base import armijo_backtracking
from logitfit.solvers._standardise import standardising_map
from logitfit.solvers.lbfgs import _PROGRESS_WINDOW

SOLVER_NAMES = sorted(SOLVERS)


def reference_optimum(objective):
    """scipy's trust-region Newton-CG on the exact Hessian, run to its own tolerance: an
    independent optimiser, used only as the reference."""
    result = scipy.optimize.minimize(
        lambda c: objective.loss_gradient(c), np.zeros(objective.n_coef), jac=True,
        hess=objective.hessian, method="trust-exact", options={"gtol": 1e-11},
    )
    return result.x, result.fun


@pytest.fixture(scope="module", params=["dense64", "dense32", "csr64"])
def problem(request):
    kind = request.param
    X, y = make_classification_data(
        250, 8, seed=7, density=0.5 if kind == "csr64" else None,
        dtype=np.float32 if kind == "dense32" else np.float64,
    )
    weights = np.random.default_rng(1).uniform(0.5, 2.0, size=len(y))
    objective = BCEObjective(X, y, weights, C=0.5, fit_intercept=True)
    return objective, *reference_optimum(objective)


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_every_solver_reaches_the_same_optimum(problem, name):
    objective, reference_coef, reference_value = problem
    spec = SOLVERS[name]
    result = spec.solve(objective, np.zeros(objective.n_coef), tol=1e-9,
                        max_iter=spec.default_max_iter)
    assert result.converged, result.message
    value = objective.value(result.coef)
    assert abs(value - reference_value) <= 1e-9 * abs(reference_value)
    np.testing.assert_allclose(result.coef, reference_coef, rtol=0,
                               atol=1e-6 * np.linalg.norm(reference_coef))
    assert objective.optimality(objective.gradient(result.coef)) <= 1e-9 * 1.0001


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_history_records_every_iteration(problem, name):
    objective = problem[0]
    seen = []
    result = SOLVERS[name].solve(objective, np.zeros(objective.n_coef), tol=1e-7,
                                 max_iter=SOLVERS[name].default_max_iter, callback=seen.append)
    history = result.history
    assert set(history) == {"objective", "grad_norm", "step", "time"}
    assert all(len(column) == result.n_iter + 1 for column in history.values())
    assert [info.iteration for info in seen] == list(range(result.n_iter + 1))
    np.testing.assert_allclose(history["objective"], [info.objective for info in seen])
    assert np.all(np.diff(history["time"]) >= 0)
    # The last row describes the returned coefficients.
    assert history["objective"][-1] == pytest.approx(objective.value(result.coef), rel=1e-12)
    assert history["grad_norm"][-1] == pytest.approx(
        objective.optimality(objective.gradient(result.coef)), rel=1e-9)
    if name != "agd":  # accelerated methods are not monotone
        assert np.all(np.diff(history["objective"]) <= 1e-12 * abs(history["objective"][0]))


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_callback_can_stop_the_solver(problem, name):
    objective = problem[0]
    result = SOLVERS[name].solve(objective, np.zeros(objective.n_coef), tol=1e-12,
                                 max_iter=1000, callback=lambda info: info.iteration >= 2)
    assert result.n_iter == 2
    assert result.message == "stopped by callback" and result.stopped_by_callback
    assert not result.converged


@pytest.mark.parametrize("name", SOLVER_NAMES)
def test_max_iter_is_respected_and_reported(problem, name):
    objective = problem[0]
    result = SOLVERS[name].solve(objective, np.zeros(objective.n_coef), tol=1e-14, max_iter=1,
                                 callback=lambda info: False)
    assert result.n_iter <= 1 and not result.stopped_by_callback
    assert not result.converged


def test_gradient_descent_with_a_fixed_learning_rate(problem):
    """The textbook update of the seed derivation, θ ← θ - η ∇f/Σs, converges for small η."""
    objective, reference_coef, reference_value = problem
    result = SOLVERS["gd"].solve(objective, np.zeros(objective.n_coef), tol=1e-8,
                                 max_iter=50_000, learning_rate=0.5)
    assert result.converged
    assert np.all(result.history["step"][1:] == 0.5)
    assert objective.value(result.coef) == pytest.approx(reference_value, rel=1e-9)


def test_gradient_descent_with_too_large_a_learning_rate_reports_failure(problem):
    objective = problem[0]
    result = SOLVERS["gd"].solve(objective, np.zeros(objective.n_coef), tol=1e-8,
                                 max_iter=200, learning_rate=1e6)
    assert not result.converged
    # The steps made the objective grow: the result is the iterate where it was lowest,
    # not the last (diverged) one.
    lowest = int(np.argmin(result.history["objective"]))
    assert result.history["objective"][-1] > result.history["objective"][lowest]
    assert objective.value(result.coef) == result.history["objective"][lowest]
    assert f"iteration {lowest}, where it was lowest" in result.message
    assert result.best_iteration == lowest


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_lbfgs_coordinates_are_the_same_objective(sparse, fit_intercept):
    # θ = T u: T inverts the standardisation, and the gradient in u is Tᵀ∇f, checked by
    # central differences of u ↦ f(T u).
    rng = np.random.default_rng(2)
    X = rng.normal(size=(60, 4)) * [1e-3, 1.0, 1e3, 5.0] + [0.0, 1e3, 2.0, -1.0]
    X = scipy.sparse.csr_matrix(X) if sparse else X
    objective = BCEObjective(X, (rng.random(60) < 0.4).astype(float), rng.uniform(0.5, 2, 60),
                             C=0.3, fit_intercept=fit_intercept)
    to_coef, to_standard, gradient_to_standard = standardising_map(objective)
    u = rng.normal(size=objective.n_coef)
    np.testing.assert_allclose(to_standard(to_coef(u)), u, rtol=1e-12, atol=1e-12)
    grad = gradient_to_standard(objective.loss_gradient(to_coef(u))[1])
    step = 1e-5
    numeric = [(objective.loss_gradient(to_coef(u + step * e))[0]
                - objective.loss_gradient(to_coef(u - step * e))[0]) / (2 * step)
               for e in np.eye(objective.n_coef)]
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-6)


def test_lbfgs_leaves_constant_columns_uncentred_and_reuses_the_moments():
    # A constant column's computed variance is rounding noise (weights that are not uniform
    # make E[x²] and E[x]² round apart): standardising by it would blow the map up.
    rng = np.random.default_rng(4)
    X = np.c_[rng.normal(size=(5000, 2)) * [1e-3, 1e3], np.full(5000, 123.456)]
    objective = BCEObjective(X, (rng.random(5000) < 0.5).astype(float),
                             rng.uniform(0.1, 3.0, 5000), C=np.inf)
    to_coef, _, _ = standardising_map(objective)
    passes = objective.n_data_passes
    np.testing.assert_allclose(to_coef(np.eye(4)[2]), [0.0, 0.0, 1 / 123.456, 0.0], rtol=1e-12)
    standardising_map(objective)  # a path asks again at every C: the moments are kept
    assert objective.n_data_passes == passes


def test_lbfgs_converges_on_features_of_any_scale():
    # Scales from 1e-3 to 1e3 and offsets: plain L-BFGS ran its 1,000 iterations out here.
    rng = np.random.default_rng(9)
    X = rng.standard_normal((2000, 300))
    y = (rng.random(2000) < 1 / (1 + np.exp(-X @ rng.normal(size=300) / 8))).astype(float)
    X = X * np.logspace(-3, 3, 300)[rng.permutation(300)] + rng.normal(size=300) * 10
    objective = BCEObjective(X, y, C=1.0)
    result = SOLVERS["lbfgs"].solve(objective, np.zeros(301), tol=1e-6, max_iter=1000)
    reference = scipy.optimize.minimize(
        objective.loss_gradient, result.coef, jac=True, hess=objective.hessian,
        method="trust-exact", options={"gtol": 1e-10})
    assert result.converged and result.n_iter < 100
    assert result.history["objective"][-1] <= reference.fun * (1 + 1e-12)


def test_armijo_rejects_an_ascent_direction(problem):
    objective = problem[0]
    coef = np.zeros(objective.n_coef)
    value, grad = objective.loss_gradient(coef)
    assert armijo_backtracking(objective, coef, value, grad, grad) is None
    found = armijo_backtracking(objective, coef, value, grad, -grad / objective.scale)
    assert found is not None and found.value < value



def test_armijo_refuses_a_step_that_does_not_move_the_coefficients(problem):
    # c t ∇f·d below half an ulp of f: f(θ + t d) = f(θ) passes the Armijo test in floating
    # point, and a solver accepting θ + t d = θ would repeat that point until max_iter.
    objective = problem[0]
    coef = np.full(objective.n_coef, 1e4)
    value, grad = objective.loss_gradient(coef)
    assert armijo_backtracking(objective, coef, value, grad, -grad * 1e-30) is None


def test_newton_cg_stops_where_float64_stops_it_instead_of_spinning():
    # A column of 1e4 ± 1 beside the intercept: tol=1e-10 asks for more than the objective's
    # rounding lets Armijo's test see. Newton-CG used to accept unmoved points and repeat one
    # iterate for 163 of its 200 iterations; it now stops and says why.
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    from logitfit import LogisticRegression

    rng = np.random.default_rng(0)
    n = 20_000
    X = np.c_[rng.standard_normal(n) + 1e4, rng.standard_normal(n), rng.lognormal(0, 2, n)]
    y = (rng.random(n) < 1 / (1 + np.exp(-(X[:, 1] + (X[:, 0] - 1e4))))).astype(float)
    moves = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = LogisticRegression(solver="newton-cg", tol=1e-10).fit(
            X, y, callback=lambda info: moves.append(info.coef.copy()))
    assert not np.any(np.all(np.diff(moves, axis=0) == 0, axis=1))  # every iteration moved
    if not model.converged_:
        assert model.n_iter_[0] < 100
        assert any(issubclass(w.category, ConvergenceWarning)
                   and "flat to float64 precision" in str(w.message) for w in caught)

def test_auto_rule_follows_the_shape_and_sparsity():
    tall = BCEObjective(np.zeros((50, 5)), np.zeros(50))
    wide = BCEObjective(np.zeros((5, 50)), np.zeros(5))
    # Sparse: Newton-CG unless the CSR Hessian is cheap (here, 1.5 non-zeros per row of 3).
    few_per_row = BCEObjective(make_classification_data(20, 3, density=0.5)[0], np.zeros(20))
    many_per_row = BCEObjective(make_classification_data(40, 20, density=1.0)[0], np.zeros(40))
    assert select_solver(tall) == "newton-cholesky"
    assert select_solver(wide) == "newton-cg"
    assert select_solver(few_per_row) == "newton-cholesky"
    assert select_solver(many_per_row) == "newton-cg"


def test_a_singular_hessian_warning_gives_advice_that_fits_the_penalty():
    from logitfit.solvers.newton_cholesky import SingularHessianWarning

    rng = np.random.default_rng(3)
    X = rng.normal(size=(60, 2))
    y = (rng.uniform(size=60) > 0.5).astype(float)
    # Unpenalised, a duplicated column: the optimum is not unique.
    collinear = BCEObjective(np.c_[X, X[:, 0]], y, C=np.inf)
    with pytest.warns(SingularHessianWarning, match="not unique or does not exist. Add a penalty"
                      ) as record:
        SOLVERS["newton-cholesky"].solve(collinear, np.zeros(4), tol=1e-8, max_iter=50)
    assert len(record) == 1  # once per fit, though every iteration's Hessian is singular
    # Penalised, but a column of 1e6 beside the intercept with C = 1e6: the penalty is there,
    # too weak for the scale; the advice is a smaller C, and the optimum is still reached.
    scaled = BCEObjective(np.c_[np.full(60, 1e6), X[:, 1]], y, C=1e6)
    with pytest.warns(SingularHessianWarning, match=r"penalty \(strength 1e-06\) is too weak.*"
                                                    r"Use a smaller C") as record:
        result = SOLVERS["newton-cholesky"].solve(scaled, np.zeros(3), tol=1e-8, max_iter=100)
    assert not any("Add a penalty" in str(w.message) for w in record)
    optimum, value = reference_optimum(scaled)
    assert scaled.value(result.coef) == pytest.approx(value, rel=1e-9)


def test_lbfgs_reaches_tol_on_columns_of_large_values():
    # Columns of years, incomes and amounts in the ten thousands: tol=1e-8 asks for changes
    # of θ whose effect on f is below float64 resolution, and scipy's L-BFGS-B stops there
    # ("relative reduction of f <= factr*epsmch"), short of tol. Newton-CG steps finish.
    rng = np.random.default_rng(0)
    n, d = 3000, 40
    amounts = np.column_stack([rng.normal(2000, 10, n), rng.lognormal(10, 1, n),
                               rng.normal(40, 12, n), rng.normal(0, 1e-3, n),
                               rng.exponential(1e4, n)])
    X = np.ascontiguousarray(np.c_[rng.standard_normal((n, d - 5)), amounts])
    beta = np.r_[rng.standard_normal(d - 5) / np.sqrt(d), 0.05, 1e-5, 0.03, 300, 1e-4]
    z = X @ beta
    y = (rng.random(n) < 1 / (1 + np.exp(-(z - z.mean())))).astype(float)
    objective = BCEObjective(X, y, C=1.0)
    result = SOLVERS["lbfgs"].solve(objective, np.zeros(d + 1), tol=1e-8, max_iter=1000)
    assert result.converged and result.message == "converged"
    assert objective.optimality(objective.gradient(result.coef)) <= 1e-8
    reference = SOLVERS["newton-cholesky"].solve(objective, np.zeros(d + 1), tol=1e-12,
                                                 max_iter=100, hessian_reuse=False)
    np.testing.assert_allclose(result.coef, reference.coef, rtol=1e-6, atol=1e-9)
    assert len(result.history["objective"]) == result.n_iter + 1


def _heavy_tailed_problem():
    # Cauchy-distributed columns: standardising by the standard deviation cannot even them
    # out, and plain L-BFGS is still short of tol=1e-8 after 1,000 iterations here.
    rng = np.random.default_rng(0)
    X = rng.standard_cauchy((1000, 200))
    y = (rng.random(1000) < 0.5).astype(float)
    return X, y


def _lbfgs_counting_passes(X, y, C, max_iter):
    """An L-BFGS run at tol=1e-8, and the passes over X made by each of its iterations' end
    (one entry per history row)."""
    objective = BCEObjective(X, y, C=C)
    passes = []
    result = SOLVERS["lbfgs"].solve(objective, np.zeros(X.shape[1] + 1), tol=1e-8,
                                    max_iter=max_iter,
                                    callback=lambda info: passes.append(objective.n_data_passes))
    return objective, result, passes


def test_lbfgs_hands_a_slow_run_to_newton_cg():
    from sklearn.linear_model import LogisticRegression as SkLogisticRegression

    X, y = _heavy_tailed_problem()
    objective, result, passes = _lbfgs_counting_passes(X, y, C=1.0, max_iter=1000)
    assert result.converged and result.message == "converged"
    # The last iterations are Newton-CG steps (several passes each), taken after half of
    # max_iter, and the whole run made fewer passes than L-BFGS's 1,000 iterations alone.
    handed_over = np.flatnonzero(np.diff(passes) > 2)
    assert handed_over.size > 0 and handed_over[0] >= 500
    assert objective.n_data_passes < 1000
    assert objective.optimality(objective.gradient(result.coef)) <= 1e-8
    reference = SkLogisticRegression(C=1.0, solver="newton-cholesky", tol=1e-12,
                                     max_iter=200).fit(X, y)
    reference_coef = np.r_[reference.coef_.ravel(), reference.intercept_]
    assert objective.value(result.coef) == pytest.approx(objective.value(reference_coef),
                                                         rel=1e-12)
    np.testing.assert_allclose(result.coef, reference_coef, rtol=1e-5, atol=1e-7)


def test_lbfgs_takes_back_a_run_that_newton_cg_progresses_slower_on():
    # Weakly penalised, nearly separable data with Cauchy columns: at half of max_iter
    # L-BFGS looks too slow, but Newton-CG is slower still (its CG runs hit their cap). After
    # its trial, L-BFGS takes the run back and converges, as it did alone (in 766 iterations).
    rng = np.random.default_rng(7)
    n, d = 600, 400
    X = rng.standard_cauchy((n, d))
    z = (X - np.median(X, 0)) / (np.std(X, 0) + 1e-12)
    z = np.clip(z, -3, 3) @ rng.standard_normal(d) / np.sqrt(d)
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(float)
    objective, result, passes = _lbfgs_counting_passes(X, y, C=1e6, max_iter=1000)
    assert result.converged
    assert objective.optimality(objective.gradient(result.coef)) <= 1e-8
    steps = np.diff(passes)
    newton = np.flatnonzero(steps > 2)
    assert newton.size > 0 and newton[0] >= 500
    # After the trial, L-BFGS iterations of about one pass each, many of them.
    assert steps.size - newton[-1] > 100 and np.all(steps[newton[-1] + 1:] <= 2)


def test_lbfgs_run_that_keeps_its_pace_is_not_handed_over():
    # Strongly correlated Gaussian columns, weak penalty: L-BFGS needs a few hundred
    # iterations, at a rate that reaches tol well within max_iter.
    rng = np.random.default_rng(0)
    d = 100
    covariance = 0.99 ** np.abs(np.subtract.outer(np.arange(d), np.arange(d)))
    X = rng.multivariate_normal(np.zeros(d), covariance, 2000)
    y = (rng.random(2000) < 1 / (1 + np.exp(-0.3 * X @ rng.standard_normal(d)))).astype(float)
    objective = BCEObjective(X, y, C=1e3)
    result = SOLVERS["lbfgs"].solve(objective, np.zeros(d + 1), tol=1e-8, max_iter=1000)
    assert result.converged and result.n_iter > 2 * _PROGRESS_WINDOW
    # About one pass per L-BFGS iteration: no Hessian-vector products were made.
    assert objective.n_data_passes <= 1.2 * result.n_iter + 2


def test_newton_cg_after_lbfgs_keeps_to_the_passes_left():
    # max_iter=200: L-BFGS is judged too slow at half of it, and Newton-CG steps (and
    # L-BFGS again, if they lose their trial) may make only the passes of the L-BFGS
    # iterations left, at the rate L-BFGS made them, however many each of their steps takes.
    X, y = _heavy_tailed_problem()
    objective, result, passes = _lbfgs_counting_passes(X, y, C=1.0, max_iter=200)
    assert not result.converged and result.message == "max_iter reached"
    handover = 100
    assert np.all(np.diff(passes[:handover + 1]) <= 2)
    assert passes[handover + 1] - passes[handover] > 2  # a Newton-CG step
    # At most the passes of 200 L-BFGS iterations (at the rate of the first 100), give or
    # take the line search of the last step.
    assert objective.n_data_passes <= 2 * passes[handover] + 3
    assert result.n_iter < 200 and len(passes) == result.n_iter + 1


def test_lbfgs_is_not_handed_over_without_passes_for_a_trial():
    # max_iter=60 leaves 30 passes at the judgement, 3 for a trial: too few for Newton-CG
    # steps of several passes each to show anything, so L-BFGS goes on alone.
    X, y = _heavy_tailed_problem()
    objective, result, passes = _lbfgs_counting_passes(X, y, C=1.0, max_iter=60)
    assert result.n_iter == 60 and np.all(np.diff(passes) <= 2)


def test_columns_whose_squares_overflow_give_no_nan_and_no_rise():
    # A column of values near 1e200: L-BFGS's scale for it was infinite (NaN coefficients),
    # and AGD's backtracking gave up at L = 1e300 and took a step that raised f by 1e98.
    rng = np.random.default_rng(4)
    X = rng.standard_normal((400, 5))
    y = (X[:, 0] + rng.standard_normal(400) > 0).astype(float)
    X[:, 1] *= 1e200
    objective = BCEObjective(X, y, C=1.0)
    start = np.zeros(6)
    # L-BFGS (its column scales) and Newton-Cholesky (its Hessian) refuse them by name.
    for name in ("lbfgs", "newton-cholesky"):
        with pytest.raises(ValueError, match=r"Feature\(s\) x1 hold values whose squares "
                                             r"overflow.*StandardScaler"):
            SOLVERS[name].solve(objective, start, tol=1e-6, max_iter=100)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        for name in ("agd", "newton-cg"):
            result = SOLVERS[name].solve(objective, start, tol=1e-6, max_iter=50)
            assert np.all(np.isfinite(result.coef))
            assert objective.value(result.coef) <= objective.value(start)


@pytest.mark.parametrize("name", ["lbfgs", "newton-cg", "newton-cholesky", "cd"])
def test_unpenalised_fits_do_not_depend_on_the_units_of_the_features(name):
    # Features in millionths: the gradient is a millionth of its size in units, so the
    # gradient rule alone held at the start (slopes of 0). The estimate must be the one in
    # units, scaled, from every solver that fits unpenalised models.
    X, y = make_classification_data(2000, 4, seed=11)
    in_units = BCEObjective(X, y, C=np.inf)
    reference, _ = reference_optimum(in_units)
    objective = BCEObjective(X * 1e-6, y, C=np.inf)
    # From the intercept-only optimum, as the estimator starts: there the whole gradient,
    # in millionths, meets tol.
    start = np.r_[np.zeros(4), np.log(y.mean() / (1.0 - y.mean()))]
    result = SOLVERS[name].solve(objective, start, tol=1e-6,
                                 max_iter=SOLVERS[name].default_max_iter)
    assert result.converged and result.n_iter > 0
    # cd stops on the (standardised) gradient rule alone, the Newton solvers on a Newton
    # step of at most tol standard errors, which lands closer.
    rtol = 1e-4 if name == "cd" else 1e-5
    np.testing.assert_allclose(result.coef * np.r_[np.full(4, 1e-6), 1.0], reference,
                               rtol=rtol, atol=1e-7)


@pytest.mark.parametrize("name", ["gd", "agd", "prox"])
def test_first_order_solvers_do_not_stop_at_the_start_in_small_units(name):
    # First-order methods need thousands of iterations on so stiff a problem; what they must
    # not do is report the start (slopes of 0) as converged because the gradient, in
    # millionths, met tol there.
    X, y = make_classification_data(2000, 4, seed=11)
    objective = BCEObjective(X * 1e-6, y, C=np.inf)
    start = np.r_[np.zeros(4), np.log(y.mean() / (1.0 - y.mean()))]
    result = SOLVERS[name].solve(objective, start, tol=1e-6, max_iter=50)
    assert not result.converged and result.n_iter == 50
    # In units (where the gradient rule has its usual meaning) the same solvers converge.
    unit = BCEObjective(X, y, C=np.inf)
    reference, _ = reference_optimum(unit)
    result = SOLVERS[name].solve(unit, np.zeros(5), tol=1e-6,
                                 max_iter=SOLVERS[name].default_max_iter)
    assert result.converged
    np.testing.assert_allclose(result.coef, reference, rtol=1e-4, atol=1e-5)


def test_a_run_stopped_by_max_iter_before_its_last_newton_step_is_not_converged():
    # In millionths the gradient rule holds at every iterate; the run is done only once a
    # Newton step is short in standard errors, and max_iter=2 stops it before.
    X, y = make_classification_data(2000, 4, seed=11)
    objective = BCEObjective(X * 1e-6, y, C=np.inf)
    for name in ("newton-cholesky", "newton-cg"):
        result = SOLVERS[name].solve(objective, np.zeros(5), tol=1e-6, max_iter=2)
        assert not result.converged and result.message.startswith("max_iter reached")


def test_an_unpenalised_fit_at_the_rounding_floor_stops():
    # Weights summing to 1e18: no Newton step can be shorter than rounding allows in
    # standard errors; the fit stops once the decrease a step predicts is below f's
    # rounding, in as many iterations as with unit weights.
    X, y = make_classification_data(2000, 4, seed=11)
    unit = SOLVERS["newton-cholesky"].solve(BCEObjective(X, y, C=np.inf), np.zeros(5),
                                            tol=1e-12, max_iter=100)
    heavy = SOLVERS["newton-cholesky"].solve(
        BCEObjective(X, y, np.full(len(y), 1e15), C=np.inf), np.zeros(5), tol=1e-12,
        max_iter=100)
    assert unit.converged and heavy.converged
    assert heavy.n_iter <= unit.n_iter + 1
    np.testing.assert_allclose(heavy.coef, unit.coef, rtol=1e-9, atol=1e-12)
