"""Turning data columns into the model's design matrix, the same way at training and later.

Each feature column is encoded by its type:

- numbers (integers, floats, decimals): as they are;
- booleans: 1.0 for true, 0.0 for false;
- strings (and dictionary columns): one-hot with the first category (in sorted order) as the
  reference level, which is left out, so the dummies are not collinear with the intercept and
  the unpenalised fit and its standard errors stay defined. An unseen category later is an error.
  New data whose column holds numbers (a Parquet or NumPy file) matches the categories that
  spell the same number (``01`` and ``1.0`` both match 1), and is refused where two do.

Infinite values are an error (there is no sensible fill for them).

Missing values (nulls, or NaN in float columns) are an error unless an imputation rule is
given: ``mean``, ``median`` or ``zero`` for numeric and boolean columns, the most frequent
category for string columns. Fill values are computed on the training data and stored, so new
data is filled with the training statistics. ``standardize`` centres and scales every encoded
column with the training mean and standard deviation (constant columns keep scale 1). Sparse
designs are LibSVM data, and column data with many one-hot features (at least 256, and at least
8 per input column), which are encoded as a CSR matrix. Their sparse columns (every LibSVM
column, the one-hot dummies) are only divided by the standard deviation, since centring would
make them dense; the numeric and boolean columns of column data are stored for every row and
are centred as well.
In LibSVM data the absent entries are zeros and a missing value is an explicit ``nan``; its
mean and median are those of every row, the zeros included. Feature columns the model does not
use are ignored, as extra columns of column data are.

Everything here is stored in the model file (:meth:`Preprocessor.to_dict`), so ``predict``
applies exactly what ``train`` did.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from ._errors import count_of, missing_values
from ._io import Dataset, InputError

IMPUTE_RULES = ("mean", "median", "zero")
# Column data encode to a CSR matrix once the one-hot features are many and each row holds few
# of them: at least this many features, and at least this many per input column (a row has at
# most one non-zero per input column, so at most 1/8 of its entries are non-zero). Training on
# a 200,000-row CSV with a 1,000-level column took 2.2 GB and 19 s (L-BFGS) on the dense
# 200,000 x 1,001 design; sparse, with 3 non-zeros a row, 0.57 GB and 5 s.
_SPARSE_MIN_FEATURES = 256
_SPARSE_MIN_FEATURES_PER_COLUMN = 8
# A string column with more distinct values than this, and mostly distinct values, is an
# identifier, not a category: one-hot encoding it would give one coefficient per row.
_MAX_UNIQUE_LEVELS = 50


@dataclass
class Column:
    """How one input column becomes model features."""

    name: str
    kind: str  # "numeric", "boolean" or "categorical"
    categories: list[str] | None = None  # categorical: every level, the first is the reference
    fill: float | str | None = None  # the imputed value for missing entries

    @property
    def feature_names(self) -> list[str]:
        if self.kind == "categorical":
            return [f"{self.name}={level}" for level in self.categories[1:]]
        return [self.name]


@dataclass
class Preprocessor:
    """The stored encoding of feature columns into the design matrix.

    Attributes
    ----------
    columns : list of Column
        Input columns in order.
    sparse : bool
        Whether the input is LibSVM data (a sparse matrix of numeric columns).
    impute : {"mean", "median", "zero"} or None
    center, scale : ndarray of shape (n_features,) or None
        Set when standardising: features become (x - center) / scale.
    """

    columns: list[Column]
    sparse: bool = False
    impute: str | None = None
    center: np.ndarray | None = None
    scale: np.ndarray | None = None
    _names: list[str] = field(default_factory=list, repr=False)

    def __post_init__(self):
        self._names = [name for column in self.columns for name in column.feature_names]

    @property
    def feature_names(self) -> list[str]:
        """Names of the design matrix's columns, shape (n_features,)."""
        return self._names

    @property
    def input_names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def encodes_values(self) -> bool:
        """Whether the features differ from the input columns' values: one-hot levels of text
        columns, or standardised columns."""
        return self.scale is not None or any(c.kind == "categorical" for c in self.columns)

    @property
    def encodes_sparse(self) -> bool:
        """Whether column data encode to a CSR matrix (many one-hot features, few per row).

        Never for a model whose standardisation centres one-hot dummies, which only a dense
        matrix can keep: such a model was trained on the dense encoding.
        """
        if self.sparse:
            return False
        if self.center is not None and np.any(self.center[self._dummies()] != 0.0):
            return False
        width = len(self.feature_names)
        return (width >= _SPARSE_MIN_FEATURES
                and width >= _SPARSE_MIN_FEATURES_PER_COLUMN * len(self.columns))

    def _dummies(self) -> np.ndarray:
        # Which features are one-hot dummies, shape (n_features,) bool.
        return np.concatenate([np.full(len(c.feature_names), c.kind == "categorical")
                               for c in self.columns] or [np.zeros(0, dtype=bool)])

    # ------------------------------------------------------------------ fitting
    @classmethod
    def fit(
        cls,
        data: Dataset,
        features: list[str],
        *,
        impute: str | None = None,
        standardize: bool = False,
    ) -> Preprocessor:
        """Learn the encoding of ``features`` from training data.

        Parameters
        ----------
        data : Dataset
        features : list of str
            Input column names.
        impute : {"mean", "median", "zero"}, default=None
        standardize : bool, default=False

        Returns
        -------
        Preprocessor
        """
        return cls.fit_transform(data, features, impute=impute, standardize=standardize)[0]

    @classmethod
    def fit_transform(
        cls,
        data: Dataset,
        features: list[str],
        *,
        impute: str | None = None,
        standardize: bool = False,
    ) -> tuple[Preprocessor, np.ndarray | sp.csr_matrix]:
        """Learn the encoding and return it with the encoded training data (one pass).

        Parameters
        ----------
        data : Dataset
        features : list of str
        impute : {"mean", "median", "zero"}, default=None
        standardize : bool, default=False

        Returns
        -------
        preprocessor : Preprocessor
        X : ndarray of shape (n_rows, n_features) or scipy.sparse.csr_matrix
        """
        if impute is not None and impute not in IMPUTE_RULES:
            raise InputError(f"--impute must be one of {', '.join(IMPUTE_RULES)}, got {impute!r}.")
        if not features:
            raise InputError("no feature columns left; name them with --features.")
        data.require_columns(features)
        if len(set(features)) != len(features):
            repeated = next(name for name in features if features.count(name) > 1)
            raise InputError(f"the feature {repeated!r} is listed more than once; give each "
                             "feature once.")
        if data.matrix is not None:
            X = _align_sparse(data, features)
            fills = _sparse_fills(X, features, impute)
            pre = cls([Column(name, "numeric", fill=fill) for name, fill in zip(
                features, fills, strict=True)], sparse=True, impute=impute)
            X = pre._fill_sparse(X)
        else:
            pre = cls([_fit_column(data.table.column(name), name, impute) for name in features],
                      impute=impute)
        names = pre.feature_names
        if not names:
            raise InputError("the features encode to no columns (every categorical feature has "
                             "a single level); add features with --features.")
        if len(set(names)) != len(names):
            repeated = next(name for name in names if names.count(name) > 1)
            raise InputError(f"two features encode to the name {repeated!r} (a column and a "
                             "category of another column); rename the column.")
        if data.matrix is None:
            X = pre.transform(data)
        if standardize:
            # Centred: every column of a dense design; in a sparse one only the columns stored
            # for every row (numeric and boolean columns of column data).
            centred = (np.ones(X.shape[1], dtype=bool) if not sp.issparse(X)
                       else np.zeros(X.shape[1], dtype=bool) if pre.sparse
                       else ~pre._dummies())
            pre.center, pre.scale = _moments(X, centred)
            X = pre._standardize(X)
        return pre, X

    # ------------------------------------------------------------------ applying
    def transform(self, data: Dataset) -> np.ndarray | sp.csr_matrix:
        """Encode ``data`` into the design matrix.

        Parameters
        ----------
        data : Dataset
            Holds every input column (extra columns are ignored).

        Returns
        -------
        ndarray of shape (n_rows, n_features) or scipy.sparse.csr_matrix
            float64, C-contiguous; sparse for LibSVM data and where :attr:`encodes_sparse`.
        """
        if self.sparse != (data.matrix is not None):
            want = "LibSVM" if self.sparse else "column (CSV, Parquet or NumPy)"
            raise InputError(f"the model was trained on {want} data; give data in that form.")
        if self.sparse:
            X = _align_sparse(data, self.input_names)
            _refuse_infinite_sparse(X, self.input_names)
            X = self._fill_sparse(X)
        elif self.encodes_sparse:
            data.require_columns(self.input_names)
            X = self._encode_sparse(data)
        else:
            data.require_columns(self.input_names)
            X = np.empty((data.n_rows, len(self.feature_names)), dtype=np.float64)
            offset = 0
            for column in self.columns:
                width = len(column.feature_names)
                _encode_into(X[:, offset:offset + width], data.table.column(column.name), column)
                offset += width
        return X if self.scale is None else self._standardize(X)

    def _encode_sparse(self, data: Dataset) -> sp.csr_matrix:
        # A 1 at each row's dummy (none for the reference level), and the numbers of numeric
        # and boolean columns in every row, zeros included, so that standardising can centre
        # them (_standardize).
        rows, features, values = [], [], []
        offset = 0
        every_row = np.arange(data.n_rows)
        for column in self.columns:
            x = _column_values(data.table.column(column.name), column)
            if column.kind == "categorical":
                hit = np.flatnonzero(x > 0)
                rows.append(hit)
                features.append(offset + x[hit] - 1)
                values.append(np.ones(hit.shape[0]))
            else:
                rows.append(every_row)
                features.append(np.full(data.n_rows, offset))
                values.append(x)
            offset += len(column.feature_names)
        X = sp.coo_matrix((np.concatenate(values), (np.concatenate(rows),
                                                    np.concatenate(features))),
                          shape=(data.n_rows, offset)).tocsr()
        X.sort_indices()
        return X

    def _fill_sparse(self, X: sp.csr_matrix) -> sp.csr_matrix:
        """Fill the missing (NaN) entries, in place (infinite ones are refused before)."""
        missing = np.isnan(X.data)
        if missing.any():
            fills = np.array([np.nan if c.fill is None else c.fill for c in self.columns])
            columns = X.indices[missing]
            unfilled = columns[np.isnan(fills[columns])]
            if unfilled.size:
                raise InputError(
                    f"feature {self.input_names[unfilled[0]]} has "
                    f"{missing_values(np.count_nonzero(unfilled == unfilled[0]))} (the model "
                    "was trained without --impute), or train with --impute mean|median|zero."
                )
            X.data[missing] = fills[columns]
        return X

    def _standardize(self, X):
        # In place: X is this object's own fresh array. A sparse X has a non-zero centre only
        # on columns it stores for every row (see _encode_sparse), so shifting the stored
        # entries shifts the whole column.
        if sp.issparse(X):
            X.data -= self.center[X.indices]
            X.data /= self.scale[X.indices]
            return X
        X -= self.center
        X /= self.scale
        return X

    # ------------------------------------------------------------------ storage
    def to_dict(self) -> dict:
        """Plain JSON data (the ``preprocessing`` object of the model format)."""
        return {
            "sparse": self.sparse,
            "impute": self.impute,
            "columns": [
                {"name": c.name, "kind": c.kind, "categories": c.categories, "fill": c.fill}
                for c in self.columns
            ],
            "standardize": None if self.scale is None else {
                "center": self.center.tolist(), "scale": self.scale.tolist(),
            },
        }

    @classmethod
    def from_dict(cls, d: dict) -> Preprocessor:
        """Inverse of :meth:`to_dict` (the input is schema-validated by the model reader)."""
        columns = [Column(c["name"], c["kind"], c.get("categories"), c.get("fill"))
                   for c in d["columns"]]
        for column in columns:
            # The schema sees a fill's type; whether it can stand in for a value is seen here.
            if column.fill is None:
                continue
            if column.kind == "categorical" and column.fill not in column.categories:
                raise InputError(f"the fill {column.fill!r} of column {column.name!r} is not one "
                                 "of its categories; the model file is damaged, train it again.")
            if column.kind != "categorical" and not math.isfinite(column.fill):
                raise InputError(f"the fill {column.fill!r} of column {column.name!r} is not a "
                                 "finite number; the model file is damaged, train it again.")
        pre = cls(columns, sparse=d["sparse"], impute=d.get("impute"))
        if d.get("standardize") is not None:
            pre.center = np.asarray(d["standardize"]["center"], dtype=np.float64)
            pre.scale = np.asarray(d["standardize"]["scale"], dtype=np.float64)
            n = len(pre.feature_names)
            if (pre.center.shape != (n,) or pre.scale.shape != (n,)
                    or not np.all(np.isfinite(pre.center))
                    or not np.all((pre.scale > 0) & np.isfinite(pre.scale))):
                raise InputError("the model's standardisation does not match its features; "
                                 "the model file is damaged, train it again.")
        return pre

    @classmethod
    def identity(cls, names: list[str]) -> Preprocessor:
        """Numeric columns used as they are (models fitted in Python)."""
        return cls([Column(name, "numeric") for name in names])


# ---------------------------------------------------------------------- column encoders
def _kind(arrow_type: pa.DataType) -> str | None:
    if pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type) or \
            pa.types.is_decimal(arrow_type):
        return "numeric"
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type) or \
            pa.types.is_dictionary(arrow_type):
        return "categorical"
    if pa.types.is_null(arrow_type):
        return "empty"
    return None


def _as_strings(values: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_dictionary(values.type):
        values = values.cast(values.type.value_type)
    return values.cast(pa.string())


def _missing_mask(values: pa.ChunkedArray) -> np.ndarray:
    missing = values.is_null()
    if pa.types.is_floating(values.type):
        missing = pc.or_(missing, pc.is_nan(values).fill_null(False))
    return missing.to_numpy(zero_copy_only=False)


def _as_float(values: pa.ChunkedArray, name: str) -> np.ndarray:
    """Numeric or boolean values as float64, NaN where missing."""
    if pa.types.is_boolean(values.type):
        values = values.cast(pa.uint8())
    try:
        return values.cast(pa.float64()).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:
        # Integers beyond 2**53 have no exact float64: almost always identifiers or hashes.
        large = pc.max(pc.abs(values.cast(pa.float64(), safe=False))).as_py()
        raise InputError(
            f"column {name!r} holds integers too large to be numbers of a model (up to about "
            f"{large:.3g}, beyond 2**53, where float64 is not exact): an identifier or a hash? "
            "Such a column is not a feature: train without it (--features)."
        ) from None


def _fit_column(values: pa.ChunkedArray, name: str, impute: str | None) -> Column:
    kind = _kind(values.type)
    if kind is None:
        raise InputError(
            f"column {name!r} holds {values.type} values, which cannot be encoded as features; "
            "convert it to numbers or text, or leave it out with --features."
        )
    if kind == "empty":
        raise InputError(f"column {name!r} has no values; leave it out with --features.")
    missing = _missing_mask(values)
    if missing.all():
        raise InputError(f"column {name!r} has no values; leave it out with --features.")
    if missing.any() and impute is None:
        raise InputError(
            f"column {name!r} has {missing_values(int(missing.sum()))}, or pass "
            "--impute mean|median|zero."
        )
    if kind == "categorical":
        strings = _as_strings(values)
        levels = sorted(v for v in pc.unique(strings).to_pylist() if v is not None)
        if len(levels) > _MAX_UNIQUE_LEVELS and len(levels) > 0.5 * (len(strings) - missing.sum()):
            raise InputError(_too_many_levels(name, strings, levels))
        fill = None
        if impute is not None:
            fill = _most_frequent(strings)
        return Column(name, "categorical", categories=levels, fill=fill)
    fill = None
    if impute is not None:
        x = _as_float(values, name)
        fill = {"mean": np.nanmean, "median": np.nanmedian}.get(impute, lambda _: 0.0)(x)
        fill = float(fill)
    return Column(name, kind, fill=fill)


def _most_frequent(strings: pa.ChunkedArray) -> str:
    """The most frequent value; ties go to the first in sorted order."""
    counts = pc.value_counts(strings.drop_null())
    values = counts.field("values").to_pylist()
    frequency = counts.field("counts").to_pylist()
    return min(zip(values, frequency, strict=True), key=lambda vc: (-vc[1], vc[0]))[0]


def _encode_into(out: np.ndarray, values: pa.ChunkedArray, column: Column) -> None:
    """Write the encoding of one input column into ``out`` of shape (n_rows, width)."""
    x = _column_values(values, column)
    if column.kind != "categorical":
        out[:, 0] = x
        return
    for level in range(1, len(column.categories)):
        out[:, level - 1] = x == level


def _column_values(values: pa.ChunkedArray, column: Column) -> np.ndarray:
    """One input column, checked and filled, shape (n_rows,): float64 numbers, or (for a
    categorical column) each row's category as its position in ``column.categories``, 0
    being the reference level."""
    kind = _kind(values.type)
    compatible = kind == column.kind or kind == "empty" or (
        {kind, column.kind} <= {"numeric", "boolean"}) or (
        column.kind == "categorical" and kind in ("numeric", "boolean"))
    if not compatible:
        found = {"categorical": "text", None: str(values.type)}.get(kind, kind)
        where = ""
        if kind == "categorical" and column.kind != "categorical":
            # Numbers with a stray word make a CSV column text: say which word, and where.
            words = [(row, text) for row, text in enumerate(_as_strings(values).to_pylist())
                     if text is not None and not _is_number(text)]
            if words:
                where = f" ({words[0][1]!r} in data row {words[0][0] + 1} is not a number)"
        raise InputError(
            f"column {column.name!r} holds {found} values{where} but the model was trained on "
            f"{column.kind} values there; give the column as it was at training."
        )
    missing = _missing_mask(values)
    if missing.any() and column.fill is None:
        raise InputError(
            f"column {column.name!r} has {missing_values(int(missing.sum()))} (the model was "
            "trained without --impute), or train with --impute mean|median|zero."
        )
    if column.kind != "categorical":
        x = _as_float(values, column.name) if kind != "empty" else np.full(len(values), np.nan)
        if missing.any():
            x[missing] = column.fill
        infinite = np.isinf(x)
        if infinite.any():
            raise InputError(
                f"column {column.name!r} has {int(infinite.sum())} infinite values; replace "
                "them with finite numbers, or leave the column out with --features."
            )
        return x
    codes = _category_codes(values, kind, column)
    if missing.any():
        codes[missing] = column.categories.index(column.fill)
    unseen = codes < 0
    if unseen.any():
        value = values.filter(pa.array(unseen))[0].as_py()
        raise InputError(
            f"column {column.name!r} has the category {value!r}, which was not in the training "
            f"data (known: {', '.join(_shown(c) for c in column.categories[:8])}"
            f"{', ...' if len(column.categories) > 8 else ''}); recode it, or train on data "
            "that includes it."
        )
    return codes


def _category_codes(values: pa.ChunkedArray, kind: str, column: Column) -> np.ndarray:
    """Position of each value among ``column.categories``, shape (n_rows,); -1 where unseen or
    missing."""
    if kind == "empty":
        return np.full(len(values), -1)
    if kind == "categorical":
        index = pc.index_in(_as_strings(values), value_set=pa.array(column.categories,
                                                                    pa.string()))
        return index.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.intp)
    # Numbers or booleans, from a file that carries its own types (text columns of CSV files
    # are read as text): match each distinct value with the categories that spell it.
    spelled: dict = {}
    for code, level in enumerate(column.categories):
        value = _number_spelled(level) if kind == "numeric" else _boolean_spelled(level)
        if value is not None:
            spelled.setdefault(value, []).append(code)
    distinct = pc.unique(values).drop_null()
    codes = []
    for value in distinct.to_pylist():
        matches = spelled.get(value, [])
        if len(matches) > 1:
            levels = ", ".join(column.categories[k] for k in matches)
            raise InputError(
                f"column {column.name!r} holds the {kind} value {value!r}, which matches "
                f"several of its categories ({levels}); give the column as text, as at "
                "training."
            )
        codes.append(matches[0] if matches else -1)
    # Missing values have no distinct value: they index the -1 appended last.
    index = pc.index_in(values, value_set=distinct).fill_null(len(codes))
    return np.asarray([*codes, -1], dtype=np.intp)[index.to_numpy(zero_copy_only=False)]


# Plain ASCII decimal numbers only: Python's int() and float() also read "1_000", " 3 " and
# digits of other scripts, which a data file's category does not spell as a number.
_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")
_DECIMAL_TEXT = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


def _number_spelled(text: str) -> int | float | None:
    """The number ``text`` spells (``01`` is 1, ``1.0`` is 1.0, which equals 1), else None."""
    if _INTEGER_TEXT.fullmatch(text):
        return int(text)
    if _DECIMAL_TEXT.fullmatch(text):
        number = float(text)
        return number if np.isfinite(number) else None
    return None


def _boolean_spelled(text: str) -> bool | None:
    return {"true": True, "false": False}.get(text.strip().lower())


def _align_sparse(data: Dataset, names: list[str]) -> sp.csr_matrix:
    """Select the model's LibSVM columns by name; names beyond the file's width are zeros.

    Returns a new matrix (its entries may be changed in place).
    """
    position = {name: j for j, name in enumerate(data.matrix_names)}
    rows, cols = [], []
    for k, name in enumerate(names):
        if name in position:
            rows.append(position[name])
            cols.append(k)
    X = data.matrix
    select = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(X.shape[1], len(names)))
    # A product keeps NaN entries (0 * NaN is not formed: only stored entries are multiplied).
    out = (X @ select).tocsr()
    out.sort_indices()
    return out


def _refuse_infinite_sparse(X: sp.csr_matrix, names: list[str]) -> None:
    infinite = np.isinf(X.data)
    if infinite.any():
        name = names[X.indices[infinite][0]]
        raise InputError(f"feature {name} has infinite values; replace them with finite "
                         "numbers, or leave the feature out with --features.")


def _sparse_fills(X: sp.csr_matrix, names: list[str], impute: str | None) -> list[float | None]:
    """Fill values of LibSVM columns, over every row (absent entries are zeros), NaN left out.

    Without ``impute`` a missing value is an error, and the fills are None.
    """
    _refuse_infinite_sparse(X, names)
    n_rows, width = X.shape
    missing = np.isnan(X.data)
    n_missing = np.bincount(X.indices[missing], minlength=width)
    if n_missing.any() and impute is None:
        j = int(np.flatnonzero(n_missing)[0])
        raise InputError(f"feature {names[j]} has {missing_values(int(n_missing[j]))}, or "
                         "pass --impute mean|median|zero.")
    present = n_rows - n_missing
    if not present.all():
        raise InputError(f"feature {names[int(np.flatnonzero(present == 0)[0])]} has no values; "
                         "leave it out with --features.")
    if impute is None:
        return [None] * width
    if impute == "zero":
        return [0.0] * width
    values, columns = X.data[~missing], X.indices[~missing]
    if impute == "mean":
        return (np.bincount(columns, weights=values, minlength=width) / present).tolist()
    return _sparse_medians(values, columns, present).tolist()


def _sparse_medians(values: np.ndarray, columns: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Per-column medians of sparse columns whose absent entries are zeros, without densifying.

    ``values`` and ``columns`` are the stored entries and their columns; ``present[j]`` counts
    the rows of column j (stored or absent, missing ones excluded). Sorted, column j is its
    negative entries, then zeros, then its positive entries: the ranks of the median fall in
    one of the three runs.
    """
    width = present.shape[0]
    if values.size == 0:
        return np.zeros(width)
    order = np.lexsort((values, columns))
    values, columns = values[order], columns[order]
    stored = np.bincount(columns, minlength=width)
    start = np.concatenate([[0], np.cumsum(stored)[:-1]])
    negative = np.bincount(columns[values < 0], minlength=width)
    positive = np.bincount(columns[values > 0], minlength=width)
    zeros = present - negative - positive

    def at(rank: np.ndarray) -> np.ndarray:
        in_negative = rank < negative
        in_positive = rank >= negative + zeros
        where = np.where(in_negative, start + rank,
                         start + stored - positive + (rank - negative - zeros))
        # mode="clip": ranks in the run of zeros index nothing; their pick is discarded.
        picked = np.take(values, where, mode="clip")
        return np.where(in_negative | in_positive, picked, 0.0)

    return 0.5 * (at((present - 1) // 2) + at(present // 2))


# Rows per block when the moments of a dense design are summed (no n x d temporary).
_MOMENT_BLOCK_ROWS = 65_536


def _moments(X, centred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centre and scale of each column of the design, shape (n_features,) each.

    The centre is the column's mean where ``centred`` is true and 0 elsewhere; the scale is
    its standard deviation about the mean (as StandardScaler's, with or without centring), or
    1 for a column that is constant to rounding. Two passes: the mean, corrected by the mean
    of the deviations from it, then the squared deviations, so that a column whose spread is
    tiny against its mean (timestamps, 1e6 ± 1e-3) keeps an accurate scale. The sums are
    taken on each column divided by a power of two near its largest magnitude (exact), so
    that squares of values above 1e154 do not overflow.
    """
    n, d = X.shape
    if sp.issparse(X):
        columns = X.indices
        magnitude = _power_of_two_magnitude(
            np.asarray(abs(X).max(axis=0).todense()).ravel())
        values = X.data / magnitude[columns]
        absent = n - np.bincount(columns, minlength=d)

        def column_sums(weights):
            return np.bincount(columns, weights=weights, minlength=d)

        rough = column_sums(values) / n
        # The absent entries are zeros: each deviates from the mean by -mean.
        mean = rough + (column_sums(values - rough[columns]) - absent * rough) / n
        deviations = values - mean[columns]
        variance = (column_sums(deviations * deviations) + absent * mean**2) / n
        mean_square = column_sums(values * values) / n
    else:
        max_abs = np.zeros(d)
        for start in range(0, n, _MOMENT_BLOCK_ROWS):
            block = X[start:start + _MOMENT_BLOCK_ROWS]
            np.maximum(max_abs, np.abs(block).max(axis=0), out=max_abs)
        magnitude = _power_of_two_magnitude(max_abs)

        def column_sums(transform):
            total = np.zeros(d)
            for start in range(0, n, _MOMENT_BLOCK_ROWS):
                total += transform(X[start:start + _MOMENT_BLOCK_ROWS] / magnitude).sum(axis=0)
            return total

        rough = column_sums(lambda block: block) / n
        mean = rough + column_sums(lambda block: block - rough) / n
        variance = column_sums(lambda block: (block - mean) ** 2) / n
        mean_square = column_sums(lambda block: block * block) / n
    scale = np.sqrt(variance)
    # Rounding leaves a constant column a spread of a few units in the last place of its
    # values; n ε of their root mean square bounds what the sums above can resolve.
    constant = ~(scale > n * np.finfo(np.float64).eps * np.sqrt(mean_square))
    scale = scale * magnitude
    scale[constant] = 1.0
    return np.where(centred, mean * magnitude, 0.0), scale


def _power_of_two_magnitude(max_abs: np.ndarray) -> np.ndarray:
    # 2^k with max_abs / 2^k in (1/2, 1]; 1 for columns of zeros.
    _, exponent = np.frexp(max_abs)
    return np.where(max_abs > 0.0, np.ldexp(1.0, exponent), 1.0)


def _too_many_levels(name: str, strings: pa.ChunkedArray, levels: list[str]) -> str:
    """The error for a text column of mostly distinct values: a column of numbers with a few
    stray words in it (one 'abc' makes a CSV reader read all of it as text) gets those words
    and where they are."""
    words = [level for level in levels if not _is_number(level)]
    if words and len(words) <= 3 and len(words) < 0.1 * len(levels):
        first = strings.to_pylist().index(words[0])
        shown = ", ".join(repr(word) for word in words)
        return (f"column {name!r} holds numbers except {shown} (the first in data row "
                f"{first + 1}), so it was read as text; fix or blank those values (blanks are "
                "missing values), or leave the column out with --features.")
    return (f"column {name!r} holds text with {len(levels)} distinct values in {len(strings)} "
            "rows, which cannot be encoded as categories; convert it to numbers, or leave it "
            "out with --features.")


def _shown(level: str) -> str:
    # A level as the message lists it: quoted where it holds a comma or a line break, so the
    # list reads as its levels and the message stays one line.
    return repr(level) if any(c in level for c in ",\n\r") else level


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------------- the target
@dataclass
class Target:
    """The response: two classes, or probabilities of the positive class.

    Attributes
    ----------
    name : str or None
    kind : {"classes", "probability"}
    classes : list
        The two labels (JSON scalars); ``classes[1]`` is the positive class. ``[0, 1]`` for
        probabilities.
    """

    name: str | None
    kind: str
    classes: list

    def encode(self, values: pa.ChunkedArray, name: str | None = None) -> np.ndarray:
        """Return y of shape (n_rows,) in [0, 1]: the probability of ``classes[1]``.

        ``name`` is the column read, for messages (default: the training target's name).
        """
        name = self.name if name is None else name
        missing = _missing_mask(values)
        if missing.any():
            raise InputError(f"the target column {name!r} has {int(missing.sum())} missing "
                             "values; drop those rows.")
        if self.kind == "probability":
            if _kind(values.type) not in ("numeric", "boolean"):
                raise InputError(f"the target column {name!r} must hold probabilities in "
                                 "[0, 1] for this model; give numbers.")
            y = _as_float(values, name)
            outside = np.flatnonzero((y < 0) | (y > 1))
            if outside.size:
                raise InputError(f"the target column {name!r} has {outside.size} value(s) "
                                 f"outside [0, 1], the first {y[outside[0]]:g} in data row "
                                 f"{outside[0] + 1}; give probabilities in [0, 1].")
            return y
        kind = _kind(values.type)
        text_classes = all(isinstance(label, str) for label in self.classes)
        if text_classes and kind == "categorical":
            index = pc.index_in(_as_strings(values), value_set=pa.array(self.classes))
            unknown = index.is_null().to_numpy(zero_copy_only=False)
            y = index.to_numpy(zero_copy_only=False).astype(np.float64)
        elif not text_classes and kind in ("numeric", "boolean"):
            x = _as_float(values, name)
            y = (x == float(self.classes[1])).astype(np.float64)
            unknown = (x != float(self.classes[0])) & (y == 0)
        else:
            raise InputError(f"the target column {name!r} does not hold the model's classes "
                             f"{self.classes}; give data with those labels.")
        if unknown.any():
            label = values.filter(pa.array(unknown))[0].as_py()
            raise InputError(
                f"the target column {name!r} has the value {label!r}, which is not one "
                f"of the model's classes {self.classes}; give data with those labels."
            )
        return y

    def to_dict(self) -> dict:
        return {"name": self.name, "kind": self.kind, "classes": self.classes}

    @classmethod
    def from_dict(cls, d: dict) -> Target:
        return cls(d.get("name"), d["kind"], list(d["classes"]))


def _distinct_labels(values: pa.ChunkedArray) -> list:
    """The distinct labels of a column, as JSON scalars."""
    kind = _kind(values.type)
    if kind == "categorical":
        return pc.unique(_as_strings(values)).to_pylist()
    if kind in ("numeric", "boolean"):
        labels = pc.unique(values).to_pylist()
        if pa.types.is_floating(values.type) and all(float(v).is_integer() for v in labels):
            labels = [int(v) for v in labels]  # 0.0/1.0 stored as the classes 0 and 1
        return labels
    raise InputError(f"the target holds {values.type} values; give two labels or "
                     "probabilities in [0, 1].")


def infer_target(values: pa.ChunkedArray, name: str) -> Target:
    """Decide whether a target column holds two classes or probabilities.

    Numbers in [0, 1] with at least one value strictly between 0 and 1 are probabilities;
    otherwise the column must hold exactly two distinct values, of any type.

    Parameters
    ----------
    values : pyarrow.ChunkedArray of shape (n_rows,)
    name : str

    Returns
    -------
    Target
    """
    missing = _missing_mask(values)
    if missing.any():
        rows = "that row" if missing.sum() == 1 else "those rows"
        raise InputError(f"the target column {name!r} has "
                         f"{count_of(int(missing.sum()), 'missing value')}; drop {rows}.")
    if _kind(values.type) == "numeric":
        y = _as_float(values, name)
        fractional = (y > 0) & (y < 1)
        if y.min() >= 0 and y.max() <= 1 and fractional.any():
            return Target(name, "probability", [0, 1])
        outside = np.flatnonzero((y < 0) | (y > 1))
        if fractional.any() and outside.size < 0.1 * y.size and np.unique(y).size > 2:
            # Probabilities with a few values out of range (a typo, a rounding overshoot):
            # name them, rather than list the column's many distinct values.
            first = int(outside[0])
            raise InputError(
                f"the target column {name!r} holds probabilities, but {outside.size} value(s) "
                f"are outside [0, 1], the first {y[first]:g} in data row {first + 1}; fix "
                "them, or choose another column with --target."
            )
    labels = sorted(_distinct_labels(values))
    if len(labels) != 2:
        shown = ", ".join(map(str, labels[:5])) + (", ..." if len(labels) > 5 else "")
        raise InputError(
            f"the target column {name!r} has {len(labels)} distinct value(s) ({shown}); "
            "logitfit needs exactly two classes or probabilities in [0, 1]: recode the target "
            "or choose another column with --target."
        )
    return Target(name, "classes", labels)
