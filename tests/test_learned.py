import copy
import zipfile

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone

from boilerplate.detectors.learned import LearnedDetector, ModelError
from boilerplate.detectors.learned import forest as forest_module
from boilerplate.detectors.learned.forest import export_forest, forest_decision
from boilerplate.detectors.learned.model import read_arrays, write_arrays
from boilerplate.document import Document
from boilerplate.labels import BODY_INDEX, KINDS, LABELS

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


def test_forest_matches_sklearn_compiled_and_in_numpy(monkeypatch):
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 5))
    X[rng.random(X.shape) < 0.05] = np.nan
    y = (np.nan_to_num(X[:, 0]) + np.nan_to_num(X[:, 1]) ** 2 > 0.5).astype(int)
    hgb = HistGradientBoostingClassifier(max_iter=15, random_state=0).fit(X, y)
    forest = export_forest(hgb)
    fast = forest_decision(forest, X)
    assert forest_module._compiled_walk() is not None  # numba is installed: the compiled walk ran
    assert np.array_equal(fast, hgb.decision_function(X))  # the same sums, to the bit
    monkeypatch.setattr(forest_module, "_compiled_walk", lambda: None)  # without numba: the numpy walk
    assert np.array_equal(forest_decision(export_forest(hgb), X), fast)
    assert forest_decision(forest, X[:0]).shape == (0,)
    with pytest.raises(ValueError, match="columns"):
        forest_decision(forest, X[:, :2])  # rows too narrow for the trees: refused, not read past


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
    # and on request, before any fit: the same check, the detector itself back when it passes
    with pytest.raises(ValueError, match="ablate must be a subset"):
        LearnedDetector(ablate=("colour",)).validate_params()
    det = LearnedDetector(ablate=("words",))
    assert det.validate_params() is det


def test_shipped_model_copies_are_independent(tmp_path, fitted, monkeypatch):
    from boilerplate.detectors.learned import model as learned

    path = tmp_path / "text.npz"
    fitted.save(path)
    monkeypatch.setitem(learned.SHIPPED, "learned-text", path)
    a, b = learned.shipped_model("learned-text"), learned.shipped_model("learned-text")
    a.threshold = 0.99
    assert b.threshold == fitted.threshold and a is not b


def test_multiclass_forest_matches_sklearn(monkeypatch):
    from sklearn.ensemble import HistGradientBoostingClassifier

    from boilerplate.detectors.learned.forest import export_multiclass_forest, multiclass_decision

    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 4))
    y = np.digitize(X[:, 0] + X[:, 1], (-0.5, 0.5))
    hgb = HistGradientBoostingClassifier(max_iter=8, random_state=0).fit(X, y)
    forest = export_multiclass_forest(hgb, "k_")
    assert np.array_equal(multiclass_decision(forest, "k_", X), hgb._raw_predict(X))
    monkeypatch.setattr(forest_module, "_compiled_walk", lambda: None)
    assert np.array_equal(multiclass_decision(export_multiclass_forest(hgb, "k_"), "k_", X), hgb._raw_predict(X))


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


@pytest.mark.parametrize("stage", ["context", "context-linear"])
def test_kind_stage_reuses_the_stacked_out_of_fold_kinds(monkeypatch, stage):
    """With ``stack_kinds`` (its kind fits as long as the kind model's) the second kind stage reads
    the booster's out-of-fold kind probabilities: it fits no kind models of its own (as many fits
    as the flat design); without it, or with shorter kind fits, it does."""
    from boilerplate.detectors.learned import model as model_module

    calls = []
    real = model_module.fit_sparse_logistic
    monkeypatch.setattr(model_module, "fit_sparse_logistic", lambda *a, **k: calls.append(1) or real(*a, **k))

    def fits(**params):
        calls.clear()
        LearnedDetector(max_iter=10, **params).fit(_docs(9))
        return len(calls)

    long = {"stack_kinds": True, "stack_kind_max_iter": 500}  # as long as the kind model (500)
    assert fits(**long, kind_stage=stage) == fits(**long)
    assert fits(kind_stage=stage) > fits()
    # out-of-fold kinds stopped early do not stand for the kind model: the stage fits its own
    assert fits(stack_kinds=True, stack_kind_max_iter=100, kind_stage=stage) > fits(stack_kinds=True, stack_kind_max_iter=100)


def test_tune_kind_offsets_raises_a_kind_said_too_seldom_and_keeps_zero_when_nothing_gains():
    from boilerplate.detectors.learned.model import tune_kind_offsets

    # kind 1 is true on half the rows but never the argmax: an offset on it (or against kind 0) helps
    log_p = np.log(np.array([[0.6, 0.4]] * 4 + [[0.9, 0.1]] * 4))
    y = np.array([1, 1, 1, 1, 0, 0, 0, 0])
    offsets = tune_kind_offsets(log_p, y)
    assert ((log_p + offsets).argmax(axis=1) == y).all()
    # already perfect: every move loses or ties, so every offset stays 0
    assert not tune_kind_offsets(np.log(np.array([[0.8, 0.2], [0.3, 0.7]])), np.array([0, 1])).any()


def test_kind_offsets_move_labels_only_and_travel_in_the_model_file(tmp_path, fitted):
    doc = _docs(1)[0]
    proba = fitted.predict_proba(doc)
    # a large enough offset on one kind makes it the label of every non-body line
    offsets = tuple(10.0 if k == "ad" else 0.0 for k in KINDS)
    tuned = clone(fitted).set_params(kind_offsets=offsets).fit(_docs())
    assert np.allclose(tuned.predict_proba(doc), proba)  # probabilities do not depend on them
    labels = tuned.predict(doc)
    assert labels == fitted.predict(doc)  # body or not is unchanged, and the offsets only move kinds
    strict = copy.copy(tuned).set_params(threshold=1.0)  # (almost) no line is body
    assert set(strict.predict(doc)) - {None, "body"} == {"ad"}
    assert set(strict.set_params(kind_offsets=None).predict(doc)) - {None, "body"} > {"ad"}
    path = tmp_path / "tuned.npz"
    tuned.save(path)
    loaded = LearnedDetector.load(path)
    assert loaded.kind_offsets == offsets and loaded.predict(doc) == labels
    for bad in ((1.0,) * 5, (np.nan,) * 6, (1e6,) * 6, ("a",) * 6):
        with pytest.raises(ValueError, match="kind_offsets"):
            LearnedDetector(max_iter=5, kind_offsets=bad).fit(_docs())


def test_kind_offsets_in_a_model_header_are_checked(tmp_path, fitted):
    import json

    path = tmp_path / "m.npz"
    fitted.save(path)
    arrays = read_arrays(path)
    header = json.loads(str(arrays["header"][()]))
    for bad in ([1.0] * 5, [1e6] * 6, "high"):
        header["params"]["kind_offsets"] = bad
        write_arrays(tmp_path / "bad.npz", {**arrays, "header": np.array(json.dumps(header))})
        with pytest.raises(ModelError, match="kind_offsets"):
            LearnedDetector.load(tmp_path / "bad.npz")


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


_IDEOGRAPHS = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003ffff"


def _reference_hashed_rows(lines, n_features, max_chars):
    """The documented hashing written out with a regex tokenizer and Python integers."""
    import re

    token = re.compile(rf"[{_IDEOGRAPHS}]|[^\W{_IDEOGRAPHS}]+|[^\w\s]")
    mask = 0xFFFFFFFF

    def fmix(h):
        h ^= h >> 16
        h = (h * 0x85EBCA6B) & mask
        h ^= h >> 13
        h = (h * 0xC2B2AE35) & mask
        return h ^ (h >> 16)

    def fnv(tok):
        h = 0x811C9DC5
        for ch in tok:
            h = ((h ^ ord(ch)) * 0x01000193) & mask
        return h

    rows = []
    for line in lines:
        hashes = [fnv(t) for t in token.findall(line[:max_chars].lower())]
        cols = [fmix(h ^ 0x5BD1E995) % n_features for h in hashes]
        cols += [fmix((a * 0x9E3779B1 + b) & mask) % n_features for a, b in zip(hashes, hashes[1:])]
        counts = np.bincount(cols, minlength=n_features).astype(float) if cols else np.zeros(n_features)
        rows.append(counts / max(np.sqrt((counts ** 2).sum()), 1e-300) if cols else counts)
    return np.array(rows)


def test_hashed_text_equals_the_written_out_hashing():
    from boilerplate.detectors.learned.features import HASH_FEATURES, HASH_MAX_CHARS, hashed_text
    from boilerplate.detectors.learned.hashing import hash_lines

    lines = [*PROSE, "", "  ", "Ünïcödé — «quotes», İSTANBUL ΟΔΟΣ Σ!", "x" * 500, "a\x0bb c", *NOISE,
             "日本語の文章、無料会員登録はこちら・ページ", "中文abc 한국어 단어 𠮷野家", "a_b c😀d 12,5 %",
             "𝐇𝐞𝐥𝐥𝐨 world 𞤀𞤁𞤂", "\x00nul\u2028sep\u3000wide"]
    got = hashed_text(Document(lines=lines))
    assert got.shape == (len(lines), HASH_FEATURES) and got.has_sorted_indices
    want = _reference_hashed_rows(lines, HASH_FEATURES, HASH_MAX_CHARS)
    assert np.abs(got.toarray() - want).max() < 1e-12
    plain = hash_lines([line[:HASH_MAX_CHARS].lower() for line in lines], HASH_FEATURES, compiled=False)
    assert (plain != got).nnz == 0  # the compiled loop and the plain Python one agree exactly
    japanese = got[lines.index("日本語の文章、無料会員登録はこちら・ページ")]
    assert japanese.nnz > 20  # characters and character pairs, not one token per phrase
    assert hashed_text(Document(lines=[])).shape == (0, HASH_FEATURES)
    for bad in (1000, 1, 2**32):
        with pytest.raises(ValueError, match="power of two"):
            hash_lines(["a"], bad)
    from boilerplate.detectors.learned.hashing import hash_text_lines

    assert (hash_text_lines("ab\ncd", [0, 3], [2, 5], HASH_FEATURES) != hash_lines(["ab", "cd"], HASH_FEATURES)).nnz == 0
    for starts, ends in (([0], [9]), ([3], [2]), ([-1], [1]), ([0, 1], [1])):  # never read past the text
        with pytest.raises(ValueError, match="line bounds"):
            hash_text_lines("ab\ncd", starts, ends, HASH_FEATURES)


def _saved_without(model, path, *params):
    """Save ``model`` to ``path`` as a file from before ``params`` existed: none in its header."""
    import json

    def without(arrays):
        header = json.loads(str(arrays["header"]))
        for name in params:
            header["params"].pop(name)
        return {**arrays, "header": np.array(json.dumps(header))}
    return _resaved(model, path, without)


def _fnv_fmix(text, seed):
    from boilerplate.lines import FMIX1, FMIX2, FNV_PRIME, MASK_32

    h = seed
    for ch in text:
        h = ((h ^ ord(ch)) * FNV_PRIME) & MASK_32
    h ^= h >> 16
    h = (h * FMIX1) & MASK_32
    h ^= h >> 13
    h = (h * FMIX2) & MASK_32
    return h ^ (h >> 16)


def test_char_ngrams_are_scikit_learns_char_wb_ngrams_of_each_lines_head_in_any_script(monkeypatch):
    from sklearn.feature_extraction.text import HashingVectorizer

    from boilerplate.detectors.learned.features import (
        CHAR_NGRAM_CHARS,
        CHAR_NGRAM_SIZES,
        CHAR_NGRAM_VALUE,
        HASH_FEATURES,
        char_ngram_rows,
    )
    from boilerplate.detectors.learned.hashing import _CHAR_SEED, hash_char_ngrams

    lines = ["Use Coupon Code MSA50 now", "", "  a  b ", "€69.99", "無料会員登録はこちら・ページ",
             "Newsletter-Anmeldung \t jetzt", "x" * 500, "İSTANBUL ΟΔΟΣ 𝐇𝐞𝐥𝐥𝐨 😀", "ab\u3000cd\x0bef", "a",
             "a" * 31 + "İ", "İ" * 40]  # lower-casing lengthens "İ": the head is cut before it
    analyzer = HashingVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAM_SIZES, lowercase=False).build_analyzer()
    got = char_ngram_rows(Document(lines=lines))
    assert got.shape == (len(lines), HASH_FEATURES) and got.has_sorted_indices
    want = np.zeros((len(lines), HASH_FEATURES))
    for i, line in enumerate(lines):
        for gram in analyzer(line[:CHAR_NGRAM_CHARS].lower()):
            want[i, _fnv_fmix(gram, _CHAR_SEED) % HASH_FEATURES] += 1
        norm = np.sqrt((want[i] ** 2).sum())
        want[i] *= CHAR_NGRAM_VALUE / norm if norm else 0.0
    assert np.abs(got.toarray() - want).max() < 1e-12
    assert not got[1].nnz and got[lines.index("a")].nnz == 1  # nothing on a blank line; " a " once
    heads = [line[:CHAR_NGRAM_CHARS].lower() for line in lines]
    # the plain loop with plain helpers (a compiled call binds the module's helper names to numba's)
    from boilerplate.detectors.learned import hashing

    monkeypatch.setattr(hashing, "_close_row", hashing.close_row)
    monkeypatch.setattr(hashing, "_fmix", hashing.fmix)
    plain = hash_char_ngrams(heads, HASH_FEATURES, 10**6, CHAR_NGRAM_SIZES, compiled=False)
    assert (plain * CHAR_NGRAM_VALUE != got).nnz == 0  # the compiled loop and the plain one agree exactly
    assert hash_char_ngrams([], HASH_FEATURES, 32).shape == (0, HASH_FEATURES)
    for bad in ({"n_features": 1000}, {"sizes": (3, 2)}, {"head": -1}):
        with pytest.raises(ValueError, match="power of two|sizes"):
            hash_char_ngrams(["a"], **{"n_features": HASH_FEATURES, "head": 32, **bad})


def test_char_ngrams_reach_the_models_and_round_trip(tmp_path):
    from boilerplate.detectors.learned.features import char_ngram_rows

    docs = _docs(9)
    plain = LearnedDetector(max_iter=10, kind_window=2, shape_words=True).fit(docs)
    grams = LearnedDetector(max_iter=10, kind_window=2, shape_words=True, char_ngrams=True).fit(docs)
    # the line's words plus its character n-grams, in the same columns
    assert (grams._features(docs[0])[0] - plain._features(docs[0])[0] != char_ngram_rows(docs[0])).nnz == 0
    loaded = _added_words_score_stack_and_round_trip(grams, plain, docs, tmp_path)
    assert loaded.char_ngrams is True and clone(grams).get_params()["char_ngrams"] is True
    # the words ablation takes them too: they are parts of the lines' own words
    ablated = LearnedDetector(ablate=("words",), char_ngrams=True)
    assert ablated._features(docs[0])[0].nnz == 0
    # the n-grams reach the run words too (kind_window): the kind model's second block of words
    from boilerplate.detectors.learned.model import HASH_FEATURES, neighbour_words

    blank = np.zeros(len(docs[0].lines), dtype=bool)
    run = neighbour_words(grams._features(docs[0])[0], blank, 2)
    assert (run != neighbour_words(plain._features(docs[0])[0], blank, 2)).nnz
    assert not np.allclose(grams.kind_coef_[:, -HASH_FEATURES:], plain.kind_coef_[:, -HASH_FEATURES:])
    # a file from before the parameter (none in its header) loads with it off
    assert LearnedDetector.load(_saved_without(plain, tmp_path / "plain.npz", "char_ngrams")).char_ngrams is False
    with pytest.raises(ValueError, match="char_ngrams"):
        LearnedDetector(char_ngrams=1).fit(docs)


def test_char_classes_are_re_classes_of_every_code_point():
    import re

    from boilerplate.detectors.learned.hashing import (
        IDEOGRAPH,
        IDEOGRAPH_RANGES,
        OTHER,
        SPACE,
        WORD,
        char_classes,
    )

    classes = char_classes()
    assert len(classes) == 0x110000
    ideograph = np.zeros(0x110000, dtype=bool)
    for lo, hi in IDEOGRAPH_RANGES:
        ideograph[lo:hi + 1] = True
    word, space = re.compile(r"\w"), re.compile(r"\s")
    for c in [*range(0, 0x3000), *range(0xD7F0, 0xE010), *range(0x10FF00, 0x110000), *range(0x3000, 0x110000, 97)]:
        ch = chr(c)
        want = IDEOGRAPH if ideograph[c] else WORD if word.match(ch) else SPACE if space.match(ch) else OTHER
        assert classes[c] == want, hex(c)


def test_first_compilation_is_safe_from_several_threads(monkeypatch):
    import threading

    import boilerplate
    from boilerplate import compiled, lines
    from boilerplate.detectors.learned import features, forest, hashing

    monkeypatch.setattr(compiled, "_DONE", {})  # as in a fresh process: nothing compiled yet
    start, errors = threading.Barrier(6), []

    def work():
        start.wait()
        try:
            boilerplate.clean("A first line of text, long enough to be read as prose by the model.\nAdvertisement")
        except Exception as exc:  # noqa: BLE001 - any failure is the finding
            errors.append(repr(exc))

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # every loop a clean runs was compiled (once; the shape words' murmur loop too when its word
    # cache is cold, as in a fresh process, hence a subset)
    assert errors == []
    assert {hashing._hash_lines, forest._walk_trees, lines._token_ids, features._windows} <= set(compiled._DONE)
    assert None not in compiled._DONE.values()


@pytest.mark.parametrize("kind_window", [0, 2])
def test_factored_prediction_equals_the_wide_linear_models(kind_window):
    import scipy.sparse as sp

    from boilerplate.detectors.learned.model import _sigmoid, _softmax, neighbour_words, window_mean

    docs = _docs(9)
    model = LearnedDetector(max_iter=10, kind_window=kind_window).fit(docs)
    doc = Document(lines=[*PROSE[::-1], "", *NOISE, "Home", ""])
    hashed, dense = model._features(doc)
    blank = np.array([not s.strip() for s in doc.lines])
    X = model._text_matrix(hashed, dense)
    XK = sp.hstack([X, neighbour_words(hashed, blank, kind_window)], format="csr") if kind_window else X
    text = _sigmoid(X @ model.text_coef_ + model.text_intercept_)
    kinds = _softmax(np.asarray(XK @ model.kind_coef_.T) + model.kind_intercept_)
    proba = model.predict_proba(doc)
    p_body = proba[:, 0]
    got_kinds = proba[:, 1:] / np.maximum(1 - p_body, 1e-300)[:, None]
    from boilerplate.labels import LABELS

    cols = [LABELS.index(k) - 1 for k in model.kinds_]
    assert np.allclose(got_kinds[~blank][:, cols], kinds[~blank], rtol=0, atol=1e-12)
    # the booster reads the text score: same stacked rows, so the same P(body)
    S = model._stack(dense, text, blank)
    assert np.allclose(p_body[~blank], _sigmoid(forest_decision(model.forest_, S))[~blank], atol=1e-12)
    values = np.arange(12.0).reshape(6, 2)
    gaps = np.array([False, True, False, False, True, False])
    assert np.allclose(window_mean(values, gaps, 1), neighbour_words(sp.csr_matrix(values), gaps, 1).toarray())


@pytest.mark.parametrize("n_classes", [2, 3])
def test_kind_regression_on_active_columns_equals_the_full_fit(n_classes):
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression

    from boilerplate.detectors.learned.model import _softmax, fit_sparse_logistic

    rng = np.random.default_rng(0)
    X = sp.random(200, 3000, density=0.003, random_state=1, format="csr")  # most columns never used
    X = sp.hstack([X, sp.csr_matrix(rng.normal(size=(200, 2)))], format="csr")
    y = rng.choice(list("abc"[:n_classes]), 200)
    w = rng.uniform(0.5, 1.0, 200)
    full = LogisticRegression(C=4.0, max_iter=500).fit(X, y, sample_weight=w)
    classes, coef, intercept = fit_sparse_logistic(X, y, w, C=4.0, max_iter=500)
    assert list(classes) == list(full.classes_) and coef.shape == (n_classes, X.shape[1])
    unused = np.bincount(X.indices, minlength=X.shape[1]) == 0
    assert unused.sum() > 1000 and not coef[:, unused].any()
    got = _softmax(np.asarray(X @ coef.T) + intercept)
    assert np.allclose(got, full.predict_proba(X), atol=1e-8)


def _html_docs(n=6):
    from boilerplate.html import render

    docs = []
    for i in range(n):
        page = (f"<p>{PROSE[i % 3]}</p><p>{PROSE[(i + 1) % 3]}</p>"
                f"<div class='newsletter-signup-{i}x9'><p>Weekly digest {i}</p></div>"
                f"<div class='related-posts'><p>Story number {i} elsewhere</p></div>")
        d = render(page.encode(), id=f"h{i}")
        d.labels, d.meta["site"] = ["body", "body", "appeal", "teaser"], f"s{i}"
        docs.append(d)
    return docs


def _cue_hasher():
    """The reference hashing of markup words: scikit-learn's FeatureHasher, strings, no signs."""
    from sklearn.feature_extraction import FeatureHasher

    from boilerplate.detectors.learned.features import HASH_FEATURES

    return FeatureHasher(n_features=HASH_FEATURES, input_type="string", alternate_sign=False)


def test_markup_words_hash_the_block_class_words():
    import scipy.sparse as sp

    from boilerplate.detectors.learned.features import HASH_FEATURES, hashed_cues

    doc = _html_docs(1)[0]
    cues = hashed_cues(doc)
    assert cues.shape == (4, HASH_FEATURES)
    assert np.allclose(sp.linalg.norm(cues, axis=1), 1.0)
    want = sp.csr_matrix(_cue_hasher().transform([["c:related", "c:posts", "t:p"]]), dtype=float)
    assert np.allclose(cues[3].toarray(), want.toarray() / np.sqrt(3))  # class words split at non-letters
    signup = set(cues[2].indices) - set(cues[0].indices)
    assert len(signup) == 2  # "newsletter", "signup"; the digits of "0x9" give no word
    assert hashed_cues(Document(lines=["plain text"])).nnz == 0


def test_link_words_say_where_a_line_links_to():
    from boilerplate.detectors.learned.features import _link_words, hashed_cues, page_host

    home = page_host(["/a", "https://www.paper.com/x", "https://paper.com/y", "https://facebook.com/z",
                      "https://paper.com/y"])
    assert home == "paper.com"  # a distinct target counts once: facebook.com is not outvoted by repeats
    assert _link_words("", home) == []
    assert _link_words("#top", home) == ["h:none"]
    assert _link_words("mailto:a@b.c", home) == ["h:none", "hs:mailto"]
    assert _link_words("whatsapp://send?text=x", home) == ["h:none", "hs:whatsapp"]  # an app, not this site
    assert _link_words("/shop//b/c", home) == ["h:page", "h:site", "hp:shop"]  # "//" later in a path names no host
    assert _link_words("https://paper.com.:8080/2024", home) == ["h:page", "h:site", "h:digits"]
    assert _link_words("https://paper.com:2025/abc", home) == ["h:page", "h:site", "hp:abc"]  # a port is no path digit
    assert page_host(["https://[2001:db8::1]:80/a", "https://[2001:db8::1]/b"]) == "[2001:db8::1]"
    assert _link_words("https://www.facebook.com/paperdaily", home) == ["h:page", "h:away", "hh:facebook"]
    assert _link_words("/Newsletters/signup?utm_source=x", home) == ["h:page", "h:site", "hp:newsletters", "h:query", "hq:utm",
                                                                     "hq:source"]
    article = _link_words("//cdn.paper.com/2025/11/mayor-opens-the-new-bridge", home)
    assert article == ["h:page", "h:site", "h:slug", "h:digits"]  # digits only: the section gives no word
    assert _link_words("https://shop.example.org/dp/B0?tag=aff-20", home) == ["h:page", "h:away", "hh:shop",
                                                                             "hh:example", "h:query", "hq:tag"]
    from boilerplate.html import render

    doc = render(b"<p><a href='https://paper.com/a'>one</a></p><p><a href='https://ads.net/c'>two</a></p>"
                 b"<p><a href='/b'>three</a></p><p><a href='https://paper.com/d'>four</a></p>"
                 b"<p><a href='/e' rel='Sponsored'>five</a></p>")
    rows = hashed_cues(doc)
    assert (rows[0] != rows[2]).nnz == 0  # an absolute link to the page's own host reads as a relative one
    away = _cue_hasher().transform([["h:away"]]).indices[0]
    assert rows[1, away] > 0 and rows[0, away] == 0
    sponsored = _cue_hasher().transform([["hr:sponsored"]]).indices[0]
    assert rows[4, sponsored] > 0 and rows[2, sponsored] == 0


def test_hashed_cues_equal_feature_hasher_rows_of_the_cue_words():
    import scipy.sparse as sp

    from boilerplate.detectors.learned.features import _block_words, _link_cue_words, hashed_cues, page_host
    from boilerplate.html import render

    doc = render(b"<nav class='menu main-nav'><a href='https://news.news.com/x'>one</a>"
                 b"<a href='/y' rel='sponsored'>two</a></nav><p class='a b a'>three <a href='/y'>four</a></p>"
                 b"<footer><a href='https://facebook.com/p?ref=1'>five</a></footer>"
                 b"<p><a href='https://paper.com/1'>six</a></p><p><a href='https://paper.com/2'>seven</a></p>")
    home = page_host(doc.cues["href"])
    words = [_block_words(c, lm, t) + _link_cue_words(h, r, home) for c, lm, t, h, r in
             zip(*(doc.cues[k] for k in ("classid", "landmark", "tag", "href", "link_rel")))]
    assert words[0].count("hh:news") == 2  # a repeated word counts twice, as in FeatureHasher
    want = sp.csr_matrix(_cue_hasher().transform(words), dtype=float)
    want = sp.csr_matrix(want.multiply(1 / np.sqrt(want.multiply(want).sum(axis=1))))
    got = hashed_cues(doc)
    assert got.shape == want.shape and abs(got - want).max() < 1e-12


def test_markup_words_reach_the_models_and_the_markup_ablation_removes_them(tmp_path):
    docs = _html_docs()
    doc = docs[0]
    with_words = LearnedDetector(html=True, max_iter=5).fit(docs)
    without = LearnedDetector(html=True, max_iter=5, markup_words=False).fit(docs)
    assert not np.allclose(with_words.predict_proba(doc), without.predict_proba(doc))
    h_on = with_words._features(doc)[0]
    assert LearnedDetector(html=True, ablate=("markup",))._features(doc)[0].nnz < h_on.nnz
    assert LearnedDetector(html=True, markup_words=False)._features(doc)[0].nnz < h_on.nnz
    path = tmp_path / "m.npz"
    with_words.save(path)
    assert LearnedDetector.load(path).markup_words is True
    with pytest.raises(ValueError, match="markup_words"):
        LearnedDetector(html=True, markup_words="yes").fit(docs)


def test_model_files_from_before_markup_words_load_without_them(tmp_path):
    import json

    from boilerplate.detectors.learned.model import validate_header

    path = tmp_path / "m.npz"
    LearnedDetector(html=True, max_iter=5).fit(_html_docs()).save(path)
    with np.load(path, allow_pickle=False) as npz:
        header = json.loads(str(npz["header"]))
    header["params"].pop("markup_words")
    assert validate_header(header)["markup_words"] is False


def test_dateline_and_prefix_repeat_columns_mark_a_teaser_run():
    from boilerplate.detectors.learned.features import dense_features, feature_layout

    lines = ["Moscow hopes to improve bilateral relations based on mutual respect",
             "Russian Foreign Minister Sergey Lavrov has sent his best wishes to the American people today.",
             "Note: this is not a dateline, and neither is Home - News.",
             "SAN FRANCISCO, California: Under pressure from European regulators, Apple has revamped…",
             "Moscow hopes to improve bilateral relations based on mutual respect, the minister said…",
             "МОСКВА, 4 июля — РИА Новости. Министр иностранных дел…",
             "【北京=共同】中国外務省の報道官は…"]
    layout = feature_layout(False)
    X = dense_features(Document(lines=lines))
    col = {name: X[:, layout.index(name)] for name in ("dateline", "prefix_repeat", "dateline@mean3")}
    assert col["dateline"].tolist() == [0, 0, 0, 1, 0, 1, 1]
    assert col["prefix_repeat"].tolist() == [0, 0, 0, 0, 1, 0, 0]  # the second of two lines opening alike
    assert col["dateline@mean3"][4] > col["dateline@mean3"][0] == 0.25  # the run is denser below


def test_context_windows_equal_a_line_by_line_reference():
    from boilerplate.detectors.learned.features import context_windows

    def reference(values, blank, offsets, window):
        order = [i for i in range(len(values)) if not blank[i]]
        out = np.zeros((len(values), values.shape[1] * (len(offsets) + 1)))
        for p, i in enumerate(order):
            for j, off in enumerate(offsets):
                if 0 <= p + off < len(order):
                    out[i, j * values.shape[1]:(j + 1) * values.shape[1]] = values[order[p + off]]
            near = [order[q] for q in range(max(0, p - window), min(len(order), p + window + 1))]
            out[i, len(offsets) * values.shape[1]:] = values[near].mean(axis=0)
        return out

    rng = np.random.default_rng(7)
    for _ in range(300):
        n, k = int(rng.integers(0, 25)), int(rng.integers(1, 4))
        values, blank = rng.normal(size=(n, k)), rng.random(n) < rng.random()
        offsets = tuple(int(o) for o in rng.choice([-30, -3, -2, -1, 0, 1, 2, 3, 30], size=int(rng.integers(0, 5)),
                                                   replace=False))
        window = int(rng.integers(0, 8))
        got = context_windows(values, blank, offsets, window)
        assert np.allclose(got, reference(values, blank, offsets, window), atol=1e-12)
        assert not got[blank].any()


def test_price_lexicon_reads_every_scripts_currency_signs():
    import re
    import unicodedata

    from boilerplate.detectors.lexicons import CURRENCY_SIGNS, PRICE, lexicon_matcher

    signs = re.compile(f"[{CURRENCY_SIGNS}]")
    matched = {chr(c) for c in range(0x110000) if signs.fullmatch(chr(c))}
    assert all(unicodedata.category(c) == "Sc" for c in matched)
    if unicodedata.unidata_version.startswith("14."):  # the version the list was written from
        assert matched == {chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Sc"}
    lines = ["$6,500+", "12,99 €", "₹ 499", "¥1980 (税込)", "Price: 30 ₽", "Only 3 left", "US$", "$ 5 off"]
    assert lexicon_matcher(lines)(PRICE).tolist() == [True, True, True, True, True, False, False, True]


def test_away_links_follow_the_link_words_rule():
    from boilerplate.detectors.learned.features import _link_words, away_links, page_host

    hrefs = ["", "#top", "/a", "https://paper.com/x", "https://www.paper.com/y", "//cdn.paper.com/z",
             "https://amzn.to/3abc", "https://shop.example.org/dp/B0?tag=aff-20", "mailto:a@b.c",
             "whatsapp://send?text=x", "HTTPS://Paper.com/Up", "https://paper.com/y"]
    got = away_links(hrefs)
    assert got.tolist() == [False, False, False, False, False, False, True, True, False, False, False, False]
    home = page_host(hrefs)
    assert got.tolist() == ["h:away" in _link_words(h, home) for h in hrefs]  # one rule, two readers


def test_shop_box_columns_mark_the_block_around_a_price_and_an_away_link():
    from boilerplate.detectors.learned.features import dense_features, feature_layout
    from boilerplate.html import render

    doc = render("<p>" + "Long article prose about the camera and its sensor, lens and body. " * 3 + "</p>"
                 "<div class='box'><p>Product</p><p>$1,299</p><p><a href='https://shop.example.org/x'>Check price</a></p></div>"
                 "<p><a href='https://paper.com/more'>More reviews</a></p><p><a href='https://paper.com/'>Home</a></p>"
                 "<p>About us</p><p>Contact</p><p>Careers</p><p>Terms</p>")
    layout = feature_layout(True)
    X = dense_features(doc, html=True)
    col = {name: X[:, layout.index(name)] for name in ("lexicon_price", "away_link", "group_away", "group_price",
                                                       "away_link@+1", "lexicon_price@mean3")}
    i = {line: k for k, line in enumerate(doc.lines)}
    assert col["lexicon_price"][i["$1,299"]] == 1 and col["lexicon_price"][i["Product"]] == 0
    assert col["away_link"][i["Check price"]] == 1 and col["away_link"][i["More reviews"]] == 0
    assert col["away_link@+1"][i["$1,299"]] == 1  # the next line links away
    assert col["lexicon_price@mean3"][i["Product"]] > col["lexicon_price@mean3"][i["Terms"]] == 0
    box = [i["Product"], i["$1,299"], i["Check price"]]
    assert col["group_price"][box].tolist() == col["group_price"][box[0]].repeat(3).tolist()  # one group, one value
    assert col["group_away"][box[0]] > 0 and col["group_price"][box[0]] > 0 and col["group_away"][i["Home"]] == 0


def test_fewer_trees_is_the_booster_fitted_with_fewer_iterations():
    from sklearn.ensemble import HistGradientBoostingClassifier

    from boilerplate.detectors.learned.forest import truncate_forest

    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 4))
    y = (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype(int)
    big = export_forest(HistGradientBoostingClassifier(max_iter=12, early_stopping=False, random_state=0).fit(X, y))
    small = HistGradientBoostingClassifier(max_iter=5, early_stopping=False, random_state=0).fit(X, y)
    assert np.array_equal(forest_decision(truncate_forest(big, 5), X), small.decision_function(X))
    assert np.array_equal(forest_decision(truncate_forest(big, 99), X), forest_decision(big, X))
    forest_module.validate_forest(truncate_forest(big, 5), X.shape[1])  # a valid forest in its own right
    with pytest.raises(ValueError, match="n_trees"):
        truncate_forest(big, 0)


def test_with_trees_predicts_with_fewer_trees_and_leaves_the_model_unchanged():
    fitted = LearnedDetector(max_iter=20, stack_folds=0).fit(_docs(40))  # enough lines for the trees to split
    doc = _docs(1)[0]
    full = fitted.predict_proba(doc)
    cut = fitted.with_trees(3)
    assert cut.max_iter == 3 and fitted.max_iter == 20 and len(fitted.forest_["forest_sizes"]) == 20
    assert not np.allclose(cut.predict_proba(doc), full)
    assert np.array_equal(fitted.predict_proba(doc), full)
    assert np.array_equal(fitted.with_trees(20).predict_proba(doc), full)


@pytest.mark.parametrize("params", [{"stack_folds": 0},
                                    {"stack_kinds": True, "stack_kind_max_iter": 500, "kind_stage": "context-linear",
                                     "shape_words": True, "kind_window": 2}])
def test_with_trees_is_the_model_a_shorter_fit_gives(params):
    """``with_trees(n)`` of a fit is array for array the fit with ``max_iter=n`` (what the docstring
    promises, and what lets a shipped booster be cut instead of refitted), also in the shipped text
    model's setting."""
    docs = _docs(40)
    long = LearnedDetector(max_iter=12, **params).fit(docs).with_trees(5)
    short = LearnedDetector(max_iter=5, **params).fit(docs)
    assert long.forest_.keys() == short.forest_.keys()
    for key in short.forest_:
        assert np.array_equal(long.forest_[key], short.forest_[key]), key
    assert long.get_params() == short.get_params()
    doc = _docs(1)[0]
    assert np.array_equal(long.predict_proba(doc), short.predict_proba(doc))


def test_stack_kinds_feeds_the_kind_evidence_to_the_booster(tmp_path, monkeypatch):
    docs = _docs(9)
    model = LearnedDetector(max_iter=10, stack_kinds=True).fit(docs)
    plain = LearnedDetector(max_iter=10).fit(docs)
    n_kinds = len(model.kinds_)
    assert n_kinds == 3
    # the booster reads the line's and the run's kind log-probabilities (1 + 4 offsets + the window
    # mean) and the page means of them and of the text logit
    assert model._stage_widths(n_kinds)[0] == plain._stage_widths(n_kinds)[0] + 7 * n_kinds + 1
    proba = model.predict_proba(docs[0])
    assert np.allclose(proba[:-1].sum(axis=1), 1) and proba[-1].sum() == 0
    labels = model.predict(docs[0])
    assert model.body_mask(docs[0]).tolist() == [lab == "body" for lab in labels]
    path = tmp_path / "stacked.npz"
    model.save(path)
    loaded = LearnedDetector.load(path)
    assert loaded.stack_kinds and np.allclose(loaded.predict_proba(docs[0]), proba, atol=1e-5)
    with pytest.raises(ValueError, match="stack_kinds"):
        LearnedDetector(stack_kinds="yes").fit(docs)
    # the out-of-fold kind fits' iteration cap is a parameter (at most kind_max_iter): the two
    # out-of-fold fits stop there, the kind model itself at kind_max_iter; saved and validated
    from boilerplate.detectors.learned import model as model_module

    caps = []
    real = model_module.fit_sparse_logistic
    monkeypatch.setattr(model_module, "fit_sparse_logistic",
                        lambda *a, max_iter, **k: caps.append(max_iter) or real(*a, max_iter=max_iter, **k))
    capped = LearnedDetector(max_iter=10, stack_kinds=True, stack_kind_max_iter=7, kind_max_iter=50).fit(docs)
    assert sorted(caps) == [7, 7, 50]
    caps.clear()
    LearnedDetector(max_iter=10, stack_kinds=True, stack_kind_max_iter=70, kind_max_iter=50).fit(docs)
    assert sorted(caps) == [50, 50, 50]
    capped.save(path)
    assert LearnedDetector.load(path).stack_kind_max_iter == 7
    with pytest.raises(ValueError, match="stack_kind_max_iter"):
        LearnedDetector(stack_kinds=True, stack_kind_max_iter=0).fit(docs)


@pytest.mark.parametrize("compiled", [True, False])
def test_murmur_columns_equal_scikit_learn_murmurhash(compiled):
    import random
    import string

    from sklearn.feature_extraction import FeatureHasher
    from sklearn.utils import murmurhash3_32

    from boilerplate.detectors.learned.hashing import murmur_columns

    rnd = random.Random(3)
    alphabet = string.ascii_letters + string.digits + ":/-_é中🎉"
    words = ["", *("".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 24))) for _ in range(2000))]
    for n_features in (2**18, 2**4, 2**31):
        want = [abs(murmurhash3_32(w, seed=0)) % n_features for w in words]  # no word here hashes to -2**31
        assert murmur_columns(words, n_features, compiled=compiled) == want
    hasher = FeatureHasher(n_features=2**18, input_type="string", alternate_sign=False)
    assert murmur_columns(words[1:50], 2**18, compiled=compiled) == \
        [hasher.transform([[w]]).indices[0] for w in words[1:50]]
    assert murmur_columns([], 2**18, compiled=compiled) == []


def test_cleaning_never_imports_scikit_learn():
    import subprocess
    import sys

    code = ("import sys, boilerplate\n"
            "boilerplate.clean('Home\\nThe council voted on Tuesday to expand the bus network.')\n"
            "boilerplate.clean_html(b\"<nav class='menu'><a href='/a'>Home</a></nav>"
            "<p class='story'>The council voted on Tuesday to expand the bus network.</p>\")\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'pandas')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_shape_words_are_conjunctions_of_a_lines_shape_in_any_script():
    from boilerplate.detectors.learned.features import (
        HASH_FEATURES,
        SHAPE_WORD_VALUE,
        dense_features,
        feature_layout,
        shape_words,
    )

    text = ("Breaking News From The Capital\n\nBy Jane Roe | 4 Dec 2026\n"
            "The council said on Tuesday that it would raise the tax, a move its critics called overdue.\n"
            "Home\nSport\nWeather\n"
            "Последние Новости Из Столицы Сегодня\n")
    doc = Document.from_text(text)
    S = shape_words(dense_features(doc), feature_layout(False))
    rows = [set(S[i].indices.tolist()) for i in range(S.shape[0])]
    assert S.shape == (len(doc.lines), HASH_FEATURES)
    assert rows[1] == set() and all(len(r) == 3 for i, r in enumerate(rows) if i != 1)  # blank: none
    assert np.allclose(S.data, SHAPE_WORD_VALUE)
    headline, byline, body, home, sport, weather, russian = 0, 2, 3, 4, 5, 6, 7
    assert len({frozenset(rows[i]) for i in (headline, byline, body, sport)}) == 4
    # one-word menu entries share their own shape; what is around them tells them apart
    assert rows[home] & rows[sport] & rows[weather]
    # the same shape in Cyrillic gets the same "own" word as the English headline: case and
    # counts, not words, make it (the place differs: one opens the page, the other closes it)
    assert rows[headline] & rows[russian]
    assert rows[home] != rows[sport]  # "Home" follows prose, "Sport" follows a one-word line


def _added_words_score_stack_and_round_trip(model, other, docs, tmp_path):
    """Checks shared by the words added by index (shape and edge words): cleaning's scores by index
    equal the matrix fitted on, stacked documents keep their own rows, the model differs from
    ``other`` and survives a save; returns the loaded copy."""
    hashed, _ = model._features(docs[0])
    words, _, added, _ = model._split_features(docs[0])
    weights, _ = model._word_weights()
    assert np.allclose(model._word_scores(words, added, weights), hashed @ weights)
    assert np.allclose(model._word_scores(words, added, weights[:, 0]), hashed @ weights[:, 0])
    many = model.predict_proba_many(docs[:3])  # documents stacked: each one's added rows in place
    assert all(np.allclose(p, model.predict_proba(d)) for p, d in zip(many, docs[:3]))
    proba = model.predict_proba(docs[0])
    assert not np.allclose(proba, other.predict_proba(docs[0]))
    path = tmp_path / "added.npz"
    model.save(path)
    loaded = LearnedDetector.load(path)
    assert np.allclose(loaded.predict_proba(docs[0]), proba, atol=1e-5)
    return loaded


def test_shape_words_reach_the_models_and_round_trip(tmp_path):
    docs = _docs(9)
    plain = LearnedDetector(max_iter=10, kind_window=2).fit(docs)
    shaped = LearnedDetector(max_iter=10, kind_window=2, shape_words=True).fit(docs)
    h_plain, _ = plain._features(docs[0])
    assert shaped._features(docs[0])[0].nnz > h_plain.nnz
    assert _added_words_score_stack_and_round_trip(shaped, plain, docs, tmp_path).shape_words
    path = tmp_path / "plain.npz"
    plain.save(path)
    assert LearnedDetector.load(path).shape_words is False
    with pytest.raises(ValueError, match="shape_words"):
        LearnedDetector(shape_words=1).fit(docs)


def test_edge_words_are_each_lines_first_and_last_word_in_any_script():
    from boilerplate.detectors.learned import features
    from boilerplate.detectors.learned.features import HASH_FEATURES, edge_word_columns
    from boilerplate.detectors.learned.hashing import murmur_columns
    from boilerplate.detectors.linestats import line_stats
    from boilerplate.lines import line_tokens

    lines = ["Shop the SALE now!", "", "—", "Read more »", "By Jane Doe", "ПОДПИШИТЕСЬ на рассылку",
             "無料会員登録はこちら", "one", "Shop again", "x\ud800y end"]
    order = np.array([i for i, line in enumerate(lines) if line.strip()])
    features._EDGE_COLUMNS.clear()
    got = edge_word_columns(order, line_stats(lines).tokens)
    assert np.array_equal(edge_word_columns(order, line_stats(lines).tokens), got)  # from the kept columns
    # a plain reference: the line's words as line_tokens finds them, lower-cased, hashed one by one
    for row, i in zip(got, order):
        words = line_tokens([lines[i]], cjk_chars=True)[0]
        head = f"^{words[0].lower()}" if words else "^"
        tail = f"${words[-1].lower()}" if words else "$"
        assert row.tolist() == murmur_columns([head, tail], HASH_FEATURES), lines[i]
    at = {line: row for line, row in zip([lines[i] for i in order], got)}
    assert at["Shop the SALE now!"][0] == at["Shop again"][0]  # "^shop" on both
    assert at["—"].tolist() == murmur_columns(["^", "$"], HASH_FEATURES)  # no word: the bare markers
    assert at["無料会員登録はこちら"].tolist() == murmur_columns(["^無", "$ら"], HASH_FEATURES)
    assert at["one"][0] != at["one"][1]  # a word that opens and closes a line: two different words
    assert edge_word_columns(np.zeros(0, dtype=np.int64), line_stats([]).tokens).shape == (0, 2)


def test_edge_words_reach_the_models_and_round_trip(tmp_path):
    docs = _docs(9)
    plain = LearnedDetector(max_iter=10, kind_window=2, shape_words=True).fit(docs)
    for params in ({"edge_words": True}, {"edge_words": True, "shape_words": True}):
        edged = LearnedDetector(max_iter=10, kind_window=2, **params).fit(docs)
        assert edged._split_features(docs[0])[2][1].shape[1] == 2 + 3 * params.get("shape_words", False)
        assert _added_words_score_stack_and_round_trip(edged, plain, docs, tmp_path).edge_words
    # the line's own edge words are in its row, worth what a shape word is, and in no other row
    from boilerplate.detectors.learned.features import HASH_FEATURES, SHAPE_WORD_VALUE
    from boilerplate.detectors.learned.hashing import murmur_columns

    page = Document(lines=["Subscribe to our newsletter today", "Body text of the story goes on here."])
    cols = murmur_columns(["^subscribe", "$today"], HASH_FEATURES)
    with_edges, without = edged._features(page)[0].toarray(), plain._features(page)[0].toarray()
    assert np.allclose(with_edges[0, cols] - without[0, cols], SHAPE_WORD_VALUE)
    assert not with_edges[1, cols].any()
    # the words ablation takes them too: they are the lines' own words
    no_words = LearnedDetector(max_iter=10, ablate=("words",), shape_words=True)
    no_words_edged = LearnedDetector(max_iter=10, ablate=("words",), shape_words=True, edge_words=True)
    assert (no_words._features(page)[0] != no_words_edged._features(page)[0]).nnz == 0
    # ... also when they were the only added words: documents stacked with none added
    edge_only = LearnedDetector(max_iter=10, ablate=("words",), edge_words=True).fit(docs)
    many = edge_only.predict_proba_many(docs[:3])
    assert all(np.allclose(p, edge_only.predict_proba(d)) for p, d in zip(many, docs[:3]))
    # a file from before the parameter (no edge_words in its header) loads with it off
    assert LearnedDetector.load(_saved_without(plain, tmp_path / "plain.npz", "edge_words")).edge_words is False
    with pytest.raises(ValueError, match="edge_words"):
        LearnedDetector(edge_words=1).fit(docs)


def test_compiled_context_windows_equal_the_numpy_path_to_the_bit(monkeypatch):
    from boilerplate.detectors.learned import features

    assert features._compiled_windows() is not None  # numba is installed: the compiled pass runs
    rng = np.random.default_rng(3)
    cases = []
    for _ in range(60):
        n, k = int(rng.integers(0, 40)), int(rng.integers(1, 5))
        values = rng.normal(size=(n, k)) * rng.choice([1e-8, 1.0, 1e8])
        values[rng.random((n, k)) < 0.1] = -0.0
        blank = rng.random(n) < rng.random()
        for offsets, window in (((-3, -2, -1, 1, 2, 3), 5), ((), 1 << 40), ((0, 50, -50), 0), ((-1, 1), 2)):
            cases.append((values, blank, offsets, window))
    cases.append((np.array([[-0.0], [-0.0]]), np.zeros(2, dtype=bool), (0,), 1))
    cases.append((np.arange(12.0).reshape(6, 2)[:, ::-1], np.zeros(6, dtype=bool), (-1, 1), 1))  # not contiguous
    compiled = [features.context_windows(v, b, offsets=o, window=w) for v, b, o, w in cases]
    monkeypatch.setattr(features, "_compiled_windows", lambda: None)
    plain = [features.context_windows(v, b, offsets=o, window=w) for v, b, o, w in cases]
    for a, b in zip(compiled, plain):
        assert a.shape == b.shape and a.tobytes() == b.tobytes()  # bit for bit, signed zeros included
    with pytest.raises(ValueError, match="window"):
        features.context_windows(np.ones((3, 1)), np.zeros(3, dtype=bool), window=-1)


def test_the_label_chain_is_learned_saved_and_loaded(tmp_path, fitted):
    # every page of _docs runs chrome, appeal, body x3, ad: those steps are the likeliest
    trans = fitted.kind_transitions_
    labels = ["body", "headline", "metadata", "appeal", "ad", "teaser", "chrome"]
    row = {name: trans[labels.index(name)] for name in labels}
    assert row["chrome"].argmax() == labels.index("appeal") and row["appeal"].argmax() == labels.index("body")
    assert np.allclose(np.exp(trans).sum(axis=1), 1)
    fitted.save(tmp_path / "m.npz")
    loaded = LearnedDetector.load(tmp_path / "m.npz")
    assert np.array_equal(loaded.kind_transitions_, trans) and np.array_equal(loaded.kind_start_, fitted.kind_start_)


def _chain_case():
    """A page of 6 lines whose middle line reads slightly more as an ad than as a teaser, between
    teasers, and a chain in which teasers follow teasers."""
    lines = ["Other story one", "Other story two", "Other story three", "Other story four", "Body text here.", ""]
    proba = np.zeros((6, 7))
    proba[:, 0] = [0.1, 0.1, 0.1, 0.1, 0.9, 0.0]
    teaser, ad = KINDS.index("teaser") + 1, KINDS.index("ad") + 1
    proba[:4, teaser] = [0.8, 0.8, 0.4, 0.8]
    proba[:4, ad] = [0.1, 0.1, 0.5, 0.1]
    det = LearnedDetector()
    det.kinds_ = KINDS
    start = np.log(np.full(7, 1 / 7))
    trans = np.log(np.full((7, 7), 0.02))
    trans[teaser, teaser] = np.log(0.88)
    trans = trans - np.log(np.exp(trans).sum(axis=1, keepdims=True))
    det.kind_start_, det.kind_transitions_ = start, trans
    return Document(lines=lines), proba, det


def test_the_chain_moves_kinds_only_and_only_with_a_weight():
    doc, proba, det = _chain_case()
    alone = det.labels_from_proba(doc, proba)
    assert alone[:5] == ["teaser", "teaser", "ad", "teaser", "body"] and alone[5] is None
    det.set_params(kind_transition_weight=1.0)
    chained = det.labels_from_proba(doc, proba)
    assert chained[:5] == ["teaser"] * 4 + ["body"] and chained[5] is None
    # the body decision is the threshold's alone: a line under it never becomes body, and back
    det.set_params(threshold=0.05)
    assert det.labels_from_proba(doc, proba)[:5] == ["body"] * 5


def test_the_chain_without_a_learned_chain_is_a_clear_error():
    doc, proba, det = _chain_case()
    det.kind_start_ = det.kind_transitions_ = None
    det.set_params(kind_transition_weight=1.0)
    with pytest.raises(ValueError, match="needs the label chain"):
        det.labels_from_proba(doc, proba)


def test_viterbi_compiled_and_numpy_agree():
    from boilerplate.compiled import compiled
    from boilerplate.detectors.learned import sequence

    assert compiled(sequence._viterbi) is not None  # numba is a dependency: both paths are compared

    rng = np.random.default_rng(1)
    for n in (1, 2, 50):
        score = np.log(rng.dirichlet(np.ones(7), size=n))
        score[rng.random((n, 7)) < 0.3] = -np.inf
        score[np.arange(n), rng.integers(0, 7, n)] = -1.0  # every line keeps a finite label
        start = np.log(rng.dirichlet(np.ones(7)))
        trans = np.log(rng.dirichlet(np.ones(7), size=7))
        fast = sequence.viterbi(score, start, trans)
        slow = sequence._viterbi_numpy(score, start, trans)
        assert np.array_equal(fast, slow)
        assert np.isfinite(score[np.arange(n), slow]).all()


def test_registry_can_turn_the_label_chain_off_and_the_body_lines_stay():
    from boilerplate import detectors

    shipped = detectors.get("learned-text")
    alone = detectors.get("learned-text", kind_transition_weight=0.0)
    assert alone.kind_transition_weight == 0.0 and shipped.kind_transition_weight > 0
    lines = ["Home", "News", "Sport", *PROSE, "Related stories", "Another headline here", "Share", "Subscribe"]
    doc = Document(lines=lines)
    a, b = shipped.predict(doc), alone.predict(doc)
    assert [x == "body" for x in a] == [x == "body" for x in b]


def test_a_crafted_chain_never_moves_the_body_decision():
    doc, proba, det = _chain_case()
    det.kind_transitions_ = np.full((7, 7), -1e308)  # only a crafted file holds this (load refuses it)
    det.set_params(kind_transition_weight=10.0)
    with np.errstate(over="ignore"):  # 10 x -1e308 is -inf: the case the fallback is for
        labels = det.labels_from_proba(doc, proba)
    assert [x == "body" for x in labels[:5]] == [False] * 4 + [True]


def test_segment_context_means_over_the_segment_and_the_lines_around_it():
    from boilerplate.detectors.learned.features import segment_context

    values = np.array([[1.0], [2.0], [0.0], [4.0], [6.0], [8.0], [10.0]])
    segment = np.array([0, 0, -1, 1, 1, 1, 2])  # line 2 is blank
    out = segment_context(values, segment, around=1)
    assert out.shape == (7, 4) and (out[2] == 0).all()
    assert out[3].tolist() == [6.0, 2.0, 10.0, np.log1p(3)]  # mean of 4, 6, 8; the line before (2), after (10)
    assert out[0].tolist() == [1.5, 0.0, 4.0, np.log1p(2)]  # nothing before the first segment
    assert out[6].tolist() == [10.0, 8.0, 0.0, np.log1p(1)]
    # ids need only differ between neighbouring runs: an id coming back is a new segment
    again = segment_context(values, np.array([5, 5, -1, 9, 9, 9, 5]), around=1)
    assert np.array_equal(again, out)


def test_segment_ids_follow_block_groups_in_html_and_shapes_in_text():
    from boilerplate.detectors.learned.features import dense_features, feature_layout, segment_ids
    from boilerplate.html import render

    doc = render(b"<form class='signup'><p>Subscribe to our newsletter</p><select>"
                 + b"".join(b"<option>Country %d</option>" % i for i in range(6))
                 + b"</select></form><p>The council said that it would publish the report by the end of the year.</p>")
    dense = dense_features(doc, html=True)
    seg = segment_ids(dense, np.zeros(len(doc.lines), dtype=bool), feature_layout(True))
    options = [i for i, line in enumerate(doc.lines) if line.startswith("Country")]
    assert len(set(seg[options])) == 1 and seg[0] != seg[options[0]] != seg[-1]
    text = Document.from_text("Home\nNews\nSport\n\nThe council said that it would publish the report by the end of the year.")
    tseg = segment_ids(dense_features(text), np.array([not s for s in text.lines]), feature_layout(False))
    assert tseg.tolist() == [0, 0, 0, -1, 1]
    # word buckets 1-3, 4-9, 10+: a four-word line starts a segment after three-word lines
    four = Document.from_text("one two three\nfour five six\nseven eight nine ten\neleven twelve thirteen fourteen")
    assert segment_ids(dense_features(four), np.zeros(4, dtype=bool), feature_layout(False)).tolist() == [0, 0, 1, 1]


def test_a_context_kind_stage_with_segment_context_fits_saves_and_loads(tmp_path):
    docs = _docs(9)  # three kinds: the linear stage has a row per kind
    det = LearnedDetector(max_iter=5, kind_stage="context-linear", segment_context=True).fit(docs)
    plain = LearnedDetector(max_iter=5, kind_stage="context-linear").fit(docs)
    assert det.kind_forest_["kind2_coef"].shape[1] > plain.kind_forest_["kind2_coef"].shape[1]
    path = tmp_path / "m.npz"
    det.save(path)
    back = LearnedDetector.load(path)
    assert back.segment_context is True
    assert np.allclose(back.predict_proba(docs[0]), det.predict_proba(docs[0]), atol=1e-5)  # weights stored as saved
    for bad in ({"segment_context": 1, "kind_stage": "context-linear"}, {"segment_context": True}):
        with pytest.raises(ValueError, match="segment_context"):
            LearnedDetector(**bad).fit(docs)


def _cohesion_reference(lines, prose):
    """lexical_cohesion written plainly, with sets, for words that are no stopwords and no digits."""
    import re as _re
    words = [set(w.lower() for w in _re.findall(r"\w+", line)) for line in lines]
    out = np.zeros((len(lines), 5))
    for i, ws in enumerate(words):
        if not ws:
            continue
        other_prose = [sum(1 for j, wj in enumerate(words) if j != i and prose[j] and w in wj) for w in ws]
        other_any = [sum(1 for j, wj in enumerate(words) if j != i and w in wj) for w in ws]
        out[i] = [np.mean([c > 0 for c in other_prose]), np.mean([c > 0 for c in other_any]),
                  np.mean(np.log1p(other_prose)), 1.0, np.log1p(len(ws))]
    return out


def test_lexical_cohesion_counts_the_content_words_other_lines_share():
    from boilerplate.detectors.learned.features import COHESION_COLUMNS, lexical_cohesion

    lines = ["Storm hit the coast", "",
             "The storm hit the coast at dawn, and the town of Brindle lost power for 12 hours.",
             "Subscribe to Brindle news", "12 34", "The storm flooded the coast"]
    prose = np.array([0, 0, 1, 0, 0, 0], dtype=float)
    out = lexical_cohesion(lines, prose)
    assert out.shape == (6, len(COHESION_COLUMNS))
    assert (out[1] == 0).all() and (out[4] == 0).all()  # a blank line; digits only: no content words
    # "storm", "hit", "coast" ("the" is an English stopword; "Storm" and "storm" are one word)
    assert out[0].tolist() == [1.0, 1.0, np.log1p(1), 1.0, np.log1p(3)]
    # "subscribe", "brindle", "news": only "brindle" is on another (prose) line
    assert out[3, :2].tolist() == [1 / 3, 1 / 3]
    # the prose line's own words do not count for it: only lines 0 and 5, neither prose, share them
    assert out[2, 0] == 0.0 and 0 < out[2, 1] < 1
    assert out[5, 0] == 2 / 3 and out[5, 1] == 2 / 3  # "flooded" is on no other line
    assert lexical_cohesion([], np.zeros(0)).shape == (0, len(COHESION_COLUMNS))
    # a page of stopwords and digits only: no content words at all
    assert (lexical_cohesion(["the and of", "12 34"], np.array([1.0, 0.0])) == 0).all()
    with pytest.raises(ValueError, match="prose flags"):
        lexical_cohesion(lines, prose[:-1])
    # Chinese: each character is a word; "新" and "闻" come back on the prose line
    cjk = lexical_cohesion(["新闻", "今天的新闻很重要，市政府宣布了新的交通计划。", "订阅"], np.array([0.0, 1.0, 0.0]))
    assert cjk[0, 0] == 1.0 and cjk[2, 0] == 0.0 and cjk[1, 3] == 1.0


def test_the_cohesion_example_runs():
    import doctest

    from boilerplate.detectors.learned import features

    finder = doctest.DocTestFinder()
    tests = [t for t in finder.find(features) if t.name.endswith("lexical_cohesion")]
    runner = doctest.DocTestRunner()
    for test in tests:
        runner.run(test)
    assert len(tests) == 1 and runner.failures == 0 and runner.tries > 0


def test_lexical_cohesion_matches_a_plain_reference_in_any_script():
    from boilerplate.detectors.learned.features import lexical_cohesion

    rng = np.random.default_rng(7)
    # no stoplist knows these words, so every word is a content word
    vocab = ["qorvath", "Zelmira", "ΞΥΛΟΦΑΓΟΣ", "жыхарка", "Vratsky", "wubbleton", "ỹoquat", "ΞυλοφαγοΣ"]
    for _ in range(40):
        n = int(rng.integers(0, 12))
        lines = [" ".join(rng.choice(vocab, size=int(rng.integers(0, 6)))) for _ in range(n)]
        prose = rng.integers(0, 2, size=n).astype(float)
        assert np.allclose(lexical_cohesion(lines, prose), _cohesion_reference(lines, prose))


def test_a_context_kind_stage_with_cohesion_fits_saves_and_loads(tmp_path, monkeypatch):
    from boilerplate.detectors.learned.features import dense_features, feature_layout

    docs = _docs(9)
    det = LearnedDetector(max_iter=5, kind_stage="context-linear", cohesion=True).fit(docs)
    plain = LearnedDetector(max_iter=5, kind_stage="context-linear").fit(docs)
    assert det.kind_forest_["kind2_coef"].shape[1] == plain.kind_forest_["kind2_coef"].shape[1] + 5 + 3 * 3
    path = tmp_path / "m.npz"
    det.save(path)
    back = LearnedDetector.load(path)
    assert back.cohesion is True
    assert np.allclose(back.predict_proba(docs[0]), det.predict_proba(docs[0]), atol=1e-5)
    # the body decision does not see it: the same P(body) as without; the kinds do
    assert np.allclose(det.predict_proba(docs[0])[:, BODY_INDEX], plain.predict_proba(docs[0])[:, BODY_INDEX])
    assert not np.allclose(det.predict_proba(docs[0]), plain.predict_proba(docs[0]))
    # the stage reads each document's own cohesion, when fitting and when predicting
    from boilerplate.detectors.learned import model as model_module

    seen = []
    real = model_module.lexical_cohesion

    def spy(lines, prose, tokens):
        seen.append((list(lines), np.asarray(prose).copy()))
        # the tokens the dense features were counted from: the same columns as making them anew
        assert np.array_equal(real(lines, prose, tokens), real(lines, prose))
        return real(lines, prose, tokens)

    monkeypatch.setattr(model_module, "lexical_cohesion", spy)
    refit = LearnedDetector(max_iter=5, kind_stage="context-linear", cohesion=True).fit(docs)
    assert [lines for lines, _ in seen] == [d.lines for d in docs if d.labels is not None and len(d.lines)]
    seen.clear()
    p = refit.predict_proba(docs[1])
    assert len(seen) == 1 and seen[0][0] == docs[1].lines
    assert np.array_equal(seen[0][1], dense_features(docs[1])[:, feature_layout(False).index("prose")])
    # cleaning (body_mask) skips it: P(body) never reads it, and the body lines are the labels' own
    seen.clear()
    assert refit.body_mask(docs[1]).tolist() == [lab == "body" for lab in refit.predict(docs[1])]
    assert len(seen) == 1  # predict's call; body_mask made none
    seen.clear()
    refit.body_mask(docs[2])
    assert seen == []
    # zeros in place of the cohesion change the kinds: the stage weighs the columns
    monkeypatch.setattr(model_module, "lexical_cohesion", lambda lines, prose, tokens: np.zeros((len(lines), 5)))
    assert not np.allclose(refit.predict_proba(docs[1]), p)
    for bad in ({"cohesion": 1, "kind_stage": "context-linear"}, {"cohesion": True}):
        with pytest.raises(ValueError, match="cohesion"):
            LearnedDetector(**bad).fit(docs)


def test_body_cohesion_gives_the_booster_each_lines_cohesion_and_cleaning_computes_it(tmp_path, monkeypatch):
    from boilerplate.detectors.learned import model as model_module
    from boilerplate.detectors.learned.features import (
        COHESION_COLUMNS,
        COHESION_OFFSETS,
        COHESION_SIDE,
        COHESION_WINDOW,
        context_windows,
        feature_layout,
        lexical_cohesion,
    )
    from boilerplate.detectors.learned.model import _sigmoid

    docs = _docs(9)
    det = LearnedDetector(max_iter=5, body_cohesion=True).fit(docs)
    plain = LearnedDetector(max_iter=5).fit(docs)
    width = len(COHESION_COLUMNS) + COHESION_SIDE * (len(COHESION_OFFSETS) + 1)
    assert det._stage_widths(len(det.kinds_))[0] == plain._stage_widths(len(plain.kinds_))[0] + width
    # the booster's rows end with the line's cohesion, then its neighbours' and their window mean
    doc = Document(lines=[NOISE[0], *PROSE, "", NOISE[1], "Home", NOISE[4], PROSE[0], ""])
    blank = np.array([not s.strip() for s in doc.lines])
    hashed, dense, cohesion = det._fit_features(doc)
    assert np.array_equal(cohesion, lexical_cohesion(doc.lines, dense[:, feature_layout(False).index("prose")]))
    text = _sigmoid(det._text_matrix(hashed, dense) @ det.text_coef_ + det.text_intercept_)
    S = det._stack(dense, text, blank, None, cohesion)
    assert np.array_equal(S[:, :-width], plain._stack(dense, text, blank))
    assert np.array_equal(S[:, -width:], np.hstack([cohesion, context_windows(
        cohesion[:, :COHESION_SIDE], blank, offsets=COHESION_OFFSETS, window=COHESION_WINDOW)]))
    assert np.allclose(det.predict_proba(doc)[~blank, BODY_INDEX], _sigmoid(forest_decision(det.forest_, S))[~blank],
                       atol=1e-12)
    # a booster that reads one cohesion column at a time: P(body), and so cleaning, follows it
    for column in range(S.shape[1] - width, S.shape[1]):
        probe = copy.copy(det)
        probe.forest_ = _tree_on(column, S.shape[1])
        want = _sigmoid(forest_decision(probe.forest_, S))
        assert np.allclose(probe.predict_proba(doc)[~blank, BODY_INDEX], want[~blank], atol=1e-12), column
        assert probe.body_mask(doc).tolist() == ((want >= probe.threshold) & ~blank).tolist(), column
    # cleaning computes it once, from the document's own lines
    seen = []
    real = model_module.lexical_cohesion
    monkeypatch.setattr(model_module, "lexical_cohesion",
                        lambda lines, prose, tokens: seen.append(list(lines)) or real(lines, prose, tokens))
    det.body_mask(doc)
    assert seen == [doc.lines]
    monkeypatch.setattr(model_module, "lexical_cohesion", real)
    path = tmp_path / "m.npz"
    det.save(path)
    back = LearnedDetector.load(path)
    assert back.body_cohesion is True and back.cohesion is False
    assert np.allclose(back.predict_proba(doc)[:, BODY_INDEX], det.predict_proba(doc)[:, BODY_INDEX], atol=1e-12)
    assert clone(det).get_params()["body_cohesion"] is True
    # a file from before the parameter (none in its header) loads with it off
    assert LearnedDetector.load(_saved_without(plain, path, "body_cohesion")).body_cohesion is False
    with pytest.raises(ValueError, match="body_cohesion"):
        LearnedDetector(body_cohesion=1).fit(docs)


def test_body_context_windows_read_the_first_boosters_run_over_non_blank_lines():
    from boilerplate.detectors.learned.model import BODY_CONTEXT_OFFSETS, BODY_CONTEXT_WINDOWS

    p = np.array([0.5, 0.9, 0.7, 0.1, 0.2, 0.8, 0.3])
    blank = np.array([False, False, True, False, False, False, False])
    cols = LearnedDetector()._body_context(p, blank)
    logit = np.log(p / (1 - p))
    kept = logit[~blank]  # the non-blank lines in order
    assert cols.shape == (7, 1 + len(BODY_CONTEXT_OFFSETS) + len(BODY_CONTEXT_WINDOWS))
    assert np.allclose(cols[:, 0], np.where(blank, 0, logit)) and not cols[2].any()
    want = np.zeros((len(kept), cols.shape[1] - 1))
    for i in range(len(kept)):
        for j, o in enumerate(BODY_CONTEXT_OFFSETS):
            want[i, j] = kept[i + o] if 0 <= i + o < len(kept) else 0.0
        for j, w in enumerate(BODY_CONTEXT_WINDOWS):  # the line and w non-blank lines on each side
            want[i, len(BODY_CONTEXT_OFFSETS) + j] = kept[max(0, i - w):i + w + 1].mean()
    assert np.allclose(cols[~blank, 1:], want)
    ablated = LearnedDetector(ablate=("sequence",))._body_context(p, blank)
    assert np.allclose(ablated[:, 0], cols[:, 0]) and not ablated[:, 1:].any()


def _tree_on(column, width, seed=0):
    """A one-tree forest over rows of ``width`` columns that reads ``column`` alone, split at many
    values of it (a step function rising with it), so nearby values mostly get different scores."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(seed)
    X = np.zeros((20_000, width))
    X[:, column] = rng.uniform(-15, 15, size=len(X))
    y = rng.random(len(X)) < 1 / (1 + np.exp(-X[:, column] / 3))
    return export_forest(HistGradientBoostingClassifier(max_iter=1, max_leaf_nodes=63, min_samples_leaf=5,
                                                        learning_rate=1.0).fit(X, y))


def test_body_context_decides_p_body_by_a_second_booster_over_the_first_ones_run(tmp_path):
    from boilerplate.detectors.learned.model import _sigmoid

    docs = _docs(9)
    det = LearnedDetector(max_iter=5, body_context=True).fit(docs)
    plain = LearnedDetector(max_iter=5).fit(docs)
    assert det.body2_forest_ and not plain.body2_forest_
    for key, value in plain.forest_.items():  # the first booster is the same fit as without
        if not key.startswith("_"):
            assert np.array_equal(det.forest_[key], value)
    doc = Document(lines=[NOISE[0], *PROSE, "", NOISE[1], "Home", NOISE[4], PROSE[0], ""])
    hashed, dense = det._features(doc)
    blank = np.array([not s.strip() for s in doc.lines])
    text = _sigmoid(det._text_matrix(hashed, dense) @ det.text_coef_ + det.text_intercept_)
    S = det._stack(dense, text, blank)
    first = _sigmoid(forest_decision(det.forest_, S))
    assert np.allclose(plain.predict_proba(doc)[~blank, BODY_INDEX], first[~blank], atol=1e-12)
    rows = np.hstack([S, det._body_context(first, blank)])
    # a second booster that reads one context column at a time: P(body) follows that column of the
    # rows built here from the first booster's P(body) (the toy pages' own booster barely uses them)
    for column in range(S.shape[1], rows.shape[1]):
        probe = copy.copy(det)
        probe.body2_forest_ = _tree_on(column, rows.shape[1])
        want = _sigmoid(forest_decision(probe.body2_forest_, rows))
        assert np.allclose(probe.predict_proba(doc)[~blank, BODY_INDEX], want[~blank], atol=1e-12), column
    path = tmp_path / "m.npz"
    det.save(path)
    back = LearnedDetector.load(path)
    assert back.body_context is True  # the kinds' weights are saved in half precision: P(body) is exact
    assert np.allclose(back.predict_proba(doc)[:, BODY_INDEX], det.predict_proba(doc)[:, BODY_INDEX], atol=1e-12)
    assert np.allclose(back.predict_proba(doc), det.predict_proba(doc), atol=1e-3)
    cut = det.with_trees(2)
    assert len(cut.body2_forest_["forest_sizes"]) == len(cut.forest_["forest_sizes"]) == 2
    assert clone(det).get_params()["body_context"] is True
    with pytest.raises(ValueError, match="body_context"):
        LearnedDetector(body_context=1).fit(docs)
    mismatched = copy.copy(det)
    mismatched.body_context = False
    with pytest.raises(ValueError, match="fitted with a second booster"):
        mismatched.save(tmp_path / "bad.npz")


@pytest.mark.parametrize("stack_folds", [0, 2])
def test_body_context_fits_the_second_booster_on_the_rows_prediction_builds(monkeypatch, stack_folds):
    from sklearn.ensemble import HistGradientBoostingClassifier

    from boilerplate.detectors.learned.model import _sigmoid

    seen = []
    real_fit = HistGradientBoostingClassifier.fit

    def spy(self, X, y, *args, **kwargs):
        seen.append(np.array(X))
        return real_fit(self, X, y, *args, **kwargs)

    monkeypatch.setattr(HistGradientBoostingClassifier, "fit", spy)
    docs = _docs(9)
    det = LearnedDetector(max_iter=5, body_context=True, stack_folds=stack_folds).fit(docs)
    # the first booster, one per out-of-fold part (3 sites, so stack_folds parts), the second
    assert len(seen) == 2 + (stack_folds if stack_folds >= 2 else 0)
    if stack_folds:
        return
    # in-sample (no folds): every row is the one prediction builds for that training line
    want = []
    for doc in docs:
        keep = np.array([lab is not None for lab in doc.labels])
        hashed, dense = det._features(doc)
        text = _sigmoid(det._text_matrix(hashed, dense) @ det.text_coef_ + det.text_intercept_)
        S = det._stack(dense[keep], text[keep], np.zeros(keep.sum(), dtype=bool))
        first = _sigmoid(forest_decision(det.forest_, S))
        want.append(np.hstack([S, det._body_context(first, np.zeros(len(S), dtype=bool))]))
    assert np.allclose(seen[-1], np.vstack(want), atol=1e-9)


def test_fit_reports_each_stage_and_each_out_of_fold_part(caplog):
    import logging

    docs = _docs(9)
    with caplog.at_level(logging.INFO, logger="boilerplate"):
        model = LearnedDetector(max_iter=5, stack_kinds=True, stack_folds=3).fit(docs)
    messages = [r.getMessage() for r in caplog.records if r.name == "boilerplate.detectors.learned.model"]
    labeled = sum(d.labels is not None and len(d.lines) > 0 for d in docs)
    assert messages[0] == f"fit: documents {labeled}, lines {sum(len(d.lines) for d in docs if d.labels is not None)}"
    for loop in ("kinds", "scores"):  # the booster's kind evidence, the text model's scores
        parts = [m for m in messages if m.startswith(f"fit: out-of-fold {loop}, part ")]
        assert parts == [f"fit: out-of-fold {loop}, part {i} of 3" for i in (1, 2, 3)]
    assert any(m.startswith("fit: P(body) booster, 5 trees") for m in messages)
    assert any(m.startswith(f"fit: kind model over {len(model.kinds_)} kinds") for m in messages)
    assert messages[-1].startswith("fit: done in ")
    caplog.clear()
    LearnedDetector(max_iter=5).fit(docs)  # below INFO (the default): no records reach a handler
    assert not [r for r in caplog.records if r.name.startswith("boilerplate")]


def _resaved(model, path, change):
    """Save ``model`` to ``path`` with its arrays changed by ``change`` (a dict -> dict function)."""
    model.save(path)
    arrays = read_arrays(path)
    write_arrays(path, change(arrays))
    return path


@pytest.fixture(scope="module")
def with_network():
    params = dict(max_iter=10, kind_window=2, shape_words=True, edge_words=True, stack_kinds=True)
    docs = _docs(12)
    return docs, LearnedDetector(kind_mlp=8, **params).fit(docs), LearnedDetector(**params).fit(docs)


def test_kind_network_is_averaged_into_the_flat_kinds_as_fitted(with_network):
    from boilerplate.detectors.learned.model import (
        HASH_FEATURES,
        KIND_MLP_MIN_COUNT,
        _blank,
        _softmax,
        neighbour_words,
    )

    docs, net, plain = with_network
    doc = docs[1]
    w = net.kind_mlp_
    # the words it reads are those at least KIND_MLP_MIN_COUNT kind-labeled lines hold, and only those
    rows = [net._features(d)[0][np.isin(np.array(d.labels, dtype=object), KINDS)] for d in docs]
    counts = np.bincount(np.concatenate([r.indices for r in rows]), minlength=HASH_FEATURES)
    assert w["cols"].tolist() == np.flatnonzero(counts >= KIND_MLP_MIN_COUNT).tolist()
    # the first layer: those words on the line, the dense features, those words in the run around it
    assert w["w1"].shape == (2 * len(w["cols"]) + len(net.scaler_mean_), 8) and w["w2"].shape == (8, len(net.kinds_))
    # cleaning's factored pass (hashed words, shape and edge words apart, the run's share as window
    # means of word scores) is the network on the matrix it was fitted on, for one page and for two
    for pages in ([docs[1]], docs[1:3]):
        rows = []
        for page in pages:
            hashed, dense = net._features(page)
            rows.append(sp.hstack([net._text_matrix(hashed, dense), neighbour_words(hashed, _blank(page), 2)]))
        XK = sp.vstack(rows, format="csr")
        _, H, Z, blanks, bounds, shape, _ = net._prepared(pages)
        assert shape is not None and len(shape[0])
        assert np.allclose(net._kind_mlp_logits(H, shape, Z, blanks, bounds), net._kind_mlp_matrix_logits(w, XK),
                           atol=1e-10)
    # the flat kind probabilities are the mean of the linear model's and the network's
    hashed, dense = net._features(doc)
    XK = sp.hstack([net._text_matrix(hashed, dense), neighbour_words(hashed, _blank(doc), 2)], format="csr")
    _, H, Z, blanks, bounds, shape, _ = net._prepared([doc])
    linear = _softmax(XK @ net.kind_coef_.T + net.kind_intercept_)
    expected = (linear + _softmax(net._kind_mlp_matrix_logits(w, XK))) / 2
    weights, n_kinds = net._word_weights()
    flat = net._flat_kind_proba(net._word_scores(H, shape, weights), Z, blanks, bounds, n_kinds, H, shape)
    assert np.allclose(flat, expected, atol=1e-9)
    # and they reach the labels: the same data without the network gives other probabilities
    assert not np.allclose(net.predict_proba(doc), plain.predict_proba(doc))
    assert clone(net).get_params()["kind_mlp"] == 8 and plain.kind_mlp_ is None


def test_kind_network_round_trips_and_a_crafted_one_is_refused(with_network, tmp_path):
    from boilerplate.detectors.learned.model import MAX_KIND_MLP_WORDS

    docs, net, plain = with_network
    loaded = LearnedDetector.load(_resaved(net, tmp_path / "net.npz", lambda a: a))
    net.save(tmp_path / "direct.npz")  # its columns are an index array: written with LZMA
    with zipfile.ZipFile(tmp_path / "direct.npz") as zf:
        assert zf.getinfo("kind_mlp_cols.npy").compress_type == zipfile.ZIP_LZMA
    assert loaded.kind_mlp == 8 and loaded.kind_mlp_["cols"].tolist() == net.kind_mlp_["cols"].tolist()
    for doc in docs[:3]:  # the first layer is stored in half precision
        assert np.allclose(loaded.predict_proba(doc), net.predict_proba(doc), atol=2e-3)
    # without run words (kind_window=0) the first layer has no run rows, and the file says so
    alone = LearnedDetector(max_iter=10, kind_mlp=4).fit(docs)
    assert alone.kind_mlp_["w1"].shape == (len(alone.kind_mlp_["cols"]) + len(alone.scaler_mean_), 4)
    reread = LearnedDetector.load(_resaved(alone, tmp_path / "alone.npz", lambda a: a))
    assert np.allclose(reread.predict_proba(docs[0]), alone.predict_proba(docs[0]), atol=2e-3)
    # a file from before the parameter loads with it off, and without a network
    old = LearnedDetector.load(_saved_without(plain, tmp_path / "old.npz", "kind_mlp"))
    assert old.kind_mlp == 0 and old.kind_mlp_ is None

    def crafted(change, match):
        with pytest.raises(ModelError, match=match):
            LearnedDetector.load(_resaved(net, tmp_path / "bad.npz", change))

    def without(name):
        return lambda a: {k: v for k, v in a.items() if k != name}

    crafted(without("kind_mlp_b2"), "lacks kind_mlp_b2")
    crafted(lambda a: {**a, "kind_mlp_cols": a["kind_mlp_cols"][::-1].copy()}, "kind_mlp_cols: not increasing")
    crafted(lambda a: {**a, "kind_mlp_cols": a["kind_mlp_cols"] + (1 << 30)}, "kind_mlp_cols")
    crafted(lambda a: {**a, "kind_mlp_w1": a["kind_mlp_w1"][:-1]}, "kind_mlp_w1: shape")
    crafted(lambda a: {**a, "kind_mlp_w2": np.full_like(a["kind_mlp_w2"], np.nan)}, "kind_mlp_w2")
    crafted(lambda a: {**a, "kind_mlp_b1": a["kind_mlp_b1"].astype(np.float32)}, "kind_mlp_b1: dtype")
    network = {k: a for k, a in read_arrays(tmp_path / "net.npz").items() if k.startswith("kind_mlp_")}
    with pytest.raises(ModelError, match="kind_mlp"):  # a network the header does not declare
        LearnedDetector.load(_resaved(plain, tmp_path / "plain.npz", lambda a: {**a, **network}))
    # weights too large to compute with (finite, yet the softmax of their sums is not)
    crafted(lambda a: {**a, "kind_mlp_b1": np.full_like(a["kind_mlp_b1"], 1e308)}, "kind_mlp_b1: a weight over")
    # more columns than any network reads: refused by the size caps before anything is decompressed
    many = np.arange(MAX_KIND_MLP_WORDS + 1, dtype=np.int64)
    crafted(lambda a: {**a, "kind_mlp_cols": many}, "kind_mlp_cols")
    check_network_parameter("kind_mlp", net, plain, tmp_path)


@pytest.mark.parametrize("stage", ["flat", "context-linear"])
def test_kind_network_for_the_decision_alone_leaves_p_body_and_mixes_into_the_labels(with_network, stage, tmp_path):
    from boilerplate.detectors.learned.model import KIND_MLP_DECISION_WEIGHT, _softmax

    docs, _, _ = with_network
    params = dict(max_iter=10, kind_window=2, shape_words=True, edge_words=True, stack_kinds=True, kind_stage=stage)
    plain = LearnedDetector(**params).fit(docs)
    decision = LearnedDetector(kind_mlp=8, kind_mlp_decision=True, **params).fit(docs)
    assert decision.kind_mlp_ is not None
    for doc in docs[:3]:
        p, q = plain.predict_proba(doc), decision.predict_proba(doc)
        # P(body) is the model's without the network: the booster and the kind stage never read it
        assert np.array_equal(p[:, BODY_INDEX], q[:, BODY_INDEX])
        assert np.array_equal(plain.body_mask(doc), decision.body_mask(doc))
        # the kinds the labels read: (1 - w) x the model's own + w x the network's
        _, H, Z, blanks, bounds, shape, _ = decision._prepared([doc])
        net = _softmax(decision._kind_mlp_logits(H, shape, Z, blanks, bounds))
        rest = (1 - p[:, BODY_INDEX])[:, None]
        cols = [LABELS.index(k) for k in decision.kinds_]
        expected = rest * ((1 - KIND_MLP_DECISION_WEIGHT) * (p[:, cols] / np.maximum(rest, 1e-300))
                           + KIND_MLP_DECISION_WEIGHT * net)
        keep = ~blanks[0]
        assert np.allclose(q[keep][:, cols], expected[keep], atol=1e-9)
        assert not np.allclose(q[keep][:, cols], p[keep][:, cols])
    # it round-trips, and a file from before the parameter loads with it off
    loaded = LearnedDetector.load(_resaved(decision, tmp_path / "d.npz", lambda a: a))
    assert loaded.kind_mlp_decision is True
    assert np.allclose(loaded.predict_proba(docs[0]), decision.predict_proba(docs[0]), atol=2e-3)
    old = LearnedDetector.load(_saved_without(plain, tmp_path / "old.npz", "kind_mlp_decision"))
    assert old.kind_mlp_decision is False
    with pytest.raises(ValueError, match="kind_mlp_decision must be a bool, True only with kind_mlp > 0"):
        LearnedDetector(kind_mlp_decision=True).validate_params()


def test_kind_network_word_cap_keeps_the_most_frequent_words_and_binds_the_file(with_network, tmp_path):
    from boilerplate.detectors.learned.model import HASH_FEATURES, KIND_MLP_MIN_COUNT

    docs, net, _ = with_network
    full = net.kind_mlp_["cols"]
    cap = len(full) // 3
    assert cap >= 2
    capped = LearnedDetector(**{**net.get_params(), "kind_mlp_words": cap}).fit(docs)
    cols, n_dense = capped.kind_mlp_["cols"], len(capped.scaler_mean_)
    assert len(cols) == cap and set(cols) <= set(full)
    assert capped.kind_mlp_["w1"].shape[0] == 2 * cap + n_dense
    # the kept words are the most frequent: rows whose own words are held by 50, 40, 30 and 6 lines
    held = {7: 50, 3: 40, 11: 30, 5: 6}  # column: lines holding it
    rows, columns = zip(*[(i, c) for c, n in held.items() for i in range(n)])
    X = sp.csr_matrix((np.ones(len(rows)), (rows, columns)), shape=(60, 2 * HASH_FEATURES + n_dense))
    kind = np.array([capped.kinds_[i % 2] for i in range(60)])
    picked = LearnedDetector(**{**capped.get_params(), "kind_mlp_words": 2})
    picked.kinds_, picked.scaler_mean_ = capped.kinds_, capped.scaler_mean_
    assert picked._fit_kind_mlp(X, kind, np.ones(60))["cols"].tolist() == [3, 7]
    assert KIND_MLP_MIN_COUNT <= 6  # all four are frequent enough to enter without the cap
    loaded = LearnedDetector.load(_resaved(capped, tmp_path / "cap.npz", lambda a: a))
    assert loaded.kind_mlp_words == cap
    assert np.allclose(loaded.predict_proba(docs[0]), capped.predict_proba(docs[0]), atol=2e-3)
    # a file holding more word columns than its header's cap is refused
    with pytest.raises(ModelError, match="kind_mlp_cols: .* columns, over"):
        LearnedDetector.load(_resaved(capped, tmp_path / "over.npz", lambda a: {
            **a, "kind_mlp_cols": full, "kind_mlp_w1": np.zeros((2 * len(full) + n_dense, 8), np.float16)}))
    # a file from before the parameter loads with the widest cap
    old = LearnedDetector.load(_saved_without(net, tmp_path / "old.npz", "kind_mlp_words"))
    assert old.kind_mlp_["cols"].tolist() == full.tolist()
    for bad in (0, True, 1.5, (1 << 17) + 1):
        with pytest.raises(ValueError, match="kind_mlp_words must be an integer in"):
            LearnedDetector(kind_mlp_words=bad).validate_params()


def check_network_parameter(name, with_net, without, tmp_path):
    """A network the parameter ``name`` does not declare, or none where it does, is never saved;
    values that are no size of network are refused."""
    with pytest.raises(ValueError, match=f"{name} is 0 but the model was fitted with"):
        copy.deepcopy(with_net).set_params(**{name: 0}).save(tmp_path / "x.npz")
    with pytest.raises(ValueError, match=f"{name} is 4 but the model was fitted without"):
        copy.deepcopy(without).set_params(**{name: 4}).save(tmp_path / "x.npz")
    for bad in (-1, 1.5, True, 10_000):
        with pytest.raises(ValueError, match=f"{name} must be an integer"):
            LearnedDetector(**{name: bad}).validate_params()


def test_kind_network_of_two_kinds_has_one_logistic_output_spread_over_both():
    from sklearn.neural_network import MLPClassifier

    from boilerplate.detectors.learned.model import _softmax

    docs = _docs(6)
    for d in docs:  # two kinds only: ad and chrome
        d.labels = ["chrome" if label == "appeal" else label for label in d.labels]
    det = LearnedDetector(max_iter=5, kind_mlp=4).fit(docs)
    # scikit-learn's one output is P(chrome), its second class: "ad" gets a zero column beside it
    assert det.kinds_ == ("ad", "chrome") and det.kind_mlp_["w2"].shape == (4, 2)
    assert not det.kind_mlp_["w2"][:, 0].any() and det.kind_mlp_["b2"][0] == 0
    # which is scikit-learn's own probability: the softmax of (0, z) is the sigmoid of z
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 5)), np.array(["ad", "chrome"] * 20)
    net = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0).fit(X, y)
    hidden = np.maximum(X @ net.coefs_[0] + net.intercepts_[0], 0)
    logits = hidden @ np.hstack([np.zeros_like(net.coefs_[1]), net.coefs_[1]]) + np.concatenate([[0.0], net.intercepts_[1]])
    assert np.allclose(_softmax(logits), net.predict_proba(X))
    assert np.allclose(det.predict_proba(docs[0])[:-1].sum(axis=1), 1)


def test_a_second_kind_stage_of_two_kinds_decides_between_them():
    docs = _docs(6)
    for d in docs:  # two kinds only: ad and chrome (a binary logistic stage has one row of weights)
        d.labels = ["chrome" if label == "appeal" else label for label in d.labels]
    det = LearnedDetector(max_iter=5, kind_stage="context-linear", kind_window=2).fit(docs)
    assert det.kinds_ == ("ad", "chrome") and det.kind_forest_["kind2_coef"].shape[0] == 2
    proba = det.predict_proba(docs[0])
    assert np.allclose(proba[:-1].sum(axis=1), 1) and set(det.predict(docs[0])) <= {"body", "ad", "chrome", None}


def test_word_table_scores_compiled_and_sparse_agree():
    # a network's word table read by the compiled pass and by the sparse product: the same sums,
    # words the table lacks reading its zero row, shape and edge words added at their value
    from boilerplate.detectors.learned.features import HASH_FEATURES
    from boilerplate.detectors.learned.seqnet import table_scores, word_table

    rng = np.random.default_rng(3)
    cols = np.sort(rng.choice(HASH_FEATURES, 50, replace=False)).astype(np.int64)
    lookup, table = word_table(cols, rng.normal(size=(50, 4)))
    words = np.concatenate([cols[:30], rng.integers(0, HASH_FEATURES, 30)])  # half of them in the table
    H = sp.csr_matrix((rng.random(40), rng.choice(words, 40), [0, 5, 5, 12, 20, 31, 35, 40]), shape=(7, HASH_FEATURES))
    shape = (np.array([0, 3, 6]), rng.choice(words, (3, 2)).astype(np.int32))
    for s in (shape, None):
        fast = table_scores(H, s, lookup, table, 0.5)
        assert np.allclose(fast, table_scores(H, s, lookup, table, 0.5, use_compiled=False), rtol=0, atol=1e-12)
        dense = H.toarray()[:, cols] @ table[:-1]
        if s is not None:
            for line, row in zip(*s):
                dense[line] += 0.5 * sum(table[lookup[c]] for c in row)
        assert np.allclose(fast, dense, rtol=0, atol=1e-12)
    assert not fast[1].any()  # a line without words
    assert table_scores(H[:0], None, lookup, table, 0.5).shape == (0, 4)
    twice = (np.array([0, 0]), shape[1][:2])  # a line listed twice: both add, on either path
    assert np.allclose(table_scores(H, twice, lookup, table, 0.5),
                       table_scores(H, twice, lookup, table, 0.5, use_compiled=False), rtol=0, atol=1e-12)
