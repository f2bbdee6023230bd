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
import statistics
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

from boilerplate import api  # noqa: E402
from boilerplate.eval.corpora import iter_pages  # noqa: E402
from boilerplate.html import render_text  # noqa: E402


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
    contenders = {
        "text, labels": lambda: [_labels_path(api.to_document(t)) for t in texts],
        "text, body_mask": lambda: [api.clean_document(api.to_document(t)) for t in texts],
        "html, labels": lambda: [_labels_path(api.to_document(h, html=True)) for h in pages],
        "html, body_mask": lambda: [api.clean_document(api.to_document(h, html=True)) for h in pages],
    }
    for run in contenders.values():  # warm-up: model loads, compilation
        run()
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(args.repeats):
        for name, run in contenders.items():
            t0 = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - t0)
    print(f"{len(pages)} Scrapinghub pages, {args.repeats} repetitions, interleaved")
    for name, t in times.items():
        print(f"{name:16} min {min(t):6.2f} s  median {statistics.median(t):6.2f} s")
    for variant in ("text", "html"):
        ratio = min(times[f"{variant}, labels"]) / min(times[f"{variant}, body_mask"])
        print(f"{variant}: body_mask path {ratio:.3f}x the labels path (ratio of minimums)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
