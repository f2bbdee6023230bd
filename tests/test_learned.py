import numpy as np
import pytest

from boilerplate.detectors.learned import LearnedDetector, ModelError
from boilerplate.detectors.learned.forest import _forest_walk, export_forest, forest_decision
from boilerplate.document import Document

PROSE = ["The council voted on Tuesday to expand the city's bus network into the northern districts.",
         "Officials said the new routes would begin running in the spring, pending a final budget review.",
         "Residents had long complained that the area was poorly served by public transport."]
NOISE = ["Home", "Sign up for our newsletter", "Advertisement", "Share", "See also:", "Read more"]


def _docs(n=6):
    docs = []
    for i in range(n):
        lines = [NOISE[i % 6], NOISE[(i + 1) % 6], *PROSE, NOISE[(i + 2) % 6], ""]
        labels = ["chrome", "appeal", "body", "body", "body", "ad", None]
        docs.append(Document(lines=lines, id=f"d{i}", labels=labels, meta={"site": f"s{i % 3}"}))
    return docs


@pytest.fixture(scope="module")
def fitted():
    return LearnedDetector(max_iter=20).fit(_docs())


def test_fit_returns_self_and_predicts_shapes(fitted):
    doc = _docs(1)[0]
    proba = fitted.predict_proba(doc)
    assert proba.shape == (7, 7)
    assert np.allclose(proba[:-1].sum(axis=1), 1) and proba[-1].sum() == 0
    labels = fitted.predict(doc)
    assert labels[-1] is None and labels[2:5] == ["body"] * 3


def test_threshold_knob_moves_the_binary_decision(fitted):
    doc = _docs(1)[0]
    strict = LearnedDetector.__new__(LearnedDetector)
    strict.__dict__.update(fitted.__dict__, threshold=1.01)
    assert "body" not in strict.predict(doc)


def test_save_load_round_trip(tmp_path, fitted):
    path = tmp_path / "m.npz"
    fitted.save(path)
    loaded = LearnedDetector.load(path)
    doc = _docs(1)[0]
    assert np.allclose(loaded.predict_proba(doc), fitted.predict_proba(doc), atol=1e-5)
    assert loaded.get_params() == fitted.get_params()


def test_bad_model_files_raise_model_error(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        LearnedDetector.load(tmp_path / "missing.npz")
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ModelError, match="not a readable"):
        LearnedDetector.load(bad)
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, header=np.array([{"evil": 1}], dtype=object))  # object arrays need pickle
    with pytest.raises(ModelError):
        LearnedDetector.load(pickled)


def test_unfitted_detector_raises():
    with pytest.raises(ValueError, match="not fitted"):
        LearnedDetector().predict_proba(_docs(1)[0])


def test_numpy_forest_matches_sklearn():
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 5))
    X[rng.random(X.shape) < 0.05] = np.nan
    y = (np.nan_to_num(X[:, 0]) + np.nan_to_num(X[:, 1]) ** 2 > 0.5).astype(int)
    hgb = HistGradientBoostingClassifier(max_iter=15, random_state=0).fit(X, y)
    forest = export_forest(hgb)
    assert np.allclose(forest_decision(forest, X), hgb.decision_function(X), atol=1e-8)
    assert forest["_compiled"] is not None  # the fast path was taken
    assert np.allclose(_forest_walk(forest, X), hgb.decision_function(X), atol=1e-8)  # the fallback


def test_kind_model_ignores_partially_labeled_documents():
    # Alignment-labeled pages carry "other" for most non-body lines and a kind only on the title
    # line: learning kinds from them would make that one kind the answer everywhere.
    docs = _docs()
    aligned = [Document(lines=["Big Title Of The Page", *PROSE, "Menu"], id=f"a{i}",
                        labels=["headline", "body", "body", "body", "other"], meta={"site": f"t{i}"}) for i in range(4)]
    model = LearnedDetector(max_iter=10).fit(docs + aligned)
    assert "headline" not in model.kinds_
    assert set(model.kinds_) == {"chrome", "appeal", "ad"}


def test_ablation_removes_a_feature_group_and_rejects_unknown_names():
    docs = _docs()
    full = LearnedDetector(max_iter=10).fit(docs)
    no_words = LearnedDetector(max_iter=10, ablate=("words",)).fit(docs)
    assert np.count_nonzero(full.text_coef_[:2**18]) > 0
    assert np.count_nonzero(no_words.text_coef_[:2**18]) == 0
    with pytest.raises(ValueError, match="ablate must be a subset"):
        LearnedDetector(ablate=("colour",)).fit(_docs())  # validated in fit, as scikit-learn does


def test_shipped_model_copies_are_independent(tmp_path, fitted, monkeypatch):
    from boilerplate.detectors.learned import model as learned

    path = tmp_path / "text.npz"
    fitted.save(path)
    monkeypatch.setitem(learned.SHIPPED, "learned-text", path)
    a, b = learned.shipped_model("learned-text"), learned.shipped_model("learned-text")
    a.threshold = 0.99
    assert b.threshold == fitted.threshold and a is not b


def test_multiclass_forest_matches_sklearn():
    from sklearn.ensemble import HistGradientBoostingClassifier

    from boilerplate.detectors.learned.forest import export_multiclass_forest, multiclass_decision

    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 4))
    y = np.digitize(X[:, 0] + X[:, 1], (-0.5, 0.5))
    hgb = HistGradientBoostingClassifier(max_iter=8, random_state=0).fit(X, y)
    forest = export_multiclass_forest(hgb, "k_")
    assert np.allclose(multiclass_decision(forest, "k_", X), hgb._raw_predict(X), atol=1e-8)


def test_context_kind_stage_fits_saves_and_loads(tmp_path):
    docs = _docs(9)
    model = LearnedDetector(max_iter=10, kind_stage="context").fit(docs)
    assert model.kind_forest_ and set(model.kinds_) == {"chrome", "appeal", "ad"}
    proba = model.predict_proba(docs[0])
    assert np.allclose(proba[:-1].sum(axis=1), 1) and proba[-1].sum() == 0
    path = tmp_path / "ctx.npz"
    model.save(path)
    loaded = LearnedDetector.load(path)
    assert np.allclose(loaded.predict_proba(docs[0]), proba, atol=1e-5)
    flat = LearnedDetector(max_iter=10).fit(docs)
    assert not flat.kind_forest_  # the default is the flat kind model


def test_silver_kinds_train_the_kind_model_only_when_weighted():
    from boilerplate.html import render

    aligned = []
    for i in range(4):
        d = render(b"<p>" + PROSE[0].encode() + b"</p><div class='related-posts'><p>Another story entirely</p></div>"
                   b"<nav><p>Home</p></nav>", id=f"a{i}")
        d.labels, d.meta["site"] = ["body", "other", "other"], f"t{i}"
        aligned.append(d)
    hand = _docs()
    assert "teaser" not in LearnedDetector(max_iter=5).fit(hand + aligned).kinds_
    assert "teaser" in LearnedDetector(max_iter=5, silver_weight=0.5).fit(hand + aligned).kinds_


def test_run_features_length_and_place():
    from boilerplate.detectors.learned.features import feature_layout, run_features

    # the log_words and prose columns are what run_features reads
    layout = feature_layout(False)
    dense = np.zeros((6, len(layout)))
    dense[:, layout.index("log_words")] = np.log1p([2, 2, 2, 20, 20, 2])
    dense[:, layout.index("prose")] = [0, 0, 0, 1, 1, 0]
    blank = np.zeros(6, dtype=bool)
    out = run_features(dense, blank, layout)
    assert np.allclose(np.expm1(out[:, 0]), [3, 3, 3, 2, 2, 1])
    assert np.allclose(out[:3, 1], [0, 0.5, 1])
    assert out[0, 2] == 1 and out[5, 2] == 0  # the run of three is the longest of its shape


def test_registry_sets_the_threshold_of_a_shipped_model():
    from boilerplate import detectors

    strict = detectors.get("learned-text", threshold=0.9)
    assert strict.threshold == 0.9 and detectors.get("learned-text").threshold == 0.5  # copies stay apart
    with pytest.raises(ValueError, match="only threshold"):
        detectors.get("learned-text", C=2.0)


def test_label_score_is_the_probability_of_the_printed_label(fitted):
    import boilerplate

    doc = _docs(1)[0]
    strict = LearnedDetector.__new__(LearnedDetector)
    strict.__dict__.update(fitted.__dict__, threshold=1.01)  # nothing is body: prose gets its best kind
    proba = strict.predict_proba(doc)
    labeled = boilerplate.label_document(doc, detector=strict)
    for row, x in zip(proba, labeled):
        if x.label is None:
            assert x.score == 0.0
            continue
        assert x.label != "body"
        assert x.score == pytest.approx(row[boilerplate.LABELS.index(x.label)]) and x.p_body == pytest.approx(row[0])
    assert all(x.score < proba[i].max() for i, x in enumerate(labeled[2:5], 2))  # not the row maximum (body)


def test_explain_names_the_groups_that_decided():
    model = LearnedDetector(max_iter=20).fit(_docs(30))  # enough lines for the booster to split
    doc = _docs(1)[0]
    reasons = model.explain(doc)
    assert [lab for lab, _ in reasons] == model.predict(doc)
    assert reasons[-1] == (None, "blank line")
    assert all("P(body) pushed by" in r for lab, r in reasons if lab == "body")
    assert all("over the other kinds" in r for lab, r in reasons if lab not in (None, "body"))
    assert {lab for lab, _ in reasons} - {None, "body"}  # both kinds of explanation are exercised
    groups = {"words", "shape", "lexicons", "document", "context"}
    assert all(any(g in r for g in groups) for lab, r in reasons if lab)
