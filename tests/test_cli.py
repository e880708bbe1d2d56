"""End to end: the installed ``logitfit`` command run with subprocess, as a user runs it.

Results are compared with independent references: scikit-learn's LogisticRegression on a
design matrix built with pandas, scikit-learn's metrics, and the soft-label objective.
Commands start a Python process each, so the runs of a module are started together and the
tests read their results.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from sklearn.datasets import dump_svmlight_file
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.metrics import average_precision_score, log_loss, roc_auc_score

import logitfit
from logitfit._objective import BCEObjective
from logitfit.cli import Progress, main


def _command() -> list[str]:
    # The command installed beside this interpreter (the project's environment), else the
    # one on PATH, else the module itself.
    beside = Path(sys.executable).with_name("logitfit")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("logitfit")
    return [found] if found else [sys.executable, "-m", "logitfit.cli"]


def run(args, cwd, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "120"}
    return subprocess.run([*_command(), *map(str, args)], cwd=cwd, input=stdin,
                          capture_output=True, timeout=300, env=env)


def run_all(jobs: dict) -> dict:
    """Run ``{name: (args, cwd, stdin)}`` a few at a time; most of each is Python start-up."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {name: pool.submit(run, *job) for name, job in jobs.items()}
        return {name: future.result() for name, future in futures.items()}


def make_frame(n=240, seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "age": rng.normal(40, 10, n).round(1),
        "income": rng.gamma(2.0, 20.0, n).round(2),
        "city": rng.choice(["oslo", "paris", "rome"], n),
        "member": rng.random(n) < 0.4,
    })
    z = (0.05 * (df.age - 40) + 0.02 * (df.income - 40) + np.where(df.city == "rome", 0.8, 0)
         - np.where(df.member, 0.6, 0))
    p = 1 / (1 + np.exp(-z))
    df["churn"] = np.where(rng.random(n) < p, "yes", "no")
    df["p"] = p.round(4)
    return df


def design(df: pd.DataFrame) -> np.ndarray:
    """The encoding the command promises, built independently with pandas."""
    X = pd.get_dummies(df[["age", "income", "city", "member"]], columns=["city"],
                       drop_first=True, prefix_sep="=").astype(float)
    return X[["age", "income", "city=paris", "city=rome", "member"]].to_numpy()


FEATURES = "age,income,city,member"


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    df = make_frame()
    df.to_csv(root / "d.csv", index=False)
    df.to_parquet(root / "d.parquet")
    three = df.assign(churn=np.resize(["a", "b", "c"], len(df)))
    three.to_csv(root / "three.csv", index=False)
    df.assign(customer=[f"id-{i}" for i in range(len(df))]).to_csv(root / "ids.csv", index=False)
    holes = df.copy()
    holes.loc[[3, 7], "income"] = np.nan
    holes.to_csv(root / "holes.csv", index=False)
    df.drop(columns=["city"]).to_csv(root / "no_city.csv", index=False)
    df.assign(city="lima").to_csv(root / "lima.csv", index=False)
    # An identifier column beyond 2**53, which float64 cannot hold exactly.
    df.assign(event=np.arange(len(df), dtype=np.int64) + 2**60).to_csv(root / "bigint.csv",
                                                                        index=False)
    df.assign(p=np.where(np.arange(len(df)) == 4, 1.2, df.p)).to_csv(root / "p_over.csv",
                                                                      index=False)
    df.to_csv(root / "with_index.csv")  # pandas' default: the row index as a nameless column
    (root / "utf16.csv").write_text(df.to_csv(index=False), encoding="utf-16")
    df.to_csv(root / "no_header.csv", index=False, header=False)
    (root / "corrupt.json").write_text('{"format": "logitfit-model", "coef": [1, ')
    (root / "taken.json").write_text("keep me")
    X = design(df)
    dump_svmlight_file(X, (df.churn == "yes").astype(int), str(root / "d.svm"),
                       zero_based=False)
    logitfit.LogisticRegression().fit(X, (df.churn == "yes").astype(int)).save(
        root / "python.json")
    return root, df


TRAIN = ["train", "d.csv", "--target", "churn", "--features", FEATURES, "--tol", "1e-10"]

# ---------------------------------------------------------------------- user mistakes
# The mistakes the command's contract names, each run as its own process.
ERRORS = {
    "missing file": (["train", "nope.csv", "--target", "churn", "--out", "x.json"],
                     "no such file: nope.csv"),
    "unknown column": (["train", "d.csv", "--target", "churned", "--out", "x.json"],
                       "column 'churned' is not in the data"),
    "three classes": (["train", "three.csv", "--target", "churn", "--out", "x.json"],
                      "3 distinct value(s)"),
    "identifier text": (["train", "ids.csv", "--target", "churn", "--out", "x.json"],
                        "'customer' holds text with 240 distinct values"),
    "model exists": (["train", "d.csv", "--target", "churn", "--out", "taken.json"],
                     "taken.json already exists; choose another --out, or pass --force"),
    "corrupt model": (["predict", "corrupt.json", "d.csv"], "not valid JSON"),
}
# Mistakes made with the model trained first.
ERRORS_WITH_MODEL = {
    "feature mismatch": (["predict", "m.json", "no_city.csv"],
                         "column 'city' is not in the data"),
}
# More mistakes, run in this process through the same entry point (start-up is the cost of
# a process, and these paths are the same code).
MORE_ERRORS = {
    "integers beyond 2**53": (["train", "bigint.csv", "--target", "churn", "--out", "x.json"],
                              "column 'event' holds integers too large"),
    "probability above 1": (["train", "p_over.csv", "--target", "p", "--features", "age",
                             "--out", "x.json"],
                            "1 value(s) are outside [0, 1], the first 1.2 in data row 5"),
    "utf-16": (["train", "utf16.csv", "--target", "churn", "--out", "x.json"],
               "utf16.csv is UTF-16 text"),
    "no header": (["train", "no_header.csv", "--target", "churn", "--out", "x.json"],
                  "does the file lack a header line of names?"),
    "out is a directory": (["train", "d.csv", "--target", "churn", "--out", ".", "--force"],
                           "cannot write .: it is a directory"),
    "empty features": (["train", "d.csv", "--target", "churn", "--features", ",",
                        "--out", "x.json"], "--features names no column"),
    "a nameless column": (["train", "with_index.csv", "--target", "churn", "--out", "x.json"],
                          "column 1 of the data has no name"),
    "a class weight twice": (["train", "d.csv", "--target", "churn", "--class-weight",
                              "yes:5,yes:1", "--out", "x.json"],
                             "--class-weight gives the label 'yes' twice"),
    "weight as a feature": (["train", "d.csv", "--target", "churn", "--features", "age,income",
                             "--sample-weight", "income", "--out", "x.json"],
                            "the sample weight column 'income' is also listed in --features"),
    "threshold nan": (["predict", "m.json", "d.csv", "--threshold", "nan"],
                      "'nan' is not a finite number in the range 0<x<1"),
    "evaluate threshold nan": (["evaluate", "m.json", "d.csv", "--target", "churn",
                                "--threshold", "nan"], "not a finite number in the range 0<x<1"),
    "gradcheck tol nan": (["gradcheck", "d.csv", "--target", "churn", "--tol", "nan"],
                          "not a finite number in the range x>0"),
    "gradcheck tol inf": (["gradcheck", "d.csv", "--target", "churn", "--tol", "inf"],
                          "'inf' is not a finite number in the range x>0"),
    "gradcheck tol negative": (["gradcheck", "d.csv", "--target", "churn", "--tol", "-1"],
                               "-1.0 is not in the range x>0"),
    "missing values": (["train", "holes.csv", "--target", "churn", "--out", "x.json"],
                       "--impute mean|median|zero"),
    "bad penalty": (["train", "d.csv", "--target", "churn", "--penalty", "l7", "--out",
                     "x.json"], "'l7' is not one of 'l2', 'l1', 'elasticnet', 'none'"),
    "unknown extension": (["train", "corrupt.json", "--target", "y", "--out", "x.json"],
                          "cannot tell the format"),
    "missing model": (["evaluate", "absent.json", "d.csv", "--target", "churn"],
                      "no such model file"),
    "no summary": (["summary", "python.json"], "has no stored summary"),
    "usage": (["train", "d.csv", "--out", "x.json"], "Missing option '--target'"),
    "unseen category": (["predict", "m.json", "lima.csv"], "category 'lima'"),
    "wrong labels": (["evaluate", "m.json", "d.csv", "--target", "p"],
                     "the target column 'p' has the value '0.7409', which is not one of the "
                     "model's classes"),
    "report exists": (["evaluate", "m.json", "d.csv", "--target", "churn", "--report",
                       "eval-report"], "index.html already exists"),
    "text weights": (["train", "d.csv", "--target", "churn", "--sample-weight", "city",
                      "--out", "x.json"], "sample weight column 'city' must hold numbers"),
}


@pytest.fixture(scope="module")
def runs(work, tmp_path_factory):
    """Every command run of this module, in two waves (the second needs the first's model)."""
    root, _ = work
    demo_root = tmp_path_factory.mktemp("demo")
    csv_bytes = (root / "d.csv").read_bytes()
    first = {
        "demo": (["demo", "--out", "demo.json"], demo_root, None),
        "train": ([*TRAIN, "--out", "m.json", "--json"], root, None),
        "derive": (["derive"], root, None),
        "stdin": (["train", "-", *TRAIN[2:], "--out", "stdin.json", "--json", "--verbose"],
                  root, csv_bytes),
        "gradcheck": (["gradcheck", "d.csv", "--target", "churn", "--features", FEATURES,
                       "--json"], root, None),
        **{name: (args, root, None) for name, (args, _) in ERRORS.items()},
    }
    results = run_all(first)
    second = {
        "proba": (["predict", "m.json", "d.parquet", "--proba"], root, None),
        "evaluate": (["evaluate", "m.json", "d.csv", "--target", "churn", "--json", "--report",
                      "eval-report"], root, None),
        "summary": (["summary", "demo.json"], demo_root, None),
        **{name: (args, root, None) for name, (args, _) in ERRORS_WITH_MODEL.items()},
    }
    results.update(run_all(second))
    results["demo root"] = demo_root
    return results


@pytest.fixture(scope="module")
def trained(runs):
    return json.loads(ok(runs["train"]))


def ok(result) -> str:
    if hasattr(result, "exit_code"):  # click's CliRunner result
        assert result.exit_code == 0, result.output
        return result.stdout
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode()


def invoke(cwd, args):
    """Run the command in this process, through the same entry point (for variants whose
    process start-up would dominate; the contract's cases run as processes above)."""
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, args, prog_name="logitfit")
    finally:
        os.chdir(previous)


def read_csv_output(result) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(ok(result)))


def reference_model(df: pd.DataFrame) -> SkLogisticRegression:
    return SkLogisticRegression(C=1.0, tol=1e-12, max_iter=10_000).fit(
        design(df), (df.churn == "yes").astype(int))


def test_train_matches_scikit_learn_on_the_same_encoding(work, trained):
    _, df = work
    reference = reference_model(df)
    np.testing.assert_allclose(list(trained["coef"].values()), reference.coef_.ravel(),
                               rtol=1e-6, atol=1e-8)
    assert list(trained["coef"]) == ["age", "income", "city=paris", "city=rome", "member"]
    assert trained["converged"] and trained["target"]["classes"] == ["no", "yes"]


def test_a_column_with_many_categories_trains_and_predicts_on_a_sparse_design(tmp_path):
    # 400 postcodes: the command encodes them as a CSR matrix (3 non-zeros a row) instead of a
    # dense one; the fit, the stored model and its predictions are those of the dense dummies.
    rng = np.random.default_rng(12)
    n = 3000
    df = pd.DataFrame({"x": rng.normal(size=n),
                       "postcode": [f"p{k:03d}" for k in rng.integers(0, 400, n)],
                       "member": rng.random(n) < 0.3})
    effect = rng.normal(size=400)
    z = df.x + effect[df.postcode.str[1:].astype(int)] - 0.5 * df.member
    df["bought"] = np.where(rng.random(n) < 1 / (1 + np.exp(-z)), "yes", "no")
    df.to_csv(tmp_path / "shops.csv", index=False)
    trained = json.loads(ok(invoke(tmp_path, ["train", "shops.csv", "--target", "bought",
                                              "--tol", "1e-10", "--out", "m.json",
                                              "--json", "--quiet"])))
    dummies = pd.get_dummies(df[["x", "postcode", "member"]], columns=["postcode"],
                             drop_first=True, prefix_sep="=").astype(float)
    dummies = dummies[list(trained["coef"])]
    y = (df.bought == "yes").astype(int)
    reference = SkLogisticRegression(C=1.0, solver="newton-cholesky", tol=1e-12,
                                     max_iter=100).fit(dummies, y)
    np.testing.assert_allclose(list(trained["coef"].values()), reference.coef_.ravel(),
                               rtol=1e-6, atol=1e-8)
    proba = read_csv_output(invoke(tmp_path, ["predict", "m.json", "shops.csv", "--proba"]))
    np.testing.assert_allclose(proba["probability_yes"],
                               reference.predict_proba(dummies)[:, 1], rtol=1e-6, atol=1e-9)


def test_predict_probabilities_and_labels(work, runs):
    _, df = work
    reference = reference_model(df).predict_proba(design(df))[:, 1]
    proba = read_csv_output(runs["proba"])
    assert list(proba.columns) == ["probability_yes"]
    np.testing.assert_allclose(proba["probability_yes"], reference, rtol=1e-6, atol=1e-9)
    ok(invoke(work[0], ["predict", "m.json", "d.csv", "--threshold", "0.3", "--out",
                        "preds.csv"]))
    written = pd.read_csv(work[0] / "preds.csv")
    assert written["prediction"].tolist() == np.where(reference > 0.3, "yes", "no").tolist()
    # Parquet by the extension, as for input files; an extension that names no format is
    # refused before anything is written.
    ok(invoke(work[0], ["predict", "m.json", "d.csv", "--proba", "--out", "preds.parquet"]))
    np.testing.assert_allclose(pd.read_parquet(work[0] / "preds.parquet")["probability_yes"],
                               reference, rtol=1e-6, atol=1e-9)
    refused = invoke(work[0], ["predict", "m.json", "d.csv", "--out", "preds.txt"])
    assert refused.exit_code == 2 and "end it in .csv, or .parquet" in refused.output
    assert not (work[0] / "preds.txt").exists()


def test_evaluate_matches_scikit_learn_metrics(work, runs):
    _, df = work
    proba = reference_model(df).predict_proba(design(df))[:, 1]
    y = (df.churn == "yes").astype(int)
    metrics = json.loads(ok(runs["evaluate"]))
    assert metrics["log_loss"] == pytest.approx(log_loss(y, proba), rel=1e-6)
    assert metrics["roc_auc"] == pytest.approx(roc_auc_score(y, proba), rel=1e-6)
    assert metrics["pr_auc"] == pytest.approx(average_precision_score(y, proba), rel=1e-6)
    assert metrics["brier"] == pytest.approx(np.mean((proba - y) ** 2), rel=1e-6)
    assert np.sum(metrics["confusion_matrix"]) == len(df)
    for key in ("accuracy", "precision", "recall", "f1", "calibration_error"):
        assert 0 <= metrics[key] <= 1
    report = work[0] / "eval-report"
    assert {"index.html", "roc.png", "precision_recall.png", "calibration.png",
            "convergence.png", "coefficients.png"} <= set(os.listdir(report))


def test_stdin_reads_csv_and_verbose_logs_every_iteration(runs, trained):
    result = runs["stdin"]
    from_stdin = json.loads(ok(result))
    np.testing.assert_array_equal(list(from_stdin["coef"].values()),
                                  list(trained["coef"].values()))
    lines = [ln for ln in result.stderr.decode().splitlines() if ln.strip()[:1].isdigit()]
    assert len(lines) == trained["n_iter"] + 1


def test_soft_targets_fit_the_soft_label_objective(work):
    root, df = work
    result = invoke(root, ["train", "d.csv", "--target", "p", "--features", FEATURES, "--tol",
                           "1e-10", "--out", "soft.json", "--report", "soft-report", "--quiet"])
    assert "fitting" not in ok(result)  # --quiet: no progress
    model = json.loads((root / "soft.json").read_text())
    assert model["target"]["kind"] == "probability"
    coef = np.r_[model["coef"], model["intercept"]]
    objective = BCEObjective(np.ascontiguousarray(design(df)), df["p"].to_numpy(), C=1.0)
    assert objective.optimality(objective.gradient(coef)) < 1e-8
    assert (root / "soft-report" / "index.html").exists()


def test_libsvm_model_predicts_like_the_csv_model(work, trained):
    svm = json.loads(ok(invoke(work[0], ["train", "d.svm", "--target", "label", "--tol",
                                         "1e-10", "--out", "svm.json", "--json"])))
    assert list(svm["coef"]) == ["f1", "f2", "f3", "f4", "f5"]
    np.testing.assert_allclose(list(svm["coef"].values()), list(trained["coef"].values()),
                               rtol=1e-6, atol=1e-8)


def test_sample_and_class_weights_match_scikit_learn(work):
    root, df = work
    result = invoke(root, ["train", "d.csv", "--target", "churn", "--features",
                           "age,city,member", "--sample-weight", "income", "--class-weight",
                           "yes:3,no:1", "--tol", "1e-10", "--out", "weighted.json", "--json"])
    coef = list(json.loads(ok(result))["coef"].values())
    X = design(df)[:, [0, 2, 3, 4]]
    reference = SkLogisticRegression(class_weight={"yes": 3.0, "no": 1.0}, tol=1e-12,
                                     max_iter=10_000).fit(X, df.churn,
                                                          sample_weight=df.income)
    np.testing.assert_allclose(coef, reference.coef_.ravel(), rtol=1e-6, atol=1e-8)
    # The model file keeps the weights under the user's labels, so every command reads it.
    options = json.loads((root / "weighted.json").read_text())["options"]
    assert sorted(options["class_weight"]) == [["no", 1.0], ["yes", 3.0]]
    predicted = ok(invoke(root, ["predict", "weighted.json", "d.csv", "--proba"]))
    np.testing.assert_allclose(np.loadtxt(io.StringIO(predicted), skiprows=1, delimiter=","),
                               reference.predict_proba(X)[:, 1], rtol=1e-6)
    ok(invoke(root, ["summary", "weighted.json"]))
    ok(invoke(root, ["train", "d.csv", "--target", "churn", "--class-weight", "yes:2",
                     "--out", "weighted2.json", "--report", "weighted-report"]))
    assert (root / "weighted-report" / "index.html").exists()


def test_l1_penalty_is_passed_through_and_optimal(work):
    root, df = work
    result = invoke(root, ["train", "d.csv", "--target", "churn", "--features", FEATURES,
                           "--penalty", "l1", "--C", "0.05", "--standardize", "--tol", "1e-10",
                           "--out", "l1.json", "--json"])
    model = json.loads(ok(result))
    w = np.array(list(model["coef"].values()))
    assert np.any(w == 0) and np.any(w != 0)
    # Optimality of Σ BCE + ‖w‖₁/C: the loss gradient is -sign(w)/C on the non-zero
    # coefficients and at most 1/C in size on the zero ones.
    X = design(df)
    X = np.ascontiguousarray((X - X.mean(axis=0)) / X.std(axis=0))
    loss = BCEObjective(X, (df.churn == "yes").to_numpy(float), C=np.inf)
    grad = loss.gradient(np.r_[w, model["intercept"]])
    nonzero = w != 0
    np.testing.assert_allclose(grad[:-1][nonzero], -np.sign(w[nonzero]) / 0.05, rtol=1e-6)
    assert np.all(np.abs(grad[:-1][~nonzero]) <= 1 / 0.05 + 1e-6)
    assert abs(grad[-1]) < 1e-6


def test_gradcheck_on_user_data(runs):
    check = json.loads(ok(runs["gradcheck"]))
    assert check["passed"] and check["max_relative_error"] < 1e-6
    assert [c["name"] for c in check["coordinates"]][-1] == "(intercept)"
    assert len(check["coordinates"]) == 6


def test_derive_verifies_all_twelve_steps(runs):
    text = ok(runs["derive"])
    assert "12 of 12 steps verified." in text
    for number in range(1, 13):
        assert f"({number}) " in text


# ---------------------------------------------------------------------- user mistakes
@pytest.mark.parametrize("name", [*ERRORS, *ERRORS_WITH_MODEL])
def test_user_mistakes_exit_2_with_one_line(work, runs, name):
    result = runs[name]
    stderr = result.stderr.decode()
    assert result.returncode == 2, stderr
    assert stderr.startswith("logitfit: error: ") and stderr.count("\n") == 1, stderr
    assert {**ERRORS, **ERRORS_WITH_MODEL}[name][1] in stderr
    assert "Traceback" not in stderr
    assert (work[0] / "taken.json").read_text() == "keep me"
    assert not (work[0] / "x.json").exists()


@pytest.mark.parametrize("name", list(MORE_ERRORS))
def test_more_mistakes_exit_2_with_one_line(work, runs, name):
    result = invoke(work[0], MORE_ERRORS[name][0])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("logitfit: error: ") and result.output.count("\n") == 1
    assert MORE_ERRORS[name][1] in result.output
    assert not (work[0] / "x.json").exists()


# ---------------------------------------------------------------------- demo
@pytest.fixture(scope="module")
def demo(runs):
    return runs["demo root"], runs["demo"]


def test_demo_trains_evaluates_summarises_and_reports(demo):
    root, result = demo
    text = ok(result)
    assert "breast cancer: 426 training and 143 test samples" in text
    assert "converged: True" in text
    for label in ("test accuracy", "ROC AUC", "PR AUC", "Brier score",
                  "calibration error", "confusion matrix"):
        assert label in text
    # Solver progress: one line per iteration, the starting point first.
    assert any(line.split()[:1] == ["0"] for line in text.splitlines())
    report = root / "logitfit-demo-report"
    html = (report / "index.html").read_text()
    for image in ("convergence.png", "roc.png", "precision_recall.png", "calibration.png",
                  "coefficients.png"):
        assert (report / image).stat().st_size > 1000
        assert f'src="{image}"' in html
    assert "ROC AUC" in html
    with pytest.warns(UserWarning, match="load_pipeline"):  # trained with --standardize
        model = logitfit.load(root / "demo.json")
    assert model.classes_.tolist() == ["benign", "malignant"]
    if hasattr(logitfit, "Summary"):
        assert "<h2>Summary</h2>" in html


def test_demo_replaces_only_its_own_report(demo, tmp_path):
    root, _ = demo
    assert ok(invoke(root, ["demo", "--quiet"])).endswith(
        "report written to logitfit-demo-report/index.html\n")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "index.html").write_text("my own page")
    refused = invoke(tmp_path, ["demo", "--quiet", "--report", "mine"])
    assert refused.exit_code == 2
    assert "index.html already exists" in refused.output
    assert (tmp_path / "mine" / "index.html").read_text() == "my own page"


@pytest.mark.skipif(not hasattr(logitfit, "Summary"),
                    reason="logitfit.Summary (the inference summary) is not in this build")
def test_summary_command_prints_the_stored_table(demo, runs):
    root, _ = demo
    document = json.loads((root / "demo.json").read_text())
    assert document["summary"] is not None
    text = ok(runs["summary"])
    assert text.strip() == str(logitfit.Summary.from_dict(document["summary"])).strip()
    assert "mean radius" in text
    # The stored covariance is in the coefficients' order [w..., b]: its diagonal gives the
    # summary's standard errors (whose table lists the intercept first).
    se = dict(zip(document["summary"]["names"], document["summary"]["bse"], strict=True))
    expected = [se[name] for name in document["features"]["names"]] + [se["intercept"]]
    np.testing.assert_allclose(np.sqrt(np.diag(document["covariance"])), expected, rtol=1e-12)


@pytest.mark.skipif(not hasattr(logitfit, "Summary"),
                    reason="logitfit.Summary (the inference summary) is not in this build")
def test_reports_show_the_stored_summary(work, runs):
    html = (work[0] / "eval-report" / "index.html").read_text()
    assert "<h2>Summary</h2>" in html and "Logit Regression Results" in html


# ---------------------------------------------------------------------- in-process parts
@pytest.mark.parametrize("command", [[], ["train"], ["predict"], ["evaluate"], ["summary"],
                                     ["gradcheck"], ["derive"], ["demo"]])
def test_help_everywhere(command):
    result = CliRunner().invoke(main, [*command, "--help"], prog_name="logitfit")
    assert result.exit_code == 0
    assert "Usage: logitfit" in result.output


def test_progress_display_and_log():
    from logitfit.solvers import IterationInfo

    infos = [IterationInfo(k, 10.0 / (k + 1), 10.0**-k, 1.0, 0.1 * k, np.zeros(2))
             for k in range(4)]
    stream = io.StringIO()
    live = Progress("auto", stream, delay=0.0)
    for info in infos:
        live(info)
    live.close()
    shown = stream.getvalue()
    assert "iteration     3" in shown and "objective 2.5" in shown and "1.000e-03" in shown
    quiet = io.StringIO()
    delayed = Progress("auto", quiet, delay=3600.0)
    for info in infos:
        delayed(info)
    delayed.close()
    assert quiet.getvalue() == ""
    log = io.StringIO()
    verbose = Progress("verbose", log)
    for info in infos:
        verbose(info)
    assert len(log.getvalue().splitlines()) == 5


def test_fit_callback_sees_every_iteration_and_can_stop(breast_cancer, capsys):
    X, y = breast_cancer
    seen = []
    model = logitfit.LogisticRegression(verbose=1).fit(X, y, callback=seen.append)
    assert [info.iteration for info in seen] == list(range(model.n_iter_[0] + 1))
    np.testing.assert_array_equal([info.objective for info in seen],
                                  model.history_["objective"])
    assert len(capsys.readouterr().out.splitlines()) >= len(seen)  # verbose still prints
    stopped = logitfit.LogisticRegression().fit(X, y, callback=lambda info: True)
    assert stopped.n_iter_[0] <= 1 and not stopped.converged_


# ---------------------------------------------------------------------- awkward input
def mistake(result, message: str) -> None:
    """A user mistake: exit code 2 and one line naming it, no traceback."""
    assert result.exit_code == 2, result.output
    assert result.output.startswith("logitfit: error: ") and result.output.count("\n") == 1, \
        result.output
    assert message in result.output, result.output


def warnings_of(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("logitfit: warning")]


def test_blank_cells_are_missing_values(work, tmp_path):
    _, df = work
    holes = df.copy()
    holes.loc[[2, 9], "city"] = ""
    holes.to_csv(tmp_path / "holes.csv", index=False)
    mistake(invoke(tmp_path, ["train", "holes.csv", "--target", "churn", "--out", "m.json"]),
            "column 'city' has 2 missing values; fill them, or pass --impute")
    model = json.loads(ok(invoke(tmp_path, ["train", "holes.csv", "--target", "churn",
                                            "--features", FEATURES, "--impute", "mean",
                                            "--out", "m.json", "--json"])))
    assert list(model["coef"]) == ["age", "income", "city=paris", "city=rome", "member"]
    fill = json.loads((tmp_path / "m.json").read_text())["features"]["preprocessing"][
        "columns"][2]["fill"]
    assert fill == df.city.mode()[0]
    df.assign(churn=df.churn.where(df.index != 5, "")).to_csv(tmp_path / "t.csv", index=False)
    mistake(invoke(tmp_path, ["train", "t.csv", "--target", "churn", "--out", "t.json"]),
            "the target column 'churn' has 1 missing value; drop that row.")


@pytest.mark.parametrize("levels", [["01", "02", "X9"], ["1.0", "2.0", "X9"]])
def test_categories_that_look_like_numbers_keep_their_spelling(work, tmp_path, levels):
    _, df = work
    df = df.assign(zone=np.resize(levels, len(df)))
    df.to_csv(tmp_path / "train.csv", index=False)
    numeric_only = df[df.zone != "X9"]
    numeric_only.to_csv(tmp_path / "new.csv", index=False)
    ok(invoke(tmp_path, ["train", "train.csv", "--target", "churn", "--features", "age,zone",
                         "--out", "m.json"]))
    everything = read_csv_output(invoke(tmp_path, ["predict", "m.json", "train.csv",
                                                   "--proba"]))
    new = read_csv_output(invoke(tmp_path, ["predict", "m.json", "new.csv", "--proba"]))
    np.testing.assert_array_equal(new.iloc[:, 0], everything.iloc[:, 0][df.zone != "X9"])
    ok(invoke(tmp_path, ["evaluate", "m.json", "new.csv", "--target", "churn"]))


def test_text_labels_that_look_like_numbers_are_read_as_text(work, tmp_path):
    _, df = work
    df.assign(churn=np.where(df.churn == "yes", "1", "0")).to_parquet(tmp_path / "d.parquet")
    df.assign(churn=(df.churn == "yes").astype(int)).to_csv(tmp_path / "d.csv", index=False)
    ok(invoke(tmp_path, ["train", "d.parquet", "--target", "churn", "--out", "m.json"]))
    metrics = json.loads(ok(invoke(tmp_path, ["evaluate", "m.json", "d.csv", "--target",
                                              "churn", "--json"])))
    assert metrics["n_samples"] == len(df)


def test_evaluate_names_the_target_column_it_read(work):
    mistake(invoke(work[0], ["evaluate", "m.json", "d.csv", "--target", "city"]),
            "the target column 'city' has the value")


def test_libsvm_feature_subsets(work, tmp_path):
    _, df = work
    X = design(df)
    y = (df.churn == "yes").astype(int)
    dump_svmlight_file(X, y, str(tmp_path / "d.svm"), zero_based=False)
    model = json.loads(ok(invoke(tmp_path, ["train", "d.svm", "--target", "label", "--features",
                                            "f1,f3", "--tol", "1e-10", "--out", "m.json",
                                            "--json"])))
    reference = SkLogisticRegression(tol=1e-12, max_iter=10_000).fit(X[:, [0, 2]], y)
    assert list(model["coef"]) == ["f1", "f3"]
    np.testing.assert_allclose(list(model["coef"].values()), reference.coef_.ravel(),
                               rtol=1e-6, atol=1e-8)
    proba = read_csv_output(invoke(tmp_path, ["predict", "m.json", "d.svm", "--proba"]))
    np.testing.assert_allclose(proba.iloc[:, 0], reference.predict_proba(X[:, [0, 2]])[:, 1],
                               rtol=1e-6)


def test_missing_and_infinite_values_name_the_column(work, tmp_path):
    _, df = work
    (tmp_path / "nan.svm").write_text("1 1:1.5 2:nan\n0 1:0.5 2:2\n1 1:2 2:1\n0 1:0.2 2:3\n")
    mistake(invoke(tmp_path, ["train", "nan.svm", "--target", "label", "--out", "m.json"]),
            "feature f2 has 1 missing value; fill it, or pass --impute mean|median|zero.")
    ok(invoke(tmp_path, ["train", "nan.svm", "--target", "label", "--impute", "median",
                         "--out", "m.json"]))
    df.assign(age=df.age.where(df.index != 3, np.inf)).to_csv(tmp_path / "inf.csv",
                                                               index=False)
    mistake(invoke(tmp_path, ["train", "inf.csv", "--target", "churn", "--out", "i.json"]),
            "column 'age' has 1 infinite values; replace them with finite numbers")
    mistake(invoke(tmp_path, ["train", "inf.csv", "--target", "churn", "--features", "income",
                              "--sample-weight", "age", "--out", "i.json"]),
            "the sample weight column 'age' has negative or infinite values")
    df.assign(zero=0.0).to_csv(tmp_path / "zero.csv", index=False)
    mistake(invoke(tmp_path, ["train", "zero.csv", "--target", "churn", "--features", "income",
                              "--sample-weight", "zero", "--out", "z.json"]),
            "the sample weight column 'zero' is zero on every row")


@pytest.mark.parametrize("command", [["derive"], ["gradcheck", "d.csv", "--target", "churn"],
                                     ["demo", "--no-report"]])
def test_negative_seeds_are_usage_errors(work, command):
    mistake(invoke(work[0], [*command, "--seed", "-1"]), "Invalid value for '--seed'")


def test_report_directories_are_checked_before_any_work(work, tmp_path, monkeypatch):
    root = work[0]
    (tmp_path / "keep.csv").write_text("a file")
    shutil.copy(root / "d.csv", tmp_path / "d.csv")
    mistake(invoke(tmp_path, ["train", "d.csv", "--target", "churn", "--out", "m.json",
                              "--report", "keep.csv/rep"]),
            "--report keep.csv/rep cannot be created:")
    assert not (tmp_path / "m.json").exists()
    # The check creates no directory that a failed command would leave behind.
    mistake(invoke(tmp_path, ["train", "d.csv", "--target", "nope", "--out", "m.json",
                              "--report", "new/deeper"]), "column 'nope' is not in the data")
    assert not (tmp_path / "new").exists()
    mistake(invoke(tmp_path, ["train", "d.csv", "--target", "churn", "--out", "no/m.json"]),
            "the directory no does not exist")
    if os.path.isdir("/proc/self"):  # Linux: nothing can be created in /proc, even by root
        mistake(invoke(root, ["evaluate", "m.json", "d.csv", "--target", "churn", "--report",
                              "/proc/logitfit-report"]),
                "--report /proc/logitfit-report cannot be created or written")

    def fail(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("logitfit._report.write_report", fail)
    mistake(invoke(root, ["evaluate", "m.json", "d.csv", "--target", "churn", "--report",
                          str(tmp_path / "rep")]),
            f"cannot write the report into {tmp_path / 'rep'} (Permission denied)")
    mistake(invoke(tmp_path, ["train", "d.csv", "--target", "churn", "--out", "m.json",
                              "--report", "rep"]),
            "(Permission denied), after writing the model to m.json; check the directory.")


def test_warnings_name_columns_and_flags(work, tmp_path):
    _, df = work
    df.assign(sep=(df.churn == "yes").astype(float)).to_csv(tmp_path / "sep.csv", index=False)
    separated = invoke(tmp_path, ["train", "sep.csv", "--target", "churn", "--features",
                                  "age,sep", "--penalty", "none", "--out", "s.json"])
    ok(separated)
    assert any("separated by" in line and "sep" in line and "--penalty 'l2' with a finite --C"
               in line for line in warnings_of(separated)), separated.stderr
    # Feature names that look like parameters are left as they are.
    grade = np.where(df.churn == "yes", "C", np.resize(["A", "B"], len(df)))
    df.assign(grade=grade).to_csv(tmp_path / "grade.csv", index=False)
    graded = invoke(tmp_path, ["train", "grade.csv", "--target", "churn", "--features",
                               "age,grade", "--penalty", "none", "--out", "g.json"])
    shown = " ".join(warnings_of(graded))
    assert "grade=C" in shown and "--penalty 'l2' with a finite --C" in shown, shown
    dump_svmlight_file(df[["age"]].assign(sep=df.churn == "yes").to_numpy(float),
                       (df.churn == "yes").astype(int), str(tmp_path / "sep.svm"),
                       zero_based=False)
    sparse = invoke(tmp_path, ["train", "sep.svm", "--target", "label", "--penalty", "none",
                               "--out", "svm.json"])
    assert any("by f2" in line or "of f2" in line or " f2," in line
               for line in warnings_of(sparse)), sparse.stderr
    shutil.copy(work[0] / "d.csv", tmp_path / "d.csv")
    for flags in (["--solver", "lbfgs"], ["--penalty", "l1", "--C", "100"],
                  ["--l1-ratio", "0.2"]):
        result = invoke(tmp_path, ["train", "d.csv", "--target", "churn", "--max-iter", "1",
                                   *flags, "--out", "c.json", "--force"])
        ok(result)
        shown = " ".join(warnings_of(result))
        assert shown, result.stderr
        for python in ("max_iter", "StandardScaler", "solver=", "penalty=", "tol=",
                       "l1_ratio", " C)", " C "):
            assert python not in shown, shown
    assert "--max-iter" in shown and "--penalty 'elasticnet'" in shown
    mistake(invoke(tmp_path, ["train", "d.csv", "--target", "churn", "--C", "-1", "--out",
                              "bad.json"]), "--C must be a positive number (inf for no penalty)")


def test_the_users_words_are_kept_and_parameters_become_flags():
    from logitfit.cli import _as_flags

    # A class label or feature that spells a parameter stays as it is where it stands alone;
    # the parameter itself still becomes a flag, even next to a feature named like it.
    assert _as_flags("but class 'C' has a total sample_weight of 0", ["C"]) == \
        "but class 'C' has a total --sample-weight of 0"
    assert _as_flags("refit with penalty=None; class_weight={'no': 2.0}", []) == \
        "refit with --penalty none; --class-weight {'no': 2.0}"
    assert _as_flags("column 'tol' is constant; tol=1e-06 was not reached", ["tol"]) == \
        "column 'tol' is constant; --tol 1e-06 was not reached"
    assert _as_flags("stopped after max_iter=5 iterations; use a finite C", []) == \
        "stopped after 5 iterations (--max-iter); use a finite --C"


def test_training_needs_no_pandas(tmp_path):
    # pandas is not a dependency of the command: training and predicting from CSV work
    # without it (an import of it fails in this process).
    pd.DataFrame({"x": np.arange(40) % 7, "y": np.arange(40) % 2}).to_csv(tmp_path / "d.csv",
                                                                         index=False)
    script = (
        "import sys\n"
        "class NoPandas:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'pandas':\n"
        "            raise ImportError('pandas is not installed')\n"
        "sys.meta_path.insert(0, NoPandas())\n"
        "from logitfit.cli import main\n"
        "main(sys.argv[1:])\n"
    )
    for args in (["train", "d.csv", "--target", "y", "--out", "m.json"],
                 ["predict", "m.json", "d.csv", "--out", "p.csv"]):
        done = subprocess.run([sys.executable, "-c", script, *args], cwd=tmp_path,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    assert (tmp_path / "p.csv").read_text().count("\n") == 41


def test_features_with_commas_and_repeats(work, tmp_path):
    _, df = work
    df.rename(columns={"age": "age, years"}).to_csv(tmp_path / "d.csv", index=False)
    model = json.loads(ok(invoke(tmp_path, ["train", "d.csv", "--target", "churn",
                                            "--features", "age, years", "--features",
                                            "income,city", "--out", "m.json", "--json"])))
    assert list(model["coef"]) == ["age, years", "income", "city=paris", "city=rome"]
    mistake(invoke(work[0], ["train", "d.csv", "--target", "churn", "--features",
                             "age,income,age", "--out", "x.json"]),
            "the feature 'age' is listed more than once; give each feature once.")
    assert "exactly a column's name is taken whole" in " ".join(
        invoke(work[0], ["train", "--help"]).output.split())


def test_text_that_is_not_utf8_names_the_fix(work, tmp_path):
    _, df = work
    df.assign(city=df.city.replace("rome", "z\u00fcrich")).to_csv(
        tmp_path / "latin.csv", index=False, encoding="latin-1")
    mistake(invoke(tmp_path, ["train", "latin.csv", "--target", "churn", "--out", "m.json"]),
            "latin.csv is not UTF-8 text: column 'city', data row")


def test_models_fitted_on_named_columns_predict_without_warnings(work):
    root, df = work
    logitfit.LogisticRegression().fit(df[["age", "income"]], df.churn).save(
        root / "named.json")
    results = run_all({
        "predict": (["predict", "named.json", "d.csv"], root, None),
        "evaluate": (["evaluate", "named.json", "d.csv", "--target", "churn"], root, None),
    })
    for result in results.values():
        ok(result)
        assert result.stderr == b"", result.stderr.decode()


def test_a_closed_output_pipe_is_not_an_error(work, tmp_path):
    _, df = work
    pd.concat([df] * 200).to_csv(tmp_path / "big.csv", index=False)  # 48,000 predictions
    ok(invoke(work[0], ["train", "d.csv", "--target", "churn", "--out",
                        str(tmp_path / "m.json")]))
    process = subprocess.Popen([*_command(), "predict", "m.json", "big.csv"], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.readline() == b'"prediction"\n'
    process.stdout.close()  # as `| head -1` does
    assert process.wait(timeout=300) == 0
    assert process.stderr.read() == b""
    process.stderr.close()


def test_stored_summary_notes_speak_the_commands_flags(work, tmp_path):
    _, df = work
    df.to_csv(tmp_path / "d.csv", index=False)
    ok(invoke(tmp_path, ["train", "d.csv", "--target", "churn", "--features", "age,income",
                         "--standardize", "--class-weight", "yes:2", "--out", "m.json", "-q"]))
    notes = json.loads((tmp_path / "m.json").read_text())["summary"]["notes"]
    text = " ".join(notes)
    assert "per standard deviation of its feature" in text and "--standardize" in text
    assert "--class-weight {'yes': 2.0}" in text and "--penalty none" in text
    assert "class_weight" not in text and "penalty=None" not in text


def test_boolean_labels_take_class_weights_as_the_csv_spells_them(work, tmp_path):
    _, df = work
    df.assign(churn=np.where(df.churn == "yes", "true", "false")).to_csv(tmp_path / "b.csv",
                                                                        index=False)
    fits = {}
    for spelling in ("true:3,false:1", "True:3,False:1"):
        ok(invoke(tmp_path, ["train", "b.csv", "--target", "churn", "--features", "age",
                             "--class-weight", spelling, "--out", "m.json", "-q", "--force"]))
        fits[spelling] = json.loads((tmp_path / "m.json").read_text())
    first, second = fits.values()
    assert first["coef"] == second["coef"]
    expected = SkLogisticRegression(C=1.0, tol=1e-12, class_weight={True: 3.0, False: 1.0}).fit(
        df[["age"]].to_numpy(), df.churn == "yes")
    np.testing.assert_allclose(first["coef"], expected.coef_.ravel(), rtol=1e-4)


def test_load_pipeline_predicts_from_the_data_columns_as_the_command_does(work, tmp_path):
    import polars as pl
    import pyarrow as pa

    root, df = work
    ok(invoke(tmp_path, ["train", str(root / "d.csv"), "--target", "churn", "--features",
                         "age,income,city,member", "--standardize", "--out", "m.json", "-q"]))
    command = read_csv_output(invoke(tmp_path, ["predict", "m.json", str(root / "d.csv"),
                                                "--proba"]))
    pipeline = logitfit.load_pipeline(tmp_path / "m.json")
    for data in (df, pl.from_pandas(df), pa.Table.from_pandas(df), df.to_dict("list")):
        np.testing.assert_allclose(pipeline.predict_proba(data)[:, 1],
                                   command.iloc[:, 0].to_numpy(), rtol=1e-12, atol=0)
    np.testing.assert_array_equal(pipeline.predict(df),
                                  np.where(command.iloc[:, 0] > 0.5, "yes", "no"))
    # The encoding is the one the summary names (one-hot levels after the reference).
    assert pipeline["encode"].get_feature_names_out().tolist() == [
        "age", "income", "city=paris", "city=rome", "member"]
    # The estimator alone takes the encoded features: load() says so, rather than let the
    # data's columns give wrong probabilities without an error.
    with pytest.warns(UserWarning, match="load_pipeline"):
        logitfit.load(tmp_path / "m.json")
    with pytest.raises(TypeError, match="by name"):
        pipeline.predict(df.to_numpy())


def test_load_pipeline_takes_a_libsvm_models_features_in_order(work, tmp_path):
    root, df = work
    ok(invoke(tmp_path, ["train", str(root / "d.svm"), "--target", "label", "--out", "m.json",
                         "-q"]))
    command = read_csv_output(invoke(tmp_path, ["predict", "m.json", str(root / "d.svm"),
                                                "--proba"]))
    pipeline = logitfit.load_pipeline(tmp_path / "m.json")
    np.testing.assert_allclose(pipeline.predict_proba(design(df))[:, 1],
                               command.iloc[:, 0].to_numpy(), rtol=1e-12, atol=0)


def test_the_row_index_pandas_stores_in_parquet_is_not_a_feature(work, tmp_path):
    _, df = work
    kept = df[df.age > 35]  # a filter leaves a non-trivial index, stored as __index_level_0__
    kept.to_parquet(tmp_path / "kept.parquet")
    kept.to_csv(tmp_path / "kept.csv", index=False)
    models = {}
    for name in ("kept.parquet", "kept.csv"):
        ok(invoke(tmp_path, ["train", name, "--target", "churn", "--out", f"{name}.json",
                             "-q"]))
        models[name] = json.loads((tmp_path / f"{name}.json").read_text())
    assert models["kept.parquet"]["features"]["names"] == models["kept.csv"]["features"]["names"]
    np.testing.assert_allclose(models["kept.parquet"]["coef"], models["kept.csv"]["coef"],
                               rtol=1e-12)


def test_metrics_are_weighted_by_the_sample_weights(work, tmp_path):
    _, df = work
    weighted = df.assign(w=np.resize([1.0, 3.0, 2.0], len(df)))
    weighted.to_csv(tmp_path / "w.csv", index=False)
    result = json.loads(ok(invoke(tmp_path, [
        "train", "w.csv", "--target", "churn", "--features", "age,income", "--sample-weight",
        "w", "--out", "m.json", "--report", "rep", "--json", "-q"])))
    proba = logitfit.load(tmp_path / "m.json").predict_proba(
        weighted[["age", "income"]].to_numpy())[:, 1]
    truth = (weighted.churn == "yes").to_numpy()
    expected = log_loss(truth, proba, sample_weight=weighted.w)
    assert result["training_metrics"]["log_loss"] == pytest.approx(expected, rel=1e-12)
    assert np.sum(result["training_metrics"]["confusion_matrix"]) == weighted.w.sum()
    # The report says so, as evaluate's does.
    assert "metrics weighted by &#x27;w&#x27;" in (tmp_path / "rep" / "index.html").read_text()
    scored = json.loads(ok(invoke(tmp_path, ["evaluate", "m.json", "w.csv", "--target", "churn",
                                             "--sample-weight", "w", "--json"])))
    assert scored["log_loss"] == pytest.approx(expected, rel=1e-12)
    assert scored["roc_auc"] == pytest.approx(
        roc_auc_score(truth, proba, sample_weight=weighted.w), rel=1e-12)


def test_date_like_text_is_a_category_and_unused_columns_need_not_be_utf8(work, tmp_path):
    _, df = work
    cohorts = np.resize(["2020-01-01", "2020-02-01", "2020-03-01"], len(df))
    dated = df.assign(cohort=cohorts)
    dated.to_csv(tmp_path / "dated.csv", index=False)
    ok(invoke(tmp_path, ["train", "dated.csv", "--target", "churn", "--features", "age,cohort",
                         "--out", "m.json", "-q"]))
    names = json.loads((tmp_path / "m.json").read_text())["features"]["names"]
    assert names == ["age", "cohort=2020-02-01", "cohort=2020-03-01"]  # the CSV's spelling
    expected = SkLogisticRegression(C=1.0, tol=1e-12).fit(
        np.c_[dated.age, cohorts == "2020-02-01", cohorts == "2020-03-01"], dated.churn)
    np.testing.assert_allclose(json.loads((tmp_path / "m.json").read_text())["coef"],
                               expected.coef_.ravel(), rtol=1e-4)
    # A column the command does not use may hold bytes that are not UTF-8.
    latin = dated.assign(note=np.resize(["café", "thé"], len(df)))
    (tmp_path / "latin.csv").write_bytes(latin.to_csv(index=False).encode("latin-1"))
    predicted = read_csv_output(invoke(tmp_path, ["predict", "m.json", "latin.csv"]))
    assert len(predicted) == len(df)
    ok(invoke(tmp_path, ["train", "latin.csv", "--target", "churn", "--features", "age,cohort",
                         "--out", "m2.json", "-q"]))
    refused = invoke(tmp_path, ["train", "latin.csv", "--target", "churn", "--out", "m3.json"])
    assert refused.exit_code == 2 and "column 'note'" in refused.output


def test_a_replaced_report_keeps_no_plot_of_the_old_one(work, tmp_path):
    root, df = work
    ok(invoke(tmp_path, ["train", str(root / "d.csv"), "--target", "churn", "--features",
                         "age,income", "--out", "m.json", "--report", "rep", "-q"]))
    assert (tmp_path / "rep" / "roc.png").exists()
    df[df.churn == "yes"].to_csv(tmp_path / "yes.csv", index=False)
    metrics = json.loads(ok(invoke(tmp_path, ["evaluate", "m.json", "yes.csv", "--target",
                                              "churn", "--report", "rep", "--force",
                                              "--json"])))
    # One class: no ROC curve, and the old one is gone; average precision is defined (1).
    assert metrics["roc_auc"] is None and metrics["pr_auc"] == 1.0
    assert average_precision_score(np.ones(len(df[df.churn == "yes"])),
                                   np.linspace(0.1, 0.9, len(df[df.churn == "yes"]))) == 1.0
    assert not (tmp_path / "rep" / "roc.png").exists()
    assert not (tmp_path / "rep" / "precision_recall.png").exists()
    assert (tmp_path / "rep" / "calibration.png").exists()


def test_a_probability_target_is_noted_in_the_summary(work, tmp_path):
    import statsmodels.api as sm

    root, df = work
    ok(invoke(tmp_path, ["train", str(root / "d.csv"), "--target", "p", "--features",
                         "age,income", "--penalty", "none", "--out", "m.json", "-q"]))
    summary = json.loads((tmp_path / "m.json").read_text())["summary"]
    assert any("holds probabilities" in note for note in summary["notes"])
    # The fit is statsmodels' fractional-response GLM (Binomial family) on the same data.
    reference = sm.GLM(df.p, sm.add_constant(df[["age", "income"]].to_numpy()),
                       family=sm.families.Binomial()).fit(tol=1e-12)
    np.testing.assert_allclose(summary["params"], reference.params, rtol=1e-6)
    np.testing.assert_allclose(summary["bse"], reference.bse, rtol=1e-5)


def test_gzip_on_standard_input_is_named_not_echoed(work):
    import gzip

    root, df = work
    result = run(["train", "-", "--target", "churn", "--out", "x.json"], root,
                 stdin=gzip.compress(df.to_csv(index=False).encode()))
    assert result.returncode == 2
    assert result.stderr.decode() == (
        "logitfit: error: standard input is gzip-compressed; decompress it first (gunzip -c "
        "data.csv.gz | logitfit ...), or give the .csv.gz file by name.\n")


def test_a_warning_does_not_advise_the_standardisation_already_asked_for(work, tmp_path):
    root, _ = work
    args = ["train", str(root / "d.csv"), "--target", "churn", "--features", "age,income",
            "--solver", "gd", "--max-iter", "2", "-q"]
    plain = invoke(tmp_path, [*args, "--out", "plain.json"])
    standardized = invoke(tmp_path, [*args, "--standardize", "--out", "standardized.json"])
    assert "standardise the features (--standardize)" in plain.output
    warning = standardized.output.split("trained on")[0]
    assert "stopped after 2 iterations" in warning and "--standardize" not in warning


def test_times_read_from_standard_input_keep_their_spelling(tmp_path):
    text = ("x,ts,y\n0.1,2020-01-31 10:00,a\n0.5,2020-01-31 11:30,b\n"
            "0.3,2020-01-31 10:00,b\n0.9,2020-01-31 11:30,a\n0.2,2020-01-31 10:00,a\n")
    (tmp_path / "ts.csv").write_text(text)
    trained = run(["train", "-", "--target", "y", "--out", "m.json", "-q"], tmp_path,
                  stdin=text.encode())
    assert trained.returncode == 0, trained.stderr.decode()
    names = json.loads((tmp_path / "m.json").read_text())["features"]["names"]
    assert names == ["x", "ts=2020-01-31 11:30"]
    assert len(read_csv_output(run(["predict", "m.json", "ts.csv"], tmp_path))) == 5


def test_weighted_metrics_with_a_class_of_zero_weight_are_undefined_not_warned(work, tmp_path):
    root, df = work
    ok(invoke(tmp_path, ["train", str(root / "d.csv"), "--target", "churn", "--features",
                         "age,income", "--out", "m.json", "-q"]))
    df.assign(w=np.where(df.churn == "yes", 0.0, 1.0)).to_csv(tmp_path / "w.csv", index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = invoke(tmp_path, ["evaluate", "m.json", "w.csv", "--target", "churn",
                                   "--sample-weight", "w"])
    text = ok(result)
    assert "metrics weighted by 'w'" in text
    assert "ROC AUC                    n/a" in text and "PR AUC                     n/a" in text


def test_evaluate_names_a_probability_out_of_range(work, tmp_path):
    root, df = work
    ok(invoke(tmp_path, ["train", str(root / "d.csv"), "--target", "p", "--features", "age",
                         "--out", "m.json", "-q"]))
    refused = invoke(tmp_path, ["evaluate", "m.json", str(root / "p_over.csv"), "--target", "p"])
    assert refused.exit_code == 2
    assert "1 value(s) outside [0, 1], the first 1.2 in data row 5" in refused.output


def test_a_named_pandas_index_in_parquet_is_a_column(work, tmp_path):
    _, df = work
    ids = np.random.default_rng(0).permutation(len(df))  # not a range: stored as a column
    df.assign(row_id=ids).set_index("row_id").to_parquet(tmp_path / "i.parquet")
    ok(invoke(tmp_path, ["train", "i.parquet", "--target", "churn", "--features",
                         "age,row_id", "--out", "m.json", "-q"]))
    names = json.loads((tmp_path / "m.json").read_text())["features"]["names"]
    assert names == ["age", "row_id"]


def test_class_weights_take_numeric_labels_in_another_spelling(work, tmp_path):
    _, df = work
    df.assign(y=(df.churn == "yes").astype(float)).to_csv(tmp_path / "f.csv", index=False)
    fits = []
    for spelling in ("1.0:2", "1:2"):
        ok(invoke(tmp_path, ["train", "f.csv", "--target", "y", "--features", "age",
                             "--class-weight", spelling, "--out", "m.json", "-q", "--force"]))
        fits.append(json.loads((tmp_path / "m.json").read_text())["coef"])
    assert fits[0] == fits[1]


def test_an_unseen_category_with_a_line_break_keeps_the_error_on_one_line(work, tmp_path):
    _, df = work
    df.assign(city=np.resize(["A\nB", "C"], len(df))).to_csv(tmp_path / "nl.csv", index=False)
    ok(invoke(tmp_path, ["train", "nl.csv", "--target", "churn", "--features", "age,city",
                         "--out", "m.json", "-q"]))
    df.assign(city="D").to_csv(tmp_path / "new.csv", index=False)
    refused = invoke(tmp_path, ["predict", "m.json", "new.csv"])
    assert refused.exit_code == 2 and refused.output.count("\n") == 1
    assert "(known: 'A\\nB', C); recode it" in refused.output


def test_the_help_names_every_data_format_the_reader_takes():
    import re

    from logitfit._io import SUPPORTED

    text = CliRunner().invoke(main, ["--help"]).output
    named = set(re.findall(r"\.[a-z]+(?:\.[a-z0-9]+)?\b", text))
    assert named == set(SUPPORTED)
    readme = Path(__file__).resolve().parents[1] / "README.md"
    if readme.exists():
        data = readme.read_text(encoding="utf-8").split("- **Data** by extension:")[1]
        data = data.split("read with pyarrow")[0]
        assert set(re.findall(r"`(\.[a-z0-9.]+)`", data)) == set(SUPPORTED)


def test_counts_of_one_are_singular(work, tmp_path):
    # One feature: the train line must not say "1 features".
    root, df = work
    out = ok(invoke(root, ["train", "d.csv", "--target", "churn", "--features", "age",
                           "--out", str(tmp_path / "one.json")]))
    rows = len(df)
    assert f"trained on {rows} rows, 1 feature; " in out
