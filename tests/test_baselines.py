import pytest

from boilerplate.detectors import get
from boilerplate.document import Document

PROSE = "The committee said on Monday that it would publish the full report before the end of the year."


def _keep(name, lines):
    return [lab == "body" for lab in get(name).predict(Document(lines=lines))]


def test_c4_keeps_sentences_and_drops_short_or_unpunctuated_lines():
    assert _keep("c4", [PROSE, "Menu", "Two words.", "Please enable JavaScript to view the comments."]) == \
        [True, False, False, False]


def test_gopher_drops_counters_caps_ellipsis_and_ui():
    lines = [PROSE, "12 likes", "BREAKING NEWS TODAY", "Another story begins here and goes on…", "Read more", "2024"]
    assert _keep("gopher", lines) == [True, False, False, False, False, False]


def test_justext_keeps_long_prose_and_drops_menus():
    lines = ["Home", "News", " ".join([PROSE] * 3), "Contact us", ""]  # > 200 chars: "good"
    labels = get("justext").predict(Document(lines=lines))
    assert labels[2] == "body" and labels[0] != "body" and labels[4] is None


EDGE_LINES = [PROSE, "It ends in an ellipsis...", "A claim backed by a source [1]", "A claim with a mark. [12]",
              "Quoted words end here, 'like this.'", "Read our privacy policy for more details.",
              "x" * 1001 + " is one very long word.", "  Leading and trailing spaces are fine.  ",
              "Two words.", "", "Turn on javascript to see this page."]


def test_c4_line_rules_match_datatrove_reference(seed_docs):
    """Our C4 lines are the lines datatrove's C4QualityFilter keeps, with its page rules off."""
    import pytest

    pytest.importorskip("datatrove")
    from datatrove.data import Document as DTDocument
    from datatrove.pipeline.filters.c4_filters import CITATION_REGEX, C4QualityFilter

    ref = C4QualityFilter(min_num_sentences=-1, filter_lorem_ipsum=False, filter_curly_bracket=False)
    for lines in [EDGE_LINES] + [d.lines for d in seed_docs]:
        dt = DTDocument(text="\n".join(lines), id="x")
        assert ref.filter(dt) is True
        ours = get("c4").predict(Document(lines=lines))
        kept = "\n".join(CITATION_REGEX.sub("", s.strip()) for s, lab in zip(lines, ours) if lab == "body").strip()
        assert kept == dt.text


def test_c4_rules_are_switchable_and_explained():
    lines = ["It ends in an ellipsis...", "Two words."]
    assert _keep("c4", lines) == [False, False]
    relaxed = get("c4", filter_no_terminal_punct=False, min_words_per_line=-1)
    assert [lab == "body" for lab in relaxed.predict(Document(lines=lines))] == [True, True]
    reasons = dict((i, r) for i, (_, r) in enumerate(get("c4").explain(Document(lines=lines + [PROSE]))))
    assert "ellipsis" in reasons[0] and "min_words" in reasons[1] and reasons[2].startswith("kept")


def test_detectors_are_scikit_learn_estimators():
    from sklearn.base import clone

    from boilerplate.detectors.learned import LearnedDetector

    for det in (get("rules"), get("c4", min_words_per_line=5), get("justext"), LearnedDetector(C=2.0)):
        twin = clone(det)
        assert twin is not det and twin.get_params() == det.get_params()
        assert repr(det).startswith(type(det).__name__ + "(")
    assert get("c4").set_params(max_word_length=50).max_word_length == 50
    # the contract as sklearn.base.BaseEstimator has it, without importing scikit-learn for it
    import inspect

    for det in (get("rules"), get("c4"), LearnedDetector()):
        init = inspect.signature(type(det).__init__).parameters
        named = {n for n, p in init.items() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
        assert set(det.get_params()) == named - {"self"}
        with pytest.raises(ValueError, match="invalid parameter 'no_such'"):
            det.set_params(no_such=1)
    assert repr(LearnedDetector(C=2.0, html=True)) == "LearnedDetector(C=2.0, html=True)"
    assert repr(get("c4", min_words_per_line=5)) == "C4LineFilter(min_words_per_line=5)"
