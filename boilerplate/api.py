"""The public API: label and clean text or HTML with any registered detector."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress
from typing import Any

import numpy as np

from . import detectors
from .detectors import Detector
from .document import Document
from .labels import BODY, BODY_INDEX, DEFAULT_KEEP, LABEL_INDEX, LABELS, parse_label
from .lines import decode

#: Documents longer than this many lines are labeled in chunks of this size, so memory is bounded
#: by the chunk, not the document (the detectors' features take ~5-10 KB a line while labeling;
#: a 1,000,000-line page would need ~10 GB at once). No benchmark page comes near it (the
#: longest has a few thousand lines), so any real page is labeled whole, exactly as before.
CHUNK_LINES = 20_000
#: Lines of context given to a chunk on each side and then dropped from its result. The
#: detectors' neighbour windows reach a few dozen non-blank lines, so lines away from a chunk's
#: edges see the same neighbours as unchunked. Whole-document statistics (a line's position and
#: rank, the document's length and prose share, the DOM-group shares of HTML) are taken over the
#: chunk plus its context instead: the trade-off that keeps memory bounded, and why labels of a
#: chunked document can differ a little from labeling it whole.
CHUNK_CONTEXT = 1_000


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
def _cached(name: str, threshold: float | None = None) -> Detector:
    if threshold is None:
        return detectors.get(name)
    if "threshold" not in detectors.get(name).get_params():
        raise ValueError(f"detector {name!r} has no threshold (only the learned detectors have one)")
    return detectors.get(name, threshold=threshold)


def _resolve(detector: str | Detector | None, html: bool, threshold: float | None = None) -> Detector:
    if detector is None:
        detector = detectors.default_for(html=html)
    if isinstance(detector, str):
        return _cached(detector, threshold)
    if threshold is not None:
        raise ValueError("threshold applies to a detector given by name; set it on a detector "
                         "object with set_params(threshold=...)")
    return detector


def load_detector(detector: str | Detector | None = None, html: bool = False,
                  threshold: float | None = None) -> Detector:
    """The detector ``label`` would use (``None``: the default for text, or for HTML with
    ``html=True``), loaded once per process and reused. Loading before forking workers lets them
    share it. ``threshold`` sets a learned detector's P(body) threshold (a line is body at
    P(body) >= threshold); ``ValueError`` for a detector without one."""
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be in [0, 1], got {threshold}")
    return _resolve(detector, html, threshold)


def _chunk(doc: Document, start: int, stop: int) -> Document:
    cues = None if doc.cues is None else {name: values[start:stop] for name, values in doc.cues.items()}
    return Document(lines=doc.lines[start:stop], id=doc.id, cues=cues, meta=doc.meta)


def _scores(names: list[str | None], proba: np.ndarray) -> np.ndarray:
    """(n, 2): the probability of each printed label, and P(body)."""
    column = np.fromiter((LABEL_INDEX[name] if name else 0 for name in names), dtype=np.int64, count=len(names))
    return np.column_stack([proba[np.arange(len(names)), column], proba[:, BODY_INDEX]]) if len(names) \
        else np.zeros((0, 2))


def _chunked(doc: Document, predict: Callable[[Document], Any]) -> list[Any]:
    """``[predict(doc)]``, or for a document over :data:`CHUNK_LINES` lines ``predict`` of each
    chunk of :data:`CHUNK_LINES` lines with :data:`CHUNK_CONTEXT` lines of context on each side,
    each result cut to the chunk's own lines (results are sequences over a chunk's lines, or
    tuples of them)."""
    n = len(doc)
    if n <= CHUNK_LINES:
        return [predict(doc)]
    out: list = []
    for start in range(0, n, CHUNK_LINES):
        stop = min(start + CHUNK_LINES, n)
        lo, hi = max(0, start - CHUNK_CONTEXT), min(n, stop + CHUNK_CONTEXT)
        result = predict(_chunk(doc, lo, hi))
        cut = slice(start - lo, stop - lo)
        out.append(tuple(r[cut] for r in result) if isinstance(result, tuple) else result[cut])
    return out


def _predict(det: Detector, doc: Document, with_scores: bool) -> tuple[list[str | None], np.ndarray | None]:
    """Labels (and, ``with_scores``, :func:`_scores`) of every line, in chunks for long documents
    (:func:`_chunked`)."""
    def predict(part: Document) -> tuple:
        proba = det.predict_proba(part)
        names = det.labels_from_proba(part, proba)
        return (names, _scores(names, proba)) if with_scores else (names,)

    parts = _chunked(doc, predict)
    names = [name for part in parts for name in part[0]]
    return names, (np.concatenate([part[1] for part in parts]) if with_scores else None)


def document_labels(doc: Document, detector: str | Detector | None = None) -> list[str | None]:
    """The label of every line of ``doc`` (``None`` for blank lines), as :func:`label_document`
    gives them but without a :class:`LabeledLine` per line (what a stream of large documents
    needs). Documents over :data:`CHUNK_LINES` lines are labeled in overlapping chunks."""
    return _predict(_resolve(detector, html=doc.has_cues), doc, with_scores=False)[0]


def label_document(doc: Document, detector: str | Detector | None = None) -> list[LabeledLine]:
    """Label every line of a :class:`Document` (text or rendered HTML).

    Documents over :data:`CHUNK_LINES` lines are labeled in chunks with :data:`CHUNK_CONTEXT`
    lines of context on each side, so memory stays bounded (see those constants for the
    trade-off); shorter documents are labeled whole.
    """
    names, scores = _predict(_resolve(detector, html=doc.has_cues), doc, with_scores=True)
    assert scores is not None
    return [LabeledLine(line, name, 0.0 if name is None else float(score), float(p_body))
            for line, name, (score, p_body) in zip(doc.lines, names, scores)]


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


def join_lines(lines: list[str], labels: list[str | None], keep: Iterable[str] = DEFAULT_KEEP) -> str:
    """The ``lines`` whose label (``labels``, one per line) is in ``keep``, in order, joined by ``\\n``."""
    wanted = parse_keep(keep)
    return "\n".join(line for line, name in zip(lines, labels) if name in wanted)


def join_kept(labeled: list[LabeledLine], keep: Iterable[str] = DEFAULT_KEEP) -> str:
    """The text of the lines of ``labeled`` whose label is in ``keep``, in order, joined by ``\\n``."""
    wanted = parse_keep(keep)
    return "\n".join(item.text for item in labeled if item.label in wanted)


def clean(text: str | bytes, keep: Iterable[str] = DEFAULT_KEEP,
          detector: str | Detector | None = None) -> str:
    """Return the lines of ``text`` whose label is in ``keep``, unchanged, in order, joined by ``\\n``.

    Blank lines are never kept. ``keep=("body", "headline")`` keeps the title too. Lone
    surrogates in ``str`` input (``"\\ud800"``, not encodable as UTF-8) are replaced with U+FFFD
    with a warning, as undecodable bytes are.
    """
    return clean_document(to_document(text), keep, detector)


def clean_document(doc: Document, keep: Iterable[str] = DEFAULT_KEEP,
                   detector: str | Detector | None = None) -> str:
    """The lines of ``doc`` whose label is in ``keep``, in order, joined by ``\\n``: what
    :func:`clean` and :func:`clean_html` return for a document already made.

    Keeping the body alone (the default) asks the detector for its body lines only
    (``body_mask``: the same lines as its labels, for less work); other ``keep`` sets label
    every line. Documents over :data:`CHUNK_LINES` lines are done in chunks.
    """
    wanted = parse_keep(keep)  # checked before the model runs
    det = _resolve(detector, html=doc.has_cues)
    if wanted == {BODY}:
        mask = np.concatenate(_chunked(doc, det.body_mask))
        return "\n".join(compress(doc.lines, mask.tolist()))
    # the labels alone (document_labels): no score and no LabeledLine per line to build and drop
    return join_lines(doc.lines, document_labels(doc, det), wanted)


def to_document(data: str | bytes, html: bool = False, encoding: str | None = None) -> Document:
    """The :class:`Document` of one page: its lines (text), or its rendered lines with markup
    cues (``html=True``, see ``boilerplate.html.render``). ``encoding`` is the charset a page's
    transport declares (an HTTP ``Content-Type``), for HTML bytes: used when they are not valid
    UTF-8, before the page's own ``<meta charset>``."""
    if html:
        from .html import render

        return render(data, encoding=encoding)
    return Document.from_text(decode(data))


def label_html(html: str | bytes, detector: str | Detector | None = None) -> list[LabeledLine]:
    """Render HTML into lines (``boilerplate.html.render``) and label each line."""
    return label_document(to_document(html, html=True), detector)


def clean_html(html: str | bytes, keep: Iterable[str] = DEFAULT_KEEP,
               detector: str | Detector | None = None) -> str:
    """The kept lines of the rendered HTML page, joined by ``\\n``."""
    return clean_document(to_document(html, html=True), keep, detector)
