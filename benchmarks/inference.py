"""Inference benchmark: logitfit fit + summary() against statsmodels Logit fit + summary().

Both run in this process on the same float64 data, alternating (logitfit, statsmodels,
logitfit, ...), and the medians of the repeats are compared. statsmodels gets its design
matrix with the constant column prepared outside the timed region. A second table measures
what the separation monitor costs ordinary unpenalised fits: the same penalty=None fit with
the monitor and with the estimator's monitor switched off (the only difference: a
penalty='l2', C=1e300 fit would also skip the unpenalised stopping rule's last Newton steps).

    python benchmarks/inference.py            # 1,000,000 x 20, 3 repeats, ~1 GB of memory
    python benchmarks/inference.py --quick    # tiny data, prints only

The tables are written to benchmarks/RESULTS.md under "## Inference" (only that section is
replaced; the file is created if missing). ``--quick`` writes only when ``--results`` is given.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

HEADING = "## Inference"


def make_data(n: int, d: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    X[:, 1:] += 0.3 * X[:, :1]  # some correlation, as in real data
    w = rng.normal(scale=0.5, size=d)
    p = 1.0 / (1.0 + np.exp(-(X @ w - 0.5)))
    y = (rng.random(n) < p).astype(np.float64)
    return np.ascontiguousarray(X), y


def run_logitfit(X, y):
    from logitfit import LogisticRegression

    start = time.perf_counter()
    model = LogisticRegression(penalty=None).fit(X, y)
    fitted = time.perf_counter()
    summary = model.summary()
    text = str(summary)
    stop = time.perf_counter()
    return stop - start, stop - fitted, summary, text


def run_statsmodels(exog, y):
    import statsmodels.api as sm

    start = time.perf_counter()
    result = sm.Logit(y, exog).fit(disp=0)
    text = str(result.summary())
    return time.perf_counter() - start, result, text


# Rounds of the monitor's table: its difference is a few per cent, below the noise of three.
_PAIR_REPEATS = 7


def time_fit_pair(X, y, repeats: int, solver: str) -> tuple[float, float, float]:
    """Medians of the same unpenalised fit with the separation monitor and without it, and
    the median of their ratio within each round, alternating so that both see the same
    machine load (the ratio of medians of three runs swung by a fifth on this machine)."""
    from unittest import mock

    from logitfit import LogisticRegression

    with_monitor, without = [], []
    for _ in range(repeats):
        for monitored, times in ((True, with_monitor), (False, without)):
            # Without: the estimator builds no monitor (as for a penalised fit), and the
            # solver runs with the same rules otherwise.
            switch = (mock.patch("logitfit._estimator.SeparationMonitor",
                                 lambda objective, callback: None)
                      if not monitored else contextlib.nullcontext())
            with switch:
                start = time.perf_counter()
                LogisticRegression(penalty=None, solver=solver).fit(X, y)
                times.append(time.perf_counter() - start)
    ratios = [a / b for a, b in zip(with_monitor, without, strict=True)]
    return statistics.median(with_monitor), statistics.median(without), statistics.median(ratios)


def write_section(path: Path, body: str) -> None:
    """Replace (or append) the '## Inference' section of ``path``, keeping everything else."""
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == HEADING), None)
    if start is None:
        new = text.rstrip("\n") + "\n\n" + body.rstrip("\n") + "\n"
    else:
        stop = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
                    len(lines))
        kept_after = "\n".join(lines[stop:])
        new = "\n".join(lines[:start]) + ("\n" if start else "") + body.rstrip("\n") + "\n"
        if kept_after:
            new += "\n" + kept_after + "\n"
    path.write_text(new)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny data, one repeat")
    parser.add_argument("--n", type=int, default=None, help="rows (default 1,000,000)")
    parser.add_argument("--d", type=int, default=20, help="features (default 20)")
    parser.add_argument("--repeats", type=int, default=None, help="default 3 (1 with --quick)")
    parser.add_argument("--results", type=Path, default=None,
                        help="file to write the section to (default benchmarks/RESULTS.md)")
    args = parser.parse_args(argv)
    n = args.n or (20_000 if args.quick else 1_000_000)
    repeats = args.repeats or (1 if args.quick else 3)
    results = args.results
    if results is None and not args.quick:
        results = Path(__file__).with_name("RESULTS.md")

    import numba
    import statsmodels

    import logitfit

    X, y = make_data(n, args.d)
    exog = np.column_stack([np.ones(n), X])  # statsmodels' constant, built untimed

    # Warm-up on small data: numba's compiled kernels load once per process.
    run_logitfit(X[:5000], y[:5000])

    ours, ours_summary, theirs = [], [], []
    for _ in range(repeats):
        seconds, summary_seconds, summary, _ = run_logitfit(X, y)
        ours.append(seconds)
        ours_summary.append(summary_seconds)
        seconds, reference, _ = run_statsmodels(exog, y)
        theirs.append(seconds)
    agreement = float(np.max(np.abs(summary.bse - reference.bse) / reference.bse))
    llf_agreement = abs(summary.llf - reference.llf) / abs(reference.llf)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        overhead_rows = []
        for solver in ("newton-cholesky", "newton-cg", "lbfgs"):
            overhead_rows.append((solver, *time_fit_pair(X, y, max(repeats, _PAIR_REPEATS),
                                                         solver)))

    t_ours, t_theirs = statistics.median(ours), statistics.median(theirs)
    t_summary = statistics.median(ours_summary)
    machine = (f"{platform.machine()}, {os.cpu_count()} CPU cores shared with other jobs, "
               f"numba threads {numba.get_num_threads()}, Python {platform.python_version()}, "
               f"logitfit {logitfit.__version__}, statsmodels {statsmodels.__version__}")
    body = "\n".join([
        HEADING,
        "",
        f"`python benchmarks/inference.py{' --quick' if args.quick else ''}`: fit plus "
        f"summary on {n:,} x {args.d} float64 (synthetic, seeded), same process, alternating "
        f"runs, medians of {repeats}. Machine: {machine}. The machine was shared with other "
        "work while this ran, so absolute times are noisy; the ratio is the figure to read.",
        "",
        "| task | logitfit (s) | statsmodels (s) | speed-up |",
        "|---|---:|---:|---:|",
        f"| `LogisticRegression(penalty=None).fit(X, y).summary()` + `str()` vs "
        f"`Logit(y, X1).fit()` + `summary()` | {t_ours:.2f} | {t_theirs:.2f} | "
        f"{t_theirs / t_ours:.1f}x |",
        "",
        f"logitfit's time is fit ({t_ours - t_summary:.2f} s) plus summary() "
        f"({t_summary:.2f} s), which includes the exact separation check it runs for "
        "unpenalised fits. Agreement on this data: max relative difference of the standard "
        f"errors {agreement:.1e}, of the log-likelihood {llf_agreement:.1e}.",
        "",
        "Cost of the separation monitor on ordinary (non-separated) unpenalised fits: the "
        "same `penalty=None` fit with the monitor and with the estimator's monitor switched "
        f"off, alternating, medians of {max(repeats, _PAIR_REPEATS)} (the ratio: the median "
        "of the ratios within each round).",
        "",
        "| solver | with monitor (s) | without (s) | ratio |",
        "|---|---:|---:|---:|",
        *(f"| {solver} | {a:.3f} | {b:.3f} | {ratio:.2f} |"
          for solver, a, b, ratio in overhead_rows),
        "",
    ])
    print(body)
    if results is not None:
        write_section(results, body)
        print(f"wrote the '{HEADING}' section of {results}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
