"""Smoke test of the benchmark runner: it runs end to end on tiny data and writes its section.

Only that it works is checked here, never how fast anything is.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import run  # noqa: E402


def test_write_section_replaces_only_its_own_section(tmp_path):
    path = tmp_path / "RESULTS.md"
    path.write_text("# Benchmark results\n\n## Inference\n\nkept A\n\n"
                    f"{run.SECTION}\n\nold\n\n## Sparse models\n\nkept B\n")
    run.write_section(path, f"{run.SECTION}\n\nnew\n")
    text = path.read_text()
    assert "old" not in text and "new" in text
    assert "## Inference\n\nkept A" in text and "## Sparse models\n\nkept B" in text
    assert text.index("## Inference") < text.index(run.SECTION) < text.index("## Sparse")
    # A file without the section gets it appended.
    other = tmp_path / "other.md"
    other.write_text("# Benchmark results\n\n## Inference\n\nkept\n")
    run.write_section(other, f"{run.SECTION}\n\nnew\n")
    assert other.read_text().endswith(f"{run.SECTION}\n\nnew\n")


@pytest.mark.parametrize("workload", ["W5"])
def test_quick_run_writes_a_table(tmp_path, workload):
    output = tmp_path / "RESULTS.md"
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--quick", "--workloads", workload,
         "--no-kernels", "--cap", "20", "--output", str(output)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    text = output.read_text()
    assert text.startswith("# Benchmark results")
    assert f"### {workload}:" in text
    summary = text[text.index("### Summary"):text.index(f"### {workload}:")]
    assert f"| {workload} |" in summary and "not measured" not in summary
    # Every scikit-learn solver appears in the table, timed or with the reason it is not.
    for solver in ("lbfgs", "newton-cholesky", "newton-cg", "liblinear", "sag", "saga"):
        assert f"| sklearn {solver} |" in text


class _ScriptedSession:
    """Stands in for a worker session: answers fit calls from a list (None is a timeout)."""

    cap = 30.0

    def __init__(self, answers):
        self.answers = list(answers)

    def call(self, timeout, **command):
        return self.answers.pop(0)


def test_calibration_reports_why_a_contender_is_marked():
    contender = run.Contender("sklearn", "sag", 1e-4, {})
    # Ran past the cap at its first tolerance: no suboptimality to report.
    timed_out = run.calibrate(_ScriptedSession([None]), contender, 1.0, lambda message: None)
    assert not timed_out["ok"]
    assert timed_out["why"] == "did not reach 1e-08 within the 30 s cap (no run finished)"
    # Finished short of the target, then ran past the cap at the next tolerance.
    short = run.calibrate(_ScriptedSession([{"time": 10.0, "f": 1.001}, None]), contender, 1.0,
                          lambda message: None)
    assert not short["ok"]
    assert short["why"] == ("did not reach 1e-08 within the 30 s cap "
                            "(best suboptimality 1.0e-03)")
    # Reached at 1e-4, then not at 1e-3: the loosest tolerance that reached is kept.
    reached = run.calibrate(
        _ScriptedSession([{"time": 2.0, "f": 1.0 + 1e-9}, {"time": 1.0, "f": 1.0 + 1e-6}]),
        contender, 1.0, lambda message: None)
    assert reached["ok"] and reached["tol"] == 1e-4 and reached["time"] == 2.0
