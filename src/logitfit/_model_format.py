"""The model file: versioned, documented JSON; reading it never executes anything.

The format is defined by the JSON Schema ``model-schema.json`` shipped beside this module
(format version 2). A file holds the format and logitfit versions, the feature names and the
preprocessing that produces them from data columns, the two classes and their NumPy dtype, the
coefficients and intercept, every constructor parameter of the estimator, fit diagnostics
(solver, iterations, convergence, per-iteration history), and, when it could be computed, the
coefficient covariance and the summary table.

Writing refuses what the format cannot hold exactly (a ``random_state`` that is not an int or
``None``, a solver option that is not a JSON scalar, labels that are not bool, integer, float or
str), so ``clone(load(path))`` equals ``clone(model)`` and ``predict`` returns the same dtype.

Reading validates the document against the schema, then the options by the estimator's own
rules (known penalty and solver names, C > 0, ...), the shapes (one coefficient per feature
name, a square covariance of the coefficients' size, finite numbers) and the labels against
their dtype, and rebuilds the objects from plain data. Non-finite floats are written as ``null``
so files are strict JSON.

Version 1 files (logitfit before format version 2) lack the options ``warm_start``,
``verbose``, ``random_state`` and ``solver_options`` and the classes' dtype; they still load,
with the estimator's defaults for those options and NumPy's default dtype for the labels.
"""

from __future__ import annotations

import copy
import datetime
import errno
import json
import math
import numbers
import os
import warnings
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

from ._errors import InputError
from ._inference import fitted_params

if TYPE_CHECKING:
    from ._estimator import LogisticRegression
    from ._preprocess import Preprocessor, Target

FORMAT = "logitfit-model"
FORMAT_VERSION = 2


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
        if value.dtype.kind == "f":
            # Vectorised: a covariance matrix has a million entries at d = 1000, which the
            # element-by-element path below took seconds to convert.
            plain = value.astype(object)
            plain[~np.isfinite(value)] = None
            return plain.tolist()
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
    """Every constructor parameter of ``estimator`` as JSON data, checked as :func:`load` will.

    Raises
    ------
    InputError
        A parameter that the format cannot hold exactly, or that a reader would refuse.
    """
    options = estimator.get_params(deep=False)
    C = options["C"]
    if isinstance(C, numbers.Real) and C == math.inf:
        options["C"] = "inf"  # JSON has no infinity
    for name in ("fit_intercept", "warm_start"):
        options[name] = bool(options[name])
    if isinstance(options["class_weight"], dict):
        # Pairs rather than an object: JSON object keys are strings, labels need not be.
        options["class_weight"] = [[label, weight]
                                   for label, weight in options["class_weight"].items()]
    options["random_state"] = _random_state(options["random_state"])
    if isinstance(options["solver_options"], dict):
        options["solver_options"] = {name: _solver_option(name, value)
                                     for name, value in options["solver_options"].items()}
    options = _plain(options)
    try:
        _options_estimator(options, str(estimator.solver_))
    except ValueError as error:
        raise InputError(f"the model cannot be saved: {_sentence(error)}; set a valid value "
                         "with model.set_params() and fit again.") from None
    _refuse_changed_objective(estimator)
    return options


def _refuse_changed_objective(estimator) -> None:
    """Refuse a model whose objective ``set_params`` changed after the fit.

    The file would otherwise pair the coefficients of one fit with the options of another,
    and a reader would take them for a model of that other objective.
    """
    from ._estimator import OBJECTIVE_PARAMS, objective_options

    fitted = fitted_params(estimator)
    current = estimator.get_params(deep=False)
    if objective_options(fitted) == objective_options(current):
        return
    changed = [name for name in OBJECTIVE_PARAMS if fitted[name] != current[name]]
    was = ", ".join(f"{name}={fitted[name]!r}" for name in changed)
    now = ", ".join(f"{name}={current[name]!r}" for name in changed)
    raise InputError(
        f"the model cannot be saved: it was fitted with {was}, and set_params has since set "
        f"{now}, so the options would not describe its coefficients; fit it again, or set "
        f"them back with model.set_params({was})."
    )


def _random_state(value):
    """``value`` if a model file can hold it (an int or ``None``); else refuse, naming the fix.

    A RandomState or Generator instance is refused rather than stored as ``None``: storing it
    would make the loaded estimator a different one from the saved one, silently.
    """
    if value is None or (isinstance(value, numbers.Integral) and not isinstance(value, bool)):
        return value
    raise InputError(
        f"random_state={value!r} cannot be stored in a model file, which holds an int seed or "
        "None; set one with model.set_params(random_state=0) (or None) before saving. The "
        "solvers draw no random numbers, so the fitted model does not change."
    )


def _solver_option(name, value):
    """``value`` if a model file can hold it exactly (a JSON scalar); else refuse."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, bool | int | str) or (
            isinstance(value, float) and math.isfinite(value)):
        return value
    raise InputError(
        f"solver_options[{name!r}]={value!r} cannot be stored in a model file; give a finite "
        "number, a string, a bool or None with model.set_params(solver_options=...)."
    )


def _sentence(error: Exception) -> str:
    """An error's message without its final full stop, to be continued with '; ...'."""
    return str(error).rstrip(".")


def _schema_problem(instance, subschema: dict, where: str = "") -> str | None:
    """The most relevant violation of ``subschema`` by ``instance`` as 'at PATH: ...', or None."""
    import jsonschema

    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(subschema).iter_errors(instance))
    if error is None:
        return None
    path = "/".join([where, *map(str, error.absolute_path)]).strip("/") or "the top level"
    return f"at {path}: {error.message}"


# A covariance matrix holds (n_coef)² numbers, which jsonschema checks one by one in Python:
# 6 s of a 6-second read for a model with 1,000 features. Its entries are checked here with a
# plain loop instead, and the schema sees only its first row (for the structure around it).
def _covariance_problem(covariance) -> str | None:
    """'at covariance/i/j: ...' for an entry that is neither a number nor null, or None."""
    if not isinstance(covariance, list):
        return None  # null, or a type the schema reports
    for i, row in enumerate(covariance):
        if not isinstance(row, list):
            return None  # the schema reports it (it sees the first row; _build the rest)
        for j, value in enumerate(row):
            if not (value is None or type(value) in (int, float)):
                return f"at covariance/{i}/{j}: {value!r} is not of type 'number', 'null'"
    return None


def _with_covariance_row(document: dict) -> dict:
    covariance = document.get("covariance")
    if not isinstance(covariance, list) or not all(isinstance(row, list) for row in covariance):
        return document
    return {**document, "covariance": covariance[:1]}


def _options_estimator(options: dict, solver_used: str) -> LogisticRegression:
    """The unfitted estimator of a file's ``options``, checked by the estimator's own rules.

    Parameters
    ----------
    options : dict
        The document's ``options``.
    solver_used : str
        The solver that fitted the model (``diagnostics.solver``); ``solver_options`` must be
        its options.

    Raises
    ------
    ValueError
        Naming the option at fault and its valid values.
    """
    from ._estimator import LogisticRegression
    from .solvers import SOLVERS
    from .solvers._registry import unknown_solver_options

    problem = _schema_problem(options, schema()["properties"]["options"], "options")
    if problem is not None:
        raise ValueError(problem)
    params = dict(options)
    if params["C"] == "inf":
        params["C"] = math.inf
    for name in ("max_iter", "random_state", "verbose"):
        # JSON Schema counts 3.0 as an integer; the estimator expects an int.
        if isinstance(params.get(name), float):
            params[name] = int(params[name])
    if isinstance(params["class_weight"], list):
        params["class_weight"] = {label: weight for label, weight in params["class_weight"]}
    estimator = LogisticRegression(**params)
    try:
        # The names of penalties and solvers, and the ranges, are the estimator's: one list.
        # Its warnings (an l1_ratio the penalty ignores) were given when the model was fitted.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            estimator._check_params()
    except ValueError as error:
        raise ValueError(f"at options: {_sentence(error)}") from None
    if solver_used not in SOLVERS:
        names = ", ".join(repr(name) for name in sorted(SOLVERS))
        raise ValueError(f"at diagnostics/solver: {solver_used!r} is not a solver; the solvers "
                         f"are {names}")
    problem = unknown_solver_options(solver_used, params.get("solver_options"))
    if problem is not None:
        raise ValueError(f"at options/solver_options: {problem}")
    return estimator


def _classes_dtype(classes: np.ndarray) -> str:
    """The format's name of the dtype of ``classes_``; refuse dtypes JSON cannot hold."""
    dtype = classes.dtype
    if dtype.kind == "U":
        return f"U{dtype.itemsize // 4}"
    # Wider than 8 bytes (longdouble) would not survive JSON's float64 numbers.
    if (dtype.kind in "biuf" and dtype.itemsize <= 8) or dtype.kind == "O":
        return dtype.name
    raise InputError(f"labels of dtype {dtype} cannot be stored in a model file; fit on bool, "
                     "integer, float or str labels.")


# JSON types a label may have in the file, per NumPy dtype kind of the classes.
_LABEL_TYPES = {"b": (bool,), "i": (int,), "u": (int,), "f": (int, float), "U": (str,),
                "O": (bool, int, float, str)}


def _classes_array(labels: list, dtype: str | None) -> np.ndarray:
    """The estimator's ``classes_``: ``labels`` as ``dtype`` (NumPy's choice when ``None``).

    Raises
    ------
    ValueError
        A label that ``dtype`` does not hold exactly (out of range, truncated, another type).
    """
    if dtype is None:
        return np.asarray(labels)
    kind = np.dtype(dtype).kind
    # Python's bool is an int: without the second test true/false would pass as 1/0.
    if all(isinstance(label, _LABEL_TYPES[kind])
           and not (kind in "iuf" and isinstance(label, bool)) for label in labels):
        try:
            classes = np.array(labels, dtype=dtype)
        except (ValueError, OverflowError):
            classes = None
        if classes is not None and classes.tolist() == labels:
            return classes
    raise ValueError(f"the classes {labels} are not all of classes_dtype {dtype!r}")


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


def storage_positions(summary, names: list[str], fit_intercept: bool) -> list[int] | None:
    """Where each coefficient of [w..., b] (storage order) sits among the summary's terms."""
    terms = [str(t) for t in getattr(summary, "names", [])]
    try:
        positions = [terms.index(name) for name in names]
    except ValueError:
        return None
    if fit_intercept:
        rest = [j for j in range(len(terms)) if j not in set(positions)]
        if len(rest) != 1:
            return None
        positions.append(rest[0])
    return positions if len(positions) == len(terms) else None


def summary_covariance(summary, names: list[str], fit_intercept: bool) -> np.ndarray | None:
    """The summary's covariance, reordered to the coefficients' storage order [w..., b]."""
    cov = getattr(summary, "cov_params", None) if summary is not None else None
    positions = None if cov is None else storage_positions(summary, names, fit_intercept)
    if positions is None:
        return None
    cov = np.asarray(cov, dtype=np.float64)
    return cov[np.ix_(positions, positions)]


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

    Raises
    ------
    InputError
        A parameter or label that the format cannot hold exactly: ``random_state`` other than
        an int or ``None``, a solver option other than a JSON scalar, labels other than bool,
        integer, float or str, or a parameter that :func:`read_model` would refuse.
    ValueError
        Non-finite coefficients.
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
    classes_dtype = _classes_dtype(np.asarray(estimator.classes_))
    try:
        _classes_array(_plain(list(target.classes)), classes_dtype)
    except ValueError as error:
        raise InputError(f"the model cannot be saved: {error}; give a target whose classes "
                         "are the estimator's classes_.") from None
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
        "target": {**target.to_dict(), "classes_dtype": classes_dtype},
        "coef": coef,
        "intercept": float(estimator.intercept_[0]),
        "options": _options(estimator),
        "diagnostics": _diagnostics(estimator, n_samples),
        "covariance": covariance,
        "summary": summary,
    }
    return _plain(document)


_COVARIANCE_SLOT = "covariance rows go here"


def _json_text(document: dict) -> str:
    # Indented JSON, except that each row of the covariance matrix takes one line: indented
    # number by number, a 1,001-feature model had a million lines, and json's indenting encoder
    # (pure Python) took 2.5 s to write them; the compact rows come from its C encoder.
    covariance = document.get("covariance")
    if not covariance:
        return json.dumps(document, indent=1, allow_nan=False)
    text = json.dumps({**document, "covariance": _COVARIANCE_SLOT}, indent=1, allow_nan=False)
    rows = ",\n  ".join(json.dumps(row, allow_nan=False) for row in covariance)
    # The top-level key on its own line: no string inside the document (a feature name) can
    # spell it, since JSON escapes the newline.
    slot = f'\n "covariance": {json.dumps(_COVARIANCE_SLOT)}'
    return text.replace(slot, f'\n "covariance": [\n  {rows}\n ]', 1)


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
    IsADirectoryError
        ``path`` is a directory.
    """
    if os.path.isdir(path):
        # Else "x" mode reports it as an existing file and the advice is force=True, which
        # then fails as well.
        raise IsADirectoryError(
            errno.EISDIR, f"{path} is a directory; give the model a file name, such as "
            f"{os.path.join(path, 'model.json')}")
    text = _json_text(document)
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
        The file is missing, not JSON, not valid against the schema, has options the
        estimator refuses, or is inconsistent.
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        raise ModelFormatError(f"{path} is a directory; give the model file.")
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
    except RecursionError:  # arrays nested thousands deep: no model is
        raise ModelFormatError(
            f"{path} is not a logitfit model (JSON nested too deeply); give the file written "
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
    problem = _covariance_problem(document.get("covariance"))
    if problem is None:
        problem = _schema_problem(_with_covariance_row(document), schema())
    if problem is not None:
        raise ModelFormatError(
            f"{path} is not a valid logitfit model: {problem}; the file is damaged, train the "
            "model again."
        )
    return _build(document, path)


def _build(document: dict, path: str) -> ModelFile:
    from ._estimator import check_class_weight
    from ._preprocess import Preprocessor, Target

    def damaged(what: str) -> ModelFormatError:
        return ModelFormatError(f"{path} is not a valid logitfit model: {what}; the file is "
                                "damaged, train the model again.")

    names = document["features"]["names"]
    coef = np.asarray(document["coef"], dtype=np.float64)
    if coef.shape != (len(names),):
        raise damaged(f"{coef.shape[0]} coefficients for {len(names)} feature names")
    if not (np.all(np.isfinite(coef)) and math.isfinite(document["intercept"])):
        raise damaged("the coefficients and intercept are not all finite numbers")
    try:
        preprocessing = Preprocessor.from_dict(document["features"]["preprocessing"])
    except InputError as error:
        raise damaged(str(error).split(";")[0]) from None
    if preprocessing.feature_names != names:
        raise damaged("the preprocessing does not produce the stored feature names")
    target = Target.from_dict(document["target"])
    if target.classes[0] == target.classes[1]:
        raise damaged("the two classes are equal")

    try:
        classes = _classes_array(target.classes, document["target"].get("classes_dtype"))
        if target.kind == "classes" and not np.array_equal(np.sort(classes), classes):
            # classes_[1] is the positive class only in sorted order (scikit-learn's rule):
            # reversed labels would predict every sample's label swapped.
            raise ValueError(f"the classes {target.classes} are not in sorted order")
        estimator = _options_estimator(document["options"], document["diagnostics"]["solver"])
        check_class_weight(estimator.class_weight, classes)
    except ValueError as error:
        raise damaged(_sentence(error)) from None
    estimator._fit_params = copy.deepcopy(estimator.get_params(deep=False))
    estimator.coef_ = coef.reshape(1, -1)
    estimator.intercept_ = np.array([float(document["intercept"])])
    estimator.classes_ = classes
    estimator.n_features_in_ = len(names)
    if document["features"]["named_input"]:
        estimator.feature_names_in_ = np.asarray(names, dtype=object)
    diagnostics = document["diagnostics"]
    estimator.n_iter_ = np.array([diagnostics["n_iter"]], dtype=np.int32)
    estimator.converged_ = diagnostics["converged"]
    estimator.solver_ = diagnostics["solver"]
    if document.get("summary") is not None:
        estimator._stored_summary = document["summary"]  # what summary() gives when loaded
    estimator.history_ = {k: np.asarray(v, dtype=np.float64)
                          for k, v in diagnostics.get("history", {}).items()}
    if len({len(v) for v in estimator.history_.values()}) > 1:
        raise damaged("the history's columns differ in length")

    covariance = document.get("covariance")
    if covariance is not None:
        n_coef = len(names) + int(estimator.fit_intercept)
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
    """Write a fitted estimator (see :func:`model_document` for ``extra`` and what it refuses)."""
    write_model(model_document(estimator, **extra), os.fspath(path), force=force)


def load(path: str | os.PathLike) -> LogisticRegression:
    """Read a model written by ``model.save(path)`` or ``logitfit train``.

    The file is validated against the format's JSON Schema, its options by the estimator's own
    rules, its types and shapes; nothing in it is executed. Files of format version 1 load too.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    LogisticRegression
        Fitted, ready for ``predict``/``predict_proba`` on the model's features (for models
        trained by the command line: the columns after its stored preprocessing). Its
        parameters are the saved model's (``clone`` of it is the same estimator) and its
        ``classes_`` have the saved dtype, so ``predict`` returns labels of that dtype.

    Raises
    ------
    ValueError
        The file is missing or not a valid logitfit model.

    Warns
    -----
    UserWarning
        The model was trained by ``logitfit train`` on encoded columns (one-hot levels or
        ``--standardize``): the estimator takes the encoded features, and the data's own
        columns would give wrong probabilities without an error.
        :func:`logitfit.load_pipeline` applies the stored encoding first.
    """
    model_file = read_model(path)
    if model_file.preprocessing.encodes_values:
        warnings.warn(
            f"{os.fspath(path)} was trained by logitfit train on encoded columns (one-hot "
            "levels or --standardize): the LogisticRegression that load() returns takes the "
            "encoded features, not the data's columns. To predict from the data's columns, "
            f"use logitfit.load_pipeline({os.fspath(path)!r}).", UserWarning, stacklevel=2)
    return model_file.estimator
