"""The line-level dataset: one reader, one writer, one validator.

Format (JSON Lines, one document per line)::

    {"id": "...", "source": "seed", "url": null,
     "lines": ["...", ...],            # the page's lines, exactly (text) or as rendered (HTML)
     "labels": ["body", null, ...],    # one per line; null exactly on blank lines
     "provenance": {"labeler": "...", "method": "hand" | "alignment" | ...},
     "meta": {...},                    # optional: site, page_type, licence, body_fraction, ...
     "cues": {...}}                    # optional: per-line markup cues (HTML-rendered pages)

Blank (whitespace-only) lines carry no label: they separate blocks but are neither body nor
boilerplate, and ``clean`` never emits them.

Stand-off annotations keep labels for text that may not be committed (third-party pages): one
JSON object per document, ``{"id", "n_lines", "annotator", "labels": [[index, hash, label], ...]}``
where ``hash`` is :func:`line_hash` of the line's text. :func:`join_standoff` puts them back on
freshly rendered lines and fails loudly when the text has drifted.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ..document import CUE_FIELDS, Document
from ..labels import GOLD_LABELS
from ..lines import is_blank
from ..streaming.records import atomic_output

PathLike = str | os.PathLike
_NUMERIC_CUES = ("depth", "link_ratio", "position")


class DatasetError(ValueError):
    """A dataset or annotation file is malformed; the message names file and line."""


class StandoffDriftError(DatasetError):
    """Stand-off labels no longer match the text they are joined with."""


def line_hash(text: str) -> str:
    """Short, stable fingerprint of a line's text (SHA-256 of UTF-8, 12 hex digits)."""
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()[:12]


def validate(doc: Document) -> None:
    """Raise ``ValueError`` unless labels and cues fit the lines (one per line, null iff blank)."""
    n = len(doc.lines)
    if not all(isinstance(line, str) for line in doc.lines):
        raise ValueError("lines must be strings")
    broken = next((i for i, line in enumerate(doc.lines) if "\n" in line or "\r" in line), None)
    if broken is not None:
        raise ValueError(f"line {broken} holds a line break: each line must be a single line")
    if doc.labels is not None:
        if len(doc.labels) != n:
            raise ValueError(f"{len(doc.labels)} labels for {n} lines")
        for i, (line, lab) in enumerate(zip(doc.lines, doc.labels)):
            if lab is None:
                if not is_blank(line):
                    raise ValueError(f"line {i} is not blank but has no label: {line[:60]!r}")
            elif lab not in GOLD_LABELS:
                raise ValueError(f"line {i}: unknown label {lab!r}")
            elif is_blank(line):
                raise ValueError(f"line {i} is blank but labeled {lab!r}")
    if doc.cues is not None:
        for key in CUE_FIELDS:
            if key not in doc.cues or len(doc.cues[key]) != n:
                raise ValueError(f"cue {key!r} missing or not one per line")


def _to_record(doc: Document) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": doc.id,
        "source": doc.meta.get("source", ""),
        "url": doc.meta.get("url"),
        "lines": doc.lines,
        "labels": doc.labels,
        "provenance": doc.meta.get("provenance", {}),
        "meta": {k: v for k, v in doc.meta.items() if k not in ("source", "url", "provenance")},
    }
    if doc.cues is not None:
        record["cues"] = {k: (np.asarray(v).tolist() if k in _NUMERIC_CUES else list(v))
                          for k, v in doc.cues.items()}
    return record


def _from_record(record: Any) -> Document:
    if not isinstance(record, dict):
        raise ValueError("a document must be a JSON object")
    for key in ("id", "lines"):
        if key not in record:
            raise ValueError(f"missing field {key!r}")
    meta = dict(record.get("meta") or {})
    meta.update(source=record.get("source", ""), url=record.get("url"),
                provenance=record.get("provenance", {}))
    cues = record.get("cues")
    if cues is not None:
        cues = {k: (np.asarray(v, dtype=np.float64) if k in _NUMERIC_CUES else list(v))
                for k, v in cues.items()}
    doc = Document(lines=list(record["lines"]), id=str(record["id"]),
                   labels=record.get("labels"), cues=cues, meta=meta)
    validate(doc)
    return doc


def read_jsonl(path: PathLike) -> Iterator[Document]:
    """Yield the documents of a dataset file, validating each.

    Raises :class:`DatasetError` naming ``file:line`` on bad JSON, unknown labels, label/line
    count mismatches and bytes that are not UTF-8.
    """
    path = Path(path)
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise DatasetError(f"{path}:{lineno}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
            if not text.strip():
                continue
            try:
                record = json.loads(text)
            except json.JSONDecodeError as exc:
                raise DatasetError(f"{path}:{lineno}: bad JSON: {exc.msg} (column {exc.colno})") from None
            try:
                yield _from_record(record)
            except (ValueError, TypeError) as exc:
                raise DatasetError(f"{path}:{lineno}: document {record.get('id', '?')!r}: {exc}") \
                    from None


def write_jsonl(docs: Iterable[Document], path: PathLike) -> int:
    """Write documents (validated) to ``path`` atomically; return how many were written.

    An invalid document raises :class:`DatasetError` and leaves ``path`` as it was."""
    n = 0
    with atomic_output(path) as fh:
        for doc in docs:
            try:
                validate(doc)
            except ValueError as exc:
                raise DatasetError(f"document {doc.id!r}: {exc}") from None
            fh.write(json.dumps(_to_record(doc), ensure_ascii=False, sort_keys=True) + "\n")
            n += 1
    return n


# --- stand-off annotations -------------------------------------------------------------------

def to_standoff(doc: Document, annotator: str) -> dict[str, Any]:
    """The stand-off record of a labeled document: labels and line hashes, no text."""
    validate(doc)
    if doc.labels is None:
        raise ValueError(f"document {doc.id!r} has no labels")
    rows = [[i, line_hash(line), lab] for i, (line, lab) in enumerate(zip(doc.lines, doc.labels))
            if lab is not None]
    return {"id": doc.id, "n_lines": len(doc.lines), "annotator": annotator, "labels": rows}


def read_standoff(path: PathLike) -> dict[str, dict[str, Any]]:
    """Read a stand-off file into ``{document id: record}``; errors name ``file:line``."""
    path = Path(path)
    out: dict[str, dict[str, Any]] = {}
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw.decode("utf-8"))
                doc_id, rows = str(record["id"]), record["labels"]
                int(record["n_lines"])
                for row in rows:
                    index, digest, lab = row
                    if lab not in GOLD_LABELS:
                        raise ValueError(f"unknown label {lab!r}")
                    if not isinstance(index, int) or not isinstance(digest, str):
                        raise ValueError(f"bad row {row!r}")
            except UnicodeDecodeError:
                raise DatasetError(f"{path}:{lineno}: not UTF-8") from None
            except json.JSONDecodeError as exc:
                raise DatasetError(f"{path}:{lineno}: bad JSON: {exc.msg}") from None
            except (KeyError, TypeError, ValueError) as exc:
                raise DatasetError(f"{path}:{lineno}: bad stand-off record: {exc}") from None
            if doc_id in out:
                raise DatasetError(f"{path}:{lineno}: document {doc_id!r} annotated twice")
            out[doc_id] = record
    return out


def write_standoff(records: Iterable[dict[str, Any]], path: PathLike) -> None:
    """Write stand-off records, one per line, sorted by id for stable diffs."""
    with atomic_output(path) as fh:
        fh.writelines(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
                      for record in sorted(records, key=lambda r: r["id"]))


def join_standoff(doc: Document, record: dict[str, Any]) -> Document:
    """Return ``doc`` labeled from a stand-off record; raise :class:`StandoffDriftError` on drift.

    Drift is any change of line count, a hash that does not match the line at its index, or a
    non-blank line left without a label: each means the renderer changed since annotation.
    """
    if record["n_lines"] != len(doc.lines):
        raise StandoffDriftError(
            f"document {doc.id!r}: annotated with {record['n_lines']} lines, rendered with "
            f"{len(doc.lines)}; the renderer has changed since annotation")
    labels: list[str | None] = [None] * len(doc.lines)
    for index, digest, lab in record["labels"]:
        if not 0 <= index < len(doc.lines) or line_hash(doc.lines[index]) != digest:
            text = doc.lines[index][:60] if 0 <= index < len(doc.lines) else "<out of range>"
            raise StandoffDriftError(f"document {doc.id!r}, line {index}: text hash mismatch "
                                     f"(now {text!r}); the renderer has changed since annotation")
        labels[index] = lab
    for i, line in enumerate(doc.lines):
        if labels[i] is None and not is_blank(line):
            raise StandoffDriftError(f"document {doc.id!r}, line {i}: non-blank line has no label")
    meta = dict(doc.meta)
    meta["annotator"] = record.get("annotator")
    return Document(lines=doc.lines, id=doc.id, labels=labels, cues=doc.cues, meta=meta)
