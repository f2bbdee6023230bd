"""Throughput of the shipped detectors against peers, in one process, interleaved, on one core.

    python -m benchmarks.speed --data data/ --scrapinghub DIR [--wcxb DIR] [--repeats 3] [--out results/speed.json]

Every contender runs over the same inputs once per repetition, in turn (ours, then each peer,
then ours again in the next repetition), so a noisy neighbour slows all of them alike; each
reports the minimum and the median seconds over ``--repeats`` repetitions, and ratios are taken
between minimums of the same run. Through the public API only:

- HTML: pages/s of ``boilerplate.clean_html`` (decode, render, learned-html) against every peer
  of ``benchmarks.peers`` on the Scrapinghub pages, and against trafilatura, Resiliparse,
  readability-lxml and html-text on an evenly spaced sample of ``--wcxb-sample`` WCXB pages;
- text: lines/s (and documents/s) of ``boilerplate.clean`` with each text detector (learned-text,
  rules, C4, Gopher) on the rendered text of the Scrapinghub pages (rendering not included);
- scaling: seconds of ``clean_html`` per page (minimum over the repetitions) against its bytes
  and its rendered lines, with the fitted log-log slope (1 = linear cost);
- the cost of a one-line input (the fixed cost per call);
- the trees' speed curve: ``clean_html`` and ``clean`` with the shipped boosters cut to fewer trees;
- the stage table of ``clean_html`` and ``clean`` on the Scrapinghub pages (``benchmarks.stages``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as the target says

import numpy as np  # noqa: E402

import boilerplate  # noqa: E402
from boilerplate.api import load_detector  # noqa: E402
from boilerplate.eval.corpora import iter_pages  # noqa: E402
from boilerplate.html import render_text  # noqa: E402

from .common import ROOT, TREE_COUNTS  # noqa: E402
from .peers import PEERS, available, guarded  # noqa: E402
from .stages import stage_table  # noqa: E402

ONE_LINE_CALLS = 2000


#: The peers timed on the WCXB sample (all of benchmarks.peers run on Scrapinghub).
WCXB_PEERS = ("trafilatura", "resiliparse", "readability", "html-text")
#: Text detectors timed on rendered text (their quality is in heuristics.json and cv.json).
TEXT_DETECTORS = ("learned-text", "rules", "c4", "gopher")


def _peers_html(names=None) -> dict[str, Callable[[bytes], object]]:
    """The installed peers of ``benchmarks.peers`` (all, or those in ``names``); a page on which a
    peer raises counts in ``PEER_ERRORS`` (``peers.guarded``, as in ``benchmarks.peer_bench``)."""
    return {name: guarded(name, PEER_ERRORS) for name in PEERS if (names is None or name in names) and available(name)}


PEER_ERRORS: Counter = Counter()


def _text_cleaner(name: str) -> Callable[[str], str]:
    return lambda text: boilerplate.clean(text, detector=name)


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


def tree_speed(pages: list[bytes], texts: list[str], repeats: int) -> dict:
    """Pages/s of ``clean_html`` and lines/s of ``clean`` with the shipped models' boosters cut to
    each of :data:`TREE_COUNTS` trees and whole (``LearnedDetector.with_trees``), interleaved: the
    speed side of the trees' quality curve (the quality side is ``cv.json``'s ``trees``)."""
    out = {}
    for kind, inputs, html in (("html", pages, True), ("text", texts, False)):
        shipped = load_detector(html=html)
        clean = boilerplate.clean_html if html else boilerplate.clean
        counts = sorted({n for n in TREE_COUNTS if n < shipped.max_iter} | {shipped.max_iter})
        models = {str(n): shipped.with_trees(n) for n in counts}
        timed = interleaved({n: (lambda x, m=m, c=clean: c(x, detector=m)) for n, m in models.items()}, inputs, repeats)
        unit = len(inputs) if html else sum(t.count("\n") + 1 for t in inputs)
        out[kind] = {n: {"min_s": e["min_s"], "median_s": e["median_s"],
                         ("pages_per_s" if html else "lines_per_s"): unit / e["min_s"]} for n, e in timed.items()}
    return out


def scaling(pages: list[bytes], repeats: int) -> dict:
    """Per page: bytes, rendered lines and ``clean_html`` seconds (min over ``repeats``); the
    least-squares slope of log seconds against log bytes and against log lines."""
    seconds = np.full(len(pages), np.inf)
    for _ in range(repeats):
        for i, page in enumerate(pages):
            t0 = time.perf_counter()
            boilerplate.clean_html(page)
            seconds[i] = min(seconds[i], time.perf_counter() - t0)
    size = np.array([len(p) for p in pages], dtype=float)
    lines = np.array([render_text(p).count("\n") + 1 for p in pages], dtype=float)
    slope = {name: float(np.polyfit(np.log(x), np.log(seconds), 1)[0]) for name, x in (("bytes", size), ("lines", lines))}
    return {"pages": [{"bytes": int(b), "lines": int(n), "seconds": float(t)} for b, n, t in zip(size, lines, seconds)],
            "slope_bytes": slope["bytes"], "slope_lines": slope["lines"]}


def run(*, data: Path = ROOT / "data", scrapinghub: str | None = None, wcxb: str | None = None,
        repeats: int = 3, limit: int | None = None, wcxb_sample: int = 200, one_line_calls: int = ONE_LINE_CALLS,
        out: Path = ROOT / "results" / "speed.json") -> int:
    """The step itself, with the command line's options as keyword arguments."""
    result: dict = {"repeats": repeats, "html": {}, "text": {}}
    sampled: list[bytes] = []
    for source, directory in (("scrapinghub", scrapinghub), ("wcxb", wcxb)):
        if not directory:
            continue
        pages = [p.html for p in iter_pages(source, directory)][:limit]
        if source == "wcxb" and len(pages) > wcxb_sample:  # evenly spaced, deterministic
            pages = [pages[i] for i in np.linspace(0, len(pages) - 1, wcxb_sample).astype(int)]
        peers = _peers_html(None if source == "scrapinghub" else WCXB_PEERS)
        timed = interleaved({"boilerplate": boilerplate.clean_html, **peers}, pages, repeats)
        for entry in timed.values():
            entry["pages_per_s"] = len(pages) / entry["min_s"]
        ours = timed["boilerplate"]["min_s"]
        ratios = {f"vs_{name}": timed[name]["min_s"] / ours for name in peers}
        result["html"][source] = {"pages": len(pages), **timed, **ratios}
        sampled += pages
        if source == "scrapinghub":  # the summary the paper quotes
            result["html_pages_per_s"] = timed["boilerplate"]["pages_per_s"]
            result["trafilatura_pages_per_s"] = timed.get("trafilatura", {}).get("pages_per_s")
        print(f"HTML {source}: {len(pages)} pages; " + "; ".join(
            f"{name} {e['pages_per_s']:.1f} pages/s (min of {repeats})" for name, e in timed.items())
            + "; " + ", ".join(f"boilerplate {r:.2f}x {k[3:]}" for k, r in ratios.items()), flush=True)
        if source == "scrapinghub":
            texts = [render_text(h) for h in pages]
            n_lines = sum(t.count("\n") + 1 for t in texts)
            timed = interleaved({name: _text_cleaner(name) for name in TEXT_DETECTORS}, texts, repeats)
            for entry in timed.values():
                entry["lines_per_s"] = n_lines / entry["min_s"]
                entry["docs_per_s"] = len(texts) / entry["min_s"]
            result["text"] = {"documents": len(texts), "lines": n_lines, **timed}
            result["text_lines_per_s"] = timed["learned-text"]["lines_per_s"]
            result["by_size"] = by_size(texts, repeats)
            result["trees"] = tree_speed(pages, texts, repeats)
            # where the time goes, stage by stage (profiled; benchmarks.stages)
            result["stages"] = {"html": stage_table(boilerplate.clean_html, pages),
                                "text": stage_table(boilerplate.clean, texts)}
            print(f"text: {n_lines} lines; " + "; ".join(f"{name} {e['lines_per_s']:,.0f} lines/s"
                                                        for name, e in timed.items()), flush=True)
    if sampled:
        result["scaling"] = scaling(sampled, repeats)
        print(f"scaling: {len(sampled)} pages; log-log slope of seconds on bytes "
              f"{result['scaling']['slope_bytes']:.2f}, on lines {result['scaling']['slope_lines']:.2f}", flush=True)
    result["peer_errors"] = dict(PEER_ERRORS)  # page calls on which a peer raised, over all repetitions
    one = interleaved({"clean": boilerplate.clean, "clean_html": boilerplate.clean_html},
                      ["A single line of text."] * one_line_calls, repeats)
    result["one_line_ms"] = {name: 1000 * e["min_s"] / one_line_calls for name, e in one.items()}
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
    parser.add_argument("--wcxb-sample", type=int, default=200, help="WCXB pages timed (evenly spaced)")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "speed.json")
    args = parser.parse_args(argv)
    return run(**vars(args))


if __name__ == "__main__":
    sys.exit(main())
