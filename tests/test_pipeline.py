"""logitfit.load_pipeline: a model file's stored encoding in front of its estimator, against
the command line's predictions and the estimator on encoded features."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import logitfit
from logitfit.cli import main


def _frame(n=200, seed=0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"age": rng.normal(40, 10, n), "income": rng.gamma(2.0, 20.0, n),
                       "city": rng.choice(["oslo", "paris", "rome"], n)})
    z = 0.05 * (df.age - 40) + np.where(df.city == "rome", 0.8, 0.0)
    df["churn"] = np.where(rng.random(n) < 1 / (1 + np.exp(-z)), "yes", "no")
    return df


def _command_proba(tmp_path, model, data):
    result = CliRunner().invoke(main, ["predict", str(model), str(data), "--proba"])
    assert result.exit_code == 0, result.output
    return pd.read_csv(io.StringIO(result.stdout)).iloc[:, 0].to_numpy()


def _trained_on_frame(tmp_path):
    """The frame, written to d.csv, and the pipeline of the model the command trains on it."""
    df = _frame()
    df.to_csv(tmp_path / "d.csv", index=False)
    result = CliRunner().invoke(main, ["train", str(tmp_path / "d.csv"), "--target", "churn",
                                       "--out", str(tmp_path / "m.json"), "-q"])
    assert result.exit_code == 0, result.output
    return df, logitfit.load_pipeline(tmp_path / "m.json")


def test_columns_the_model_does_not_use_may_hold_anything(tmp_path):
    df, pipeline = _trained_on_frame(tmp_path)
    odd = df.assign(extra=pd.Series([1, "a"] * 100, dtype=object), note=[1j] * len(df))
    expected = _command_proba(tmp_path, tmp_path / "m.json", tmp_path / "d.csv")
    np.testing.assert_array_equal(pipeline.predict_proba(odd)[:, 1], expected)
    # A dict of arrays (text as objects, as pandas leaves it) gives the same.
    columns = {name: df[name].to_numpy() for name in df}
    np.testing.assert_array_equal(pipeline.predict_proba(columns)[:, 1], expected)
    assert pipeline["encode"].feature_names_in_.tolist() == ["age", "income", "city"]
    assert pipeline["encode"].n_features_in_ == 3
    missing = df.drop(columns="city")
    with pytest.raises(ValueError, match="column 'city' is not in the data"):
        pipeline.predict(missing)


def test_a_missing_column_is_named_with_the_columns_the_data_has(tmp_path):
    import polars as pl
    import pyarrow as pa

    _, pipeline = _trained_on_frame(tmp_path)
    other = pd.DataFrame({"height": [1.0, 2.0], "town": ["a", "b"]})
    for data in (other, pl.from_pandas(other), pa.Table.from_pandas(other),
                 {name: other[name].to_numpy() for name in other}):
        with pytest.raises(ValueError, match="column 'age' is not in the data; its columns "
                                             "are: height, town."):
            pipeline.predict_proba(data)


def test_models_saved_from_python_predict_without_warnings(tmp_path):
    df = _frame(seed=1)
    X = df[["age", "income"]]
    named = logitfit.LogisticRegression().fit(X, df.churn)
    named.save(tmp_path / "named.json")
    unnamed = logitfit.LogisticRegression().fit(X.to_numpy(), df.churn)
    unnamed.save(tmp_path / "unnamed.json")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(
            logitfit.load_pipeline(tmp_path / "named.json").predict_proba(df),
            named.predict_proba(X))
        # Fitted on an array: its columns x0, x1 are taken from an array too.
        np.testing.assert_array_equal(
            logitfit.load_pipeline(tmp_path / "unnamed.json").predict_proba(X.to_numpy()),
            unnamed.predict_proba(X.to_numpy()))
    with pytest.raises(ValueError, match=r"the model takes 2 columns \(x0, x1\)"):
        logitfit.load_pipeline(tmp_path / "unnamed.json").predict(X.to_numpy()[:, :1])
    with pytest.raises(TypeError, match="by name"):
        logitfit.load_pipeline(tmp_path / "named.json").predict(X.to_numpy())
