"""Per-line shape statistics, computed once per document and vectorised over its lines.

Everything here is language-agnostic except the stopword density, which uses jusText's
stoplists with the language picked per document (``boilerplate.stopwords``). The document's
text is tokenised in one regex pass; per-line aggregates are ``np.bincount`` over token line
ids, and line tests are ``str`` methods mapped over all lines (C-level ``map``, no Python code per line).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import repeat
from operator import itemgetter

import numpy as np

from ..lines import line_token_ids, line_tokens
from .stopwords import language_and_stopwords

#: Running prose: at least this many words, with at least this share of stopwords (menus and
#: headline lists have few function words). The body rule and the learned features share it.
PROSE_MIN_WORDS = 10
PROSE_MIN_STOP_RATIO = 0.2
_TERMINAL = (".", "!", "?", '"', "”", "’", "'", ":", ";", ")", "»")
_ELLIPSES = ("…", "...")


@dataclass
class LineStats:
    """Shape statistics of every line of one document (arrays of length n_lines)."""

    n_chars: np.ndarray
    n_words: np.ndarray
    n_stop: np.ndarray
    n_title: np.ndarray  # words starting with an upper-case letter
    n_digit_words: np.ndarray
    ends_terminal: np.ndarray
    ends_ellipsis: np.ndarray
    all_caps: np.ndarray
    blank: np.ndarray
    language: int
    n_in_title: np.ndarray  # words that also occur in the page title (0 when no title is given)
    #: The tokens the statistics were counted from, for features computed per word: the distinct
    #: words, each token's word and line (:func:`~boilerplate.lines.line_token_ids`), and which
    #: words are stopwords of the page's language, and which are digits.
    tokens: tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]

    @property
    def stop_ratio(self) -> np.ndarray:
        return self.n_stop / np.maximum(self.n_words, 1)

    @property
    def title_ratio(self) -> np.ndarray:
        return self.n_title / np.maximum(self.n_words, 1)

    @property
    def running_prose(self) -> np.ndarray:
        # Without a stoplist for the page's language (language -1: Japanese, Chinese, ...) the
        # function-word test cannot be made: length alone decides.
        has_stop = (self.stop_ratio >= PROSE_MIN_STOP_RATIO) | (self.language < 0)
        return (self.n_words >= PROSE_MIN_WORDS) & has_stop


def line_stats(lines: list[str], title: str = "") -> LineStats:
    """Compute :class:`LineStats` for ``lines`` in one pass over the document's tokens.

    ``title`` (the page's ``<title>``, when known) adds the count of each line's words found in it.
    Word tests (case, digits, stopwords, title words) run once per *distinct* word and reach the
    tokens by index, so the per-token cost is one dictionary lookup; line tests are ``str`` methods
    mapped over the stripped lines (no Python code runs per line).
    """
    n = len(lines)
    stripped = list(map(str.strip, lines))
    vocab, word_id, word_line = line_token_ids(lines, cjk_chars=True)
    # Case variants of a word ("The", "the") stay apart: each is looked up lower-cased, and its
    # count adds to the same stopword's.
    language, word_stop = language_and_stopwords(vocab, np.bincount(word_id, minlength=len(vocab)), lowered=False)
    stop = word_stop[word_id]
    capitalised = np.fromiter(map(str.isupper, map(itemgetter(0), vocab)), dtype=bool, count=len(vocab))[word_id]
    word_digit = np.fromiter(map(str.isdigit, vocab), dtype=bool, count=len(vocab))
    digit = word_digit[word_id]
    title_words = {t.lower() for t in line_tokens([title], cjk_chars=True)[0]} if title else set()
    if title_words:
        # lower-cased as one text: no word holds a "\n", and case mapping never crosses one (Greek
        # final sigma looks at the letters beside it, and a line end is no letter)
        lowered = "\n".join(vocab).lower().split("\n")
        in_title = np.fromiter(map(title_words.__contains__, lowered), dtype=bool, count=len(lowered))[word_id]
    else:
        in_title = np.zeros(len(word_id), dtype=bool)

    def per_line(mask: np.ndarray | None = None) -> np.ndarray:
        ids = word_line if mask is None else word_line[mask]
        return np.bincount(ids, minlength=n).astype(np.float64)[:n]

    n_chars = np.fromiter(map(len, stripped), dtype=np.float64, count=n)
    return LineStats(
        n_chars=n_chars,
        n_words=per_line(),
        n_stop=per_line(stop),
        n_title=per_line(capitalised),
        n_digit_words=per_line(digit),
        ends_terminal=np.fromiter(map(str.endswith, stripped, repeat(_TERMINAL)), dtype=bool, count=n),
        ends_ellipsis=np.fromiter(map(str.endswith, stripped, repeat(_ELLIPSES)), dtype=bool, count=n),
        all_caps=np.fromiter(map(str.isupper, stripped), dtype=bool, count=n),
        blank=n_chars == 0,
        language=language,
        n_in_title=per_line(in_title),
        tokens=(vocab, word_id, word_line, word_stop, word_digit),
    )
