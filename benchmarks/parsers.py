"""Which HTML parser the renderer should stand on: parse and tree-visit costs, measured (issue 16).

    python -m benchmarks.parsers --scrapinghub DIR [--pages 181] [--repeats 3] [--out results/parsers.json]

On the Scrapinghub pages (raw bytes), times in one process, interleaved by
``benchmarks.speed.interleaved``, min and median of ``--repeats``:

* ``trafilatura.extract`` (the ratio's reference) and ``boilerplate.html.render`` (what ships:
  decoding, libxml2's parse and the renderer's walk, with its cues);
* for each parser, on the page decoded to UTF-8 beforehand (``boilerplate.html.decode_html``, not
  timed: ``render``'s row alone includes decoding), its parse alone and its parse plus the least
  visit a renderer makes: every node in document order, each element's tag and attributes, each
  text:

  - **lxml** (libxml2's HTML parser, the renderer's now, with its options, ``boilerplate.html.PARSER_OPTIONS``):
    ``etree.iterwalk`` start and end events,
    ``tag``, ``keys()``, ``text`` and ``tail``;
  - **lexbor** through selectolax (``LexborHTMLParser``; skipped when selectolax is not
    installed): ``traverse(include_text=True)``, ``tag``, ``attributes``, ``text_content``;
  - **Resiliparse**'s lexbor DOM (``HTMLTree``): ``traverse_dom`` with a start and an end callback,
    ``tag``, ``attrs``, ``text``.

Each row prints ms a page and pages/s as a multiple of trafilatura's. The visit rows are a floor
for a renderer in Python on that parser: the walk's own work (lines, hidden elements, cues) comes
on top, the same on any parser.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from boilerplate.eval.corpora import iter_pages
from boilerplate.html import PARSER_OPTIONS, decode_html, render

from .peers import PEERS
from .speed import interleaved

ROOT = Path(__file__).resolve().parents[1]


#: One parser with the renderer's options, made once, as the renderer keeps one per thread.
_LXML_PARSER = etree.HTMLParser(**PARSER_OPTIONS)


def _lxml_parse(data: bytes):
    return etree.fromstring(data, _LXML_PARSER)


def lxml_visit(data: bytes) -> tuple[int, int, int]:
    """Parse with libxml2 and visit every node: the elements, their attributes and the
    characters of visible text (element text and tails; not comments)."""
    root = _lxml_parse(data)
    elements = attributes = chars = 0
    for event, el in etree.iterwalk(root, events=("start", "end")) if root is not None else ():
        element = el.tag.__class__ is str
        if event == "start" and element:
            elements += 1
            attributes += len(el.keys())
            chars += len(el.text or "")
        elif event == "end":
            chars += len(el.tail or "")
    return elements, attributes, chars


def _lexbor_parse(data: bytes):
    from selectolax.lexbor import LexborHTMLParser

    return LexborHTMLParser(data)


def lexbor_visit(data: bytes) -> tuple[int, int, int]:
    """Parse with lexbor (selectolax) and visit every node: elements, attributes and text characters,
    as :func:`lxml_visit`."""
    elements = attributes = chars = 0
    root = _lexbor_parse(data).root
    for node in root.traverse(include_text=True) if root is not None else ():
        tag = node.tag
        if tag == "-text":
            chars += len(node.text_content or "")
        elif not tag.startswith("-"):  # comments are "-comment"
            elements += 1
            attributes += len(node.attributes)
    return elements, attributes, chars


def _resiliparse_parse(data: bytes):
    from resiliparse.parse.html import HTMLTree

    return HTMLTree.parse_from_bytes(data, "utf-8")


def resiliparse_visit(data: bytes) -> tuple[int, int, int]:
    """Parse with Resiliparse's lexbor DOM and visit every node through its ``traverse_dom``
    callbacks: elements, attributes and text characters, as :func:`lxml_visit`."""
    from resiliparse.parse.html import NodeType, traverse_dom

    count = [0, 0, 0]

    def start(ctx) -> None:
        node = ctx.node
        if node.type == NodeType.ELEMENT:
            count[0] += bool(node.tag)
            count[1] += len(node.attrs)
        elif node.type == NodeType.TEXT:
            count[2] += len(node.text or "")

    traverse_dom(_resiliparse_parse(data).document, start, lambda ctx: None, elements_only=False)
    return count[0], count[1], count[2]


def contenders(with_trafilatura: bool = True) -> dict[str, Callable[[bytes], object]]:
    """The timed calls, by row name (lexbor's only when selectolax is installed)."""
    out: dict[str, Callable[[bytes], object]] = {}
    if with_trafilatura:
        out["trafilatura.extract"] = PEERS["trafilatura"]
    out.update({"boilerplate render": render, "lxml parse": _lxml_parse, "lxml parse + visit": lxml_visit,
                "resiliparse parse": _resiliparse_parse, "resiliparse parse + visit": resiliparse_visit})
    try:
        import selectolax.lexbor  # noqa: F401
    except ImportError:
        print("selectolax is not installed: no lexbor rows", file=sys.stderr)
    else:
        out.update({"lexbor parse": _lexbor_parse, "lexbor parse + visit": lexbor_visit})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scrapinghub", default=os.environ.get("BOILERPLATE_SCRAPINGHUB"))
    parser.add_argument("--pages", type=int, default=181)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "parsers.json")
    args = parser.parse_args(argv)
    if not args.scrapinghub:
        parser.error("--scrapinghub (or BOILERPLATE_SCRAPINGHUB) is required")
    pages = []
    for page in iter_pages("scrapinghub", args.scrapinghub):
        if len(pages) == args.pages:
            break
        # decoded once, outside the timers, as render decodes (the public decode_html): every
        # parser then reads the same UTF-8 bytes, and render alone pays for decoding
        raw = page.html if isinstance(page.html, bytes) else page.html.encode("utf-8")
        pages.append((raw, decode_html(raw).encode("utf-8")))
    calls = contenders()
    # trafilatura and render take the page's own bytes; the parsers its UTF-8 text
    raw_calls = {"trafilatura.extract", "boilerplate render"}
    wrapped = {name: (lambda pair, fn=fn, raw=name in raw_calls: fn(pair[0] if raw else pair[1]))
               for name, fn in calls.items()}
    times = interleaved(wrapped, pages, args.repeats)
    reference = times["trafilatura.extract"]["min_s"]
    print(f"{len(pages)} Scrapinghub pages, min and median of {args.repeats} interleaved repetitions")
    print(f"{'':28s} {'ms/page min':>12s} {'median':>8s} {'x trafilatura':>14s}")
    for name, t in times.items():
        t["ms_per_page_min"] = 1e3 * t["min_s"] / len(pages)
        t["x_trafilatura"] = reference / t["min_s"]
        print(f"{name:28s} {t['ms_per_page_min']:12.3f} {1e3 * t['median_s'] / len(pages):8.3f} "
              f"{t['x_trafilatura']:14.2f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"pages": len(pages), "repeats": args.repeats, "times": times}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
