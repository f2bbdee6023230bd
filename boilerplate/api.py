"""The public API: label and clean text or HTML with any registered detector."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import detectors
from .detectors import Detector
from .document import Document
from .labels import BODY_INDEX, DEFAULT_KEEP, LABEL_INDEX, LABELS, parse_label
from .lines import decode


@dataclass(frozen=True)
class LabeledLine:
    """One input line with its label (``None`` for blank lines).

    ``score`` is the detector's probability of the printed label (0 on blank lines); ``p_body``
    its probability that the line is article body, whatever the label (so a threshold other than
    the detector's own can be applied afterwards).
    """

    text: str
    label: str | None
    score: float
    p_body: float = 0.0


@lru_cache(maxsize=16)
def _cached(name: str) -> Detector:
    return detectors.get(name)


def _resolve(detector: str | Detector | None, html: bool) -> Detector:
    if detector is None:
        detector = detectors.default_for(html=html)
    return _cached(detector) if isinstance(detector, str) else detector


def label_document(doc: Document, detector: str | Detector | None = None) -> list[LabeledLine]:
    """Label every line of a :class:`Document` (text or rendered HTML)."""
    det = _resolve(detector, html=doc.has_cues)
    proba = det.predict_proba(doc)
    names = det.labels_from_proba(doc, proba)
    column = np.fromiter((LABEL_INDEX[name] if name else 0 for name in names), dtype=np.int64, count=len(names))
    scores = proba[np.arange(len(names)), column] if len(names) else np.zeros(0)
    return [LabeledLine(line, name, 0.0 if name is None else float(score), float(p_body))
            for line, name, score, p_body in zip(doc.lines, names, scores, proba[:, BODY_INDEX])]


def label(text: str | bytes, detector: str | Detector | None = None) -> list[LabeledLine]:
    """Label every line of plain text: one :class:`LabeledLine` per input line, in order.

    Bytes are decoded as UTF-8 with undecodable bytes replaced (a warning says so).
    """
    return label_document(to_document(text), detector)


def parse_keep(keep: Iterable[str]) -> frozenset[str]:
    """The canonical label names in ``keep`` (one name or several); ``ValueError`` naming the
    valid labels if one is unknown or none is given."""
    if isinstance(keep, str):
        keep = (keep,)
    names = frozenset(parse_label(k) for k in keep)
    if not names:
        raise ValueError(f"keep must name at least one label of {', '.join(LABELS)}")
    return names


def join_kept(labeled: list[LabeledLine], keep: Iterable[str] = DEFAULT_KEEP) -> str:
    """The text of the lines of ``labeled`` whose label is in ``keep``, in order, joined by ``\\n``."""
    wanted = parse_keep(keep)
    return "\n".join(item.text for item in labeled if item.label in wanted)


def clean(text: str | bytes, keep: Iterable[str] = DEFAULT_KEEP,
          detector: str | Detector | None = None) -> str:
    """Return the lines of ``text`` whose label is in ``keep``, unchanged, in order, joined by ``\\n``.

    Blank lines are never kept. ``keep=("body", "headline")`` keeps the title too.
    """
    return join_kept(label(text, detector), keep)


def to_document(data: str | bytes, html: bool = False) -> Document:
    """The :class:`Document` of one page: its lines (text), or its rendered lines with markup
    cues (``html=True``, see ``boilerplate.html.render``)."""
    if html:
        from .html import render

        return render(data)
    return Document.from_text(decode(data))


def label_html(html: str | bytes, detector: str | Detector | None = None) -> list[LabeledLine]:
    """Render HTML into lines (``boilerplate.html.render``) and label each line."""
    return label_document(to_document(html, html=True), detector)


def clean_html(html: str | bytes, keep: Iterable[str] = DEFAULT_KEEP,
               detector: str | Detector | None = None) -> str:
    """The kept lines of the rendered HTML page, joined by ``\\n``."""
    return join_kept(label_html(html, detector), keep)
