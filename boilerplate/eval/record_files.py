"""Record files built from the benchmark pages, for the scaling benchmark and the stream tests.

- :func:`write_warc`: a WARC of HTTP ``response`` records holding each page's HTML, one gzip
  member per record as Common Crawl writes them (``.gz`` names), or uncompressed.
- :func:`write_text_jsonl`: a WET-like JSONL, one object per page: ``id``, ``url``, ``text``.

Records are built by ``boilerplate.streaming.records.warc_record``; reading goes through
``boilerplate.streaming.records``.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..html import render_text
from ..streaming.records import warc_record
from .corpora import Page


def _write_records(path: Path, records: Iterable[bytes]) -> int:
    compress = path.name.endswith(".gz")
    n = 0
    with open(path, "wb") as fh:
        for rec in records:
            fh.write(gzip.compress(rec, compresslevel=6, mtime=0) if compress else rec)
            n += 1
    return n


def _page_url(page, copy: int) -> str:
    url = page.url or f"https://{page.source}.invalid/{page.id}"
    return url if copy == 0 else f"{url}#copy{copy}"


def _copies(pages: list[Page], times: int) -> Iterator[tuple[int, Page]]:
    for copy in range(times):
        for page in pages:
            yield copy, page


def write_warc(path: str | Path, pages: list, times: int = 1) -> int:
    """Write ``pages`` (``boilerplate.eval.corpora.Page``) ``times`` over as WARC responses; returns the count."""
    return _write_records(Path(path), (warc_record("response", _page_url(p, c), p.html)
                                       for c, p in _copies(pages, times)))


def write_text_jsonl(path: str | Path, texts: list[tuple[str, str]], times: int = 1) -> int:
    """Write ``(url, text)`` pairs as JSONL objects ``{"id", "url", "text"}``."""
    path = Path(path)
    opener = gzip.open if path.name.endswith(".gz") else open
    n = 0
    with opener(path, "wt", encoding="utf-8") as fh:
        for c in range(times):
            for i, (url, text) in enumerate(texts):
                fh.write(json.dumps({"id": f"{c}-{i}", "url": url, "text": text}, ensure_ascii=False) + "\n")
                n += 1
    return n


def rendered_texts(pages: list) -> list[tuple[str, str]]:
    """``(url, rendered text)`` for each page: what a WET file holds for it."""
    return [(_page_url(p, 0), render_text(p.html)) for p in pages]
