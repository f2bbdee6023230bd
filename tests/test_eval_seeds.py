import json
from pathlib import Path

from benchmarks.eval_seeds import ROOT, main, seed_scores
from boilerplate.detectors.learned import SHIPPED
from boilerplate.eval.dataset import read_jsonl

SEEDS = list(read_jsonl(ROOT / "fixtures" / "seeds.jsonl"))


def test_seed_scores_count_what_cleaning_keeps_and_loses():
    perfect = seed_scores(SEEDS, [list(d.labels) for d in SEEDS])
    assert perfect["body_lines"] == 14 and perfect["appeal_ad_teaser_lines"] == 35
    assert perfect["body_lines_dropped"] == [] and perfect["appeal_ad_teaser_kept"] == []
    assert perfect["macro_f1"] == 1.0
    everything = seed_scores(SEEDS, [["body" if g else None for g in d.labels] for d in SEEDS])
    assert len(everything["appeal_ad_teaser_kept"]) == 35 and everything["body_lines_dropped"] == []
    nothing = seed_scores(SEEDS, [["chrome" if g else None for g in d.labels] for d in SEEDS])
    assert len(nothing["body_lines_dropped"]) == 14 and nothing["appeal_ad_teaser_kept"] == []


def test_a_saved_model_is_scored_line_by_line(tmp_path: Path, capsys):
    out = tmp_path / "seeds.json"
    assert main(["--model", str(SHIPPED["learned-text"]), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    res = json.loads(out.read_text())
    kept = len(res["appeal_ad_teaser_kept"])
    assert f"appeal/ad/teaser lines kept: {kept} of 35" in printed
    assert res["model"].endswith("(as saved)") and len(res["pred"]) == 2


def test_a_missing_model_is_one_line(tmp_path: Path, capsys):
    assert main(["--model", str(tmp_path / "none.npz")]) == 2
    err = capsys.readouterr().err
    assert "model file not found" in err and len(err.strip().splitlines()) == 1
