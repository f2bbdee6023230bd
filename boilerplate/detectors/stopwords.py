"""Stopword density over jusText's stoplists, with the language picked per document.

Pages are not all English. Each document is matched against all of jusText's stoplists at once
(one dictionary lookup per distinct token) and the language whose stopwords cover most of its
tokens, per log of the stoplist's size, is used for every line of that document. The size
correction matters: jusText's Wikipedia-derived stoplists for Finnish (6,813 words), Uzbek or
Korean contain many English words, and raw coverage called 8 of 181 English Scrapinghub pages
Finnish, Uzbek or Estonian.
"""

from __future__ import annotations

from collections import Counter
from functools import cache, lru_cache

import numpy as np


@lru_cache(maxsize=1)
def _tables() -> tuple[tuple[str, ...], dict[str, np.ndarray], np.ndarray]:
    import justext

    languages = tuple(sorted(justext.get_stoplists()))
    word_langs: dict[str, list[int]] = {}
    sizes = np.zeros(len(languages))
    for li, lang in enumerate(languages):
        stoplist = justext.get_stoplist(lang)
        sizes[li] = len(stoplist)
        for word in stoplist:
            word_langs.setdefault(word.lower(), []).append(li)
    return languages, {w: np.array(ls, dtype=np.int32) for w, ls in word_langs.items()}, np.log(np.maximum(sizes, 2))


def stopword_languages() -> tuple[str, ...]:
    """Names of jusText's stoplists, in the order :func:`detect_language` indexes them."""
    return _tables()[0]


def detect_language(tokens: list[str]) -> int:
    """Index (into :func:`stopword_languages`) of the stoplist covering most of ``tokens``; -1 if none."""
    languages, word_langs, log_size = _tables()
    hits = np.zeros(len(languages))
    for word, count in Counter(tokens).items():
        langs = word_langs.get(word)
        if langs is not None:
            hits[langs] += count
    return int((hits / log_size).argmax()) if hits.any() else -1


def stopword_mask(tokens: list[str], language: int) -> np.ndarray:
    """Boolean array: which tokens are stopwords of ``language`` (all False for -1)."""
    if language < 0 or not tokens:
        return np.zeros(len(tokens), dtype=bool)
    stop = _stoplist(language)
    return np.fromiter((t in stop for t in tokens), dtype=bool, count=len(tokens))


@cache
def _stoplist(language: int) -> frozenset[str]:
    import justext

    return frozenset(w.lower() for w in justext.get_stoplist(_tables()[0][language]))
