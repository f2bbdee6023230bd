"""``rules``: a fine-grained rule-based detector.

A short pipeline of plain functions, in jusText's shape: compute line statistics, match named
lexicons, classify each line by the first rule that fires, then revise with context. Each rule is
a few lines with its thresholds as named constants beside it and a reason string, so
``RuleDetector().explain(doc)`` can say why a line got its label.
"""

from __future__ import annotations

import re

import numpy as np

from .detectors import Detector, register
from .document import Document
from .features import LineStats, line_array, line_stats
from .labels import LABEL_INDEX, N_LABELS

# --- lexicons: one compiled pattern each, matched once over the whole document ---------------
# Whole-line patterns are anchored with ^...$ (re.M); phrase patterns match anywhere in a line.
# Whitespace is written [^\S\n] so that no match runs across a line end.

CHROME_LINE = re.compile(
    r"^[^\S\n]*(?:[×✕✖x]|close|menu|home|search|read more|more|show more|load more|share|tweet|print|"
    r"e-?mail|comments?|\d+ comments?|log ?in|sign in|log out|next|previous|prev|back|back to top|"
    r"skip to (?:main )?content|top|loading\.*|reply|like|follow us|share this(?: article)?|"
    r"copy link|toggle navigation|open menu|accept(?: all)?(?: cookies)?|ok|got it)[^\S\n]*[:.!›»>]?[^\S\n]*$",
    re.MULTILINE)
CHROME_PHRASE = re.compile(
    r"all rights reserved|©|\bcopyright\b|privacy policy|terms of (?:use|service)|cookie policy|"
    r"we use cookies|share on (?:facebook|twitter|x|linkedin|whatsapp)|follow us on|"
    r"skip to content|click here", )
AD_PHRASE = re.compile(
    r"^[^\S\n]*(?:advertisement|advertising|sponsored|sponsored content|promoted|paid content|ad|ads)[^\S\n]*$|"
    r"ad-free|\b(?:disabled|block(?:ing)?|turn off|disable) (?:all |your )?ads?\b|ad ?blocker|"
    r"\bsponsored by\b|\badvertis(?:e|ing) with us\b|story continues below (?:this )?advertisement",
    re.MULTILINE)
APPEAL_PHRASE = re.compile(
    r"\bsupport us\b|\bdonat(?:e|ion|ions|ing)\b|\bsubscri(?:be|ber|bers|ption|ptions)\b|"
    r"\bnewsletters?\b|\bsign[ -]?up\b|\byour support\b|\bsupport (?:independent|our) journalism\b|"
    r"\bindependent journalism\b|\b(?:your|every|a small|monthly|one-time) contributions?\b|\bbecome a (?:member|patron|supporter)\b|"
    r"\bmembership\b|\bremind me later\b|\bnot ready to support\b|\bwe need your help\b|"
    r"\bdaily email\b|\bfree trial\b|\bunlimited access\b|\balready a (?:subscriber|member)\b|"
    r"\bregister (?:now|for free)\b|\bdear readers?\b|\bdownload (?:our|the) app\b|"
    r"\bsupporting\b.{0,40}\b(?:journalism|us)\b|\bthank you for (?:reading|standing|supporting)\b",
    )
APPEAL_HEADER = re.compile(r"^[^\S\n]*(?:a (?:message|note) from\b.*|dear readers?,?)[^\S\n]*$", re.MULTILINE)
METADATA_LINE = re.compile(
    r"^[^\S\n]*(?:"
    r"(?:(?:updated|published|posted|last updated|modified)(?::|[^\S\n])+)?"  # optional lead word
    r"(?:\w+,?[^\S\n]+)?(?:\d{1,2}(?:st|nd|rd|th)?[^\S\n]+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)"
    r"[a-z]*\.?,?[^\S\n]+\d{4}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?[^\S\n]+\d{1,2}"
    r"(?:st|nd|rd|th)?,?[^\S\n]+\d{4}|\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{2,4})"
    r"(?:(?:,|[^\S\n])+(?:at[^\S\n]+)?\d{1,2}:\d{2}(?:[^\S\n]*[ap]\.?m\.?)?(?:[^\S\n]*[a-z]{2,5}(?:[+-]\d{1,2})?)?)?"
    r"|by[^\S\n]+\w[\w.'-]+(?:[^\S\n]+\w[\w.'-]+){0,3}(?:[^\S\n]*(?:and|,|&)[^\S\n]*\w[\w.'-]+(?:[^\S\n]+\w[\w.'-]+){0,3})*"
    r"|\(?[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|co\.uk|ru|de|fr|io|info|news|tv)\)?"
    r"|\d+[^\S\n]*min(?:ute)?s?[^\S\n]+read|(?:photo|image|credit|source)s?:.{0,60}"
    r")[^\S\n]*\.?[^\S\n]*$", re.MULTILINE)
TEASER_HEADER = re.compile(
    r"^[^\S\n]*(?:see also|related(?: articles| stories| posts| news| content| coverage)?|read also|also read|"
    r"read next|more from [\w .]+|more stories|more news|recommended(?: for you)?|you may also like|"
    r"you might also like|most read|most popular|popular(?: now| stories)?|trending(?: now)?|"
    r"latest(?: news| stories)?|top stories|editor'?s picks?|what to read next)[^\S\n]*[:.]?[^\S\n]*$",
    re.MULTILINE)

# --- thresholds ----------------------------------------------------------------------------
BODY_MIN_WORDS = 10  # a body paragraph is a sentence or more; shorter lines need context
BODY_MIN_STOP_RATIO = 0.2  # running prose has function words; menus and headline lists have few
BODY_LONG_WORDS = 25  # long enough to be prose even without a final punctuation mark
HEADLINE_MIN_WORDS, HEADLINE_MAX_WORDS = 3, 40  # a title or a one-sentence standfirst
HEADLINE_MAX_LINES = 2  # the title and its dek
TEASER_BLURB_MIN_WORDS = 6  # a truncated "…" blurb of another story
SHORT_LINE_WORDS = 4  # button, menu item, option
APPEAL_SPREAD_ROUNDS = 20  # bound on the context passes (a run spreads one line per round)
CONFIDENCE = 0.9  # probability mass put on the chosen label; the rest spread evenly

_GRAVITY_LABELS = ("appeal", "teaser")  # boilerplate kinds that come in runs


LEXICON_MAX_CHARS = 1000  # lexicons decide short lines; a long line is judged on its first 1000 chars


def _matching_lines(pattern: re.Pattern, text: str, starts: np.ndarray) -> np.ndarray:
    """Boolean array over lines: True where ``pattern`` matches (one pass over the document)."""
    hits = np.zeros(len(starts), dtype=bool)
    positions = [m.start() for m in pattern.finditer(text)]
    if positions:
        hits[np.searchsorted(starts, positions, side="right") - 1] = True
    return hits


def lexicon_matcher(lines: list[str]):
    """A function pattern -> boolean array over ``lines``: True where the lexicon matches.

    Lexicons are written in lower case and run over the lower-cased, length-capped lines joined
    into one text: one regex pass per lexicon over the whole document (case-insensitive matching
    is ~4x slower).
    """
    capped = np.strings.lower(np.strings.slice(line_array(lines), 0, LEXICON_MAX_CHARS)).tolist()
    text = "\n".join(capped)
    lengths = np.fromiter((len(s) + 1 for s in capped), dtype=np.int64, count=len(capped))
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])) if len(lines) else np.zeros(0, np.int64)
    return lambda pattern: _matching_lines(pattern, text, starts)


def classify(doc: Document, stats: LineStats) -> tuple[list[str | None], list[str]]:
    """First pass: each line's label and the rule that gave it, from the line alone."""
    lines = doc.lines

    hits = lexicon_matcher(lines)

    def match(p: re.Pattern) -> np.ndarray:
        return hits(p)

    words, stop = stats.n_words, stats.stop_ratio
    prose = (words >= BODY_MIN_WORDS) & (stop >= BODY_MIN_STOP_RATIO) & (stats.ends_terminal | (words >= BODY_LONG_WORDS))
    # Ordered: the first rule that fires wins. Each entry: (mask, label, reason).
    rules = [
        (stats.blank, None, "blank line"),
        (match(AD_PHRASE), "ad", "ad lexicon"),
        (match(APPEAL_HEADER), "appeal", "appeal header"),
        (match(APPEAL_PHRASE) & ~(prose & (words > 60)), "appeal", "appeal lexicon"),
        (match(TEASER_HEADER), "teaser", "teaser header (see also, related, ...)"),
        (match(METADATA_LINE) & (words <= 12), "metadata", "date, byline, source or credit line"),
        (match(CHROME_LINE) | (match(CHROME_PHRASE) & ~prose), "chrome", "chrome lexicon"),
        (stats.ends_ellipsis & (words >= TEASER_BLURB_MIN_WORDS), "teaser", "truncated blurb ending in …"),
        (prose, "body", "prose: long, function words, sentence end"),
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

    body_at = [i for i in content if labels[i] == "body"]
    first_body = body_at[0] if body_at else n
    # Headline: up to two title-like lines right before the first body paragraph.
    taken = 0
    for i in reversed([i for i in content if i < first_body]):
        if labels[i] is not None or taken == HEADLINE_MAX_LINES:
            break  # other boilerplate sits between the title and the body: stop there
        if HEADLINE_MIN_WORDS <= stats.n_words[i] <= HEADLINE_MAX_WORDS:
            labels[i], reasons[i] = "headline", "title-like line just before the first body paragraph"
            taken += 1
    # Runs: a line whose nearest content neighbours both carry a run-forming label joins them
    # (appeal boxes hold paragraphs that read like prose; teaser lists hold short titles).
    for _ in range(APPEAL_SPREAD_ROUNDS):
        changed = False
        for k, i in enumerate(content):
            before, after = neighbours(k)
            if before == after and before in _GRAVITY_LABELS and labels[i] != before and labels[i] in (None, "body"):
                labels[i], reasons[i] = before, f"inside a run of {before} lines"
                changed = True
            elif labels[i] is None and stats.n_words[i] <= SHORT_LINE_WORDS and "appeal" in (before, after):
                labels[i], reasons[i] = "appeal", "short option or button next to an appeal"
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
            if before == "body" and after == "body":
                labels[i], reasons[i] = "body", "short line between body paragraphs"
            else:
                labels[i], reasons[i] = "chrome", "short line outside the article"


@register("rules")
class RuleDetector(Detector):
    """Fine-grained rules over line shape, stopword density, lexicons and context. Learns nothing."""

    def fit(self, documents=None) -> RuleDetector:
        return self

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
