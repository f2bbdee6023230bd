"""The hyperscan prefilter of the lexicons (issue 16): the same hits as the plain re path."""

from __future__ import annotations

import re

import numpy as np
import pytest

from boilerplate.detectors import lexicons, prefilter

from .test_rules import _lexicon_test_lines

hyperscan = pytest.importorskip("hyperscan")
pytestmark = pytest.mark.skipif(lexicons.lexicon_prefilter() is None,
                                reason=f"prefilter off ({prefilter.ENGINE_ENV}=re or it did not compile)")

#: Lines where a widened class or a dropped \b could go wrong: letters of other scripts around a
#: phrase (Python's \b is Unicode-aware), digits of other scripts, whitespace Python counts and
#: hyperscan's \s may not, long and repeated phrases, dates and bylines the metadata lexicon reads.
EDGE_LINES = [
    "ésubscribe", "é subscribe", "subscribeé", "subscribe_", "_subscribe", "subscribe1", "日本subscribe",
    "абоннемент subscribe", "подпишитесь", "xподпишитесь", "newsletter\x1c", "\x1cnewsletter", "\u3000newsletter\u3000",
    "home\x1f", "\x85home", "home\u2028", "\u00a0menu\u00a0", "menu\u200b", "ＭＥＮＵ", "m e n u",
    "$\u0661\u0662", "\u0661$", "€ 5", "5\u2009€", "5  €", "price: 12,99\u00a0€", "₹499", "x$", "$x",
    "supporting local journalism", "supporting" + "x" * 41 + " journalism", "supporting, us", "supportingus",
    "a message from the editor", "a message fromage", "a message from", "by jane doe", "by", "byjane",
    "updated: march 3, 2024 at 10:15 am est", "3 марта 2024", "2024-03-03", "\u0663/\u0663/\u0662\u0660\u0662\u0664",
    "related", "related:", "unrelated", "more from the newsroom", "advertisement", "advertisementx", "広告", "x広告",
    "subscribe " * 300, "ad-free " * 200, "", " ", "\x00subscribe", "copy\u0301right", "©",
]


def _plain(lines):
    match = lexicons.lexicon_matcher(lines, use_prefilter=False)
    return np.vstack([match(lexicon) for lexicon in lexicons.LEXICONS.values()])


def _fast(lines):
    match = lexicons.lexicon_matcher(lines)
    return np.vstack([match(lexicon) for lexicon in lexicons.LEXICONS.values()])


def test_the_prefilter_finds_the_hits_of_the_plain_path_on_seeds_and_edge_lines():
    lines = _lexicon_test_lines() + EDGE_LINES
    lines += [line.upper() for line in EDGE_LINES]  # lower-casing happens before either path
    fast, plain = _fast(lines), _plain(lines)
    differ = [(name, lines[i][:40]) for name, i in zip(np.array(list(lexicons.LEXICONS))[np.nonzero(fast != plain)[0]],
                                                        np.nonzero(fast != plain)[1])]
    assert not differ
    assert plain.sum(axis=1).min() > 0  # every lexicon fires somewhere: the comparison is not vacuous
    # one line at a time, as the one-line API calls it
    for line in EDGE_LINES[:20]:
        assert (_fast([line]) == _plain([line])).all(), line


def test_prefilter_hits_are_fresh_arrays_and_a_lone_surrogate_takes_the_plain_path():
    match = lexicons.lexicon_matcher(["Subscribe now", "Home"])
    first = match(lexicons.APPEAL_PHRASE)
    first[:] = False
    assert match(lexicons.APPEAL_PHRASE).tolist() == [True, False]  # a caller's in-place edit leaks nowhere
    scanner = lexicons.lexicon_prefilter()
    assert scanner.hits("a\ud800", np.array([0]), np.array([2])) is None  # not valid Unicode: plain path
    # a page where the superset fires on every character stops early and takes the plain path
    text = "\n".join(["$" * 200] * 50)
    starts = np.arange(50) * 201
    assert scanner.hits(text, starts, starts + 200) is None
    assert scanner.hits("pay $5 now\nx", np.array([0, 11]), np.array([10, 12])) is not None
    lines = ["$" * 200] * 50 + ["Price: $5", "Subscribe \ud800 now"]
    assert (_fast(lines) == _plain(lines)).all()


def test_superset_pattern_widens_classes_and_refuses_what_it_cannot_widen():
    assert prefilter.superset_pattern(r"\bab\w+\d") == f"ab[{prefilter.WORD_SUPERSET}]+[{prefilter.DIGIT_SUPERSET}]"
    assert prefilter.superset_pattern(r"[\w.'-]x") == f"[{prefilter.WORD_SUPERSET}.'-]x"
    assert prefilter.superset_pattern(r"[]a]\.") == r"[\]a]\."  # a leading "]" is literal
    spaces = {c for c in map(chr, range(0x110000)) if c.isspace() and c != "\n"}
    assert {chr(int(h, 16)) for h in re.findall(r"\\x\{([0-9a-f]+)\}", prefilter.SPACE_CLASS)} == spaces
    # repeat counts lose their upper bound (hyperscan reads "{,2}" as text, and compiles bounds slowly)
    assert prefilter.superset_pattern(r"a{,2}\(b{3}c{1,4}") == r"a{0,}\(b{3,}c{1,}"
    assert prefilter.superset_pattern(r"[\\w]") == r"[\\w]"  # an escaped backslash, then "w"
    for bad in (r"a\sb", r"\Sx", r"\W", r"x\B", r"[\s,]", r"x\x0a", r"end(?=\nx)", "a\nb", r"\Ax"):
        with pytest.raises(ValueError, match="cannot widen|line break"):
            prefilter.superset_pattern(bad)
    for bad in (r"[^\w]", r"end[^a-z]"):  # a negated class could match the line break
        with pytest.raises(ValueError, match="negated class"):
            prefilter.superset_pattern(bad)


def test_a_prefilter_that_does_not_compile_warns_and_the_plain_path_runs(monkeypatch):
    with pytest.warns(RuntimeWarning, match="prefilter off"):
        assert prefilter.build([(re.compile(r"a\sb"), r"a\sb", False)]) is None
    with pytest.warns(RuntimeWarning, match="without flags"):  # re.I would be lost in the superset
        assert prefilter.build([(re.compile("ab", re.I), "ab", False)]) is None
    monkeypatch.setenv(prefilter.ENGINE_ENV, "re")
    assert prefilter.build([(re.compile("ab"), "ab", False)]) is None
    monkeypatch.delenv(prefilter.ENGINE_ENV)
    scanner = prefilter.build([(re.compile("ab"), "ab", False), (re.compile("^cd$", re.M), "^cd$", True)])
    text = "xab\ncd\ncdx\nab ab"
    starts = np.array([0, 4, 7, 11])
    hits = scanner.hits(text, starts, np.array([3, 6, 10, 16]))
    assert [hits[p].tolist() for p, _, _ in scanner.patterns] == [[True, False, False, True], [False, True, False, False]]
