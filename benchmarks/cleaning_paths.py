"""Body-only cleaning with ``body_mask`` against labeling every line, in one process, interleaved.

    python -m benchmarks.cleaning_paths --scrapinghub DIR [--repeats 5]

``api.clean_document`` with the default ``keep=("body",)`` asks the detector for its body lines
(``Detector.body_mask``; the learned detectors skip their kind model); the other path labels every
line (``api.document_labels``) and joins the body lines, as ``clean`` did before. Both give the
same text (tested in ``tests/test_api.py``). Each repetition runs the four contenders in turn
(text and HTML, each path) over the Scrapinghub pages (text: their rendered text, rendered
beforehand; HTML: rendering inside both paths alike); the minimum and median seconds are printed, and the ratio of the
minimums. One core (``OMP_NUM_THREADS=1``), public API only.
"""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("OMP_NUM_THREADS", "1")

from boilerplate import api  # noqa: E402
from boilerplate.eval.corpora import iter_pages  # noqa: E402
from boilerplate.html import render_text  # noqa: E402

from .speed import interleaved  # noqa: E402


def _labels_path(doc) -> str:
    return api.join_lines(doc.lines, api.document_labels(doc), ("body",))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scrapinghub", default=os.environ.get("BOILERPLATE_SCRAPINGHUB"), required=False)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    if not args.scrapinghub:
        parser.error("--scrapinghub DIR (or $BOILERPLATE_SCRAPINGHUB) is needed")
    pages = [p.html for p in iter_pages("scrapinghub", args.scrapinghub)]
    texts = [render_text(h) for h in pages]
    # one contender per path and input kind, each over its own inputs, interleaved by repetition
    contenders = {
        "text, labels": (lambda t: _labels_path(api.to_document(t)), texts),
        "text, body_mask": (lambda t: api.clean_document(api.to_document(t)), texts),
        "html, labels": (lambda h: _labels_path(api.to_document(h, html=True)), pages),
        "html, body_mask": (lambda h: api.clean_document(api.to_document(h, html=True)), pages),
    }
    items = list(range(len(pages)))  # page index: both inputs of a kind are timed page by page
    times = interleaved({name: (lambda i, fn=fn, inputs=inputs: fn(inputs[i]))
                         for name, (fn, inputs) in contenders.items()}, items, args.repeats)
    print(f"{len(pages)} Scrapinghub pages, {args.repeats} repetitions, interleaved (benchmarks.speed.interleaved)")
    for name, t in times.items():
        print(f"{name:16} min {t['min_s']:6.2f} s  median {t['median_s']:6.2f} s")
    for variant in ("text", "html"):
        ratio = times[f"{variant}, labels"]["min_s"] / times[f"{variant}, body_mask"]["min_s"]
        print(f"{variant}: body_mask path {ratio:.3f}x the labels path (ratio of minimums)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
