"""The extraction tools people use today, run in this process on the same pages as our detectors.

Each peer maps a page's raw HTML (bytes) to its extracted main text. A peer whose package is not
installed (``pip install 'boilerplate-lines[peers]'``) is reported as missing, not silently dropped; a
page on which a peer raises counts as an empty extraction and is counted in ``errors``.

    trafilatura       trafilatura.extract (Barbaresi 2021), default settings
    justext           jusText (Pomikalek 2011) on the HTML, stoplist of the page's language
    readability       readability-lxml (port of Arc90 Readability), summary() rendered to lines
    boilerpipe        boilerpy3 ArticleExtractor (Kohlschütter et al. 2010)
    html-text         html_text.extract_text: all visible text, no removal (a floor)
    resiliparse       Resiliparse extract_plain_text(main_content=True) (Bevendorff et al. 2018)

Published outputs of the Scrapinghub benchmark (AutoExtract, Diffbot, ...) are read from its
``published-outputs/`` folder and scored for quality only: we cannot time them.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from boilerplate.detectors.stopwords import detect_language, stopword_languages
from boilerplate.html import render

PUBLISHED = ("AutoExtract", "Diffbot", "rs_trafilatura", "go_trafilatura", "readability_js")
_WORD = re.compile(r"\w+")


def _trafilatura(html: bytes) -> str:
    import trafilatura

    return trafilatura.extract(html) or ""


def _justext(html: bytes) -> str:
    import justext

    words = [w.lower() for w in _WORD.findall(" ".join(render(html).lines))]
    lang = detect_language(words)
    stoplist = justext.get_stoplist(stopword_languages()[lang] if lang >= 0 else "English")
    return "\n".join(p.text for p in justext.justext(html, stoplist) if not p.is_boilerplate)


def _readability(html: bytes) -> str:
    from readability import Document as ReadabilityDocument

    return "\n".join(render(ReadabilityDocument(html).summary()).lines)


def _boilerpipe(html: bytes) -> str:
    from boilerpy3 import extractors

    return extractors.ArticleExtractor(raise_on_failure=False).get_content(render_str(html))


def _html_text(html: bytes) -> str:
    import html_text

    return html_text.extract_text(render_str(html))


def _resiliparse(html: bytes) -> str:
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    return extract_plain_text(HTMLTree.parse_from_bytes(html), main_content=True)


def render_str(html: bytes) -> str:
    """The page decoded the way our renderer decodes it (for peers that take ``str``)."""
    from boilerplate.html import decode_html

    return decode_html(html)


PEERS: dict[str, Callable[[bytes], str]] = {
    "trafilatura": _trafilatura, "justext": _justext, "readability": _readability,
    "boilerpipe": _boilerpipe, "html-text": _html_text, "resiliparse": _resiliparse,
}
MODULE = {"trafilatura": "trafilatura", "justext": "justext", "readability": "readability",
          "boilerpipe": "boilerpy3", "html-text": "html_text", "resiliparse": "resiliparse"}


def available(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(MODULE[name]) is not None


def guarded(name: str, errors: Counter) -> Callable[[bytes], str]:
    """Peer ``name``'s extractor, with a page on which it raises counted in ``errors[name]`` and
    extracted as empty text (a peer's failure is its result, not a crash of the benchmark)."""
    extract = PEERS[name]

    def call(html: bytes) -> str:
        try:
            return extract(html)
        except Exception:  # noqa: BLE001 - a peer failing on a page is an empty extraction, counted
            errors[name] += 1
            return ""
    return call


def run_peer(name: str, pages: Iterable[tuple[str, bytes]]) -> dict:
    """Extract every page with peer ``name``: ``{"texts": {id: text}, "seconds", "errors"}``."""
    errors: Counter = Counter()
    extract = guarded(name, errors)
    t0 = time.perf_counter()
    texts = {key: extract(html) for key, html in pages}
    return {"texts": texts, "seconds": time.perf_counter() - t0, "errors": errors[name]}


def published_outputs(scrapinghub_dir: str | Path) -> dict[str, dict[str, str]]:
    """``{system: {id: text}}`` for the published Scrapinghub outputs that are present."""
    from boilerplate.eval.corpora import load_articlebody_json

    folder = Path(scrapinghub_dir) / "published-outputs"
    return {name: load_articlebody_json(folder / f"{name}.json") for name in PUBLISHED
            if (folder / f"{name}.json").is_file()}
