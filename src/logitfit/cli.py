"""The ``logitfit`` command line: thin wrappers around the library, no maths of its own.

Commands: ``train``, ``predict``, ``evaluate``, ``summary``, ``gradcheck``, ``derive`` and
``demo``. Every mistake a user can make ends with exit code 2 and one line on stderr
(``logitfit: error: ...``) that names the fix; a failed check (``gradcheck``, ``derive``) ends
with exit code 1.
"""

from __future__ import annotations

import errno
import json
import math
import numbers
import os
import re
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass

import click
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._errors import count_of
from ._io import _PARQUET, Dataset, InputError

_CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
_REPORT_FILES = ("index.html", "convergence.png", "roc.png", "precision_recall.png",
                 "calibration.png", "coefficients.png")


class UserError(click.ClickException):
    """A mistake the user can fix: one line on stderr, exit code 2, no traceback."""

    exit_code = 2

    def show(self, file=None):
        click.echo(f"logitfit: error: {self.format_message()}", err=True, file=file)


class _Main(click.Group):
    """The command group, with one-line usage errors and no traceback for user mistakes."""

    def main(self, args=None, prog_name=None, **extra):
        # The library's warnings one line each, like the errors; others as Python shows them.
        previous = warnings.showwarning

        def show(message, category, filename, lineno, file=None, line=None):
            if issubclass(category, ConvergenceWarning) or category.__module__.startswith(
                    "logitfit"):
                _warn(_as_flags(str(message)))
            else:
                previous(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        try:
            code = super().main(args=args, prog_name=prog_name or "logitfit",
                                standalone_mode=False, **extra)
        except click.UsageError as error:
            where = error.ctx.command_path if error.ctx is not None else "logitfit"
            click.echo(f"logitfit: error: {error.format_message()} (see {where} --help)",
                       err=True)
            sys.exit(2)
        except click.ClickException as error:
            error.show()
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("logitfit: aborted", err=True)
            sys.exit(1)
        finally:
            warnings.showwarning = previous
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx):
        # Here, not in main: click turns EPIPE into exit code 1 before main could see it.
        try:
            return super().invoke(ctx)
        except OSError as error:
            if error.errno != errno.EPIPE:
                raise
        # The reader of our output went away (e.g. `| head`), which is not a failure. Output
        # still buffered would fail again when Python flushes it at exit: send it nowhere.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _warn(message: str) -> None:
    """One line on stderr per distinct warning of a command (in terms of its flags)."""
    text = " ".join(message.split())
    ctx = click.get_current_context(silent=True)
    shown = set() if ctx is None else ctx.find_root().meta.setdefault("logitfit.warned", set())
    if text not in shown:
        shown.add(text)
        click.echo(f"logitfit: warning: {text}", err=True)


def _user_error(error: BaseException) -> UserError:
    text = str(error).strip().splitlines()
    return UserError(text[0] if text else type(error).__name__)


@click.group(cls=_Main, context_settings=_CONTEXT)
@click.version_option(package_name="logitfit")
def main():
    """Binary logistic regression by exact, fused minimisation of the BCE loss.

    Train a model from a data file, predict with it, evaluate it, show its statistical
    summary, check the gradient on your data, or run the whole job on built-in data with
    `logitfit demo`. Data formats: CSV (.csv, .csv.gz, .csv.bz2, or - for standard input),
    TSV (.tsv, .tsv.gz), Parquet (.parquet, .pq), LibSVM (.svm, .libsvm, .svmlight), NumPy
    (.npy, .npz).
    """


# ---------------------------------------------------------------------- shared options
def _split_features(values: tuple[str, ...], present: list[str]) -> list[str] | None:
    """The --features values as column names: a value that is the name of a column of the data
    is taken whole (so that names with commas can be given), any other is split on commas."""
    known = set(present)
    names = []
    for value in values:
        if value in known:
            names.append(value)
        else:
            names.extend(name.strip() for name in value.split(",") if name.strip())
    if values and not names:
        # (an empty shell variable, say): not a request for every column
        raise UserError("--features names no column; give column names, or leave --features "
                        "out to use every column but the target.")
    return names or None


def _features_option(f):
    return click.option(
        "--features", multiple=True, metavar="COLS",
        help="Feature columns, comma-separated or repeated (default: every column except the "
             "target and the sample weights). A value that is exactly a column's name is taken "
             "whole: give a name with a comma as its own --features value.")(f)


class _NumberRange(click.FloatRange):
    """click's FloatRange of finite numbers: every comparison with NaN is false, so the range
    check alone would let ``--threshold nan`` through, and an open range lets ``--tol inf``."""

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number in the range "
                      f"{self._describe_range()}.", param, ctx)
        return number


def _seed_option(help_text: str):
    return click.option("--seed", default=0, show_default=True, type=click.IntRange(min=0),
                        help=help_text)


def _preprocessing_options(f):
    f = click.option("--standardize", is_flag=True,
                     help="Centre and scale the features with the training data's mean and "
                          "standard deviation (train stores them in the model; the dummies of "
                          "columns with many categories are scaled only).")(f)
    f = click.option("--impute", type=click.Choice(["mean", "median", "zero"]),
                     help="Fill missing values (empty cells, NaN): numeric columns with this "
                          "statistic of the training data (for LibSVM data, of every row, the "
                          "absent zeros included), text columns with the most frequent "
                          "category; without it missing values are an error.")(f)
    f = click.option("--sample-weight", "sample_weight", metavar="COL",
                     help="Column of non-negative sample weights.")(f)
    return f


def _estimator_options(f):
    for decorator in reversed([
        click.option("--penalty", default="l2", show_default=True,
                     type=click.Choice(["l2", "l1", "elasticnet", "none"], case_sensitive=False),
                     help="The penalty on the coefficients (none: unpenalised)."),
        click.option("--C", "C", default=1.0, show_default=True, type=float,
                     help="Inverse regularisation strength, scikit-learn's C (with l2 the "
                          "objective is Σ BCE + ‖w‖²/(2C))."),
        click.option("--l1-ratio", "l1_ratio", default=0.5, show_default=True, type=float,
                     help="Elastic-net mixing parameter."),
        click.option("--solver", default="auto", show_default=True,
                     help="auto, lbfgs, newton-cholesky, newton-cg, gd or agd; cd or prox "
                          "for --penalty l1 or elasticnet (they take l2 too)."),
        click.option("--tol", default=1e-6, show_default=True, type=float,
                     help="Stop when ‖∇f‖∞ / Σ weights ≤ tol."),
        click.option("--max-iter", "max_iter", type=click.IntRange(min=1),
                     help="Iteration budget (default: the solver's own)."),
        click.option("--class-weight", "class_weight", metavar="balanced|LABEL:W,...",
                     help="'balanced', or weights per class such as 'yes:3,no:1'."),
    ]):
        f = decorator(f)
    return f


def _output_options(f):
    f = click.option("--json", "as_json", is_flag=True,
                     help="Print machine-readable results (JSON) on stdout.")(f)
    f = click.option("--verbose", "-v", is_flag=True,
                     help="Log every solver iteration on stderr.")(f)
    f = click.option("--quiet", "-q", is_flag=True, help="No progress display.")(f)
    return f


# ---------------------------------------------------------------------- progress
class Progress:
    """Solver callback: a live display after about a second, or a log line per iteration.

    Parameters
    ----------
    mode : {"quiet", "auto", "verbose"}
        ``auto`` shows a rich progress display (iteration, objective, gradient norm, elapsed
        time) once the fit has run for ``delay`` seconds, so fast fits print nothing.
    stream : file, default=sys.stderr
    delay : float, default=1.0
    """

    def __init__(self, mode: str, stream=None, delay: float = 1.0):
        self.mode = mode
        self.stream = stream if stream is not None else sys.stderr
        self.delay = delay
        self.start = time.perf_counter()
        self._live = None
        self._task = None

    def __call__(self, info) -> None:
        if self.mode == "verbose":
            if info.iteration == 0:
                print(f"{'iter':>6} {'objective':>16} {'grad norm':>11} {'step':>10} "
                      f"{'time (s)':>9}", file=self.stream)
            print(f"{info.iteration:6d} {info.objective:16.9g} {info.grad_norm:11.3e} "
                  f"{info.step:10.3g} {info.time:9.3f}", file=self.stream, flush=True)
        elif self.mode == "auto":
            if self._live is None and time.perf_counter() - self.start >= self.delay:
                self._open()
            if self._live is not None:
                self._live.update(self._task, iteration=info.iteration,
                                  objective=info.objective, grad=info.grad_norm)

    def _open(self) -> None:
        from rich.console import Console
        from rich.progress import Progress as RichProgress
        from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

        self._live = RichProgress(
            SpinnerColumn(),
            TextColumn("fitting  iteration {task.fields[iteration]:>5}  "
                       "objective {task.fields[objective]:.9g}  "
                       "‖∇f‖∞/Σs {task.fields[grad]:.3e}"),
            TimeElapsedColumn(),
            console=Console(file=self.stream),
            transient=False,
        )
        self._live.start()
        self._task = self._live.add_task("fit", total=None, iteration=0, objective=math.nan,
                                         grad=math.nan)

    def close(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None


def _progress_mode(quiet: bool, verbose: bool) -> str:
    if quiet and verbose:
        raise UserError("--quiet and --verbose contradict each other; give one of them.")
    return "quiet" if quiet else "verbose" if verbose else "auto"


# ---------------------------------------------------------------------- the pipeline
@dataclass
class Trained:
    """A fitted model with everything the model file and the report need."""

    estimator: object
    preprocessing: object
    target: object
    names: list[str]
    n_samples: int
    summary: object | None
    summary_note: str | None


def _read(path: str, columns: list[str] | None = None, text_columns: list[str] = ()) -> Dataset:
    from ._io import read_data

    try:
        return read_data(path, columns, text_columns=text_columns)
    except InputError as error:
        raise _user_error(error) from None


def _read_features(path: str, features: tuple[str, ...], target: str,
                   sample_weight: str | None) -> tuple[Dataset, list[str] | None]:
    """Read DATA and resolve --features against its columns (reading, from a Parquet file,
    only the columns needed)."""
    from ._io import decode_text, parquet_column_names, source_name

    def needed(names):
        return None if names is None else [target, *names, *([sample_weight] * bool(sample_weight))]

    present = parquet_column_names(path) if features else None
    if present is None:
        # CSV text is decoded in the columns used only: bytes that are not UTF-8 in another
        # column must not stop the command.
        dataset = _read(path, [] if features else None)
        names = _split_features(features, dataset.column_names)
        if dataset.table is not None and names is not None:
            try:
                decode_text(dataset, needed(names), source_name(path))
            except InputError as error:
                raise _user_error(error) from None
        return dataset, names
    names = _split_features(features, present)
    return _read(path, needed(names)), names


def _text_columns(model_file, target: str | None = None) -> list[str]:
    """Columns to read from CSV as text: the model's categorical features and, for a model
    with text labels, the target, so that values such as 01 keep the spelling they were
    trained with."""
    names = [c.name for c in model_file.preprocessing.columns if c.kind == "categorical"]
    if target is not None and all(isinstance(c, str) for c in model_file.target.classes):
        names.append(target)
    return names


def _class_weight(value: str | None, classes: list):
    if value is None or value == "balanced":
        return value
    weights = {}
    for item in value.split(","):
        label, sep, weight = item.rpartition(":")
        if not sep:
            raise UserError(f"--class-weight {value!r} is not 'balanced' or LABEL:WEIGHT pairs; "
                            "write e.g. --class-weight yes:3,no:1.")
        matches = [c for c in classes if str(c) == label.strip()]
        if not matches and all(isinstance(c, bool) for c in classes):
            # Boolean labels as a CSV writes them (true, FALSE).
            matches = [c for c in classes if str(c).lower() == label.strip().lower()]
        if not matches and all(isinstance(c, numbers.Real) for c in classes):
            # Numeric labels in another spelling (1.0 for the class 1).
            try:
                matches = [c for c in classes if float(c) == float(label)]
            except ValueError:
                matches = []
        if not matches:
            raise UserError(f"--class-weight names the label {label.strip()!r}, which is not "
                            f"one of the classes {classes}; use those labels.")
        if matches[0] in weights:
            raise UserError(f"--class-weight gives the label {label.strip()!r} twice; give "
                            "each label once, e.g. --class-weight yes:3,no:1.")
        try:
            weights[matches[0]] = float(weight)
        except ValueError:
            raise UserError(f"--class-weight weight {weight!r} is not a number; write e.g. "
                            "--class-weight yes:3,no:1.") from None
    return weights


def _feature_columns(columns: list[str], features: list[str] | None, target: str,
                     sample_weight: str | None) -> list[str]:
    """The feature columns: ``features``, or every column but the target and the weights."""
    if features is None:
        chosen = [c for c in columns if c not in (target, sample_weight)]
        if "" in chosen:
            raise InputError(
                f"column {columns.index('') + 1} of the data has no name (a row index, as "
                "pandas' to_csv writes one?); name it in the header, or choose the features "
                "with --features.")
        return chosen
    for role, column in (("target", target), ("sample weight column", sample_weight)):
        if column is not None and column in features:
            raise InputError(f"the {role} {column!r} is also listed in --features; leave it out "
                             "of --features.")
    return features


def _sample_weights(data: Dataset, column: str | None) -> np.ndarray | None:
    from ._preprocess import _as_float, _kind, _missing_mask

    if column is None:
        return None
    if data.table is None:
        raise UserError("--sample-weight needs column data; LibSVM files have no weight column.")
    try:
        data.require_columns([column])
    except InputError as error:
        raise _user_error(error) from None
    values = data.table.column(column)
    if _kind(values.type) != "numeric" or _missing_mask(values).any():
        raise UserError(f"the sample weight column {column!r} must hold numbers without missing "
                        "values; fix the column or drop --sample-weight.")
    weights = _as_float(values, column)
    if not np.all((weights >= 0) & np.isfinite(weights)):
        raise UserError(f"the sample weight column {column!r} has negative or infinite values; "
                        "weights must be finite and non-negative.")
    if not np.any(weights > 0):
        raise UserError(f"the sample weight column {column!r} is zero on every row, which "
                        "leaves nothing to fit or score; give rows weight, or drop "
                        "--sample-weight.")
    return weights


def _fit(data: Dataset, *, target: str, features: list[str] | None, sample_weight: str | None,
         impute: str | None, standardize: bool, estimator_params: dict, class_weight: str | None,
         progress: Progress, rows: np.ndarray | None = None) -> tuple[Trained, np.ndarray]:
    """Encode ``data`` (its ``rows`` when given), fit, and compute the summary.

    Returns the trained model and the encoded design matrix.
    """
    from ._estimator import LogisticRegression
    from ._evaluation import expand_soft_labels
    from ._preprocess import Preprocessor, infer_target

    try:
        target_spec = infer_target(data.column(target), target)
        y = target_spec.encode(data.column(target))
        features = _feature_columns(data.column_names, features, target, sample_weight)
        weights = _sample_weights(data, sample_weight)
        preprocessing, X = Preprocessor.fit_transform(data, features, impute=impute,
                                                      standardize=standardize)
    except InputError as error:
        raise _user_error(error) from None
    if rows is not None:
        X, y = X[rows], y[rows]
        weights = None if weights is None else weights[rows]
    X_fit, y_fit, w_fit = X, y, weights
    if target_spec.kind == "probability":
        X_fit, y_fit, w_fit = expand_soft_labels(X, y, weights)
    else:
        # The user's labels, so that the model's classes and class weights are theirs.
        y_fit = np.asarray(target_spec.classes)[y.astype(np.intp)]
    params = dict(estimator_params)
    params["class_weight"] = _class_weight(class_weight, target_spec.classes)
    if params.get("penalty") == "none":
        params["penalty"] = None
    model = LogisticRegression(**params)
    names = preprocessing.feature_names
    # Words of the user's that the estimator's messages may quote, kept as they are.
    quoted = [*names, *map(str, target_spec.classes or ())]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            # Unnamed: the model takes the encoded design matrix, whose columns are not the
            # user's, so it is stored unnamed (as Python callers who pass arrays get it).
            model.fit(X_fit, y_fit, sample_weight=w_fit, callback=progress)
        except ValueError as error:
            raise UserError(_in_user_terms(_user_error(error).message, names, quoted)) from None
        finally:
            progress.close()
        summary, note = _compute_summary(model, names, target, quoted,
                                         standardized=standardize,
                                         probabilities=target_spec.kind == "probability")
    for message in dict.fromkeys(str(w.message) for w in caught):
        if standardize:  # advice already taken
            message = message.replace(
                " standardise the features (sklearn.preprocessing.StandardScaler),", "")
        _warn(_in_user_terms(message, names, quoted))  # e.g. what to do next
    return Trained(model, preprocessing, target_spec, names, int(X.shape[0]), summary, note), X


def _in_user_terms(message: str, names: list[str], quoted: list[str]) -> str:
    """The estimator's ``message`` with x<j> (its name for the j-th column of an unnamed X)
    as the j-th feature name, and its parameters as this command's flags."""
    def nth(match: re.Match) -> str:
        j = int(match.group(1))
        return names[j] if j < len(names) else match.group(0)

    return _as_flags(re.sub(r"\bx(\d+)\b", nth, message), quoted)


# The estimator's messages speak its Python parameters (max_iter=100, penalty='l2'); the
# command's user sets flags. A parameter followed by "=" becomes "--flag ", a bare one
# "--flag"; "penalty" and "solver" are also plain words ("a penalty"), so only "=" marks them.
_PARAMETER = re.compile(r"(?<![\w.-])(?:(solver|penalty|class_weight|max_iter|l1_ratio|tol|C)="
                        r"|(max_iter|l1_ratio|tol|C|class_weight|sample_weight)\b)")
_PYTHON_SPELLINGS = [
    (re.compile(r"(?<![\w.-])max_iter=(\d+) iterations"), r"\1 iterations (--max-iter)"),
    (re.compile(r"sklearn\.preprocessing\.StandardScaler"), "--standardize"),
    (re.compile(r"\bnp\.inf\b"), "inf"),
    (re.compile(r"(?<![\w.-])penalty=None\b"), "--penalty none"),
]


def _as_flags(message: str, quoted: list[str] = ()) -> str:
    """``message`` with the estimator's parameters spelled as this command's flags, and the
    user's words in ``quoted`` (feature names, class labels) as they are: a feature
    "grade=C" or a class "C" is not a parameter. A quoted word is kept only where it stands
    alone, so a feature named "tol" does not shield the parameter in "tol=1e-06"."""
    def flag(match: re.Match) -> str:
        name = match.group(1) or match.group(2)
        return "--" + name.replace("_", "-") + (" " if match.group(1) else "")

    patterns = [_PARAMETER, *(python for python, _ in _PYTHON_SPELLINGS)]
    kept = sorted((word for word in quoted if any(p.search(word) for p in patterns)), key=len,
                  reverse=True)
    for k, word in enumerate(kept):
        message = re.sub(rf"(?<![\w=]){re.escape(word)}(?![\w=])", f"\0{k}\0", message)
    for python, command in _PYTHON_SPELLINGS:
        message = python.sub(command, message)
    message = _PARAMETER.sub(flag, message)
    for k, word in enumerate(kept):
        message = message.replace(f"\0{k}\0", word)
    return message


def _compute_summary(model, names: list[str], target: str, quoted: list[str], *,
                     standardized: bool, probabilities: bool):
    """The inference summary when the estimator provides one and it is defined for the fit,
    its notes in this command's terms."""
    if not hasattr(model, "summary"):
        return None, "this version of logitfit has no statistical summary"
    # The summary labels terms by feature_names_in_, which a sparse fit (passed unnamed) lacks.
    had_names = hasattr(model, "feature_names_in_")
    model.feature_names_in_ = np.asarray(names, dtype=object)
    try:
        summary = model.summary(yname=target)
    except (ValueError, NotImplementedError, np.linalg.LinAlgError) as error:
        return None, str(error).strip().splitlines()[0]
    finally:
        if not had_names:
            del model.feature_names_in_
    summary.notes = [_as_flags(note, quoted) for note in summary.notes]
    if probabilities:
        summary.notes.append(
            f"The target {target!r} holds probabilities: each row counts as a 0/1 outcome "
            "with that probability (the Bernoulli quasi-likelihood, as statsmodels' GLM with "
            "a Binomial family fits fractional responses). The standard errors assume "
            "Bernoulli variance, right when the probabilities are shares of 0/1 outcomes; "
            "for other fractional responses they can be off.")
    if standardized:
        summary.notes.append(
            "The features were standardised (--standardize): each coefficient, odds ratio and "
            "marginal effect is per standard deviation of its feature, and the intercept is "
            "at the features' means (see the model file's preprocessing). Train without "
            "--standardize for effects per unit of each feature.")
    return summary, None


def _summary_dict(summary) -> dict | None:
    return None if summary is None else summary.to_dict()


def _save(trained: Trained, path: str, force: bool) -> None:
    from ._model_format import model_document, summary_covariance, write_model

    document = model_document(
        trained.estimator, preprocessing=trained.preprocessing, target=trained.target,
        covariance=summary_covariance(trained.summary, trained.names,
                                      trained.estimator.fit_intercept),
        summary=_summary_dict(trained.summary),
        n_samples=trained.n_samples,
    )
    try:
        write_model(document, path, force=force)
    except FileExistsError:
        raise UserError(f"{path} already exists; choose another --out, or pass --force to "
                        "replace it.") from None
    except OSError as error:
        raise UserError(f"cannot write {path}: {error.strerror}; check the directory.") from None


_DEMO_GENERATOR = "logitfit demo"


def _written_by_demo(directory: str) -> bool:
    try:
        with open(os.path.join(directory, "index.html"), encoding="utf-8") as handle:
            return f'<meta name="generator" content="{_DEMO_GENERATOR}">' in handle.read(4096)
    except (OSError, UnicodeDecodeError):
        return False


def _check_report_dir(directory: str | None, force: bool, replace_demo: bool = False) -> None:
    """Refuse to write over report files unless ``force`` (or, for the demo, its own report)."""
    if directory is None:
        return
    if os.path.exists(directory) and not os.path.isdir(directory):
        raise UserError(f"--report {directory} is a file; give a directory.")
    _probe_directory(directory)
    taken = [name for name in _REPORT_FILES if os.path.exists(os.path.join(directory, name))]
    if replace_demo and _written_by_demo(directory):
        return
    if taken and not force:
        raise UserError(f"{os.path.join(directory, taken[0])} already exists; choose another "
                        "--report directory, or pass --force to replace the report.")


def _probe_directory(directory: str) -> None:
    """Fail now rather than after the fit if the report directory cannot be created or written:
    create what is missing and a temporary file in it, then remove them again."""
    path, created = os.path.abspath(directory), []
    while not os.path.exists(path):
        created.append(path)
        path = os.path.dirname(path)
    if not os.path.isdir(path):
        raise UserError(f"--report {directory} cannot be created: {path} is a file; choose "
                        "another directory.")
    try:
        for missing in reversed(created):
            os.mkdir(missing)
        tempfile.TemporaryFile(dir=directory).close()
    except OSError as error:
        raise UserError(f"--report {directory} cannot be created or written "
                        f"({error.strerror}); choose another directory.") from None
    finally:
        for made in created:  # the deepest first
            try:
                os.rmdir(made)
            except OSError:
                pass  # not made (the mkdir above failed first)


def _check_out(path: str | None, force: bool) -> None:
    if path is None:
        return
    if os.path.isdir(path):
        raise UserError(f"cannot write {path}: it is a directory; give a file name to --out.")
    if os.path.exists(path) and not force:
        raise UserError(f"{path} already exists; choose another --out, or pass --force to "
                        "replace it.")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise UserError(f"cannot write {path}: the directory {os.path.dirname(path)} does not "
                        "exist; create it, or choose another --out.")


def _coefficients_for_plot(estimator, names: list[str], summary):
    """Coefficients, with the summary's confidence intervals when it has them."""
    from ._model_format import storage_positions
    from ._report import Coefficients

    values = np.asarray(estimator.coef_, dtype=np.float64).ravel()
    coefs = Coefficients(list(names), values)
    conf_int = getattr(summary, "conf_int", None) if summary is not None else None
    positions = None if conf_int is None else storage_positions(summary, names,
                                                                estimator.fit_intercept)
    if positions is not None:
        bounds = np.asarray(conf_int, dtype=np.float64)[positions[:len(names)]]
        coefs.lower, coefs.upper = bounds[:, 0], bounds[:, 1]
        coefs.level = 1.0 - float(summary.alpha)
    return coefs


def _predict_proba(model_file, data: Dataset) -> np.ndarray:
    try:
        X = model_file.preprocessing.transform(data)
    except InputError as error:
        raise _user_error(error) from None
    with warnings.catch_warnings():
        # A model fitted in Python on named columns: the preprocessing has already put the
        # columns in its order, so scikit-learn's check of the (absent) names adds nothing.
        warnings.filterwarnings("ignore", message="X does not have valid feature names",
                                category=UserWarning)
        return model_file.estimator.predict_proba(X)[:, 1]


def _load_model(path: str):
    from ._model_format import read_model

    try:
        return read_model(path)
    except InputError as error:
        raise _user_error(error) from None


def _weighted_by(sample_weight: str | None) -> str:
    """What a report or summary line adds when --sample-weight weights its metrics."""
    return "" if sample_weight is None else f", metrics weighted by {sample_weight!r}"


def _evaluate(model_file, data: Dataset, target: str, threshold: float,
              sample_weight: str | None = None):
    """Probabilities, 0/1 labels (soft labels expanded), weights and metrics on ``data``,
    weighted by the column ``sample_weight`` if given."""
    from ._evaluation import classification_metrics, expand_soft_labels

    try:
        y = model_file.target.encode(data.column(target), target)
    except InputError as error:
        raise _user_error(error) from None
    proba = _predict_proba(model_file, data)
    weights = _sample_weights(data, sample_weight)
    if model_file.target.kind == "probability":
        proba, y, weights = expand_soft_labels(proba, y, weights)
    metrics = classification_metrics(y, proba, weights, threshold=threshold)
    metrics["n_samples"] = int(data.n_rows)
    return y, proba, weights, metrics


def _print_metrics(metrics: dict, classes: list, title: str) -> None:
    from ._report import format_count as _count
    from ._report import metric_rows

    click.echo(title)
    for label, value in metric_rows(metrics):
        click.echo(f"  {label:<26} {value}")
    cm = metrics["confusion_matrix"]
    a, b = (str(c) for c in classes)
    width = max(len(a), len(b), 6) + 10
    click.echo(f"  confusion matrix (threshold {metrics['threshold']:g}; rows actual, "
               "columns predicted)")
    click.echo(f"  {'':<{width}}{a:>12}{b:>12}")
    for k, label in enumerate((a, b)):
        click.echo(f"  {'actual ' + label:<{width}}{_count(cm[k][0]):>12}{_count(cm[k][1]):>12}")


def _facts(model_file_or_trained, extra: list[tuple[str, str]]) -> list[tuple[str, str]]:
    estimator = model_file_or_trained.estimator
    state = "converged" if estimator.converged_ else "NOT converged"
    return [
        *extra,
        ("solver", f"{estimator.solver_} ({state} after "
                   f"{count_of(int(estimator.n_iter_[0]), 'iteration')})"),
        ("penalty", f"{estimator.penalty}, C={estimator.C:g}"),
        ("classes", f"{estimator.classes_[0]} / {estimator.classes_[1]} (positive)"),
    ]


def _write_report(directory: str, *, title: str, facts, estimator, names, summary, summary_dict,
                  y=None, proba=None, weights=None, metrics=None,
                  generator: str = "logitfit", after: str = "", model: str = "the model") -> str:
    """Write the report; ``after`` (e.g. ", after writing the model to m.json") tells the user
    what was done before a failure; ``model`` names the file ``summary_dict`` was read from."""
    from ._report import write_report

    summary_obj = summary if summary is not None else _summary_from_dict(summary_dict, model)
    try:
        return write_report(
            directory, title=title, facts=facts, history=getattr(estimator, "history_", None),
            y=y, proba=proba, sample_weight=weights, metrics=metrics,
            classes=[*estimator.classes_],
            coefficients=_coefficients_for_plot(estimator, names, summary_obj),
            summary_text=None if summary_obj is None else str(summary_obj), generator=generator,
        )
    except OSError as error:
        raise UserError(f"cannot write the report into {directory} ({error.strerror or error})"
                        f"{after}; check the directory.") from None


def _summary_from_dict(d: dict | None, model: str):
    """The summary stored in ``model`` (its file name, for the error), or None."""
    if d is None:
        return None
    import logitfit

    if not hasattr(logitfit, "Summary"):
        return None
    try:
        return logitfit.Summary.from_dict(d)
    except (ValueError, TypeError, KeyError) as error:
        raise UserError(f"the summary stored in {model} cannot be read ({error}); train the "
                        "model again.") from None


def _dump_json(value) -> None:
    from ._model_format import _plain

    click.echo(json.dumps(_plain(value), indent=2, allow_nan=False))


# ---------------------------------------------------------------------- train
@main.command(context_settings=_CONTEXT)
@click.argument("data", metavar="DATA")
@click.option("--target", required=True, metavar="COL",
              help="The target column: two distinct values, or probabilities in [0, 1].")
@_features_option
@_preprocessing_options
@_estimator_options
@click.option("--out", required=True, metavar="MODEL.json", help="Where to write the model.")
@click.option("--report", metavar="DIR", help="Write plots and index.html into DIR.")
@click.option("--force", is_flag=True, help="Replace an existing model file or report.")
@_output_options
def train(data, target, features, sample_weight, impute, standardize, penalty, C, l1_ratio,
          solver, tol, max_iter, class_weight, out, report, force, quiet, verbose, as_json):
    """Fit a model on DATA and write it to --out as JSON.

    \b
    Example:
      logitfit train data.csv --target churned --standardize --out model.json --report rep/
    """
    mode = _progress_mode(quiet, verbose)
    _check_out(out, force)
    _check_report_dir(report, force)
    dataset, names = _read_features(data, features, target, sample_weight)
    trained, X = _fit(
        dataset, target=target, features=names, sample_weight=sample_weight, impute=impute,
        standardize=standardize,
        estimator_params=dict(penalty=penalty, C=C, l1_ratio=l1_ratio, solver=solver, tol=tol,
                              max_iter=max_iter),
        class_weight=class_weight, progress=Progress(mode),
    )
    _save(trained, out, force)
    model = trained.estimator
    history = model.history_
    result = {
        "model": out,
        "n_samples": trained.n_samples,
        "n_features": len(trained.names),
        "target": trained.target.to_dict(),
        "solver": model.solver_,
        "n_iter": int(model.n_iter_[0]),
        "converged": model.converged_,
        "objective": float(history["objective"][-1]),
        "grad_norm": float(history["grad_norm"][-1]),
        "intercept": float(model.intercept_[0]),
        "coef": dict(zip(trained.names, model.coef_.ravel().tolist(), strict=True)),
        "summary": _summary_dict(trained.summary),
    }
    if report is not None:
        from ._model_format import read_model

        model_file = read_model(out)
        # Weighted as the fit was: a weight of 3 counts a row three times here too.
        y, proba, weights, metrics = _evaluate(model_file, dataset, target, 0.5, sample_weight)
        result["report"] = _write_report(
            report, title=f"logitfit model {os.path.basename(out)} (training data)",
            facts=_facts(trained, [("data", f"{data}: {count_of(trained.n_samples, 'row')}, "
                                            f"{count_of(len(trained.names), 'feature')}"
                                            f"{_weighted_by(sample_weight)}")]),
            estimator=model, names=trained.names, summary=trained.summary, summary_dict=None,
            y=y, proba=proba, weights=weights, metrics=metrics,
            after=f", after writing the model to {out}")
        result["training_metrics"] = metrics
    if as_json:
        _dump_json(result)
        return
    state = "converged" if model.converged_ else "did NOT converge"
    click.echo(f"trained on {count_of(trained.n_samples, 'row')}, "
               f"{count_of(len(trained.names), 'feature')}; "
               f"{model.solver_} {state} after {count_of(result['n_iter'], 'iteration')} "
               f"(objective {result['objective']:.9g}, ‖∇f‖∞/Σs {result['grad_norm']:.2e})")
    click.echo(f"model written to {out}")
    if trained.summary is None:
        click.echo(f"no summary stored: {trained.summary_note}")
    if report is not None:
        click.echo(f"report written to {result['report']}")


# ---------------------------------------------------------------------- predict
@main.command(context_settings=_CONTEXT)
@click.argument("model", metavar="MODEL")
@click.argument("data", metavar="DATA")
@click.option("--proba", is_flag=True,
              help="Write P(positive class) instead of the predicted label.")
@click.option("--threshold", default=0.5, show_default=True,
              type=_NumberRange(0, 1, min_open=True, max_open=True),
              help="Predict the positive class when its probability exceeds this.")
@click.option("--out", metavar="FILE", help="Write here, as CSV or Parquet by its extension "
              "(.csv; .parquet or .pq); default: CSV on standard output.")
@click.option("--force", is_flag=True, help="Replace an existing --out file.")
def predict(model, data, proba, threshold, out, force):
    """Predict labels (or probabilities) for DATA with MODEL, as CSV or Parquet."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from pyarrow import csv

    write = csv.write_csv
    if out is not None:
        if out.lower().endswith(_PARQUET):  # the extensions read_data takes for Parquet
            write = pq.write_table
        elif not out.lower().endswith(".csv"):
            raise UserError(f"cannot tell which format to write {out} in from its extension; "
                            "end it in .csv, or .parquet for Parquet.")
    _check_out(out, force)
    model_file = _load_model(model)
    p = _predict_proba(model_file, _read(data, model_file.preprocessing.input_names,
                                         _text_columns(model_file)))
    classes = model_file.target.classes
    if proba:
        table = pa.table({f"probability_{classes[1]}": p})
    else:
        labels = np.asarray(classes, dtype=object)[(p > threshold).astype(np.intp)]
        table = pa.table({"prediction": pa.array(labels.tolist())})
    if out is None:
        csv.write_csv(table, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return
    try:
        with open(out, "wb" if force else "xb") as handle:
            write(table, handle)
    except FileExistsError:
        raise UserError(f"{out} already exists; choose another --out, or pass --force to "
                        "replace it.") from None
    except OSError as error:
        raise UserError(f"cannot write {out}: {error.strerror}; check the directory.") from None
    click.echo(f"{table.num_rows} predictions written to {out}", err=True)


# ---------------------------------------------------------------------- evaluate
@main.command(context_settings=_CONTEXT)
@click.argument("model", metavar="MODEL")
@click.argument("data", metavar="DATA")
@click.option("--target", required=True, metavar="COL", help="The column of observed labels.")
@click.option("--threshold", default=0.5, show_default=True,
              type=_NumberRange(0, 1, min_open=True, max_open=True),
              help="Threshold for accuracy, precision, recall, F1 and the confusion matrix.")
@click.option("--report", metavar="DIR", help="Write plots and index.html into DIR.")
@click.option("--force", is_flag=True, help="Replace an existing report.")
@click.option("--sample-weight", "sample_weight", metavar="COL",
              help="Column of non-negative sample weights for the metrics.")
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
def evaluate(model, data, target, threshold, report, force, sample_weight, as_json):
    """Score MODEL on labelled DATA.

    Log loss, accuracy, precision, recall, F1, ROC AUC, PR AUC (average precision), Brier
    score, expected calibration error (10 bins) and the confusion matrix, weighted by
    --sample-weight if given. For probability targets the metrics are their expectations
    over labels drawn with those probabilities.
    """
    _check_report_dir(report, force)
    model_file = _load_model(model)
    weight_column = [] if sample_weight is None else [sample_weight]
    dataset = _read(data, [target, *model_file.preprocessing.input_names, *weight_column],
                    _text_columns(model_file, target))
    y, proba, weights, metrics = _evaluate(model_file, dataset, target, threshold, sample_weight)
    rows = count_of(dataset.n_rows, "row") + _weighted_by(sample_weight)
    if sample_weight is not None:
        metrics["sample_weight"] = sample_weight
    if report is not None:
        metrics["report"] = _write_report(
            report, title=f"logitfit model {os.path.basename(model)} on {os.path.basename(data)}",
            facts=_facts(model_file, [("data", f"{data}: {rows}")]),
            estimator=model_file.estimator, names=model_file.feature_names, summary=None,
            summary_dict=model_file.summary, y=y, proba=proba, weights=weights, metrics=metrics,
            model=model)
    if as_json:
        _dump_json(metrics)
        return
    _print_metrics(metrics, model_file.target.classes,
                   f"{os.path.basename(model)} on {data} ({rows})")
    if report is not None:
        click.echo(f"report written to {metrics['report']}")


# ---------------------------------------------------------------------- summary
@main.command(context_settings=_CONTEXT)
@click.argument("model", metavar="MODEL")
@click.option("--json", "as_json", is_flag=True, help="Print the stored summary as JSON.")
def summary(model, as_json):
    """Print the inference table stored in MODEL at training time."""
    model_file = _load_model(model)
    if model_file.summary is None:
        raise UserError(f"{model} has no stored summary; train it with logitfit train, or "
                        "save it with model.save(path, summary=True), to store one.")
    if as_json:
        _dump_json(model_file.summary)
        return
    table = _summary_from_dict(model_file.summary, model)
    if table is None:
        raise UserError("this logitfit cannot show summaries; upgrade logitfit.")
    click.echo(str(table))


# ---------------------------------------------------------------------- gradcheck
@main.command(context_settings=_CONTEXT)
@click.argument("data", metavar="DATA")
@click.option("--target", required=True, metavar="COL",
              help="The target column: two distinct values, or probabilities in [0, 1].")
@_features_option
@_preprocessing_options
@click.option("--C", "C", default=1.0, show_default=True, type=float,
              help="Inverse L2 strength of the objective checked ('inf' for none).")
@click.option("--at", "at", type=click.Choice(["random", "zero"]), default="random",
              show_default=True,
              help="Where to check: random coefficients giving logits of unit scale, or zero.")
@_seed_option("Seed of the random point.")
@click.option("--coords", type=click.IntRange(min=1),
              help="Check this many coordinates chosen at random (default: all).")
@click.option("--tol", default=1e-6, show_default=True,
              type=_NumberRange(0, min_open=True), help="Largest relative error that passes.")
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
@click.pass_context
def gradcheck(ctx, data, target, features, sample_weight, impute, standardize, C, at, seed,
              coords, tol, as_json):
    """Check the analytic gradient against finite differences on DATA.

    Builds the objective f(θ) = Σ sᵢ BCEᵢ + ‖w‖²/(2C) of DATA, evaluates the gradient (ŷ - y)x
    (eq. (12) of the derivation that logitfit derive verifies) at a point, and compares each
    coordinate with the central difference of f. Exit code 1 when the worst relative error
    exceeds --tol.
    """
    from ._gradcheck import check_gradient, random_point, typical_coefficients
    from ._objective import BCEObjective
    from ._preprocess import Preprocessor, infer_target

    if not C > 0:
        raise UserError(f"--C must be positive, got {C:g}.")
    dataset, names = _read_features(data, features, target, sample_weight)
    try:
        target_spec = infer_target(dataset.column(target), target)
        y = target_spec.encode(dataset.column(target))
        names = _feature_columns(dataset.column_names, names or None, target, sample_weight)
        weights = _sample_weights(dataset, sample_weight)
        pre, X = Preprocessor.fit_transform(dataset, names, impute=impute,
                                            standardize=standardize)
    except InputError as error:
        raise _user_error(error) from None
    # Soft labels go into the objective as they are: the BCE is defined for y in [0, 1].
    objective = BCEObjective(X, y, weights, C=C, fit_intercept=True)
    rng = np.random.default_rng(seed)
    coef = random_point(X, rng) if at == "random" else np.zeros(objective.n_coef)
    chosen = None
    if coords is not None and coords < objective.n_coef:
        chosen = np.sort(rng.choice(objective.n_coef, size=coords, replace=False))
    result = check_gradient(objective, coef, [*pre.feature_names, "(intercept)"], chosen,
                            typical_coefficients(X))
    passed = result.max_relative_error <= tol
    if as_json:
        _dump_json({**result.to_dict(), "tol": tol, "passed": passed, "at": at,
                    "n_samples": int(X.shape[0])})
    else:
        width = max(12, *(len(n) for n in result.names)) + 2
        click.echo(f"gradient check on {data}: {X.shape[0]} rows, {objective.n_coef} "
                   f"coordinates, at {'a random point' if at == 'random' else 'zero'} (C={C:g})")
        click.echo(f"{'coordinate':<{width}}{'analytic':>16}{'finite diff.':>16}"
                   f"{'rel. error':>12}")
        for name, a, f, r in zip(result.names, result.analytic, result.numeric,
                                 result.relative_error, strict=True):
            click.echo(f"{name:<{width}}{a:16.8g}{f:16.8g}{r:12.2e}")
        worst = result.worst
        click.echo(f"worst relative error: {result.max_relative_error:.2e} at "
                   f"{result.names[worst]} ({'PASS' if passed else 'FAIL'}, tol {tol:g})")
    if not passed:
        ctx.exit(1)


# ---------------------------------------------------------------------- derive
@main.command(context_settings=_CONTEXT)
@_seed_option("Seed of the random points of the numeric checks.")
@click.option("--points", default=5, show_default=True, type=click.IntRange(min=1),
              help="Random points per step.")
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
@click.pass_context
def derive(ctx, seed, points, as_json):
    """Walk through the derivation of the BCE gradient, verifying every step.

    Equations (1) to (12): the loss, the sigmoid, the logit, the chain rule, the three
    factors (the sigmoid's derivative in steps (6)-(10)) and the gradient (ŷ - y)x. Each is
    checked symbolically with SymPy and numerically at random points, and, where logitfit
    implements it, against logitfit's own function. Exit code 1 if any check fails.
    """
    from ._derive import derive as run

    results = run(seed=seed, n_points=points)
    ok = all(r.ok for r in results)
    if as_json:
        _dump_json({"steps": [r.to_dict() for r in results], "ok": ok})
    else:
        for r in results:
            mark = "ok" if r.ok else "FAILED"
            click.echo(f"({r.number}) {r.title}  [{mark}]")
            click.echo(f"     {r.equation}")
            click.echo(click.wrap_text(r.text, width=96, initial_indent="     ",
                                       subsequent_indent="     "))
            line = (f"     SymPy: {'identity' if r.symbolic else 'NOT an identity'}; "
                    f"{points} random points: max rel. diff. {r.numeric_error:.1e}")
            if r.implementation is not None:
                line += f"; {r.implementation}: {r.implementation_error:.1e}"
            click.echo(line)
        click.echo(f"{sum(r.ok for r in results)} of {len(results)} steps verified.")
    if not ok:
        ctx.exit(1)


# ---------------------------------------------------------------------- demo
@main.command(context_settings=_CONTEXT)
@click.option("--solver", default="auto", show_default=True,
              help="auto, lbfgs, newton-cholesky, newton-cg, gd, agd, cd or prox.")
@click.option("--C", "C", default=1.0, show_default=True, type=float,
              help="Inverse L2 regularisation strength.")
@_seed_option("Train/test split seed.")
@click.option("--report", default="logitfit-demo-report", show_default=True, metavar="DIR",
              help="Where to write the report; one an earlier demo wrote is replaced, any "
              "other existing directory only with --force.")
@click.option("--no-report", is_flag=True, help="Skip the report.")
@click.option("--out", metavar="MODEL.json", help="Also write the model here.")
@click.option("--force", is_flag=True, help="Replace an existing report or model file.")
@click.option("--quiet", "-q", is_flag=True, help="Do not print the solver's iterations.")
def demo(solver, C, seed, report, no_report, out, force, quiet):
    """Train, evaluate, summarise and report on the built-in breast-cancer data.

    The data ships with scikit-learn (569 tumours, 30 features): nothing is downloaded. A
    stratified quarter is held out for testing; features are standardised with the training
    statistics.
    """
    import pyarrow as pa
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    from ._evaluation import classification_metrics
    from .solvers import SOLVERS

    if solver != "auto" and solver not in SOLVERS:
        raise UserError(f"unknown solver {solver!r}; choose auto or one of {', '.join(SOLVERS)}.")
    if not C > 0:
        raise UserError(f"--C must be positive, got {C}.")
    report = None if no_report else report
    # Running the demo again replaces the report it wrote before, and nothing else.
    _check_report_dir(report, force, replace_demo=True)
    _check_out(out, force)
    bunch = load_breast_cancer()
    columns = {name: bunch.data[:, j] for j, name in enumerate(bunch.feature_names)}
    columns["diagnosis"] = bunch.target_names[bunch.target]
    dataset = Dataset(table=pa.table(columns))
    train_rows, test_rows = train_test_split(
        np.arange(bunch.data.shape[0]), test_size=0.25, stratify=bunch.target, random_state=seed)
    train_part = Dataset(table=dataset.table.take(train_rows))
    test_part = Dataset(table=dataset.table.take(test_rows))
    click.echo(f"breast cancer: {train_rows.size} training and {test_rows.size} test samples, "
               f"{bunch.data.shape[1]} standardised features; C={C:g}")
    trained, _ = _fit(
        train_part, target="diagnosis", features=None, sample_weight=None, impute=None,
        standardize=True, estimator_params=dict(C=C, solver=solver),
        class_weight=None, progress=Progress("quiet" if quiet else "verbose", sys.stdout),
    )
    model = trained.estimator
    X_test = trained.preprocessing.transform(test_part)
    y_test = trained.target.encode(test_part.column("diagnosis"))
    proba = model.predict_proba(X_test)[:, 1]
    metrics = classification_metrics(y_test, proba)
    iterations = count_of(int(model.n_iter_[0]), "iteration")
    click.echo(f"converged: {model.converged_} after {iterations} ({model.solver_})")
    click.echo(f"test accuracy: {metrics['accuracy']:.4f}")
    click.echo(f"test log loss: {metrics['log_loss']:.4f}")
    click.echo(f"test ROC AUC:  {metrics['roc_auc']:.4f}")
    click.echo("")
    _print_metrics(metrics, trained.target.classes,
                   f"test metrics ({test_rows.size} held-out tumours, positive class "
                   f"'{trained.target.classes[1]}')")
    click.echo("")
    if trained.summary is not None:
        click.echo(str(trained.summary))
    else:
        click.echo(f"no summary: {trained.summary_note}")
    if out is not None:
        _save(trained, out, force)
        click.echo(f"model written to {out}")
    if report is not None:
        index = _write_report(
            report, title="logitfit demo: breast cancer (held-out test data)",
            facts=_facts(trained, [("data", f"scikit-learn breast cancer: {train_rows.size} "
                                            f"training, {test_rows.size} test rows, "
                                            f"{len(trained.names)} standardised features")]),
            estimator=model, names=trained.names, summary=trained.summary, summary_dict=None,
            y=y_test, proba=proba, metrics=metrics, generator=_DEMO_GENERATOR)
        click.echo(f"report written to {index}")


if __name__ == "__main__":  # pragma: no cover
    main()
