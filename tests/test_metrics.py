"""Tests of boilerplate.eval.metrics: hand-computed small cases plus the published Scrapinghub scores."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boilerplate.eval.corpora import load_articlebody_json, read_wcxb_truth
from boilerplate.eval.metrics import (
    binary_prf,
    bootstrap_ci,
    confusion_matrix,
    line_prf,
    score_scrapinghub,
    score_wcxb,
    shingle_counts,
    shingle_page_scores,
    snippet_hits,
    word_prf,
)

REPO_ROOT = Path(__file__).resolve().parents[1]

# ------------------------------------------------------------------ Scrapinghub shingles


def test_shingles_short_text_is_one_shingle():
    assert shingle_counts("Hello, big world!") == Counter({"Hello big world": 1})


def test_shingles_empty_text_has_none():
    assert shingle_counts("") == Counter()
    assert shingle_counts(None) == Counter()
    assert shingle_counts(" -- !! ") == Counter()


def test_shingles_repeated():
    # 8 tokens -> 5 shingles, "a b c d" twice
    assert shingle_counts("a b c d a b c d") == Counter(
        {"a b c d": 2, "b c d a": 1, "c d a b": 1, "d a b c": 1}
    )


def test_shingle_scores_clip_repeated_shingles():
    # gold has 5 shingles ("a b c d" x2), pred 1: tp=1, fp=0, fn=4
    assert shingle_page_scores("a b c d a b c d", "a b c d") == pytest.approx((1.0, 0.2))
    # and the other way round: tp=1, fp=4, fn=0
    assert shingle_page_scores("a b c d", "a b c d a b c d") == pytest.approx((0.2, 1.0))


def test_shingle_scores_case_kept_punctuation_ignored():
    assert shingle_page_scores("Hello world", "hello world") == (0.0, 0.0)
    assert shingle_page_scores("Hello, world.", "Hello world") == (1.0, 1.0)


def test_shingle_scores_empty_sides():
    assert shingle_page_scores("", "") == (1.0, 1.0)
    assert shingle_page_scores("a b c d e", "") == (None, 0.0)  # precision undefined: skipped
    assert shingle_page_scores("", "a b c d e") == (0.0, None)  # recall undefined: skipped


def test_score_scrapinghub_means_and_skips():
    gold = {"a": "a b c d a b c d", "b": "x y z w", "c": ""}
    pred = {"a": "a b c d", "c": "", "extra": "ignored"}  # "b" missing = empty prediction
    s = score_scrapinghub(gold, pred, n_boot=50)
    # precision over a, c only (b skipped): (1 + 1) / 2; recall over all: (0.2 + 0 + 1) / 3
    assert s["precision"] == pytest.approx(1.0)
    assert s["recall"] == pytest.approx(0.4)
    assert s["f1"] == pytest.approx(2 * 0.4 / 1.4)
    assert s["n_pages"] == 3
    assert [p["id"] for p in s["pages"]] == ["a", "b", "c"]
    assert s["pages"][1]["precision"] is None
    lo, hi = s["f1_ci"]
    assert lo <= s["f1"] <= hi


def test_load_articlebody_json_both_shapes(tmp_path):
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps({"p1": {"articleBody": "text", "url": "u"}, "p2": {"articleBody": None}}))
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text(json.dumps({"version": "1", "output": {"p1": {"articleBody": "text"}, "p2": {}}}))
    assert load_articlebody_json(plain) == {"p1": "text", "p2": ""}
    assert load_articlebody_json(wrapped) == {"p1": "text", "p2": ""}


# ------------------------------------------------------------------ WCXB


def test_word_prf_clips_counts():
    # gold {the:2, cat:2}, pred {the:3, dog:1}: overlap min(2,3) = 2 of 4 and 4 tokens
    assert word_prf("the cat the cat", "the the the dog") == pytest.approx((0.5, 0.5, 0.5))


def test_word_prf_lowercases():
    assert word_prf("The Cat", "the CAT!") == (1.0, 1.0, 1.0)


def test_word_prf_empty_cases():
    assert word_prf("", "") == (1.0, 1.0, 1.0)
    assert word_prf("  --  ", None) == (1.0, 1.0, 1.0)  # no tokens counts as empty
    assert word_prf("", "something") == (0.0, 0.0, 0.0)
    assert word_prf("some gold", "") == (0.0, 0.0, 0.0)
    assert word_prf("some gold", "nothing shared") == (0.0, 0.0, 0.0)


def test_snippet_hits_case_insensitive():
    assert snippet_hits("Hello World, and FOO.", ["hello world", "foo", "bar"]) == (2, 3)
    assert snippet_hits("", ["x"]) == (0, 1)
    assert snippet_hits("text", None) == (0, 0)


def test_score_wcxb_mean_of_page_f1_and_pooled_snippets():
    gold = {"1": "a b", "2": "a b"}
    pred = {"1": "a b", "2": "a"}  # page 2: P=1, R=0.5, F1=2/3
    s = score_wcxb(
        gold, pred, with_snippets={"1": ["a b"], "2": ["a b", "b"]}, without_snippets={"1": ["z"]}, n_boot=50
    )
    assert s["precision"] == pytest.approx(1.0)
    assert s["recall"] == pytest.approx(0.75)
    assert s["f1"] == pytest.approx((1 + 2 / 3) / 2)  # not the harmonic mean of 1 and 0.75
    assert s["with_rate"] == pytest.approx(1 / 3)  # pooled: 1 of 3 snippets, not mean of pages
    assert s["without_rate"] == 0.0
    assert s["pages"][1] == pytest.approx(
        {
            "id": "2",
            "p": 1.0,
            "r": 0.5,
            "f1": 2 / 3,
            "with_found": 0,
            "with_total": 2,
            "without_found": 0,
            "without_total": 0,
        }
    )
    assert score_wcxb(gold, {}, n_boot=0)["f1"] == 0.0  # missing = empty extraction
    assert score_wcxb(gold, pred, n_boot=0)["with_rate"] is None


def test_read_wcxb_truth(tmp_path):
    full = {
        "url": "https://x.org/a",
        "_internal": {"page_type": {"primary": "article"}},
        "ground_truth": {"title": "T", "main_content": "Body.", "with": ["Body"], "without": ["Nav"]},
    }
    (tmp_path / "0001.json").write_text(json.dumps(full))
    (tmp_path / "0002.json").write_text(json.dumps({"ground_truth": {"main_content": None}}))
    gt = {p.stem: read_wcxb_truth(p) for p in sorted(tmp_path.glob("*.json"))}
    assert gt["0001"] == {
        "main_content": "Body.",
        "with": ["Body"],
        "without": ["Nav"],
        "page_type": "article",
        "url": "https://x.org/a",
        "title": "T",
    }
    assert gt["0002"] == {
        "main_content": "",
        "with": [],
        "without": [],
        "page_type": "unknown",
        "url": "",
        "title": None,
    }


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet="ab cD.", max_size=30), st.text(alphabet="ab cD.", max_size=30))
def test_word_prf_bounds_and_symmetry(gold, pred):
    p, r, f = word_prf(gold, pred)
    assert 0.0 <= min(p, r, f) and max(p, r, f) <= 1.0
    if gold.strip(" .") and pred.strip(" ."):
        p2, r2, _ = word_prf(pred, gold)  # swapping sides swaps precision and recall
        assert (p, r) == pytest.approx((r2, p2))


# ------------------------------------------------------------------ line-level classification

LABELS = ["body", "ad", "chrome"]
Y_TRUE = ["body", "body", "ad", "chrome", None, "body"]
Y_PRED = ["body", "ad", "ad", "body", "body", "body"]


def test_line_prf_tiny_confusion():
    res = line_prf(Y_TRUE, Y_PRED, LABELS)
    pl = res["per_label"]
    assert pl["body"] == pytest.approx({"precision": 2 / 3, "recall": 2 / 3, "f1": 2 / 3, "support": 3})
    assert pl["ad"] == pytest.approx({"precision": 0.5, "recall": 1.0, "f1": 2 / 3, "support": 1})
    assert pl["chrome"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert res["accuracy"] == pytest.approx(3 / 5)
    assert res["n"] == 5
    assert res["macro_f1"] == pytest.approx(4 / 9)
    assert line_prf(Y_TRUE, Y_PRED, LABELS, macro_labels=["body", "ad"])["macro_f1"] == pytest.approx(2 / 3)


def test_confusion_matrix_tiny():
    cm = confusion_matrix(Y_TRUE, Y_PRED, LABELS)
    np.testing.assert_array_equal(cm, [[2, 1, 0], [0, 1, 0], [1, 0, 0]])


def test_line_metrics_int_codes_match_strings():
    code = {"body": 0, "ad": 1, "chrome": 2, None: -1}
    t = np.array([code[v] for v in Y_TRUE])
    p = np.array([code[v] for v in Y_PRED])
    assert line_prf(t, p, [0, 1, 2])["per_label"][0] == line_prf(Y_TRUE, Y_PRED, LABELS)["per_label"]["body"]
    assert line_prf(t, p, [0, 1, 2])["macro_f1"] == pytest.approx(4 / 9)
    np.testing.assert_array_equal(confusion_matrix(t, p, [0, 1, 2]), confusion_matrix(Y_TRUE, Y_PRED, LABELS))
    # a Python list mixing strings and -1 is not coerced to strings
    assert line_prf(["body", -1], ["body", "ad"], LABELS)["n"] == 1


def test_line_prf_abstaining_prediction_is_wrong():
    res = line_prf(["body", "ad"], ["body", None], LABELS)
    assert res["accuracy"] == 0.5
    assert res["per_label"]["ad"]["recall"] == 0.0


def test_binary_prf():
    res = binary_prf([1, 1, 0, 0, -1], [1, 0, 1, 0, 1])  # -1: blank line, ignored
    assert (res["tp"], res["fp"], res["fn"], res["tn"]) == (1, 1, 1, 1)
    assert res["precision"] == res["recall"] == res["f1"] == res["accuracy"] == 0.5
    res = binary_prf(np.array([True, False]), np.array([False, False]))
    assert res["precision"] == 0.0 and res["recall"] == 0.0 and res["accuracy"] == 0.5


# ------------------------------------------------------------------ bootstrap


def test_bootstrap_deterministic_and_contains_estimate():
    values = np.random.default_rng(1).random(200)
    ci = bootstrap_ci(values, n_boot=500, seed=7)
    assert ci == bootstrap_ci(values, n_boot=500, seed=7)
    assert ci != bootstrap_ci(values, n_boot=500, seed=8)
    assert ci[0] < values.mean() < ci[1]
    assert np.isnan(bootstrap_ci([], n_boot=10)).all()  # nothing to resample


def test_score_cis_deterministic():
    gold = {str(i): f"w{i} a b c d e f" for i in range(20)}
    pred = {str(i): ("a b c d" if i % 3 else f"w{i} a b c d e f x") for i in range(20)}
    assert score_scrapinghub(gold, pred, seed=3, n_boot=200) == score_scrapinghub(
        gold, pred, seed=3, n_boot=200
    )
    a, b = score_wcxb(gold, pred, seed=3, n_boot=200), score_wcxb(gold, pred, seed=3, n_boot=200)
    assert a == b
    assert a["f1_ci"][0] <= a["f1"] <= a["f1_ci"][1]


# ------------------------------------------------------------------ published Scrapinghub outputs


def _scrapinghub_dir() -> Path:
    env = os.environ.get("BOILERPLATE_SCRAPINGHUB")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "data" / "scrapinghub"


@pytest.mark.parametrize("system, published_f1", [("trafilatura", 0.958), ("AutoExtract", 0.970)])
def test_published_scrapinghub_scores(system, published_f1):
    root = _scrapinghub_dir()
    path = root / "published-outputs" / f"{system}.json"
    if not (root / "ground-truth.json").is_file() or not path.is_file():
        pytest.skip(f"Scrapinghub benchmark data not found at {root} (set BOILERPLATE_SCRAPINGHUB)")
    gold = load_articlebody_json(root / "ground-truth.json")
    s = score_scrapinghub(gold, load_articlebody_json(path), n_boot=0)
    assert s["n_pages"] == 181
    assert round(s["f1"], 3) == published_f1


def test_cohen_kappa_hand_computed():
    from boilerplate.eval.metrics import cohen_kappa

    # 2x2 table [[2, 1], [0, 1]]: po = 3/4, pe = (3*2 + 1*2)/16 = 1/2, kappa = 0.5
    a = ["x", "x", "x", "y"]
    b = ["x", "x", "y", "y"]
    assert abs(cohen_kappa(a, b) - 0.5) < 1e-12
    assert cohen_kappa(a, a) == 1.0
    assert cohen_kappa(a + [None], b + ["x"]) == cohen_kappa(a, b)


def test_calibration_ece_and_bins():
    import numpy as np
    from sklearn.calibration import calibration_curve

    from boilerplate.eval.metrics import calibration

    rng = np.random.default_rng(0)
    p = rng.random(5000)
    y = rng.random(5000) < p  # calibrated by construction
    res = calibration(p, y)
    assert res["ece"] < 0.03 and sum(b["n"] for b in res["bins"]) == 5000
    frac, _ = calibration_curve(y, p, n_bins=10, strategy="uniform")
    assert np.allclose(frac, [b["rate"] for b in res["bins"] if b["n"]])
    assert abs(calibration(np.full(100, 0.9), np.zeros(100, bool))["ece"] - 0.9) < 1e-9  # overconfident
