"""Data readers and the column encoding, checked against pandas, NumPy and scikit-learn."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import scipy.sparse as sp
from sklearn.datasets import dump_svmlight_file
from sklearn.preprocessing import StandardScaler

from logitfit._io import InputError, read_data
from logitfit._preprocess import Preprocessor, infer_target


@pytest.fixture
def frame():
    rng = np.random.default_rng(3)
    n = 40
    return pd.DataFrame({
        "a": rng.normal(size=n),
        "b": rng.integers(0, 5, size=n),
        "city": rng.choice(["oslo", "paris", "rome"], size=n),
        "flag": rng.random(n) < 0.5,
        "label": rng.choice(["no", "yes"], size=n),
    })


def test_csv_gzip_and_parquet_read_the_same_columns(tmp_path, frame):
    frame.to_csv(tmp_path / "d.csv", index=False)
    with gzip.open(tmp_path / "d.csv.gz", "wt") as handle:
        frame.to_csv(handle, index=False)
    frame.to_parquet(tmp_path / "d.parquet")
    tables = [read_data(str(tmp_path / name)).table
              for name in ("d.csv", "d.csv.gz", "d.parquet")]
    for table in tables:
        got = table.to_pandas()
        assert list(got.columns) == list(frame.columns)
        np.testing.assert_allclose(got["a"], frame["a"], rtol=1e-15)
        assert got["city"].tolist() == frame["city"].tolist()
        assert got["flag"].tolist() == frame["flag"].tolist()
        assert pa.types.is_boolean(table.schema.field("flag").type)


def test_csv_from_stdin(frame, monkeypatch, tmp_path):
    frame.to_csv(tmp_path / "d.csv", index=False)

    class Stdin:
        buffer = open(tmp_path / "d.csv", "rb")  # noqa: SIM115

    monkeypatch.setattr("sys.stdin", Stdin)
    table = read_data("-").table
    Stdin.buffer.close()
    np.testing.assert_allclose(table.column("a").to_numpy(), frame["a"], rtol=1e-15)


def test_libsvm_is_read_sparse_with_file_indices_as_names(tmp_path):
    rng = np.random.default_rng(0)
    X = sp.random(30, 7, density=0.3, random_state=1, format="csr")
    y = rng.integers(0, 2, size=30)
    dump_svmlight_file(X, y, str(tmp_path / "one.svm"), zero_based=False)
    data = read_data(str(tmp_path / "one.svm"))
    assert data.matrix_names == [f"f{j}" for j in range(1, 8)][: data.matrix.shape[1]]
    dense = np.zeros((30, 7))
    dense[:, : data.matrix.shape[1]] = data.matrix.toarray()
    np.testing.assert_allclose(dense, X.toarray())
    np.testing.assert_array_equal(data.label, y)
    assert data.column_names[0] == "label"


def test_numpy_files(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(20, 3))
    y = rng.integers(0, 2, size=20)
    np.save(tmp_path / "d.npy", np.column_stack([X, y]))
    np.savez(tmp_path / "d.npz", X=X, y=y)
    table = read_data(str(tmp_path / "d.npy")).table
    assert table.column_names == ["x0", "x1", "x2", "x3"]
    np.testing.assert_array_equal(table.column("x1").to_numpy(), X[:, 1])
    table = read_data(str(tmp_path / "d.npz")).table
    assert table.column_names == ["x0", "x1", "x2", "y"]
    np.testing.assert_array_equal(table.column("y").to_numpy(), y)


def test_numpy_object_arrays_are_never_unpickled(tmp_path):
    np.save(tmp_path / "o.npy", np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    with pytest.raises(InputError, match="cannot read"):
        read_data(str(tmp_path / "o.npy"))


@pytest.mark.parametrize("name, message", [
    ("missing.csv", "no such file"),
    ("data.xlsx", "cannot tell the format"),
])
def test_read_errors(tmp_path, name, message):
    (tmp_path / "data.xlsx").write_text("x")
    with pytest.raises(InputError, match=message):
        read_data(str(tmp_path / name))


def test_repeated_column_names_are_refused(tmp_path):
    (tmp_path / "d.csv").write_text("a,b,a\n1,2,3\n")
    with pytest.raises(InputError, match="'a' appears more than once"):
        read_data(str(tmp_path / "d.csv"))


def test_corrupt_parquet_is_a_clear_error(tmp_path):
    (tmp_path / "bad.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(InputError, match="cannot read .*bad.parquet"):
        read_data(str(tmp_path / "bad.parquet"))


def _dataset(df: pd.DataFrame):
    from logitfit._io import Dataset

    return Dataset(table=pa.Table.from_pandas(df, preserve_index=False))


def test_encoding_matches_pandas_dummies_and_standard_scaler(frame):
    data = _dataset(frame)
    pre = Preprocessor.fit(data, ["a", "b", "city", "flag"])
    X = pre.transform(data)
    reference = pd.get_dummies(frame[["a", "b", "city", "flag"]], columns=["city"],
                               drop_first=True, prefix_sep="=").astype(float)
    reference = reference[["a", "b", "city=paris", "city=rome", "flag"]]
    assert pre.feature_names == ["a", "b", "city=paris", "city=rome", "flag"]
    np.testing.assert_array_equal(X, reference.to_numpy())

    pre, X_train = Preprocessor.fit_transform(data, ["a", "b", "city", "flag"],
                                              standardize=True)
    expected = StandardScaler().fit_transform(reference.to_numpy())
    np.testing.assert_allclose(X_train, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(pre.transform(data), expected, rtol=1e-12, atol=1e-12)
    # Stored and reloaded, the same encoding applies to new rows.
    again = Preprocessor.from_dict(pre.to_dict())
    np.testing.assert_array_equal(again.transform(data), pre.transform(data))


def _wide_frame(n=1200, levels=400, seed=8):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "a": rng.normal(size=n),
        "zip": [f"z{k:03d}" for k in rng.integers(0, levels, n)],
        "flag": rng.random(n) < 0.5,
    })
    frame.loc[::7, "a"] = 0.0  # zeros of a numeric column are not stored
    return frame


def test_many_one_hot_features_are_encoded_sparse(frame):
    # 3 input columns giving ~380 features: a CSR matrix equal to pandas' dummies, which
    # stores the numeric and boolean columns in every row (zeros too) and each row's dummy.
    # Standardised, only those stored columns are centred: the dummies are scaled as
    # StandardScaler(with_mean=False) would, the others as StandardScaler().
    wide = _wide_frame()
    data = _dataset(wide)
    pre, X = Preprocessor.fit_transform(data, ["a", "zip", "flag"])
    assert pre.encodes_sparse and sp.issparse(X) and X.has_sorted_indices
    reference = pd.get_dummies(wide, columns=["zip"], drop_first=True,
                               prefix_sep="=").astype(float)[pre.feature_names]
    np.testing.assert_array_equal(X.toarray(), reference.to_numpy())
    assert X.nnz == 2 * len(wide) + np.count_nonzero(wide.zip != min(wide.zip))
    np.testing.assert_array_equal(pre.transform(data).toarray(), X.toarray())
    pre, X_scaled = Preprocessor.fit_transform(data, ["a", "zip", "flag"], standardize=True)
    dense = ["a", "flag"]
    dummies = [name for name in pre.feature_names if name not in dense]
    expected = reference.copy()
    expected[dense] = StandardScaler().fit_transform(reference[dense])
    expected[dummies] = StandardScaler(with_mean=False).fit_transform(reference[dummies])
    np.testing.assert_allclose(X_scaled.toarray(), expected.to_numpy(), rtol=1e-12,
                               atol=1e-14)
    dummy = np.isin(pre.feature_names, dummies)
    assert not np.any(pre.center[dummy]) and np.all(pre.center[~dummy] != 0)
    again = Preprocessor.from_dict(pre.to_dict())
    assert again.encodes_sparse
    np.testing.assert_allclose(again.transform(data).toarray(), expected.to_numpy(),
                               rtol=1e-12, atol=1e-14)
    # The same checks as the dense encoding: an unseen category is an error.
    unseen = wide.head(3).assign(zip=["z999", "z000", "z001"])
    with pytest.raises(InputError, match="'z999', which was not in the training data"):
        pre.transform(_dataset(unseen))
    # Few features, or many input columns for them, stay dense.
    assert not Preprocessor.fit(_dataset(frame), ["a", "b", "city", "flag"]).encodes_sparse
    many = pd.concat([wide] + [wide[["a"]].add_suffix(str(k)) for k in range(60)], axis=1)
    assert not Preprocessor.fit(_dataset(many), list(many.columns)).encodes_sparse


@pytest.mark.parametrize("sparse", [False, True])
def test_standardising_is_accurate_for_tiny_spreads_and_constant_columns(sparse):
    # A spread of 1e-9 of the mean (timestamps, 1e6 ± 1e-3) keeps its standard deviation;
    # a constant column keeps scale 1 instead of rounding noise. LibSVM data (sparse) are
    # scaled only, with the standard deviation about the mean all the same.
    from logitfit._io import Dataset

    rng = np.random.default_rng(2)
    n = 5000
    values = np.column_stack([1e6 + 1e-3 * rng.normal(size=n), np.full(n, 3.3),
                              1.7e9 + 1e3 * rng.normal(size=n)])
    names = ["fine", "constant", "stamp"]
    if sparse:
        data = Dataset(matrix=sp.csr_matrix(values), matrix_names=names,
                       label=np.zeros(n))
    else:
        data = _dataset(pd.DataFrame(values, columns=names))
    pre, X = Preprocessor.fit_transform(data, names, standardize=True)
    np.testing.assert_allclose(pre.scale, [values[:, 0].std(), 1.0, values[:, 2].std()],
                               rtol=1e-9)
    X = X.toarray() if sparse else X
    expected_center = np.zeros(3) if sparse else values.mean(axis=0)
    np.testing.assert_allclose(pre.center, expected_center, rtol=1e-12)
    np.testing.assert_allclose(X, (values - pre.center) / pre.scale, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("sparse", [False, True])
def test_standardising_columns_of_huge_and_tiny_values(sparse):
    # Squares of values above 1e154 overflow and below 1e-162 underflow in float64: such
    # columns were left unscaled (scale 1). statistics.pstdev sums exact fractions.
    import statistics

    from logitfit._io import Dataset

    rng = np.random.default_rng(5)
    n = 400
    values = np.column_stack([rng.normal(3, 1, n) * 1e200, rng.normal(0, 1, n) * 1e-200,
                              rng.normal(5, 2, n)])
    names = ["huge", "tiny", "plain"]
    if sparse:
        data = Dataset(matrix=sp.csr_matrix(values), matrix_names=names, label=np.zeros(n))
    else:
        data = _dataset(pd.DataFrame(values, columns=names))
    pre, X = Preprocessor.fit_transform(data, names, standardize=True)
    expected_scale = [statistics.pstdev(values[:, j].tolist()) for j in range(3)]
    np.testing.assert_allclose(pre.scale, expected_scale, rtol=1e-12)
    if not sparse:
        np.testing.assert_allclose(pre.center, [statistics.fmean(values[:, j].tolist())
                                                for j in range(3)], rtol=1e-12)
    X = X.toarray() if sparse else X
    assert np.all(np.isfinite(X))
    np.testing.assert_allclose(X.std(axis=0), 1.0, rtol=1e-9)


def test_a_model_standardised_dense_stays_dense():
    # A model whose stored standardisation centres its features was trained on the dense
    # encoding: new data keep that encoding whatever its width, so the centring applies.
    wide = _wide_frame()
    data = _dataset(wide)
    raw = Preprocessor.fit_transform(data, ["a", "zip", "flag"])[1].toarray()
    pre = Preprocessor.fit(data, ["a", "zip", "flag"], standardize=True)
    pre.center = np.full(len(pre.feature_names), 0.25)
    assert not pre.encodes_sparse
    X_dense = pre.transform(data)
    assert isinstance(X_dense, np.ndarray)
    np.testing.assert_allclose(X_dense, (raw - 0.25) / pre.scale, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("rule", ["mean", "median", "zero"])
def test_imputation_uses_training_statistics(frame, rule):
    train = frame.copy()
    train.loc[[1, 5], "a"] = np.nan
    train.loc[[2], "city"] = None
    pre = Preprocessor.fit(_dataset(train), ["a", "city"], impute=rule)
    expected = {"mean": train["a"].mean(), "median": train["a"].median(), "zero": 0.0}[rule]
    X = pre.transform(_dataset(train))
    np.testing.assert_allclose(X[[1, 5], 0], expected, rtol=1e-15)
    mode = train["city"].mode()[0]
    assert X[2, 1:].tolist() == [float(mode == "paris"), float(mode == "rome")]
    # New data is filled with the training statistic, not its own.
    new = pd.DataFrame({"a": [np.nan, 100.0], "city": ["rome", "oslo"]})
    np.testing.assert_allclose(pre.transform(_dataset(new))[0, 0], expected, rtol=1e-15)


def test_missing_values_without_impute_name_the_fix(frame):
    frame.loc[3, "a"] = np.nan
    with pytest.raises(InputError, match="'a' has 1 missing value; fill it, or pass --impute"):
        Preprocessor.fit(_dataset(frame), ["a"])


def test_unseen_category_and_wrong_type_at_transform(frame):
    pre = Preprocessor.fit(_dataset(frame), ["a", "city"])
    with pytest.raises(InputError, match="category 'lima'"):
        pre.transform(_dataset(pd.DataFrame({"a": [1.0], "city": ["lima"]})))
    with pytest.raises(InputError, match=r"holds text values \('x' in data row 2 is not a "
                                         r"number\) but the model was trained on numeric"):
        pre.transform(_dataset(pd.DataFrame({"a": ["1.5", "x"], "city": ["rome", "rome"]})))
    with pytest.raises(InputError, match="column 'city' is not in the data"):
        pre.transform(_dataset(pd.DataFrame({"a": [1.0]})))


def test_categories_that_look_like_numbers_in_new_data():
    train = pd.DataFrame({"zone": ["10", "20", "north", "20"]})
    pre = Preprocessor.fit(_dataset(train), ["zone"])
    assert pre.feature_names == ["zone=20", "zone=north"]
    new = pd.DataFrame({"zone": [20, 10]})  # read as integers from a file without text
    np.testing.assert_array_equal(pre.transform(_dataset(new)), [[1, 0], [0, 0]])


def test_identifier_text_and_unencodable_types_are_refused():
    ids = pd.DataFrame({"id": [f"customer-{i}" for i in range(200)]})
    with pytest.raises(InputError, match="cannot be encoded as categories"):
        Preprocessor.fit(_dataset(ids), ["id"])
    # Numbers with one stray word, read as text: the word and its row are named.
    numbers = pd.DataFrame({"x": [str(0.5 * i) for i in range(200)]})
    numbers.loc[41, "x"] = "abc"
    with pytest.raises(InputError, match=r"'x' holds numbers except 'abc' \(the first in data "
                                         r"row 42\)"):
        Preprocessor.fit(_dataset(numbers), ["x"])
    stamps = pd.DataFrame({"t": pd.date_range("2024-01-01", periods=5)})
    with pytest.raises(InputError, match="cannot be encoded as features"):
        Preprocessor.fit(_dataset(stamps), ["t"])


def test_sparse_columns_align_by_name():
    from logitfit._io import Dataset

    X = sp.csr_matrix(np.array([[1.0, 0, 2], [0, 3, 0]]))
    train = Dataset(matrix=X, matrix_names=["f1", "f2", "f3"], label=np.array([0, 1]))
    pre = Preprocessor.fit(train, ["f1", "f2", "f3"])
    narrower = Dataset(matrix=sp.csr_matrix(np.array([[5.0, 0], [0, 6]])),
                       matrix_names=["f1", "f2"], label=np.array([0, 1]))
    np.testing.assert_array_equal(pre.transform(narrower).toarray(), [[5, 0, 0], [0, 6, 0]])
    pre, X_scaled = Preprocessor.fit_transform(train, ["f1", "f2", "f3"], standardize=True)
    reference = StandardScaler(with_mean=False).fit_transform(X.toarray())
    np.testing.assert_allclose(X_scaled.toarray(), reference, rtol=1e-12)
    assert sp.issparse(X_scaled) and X_scaled.nnz == X.nnz
    # Columns the model does not use are ignored, as extra columns of column data are.
    wider = Dataset(matrix=sp.csr_matrix(np.array([[1.0, 0, 0, 4]])),
                    matrix_names=["f1", "f2", "f3", "f4"], label=np.array([0]))
    np.testing.assert_allclose(pre.transform(wider).toarray(), [[1 / pre.scale[0], 0, 0]])


def test_target_inference():
    def target(values):
        return infer_target(pa.chunked_array([pa.array(values)]), "t")

    assert target(["b", "a", "b"]).classes == ["a", "b"]
    assert target([0.0, 1.0, 1.0]).classes == [0, 1]
    assert target([True, False]).classes == [False, True]
    soft = target([0.0, 0.25, 1.0])
    assert soft.kind == "probability"
    np.testing.assert_array_equal(soft.encode(pa.chunked_array([pa.array([0.5, 1.0])])),
                                  [0.5, 1.0])
    spec = target(["no", "yes", "no"])
    np.testing.assert_array_equal(spec.encode(pa.chunked_array([pa.array(["yes", "no"])])),
                                  [1.0, 0.0])
    with pytest.raises(InputError, match="3 distinct value"):
        target(["a", "b", "c"])
    with pytest.raises(InputError, match="1 distinct value"):
        target([1, 1, 1])
    with pytest.raises(InputError, match="not one of the model's classes"):
        spec.encode(pa.chunked_array([pa.array(["maybe"])]))


# ---------------------------------------------------------------------- CSV text and blanks
def test_blank_text_cells_are_missing_values(tmp_path):
    # Unquoted and quoted empty cells; "NA" is a word in a text column, a null in a numeric one.
    (tmp_path / "d.csv").write_text('city,x,y\nparis,1,a\n,NA,b\n"",2,\nNA,3,b\n')
    table = read_data(str(tmp_path / "d.csv")).table
    assert table.column("city").to_pylist() == ["paris", None, None, "NA"]
    assert table.column("x").to_pylist() == [1, None, 2, 3]
    assert table.column("y").to_pylist() == ["a", "b", None, "b"]


def test_blank_text_cells_are_imputed_with_the_stored_fill(tmp_path):
    (tmp_path / "d.csv").write_text("city,n\nrome,1\n,2\nparis,3\nrome,4\n")
    data = read_data(str(tmp_path / "d.csv"))
    with pytest.raises(InputError, match="'city' has 1 missing value; fill it, or pass --impute"):
        Preprocessor.fit(data, ["city"])
    pre = Preprocessor.fit(data, ["city"], impute="mean")
    assert pre.columns[0].categories == ["paris", "rome"] and pre.columns[0].fill == "rome"
    np.testing.assert_array_equal(pre.transform(data), [[1], [1], [0], [1]])


def test_text_columns_keep_their_spelling(tmp_path):
    (tmp_path / "d.csv").write_text("zone,n\n01,1\n02,2\n,3\n")
    plain = read_data(str(tmp_path / "d.csv")).table
    assert plain.column("zone").to_pylist() == [1, 2, None]
    table = read_data(str(tmp_path / "d.csv"), text_columns=["zone", "absent"]).table
    assert table.column("zone").to_pylist() == ["01", "02", None]
    assert table.column("n").to_pylist() == [1, 2, 3]


def test_text_that_is_not_utf8_is_located(tmp_path):
    (tmp_path / "d.csv").write_bytes("city,n\nparis,1\nz\u00fcrich,2\n".encode("latin-1"))
    message = r"d.csv is not UTF-8 text: column 'city', data row 2 \(line 3.*byte 0xfc.*UTF-8"
    for text_columns in ([], ["city"]):  # inferred as bytes, or read as text for a model
        with pytest.raises(InputError, match=message):
            read_data(str(tmp_path / "d.csv"), text_columns=text_columns)



def test_a_csv_separated_by_semicolons_is_recognised(tmp_path):
    (tmp_path / "d.csv").write_text("age;churned\n31;yes\n40;no\n")
    with pytest.raises(InputError, match="seems separated by ';'; re-save it separated by commas"):
        read_data(str(tmp_path / "d.csv")).require_columns(["churned"])


def test_a_header_that_is_not_utf8_is_refused(tmp_path):
    (tmp_path / "d.csv").write_bytes("caf\u00e9,n\n1,2\n".encode("latin-1"))
    message = r"d.csv is not UTF-8 text: its header \(line 1\) has the byte 0xe9.*UTF-8"
    with pytest.raises(InputError, match=message):
        read_data(str(tmp_path / "d.csv"))

# ---------------------------------------------------------------------- categories as numbers
def test_numbers_match_the_categories_that_spell_them():
    train = pd.DataFrame({"zone": ["01", "2.0", "X9", "true"]})
    pre = Preprocessor.fit(_dataset(train), ["zone"])
    assert pre.feature_names == ["zone=2.0", "zone=X9", "zone=true"]
    new = pd.DataFrame({"zone": [2, 1, None]})  # a Parquet or NumPy column of numbers
    with pytest.raises(InputError, match="'zone' has 1 missing value; fill it"):
        pre.transform(_dataset(new))
    np.testing.assert_array_equal(pre.transform(_dataset(new.iloc[:2])), [[1, 0, 0], [0, 0, 0]])
    np.testing.assert_array_equal(pre.transform(_dataset(pd.DataFrame({"zone": [True]}))),
                                  [[0, 0, 1]])
    with pytest.raises(InputError, match="category 3"):
        pre.transform(_dataset(pd.DataFrame({"zone": [3.0]})))
    # Only plain decimal spellings count: "1_000" and " 3 " are categories like any text.
    loose = Preprocessor.fit(_dataset(pd.DataFrame({"zone": ["1_000", " 3 ", "X"]})), ["zone"])
    for number in (1000, 3):
        with pytest.raises(InputError, match=f"category {number}"):
            loose.transform(_dataset(pd.DataFrame({"zone": [number]})))
    ambiguous = Preprocessor.fit(_dataset(pd.DataFrame({"zone": ["1", "01", "X"]})), ["zone"])
    with pytest.raises(InputError, match=r"value 1, which matches several of its categories "
                                         r"\(01, 1\); give the column as text"):
        ambiguous.transform(_dataset(pd.DataFrame({"zone": [1, 1]})))


# ---------------------------------------------------------------------- checks and names
def test_infinite_values_are_refused_with_the_column(frame):
    pre = Preprocessor.fit(_dataset(frame), ["a"])
    frame.loc[4, "a"] = -np.inf
    for apply in (lambda: Preprocessor.fit(_dataset(frame), ["a"]),
                  lambda: pre.transform(_dataset(frame))):
        with pytest.raises(InputError, match="'a' has 1 infinite values; replace them"):
            apply()


def test_repeated_and_colliding_feature_names_are_refused():
    data = _dataset(pd.DataFrame({"a": [1.0, 2.0], "c": ["x", "y"], "c=y": [0.0, 1.0]}))
    with pytest.raises(InputError, match="the feature 'a' is listed more than once"):
        Preprocessor.fit(data, ["a", "c", "a"])
    with pytest.raises(InputError, match="two features encode to the name 'c=y'"):
        Preprocessor.fit(data, ["c", "c=y"])


def test_target_errors_name_the_column_read():
    spec = infer_target(pa.chunked_array([pa.array(["no", "yes"])]), "churn")
    with pytest.raises(InputError, match="target column 'city' has the value 'rome'"):
        spec.encode(pa.chunked_array([pa.array(["rome"])]), "city")


# ---------------------------------------------------------------------- LibSVM data
def _sparse(dense: np.ndarray, names=None):
    from logitfit._io import Dataset

    names = names or [f"f{j + 1}" for j in range(dense.shape[1])]
    return Dataset(matrix=sp.csr_matrix(dense), matrix_names=names,
                   label=np.zeros(dense.shape[0]))


def test_sparse_feature_subsets_drop_the_other_columns():
    dense = np.array([[1.0, np.nan, 0], [0, 6, 2], [3, np.inf, 4]])  # f2 is not used
    pre, X = Preprocessor.fit_transform(_sparse(dense), ["f3", "f1"])
    np.testing.assert_array_equal(X.toarray(), dense[:, [2, 0]])
    np.testing.assert_array_equal(pre.transform(_sparse(dense)).toarray(), dense[:, [2, 0]])


def test_sparse_missing_and_infinite_values():
    dense = np.array([[1.0, 0], [np.nan, 2], [0, 0], [5, 0]])
    with pytest.raises(InputError, match="feature f1 has 1 missing value; fill it, or pass "
                                         "--impute"):
        Preprocessor.fit(_sparse(dense), ["f1", "f2"])
    plain = Preprocessor.fit(_sparse(np.nan_to_num(dense)), ["f1", "f2"])
    with pytest.raises(InputError, match=r"feature f1 has 1 missing value; fill it \(the model "
                                         r"was trained without --impute\), or train with"):
        plain.transform(_sparse(dense))
    with pytest.raises(InputError, match="feature f2 has infinite values"):
        Preprocessor.fit(_sparse(np.array([[1.0, np.inf], [0, 1]])), ["f1", "f2"],
                         impute="mean")
    with pytest.raises(InputError, match="feature f2 has infinite values"):
        plain.transform(_sparse(np.array([[np.nan, np.inf], [0, 1]])))
    with pytest.raises(InputError, match="feature f1 has no values"):
        Preprocessor.fit(_sparse(np.array([[np.nan, 1.0], [np.nan, 0]])), ["f1", "f2"],
                         impute="mean")


@pytest.mark.parametrize("rule", ["mean", "median", "zero"])
def test_sparse_imputation_matches_dense_statistics_with_zeros(rule):
    rng = np.random.default_rng(7)
    dense = rng.normal(size=(41, 6)) * (rng.random((41, 6)) < 0.4)
    dense[:, 0] = np.abs(dense[:, 0])  # only positive entries and zeros
    dense[:, 1] = -np.abs(dense[:, 1])  # only negative ones
    dense[:, 2] = 0.0
    dense[rng.random((41, 6)) < 0.1] = np.nan
    dense[:4, 3] = np.nan  # an even count of present rows
    pre, X = Preprocessor.fit_transform(_sparse(dense), [f"f{j + 1}" for j in range(6)],
                                        impute=rule)
    statistic = {"mean": np.nanmean, "median": np.nanmedian,
                 "zero": lambda d, axis: np.zeros(d.shape[1])}[rule](dense, axis=0)
    np.testing.assert_allclose([c.fill for c in pre.columns], statistic, rtol=1e-12, atol=1e-15)
    expected = np.where(np.isnan(dense), statistic, dense)
    np.testing.assert_allclose(X.toarray(), expected, rtol=1e-12, atol=1e-15)
    # New data is filled with the training statistics.
    np.testing.assert_allclose(pre.transform(_sparse(dense)).toarray(), expected, rtol=1e-12,
                               atol=1e-15)
