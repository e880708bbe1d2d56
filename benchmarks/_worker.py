"""Worker process of the benchmark runner: loads one workload, answers JSON commands.

One worker per workload keeps the data loaded between runs, and lets the runner stop a peer
that runs past its time cap by ending the process. Commands arrive one JSON object per line on
stdin; each answer is one JSON object per line on stdout (nothing else is printed there).

Commands
--------
``reference``   the high-precision optimum: Newton to a gradient norm near 1e-12
``fit``         time one ``fit`` of one contender and evaluate the objective at its solution
``kernels``     the times of each round of loss+gradient, ``X.sum()``, a streaming read
                (float32 and float64), the Hessian and a GEMM
``memory``      peak extra resident memory of one ``solver="auto"`` fit
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import time
import tracemalloc
import warnings

import numba
import numpy as np
import scipy.sparse as sp

from logitfit._kernels import _CACHE_LINE_BYTES, _prefetch_rows, n_parts_for

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from workloads import load  # noqa: E402

BIG_ITER = 1_000_000
# OpenBLAS's worker threads busy-wait for about a tenth of a second after each threaded call,
# holding the cores: a loss+gradient pass started right after the GEMM below took half as long
# again as one started after X.sum(). Each timed call (kernel or fit) waits this long first,
# so that no call pays for the one before it.
SETTLE_SECONDS = 0.25


# How far ahead of the row being read the streaming read requests rows. Any distance from
# 4 to 32 KB gave about the same bandwidth here (within 6%).
_READ_AHEAD_BYTES = 16 * 1024


@numba.njit(parallel=True)
def _stream_read(X, n_parts):
    """Read every cache line of X once, on all threads, with as little work as can be.

    The read bandwidth a pass over X can reach on this machine (``X.sum()`` is one thread):
    one load per cache line of each row, and each row's last element, since a row need not
    start on a line boundary. Each row is requested (software prefetch, as logitfit's own
    passes do) ``_READ_AHEAD_BYTES`` before it is read: with plain loads alone, which leave
    the fetching to the hardware prefetchers, the same read reached about three quarters of
    that bandwidth. Rows are split into ``n_parts`` ranges as in logitfit's kernels.
    """
    n, d = X.shape
    step = max(1, _CACHE_LINE_BYTES // X.itemsize)
    ahead = max(1, _READ_AHEAD_BYTES // max(1, d * X.itemsize))
    sums = np.zeros(n_parts)
    for t in numba.prange(n_parts):
        start = (n * t) // n_parts
        stop = (n * (t + 1)) // n_parts
        total = 0.0
        for i in range(start, stop):
            _prefetch_rows(X, min(i + ahead, stop), min(i + ahead + 1, stop))
            for j in range(0, d, step):
                total += X[i, j]
            total += X[i, d - 1]
        sums[t] = total
    return sums.sum()


def _estimator(library: str, solver: str, tol: float, options: dict):
    if library == "logitfit":
        import logitfit

        return logitfit.LogisticRegression(C=1.0, solver=solver, tol=tol, max_iter=options.get(
            "max_iter", 100_000))
    from sklearn.linear_model import LogisticRegression

    kwargs = {"C": 1.0, "l1_ratio": 0.0, "solver": solver, "tol": tol, "max_iter": BIG_ITER}
    if solver == "liblinear":
        # liblinear penalises the intercept as a feature of value intercept_scaling; the runner
        # makes that scaling large enough that the penalty changes f* by < 1e-10 relative.
        kwargs["intercept_scaling"] = options["intercept_scaling"]
    if solver in ("sag", "saga"):
        kwargs["random_state"] = 0
    return LogisticRegression(**kwargs)


def _theta(model) -> np.ndarray:
    return np.r_[np.ravel(model.coef_), np.ravel(model.intercept_)].astype(np.float64)


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


class Worker:
    def __init__(self, path: str):
        from logitfit._objective import BCEObjective

        self.X, self.y = load(path)
        self.objective = BCEObjective(self.X, self.y, C=1.0, fit_intercept=True)
        self.warmed: set[tuple[str, str]] = set()

    def value(self, theta) -> float:
        return float(self.objective.value(np.asarray(theta, dtype=np.float64)))

    def _warm_up(self, library: str, solver: str, options: dict) -> None:
        # First use in this process: imports, numba's cache load, scikit-learn's lazy setup.
        # Done on a few rows so that the timed fit measures only the fit itself.
        if (library, solver) in self.warmed:
            return
        rows = min(self.X.shape[0], 500)
        X_small, y_small = self.X[:rows], self.y[:rows]
        if y_small.min() == y_small.max():
            y_small = y_small.copy()
            y_small[0] = 1.0 - y_small[0]
        _estimator(library, solver, 1e-4, options).fit(X_small, y_small)
        self.warmed.add((library, solver))

    def reference(self, tol: float) -> dict:
        import logitfit

        # Newton-CG where a Hessian is large (sparse, or more than 1000 features).
        wide = sp.issparse(self.X) or self.X.shape[1] > 1000
        solver = "newton-cg" if wide else "newton-cholesky"
        model = logitfit.LogisticRegression(C=1.0, solver=solver, tol=tol, max_iter=1000)
        start = time.perf_counter()
        model.fit(self.X, self.y)
        theta = _theta(model)
        value, grad = self.objective.loss_gradient(theta)
        return {"f": float(value), "grad_norm": self.objective.optimality(grad),
                "intercept": float(theta[-1]), "solver": solver, "theta": theta.tolist(),
                "time": time.perf_counter() - start, "n_iter": int(model.n_iter_[0])}

    def fit(self, library: str, solver: str, tol: float, options: dict) -> dict:
        self._warm_up(library, solver, options)
        model = _estimator(library, solver, tol, options)
        # As in ``kernels``: the fit before (a BLAS user's) may have left BLAS's threads
        # spinning on the cores, which would slow this one down for its first ~0.1 s.
        time.sleep(SETTLE_SECONDS)
        start = time.perf_counter()
        model.fit(self.X, self.y)
        elapsed = time.perf_counter() - start
        out = {"time": elapsed, "f": self.value(_theta(model)),
               "n_iter": int(np.max(model.n_iter_))}
        if library == "logitfit":
            out["solver_used"] = model.solver_
        return out

    def kernels(self, theta, gemm_rows: int, rounds: int) -> dict:
        from logitfit._objective import BCEObjective

        X = self.X
        theta = np.asarray(theta, dtype=np.float64)
        X32 = X.astype(np.float32)
        objective32 = BCEObjective(X32, self.y, C=1.0)
        k = min(gemm_rows, X.shape[0])
        head = X[:k]
        # The objective keeps its last pass for a call at the same θ: alternate between two
        # θ one ulp apart so that every call is a real pass over X.
        thetas = itertools.cycle([theta, np.nextafter(theta, np.inf)])
        thetas32 = itertools.cycle([theta, np.nextafter(theta, np.inf)])
        parts = n_parts_for(X.shape[0])
        calls = {
            "sum": lambda: X.sum(),
            "read": lambda: _stream_read(X, parts),
            "read_f32": lambda: _stream_read(X32, parts),
            "loss_gradient": lambda: self.objective.loss_gradient(next(thetas)),
            "loss_gradient_f32": lambda: objective32.loss_gradient(next(thetas32)),
            "gemm": lambda: head.T @ head,
            "hessian": lambda: self.objective.hessian(theta),
        }
        for call in calls.values():
            call()
        times = {name: [] for name in calls}
        for r in range(rounds):
            names = list(calls) if r % 2 == 0 else list(calls)[::-1]
            for name in names:
                time.sleep(SETTLE_SECONDS)
                start = time.perf_counter()
                calls[name]()
                times[name].append(time.perf_counter() - start)
        n, d = X.shape
        # The runner pools the rounds of several such runs (see summarise_kernels in run.py).
        return {"n": n, "d": d, "gemm_rows": k, "bytes": int(X.nbytes), "times": times}

    def memory(self, tol: float) -> dict:
        import logitfit

        model = logitfit.LogisticRegression(C=1.0, tol=tol)
        # Warm-up on a few rows: loading compiled code and starting thread pools is a one-time
        # cost of the process, not memory the fit needs.
        model.fit(self.X[:2000], self.y[:2000])
        rss_before = _status_kib("VmRSS")
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM (the peak resident size) to the current size
        tracemalloc.start()
        model.fit(self.X, self.y)
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        peak = _status_kib("VmHWM")
        return {"x_bytes": int(self.X.nbytes), "rss_extra_bytes": (peak - rss_before) * 1024,
                "traced_peak_bytes": int(traced_peak), "solver_used": model.solver_}


def main(path: str) -> None:
    warnings.simplefilter("ignore")
    worker = Worker(path)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        command = request.pop("cmd")
        try:
            answer = getattr(worker, command)(**request)
        except Exception as error:  # reported to the runner, which records it
            answer = {"error": f"{type(error).__name__}: {error}"}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
