"""Stopword density over jusText's stoplists, with the language picked per document.

Pages are not all English. Each document is matched against all of jusText's stoplists at once
(one dictionary lookup per distinct token) and the language whose stopwords cover most of its
tokens, per log of the stoplist's size, is used for every line of that document. The size
correction matters: jusText's Wikipedia-derived stoplists for Finnish (6,813 words), Uzbek or
Korean contain many English words, and raw coverage called 8 of 181 English Scrapinghub pages
Finnish, Uzbek or Estonian.
"""

from __future__ import annotations

import pkgutil
from collections import Counter
from functools import cache, lru_cache
from itertools import chain, count, repeat

import numpy as np
import scipy.sparse as sp


@lru_cache(maxsize=1)
def _tables() -> tuple[tuple[str, ...], dict[str, int], sp.csr_matrix, np.ndarray]:
    """jusText's stoplists as one table: the languages, each stopword's row, a (words x languages)
    0/1 matrix of which stoplists hold each word, and the log of each stoplist's size."""
    import justext

    languages = tuple(sorted(justext.get_stoplists()))
    stoplists = [_read_stoplist(lang) for lang in languages]
    sizes = np.fromiter(map(len, stoplists), dtype=np.float64, count=len(languages))
    words = list(chain.from_iterable(stoplists))
    row = dict(zip(dict.fromkeys(words), count()))
    # one (word, stoplist) entry per word of each stoplist, gathered into word rows by a sparse sum
    table = sp.csr_matrix((np.ones(len(words)), (np.fromiter(map(row.__getitem__, words), np.int64, len(words)),
                                                 np.repeat(np.arange(len(languages)), sizes.astype(np.int64)))),
                          shape=(len(row), len(languages)))
    return languages, row, table, np.log(np.maximum(sizes, 2))


def _read_stoplist(language: str) -> frozenset[str]:
    """``justext.get_stoplist(language)``: its file's lines, lower-cased, as a set; decoded and
    lower-cased as one text instead of word by word (3x faster; the same words)."""
    data = pkgutil.get_data("justext", f"stoplists/{language}.txt") or b""
    return frozenset(data.decode("utf-8").lower().splitlines())


def stopword_languages() -> tuple[str, ...]:
    """Names of jusText's stoplists, in the order :func:`detect_language` indexes them."""
    return _tables()[0]


def detect_language(tokens: list[str]) -> int:
    """Index (into :func:`stopword_languages`) of the stoplist covering most of ``tokens``; -1 if none."""
    counts = Counter(tokens)
    return language_of_counts(list(counts), np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))


def language_of_counts(words: list[str], counts: np.ndarray) -> int:
    """:func:`detect_language` of a text given as its distinct (lower-cased) ``words`` and the count
    of each (:func:`language_and_stopwords`' language)."""
    return language_and_stopwords(words, counts)[0]


def language_and_stopwords(words: list[str], counts: np.ndarray) -> tuple[int, np.ndarray]:
    """The language of a text given as its (lower-cased) ``words`` and the count of each (as
    :func:`detect_language`: the stoplist covering most of the words, per log of its size; -1 if
    none), and which ``words`` are stopwords of it (members of its stoplist, :func:`_stoplist`).
    A word may come more than once (the lower-cased forms of "The" and "the"): the counts add.

    One dictionary lookup per word gives its row of the stoplists' bit table; the language is the
    argmax of the counts summed over each row's bits (sums of whole counts: exact in any order),
    and the stopwords are the rows with that language's bit, so no second lookup is made.
    """
    languages, row, _, log_size = _tables()
    rows = np.fromiter(map(row.get, words, repeat(-1)), dtype=np.int64, count=len(words))
    known = np.flatnonzero(rows >= 0)
    stop = np.zeros(len(words), dtype=bool)
    if not len(known):
        return -1, stop
    bits = _stoplist_bits()[rows[known]]  # (known words, bytes of language bits)
    hits = np.asarray(counts, dtype=np.float64)[known] @ np.unpackbits(bits, axis=1, count=len(languages))
    if not hits.any():
        return -1, stop
    language = int((hits / log_size).argmax())
    stop[known] = (bits[:, language >> 3] >> (7 - (language & 7))) & 1
    return language, stop


@lru_cache(maxsize=1)
def _stoplist_bits() -> np.ndarray:
    """The stoplist table as packed bits: row ``row[word]`` holds one bit per language (numpy's
    ``packbits`` order, language ``j`` at byte ``j >> 3``, bit ``7 - (j & 7)``); 13 bytes a word."""
    languages, _, table, _ = _tables()
    coo = table.tocoo()
    bits = np.zeros((table.shape[0], (len(languages) + 7) // 8), dtype=np.uint8)
    np.bitwise_or.at(bits, (coo.row, coo.col >> 3), (128 >> (coo.col & 7)).astype(np.uint8))
    return bits


@cache
def _stoplist(language: int) -> frozenset[str]:
    return _read_stoplist(_tables()[0][language])
