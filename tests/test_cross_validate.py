"""The kind decision of the grouped CV: each fold's offsets come from the other folds only."""

import numpy as np
import pytest

from benchmarks.cross_validate import kind_decisions
from boilerplate.detectors.learned import tune_kind_offsets
from boilerplate.document import Document
from boilerplate.labels import BODY, KINDS, LABELS


def _page(i: int, rng: np.random.Generator) -> tuple[Document, np.ndarray]:
    """A hand-read page of 40 lines whose kind probabilities favour the true kind, except that
    ``ad`` lines look like ``chrome`` a little more than like ``ad`` (the argmax never says ad)."""
    gold = rng.choice([BODY, *KINDS], size=40, p=[0.3, 0.05, 0.1, 0.1, 0.1, 0.1, 0.25])
    proba = np.full((40, len(LABELS)), 0.02)
    for j, g in enumerate(gold):
        proba[j, LABELS.index(g)] = 0.6
        if g == "ad":
            proba[j, LABELS.index("chrome")] = 0.65
    proba[:, 0] = np.where(gold == BODY, 0.9, 0.1)
    doc = Document(lines=[f"line {j}" for j in range(40)], id=f"p{i}", labels=list(gold),
                   meta={"annotator": "A", "site": f"s{i}"})
    return doc, proba


def _setup(seed: int = 0):
    rng = np.random.default_rng(seed)
    pages = [_page(i, rng) for i in range(12)]
    docs = [d for d, _ in pages]
    folds = np.arange(12) % 3
    predicted = {"proba": [p for _, p in pages], "kinds": {f: tuple(KINDS) for f in range(3)}}
    return docs, folds, predicted


def test_offsets_make_the_hidden_kind_appear_and_apply_per_fold():
    docs, folds, predicted = _setup()
    out = kind_decisions(docs, folds, predicted, {}, [])
    assert set(out["by_fold"]) == {0, 1, 2} and len(out["all"]) == len(KINDS)
    said = {lab for labels in out["preds"] for lab in labels}
    assert "ad" in said  # the argmax never says ad here; the offsets learned to
    gold = [g for d in docs for g in d.labels]
    pred = [p for labels in out["preds"] for p in labels]
    assert [p == BODY for p in pred] == [g == BODY for g in gold]  # body or not is untouched


def test_a_folds_offsets_never_see_its_own_labels():
    docs, folds, predicted = _setup()
    before = kind_decisions(docs, folds, predicted, {}, [])["by_fold"]
    for i in np.flatnonzero(folds == 0):  # rewrite fold 0's labels: its offsets must not move
        docs[i].labels = ["chrome" if g in KINDS else g for g in docs[i].labels]
    after = kind_decisions(docs, folds, predicted, {}, [])["by_fold"]
    assert after[0] == before[0]
    # and they are the offsets the other folds' hand-read non-body lines give
    cols = [LABELS.index(k) for k in KINDS]
    rows = [(predicted["proba"][i][j, cols], KINDS.index(g)) for i in np.flatnonzero(folds != 0)
            for j, g in enumerate(docs[i].labels) if g in KINDS]
    expected = tune_kind_offsets(np.log([r for r, _ in rows]), np.array([y for _, y in rows]))
    assert np.allclose(after[0], expected)


def test_train_default_decision_only_sets_the_offsets_and_keeps_the_arrays(tmp_path, monkeypatch):
    import shutil

    from benchmarks import train_default
    from boilerplate.detectors.learned import SHIPPED, LearnedDetector

    path = tmp_path / "text.npz"
    shutil.copy(SHIPPED["learned-text"], path)
    offsets = (0.5, 0.0, -0.25, 1.0, 0.0, 0.0)
    monkeypatch.setattr(train_default, "SHIPPED", {**SHIPPED, "learned-text": path})
    monkeypatch.setattr(train_default, "SHIPPED_KIND_OFFSETS", {"learned-text": offsets})
    monkeypatch.setattr(train_default, "KIND_DECISION", "offsets")
    assert train_default.main(["--decision-only", "--only", "learned-text"]) == 0
    before, after = LearnedDetector.load(SHIPPED["learned-text"]), LearnedDetector.load(path)
    assert after.kind_offsets == offsets
    doc = Document.from_text("Subscribe to our newsletter\nAdvertisement\n\nA long sentence of the article, "
                             "with words enough to be prose.\nRead more")
    assert np.array_equal(after.predict_proba(doc), before.predict_proba(doc))


def test_breakdowns_are_recomputed_from_saved_predictions(tmp_path):
    import json

    import pytest

    from benchmarks.common import fine_by
    from benchmarks.cross_validate import rescore_breakdowns
    from boilerplate.eval.dataset import write_jsonl

    rng = np.random.default_rng(1)
    docs = [_page(i, rng)[0] for i in range(6)]
    for i, d in enumerate(docs):
        d.meta.update(source="wcxb", page_type=("article", "forum", "product")[i % 3], lang="de" if i < 2 else "en")
    write_jsonl(docs, tmp_path / "wcxb.jsonl")
    preds = [[g if j % 4 else "chrome" for j, g in enumerate(d.labels)] for d in docs]  # every 4th line wrong
    results = tmp_path / "cv.json"
    results.write_text(json.dumps({"html": {"fine": {"pages": 6}}}))
    (tmp_path / "cv_predictions_html.jsonl").write_text(
        "".join(json.dumps({"id": d.id, "pred": p}) + "\n" for d, p in zip(docs, preds)))
    assert rescore_breakdowns(tmp_path, results) == 0
    got = json.loads(results.read_text())["html"]
    assert set(got["fine_by_page_type"]) == {"article", "forum", "product"}
    assert set(got["fine_by_language"]) == {"de", "en"}
    want = fine_by(docs, preds, list(range(6)), lambda d: d.meta["page_type"])
    assert got["fine_by_page_type"]["forum"]["macro_f1"] == pytest.approx(want["forum"]["macro_f1"])
    assert got["fine_by_page_type"]["forum"]["macro_f1"] < 1.0  # the wrong lines count
    # a corpus whose hand-read pages are not the run's is refused, not silently rescored
    results.write_text(json.dumps({"html": {"fine": {"pages": 5}}}))
    with pytest.raises(SystemExit, match="hand-read pages"):
        rescore_breakdowns(tmp_path, results)


def test_each_variant_is_cross_validated_with_its_shipped_setting_unless_one_is_given(monkeypatch):
    from benchmarks import cross_validate
    from benchmarks.cross_validate import variant_params

    monkeypatch.setattr(cross_validate, "SHIPPED_PARAMS", {"learned-text": {"C": 1.0, "kind_offsets": None},
                                                           "learned-html": {"stack_kinds": True}})
    assert variant_params(["text", "html"]) == {"text": {"C": 1.0}, "html": {"stack_kinds": True}}
    assert variant_params(["html"]) == {"html": {"stack_kinds": True}}
    given = variant_params(["text", "html"], {"max_iter": 5, "kind_offsets": [0.0] * 6})
    assert given == {"text": {"max_iter": 5}, "html": {"max_iter": 5}}


def test_body_calibration_scores_the_labeled_lines_of_the_pages_asked_for():
    from benchmarks.cross_validate import body_calibration
    from boilerplate.eval.metrics import calibration

    docs = [Document(lines=["a", "b", "c"], labels=[BODY, None, "chrome"]),
            Document(lines=["d", "e"], labels=[BODY, BODY])]
    p_body = [np.array([0.9, 0.5, 0.8]), np.array([0.2, 0.3])]
    # the unlabeled line is left out; a wrong confident line (0.8 on chrome) counts
    assert body_calibration(docs, p_body) == calibration([0.9, 0.8, 0.2, 0.3], [True, False, True, True])
    assert body_calibration(docs, p_body, [0])["ece"] == calibration([0.9, 0.8], [True, False])["ece"]
    assert body_calibration(docs, p_body)["ece"] > 0


def test_out_of_fold_probabilities_round_trip_page_by_page(tmp_path):
    from benchmarks.cross_validate import load_proba, save_proba
    from boilerplate.document import Document

    rng = np.random.default_rng(0)
    docs = [Document(lines=["a"] * n, id=f"p{n}") for n in (3, 1, 5)]
    proba = [rng.dirichlet(np.ones(7), size=len(d.lines)) for d in docs]
    seeds = [rng.dirichlet(np.ones(7), size=2)]
    kinds = {0: KINDS, 1: KINDS[:3], -1: KINDS}
    save_proba(tmp_path / "p.npz", docs, np.array([0, 1, 0]), {"proba": proba, "seeds_proba": seeds, "kinds": kinds})
    back = load_proba(tmp_path / "p.npz")
    assert back["ids"] == ["p3", "p1", "p5"] and back["folds"].tolist() == [0, 1, 0]
    assert [b.shape for b in back["proba"]] == [(3, 7), (1, 7), (5, 7)]
    assert back["kinds"] == kinds
    for a, b in zip(proba + seeds, back["proba"] + back["seeds_proba"]):
        np.testing.assert_allclose(a, b, rtol=1e-6)  # float32


def test_the_cv_decides_with_shipped_settings_each_line_alone():
    from benchmarks.cross_validate import _decide, variant_params

    for variant in ("text", "html"):
        params = variant_params([variant])[variant]
        assert "kind_transition_weight" not in params and "kind_offsets" not in params
        det = _decide(params, KINDS, (0.0,) * len(KINDS))
        proba = np.full((2, len(LABELS)), 0.1)
        proba[:, 0] = [0.9, 0.1]
        assert det.labels_from_proba(Document(lines=["a", "b"]), proba)[0] == BODY


def test_a_setting_no_detector_takes_fails_at_once_in_one_line(tmp_path):
    from benchmarks.cross_validate import run

    # before any page is read (there are none here) or any fold is fitted
    with pytest.raises(SystemExit, match=r"^--params: invalid parameter 'text' for LearnedDetector; valid parameters are .*'max_iter'"):
        run(data=tmp_path, params={"text": {"max_iter": 5}}, variants="text", out=tmp_path / "cv.json")
    # a value out of range, or two settings that cannot go together, fail here too, not in a fold
    with pytest.raises(SystemExit, match=r"^--params: LearnedDetector: cohesion must be .*second kind stage"):
        run(data=tmp_path, params={"cohesion": True}, variants="html", out=tmp_path / "cv.json")
    with pytest.raises(SystemExit, match=r"^--params: LearnedDetector: C must be > 0, got -1"):
        run(data=tmp_path, params={"C": -1}, variants="text", out=tmp_path / "cv.json")
    with pytest.raises(SystemExit, match=r"^--params: "):  # a value of the wrong type, too
        run(data=tmp_path, params={"C": "x"}, variants="text", out=tmp_path / "cv.json")
    with pytest.raises(SystemExit, match="^--params: html is the variant's own"):
        run(data=tmp_path, params={"html": True}, variants="text", out=tmp_path / "cv.json")
    with pytest.raises(SystemExit, match="^--kind-decision must be"):
        run(data=tmp_path, params={"max_iter": 5}, variants="text", out=tmp_path / "cv.json", kind_decision="best")
    assert not (tmp_path / "cv.json").exists()


def test_environment_records_the_libraries_commit_and_corpus_a_fit_depends_on(tmp_path):
    """A cross-validation run's result names what its fit depends on: two runs whose numbers
    differ can then tell a changed corpus from changed libraries."""
    from importlib import metadata

    from benchmarks.common import environment

    (tmp_path / "a.jsonl").write_text('{"id": "1"}\n')
    first = environment(tmp_path)
    assert first["packages"]["scikit-learn"] == metadata.version("scikit-learn")
    assert first["packages"]["numpy"] == metadata.version("numpy")
    assert set(first["data_sha256"]) == {"a.jsonl"} and len(first["data_sha256"]["a.jsonl"]) == 64
    (tmp_path / "a.jsonl").write_text('{"id": "2"}\n')  # another corpus, the same name
    assert environment(tmp_path)["data_sha256"]["a.jsonl"] != first["data_sha256"]["a.jsonl"]
    assert "data_sha256" not in environment()
