"""summary() against statsmodels: Logit, GLM with frequency weights, WLS for HC1-HC3."""

from __future__ import annotations

import copy
import json
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from conftest import make_classification_data
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning

from logitfit import IllConditionedWarning, LogisticRegression, SingularHessianWarning, Summary

RTOL = 1e-6


def fit(X, y, sw=None, **kwargs):
    kwargs.setdefault("penalty", None)
    kwargs.setdefault("tol", 1e-12)
    return LogisticRegression(**kwargs).fit(X, y, sample_weight=sw)


def statsmodels_logit(X, y, cov_type="nonrobust", **cov_kwds):
    model = sm.Logit(y, sm.add_constant(np.asarray(X), has_constant="add"))
    extra = {"cov_kwds": cov_kwds} if cov_kwds else {}
    return model.fit(method="newton", tol=1e-10, maxiter=200, disp=0, cov_type=cov_type,
                     **extra)


def assert_matches(summary, reference, *, margeff=True):
    """Every number of the summary against a statsmodels result with a constant first."""
    np.testing.assert_allclose(summary.params, reference.params, rtol=RTOL, atol=1e-10)
    np.testing.assert_allclose(summary.bse, reference.bse, rtol=RTOL)
    np.testing.assert_allclose(summary.zvalues, reference.tvalues, rtol=RTOL)
    np.testing.assert_allclose(summary.pvalues, reference.pvalues, rtol=RTOL, atol=1e-300)
    np.testing.assert_allclose(summary.conf_int, reference.conf_int(), rtol=RTOL, atol=1e-10)
    np.testing.assert_allclose(summary.odds_ratios, np.exp(reference.params), rtol=RTOL)
    np.testing.assert_allclose(summary.cov_params, reference.cov_params(), rtol=RTOL,
                               atol=1e-12 * np.abs(reference.cov_params()).max())
    np.testing.assert_allclose(summary.llf, reference.llf, rtol=RTOL)
    np.testing.assert_allclose(summary.llnull, reference.llnull, rtol=RTOL)
    np.testing.assert_allclose(summary.llr, reference.llr, rtol=RTOL)
    np.testing.assert_allclose(summary.llr_pvalue, reference.llr_pvalue, rtol=RTOL,
                               atol=1e-300)
    np.testing.assert_allclose(summary.prsquared, reference.prsquared, rtol=RTOL)
    np.testing.assert_allclose(summary.aic, reference.aic, rtol=RTOL)
    np.testing.assert_allclose(summary.bic, reference.bic, rtol=RTOL)
    assert summary.df_model == reference.df_model
    assert summary.nobs == reference.nobs
    if margeff:
        me = reference.get_margeff()
        np.testing.assert_allclose(summary.margeff, me.margeff, rtol=RTOL)
        np.testing.assert_allclose(summary.margeff_se, me.margeff_se, rtol=RTOL)
        np.testing.assert_allclose(summary.margeff_z, me.tvalues, rtol=RTOL)
        np.testing.assert_allclose(summary.margeff_pvalues, me.pvalues, rtol=RTOL,
                                   atol=1e-300)
        np.testing.assert_allclose(summary.margeff_conf_int, me.conf_int(), rtol=RTOL)


def spector():
    data = sm.datasets.spector.load_pandas()
    return data.exog, data.endog.to_numpy(dtype=float)


def fair():
    data = sm.datasets.fair.load_pandas().data
    y = (data["affairs"] > 0).to_numpy(dtype=float)
    return data[["rate_marriage", "age", "yrs_married", "children", "religious", "educ"]], y


def breast_cancer_subset():
    data = load_breast_cancer(as_frame=True)
    X = data.data[["mean texture", "mean smoothness", "mean concave points", "worst area"]]
    return X, data.target.to_numpy(dtype=float)


def synthetic():
    return make_classification_data(2000, 5, seed=3)


DATASETS = {"spector": spector, "fair": fair, "breast_cancer": breast_cancer_subset,
            "synthetic": synthetic}


@pytest.mark.parametrize("name", DATASETS)
@pytest.mark.parametrize("cov_type", ["nonrobust", "HC0"])
def test_matches_statsmodels_logit(name, cov_type):
    X, y = DATASETS[name]()
    summary = fit(X, y).summary(cov_type=cov_type)
    assert_matches(summary, statsmodels_logit(X, y, cov_type))
    if isinstance(X, pd.DataFrame):
        assert summary.names == ["intercept", *X.columns]


@pytest.mark.parametrize("use_correction", [True, False])
def test_cluster_matches_statsmodels(use_correction):
    X, y = fair()
    groups = np.asarray(X["age"]).round().astype(int)  # a handful of large clusters
    summary = fit(X, y).summary(cov_type="cluster", groups=groups,
                                use_correction=use_correction)
    reference = statsmodels_logit(X, y, "cluster", groups=groups,
                                  use_correction=use_correction)
    assert_matches(summary, reference)
    assert "CRV1" in str(summary)


def working_wls(X, y, params):
    """statsmodels WLS on the IRLS working problem at the MLE: the textbook HC1-HC3 of a GLM."""
    exog = sm.add_constant(np.asarray(X), has_constant="add")
    eta = exog @ params
    mu = 1.0 / (1.0 + np.exp(-eta))
    weight = mu * (1.0 - mu)
    working = eta + (y - mu) / weight
    return sm.WLS(working, exog, weights=weight)


@pytest.mark.parametrize("name", DATASETS)
@pytest.mark.parametrize("cov_type", ["HC0", "HC1", "HC2", "HC3"])
def test_hc_matches_statsmodels_wls_on_the_working_problem(name, cov_type):
    X, y = DATASETS[name]()
    summary = fit(X, y).summary(cov_type=cov_type)
    reference = working_wls(X, y, summary.params).fit(cov_type=cov_type)
    np.testing.assert_allclose(reference.params, summary.params, rtol=1e-8)
    np.testing.assert_allclose(summary.bse, reference.bse, rtol=RTOL)
    np.testing.assert_allclose(summary.cov_params, reference.cov_params(), rtol=RTOL,
                               atol=1e-12 * np.abs(reference.cov_params()).max())
    assert summary.cov_type == cov_type and cov_type in str(summary)


def test_leverages_match_statsmodels_glm():
    from logitfit._inference import leverages

    X, y = fair()
    model = fit(X, y)
    glm = sm.GLM(y, sm.add_constant(np.asarray(X)), family=sm.families.Binomial()).fit()
    objective = model._objective
    theta = np.r_[model.coef_.ravel(), model.intercept_]
    mu = 1.0 / (1.0 + np.exp(-objective.linear_predictor(theta)))
    order = np.r_[np.arange(1, theta.size), 0]  # statsmodels puts the constant first
    cov = np.asarray(glm.cov_params())[np.ix_(order, order)]
    np.testing.assert_allclose(leverages(objective, cov, mu * (1 - mu)),
                               glm.get_hat_matrix_diag(), rtol=1e-6)


@pytest.mark.parametrize("cov_type", ["nonrobust", "HC0"])
def test_frequency_weights_match_statsmodels_glm(cov_type):
    X, y = make_classification_data(400, 4, seed=7)
    weights = np.random.default_rng(1).integers(1, 5, size=y.size).astype(float)
    summary = fit(X, y, sw=weights).summary(cov_type=cov_type)
    exog = sm.add_constant(X)
    reference = sm.GLM(y, exog, family=sm.families.Binomial(), freq_weights=weights).fit(
        tol=1e-14, cov_type=cov_type)
    np.testing.assert_allclose(summary.params, reference.params, rtol=RTOL)
    np.testing.assert_allclose(summary.bse, reference.bse, rtol=RTOL)
    np.testing.assert_allclose(summary.pvalues, reference.pvalues, rtol=RTOL)
    np.testing.assert_allclose(summary.conf_int, reference.conf_int(), rtol=RTOL)
    np.testing.assert_allclose(summary.llf, reference.llf, rtol=RTOL)
    np.testing.assert_allclose(summary.llnull, reference.llnull, rtol=RTOL)
    np.testing.assert_allclose(summary.aic, reference.aic, rtol=RTOL)
    np.testing.assert_allclose(summary.bic, reference.bic_llf, rtol=RTOL)
    np.testing.assert_allclose(summary.prsquared, reference.pseudo_rsquared("mcf"), rtol=RTOL)
    assert summary.nobs == weights.sum()


def test_dep_variable_names_the_target():
    X, y = make_classification_data(300, 3, seed=2)
    named = fit(pd.DataFrame(X), pd.Series(y, name="churned")).summary()
    assert named.dep_variable == "churned == 1.0"
    assert fit(X, y).summary().dep_variable == "y == 1.0"
    assert fit(X, y).summary(yname="outcome").dep_variable == "outcome == 1.0"


def test_class_weights_are_read_as_frequency_weights_and_the_summary_says_so():
    # The same numbers as statsmodels' GLM with the class weights as freq_weights, and a
    # note that this reading misstates the sample size unless the weights count rows.
    X, y = make_classification_data(400, 4, seed=7)
    summary = fit(X, y, class_weight={0: 1.0, 1: 3.0}).summary()
    weights = np.where(y == 1, 3.0, 1.0)
    reference = sm.GLM(y, sm.add_constant(X), family=sm.families.Binomial(),
                       freq_weights=weights).fit(tol=1e-14)
    np.testing.assert_allclose(summary.bse, reference.bse, rtol=RTOL)
    assert summary.nobs == weights.sum()
    note = [n for n in summary.notes if n.startswith("class_weight=")]
    assert len(note) == 1 and f"N = {weights.sum():g} from 400 rows" in note[0]
    plain = fit(X, y, class_weight={0: 1, 1: 1}).summary()
    assert not any(n.startswith("class_weight=") for n in plain.notes)


@pytest.mark.parametrize("cov_type", ["nonrobust", "HC1", "HC2", "HC3", "cluster"])
def test_integer_weights_equal_repeated_rows(cov_type):
    # The definition of frequency weights, for the statistics statsmodels' GLM cannot weight
    # (marginal effects, HC1-HC3, the cluster correction).
    X, y = make_classification_data(150, 3, seed=11)
    weights = np.random.default_rng(2).integers(1, 4, size=y.size)
    groups = np.arange(y.size) % 9
    extra = {"groups": groups} if cov_type == "cluster" else {}
    weighted = fit(X, y, sw=weights.astype(float)).summary(cov_type=cov_type, **extra)
    if cov_type == "cluster":
        extra = {"groups": np.repeat(groups, weights)}
    repeated = fit(np.repeat(X, weights, axis=0), np.repeat(y, weights)).summary(
        cov_type=cov_type, **extra)
    for name in ("params", "bse", "pvalues", "margeff", "margeff_se", "llf", "llnull", "aic",
                 "bic", "nobs"):
        np.testing.assert_allclose(getattr(weighted, name), getattr(repeated, name),
                                   rtol=1e-7, err_msg=name)
    # And against statsmodels on the repeated rows.
    reference = statsmodels_logit(
        np.repeat(X, weights, axis=0), np.repeat(y, weights),
        "nonrobust" if cov_type in ("HC1", "HC2", "HC3") else cov_type, **extra)
    if cov_type in ("nonrobust", "cluster"):
        assert_matches(weighted, reference)


def test_sparse_and_float32_agree_with_dense():
    X, y = make_classification_data(500, 6, seed=5, density=0.4)
    groups = np.arange(500) % 13
    dense = fit(X.toarray(), y)
    sparse = fit(X, y)
    for cov_type in ("nonrobust", "HC3", "cluster"):
        extra = {"groups": groups} if cov_type == "cluster" else {}
        a = dense.summary(cov_type=cov_type, **extra)
        b = sparse.summary(cov_type=cov_type, **extra)
        np.testing.assert_allclose(b.bse, a.bse, rtol=1e-9)
        np.testing.assert_allclose(b.margeff_se, a.margeff_se, rtol=1e-9)
    assert_matches(sparse.summary(), statsmodels_logit(X.toarray(), y))
    single = fit(X.toarray().astype(np.float32), y).summary()
    np.testing.assert_allclose(single.bse, dense.summary().bse, rtol=1e-5)


def test_without_intercept_and_with_a_constant_column():
    X, y = spector()
    exog = sm.add_constant(np.asarray(X))
    summary = fit(exog, y, fit_intercept=False).summary()
    reference = sm.Logit(y, exog).fit(method="newton", tol=1e-10, disp=0)
    assert_matches(summary, reference)
    assert summary.margeff_names == ["x1", "x2", "x3"]  # the constant column has none
    # Without any constant, statsmodels still tests against the intercept-only model.
    no_constant = fit(np.asarray(X), y, fit_intercept=False).summary()
    reference = sm.Logit(y, np.asarray(X)).fit(method="newton", tol=1e-10, disp=0)
    assert_matches(no_constant, reference)


def test_penalised_fit_uses_the_loss_hessian_and_says_so():
    X, y = breast_cancer_subset()
    model = LogisticRegression(C=0.01, tol=1e-12).fit(X, y)
    summary = model.summary()
    params = np.r_[model.intercept_, model.coef_.ravel()]
    exog = sm.add_constant(np.asarray(X))
    # statsmodels' Logit Hessian evaluated at the penalised estimate.
    expected = np.linalg.inv(-sm.Logit(y, exog).hessian(params))
    np.testing.assert_allclose(summary.cov_params, expected, rtol=RTOL)
    np.testing.assert_allclose(summary.params, params)
    text = str(summary)
    assert "Penalised fit (L2, C=0.01)" in text and "do not account for the penalty" in text
    assert "MLE" not in text


def test_summary_statistics_definitions():
    # The closed forms, independent of statsmodels.
    X, y = make_classification_data(300, 3, seed=2)
    s = fit(X, y).summary(alpha=0.1)
    p = y.mean()
    llnull = y.size * (p * np.log(p) + (1 - p) * np.log(1 - p))
    np.testing.assert_allclose(s.llnull, llnull, rtol=1e-12)
    np.testing.assert_allclose(s.prsquared, 1 - s.llf / s.llnull, rtol=1e-12)
    np.testing.assert_allclose(s.aic, -2 * s.llf + 2 * 4, rtol=1e-12)
    np.testing.assert_allclose(s.bic, -2 * s.llf + 4 * np.log(300), rtol=1e-12)
    z = 1.6448536269514722
    np.testing.assert_allclose(s.conf_int[:, 1] - s.params, z * s.bse, rtol=1e-12)
    np.testing.assert_allclose(s.odds_ratio_conf_int, np.exp(s.conf_int), rtol=1e-12)
    assert "[0.05" in str(s) and "0.95]" in str(s)


def test_to_dict_round_trip_frame_and_text():
    X, y = fair()
    summary = fit(X, y).summary(cov_type="HC1")
    data = json.loads(json.dumps(summary.to_dict(), allow_nan=False))
    rebuilt = Summary.from_dict(data)
    assert str(rebuilt) == str(summary)
    np.testing.assert_array_equal(rebuilt.bse, summary.bse)
    assert rebuilt.cov_params is None
    frame = summary.to_frame()
    assert list(frame.index) == ["intercept", *X.columns]
    np.testing.assert_array_equal(frame["std_err"].to_numpy(), summary.bse)
    np.testing.assert_array_equal(frame["ci_upper"].to_numpy(), summary.conf_int[:, 1])
    assert list(summary.margeff_frame().index) == list(X.columns)
    text = str(summary)
    for label in ("Log-Likelihood:", "LL-Null:", "LLR p-value:", "Pseudo R-squ.:", "AIC:",
                  "BIC:", "odds ratio", "dy/dx", "HC1", "rate_marriage"):
        assert label in text
    lines = text.splitlines()
    header = next(line for line in lines if line.strip().startswith("coef"))
    row = next(line for line in lines if line.startswith("rate_marriage"))
    assert len(row) == len(header)  # aligned columns


def test_non_finite_values_survive_json():
    X = np.c_[np.random.default_rng(0).normal(size=(60, 2)), np.zeros(60)]
    y = (X[:, 0] > 0.3).astype(float)
    y[:5] = 1 - y[:5]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary = LogisticRegression(C=1.0).fit(X, y).summary()
    assert not np.all(np.isfinite(summary.bse))
    text = json.dumps(summary.to_dict(), allow_nan=False)
    assert str(Summary.from_dict(json.loads(text))) == str(summary)


def test_from_dict_rejects_other_data():
    with pytest.raises(ValueError, match="not a logitfit summary"):
        Summary.from_dict({"format": "something else"})
    X, y = spector()
    data = fit(X, y).summary().to_dict()
    data["version"] = 99
    with pytest.raises(ValueError, match="version 99"):
        Summary.from_dict(data)


@pytest.mark.parametrize("field, value, message", [
    ("params", [], r"'params' has shape \(0,\), expected \(4,\)"),
    ("conf_int", [[0.0, 1.0]] * 2, r"'conf_int' has shape \(2, 2\), expected \(4, 2\)"),
    ("separated", [False], "'separated' has shape"),
    ("margeff_se", [1.0], "'margeff_se' has shape"),
    ("names", None, "'names' must be a list of strings"),
    ("notes", "a note", "'notes' must be a list of strings"),
    ("llf", "abc", "'llf' must be a number"),
    ("n_iter", 2.5, "'n_iter' must be an integer"),
    ("converged", 1, "'converged' must be true or false"),
    ("solver", None, "'solver' must be a string"),
])
def test_from_dict_refuses_fields_that_do_not_fit_together(field, value, message):
    X, y = spector()
    data = fit(X, y).summary().to_dict()
    Summary.from_dict(data)  # as written, it is read back
    data[field] = value
    with pytest.raises(ValueError, match=message):
        Summary.from_dict(data)


def test_collinear_features_warn():
    rng = np.random.default_rng(0)
    x = rng.normal(size=400)
    X = np.c_[x, x + 1e-9 * rng.normal(size=400), rng.normal(size=400)]
    y = (rng.random(400) < 1 / (1 + np.exp(-x))).astype(float)
    model = LogisticRegression(C=1e4).fit(X, y)
    with pytest.warns(IllConditionedWarning, match="ill-conditioned"):
        summary = model.summary()
    assert any("ill-conditioned" in note for note in summary.notes)
    # A column of zeros makes the design rank-deficient: no standard error for its
    # coefficient, a warning saying why, and the others' as without that column.
    model = LogisticRegression(C=1.0).fit(np.c_[X, np.zeros(len(y))], y)
    with pytest.warns(IllConditionedWarning, match="rank 4 < 5"):
        summary = model.summary()
    assert np.isfinite(summary.params).all()
    assert summary.names[np.flatnonzero(np.isnan(summary.bse)).item()] == "x3"
    assert any("x3, which has no standard errors" in note for note in summary.notes)
    # Two unidentified coefficients (a constant column beside the intercept) take the plural.
    model = LogisticRegression(C=1.0).fit(np.c_[X, np.ones(len(y))], y)
    with pytest.warns(IllConditionedWarning, match="x3, intercept have no standard errors"):
        model.summary()


@pytest.mark.parametrize("kind", ["sum of two columns", "constant column and intercept"])
def test_rank_deficient_design_counts_its_rank_like_statsmodels(kind):
    # statsmodels counts rank(exog) parameters in df_model, df_resid, AIC and BIC; the
    # likelihood is that of the full-rank model either way.
    rng = np.random.default_rng(4)
    X = rng.normal(size=(200, 3))
    X = np.c_[X, X[:, 0] + X[:, 1]] if kind == "sum of two columns" else np.c_[X, np.ones(200)]
    y = (rng.random(200) < 1 / (1 + np.exp(-X[:, 0] + 0.5 * X[:, 2]))).astype(float)
    with warnings.catch_warnings():
        # The direction along the collinear columns is flat: the solver says so.
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", SingularHessianWarning)
        model = fit(X, y, tol=1e-10)
    with pytest.warns(IllConditionedWarning, match="rank 4 < 5"):
        summary = model.summary()
    with warnings.catch_warnings():
        # statsmodels says its Hessian is singular too; its df and criteria are the reference.
        warnings.simplefilter("ignore")
        reference = sm.Logit(y, sm.add_constant(X, has_constant="add")).fit(
            method="bfgs", maxiter=1000, disp=0)
    assert reference.df_model == 3
    assert summary.df_model == reference.df_model and summary.df_resid == reference.df_resid
    for name in ("llf", "llr", "llr_pvalue", "aic", "bic"):
        np.testing.assert_allclose(getattr(summary, name), getattr(reference, name), rtol=1e-6)
    # The note names a column to drop, and without it the design has full rank (numpy).
    note = next(note for note in summary.notes if "rank 4" in note)
    names = ["x0", "x1", "x2", "x3", "intercept"]
    dropped = [j for j, name in enumerate(names) if f"without {name} the design" in note]
    assert len(dropped) == 1 and dropped != [4]  # a feature, not the intercept
    design = np.c_[X, np.ones(200)]
    assert np.linalg.matrix_rank(np.delete(design, dropped, axis=1)) == 4


@pytest.mark.parametrize("sparse", [False, True])
def test_design_rank_over_row_blocks_matches_numpy(sparse, monkeypatch):
    # The R factor is updated a block of rows at a time (blocks of 10 rows here, 7 columns
    # with the intercept's); rows of zero weight are left out, and numpy's matrix_rank of the
    # weighted rows of [X, 1] is the reference.
    import scipy.sparse as sp

    from logitfit import _inference
    from logitfit._objective import BCEObjective

    monkeypatch.setattr(_inference, "_QR_BLOCK_BYTES", 8 * 7 * 10)
    rng = np.random.default_rng(11)
    X = rng.normal(size=(200, 6)) * (rng.random((200, 6)) < 0.6)
    X[:, 4] = X[:, 0] - 2.0 * X[:, 1]  # collinear
    X[150:, 5] = 0.0
    X[:150, 5] = 1.0  # with the intercept: a full-rank pair on all rows, collinear on 0-149
    weight = np.r_[np.ones(150), np.zeros(50)]
    design = np.c_[X, np.ones(200)]
    for w, expected in ((None, np.linalg.matrix_rank(design)),
                        (weight, np.linalg.matrix_rank(design[:150]))):
        data = sp.csr_matrix(X) if sparse else X
        objective = BCEObjective(data, np.zeros(200), w)
        assert _inference.design_rank(objective) == expected
    assert np.linalg.matrix_rank(design) == 6 and np.linalg.matrix_rank(design[:150]) == 5


def test_nearly_collinear_but_full_rank_design_keeps_its_degrees_of_freedom():
    # numpy's matrix_rank rule (as statsmodels): a column 1e-6 away from another is a column.
    X, y = spector()
    X = np.c_[X, X.iloc[:, 0] + 1e-6 * np.random.default_rng(0).normal(size=len(y))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # tol=1e-12 on a flat direction
        model = fit(X, y)
    with pytest.warns(IllConditionedWarning, match="ill-conditioned"):
        summary = model.summary()
    assert summary.df_model == 4 and summary.aic == pytest.approx(-2 * summary.llf + 10)


def test_table_columns_stay_in_line_for_large_numbers():
    # Coefficients of 1e4 to 1e6 (tiny feature scales) overflow a fixed-point column.
    X, y = spector()
    X = X / np.array([1e5, 1e4, 1e3])
    text = str(fit(X, y).summary())
    lines = text.splitlines()
    header = next(line for line in lines if line.strip().startswith("coef"))
    for name in X.columns:
        row = next(line for line in lines if line.startswith(name))
        assert len(row) == len(header), row


def test_cluster_groups_of_zero_weight_rows_do_not_count():
    # Frequency weights: rows of weight 0, and clusters made only of them, are not there.
    X, y = fair()
    groups = np.asarray(X["age"]).round().astype(int)
    weight = np.where(groups > 30, 1.0, 0.0)
    kept = fit(X, y, weight).summary(cov_type="cluster", groups=groups)
    rows = weight > 0
    dropped = fit(X[rows], y[rows]).summary(cov_type="cluster", groups=groups[rows])
    np.testing.assert_allclose(kept.bse, dropped.bse, rtol=1e-6)
    assert kept.notes[0] == dropped.notes[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SingularHessianWarning)  # age is constant there
        one_cluster = fit(X, y, np.where(groups == groups[0], 1.0, 0.0))
    with pytest.raises(ValueError, match="non-zero weight"):
        one_cluster.summary(cov_type="cluster", groups=groups)


def test_bad_arguments_name_the_fix():
    X, y = spector()
    model = fit(X, y)
    with pytest.raises(ValueError, match="choose one of"):
        model.summary(cov_type="HC4")
    with pytest.raises(ValueError, match="needs groups"):
        model.summary(cov_type="cluster")
    with pytest.raises(ValueError, match="one label per training row"):
        model.summary(cov_type="cluster", groups=[1, 2])
    # A one-column frame, or two columns (statsmodels' two-way clustering), is not a label
    # per row: the message says to pass a single column.
    with pytest.raises(ValueError, match=r"Pass a single column, e.g. groups=df\['firm'\]"):
        model.summary(cov_type="cluster", groups=pd.DataFrame({"firm": np.arange(len(y)) % 4}))
    with pytest.raises(ValueError, match="one-way only"):
        model.summary(cov_type="cluster", groups=np.c_[np.arange(len(y)) % 4, np.arange(len(y))])
    with pytest.raises(ValueError, match="at least 2 distinct groups"):
        model.summary(cov_type="cluster", groups=np.zeros(len(y)))
    with pytest.raises(ValueError, match="only used with cov_type='cluster'"):
        model.summary(cov_type="HC0", groups=np.zeros(len(y)))
    with pytest.raises(ValueError, match="alpha"):
        model.summary(alpha=1.5)
    with pytest.raises(ValueError, match="alpha"):
        model.summary(alpha=True)
    with pytest.raises(ValueError, match="2 missing label"):
        model.summary(cov_type="cluster", groups=[None, "a", np.nan, *"ab" * 14, "b"])
    with pytest.raises(ValueError, match="cannot be compared"):
        model.summary(cov_type="cluster", groups=np.array(["a", 1] * 16, dtype=object))
    # Any real number will do for alpha, as in statsmodels.
    wide = model.summary(alpha=np.float32(0.1)).conf_int
    np.testing.assert_allclose(wide, model.summary(alpha=0.1).conf_int, rtol=1e-6)
    assert model.summary(cov_type="hc3").cov_type == "HC3"


def test_pickled_models_carry_no_data_and_clone_is_unaffected():
    X, y = fair()
    model = fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    assert not hasattr(restored, "_objective")
    assert hasattr(model, "_objective")  # the original keeps its data
    np.testing.assert_array_equal(restored.coef_, model.coef_)
    with pytest.raises(ValueError, match="fitted in this process"):
        restored.summary()
    with pytest.raises(ValueError, match="fitted in this process"):
        copy.deepcopy(model).summary()
    assert len(pickle.dumps(model)) < 20_000  # 6366 rows of data would be far larger
    assert clone(model).get_params() == model.get_params()
    assert not hasattr(clone(model), "_objective")



def test_summary_describes_the_fit_whatever_set_params_changed_after_it():
    X, y = spector()
    model = fit(X, y)
    before = model.summary()
    model.set_params(penalty="l2", C=0.1, fit_intercept=False)
    after = model.summary()
    assert after.method == "MLE" and after.names == before.names
    assert not any("Penalised" in note for note in after.notes)
    np.testing.assert_array_equal(after.bse, before.bse)
    penalised = fit(X, y, penalty="l2", C=0.5)
    penalised.set_params(penalty=None)
    assert penalised.summary().method == "Penalised ML (L2, C=0.5)"

def test_infinite_c_is_maximum_likelihood():
    X, y = spector()
    summary = LogisticRegression(C=np.inf, tol=1e-12).fit(X, y).summary()
    assert summary.method == "MLE" and not any("Penalised" in note for note in summary.notes)
    assert_matches(summary, statsmodels_logit(X, y))


@pytest.mark.parametrize("seed", range(6))
def test_matches_statsmodels_on_random_shapes(seed):
    rng = np.random.default_rng(100 + seed)
    n, d = int(rng.integers(80, 600)), int(rng.integers(1, 8))
    X = rng.normal(size=(n, d)) * rng.uniform(0.1, 10, size=d) + rng.normal(size=d)
    w = rng.normal(size=d) / X.std(axis=0)
    y = (rng.random(n) < 1 / (1 + np.exp(-(X - X.mean(axis=0)) @ w))).astype(float)
    model = fit(X, y)
    for cov_type in ("nonrobust", "HC0"):
        assert_matches(model.summary(cov_type=cov_type), statsmodels_logit(X, y, cov_type))


def test_fractional_weights_refuse_what_they_cannot_mean():
    X, y = make_classification_data(40, 3, seed=0)
    model = fit(X, y, sw=np.full(40, 0.01))  # 0.4 observations in all
    with pytest.raises(ValueError, match="frequency weights of at least 1"):
        model.summary(cov_type="HC3")
    with pytest.raises(ValueError, match="more observations") as refused:
        model.summary(cov_type="HC1")
    # use_correction concerns cluster covariances only: not offered for HC1.
    assert "use_correction" not in str(refused.value) and "cov_type='HC0'" in str(refused.value)
    assert np.all(np.isfinite(model.summary(cov_type="HC0").bse))


def test_a_penalised_rank_deficient_fit_is_not_told_to_use_a_penalty():
    # Ridge shares a duplicated column's effect between the two copies: the estimate is
    # unique, so the summary must not call it unidentified by the fit or advise a penalty.
    X, y = make_classification_data(300, 3, seed=4)
    X = np.c_[X, X[:, 0]]
    model = LogisticRegression(C=1.0).fit(X, y)
    np.testing.assert_allclose(model.coef_[0, 0], model.coef_[0, 3], rtol=1e-6)
    with pytest.warns(IllConditionedWarning) as caught:
        summary = model.summary()
    assert all("use a penalty" not in str(w.message) for w in caught)
    text = " ".join(summary.notes)
    assert "the penalty makes the estimate unique" in text
    assert "Nor do the LLR test and AIC/BIC" in text


@pytest.mark.parametrize("extra", ["zero column", "duplicate", "sum of two", "dummy trap"])
def test_rank_deficient_designs_give_the_identified_coefficients_their_standard_errors(extra):
    # As statsmodels' GLM (a generalised inverse) and R (which drops aliased columns): the
    # coefficients no dependency involves get the standard errors of the model without the
    # redundant columns; the others have none. The reference is statsmodels on that model.
    rng = np.random.default_rng(12)
    n = 400
    X = rng.normal(size=(n, 3))
    group = rng.integers(0, 3, n)
    dummies = (group[:, None] == np.arange(3)).astype(float)
    y = (rng.random(n) < 1 / (1 + np.exp(-(X @ [1.0, -0.5, 0.3] + 0.4 * group)))).astype(float)
    full, kept, unidentified = {
        "zero column": (np.c_[X, np.zeros(n)], X, {"x3"}),
        "duplicate": (np.c_[X, X[:, 0]], X, {"x0", "x3"}),
        "sum of two": (np.c_[X, X[:, 0] + X[:, 1]], X, {"x0", "x1", "x3"}),
        "dummy trap": (np.c_[X, dummies], np.c_[X, dummies[:, 1:]], {"x3", "x4", "x5",
                                                                        "intercept"}),
    }[extra]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary = fit(full, y, tol=1e-10).summary()
    reference = sm.Logit(y, sm.add_constant(kept)).fit(disp=0, tol=1e-12)
    reference_se = dict(zip(["intercept", *[f"x{j}" for j in range(kept.shape[1])]],
                            reference.bse, strict=True))
    for name, se in zip(summary.names, summary.bse, strict=True):
        if name in unidentified:
            assert np.isnan(se), name
        else:
            assert se == pytest.approx(reference_se[name], rel=1e-6), name


def test_a_summary_refuses_features_whose_squares_overflow_by_name():
    # The information matrix overflows: RuntimeWarnings and a nonsense rank before.
    X, y = make_classification_data(200, 2, seed=3)
    X[:, 1] *= 1e200
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # Newton-CG fits what it can
        model = LogisticRegression(solver="newton-cg", max_iter=5).fit(X, y)
    with pytest.raises(ValueError, match=r"Feature\(s\) x1 hold values whose squares"):
        model.summary()


def test_elastic_net_summary_keeps_its_columns_apart():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(300, 3))
    y = (rng.random(300) < 1 / (1 + np.exp(-X[:, 0]))).astype(float)
    model = LogisticRegression(penalty="elasticnet", l1_ratio=0.5, C=0.1).fit(X, y)
    text = str(model.summary())
    header = text.split("=" * 78)[1].strip("\n").splitlines()
    # The right-hand labels all start in one column, two spaces after the left-hand column.
    starts = {line.index(label) for line in header
              for label in ("No. Observations:", "Df Residuals:", "Df Model:", "Pseudo R-squ.:")
              if label in line}
    assert len(starts) == 1
    column = starts.pop()
    assert all(line[column - 2:column] == "  " for line in header if len(line) > column)
    assert "(elastic net, C=0.1, l1_ratio=0.5)" in text
    assert any("l1_ratio=0.5" in note for note in model.summary().notes)


def test_a_long_target_name_does_not_push_the_right_column_out_of_line():
    # "Dep. Variable: <target> == <class>" wider than the left column gets a row of its own.
    X, y = make_classification_data(200, 2, seed=6)
    target = pd.Series(np.where(y == 1, "churned within 90 days", "stayed"),
                       name="subscription_outcome_after_trial")
    summary = fit(pd.DataFrame(X, columns=["a", "b"]), target).summary()
    header = str(summary).split("=" * 78)[1].strip("\n").splitlines()
    assert header[0] == f"Dep. Variable: {summary.dep_variable}"
    labels = ("No. Observations:", "Df Residuals:", "Df Model:", "Pseudo R-squ.:", "BIC:")
    starts = {line.index(label) for line in header for label in labels if label in line}
    assert len(starts) == 1 and all(len(line) <= 78 for line in header[1:])


def test_fractional_sample_weights_are_noted_with_the_scale_free_alternative():
    # Weights normalised to sum to 1 read as frequency weights make N = 1: the summary says
    # so, and the covariance it recommends instead is statsmodels' GLM with var_weights and
    # HC0, whatever the scale of the weights.
    X, y = make_classification_data(300, 3, seed=8)
    weights = np.random.default_rng(3).uniform(0.2, 3.0, size=y.size)
    exog = sm.add_constant(X)
    for scale in (1.0, 1.0 / weights.sum()):
        model = fit(X, y, sw=scale * weights)
        note = [n for n in model.summary().notes if n.startswith("The sample weights are not")]
        assert len(note) == 1 and "groups=np.arange(300), use_correction=False" in note[0]
        recommended = model.summary(cov_type="cluster", groups=np.arange(300),
                                    use_correction=False)
        assert not any(n.startswith("The sample weights are not") for n in recommended.notes)
        reference = sm.GLM(y, exog, family=sm.families.Binomial(),
                           var_weights=scale * weights).fit(tol=1e-14, cov_type="HC0")
        np.testing.assert_allclose(recommended.bse, reference.bse, rtol=RTOL)
    # As the README says: var_weights share the frequency reading's covariance and AIC, and
    # count rows in nobs.
    plain = model.summary()
    reference = sm.GLM(y, exog, family=sm.families.Binomial(),
                       var_weights=scale * weights).fit(tol=1e-14)
    np.testing.assert_allclose(plain.bse, reference.bse, rtol=RTOL)
    np.testing.assert_allclose(plain.aic, reference.aic, rtol=RTOL)
    assert reference.nobs == 300 and plain.nobs == pytest.approx(1.0)
    counts = fit(X, y, sw=np.round(3 * weights)).summary()
    assert not any(n.startswith("The sample weights are not") for n in counts.notes)


@pytest.mark.parametrize("sparse", [False, True])
def test_a_constant_column_is_found_over_the_rows_of_non_zero_weight(sparse):
    # Rows of weight 0 are not in the data: a column constant on the others is the model's
    # intercept and has no marginal effect, as in statsmodels without those rows.
    import scipy.sparse as sp

    rng = np.random.default_rng(10)
    x = rng.normal(size=200)
    y = (rng.random(200) < 1 / (1 + np.exp(-x))).astype(float)
    constant = np.r_[np.zeros(20), np.ones(180)]
    weight = constant.copy()
    X = np.c_[constant, x]
    summary = fit(sp.csr_matrix(X) if sparse else X, y, sw=weight,
                  fit_intercept=False).summary()
    reference = sm.Logit(y[20:], X[20:]).fit(method="newton", tol=1e-10, disp=0)
    assert summary.margeff_names == ["x1"]
    me = reference.get_margeff()
    np.testing.assert_allclose(summary.margeff, me.margeff, rtol=RTOL)
    np.testing.assert_allclose(summary.margeff_se, me.margeff_se, rtol=RTOL)
