"""Baseline detectors, re-implemented from their published descriptions (binary: body or not).

Non-body lines go to the ``chrome`` column: these methods do not tell kinds of boilerplate apart.

- ``justext``: jusText (Pomikálek 2011) run on the text lines (each line a paragraph), with the
  stoplist of the document's language picked as in ``boilerplate.stopwords``. On HTML input the
  benchmark also runs jusText on the page itself (``benchmarks``), as its authors intended.
- ``c4``: the line rules of C4 (Raffel et al. 2020, "Exploring the limits of transfer
  learning") exactly as datatrove's ``C4QualityFilter`` applies them (its page-level rules aside).
- ``gopher``: line-level rules in the style of Gopher (Rae et al. 2021) and RefinedWeb/FineWeb
  (Penedo et al. 2023, 2024): drop lines that end in an ellipsis, are all upper case, are only
  digits, are one word, are social counters ("12 likes"), or are short UI phrases.
"""

from __future__ import annotations

import html as html_lib
import re

import numpy as np

from ..document import Document
from ..labels import BODY_INDEX, CHROME, LABEL_INDEX, N_LABELS
from ..lines import is_blank
from .base import Detector
from .linestats import line_stats
from .stopwords import stopword_languages

_NOT_BODY = LABEL_INDEX[CHROME]


def _binary_proba(keep: np.ndarray, blank: np.ndarray) -> np.ndarray:
    proba = np.zeros((len(keep), N_LABELS))
    proba[keep, BODY_INDEX] = 1.0
    proba[~keep, _NOT_BODY] = 1.0
    proba[blank] = 0.0
    return proba


# --- C4 ----------------------------------------------------------------------------------------
# The line rules of datatrove's C4QualityFilter (the reference implementation of C4's cleaning),
# with its defaults; its page-level rules (lorem ipsum, curly bracket, fewer than 5 sentences)
# drop whole pages and are not line decisions, so they are left out.
C4_END_PUNCTUATION = (".", "?", "!", '"', "'")
C4_ELLIPSIS = "..."
C4_POLICY_SUBSTRINGS = ("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies",
                        "use cookies")
C4_CITATION = re.compile(r"\[\d*]|\[edit]|\[citation needed]")
_C4_TOKEN_OR_BREAK = re.compile(r"\S+|\n")


class C4LineFilter(Detector):
    """C4's line rules (Raffel et al. 2020), as datatrove's ``C4QualityFilter`` applies them.

    Each rule is a switch with the reference default. A line is kept (``body``) unless it has a
    word longer than ``max_word_length`` characters, does not end in terminal punctuation (or
    ends in an ellipsis) once citation marks like ``[1]`` are removed
    (``filter_no_terminal_punct``, ``remove_citations``), has fewer than ``min_words_per_line``
    whitespace-separated words, mentions "javascript" (``filter_javascript``) or a
    cookie/privacy/terms notice (``filter_policy``). ``explain`` gives each drop's reason.
    """

    def __init__(self, filter_no_terminal_punct: bool = True, remove_citations: bool = True,
                 min_words_per_line: int = 3, max_word_length: int = 1000, filter_javascript: bool = True,
                 filter_policy: bool = True):
        self.filter_no_terminal_punct = filter_no_terminal_punct
        self.remove_citations = remove_citations
        self.min_words_per_line = min_words_per_line
        self.max_word_length = max_word_length
        self.filter_javascript = filter_javascript
        self.filter_policy = filter_policy

    def _drops(self, lines: list[str]) -> list[tuple[str, np.ndarray]]:
        """(reason, mask) per rule, in the reference's order; the first that fires is the reason."""
        n = len(lines)
        stripped = np.strings.strip(np.array(lines, dtype=np.dtypes.StringDType()))
        tokens = _C4_TOKEN_OR_BREAK.findall("\n".join(stripped.tolist()))
        is_break = np.fromiter((t == "\n" for t in tokens), dtype=bool, count=len(tokens))
        line_of = np.cumsum(is_break)[~is_break]
        lengths = np.fromiter((len(t) for t in tokens), dtype=np.int64, count=len(tokens))[~is_break]
        n_words = np.bincount(line_of, minlength=n)[:n]
        longest = np.zeros(n, dtype=np.int64)
        np.maximum.at(longest, line_of, lengths)
        cited = stripped
        if self.remove_citations:
            cited = np.array(C4_CITATION.sub("", "\n".join(stripped.tolist())).split("\n"),
                             dtype=np.dtypes.StringDType()) if n else stripped
        terminal = np.zeros(n, dtype=bool)
        for mark in C4_END_PUNCTUATION:
            terminal |= np.strings.endswith(cited, mark)
        lower = np.strings.lower(cited)
        policy = np.zeros(n, dtype=bool)
        for phrase in C4_POLICY_SUBSTRINGS:
            policy |= np.strings.find(lower, phrase) >= 0
        off = np.zeros(n, dtype=bool)
        return [
            ("a word over max_word_length", longest > self.max_word_length if self.max_word_length != -1 else off),
            ("no terminal punctuation, or an ellipsis",
             (~terminal | np.strings.endswith(cited, C4_ELLIPSIS)) if self.filter_no_terminal_punct else off),
            ("fewer than min_words_per_line words", n_words < self.min_words_per_line),
            ("mentions javascript", (np.strings.find(lower, "javascript") >= 0) if self.filter_javascript else off),
            ("a cookie/privacy/terms notice", policy if self.filter_policy else off),
        ]

    def explain(self, doc: Document) -> list[tuple[str | None, str]]:
        """Each line's label and the rule that dropped it (or why it was kept)."""
        reasons = np.full(len(doc.lines), "kept: passes every line rule", dtype=object)
        decided = np.zeros(len(doc.lines), dtype=bool)
        for reason, mask in self._drops(doc.lines):
            reasons[mask & ~decided] = reason
            decided |= mask
        labels = self.predict(doc)
        return [(lab, "blank line" if lab is None else r) for lab, r in zip(labels, reasons)]

    def predict_proba(self, doc: Document) -> np.ndarray:
        drop = np.zeros(len(doc.lines), dtype=bool)
        for _, mask in self._drops(doc.lines):
            drop |= mask
        blank = np.fromiter((is_blank(s) for s in doc.lines), dtype=bool, count=len(doc.lines))
        return _binary_proba(~drop, blank)


# --- Gopher / RefinedWeb-style line rules -----------------------------------------------------
GOPHER_COUNTER = re.compile(r"^\d[\d,.]*\s*(?:k\s*)?(?:likes?|shares?|comments?|retweets?|views?|followers?|replies)$",
                            re.I)
GOPHER_UI = re.compile(r"sign in|log in|read more|items in cart|click here|share this|subscribe", re.I)
GOPHER_UI_MAX_WORDS = 10  # a UI phrase only condemns a short line


class GopherLineFilter(Detector):
    """Gopher / RefinedWeb-style line rules (ellipsis, all caps, numeric, one word, counters, UI)."""

    def predict_proba(self, doc: Document) -> np.ndarray:
        st = line_stats(doc.lines)
        counter = np.fromiter((bool(GOPHER_COUNTER.match(s.strip())) for s in doc.lines), bool, len(doc.lines))
        ui = np.fromiter((bool(GOPHER_UI.search(s[:300])) for s in doc.lines), bool, len(doc.lines))
        drop = (st.ends_ellipsis | st.all_caps | (st.n_digit_words == st.n_words) | (st.n_words <= 1)
                | counter | (ui & (st.n_words <= GOPHER_UI_MAX_WORDS)))
        return _binary_proba(~drop, st.blank)


# --- jusText on text lines ---------------------------------------------------------------------
class JusTextLines(Detector):
    """jusText's classifier and context revision over the lines as paragraphs."""

    def __init__(self, length_low: int = 70, length_high: int = 200, stopwords_low: float = 0.30,
                 stopwords_high: float = 0.32):
        self.length_low = length_low
        self.length_high = length_high
        self.stopwords_low = stopwords_low
        self.stopwords_high = stopwords_high

    def predict_proba(self, doc: Document) -> np.ndarray:
        import justext

        st = line_stats(doc.lines)
        lang = stopword_languages()[st.language] if st.language >= 0 else "English"
        nonblank = np.flatnonzero(~st.blank)
        keep = np.zeros(len(doc.lines), dtype=bool)
        if len(nonblank):
            page = "<html><body>" + "".join(f"<p>{html_lib.escape(doc.lines[i])}</p>" for i in nonblank) + "</body></html>"
            paragraphs = justext.justext(page.encode("utf-8"), justext.get_stoplist(lang), self.length_low,
                                         self.length_high, self.stopwords_low, self.stopwords_high, encoding="utf-8")
            # jusText keeps one paragraph per non-empty <p>, in order; match them back by text.
            j = 0
            for p in paragraphs:
                while j < len(nonblank) and " ".join(doc.lines[nonblank[j]].split()) != p.text:
                    j += 1
                if j < len(nonblank):
                    keep[nonblank[j]] = p.class_type == "good"
                    j += 1
        return _binary_proba(keep, st.blank)
