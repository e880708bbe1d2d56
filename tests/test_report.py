"""The HTML report: its files, and how it renders in headless Chromium."""

from __future__ import annotations

import shutil
import subprocess
import sys

import numpy as np
import pytest

import logitfit
from logitfit._evaluation import classification_metrics
from logitfit._report import Coefficients, write_report

CHROMIUM = next((shutil.which(name) for name in ("chromium", "chromium-browser",
                                                   "google-chrome") if shutil.which(name)), None)


@pytest.fixture(scope="module")
def report(tmp_path_factory, breast_cancer):
    X, y = breast_cancer
    model = logitfit.LogisticRegression().fit(X[:400], y[:400])
    proba = model.predict_proba(X[400:])[:, 1]
    metrics = classification_metrics(y[400:], proba)
    directory = tmp_path_factory.mktemp("report")
    names = [f"feature {j}" for j in range(X.shape[1])]
    coefs = Coefficients(names, model.coef_.ravel(), model.coef_.ravel() - 0.5,
                         model.coef_.ravel() + 0.5, 0.95)
    index = write_report(str(directory), title="test report", facts=[("data", "breast cancer")],
                         history=model.history_, y=y[400:], proba=proba, metrics=metrics,
                         classes=["malignant", "benign"], coefficients=coefs,
                         summary_text="coef  std err\n...")
    return directory, index, metrics


def test_report_files_and_page(report):
    directory, index, metrics = report
    html = open(index, encoding="utf-8").read()
    for name in ("convergence.png", "roc.png", "precision_recall.png", "calibration.png",
                 "coefficients.png"):
        assert (directory / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f'src="{name}"' in html
    assert f"{metrics['roc_auc']:.4f}" in html and "Brier score" in html
    assert "predicted benign" in html and "<pre>coef  std err" in html


def test_a_plot_of_many_coefficients_shows_the_largest(tmp_path):
    # 1,000 dummies: the plot keeps the 40 largest in magnitude, in their order, with their
    # intervals, and says so; its height stays that of 40 rows.
    from PIL import Image

    rng = np.random.default_rng(4)
    values = rng.normal(size=1000)
    names = [f"zip={k:04d}" for k in range(1000)]
    coefs = Coefficients(names, values, values - 0.1, values + 0.1, 0.95)
    kept = coefs.largest(40)
    expected = np.sort(np.argsort(-np.abs(values))[:40])
    assert kept.names == [names[i] for i in expected]
    np.testing.assert_array_equal(kept.values, values[expected])
    np.testing.assert_array_equal(kept.lower, values[expected] - 0.1)
    assert coefs.largest(1000) is coefs
    index = write_report(str(tmp_path), title="wide", facts=[], coefficients=coefs)
    page = open(index, encoding="utf-8").read()
    assert "the 40 largest in magnitude of 1000" in page
    with Image.open(tmp_path / "coefficients.png") as image:
        assert image.size[1] < 1500


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install "
                                             "chromium); CI installs it")
def test_report_renders_in_headless_chromium(report, tmp_path):
    directory, index, _ = report
    shot = tmp_path / "report.png"
    command = [CHROMIUM, "--headless", "--disable-gpu", "--hide-scrollbars",
               "--window-size=1200,1400", f"--screenshot={shot}", f"file://{index}"]
    if sys.platform.startswith("linux"):
        command.insert(1, "--no-sandbox")  # CI containers run as root
    subprocess.run(command, capture_output=True, timeout=120, check=True)
    from matplotlib.image import imread

    image = imread(shot)
    assert image.shape[:2] == (1400, 1200)
    # The page is not blank: the plots put many non-white pixels on it, and the ROC and
    # convergence plots' blue lines are drawn.
    rgb = image[..., :3]
    non_white = np.mean(np.any(rgb < 0.9, axis=-1))
    assert non_white > 0.03
    blue = (rgb[..., 2] > 0.6) & (rgb[..., 0] < 0.3)
    assert blue.sum() > 500
