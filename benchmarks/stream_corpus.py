"""Record files built from the benchmark pages, for the scaling benchmark and the stream tests.

- :func:`write_warc`: a WARC of HTTP ``response`` records holding each page's HTML, one gzip
  member per record as Common Crawl writes them (``.gz`` names), or uncompressed.
- :func:`write_text_jsonl`: a WET-like JSONL, one object per page: ``id``, ``url``, ``text``.

WARC records are written here with a few lines of code rather than a library so the tests can also
write broken ones (wrong lengths, cut files); reading goes through ``boilerplate.records``.
"""

from __future__ import annotations

import gzip
import json
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

WARC_DATE = "2026-11-23T00:00:00Z"


def warc_record(warc_type: str, url: str, payload: bytes, content_type: str = "text/html; charset=utf-8",
                record_id: str | None = None, declared_length: int | None = None) -> bytes:
    """One WARC/1.0 record. ``response`` records wrap ``payload`` in an HTTP 200 response with
    ``content_type``; ``conversion`` records hold it as is. ``declared_length`` overrides the
    Content-Length header (to write a record that lies about its size)."""
    if warc_type == "response":
        block = (f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n"
                 f"Content-Length: {len(payload)}\r\n\r\n").encode() + payload
        block_type = "application/http; msgtype=response"
    else:
        block, block_type = payload, "text/plain"
    rid = record_id or f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, warc_type + url)}>"
    length = len(block) if declared_length is None else declared_length
    head = (f"WARC/1.0\r\nWARC-Type: {warc_type}\r\nWARC-Record-ID: {rid}\r\nWARC-Date: {WARC_DATE}\r\n"
            f"WARC-Target-URI: {url}\r\nContent-Type: {block_type}\r\nContent-Length: {length}\r\n\r\n")
    return head.encode() + block + b"\r\n\r\n"


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


def _copies(pages: list, times: int) -> Iterator[tuple[int, object]]:
    for copy in range(times):
        for page in pages:
            yield copy, page


def write_warc(path: str | Path, pages: list, times: int = 1) -> int:
    """Write ``pages`` (``boilerplate.corpora.Page``) ``times`` over as WARC responses; returns the count."""
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
    from boilerplate.html import render_text

    return [(_page_url(p, 0), render_text(p.html)) for p in pages]
