"""Baseline detectors, re-implemented from their published descriptions (binary: body or not).

Non-body lines go to the ``chrome`` column: these methods do not tell kinds of boilerplate apart.

- ``justext``: jusText (Pomikálek 2011) run on the text lines (each line a paragraph), with the
  stoplist of the document's language picked as in ``boilerplate.stopwords``. On HTML input the
  benchmark also runs jusText on the page itself (``benchmarks``), as its authors intended.
- ``c4``: the line filter of C4 (Raffel et al. 2020, "Exploring the limits of transfer
  learning"): keep lines ending in terminal punctuation, with at least 3 words, without the word
  "javascript" or a cookie/privacy/terms-of-use notice.
- ``gopher``: line-level rules in the style of Gopher (Rae et al. 2021) and RefinedWeb/FineWeb
  (Penedo et al. 2023, 2024): drop lines that end in an ellipsis, are all upper case, are only
  digits, are one word, are social counters ("12 likes"), or are short UI phrases.
"""

from __future__ import annotations

import html as html_lib
import re

import numpy as np

from .detectors import Detector, register
from .document import Document
from .features import line_stats
from .labels import BODY_INDEX, LABEL_INDEX, N_LABELS
from .stopwords import stopword_languages

_NOT_BODY = LABEL_INDEX["chrome"]


def _binary_proba(keep: np.ndarray, blank: np.ndarray) -> np.ndarray:
    proba = np.zeros((len(keep), N_LABELS))
    proba[keep, BODY_INDEX] = 1.0
    proba[~keep, _NOT_BODY] = 1.0
    proba[blank] = 0.0
    return proba


# --- C4 ----------------------------------------------------------------------------------------
C4_MIN_WORDS = 3  # "we only retained lines that contained at least 3 words"
C4_TERMINAL = (".", "!", "?", '"')  # "ended in a terminal punctuation mark"
C4_BAD_SUBSTRINGS = ("javascript", "terms of use", "privacy policy", "cookie policy", "uses cookies",
                     "use of cookies", "use cookies")


@register("c4")
class C4LineFilter(Detector):
    """C4's line rules (Raffel et al. 2020)."""

    def predict_proba(self, doc: Document) -> np.ndarray:
        arr = np.array(doc.lines, dtype=np.dtypes.StringDType())
        stripped = np.strings.strip(arr)
        lower = np.strings.lower(stripped)
        words = np.strings.count(stripped, " ") + 1
        terminal = np.zeros(len(arr), dtype=bool)
        for mark in C4_TERMINAL:
            terminal |= np.strings.endswith(stripped, mark)
        bad = np.zeros(len(arr), dtype=bool)
        for s in C4_BAD_SUBSTRINGS:
            bad |= np.strings.find(lower, s) >= 0
        keep = terminal & (words >= C4_MIN_WORDS) & ~bad
        return _binary_proba(keep, np.strings.str_len(stripped) == 0)


# --- Gopher / RefinedWeb-style line rules -----------------------------------------------------
GOPHER_COUNTER = re.compile(r"^\d[\d,.]*\s*(?:k\s*)?(?:likes?|shares?|comments?|retweets?|views?|followers?|replies)$",
                            re.I)
GOPHER_UI = re.compile(r"sign in|log in|read more|items in cart|click here|share this|subscribe", re.I)
GOPHER_UI_MAX_WORDS = 10  # a UI phrase only condemns a short line


@register("gopher")
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
@register("justext")
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
