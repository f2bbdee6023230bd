"""Stopword density over jusText's stoplists, with the language picked per document.

Pages are not all English. Each document is matched against all of jusText's stoplists at once
(one dictionary lookup per distinct token) and the language whose stopwords cover most of its
tokens, per log of the stoplist's size, is used for every line of that document. The size
correction matters: jusText's Wikipedia-derived stoplists for Finnish (6,813 words), Uzbek or
Korean contain many English words, and raw coverage called 8 of 181 English Scrapinghub pages
Finnish, Uzbek or Estonian.

With numba, a document's words are lower-cased and looked up in one compiled pass
(:func:`_stoplist_rows`, over a hash table of the stopwords' code points): the same rows as
``str.lower`` and a dictionary lookup per word, without making a string per word.
"""

from __future__ import annotations

import pkgutil
from collections import Counter
from collections.abc import Callable
from functools import cache, lru_cache
from itertools import chain, count, repeat
from typing import cast

import numpy as np
import scipy.sparse as sp

from ..compiled import compiled_calling
from ..lines import CODE_POINTS, FNV_OFFSET, FNV_PRIME, MASK_32, same_run


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


def language_and_stopwords(words: list[str], counts: np.ndarray, lowered: bool = True) -> tuple[int, np.ndarray]:
    """The language of a text given as its distinct ``words`` and the count of each (as
    :func:`detect_language`: the stoplist covering most of the words, per log of its size; -1 if
    none), and which ``words`` are stopwords of it (members of its stoplist, :func:`_stoplist`).
    ``words`` are lower-cased (``lowered=False``: as written; each is looked up lower-cased). A
    word may come more than once (the lower-cased forms of "The" and "the"): the counts add.

    One lookup per word gives its row of the stoplists' bit table (:func:`stoplist_rows`); the
    language is the argmax of the counts summed over each row's bits (sums of whole counts: exact
    in any order), and the stopwords are the rows with that language's bit, so no second lookup
    is made.
    """
    languages, _, _, log_size = _tables()
    rows = stoplist_rows(words, lowered)
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


def stoplist_rows(words: list[str], lowered: bool = True, use_compiled: bool = True) -> np.ndarray:
    """The row of each of ``words`` in the stoplists' table (:func:`_tables`), -1 for a word in no
    stoplist. ``lowered=False`` looks each word up lower-cased (``str.lower``): with numba, all
    of them in one compiled pass (:func:`_stoplist_rows`); a word whose lower case is not one
    code point per code point (``"İ"``) or depends on its neighbours (``"Σ"``, final sigma) takes
    ``str.lower``. Without numba, or ``use_compiled=False``: ``str.lower`` and a dictionary
    lookup per word, to the same rows. ``ValueError`` if a word holds a ``"\n"`` (a tokenizer's
    words never do)."""
    row = _tables()[1]
    kernel = _compiled_rows() if use_compiled and not lowered and words else None
    if kernel is None:
        if not lowered:
            lowered_words = "\n".join(words).lower().split("\n") if words else []
            if len(lowered_words) != len(words):
                raise ValueError("a word holds a line break: words are looked up one per line")
            words = lowered_words
        return np.fromiter(map(row.get, words, repeat(-1)), dtype=np.int64, count=len(words))
    codes, bounds, slots = _stopword_slots()
    text = "\n".join(words) + "\n"  # each word followed by a "\n", which no word holds
    rows = kernel(np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32), _lower_table(),
                  codes, bounds, slots, False)
    if len(rows) != len(words):
        raise ValueError("a word holds a line break: words are looked up one per line")
    for i in np.flatnonzero(rows == _NOT_SIMPLE).tolist():
        rows[i] = row.get(words[i].lower(), -1)
    return rows


#: :func:`_stoplist_rows`' row of a word holding a code point :func:`_lower_table` cannot lower
#: alone (``str.lower`` then finds its row), and the table's mark of such a code point.
_NOT_SIMPLE = -2
_NO_CODE_POINT = 0xFFFFFFFF
#: A slot of the stopword table holds 31 bits of the word's hash above its row (32 bits).
_TAG_BITS = 0x7FFFFFFF
_ROW_BITS = 0xFFFFFFFF
_LINE_END = 10
#: 2**32 over the golden ratio: the multiplier of Fibonacci hashing, which spreads a hash's bits into
#: the top bits that pick a slot.
FIBONACCI = 0x9E3779B9
_LOWER_CHUNK = 256


@lru_cache(maxsize=1)
def _lower_table() -> np.ndarray:
    """``str.lower`` of every code point (uint32, read-only), where it is one code point and
    does not depend on the text around it; ``0xFFFFFFFF`` where it is not (``"İ"`` lower-cases to
    two code points, ``"Σ"`` to ``"σ"`` or, ending a word, ``"ς"``). Lower-cased in chunks of
    :data:`_LOWER_CHUNK` code points, the chunks that change length one code point at a time."""
    table = np.arange(CODE_POINTS, dtype=np.uint32)
    for lo in range(0, CODE_POINTS, _LOWER_CHUNK):
        chunk = _code_points(lo, min(lo + _LOWER_CHUNK, CODE_POINTS))
        low = chunk.lower()
        if len(low) == len(chunk):
            table[lo:lo + len(chunk)] = np.frombuffer(low.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
            continue
        for i, one in enumerate(map(str.lower, chunk)):
            table[lo + i] = ord(one) if len(one) == 1 else _NO_CODE_POINT
    table[0x3A3] = _NO_CODE_POINT  # capital sigma: its lower case depends on the next letter
    table.setflags(write=False)
    return table


def _code_points(lo: int, hi: int) -> str:
    """The code points ``lo`` to ``hi - 1`` as a string (lone surrogates too)."""
    return np.arange(lo, hi, dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")


@lru_cache(maxsize=1)
def _stopword_slots() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The stopwords (:func:`_tables`' rows, in order) as one array of code points with each
    word's bounds, and an open-addressing table of their rows (at least twice as many slots as
    words; a slot holds 31 bits of the word's hash above its row, so that most probes end without
    reading the word), filled by :func:`_stoplist_rows` itself: each word is looked up and, not
    found, put in."""
    words = list(_tables()[1])
    codes = np.frombuffer("".join(words).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    bounds = np.zeros(len(words) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, words), dtype=np.int64, count=len(words)), out=bounds[1:])
    size = 16
    while size < 2 * len(words):
        size *= 2
    slots = np.full(size, -1, dtype=np.int64)
    text = np.frombuffer(("\n".join(words) + "\n").encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    # the words are lower-cased already, and lower-casing them again changes none (one compiled
    # signature for building and looking up)
    rows = cast(Callable, _compiled_rows())(text, _lower_table(), codes, bounds, slots, True)
    if not np.array_equal(rows, np.arange(len(words))):
        raise RuntimeError("the stopword table could not be built")  # distinct words: each one is new
    return codes, bounds, slots  # slots stays writable (the kernel's insert branch), never written again


_same_run = same_run  # what the kernel calls (compiled_calling binds it to the compiled version)


def _compiled_rows():
    """:func:`_stoplist_rows` compiled by numba (its hit test too), or None without numba."""
    return compiled_calling(_stoplist_rows, globals(), {"_same_run": same_run})


def _stoplist_rows(text, lower, codes, bounds, slots, insert):  # pragma: no cover - compiled
    # The words of ``text`` (code points, each word followed by a "\n") lower-cased by ``lower``
    # and looked up in ``slots`` (:func:`_stopword_slots`): each word's row, -1 for none, -2 for
    # a word holding a code point ``lower`` cannot lower-case alone. A slot is a match only if the
    # code points are equal. Slot: the top bits of FNV-1a over the code points times
    # :data:`FIBONACCI` (Fibonacci hashing). ``insert`` (building the table: ``text`` holds the words of
    # ``codes``, in order) puts word ``w`` in the free slot a lookup ends on. The table holds
    # fixed words at half load: a probe run is bounded.
    n_words = 0
    for i in range(text.shape[0]):
        if text[i] == _LINE_END:
            n_words += 1
    rows = np.full(n_words, -1, dtype=np.int64)
    low = np.empty(text.shape[0], dtype=np.uint32)
    mask = slots.shape[0] - 1
    shift = 32
    while (1 << (32 - shift)) < slots.shape[0]:
        shift -= 1
    start = 0
    for w in range(n_words):
        end = start
        simple = True
        h = FNV_OFFSET
        while text[end] != _LINE_END:
            c = lower[text[end]]
            if c == _NO_CODE_POINT:
                simple = False
            low[end] = c
            h = ((h ^ c) * FNV_PRIME) & MASK_32
            end += 1
        if not simple:
            rows[w] = _NOT_SIMPLE
        else:
            slot = ((h * FIBONACCI) & MASK_32) >> shift
            tag = (h & _TAG_BITS) << 32
            while slots[slot] >= 0:
                k = slots[slot] & _ROW_BITS
                if slots[slot] - k == tag and bounds[k + 1] - bounds[k] == end - start and \
                        _same_run(codes, bounds[k], low, start, end - start):
                    rows[w] = k
                    break
                slot = (slot + 1) & mask
            if insert and rows[w] < 0:
                slots[slot] = tag | w
                rows[w] = w
        start = end + 1
    return rows


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
