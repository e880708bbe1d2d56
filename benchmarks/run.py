"""Benchmark logitfit against scikit-learn's solvers, side by side, and write RESULTS.md.

    python benchmarks/run.py            # the full suite (W1-W6, 3 repeats)
    python benchmarks/run.py --quick    # the same on small data, in a minute or two

For each workload (see ``workloads.py``) the runner

1. computes the reference optimum f* by Newton's method to a gradient norm near 1e-12 and
   checks it against the best objective any contender reaches;
2. calibrates, for every contender, the loosest tolerance in a ladder of powers of ten at
   which it reaches a relative suboptimality (f - f*) / |f*| <= 1e-8 (a contender that cannot
   within the time cap is marked, and not timed further);
3. times every calibrated contender ``--repeats`` times, alternating their order, each fit
   starting a quarter of a second after the one before (once BLAS's threads have stopped
   spinning), and reports medians and the ratio logitfit / best scikit-learn solver;
4. measures the kernels against the machine (memory bandwidth, GEMM FLOP rate) in
   ``--kernel-runs`` fresh processes, one after the other, and reports medians over all their
   rounds; then the peak memory of a W1 fit, and the start-up cost of a new process (numba's
   cache on disk);
   ``--kernels-only`` redoes only the kernel and memory measurements on W1 and W2, keeping
   every solver table of the existing results;
5. rewrites its own section, ``## Core solvers (L2)``, of ``RESULTS.md``, leaving any other
   section of that file as it is.

Each workload runs in a worker process (``_worker.py``), so a peer past its cap can be stopped.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import select
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from workloads import WORKLOADS, make_workload, save  # noqa: E402

TARGET = 1e-8
# A contender is tried at a looser tolerance only while its runs take less than this, and is
# timed once (its calibration run) when it is this many times slower than the fastest
# contender of the workload: it cannot be the fastest, and repeating it would only make the
# suite longer.
LOOSEN_MAX_SECONDS = 10.0
SLOW_FACTOR = 5.0
SECTION = "## Core solvers (L2)"
# The workloads whose kernels are timed against the machine (the issue's pass targets).
KERNEL_WORKLOADS = ("W1", "W2")
KERNELS_ONLY_NOTE = ("This run measured only the kernels and the peak memory below; the solver "
                     "tables and the start-up cost come from the earlier runs named above.")
# Names the run that measured kernel rows kept from a --kernels-only run, whose rows the
# "The rows for ..." notes (solver tables) do not cover.
KERNELS_FROM = "The kernel rows and peak memory not measured in this run come from "
SPEED_TARGET = {"W1": 0.5, "W2": 0.5, "W2-f32": 0.5, "W3": 0.5, "W4": 0.5, "W5": 1.0,
                "W6": 0.5}
# Sparse problems with more features than this get no Newton-Cholesky contender: its dense
# Hessian alone would need 8 d² bytes (0.8 GB here, 20 GB on W4).
SPARSE_NEWTON_CHOLESKY_MAX_FEATURES = 10_000
# Kernel targets: loss+gradient / X.sum() at most, float32 / float64 pass at most,
# Hessian / GEMM FLOP rate at least.
PASS_OVER_SUM_TARGET = 1.1
F32_OVER_F64_TARGET = 0.6
HESSIAN_OVER_GEMM_TARGET = 0.6


@dataclass
class Contender:
    library: str
    solver: str
    first_tol: float
    options: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.library} {self.solver}"


def contenders_for(name: str, sparse: bool, n_features: int
                   ) -> tuple[list[Contender], dict[str, str]]:
    """Contenders for a workload, and the ones left out with the reason."""
    # First tolerances of the ladder: where each solver usually lands, to keep the ladder short.
    ours = [Contender("logitfit", "auto", 1e-6), Contender("logitfit", "newton-cholesky", 1e-6),
            Contender("logitfit", "newton-cg", 1e-6), Contender("logitfit", "lbfgs", 1e-6)]
    peers = [Contender("sklearn", s, t) for s, t in (
        ("lbfgs", 1e-6), ("newton-cholesky", 1e-5), ("newton-cg", 1e-5), ("liblinear", 1e-6),
        ("sag", 1e-4), ("saga", 1e-4))]
    skipped = {}
    if name in ("W1", "W4"):
        # Ill-conditioned unscaled features (W1) and power-law sparse columns (W4): L-BFGS needs
        # hundreds of passes there, and the auto rule never picks it for such data.
        ours = [c for c in ours if c.solver != "lbfgs"]
        skipped["logitfit lbfgs"] = "not relevant here (auto never picks it for this data); not run"
    if sparse and n_features > SPARSE_NEWTON_CHOLESKY_MAX_FEATURES:
        reason = (f"a dense {n_features:,}² Hessian needs {8 * n_features ** 2 / 1e9:.0f} GB; "
                  "not run")
        for c in ours + peers:
            if c.solver == "newton-cholesky":
                skipped[c.label] = reason
        ours = [c for c in ours if c.solver != "newton-cholesky"]
        peers = [c for c in peers if c.solver != "newton-cholesky"]
    return ours + peers, skipped


class WorkerProcess:
    """A ``_worker.py`` process holding one workload, with per-command time limits."""

    def __init__(self, path: Path):
        self.path = path
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "_worker.py"), str(path)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
        )
        ready = self._read(timeout=600)
        if not ready or not ready.get("ready"):
            raise RuntimeError("benchmark worker did not start")

    def _read(self, timeout: float) -> dict | None:
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            return None
        line = self.proc.stdout.readline()
        return json.loads(line) if line else None

    def call(self, timeout: float, **request) -> dict | None:
        """Send one command; None when it did not answer within ``timeout`` seconds."""
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        answer = self._read(timeout)
        if answer is None:
            self.close()
        return answer

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


class Session:
    """Runs the contenders of one workload; restarts the worker after a timeout."""

    def __init__(self, path: Path, cap: float, log):
        self.path, self.cap, self.log = path, cap, log
        self.worker: WorkerProcess | None = None

    def call(self, timeout: float, **request) -> dict | None:
        if self.worker is None or self.worker.proc.poll() is not None:
            self.worker = WorkerProcess(self.path)
        answer = self.worker.call(timeout, **request)
        if answer is None:
            self.worker = None
        return answer

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()

    def restart(self) -> None:
        """Stop the worker: the next call starts a fresh process."""
        self.close()
        self.worker = None


def relative(f: float, f_star: float) -> float:
    return (f - f_star) / abs(f_star)


def _decade(tol: float, step: int) -> float:
    # 10^(k + step) computed from the exponent, so that the ladder's values compare equal.
    return float(f"1e{round(math.log10(tol)) + step}")


def calibrate(session: Session, contender: Contender, f_star: float, log) -> dict:
    """Find the loosest tolerance 10^-k at which the contender reaches the target."""
    tol = _decade(contender.first_tol, 0)
    tried: dict[float, dict] = {}
    spent = 0.0
    best_ok = None
    while spent < 2 * session.cap:
        answer = session.call(session.cap, cmd="fit", library=contender.library,
                              solver=contender.solver, tol=tol, options=contender.options)
        if answer is None:
            log(f"    tol={tol:.0e}: no answer within {session.cap:.0f} s")
            tried[tol] = {"timeout": True}
            break
        if "error" in answer:
            log(f"    tol={tol:.0e}: {answer['error']}")
            return {"ok": False, "why": answer["error"], "tried": tried}
        spent += answer["time"]
        answer["subopt"] = relative(answer["f"], f_star)
        tried[tol] = answer
        reached = answer["subopt"] <= TARGET and answer["time"] <= session.cap
        log(f"    tol={tol:.0e}: {answer['time']:.3f} s, subopt {answer['subopt']:.2e}")
        if reached:
            best_ok = tol
            looser = _decade(tol, +1)
            if looser > 1e-2 or looser in tried or answer["time"] > LOOSEN_MAX_SECONDS:
                break
            tol = looser
        else:
            if best_ok is not None:
                break
            tighter = _decade(tol, -1)
            if tighter < 1e-14 or answer["time"] > session.cap:
                break
            tol = tighter
    if best_ok is None:
        finished = [a["subopt"] for a in tried.values() if "subopt" in a]
        reached = (f"best suboptimality {min(finished):.1e}" if finished
                   else "no run finished")
        why = f"did not reach {TARGET:.0e} within the {session.cap:.0f} s cap ({reached})"
        return {"ok": False, "why": why, "tried": tried}
    return {"ok": True, "tol": best_ok, "tried": tried, "time": tried[best_ok]["time"]}


def run_workload(name: str, args, data_dir: Path, log, kept_auto_tol: dict) -> dict:
    """Reference, calibration and timing of one workload (``kept_auto_tol``: the tolerance
    logitfit auto was timed at in earlier runs, for a --kernels-only run's memory fit)."""
    started = time.perf_counter()
    workload = make_workload(name, quick=args.quick)
    path = data_dir / f"{name}.npz"
    save(workload, path)
    import scipy.sparse as sp

    sparse = sp.issparse(workload.X)
    n, d = workload.X.shape
    x_bytes = workload.nbytes
    del workload
    log(f"{name}: data ready in {time.perf_counter() - started:.1f} s")
    session = Session(path, args.caps.get(name, args.cap), log)
    result = {"name": name, "n": n, "d": d, "sparse": sparse, "x_bytes": x_bytes}
    try:
        reference = session.call(3600, cmd="reference", tol=args.reference_tol)
        if reference is None or "error" in reference:
            raise RuntimeError(f"{name}: reference fit failed: {reference}")
        log(f"{name}: reference f*={reference['f']:.12g}, gradient norm "
            f"{reference['grad_norm']:.1e} ({reference['solver']}, {reference['time']:.1f} s)")
        f_star = reference["f"]
        result["reference"] = reference
        if args.kernels_only:
            measure_kernels(name, session, result, args, kept_auto_tol.get(name, TARGET))
            return result
        contenders, skipped = contenders_for(name, sparse, d)
        # liblinear penalises its intercept column b / s: pick s so b² / (2 s²) is below
        # 1e-10 |f*|, i.e. the penalty moves the optimum by less than the accuracy asked for.
        scaling = max(1.0, 10 ** math.ceil(math.log10(
            abs(reference["intercept"]) / math.sqrt(2e-10 * abs(f_star)) + 1e-300)))
        for c in contenders:
            if c.solver == "liblinear":
                c.options["intercept_scaling"] = scaling
        calibration = {}
        for c in contenders:
            log(f"{name}: calibrating {c.label}")
            calibration[c.label] = calibrate(session, c, f_star, log)
        calibrated = [c for c in contenders if calibration[c.label]["ok"]]
        fastest = min((calibration[c.label]["time"] for c in calibrated), default=math.inf)
        runs = {c.label: [] for c in calibrated}
        timed = []
        for c in calibrated:
            cal = calibration[c.label]
            if cal["time"] > max(SLOW_FACTOR * fastest, 2.0):
                cal["once"] = True
                runs[c.label].append(cal["tried"][cal["tol"]])
            else:
                timed.append(c)
        for repeat in range(args.repeats):
            order = timed if repeat % 2 == 0 else timed[::-1]
            shift = repeat // 2 % max(1, len(order))
            order = order[shift:] + order[:shift]
            for c in order:
                if not calibration[c.label]["ok"]:
                    continue
                answer = session.call(args.cap, cmd="fit", library=c.library, solver=c.solver,
                                      tol=calibration[c.label]["tol"], options=c.options)
                if answer is None or "error" in answer:
                    calibration[c.label] = {"ok": False, "tried": calibration[c.label]["tried"],
                                            "why": f"repeat {repeat + 1} failed: {answer}"}
                    continue
                answer["subopt"] = relative(answer["f"], f_star)
                runs[c.label].append(answer)
            log(f"{name}: repeat {repeat + 1}/{args.repeats} done")
        best_f = min([f_star] + [a["f"] for v in runs.values() for a in v]
                     + [a["f"] for cal in calibration.values() for a in cal["tried"].values()
                        if "f" in a])
        best_peer_f = min([a["f"] for label, v in runs.items() if label.startswith("sklearn")
                           for a in v] or [math.nan])
        result.update(contenders=[c.label for c in contenders], skipped=skipped,
                      calibration=calibration, runs=runs, best_f=best_f,
                      best_peer_f=best_peer_f, options={c.label: c.options for c in contenders})
        if not args.no_kernels:
            measure_kernels(name, session, result, args,
                            calibration["logitfit auto"].get("tol", TARGET))
    finally:
        session.close()
        path.unlink(missing_ok=True)
        result["wall"] = time.perf_counter() - started
    return result


def measure_kernels(name: str, session: Session, result: dict, args, auto_tol: float) -> None:
    """Kernel timings on W1 and W2 (``args.kernel_runs`` runs, pooled), and the peak memory
    of a fit at ``auto_tol`` on W1."""
    if name in KERNEL_WORKLOADS:
        runs = []
        for run in range(args.kernel_runs):
            # Each run in a fresh worker: its own process, its own placement of X in memory,
            # and a later phase of the shared machine than the run before.
            session.restart()
            answer = session.call(1800, cmd="kernels", theta=result["reference"]["theta"],
                                  gemm_rows=args.gemm_rows, rounds=args.kernel_rounds)
            if answer is None or "error" in answer:
                runs = [answer or {"error": "the kernel measurement gave no answer"}]
                break
            runs.append(answer)
            session.log(f"{name}: kernel run {run + 1}/{args.kernel_runs} done")
        result["kernels"] = runs[0] if "error" in runs[0] else summarise_kernels(runs)
    if name == "W1":
        # In a fresh worker, so that the peak counts only this fit.
        session.restart()
        result["memory"] = session.call(1800, cmd="memory", tol=auto_tol)


def summarise_kernels(runs: list[dict]) -> dict:
    """Medians over the rounds of all ``runs`` (each a worker's ``kernels`` answer).

    Ratios are taken within a round, where both calls met the same state of the machine, and
    the median is over every round of every run. ``f32_over_f64_runs`` keeps each run's own
    median, so that the table shows how far the runs spread.
    """
    times = {name: np.concatenate([np.asarray(run["times"][name]) for run in runs])
             for name in runs[0]["times"]}
    first = runs[0]
    n, d, k = first["n"], first["d"], first["gemm_rows"]

    def f32_over_f64(t):
        return float(np.median(np.asarray(t["loss_gradient_f32"])
                               / np.asarray(t["loss_gradient"])))

    return {
        "n": n, "d": d, "gemm_rows": k, "bytes": first["bytes"],
        "runs": len(runs), "rounds": len(times["sum"]),
        "median": {name: float(np.median(v)) for name, v in times.items()},
        "lg_over_sum": float(np.median(times["loss_gradient"] / times["sum"])),
        "f32_over_f64": f32_over_f64(times),
        "f32_over_f64_runs": [f32_over_f64(run["times"]) for run in runs],
        "read_f32_over_f64": float(np.median(times["read_f32"] / times["read"])),
        "gemm_gflops": float(np.median(2.0 * k * d * d / times["gemm"] / 1e9)),
        "hessian_gflops": float(np.median(2.0 * n * d * d / times["hessian"] / 1e9)),
        "hessian_over_gemm": float(np.median((n / times["hessian"]) / (k / times["gemm"]))),
    }


def startup_cost() -> dict:
    """Seconds a new process pays on its first fit, with numba's on-disk cache warm and cold."""
    script = (
        "import time\n"
        "import numpy as np, scipy.optimize, sklearn.linear_model, numba\n"
        "from sklearn.datasets import load_breast_cancer\n"
        "X, y = load_breast_cancer(return_X_y=True)\n"
        "X = (X - X.mean(0)) / X.std(0)\n"
        "t0 = time.perf_counter()\n"
        "import logitfit\n"
        "t1 = time.perf_counter(); logitfit.LogisticRegression().fit(X, y)\n"
        "t2 = time.perf_counter(); logitfit.LogisticRegression().fit(X, y)\n"
        "t3 = time.perf_counter()\n"
        "print((t2 - t1) - (t3 - t2), t1 - t0)\n"
    )
    out = {}
    for label, env in (("warm", {}), ("cold", {"NUMBA_CACHE_DIR": tempfile.mkdtemp()})):
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              env={**os.environ, **env}, check=True)
        first, imports = map(float, done.stdout.split())
        out[label] = {"first_fit_extra": first, "import": imports}
    return out


# --------------------------------------------------------------------------- report


def _caps(args) -> str:
    text = f"{args.cap:.0f} s"
    if args.caps:
        text += " (" + ", ".join(f"{k}: {v:.0f} s" for k, v in args.caps.items()) + ")"
    return text


def _fmt_time(t: float) -> str:
    return f"{t:.3f}" if t < 10 else f"{t:.1f}"


def machine_lines() -> list[str]:
    import numba
    import scipy
    import sklearn
    from threadpoolctl import threadpool_info

    import logitfit

    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            model = next(line.split(":", 1)[1].strip() for line in f
                         if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    # Sorted: threadpoolctl lists libraries in the order they were loaded, which varies.
    blas = sorted(f"{i.get('internal_api')} {i.get('version')} ({i.get('architecture')}, "
                  f"{i.get('num_threads')} threads)" for i in threadpool_info()
                  if i.get("user_api") == "blas")
    return [
        f"- Machine: {model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}, numpy {np.__version__}, scipy "
        f"{scipy.__version__}, numba {numba.__version__} (threading layer "
        f"{numba.config.THREADING_LAYER}), scikit-learn {sklearn.__version__}, logitfit "
        f"{logitfit.__version__}",
        f"- BLAS: {', '.join(blas) or 'unknown'}",
    ]


def earlier_workloads(path: Path | None, rerun: list[str]) -> dict | None:
    """Summary rows and detail blocks of ``path``'s section for workloads not in ``rerun``."""
    if path is None or not path.exists():
        return None
    text = path.read_text()
    start = text.find(SECTION + "\n")
    if start < 0:
        return None
    end = text.find("\n## ", start + len(SECTION))
    section = text[start:end if end >= 0 else len(text)]
    blocks = section.split("\n### ")
    summary = next((b for b in blocks if b.startswith("Summary")), "")
    rows = [line for line in summary.splitlines() if line.startswith("| W")
            and line.split("|")[1].strip() not in rerun]
    names = [row.split("|")[1].strip() for row in rows]
    details = ["### " + b.rstrip() + "\n" for b in blocks
               if b.split(":", 1)[0] in names]
    generated = next((line for line in section.splitlines()
                      if line.startswith("Generated by")), "")
    notes = [line for line in section.splitlines() if line.startswith("The rows for ")]
    # The tolerance logitfit auto was timed at, per workload (a --kernels-only run measures
    # peak memory at it).
    auto_tol = {}
    for block in blocks:
        name = block.split(":", 1)[0]
        if name not in names:
            continue
        for line in block.splitlines():
            if line.startswith("| logitfit auto"):
                with contextlib.suppress(ValueError):
                    auto_tol[name] = float(line.split("|")[2])
    kernels = next((b for b in blocks if b.startswith("Kernels")), "").splitlines()
    startup = next((b for b in blocks if b.startswith("Start-up")), "")
    kernel_note = next((line for line in section.splitlines() if line.startswith(KERNELS_FROM)),
                       "")
    if KERNELS_ONLY_NOTE in section:
        kernel_note = (f"{KERNELS_FROM}an earlier run on the same machine: "
                       f"{_mid_sentence(generated)}")
    return {"names": names, "rows": rows, "details": details, "generated": generated,
            "notes": notes, "auto_tol": auto_tol, "kernel_note": kernel_note,
            # Kernel rows and memory lines of workloads whose measurements are not redone.
            "kernel_rows": [line for line in kernels if line.startswith("| W")],
            "memory": [line for line in kernels if line.startswith("Peak memory")],
            "startup": "### " + startup.rstrip() + "\n" if startup else ""}


def _mid_sentence(line: str) -> str:
    """A "Generated by ..." line lowercased at its start, to follow a colon."""
    return line[:1].lower() + line[1:]


def _verdict(ratio: float, relation: str, target: float) -> str:
    # Three decimals and the verdict on the unrounded ratio, so that a ratio shown as the
    # target itself says which side of it it fell on.
    met = ratio <= target if relation == "<=" else ratio >= target
    return f"{ratio:.3f} {'met' if met else 'NOT met'}"


def render(results: list[dict], args, startup: dict | None, total: float,
           earlier: dict | None = None) -> str:
    lines = [SECTION, ""]
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    command = " ".join(["python benchmarks/run.py", *args.argv])
    generated = f"Generated by `{command}` on {when} ({total / 60:.1f} min)"
    if args.kernels_only:
        generated += "."
    else:
        generated += (f"; {args.repeats} repeat(s), medians; time cap per run {_caps(args)} (a "
                      "contender that cannot reach the target within it is marked).")
    lines += [generated, ""]
    if earlier and earlier["names"]:
        # Rows kept from a run that itself kept rows from an even earlier one keep that note.
        from_older = []
        for note in earlier["notes"]:
            listed = note[len("The rows for "):note.index(" come from ")].split(", ")
            kept = [name for name in listed if name in earlier["names"]]
            if kept:
                lines += [f"The rows for {', '.join(kept)} come from "
                          + note.split(" come from ", 1)[1], ""]
                from_older += kept
        newer = [name for name in earlier["names"] if name not in from_older]
        if newer:
            lines += [f"The rows for {', '.join(newer)} come from an earlier run on the same "
                      f"machine: {_mid_sentence(earlier['generated'])}",
                      ""]
    if args.kernels_only:
        lines += [KERNELS_ONLY_NOTE, ""]
    elif earlier and earlier["kernel_note"] and any(_kept_kernel_lines(results, earlier)):
        lines += [earlier["kernel_note"], ""]
    lines += machine_lines() + [""]
    lines += [
        "Each time is one `fit` (input validation included), after a warm-up fit on 500 rows "
        "in the same process (imports and numba's cache load are excluded; their cost is "
        "below). Each contender uses the loosest tolerance 10^-k at which it reached "
        f"(f - f\\*)/|f\\*| <= {TARGET:.0e}; 'subopt' is the worst suboptimality over the "
        "repeats. f\\* comes from Newton's method to a gradient norm near 1e-12; "
        "'ratio' is the time over the fastest scikit-learn solver's. A contender more than "
        f"{SLOW_FACTOR:g}x slower than the fastest one in calibration is timed once "
        "(marked 'once'): it cannot be the fastest.", "",
    ]
    summary = ["### Summary", "",
               "| workload | logitfit auto (s) | fastest scikit-learn (s) | ratio | target |",
               "|---|---|---|---|---|"]
    details = []
    for res in results:
        if "runs" not in res:  # a --kernels-only run times no solver
            continue
        name = res["name"]
        medians = {label: float(np.median([a["time"] for a in v]))
                   for label, v in res["runs"].items() if v}
        peers = {k: t for k, t in medians.items() if k.startswith("sklearn")}
        best_peer = min(peers, key=peers.get) if peers else None
        ref = res["reference"]
        details += [f"### {name}: {_describe(res)}", "",
                    f"f\\* = {ref['f']:.12g} (gradient norm {ref['grad_norm']:.1e}); best "
                    f"scikit-learn objective relative to f\\*: "
                    f"{relative(res['best_peer_f'], ref['f']):.1e}.", "",
                    "| contender | tol | median (s) | min-max (s) | subopt | iterations | "
                    "ratio |", "|---|---|---|---|---|---|---|"]
        for label in res["contenders"]:
            cal = res["calibration"][label]
            if not cal["ok"] or label not in medians:
                details.append(f"| {label} | - | - | - | - | - | {cal.get('why', '')} |")
                continue
            runs = res["runs"][label]
            times = [a["time"] for a in runs]
            ratio = medians[label] / peers[best_peer] if best_peer else math.nan
            used = runs[0].get("solver_used")
            shown = f"{label} ({used})" if used and label.endswith("auto") else label
            if cal.get("once"):
                shown += " (once)"
            details.append(
                f"| {shown} | {cal['tol']:.0e} | {_fmt_time(medians[label])} | "
                f"{_fmt_time(min(times))}-{_fmt_time(max(times))} | "
                f"{max(a['subopt'] for a in runs):.1e} | {runs[0]['n_iter']} | {ratio:.2f} |")
        for label, why in res["skipped"].items():
            details.append(f"| {label} | - | - | - | - | - | {why} |")
        details.append("")
        auto = medians.get("logitfit auto")
        if auto is not None and best_peer is not None:
            ratio = auto / peers[best_peer]
            target = SPEED_TARGET[name]
            summary.append(f"| {name} | {_fmt_time(auto)} | {_fmt_time(peers[best_peer])} "
                           f"({best_peer.split(' ', 1)[1]}) | {ratio:.2f} | <= {target} "
                           f"{'met' if ratio <= target else 'NOT met'} |")
        else:
            summary.append(f"| {name} | - | - | - | not measured |")
    if earlier:
        summary += earlier["rows"]
        details += earlier["details"]
    lines += summary + [""] + details
    lines += _kernel_lines(results, earlier)
    if not startup and earlier and earlier["startup"]:
        lines += [earlier["startup"]]
    if startup:
        lines += ["### Start-up cost of a new process", "",
                  "What a new process pays for logitfit's compiled code, numpy, scipy and "
                  "scikit-learn being imported already: `import logitfit` plus the extra time "
                  "of the first fit over the second (W5 data). With numba's on-disk cache "
                  f"filled: {startup['warm']['import']:.2f} s + "
                  f"{startup['warm']['first_fit_extra']:.2f} s = {_startup(startup['warm'])} s "
                  "(target < 1 s). With an empty cache (the one-time compilation): "
                  f"{_startup(startup['cold'])} s.", ""]
    return "\n".join(lines).rstrip() + "\n"


def _startup(case: dict) -> str:
    return f"{case['import'] + case['first_fit_extra']:.2f}"


def _describe(res: dict) -> str:
    if res["sparse"]:
        return f"CSR {res['n']:,} x {res['d']:,}"
    dtype = "float32" if res["name"].endswith("f32") else "float64"
    return f"{res['n']:,} x {res['d']:,} {dtype}"


def _timed(kernels: dict, call: str) -> str:
    seconds = kernels["median"][call]
    return f"{seconds * 1e3:.1f} ms ({kernels['bytes'] / seconds / 1e9:.1f} GB/s)"


def _per_run(ratios: list[float]) -> str:
    if len(ratios) == 1:
        return "1 run"
    return f"{len(ratios)} runs: " + ", ".join(f"{r:.3f}" for r in ratios)


def _kept_kernel_lines(results: list[dict], earlier: dict | None) -> tuple[list[str], list[str]]:
    """The kernel rows and memory lines of ``earlier`` for workloads this run did not measure."""
    measured = {r["name"] for r in results if r.get("kernels")}
    kept_rows = [line for line in (earlier or {}).get("kernel_rows", [])
                 if line.split("|")[1].strip() not in measured]
    kept_memory = [line for line in (earlier or {}).get("memory", [])
                   if not any(f"on {r['name']} (" in line for r in results if r.get("memory"))]
    return kept_rows, kept_memory


def _kernel_lines(results: list[dict], earlier: dict | None = None) -> list[str]:
    rows = [r for r in results if r.get("kernels")]
    kept_rows, kept_memory = _kept_kernel_lines(results, earlier)
    if not rows and not kept_rows:
        return []
    header = ("| workload | X.sum() | streaming read | loss+gradient | ratio (target <= "
              f"{PASS_OVER_SUM_TARGET}) | float32/float64 (target <= {F32_OVER_F64_TARGET}) | "
              "float32/float64 of the streaming read | GEMM rate | Hessian rate | Hessian/GEMM "
              f"(target >= {HESSIAN_OVER_GEMM_TARGET}) |")
    # Rows of an earlier run are kept only if they have this run's columns.
    kept_rows = [line for line in kept_rows if line.count("|") == header.count("|")]
    lines = ["### Kernels against the machine", "",
             "Medians over the alternating rounds of several runs, each run in a fresh "
             "process after the one before (the float32/float64 column gives each run's own "
             "median, as the shared machine's memory bandwidth moves between runs); ratios "
             "are taken within a round. "
             "Each call starts a quarter of a second after the one before, once BLAS's threads "
             "have stopped spinning. `X.sum()` is numpy's, in one thread. The streaming read "
             "loads every cache line of X once, on all threads, each row requested some rows "
             "ahead by software prefetch as logitfit's passes do, and does nothing else: the "
             "read bandwidth a pass over X can reach here; its float32/float64 ratio is the "
             "loss+gradient pass's if that were limited by reading X alone (the pass also "
             "reads y and the weights and writes the logits, 32 bytes of traffic a row, a "
             "larger share of a float32 row). Bandwidths are bytes of X over time; "
             "FLOP rates count 2·n·d² for `X[:k].T @ X[:k]` and for the Hessian Xᵀ diag(h) X.",
             "", header, "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        k = r["kernels"]
        if "error" in k:
            lines.append(f"| {r['name']} | {k['error']} |" + "|" * (header.count("|") - 3))
            continue
        lines.append(
            f"| {r['name']} | {_timed(k, 'sum')} | {_timed(k, 'read')} | "
            f"{_timed(k, 'loss_gradient')} | "
            f"{_verdict(k['lg_over_sum'], '<=', PASS_OVER_SUM_TARGET)} | "
            f"{_verdict(k['f32_over_f64'], '<=', F32_OVER_F64_TARGET)} "
            f"({_per_run(k['f32_over_f64_runs'])}) | "
            f"{k['read_f32_over_f64']:.3f} | "
            f"{k['gemm_gflops']:.1f} GFLOP/s (k={k['gemm_rows']:,}) | "
            f"{k['hessian_gflops']:.1f} GFLOP/s | "
            f"{_verdict(k['hessian_over_gemm'], '>=', HESSIAN_OVER_GEMM_TARGET)} |")
    lines += kept_rows
    lines.append("")
    for line in kept_memory:
        lines += [line, ""]
    for r in results:
        mem = r.get("memory")
        if mem and "error" not in mem:
            lines += [f"Peak memory of a `solver=\"auto\"` fit on {r['name']} "
                      f"({mem['solver_used']}): resident set grew by "
                      f"{mem['rss_extra_bytes'] / 2**20:.0f} MiB over X's "
                      f"{mem['x_bytes'] / 2**20:.0f} MiB "
                      f"({mem['rss_extra_bytes'] / mem['x_bytes']:.1%}; target <= 20%); "
                      f"numpy allocations peaked at {mem['traced_peak_bytes'] / 2**20:.0f} MiB.",
                      ""]
    return lines


README_START = "<!-- benchmarks: core solvers -->"
README_END = "<!-- /benchmarks: core solvers -->"


def write_readme_block(readme: Path, section: str, source: Path | None) -> None:
    """Copy the summary, kernel and start-up parts of ``section`` into the README's block."""
    parts = section.split("\n### ")
    keep = [p for p in parts[1:] if p.startswith(("Summary", "Kernels", "Start-up"))]
    try:
        where = f"`{source.resolve().relative_to(HERE.parent)}`"
    except (AttributeError, ValueError):
        where = "the benchmark run"
    first = section.split("\n")[2]  # the "Generated by ..." line
    # Rows kept from earlier runs say so in the README too, as they do in the results file.
    earlier_notes = [line + "\n" for line in section.split("\n")
                     if line.startswith(("The rows for ", KERNELS_ONLY_NOTE, KERNELS_FROM))]
    body = "\n".join(["", f"From {where}: {_mid_sentence(first)}", ""] + earlier_notes
                     + ["#### " + p.rstrip() + "\n" for p in keep])
    text = readme.read_text()
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        raise SystemExit(f"{readme} has no block {README_START} ... {README_END}")
    readme.write_text(text[:start + len(README_START)] + "\n" + body + "\n" + text[end:])


def write_section(path: Path, section: str) -> None:
    """Replace this runner's section of ``path``, keeping every other section."""
    text = path.read_text() if path.exists() else "# Benchmark results\n\n"
    start = text.find(SECTION + "\n")
    if start < 0:
        text = text.rstrip() + "\n\n" + section
    else:
        end = text.find("\n## ", start + len(SECTION))
        rest = text[end + 1:] if end >= 0 else ""
        text = text[:start] + section + ("\n" + rest if rest else "")
    path.write_text(text)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small data, 1 repeat")
    parser.add_argument("--workloads", default=",".join(WORKLOADS),
                        help=f"comma-separated subset of {','.join(WORKLOADS)}")
    parser.add_argument("--repeats", type=int, default=None, help="default 3 (quick: 1)")
    parser.add_argument("--cap", type=float, default=None,
                        help="seconds a run may take before the contender is marked as not "
                             "reaching the target (default 600; quick: 30)")
    parser.add_argument("--cap-for", action="append", default=[], metavar="NAME=SECONDS",
                        help="a different cap for one workload, e.g. W4=120 (repeatable)")
    parser.add_argument("--output", type=Path, default=None,
                        help="default benchmarks/RESULTS.md (quick: print only)")
    parser.add_argument("--json", type=Path, default=None, help="also write raw results here")
    parser.add_argument("--readme", type=Path, default=None,
                        help="also copy the summary tables into this README, between the "
                             f"lines {README_START!r} and {README_END!r}")
    parser.add_argument("--keep-others", action="store_true",
                        help="keep the rows of workloads not run now from the existing output")
    measured = parser.add_mutually_exclusive_group()
    measured.add_argument("--no-kernels", action="store_true",
                          help="skip the kernel, memory and start-up measurements")
    measured.add_argument("--kernels-only", action="store_true",
                          help="only the kernel and memory measurements (W1, W2), keeping the "
                               "solver tables and start-up cost of the existing output")
    parser.add_argument("--reference-tol", type=float, default=1e-13)
    parser.add_argument("--gemm-rows", type=int, default=200_000)
    parser.add_argument("--kernel-rounds", type=int, default=15,
                        help="alternating rounds of the kernel calls in each kernel run")
    parser.add_argument("--kernel-runs", type=int, default=3,
                        help="kernel runs per workload, each in a fresh worker process; the "
                             "table reports medians over the rounds of all of them")
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    # A terminated run still stops its worker processes (the finally blocks run).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    args.repeats = args.repeats or (1 if args.quick else 3)
    args.cap = args.cap or (30.0 if args.quick else 600.0)
    try:
        args.caps = {k: float(v) for k, v in (item.split("=", 1) for item in args.cap_for)}
    except ValueError:
        parser.error("--cap-for takes NAME=SECONDS, e.g. --cap-for W4=120")
    names = [w.strip() for w in args.workloads.split(",") if w.strip()]
    unknown = set(names) - set(WORKLOADS)
    if unknown:
        parser.error(f"unknown workloads {sorted(unknown)}; choose from {', '.join(WORKLOADS)}")
    if args.kernels_only and set(names) - set(KERNEL_WORKLOADS):
        parser.error(f"--kernels-only measures {' and '.join(KERNEL_WORKLOADS)} only; "
                     f"drop {', '.join(sorted(set(names) - set(KERNEL_WORKLOADS)))} from "
                     "--workloads")
    start = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - start:7.1f} s] {message}", file=sys.stderr, flush=True)

    output = args.output or (None if args.quick else HERE / "RESULTS.md")
    results: list[dict] = []
    if args.kernels_only:
        # Every solver row is kept: this run times none.
        earlier = earlier_workloads(output, [])
        if earlier is None or not earlier["names"]:
            parser.error(f"--kernels-only keeps the solver tables of {output or '--output'}, "
                         "which has none: run the benchmark without it first")
    else:
        earlier = earlier_workloads(output, names) if args.keep_others else None

    def publish(startup: dict | None) -> str:
        section = render(results, args, startup, time.perf_counter() - start, earlier)
        if args.json:
            args.json.write_text(json.dumps({"results": results, "startup": startup},
                                            indent=1, default=float))
        if output is not None:
            write_section(output, section)
        if args.readme is not None:
            write_readme_block(args.readme, section, output)
        return section

    with tempfile.TemporaryDirectory(prefix="logitfit-bench-") as tmp:
        for name in names:
            results.append(run_workload(name, args, Path(tmp), log,
                                        earlier["auto_tol"] if earlier else {}))
            publish(None)  # a partial table survives an interrupted run
    measure_startup = not (args.no_kernels or args.kernels_only)
    section = publish(startup_cost() if measure_startup else None)
    if output is None:
        print(section)
    else:
        log(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
