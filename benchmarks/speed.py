"""Throughput of the shipped detectors against peers, in one process, interleaved, on one core.

    python -m benchmarks.speed --data data/ --scrapinghub DIR [--wcxb DIR] [--repeats 3] [--out results/speed.json]

Every contender runs over the same inputs once per repetition, in turn (ours, then each peer,
then ours again in the next repetition), so a noisy neighbour slows all of them alike; each
reports the minimum and the median seconds over ``--repeats`` repetitions, and ratios are taken
between minimums of the same run. Through the public API only:

- HTML: pages/s of ``boilerplate.clean_html`` (decode, render, learned-html) against
  ``trafilatura.extract`` and Resiliparse's main-content extractor, per corpus;
- text: lines/s of ``boilerplate.clean`` (learned-text) and of the C4 line filter on the
  rendered text of the same pages; and the cost of a one-line input (the fixed cost per call).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as the target says

import boilerplate  # noqa: E402
from boilerplate.eval.corpora import iter_pages  # noqa: E402
from boilerplate.html import render_text  # noqa: E402

from .common import ROOT  # noqa: E402

ONE_LINE_CALLS = 2000


def _peers_html() -> dict[str, Callable[[bytes], object]]:
    peers: dict[str, Callable[[bytes], object]] = {}
    try:
        import trafilatura

        peers["trafilatura"] = trafilatura.extract
    except ImportError:
        pass
    try:
        from resiliparse.extract.html2text import extract_plain_text
        from resiliparse.parse.html import HTMLTree

        peers["resiliparse"] = lambda h: extract_plain_text(HTMLTree.parse_from_bytes(h), main_content=True)
    except ImportError:
        pass
    return peers


def interleaved(contenders: dict[str, Callable[[object], object]], inputs: Sequence, repeats: int) -> dict:
    """Seconds per contender over all ``inputs``: each repetition runs every contender in turn."""
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for fn in contenders.values():  # warm-up: model loads, caches, imports
        fn(inputs[0])
    for _ in range(repeats):
        for name, fn in contenders.items():
            t0 = time.perf_counter()
            for item in inputs:
                fn(item)
            times[name].append(time.perf_counter() - t0)
    return {name: {"min_s": min(t), "median_s": statistics.median(t), "runs_s": t} for name, t in times.items()}


SIZE_EDGES = (0, 100, 200, 400, 800, 1600, 10**9)


def by_size(texts: list[str], repeats: int) -> list[dict]:
    """learned-text lines/s for documents in line-count buckets (min over ``repeats``)."""
    rows = []
    for lo, hi in zip(SIZE_EDGES[:-1], SIZE_EDGES[1:]):
        bucket = [t for t in texts if lo <= t.count("\n") + 1 < hi]
        if not bucket:
            continue
        n = sum(t.count("\n") + 1 for t in bucket)
        seconds = interleaved({"learned-text": boilerplate.clean}, bucket, repeats)["learned-text"]["min_s"]
        rows.append({"min_lines": lo, "max_lines": hi, "docs": len(bucket), "mean_lines": n / len(bucket),
                     "lines_per_s": n / seconds})
    return rows


def run(*, data: Path = ROOT / "data", scrapinghub: str | None = None, wcxb: str | None = None,
        repeats: int = 3, limit: int | None = None, out: Path = ROOT / "results" / "speed.json") -> int:
    """The step itself, with the command line's options as keyword arguments."""
    result: dict = {"repeats": repeats, "html": {}, "text": {}}
    peers = _peers_html()
    for source, directory in (("scrapinghub", scrapinghub), ("wcxb", wcxb)):
        if not directory:
            continue
        pages = [p.html for p in iter_pages(source, directory)][:limit]
        timed = interleaved({"boilerplate": boilerplate.clean_html, **peers}, pages, repeats)
        for entry in timed.values():
            entry["pages_per_s"] = len(pages) / entry["min_s"]
        ours = timed["boilerplate"]["min_s"]
        ratios = {f"vs_{name}": timed[name]["min_s"] / ours for name in peers}
        result["html"][source] = {"pages": len(pages), **timed, **ratios}
        if source == "scrapinghub":  # the summary the paper quotes
            result["html_pages_per_s"] = timed["boilerplate"]["pages_per_s"]
            result["trafilatura_pages_per_s"] = timed.get("trafilatura", {}).get("pages_per_s")
        print(f"HTML {source}: {len(pages)} pages; " + "; ".join(
            f"{name} {e['pages_per_s']:.1f} pages/s (min of {repeats})" for name, e in timed.items())
            + "; " + ", ".join(f"boilerplate {r:.2f}x {k[3:]}" for k, r in ratios.items()), flush=True)
        if source == "scrapinghub":
            texts = [render_text(h) for h in pages]
            n_lines = sum(t.count("\n") + 1 for t in texts)
            timed = interleaved({"learned-text": boilerplate.clean,
                                 "c4": lambda t: boilerplate.clean(t, detector="c4")}, texts, repeats)
            for entry in timed.values():
                entry["lines_per_s"] = n_lines / entry["min_s"]
            result["text"] = {"documents": len(texts), "lines": n_lines, **timed}
            result["text_lines_per_s"] = timed["learned-text"]["lines_per_s"]
            result["by_size"] = by_size(texts, repeats)
            print(f"text: {n_lines} lines; " + "; ".join(f"{name} {e['lines_per_s']:,.0f} lines/s"
                                                        for name, e in timed.items()), flush=True)
    one = interleaved({"clean": boilerplate.clean, "clean_html": boilerplate.clean_html},
                      ["A single line of text."] * ONE_LINE_CALLS, repeats)
    result["one_line_ms"] = {name: 1000 * e["min_s"] / ONE_LINE_CALLS for name, e in one.items()}
    print("one-line input: " + ", ".join(f"{k} {v:.2f} ms" for k, v in result["one_line_ms"].items()))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--scrapinghub", default=os.environ.get("BOILERPLATE_SCRAPINGHUB"))
    parser.add_argument("--wcxb", default=os.environ.get("BOILERPLATE_WCXB"))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--limit", type=int, default=None, help="pages per corpus (quick runs)")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "speed.json")
    args = parser.parse_args(argv)
    return run(**vars(args))


if __name__ == "__main__":
    sys.exit(main())
