"""Smoke test of benchmarks/inference.py on tiny data, and of its RESULTS.md section writer."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "inference.py"


def load_benchmark():
    spec = importlib.util.spec_from_file_location("inference_benchmark", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_quick_run_writes_only_its_section(tmp_path, capsys):
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\n## Other\n\nkept as it is\n")
    benchmark = load_benchmark()
    assert benchmark.main(["--quick", "--n", "3000", "--d", "4", "--results",
                           str(results)]) == 0
    printed = capsys.readouterr().out
    assert "speed-up" in printed and "with monitor" in printed
    text = results.read_text()
    assert text.count("## Inference") == 1 and "## Other\n\nkept as it is" in text
    # A second run replaces the section instead of adding another one.
    benchmark.main(["--quick", "--n", "3000", "--d", "4", "--results", str(results)])
    text = results.read_text()
    assert text.count("## Inference") == 1 and "kept as it is" in text


def test_section_writer_keeps_sections_after_it(tmp_path):
    benchmark = load_benchmark()
    path = tmp_path / "RESULTS.md"
    path.write_text("# Results\n\n## Inference\n\nold\n\n## Sparse\n\nsparse table\n")
    benchmark.write_section(path, "## Inference\n\nnew\n")
    assert path.read_text() == "# Results\n\n## Inference\n\nnew\n\n## Sparse\n\nsparse table\n"
    missing = tmp_path / "new.md"
    benchmark.write_section(missing, "## Inference\n\nfirst\n")
    assert missing.read_text() == "# Benchmark results\n\n## Inference\n\nfirst\n"
