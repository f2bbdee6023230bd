import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import boilerplate
from boilerplate import api
from boilerplate.labels import LABELS
from boilerplate.lines import DecodingWarning, decode, is_blank, split_lines

from .conftest import FIXTURES

line_text = st.text(st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), max_size=80)
documents = st.lists(st.one_of(line_text, st.sampled_from([
    "", "Advertisement", "Support us", "See also:", "Read more",
    "The minister said on Friday that the talks would continue next week in Geneva.",
])), max_size=30).map("\n".join)


def _is_subsequence(small, big):
    it = iter(big)
    return all(any(x == y for y in it) for x in small)


@settings(max_examples=60, deadline=None)
@given(documents)
def test_clean_returns_a_subsequence_of_input_lines(text):
    out = boilerplate.clean(text)
    kept = split_lines(out)
    assert _is_subsequence(kept, split_lines(text))
    assert not any(is_blank(k) for k in kept)


@settings(max_examples=60, deadline=None)
@given(documents)
def test_label_gives_one_entry_per_line_and_keep_all_gives_all_nonblank(text):
    labeled = boilerplate.label(text)
    lines = split_lines(text)
    assert [x.text for x in labeled] == lines
    assert all((x.label is None) == is_blank(x.text) for x in labeled)
    assert all(x.label is None or x.label in LABELS for x in labeled)
    assert boilerplate.clean(text, keep=LABELS) == "\n".join(line for line in lines if not is_blank(line))


def test_clean_is_deterministic_and_exact_on_seeds():
    for path in sorted((FIXTURES / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        out = boilerplate.clean(text)
        assert out == boilerplate.clean(text)
        assert set(split_lines(out)) <= set(split_lines(text))


@pytest.mark.parametrize("text, expected", [
    ("", ""), ("\n\n  \n", ""),
])
def test_empty_input_gives_empty_output(text, expected):
    assert boilerplate.clean(text) == expected
    assert all(x.label is None for x in boilerplate.label(text))


def test_line_ends_crlf_cr_and_nul():
    text = "First line of the article, long enough to read as prose, it says so.\r\nSecond\rThird\x00x\n"
    labeled = boilerplate.label(text)
    assert [x.text for x in labeled] == ["First line of the article, long enough to read as prose, it says so.",
                                         "Second", "Third\x00x"]


def test_undecodable_bytes_are_replaced_with_a_warning():
    with pytest.warns(DecodingWarning, match="2 undecodable"):
        text = decode(b"caf\xff \xfe ok", "utf-8")
    assert text == "caf\ufffd \ufffd ok"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert decode("\ufeffplain".encode("utf-8")) == "plain"  # BOM, no warning


def test_undeclared_legacy_text_is_detected_not_replaced():
    text = "Le café crème brûlée était délicieux, dit-elle à ses invités.\nÀ bientôt."
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert decode(text.encode("cp1252")) == text
        assert boilerplate.to_document(text.encode("cp1252")).lines == text.split("\n")
        assert decode(bytearray(text.encode("cp1252"))) == decode(memoryview(text.encode("cp1252"))) == text
    # mostly UTF-8 with a cut-off last character ("é" is two bytes): UTF-8, the cut replaced
    with pytest.warns(DecodingWarning, match="1 undecodable"):
        assert decode((text + " café").encode()[:-1]) == text + " caf\ufffd"


def test_long_line_and_many_lines():
    big = "word " * 200_000  # 1 MB single line (the 10 MB case is in benchmarks/stress.py)
    assert boilerplate.clean(big, keep=LABELS) == big
    many = "\n".join(["menu", "", "x"] * 20_000)
    labeled = boilerplate.label(many)
    assert len(labeled) == 60_000


def test_unknown_keep_label_and_detector_raise_clearly():
    with pytest.raises(ValueError, match="unknown label 'bod'"):
        boilerplate.clean("x", keep=("bod",))
    with pytest.raises(ValueError, match="unknown detector 'nope'"):
        boilerplate.clean("x", detector="nope")


def test_load_detector_threshold():
    """A named learned detector with another P(body) threshold; an error where there is none (issue 18)."""
    import pytest

    from boilerplate import api

    assert api.load_detector("learned-text", threshold=0.9).threshold == 0.9
    assert api.load_detector("learned-text").threshold == 0.5  # the cached default is untouched
    for detector, threshold in (("rules", 0.5), ("learned-text", 1.5)):
        with pytest.raises(ValueError):
            api.load_detector(detector, threshold=threshold)


def _labels_path(doc, detector):
    """What clean_document returned before body_mask: every line labeled, the body joined."""
    return "\n".join(line for line, name in zip(doc.lines, api.document_labels(doc, detector)) if name == "body")


HTML_PAGE = ("<html><head><title>Rain in Geneva</title></head><body><nav><a href='/'>Home</a> <a href='/w'>World</a></nav>"
             "<h1>Rain in Geneva</h1><p class='byline'>By A. Writer, 4 July 2026</p>"
             "<p>The minister said on Friday that the talks would continue next week in Geneva, after a long night.</p>"
             "<p>Delegates from twelve countries met in the old hall, where the roof had leaked since spring.</p>"
             "<aside><h3>Related</h3><ul><li><a href='/a'>Storms close the airport</a></li></ul></aside>"
             "<div class='newsletter'>Subscribe to our newsletter for more news.</div>"
             "<footer>© 2026 The Daily Example. All rights reserved.</footer></body></html>")


@pytest.mark.parametrize("detector", ["learned-text", "rules", "c4"])
def test_body_only_cleaning_keeps_the_lines_labeling_calls_body(detector):
    # clean() with keep=body asks for body_mask (the learned detectors skip their kind model):
    # the same lines as labeling every line, on every seed page
    for path in sorted((FIXTURES / "seeds").glob("*.txt")):
        doc = api.to_document(path.read_text(encoding="utf-8"))
        assert api.clean_document(doc, detector=detector) == _labels_path(doc, detector)
        assert api.clean_document(doc, detector=detector) != ""


def test_body_only_cleaning_of_html_and_of_chunks_matches_labeling(monkeypatch):
    doc = api.to_document(HTML_PAGE, html=True)
    assert api.clean_document(doc) == _labels_path(doc, None) == boilerplate.clean_html(HTML_PAGE)
    assert "Delegates from twelve countries" in boilerplate.clean_html(HTML_PAGE)
    pages = "\n".join(p.read_text(encoding="utf-8") for p in sorted((FIXTURES / "seeds").glob("*.txt")))
    long = api.to_document(pages)
    monkeypatch.setattr(api, "CHUNK_LINES", max(50, len(long) // 4))
    monkeypatch.setattr(api, "CHUNK_CONTEXT", 40)
    assert api.clean_document(long) == _labels_path(long, None)  # the same chunks either way
