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
