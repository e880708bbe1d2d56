"""A model file's stored encoding as a scikit-learn transformer, and the pipeline of both.

``logitfit train`` stores with each model how the data file's columns become its features:
one-hot levels of text columns, imputed values, the standardisation. ``logitfit.load`` returns
the estimator alone, which takes the encoded design matrix; :func:`load_pipeline` puts the
stored encoding in front of it, so that Python code predicts from the same columns the
command line reads, with the same results.
"""

from __future__ import annotations

import os

import numpy as np
import pyarrow as pa
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.pipeline import Pipeline

from ._io import Dataset, require_columns
from ._model_format import read_model
from ._preprocess import Preprocessor


class StoredEncoding(TransformerMixin, BaseEstimator):
    """The encoding of data columns into a model's features, as stored in its model file.

    Fitted when made (by :func:`load_pipeline`); ``fit`` changes nothing: refitting a
    pipeline (in ``cross_val_score``, say) refits the model on the stored encoding, with the
    levels, fill values and scales of the original training data.

    Parameters
    ----------
    preprocessing : Preprocessor
        The model file's preprocessing (``read_model(path).preprocessing``).
    """

    def __init__(self, preprocessing: Preprocessor | None = None):
        self.preprocessing = preprocessing

    def fit(self, X=None, y=None):
        """Return self: the encoding was fitted by ``logitfit train``."""
        return self

    @property
    def feature_names_in_(self) -> np.ndarray:
        """The input columns the encoding reads, shape (n_features_in_,)."""
        return np.asarray(self.preprocessing.input_names, dtype=object)

    @property
    def n_features_in_(self) -> int:
        return len(self.preprocessing.input_names)

    def transform(self, X):
        """Encode the data's columns as the model's features.

        Parameters
        ----------
        X : pandas or polars DataFrame, pyarrow Table or dict of columns; for a model
            trained on LibSVM data, a matrix (sparse or dense) of shape (n_samples,
            n_inputs) whose columns are the model's input features in order
            (``preprocessing.input_names``); for one trained on an unnamed array (columns
            x0, x1, ...), that array too.
            Columns are found by name; others are ignored.

        Returns
        -------
        ndarray or scipy.sparse.csr_matrix of shape (n_samples, n_features)
        """
        return self.preprocessing.transform(self._dataset(X))

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """The model's feature names, shape (n_features,)."""
        return np.asarray(self.preprocessing.feature_names, dtype=object)

    def __sklearn_is_fitted__(self) -> bool:
        return self.preprocessing is not None

    def _dataset(self, X) -> Dataset:
        names = self.preprocessing.input_names
        if self.preprocessing.sparse:
            if not (sp.issparse(X) or isinstance(X, np.ndarray)):
                raise TypeError("this model was trained on LibSVM data: pass a matrix whose "
                                f"columns are its features {names[:5]}... in order, got "
                                f"{type(X).__name__}.")
            matrix = sp.csr_matrix(X, dtype=np.float64)
            if matrix.shape[1] != len(names):
                raise ValueError(f"X has {matrix.shape[1]} columns; the model's LibSVM features "
                                 f"are {len(names)}, in the order of preprocessing.input_names.")
            return Dataset(matrix=matrix, matrix_names=list(names))
        if isinstance(X, np.ndarray) and _unnamed_array_model(self.preprocessing):
            if X.ndim != 2 or X.shape[1] != len(names):
                raise ValueError(f"X has shape {X.shape}; the model takes {len(names)} columns "
                                 f"({', '.join(names[:5])}{', ...' if len(names) > 5 else ''}).")
            return Dataset(table=pa.table({name: X[:, j] for j, name in enumerate(names)}))
        return Dataset(table=_as_table(X, names))


def _unnamed_array_model(preprocessing: Preprocessor) -> bool:
    # A model fitted on an unnamed array: numeric columns x0, x1, ... in order.
    return all(column.kind != "categorical" and column.name == f"x{j}"
               for j, column in enumerate(preprocessing.columns))


def _names(keys) -> list[str]:
    # Only a column named by a string can be one of the model's (a name 0 is not "0").
    return [key for key in keys if isinstance(key, str)]


def _as_table(X, names: list[str]) -> pa.Table:
    """The columns ``names`` of X as a pyarrow Table. Only they are converted: other
    columns may hold anything. A missing one is named, with the columns X has."""
    if isinstance(X, pa.Table):
        require_columns(list(X.column_names), names)
        return X.select(names)
    if isinstance(X, dict):
        require_columns(_names(X), names)
        # from_pandas: NaN in an array of objects (as pandas leaves text) is a missing value.
        return pa.table({name: pa.array(np.asarray(X[name]), from_pandas=True)
                         for name in names})
    if type(X).__module__.split(".")[0] == "polars":
        if not hasattr(X, "to_arrow"):
            raise TypeError(f"pass a polars DataFrame, got a {type(X).__name__} (collect() it "
                            "first).")
        require_columns(list(X.columns), names)
        return X.select(names).to_arrow()
    if hasattr(X, "columns") and hasattr(X, "iloc"):  # pandas, without importing it
        require_columns(_names(X.columns), names)
        return pa.Table.from_pandas(X[names], preserve_index=False)
    raise TypeError(
        "the model encodes the data's columns by name: pass them as a pandas or polars "
        f"DataFrame, a pyarrow Table or a dict of columns, got {type(X).__name__}."
    )


def load_pipeline(path: str | os.PathLike) -> Pipeline:
    """Read a model file as a pipeline that predicts from the data's columns.

    For a model written by ``logitfit train``, whose stored preprocessing encodes the data
    file's columns (one-hot levels, imputation, ``--standardize``), this gives the command
    line's predictions from the same columns; :func:`logitfit.load` gives the estimator alone,
    which takes the encoded features.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    sklearn.pipeline.Pipeline
        ``[("encode", StoredEncoding), ("model", LogisticRegression)]``, fitted:
        ``predict``, ``predict_proba`` and ``decision_function`` take a pandas or polars
        DataFrame, a pyarrow Table or a dict of columns (for a LibSVM model, a matrix of its
        input features in order); ``pipeline["model"]`` is the estimator.

    Raises
    ------
    ValueError
        The file is missing or not a valid logitfit model.
    """
    model_file = read_model(path)
    estimator = model_file.estimator
    # The encoding hands the model its features in order, as an array: names the model was
    # fitted with (a DataFrame's) would only make scikit-learn warn at every call.
    estimator.__dict__.pop("feature_names_in_", None)
    return Pipeline([("encode", StoredEncoding(model_file.preprocessing)),
                     ("model", estimator)])
