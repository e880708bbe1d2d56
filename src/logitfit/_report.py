"""The report: PNG plots and an ``index.html`` that shows them with the metrics and summary.

Plots (matplotlib, written without a display):

- ``convergence.png``: objective and gradient norm ‖∇f‖∞/Σs per iteration;
- ``roc.png`` and ``precision_recall.png``: the curves with their areas;
- ``calibration.png``: fraction of positives against mean predicted probability per bin;
- ``coefficients.png``: coefficients with their confidence intervals where the summary has them
  (the 40 largest in magnitude when there are more: a plot of a thousand dummies is unreadable,
  and the summary lists them all).

Only those whose inputs are available are drawn (a report of a model file alone has no curves).
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass

import numpy as np

from ._evaluation import calibration_bins


@dataclass
class Coefficients:
    """What the coefficient plot shows, shape (n_terms,) each; intervals may be None."""

    names: list[str]
    values: np.ndarray
    lower: np.ndarray | None = None
    upper: np.ndarray | None = None
    level: float | None = None  # e.g. 0.95

    def largest(self, k: int) -> Coefficients:
        """The k terms of largest magnitude, in their original order."""
        if len(self.names) <= k:
            return self
        keep = np.sort(np.argsort(-np.abs(self.values), kind="stable")[:k])

        def pick(bounds):
            return None if bounds is None else np.asarray(bounds)[keep]

        return Coefficients([self.names[i] for i in keep], np.asarray(self.values)[keep],
                            pick(self.lower), pick(self.upper), self.level)


# The coefficient plot shows at most this many terms.
_MAX_PLOTTED_COEFFICIENTS = 40


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only: works without a display
    import matplotlib.pyplot as plt

    return plt


def _convergence(plt, history: dict, path: str) -> None:
    objective = np.asarray(history["objective"], dtype=float)
    grad = np.asarray(history["grad_norm"], dtype=float)
    iterations = np.arange(objective.shape[0])
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
    left.plot(iterations, objective, marker="o", markersize=3)
    left.set(xlabel="iteration", ylabel="objective", title="Objective")
    positive = grad > 0
    right.semilogy(iterations[positive], grad[positive], marker="o", markersize=3,
                   color="tab:red")
    right.set(xlabel="iteration", ylabel="‖∇f‖∞ / Σs", title="Gradient norm")
    for ax in (left, right):
        ax.grid(alpha=0.3)
        ax.xaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _roc(plt, y, proba, weight, auc, path: str) -> None:
    from sklearn.metrics import roc_curve

    fpr, tpr, _ = roc_curve(y, proba, sample_weight=weight)
    fig, ax = plt.subplots(figsize=(4.4, 4.2))
    ax.plot(fpr, tpr, label=f"ROC AUC = {auc:.4f}")
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1, label="chance")
    ax.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC curve",
           xlim=(0, 1), ylim=(0, 1.01))
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _precision_recall(plt, y, proba, weight, auc, path: str) -> None:
    from sklearn.metrics import precision_recall_curve

    precision, recall, _ = precision_recall_curve(y, proba, sample_weight=weight)
    base = float(np.average(y, weights=weight))
    fig, ax = plt.subplots(figsize=(4.4, 4.2))
    ax.step(recall, precision, where="post", label=f"average precision = {auc:.4f}")
    ax.axhline(base, linestyle="--", color="grey", linewidth=1, label="positive rate")
    ax.set(xlabel="recall", ylabel="precision", title="Precision-recall curve",
           xlim=(0, 1), ylim=(0, 1.01))
    ax.legend(loc="lower left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _calibration(plt, y, proba, weight, error, path: str) -> None:
    mean_p, frac, counts = calibration_bins(y, proba, weight)
    fig, ax = plt.subplots(figsize=(4.4, 4.2))
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1, label="perfect")
    ax.plot(mean_p, frac, marker="o", label=f"model (ECE = {error:.4f})")
    ax.set(xlabel="mean predicted probability", ylabel="fraction of positives",
           title="Calibration (10 bins)", xlim=(0, 1), ylim=(0, 1))
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _coefficients(plt, coefs: Coefficients, path: str) -> None:
    n = len(coefs.names)
    fig, ax = plt.subplots(figsize=(6.4, max(2.4, 0.24 * n + 1.2)))
    rows = np.arange(n)[::-1]
    if coefs.lower is not None:
        err = np.vstack([coefs.values - coefs.lower, coefs.upper - coefs.values])
        ax.errorbar(coefs.values, rows, xerr=err, fmt="o", markersize=4, capsize=2,
                    label=f"{100 * coefs.level:g}% confidence interval")
        ax.legend(loc="lower right", fontsize=8)
    else:
        ax.plot(coefs.values, rows, "o", markersize=4)
    ax.axvline(0, color="grey", linewidth=1)
    ax.set_yticks(rows, coefs.names, fontsize=8)
    ax.set(xlabel="coefficient", title="Coefficients")
    ax.grid(alpha=0.3, axis="x")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 1100px;
       color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; } h2 { font-size: 1.15em; margin-top: 1.4em; }
.meta { color: #555; }
table { border-collapse: collapse; font-size: 0.9em; }
td, th { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th { background: #f3f3f3; } td:first-child, th:first-child { text-align: left; }
.plots { display: flex; flex-wrap: wrap; gap: 0.8em; align-items: flex-start; }
.plots figure { margin: 0; } .plots figcaption { color: #555; font-size: 0.85em; }
.plots img { border: 1px solid #ddd; max-width: 100%; }
.plots img.square { width: 340px; }
table.facts td { text-align: left; }
pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
.grid { display: flex; gap: 2em; flex-wrap: wrap; align-items: flex-start; }
"""

_METRIC_LABELS = [
    ("log_loss", "log loss"), ("accuracy", "accuracy"), ("precision", "precision"),
    ("recall", "recall"), ("f1", "F1"), ("roc_auc", "ROC AUC"), ("pr_auc", "PR AUC"),
    ("brier", "Brier score"), ("calibration_error", "calibration error (ECE)"),
]


def metric_rows(metrics: dict) -> list[tuple[str, str]]:
    """(label, formatted value) for each metric, in report order."""
    return [(label, "n/a" if metrics.get(key) is None else f"{metrics[key]:.4f}")
            for key, label in _METRIC_LABELS if key in metrics]


def _table(rows, header=None, css_class=None) -> str:
    out = [f'<table class="{css_class}">' if css_class else "<table>"]
    if header:
        out.append("<tr>" + "".join(f"<th>{html.escape(str(h))}</th>" for h in header) + "</tr>")
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


# Every plot a report can have.
_PLOTS = ("convergence.png", "roc.png", "precision_recall.png", "calibration.png",
          "coefficients.png")


def write_report(
    directory: str,
    *,
    title: str,
    facts: list[tuple[str, str]],
    history: dict | None = None,
    y: np.ndarray | None = None,
    proba: np.ndarray | None = None,
    sample_weight: np.ndarray | None = None,
    metrics: dict | None = None,
    classes: list | None = None,
    coefficients: Coefficients | None = None,
    summary_text: str | None = None,
    generator: str = "logitfit",
) -> str:
    """Write the plots and ``index.html`` into ``directory`` (created if needed).

    Parameters
    ----------
    directory : str
    title : str
    facts : list of (str, str)
        Model facts shown at the top (data, solver, iterations, ...).
    history : dict, default=None
        ``objective`` and ``grad_norm`` per iteration, shape (n_iter + 1,) each.
    y, proba, sample_weight : ndarray of shape (n_samples,), default=None
        0/1 labels, predicted probabilities and weights of the evaluation data.
    metrics : dict, default=None
        From :func:`logitfit._evaluation.classification_metrics`.
    classes : list, default=None
        The two labels, for the confusion matrix.
    coefficients : Coefficients, default=None
    summary_text : str, default=None
        The summary table, shown as preformatted text.
    generator : str, default="logitfit"
        Written into the page's ``generator`` meta tag (lets ``logitfit demo`` recognise a
        report of its own).

    Returns
    -------
    str
        The path of ``index.html``.
    """
    plt = _pyplot()
    # A report replaced (--force) may have had plots this one has not (a ROC curve, before
    # data of one class): those are removed below, so the folder holds one report.
    replacing = os.path.exists(os.path.join(directory, "index.html"))
    os.makedirs(directory, exist_ok=True)
    images: list[tuple[str, str]] = []

    def place(name: str, caption: str, draw, *args) -> None:
        draw(plt, *args, os.path.join(directory, name))
        images.append((name, caption))

    if history and len(history.get("objective", [])) > 0:
        place("convergence.png", "Objective and gradient norm per iteration", _convergence,
              history)
    if y is not None and metrics is not None and metrics.get("roc_auc") is not None:
        place("roc.png", "ROC curve", _roc, y, proba, sample_weight, metrics["roc_auc"])
        place("precision_recall.png", "Precision-recall curve", _precision_recall, y, proba,
              sample_weight, metrics["pr_auc"])
    if y is not None and metrics is not None:
        place("calibration.png", "Calibration curve", _calibration, y, proba, sample_weight,
              metrics["calibration_error"])
    if coefficients is not None and len(coefficients.names) > 0:
        n_terms = len(coefficients.names)
        caption = "Coefficients"
        if n_terms > _MAX_PLOTTED_COEFFICIENTS:
            caption = (f"Coefficients: the {_MAX_PLOTTED_COEFFICIENTS} largest in magnitude of "
                       f"{n_terms} (the summary lists them all)")
        place("coefficients.png", caption, _coefficients,
              coefficients.largest(_MAX_PLOTTED_COEFFICIENTS))
    if replacing:
        written = {name for name, _ in images}
        for name in _PLOTS:
            stale = os.path.join(directory, name)
            if name not in written and os.path.isfile(stale):
                os.remove(stale)

    parts = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f'<meta name="generator" content="{html.escape(generator)}">',
        f"<title>{html.escape(title)}</title>", f"<style>{_STYLE}</style>", "</head>", "<body>",
        f"<h1>{html.escape(title)}</h1>",
        _table(facts, css_class="facts"),
    ]
    if metrics is not None:
        parts.append('<h2>Metrics</h2><div class="grid">')
        parts.append(_table(metric_rows(metrics), header=("metric", "value")))
        labels = [str(c) for c in (classes or ["0", "1"])]
        cm = metrics["confusion_matrix"]
        parts.append(_table(
            [[f"actual {labels[0]}", format_count(cm[0][0]), format_count(cm[0][1])],
             [f"actual {labels[1]}", format_count(cm[1][0]), format_count(cm[1][1])]],
            header=(f"threshold {metrics['threshold']:g}", f"predicted {labels[0]}",
                    f"predicted {labels[1]}")))
        parts.append("</div>")
    if images:
        parts.append('<h2>Plots</h2><div class="plots">')
        for name, caption in images:
            shape = "" if name in ("convergence.png", "coefficients.png") else ' class="square"'
            parts.append(f'<figure><img src="{name}"{shape} alt="{html.escape(caption)}">'
                         f"<figcaption>{html.escape(caption)}</figcaption></figure>")
        parts.append("</div>")
    if summary_text is not None:
        parts.append("<h2>Summary</h2>")
        parts.append(f"<pre>{html.escape(summary_text)}</pre>")
    parts += ["</body>", "</html>"]
    index = os.path.join(directory, "index.html")
    with open(index, "w", encoding="utf-8") as handle:
        handle.write("\n".join(parts) + "\n")
    return index


def format_count(value: float) -> str:
    """A count, or a weighted count with two decimals."""
    return f"{value:g}" if float(value).is_integer() else f"{value:.2f}"
