"""Throughput of the shipped detectors, on one core, same machine, same run as trafilatura.

    python -m benchmarks.speed --data data/ --scrapinghub DIR [--out results/speed.json]

Text mode: lines/s of ``learned-text`` predict (feature extraction included) over the rendered
lines of all corpus pages as plain text, in batches of 64 documents (``predict_proba_many``) and
one document at a time. HTML mode: pages/s of parse + render + ``learned-html`` predict against
``trafilatura.extract`` (if installed) on the Scrapinghub pages.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as the target says

from boilerplate.detectors.learned import shipped_model  # noqa: E402
from boilerplate.document import Document  # noqa: E402
from boilerplate.eval.corpora import iter_scrapinghub  # noqa: E402
from boilerplate.html import render  # noqa: E402

from .common import ROOT, load_corpus  # noqa: E402


def run(*, data: Path = ROOT / "data", scrapinghub: str | None = None,
        out: Path = ROOT / "results" / "speed.json") -> int:
    """The step itself, with the command line's options as keyword arguments."""
    result: dict = {}
    text_model = shipped_model("learned-text")
    docs = [Document(lines=d.lines, id=d.id) for d in load_corpus(data)]
    n_lines = sum(len(d.lines) for d in docs)
    t0 = time.perf_counter()
    for i in range(0, len(docs), 64):
        text_model.predict_proba_many(docs[i:i + 64])
    result["text_lines_per_s_batched"] = n_lines / (time.perf_counter() - t0)
    sample = docs[:300]
    t0 = time.perf_counter()
    for d in sample:
        text_model.predict_proba(d)
    result["text_lines_per_s_one_doc"] = sum(len(d.lines) for d in sample) / (time.perf_counter() - t0)
    # throughput against document size: documents in size buckets, one at a time
    edges = (0, 100, 200, 400, 800, 1600, 10**9)
    result["by_size"] = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        bucket = [d for d in docs if lo <= len(d.lines) < hi][:100]
        if not bucket:
            continue
        t0 = time.perf_counter()
        for d in bucket:
            text_model.predict_proba(d)
        seconds = time.perf_counter() - t0
        n = sum(len(d.lines) for d in bucket)
        result["by_size"].append({"min_lines": lo, "max_lines": hi, "docs": len(bucket), "mean_lines": n / len(bucket),
                               "lines_per_s": n / seconds})
    print(f"text mode: {result['text_lines_per_s_batched']:.0f} lines/s batched, "
          f"{result['text_lines_per_s_one_doc']:.0f} lines/s one document at a time ({n_lines} lines)")
    if scrapinghub:
        ids = {d.id for d in docs}
        pages = [p.html for p in iter_scrapinghub(scrapinghub) if f"scrapinghub/{p.id}" in ids]
        html_model = shipped_model("learned-html")
        t0 = time.perf_counter()
        for h in pages:
            html_model.predict(render(h))
        result["html_pages_per_s"] = len(pages) / (time.perf_counter() - t0)
        try:
            import trafilatura

            t0 = time.perf_counter()
            for h in pages:
                trafilatura.extract(h)
            result["trafilatura_pages_per_s"] = len(pages) / (time.perf_counter() - t0)
        except ImportError:
            result["trafilatura_pages_per_s"] = None
        ratio = result["html_pages_per_s"] / result["trafilatura_pages_per_s"] if result["trafilatura_pages_per_s"] else float("nan")
        print(f"HTML mode: {result['html_pages_per_s']:.1f} pages/s; trafilatura.extract "
              f"{result['trafilatura_pages_per_s'] or float('nan'):.1f} pages/s; ratio {ratio:.2f}x")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--scrapinghub", default=os.environ.get("BOILERPLATE_SCRAPINGHUB"))
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "speed.json")
    args = parser.parse_args(argv)
    return run(**vars(args))


if __name__ == "__main__":
    sys.exit(main())
