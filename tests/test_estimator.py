"""logitfit.LogisticRegression against scikit-learn's LogisticRegression, and its contract."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from conftest import make_classification_data
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression as SklearnLogisticRegression
from sklearn.utils.estimator_checks import check_classifiers_one_label_sample_weights

from logitfit import LogisticRegression, LogisticRegressionCV
from logitfit._objective import BCEObjective
from logitfit.solvers import SOLVERS


def sklearn_reference(X, y, sample_weight=None, **params):
    params.setdefault("C", 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return SklearnLogisticRegression(tol=1e-10, max_iter=100_000, **params).fit(
            X, y, sample_weight=sample_weight
        )


def assert_same_model(ours, reference, rtol=1e-5):
    expected = np.r_[reference.coef_.ravel(), reference.intercept_]
    got = np.r_[ours.coef_.ravel(), ours.intercept_]
    np.testing.assert_allclose(got, expected, rtol=0, atol=rtol * np.linalg.norm(expected))


@pytest.fixture(scope="module")
def synthetic():
    X, y = make_classification_data(400, 10, seed=3)
    return X, y


def dataset(name, breast_cancer, synthetic):
    return breast_cancer if name == "breast_cancer" else synthetic


WEIGHTINGS = ["none", "sample_weight", "balanced", "dict", "both"]


@pytest.mark.parametrize("data_name", ["breast_cancer", "synthetic"])
@pytest.mark.parametrize("weighting", WEIGHTINGS)
@pytest.mark.parametrize("C", [1.0, 0.05])
def test_matches_sklearn(breast_cancer, synthetic, data_name, weighting, C):
    X, y = dataset(data_name, breast_cancer, synthetic)
    rng = np.random.default_rng(0)
    sample_weight = (rng.uniform(0.2, 3.0, size=len(y))
                     if weighting in ("sample_weight", "both") else None)
    class_weight = {"balanced": "balanced", "dict": {0.0: 2.5, 1.0: 0.7},
                    "both": "balanced"}.get(weighting)
    ours = LogisticRegression(C=C, tol=1e-10, class_weight=class_weight).fit(
        X, y, sample_weight=sample_weight
    )
    reference = sklearn_reference(X, y, sample_weight, C=C, class_weight=class_weight)
    assert ours.converged_
    assert_same_model(ours, reference)
    np.testing.assert_allclose(ours.predict_proba(X), reference.predict_proba(X), atol=1e-6)


@pytest.mark.parametrize("solver", ["lbfgs", "newton-cholesky", "newton-cg", "gd", "agd"])
def test_every_solver_matches_sklearn(breast_cancer, solver):
    X, y = breast_cancer
    with warnings.catch_warnings():
        # L-BFGS-B may stop when f stops decreasing, a little short of tol=1e-10.
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = LogisticRegression(solver=solver, tol=1e-10).fit(X, y)
    assert ours.solver_ == solver
    assert_same_model(ours, sklearn_reference(X, y))


def test_without_intercept_matches_sklearn(synthetic):
    X, y = synthetic
    ours = LogisticRegression(fit_intercept=False, tol=1e-10).fit(X, y)
    assert ours.intercept_.tolist() == [0.0]
    assert_same_model(ours, sklearn_reference(X, y, fit_intercept=False))


def test_unpenalised_matches_sklearn(synthetic):
    X, y = synthetic
    ours = LogisticRegression(penalty=None, tol=1e-10).fit(X, y)
    assert_same_model(ours, sklearn_reference(X, y, C=np.inf))
    assert_same_model(LogisticRegression(C=np.inf, tol=1e-10).fit(X, y), ours, rtol=1e-8)


def test_string_labels_and_class_order(synthetic):
    X, y = synthetic
    labels = np.where(y == 1, "spam", "ham")
    model = LogisticRegression(tol=1e-10).fit(X, labels)
    numeric = LogisticRegression(tol=1e-10).fit(X, y)
    assert model.classes_.tolist() == ["ham", "spam"]
    np.testing.assert_allclose(model.coef_, numeric.coef_, rtol=1e-10)
    assert set(model.predict(X)) <= {"ham", "spam"}
    np.testing.assert_array_equal(model.predict(X) == "spam", numeric.predict(X) == 1)


def test_pandas_input_keeps_feature_names(synthetic):
    X, y = synthetic
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])])
    model = LogisticRegression().fit(frame, pd.Series(y))
    assert model.feature_names_in_.tolist() == list(frame.columns)
    np.testing.assert_allclose(model.predict_proba(frame),
                               LogisticRegression().fit(X, y).predict_proba(X))
    with pytest.raises(ValueError, match="feature names"):
        model.predict(frame.rename(columns={"x0": "other"}))


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
@pytest.mark.parametrize("solver", ["auto", "newton-cholesky", "newton-cg"])
def test_sparse_input_matches_dense(fmt, solver):
    # 3.6 non-zeros per row over 12 columns: a cheap CSR Hessian, so auto takes
    # Newton-Cholesky on the sparse matrix too.
    X, y = make_classification_data(300, 12, seed=5, density=0.3)
    sparse_model = LogisticRegression(tol=1e-10, solver=solver).fit(X.asformat(fmt), y)
    dense_model = LogisticRegression(tol=1e-10).fit(X.toarray(), y)
    assert sparse_model.solver_ == ("newton-cholesky" if solver == "auto" else solver)
    assert_same_model(sparse_model, dense_model, rtol=1e-7)
    np.testing.assert_allclose(sparse_model.decision_function(X.asformat(fmt)),
                               dense_model.decision_function(X.toarray()), atol=1e-6)


def test_float32_input_gives_float64_quality(synthetic):
    X, y = synthetic
    model32 = LogisticRegression(tol=1e-10).fit(X.astype(np.float32), y)
    model64 = LogisticRegression(tol=1e-10).fit(X.astype(np.float32).astype(np.float64), y)
    assert_same_model(model32, model64, rtol=1e-9)
    assert model32.decision_function(X.astype(np.float32)).dtype == np.float64


def test_probabilities_are_stable_for_extreme_logits():
    X = np.array([[-1.0], [1.0], [-2.0], [2.0], [0.5], [-0.5]])
    y = np.array([0, 1, 0, 1, 0, 1])
    model = LogisticRegression(C=1e3).fit(X, y)
    far = np.array([[-1e6], [1e6]])
    proba = model.predict_proba(far)
    log_proba = model.predict_log_proba(far)
    assert np.all(np.isfinite(log_proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert proba[0, 0] == 1.0 and proba[1, 1] == 1.0
    # log P(class 1 | x = -1e6) is about -1e6 * w, not -inf.
    assert log_proba[0, 1] == pytest.approx(model.decision_function(far)[0], rel=1e-9)


def test_warm_start_resumes_from_the_solution(synthetic):
    X, y = synthetic
    model = LogisticRegression(warm_start=True, tol=1e-8).fit(X, y)
    first = model.coef_.copy()
    model.fit(X, y)
    assert model.n_iter_[0] == 0
    np.testing.assert_array_equal(model.coef_, first)



def test_warm_start_on_data_with_other_features_is_refused_as_in_scikit_learn(synthetic):
    # The previous coefficients were silently dropped for zeros when X had other columns
    # (a refit on the wrong columns went unnoticed); scikit-learn refuses the refit.
    X, y = synthetic
    reference = SklearnLogisticRegression(warm_start=True).fit(X, y)
    with pytest.raises(ValueError):
        reference.fit(X[:, :3], y)
    model = LogisticRegression(warm_start=True).fit(X, y)
    before = model.coef_.copy()
    with pytest.raises(ValueError, match=r"previous fit's 10 coefficients, but X has 3 "
                                         r"features.*warm_start=False"):
        model.fit(X[:, :3], y)
    np.testing.assert_array_equal(model.coef_, before)
    assert model.n_features_in_ == 10
    # Starting afresh, as the message says, gives scikit-learn's fit on those columns.
    model.set_params(warm_start=False, tol=1e-10).fit(X[:, :3], y)
    assert_same_model(model, sklearn_reference(X[:, :3], y))


@pytest.mark.parametrize("bad", ["nan", "one_class", "interrupt"])
def test_a_failed_refit_keeps_the_previous_fit(synthetic, bad, monkeypatch):
    X, y = synthetic
    names = [f"f{j}" for j in range(X.shape[1])]
    model = LogisticRegression(penalty=None).fit(pd.DataFrame(X, columns=names),
                                                 pd.Series(y, name="outcome"))
    before = {name: value.copy() if hasattr(value, "copy") else value
              for name, value in vars(model).items() if name.endswith("_")}
    proba = model.predict_proba(pd.DataFrame(X[:5], columns=names))
    summary = model.summary()
    # New data under new names and labels, which validation takes in before the failure.
    X_new = pd.DataFrame(X[:, :3], columns=["p", "q", "r"])
    y_new = np.where(y == 1, "yes", "no")
    if bad == "nan":
        X_new.iloc[7, 1] = np.nan
        error, match = ValueError, "NaN"
    elif bad == "one_class":
        y_new[:] = "yes"
        error, match = ValueError, "only one class"
    else:
        def interrupted(*args, **kwargs):
            raise KeyboardInterrupt
        monkeypatch.setattr(BCEObjective, "loss_gradient", interrupted)
        error, match = KeyboardInterrupt, None
    with pytest.raises(error, match=match):
        model.fit(X_new, pd.Series(y_new, name="other"))
    after = {name: value for name, value in vars(model).items() if name.endswith("_")}
    assert after.keys() == before.keys()
    for name, value in before.items():
        if isinstance(value, dict):
            assert after[name].keys() == value.keys()
        else:
            np.testing.assert_array_equal(after[name], value)
    np.testing.assert_array_equal(model.predict_proba(pd.DataFrame(X[:5], columns=names)), proba)
    np.testing.assert_array_equal(model.summary().params, summary.params)
    assert model.summary().names == summary.names
    assert model.summary().dep_variable == summary.dep_variable == "outcome == 1.0"


def test_a_refit_names_its_own_coefficients(synthetic):
    # The previous fit had no intercept; the separation warning of this one names the
    # intercept among the separating coefficients (it used to look the name up in the
    # previous fit's list and fail).
    from logitfit import SeparationWarning

    X, y = synthetic
    model = LogisticRegression(penalty=None, fit_intercept=False).fit(X, y)
    model.set_params(fit_intercept=True)
    x = np.linspace(1.0, 2.0, 200)[:, None]
    with pytest.warns(SeparationWarning, match="x0, intercept"):
        model.fit(x, (x[:, 0] > 1.5).astype(int))
    assert model.intercept_[0] != 0.0


def test_a_failed_first_fit_leaves_the_model_unfitted(synthetic):
    from sklearn.exceptions import NotFittedError

    X, y = synthetic
    model = LogisticRegression()
    X_bad = X.copy()
    X_bad[3, 2] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        model.fit(X_bad, y)
    assert not [name for name in vars(model) if name.endswith("_")]
    with pytest.raises(NotFittedError):
        model.predict(X)


@pytest.mark.parametrize("solver", sorted(SOLVERS))
def test_a_fit_the_callback_stops_is_unconverged_without_a_warning(synthetic, solver):
    # The caller asked for the stop: converged_ says where the fit is; advice to change the
    # solver or tol would be beside the point.
    X, y = synthetic
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = LogisticRegression(solver=solver, tol=1e-12).fit(
            X, y, callback=lambda info: info.iteration >= 2)
    assert not model.converged_ and model.n_iter_[0] == 2

def test_attributes_and_history(synthetic):
    X, y = synthetic
    model = LogisticRegression().fit(X, y)
    assert model.coef_.shape == (1, X.shape[1])
    assert model.intercept_.shape == (1,)
    assert model.n_features_in_ == X.shape[1]
    assert model.n_iter_.shape == (1,)
    assert model.converged_ is True
    assert model.solver_ == "newton-cholesky"
    assert len(model.history_["objective"]) == model.n_iter_[0] + 1
    assert model.history_["grad_norm"][-1] <= model.tol


def test_convergence_warning_names_next_steps(synthetic):
    X, y = synthetic
    with pytest.warns(ConvergenceWarning, match="max_iter=2.*Increase max_iter"):
        model = LogisticRegression(solver="gd", max_iter=2).fit(X, y)
    assert model.converged_ is False


def test_convergence_warning_when_newton_cg_steps_spent_the_passes():
    # Cauchy columns, max_iter=200: L-BFGS is judged too slow at iteration 100 and the run
    # ends on the passes over X of max_iter before it has made max_iter iterations; the
    # warning says so rather than "after max_iter=200 iterations".
    rng = np.random.default_rng(0)
    X = rng.standard_cauchy((1000, 200))
    y = (rng.random(1000) < 0.5).astype(int)
    with pytest.warns(ConvergenceWarning) as record:
        model = LogisticRegression(solver="lbfgs", max_iter=200, tol=1e-10).fit(X, y)
    assert model.n_iter_[0] < 200 and model.converged_ is False
    message = str(record[0].message)
    assert f"stopped after {model.n_iter_[0]} iterations" in message
    assert "passes of max_iter=200" in message and "Increase max_iter" in message


@pytest.mark.parametrize(("solver", "penalty", "advice"), [
    ("gd", "l2", "solver='newton-cholesky' (few features) or 'newton-cg' (many features)"),
    ("newton-cg", "l2", "solver='newton-cholesky' (few features)."),
    ("cd", "l1", "solver='prox'"),
    ("prox", "elasticnet", "solver='cd'"),
])
def test_convergence_warning_suggests_solvers_that_handle_the_penalty(synthetic, solver,
                                                                     penalty, advice):
    X, y = synthetic
    with pytest.warns(ConvergenceWarning) as record:
        LogisticRegression(penalty, C=0.1, solver=solver, max_iter=1, tol=1e-12).fit(X, y)
    message = str(record[0].message)
    assert message.endswith(f"or try {advice}" + ("" if advice[-1] == "." else "."))
    # With an L1 part the measure is the KKT violation that history_ records.
    measure = "KKT violation (minimum-norm subgradient)" if penalty != "l2" else "gradient norm"
    assert f"with {measure} " in message


@pytest.mark.parametrize("learning_rate", [10.0, 1e8])  # rises mid-run; diverges at once
def test_diverging_fixed_step_returns_the_best_iterate_and_says_why(synthetic, learning_rate):
    X, y = synthetic
    model = LogisticRegression(solver="gd", solver_options={"learning_rate": learning_rate},
                               max_iter=40)
    with pytest.warns(ConvergenceWarning, match="smaller learning_rate") as record:
        model.fit(X, y)
    assert "Increase max_iter" not in str(record[0].message)
    best = int(np.argmin(model.history_["objective"]))
    assert f"iteration {best}, where it was lowest" in str(record[0].message)
    assert (best > 0) == (learning_rate == 10.0)
    objective = BCEObjective(np.asarray(X, dtype=np.float64), y.astype(np.float64), C=1.0)
    value = objective.value(np.r_[model.coef_.ravel(), model.intercept_])
    assert value == pytest.approx(model.history_["objective"][best], rel=1e-12)
    assert np.all(np.isfinite(model.coef_))


@pytest.mark.parametrize(("penalty", "l1_ratio", "warns"), [
    ("l2", 1.0, True), ("l1", 0.3, True), ("l1", 1.0, False), ("l2", 0.0, False),
    ("l2", 0.5, False), ("elasticnet", 0.3, False),
])
def test_an_l1_ratio_the_penalty_ignores_is_reported(synthetic, penalty, l1_ratio, warns):
    # scikit-learn >= 1.8 chooses the penalty by l1_ratio alone: LogisticRegression(l1_ratio=1)
    # means L1 there, and an L2 fit here; say so rather than fit something else silently.
    X, y = synthetic
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        LogisticRegression(penalty, l1_ratio=l1_ratio, C=0.5).fit(X, y)
    messages = [str(w.message) for w in record if "is ignored" in str(w.message)]
    assert bool(messages) == warns
    if warns:
        other = "'l1' for l1_ratio=1" if penalty == "l2" else "'l2' for l1_ratio=0"
        assert messages[0].startswith(f"penalty={penalty!r} always uses l1_ratio=")
        assert f"penalty='elasticnet' to mix L1 and L2, or penalty={other}." in messages[0]


def test_class_weights_that_cannot_apply_are_refused_by_name(synthetic):
    X, y = synthetic
    # Balanced weights of a class with no weight are infinite: scikit-learn's check expects
    # an error that names the class.
    only_ones = (y == 1).astype(float)
    with pytest.raises(ValueError, match=r"class 0(\.0)? has a total sample_weight of 0"):
        LogisticRegression(class_weight="balanced").fit(X, y, sample_weight=only_ones)
    with pytest.raises(ValueError, match="finite, non-negative"):
        LogisticRegression(class_weight={0: np.inf}).fit(X, y)
    with pytest.raises(ValueError, match="finite, non-negative"):
        LogisticRegression(class_weight={1: -1.0}).fit(X, y)
    check_classifiers_one_label_sample_weights(
        "LogisticRegression", LogisticRegression(class_weight="balanced"))


def test_polars_input_gives_the_numpy_model_with_its_column_names(synthetic):
    polars = pytest.importorskip("polars")
    X, y = synthetic
    names = [f"feature_{j}" for j in range(X.shape[1])]
    frame = polars.DataFrame(X, schema=names)
    labels = polars.Series(np.where(y == 1, "yes", "no"))
    model = LogisticRegression().fit(frame, labels)
    reference = LogisticRegression().fit(X, y)
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-12)
    assert list(model.feature_names_in_) == names and list(model.classes_) == ["no", "yes"]
    np.testing.assert_allclose(model.predict_proba(frame), reference.predict_proba(X),
                               rtol=1e-12)
    assert model.summary().names[1:] == names


def test_verbose_prints_progress(synthetic, capsys):
    X, y = synthetic
    model = LogisticRegression(verbose=1).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert "solver=newton-cholesky" in lines[0]
    assert len(lines) == 2 + model.n_iter_[0] + 1


def test_solver_options_reach_the_solver(synthetic):
    X, y = synthetic
    model = LogisticRegression(solver="gd", solver_options={"learning_rate": 0.25},
                               max_iter=50).fit
    with pytest.warns(ConvergenceWarning):
        fitted = model(X, y)
    assert np.all(fitted.history_["step"][1:] == 0.25)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"C": 0.0}, "C must be a positive number"),
        ({"C": -1}, "C must be a positive number"),
        ({"tol": 0}, "tol must be a positive finite number"),
        ({"tol": np.inf}, "tol must be a positive finite number"),
        ({"max_iter": 0}, "max_iter must be a positive integer"),
        ({"solver": "sag"}, "solver='sag' is not known; choose one of"),
        ({"penalty": "l3"}, "penalty='l3' is not supported"),
        ({"class_weight": "auto"}, "class_weight must be None, 'balanced' or a dict"),
        ({"class_weight": {7: 1.0}}, r"class_weight has labels \[7\] that are not among"),
        ({"solver": "gd", "solver_options": {"memory": 3}}, "are not options of solver 'gd'"),
        # A non-empty string would count as true.
        ({"fit_intercept": "False"}, "fit_intercept must be True or False, got 'False'"),
        ({"warm_start": "yes"}, "warm_start must be True or False"),
    ],
)
def test_bad_parameters_get_clear_errors(synthetic, params, message):
    X, y = synthetic
    with pytest.raises(ValueError, match=message):
        LogisticRegression(**params).fit(X, y)


def test_bad_data_gets_clear_errors(synthetic):
    X, y = synthetic
    with pytest.raises(ValueError, match="Only binary classification is supported"):
        LogisticRegression().fit(X, np.arange(len(y)) % 3)
    with pytest.raises(ValueError, match="only one class"):
        LogisticRegression().fit(X, np.zeros(len(y)))
    with pytest.raises(ValueError, match="Negative values"):
        LogisticRegression().fit(X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="at least one non-zero"):
        LogisticRegression().fit(X, y, sample_weight=np.zeros(len(y)))
    # Weights of zero on every sample of one class leave a one-class fit (it converged at
    # once to an intercept of -27.6 before).
    labels = np.where(y == 1, "yes", "no")
    with pytest.raises(ValueError, match="zero on every sample of class 'yes'"):
        LogisticRegression().fit(X, labels, sample_weight=(y == 0).astype(float))
    with pytest.raises(ValueError, match="class_weight gives every sample a weight of zero"):
        LogisticRegression(class_weight={0.0: 0.0, 1.0: 0.0}).fit(X, y)
    with pytest.raises(ValueError, match="NaN"):
        LogisticRegression().fit(np.where(X > 2, np.nan, X), y)
    fitted = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="features"):
        fitted.predict(X[:, :3])


def test_sample_weight_equals_repeated_rows(synthetic):
    """A weight of k counts a sample k times (frequency weights)."""
    X, y = synthetic
    counts = np.random.default_rng(2).integers(0, 4, size=len(y))
    weighted = LogisticRegression(tol=1e-10).fit(X, y, sample_weight=counts)
    repeated = LogisticRegression(tol=1e-10).fit(np.repeat(X, counts, axis=0),
                                                 np.repeat(y, counts))
    assert_same_model(weighted, repeated, rtol=1e-8)


def test_dense_and_sparse_agree_on_sparse_matrices_with_empty_rows():
    X, y = make_classification_data(200, 6, seed=9, density=0.15)
    assert (np.diff(X.indptr) == 0).any()
    model = LogisticRegression(tol=1e-10).fit(X, y)
    reference = sklearn_reference(X.toarray(), y)
    assert_same_model(model, reference)
    assert sp.issparse(X)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("case", ["plain", "zero-weight-row", "soft-half-label", "warm-start",
                                  "l1"])
def test_non_finite_dense_x_is_rejected_in_the_first_pass(synthetic, dtype, bad, case):
    """Dense X is checked inside the solver's first pass: every bad entry must still be found.

    The cases are those where the bad entry's row has a zero residual or weight (0·∞ must
    give NaN, not 0), a warm start away from 0, and the L1 solvers' first pass.
    """
    X, y = synthetic
    X = X.astype(dtype)
    row, column = 7, 3
    X[row, column] = bad
    weights = np.ones(len(y))
    soft = y.astype(np.float64)
    model = LogisticRegression(penalty="l1", C=0.5) if case == "l1" else LogisticRegression()
    if case == "zero-weight-row":
        weights[row] = 0.0
    if case == "warm-start":
        model.set_params(warm_start=True).fit(np.nan_to_num(X, posinf=0, neginf=0), y)
    name = "NaN" if np.isnan(bad) else "infinity"
    with pytest.raises(ValueError, match=f"Input X contains {name}"):
        if case == "soft-half-label":
            # Soft labels are not classes; the objective itself gets them, with r = 0 at z = 0.
            soft[row] = 0.5
            objective = BCEObjective(X, soft, weights)
            objective.check_finite_data(np.zeros(objective.n_coef))
        else:
            model.fit(X, y, sample_weight=weights)


def test_finite_but_overflowing_x_gets_its_own_error():
    # Every row adds +0.5e308 to the gradient at the start (intercept 0, residuals ±0.5).
    X = np.array([[1e308], [1e308], [-1e308], [-1e308]])
    y = np.array([0, 0, 1, 1])
    with pytest.raises(ValueError, match="overflowed.*Standardise X"):
        LogisticRegression().fit(X, y)


def test_the_finite_check_costs_no_extra_pass(synthetic):
    """The fit makes exactly the passes of its solver alone: the check reuses the first."""
    X, y = synthetic
    model = LogisticRegression(solver="lbfgs", tol=1e-8).fit(X, y)
    objective = BCEObjective(X, y.astype(np.float64))
    SOLVERS["lbfgs"].solve(objective, model._initial_coef(objective), tol=1e-8, max_iter=1000)
    assert model._objective.n_data_passes == objective.n_data_passes


@pytest.mark.parametrize("labels", [
    np.array([False, True]), np.array([-3, 7], dtype=np.int8), np.array([2, 5], dtype=np.uint16),
    np.array([-1.0, 1e9]), np.array(["no", "yes"]), np.array(["b", "a"], dtype=object),
])
def test_classes_are_those_of_numpy_unique(synthetic, labels):
    X, y = synthetic
    y_labels = labels[y.astype(int)]
    model = LogisticRegression().fit(X, y_labels)
    expected = np.unique(y_labels)
    assert model.classes_.dtype == y_labels.dtype
    np.testing.assert_array_equal(model.classes_, expected)
    # The sorted first label is class 0: the same model as for y (or 1 - y) in 0/1.
    y01 = (y_labels == expected[1]).astype(int)
    reference = LogisticRegression().fit(X, y01)
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-12)
    np.testing.assert_array_equal(model.predict(X), expected[reference.predict(X)])


def test_a_run_stopped_after_the_gradient_rule_held_says_so():
    # Unpenalised, max_iter=5 stops Newton-Cholesky with the gradient already within tol
    # but its last Newton step not yet short: the warning must not claim "gradient > tol"
    # nor advise standardising, only more iterations.
    import statsmodels.api as sm

    data = sm.datasets.spector.load_pandas().data
    X = data[["GPA", "TUCE", "PSI"]].to_numpy(dtype=float)
    y = data["GRADE"].to_numpy(dtype=float)
    with pytest.warns(ConvergenceWarning) as caught:
        LogisticRegression(penalty=None, max_iter=5).fit(X, y)
    message = str(caught[0].message)
    assert "within tol=1e-06" in message and message.endswith("Increase max_iter.")
    assert "> tol" not in message
    assert LogisticRegression(penalty=None).fit(X, y).converged_


@pytest.mark.parametrize("solver", ["newton-cholesky", "newton-cg", "lbfgs"])
def test_features_near_1e_158_fit_without_overflow_warnings(solver):
    # Their coefficients are near 1e158, whose squares overflow: step norms are BLAS's
    # scaled ones, so no RuntimeWarning, and the fit is the one in ordinary units, scaled.
    rng = np.random.default_rng(4)
    X = rng.standard_normal((400, 5))
    y = (X[:, 0] + rng.standard_normal(400) > 0).astype(int)
    reference = LogisticRegression(penalty=None, solver="newton-cholesky", tol=1e-10).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = LogisticRegression(penalty=None, solver=solver).fit(X * 1e-158, y)
    np.testing.assert_allclose(model.coef_ * 1e-158, reference.coef_, rtol=1e-4)


def test_the_docstring_names_every_solver_option_and_default_budget():
    # solver_options and max_iter as documented are what the registry accepts.
    doc = " ".join(LogisticRegression.__doc__.split())
    for name, spec in SOLVERS.items():
        for option in spec.options:
            assert f"``{option}``" in doc, (name, option)
        names = {"newton-cholesky": "Newton-Cholesky", "newton-cg": "Newton-CG",
                 "lbfgs": "L-BFGS", "agd": "AGD", "gd": "GD", "cd": "CD", "prox": "prox"}
        assert re.search(rf"\b{spec.default_max_iter} (for )?{names[name]}\b", doc), name


@pytest.mark.parametrize("solver", ["newton-cholesky", "newton-cg", "lbfgs", "gd", "agd"])
@pytest.mark.parametrize("sparse", [False, True])
def test_features_whose_squares_underflow_are_refused_by_name(solver, sparse):
    # Values near 1e-200: their squares are 0 in float64, so no curvature sees them. Every
    # solver stopped at (or near) the start and reported slopes of 0 as converged, where
    # scikit-learn on the rescaled data finds slopes of about 1.
    rng = np.random.default_rng(7)
    X = rng.standard_normal((300, 3))
    y = (X[:, 0] - X[:, 2] + rng.standard_normal(300) > 0).astype(int)
    tiny = X.copy()
    tiny[:, 1:] *= 1e-200
    with pytest.raises(ValueError, match=r"x1 \(about \de-200\), x2 .*Rescale those columns"):
        LogisticRegression(penalty=None, solver=solver).fit(
            sp.csr_matrix(tiny) if sparse else tiny, y)
    # The fix the message names: rescaled, the fit is scikit-learn's.
    fixed = tiny.copy()
    fixed[:, 1:] *= 1e200
    reference = SklearnLogisticRegression(C=np.inf, tol=1e-10, max_iter=1000).fit(fixed, y)
    if solver in ("newton-cholesky", "newton-cg", "lbfgs"):
        model = LogisticRegression(penalty=None, solver=solver).fit(fixed, y)
        np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-4)


def test_probability_targets_get_a_message_whose_recipe_fits_them():
    import statsmodels.api as sm

    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    y = np.clip(1 / (1 + np.exp(-(X @ [1.0, -0.5]))) + rng.normal(0, 0.05, 200), 0, 1)
    for estimator in (LogisticRegression(), LogisticRegressionCV(Cs=2, cv=2)):
        with pytest.raises(ValueError, match=r"y holds probabilities .* in row 0\), and a "
                                             r"classifier takes class labels"):
            estimator.fit(X, y)
    # The recipe the message gives, followed as written, is statsmodels' Binomial GLM on
    # proportions.
    n, s = len(y), np.ones(len(y))
    model = LogisticRegression(penalty=None, tol=1e-10).fit(
        np.vstack([X, X]), np.r_[np.ones(n), np.zeros(n)], sample_weight=np.r_[y * s, (1 - y) * s])
    glm = sm.GLM(y, sm.add_constant(X), family=sm.families.Binomial()).fit(tol=1e-12)
    np.testing.assert_allclose(np.r_[model.intercept_, model.coef_[0]], glm.params, rtol=1e-7)
    # Labels 0.0/1.0 as floats are labels, not probabilities.
    LogisticRegression().fit(X, (y > 0.5).astype(float))


@pytest.mark.parametrize("sparse", [False, True])
def test_nan_in_x_gets_scikit_learns_message_with_its_fixes(synthetic, sparse):
    # The fit's own finiteness check said only 'Input X contains NaN.', where scikit-learn
    # (and logitfit's predict) go on to name the fixes: an imputer, or dropping the rows.
    X, y = synthetic
    X = np.where(X > 2, np.nan, X)
    X = sp.csr_matrix(X) if sparse else X
    with pytest.raises(ValueError) as reference:
        SklearnLogisticRegression().fit(X, y)
    assert "imput" in str(reference.value)
    with pytest.raises(ValueError) as ours:
        LogisticRegression().fit(X, y)
    assert str(ours.value) == str(reference.value)


@pytest.mark.parametrize("kind", ["pandas-category", "pandas-str", "pandas-datetime",
                                  "polars-str", "pyarrow-dictionary"])
def test_non_numeric_columns_are_named_with_the_fix(synthetic, kind):
    # NumPy's conversion error named a value ("could not convert string to float: 'n'"),
    # neither the column nor the fix.
    import polars as pl
    import pyarrow as pa
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import OneHotEncoder

    X, y = synthetic
    frame = pd.DataFrame(X[:, :3], columns=["a", "b", "c"])
    frame["colour"] = np.where(X[:, 3] > 0, "red", "blue")
    if kind == "pandas-category":
        frame["colour"] = frame["colour"].astype("category")
    if kind == "pandas-datetime":
        frame["colour"] = pd.to_datetime(np.where(X[:, 3] > 0, "2024-01-02", "2024-01-01"))
    data = {"polars-str": lambda: pl.from_pandas(frame),
            "pyarrow-dictionary": lambda: pa.Table.from_pandas(frame).set_column(
                3, "colour", pa.array(frame["colour"]).dictionary_encode()),
            }.get(kind, lambda: frame)()
    with pytest.raises((ValueError, TypeError)):
        SklearnLogisticRegression().fit(data, y)
    message = r"non-numeric column\(s\) 'colour' \(.*\); LogisticRegression .*OneHotEncoder"
    with pytest.raises(ValueError, match=message):
        LogisticRegression().fit(data, y)
    numeric = LogisticRegression().fit(frame[["a", "b", "c"]].assign(colour=0.0), y)
    with pytest.raises(ValueError, match=message):
        numeric.predict(data)
    if kind in ("pandas-category", "pandas-str"):
        # The fix the message names gives scikit-learn's model on the encoded columns.
        encode = ColumnTransformer([("onehot", OneHotEncoder(drop="first"), ["colour"])],
                                   remainder="passthrough")
        encoded = encode.fit_transform(frame)
        assert_same_model(LogisticRegression(tol=1e-10).fit(encoded, y),
                          sklearn_reference(encoded, y))


def test_float32_x_gives_float64_outputs_where_scikit_learn_gives_float32(synthetic):
    # The documented difference: scikit-learn keeps float32 in coef_ and its outputs; logitfit
    # returns float64 throughout, as accurate as the float64 fit on the same values.
    X, y = synthetic
    X32 = X.astype(np.float32)
    reference = SklearnLogisticRegression().fit(X32, y)
    assert reference.coef_.dtype == np.float32
    model = LogisticRegression(tol=1e-10).fit(X32, y)
    outputs = [model.coef_, model.intercept_, model.decision_function(X32),
               model.predict_proba(X32), model.predict_log_proba(X32)]
    assert [a.dtype for a in outputs] == [np.float64] * 5
    exact = sklearn_reference(X32.astype(np.float64), y, solver="newton-cholesky")
    np.testing.assert_allclose(model.predict_proba(X32), exact.predict_proba(X32), rtol=1e-9)
