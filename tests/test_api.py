import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import boilerplate
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
        text = decode(b"caf\xff \xfe ok")
    assert text == "caf\ufffd \ufffd ok"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert decode("\ufeffplain".encode("utf-8")) == "plain"  # BOM, no warning


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
