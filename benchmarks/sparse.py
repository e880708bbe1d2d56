"""Sparse models benchmark: logitfit's L1 / elastic-net solvers against scikit-learn's.

Three tasks, each timed side by side in one process, every solver to the same objective:

1. L1 on a text-like CSR workload (200,000 x 50,000, 0.2% non-zeros, tf-idf-like rows of
   unit norm, Zipf-distributed column frequencies) at the C that keeps ~1% of the
   coefficients. Peers: scikit-learn's saga and liblinear. No intercept, so that liblinear
   (which penalises its intercept) solves the same problem.
2. The 50-point L1 path on that workload, from C_min (no coefficient) to that C,
   geometrically spaced. logitfit: ``regularization_path`` (warm starts); peers: saga refitted
   along the grid with ``warm_start=True``, and liblinear (which has no warm start) refitted
   from scratch.
3. Elastic net (l1_ratio=0.5) on a dense 200,000 x 500 workload with an intercept, at the C
   where about half of the coefficients are non-zero. Peer: saga (the only scikit-learn solver
   for elastic net).

"The same objective": the reference F* is logitfit's solution at tol=1e-11 (the KKT
conditions then hold to 1e-11 per unit weight). Every solver is run with a decreasing
sequence of its own ``tol`` until its objective is within 1e-8 relative of F* (at every C
for the path); the time reported is the median of the repeats at that first sufficient
``tol``. A run that exceeds the cap (full size: 120 s for a fit, 300 s for a path) ends the
search for that solver, which is reported as "> cap (capped)"; when one run takes more than a
third of the cap it is not repeated, and the table says "(1 run)".

Usage::

    python benchmarks/sparse.py            # full sizes (tens of minutes on 2 cores)
    python benchmarks/sparse.py --quick    # 10x smaller, a minute or two
    python benchmarks/sparse.py --smoke    # tiny, seconds (used by the test suite)
    python benchmarks/sparse.py --tasks l1 # only the single L1 fit

The tables go to ``benchmarks/RESULTS.md`` under ``## Sparse models`` (only that section is
replaced; with ``--tasks``, only the tables of the tasks run) and to stdout.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numba
import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

import logitfit
from logitfit._objective import BCEObjective
from logitfit._path import fit_path, max_null_gradient

SECTION = "## Sparse models"
TARGET = 1e-8

SIZES = {
    "full": {"text": (200_000, 50_000, 0.002), "dense": (200_000, 500), "repeats": 3,
             "cap": 120.0, "path_cap": 300.0, "path_points": 50},
    "quick": {"text": (20_000, 5_000, 0.004), "dense": (20_000, 100), "repeats": 3,
              "cap": 60.0, "path_cap": 120.0, "path_points": 50},
    "smoke": {"text": (600, 300, 0.02), "dense": (500, 20), "repeats": 1, "cap": 20.0,
              "path_cap": 20.0, "path_points": 5},
}

OUR_TOLS = (1e-6, 1e-7, 1e-8, 1e-9, 1e-10)
SK_TOLS = (1e-4, 1e-6, 1e-8, 1e-10)


# --------------------------------------------------------------------------- workloads


def make_text_like(n: int, d: int, density: float, *, seed: int = 0):
    """CSR (n, d) with ~density·d entries per row: Zipf column frequencies, log-count tf-idf
    values, rows of unit norm; labels from a logistic model on 1% of the columns."""
    rng = np.random.default_rng(seed)
    per_row = max(1, int(round(density * d)))
    p = 1.0 / (np.arange(1, d + 1) + 20.0) ** 0.8
    p /= p.sum()
    columns = rng.choice(d, size=n * per_row, p=p).astype(np.int32)
    counts = rng.geometric(0.6, size=n * per_row).astype(np.float64)
    indptr = np.arange(0, n * per_row + 1, per_row, dtype=np.int64)
    X = sp.csr_matrix((np.log1p(counts), columns, indptr), shape=(n, d))
    X.sum_duplicates()
    df = np.bincount(X.indices, minlength=d)
    X.data *= (np.log((1 + n) / (1 + df)) + 1.0)[X.indices]
    norms = np.sqrt(np.add.reduceat(X.data**2, X.indptr[:-1]))
    X.data /= np.repeat(norms, np.diff(X.indptr))
    w = np.zeros(d)
    informative = rng.choice(d, max(1, d // 100), replace=False)
    w[informative] = rng.standard_normal(informative.size) * 8.0
    z = X @ w
    z -= np.median(z)
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-z))).astype(np.float64)
    return X, y


def make_dense(n: int, d: int, *, seed: int = 1):
    """Dense (n, d) standardised features with correlation 0.3 between neighbours; 10% of
    the coefficients informative, an intercept of 0.5."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    X[:, 1:] = 0.3 * X[:, :-1] + np.sqrt(1 - 0.09) * X[:, 1:]
    w = np.zeros(d)
    informative = rng.choice(d, max(1, d // 10), replace=False)
    w[informative] = rng.standard_normal(informative.size)
    z = X @ w + 0.5
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-z))).astype(np.float64)
    return X, y


# --------------------------------------------------------------------------- timing


@dataclass
class Timing:
    solver: str
    times: list[float] = field(default_factory=list)
    tol: float | None = None
    capped: bool = False
    reached: bool = False
    detail: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")

    def cell(self, cap: float) -> str:
        if self.capped:
            return f"> {cap:.0f} (capped)"
        if not self.reached:
            return "did not reach 1e-8"
        note = "" if len(self.times) > 1 else " (1 run)"
        return f"{self.median:.3g}{note}"


def with_threads(run, threads):
    """``run`` with numba limited to ``threads`` threads (restored afterwards)."""
    def limited(tol):
        previous = numba.get_num_threads()
        numba.set_num_threads(threads)
        try:
            return run(tol)
        finally:
            numba.set_num_threads(previous)
    return limited


def ours_rows(name, run, reached, *, repeats, cap) -> list[Timing]:
    """logitfit single-threaded (like the peers) and, on a multi-core machine, threaded."""
    rows = [time_to_target(f"{name}, 1 thread", with_threads(run, 1), OUR_TOLS, reached,
                           repeats=repeats, cap=cap)]
    threads = numba.config.NUMBA_NUM_THREADS
    if threads > 1:
        rows.append(time_to_target(f"{name}, {threads} threads", with_threads(run, threads),
                                   OUR_TOLS, reached, repeats=repeats, cap=cap))
    return rows


class Capped(Exception):
    """Raised by a run that has used up its time (checked between the fits of a path)."""


def time_to_target(name, run, tols, reached, *, repeats, cap) -> Timing:
    """Run ``run(tol)`` for decreasing tols until ``reached(result)``; then repeat that tol.

    Repeats are skipped when one run already takes more than a third of the cap.
    """
    timing = Timing(name)
    for tol in tols:
        start = time.perf_counter()
        try:
            result = run(tol)
        except Capped:
            result = None
        elapsed = time.perf_counter() - start
        if result is None or elapsed > cap:
            timing.capped = True
            timing.detail = f"tol={tol:g} took {elapsed:.0f} s"
            return timing
        if reached(result):
            timing.reached, timing.tol, timing.times = True, tol, [elapsed]
            for _ in range(repeats - 1):
                if elapsed > cap / 3:
                    break
                start = time.perf_counter()
                run(tol)
                timing.times.append(time.perf_counter() - start)
            return timing
    return timing


def objective_value(X, y, coef, intercept, C, l1_ratio):
    obj = BCEObjective(X, y, C=C, l1_ratio=l1_ratio, fit_intercept=intercept is not None)
    theta = coef if intercept is None else np.r_[coef, intercept]
    return obj.value(theta) + obj.penalty_value(theta)


def sklearn_fit(X, y, *, C, l1_ratio, solver, tol, fit_intercept, warm=None):
    model = warm or SkLogisticRegression(l1_ratio=l1_ratio, solver=solver,
                                         fit_intercept=fit_intercept, max_iter=100_000,
                                         warm_start=warm is not None)
    model.set_params(C=C, tol=tol)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    return model


# --------------------------------------------------------------------------- tasks


def choose_C(objective, l1_ratio, target_fraction, n_points=40):
    """Walk a coarse path up from C_min until target_fraction of the coefficients are
    non-zero; return the C of the closest point, and C_min."""
    C_min = l1_ratio / max_null_gradient(objective)
    grid = np.geomspace(C_min, C_min * 1e4, n_points)
    coef, best, best_gap = None, grid[0], np.inf
    for C in grid:
        out = fit_path(objective, np.array([C]), l1_ratio, tol=1e-6, coef0=coef)
        coef = out["coef"][0]
        gap = abs(out["n_nonzero"][0] / objective.n_features - target_fraction)
        if gap < best_gap:
            best, best_gap = C, gap
        if out["n_nonzero"][0] / objective.n_features > target_fraction:
            break
    return float(best), C_min


def task_l1(X, y, C, *, repeats, cap):
    d = X.shape[1]
    reference = logitfit.LogisticRegression("l1", C=C, fit_intercept=False, tol=1e-11).fit(X, y)
    f_star = objective_value(X, y, reference.coef_.ravel(), None, C, 1.0)

    def ours(tol):
        m = logitfit.LogisticRegression("l1", C=C, fit_intercept=False, tol=tol).fit(X, y)
        return objective_value(X, y, m.coef_.ravel(), None, C, 1.0)

    def peer(solver):
        def run(tol):
            m = sklearn_fit(X, y, C=C, l1_ratio=1.0, solver=solver, tol=tol, fit_intercept=False)
            return objective_value(X, y, m.coef_.ravel(), None, C, 1.0)
        return run

    def reached(f):
        return f <= f_star * (1 + TARGET)

    rows = ours_rows("logitfit (auto = cd)", ours, reached, repeats=repeats, cap=cap)
    for solver in ("liblinear", "saga"):
        rows.append(time_to_target(f"scikit-learn {solver}", peer(solver), SK_TOLS, reached,
                                   repeats=repeats, cap=cap))
    info = f"C = {C:.4g}, {np.count_nonzero(reference.coef_)} of {d} coefficients non-zero"
    return rows, info


def task_path(X, y, grid, *, repeats, cap):
    objective = BCEObjective(X, y, fit_intercept=False)
    exact = fit_path(objective, grid, 1.0, tol=1e-11)
    f_star = exact["objective"]

    def reached(values):
        return bool(np.all(np.asarray(values) <= f_star * (1 + TARGET)))

    def ours(tol):
        path = logitfit.regularization_path(X, y, Cs=grid, fit_intercept=False, tol=tol)
        return path.objective

    def saga_warm(tol):
        model, values, start = None, [], time.perf_counter()
        for C in grid:
            if time.perf_counter() - start > cap:
                raise Capped
            model = sklearn_fit(X, y, C=C, l1_ratio=1.0, solver="saga", tol=tol,
                                fit_intercept=False, warm=model)
            values.append(objective_value(X, y, model.coef_.ravel(), None, C, 1.0))
        return values

    def liblinear_cold(tol):
        values, start = [], time.perf_counter()
        for C in grid:
            if time.perf_counter() - start > cap:
                raise Capped
            model = sklearn_fit(X, y, C=C, l1_ratio=1.0, solver="liblinear", tol=tol,
                                fit_intercept=False)
            values.append(objective_value(X, y, model.coef_.ravel(), None, C, 1.0))
        return values

    rows = ours_rows("logitfit regularization_path", ours, reached, repeats=repeats, cap=cap)
    rows += [time_to_target("scikit-learn liblinear (no warm start)", liblinear_cold, SK_TOLS,
                           reached, repeats=repeats, cap=cap),
            time_to_target("scikit-learn saga, warm_start=True", saga_warm, SK_TOLS, reached,
                           repeats=repeats, cap=cap)]
    info = (f"{grid.size} values of C from {grid[0]:.4g} (C_min) to {grid[-1]:.4g}; "
            f"non-zeros {exact['n_nonzero'][0]} to {exact['n_nonzero'][-1]}")
    return rows, info


def task_elasticnet(X, y, C, *, repeats, cap):
    reference = logitfit.LogisticRegression("elasticnet", C=C, l1_ratio=0.5, tol=1e-11).fit(X, y)
    f_star = objective_value(X, y, reference.coef_.ravel(), reference.intercept_[0], C, 0.5)

    def ours(tol):
        m = logitfit.LogisticRegression("elasticnet", C=C, l1_ratio=0.5, tol=tol).fit(X, y)
        return objective_value(X, y, m.coef_.ravel(), m.intercept_[0], C, 0.5)

    def saga(tol):
        m = sklearn_fit(X, y, C=C, l1_ratio=0.5, solver="saga", tol=tol, fit_intercept=True)
        return objective_value(X, y, m.coef_.ravel(), m.intercept_[0], C, 0.5)

    def reached(f):
        return f <= f_star * (1 + TARGET)

    rows = ours_rows("logitfit (auto = cd)", ours, reached, repeats=repeats, cap=cap)
    rows.append(time_to_target("scikit-learn saga", saga, SK_TOLS, reached, repeats=repeats,
                               cap=cap))
    info = (f"C = {C:.4g}, {np.count_nonzero(reference.coef_)} of {X.shape[1]} coefficients "
            "non-zero, with intercept")
    return rows, info


# --------------------------------------------------------------------------- report


def table(title, info, rows, cap, goal) -> list[str]:
    ours = [r for r in rows if r.solver.startswith("logitfit")]
    peers = [r for r in rows if not r.solver.startswith("logitfit")]
    reached = [r for r in peers if r.reached]
    best = min(reached, key=lambda r: r.median) if reached else None
    lines = [f"### {title}", "", info + ".", "",
             "| solver | tol used | time (s), median | time / fastest peer |",
             "|---|---|---|---|"]
    for r in rows:
        ratio = f"{r.median / best.median:.2f}" if r.reached and best is not None else "–"
        tol = f"{r.tol:g}" if r.tol is not None else "–"
        lines.append(f"| {r.solver} | {tol} | {r.cell(cap)} | {ratio} |")
    lines.append("")
    for r in ours:
        if best is not None and r.reached:
            lines.append(f"- {r.solver} / fastest peer ({best.solver}): "
                         f"**{r.median / best.median:.2f}x** (goal: at most {goal}x).")
        elif r.reached:
            lines.append(f"- {r.solver}: no peer reached the objective within the cap "
                         f"(goal: at most {goal}x).")
    return lines + [""]


TASK_TITLES = {"l1": "### L1, ", "path": "-point L1 path", "elasticnet": "### Elastic net"}


def task_of(title: str) -> str | None:
    """The task whose table has this ``### `` title."""
    return next((task for task, key in TASK_TITLES.items() if key in title), None)


def write_section(path: Path, body: list[str], *, keep_tasks=()) -> None:
    """Replace the ``## Sparse models`` section of ``path`` (create file/section if missing).

    The tables of ``keep_tasks`` (tasks not run this time) are kept from the old section,
    each with the provenance line it was measured under, in the order of ``TASK_TITLES``.
    """
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == SECTION), None)
    end = start
    if start is not None:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
                   len(lines))
    old = _tables(lines[start + 1:end] if start is not None else [])
    new = _tables(body)
    head = body[: next((i for i, line in enumerate(body) if line.startswith("### ")),
                       len(body))]
    merged = list(head)
    for task in TASK_TITLES:
        table_lines = new.get(task) or (old.get(task) if task in keep_tasks else None)
        merged += table_lines or []
    if start is None:
        new_lines = lines + ([""] if lines and lines[-1] else []) + [SECTION, ""] + merged
    else:
        new_lines = lines[:start] + [SECTION, ""] + merged + lines[end:]
    path.write_text("\n".join(new_lines).rstrip("\n") + "\n")


def _tables(lines: list[str]) -> dict[str, list[str]]:
    """Split a section's lines into its ``### `` tables, keyed by task."""
    tables: dict[str, list[str]] = {}
    current = None
    for line in lines:
        if line.startswith("### "):
            current = task_of(line)  # a table of no known task is dropped
            if current is not None:
                tables[current] = []
        if current is not None:
            tables[current].append(line)
    return tables


def environment() -> str:
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, cwd=Path(__file__).parent, check=False).stdout.strip()
    except OSError:
        commit = "?"
    import sklearn
    cpu = platform.processor() or platform.machine()
    return (f"{datetime.date.today()}, commit {commit or '?'}, {cpu}, "
            f"{os.cpu_count()} CPUs, numba threads {numba.config.NUMBA_NUM_THREADS}, Python "
            f"{platform.python_version()}, scikit-learn {sklearn.__version__}, logitfit "
            f"{logitfit.__version__}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="10x smaller workloads")
    size.add_argument("--smoke", action="store_true", help="tiny workloads (for tests)")
    parser.add_argument("--output", type=Path, default=Path(__file__).parent / "RESULTS.md")
    parser.add_argument("--cap", type=float, default=None,
                        help="seconds after which a run is stopped and reported as capped")
    parser.add_argument("--tasks", default=",".join(TASK_TITLES),
                        help="comma-separated subset of l1,path,elasticnet to run; the tables "
                             "of the others are kept from the output file")
    args = parser.parse_args(argv)
    tasks = [task.strip() for task in args.tasks.split(",") if task.strip()]
    unknown = sorted(set(tasks) - set(TASK_TITLES))
    if unknown:
        parser.error(f"unknown task(s) {', '.join(unknown)}; choose from "
                     f"{', '.join(TASK_TITLES)}")
    mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    cfg = SIZES[mode]
    cap = args.cap or cfg["cap"]
    repeats = cfg["repeats"]
    measured = f"Measured in mode `{mode}`; {environment()}."
    body = [f"Timings are medians of {repeats} runs (fewer where marked) on a shared machine, "
            "so they are noisy: read the ratios, not the seconds. scikit-learn's saga and "
            "liblinear are single-threaded, so logitfit is timed on 1 thread (like for like) "
            "and with all of numba's threads. Each table says when and at which commit it was "
            "measured.", ""]

    def add(part):
        part[1:1] = ["", measured]
        body.extend(part)
        print("\n".join(part), flush=True)

    if "l1" in tasks or "path" in tasks:
        n, d, density = cfg["text"]
        X, y = make_text_like(n, d, density)
        text_objective = BCEObjective(X, y, fit_intercept=False)
        C_1pct, C_min = choose_C(text_objective, 1.0, 0.01)
        print(f"text-like CSR {n} x {d}, {X.nnz} non-zeros; C(1%) = {C_1pct:.4g}", flush=True)
        if "l1" in tasks:
            rows, info = task_l1(X, y, C_1pct, repeats=repeats, cap=cap)
            add(table(f"L1, text-like CSR {n:,} x {d:,} ({density:.1%} non-zeros)", info,
                      rows, cap, 0.5))
        if "path" in tasks:
            grid = np.geomspace(C_min, C_1pct, cfg["path_points"])
            path_cap = args.cap or cfg["path_cap"]
            rows, info = task_path(X, y, grid, repeats=repeats, cap=path_cap)
            add(table(f"{grid.size}-point L1 path, same workload", info, rows, path_cap, 0.3))

    if "elasticnet" in tasks:
        n, d = cfg["dense"]
        X, y = make_dense(n, d)
        C_half, _ = choose_C(BCEObjective(X, y), 0.5, 0.5)
        rows, info = task_elasticnet(X, y, C_half, repeats=repeats, cap=cap)
        add(table(f"Elastic net (l1_ratio=0.5), dense {n:,} x {d:,}", info, rows, cap, 0.5))

    write_section(args.output, body, keep_tasks=set(TASK_TITLES) - set(tasks))
    print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
