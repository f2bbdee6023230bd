"""The paper's building blocks that need no corpus: fold summaries, generated doc blocks, and the
report's refusal to draw from missing results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import experiments, report
from benchmarks.common import ROOT


def _rows() -> list[dict]:
    full = [0.90, 0.80, 0.85]
    rows = [{"without": "(none)", "fold": f, "pages": 10, "scrapinghub": s} for f, s in enumerate(full)]
    rows += [{"without": "words", "fold": f, "pages": 10, "scrapinghub": s - d}
             for f, (s, d) in enumerate(zip(full, (0.02, 0.04, 0.03)))]
    rows += [{"fraction": 0.5, "sites": 4, "fold": f, "pages": 5, "scrapinghub": s - 0.1} for f, s in enumerate(full)]
    return rows


def test_ablation_change_is_paired_by_fold():
    summary = experiments.summarise(_rows())
    words = next(r for r in summary["ablation"] if r["without"] == "words")
    change = words["scrapinghub"]["change"]
    assert change["per_fold"] == [-0.02, -0.04, -0.03]
    assert change["mean"] == pytest.approx(-0.03)
    lo, hi = change["ci"]
    # the paired interval is far narrower than the spread of the fold scores themselves
    assert lo < change["mean"] < hi < 0
    level_lo, level_hi = words["scrapinghub"]["ci"]
    assert (hi - lo) < (level_hi - level_lo) / 3
    none = next(r for r in summary["ablation"] if r["without"] == "(none)")
    assert "change" not in none["scrapinghub"]


def test_interval_of_equal_values_is_a_point_and_one_value_has_no_spread():
    assert experiments.interval([0.5, 0.5, 0.5]) == {"mean": 0.5, "ci": [0.5, 0.5]}
    assert experiments.interval([0.7]) == {"mean": 0.7, "ci": [0.7, 0.7]}


def test_learning_curve_points_are_ordered_by_fraction():
    summary = experiments.summarise(_rows())
    assert [p["fraction"] for p in summary["learning_curve"]] == [0.5]
    assert summary["learning_curve"][0]["scrapinghub"]["mean"] == pytest.approx(0.75)


def test_write_blocks_replaces_only_between_markers(tmp_path):
    doc = tmp_path / "README.md"
    doc.write_text("intro\n<!-- numbers:start -->\nold table\n<!-- numbers:end -->\noutro\n")
    report.write_blocks(doc, {"numbers": "| new |\n"}, "abc123def456")
    text = doc.read_text()
    assert text.startswith("intro\n<!-- numbers:start -->") and text.endswith("<!-- numbers:end -->\noutro\n")
    assert "| new |" in text and "old table" not in text and "abc123def4" in text
    with pytest.raises(SystemExit, match="gold_counts"):
        report.write_blocks(doc, {"gold_counts": "x"}, "abc")


def test_report_refuses_missing_results(tmp_path):
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "cv.json").write_text(json.dumps({"folds": 5}))
    with pytest.raises(SystemExit, match="results missing for meta, agreement"):
        report.run(results=tmp_path / "results", data=tmp_path / "data", paper=tmp_path / "paper")


def test_seed_figure_needs_the_seed_predictions(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with pytest.raises(SystemExit, match="no seed predictions"):
        report.figure_seeds({"cv": {"text": {}}}, tmp_path, plt)


def test_step_commits_groups_steps_by_commit():
    meta = {"steps": {"cv": {"git_commit": "a" * 40, "git_dirty": False},
                      "speed": {"git_commit": "b" * 40, "git_dirty": True},
                      "peers": {"git_commit": "a" * 40, "git_dirty": False}}}
    assert report.step_commits(meta) == f"cv, peers at `{'a' * 10}`; speed at `{'b' * 10} (dirty)`"


@pytest.mark.parametrize("rel", sorted(report.DOC_BLOCKS))
def test_committed_docs_have_their_generated_blocks(rel: str):
    text = (Path(ROOT) / rel).read_text()
    for name in report.DOC_BLOCKS[rel]:
        start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        assert start in text and end in text
        block = text.split(start, 1)[1].split(end, 1)[0]
        assert "| " in block, f"{rel}: the {name} block is empty (run python -m benchmarks.run)"


def test_gold_count_groups_list_every_round_in_order():
    from benchmarks.report import _group_name, _group_order

    keys = ["round:3", "source:wcxb", "all", "round:1", "language:en", "round:10", "round:2", "page_type:forum"]
    assert [_group_name(k) for k in _group_order(keys)] == [
        "all", "round 1", "round 2", "round 3", "round 10", "WCXB", "en", "forum"]


def test_breakdown_table_lists_each_value_by_pages_and_says_when_a_run_lacks_it():
    from benchmarks.report import table_page_types

    def entry(pages, binary, macro):
        return {"pages": pages, "lines": pages * 100, "binary_f1": binary, "macro_f1": macro}

    by_type = {"html": {"fine_by_page_type": {"forum": entry(3, 0.9, 0.5), "article": entry(10, 0.95, 0.7)}},
               "text": {"fine_by_page_type": {"forum": entry(3, 0.8, 0.4), "article": entry(10, 0.9, 0.6)}}}
    rows = table_page_types({"cv": by_type}).splitlines()[2:]
    assert [r.split("|")[1].strip() for r in rows] == ["article", "forum"]  # most pages first
    assert rows[1].split("|")[4].strip() == "0.800" and rows[1].split("|")[7].strip() == "0.500"
    assert "no `fine_by_page_type`" in table_page_types({"cv": {"html": {}, "text": {}}})


def test_rounds_macro_is_nan_for_a_span_the_run_lacks():
    import math

    from benchmarks.cross_validate import ROUND_SPANS
    from benchmarks.report import rounds_macro

    html = {"fine_by_rounds": {"rounds 1-20": {"macro_f1": 0.7}}}
    got = rounds_macro({"cv": {"html": html, "text": {}}})
    assert got["span1"]["html"] == 0.7 and math.isnan(got["span1"]["text"]) and math.isnan(got["span2"]["html"])
    assert len(got) == len(ROUND_SPANS) and math.isnan(got[f"span{len(ROUND_SPANS)}"]["text"])


def test_fast_paths_table_says_which_checks_were_not_run():
    empty = report.table_fast_paths({})
    assert "not run (`python -m benchmarks.fast_paths`)" in empty and "not run (`python -m benchmarks.ab" in empty
    tokenizer = {"documents": 3, "tokens": 40, "differing_documents": 1, "speedup_min": 4.0,
                 "seconds": {"compiled": {"median": 1.0}, "regex": {"median": 5.0}}}
    table = report.table_fast_paths({"fast_paths": {"tokenizer": tokenizer}})
    row = next(line for line in table.splitlines() if "tokenizer" in line)
    assert "3 documents, 40 tokens" in row and "| 1 documents |" in row and "4.00× / 5.00×" in row
    assert "lexicon prefilter" not in table and "not run (`python -m benchmarks.ab" in table


def test_fast_paths_table_gives_the_start_when_ab_timed_it():
    side = {"speedup_first": 1.0, "speedup_min": 1.1, "speedup_median": 1.2}
    ab = {"rounds": 3, "pages": 2, "trees": {"before": {"commit": "aaa"}, "after": {"commit": "bbb"}},
          "html": side, "text": side}
    assert "process start" not in report.table_fast_paths({"ab": ab})  # a run from before it was timed
    ab["startup"] = {"before": {"min_s": 3.0}, "after": {"min_s": 1.5}, "speedup_min": 2.0, "speedup_median": 1.9}
    row = next(line for line in report.table_fast_paths({"ab": ab}).splitlines() if "process start" in line)
    assert "3.00 s → 1.50 s" in row and "2.00× / 1.90×" in row and "bbb against aaa" in row


def test_trees_table_reads_each_variants_own_whole_booster():
    """A text model of 100 trees beside an HTML model of 200: each whole booster is its own row,
    named by its own size and timed by the speed run's row of that size."""
    cv_entry = {"scrapinghub": {"all": {"f1": 0.9}}, "wcxb": {"all": {"f1": 0.8}, "article": {"f1": 0.85}},
                "trees": {"50": {"scrapinghub": {"f1": 0.89}}}}
    res = {"cv": {"params": {"html": {"max_iter": 200}, "text": {"max_iter": 100}},
                  "html": cv_entry, "text": cv_entry},
           "speed": {"trees": {"html": {"50": {"min_s": 1.0, "pages_per_s": 10.0}, "200": {"min_s": 2.0, "pages_per_s": 5.0}},
                               "text": {"50": {"min_s": 1.0, "lines_per_s": 10.0}, "100": {"min_s": 2.0, "lines_per_s": 5.0}}}}}
    rows = [r for r in report.table_trees(res).splitlines() if r.startswith("| html") or r.startswith("| text")]
    assert [r.split(" | ")[1] for r in rows] == ["50", "200", "50", "100"]
    text_whole = rows[-1]
    assert "5 lines/s" in text_whole and "| 1.00 |" in text_whole
