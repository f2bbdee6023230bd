"""The benchmark pipeline end to end in quick mode, and the paper's placeholder filling."""

from __future__ import annotations

import json
import shutil

import pytest

from benchmarks import report, run

from .conftest import shared_data

SH = shared_data("scrapinghub", "BOILERPLATE_SCRAPINGHUB")
WCXB = shared_data("wcxb-dev", "BOILERPLATE_WCXB")
needs_data = pytest.mark.skipif(not (SH / "html").is_dir() or not (WCXB / "html").is_dir(),
                                reason="benchmark corpora not found (set BOILERPLATE_SCRAPINGHUB / BOILERPLATE_WCXB)")


def _scores(cv: dict) -> dict:
    """Everything in a CV result that is a score (not a timing)."""
    return {v: {k: cv[v][k] for k in ("scrapinghub", "wcxb", "fine", "threshold_sweep") if k in cv[v]}
            for v in ("text", "html")}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    code = run.main(["--quick", "--scrapinghub", str(SH), "--wcxb", str(WCXB), "--out", str(out)])
    return code, out


@needs_data
@pytest.mark.slow  # the quick pipeline end to end: ~3 min on 2 cores (run by .ci/run, -m slow)
def test_quick_run_produces_every_output(quick_run):
    code, out = quick_run
    assert code == 0
    assert run.check_outputs(out) == []
    meta = json.loads((out / "results" / "meta.json").read_text())
    assert meta["packages"]["numpy"] and "git_commit" in meta
    paper = (out / "paper" / "paper.md").read_text()
    assert "{{" not in paper and "| system |" in paper
    cv = json.loads((out / "results" / "cv.json").read_text())
    # the paper quotes the CV number it was generated from
    assert f"{cv['html']['scrapinghub']['all']['f1']:.3f}" in paper


@needs_data
@pytest.mark.slow  # the quick pipeline end to end: ~3 min on 2 cores (run by .ci/run, -m slow)
def test_quick_run_is_deterministic(quick_run, tmp_path):
    _, out = quick_run
    shutil.copytree(out / "data", tmp_path / "data")
    assert run.main(["--quick", "--steps", "cv", "--out", str(tmp_path)]) == 0
    first = json.loads((out / "results" / "cv.json").read_text())
    second = json.loads((tmp_path / "results" / "cv.json").read_text())
    assert _scores(first) == _scores(second)


def test_check_outputs_reports_what_is_missing(tmp_path):
    problems = run.check_outputs(tmp_path)
    assert any("cv.json missing" in p for p in problems)
    assert any("paper.md missing" in p for p in problems)


def test_fill_replaces_numbers_and_tables_and_rejects_unknown_keys():
    res = {"cv": {"html": {"f1": 0.91234}}, "speed": {"runs": [1.5, 2.5]}}
    text = report.fill("F1 {{cv.html.f1:.3f}}, run {{speed.runs.1}}\n{{table:t}}", res, {"t": "| a |\n"})
    assert text == "F1 0.912, run 2.5\n| a |"
    with pytest.raises(SystemExit, match="placeholder"):
        report.fill("{{cv.text.f1}}", res, {})


def test_unknown_step_is_a_clear_error(capsys):
    with pytest.raises(SystemExit):
        run.main(["--steps", "cv,nonsense"])
    assert "unknown steps" in capsys.readouterr().err
