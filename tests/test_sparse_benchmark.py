"""Smoke test of benchmarks/sparse.py on tiny data: it runs, and it rewrites only its section."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "sparse.py"


@pytest.fixture(scope="module")
def sparse_benchmark():
    spec = importlib.util.spec_from_file_location("sparse_benchmark", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def test_smoke_run_writes_only_its_own_section(sparse_benchmark, tmp_path):
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\n## Core\n\nkeep me\n\n## Sparse models\n\nold\n"
                       "\n## Later\n\nand me\n")
    assert sparse_benchmark.main(["--smoke", "--output", str(results)]) == 0
    text = results.read_text()
    assert "keep me" in text and "and me" in text and "\nold\n" not in text
    assert text.index("## Core") < text.index("## Sparse models") < text.index("## Later")
    assert text.count("## Sparse models") == 1
    for title in ("### L1, text-like CSR", "-point L1 path", "### Elastic net (l1_ratio=0.5)"):
        assert title in text
    assert "scikit-learn liblinear" in text and "scikit-learn saga" in text
    # every logitfit row reached the common objective (a number, not "did not reach")
    rows = [line for line in text.splitlines() if line.startswith("| logitfit")]
    assert rows and all("did not reach" not in row and "capped" not in row for row in rows)


def test_section_is_created_when_missing(sparse_benchmark, tmp_path):
    results = tmp_path / "RESULTS.md"
    sparse_benchmark.write_section(results, ["a table"])
    assert results.read_text() == "# Benchmark results\n\n## Sparse models\n\na table\n"


def test_a_subset_of_tasks_keeps_the_other_tables(sparse_benchmark, tmp_path):
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\n## Sparse models\n\nold header\n\n"
                       "### L1, text-like CSR old\n\nold l1 table\n\n"
                       "### 5-point L1 path, same workload\n\nold path table\n\n"
                       "### Elastic net (l1_ratio=0.5), old\n\nold elastic-net table\n")
    assert sparse_benchmark.main(["--smoke", "--tasks", "l1", "--output", str(results)]) == 0
    text = results.read_text()
    assert "old l1 table" not in text and "old header" not in text
    assert "old path table" in text and "old elastic-net table" in text
    assert (text.index("### L1, text-like CSR 600") < text.index("old path table")
            < text.index("old elastic-net table"))
    assert text.count("### L1, text-like CSR") == 1
    assert "Measured in mode `smoke`" in text


def test_unknown_task_is_refused(sparse_benchmark, capsys):
    with pytest.raises(SystemExit) as excinfo:
        sparse_benchmark.main(["--smoke", "--tasks", "l2"])
    assert excinfo.value.code == 2
    assert "unknown task(s) l2" in capsys.readouterr().err
