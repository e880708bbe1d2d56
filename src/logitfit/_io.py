"""Reading data files for the command line: the format is chosen by the file's extension.

=====================  ==========================================================================
extension              how it is read
=====================  ==========================================================================
``.csv``, ``.csv.gz``  ``pyarrow.csv`` (multi-threaded, block by block, typed columns);
                       ``-`` reads CSV from standard input
``.parquet``, ``.pq``  ``pyarrow.parquet`` (only the columns asked for)
``.svm``, ``.libsvm``  scikit-learn's svmlight reader, kept sparse (CSR); the labels are the
``.svmlight``          column ``label``, feature ``j`` is the column ``f<j>``
``.npy``               a 2-D numeric array (columns ``x0``, ``x1``, ...) or a structured array
                       (columns named by its fields); never unpickled
``.npz``               1-D arrays are columns named by their keys; a 2-D array ``X`` gives the
                       columns ``x0``, ``x1``, ...; never unpickled
=====================  ==========================================================================

Every reader returns a :class:`Dataset`: a ``pyarrow.Table`` for column data, or a CSR matrix
with its column names for LibSVM data, which is high-dimensional and sparse by nature.

CSV files must be UTF-8. An empty cell (quoted or not) is a missing value in every column; in
columns of numbers pyarrow's usual spellings (``NA``, ``NaN``, ``null``, ...) are missing too,
while in text columns those words stay categories. Columns named in ``text_columns`` are read
as text whatever they look like, so that categories such as ``01`` keep their spelling.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from ._errors import InputError

__all__ = ["Dataset", "InputError", "parquet_column_names", "read_data", "require_columns"]


@dataclass
class Dataset:
    """Data read from a file.

    Exactly one of ``table`` and ``matrix`` is set.

    Attributes
    ----------
    table : pyarrow.Table or None
        Column data (CSV, Parquet, NumPy).
    matrix : scipy.sparse.csr_matrix of shape (n_rows, n_features) or None
        LibSVM features; their names are ``matrix_names``.
    matrix_names : list of str
        Column names of ``matrix`` (``f<index>``).
    label : ndarray of shape (n_rows,) or None
        LibSVM labels, the column ``label``.
    """

    table: pa.Table | None = None
    matrix: sp.csr_matrix | None = None
    matrix_names: list[str] | None = None
    label: np.ndarray | None = None

    @property
    def n_rows(self) -> int:
        return self.table.num_rows if self.table is not None else self.matrix.shape[0]

    @property
    def column_names(self) -> list[str]:
        if self.table is not None:
            return list(self.table.column_names)
        return ["label", *self.matrix_names]

    def column(self, name: str) -> pa.ChunkedArray:
        """Return one column as a pyarrow array (for LibSVM data: the labels only)."""
        self.require_columns([name])
        if self.table is not None:
            return self.table.column(name)
        if name != "label":
            raise InputError(f"column {name!r} of LibSVM data is a feature; use --target label.")
        return pa.chunked_array([pa.array(self.label)])

    def require_columns(self, names: list[str]) -> None:
        """Raise :class:`InputError` naming a column that is not in the data."""
        require_columns(self.column_names, names)


def require_columns(present: list[str], names: list[str]) -> None:
    """Raise :class:`InputError` naming the first of ``names`` that is not in ``present``."""
    known = set(present)
    missing = [name for name in names if name not in known]
    if missing:
        if len(present) == 1 and ";" in present[0]:
            # One column whose name holds the others': a CSV separated by semicolons.
            raise InputError(f"column {missing[0]!r} is not in the data, which has one column "
                             f"named {present[0]!r}: the file seems separated by ';'; re-save "
                             "it separated by commas (or by tabs, as .tsv).")
        # Quoted when a name holds a comma, so that the list reads as its names.
        shown = ", ".join(repr(name) if "," in name else name for name in present[:12])
        shown += ", ..." if len(present) > 12 else ""
        header = ""
        if present and (sum(_looks_like_a_value(name) for name in present) > len(present) / 2
                        or any(_looks_like_a_measurement(name) for name in present)):
            header = " (they look like values: does the file lack a header line of names?)"
        raise InputError(f"column {missing[0]!r} is not in the data; its columns are: "
                         f"{shown}{header}.")


def _looks_like_a_measurement(name: str) -> bool:
    # A name such as 0.1257 is a value of a first data line; a year (2020) can be a name.
    return _looks_like_a_value(name) and any(c in name.lower() for c in ".e")


def _looks_like_a_value(name: str) -> bool:
    try:
        float(name)
    except ValueError:
        return name.strip().lower() in ("true", "false", "")
    return True


_CSV = (".csv", ".csv.gz", ".csv.bz2", ".tsv", ".tsv.gz")
_PARQUET = (".parquet", ".pq")
_LIBSVM = (".svm", ".libsvm", ".svmlight")
_NUMPY = (".npy", ".npz")
SUPPORTED = _CSV + _PARQUET + _LIBSVM + _NUMPY


def source_name(path: str) -> str:
    """How messages name the data read from ``path`` ("-" is standard input)."""
    return "standard input" if path == "-" else path


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    line = text[0] if text else type(error).__name__
    # A parser's message may quote the bytes it choked on (a compressed stream given as
    # text): no control characters or undecodable bytes to the terminal.
    line = "".join(c if c.isprintable() and c != "\ufffd" else "?" for c in line)
    return line if len(line) <= 160 else line[:160] + "..."


def read_data(path: str, columns: list[str] | None = None, *,
              text_columns: list[str] = ()) -> Dataset:
    """Read a data file, choosing the reader by its extension.

    Parameters
    ----------
    path : str
        A file name, or ``-`` for CSV on standard input.
    columns : list of str, default=None
        Columns needed (Parquet reads only these; other formats are read whole, LibSVM
        files have no named columns to choose, and CSV text is checked for UTF-8 in these
        only); ``None`` reads all.
    text_columns : list of str, default=()
        CSV columns to read as text even where every value looks like a number (a model's
        categorical features); other formats carry their own types.

    Returns
    -------
    Dataset

    Raises
    ------
    InputError
        The file is missing, has an unsupported extension, or cannot be parsed.
    """
    lower = path.lower()
    if path != "-":
        if not os.path.exists(path):
            raise InputError(f"no such file: {path}; check the path.")
        if os.path.isdir(path):
            raise InputError(f"{path} is a directory; give a data file.")
        if not lower.endswith(SUPPORTED):
            raise InputError(
                f"cannot tell the format of {path} from its extension; use one of "
                f"{', '.join(SUPPORTED)} (or - for CSV on standard input)."
            )
    try:
        if path == "-" or lower.endswith(_CSV):
            data = _read_csv(path, text_columns, columns)
        elif lower.endswith(_PARQUET):
            data = _read_parquet(path, None if columns is None else list(dict.fromkeys(columns)))
        elif lower.endswith(_LIBSVM):
            data = _read_libsvm(path)
        else:
            data = _read_numpy(path)
    except InputError:
        raise
    except (pa.ArrowException, ValueError, OSError, EOFError) as error:
        raise InputError(f"cannot read {source_name(path)}: {_first_line(error)}; "
                         "check that the file is complete and in the format of its extension."
                         ) from None
    if data.n_rows == 0:
        raise InputError(f"{path} has no data rows; give a file with data.")
    names = data.column_names
    if len(set(names)) != len(names):
        repeated = next(name for name in names if names.count(name) > 1)
        raise InputError(f"the column name {repeated!r} appears more than once in "
                         f"{source_name(path)}; "
                         "give every column its own name.")
    return data


def _read_csv(path: str, text_columns=(), needed: list[str] | None = None) -> Dataset:
    from pyarrow import csv

    lower = path.lower()
    parse = csv.ParseOptions(delimiter="\t" if ".tsv" in lower else ",")
    # Text columns are read as bytes and decoded below, so that text that is not UTF-8 gets a
    # message saying where, not pyarrow's conversion error.
    text_types = {name: pa.binary() for name in text_columns}
    if path == "-":
        # Held in memory, so that it can be parsed a second time (below), as a file is.
        text = sys.stdin.buffer.read()
        if text[:2] == b"\x1f\x8b":
            raise InputError("standard input is gzip-compressed; decompress it first (gunzip "
                             "-c data.csv.gz | logitfit ...), or give the .csv.gz file by name.")

        def source():
            return pa.BufferReader(text)
    else:
        def source():
            return path

        if not lower.endswith((".gz", ".bz2")):
            with open(path, "rb") as handle:
                start = handle.read(2)
            if start in (b"\xff\xfe", b"\xfe\xff"):
                raise InputError(f"{path} is UTF-16 text (as some spreadsheet programs save "
                                 "it); re-save it as UTF-8 CSV.")
    # pyarrow decompresses .gz/.bz2 by extension and parses blocks on several threads.
    table = csv.read_csv(source(), parse_options=parse,
                         convert_options=csv.ConvertOptions(column_types=text_types))
    name = source_name(path)
    try:
        columns = table.schema.names  # pyarrow decodes the names only when asked for them
    except UnicodeDecodeError as error:
        raise InputError(
            f"{name} is not UTF-8 text: its header (line 1) has the byte "
            f"0x{error.object[error.start]:02x} in a column name; re-save the file as UTF-8."
        ) from None
    # pyarrow reads text that looks like dates or times (2020-01-31) as such; a CSV holds
    # text, which the model encodes as categories. The data are parsed again with those
    # columns as text, to keep their spelling (10:30 is not 10:30:00).
    temporal = [column for column, field in zip(columns, table.schema, strict=True)
                if pa.types.is_temporal(field.type)]
    if temporal:
        table = csv.read_csv(source(), parse_options=parse, convert_options=csv.ConvertOptions(
            column_types={**text_types, **dict.fromkeys(temporal, pa.binary())}))
    data = Dataset(table=table)
    decode_text(data, columns if needed is None else needed, name)
    return data


def decode_text(data: Dataset, columns: list[str], source: str) -> None:
    """Decode the CSV ``columns`` that pyarrow left as bytes (not valid UTF-8, or asked for
    as text) into text, in place; empty text becomes missing. Other columns are left as they
    are: bytes in a column that is not used concern no one."""
    table = data.table
    for column in columns:
        if column not in table.column_names:
            continue
        j = table.column_names.index(column)
        if pa.types.is_binary(table.schema.field(j).type):
            table = table.set_column(j, column, _decode(table.column(j), column, source))
        if pa.types.is_string(table.schema.field(j).type):
            table = table.set_column(j, column, _blank_is_missing(table.column(j)))
    data.table = table


def _decode(values: pa.ChunkedArray, column: str, source: str) -> pa.ChunkedArray:
    """Bytes as UTF-8 text; an InputError naming the first value that is not UTF-8."""
    chunks, row = [], 0
    for chunk in values.chunks:
        try:
            chunks.append(chunk.cast(pa.string()))
        except pa.ArrowInvalid:
            for k, value in enumerate(chunk.to_pylist()):
                try:
                    (value or b"").decode("utf-8")
                except UnicodeDecodeError as error:
                    raise InputError(
                        f"{source} is not UTF-8 text: column {column!r}, data row {row + k + 1} "
                        f"(line {row + k + 2} unless a field spans lines), has the byte "
                        f"0x{value[error.start]:02x} at position {error.start + 1} of its "
                        "value; re-save the file as UTF-8."
                    ) from None
            raise  # pragma: no cover - pyarrow and Python disagree on UTF-8
        row += len(chunk)
    return pa.chunked_array(chunks, pa.string())


def _blank_is_missing(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """Empty text (quoted or not) as a missing value, as an empty numeric cell is."""
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)


def parquet_column_names(path: str) -> list[str] | None:
    """The column names of a Parquet file, from its schema alone; None for other formats.

    Lets the command line resolve column names before choosing which columns to read.
    """
    if path == "-" or not path.lower().endswith(_PARQUET) or not os.path.isfile(path):
        return None
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except (pa.ArrowException, OSError):
        return None  # read_data reports the damage
    index = _pandas_index_columns(schema)
    return [name for name in schema.names if name not in index]


def _pandas_index_columns(schema: pa.Schema) -> list[str]:
    # The row index pandas stores beside a DataFrame's columns (__index_level_0__ after a
    # filter) is not data: pandas itself reads it back as the index, not as a column.
    try:
        metadata = schema.pandas_metadata or {}
    except (ValueError, TypeError):
        return []
    # A named index (set_index("id")) is the user's column: it stays.
    return [name for name in metadata.get("index_columns", [])
            if isinstance(name, str) and name.startswith("__index_level_")]


def _read_parquet(path: str, columns: list[str] | None) -> Dataset:
    import pyarrow.parquet as pq

    schema = pq.read_schema(path)
    if columns is not None:
        require_columns(schema.names, columns)
        return Dataset(table=pq.read_table(path, columns=columns))
    table = pq.read_table(path)
    index = [name for name in _pandas_index_columns(schema) if name in table.column_names]
    return Dataset(table=table.drop_columns(index) if index else table)


def _read_libsvm(path: str) -> Dataset:
    from sklearn.datasets import load_svmlight_file

    # Feature index j of the file is column f<j>, so that files written with the same
    # numbering line up by name even when their largest index differs.
    X, y = load_svmlight_file(path, dtype=np.float64, zero_based=True)
    X = X.tocsr()
    first = 0
    if X.shape[1] > 0 and not np.any(X.indices == 0):
        first = 1  # a one-based file: no column f0
        X = X[:, 1:].tocsr()
    X.sort_indices()
    names = [f"f{j + first}" for j in range(X.shape[1])]
    return Dataset(matrix=X, matrix_names=names, label=np.asarray(y))


def _read_numpy(path: str) -> Dataset:
    loaded = np.load(path, allow_pickle=False)
    if isinstance(loaded, np.ndarray):
        return Dataset(table=_table_from_array(loaded, path))
    with loaded:
        columns: dict[str, np.ndarray] = {}
        for key in loaded.files:
            array = loaded[key]
            if array.ndim == 2:
                prefix = "x" if key == "X" else f"{key}_"
                columns.update({f"{prefix}{j}": array[:, j] for j in range(array.shape[1])})
            elif array.ndim == 1:
                columns[key] = array
            else:
                raise InputError(
                    f"array {key!r} in {path} has {array.ndim} dimensions; an .npz file holds "
                    "1-D columns and 2-D feature arrays."
                )
    lengths = {name: len(values) for name, values in columns.items()}
    if len(set(lengths.values())) > 1:
        raise InputError(f"the arrays in {path} have different lengths {lengths}; "
                         "every column needs one value per row.")
    return Dataset(table=pa.table(columns))


def _table_from_array(array: np.ndarray, path: str) -> pa.Table:
    if array.dtype.names:
        return pa.table({name: array[name] for name in array.dtype.names})
    if array.ndim != 2:
        raise InputError(
            f"{path} holds an array of shape {array.shape}; a .npy file must hold a 2-D array "
            "(rows x columns) or a structured array."
        )
    return pa.table({f"x{j}": array[:, j] for j in range(array.shape[1])})
