"""The JSON model format: round trips, schema validation, refusal of damaged files."""

from __future__ import annotations

import json
import pickle
import re

import jsonschema
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from sklearn.base import clone

import logitfit
from logitfit._errors import InputError
from logitfit._model_format import (
    FORMAT_VERSION,
    ModelFormatError,
    model_document,
    read_model,
    save,
    schema,
    write_model,
)
from logitfit._preprocess import Target
from logitfit.cli import main


@pytest.fixture(scope="module")
def fitted(breast_cancer):
    X, y = breast_cancer
    return logitfit.LogisticRegression(C=0.5).fit(X, np.where(y > 0, "benign", "malignant")), X


def test_save_load_round_trip_is_exact(tmp_path, fitted):
    model, X = fitted
    path = tmp_path / "m.json"
    model.save(path)
    loaded = logitfit.load(path)
    np.testing.assert_array_equal(loaded.coef_, model.coef_)
    np.testing.assert_array_equal(loaded.intercept_, model.intercept_)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert loaded.predict(X[:5]).tolist() == model.predict(X[:5]).tolist()
    assert loaded.get_params() == model.get_params()
    assert loaded.n_iter_[0] == model.n_iter_[0] and loaded.solver_ == model.solver_
    np.testing.assert_array_equal(loaded.history_["objective"], model.history_["objective"])


def test_written_file_validates_against_the_shipped_schema(tmp_path, fitted):
    model, _ = fitted
    model.save(tmp_path / "m.json")
    document = json.loads((tmp_path / "m.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema())
    jsonschema.validate(document, schema())
    assert document["format_version"] == FORMAT_VERSION == 2
    assert document["logitfit_version"] == logitfit.__version__
    assert document["target"]["classes"] == ["benign", "malignant"]


def test_covariance_rows_are_written_one_per_line_and_read_back_exactly(tmp_path, fitted):
    model, X = fitted
    k = X.shape[1] + 1
    covariance = np.random.default_rng(3).normal(size=(k, k)) * np.logspace(-12, 3, k)
    covariance = covariance + covariance.T
    path = tmp_path / "m.json"
    document = model_document(model, covariance=covariance)
    # A feature named like the placeholder the writer puts in the covariance's place.
    document["features"]["names"][0] = "covariance rows go here"
    document["features"]["preprocessing"]["columns"][0]["name"] = "covariance rows go here"
    write_model(document, path)
    text = path.read_text()
    assert json.loads(text)["features"]["names"][0] == "covariance rows go here"
    rows = [line for line in text.splitlines() if line.startswith("  [")]
    assert len(rows) == k
    jsonschema.validate(json.loads(text), schema())
    np.testing.assert_array_equal(read_model(path).covariance, covariance)


def test_save_with_summary_stores_the_inference_of_the_fit(tmp_path):
    # model.save(path, summary=True) stores what logitfit train stores: the summary, and the
    # covariance in storage order [w..., b]; checked against statsmodels' Logit.
    import statsmodels.api as sm

    data = sm.datasets.spector.load_pandas().data
    X, y = data[["GPA", "TUCE", "PSI"]], data.GRADE
    model = logitfit.LogisticRegression(penalty=None, tol=1e-10).fit(X, y)
    model.save(tmp_path / "m.json", summary=True)
    stored = read_model(tmp_path / "m.json")
    assert stored.summary == json.loads(json.dumps(model.summary().to_dict()))
    reference = sm.Logit(y, sm.add_constant(X)).fit(disp=0, tol=1e-12)
    order = [1, 2, 3, 0]  # statsmodels puts the constant first
    np.testing.assert_allclose(stored.covariance,
                               np.asarray(reference.cov_params())[np.ix_(order, order)],
                               rtol=1e-6)
    printed = CliRunner().invoke(main, ["summary", str(tmp_path / "m.json")])
    assert printed.exit_code == 0 and "GPA" in printed.output
    # Without summary=True the file has none, as before.
    model.save(tmp_path / "plain.json")
    assert read_model(tmp_path / "plain.json").summary is None


def test_a_directory_or_deeply_nested_json_is_refused_in_one_line(tmp_path):
    with pytest.raises(ModelFormatError, match="is a directory; give the model file"):
        logitfit.load(tmp_path)
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ModelFormatError, match="JSON nested too deeply"):
        logitfit.load(tmp_path / "deep.json")


def test_feature_names_survive(tmp_path):
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(50, 2)), columns=["height", "weight"])
    y = (X["height"] + rng.normal(size=50) > 0).astype(int)
    model = logitfit.LogisticRegression().fit(X, y)
    model.save(tmp_path / "m.json")
    loaded = logitfit.load(tmp_path / "m.json")
    assert loaded.feature_names_in_.tolist() == ["height", "weight"]
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_save_refuses_to_overwrite_unless_forced(tmp_path, fitted):
    model, _ = fitted
    path = tmp_path / "m.json"
    path.write_text("precious")
    with pytest.raises(FileExistsError, match="already exists.*force=True"):
        model.save(path)
    assert path.read_text() == "precious"
    model.save(path, force=True)
    assert logitfit.load(path).coef_.shape == model.coef_.shape


@pytest.mark.parametrize("force", [False, True])
def test_save_to_a_directory_names_the_fix(tmp_path, fitted, force):
    # It said 'already exists; ... replace it with force=True', and force=True then failed
    # with a bare IsADirectoryError.
    model, _ = fitted
    with pytest.raises(IsADirectoryError, match=r"is a directory; give the model a file "
                                                r"name, such as .*model\.json") as caught:
        model.save(tmp_path, force=force)
    assert "force" not in str(caught.value)
    model.save(tmp_path / "model.json")
    assert logitfit.load(tmp_path / "model.json").coef_.tolist() == model.coef_.tolist()


def _damage(tmp_path, fitted, change):
    model, _ = fitted
    path = tmp_path / "m.json"
    model.save(path, force=True)
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))
    return path


@pytest.mark.parametrize("change, message", [
    (lambda d: d["coef"].pop(), "coefficients for"),
    (lambda d: d.update(coef=["1"] * len(d["coef"])), r"at coef/\d+: '1' is not of type"),
    (lambda d: d.update(intercept=None), "at intercept"),
    (lambda d: d.update(format_version=99), "format version 99, newer"),
    (lambda d: d.update(extra="x"), "Additional properties"),
    (lambda d: d["target"].update(classes=["a"]), "at target/classes"),
    (lambda d: d["features"]["preprocessing"]["columns"][0].update(kind="pickle"),
     "kind"),
    (lambda d: d.update(covariance=[[1.0, 2.0]]), "covariance has shape"),
    # The covariance's entries are checked outside jsonschema (fast), as precisely.
    (lambda d: d.update(covariance=[[0.5] * 3, [0.5, "x", 0.5], [0.5] * 3]),
     r"at covariance/1/1: 'x' is not of type 'number', 'null'"),
    (lambda d: d.update(covariance=[[0.5] * 3, [0.5] * 3, [0.5, 0.5, True]]),
     r"at covariance/2/2: True is not of type 'number', 'null'"),
    (lambda d: d.update(covariance=[[0.5] * 3, "row", [0.5] * 3]), "at covariance"),
    (lambda d: d.update(covariance={"a": 1}), "at covariance"),
    (lambda d: d.update(format="something"), "not a logitfit model"),
    (lambda d: d.update(intercept=float("inf")), "intercept are not all finite"),
    # Options: the estimator's own rules, each naming the option at fault.
    (lambda d: d["options"].update(C="abc"), "at options/C: 'abc' does not match"),
    (lambda d: d["options"].update(C=-1.0), "at options/C: -1.0 is less than"),
    (lambda d: d["options"].update(C=0), "at options/C: 0 is less than"),
    (lambda d: d["options"].update(penalty="l3"), "at options: penalty='l3' is not supported"),
    (lambda d: d["options"].update(solver="bogus"), "at options: solver='bogus' is not known"),
    (lambda d: d["options"].update(l1_ratio=1.5), "at options/l1_ratio"),
    (lambda d: d["options"].update(tol=0), "at options/tol"),
    (lambda d: d["options"].update(max_iter=0), "at options/max_iter"),
    (lambda d: d["options"].update(max_iter=2.5), "at options/max_iter"),
    (lambda d: d["options"].update(fit_intercept="yes"), "at options/fit_intercept"),
    (lambda d: d["options"].update(warm_start="no"), "at options/warm_start"),
    (lambda d: d["options"].update(verbose="loud"), "at options/verbose"),
    (lambda d: d["options"].update(random_state="seed"), "at options/random_state"),
    (lambda d: d["options"].update(class_weight="heavy"), "at options/class_weight"),
    (lambda d: d["options"].update(solver_options=[1]), "at options/solver_options"),
    (lambda d: d["options"].update(solver_options={"learning_rate": 0.5}),
     r"at options/solver_options: \['learning_rate'\] are not options of solver"),
    (lambda d: d["options"].update(alpha=1.0), "at options: Additional properties"),
    (lambda d: d["diagnostics"].update(solver="bogus"), "at diagnostics/solver: 'bogus'"),
    (lambda d: d["options"].pop("warm_start"), "'warm_start' is a required property"),
    # The classes' dtype.
    (lambda d: d["target"].pop("classes_dtype"), "'classes_dtype' is a required property"),
    (lambda d: d["target"].update(classes_dtype="complex128"), "at target/classes_dtype"),
    (lambda d: d["target"].update(classes_dtype="U3"), "not all of classes_dtype 'U3'"),
    (lambda d: d["target"].update(classes_dtype="int64"), "not all of classes_dtype 'int64'"),
    (lambda d: d["target"].update(classes=[0, 300], classes_dtype="uint8"),
     r"classes \[0, 300\] are not all of classes_dtype 'uint8'"),
    (lambda d: d["target"].update(classes=[False, True], classes_dtype="int8"),
     "not all of classes_dtype 'int8'"),
    # classes_[1] is the positive class in sorted order only.
    (lambda d: d["target"].update(classes=d["target"]["classes"][::-1]), "not in sorted order"),
    # The preprocessing of each column matches its kind; the history is a table.
    (lambda d: d["features"]["preprocessing"]["columns"].append(
        {"name": "city", "kind": "categorical", "categories": None}), "categories"),
    (lambda d: d["features"]["preprocessing"]["columns"][0].update(fill="abc"),
     r"at features/preprocessing/columns/0/fill: 'abc' is not of type 'number'"),
    # A fill must stand in for a value: a finite number, or one of the column's categories.
    (lambda d: d["features"]["preprocessing"]["columns"][0].update(fill=float("nan")),
     "the fill nan of column 'x0' is not a finite number"),
    (lambda d: d["features"]["preprocessing"]["columns"].append(
        {"name": "plan", "kind": "categorical", "categories": ["basic", "pro"], "fill": "gold"}),
     "the fill 'gold' of column 'plan' is not one of its categories"),
    (lambda d: d["diagnostics"]["history"]["objective"].append(1.0),
     "the history's columns differ in length"),
    (lambda d: d["options"].update(class_weight=[[0, -1.0]]),
     r"at options/class_weight.*less than the minimum of 0|class_weight values must be"),
    (lambda d: d["options"].update(class_weight=[[5, 1.0]]),
     r"class_weight has labels \[5\] that are not among the classes"),
])
def test_damaged_files_are_refused(tmp_path, fitted, change, message):
    path = _damage(tmp_path, fitted, change)
    with pytest.raises(ModelFormatError, match=message):
        read_model(path)



@pytest.mark.parametrize("field, value", [("params", []), ("names", None), ("llf", "abc")])
def test_a_damaged_stored_summary_is_a_one_line_error_of_the_summary_command(tmp_path, field,
                                                                            value):
    X, y = _small_data()
    model = logitfit.LogisticRegression(penalty=None).fit(X, y)
    summary = model.summary().to_dict()
    path = tmp_path / "m.json"
    save(model, path, summary=summary)  # as logitfit train stores one
    shown = CliRunner().invoke(main, ["summary", str(path)], prog_name="logitfit")
    assert shown.exit_code == 0 and "Logit Regression Results" in shown.output
    document = json.loads(path.read_text())
    document["summary"][field] = value
    path.write_text(json.dumps(document))
    data = tmp_path / "d.csv"
    pd.DataFrame({"x0": X[:, 0], "x1": X[:, 1], "y": y}).to_csv(data, index=False)
    for command in (["summary", str(path)],
                    ["evaluate", str(path), str(data), "--target", "y", "--report",
                     str(tmp_path / "report")]):
        result = CliRunner().invoke(main, command, prog_name="logitfit")
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
        assert result.output.strip().count("\n") == 0
        assert f"summary field {field!r}" in result.output
        assert "train the model again" in result.output

def test_a_damaged_option_is_a_one_line_error_of_the_command_line(tmp_path, fitted):
    path = _damage(tmp_path, fitted, lambda d: d["options"].update(C="abc"))
    result = CliRunner().invoke(main, ["summary", str(path)], prog_name="logitfit")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.output.strip().count("\n") == 0
    assert "at options/C" in result.output and "train the model again" in result.output


def test_every_constructor_parameter_survives_the_round_trip(tmp_path):
    X, y = _small_data()
    params = dict(penalty="elasticnet", C=0.3, l1_ratio=0.25, fit_intercept=False, solver="cd",
                  tol=1e-7, max_iter=40, class_weight={0: 2}, warm_start=True, verbose=2,
                  random_state=7, solver_options={"max_sweeps": 5})
    # A parameter left at its default would pass unsaved: this test covers each one.
    defaults = logitfit.LogisticRegression().get_params()
    assert params.keys() == defaults.keys()
    assert all(params[name] != defaults[name] for name in params)
    model = logitfit.LogisticRegression(**{**params, "verbose": 0}).fit(X, y)
    model.set_params(verbose=2)
    model.save(tmp_path / "m.json")
    loaded = logitfit.load(tmp_path / "m.json")
    assert repr(clone(loaded).get_params()) == repr(clone(model).get_params())
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_c_infinity_survives_the_round_trip(tmp_path):
    X, y = _small_data()
    model = logitfit.LogisticRegression(C=np.inf).fit(X, y)
    model.save(tmp_path / "m.json")
    assert json.loads((tmp_path / "m.json").read_text())["options"]["C"] == "inf"
    assert logitfit.load(tmp_path / "m.json").C == np.inf


@pytest.mark.parametrize("labels", [
    np.array([False, True]),
    np.array([0, 1], dtype=np.uint8),
    np.array([-1, 1], dtype=np.int16),
    np.array([3, 7], dtype=np.int64),
    np.array([-1.0, 2.0], dtype=np.float32),
    np.array([0.0, 1.0], dtype=np.float64),
    np.array(["ben", "mal"], dtype="<U10"),
    np.array(["ben", "mal"], dtype=object),
], ids=lambda labels: str(labels.dtype))
def test_the_classes_dtype_survives_the_round_trip(tmp_path, labels):
    X, y = _small_data()
    model = logitfit.LogisticRegression().fit(X, labels[y])
    model.save(tmp_path / "m.json")
    loaded = logitfit.load(tmp_path / "m.json")
    assert loaded.classes_.dtype == model.classes_.dtype == labels.dtype
    assert loaded.classes_.tolist() == model.classes_.tolist()
    # Object arrays come back holding the same Python types (str), not NumPy strings.
    assert [type(c) for c in loaded.classes_] == [type(c) for c in model.classes_]
    predicted = loaded.predict(X)
    assert predicted.dtype == model.predict(X).dtype
    np.testing.assert_array_equal(predicted, model.predict(X))


def test_integral_numbers_written_as_floats_load_as_ints(tmp_path, fitted):
    # JSON does not tell 3 from 3.0; a file edited or written by another tool may hold 3.0.
    path = _damage(tmp_path, fitted, lambda d: d["options"].update(
        max_iter=50.0, random_state=3.0, verbose=1.0))
    loaded = logitfit.load(path)
    assert [(type(v), v) for v in (loaded.max_iter, loaded.random_state, loaded.verbose)] == [
        (int, 50), (int, 3), (int, 1)]


# Written by logitfit 0.1.0 (format version 1) with LogisticRegression(C=0.5, max_iter=50)
# fitted on _V1_X and _V1_Y.
_V1_FILE = """{"format": "logitfit-model", "format_version": 1, "logitfit_version": "0.1.0",
 "created": "2025-01-01T00:00:00+00:00",
 "features": {"names": ["x0", "x1"], "named_input": false,
  "preprocessing": {"sparse": false, "impute": null,
   "columns": [{"name": "x0", "kind": "numeric", "categories": null, "fill": null},
               {"name": "x1", "kind": "numeric", "categories": null, "fill": null}],
   "standardize": null}},
 "target": {"name": null, "kind": "classes", "classes": ["no", "yes"]},
 "coef": [0.39341410357417733, 0.37958292961093976], "intercept": -0.10874754599247356,
 "options": {"penalty": "l2", "C": 0.5, "l1_ratio": 0.5, "fit_intercept": true,
  "solver": "auto", "tol": 1e-06, "max_iter": 50, "class_weight": null},
 "diagnostics": {"solver": "newton-cholesky", "n_iter": 3, "converged": true,
  "history": {"objective": [4.1588830833596715, 3.6875268931364547, 3.68745430159664,
                            3.687454301579783],
              "grad_norm": [0.225, 0.003179185308337403, 1.5900396997022466e-06,
                            3.992361996552063e-13],
              "step": [0.0, 1.0, 1.0, 1.0],
              "time": [9.058999967237469e-05, 0.020974551999643154, 0.02111663799996677,
                       0.02121098899988283]}},
 "covariance": null, "summary": null}"""
_V1_X = np.array([[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8], [-1.2, -0.4], [0.9, 1.1], [-0.7, 0.3]])
_V1_Y = np.array(["no", "yes", "no", "no", "yes", "yes"])


def test_version_1_files_still_load_with_defaults_for_the_newer_fields(tmp_path):
    loaded = logitfit.load(_write(tmp_path / "v1.json", _V1_FILE))
    refit = logitfit.LogisticRegression(C=0.5, max_iter=50).fit(_V1_X, _V1_Y)
    assert loaded.get_params() == refit.get_params()
    assert loaded.classes_.dtype == refit.classes_.dtype
    np.testing.assert_allclose(loaded.predict_proba(_V1_X), refit.predict_proba(_V1_X),
                               rtol=1e-9)
    assert read_model(tmp_path / "v1.json").meta["format_version"] == 1


@pytest.mark.parametrize("random_state", [np.random.RandomState(0), np.random.default_rng(0)],
                         ids=["RandomState", "Generator"])
def test_save_refuses_a_random_state_instance_and_names_the_fix(tmp_path, random_state):
    X, y = _small_data()
    model = logitfit.LogisticRegression(random_state=random_state).fit(X, y)
    with pytest.raises(InputError, match=r"random_state=.* cannot be stored .*"
                                         r"set_params\(random_state=0\)"):
        model.save(tmp_path / "m.json")
    assert not (tmp_path / "m.json").exists()


@pytest.mark.parametrize("change, message", [
    (dict(solver_options={"learning_rate": float("nan")}),
     r"solver_options\['learning_rate'\]=nan cannot be stored"),
    (dict(solver_options={"learning_rate": [0.5]}), "cannot be stored"),
    (dict(solver_options={"max_sweeps": 5}),
     r"cannot be saved: at options/solver_options: \['max_sweeps'\] are not options"),
    (dict(C=-1.0), "cannot be saved: at options/C: -1.0 is less than"),
    (dict(penalty="l3"), "cannot be saved: at options: penalty='l3' is not supported"),
    (dict(l1_ratio=1.5), "cannot be saved: at options/l1_ratio"),
])
def test_save_refuses_parameters_a_reader_would_refuse(tmp_path, change, message):
    X, y = _small_data()
    model = logitfit.LogisticRegression(solver="gd").fit(X, y).set_params(**change)
    with pytest.raises(InputError, match=message):
        model.save(tmp_path / "m.json")
    assert not (tmp_path / "m.json").exists()



@pytest.mark.parametrize("change", [dict(C=10.0), dict(penalty=None), dict(fit_intercept=False),
                                    dict(penalty="elasticnet", l1_ratio=0.3),
                                    dict(class_weight="balanced")])
def test_save_refuses_an_objective_changed_after_the_fit(tmp_path, change):
    X, y = _small_data()
    model = logitfit.LogisticRegression(C=0.5).fit(X, y)
    fitted = {name: model.get_params()[name] for name in change}
    model.set_params(**change)
    with pytest.raises(InputError, match=r"fitted with .*set_params\(" + re.escape(
            ", ".join(f"{name}={value!r}" for name, value in fitted.items()))):
        model.save(tmp_path / "m.json")
    assert not (tmp_path / "m.json").exists()
    # Options that leave the objective as it was are the next fit's business: saved as set.
    model.set_params(**{"tol": 1e-3, "l1_ratio": 0.9, "verbose": 1, **fitted})
    model.save(tmp_path / "m.json")
    loaded = logitfit.load(tmp_path / "m.json")
    assert loaded.tol == 1e-3
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))

def test_save_refuses_labels_json_cannot_hold(tmp_path):
    X, y = _small_data()
    labels = np.array(["2020-01-01", "2021-01-01"], dtype="datetime64[D]")
    model = logitfit.LogisticRegression().fit(X, labels[y])
    with pytest.raises(InputError, match=r"labels of dtype datetime64\[D\] cannot be stored"):
        model.save(tmp_path / "m.json")


def test_a_target_whose_classes_do_not_fit_the_estimator_is_refused():
    X, y = _small_data()
    model = logitfit.LogisticRegression().fit(X, y)
    with pytest.raises(InputError, match="cannot be saved: the classes .* classes_dtype 'int64'"):
        model_document(model, target=Target(None, "classes", ["a", "b"]))


def _small_data():
    """20 rows, 2 features, labels as indices 0/1 (index an array of labels with them)."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(20, 2))
    y = (X[:, 0] + rng.normal(size=20) > 0).astype(np.intp)
    return X, y


def test_non_json_and_pickles_are_refused_without_executing(tmp_path):
    class Boom:
        def __reduce__(self):
            return (open, (str(tmp_path / "executed"), "w"))

    (tmp_path / "m.pkl").write_bytes(pickle.dumps(Boom()))
    with pytest.raises(ModelFormatError, match="not valid JSON"):
        read_model(tmp_path / "m.pkl")
    assert not (tmp_path / "executed").exists()
    with pytest.raises(ModelFormatError, match="no such model file"):
        read_model(tmp_path / "absent.json")
    with pytest.raises(ValueError, match="not a logitfit model"):
        logitfit.load(_write(tmp_path / "list.json", "[1, 2]"))


def _write(path, text):
    path.write_text(text)
    return path


def test_a_loaded_model_gives_the_summary_its_file_holds(tmp_path):
    import logitfit

    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 3))
    y = (rng.random(300) < 1 / (1 + np.exp(-(X @ [1.0, -0.5, 0.2])))).astype(int)
    model = logitfit.LogisticRegression(penalty=None).fit(X, y)
    model.save(tmp_path / "m.json", summary=True)
    loaded = logitfit.load(tmp_path / "m.json")
    fitted, stored = model.summary(), loaded.summary()
    np.testing.assert_array_equal(stored.bse, fitted.bse)
    assert str(stored) == str(fitted)
    assert loaded.summary(yname="outcome").dep_variable == "outcome == 1"
    assert pickle.loads(pickle.dumps(loaded)).summary().nobs == 300
    # Other arguments need the data; the message says what the file offers.
    with pytest.raises(ValueError, match="holds the summary with the default arguments"):
        loaded.summary(cov_type="HC0")
    # A refit describes new data: the file's summary is not returned for it.
    loaded.fit(X[:200], y[:200])
    assert loaded.summary().nobs == 200
    with pytest.raises(ValueError, match="needs the training data"):
        pickle.loads(pickle.dumps(loaded)).summary()
    # A file without a summary: as before.
    model.save(tmp_path / "plain.json")
    with pytest.raises(ValueError, match="needs the training data"):
        logitfit.load(tmp_path / "plain.json").summary()
