"""``rules``: a fine-grained rule-based detector.

A short pipeline of plain functions, in jusText's shape: compute line statistics, match named
lexicons, classify each line by the first rule that fires, then revise with context. Each rule is
a few lines with its thresholds as named constants beside it and a reason string, so
``RuleDetector().explain(doc)`` can say why a line got its label.
"""

from __future__ import annotations

import numpy as np

from ..document import Document
from ..labels import AD, APPEAL, BODY, CHROME, HEADLINE, LABEL_INDEX, METADATA, N_LABELS, TEASER
from .base import Detector
from .lexicons import (
    AD_PHRASE,
    APPEAL_HEADER,
    APPEAL_PHRASE,
    CHROME_LINE,
    CHROME_PHRASE,
    METADATA_LINE,
    TEASER_HEADER,
    lexicon_matcher,
)
from .linestats import LineStats, line_stats

# --- thresholds ----------------------------------------------------------------------------
# A body paragraph is running prose (linestats.PROSE_MIN_WORDS words or more, with function
# words) that ends like a sentence, or is long enough to be prose without a final mark.
BODY_LONG_WORDS = 25  # long enough to be prose even without a final punctuation mark
HEADLINE_MIN_WORDS, HEADLINE_MAX_WORDS = 3, 40  # a title or a one-sentence standfirst
HEADLINE_MAX_LINES = 2  # the title and its dek
TEASER_BLURB_MIN_WORDS = 6  # a truncated "…" blurb of another story
SHORT_LINE_WORDS = 4  # button, menu item, option
APPEAL_SPREAD_ROUNDS = 20  # bound on the context passes (a run spreads one line per round)
CONFIDENCE = 0.9  # probability mass put on the chosen label; the rest spread evenly

_GRAVITY_LABELS = (APPEAL, TEASER)  # boilerplate kinds that come in runs


def classify(doc: Document, stats: LineStats) -> tuple[list[str | None], list[str]]:
    """First pass: each line's label and the rule that gave it, from the line alone."""
    lines = doc.lines

    match = lexicon_matcher(lines)
    words = stats.n_words
    prose = stats.running_prose & (stats.ends_terminal | (words >= BODY_LONG_WORDS))
    # Ordered: the first rule that fires wins. Each entry: (mask, label, reason).
    rules = [
        (stats.blank, None, "blank line"),
        (match(AD_PHRASE), AD, "ad lexicon"),
        (match(APPEAL_HEADER), APPEAL, "appeal header"),
        (match(APPEAL_PHRASE) & ~(prose & (words > 60)), APPEAL, "appeal lexicon"),
        (match(TEASER_HEADER), TEASER, "teaser header (see also, related, ...)"),
        (match(METADATA_LINE) & (words <= 12), METADATA, "date, byline, source or credit line"),
        (match(CHROME_LINE) | (match(CHROME_PHRASE) & ~prose), CHROME, "chrome lexicon"),
        (stats.ends_ellipsis & (words >= TEASER_BLURB_MIN_WORDS), TEASER, "truncated blurb ending in …"),
        (prose, BODY, "prose: long, function words, sentence end"),
    ]
    labels: list[str | None] = [None] * len(lines)
    reasons = ["no rule fired"] * len(lines)
    decided = np.zeros(len(lines), dtype=bool)
    for mask, label, reason in rules:
        fire = mask & ~decided
        for i in np.flatnonzero(fire):
            labels[i], reasons[i] = label, reason
        decided |= fire
    return labels, reasons


def revise(labels: list[str | None], reasons: list[str], stats: LineStats) -> None:
    """Context pass (in place): decide undecided lines and fix runs from their neighbours."""
    n = len(labels)
    content = [i for i in range(n) if not stats.blank[i]]

    def neighbours(k: int) -> tuple[str | None, str | None]:
        before = labels[content[k - 1]] if k > 0 else None
        after = labels[content[k + 1]] if k + 1 < len(content) else None
        return before, after

    body_at = [i for i in content if labels[i] == BODY]
    first_body = body_at[0] if body_at else n
    # Headline: up to two title-like lines right before the first body paragraph.
    taken = 0
    for i in reversed([i for i in content if i < first_body]):
        if labels[i] is not None or taken == HEADLINE_MAX_LINES:
            break  # other boilerplate sits between the title and the body: stop there
        if HEADLINE_MIN_WORDS <= stats.n_words[i] <= HEADLINE_MAX_WORDS:
            labels[i], reasons[i] = HEADLINE, "title-like line just before the first body paragraph"
            taken += 1
    # Runs: a line whose nearest content neighbours both carry a run-forming label joins them
    # (appeal boxes hold paragraphs that read like prose; teaser lists hold short titles).
    for _ in range(APPEAL_SPREAD_ROUNDS):
        changed = False
        for k, i in enumerate(content):
            before, after = neighbours(k)
            if before == after and before in _GRAVITY_LABELS and labels[i] != before and labels[i] in (None, BODY):
                labels[i], reasons[i] = before, f"inside a run of {before} lines"
                changed = True
            elif labels[i] is None and stats.n_words[i] <= SHORT_LINE_WORDS and APPEAL in (before, after):
                labels[i], reasons[i] = APPEAL, "short option or button next to an appeal"
                changed = True
            elif labels[i] is None and before in _GRAVITY_LABELS[1:] and not stats.ends_terminal[i]:
                labels[i], reasons[i] = before, f"title-like line continuing a {before} run"
                changed = True
        if not changed:
            break
    # Undecided lines between body lines are subheads or short paragraphs; elsewhere, chrome.
    for k, i in enumerate(content):
        if labels[i] is None:
            before, after = neighbours(k)
            if before == BODY and after == BODY:
                labels[i], reasons[i] = BODY, "short line between body paragraphs"
            else:
                labels[i], reasons[i] = CHROME, "short line outside the article"


class RuleDetector(Detector):
    """Fine-grained rules over line shape, stopword density, lexicons and context. Learns nothing."""

    def explain(self, doc: Document) -> list[tuple[str | None, str]]:
        """Each line's label and the rule (reason) that decided it."""
        stats = line_stats(doc.lines)
        labels, reasons = classify(doc, stats)
        revise(labels, reasons, stats)
        return list(zip(labels, reasons))

    def predict_proba(self, doc: Document) -> np.ndarray:
        proba = np.full((len(doc.lines), N_LABELS), (1 - CONFIDENCE) / (N_LABELS - 1))
        for i, (label, _) in enumerate(self.explain(doc)):
            if label is None:
                proba[i] = 0.0
            else:
                proba[i, LABEL_INDEX[label]] = CONFIDENCE
        return proba
