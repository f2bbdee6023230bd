"""Alignment labeler: which rendered lines of a page are its gold main text.

Benchmarks give a page's gold article as plain text, not as lines. To turn a page into labeled
lines, both sides are tokenised (NFKC, lower case, ``\\w+`` runs, so punctuation and whitespace
differences do not matter) and cut into k-token shingles. Shingles shared by page and gold are
*anchors*; the longest chain of anchors that increases in both page and gold position is kept
(a patience-sorting LIS, ``O(n log n)``). Monotonicity is what tells the lead paragraph from a
teaser that repeats it elsewhere on the page: only one of them fits the chain. A page token is
"in the gold" when an anchor of the chain covers it, and a line's *body fraction* is the share
of its tokens in the gold; lines at or above :data:`BODY_FRACTION_MIN` are labeled body.

Lines that are not in the gold but match the page's title are labeled ``headline``. Every other
line is labeled ``other``: alignment knows it is not body, not which kind of boilerplate it is.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from ..document import Document
from ..labels import BODY, HEADLINE, OTHER
from ..lines import is_blank, line_tokens

SHINGLE_TOKENS = 3  # short enough to reach into short lines; the monotone chain filters chance hits
BODY_FRACTION_MIN = 0.5  # a line is body when at least half its tokens are in the gold text
TITLE_MATCH_MIN = 0.8  # token overlap (both ways) for a line to count as the page title

@dataclass
class Alignment:
    """Per-line result of aligning a page with its gold text."""

    labels: list[str | None]
    body_fraction: np.ndarray  # share of each line's tokens covered by the gold chain (0 on blank)
    gold_covered: float  # share of gold tokens matched by some line (the oracle's recall ceiling)


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+", normalise(text))


def _shingle_keys(tokens: list[str], k: int) -> list[int]:
    # hash() of a tuple is stable within one process, which is all the matching needs
    return [hash(tuple(tokens[i:i + k])) for i in range(len(tokens) - k + 1)]


def _anchor_chain(page_keys: list[int], gold_keys: list[int]) -> list[tuple[int, int]]:
    """Longest chain of (page pos, gold pos) shingle matches increasing in both coordinates."""
    where: dict[int, list[int]] = {}
    for j, key in enumerate(gold_keys):
        where.setdefault(key, []).append(j)
    tails: list[int] = []  # tails[L] = smallest gold pos ending a chain of length L+1
    tail_node: list[int] = []
    nodes: list[tuple[int, int, int]] = []  # (page pos, gold pos, previous node index)
    for i, key in enumerate(page_keys):
        # Visit this page position's gold candidates high to low, so that at most one of
        # them extends a chain (the classic trick for LIS with several values per position).
        for j in reversed(where.get(key, ())):
            L = bisect.bisect_left(tails, j)
            if L < len(tails) and tails[L] == j:
                continue  # same gold position later on the page: on a tie, the earlier copy wins
            prev = tail_node[L - 1] if L > 0 else -1
            nodes.append((i, j, prev))
            if L == len(tails):
                tails.append(j)
                tail_node.append(len(nodes) - 1)
            else:
                tails[L] = j
                tail_node[L] = len(nodes) - 1
    chain = []
    node = tail_node[-1] if tail_node else -1
    while node >= 0:
        i, j, node = nodes[node]
        chain.append((i, j))
    return chain[::-1]


def align(lines: list[str], gold: str, title: str | None = None, k: int = SHINGLE_TOKENS) -> Alignment:
    """Label each line ``body`` / ``headline`` / ``other`` (``None`` when blank) against ``gold``."""
    n = len(lines)
    words, line_of = line_tokens(lines, normalise)
    gold_words = _tokens(gold)
    kk = max(1, min(k, len(gold_words)))
    chain = _anchor_chain(_shingle_keys(words, kk), _shingle_keys(gold_words, kk))
    covered = np.zeros(len(words), dtype=bool)
    gold_hit = np.zeros(len(gold_words), dtype=bool)
    for i, j in chain:
        covered[i:i + kk] = True
        gold_hit[j:j + kk] = True
    per_line = np.bincount(line_of, minlength=n)[:n].astype(float)
    in_gold = np.bincount(line_of[covered], minlength=n)[:n].astype(float)
    fraction = np.divide(in_gold, per_line, out=np.zeros(n), where=per_line > 0)

    title_tokens = set(_tokens(title)) if title else set()
    labels: list[str | None] = []
    for idx, line in enumerate(lines):
        if is_blank(line):
            labels.append(None)
        elif fraction[idx] >= BODY_FRACTION_MIN:
            labels.append(BODY)
        elif title_tokens and _is_title(line, title_tokens):
            labels.append(HEADLINE)
        else:
            labels.append(OTHER)
    covered_share = float(gold_hit.mean()) if len(gold_words) else 1.0
    return Alignment(labels=labels, body_fraction=fraction, gold_covered=covered_share)


def _is_title(line: str, title_tokens: set[str]) -> bool:
    toks = set(_tokens(line))
    if not toks:
        return False
    overlap = len(toks & title_tokens)
    return overlap / len(toks) >= TITLE_MATCH_MIN and overlap / len(title_tokens) >= TITLE_MATCH_MIN


def align_document(doc: Document, gold: str, title: str | None = None) -> Document:
    """A copy of ``doc`` labeled by alignment, with each line's body fraction in ``meta``."""
    result = align(doc.lines, gold, title)
    meta = dict(doc.meta, body_fraction=np.round(result.body_fraction, 3).tolist(),
                gold_covered=round(result.gold_covered, 4))
    return Document(lines=doc.lines, id=doc.id, labels=result.labels, cues=doc.cues, meta=meta)
