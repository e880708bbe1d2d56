"""The model file: versioned, documented JSON; reading it never executes anything.

The format is defined by the JSON Schema ``model-schema.json`` shipped beside this module
(format version 1). A file holds the format and logitfit versions, the feature names and the
preprocessing that produces them from data columns, the two classes, the coefficients and
intercept, the training options, fit diagnostics (solver, iterations, convergence, per-iteration
history), and, when it could be computed, the coefficient covariance and the summary table.

Reading validates the document against the schema, then the shapes (one coefficient per feature
name, a square covariance of the coefficients' size, finite numbers), and rebuilds the objects
from plain data. Non-finite floats are written as ``null`` so files are strict JSON.
"""

from __future__ import annotations

import datetime
import json
import math
import os
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

from ._errors import InputError

if TYPE_CHECKING:
    from ._estimator import LogisticRegression
    from ._preprocess import Preprocessor, Target

FORMAT = "logitfit-model"
FORMAT_VERSION = 1


class ModelFormatError(InputError):
    """A model file that is not a valid logitfit model."""


@dataclass
class ModelFile:
    """Everything a model file holds, as objects.

    Attributes
    ----------
    estimator : LogisticRegression
        Fitted: ``coef_``, ``intercept_``, ``classes_``, ``n_features_in_`` are set.
    preprocessing : Preprocessor
    target : Target
    feature_names : list of str
    diagnostics : dict
    covariance : ndarray of shape (n_features + 1, n_features + 1) or None
    summary : dict or None
        ``Summary.to_dict()`` from training.
    meta : dict
        ``format_version``, ``logitfit_version``, ``created``.
    """

    estimator: LogisticRegression
    preprocessing: Preprocessor
    target: Target
    feature_names: list[str]
    diagnostics: dict = field(default_factory=dict)
    covariance: np.ndarray | None = None
    summary: dict | None = None
    meta: dict = field(default_factory=dict)


@cache
def schema() -> dict:
    """The JSON Schema of the model format (``model-schema.json``)."""
    text = resources.files("logitfit").joinpath("model-schema.json").read_text("utf-8")
    return json.loads(text)


def _plain(value):
    """Convert NumPy scalars/arrays to JSON data; non-finite floats become ``None``."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, np.generic):
        return _plain(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _version() -> str:
    from . import __version__

    return __version__


def _options(estimator) -> dict:
    class_weight = estimator.class_weight
    if isinstance(class_weight, dict):
        class_weight = [[_plain(k), float(v)] for k, v in class_weight.items()]
    C = float(estimator.C)
    return {
        "penalty": estimator.penalty,
        "C": C if math.isfinite(C) else "inf",
        "l1_ratio": None if estimator.l1_ratio is None else float(estimator.l1_ratio),
        "fit_intercept": bool(estimator.fit_intercept),
        "solver": str(estimator.solver),
        "tol": float(estimator.tol),
        "max_iter": None if estimator.max_iter is None else int(estimator.max_iter),
        "class_weight": class_weight,
    }


def _diagnostics(estimator, n_samples: int | None) -> dict:
    out = {
        "solver": str(getattr(estimator, "solver_", estimator.solver)),
        "n_iter": int(np.asarray(estimator.n_iter_).ravel()[0]),
        "converged": bool(getattr(estimator, "converged_", True)),
        "history": {k: np.asarray(v, dtype=np.float64)
                    for k, v in (getattr(estimator, "history_", None) or {}).items()},
    }
    if n_samples is not None:
        out["n_samples"] = int(n_samples)
    return out


def model_document(
    estimator,
    *,
    preprocessing: Preprocessor | None = None,
    target: Target | None = None,
    covariance: np.ndarray | None = None,
    summary: dict | None = None,
    n_samples: int | None = None,
) -> dict:
    """Build the JSON document of a fitted estimator.

    Parameters
    ----------
    estimator : LogisticRegression
        Fitted.
    preprocessing : Preprocessor, default=None
        ``None`` for a model fitted in Python on numeric columns.
    target : Target, default=None
        ``None`` uses the estimator's ``classes_``.
    covariance : ndarray of shape (n_coef, n_coef), default=None
    summary : dict, default=None
    n_samples : int, default=None

    Returns
    -------
    dict
        Plain JSON data that validates against :func:`schema`.
    """
    from ._preprocess import Preprocessor, Target  # pyarrow only when files are written

    coef = np.asarray(estimator.coef_, dtype=np.float64).ravel()
    named = hasattr(estimator, "feature_names_in_")
    if preprocessing is None:
        names = ([str(n) for n in estimator.feature_names_in_] if named
                 else [f"x{j}" for j in range(coef.shape[0])])
        preprocessing = Preprocessor.identity(names)
    if target is None:
        target = Target(None, "classes", _plain(list(estimator.classes_)))
    if not np.all(np.isfinite(coef)) or not np.isfinite(estimator.intercept_[0]):
        raise ValueError("the coefficients are not finite; the model cannot be saved.")
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "logitfit_version": _version(),
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "features": {
            "names": preprocessing.feature_names,
            "named_input": named,
            "preprocessing": preprocessing.to_dict(),
        },
        "target": target.to_dict(),
        "coef": coef,
        "intercept": float(estimator.intercept_[0]),
        "options": _options(estimator),
        "diagnostics": _diagnostics(estimator, n_samples),
        "covariance": covariance,
        "summary": summary,
    }
    return _plain(document)


def write_model(document: dict, path: str, *, force: bool = False) -> None:
    """Write a model document as JSON; refuse to replace an existing file unless ``force``.

    Parameters
    ----------
    document : dict
        From :func:`model_document`.
    path : str or path-like
    force : bool, default=False

    Raises
    ------
    FileExistsError
        ``path`` exists and ``force`` is false.
    """
    text = json.dumps(document, indent=1, allow_nan=False)
    # "x" mode creates the file only if it does not exist: nothing is overwritten by a race
    # between a check and the write.
    try:
        with open(path, "w" if force else "x", encoding="utf-8") as handle:
            handle.write(text)
            handle.write("\n")
    except FileExistsError:
        raise FileExistsError(
            f"{path} already exists; choose another name, or replace it with force=True "
            "(--force on the command line)."
        ) from None


def read_model(path: str | os.PathLike) -> ModelFile:
    """Read and validate a model file.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    ModelFile

    Raises
    ------
    ModelFormatError
        The file is missing, not JSON, not valid against the schema, or inconsistent.
    """
    import jsonschema

    path = os.fspath(path)
    if not os.path.isfile(path):
        raise ModelFormatError(f"no such model file: {path}; check the path.")
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelFormatError(
            f"{path} is not a logitfit model (not valid JSON: {error}); give the file written "
            "by logitfit train or model.save()."
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ModelFormatError(f"{path} is not a logitfit model; give the file written by "
                               "logitfit train or model.save().")
    version = document.get("format_version")
    if isinstance(version, int) and version > FORMAT_VERSION:
        raise ModelFormatError(
            f"{path} has model format version {version}, newer than this logitfit "
            f"({_version()}) reads (version {FORMAT_VERSION}); upgrade logitfit."
        )
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(schema()).iter_errors(document))
    if error is not None:
        where = "/".join(map(str, error.absolute_path)) or "the top level"
        raise ModelFormatError(
            f"{path} is not a valid logitfit model: at {where}: {error.message}; the file is "
            "damaged, train the model again."
        )
    return _build(document, path)


def _build(document: dict, path: str) -> ModelFile:
    from ._estimator import LogisticRegression
    from ._preprocess import Preprocessor, Target

    def damaged(what: str) -> ModelFormatError:
        return ModelFormatError(f"{path} is not a valid logitfit model: {what}; the file is "
                                "damaged, train the model again.")

    names = document["features"]["names"]
    coef = np.asarray(document["coef"], dtype=np.float64)
    if coef.shape != (len(names),):
        raise damaged(f"{coef.shape[0]} coefficients for {len(names)} feature names")
    if not np.all(np.isfinite(coef)):
        raise damaged("the coefficients are not all finite numbers")
    try:
        preprocessing = Preprocessor.from_dict(document["features"]["preprocessing"])
    except InputError as error:
        raise damaged(str(error).split(";")[0]) from None
    if preprocessing.feature_names != names:
        raise damaged("the preprocessing does not produce the stored feature names")
    target = Target.from_dict(document["target"])
    if target.classes[0] == target.classes[1]:
        raise damaged("the two classes are equal")

    options = dict(document["options"])
    options["C"] = math.inf if options["C"] == "inf" else float(options["C"])
    if isinstance(options["class_weight"], list):
        options["class_weight"] = {label: weight for label, weight in options["class_weight"]}
    estimator = LogisticRegression(**options)
    estimator.coef_ = coef.reshape(1, -1)
    estimator.intercept_ = np.array([float(document["intercept"])])
    estimator.classes_ = np.asarray(target.classes)
    estimator.n_features_in_ = len(names)
    if document["features"]["named_input"]:
        estimator.feature_names_in_ = np.asarray(names, dtype=object)
    diagnostics = document["diagnostics"]
    estimator.n_iter_ = np.array([diagnostics["n_iter"]], dtype=np.int32)
    estimator.converged_ = diagnostics["converged"]
    estimator.solver_ = diagnostics["solver"]
    estimator.history_ = {k: np.asarray(v, dtype=np.float64)
                          for k, v in diagnostics.get("history", {}).items()}

    covariance = document.get("covariance")
    if covariance is not None:
        n_coef = len(names) + int(options["fit_intercept"])
        try:
            covariance = np.asarray(covariance, dtype=np.float64)
        except ValueError:
            raise damaged("the covariance is not a matrix") from None
        if covariance.shape != (n_coef, n_coef):
            raise damaged(f"the covariance has shape {covariance.shape}, expected "
                          f"({n_coef}, {n_coef})")
    meta = {k: document.get(k) for k in ("format_version", "logitfit_version", "created")}
    return ModelFile(estimator, preprocessing, target, list(names), diagnostics,
                     covariance, document.get("summary"), meta)


def save(estimator: LogisticRegression, path: str | os.PathLike, *, force: bool = False,
         **extra) -> None:
    """Write a fitted estimator (see :func:`model_document` for ``extra``)."""
    write_model(model_document(estimator, **extra), os.fspath(path), force=force)


def load(path: str | os.PathLike) -> LogisticRegression:
    """Read a model written by ``model.save(path)`` or ``logitfit train``.

    The file is validated against the format's JSON Schema, types and shapes; nothing in it is
    executed.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    LogisticRegression
        Fitted, ready for ``predict``/``predict_proba`` on the model's features (for models
        trained by the command line: the columns after its stored preprocessing).

    Raises
    ------
    ValueError
        The file is missing or not a valid logitfit model.
    """
    return read_model(path).estimator
