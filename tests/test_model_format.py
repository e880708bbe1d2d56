"""The JSON model format: round trips, schema validation, refusal of damaged files."""

from __future__ import annotations

import json
import pickle

import jsonschema
import numpy as np
import pandas as pd
import pytest

import logitfit
from logitfit._model_format import ModelFormatError, read_model, schema


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
    assert document["format_version"] == 1
    assert document["logitfit_version"] == logitfit.__version__
    assert document["target"]["classes"] == ["benign", "malignant"]


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
    (lambda d: d.update(format="something"), "not a logitfit model"),
])
def test_damaged_files_are_refused(tmp_path, fitted, change, message):
    path = _damage(tmp_path, fitted, change)
    with pytest.raises(ModelFormatError, match=message):
        read_model(path)


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
