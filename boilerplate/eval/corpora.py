"""Readers for the external benchmark corpora and the aligned line-level corpus built from them.

The corpora are not shipped: pass their directories (CLI options) or set
``BOILERPLATE_SCRAPINGHUB`` / ``BOILERPLATE_WCXB``. See README, "Data".

- Scrapinghub article-extraction benchmark (MIT): ``html/<id>.html.gz`` + ``ground-truth.json``.
- WCXB dev split (CC-BY-4.0, Foley 2026): ``html/<id>.html.gz`` + ``ground-truth/<id>.json``.
- Postlight (Mercury) Parser test fixtures (MIT / Apache-2.0): ``html/<id>.html.gz`` +
  ``manifest.json`` (site per page). No gold text: a pool for hand annotation and silver labels;
  its pages are unlabeled (``labels`` is ``None``) unless hand-annotated.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..document import Document
from ..html import render
from .align import align_document

SOURCES = {
    "scrapinghub": {"env": "BOILERPLATE_SCRAPINGHUB", "licence": "MIT",
                    "citation": "Zyte (Scrapinghub) article-extraction-benchmark"},
    "wcxb": {"env": "BOILERPLATE_WCXB", "licence": "CC-BY-4.0",
             "citation": "Foley (2026), WCXB: Web Content eXtraction Benchmark, dev split"},
    "postlight": {"env": "BOILERPLATE_POSTLIGHT", "licence": "MIT OR Apache-2.0",
                  "citation": "Postlight Parser test fixtures (github.com/postlight/parser)"},
}
_SECOND_LEVEL = {"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or"}


@dataclass
class Page:
    """One benchmark page: raw HTML and its gold."""

    id: str
    source: str
    html: bytes
    gold: str | None  # None: no gold text (postlight), the page is not aligned
    url: str = ""
    title: str | None = None
    page_type: str = "article"
    snippets_with: list[str] = field(default_factory=list)
    snippets_without: list[str] = field(default_factory=list)
    host: str = ""  # the page's host where there is no URL (postlight's manifest)

    @property
    def site(self) -> str:
        return site_of(self.url or (f"http://{self.host}/" if self.host else "")) or f"{self.source}-{self.id}"


def site_of(url: str) -> str:
    """The registrable domain of a URL, roughly: ``news.bbc.co.uk`` -> ``bbc.co.uk``."""
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    parts = host.split(".")
    if len(parts) >= 3 and parts[-2] in _SECOND_LEVEL and len(parts[-1]) == 2:
        return ".".join(parts[-3:])
    return ".".join(parts[-2:])


def corpus_dir(source: str, given: str | os.PathLike | None = None) -> Path:
    """The directory of a corpus: ``given``, else ``$BOILERPLATE_<SOURCE>``; a clear error if absent."""
    env = SOURCES[source]["env"]
    path = given or os.environ.get(env)
    if not path:
        raise FileNotFoundError(f"no {source} directory given: pass it or set {env}")
    path = Path(path)
    if not (path / "html").is_dir():
        raise FileNotFoundError(f"{path} does not look like the {source} corpus (no html/ directory)")
    return path


def iter_scrapinghub(directory: str | os.PathLike) -> Iterator[Page]:
    root = corpus_dir("scrapinghub", directory)
    gold = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    for pid in sorted(gold):
        yield Page(id=pid, source="scrapinghub", html=gzip.decompress((root / "html" / f"{pid}.html.gz").read_bytes()),
                   gold=gold[pid].get("articleBody") or "", url=gold[pid].get("url") or "")


def read_wcxb_truth(path: str | os.PathLike) -> dict[str, Any]:
    """One WCXB ``ground-truth/<id>.json`` file as ``{main_content, with, without, page_type, url,
    title}``; missing keys read as "" / [] / "unknown" / "" / None."""
    record = json.loads(Path(path).read_text(encoding="utf-8"))
    truth = record.get("ground_truth") or {}
    return {"main_content": truth.get("main_content") or "", "with": list(truth.get("with") or []),
            "without": list(truth.get("without") or []),
            "page_type": ((record.get("_internal") or {}).get("page_type") or {}).get("primary") or "unknown",
            "url": record.get("url") or "", "title": truth.get("title")}


def iter_wcxb(directory: str | os.PathLike) -> Iterator[Page]:
    root = corpus_dir("wcxb", directory)
    for path in sorted((root / "ground-truth").glob("*.json")):
        truth = read_wcxb_truth(path)
        pid = path.stem
        yield Page(id=pid, source="wcxb", html=gzip.decompress((root / "html" / f"{pid}.html.gz").read_bytes()),
                   gold=truth["main_content"], url=truth["url"], title=truth["title"],
                   page_type=truth["page_type"], snippets_with=truth["with"], snippets_without=truth["without"])


def iter_postlight(directory: str | os.PathLike) -> Iterator[Page]:
    root = corpus_dir("postlight", directory)
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    for pid in sorted(manifest):
        yield Page(id=pid, source="postlight", html=gzip.decompress((root / "html" / f"{pid}.html.gz").read_bytes()),
                   gold=None, host=manifest[pid].get("site") or "")


def load_articlebody_json(path: str | Path) -> dict[str, str]:
    """Read ``{id: {"articleBody": str}}`` (optionally wrapped in ``{"version", "output"}``).

    A null or missing ``articleBody`` reads as ``""``.
    """
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    # Newer published outputs wrap the mapping; a page id is never called "output".
    if isinstance(data, dict) and isinstance(data.get("output"), dict):
        data = data["output"]
    out: dict[str, str] = {}
    for key, item in data.items():
        body = item.get("articleBody") if isinstance(item, dict) else item
        out[key] = body if isinstance(body, str) else ""
    return out


def iter_pages(source: str, directory: str | os.PathLike) -> Iterator[Page]:
    return {"scrapinghub": iter_scrapinghub, "wcxb": iter_wcxb, "postlight": iter_postlight}[source](directory)


def page_document(page: Page) -> Document:
    """Render a page and label its lines by alignment with the gold text, with provenance."""
    doc = render(page.html, id=page.id)
    title = page.title or doc.meta.get("title")
    if page.gold is None:  # no gold text: unlabeled until hand-annotated
        provenance = {"labeler": None, "method": "unlabeled (no gold text)"}
    else:
        doc = align_document(doc, page.gold, title)
        provenance = {"labeler": "alignment", "method": "body = lines whose tokens lie in the "
                      "benchmark's human gold main text (boilerplate.align); headline = page "
                      "title; other = not body, kind unknown"}
    doc.meta.update(source=page.source, url=page.url or None, site=page.site, page_type=page.page_type,
                    licence=SOURCES[page.source]["licence"], provenance=provenance)
    return doc
